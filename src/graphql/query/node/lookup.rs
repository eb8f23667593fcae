//! Reading the objects behind global ids, kind by kind: products and shops through the
//! request's dataloaders (one batch each), carts and lines together (one statement for the
//! lines' carts, then the carts' views in a few statements for all of them), checkouts and
//! promotions in one statement per kind. The answer keeps the ids' order, and an id that
//! names nothing, names something of another type, or something the caller may not read is
//! null alike.

use std::collections::HashMap;

use async_graphql::{Context, ID, Result};

use crate::{
    auth::Viewer,
    domain::{ProductId, ShopId},
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

/// Reads by id take the whole view (media and promotions): which fields a `Node` selection
/// asks for depends on fragments of several types, and a line's prices need its cart's.
const WHOLE: Include = Include {
    media: true,
    prices: true,
};

/// The object behind each of `ids`, in order.
pub(super) async fn find_all(ctx: &Context<'_>, ids: &[ID]) -> Result<Vec<Option<Node>>> {
    let parsed: Vec<Option<(NodeKind, &str)>> = ids.iter().map(|id| global_id::parse(id)).collect();
    let keys = |wanted: NodeKind| -> Vec<&str> {
        let mut keys: Vec<&str> = parsed
            .iter()
            .flatten()
            .filter(|(kind, _)| *kind == wanted)
            .map(|(_, key)| *key)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    };
    let state = ctx.state();
    let db = &state.db;
    let viewer = ctx.viewer();

    let products = match keys(NodeKind::Product)
        .into_iter()
        .filter_map(ProductId::parse)
        .collect::<Vec<_>>()
    {
        none if none.is_empty() => HashMap::new(),
        wanted => ctx.loaders().load_many(wanted).await?,
    };
    let shop_keys = keys(NodeKind::Shop);
    let shops = match shop_keys.is_empty() {
        true => HashMap::new(),
        false => {
            let wanted = shop_keys.iter().map(|k| ShopId((*k).to_owned()));
            ctx.loaders().load_many(wanted).await?
        }
    };
    // Lines are read among their carts' lines: every cart named, directly or through a line,
    // is read in one batch.
    let line_carts = cart::carts_of_lines(db, &keys(NodeKind::CartItem)).await?;
    let mut cart_keys = keys(NodeKind::Cart);
    cart_keys.extend(line_carts.values().map(String::as_str));
    cart_keys.sort_unstable();
    cart_keys.dedup();
    let carts: HashMap<String, Cart> = cart::readable_carts(db, viewer, &cart_keys, WHOLE)
        .await?
        .into_iter()
        .map(|(id, view)| (id, Cart::new(view, state.settings)))
        .collect();
    let checkouts = cart::find_checkouts(db, &keys(NodeKind::Checkout)).await?;
    let promotions: HashMap<String, _> = match viewer {
        Viewer::User(user) if user.admin => {
            promotions::find_promotions(db, &keys(NodeKind::Promotion))
                .await?
                .into_iter()
                .map(|p| (p.id.clone(), p))
                .collect()
        }
        _ => HashMap::new(),
    };

    Ok(parsed
        .iter()
        .map(|found| {
            let (kind, key) = (*found)?;
            match kind {
                NodeKind::Cart => carts.get(key).cloned().map(Node::Cart),
                NodeKind::CartItem => line_carts
                    .get(key)
                    .and_then(|cart_id| carts.get(cart_id))
                    .and_then(|cart| cart.item(key))
                    .map(Node::CartItem),
                NodeKind::Product => ProductId::parse(key)
                    .and_then(|id| products.get(&id).cloned())
                    .map(|p| Node::Product(Product::from(p))),
                NodeKind::Shop => shops
                    .get(&ShopId(key.to_owned()))
                    .cloned()
                    .map(|shop| Node::Shop(Shop(shop))),
                NodeKind::Promotion => promotions
                    .get(key)
                    .cloned()
                    .map(|p| Node::Promotion(Promotion(p))),
                NodeKind::Checkout => checkouts
                    .get(key)
                    .filter(|(_, cart)| cart::may_read(viewer, cart))
                    .cloned()
                    .map(|(checkout, cart)| Node::Checkout(Checkout { checkout, cart })),
            }
        })
        .collect())
}
