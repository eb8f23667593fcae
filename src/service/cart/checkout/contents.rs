//! A checkout's priced contents, frozen when it begins: what the order system charges and
//! fulfils. Stored as JSON; the handoff token carries its SHA-256, so an order system can
//! tell that the contents it was handed are the ones cartql priced. Amounts are integers in
//! the currency's minor units (cents), never floats.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    domain::Money,
    service::{
        cart::view::{CartView, Line},
        pricing::{Allocation, OfferOutcome, PricedCart, PricedLine, PromotionKind},
        promotions::CodeState,
    },
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contents {
    pub checkout_id: String,
    pub cart_id: String,
    /// ISO 4217.
    pub currency: String,
    pub buyer: Buyer,
    pub delivery_option: Option<Delivery>,
    pub lines: Vec<ContentsLine>,
    /// The discount codes that applied.
    pub discount_codes: Vec<String>,
    /// Every promotion that applied, with what it took in all.
    pub promotions: Vec<Discount>,
    pub tax_lines: Vec<Tax>,
    pub totals: Totals,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Buyer {
    pub email: Option<String>,
    pub country_code: Option<String>,
    pub province_code: Option<String>,
    pub postal_code: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub handle: String,
    pub title: String,
    /// What the buyer pays for it (0 when free).
    pub cost_minor: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentsLine {
    pub item_id: String,
    pub product_id: String,
    pub sku: String,
    pub title: String,
    /// The line's attributes as (key, value) pairs, sorted by key.
    pub attributes: Vec<(String, String)>,
    pub quantity: i32,
    pub unit_price_minor: i64,
    pub subtotal_minor: i64,
    pub discounts: Vec<Discount>,
    /// `subtotalMinor` − Σ `discounts`: what the line costs before tax.
    pub total_minor: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Discount {
    pub promotion_id: String,
    pub title: String,
    pub code: Option<String>,
    pub amount_minor: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tax {
    pub title: String,
    /// The rate as a decimal (`"0.13"`).
    pub rate: String,
    pub amount_minor: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub subtotal_minor: i64,
    /// What sale prices saved (already out of `subtotalMinor`).
    pub discount_minor: i64,
    pub promotion_discount_minor: i64,
    pub shipping_minor: Option<i64>,
    pub estimated_tax_minor: i64,
    /// `subtotal − promotionDiscount + shipping + estimatedTax`: what to charge.
    pub total_minor: i64,
}

/// Minor units as stored: totals fit in 64 bits (the pricing property tests hold it).
fn minor(money: Money) -> i64 {
    i64::try_from(money.minor).unwrap_or(i64::MAX)
}

fn discount(allocation: &Allocation) -> Discount {
    Discount {
        promotion_id: allocation.promotion_id.clone(),
        title: allocation.title.clone(),
        code: allocation.code.clone(),
        amount_minor: minor(allocation.amount),
    }
}

fn line_of(line: &Line, priced: &PricedLine) -> ContentsLine {
    let product = line.product.as_ref();
    ContentsLine {
        item_id: line.item.id.clone(),
        product_id: line.item.product_id.clone(),
        sku: product.map(|p| p.sku.clone()).unwrap_or_default(),
        title: product.map(|p| p.name.clone()).unwrap_or_default(),
        attributes: line
            .attributes
            .iter()
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect(),
        quantity: line.item.quantity,
        unit_price_minor: if line.item.quantity == 0 {
            0
        } else {
            minor(priced.subtotal) / i64::from(line.item.quantity)
        },
        subtotal_minor: minor(priced.subtotal),
        discounts: priced.allocations.iter().map(discount).collect(),
        total_minor: minor(priced.discounted_subtotal),
    }
}

impl Contents {
    /// The contents of checkout `checkout_id` of the cart in `view`, priced as `priced`.
    pub fn of(checkout_id: &str, view: &CartView, priced: &PricedCart) -> Self {
        let buyer = view.buyer();
        let delivery = view.selected_option().map(|option| Delivery {
            handle: option.handle.clone(),
            title: option.title.clone(),
            cost_minor: priced.cost.shipping.map_or(option.price, minor),
        });
        // Every promotion that applied, with its whole amount; a FREE_SHIPPING one takes no
        // amount but is used all the same.
        let offers = view
            .offers
            .as_ref()
            .map_or(&[][..], |o| o.offers.as_slice());
        let promotions = offers
            .iter()
            .zip(&priced.outcomes)
            .filter_map(|(offer, outcome)| match outcome {
                OfferOutcome::Applied(amount)
                    if amount.minor > 0 || offer.kind == PromotionKind::FreeShipping =>
                {
                    Some(Discount {
                        promotion_id: offer.id.clone(),
                        title: offer.title.clone(),
                        code: offer.code.clone(),
                        amount_minor: minor(*amount),
                    })
                }
                _ => None,
            })
            .collect();
        let discount_codes = view
            .discount_codes(priced)
            .0
            .into_iter()
            .filter(|code| code.state == CodeState::Applied)
            .map(|code| code.code)
            .collect();
        let cost = priced.cost;
        Self {
            checkout_id: checkout_id.to_owned(),
            cart_id: view.cart.id.clone(),
            currency: view.cart.currency.clone(),
            buyer: Buyer {
                email: buyer.email,
                country_code: buyer.country_code,
                province_code: buyer.province_code,
                postal_code: buyer.postal_code,
            },
            delivery_option: delivery,
            lines: view
                .lines
                .iter()
                .zip(&priced.lines)
                .map(|(line, priced)| line_of(line, priced))
                .collect(),
            discount_codes,
            promotions,
            tax_lines: priced
                .tax_lines
                .iter()
                .map(|tax| Tax {
                    title: tax.title.clone(),
                    rate: tax.rate.to_string(),
                    amount_minor: minor(tax.amount),
                })
                .collect(),
            totals: Totals {
                subtotal_minor: minor(cost.subtotal),
                discount_minor: minor(cost.discount),
                promotion_discount_minor: minor(cost.promotion_discount),
                shipping_minor: cost.shipping.map(minor),
                estimated_tax_minor: minor(cost.estimated_tax),
                total_minor: minor(cost.total),
            },
        }
    }

    /// The stored JSON: the bytes the hash covers.
    pub fn to_json(&self) -> String {
        // Plain structs of strings and integers always serialize.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The ids of the promotions that applied.
    pub fn promotion_ids(&self) -> Vec<String> {
        self.promotions
            .iter()
            .map(|p| p.promotion_id.clone())
            .collect()
    }
}

/// SHA-256 of `json` in lower-case hex: the handoff token's `hash`.
pub fn hash_of(json: &str) -> String {
    hex::encode(Sha256::digest(json.as_bytes()))
}
