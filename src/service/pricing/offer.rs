//! A promotion as pricing sees it, and what one does to a cart's lines: which lines it
//! targets, whether the cart meets its conditions (and if not, what is missing), and the
//! amount it takes off each line.

use crate::domain::{Currency, Money, money::round_half_even};

use super::allocate::largest_remainder;

/// What a promotion does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PromotionKind {
    /// `value` percent off the targeted amount.
    PercentageOff,
    /// `value` (money) off: off each targeted unit for LINES, once off the order for ORDER.
    AmountOff,
    /// Buy `minQuantity` targeted units, get `getQuantity` more at `value` percent off (the
    /// cheapest units are the ones discounted).
    BuyXGetY,
    /// Free shipping when the conditions are met.
    FreeShipping,
}

/// Where a promotion's amount lands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PromotionScope {
    /// Once on the order's targeted amount, spread over the targeted lines.
    Order,
    /// On each targeted line.
    Lines,
}

/// A promotion that may apply to the cart being priced (active, within its dates, with uses
/// left, and — for a code — entered on the cart).
#[derive(Clone, Debug)]
pub struct Offer {
    pub id: String,
    pub title: String,
    pub code: Option<String>,
    pub kind: PromotionKind,
    pub scope: PromotionScope,
    /// Percentages in hundredths of a percent (`1250` = 12.5 %); amounts in minor units of
    /// `currency`.
    pub value: i64,
    pub currency: Currency,
    /// Targeted products, SKUs and shops; all empty targets every line.
    pub product_ids: Vec<String>,
    pub skus: Vec<String>,
    pub shop_ids: Vec<String>,
    /// The targeted lines must add up to at least this (minor units of `currency`).
    pub min_subtotal: Option<i64>,
    /// The targeted lines must hold at least this many units (for BUY_X_GET_Y: X).
    pub min_quantity: Option<i32>,
    /// BUY_X_GET_Y: how many units the shopper gets at `value` percent off per X bought.
    pub get_quantity: Option<i32>,
    pub stackable: bool,
}

/// One line as pricing sees it.
#[derive(Clone, Debug)]
pub struct PricingLine {
    pub product_id: String,
    /// `None` when the product vanished.
    pub sku: Option<String>,
    pub shop_id: Option<String>,
    /// The effective unit price the cart charges (0 when it cannot charge the line).
    pub unit_price: i64,
    /// The list price per unit (equal to `unit_price` unless a sale price applies).
    pub list_price: i64,
    pub quantity: i32,
}

impl PricingLine {
    pub fn subtotal(&self) -> i128 {
        i128::from(self.unit_price) * i128::from(self.quantity)
    }
}

/// A whole percentage in hundredths of a percent.
pub const HUNDRED_PERCENT: i64 = 10_000;

impl Offer {
    /// Whether `line` is one this offer targets.
    pub fn targets(&self, line: &PricingLine) -> bool {
        let everything =
            self.product_ids.is_empty() && self.skus.is_empty() && self.shop_ids.is_empty();
        everything
            || self.product_ids.contains(&line.product_id)
            || line.sku.as_ref().is_some_and(|sku| self.skus.contains(sku))
            || line
                .shop_id
                .as_ref()
                .is_some_and(|shop| self.shop_ids.contains(shop))
    }

    /// Whether the cart meets the offer's conditions, judged on the lines' undiscounted
    /// subtotals (so the order promotions are applied in never changes which apply); if not,
    /// what the shopper must add, in words.
    pub fn unmet(&self, lines: &[PricingLine], currency: Currency) -> Option<String> {
        if self.currency != currency
            && (self.kind == PromotionKind::AmountOff || self.min_subtotal.is_some())
        {
            return Some(format!(
                "it is for carts in {}, not {}",
                self.currency.code(),
                currency.code()
            ));
        }
        let targeted: Vec<&PricingLine> = lines.iter().filter(|l| self.targets(l)).collect();
        if targeted.is_empty() {
            return Some("the cart holds none of the products it applies to".into());
        }
        let units: i64 = targeted.iter().map(|l| i64::from(l.quantity)).sum();
        let needed_units = match self.kind {
            PromotionKind::BuyXGetY => i64::from(self.buy() + self.get()),
            _ => i64::from(self.min_quantity.unwrap_or(0)),
        };
        if units < needed_units {
            let more = needed_units - units;
            let noun = if more == 1 { "item" } else { "items" };
            return Some(format!("add {more} more {noun} it applies to"));
        }
        let subtotal: i128 = targeted.iter().map(|l| l.subtotal()).sum();
        match self.min_subtotal.map(i128::from) {
            Some(min) if subtotal < min => {
                Some(format!("add {} more", Money::new(min - subtotal, currency)))
            }
            _ => None,
        }
    }

    /// X of BUY_X_GET_Y (at least 1).
    fn buy(&self) -> i32 {
        self.min_quantity.unwrap_or(1).max(1)
    }

    /// Y of BUY_X_GET_Y (at least 1).
    fn get(&self) -> i32 {
        self.get_quantity.unwrap_or(1).max(1)
    }

    /// What the offer takes off each line, given what is still left to discount on each
    /// (`left`, never below zero). Every amount is at most the line's `left`.
    pub fn amounts(&self, lines: &[PricingLine], left: &[i128]) -> Vec<i128> {
        let targeted: Vec<bool> = lines.iter().map(|l| self.targets(l)).collect();
        let percent = |amount: i128| {
            round_half_even(
                amount * i128::from(self.value.clamp(0, HUNDRED_PERCENT)),
                10_000,
            )
        };
        let mut amounts = vec![0i128; lines.len()];
        match (self.kind, self.scope) {
            (PromotionKind::FreeShipping, _) => {}
            (PromotionKind::PercentageOff, PromotionScope::Lines) => {
                for i in indices(&targeted) {
                    amounts[i] = percent(left[i]);
                }
            }
            (PromotionKind::PercentageOff, PromotionScope::Order) => {
                let base: i128 = indices(&targeted).map(|i| left[i]).sum();
                self.spread(percent(base), &targeted, left, &mut amounts);
            }
            (PromotionKind::AmountOff, PromotionScope::Lines) => {
                let per_unit = i128::from(self.value.max(0));
                for i in indices(&targeted) {
                    amounts[i] = (per_unit * i128::from(lines[i].quantity)).min(left[i]);
                }
            }
            (PromotionKind::AmountOff, PromotionScope::Order) => {
                let base: i128 = indices(&targeted).map(|i| left[i]).sum();
                let total = i128::from(self.value.max(0)).min(base);
                self.spread(total, &targeted, left, &mut amounts);
            }
            (PromotionKind::BuyXGetY, _) => {
                for (i, units) in self.free_units(lines, &targeted) {
                    let amount = percent(i128::from(lines[i].unit_price) * i128::from(units));
                    amounts[i] = amount.min(left[i]);
                }
            }
        }
        amounts
    }

    /// Spreads an order-level `total` over the targeted lines by what is left on each.
    fn spread(&self, total: i128, targeted: &[bool], left: &[i128], amounts: &mut [i128]) {
        let weights: Vec<i128> = (0..left.len())
            .map(|i| if targeted[i] { left[i] } else { 0 })
            .collect();
        for (amount, share) in amounts.iter_mut().zip(largest_remainder(total, &weights)) {
            *amount = share;
        }
    }

    /// BUY_X_GET_Y: how many units of each targeted line are discounted. Every full group
    /// of X + Y targeted units discounts Y of them, the cheapest first (ties: earlier line).
    fn free_units(&self, lines: &[PricingLine], targeted: &[bool]) -> Vec<(usize, i64)> {
        let units: i64 = indices(targeted)
            .map(|i| i64::from(lines[i].quantity))
            .sum();
        let group = i64::from(self.buy() + self.get());
        let mut free = units / group * i64::from(self.get());
        let mut cheapest: Vec<usize> = indices(targeted).collect();
        cheapest.sort_by_key(|&i| (lines[i].unit_price, i));
        let mut out = Vec::new();
        for i in cheapest {
            if free == 0 {
                break;
            }
            let take = free.min(i64::from(lines[i].quantity));
            out.push((i, take));
            free -= take;
        }
        out
    }
}

fn indices(flags: &[bool]) -> impl Iterator<Item = usize> + '_ {
    flags
        .iter()
        .enumerate()
        .filter(|(_, f)| **f)
        .map(|(i, _)| i)
}
