//! A request's claim on an `Idempotency-Key`: who owns it, the keyed hash its row is found
//! by, and the key its reply and record are sealed with.

use std::{
    fmt,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use base64::{Engine, engine::general_purpose::STANDARD_NO_PAD};
use chacha20poly1305::{
    ChaCha20Poly1305, KeyInit, Nonce,
    aead::{Aead, AeadCore, OsRng},
};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::auth::GuestKey;

/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;
/// Shortest key accepted from a caller without credentials, for whom the key is the only
/// proof that a retry comes from the same client: 22 characters hold 128 random bits in
/// base64, and a UUID has 36.
pub const MIN_ANONYMOUS_KEY_LEN: usize = 22;

/// The service's key for idempotency rows, derived from the guest-token key.
#[derive(Clone)]
pub struct IdempotencySeal([u8; 32]);

impl IdempotencySeal {
    pub fn new(guest_key: &GuestKey) -> Self {
        Self(guest_key.subkey(b"cartql idempotency keys v1"))
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC-SHA256 takes keys of any length"));
        for part in parts {
            // Length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for IdempotencySeal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdempotencySeal(..)")
    }
}

/// Who a key belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyOwner {
    /// `user:<id>` or `guest:<token hash>`.
    Caller(String),
    /// No credentials: the key alone identifies the client.
    Anonymous,
}

/// Why a key cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyError {
    Malformed,
    TooShortForAnonymous,
}

impl KeyError {
    pub fn message(self) -> &'static str {
        match self {
            Self::Malformed => "an Idempotency-Key is 1–255 printable ASCII characters",
            Self::TooShortForAnonymous => {
                "without credentials, an Idempotency-Key must be a random id of at least 22 \
                 characters (a UUID)"
            }
        }
    }
}

/// A request's claim on an idempotency key.
#[derive(Clone)]
pub struct Claim {
    pub(super) principal: String,
    /// Keyed hash of the client's key: what the row is found by.
    pub(super) row_key: String,
    /// SHA-256 of the operation and variables: the same key with another request is refused.
    pub(super) request_hash: String,
    /// Seals this key's reply and record; derived from the client's key, which is not stored.
    cipher: [u8; 32],
    pub(super) ttl: Duration,
    /// Set when the mutation found its key already committed and answered from the record.
    pub(super) replayed: Arc<AtomicBool>,
}

impl fmt::Debug for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claim")
            .field("principal", &self.principal)
            .field("row_key", &self.row_key)
            .finish_non_exhaustive()
    }
}

impl Claim {
    pub fn new(
        seal: &IdempotencySeal,
        owner: KeyOwner,
        key: &str,
        request: &[u8],
        ttl: Duration,
    ) -> Result<Self, KeyError> {
        let well_formed = !key.is_empty()
            && key.len() <= MAX_KEY_LEN
            && key.bytes().all(|b| b.is_ascii_graphic());
        if !well_formed {
            return Err(KeyError::Malformed);
        }
        let principal = match owner {
            KeyOwner::Caller(principal) => principal,
            KeyOwner::Anonymous if key.len() < MIN_ANONYMOUS_KEY_LEN => {
                return Err(KeyError::TooShortForAnonymous);
            }
            KeyOwner::Anonymous => "anonymous".to_owned(),
        };
        let row_key = hex::encode(seal.mac(&[b"row", principal.as_bytes(), key.as_bytes()]));
        let cipher = seal.mac(&[b"cipher", principal.as_bytes(), key.as_bytes()]);
        Ok(Self {
            principal,
            row_key,
            request_hash: hex::encode(Sha256::digest(request)),
            cipher,
            ttl,
            replayed: Arc::default(),
        })
    }

    /// True when the mutation was answered from the record of an earlier execution.
    pub fn was_replayed(&self) -> bool {
        self.replayed.load(Ordering::Relaxed)
    }

    pub(super) fn seal(&self, plain: &str) -> String {
        let cipher = ChaCha20Poly1305::new((&self.cipher).into());
        let nonce = ChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(&nonce, plain.as_bytes())
            .unwrap_or_else(|_| unreachable!("encryption into a Vec cannot fail"));
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        STANDARD_NO_PAD.encode(bytes)
    }

    /// `None` when the text was not sealed under this claim's key.
    pub(super) fn open(&self, sealed: &str) -> Option<String> {
        let bytes = STANDARD_NO_PAD.decode(sealed).ok()?;
        let (nonce, body) = bytes.split_at_checked(12)?;
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        let cipher = ChaCha20Poly1305::new((&self.cipher).into());
        let plain = cipher.decrypt(&Nonce::from(nonce), body).ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal() -> IdempotencySeal {
        IdempotencySeal::new(&GuestKey::derive(b"a secret for the tests"))
    }

    fn claim(owner: KeyOwner, key: &str) -> Claim {
        Claim::new(&seal(), owner, key, b"request", Duration::from_secs(60)).expect("valid")
    }

    #[test]
    fn sealed_text_opens_only_under_the_same_caller_and_key() {
        let owner = KeyOwner::Caller("user:ann".into());
        let mine = claim(owner.clone(), "order-1");
        let sealed = mine.seal("{\"token\":\"cgt_secret\"}");
        assert!(!sealed.contains("cgt_secret"));
        assert_eq!(
            mine.open(&sealed).as_deref(),
            Some("{\"token\":\"cgt_secret\"}")
        );
        assert_eq!(claim(owner, "order-2").open(&sealed), None);
        assert_eq!(
            claim(KeyOwner::Caller("user:bob".into()), "order-1").open(&sealed),
            None
        );
        // Rows are found by a keyed hash: neither the key nor the caller's key hash repeat.
        assert!(!mine.row_key.contains("order-1"));
        assert_ne!(
            mine.row_key,
            claim(KeyOwner::Caller("user:bob".into()), "order-1").row_key
        );
    }

    #[test]
    fn anonymous_keys_must_be_long_random_ids() {
        let short = Claim::new(
            &seal(),
            KeyOwner::Anonymous,
            "order-1",
            b"r",
            Duration::ZERO,
        );
        assert_eq!(short.err(), Some(KeyError::TooShortForAnonymous));
        let uuid = "0b8f7c9e-2f4c-4a51-9d3e-6f1e2b7a9c10";
        assert!(Claim::new(&seal(), KeyOwner::Anonymous, uuid, b"r", Duration::ZERO).is_ok());
        let bad = Claim::new(
            &seal(),
            KeyOwner::Caller("user:a".into()),
            "a b",
            b"r",
            Duration::ZERO,
        );
        assert_eq!(bad.err(), Some(KeyError::Malformed));
    }
}
