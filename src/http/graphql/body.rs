//! Reading a POST body: JSON only, one operation.

use async_graphql::Request;
use axum::http::{HeaderMap, header};
use serde_json::Value;

pub(super) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// One operation; batches (JSON arrays) and malformed JSON are refused without echoing the
/// parser's internals.
pub fn parse_request(body: &[u8]) -> Result<Request, &'static str> {
    let value: Value = serde_json::from_slice(body).map_err(|_| "the body is not valid JSON")?;
    const NOT_A_REQUEST: &str =
        "the body must be a GraphQL request: {\"query\": \"…\", \"variables\": {…}}";
    if value.is_array() {
        return Err("batched operations are not supported; send one operation per request");
    }
    // A request without a `query` string is malformed (a typo such as `qeury`), not an empty
    // document, unless it names a persisted query instead.
    let persisted = value.pointer("/extensions/persistedQuery").is_some();
    if !persisted && !value.get("query").is_some_and(Value::is_string) {
        return Err(NOT_A_REQUEST);
    }
    serde_json::from_value(value).map_err(|_| NOT_A_REQUEST)
}
