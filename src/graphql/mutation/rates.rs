//! `upsertTaxRates` and `upsertShippingRates` (admin).

use async_graphql::{Context, Object, Result};

use crate::{
    error::AppError,
    graphql::{
        context::ContextExt,
        inputs::{ShippingRateInput, TaxRateInput},
        types::{
            ShippingRate, TaxRate, UpsertShippingRatesPayload, UpsertTaxRatesPayload,
            report_user_errors,
        },
    },
    service::{UserError, rates},
};

/// Most rates one call accepts.
const MAX_BATCH: usize = 250;

fn check_batch(len: usize) -> Result<(), AppError> {
    match len > MAX_BATCH {
        true => Err(AppError::BadUserInput(format!(
            "at most {MAX_BATCH} rates per call"
        ))),
        false => Ok(()),
    }
}

/// Validates every input; the first invalid one refuses the batch, its error under
/// `["rates", index]`.
fn validate_all<I, D>(
    inputs: Vec<I>,
    validate: impl Fn(I) -> Result<D, UserError>,
) -> Result<Vec<D>, UserError> {
    inputs
        .into_iter()
        .enumerate()
        .map(|(i, input)| {
            validate(input).map_err(|e| e.under(&["rates".to_owned(), i.to_string()]))
        })
        .collect()
}

#[derive(Default)]
pub struct RateMutation;

#[Object]
impl RateMutation {
    /// Creates or replaces tax rates (admin only), each for its country and province. A cart
    /// whose buyer has a country pays the province's rate, else the country's, else
    /// `CARTQL_TAX_RATE`. Any invalid rate refuses the whole batch (INVALID_TAX_RATE).
    async fn upsert_tax_rates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Rates to create or replace (at most 250).")] rates: Vec<TaxRateInput>,
    ) -> Result<UpsertTaxRatesPayload> {
        ctx.admin()?;
        check_batch(rates.len())?;
        let drafts = match validate_all(rates, |input| input.into_spec().validate()) {
            Ok(drafts) => drafts,
            Err(error) => {
                return Ok(UpsertTaxRatesPayload {
                    user_errors: report_user_errors(vec![error]),
                    ..Default::default()
                });
            }
        };
        let stored = rates::upsert_tax_rates(&ctx.state().db, drafts).await?;
        Ok(UpsertTaxRatesPayload {
            rates: stored.into_iter().map(TaxRate).collect(),
            user_errors: Vec::new(),
        })
    }

    /// Creates or replaces delivery options (admin only) by handle. Any invalid rate refuses
    /// the whole batch (INVALID_SHIPPING_RATE).
    async fn upsert_shipping_rates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Rates to create or replace (at most 250).")] rates: Vec<
            ShippingRateInput,
        >,
    ) -> Result<UpsertShippingRatesPayload> {
        ctx.admin()?;
        check_batch(rates.len())?;
        let currency = ctx.state().settings.currency;
        let drafts = match validate_all(rates, |input| input.into_spec().validate(currency)) {
            Ok(drafts) => drafts,
            Err(error) => {
                return Ok(UpsertShippingRatesPayload {
                    user_errors: report_user_errors(vec![error]),
                    ..Default::default()
                });
            }
        };
        let stored = rates::upsert_shipping_rates(&ctx.state().db, drafts).await?;
        Ok(UpsertShippingRatesPayload {
            rates: stored.into_iter().map(ShippingRate).collect(),
            user_errors: Vec::new(),
        })
    }
}
