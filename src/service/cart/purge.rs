//! `cartql purge`: hard-deletes what is past retention.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};

use crate::{
    entity::{cart_events, cart_items, carts},
    error::AppResult,
};

/// What a purge removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub carts: u64,
    pub lines: u64,
}

/// Deletes soft-deleted lines and carts, and carts that expired, more than `retention` ago.
/// Lines and history of deleted carts go with them. (Carts that expired recently are closed
/// by the sweeper, which `cartql purge` runs first.)
pub async fn purge(db: &DatabaseConnection, retention: std::time::Duration) -> AppResult<Purged> {
    let cutoff =
        Utc::now() - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::days(30));
    let txn = db.begin().await?;
    let stale_carts = Condition::any()
        .add(carts::Column::DeletedAt.lt(cutoff))
        .add(carts::Column::ExpiresAt.lt(cutoff));
    let cart_ids: Vec<String> = carts::Entity::find()
        .filter(stale_carts.clone())
        .all(&txn)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut lines = cart_items::Entity::delete_many()
        .filter(cart_items::Column::DeletedAt.lt(cutoff))
        .exec(&txn)
        .await?
        .rows_affected;
    for chunk in cart_ids.chunks(500) {
        cart_events::Entity::delete_many()
            .filter(cart_events::Column::CartId.is_in(chunk.iter().cloned()))
            .exec(&txn)
            .await?;
        lines += cart_items::Entity::delete_many()
            .filter(cart_items::Column::CartId.is_in(chunk.iter().cloned()))
            .exec(&txn)
            .await?
            .rows_affected;
    }
    let carts = carts::Entity::delete_many()
        .filter(stale_carts)
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(Purged { carts, lines })
}
