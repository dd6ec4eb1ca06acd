//! The instruction-count guard of the submission core (issue 19, item 4): instructions per whole
//! message on the hot path (lock, `SubmitMessage`/`EndMessage` per transport, `FinishedMsg`),
//! counted by valgrind's callgrind, which is deterministic where a timed benchmark on a shared
//! machine is not. CI fails when a workload costs more than 10 % over the budget recorded in
//! `benches/instruction-budget.txt`.
//!
//! ```sh
//! cargo run --release --example submission_budget -- check    # what CI runs
//! cargo run --release --example submission_budget -- record   # re-record the budget
//! target/release/examples/submission_budget run r1/t1/q1 1000 # the workload alone, for a profiler
//! ```
//!
//! Each workload runs twice under callgrind, with [`FEW`] and with [`MANY`] messages after the
//! same start-up; the difference divided by `MANY - FEW` is the cost of one message in steady
//! state, free of start-up, of the first messages' table growth and of the process's own start.

use std::process::{Command, ExitCode};

#[path = "../benches/driver/mod.rs"]
mod driver;

/// The workloads guarded, named as the benchmark names them (`messages/r{R}/t{T}/q{Q}` in
/// `benches/submission.rs`): recipients per message, transports, messages queued.
const WORKLOADS: [&str; 3] = ["r1/t1/q1", "r100/t4/q1", "r100/t16/q1"];

/// Messages of the shorter run.
const FEW: usize = 200;

/// Messages of the longer run.
const MANY: usize = 2_200;

/// A workload may cost this much more than its budget: 10 %.
const TOLERANCE: f64 = 0.10;

/// The recorded budget, one `workload instructions` line per workload.
const BUDGET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/instruction-budget.txt");

/// A workload: recipients per message, transports, queue depth.
#[derive(Clone, Copy)]
struct Workload {
    recipients: usize,
    transports: u8,
    depth: usize,
}

impl Workload {
    /// Reads `r<R>/t<T>/q<Q>`.
    fn parse(name: &str) -> Result<Workload, String> {
        let field = |prefix: char| -> Result<usize, String> {
            name.split('/')
                .find_map(|part| part.strip_prefix(prefix))
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| format!("workload {name}: expected r<R>/t<T>/q<Q>"))
        };
        let transports = u8::try_from(field('t')?).map_err(|_| format!("workload {name}: at most 255 transports"))?;
        Ok(Workload { recipients: field('r')?, transports, depth: field('q')? })
    }
}

/// Sends `messages` whole messages of a workload; returns the `SubmitMessage` calls made.
#[inline(never)]
fn run(workload: Workload, messages: usize) -> usize {
    let mut steady = driver::Steady::new(workload.recipients, workload.transports, workload.depth);
    (0..messages).map(|_| steady.one_message()).sum()
}

/// Instructions of one run of this program under callgrind, as it reports them ("Collected").
fn instructions(workload: &str, messages: usize) -> Result<u64, String> {
    let exe = std::env::current_exe().map_err(|e| format!("this program's path: {e}"))?;
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(exe)
        .args(["run", workload, &messages.to_string()])
        .output()
        .map_err(|e| format!("cannot run valgrind ({e}); install it (Debian: apt-get install valgrind)"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("valgrind failed on {workload}:\n{stderr}"));
    }
    stderr
        .lines()
        .find_map(|line| line.split_once("Collected :").and_then(|(_, n)| n.trim().parse().ok()))
        .ok_or_else(|| format!("no \"Collected :\" line in callgrind's output:\n{stderr}"))
}

/// Instructions per message of a workload in steady state.
fn per_message(workload: &str) -> Result<u64, String> {
    let (few, many) = (instructions(workload, FEW)?, instructions(workload, MANY)?);
    let extra = many.checked_sub(few).ok_or_else(|| format!("{workload}: {MANY} messages cost less than {FEW}"))?;
    Ok(extra / (MANY - FEW) as u64)
}

/// The recorded budget: (workload, instructions per message).
fn budget() -> Result<Vec<(String, u64)>, String> {
    let text = std::fs::read_to_string(BUDGET).map_err(|e| format!("{BUDGET}: {e}"))?;
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (name, n) = line.split_once(' ').ok_or_else(|| format!("{BUDGET}: expected `workload instructions`: {line}"))?;
            let n = n.trim().parse().map_err(|_| format!("{BUDGET}: not a count: {line}"))?;
            Ok((name.to_string(), n))
        })
        .collect()
}

/// Measures every workload and compares it with its budget; `Ok(false)` when one is over.
fn check() -> Result<bool, String> {
    let budget = budget()?;
    let mut within = true;
    for workload in WORKLOADS {
        let allowed = budget
            .iter()
            .find(|(name, _)| name == workload)
            .map(|&(_, n)| n)
            .ok_or_else(|| format!("{BUDGET} has no budget for {workload}: re-record it"))?;
        let measured = per_message(workload)?;
        let ratio = measured as f64 / allowed as f64;
        let verdict = if ratio > 1.0 + TOLERANCE {
            within = false;
            "OVER BUDGET"
        } else if ratio < 1.0 - TOLERANCE {
            "well under budget: re-record it to keep the guard tight"
        } else {
            "ok"
        };
        println!("{workload}: {measured} instructions per message, budget {allowed} ({ratio:.3}): {verdict}");
    }
    Ok(within)
}

/// Measures every workload and writes the budget file.
fn record() -> Result<(), String> {
    let mut text = String::from(
        "# Instructions per message of the submission core (callgrind), checked by\n\
         # `cargo run --release --example submission_budget -- check` (in .ci/run), which fails at more than\n\
         # 10 % over. Re-record with `cargo run --release --example submission_budget -- record`, and say why\n\
         # in the commit.\n",
    );
    if let Ok(version) = Command::new("rustc").arg("--version").output() {
        text.push_str(&format!("# Recorded with {}", String::from_utf8_lossy(&version.stdout)));
    }
    for workload in WORKLOADS {
        let measured = per_message(workload)?;
        println!("{workload}: {measured} instructions per message");
        text.push_str(&format!("{workload} {measured}\n"));
    }
    std::fs::write(BUDGET, text).map_err(|e| format!("{BUDGET}: {e}"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match args.as_slice() {
        ["run", workload, messages] => Workload::parse(workload).and_then(|w| {
            let messages = messages.parse().map_err(|_| format!("not a number of messages: {messages}"))?;
            println!("{workload}: {} SubmitMessage calls", run(w, messages));
            Ok(true)
        }),
        ["check"] => check(),
        ["record"] => record().map(|()| true),
        _ => Err("usage: submission_budget check | record | run r<R>/t<T>/q<Q> <messages>".to_string()),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("submission_budget: {message}");
            ExitCode::FAILURE
        }
    }
}
