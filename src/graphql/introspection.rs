//! Introspection operations (every root field is `__schema`, `__type` or `__typename`) run on
//! a twin of the schema with deeper limits: the introspection query of graphql-js, which
//! GraphiQL, Apollo tooling and code generators send, nests `ofType` nine levels deep, past
//! the limits that suit cart operations. Depth is harmless there; what would make
//! introspection expensive is nesting its list fields (`types { fields { type { fields … } } }`
//! multiplies at every level), so those may nest at most [`MAX_LIST_NESTING`] deep, which is
//! what the standard query needs (`types { fields { args } } }`).
//!
//! The twin also answers `__schema { description }` with cartql's [`SCHEMA_DESCRIPTION`]:
//! async-graphql answers it with one stock paragraph about what a GraphQL schema is, for every
//! schema, and has no setting for it.

use std::sync::Arc;

use async_graphql::{
    ServerResult, Value,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo},
    parser::types::{ExecutableDocument, OperationDefinition, Selection, SelectionSet},
};

/// The schema's description, as introspection reports it and `schema.graphql` prints it.
pub const SCHEMA_DESCRIPTION: &str = "cartql: shopping carts for storefronts. Business \
    outcomes are `userErrors` and `warnings` in mutation payloads; top-level errors carry \
    `extensions.code`.";

/// Puts [`SCHEMA_DESCRIPTION`] in place of async-graphql's stock text. An extension sees
/// every field it resolves, so it is on the introspection twin only, never on the schema
/// that runs cart operations.
pub struct SchemaDescription;

impl ExtensionFactory for SchemaDescription {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SchemaDescription)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for SchemaDescription {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.parent_type == "__Schema" && info.name == "description" {
            return Ok(Some(Value::String(SCHEMA_DESCRIPTION.to_owned())));
        }
        next.run(ctx, info).await
    }
}

/// Introspection fields that return lists.
const LIST_FIELDS: &[&str] = &[
    "types",
    "fields",
    "args",
    "inputFields",
    "interfaces",
    "possibleTypes",
    "enumValues",
    "directives",
];

/// How deep introspection list fields may nest.
pub const MAX_LIST_NESTING: usize = 3;
/// Field nesting allowed in an introspection operation.
pub const MAX_DEPTH: usize = 20;
/// Selection-set nesting (fragments included) allowed in an introspection operation.
pub const MAX_RECURSIVE_DEPTH: usize = 32;

/// True when every root selection of `operation` is an introspection field.
pub fn is_introspection(operation: &OperationDefinition) -> bool {
    let roots = &operation.selection_set.node.items;
    !roots.is_empty()
        && roots.iter().all(|item| {
            matches!(&item.node, Selection::Field(field) if field.node.name.node.starts_with("__"))
        })
}

/// Refuses an introspection operation whose list fields nest too deep. Runs after the
/// fragment-expansion guard, which bounds the walk and has ruled out fragment cycles.
pub fn check(document: &ExecutableDocument, operation: &OperationDefinition) -> Result<(), String> {
    nesting(document, &operation.selection_set.node, 0)
}

fn nesting(document: &ExecutableDocument, set: &SelectionSet, lists: usize) -> Result<(), String> {
    for item in &set.items {
        match &item.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                let lists = lists + usize::from(LIST_FIELDS.contains(&name));
                if lists > MAX_LIST_NESTING {
                    return Err(format!(
                        "introspection list fields may nest at most {MAX_LIST_NESTING} deep; `{name}` is deeper"
                    ));
                }
                nesting(document, &field.node.selection_set.node, lists)?;
            }
            Selection::InlineFragment(inline) => {
                nesting(document, &inline.node.selection_set.node, lists)?;
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    nesting(document, &fragment.node.selection_set.node, lists)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::{parse_query, types::DocumentOperations};

    use super::*;

    fn first_operation(document: &ExecutableDocument) -> &OperationDefinition {
        match &document.operations {
            DocumentOperations::Single(op) => &op.node,
            DocumentOperations::Multiple(ops) => &ops.values().next().expect("an operation").node,
        }
    }

    #[test]
    fn the_standard_query_passes_and_multiplying_lists_do_not() {
        let standard = parse_query(
            "query { __schema { types { ...T } directives { args { name } } } }
             fragment T on __Type { fields { args { type { ofType { ofType { name } } } } } inputFields { name } }",
        )
        .expect("parses");
        let operation = first_operation(&standard);
        assert!(is_introspection(operation));
        assert_eq!(check(&standard, operation), Ok(()));

        let bomb = parse_query(
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
        )
        .expect("parses");
        assert!(check(&bomb, first_operation(&bomb)).is_err());

        let mixed = parse_query("{ __typename cart { id } }").expect("parses");
        assert!(!is_introspection(first_operation(&mixed)));
    }
}
