//! Sending requests through the real router (or a bound socket) as each kind of caller.

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::{TestApp, Who};

impl TestApp {
    /// Serves the router on a free loopback port (for WebSocket clients); its address.
    pub async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a port");
        let address = listener.local_addr().expect("an address").to_string();
        let service = self
            .router
            .clone()
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, service).await });
        address
    }

    pub fn token(&self, user: &str, admin: bool) -> String {
        self.token_with_roles(user, if admin { &["admin"] } else { &[] })
    }

    pub fn token_with_roles(&self, user: &str, roles: &[&str]) -> String {
        self.issuer
            .as_ref()
            .expect("an HS256 key")
            .issue(user, roles, 3_600)
            .expect("sign a token")
    }

    /// Sends one GraphQL operation and returns the status and JSON body.
    pub async fn post(&self, who: &Who, query: &str, variables: Value) -> (StatusCode, Value) {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let request = self.request(
            who,
            "POST",
            "/graphql",
            "application/json",
            Body::from(body),
        );
        self.send(request).await
    }

    /// Sends one GraphQL operation as if from client address `from` (an IP address: what the
    /// server reads off the socket), for the per-address limits.
    pub async fn post_from(
        &self,
        from: &str,
        who: &Who,
        query: &str,
        variables: Value,
    ) -> (StatusCode, Value) {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let mut request = self.request(
            who,
            "POST",
            "/graphql",
            "application/json",
            Body::from(body),
        );
        let ip: std::net::IpAddr = from.parse().expect("an IP address");
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
                ip, 40_000,
            )));
        self.send(request).await
    }

    /// Sends a GraphQL operation expecting HTTP 200 and returns `data`, failing on `errors`.
    pub async fn gql(&self, who: &Who, query: &str, variables: Value) -> Value {
        let (status, body) = self.post(who, query, variables).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    pub fn request(
        &self,
        who: &Who,
        method: &str,
        uri: &str,
        content_type: &str,
        body: Body,
    ) -> Request<Body> {
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", content_type);
        match who {
            Who::Anonymous => {}
            Who::Guest(token) => builder = builder.header("x-cart-token", token),
            Who::User(id) => {
                builder =
                    builder.header("authorization", format!("Bearer {}", self.token(id, false)))
            }
            Who::OrderSystem => {
                builder = builder.header(
                    "authorization",
                    format!(
                        "Bearer {}",
                        self.token_with_roles("order-system", &["checkout"])
                    ),
                )
            }
            Who::Admin => {
                builder = builder.header(
                    "authorization",
                    format!("Bearer {}", self.token("admin", true)),
                )
            }
            Who::Headers(headers) => {
                for (name, value) in headers {
                    builder = builder.header(name, value);
                }
            }
        }
        builder.body(body).expect("a valid request")
    }

    /// POSTs `body` (any bytes, as JSON) as an anonymous caller; the status and JSON body.
    pub async fn post_body(&self, body: impl Into<Body>) -> (u16, Value) {
        let request = self.request(
            &Who::Anonymous,
            "POST",
            "/graphql",
            "application/json",
            body.into(),
        );
        let (status, body) = self.send(request).await;
        (status.as_u16(), body)
    }

    /// Sends a request through the real router.
    pub async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let (status, _, bytes) = self.send_raw(request).await;
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, body)
    }

    /// Sends a request through the real router; the status, headers and body as sent.
    pub async fn send_raw(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, axum::body::Bytes) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("read the body").to_bytes();
        (parts.status, parts.headers, bytes)
    }
}
