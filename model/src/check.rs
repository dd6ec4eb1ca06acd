//! Running the model checker and summarising the result.

use std::time::{Duration, Instant};

use stateright::{Checker, Expectation, Model};

use crate::model::SpoolerModel;
use crate::world::Action;

/// How to explore.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Worker threads.
    pub threads: usize,
    /// Depth-first instead of breadth-first.
    pub dfs: bool,
    /// Merge states that differ only by interchangeable messages, recipients or transports (see
    /// [`crate::symmetry`]). stateright reduces by symmetry only in its depth-first search, so
    /// this implies `dfs`.
    pub symmetry: bool,
}

impl Default for Options {
    /// What `check` does without options: two threads, with symmetry reduction (so
    /// depth-first).
    fn default() -> Options {
        Options { threads: 2, dfs: false, symmetry: true }
    }
}

/// Limits that cut a search short; a search they cut short is incomplete
/// ([`Report::cut_short`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// States deeper than this are not explored (the initial state has depth 1).
    pub max_depth: Option<usize>,
    /// The search stops once it generated this many states.
    pub max_states: Option<usize>,
    /// The search stops after this long.
    pub timeout: Option<Duration>,
}

/// The limit that cut a search short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// `--max-depth`: some state at this depth was not explored further.
    Depth(usize),
    /// `--max-states`: the search stopped at this many states.
    States(usize),
    /// `--timeout`: the search stopped after this long.
    Time(Duration),
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::Depth(depth) => write!(f, "--max-depth {depth}: states at depth {depth} were not explored further"),
            Limit::States(states) => write!(f, "--max-states {states}: the search stopped at {states} states"),
            Limit::Time(time) => write!(f, "--timeout {}: the search stopped after {} s", time.as_secs(), time.as_secs()),
        }
    }
}

/// The verdict on one property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// An `always` property held in every state.
    Holds,
    /// A `sometimes` property was reached.
    Reached,
    /// A counterexample: the actions from the initial state to a state that breaks it.
    Broken(Vec<Action>),
    /// A `sometimes` property was never reached.
    Unreached,
}

/// One property with its verdict.
#[derive(Clone, Debug)]
pub struct PropertyResult {
    /// Its name (a catalogue ID for the safety and liveness properties).
    pub name: &'static str,
    /// `always` or `sometimes`.
    pub kind: &'static str,
    /// The verdict.
    pub verdict: Verdict,
}

/// What one run found.
#[derive(Clone, Debug)]
pub struct Report {
    /// States generated, with repeats.
    pub states: usize,
    /// Distinct states.
    pub unique_states: usize,
    /// The greatest depth reached.
    pub max_depth: usize,
    /// Wall-clock time.
    pub elapsed: Duration,
    /// Every property and its verdict.
    pub properties: Vec<PropertyResult>,
    /// The kinds of world move the configuration allows that never happened in the run.
    pub moves_missing: Vec<&'static str>,
    /// The kinds of input and the documented flags the world fed the spooler in the run (see
    /// [`crate::coverage`]); the suite needs each in some world.
    pub inputs_reached: std::collections::BTreeSet<String>,
    /// The limit that cut the search short, if one did: then a property that holds held in the
    /// part searched, and a guard not reached may lie beyond it.
    pub cut_short: Option<Limit>,
}

impl Report {
    /// True when every `always` property holds, every `sometimes` property was reached, and
    /// every kind of world move happened.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.moves_missing.is_empty() && self.properties.iter().all(|p| matches!(p.verdict, Verdict::Holds | Verdict::Reached))
    }

    /// The command line's verdict: a broken property first, then a search cut short, then a
    /// guard never reached or a move that never happened.
    #[must_use]
    pub fn outcome(&self) -> crate::Exit {
        if self.properties.iter().any(|p| matches!(p.verdict, Verdict::Broken(_))) {
            crate::Exit::Broken
        } else if self.cut_short.is_some() {
            crate::Exit::Incomplete
        } else if self.is_clean() {
            crate::Exit::Holds
        } else {
            crate::Exit::Vacuous
        }
    }

    /// States per second.
    #[must_use]
    pub fn rate(&self) -> f64 {
        self.unique_states as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Explores the whole model and reports. `progress` is called about once a second with the
/// counts so far.
pub fn run(model: SpoolerModel, options: Options, progress: impl FnMut(usize, usize, usize, Duration)) -> Report {
    run_within(model, options, Limits::default(), progress)
}

/// [`run`], stopping at the first of the `limits` reached.
pub fn run_within(
    model: SpoolerModel,
    options: Options,
    limits: Limits,
    mut progress: impl FnMut(usize, usize, usize, Duration),
) -> Report {
    let properties = model.properties();
    let started = Instant::now();
    let mut builder = model.checker().threads(options.threads.max(1));
    if let Some(depth) = limits.max_depth {
        builder = builder.target_max_depth(depth);
    }
    if let Some(states) = limits.max_states {
        builder = builder.target_state_count(states);
    }
    if let Some(timeout) = limits.timeout {
        builder = builder.timeout(timeout);
    }
    if options.symmetry {
        builder = builder.symmetry_fn(crate::symmetry::representative);
    }
    let checker: Box<dyn Checker<SpoolerModel>> =
        if options.dfs || options.symmetry { Box::new(builder.spawn_dfs()) } else { Box::new(builder.spawn_bfs()) };
    // Polled often, so that the elapsed time is exact to about a millisecond (benchmarks read it);
    // progress is reported about once a second.
    let mut next_progress = Duration::from_secs(1);
    while !checker.is_done() {
        std::thread::sleep(Duration::from_millis(1));
        if started.elapsed() >= next_progress {
            progress(checker.state_count(), checker.unique_state_count(), checker.max_depth(), started.elapsed());
            next_progress += Duration::from_secs(1);
        }
    }
    let elapsed = started.elapsed();
    let discoveries = checker.discoveries();
    let results = properties
        .iter()
        .map(|p| {
            let found = discoveries.get(p.name).map(|path| path.clone().into_actions());
            let (kind, verdict) = match (p.expectation.clone(), found) {
                (Expectation::Sometimes, Some(_)) => ("sometimes", Verdict::Reached),
                (Expectation::Sometimes, None) => ("sometimes", Verdict::Unreached),
                (Expectation::Always, Some(actions)) => ("always", Verdict::Broken(actions)),
                (Expectation::Always, None) => ("always", Verdict::Holds),
                (Expectation::Eventually, Some(actions)) => ("eventually", Verdict::Broken(actions)),
                (Expectation::Eventually, None) => ("eventually", Verdict::Holds),
            };
            PropertyResult { name: p.name, kind, verdict }
        })
        .collect();
    let cut_short = match limits {
        Limits { max_depth: Some(depth), .. } if checker.max_depth() >= depth => Some(Limit::Depth(depth)),
        Limits { max_states: Some(states), .. } if checker.state_count() >= states => Some(Limit::States(states)),
        Limits { timeout: Some(time), .. } if elapsed >= time => Some(Limit::Time(time)),
        _ => None,
    };
    let model = checker.model();
    let seen = model.moves_seen();
    let moves_missing = model.moves_possible().into_iter().filter(|m| !seen.contains(m)).collect();
    Report {
        states: checker.state_count(),
        unique_states: checker.unique_state_count(),
        max_depth: checker.max_depth(),
        elapsed,
        properties: results,
        moves_missing,
        inputs_reached: model.inputs_reached(),
        cut_short,
    }
}
