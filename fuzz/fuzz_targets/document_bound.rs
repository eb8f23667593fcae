//! `cargo fuzz run document_bound`: see `cartql::fuzzing::document_bound`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cartql::fuzzing::document_bound(data));
