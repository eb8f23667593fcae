//! What production refuses to start with: secrets shorter than 32 bytes, and user tokens
//! without an audience unless that is chosen; and the example settings file holds everything
//! production requires, so following it starts a service.

use std::{collections::BTreeMap, time::Duration};

use cartql::{Config, settings};

use crate::helpers::{
    SECRET,
    server::{Server, cartql},
};

const EXAMPLE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/deploy/cartql.env.example"
));

/// The `NAME=value` lines of the example file (comments and blanks skipped).
fn example() -> BTreeMap<String, String> {
    EXAMPLE
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect()
}

/// A production configuration from `settings` over a working base, checked as start-up
/// checks it.
fn production(settings: &[(&str, &str)]) -> anyhow::Result<()> {
    let mut env: BTreeMap<String, String> = BTreeMap::from([
        ("CARTQL_ENV".into(), "production".into()),
        ("CARTQL_JWT_SECRET".into(), SECRET.into()),
        ("CARTQL_JWT_AUDIENCE".into(), "cartql".into()),
    ]);
    for (key, value) in settings {
        env.insert((*key).to_owned(), (*value).to_owned());
    }
    Config::from_lookup(|key| env.get(key).cloned())?.check_production()
}

fn refusal(settings: &[(&str, &str)]) -> String {
    production(settings)
        .expect_err("production refuses these settings")
        .to_string()
}

#[test]
fn production_refuses_short_secrets_and_development_does_not() {
    production(&[]).expect("the base starts");
    let short = "x".repeat(31);
    let enough = "x".repeat(32);
    for setting in [
        "CARTQL_GUEST_TOKEN_SECRET",
        "CARTQL_HANDOFF_SECRET",
        "CARTQL_JWT_SECRET",
    ] {
        for value in ["abcd", short.as_str()] {
            let refused = refusal(&[(setting, value)]);
            assert!(refused.contains(setting), "{setting}: {refused}");
        }
        production(&[(setting, &enough)]).expect("32 bytes are enough");
        // Development is unchanged: a short guest or handoff secret still starts.
        if setting != "CARTQL_JWT_SECRET" {
            let dev = Config::from_lookup(|key| (key == setting).then(|| "abcd".to_owned()))
                .expect("valid settings");
            dev.check_production()
                .expect("development takes what it is given");
        }
    }
}

#[test]
fn production_requires_an_audience_unless_told_otherwise() {
    let refused = refusal(&[("CARTQL_JWT_AUDIENCE", "")]);
    assert!(refused.contains("CARTQL_JWT_AUDIENCE"), "{refused}");
    production(&[
        ("CARTQL_JWT_AUDIENCE", ""),
        ("CARTQL_JWT_AUDIENCE_OPTIONAL", "true"),
    ])
    .expect("the opt-out starts");
    let dev = Config::from_lookup(|key| (key == "CARTQL_JWT_SECRET").then(|| SECRET.to_owned()))
        .expect("valid settings");
    dev.check_production()
        .expect("development needs no audience");
}

#[test]
fn the_example_settings_hold_everything_production_requires() {
    let example = example();
    let config = Config::from_lookup(|key| example.get(key).cloned()).expect("valid settings");
    assert!(config.production, "the example is a production file");
    config
        .check_production()
        .expect("the example's settings pass production's start-up checks");
    // Every secret production holds to 32 bytes is there to be set (a public key stands in
    // for the JWT secret).
    for (setting, _) in config.production_secrets() {
        let named = example.contains_key(setting.name)
            || (setting.name == settings::JWT_SECRET.name
                && example.contains_key(settings::JWT_PUBLIC_KEY_FILE.name));
        assert!(named, "{} is missing from the example", setting.name);
    }
    // And it names no setting cartql does not read.
    for name in example.keys() {
        assert!(
            settings::SETTINGS.iter().any(|s| s.name == name) || name.starts_with("MIMALLOC_"),
            "{name} is not a setting"
        );
    }
}

/// The binary itself: a 4-byte handoff secret stops production before it listens.
#[test]
fn the_binary_refuses_a_short_handoff_secret_in_production() {
    let dir = std::env::temp_dir().join(format!("cartql-short-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let database = format!("sqlite://{}?mode=rwc", dir.join("prod.db").display());
    let base = [
        ("CARTQL_ENV", "production"),
        ("CARTQL_JWT_SECRET", SECRET),
        ("CARTQL_JWT_AUDIENCE", "cartql"),
        ("CARTQL_BIND", "127.0.0.1:0"),
        ("DATABASE_URL", database.as_str()),
    ];
    let mut child = cartql(&dir)
        .envs(base)
        .env("CARTQL_HANDOFF_SECRET", "abcd")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start cartql");
    // Refused, it exits at once; a process still running after this long is serving.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("wait for cartql").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("a 4-byte handoff secret started in production");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("cartql's output");
    assert!(!output.status.success(), "a 4-byte handoff secret started");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(said.contains("CARTQL_HANDOFF_SECRET"), "{said}");

    let long = "h".repeat(32);
    let mut settings = base.to_vec();
    settings.push(("CARTQL_HANDOFF_SECRET", long.as_str()));
    let server = Server::start(&settings);
    assert!(!server.address.is_empty());
    let _ = server.stdout.recv_timeout(Duration::from_millis(1));
}
