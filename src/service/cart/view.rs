//! A cart as the service hands it out: the cart with its live lines, each complete with its
//! product, the product's shop and, when asked, its media and the promotions it may get.
//! The GraphQL types only project it.

use crate::{
    domain::{Attributes, Currency, Money},
    entity::{cart_items, carts, product_media, products, shops},
    service::{
        CartSettings, Warning, WarningCode,
        pricing::{self, PricedCart, PricingLine},
        promotions::{CartOffers, CodeState, EnteredCode},
    },
};

/// Why a code in `state` does not apply, in words.
fn state_words(state: CodeState) -> &'static str {
    match state {
        CodeState::Applied | CodeState::NotApplicable => "the cart does not meet its conditions",
        CodeState::Expired => "it has expired",
        CodeState::NotActive => "it is not active",
        CodeState::UsageLimitReached => "it has been used as often as it may be",
    }
}

/// What a cart read brings beyond the lines with their products and shops, which it always
/// reads (they come in the same statement).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Include {
    /// The products' images: one more statement for all lines together.
    pub media: bool,
    /// The promotions the cart may get, for its prices: one more statement.
    pub promotions: bool,
}

impl Include {
    /// What either selection needs.
    pub fn union(self, other: Include) -> Include {
        Include {
            media: self.media || other.media,
            promotions: self.promotions || other.promotions,
        }
    }
}

/// A cart with its live lines, as one consistent read.
#[derive(Clone, Debug)]
pub struct CartView {
    pub cart: carts::Model,
    pub lines: Vec<Line>,
    /// The guest token, when the caller presented or was just issued it.
    pub token: Option<String>,
    /// The promotions the cart may get, when the read included them
    /// ([`Include::promotions`]); without them the cart prices without promotions.
    pub offers: Option<CartOffers>,
}

/// A line with its product (absent if the product vanished from the catalog) and the
/// product's shop, as one read found them.
#[derive(Clone, Debug)]
pub struct Line {
    pub item: cart_items::Model,
    pub attributes: Attributes,
    pub product: Option<products::Model>,
    /// The product's shop; `None` when the product has none or it vanished.
    pub shop: Option<shops::Model>,
    /// The product's images in display order, when the read included them
    /// ([`Include::media`]); `None` when it did not.
    pub media: Option<Vec<product_media::Model>>,
}

impl Line {
    /// A line as read with its product and shop, without media.
    pub fn new(
        item: cart_items::Model,
        product: Option<products::Model>,
        shop: Option<shops::Model>,
    ) -> Self {
        Self {
            attributes: Attributes::from_json(&item.attributes),
            item,
            product,
            shop,
            media: None,
        }
    }

    /// The product, if the cart can charge for it: it exists and is priced in the cart's
    /// `currency`. A product whose currency changed after the line was added cannot be
    /// charged (nor converted): its line shows zero and is left out of the totals, so the
    /// lines still add up to the subtotal.
    pub fn charged_product(&self, currency: Currency) -> Option<&products::Model> {
        self.product
            .as_ref()
            .filter(|p| p.currency.eq_ignore_ascii_case(currency.code()))
    }

    /// The unit price charged now in the cart's `currency`, in minor units; zero when the
    /// product vanished or is priced in another currency.
    pub fn unit_price_minor(&self, currency: Currency) -> i64 {
        self.charged_product(currency)
            .map_or(0, pricing::effective_price)
    }

    /// The effective unit price when the customer last set this line, if recorded.
    pub fn added_unit_price_minor(&self) -> Option<i64> {
        self.item.added_unit_price_minor
    }

    /// True when the catalog price moved since the customer last set this line.
    pub fn price_changed(&self) -> bool {
        match (&self.product, self.item.added_unit_price_minor) {
            (Some(product), Some(added)) => pricing::effective_price(product) != added,
            _ => false,
        }
    }

    /// The line as pricing sees it.
    pub fn pricing(&self, currency: Currency) -> PricingLine {
        let charged = self.charged_product(currency);
        PricingLine {
            product_id: self.item.product_id.clone(),
            sku: self.product.as_ref().map(|p| p.sku.clone()),
            shop_id: self.product.as_ref().and_then(|p| p.shop_id.clone()),
            unit_price: self.unit_price_minor(currency),
            list_price: charged.map_or(0, |p| p.price_minor),
            quantity: self.item.quantity,
        }
    }

    /// Unit price × quantity in the cart's `currency`, in minor units.
    pub fn subtotal_minor(&self, currency: Currency) -> i128 {
        i128::from(self.unit_price_minor(currency)) * i128::from(self.item.quantity)
    }
}

impl CartView {
    pub fn total_quantity(&self) -> i64 {
        self.lines.iter().map(|l| i64::from(l.item.quantity)).sum()
    }

    /// The cart-level attributes.
    pub fn attributes(&self) -> Attributes {
        self.cart
            .attributes
            .as_deref()
            .map(Attributes::from_json)
            .unwrap_or_default()
    }

    /// A PRICE_CHANGED warning for every line whose price moved since it was set.
    pub fn price_warnings(&self) -> Vec<Warning> {
        let currency = self.currency_or(Currency::UNKNOWN);
        self.lines
            .iter()
            .filter(|line| line.price_changed())
            .map(|line| {
                let was = Money::new(
                    i128::from(line.added_unit_price_minor().unwrap_or_default()),
                    currency,
                );
                let now = Money::new(i128::from(line.unit_price_minor(currency)), currency);
                Warning {
                    code: WarningCode::PriceChanged,
                    message: format!(
                        "the price of {} moved from {} to {} since it was added",
                        line.product
                            .as_ref()
                            .map_or("this product", |p| p.sku.as_str()),
                        was.formatted(),
                        now.formatted()
                    ),
                    target: Some(line.item.id.clone()),
                }
            })
            .collect()
    }

    fn currency_or(&self, fallback: Currency) -> Currency {
        Currency::parse(&self.cart.currency).unwrap_or(fallback)
    }

    /// The cart priced: lines, promotions, tax and totals.
    pub fn price(&self, settings: &CartSettings) -> PricedCart {
        let currency = self.currency_or(settings.currency);
        let lines: Vec<PricingLine> = self.lines.iter().map(|l| l.pricing(currency)).collect();
        let offers = self
            .offers
            .as_ref()
            .map_or(&[][..], |o| o.offers.as_slice());
        pricing::price_cart(currency, settings.tax_rate, &lines, offers, None)
    }

    /// Every code on the cart with its state once priced, and a DISCOUNT_NOT_APPLICABLE
    /// warning for each one that does not apply, saying why.
    pub fn discount_codes(&self, priced: &PricedCart) -> (Vec<EnteredCode>, Vec<Warning>) {
        let Some(offers) = &self.offers else {
            return Default::default();
        };
        let mut warnings = Vec::new();
        let codes = offers
            .settled_codes(priced)
            .into_iter()
            .map(|(code, reason)| {
                if code.state != CodeState::Applied {
                    let why = reason.unwrap_or_else(|| state_words(code.state).to_owned());
                    warnings.push(Warning {
                        code: WarningCode::DiscountNotApplicable,
                        message: format!("{} does not apply: {why}", code.code),
                        target: Some(code.code.clone()),
                    });
                }
                code
            })
            .collect();
        (codes, warnings)
    }
}
