//! Locating and locking the caller's cart at the start of a write transaction, checking its
//! version, and recording the change at the end.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};

use crate::{
    auth::{GuestToken, Viewer},
    db,
    domain::{CartStatus, ids::new_id},
    entity::{cart_items, carts},
    service::{CartSettings, ErrorCode, UserError},
};

use super::{
    close::{Closed, close},
    history::{self, Author, EventKind, NewEvent},
    txn::{Flow, Writer},
};

/// The locked cart of this transaction, and the guest token to hand back (if any).
pub(super) struct Locked {
    pub cart: carts::Model,
    pub token: Option<String>,
    /// The cart was created by this transaction (its history starts with CREATED).
    pub created: bool,
}

/// Locks the caller's live cart for a change and checks `expectedVersion`. `Ok(None)` when
/// there is none (or the caller is anonymous). A user's cart found expired is closed here, as
/// the sweeper would have; a guest token whose cart is closed or expired is refused, and so
/// is a cart in checkout (CART_LOCKED): its contents are frozen while its stock is held.
pub(super) async fn lock_existing(
    txn: &impl ConnectionTrait,
    writer: &Writer<'_>,
) -> Result<Option<Locked>, Flow> {
    let locked = lock_current(txn, writer).await?;
    if let Some(locked) = &locked {
        refuse_frozen(&locked.cart)?;
    }
    Ok(locked)
}

/// CART_LOCKED for a cart in checkout.
pub(super) fn refuse_frozen(cart: &carts::Model) -> Result<(), UserError> {
    match CartStatus::parse(&cart.status) {
        CartStatus::Open => Ok(()),
        CartStatus::Checkout | CartStatus::Completed => Err(UserError::new(
            ErrorCode::CartLocked,
            &[],
            "the cart is in checkout and cannot change; cancel the checkout (cancelCheckout) to change it",
        )),
    }
}

/// Like [`lock_existing`], whatever the cart's status: for the checkout transitions.
pub(super) async fn lock_current(
    txn: &impl ConnectionTrait,
    writer: &Writer<'_>,
) -> Result<Option<Locked>, Flow> {
    let now = Utc::now();
    let locked = match writer.viewer {
        Viewer::Anonymous => None,
        Viewer::User(user) => {
            let cart = lock_user_cart(txn, &user.id).await?;
            match cart {
                Some(cart) if is_expired(&cart, now) => {
                    close(
                        txn,
                        &cart,
                        Closed::Expired,
                        None,
                        &Author::system(writer.settings.outbox),
                        None,
                    )
                    .await?;
                    None
                }
                Some(cart) => Some(Locked {
                    cart,
                    token: None,
                    created: false,
                }),
                None => None,
            }
        }
        Viewer::Guest(token) => Some(Locked {
            cart: lock_guest_cart(txn, token, &["X-Cart-Token"]).await?,
            token: Some(token.expose().to_owned()),
            created: false,
        }),
    };
    let version = locked.as_ref().map_or(0, |l| l.cart.version);
    check_version(version, writer.expected_version)?;
    Ok(locked)
}

/// Locks the open, unexpired guest cart behind `token`. Otherwise CART_EXPIRED when it
/// expired, INVALID_GUEST_TOKEN when it was cleared or merged away (or never existed).
pub(super) async fn lock_guest_cart(
    txn: &impl ConnectionTrait,
    token: &GuestToken,
    field: &[&str],
) -> Result<carts::Model, Flow> {
    let cart = db::unique(
        carts::Entity::find()
            .filter(carts::Column::TokenHash.eq(token.hash()))
            .lock_exclusive(),
        txn,
    )
    .await?;
    match cart {
        Some(cart) if cart.live == Some(true) && !is_expired(&cart, Utc::now()) => Ok(cart),
        Some(cart) if cart.closed_reason.as_deref() == Some(Closed::Completed.as_str()) => {
            Err(UserError::new(
                ErrorCode::InvalidGuestToken,
                field,
                "this cart was checked out and became an order; send the request without the token to start a new cart",
            )
            .into())
        }
        Some(cart)
            if cart.closed_reason.as_deref() == Some(Closed::Expired.as_str())
                || cart.live == Some(true) =>
        {
            Err(UserError::new(
                ErrorCode::CartExpired,
                field,
                "this guest cart expired; send the request without the token to start a new cart",
            )
            .into())
        }
        _ => Err(UserError::new(
            ErrorCode::InvalidGuestToken,
            field,
            "this cart token names no open cart (it was cleared or merged); send the request without it to start a new cart",
        )
        .into()),
    }
}

/// Locks the caller's live cart, creating it first when missing: a user's one cart, or a new
/// guest cart (with a new token) for an anonymous caller.
pub(super) async fn lock_or_create(
    txn: &impl ConnectionTrait,
    writer: &Writer<'_>,
) -> Result<Locked, Flow> {
    if let Some(locked) = lock_existing(txn, writer).await? {
        return Ok(locked);
    }
    match writer.viewer {
        Viewer::User(user) => {
            // Concurrent first requests race here: the unique (user_id, live) index lets one
            // insert win; the others do nothing and then lock the winner's row.
            let now = Utc::now();
            let id = new_id();
            carts::Entity::insert(new_cart(&id, Some(user.id.clone()), None, writer, now))
                .on_conflict(
                    OnConflict::columns([carts::Column::UserId, carts::Column::Live])
                        .do_nothing_on([carts::Column::Id])
                        .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
            let cart = lock_user_cart(txn, &user.id).await?.ok_or_else(|| {
                Flow::Db(DbErr::RecordNotFound(
                    "the user's cart vanished while being created".into(),
                ))
            })?;
            check_version(cart.version, writer.expected_version)?;
            Ok(Locked {
                created: cart.id == id,
                cart,
                token: None,
            })
        }
        Viewer::Anonymous => create_guest_cart(txn, writer).await,
        // `lock_existing` answers a guest with their cart or a refusal, never with nothing.
        Viewer::Guest(_) => Err(Flow::Db(DbErr::RecordNotFound(
            "a guest token without a cart was not refused".into(),
        ))),
    }
}

/// A new guest cart and its token.
pub(super) async fn create_guest_cart(
    txn: &impl ConnectionTrait,
    writer: &Writer<'_>,
) -> Result<Locked, Flow> {
    let token = GuestToken::generate(&writer.settings.guest_key);
    let now = Utc::now();
    let id = new_id();
    carts::Entity::insert(new_cart(&id, None, Some(token.hash()), writer, now))
        .exec_without_returning(txn)
        .await?;
    let cart = db::unique(carts::Entity::find_by_id(id), txn)
        .await?
        .ok_or_else(|| {
            Flow::Db(DbErr::RecordNotFound(
                "the new guest cart is not readable".into(),
            ))
        })?;
    Ok(Locked {
        cart,
        token: Some(token.expose().to_owned()),
        created: true,
    })
}

fn new_cart(
    id: &str,
    user_id: Option<String>,
    token_hash: Option<String>,
    writer: &Writer<'_>,
    now: DateTime<Utc>,
) -> carts::ActiveModel {
    carts::ActiveModel {
        id: Set(id.to_owned()),
        user_id: Set(user_id),
        token_hash: Set(token_hash),
        live: Set(Some(true)),
        currency: Set(writer.settings.currency.code().to_owned()),
        version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        // Empty until its first line; `commit_change` sets the real expiry.
        expires_at: Set(Some(after(now, writer.settings.empty_cart_ttl))),
        deleted_at: Set(None),
        attributes: Set(None),
        note: Set(None),
        closed_reason: Set(None),
        merged_into: Set(None),
        status: Set(CartStatus::Open.as_str().to_owned()),
        buyer_email: Set(None),
        buyer_country_code: Set(None),
        buyer_province_code: Set(None),
        buyer_postal_code: Set(None),
        delivery_option: Set(None),
    }
}

/// `now + ttl`, within what every backend can store.
pub(super) fn after(now: DateTime<Utc>, ttl: std::time::Duration) -> DateTime<Utc> {
    let latest = crate::db::timestamp_span().1;
    chrono::Duration::from_std(ttl)
        .ok()
        .and_then(|ttl| now.checked_add_signed(ttl))
        .map_or(latest, |at| Ord::min(at, latest))
}

/// Past its expiry. A cart in checkout is not: its hold decides (and `beginCheckout` moves
/// the expiry past the hold's).
fn is_expired(cart: &carts::Model, now: DateTime<Utc>) -> bool {
    cart.expires_at.is_some_and(|at| at <= now)
        && CartStatus::parse(&cart.status) != CartStatus::Checkout
}

pub(super) fn check_version(current: i64, expected: Option<i64>) -> Result<(), UserError> {
    match expected {
        Some(expected) if expected != current => Err(UserError::new(
            ErrorCode::VersionConflict,
            &["expectedVersion"],
            format!("the cart is at version {current}, not {expected}; reload it and retry"),
        )),
        _ => Ok(()),
    }
}

/// Records a change: bumps the version and `updated_at`, moves the expiry (sooner while the
/// cart is empty), and appends the change's events, in two statements.
pub(super) async fn commit_change(
    txn: &impl ConnectionTrait,
    writer: &Writer<'_>,
    locked: &Locked,
    mut events: Vec<NewEvent>,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let settings: &CartSettings = writer.settings;
    let ttl = match locked.cart.user_id {
        Some(_) => settings.user_cart_ttl,
        None => settings.guest_cart_ttl,
    };
    let has_lines = Query::select()
        .expr(Expr::val(1))
        .from(cart_items::Entity)
        .and_where(
            Expr::col((cart_items::Entity, cart_items::Column::CartId)).eq(locked.cart.id.as_str()),
        )
        .and_where(Expr::col((cart_items::Entity, cart_items::Column::Live)).eq(true))
        .to_owned();
    carts::Entity::update_many()
        .col_expr(
            carts::Column::Version,
            Expr::col(carts::Column::Version).add(1),
        )
        .col_expr(carts::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            carts::Column::ExpiresAt,
            Expr::case(Expr::exists(has_lines), Expr::value(after(now, ttl)))
                .finally(Expr::value(after(now, settings.empty_cart_ttl)))
                .into(),
        )
        .filter(carts::Column::Id.eq(locked.cart.id.as_str()))
        .exec(txn)
        .await?;
    if locked.created {
        events.insert(0, NewEvent::cart(EventKind::Created, None));
    }
    history::append(txn, &locked.cart, &writer.author(), events, now).await
}

/// The user's live cart, locked (one at most: `ux_carts_live_user`).
async fn lock_user_cart(
    txn: &impl ConnectionTrait,
    user_id: &str,
) -> Result<Option<carts::Model>, DbErr> {
    db::unique(
        carts::Entity::find()
            .filter(carts::Column::UserId.eq(user_id))
            .filter(carts::Column::Live.eq(true))
            .lock_exclusive(),
        txn,
    )
    .await
}
