//! `Checkout`: a cart frozen and priced for the order system, with its handoff token.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use crate::{
    auth::{HandoffClaims, handoff},
    domain::{self, Currency},
    graphql::{
        context::ContextExt,
        global_id::NodeKind,
        types::{
            Attribute, BuyerIdentity, Cart, CartCost, CartUserError, CartWarning, DeliveryOption,
            DiscountAllocation, Money,
        },
    },
    service::cart,
};

/// Where a checkout stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::service::cart::CheckoutState")]
pub enum CheckoutStatus {
    /// The cart's stock is held until `expiresAt`; the order system may claim or complete
    /// it, the shopper may cancel it.
    Holding,
    /// The order system claimed it to take payment: the stock stays held until `expiresAt`
    /// (the payment window) and the shopper can no longer cancel it.
    Claimed,
    /// The shopper cancelled it; the cart reopened.
    Cancelled,
    /// The order system released it (payment failed); the cart reopened.
    Released,
    /// Its hold ran out before it completed; the cart reopened.
    Expired,
    /// The order system completed it; the cart is closed.
    Completed,
}

/// A cart frozen for checkout: the priced contents as they were when it began (these do not
/// move with the catalog), and the token that hands them to the order system.
pub struct Checkout {
    pub checkout: cart::Checkout,
    pub cart: crate::entity::carts::Model,
}

impl Checkout {
    fn currency(&self) -> Currency {
        Currency::parse(&self.checkout.contents.currency).unwrap_or(Currency::UNKNOWN)
    }

    fn money(&self, minor: i64) -> Money {
        domain::Money::new(minor, self.currency()).into()
    }
}

#[Object]
impl Checkout {
    /// The checkout's id: pass it to `completeCheckout` and `checkout(id:)`.
    pub(crate) async fn id(&self) -> ID {
        NodeKind::Checkout.id(&self.checkout.row.id)
    }

    /// Where the checkout stands.
    async fn status(&self) -> CheckoutStatus {
        self.checkout.state().into()
    }

    /// The cart as it stands: frozen while the checkout holds, closed once it completed.
    async fn cart(&self, ctx: &Context<'_>) -> Result<Option<Cart>> {
        let state = ctx.state();
        let include = Cart::include(ctx.look_ahead());
        let views = cart::load_views(&state.db, vec![self.cart.clone()], include).await?;
        Ok(views
            .into_iter()
            .next()
            .map(|view| Cart::new(view, state.settings)))
    }

    /// The totals as priced when the checkout began: what the order system charges.
    async fn totals(&self) -> CartCost {
        CartCost::frozen(&self.checkout.contents)
    }

    /// The lines as priced when the checkout began.
    async fn lines(&self) -> Vec<CheckoutLine> {
        let currency = self.currency();
        self.checkout
            .contents
            .lines
            .iter()
            .map(|line| CheckoutLine::of(line, currency))
            .collect()
    }

    /// The discount codes that applied.
    async fn discount_codes(&self) -> &[String] {
        &self.checkout.contents.discount_codes
    }

    /// The delivery option chosen, with what it costs this order.
    async fn delivery_option(&self) -> Option<DeliveryOption> {
        let delivery = self.checkout.contents.delivery_option.as_ref()?;
        Some(DeliveryOption {
            handle: delivery.handle.clone(),
            title: delivery.title.clone(),
            cost: self.money(delivery.cost_minor),
        })
    }

    /// Who buys, as given when the checkout began.
    async fn buyer_identity(&self) -> BuyerIdentity {
        let buyer = &self.checkout.contents.buyer;
        BuyerIdentity {
            email: buyer.email.clone(),
            country_code: buyer.country_code.clone(),
            province_code: buyer.province_code.clone(),
            postal_code: buyer.postal_code.clone(),
        }
    }

    /// When the hold ends: an order system must complete the checkout before then.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.checkout.row.expires_at
    }

    /// When the checkout began.
    async fn created_at(&self) -> DateTime<Utc> {
        self.checkout.row.created_at
    }

    /// The order system's reference, once completed.
    async fn order_reference(&self) -> Option<&str> {
        self.checkout.row.order_reference.as_deref()
    }

    /// The priced contents as the JSON document cartql stored; its SHA-256 is the handoff
    /// token's `hash` claim. Amounts are integers in minor units.
    async fn contents(&self) -> &str {
        &self.checkout.row.contents
    }

    /// A JWT (HS256, signed with `CARTQL_HANDOFF_SECRET`, audience `cartql-checkout`) binding
    /// this checkout's `id` (`sub`), its cart's `id` (`cart`), the SHA-256 of `contents`
    /// (`hash`) and the `total` to charge in `currency`, valid until `expiresAt`. Give it to the
    /// order system, which verifies it, claims the checkout (`claimCheckout`), takes payment
    /// and calls `completeCheckout`. Null once the checkout no longer holds its stock
    /// (cancelled, released, expired or completed): there is nothing left to pay for.
    async fn handoff_token(&self, ctx: &Context<'_>) -> Option<String> {
        if !self.checkout.state().is_open() || self.checkout.lapsed(Utc::now()) {
            return None;
        }
        let row = &self.checkout.row;
        let total = domain::Money::new(row.total_minor, self.currency());
        Some(ctx.state().handoff.sign(&HandoffClaims {
            iss: handoff::ISSUER.to_owned(),
            aud: handoff::AUDIENCE.to_owned(),
            // The ids the API gives, so an order system can compare them with `id`.
            sub: NodeKind::Checkout.id_string(&row.id),
            cart: NodeKind::Cart.id_string(&row.cart_id),
            hash: row.contents_hash.clone(),
            total: total.amount(),
            currency: row.currency.clone(),
            iat: row.created_at.timestamp(),
            exp: row.expires_at.timestamp(),
        }))
    }
}

/// One line of a checkout, priced as it was when the checkout began.
#[derive(Clone, Debug, SimpleObject)]
pub struct CheckoutLine {
    /// The cart line's id.
    pub item_id: ID,
    pub product_id: ID,
    pub sku: String,
    pub title: String,
    pub attributes: Vec<Attribute>,
    pub quantity: i32,
    pub unit_price: Money,
    /// Unit price × quantity.
    pub subtotal: Money,
    /// What each promotion took off this line.
    pub discount_allocations: Vec<DiscountAllocation>,
    /// `subtotal` − Σ `discountAllocations`, before tax.
    pub total: Money,
}

impl CheckoutLine {
    fn of(line: &cart::checkout::ContentsLine, currency: Currency) -> Self {
        let money = |minor: i64| Money::from(domain::Money::new(minor, currency));
        Self {
            item_id: NodeKind::CartItem.id(&line.item_id),
            product_id: NodeKind::Product.id(&line.product_id),
            sku: line.sku.clone(),
            title: line.title.clone(),
            attributes: line
                .attributes
                .iter()
                .map(|(key, value)| Attribute {
                    key: key.clone(),
                    value: value.clone(),
                })
                .collect(),
            quantity: line.quantity,
            unit_price: money(line.unit_price_minor),
            subtotal: money(line.subtotal_minor),
            discount_allocations: line
                .discounts
                .iter()
                .map(|d| DiscountAllocation {
                    promotion_id: NodeKind::Promotion.id(&d.promotion_id),
                    title: d.title.clone(),
                    code: d.code.clone(),
                    amount: money(d.amount_minor),
                })
                .collect(),
            total: money(line.total_minor),
        }
    }
}

/// The result of `beginCheckout` and `completeCheckout`.
#[derive(SimpleObject, Default)]
pub struct CheckoutPayload {
    /// The checkout begun (or already in progress), or completed; null when refused.
    pub checkout: Option<Checkout>,
    /// Why the mutation was refused; empty on success.
    pub user_errors: Vec<CartUserError>,
    /// Adjustments and notices, such as PRICE_CHANGED lines priced anew at checkout.
    pub warnings: Vec<CartWarning>,
}
