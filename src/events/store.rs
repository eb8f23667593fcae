//! Delivery state in the database, per sink and cart: which carts have events a sink has not
//! acknowledged, the claim on a cart's delivery (a lease: while one round holds it, no other
//! instance delivers that cart's events to that sink, which keeps them in order and single),
//! progress, failures with backoff and parking, and the removal of events every sink has.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr,
    UpdateMany,
    sea_query::{Alias, Cond, Expr, ExprTrait, JoinType, Order, Query},
};

use crate::entity::{outbox_cursors as cursors, outbox_events as events};

/// Up to `limit` carts with events `sink` has not acknowledged, which no live lease covers,
/// not parked and not waiting out a backoff; the carts with the oldest such events first.
pub async fn due_carts(
    db: &impl ConnectionTrait,
    sink: &str,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<String>, DbErr> {
    let cursor = |column: cursors::Column| Expr::col((Alias::new("c"), column));
    let event = |column: events::Column| Expr::col((events::Entity, column));
    let query = Query::select()
        .column((events::Entity, events::Column::CartId))
        .from(events::Entity)
        .join_as(
            JoinType::LeftJoin,
            cursors::Entity,
            Alias::new("c"),
            Cond::all().add(cursor(cursors::Column::Sink).eq(sink)).add(
                cursor(cursors::Column::CartId).equals((events::Entity, events::Column::CartId)),
            ),
        )
        .cond_where(
            Cond::any()
                .add(cursor(cursors::Column::CartId).is_null())
                .add(
                    Cond::all()
                        .add(event(events::Column::Seq).gt(cursor(cursors::Column::DeliveredSeq)))
                        .add(cursor(cursors::Column::ParkedAt).is_null())
                        .add(cursor(cursors::Column::NextAttemptAt).lte(now))
                        .add(
                            Cond::any()
                                .add(cursor(cursors::Column::LeaseUntil).is_null())
                                .add(cursor(cursors::Column::LeaseUntil).lt(now)),
                        ),
                ),
        )
        .group_by_col((events::Entity, events::Column::CartId))
        .order_by_expr(event(events::Column::Seq).min(), Order::Asc)
        .limit(limit)
        .to_owned();
    let rows = db
        .query_all_raw(db.get_database_backend().build(&query))
        .await?;
    rows.iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect()
}

/// Claims `cart_id`'s delivery to `sink` for the round `token` until `until`. False when
/// another round holds it, or it is parked or backing off (someone else got there first).
pub async fn claim(
    db: &impl ConnectionTrait,
    sink: &str,
    cart_id: &str,
    token: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let taken = cursors::Entity::update_many()
        .col_expr(cursors::Column::LeaseOwner, Expr::value(token))
        .col_expr(cursors::Column::LeaseUntil, Expr::value(until))
        .filter(cursors::Column::Sink.eq(sink))
        .filter(cursors::Column::CartId.eq(cart_id))
        .filter(cursors::Column::ParkedAt.is_null())
        .filter(cursors::Column::NextAttemptAt.lte(now))
        .filter(
            Cond::any()
                .add(cursors::Column::LeaseUntil.is_null())
                .add(cursors::Column::LeaseUntil.lt(now)),
        )
        .exec(db)
        .await?;
    if taken.rows_affected == 1 {
        return Ok(true);
    }
    // A cart this sink has never delivered has no cursor yet: the round that creates it holds
    // it. Two rounds racing to create it meet at the primary key; the loser backs off.
    let first = cursors::ActiveModel {
        sink: Set(sink.to_owned()),
        cart_id: Set(cart_id.to_owned()),
        delivered_seq: Set(0),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_owner: Set(Some(token.to_owned())),
        lease_until: Set(Some(until)),
        parked_at: Set(None),
        last_error: Set(None),
    };
    match cursors::Entity::insert(first)
        .exec_without_returning(db)
        .await
    {
        Ok(_) => Ok(true),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Ok(false)
        }
        Err(err) => Err(err),
    }
}

/// The next `limit` events of `cart_id` that `sink` has not acknowledged, in order.
pub async fn pending(
    db: &impl ConnectionTrait,
    sink: &str,
    cart_id: &str,
    limit: u64,
) -> Result<Vec<events::Model>, DbErr> {
    let delivered = Query::select()
        .column(cursors::Column::DeliveredSeq)
        .from(cursors::Entity)
        .and_where(Expr::col(cursors::Column::Sink).eq(sink))
        .and_where(Expr::col(cursors::Column::CartId).eq(cart_id))
        .to_owned();
    events::Entity::find()
        .filter(events::Column::CartId.eq(cart_id))
        .filter(Expr::col(events::Column::Seq).gt(Expr::expr(delivered)))
        .order_by_asc(events::Column::Seq)
        .limit(limit)
        .all(db)
        .await
}

/// Records that `sink` has `seq`; false when the round no longer holds the cart (its lease
/// ran out and another round took over), which must then stop.
pub async fn acknowledge(
    db: &impl ConnectionTrait,
    sink: &str,
    cart_id: &str,
    token: &str,
    seq: i64,
) -> Result<bool, DbErr> {
    let moved = cursors::Entity::update_many()
        .col_expr(cursors::Column::DeliveredSeq, Expr::value(seq))
        .col_expr(cursors::Column::Attempts, Expr::value(0))
        .col_expr(
            cursors::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .filter(cursors::Column::Sink.eq(sink))
        .filter(cursors::Column::CartId.eq(cart_id))
        .filter(cursors::Column::LeaseOwner.eq(token))
        .exec(db)
        .await?;
    Ok(moved.rows_affected == 1)
}

/// What happens after a failed delivery.
pub struct Failure<'a> {
    pub error: &'a str,
    /// When to try again.
    pub retry_at: DateTime<Utc>,
    /// Whether this failure is one too many: the cart's events stop for this sink.
    pub park: bool,
    pub now: DateTime<Utc>,
}

/// Counts a failed delivery and lets the cart go.
pub async fn fail(
    db: &impl ConnectionTrait,
    sink: &str,
    cart_id: &str,
    token: &str,
    failure: Failure<'_>,
) -> Result<(), DbErr> {
    let error: String = failure.error.chars().take(500).collect();
    let update = cursors::Entity::update_many()
        .col_expr(
            cursors::Column::Attempts,
            Expr::col(cursors::Column::Attempts).add(1),
        )
        .col_expr(
            cursors::Column::NextAttemptAt,
            Expr::value(failure.retry_at),
        )
        .col_expr(cursors::Column::LastError, Expr::value(error))
        .col_expr(
            cursors::Column::ParkedAt,
            Expr::value(failure.park.then_some(failure.now)),
        );
    let_go(update, sink, cart_id, token).exec(db).await?;
    Ok(())
}

/// The attempts so far of the cart's next event, for the backoff.
pub async fn attempts(db: &impl ConnectionTrait, sink: &str, cart_id: &str) -> Result<i32, DbErr> {
    let attempts: Option<i32> = cursors::Entity::find()
        .select_only()
        .column(cursors::Column::Attempts)
        .filter(cursors::Column::Sink.eq(sink))
        .filter(cursors::Column::CartId.eq(cart_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(attempts.unwrap_or(0))
}

/// `update`, for the cart `token` holds, also giving up the hold.
fn let_go(
    update: UpdateMany<cursors::Entity>,
    sink: &str,
    cart_id: &str,
    token: &str,
) -> UpdateMany<cursors::Entity> {
    update
        .col_expr(
            cursors::Column::LeaseOwner,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            cursors::Column::LeaseUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(cursors::Column::Sink.eq(sink))
        .filter(cursors::Column::CartId.eq(cart_id))
        .filter(cursors::Column::LeaseOwner.eq(token))
}

/// Lets the cart go after a round without failure.
pub async fn release(
    db: &impl ConnectionTrait,
    sink: &str,
    cart_id: &str,
    token: &str,
) -> Result<(), DbErr> {
    let_go(cursors::Entity::update_many(), sink, cart_id, token)
        .exec(db)
        .await?;
    Ok(())
}

/// Removes the events of `cart_id` that every one of `sinks` has acknowledged. Each sink
/// calls this after its own acknowledgement committed, so whichever reads last sees them all.
pub async fn forget_delivered(
    db: &impl ConnectionTrait,
    sinks: &[&str],
    cart_id: &str,
) -> Result<u64, DbErr> {
    let delivered: Vec<(String, i64)> = cursors::Entity::find()
        .select_only()
        .column(cursors::Column::Sink)
        .column(cursors::Column::DeliveredSeq)
        .filter(cursors::Column::CartId.eq(cart_id))
        .filter(cursors::Column::Sink.is_in(sinks.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    if delivered.len() < sinks.len() {
        return Ok(0);
    }
    let Some(floor) = delivered.iter().map(|(_, seq)| *seq).min() else {
        return Ok(0);
    };
    let removed = events::Entity::delete_many()
        .filter(events::Column::CartId.eq(cart_id))
        .filter(events::Column::Seq.lte(floor))
        .exec(db)
        .await?;
    Ok(removed.rows_affected)
}

/// Parked carts for `sink` (all sinks when `None`) start over: attempts reset, due now.
/// Returns how many.
pub async fn redrive(
    db: &impl ConnectionTrait,
    sink: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut update = cursors::Entity::update_many()
        .col_expr(
            cursors::Column::ParkedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(cursors::Column::Attempts, Expr::value(0))
        .col_expr(cursors::Column::NextAttemptAt, Expr::value(now))
        .filter(cursors::Column::ParkedAt.is_not_null());
    if let Some(sink) = sink {
        update = update.filter(cursors::Column::Sink.eq(sink));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// Removes the cursors of carts with nothing left in the outbox (not parked): they hold no
/// state a fresh cursor would not, since any later event has a larger `seq`. Returns how many.
pub async fn forget_idle_cursors(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let remaining = Query::select()
        .expr(Expr::val(1))
        .from(events::Entity)
        .and_where(
            Expr::col((events::Entity, events::Column::CartId))
                .equals((cursors::Entity, cursors::Column::CartId)),
        )
        .to_owned();
    let removed = cursors::Entity::delete_many()
        .filter(cursors::Column::ParkedAt.is_null())
        .filter(Expr::exists(remaining).not())
        .exec(db)
        .await?;
    Ok(removed.rows_affected)
}

/// Carts whose deliveries are parked, oldest first, for `cartql events status`.
pub async fn parked(db: &impl ConnectionTrait) -> Result<Vec<cursors::Model>, DbErr> {
    cursors::Entity::find()
        .filter(cursors::Column::ParkedAt.is_not_null())
        .order_by_asc(cursors::Column::ParkedAt)
        .all(db)
        .await
}

/// Events waiting for at least one sink.
pub async fn waiting(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    events::Entity::find().count(db).await
}
