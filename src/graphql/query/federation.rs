//! Apollo Federation v2 entity resolvers (`CARTQL_FEDERATION`): `Product` is an entity keyed
//! by `id`, so a catalog subgraph can extend it and a router can fetch cartql's fields of any
//! product.

use async_graphql::{Context, ID, Object, Result};

use crate::{
    domain::ProductId,
    graphql::{context::ContextExt, global_id::NodeKind, types::Product},
};

#[derive(Default)]
pub struct EntityQuery;

#[Object]
impl EntityQuery {
    /// Products by their key, batched through the product loader.
    #[graphql(entity)]
    async fn find_product_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Product>> {
        let Some(id) = ProductId::parse(NodeKind::Product.key(&id)) else {
            return Ok(None);
        };
        Ok(ctx.loaders().load_one(id).await?.map(Product::from))
    }
}
