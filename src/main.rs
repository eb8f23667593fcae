//! The `cartql` binary: parse the command line and hand over to the library.

use clap::Parser;

// A GraphQL response is built from many small, short-lived allocations (field names, values,
// futures); mimalloc serves them markedly cheaper than the system allocator (see the README's
// Performance section).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A missing .env file is normal; the environment alone is enough.
    let _ = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CARTQL_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    cartql::cli::run(cartql::cli::Cli::parse()).await
}
