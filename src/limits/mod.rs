//! Rate limits and miss counters as GCRA buckets ([`gcra`]), kept in this process or, with
//! `CARTQL_REDIS_URL`, in Redis, shared by every instance: behind a load balancer a client
//! meets one bucket however many instances serve it. When Redis cannot be reached an
//! instance limits on its own (never unlimited), says so on `/readyz` and in
//! `cartql_limits_shared`, and tries Redis again a second later ([`shared`]).

pub mod gcra;
mod shared;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

pub use gcra::{Mode, Quota};
pub use shared::Shared;

/// Why a bucket refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Spent for now; this much later it will do.
    Wait(Duration),
    /// More than the whole burst at once: no wait makes it pass.
    TooMany,
}

/// Where the buckets are kept, as `/readyz` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// In this process: no `CARTQL_REDIS_URL`.
    Local,
    /// In Redis, shared by every instance.
    Shared,
    /// Redis is configured but unreachable: in this process until it answers again.
    Fallback,
}

/// The buckets of every limit, shared by the request handlers.
#[derive(Clone)]
pub struct Limits {
    local: Arc<Mutex<HashMap<String, i64>>>,
    /// The local clock's zero: TATs are microseconds after it.
    epoch: Instant,
    shared: Option<Shared>,
}

impl Limits {
    /// Buckets in this process only.
    pub fn local() -> Self {
        Self {
            local: Arc::default(),
            epoch: Instant::now(),
            shared: None,
        }
    }

    /// Buckets in Redis at `url` (keys under `prefix`), falling back to this process's.
    pub fn shared(url: &str, prefix: &str) -> anyhow::Result<Self> {
        Ok(Self {
            shared: Some(Shared::connect(url, prefix)?),
            ..Self::local()
        })
    }

    /// Applies `mode` with `cost` units to `key`'s bucket of `bucket` (a limit's name).
    pub async fn check(
        &self,
        bucket: &str,
        key: &str,
        quota: Quota,
        cost: u32,
        mode: Mode,
    ) -> Result<(), Refusal> {
        if cost == 0 {
            return Ok(());
        }
        if cost > quota.burst {
            return Err(Refusal::TooMany);
        }
        let key = format!("{bucket}:{key}");
        let wait = match &self.shared {
            Some(shared) => match shared.step(&key, quota, cost, mode).await {
                Some(wait) => wait,
                None => self.local_step(&key, quota, cost, mode),
            },
            None => self.local_step(&key, quota, cost, mode),
        };
        match wait {
            0 => Ok(()),
            micros => Err(Refusal::Wait(Duration::from_micros(
                u64::try_from(micros).unwrap_or(u64::MAX),
            ))),
        }
    }

    fn now(&self) -> i64 {
        i64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(i64::MAX)
    }

    fn local_step(&self, key: &str, quota: Quota, cost: u32, mode: Mode) -> i64 {
        let now = self.now();
        let mut buckets = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        let (wait, store) = gcra::step(buckets.get(key).copied(), now, quota, cost, mode);
        if let Some((tat, _)) = store {
            buckets.insert(key.to_owned(), tat);
        }
        wait
    }

    /// Drops the local buckets that are full again (their TAT has passed), so the map does
    /// not grow forever.
    pub fn forget_idle(&self) {
        let now = self.now();
        let mut buckets = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        buckets.retain(|_, tat| *tat > now);
    }

    /// Where the buckets are kept now (asking Redis whether it is there).
    pub async fn sharing(&self) -> Sharing {
        match &self.shared {
            None => Sharing::Local,
            Some(shared) if shared.ping().await => Sharing::Shared,
            Some(_) => Sharing::Fallback,
        }
    }
}
