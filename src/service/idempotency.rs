//! Idempotency keys. A mutation sent with an `Idempotency-Key` claims the key inside its own
//! write transaction; the reply is stored once it is sent. A copy that arrives while the first
//! is running fails its claim, waits for the stored reply, and replays it.

use std::time::Duration;

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, SqlErr,
    sea_query::{Expr, OnConflict},
};
use sha2::{Digest, Sha256};

use crate::{entity::idempotency_keys, error::AppResult};

/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// A request's claim on an idempotency key.
#[derive(Clone, Debug)]
pub struct Claim {
    /// `user:<id>`, `guest:<token hash>` or `addr:<ip>`: keys are per caller.
    pub principal: String,
    pub key: String,
    /// SHA-256 of the operation and variables: the same key with another request is refused.
    pub request_hash: String,
    pub ttl: Duration,
}

impl Claim {
    /// `None` when the key is empty, too long or not printable ASCII.
    pub fn new(principal: String, key: &str, request: &[u8], ttl: Duration) -> Option<Self> {
        let ok = !key.is_empty()
            && key.len() <= MAX_KEY_LEN
            && key.bytes().all(|b| b.is_ascii_graphic());
        ok.then(|| Self {
            principal,
            key: key.to_owned(),
            request_hash: hex::encode(Sha256::digest(request)),
            ttl,
        })
    }
}

/// What is known about a key.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyState {
    /// Never used (or expired).
    Fresh,
    /// Used for a different request.
    Mismatch,
    /// Claimed; the first execution has not stored its reply yet.
    Pending,
    /// The reply to replay.
    Answered(String),
}

/// Looks the key up.
pub async fn state(db: &DatabaseConnection, claim: &Claim) -> AppResult<KeyState> {
    let row = idempotency_keys::Entity::find_by_id((claim.principal.clone(), claim.key.clone()))
        .filter(idempotency_keys::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await?;
    Ok(match row {
        None => KeyState::Fresh,
        Some(row) if row.request_hash != claim.request_hash => KeyState::Mismatch,
        Some(row) => row.response.map_or(KeyState::Pending, KeyState::Answered),
    })
}

/// Claims the key inside the mutation's transaction. `Ok(false)` when another request holds
/// it already (the caller must then roll back and replay).
pub async fn claim_in(txn: &impl ConnectionTrait, claim: &Claim) -> Result<bool, DbErr> {
    let now = Utc::now();
    // An expired row of the same key gives way to the new claim.
    idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::Principal.eq(claim.principal.as_str()))
        .filter(idempotency_keys::Column::IdemKey.eq(claim.key.as_str()))
        .filter(idempotency_keys::Column::ExpiresAt.lte(now))
        .exec(txn)
        .await?;
    let inserted = idempotency_keys::Entity::insert(row(claim, None))
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

/// Stores the reply sent for the key (creating the row when the mutation was refused and its
/// transaction, claim included, rolled back).
pub async fn store_reply(db: &DatabaseConnection, claim: &Claim, reply: &str) -> AppResult<()> {
    idempotency_keys::Entity::insert(row(claim, Some(reply.to_owned())))
        .on_conflict(
            OnConflict::columns([
                idempotency_keys::Column::Principal,
                idempotency_keys::Column::IdemKey,
            ])
            .value(
                idempotency_keys::Column::Response,
                Expr::value(reply.to_owned()),
            )
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

fn row(claim: &Claim, response: Option<String>) -> idempotency_keys::ActiveModel {
    let now = Utc::now();
    idempotency_keys::ActiveModel {
        principal: Set(claim.principal.clone()),
        idem_key: Set(claim.key.clone()),
        request_hash: Set(claim.request_hash.clone()),
        response: Set(response),
        created_at: Set(now),
        expires_at: Set(
            now + chrono::Duration::from_std(claim.ttl).unwrap_or(chrono::Duration::hours(24))
        ),
    }
}
