//! Buyer identity never reaches logs or traces: with resolver spans on and every level
//! recorded, nothing a subscriber sees (span fields, recorded values, events) holds the
//! buyer's email or postal code, whether the document writes them in or variables carry them.

use std::{
    fmt::Write as _,
    sync::{Arc, Mutex, PoisonError},
};

use serde_json::json;
use tracing::{
    Event, Subscriber,
    field::{Field, Visit},
    span::{Attributes, Id, Record},
};
use tracing_subscriber::{Layer, filter::LevelFilter, layer::Context, prelude::*};

use crate::helpers::{TestApp, Who};

/// Everything a subscriber is given, as text: what an exporter could send on.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<String>>);

impl Captured {
    fn text(&self) -> String {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

struct Writer<'a>(&'a mut String);

impl Visit for Writer<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl<S: Subscriber> Layer<S> for Captured {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        let mut text = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = write!(text, "\nspan {}:", attrs.metadata().name());
        attrs.record(&mut Writer(&mut text));
    }

    fn on_record(&self, _: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut text = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        text.push_str("\nrecord:");
        values.record(&mut Writer(&mut text));
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut text = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = write!(text, "\nevent {}:", event.metadata().target());
        event.record(&mut Writer(&mut text));
    }
}

#[tokio::test]
async fn buyer_identity_never_reaches_resolver_spans() {
    let app = TestApp::spawn_with(&[("CARTQL_RESOLVER_SPANS", "true")]).await;
    let who = Who::User("traced-buyer".into());
    app.add(&who, "TEE", 1).await;

    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(captured.clone())
        .with(LevelFilter::TRACE);
    let _guard = tracing::subscriber::set_default(subscriber);
    let literal = app
        .gql(
            &who,
            r#"mutation SetBuyer { updateBuyerIdentity(input: { email: "secret-buyer@example.com", countryCode: "CA", postalCode: "K1A 0B1" }) {
                 cart { buyerIdentity { email postalCode } } userErrors { code } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        literal["updateBuyerIdentity"]["userErrors"],
        json!([]),
        "{literal}"
    );
    let variables = app
        .gql(
            &who,
            r#"mutation SetBuyer($input: BuyerIdentityInput!) { updateBuyerIdentity(input: $input) {
                 cart { buyerIdentity { email postalCode } } userErrors { code } } }"#,
            json!({ "input": { "email": "other-secret@example.com", "postalCode": "M5V 2T6" } }),
        )
        .await;
    assert_eq!(
        variables["updateBuyerIdentity"]["cart"]["buyerIdentity"]["email"],
        "other-secret@example.com"
    );
    app.gql(
        &who,
        "{ cart { buyerIdentity { email postalCode } } }",
        json!({}),
    )
    .await;
    // A refused email is not written out either.
    app.gql(
        &who,
        r#"mutation { updateBuyerIdentity(input: { email: "not-an-email secret-buyer" }) { userErrors { code } } }"#,
        json!({}),
    )
    .await;

    let text = captured.text();
    assert!(
        text.contains("updateBuyerIdentity"),
        "the spans were recorded: {text}"
    );
    for secret in [
        "secret-buyer",
        "K1A 0B1",
        "other-secret@example.com",
        "M5V 2T6",
    ] {
        assert!(!text.contains(secret), "{secret} reached a trace:\n{text}");
    }
}
