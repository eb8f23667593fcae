//! The fuzzing regime (R17): hostile requests from `fuzz_cases` thrown at the real router
//! in-process and at the real binary over a socket (where an abort would be a dead process).
//! Every answer is a 4xx or a coded GraphQL error (never a 5xx), within the request timeout,
//! and a refused request writes nothing.
//!
//! `cargo test` throws a bounded number of cases; `FUZZ_CASES=N` throws more (see docs/reliability.md
//! for the long run).

use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use axum::body::Body;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

use crate::{
    fuzz_cases::{Case, case, cases, check_answer},
    helpers::{TestApp, Who, server::Server},
};

/// The service's own request timeout is 10 s; an answer must come well within this.
const ANSWER_WITHIN: Duration = Duration::from_secs(15);

/// Longest URI the `http` crate builds.
const MAX_URI: usize = 65_000;

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        // Shrinking a document of thousands of brackets takes long and says little more.
        max_shrink_iters: 64,
        ..Config::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_through_the_router_are_refused_cleanly_and_write_nothing() {
    let app = TestApp::spawn().await;
    let runtime = tokio::runtime::Handle::current();
    let (thrown, executed) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let total = cases(1_500);
    let outcome = runner(total).run(&case(), |case: Case| {
        // A URI this long cannot even be built (the HTTP parser refuses it on the wire: the
        // socket driver below sends such cases).
        if case.uri.len() > MAX_URI {
            return Ok(());
        }
        let answer = tokio::task::block_in_place(|| {
            runtime.block_on(async {
                let before = app.snapshot().await;
                let mut request = app.request(
                    &Who::Anonymous,
                    case.method,
                    &case.uri,
                    &case.content_type,
                    Body::from(case.body.clone()),
                );
                for (name, value) in &case.headers {
                    if let (Ok(name), Ok(value)) = (
                        axum::http::HeaderName::from_bytes(name.as_bytes()),
                        axum::http::HeaderValue::from_str(value),
                    ) {
                        request.headers_mut().insert(name, value);
                    }
                }
                let (status, body) = tokio::time::timeout(ANSWER_WITHIN, app.send(request))
                    .await
                    .map_err(|_| "no answer within the time limit".to_owned())?;
                let refused = status != 200 || body.get("data").is_none_or(Value::is_null);
                if refused && app.snapshot().await != before {
                    return Err(format!("a refused request wrote ({status}): {body}"));
                }
                Ok::<_, String>((status.as_u16(), body, refused))
            })
        });
        thrown.fetch_add(1, Ordering::Relaxed);
        let (status, body, refused) = answer.map_err(proptest::test_runner::TestCaseError::fail)?;
        executed.fetch_add(usize::from(!refused), Ordering::Relaxed);
        check_answer(status, &body).map_err(proptest::test_runner::TestCaseError::fail)
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    let (thrown, executed) = (thrown.into_inner(), executed.into_inner());
    println!("fuzz (router): {thrown} cases thrown, {executed} executed");
    assert!(thrown >= total as usize * 9 / 10, "{thrown} of {total}");
    assert!(executed > 0, "some cases were valid enough to run");
}

#[test]
fn hostile_requests_over_a_socket_never_kill_the_binary() {
    let mut server = Server::start(&[
        ("CARTQL_RATE_MUTATIONS", "100000"),
        ("CARTQL_RATE_NEW_CARTS", "100000"),
    ]);
    let address = server.address.clone();
    let thrown = AtomicUsize::new(0);
    let total = cases(400);
    let outcome = runner(total).run(&case(), |case: Case| {
        thrown.fetch_add(1, Ordering::Relaxed);
        let answer = exchange(&address, &case);
        let Some((status, body)) = answer else {
            return Err(proptest::test_runner::TestCaseError::fail(format!(
                "the connection broke: is the process alive? {:?}",
                String::from_utf8_lossy(&case.body[..case.body.len().min(200)])
            )));
        };
        check_answer(status, &body).map_err(proptest::test_runner::TestCaseError::fail)
    });
    assert!(
        server.wait_exit(Duration::ZERO).is_none(),
        "the process is still running"
    );
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    let (status, _) = crate::helpers::server::get(&address, "/healthz");
    assert_eq!(status, 200);
    println!("fuzz (binary): {} cases thrown", thrown.into_inner());
}

/// Sends one case over a fresh connection; `None` when the connection breaks.
fn exchange(address: &str, case: &Case) -> Option<(u16, Value)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).ok()?;
    stream.set_read_timeout(Some(ANSWER_WITHIN)).ok()?;
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {}\r\nConnection: close\r\n",
        case.method, case.uri, case.content_type
    );
    for (name, value) in &case.headers {
        if !name.is_empty() && !value.contains(['\r', '\n']) {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", case.body.len()));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&case.body);
    stream.write_all(&bytes).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let text = String::from_utf8_lossy(&response);
    let (head, payload) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    // A refusal from the HTTP layer itself (a URI too long for the parser) has no JSON body.
    let body = serde_json::from_str(payload).unwrap_or_else(|_| {
        serde_json::json!({ "errors": [{ "message": payload, "extensions": { "code": "HTTP" } }] })
    });
    Some((status, body))
}
