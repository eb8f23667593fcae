//! Where an order goes: `BuyerIdentity` and `DeliveryOption`, shown on carts and checkouts.

use async_graphql::SimpleObject;

use crate::{graphql::types::Money, service::cart};

/// Who buys: set with `updateBuyerIdentity`. Personal data, purged with the cart.
#[derive(Clone, Debug, Default, SimpleObject)]
pub struct BuyerIdentity {
    pub email: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `CA`.
    pub country_code: Option<String>,
    /// The subdivision part of ISO 3166-2, e.g. `ON`.
    pub province_code: Option<String>,
    pub postal_code: Option<String>,
}

impl From<cart::Buyer> for BuyerIdentity {
    fn from(buyer: cart::Buyer) -> Self {
        Self {
            email: buyer.email,
            country_code: buyer.country_code,
            province_code: buyer.province_code,
            postal_code: buyer.postal_code,
        }
    }
}

/// A way to deliver the order, for the buyer's country.
#[derive(Clone, Debug, SimpleObject)]
pub struct DeliveryOption {
    /// Pass it to `selectDeliveryOption`.
    pub handle: String,
    pub title: String,
    /// What it costs this cart now: free past its threshold or under a FREE_SHIPPING
    /// promotion.
    pub cost: Money,
}
