//! `mapi-spooler readings`: every reading of every ambiguity of the documentation, and for each
//! executable one a model-checked verdict (issue 15).
//!
//! The readings themselves are data in the core crate ([`mapi_spooler::readings`]). Here each
//! executable reading other than today's decision gets a [`Target`]: the smallest world of the
//! suite ([`Config::suite`]) whose moves can make it differ from the default, and why; the
//! world is checked with the reading chosen in [`Config::settings`], so that the spooler, the
//! world double and the monitor all follow it. A reading that breaks a property is a finding
//! about the documentation, not a failure of the command.
//!
//! [`listing`] and [`markdown`] make `spec/ambiguities.md`: every question with its readings and
//! their status, then the verdicts of the last full run. `model/tests/readings.rs` keeps the
//! file current.

use std::fmt::Write as _;

use mapi_spooler::readings::{QUESTIONS, Readings, Status};

use crate::check::{self, Options, Report, Verdict};
use crate::config::{Config, Fault};

/// What a run changes besides the reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sweep {
    /// Nothing: the reading chosen is the whole difference.
    None,
    /// AMB-36 `busy-any-delay`: the retry after `MAPI_E_BUSY` comes after any positive delay.
    /// Since the world passes time to the next end of a delay, a delay matters only by its
    /// order against the others (5 s for `MAPI_E_WAIT` and `MAPI_E_NETWORK_ERROR`, 60 s for
    /// `END_RESEND_LATER` and other failures), so one run per order: [`Sweep::DELAYS`].
    Busy,
    /// AMB-18 `resend-later-any-delay`: the same for the delay after `END_RESEND_LATER`.
    ResendLater,
}

impl Sweep {
    /// One delay in each order against the world's other delays that today's setting is not
    /// in: equal to the 5 s of `MAPI_E_WAIT`, between 5 and 60 s, equal to the 60 s of other
    /// failures, above 60 s. (Today's 1 s for busy is below every other; today's 60 s for
    /// resend-later is equal to the failures'.)
    pub const DELAYS: [u32; 4] = [5, 30, 60, 90];
}

/// An executable reading and the world that checks it.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The reading's name ([`mapi_spooler::readings::Reading::name`]).
    pub reading: &'static str,
    /// The suite world that checks it (a name of [`Config::suite`]), or `None` when no suite
    /// world has a move that makes it differ.
    pub world: Option<&'static str>,
    /// Why that world is the smallest that exercises the reading, or why none does.
    pub why: &'static str,
    /// What else the runs change.
    pub sweep: Sweep,
    /// A small world for `cargo test`'s bounded run, if the reading has one.
    pub small: Option<fn() -> Config>,
}

/// Every executable reading other than today's decisions, with its world.
pub const TARGETS: &[Target] = &[
    Target {
        reading: "fourteen-steps",
        world: Some("status objects, flushes, critical sections"),
        why: "the only suite world with flushes (a client's FlushQueues and a transport setting its flush bits)",
        sweep: Sweep::None,
        small: Some(|| Config { flushes: 1, inbound: 1, ..Config::small() }),
    },
    Target {
        reading: "newmail-per-message",
        world: Some("reception and inbound cancels, pushed"),
        why: "the smallest suite world whose transport announces inbound mail with NOTIFY_NEWMAIL, with two messages waiting, so the second needs its own notification",
        sweep: Sweep::None,
        small: Some(|| Config { inbound: 2, ..Config::small() }),
    },
    Target {
        reading: "forward-requery-on-success",
        world: Some("status objects, flushes, critical sections"),
        why: "the only suite world with ValidateState(CONFIG_CHANGED); its critical sections make a transport answer MAPI_E_BUSY",
        sweep: Sweep::None,
        small: Some(|| Config { status_calls: 1, critsecs: 1, ..Config::small() }),
    },
    delay_target("busy-any-delay", Sweep::Busy, || Config {
        messages: 2,
        fault_budget: 2,
        faults: [Fault::Busy, Fault::Wait].into_iter().collect(),
        ..Config::small()
    }),
    delay_target("resend-later-any-delay", Sweep::ResendLater, || Config {
        messages: 2,
        fault_budget: 2,
        faults: [Fault::Resend, Fault::Wait].into_iter().collect(),
        ..Config::small()
    }),
    Target {
        reading: "global-fifo",
        world: Some("default"),
        why: "the smallest suite world with more than one message in flight at once: a partial take, a disable or a delay lets a later message overtake an older one through another transport",
        sweep: Sweep::None,
        small: Some(|| Config { messages: 2, disables: 1, ..Config::small() }),
    },
    Target {
        reading: "pure-priority",
        world: None,
        why: "no suite world has a UID registration: the model's transports register address types only (tests/readings.rs shows the reading's routing)",
        sweep: Sweep::None,
        small: None,
    },
    Target {
        reading: "delays-stand",
        world: None,
        why: "no suite world has a transport send NOTIFY_READYTOSEND (tests/readings.rs shows the reading's delays)",
        sweep: Sweep::None,
        small: None,
    },
];

/// A reading of a delay, checked in the default world at every order of the delay.
const fn delay_target(reading: &'static str, sweep: Sweep, small: fn() -> Config) -> Target {
    Target {
        reading,
        world: Some("default"),
        why: "the smallest suite world with a fault budget of two, so that the delay can be pending beside another; one run per order of the delay against the world's others",
        sweep,
        small: Some(small),
    }
}

impl Target {
    /// The readings with this one chosen.
    ///
    /// # Panics
    /// Never for a target of [`TARGETS`]: a test checks every name.
    #[must_use]
    pub fn readings(&self) -> Readings {
        Readings::default().with(self.reading).expect("a declared reading")
    }

    /// The suite world that checks it.
    #[must_use]
    pub fn suite_world(&self) -> Option<Config> {
        let name = self.world?;
        Config::suite().into_iter().find(|(n, _)| *n == name).map(|(_, c)| c)
    }

    /// The runs that check it in `world`: one, or one per delay of its sweep, each labelled.
    #[must_use]
    pub fn runs(&self, world: &Config) -> Vec<(String, Config)> {
        let mut base = world.clone();
        base.settings.readings = self.readings();
        match self.sweep {
            Sweep::None => vec![(self.reading.to_owned(), base)],
            Sweep::Busy | Sweep::ResendLater => Sweep::DELAYS
                .iter()
                .filter(|d| **d != if self.sweep == Sweep::Busy { base.settings.busy_retry_secs } else { base.settings.resend_later_secs })
                .map(|&delay| {
                    let mut config = base.clone();
                    let what = if self.sweep == Sweep::Busy {
                        config.settings.busy_retry_secs = delay;
                        "busy retry"
                    } else {
                        config.settings.resend_later_secs = delay;
                        "resend-later"
                    };
                    (format!("{}, {what} {delay} s", self.reading), config)
                })
                .collect(),
        }
    }
}

/// One run's result.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The reading checked.
    pub reading: &'static str,
    /// The run's label (the reading, and the delay of a sweep).
    pub label: String,
    /// The world's name in the suite, or `small` for the bounded run.
    pub world: String,
    /// The model checker's report.
    pub report: Report,
}

impl Outcome {
    /// The properties broken, each with its counterexample's length in moves.
    #[must_use]
    pub fn broken(&self) -> Vec<(&'static str, usize)> {
        self.report
            .properties
            .iter()
            .filter_map(|p| match &p.verdict {
                Verdict::Broken(actions) => Some((p.name, actions.len())),
                _ => None,
            })
            .collect()
    }

    /// The verdict in words: every property holds, or which break with the counterexample's
    /// length, or the command line's verdict name when the run is vacuous or cut short.
    #[must_use]
    pub fn verdict(&self) -> String {
        let broken = self.broken();
        if !broken.is_empty() {
            let list: Vec<String> = broken.iter().map(|(p, n)| format!("{p} ({n} moves)")).collect();
            return format!("breaks {}", list.join(", "));
        }
        match self.report.outcome() {
            crate::Exit::Holds => "every property holds".to_owned(),
            other => {
                let unreached: Vec<&str> =
                    self.report.properties.iter().filter(|p| p.verdict == Verdict::Unreached).map(|p| p.name).collect();
                let mut words = format!("{}: properties hold", other.name());
                if !unreached.is_empty() {
                    let _ = write!(words, "; not reached: {}", unreached.join(", "));
                }
                if !self.report.moves_missing.is_empty() {
                    let _ = write!(words, "; moves that never happened: {}", self.report.moves_missing.join(", "));
                }
                words
            }
        }
    }

    /// The run as JSON.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "reading": self.reading,
            "run": self.label,
            "world": self.world,
            "verdict": self.verdict(),
            "exit": self.report.outcome().name(),
            "broken": self.broken().iter().map(|(p, n)| serde_json::json!({"property": p, "moves": n})).collect::<Vec<_>>(),
            "unique_states": self.report.unique_states,
            "states": self.report.states,
            "seconds": self.report.elapsed.as_secs_f64(),
        })
    }
}

/// Checks one run.
///
/// # Errors
/// The world is out of range (never for the suite's worlds).
pub fn check(target: &Target, label: String, world: String, config: Config, options: Options) -> Result<Outcome, String> {
    let model = crate::SpoolerModel::new(config)?;
    let report = check::run(model, options, |_, _, _, _| {});
    Ok(Outcome { reading: target.reading, label, world, report })
}

/// The generated part of `spec/ambiguities.md` that comes from the declarations alone: the
/// counts, then every question with its readings and their status.
#[must_use]
pub fn listing() -> String {
    let mut out = String::new();
    let readings: Vec<_> = QUESTIONS.iter().flat_map(|q| q.readings.iter().skip(1)).collect();
    let count = |s: fn(&Status) -> bool| readings.iter().filter(|r| s(&r.status)).count();
    let ambiguities = {
        let mut ids: Vec<&str> = QUESTIONS.iter().map(|q| q.id).filter(|id| id.starts_with("AMB-")).collect();
        ids.dedup();
        ids.len()
    };
    let _ = writeln!(out, "# Every ambiguity and its readings\n");
    let _ = writeln!(
        out,
        "Generated from `src/readings.rs` by `mapi-spooler readings --write` (issue 15); `model/tests/readings.rs` fails when this\n\
         file is stale. The readings are argued in `spec/readings.md`. Choose one in a trace header with\n\
         `\"settings\": {{.., \"readings\": [\"NAME\"]}}`, or in code with `Settings::readings`.\n"
    );
    let _ = writeln!(
        out,
        "{ambiguities}/41 ambiguities (AMB-1 to AMB-41) and {} questions beyond them, {} questions in all; {} readings besides \
         today's decisions: {} executable, {} not executable yet, {} without behavioural effect.\n",
        QUESTIONS.iter().filter(|q| !q.id.starts_with("AMB-")).count(),
        QUESTIONS.len(),
        readings.len(),
        count(|s| *s == Status::Executable),
        count(|s| *s == Status::NotYet),
        count(|s| matches!(s, Status::NoEffect(_))),
    );
    for q in QUESTIONS {
        let _ = writeln!(out, "## {} {}\n", q.id, q.title);
        let _ = writeln!(out, "| Reading | Side | Status | Says | Source |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for r in q.readings {
            let sides: Vec<&str> = r.sides.iter().map(|s| s.name()).collect();
            let status = match r.status {
                Status::NoEffect(why) => format!("no effect: {why}"),
                other => other.name().to_owned(),
            };
            let source = if r.source.is_empty() { "see `spec/readings.md`" } else { r.source };
            let _ = writeln!(out, "| `{}` | {} | {status} | {} | {source} |", r.name, sides.join(", "), r.description);
        }
        let _ = writeln!(out);
    }
    out
}

/// The line between the listing and the verdicts in `spec/ambiguities.md`.
pub const VERDICTS: &str = "## Verdicts";

/// `spec/ambiguities.md`: the [`listing`], then the verdicts of `outcomes` for every target;
/// a target this run did not check keeps its rows from `previous` (the file as it was), so
/// that `--reading NAME --write` updates one reading's rows.
#[must_use]
pub fn markdown(outcomes: &[Outcome], previous: &str) -> String {
    let previous = previous.find(VERDICTS).map_or("", |at| &previous[at..]);
    let mut out = listing();
    let _ = writeln!(out, "{VERDICTS}\n");
    let _ = writeln!(
        out,
        "Each executable reading other than today's, model-checked with `mapi-spooler readings` in the smallest suite world\n\
         that exercises it, with the reading chosen for the spooler, the world double and the monitor alike (each time is\n\
         of one run on a loaded machine: the times say little). A broken property is a finding about the documentation,\n\
         with its counterexample's length in moves; the files are in `counterexamples/readings/`.\n"
    );
    let _ = writeln!(out, "| Reading | Ambiguity | World | Why this world | Run | Verdict | Unique states | Time |");
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for target in TARGETS {
        let id = Readings::find(target.reading).map_or("?", |(q, _)| QUESTIONS[q].id);
        let runs: Vec<&Outcome> = outcomes.iter().filter(|o| o.reading == target.reading).collect();
        let kept: Vec<&str> = previous.lines().filter(|l| l.starts_with(&format!("| `{}` |", target.reading))).collect();
        if runs.is_empty() && !kept.is_empty() {
            for line in kept {
                let _ = writeln!(out, "{line}");
            }
            continue;
        }
        if runs.is_empty() {
            let _ = writeln!(out, "| `{}` | {id} | none | {} | | not model-checked | | |", target.reading, target.why);
        }
        for o in runs {
            let _ = writeln!(
                out,
                "| `{}` | {id} | {} | {} | {} | {} | {} | {:.1} s |",
                target.reading,
                o.world,
                target.why,
                o.label,
                o.verdict(),
                o.report.unique_states,
                o.report.elapsed.as_secs_f64()
            );
        }
    }
    out
}

/// `mapi-spooler readings`: its options.
#[derive(Clone, Debug, clap::Args)]
pub struct Args {
    /// Check only this reading (repeatable; names as in `--list`).
    #[arg(long, value_name = "NAME")]
    pub reading: Vec<String>,
    /// Check each reading in a small world instead of its suite world (what `cargo test` runs;
    /// readings without a small world are left out).
    #[arg(long)]
    pub small: bool,
    /// Print the generated listing of every ambiguity and its readings, and check nothing; with
    /// `--write`, update the file's listing and keep its verdicts.
    #[arg(long)]
    pub list: bool,
    /// Write the listing with the verdicts of this run to this file (`spec/ambiguities.md`).
    #[arg(long, value_name = "FILE")]
    pub write: Option<std::path::PathBuf>,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Where to write the counterexamples, one folder per run.
    #[arg(long, value_name = "DIR", default_value = "counterexamples/readings")]
    pub out: std::path::PathBuf,
    /// Worker threads.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: u16,
}

/// Runs `mapi-spooler readings`, handing each line of output to `say`.
pub fn command(args: &Args, mut say: impl FnMut(String)) -> crate::Exit {
    if args.list {
        // With --write, the listing is brought up to date and the verdicts are kept.
        if let Some(file) = &args.write {
            if let Err(error) = std::fs::write(file, markdown(&[], &std::fs::read_to_string(file).unwrap_or_default())) {
                eprintln!("error: cannot write {}: {error}", file.display());
                return crate::Exit::Unavailable;
            }
        } else {
            say(listing());
        }
        return crate::Exit::Holds;
    }
    for name in &args.reading {
        if !TARGETS.iter().any(|t| t.reading == *name) {
            let known: Vec<&str> = TARGETS.iter().map(|t| t.reading).collect();
            eprintln!("error: {name:?} is not an executable reading other than a default; expected one of {}", known.join(", "));
            return crate::Exit::Usage;
        }
    }
    let options = Options { threads: usize::from(args.threads), ..Options::default() };
    let started = std::time::Instant::now();
    let mut outcomes = Vec::new();
    for target in TARGETS.iter().filter(|t| args.reading.is_empty() || args.reading.iter().any(|r| r == t.reading)) {
        let world = if args.small {
            target.small.map(|f| ("small".to_owned(), f()))
        } else {
            target.world.zip(target.suite_world()).map(|(n, c)| (n.to_owned(), c))
        };
        let Some((name, world)) = world else { continue };
        for (label, config) in target.runs(&world) {
            if !args.json {
                say(format!("checking {label} in the world {name:?}: {config}"));
            }
            let outcome = match check(target, label.clone(), name.clone(), config.clone(), options) {
                Ok(outcome) => outcome,
                Err(message) => {
                    eprintln!("error: {message}");
                    return crate::Exit::Usage;
                }
            };
            if !outcome.broken().is_empty() {
                let dir = args.out.join(label.replace([' ', ',', '\''], "-").replace("--", "-"));
                let model = crate::SpoolerModel::new(config).expect("checked above");
                for c in crate::report::counterexamples(&model, &outcome.report) {
                    if let Err(error) = c.write(&model, &dir) {
                        eprintln!("error: cannot write the counterexample to {}: {error}", dir.display());
                        return crate::Exit::Unavailable;
                    }
                }
            }
            if !args.json {
                say(format!(
                    "  {}: {} unique states, {:.1} s",
                    outcome.verdict(),
                    outcome.report.unique_states,
                    outcome.report.elapsed.as_secs_f64()
                ));
            }
            outcomes.push(outcome);
        }
    }
    let total = started.elapsed();
    if let Some(file) = &args.write
        && let Err(error) = std::fs::write(file, markdown(&outcomes, &std::fs::read_to_string(file).unwrap_or_default()))
    {
        eprintln!("error: cannot write {}: {error}", file.display());
        return crate::Exit::Unavailable;
    }
    if args.json {
        say(serde_json::json!({ "seconds": total.as_secs_f64(), "runs": outcomes.iter().map(Outcome::to_json).collect::<Vec<_>>() })
            .to_string());
    } else {
        let mut table = String::from("\n| Reading | World | Run | Verdict | Unique states | Time |\n|---|---|---|---|---|---|\n");
        for o in &outcomes {
            let _ = writeln!(
                table,
                "| {} | {} | {} | {} | {} | {:.1} s |",
                o.reading,
                o.world,
                o.label,
                o.verdict(),
                o.report.unique_states,
                o.report.elapsed.as_secs_f64()
            );
        }
        say(table);
    }
    // A reading that breaks a property is a finding, not a failure of the command.
    crate::Exit::Holds
}
