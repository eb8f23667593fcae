//! Cart history and the cart's own data:
//! - `carts.attributes` / `carts.note`: cart-level user data (NULL reads as none);
//! - `carts.closed_reason` / `carts.merged_into`: why a cart was closed and, after a merge, the
//!   cart it went into (so a repeated merge can answer "already done");
//! - `cart_items.added_unit_price_minor`: the effective unit price when the line was last set
//!   by the customer, to tell them when the catalog price moved since;
//! - `cart_events`: an append-only journal per cart;
//! - indexes for the expiry sweeper and the admin cart search.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Carts {
    Table,
    Id,
    Attributes,
    Note,
    ClosedReason,
    MergedInto,
    Live,
    ExpiresAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CartItems {
    Table,
    AddedUnitPriceMinor,
}

#[derive(DeriveIden, Clone, Copy)]
enum CartEvents {
    Table,
    Id,
    CartId,
    Version,
    Kind,
    Actor,
    ItemId,
    ProductId,
    Quantity,
    Detail,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per ALTER: SQLite adds columns one statement at a time.
        let cart_columns = [
            ColumnDef::new(Carts::Attributes).text().null().to_owned(),
            ColumnDef::new(Carts::Note).text().null().to_owned(),
            ColumnDef::new(Carts::ClosedReason)
                .string_len(16)
                .null()
                .to_owned(),
            ColumnDef::new(Carts::MergedInto)
                .string_len(36)
                .null()
                .to_owned(),
        ];
        for mut column in cart_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Carts::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(CartItems::Table)
                    .add_column(
                        ColumnDef::new(CartItems::AddedUnitPriceMinor)
                            .big_integer()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CartEvents::Table)
                    .col(
                        ColumnDef::new(CartEvents::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(CartEvents::CartId).string_len(36).not_null())
                    // The cart's version once the change that wrote this event committed.
                    .col(ColumnDef::new(CartEvents::Version).big_integer().not_null())
                    .col(ColumnDef::new(CartEvents::Kind).string_len(24).not_null())
                    // `user:<id>`, `guest` or `system`.
                    .col(ColumnDef::new(CartEvents::Actor).string_len(300).not_null())
                    .col(ColumnDef::new(CartEvents::ItemId).string_len(36).null())
                    .col(ColumnDef::new(CartEvents::ProductId).string_len(36).null())
                    // The line's quantity after the change (0 once removed).
                    .col(ColumnDef::new(CartEvents::Quantity).integer().null())
                    // Free text for people, e.g. the merge strategy and the source cart.
                    .col(ColumnDef::new(CartEvents::Detail).text().null())
                    .col(
                        ColumnDef::new(CartEvents::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cart_events_cart")
                            .from(CartEvents::Table, CartEvents::CartId)
                            .to(Carts::Table, Carts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_cart_events_cart_version")
                    .table(CartEvents::Table)
                    .col(CartEvents::CartId)
                    .col(CartEvents::Version)
                    .col(CartEvents::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_carts_live_expires")
                    .table(Carts::Table)
                    .col(Carts::Live)
                    .col(Carts::ExpiresAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_carts_updated")
                    .table(Carts::Table)
                    .col(Carts::UpdatedAt)
                    .col(Carts::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["ix_carts_updated", "ix_carts_live_expires"] {
            manager
                .drop_index(Index::drop().name(name).table(Carts::Table).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table(CartEvents::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CartItems::Table)
                    .drop_column(CartItems::AddedUnitPriceMinor)
                    .to_owned(),
            )
            .await?;
        for column in [
            Carts::MergedInto,
            Carts::ClosedReason,
            Carts::Note,
            Carts::Attributes,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Carts::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
