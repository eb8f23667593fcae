//! Scarce holds (OWASP OAT-021, denial of inventory): a bot mints guest tokens and carts for
//! free, so what one *holder* — a client address, and separately a buyer email — may hold in
//! open checkouts is capped: at most `max_checkouts` checkouts and at most `max_share` of any
//! product's stock at once. A cart whose checkout was cancelled or lapsed also waits
//! `cooldown` before it begins again.
//!
//! Each holder's counts live in `hold_shares` and move by guarded UPDATEs (take only while the
//! result stays within the cap), so racing begins of one holder on any number of instances
//! never pass a cap, and every release gives back exactly what its begin took. The rows are
//! taken last, after products and promotions, by begins and releases alike: no two
//! transitions wait on each other's locks.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, OnConflict},
};

use crate::entity::{checkouts, hold_shares};

use super::CheckoutState;

/// The hold caps and the payment window, as configured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoldRules {
    /// Open checkouts per holder (`CARTQL_HOLD_MAX_CHECKOUTS`).
    pub max_checkouts: u32,
    /// Share of a product's stock per holder, in parts per million (`CARTQL_HOLD_MAX_SHARE`);
    /// a million switches the cap off.
    pub max_share_ppm: u32,
    /// Wait after a cancelled or lapsed checkout (`CARTQL_HOLD_COOLDOWN`); zero for none.
    pub cooldown: Duration,
    /// How long a claimed checkout holds (`CARTQL_CHECKOUT_PAYMENT_WINDOW`).
    pub payment_window: Duration,
}

/// Parts per million in a whole.
const WHOLE: u32 = 1_000_000;

impl Default for HoldRules {
    fn default() -> Self {
        Self {
            max_checkouts: 3,
            max_share_ppm: WHOLE / 2,
            cooldown: Duration::from_secs(120),
            payment_window: Duration::from_secs(1_800),
        }
    }
}

/// A share between 0 and 1 (at most six fraction digits) in parts per million.
pub fn parse_share(raw: &str) -> Option<u32> {
    let raw = raw.trim();
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 6 {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    let fraction: u32 = format!("{fraction:0<6}").parse().ok()?;
    let ppm = whole.checked_mul(WHOLE)?.checked_add(fraction)?;
    (ppm <= WHOLE).then_some(ppm)
}

impl HoldRules {
    /// The most units of a product with `stock` units one holder may hold: the share, rounded
    /// up, and never less than one unit (a product's last unit stays buyable).
    pub fn units_cap(&self, stock: i32) -> i64 {
        let share = i64::from(Ord::max(stock, 0)) * i64::from(self.max_share_ppm);
        Ord::max(
            (share + i64::from(WHOLE) - 1).div_euclid(i64::from(WHOLE)),
            1,
        )
    }

    fn caps_units(&self) -> bool {
        self.max_share_ppm < WHOLE
    }
}

/// The holder keys of a checkout: its client address and its buyer email.
pub(super) fn holders(checkout: &checkouts::Model) -> Vec<&str> {
    let mut keys: Vec<&str> = [&checkout.address_key, &checkout.buyer_key]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Which cap refused a begin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Refused {
    /// The holder has `max_checkouts` open checkouts.
    Checkouts,
    /// The holder would hold more than its share of this product.
    Share { product_id: String, cap: i64 },
}

/// The item key of a holder's checkout count.
const CHECKOUTS: &str = "";

/// Takes one checkout and the `wanted` units (product, quantity, stock) for every holder of
/// `checkout`; on the first cap that refuses, stops and names it (the caller rolls back).
pub(super) async fn take(
    txn: &impl ConnectionTrait,
    rules: &HoldRules,
    checkout: &checkouts::Model,
    wanted: &[(String, i32, i32)],
    now: DateTime<Utc>,
) -> Result<Result<(), Refused>, DbErr> {
    let mut wanted = wanted.to_vec();
    wanted.sort();
    for holder in holders(checkout) {
        let mut items = vec![CHECKOUTS.to_owned()];
        if rules.caps_units() {
            items.extend(wanted.iter().map(|(product, ..)| product.clone()));
        }
        ensure_rows(txn, holder, &items, now).await?;
        let cap = i64::from(rules.max_checkouts);
        if !add(txn, holder, CHECKOUTS, 1, Some(cap), now).await? {
            return Ok(Err(Refused::Checkouts));
        }
        if !rules.caps_units() {
            continue;
        }
        for (product, quantity, stock) in &wanted {
            let cap = rules.units_cap(*stock);
            if !add(txn, holder, product, *quantity, Some(cap), now).await? {
                return Ok(Err(Refused::Share {
                    product_id: product.clone(),
                    cap,
                }));
            }
        }
    }
    Ok(Ok(()))
}

/// Gives back what [`take`] took for `checkout`, whose holds were `held` (product, quantity).
/// Counts never go below zero (caps may have been switched on after the begin).
pub(super) async fn give_back(
    txn: &impl ConnectionTrait,
    checkout: &checkouts::Model,
    held: &[(String, i32)],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for holder in holders(checkout) {
        add(txn, holder, CHECKOUTS, -1, None, now).await?;
        for (product, quantity) in held {
            add(txn, holder, product, -quantity, None, now).await?;
        }
    }
    Ok(())
}

/// Makes sure `holder` has a row for each of `items` (and locks them: an upsert takes the
/// row lock on every backend, so one holder's begins queue here).
async fn ensure_rows(
    txn: &impl ConnectionTrait,
    holder: &str,
    items: &[String],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let rows = items.iter().map(|item| hold_shares::ActiveModel {
        holder: Set(holder.to_owned()),
        item: Set(item.clone()),
        amount: Set(0),
        updated_at: Set(now),
    });
    hold_shares::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([hold_shares::Column::Holder, hold_shares::Column::Item])
                .update_column(hold_shares::Column::UpdatedAt)
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// Adds `by` to a holder's count, only while the result stays within `cap` (and never below
/// zero); whether it did.
async fn add(
    txn: &impl ConnectionTrait,
    holder: &str,
    item: &str,
    by: i32,
    cap: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let amount = Expr::col(hold_shares::Column::Amount);
    let next: Expr = Expr::case(amount.clone().add(by).gte(0), amount.clone().add(by))
        .finally(0)
        .into();
    let mut update = hold_shares::Entity::update_many()
        .col_expr(hold_shares::Column::Amount, next)
        .col_expr(hold_shares::Column::UpdatedAt, Expr::value(now))
        .filter(hold_shares::Column::Holder.eq(holder))
        .filter(hold_shares::Column::Item.eq(item));
    if let Some(cap) = cap {
        update = update.filter(amount.add(by).lte(cap));
    }
    Ok(update.exec(txn).await?.rows_affected > 0)
}

/// How long `cart_id` still has to wait before it may begin again: the cooldown after its
/// last checkout that was cancelled or lapsed, counted from when the hold ended.
pub(super) async fn cooling_down(
    txn: &impl ConnectionTrait,
    rules: &HoldRules,
    cart_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<Duration>, DbErr> {
    if rules.cooldown.is_zero() {
        return Ok(None);
    }
    let ended = [CheckoutState::Cancelled, CheckoutState::Expired].map(CheckoutState::as_str);
    let last = checkouts::Entity::find()
        .filter(checkouts::Column::CartId.eq(cart_id))
        .filter(checkouts::Column::State.is_in(ended))
        .order_by_desc(checkouts::Column::CreatedAt)
        .limit(1)
        .one(txn)
        .await?;
    let Some(last) = last else {
        return Ok(None);
    };
    let hold_ended = match CheckoutState::parse(&last.state) {
        CheckoutState::Expired => last.expires_at,
        _ => last.closed_at.unwrap_or(last.expires_at),
    };
    let cooldown = chrono::Duration::from_std(rules.cooldown).unwrap_or(chrono::Duration::MAX);
    let until = hold_ended.checked_add_signed(cooldown).unwrap_or(now);
    Ok((until > now).then(|| (until - now).to_std().unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_parse_exactly_and_caps_round_up_to_at_least_one_unit() {
        assert_eq!(parse_share("0.5"), Some(500_000));
        assert_eq!(parse_share("1"), Some(WHOLE));
        assert_eq!(parse_share("0.000001"), Some(1));
        for bad in ["", "1.5", "-0.1", "0.1234567", "half", ".5"] {
            assert_eq!(parse_share(bad), None, "{bad}");
        }
        let rules = HoldRules::default();
        assert_eq!(rules.units_cap(30), 15);
        assert_eq!(rules.units_cap(3), 2);
        assert_eq!(rules.units_cap(1), 1);
        assert_eq!(rules.units_cap(0), 1);
        let tight = HoldRules {
            max_share_ppm: 100_000,
            ..rules
        };
        assert_eq!(tight.units_cap(30), 3);
        assert_eq!(tight.units_cap(5), 1);
    }
}
