//! `cart` and `cartSummary`.

use async_graphql::{Context, Object, Result};

use crate::{
    graphql::{
        context::ContextExt,
        types::{Cart, CartSummary, prime_shops},
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
        if let Some(view) = &view
            && ctx.look_ahead().field("items").field("shopName").exists()
        {
            let products: Vec<_> = view
                .lines
                .iter()
                .filter_map(|l| l.product.clone())
                .collect();
            prime_shops(ctx, &products).await;
        }
        Ok(CartSummary::new(view, ctx.state().settings))
    }
}

async fn load(ctx: &Context<'_>) -> Result<Option<cart::CartView>> {
    let db = &ctx.state().db;
    let viewer = ctx.viewer();
    let Some(found) = cart::find_cart(db, viewer).await? else {
        return Ok(None);
    };
    let token = match viewer {
        crate::auth::Viewer::Guest(token) => Some(token.expose().to_owned()),
        _ => None,
    };
    Ok(Some(cart::load_view(db, found, token).await?))
}
