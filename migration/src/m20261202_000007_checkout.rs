//! The checkout handoff:
//! - `carts.status` (`OPEN`, `CHECKOUT`, `COMPLETED`), the buyer's identity (email, country,
//!   province, postal code: personal data, purged with the cart) and the selected delivery
//!   option's handle;
//! - `tax_rates`: a rate per country, or per province of a country (`province_code` is `''`
//!   for the whole country, so the pair can be unique on every backend);
//! - `shipping_rates`: delivery options by handle, for a list of countries (empty: all);
//! - `checkouts`: one per `beginCheckout`, with the priced contents frozen as JSON and their
//!   hash, its state (`HOLDING`, `CANCELLED`, `EXPIRED`, `COMPLETED`) and when its hold ends;
//! - `checkout_holds`: the units each checkout holds, per product;
//! - `products.held`: units held by open checkouts, so what can still be sold is
//!   `stock - held`; `promotions.times_held`: uses held by open checkouts, so `times_used +
//!   times_held` never passes `usage_limit`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Carts {
    Table,
    Id,
    Status,
    BuyerEmail,
    BuyerCountryCode,
    BuyerProvinceCode,
    BuyerPostalCode,
    DeliveryOption,
}

#[derive(DeriveIden, Clone, Copy)]
enum Products {
    Table,
    Id,
    Held,
}

#[derive(DeriveIden, Clone, Copy)]
enum Promotions {
    Table,
    TimesHeld,
}

#[derive(DeriveIden, Clone, Copy)]
enum TaxRates {
    Table,
    Id,
    CountryCode,
    ProvinceCode,
    Title,
    Rate,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ShippingRates {
    Table,
    Handle,
    Title,
    CountryCodes,
    PriceMinor,
    FreeOverMinor,
    Currency,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Checkouts {
    Table,
    Id,
    CartId,
    State,
    Customer,
    Currency,
    TotalMinor,
    Contents,
    ContentsHash,
    PromotionIds,
    OrderReference,
    CreatedAt,
    ExpiresAt,
    ClosedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum CheckoutHolds {
    Table,
    CheckoutId,
    ProductId,
    Quantity,
}

fn timestamp(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn nullable(column: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(column).string_len(len).null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per ALTER: SQLite adds columns one statement at a time.
        let cart_columns = [
            ColumnDef::new(Carts::Status)
                .string_len(16)
                .not_null()
                .default("OPEN")
                .to_owned(),
            nullable(Carts::BuyerEmail, 254),
            nullable(Carts::BuyerCountryCode, 2),
            nullable(Carts::BuyerProvinceCode, 8),
            nullable(Carts::BuyerPostalCode, 16),
            nullable(Carts::DeliveryOption, 64),
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
                    .table(Products::Table)
                    .add_column(
                        ColumnDef::new(Products::Held)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Promotions::Table)
                    .add_column(
                        ColumnDef::new(Promotions::TimesHeld)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TaxRates::Table)
                    .col(
                        ColumnDef::new(TaxRates::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(TaxRates::CountryCode)
                            .string_len(2)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TaxRates::ProvinceCode)
                            .string_len(8)
                            .not_null(),
                    )
                    .col(ColumnDef::new(TaxRates::Title).string_len(64).not_null())
                    // A decimal between 0 and 1, at most six fraction digits, as text: exact.
                    .col(ColumnDef::new(TaxRates::Rate).string_len(12).not_null())
                    .col(timestamp(TaxRates::CreatedAt))
                    .col(timestamp(TaxRates::UpdatedAt))
                    .index(
                        Index::create()
                            .name("ux_tax_rates_region")
                            .unique()
                            .col(TaxRates::CountryCode)
                            .col(TaxRates::ProvinceCode),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ShippingRates::Table)
                    .col(
                        ColumnDef::new(ShippingRates::Handle)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ShippingRates::Title)
                            .string_len(255)
                            .not_null(),
                    )
                    // JSON array of ISO 3166-1 alpha-2 codes; empty: every country.
                    .col(
                        ColumnDef::new(ShippingRates::CountryCodes)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ShippingRates::PriceMinor)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ShippingRates::FreeOverMinor)
                            .big_integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ShippingRates::Currency)
                            .string_len(3)
                            .not_null(),
                    )
                    .col(timestamp(ShippingRates::CreatedAt))
                    .col(timestamp(ShippingRates::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Checkouts::Table)
                    .col(
                        ColumnDef::new(Checkouts::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Checkouts::CartId).string_len(36).not_null())
                    .col(ColumnDef::new(Checkouts::State).string_len(16).not_null())
                    // `user:<id>` or `guest:<hash>`, as promotion usage counts customers.
                    .col(
                        ColumnDef::new(Checkouts::Customer)
                            .string_len(300)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Checkouts::Currency).string_len(3).not_null())
                    .col(
                        ColumnDef::new(Checkouts::TotalMinor)
                            .big_integer()
                            .not_null(),
                    )
                    // The priced cart as frozen at `beginCheckout`, and its SHA-256 (hex).
                    .col(ColumnDef::new(Checkouts::Contents).text().not_null())
                    .col(
                        ColumnDef::new(Checkouts::ContentsHash)
                            .string_len(64)
                            .not_null(),
                    )
                    // JSON array of the promotions whose uses it holds.
                    .col(ColumnDef::new(Checkouts::PromotionIds).text().not_null())
                    .col(nullable(Checkouts::OrderReference, 255))
                    .col(timestamp(Checkouts::CreatedAt))
                    .col(timestamp(Checkouts::ExpiresAt))
                    .col(
                        ColumnDef::new(Checkouts::ClosedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_checkouts_cart")
                            .from(Checkouts::Table, Checkouts::CartId)
                            .to(Carts::Table, Carts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "ix_checkouts_cart",
                [Checkouts::CartId, Checkouts::CreatedAt],
            ),
            ("ix_checkouts_due", [Checkouts::State, Checkouts::ExpiresAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(Checkouts::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(CheckoutHolds::Table)
                    .col(
                        ColumnDef::new(CheckoutHolds::CheckoutId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CheckoutHolds::ProductId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(ColumnDef::new(CheckoutHolds::Quantity).integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(CheckoutHolds::CheckoutId)
                            .col(CheckoutHolds::ProductId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_checkout_holds_checkout")
                            .from(CheckoutHolds::Table, CheckoutHolds::CheckoutId)
                            .to(Checkouts::Table, Checkouts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_checkout_holds_product")
                            .from(CheckoutHolds::Table, CheckoutHolds::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            CheckoutHolds::Table.into_iden(),
            Checkouts::Table.into_iden(),
            ShippingRates::Table.into_iden(),
            TaxRates::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Promotions::Table)
                    .drop_column(Promotions::TimesHeld)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Products::Table)
                    .drop_column(Products::Held)
                    .to_owned(),
            )
            .await?;
        for column in [
            Carts::DeliveryOption,
            Carts::BuyerPostalCode,
            Carts::BuyerProvinceCode,
            Carts::BuyerCountryCode,
            Carts::BuyerEmail,
            Carts::Status,
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
