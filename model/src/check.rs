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
}

impl Report {
    /// True when every `always` property holds, every `sometimes` property was reached, and
    /// every kind of world move happened.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.moves_missing.is_empty() && self.properties.iter().all(|p| matches!(p.verdict, Verdict::Holds | Verdict::Reached))
    }

    /// States per second.
    #[must_use]
    pub fn rate(&self) -> f64 {
        self.unique_states as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Explores the whole model and reports. `progress` is called about once a second with the
/// counts so far.
pub fn run(model: SpoolerModel, options: Options, mut progress: impl FnMut(usize, usize, usize, Duration)) -> Report {
    let properties = model.properties();
    let started = Instant::now();
    let mut builder = model.checker().threads(options.threads.max(1));
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
    }
}
