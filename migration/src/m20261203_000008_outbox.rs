//! Events out:
//! - `outbox_events`: every cart change and checkout transition, written in the transaction
//!   that made it (only while a sink is configured), until every sink has it. `seq` orders
//!   the events of one cart: changes to a cart are serialised by its row lock, so a later
//!   change always gets a larger `seq`.
//! - `outbox_cursors`: per sink and cart, how far delivery got, who holds the cart's delivery
//!   (a lease, so several instances never deliver the same events at once), and the retry
//!   state (attempts, when to try next, parked after too many failures).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum OutboxEvents {
    Table,
    Seq,
    EventId,
    CartId,
    Version,
    Kind,
    Payload,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum OutboxCursors {
    Table,
    Sink,
    CartId,
    DeliveredSeq,
    Attempts,
    NextAttemptAt,
    LeaseOwner,
    LeaseUntil,
    ParkedAt,
    LastError,
}

fn timestamp(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxEvents::Table)
                    .col(
                        ColumnDef::new(OutboxEvents::Seq)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    // The history event's id: the id every sink delivers, stable across
                    // redeliveries.
                    .col(
                        ColumnDef::new(OutboxEvents::EventId)
                            .string_len(36)
                            .not_null()
                            .unique_key(),
                    )
                    // No foreign key: a purged cart's undelivered events still go out.
                    .col(
                        ColumnDef::new(OutboxEvents::CartId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OutboxEvents::Version)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(OutboxEvents::Kind).string_len(24).not_null())
                    // The JSON every sink sends, fixed when the change committed.
                    .col(ColumnDef::new(OutboxEvents::Payload).text().not_null())
                    .col(timestamp(OutboxEvents::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_events_cart_seq")
                    .table(OutboxEvents::Table)
                    .col(OutboxEvents::CartId)
                    .col(OutboxEvents::Seq)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OutboxCursors::Table)
                    .col(
                        ColumnDef::new(OutboxCursors::Sink)
                            .string_len(16)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OutboxCursors::CartId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OutboxCursors::DeliveredSeq)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(OutboxCursors::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(timestamp(OutboxCursors::NextAttemptAt))
                    .col(
                        ColumnDef::new(OutboxCursors::LeaseOwner)
                            .string_len(36)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(OutboxCursors::LeaseUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(OutboxCursors::ParkedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(OutboxCursors::LastError).text().null())
                    .primary_key(
                        Index::create()
                            .col(OutboxCursors::Sink)
                            .col(OutboxCursors::CartId),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OutboxCursors::Table.into_iden(),
            OutboxEvents::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
