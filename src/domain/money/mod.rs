//! Exact money: integer minor units of an ISO 4217 currency. No floats anywhere: amounts are
//! parsed from and printed as decimal strings, sums are taken in `i128`, and tax is rounded
//! half-to-even to the minor unit.

mod format;

use std::fmt;

pub use format::{InvalidLocale, Locale};

/// An ISO 4217 currency code with its number of minor-unit digits. `Copy` and two words:
/// every line's amounts carry one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency {
    code: [u8; 3],
    exponent: u32,
}

impl Currency {
    /// ISO 4217's code for "no currency", used where a stored code is unreadable.
    pub const UNKNOWN: Currency = Currency {
        code: *b"XXX",
        exponent: 2,
    };

    /// Parses a three-letter code (case-insensitive). The minor digits come from the
    /// `iso_currency` crate's copy of the ISO 4217 list (JPY 0, KWD 3, CLF 4, …), which
    /// tracks the standard's amendments. Well-formed codes it does not list, and ISO's
    /// codes without minor units (XAU, XXX, …), get two digits, what most currencies use.
    pub fn parse(raw: &str) -> Option<Self> {
        let bytes = raw.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        let code = [
            bytes[0].to_ascii_uppercase(),
            bytes[1].to_ascii_uppercase(),
            bytes[2].to_ascii_uppercase(),
        ];
        // Every amount of a cart view parses its currency, nearly always the same one, and
        // the ISO list is a long match on the code: remember the last answer per thread.
        thread_local! {
            static LAST: std::cell::Cell<Currency> = const { std::cell::Cell::new(Currency::UNKNOWN) };
        }
        let last = LAST.get();
        if last.code == code {
            return Some(last);
        }
        let exponent = std::str::from_utf8(&code)
            .ok()
            .and_then(iso_currency::Currency::from_code)
            .and_then(iso_currency::Currency::exponent)
            .map_or(2, u32::from);
        let parsed = Self { code, exponent };
        LAST.set(parsed);
        Some(parsed)
    }

    pub fn code(&self) -> &str {
        // The code is three ASCII letters by construction.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    pub fn exponent(&self) -> u32 {
        self.exponent
    }
}

/// An amount in minor units of a currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money {
    pub minor: i128,
    pub currency: Currency,
}

/// Why a decimal amount was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountError {
    /// Not a plain decimal number (`"12.50"`).
    Malformed,
    /// More fraction digits than the currency has minor units.
    TooPrecise,
    /// Negative, or larger than [`Money::MAX_PRICE_MINOR`].
    OutOfRange,
}

impl Money {
    /// The largest unit price accepted, in minor units: keeps every cart total far inside i64.
    pub const MAX_PRICE_MINOR: i64 = 1_000_000_000_000;

    pub fn new(minor: impl Into<i128>, currency: Currency) -> Self {
        Self {
            minor: minor.into(),
            currency,
        }
    }

    /// Parses a non-negative decimal string such as `"110.00"` or `"5"` into minor units.
    pub fn parse_price(raw: &str, currency: Currency) -> Result<i64, AmountError> {
        let (int_part, frac_part) = raw.split_once('.').unwrap_or((raw, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty() || int_part.len() > 18 || !digits(int_part) || !digits(frac_part) {
            return Err(if raw.starts_with('-') {
                AmountError::OutOfRange
            } else {
                AmountError::Malformed
            });
        }
        if raw.contains('.') && frac_part.is_empty() {
            return Err(AmountError::Malformed);
        }
        let exp = currency.exponent as usize;
        let significant = frac_part.trim_end_matches('0');
        if significant.len() > exp {
            return Err(AmountError::TooPrecise);
        }
        let mut minor: i128 = int_part.parse().map_err(|_| AmountError::Malformed)?;
        for i in 0..exp {
            let digit = significant
                .as_bytes()
                .get(i)
                .map_or(0, |b| i128::from(b - b'0'));
            minor = minor * 10 + digit;
        }
        i64::try_from(minor)
            .ok()
            .filter(|m| *m <= Self::MAX_PRICE_MINOR)
            .ok_or(AmountError::OutOfRange)
    }

    /// The amount as a plain decimal string with exactly the currency's minor digits.
    pub fn amount(&self) -> String {
        let exp = self.currency.exponent;
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exp == 0 {
            return format!("{sign}{abs}");
        }
        let scale = 10u128.pow(exp);
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = exp as usize
        )
    }
}

/// Human text in en-US (`"$110.00"`, `"CHF 1,234.56"`), for messages.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted_in(&Locale::default()))
    }
}

/// A tax rate held as an exact fraction (`"0.10"` is 10/100).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaxRate {
    numerator: i128,
    denominator: i128,
}

impl TaxRate {
    /// Parses a decimal rate between 0 and 1 with at most 6 fraction digits.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let (int_part, frac_part) = raw.split_once('.').unwrap_or((raw, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty() || !digits(int_part) || !digits(frac_part) || frac_part.len() > 6 {
            return None;
        }
        let denominator = 10i128.pow(frac_part.len() as u32);
        let whole: i128 = int_part.parse().ok()?;
        let frac: i128 = if frac_part.is_empty() {
            0
        } else {
            frac_part.parse().ok()?
        };
        let numerator = whole.checked_mul(denominator)?.checked_add(frac)?;
        (numerator <= denominator).then_some(Self {
            numerator,
            denominator,
        })
    }

    /// A zero rate: no tax at all.
    pub fn is_zero(&self) -> bool {
        self.numerator == 0
    }

    /// Tax on `subtotal` minor units, rounded half-to-even to the minor unit.
    pub fn tax_on(&self, subtotal: i128) -> i128 {
        round_half_even(subtotal * self.numerator, self.denominator)
    }
}

impl Default for TaxRate {
    fn default() -> Self {
        Self {
            numerator: 10,
            denominator: 100,
        }
    }
}

impl fmt::Display for TaxRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.denominator.to_string().len() - 1;
        if digits == 0 {
            return write!(f, "{}", self.numerator);
        }
        write!(
            f,
            "{}.{:0digits$}",
            self.numerator / self.denominator,
            self.numerator % self.denominator
        )
    }
}

/// `n / d` rounded to the nearest integer, ties to even. `d` is positive.
pub fn round_half_even(n: i128, d: i128) -> i128 {
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    match (2 * r).cmp(&d) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("usd").expect("USD is a currency")
    }

    #[test]
    fn prices_parse_exactly_into_minor_units() {
        assert_eq!(Money::parse_price("110.00", usd()), Ok(11_000));
        assert_eq!(Money::parse_price("0.1", usd()), Ok(10));
        assert_eq!(Money::parse_price("7", usd()), Ok(700));
        assert_eq!(
            Money::parse_price("1.005", usd()),
            Err(AmountError::TooPrecise)
        );
        assert_eq!(Money::parse_price("1.50000", usd()), Ok(150));
        assert_eq!(
            Money::parse_price("-1", usd()),
            Err(AmountError::OutOfRange)
        );
        assert_eq!(
            Money::parse_price("1e3", usd()),
            Err(AmountError::Malformed)
        );
        assert_eq!(Money::parse_price("1.", usd()), Err(AmountError::Malformed));
        assert_eq!(
            Money::parse_price("99999999999999999", usd()),
            Err(AmountError::OutOfRange)
        );
        let jpy = Currency::parse("JPY").expect("JPY");
        assert_eq!(Money::parse_price("500", jpy), Ok(500));
        assert_eq!(
            Money::parse_price("500.5", jpy),
            Err(AmountError::TooPrecise)
        );
    }

    #[test]
    fn amounts_print_with_the_currency_digits() {
        assert_eq!(Money::new(11_000, usd()).amount(), "110.00");
        assert_eq!(Money::new(5, usd()).to_string(), "$0.05");
        assert_eq!(Money::new(-5, usd()).to_string(), "-$0.05");
        let kwd = Currency::parse("KWD").expect("KWD");
        assert_eq!(Money::new(1_234, kwd).amount(), "1.234");
        let jpy = Currency::parse("JPY").expect("JPY");
        assert_eq!(Money::new(500, jpy).amount(), "500");
    }

    #[test]
    fn tax_rounds_half_to_even() {
        let rate = TaxRate::default();
        assert_eq!(rate.tax_on(11_000), 1_100);
        assert_eq!(rate.tax_on(25), 2); // 2.5 -> 2
        assert_eq!(rate.tax_on(35), 4); // 3.5 -> 4
        assert_eq!(rate.tax_on(36), 4); // 3.6 -> 4
        let odd = TaxRate::parse("0.0825").expect("rate");
        assert_eq!(odd.tax_on(1_000), 82); // 82.5 -> 82
        assert_eq!(odd.to_string(), "0.0825");
        assert!(TaxRate::parse("1.5").is_none());
        assert!(TaxRate::parse("-0.1").is_none());
    }
}

#[cfg(test)]
mod properties {
    use iso_currency::IntoEnumIterator;
    use proptest::prelude::*;

    use super::*;

    /// Every currency ISO 4217 lists.
    fn every_currency() -> Vec<Currency> {
        iso_currency::Currency::iter()
            .map(|iso| Currency::parse(iso.code()).expect("an ISO code parses"))
            .collect()
    }

    #[test]
    fn minor_digits_are_iso_4217s() {
        let digits = |code: &str| Currency::parse(code).map(|c| c.exponent());
        assert_eq!(digits("JPY"), Some(0));
        assert_eq!(digits("KWD"), Some(3));
        assert_eq!(digits("clf"), Some(4));
        assert_eq!(digits("UYW"), Some(4));
        assert_eq!(digits("EUR"), Some(2));
        assert_eq!(digits("ISK"), Some(0));
        // No minor unit in ISO 4217 (gold), or not listed: two digits.
        assert_eq!(digits("XAU"), Some(2));
        assert_eq!(digits("QQQ"), Some(2));
        assert_eq!(digits("EURO"), None);
        assert!(every_currency().len() > 150);
    }

    proptest! {
        #[test]
        fn printed_amounts_parse_back_to_the_same_minor_units(
            minor in 0..=Money::MAX_PRICE_MINOR,
            currency in proptest::sample::select(every_currency()),
        ) {
            let printed = Money::new(minor, currency).amount();
            prop_assert_eq!(Money::parse_price(&printed, currency), Ok(minor));
        }
    }
}
