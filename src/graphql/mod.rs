//! The GraphQL layer: schema assembly, document bounds and caches, per-request context and dataloaders,
//! and the public types. Resolvers parse arguments into domain types, call one service
//! function or loader, and wrap the result.

pub mod bounds;
pub mod compiled;
pub mod context;
pub mod documents;
pub mod expansion;
pub mod global_id;
pub mod inputs;
pub mod introspection;
pub mod loaders;
mod mutation;
pub mod node_budget;
pub mod persisted;
mod query;
pub mod root_fields;
pub mod scalars;
pub mod spans;
mod subscription;
pub mod types;

use std::sync::Arc;

use async_graphql::{
    Data, ObjectType, Request, Response, SDLExportOptions, Schema, SchemaBuilder, SubscriptionType,
};
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;

use introspection::SCHEMA_DESCRIPTION;

pub use mutation::MutationRoot;
pub use query::{FederatedQueryRoot, QueryRoot};
pub use subscription::SubscriptionRoot;

/// cartql's schema type.
pub type CartSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;
/// The schema of federation mode (`CARTQL_FEDERATION`).
pub type FederatedSchema = Schema<FederatedQueryRoot, MutationRoot, SubscriptionRoot>;

/// The schema a server runs: the plain one, or the federation subgraph.
#[derive(Clone)]
pub enum ServiceSchema {
    Plain(CartSchema),
    Federated(FederatedSchema),
}

impl async_graphql::Executor for ServiceSchema {
    async fn execute(&self, request: Request) -> Response {
        match self {
            Self::Plain(schema) => Schema::execute(schema, request).await,
            Self::Federated(schema) => Schema::execute(schema, request).await,
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        match self {
            Self::Plain(schema) => {
                async_graphql::Executor::execute_stream(schema, request, session_data)
            }
            Self::Federated(schema) => {
                async_graphql::Executor::execute_stream(schema, request, session_data)
            }
        }
    }
}

/// The federation subgraph's schema without runtime data.
pub fn federated_schema_builder()
-> SchemaBuilder<FederatedQueryRoot, MutationRoot, SubscriptionRoot> {
    described(Schema::build(
        FederatedQueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    ))
    .enable_federation()
}

/// The subgraph SDL a federation router composes (`cartql schema --federation`).
pub fn federation_sdl() -> String {
    federated_schema_builder().finish().sdl_with_options(
        SDLExportOptions::new()
            .federation()
            .compose_directive()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items(),
    )
}

/// The schema without any runtime data: a pure function of the code, so `cartql schema` and
/// the drift test need no database.
pub fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    described(Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    ))
}

/// Descriptions of the library's types written for the frontend developer (async-graphql's
/// own describe its Rust implementation).
fn described<Q, M, S>(builder: SchemaBuilder<Q, M, S>) -> SchemaBuilder<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    builder.override_output_type_description::<DateTime<Utc>>(DATE_TIME_DESCRIPTION)
}

const DATE_TIME_DESCRIPTION: &str = "A point in time as an RFC 3339 string, e.g. \
    `\"2026-03-01T12:00:00.250+00:00\"`. Answers are in UTC; inputs may carry any offset. \
    `new Date(value)` reads it.";

/// The SDL committed as `schema.graphql`: fields and enum values sorted, so diffs stay small.
/// It says everything introspection does: the schema's description (which async-graphql
/// leaves out of SDL) and `@specifiedBy` on the scalars that have a specification.
pub fn sdl() -> String {
    let sdl = schema_builder().finish().sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items()
            .include_specified_by(),
    );
    let described = format!("\"\"\"\n{SCHEMA_DESCRIPTION}\n\"\"\"\nschema {{\n");
    match sdl.split_once("\nschema {\n") {
        Some((types, roots)) => format!("{types}\n{described}{roots}"),
        None => sdl,
    }
}
