//! The checkout settings that keep holds scarce and payment safe (see docs/lifecycle.md).

use super::{Fallback::Value, Setting, setting};

pub const CHECKOUT_PAYMENT_WINDOW: Setting = setting(
    "CARTQL_CHECKOUT_PAYMENT_WINDOW",
    Value("30m"),
    "How long a checkout an order system claimed (claimCheckout) keeps its hold while the payment runs; the shopper cannot cancel it meanwhile.",
);

pub const HOLD_MAX_CHECKOUTS: Setting = setting(
    "CARTQL_HOLD_MAX_CHECKOUTS",
    Value("3"),
    "Open checkouts one client address (an IPv6 caller by its /64) and, separately, one buyer email may have at once; beyond it beginCheckout is HOLD_LIMIT_EXCEEDED. Raise it where many shoppers share an address (offices, carrier NAT).",
);

pub const HOLD_MAX_SHARE: Setting = setting(
    "CARTQL_HOLD_MAX_SHARE",
    Value("0.5"),
    "Share of a product's stock (0–1, rounded up, at least one unit) one client address or buyer email may hold in open checkouts at once; 1 switches the cap off.",
);

pub const HOLD_COOLDOWN: Setting = setting(
    "CARTQL_HOLD_COOLDOWN",
    Value("2m"),
    "How long a cart whose checkout was cancelled or lapsed waits before it may begin checkout again (0 switches it off).",
);
