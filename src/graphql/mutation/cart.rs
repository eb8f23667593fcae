//! The cart mutations: parse, call the cart service, and build the payload from the cart as it
//! stands after the commit.

use async_graphql::{Context, ID, Object, Result};

use crate::{
    domain::{CartItemId, Currency},
    error::AppError,
    graphql::{
        context::ContextExt,
        inputs::{self, AddToCartInput, CartItemInput, UpdateCartItemInput},
        types::{Cart, CartItem, CartItemPayload, CartPayload},
    },
    service::{
        ErrorCode, Outcome, UserError,
        cart::{self, Change, ItemChange},
        idempotency::Claim,
    },
};

#[derive(Default)]
pub struct CartMutation;

#[Object]
impl CartMutation {
    /// Opens a cart. A guest (no Bearer token) always gets a new cart and its `token`; a
    /// signed-in user gets their one open cart, created if missing. `items` are added to it.
    async fn create_cart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Lines to start the cart with.")] items: Option<Vec<CartItemInput>>,
    ) -> Result<CartPayload> {
        let state = ctx.state();
        let limits = &state.settings.limits;
        let items = items.unwrap_or_default();
        if items.len() > limits.max_lines as usize {
            return Ok(cart_refused(UserError::new(
                ErrorCode::CartLimitExceeded,
                &["items"],
                format!("a cart holds at most {} lines", limits.max_lines),
            )));
        }
        let mut lines = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let index = i.to_string();
            let prefix = ["items", index.as_str()];
            match inputs::parse_add_line(
                &item.product,
                item.quantity,
                item.attributes.as_deref(),
                limits,
                &prefix,
            ) {
                Ok(line) => lines.push(line),
                Err(error) => return Ok(cart_refused(error)),
            }
        }
        let outcome =
            cart::create_cart(&state.db, ctx.viewer(), &lines, &state.settings, claim(ctx)).await?;
        cart_payload(ctx, outcome).await
    }

    /// Adds a product to the caller's cart, creating the cart if needed (a guest then gets
    /// `cart.token`). The same product with the same attributes increments the existing line;
    /// a quantity above the stock is cut to it with a NOT_ENOUGH_STOCK warning.
    async fn add_to_cart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The product, quantity and attributes to add.")] input: AddToCartInput,
    ) -> Result<CartItemPayload> {
        let state = ctx.state();
        let line = match inputs::parse_add_line(
            &input.product,
            input.quantity,
            input.attributes.as_deref(),
            &state.settings.limits,
            &["input"],
        ) {
            Ok(line) => line,
            Err(error) => return Ok(item_refused(error)),
        };
        let outcome =
            cart::add_to_cart(&state.db, ctx.viewer(), &line, &state.settings, claim(ctx)).await?;
        item_payload(ctx, outcome).await
    }

    /// Sets a line's quantity (absolute; 0 removes it) and optionally replaces its attributes.
    async fn update_cart_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The line and its new quantity and attributes.")]
        input: UpdateCartItemInput,
    ) -> Result<CartItemPayload> {
        let state = ctx.state();
        let update = match inputs::parse_update(&input, &state.settings.limits) {
            Ok(update) => update,
            Err(error) => return Ok(item_refused(error)),
        };
        let outcome = cart::update_item(
            &state.db,
            ctx.viewer(),
            &update,
            &state.settings,
            claim(ctx),
        )
        .await?;
        item_payload(ctx, outcome).await
    }

    /// Removes a line; `item` is the line as it was.
    async fn remove_cart_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The line's id (`CartItem.id`).")] item_id: ID,
    ) -> Result<CartItemPayload> {
        let state = ctx.state();
        let Some(item_id) = CartItemId::parse(&item_id) else {
            return Ok(item_refused(UserError::new(
                ErrorCode::ItemNotFound,
                &["itemId"],
                "no such line in your cart",
            )));
        };
        let outcome = cart::remove_item(
            &state.db,
            ctx.viewer(),
            &item_id,
            &state.settings,
            claim(ctx),
        )
        .await?;
        item_payload(ctx, outcome).await
    }

    /// Empties and closes the caller's cart. The payload's `cart` is null; a guest's token
    /// stops working and the next `addToCart` without it starts a new cart.
    async fn clear_cart(&self, ctx: &Context<'_>) -> Result<CartPayload> {
        let state = ctx.state();
        let outcome = cart::clear_cart(&state.db, ctx.viewer(), claim(ctx)).await?;
        cart_payload(ctx, outcome).await
    }
}

/// The request's idempotency claim, when it sent an `Idempotency-Key`.
fn claim<'a>(ctx: &'a Context<'_>) -> Option<&'a Claim> {
    ctx.data_opt::<Claim>()
}

fn cart_refused(error: UserError) -> CartPayload {
    CartPayload {
        user_errors: vec![error.into()],
        ..Default::default()
    }
}

fn item_refused(error: UserError) -> CartItemPayload {
    CartItemPayload {
        user_errors: vec![error.into()],
        ..Default::default()
    }
}

/// The cart a mutation left, read fresh after its commit.
async fn cart_after(ctx: &Context<'_>, change: Change) -> Result<Option<Cart>, AppError> {
    let Some(cart_id) = change.cart_id else {
        return Ok(None);
    };
    let view = cart::view_by_id(&ctx.state().db, &cart_id, change.token).await?;
    Ok(match view {
        Some(view) => Some(Cart::new(ctx, view, ctx.look_ahead().field("cart")).await),
        None => None,
    })
}

async fn cart_payload(ctx: &Context<'_>, outcome: Outcome<Change>) -> Result<CartPayload> {
    match outcome {
        Outcome::Rejected(errors) => Ok(CartPayload {
            user_errors: errors.into_iter().map(Into::into).collect(),
            ..Default::default()
        }),
        Outcome::Done { value, warnings } => Ok(CartPayload {
            cart: cart_after(ctx, value).await?,
            user_errors: Vec::new(),
            warnings: warnings.into_iter().map(Into::into).collect(),
        }),
    }
}

async fn item_payload(
    ctx: &Context<'_>,
    outcome: Outcome<(Change, ItemChange)>,
) -> Result<CartItemPayload> {
    match outcome {
        Outcome::Rejected(errors) => Ok(CartItemPayload {
            user_errors: errors.into_iter().map(Into::into).collect(),
            ..Default::default()
        }),
        Outcome::Done {
            value: (change, item),
            warnings,
        } => {
            let cart = cart_after(ctx, change).await?;
            let item = match item {
                ItemChange::Live(id) => cart.as_ref().and_then(|c| c.item(&id)),
                ItemChange::Removed(line) => {
                    let currency = cart
                        .as_ref()
                        .and_then(|c| Currency::parse(&c.view().cart.currency))
                        .unwrap_or(ctx.state().settings.currency);
                    Some(CartItem {
                        line: *line,
                        currency,
                    })
                }
            };
            Ok(CartItemPayload {
                cart,
                item,
                user_errors: Vec::new(),
                warnings: warnings.into_iter().map(Into::into).collect(),
            })
        }
    }
}
