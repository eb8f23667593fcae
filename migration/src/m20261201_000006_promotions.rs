//! Promotions and quantity rules:
//! - `promotions`: discount codes (`code` set) and automatic promotions (`code` NULL), with
//!   their kind, value, targets, conditions, dates and usage limits. `code_key` is the code
//!   lower-cased, unique, so codes are case-insensitive on every backend;
//! - `cart_discount_codes`: the codes a shopper entered on a cart (at most five), kept while
//!   they do not apply so they can apply later;
//! - `promotion_usages`: one row per completed checkout that used a promotion, counted against
//!   `usageLimitPerCustomer` (and, with `promotions.times_used`, against `usageLimit`);
//! - `products.quantity_minimum` / `quantity_maximum` / `quantity_increment`: a product's
//!   quantity rule (NULL: no rule).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Promotions {
    Table,
    Id,
    Code,
    CodeKey,
    Title,
    Kind,
    Scope,
    Value,
    Currency,
    ProductIds,
    Skus,
    ShopIds,
    MinSubtotalMinor,
    MinQuantity,
    GetQuantity,
    StartsAt,
    EndsAt,
    UsageLimit,
    UsageLimitPerCustomer,
    TimesUsed,
    Stackable,
    Active,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CartDiscountCodes {
    Table,
    CartId,
    CodeKey,
    PromotionId,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PromotionUsages {
    Table,
    PromotionId,
    CartId,
    Customer,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Carts {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Products {
    Table,
    QuantityMinimum,
    QuantityMaximum,
    QuantityIncrement,
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
                    .table(Promotions::Table)
                    .col(
                        ColumnDef::new(Promotions::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Promotions::Code).string_len(64).null())
                    .col(
                        ColumnDef::new(Promotions::CodeKey)
                            .string_len(64)
                            .null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Promotions::Title).string_len(255).not_null())
                    // PERCENTAGE_OFF, AMOUNT_OFF, BUY_X_GET_Y or FREE_SHIPPING.
                    .col(ColumnDef::new(Promotions::Kind).string_len(16).not_null())
                    // ORDER or LINES.
                    .col(ColumnDef::new(Promotions::Scope).string_len(8).not_null())
                    // Hundredths of a percent for percentages, minor units for amounts.
                    .col(ColumnDef::new(Promotions::Value).big_integer().not_null())
                    .col(
                        ColumnDef::new(Promotions::Currency)
                            .string_len(3)
                            .not_null(),
                    )
                    // JSON arrays of the targeted ids and SKUs (all empty: every line).
                    .col(ColumnDef::new(Promotions::ProductIds).text().not_null())
                    .col(ColumnDef::new(Promotions::Skus).text().not_null())
                    .col(ColumnDef::new(Promotions::ShopIds).text().not_null())
                    .col(
                        ColumnDef::new(Promotions::MinSubtotalMinor)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(Promotions::MinQuantity).integer().null())
                    .col(ColumnDef::new(Promotions::GetQuantity).integer().null())
                    .col(
                        ColumnDef::new(Promotions::StartsAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Promotions::EndsAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(Promotions::UsageLimit).integer().null())
                    .col(
                        ColumnDef::new(Promotions::UsageLimitPerCustomer)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Promotions::TimesUsed)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Promotions::Stackable).boolean().not_null())
                    .col(ColumnDef::new(Promotions::Active).boolean().not_null())
                    .col(timestamp(Promotions::CreatedAt))
                    .col(timestamp(Promotions::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CartDiscountCodes::Table)
                    .col(
                        ColumnDef::new(CartDiscountCodes::CartId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CartDiscountCodes::CodeKey)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CartDiscountCodes::PromotionId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(timestamp(CartDiscountCodes::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(CartDiscountCodes::CartId)
                            .col(CartDiscountCodes::CodeKey),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cart_discount_codes_cart")
                            .from(CartDiscountCodes::Table, CartDiscountCodes::CartId)
                            .to(Carts::Table, Carts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cart_discount_codes_promotion")
                            .from(CartDiscountCodes::Table, CartDiscountCodes::PromotionId)
                            .to(Promotions::Table, Promotions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PromotionUsages::Table)
                    .col(
                        ColumnDef::new(PromotionUsages::PromotionId)
                            .string_len(36)
                            .not_null(),
                    )
                    // One use per cart: a repeated completion cannot count twice.
                    .col(
                        ColumnDef::new(PromotionUsages::CartId)
                            .string_len(36)
                            .not_null(),
                    )
                    // The customer as `user:<id>` or `guest:<hash>`.
                    .col(
                        ColumnDef::new(PromotionUsages::Customer)
                            .string_len(300)
                            .not_null(),
                    )
                    .col(timestamp(PromotionUsages::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(PromotionUsages::PromotionId)
                            .col(PromotionUsages::CartId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_promotion_usages_promotion")
                            .from(PromotionUsages::Table, PromotionUsages::PromotionId)
                            .to(Promotions::Table, Promotions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_promotion_usages_customer")
                    .table(PromotionUsages::Table)
                    .col(PromotionUsages::PromotionId)
                    .col(PromotionUsages::Customer)
                    .to_owned(),
            )
            .await?;

        // One column per ALTER: SQLite adds columns one statement at a time.
        for column in [
            Products::QuantityMinimum,
            Products::QuantityMaximum,
            Products::QuantityIncrement,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Products::Table)
                        .add_column(ColumnDef::new(column).integer().null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Products::QuantityIncrement,
            Products::QuantityMaximum,
            Products::QuantityMinimum,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Products::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            PromotionUsages::Table.into_iden(),
            CartDiscountCodes::Table.into_iden(),
            Promotions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
