//! Dataloaders with typed keys: products by `ProductId`, shops by `ShopId`, media by
//! `MediaOf`, one loader set per request. They serve what is read on its own — `product`,
//! `products`, federation entities, a mutation's written line — in batches; a cart's lines
//! come complete from the cart service and never pass through them.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::DatabaseConnection;

use crate::{
    domain::{ProductId, ShopId},
    entity::{product_media, products, shops},
    error::AppError,
    service::catalog,
};

/// The media of one product.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MediaOf(pub ProductId);

/// Batches catalog reads for one request.
pub struct CatalogLoader {
    db: DatabaseConnection,
}

/// The per-request loader set.
pub type Loaders = DataLoader<CatalogLoader, HashMapCache>;

/// A fresh loader set for one request.
pub fn loaders(db: DatabaseConnection) -> Loaders {
    DataLoader::with_cache(CatalogLoader { db }, tokio::spawn, HashMapCache::default())
}

/// Loader errors are shared between the waiting resolvers.
#[derive(Clone)]
pub struct LoadError(Arc<AppError>);

impl From<LoadError> for async_graphql::Error {
    fn from(err: LoadError) -> Self {
        use async_graphql::ErrorExtensions;
        err.0.extend()
    }
}

fn failed(err: sea_orm::DbErr) -> LoadError {
    LoadError(Arc::new(AppError::from(err)))
}

impl Loader<ProductId> for CatalogLoader {
    type Value = products::Model;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ProductId],
    ) -> Result<HashMap<ProductId, Self::Value>, Self::Error> {
        crate::metrics::batch("product", keys.len());
        let rows = catalog::products_by_ids(&self.db, keys)
            .await
            .map_err(failed)?;
        Ok(rows
            .into_iter()
            .map(|p| (ProductId(p.id.clone()), p))
            .collect())
    }
}

impl Loader<ShopId> for CatalogLoader {
    type Value = shops::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[ShopId]) -> Result<HashMap<ShopId, Self::Value>, Self::Error> {
        crate::metrics::batch("shop", keys.len());
        let rows = catalog::shops_by_ids(&self.db, keys)
            .await
            .map_err(failed)?;
        Ok(rows
            .into_iter()
            .map(|s| (ShopId(s.id.clone()), s))
            .collect())
    }
}

impl Loader<MediaOf> for CatalogLoader {
    type Value = Vec<product_media::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[MediaOf]) -> Result<HashMap<MediaOf, Self::Value>, Self::Error> {
        crate::metrics::batch("media", keys.len());
        let ids: Vec<ProductId> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = catalog::media_of_products(&self.db, &ids)
            .await
            .map_err(failed)?;
        // Every requested product gets an entry, so products without media are cached too.
        let mut by_product: HashMap<MediaOf, Self::Value> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for row in rows {
            by_product
                .entry(MediaOf(ProductId(row.product_id.clone())))
                .or_default()
                .push(row);
        }
        Ok(by_product)
    }
}
