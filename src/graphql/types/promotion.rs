//! `Promotion` and `QuantityRule`.

use async_graphql::{Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::{
    domain::{Currency, Money as DomainMoney},
    entity::promotions,
    graphql::{global_id::NodeKind, scalars::Decimal, types::Money},
    service::promotions::{kind_of, list_of, scope_of},
};

/// What a promotion does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::service::pricing::PromotionKind")]
pub enum PromotionKind {
    /// `value` percent off.
    PercentageOff,
    /// `value` off: off each targeted unit for LINES, once off the order for ORDER.
    AmountOff,
    /// Buy `minQuantity` targeted units, get `getQuantity` more at `value` percent off (the
    /// cheapest units are the ones discounted).
    BuyXGetY,
    /// Free shipping when the conditions are met.
    FreeShipping,
}

/// Where a promotion's amount lands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::service::pricing::PromotionScope")]
pub enum PromotionScope {
    /// Once on the targeted amount of the order, spread over the targeted lines.
    Order,
    /// On each targeted line.
    Lines,
}

/// A discount code or an automatic promotion.
pub struct Promotion(pub promotions::Model);

impl Promotion {
    fn currency(&self) -> Currency {
        Currency::parse(&self.0.currency).unwrap_or(Currency::UNKNOWN)
    }
}

/// A discount code or an automatic promotion.
#[Object]
impl Promotion {
    /// The promotion's id (pass it to `upsertPromotions` to update it).
    pub(crate) async fn id(&self) -> ID {
        NodeKind::Promotion.id(&self.0.id)
    }

    /// The code shoppers enter; null for an automatic promotion.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// Shown to shoppers next to the amount.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What it does; an unknown kind (written by a newer version) reads as PERCENTAGE_OFF
    /// and never applies.
    async fn kind(&self) -> PromotionKind {
        kind_of(&self.0.kind).map_or(PromotionKind::PercentageOff, Into::into)
    }

    /// A percentage (`"12.5"`) or, for AMOUNT_OFF, an amount in `currencyCode`.
    async fn value(&self) -> Decimal {
        let value = self.0.value;
        match kind_of(&self.0.kind) {
            Some(crate::service::pricing::PromotionKind::AmountOff) => {
                Decimal(DomainMoney::new(value, self.currency()).amount())
            }
            _ => Decimal(percent(value)),
        }
    }

    /// ORDER (once on the order, spread over the lines) or LINES (on each targeted line).
    async fn applies_to(&self) -> PromotionScope {
        scope_of(&self.0.scope).map_or(PromotionScope::Order, Into::into)
    }

    /// ISO 4217 code of its amounts.
    async fn currency_code(&self) -> &str {
        &self.0.currency
    }

    /// Targeted products (all targets empty: every line).
    async fn product_ids(&self) -> Vec<ID> {
        list_of(&self.0.product_ids)
            .iter()
            .map(|id| NodeKind::Product.id(id))
            .collect()
    }

    /// Targeted SKUs.
    async fn skus(&self) -> Vec<String> {
        list_of(&self.0.skus)
    }

    /// Targeted shops.
    async fn shop_ids(&self) -> Vec<ID> {
        list_of(&self.0.shop_ids)
            .iter()
            .map(|id| NodeKind::Shop.id(id))
            .collect()
    }

    /// The targeted lines must add up to at least this.
    async fn min_subtotal(&self) -> Option<Money> {
        let currency = self.currency();
        self.0
            .min_subtotal_minor
            .map(|minor| DomainMoney::new(minor, currency).into())
    }

    /// The targeted lines must hold at least this many units (for BUY_X_GET_Y: X).
    async fn min_quantity(&self) -> Option<i32> {
        self.0.min_quantity
    }

    /// BUY_X_GET_Y: units the shopper gets at `value` percent off per `minQuantity` bought.
    async fn get_quantity(&self) -> Option<i32> {
        self.0.get_quantity
    }

    /// Not before this instant.
    async fn starts_at(&self) -> Option<DateTime<Utc>> {
        self.0.starts_at
    }

    /// Not from this instant on.
    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.ends_at
    }

    /// Completed checkouts that may use it in all.
    async fn usage_limit(&self) -> Option<i32> {
        self.0.usage_limit
    }

    /// Completed checkouts that may use it per customer.
    async fn usage_limit_per_customer(&self) -> Option<i32> {
        self.0.usage_limit_per_customer
    }

    /// Completed checkouts that used it.
    async fn times_used(&self) -> i32 {
        self.0.times_used
    }

    /// Whether it combines with other promotions; of those that do not, the best one for the
    /// shopper applies.
    async fn stackable(&self) -> bool {
        self.0.stackable
    }

    /// Whether it is switched on.
    async fn active(&self) -> bool {
        self.0.active
    }
}

/// Hundredths of a percent as a decimal string: 1250 → `"12.5"`, 1000 → `"10"`.
fn percent(hundredths: i64) -> String {
    let whole = hundredths / 100;
    match hundredths % 100 {
        0 => whole.to_string(),
        part if part % 10 == 0 => format!("{whole}.{}", part / 10),
        part => format!("{whole}.{part:02}"),
    }
}

/// How many units one cart line of a product may hold.
#[derive(Clone, Copy, Debug, SimpleObject)]
pub struct QuantityRule {
    /// The fewest units (1 when the product sets none).
    pub minimum: i32,
    /// The most units; null when only the cart's limits apply.
    pub maximum: Option<i32>,
    /// A line holds a multiple of this (1 when the product sets none).
    pub increment: i32,
}

impl From<crate::domain::QuantityRule> for QuantityRule {
    fn from(rule: crate::domain::QuantityRule) -> Self {
        Self {
            minimum: rule.minimum.unwrap_or(1),
            maximum: rule.maximum,
            increment: rule.increment.unwrap_or(1),
        }
    }
}
