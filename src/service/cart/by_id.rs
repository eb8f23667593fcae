//! Carts and lines by id (`node(id:)`, `nodes(ids:)`), for whoever may read them: the cart's
//! owner, an admin or an order system. For anyone else a cart that exists reads exactly like
//! one that does not. Ids are read in batches, so many ids cost the statements of one.
//!
//! An order system (role `checkout`) takes over a cart once it is handed off, so it reads only
//! carts that began checkout at least once: a cart never handed off is the shopper's alone, and
//! its buyer data is none of the order system's business.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{read::load_views, view::CartView, view::Include};
use crate::{
    auth::Viewer,
    entity::{cart_items, carts, checkouts},
    error::AppResult,
};

/// Whether `viewer` may read a checkout of `cart` (and so the cart, which has one): its owner
/// (the user, or the holder of the guest token), an admin, or an order system (role
/// `checkout`). For a cart that may have no checkout, [`readable_carts`] decides.
pub fn may_read(viewer: &Viewer, cart: &carts::Model) -> bool {
    owner_or_admin(viewer, cart) || order_system(viewer)
}

/// The cart's owner, or an admin: they read it whatever its state.
fn owner_or_admin(viewer: &Viewer, cart: &carts::Model) -> bool {
    match viewer {
        Viewer::User(user) => user.admin || cart.user_id.as_deref() == Some(user.id.as_str()),
        Viewer::Guest(token) => cart.token_hash.as_deref() == Some(token.hash().as_str()),
        Viewer::Anonymous => false,
    }
}

fn order_system(viewer: &Viewer) -> bool {
    matches!(viewer, Viewer::User(user) if user.checkout)
}

/// The carts among `cart_ids` that `viewer` may read, open or closed, complete, by id: one
/// statement for the carts (and, for an order system, one for which began checkout), then
/// [`load_views`]' few for all of them. A closed cart shows the lines it closed with, as in
/// the admin list; an id missing from the answer names no cart or one the viewer may not read.
pub async fn readable_carts(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    cart_ids: &[&str],
    include: Include,
) -> AppResult<HashMap<String, CartView>> {
    if cart_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found = carts::Entity::find()
        .filter(carts::Column::Id.is_in(cart_ids.iter().copied()))
        .all(db)
        .await?;
    let handed_off = match order_system(viewer) {
        true => began_checkout(db, &found).await?,
        false => HashSet::new(),
    };
    let carts = found
        .into_iter()
        .filter(|cart| owner_or_admin(viewer, cart) || handed_off.contains(&cart.id))
        .collect();
    let mut views = load_views(db, carts, include).await?;
    // The guest reading its own cart sees its token, as through `cart`.
    if let Viewer::Guest(token) = viewer {
        for view in &mut views {
            view.token = Some(token.expose().to_owned());
        }
    }
    Ok(views
        .into_iter()
        .map(|view| (view.cart.id.clone(), view))
        .collect())
}

/// The cart of each line among `item_ids` that exists, live or not, in one statement: the
/// line itself is then read among its cart's lines ([`readable_carts`]).
pub async fn carts_of_lines(
    db: &impl ConnectionTrait,
    item_ids: &[&str],
) -> AppResult<HashMap<String, String>> {
    if item_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(cart_items::Entity::find()
        .filter(cart_items::Column::Id.is_in(item_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|line| (line.id, line.cart_id))
        .collect())
}

/// Which of `carts` began checkout at least once (whatever became of the checkout).
async fn began_checkout(
    db: &impl ConnectionTrait,
    carts: &[carts::Model],
) -> AppResult<HashSet<String>> {
    if carts.is_empty() {
        return Ok(HashSet::new());
    }
    let ids: Vec<String> = checkouts::Entity::find()
        .select_only()
        .column(checkouts::Column::CartId)
        .filter(checkouts::Column::CartId.is_in(carts.iter().map(|c| c.id.as_str())))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().collect())
}
