//! `Cart`: the caller's lines, totals, discount codes and history.

use std::sync::Arc;

use async_graphql::{
    Context, Enum, ID, Lookahead, Object, Result,
    connection::{Connection, Edge},
};
use chrono::{DateTime, Utc};

use crate::{
    domain::Currency,
    error::AppError,
    graphql::{
        context::ContextExt,
        global_id::NodeKind,
        types::{
            Attribute, BuyerIdentity, CartCost, CartDiscountCode, CartEvent, CartItem, CartWarning,
            DeliveryOption, DiscountAllocation, priced::PricedView,
        },
    },
    service::{
        CartSettings, Warning,
        cart::{self, CartView, EventCursor, Include},
        pricing::PricedCart,
    },
};

/// Where a cart is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::domain::CartStatus")]
pub enum CartStatus {
    /// Open for changes.
    Open,
    /// Frozen while a checkout holds its stock: line, code, buyer and delivery mutations
    /// answer CART_LOCKED until `cancelCheckout`, or until the checkout completes or expires.
    Checkout,
    /// Checked out: the cart became an order and is closed.
    Completed,
}

/// A shopping cart: the caller's lines with live product data and exact totals.
#[derive(Clone)]
pub struct Cart {
    /// Shared with the cart's lines, which take their share of the promotions from it.
    shared: Arc<PricedView>,
}

impl Cart {
    pub fn new(view: CartView, settings: CartSettings) -> Self {
        Self {
            shared: Arc::new(PricedView::new(view, settings)),
        }
    }

    /// What a cart read must include for `selection` (a `Cart` field being resolved): the
    /// products' media when any line's product asks for them, and the promotions when any
    /// field that depends on prices (or on where the cart ships) does.
    pub fn include(selection: Lookahead<'_>) -> Include {
        let items = selection.field("items");
        let lines = [items.field("edges").field("node"), items.field("nodes")];
        let media = lines
            .iter()
            .any(|line| line.field("product").field("media").exists());
        let priced_line = lines.iter().any(|line| {
            line.field("discountAllocations").exists() || line.field("discountedSubtotal").exists()
        });
        let prices = priced_line
            || [
                "cost",
                "discountCodes",
                "discountAllocations",
                "warnings",
                "deliveryOptions",
                "selectedDeliveryOption",
            ]
            .iter()
            .any(|field| selection.field(field).exists());
        Include { media, prices }
    }

    /// The cart priced with its promotions.
    pub fn priced(&self) -> &PricedCart {
        self.shared.priced()
    }

    /// Every warning the cart carries now: PRICE_CHANGED lines and DISCOUNT_NOT_APPLICABLE
    /// codes.
    pub fn current_warnings(&self) -> Vec<Warning> {
        let mut warnings = self.shared.view.price_warnings();
        warnings.extend(self.shared.view.discount_codes(self.priced()).1);
        warnings
    }

    fn line_item(&self, index: usize) -> CartItem {
        CartItem {
            line: self.shared.view.lines[index].clone(),
            currency: self.currency(),
            in_cart: Some((self.shared.clone(), index)),
        }
    }

    fn currency(&self) -> Currency {
        Currency::parse(&self.shared.view.cart.currency).unwrap_or(self.shared.settings.currency)
    }

    pub fn item(&self, id: &str) -> Option<CartItem> {
        let index = self
            .shared
            .view
            .lines
            .iter()
            .position(|l| l.item.id == id)?;
        Some(self.line_item(index))
    }

    pub fn view(&self) -> &CartView {
        &self.shared.view
    }
}

/// Largest page of cart lines.
const MAX_ITEMS_PAGE: usize = 250;

// The fields' values, shared by the resolvers below and the compiled view path
// (`graphql::compiled`), which writes them without async-graphql.
impl Cart {
    pub(crate) fn items_value(
        &self,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, CartItem>, AppError> {
        let first = page_size(first, MAX_ITEMS_PAGE)?;
        let lines = &self.shared.view.lines;
        let start = match after {
            None => 0,
            Some(cursor) => lines
                .iter()
                .position(|l| l.item.id == cursor)
                .map_or(lines.len(), |i| i + 1),
        };
        let end = (start + first).min(lines.len());
        let mut connection = Connection::new(start > 0, end < lines.len());
        connection
            .edges
            .extend((start..end).map(|i| Edge::new(lines[i].item.id.clone(), self.line_item(i))));
        Ok(connection)
    }

    pub(crate) fn id_value(&self) -> ID {
        NodeKind::Cart.id(&self.shared.view.cart.id)
    }

    pub(crate) fn token_value(&self) -> Option<&str> {
        self.shared.view.token.as_deref()
    }

    pub(crate) fn item_count_value(&self) -> i32 {
        self.shared.view.lines.len() as i32
    }

    pub(crate) fn total_quantity_value(&self) -> i64 {
        self.shared.view.total_quantity()
    }

    pub(crate) fn is_empty_value(&self) -> bool {
        self.shared.view.lines.is_empty()
    }

    pub(crate) fn cost_value(&self) -> CartCost {
        CartCost::from(self.priced())
    }

    pub(crate) fn status_value(&self) -> CartStatus {
        self.shared.view.status().into()
    }

    pub(crate) fn buyer_identity_value(&self) -> BuyerIdentity {
        self.shared.view.buyer().into()
    }

    pub(crate) fn delivery_options_value(&self) -> Vec<DeliveryOption> {
        self.shared
            .view
            .delivery_costs(self.priced())
            .into_iter()
            .map(|(option, cost)| DeliveryOption {
                handle: option.handle,
                title: option.title,
                cost: cost.into(),
            })
            .collect()
    }

    pub(crate) fn selected_delivery_option_value(&self) -> Option<DeliveryOption> {
        let handle = self.shared.view.selected_option()?.handle.clone();
        self.shared
            .view
            .delivery_costs(self.priced())
            .into_iter()
            .find(|(option, _)| option.handle == handle)
            .map(|(option, cost)| DeliveryOption {
                handle: option.handle,
                title: option.title,
                cost: cost.into(),
            })
    }

    pub(crate) fn discount_codes_value(&self) -> Vec<CartDiscountCode> {
        let (codes, _) = self.shared.view.discount_codes(self.priced());
        codes.into_iter().map(Into::into).collect()
    }

    pub(crate) fn discount_allocations_value(&self) -> Vec<DiscountAllocation> {
        self.priced()
            .order_allocations
            .iter()
            .map(Into::into)
            .collect()
    }

    pub(crate) fn currency_code_value(&self) -> String {
        self.currency().code().to_owned()
    }

    pub(crate) fn version_value(&self) -> i64 {
        self.shared.view.cart.version
    }

    pub(crate) fn created_at_value(&self) -> DateTime<Utc> {
        self.shared.view.cart.created_at
    }

    pub(crate) fn updated_at_value(&self) -> DateTime<Utc> {
        self.shared.view.cart.updated_at
    }

    pub(crate) fn expires_at_value(&self) -> Option<DateTime<Utc>> {
        self.shared.view.cart.expires_at
    }

    pub(crate) fn attributes_value(&self) -> Vec<Attribute> {
        Attribute::list(&self.shared.view.attributes())
    }

    pub(crate) fn note_value(&self) -> Option<&str> {
        self.shared.view.cart.note.as_deref()
    }

    pub(crate) fn warnings_value(&self) -> Vec<CartWarning> {
        self.current_warnings()
            .into_iter()
            .map(Into::into)
            .collect()
    }
}

/// A shopping cart: the caller's lines with live product data and exact totals.
#[Object]
impl Cart {
    /// The cart's id.
    pub(crate) async fn id(&self) -> ID {
        self.id_value()
    }

    /// The guest token of this cart (send it as `X-Cart-Token`); null for a user's cart.
    async fn token(&self) -> Option<&str> {
        self.token_value()
    }

    /// The cart's lines, oldest first, as a Relay connection.
    #[graphql(
        complexity = "first.map_or(MAX_ITEMS_PAGE, |n| n.clamp(0, MAX_ITEMS_PAGE as i32) as usize) * child_complexity"
    )]
    async fn items(
        &self,
        #[graphql(desc = "How many lines to return (at most 250; all when omitted).")]
        first: Option<i32>,
        #[graphql(desc = "Return lines after this cursor (an `endCursor`).")] after: Option<String>,
    ) -> Result<Connection<String, CartItem>> {
        Ok(self.items_value(first, after)?)
    }

    /// Number of distinct lines.
    async fn item_count(&self) -> i32 {
        self.item_count_value()
    }

    /// Sum of the quantities of all lines.
    async fn total_quantity(&self) -> i64 {
        self.total_quantity_value()
    }

    /// True when the cart has no lines.
    async fn is_empty(&self) -> bool {
        self.is_empty_value()
    }

    /// Totals at live prices, promotions applied, taxed for the buyer's region.
    async fn cost(&self) -> CartCost {
        self.cost_value()
    }

    /// OPEN, CHECKOUT (frozen while a checkout holds its stock) or COMPLETED.
    async fn status(&self) -> CartStatus {
        self.status_value()
    }

    /// Who buys (set with `updateBuyerIdentity`); all fields null until given.
    async fn buyer_identity(&self) -> BuyerIdentity {
        self.buyer_identity_value()
    }

    /// The delivery options for the buyer's country, cheapest first, each with what it would
    /// cost this cart; empty until the buyer gives a country.
    async fn delivery_options(&self) -> Vec<DeliveryOption> {
        self.delivery_options_value()
    }

    /// The delivery option chosen with `selectDeliveryOption`; null when none is, or when it
    /// no longer serves the buyer's country.
    async fn selected_delivery_option(&self) -> Option<DeliveryOption> {
        self.selected_delivery_option_value()
    }

    /// The discount codes on the cart (at most 5), in the order entered, with their states.
    async fn discount_codes(&self) -> Vec<CartDiscountCode> {
        self.discount_codes_value()
    }

    /// The order-level promotions that apply, each with its whole amount (each line's
    /// `discountAllocations` holds its share).
    async fn discount_allocations(&self) -> Vec<DiscountAllocation> {
        self.discount_allocations_value()
    }

    /// ISO 4217 code of the cart's totals.
    async fn currency_code(&self) -> String {
        self.currency_code_value()
    }

    /// Increases with every change to the cart.
    async fn version(&self) -> i64 {
        self.version_value()
    }

    /// When the cart was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.created_at_value()
    }

    /// When the cart last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at_value()
    }

    /// When the cart expires if left unchanged: `CARTQL_GUEST_CART_TTL` or
    /// `CARTQL_USER_CART_TTL` after its last change, `CARTQL_EMPTY_CART_TTL` while empty.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires_at_value()
    }

    /// The cart's own attributes (set with `updateCartAttributes`), sorted by key.
    async fn attributes(&self) -> Vec<Attribute> {
        self.attributes_value()
    }

    /// A note for the order (set with `updateCartAttributes`).
    async fn note(&self) -> Option<&str> {
        self.note_value()
    }

    /// What the customer should know now: a PRICE_CHANGED warning for every line whose
    /// price moved since it was added, and a DISCOUNT_NOT_APPLICABLE warning for every code
    /// that does not apply, saying why.
    async fn warnings(&self) -> Vec<CartWarning> {
        self.warnings_value()
    }

    /// The cart's history, oldest first: every change with its actor and time.
    #[graphql(
        complexity = "first.map_or(MAX_EVENTS_PAGE, |n| n.clamp(0, MAX_EVENTS_PAGE as i32) as usize) * child_complexity"
    )]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many events to return (at most 100; 100 when omitted).")]
        first: Option<i32>,
        #[graphql(desc = "Return events after this cursor (an `endCursor`).")] after: Option<
            String,
        >,
    ) -> Result<Connection<String, CartEvent>> {
        let first = page_size(first, MAX_EVENTS_PAGE)?;
        let after = match after {
            None => None,
            Some(raw) => Some(EventCursor::decode(&raw).ok_or_else(|| {
                AppError::BadUserInput("`after` is not a cursor of this connection".into())
            })?),
        };
        let page = cart::events_page(
            &ctx.state().db,
            &self.shared.view.cart.id,
            after.as_ref(),
            first as u64,
        )
        .await?;
        let mut connection = Connection::new(after.is_some(), page.has_next);
        connection.edges.extend(page.rows.into_iter().map(|row| {
            let cursor = EventCursor {
                version: row.version,
                id: row.id.clone(),
            };
            Edge::new(cursor.encode(), CartEvent::from(row))
        }));
        Ok(connection)
    }
}

/// Largest page of cart events.
const MAX_EVENTS_PAGE: usize = 100;

/// `first` checked against a connection's largest page; `max` when omitted.
fn page_size(first: Option<i32>, max: usize) -> Result<usize, AppError> {
    match first {
        None => Ok(max),
        Some(n) if (0..=max as i32).contains(&n) => Ok(n as usize),
        Some(_) => Err(AppError::BadUserInput(format!(
            "`first` must be between 0 and {max}"
        ))),
    }
}
