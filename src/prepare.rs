//! Readying the database at start, safe for many instances starting together (rolling
//! deploys): under the database's start-up lock each instance runs the migrator and loads the
//! demo data if it is wanted and the catalog is empty. The first does the work; the others
//! wait for the lock, then find the schema current and the catalog filled.
//!
//! The demo data is also keyed (products by SKU, rates by country or handle, promotions by
//! code or a fixed id), so even a second load, as on SQLite where the lock is its write
//! transactions, stores each row once.

use anyhow::Context;
use sea_orm::DatabaseConnection;

use crate::{
    config::Config,
    db,
    service::{catalog, seed},
};

/// Migrates and, when `CARTQL_DEMO_CATALOG` is on and the catalog is empty, loads the demo
/// catalog, promotions and rates, all under the start-up lock.
pub async fn prepare_database(db: &DatabaseConnection, config: &Config) -> anyhow::Result<()> {
    let lock = db::StartupLock::acquire(db)
        .await
        .context("cannot take the database's start-up lock")?;
    let prepared = migrate_and_load(db, config).await;
    // Released whatever happened, so that the next instance can try.
    lock.release().await;
    prepared
}

async fn migrate_and_load(db: &DatabaseConnection, config: &Config) -> anyhow::Result<()> {
    db::apply_migrations(db)
        .await
        .context("cannot migrate the database")?;
    if !config.demo_catalog || !catalog::is_empty(db).await? {
        return Ok(());
    }
    let count = seed::import(db, seed::demo_catalog(), config.currency).await?;
    let promotions = seed::import_promotions(db, seed::demo_promotions(), config.currency).await?;
    seed::import_rates(db, seed::demo_rates(), config.currency).await?;
    tracing::info!(
        count,
        promotions,
        "loaded the demo catalog and promotions into an empty database"
    );
    Ok(())
}
