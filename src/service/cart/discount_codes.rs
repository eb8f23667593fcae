//! `applyDiscountCode` and `removeDiscountCode`: the codes a shopper keeps on a cart. A code
//! stays on the cart whether or not it applies now; pricing decides on every read, so adding
//! a line can make a code apply and removing one can make it stop.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

use crate::{
    entity::{cart_discount_codes, promotions},
    error::AppResult,
    service::{
        ErrorCode, Outcome, UserError,
        promotions::{MAX_CODE_LEN, MAX_CODES_PER_CART, code_key},
    },
};

use super::{
    change::{Change, change_of},
    history::{EventKind, NewEvent},
    lock,
    txn::{Flow, Writer},
};

fn not_found(code: &str) -> UserError {
    UserError::new(
        ErrorCode::DiscountCodeNotFound,
        &["code"],
        format!("there is no discount code {:?}", code.trim()),
    )
}

/// The promotion a code names (case-insensitively), if a shopper may know of it: a code that
/// is switched off or not yet started names nothing, exactly like an unknown one, so guessing
/// reveals no unreleased campaign (and counts as a miss). An ended code is no secret.
async fn promotion_of(
    txn: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<promotions::Model>, Flow> {
    let key = code_key(code);
    if key.is_empty() || key.chars().count() > MAX_CODE_LEN {
        return Ok(None);
    }
    let now = Utc::now();
    Ok(promotions::Entity::find()
        .filter(promotions::Column::CodeKey.eq(key))
        .one(txn)
        .await?
        .filter(|p| p.active && p.starts_at.is_none_or(|start| start <= now)))
}

/// Puts `code` on the caller's cart (created if needed). An unknown code is refused and
/// changes nothing; a code already on the cart changes nothing either; a sixth is refused.
pub async fn apply_discount_code(writer: &Writer<'_>, code: &str) -> AppResult<Outcome<Change>> {
    in_write_transaction!(writer, |txn| {
        let promotion = promotion_of(txn, code)
            .await?
            .ok_or_else(|| not_found(code))?;
        let key = code_key(code);
        let locked = lock::lock_or_create(txn, writer).await?;
        let held: Vec<String> = cart_discount_codes::Entity::find()
            .filter(cart_discount_codes::Column::CartId.eq(locked.cart.id.as_str()))
            .all(txn)
            .await?
            .into_iter()
            .map(|row| row.code_key)
            .collect();
        if held.contains(&key) {
            return Ok((change_of(&locked), Vec::new()));
        }
        if held.len() >= MAX_CODES_PER_CART {
            return Err(UserError::new(
                ErrorCode::DiscountCodeLimitExceeded,
                &["code"],
                format!("a cart holds at most {MAX_CODES_PER_CART} discount codes"),
            )
            .into());
        }
        cart_discount_codes::Entity::insert(cart_discount_codes::ActiveModel {
            cart_id: Set(locked.cart.id.clone()),
            code_key: Set(key),
            promotion_id: Set(promotion.id.clone()),
            created_at: Set(Utc::now()),
        })
        .exec_without_returning(txn)
        .await?;
        let shown = promotion.code.unwrap_or_else(|| code.trim().to_owned());
        let event = NewEvent::cart(EventKind::DiscountCodeApplied, Some(shown));
        lock::commit_change(txn, writer, &locked, vec![event]).await?;
        Ok((change_of(&locked), Vec::new()))
    })
}

/// Takes `code` off the caller's cart. A code that is not on the cart is DISCOUNT_CODE_NOT_FOUND.
pub async fn remove_discount_code(writer: &Writer<'_>, code: &str) -> AppResult<Outcome<Change>> {
    in_write_transaction!(writer, |txn| {
        let locked = lock::lock_existing(txn, writer)
            .await?
            .ok_or_else(|| not_found(code))?;
        let removed = cart_discount_codes::Entity::delete_many()
            .filter(cart_discount_codes::Column::CartId.eq(locked.cart.id.as_str()))
            .filter(cart_discount_codes::Column::CodeKey.eq(code_key(code)))
            .exec(txn)
            .await?;
        if removed.rows_affected == 0 {
            return Err(not_found(code).into());
        }
        let event = NewEvent::cart(EventKind::DiscountCodeRemoved, Some(code.trim().to_owned()));
        lock::commit_change(txn, writer, &locked, vec![event]).await?;
        Ok((change_of(&locked), Vec::new()))
    })
}

/// On a merge: the guest cart's codes join the user's cart, oldest first, as far as the
/// user's cart has room for them.
pub(super) async fn carry_codes(
    txn: &impl ConnectionTrait,
    from_cart: &str,
    to_cart: &str,
) -> Result<(), DbErr> {
    let codes_of = |cart: &str| {
        cart_discount_codes::Entity::find()
            .filter(cart_discount_codes::Column::CartId.eq(cart.to_owned()))
            .order_by_asc(cart_discount_codes::Column::CreatedAt)
            .order_by_asc(cart_discount_codes::Column::CodeKey)
            .all(txn)
    };
    let held = codes_of(to_cart).await?;
    let mut room = MAX_CODES_PER_CART.saturating_sub(held.len());
    for code in codes_of(from_cart).await? {
        if room == 0 {
            break;
        }
        if held.iter().any(|h| h.code_key == code.code_key) {
            continue;
        }
        cart_discount_codes::Entity::insert(cart_discount_codes::ActiveModel {
            cart_id: Set(to_cart.to_owned()),
            code_key: Set(code.code_key),
            promotion_id: Set(code.promotion_id),
            created_at: Set(Utc::now()),
        })
        .exec_without_returning(txn)
        .await?;
        room -= 1;
    }
    Ok(())
}
