//! Where a cart ships and what it pays there: tax rates by country and province, and the
//! delivery options (shipping rates) by country. Admins write them; a cart read takes the
//! rows for its buyers' countries in two statements and matches them here, without the
//! database, so one cart and a page of carts cost the same.

mod shipping;
mod tax;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

pub use shipping::{
    DeliveryOption, ShippingRateDraft, ShippingRateSpec, countries_of, list_shipping_rates,
    upsert_shipping_rates,
};
pub use tax::{TaxRateDraft, TaxRateSpec, list_tax_rates, upsert_tax_rates};

use crate::{
    domain::{Currency, TaxRate},
    entity::{shipping_rates, tax_rates},
    service::pricing::TaxRule,
};

/// The tax and shipping rates that can matter to carts whose buyers are in some countries.
#[derive(Clone, Debug, Default)]
pub struct RateTables {
    tax: Vec<tax_rates::Model>,
    shipping: Vec<shipping_rates::Model>,
}

/// The rates for buyers in `countries`: the countries' tax rates and every shipping rate,
/// in two statements (none without countries). The shipping table is small; its country
/// lists are matched in [`RateTables::delivery_options`] rather than in backend-specific
/// JSON SQL.
pub async fn rates_for(db: &impl ConnectionTrait, countries: &[&str]) -> Result<RateTables, DbErr> {
    if countries.is_empty() {
        return Ok(RateTables::default());
    }
    let tax = tax_rates::Entity::find()
        .filter(tax_rates::Column::CountryCode.is_in(countries.iter().copied()))
        .all(db)
        .await?;
    let shipping = shipping_rates::Entity::find()
        .order_by_asc(shipping_rates::Column::PriceMinor)
        .order_by_asc(shipping_rates::Column::Handle)
        .all(db)
        .await?;
    Ok(RateTables { tax, shipping })
}

impl RateTables {
    /// The most specific rate for a buyer in `country` and `province`: the province's, else
    /// the country's; `None` when neither has one (the cart pays `CARTQL_TAX_RATE`).
    pub fn tax_rule(&self, country: &str, province: Option<&str>) -> Option<TaxRule> {
        let rate_of = |wanted: &str| {
            self.tax
                .iter()
                .find(|row| row.country_code == country && row.province_code == wanted)
                .and_then(|row| {
                    TaxRate::parse(&row.rate).map(|rate| TaxRule {
                        title: row.title.clone(),
                        rate,
                    })
                })
        };
        province.and_then(rate_of).or_else(|| rate_of(""))
    }

    /// The delivery options for a buyer in `country` paying in `currency`: cheapest first,
    /// then by handle.
    pub fn delivery_options(&self, country: &str, currency: Currency) -> Vec<DeliveryOption> {
        self.shipping
            .iter()
            .filter(|row| row.currency.eq_ignore_ascii_case(currency.code()))
            .filter(|row| {
                let countries = countries_of(row);
                countries.is_empty() || countries.iter().any(|c| c == country)
            })
            .map(DeliveryOption::of)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn tax(country: &str, province: &str, rate: &str) -> tax_rates::Model {
        tax_rates::Model {
            id: format!("{country}-{province}"),
            country_code: country.into(),
            province_code: province.into(),
            title: format!("{country}{province} tax"),
            rate: rate.into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn ship(handle: &str, countries: &str, currency: &str) -> shipping_rates::Model {
        shipping_rates::Model {
            handle: handle.into(),
            title: handle.into(),
            country_codes: countries.into(),
            price_minor: 500,
            free_over_minor: None,
            currency: currency.into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn the_most_specific_tax_rate_wins() {
        let tables = RateTables {
            tax: vec![tax("CA", "", "0.05"), tax("CA", "ON", "0.13")],
            shipping: Vec::new(),
        };
        let rate = |country, province| tables.tax_rule(country, province).map(|t| t.rate);
        assert_eq!(rate("CA", Some("ON")), TaxRate::parse("0.13"));
        assert_eq!(rate("CA", Some("QC")), TaxRate::parse("0.05"));
        assert_eq!(rate("CA", None), TaxRate::parse("0.05"));
        assert_eq!(rate("US", Some("NY")), None);
    }

    #[test]
    fn delivery_options_match_country_and_currency() {
        let tables = RateTables {
            tax: Vec::new(),
            shipping: vec![
                ship("everywhere", "[]", "USD"),
                ship("canada", r#"["CA"]"#, "USD"),
                ship("euro", "[]", "EUR"),
            ],
        };
        let usd = Currency::parse("USD").expect("USD");
        let handles = |country| -> Vec<String> {
            tables
                .delivery_options(country, usd)
                .into_iter()
                .map(|o| o.handle)
                .collect()
        };
        assert_eq!(handles("CA"), ["everywhere", "canada"]);
        assert_eq!(handles("US"), ["everywhere"]);
    }
}
