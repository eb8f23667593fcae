//! `CartItem` and `Attribute`.

use std::sync::Arc;

use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::{
    domain::{Attributes, Currency, Money as DomainMoney},
    graphql::{
        global_id::NodeKind,
        types::{DiscountAllocation, Money, Product, priced::PricedView},
    },
    service::{
        cart::Line,
        catalog,
        pricing::{self, PricedLine},
    },
};

/// A user-defined key/value of a cart or a cart line, such as `team_id = "20"`.
#[derive(Clone, Debug, SimpleObject)]
pub struct Attribute {
    /// The key: 1–64 characters of letters, digits, `_`, `.` and `-`.
    pub key: String,
    /// The value: at most 256 characters.
    pub value: String,
}

impl Attribute {
    /// The attributes, sorted by key.
    pub fn list(attributes: &Attributes) -> Vec<Self> {
        attributes
            .iter()
            .map(|(key, value)| Self {
                key: key.to_owned(),
                value: value.to_owned(),
            })
            .collect()
    }
}

/// One line of a cart: a product, a quantity and the line's attributes.
#[derive(Clone)]
pub struct CartItem {
    pub line: Line,
    pub currency: Currency,
    /// The cart the line was read with and its position there, for its share of the
    /// promotions; `None` for a line shown on its own (a removed line), which has none.
    pub in_cart: Option<(Arc<PricedView>, usize)>,
}

impl CartItem {
    fn money(&self, minor: i128) -> Money {
        DomainMoney::new(minor, self.currency).into()
    }

    fn priced(&self) -> Option<&PricedLine> {
        let (cart, index) = self.in_cart.as_ref()?;
        cart.priced().lines.get(*index)
    }
}

// The fields' values, shared by the resolvers below and the compiled view path
// (`graphql::compiled`), which writes them without async-graphql.
impl CartItem {
    pub(crate) fn id_value(&self) -> ID {
        NodeKind::CartItem.id(&self.line.item.id)
    }

    pub(crate) fn product_value(&self) -> Option<Product> {
        Product::of_line(&self.line)
    }

    pub(crate) fn product_id_value(&self) -> ID {
        NodeKind::Product.id(&self.line.item.product_id)
    }

    pub(crate) fn sku_value(&self) -> Option<&str> {
        self.line.product.as_ref().map(|p| p.sku.as_str())
    }

    pub(crate) fn quantity_value(&self) -> i32 {
        self.line.item.quantity
    }

    pub(crate) fn attributes_value(&self) -> Vec<Attribute> {
        Attribute::list(&self.line.attributes)
    }

    pub(crate) fn unit_price_value(&self) -> Money {
        self.money(i128::from(self.line.unit_price_minor(self.currency)))
    }

    pub(crate) fn added_unit_price_value(&self) -> Option<Money> {
        self.line
            .added_unit_price_minor()
            .map(|minor| self.money(i128::from(minor)))
    }

    pub(crate) fn price_changed_value(&self) -> bool {
        self.line.price_changed()
    }

    pub(crate) fn compare_at_unit_price_value(&self) -> Option<Money> {
        let product = self.line.charged_product(self.currency)?;
        (pricing::effective_price(product) < product.price_minor)
            .then(|| self.money(i128::from(product.price_minor)))
    }

    pub(crate) fn subtotal_value(&self) -> Money {
        self.money(self.line.subtotal_minor(self.currency))
    }

    pub(crate) fn discount_allocations_value(&self) -> Vec<DiscountAllocation> {
        self.priced()
            .map(|priced| priced.allocations.iter().map(Into::into).collect())
            .unwrap_or_default()
    }

    pub(crate) fn discounted_subtotal_value(&self) -> Money {
        match self.priced() {
            Some(priced) => priced.discounted_subtotal.into(),
            None => self.money(self.line.subtotal_minor(self.currency)),
        }
    }

    pub(crate) fn available_quantity_value(&self) -> i32 {
        self.line
            .charged_product(self.currency)
            .filter(|p| p.active)
            .map_or(0, catalog::available)
    }

    pub(crate) fn in_stock_value(&self) -> bool {
        self.line
            .charged_product(self.currency)
            .is_some_and(|p| p.active && catalog::available(p) >= self.line.item.quantity)
    }

    pub(crate) fn created_at_value(&self) -> DateTime<Utc> {
        self.line.item.created_at
    }

    pub(crate) fn updated_at_value(&self) -> DateTime<Utc> {
        self.line.item.updated_at
    }
}

/// One line of a cart: a product, a quantity and the line's attributes.
#[Object]
impl CartItem {
    /// The line's id: pass it to `updateCartItem` and `removeCartItem`.
    pub(crate) async fn id(&self) -> ID {
        self.id_value()
    }

    /// The product with live price and stock; null if it vanished from the catalog.
    async fn product(&self) -> Option<Product> {
        self.product_value()
    }

    /// The product's id (kept even if the product vanished).
    async fn product_id(&self) -> ID {
        self.product_id_value()
    }

    /// The product's SKU; null if the product vanished.
    async fn sku(&self) -> Option<&str> {
        self.sku_value()
    }

    /// Units on this line.
    async fn quantity(&self) -> i32 {
        self.quantity_value()
    }

    /// The line's attributes, sorted by key.
    async fn attributes(&self) -> Vec<Attribute> {
        self.attributes_value()
    }

    /// The price charged per unit now (the discount price when lower); zero if the product
    /// vanished or is now priced in another currency than the cart's.
    async fn unit_price(&self) -> Money {
        self.unit_price_value()
    }

    /// The effective unit price when the line was added (or its quantity last set); null
    /// for lines older than this record. The cart always charges `unitPrice`.
    async fn added_unit_price(&self) -> Option<Money> {
        self.added_unit_price_value()
    }

    /// True when the product's price moved since the line was added; the cart then also
    /// carries a PRICE_CHANGED warning for the line.
    async fn price_changed(&self) -> bool {
        self.price_changed_value()
    }

    /// The list price per unit when a discount applies, for a struck-through display.
    async fn compare_at_unit_price(&self) -> Option<Money> {
        self.compare_at_unit_price_value()
    }

    /// `unitPrice` × `quantity`.
    async fn subtotal(&self) -> Money {
        self.subtotal_value()
    }

    /// What each promotion took off this line, its share of order-level promotions included.
    async fn discount_allocations(&self) -> Vec<DiscountAllocation> {
        self.discount_allocations_value()
    }

    /// `subtotal` − the line's `discountAllocations`; never below zero.
    async fn discounted_subtotal(&self) -> Money {
        self.discounted_subtotal_value()
    }

    /// Units of the product that can be bought now (0 when it is inactive, vanished, or
    /// priced in another currency than the cart's).
    async fn available_quantity(&self) -> i32 {
        self.available_quantity_value()
    }

    /// True when the full quantity of this line can be bought now.
    async fn in_stock(&self) -> bool {
        self.in_stock_value()
    }

    /// When the line was added.
    async fn created_at(&self) -> DateTime<Utc> {
        self.created_at_value()
    }

    /// When the line last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at_value()
    }
}
