//! The request context: condition keys with one or many values, looked up case-insensitively.

use std::collections::HashMap;

/// Condition keys of a request. Keys are case-insensitive (stored lower-cased); values keep
/// their case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestContext {
    values: HashMap<String, Vec<String>>,
    /// When true, a key that is absent is *unknown* rather than absent: conditions on it are
    /// reported instead of decided (used to compute effective permissions).
    pub partial: bool,
}

impl RequestContext {
    /// An empty context.
    pub fn new() -> RequestContext {
        RequestContext::default()
    }

    /// Sets a single-valued key.
    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.values
            .insert(key.to_ascii_lowercase(), vec![value.into()]);
    }

    /// Sets a multivalued key.
    pub fn set_many(&mut self, key: &str, values: Vec<String>) {
        self.values.insert(key.to_ascii_lowercase(), values);
    }

    /// Sets a key only when it is not set yet (derived values never override given ones).
    pub fn set_default(&mut self, key: &str, value: impl Into<String>) {
        self.values
            .entry(key.to_ascii_lowercase())
            .or_insert_with(|| vec![value.into()]);
    }

    /// The values of a key.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        if let Some(v) = self.values.get(key) {
            return Some(v);
        }
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            return self
                .values
                .get(&key.to_ascii_lowercase())
                .map(Vec::as_slice);
        }
        None
    }

    /// The single value of a key (the first, for a multivalued key), for policy variables.
    pub fn single(&self, key: &str) -> Option<String> {
        self.get(key).and_then(|v| v.first()).cloned()
    }

    /// True when the key has no value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}
