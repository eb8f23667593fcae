//! GraphQL input types, and their parsing into domain types: the one place client values are
//! checked, with a precise userError for each refusal.

mod checkout;
mod promotion;

pub use checkout::{BuyerIdentityInput, ShippingRateInput, TaxRateInput};
pub use promotion::{PromotionFilter, PromotionInput};

use async_graphql::{Enum, ID, InputObject, OneofObject};

use crate::{
    domain::{
        AttributeError, Attributes, CartItemId, Limits, ProductId, Quantity, Sku,
        quantity::QuantityError,
    },
    graphql::{global_id::NodeKind, scalars::Decimal},
    service::{
        ErrorCode, UserError,
        cart::{AddLine, UpdateLine},
        catalog::{MediaSpec, ProductRef, ProductSpec, QuantityRuleSpec},
    },
};

/// Names a product by exactly one of its id or its SKU.
#[derive(Clone, Debug, OneofObject)]
#[graphql(name = "ProductRef")]
pub enum ProductRefInput {
    /// The product's id.
    Id(ID),
    /// The product's SKU.
    Sku(String),
}

/// How `mergeGuestCart` combines a line that is in both carts (same product, same
/// attributes). Lines in only one of the carts are always kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::service::cart::MergeStrategy")]
pub enum MergeStrategy {
    /// Add the two quantities.
    Sum,
    /// Keep the larger of the two quantities.
    Max,
    /// Keep the user's quantity.
    KeepUser,
    /// Take the guest's quantity.
    KeepGuest,
}

/// A key/value attribute of a cart or of a cart line.
#[derive(Clone, Debug, InputObject)]
pub struct AttributeInput {
    /// 1–64 characters of letters, digits, `_`, `.` and `-`.
    pub key: String,
    /// At most 256 characters, no control characters.
    pub value: String,
}

/// What to add to the cart.
#[derive(Clone, Debug, InputObject)]
pub struct AddToCartInput {
    /// The product, by id or SKU.
    pub product: ProductRefInput,
    /// How many to add (at least 1). The same product with the same attributes increments
    /// the existing line.
    #[graphql(default = 1)]
    pub quantity: i32,
    /// User-defined attributes of the line, e.g. `team_id`. Different attributes make a
    /// different line.
    pub attributes: Option<Vec<AttributeInput>>,
}

/// A line for `createCart` or `syncCart`.
#[derive(Clone, Debug, InputObject)]
pub struct CartItemInput {
    /// The product, by id or SKU.
    pub product: ProductRefInput,
    /// How many (at least 1).
    #[graphql(default = 1)]
    pub quantity: i32,
    /// User-defined attributes of the line.
    pub attributes: Option<Vec<AttributeInput>>,
}

/// A change to one cart line.
#[derive(Clone, Debug, InputObject)]
pub struct UpdateCartItemInput {
    /// The line's id (`CartItem.id`).
    pub item_id: ID,
    /// The line's new quantity; 0 removes the line.
    pub quantity: i32,
    /// When given, replaces the line's attributes.
    pub attributes: Option<Vec<AttributeInput>>,
}

/// A shop to attach a product to; created or renamed as needed.
#[derive(Clone, Debug, InputObject)]
pub struct ShopInput {
    /// The shop's id (1–36 characters).
    pub id: ID,
    /// The shop's display name.
    pub name: String,
}

/// One image of a product.
#[derive(Clone, Debug, InputObject)]
pub struct ProductMediaInput {
    /// What the image is for: `cover` or `gallery`.
    pub key: String,
    /// Where the image is.
    pub url: String,
}

/// A product to create or update, matched by SKU.
#[derive(Clone, Debug, InputObject)]
pub struct ProductInput {
    /// The SKU that identifies the product.
    pub sku: String,
    /// Display name.
    pub name: String,
    /// Long description.
    #[graphql(default)]
    pub description: String,
    /// The list price, e.g. `"19.99"`.
    pub price: Decimal,
    /// A lower sale price, if any.
    pub discount_price: Option<Decimal>,
    /// ISO 4217 code; the service's default currency when omitted.
    pub currency_code: Option<String>,
    /// Units in stock.
    pub stock: i32,
    /// Main image URL.
    pub image: Option<String>,
    /// Whether the product can be added to carts.
    #[graphql(default = true)]
    pub active: bool,
    /// Attribute keys every line of this product must carry.
    #[graphql(default)]
    pub required_attributes: Vec<String>,
    /// The shop that sells it.
    pub shop: Option<ShopInput>,
    /// Images in display order; replaces the existing ones.
    #[graphql(default)]
    pub media: Vec<ProductMediaInput>,
    /// How many units one cart line may hold; no rule when omitted.
    pub quantity_rule: Option<QuantityRuleInput>,
}

/// A product's quantity rule: every bound optional, each at least 1; `minimum` and `maximum`
/// are multiples of `increment`.
#[derive(Clone, Copy, Debug, InputObject)]
pub struct QuantityRuleInput {
    /// The fewest units a line may hold.
    pub minimum: Option<i32>,
    /// The most units a line may hold.
    pub maximum: Option<i32>,
    /// A line holds a multiple of this.
    pub increment: Option<i32>,
}

impl ProductInput {
    pub fn into_spec(self) -> ProductSpec {
        let (shop_id, shop_name) = match self.shop {
            Some(shop) => (
                Some(NodeKind::Shop.key(&shop.id).to_owned()),
                Some(shop.name),
            ),
            None => (None, None),
        };
        ProductSpec {
            sku: self.sku,
            name: self.name,
            description: self.description,
            price: self.price.0,
            discount_price: self.discount_price.map(|d| d.0),
            currency: self.currency_code,
            stock: i64::from(self.stock),
            image: self.image,
            active: self.active,
            required_attributes: self.required_attributes,
            shop_id,
            shop_name,
            media: self
                .media
                .into_iter()
                .map(|m| MediaSpec {
                    key: m.key,
                    url: m.url,
                })
                .collect(),
            quantity_rule: self.quantity_rule.map(|rule| QuantityRuleSpec {
                minimum: rule.minimum,
                maximum: rule.maximum,
                increment: rule.increment,
            }),
        }
    }
}

fn field(prefix: &[&str], last: &[&str]) -> Vec<String> {
    prefix.iter().chain(last).map(|s| (*s).to_owned()).collect()
}

fn error(code: ErrorCode, prefix: &[&str], last: &[&str], message: impl Into<String>) -> UserError {
    UserError {
        code,
        field: field(prefix, last),
        message: message.into(),
    }
}

/// Parses a product reference. A malformed id or SKU cannot name a product.
pub fn parse_product_ref(
    input: &ProductRefInput,
    prefix: &[&str],
) -> Result<ProductRef, UserError> {
    let not_found = |which: &str| {
        error(
            ErrorCode::ProductNotFound,
            prefix,
            &["product", which],
            "no product has this id or SKU",
        )
    };
    match input {
        ProductRefInput::Id(id) => ProductId::parse(NodeKind::Product.key(id))
            .map(ProductRef::Id)
            .ok_or_else(|| not_found("id")),
        ProductRefInput::Sku(sku) => Sku::parse(sku)
            .map(ProductRef::Sku)
            .ok_or_else(|| not_found("sku")),
    }
}

fn quantity_error(err: QuantityError, limits: &Limits, prefix: &[&str]) -> UserError {
    match err {
        QuantityError::TooSmall => error(
            ErrorCode::InvalidQuantity,
            prefix,
            &["quantity"],
            "the quantity is too small",
        ),
        QuantityError::OverLimit => error(
            ErrorCode::QuantityLimitExceeded,
            prefix,
            &["quantity"],
            format!("a line holds at most {}", limits.max_line_quantity),
        ),
    }
}

/// Parses attributes against the limits.
pub fn parse_attributes(
    input: Option<&[AttributeInput]>,
    limits: &Limits,
    prefix: &[&str],
) -> Result<Attributes, UserError> {
    let pairs = input
        .unwrap_or_default()
        .iter()
        .map(|a| (a.key.as_str(), a.value.as_str()));
    Attributes::parse(pairs, limits.max_attributes).map_err(|err| {
        let (path, message) = match err {
            AttributeError::TooMany { max } => {
                (vec![], format!("at most {max} attributes are allowed"))
            }
            AttributeError::BadKey { index } => (
                vec![index.to_string(), "key".into()],
                "an attribute key is 1–64 characters of letters, digits, `_`, `.` and `-`".into(),
            ),
            AttributeError::BadValue { index } => (
                vec![index.to_string(), "value".into()],
                "an attribute value is at most 256 characters without control characters".into(),
            ),
            AttributeError::DuplicateKey { index } => (
                vec![index.to_string(), "key".into()],
                "each attribute key may appear once".into(),
            ),
        };
        let mut full = field(prefix, &["attributes"]);
        full.extend(path);
        UserError {
            code: ErrorCode::InvalidAttribute,
            field: full,
            message,
        }
    })
}

/// Parses one line to add (`addToCart`'s input or one of `createCart`'s items).
pub fn parse_add_line(
    product: &ProductRefInput,
    quantity: i32,
    attributes: Option<&[AttributeInput]>,
    limits: &Limits,
    prefix: &[&str],
) -> Result<AddLine, UserError> {
    Ok(AddLine {
        product: parse_product_ref(product, prefix)?,
        quantity: Quantity::positive(i64::from(quantity), limits.max_line_quantity)
            .map_err(|e| quantity_error(e, limits, prefix))?,
        attributes: parse_attributes(attributes, limits, prefix)?,
    })
}

/// Parses `updateCartItem`'s input.
pub fn parse_update(input: &UpdateCartItemInput, limits: &Limits) -> Result<UpdateLine, UserError> {
    let prefix = ["input"];
    Ok(UpdateLine {
        item_id: CartItemId::parse(NodeKind::CartItem.key(&input.item_id)).ok_or_else(|| {
            error(
                ErrorCode::ItemNotFound,
                &prefix,
                &["itemId"],
                "no such line in your cart",
            )
        })?,
        quantity: Quantity::absolute(i64::from(input.quantity), limits.max_line_quantity)
            .map_err(|e| quantity_error(e, limits, &prefix))?,
        attributes: input
            .attributes
            .as_deref()
            .map(|a| parse_attributes(Some(a), limits, &prefix))
            .transpose()?,
    })
}
