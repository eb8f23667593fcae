//! `applyDiscountCode` and `removeDiscountCode`.

use async_graphql::{Context, Object, Result};

use super::{cart::writer, payloads::cart_payload};
use crate::{
    error::AppError,
    graphql::{context::ContextExt, types::CartPayload},
    service::{ErrorCode, Outcome, cart},
};

#[derive(Default)]
pub struct DiscountMutation;

#[Object]
impl DiscountMutation {
    /// Puts a discount code on the caller's cart (created if needed). Codes are
    /// case-insensitive; a cart holds at most 5. The code stays on the cart whether or not it
    /// applies now: `cart.discountCodes` shows its state, and a DISCOUNT_NOT_APPLICABLE
    /// warning says what is missing. An unknown code (or one that is switched off or not yet
    /// started) is DISCOUNT_CODE_NOT_FOUND and changes nothing; a caller, or a network, that
    /// enters too many of them is refused (RATE_LIMITED) for a while, known codes included.
    async fn apply_discount_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The code, in any letter case.")] code: String,
        #[graphql(
            desc = "Refuse with VERSION_CONFLICT unless the cart is at this `version` (0 when there is none yet)."
        )]
        expected_version: Option<i64>,
    ) -> Result<CartPayload> {
        let attempts = &ctx.state().code_attempts;
        let guessers = ctx.guessers();
        for guesser in &guessers {
            attempts
                .check(guesser)
                .await
                .map_err(AppError::TooManyAttempts)?;
        }
        let outcome = cart::apply_discount_code(&writer(ctx, expected_version), &code).await?;
        if let Outcome::Rejected(errors) = &outcome
            && errors
                .iter()
                .any(|e| e.code == ErrorCode::DiscountCodeNotFound)
        {
            for guesser in &guessers {
                attempts.failed(guesser).await;
            }
        }
        cart_payload(ctx, outcome).await
    }

    /// Takes a discount code off the caller's cart; a code not on it is
    /// DISCOUNT_CODE_NOT_FOUND.
    async fn remove_discount_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The code, in any letter case.")] code: String,
        #[graphql(
            desc = "Refuse with VERSION_CONFLICT unless the cart is at this `version` (0 when there is none yet)."
        )]
        expected_version: Option<i64>,
    ) -> Result<CartPayload> {
        let outcome = cart::remove_discount_code(&writer(ctx, expected_version), &code).await?;
        cart_payload(ctx, outcome).await
    }
}
