//! `upsertProducts` (admin).

use async_graphql::{Context, Object, Result};

use crate::{
    graphql::{
        context::ContextExt,
        inputs::ProductInput,
        types::{Product, UpsertProductsPayload},
    },
    service::catalog,
};

/// Most products one `upsertProducts` call accepts.
const MAX_BATCH: usize = 500;

#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    /// Creates or updates products by SKU, in one transaction (admin only). Any invalid
    /// product refuses the whole batch.
    async fn upsert_products(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Products to create or update, matched by SKU (at most 500).")]
        products: Vec<ProductInput>,
    ) -> Result<UpsertProductsPayload> {
        ctx.admin()?;
        let state = ctx.state();
        if products.len() > MAX_BATCH {
            return Err(crate::error::AppError::BadUserInput(format!(
                "at most {MAX_BATCH} products per call"
            ))
            .into());
        }
        let mut drafts = Vec::with_capacity(products.len());
        for (i, input) in products.into_iter().enumerate() {
            match input.into_spec().validate(state.settings.currency) {
                Ok(draft) => drafts.push(draft),
                Err(error) => {
                    let error = error.under(&["products".to_owned(), i.to_string()]);
                    return Ok(UpsertProductsPayload {
                        user_errors: crate::graphql::types::report_user_errors(vec![error]),
                        ..Default::default()
                    });
                }
            }
        }
        let stored = catalog::upsert_products(&state.db, drafts).await?;
        Ok(UpsertProductsPayload {
            products: stored.into_iter().map(Product::from).collect(),
            ..Default::default()
        })
    }
}
