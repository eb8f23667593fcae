//! Which fields a selection set asks of one object type once fragments are spread and
//! `@skip`/`@include` are decided: the spec's CollectFields, with fields of the same response
//! key merged into one whose sub-selections are read together. Anything this path does not
//! decide exactly as async-graphql does (another directive, a fragment on another type, two
//! different fields under one key) gives `None`, and the operation runs on async-graphql.

use async_graphql::{
    Name, Positioned, Value, Variables,
    parser::types::{Directive, ExecutableDocument, Selection, SelectionSet, VariableDefinition},
};
use async_graphql_value::Value as InputValue;

/// Deepest fragment nesting followed (validation refuses cycles; this bounds the walk anyway).
const MAX_FRAGMENT_DEPTH: usize = 32;

/// One response key of a selection: its field, arguments and every sub-selection set given
/// for it.
pub struct Collected<'d> {
    pub key: &'d str,
    pub name: &'d str,
    pub arguments: &'d [(Positioned<Name>, Positioned<InputValue>)],
    pub selections: Vec<&'d SelectionSet>,
}

/// A document, the operation's variable definitions and the request's variables.
pub struct Source<'d> {
    pub document: &'d ExecutableDocument,
    pub definitions: &'d [Positioned<VariableDefinition>],
    pub variables: &'d Variables,
}

impl<'d> Source<'d> {
    /// The fields `sets` select on `type_name`, in the order of their first appearance.
    pub fn collect(
        &self,
        sets: &[&'d SelectionSet],
        type_name: &str,
    ) -> Option<Vec<Collected<'d>>> {
        let mut fields = Vec::new();
        for set in sets {
            self.collect_into(set, type_name, &mut fields, 0)?;
        }
        Some(fields)
    }

    fn collect_into(
        &self,
        set: &'d SelectionSet,
        type_name: &str,
        fields: &mut Vec<Collected<'d>>,
        depth: usize,
    ) -> Option<()> {
        if depth > MAX_FRAGMENT_DEPTH {
            return None;
        }
        for selection in &set.items {
            if self.skipped(selection.node.directives())? {
                continue;
            }
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.response_key().node.as_str();
                    match fields.iter_mut().find(|f| f.key == key) {
                        Some(seen) => {
                            // The same field again: its sub-selections join the first's.
                            if seen.name != field.name.node.as_str()
                                || !same_arguments(seen.arguments, &field.arguments)
                            {
                                return None;
                            }
                            seen.selections.push(&field.selection_set.node);
                        }
                        None => fields.push(Collected {
                            key,
                            name: field.name.node.as_str(),
                            arguments: &field.arguments,
                            selections: vec![&field.selection_set.node],
                        }),
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let fragment = self
                        .document
                        .fragments
                        .get(&spread.node.fragment_name.node)?;
                    if fragment.node.type_condition.node.on.node.as_str() != type_name {
                        return None;
                    }
                    self.collect_into(
                        &fragment.node.selection_set.node,
                        type_name,
                        fields,
                        depth + 1,
                    )?;
                }
                Selection::InlineFragment(inline) => {
                    if let Some(condition) = &inline.node.type_condition
                        && condition.node.on.node.as_str() != type_name
                    {
                        return None;
                    }
                    self.collect_into(
                        &inline.node.selection_set.node,
                        type_name,
                        fields,
                        depth + 1,
                    )?;
                }
            }
        }
        Some(())
    }

    /// Whether `@skip`/`@include` leave a selection out; `None` for any other directive.
    ///
    /// Decided as async-graphql decides it: from the request's variables alone (a variable's
    /// default does not count there), a missing or non-Boolean value reading as false. A
    /// provided value that is not a Boolean is refused by validation, so it is left to it.
    fn skipped(&self, directives: &[Positioned<Directive>]) -> Option<bool> {
        let mut skipped = false;
        for directive in directives {
            let include = match directive.node.name.node.as_str() {
                "skip" => false,
                "include" => true,
                _ => return None,
            };
            let condition = match &directive.node.get_argument("if")?.node {
                InputValue::Boolean(value) => *value,
                InputValue::Variable(name) => match self.variables.get(name) {
                    None => false,
                    Some(Value::Boolean(value)) => *value,
                    Some(_) => return None,
                },
                _ => return None,
            };
            skipped |= include != condition;
        }
        Some(skipped)
    }

    /// An argument's value as a resolver would receive it: `Some(None)` when the argument is
    /// absent, the literal or the variable (else its default) otherwise; `None` when a
    /// variable is neither given nor defaulted (a field error this path leaves to
    /// async-graphql).
    pub fn argument(&self, field: &Collected<'_>, name: &str) -> Option<Option<Value>> {
        let Some((_, value)) = field
            .arguments
            .iter()
            .find(|(n, _)| n.node.as_str() == name)
        else {
            return Some(None);
        };
        value
            .node
            .clone()
            .into_const_with(|variable| {
                self.definitions
                    .iter()
                    .find(|def| def.node.name.node == variable)
                    .and_then(|def| {
                        self.variables
                            .get(&def.node.name.node)
                            .or_else(|| def.node.default_value())
                    })
                    .cloned()
                    .ok_or(())
            })
            .ok()
            .map(Some)
    }
}

fn same_arguments(
    a: &[(Positioned<Name>, Positioned<InputValue>)],
    b: &[(Positioned<Name>, Positioned<InputValue>)],
) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((an, av), (bn, bv))| an.node == bn.node && av.node == bv.node)
}
