//! The compiled path for cart views. A query that asks only for `cart` and `cartSummary`
//! with plain projections of the cart, its lines, products, shops, media and money is
//! compiled once (per document, operation and variables) into a plan that writes the JSON
//! response straight from the service's view. async-graphql still parses and validates
//! every such operation the first time it is seen with those variables, and answers anything
//! the plan cannot (another field, directive or type condition, an error, introspection,
//! mutations): the plan only ever repeats an answer async-graphql would give, faster.
//!
//! Why: a cart view resolves ~15 fields per line, and async-graphql spends most of a view's
//! CPU on the machinery around each one (a boxed future, a context, a value tree) rather than
//! in the resolvers. The plan calls the same resolvers, so a field is defined once.

mod cart;
mod catalog;
mod collect;
mod fields;
mod json;
mod plan;
mod summary;

use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::{
    Variables,
    parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition, OperationType},
};
use sea_orm::DatabaseConnection;

use crate::{
    auth::Viewer,
    domain::Locale,
    graphql::types::{Cart, CartSummary},
    service::{
        CartSettings,
        cart::{self as carts, Include},
    },
};
use collect::Source;
use json::Out;
use plan::{Compiler, Selection};

/// Plans kept per document: one per distinct operation name and variables.
const PLANS_PER_DOCUMENT: usize = 8;

/// The compiled view path, when it is on (`CARTQL_COMPILED_VIEWS`).
#[derive(Clone)]
pub struct CompiledViews {
    pub settings: CartSettings,
    /// `Money.formatted`'s locale when the operation gives none (`CARTQL_LOCALE`).
    pub locale: Locale,
}

/// A document's plans, kept beside it in the document cache.
#[derive(Default)]
pub struct ViewPlans(Mutex<Vec<(String, Option<Arc<Plan>>)>>);

/// What a document's cache entry says of one operation and variables.
pub enum Known {
    /// async-graphql answered it without errors: answer with this plan (or, `None`, on
    /// async-graphql: the operation is not one the plan can write).
    Answered(Option<Arc<Plan>>),
    /// Not seen yet (or not answered without errors): async-graphql answers.
    Unseen,
}

impl ViewPlans {
    /// The key of an operation and its variables.
    pub fn key(operation_name: Option<&str>, variables: &Variables) -> String {
        let variables = serde_json::to_string(variables).unwrap_or_default();
        format!("{}\n{variables}", operation_name.unwrap_or(""))
    }

    pub fn known(&self, key: &str) -> Known {
        match self.lock().iter().find(|(k, _)| k == key) {
            Some((_, plan)) => Known::Answered(plan.clone()),
            None => Known::Unseen,
        }
    }

    /// Records that async-graphql answered `key` without errors, with the plan compiled for
    /// it (if any).
    pub fn answered(&self, key: String, plan: Option<Plan>) {
        let mut plans = self.lock();
        if plans.iter().any(|(k, _)| *k == key) {
            return;
        }
        if plans.len() == PLANS_PER_DOCUMENT {
            plans.remove(0);
        }
        plans.push((key, plan.map(Arc::new)));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, Option<Arc<Plan>>)>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An operation compiled: its root fields in response order.
pub struct Plan {
    roots: Vec<(Box<str>, Root)>,
}

enum Root {
    Typename,
    Cart(Selection<Cart>, Include),
    Summary(Selection<CartSummary>),
}

/// Compiles the operation a request runs, or `None` when it is not a cart view this path
/// writes.
pub fn compile(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    locale: &Locale,
) -> Option<Plan> {
    let operation = selected(document, operation_name)?;
    if operation.ty != OperationType::Query || !operation.directives.is_empty() {
        return None;
    }
    let source = || Source {
        document,
        definitions: &operation.variable_definitions,
        variables,
    };
    let collected = source().collect(&[&operation.selection_set.node], "Query")?;
    let mut roots = Vec::with_capacity(collected.len());
    for field in &collected {
        if !field.arguments.is_empty() {
            return None;
        }
        // A compiler per root field: each `cart` reads what its own selection needs.
        let compiler = Compiler::new(source(), locale.clone());
        let root = match field.name {
            "__typename" => Root::Typename,
            "cart" => Root::Cart(compiler.selection(field)?, compiler.include()),
            "cartSummary" => Root::Summary(compiler.selection(field)?),
            _ => return None,
        };
        roots.push((field.key.into(), root));
    }
    Some(Plan { roots })
}

/// The operation a request names, or its only one.
fn selected<'d>(
    document: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<&'d OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), None) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        _ => None,
    }
}

impl CompiledViews {
    /// The response body `plan` writes for `viewer`, or `None` when the plan cannot answer
    /// (the database failed, or a resolver refused): async-graphql then answers.
    pub async fn answer(
        &self,
        plan: &Plan,
        db: &DatabaseConnection,
        viewer: &Viewer,
    ) -> Option<String> {
        let mut out = Out::with_capacity(4096);
        out.begin_object();
        out.key("data");
        if plan.roots.is_empty() {
            // Every root field skipped: no data, as async-graphql answers.
            out.null();
            out.end_object();
            return Some(out.into_string());
        }
        out.begin_object();
        for (key, root) in &plan.roots {
            out.key(key);
            match root {
                Root::Typename => out.string("Query"),
                Root::Cart(selection, include) => {
                    match carts::viewer_cart(db, viewer, *include).await.ok()? {
                        Some(view) => selection.write(&Cart::new(view, self.settings), &mut out)?,
                        None => out.null(),
                    }
                }
                Root::Summary(selection) => {
                    let include = Include {
                        prices: true,
                        ..Include::default()
                    };
                    let view = carts::viewer_cart(db, viewer, include).await.ok()?;
                    selection.write(&CartSummary::new(view, self.settings), &mut out)?;
                }
            }
        }
        out.end_object();
        out.end_object();
        Some(out.into_string())
    }
}
