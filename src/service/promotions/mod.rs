//! Promotions: discount codes and automatic promotions, as admins store them and as a cart
//! finds them. Pricing them is [`pricing`](crate::service::pricing)'s job; this module decides
//! which may apply to a cart (active, within their dates, with uses left) and why the others
//! do not.

mod admin;
mod attempts;
mod many;
mod offers;
mod stored;
mod usage;

pub use admin::{
    PromotionDraft, PromotionFilter, PromotionSpec, find_promotions, list_promotions,
    upsert_promotions,
};
pub use attempts::CodeAttempts;
pub use many::carts_offers;
pub use offers::{CartOffers, CodeState, EnteredCode, cart_offers, customer_of};
pub use stored::{MAX_CODE_LEN, code_key, kind_of, list_of, offer_of, scope_of};
pub use usage::{UsageRefused, count_uses, uncount_uses};

/// Most discount codes one cart holds.
pub const MAX_CODES_PER_CART: usize = 5;
