//! The mutation root, merged from one object per area.

mod cart;
mod catalog;
mod payloads;

use async_graphql::MergedObject;

/// All mutations.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(cart::CartMutation, catalog::CatalogMutation);
