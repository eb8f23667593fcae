//! Resolver spans (`CARTQL_RESOLVER_SPANS`): the spans async-graphql's own tracing extension
//! makes (request, parse, validation, execute, a span per non-leaf field) without what it
//! records of the request itself. Its `parse` span carries the whole document with the
//! variables written in, and its error events carry messages; both reach whatever exports the
//! spans (an OpenTelemetry collector, a log), and a document may hold a buyer's email and
//! postal code (`updateBuyerIdentity`). Buyer identity never reaches logs or traces, so these
//! spans carry the operation's name and shape only: field paths (names, aliases, list
//! positions), types, and errors by code.

use std::sync::Arc;

use async_graphql::{
    Response, ServerError, ServerResult, ValidationResult, Value,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextRequest,
        NextResolve, NextValidation, ResolveInfo,
    },
    parser::types::ExecutableDocument,
    registry::MetaTypeName,
};
use tracing::{Instrument, Level, span};

/// Where the spans are recorded, as async-graphql names it (filters written for its
/// extension keep working).
const TARGET: &str = "async_graphql::graphql";

/// The extension: a span per request, phase and non-leaf field.
pub struct ResolverSpans;

impl ExtensionFactory for ResolverSpans {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ResolverSpans)
    }
}

#[async_trait::async_trait]
impl Extension for ResolverSpans {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        next.run(ctx)
            .instrument(span!(target: TARGET, Level::INFO, "request"))
            .await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &async_graphql::Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // No `source`: the document and its variables are the caller's data.
        next.run(ctx, query, variables)
            .instrument(span!(target: TARGET, Level::INFO, "parse"))
            .await
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx)
            .instrument(span!(target: TARGET, Level::INFO, "validation"))
            .await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let span = span!(target: TARGET, Level::INFO, "execute", operation = operation_name);
        next.run(ctx, operation_name).instrument(span).await
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // Leaves (scalars, enums) get no span of their own: a span per field of a full cart
        // would cost more than the resolving.
        let leaf = ctx
            .schema_env
            .registry
            .types
            .get(MetaTypeName::concrete_typename(info.return_type))
            .is_some_and(|ty| ty.is_leaf());
        let span = (!info.is_for_introspection && !leaf).then(|| {
            span!(
                target: TARGET,
                Level::INFO,
                "field",
                path = %info.path_node,
                parent_type = %info.parent_type,
                return_type = %info.return_type,
            )
        });
        let resolved = match span {
            Some(span) => next.run(ctx, info).instrument(span).await,
            None => next.run(ctx, info).await,
        };
        if let Err(err) = &resolved {
            let code = err
                .extensions
                .as_ref()
                .and_then(|extensions| extensions.get("code"))
                .map(|code| code.to_string());
            tracing::info!(target: TARGET, code, "error");
        }
        resolved
    }
}
