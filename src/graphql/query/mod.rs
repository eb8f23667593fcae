//! The query root, merged from one object per area.

mod admin;
mod cart;
mod catalog;
mod checkout;
mod federation;
mod node;
mod promotions;

use async_graphql::MergedObject;

/// All queries.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    cart::CartQuery,
    catalog::CatalogQuery,
    checkout::CheckoutQuery,
    admin::AdminQuery,
    promotions::PromotionQuery,
    node::NodeQuery,
);

/// The queries of federation mode: the same areas (keep the two lists in step), plus the
/// entity resolvers behind `_entities`. A separate root so that the public schema carries no
/// federation fields.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct FederatedQueryRoot(
    cart::CartQuery,
    catalog::CatalogQuery,
    checkout::CheckoutQuery,
    admin::AdminQuery,
    promotions::PromotionQuery,
    node::NodeQuery,
    federation::EntityQuery,
);
