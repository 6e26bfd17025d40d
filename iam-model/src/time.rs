//! Timestamps as AWS writes them, without a clock.
//!
//! iamsight never reads the wall clock below the binary: "now" is a snapshot's `collected_at`.
//! This module only parses and prints the ISO 8601 / RFC 3339 forms that AWS APIs, the AWS CLI
//! and the credential report use (`2019-12-18T19:10:08Z`, `2019-12-18 19:10:08+00:00`,
//! `2019-12-18T19:10:08.123+02:00`, `2019-12-18`), plus epoch seconds for `Date*` conditions.
//!
//! ```
//! use iam_model::Timestamp;
//! let t: Timestamp = "2026-11-30T12:00:00Z".parse().unwrap();
//! let u: Timestamp = "2026-11-20 12:00:00+00:00".parse().unwrap();
//! assert_eq!(t.days_since(u), 10);
//! assert_eq!(t.to_string(), "2026-11-30T12:00:00Z");
//! ```

use std::fmt;
use std::str::FromStr;

/// A point in time, in whole seconds since the Unix epoch (UTC). Sub-second parts are dropped.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// A string that is not a timestamp iamsight understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an ISO 8601 date or date-time")]
pub struct TimestampError(pub String);

impl Timestamp {
    /// Seconds since the Unix epoch.
    pub fn unix_seconds(self) -> i64 {
        self.0
    }

    /// Whole days from `earlier` to `self` (negative when `earlier` is later).
    pub fn days_since(self, earlier: Timestamp) -> i64 {
        (self.0 - earlier.0).div_euclid(86_400)
    }

    /// This instant minus `days` whole days.
    pub fn minus_days(self, days: i64) -> Timestamp {
        Timestamp(self.0 - days * 86_400)
    }

    /// Parses an ISO 8601 date or date-time, or (for policy `Date*` conditions) epoch seconds.
    pub fn parse_lenient(s: &str) -> Result<Timestamp, TimestampError> {
        let t = s.trim();
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && t.len() > 8 {
            return t
                .parse::<i64>()
                .map(Timestamp)
                .map_err(|_| TimestampError(s.to_string()));
        }
        t.parse()
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_iso(s.trim()).ok_or_else(|| TimestampError(s.to_string()))
    }
}

fn num(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: i64 = 0;
    for d in b {
        v = v * 10 + i64::from(d - b'0');
    }
    Some(v)
}

fn parse_iso(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = num(&b[0..4])?;
    let month = num(&b[5..7])?;
    let day = num(&b[8..10])?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    if b.len() == 10 {
        return Some(Timestamp(days * 86_400));
    }
    if b[10] != b'T' && b[10] != b't' && b[10] != b' ' {
        return None;
    }
    let rest = &b[11..];
    if rest.len() < 5 || rest[2] != b':' {
        return None;
    }
    let hour = num(&rest[0..2])?;
    let minute = num(&rest[3..5])?;
    let mut i = 5;
    let mut second = 0;
    if rest.len() >= 8 && rest[5] == b':' {
        second = num(&rest[6..8])?;
        i = 8;
        if i < rest.len() && rest[i] == b'.' {
            i += 1;
            let start = i;
            while i < rest.len() && rest[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return None;
            }
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let tz = &rest[i..];
    let offset = match tz {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let h = num(&[*h1, *h2])?;
            let m = num(&[*m1, *m2])?;
            let o = h * 3600 + m * 60;
            if *sign == b'+' { o } else { -o }
        }
        [sign @ (b'+' | b'-'), h1, h2] => {
            let o = num(&[*h1, *h2])? * 3600;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    Some(Timestamp(
        days * 86_400 + hour * 3600 + minute * 60 + second - offset,
    ))
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_aws_form() {
        let base = Timestamp(1_576_696_208); // 2019-12-18T19:10:08Z
        for s in [
            "2019-12-18T19:10:08Z",
            "2019-12-18 19:10:08+00:00",
            "2019-12-18T19:10:08.000Z",
            "2019-12-18T21:10:08+02:00",
            "2019-12-18T17:10:08-0200",
        ] {
            assert_eq!(s.parse::<Timestamp>(), Ok(base), "{s}");
        }
        assert_eq!(
            "2019-12-18".parse::<Timestamp>(),
            Ok(Timestamp(1_576_627_200))
        );
        assert_eq!(Timestamp::parse_lenient("1576696208"), Ok(base));
    }

    #[test]
    fn rejects_nonsense() {
        for s in [
            "",
            "N/A",
            "2019-13-01",
            "2019-02-30",
            "2019-12-18T25:00:00Z",
            "no_information",
        ] {
            assert!(s.parse::<Timestamp>().is_err(), "{s}");
        }
    }

    #[test]
    fn display_round_trips() {
        for secs in [0, 951_782_400, 1_576_696_208, -86_400, 4_102_444_800] {
            let t = Timestamp(secs);
            assert_eq!(t.to_string().parse::<Timestamp>(), Ok(t));
        }
        assert_eq!(Timestamp(951_782_400).to_string(), "2000-02-29T00:00:00Z");
    }
}
