//! `--format junit`: JUnit XML, for the test views of CI systems (GitLab, Jenkins, Azure
//! Pipelines, GitHub test reporters).
//!
//! One `<testsuite>` per check that ran, named `ID name`; inside it one `<testcase>` per
//! resource the check has findings on (classname `iamsight.<service>.<check>`, name the
//! resource), failing with the findings' messages and evidence when any finding on it is open,
//! `<skipped>` when all are suppressed. A check without findings has one passing test case
//! named after the check, so a clean account still shows what was tested.
//!
//! Written by hand (the format is small): attribute and text values are escaped, and characters
//! XML 1.0 does not allow are dropped.

use std::collections::BTreeMap;
use std::fmt::Write;

use analyzer::report::{CheckInfo, Finding, Report, Status};

/// Renders the report as a JUnit XML document.
pub fn render(report: &Report) -> String {
    let mut by_check: BTreeMap<&str, BTreeMap<&str, Vec<&Finding>>> = BTreeMap::new();
    for f in &report.findings {
        by_check
            .entry(&f.check_id)
            .or_default()
            .entry(&f.resource)
            .or_default()
            .push(f);
    }
    let mut suites = String::new();
    let (mut tests, mut failures, mut skipped) = (0, 0, 0);
    for check in &report.checks {
        let cases = by_check.remove(check.id.as_str()).unwrap_or_default();
        let s = suite(check, &cases);
        tests += s.tests;
        failures += s.failures;
        skipped += s.skipped;
        suites.push_str(&s.xml);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"iamsight {}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">",
        esc(&report.account_id)
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}

struct Suite {
    xml: String,
    tests: usize,
    failures: usize,
    skipped: usize,
}

fn suite(check: &CheckInfo, cases: &BTreeMap<&str, Vec<&Finding>>) -> Suite {
    let classname = format!("iamsight.{}.{}", check.service, check.name);
    let mut body = String::new();
    let (mut failures, mut skipped) = (0, 0);
    if cases.is_empty() {
        let _ = writeln!(
            body,
            "    <testcase classname=\"{}\" name=\"{}\"/>",
            esc(&classname),
            esc(&format!("{}: no findings", check.name))
        );
    }
    for (resource, findings) in cases {
        let _ = writeln!(
            body,
            "    <testcase classname=\"{}\" name=\"{}\">",
            esc(&classname),
            esc(resource)
        );
        let open: Vec<&&Finding> = findings
            .iter()
            .filter(|f| f.status == Status::Open)
            .collect();
        if let Some(first) = open.first() {
            failures += 1;
            let message = if open.len() == 1 {
                first.message.clone()
            } else {
                format!("{} (and {} more)", first.message, open.len() - 1)
            };
            let mut text = String::new();
            for f in findings {
                let _ = writeln!(text, "[{}] {}: {}", f.severity, f.id, f.message);
                if let Some(reason) = f.suppression.as_deref() {
                    let _ = writeln!(text, "  suppressed: {reason}");
                }
                for e in &f.evidence {
                    let _ = writeln!(text, "  {}: {}", e.kind, e.text);
                }
            }
            let _ = writeln!(text, "remediation: {}", check.remediation);
            let _ = writeln!(
                body,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                esc(&message),
                first.severity,
                esc_text(&text)
            );
        } else {
            skipped += 1;
            let reasons: Vec<&str> = findings
                .iter()
                .filter_map(|f| f.suppression.as_deref())
                .collect();
            let _ = writeln!(
                body,
                "      <skipped message=\"{}\"/>",
                esc(&format!("suppressed: {}", reasons.join("; ")))
            );
        }
        body.push_str("    </testcase>\n");
    }
    let tests = cases.len().max(1);
    let mut xml = String::new();
    let _ = writeln!(
        xml,
        "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">",
        esc(&format!("{} {}", check.id, check.name))
    );
    xml.push_str(&body);
    xml.push_str("  </testsuite>\n");
    Suite {
        xml,
        tests,
        failures,
        skipped,
    }
}

/// Escapes an XML attribute value, dropping characters XML 1.0 forbids.
fn esc(s: &str) -> String {
    escape(s, true)
}

/// Escapes element text (line ends stay as they are).
fn esc_text(s: &str) -> String {
    escape(s, false)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if !attribute => out.push('\n'),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => {
                let _ = write!(out, "&#{};", c as u32);
            }
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{esc, esc_text};

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            esc("a<b & \"c\" 'd'>\u{1}\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;&#10;"
        );
        assert_eq!(esc_text("x\n'y']]>"), "x\n'y']]&gt;");
    }
}
