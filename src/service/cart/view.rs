//! A cart as the service hands it out: the cart with its live lines, each complete with its
//! product, the product's shop and, when asked, its media and the promotions it may get.
//! The GraphQL types only project it.

use crate::{
    domain::CartStatus,
    domain::{Attributes, Currency, Money},
    entity::{cart_items, carts, product_media, products, shops},
    service::{
        CartSettings, Warning, WarningCode,
        pricing::{self, PricedCart, PricingLine, TaxRule},
        promotions::{CartOffers, CodeState, EnteredCode},
        rates::DeliveryOption,
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
    /// What the cart's prices need: the promotions it may get (one more statement) and, when
    /// the buyer gave a country, the region's tax rate and delivery options (two more).
    pub prices: bool,
}

impl Include {
    /// What either selection needs.
    pub fn union(self, other: Include) -> Include {
        Include {
            media: self.media || other.media,
            prices: self.prices || other.prices,
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
    /// ([`Include::prices`]); without them the cart prices without promotions.
    pub offers: Option<CartOffers>,
    /// Where the cart ships, when the read included prices and the buyer gave a country.
    pub destination: Option<Destination>,
}

/// What the buyer's country means for a cart's prices.
#[derive(Clone, Debug, Default)]
pub struct Destination {
    /// The region's tax rate; `None`: the configured `CARTQL_TAX_RATE`.
    pub tax: Option<TaxRule>,
    /// The delivery options for the country in the cart's currency, cheapest first.
    pub options: Vec<DeliveryOption>,
}

/// The buyer's identity as the cart holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Buyer {
    pub email: Option<String>,
    pub country_code: Option<String>,
    pub province_code: Option<String>,
    pub postal_code: Option<String>,
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
    /// A view of `cart` with no lines yet and nothing else read.
    pub fn bare(cart: carts::Model, token: Option<String>) -> Self {
        Self {
            cart,
            lines: Vec::new(),
            token,
            offers: None,
            destination: None,
        }
    }

    pub fn status(&self) -> CartStatus {
        CartStatus::parse(&self.cart.status)
    }

    pub fn buyer(&self) -> Buyer {
        Buyer {
            email: self.cart.buyer_email.clone(),
            country_code: self.cart.buyer_country_code.clone(),
            province_code: self.cart.buyer_province_code.clone(),
            postal_code: self.cart.buyer_postal_code.clone(),
        }
    }

    /// The selected delivery option, when it is still offered for the buyer's country.
    pub fn selected_option(&self) -> Option<&DeliveryOption> {
        let handle = self.cart.delivery_option.as_deref()?;
        self.destination
            .as_ref()?
            .options
            .iter()
            .find(|o| o.handle == handle)
    }

    /// The delivery options with what each would cost this cart as priced: free past its
    /// threshold or under a FREE_SHIPPING promotion.
    pub fn delivery_costs(&self, priced: &PricedCart) -> Vec<(DeliveryOption, Money)> {
        let currency = self.currency_or(Currency::UNKNOWN);
        let discounted = priced.cost.subtotal.minor - priced.cost.promotion_discount.minor;
        let options = self.destination.as_ref().map_or(&[][..], |d| &d.options);
        options
            .iter()
            .map(|option| {
                let free = priced.free_shipping
                    || option
                        .free_over
                        .is_some_and(|f| discounted >= i128::from(f));
                let cost = if free { 0 } else { option.price };
                (option.clone(), Money::new(cost, currency))
            })
            .collect()
    }

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
                        was,
                        now
                    ),
                    target: Some(line.item.id.clone()),
                }
            })
            .collect()
    }

    fn currency_or(&self, fallback: Currency) -> Currency {
        Currency::parse(&self.cart.currency).unwrap_or(fallback)
    }

    /// The cart priced: lines, promotions, tax, shipping and totals.
    pub fn price(&self, settings: &CartSettings) -> PricedCart {
        let currency = self.currency_or(settings.currency);
        let lines: Vec<PricingLine> = self.lines.iter().map(|l| l.pricing(currency)).collect();
        let offers = self
            .offers
            .as_ref()
            .map_or(&[][..], |o| o.offers.as_slice());
        let fallback = || TaxRule::fallback(settings.tax_rate);
        let tax = self
            .destination
            .as_ref()
            .and_then(|d| d.tax.clone())
            .unwrap_or_else(fallback);
        let shipping = self.selected_option().map(DeliveryOption::charge);
        pricing::price_cart(currency, &tax, &lines, offers, shipping)
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
