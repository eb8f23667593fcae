//! `Money`.

use async_graphql::Object;

use crate::{domain, graphql::scalars::Decimal};

/// An exact amount of money. The strings are built only for the fields a query selects: a
/// cart view carries several amounts per line and most queries ask for one or two fields.
#[derive(Clone, Copy, Debug)]
pub struct Money(domain::Money);

impl From<domain::Money> for Money {
    fn from(money: domain::Money) -> Self {
        Self(money)
    }
}

// The fields' values, shared by the resolvers below and the compiled view path
// (`graphql::compiled`), which writes them without async-graphql.
impl Money {
    pub(crate) fn amount_value(&self) -> Decimal {
        Decimal(self.0.amount())
    }

    pub(crate) fn currency_code_value(&self) -> &str {
        self.0.currency.code()
    }

    pub(crate) fn formatted_value(&self) -> String {
        self.0.formatted()
    }
}

// Shareable under federation: other subgraphs may return `Money` too.
/// An exact amount of money.
#[Object(shareable)]
impl Money {
    /// The amount as an exact decimal string with the currency's minor digits, e.g. `"110.00"`.
    async fn amount(&self) -> Decimal {
        self.amount_value()
    }

    /// ISO 4217 currency code, e.g. `USD`.
    async fn currency_code(&self) -> &str {
        self.currency_code_value()
    }

    /// The amount for display, its currency's symbol first for USD, EUR, GBP and JPY
    /// (`"$110.00"`, `"€110.00"`, `"£110.00"`, `"¥110"`), otherwise followed by the code
    /// (`"110.00 CHF"`).
    async fn formatted(&self) -> String {
        self.formatted_value()
    }
}
