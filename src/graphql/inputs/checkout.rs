//! `BuyerIdentityInput`, `TaxRateInput` and `ShippingRateInput`.

use async_graphql::{InputObject, MaybeUndefined};

use crate::{
    graphql::scalars::Decimal,
    service::{
        cart::{BuyerUpdate, Edit},
        rates::{ShippingRateSpec, TaxRateSpec},
    },
};

/// Who buys. Each field is changed only when given: a value sets it, `null` clears it, an
/// omitted field stays as it is. A new country clears the province (unless one comes with
/// it) and the selected delivery option.
#[derive(Clone, Debug, Default, InputObject)]
pub struct BuyerIdentityInput {
    /// An email address for the receipt (at most 254 characters).
    pub email: MaybeUndefined<String>,
    /// ISO 3166-1 alpha-2, e.g. `CA`; decides the tax rate and the delivery options.
    pub country_code: MaybeUndefined<String>,
    /// The subdivision part of ISO 3166-2, e.g. `ON` (or the full `CA-ON`).
    pub province_code: MaybeUndefined<String>,
    /// Letters, digits, spaces and dashes, at most 16.
    pub postal_code: MaybeUndefined<String>,
}

fn edit(field: &MaybeUndefined<String>) -> Edit {
    match field {
        MaybeUndefined::Undefined => Edit::Keep,
        MaybeUndefined::Null => Edit::Clear,
        MaybeUndefined::Value(value) => Edit::Set(value.clone()),
    }
}

impl BuyerIdentityInput {
    pub fn into_update(self) -> BuyerUpdate {
        BuyerUpdate {
            email: edit(&self.email),
            country_code: edit(&self.country_code),
            province_code: edit(&self.province_code),
            postal_code: edit(&self.postal_code),
        }
    }
}

/// A tax rate for a country, or for one province of it; replaces the rate of that region.
#[derive(Clone, Debug, InputObject)]
pub struct TaxRateInput {
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    /// The province it applies to; omitted for the whole country. A buyer's province rate
    /// wins over their country's.
    pub province_code: Option<String>,
    /// The tax line's title, e.g. `HST` (1–64 characters).
    pub title: String,
    /// A decimal fraction from 0 to 1 with at most six decimals, e.g. `"0.13"`.
    pub rate: Decimal,
}

impl TaxRateInput {
    pub fn into_spec(self) -> TaxRateSpec {
        TaxRateSpec {
            country_code: self.country_code,
            province_code: self.province_code,
            title: self.title,
            rate: self.rate.0,
        }
    }
}

/// A delivery option; replaces the one with the same handle.
#[derive(Clone, Debug, InputObject)]
pub struct ShippingRateInput {
    /// Lower-case letters, digits, `-` and `_` (at most 64): what `selectDeliveryOption`
    /// takes.
    pub handle: String,
    /// Shown to shoppers, e.g. `Standard (3–5 days)`.
    pub title: String,
    /// ISO 3166-1 alpha-2 codes it serves; empty or omitted: every country.
    #[graphql(default)]
    pub country_codes: Vec<String>,
    /// Its price in `currencyCode`.
    pub price: Decimal,
    /// Free once the cart's discounted subtotal reaches this.
    pub free_over: Option<Decimal>,
    /// ISO 4217; the service's currency when omitted. Offered to carts in this currency only.
    pub currency_code: Option<String>,
}

impl ShippingRateInput {
    pub fn into_spec(self) -> ShippingRateSpec {
        ShippingRateSpec {
            handle: self.handle,
            title: self.title,
            country_codes: self.country_codes,
            price: self.price.0,
            free_over: self.free_over.map(|d| d.0),
            currency: self.currency_code,
        }
    }
}
