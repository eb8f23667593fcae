//! `checkout(id:)` for its cart's owner and order systems; `taxRates` and `shippingRates` for
//! admins.

use async_graphql::{Context, ID, Object, Result};

use crate::{
    graphql::{
        context::ContextExt,
        global_id::NodeKind,
        types::{Checkout, ShippingRate, TaxRate},
    },
    service::{cart, rates},
};

#[derive(Default)]
pub struct CheckoutQuery;

#[Object]
impl CheckoutQuery {
    /// A checkout, for its cart's owner (also after it completed, when the cart is closed),
    /// an admin or an order system (role `checkout`). Anyone else gets null, exactly as for
    /// an id that does not exist.
    async fn checkout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The checkout's id.")] id: ID,
    ) -> Result<Option<Checkout>> {
        let found = cart::find_checkout(&ctx.state().db, NodeKind::Checkout.key(&id)).await?;
        Ok(found
            .filter(|(_, cart)| cart::may_read(ctx.viewer(), cart))
            .map(|(checkout, cart)| Checkout { checkout, cart }))
    }

    /// Every tax rate, by country then province (admin only).
    async fn tax_rates(&self, ctx: &Context<'_>) -> Result<Vec<TaxRate>> {
        ctx.admin()?;
        let rows = rates::list_tax_rates(&ctx.state().db).await?;
        Ok(rows.into_iter().map(TaxRate).collect())
    }

    /// Every delivery option, by handle (admin only).
    async fn shipping_rates(&self, ctx: &Context<'_>) -> Result<Vec<ShippingRate>> {
        ctx.admin()?;
        let rows = rates::list_shipping_rates(&ctx.state().db).await?;
        Ok(rows.into_iter().map(ShippingRate).collect())
    }
}
