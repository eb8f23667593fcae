//! The root fields an operation will run, as execution will see them: fragment spreads and
//! inline fragments at the root expanded, every alias counted, fields dropped by `@skip` or
//! `@include` left out. Rate limits and idempotency keys count these, so wrapping a mutation
//! in a fragment or repeating it under aliases runs no more than it pays for, and the node
//! budget (`node_budget`) counts the ids these fields name.

use std::collections::HashSet;

use async_graphql::{
    Name, Positioned, Value as ConstValue, Variables,
    parser::types::{Directive, ExecutableDocument, Field, OperationDefinition, Selection},
};

/// The names of the root fields `operation` runs, one entry per execution (aliases repeat a
/// name). The expansion check has already refused fragment cycles; a fragment spread twice at the root
/// is still counted twice, because both run.
pub fn root_field_names<'d>(
    document: &'d ExecutableDocument,
    operation: &'d OperationDefinition,
    variables: &Variables,
) -> Vec<&'d str> {
    root_fields(document, operation, variables)
        .into_iter()
        .map(field_name)
        .collect()
}

/// The root fields `operation` runs, as [`root_field_names`] counts them, with their
/// arguments.
pub fn root_fields<'d>(
    document: &'d ExecutableDocument,
    operation: &'d OperationDefinition,
    variables: &Variables,
) -> Vec<&'d Field> {
    let mut fields = Vec::new();
    let mut walker = Walker {
        document,
        variables,
        open: HashSet::new(),
    };
    walker.collect(&operation.selection_set.node.items, &mut fields);
    fields
}

struct Walker<'d, 'v> {
    document: &'d ExecutableDocument,
    variables: &'v Variables,
    /// Fragments being expanded on the current path: a cycle (already refused) stops here.
    open: HashSet<&'d str>,
}

impl<'d> Walker<'d, '_> {
    fn collect(&mut self, items: &'d [Positioned<Selection>], fields: &mut Vec<&'d Field>) {
        for item in items {
            match &item.node {
                Selection::Field(field) => {
                    if self.included(&field.node.directives) {
                        fields.push(&field.node);
                    }
                }
                Selection::InlineFragment(fragment) => {
                    if self.included(&fragment.node.directives) {
                        self.collect(&fragment.node.selection_set.node.items, fields);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if !self.included(&spread.node.directives) || !self.open.insert(name) {
                        continue;
                    }
                    if let Some(fragment) = self
                        .document
                        .fragments
                        .get(&Name::new(name))
                        .map(|f| &f.node)
                    {
                        self.collect(&fragment.selection_set.node.items, fields);
                    }
                    self.open.remove(name);
                }
            }
        }
    }

    /// False when `@skip(if: true)` or `@include(if: false)` drops the selection. An
    /// argument that cannot be read (a missing variable) counts as included: execution will
    /// refuse the request anyway, and counting too much is the safe side.
    fn included(&self, directives: &[Positioned<Directive>]) -> bool {
        directives.iter().all(|directive| {
            let condition = directive.node.get_argument("if").and_then(|value| {
                value
                    .node
                    .clone()
                    .into_const_with(|name| self.lookup(&name))
                    .ok()
            });
            !matches!(
                (directive.node.name.node.as_str(), condition),
                ("skip", Some(ConstValue::Boolean(true)))
                    | ("include", Some(ConstValue::Boolean(false)))
            )
        })
    }

    fn lookup(&self, name: &Name) -> Result<ConstValue, ()> {
        self.variables.get(name).cloned().ok_or(())
    }
}

fn field_name(field: &Field) -> &str {
    field.name.node.as_str()
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::{parse_query, types::DocumentOperations};

    use super::*;

    fn names(query: &str, variables: serde_json::Value) -> Vec<String> {
        let document = parse_query(query).expect("parses");
        let operation = match &document.operations {
            DocumentOperations::Single(op) => op.node.clone(),
            DocumentOperations::Multiple(ops) => {
                ops.values().next().expect("one operation").node.clone()
            }
        };
        root_field_names(&document, &operation, &Variables::from_json(variables))
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn fragments_and_aliases_count_every_execution() {
        let query = "mutation { a: createCart { cart { id } } ...F ... on MutationRoot { \
                     b: createCart { cart { id } } } } \
                     fragment F on MutationRoot { c: createCart { cart { id } } ...G } \
                     fragment G on MutationRoot { clearCart { cart { id } } }";
        assert_eq!(
            names(query, serde_json::json!({})),
            ["createCart", "createCart", "clearCart", "createCart"]
        );
    }

    #[test]
    fn skipped_selections_do_not_count() {
        let query = "mutation($no: Boolean!) { createCart @skip(if: true) { cart { id } } \
                     ...F @include(if: $no) x: clearCart @include(if: $no) { cart { id } } \
                     y: clearCart @skip(if: $no) { cart { id } } } \
                     fragment F on MutationRoot { createCart { cart { id } } }";
        assert_eq!(
            names(query, serde_json::json!({ "no": false })),
            ["clearCart"]
        );
        // A missing variable counts as included.
        assert_eq!(
            names(query, serde_json::json!({})).len(),
            3,
            "F, x and y all count when the variable is missing"
        );
    }
}
