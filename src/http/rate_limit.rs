//! Per-caller rate limits, with governor's keyed GCRA limiters: mutations per caller (user id,
//! guest token hash, or client address for anonymous callers) and new guest carts per client
//! address. A refusal carries how long to wait.

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use crate::auth::Viewer;

/// WebSocket connections a client address may open per minute.
pub const CONNECTIONS_PER_MINUTE: u32 = 60;

/// The limiters a process shares between requests.
#[derive(Clone)]
pub struct RateLimits {
    mutations: Arc<DefaultKeyedRateLimiter<String>>,
    new_carts: Arc<DefaultKeyedRateLimiter<String>>,
    connections: Arc<DefaultKeyedRateLimiter<String>>,
}

impl RateLimits {
    /// `mutations` and `new_carts` are allowances per minute.
    pub fn per_minute(mutations: u32, new_carts: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            mutations: Arc::new(RateLimiter::keyed(quota(mutations))),
            new_carts: Arc::new(RateLimiter::keyed(quota(new_carts))),
            connections: Arc::new(RateLimiter::keyed(quota(CONNECTIONS_PER_MINUTE))),
        }
    }

    /// Takes `n` mutations from the caller's allowance, or says why not.
    pub fn mutations(&self, viewer: &Viewer, address: &str, n: usize) -> Result<(), Refusal> {
        check(&self.mutations, caller_key(viewer, address), n)
    }

    /// Takes `n` new guest carts from the address's allowance, or says why not.
    pub fn new_carts(&self, address: &str, n: usize) -> Result<(), Refusal> {
        check(&self.new_carts, address.to_owned(), n)
    }

    /// Takes one WebSocket connection from the address's allowance, or says why not.
    pub fn connection(&self, address: &str) -> Result<(), Refusal> {
        check(&self.connections, address.to_owned(), 1)
    }

    /// Forgets callers whose allowance is full again, so the maps do not grow forever.
    pub fn forget_idle(&self) {
        self.mutations.retain_recent();
        self.new_carts.retain_recent();
        self.connections.retain_recent();
    }
}

/// The caller as a stable key: user id, guest token hash, or client address.
pub fn caller_key(viewer: &Viewer, address: &str) -> String {
    match viewer {
        Viewer::Anonymous => format!("addr:{address}"),
        known => known.principal(),
    }
}

/// Why an allowance refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Spent for now; this much later it will do.
    Wait(Duration),
    /// More than the whole allowance at once: no wait makes it pass.
    TooMany,
}

fn check(limiter: &DefaultKeyedRateLimiter<String>, key: String, n: usize) -> Result<(), Refusal> {
    let Some(n) = u32::try_from(n).ok().and_then(NonZeroU32::new) else {
        return if n == 0 {
            Ok(())
        } else {
            Err(Refusal::TooMany)
        };
    };
    match limiter.check_key_n(&key, n) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(not_until)) => Err(Refusal::Wait(
            not_until.wait_time_from(DefaultClock::default().now()),
        )),
        Err(_) => Err(Refusal::TooMany),
    }
}
