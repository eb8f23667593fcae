//! Failed code attempts (unknown, switched-off or unreleased discount codes) per guesser: a
//! guesser (a caller, or a client address) that missed too often recently is refused every
//! attempt, known codes included, so the answers reveal nothing, until its bucket refills.
//! Misses are a GCRA bucket in [`Limits`] (per process, or in Redis shared by every
//! instance): only failures take from it, so an attempt first looks without taking.

use std::time::Duration;

use crate::limits::{Limits, Mode, Quota, Refusal};

/// The window the miss allowance is given for.
pub const ATTEMPT_WINDOW: Duration = Duration::from_secs(600);

const BUCKET: &str = "code-misses";

/// Misses per guesser within [`ATTEMPT_WINDOW`], shared by the request handlers.
#[derive(Clone)]
pub struct CodeAttempts {
    quota: Quota,
    buckets: Limits,
}

impl CodeAttempts {
    pub fn new(buckets: Limits, limit: u32) -> Self {
        Self {
            quota: Quota {
                burst: limit.max(1),
                period: ATTEMPT_WINDOW,
            },
            buckets,
        }
    }

    /// `Err(seconds to wait)` while `guesser` is over its misses.
    pub async fn check(&self, guesser: &str) -> Result<(), u64> {
        match self
            .buckets
            .check(BUCKET, guesser, self.quota, 1, Mode::Peek)
            .await
        {
            Ok(()) => Ok(()),
            Err(Refusal::Wait(wait)) => Err(wait.as_secs().max(1)),
            Err(Refusal::TooMany) => Err(ATTEMPT_WINDOW.as_secs()),
        }
    }

    /// Counts a miss of `guesser`.
    pub async fn failed(&self, guesser: &str) {
        // An add always counts; what it answers does not matter here.
        let _ = self
            .buckets
            .check(BUCKET, guesser, self.quota, 1, Mode::Add)
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_guesser_over_the_limit_is_refused_and_others_are_not() {
        let attempts = CodeAttempts::new(Limits::local(), 2);
        attempts.failed("a").await;
        assert_eq!(attempts.check("a").await, Ok(()));
        attempts.failed("a").await;
        assert!(attempts.check("a").await.is_err_and(|wait| wait > 0));
        assert_eq!(attempts.check("b").await, Ok(()));
    }
}
