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

mod claim;

pub use claim::{Claim, IdempotencySeal, KeyError, KeyOwner, MAX_KEY_LEN, MIN_ANONYMOUS_KEY_LEN};

use std::sync::atomic::Ordering;

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, SqlErr,
    sea_query::{Expr, OnConflict},
};
use serde::{Deserialize, Serialize};

use crate::{entity::idempotency_keys, error::AppResult, service::Warning};

/// What a committed mutation did, as its transaction stored it: enough to answer a retry.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Record {
    pub cart_id: Option<String>,
    /// The guest token the mutation issued (sealed with the rest).
    pub token: Option<String>,
    pub item_id: Option<String>,
    pub warnings: Vec<Warning>,
    /// The checkout a checkout transition began or completed.
    #[serde(default)]
    pub checkout_id: Option<String>,
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
    crate::db::unique(
        idempotency_keys::Entity::find_by_id((claim.principal.clone(), claim.row_key.clone()))
            .filter(idempotency_keys::Column::ExpiresAt.gt(Utc::now())),
        db,
    )
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
pub async fn recorded(db: &impl ConnectionTrait, claim: &Claim) -> Result<Option<Record>, DbErr> {
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
