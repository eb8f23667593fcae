//! The catalog the carts point at: shops, products (money in integer minor units) and their
//! ordered media.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Shops {
    Table,
    Id,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    ShopId,
    Sku,
    Name,
    Description,
    PriceMinor,
    DiscountPriceMinor,
    Currency,
    Stock,
    Image,
    Active,
    RequiredAttributes,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProductMedia {
    Table,
    Id,
    ProductId,
    Position,
    Key,
    Url,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Shops::Table)
                    .col(
                        ColumnDef::new(Shops::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Shops::Name).string_len(255).not_null())
                    .col(
                        ColumnDef::new(Shops::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Shops::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Products::Table)
                    .col(
                        ColumnDef::new(Products::Id)
                            .string_len(36)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Products::ShopId).string_len(36).null())
                    .col(ColumnDef::new(Products::Sku).string_len(64).not_null())
                    .col(ColumnDef::new(Products::Name).string_len(255).not_null())
                    .col(ColumnDef::new(Products::Description).text().not_null())
                    .col(
                        ColumnDef::new(Products::PriceMinor)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Products::DiscountPriceMinor)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(Products::Currency).string_len(3).not_null())
                    .col(ColumnDef::new(Products::Stock).integer().not_null())
                    .col(ColumnDef::new(Products::Image).string_len(1024).null())
                    .col(ColumnDef::new(Products::Active).boolean().not_null())
                    // A JSON array of attribute keys a line of this product must carry.
                    .col(
                        ColumnDef::new(Products::RequiredAttributes)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Products::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Products::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .check(Expr::col(Products::PriceMinor).gte(0))
                    .check(Expr::col(Products::Stock).gte(0))
                    .check(
                        Expr::col(Products::DiscountPriceMinor)
                            .is_null()
                            .or(Expr::col(Products::DiscountPriceMinor).gte(0)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_products_shop")
                            .from(Products::Table, Products::ShopId)
                            .to(Shops::Table, Shops::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_products_sku")
                    .table(Products::Table)
                    .col(Products::Sku)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_products_shop")
                    .table(Products::Table)
                    .col(Products::ShopId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ProductMedia::Table)
                    .col(
                        ColumnDef::new(ProductMedia::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ProductMedia::ProductId)
                            .string_len(36)
                            .not_null(),
                    )
                    .col(ColumnDef::new(ProductMedia::Position).integer().not_null())
                    .col(ColumnDef::new(ProductMedia::Key).string_len(64).not_null())
                    .col(
                        ColumnDef::new(ProductMedia::Url)
                            .string_len(1024)
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_product_media_product")
                            .from(ProductMedia::Table, ProductMedia::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_product_media_position")
                    .table(ProductMedia::Table)
                    .col(ProductMedia::ProductId)
                    .col(ProductMedia::Position)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProductMedia::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Products::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Shops::Table).to_owned())
            .await
    }
}
