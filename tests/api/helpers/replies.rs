//! Reading codes out of replies.

use serde_json::Value;

/// The `userErrors[].code` list of a payload.
pub fn error_codes(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["code"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The `warnings[].code` list of a payload.
pub fn warning_codes(payload: &Value) -> Vec<String> {
    payload["warnings"]
        .as_array()
        .map(|w| {
            w.iter()
                .map(|e| e["code"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// `errors[0].extensions.code` of a response body.
pub fn top_level_code(body: &Value) -> String {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
