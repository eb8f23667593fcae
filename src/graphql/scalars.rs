//! Custom scalars.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// An exact decimal number written as a string, e.g. `"110.00"`. Money amounts are never
/// floats: parse them with a decimal library, not `parseFloat`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decimal(pub String);

/// An exact decimal number written as a string, e.g. `"110.00"`. Money amounts are never
/// floats: parse them with a decimal library, not `parseFloat`.
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) if is_decimal(&s) => Ok(Self(s)),
            Value::String(_) => Err(InputValueError::custom(
                "a Decimal is written like \"12.50\"",
            )),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, "0"));
    s.len() <= 40
        && !int_part.is_empty()
        && !frac_part.is_empty()
        && int_part.bytes().all(|b| b.is_ascii_digit())
        && frac_part.bytes().all(|b| b.is_ascii_digit())
}
