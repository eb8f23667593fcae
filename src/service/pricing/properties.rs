//! Pricing by example and by property: for random carts and promotion sets, the allocations
//! add up, no line goes below zero, the total is what it claims, and the same input prices
//! the same whatever order the promotions come in.

use proptest::prelude::*;

use super::*;
use crate::domain::Money;

fn default_tax() -> TaxRule {
    TaxRule::fallback(TaxRate::default())
}

fn flat(price: i64) -> ShippingCharge {
    ShippingCharge {
        price,
        free_over: None,
    }
}

fn usd() -> Currency {
    Currency::parse("USD").expect("USD")
}

fn line(product: &str, shop: &str, unit_price: i64, quantity: i32) -> PricingLine {
    PricingLine {
        product_id: product.into(),
        sku: Some(format!("SKU-{product}")),
        shop_id: Some(shop.into()),
        unit_price,
        list_price: unit_price,
        quantity,
    }
}

fn offer(id: &str, kind: PromotionKind, scope: PromotionScope, value: i64) -> Offer {
    Offer {
        id: id.into(),
        title: format!("Offer {id}"),
        code: None,
        kind,
        scope,
        value,
        currency: usd(),
        product_ids: Vec::new(),
        skus: Vec::new(),
        shop_ids: Vec::new(),
        min_subtotal: None,
        min_quantity: None,
        get_quantity: None,
        stackable: false,
    }
}

fn allocated(priced: &PricedCart) -> i128 {
    priced
        .lines
        .iter()
        .flat_map(|l| &l.allocations)
        .map(|a| a.amount.minor)
        .sum()
}

#[test]
fn an_order_percentage_is_spread_by_largest_remainder_and_taxed_after() {
    let lines = [line("a", "s", 2_000, 3), line("b", "s", 999, 1)];
    let ten = offer(
        "p1",
        PromotionKind::PercentageOff,
        PromotionScope::Order,
        1_000,
    );
    let priced = price_cart(usd(), &default_tax(), &lines, &[ten], None);
    // 10 % of 69.99 is 6.999, rounded to 7.00, spread 600.08 : 99.91 → 600 + 100.
    assert_eq!(priced.cost.promotion_discount.minor, 700);
    assert_eq!(priced.lines[0].allocations[0].amount.minor, 600);
    assert_eq!(priced.lines[1].allocations[0].amount.minor, 100);
    assert_eq!(priced.order_allocations.len(), 1);
    assert_eq!(priced.order_allocations[0].amount.minor, 700);
    assert_eq!(priced.cost.estimated_tax.minor, 630); // 10 % of 62.99, half to even
    assert_eq!(priced.cost.total.minor, 6_999 - 700 + 630);
}

#[test]
fn buy_two_get_one_discounts_the_cheapest_unit_of_each_group() {
    let lines = [line("a", "s", 1_500, 2), line("b", "s", 1_000, 2)];
    let mut b2g1 = offer("p", PromotionKind::BuyXGetY, PromotionScope::Lines, 10_000);
    b2g1.min_quantity = Some(2);
    b2g1.get_quantity = Some(1);
    let priced = price_cart(usd(), &default_tax(), &lines, &[b2g1.clone()], None);
    // Four units make one group of three: the cheapest unit is free.
    assert_eq!(priced.cost.promotion_discount.minor, 1_000);
    assert!(priced.lines[0].allocations.is_empty());
    assert_eq!(priced.lines[1].discounted_subtotal.minor, 1_000);

    let two = [line("a", "s", 1_500, 2)];
    let priced = price_cart(usd(), &default_tax(), &two, &[b2g1], None);
    assert_eq!(
        priced.outcomes,
        vec![OfferOutcome::Unmet("add 1 more item it applies to".into())]
    );
}

#[test]
fn the_best_non_stackable_offer_wins_and_stackable_ones_add_up() {
    let lines = [line("a", "s", 1_000, 3)];
    let percent = offer(
        "p1",
        PromotionKind::PercentageOff,
        PromotionScope::Order,
        1_000,
    );
    let amount = offer("p2", PromotionKind::AmountOff, PromotionScope::Order, 500);
    let mut stacked = offer("p3", PromotionKind::AmountOff, PromotionScope::Lines, 100);
    stacked.stackable = true;
    let priced = price_cart(
        usd(),
        &default_tax(),
        &lines,
        &[percent, amount, stacked],
        None,
    );
    // Lines first: 1.00 off each of 3 units, then 5.00 off the order beats 10 % of 27.00.
    assert_eq!(
        priced.outcomes,
        vec![
            OfferOutcome::Outbid,
            OfferOutcome::Applied(Money::new(500, usd())),
            OfferOutcome::Applied(Money::new(300, usd())),
        ]
    );
    assert_eq!(priced.cost.promotion_discount.minor, 800);
}

#[test]
fn conditions_say_what_is_missing() {
    let lines = [line("a", "s", 3_800, 1)];
    let mut big = offer(
        "p",
        PromotionKind::PercentageOff,
        PromotionScope::Order,
        1_000,
    );
    big.min_subtotal = Some(5_000);
    let mut shop = offer(
        "q",
        PromotionKind::PercentageOff,
        PromotionScope::Lines,
        1_000,
    );
    shop.shop_ids = vec!["elsewhere".into()];
    let priced = price_cart(usd(), &default_tax(), &lines, &[big, shop], None);
    assert_eq!(
        priced.outcomes,
        vec![
            OfferOutcome::Unmet("add $12.00 more".into()),
            OfferOutcome::Unmet("the cart holds none of the products it applies to".into()),
        ]
    );
    assert_eq!(priced.cost.total.minor, 3_800 + 380);
}

#[test]
fn free_shipping_zeroes_the_shipping_and_counts_for_the_best_choice() {
    let lines = [line("a", "s", 1_000, 1)];
    let mut free = offer("p1", PromotionKind::FreeShipping, PromotionScope::Order, 0);
    free.min_subtotal = Some(500);
    let small = offer("p2", PromotionKind::AmountOff, PromotionScope::Order, 100);
    let priced = price_cart(
        usd(),
        &default_tax(),
        &lines,
        &[free, small],
        Some(flat(799)),
    );
    assert!(priced.free_shipping);
    assert_eq!(priced.cost.shipping, Some(Money::new(0, usd())));
    assert_eq!(priced.outcomes[1], OfferOutcome::Outbid);
    assert_eq!(priced.cost.total.minor, 1_000 + 100);
}

#[test]
fn a_sale_price_above_the_list_price_is_ignored() {
    let product = crate::entity::products::Model::fixture(500, Some(900), 1);
    assert_eq!(effective_price(&product), 500);
}

fn any_line() -> impl Strategy<Value = PricingLine> {
    (
        0..4u8,
        0..3u8,
        0..=Money::MAX_PRICE_MINOR,
        1..=999i32,
        0..=1_000_000i64,
    )
        .prop_map(|(product, shop, price, quantity, sale)| PricingLine {
            product_id: format!("p{product}"),
            sku: Some(format!("SKU-p{product}")),
            shop_id: Some(format!("s{shop}")),
            unit_price: price.saturating_sub(sale).max(0),
            list_price: price,
            quantity,
        })
}

fn any_offer() -> impl Strategy<Value = Offer> {
    (
        0..40u8,
        prop_oneof![
            Just(PromotionKind::PercentageOff),
            Just(PromotionKind::AmountOff),
            Just(PromotionKind::BuyXGetY),
            Just(PromotionKind::FreeShipping),
        ],
        prop_oneof![Just(PromotionScope::Order), Just(PromotionScope::Lines)],
        (0..=HUNDRED_PERCENT, 0..=Money::MAX_PRICE_MINOR),
        (proptest::option::of(0..4u8), proptest::option::of(0..3u8)),
        (
            proptest::option::of(0..=Money::MAX_PRICE_MINOR),
            proptest::option::of(1..=5i32),
            proptest::option::of(1..=3i32),
        ),
        any::<bool>(),
    )
        .prop_map(
            |(id, kind, scope, (percent, amount), (product, shop), conditions, stackable)| {
                let (min_subtotal, min_quantity, get_quantity) = conditions;
                Offer {
                    id: format!("promo-{id:02}"),
                    value: if kind == PromotionKind::AmountOff {
                        amount
                    } else {
                        percent
                    },
                    product_ids: product.map(|p| vec![format!("p{p}")]).unwrap_or_default(),
                    shop_ids: shop.map(|s| vec![format!("s{s}")]).unwrap_or_default(),
                    min_subtotal,
                    min_quantity,
                    get_quantity,
                    stackable,
                    ..offer("", kind, scope, 0)
                }
            },
        )
}

proptest! {
    #[test]
    fn allocations_add_up_lines_stay_non_negative_and_totals_hold(
        lines in proptest::collection::vec(any_line(), 0..=30),
        offers in proptest::collection::vec(any_offer(), 0..=6),
        rate_millionths in 0..=1_000_000u32,
        shipping in proptest::option::of((0..=100_000i64, proptest::option::of(0..=500_000i64))),
    ) {
        let shipping = shipping.map(|(price, free_over)| ShippingCharge { price, free_over });
        let mut offers = offers;
        offers.sort_by(|a, b| a.id.cmp(&b.id));
        offers.dedup_by(|a, b| a.id == b.id);
        let rate = TaxRule {
            title: "Tax".into(),
            rate: TaxRate::parse(&format!("0.{rate_millionths:06}")).unwrap_or_default(),
        };
        let priced = price_cart(usd(), &rate, &lines, &offers, shipping);

        prop_assert_eq!(allocated(&priced), priced.cost.promotion_discount.minor);
        for (line, out) in lines.iter().zip(&priced.lines) {
            prop_assert_eq!(out.subtotal.minor, line.subtotal());
            prop_assert!(out.discounted_subtotal.minor >= 0);
            let off: i128 = out.allocations.iter().map(|a| a.amount.minor).sum();
            prop_assert_eq!(out.discounted_subtotal.minor, line.subtotal() - off);
        }
        let cost = priced.cost;
        prop_assert_eq!(
            cost.total.minor,
            cost.subtotal.minor - cost.promotion_discount.minor
                + cost.shipping.map_or(0, |s| s.minor)
                + cost.estimated_tax.minor
        );
        prop_assert!(cost.estimated_tax.minor >= 0);
        // The tax lines add up to the tax, exactly.
        let taxed: i128 = priced.tax_lines.iter().map(|t| t.amount.minor).sum();
        prop_assert_eq!(taxed, cost.estimated_tax.minor);
        // Shipping past its threshold is free.
        if let (Some(charge), Some(paid)) = (shipping, cost.shipping) {
            let discounted = cost.subtotal.minor - cost.promotion_discount.minor;
            if charge.free_over.is_some_and(|f| discounted >= i128::from(f)) {
                prop_assert_eq!(paid.minor, 0);
            }
        }
        // Even a cart of the priciest products totals within a 64-bit integer.
        prop_assert!(i64::try_from(cost.total.minor).is_ok());
        // Each order-level promotion's whole amount is the sum of its shares on the lines.
        for order in &priced.order_allocations {
            let shares: i128 = priced.lines.iter().flat_map(|l| &l.allocations)
                .filter(|a| a.promotion_id == order.promotion_id)
                .map(|a| a.amount.minor)
                .sum();
            prop_assert_eq!(shares, order.amount.minor);
        }
        // The same input prices the same, whatever order the offers are listed in.
        prop_assert_eq!(&price_cart(usd(), &rate, &lines, &offers, shipping), &priced);
        let mut reversed = offers.clone();
        reversed.reverse();
        let again = price_cart(usd(), &rate, &lines, &reversed, shipping);
        prop_assert_eq!(again.cost, priced.cost);
        prop_assert_eq!(again.lines, priced.lines);
    }
}
