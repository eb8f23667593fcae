//! `mergeGuestCart`: folds a guest cart into the signed-in user's cart, in one transaction.
//!
//! Lock order is always the user's cart, then the guest cart; a guest's own mutations lock only
//! the guest cart. So merges never deadlock with each other or with the guest, and concurrent
//! merges of one guest cart are serialized: the first moves the lines and closes the guest
//! cart, the others find it closed into the same cart and answer "done" without acting.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    sea_query::Expr,
};

use crate::{
    auth::GuestToken,
    domain::Attributes,
    entity::{cart_items, carts, products},
    error::AppResult,
    service::{Outcome, Warning, WarningCode, catalog, pricing},
};

use super::{
    buyer,
    change::{Change, change_of},
    close::{Closed, close},
    discount_codes,
    history::{EventKind, NewEvent},
    lines::set_quantity,
    lock::{self, Locked},
    rules,
    txn::{Flow, Writer},
};

/// How a line present in both carts ends up. Lines found in only one cart are always kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeStrategy {
    /// Add the two quantities.
    Sum,
    /// Keep the larger quantity.
    Max,
    /// Keep the user's quantity.
    KeepUser,
    /// Take the guest's quantity.
    KeepGuest,
}

impl MergeStrategy {
    fn combine(self, user: i32, guest: i32) -> i64 {
        let (user, guest) = (i64::from(user), i64::from(guest));
        match self {
            Self::Sum => user + guest,
            Self::Max => user.max(guest),
            Self::KeepUser => user,
            Self::KeepGuest => guest,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Sum => "SUM",
            Self::Max => "MAX",
            Self::KeepUser => "KEEP_USER",
            Self::KeepGuest => "KEEP_GUEST",
        }
    }
}

/// Merges the guest cart of `guest` into the caller's (a user's) cart. Every line that was
/// combined, cut or dropped is reported as a MERGE_ADJUSTED warning naming the line.
pub async fn merge_guest_cart(
    writer: &Writer<'_>,
    guest: &GuestToken,
    strategy: MergeStrategy,
) -> AppResult<Outcome<Change>> {
    in_write_transaction!(writer, |txn| {
        let locked = lock::lock_or_create(txn, writer).await?;
        let guest_cart = match lock::lock_guest_cart(txn, guest, &["guestToken"]).await {
            Ok(cart) => cart,
            // A repeat of a merge that already went into this cart: done, nothing to do.
            Err(Flow::Reject(refused)) => {
                return match merged_into(txn, guest).await? {
                    Some(target) if target == locked.cart.id => {
                        Ok((change_of(&locked), Vec::new()))
                    }
                    _ => Err(Flow::Reject(refused)),
                };
            }
            Err(other) => return Err(other),
        };
        lock::refuse_frozen(&guest_cart)?;
        let mut merge = Merge::start(txn, writer, &locked, strategy).await?;
        for (line, product) in lines_of(txn, &guest_cart.id).await? {
            merge.take(txn, line, product).await?;
        }
        merge_details(txn, &locked.cart, &guest_cart, writer).await?;
        buyer::merge_buyer(txn, &locked.cart, &guest_cart).await?;
        discount_codes::carry_codes(txn, &guest_cart.id, &locked.cart.id).await?;
        close(
            txn,
            &guest_cart,
            Closed::Merged,
            Some(&locked.cart.id),
            &writer.author(),
            Some(format!(
                "into cart {} ({})",
                locked.cart.id,
                strategy.name()
            )),
        )
        .await?;
        let Merge {
            mut events,
            warnings,
            ..
        } = merge;
        events.push(NewEvent::cart(
            EventKind::Merged,
            Some(format!(
                "from guest cart {} ({})",
                guest_cart.id,
                strategy.name()
            )),
        ));
        lock::commit_change(txn, writer, &locked, events).await?;
        Ok((change_of(&locked), warnings))
    })
}

/// The cart a closed guest cart was merged into, if it was.
async fn merged_into(
    txn: &impl ConnectionTrait,
    guest: &GuestToken,
) -> Result<Option<String>, DbErr> {
    Ok(carts::Entity::find()
        .filter(carts::Column::TokenHash.eq(guest.hash()))
        .one(txn)
        .await?
        .and_then(|cart| cart.merged_into))
}

async fn lines_of(
    txn: &impl ConnectionTrait,
    cart_id: &str,
) -> Result<Vec<(cart_items::Model, Option<products::Model>)>, DbErr> {
    cart_items::Entity::find()
        .filter(cart_items::Column::CartId.eq(cart_id))
        .filter(cart_items::Column::Live.eq(true))
        .find_also_related(products::Entity)
        .order_by_asc(cart_items::Column::CreatedAt)
        .order_by_asc(cart_items::Column::Id)
        .all(txn)
        .await
}

/// A merge in progress: the user's lines by identity, and what has been reported so far.
struct Merge<'w, 'a> {
    writer: &'w Writer<'a>,
    cart: &'w carts::Model,
    strategy: MergeStrategy,
    user_lines: HashMap<(String, String), cart_items::Model>,
    line_count: usize,
    events: Vec<NewEvent>,
    warnings: Vec<Warning>,
}

impl<'w, 'a> Merge<'w, 'a> {
    async fn start(
        txn: &DatabaseTransaction,
        writer: &'w Writer<'a>,
        locked: &'w Locked,
        strategy: MergeStrategy,
    ) -> Result<Self, Flow> {
        let user_lines: HashMap<_, _> = lines_of(txn, &locked.cart.id)
            .await?
            .into_iter()
            .map(|(line, _)| ((line.product_id.clone(), line.attributes_key.clone()), line))
            .collect();
        Ok(Self {
            writer,
            cart: &locked.cart,
            strategy,
            line_count: user_lines.len(),
            user_lines,
            events: Vec::new(),
            warnings: Vec::new(),
        })
    }

    fn adjusted(&mut self, line_id: &str, message: String) {
        self.warnings.push(Warning {
            code: WarningCode::MergeAdjusted,
            message,
            target: Some(line_id.to_owned()),
        });
    }

    /// Folds one guest line into the user's cart: combined with the user's matching line,
    /// moved over as a new line, or dropped when it cannot be bought or does not fit.
    async fn take(
        &mut self,
        txn: &DatabaseTransaction,
        line: cart_items::Model,
        product: Option<products::Model>,
    ) -> Result<(), Flow> {
        let Some(product) = product else {
            self.adjusted(
                &line.id,
                "a line of the guest cart was dropped: its product is no longer sold".into(),
            );
            return Ok(());
        };
        let attributes = Attributes::from_json(&line.attributes);
        if let Err(refusal) = rules::check_can_add(&product, &attributes, self.cart, &[]) {
            self.adjusted(
                &line.id,
                format!(
                    "{} was dropped from the guest cart: {}",
                    product.sku, refusal.message
                ),
            );
            return Ok(());
        }
        let limits = &self.writer.settings.limits;
        let rule = catalog::quantity_rule(&product);
        // The most the line may hold: the limit, the stock and the product's quantity rule.
        let fit = |wanted: i64| {
            rule.largest_within(
                wanted
                    .min(i64::from(limits.max_line_quantity))
                    .min(i64::from(catalog::available(&product))),
            )
        };
        let price = pricing::effective_price(&product);
        let identity = (line.product_id.clone(), line.attributes_key.clone());

        if let Some(mine) = self.user_lines.get(&identity).cloned() {
            let wanted = self.strategy.combine(mine.quantity, line.quantity);
            // The user's line already obeyed the rule when it was set; it stays if none fits.
            let quantity = fit(wanted).map_or(mine.quantity, |q| q as i32);
            if quantity != mine.quantity {
                set_quantity(txn, &mine.id, quantity, price).await?;
                self.events.push(NewEvent::line(
                    EventKind::Updated,
                    &mine.id,
                    &product.id,
                    quantity,
                ));
            }
            let cut = match wanted > i64::from(quantity) {
                true => format!(", cut from {wanted} to what can be bought"),
                false => String::new(),
            };
            self.adjusted(
                &mine.id,
                format!(
                    "{} was in both carts: {} now holds {quantity}{cut}",
                    product.sku,
                    self.strategy.name()
                ),
            );
            return Ok(());
        }

        if self.line_count >= limits.max_lines as usize {
            self.adjusted(
                &line.id,
                format!(
                    "{} was dropped: a cart holds at most {} lines",
                    product.sku, limits.max_lines
                ),
            );
            return Ok(());
        }
        let Some(quantity) = fit(i64::from(line.quantity)).map(|q| q as i32) else {
            self.adjusted(
                &line.id,
                format!(
                    "{} was dropped from the guest cart: it is sold {rule}, and that many cannot be bought",
                    product.sku
                ),
            );
            return Ok(());
        };
        if quantity != line.quantity {
            self.adjusted(
                &line.id,
                format!(
                    "{} was cut from {} to {quantity}, what can be bought",
                    product.sku, line.quantity
                ),
            );
        }
        // Move the line itself, so its id (and the price the guest saw) survive the merge.
        cart_items::Entity::update_many()
            .col_expr(
                cart_items::Column::CartId,
                Expr::value(self.cart.id.clone()),
            )
            .col_expr(cart_items::Column::Quantity, Expr::value(quantity))
            .col_expr(
                cart_items::Column::UpdatedAt,
                Expr::value(chrono::Utc::now()),
            )
            .filter(cart_items::Column::Id.eq(line.id.as_str()))
            .exec(txn)
            .await?;
        self.events.push(NewEvent::line(
            EventKind::Added,
            &line.id,
            &product.id,
            quantity,
        ));
        self.line_count += 1;
        self.user_lines.insert(identity, line);
        Ok(())
    }
}

/// The guest's cart attributes fill keys the user's cart lacks (within the attribute limit);
/// the guest's note is kept when the user's cart has none.
async fn merge_details(
    txn: &impl ConnectionTrait,
    user: &carts::Model,
    guest: &carts::Model,
    writer: &Writer<'_>,
) -> Result<(), DbErr> {
    let read = |cart: &carts::Model| {
        cart.attributes
            .as_deref()
            .map(Attributes::from_json)
            .unwrap_or_default()
    };
    let merged = read(user).fill_from(&read(guest), writer.settings.limits.max_attributes);
    let note = user
        .note
        .clone()
        .filter(|n| !n.is_empty())
        .or(guest.note.clone());
    if merged == read(user) && note == user.note {
        return Ok(());
    }
    carts::Entity::update_many()
        .col_expr(carts::Column::Attributes, Expr::value(merged.to_json()))
        .col_expr(carts::Column::Note, Expr::value(note))
        .filter(carts::Column::Id.eq(user.id.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}
