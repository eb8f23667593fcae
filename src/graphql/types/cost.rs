//! `CartCost`: a cart's totals.

use async_graphql::SimpleObject;

use crate::{graphql::types::Money, service::pricing};

/// A cart's totals.
#[derive(Clone, Debug, SimpleObject)]
pub struct CartCost {
    /// Σ line subtotals at effective prices.
    pub subtotal: Money,
    /// What product discounts saved: Σ (list price − effective price) × quantity.
    pub discount: Money,
    /// What promotions took off: the sum of every line's `discountAllocations`.
    pub promotion_discount: Money,
    /// Shipping after promotions; null until a delivery option is selected.
    pub shipping: Option<Money>,
    /// Tax on the discounted subtotal (`subtotal` − `promotionDiscount`) at
    /// `CARTQL_TAX_RATE`, rounded half-to-even to the minor unit.
    pub estimated_tax: Money,
    /// `subtotal` − `promotionDiscount` + `shipping` + `estimatedTax`.
    pub total: Money,
}

impl From<pricing::CartCost> for CartCost {
    fn from(cost: pricing::CartCost) -> Self {
        Self {
            subtotal: cost.subtotal.into(),
            discount: cost.discount.into(),
            promotion_discount: cost.promotion_discount.into(),
            shipping: cost.shipping.map(Into::into),
            estimated_tax: cost.estimated_tax.into(),
            total: cost.total.into(),
        }
    }
}
