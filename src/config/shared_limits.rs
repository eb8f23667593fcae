//! Where the shared rate limits live (`CARTQL_REDIS_URL`).

use super::{Secret, env::Env};
use crate::settings;

/// Redis for the rate limits and miss counters of every instance.
#[derive(Clone, Debug)]
pub struct RedisConfig {
    /// May hold a password.
    pub url: Secret,
    pub prefix: String,
}

pub(super) fn read<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Option<RedisConfig> {
    // Read whether or not there is a URL: every setting has one place it is read.
    let prefix = env.value(&settings::REDIS_PREFIX);
    env.get(&settings::REDIS_URL).map(|url| RedisConfig {
        url: Secret::new(url),
        prefix,
    })
}
