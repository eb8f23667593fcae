//! The transaction discipline every write follows. Write transactions start with
//! `BEGIN IMMEDIATE` on SQLite, so two writers queue for the lock instead of failing on
//! upgrade; MySQL write transactions run at READ COMMITTED to avoid gap-lock deadlocks between
//! first inserts. Whatever still fails with a serialization, deadlock or busy error is retried
//! as a whole transaction.

use std::{future::Future, time::Duration};

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, IsolationLevel, RuntimeErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait, sqlx::mysql::MySqlDatabaseError,
};

use crate::error::{AppError, AppResult};

/// How often a transaction is retried after a serialization, deadlock or busy error.
const MAX_ATTEMPTS: u32 = 5;

/// Starts a write transaction the way this backend needs it.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = match db.get_database_backend() {
        DbBackend::Sqlite => TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        },
        DbBackend::MySql => TransactionOptions {
            isolation_level: Some(IsolationLevel::ReadCommitted),
            ..Default::default()
        },
        _ => TransactionOptions::default(),
    };
    db.begin_with_options(options).await
}

/// Runs `attempt` until it succeeds, fails for a reason other than contention, or has been
/// tried [`MAX_ATTEMPTS`] times. Each attempt must open and finish its own transaction.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> AppResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, TxError>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(TxError::Db(err)) if tries < MAX_ATTEMPTS && is_retryable(&err) => {
                tracing::debug!(tries, error = %err, "retrying transaction after contention");
                // Spread the retries so that the contenders do not collide again in step.
                let jitter = rand::random_range(0..10u64);
                tokio::time::sleep(Duration::from_millis(5 * u64::from(tries) + jitter)).await;
            }
            Err(TxError::Db(err)) => return Err(err.into()),
            // A group this attempt belonged to was rolled back for another member's sake.
            Err(TxError::Retry) if tries < MAX_ATTEMPTS => {
                tracing::debug!(tries, "retrying a transaction whose group was abandoned");
            }
            Err(TxError::Retry) => return Err(AppError::Unavailable),
            Err(TxError::App(err)) => return Err(err),
        }
    }
}

/// An error inside a transaction: database errors may be retried, the rest may not.
#[derive(Debug)]
pub enum TxError {
    Db(DbErr),
    App(AppError),
    /// Nothing was stored and the attempt should run again (its group commit was abandoned).
    Retry,
}

impl From<DbErr> for TxError {
    fn from(err: DbErr) -> Self {
        Self::Db(err)
    }
}

impl From<AppError> for TxError {
    fn from(err: AppError) -> Self {
        Self::App(err)
    }
}

/// Serialization failures, deadlocks, lock timeouts and SQLite busy/locked errors.
pub fn is_retryable(err: &DbErr) -> bool {
    let runtime = match err {
        DbErr::Exec(e) | DbErr::Query(e) | DbErr::Conn(e) => e,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx_err) = runtime else {
        return false;
    };
    let Some(db_err) = sqlx_err.as_database_error() else {
        return false;
    };
    // MySQL/MariaDB: deadlock (1213) and lock wait timeout (1205), by error number.
    if let Some(mysql) = db_err.try_downcast_ref::<MySqlDatabaseError>() {
        return matches!(mysql.number(), 1213 | 1205);
    }
    let code = db_err.code();
    matches!(
        code.as_deref().unwrap_or_default(),
        // PostgreSQL: serialization_failure, deadlock_detected.
        "40001" | "40P01"
        // SQLite: BUSY, LOCKED and their extended codes.
        | "5" | "6" | "261" | "262" | "517"
    )
}
