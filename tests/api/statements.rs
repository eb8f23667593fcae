//! A cart view costs the same number of SQL statements whatever its size.

use serde_json::json;

use crate::helpers::{CART_VIEW, TestApp, Who};

#[tokio::test]
async fn a_cart_view_costs_the_same_statements_for_1_10_and_50_lines() {
    let app = TestApp::spawn().await;
    let mut counts = Vec::new();
    for (user, lines) in [("one", 1u32), ("ten", 10), ("fifty", 50)] {
        let who = Who::User(user.into());
        for n in 1..=lines {
            app.add(&who, &format!("BULK-{n:03}"), 1).await;
        }
        let before = app.statements();
        let data = app.gql(&who, CART_VIEW, json!({})).await;
        counts.push(app.statements() - before);
        assert_eq!(data["cart"]["itemCount"], lines);
        let edges = data["cart"]["items"]["edges"].as_array().expect("edges");
        assert!(
            edges
                .iter()
                .all(|e| e["node"]["product"]["shop"]["name"] == "Shop A")
        );
    }
    assert_eq!(counts[0], counts[1], "statements per view: {counts:?}");
    assert_eq!(counts[1], counts[2], "statements per view: {counts:?}");
    // Cart, lines joined with products, then one batch each for shops and media.
    assert!(counts[0] <= 4, "statements per view: {counts:?}");
}
