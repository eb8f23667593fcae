//! Bringing the schema up to date when several instances may try at once. Every instance
//! runs the migrator; under the start-up lock the first applies what is pending and the
//! others, having waited, find nothing to do.

use std::time::{Duration, Instant};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    DatabaseConnection, DbBackend, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

use super::{StartupLock, is_retryable};

/// How long a SQLite instance keeps waiting for another one's migrations.
const SQLITE_WAIT: Duration = Duration::from_secs(300);

/// Takes the start-up lock, applies the pending migrations and releases the lock (also when
/// a migration fails). For `cartql migrate` and the commands that need a current schema.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    let lock = StartupLock::acquire(db).await?;
    let applied = apply_migrations(db).await;
    lock.release().await;
    applied
}

/// Applies the pending migrations; the caller holds the [`StartupLock`]. On SQLite they run in
/// one exclusive transaction, which is SQLite's lock: a second process waits for it (busy
/// timeout, then again until [`SQLITE_WAIT`]) and then sees them applied. SQLite's DDL is
/// transactional, so a failed migration leaves nothing half done.
pub async fn apply_migrations(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Migrator::up(db, None).await;
    }
    let exclusive = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Exclusive),
        ..Default::default()
    };
    let started = Instant::now();
    let txn = loop {
        match db.begin_with_options(exclusive).await {
            Ok(txn) => break txn,
            Err(err) if is_retryable(&err) && started.elapsed() < SQLITE_WAIT => {
                tracing::info!("another instance is migrating the database; waiting for it");
            }
            Err(err) => return Err(err),
        }
    };
    Migrator::up(&txn, None).await?;
    txn.commit().await
}
