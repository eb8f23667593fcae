//! The cart rules that decide a line's new quantity: availability, required attributes,
//! stock and limits. Pure functions, so each rule is easy to see and to test.

use crate::{
    domain::{Attributes, Limits},
    entity::{carts, products},
    service::{ErrorCode, UserError, Warning, WarningCode, catalog},
};

/// Everything that decides whether `product` with `attributes` may go into `cart` at all;
/// `prefix` is the path of the client's line input.
pub(super) fn check_can_add(
    product: &products::Model,
    attributes: &Attributes,
    cart: &carts::Model,
    prefix: &[&str],
) -> Result<(), UserError> {
    let field = |last: &'static str| [prefix, &[last]].concat();
    check_available(product, &field("product"))?;
    check_required_attributes(product, attributes, &field("attributes"))?;
    if !product.currency.eq_ignore_ascii_case(&cart.currency) {
        return Err(UserError::new(
            ErrorCode::CurrencyMismatch,
            &field("product"),
            format!(
                "{} is priced in {}, the cart in {}",
                product.sku, product.currency, cart.currency
            ),
        ));
    }
    Ok(())
}

/// Refuses products that cannot be put in a cart at all.
pub(super) fn check_available(product: &products::Model, field: &[&str]) -> Result<(), UserError> {
    if !product.active {
        return Err(UserError::new(
            ErrorCode::ProductUnavailable,
            field,
            format!("{} is not available for sale", product.sku),
        ));
    }
    if catalog::available(product) <= 0 {
        return Err(UserError::new(
            ErrorCode::OutOfStock,
            field,
            format!("{} is out of stock", product.sku),
        ));
    }
    Ok(())
}

/// Every attribute key the product requires must be present.
pub(super) fn check_required_attributes(
    product: &products::Model,
    attributes: &Attributes,
    field: &[&str],
) -> Result<(), UserError> {
    match catalog::required_attributes(product)
        .into_iter()
        .find(|key| !attributes.contains_key(key))
    {
        Some(missing) => Err(UserError::new(
            ErrorCode::MissingRequiredAttribute,
            field,
            format!("{} needs the attribute `{missing}`", product.sku),
        )),
        None => Ok(()),
    }
}

/// The quantity a line ends with when the client asks for `desired` in total: over the per-line
/// limit or against the product's quantity rule is refused; over the stock is cut to the most
/// the stock and the rule allow, with a NOT_ENOUGH_STOCK warning.
pub(super) fn settle_quantity(
    desired: u64,
    product: &products::Model,
    limits: &Limits,
    field: &[&str],
) -> Result<(i32, Option<Warning>), UserError> {
    if desired > u64::from(limits.max_line_quantity) {
        return Err(UserError::new(
            ErrorCode::QuantityLimitExceeded,
            field,
            format!(
                "a line holds at most {} of a product",
                limits.max_line_quantity
            ),
        ));
    }
    let rule = catalog::quantity_rule(product);
    let broken = |message: String| UserError::new(ErrorCode::QuantityRuleViolated, field, message);
    if !rule.allows(desired as i64) {
        return Err(broken(format!(
            "{} is sold {rule}, so a line cannot hold {desired}",
            product.sku
        )));
    }
    let stock = u64::try_from(catalog::available(product)).unwrap_or(0);
    if desired <= stock {
        return Ok((desired as i32, None));
    }
    let Some(cut) = rule.largest_within(stock as i64) else {
        return Err(broken(format!(
            "only {stock} of {} are available, and it is sold {rule}",
            product.sku
        )));
    };
    let warning = Warning {
        code: WarningCode::NotEnoughStock,
        message: format!(
            "only {stock} of {} are available; the quantity was cut to {cut}",
            product.sku
        ),
        target: None,
    };
    Ok((cut as i32, Some(warning)))
}

/// For sync, which adjusts rather than refuses a quantity the product's rule does not allow:
/// `desired` is brought to the largest quantity the rule allows at most `desired` (else the
/// rule's minimum), with a QUANTITY_RULE_APPLIED warning, then settled like any quantity.
pub(super) fn fit_quantity(
    desired: u64,
    product: &products::Model,
    limits: &Limits,
    field: &[&str],
) -> Result<(i32, Vec<Warning>), UserError> {
    let rule = catalog::quantity_rule(product);
    let asked = desired as i64;
    let fitted = rule
        .largest_within(asked)
        .or_else(|| rule.minimum.map(i64::from))
        .unwrap_or(asked);
    let mut warnings = Vec::new();
    if fitted != asked {
        warnings.push(Warning {
            code: WarningCode::QuantityRuleApplied,
            message: format!(
                "{} is sold {rule}: the quantity was set to {fitted} instead of {asked}",
                product.sku
            ),
            target: None,
        });
    }
    let (quantity, stock) = settle_quantity(fitted as u64, product, limits, field)?;
    warnings.extend(stock);
    Ok((quantity, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(stock: i32, active: bool, required: &str) -> products::Model {
        products::Model {
            active,
            required_attributes: required.into(),
            ..products::Model::fixture(100, None, stock)
        }
    }

    #[test]
    fn stock_cuts_and_limits_refuse() {
        let limits = Limits::default();
        let p = product(5, true, "[]");
        assert_eq!(settle_quantity(3, &p, &limits, &[]).map(|r| r.0), Ok(3));
        let (cut, warning) = settle_quantity(8, &p, &limits, &[]).expect("cut, not refused");
        assert_eq!(cut, 5);
        assert_eq!(warning.map(|w| w.code), Some(WarningCode::NotEnoughStock));
        let refused = settle_quantity(1_000, &p, &limits, &[]).expect_err("over the limit");
        assert_eq!(refused.code, ErrorCode::QuantityLimitExceeded);
    }

    #[test]
    fn unavailable_products_and_missing_attributes_are_refused() {
        assert_eq!(
            check_available(&product(0, true, "[]"), &[]).map_err(|e| e.code),
            Err(ErrorCode::OutOfStock)
        );
        assert_eq!(
            check_available(&product(3, false, "[]"), &[]).map_err(|e| e.code),
            Err(ErrorCode::ProductUnavailable)
        );
        let needs_team = product(3, true, r#"["team_id"]"#);
        let none = Attributes::default();
        assert_eq!(
            check_required_attributes(&needs_team, &none, &[]).map_err(|e| e.code),
            Err(ErrorCode::MissingRequiredAttribute)
        );
        let with_team = Attributes::parse([("team_id", "20")], 20).expect("valid");
        assert!(check_required_attributes(&needs_team, &with_team, &[]).is_ok());
    }
}
