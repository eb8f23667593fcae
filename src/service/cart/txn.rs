//! What every cart mutation shares: who writes under which conditions ([`Writer`]), how a
//! transaction body ends ([`Flow`]), and the write-transaction wrapper macro.

use std::sync::Arc;

use sea_orm::{DatabaseConnection, DbErr};

use super::history::Author;
use crate::{
    auth::Viewer,
    db::{GroupCommit, TxError, WriteTxn},
    error::{AppError, is_unreachable},
    service::{
        CartSettings, Outcome, UserError, Warning,
        idempotency::{self, Claim, Record},
    },
};

/// The request-wide inputs of a cart mutation.
#[derive(Clone, Copy)]
pub struct Writer<'a> {
    pub db: &'a DatabaseConnection,
    /// SQLite's group commit, when it is on: the mutation then runs in a shared transaction.
    pub group: Option<&'a Arc<GroupCommit>>,
    pub viewer: &'a Viewer,
    pub settings: &'a CartSettings,
    /// The request's `Idempotency-Key` claim, stored in the same transaction as the effect.
    pub claim: Option<&'a Claim>,
    /// `expectedVersion`: the mutation is refused with VERSION_CONFLICT unless the caller's
    /// cart is at this version (a caller without a cart is at version 0).
    pub expected_version: Option<i64>,
    /// The client address as the limits count it (an IPv6 caller by its /64), for the hold
    /// caps; `None` when unknown.
    pub origin: Option<&'a str>,
}

impl Writer<'_> {
    /// Who the history records as having made the change: the principal, except that a
    /// guest is recorded as `guest` (the history is shown to the cart's holders, and a token
    /// hash has no business there).
    pub fn actor(&self) -> String {
        match self.viewer {
            Viewer::Guest(_) => "guest".to_owned(),
            known => known.principal(),
        }
    }

    /// The history's author of this writer's changes.
    pub(super) fn author(&self) -> Author {
        Author {
            actor: self.actor(),
            outbox: self.settings.outbox,
        }
    }
}

/// How a transaction body ends early: a refusal (roll back, report), a copy of a request
/// whose idempotency key is already claimed (roll back, replay), or a database error.
pub(super) enum Flow {
    Reject(UserError),
    Duplicate,
    Db(DbErr),
}

impl From<DbErr> for Flow {
    fn from(err: DbErr) -> Self {
        Self::Db(err)
    }
}

impl From<UserError> for Flow {
    fn from(err: UserError) -> Self {
        Self::Reject(err)
    }
}

/// What a transaction body produces: the value and the warnings, or why it stopped.
pub(super) type Body<T> = Result<(T, Vec<Warning>), Flow>;

/// A mutation's result as an idempotency [`Record`], and back: what a retry of a committed
/// mutation is answered from.
pub(super) trait Replayable: Sized {
    fn record(&self) -> Record;
    fn replay(record: Record) -> Self;
}

/// Commits a successful body (with its idempotency record) and rolls back a refused one.
///
/// A COMMIT that fails because the connection broke has an unknown outcome: the database may
/// have committed before the connection died. That is reported as such (never as a plain
/// failure, never retried here); a retry with the same `Idempotency-Key` resolves it.
pub(super) async fn settle<T: Replayable>(
    db: &DatabaseConnection,
    claim: Option<&Claim>,
    txn: WriteTxn,
    result: Body<T>,
) -> Result<Outcome<T>, TxError> {
    match result {
        Ok((value, warnings)) => {
            if let Some(claim) = claim {
                let record = Record {
                    warnings: warnings.clone(),
                    ..value.record()
                };
                idempotency::record_in(txn.connection()?, claim, &record).await?;
            }
            match txn.commit().await {
                Ok(()) => Ok(Outcome::Done { value, warnings }),
                Err(TxError::Db(err)) if is_unreachable(&err) => {
                    tracing::warn!(error = %err, "the connection broke during COMMIT");
                    Err(TxError::App(AppError::OutcomeUnknown))
                }
                Err(err) => Err(err),
            }
        }
        Err(Flow::Reject(error)) => {
            txn.rollback().await?;
            Ok(Outcome::rejected(error))
        }
        Err(Flow::Duplicate) => {
            let record = match (claim, txn) {
                (None, txn) => {
                    txn.rollback().await?;
                    None
                }
                // A transaction of its own may be aborted by the failed claim (PostgreSQL):
                // roll it back, then read what the holder committed.
                (Some(claim), WriteTxn::Alone(txn)) => {
                    txn.rollback().await?;
                    idempotency::recorded(db, claim).await?
                }
                // Under group commit the holder may be an earlier member of this same group,
                // whose record only the group's transaction sees until it commits: read it
                // there, and answer once the group committed.
                (Some(claim), grouped) => {
                    let record = idempotency::recorded(grouped.connection()?, claim).await?;
                    grouped.close_unchanged().await?;
                    record
                }
            };
            match record {
                Some(record) => Ok(Outcome::Done {
                    warnings: record.warnings.clone(),
                    value: T::replay(record),
                }),
                None => Err(TxError::App(AppError::InProgress)),
            }
        }
        Err(Flow::Db(err)) => Err(TxError::Db(err)),
    }
}

/// Runs `$body` (a block using `$txn: &DatabaseTransaction` and returning a [`Body`]) in a
/// write transaction of `$writer`, retried whole on contention. With an idempotency claim,
/// the key is claimed first, in the same transaction, and the record of the effect is stored
/// last, so the effect, the key and the record commit together; a claim already taken by a
/// committed copy answers from that copy's record instead.
///
/// A macro rather than a function taking a closure: the body borrows both the transaction
/// and the caller's arguments, which a closure-taking function cannot express while keeping
/// the future `Send`.
macro_rules! in_write_transaction {
    ($writer:expr, |$txn:ident| $body:block) => {
        $crate::db::retrying(|| async {
            let transaction = $crate::db::WriteTxn::begin($writer.db, $writer.group).await?;
            let result: $crate::service::cart::txn::Body<_> = async {
                let $txn = transaction.connection()?;
                if let Some(claim) = $writer.claim
                    && !$crate::service::idempotency::claim_in($txn, claim).await?
                {
                    return Err($crate::service::cart::txn::Flow::Duplicate);
                }
                $body
            }
            .await;
            $crate::service::cart::txn::settle($writer.db, $writer.claim, transaction, result).await
        })
        .await
    };
}
