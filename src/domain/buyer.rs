//! The buyer's identity on a cart: an email address, an ISO 3166-1 country, a province
//! (the subdivision part of an ISO 3166-2 code, such as `ON` in `CA-ON`) and a postal code.
//! Checked here once; the cart stores only values that passed.

use std::str::FromStr;

/// Longest email address (RFC 5321's path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// Longest postal code: the longest national formats are 10 characters; 16 leaves room.
pub const MAX_POSTAL_CODE_LEN: usize = 16;

/// Which part of a buyer identity is malformed, with what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuyerError {
    /// The input field: `email`, `countryCode`, `provinceCode` or `postalCode`.
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> BuyerError {
    BuyerError {
        field,
        message: message.into(),
    }
}

/// An email address as the buyer typed it (trimmed), checked against RFC 5322's grammar.
pub fn parse_email(raw: &str) -> Result<String, BuyerError> {
    let email = raw.trim();
    let valid = email.len() <= MAX_EMAIL_LEN
        && email_address::EmailAddress::from_str(email).is_ok_and(|parsed| {
            // A bare host (`a@localhost`) is valid RFC 5322 but cannot receive a receipt.
            parsed.domain().contains('.') && !email.contains(['<', '>', ' '])
        });
    match valid {
        true => Ok(email.to_owned()),
        false => Err(refuse(
            "email",
            format!("`{}` is not an email address", shorten(email)),
        )),
    }
}

/// An ISO 3166-1 alpha-2 country code, upper-cased (`ca` → `CA`).
pub fn parse_country(raw: &str) -> Result<String, BuyerError> {
    let code = raw.trim().to_ascii_uppercase();
    match code.len() == 2 && celes::Country::from_alpha2(&code).is_ok() {
        true => Ok(code),
        false => Err(refuse(
            "countryCode",
            format!(
                "`{}` is not an ISO 3166-1 alpha-2 country code (such as US, CA or DE)",
                shorten(raw)
            ),
        )),
    }
}

/// A province: the one to three letters or digits after the dash of an ISO 3166-2 code
/// (`ON` for Ontario, `CA` for California), upper-cased. A full code (`CA-ON`) is accepted
/// when its country part is `country`.
pub fn parse_province(raw: &str, country: &str) -> Result<String, BuyerError> {
    let upper = raw.trim().to_ascii_uppercase();
    let code = match upper.split_once('-') {
        Some((prefix, rest)) if prefix == country => rest.to_owned(),
        Some(_) => String::new(),
        None => upper,
    };
    match (1..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        true => Ok(code),
        false => Err(refuse(
            "provinceCode",
            format!(
                "`{}` is not a subdivision code of {country} (one to three letters or digits, as in {country}-XX)",
                shorten(raw)
            ),
        )),
    }
}

/// A postal code: letters, digits, spaces and dashes, upper-cased, at most
/// [`MAX_POSTAL_CODE_LEN`] characters.
pub fn parse_postal_code(raw: &str) -> Result<String, BuyerError> {
    let code = raw.trim().to_ascii_uppercase();
    let valid = !code.is_empty()
        && code.len() <= MAX_POSTAL_CODE_LEN
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-');
    match valid {
        true => Ok(code),
        false => Err(refuse(
            "postalCode",
            format!(
                "a postal code is 1 to {MAX_POSTAL_CODE_LEN} letters, digits, spaces or dashes"
            ),
        )),
    }
}

/// At most 40 characters of untrusted input, for a message.
fn shorten(raw: &str) -> String {
    let mut short: String = raw.chars().take(40).filter(|c| !c.is_control()).collect();
    if raw.chars().count() > 40 {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            parse_email(" ada@example.com ").as_deref(),
            Ok("ada@example.com")
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@localhost",
            "a b@example.com",
        ] {
            assert_eq!(parse_email(bad).map_err(|e| e.field), Err("email"), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(parse_email(&long).is_err());
    }

    #[test]
    fn countries_and_provinces() {
        assert_eq!(parse_country("ca").as_deref(), Ok("CA"));
        assert!(parse_country("XX").is_err());
        assert!(parse_country("CAN").is_err());
        assert_eq!(parse_province("on", "CA").as_deref(), Ok("ON"));
        assert_eq!(parse_province("CA-QC", "CA").as_deref(), Ok("QC"));
        assert!(parse_province("US-NY", "CA").is_err());
        assert!(parse_province("ONTARIO", "CA").is_err());
    }

    #[test]
    fn postal_codes() {
        assert_eq!(parse_postal_code("k1a 0b1").as_deref(), Ok("K1A 0B1"));
        assert!(parse_postal_code("").is_err());
        assert!(parse_postal_code("12345;DROP").is_err());
        assert!(parse_postal_code(&"9".repeat(17)).is_err());
    }
}
