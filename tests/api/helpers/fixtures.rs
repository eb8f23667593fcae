//! The fixture catalog every test starts from, and the operations most tests send.

use cartql::service::catalog::{MediaSpec, ProductSpec};

/// `addToCart` returning everything the tests look at.
pub const ADD: &str = r#"
mutation($input: AddToCartInput!) {
  addToCart(input: $input) {
    cart { id token itemCount totalQuantity version
           cost { subtotal { amount } discount { amount } estimatedTax { amount } total { amount } } }
    item { id quantity sku attributes { key value } }
    userErrors { code field message }
    warnings { code message target }
  }
}"#;

/// The cart view a storefront renders.
pub const CART_VIEW: &str = r#"
query {
  cart {
    id token itemCount totalQuantity isEmpty
    cost { subtotal { amount formatted } discount { amount } estimatedTax { amount } total { amount } }
    items {
      edges { cursor node {
        id quantity sku productId
        attributes { key value }
        unitPrice { amount } compareAtUnitPrice { amount } subtotal { amount }
        availableQuantity inStock
        product { id sku name price { amount } effectivePrice { amount } stock image shop { id name } media { key url } }
      } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"#;

fn product(sku: &str, price: &str, stock: i64) -> ProductSpec {
    ProductSpec {
        sku: sku.to_owned(),
        name: format!("Product {sku}"),
        description: format!("The {sku} product."),
        price: price.to_owned(),
        stock,
        active: true,
        shop_id: Some("shop-a".into()),
        shop_name: Some("Shop A".into()),
        image: Some(format!("/img/{sku}.png")),
        media: vec![MediaSpec {
            key: "cover".into(),
            url: format!("/img/{sku}.png"),
        }],
        ..Default::default()
    }
}

/// Price of the bulk product `BULK-nnn` in minor units, for totals tests.
pub fn bulk_price_minor(n: u32) -> i64 {
    i64::from(101 + (n * 7_919) % 49_900)
}

/// The fixture catalog: a few products with distinct traits and 60 bulk products.
pub fn fixture_catalog() -> Vec<ProductSpec> {
    let mut products = vec![
        product("TEE", "20.00", 100),
        ProductSpec {
            discount_price: Some("7.49".into()),
            ..product("MUG", "9.99", 50)
        },
        product("LIMITED", "15.00", 5),
        product("SOLDOUT", "5.00", 0),
        ProductSpec {
            active: false,
            ..product("RETIRED", "5.00", 10)
        },
        ProductSpec {
            required_attributes: vec!["team_id".into()],
            ..product("KIT", "110.00", 1_000)
        },
        ProductSpec {
            currency: Some("EUR".into()),
            ..product("EURO", "10.00", 10)
        },
        ProductSpec {
            shop_id: Some("shop-b".into()),
            shop_name: Some("Shop B".into()),
            ..product("CAP", "12.34", 1_000)
        },
    ];
    for n in 1..=60 {
        let minor = bulk_price_minor(n);
        products.push(product(
            &format!("BULK-{n:03}"),
            &format!("{}.{:02}", minor / 100, minor % 100),
            1_000,
        ));
    }
    products
}
