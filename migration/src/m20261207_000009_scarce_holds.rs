//! Scarce holds and payment-safe checkouts:
//! - `checkouts.address_key` and `checkouts.buyer_key`: who holds (the client address, an
//!   IPv6 caller by its /64, and the normalised buyer email, both as SHA-256 keys, never in
//!   plain text), so a release gives back exactly what the begin took;
//! - `checkouts.claimed_at`: when an order system claimed it for payment (state `CLAIMED`);
//! - `hold_shares`: per holder, the open checkouts (`item` is `''`) and the units held per
//!   product (`item` is the product id). Every begin takes from it with one guarded UPDATE,
//!   so racing begins of one holder on any number of instances never pass a cap;
//! - `promotion_usages.buyer_key`: the buyer email a use was counted for, so per-customer
//!   limits hold across guest carts and users with the same email.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Checkouts {
    Table,
    AddressKey,
    BuyerKey,
    ClaimedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum PromotionUsages {
    Table,
    PromotionId,
    BuyerKey,
}

#[derive(DeriveIden, Clone, Copy)]
enum HoldShares {
    Table,
    Holder,
    Item,
    Amount,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per ALTER: SQLite adds columns one statement at a time.
        let checkout_columns = [
            ColumnDef::new(Checkouts::AddressKey)
                .string_len(80)
                .null()
                .to_owned(),
            ColumnDef::new(Checkouts::BuyerKey)
                .string_len(80)
                .null()
                .to_owned(),
            ColumnDef::new(Checkouts::ClaimedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ];
        for mut column in checkout_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Checkouts::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(PromotionUsages::Table)
                    .add_column(
                        ColumnDef::new(PromotionUsages::BuyerKey)
                            .string_len(80)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_promotion_usages_buyer")
                    .table(PromotionUsages::Table)
                    .col(PromotionUsages::PromotionId)
                    .col(PromotionUsages::BuyerKey)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(HoldShares::Table)
                    .col(ColumnDef::new(HoldShares::Holder).string_len(80).not_null())
                    .col(ColumnDef::new(HoldShares::Item).string_len(36).not_null())
                    .col(
                        ColumnDef::new(HoldShares::Amount)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(HoldShares::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(HoldShares::Holder)
                            .col(HoldShares::Item),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(HoldShares::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ix_promotion_usages_buyer")
                    .table(PromotionUsages::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(PromotionUsages::Table)
                    .drop_column(PromotionUsages::BuyerKey)
                    .to_owned(),
            )
            .await?;
        for column in [
            Checkouts::ClaimedAt,
            Checkouts::BuyerKey,
            Checkouts::AddressKey,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Checkouts::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
