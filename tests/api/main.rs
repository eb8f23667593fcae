//! cartql's integration suite: the real router, real migrations, real JWTs and a fresh
//! database per test — SQLite by default, PostgreSQL or MySQL/MariaDB when `DATABASE_URL`
//! names one.

mod helpers;

mod abuse;
mod access_log;
mod admin_carts;
mod auth;
mod binary;
mod cart_flows;
mod catalog;
mod checkout;
mod checkout_races;
mod checkout_rules;
mod compiled_views;
mod concurrency;
mod conformance;
mod crash;
mod customers;
mod error_wording;
mod events;
mod events_crash;
mod events_nats;
mod faults;
mod federation;
mod fuzz;
mod fuzz_cases;
mod group_commit;
mod guessing;
mod holds;
mod holes;
mod hostile;
mod http;
mod idempotency;
mod lifecycle;
mod live;
mod merge;
mod money;
mod node;
mod observability;
mod one_statement_add;
mod operations;
mod outage;
mod ownership;
mod payment;
mod persisted;

mod profile;
mod promotion_states;
mod promotion_usage;
mod promotions;
mod quantity_rules;
mod rules;
mod schema_sdl;
mod shutdown;
mod start_up;
mod statements;
mod sync;
mod two_instances;
mod versions;
mod ws_edge;
