//! The `mapi-spooler` command line: model-check the reference spooler, explore its state space,
//! or simulate a session.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use mapi_spooler::sim::{Sim, TransportScript};
use mapi_spooler::store::{Draft, SENT_ITEMS};
use mapi_spooler::trace;
use mapi_spooler::zoo::Bug;
use mapi_spooler::{AddrType, Profile, RecipientRow, Registrations, ReportRequests, StoreId};
use mapi_spooler_model::check::{self, Options, Verdict};
use mapi_spooler_model::{Config, SpoolerModel, report};

/// Executable reference of the MAPI spooler.
///
/// With no subcommand, model-checks the suite of worlds (`check --suite`): the default world
/// (two transports, three messages of two recipients, every documented fault, a client abort, a
/// crash of the spooler process), then one world each for status objects and flushes, the
/// user's cancels, reception, the tightly coupled store and store logoff; for each it prints a
/// progress line, then every property with its verdict.
#[derive(Parser, Debug)]
#[command(version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Model-check every ordering of a bounded world (the default).
    Check(CheckArgs),
    /// Serve stateright's Explorer on 127.0.0.1 to browse the state space.
    Explore(ExploreArgs),
    /// Simulate one session with scripted transports and print its call trace.
    Simulate(SimulateArgs),
    /// Recorded call traces (the format is in spec/trace-format.md).
    #[command(subcommand)]
    Trace(TraceCommand),
}

#[derive(Subcommand, Debug)]
enum TraceCommand {
    /// Check a recorded trace against the reference spooler. Exit status: 0 the trace conforms,
    /// 1 it diverges (the first divergent event is printed with its line, what the reference
    /// allowed there and the requirements involved), 2 it is not a valid trace (line, column,
    /// what was wrong).
    Check {
        /// The trace file, or `-` for standard input.
        file: PathBuf,
    },
}

#[derive(Args, Debug, Clone)]
struct WorldArgs {
    /// Transport providers; transport i handles address type i.
    #[arg(long, default_value_t = Config::default().transports)]
    transports: u8,
    /// Messages the client submits (all the same draft).
    #[arg(long, default_value_t = Config::default().messages)]
    messages: u8,
    /// Recipients per message; recipient j has address type j modulo the transports.
    #[arg(long, default_value_t = Config::default().recipients)]
    recipients: u8,
    /// How many non-default answers (faults) one run may contain.
    #[arg(long, default_value_t = Config::default().fault_budget)]
    fault_budget: u8,
    /// Turn a kind of fault off (repeatable): busy, not-me, wait, network, partial, reports,
    /// critical, save-before-error, resend, defer, logon, version.
    #[arg(long = "no-fault", value_name = "KIND")]
    no_fault: Vec<String>,
    /// Allow only these kinds of fault (repeatable; overrides the defaults).
    #[arg(long = "fault", value_name = "KIND")]
    fault: Vec<String>,
    /// Crashes of the spooler process per run.
    #[arg(long, default_value_t = Config::default().crashes)]
    crashes: u8,
    /// Client aborts per run.
    #[arg(long, default_value_t = Config::default().aborts)]
    aborts: u8,
    /// Times the session disables a transport's outbound traffic per run.
    #[arg(long, default_value_t = Config::default().disables)]
    disables: u8,
    /// Idle times per run.
    #[arg(long, default_value_t = Config::default().idles)]
    idles: u8,
    /// User cancels of a transfer per run (a locked message, or the inbound transfer in
    /// flight).
    #[arg(long, default_value_t = Config::default().cancels)]
    cancels: u8,
    /// The drafts need preprocessing (transport 0 registers a preprocessor).
    #[arg(long)]
    preprocess: bool,
    /// The drafts are deleted after submission instead of moved to Sent Items.
    #[arg(long)]
    delete_after_submit: bool,
    /// Inbound messages waiting at transport 0 (0 to 8); it announces them with NOTIFY_NEWMAIL.
    #[arg(long, default_value_t = Config::default().inbound)]
    inbound: u8,
    /// Transport 0 asks to be polled (LOGON_SP_POLL) instead of announcing its inbound mail.
    #[arg(long)]
    poll: bool,
    /// Flushes per run: a client's FlushQueues or a transport setting its flush bits.
    #[arg(long, default_value_t = Config::default().flushes)]
    flushes: u8,
    /// Client calls of ValidateState(CONFIG_CHANGED) per run.
    #[arg(long, default_value_t = Config::default().status_calls)]
    status_calls: u8,
    /// Critical sections (NOTIFY_CRITSEC, then NOTIFY_NONCRIT) per run.
    #[arg(long, default_value_t = Config::default().critsecs)]
    critsecs: u8,
    /// Check a deliberately wrong spooler from the bug zoo instead of the correct one:
    /// send-before-lock, offer-taken-recipient, skip-unlock, finish-before-settled,
    /// ignore-delete-after-submit, submit-after-end-outbound, shutdown-with-live-logon,
    /// end-after-failed-submit, forget-locked-across-restart, send-twice-after-restart,
    /// ignore-retry-delay, call-after-critical-error, notify-unsaved,
    /// one-message-per-notification, ignore-cancel, retry-user-cancel, route-completed-message,
    /// notify-hook-deleted, flush-without-end.
    #[arg(long, value_name = "NAME", value_parser = parse_bug)]
    bug: Option<Bug>,
    /// Transport 0 is tightly coupled with the store (TC-1): CompleteMsg and partly served
    /// queued messages (TC-3, TC-4). Needs --crashes 0.
    #[arg(long)]
    coupled: bool,
    /// Inbound messages the coupled pair places itself and announces with
    /// NOTIFY_NEWMAIL_RECEIVED (0 to 8; needs --coupled).
    #[arg(long, default_value_t = 0)]
    arrivals: u8,
    /// Inbound hooks of the profile (0 to 4); each may keep, delete or cancel (HOOK-13).
    #[arg(long, default_value_t = 0)]
    inbound_hooks: u8,
    /// The store may call StoreLogoffTransports once, with any of its five flags (LIFE-20).
    #[arg(long)]
    store_logoff: bool,
}

/// The bug of the zoo named on the command line (issue 3).
fn parse_bug(name: &str) -> Result<Bug, String> {
    Bug::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Bug::ALL.iter().map(|b| b.name()).collect();
        format!("unknown bug {name:?}; expected one of {}", names.join(", "))
    })
}

impl WorldArgs {
    fn config(&self) -> Result<Config, String> {
        let mut config = Config {
            transports: self.transports,
            messages: self.messages,
            recipients: self.recipients,
            fault_budget: self.fault_budget,
            crashes: self.crashes,
            aborts: self.aborts,
            disables: self.disables,
            idles: self.idles,
            cancels: self.cancels,
            preprocess: self.preprocess,
            delete_after_submit: self.delete_after_submit,
            inbound: self.inbound,
            poll: self.poll,
            bug: self.bug,
            coupled: self.coupled,
            arrivals: self.arrivals,
            inbound_hooks: self.inbound_hooks,
            store_logoff: self.store_logoff,
            flushes: self.flushes,
            status_calls: self.status_calls,
            critsecs: self.critsecs,
            ..Config::default()
        };
        if !self.fault.is_empty() {
            config.faults = mapi_spooler_model::Faults::NONE;
            for name in &self.fault {
                if !config.faults.set(name, true) {
                    return Err(format!("unknown fault {name:?}; expected one of {}", mapi_spooler_model::Faults::NAMES.join(", ")));
                }
            }
        }
        for name in &self.no_fault {
            if !config.faults.set(name, false) {
                return Err(format!("unknown fault {name:?}; expected one of {}", mapi_spooler_model::Faults::NAMES.join(", ")));
            }
        }
        config.validate()?;
        Ok(config)
    }
}

#[derive(Args, Debug, Clone)]
struct CheckArgs {
    #[command(flatten)]
    world: WorldArgs,
    /// Worker threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Explore depth-first instead of breadth-first (implied by symmetry reduction, which
    /// stateright applies only depth-first).
    #[arg(long)]
    dfs: bool,
    /// Do not merge states that differ only by interchangeable messages, recipients or
    /// transports (symmetry reduction is on by default; without it the search is breadth-first
    /// unless `--dfs` is given).
    #[arg(long)]
    no_symmetry: bool,
    /// Print the summary as JSON on standard output.
    #[arg(long)]
    json: bool,
    /// Where to write counterexamples (a numbered trace and a Mermaid diagram per property).
    #[arg(long, default_value = "counterexamples")]
    out: PathBuf,
    /// No progress line.
    #[arg(long)]
    quiet: bool,
    /// Check every world of the suite in turn (what `mapi-spooler` does with no subcommand)
    /// instead of the one the world options describe.
    #[arg(long)]
    suite: bool,
}

impl Default for CheckArgs {
    fn default() -> CheckArgs {
        CheckArgs::parse_from_default()
    }
}

impl CheckArgs {
    fn parse_from_default() -> CheckArgs {
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            args: CheckArgs,
        }
        Wrapper::parse_from(["mapi-spooler"]).args
    }
}

#[derive(Args, Debug)]
struct ExploreArgs {
    #[command(flatten)]
    world: WorldArgs,
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 3000)]
    port: u16,
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
    #[arg(long, value_name = "NAME", value_parser = parse_bug)]
    bug: Option<Bug>,
    /// Also write the session as a recorded trace (spec/trace-format.md) to this file, for
    /// `trace check`.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
}

/// The suite (`Config::suite`): each world in turn, with the options given; fails if one does.
fn suite(args: &CheckArgs) -> ExitCode {
    let started = std::time::Instant::now();
    let mut failed = Vec::new();
    let worlds = Config::suite();
    for (i, (name, config)) in worlds.iter().enumerate() {
        if !args.json {
            println!("== world {} of {}: {name}", i + 1, worlds.len());
        }
        if check_world(args, config.clone()) != ExitCode::SUCCESS {
            failed.push(*name);
        }
        if !args.json {
            println!();
        }
    }
    if !args.json {
        println!(
            "suite: {} worlds in {:.1} s; {}",
            worlds.len(),
            started.elapsed().as_secs_f64(),
            if failed.is_empty() {
                "every property holds and every guard is reached".to_owned()
            } else {
                format!("failed: {}", failed.join(", "))
            }
        );
    }
    if failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn check(args: &CheckArgs) -> ExitCode {
    if args.suite {
        return suite(args);
    }
    match args.world.config() {
        Ok(config) => check_world(args, config),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn check_world(args: &CheckArgs, config: Config) -> ExitCode {
    let model = match SpoolerModel::new(config.clone()) {
        Ok(model) => model,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let options = Options { threads: args.threads, dfs: args.dfs, symmetry: !args.no_symmetry };
    if !args.json {
        println!("checking: {config}");
        println!(
            "          {} thread(s), {}, symmetry {}",
            options.threads,
            if options.dfs || options.symmetry { "DFS" } else { "BFS" },
            if options.symmetry { "on" } else { "off" }
        );
    }
    let quiet = args.quiet || args.json;
    let replay_model = model.clone();
    let result = check::run(model, options, |states, unique, depth, elapsed| {
        if !quiet {
            let rate = unique as f64 / elapsed.as_secs_f64().max(1e-9);
            eprint!(
                "\r  {:>6.1}s  {states:>11} states  {unique:>11} unique  depth {depth:>4}  {rate:>10.0} unique/s",
                elapsed.as_secs_f64()
            );
            let _ = std::io::stderr().flush();
        }
    });
    if !quiet {
        eprintln!();
    }
    let mut written = Vec::new();
    for property in &result.properties {
        if let Verdict::Broken(actions) = &property.verdict {
            let events = report::replay(&replay_model, actions);
            let name = property.name.replace(' ', "-");
            let trace = args.out.join(format!("{name}.trace"));
            let diagram = args.out.join(format!("{name}.mmd"));
            let recorded = args.out.join(format!("{name}.jsonl"));
            let saved = std::fs::create_dir_all(&args.out)
                .and_then(|()| std::fs::write(&trace, report::numbered(&events)))
                .and_then(|()| std::fs::write(&diagram, report::mermaid(&events)))
                .and_then(|()| std::fs::write(&recorded, report::recorded(&replay_model, &events)));
            match saved {
                Ok(()) => written.push((property.name, trace, diagram, events)),
                Err(error) => eprintln!("could not write the counterexample of {}: {error}", property.name),
            }
        }
    }
    if args.json {
        println!("{}", json(&config, options, &result));
    } else {
        print_summary(&result, config.bug);
        for (name, trace, diagram, events) in &written {
            println!(
                "\ncounterexample for {name} (also in {}, {} and, for `trace check`, {}):",
                trace.display(),
                diagram.display(),
                trace.with_extension("jsonl").display()
            );
            print!("{}", report::numbered(events));
        }
    }
    if result.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn print_summary(result: &check::Report, bug: Option<Bug>) {
    println!();
    println!("  {:<28}{}", "bug", bug.map_or("none", Bug::name));
    println!("  {:<28}{:>14}", "states", result.states);
    println!("  {:<28}{:>14}", "unique states", result.unique_states);
    println!("  {:<28}{:>14}", "max depth", result.max_depth);
    println!("  {:<28}{:>14.2}", "time (s)", result.elapsed.as_secs_f64());
    println!("  {:<28}{:>14.0}", "unique states per second", result.rate());
    println!();
    println!("  {:<46} {:<10} verdict", "property", "kind");
    for p in &result.properties {
        let verdict = match &p.verdict {
            Verdict::Holds => "holds".to_owned(),
            Verdict::Reached => "reached".to_owned(),
            Verdict::Unreached => "NEVER REACHED".to_owned(),
            Verdict::Broken(actions) => format!("BROKEN after {} moves", actions.len()),
        };
        let name = match mapi_spooler::Property::ALL.iter().find(|q| q.id() == p.name) {
            Some(q) => format!("{} {}", p.name, short(q.summary())),
            None => p.name.to_owned(),
        };
        println!("  {name:<46} {:<10} {verdict}", p.kind);
    }
    if result.moves_missing.is_empty() {
        println!("\n  every kind of world move happened");
    } else {
        println!("\n  world moves that never happened: {}", result.moves_missing.join(", "));
    }
}

fn short(summary: &str) -> String {
    let mut s: String = summary.chars().take(36).collect();
    if summary.chars().count() > 36 {
        s.push('…');
    }
    s
}

fn json(config: &Config, options: Options, result: &check::Report) -> String {
    let properties: Vec<serde_json::Value> = result
        .properties
        .iter()
        .map(|p| {
            let (verdict, moves) = match &p.verdict {
                Verdict::Holds => ("holds", None),
                Verdict::Reached => ("reached", None),
                Verdict::Unreached => ("unreached", None),
                Verdict::Broken(actions) => ("broken", Some(actions.iter().map(ToString::to_string).collect::<Vec<_>>())),
            };
            serde_json::json!({ "name": p.name, "kind": p.kind, "verdict": verdict, "counterexample": moves })
        })
        .collect();
    serde_json::json!({
        "config": config.to_string(),
        "bug": config.bug.map(Bug::name),
        "threads": options.threads,
        "search": if options.dfs || options.symmetry { "dfs" } else { "bfs" },
        "symmetry": options.symmetry,
        "states": result.states,
        "unique_states": result.unique_states,
        "max_depth": result.max_depth,
        "seconds": result.elapsed.as_secs_f64(),
        "unique_states_per_second": result.rate(),
        "properties": properties,
        "moves_missing": result.moves_missing,
        "clean": result.is_clean(),
    })
    .to_string()
}

fn explore(args: &ExploreArgs) -> ExitCode {
    use stateright::Model;
    let model = match args.world.config().and_then(SpoolerModel::new) {
        Ok(model) => model,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    println!("Explorer on http://127.0.0.1:{} (Ctrl-C to stop)", args.port);
    model.checker().serve(("127.0.0.1", args.port));
    ExitCode::SUCCESS
}

fn simulate(args: &SimulateArgs) -> ExitCode {
    let names = [
        "SMTP", "FAX", "X400", "MHS", "PROFS", "SNADS", "X500", "NOTES", "CCMAIL", "MSMAIL", "EX", "SMS", "TELEX", "PAGER", "VOICE", "IM",
        "NEWS",
    ];
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
        Ok(sim) => sim.with_address_names(&names[..types]).with_bug(args.bug),
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
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
            eprintln!("the store refused a submission: {h}");
        }
        sim.run();
    }
    sim.shutdown();
    if !args.quiet {
        print!("{}", sim.trace());
        println!();
    }
    if let Some(path) = &args.record
        && let Err(error) = std::fs::write(path, sim.recorded_trace())
    {
        eprintln!("error: cannot write {}: {error}", path.display());
        return ExitCode::from(2);
    }
    let summary = sim.summary();
    if let Some(bug) = args.bug {
        println!("bug: {bug} (should break {})", bug.breaks());
    }
    println!("{summary}");
    let clean = summary.refused == 0 && sim.violations().is_empty();
    for violation in sim.violations() {
        println!("violation: {violation}");
    }
    if clean { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// `trace check`: streams the trace line by line through the checker.
fn trace_check(file: &Path) -> ExitCode {
    let reader: Box<dyn BufRead> = if file == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(file) {
            Ok(f) => Box::new(BufReader::with_capacity(1 << 16, f)),
            Err(error) => {
                eprintln!("error: cannot read {}: {error}", file.display());
                return ExitCode::from(2);
            }
        }
    };
    let mut lines = reader.lines();
    let verdict = match lines.next() {
        None => trace::check_lines(std::iter::empty::<String>()),
        Some(Err(error)) => return read_error(&error, 1),
        Some(Ok(first)) => match trace::Checker::new(&first) {
            Err(error) => trace::Verdict::Invalid(error),
            Ok(mut checker) => {
                let mut verdict = None;
                for (i, line) in lines.enumerate() {
                    let line = match line {
                        Ok(line) => line,
                        Err(error) => return read_error(&error, i + 2),
                    };
                    match checker.feed(&line) {
                        Ok(()) => {}
                        Err(trace::Problem::Invalid(error)) => {
                            verdict = Some(trace::Verdict::Invalid(error));
                            break;
                        }
                        Err(trace::Problem::Diverged(divergence)) => {
                            verdict = Some(trace::Verdict::Diverges(divergence));
                            break;
                        }
                    }
                }
                verdict.unwrap_or_else(|| checker.finish())
            }
        },
    };
    println!("{verdict}");
    ExitCode::from(verdict.exit_code())
}

/// A line that could not be read (not UTF-8, or an I/O error): not a valid trace.
fn read_error(error: &std::io::Error, line: usize) -> ExitCode {
    println!("not a valid trace: line {line}, column 1: cannot read the line: {error}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Some(Command::Check(args)) => check(&args),
        Some(Command::Explore(args)) => explore(&args),
        Some(Command::Simulate(args)) => simulate(&args),
        Some(Command::Trace(TraceCommand::Check { file })) => trace_check(&file),
        None => suite(&CheckArgs::default()),
    }
}
