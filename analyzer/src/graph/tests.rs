use super::*;
use iam_model::snapshot::Snapshot;

fn demo() -> Snapshot {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/demo/snapshot.json"
    ))
    .unwrap();
    Snapshot::from_json_str(&text).unwrap()
}

#[test]
fn demo_paths() {
    let snap = demo();
    let account = Account::new(&snap);
    let g = PermissionGraph::build(&account, Catalog::embedded());
    println!("admins: {:?}", g.admins());
    for p in g.escalation_paths() {
        println!("{}", p.principal);
        for s in &p.steps {
            println!(
                "   {} -> {} via {} {:?} cond={}",
                s.from, s.to, s.method, s.actions, s.conditional
            );
        }
    }
}
