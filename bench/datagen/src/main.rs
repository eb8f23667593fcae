//! `bench-data DATABASE_URL OUT_DIR SECRET`: migrates a fresh database, loads the benchmark
//! workload of `BENCH.md` into cartql's own tables (deterministic: the same seed gives the
//! same catalog and carts), and writes what the load scripts need into OUT_DIR:
//! `users.tokens` and `big.tokens` (one HS256 user token per line) and `hot.products` (the
//! product ids that `q2` adds: active, in stock).

use std::{fmt::Write as _, path::PathBuf};

use anyhow::Context;
use cartql::{
    auth::JwtIssuer,
    db,
    domain::{Attributes, Currency},
    entity::{cart_items, carts, products},
    service::{
        catalog::{MediaSpec, ProductSpec},
        seed,
    },
};
use chrono::Utc;
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

const SEED: u64 = 20_261_129;
const PRODUCTS: usize = 10_000;
const SHOPS: usize = 100;
const USERS: usize = 1_000;
const BIG_USERS: usize = 50;
/// The products `q2` adds, so that no cart outgrows the line limit during a run.
const HOT_PRODUCTS: usize = 100;
const WORDS: [&str; 24] = [
    "soft",
    "cotton",
    "training",
    "match",
    "classic",
    "light",
    "breathable",
    "club",
    "home",
    "away",
    "retro",
    "fit",
    "stretch",
    "warm",
    "rain",
    "team",
    "crest",
    "stitched",
    "mesh",
    "durable",
    "everyday",
    "pro",
    "junior",
    "limited",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, out, secret] = args.as_slice() else {
        anyhow::bail!("usage: bench-data DATABASE_URL OUT_DIR JWT_SECRET");
    };
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out)?;
    let db = db::connect(url, 4).await.context("connect")?;
    db::migrate(&db).await.context("migrate")?;
    let mut rng = StdRng::seed_from_u64(SEED);

    let catalog = catalog(&mut rng);
    seed::import(&db, catalog, Currency::parse("USD").context("USD")?)
        .await
        .map_err(|e| anyhow::anyhow!("load the catalog: {e:?}"))?;
    let ids: Vec<(String, i32, bool)> = products::Entity::find()
        .select_only()
        .column(products::Column::Id)
        .column(products::Column::Stock)
        .column(products::Column::Active)
        .order_by_asc(products::Column::Sku)
        .into_tuple()
        .all(&db)
        .await?;
    let product_ids: Vec<&str> = ids.iter().map(|(id, _, _)| id.as_str()).collect();

    let mut owners: Vec<(String, usize)> = (1..=USERS).map(|n| (format!("user_{n}"), 10)).collect();
    owners.extend((1..=BIG_USERS).map(|n| (format!("big_{n}"), 50)));
    for chunk in owners.chunks(100) {
        let mut cart_rows = Vec::new();
        let mut line_rows = Vec::new();
        for (user, lines) in chunk {
            let cart_id = uuid(&mut rng);
            let now = Utc::now();
            cart_rows.push(carts::ActiveModel {
                id: Set(cart_id.clone()),
                user_id: Set(Some(user.clone())),
                token_hash: Set(None),
                live: Set(Some(true)),
                currency: Set("USD".into()),
                version: Set(*lines as i64),
                created_at: Set(now),
                updated_at: Set(now),
                expires_at: Set(Some(now + chrono::Duration::days(90))),
                deleted_at: Set(None),
                attributes: Set(None),
                note: Set(None),
                closed_reason: Set(None),
                merged_into: Set(None),
                status: Set("OPEN".into()),
                buyer_email: Set(None),
                buyer_country_code: Set(None),
                buyer_province_code: Set(None),
                buyer_postal_code: Set(None),
                delivery_option: Set(None),
            });
            for (i, product) in product_ids.choose_multiple(&mut rng, *lines).enumerate() {
                let team = rng.random_range(1..=40).to_string();
                let attributes = Attributes::parse([("team_id", team.as_str())], 20)
                    .map_err(|e| anyhow::anyhow!("attributes: {e:?}"))?;
                line_rows.push(cart_items::ActiveModel {
                    id: Set(uuid(&mut rng)),
                    cart_id: Set(cart_id.clone()),
                    product_id: Set((*product).to_owned()),
                    quantity: Set(rng.random_range(1..=5)),
                    attributes: Set(attributes.to_json()),
                    attributes_key: Set(attributes.identity_key()),
                    live: Set(Some(true)),
                    // Distinct, increasing times: the lines' display order is stable.
                    created_at: Set(now + chrono::Duration::milliseconds(i as i64)),
                    updated_at: Set(now),
                    deleted_at: Set(None),
                    added_unit_price_minor: Set(None),
                });
            }
        }
        carts::Entity::insert_many(cart_rows)
            .exec_without_returning(&db)
            .await?;
        for lines in line_rows.chunks(500) {
            cart_items::Entity::insert_many(lines.to_vec())
                .exec_without_returning(&db)
                .await?;
        }
    }

    let issuer = JwtIssuer::hs256(secret.as_bytes(), &cartql::Config::from_lookup(|_| None)?);
    let tokens = |prefix: &str, count: usize| -> anyhow::Result<String> {
        let mut text = String::new();
        for n in 1..=count {
            writeln!(
                text,
                "{}",
                issuer.issue(&format!("{prefix}_{n}"), &[], 86_400)?
            )?;
        }
        Ok(text)
    };
    std::fs::write(out.join("users.tokens"), tokens("user", USERS)?)?;
    std::fs::write(out.join("big.tokens"), tokens("big", BIG_USERS)?)?;
    let hot: Vec<&str> = ids
        .iter()
        .filter(|(_, stock, active)| *active && *stock >= 400)
        .map(|(id, _, _)| id.as_str())
        .take(HOT_PRODUCTS)
        .collect();
    std::fs::write(out.join("hot.products"), hot.join("\n") + "\n")?;

    let lines = cart_items::Entity::find()
        .filter(cart_items::Column::Live.eq(true))
        .count(&db)
        .await?;
    println!(
        "loaded {} products, {SHOPS} shops, {} carts, {lines} lines; {} hot products",
        ids.len(),
        owners.len(),
        hot.len()
    );
    Ok(())
}

/// The catalog: SKU-000001…, prices 1.00–499.99, a discount on 30 %, stock 0–499, a shop
/// each, three media each.
fn catalog(rng: &mut StdRng) -> Vec<ProductSpec> {
    (1..=PRODUCTS)
        .map(|n| {
            let sku = format!("SKU-{n:06}");
            let price = rng.random_range(100..=49_999i64);
            let discount = rng
                .random_bool(0.3)
                .then(|| price * rng.random_range(50..95) / 100);
            let words = rng.random_range(15..=40);
            let description: Vec<&str> = (0..words)
                .map(|_| *WORDS.choose(rng).unwrap_or(&"cart"))
                .collect();
            let shop = rng.random_range(1..=SHOPS);
            let image = format!("https://img.example/{sku}/cover.jpg");
            ProductSpec {
                name: format!(
                    "{} {} {n}",
                    WORDS[n % WORDS.len()],
                    WORDS[(n / 7) % WORDS.len()]
                ),
                description: description.join(" "),
                price: decimal(price),
                discount_price: discount.map(decimal),
                currency: Some("USD".into()),
                stock: rng.random_range(0..=499),
                image: Some(image.clone()),
                active: true,
                required_attributes: Vec::new(),
                shop_id: Some(format!("shop-{shop:03}")),
                shop_name: Some(format!("Shop {shop}")),
                media: ["cover", "gallery", "gallery"]
                    .iter()
                    .enumerate()
                    .map(|(i, key)| MediaSpec {
                        key: (*key).into(),
                        url: format!("https://img.example/{sku}/{i}.jpg"),
                    })
                    .collect(),
                quantity_rule: None,
                sku,
            }
        })
        .collect()
}

fn decimal(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

fn uuid(rng: &mut StdRng) -> String {
    let bytes: [u8; 16] = rng.random();
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        u16::from_be_bytes([bytes[4], bytes[5]]),
        u16::from_be_bytes([bytes[6], bytes[7]]) & 0x0fff,
        u16::from_be_bytes([bytes[8], bytes[9]]) & 0x0fff,
        u64::from_be_bytes([
            0, 0, bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ])
    )
}
