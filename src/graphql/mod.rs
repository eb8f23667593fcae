//! The GraphQL edge: schema assembly, the HTTP handlers, per-request context and dataloaders,
//! and the public types. Resolvers parse arguments into domain types, call one service
//! function or loader, and wrap the result.

pub mod context;
pub mod guard;
pub mod handler;
pub mod inputs;
pub mod introspection;
pub mod loaders;
mod mutation;
mod query;
pub mod scalars;
pub mod types;

use async_graphql::{
    EmptySubscription, Request, Response, SDLExportOptions, Schema, SchemaBuilder,
};

pub use mutation::MutationRoot;
pub use query::{FederatedQueryRoot, QueryRoot};

/// cartql's schema type.
pub type CartSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;
/// The schema of federation mode (`CARTQL_FEDERATION`).
pub type FederatedSchema = Schema<FederatedQueryRoot, MutationRoot, EmptySubscription>;

/// The schema a server runs: the plain one, or the federation subgraph.
#[derive(Clone)]
pub enum Executor {
    Plain(CartSchema),
    Federated(FederatedSchema),
}

impl Executor {
    pub async fn execute(&self, request: Request) -> Response {
        match self {
            Self::Plain(schema) => schema.execute(request).await,
            Self::Federated(schema) => schema.execute(request).await,
        }
    }
}

/// The federation subgraph's schema without runtime data.
pub fn federated_schema_builder()
-> SchemaBuilder<FederatedQueryRoot, MutationRoot, EmptySubscription> {
    Schema::build(
        FederatedQueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
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
pub fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
}

/// The SDL committed as `schema.graphql`: fields and enum values sorted, so diffs stay small.
pub fn sdl() -> String {
    schema_builder().finish().sdl_with_options(
        SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items(),
    )
}
