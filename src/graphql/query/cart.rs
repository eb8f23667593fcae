//! `cart` and `cartSummary`.

use async_graphql::{Context, Object, Result};

use crate::{
    graphql::{
        context::ContextExt,
        types::{Cart, CartSummary},
    },
    service::cart::{self, Include},
};

#[derive(Default)]
pub struct CartQuery;

#[Object]
impl CartQuery {
    /// The caller's cart (by Bearer token, else by `X-Cart-Token`); null when there is none.
    async fn cart(&self, ctx: &Context<'_>) -> Result<Option<Cart>> {
        let state = ctx.state();
        let include = Cart::include(ctx.look_ahead());
        let view = cart::viewer_cart(&state.db, ctx.viewer(), include).await?;
        Ok(view.map(|view| Cart::new(view, state.settings)))
    }

    /// Checkout-ready totals and a flat list of the caller's lines; zeros when there is no cart.
    async fn cart_summary(&self, ctx: &Context<'_>) -> Result<CartSummary> {
        let state = ctx.state();
        let include = Include {
            prices: true,
            ..Include::default()
        };
        let view = cart::viewer_cart(&state.db, ctx.viewer(), include).await?;
        Ok(CartSummary::new(view, state.settings))
    }
}
