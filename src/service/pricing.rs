//! Cart totals from a loaded cart: pure arithmetic on minor units, no database.

use crate::{
    domain::{Currency, Money, TaxRate},
    entity::products,
};

/// The effective unit price of a product: its discount price when that is lower.
pub fn effective_price(product: &products::Model) -> i64 {
    match product.discount_price_minor {
        Some(discounted) if discounted < product.price_minor => discounted,
        _ => product.price_minor,
    }
}

/// The totals of a cart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CartCost {
    /// Σ effective unit price × quantity.
    pub subtotal: Money,
    /// Σ (list price − effective price) × quantity: what discounts saved.
    pub discount: Money,
    /// Tax on the subtotal at the configured rate, rounded half-to-even.
    pub estimated_tax: Money,
    /// Subtotal + tax.
    pub total: Money,
}

/// One priced line: the product (if it still exists) and the quantity.
pub struct PricedLine<'a> {
    pub product: Option<&'a products::Model>,
    pub quantity: i32,
}

/// Totals over `lines`. Lines whose product vanished or is priced in another currency have no
/// price the cart can charge and are left out.
pub fn cart_cost<'a>(
    currency: Currency,
    tax_rate: TaxRate,
    lines: impl IntoIterator<Item = PricedLine<'a>>,
) -> CartCost {
    let (mut subtotal, mut discount) = (0i128, 0i128);
    for line in lines {
        let Some(product) = line.product else {
            continue;
        };
        if !product.currency.eq_ignore_ascii_case(currency.code()) {
            continue;
        }
        let quantity = i128::from(line.quantity);
        let effective = i128::from(effective_price(product));
        subtotal += effective * quantity;
        discount += (i128::from(product.price_minor) - effective) * quantity;
    }
    let tax = tax_rate.tax_on(subtotal);
    CartCost {
        subtotal: Money::new(subtotal, currency),
        discount: Money::new(discount, currency),
        estimated_tax: Money::new(tax, currency),
        total: Money::new(subtotal + tax, currency),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(price: i64, discount: Option<i64>) -> products::Model {
        products::Model::fixture(price, discount, 10)
    }

    #[test]
    fn totals_use_effective_prices_and_exact_tax() {
        let usd = Currency::parse("USD").expect("USD");
        let a = product(1_000, Some(750));
        let b = product(333, None);
        let gone = None;
        let cost = cart_cost(
            usd,
            TaxRate::default(),
            [
                PricedLine {
                    product: Some(&a),
                    quantity: 3,
                },
                PricedLine {
                    product: Some(&b),
                    quantity: 1,
                },
                PricedLine {
                    product: gone,
                    quantity: 9,
                },
            ],
        );
        assert_eq!(cost.subtotal.minor, 2_250 + 333);
        assert_eq!(cost.discount.minor, 750);
        assert_eq!(cost.estimated_tax.minor, 258); // 258.3
        assert_eq!(cost.total.minor, 2_583 + 258);
    }

    #[test]
    fn a_discount_above_the_price_is_ignored() {
        assert_eq!(effective_price(&product(500, Some(900))), 500);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::Money;

    fn line() -> impl Strategy<Value = (i64, Option<i64>, i32)> {
        (0..=Money::MAX_PRICE_MINOR)
            .prop_flat_map(|price| (Just(price), proptest::option::of(0..=price), 1..=999i32))
    }

    proptest! {
        #[test]
        fn totals_equal_the_sum_of_their_lines_and_never_overflow(
            lines in proptest::collection::vec(line(), 0..=250),
            rate_millionths in 0..=1_000_000u32,
        ) {
            let usd = Currency::parse("USD").expect("USD");
            let rate = TaxRate::parse(&format!("0.{rate_millionths:06}")).unwrap_or_default();
            let products: Vec<_> = lines.iter().map(|(p, d, _)| products::Model::fixture(*p, *d, 1)).collect();
            let cost = cart_cost(usd, rate, products.iter().zip(&lines).map(|(p, (_, _, q))| PricedLine { product: Some(p), quantity: *q }));

            let subtotal: i128 = lines.iter().map(|(p, d, q)| i128::from(d.unwrap_or(*p)) * i128::from(*q)).sum();
            let discount: i128 = lines.iter().map(|(p, d, q)| i128::from(p - d.unwrap_or(*p)) * i128::from(*q)).sum();
            prop_assert_eq!(cost.subtotal.minor, subtotal);
            prop_assert_eq!(cost.discount.minor, discount);
            prop_assert_eq!(cost.total.minor, cost.subtotal.minor + cost.estimated_tax.minor);
            prop_assert!(cost.estimated_tax.minor >= 0 && cost.estimated_tax.minor <= subtotal);
            // The total of a full cart of the priciest products still fits a 64-bit integer.
            prop_assert!(i64::try_from(cost.total.minor).is_ok());
        }

        #[test]
        fn printed_amounts_parse_back_to_the_same_minor_units(minor in 0..=Money::MAX_PRICE_MINOR, code in "(USD|EUR|JPY|KWD|CHF)") {
            let currency = Currency::parse(&code).expect("a currency");
            let printed = Money::new(minor, currency).amount();
            prop_assert_eq!(Money::parse_price(&printed, currency), Ok(minor));
        }
    }
}
