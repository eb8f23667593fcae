//! `upsertPromotions` (admin).

use async_graphql::{Context, Object, Result};

use crate::{
    error::AppError,
    graphql::{
        context::ContextExt,
        inputs::PromotionInput,
        types::{Promotion, UpsertPromotionsPayload, report_user_errors},
    },
    service::promotions,
};

/// Most promotions one `upsertPromotions` call accepts.
const MAX_BATCH: usize = 100;

#[derive(Default)]
pub struct PromotionMutation;

#[Object]
impl PromotionMutation {
    /// Creates or updates promotions in one transaction (admin only): each by its `id` when
    /// given, else by its `code`, else as a new promotion. Any invalid promotion refuses the
    /// whole batch (INVALID_PROMOTION).
    async fn upsert_promotions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Promotions to create or update (at most 100).")] promotions: Vec<
            PromotionInput,
        >,
    ) -> Result<UpsertPromotionsPayload> {
        ctx.admin()?;
        let state = ctx.state();
        if promotions.len() > MAX_BATCH {
            return Err(
                AppError::BadUserInput(format!("at most {MAX_BATCH} promotions per call")).into(),
            );
        }
        let mut drafts = Vec::with_capacity(promotions.len());
        for (i, input) in promotions.into_iter().enumerate() {
            match input.into_spec().validate(state.settings.currency) {
                Ok(draft) => drafts.push(draft),
                Err(error) => {
                    let error = error.under(&["promotions".to_owned(), i.to_string()]);
                    return Ok(UpsertPromotionsPayload {
                        user_errors: report_user_errors(vec![error]),
                        ..Default::default()
                    });
                }
            }
        }
        let stored = promotions::upsert_promotions(&state.db, drafts).await?;
        Ok(UpsertPromotionsPayload {
            promotions: stored.into_iter().map(Promotion).collect(),
            ..Default::default()
        })
    }
}
