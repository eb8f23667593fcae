//! The shipped proxy config, driven (R25): Debian's nginx with `deploy/nginx.conf` (rendered
//! for plain HTTP on loopback), two cartql binaries sharing their limits in Redis, and
//! shoppers at two client addresses (127.0.0.2 and 127.0.0.3 as source addresses). Each
//! address meets its own bucket, one address's bucket is shared by both instances, and a
//! `cartUpdated` subscription works through the proxy. Needs nginx and Redis; `.ci/run` runs
//! it.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpSocket,
};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};

use crate::{
    events_nats::TestStream,
    helpers::{SECRET, TestApp, server::Server},
};

/// `deploy/nginx.conf` as the shipped file says, for plain HTTP on `port` in front of
/// `upstreams`: the TLS lines go, the listen address and the upstream servers change.
fn render(shipped: &str, port: u16, upstreams: &[String]) -> String {
    let mut servers = upstreams.iter();
    shipped
        .lines()
        .filter(|line| !line.trim_start().starts_with("ssl_"))
        .map(|line| match line.trim_start() {
            l if l.starts_with("listen 443") => format!("    listen 127.0.0.1:{port};"),
            l if l.starts_with("server 127.0.0.1:") => match servers.next() {
                Some(address) => format!("    server {address} max_fails=3 fail_timeout=5s;"),
                None => String::new(),
            },
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// nginx with the rendered config in `dir`, in the foreground; killed on drop.
struct Nginx(Child);

impl Nginx {
    fn start(dir: &Path, site: &str) -> Self {
        std::fs::write(dir.join("cartql.conf"), site).expect("write the site");
        let d = dir.display();
        let main = format!(
            "user root root;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  include {d}/cartql.conf;\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), main).expect("write nginx.conf");
        let conf = dir.join("nginx.conf");
        let test = Command::new("nginx")
            .args(["-t", "-p"])
            .arg(dir)
            .arg("-c")
            .arg(&conf)
            .output()
            .expect("nginx is installed");
        assert!(
            test.status.success(),
            "{}",
            String::from_utf8_lossy(&test.stderr)
        );
        let child = Command::new("nginx")
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        Self(child)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// POSTs `body` to `/graphql` at `proxy` from source address `from`, with `headers`; the
/// status and the whole response.
async fn post_via(proxy: &str, from: &str, headers: &str, body: &Value) -> (u16, String) {
    let socket = TcpSocket::new_v4().expect("a socket");
    socket
        .bind(format!("{from}:0").parse().expect("an address"))
        .expect("bind the source address");
    let mut stream = socket
        .connect(proxy.parse().expect("an address"))
        .await
        .expect("connect to nginx");
    let body = body.to_string();
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: cart.example.com\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

/// Requests the instance at `address` answered, from its own metrics.
fn answered(address: &str) -> u64 {
    let (_, metrics) = crate::helpers::server::get(address, "/metrics");
    metrics
        .lines()
        .filter(|l| l.starts_with("cartql_http_responses_total"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nginx, Redis and NATS (CARTQL_TEST_REDIS_URL, CARTQL_TEST_NATS_URL); .ci/run runs it"]
async fn behind_the_shipped_proxy_each_address_has_one_bucket_across_both_instances() {
    let app = TestApp::spawn().await;
    let redis =
        std::env::var("CARTQL_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let prefix = format!("cartql-proxy-{}", uuid::Uuid::new_v4().simple());
    // Live announcements cross instances by NATS (SQLite, MariaDB) or NOTIFY (PostgreSQL).
    let stream = TestStream::new();
    let mut settings = stream.settings();
    settings.extend([
        ("DATABASE_URL", app.database_url.as_str()),
        ("CARTQL_JWT_SECRET", SECRET),
        ("CARTQL_DEMO_CATALOG", "false"),
        ("CARTQL_REDIS_URL", redis.as_str()),
        ("CARTQL_REDIS_PREFIX", prefix.as_str()),
        ("CARTQL_TRUSTED_PROXIES", "127.0.0.1"),
        ("CARTQL_RATE_NEW_CARTS", "4"),
    ]);
    let instances = [Server::start(&settings), Server::start(&settings)];
    let upstreams: Vec<String> = instances.iter().map(|s| s.address.clone()).collect();
    let port = free_port();
    let shipped = include_str!("../../deploy/nginx.conf");
    let _nginx = Nginx::start(&instances[0].dir, &render(shipped, port, &upstreams));
    let proxy = format!("127.0.0.1:{port}");
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(&proxy).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let create = json!({ "query": "mutation { createCart { cart { token } } }" });
    let before: u64 = upstreams.iter().map(|a| answered(a)).sum();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(post_via(&proxy, "127.0.0.2", "", &create).await.0);
    }
    // Per process, two instances would have allowed 8.
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
    let served: Vec<u64> = upstreams.iter().map(|a| answered(a)).collect();
    assert!(
        served.iter().all(|n| *n > 0),
        "both instances served: {served:?}"
    );
    assert_eq!(served.iter().sum::<u64>() - before, 6);
    // Another shopper is not the first one's neighbour at the proxy.
    let (status, body) = post_via(&proxy, "127.0.0.3", "", &create).await;
    assert_eq!(status, 200, "{body}");
    let token = body
        .split("\"token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a guest token")
        .to_owned();

    // A live cart through the proxy: subscribe, change the cart, see the change.
    let mut request = format!("ws://{proxy}/graphql/ws")
        .into_client_request()
        .expect("a WebSocket request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the upgrade passes the proxy");
    let messages = [
        json!({ "type": "connection_init", "payload": { "X-Cart-Token": token } }),
        json!({ "id": "1", "type": "subscribe", "payload": {
            "query": "subscription { cartUpdated { totalQuantity } }" } }),
    ];
    for message in messages {
        socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("send");
    }
    let mut next = async || loop {
        let frame = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .expect("open")
            .expect("a frame");
        if let Message::Text(text) = frame {
            let value: Value = serde_json::from_str(&text).expect("JSON");
            if value["type"] == "next" {
                return value;
            }
        }
    };
    assert_eq!(
        next().await["payload"]["data"]["cartUpdated"]["totalQuantity"],
        0
    );
    let add = json!({ "query": "mutation { addToCart(input: { product: { sku: \"TEE\" }, quantity: 2 }) { cart { totalQuantity } } }" });
    let header = format!("X-Cart-Token: {token}\r\n");
    let (status, body) = post_via(&proxy, "127.0.0.3", &header, &add).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        next().await["payload"]["data"]["cartUpdated"]["totalQuantity"],
        2
    );
    stream.delete().await;
}
