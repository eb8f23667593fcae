//! Idempotency keys (R16, R18, R19).
//!
//! A mutation sent with an `Idempotency-Key` claims the key inside its own write
//! transaction, and the same transaction stores what it did (the cart, the line, the guest
//! token it issued, its warnings: the [`Record`]). So a key row is visible to other requests
//! only once the effect has committed, and it always says what that effect was. The reply is
//! stored after it is sent; a retry replays it. When the reply never got stored (the process
//! died, the connection was lost at COMMIT), the retry runs the mutation again, finds the
//! claim taken, and answers from the record instead of acting twice: a committed effect can
//! always be answered, and no key stays "in progress".
//!
//! Nothing secret is kept in plain text: the row is found by a keyed hash of the client's key,
//! and the reply and the record (which hold guest tokens) are sealed with ChaCha20-Poly1305
//! under a key derived from the service secret, the caller and the client's key. Replies are
//! scoped to the caller (user, guest token); a caller without credentials has no identity but
//! the key itself, which must then be a long random id.

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
use chrono::Utc;
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, SqlErr,
    sea_query::{Expr, OnConflict},
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{auth::GuestKey, entity::idempotency_keys, error::AppResult, service::Warning};

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
    principal: String,
    /// Keyed hash of the client's key: what the row is found by.
    row_key: String,
    /// SHA-256 of the operation and variables: the same key with another request is refused.
    request_hash: String,
    /// Seals this key's reply and record; derived from the client's key, which is not stored.
    cipher: [u8; 32],
    ttl: Duration,
    /// Set when the mutation found its key already committed and answered from the record.
    replayed: Arc<AtomicBool>,
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

    fn seal(&self, plain: &str) -> String {
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
    fn open(&self, sealed: &str) -> Option<String> {
        let bytes = STANDARD_NO_PAD.decode(sealed).ok()?;
        let (nonce, body) = bytes.split_at_checked(12)?;
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        let cipher = ChaCha20Poly1305::new((&self.cipher).into());
        let plain = cipher.decrypt(&Nonce::from(nonce), body).ok()?;
        String::from_utf8(plain).ok()
    }
}

/// What a committed mutation did, as its transaction stored it: enough to answer a retry.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Record {
    pub cart_id: Option<String>,
    /// The guest token the mutation issued (sealed with the rest).
    pub token: Option<String>,
    pub item_id: Option<String>,
    pub warnings: Vec<Warning>,
}

/// What is known about a key.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyState {
    /// Never used (or expired).
    Fresh,
    /// Used for a different request.
    Mismatch,
    /// The effect committed; its reply is not stored (yet).
    Committed,
    /// The reply to replay.
    Answered(String),
}

async fn row(
    db: &impl ConnectionTrait,
    claim: &Claim,
) -> Result<Option<idempotency_keys::Model>, DbErr> {
    idempotency_keys::Entity::find_by_id((claim.principal.clone(), claim.row_key.clone()))
        .filter(idempotency_keys::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await
}

/// Looks the key up.
pub async fn state(db: &DatabaseConnection, claim: &Claim) -> AppResult<KeyState> {
    Ok(match row(db, claim).await? {
        None => KeyState::Fresh,
        Some(row) if row.request_hash != claim.request_hash => KeyState::Mismatch,
        Some(row) => match row.response.as_deref().and_then(|r| claim.open(r)) {
            Some(reply) => KeyState::Answered(reply),
            None => KeyState::Committed,
        },
    })
}

/// Claims the key inside the mutation's transaction. `Ok(false)` when the key is already
/// taken by a committed execution (on PostgreSQL and MySQL the insert waits for a concurrent
/// claimant to finish; SQLite's write lock orders them).
pub async fn claim_in(txn: &impl ConnectionTrait, claim: &Claim) -> Result<bool, DbErr> {
    let now = Utc::now();
    // An expired row of the same key gives way to the new claim.
    idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::Principal.eq(claim.principal.as_str()))
        .filter(idempotency_keys::Column::IdemKey.eq(claim.row_key.as_str()))
        .filter(idempotency_keys::Column::ExpiresAt.lte(now))
        .exec(txn)
        .await?;
    let inserted = idempotency_keys::Entity::insert(new_row(claim, None))
        .exec_without_returning(txn)
        .await;
    match inserted {
        Ok(_) => Ok(true),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Ok(false)
        }
        Err(err) => Err(err),
    }
}

/// Stores, in the mutation's transaction, what it did.
pub async fn record_in(
    txn: &impl ConnectionTrait,
    claim: &Claim,
    record: &Record,
) -> Result<(), DbErr> {
    let sealed = claim.seal(&serde_json::to_string(record).unwrap_or_default());
    idempotency_keys::Entity::update_many()
        .col_expr(idempotency_keys::Column::Outcome, Expr::value(sealed))
        .filter(idempotency_keys::Column::Principal.eq(claim.principal.as_str()))
        .filter(idempotency_keys::Column::IdemKey.eq(claim.row_key.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

/// The record of the committed execution that holds the key, marking the claim as
/// replayed; `None` when there is none to read (the key holds another request, or expired).
pub async fn recorded(db: &DatabaseConnection, claim: &Claim) -> Result<Option<Record>, DbErr> {
    let Some(row) = row(db, claim).await? else {
        return Ok(None);
    };
    if row.request_hash != claim.request_hash {
        return Ok(None);
    }
    let record = row
        .outcome
        .as_deref()
        .and_then(|sealed| claim.open(sealed))
        .and_then(|plain| serde_json::from_str(&plain).ok());
    if record.is_some() {
        claim.replayed.store(true, Ordering::Relaxed);
    }
    Ok(record)
}

/// Stores the reply sent for the key (creating the row when the mutation was refused and its
/// transaction, claim included, rolled back).
pub async fn store_reply(db: &DatabaseConnection, claim: &Claim, reply: &str) -> AppResult<()> {
    let sealed = claim.seal(reply);
    idempotency_keys::Entity::insert(new_row(claim, Some(sealed.clone())))
        .on_conflict(
            OnConflict::columns([
                idempotency_keys::Column::Principal,
                idempotency_keys::Column::IdemKey,
            ])
            .value(idempotency_keys::Column::Response, Expr::value(sealed))
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Deletes expired keys; returns how many.
pub async fn purge_expired(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    Ok(idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::ExpiresAt.lte(Utc::now()))
        .exec(db)
        .await?
        .rows_affected)
}

fn new_row(claim: &Claim, response: Option<String>) -> idempotency_keys::ActiveModel {
    let now = Utc::now();
    idempotency_keys::ActiveModel {
        principal: Set(claim.principal.clone()),
        idem_key: Set(claim.row_key.clone()),
        request_hash: Set(claim.request_hash.clone()),
        response: Set(response),
        outcome: Set(None),
        created_at: Set(now),
        expires_at: Set(
            now + chrono::Duration::from_std(claim.ttl).unwrap_or(chrono::Duration::hours(24))
        ),
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
