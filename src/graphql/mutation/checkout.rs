//! The checkout handoff's mutations: the buyer and delivery option (shopper), beginning and
//! cancelling a checkout (shopper), completing it (order system).

use async_graphql::{Context, ID, Object, Result};

use super::{cart::writer, payloads::cart_payload};
use crate::{
    auth::Viewer,
    error::AppError,
    graphql::{
        context::ContextExt,
        global_id::NodeKind,
        inputs::BuyerIdentityInput,
        types::{CartPayload, Checkout, CheckoutPayload, report_user_errors},
    },
    service::{
        Outcome,
        cart::{self, CheckoutChange, Writer},
        promotions::customer_of,
    },
};

#[derive(Default)]
pub struct CheckoutMutation;

#[Object]
impl CheckoutMutation {
    /// Sets who buys: email, country, province, postal code. Only the fields given change
    /// (`null` clears one). The country decides the tax rate and the delivery options; a new
    /// one clears the province and the selected delivery option. Creates the cart when the
    /// caller has none. INVALID_BUYER_IDENTITY names the malformed field.
    async fn update_buyer_identity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fields to change.")] input: BuyerIdentityInput,
        #[graphql(
            desc = "Refuse with VERSION_CONFLICT unless the cart is at this `version` (0 when there is none yet)."
        )]
        expected_version: Option<i64>,
    ) -> Result<CartPayload> {
        let update = input.into_update();
        let outcome = cart::update_buyer_identity(&writer(ctx, expected_version), &update).await?;
        cart_payload(ctx, outcome).await
    }

    /// Selects one of `cart.deliveryOptions` by its handle; DELIVERY_OPTION_NOT_FOUND lists
    /// the handles that serve the buyer's country.
    async fn select_delivery_option(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A handle from `cart.deliveryOptions`.")] handle: String,
        #[graphql(desc = "Refuse with VERSION_CONFLICT unless the cart is at this `version`.")]
        expected_version: Option<i64>,
    ) -> Result<CartPayload> {
        let outcome =
            cart::select_delivery_option(&writer(ctx, expected_version), handle.trim()).await?;
        cart_payload(ctx, outcome).await
    }

    /// Freezes the caller's cart for checkout: refuses an empty cart (CART_EMPTY), lines that
    /// cannot be bought (PRODUCT_UNAVAILABLE, NOT_ENOUGH_STOCK, …), a missing email or
    /// country (BUYER_IDENTITY_INCOMPLETE) or delivery option (DELIVERY_OPTION_NOT_FOUND),
    /// changing nothing; otherwise prices the cart, holds its stock and promotion uses for
    /// `CARTQL_CHECKOUT_HOLD` (no other cart can take them) and returns the checkout with
    /// its `handoffToken` for the order system. Until the checkout ends the cart is CHECKOUT
    /// and its mutations answer CART_LOCKED. Calling it again while the hold lasts answers
    /// the same checkout.
    async fn begin_checkout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Refuse with VERSION_CONFLICT unless the cart is at this `version`.")]
        expected_version: Option<i64>,
    ) -> Result<CheckoutPayload> {
        let outcome = cart::begin_checkout(&writer(ctx, expected_version)).await?;
        checkout_payload(ctx, outcome).await
    }

    /// Cancels the caller's checkout in progress: its hold is released and the cart reopens.
    /// CHECKOUT_NOT_FOUND when there is none.
    async fn cancel_checkout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Refuse with VERSION_CONFLICT unless the cart is at this `version`.")]
        expected_version: Option<i64>,
    ) -> Result<CartPayload> {
        let outcome = cart::cancel_checkout(&writer(ctx, expected_version)).await?;
        cart_payload(ctx, outcome).await
    }

    /// For the order system (role `checkout` or `admin`), after it verified the handoff
    /// token and before it charges: moves a HOLDING checkout to CLAIMED. From then the
    /// shopper can no longer cancel it (CHECKOUT_CLAIMED), its stock stays held for
    /// `CARTQL_CHECKOUT_PAYMENT_WINDOW`, and its promotion uses are counted, so completing it
    /// cannot fail on a usage limit after the money was taken. A repeat answers the claimed
    /// checkout. A hold that ran out is CHECKOUT_EXPIRED; an ended checkout CHECKOUT_CLOSED.
    async fn claim_checkout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The checkout's `id`.")] checkout_id: ID,
    ) -> Result<CheckoutPayload> {
        let writer = order_system(ctx)?;
        let id = NodeKind::Checkout.key(&checkout_id);
        let outcome = cart::claim_checkout(&writer, id).await?;
        checkout_payload(ctx, outcome).await
    }

    /// For the order system (role `checkout` or `admin`), when the payment failed: gives a
    /// claimed (or holding) checkout back. Its stock and promotion uses are released exactly
    /// once and the cart reopens for the shopper. A repeat answers the released checkout.
    async fn release_checkout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The checkout's `id`.")] checkout_id: ID,
    ) -> Result<CheckoutPayload> {
        let writer = order_system(ctx)?;
        let id = NodeKind::Checkout.key(&checkout_id);
        let outcome = cart::release_checkout(&writer, id).await?;
        checkout_payload(ctx, outcome).await
    }

    /// For the order system (role `checkout` or `admin`), once it has claimed the checkout
    /// and taken payment: turns the held stock into sold stock, counts the promotion uses (if
    /// the claim did not) and closes the cart as COMPLETED; the shopper's next add opens a
    /// fresh cart. Exactly once: a repeat with the same `orderReference` answers the
    /// completed checkout and changes nothing; another reference is CHECKOUT_CLOSED. A hold
    /// that ran out is CHECKOUT_EXPIRED; a cancelled or released checkout CHECKOUT_CLOSED.
    async fn complete_checkout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The checkout's `id`.")] checkout_id: ID,
        #[graphql(desc = "The order system's id for the order (1–255 characters).")]
        order_reference: String,
    ) -> Result<CheckoutPayload> {
        let writer = order_system(ctx)?;
        let id = NodeKind::Checkout.key(&checkout_id);
        let outcome = cart::complete_checkout(&writer, id, &order_reference).await?;
        checkout_payload(ctx, outcome).await
    }
}

/// The writer of an order system's transition: callers with role `checkout` or `admin`.
fn order_system<'a>(ctx: &'a Context<'_>) -> Result<Writer<'a>, AppError> {
    let viewer = ctx.viewer();
    match viewer {
        Viewer::User(user) if user.admin || user.checkout => {}
        Viewer::User(_) => return Err(AppError::Forbidden),
        _ => {
            return Err(AppError::Unauthenticated(
                "sign in with a token holding the `checkout` role to claim, release or complete checkouts",
            ));
        }
    }
    Ok(writer(ctx, None))
}

/// The payload of a checkout transition: the checkout read after the commit.
async fn checkout_payload(
    ctx: &Context<'_>,
    outcome: Outcome<CheckoutChange>,
) -> Result<CheckoutPayload> {
    match outcome {
        Outcome::Rejected(errors) => Ok(CheckoutPayload {
            user_errors: report_user_errors(errors),
            ..Default::default()
        }),
        Outcome::Done { value, warnings } => {
            let state = ctx.state();
            let found = match &value.checkout_id {
                Some(id) => cart::find_checkout(&state.db, id).await?,
                None => None,
            };
            let checkout = found.map(|(checkout, cart)| {
                // The cart's owner hears of the change, whoever made it (the order system
                // completes a shopper's checkout).
                state.live.changed(customer_of(&cart));
                Checkout { checkout, cart }
            });
            Ok(CheckoutPayload {
                checkout,
                user_errors: Vec::new(),
                warnings: warnings.into_iter().map(Into::into).collect(),
            })
        }
    }
}
