//! Money as a person reads it, in their locale: ICU4X's currency formatter over CLDR data
//! compiled into the binary (symbol, its placement and spacing, separators, grouping,
//! numbering system).
//!
//! One deliberate departure from CLDR: the digits shown are the currency's ISO 4217 minor
//! units, never CLDR's display digits. CLDR shows some currencies with fewer digits than
//! ISO 4217 gives them (IQD, RSD, LBP… with none), which would round an exact amount for
//! display; an amount is shown exactly as it is held, as ECMA-402's `Intl.NumberFormat`
//! does for ISO currencies. See docs/decisions.md.

use std::{cell::RefCell, collections::HashMap, fmt, rc::Rc, str::FromStr, sync::Arc};

use fixed_decimal::Decimal;
use icu_decimal::provider::{DecimalDigitsV1, DecimalSymbolsV1};
use icu_experimental::dimension::{
    currency::{CurrencyType, formatter::CurrencyFormatter},
    provider::currency::{
        essentials::CurrencyEssentialsV1,
        fractions::{CurrencyFractions, CurrencyFractionsV1, FractionInfo},
        no_currency::CurrencyPatternsNoCurrencyV1,
        symbols::{CurrencyDecimalSymbolsV1, CurrencySymbolsV1},
    },
};
use icu_provider::prelude::*;

use super::{Currency, Money};

/// A well-formed BCP 47 locale tag (`en-US`, `de-CH`, `ar-EG-u-nu-latn`). Cheap to clone.
/// Any well-formed tag is accepted: one CLDR has no data for falls back along CLDR's parent
/// chain (`xx-YY` to the root locale).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Locale(Arc<icu_locale_core::Locale>);

impl Locale {
    /// The locale used when none is configured.
    pub const DEFAULT_TAG: &'static str = "en-US";

    /// Parses a BCP 47 tag; `None` when it is not well-formed.
    pub fn parse(tag: &str) -> Option<Self> {
        icu_locale_core::Locale::try_from_str(tag)
            .ok()
            .map(|locale| Self(Arc::new(locale)))
    }
}

impl Default for Locale {
    fn default() -> Self {
        Self(Arc::new(icu_locale_core::locale!("en-US")))
    }
}

impl FromStr for Locale {
    type Err = InvalidLocale;

    fn from_str(tag: &str) -> Result<Self, InvalidLocale> {
        Self::parse(tag).ok_or(InvalidLocale)
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// A locale tag that is not well-formed BCP 47.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidLocale;

impl fmt::Display for InvalidLocale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a BCP 47 locale tag such as en-US")
    }
}

impl std::error::Error for InvalidLocale {}

/// Formatters built so far, per thread: building one loads and resolves locale data, and a
/// cart view formats several amounts per line in one or two locales. Bounded, because
/// locale tags come from requests.
const CACHED_FORMATTERS: usize = 256;

type Formatter = CurrencyFormatter<icu_decimal::DecimalFormatter>;
type Formatters = HashMap<(Locale, Currency), Option<Rc<Formatter>>>;

thread_local! {
    static FORMATTERS: RefCell<Formatters> = RefCell::new(HashMap::new());
}

impl Money {
    /// The amount as text for a reader in `locale`, e.g. `"$1,234.50"` (en-US),
    /// `"1.234,50 €"` (de-DE), `"CHF 1’234.50"` (de-CH), `"₹12,34,567.00"` (en-IN). Shows
    /// the currency's ISO 4217 minor digits exactly; never rounds.
    pub fn formatted_in(&self, locale: &Locale) -> String {
        let formatter = formatter(locale, self.currency);
        let amount = self.amount();
        match (formatter, Decimal::from_str(&amount)) {
            (Some(formatter), Ok(value)) => formatter.format_fixed_decimal(&value).to_string(),
            // Not reached with CLDR's data compiled in; the plain form is still exact.
            _ => format!("{amount} {}", self.currency.code()),
        }
    }
}

fn formatter(locale: &Locale, currency: Currency) -> Option<Rc<Formatter>> {
    FORMATTERS.with_borrow_mut(|cache| {
        if let Some(formatter) = cache.get(&(locale.clone(), currency)) {
            return formatter.clone();
        }
        if cache.len() >= CACHED_FORMATTERS {
            cache.clear();
        }
        let built = build(locale, currency).map(Rc::new);
        cache.insert((locale.clone(), currency), built.clone());
        built
    })
}

fn build(locale: &Locale, currency: Currency) -> Option<Formatter> {
    let code = CurrencyType::try_from_str(currency.code()).ok()?;
    let exponent = u8::try_from(currency.exponent()).ok()?;
    CurrencyFormatter::try_new_symbol_unstable(
        &IsoDigits { exponent },
        (&*locale.0).into(),
        code,
        Default::default(),
    )
    .ok()
}

/// ICU4X's compiled CLDR data, except that a currency's fraction digits are its ISO 4217
/// minor units (see the module docs).
struct IsoDigits {
    exponent: u8,
}

impl DataProvider<CurrencyFractionsV1> for IsoDigits {
    fn load(&self, _: DataRequest) -> Result<DataResponse<CurrencyFractionsV1>, DataError> {
        Ok(DataResponse {
            metadata: Default::default(),
            payload: DataPayload::from_owned(CurrencyFractions {
                fractions: zerovec::ZeroMap::new(),
                default: FractionInfo {
                    digits: self.exponent,
                    ..Default::default()
                },
            }),
        })
    }
}

/// The markers answered from the compiled data as they are.
macro_rules! compiled {
    ($baked:path: $($marker:ty),+) => {$(
        impl DataProvider<$marker> for IsoDigits {
            fn load(&self, req: DataRequest) -> Result<DataResponse<$marker>, DataError> {
                $baked.load(req)
            }
        }
    )+};
}

compiled!(icu_experimental::provider::Baked:
    CurrencyEssentialsV1,
    CurrencySymbolsV1,
    CurrencyPatternsNoCurrencyV1,
    CurrencyDecimalSymbolsV1
);
compiled!(icu_decimal::provider::Baked: DecimalSymbolsV1, DecimalDigitsV1);

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(minor: i128, code: &str, tag: &str) -> String {
        let currency = Currency::parse(code).expect("a currency");
        let locale = Locale::parse(tag).expect("a locale");
        Money::new(minor, currency).formatted_in(&locale)
    }

    /// CLDR's text through ICU4X, with the ISO digits; NBSP (U+00A0) where CLDR spaces.
    #[test]
    fn amounts_read_as_each_locale_writes_them() {
        for (minor, code, tag, expected) in [
            (123_450, "USD", "en-US", "$1,234.50"),
            (-5, "USD", "en-US", "-$0.05"),
            (1_235, "JPY", "ja-JP", "￥1,235"),
            (1_235, "JPY", "en-US", "¥1,235"),
            (1_234_500, "KWD", "en-KW", "KWD\u{a0}1,234.500"),
            (
                1_234_500,
                "KWD",
                "ar-KW",
                "\u{200f}١٬٢٣٤٫٥٠٠\u{a0}د.ك.\u{200f}",
            ),
            (123_450, "EUR", "de-DE", "1.234,50\u{a0}€"),
            (123_450, "EUR", "en-US", "€1,234.50"),
            (123_450, "CHF", "de-CH", "CHF\u{a0}1'234.50"),
            (123_450, "CHF", "en-US", "CHF\u{a0}1,234.50"),
            (123_456_700, "INR", "en-IN", "₹12,34,567.00"),
            (123_456_700, "INR", "hi-IN", "₹12,34,567.00"),
            (12_345, "CLF", "es-CL", "CLF\u{a0}1,2345"),
            // CLDR would show IQD without decimals; ISO 4217 gives it three, kept exactly.
            (1_234_500, "IQD", "en-US", "IQD\u{a0}1,234.500"),
        ] {
            assert_eq!(shown(minor, code, tag), expected, "{code} in {tag}");
        }
    }

    #[test]
    fn locale_tags_must_be_well_formed() {
        assert!(Locale::parse("de-CH").is_some());
        assert!(Locale::parse("ar-EG-u-nu-latn").is_some());
        assert!(Locale::parse("").is_none());
        assert!(Locale::parse("not a locale").is_none());
        assert_eq!(Locale::default().to_string(), Locale::DEFAULT_TAG);
    }
}
