//! Events out to the machine's real NATS JetStream (`CARTQL_TEST_NATS_URL`, by default
//! nats://127.0.0.1:4222; `.ci/run` starts it): every committed event in the stream on
//! `<prefix>.<kind>` with its id as `Nats-Msg-Id`, nothing lost to a SIGKILL mid-delivery, and
//! live cart updates carried between instances. Each test has its own subject prefix and
//! stream, and deletes the stream after.

use std::time::Duration;

use async_nats::jetstream;
use serde_json::{Value, json};

use crate::helpers::{
    ADD, SECRET, TestApp, Who,
    events::{
        Delivered, Receiver, WEBHOOK_SECRET, check_deliveries, delivered_from, drained, history,
    },
    server::{Server, post},
};

/// The NATS server tests publish to.
pub fn nats_url() -> String {
    std::env::var("CARTQL_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// A subject prefix and stream of this test's own.
pub struct TestStream {
    pub url: String,
    pub prefix: String,
    pub name: String,
}

impl TestStream {
    pub fn new() -> Self {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        Self {
            url: nats_url(),
            prefix: format!("test{unique}.cart"),
            name: format!("TEST_{unique}"),
        }
    }

    pub fn settings(&self) -> Vec<(&str, &str)> {
        vec![
            ("CARTQL_NATS_URL", self.url.as_str()),
            ("CARTQL_NATS_SUBJECT_PREFIX", self.prefix.as_str()),
            ("CARTQL_NATS_STREAM", self.name.as_str()),
            ("CARTQL_EVENTS_POLL_INTERVAL", "100ms"),
            ("CARTQL_EVENTS_RETRY_MIN", "100ms"),
            ("CARTQL_EVENTS_RETRY_MAX", "1s"),
        ]
    }

    /// Every message in the stream, in stream order, checked for subject and id header.
    pub async fn messages(&self) -> Vec<Delivered> {
        let client = async_nats::connect(self.url.as_str())
            .await
            .expect("connect to NATS");
        let context = jetstream::new(client);
        let mut stream = context
            .get_stream(&self.name)
            .await
            .expect("the stream exists");
        let last = stream
            .info()
            .await
            .expect("stream info")
            .state
            .last_sequence;
        let mut out = Vec::new();
        for sequence in 1..=last {
            let message = stream.get_raw_message(sequence).await.expect("a message");
            let payload: Value = serde_json::from_slice(&message.payload).expect("JSON");
            let delivered = delivered_from(&payload).expect("an event");
            assert_eq!(
                message.subject.as_str(),
                format!("{}.{}", self.prefix, delivered.kind)
            );
            let id = message
                .headers
                .get("Nats-Msg-Id")
                .map(|v| v.as_str().to_owned());
            assert_eq!(id.as_deref(), Some(delivered.id.as_str()));
            out.push(delivered);
        }
        out
    }

    pub async fn delete(&self) {
        let client = async_nats::connect(self.url.as_str())
            .await
            .expect("connect to NATS");
        let _ = jetstream::new(client).delete_stream(&self.name).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs NATS with JetStream at CARTQL_TEST_NATS_URL; .ci/run runs it"]
async fn nats_stream_gets_every_event_with_its_id() {
    let stream = TestStream::new();
    let app = TestApp::spawn_with(&stream.settings()).await;
    let guest = app.new_guest().await;
    for (who, sku) in [
        (Who::User("nats-a".into()), "TEE"),
        (Who::User("nats-a".into()), "MUG"),
        (Who::User("nats-b".into()), "CAP"),
        (guest, "BULK-002"),
    ] {
        assert_eq!(app.add(&who, sku, 1).await["userErrors"], json!([]));
    }
    app.gql(
        &Who::User("nats-a".into()),
        "mutation { clearCart { userErrors { code } } }",
        json!({}),
    )
    .await;
    drained(&app, Duration::from_secs(30)).await;
    let messages = stream.messages().await;
    assert_eq!(check_deliveries(&history(&app).await, &messages), 0);
    let kinds: Vec<&str> = messages.iter().map(|m| m.kind.as_str()).collect();
    assert!(
        kinds.contains(&"CLEARED") && kinds.contains(&"CREATED"),
        "{kinds:?}"
    );
    stream.delete().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs NATS with JetStream at CARTQL_TEST_NATS_URL; .ci/run runs it"]
async fn nats_and_webhook_lose_nothing_to_a_sigkill_mid_delivery() {
    let app = TestApp::spawn().await;
    let (stream, receiver) = (TestStream::new(), Receiver::start().await);
    receiver.set_delay(Duration::from_millis(30));
    let mut settings = stream.settings();
    settings.extend([
        ("DATABASE_URL", app.database_url.as_str()),
        ("CARTQL_JWT_SECRET", SECRET),
        ("CARTQL_DEMO_CATALOG", "false"),
        ("CARTQL_RATE_MUTATIONS", "100000"),
        ("CARTQL_WEBHOOK_URL", receiver.url.as_str()),
        ("CARTQL_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("CARTQL_EVENTS_LEASE", "3s"),
    ]);
    let mut first = Server::start(&settings);
    let address = first.address.clone();
    let authorization = format!("Bearer {}", app.token("nats-kill", false));
    tokio::task::spawn_blocking(move || {
        for n in 1..=40 {
            let sku = format!("BULK-{:03}", 1 + n % 60);
            let body =
                json!({ "query": ADD, "variables": { "input": { "product": { "sku": sku } } } });
            let (status, _) = post(&address, &[("Authorization", &authorization)], &body);
            assert_eq!(status, 200);
        }
    })
    .await
    .expect("the adds ran");
    while receiver.delivered().len() < 10 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.kill();
    assert!(app.scalar("SELECT COUNT(*) FROM outbox_events").await > 0);
    let _second = Server::start(&settings);
    drained(&app, Duration::from_secs(60)).await;
    let history = history(&app).await;
    check_deliveries(&history, &receiver.delivered());
    // JetStream also drops a redelivery inside its duplicate window by Nats-Msg-Id.
    assert_eq!(check_deliveries(&history, &stream.messages().await), 0);
    stream.delete().await;
}

/// A NATS server of this test's own (`nats-server` on the PATH or in /usr/sbin), to take down
/// and bring back; its JetStream store survives the restart.
struct OwnNats {
    child: Option<std::process::Child>,
    port: u16,
    store: std::path::PathBuf,
}

impl OwnNats {
    fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let store =
            std::env::temp_dir().join(format!("cartql-nats-{}", uuid::Uuid::new_v4().simple()));
        let mut server = Self {
            child: None,
            port,
            store,
        };
        server.up();
        server
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn up(&mut self) {
        let binary = ["/usr/sbin/nats-server", "nats-server"]
            .into_iter()
            .find(|b| {
                std::process::Command::new(b)
                    .arg("--version")
                    .output()
                    .is_ok()
            })
            .expect("nats-server is installed");
        let child = std::process::Command::new(binary)
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(&self.store)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start nats-server");
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("nats-server did not come up");
    }

    fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnNats {
    fn drop(&mut self) {
        self.down();
        let _ = std::fs::remove_dir_all(&self.store);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server installed; .ci/run runs it"]
async fn nats_down_for_a_while_then_back_misses_nothing() {
    // How long NATS stays down; `R21_OUTAGE_SECS=60` for the full minute of RELIABILITY.md.
    let outage: u64 = std::env::var("R21_OUTAGE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let mut nats = OwnNats::start();
    let stream = TestStream {
        url: nats.url(),
        ..TestStream::new()
    };
    // Retries every second at most, and never park within the outage (the defaults, 1 s
    // doubling to 5 min over 10 attempts, park only after about 8 minutes of failures).
    let mut settings = stream.settings();
    settings.push(("CARTQL_EVENTS_MAX_ATTEMPTS", "1000"));
    let app = TestApp::spawn_with(&settings).await;
    let who = Who::User("through-an-outage".into());
    app.add(&who, "TEE", 1).await;
    drained(&app, Duration::from_secs(30)).await;

    nats.down();
    // Shoppers are not held up by the outage: every change still commits, events wait.
    for sku in ["MUG", "CAP", "BULK-003"] {
        assert_eq!(app.add(&who, sku, 1).await["userErrors"], json!([]));
    }
    tokio::time::sleep(Duration::from_secs(outage)).await;
    assert!(app.scalar("SELECT COUNT(*) FROM outbox_events").await >= 3);
    assert!(
        app.scalar("SELECT COUNT(*) FROM outbox_cursors WHERE attempts > 0")
            .await
            > 0,
        "deliveries were tried and failed meanwhile"
    );

    nats.up();
    drained(&app, Duration::from_secs(60)).await;
    assert_eq!(
        check_deliveries(&history(&app).await, &stream.messages().await),
        0
    );
}
