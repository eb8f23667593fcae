//! Closing a cart for good: cleared, merged into another, expired, or checked out. Its live
//! lines and the cart are soft-deleted at one instant, its guest token stops working, and its
//! history ends with the matching event.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    domain::CartStatus,
    entity::{cart_items, carts},
};

use super::history::{self, Author, EventKind, NewEvent};

/// Why a cart was closed, as stored in `carts.closed_reason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Closed {
    Cleared,
    Merged,
    Expired,
    /// Its checkout completed: it became an order.
    Completed,
}

impl Closed {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Cleared => "CLEARED",
            Self::Merged => "MERGED",
            Self::Expired => "EXPIRED",
            Self::Completed => "COMPLETED",
        }
    }
}

/// Closes a cart: its live lines and the cart are soft-deleted at one instant (so the lines
/// it held when closed stay recognisable), its guest token stops working, and its history
/// ends with the matching event.
pub(super) async fn close(
    txn: &impl ConnectionTrait,
    cart: &carts::Model,
    reason: Closed,
    merged_into: Option<&str>,
    author: &Author,
    detail: Option<String>,
) -> Result<(), DbErr> {
    let now = Utc::now();
    cart_items::Entity::update_many()
        .col_expr(cart_items::Column::Live, Expr::value(Option::<bool>::None))
        .col_expr(cart_items::Column::DeletedAt, Expr::value(now))
        .col_expr(cart_items::Column::UpdatedAt, Expr::value(now))
        .filter(cart_items::Column::CartId.eq(cart.id.as_str()))
        .filter(cart_items::Column::Live.eq(true))
        .exec(txn)
        .await?;
    // A completed cart says so; any other closed cart keeps the status it had (OPEN).
    let status = match reason {
        Closed::Completed => CartStatus::Completed,
        _ => CartStatus::Open,
    };
    carts::Entity::update_many()
        .col_expr(carts::Column::Live, Expr::value(Option::<bool>::None))
        .col_expr(carts::Column::Status, Expr::value(status.as_str()))
        .col_expr(carts::Column::DeletedAt, Expr::value(now))
        .col_expr(carts::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            carts::Column::ClosedReason,
            Expr::value(reason.as_str().to_owned()),
        )
        .col_expr(
            carts::Column::MergedInto,
            Expr::value(merged_into.map(str::to_owned)),
        )
        .col_expr(
            carts::Column::Version,
            Expr::col(carts::Column::Version).add(1),
        )
        .filter(carts::Column::Id.eq(cart.id.as_str()))
        .exec(txn)
        .await?;
    let kind = match reason {
        Closed::Cleared => EventKind::Cleared,
        Closed::Merged => EventKind::Merged,
        Closed::Expired => EventKind::Expired,
        Closed::Completed => EventKind::CheckoutCompleted,
    };
    let event = NewEvent::cart(kind, detail);
    history::append(txn, cart, author, vec![event], now).await
}
