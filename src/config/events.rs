//! The settings of events out: the sinks (NATS JetStream, a webhook) and the retry policy.

use std::time::Duration;

use anyhow::bail;

use super::{Secret, env::Env};
use crate::settings;

/// Where events go and how failed deliveries are retried.
#[derive(Clone, Debug)]
pub struct EventsConfig {
    pub nats: Option<NatsConfig>,
    pub webhook: Option<WebhookConfig>,
    /// Failures in a row before a cart's events park for a sink.
    pub max_attempts: u32,
    /// The first wait after a failure; it doubles up to `retry_max`.
    pub retry_min: Duration,
    pub retry_max: Duration,
    /// How long a round holds a cart's deliveries to a sink.
    pub lease: Duration,
    /// How often an idle dispatcher looks for other instances' events.
    pub poll_interval: Duration,
}

#[derive(Clone, Debug)]
pub struct NatsConfig {
    pub url: String,
    /// Subjects are `<prefix>.<kind>`.
    pub subject_prefix: String,
    pub stream: String,
}

#[derive(Clone, Debug)]
pub struct WebhookConfig {
    pub url: String,
    pub secret: Secret,
}

impl EventsConfig {
    /// True when any sink is configured: changes then queue their events.
    pub fn any_sink(&self) -> bool {
        self.nats.is_some() || self.webhook.is_some()
    }
}

pub(super) fn read<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> anyhow::Result<EventsConfig> {
    // Every setting is read, set or not, so that each has one place it is taken from.
    let (nats_url, subject_prefix, stream) = (
        env.get(&settings::NATS_URL),
        env.value(&settings::NATS_SUBJECT_PREFIX),
        env.value(&settings::NATS_STREAM),
    );
    let (webhook_url, webhook_secret) = (
        env.get(&settings::WEBHOOK_URL),
        env.get(&settings::WEBHOOK_SECRET),
    );
    if !is_subject(&subject_prefix) {
        bail!(
            "{} must be dot-separated tokens without spaces or wildcards, got {subject_prefix:?}",
            settings::NATS_SUBJECT_PREFIX.name
        );
    }
    if stream.is_empty()
        || !stream
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        bail!(
            "{} must be letters, digits, _ or -, got {stream:?}",
            settings::NATS_STREAM.name
        );
    }
    let nats = nats_url.map(|url| NatsConfig {
        url,
        subject_prefix,
        stream,
    });
    let webhook = match webhook_url {
        None => None,
        Some(url) => {
            if !(url.starts_with("http://") || url.starts_with("https://"))
                || reqwest::Url::parse(&url).is_err()
            {
                bail!(
                    "{} must be an http:// or https:// URL, got {url:?}",
                    settings::WEBHOOK_URL.name
                );
            }
            let Some(secret) = webhook_secret.filter(|s| s.len() >= 32) else {
                bail!(
                    "{} needs {} of at least 32 characters to sign with",
                    settings::WEBHOOK_URL.name,
                    settings::WEBHOOK_SECRET.name
                );
            };
            Some(WebhookConfig {
                url,
                secret: Secret::new(secret),
            })
        }
    };
    let retry_min = env.duration(&settings::EVENTS_RETRY_MIN)?;
    Ok(EventsConfig {
        nats,
        webhook,
        max_attempts: env.number(&settings::EVENTS_MAX_ATTEMPTS)?.max(1),
        retry_min,
        retry_max: env.duration(&settings::EVENTS_RETRY_MAX)?.max(retry_min),
        lease: env
            .duration(&settings::EVENTS_LEASE)?
            .max(Duration::from_secs(3)),
        poll_interval: env.duration(&settings::EVENTS_POLL_INTERVAL)?,
    })
}

/// A NATS subject to publish under: non-empty tokens of visible characters, no wildcards.
fn is_subject(raw: &str) -> bool {
    raw.split('.').all(|token| {
        !token.is_empty()
            && token
                .chars()
                .all(|c| c.is_ascii_graphic() && c != '*' && c != '>')
    })
}

#[cfg(test)]
mod tests {
    use super::is_subject;

    #[test]
    fn subjects_are_plain_tokens() {
        assert!(is_subject("cartql.cart"));
        assert!(is_subject("shop-1.cart_events"));
        for bad in ["", "cartql..cart", "cartql.*", "cartql.>", "a b", ".cart"] {
            assert!(!is_subject(bad), "{bad:?}");
        }
    }
}
