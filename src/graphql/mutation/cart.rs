//! The cart mutations: parse the arguments, call the cart service, and hand its outcome to
//! `payloads`, which builds the answer from the cart as it stands after the commit.

use async_graphql::{Context, ID, Object, Result};

use super::payloads::{cart_payload, cart_refused, claim, item_payload, item_refused};
use crate::{
    auth::{GuestToken, Viewer},
    domain::CartItemId,
    error::AppError,
    graphql::{
        context::{ClientAddress, ContextExt},
        global_id::NodeKind,
        inputs::{
            self, AddToCartInput, AttributeInput, CartItemInput, MergeStrategy, UpdateCartItemInput,
        },
        types::{CartItemPayload, CartPayload},
    },
    live,
    service::{
        ErrorCode, Outcome, UserError,
        cart::{self, AddLine, Writer},
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
        #[graphql(
            desc = "Refuse with VERSION_CONFLICT unless the cart is at this `version` (0 when there is none yet)."
        )]
        expected_version: Option<i64>,
    ) -> Result<CartPayload> {
        let lines = match parse_lines(ctx, &items.unwrap_or_default()) {
            Ok(lines) => lines,
            Err(error) => return cart_refused(ctx, error).await,
        };
        let outcome = cart::create_cart(&writer(ctx, expected_version), &lines).await?;
        cart_payload(ctx, outcome).await
    }

    /// Adds a product to the caller's cart, creating the cart if needed (a guest then gets
    /// `cart.token`). The same product with the same attributes increments the existing line;
    /// a quantity above the stock is cut to it with a NOT_ENOUGH_STOCK warning.
    async fn add_to_cart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The product, quantity and attributes to add.")] input: AddToCartInput,
        #[graphql(
            desc = "Refuse with VERSION_CONFLICT unless the cart is at this `version` (0 when there is none yet)."
        )]
        expected_version: Option<i64>,
    ) -> Result<CartItemPayload> {
        let line = match inputs::parse_add_line(
            &input.product,
            input.quantity,
            input.attributes.as_deref(),
            &ctx.state().settings.limits,
            &["input"],
        ) {
            Ok(line) => line,
            Err(error) => return item_refused(ctx, error).await,
        };
        let outcome = cart::add_to_cart(&writer(ctx, expected_version), &line).await?;
        item_payload(ctx, outcome).await
    }

    /// Sets a line's quantity (absolute; 0 removes it) and optionally replaces its attributes.
    async fn update_cart_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The line and its new quantity and attributes.")]
        input: UpdateCartItemInput,
        #[graphql(
            desc = "Refuse with VERSION_CONFLICT unless the cart is at this `version` (0 when there is none yet)."
        )]
        expected_version: Option<i64>,
    ) -> Result<CartItemPayload> {
        let update = match inputs::parse_update(&input, &ctx.state().settings.limits) {
            Ok(update) => update,
            Err(error) => return item_refused(ctx, error).await,
        };
        let outcome = cart::update_item(&writer(ctx, expected_version), &update).await?;
        item_payload(ctx, outcome).await
    }

    /// Removes a line; `item` is the line as it was.
    async fn remove_cart_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The line's id (`CartItem.id`).")] item_id: ID,
        #[graphql(
            desc = "Refuse with VERSION_CONFLICT unless the cart is at this `version` (0 when there is none yet)."
        )]
        expected_version: Option<i64>,
    ) -> Result<CartItemPayload> {
        let Some(item_id) = CartItemId::parse(NodeKind::CartItem.key(&item_id)) else {
            let error = UserError::new(
                ErrorCode::ItemNotFound,
                &["itemId"],
                "no such line in your cart",
            );
            return item_refused(ctx, error).await;
        };
        let outcome = cart::remove_item(&writer(ctx, expected_version), &item_id).await?;
        item_payload(ctx, outcome).await
    }

    /// Empties and closes the caller's cart. The payload's `cart` is null; a guest's token
    /// stops working and the next `addToCart` without it starts a new cart.
    async fn clear_cart(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Refuse with VERSION_CONFLICT unless the cart is at this `version` (0 when there is none yet)."
        )]
        expected_version: Option<i64>,
    ) -> Result<CartPayload> {
        let outcome = cart::clear_cart(&writer(ctx, expected_version)).await?;
        cart_payload(ctx, outcome).await
    }

    /// Folds a guest cart into the signed-in user's cart (user token required). Lines in
    /// only one cart are kept; lines in both are combined by `strategy`. Quantities still obey
    /// stock and limits: every line combined, cut or dropped is reported as a MERGE_ADJUSTED
    /// warning naming it. The guest cart is closed and its token stops working. Repeating a
    /// merge that already went into this cart answers with the cart and changes nothing. The
    /// guest's discount codes come along, as far as the cart has room.
    async fn merge_guest_cart(
        &self,
        ctx: &Context<'_>,
        // Secret: resolver spans and logs never record it.
        #[graphql(
            secret,
            desc = "The guest cart's token (what the guest sent as `X-Cart-Token`)."
        )]
        guest_token: String,
        #[graphql(
            default_with = "Some(MergeStrategy::Sum)",
            desc = "How to combine a line present in both carts (null means SUM)."
        )]
        strategy: Option<MergeStrategy>,
        #[graphql(
            desc = "Refuse with VERSION_CONFLICT unless the cart is at this `version` (0 when there is none yet)."
        )]
        expected_version: Option<i64>,
    ) -> Result<CartPayload> {
        if !matches!(ctx.viewer(), Viewer::User(_)) {
            return Err(AppError::Unauthenticated(
                "mergeGuestCart needs a signed-in user (Authorization: Bearer)",
            )
            .into());
        }
        let Some(guest) = GuestToken::parse(&guest_token, &ctx.state().settings.guest_key) else {
            let error = UserError::new(
                ErrorCode::InvalidGuestToken,
                &["guestToken"],
                "this is not a guest cart token",
            );
            return cart_refused(ctx, error).await;
        };
        let outcome = cart::merge_guest_cart(
            &writer(ctx, expected_version),
            &guest,
            strategy.unwrap_or(MergeStrategy::Sum).into(),
        )
        .await?;
        if let Outcome::Done { .. } = &outcome {
            // The guest cart is closed: its subscribers learn it is gone.
            ctx.state().live.changed(live::guest_key(guest.expose()));
        }
        cart_payload(ctx, outcome).await
    }

    /// Makes the caller's cart hold exactly `items`, atomically (created if needed): lines not
    /// listed are removed, listed ones set to the given quantity, new ones added. Items with
    /// the same product and attributes are summed. Any refusal leaves the cart unchanged.
    async fn sync_cart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Every line the cart must hold; an empty list empties the cart.")]
        items: Vec<CartItemInput>,
        #[graphql(
            desc = "Refuse with VERSION_CONFLICT unless the cart is at this `version` (0 when there is none yet)."
        )]
        expected_version: Option<i64>,
    ) -> Result<CartPayload> {
        let lines = match parse_lines(ctx, &items) {
            Ok(lines) => lines,
            Err(error) => return cart_refused(ctx, error).await,
        };
        let outcome = cart::sync_cart(&writer(ctx, expected_version), &lines).await?;
        cart_payload(ctx, outcome).await
    }

    /// Replaces the cart's own attributes and, when `note` is given, its note (an empty
    /// string clears it). Attributes follow the same rules as line attributes; a note is at
    /// most 2,000 characters. Creates the cart when the caller has none.
    async fn update_cart_attributes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The cart's attributes; replaces the current ones.")] attributes: Vec<
            AttributeInput,
        >,
        #[graphql(desc = "A note for the order; omitted keeps it, empty clears it.")] note: Option<
            String,
        >,
        #[graphql(
            desc = "Refuse with VERSION_CONFLICT unless the cart is at this `version` (0 when there is none yet)."
        )]
        expected_version: Option<i64>,
    ) -> Result<CartPayload> {
        let limits = &ctx.state().settings.limits;
        let parsed =
            inputs::parse_attributes(Some(&attributes), limits, &[]).and_then(|attributes| {
                let note = note
                    .as_deref()
                    .map(|n| cart::parse_note(n, &["note"]))
                    .transpose()?;
                Ok((attributes, note))
            });
        let (attributes, note) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return cart_refused(ctx, error).await,
        };
        let outcome = cart::update_cart_attributes(
            &writer(ctx, expected_version),
            &attributes,
            note.as_deref(),
        )
        .await?;
        cart_payload(ctx, outcome).await
    }
}

/// The shared inputs of a cart mutation.
pub(super) fn writer<'a>(ctx: &'a Context<'_>, expected_version: Option<i64>) -> Writer<'a> {
    let state = ctx.state();
    Writer {
        db: &state.db,
        group: state.group_commit.as_ref(),
        viewer: ctx.viewer(),
        settings: &state.settings,
        claim: claim(ctx),
        expected_version,
        origin: ctx
            .data_opt::<ClientAddress>()
            .map(|address| address.0.as_str()),
    }
}

/// Parses `createCart`'s or `syncCart`'s items.
fn parse_lines(ctx: &Context<'_>, items: &[CartItemInput]) -> Result<Vec<AddLine>, UserError> {
    let limits = &ctx.state().settings.limits;
    if items.len() > limits.max_lines as usize {
        return Err(UserError::new(
            ErrorCode::CartLimitExceeded,
            &["items"],
            format!("a cart holds at most {} lines", limits.max_lines),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let index = i.to_string();
            inputs::parse_add_line(
                &item.product,
                item.quantity,
                item.attributes.as_deref(),
                limits,
                &["items", index.as_str()],
            )
        })
        .collect()
}
