//! The public GraphQL types. Each wraps a service or entity value; none is an entity itself.

mod buyer;
mod cart;
mod cart_item;
mod checkout;
mod cost;
mod discount;
mod event;
mod money;
mod node;
mod outcome;
mod payload;
mod priced;
mod product;
mod promotion;
mod rates;
mod summary;

pub use buyer::{BuyerIdentity, DeliveryOption};
pub use cart::{Cart, CartStatus};
pub use cart_item::{Attribute, CartItem};
pub use checkout::{Checkout, CheckoutLine, CheckoutPayload, CheckoutStatus};
pub use cost::{CartCost, TaxLine};
pub use discount::{CartDiscountCode, DiscountAllocation, DiscountCodeState};
pub use event::{CartEvent, CartEventKind};
pub use money::Money;
pub(crate) use money::formatting_locale;
pub use node::Node;
pub use outcome::{CartErrorCode, CartUserError, CartWarning, CartWarningCode, report_user_errors};
pub use payload::{CartItemPayload, CartPayload, UpsertProductsPayload, UpsertPromotionsPayload};
pub use product::{Product, ProductMedia, Shop};
pub use promotion::{Promotion, PromotionKind, PromotionScope, QuantityRule};
pub use rates::{ShippingRate, TaxRate, UpsertShippingRatesPayload, UpsertTaxRatesPayload};
pub use summary::{CartSummary, CartSummaryItem};
