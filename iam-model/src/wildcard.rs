//! IAM wildcard matching: `*` matches any run of characters (including none, and including
//! `:` and `/`), `?` matches exactly one character.
//!
//! Action names match case-insensitively, resources and condition values case-sensitively,
//! so the caller chooses. A [`Pattern`] can also carry *literal* `*`, `?` and `$` characters,
//! which is what the policy variables `${*}`, `${?}` and `${$}` produce.
//!
//! ```
//! use iam_model::wildcard::wildcard_match;
//! assert!(wildcard_match("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b.txt", false));
//! assert!(wildcard_match("s3:Get*", "S3:GETOBJECT", true));
//! assert!(!wildcard_match("s3:Get?", "s3:Get", true));
//! ```

/// One element of a compiled wildcard pattern.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Token {
    /// A run of literal characters (which may include `*`, `?` and `$` from `${*}` etc.).
    Literal(String),
    /// `*`: any run of characters.
    Star,
    /// `?`: exactly one character.
    One,
}

/// A compiled wildcard pattern: literal runs, `*` and `?`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Pattern {
    /// The tokens, in order; adjacent literals are merged.
    pub tokens: Vec<Token>,
}

impl Pattern {
    /// Compiles a plain IAM pattern, where every `*` and `?` is a wildcard.
    pub fn new(text: &str) -> Pattern {
        let mut p = Pattern::default();
        p.push_wild(text);
        p
    }

    /// Appends text in which `*` and `?` are wildcards.
    pub fn push_wild(&mut self, text: &str) {
        let mut lit = String::new();
        for c in text.chars() {
            match c {
                '*' | '?' => {
                    if !lit.is_empty() {
                        self.push_literal(&std::mem::take(&mut lit));
                    }
                    self.tokens
                        .push(if c == '*' { Token::Star } else { Token::One });
                }
                _ => lit.push(c),
            }
        }
        if !lit.is_empty() {
            self.push_literal(&lit);
        }
    }

    /// Appends literal text (no wildcards, even for `*` and `?`).
    pub fn push_literal(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(Token::Literal(prev)) = self.tokens.last_mut() {
            prev.push_str(text);
        } else {
            self.tokens.push(Token::Literal(text.to_string()));
        }
    }

    /// True when the pattern has no wildcard token.
    pub fn is_literal(&self) -> bool {
        self.tokens.iter().all(|t| matches!(t, Token::Literal(_)))
    }

    /// Matches `text` against the pattern.
    pub fn matches(&self, text: &str, case_insensitive: bool) -> bool {
        let mut pat: Vec<PChar> = Vec::new();
        for t in &self.tokens {
            match t {
                Token::Literal(s) => pat.extend(s.chars().map(PChar::Lit)),
                Token::Star => pat.push(PChar::Star),
                Token::One => pat.push(PChar::One),
            }
        }
        let text: Vec<char> = text.chars().collect();
        match_chars(&pat, &text, case_insensitive)
    }

    /// True when every string this pattern matches is matched by `other` too
    /// (conservative: may answer false for some true cases with several stars).
    pub fn is_covered_by(&self, other: &Pattern, case_insensitive: bool) -> bool {
        // Treat our own wildcards as literal characters that the other pattern must match
        // with wildcards of its own: a `*` of ours is covered only by a `*` of theirs.
        let mut ours: Vec<PChar> = Vec::new();
        for t in &self.tokens {
            match t {
                Token::Literal(s) => ours.extend(s.chars().map(PChar::Lit)),
                Token::Star => ours.push(PChar::Star),
                Token::One => ours.push(PChar::One),
            }
        }
        let mut theirs: Vec<PChar> = Vec::new();
        for t in &other.tokens {
            match t {
                Token::Literal(s) => theirs.extend(s.chars().map(PChar::Lit)),
                Token::Star => theirs.push(PChar::Star),
                Token::One => theirs.push(PChar::One),
            }
        }
        cover(&theirs, &ours, case_insensitive)
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum PChar {
    Lit(char),
    Star,
    One,
}

fn eq_char(a: char, b: char, ci: bool) -> bool {
    a == b || (ci && a.eq_ignore_ascii_case(&b))
}

fn match_chars(pat: &[PChar], text: &[char], ci: bool) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pat.get(p) {
            Some(PChar::Star) => {
                star = Some((p, t));
                p += 1;
            }
            Some(PChar::One) => {
                p += 1;
                t += 1;
            }
            Some(PChar::Lit(c)) if eq_char(*c, text[t], ci) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pat[p..].iter().all(|c| *c == PChar::Star)
}

/// Does pattern `big` match every string that pattern `small` matches?
/// Exact for the shapes IAM uses (a sound under-approximation in general).
fn cover(big: &[PChar], small: &[PChar], ci: bool) -> bool {
    // Dynamic programming over (i, j): big[i..] covers small[j..].
    let n = big.len();
    let m = small.len();
    let mut dp = vec![vec![false; m + 1]; n + 1];
    dp[n][m] = true;
    for i in (0..n).rev() {
        for j in (0..=m).rev() {
            dp[i][j] = match big[i] {
                PChar::Star => dp[i + 1][j] || (j < m && dp[i][j + 1]),
                PChar::One => j < m && small[j] != PChar::Star && dp[i + 1][j + 1],
                PChar::Lit(c) => {
                    j < m
                        && matches!(small[j], PChar::Lit(d) if eq_char(c, d, ci))
                        && dp[i + 1][j + 1]
                }
            };
        }
    }
    dp[0][0]
}

/// Matches `text` against an IAM wildcard pattern given as text.
///
/// Allocation-free for ASCII input, which is what actions and almost all ARNs are.
pub fn wildcard_match(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    // Rejected on the first character: most of a policy's patterns, scanned for one action,
    // name another service.
    if let (Some(&p0), Some(&t0)) = (pattern.as_bytes().first(), text.as_bytes().first())
        && p0 != b'*'
        && p0 != b'?'
        && p0.is_ascii()
        && t0.is_ascii()
    {
        let same = if case_insensitive {
            p0.eq_ignore_ascii_case(&t0)
        } else {
            p0 == t0
        };
        if !same {
            return false;
        }
    }
    if pattern.is_ascii() && text.is_ascii() {
        return match_bytes(pattern.as_bytes(), text.as_bytes(), case_insensitive);
    }
    Pattern::new(pattern).matches(text, case_insensitive)
}

fn match_bytes(pat: &[u8], text: &[u8], ci: bool) -> bool {
    let eq = |a: &[u8], b: &[u8]| {
        if ci {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    // The common shapes, decided without the general loop: `*`, a literal, `prefix*`.
    match pat.iter().position(|c| *c == b'*' || *c == b'?') {
        None => return eq(pat, text),
        Some(i) if i + 1 == pat.len() && pat[i] == b'*' => {
            return text.len() >= i && eq(&pat[..i], &text[..i]);
        }
        Some(_) => {}
    }
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pat.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(b'?') => {
                p += 1;
                t += 1;
            }
            Some(c) if *c == text[t] || (ci && c.eq_ignore_ascii_case(&text[t])) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pat[p..].iter().all(|c| *c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_and_question() {
        let cases = [
            ("*", "", true),
            ("*", "anything:at/all", true),
            ("a*c", "abbbc", true),
            ("a*c", "abbbd", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*a*b*", "xxaxxbxx", true),
            ("*a*b*", "xxbxxaxx", false),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b/", true),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b", false),
            ("é?", "éa", true),
            ("?", "é", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(wildcard_match(p, t, false), want, "{p} vs {t}");
            assert_eq!(
                Pattern::new(p).matches(t, false),
                want,
                "compiled {p} vs {t}"
            );
        }
    }

    #[test]
    fn the_fast_shapes_agree_with_the_general_matcher() {
        let texts = [
            "",
            "s",
            "s3",
            "s3:",
            "s3:GetObject",
            "S3:getobject",
            "s3:GetObjectAcl",
            "ésé",
            "x",
        ];
        let patterns = [
            "",
            "*",
            "s3:*",
            "S3:GET*",
            "s3:GetObject",
            "s3:getobject",
            "s3:GetObject*",
            "s3*",
            "s3:?etObject",
            "*Object",
            "s3:Get*Acl",
            "?3:*",
            "x*",
            "é*",
            "s*é",
        ];
        for p in patterns {
            for t in texts {
                for ci in [false, true] {
                    assert_eq!(
                        wildcard_match(p, t, ci),
                        Pattern::new(p).matches(t, ci),
                        "{p} vs {t} (case-insensitive: {ci})"
                    );
                }
            }
        }
    }

    #[test]
    fn case_sensitivity_is_the_callers_choice() {
        assert!(wildcard_match("s3:get*", "s3:GetObject", true));
        assert!(!wildcard_match("s3:get*", "s3:GetObject", false));
    }

    #[test]
    fn literal_star_is_not_a_wildcard() {
        let mut p = Pattern::default();
        p.push_literal("a*b");
        assert!(p.matches("a*b", false));
        assert!(!p.matches("axxb", false));
    }

    #[test]
    fn coverage() {
        let c = |a: &str, b: &str| Pattern::new(a).is_covered_by(&Pattern::new(b), false);
        assert!(c("arn:aws:s3:::b/x", "arn:aws:s3:::b/*"));
        assert!(c("arn:aws:s3:::b/x*", "arn:aws:s3:::b/*"));
        assert!(!c("arn:aws:s3:::b/*", "arn:aws:s3:::b/x*"));
        assert!(c("a?c", "a*"));
        assert!(!c("a*", "a?"));
        assert!(c("*", "*"));
    }
}

/// Do two patterns match at least one common string?
pub fn patterns_intersect(a: &Pattern, b: &Pattern, case_insensitive: bool) -> bool {
    let flat = |p: &Pattern| {
        let mut v: Vec<PChar> = Vec::new();
        for t in &p.tokens {
            match t {
                Token::Literal(s) => v.extend(s.chars().map(PChar::Lit)),
                Token::Star => v.push(PChar::Star),
                Token::One => v.push(PChar::One),
            }
        }
        v
    };
    let (a, b) = (flat(a), flat(b));
    let (n, m) = (a.len(), b.len());
    // dp[i][j]: a[i..] and b[j..] share a string.
    let mut dp = vec![vec![false; m + 1]; n + 1];
    for i in (0..=n).rev() {
        for j in (0..=m).rev() {
            dp[i][j] = match (a.get(i), b.get(j)) {
                (None, None) => true,
                (Some(PChar::Star), _) if dp[i + 1][j] => true,
                (_, Some(PChar::Star)) if dp[i][j + 1] => true,
                (Some(PChar::Star), Some(PChar::Star)) => dp[i + 1][j + 1],
                (Some(PChar::Star), Some(_)) => dp[i][j + 1],
                (Some(_), Some(PChar::Star)) => dp[i + 1][j],
                (Some(x), Some(y)) => {
                    let compatible = match (x, y) {
                        (PChar::Lit(c), PChar::Lit(d)) => eq_char(*c, *d, case_insensitive),
                        _ => true,
                    };
                    compatible && dp[i + 1][j + 1]
                }
                _ => false,
            };
        }
    }
    dp[0][0]
}

#[cfg(test)]
mod intersect_tests {
    use super::*;

    #[test]
    fn intersections() {
        let i = |a: &str, b: &str| patterns_intersect(&Pattern::new(a), &Pattern::new(b), false);
        assert!(i("arn:aws:iam::1:role/*", "arn:aws:iam::1:role/admin"));
        assert!(i("arn:aws:iam::1:role/a*", "arn:aws:iam::1:role/*z"));
        assert!(!i("arn:aws:iam::1:role/a*", "arn:aws:iam::1:user/*"));
        assert!(i("a?c", "*c"));
        assert!(!i("abc", "abd"));
        assert!(i("*", ""));
        assert!(!i("?", ""));
    }
}
