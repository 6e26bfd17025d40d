//! Real AWS managed policies, embedded: `data/aws-managed-policies.json` holds their published
//! documents and metadata (see `data/NOTICE.md` for where they come from).

use serde_json::Value;

/// One AWS managed policy.
#[derive(Clone, Debug)]
pub struct AwsManaged {
    /// Name, e.g. `PowerUserAccess`.
    pub name: String,
    /// Path (`/`, `/service-role/`, `/job-function/`, `/aws-service-role/`).
    pub path: String,
    /// The version in force, e.g. `v12`.
    pub default_version_id: String,
    /// AWS's creation date (ISO 8601).
    pub create_date: String,
    /// AWS's last update (ISO 8601).
    pub update_date: String,
    /// The document, compact JSON.
    pub document: String,
}

impl AwsManaged {
    /// `arn:aws:iam::aws:policy<path><name>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::aws:policy{}{}", self.path, self.name)
    }
}

const DATA: &str = include_str!("../data/aws-managed-policies.json");

/// Every embedded policy, in file order. Empty only if the embedded file were broken, which
/// the crate's tests rule out.
pub fn all() -> Vec<AwsManaged> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(DATA) else {
        return Vec::new();
    };
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    map.iter()
        .map(|(name, v)| AwsManaged {
            name: name.clone(),
            path: text(v, "Path"),
            default_version_id: text(v, "DefaultVersionId"),
            create_date: text(v, "CreateDate"),
            update_date: text(v, "UpdateDate"),
            document: v.get("Document").map(Value::to_string).unwrap_or_default(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_policies_parse() {
        let all = all();
        assert!(all.len() > 30);
        for p in &all {
            let parsed = iam_model::policy::Policy::parse(&p.document);
            assert!(parsed.is_ok(), "{}: {:?}", p.name, parsed.err());
            assert!(
                p.path.starts_with('/') && p.path.ends_with('/'),
                "{}",
                p.name
            );
            assert!(p.create_date.parse::<iam_model::Timestamp>().is_ok());
        }
        assert!(all.iter().any(|p| p.name == "AdministratorAccess"));
    }
}
