//! `Node`: the types a client can refetch by id alone (Relay's object identification).

use async_graphql::{ID, Interface};

use crate::graphql::types::{Cart, CartItem, Checkout, Product, Promotion, Shop};

/// An object with a global id: `node(id:)` finds it again. Ids are opaque; keep them as
/// given.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's global id."))]
#[allow(clippy::large_enum_variant)]
pub enum Node {
    Cart(Cart),
    CartItem(CartItem),
    Product(Product),
    Shop(Shop),
    Promotion(Promotion),
    Checkout(Checkout),
}
