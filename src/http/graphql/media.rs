//! Which media type a reply is labelled with: `application/graphql-response+json` when the
//! client accepts it (GraphQL over HTTP's own type, under which a request that fails before
//! execution is a 400), `application/json` otherwise (what older clients expect, with 200).

use axum::{
    http::{HeaderMap, HeaderValue, header},
    response::Response,
};

/// `application/json`, as every reply is built.
pub const JSON: &str = "application/json; charset=utf-8";
const GRAPHQL_RESPONSE: &str = "application/graphql-response+json; charset=utf-8";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    /// `GraphqlResponse` when `Accept` lists `application/graphql-response+json` with a
    /// non-zero weight; `Json` otherwise (no `Accept`, `*/*`, `application/json`, anything).
    pub fn negotiate(headers: &HeaderMap) -> Self {
        let accepts = headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .any(|range| {
                let mut parts = range.split(';').map(str::trim);
                let kind = parts.next().unwrap_or_default();
                let refused = parts.any(|p| {
                    p.strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                kind.eq_ignore_ascii_case("application/graphql-response+json") && !refused
            });
        match accepts {
            true => Self::GraphqlResponse,
            false => Self::Json,
        }
    }

    /// Relabels a JSON reply with this media type.
    pub fn label(self, mut response: Response) -> Response {
        let is_json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if self == Self::GraphqlResponse && is_json {
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(GRAPHQL_RESPONSE),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Media {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_str(value).expect("a header value"),
        );
        Media::negotiate(&headers)
    }

    #[test]
    fn graphql_response_json_only_when_accepted() {
        assert_eq!(Media::negotiate(&HeaderMap::new()), Media::Json);
        assert_eq!(accept("*/*"), Media::Json);
        assert_eq!(accept("application/json"), Media::Json);
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            Media::GraphqlResponse
        );
        assert_eq!(
            accept("application/json, application/graphql-response+json;q=0"),
            Media::Json
        );
    }
}
