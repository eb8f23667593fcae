//! Carts and lines by id (`node(id:)`, `nodes(ids:)`), for whoever may read them: the cart's
//! owner, an admin or an order system. For anyone else a cart that exists reads exactly like
//! one that does not. Ids are read in batches, so many ids cost the statements of one.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{read::load_views, view::CartView, view::Include};
use crate::{
    auth::Viewer,
    entity::{cart_items, carts},
    error::AppResult,
};

/// Whether `viewer` may read `cart` and its checkouts: its owner (the user, or the holder of
/// the guest token), an admin, or an order system (role `checkout`).
pub fn may_read(viewer: &Viewer, cart: &carts::Model) -> bool {
    match viewer {
        Viewer::User(user) => {
            user.admin || user.checkout || cart.user_id.as_deref() == Some(user.id.as_str())
        }
        Viewer::Guest(token) => cart.token_hash.as_deref() == Some(token.hash().as_str()),
        Viewer::Anonymous => false,
    }
}

/// The carts among `cart_ids` that `viewer` may read, open or closed, complete, by id: one
/// statement for the carts, then [`load_views`]' few for all of them. A closed cart shows
/// the lines it closed with, as in the admin list; an id missing from the answer names no
/// cart or one the viewer may not read.
pub async fn readable_carts(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    cart_ids: &[&str],
    include: Include,
) -> AppResult<HashMap<String, CartView>> {
    if cart_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let carts = carts::Entity::find()
        .filter(carts::Column::Id.is_in(cart_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .filter(|cart| may_read(viewer, cart))
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
