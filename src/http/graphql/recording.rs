//! What an executed operation records: its duration, its outcome and its errors' codes.

use std::time::Instant;

use async_graphql::parser::types::OperationType;

/// Records an executed operation: its duration, its outcome and its errors' codes.
pub(super) fn record_operation(
    operation_type: Option<OperationType>,
    name: Option<&str>,
    response: &async_graphql::Response,
    rejected: bool,
    started: Instant,
) {
    let label = crate::metrics::operation_label(name);
    let kind = match operation_type {
        Some(OperationType::Mutation) => "mutation",
        Some(OperationType::Subscription) => "subscription",
        _ => "query",
    };
    let outcome = match (rejected, response.errors.is_empty()) {
        (true, _) => "rejected",
        (false, true) => "ok",
        (false, false) => "errors",
    };
    metrics::histogram!("cartql_graphql_request_duration_seconds", "operation" => label.clone(), "type" => kind)
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("cartql_graphql_requests_total", "operation" => label, "type" => kind, "outcome" => outcome)
        .increment(1);
    for error in &response.errors {
        let code = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(|code| match code {
                async_graphql::Value::String(code) => Some(code.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "INTERNAL".to_owned());
        metrics::counter!("cartql_graphql_errors_total", "code" => code).increment(1);
    }
}
