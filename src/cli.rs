//! The command line. Every command reads the same settings (environment and `.env`).

use std::{
    path::PathBuf,
    sync::{Arc, atomic::Ordering},
};

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::{
    build_app,
    config::Config,
    db,
    events::store,
    graphql,
    service::{cart, seed},
    startup,
};

/// cartql: a GraphQL shopping-cart service for storefronts.
///
/// Settings come from environment variables (and a `.env` file), listed below. With no JWT
/// key configured, cartql runs in dev mode and prints a token.
#[derive(Debug, Parser)]
#[command(name = "cartql", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default): GraphiQL on GET /graphql, the API on POST /graphql.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo catalog, or a catalog file, into the database (products upserted by SKU).
    Seed {
        /// A catalog JSON file (`{"products": [...]}`) instead of the demo catalog.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Print a signed user token (needs CARTQL_JWT_SECRET, or dev mode's generated secret).
    Token {
        /// The user id (`sub`).
        #[arg(long)]
        user: String,
        /// Add the `admin` role.
        #[arg(long)]
        admin: bool,
        /// Add a role, e.g. `--role checkout` for an order system (repeatable).
        #[arg(long = "role")]
        roles: Vec<String>,
        /// Lifetime, e.g. 30d, 12h, 3600s.
        #[arg(long, default_value = "30d")]
        ttl: String,
    },
    /// Print the GraphQL schema (SDL, sorted) as committed in schema.graphql.
    Schema {
        /// The Apollo Federation v2 subgraph SDL instead (what CARTQL_FEDERATION serves).
        #[arg(long)]
        federation: bool,
    },
    /// Release expired checkout holds and close carts past their expiry (as the server's
    /// sweepers do), then hard-delete soft-deleted carts and lines (with their history,
    /// checkouts and buyer details) older than CARTQL_RETENTION, and expired idempotency keys.
    Purge,
    /// Events out: what waits for delivery, what is parked, and redriving parked carts.
    Events {
        #[command(subcommand)]
        action: EventsAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum EventsAction {
    /// Print how many events wait and every cart whose deliveries are parked, with the error.
    Status,
    /// Resume parked deliveries (after fixing the sink): attempts start over, due now.
    Redrive {
        /// Only this sink: `nats` or `webhook`.
        #[arg(long, value_parser = ["nats", "webhook"])]
        sink: Option<String>,
    },
}

impl Cli {
    /// Parses the command line; `--help` ends with every setting and its default.
    pub fn parse_with_settings() -> Self {
        let command = Self::command().after_long_help(crate::settings::help_text());
        let matches = command.get_matches();
        Self::from_arg_matches(&matches).unwrap_or_else(|err| err.exit())
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Schema { federation } = command {
        let sdl = match federation {
            true => graphql::federation_sdl(),
            false => graphql::sdl(),
        };
        println!("{}", sdl.trim_end());
        return Ok(());
    }
    let config = Config::from_env()?;
    match command {
        Command::Schema { .. } => unreachable!("handled above"),
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = db::connect(&config.database_url, 1).await?;
            // Under the start-up lock, like a starting server: safe beside starting instances.
            db::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed { file } => {
            let db = db::connect(&config.database_url, 2).await?;
            db::migrate(&db).await?;
            let specs = match file {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    seed::parse_file(&text)
                        .with_context(|| format!("{} is not a catalog file", path.display()))?
                }
                None => seed::demo_catalog(),
            };
            let count = seed::import(&db, specs, config.currency).await?;
            println!("{count} products upserted");
            Ok(())
        }
        Command::Token {
            user,
            admin,
            mut roles,
            ttl,
        } => {
            if admin {
                roles.push("admin".to_owned());
            }
            let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
            let ttl = crate::config::parse_duration(&ttl)
                .context("--ttl must look like 30d, 12h or 3600s")?;
            let (_, issuer) = startup::jwt_keys(&config)?;
            let issuer = issuer.context(
                "tokens can only be signed with an HS256 secret (CARTQL_JWT_SECRET or dev mode)",
            )?;
            println!("{}", issuer.issue(&user, &roles, ttl.as_secs() as i64)?);
            Ok(())
        }
        Command::Purge => {
            let db = db::connect(&config.database_url, 2).await?;
            let outbox = startup::outbox(&config);
            let released = cart::sweep_checkouts(&db, chrono::Utc::now(), outbox).await?;
            println!("released {released} expired checkout holds");
            let expired = cart::sweep_expired(&db, chrono::Utc::now(), outbox).await?;
            println!("closed {expired} expired carts");
            let purged = cart::purge(&db, config.retention).await?;
            let keys = crate::service::idempotency::purge_expired(&db).await?;
            let cursors = store::forget_idle_cursors(&db).await?;
            println!(
                "purged {} carts, {} lines, {keys} expired idempotency keys and {cursors} idle delivery cursors",
                purged.carts, purged.lines
            );
            Ok(())
        }
        Command::Events { action } => {
            let db = db::connect(&config.database_url, 2).await?;
            db::migrate(&db).await?;
            match action {
                EventsAction::Status => {
                    println!("{} events waiting for delivery", store::waiting(&db).await?);
                    for parked in store::parked(&db).await? {
                        println!(
                            "parked: sink {} cart {} after {} attempts: {}",
                            parked.sink,
                            parked.cart_id,
                            parked.attempts,
                            parked.last_error.unwrap_or_default()
                        );
                    }
                }
                EventsAction::Redrive { sink } => {
                    let count = store::redrive(&db, sink.as_deref(), chrono::Utc::now()).await?;
                    println!("redriving {count} parked carts");
                }
            }
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    config.check_dev_bind()?;
    let app = build_app(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let url = format!("http://{}/graphql", listener.local_addr()?);
    tracing::info!(%url, "cartql is listening");
    if config.dev_mode() {
        print_dev_banner(&app, &url)?;
    }
    // Shutdown: on SIGTERM or Ctrl-C, /readyz turns 503 at once; requests are still served
    // for the grace period, then the listener closes and in-flight requests get the drain
    // timeout to finish.
    let draining = app.state.draining.clone();
    let stopping = Arc::new(tokio::sync::Notify::new());
    let (grace, drain) = (config.shutdown_grace, config.drain_timeout);
    let shutdown = {
        let stopping = stopping.clone();
        async move {
            shutdown_signal().await;
            draining.store(true, Ordering::SeqCst);
            tracing::info!(
                ?grace,
                "shutting down: /readyz answers 503 while requests are still served"
            );
            tokio::time::sleep(grace).await;
            tracing::info!(?drain, "closing the listener; finishing in-flight requests");
            stopping.notify_one();
        }
    };
    let server = axum::serve(
        listener,
        app.router
            .into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown);
    tokio::select! {
        served = server => served?,
        () = async { stopping.notified().await; tokio::time::sleep(drain).await } => {
            tracing::warn!("in-flight requests did not finish within the drain timeout");
        }
    }
    tracing::info!("stopped");
    Ok(())
}

/// Dev mode: a ready-to-paste token and GraphiQL headers.
fn print_dev_banner(app: &crate::App, url: &str) -> anyhow::Result<()> {
    let Some(issuer) = &app.issuer else {
        return Ok(());
    };
    let user = issuer.issue("dev-user", &[], crate::startup::DEV_TOKEN_TTL_SECS)?;
    let admin = issuer.issue("dev-admin", &["admin"], crate::startup::DEV_TOKEN_TTL_SECS)?;
    println!(
        "\ncartql dev mode (no CARTQL_JWT_SECRET or CARTQL_JWT_PUBLIC_KEY_FILE set)\n\
         GraphiQL: {url}\n\n\
         User `dev-user` (GraphiQL's Headers tab opens with it):\n\
         {{\"Authorization\": \"Bearer {user}\"}}\n\n\
         Admin token (user `dev-admin`, for upsertProducts and carts):\n\
         {{\"Authorization\": \"Bearer {admin}\"}}\n\n\
         Without a header you are a guest: createCart returns a token to send as X-Cart-Token.\n"
    );
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
