//! cartql's schema history. Each migration is one change, self-contained (it never imports the
//! service's entities), and is never edited once it has landed.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_catalog;
mod m20261122_000002_create_carts;
mod m20261122_000003_create_idempotency_keys;
mod m20261129_000004_cart_history;
mod m20261130_000005_sealed_idempotency;
mod m20261201_000006_promotions;
mod m20261202_000007_checkout;
mod m20261203_000008_outbox;
mod m20261207_000009_scarce_holds;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_catalog::Migration),
            Box::new(m20261122_000002_create_carts::Migration),
            Box::new(m20261122_000003_create_idempotency_keys::Migration),
            Box::new(m20261129_000004_cart_history::Migration),
            Box::new(m20261130_000005_sealed_idempotency::Migration),
            Box::new(m20261201_000006_promotions::Migration),
            Box::new(m20261202_000007_checkout::Migration),
            Box::new(m20261203_000008_outbox::Migration),
            Box::new(m20261207_000009_scarce_holds::Migration),
        ]
    }
}
