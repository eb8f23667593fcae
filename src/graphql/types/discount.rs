//! What promotions did to a cart: `DiscountAllocation` and `CartDiscountCode`.

use async_graphql::{Enum, ID, SimpleObject};

use crate::{
    graphql::{global_id::NodeKind, types::Money},
    service::{pricing::Allocation, promotions::EnteredCode},
};

/// What one promotion took off a line, or (in `Cart.discountAllocations`) off the order.
#[derive(Clone, Debug, SimpleObject)]
pub struct DiscountAllocation {
    /// The promotion's id.
    pub promotion_id: ID,
    /// The promotion's title, for display.
    pub title: String,
    /// The discount code that brought it; null for an automatic promotion.
    pub code: Option<String>,
    /// The amount taken off.
    pub amount: Money,
}

impl From<&Allocation> for DiscountAllocation {
    fn from(allocation: &Allocation) -> Self {
        Self {
            promotion_id: NodeKind::Promotion.id(&allocation.promotion_id),
            title: allocation.title.clone(),
            code: allocation.code.clone(),
            amount: allocation.amount.into(),
        }
    }
}

/// Where a discount code on the cart stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::service::promotions::CodeState")]
pub enum DiscountCodeState {
    /// It applies: see the allocations.
    Applied,
    /// Kept on the cart, but the cart does not meet its conditions yet (or a better promotion
    /// that does not combine with it applies); a DISCOUNT_NOT_APPLICABLE warning says why.
    NotApplicable,
    /// Past its end date.
    Expired,
    /// Switched off, or not started yet.
    NotActive,
    /// Used as often as it may be, in all or by this customer.
    UsageLimitReached,
}

/// A discount code on the cart, with its state.
#[derive(Clone, Debug, SimpleObject)]
pub struct CartDiscountCode {
    /// The code as the shop wrote it.
    pub code: String,
    /// Whether it applies, and if not, why.
    pub state: DiscountCodeState,
}

impl From<EnteredCode> for CartDiscountCode {
    fn from(entered: EnteredCode) -> Self {
        Self {
            code: entered.code,
            state: entered.state.into(),
        }
    }
}
