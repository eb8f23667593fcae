//! `TaxRate` and `ShippingRate`: what admins set for regions, and their upsert payloads.

use async_graphql::{Object, SimpleObject};

use crate::{
    domain::{self, Currency},
    entity::{shipping_rates, tax_rates},
    graphql::{
        scalars::Decimal,
        types::{CartUserError, Money},
    },
    service::rates,
};

/// A tax rate for a country, or for one of its provinces.
pub struct TaxRate(pub tax_rates::Model);

#[Object]
impl TaxRate {
    /// ISO 3166-1 alpha-2.
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }

    /// The province it applies to; null for the whole country.
    async fn province_code(&self) -> Option<&str> {
        Some(self.0.province_code.as_str()).filter(|p| !p.is_empty())
    }

    /// The tax line's title, e.g. `HST`.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// A decimal fraction, e.g. `"0.13"`.
    async fn rate(&self) -> Decimal {
        Decimal(self.0.rate.clone())
    }
}

/// A shipping rate: a delivery option for some countries.
pub struct ShippingRate(pub shipping_rates::Model);

impl ShippingRate {
    fn money(&self, minor: i64) -> Money {
        let currency = Currency::parse(&self.0.currency).unwrap_or(Currency::UNKNOWN);
        domain::Money::new(minor, currency).into()
    }
}

#[Object]
impl ShippingRate {
    async fn handle(&self) -> &str {
        &self.0.handle
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The countries it serves (ISO 3166-1 alpha-2); empty: every country.
    async fn country_codes(&self) -> Vec<String> {
        rates::countries_of(&self.0)
    }

    async fn price(&self) -> Money {
        self.money(self.0.price_minor)
    }

    /// Free once the discounted subtotal reaches this; null: never free by amount.
    async fn free_over(&self) -> Option<Money> {
        self.0.free_over_minor.map(|minor| self.money(minor))
    }
}

/// The result of `upsertTaxRates`.
#[derive(SimpleObject, Default)]
pub struct UpsertTaxRatesPayload {
    /// The stored rates, in input order.
    pub rates: Vec<TaxRate>,
    /// Why the upsert was refused; empty on success.
    pub user_errors: Vec<CartUserError>,
}

/// The result of `upsertShippingRates`.
#[derive(SimpleObject, Default)]
pub struct UpsertShippingRatesPayload {
    /// The stored rates, in input order.
    pub rates: Vec<ShippingRate>,
    /// Why the upsert was refused; empty on success.
    pub user_errors: Vec<CartUserError>,
}
