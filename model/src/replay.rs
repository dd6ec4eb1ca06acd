//! `replay FILE`: steps through a recorded trace (a counterexample's `.jsonl`, a simulated
//! session's `--record`, or a trace of your own component) like SPIN's `spin -t`, printing each
//! step and the spooler's state after it ([`crate::view::spooler_state`]), and stopping where
//! the trace parts from every legal spooler. The state shown is the checker's first: of the
//! legal spoolers consistent with the trace, the one that follows the reference's own choices
//! the longest (`mapi_spooler::trace::Checker::spooler`).
//!
//! A step is one input to the spooler (a return, a support call, a queue notification, a
//! session request, time) or a crash, with the effects the file records after it.

use std::io::{self, Write};

use mapi_spooler::Spooler;
use mapi_spooler::trace::{self, Checker, Codec, LineError, Problem, TraceLine};

use crate::exit::Exit;
use crate::view;

/// Where to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Print every step with the state after it.
    Never,
    /// Print the steps before this one as lines, then this one with its state, then stop.
    At(usize),
}

/// Replays the trace read from `lines` (the lines of a file that are not blank, the header
/// first: [`trace::Lines`]), writing to `out`.
///
/// # Errors
/// Only when writing to `out` fails; what is wrong with the trace is written and returned as the
/// exit ([`Exit::Broken`] where it diverges, [`Exit::InvalidInput`] where it is not a trace,
/// [`Exit::Usage`] for a step past its end).
pub fn replay(lines: impl Iterator<Item = Result<TraceLine, LineError>>, stop: Stop, out: &mut dyn Write) -> io::Result<Exit> {
    let mut lines = lines;
    let header = match lines.next() {
        Some(Ok(line)) => line,
        Some(Err(error)) => return invalid(out, error.line, &error.what.to_string()),
        None => return invalid(out, 1, "the trace is empty (or has only blank lines); it must start with a header line"),
    };
    let (_, mut codec) = match Codec::read_header(&header.text) {
        Ok(ok) => ok,
        Err(error) => return invalid(out, header.number, &error.message),
    };
    let mut checker = match Checker::new(&header.text) {
        Ok(checker) => checker,
        Err(error) => return invalid(out, header.number, &error.message),
    };
    let mut step = 0;
    let show_state = |step: usize| match stop {
        Stop::Never => true,
        Stop::At(n) => n == step,
    };
    for line in lines {
        let TraceLine { number, text } = match line {
            Ok(line) => line,
            Err(error) => return invalid(out, error.line, &error.what.to_string()),
        };
        let event = match codec.read_event(&text, number) {
            Ok(event) => event,
            Err(error) => return invalid(out, error.line, &error.message),
        };
        let opens_step = !matches!(event, trace::Event::Effect(_));
        if opens_step {
            if step > 0 && show_state(step) {
                state(out, checker.spooler())?;
                if stop == Stop::At(step) {
                    return Ok(Exit::Holds);
                }
            }
            step += 1;
        }
        match checker.feed_line(number, &text) {
            Ok(()) => {}
            Err(Problem::Invalid(error)) => return invalid(out, error.line, &error.message),
            Err(Problem::Diverged(divergence)) => {
                writeln!(out, "      line {number}: {text}")?;
                writeln!(out, "\nthe trace diverges at {divergence}")?;
                state(out, checker.spooler())?;
                return Ok(Exit::Broken);
            }
            Err(Problem::Exceeded(exceeded)) => {
                writeln!(out, "\nno verdict: {exceeded}")?;
                return Ok(Exit::Incomplete);
            }
        }
        match event {
            trace::Event::Input(input) => writeln!(out, "{step:>4}. {}", mapi_spooler::sim::input_line(&input))?,
            trace::Event::Effect(effect) => writeln!(out, "        {}", mapi_spooler::sim::effect_line(&effect))?,
            // The checker diverged at such a line above.
            trace::Event::UndefinedFlags(undefined) => writeln!(out, "{step:>4}. {}", undefined.line)?,
            trace::Event::Crash => writeln!(out, "{step:>4}. {}", view::CRASH)?,
        }
    }
    if let Stop::At(n) = stop
        && n != step
    {
        writeln!(out, "\nthe trace has {step} steps; there is no step {n}")?;
        return Ok(Exit::Usage);
    }
    if step > 0 {
        state(out, checker.spooler())?;
    }
    let verdict = checker.finish();
    writeln!(out, "\n{verdict}")?;
    Ok(crate::json::trace_exit(&verdict))
}

fn state(out: &mut dyn Write, spooler: &Spooler) -> io::Result<()> {
    for line in view::spooler_state(spooler).lines().chain(view::spooler_messages(spooler).lines()) {
        writeln!(out, "        | {line}")?;
    }
    Ok(())
}

fn invalid(out: &mut dyn Write, line: usize, message: &str) -> io::Result<Exit> {
    writeln!(out, "not a valid trace: line {line}: {message}")?;
    Ok(Exit::InvalidInput)
}
