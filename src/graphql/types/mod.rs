//! The public GraphQL types. Each wraps a service or entity value; none is an entity itself.

mod cart;
mod cart_item;
mod cost;
mod discount;
mod event;
mod money;
mod outcome;
mod payload;
mod priced;
mod product;
mod promotion;
mod summary;

pub use cart::Cart;
pub use cart_item::{Attribute, CartItem};
pub use cost::CartCost;
pub use discount::{CartDiscountCode, DiscountAllocation, DiscountCodeState};
pub use event::{CartEvent, CartEventKind};
pub use money::Money;
pub use outcome::{CartErrorCode, CartUserError, CartWarning, CartWarningCode, report_user_errors};
pub use payload::{CartItemPayload, CartPayload, UpsertProductsPayload, UpsertPromotionsPayload};
pub use product::{Product, ProductMedia, Shop};
pub use promotion::{Promotion, PromotionKind, PromotionScope, QuantityRule};
pub use summary::{CartSummary, CartSummaryItem};
