//! The query root, merged from one object per area.

mod admin;
mod cart;
mod catalog;

use async_graphql::MergedObject;

/// All queries.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(cart::CartQuery, catalog::CatalogQuery, admin::AdminQuery);
