//! The `mapi-spooler` command line: model-check the reference spooler, explore its state space,
//! simulate a session, check a recorded trace against the reference, or replay one step by
//! step.
//!
//! Nothing here panics on input, a closed pipe or a busy port: standard output that the reader
//! closed ends the output quietly ([`Out`]), and every error is one line on standard error with
//! its own exit status ([`Exit`]).

use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use mapi_spooler::sim::{Sim, TransportScript};
use mapi_spooler::store::{Draft, SENT_ITEMS};
use mapi_spooler::trace;
use mapi_spooler::zoo::Bug;
use mapi_spooler::{AddrType, Profile, RecipientRow, Registrations, ReportRequests, StoreId};
use mapi_spooler_model::check::{self, Limits, Options, Report, Verdict};
use mapi_spooler_model::coverage::Reach;
use mapi_spooler_model::explorer::Explorer;
use mapi_spooler_model::replay::{self, Stop};
use mapi_spooler_model::report;
use mapi_spooler_model::{Config, Exit, FaultChoice, SpoolerModel, json};

/// Standard output that ends quietly when its reader goes away (`mapi-spooler simulate | head
/// -1`): once a write finds the pipe closed, every later write is dropped.
struct Out;

static CLOSED: AtomicBool = AtomicBool::new(false);

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !CLOSED.load(Ordering::Relaxed) && io::stdout().lock().write_all(buf).is_err() {
            CLOSED.store(true, Ordering::Relaxed);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !CLOSED.load(Ordering::Relaxed) && io::stdout().lock().flush().is_err() {
            CLOSED.store(true, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// A line on standard output, through [`Out`].
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(Out, $($arg)*);
    }};
}

/// A line on standard error; a closed standard error is ignored.
macro_rules! warn {
    ($($arg:tt)*) => {{
        let _ = writeln!(io::stderr(), $($arg)*);
    }};
}

/// Executable reference of the MAPI spooler.
///
/// With no subcommand, model-checks the suite of worlds (`check --suite`): the default world
/// (two transports, three messages of two recipients, every documented fault, a client abort, a
/// crash of the spooler process), then one world each for status objects and flushes, the
/// user's cancels, reception, the tightly coupled store, store logoff, preprocessing with the end
/// of the session, three transports, and configuration changes with the status calls' variants;
/// for each it prints every property with its verdict, and at the end a table of the worlds and
/// the suite's reach.
#[derive(Parser, Debug)]
#[command(name = "mapi-spooler", version, about, long_about, after_help = Exit::table())]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Model-check every ordering of a bounded world (the default: the suite of worlds).
    #[command(after_help = Exit::table())]
    Check(CheckArgs),
    /// Serve the Explorer on 127.0.0.1 to walk through a world's states by hand.
    #[command(after_help = Exit::table())]
    Explore(ExploreArgs),
    /// Simulate one session with scripted transports and print its call trace.
    Simulate(SimulateArgs),
    /// Recorded call traces (the format is in spec/trace-format.md).
    #[command(subcommand)]
    Trace(TraceCommand),
    /// Step through a recorded trace (a counterexample's .jsonl, a `simulate --record` file, or
    /// your own component's trace), printing the reference spooler's state after each step.
    #[command(after_help = Exit::table())]
    Replay(ReplayArgs),
    /// Every reading of every ambiguity of the documentation: model-check each executable
    /// reading other than today's decisions in the smallest suite world that exercises it
    /// (issue 15; the listing is spec/ambiguities.md). A reading that breaks a property is a
    /// finding: the exit status is 0 once every check ran.
    Readings(mapi_spooler_model::readings::Args),
}

#[derive(Subcommand, Debug)]
enum TraceCommand {
    /// Check a recorded trace against every spooler the documentation allows: it conforms, or
    /// the first divergent event is printed with its line, what the reference allowed there,
    /// who is at fault, the rule the event breaks, what a party keeping the contract could have
    /// done instead and the requirements involved, or it is not a valid trace (line, column,
    /// what was wrong).
    #[command(after_help = Exit::table())]
    Check {
        /// The trace file, or `-` for standard input.
        file: PathBuf,
        /// Print the verdict as a JSON document (spec/check-output.schema.json).
        #[arg(long)]
        json: bool,
        /// The most states of a legal spooler the checker keeps consistent with the trace at
        /// once; past it, the check stops without a verdict (exit status 4).
        #[arg(long, default_value_t = trace::Checker::DEFAULT_BOUND as u32, value_parser = clap::value_parser!(u32).range(1..))]
        frontier_bound: u32,
    },
}

/// The world to check or explore: [`Config`]'s options and the fault kinds.
#[derive(Args, Debug, Clone)]
struct WorldArgs {
    #[command(flatten)]
    config: Config,
    #[command(flatten)]
    faults: FaultChoice,
}

impl WorldArgs {
    fn config(&self) -> Result<Config, String> {
        let mut config = self.config.clone();
        config.faults = self.faults.apply(config.faults);
        config.validate()?;
        Ok(config)
    }
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "The search")]
struct SearchArgs {
    /// Worker threads.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: u16,
    /// Explore depth-first instead of breadth-first (implied by symmetry reduction, which
    /// stateright applies only depth-first).
    #[arg(long)]
    dfs: bool,
    /// Do not merge states that differ only by interchangeable messages, recipients or
    /// transports (without symmetry reduction the search is breadth-first unless `--dfs`).
    #[arg(long)]
    no_symmetry: bool,
    /// Explore no deeper than this many moves; the verdict is "incomplete" if the limit cut the
    /// search short.
    #[arg(long, value_name = "MOVES", value_parser = clap::value_parser!(u32).range(1..))]
    max_depth: Option<u32>,
    /// Stop after generating this many states ("incomplete" if it stopped the search).
    #[arg(long, value_name = "STATES", value_parser = clap::value_parser!(u64).range(1..))]
    max_states: Option<u64>,
    /// Stop after this many seconds ("incomplete" if it stopped the search).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    timeout: Option<u64>,
}

impl SearchArgs {
    fn options(&self) -> Options {
        Options { threads: usize::from(self.threads), dfs: self.dfs, symmetry: !self.no_symmetry }
    }

    fn limits(&self) -> Limits {
        Limits {
            max_depth: self.max_depth.map(|d| d as usize),
            max_states: self.max_states.map(|s| usize::try_from(s).unwrap_or(usize::MAX)),
            timeout: self.timeout.map(Duration::from_secs),
        }
    }
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Output")]
struct OutputArgs {
    /// Print one JSON document on standard output instead of tables (spec/check-output.schema.json).
    #[arg(long)]
    json: bool,
    /// Where to write counterexamples: a numbered trace, a Mermaid diagram and a recorded trace
    /// for `trace check` and `replay`, per counterexample.
    #[arg(long, value_name = "DIR", default_value = "counterexamples")]
    out: PathBuf,
    /// No progress bar (it is drawn only when standard error is a terminal).
    #[arg(long)]
    quiet: bool,
}

#[derive(Args, Debug, Clone)]
struct CheckArgs {
    #[command(flatten)]
    world: WorldArgs,
    /// Check every world of the suite in turn (what `mapi-spooler` does with no subcommand).
    /// The suite's worlds are fixed: world options are refused with it.
    #[arg(long, conflicts_with_all = world_options())]
    suite: bool,
    #[command(flatten)]
    search: SearchArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// The ids of the world options, which `--suite` refuses.
fn world_options() -> Vec<clap::Id> {
    WorldArgs::augment_args(clap::Command::new("world")).get_arguments().map(|a| a.get_id().clone()).collect()
}

impl CheckArgs {
    /// What `mapi-spooler` with no subcommand does: `check --suite`.
    fn suite() -> CheckArgs {
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            args: CheckArgs,
        }
        Wrapper::parse_from(["mapi-spooler", "--suite"]).args
    }
}

#[derive(Args, Debug)]
struct ExploreArgs {
    #[command(flatten)]
    world: WorldArgs,
    /// Port on 127.0.0.1 (0: any free port; the one bound is printed).
    #[arg(long, default_value_t = 3000)]
    port: u16,
}

#[derive(Args, Debug)]
struct ReplayArgs {
    /// The trace file, or `-` for standard input.
    file: PathBuf,
    /// Print the steps before this one as lines, then this step with the state after it, and
    /// stop.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    step: Option<u64>,
}

#[derive(Args, Debug)]
struct SimulateArgs {
    /// Transports; transport i handles address type i, and one more address type is handled by
    /// none (to show non-delivery reports).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=16))]
    transports: u8,
    /// Messages the client submits.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    messages: u32,
    /// The most recipients a message has (each message has 1 to this many).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=1000))]
    recipients: u16,
    /// Seed for the simulation's choices (recipients, faults).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Transports answer only S_OK: no BUSY, WAIT, NETWORK_ERROR or NOT_ME.
    #[arg(long)]
    no_faults: bool,
    /// Print only the summary, not the trace.
    #[arg(long)]
    quiet: bool,
    /// Simulate a deliberately wrong spooler from the bug zoo (names as for `check --bug`).
    #[arg(long, value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(Bug::ALL.iter().map(|b| b.name())))]
    bug: Option<String>,
    /// Also write the session as a recorded trace (spec/trace-format.md) to this file, for
    /// `trace check` and `replay`.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

/// One world checked: its report, its counterexamples and its JSON.
struct Checked {
    report: Report,
    json: serde_json::Value,
}

/// `check --suite`: each world of [`Config::suite`] in turn, then a table of the worlds.
fn suite(args: &CheckArgs) -> Exit {
    let started = Instant::now();
    let worlds = Config::suite();
    let mut checked = Vec::new();
    for (i, (name, config)) in worlds.iter().enumerate() {
        if !args.output.json {
            say!("== world {} of {}: {name}", i + 1, worlds.len());
        }
        let out = args.output.out.join(name.replace([' ', '\'', ','], "-").replace("--", "-"));
        match check_world(args, name, config.clone(), &out) {
            Ok(world) => checked.push((*name, config, world)),
            Err(exit) => return exit,
        }
        if !args.output.json {
            say!();
        }
    }
    let reports: Vec<&Report> = checked.iter().map(|(_, _, c)| &c.report).collect();
    let reach = Reach::of(&reports);
    let exit = reports.iter().fold(reach.exit(), |worst, r| worst.worst(r.outcome()));
    let seconds = started.elapsed().as_secs_f64();
    if args.output.json {
        let docs = checked.iter().map(|(_, _, c)| c.json.clone()).collect();
        say!("{}", json::check(docs, &reports, seconds, Some(&reach)));
        return exit;
    }
    let mut table = table(["World", "Options", "Unique states", "States", "Time", "Verdict"]);
    for (name, config, world) in &checked {
        let r = &world.report;
        table.add_row(vec![
            (*name).to_owned(),
            config.command_line(),
            thousands(r.unique_states),
            thousands(r.states),
            format!("{:.1} s", r.elapsed.as_secs_f64()),
            r.outcome().name().to_owned(),
        ]);
    }
    let unique: usize = reports.iter().map(|r| r.unique_states).sum();
    let states: usize = reports.iter().map(|r| r.states).sum();
    table.add_row(vec![
        format!("all {}", checked.len()),
        "--suite".to_owned(),
        thousands(unique),
        thousands(states),
        format!("{seconds:.1} s"),
        exit.name().to_owned(),
    ]);
    say!("{table}");
    say!("\n{reach}");
    say!("\nsuite: {}", verdict_words(exit));
    exit
}

/// `check`: one world, or the suite.
fn check(args: &CheckArgs) -> Exit {
    if args.suite {
        return suite(args);
    }
    let config = match args.world.config() {
        Ok(config) => config,
        Err(message) => {
            warn!("error: {message}");
            return Exit::Usage;
        }
    };
    let started = Instant::now();
    match check_world(args, "the world of the options", config, &args.output.out) {
        Ok(world) => {
            let exit = world.report.outcome();
            if args.output.json {
                say!("{}", json::check(vec![world.json], &[&world.report], started.elapsed().as_secs_f64(), None));
            } else {
                say!("\nverdict: {}", verdict_words(exit));
            }
            exit
        }
        Err(exit) => exit,
    }
}

fn verdict_words(exit: Exit) -> String {
    format!("{} (exit status {}: {})", exit.name(), exit.code(), exit.meaning())
}

fn check_world(args: &CheckArgs, name: &str, config: Config, out: &Path) -> Result<Checked, Exit> {
    let model = SpoolerModel::new(config.clone()).map_err(|message| {
        warn!("error: {message}");
        Exit::Usage
    })?;
    let (options, limits) = (args.search.options(), args.search.limits());
    if !args.output.json {
        say!("checking: {config}");
        say!(
            "          {} thread{}, {}, symmetry {}{}",
            options.threads,
            if options.threads == 1 { "" } else { "s" },
            if options.dfs || options.symmetry { "DFS" } else { "BFS" },
            if options.symmetry { "on" } else { "off" },
            limits_words(limits),
        );
    }
    let bar = progress_bar(args.output.quiet || args.output.json);
    let replay_model = model.clone();
    let report = check::run_within(model, options, limits, |states, unique, depth, elapsed| {
        if let Some(bar) = &bar {
            let rate = unique as f64 / elapsed.as_secs_f64().max(1e-9);
            bar.set_message(format!("{states} states, {unique} unique, depth {depth}, {rate:.0} unique/s"));
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let counterexamples = report::counterexamples(&replay_model, &report);
    let mut files = Vec::new();
    for c in &counterexamples {
        match c.write(&replay_model, out) {
            Ok(names) => files.push(names),
            Err(error) => {
                warn!("error: cannot write the counterexample to {}: {error}", out.display());
                return Err(Exit::Unavailable);
            }
        }
    }
    let mut json = json::world(name, &config, options, limits, &report, &counterexamples);
    if let Some(list) = json.get_mut("counterexamples").and_then(|c| c.as_array_mut()) {
        for (doc, [trace, mermaid, recorded]) in list.iter_mut().zip(&files) {
            doc["files"] = serde_json::json!({
                "trace": trace.display().to_string(),
                "mermaid": mermaid.display().to_string(),
                "recorded": recorded.display().to_string(),
            });
        }
    }
    if !args.output.json {
        print_summary(&report, config.bug);
        for (i, (c, [trace, mermaid, recorded])) in counterexamples.iter().zip(&files).enumerate() {
            say!(
                "\ncounterexample {} of {} for {} ({} moves; also in {}, {} and, for `trace check` and `replay`, {}):\n",
                i + 1,
                counterexamples.len(),
                c.properties.join(" and "),
                c.actions.len(),
                trace.display(),
                mermaid.display(),
                recorded.display()
            );
            let _ = write!(Out, "{}", report::numbered(&c.properties, &c.path));
        }
    }
    Ok(Checked { report, json })
}

fn limits_words(limits: Limits) -> String {
    let mut words = Vec::new();
    if let Some(depth) = limits.max_depth {
        words.push(format!("max depth {depth}"));
    }
    if let Some(states) = limits.max_states {
        words.push(format!("max states {states}"));
    }
    if let Some(timeout) = limits.timeout {
        words.push(format!("timeout {} s", timeout.as_secs()));
    }
    if words.is_empty() { String::new() } else { format!(", {}", words.join(", ")) }
}

/// A progress bar on standard error, only when it is a terminal.
fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("  {spinner} {elapsed_precise} {msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}

fn table<const N: usize>(header: [&str; N]) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::ASCII_MARKDOWN).set_header(header.to_vec());
    table
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn print_summary(result: &Report, bug: Option<Bug>) {
    let mut counts = table(["", ""]);
    counts.add_row(vec!["bug".to_owned(), bug.map_or("none", Bug::name).to_owned()]);
    counts.add_row(vec!["states".to_owned(), thousands(result.states)]);
    counts.add_row(vec!["unique states".to_owned(), thousands(result.unique_states)]);
    counts.add_row(vec!["max depth".to_owned(), result.max_depth.to_string()]);
    counts.add_row(vec!["time".to_owned(), format!("{:.2} s", result.elapsed.as_secs_f64())]);
    counts.add_row(vec!["unique states per second".to_owned(), format!("{:.0}", result.rate())]);
    say!("\n{counts}\n");
    let mut properties = table(["Property", "Kind", "Verdict", "What it says"]);
    for p in &result.properties {
        let verdict = match &p.verdict {
            Verdict::Holds if result.cut_short.is_some() => "holds so far".to_owned(),
            Verdict::Holds => "holds".to_owned(),
            Verdict::Reached => "reached".to_owned(),
            Verdict::Unreached if result.cut_short.is_some() => "not reached so far".to_owned(),
            Verdict::Unreached => "NEVER REACHED".to_owned(),
            Verdict::Broken(actions) => format!("BROKEN after {} moves", actions.len()),
        };
        properties.add_row(vec![p.name.to_owned(), p.kind.to_owned(), verdict, report::description(p.name)]);
    }
    say!("{properties}");
    if result.moves_missing.is_empty() {
        say!("\nevery kind of world move happened");
    } else {
        say!("\nworld moves that never happened: {}", result.moves_missing.join(", "));
    }
    if let Some(limit) = result.cut_short {
        say!("the search was cut short: {limit}");
    }
}

fn explore(args: &ExploreArgs) -> Exit {
    let model = match args.world.config().and_then(SpoolerModel::new) {
        Ok(model) => model,
        Err(message) => {
            warn!("error: {message}");
            return Exit::Usage;
        }
    };
    let explorer = match Explorer::bind(model, args.port) {
        Ok(explorer) => explorer,
        Err(message) => {
            warn!("error: {message}");
            return Exit::Unavailable;
        }
    };
    say!("Explorer on http://{} (Ctrl-C to stop)", explorer.address());
    let _ = Out.flush();
    explorer.serve();
    Exit::Holds
}

fn simulate(args: &SimulateArgs) -> Exit {
    let names = [
        "SMTP", "FAX", "X400", "MHS", "PROFS", "SNADS", "X500", "NOTES", "CCMAIL", "MSMAIL", "EX", "SMS", "TELEX", "PAGER", "VOICE", "IM",
        "NEWS",
    ];
    let bug = args.bug.as_deref().and_then(Bug::from_name);
    let types = usize::from(args.transports) + 1;
    let scripts = (0..args.transports)
        .map(|i| {
            let mut script = TransportScript::new(
                &format!("{} transport", names[usize::from(i)]),
                Registrations::address_types([AddrType(u16::from(i))]),
            );
            script.random_faults = !args.no_faults;
            script
        })
        .collect();
    let mut sim = match Sim::new(&Profile::new(args.transports), scripts, args.seed) {
        Ok(sim) => sim.with_address_names(&names[..types]).with_bug(bug),
        Err(error) => {
            warn!("error: {error}");
            return Exit::Usage;
        }
    };
    let mut rng = mapi_spooler::sim::SplitMix64::new(args.seed ^ 0x5EED);
    sim.start();
    for n in 0..args.messages {
        let count = 1 + rng.below(u64::from(args.recipients)) as usize;
        let recipients = (0..count).map(|_| RecipientRow::new(AddrType(rng.below(types as u64) as u16))).collect();
        let mut draft = Draft::to(recipients);
        draft.sentmail = (n % 3 != 2).then_some(SENT_ITEMS);
        draft.delete_after_submit = n % 3 == 2;
        draft.reports = ReportRequests { delivery: n % 2 == 0, non_delivery: true };
        if let Err(h) = sim.submit(StoreId(0), draft) {
            warn!("the store refused a submission: {h}");
        }
        sim.run();
    }
    sim.shutdown();
    if !args.quiet {
        let _ = write!(Out, "{}", sim.trace());
        say!();
    }
    if let Some(path) = &args.record
        && let Err(error) = std::fs::write(path, sim.recorded_trace())
    {
        warn!("error: cannot write {}: {error}", path.display());
        return Exit::Unavailable;
    }
    let summary = sim.summary();
    if let Some(bug) = bug {
        say!("bug: {bug} (should break {})", bug.breaks());
    }
    say!("{summary}");
    let clean = summary.refused == 0 && sim.violations().is_empty();
    for violation in sim.violations() {
        say!("violation: {violation}");
    }
    if clean { Exit::Holds } else { Exit::Broken }
}

/// Opens a trace file, or standard input for `-`.
fn open(file: &Path) -> Result<Box<dyn BufRead>, String> {
    if file == Path::new("-") {
        return Ok(Box::new(io::stdin().lock()));
    }
    std::fs::File::open(file)
        .map(|f| Box::new(BufReader::with_capacity(1 << 16, f)) as Box<dyn BufRead>)
        .map_err(|error| format!("cannot read {}: {error}", file.display()))
}

/// `trace check`: streams the trace line by line through the checker, with a bounded buffer.
fn trace_check(file: &Path, as_json: bool, bound: usize) -> Exit {
    let name = file.display().to_string();
    let reader = match open(file) {
        Ok(reader) => reader,
        Err(message) => {
            if as_json {
                say!("{}", json::unreadable("trace check", &name, &message));
            } else {
                warn!("error: {message}");
            }
            return Exit::InvalidInput;
        }
    };
    let report = trace::check_reader_bounded(reader, bound);
    if as_json {
        say!("{}", json::trace_check(&name, &report, bound));
    } else {
        say!("{}", report.verdict);
        if let Some(line) = json::scope_line(&report) {
            say!("{line}");
        }
    }
    json::trace_exit(&report.verdict)
}

fn replay_file(args: &ReplayArgs) -> Exit {
    let reader = match open(&args.file) {
        Ok(reader) => reader,
        Err(message) => {
            warn!("error: {message}");
            return Exit::InvalidInput;
        }
    };
    let stop = args.step.map_or(Stop::Never, |n| Stop::At(usize::try_from(n).unwrap_or(usize::MAX)));
    replay::replay(trace::Lines::new(reader), stop, &mut Out).unwrap_or(Exit::Unavailable)
}

fn main() -> ExitCode {
    let exit = match Cli::parse().command {
        Some(Command::Check(args)) => check(&args),
        Some(Command::Explore(args)) => explore(&args),
        Some(Command::Simulate(args)) => simulate(&args),
        Some(Command::Trace(TraceCommand::Check { file, json, frontier_bound })) => trace_check(&file, json, frontier_bound as usize),
        Some(Command::Replay(args)) => replay_file(&args),
        Some(Command::Readings(args)) => mapi_spooler_model::readings::command(&args, |line| say!("{line}")),
        None => suite(&CheckArgs::suite()),
    };
    let _ = Out.flush();
    exit.into()
}
