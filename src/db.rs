//! Connecting to the database per backend, and the transaction discipline every write follows.
//!
//! SQLite runs in WAL mode with `synchronous=FULL`, a 5 s busy timeout and foreign keys on, and
//! write transactions start with `BEGIN IMMEDIATE` so two writers queue for the lock instead of
//! failing on upgrade. MySQL write transactions run at READ COMMITTED to avoid gap-lock
//! deadlocks between first inserts. Whatever still fails with a serialization, deadlock or busy
//! error is retried as a whole transaction.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    IsolationLevel, RuntimeErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::{
        mysql::MySqlDatabaseError,
        sqlite::{SqliteJournalMode, SqliteSynchronous},
    },
};

use crate::error::{AppError, AppResult};

/// How long a request may wait for a pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// How often a transaction is retried after a serialization, deadlock or busy error.
const MAX_ATTEMPTS: u32 = 5;

/// Opens a pool on `url`.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url);
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    options
        // An in-memory SQLite database exists once per connection: keep exactly one.
        .max_connections(if in_memory { 1 } else { max_connections })
        .min_connections(if in_memory { 1 } else { 0 })
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_timeout(ACQUIRE_TIMEOUT)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
                .create_if_missing(true)
        });
    Database::connect(options).await
}

/// The instants every backend's timestamp columns can hold: MySQL's TIMESTAMP stops at
/// 2038-01-19 (and starts at 1970), so later expiries are stored as this span's end.
pub fn timestamp_span() -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let at = |secs| chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default();
    (at(86_400), at(2_147_000_000))
}

/// Brings the schema up to date.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

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
            Err(TxError::App(err)) => return Err(err),
        }
    }
}

/// An error inside a transaction: database errors may be retried, the rest may not.
#[derive(Debug)]
pub enum TxError {
    Db(DbErr),
    App(AppError),
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

/// True when the error says the database could not be reached at all (no connection from the
/// pool, a refused or broken connection), as opposed to a failing statement.
pub fn is_unreachable(err: &DbErr) -> bool {
    let runtime = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(e) | DbErr::Exec(e) | DbErr::Query(e) => e,
        _ => return false,
    };
    match runtime {
        RuntimeErr::SqlxError(sqlx_err) => matches!(
            sqlx_err.as_ref(),
            sea_orm::sqlx::Error::Io(_)
                | sea_orm::sqlx::Error::PoolTimedOut
                | sea_orm::sqlx::Error::PoolClosed
                | sea_orm::sqlx::Error::Protocol(_)
                | sea_orm::sqlx::Error::Tls(_)
                | sea_orm::sqlx::Error::WorkerCrashed
        ),
        _ => matches!(err, DbErr::Conn(_)),
    }
}

/// Whether the database answered its last probe. While it is known down, requests are
/// refused at once with 503 instead of each waiting out the pool's acquire timeout.
#[derive(Debug, Default)]
pub struct DbHealth {
    down: AtomicBool,
}

impl DbHealth {
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }
}

/// How often the database is probed, and how long a probe may take.
const PROBE_INTERVAL: Duration = Duration::from_millis(250);
const PROBE_TIMEOUT: Duration = Duration::from_millis(500);

/// Probes the database in the background for as long as `health` is shared, flipping it
/// down when a probe fails and up again on the first success.
pub fn watch(db: DatabaseConnection, health: Arc<DbHealth>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let watched = Arc::downgrade(&health);
    drop(health);
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(PROBE_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(health) = watched.upgrade() else {
                return;
            };
            // A probe that only times out proves nothing (every pooled connection may be busy
            // under load); only an answer or an error changes the verdict.
            let up = match tokio::time::timeout(PROBE_TIMEOUT, db.ping()).await {
                Ok(Ok(())) => true,
                Ok(Err(_)) => false,
                Err(_) => continue,
            };
            let was_down = health.down.swap(!up, Ordering::Relaxed);
            match (was_down, up) {
                (false, false) => {
                    tracing::warn!("the database stopped answering: refusing requests with 503")
                }
                (true, true) => tracing::info!("the database answers again"),
                _ => {}
            }
        }
    });
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
