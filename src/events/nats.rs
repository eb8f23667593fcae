//! The NATS sink: each event is published to JetStream on `<prefix>.<kind>` (e.g.
//! `cartql.cart.ADDED`) with its JSON payload and a `Nats-Msg-Id` header carrying the event id,
//! so JetStream itself drops a redelivery that falls inside the stream's duplicate window
//! (2 minutes by default); consumers drop later ones by id. An event counts as delivered once
//! JetStream acknowledged it (it is stored in the stream).
//!
//! The stream (`CARTQL_NATS_STREAM`, over `<prefix>.>`) is created on first use when missing.
//! The connection retries in the background, so cartql starts and serves while NATS is down;
//! deliveries fail (and back off) until it is back.

use std::time::Duration;

use async_nats::{
    Client, ConnectOptions, HeaderMap,
    connection::State,
    header::NATS_MESSAGE_ID,
    jetstream::{self, stream},
};
use tokio::sync::OnceCell;

use crate::{config::NatsConfig, entity::outbox_events};

pub struct Nats {
    client: Client,
    jetstream: jetstream::Context,
    subject_prefix: String,
    stream: String,
    /// Set once the stream is known to exist.
    stream_ready: OnceCell<()>,
}

/// Connects (in the background while the server is unreachable).
pub async fn connect(config: &NatsConfig) -> anyhow::Result<Client> {
    let client = ConnectOptions::new()
        .name("cartql")
        .retry_on_initial_connect()
        .connect(config.url.as_str())
        .await?;
    Ok(client)
}

impl Nats {
    /// A publisher whose every attempt gives up after `timeout`.
    pub fn new(client: Client, config: &NatsConfig, timeout: Duration) -> Self {
        let mut jetstream = jetstream::new(client.clone());
        jetstream.set_timeout(timeout);
        Self {
            client,
            jetstream,
            subject_prefix: config.subject_prefix.clone(),
            stream: config.stream.clone(),
            stream_ready: OnceCell::new(),
        }
    }

    pub async fn deliver(&self, event: &outbox_events::Model) -> Result<(), String> {
        // Fail fast while disconnected rather than queue in the client and wait out the
        // timeout: the cart backs off, and nothing piles up to be flushed on reconnect.
        if self.client.connection_state() != State::Connected {
            return Err("nats: not connected to the server".to_owned());
        }
        self.stream_ready
            .get_or_try_init(|| async {
                let config = stream::Config {
                    name: self.stream.clone(),
                    subjects: vec![format!("{}.>", self.subject_prefix)],
                    ..Default::default()
                };
                self.jetstream
                    .get_or_create_stream(config)
                    .await
                    .map(|_| ())
                    .map_err(|err| format!("nats: cannot create stream {}: {err}", self.stream))
            })
            .await?;
        let mut headers = HeaderMap::new();
        headers.insert(NATS_MESSAGE_ID, event.event_id.as_str());
        let subject = format!("{}.{}", self.subject_prefix, event.kind);
        let ack = self
            .jetstream
            .publish_with_headers(subject, headers, event.payload.clone().into())
            .await
            .map_err(|err| format!("nats: {err}"))?;
        ack.await.map_err(|err| format!("nats: {err}"))?;
        Ok(())
    }
}
