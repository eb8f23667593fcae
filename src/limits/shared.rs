//! The buckets in Redis: one Lua script call per check ([`gcra::SCRIPT`]), atomic on the
//! server, on the server's clock. A call that fails or takes longer than [`TIMEOUT`] marks
//! Redis unreachable: for the next [`RETRY_AFTER`] every check goes to the process's own
//! buckets without trying, so an outage costs no latency, then one call tries again.

use std::{
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use redis::{
    Script,
    aio::{ConnectionManager, ConnectionManagerConfig},
};

use super::gcra::{self, Mode, Quota};

/// The longest a check waits for Redis.
const TIMEOUT: Duration = Duration::from_millis(250);
/// How long an unreachable Redis is not tried again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct Shared {
    inner: Arc<Inner>,
}

struct Inner {
    connection: ConnectionManager,
    script: Script,
    prefix: String,
    reachable: AtomicBool,
    failed_at: Mutex<Option<Instant>>,
}

impl Shared {
    /// A lazily connected client: an instance starts while Redis is down, and limits on its
    /// own until Redis answers.
    pub fn connect(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(RETRY_AFTER);
        let connection = ConnectionManager::new_lazy_with_config(client, config)?;
        metrics::gauge!("cartql_limits_shared").set(1.0);
        Ok(Self {
            inner: Arc::new(Inner {
                connection,
                script: Script::new(gcra::SCRIPT),
                prefix: prefix.to_owned(),
                reachable: AtomicBool::new(true),
                failed_at: Mutex::new(None),
            }),
        })
    }

    /// The wait in microseconds (0: it passes) from Redis, or `None` when Redis cannot
    /// answer now (the caller uses its own buckets).
    pub async fn step(&self, key: &str, quota: Quota, cost: u32, mode: Mode) -> Option<i64> {
        if self.resting() {
            return None;
        }
        let mut connection = self.inner.connection.clone();
        let mut call = self
            .inner
            .script
            .key(format!("{}:{key}", self.inner.prefix));
        call.arg(quota.interval_us())
            .arg(quota.burst)
            .arg(cost)
            .arg(mode.as_str());
        let answer = tokio::time::timeout(TIMEOUT, call.invoke_async::<i64>(&mut connection)).await;
        match answer {
            Ok(Ok(wait)) => {
                self.mark(true, None);
                Some(wait)
            }
            Ok(Err(err)) => {
                self.mark(false, Some(&err.to_string()));
                None
            }
            Err(_) => {
                self.mark(false, Some("no answer in time"));
                None
            }
        }
    }

    /// Asks Redis whether it is there (for `/readyz`), updating what [`reachable`] says.
    pub async fn ping(&self) -> bool {
        if self.resting() {
            return false;
        }
        let mut connection = self.inner.connection.clone();
        let pong = tokio::time::timeout(
            TIMEOUT,
            redis::cmd("PING").query_async::<String>(&mut connection),
        )
        .await;
        let up = matches!(pong, Ok(Ok(_)));
        self.mark(up, (!up).then_some("PING failed"));
        up
    }

    /// Whether the last call reached Redis.
    pub fn reachable(&self) -> bool {
        self.inner.reachable.load(Ordering::Relaxed)
    }

    /// Recently failed: not worth trying yet.
    fn resting(&self) -> bool {
        let failed_at = self
            .inner
            .failed_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        failed_at.is_some_and(|at| at.elapsed() < RETRY_AFTER)
    }

    fn mark(&self, up: bool, error: Option<&str>) {
        *self
            .inner
            .failed_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = (!up).then(Instant::now);
        let was = self.inner.reachable.swap(up, Ordering::Relaxed);
        if was != up {
            metrics::gauge!("cartql_limits_shared").set(if up { 1.0 } else { 0.0 });
            match error {
                Some(error) => tracing::warn!(
                    %error,
                    "Redis is unreachable: rate limits are per instance until it answers"
                ),
                None => tracing::info!("Redis answers again: rate limits are shared"),
            }
        }
        if !up {
            metrics::counter!("cartql_limits_fallbacks_total").increment(1);
        }
    }
}
