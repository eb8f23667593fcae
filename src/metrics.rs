//! Prometheus metrics, recorded through the `metrics` facade and rendered by its Prometheus
//! exporter on `GET /metrics`.
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `cartql_graphql_requests_total` | counter | `operation`, `type`, `outcome` (`ok`, `errors`, `rejected`) |
//! | `cartql_graphql_request_duration_seconds` | histogram | `operation`, `type` |
//! | `cartql_graphql_errors_total` | counter | `code` (each top-level error's `extensions.code`) |
//! | `cartql_user_errors_total` | counter | `code` (each `userErrors` entry of a mutation payload) |
//! | `cartql_http_responses_total` | counter | `status` (every reply of the `/graphql` handlers) |
//! | `cartql_dataloader_batch_size` | histogram | `loader` (`product`, `shop`, `media`) |
//! | `cartql_db_pool_connections` | gauge | `state` (`idle`, `in_use`), read at scrape time |
//!
//! Operation names come from clients, so they are bounded: a name that is not a GraphQL
//! name of at most 64 characters is `invalid`, an absent one `anonymous`, and once
//! [`MAX_OPERATION_NAMES`] distinct names were seen, any new one is `other`.

use std::{
    collections::HashSet,
    sync::{Mutex, OnceLock, PoisonError},
    time::Duration,
};

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::{DatabaseConnection, DbBackend};

/// Distinct operation names given their own label.
pub const MAX_OPERATION_NAMES: usize = 200;

/// Seconds buckets for request durations.
const DURATION_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Keys per dataloader batch.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
static OPERATION_NAMES: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();

/// The process's metrics registry: installed as the global recorder on first use, so every
/// app built in one process (tests build many) shares it.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full("cartql_graphql_request_duration_seconds".into()),
                    DURATION_BUCKETS,
                )
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full("cartql_dataloader_batch_size".into()),
                        BATCH_BUCKETS,
                    )
                })
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("another metrics recorder is installed; /metrics will be empty");
            }
            spawn_upkeep(handle.clone());
            handle
        })
        .clone()
}

/// Histograms keep samples until upkeep folds them in; do it regularly even when nobody
/// scrapes, so memory stays flat.
fn spawn_upkeep(handle: PrometheusHandle) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(5));
            loop {
                tick.tick().await;
                handle.run_upkeep();
            }
        });
    }
}

/// The text exposition of every metric, with the pool gauges read now.
pub fn render(db: &DatabaseConnection) -> String {
    let handle = handle();
    if let Some((size, idle)) = pool_usage(db) {
        metrics::gauge!("cartql_db_pool_connections", "state" => "idle").set(idle as f64);
        metrics::gauge!("cartql_db_pool_connections", "state" => "in_use")
            .set(size.saturating_sub(idle) as f64);
    }
    handle.run_upkeep();
    handle.render()
}

/// Open and idle connections of the pool.
fn pool_usage(db: &DatabaseConnection) -> Option<(usize, usize)> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            Some((pool.size() as usize, pool.num_idle()))
        }
        DbBackend::MySql => {
            let pool = db.get_mysql_connection_pool();
            Some((pool.size() as usize, pool.num_idle()))
        }
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            Some((pool.size() as usize, pool.num_idle()))
        }
        _ => None,
    }
}

/// The label for a client's operation name (see the module docs).
pub fn operation_label(name: Option<&str>) -> String {
    let Some(name) = name else {
        return "anonymous".to_owned();
    };
    let valid = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return "invalid".to_owned();
    }
    let names = OPERATION_NAMES.get_or_init(Default::default);
    let mut names = names.lock().unwrap_or_else(PoisonError::into_inner);
    if names.contains(name) {
        return name.to_owned();
    }
    if names.len() >= MAX_OPERATION_NAMES {
        return "other".to_owned();
    }
    names.insert(name.to_owned());
    name.to_owned()
}

/// Counts the `userErrors` a mutation reported, by code.
pub fn user_errors<'a>(codes: impl IntoIterator<Item = &'a str>) {
    for code in codes {
        metrics::counter!("cartql_user_errors_total", "code" => code.to_owned()).increment(1);
    }
}

/// Records the size of a dataloader batch.
pub fn batch(loader: &'static str, keys: usize) {
    metrics::histogram!("cartql_dataloader_batch_size", "loader" => loader).record(keys as f64);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_bounded() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("CartView")), "CartView");
        assert_eq!(operation_label(Some("bad name")), "invalid");
        assert_eq!(operation_label(Some("9lives")), "invalid");
        assert_eq!(operation_label(Some(&"x".repeat(65))), "invalid");
        for n in 0..MAX_OPERATION_NAMES {
            operation_label(Some(&format!("Op{n}")));
        }
        assert_eq!(operation_label(Some("BrandNewAfterTheCap")), "other");
        assert_eq!(operation_label(Some("CartView")), "CartView");
    }
}
