//! User-defined line attributes (`team_id = "20"`): validated, sorted, and reduced to a key
//! that identifies the line together with its product.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// Longest attribute key and value.
pub const MAX_KEY_LEN: usize = 64;
pub const MAX_VALUE_LEN: usize = 256;

/// A valid, sorted set of attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes(BTreeMap<String, String>);

/// Which attribute was refused and why; `index` is its position in the client's list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttributeError {
    TooMany { max: usize },
    BadKey { index: usize },
    BadValue { index: usize },
    DuplicateKey { index: usize },
}

impl Attributes {
    /// Checks a client's key/value list against the limits.
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        max: usize,
    ) -> Result<Self, AttributeError> {
        let mut map = BTreeMap::new();
        for (index, (key, value)) in pairs.into_iter().enumerate() {
            if index >= max {
                return Err(AttributeError::TooMany { max });
            }
            let key_ok = !key.is_empty()
                && key.len() <= MAX_KEY_LEN
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
            if !key_ok {
                return Err(AttributeError::BadKey { index });
            }
            if value.chars().count() > MAX_VALUE_LEN || value.chars().any(char::is_control) {
                return Err(AttributeError::BadValue { index });
            }
            if map.insert(key.to_owned(), value.to_owned()).is_some() {
                return Err(AttributeError::DuplicateKey { index });
            }
        }
        Ok(Self(map))
    }

    /// Reads attributes back from their stored JSON; a malformed value reads as empty.
    pub fn from_json(json: &str) -> Self {
        Self(serde_json::from_str(json).unwrap_or_default())
    }

    /// The canonical JSON object, keys sorted.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".to_owned())
    }

    /// SHA-256 (hex) of the canonical JSON: equal attributes give equal keys.
    pub fn identity_key(&self) -> String {
        hex::encode(Sha256::digest(self.to_json().as_bytes()))
    }

    /// These attributes plus those of `other` whose keys are missing here, up to `max` in all.
    pub fn fill_from(&self, other: &Self, max: usize) -> Self {
        let mut map = self.0.clone();
        for (key, value) in &other.0 {
            if map.len() >= max {
                break;
            }
            map.entry(key.clone()).or_insert_with(|| value.clone());
        }
        Self(map)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_does_not_change_the_identity_key() {
        let a = Attributes::parse([("b", "2"), ("a", "1")], 20).expect("valid");
        let b = Attributes::parse([("a", "1"), ("b", "2")], 20).expect("valid");
        assert_eq!(a.identity_key(), b.identity_key());
        assert_eq!(a.to_json(), r#"{"a":"1","b":"2"}"#);
        assert_ne!(a.identity_key(), Attributes::default().identity_key());
    }

    #[test]
    fn bad_attributes_are_refused_with_their_position() {
        assert_eq!(
            Attributes::parse([("ok", "1"), ("bad key", "x")], 20),
            Err(AttributeError::BadKey { index: 1 })
        );
        assert_eq!(
            Attributes::parse([("k", "a\0b")], 20),
            Err(AttributeError::BadValue { index: 0 })
        );
        let long = "v".repeat(257);
        assert_eq!(
            Attributes::parse([("k", long.as_str())], 20),
            Err(AttributeError::BadValue { index: 0 })
        );
        assert_eq!(
            Attributes::parse([("k", "1"), ("k", "2")], 20),
            Err(AttributeError::DuplicateKey { index: 1 })
        );
        let many: Vec<(String, String)> =
            (0..21).map(|i| (format!("k{i}"), "v".to_owned())).collect();
        assert_eq!(
            Attributes::parse(many.iter().map(|(k, v)| (k.as_str(), v.as_str())), 20),
            Err(AttributeError::TooMany { max: 20 })
        );
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn any_input_is_either_refused_or_canonical(pairs in proptest::collection::vec((".{0,70}", ".{0,300}"), 0..25)) {
            let parsed = Attributes::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), 20);
            if let Ok(attributes) = parsed {
                // Accepted attributes survive storage and keep their identity in any order.
                prop_assert_eq!(Attributes::from_json(&attributes.to_json()), attributes.clone());
                let reversed = Attributes::parse(pairs.iter().rev().map(|(k, v)| (k.as_str(), v.as_str())), 20);
                prop_assert_eq!(reversed.map(|r| r.identity_key()), Ok(attributes.identity_key()));
            }
        }
    }
}
