//! Idempotency keys: a retried mutation with the same `Idempotency-Key` replays the stored
//! reply instead of acting twice. The key row is inserted in the same transaction as the
//! mutation's effect, so an effect without its key (or the reverse) cannot be committed.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Principal,
    IdemKey,
    RequestHash,
    Response,
    CreatedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    // Who sent it: `user:<id>`, `guest:<token hash>` or `addr:<ip>`.
                    .col(
                        ColumnDef::new(IdempotencyKeys::Principal)
                            .string_len(300)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::IdemKey)
                            .string_len(255)
                            .not_null(),
                    )
                    // SHA-256 (hex) of the operation and its variables.
                    .col(
                        ColumnDef::new(IdempotencyKeys::RequestHash)
                            .string_len(64)
                            .not_null(),
                    )
                    // The reply as sent; NULL until the first execution has answered.
                    .col(ColumnDef::new(IdempotencyKeys::Response).text().null())
                    .col(
                        ColumnDef::new(IdempotencyKeys::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::ExpiresAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::Principal)
                            .col(IdempotencyKeys::IdemKey),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_idempotency_keys_expires_at")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await
    }
}
