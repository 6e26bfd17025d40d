//! The request context: condition keys with one or many values, looked up case-insensitively.

/// Condition keys of a request. Keys are case-insensitive; values keep their case.
///
/// Contexts are small (a few to a few dozen keys), so they are a vector scanned with an
/// ASCII case-insensitive comparison: no hashing and no allocation per lookup.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestContext {
    values: Vec<(String, Vec<String>)>,
    /// When true, a key that is absent is *unknown* rather than absent: conditions on it are
    /// reported instead of decided (used to compute effective permissions).
    pub partial: bool,
    /// The principal whose derived keys (`aws:username`, `aws:PrincipalArn`, ...) were added
    /// by [`super::derive_context`]; the engine then does not derive them again.
    pub(crate) derived_for: Option<String>,
}

impl RequestContext {
    /// An empty context.
    pub fn new() -> RequestContext {
        RequestContext::default()
    }

    fn slot(&mut self, key: &str) -> Option<&mut Vec<String>> {
        self.values
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// Sets a single-valued key.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.set_many(key, vec![value.into()]);
    }

    /// Sets a multivalued key. An empty list makes the key *known absent*: in a partial
    /// context, conditions on it are then decided as for an absent key, not left open.
    pub fn set_many(&mut self, key: &str, values: Vec<String>) {
        match self.slot(key) {
            Some(v) => *v = values,
            None => self.values.push((key.to_string(), values)),
        }
    }

    /// Sets a key only when it is not set yet (derived values never override given ones).
    pub fn set_default(&mut self, key: &str, value: impl Into<String>) {
        if self.slot(key).is_none() {
            self.values.push((key.to_string(), vec![value.into()]));
        }
    }

    /// The values of a key.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.values
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_slice())
    }

    /// The single value of a key (the first, for a multivalued key), for policy variables.
    pub fn single(&self, key: &str) -> Option<String> {
        self.get(key).and_then(|v| v.first()).cloned()
    }

    /// True when no key is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The keys and their values, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }
}
