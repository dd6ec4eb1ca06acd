//! `cargo fuzz run trace`: the trace checker on arbitrary text. The fuzzer's bytes are read as
//! a trace file directly (`trace::Lines`: byte order marks, CRLF, UTF-16, bytes that are not
//! UTF-8), as text, and also as edits of a valid recorded trace (`fuzz/seed.jsonl`), which
//! reaches far deeper than random text. The harness panics (a crash for libFuzzer) if the
//! checker panics or gives an inconsistent verdict.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../harness/trace.rs"]
mod trace;

const SEED: &str = include_str!("../seed.jsonl");

fuzz_target!(|data: &[u8]| {
    trace::run_bytes(data);
    trace::run(&String::from_utf8_lossy(data));
    let edited = trace::mutate(SEED, data);
    trace::run_bytes(&edited);
    let text = String::from_utf8_lossy(&edited);
    trace::run(&text);
    trace::run_file(&text);
});
