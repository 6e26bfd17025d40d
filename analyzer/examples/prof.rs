#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let t = std::time::Instant::now();
    let snap = iam_model::snapshot::Snapshot::from_json_str(&text).unwrap();
    eprintln!("load {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let account = analyzer::account::Account::new(&snap);
    eprintln!("account {:?}", t.elapsed());
    let what = std::env::args().nth(2).unwrap_or_else(|| "graph".into());
    let t = std::time::Instant::now();
    match what.as_str() {
        "graph" => {
            let g = analyzer::graph::PermissionGraph::build(
                &account,
                iam_model::catalog::Catalog::embedded(),
            );
            eprintln!("graph {:?}", t.elapsed());
            let t = std::time::Instant::now();
            let ps = g.escalation_paths();
            eprintln!("paths {} {:?}", ps.len(), t.elapsed());
            if let Some(out) = std::env::args().nth(3) {
                std::fs::write(out, serde_json::to_string_pretty(&ps).unwrap()).unwrap();
                let mut steps: Vec<String> = Vec::new();
                for n in g.nodes() {
                    for st in g.steps_from(&n.id) {
                        steps.push(serde_json::to_string(&st).unwrap());
                    }
                }
                steps.sort();
                std::fs::write(
                    format!("{}.steps", std::env::args().nth(3).unwrap()),
                    steps.join("\n"),
                )
                .unwrap();
            }
        }
        "unused" => {
            let r = analyzer::unused::unused_permissions(
                &snap,
                &account,
                &Default::default(),
                iam_model::catalog::Catalog::embedded(),
            );
            eprintln!("unused {} {:?}", r.rows.len(), t.elapsed());
        }
        _ => {
            let r = analyzer::analyze(&snap, &Default::default(), &Default::default());
            eprintln!("analyze {} {:?}", r.findings.len(), t.elapsed());
        }
    }
}
