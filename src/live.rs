//! Live carts: which carts changed, told to every `cartUpdated` subscriber on every instance.
//!
//! A change is announced by its owner key (`u:<user id>` or `g:<guest token hash>`), after
//! the mutation committed. On PostgreSQL the announcement is a `NOTIFY` on
//! [`CHANNEL`], and every instance `LISTEN`s and fans it out to its subscribers (its own
//! announcements come back the same way), so a change made through any instance reaches
//! subscribers on all of them. On SQLite and MySQL, which have no such channel, announcements
//! ride NATS when `CARTQL_NATS_URL` is set (core NATS on `<subject prefix>-live`, outside the
//! event stream), the same way; without NATS they stay in the process: run one instance, or
//! accept that subscribers see only changes made through their own instance. On each
//! instance, one change is read once for all the subscribers of its cart (`feeds`).

use std::time::Duration;

use sea_orm::{
    DatabaseConnection, DbBackend,
    sqlx::{PgPool, postgres::PgListener},
};
use sha2::{Digest, Sha256};
use tokio::sync::broadcast;

use crate::{auth::Viewer, service::cart::Include};

mod feeds;

pub use feeds::{Feeds, Follower, Shared};

/// The PostgreSQL notification channel.
pub const CHANNEL: &str = "cartql_cart_changed";
/// Announcements a slow subscriber may fall behind by before it skips to the current cart.
const BUFFER: usize = 1024;

#[derive(Clone)]
pub struct LiveCarts {
    local: broadcast::Sender<String>,
    relay: Relay,
    feeds: Feeds,
}

/// How announcements reach the other instances.
#[derive(Clone)]
enum Relay {
    /// They do not: this instance only.
    Local,
    /// NOTIFY on this pool.
    Postgres(PgPool),
    /// Core NATS publish on this subject.
    Nats(async_nats::Client, String),
}

impl LiveCarts {
    /// Starts listening (PostgreSQL, or NATS when given `(client, subject)`) and returns the
    /// hub.
    pub fn start(db: &DatabaseConnection, nats: Option<(async_nats::Client, String)>) -> Self {
        let (local, _) = broadcast::channel(BUFFER);
        let relay = match (db.get_database_backend(), nats) {
            (DbBackend::Postgres, _) => Relay::Postgres(db.get_postgres_connection_pool().clone()),
            (_, Some((client, subject))) => Relay::Nats(client, subject),
            _ => Relay::Local,
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            match &relay {
                Relay::Postgres(pool) => {
                    runtime.spawn(listen(pool.clone(), local.clone()));
                }
                Relay::Nats(client, subject) => {
                    runtime.spawn(listen_nats(client.clone(), subject.clone(), local.clone()));
                }
                Relay::Local => {}
            }
        }
        Self {
            local,
            relay,
            feeds: Feeds::default(),
        }
    }

    /// A receiver of every announcement from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.local.subscribe()
    }

    /// The views of `key`'s cart after each change from now on, read once on this instance
    /// for all its followers (`viewer` is its owner).
    pub fn follow(
        &self,
        key: &str,
        db: &DatabaseConnection,
        viewer: &Viewer,
        include: Include,
    ) -> Follower {
        self.feeds.follow(key, db, viewer, include, &self.local)
    }

    /// Followers of `key`'s cart on this instance.
    pub fn followers(&self, key: &str) -> usize {
        self.feeds.followers(key)
    }

    /// Announces that the cart of `key` changed. Never waits: on PostgreSQL the NOTIFY is
    /// sent in the background.
    pub fn changed(&self, key: String) {
        match &self.relay {
            Relay::Postgres(pool) => {
                let pool = pool.clone();
                tokio::spawn(async move {
                    let sent = sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
                        .bind(CHANNEL)
                        .bind(&key)
                        .execute(&pool)
                        .await;
                    if let Err(err) = sent {
                        tracing::warn!(error = %err, "could not announce a cart change");
                    }
                });
            }
            Relay::Nats(client, subject) => {
                let (client, subject) = (client.clone(), subject.clone());
                tokio::spawn(async move {
                    if let Err(err) = client.publish(subject, key.into()).await {
                        tracing::warn!(error = %err, "could not announce a cart change");
                    }
                });
            }
            Relay::Local => {
                // No subscriber is not an error.
                let _ = self.local.send(key);
            }
        }
    }
}

/// Forwards the channel's notifications to this instance's subscribers, reconnecting after a
/// lost connection (announcements made while it is down are missed).
async fn listen(pool: PgPool, local: broadcast::Sender<String>) {
    loop {
        if let Err(err) = forward(&pool, &local).await {
            tracing::warn!(error = %err, "cart change listener lost its connection; reconnecting");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn forward(
    pool: &PgPool,
    local: &broadcast::Sender<String>,
) -> Result<(), sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    loop {
        let notification = listener.recv().await?;
        // No subscriber on this instance is not an error.
        let _ = local.send(notification.payload().to_owned());
    }
}

/// Forwards the announcements on `subject` to this instance's subscribers. The client
/// resubscribes by itself after a reconnect; announcements made meanwhile are missed.
async fn listen_nats(
    client: async_nats::Client,
    subject: String,
    local: broadcast::Sender<String>,
) {
    loop {
        match client.subscribe(subject.clone()).await {
            Ok(mut messages) => {
                while let Some(message) = futures::StreamExt::next(&mut messages).await {
                    if let Ok(key) = String::from_utf8(message.payload.to_vec()) {
                        let _ = local.send(key);
                    }
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for cart changes on NATS; retrying");
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The owner key of the caller's cart: the caller's principal (`Viewer::principal`), or, for
/// an anonymous caller a mutation just gave a cart, the principal of the token it was issued.
pub fn owner_key(viewer: &Viewer, issued_token: Option<&str>) -> Option<String> {
    match (viewer, issued_token) {
        (Viewer::Anonymous, Some(token)) => Some(guest_key(token)),
        (Viewer::Anonymous, None) => None,
        (known, _) => Some(known.principal()),
    }
}

/// The owner key of a guest token given as text: the principal of a guest holding it.
pub fn guest_key(token: &str) -> String {
    format!("guest:{}", hex::encode(Sha256::digest(token.as_bytes())))
}
