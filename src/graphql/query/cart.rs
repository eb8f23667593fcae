//! `cart` and `cartSummary`.

use async_graphql::{Context, Object, Result};

use crate::{
    graphql::{
        context::ContextExt,
        types::{Cart, CartSummary, feed_shops},
    },
    service::cart,
};

#[derive(Default)]
pub struct CartQuery;

#[Object]
impl CartQuery {
    /// The caller's cart (by Bearer token, else by `X-Cart-Token`); null when there is none.
    async fn cart(&self, ctx: &Context<'_>) -> Result<Option<Cart>> {
        match load(ctx).await? {
            Some(view) => Ok(Some(Cart::new(ctx, view, ctx.look_ahead()).await)),
            None => Ok(None),
        }
    }

    /// Checkout-ready totals and a flat list of the caller's lines; zeros when there is no cart.
    async fn cart_summary(&self, ctx: &Context<'_>) -> Result<CartSummary> {
        let view = load(ctx).await?;
        if let Some(view) = &view {
            feed_shops(ctx, view).await;
        }
        Ok(CartSummary::new(view, ctx.state().settings))
    }
}

async fn load(ctx: &Context<'_>) -> Result<Option<cart::CartView>> {
    Ok(cart::viewer_cart(&ctx.state().db, ctx.viewer()).await?)
}
