//! `node` and `nodes`: any object with a global id, for whoever may read it. Another
//! caller's cart, line or checkout, and a promotion for anyone but an admin, read as null,
//! exactly like an id that names nothing.

use async_graphql::{Context, ID, Object, Result};

use crate::{
    auth::Viewer,
    domain::{ProductId, ShopId},
    error::AppError,
    graphql::{
        context::ContextExt,
        global_id::{self, NodeKind},
        types::{Cart, Checkout, Node, Product, Promotion, Shop},
    },
    service::{
        cart::{self, Include},
        promotions,
    },
};

/// Most ids in one `nodes` call.
const MAX_NODES: usize = 100;

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
        find(ctx, &id).await
    }

    /// The objects with these global ids (at most 100), in the same order; null where
    /// `node` would be.
    #[graphql(complexity = "ids.len() * child_complexity")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids (at most 100).")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(
                AppError::BadUserInput(format!("`ids` holds at most {MAX_NODES} ids")).into(),
            );
        }
        let mut found = Vec::with_capacity(ids.len());
        for id in &ids {
            found.push(find(ctx, id).await?);
        }
        Ok(found)
    }
}

/// Reads by id take the whole view (media and promotions): which fields a `Node` selection
/// asks for depends on fragments of several types, and a line's prices need its cart's.
const WHOLE: Include = Include {
    media: true,
    prices: true,
};

async fn find(ctx: &Context<'_>, id: &str) -> Result<Option<Node>> {
    let Some((kind, key)) = global_id::parse(id) else {
        return Ok(None);
    };
    let state = ctx.state();
    let db = &state.db;
    let viewer = ctx.viewer();
    Ok(match kind {
        NodeKind::Cart => cart::readable_cart(db, viewer, key, WHOLE)
            .await?
            .map(|view| Node::Cart(Cart::new(view, state.settings))),
        NodeKind::CartItem => cart::readable_cart_of_line(db, viewer, key, WHOLE)
            .await?
            .and_then(|view| Cart::new(view, state.settings).item(key))
            .map(Node::CartItem),
        NodeKind::Product => match ProductId::parse(key) {
            Some(id) => ctx
                .loaders()
                .load_one(id)
                .await?
                .map(|p| Node::Product(Product::from(p))),
            None => None,
        },
        NodeKind::Shop => ctx
            .loaders()
            .load_one(ShopId(key.to_owned()))
            .await?
            .map(|shop| Node::Shop(Shop(shop))),
        NodeKind::Promotion => match viewer {
            Viewer::User(user) if user.admin => promotions::find_promotion(db, key)
                .await?
                .map(|p| Node::Promotion(Promotion(p))),
            _ => None,
        },
        NodeKind::Checkout => cart::find_checkout(db, key)
            .await?
            .filter(|(_, cart)| cart::may_read(viewer, cart))
            .map(|(checkout, cart)| Node::Checkout(Checkout { checkout, cart })),
    })
}
