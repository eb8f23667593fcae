//! One dispatcher per sink and instance: it finds carts with events the sink has not
//! acknowledged, claims each cart's delivery (so no other instance delivers them at the same
//! time), sends the events one by one in the cart's order, and records each acknowledgement
//! before sending the next. A crash between sending and recording sends that event again:
//! delivery is at least once, and the event id tells duplicates apart.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use futures::{StreamExt, stream};
use rand::Rng;
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::broadcast;

use super::{
    nats::Nats,
    store::{self, Failure},
    webhook::Webhook,
};
use crate::{config::EventsConfig, domain::ids::new_id, entity::outbox_events};

/// Carts looked at per round.
const CARTS_PER_ROUND: u64 = 64;
/// Events of one cart sent per claim.
const EVENTS_PER_CLAIM: u64 = 100;
/// Carts delivered at once.
const PARALLEL_CARTS: usize = 8;

pub enum Sink {
    Nats(Box<Nats>),
    Webhook(Webhook),
}

impl Sink {
    /// The name in `outbox_cursors.sink`, logs, metrics and `cartql events`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Nats(_) => "nats",
            Self::Webhook(_) => "webhook",
        }
    }

    async fn deliver(&self, event: &outbox_events::Model) -> Result<(), String> {
        match self {
            Self::Nats(nats) => nats.deliver(event).await,
            Self::Webhook(webhook) => webhook.deliver(event).await,
        }
    }
}

/// How failures are retried.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    pub max_attempts: u32,
    pub min: Duration,
    pub max: Duration,
}

impl Retry {
    pub fn from_config(config: &EventsConfig) -> Self {
        Self {
            max_attempts: config.max_attempts,
            min: config.retry_min,
            max: config.retry_max,
        }
    }

    /// The wait after the `attempts`-th failure in a row: doubling from `min`, at most `max`,
    /// less up to a tenth at random so that instances do not retry in step.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let doubled = self
            .min
            .saturating_mul(1u32 << attempts.saturating_sub(1).min(20));
        let wait = doubled.min(self.max);
        wait.mul_f64(1.0 - rand::rng().random_range(0.0..0.1))
    }
}

pub struct Dispatcher {
    pub db: DatabaseConnection,
    pub sink: Sink,
    /// Every configured sink's name: an event leaves the outbox once all have it.
    pub sinks: Arc<[&'static str]>,
    pub retry: Retry,
    /// How long a round holds a cart; each attempt must end well inside it.
    pub lease: Duration,
    pub poll_interval: Duration,
}

impl Dispatcher {
    /// Delivers for the life of the process, waking on this instance's changes (`wake`) and
    /// every `poll_interval` for other instances'.
    pub fn spawn(self, mut wake: broadcast::Receiver<String>) {
        tokio::spawn(async move {
            loop {
                let busy = match self.round().await {
                    Ok(delivered) => delivered > 0,
                    Err(err) => {
                        tracing::warn!(sink = self.sink.name(), error = %err, "event delivery round failed");
                        false
                    }
                };
                if busy {
                    continue;
                }
                tokio::select! {
                    _ = tokio::time::sleep(self.poll_interval) => {}
                    // A lagged receiver still means "something changed".
                    _ = wake.recv() => {}
                }
                // One round serves every change announced meanwhile: under load, a round per
                // change would spend more statements looking than delivering.
                while let Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) = wake.try_recv() {
                }
            }
        });
    }

    /// One pass over the due carts; returns how many events went out.
    pub async fn round(&self) -> Result<u64, DbErr> {
        let carts =
            store::due_carts(&self.db, self.sink.name(), Utc::now(), CARTS_PER_ROUND).await?;
        let token = new_id();
        let delivered: Vec<Result<u64, DbErr>> = stream::iter(carts)
            .map(|cart| self.deliver_cart(cart, &token))
            .buffer_unordered(PARALLEL_CARTS)
            .collect()
            .await;
        delivered.into_iter().sum()
    }

    /// Claims `cart`, sends what the sink lacks in order, and lets it go.
    async fn deliver_cart(&self, cart: String, token: &str) -> Result<u64, DbErr> {
        let (db, sink) = (&self.db, self.sink.name());
        let now = Utc::now();
        let until = now + self.lease;
        if !store::claim(db, sink, &cart, token, now, until).await? {
            return Ok(0);
        }
        let events = store::pending(db, sink, &cart, EVENTS_PER_CLAIM).await?;
        let mut delivered = 0;
        let mut failed = false;
        for event in &events {
            // Stop while the lease surely outlasts the attempt (bounded by a third of it).
            if Utc::now() + self.lease / 2 > until {
                break;
            }
            match self.sink.deliver(event).await {
                Ok(()) => {
                    metrics::counter!("cartql_events_delivered_total", "sink" => sink).increment(1);
                    if !store::acknowledge(db, sink, &cart, token, event.seq).await? {
                        tracing::warn!(sink, cart_id = %cart, "lost the claim on a cart's events; another instance carries on");
                        return Ok(delivered);
                    }
                    delivered += 1;
                }
                Err(error) => {
                    self.failed(&cart, token, event, &error).await?;
                    failed = true;
                    break;
                }
            }
        }
        if !failed {
            store::release(db, sink, &cart, token).await?;
        }
        if delivered > 0 {
            store::forget_delivered(db, &self.sinks, &cart).await?;
        }
        Ok(delivered)
    }

    /// Counts the failure, schedules the retry, and parks the cart after too many.
    async fn failed(
        &self,
        cart: &str,
        token: &str,
        event: &outbox_events::Model,
        error: &str,
    ) -> Result<(), DbErr> {
        let (db, sink) = (&self.db, self.sink.name());
        let attempts = u32::try_from(store::attempts(db, sink, cart).await?).unwrap_or(0) + 1;
        let park = attempts >= self.retry.max_attempts;
        let now = Utc::now();
        let retry_at: DateTime<Utc> = now + self.retry.backoff(attempts);
        metrics::counter!("cartql_events_failed_total", "sink" => sink).increment(1);
        if park {
            metrics::counter!("cartql_events_parked_total", "sink" => sink).increment(1);
            tracing::error!(sink, cart_id = %cart, event_id = %event.event_id, attempts, error, "parked a cart's events after too many failed deliveries; run `cartql events redrive` once the sink is fixed");
        } else {
            tracing::warn!(sink, cart_id = %cart, event_id = %event.event_id, attempts, error, "event delivery failed; retrying later");
        }
        let failure = Failure {
            error,
            retry_at,
            park,
            now,
        };
        store::fail(db, sink, cart, token, failure).await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::Retry;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let retry = Retry {
            max_attempts: 10,
            min: Duration::from_secs(1),
            max: Duration::from_secs(60),
        };
        for (attempts, full) in [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (40, 60)] {
            let wait = retry.backoff(attempts);
            let full = Duration::from_secs(full);
            assert!(
                wait <= full && wait >= full.mul_f64(0.9),
                "{attempts}: {wait:?}"
            );
        }
    }
}
