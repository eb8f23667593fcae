//! Typed identifiers. The dataloaders are keyed by these, so a product id can never be used to
//! look up a shop.

use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_id!(
    /// A product's id (a UUID in text form).
    ProductId
);
string_id!(
    /// A shop's id.
    ShopId
);
string_id!(
    /// A cart line's id (a UUID in text form).
    CartItemId
);

/// Longest id accepted from a client; anything longer cannot name a row.
pub const MAX_ID_LEN: usize = 64;

impl ProductId {
    /// `None` when the text cannot be a product id (too long or empty).
    pub fn parse(raw: &str) -> Option<Self> {
        plausible_id(raw).then(|| Self(raw.to_owned()))
    }
}

impl CartItemId {
    /// `None` when the text cannot be a line id.
    pub fn parse(raw: &str) -> Option<Self> {
        plausible_id(raw).then(|| Self(raw.to_owned()))
    }
}

/// Whether `raw` can be a row key: 1–64 letters, digits, `-` and `_`.
pub fn plausible_id(raw: &str) -> bool {
    !raw.is_empty()
        && raw.len() <= MAX_ID_LEN
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A stock keeping unit: 1–64 characters of `[A-Za-z0-9_.-]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sku(String);

impl Sku {
    pub const MAX_LEN: usize = 64;

    /// `None` when the text is not a well-formed SKU.
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = !raw.is_empty()
            && raw.len() <= Self::MAX_LEN
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        ok.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A fresh, time-ordered id for a new row.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skus_reject_sql_nul_and_long_strings() {
        assert!(Sku::parse("SKU-000001").is_some());
        assert!(Sku::parse("x'; DROP TABLE products;--").is_none());
        assert!(Sku::parse("a\0b").is_none());
        assert!(Sku::parse(&"A".repeat(10_000)).is_none());
        assert!(Sku::parse("").is_none());
    }

    #[test]
    fn ids_reject_what_cannot_name_a_row() {
        assert!(ProductId::parse(&new_id()).is_some());
        assert!(ProductId::parse("1 OR 1=1").is_none());
        assert!(CartItemId::parse(&"9".repeat(65)).is_none());
    }
}
