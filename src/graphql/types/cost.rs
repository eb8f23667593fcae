//! `CartCost`: a cart's totals, and `TaxLine`: what its tax is made of.

use async_graphql::SimpleObject;

use crate::{
    domain::{self, Currency},
    graphql::{scalars::Decimal, types::Money},
    service::{cart::checkout, pricing},
};

/// One tax on the cart: its title (`"HST"`, or `"Tax"` for the configured default), rate and
/// amount.
#[derive(Clone, Debug, SimpleObject)]
pub struct TaxLine {
    pub title: String,
    /// The rate as a decimal fraction, e.g. `"0.13"` for 13 %.
    pub rate: Decimal,
    pub amount: Money,
}

/// A cart's totals.
#[derive(Clone, Debug, SimpleObject)]
pub struct CartCost {
    /// Σ line subtotals at effective prices.
    pub subtotal: Money,
    /// What product discounts saved: Σ (list price − effective price) × quantity.
    pub discount: Money,
    /// What promotions took off: the sum of every line's `discountAllocations`.
    pub promotion_discount: Money,
    /// The selected delivery option's cost after its free-over threshold and promotions;
    /// null until a delivery option is selected.
    pub shipping: Option<Money>,
    /// Tax on the discounted subtotal (`subtotal` − `promotionDiscount`) at the buyer's
    /// regional rate (else `CARTQL_TAX_RATE`), rounded half-to-even to the minor unit.
    pub estimated_tax: Money,
    /// The taxes `estimatedTax` is made of; their amounts add up to it exactly.
    pub tax_lines: Vec<TaxLine>,
    /// `subtotal` − `promotionDiscount` + `shipping` + `estimatedTax`.
    pub total: Money,
}

impl From<&pricing::PricedCart> for CartCost {
    fn from(priced: &pricing::PricedCart) -> Self {
        let cost = priced.cost;
        Self {
            subtotal: cost.subtotal.into(),
            discount: cost.discount.into(),
            promotion_discount: cost.promotion_discount.into(),
            shipping: cost.shipping.map(Into::into),
            estimated_tax: cost.estimated_tax.into(),
            tax_lines: priced
                .tax_lines
                .iter()
                .map(|tax| TaxLine {
                    title: tax.title.clone(),
                    rate: Decimal(tax.rate.to_string()),
                    amount: tax.amount.into(),
                })
                .collect(),
            total: cost.total.into(),
        }
    }
}

impl CartCost {
    /// The totals a checkout froze.
    pub fn frozen(contents: &checkout::Contents) -> Self {
        let currency = Currency::parse(&contents.currency).unwrap_or(Currency::UNKNOWN);
        let money = |minor: i64| Money::from(domain::Money::new(minor, currency));
        let totals = &contents.totals;
        Self {
            subtotal: money(totals.subtotal_minor),
            discount: money(totals.discount_minor),
            promotion_discount: money(totals.promotion_discount_minor),
            shipping: totals.shipping_minor.map(money),
            estimated_tax: money(totals.estimated_tax_minor),
            tax_lines: contents
                .tax_lines
                .iter()
                .map(|tax| TaxLine {
                    title: tax.title.clone(),
                    rate: Decimal(tax.rate.clone()),
                    amount: money(tax.amount_minor),
                })
                .collect(),
            total: money(totals.total_minor),
        }
    }
}
