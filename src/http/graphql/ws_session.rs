//! One WebSocket connection, with the limits of the HTTP path and the graphql-transport-ws
//! protocol's close codes.
//!
//! async-graphql runs the protocol (`async_graphql::http::WebSocket`); this loop stands between
//! it and the socket. Each client message is read here first: larger ones than the HTTP body
//! limit never arrive (the upgrade caps them), a connection that does not send
//! `connection_init` within [`INIT_TIMEOUT`] is closed with 4408, a malformed message with
//! 4400, a subscription before `connection_init` with 4401, a second `connection_init` with
//! 4429, a reused subscription id with 4409, and a refused `connection_init` with 4403.
//! Subscriptions per connection are capped ([`MAX_SUBSCRIPTIONS`]) and rate limited
//! ([`SUBSCRIBES_PER_SECOND`]); a refused one gets an `error` message for its id. A
//! `connection_init` refused because its caller holds its connection cap closes with 4429,
//! and an initialised connection without an active subscription for
//! `CARTQL_WS_IDLE_TIMEOUT` closes normally (1000): an idle socket costs the instance a
//! slot and the caller nothing (R24).

use crate::error::codes;
use std::{
    collections::HashSet,
    num::NonZeroU32,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use async_graphql::{
    Data, Executor,
    http::{ClientMessage, WebSocket as Protocol, WebSocketProtocols, WsMessage},
};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::{SinkExt, StreamExt, channel::mpsc, future::BoxFuture};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde_json::{Value, json};

/// How long a new connection may take to send `connection_init`.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(5);
/// Subscriptions one connection may hold at once.
pub const MAX_SUBSCRIPTIONS: usize = 16;
/// Sustained `subscribe` messages per second on one connection (bursts of twice as many).
pub const SUBSCRIBES_PER_SECOND: u32 = 5;

/// How the session ended or must end: a close code and its reason.
struct Close(u16, String);

/// What bounds a session beyond the protocol.
pub struct SessionLimits {
    /// How long an initialised connection may hold no subscription.
    pub idle_timeout: Duration,
    /// Set by the init callback when it refuses a caller holding its connection cap.
    pub crowded: Arc<AtomicBool>,
}

impl SessionLimits {
    pub fn new(idle_timeout: Duration) -> Self {
        Self {
            idle_timeout,
            crowded: Arc::default(),
        }
    }
}

/// Serves one connection until either side closes it.
pub async fn serve<E, F>(
    socket: WebSocket,
    executor: E,
    protocol: WebSocketProtocols,
    on_init: F,
    limits: SessionLimits,
) where
    E: Executor,
    F: FnOnce(Value) -> BoxFuture<'static, async_graphql::Result<Data>> + Send + 'static,
{
    let (mut sink, mut incoming) = socket.split();
    let (to_protocol, from_client) = mpsc::unbounded();
    let mut engine =
        Protocol::from_message_stream(executor, from_client, protocol).on_connection_init(on_init);
    let mut guard = Guard::new();
    let init_deadline = tokio::time::sleep(INIT_TIMEOUT);
    tokio::pin!(init_deadline);
    // Armed whenever the connection is initialised and holds no subscription.
    let idle_deadline = tokio::time::sleep(limits.idle_timeout);
    tokio::pin!(idle_deadline);
    let mut was_idle = false;

    let close = loop {
        let idle = guard.initialised && guard.active.is_empty();
        if idle && !was_idle {
            idle_deadline
                .as_mut()
                .reset(tokio::time::Instant::now() + limits.idle_timeout);
        }
        was_idle = idle;
        tokio::select! {
            () = &mut init_deadline, if !guard.initialised => {
                break Close(4408, "Connection initialisation timeout".to_owned());
            }
            () = &mut idle_deadline, if idle => {
                break Close(1000, "Idle: no active subscription".to_owned());
            }
            message = incoming.next() => {
                let bytes = match message {
                    Some(Ok(Message::Text(text))) => text.as_bytes().to_vec(),
                    Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | None => return,
                    // Too large, or not WebSocket at all.
                    Some(Err(_)) => break Close(1009, "Message too big or malformed".to_owned()),
                };
                match guard.admit(&bytes) {
                    Admit::Forward(message) => {
                        if to_protocol.unbounded_send(Ok(*message)).is_err() {
                            return;
                        }
                    }
                    Admit::Refuse(id, code, text) => {
                        let refusal = error_message(&id, code, &text);
                        if sink.send(Message::Text(refusal.into())).await.is_err() {
                            return;
                        }
                    }
                    Admit::Close(close) => break close,
                }
            }
            reply = engine.next() => {
                match reply {
                    Some(WsMessage::Text(text)) => {
                        guard.observe_reply(&text);
                        if sink.send(Message::Text(text.into())).await.is_err() {
                            return;
                        }
                    }
                    // A refused `connection_init` (the library closes with 1002): too many
                    // connections for the caller, else Forbidden.
                    Some(WsMessage::Close(1002, reason)) if guard.initialised && !guard.acknowledged => {
                        match limits.crowded.load(Ordering::SeqCst) {
                            true => break Close(4429, reason),
                            false => break Close(4403, reason),
                        }
                    }
                    Some(WsMessage::Close(code, reason)) => break Close(code, reason),
                    None => return,
                }
            }
        }
    };
    let Close(code, reason) = close;
    let _ = sink
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await;
}

/// What to do with one client message.
enum Admit {
    Forward(Box<ClientMessage>),
    /// Answer an `error` for this subscription id; the connection stays.
    Refuse(String, &'static str, String),
    Close(Close),
}

/// The connection's protocol state as this loop tracks it.
struct Guard {
    initialised: bool,
    acknowledged: bool,
    active: HashSet<String>,
    subscribes: DefaultDirectRateLimiter,
}

impl Guard {
    fn new() -> Self {
        let per_second = NonZeroU32::new(SUBSCRIBES_PER_SECOND).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(SUBSCRIBES_PER_SECOND * 2).unwrap_or(NonZeroU32::MIN);
        Self {
            initialised: false,
            acknowledged: false,
            active: HashSet::new(),
            subscribes: RateLimiter::direct(Quota::per_second(per_second).allow_burst(burst)),
        }
    }

    fn admit(&mut self, bytes: &[u8]) -> Admit {
        let Ok(message) = ClientMessage::from_bytes(bytes) else {
            return Admit::Close(Close(4400, "Invalid message received".to_owned()));
        };
        match &message {
            ClientMessage::ConnectionInit { .. } if self.initialised => {
                return Admit::Close(Close(4429, "Too many initialisation requests".to_owned()));
            }
            ClientMessage::ConnectionInit { .. } => self.initialised = true,
            ClientMessage::Start { .. } if !self.initialised => {
                return Admit::Close(Close(4401, "Unauthorized".to_owned()));
            }
            ClientMessage::Start { id, .. } if self.active.contains(id) => {
                return Admit::Close(Close(4409, format!("Subscriber for {id} already exists")));
            }
            ClientMessage::Start { id, .. } if self.active.len() >= MAX_SUBSCRIPTIONS => {
                return Admit::Refuse(
                    id.clone(),
                    codes::BAD_USER_INPUT,
                    format!("a connection holds at most {MAX_SUBSCRIPTIONS} subscriptions"),
                );
            }
            ClientMessage::Start { id, .. } if self.subscribes.check().is_err() => {
                return Admit::Refuse(
                    id.clone(),
                    codes::RATE_LIMITED,
                    "too many subscriptions started; retry shortly".to_owned(),
                );
            }
            ClientMessage::Start { id, .. } => {
                self.active.insert(id.clone());
            }
            ClientMessage::Stop { id } => {
                self.active.remove(id);
            }
            _ => {}
        }
        Admit::Forward(Box::new(message))
    }

    /// Keeps the set of live subscriptions in step with what the server ends.
    fn observe_reply(&mut self, text: &str) {
        let Ok(reply) = serde_json::from_str::<Value>(text) else {
            return;
        };
        match reply["type"].as_str() {
            Some("connection_ack") => self.acknowledged = true,
            Some("complete" | "error") => {
                if let Some(id) = reply["id"].as_str() {
                    self.active.remove(id);
                }
            }
            _ => {}
        }
    }
}

/// A graphql-transport-ws `error` message for one subscription.
fn error_message(id: &str, code: &str, message: &str) -> String {
    json!({
        "type": "error",
        "id": id,
        "payload": [{ "message": message, "extensions": { "code": code } }],
    })
    .to_string()
}
