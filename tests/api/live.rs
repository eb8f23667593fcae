//! `cartUpdated` over a real WebSocket (graphql-ws protocol) against the real binary: a
//! subscriber sees its cart after every change. On PostgreSQL the change is made through a
//! second process, so it crosses instances through LISTEN/NOTIFY; on SQLite and MySQL, whose
//! announcements stay in the process, through the same one — unless NATS carries them, which
//! a test shows on every database.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::{
    connect_async,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

use crate::{
    events_nats::TestStream,
    helpers::{
        ADD, SECRET, TestApp,
        server::{Server, post},
    },
};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The upgrade request for `address`'s WebSocket endpoint, speaking graphql-ws.
fn ws_request(address: &str) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut request = format!("ws://{address}/graphql/ws")
        .into_client_request()
        .expect("a WebSocket request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    request
}

/// A graphql-ws connection to `address`, initialised with `payload`.
async fn connect(address: &str, payload: Value) -> Socket {
    let (mut socket, _) = connect_async(ws_request(address))
        .await
        .expect("the WebSocket opens");
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": payload }),
    )
    .await;
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("send");
}

/// The next protocol message (pings answered), within 10 s.
async fn receive(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .expect("the socket is open")
            .expect("a frame");
        let Message::Text(text) = message else {
            continue;
        };
        let value: Value = serde_json::from_str(&text).expect("JSON");
        if value["type"] == "ping" {
            send(socket, json!({ "type": "pong" })).await;
            continue;
        }
        return value;
    }
}

const SUBSCRIBE: &str =
    "subscription { cartUpdated { version totalQuantity items { nodes { sku quantity } } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_sees_every_change_made_through_any_instance() {
    let app = TestApp::spawn().await;
    let settings = [
        ("DATABASE_URL", app.database_url.as_str()),
        ("CARTQL_JWT_SECRET", SECRET),
        ("CARTQL_DEMO_CATALOG", "false"),
    ];
    let listening = Server::start(&settings);
    let cross_instance = app.database_url.starts_with("postgres");
    let other = cross_instance.then(|| Server::start(&settings));
    let writer = other.as_ref().unwrap_or(&listening);
    updates_reach_the_subscriber(&app, &listening.address, &writer.address).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs NATS with JetStream at CARTQL_TEST_NATS_URL; .ci/run runs it"]
async fn nats_carries_cart_updates_between_instances_on_every_database() {
    let app = TestApp::spawn().await;
    let stream = TestStream::new();
    let mut settings = stream.settings();
    settings.extend([
        ("DATABASE_URL", app.database_url.as_str()),
        ("CARTQL_JWT_SECRET", SECRET),
        ("CARTQL_DEMO_CATALOG", "false"),
    ]);
    let (listening, writer) = (Server::start(&settings), Server::start(&settings));
    updates_reach_the_subscriber(&app, &listening.address, &writer.address).await;
    stream.delete().await;
}

/// A user subscribed through `listening` sees each add made through `writer`.
async fn updates_reach_the_subscriber(app: &TestApp, listening: &str, writer: &str) {
    let token = app.token("live-user", false);
    let mut socket = connect(
        listening,
        json!({ "Authorization": format!("Bearer {token}") }),
    )
    .await;
    assert_eq!(receive(&mut socket).await["type"], "connection_ack");
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE } }),
    )
    .await;
    // First the cart as it is: none yet.
    let first = receive(&mut socket).await;
    assert_eq!(first["type"], "next", "{first}");
    assert!(first["payload"]["data"]["cartUpdated"].is_null(), "{first}");

    let authorization = format!("Bearer {token}");
    for (sku, total) in [("TEE", 1), ("MUG", 2)] {
        let writer = writer.to_owned();
        let authorization = authorization.clone();
        let (status, _) = tokio::task::spawn_blocking(move || {
            post(
                &writer,
                &[("Authorization", &authorization)],
                &json!({ "query": ADD, "variables": { "input": { "product": { "sku": sku } } } }),
            )
        })
        .await
        .expect("the add ran");
        assert_eq!(status, 200);
        let update = receive(&mut socket).await;
        assert_eq!(update["type"], "next", "{update}");
        let cart = &update["payload"]["data"]["cartUpdated"];
        assert_eq!(cart["totalQuantity"], total, "{update}");
        assert_eq!(cart["items"]["nodes"][total - 1]["sku"], sku, "{update}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_need_credentials_and_carry_nothing_else() {
    let app = TestApp::spawn().await;
    let server = Server::start(&[
        ("DATABASE_URL", app.database_url.as_str()),
        ("CARTQL_JWT_SECRET", SECRET),
        ("CARTQL_DEMO_CATALOG", "false"),
    ]);
    let mut socket = connect(&server.address, json!({})).await;
    assert_eq!(receive(&mut socket).await["type"], "connection_ack");
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE } }),
    )
    .await;
    let refused = receive(&mut socket).await;
    let code = refused["payload"][0]["extensions"]["code"]
        .as_str()
        .or(refused["payload"]["errors"][0]["extensions"]["code"].as_str());
    assert_eq!(code, Some("UNAUTHENTICATED"), "{refused}");

    // Queries and mutations belong on HTTP.
    send(
        &mut socket,
        json!({ "id": "2", "type": "subscribe", "payload": { "query": "mutation { clearCart { cart { id } } }" } }),
    )
    .await;
    let refused = loop {
        let message = receive(&mut socket).await;
        if message["id"] == "2" {
            break message;
        }
    };
    assert!(
        refused.to_string().contains("only subscriptions"),
        "{refused}"
    );

    // A forged token is refused at connection time.
    let mut forged = connect(&server.address, json!({ "Authorization": "Bearer nope" })).await;
    let closed = tokio::time::timeout(Duration::from_secs(10), forged.next())
        .await
        .expect("an answer within 10 s");
    assert!(
        !matches!(&closed, Some(Ok(Message::Text(text))) if text.contains("connection_ack")),
        "{closed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_subscriber_limit_are_refused_before_the_upgrade() {
    let app = TestApp::spawn().await;
    let server = Server::start(&[
        ("DATABASE_URL", app.database_url.as_str()),
        ("CARTQL_JWT_SECRET", SECRET),
        ("CARTQL_DEMO_CATALOG", "false"),
        ("CARTQL_MAX_SUBSCRIBERS", "1"),
    ]);
    let mut first = connect(&server.address, json!({})).await;
    assert_eq!(receive(&mut first).await["type"], "connection_ack");

    match connect_async(ws_request(&server.address)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503);
        }
        other => panic!("the second connection was not refused: {other:?}"),
    }

    // Closing the first frees its slot.
    first.close(None).await.expect("close");
    drop(first);
    let mut again = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Ok((socket, _)) = connect_async(ws_request(&server.address)).await {
            again = Some(socket);
            break;
        }
    }
    assert!(again.is_some(), "the slot was not freed");
}
