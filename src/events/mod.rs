//! Events out: every cart change and checkout transition, queued in the outbox by the
//! transaction that made it (`service::cart::outbox`), delivered at least once, in order per
//! cart, to each configured sink — NATS JetStream (`nats`) and a signed webhook (`webhook`) —
//! by one dispatcher per sink on every instance (`dispatch`), coordinated through the
//! database (`store`): a cart's deliveries to a sink are claimed by one instance at a time,
//! failures back off and finally park until `cartql events redrive`.

mod dispatch;
pub mod nats;
pub mod store;
pub mod webhook;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::broadcast;

pub use dispatch::{Dispatcher, Retry, Sink};

use crate::config::EventsConfig;

/// The configured sinks, connected, and the NATS client (which also carries live cart
/// announcements between instances on SQLite and MySQL).
pub struct EventsOut {
    sinks: Vec<Sink>,
    pub nats: Option<async_nats::Client>,
}

impl EventsOut {
    /// Connects the sinks `config` names (none: nothing to deliver).
    pub async fn connect(config: &EventsConfig) -> anyhow::Result<Self> {
        // An attempt ends well inside the lease of the cart it delivers.
        let attempt = config.lease / 3;
        let mut sinks = Vec::new();
        let mut client = None;
        if let Some(nats) = &config.nats {
            let connected = nats::connect(nats).await?;
            sinks.push(Sink::Nats(Box::new(nats::Nats::new(
                connected.clone(),
                nats,
                attempt,
            ))));
            client = Some(connected);
        }
        if let Some(webhook) = &config.webhook {
            sinks.push(Sink::Webhook(webhook::Webhook::new(webhook, attempt)?));
        }
        Ok(Self {
            sinks,
            nats: client,
        })
    }

    /// Starts one dispatcher per sink; `wake` gives each a receiver of this instance's change
    /// announcements, so its own events go out without waiting for the poll.
    pub fn start(
        self,
        db: &DatabaseConnection,
        config: &EventsConfig,
        wake: impl Fn() -> broadcast::Receiver<String>,
    ) {
        let names: Arc<[&'static str]> = self.sinks.iter().map(Sink::name).collect();
        for sink in self.sinks {
            tracing::info!(sink = sink.name(), "delivering cart events");
            Dispatcher {
                db: db.clone(),
                sink,
                sinks: names.clone(),
                retry: Retry::from_config(config),
                lease: config.lease,
                poll_interval: config.poll_interval,
            }
            .spawn(wake());
        }
    }
}
