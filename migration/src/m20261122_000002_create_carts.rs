//! Carts and their lines, soft-deleted rather than removed.
//!
//! "One live cart per user" and "one live line per (cart, product, attributes)" are enforced by
//! the database on all three backends. MySQL has no partial indexes, so instead of
//! `UNIQUE ... WHERE deleted_at IS NULL` each table carries a `live` column that is TRUE while
//! the row is live and NULL once it is soft-deleted: unique indexes treat NULLs as distinct on
//! SQLite, PostgreSQL and MySQL alike, so any number of deleted rows may share a key while only
//! one live row can. A CHECK keeps `live` and `deleted_at` in step.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Carts {
    Table,
    Id,
    UserId,
    TokenHash,
    Live,
    Currency,
    Version,
    CreatedAt,
    UpdatedAt,
    ExpiresAt,
    DeletedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CartItems {
    Table,
    Id,
    CartId,
    ProductId,
    Quantity,
    Attributes,
    AttributesKey,
    Live,
    CreatedAt,
    UpdatedAt,
    DeletedAt,
}

/// `live` is TRUE exactly when `deleted_at` is NULL, and NULL otherwise.
fn live_matches_deleted_at(
    live: impl IntoIden + Copy,
    deleted_at: impl IntoIden + Copy,
) -> SimpleExpr {
    Expr::col(live)
        .eq(true)
        .and(Expr::col(deleted_at).is_null())
        .or(Expr::col(live)
            .is_null()
            .and(Expr::col(deleted_at).is_not_null()))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Carts::Table)
                    .col(
                        ColumnDef::new(Carts::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    // Exactly one of user_id (registered owner) and token_hash (guest) is set.
                    .col(ColumnDef::new(Carts::UserId).string_len(255).null())
                    .col(ColumnDef::new(Carts::TokenHash).string_len(64).null())
                    .col(ColumnDef::new(Carts::Live).boolean().null())
                    .col(ColumnDef::new(Carts::Currency).string_len(3).not_null())
                    .col(
                        ColumnDef::new(Carts::Version)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Carts::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Carts::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Carts::ExpiresAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Carts::DeletedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .check(
                        Expr::col(Carts::UserId)
                            .is_null()
                            .and(Expr::col(Carts::TokenHash).is_not_null())
                            .or(Expr::col(Carts::UserId)
                                .is_not_null()
                                .and(Expr::col(Carts::TokenHash).is_null())),
                    )
                    .check(live_matches_deleted_at(Carts::Live, Carts::DeletedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_carts_live_user")
                    .table(Carts::Table)
                    .col(Carts::UserId)
                    .col(Carts::Live)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_carts_token_hash")
                    .table(Carts::Table)
                    .col(Carts::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CartItems::Table)
                    .col(
                        ColumnDef::new(CartItems::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(CartItems::CartId).string_len(36).not_null())
                    // No foreign key to products: the catalog may be replaced from outside, and
                    // a line whose product vanished stays visible (with `product: null`).
                    .col(
                        ColumnDef::new(CartItems::ProductId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(ColumnDef::new(CartItems::Quantity).integer().not_null())
                    // The line's user-defined attributes as a JSON object, keys sorted.
                    .col(ColumnDef::new(CartItems::Attributes).text().not_null())
                    // SHA-256 (hex) of the canonical attributes: part of the line's identity,
                    // short enough for a unique index on every backend.
                    .col(
                        ColumnDef::new(CartItems::AttributesKey)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(CartItems::Live).boolean().null())
                    .col(
                        ColumnDef::new(CartItems::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CartItems::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CartItems::DeletedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .check(Expr::col(CartItems::Quantity).gte(1))
                    .check(live_matches_deleted_at(
                        CartItems::Live,
                        CartItems::DeletedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cart_items_cart")
                            .from(CartItems::Table, CartItems::CartId)
                            .to(Carts::Table, Carts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_cart_items_live_line")
                    .table(CartItems::Table)
                    .col(CartItems::CartId)
                    .col(CartItems::ProductId)
                    .col(CartItems::AttributesKey)
                    .col(CartItems::Live)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CartItems::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Carts::Table).to_owned())
            .await
    }
}
