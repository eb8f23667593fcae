//! Checked domain types. Inputs are parsed into these once, at the edge; the services accept
//! nothing else, so a quantity, an attribute set or an amount of money inside the service is
//! always valid.

pub mod attributes;
pub mod buyer;
pub mod cart_status;
pub mod holder;
pub mod ids;
pub mod money;
pub mod quantity;
pub mod quantity_rule;

pub use attributes::{AttributeError, Attributes};
pub use cart_status::CartStatus;
pub use ids::{CartItemId, ProductId, ShopId, Sku, plausible_id};
pub use money::{Currency, Locale, Money, TaxRate};
pub use quantity::Quantity;
pub use quantity_rule::QuantityRule;

/// The configurable limits that cart rules enforce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Live lines per cart.
    pub max_lines: u32,
    /// Quantity of one line.
    pub max_line_quantity: u32,
    /// Attributes on one line.
    pub max_attributes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_lines: 250,
            max_line_quantity: 999,
            max_attributes: 20,
        }
    }
}
