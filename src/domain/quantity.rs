//! Line quantities.

/// A quantity already checked against `0..=Limits::max_line_quantity`.
/// Zero only appears where it means "remove the line" (`updateCartItem`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(u32);

/// Why a requested quantity was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantityError {
    /// Below the allowed minimum (negative, or zero where zero means nothing).
    TooSmall,
    /// Above the per-line limit.
    OverLimit,
}

impl Quantity {
    /// A quantity to add: at least 1 and at most `max`.
    pub fn positive(raw: i64, max: u32) -> Result<Self, QuantityError> {
        if raw < 1 {
            return Err(QuantityError::TooSmall);
        }
        Self::bounded(raw, max)
    }

    /// An absolute quantity for a line: 0 (remove) up to `max`.
    pub fn absolute(raw: i64, max: u32) -> Result<Self, QuantityError> {
        if raw < 0 {
            return Err(QuantityError::TooSmall);
        }
        Self::bounded(raw, max)
    }

    fn bounded(raw: i64, max: u32) -> Result<Self, QuantityError> {
        u32::try_from(raw)
            .ok()
            .filter(|q| *q <= max)
            .map(Self)
            .ok_or(QuantityError::OverLimit)
    }

    pub fn get(self) -> u32 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_positive_quantity_refuses_zero_negative_and_over_limit() {
        assert_eq!(Quantity::positive(0, 999), Err(QuantityError::TooSmall));
        assert_eq!(Quantity::positive(-1, 999), Err(QuantityError::TooSmall));
        assert_eq!(Quantity::positive(1000, 999), Err(QuantityError::OverLimit));
        assert_eq!(
            Quantity::positive(1 << 40, 999),
            Err(QuantityError::OverLimit)
        );
        assert_eq!(Quantity::positive(999, 999).map(Quantity::get), Ok(999));
    }

    #[test]
    fn an_absolute_quantity_accepts_zero() {
        assert!(Quantity::absolute(0, 999).is_ok_and(Quantity::is_zero));
        assert_eq!(Quantity::absolute(-5, 999), Err(QuantityError::TooSmall));
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn only_quantities_within_the_limit_are_accepted(raw in any::<i64>(), max in 1..=1_000_000u32) {
            match Quantity::positive(raw, max) {
                Ok(q) => prop_assert!(q.get() >= 1 && q.get() <= max && i64::from(q.get()) == raw),
                Err(_) => prop_assert!(raw < 1 || raw > i64::from(max)),
            }
        }
    }
}
