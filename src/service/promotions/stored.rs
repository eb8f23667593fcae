//! Promotions as stored, turned into what pricing works with.

use crate::{
    domain::Currency,
    entity::promotions,
    service::pricing::{Offer, PromotionKind, PromotionScope},
};

/// Longest discount code.
pub const MAX_CODE_LEN: usize = 64;

/// A code as it is matched: trimmed and lower-cased, so codes are case-insensitive on every
/// backend whatever its collation.
pub fn code_key(code: &str) -> String {
    code.trim().to_lowercase()
}

pub(super) fn kind_name(kind: PromotionKind) -> &'static str {
    match kind {
        PromotionKind::PercentageOff => "PERCENTAGE_OFF",
        PromotionKind::AmountOff => "AMOUNT_OFF",
        PromotionKind::BuyXGetY => "BUY_X_GET_Y",
        PromotionKind::FreeShipping => "FREE_SHIPPING",
    }
}

pub(super) fn scope_name(scope: PromotionScope) -> &'static str {
    match scope {
        PromotionScope::Order => "ORDER",
        PromotionScope::Lines => "LINES",
    }
}

pub fn kind_of(raw: &str) -> Option<PromotionKind> {
    [
        PromotionKind::PercentageOff,
        PromotionKind::AmountOff,
        PromotionKind::BuyXGetY,
        PromotionKind::FreeShipping,
    ]
    .into_iter()
    .find(|k| kind_name(*k) == raw)
}

pub fn scope_of(raw: &str) -> Option<PromotionScope> {
    [PromotionScope::Order, PromotionScope::Lines]
        .into_iter()
        .find(|s| scope_name(*s) == raw)
}

/// A stored JSON list of ids or SKUs.
pub fn list_of(raw: &str) -> Vec<String> {
    serde_json::from_str(raw).unwrap_or_default()
}

/// The promotion as pricing sees it; `None` for a row this version cannot read (an unknown
/// kind written by a newer one), which then never applies.
pub fn offer_of(row: &promotions::Model) -> Option<Offer> {
    Some(Offer {
        id: row.id.clone(),
        title: row.title.clone(),
        code: row.code.clone(),
        kind: kind_of(&row.kind)?,
        scope: scope_of(&row.scope)?,
        value: row.value,
        currency: Currency::parse(&row.currency)?,
        product_ids: list_of(&row.product_ids),
        skus: list_of(&row.skus),
        shop_ids: list_of(&row.shop_ids),
        min_subtotal: row.min_subtotal_minor,
        min_quantity: row.min_quantity,
        get_quantity: row.get_quantity,
        stackable: row.stackable,
    })
}
