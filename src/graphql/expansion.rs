//! The fragment-expansion bound: counts what a document would select with every fragment spread
//! expanded, and refuses it before async-graphql validates or executes anything.
//!
//! async-graphql's own depth and complexity limits walk the document with fragments inlined,
//! so a sub-kilobyte document whose fragments each spread the previous one several times
//! (`fragment F2 on Cart { ...F1 ...F1 ...F1 }`, and so on) costs seconds of CPU before it is
//! rejected. Here each fragment is counted once and its total remembered, so the check is
//! linear in the size of the text, whatever the document expands to.

use std::collections::HashMap;

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned};

/// What a document may expand to.
#[derive(Clone, Copy, Debug)]
pub struct DocumentLimits {
    /// Fields and fragment applications after expanding every spread.
    pub max_selections: u64,
    /// Directives after expanding every spread.
    pub max_directives: u64,
}

/// Why a document was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpansionError {
    TooManySelections {
        limit: u64,
    },
    TooManyDirectives {
        limit: u64,
    },
    /// A fragment spreads itself, directly or through others.
    FragmentCycle(String),
}

impl ExpansionError {
    pub fn message(&self) -> String {
        match self {
            Self::TooManySelections { limit } => {
                format!(
                    "the query selects more than {limit} fields once its fragments are expanded"
                )
            }
            Self::TooManyDirectives { limit } => {
                format!(
                    "the query uses more than {limit} directives once its fragments are expanded"
                )
            }
            Self::FragmentCycle(name) => format!("fragment `{name}` spreads itself"),
        }
    }
}

/// Expanded size of a selection set or fragment.
#[derive(Clone, Copy, Default)]
struct Cost {
    selections: u64,
    directives: u64,
}

impl Cost {
    fn add(self, other: Cost) -> Cost {
        Cost {
            selections: self.selections.saturating_add(other.selections),
            directives: self.directives.saturating_add(other.directives),
        }
    }
}

enum Memo {
    InProgress,
    Done(Cost),
}

struct Counter<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    memo: HashMap<&'a str, Memo>,
    limits: DocumentLimits,
}

impl<'a> Counter<'a> {
    fn check(&self, cost: Cost) -> Result<Cost, ExpansionError> {
        if cost.selections > self.limits.max_selections {
            return Err(ExpansionError::TooManySelections {
                limit: self.limits.max_selections,
            });
        }
        if cost.directives > self.limits.max_directives {
            return Err(ExpansionError::TooManyDirectives {
                limit: self.limits.max_directives,
            });
        }
        Ok(cost)
    }

    fn selection_set(&mut self, set: &'a SelectionSet) -> Result<Cost, ExpansionError> {
        let mut total = Cost::default();
        for item in &set.items {
            let cost = match &item.node {
                Selection::Field(field) => {
                    let own = Cost {
                        selections: 1,
                        directives: field.node.directives.len() as u64,
                    };
                    own.add(self.selection_set(&field.node.selection_set.node)?)
                }
                Selection::InlineFragment(inline) => {
                    let own = Cost {
                        selections: 1,
                        directives: inline.node.directives.len() as u64,
                    };
                    own.add(self.selection_set(&inline.node.selection_set.node)?)
                }
                Selection::FragmentSpread(spread) => {
                    let own = Cost {
                        selections: 1,
                        directives: spread.node.directives.len() as u64,
                    };
                    own.add(self.fragment(spread.node.fragment_name.node.as_str())?)
                }
            };
            total = self.check(total.add(cost))?;
        }
        Ok(total)
    }

    fn fragment(&mut self, name: &'a str) -> Result<Cost, ExpansionError> {
        match self.memo.get(name) {
            Some(Memo::Done(cost)) => return Ok(*cost),
            Some(Memo::InProgress) => return Err(ExpansionError::FragmentCycle(name.to_owned())),
            None => {}
        }
        // An unknown fragment costs nothing here; validation reports it.
        let Some((key, definition)) = self.fragments.get_key_value(name) else {
            return Ok(Cost::default());
        };
        self.memo.insert(key.as_str(), Memo::InProgress);
        let cost = self.selection_set(&definition.node.selection_set.node)?;
        let cost = Cost {
            directives: cost.directives + definition.node.directives.len() as u64,
            ..cost
        };
        self.memo.insert(key.as_str(), Memo::Done(cost));
        Ok(cost)
    }
}

/// Checks every operation of `document` against `limits`.
pub fn check(document: &ExecutableDocument, limits: DocumentLimits) -> Result<(), ExpansionError> {
    let mut counter = Counter {
        fragments: &document.fragments,
        memo: HashMap::new(),
        limits,
    };
    let mut total = Cost::default();
    for (_, operation) in document.operations.iter() {
        let own = Cost {
            selections: 0,
            directives: operation.node.directives.len() as u64,
        };
        let selected = counter.selection_set(&operation.node.selection_set.node)?;
        total = counter.check(total.add(own).add(selected))?;
    }
    // Fragments no operation uses are still walked, so a cycle among them cannot hide.
    for name in document.fragments.keys() {
        counter.fragment(name.as_str())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    const LIMITS: DocumentLimits = DocumentLimits {
        max_selections: 1_000,
        max_directives: 50,
    };

    fn guard(query: &str) -> Result<(), ExpansionError> {
        check(&parse_query(query).expect("parses"), LIMITS)
    }

    /// Ten fragments, each spreading the previous one `fan` times: expands to fan^10 fields.
    fn fragment_bomb(fan: usize) -> String {
        let mut query = String::from("query { cart { ...F9 } } fragment F0 on Cart { id }\n");
        for level in 1..10 {
            let spreads = format!("...F{} ", level - 1).repeat(fan);
            query.push_str(&format!("fragment F{level} on Cart {{ {spreads} }}\n"));
        }
        query
    }

    #[test]
    fn ordinary_queries_pass() {
        assert_eq!(
            guard("{ cart { id items { edges { node { id product { name } } } } } }"),
            Ok(())
        );
        assert_eq!(
            guard(
                "query { cart { ...C } } fragment C on Cart { id ...D } fragment D on Cart { itemCount }"
            ),
            Ok(())
        );
    }

    #[test]
    fn a_fragment_bomb_is_refused_quickly() {
        let bomb = fragment_bomb(4);
        assert!(
            bomb.len() < 1_024,
            "the document is small: {} bytes",
            bomb.len()
        );
        assert_eq!(
            guard(&bomb),
            Err(ExpansionError::TooManySelections { limit: 1_000 })
        );
    }

    #[test]
    fn expansion_is_counted_once_per_fragment() {
        // 8^9 ≈ 134 million selections: counted without memoisation this would run for
        // minutes; memoised it is ten fragment walks.
        let unlimited = DocumentLimits {
            max_selections: u64::MAX,
            max_directives: u64::MAX,
        };
        assert_eq!(
            check(&parse_query(fragment_bomb(8)).expect("parses"), unlimited),
            Ok(())
        );
    }

    #[test]
    fn thousands_of_aliases_are_refused() {
        let fields: String = (0..2_000)
            .map(|i| format!("a{i}: cart {{ id }} "))
            .collect();
        assert!(matches!(
            guard(&format!("{{ {fields} }}")),
            Err(ExpansionError::TooManySelections { .. })
        ));
    }

    #[test]
    fn directive_floods_are_refused() {
        let directives = "@include(if: true) ".repeat(60);
        assert!(matches!(
            guard(&format!("{{ cart {directives} {{ id }} }}")),
            Err(ExpansionError::TooManyDirectives { .. })
        ));
    }

    #[test]
    fn fragment_cycles_are_refused() {
        let query =
            "query { cart { ...A } } fragment A on Cart { ...B } fragment B on Cart { ...A }";
        assert!(matches!(
            guard(query),
            Err(ExpansionError::FragmentCycle(_))
        ));
    }
}
