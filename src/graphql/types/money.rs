//! `Money`.

use async_graphql::SimpleObject;

use crate::{domain, graphql::scalars::Decimal};

/// An exact amount of money.
#[derive(Clone, Debug, SimpleObject)]
pub struct Money {
    /// The amount as an exact decimal string with the currency's minor digits, e.g. `"110.00"`.
    pub amount: Decimal,
    /// ISO 4217 currency code, e.g. `USD`.
    pub currency_code: String,
    /// The amount for display: `"$110.00"` for USD, EUR, GBP and JPY, otherwise the amount
    /// followed by the code (`"110.00 CHF"`).
    pub formatted: String,
}

impl From<domain::Money> for Money {
    fn from(money: domain::Money) -> Self {
        Self {
            amount: Decimal(money.amount()),
            currency_code: money.currency.code().to_owned(),
            formatted: money.formatted(),
        }
    }
}
