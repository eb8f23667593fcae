//! Live carts: which carts changed, told to every `cartUpdated` subscriber on every instance.
//!
//! A change is announced by its owner key (`u:<user id>` or `g:<guest token hash>`), after
//! the mutation committed. On PostgreSQL the announcement is a `NOTIFY` on
//! [`CHANNEL`], and every instance `LISTEN`s and fans it out to its subscribers (its own
//! announcements come back the same way), so a change made through any instance reaches
//! subscribers on all of them. On SQLite and MySQL, which have no such channel, announcements
//! stay in the process: run one instance, or accept that subscribers see only changes made
//! through their own instance.

use std::time::Duration;

use sea_orm::{
    DatabaseConnection, DbBackend,
    sqlx::{PgPool, postgres::PgListener},
};
use sha2::{Digest, Sha256};
use tokio::sync::broadcast;

use crate::auth::Viewer;

/// The PostgreSQL notification channel.
pub const CHANNEL: &str = "cartql_cart_changed";
/// Announcements a slow subscriber may fall behind by before it skips to the current cart.
const BUFFER: usize = 1024;

#[derive(Clone)]
pub struct LiveCarts {
    local: broadcast::Sender<String>,
    /// PostgreSQL: announcements go through NOTIFY on this pool.
    notify: Option<PgPool>,
}

impl LiveCarts {
    /// Starts listening (on PostgreSQL) and returns the hub.
    pub fn start(db: &DatabaseConnection) -> Self {
        let (local, _) = broadcast::channel(BUFFER);
        let notify = match db.get_database_backend() {
            DbBackend::Postgres => Some(db.get_postgres_connection_pool().clone()),
            _ => None,
        };
        if let (Some(pool), Ok(runtime)) = (&notify, tokio::runtime::Handle::try_current()) {
            runtime.spawn(listen(pool.clone(), local.clone()));
        }
        Self { local, notify }
    }

    /// A receiver of every announcement from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.local.subscribe()
    }

    /// Announces that the cart of `key` changed. Never waits: on PostgreSQL the NOTIFY is
    /// sent in the background.
    pub fn changed(&self, key: String) {
        match &self.notify {
            Some(pool) => {
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
            None => {
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
