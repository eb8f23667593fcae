//! The catalog: product lookups (batched, for the dataloaders), search with keyset paging, and
//! the admin upsert that the demo seed and catalog files also go through.

use crate::service::Page;
use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait, Func, OnConflict},
};

use crate::{
    domain::{ProductId, QuantityRule, ShopId, Sku, ids::new_id},
    entity::{product_media, products, shops},
    error::AppResult,
    service::text_match,
};

mod spec;

pub use spec::{MediaSpec, ProductDraft, ProductSpec, QuantityRuleSpec};

/// How a client names a product.
#[derive(Clone, Debug)]
pub enum ProductRef {
    Id(ProductId),
    Sku(Sku),
}

/// Finds one product by id or SKU, active or not.
pub async fn find_product(
    db: &impl ConnectionTrait,
    reference: &ProductRef,
) -> Result<Option<products::Model>, sea_orm::DbErr> {
    let query = products::Entity::find();
    let query = match reference {
        ProductRef::Id(id) => query.filter(products::Column::Id.eq(id.as_str())),
        ProductRef::Sku(sku) => query.filter(products::Column::Sku.eq(sku.as_str())),
    };
    crate::db::unique(query, db).await
}

/// Products by id, for the product dataloader.
pub async fn products_by_ids(
    db: &impl ConnectionTrait,
    ids: &[ProductId],
) -> Result<Vec<products::Model>, sea_orm::DbErr> {
    products::Entity::find()
        .filter(products::Column::Id.is_in(ids.iter().map(ProductId::as_str)))
        .all(db)
        .await
}

/// Shops by id, for the shop dataloader.
pub async fn shops_by_ids(
    db: &impl ConnectionTrait,
    ids: &[ShopId],
) -> Result<Vec<shops::Model>, sea_orm::DbErr> {
    shops::Entity::find()
        .filter(shops::Column::Id.is_in(ids.iter().map(ShopId::as_str)))
        .all(db)
        .await
}

/// Media of several products, each product's in position order.
pub async fn media_of_products(
    db: &impl ConnectionTrait,
    ids: &[ProductId],
) -> Result<Vec<product_media::Model>, sea_orm::DbErr> {
    product_media::Entity::find()
        .filter(product_media::Column::ProductId.is_in(ids.iter().map(ProductId::as_str)))
        .order_by_asc(product_media::Column::ProductId)
        .order_by_asc(product_media::Column::Position)
        .all(db)
        .await
}

/// One page of active products ordered by SKU, optionally matching `search` in the name or
/// SKU (case-insensitive), starting after the SKU `after`.
pub async fn list_products(
    db: &DatabaseConnection,
    search: Option<&str>,
    after_sku: Option<&str>,
    first: u64,
) -> AppResult<Page<products::Model>> {
    let mut query = products::Entity::find().filter(products::Column::Active.eq(true));
    if let Some(term) = search.map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = text_match::containing(&term.to_lowercase());
        let lower = |col: products::Column| Expr::expr(Func::lower(Expr::col(col)));
        query = query.filter(
            lower(products::Column::Name)
                .like(pattern.clone())
                .or(lower(products::Column::Sku).like(pattern)),
        );
    }
    if let Some(after) = after_sku {
        query = query.filter(products::Column::Sku.gt(after));
    }
    let query = query.order_by_asc(products::Column::Sku);
    Ok(Page::read(db, query, first).await?)
}

/// Inserts or updates products by SKU (and their shops), replacing their media, in one
/// write transaction (retried whole on contention, like every write). Returns the stored
/// products in input order.
pub async fn upsert_products(
    db: &DatabaseConnection,
    drafts: Vec<ProductDraft>,
) -> AppResult<Vec<products::Model>> {
    crate::db::retrying(|| async {
        let txn = crate::db::begin_write(db).await?;
        let stored = upsert_in(&txn, &drafts).await?;
        txn.commit().await?;
        Ok(stored)
    })
    .await
}

async fn upsert_in(
    txn: &DatabaseTransaction,
    drafts: &[ProductDraft],
) -> Result<Vec<products::Model>, DbErr> {
    let now = Utc::now();
    let mut shops_seen: HashMap<ShopId, String> = HashMap::new();
    for draft in drafts {
        if let Some((id, name)) = &draft.shop {
            shops_seen.insert(id.clone(), name.clone());
        }
    }
    let mut shop_rows: Vec<_> = shops_seen.into_iter().collect();
    shop_rows.sort_by(|a, b| a.0.cmp(&b.0));
    for (id, name) in shop_rows {
        shops::Entity::insert(shops::ActiveModel {
            id: Set(id.0),
            name: Set(name),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(shops::Column::Id)
                .update_columns([shops::Column::Name, shops::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }

    let skus: Vec<String> = drafts.iter().map(|d| d.sku.as_str().to_owned()).collect();
    for draft in drafts {
        products::Entity::insert(products::ActiveModel {
            id: Set(new_id()),
            shop_id: Set(draft.shop.as_ref().map(|(id, _)| id.0.clone())),
            sku: Set(draft.sku.as_str().to_owned()),
            name: Set(draft.name.clone()),
            description: Set(draft.description.clone()),
            price_minor: Set(draft.price_minor),
            discount_price_minor: Set(draft.discount_price_minor),
            currency: Set(draft.currency.code().to_owned()),
            stock: Set(draft.stock),
            image: Set(draft.image.clone()),
            active: Set(draft.active),
            required_attributes: Set(
                serde_json::to_string(&draft.required_attributes).unwrap_or_else(|_| "[]".into())
            ),
            created_at: Set(now),
            updated_at: Set(now),
            quantity_minimum: Set(draft.quantity_rule.minimum),
            quantity_maximum: Set(draft.quantity_rule.maximum),
            quantity_increment: Set(draft.quantity_rule.increment),
            held: Set(0),
        })
        .on_conflict(
            OnConflict::column(products::Column::Sku)
                .update_columns([
                    products::Column::ShopId,
                    products::Column::Name,
                    products::Column::Description,
                    products::Column::PriceMinor,
                    products::Column::DiscountPriceMinor,
                    products::Column::Currency,
                    products::Column::Stock,
                    products::Column::Image,
                    products::Column::Active,
                    products::Column::RequiredAttributes,
                    products::Column::UpdatedAt,
                    products::Column::QuantityMinimum,
                    products::Column::QuantityMaximum,
                    products::Column::QuantityIncrement,
                ])
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }

    let stored = products::Entity::find()
        .filter(products::Column::Sku.is_in(skus.iter().cloned()))
        .all(txn)
        .await?;
    let by_sku: HashMap<&str, &products::Model> =
        stored.iter().map(|p| (p.sku.as_str(), p)).collect();
    let ids: Vec<String> = stored.iter().map(|p| p.id.clone()).collect();
    if !ids.is_empty() {
        product_media::Entity::delete_many()
            .filter(product_media::Column::ProductId.is_in(ids))
            .exec(txn)
            .await?;
    }
    let media_rows: Vec<product_media::ActiveModel> = drafts
        .iter()
        .filter_map(|d| by_sku.get(d.sku.as_str()).map(|p| (d, p)))
        .flat_map(|(d, p)| {
            d.media
                .iter()
                .enumerate()
                .map(|(position, m)| product_media::ActiveModel {
                    product_id: Set(p.id.clone()),
                    position: Set(position as i32),
                    key: Set(m.key.clone()),
                    url: Set(m.url.clone()),
                    ..Default::default()
                })
        })
        .collect();
    for chunk in media_rows.chunks(500) {
        product_media::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(skus
        .iter()
        .filter_map(|sku| by_sku.get(sku.as_str()).map(|p| (*p).clone()))
        .collect())
}

/// Whether the catalog holds any product.
pub async fn is_empty(db: &DatabaseConnection) -> AppResult<bool> {
    Ok(products::Entity::find().one(db).await?.is_none())
}

/// The attribute keys a product requires on every line.
pub fn required_attributes(product: &products::Model) -> Vec<String> {
    serde_json::from_str(&product.required_attributes).unwrap_or_default()
}

/// The product's quantity rule (empty when it has none).
pub fn quantity_rule(product: &products::Model) -> QuantityRule {
    QuantityRule {
        minimum: product.quantity_minimum,
        maximum: product.quantity_maximum,
        increment: product.quantity_increment,
    }
}

/// Units of the product that can still go into a cart or a checkout: its stock less what
/// open checkouts hold.
pub fn available(product: &products::Model) -> i32 {
    Ord::max(product.stock.saturating_sub(product.held), 0)
}
