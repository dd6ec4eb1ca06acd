//! The `mapi-spooler` command line: runs the reference spooler in a deterministic simulation.

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use mapi_spooler::sim::{Sim, TransportScript};
use mapi_spooler::store::{Draft, SENT_ITEMS};
use mapi_spooler::{AddrType, Profile, RecipientRow, Registrations, ReportRequests, StoreId};

/// Executable reference of the MAPI spooler.
///
/// With no subcommand, runs the default simulation: two transports with different address
/// types and a handful of messages with mixed recipients, printing the numbered call trace and
/// a summary of what became of every message and recipient.
#[derive(Parser, Debug)]
#[command(version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate the spooler with scripted transports and a reference store.
    Simulate(SimulateArgs),
}

#[derive(Args, Debug)]
struct SimulateArgs {
    /// Transports; transport i handles address type i, and the last one is also tried for
    /// nothing else (there is always one address type no transport handles, to show NDRs).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=16))]
    transports: u8,
    /// Messages the client submits.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    messages: u32,
    /// The most recipients a message has (each message has 1 to this many).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=1000))]
    recipients: u16,
    /// Seed for the choices of the simulation (recipients, faults).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Transports answer only S_OK: no BUSY, WAIT, NETWORK_ERROR or NOT_ME.
    #[arg(long)]
    no_faults: bool,
    /// Print only the summary, not the trace.
    #[arg(long)]
    quiet: bool,
}

impl Default for SimulateArgs {
    fn default() -> Self {
        SimulateArgs { transports: 2, messages: 5, recipients: 3, seed: 1, no_faults: false, quiet: false }
    }
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
    let profile = Profile::new(args.transports);
    let mut sim = match Sim::new(&profile, scripts, args.seed) {
        Ok(sim) => sim.with_address_names(&names[..types]),
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
    let summary = sim.summary();
    println!("{summary}");
    if summary.refused == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Simulate(args)) => simulate(&args),
        None => simulate(&SimulateArgs::default()),
    }
}
