//! Locating and locking the caller's cart at the start of a write transaction.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, OnConflict},
};

use crate::{
    auth::{GuestToken, Viewer},
    domain::ids::new_id,
    entity::carts,
    service::{CartSettings, ErrorCode, UserError},
};

use super::{view::live_cart_query, write::Flow};

/// The locked cart of this transaction, and the guest token to hand back (if any).
pub(super) struct Locked {
    pub cart: carts::Model,
    pub token: Option<String>,
}

/// Locks the viewer's live cart. `Ok(None)` when there is none (or the caller is anonymous);
/// a guest token that names no live cart is refused with `INVALID_GUEST_TOKEN`.
pub(super) async fn lock_existing(
    txn: &impl ConnectionTrait,
    viewer: &Viewer,
) -> Result<Option<Locked>, Flow> {
    let Some(query) = live_cart_query(viewer) else {
        return Ok(None);
    };
    let cart = query.lock_exclusive().one(txn).await?;
    match (cart, viewer) {
        (Some(cart), _) => Ok(Some(Locked {
            cart,
            token: guest_token(viewer),
        })),
        (None, Viewer::Guest(_)) => Err(dead_token()),
        (None, _) => Ok(None),
    }
}

/// Locks the viewer's live cart, creating it first when missing: a user's one cart, or a new
/// guest cart (with a new token) for an anonymous caller.
pub(super) async fn lock_or_create(
    txn: &impl ConnectionTrait,
    viewer: &Viewer,
    settings: &CartSettings,
) -> Result<Locked, Flow> {
    if let Some(locked) = lock_existing(txn, viewer).await? {
        return Ok(locked);
    }
    match viewer {
        Viewer::User(user) => {
            // Concurrent first requests race here: the unique (user_id, live) index lets one
            // insert win; the others do nothing and then lock the winner's row.
            let now = Utc::now();
            carts::Entity::insert(new_cart(Some(user.id.clone()), None, settings, now))
                .on_conflict(
                    OnConflict::columns([carts::Column::UserId, carts::Column::Live])
                        .do_nothing_on([carts::Column::Id])
                        .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
            lock_existing(txn, viewer).await?.ok_or_else(|| {
                Flow::Db(DbErr::RecordNotFound(
                    "the user's cart vanished while being created".into(),
                ))
            })
        }
        Viewer::Anonymous => create_guest_cart(txn, settings).await,
        Viewer::Guest(_) => Err(dead_token()),
    }
}

/// A new guest cart and its token.
pub(super) async fn create_guest_cart(
    txn: &impl ConnectionTrait,
    settings: &CartSettings,
) -> Result<Locked, Flow> {
    let token = GuestToken::generate(&settings.guest_key);
    let now = Utc::now();
    let model = new_cart(None, Some(token.hash()), settings, now);
    carts::Entity::insert(model)
        .exec_without_returning(txn)
        .await?;
    let cart = carts::Entity::find()
        .filter(carts::Column::TokenHash.eq(token.hash()))
        .one(txn)
        .await?
        .ok_or_else(|| {
            Flow::Db(DbErr::RecordNotFound(
                "the new guest cart is not readable".into(),
            ))
        })?;
    Ok(Locked {
        cart,
        token: Some(token.expose().to_owned()),
    })
}

fn new_cart(
    user_id: Option<String>,
    token_hash: Option<String>,
    settings: &CartSettings,
    now: DateTime<Utc>,
) -> carts::ActiveModel {
    let expires_at = token_hash.is_some().then(|| guest_expiry(settings, now));
    carts::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id),
        token_hash: Set(token_hash),
        live: Set(Some(true)),
        currency: Set(settings.currency.code().to_owned()),
        version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        expires_at: Set(expires_at),
        deleted_at: Set(None),
    }
}

fn guest_expiry(settings: &CartSettings, now: DateTime<Utc>) -> DateTime<Utc> {
    now + chrono::Duration::from_std(settings.guest_cart_ttl).unwrap_or(chrono::Duration::days(30))
}

/// Records a change: bumps the version and `updated_at`, and extends a guest cart's life.
pub(super) async fn touch(
    txn: &impl ConnectionTrait,
    cart: &carts::Model,
    settings: &CartSettings,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let mut update = carts::Entity::update_many()
        .col_expr(
            carts::Column::Version,
            Expr::col(carts::Column::Version).add(1),
        )
        .col_expr(carts::Column::UpdatedAt, Expr::value(now));
    if cart.token_hash.is_some() {
        update = update.col_expr(
            carts::Column::ExpiresAt,
            Expr::value(guest_expiry(settings, now)),
        );
    }
    update
        .filter(carts::Column::Id.eq(cart.id.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

/// Closes a cart: it is soft-deleted and its guest token stops working.
pub(super) async fn close(txn: &impl ConnectionTrait, cart: &carts::Model) -> Result<(), DbErr> {
    let now = Utc::now();
    carts::Entity::update_many()
        .col_expr(carts::Column::Live, Expr::value(Option::<bool>::None))
        .col_expr(carts::Column::DeletedAt, Expr::value(now))
        .col_expr(carts::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            carts::Column::Version,
            Expr::col(carts::Column::Version).add(1),
        )
        .filter(carts::Column::Id.eq(cart.id.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

fn guest_token(viewer: &Viewer) -> Option<String> {
    match viewer {
        Viewer::Guest(token) => Some(token.expose().to_owned()),
        _ => None,
    }
}

fn dead_token() -> Flow {
    Flow::Reject(UserError::new(
        ErrorCode::InvalidGuestToken,
        &["X-Cart-Token"],
        "this cart token names no open cart (it expired or the cart was cleared); send the request without it to start a new cart",
    ))
}
