//! `node` and `nodes`: any object with a global id, for whoever may read it. Another
//! caller's cart, line or checkout, and a promotion for anyone but an admin, read as null,
//! exactly like an id that names nothing. How many ids one request may name in all is
//! bounded before execution (`CARTQL_MAX_NODES`, `graphql::node_budget`); the ids of one
//! call are read together, kind by kind (`lookup`).

use async_graphql::{Context, ID, Object, Result};

use crate::{
    error::AppError,
    graphql::{node_budget::MAX_IDS_PER_FIELD, types::Node},
};

mod lookup;

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global id; null when it does not exist or is not the caller's
    /// to read.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id, as any `id` of a `Node` type gives it.")] id: ID,
    ) -> Result<Option<Node>> {
        Ok(lookup::find_all(ctx, &[id]).await?.pop().flatten())
    }

    /// The objects with these global ids (at most 100), in the same order; null where
    /// `node` would be.
    #[graphql(complexity = "ids.len() * child_complexity")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids (at most 100).")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_IDS_PER_FIELD {
            return Err(AppError::BadUserInput(format!(
                "`ids` holds at most {MAX_IDS_PER_FIELD} ids"
            ))
            .into());
        }
        lookup::find_all(ctx, &ids).await
    }
}
