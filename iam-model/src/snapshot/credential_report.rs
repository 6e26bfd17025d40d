//! The IAM credential report: GetCredentialReport's CSV, decoded, parsed by column name.

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// A time cell of the credential report, with AWS's three kinds of "no time".
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReportTime {
    /// A date-time.
    At(Timestamp),
    /// `N/A`: the credential does not exist (no password, no key).
    NotApplicable,
    /// `no_information`: exists, but never used (or not used since tracking began).
    NoInformation,
    /// `not_supported`: the field does not apply (root's password fields).
    NotSupported,
}

impl ReportTime {
    /// The time, if there is one.
    pub fn at(self) -> Option<Timestamp> {
        match self {
            ReportTime::At(t) => Some(t),
            _ => None,
        }
    }
}

/// One access key slot of a user's row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKeyColumns {
    /// `access_key_N_active`.
    pub active: bool,
    /// `access_key_N_last_rotated` (creation time of the key).
    pub last_rotated: ReportTime,
    /// `access_key_N_last_used_date`.
    pub last_used_date: ReportTime,
    /// `access_key_N_last_used_region`.
    pub last_used_region: Option<String>,
    /// `access_key_N_last_used_service`.
    pub last_used_service: Option<String>,
}

/// One row: a user, or `<root_account>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialRow {
    /// `user`.
    pub user: String,
    /// `arn`.
    pub arn: String,
    /// `user_creation_time`.
    pub user_creation_time: ReportTime,
    /// `password_enabled`; `None` for `not_supported` (root).
    pub password_enabled: Option<bool>,
    /// `password_last_used`.
    pub password_last_used: ReportTime,
    /// `password_last_changed`.
    pub password_last_changed: ReportTime,
    /// `mfa_active`.
    pub mfa_active: bool,
    /// `access_key_1_*` and `access_key_2_*`.
    pub access_keys: [AccessKeyColumns; 2],
    /// `cert_1_active`, `cert_2_active`.
    pub certs_active: [bool; 2],
}

impl CredentialRow {
    /// The root user's row.
    pub fn is_root(&self) -> bool {
        self.user == "<root_account>"
    }
}

/// The parsed report, keeping its text for round trips.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialReport {
    /// The CSV text.
    pub text: String,
    /// The rows, in report order.
    pub rows: Vec<CredentialRow>,
}

/// A malformed credential report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("credential report line {line}: {message}")]
pub struct CredentialReportError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl CredentialReport {
    /// The root row, if present.
    pub fn root(&self) -> Option<&CredentialRow> {
        self.rows.iter().find(|r| r.is_root())
    }

    /// The row for a user ARN.
    pub fn by_arn(&self, arn: &str) -> Option<&CredentialRow> {
        self.rows.iter().find(|r| r.arn == arn)
    }

    /// Parses the CSV text.
    pub fn parse(text: &str) -> Result<CredentialReport, CredentialReportError> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            return Ok(CredentialReport {
                text: text.to_string(),
                rows: Vec::new(),
            });
        };
        let header = split_csv(header);
        let col = |name: &str| header.iter().position(|h| h == name);
        let need = |name: &str| {
            col(name).ok_or_else(|| CredentialReportError {
                line: 1,
                message: format!("missing column `{name}`"),
            })
        };
        let (c_user, c_arn) = (need("user")?, need("arn")?);
        let mut rows = Vec::new();
        for (i, line) in lines {
            let lineno = i + 1;
            let cells = split_csv(line);
            let get = |name: &str| col(name).and_then(|c| cells.get(c)).map(String::as_str);
            let bad = |field: &str, v: &str| CredentialReportError {
                line: lineno,
                message: format!("column `{field}`: unexpected value `{v}`"),
            };
            let time = |field: &str| -> Result<ReportTime, CredentialReportError> {
                match get(field) {
                    None | Some("N/A") | Some("") => Ok(ReportTime::NotApplicable),
                    Some("no_information") => Ok(ReportTime::NoInformation),
                    Some("not_supported") => Ok(ReportTime::NotSupported),
                    Some(v) => v.parse().map(ReportTime::At).map_err(|_| bad(field, v)),
                }
            };
            let flag = |field: &str| -> Result<Option<bool>, CredentialReportError> {
                match get(field) {
                    Some("true") | Some("TRUE") => Ok(Some(true)),
                    Some("false") | Some("FALSE") | None | Some("N/A") | Some("") => {
                        Ok(Some(false))
                    }
                    Some("not_supported") => Ok(None),
                    Some(v) => Err(bad(field, v)),
                }
            };
            let text_cell = |field: &str| {
                get(field)
                    .filter(|v| !matches!(*v, "N/A" | "" | "no_information"))
                    .map(str::to_string)
            };
            let key = |n: u8| -> Result<AccessKeyColumns, CredentialReportError> {
                Ok(AccessKeyColumns {
                    active: flag(&format!("access_key_{n}_active"))?.unwrap_or(false),
                    last_rotated: time(&format!("access_key_{n}_last_rotated"))?,
                    last_used_date: time(&format!("access_key_{n}_last_used_date"))?,
                    last_used_region: text_cell(&format!("access_key_{n}_last_used_region")),
                    last_used_service: text_cell(&format!("access_key_{n}_last_used_service")),
                })
            };
            let (Some(user), Some(arn)) = (cells.get(c_user), cells.get(c_arn)) else {
                return Err(CredentialReportError {
                    line: lineno,
                    message: format!("expected {} columns, found {}", header.len(), cells.len()),
                });
            };
            rows.push(CredentialRow {
                user: user.clone(),
                arn: arn.clone(),
                user_creation_time: time("user_creation_time")?,
                password_enabled: flag("password_enabled")?,
                password_last_used: time("password_last_used")?,
                password_last_changed: time("password_last_changed")?,
                mfa_active: flag("mfa_active")?.unwrap_or(false),
                access_keys: [key(1)?, key(2)?],
                certs_active: [
                    flag("cert_1_active")?.unwrap_or(false),
                    flag("cert_2_active")?.unwrap_or(false),
                ],
            });
        }
        Ok(CredentialReport {
            text: text.to_string(),
            rows,
        })
    }
}

/// Splits one CSV line, honouring double quotes (IAM user names may contain commas).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

impl Serialize for CredentialReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for CredentialReport {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        CredentialReport::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::111122223333:root,2019-01-01T00:00:00+00:00,not_supported,2026-11-20T10:00:00+00:00,not_supported,not_supported,false,true,2019-01-02T00:00:00+00:00,2026-11-20T10:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
\"a,b\",arn:aws:iam::111122223333:user/a-b,2020-01-01T00:00:00+00:00,true,no_information,2020-01-01T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
";

    #[test]
    fn parses_root_and_users() {
        let r = CredentialReport::parse(REPORT).unwrap();
        assert_eq!(r.rows.len(), 2);
        let root = r.root().unwrap();
        assert_eq!(root.password_enabled, None);
        assert!(root.access_keys[0].active);
        assert_eq!(root.access_keys[0].last_used_service.as_deref(), Some("s3"));
        assert!(!root.mfa_active);
        let u = &r.rows[1];
        assert_eq!(u.user, "a,b");
        assert_eq!(u.password_last_used, ReportTime::NoInformation);
        assert_eq!(u.access_keys[1].last_rotated, ReportTime::NotApplicable);
    }

    #[test]
    fn bad_cells_name_line_and_column() {
        let bad = REPORT.replace(
            "2020-01-01T00:00:00+00:00,true",
            "2020-01-01T00:00:00+00:00,maybe",
        );
        let e = CredentialReport::parse(&bad).unwrap_err();
        assert_eq!(
            e.to_string(),
            "credential report line 3: column `password_enabled`: unexpected value `maybe`"
        );
    }
}
