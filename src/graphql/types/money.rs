//! `Money`.

use async_graphql::{Context, Object, Result};

use crate::{
    domain::{self, Locale},
    error::AppError,
    graphql::{context::ContextExt, scalars::Decimal},
};

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

    pub(crate) fn formatted_value(&self, locale: &Locale) -> String {
        self.0.formatted_in(locale)
    }
}

/// The `locale` argument of `formatted` as the resolver and the compiled path read it: absent
/// or null is the configured default (`CARTQL_LOCALE`).
pub(crate) fn formatting_locale(given: Option<&str>, default: &Locale) -> Result<Locale, AppError> {
    match given {
        None => Ok(default.clone()),
        Some(tag) => Locale::parse(tag).ok_or_else(|| {
            AppError::BadUserInput(format!(
                "`locale` must be a BCP 47 locale tag such as en-US, not {tag:?}"
            ))
        }),
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

    /// The amount for display in a locale, by CLDR's conventions for the currency's symbol,
    /// its place, the separators and the grouping: `"$1,234.50"` (en-US), `"1.234,50 €"`
    /// (de-DE), `"CHF 1’234.50"` (de-CH), `"₹12,34,567.00"` (en-IN). Always shows the
    /// currency's ISO 4217 minor digits exactly (`"KWD 1,234.500"`); never rounds.
    async fn formatted(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "A BCP 47 locale tag such as `de-DE`; the service's default locale when omitted. A tag that is not well-formed is BAD_USER_INPUT."
        )]
        locale: Option<String>,
    ) -> Result<String> {
        let locale = formatting_locale(locale.as_deref(), &ctx.state().locale)?;
        Ok(self.formatted_value(&locale))
    }
}
