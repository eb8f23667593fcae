//! A GraphQL request in a GET URL: `query` (or a persisted query in `extensions`), and
//! optionally `variables`, `operationName` and `extensions`, the two maps as URL-encoded
//! JSON.

use std::collections::HashMap;

use async_graphql::{Request, Variables};

/// `Ok(None)` when the URL carries no `query` (GET then means GraphiQL).
pub(super) fn parse(raw: &str) -> Result<Option<Request>, &'static str> {
    let params: Vec<(String, String)> =
        serde_urlencoded::from_str(raw).map_err(|_| "the URL's query string is not valid")?;
    let mut params: HashMap<String, String> = params.into_iter().collect();
    // Without `query` (and without a persisted query naming one), GET means GraphiQL.
    let query = match (params.remove("query"), params.contains_key("extensions")) {
        (Some(query), _) => query,
        (None, true) => String::new(),
        (None, false) => return Ok(None),
    };
    let mut request = Request::new(query);
    if let Some(name) = params.remove("operationName").filter(|n| !n.is_empty()) {
        request = request.operation_name(name);
    }
    if let Some(variables) = params.remove("variables").filter(|v| !v.is_empty()) {
        let value: serde_json::Value =
            serde_json::from_str(&variables).map_err(|_| "`variables` must be a JSON object")?;
        if !value.is_object() && !value.is_null() {
            return Err("`variables` must be a JSON object");
        }
        request = request.variables(Variables::from_json(value));
    }
    if let Some(extensions) = params.remove("extensions").filter(|e| !e.is_empty()) {
        request.extensions =
            serde_json::from_str(&extensions).map_err(|_| "`extensions` must be a JSON object")?;
    }
    Ok(Some(request))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_operation_from_the_url() {
        let url = "query=query%20Q(%24n%3AInt)%7Bx%7D&variables=%7B%22n%22%3A1%7D&operationName=Q";
        let request = parse(url).expect("valid").expect("a request");
        assert_eq!(request.query, "query Q($n:Int){x}");
        assert_eq!(request.operation_name.as_deref(), Some("Q"));
        assert_eq!(
            request.variables.into_value().into_json().expect("JSON"),
            serde_json::json!({ "n": 1 })
        );
    }

    #[test]
    fn no_query_means_no_request_and_bad_maps_are_refused() {
        assert!(parse("").expect("valid").is_none());
        assert!(parse("query={x}&variables=[1]").is_err());
        assert!(parse("query={x}&variables=%7B").is_err());
        assert!(parse("query={x}&extensions=3").is_err());
    }
}
