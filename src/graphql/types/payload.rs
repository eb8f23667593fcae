//! Mutation payloads: the cart, the line, and what was refused or adjusted.

use async_graphql::SimpleObject;

use crate::graphql::types::{Cart, CartItem, CartUserError, CartWarning, Product, Promotion};

/// The result of a cart-level mutation.
#[derive(SimpleObject, Default)]
pub struct CartPayload {
    /// The cart after the mutation; null when there is none (e.g. after `clearCart`).
    pub cart: Option<Cart>,
    /// Why the mutation was refused; empty on success.
    pub user_errors: Vec<CartUserError>,
    /// Adjustments made on success.
    pub warnings: Vec<CartWarning>,
}

/// The result of a line-level mutation.
#[derive(SimpleObject, Default)]
pub struct CartItemPayload {
    /// The cart after the mutation.
    pub cart: Option<Cart>,
    /// The line the mutation touched (for `removeCartItem`, the line as it was).
    pub item: Option<CartItem>,
    /// Why the mutation was refused; empty on success.
    pub user_errors: Vec<CartUserError>,
    /// Adjustments made on success.
    pub warnings: Vec<CartWarning>,
}

/// The result of `upsertProducts`.
#[derive(SimpleObject, Default)]
pub struct UpsertProductsPayload {
    /// The stored products, in input order.
    pub products: Vec<Product>,
    /// Why the upsert was refused; empty on success.
    pub user_errors: Vec<CartUserError>,
    /// Adjustments made on success.
    pub warnings: Vec<CartWarning>,
}

/// The result of `upsertPromotions`.
#[derive(SimpleObject, Default)]
pub struct UpsertPromotionsPayload {
    /// The stored promotions, in input order.
    pub promotions: Vec<Promotion>,
    /// Why the upsert was refused; empty on success.
    pub user_errors: Vec<CartUserError>,
}
