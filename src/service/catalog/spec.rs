//! Products as admins and catalog files describe them, and their validation into drafts
//! ready to be written.

use serde::Deserialize;

use crate::{
    domain::{Currency, Money, QuantityRule, ShopId, Sku, attributes, quantity_rule::RuleError},
    service::{ErrorCode, UserError},
};

/// A product as an admin or a catalog file describes it, before validation.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductSpec {
    pub sku: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Decimal string, e.g. `"19.99"`.
    pub price: String,
    #[serde(default)]
    pub discount_price: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    pub stock: i64,
    #[serde(default)]
    pub image: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub required_attributes: Vec<String>,
    #[serde(default)]
    pub shop_id: Option<String>,
    #[serde(default)]
    pub shop_name: Option<String>,
    #[serde(default)]
    pub media: Vec<MediaSpec>,
    #[serde(default)]
    pub quantity_rule: Option<QuantityRuleSpec>,
}

/// A product's quantity rule as given: each bound optional.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuantityRuleSpec {
    pub minimum: Option<i32>,
    pub maximum: Option<i32>,
    pub increment: Option<i32>,
}

fn yes() -> bool {
    true
}

/// One media entry of a [`ProductSpec`].
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediaSpec {
    pub key: String,
    pub url: String,
}

/// A validated product ready to be written.
#[derive(Clone, Debug)]
pub struct ProductDraft {
    pub(super) sku: Sku,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) price_minor: i64,
    pub(super) discount_price_minor: Option<i64>,
    pub(super) currency: Currency,
    pub(super) stock: i32,
    pub(super) image: Option<String>,
    pub(super) active: bool,
    pub(super) required_attributes: Vec<String>,
    pub(super) shop: Option<(ShopId, String)>,
    pub(super) media: Vec<MediaSpec>,
    pub(super) quantity_rule: QuantityRule,
}

/// Largest stock figure accepted.
const MAX_STOCK: i64 = 1_000_000_000;
/// Longest URL accepted for images and media.
const MAX_URL_LEN: usize = 1024;

impl ProductSpec {
    /// Validates the spec; an error names the offending field (`sku`, `media.2`, ...).
    pub fn validate(self, default_currency: Currency) -> Result<ProductDraft, UserError> {
        let invalid = |field: &str, message: String| {
            UserError::new(ErrorCode::InvalidProduct, &[field], message)
        };
        let sku = Sku::parse(&self.sku).ok_or_else(|| {
            invalid(
                "sku",
                "a SKU is 1–64 characters of letters, digits, `_`, `.` and `-`".into(),
            )
        })?;
        let name = self.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 255 {
            return Err(invalid("name", "a product name is 1–255 characters".into()));
        }
        if self.description.chars().count() > 10_000 {
            return Err(invalid(
                "description",
                "a description is at most 10000 characters".into(),
            ));
        }
        let currency = match &self.currency {
            Some(code) => Currency::parse(code).ok_or_else(|| {
                invalid(
                    "currency",
                    format!("{code:?} is not a three-letter currency code"),
                )
            })?,
            None => default_currency,
        };
        let price_minor = Money::parse_price(&self.price, currency).map_err(|e| {
            invalid(
                "price",
                format!(
                    "{:?} is not a usable {} price ({e:?})",
                    self.price,
                    currency.code()
                ),
            )
        })?;
        let discount_price_minor = self
            .discount_price
            .as_deref()
            .map(|raw| {
                Money::parse_price(raw, currency).map_err(|e| {
                    invalid(
                        "discountPrice",
                        format!("{raw:?} is not a usable price ({e:?})"),
                    )
                })
            })
            .transpose()?;
        if discount_price_minor.is_some_and(|d| d > price_minor) {
            return Err(invalid(
                "discountPrice",
                "the discount price must not exceed the price".into(),
            ));
        }
        let stock = i32::try_from(self.stock)
            .ok()
            .filter(|s| (0..=MAX_STOCK).contains(&i64::from(*s)))
            .ok_or_else(|| invalid("stock", format!("stock must be between 0 and {MAX_STOCK}")))?;
        if self.image.as_ref().is_some_and(|u| u.len() > MAX_URL_LEN) {
            return Err(invalid(
                "image",
                format!("an image URL is at most {MAX_URL_LEN} bytes"),
            ));
        }
        for (i, key) in self.required_attributes.iter().enumerate() {
            if attributes::Attributes::parse([(key.as_str(), "")], 1).is_err() {
                return Err(UserError::new(
                    ErrorCode::InvalidProduct,
                    &["requiredAttributes", &i.to_string()],
                    "an attribute key is 1–64 characters of letters, digits, `_`, `.` and `-`",
                ));
            }
        }
        let shop = match (self.shop_id, self.shop_name) {
            (Some(id), name) => {
                if id.is_empty() || id.len() > 36 {
                    return Err(invalid("shopId", "a shop id is 1–36 characters".into()));
                }
                let name = name.unwrap_or_else(|| id.clone());
                if name.chars().count() > 255 {
                    return Err(invalid(
                        "shopName",
                        "a shop name is at most 255 characters".into(),
                    ));
                }
                Some((ShopId(id), name))
            }
            (None, Some(_)) => return Err(invalid("shopId", "a shop name needs a shop id".into())),
            (None, None) => None,
        };
        for (i, media) in self.media.iter().enumerate() {
            if media.key.is_empty()
                || media.key.len() > 64
                || media.url.is_empty()
                || media.url.len() > MAX_URL_LEN
            {
                return Err(UserError::new(
                    ErrorCode::InvalidProduct,
                    &["media", &i.to_string()],
                    "a media key is 1–64 characters and its URL 1–1024",
                ));
            }
        }
        let rule = self.quantity_rule.unwrap_or_default();
        let quantity_rule =
            QuantityRule::new(rule.minimum, rule.maximum, rule.increment).map_err(|e| {
                let message = match e {
                    RuleError::NotPositive => "every bound of a quantity rule is at least 1",
                    RuleError::Inverted => "a quantity rule's minimum is at most its maximum",
                    RuleError::OffIncrement => {
                        "a quantity rule's minimum and maximum are multiples of its increment"
                    }
                };
                invalid("quantityRule", message.into())
            })?;
        Ok(ProductDraft {
            quantity_rule,
            sku,
            name,
            description: self.description,
            price_minor,
            discount_price_minor,
            currency,
            stock,
            image: self.image,
            active: self.active,
            required_attributes: self.required_attributes,
            shop,
            media: self.media,
        })
    }
}
