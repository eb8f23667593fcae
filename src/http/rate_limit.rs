//! Per-caller rate limits: mutations per caller (user id, guest token hash, or client address
//! for anonymous callers), new guest carts per client address, and WebSocket connections per
//! client address. Each is a GCRA bucket in [`Limits`]: per process, or in Redis shared by
//! every instance. A refusal carries how long to wait.

use crate::{
    auth::Viewer,
    limits::{Limits, Mode, Quota, Refusal},
};

/// WebSocket connections a client address may open per minute.
pub const CONNECTIONS_PER_MINUTE: u32 = 60;

/// The request limits, over the buckets the process shares between requests.
#[derive(Clone)]
pub struct RateLimits {
    buckets: Limits,
    mutations: Quota,
    new_carts: Quota,
    connections: Quota,
}

impl RateLimits {
    /// `mutations` and `new_carts` are allowances per minute.
    pub fn per_minute(buckets: Limits, mutations: u32, new_carts: u32) -> Self {
        Self {
            buckets,
            mutations: Quota::per_minute(mutations),
            new_carts: Quota::per_minute(new_carts),
            connections: Quota::per_minute(CONNECTIONS_PER_MINUTE),
        }
    }

    /// Takes `n` mutations from the caller's allowance, or says why not.
    pub async fn mutations(&self, viewer: &Viewer, address: &str, n: usize) -> Result<(), Refusal> {
        let key = caller_key(viewer, address);
        self.take("mutations", &key, self.mutations, n).await
    }

    /// Takes `n` new guest carts from the address's allowance, or says why not.
    pub async fn new_carts(&self, address: &str, n: usize) -> Result<(), Refusal> {
        self.take("new-carts", address, self.new_carts, n).await
    }

    /// Takes one WebSocket connection from the address's allowance, or says why not.
    pub async fn connection(&self, address: &str) -> Result<(), Refusal> {
        self.take("connections", address, self.connections, 1).await
    }

    async fn take(&self, bucket: &str, key: &str, quota: Quota, n: usize) -> Result<(), Refusal> {
        let cost = u32::try_from(n).map_err(|_| Refusal::TooMany)?;
        self.buckets
            .check(bucket, key, quota, cost, Mode::Take)
            .await
    }

    /// Forgets callers whose allowance is full again, so the maps do not grow forever.
    pub fn forget_idle(&self) {
        self.buckets.forget_idle();
    }
}

/// The caller as a stable key: user id, guest token hash, or client address.
pub fn caller_key(viewer: &Viewer, address: &str) -> String {
    match viewer {
        Viewer::Anonymous => format!("addr:{address}"),
        known => known.principal(),
    }
}
