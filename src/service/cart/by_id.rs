//! Carts and lines by id (`node(id:)`), for whoever may read them: the cart's owner, an admin
//! or an order system. For anyone else a cart that exists reads exactly like one that does not.
//!
//! An order system (role `checkout`) takes over a cart once it is handed off, so it reads only
//! carts that began checkout at least once: a cart never handed off is the shopper's alone, and
//! its buyer data is none of the order system's business.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::{read::load_views, view::CartView, view::Include};
use crate::{
    auth::Viewer,
    entity::{cart_items, carts, checkouts},
    error::AppResult,
};

/// Whether `viewer` may read a checkout of `cart` (and so the cart, which has one): its owner
/// (the user, or the holder of the guest token), an admin, or an order system (role
/// `checkout`). For a cart that may have no checkout, [`readable_cart`] decides.
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

/// The cart `cart_id`, open or closed, complete, when `viewer` may read it. A closed cart
/// shows the lines it closed with, as in the admin list.
pub async fn readable_cart(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    cart_id: &str,
    include: Include,
) -> AppResult<Option<CartView>> {
    let Some(cart) = carts::Entity::find_by_id(cart_id.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let readable = owner_or_admin(viewer, &cart)
        || (order_system(viewer) && began_checkout(db, &cart.id).await?);
    if !readable {
        return Ok(None);
    }
    let mut view = load_views(db, vec![cart], include).await?.pop();
    // The guest reading its own cart sees its token, as through `cart`.
    if let (Some(view), Viewer::Guest(token)) = (view.as_mut(), viewer) {
        view.token = Some(token.expose().to_owned());
    }
    Ok(view)
}

/// The cart holding line `item_id`, as [`readable_cart`]; the line itself is among its lines
/// only while it is live (or was closed with the cart).
pub async fn readable_cart_of_line(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    item_id: &str,
    include: Include,
) -> AppResult<Option<CartView>> {
    let Some(line) = cart_items::Entity::find_by_id(item_id.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    readable_cart(db, viewer, &line.cart_id, include).await
}

/// Whether the cart began checkout at least once (whatever became of the checkout).
async fn began_checkout(db: &impl ConnectionTrait, cart_id: &str) -> AppResult<bool> {
    let count = checkouts::Entity::find()
        .filter(checkouts::Column::CartId.eq(cart_id))
        .count(db)
        .await?;
    Ok(count > 0)
}
