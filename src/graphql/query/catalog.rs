//! `product` and `products`.

use async_graphql::{
    Context, ID, Object, Result,
    connection::{Connection, Edge},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::{
    domain::{ProductId, Sku},
    error::AppError,
    graphql::{context::ContextExt, global_id::NodeKind, types::Product},
    service::catalog::{self, ProductRef},
};

/// Largest page of products.
const MAX_PAGE: i32 = 100;
/// Longest search text.
const MAX_SEARCH_LEN: usize = 200;

#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// One product by exactly one of `id` or `sku`; null when none matches.
    async fn product(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The product's id.")] id: Option<ID>,
        #[graphql(desc = "The product's SKU.")] sku: Option<String>,
    ) -> Result<Option<Product>> {
        let reference = match (id, sku) {
            (Some(id), None) => ProductId::parse(NodeKind::Product.key(&id)).map(ProductRef::Id),
            (None, Some(sku)) => Sku::parse(&sku).map(ProductRef::Sku),
            _ => {
                return Err(
                    AppError::BadUserInput("give exactly one of `id` and `sku`".into()).into(),
                );
            }
        };
        let Some(reference) = reference else {
            return Ok(None);
        };
        Ok(catalog::find_product(&ctx.state().db, &reference)
            .await
            .map_err(AppError::from)?
            .map(Product::from))
    }

    /// Active products ordered by SKU, optionally filtered by a case-insensitive search in the
    /// name or SKU.
    #[graphql(
        complexity = "first.map_or(20, |n| n.clamp(0, MAX_PAGE) as usize) * child_complexity"
    )]
    async fn products(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Text to look for in the name or SKU.")] search: Option<String>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return products after this cursor (an `endCursor`).")] after: Option<
            String,
        >,
    ) -> Result<Connection<String, Product>> {
        let first = first.unwrap_or(20);
        if !(1..=MAX_PAGE).contains(&first) {
            return Err(AppError::BadUserInput(format!(
                "`first` must be between 1 and {MAX_PAGE}"
            ))
            .into());
        }
        if search
            .as_ref()
            .is_some_and(|s| s.chars().count() > MAX_SEARCH_LEN)
        {
            return Err(AppError::BadUserInput(format!(
                "`search` is at most {MAX_SEARCH_LEN} characters"
            ))
            .into());
        }
        let after_sku = after
            .map(|cursor| {
                decode_cursor(&cursor).ok_or_else(|| {
                    AppError::BadUserInput("`after` is not a cursor from this list".into())
                })
            })
            .transpose()?;
        let page = catalog::list_products(
            &ctx.state().db,
            search.as_deref(),
            after_sku.as_deref(),
            first as u64,
        )
        .await?;
        let mut connection = Connection::new(after_sku.is_some(), page.has_next);
        connection.edges.extend(
            page.rows
                .into_iter()
                .map(|p| Edge::new(encode_cursor(&p.sku), Product::from(p))),
        );
        Ok(connection)
    }
}

fn encode_cursor(sku: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("sku:{sku}"))
}

fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let sku = text.strip_prefix("sku:")?;
    Sku::parse(sku).map(|s| s.as_str().to_owned())
}
