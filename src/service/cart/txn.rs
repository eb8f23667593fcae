//! What every cart mutation shares: who writes under which conditions ([`Writer`]), how a
//! transaction body ends ([`Flow`]), and the write-transaction wrapper macro.

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};

use crate::{
    auth::Viewer,
    db::TxError,
    error::AppError,
    service::{CartSettings, Outcome, UserError, Warning, idempotency::Claim},
};

/// The request-wide inputs of a cart mutation.
#[derive(Clone, Copy)]
pub struct Writer<'a> {
    pub db: &'a DatabaseConnection,
    pub viewer: &'a Viewer,
    pub settings: &'a CartSettings,
    /// The request's `Idempotency-Key` claim, stored in the same transaction as the effect.
    pub claim: Option<&'a Claim>,
    /// `expectedVersion`: the mutation is refused with VERSION_CONFLICT unless the caller's
    /// cart is at this version (a caller without a cart is at version 0).
    pub expected_version: Option<i64>,
}

impl Writer<'_> {
    /// Who the history records as having made the change.
    pub fn actor(&self) -> String {
        match self.viewer {
            Viewer::User(user) => format!("user:{}", user.id),
            Viewer::Guest(_) => "guest".to_owned(),
            Viewer::Anonymous => "anonymous".to_owned(),
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

/// Commits a successful body and rolls back a refused one.
pub(super) async fn settle<T>(
    txn: DatabaseTransaction,
    result: Body<T>,
) -> Result<Outcome<T>, TxError> {
    match result {
        Ok((value, warnings)) => {
            txn.commit().await?;
            Ok(Outcome::Done { value, warnings })
        }
        Err(Flow::Reject(error)) => {
            txn.rollback().await?;
            Ok(Outcome::rejected(error))
        }
        Err(Flow::Duplicate) => {
            txn.rollback().await?;
            Err(TxError::App(AppError::InProgress))
        }
        Err(Flow::Db(err)) => Err(TxError::Db(err)),
    }
}

/// Runs `$body` (a block using `$txn: &DatabaseTransaction` and returning a [`Body`]) in a
/// write transaction of `$writer`, retried whole on contention. With an idempotency claim,
/// the key is claimed first, in the same transaction, so the effect and the key commit
/// together.
///
/// A macro rather than a function taking a closure: the body borrows both the transaction
/// and the caller's arguments, which a closure-taking function cannot express while keeping
/// the future `Send`.
macro_rules! in_write_transaction {
    ($writer:expr, |$txn:ident| $body:block) => {
        $crate::db::retrying(|| async {
            let transaction = $crate::db::begin_write($writer.db).await?;
            let result: $crate::service::cart::txn::Body<_> = async {
                let $txn = &transaction;
                if let Some(claim) = $writer.claim
                    && !$crate::service::idempotency::claim_in($txn, claim).await?
                {
                    return Err($crate::service::cart::txn::Flow::Duplicate);
                }
                $body
            }
            .await;
            $crate::service::cart::txn::settle(transaction, result).await
        })
        .await
    };
}
