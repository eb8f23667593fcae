//! The `cartql` binary: parse the command line and hand over to the library.

// A GraphQL response is built from many small, short-lived allocations (field names, values,
// futures); mimalloc serves them markedly cheaper than the system allocator (see
// docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A missing .env file is normal; the environment alone is enough.
    let _ = dotenvy::dotenv();
    let filter = tracing_subscriber::EnvFilter::try_from_env("CARTQL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // JSON lines (with the request span's id on every event) for log shippers; text for people.
    let production = cartql::config::is_production(std::env::var("CARTQL_ENV").ok().as_deref())?;
    match std::env::var("CARTQL_LOG_FORMAT").as_deref().map(str::trim) {
        Ok("json") => json_logs(filter),
        Ok("text") => tracing_subscriber::fmt().with_env_filter(filter).init(),
        Ok(other) if !other.is_empty() => {
            anyhow::bail!("CARTQL_LOG_FORMAT must be json or text, not {other:?}")
        }
        _ if production => json_logs(filter),
        _ => tracing_subscriber::fmt().with_env_filter(filter).init(),
    }
    cartql::cli::run(cartql::cli::Cli::parse_with_settings()).await
}

fn json_logs(filter: tracing_subscriber::EnvFilter) {
    tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .with_env_filter(filter)
        .init();
}
