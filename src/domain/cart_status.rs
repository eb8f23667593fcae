//! Where a cart is in its life: open for changes, frozen while a checkout holds its stock,
//! or completed into an order.

/// A cart's status, as stored in `carts.status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CartStatus {
    /// Open: lines, codes and the buyer can change.
    Open,
    /// Frozen while a checkout holds its stock; only `cancelCheckout` (or the checkout's
    /// completion or expiry) moves it on.
    Checkout,
    /// Turned into an order; the cart is closed.
    Completed,
}

impl CartStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::Checkout => "CHECKOUT",
            Self::Completed => "COMPLETED",
        }
    }

    /// The stored status; anything unknown reads as open (a newer version's status would
    /// only ever be stricter, and the lock refuses what it does not know as a checkout).
    pub fn parse(raw: &str) -> Self {
        match raw {
            "CHECKOUT" => Self::Checkout,
            "COMPLETED" => Self::Completed,
            _ => Self::Open,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for status in [
            CartStatus::Open,
            CartStatus::Checkout,
            CartStatus::Completed,
        ] {
            assert_eq!(CartStatus::parse(status.as_str()), status);
        }
    }
}
