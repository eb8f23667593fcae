//! Failed discount-code attempts per caller. A caller who entered too many unknown codes
//! recently is refused every attempt — known codes included, so the answers reveal nothing —
//! until the window has passed. (A token bucket cannot be inspected without taking from it,
//! and only failures may count here, so this is a small sliding window of its own.)

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// How long a failed attempt counts against its caller.
pub const ATTEMPT_WINDOW: Duration = Duration::from_secs(600);

/// Unknown codes per caller within [`ATTEMPT_WINDOW`], shared by the request handlers.
#[derive(Clone)]
pub struct CodeAttempts {
    limit: usize,
    failures: Arc<Mutex<HashMap<String, VecDeque<Instant>>>>,
}

impl CodeAttempts {
    pub fn new(limit: u32) -> Self {
        Self {
            limit: limit.max(1) as usize,
            failures: Arc::default(),
        }
    }

    /// `Err(seconds to wait)` while `caller` is over the limit.
    pub fn check(&self, caller: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let Some(times) = failures.get_mut(caller) else {
            return Ok(());
        };
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= ATTEMPT_WINDOW)
        {
            times.pop_front();
        }
        match (times.len() >= self.limit, times.front()) {
            (true, Some(oldest)) => {
                let wait = ATTEMPT_WINDOW.saturating_sub(now.duration_since(*oldest));
                Err(wait.as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed attempt of `caller`.
    pub fn failed(&self, caller: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let times = failures.entry(caller.to_owned()).or_default();
        times.push_back(Instant::now());
        // Never more than the limit is needed to decide.
        while times.len() > self.limit {
            times.pop_front();
        }
    }

    /// Drops idle callers every minute, on the current runtime (none in plain unit tests).
    pub fn forget_idle_every_minute(&self) {
        let attempts = self.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(60));
                loop {
                    tick.tick().await;
                    attempts.forget_idle();
                }
            });
        }
    }

    /// Drops callers whose failures have all left the window.
    pub fn forget_idle(&self) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.retain(|_, times| {
            times
                .back()
                .is_some_and(|t| now.duration_since(*t) < ATTEMPT_WINDOW)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_over_the_limit_is_refused_and_others_are_not() {
        let attempts = CodeAttempts::new(2);
        attempts.failed("a");
        assert_eq!(attempts.check("a"), Ok(()));
        attempts.failed("a");
        assert!(attempts.check("a").is_err_and(|wait| wait > 0));
        assert_eq!(attempts.check("b"), Ok(()));
        attempts.forget_idle();
        assert!(attempts.check("a").is_err());
    }
}
