//! `cargo fuzz run json_request`: see `cartql::fuzzing::json_request`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cartql::fuzzing::json_request(data));
