//! The promotions a cart may get, read in one statement: every automatic promotion that is
//! switched on, every code entered on the cart, and how often the cart's customer has used
//! each.

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DbErr, FromQueryResult, Iterable,
    sea_query::{Alias, Condition, Expr, ExprTrait, JoinType, Order, Query},
};

use super::stored::offer_of;
use crate::{
    domain::{CartStatus, holder},
    entity::{cart_discount_codes, carts, promotion_usages, promotions},
    service::pricing::{Offer, OfferOutcome, PricedCart},
};

/// What a cart's promotions are before pricing decides which apply.
#[derive(Clone, Debug, Default)]
pub struct CartOffers {
    /// The promotions that may apply: automatic ones and entered codes that are active,
    /// within their dates and have uses left.
    pub offers: Vec<Offer>,
    /// The codes on the cart, in the order they were entered.
    pub codes: Vec<EnteredCode>,
}

/// A code on a cart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnteredCode {
    /// The code as the admin wrote it.
    pub code: String,
    pub promotion_id: String,
    /// The state before pricing: `NotApplicable` stands for "usable, pricing decides".
    pub state: CodeState,
}

/// Where a code on a cart stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeState {
    /// It applies to the cart.
    Applied,
    /// Kept on the cart, but the cart does not meet its conditions (or a better promotion
    /// that does not stack with it applies).
    NotApplicable,
    /// Past its end date.
    Expired,
    /// Switched off, or before its start date.
    NotActive,
    /// Used as often as it may be, in all or by this customer.
    UsageLimitReached,
}

/// The customer a cart's promotion uses count against: `user:<id>` or `guest:<hash>`, the
/// same names the rest of the service gives callers. Uses also count against the buyer's
/// email ([`buyer_of`]): one customer across guest carts and accounts.
pub fn customer_of(cart: &carts::Model) -> String {
    match (&cart.user_id, &cart.token_hash) {
        (Some(user), _) => format!("user:{user}"),
        (None, Some(hash)) => format!("guest:{hash}"),
        (None, None) => "unknown".to_owned(),
    }
}

/// The key of the cart's buyer email, when it has one.
pub fn buyer_of(cart: &carts::Model) -> Option<String> {
    cart.buyer_email.as_deref().map(holder::buyer_key)
}

/// Whether a counted use (a row of `promotion_usages`) is this cart's customer's: same
/// customer or same buyer email, on another cart (this cart's own use, counted when its
/// checkout was claimed, is the one it prices with).
pub(super) fn customers_use(cart: &carts::Model) -> Condition {
    let mut same = Condition::any().add(
        Expr::col((promotion_usages::Entity, promotion_usages::Column::Customer))
            .eq(customer_of(cart)),
    );
    if let Some(buyer) = buyer_of(cart) {
        same = same.add(
            Expr::col((promotion_usages::Entity, promotion_usages::Column::BuyerKey)).eq(buyer),
        );
    }
    Condition::all().add(same).add(
        Expr::col((promotion_usages::Entity, promotion_usages::Column::CartId))
            .ne(cart.id.as_str()),
    )
}

/// A stored promotion with what the cart adds to it.
#[derive(Clone)]
pub(super) struct Found {
    pub(super) promotion: promotions::Model,
    /// The entry on this cart, when it is a code the shopper entered.
    pub(super) entered_at: Option<DateTime<Utc>>,
    pub(super) used_by_customer: i64,
}

const ENTERED_AT: &str = "entered_at";
const USED_BY_CUSTOMER: &str = "used_by_customer";

/// The promotions `cart` may get, as of `now`.
pub async fn cart_offers(
    db: &impl ConnectionTrait,
    cart: &carts::Model,
    now: DateTime<Utc>,
) -> Result<CartOffers, DbErr> {
    let uses = Query::select()
        .expr(Expr::col((promotion_usages::Entity, promotion_usages::Column::CartId)).count())
        .from(promotion_usages::Entity)
        .and_where(
            Expr::col((
                promotion_usages::Entity,
                promotion_usages::Column::PromotionId,
            ))
            .equals((promotions::Entity, promotions::Column::Id)),
        )
        .cond_where(customers_use(cart))
        .to_owned();
    let mut query = Query::select();
    query
        .columns(promotions::Column::iter().map(|c| (promotions::Entity, c)))
        .expr_as(
            Expr::col((
                cart_discount_codes::Entity,
                cart_discount_codes::Column::CreatedAt,
            )),
            Alias::new(ENTERED_AT),
        )
        .expr_as(
            Expr::SubQuery(None, Box::new(uses.into())),
            Alias::new(USED_BY_CUSTOMER),
        )
        .from(promotions::Entity)
        .join(
            JoinType::LeftJoin,
            cart_discount_codes::Entity,
            Condition::all()
                .add(
                    Expr::col((
                        cart_discount_codes::Entity,
                        cart_discount_codes::Column::PromotionId,
                    ))
                    .equals((promotions::Entity, promotions::Column::Id)),
                )
                .add(
                    Expr::col((
                        cart_discount_codes::Entity,
                        cart_discount_codes::Column::CartId,
                    ))
                    .eq(cart.id.as_str()),
                ),
        )
        .cond_where(
            Condition::any()
                .add(
                    Condition::all()
                        .add(Expr::col((promotions::Entity, promotions::Column::Code)).is_null())
                        .add(Expr::col((promotions::Entity, promotions::Column::Active)).eq(true)),
                )
                .add(
                    Expr::col((
                        cart_discount_codes::Entity,
                        cart_discount_codes::Column::CartId,
                    ))
                    .is_not_null(),
                ),
        )
        .order_by((promotions::Entity, promotions::Column::Id), Order::Asc);
    let statement = db.get_database_backend().build(&query);
    let mut found = Vec::new();
    for row in db.query_all_raw(statement).await? {
        found.push(Found {
            promotion: promotions::Model::from_query_result(&row, "")?,
            entered_at: row.try_get("", ENTERED_AT)?,
            used_by_customer: row.try_get("", USED_BY_CUSTOMER)?,
        });
    }
    Ok(sort_out(found, now, in_checkout(cart)))
}

/// The cart is frozen in checkout.
pub(super) fn in_checkout(cart: &carts::Model) -> bool {
    CartStatus::parse(&cart.status) == CartStatus::Checkout
}

/// Splits what was found into the offers pricing may use and the codes with their states.
/// `frozen`: the cart is in checkout, whose holds already reserve the uses it needs.
pub(super) fn sort_out(mut found: Vec<Found>, now: DateTime<Utc>, frozen: bool) -> CartOffers {
    let mut out = CartOffers::default();
    // Codes in the order they were entered (then by id: entries in the same instant).
    found.sort_by(|a, b| (a.entered_at, &a.promotion.id).cmp(&(b.entered_at, &b.promotion.id)));
    for Found {
        promotion,
        entered_at,
        used_by_customer,
    } in found
    {
        let state = state_of(&promotion, used_by_customer, now, frozen);
        let usable = state == CodeState::NotApplicable;
        if let (Some(code), Some(_)) = (&promotion.code, entered_at) {
            out.codes.push(EnteredCode {
                code: code.clone(),
                promotion_id: promotion.id.clone(),
                state,
            });
        }
        // An automatic promotion, or a code the shopper entered.
        let on_cart = promotion.code.is_none() || entered_at.is_some();
        if usable
            && on_cart
            && let Some(offer) = offer_of(&promotion)
        {
            out.offers.push(offer);
        }
    }
    out.offers.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Whether a promotion may be used now by this customer (`NotApplicable`: usable, pricing
/// decides) or why not. Uses held by open checkouts count against `usageLimit`, except for
/// a cart that is itself in checkout (`frozen`): it prices as it did when its checkout began
/// and took its holds, and the checkout's frozen totals are the ones that bind.
fn state_of(
    promotion: &promotions::Model,
    used_by_customer: i64,
    now: DateTime<Utc>,
    frozen: bool,
) -> CodeState {
    let held = if frozen { 0 } else { promotion.times_held };
    if !promotion.active || promotion.starts_at.is_some_and(|start| start > now) {
        CodeState::NotActive
    } else if promotion.ends_at.is_some_and(|end| end <= now) {
        CodeState::Expired
    } else if promotion
        .usage_limit
        .is_some_and(|limit| promotion.times_used.saturating_add(held) >= limit)
        || promotion
            .usage_limit_per_customer
            .is_some_and(|limit| used_by_customer >= i64::from(limit))
    {
        CodeState::UsageLimitReached
    } else {
        CodeState::NotApplicable
    }
}

impl CartOffers {
    /// The codes' final states once `priced` decided which offers apply, each with why it does
    /// not apply when pricing said so.
    pub fn settled_codes(&self, priced: &PricedCart) -> Vec<(EnteredCode, Option<String>)> {
        self.codes
            .iter()
            .map(|entered| {
                let outcome = self
                    .offers
                    .iter()
                    .position(|o| o.id == entered.promotion_id)
                    .and_then(|i| priced.outcomes.get(i));
                let (state, reason) = match (entered.state, outcome) {
                    (CodeState::NotApplicable, Some(OfferOutcome::Applied(_))) => {
                        (CodeState::Applied, None)
                    }
                    (CodeState::NotApplicable, Some(OfferOutcome::Unmet(why))) => {
                        (CodeState::NotApplicable, Some(why.clone()))
                    }
                    (CodeState::NotApplicable, Some(OfferOutcome::Outbid)) => (
                        CodeState::NotApplicable,
                        Some("another promotion that does not combine with it saves more".into()),
                    ),
                    (state, _) => (state, None),
                };
                (
                    EnteredCode {
                        state,
                        ..entered.clone()
                    },
                    reason,
                )
            })
            .collect()
    }
}
