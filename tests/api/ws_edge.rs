//! The WebSocket edge (`/graphql/ws`) under hostile clients: the HTTP path's limits, and the
//! graphql-transport-ws protocol's close codes.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::{
    connect_async,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

use crate::helpers::TestApp;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const SUBSCRIBE: &str = "subscription { cartUpdated { id } }";

async fn open(address: &str) -> Socket {
    let mut request = format!("ws://{address}/graphql/ws")
        .into_client_request()
        .expect("a request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    connect_async(request).await.expect("the socket opens").0
}

async fn send(socket: &mut Socket, message: Value) {
    let _ = socket.send(Message::Text(message.to_string().into())).await;
}

/// The next text message as JSON, or the close code, within `wait`.
async fn next(socket: &mut Socket, wait: Duration) -> Result<Value, u16> {
    loop {
        let frame = tokio::time::timeout(wait, socket.next())
            .await
            .expect("an answer in time");
        match frame {
            Some(Ok(Message::Text(text))) => {
                return Ok(serde_json::from_str(&text).expect("JSON"));
            }
            Some(Ok(Message::Close(frame))) => {
                return Err(frame.map_or(1005, |f| u16::from(f.code)));
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Err(1006),
        }
    }
}

/// A connection initialised as a signed-in user (whose `cartUpdated` stays open).
async fn initialised(app: &TestApp, address: &str) -> Socket {
    let mut socket = open(address).await;
    let bearer = format!("Bearer {}", app.token("ws-user", false));
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "Authorization": bearer } }),
    )
    .await;
    let ack = next(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(ack.expect("an ack")["type"], "connection_ack");
    socket
}

fn subscribe(id: &str, query: &str) -> Value {
    json!({ "type": "subscribe", "id": id, "payload": { "query": query } })
}

#[tokio::test]
async fn protocol_violations_close_with_the_protocols_codes() {
    let app = TestApp::spawn().await;
    let address = app.serve().await;

    let mut socket = open(&address).await;
    send(&mut socket, subscribe("1", SUBSCRIBE)).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await,
        Err(4401),
        "subscribe before init"
    );

    let mut socket = open(&address).await;
    let _ = socket.send(Message::Text("{not json".into())).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await,
        Err(4400),
        "malformed"
    );

    let mut socket = initialised(&app, &address).await;
    send(&mut socket, json!({ "type": "connection_init" })).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await,
        Err(4429),
        "second init"
    );

    let mut socket = initialised(&app, &address).await;
    send(&mut socket, subscribe("dup", SUBSCRIBE)).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5))
            .await
            .expect("the cart")["type"],
        "next"
    );
    send(&mut socket, subscribe("dup", SUBSCRIBE)).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5)).await,
        Err(4409),
        "a reused id"
    );

    // A refused connection_init is Forbidden.
    let mut socket = open(&address).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "Authorization": "Bearer forged" } }),
    )
    .await;
    assert_eq!(next(&mut socket, Duration::from_secs(5)).await, Err(4403));
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_init_timeout() {
    let app = TestApp::spawn().await;
    let address = app.serve().await;
    let mut socket = open(&address).await;
    assert_eq!(next(&mut socket, Duration::from_secs(15)).await, Err(4408));
}

#[tokio::test]
async fn messages_are_bounded_like_http_bodies() {
    let app = TestApp::spawn().await;
    let address = app.serve().await;
    let mut socket = initialised(&app, &address).await;
    let huge = format!(
        "subscription {{ cartUpdated {{ id }} }} #{}",
        "x".repeat(100 * 1024)
    );
    send(&mut socket, subscribe("big", &huge)).await;
    assert_eq!(next(&mut socket, Duration::from_secs(5)).await, Err(1009));
}

#[tokio::test]
async fn deep_documents_are_refused_and_the_connection_lives() {
    let app = TestApp::spawn().await;
    let address = app.serve().await;
    let mut socket = initialised(&app, &address).await;
    let deep = format!(
        "subscription {{ cartUpdated(x: {}1{}) {{ id }} }}",
        "[".repeat(2_000),
        "]".repeat(2_000)
    );
    send(&mut socket, subscribe("deep", &deep)).await;
    let refused = next(&mut socket, Duration::from_secs(5))
        .await
        .expect("a reply");
    assert_eq!(refused["id"], "deep", "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{refused}"
    );
    send(&mut socket, subscribe("ok", SUBSCRIBE)).await;
    let live = loop {
        let message = next(&mut socket, Duration::from_secs(5))
            .await
            .expect("a reply");
        if message["id"] == "ok" {
            break message;
        }
    };
    assert_eq!(live["type"], "next", "{live}");
}

#[tokio::test]
async fn subscriptions_per_connection_are_capped() {
    let app = TestApp::spawn().await;
    let address = app.serve().await;
    let mut socket = initialised(&app, &address).await;
    // Paced under the subscribe rate, so only the cap refuses.
    let mut refused = Vec::new();
    for n in 0..20 {
        send(&mut socket, subscribe(&format!("s{n}"), SUBSCRIBE)).await;
        tokio::time::sleep(Duration::from_millis(220)).await;
    }
    while let Ok(Ok(message)) = tokio::time::timeout(
        Duration::from_millis(500),
        next(&mut socket, Duration::from_secs(1)),
    )
    .await
    {
        if message["type"] == "error" {
            refused.push(message["id"].as_str().unwrap_or_default().to_owned());
        }
    }
    assert_eq!(refused, ["s16", "s17", "s18", "s19"]);
}

#[tokio::test]
async fn a_burst_of_subscribes_is_rate_limited() {
    let app = TestApp::spawn().await;
    let address = app.serve().await;
    let mut socket = initialised(&app, &address).await;
    for n in 0..14 {
        send(&mut socket, subscribe(&format!("b{n}"), SUBSCRIBE)).await;
    }
    let mut limited = 0;
    while let Ok(Ok(message)) = tokio::time::timeout(
        Duration::from_millis(500),
        next(&mut socket, Duration::from_secs(1)),
    )
    .await
    {
        if message["type"] == "error"
            && message["payload"][0]["extensions"]["code"] == "RATE_LIMITED"
        {
            limited += 1;
        }
    }
    assert!(limited >= 4, "{limited} of 14 refused");
}
