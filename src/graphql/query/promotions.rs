//! `promotions`: the admin's list of discount codes and automatic promotions.

use async_graphql::{
    Context, Object, Result,
    connection::{Connection, Edge},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

use crate::{
    error::AppError,
    graphql::{context::ContextExt, inputs::PromotionFilter, types::Promotion},
    service::promotions,
};

/// Largest page of promotions.
const MAX_PAGE: i32 = 100;

#[derive(Default)]
pub struct PromotionQuery;

#[Object]
impl PromotionQuery {
    /// Discount codes and automatic promotions, by id (admin only).
    async fn promotions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1–100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return promotions after this cursor (an `endCursor`).")] after: Option<
            String,
        >,
        #[graphql(desc = "Which promotions; all when omitted.")] filter: Option<PromotionFilter>,
    ) -> Result<Connection<String, Promotion>> {
        ctx.admin()?;
        let first = first.unwrap_or(20);
        if !(1..=MAX_PAGE).contains(&first) {
            return Err(AppError::BadUserInput(format!(
                "`first` must be between 1 and {MAX_PAGE}"
            ))
            .into());
        }
        let after = after
            .map(|cursor| {
                decode_cursor(&cursor).ok_or_else(|| {
                    AppError::BadUserInput("`after` is not a cursor from this list".into())
                })
            })
            .transpose()?;
        let filter = filter.unwrap_or_default().into_filter();
        let page =
            promotions::list_promotions(&ctx.state().db, &filter, after.as_deref(), first as u64)
                .await?;
        let mut connection = Connection::new(after.is_some(), page.has_next);
        connection.edges.extend(
            page.rows
                .into_iter()
                .map(|p| Edge::new(encode_cursor(&p.id), Promotion(p))),
        );
        Ok(connection)
    }
}

fn encode_cursor(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("promotion:{id}"))
}

fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix("promotion:")
        .filter(|id| !id.is_empty() && id.len() <= 36)
        .map(str::to_owned)
}
