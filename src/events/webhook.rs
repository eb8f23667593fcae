//! The webhook sink: each event is POSTed alone, as its JSON payload, to `CARTQL_WEBHOOK_URL`,
//! signed so that the receiver can tell it came from cartql and was not replayed later:
//!
//! - `X-Cartql-Event-Id`: the event id (the same on every redelivery: drop ids already seen);
//! - `X-Cartql-Event-Kind`: e.g. `ADDED`;
//! - `X-Cartql-Timestamp`: Unix seconds when this attempt was signed;
//! - `X-Cartql-Signature`: `v1=` and the lowercase hex HMAC-SHA256, keyed with
//!   `CARTQL_WEBHOOK_SECRET`, of `<timestamp>.<body>` (the body's exact bytes).
//!
//! A 2xx answer acknowledges the event; anything else, a timeout or a refused connection is
//! a failed attempt, retried with backoff. Redirects are not followed.

use std::time::Duration;

use chrono::Utc;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{config::WebhookConfig, entity::outbox_events};

pub const EVENT_ID_HEADER: &str = "x-cartql-event-id";
pub const EVENT_KIND_HEADER: &str = "x-cartql-event-kind";
pub const TIMESTAMP_HEADER: &str = "x-cartql-timestamp";
pub const SIGNATURE_HEADER: &str = "x-cartql-signature";

pub struct Webhook {
    client: reqwest::Client,
    url: String,
    secret: Vec<u8>,
}

impl Webhook {
    /// A sender whose every attempt gives up after `timeout`.
    pub fn new(config: &WebhookConfig, timeout: Duration) -> anyhow::Result<Self> {
        // TLS for https receivers; the process has one crypto provider (ring), installed once.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("cartql/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            url: config.url.clone(),
            secret: config.secret.expose().as_bytes().to_vec(),
        })
    }

    pub async fn deliver(&self, event: &outbox_events::Model) -> Result<(), String> {
        let timestamp = Utc::now().timestamp();
        let signature = sign(&self.secret, timestamp, &event.payload);
        let reply = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(EVENT_ID_HEADER, &event.event_id)
            .header(EVENT_KIND_HEADER, &event.kind)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, format!("v1={signature}"))
            .body(event.payload.clone())
            .send()
            .await
            .map_err(|err| format!("webhook: {}", without_url(&err)))?;
        match reply.status() {
            status if status.is_success() => Ok(()),
            status => Err(format!("webhook: the receiver answered {status}")),
        }
    }
}

/// The hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`: the `v1` signature.
pub fn sign(secret: &[u8], timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The error without the URL, which may carry credentials in its query.
fn without_url(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_request() {
        "the request failed"
    } else {
        "no usable answer"
    };
    let mut source = std::error::Error::source(err);
    let mut detail = String::new();
    while let Some(cause) = source {
        detail = cause.to_string();
        source = cause.source();
    }
    match detail.is_empty() {
        true => kind.to_owned(),
        false => format!("{kind} ({detail})"),
    }
}

#[cfg(test)]
mod tests {
    use super::sign;

    #[test]
    fn signature_covers_timestamp_and_body() {
        // Computed independently: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key
        let known = sign(b"key", 1_700_000_000, r#"{"a":1}"#);
        assert_eq!(
            known,
            "a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03"
        );
        assert_ne!(known, sign(b"key", 1_700_000_001, r#"{"a":1}"#));
        assert_ne!(known, sign(b"key", 1_700_000_000, r#"{"a":2}"#));
        assert_ne!(known, sign(b"other", 1_700_000_000, r#"{"a":1}"#));
    }
}
