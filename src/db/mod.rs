//! Connecting to the database per backend, migrating it, and watching whether it answers.
//! The transaction discipline every write follows is in [`write`].
//!
//! SQLite runs in WAL mode with `synchronous=FULL`, a 5 s busy timeout and foreign keys on.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DbErr,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

mod group_commit;
mod lock;
mod migrate;
mod unique;
mod write;
mod write_txn;

pub use group_commit::{GroupCommit, GroupStats};
pub use lock::StartupLock;
pub use migrate::{apply_migrations, migrate};
pub use unique::unique;
pub use write::{TxError, begin_write, is_retryable, retrying};
pub use write_txn::WriteTxn;

/// How long a request may wait for a pooled connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

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
                // 256 KiB of page cache per connection instead of SQLite's 2 MB: the file's
                // pages stay in the OS's cache anyway, and ten connections each filling 2 MB
                // were a third of the process's peak memory (93 → 63 MB under the benchmark's
                // views, with requests per second within noise).
                .pragma("cache_size", "-256")
        });
    Database::connect(options).await
}

/// The instants every backend's timestamp columns can hold: MySQL's TIMESTAMP stops at
/// 2038-01-19 (and starts at 1970), so later expiries are stored as this span's end.
pub fn timestamp_span() -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let at = |secs| chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default();
    (at(86_400), at(2_147_000_000))
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
