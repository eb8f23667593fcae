//! Where the rate limits and miss counters live when several instances serve one shop.

use super::{
    Fallback::{Unset, Value},
    Setting, setting,
};

pub const REDIS_URL: Setting = setting(
    "CARTQL_REDIS_URL",
    Unset,
    "redis://… : keep every rate limit and miss counter in Redis, shared by all instances; unreachable, each instance limits on its own and says so on /readyz. Unset: per process.",
);

pub const REDIS_PREFIX: Setting = setting(
    "CARTQL_REDIS_PREFIX",
    Value("cartql"),
    "Prefix of cartql's keys in Redis (several deployments can share one Redis).",
);
