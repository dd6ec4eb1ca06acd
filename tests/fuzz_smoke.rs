//! The `cargo fuzz` target on the step function (`fuzz/fuzz_targets/step.rs`), run as a bounded
//! smoke test under `cargo test`: the same harness (`fuzz/harness/step.rs`) is fed seeded
//! pseudo-random byte strings instead of the fuzzer's, so the target's checks run in every CI
//! run without a nightly toolchain. `fuzz/README.md` says how to run the real fuzzer.
//!
//! `FUZZ_SMOKE_RUNS=N` changes the number of byte strings (default [`RUNS`]).

#[path = "../fuzz/harness/step.rs"]
mod step;

#[path = "../fuzz/harness/trace.rs"]
mod trace;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use mapi_spooler::sim::SplitMix64;

/// Byte strings per `cargo test` run (about 3 s at opt-level 2 on this machine).
const RUNS: usize = 15_000;

/// A seeded byte string of 0 to 4 KiB.
fn bytes(rng: &mut SplitMix64) -> Vec<u8> {
    let len = rng.below(4096) as usize;
    (0..len).map(|_| rng.next_u64() as u8).collect()
}

/// Thousands of pseudo-random byte strings through the step-function fuzz target: the spooler
/// never panics, every refusal leaves it unchanged, and every accepted input makes at most one
/// call, only when it may, which is then the call in flight. The byte strings reach deep enough
/// that the session runs and messages are handed to transports.
#[test]
fn the_step_fuzz_target_holds_on_seeded_byte_strings() {
    // Spec: AMB-20
    let runs = std::env::var("FUZZ_SMOKE_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(RUNS);
    let started = Instant::now();
    let mut rng = SplitMix64::new(0x5EED_F022);
    let (mut accepted, mut refused, mut submits, mut ran) = (0, 0, 0, 0);
    for run in 0..runs {
        let data = bytes(&mut rng);
        let summary = match catch_unwind(AssertUnwindSafe(|| step::run(&data, false))) {
            Ok(summary) => summary,
            Err(panic) => {
                let text = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()));
                panic!("run {run}: the step target failed on these bytes: {data:?}\n{}", text.unwrap_or_default());
            }
        };
        accepted += summary.accepted;
        refused += summary.refused;
        submits += summary.submits;
        ran += usize::from(summary.ran);
    }
    eprintln!(
        "step fuzz smoke: {runs} byte strings, {accepted} inputs accepted, {refused} refused, {submits} SubmitMessage calls, {ran} sessions running, in {:.1?}",
        started.elapsed()
    );
    assert!(accepted > 50 * runs && refused > 20 * runs, "accepted {accepted}, refused {refused}");
    assert!(ran > runs / 2 && submits > runs, "the byte strings do not reach the running session: {ran} running, {submits} submits");
}

/// Edited traces per `cargo test` run.
const TRACE_RUNS: usize = 20_000;

/// Thousands of edits of a valid recorded trace (`fuzz/seed.jsonl`), and random bytes, through
/// the trace checker's fuzz target, as bytes of a file and as text: the reader and the checker
/// never panic, their verdicts are consistent, a text reads alike as lines, as a file and as a
/// file saved on Windows, and the edits reach all three verdicts (conforms, diverges, not a
/// valid trace).
#[test]
fn the_trace_fuzz_target_holds_on_edited_traces() {
    // Spec: AMB-20
    const SEED: &str = include_str!("../fuzz/seed.jsonl");
    assert_eq!(trace::run(SEED), 0, "the seed trace conforms");
    let runs = std::env::var("FUZZ_SMOKE_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(TRACE_RUNS);
    let started = Instant::now();
    let mut rng = SplitMix64::new(0x7EAC_E5EED);
    let mut verdicts = [0usize; 3];
    for run in 0..runs {
        let len = 2 + rng.below(12) as usize;
        let data: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        let bytes = if run % 10 == 0 { data.clone() } else { trace::mutate(SEED, &data) };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        // Every fifth run also as a file: its bytes, and its text as it is and as saved on
        // Windows (each a whole check more).
        if run % 5 == 0 && catch_unwind(AssertUnwindSafe(|| (trace::run_bytes(&bytes), trace::run_file(&text)))).is_err() {
            panic!("run {run}: the trace reader failed on these bytes: {bytes:?}");
        }
        match catch_unwind(AssertUnwindSafe(|| trace::run(&text))) {
            Ok(code) => verdicts[usize::from(code)] += 1,
            Err(_) => panic!("run {run}: the trace checker failed on these edits: {data:?}\n{text}"),
        }
    }
    eprintln!(
        "trace fuzz smoke: {runs} texts: {} conform, {} diverge, {} invalid, in {:.1?}",
        verdicts[0],
        verdicts[1],
        verdicts[2],
        started.elapsed()
    );
    assert!(verdicts.iter().all(|n| *n > runs / 100), "the edits do not reach every verdict: {verdicts:?}");
}
