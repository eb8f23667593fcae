//! The per-request node budget (`CARTQL_MAX_NODES`): every `node` and `nodes` lookup of one
//! operation together, aliases and fragments included, variables (and their defaults)
//! resolved, may name at most that many ids. The cap on one `nodes` field alone bounds one
//! field, not a document that repeats it under 200 aliases; this is counted before execution,
//! where the root fields are, so a request over it resolves nothing.

use async_graphql::{
    Name, Value as ConstValue, Variables,
    parser::types::{ExecutableDocument, Field, OperationDefinition},
};

use super::root_fields::root_fields;

/// Most ids one `nodes` field takes, whatever the request's budget.
pub const MAX_IDS_PER_FIELD: usize = 100;

/// A request naming more ids than its budget.
#[derive(Debug, PartialEq, Eq)]
pub struct OverBudget {
    pub named: usize,
    pub budget: usize,
}

impl OverBudget {
    pub fn message(&self) -> String {
        format!(
            "this request looks up {} ids with node and nodes; one request may look up at \
             most {} (CARTQL_MAX_NODES)",
            self.named, self.budget
        )
    }
}

/// Refuses `operation` when its `node` and `nodes` fields name more than `budget` ids.
pub fn check(
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
    budget: usize,
) -> Result<(), OverBudget> {
    let named = ids_named(document, operation, variables);
    match named > budget {
        true => Err(OverBudget { named, budget }),
        false => Ok(()),
    }
}

/// The ids the operation's `node` and `nodes` root fields name (only the query root has
/// them; any other root fails validation).
pub fn ids_named(
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
) -> usize {
    root_fields(document, operation, variables)
        .into_iter()
        .map(|field| match field.name.node.as_str() {
            "node" => 1,
            "nodes" => ids_of(field, operation, variables),
            _ => 0,
        })
        .sum()
}

/// How many ids `nodes(ids:)` names: a list's length, one for a lone id (input coercion
/// makes it a list of one), none for null or an argument that cannot be read (execution
/// refuses a missing variable anyway).
fn ids_of(field: &Field, operation: &OperationDefinition, variables: &Variables) -> usize {
    let Some(ids) = field.get_argument("ids") else {
        return 0;
    };
    let value = ids
        .node
        .clone()
        .into_const_with(|name| lookup(&name, operation, variables));
    match value {
        Ok(ConstValue::List(ids)) => ids.len(),
        Ok(ConstValue::Null) | Err(()) => 0,
        Ok(_) => 1,
    }
}

/// A variable's value as execution will see it: the request's, else its declared default.
fn lookup(
    name: &Name,
    operation: &OperationDefinition,
    variables: &Variables,
) -> Result<ConstValue, ()> {
    if let Some(value) = variables.get(name) {
        return Ok(value.clone());
    }
    operation
        .variable_definitions
        .iter()
        .find(|definition| definition.node.name.node == *name)
        .and_then(|definition| definition.node.default_value.as_ref())
        .map(|default| default.node.clone())
        .ok_or(())
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::{parse_query, types::DocumentOperations};

    use super::*;

    fn named(query: &str, variables: serde_json::Value) -> usize {
        let document = parse_query(query).expect("parses");
        let operation = match &document.operations {
            DocumentOperations::Single(op) => op.node.clone(),
            DocumentOperations::Multiple(ops) => {
                ops.values().next().expect("one operation").node.clone()
            }
        };
        ids_named(&document, &operation, &Variables::from_json(variables))
    }

    #[test]
    fn aliases_fragments_variables_and_defaults_all_count() {
        let query = "query($ids: [ID!]!, $more: [ID!]! = [\"a\", \"b\", \"c\"]) { \
                     a: nodes(ids: $ids) { id } b: nodes(ids: $ids) { id } ...F \
                     n: node(id: \"x\") { id } d: nodes(ids: $more) { id } \
                     s: nodes(ids: \"lone\") { id } cart { id } } \
                     fragment F on Query { c: nodes(ids: [\"p\", \"q\"]) { id } node(id: \"y\") { id } }";
        // 4 + 4 + (2 + 1) + 1 + 3 + 1
        assert_eq!(
            named(query, serde_json::json!({ "ids": ["1", "2", "3", "4"] })),
            16
        );
    }

    #[test]
    fn skipped_fields_and_unreadable_arguments_do_not_count() {
        let query = "query($ids: [ID!]) { a: nodes(ids: $ids) @skip(if: true) { id } \
                     b: nodes(ids: $missing) { id } c: nodes(ids: null) { id } }";
        assert_eq!(named(query, serde_json::json!({ "ids": ["1", "2"] })), 0);
    }
}
