//! Benchmarks of model checking (issue 8, part 3): unique states per second of the spooler model
//! with one and two threads, breadth-first, depth-first and depth-first with symmetry reduction;
//! memory per unique state; and a textbook two-phase commit ([`two_phase`]) checked the same way
//! with the same stateright, as the baseline.
//!
//! Two parts:
//!
//! * Criterion benchmarks (`check/...`) of a mid-size world, [`mid`] (165,369 unique states
//!   without symmetry reduction, 78,136 with it), against two-phase commit with
//!   [`BASELINE_MID`] resource managers ([`BASELINE_MID_SYMMETRY`] with symmetry reduction).
//!   Criterion's throughput is unique states per second. Each sample is one whole check, so
//!   criterion warns that it cannot complete ten samples in the target time: that is expected.
//! * One run each of the default world, [`Config::default`] (what `mapi-spooler check` checks:
//!   3,141,794 unique states with symmetry reduction, 9,525,800 without), against two-phase commit
//!   with [`BASELINE_FULL`] resource managers (10,340,352 unique states) and, for symmetry
//!   reduction, [`BASELINE_FULL_SYMMETRY`]. A check of the default world takes up to a minute and
//!   a half, too long to repeat ten times, so these runs are timed once, printed as a table, and
//!   written to `target/criterion/check-full.md`. Each of these checks runs in a fresh process
//!   (the benchmark binary again, with [`ONE_CHECK`] set), so that its peak resident set is its
//!   own. Memory per unique state is the growth of that process's peak resident set over the
//!   check (`VmHWM` minus `VmRSS` at the start, from `/proc/self/status`) divided by the unique
//!   states: it counts the checker's table of fingerprints, the states waiting to be explored
//!   and the allocator's overhead.
//!
//! `cargo bench --bench check` runs both; `cargo bench --bench check -- check/` only the
//! criterion part, `cargo bench --bench check -- full` only the one-shot part. `benches/README.md`
//! has the figures and the targets.

mod two_phase;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use mapi_spooler_model::check::{self, Options};
use mapi_spooler_model::{Config, SpoolerModel};
use stateright::{Checker, Model};

use two_phase::TwoPhase;

/// Resource managers of the baseline next to the mid-size world: 296,448 unique states (50,816
/// with 6, 1,745,408 with 8).
const BASELINE_MID: u8 = 7;

/// Resource managers of the baseline next to the default world: 10,340,352 unique states, about
/// as many as the default world without symmetry reduction (9,525,800).
const BASELINE_FULL: u8 = 9;

/// Resource managers of the baseline with symmetry reduction next to the mid-size world: 16,336
/// unique states.
///
/// Reduced, two-phase commit grows slowly and gets slower per state as it grows: each state has
/// a successor per resource manager, and each successor is cloned, renamed and hashed whole.
/// 54,922 states at 20 resource managers take about 5 s, 145,808 at 25 about 18 s, 330,119 at
/// 30 about a minute (one thread). A reduced baseline as large as the reduced default world
/// (3,141,794 states) is out of reach; a smaller one explores faster per state, so comparing
/// with it is the stricter test.
const BASELINE_MID_SYMMETRY: u8 = 15;

/// Resource managers of the baseline with symmetry reduction next to the default world: 54,922
/// unique states (see [`BASELINE_MID_SYMMETRY`]).
const BASELINE_FULL_SYMMETRY: u8 = 20;

/// The mid-size world: the default world with a fault budget of one, no disable and no idle
/// time (the world of the pinned 165,369 in `model/tests/check.rs`).
fn mid() -> Config {
    Config { fault_budget: 1, disables: 0, idles: 0, ..Config::default() }
}

/// How a run explores.
#[derive(Clone, Copy, Debug)]
enum Search {
    /// Breadth-first, no symmetry reduction.
    Bfs,
    /// Depth-first, no symmetry reduction.
    Dfs,
    /// Depth-first with symmetry reduction (the default of `mapi-spooler check`).
    Symmetry,
}

impl Search {
    const ALL: [Search; 3] = [Search::Bfs, Search::Dfs, Search::Symmetry];

    fn name(self) -> &'static str {
        match self {
            Search::Bfs => "bfs",
            Search::Dfs => "dfs",
            Search::Symmetry => "symmetry",
        }
    }

    fn options(self, threads: usize) -> Options {
        Options { threads, dfs: !matches!(self, Search::Bfs), symmetry: matches!(self, Search::Symmetry) }
    }
}

/// One exhaustive check of the spooler model: its unique states, after checking that every
/// property holds.
fn spooler(config: &Config, search: Search, threads: usize) -> usize {
    let model = SpoolerModel::new(config.clone()).expect("valid configuration");
    let report = check::run(model, search.options(threads), |_, _, _, _| {});
    assert!(report.is_clean(), "a property failed or a move never happened: {:?}", report.properties);
    report.unique_states
}

/// One exhaustive check of two-phase commit with `rms` resource managers: its unique states,
/// after checking its properties.
fn baseline(rms: u8, search: Search, threads: usize) -> usize {
    let builder = TwoPhase { rms }.checker().threads(threads);
    let checker: Box<dyn Checker<TwoPhase>> = match search {
        Search::Bfs => Box::new(builder.spawn_bfs().join()),
        Search::Dfs => Box::new(builder.spawn_dfs().join()),
        Search::Symmetry => Box::new(builder.symmetry_fn(two_phase::representative).spawn_dfs().join()),
    };
    checker.assert_properties();
    checker.unique_state_count()
}

/// The criterion part: the mid-size world and its baseline, each search with one and two
/// threads, ten samples of one check each.
fn mid_size(c: &mut Criterion) {
    let mut group = c.benchmark_group("check");
    group.sample_size(10).sampling_mode(SamplingMode::Flat).warm_up_time(Duration::from_millis(1));
    let spooler_mid = mid();
    let mut add = |name: &str, run: &dyn Fn(Search, usize) -> usize| {
        for search in Search::ALL {
            for threads in [1, 2] {
                // One check first: its unique states are the throughput. A measurement time of
                // five checks makes criterion take one check per sample.
                let started = Instant::now();
                let unique = run(search, threads);
                group.throughput(Throughput::Elements(unique as u64));
                group.measurement_time(started.elapsed().mul_f64(5.0));
                let id = BenchmarkId::new(format!("{name}/{}", search.name()), format!("t{threads}"));
                group.bench_function(id, |b| b.iter(|| assert_eq!(run(search, threads), unique)));
            }
        }
    };
    add("spooler", &|search, threads| spooler(&spooler_mid, search, threads));
    add("2pc", &|search, threads| {
        baseline(if matches!(search, Search::Symmetry) { BASELINE_MID_SYMMETRY } else { BASELINE_MID }, search, threads)
    });
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// The one-shot part: the default world
// ---------------------------------------------------------------------------------------------

/// A kilobyte figure of `/proc/self/status`.
fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.trim().strip_suffix("kB")?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

/// The environment variable that makes the benchmark binary run one check of the one-shot part
/// and print its figures instead of benchmarking: `spooler/<search>/<threads>` or
/// `2pc-<resource managers>/<search>/<threads>`.
const ONE_CHECK: &str = "CHECK_BENCH_ONE";

/// Runs the check `spec` names (see [`ONE_CHECK`]) in this process and prints its unique states,
/// its wall-clock nanoseconds and how far the peak resident set rose above the resident set at
/// the start, in bytes.
fn one_check(spec: &str) {
    let parts: Vec<&str> = spec.split('/').collect();
    let [model, search, threads] = parts.as_slice() else { panic!("{ONE_CHECK}={spec}: expected model/search/threads") };
    let search = Search::ALL.into_iter().find(|s| s.name() == *search).unwrap_or_else(|| panic!("{ONE_CHECK}={spec}: no such search"));
    let threads: usize = threads.parse().unwrap_or_else(|_| panic!("{ONE_CHECK}={spec}: bad thread count"));
    let before = status_kb("VmRSS:");
    let started = Instant::now();
    let unique = match model.strip_prefix("2pc-") {
        Some(rms) => baseline(rms.parse().expect("resource managers"), search, threads),
        None => spooler(&Config::default(), search, threads),
    };
    let elapsed = started.elapsed();
    let peak = status_kb("VmHWM:");
    println!("{unique} {} {}", elapsed.as_nanos(), peak.saturating_sub(before) * 1024);
}

/// Runs one check of the one-shot part in a fresh process, so that its peak resident set is its
/// own: its unique states, its wall-clock time and its memory in bytes.
fn measure(model: &str, search: Search, threads: usize) -> (usize, Duration, u64) {
    let spec = format!("{model}/{}/{threads}", search.name());
    let exe = std::env::current_exe().expect("the benchmark binary");
    let output = std::process::Command::new(exe).env(ONE_CHECK, &spec).output().expect("run one check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{spec} failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    let figures: Vec<u64> = stdout.split_whitespace().map(|n| n.parse().expect("a figure")).collect();
    let [unique, nanos, memory] = figures.as_slice() else { panic!("{spec}: unexpected output {stdout}") };
    (*unique as usize, Duration::from_nanos(*nanos), *memory)
}

/// One row of the one-shot table.
struct Row {
    model: String,
    search: Search,
    threads: usize,
    unique: usize,
    elapsed: Duration,
    memory: u64,
}

impl Row {
    fn rate(&self) -> f64 {
        self.unique as f64 / self.elapsed.as_secs_f64()
    }
}

/// The one-shot part: the default world and its baselines, each search with one and two threads,
/// once each.
fn full_size() {
    let mut rows: Vec<Row> = Vec::new();
    let mut record = |model: String, search: Search, threads: usize| {
        let (unique, elapsed, memory) = measure(&model, search, threads);
        let row = Row { model, search, threads, unique, elapsed, memory };
        eprintln!(
            "full/{}/{}/t{}: {} unique states in {:.2} s = {:.0} states/s, {:.0} bytes per state",
            row.model,
            search.name(),
            threads,
            unique,
            elapsed.as_secs_f64(),
            row.rate(),
            memory as f64 / unique as f64
        );
        rows.push(row);
    };
    for search in Search::ALL {
        for threads in [1, 2] {
            record("spooler".into(), search, threads);
            let rms = if matches!(search, Search::Symmetry) { BASELINE_FULL_SYMMETRY } else { BASELINE_FULL };
            record(format!("2pc-{rms}"), search, threads);
        }
    }

    let mut table = String::from(
        "| Model | Search | Threads | Unique states | Seconds | States/s | Bytes per state | 2 threads / 1 | Spooler / baseline |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for (i, row) in rows.iter().enumerate() {
        let one_thread = rows.iter().find(|r| r.model == row.model && r.search.name() == row.search.name() && r.threads == 1);
        let speed_up = match one_thread {
            Some(one) if row.threads == 2 => format!("{:.2}", row.rate() / one.rate()),
            _ => String::new(),
        };
        // The baseline row follows its spooler row.
        let ratio = if row.model == "spooler" { format!("{:.2}", row.rate() / rows[i + 1].rate()) } else { String::new() };
        writeln!(
            table,
            "| {} | {} | {} | {} | {:.2} | {:.0} | {:.0} | {speed_up} | {ratio} |",
            row.model,
            row.search.name(),
            row.threads,
            row.unique,
            row.elapsed.as_secs_f64(),
            row.rate(),
            row.memory as f64 / row.unique as f64
        )
        .expect("write to a string");
    }
    println!("\nThe default world, one run each:\n\n{table}");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion/check-full.md");
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create target/criterion");
    }
    std::fs::write(&path, table).expect("write target/criterion/check-full.md");
}

/// Criterion's part, then the one-shot part. A filter argument (as in
/// `cargo bench --bench check -- check/spooler`) selects criterion benchmarks; the one-shot part
/// runs when there is no filter or the filter is `full`. Neither `--test` nor `--list` runs it.
/// With [`ONE_CHECK`] set, the binary runs that one check instead.
fn main() {
    if let Ok(spec) = std::env::var(ONE_CHECK) {
        one_check(&spec);
        return;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filter = args.iter().find(|a| !a.starts_with('-'));
    let quick = args.iter().any(|a| a == "--test" || a == "--list");
    let mut criterion = Criterion::default().configure_from_args();
    if filter.is_none_or(|f| f != "full") {
        mid_size(&mut criterion);
        criterion.final_summary();
    }
    if !quick && filter.is_none_or(|f| f == "full") {
        full_size();
    }
}
