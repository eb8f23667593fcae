//! What the coverage-guided fuzz targets (`fuzz/`, run with `cargo fuzz`) exercise, kept in
//! the library so that the seed corpus also runs on stable Rust in `cargo test`.
//!
//! Each function takes arbitrary bytes and must return without panicking, aborting or
//! overflowing the stack; the assertions inside are the properties the fuzzer hunts for.

use async_graphql::{
    Variables,
    parser::{parse_query, types::DocumentOperations},
};

use crate::{
    graphql::{
        bounds,
        expansion::{self, DocumentLimits},
        root_fields::root_field_names,
    },
    http::graphql::parse_request,
};

/// Limits as tight as production's, so that the expansion check's refusals are reached often.
const LIMITS: DocumentLimits = DocumentLimits {
    max_selections: 2_000,
    max_directives: 50,
};

/// The document bound: anything it accepts parses (or fails to parse) without overflowing
/// the stack of a thread smaller than a runtime worker's.
pub fn document_bound(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if bounds::check(text).is_err() {
        return;
    }
    let text = text.to_owned();
    let parsed = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || parse_query(&text).is_ok())
        .map(|thread| thread.join());
    assert!(
        matches!(parsed, Ok(Ok(_))),
        "a bounded document overflowed the parser"
    );
}

/// The fragment-expansion check (the "selection guard" target) and the root-field walk on any document that parses: they finish
/// (fragment cycles and bombs included) and never panic.
pub fn selection_guard(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if bounds::check(text).is_err() {
        return;
    }
    let Ok(document) = parse_query(text) else {
        return;
    };
    // Cycles are refused by the expansion check; the walk below only runs where execution would.
    if expansion::check(&document, LIMITS).is_err() {
        return;
    }
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(op) => vec![&op.node],
        DocumentOperations::Multiple(ops) => ops.values().map(|op| &op.node).collect(),
    };
    for operation in operations {
        let fields = root_field_names(&document, operation, &Variables::default());
        assert!(fields.len() as u64 <= LIMITS.max_selections);
    }
}

/// The JSON request parser of `POST /graphql`, then the document path above.
pub fn json_request(data: &[u8]) {
    if let Ok(request) = parse_request(data) {
        selection_guard(request.query.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// Every file of the committed seed corpus (and any crash the fuzzer saved into it) runs
    /// through its target on every `cargo test`.
    #[test]
    fn the_seed_corpus_passes_every_target() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        type Target = fn(&[u8]);
        let targets: [(&str, Target); 3] = [
            ("document_bound", document_bound),
            ("selection_guard", selection_guard),
            ("json_request", json_request),
        ];
        for (name, target) in targets {
            let dir = root.join(name);
            let entries = std::fs::read_dir(&dir).expect("a seed corpus per target");
            let mut seeds = 0;
            for entry in entries {
                let path = entry.expect("an entry").path();
                target(&std::fs::read(&path).expect("a seed"));
                seeds += 1;
            }
            assert!(seeds >= 5, "{name} has a seed corpus ({seeds} files)");
        }
    }
}
