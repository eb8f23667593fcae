//! Running the real `cartql` binary as a separate process, and talking to it over TCP.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc::{self, Receiver},
    time::Duration,
};

use serde_json::Value;

/// Settings a developer's environment (or CI) might carry that would change the defaults.
const SCRUBBED: [&str; 6] = [
    "DATABASE_URL",
    "CARTQL_JWT_SECRET",
    "CARTQL_JWT_PUBLIC_KEY_FILE",
    "CARTQL_API_KEYS",
    "CARTQL_BIND",
    "CARTQL_DEMO_CATALOG",
];

/// A `cartql` process in a scratch directory; both go away on drop.
pub struct Server {
    child: Child,
    pub dir: PathBuf,
    /// `host:port` it listens on.
    pub address: String,
    /// What it prints after announcing its address.
    pub stdout: Receiver<String>,
    /// What it printed up to announcing its address, that line included.
    pub startup: Vec<String>,
}

impl Server {
    /// Starts `cartql serve` with `settings` on a free port and waits until it listens.
    pub fn start(settings: &[(&str, &str)]) -> Self {
        let mut server = Self::spawn(settings);
        server.wait_listening();
        server
    }

    /// Starts `cartql serve` with `settings` on a free port without waiting for it (to start
    /// several at the same moment); [`Server::wait_listening`] waits. Its standard error
    /// goes to `stderr` in its directory.
    pub fn spawn(settings: &[(&str, &str)]) -> Self {
        let dir =
            std::env::temp_dir().join(format!("cartql-bin-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        let mut command = cartql(&dir);
        command
            .env("CARTQL_BIND", "127.0.0.1:0")
            .env("NO_COLOR", "1");
        for (key, value) in settings {
            command.env(key, value);
        }
        let stderr = std::fs::File::create(dir.join("stderr")).expect("a file for stderr");
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start cartql");
        let out = child.stdout.take().expect("stdout");
        let (tx, stdout) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            dir,
            address: String::new(),
            stdout,
            startup: Vec::new(),
        }
    }

    /// Waits until the process announces its address; panics with its standard error if it
    /// exits first.
    pub fn wait_listening(&mut self) {
        while self.address.is_empty() {
            let Ok(line) = self.stdout.recv_timeout(Duration::from_secs(60)) else {
                let _ = self.wait_exit(Duration::from_secs(5));
                panic!(
                    "cartql did not announce its address; its stderr: {}",
                    std::fs::read_to_string(self.dir.join("stderr")).unwrap_or_default()
                );
            };
            if line.contains("listening")
                && let Some(at) = line.find("http://")
            {
                let rest = &line[at + "http://".len()..];
                self.address = rest.split("/graphql").next().unwrap_or_default().to_owned();
            }
            self.startup.push(line);
        }
    }
}

impl Server {
    /// Sends SIGTERM, as a supervisor does.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Kills the process at once (SIGKILL), as a crash or an OOM killer would.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL cartql");
        let _ = self.child.wait();
    }

    /// Waits for the process to exit on its own; `None` if it is still running after `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The `cartql` binary, run in `dir` with the settings that matter scrubbed.
pub fn cartql(dir: &PathBuf) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cartql"));
    command.current_dir(dir);
    for name in SCRUBBED {
        command.env_remove(name);
    }
    command
}

/// POSTs a JSON body to `/graphql` over a fresh TCP connection; returns status and JSON.
pub fn post(address: &str, headers: &[(&str, &str)], body: &Value) -> (u16, Value) {
    try_post(address, headers, body).expect("an HTTP response")
}

/// Like [`post`], but `None` when the connection fails or breaks (the server died).
pub fn try_post(address: &str, headers: &[(&str, &str)], body: &Value) -> Option<(u16, Value)> {
    let body = body.to_string();
    let mut stream = TcpStream::connect(address).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let mut request =
        format!("POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, payload) = response.split_once("\r\n\r\n")?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())?;
    Some((status, serde_json::from_str(payload).unwrap_or(Value::Null)))
}

/// GETs `path`; returns status and body text.
pub fn get(address: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connect to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("read the response");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, body.to_owned())
}
