//! Shipping rates as admins write them, and the delivery options they become: by handle, each for a list of countries (or all), with a
//! price and an optional threshold over which it is free.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, sea_query::OnConflict,
};

use crate::{
    domain::{Currency, Money, buyer::parse_country},
    entity::shipping_rates,
    error::AppResult,
    service::{ErrorCode, UserError, pricing::ShippingCharge},
};

/// Longest handle.
const MAX_HANDLE_LEN: usize = 64;
/// Most countries one rate lists.
const MAX_COUNTRIES: usize = 250;

/// A delivery option a cart can select: a shipping rate that serves the buyer's country in
/// the cart's currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryOption {
    pub handle: String,
    pub title: String,
    /// Minor units of the cart's currency.
    pub price: i64,
    pub free_over: Option<i64>,
}

impl DeliveryOption {
    pub(super) fn of(row: &shipping_rates::Model) -> Self {
        Self {
            handle: row.handle.clone(),
            title: row.title.clone(),
            price: row.price_minor,
            free_over: row.free_over_minor,
        }
    }

    /// What pricing charges for it.
    pub fn charge(&self) -> ShippingCharge {
        ShippingCharge {
            price: self.price,
            free_over: self.free_over,
        }
    }
}

/// A shipping rate as an admin describes it, before validation. Amounts are decimal strings
/// in `currency` (the service's when omitted).
#[derive(Clone, Debug)]
pub struct ShippingRateSpec {
    pub handle: String,
    pub title: String,
    pub country_codes: Vec<String>,
    pub price: String,
    pub free_over: Option<String>,
    pub currency: Option<String>,
}

/// A validated shipping rate ready to be written.
#[derive(Clone, Debug)]
pub struct ShippingRateDraft {
    handle: String,
    title: String,
    countries: Vec<String>,
    price: i64,
    free_over: Option<i64>,
    currency: Currency,
}

impl ShippingRateSpec {
    pub fn validate(self, default_currency: Currency) -> Result<ShippingRateDraft, UserError> {
        let invalid = |field: &str, message: String| {
            UserError::new(ErrorCode::InvalidShippingRate, &[field], message)
        };
        let handle = self.handle.trim();
        if handle.is_empty()
            || handle.len() > MAX_HANDLE_LEN
            || !handle
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err(invalid(
                "handle",
                format!("a handle is 1–{MAX_HANDLE_LEN} lower-case letters, digits, `-` and `_`"),
            ));
        }
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 255 {
            return Err(invalid("title", "a title is 1–255 characters".into()));
        }
        if self.country_codes.len() > MAX_COUNTRIES {
            return Err(invalid(
                "countryCodes",
                format!("at most {MAX_COUNTRIES} countries"),
            ));
        }
        let mut countries = self
            .country_codes
            .iter()
            .map(|raw| parse_country(raw).map_err(|e| invalid("countryCodes", e.message)))
            .collect::<Result<Vec<_>, _>>()?;
        countries.sort();
        countries.dedup();
        let currency = match &self.currency {
            Some(code) => Currency::parse(code).ok_or_else(|| {
                invalid(
                    "currencyCode",
                    format!("{code:?} is not a three-letter currency code"),
                )
            })?,
            None => default_currency,
        };
        let amount = |field: &str, raw: &str| {
            Money::parse_price(raw, currency).map_err(|_| {
                invalid(
                    field,
                    format!(
                        "{raw:?} is not a {} amount of zero or more",
                        currency.code()
                    ),
                )
            })
        };
        let price = amount("price", &self.price)?;
        let free_over = self
            .free_over
            .as_deref()
            .map(|raw| amount("freeOver", raw))
            .transpose()?;
        Ok(ShippingRateDraft {
            handle: handle.to_owned(),
            title: title.to_owned(),
            countries,
            price,
            free_over,
            currency,
        })
    }
}

/// Stores shipping rates in one transaction, each replacing the rate with its handle.
pub async fn upsert_shipping_rates(
    db: &DatabaseConnection,
    drafts: Vec<ShippingRateDraft>,
) -> AppResult<Vec<shipping_rates::Model>> {
    crate::db::retrying(|| async {
        let txn = crate::db::begin_write(db).await?;
        let now = Utc::now();
        for draft in &drafts {
            shipping_rates::Entity::insert(shipping_rates::ActiveModel {
                handle: Set(draft.handle.clone()),
                title: Set(draft.title.clone()),
                country_codes: Set(
                    serde_json::to_string(&draft.countries).unwrap_or_else(|_| "[]".into())
                ),
                price_minor: Set(draft.price),
                free_over_minor: Set(draft.free_over),
                currency: Set(draft.currency.code().to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .on_conflict(
                OnConflict::column(shipping_rates::Column::Handle)
                    .update_columns([
                        shipping_rates::Column::Title,
                        shipping_rates::Column::CountryCodes,
                        shipping_rates::Column::PriceMinor,
                        shipping_rates::Column::FreeOverMinor,
                        shipping_rates::Column::Currency,
                        shipping_rates::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        let handles: Vec<&str> = drafts.iter().map(|d| d.handle.as_str()).collect();
        let mut stored = shipping_rates::Entity::find()
            .filter(shipping_rates::Column::Handle.is_in(handles.iter().copied()))
            .all(&txn)
            .await?;
        stored.sort_by_key(|row| handles.iter().position(|h| *h == row.handle));
        txn.commit().await?;
        Ok(stored)
    })
    .await
}

/// Every shipping rate, by handle.
pub async fn list_shipping_rates(
    db: &impl ConnectionTrait,
) -> AppResult<Vec<shipping_rates::Model>> {
    Ok(shipping_rates::Entity::find()
        .order_by_asc(shipping_rates::Column::Handle)
        .all(db)
        .await?)
}

/// The countries a rate serves; empty: every country.
pub fn countries_of(row: &shipping_rates::Model) -> Vec<String> {
    serde_json::from_str(&row.country_codes).unwrap_or_default()
}
