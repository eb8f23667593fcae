//! What an executed operation records: its duration, its outcome and its errors' codes.

use std::{collections::HashSet, time::Instant};

use async_graphql::parser::types::OperationType;

/// What names an operation in the metrics: its name (used when the operator listed it) and
/// its root fields, taken before execution consumes the document.
pub(super) struct Naming<'a> {
    pub allowed: &'a HashSet<String>,
    pub name: Option<&'a str>,
    pub root_fields: Vec<String>,
}

impl<'a> Naming<'a> {
    pub fn new(allowed: &'a HashSet<String>, name: Option<&'a str>, root_fields: &[&str]) -> Self {
        Self {
            allowed,
            name,
            root_fields: root_fields.iter().map(|f| (*f).to_owned()).collect(),
        }
    }
}

/// Records an executed operation: its duration, its outcome and its errors' codes.
pub(super) fn record_operation(
    operation_type: Option<OperationType>,
    naming: &Naming<'_>,
    response: &async_graphql::Response,
    rejected: bool,
    started: Instant,
) {
    let label =
        crate::metrics::operation_label(naming.allowed, naming.name, &naming.root_fields, rejected);
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
