//! The `cartql` binary: parse the command line and hand over to the library.

// A GraphQL response is built from many small, short-lived allocations (field names, values,
// futures); mimalloc serves them markedly cheaper than the system allocator (see
// docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cartql::settings::{ENV, LOG, LOG_FORMAT, Setting};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A missing .env file is normal; the environment alone is enough.
    let _ = dotenvy::dotenv();
    let production = cartql::config::is_production(declared(&ENV, false).as_deref())?;
    let filter = declared(&LOG, production).unwrap_or_default();
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .map_err(|err| anyhow::anyhow!("{} is not a log filter ({err}): {filter:?}", LOG.name))?;
    // JSON lines (with the request span's id on every event) for log shippers; text for people.
    match declared(&LOG_FORMAT, production).as_deref() {
        Some("json") => cartql::logging::init(filter, true),
        Some("text") => cartql::logging::init(filter, false),
        other => anyhow::bail!("{} must be json or text, not {other:?}", LOG_FORMAT.name),
    }
    cartql::cli::run(cartql::cli::Cli::parse_with_settings()).await
}

/// A setting `main` reads before the configuration: its value, else its declared default.
fn declared(setting: &Setting, production: bool) -> Option<String> {
    std::env::var(setting.name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .or_else(|| setting.default.value(production).map(str::to_owned))
}
