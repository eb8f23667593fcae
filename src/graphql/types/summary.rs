//! `CartSummary`: checkout-ready totals and a flat list of lines.

use std::sync::OnceLock;

use async_graphql::{ID, Object};

use crate::{
    domain::{Currency, Money as DomainMoney},
    graphql::{global_id::NodeKind, types::Money},
    service::{
        CartSettings,
        cart::{CartView, Line},
        catalog, pricing,
    },
};

/// The caller's cart reduced to what a checkout page shows. All zeros when there is no cart.
pub struct CartSummary {
    view: Option<CartView>,
    settings: CartSettings,
    /// The totals, computed once when a field first needs them.
    cost: OnceLock<pricing::CartCost>,
}

impl CartSummary {
    pub fn new(view: Option<CartView>, settings: CartSettings) -> Self {
        Self {
            view,
            settings,
            cost: OnceLock::new(),
        }
    }

    fn currency(&self) -> Currency {
        self.view
            .as_ref()
            .and_then(|v| Currency::parse(&v.cart.currency))
            .unwrap_or(self.settings.currency)
    }

    fn cost(&self) -> pricing::CartCost {
        *self.cost.get_or_init(|| match &self.view {
            Some(view) => view.price(&self.settings).cost,
            None => {
                let tax = pricing::TaxRule::fallback(self.settings.tax_rate);
                pricing::price_cart(self.currency(), &tax, &[], &[], None).cost
            }
        })
    }

    fn lines(&self) -> &[Line] {
        self.view.as_ref().map_or(&[], |v| v.lines.as_slice())
    }
}

// The fields' values, shared by the resolvers below and the compiled view path
// (`graphql::compiled`), which writes them without async-graphql.
impl CartSummary {
    pub(crate) fn items_value(&self) -> Vec<CartSummaryItem> {
        let currency = self.currency();
        self.lines()
            .iter()
            .map(|line| CartSummaryItem {
                line: line.clone(),
                currency,
            })
            .collect()
    }

    pub(crate) fn item_count_value(&self) -> i32 {
        self.lines().len() as i32
    }

    pub(crate) fn total_quantity_value(&self) -> i64 {
        self.lines()
            .iter()
            .map(|l| i64::from(l.item.quantity))
            .sum()
    }

    pub(crate) fn is_empty_value(&self) -> bool {
        self.lines().is_empty()
    }

    pub(crate) fn subtotal_value(&self) -> Money {
        self.cost().subtotal.into()
    }

    pub(crate) fn discount_value(&self) -> Money {
        self.cost().discount.into()
    }

    pub(crate) fn promotion_discount_value(&self) -> Money {
        self.cost().promotion_discount.into()
    }

    pub(crate) fn estimated_tax_value(&self) -> Money {
        self.cost().estimated_tax.into()
    }

    pub(crate) fn total_value(&self) -> Money {
        self.cost().total.into()
    }
}

/// The caller's cart reduced to what a checkout page shows. All zeros when there is no cart.
#[Object]
impl CartSummary {
    /// Every line, oldest first.
    #[graphql(complexity = "250 * child_complexity")]
    async fn items(&self) -> Vec<CartSummaryItem> {
        self.items_value()
    }

    /// Number of distinct lines.
    async fn item_count(&self) -> i32 {
        self.item_count_value()
    }

    /// Sum of all quantities.
    async fn total_quantity(&self) -> i64 {
        self.total_quantity_value()
    }

    /// True when there are no lines.
    async fn is_empty(&self) -> bool {
        self.is_empty_value()
    }

    /// Σ line subtotals at effective prices.
    async fn subtotal(&self) -> Money {
        self.subtotal_value()
    }

    /// What product discounts saved.
    async fn discount(&self) -> Money {
        self.discount_value()
    }

    /// What promotions took off.
    async fn promotion_discount(&self) -> Money {
        self.promotion_discount_value()
    }

    /// Tax on the discounted subtotal at `CARTQL_TAX_RATE`, rounded half-to-even.
    async fn estimated_tax(&self) -> Money {
        self.estimated_tax_value()
    }

    /// `subtotal` − `promotionDiscount` + `estimatedTax`.
    async fn total(&self) -> Money {
        self.total_value()
    }
}

/// One line of a [`CartSummary`], flattened with its product and shop.
pub struct CartSummaryItem {
    line: Line,
    currency: Currency,
}

// The fields' values, shared by the resolvers below and the compiled view path
// (`graphql::compiled`), which writes them without async-graphql.
impl CartSummaryItem {
    pub(crate) fn item_id_value(&self) -> ID {
        NodeKind::CartItem.id(&self.line.item.id)
    }

    pub(crate) fn product_id_value(&self) -> ID {
        NodeKind::Product.id(&self.line.item.product_id)
    }

    pub(crate) fn sku_value(&self) -> Option<&str> {
        self.line.product.as_ref().map(|p| p.sku.as_str())
    }

    pub(crate) fn product_name_value(&self) -> Option<&str> {
        self.line.product.as_ref().map(|p| p.name.as_str())
    }

    pub(crate) fn unit_price_value(&self) -> Money {
        DomainMoney::new(self.line.unit_price_minor(self.currency), self.currency).into()
    }

    pub(crate) fn quantity_value(&self) -> i32 {
        self.line.item.quantity
    }

    pub(crate) fn subtotal_value(&self) -> Money {
        DomainMoney::new(self.line.subtotal_minor(self.currency), self.currency).into()
    }

    pub(crate) fn image_value(&self) -> Option<&str> {
        self.line.product.as_ref().and_then(|p| p.image.as_deref())
    }

    pub(crate) fn stock_quantity_value(&self) -> i32 {
        self.line.product.as_ref().map_or(0, catalog::available)
    }

    pub(crate) fn shop_id_value(&self) -> Option<ID> {
        self.line
            .product
            .as_ref()
            .and_then(|p| p.shop_id.as_deref())
            .map(|id| NodeKind::Shop.id(id))
    }

    pub(crate) fn shop_name_value(&self) -> Option<&str> {
        self.line.shop.as_ref().map(|s| s.name.as_str())
    }
}

/// One line of a cart summary, flattened with its product and shop.
#[Object]
impl CartSummaryItem {
    /// The line's id.
    async fn item_id(&self) -> ID {
        self.item_id_value()
    }

    /// The product's id.
    async fn product_id(&self) -> ID {
        self.product_id_value()
    }

    /// The product's SKU; null if the product vanished.
    async fn sku(&self) -> Option<&str> {
        self.sku_value()
    }

    /// The product's name; null if the product vanished.
    async fn product_name(&self) -> Option<&str> {
        self.product_name_value()
    }

    /// The effective unit price.
    async fn unit_price(&self) -> Money {
        self.unit_price_value()
    }

    /// Units on this line.
    async fn quantity(&self) -> i32 {
        self.quantity_value()
    }

    /// `unitPrice` × `quantity`.
    async fn subtotal(&self) -> Money {
        self.subtotal_value()
    }

    /// The product's main image URL.
    async fn image(&self) -> Option<&str> {
        self.image_value()
    }

    /// Units of the product that can be bought now (stock not held by checkouts).
    async fn stock_quantity(&self) -> i32 {
        self.stock_quantity_value()
    }

    /// The selling shop's id.
    async fn shop_id(&self) -> Option<ID> {
        self.shop_id_value()
    }

    /// The selling shop's name.
    async fn shop_name(&self) -> Option<&str> {
        self.shop_name_value()
    }
}
