//! A product's quantity rule: how many units one cart line may hold.

use std::fmt;

/// A line of the product holds at least `minimum` and at most `maximum` units, in multiples
/// of `increment`. Each bound is optional; a rule without any accepts every quantity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuantityRule {
    pub minimum: Option<i32>,
    pub maximum: Option<i32>,
    pub increment: Option<i32>,
}

/// Why a rule could not be stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleError {
    /// A bound below 1.
    NotPositive,
    /// `minimum` above `maximum`.
    Inverted,
    /// `minimum` or `maximum` not a multiple of `increment`.
    OffIncrement,
}

impl QuantityRule {
    /// Checks that the bounds make sense together.
    pub fn new(
        minimum: Option<i32>,
        maximum: Option<i32>,
        increment: Option<i32>,
    ) -> Result<Self, RuleError> {
        let rule = Self {
            minimum,
            maximum,
            increment,
        };
        if [minimum, maximum, increment]
            .iter()
            .flatten()
            .any(|&n| n < 1)
        {
            return Err(RuleError::NotPositive);
        }
        if let (Some(min), Some(max)) = (minimum, maximum)
            && min > max
        {
            return Err(RuleError::Inverted);
        }
        let step = rule.step();
        if [minimum, maximum].iter().flatten().any(|&n| n % step != 0) {
            return Err(RuleError::OffIncrement);
        }
        Ok(rule)
    }

    fn step(&self) -> i32 {
        self.increment.unwrap_or(1)
    }

    /// Whether a line may hold `quantity` units (≥ 1).
    pub fn allows(&self, quantity: i64) -> bool {
        quantity >= i64::from(self.minimum.unwrap_or(1))
            && self.maximum.is_none_or(|max| quantity <= i64::from(max))
            && quantity % i64::from(self.step()) == 0
    }

    /// The largest quantity the rule allows that is at most `cap`, if any.
    pub fn largest_within(&self, cap: i64) -> Option<i64> {
        let step = i64::from(self.step());
        let cap = self.maximum.map_or(cap, |max| cap.min(i64::from(max)));
        let quantity = cap - cap.rem_euclid(step);
        self.allows(quantity).then_some(quantity)
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The rule in words, as error messages quote it: "at least 2, at most 12, in steps of 2".
impl fmt::Display for QuantityRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(min) = self.minimum {
            parts.push(format!("at least {min}"));
        }
        if let Some(max) = self.maximum {
            parts.push(format!("at most {max}"));
        }
        if let Some(step) = self.increment.filter(|&s| s > 1) {
            parts.push(format!("in steps of {step}"));
        }
        match parts.is_empty() {
            true => f.write_str("any quantity"),
            false => f.write_str(&parts.join(", ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_bounds_and_steps_quantities() {
        let rule = QuantityRule::new(Some(2), Some(12), Some(2)).expect("valid");
        assert!(rule.allows(2) && rule.allows(12) && rule.allows(6));
        assert!(!rule.allows(1) && !rule.allows(3) && !rule.allows(14));
        assert_eq!(rule.largest_within(7), Some(6));
        assert_eq!(rule.largest_within(100), Some(12));
        assert_eq!(rule.largest_within(1), None);
        assert_eq!(rule.to_string(), "at least 2, at most 12, in steps of 2");
        assert!(QuantityRule::default().allows(7));
    }

    #[test]
    fn nonsense_rules_are_refused() {
        assert_eq!(
            QuantityRule::new(Some(0), None, None),
            Err(RuleError::NotPositive)
        );
        assert_eq!(
            QuantityRule::new(Some(5), Some(3), None),
            Err(RuleError::Inverted)
        );
        assert_eq!(
            QuantityRule::new(Some(3), None, Some(2)),
            Err(RuleError::OffIncrement)
        );
    }
}
