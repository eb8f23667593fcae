//! Guest cart tokens: 192 random bits plus an HMAC tag under the service's guest-token key.
//! The tag lets a forged or foreign token be refused before any database lookup; the token is
//! shown to the client once and stored only as a SHA-256 hash, so neither the cart id nor a
//! database dump reveals a usable token. Closing the cart (clear, expiry) revokes it.

use std::fmt;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

const PREFIX: &str = "cgt_";
const SECRET_BYTES: usize = 24;
const TAG_BYTES: usize = 12;
/// `cgt_`, then base64url of the secret (32 characters) and of the tag (16 characters).
const TOKEN_LEN: usize = PREFIX.len() + 32 + 16;

/// The key guest tokens are signed with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct GuestKey([u8; 32]);

impl GuestKey {
    /// Derives the key from a configured secret, labelled so it never equals a key made from
    /// the same secret for another purpose.
    pub fn derive(secret: &[u8]) -> Self {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable_mac());
        mac.update(b"cartql guest cart tokens v1");
        Self(mac.finalize().into_bytes().into())
    }

    /// A key for another purpose (sealing idempotent replies), derived from this one under
    /// `label` so that neither key reveals the other.
    pub fn subkey(&self, label: &[u8]) -> [u8; 32] {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable_mac());
        mac.update(label);
        mac.finalize().into_bytes().into()
    }

    fn tag(&self, secret: &[u8]) -> Hmac<Sha256> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable_mac());
        mac.update(secret);
        mac
    }
}

/// HMAC accepts keys of any length, so constructing one cannot fail.
fn unreachable_mac() -> Hmac<Sha256> {
    unreachable!("HMAC-SHA256 takes keys of any length")
}

impl fmt::Debug for GuestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GuestKey(..)")
    }
}

/// A guest token whose tag checked out (its cart may still be gone).
#[derive(Clone, PartialEq, Eq)]
pub struct GuestToken(String);

impl GuestToken {
    /// A fresh token from the operating system's random source, signed with `key`.
    pub fn generate(key: &GuestKey) -> Self {
        let mut secret = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut secret);
        let tag = key.tag(&secret).finalize().into_bytes();
        Self(format!(
            "{PREFIX}{}{}",
            URL_SAFE_NO_PAD.encode(secret),
            URL_SAFE_NO_PAD.encode(&tag[..TAG_BYTES])
        ))
    }

    /// `None` unless `raw` has the exact shape of a token and carries `key`'s tag.
    pub fn parse(raw: &str, key: &GuestKey) -> Option<Self> {
        let raw = raw.trim();
        if raw.len() != TOKEN_LEN {
            return None;
        }
        let body = raw.strip_prefix(PREFIX)?;
        let secret = URL_SAFE_NO_PAD.decode(body.get(..32)?).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(body.get(32..)?).ok()?;
        // Constant-time comparison of the truncated tag.
        key.tag(&secret).verify_truncated_left(&tag).ok()?;
        Some(Self(raw.to_owned()))
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

    fn key() -> GuestKey {
        GuestKey::derive(b"a secret for the tests")
    }

    #[test]
    fn generated_tokens_parse_and_differ() {
        let a = GuestToken::generate(&key());
        let b = GuestToken::generate(&key());
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), TOKEN_LEN);
        assert_eq!(GuestToken::parse(a.expose(), &key()), Some(a.clone()));
        assert_eq!(a.hash().len(), 64);
        assert!(!format!("{a:?}").contains(a.expose()));
    }

    #[test]
    fn forged_foreign_and_malformed_tokens_are_refused() {
        let token = GuestToken::generate(&key());
        let other_key = GuestKey::derive(b"another deployment");
        assert!(GuestToken::parse(token.expose(), &other_key).is_none());
        // Flip one character of the secret: the tag no longer matches.
        let mut forged: Vec<char> = token.expose().chars().collect();
        forged[10] = if forged[10] == 'A' { 'B' } else { 'A' };
        assert!(GuestToken::parse(&forged.into_iter().collect::<String>(), &key()).is_none());
        assert!(GuestToken::parse("guest_1", &key()).is_none());
        assert!(GuestToken::parse(&format!("cgt_{}", "*".repeat(48)), &key()).is_none());
    }
}
