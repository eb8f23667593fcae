//! `cargo fuzz run selection_guard`: see `cartql::fuzzing::selection_guard`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cartql::fuzzing::selection_guard(data));
