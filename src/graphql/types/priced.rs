//! A cart view with its prices, worked out once and shared by the cart and its lines.

use std::sync::OnceLock;

use crate::service::{CartSettings, cart::CartView, pricing::PricedCart};

/// A cart as read, and its prices once a field first needs them.
pub struct PricedView {
    pub view: CartView,
    pub settings: CartSettings,
    priced: OnceLock<PricedCart>,
}

impl PricedView {
    pub fn new(view: CartView, settings: CartSettings) -> Self {
        Self {
            view,
            settings,
            priced: OnceLock::new(),
        }
    }

    /// The cart priced with its promotions.
    pub fn priced(&self) -> &PricedCart {
        self.priced.get_or_init(|| self.view.price(&self.settings))
    }
}
