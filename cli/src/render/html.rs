//! `--format html`: one self-contained HTML page to read and share a report.
//!
//! The page is the report JSON (the same model as `--format json`, compact) in a
//! `<script type="application/json">` block, plus inline CSS and JavaScript (`html/report.css`,
//! `html/report.js`) that draw it: summary counts by severity, category and service; filters
//! (status, service, category, severity, benchmark, tags, text search, and the quick filters
//! "publicly accessible", "unencrypted", "unused", "privilege escalation"); each finding's
//! evidence, remediation and references; and IAM insights (escalation paths drawn as an SVG
//! graph, unused permissions per principal).
//!
//! What it deliberately is not: a page that fetches anything. It has no external URL to load
//! (a Content-Security-Policy of `default-src 'none'` forbids it), so it opens offline, from
//! a mail attachment or a CI artifact. The findings list is virtualised (only the rows on
//! screen are in the DOM), so a report with 100,000 findings opens and filters quickly.
//!
//! All report text reaches the DOM through `textContent`, never as markup; inside the JSON
//! block every `<` is written `\u003c`, so no string in the report can close the block.

use analyzer::report::Report;

use crate::error::CliError;

const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");

/// The id of the `<script type="application/json">` element holding the report.
pub const DATA_ELEMENT_ID: &str = "iamsight-report";

/// Renders the report as one HTML document.
pub fn render(report: &Report) -> Result<String, CliError> {
    let json = serde_json::to_string(report).map_err(super::json_error)?;
    let title = format!("iamsight report: account {}", report.account_id);
    let mut s = String::with_capacity(json.len() + CSS.len() + JS.len() + 4096);
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n",
    );
    s.push_str("<link rel=\"icon\" href=\"data:,\">\n");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    s.push_str(&format!("<title>{}</title>\n", escape_html(&title)));
    s.push_str(&format!(
        "<meta name=\"generator\" content=\"iamsight {}\">\n",
        env!("CARGO_PKG_VERSION")
    ));
    s.push_str("<style>\n");
    s.push_str(CSS);
    s.push_str("</style>\n</head>\n<body>\n");
    s.push_str("<noscript><p class=\"noscript\">This report needs JavaScript to display. The data is in the <code>");
    s.push_str(DATA_ELEMENT_ID);
    s.push_str("</code> block of this file; <code>iamsight scan --format json</code> writes it as a file.</p></noscript>\n");
    s.push_str("<div id=\"app\" aria-live=\"polite\"></div>\n");
    s.push_str(&format!(
        "<script type=\"application/json\" id=\"{DATA_ELEMENT_ID}\">"
    ));
    s.push_str(&escape_script_json(&json));
    s.push_str("</script>\n<script>\n");
    s.push_str(JS);
    s.push_str("</script>\n</body>\n</html>\n");
    Ok(s)
}

/// JSON safe inside a `<script>` element: `<` only occurs inside JSON strings, where `\u003c`
/// means the same, so `</script>` and `<!--` cannot appear.
pub fn escape_script_json(json: &str) -> String {
    json.replace('<', "\\u003c")
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::escape_script_json;

    #[test]
    fn script_json_cannot_close_its_element() {
        let json = serde_json::to_string("</script><!-- x").unwrap_or_default();
        let escaped = escape_script_json(&json);
        assert!(!escaped.contains("</"), "{escaped}");
        assert!(!escaped.contains("<!--"), "{escaped}");
        let back: String = serde_json::from_str(&escaped).unwrap_or_default();
        assert_eq!(back, "</script><!-- x");
    }
}
