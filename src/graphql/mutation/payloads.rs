//! Building a cart mutation's payload from its outcome: the cart as it stands after the
//! commit (read fresh), the line it touched, its warnings, and the live-cart announcement.

use async_graphql::{Context, Result};

use crate::{
    domain::Currency,
    error::AppError,
    graphql::{
        context::ContextExt,
        types::{Cart, CartItem, CartItemPayload, CartPayload, CartWarning, report_user_errors},
    },
    live,
    service::{
        Outcome, UserError, Warning,
        cart::{self, Change, Include, ItemChange},
        idempotency::Claim,
    },
};

/// Tells `cartUpdated` subscribers that the caller's cart changed (`issued_token`: the guest
/// token a mutation just gave an anonymous caller).
pub(super) fn announce(ctx: &Context<'_>, issued_token: Option<&str>) {
    if let Some(key) = live::owner_key(ctx.viewer(), issued_token) {
        ctx.state().live.changed(key);
    }
}

/// The request's idempotency claim, when it sent an `Idempotency-Key`.
pub(super) fn claim<'a>(ctx: &'a Context<'_>) -> Option<&'a Claim> {
    ctx.data_opt::<Claim>()
}

/// A refused cart mutation: the errors, and the caller's cart as it stands (unchanged).
pub(super) async fn cart_refused(ctx: &Context<'_>, error: UserError) -> Result<CartPayload> {
    cart_payload(ctx, Outcome::rejected(error)).await
}

pub(super) async fn item_refused(ctx: &Context<'_>, error: UserError) -> Result<CartItemPayload> {
    item_payload(ctx, Outcome::rejected(error)).await
}

/// The cart a mutation left, read fresh after its commit. The change is committed, so a read
/// that fails (the connection broke just after COMMIT) must not answer as if nothing had
/// happened: it answers OUTCOME_UNKNOWN, which a keyed retry resolves from the record.
async fn cart_after(ctx: &Context<'_>, change: Change) -> Result<Option<Cart>, AppError> {
    let Some(cart_id) = change.cart_id else {
        return Ok(None);
    };
    let state = ctx.state();
    let view = cart::view_by_id(&state.db, &cart_id, change.token, include(ctx))
        .await
        .map_err(|err| {
            if let AppError::Internal(cause) = &err {
                tracing::error!(
                    error = format!("{cause:#}"),
                    "reading a committed cart failed"
                );
            }
            AppError::OutcomeUnknown
        })?;
    Ok(view.map(|view| Cart::new(view, state.settings)))
}

/// The caller's cart as it stands, for the payload of a refused mutation.
async fn current_cart(ctx: &Context<'_>) -> Result<Option<Cart>, AppError> {
    let state = ctx.state();
    let view = cart::viewer_cart(&state.db, ctx.viewer(), include(ctx)).await?;
    Ok(view.map(|view| Cart::new(view, state.settings)))
}

/// What the payload's cart read includes: media when the cart's lines ask for them, or the
/// payload's `item`, which is taken from that cart.
fn include(ctx: &Context<'_>) -> Include {
    let selection = ctx.look_ahead();
    let item = selection.field("item");
    Cart::include(selection.field("cart")).union(Include {
        media: item.field("product").field("media").exists(),
        // The payload's warnings include the cart's DISCOUNT_NOT_APPLICABLE ones.
        prices: selection.field("warnings").exists()
            || item.field("discountAllocations").exists()
            || item.field("discountedSubtotal").exists(),
    })
}

/// The mutation's warnings, then the cart's own: PRICE_CHANGED lines and DISCOUNT_NOT_APPLICABLE
/// codes.
fn all_warnings(warnings: Vec<Warning>, cart: Option<&Cart>) -> Vec<CartWarning> {
    warnings
        .into_iter()
        .chain(cart.map(Cart::current_warnings).unwrap_or_default())
        .map(Into::into)
        .collect()
}

pub(super) async fn cart_payload(
    ctx: &Context<'_>,
    outcome: Outcome<Change>,
) -> Result<CartPayload> {
    match outcome {
        Outcome::Rejected(errors) => Ok(CartPayload {
            cart: current_cart(ctx).await?,
            user_errors: report_user_errors(errors),
            warnings: Vec::new(),
        }),
        Outcome::Done { value, warnings } => {
            announce(ctx, value.token.as_deref());
            let cart = cart_after(ctx, value).await?;
            Ok(CartPayload {
                warnings: all_warnings(warnings, cart.as_ref()),
                cart,
                user_errors: Vec::new(),
            })
        }
    }
}

pub(super) async fn item_payload(
    ctx: &Context<'_>,
    outcome: Outcome<(Change, ItemChange)>,
) -> Result<CartItemPayload> {
    match outcome {
        Outcome::Rejected(errors) => Ok(CartItemPayload {
            cart: current_cart(ctx).await?,
            item: None,
            user_errors: report_user_errors(errors),
            warnings: Vec::new(),
        }),
        Outcome::Done {
            value: (change, item),
            warnings,
        } => {
            announce(ctx, change.token.as_deref());
            // The line the transaction wrote answers `item` alone; the cart is read only when
            // the payload shows it or the warnings (which include the cart's PRICE_CHANGED
            // lines).
            let selection = ctx.look_ahead();
            // A line's promotions depend on the whole cart, so they need it too.
            let item_selection = selection.field("item");
            let shows_cart = selection.field("cart").exists()
                || selection.field("warnings").exists()
                || item_selection.field("discountAllocations").exists()
                || item_selection.field("discountedSubtotal").exists();
            let item = match item {
                ItemChange::Set { line, currency } if !shows_cart => {
                    return Ok(CartItemPayload {
                        cart: None,
                        item: Some(CartItem {
                            line: *line,
                            currency,
                            in_cart: None,
                        }),
                        user_errors: Vec::new(),
                        warnings: all_warnings(warnings, None),
                    });
                }
                item => item,
            };
            let cart = cart_after(ctx, change).await?;
            let item = match item {
                ItemChange::Live(id) => cart.as_ref().and_then(|c| c.item(&id)),
                ItemChange::Set { line, .. } => cart.as_ref().and_then(|c| c.item(&line.item.id)),
                ItemChange::Removed(line) => {
                    let currency = cart
                        .as_ref()
                        .and_then(|c| Currency::parse(&c.view().cart.currency))
                        .unwrap_or(ctx.state().settings.currency);
                    Some(CartItem {
                        line: *line,
                        currency,
                        in_cart: None,
                    })
                }
            };
            Ok(CartItemPayload {
                warnings: all_warnings(warnings, cart.as_ref()),
                cart,
                item,
                user_errors: Vec::new(),
            })
        }
    }
}
