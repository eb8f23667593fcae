//! The thick middle: cart and catalog rules and their persistence. Nothing here knows GraphQL;
//! functions take parsed domain types and a database handle.

pub mod cart;
pub mod catalog;
pub mod idempotency;
pub mod outcome;
mod page;
pub mod pricing;
pub mod promotions;
pub mod rates;
pub mod seed;
pub mod text_match;

pub use outcome::{ErrorCode, Outcome, UserError, Warning, WarningCode};
pub use page::Page;

use std::time::Duration;

use crate::{
    auth::GuestKey,
    domain::{Currency, Limits, TaxRate},
};

/// The settings the cart rules need, taken once from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct CartSettings {
    pub limits: Limits,
    pub currency: Currency,
    pub tax_rate: TaxRate,
    pub guest_cart_ttl: Duration,
    pub user_cart_ttl: Duration,
    /// Replaces the two above while a cart has no lines.
    pub empty_cart_ttl: Duration,
    /// Signs new guest cart tokens.
    pub guest_key: GuestKey,
    /// How long `beginCheckout` holds stock (`CARTQL_CHECKOUT_HOLD`).
    pub checkout_hold: Duration,
    /// The hold caps and the payment window.
    pub holds: cart::HoldRules,
    /// Whether changes queue their events for the sinks (`CARTQL_NATS_URL`,
    /// `CARTQL_WEBHOOK_URL`).
    pub outbox: cart::Outbox,
    /// PostgreSQL: the common `addToCart` in one statement (`CARTQL_ONE_STATEMENT_ADD`).
    pub one_statement_add: bool,
}
