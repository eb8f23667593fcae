//! Promotions as admins describe them: validation, the upsert, and the list.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};

use super::stored::{MAX_CODE_LEN, code_key, kind_name, scope_name};
use crate::{
    domain::{Currency, Money, ids::new_id, plausible_id},
    entity::promotions,
    error::AppResult,
    service::{
        ErrorCode, Page, UserError,
        pricing::{HUNDRED_PERCENT, PromotionKind, PromotionScope},
    },
};

/// A promotion as an admin describes it, before validation. `value` and `min_subtotal` are
/// decimal strings: a percentage (`"10"`, `"12.5"`) or an amount in `currency`.
#[derive(Clone, Debug)]
pub struct PromotionSpec {
    /// Updates this promotion; without it, the promotion with the same code (if any) is
    /// updated, else a new one is made.
    pub id: Option<String>,
    pub code: Option<String>,
    pub title: String,
    pub kind: PromotionKind,
    pub value: Option<String>,
    pub scope: PromotionScope,
    pub currency: Option<String>,
    pub product_ids: Vec<String>,
    pub skus: Vec<String>,
    pub shop_ids: Vec<String>,
    pub min_subtotal: Option<String>,
    pub min_quantity: Option<i32>,
    pub get_quantity: Option<i32>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub usage_limit: Option<i32>,
    pub usage_limit_per_customer: Option<i32>,
    pub stackable: bool,
    pub active: bool,
}

/// A validated promotion ready to be written.
#[derive(Clone, Debug)]
pub struct PromotionDraft {
    spec: PromotionSpec,
    value: i64,
    currency: Currency,
    min_subtotal: Option<i64>,
}

/// Most targets of each kind a promotion lists.
const MAX_TARGETS: usize = 100;

/// `"12.5"` → 1250 hundredths of a percent, for 0 < p ≤ 100 with at most two decimals.
fn parse_percent(raw: &str) -> Option<i64> {
    let (whole, fraction) = raw.trim().split_once('.').unwrap_or((raw.trim(), ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 3
        || fraction.len() > 2
        || !digits(whole)
        || !digits(fraction)
    {
        return None;
    }
    let hundredths =
        whole.parse::<i64>().ok()? * 100 + format!("{fraction:0<2}").parse::<i64>().ok()?;
    (1..=HUNDRED_PERCENT)
        .contains(&hundredths)
        .then_some(hundredths)
}

impl PromotionSpec {
    /// Validates the spec; an error names the offending field.
    pub fn validate(self, default_currency: Currency) -> Result<PromotionDraft, UserError> {
        let invalid = |field: &str, message: String| {
            UserError::new(ErrorCode::InvalidPromotion, &[field], message)
        };
        // A new promotion keeps the id it is given; ids name rows, so they look like keys.
        if let Some(id) = &self.id
            && !plausible_id(id)
        {
            return Err(invalid(
                "id",
                "an id is 1–64 letters, digits, `_` and `-` (or this promotion's `id`)".into(),
            ));
        }
        if let Some(code) = &self.code {
            let trimmed = code.trim();
            if trimmed.is_empty()
                || trimmed.chars().count() > MAX_CODE_LEN
                || !trimmed
                    .chars()
                    .all(|c| c.is_alphanumeric() || "_-".contains(c))
            {
                return Err(invalid(
                    "code",
                    format!("a code is 1–{MAX_CODE_LEN} letters, digits, `_` and `-`"),
                ));
            }
        }
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 255 {
            return Err(invalid("title", "a title is 1–255 characters".into()));
        }
        let currency = match &self.currency {
            Some(code) => Currency::parse(code).ok_or_else(|| {
                invalid(
                    "currencyCode",
                    format!("{code:?} is not a three-letter currency code"),
                )
            })?,
            None => default_currency,
        };
        let raw_value = self.value.as_deref().unwrap_or("");
        let value = match self.kind {
            PromotionKind::FreeShipping => 0,
            PromotionKind::AmountOff => Money::parse_price(raw_value, currency)
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| {
                    invalid(
                        "value",
                        format!("AMOUNT_OFF needs a positive {} amount", currency.code()),
                    )
                })?,
            PromotionKind::PercentageOff | PromotionKind::BuyXGetY => parse_percent(raw_value)
                .ok_or_else(|| {
                    invalid(
                        "value",
                        "a percentage is above 0 and at most 100, with at most two decimals".into(),
                    )
                })?,
        };
        let min_subtotal = self
            .min_subtotal
            .as_deref()
            .map(|raw| {
                Money::parse_price(raw, currency).map_err(|_| {
                    invalid(
                        "minSubtotal",
                        format!("{raw:?} is not a {} amount", currency.code()),
                    )
                })
            })
            .transpose()?;
        for (name, list) in [
            ("productIds", &self.product_ids),
            ("skus", &self.skus),
            ("shopIds", &self.shop_ids),
        ] {
            if list.len() > MAX_TARGETS || list.iter().any(|t| t.is_empty() || t.len() > 64) {
                return Err(invalid(
                    name,
                    format!("at most {MAX_TARGETS} values of 1–64 characters"),
                ));
            }
        }
        for (name, bound) in [
            ("minQuantity", self.min_quantity),
            ("getQuantity", self.get_quantity),
            ("usageLimit", self.usage_limit),
            ("usageLimitPerCustomer", self.usage_limit_per_customer),
        ] {
            if bound.is_some_and(|n| n < 1) {
                return Err(invalid(name, format!("`{name}` is at least 1")));
            }
        }
        if self.kind == PromotionKind::BuyXGetY
            && (self.min_quantity.is_none() || self.get_quantity.is_none())
        {
            return Err(invalid(
                "getQuantity",
                "BUY_X_GET_Y needs `minQuantity` (X) and `getQuantity` (Y)".into(),
            ));
        }
        if let (Some(start), Some(end)) = (self.starts_at, self.ends_at)
            && end <= start
        {
            return Err(invalid(
                "endsAt",
                "`endsAt` must be after `startsAt`".into(),
            ));
        }
        Ok(PromotionDraft {
            spec: PromotionSpec {
                title: title.to_owned(),
                code: self.code.as_deref().map(|c| c.trim().to_owned()),
                ..self
            },
            value,
            currency,
            min_subtotal,
        })
    }
}

/// Stores promotions in one transaction: each updates the promotion its id (or else its code)
/// names, or is created. Returns them in input order.
pub async fn upsert_promotions(
    db: &DatabaseConnection,
    drafts: Vec<PromotionDraft>,
) -> AppResult<Vec<promotions::Model>> {
    crate::db::retrying(|| async {
        let txn = crate::db::begin_write(db).await?;
        let mut stored = Vec::with_capacity(drafts.len());
        for draft in &drafts {
            stored.push(upsert_one(&txn, draft).await?);
        }
        txn.commit().await?;
        Ok(stored)
    })
    .await
}

async fn upsert_one(
    txn: &DatabaseTransaction,
    draft: &PromotionDraft,
) -> Result<promotions::Model, sea_orm::DbErr> {
    let spec = &draft.spec;
    let key = spec.code.as_deref().map(code_key);
    let existing = match (&spec.id, &key) {
        (Some(id), _) => promotions::Entity::find_by_id(id.clone()).one(txn).await?,
        (None, Some(key)) => {
            promotions::Entity::find()
                .filter(promotions::Column::CodeKey.eq(key.as_str()))
                .one(txn)
                .await?
        }
        (None, None) => None,
    };
    let now = Utc::now();
    let list = |values: &Vec<String>| serde_json::to_string(values).unwrap_or_else(|_| "[]".into());
    let mut row = promotions::ActiveModel {
        code: Set(spec.code.clone()),
        code_key: Set(key),
        title: Set(spec.title.clone()),
        kind: Set(kind_name(spec.kind).to_owned()),
        scope: Set(scope_name(spec.scope).to_owned()),
        value: Set(draft.value),
        currency: Set(draft.currency.code().to_owned()),
        product_ids: Set(list(&spec.product_ids)),
        skus: Set(list(&spec.skus)),
        shop_ids: Set(list(&spec.shop_ids)),
        min_subtotal_minor: Set(draft.min_subtotal),
        min_quantity: Set(spec.min_quantity),
        get_quantity: Set(spec.get_quantity),
        starts_at: Set(spec.starts_at),
        ends_at: Set(spec.ends_at),
        usage_limit: Set(spec.usage_limit),
        usage_limit_per_customer: Set(spec.usage_limit_per_customer),
        stackable: Set(spec.stackable),
        active: Set(spec.active),
        updated_at: Set(now),
        ..Default::default()
    };
    match existing {
        Some(found) => {
            row.id = Set(found.id);
            promotions::Entity::update(row).exec(txn).await
        }
        None => {
            let id = spec.id.clone().unwrap_or_else(new_id);
            row.id = Set(id.clone());
            row.times_used = Set(0);
            row.created_at = Set(now);
            promotions::Entity::insert(row)
                .exec_without_returning(txn)
                .await?;
            promotions::Entity::find_by_id(id)
                .one(txn)
                .await?
                .ok_or_else(|| sea_orm::DbErr::RecordNotFound("the new promotion".into()))
        }
    }
}

/// Which promotions `promotions` lists.
#[derive(Clone, Debug, Default)]
pub struct PromotionFilter {
    pub active: Option<bool>,
    /// `Some(true)`: automatic promotions only; `Some(false)`: codes only.
    pub automatic: Option<bool>,
    /// A code, matched case-insensitively.
    pub code: Option<String>,
}

/// One page of promotions ordered by id, after the id `after`.
pub async fn list_promotions(
    db: &impl ConnectionTrait,
    filter: &PromotionFilter,
    after: Option<&str>,
    first: u64,
) -> AppResult<Page<promotions::Model>> {
    let mut condition = Condition::all();
    if let Some(active) = filter.active {
        condition = condition.add(promotions::Column::Active.eq(active));
    }
    match filter.automatic {
        Some(true) => condition = condition.add(promotions::Column::Code.is_null()),
        Some(false) => condition = condition.add(promotions::Column::Code.is_not_null()),
        None => {}
    }
    if let Some(code) = &filter.code {
        condition = condition.add(promotions::Column::CodeKey.eq(code_key(code)));
    }
    if let Some(after) = after {
        condition = condition.add(promotions::Column::Id.gt(after));
    }
    let query = promotions::Entity::find()
        .filter(condition)
        .order_by_asc(promotions::Column::Id);
    Ok(Page::read(db, query, first).await?)
}

/// The promotions among `ids`, in one statement, in no particular order.
pub async fn find_promotions(
    db: &impl ConnectionTrait,
    ids: &[&str],
) -> AppResult<Vec<promotions::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(promotions::Entity::find()
        .filter(promotions::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_take_at_most_two_decimals_and_at_most_a_hundred() {
        assert_eq!(parse_percent("10"), Some(1_000));
        assert_eq!(parse_percent("12.5"), Some(1_250));
        assert_eq!(parse_percent("0.01"), Some(1));
        assert_eq!(parse_percent("100"), Some(10_000));
        for bad in ["0", "100.01", "1.234", "-5", "ten", "", "."] {
            assert_eq!(parse_percent(bad), None, "{bad}");
        }
    }
}
