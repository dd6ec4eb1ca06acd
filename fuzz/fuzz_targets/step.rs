//! `cargo fuzz run step`: arbitrary input sequences, decoded from the fuzzer's bytes by the
//! shared harness, against `Spooler::step`. The harness panics (which libFuzzer reports as a
//! crash) when the spooler panics, when a refused input changed the spooler, or when an accepted
//! input broke the one-call-at-a-time contract. With `FUZZ_MONITOR=1` the protocol monitor
//! watches the accepted steps and its first violation is a crash too.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../harness/step.rs"]
mod step;

fuzz_target!(|data: &[u8]| {
    let monitor = std::env::var_os("FUZZ_MONITOR").is_some();
    let summary = step::run(data, monitor);
    if let Some(violation) = summary.violations.first() {
        panic!("the protocol monitor reports: {violation}");
    }
});
