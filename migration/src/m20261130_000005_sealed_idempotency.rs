//! Idempotency keys kept sealed, and answerable after a crash:
//! - `idem_key` now holds a keyed hash of the client's key, and `response` the reply sealed
//!   (authenticated encryption) under a key derived from the service secret, the caller and the
//!   client's key: a database dump shows neither keys nor the guest tokens inside replies;
//! - `outcome`: what the mutation's own transaction stored about its effect (sealed the same
//!   way), so a retry can be answered even when the reply was never stored (a crash or a lost
//!   connection between commit and reply).
//!
//! Rows written before this change hold plain-text replies; they are deleted (a key lives a
//! day at most, and a retry of one of them acts as a new request).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Outcome,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(IdempotencyKeys::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(IdempotencyKeys::Table)
                    .add_column(ColumnDef::new(IdempotencyKeys::Outcome).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(IdempotencyKeys::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(IdempotencyKeys::Table)
                    .drop_column(IdempotencyKeys::Outcome)
                    .to_owned(),
            )
            .await
    }
}
