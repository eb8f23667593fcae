//! Tax rates by region, as admins write them.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, sea_query::OnConflict,
};

use crate::{
    domain::{
        TaxRate,
        buyer::{parse_country, parse_province},
        ids::new_id,
    },
    entity::tax_rates,
    error::AppResult,
    service::{ErrorCode, UserError},
};

/// A tax rate as an admin describes it, before validation.
#[derive(Clone, Debug)]
pub struct TaxRateSpec {
    pub country_code: String,
    pub province_code: Option<String>,
    pub title: String,
    /// A decimal between 0 and 1, such as `"0.13"`.
    pub rate: String,
}

/// A validated tax rate ready to be written.
#[derive(Clone, Debug)]
pub struct TaxRateDraft {
    country_code: String,
    province_code: String,
    title: String,
    rate: TaxRate,
}

impl TaxRateSpec {
    pub fn validate(self) -> Result<TaxRateDraft, UserError> {
        let invalid = |field: &str, message: String| {
            UserError::new(ErrorCode::InvalidTaxRate, &[field], message)
        };
        let country = parse_country(&self.country_code).map_err(|e| invalid(e.field, e.message))?;
        let province = match self.province_code.as_deref() {
            None | Some("") => String::new(),
            Some(raw) => parse_province(raw, &country).map_err(|e| invalid(e.field, e.message))?,
        };
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 64 {
            return Err(invalid("title", "a title is 1–64 characters".into()));
        }
        let rate = TaxRate::parse(&self.rate).ok_or_else(|| {
            invalid(
                "rate",
                "a rate is a decimal from 0 to 1 with at most six decimals (0.13 is 13 %)".into(),
            )
        })?;
        Ok(TaxRateDraft {
            country_code: country,
            province_code: province,
            title: title.to_owned(),
            rate,
        })
    }
}

/// Stores tax rates in one transaction, each replacing the rate of its country and province.
pub async fn upsert_tax_rates(
    db: &DatabaseConnection,
    drafts: Vec<TaxRateDraft>,
) -> AppResult<Vec<tax_rates::Model>> {
    crate::db::retrying(|| async {
        let txn = crate::db::begin_write(db).await?;
        let now = Utc::now();
        for draft in &drafts {
            tax_rates::Entity::insert(tax_rates::ActiveModel {
                id: Set(new_id()),
                country_code: Set(draft.country_code.clone()),
                province_code: Set(draft.province_code.clone()),
                title: Set(draft.title.clone()),
                rate: Set(draft.rate.to_string()),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .on_conflict(
                OnConflict::columns([
                    tax_rates::Column::CountryCode,
                    tax_rates::Column::ProvinceCode,
                ])
                .update_columns([
                    tax_rates::Column::Title,
                    tax_rates::Column::Rate,
                    tax_rates::Column::UpdatedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        let mut stored = Vec::with_capacity(drafts.len());
        for draft in &drafts {
            let row = tax_rates::Entity::find()
                .filter(tax_rates::Column::CountryCode.eq(draft.country_code.as_str()))
                .filter(tax_rates::Column::ProvinceCode.eq(draft.province_code.as_str()))
                .one(&txn)
                .await?;
            stored.extend(row);
        }
        txn.commit().await?;
        Ok(stored)
    })
    .await
}

/// Every tax rate, by country then province.
pub async fn list_tax_rates(db: &impl ConnectionTrait) -> AppResult<Vec<tax_rates::Model>> {
    Ok(tax_rates::Entity::find()
        .order_by_asc(tax_rates::Column::CountryCode)
        .order_by_asc(tax_rates::Column::ProvinceCode)
        .all(db)
        .await?)
}
