//! The `cartql` binary itself: dev mode on the default SQLite database serves the demo
//! catalog and prints a token that works over real HTTP.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use serde_json::{Value, json};

/// Settings a developer's environment (or CI) might carry that would change the defaults.
const SCRUBBED: [&str; 6] = [
    "DATABASE_URL",
    "CARTQL_JWT_SECRET",
    "CARTQL_JWT_PUBLIC_KEY_FILE",
    "CARTQL_API_KEYS",
    "CARTQL_BIND",
    "CARTQL_DEMO_CATALOG",
];

/// A scratch directory and the server running in it; both go away on drop.
struct Server {
    child: Child,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn cartql(dir: &PathBuf) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cartql"));
    command.current_dir(dir);
    for name in SCRUBBED {
        command.env_remove(name);
    }
    command
}

/// POSTs a GraphQL request over a plain TCP connection and returns the JSON body.
fn post(address: &str, token: &str, query: &str) -> Value {
    let body = json!({ "query": query }).to_string();
    let mut stream = TcpStream::connect(address).expect("connect to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send the request");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("read the response");
    let (head, payload) = response.split_once("\r\n\r\n").expect("an HTTP response");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    serde_json::from_str(payload).expect("a JSON body")
}

#[test]
fn dev_mode_serves_the_demo_catalog_with_a_printed_token() {
    let dir = std::env::temp_dir().join(format!("cartql-bin-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let child = cartql(&dir)
        .env("CARTQL_BIND", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cartql");
    let mut server = Server {
        child,
        dir: dir.clone(),
    };

    let stdout = server.child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let (mut address, mut token) = (None, None);
    while address.is_none() || token.is_none() {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the dev banner is printed");
        if let Some(url) = line.strip_prefix("GraphiQL: http://") {
            address = url.strip_suffix("/graphql").map(str::to_owned);
        }
        if token.is_none()
            && let Some(at) = line.find("Bearer ")
        {
            token = Some(line[at + 7..].trim_end_matches("\"}").to_owned());
        }
    }
    let (address, token) = (address.expect("address"), token.expect("token"));

    let products = post(
        &address,
        &token,
        "{ products(first: 100) { edges { node { sku requiredAttributes } } } }",
    );
    let edges = products["data"]["products"]["edges"]
        .as_array()
        .expect("products");
    assert!(edges.len() >= 50, "the demo catalog is loaded");
    let added = post(
        &address,
        &token,
        r#"mutation { addToCart(input: { product: { sku: "CK-SDS001" }, quantity: 2, attributes: [{ key: "team_id", value: "20" }] }) {
             cart { totalQuantity cost { total { formatted } } } userErrors { code } } }"#,
    );
    assert_eq!(added["data"]["addToCart"]["userErrors"], json!([]));
    assert_eq!(
        added["data"]["addToCart"]["cart"]["cost"]["total"]["formatted"],
        "$242.00"
    );

    // `cartql token` signs with the same dev secret.
    let output = cartql(&dir)
        .args(["token", "--user", "zoe"])
        .output()
        .expect("run cartql token");
    assert!(output.status.success());
    let zoe = String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();
    let cart = post(&address, &zoe, "{ cart { id } }");
    assert!(cart["errors"].is_null(), "{cart}");
    assert!(
        dir.join("cartql.db").exists(),
        "the default database is a file in the working directory"
    );
}

#[test]
fn cartql_schema_prints_the_committed_sdl() {
    let dir = std::env::temp_dir();
    let output = cartql(&dir)
        .arg("schema")
        .output()
        .expect("run cartql schema");
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).expect("utf-8");
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    assert_eq!(printed, committed);
}
