//! The demo catalog, promotions and regional rates loaded on a first start, and catalog files
//! (`cartql seed --file`).
//!
//! A catalog file is JSON: `{ "products": [ ProductSpec, ... ] }`, each product in the same
//! shape as `upsertProducts`' input (prices as decimal strings). See docs/operations.md.

use serde::Deserialize;

use crate::{
    domain::Currency,
    error::{AppError, AppResult},
    service::{
        catalog::{self, MediaSpec, ProductSpec, QuantityRuleSpec},
        pricing::{PromotionKind, PromotionScope},
        promotions::{self, PromotionSpec},
        rates::{self, ShippingRateSpec, TaxRateSpec},
    },
};
use sea_orm::DatabaseConnection;

/// A catalog file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogFile {
    pub products: Vec<ProductSpec>,
}

/// Validates and stores `specs`; the first invalid product aborts the import untouched.
pub async fn import(
    db: &DatabaseConnection,
    specs: Vec<ProductSpec>,
    currency: Currency,
) -> AppResult<usize> {
    let mut drafts = Vec::with_capacity(specs.len());
    for (i, spec) in specs.into_iter().enumerate() {
        let sku = spec.sku.clone();
        let draft = spec.validate(currency).map_err(|e| {
            AppError::BadUserInput(format!(
                "product {i} ({sku}): {} ({})",
                e.message,
                e.field.join(".")
            ))
        })?;
        drafts.push(draft);
    }
    let count = drafts.len();
    for chunk in drafts.chunks(200) {
        catalog::upsert_products(db, chunk.to_vec()).await?;
    }
    Ok(count)
}

/// Reads a catalog file's products.
pub fn parse_file(text: &str) -> anyhow::Result<Vec<ProductSpec>> {
    let file: CatalogFile = serde_json::from_str(text)?;
    Ok(file.products)
}

const SHOPS: [(&str, &str); 4] = [
    ("shop-kit", "Kit Room"),
    ("shop-boots", "Boot Hall"),
    ("shop-gear", "Training Gear Co."),
    ("shop-fan", "Fan Store"),
];

const ITEMS: [&str; 13] = [
    "Home Jersey",
    "Away Jersey",
    "Training Top",
    "Shorts",
    "Socks",
    "Goalkeeper Gloves",
    "Boots",
    "Shin Guards",
    "Match Ball",
    "Water Bottle",
    "Scarf",
    "Cap",
    "Backpack",
];

/// The demo catalog: 56 products across four shops, every third one discounted, a few out of
/// stock, one inactive, and a complete kit that needs a `team_id` attribute.
pub fn demo_catalog() -> Vec<ProductSpec> {
    let mut products: Vec<ProductSpec> = (0..55)
        .map(|i: usize| {
            let (shop_id, shop_name) = SHOPS[i % SHOPS.len()];
            let item = ITEMS[i % ITEMS.len()];
            let edition = i / ITEMS.len() + 1;
            let sku = format!("DEMO-{:03}", i + 1);
            let price_minor = 499 + (i as i64 * 733) % 12_000;
            let slug = sku.to_lowercase();
            ProductSpec {
                sku,
                name: format!("{item} (edition {edition})"),
                description: format!("{item} from the {shop_name}, edition {edition}."),
                price: minor_to_decimal(price_minor),
                discount_price: i
                    .is_multiple_of(3)
                    .then(|| minor_to_decimal(price_minor * 4 / 5)),
                currency: Some("USD".into()),
                stock: if i % 11 == 10 {
                    0
                } else {
                    (i as i64 * 37) % 200 + 3
                },
                image: Some(format!("/images/{slug}/cover.png")),
                active: i != 53,
                required_attributes: Vec::new(),
                shop_id: Some(shop_id.into()),
                shop_name: Some(shop_name.into()),
                media: vec![
                    MediaSpec {
                        key: "cover".into(),
                        url: format!("/images/{slug}/cover.png"),
                    },
                    MediaSpec {
                        key: "gallery".into(),
                        url: format!("/images/{slug}/gallery_1.png"),
                    },
                ],
                quantity_rule: None,
            }
        })
        .collect();
    products.push(ProductSpec {
        sku: "CK-SDS001".into(),
        name: "Complete Kit".into(),
        description: "Jersey, shorts and socks in your team's colours. Tell us the team.".into(),
        price: "110.00".into(),
        discount_price: None,
        currency: Some("USD".into()),
        stock: 1000,
        image: Some("/images/shop/complete_kit/cover_img.png".into()),
        active: true,
        required_attributes: vec!["team_id".into()],
        shop_id: Some("shop-kit".into()),
        shop_name: Some("Kit Room".into()),
        media: (0..5)
            .map(|n| MediaSpec {
                key: if n == 0 {
                    "cover".into()
                } else {
                    "gallery".into()
                },
                url: if n == 0 {
                    "/images/shop/complete_kit/cover_img.png".into()
                } else {
                    format!("/images/shop/complete_kit/gallery_{n}.png")
                },
            })
            .collect(),
        // One order kits out a squad: at most 30 at a time.
        quantity_rule: Some(QuantityRuleSpec {
            minimum: None,
            maximum: Some(30),
            increment: None,
        }),
    });
    products
}

/// The demo promotions, so GraphiQL shows promotions at once: the code `WELCOME10` (10 % off
/// an order of 30.00 or more), an automatic buy-2-get-1 at the Fan Store, and free shipping
/// over 75.00.
///
/// Each has a key an upsert finds it by, so loading them twice (two instances starting at
/// once) stores them once: the code for `WELCOME10`, a fixed id for the automatic ones, which
/// have no code.
pub fn demo_promotions() -> Vec<PromotionSpec> {
    let spec = |code: Option<&str>, title: &str, kind: PromotionKind| PromotionSpec {
        id: None,
        code: code.map(str::to_owned),
        title: title.to_owned(),
        kind,
        value: None,
        scope: PromotionScope::Order,
        currency: Some("USD".into()),
        product_ids: Vec::new(),
        skus: Vec::new(),
        shop_ids: Vec::new(),
        min_subtotal: None,
        min_quantity: None,
        get_quantity: None,
        starts_at: None,
        ends_at: None,
        usage_limit: None,
        usage_limit_per_customer: None,
        stackable: true,
        active: true,
    };
    vec![
        PromotionSpec {
            value: Some("10".into()),
            min_subtotal: Some("30.00".into()),
            usage_limit_per_customer: Some(1),
            stackable: false,
            ..spec(
                Some("WELCOME10"),
                "Welcome: 10% off",
                PromotionKind::PercentageOff,
            )
        },
        PromotionSpec {
            value: Some("100".into()),
            scope: PromotionScope::Lines,
            shop_ids: vec!["shop-fan".into()],
            min_quantity: Some(2),
            get_quantity: Some(1),
            id: Some(DEMO_BUY_2_GET_1.into()),
            ..spec(
                None,
                "Fan Store: buy 2, get 1 free",
                PromotionKind::BuyXGetY,
            )
        },
        PromotionSpec {
            min_subtotal: Some("75.00".into()),
            id: Some(DEMO_FREE_SHIPPING.into()),
            ..spec(None, "Free shipping over $75", PromotionKind::FreeShipping)
        },
    ]
}

/// The automatic demo promotions' ids.
pub const DEMO_BUY_2_GET_1: &str = "demo-fan-buy-2-get-1";
pub const DEMO_FREE_SHIPPING: &str = "demo-free-shipping-over-75";

/// Validates and stores the demo promotions.
pub async fn import_promotions(
    db: &DatabaseConnection,
    specs: Vec<PromotionSpec>,
    currency: Currency,
) -> AppResult<usize> {
    let drafts = specs
        .into_iter()
        .map(|spec| spec.validate(currency))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AppError::BadUserInput(format!("promotion: {}", e.message)))?;
    Ok(promotions::upsert_promotions(db, drafts).await?.len())
}

/// The demo's tax rates (a few US states, Canada and Ontario, Germany) and delivery options
/// (standard and express to the US and Canada, standard free over 50.00; international
/// everywhere), so that a buyer's country changes the cart at once in GraphiQL.
pub fn demo_rates() -> (Vec<TaxRateSpec>, Vec<ShippingRateSpec>) {
    let tax = |country: &str, province: Option<&str>, title: &str, rate: &str| TaxRateSpec {
        country_code: country.to_owned(),
        province_code: province.map(str::to_owned),
        title: title.to_owned(),
        rate: rate.to_owned(),
    };
    let ship =
        |handle: &str, title: &str, countries: &[&str], price: &str, free_over: Option<&str>| {
            ShippingRateSpec {
                handle: handle.to_owned(),
                title: title.to_owned(),
                country_codes: countries.iter().map(|c| (*c).to_owned()).collect(),
                price: price.to_owned(),
                free_over: free_over.map(str::to_owned),
                currency: Some("USD".into()),
            }
        };
    (
        vec![
            tax("US", Some("CA"), "California sales tax", "0.0725"),
            tax("US", Some("NY"), "New York sales tax", "0.08875"),
            tax("CA", None, "GST", "0.05"),
            tax("CA", Some("ON"), "HST", "0.13"),
            tax("DE", None, "MwSt.", "0.19"),
        ],
        vec![
            ship(
                "standard",
                "Standard (5–7 days)",
                &["US", "CA"],
                "5.99",
                Some("50.00"),
            ),
            ship(
                "express",
                "Express (1–2 days)",
                &["US", "CA"],
                "14.99",
                None,
            ),
            ship(
                "international",
                "International (7–14 days)",
                &[],
                "24.99",
                None,
            ),
        ],
    )
}

/// Stores the tax and shipping rates; returns how many of each.
pub async fn import_rates(
    db: &DatabaseConnection,
    (taxes, shipping): (Vec<TaxRateSpec>, Vec<ShippingRateSpec>),
    currency: Currency,
) -> AppResult<(usize, usize)> {
    let invalid =
        |e: crate::service::UserError| AppError::BadUserInput(format!("rate: {}", e.message));
    let taxes = taxes
        .into_iter()
        .map(TaxRateSpec::validate)
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    let shipping = shipping
        .into_iter()
        .map(|spec| spec.validate(currency))
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    Ok((
        rates::upsert_tax_rates(db, taxes).await?.len(),
        rates::upsert_shipping_rates(db, shipping).await?.len(),
    ))
}

fn minor_to_decimal(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_catalog_is_valid_and_varied() {
        let usd = Currency::parse("USD").expect("USD");
        let products = demo_catalog();
        assert!(products.len() >= 50);
        assert!(products.iter().any(|p| p.discount_price.is_some()));
        assert!(products.iter().any(|p| p.stock == 0));
        assert!(products.iter().any(|p| !p.required_attributes.is_empty()));
        for spec in products {
            let sku = spec.sku.clone();
            assert!(spec.validate(usd).is_ok(), "{sku} is invalid");
        }
        for spec in demo_promotions() {
            let title = spec.title.clone();
            assert!(spec.validate(usd).is_ok(), "{title} is invalid");
        }
    }
}
