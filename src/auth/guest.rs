//! Guest cart tokens: 256 random bits, shown to the client once and stored only as a SHA-256
//! hash, so neither the cart id nor a database dump reveals a usable token.

use std::fmt;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

const PREFIX: &str = "cgt_";
const SECRET_BYTES: usize = 32;
/// `cgt_` followed by the base64url text of 32 bytes.
const TOKEN_LEN: usize = PREFIX.len() + 43;

/// A well-formed guest token (it may or may not belong to a live cart).
#[derive(Clone, PartialEq, Eq)]
pub struct GuestToken(String);

impl GuestToken {
    /// A fresh token from the operating system's random source.
    pub fn generate() -> Self {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// `None` unless `raw` has the exact shape of a token.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let body = raw.strip_prefix(PREFIX)?;
        let ok = raw.len() == TOKEN_LEN
            && URL_SAFE_NO_PAD
                .decode(body)
                .is_ok_and(|b| b.len() == SECRET_BYTES);
        ok.then(|| Self(raw.to_owned()))
    }

    /// What the database stores and looks carts up by.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }

    /// The token itself, for the client that owns it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for GuestToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GuestToken(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_parse_and_differ() {
        let a = GuestToken::generate();
        let b = GuestToken::generate();
        assert_ne!(a, b);
        assert_eq!(GuestToken::parse(a.expose()), Some(a.clone()));
        assert_eq!(a.hash().len(), 64);
        assert!(!format!("{a:?}").contains(a.expose()));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        assert!(GuestToken::parse("guest_1").is_none());
        assert!(GuestToken::parse(&format!("cgt_{}", "A".repeat(42))).is_none());
        assert!(GuestToken::parse(&format!("cgt_{}", "*".repeat(43))).is_none());
    }
}
