//! Per-caller rate limits, with governor's keyed GCRA limiters: mutations per caller (user id,
//! guest token hash, or client address for anonymous callers) and new guest carts per client
//! address. A refusal carries how long to wait.

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

use crate::auth::Viewer;

/// The limiters a process shares between requests.
#[derive(Clone)]
pub struct RateLimits {
    mutations: Arc<DefaultKeyedRateLimiter<String>>,
    new_carts: Arc<DefaultKeyedRateLimiter<String>>,
}

impl RateLimits {
    /// `mutations` and `new_carts` are allowances per minute.
    pub fn per_minute(mutations: u32, new_carts: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            mutations: Arc::new(RateLimiter::keyed(quota(mutations))),
            new_carts: Arc::new(RateLimiter::keyed(quota(new_carts))),
        }
    }

    /// Takes one mutation from the caller's allowance, or says how long to wait.
    pub fn mutation(&self, viewer: &Viewer, address: &str) -> Result<(), Duration> {
        check(&self.mutations, caller_key(viewer, address))
    }

    /// Takes one new guest cart from the address's allowance, or says how long to wait.
    pub fn new_cart(&self, address: &str) -> Result<(), Duration> {
        check(&self.new_carts, address.to_owned())
    }

    /// Forgets callers whose allowance is full again, so the maps do not grow forever.
    pub fn forget_idle(&self) {
        self.mutations.retain_recent();
        self.new_carts.retain_recent();
    }
}

/// The caller as a stable key: user id, guest token hash, or client address.
pub fn caller_key(viewer: &Viewer, address: &str) -> String {
    match viewer {
        Viewer::User(user) => format!("user:{}", user.id),
        Viewer::Guest(token) => format!("guest:{}", token.hash()),
        Viewer::Anonymous => format!("addr:{address}"),
    }
}

fn check(limiter: &DefaultKeyedRateLimiter<String>, key: String) -> Result<(), Duration> {
    limiter
        .check_key(&key)
        .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
}
