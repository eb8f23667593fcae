//! What a cart mutation reports besides its result: `userErrors` (nothing changed) and
//! `warnings` (it went through, adjusted).

/// Why a mutation was refused. Each has a stable GraphQL name (`CartErrorCode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidQuantity,
    ProductNotFound,
    ProductUnavailable,
    OutOfStock,
    ItemNotFound,
    CartLimitExceeded,
    QuantityLimitExceeded,
    InvalidAttribute,
    MissingRequiredAttribute,
    InvalidGuestToken,
    CurrencyMismatch,
    InvalidProduct,
    VersionConflict,
    CartExpired,
    InvalidNote,
    InvalidPromotion,
    DiscountCodeNotFound,
    DiscountCodeLimitExceeded,
    QuantityRuleViolated,
    CartLocked,
    CartEmpty,
    NotEnoughStock,
    InvalidBuyerIdentity,
    BuyerIdentityIncomplete,
    InvalidTaxRate,
    InvalidShippingRate,
    DeliveryOptionNotFound,
    CheckoutNotFound,
    CheckoutExpired,
    CheckoutClosed,
    InvalidOrderReference,
    HoldLimitExceeded,
    CheckoutClaimed,
}

/// What a mutation adjusted. Each has a stable GraphQL name (`CartWarningCode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum WarningCode {
    NotEnoughStock,
    MergeAdjusted,
    PriceChanged,
    DiscountNotApplicable,
    QuantityRuleApplied,
}

/// A refusal: which input was at fault and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserError {
    pub code: ErrorCode,
    /// Path to the offending input, e.g. `["input", "attributes", "0", "key"]`.
    pub field: Vec<String>,
    pub message: String,
}

impl UserError {
    pub fn new(code: ErrorCode, field: &[&str], message: impl Into<String>) -> Self {
        Self {
            code,
            field: field.iter().map(|s| (*s).to_owned()).collect(),
            message: message.into(),
        }
    }

    /// The same error with `prefix` put in front of its field path.
    pub fn under(mut self, prefix: &[String]) -> Self {
        let mut field = prefix.to_vec();
        field.append(&mut self.field);
        self.field = field;
        self
    }
}

/// An adjustment made while applying a mutation (kept in idempotency records, hence serde).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
    /// The affected line, when there is one.
    pub target: Option<String>,
}

/// The result of a mutation: either a value with warnings, or userErrors and no change.
#[derive(Debug)]
pub enum Outcome<T> {
    Done { value: T, warnings: Vec<Warning> },
    Rejected(Vec<UserError>),
}

impl<T> Outcome<T> {
    pub fn rejected(error: UserError) -> Self {
        Self::Rejected(vec![error])
    }
}
