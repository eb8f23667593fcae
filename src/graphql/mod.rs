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

use async_graphql::{EmptySubscription, SDLExportOptions, Schema, SchemaBuilder};

pub use mutation::MutationRoot;
pub use query::QueryRoot;

/// cartql's schema type.
pub type CartSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

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
