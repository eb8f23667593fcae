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
//! Labels must not be something clients can exhaust or multiply: a label per operation name
//! a client makes up would let junk names crowd out the real ones (or grow the series without
//! end). So `operation` is the operation's name only when the operator listed it
//! (`CARTQL_METRICS_OPERATIONS`); otherwise it is the operation's root field (`cart`,
//! `addCartLines`), a set the schema bounds: `multiple` for several distinct root fields,
//! `none` when every root field was skipped, and `invalid` for a document the schema refused.

use std::{collections::HashSet, sync::OnceLock, time::Duration};

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::{DatabaseConnection, DbBackend};

/// Seconds buckets for request durations.
const DURATION_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Keys per dataloader batch.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

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

/// The `operation` label (see the module docs): `name` when `allowed` lists it, else from
/// the distinct `root_fields` of an operation the schema accepted.
pub fn operation_label(
    allowed: &HashSet<String>,
    name: Option<&str>,
    root_fields: &[String],
    rejected: bool,
) -> String {
    if let Some(name) = name.filter(|name| allowed.contains(*name)) {
        return name.to_owned();
    }
    if rejected {
        return "invalid".to_owned();
    }
    let mut fields = root_fields.iter();
    match fields.next() {
        None => "none".to_owned(),
        Some(first) if fields.all(|field| field == first) => first.clone(),
        Some(_) => "multiple".to_owned(),
    }
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
    fn operation_labels_are_bounded_by_the_schema_or_the_operator() {
        let allowed = HashSet::from(["CartView".to_owned()]);
        let fields = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        let label = |name, root: &[&str], rejected| {
            operation_label(&allowed, name, &fields(root), rejected)
        };
        assert_eq!(label(Some("CartView"), &["cart"], false), "CartView");
        assert_eq!(label(Some("CartView"), &["nope"], true), "CartView");
        assert_eq!(label(Some("Junk1"), &["cart"], false), "cart");
        assert_eq!(label(None, &["cart", "cart"], false), "cart");
        assert_eq!(label(None, &["cart", "products"], false), "multiple");
        assert_eq!(label(None, &[], false), "none");
        assert_eq!(label(Some("Junk2"), &["nope"], true), "invalid");
    }
}
