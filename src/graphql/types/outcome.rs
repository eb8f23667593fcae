//! `userErrors` and `warnings`: what a mutation refused or adjusted, with stable codes.

use async_graphql::{Enum, ID, SimpleObject};

use crate::{
    graphql::global_id::NodeKind,
    service::{UserError, Warning, WarningCode},
};

/// Why a mutation was refused. A refused mutation changed nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::service::ErrorCode")]
pub enum CartErrorCode {
    /// The quantity is below 1 (or below 0 for `updateCartItem`).
    InvalidQuantity,
    /// No product has this id or SKU.
    ProductNotFound,
    /// The product exists but is not for sale (inactive or vanished).
    ProductUnavailable,
    /// The product has no stock at all.
    OutOfStock,
    /// No line with this id is in your cart.
    ItemNotFound,
    /// The cart already holds the maximum number of lines.
    CartLimitExceeded,
    /// The line would exceed the per-line quantity limit.
    QuantityLimitExceeded,
    /// An attribute is malformed, too long, duplicated, or there are too many.
    InvalidAttribute,
    /// The product requires an attribute the line does not carry.
    MissingRequiredAttribute,
    /// The `X-Cart-Token` names no open cart (expired, cleared or merged); drop it.
    InvalidGuestToken,
    /// The product is priced in another currency than the cart.
    CurrencyMismatch,
    /// A product given to `upsertProducts` is invalid.
    InvalidProduct,
    /// `expectedVersion` differs from the cart's version: someone changed it meanwhile. The
    /// payload's `cart` is the current cart.
    VersionConflict,
    /// The `X-Cart-Token` (or `guestToken`) names a guest cart that expired; drop it and start
    /// a new cart.
    CartExpired,
    /// The cart note is too long or holds control characters.
    InvalidNote,
    /// A promotion given to `upsertPromotions` is invalid.
    InvalidPromotion,
    /// No discount code matches (codes are case-insensitive). Repeated misses from one caller
    /// are rate limited.
    DiscountCodeNotFound,
    /// The cart already holds the most discount codes it may (5); or, when a checkout begins
    /// or completes, one of its promotions was just used as often as it may be (reload the
    /// cart: it prices without it).
    DiscountCodeLimitExceeded,
    /// The quantity breaks the product's quantity rule (minimum, maximum, increment); the
    /// message states the rule.
    QuantityRuleViolated,
    /// The cart is in checkout: its lines, codes, buyer and delivery option are frozen until
    /// `cancelCheckout`, or until the checkout completes or its hold expires.
    CartLocked,
    /// `beginCheckout` on a cart without lines.
    CartEmpty,
    /// `beginCheckout`: a line wants more units than can be sold now (stock not held by
    /// other checkouts); the message says how many are left.
    NotEnoughStock,
    /// A buyer identity field is malformed; the message says what was expected.
    InvalidBuyerIdentity,
    /// `beginCheckout` needs the buyer's email and country (`updateBuyerIdentity`).
    BuyerIdentityIncomplete,
    /// A tax rate given to `upsertTaxRates` is invalid.
    InvalidTaxRate,
    /// A shipping rate given to `upsertShippingRates` is invalid.
    InvalidShippingRate,
    /// No delivery option with this handle serves the buyer's country in the cart's
    /// currency (or the buyer has no country yet).
    DeliveryOptionNotFound,
    /// No checkout has this id (or the cart has no checkout in progress).
    CheckoutNotFound,
    /// The checkout's hold expired before it completed; its stock was released and the cart
    /// reopened.
    CheckoutExpired,
    /// The checkout ended (cancelled, released, or completed as another order); it cannot
    /// move on.
    CheckoutClosed,
    /// `orderReference` is empty, too long, or holds control characters.
    InvalidOrderReference,
    /// `beginCheckout`: the buyer's email or network already holds as many open checkouts,
    /// or as large a share of a product's stock, as one buyer may; or this cart's last
    /// checkout ended moments ago. The message says which and what to do.
    HoldLimitExceeded,
    /// `cancelCheckout`: the order system has claimed the checkout and is taking payment.
    CheckoutClaimed,
}

/// What a mutation adjusted while applying your request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::service::WarningCode")]
pub enum CartWarningCode {
    /// The quantity was cut to the stock available.
    NotEnoughStock,
    /// A merge clamped, dropped or combined a line.
    MergeAdjusted,
    /// The product's price moved since the line was added; `target` is the line.
    PriceChanged,
    /// A discount code on the cart does not apply (yet); the message says what is missing,
    /// `target` is the code.
    DiscountNotApplicable,
    /// `syncCart` or `mergeGuestCart` set a line's quantity to what the product's quantity
    /// rule allows.
    QuantityRuleApplied,
}

/// A refusal of a mutation: nothing was changed.
#[derive(Clone, Debug, SimpleObject)]
pub struct CartUserError {
    /// What went wrong, for code to branch on.
    pub code: CartErrorCode,
    /// Path to the input at fault, e.g. `["input", "quantity"]`.
    pub field: Option<Vec<String>>,
    /// What went wrong, for people.
    pub message: String,
}

/// The payload form of a refusal's errors, counted by code for `/metrics`.
pub fn report_user_errors(errors: Vec<UserError>) -> Vec<CartUserError> {
    let errors: Vec<CartUserError> = errors.into_iter().map(Into::into).collect();
    let codes: Vec<String> = errors
        .iter()
        .map(|e| match async_graphql::InputType::to_value(&e.code) {
            async_graphql::Value::Enum(name) => name.to_string(),
            other => other.to_string(),
        })
        .collect();
    crate::metrics::user_errors(codes.iter().map(String::as_str));
    errors
}

impl From<UserError> for CartUserError {
    fn from(error: UserError) -> Self {
        Self {
            code: error.code.into(),
            field: (!error.field.is_empty()).then_some(error.field),
            message: error.message,
        }
    }
}

/// An adjustment the mutation made; the change itself went through.
#[derive(Clone, Debug, SimpleObject)]
pub struct CartWarning {
    /// What was adjusted, for code to branch on.
    pub code: CartWarningCode,
    /// What was adjusted, for people.
    pub message: String,
    /// The affected cart line, when there is one.
    pub target: Option<ID>,
}

impl From<Warning> for CartWarning {
    fn from(warning: Warning) -> Self {
        Self {
            code: warning.code.into(),
            message: warning.message,
            // A code's warning names the code; every other warning names a line.
            target: warning.target.map(|target| match warning.code {
                WarningCode::DiscountNotApplicable => ID(target),
                _ => NodeKind::CartItem.id(&target),
            }),
        }
    }
}
