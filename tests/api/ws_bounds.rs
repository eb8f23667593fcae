//! R24 over WebSocket: connections held per client address and per principal are capped, an
//! initialised connection without a subscription is closed after the idle timeout, and one
//! change to a cart is read once per instance however many subscribers follow it.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::{
    connect_async,
    tungstenite::{self, Message, client::IntoClientRequest, http::HeaderValue},
};

use crate::helpers::{TestApp, Who};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a graphql-transport-ws connection, or the HTTP status that refused the upgrade.
async fn open(address: &str) -> Result<Socket, u16> {
    let mut request = format!("ws://{address}/graphql/ws")
        .into_client_request()
        .expect("a request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    match connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(err) => panic!("the upgrade failed otherwise: {err}"),
    }
}

async fn send(socket: &mut Socket, message: Value) {
    let _ = socket.send(Message::Text(message.to_string().into())).await;
}

/// The next text message as JSON, or the close code, within `wait`.
async fn next(socket: &mut Socket, wait: Duration) -> Result<Value, u16> {
    loop {
        let Ok(frame) = tokio::time::timeout(wait, socket.next()).await else {
            return Err(0);
        };
        match frame {
            Some(Ok(Message::Text(text))) => return Ok(serde_json::from_str(&text).expect("JSON")),
            Some(Ok(Message::Close(frame))) => {
                return Err(frame.map_or(1005, |f| u16::from(f.code)));
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return Err(1006),
        }
    }
}

/// Opens a connection and sends `connection_init` as `user`; the first answer.
async fn init_as(app: &TestApp, address: &str, user: &str) -> (Socket, Result<Value, u16>) {
    let mut socket = open(address).await.expect("the upgrade");
    let bearer = format!("Bearer {}", app.token(user, false));
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "Authorization": bearer } }),
    )
    .await;
    let answer = next(&mut socket, Duration::from_secs(5)).await;
    (socket, answer)
}

async fn acknowledged(app: &TestApp, address: &str, user: &str) -> Socket {
    let (socket, answer) = init_as(app, address, user).await;
    assert_eq!(answer.expect("an ack")["type"], "connection_ack");
    socket
}

fn subscribe(id: &str, query: &str) -> Value {
    json!({ "type": "subscribe", "id": id, "payload": { "query": query } })
}

const SUBSCRIBE: &str =
    "subscription { cartUpdated { version totalQuantity cost { total { amount } } } }";

#[tokio::test]
async fn one_address_holds_at_most_its_cap_of_connections() {
    let app = TestApp::spawn_with(&[("CARTQL_WS_MAX_PER_ADDRESS", "2")]).await;
    let address = app.serve().await;
    let first = open(&address).await.expect("the first");
    let _second = open(&address).await.expect("the second");
    assert_eq!(
        open(&address).await.err(),
        Some(429),
        "the third is refused"
    );
    drop(first);
    // The closed connection's place is free again once the server sees it close.
    let mut reopened = None;
    for _ in 0..50 {
        if let Ok(socket) = open(&address).await {
            reopened = Some(socket);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reopened.is_some(), "a place frees when a connection closes");
}

#[tokio::test]
async fn one_principal_holds_at_most_its_cap_of_connections() {
    let app = TestApp::spawn_with(&[("CARTQL_WS_MAX_PER_PRINCIPAL", "2")]).await;
    let address = app.serve().await;
    let first = acknowledged(&app, &address, "ws-crowd").await;
    let _second = acknowledged(&app, &address, "ws-crowd").await;
    let (_, third) = init_as(&app, &address, "ws-crowd").await;
    assert_eq!(
        third,
        Err(4429),
        "the third of one principal is closed at init"
    );
    // Another principal from the same address is not affected.
    let _other = acknowledged(&app, &address, "ws-someone-else").await;
    drop(first);
    let mut again = None;
    for _ in 0..50 {
        if let (socket, Ok(ack)) = init_as(&app, &address, "ws-crowd").await {
            assert_eq!(ack["type"], "connection_ack");
            again = Some(socket);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(again.is_some(), "a place frees when a connection closes");
}

#[tokio::test]
async fn a_connection_without_a_subscription_is_closed_after_the_idle_timeout() {
    let app = TestApp::spawn_with(&[("CARTQL_WS_IDLE_TIMEOUT", "1s")]).await;
    let address = app.serve().await;
    let mut idle = acknowledged(&app, &address, "ws-idle").await;
    assert_eq!(next(&mut idle, Duration::from_secs(5)).await, Err(1000));

    // A connection with a subscription stays; once it stops, the timeout runs again.
    let mut busy = acknowledged(&app, &address, "ws-busy").await;
    send(&mut busy, subscribe("s", SUBSCRIBE)).await;
    assert_eq!(
        next(&mut busy, Duration::from_secs(5))
            .await
            .expect("the cart")["type"],
        "next"
    );
    assert_eq!(
        next(&mut busy, Duration::from_millis(2_500)).await,
        Err(0),
        "nothing, and no close, while subscribed"
    );
    send(&mut busy, json!({ "type": "complete", "id": "s" })).await;
    let closed = loop {
        match next(&mut busy, Duration::from_secs(5)).await {
            // The server's own `complete` for the stopped subscription.
            Ok(message) if message["type"] == "complete" => continue,
            other => break other,
        }
    };
    assert_eq!(closed, Err(1000));
}

/// Statements spent while `subscribers` subscriptions of one user's cart see one change.
async fn statements_for_a_change(
    app: &TestApp,
    address: &str,
    user: &str,
    subscribers: usize,
) -> usize {
    let mut sockets = Vec::new();
    for connection in 0..subscribers.div_ceil(10) {
        let mut socket = acknowledged(app, address, user).await;
        let here = (subscribers - connection * 10).min(10);
        for n in 0..here {
            send(&mut socket, subscribe(&format!("s{n}"), SUBSCRIBE)).await;
        }
        // Each subscription's first read, before counting.
        for _ in 0..here {
            let first = next(&mut socket, Duration::from_secs(5))
                .await
                .expect("a cart");
            assert_eq!(first["type"], "next", "{first}");
        }
        sockets.push((socket, here));
    }
    let who = Who::User(user.into());
    let before = app.statements();
    app.add(&who, "TEE", 1).await;
    for (socket, here) in &mut sockets {
        for _ in 0..*here {
            let update = next(socket, Duration::from_secs(10))
                .await
                .expect("an update");
            assert_eq!(update["type"], "next", "{update}");
        }
    }
    // Anything still running would show up here.
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.statements() - before
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_change_is_read_once_for_20_subscribers_as_for_1() {
    let app = TestApp::spawn().await;
    let address = app.serve().await;
    // Carts exist before, so each change is the same add to an existing line.
    for user in ["ws-none", "ws-one", "ws-twenty"] {
        app.add(&Who::User(user.into()), "TEE", 1).await;
    }
    let none = statements_for_a_change(&app, &address, "ws-none", 0).await;
    let one = statements_for_a_change(&app, &address, "ws-one", 1).await;
    let twenty = statements_for_a_change(&app, &address, "ws-twenty", 20).await;
    assert!(
        one > none,
        "the subscriber's read is counted: {none} then {one}"
    );
    eprintln!("statements per change: no subscriber {none}, 1: {one}, 20: {twenty}");
    assert_eq!(
        twenty, one,
        "statements per change with 20 subscribers vs 1 (no subscriber: {none})"
    );
}
