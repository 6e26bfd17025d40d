//! Generated documentation: `docs/checks.md` is this module's output, kept fresh by a test.

use std::fmt::Write;

use crate::checks::CHECKS;

/// The Markdown reference of every check.
pub fn checks_markdown() -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Checks\n");
    let _ = writeln!(
        s,
        "<!-- generated from the checks registry (analyzer/src/checks); do not edit: run `IAMSIGHT_BLESS=1 cargo test -p analyzer` -->\n"
    );
    let _ = writeln!(s, "{} checks.\n", CHECKS.len());
    let _ = writeln!(s, "| id | name | severity | category | service | title |");
    let _ = writeln!(s, "| --- | --- | --- | --- | --- | --- |");
    for c in CHECKS {
        let _ = writeln!(
            s,
            "| {} | [`{}`](#{}) | {} | {} | {} | {} |",
            c.id, c.name, c.name, c.severity, c.category, c.service, c.title
        );
    }
    for c in CHECKS {
        let _ = writeln!(s, "\n## {}\n", c.name);
        let _ = writeln!(
            s,
            "**{}** · {} · {} · {} · {}\n",
            c.id, c.title, c.severity, c.category, c.service
        );
        let _ = writeln!(s, "{}\n", c.rationale);
        let _ = writeln!(s, "**Remediation.** {}\n", c.remediation.console);
        if !c.remediation.cli.is_empty() {
            let _ = writeln!(s, "```sh\n{}\n```\n", c.remediation.cli);
        }
        if !c.remediation.terraform.is_empty() {
            let _ = writeln!(s, "```hcl\n{}\n```\n", c.remediation.terraform);
        }
        if !c.compliance.is_empty() {
            let _ = writeln!(s, "**Compliance.** {}\n", c.compliance.join("; "));
        }
        for r in c.references {
            let _ = writeln!(s, "- <{r}>");
        }
    }
    s
}
