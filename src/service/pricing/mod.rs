//! Pricing: pure arithmetic on minor units, no database. One function, [`price_cart`], turns
//! a cart's lines, the promotions that may apply and a tax rate into a priced cart.

mod allocate;
mod offer;
#[cfg(test)]
mod properties;

use crate::{
    domain::{Currency, Money, TaxRate},
    entity::products,
};

/// The rate a cart is taxed at, and the title its tax line carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxRule {
    pub title: String,
    pub rate: TaxRate,
}

impl TaxRule {
    /// The configured default rate (`CARTQL_TAX_RATE`), titled plainly.
    pub fn fallback(rate: TaxRate) -> Self {
        Self {
            title: "Tax".to_owned(),
            rate,
        }
    }
}

/// The selected delivery option's charge: its price, free once the discounted subtotal
/// reaches `free_over`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShippingCharge {
    pub price: i64,
    pub free_over: Option<i64>,
}

/// One tax on the cart: what `estimatedTax` is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxLine {
    pub title: String,
    pub rate: TaxRate,
    pub amount: Money,
}

pub use offer::{HUNDRED_PERCENT, Offer, PricingLine, PromotionKind, PromotionScope};

/// The effective unit price of a product: its discount price when that is lower.
pub fn effective_price(product: &products::Model) -> i64 {
    match product.discount_price_minor {
        Some(discounted) if discounted < product.price_minor => discounted,
        _ => product.price_minor,
    }
}

/// A cart's totals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CartCost {
    /// Σ effective unit price × quantity.
    pub subtotal: Money,
    /// Σ (list price − effective price) × quantity: what sale prices saved.
    pub discount: Money,
    /// What promotions took off: Σ of every line's allocations.
    pub promotion_discount: Money,
    /// Shipping after promotions; `None` until a delivery option prices it.
    pub shipping: Option<Money>,
    /// Tax on the discounted subtotal (and shipping, see [`price_cart`]) at the cart's rate,
    /// rounded half-to-even.
    pub estimated_tax: Money,
    /// `subtotal − promotionDiscount + shipping + estimatedTax`.
    pub total: Money,
}

/// What one promotion took off a line (or, for the cart's order-level list, off the order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    pub promotion_id: String,
    pub title: String,
    pub code: Option<String>,
    pub amount: Money,
}

/// One line, priced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedLine {
    pub subtotal: Money,
    /// Every promotion's amount on this line, order-level shares included, in the order the
    /// promotions were applied.
    pub allocations: Vec<Allocation>,
    /// `subtotal` − Σ `allocations`; never below zero.
    pub discounted_subtotal: Money,
}

/// What became of one offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OfferOutcome {
    /// It applied and took this much (shipping it made free not included).
    Applied(Money),
    /// The cart does not meet its conditions: what is missing.
    Unmet(String),
    /// It is not stackable and another non-stackable promotion gives the shopper more.
    Outbid,
}

/// A cart priced: per line, per promotion, and in total.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedCart {
    /// In the order of the lines priced.
    pub lines: Vec<PricedLine>,
    /// The order-level promotions that applied, each with its whole amount.
    pub order_allocations: Vec<Allocation>,
    /// Per offer, in the order of the offers given.
    pub outcomes: Vec<OfferOutcome>,
    /// A FREE_SHIPPING promotion applied.
    pub free_shipping: bool,
    /// The taxes making up `cost.estimated_tax` (none at a zero rate).
    pub tax_lines: Vec<TaxLine>,
    pub cost: CartCost,
}

/// Prices a cart: the one pricing function behind the cart view, `cartSummary`, live updates
/// and merge and sync reports. Pure and deterministic: the same lines and offers price the
/// same on every call and every backend.
///
/// Offers whose conditions the cart meets apply: every stackable one, and of the non-stackable
/// ones the single best for the shopper (ties to the smaller id). They apply LINES-scoped
/// first, then ORDER-scoped, each in id order, each on what the earlier ones left; a line is
/// never discounted below zero. `shipping` is the selected delivery option's charge, if any:
/// free under a FREE_SHIPPING promotion or once the discounted subtotal reaches its
/// threshold. Tax is `tax`'s rate on the discounted subtotal; shipping is not taxed.
pub fn price_cart(
    currency: Currency,
    tax: &TaxRule,
    lines: &[PricingLine],
    offers: &[Offer],
    shipping: Option<ShippingCharge>,
) -> PricedCart {
    let unmet: Vec<Option<String>> = offers.iter().map(|o| o.unmet(lines, currency)).collect();
    let applicable = || (0..offers.len()).filter(|&i| unmet[i].is_none());
    let stackable: Vec<usize> = applicable().filter(|&i| offers[i].stackable).collect();
    let mut singles: Vec<usize> = applicable().filter(|&i| !offers[i].stackable).collect();
    singles.sort_by(|&a, &b| offers[a].id.cmp(&offers[b].id));

    let mut best = apply(lines, offers, &stackable, shipping);
    for &single in &singles {
        let with: Vec<usize> = stackable.iter().copied().chain([single]).collect();
        let candidate = apply(lines, offers, &with, shipping);
        // Strictly more wins, so among equals the smaller id (tried first) stays.
        if best.single.is_none() || candidate.value > best.value {
            best = Applied {
                single: Some(single),
                ..candidate
            };
        }
    }

    let outcomes = (0..offers.len())
        .map(|i| match &unmet[i] {
            Some(reason) => OfferOutcome::Unmet(reason.clone()),
            None if !offers[i].stackable && best.single != Some(i) => OfferOutcome::Outbid,
            None => OfferOutcome::Applied(Money::new(best.taken[i], currency)),
        })
        .collect();
    finish(currency, tax, lines, offers, best, outcomes, shipping)
}

/// The result of applying a set of offers.
struct Applied {
    /// The non-stackable offer in the set, if any.
    single: Option<usize>,
    /// Per line, per applied offer (in application order): the amount.
    per_line: Vec<Vec<(usize, i128)>>,
    /// Per offer (by index into the offers), the total it took.
    taken: Vec<i128>,
    free_shipping: bool,
    /// What the set is worth to the shopper: amounts plus shipping made free.
    value: i128,
}

fn apply(
    lines: &[PricingLine],
    offers: &[Offer],
    set: &[usize],
    shipping: Option<ShippingCharge>,
) -> Applied {
    let mut order: Vec<usize> = set.to_vec();
    order.sort_by(|&a, &b| {
        let rank = |o: &Offer| (o.scope != PromotionScope::Lines, o.id.clone());
        rank(&offers[a]).cmp(&rank(&offers[b]))
    });
    let mut left: Vec<i128> = lines.iter().map(PricingLine::subtotal).collect();
    let mut per_line = vec![Vec::new(); lines.len()];
    let mut taken = vec![0i128; offers.len()];
    let mut free_shipping = false;
    for i in order {
        let offer = &offers[i];
        free_shipping |= offer.kind == PromotionKind::FreeShipping;
        for (line, amount) in offer.amounts(lines, &left).into_iter().enumerate() {
            if amount > 0 {
                left[line] -= amount;
                per_line[line].push((i, amount));
                taken[i] += amount;
            }
        }
    }
    let shipping_saved = if free_shipping {
        i128::from(shipping.map_or(0, |s| s.price))
    } else {
        0
    };
    Applied {
        single: None,
        value: taken.iter().sum::<i128>() + shipping_saved,
        per_line,
        taken,
        free_shipping,
    }
}

fn finish(
    currency: Currency,
    tax: &TaxRule,
    lines: &[PricingLine],
    offers: &[Offer],
    applied: Applied,
    outcomes: Vec<OfferOutcome>,
    shipping: Option<ShippingCharge>,
) -> PricedCart {
    let allocation = |i: usize, amount: i128| Allocation {
        promotion_id: offers[i].id.clone(),
        title: offers[i].title.clone(),
        code: offers[i].code.clone(),
        amount: Money::new(amount, currency),
    };
    let priced: Vec<PricedLine> = lines
        .iter()
        .zip(&applied.per_line)
        .map(|(line, amounts)| {
            let subtotal = line.subtotal();
            let off: i128 = amounts.iter().map(|(_, a)| a).sum();
            PricedLine {
                subtotal: Money::new(subtotal, currency),
                allocations: amounts.iter().map(|&(i, a)| allocation(i, a)).collect(),
                discounted_subtotal: Money::new(subtotal - off, currency),
            }
        })
        .collect();
    let mut order_level: Vec<usize> = (0..offers.len())
        .filter(|&i| offers[i].scope == PromotionScope::Order && applied.taken[i] > 0)
        .collect();
    order_level.sort_by(|&a, &b| offers[a].id.cmp(&offers[b].id));

    let subtotal: i128 = lines.iter().map(PricingLine::subtotal).sum();
    let sale_savings: i128 = lines
        .iter()
        .map(|l| i128::from(l.list_price - l.unit_price) * i128::from(l.quantity))
        .sum();
    let promotion_discount: i128 = applied.taken.iter().sum();
    let discounted = subtotal - promotion_discount;
    let shipping = shipping.map(|s| {
        let over_threshold = s.free_over.is_some_and(|f| discounted >= i128::from(f));
        if applied.free_shipping || over_threshold {
            0
        } else {
            i128::from(s.price)
        }
    });
    let tax_amount = tax.rate.tax_on(discounted);
    let tax_lines = match tax.rate.is_zero() {
        true => Vec::new(),
        false => vec![TaxLine {
            title: tax.title.clone(),
            rate: tax.rate,
            amount: Money::new(tax_amount, currency),
        }],
    };
    PricedCart {
        lines: priced,
        order_allocations: order_level
            .into_iter()
            .map(|i| allocation(i, applied.taken[i]))
            .collect(),
        outcomes,
        free_shipping: applied.free_shipping,
        tax_lines,
        cost: CartCost {
            subtotal: Money::new(subtotal, currency),
            discount: Money::new(sale_savings, currency),
            promotion_discount: Money::new(promotion_discount, currency),
            shipping: shipping.map(|s| Money::new(s, currency)),
            estimated_tax: Money::new(tax_amount, currency),
            total: Money::new(discounted + shipping.unwrap_or(0) + tax_amount, currency),
        },
    }
}
