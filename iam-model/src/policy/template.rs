//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/team}`, the literal escapes
//! `${*}`, `${?}` and `${$}`, and defaults such as `${aws:PrincipalTag/team, 'none'}`.
//!
//! Variables are substituted only in policies whose `Version` is `2012-10-17`; in older or
//! version-less policies `${...}` is plain text. A variable whose key the request does not
//! carry (and that has no default) makes the element that holds it match nothing.

use crate::wildcard::Pattern;

/// One piece of a string that may hold policy variables.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Segment {
    /// Text in which `*` and `?` are wildcards (where the element allows wildcards).
    Text(String),
    /// Text that is always literal: what `${*}`, `${?}` and `${$}` stand for.
    Literal(String),
    /// A variable, with its optional default value.
    Variable {
        /// Condition key, e.g. `aws:username`.
        key: String,
        /// The default after the comma, without quotes.
        default: Option<String>,
    },
}

/// Splits a string into text, literal escapes and variables.
pub fn parse_template(s: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else { break };
        text.push_str(&rest[..i]);
        let inner = after[..end].trim();
        if let Some(lit @ ("*" | "?" | "$")) = Some(inner).filter(|x| x.len() == 1) {
            flush(&mut out, &mut text);
            out.push(Segment::Literal(lit.to_string()));
        } else {
            let (key, default) = match inner.split_once(',') {
                Some((k, d)) => {
                    let d = d.trim();
                    let d = d
                        .strip_prefix('\'')
                        .and_then(|d| d.strip_suffix('\''))
                        .unwrap_or(d);
                    (k.trim(), Some(d.to_string()))
                }
                None => (inner, None),
            };
            flush(&mut out, &mut text);
            out.push(Segment::Variable {
                key: key.to_string(),
                default,
            });
        }
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    flush(&mut out, &mut text);
    out
}

fn flush(out: &mut Vec<Segment>, text: &mut String) {
    if !text.is_empty() {
        out.push(Segment::Text(std::mem::take(text)));
    }
}

/// True when `s` holds at least one `${...}` variable or escape.
pub fn has_variables(s: &str) -> bool {
    parse_template(s)
        .iter()
        .any(|seg| !matches!(seg, Segment::Text(_)))
}

/// Substitutes variables with `lookup` and compiles the result into a wildcard pattern.
/// Returns `None` when a variable has no value and no default: the element matches nothing.
pub fn substitute(
    segments: &[Segment],
    mut lookup: impl FnMut(&str) -> Option<String>,
) -> Option<Pattern> {
    let mut p = Pattern::default();
    for seg in segments {
        match seg {
            Segment::Text(t) => p.push_wild(t),
            Segment::Literal(l) => p.push_literal(l),
            Segment::Variable { key, default } => {
                let v = lookup(key).or_else(|| default.clone())?;
                p.push_literal(&v);
            }
        }
    }
    Some(p)
}

/// Substitutes variables into a plain string (for condition values that are not patterns).
pub fn substitute_text(
    segments: &[Segment],
    mut lookup: impl FnMut(&str) -> Option<String>,
) -> Option<String> {
    let mut s = String::new();
    for seg in segments {
        match seg {
            Segment::Text(t) | Segment::Literal(t) => s.push_str(t),
            Segment::Variable { key, default } => {
                s.push_str(&lookup(key).or_else(|| default.clone())?);
            }
        }
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_variables_defaults_and_escapes() {
        let segs =
            parse_template("arn:aws:s3:::b/${aws:username}/${*}${aws:PrincipalTag/team, 'none'}");
        assert_eq!(
            segs,
            vec![
                Segment::Text("arn:aws:s3:::b/".into()),
                Segment::Variable {
                    key: "aws:username".into(),
                    default: None
                },
                Segment::Text("/".into()),
                Segment::Literal("*".into()),
                Segment::Variable {
                    key: "aws:PrincipalTag/team".into(),
                    default: Some("none".into())
                },
            ]
        );
        assert_eq!(
            parse_template("no vars $ here"),
            vec![Segment::Text("no vars $ here".into())]
        );
        assert_eq!(
            parse_template("open ${ brace"),
            vec![Segment::Text("open ${ brace".into())]
        );
    }

    #[test]
    fn substitution() {
        let segs = parse_template("home/${aws:username}/*");
        let p = substitute(&segs, |k| (k == "aws:username").then(|| "alice".into())).unwrap();
        assert!(p.matches("home/alice/x", false));
        assert!(!p.matches("home/bob/x", false));
        assert!(substitute(&segs, |_| None).is_none());
        let lit = substitute(&parse_template("a${*}"), |_| None).unwrap();
        assert!(lit.matches("a*", false) && !lit.matches("ab", false));
        let d = parse_template("${aws:PrincipalTag/team, 'none'}");
        assert_eq!(substitute_text(&d, |_| None).as_deref(), Some("none"));
    }
}
