//! `cartql purge`: hard-deletes what is past retention.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, sea_query::Query,
};

use crate::{
    db,
    entity::{cart_items, carts, hold_shares},
    error::AppResult,
};

/// What a purge removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub carts: u64,
    pub lines: u64,
}

/// Deletes soft-deleted lines and carts, and carts that expired, more than `retention` ago,
/// and the hold counts of holders idle as long.
/// Lines and history of deleted carts go with them, by the foreign keys' cascade, in the same
/// statement that deletes the cart: nothing is read first and deleted later, so a cart that
/// comes back to life meanwhile keeps its lines. (Carts that expired recently are closed by
/// the sweeper, which `cartql purge` runs first.)
pub async fn purge(db: &DatabaseConnection, retention: std::time::Duration) -> AppResult<Purged> {
    let cutoff =
        Utc::now() - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::days(30));
    db::retrying(|| async {
        let txn = db::begin_write(db).await?;
        let purged = purge_in(&txn, cutoff).await?;
        txn.commit().await?;
        Ok(purged)
    })
    .await
}

async fn purge_in(
    txn: &DatabaseTransaction,
    cutoff: chrono::DateTime<Utc>,
) -> Result<Purged, DbErr> {
    let stale_carts = || {
        Condition::any()
            .add(carts::Column::DeletedAt.lt(cutoff))
            .add(carts::Column::ExpiresAt.lt(cutoff))
    };
    let mut lines = cart_items::Entity::delete_many()
        .filter(cart_items::Column::DeletedAt.lt(cutoff))
        .exec(txn)
        .await?
        .rows_affected;
    // Only for the report: the lines the cascade is about to take.
    lines += cart_items::Entity::find()
        .filter(
            cart_items::Column::CartId.in_subquery(
                Query::select()
                    .column(carts::Column::Id)
                    .from(carts::Entity)
                    .cond_where(stale_carts())
                    .to_owned(),
            ),
        )
        .count(txn)
        .await?;
    let carts = carts::Entity::delete_many()
        .filter(stale_carts())
        .exec(txn)
        .await?
        .rows_affected;
    // Holders that hold nothing and have not begun a checkout since the cutoff. A begin
    // touches its rows first (an upsert of `updated_at`), so no row a begin is using is taken.
    hold_shares::Entity::delete_many()
        .filter(hold_shares::Column::Amount.eq(0))
        .filter(hold_shares::Column::UpdatedAt.lt(cutoff))
        .exec(txn)
        .await?;
    Ok(Purged { carts, lines })
}
