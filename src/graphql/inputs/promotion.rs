//! `PromotionInput` and `PromotionFilter`.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};

use crate::{
    graphql::{
        global_id::NodeKind,
        scalars::Decimal,
        types::{PromotionKind, PromotionScope},
    },
    service::promotions::{self, PromotionSpec},
};

/// A promotion to create or update: by `id` when given, else by `code`, else a new one.
/// `timesUsed` is counted by completed checkouts and cannot be set.
#[derive(Clone, Debug, InputObject)]
pub struct PromotionInput {
    /// The promotion to update; a new promotion (with this id) when none has it.
    pub id: Option<ID>,
    /// The code shoppers enter (letters, digits, `_`, `-`; matched case-insensitively); null
    /// for an automatic promotion.
    pub code: Option<String>,
    /// Shown to shoppers next to the amount.
    pub title: String,
    /// What it does.
    pub kind: PromotionKind,
    /// A percentage (`"10"`, `"12.5"`) for PERCENTAGE_OFF and BUY_X_GET_Y, an amount in
    /// `currencyCode` for AMOUNT_OFF; omitted for FREE_SHIPPING.
    pub value: Option<Decimal>,
    /// ORDER (once on the order, spread over the lines) or LINES (on each targeted line).
    #[graphql(default_with = "PromotionScope::Order")]
    pub applies_to: PromotionScope,
    /// ISO 4217 code of `value` and `minSubtotal`; the service's currency when omitted. A
    /// promotion with amounts applies to carts in this currency only.
    pub currency_code: Option<String>,
    /// Targeted products, SKUs and shops; all empty targets every line.
    #[graphql(default)]
    pub product_ids: Vec<ID>,
    /// Targeted SKUs.
    #[graphql(default)]
    pub skus: Vec<String>,
    /// Targeted shops.
    #[graphql(default)]
    pub shop_ids: Vec<ID>,
    /// The targeted lines must add up to at least this.
    pub min_subtotal: Option<Decimal>,
    /// The targeted lines must hold at least this many units (for BUY_X_GET_Y: X).
    pub min_quantity: Option<i32>,
    /// BUY_X_GET_Y: units the shopper gets at `value` percent off per `minQuantity` bought.
    pub get_quantity: Option<i32>,
    /// Not before this instant.
    pub starts_at: Option<DateTime<Utc>>,
    /// Not from this instant on.
    pub ends_at: Option<DateTime<Utc>>,
    /// Completed checkouts that may use it in all.
    pub usage_limit: Option<i32>,
    /// Completed checkouts that may use it per customer.
    pub usage_limit_per_customer: Option<i32>,
    /// Whether it combines with other promotions; of the ones that do not, the best one for
    /// the shopper applies.
    #[graphql(default)]
    pub stackable: bool,
    /// Whether it is switched on.
    #[graphql(default = true)]
    pub active: bool,
}

impl PromotionInput {
    pub fn into_spec(self) -> PromotionSpec {
        PromotionSpec {
            id: self.id.map(|id| NodeKind::Promotion.key(&id).to_owned()),
            code: self.code,
            title: self.title,
            kind: self.kind.into(),
            value: self.value.map(|v| v.0),
            scope: self.applies_to.into(),
            currency: self.currency_code,
            product_ids: keys(NodeKind::Product, self.product_ids),
            skus: self.skus,
            shop_ids: keys(NodeKind::Shop, self.shop_ids),
            min_subtotal: self.min_subtotal.map(|v| v.0),
            min_quantity: self.min_quantity,
            get_quantity: self.get_quantity,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            usage_limit: self.usage_limit,
            usage_limit_per_customer: self.usage_limit_per_customer,
            stackable: self.stackable,
            active: self.active,
        }
    }
}

/// Which promotions to list.
#[derive(Clone, Debug, Default, InputObject)]
pub struct PromotionFilter {
    /// Only switched on (true) or off (false) ones.
    pub active: Option<bool>,
    /// Only automatic promotions (true) or only codes (false).
    pub automatic: Option<bool>,
    /// The promotion with this code (any letter case).
    pub code: Option<String>,
}

impl PromotionFilter {
    pub fn into_filter(self) -> promotions::PromotionFilter {
        promotions::PromotionFilter {
            active: self.active,
            automatic: self.automatic,
            code: self.code,
        }
    }
}

/// The row keys of `ids` (global ids of `kind` or bare keys).
fn keys(kind: NodeKind, ids: Vec<ID>) -> Vec<String> {
    ids.iter().map(|id| kind.key(id).to_owned()).collect()
}
