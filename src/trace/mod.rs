//! Recorded call traces and the conformance checker (issue 7): a trace is one JSON object per
//! line, a versioned header first, then one event per line (the format is specified in
//! `spec/trace-format.md`). [`Checker`] replays a trace against the reference spooler, one line
//! at a time, and says whether the component that recorded it followed the documented protocol.
//!
//! Everything here is pure: the checker takes lines of text and returns verdicts. [`Lines`]
//! turns the bytes of a trace file into those lines from any reader it is given; opening files
//! or standard input is the command line's job (`mapi-spooler trace check`).

mod blame;
mod check;
mod file;
mod frontier;
pub(crate) mod json;

use crate::{Effect, Input, Party, Profile};

pub use blame::Divergence;
pub use check::{Checker, FrontierExceeded, Problem, Verdict};
pub use file::{ByteOrder, LineError, Lines, MAX_LINE_BYTES, TraceLine, Unreadable, check_lines, check_reader, check_reader_bounded};
pub use json::{Codec, write};

/// The version of the trace format this reference reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// Which of the spooler's effects a trace records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Recorded {
    /// Every effect: the spooler's calls and what it saves, reports and releases. The reference
    /// spooler's own traces (the simulator's, the model checker's counterexamples) are of this
    /// kind.
    All,
    /// Only the calls the spooler makes (and everything that comes back to it): what a logging
    /// wrapper around a transport provider or a message store sees.
    Calls,
}

/// The first line of a trace: the format version, the profile the session ran with and which
/// effects the trace records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The profile: transport entries with their services, stores, and the spooler's settings.
    pub profile: Profile,
    /// Which effects the trace records.
    pub recorded: Recorded,
    /// Names of address types, by [`crate::AddrType`] number (`SMTP` for `adr0`, and so on).
    pub address_types: Vec<String>,
}

/// One line of a trace after the header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Something that happens to the spooler: a return, a support call, a queue notification, a
    /// session request, time passing or idle time.
    Input(Input),
    /// Something the spooler does: a call, or (in traces that record them) a save, a report or a
    /// release.
    Effect(Effect),
    /// The spooler process dies; a new one starts against what the stores saved (DEC-12).
    Crash,
    /// A line whose flag word has bits its parameter does not define: a valid line, which no
    /// legal world produces, so the checker diverges there, naming who produced it.
    UndefinedFlags(UndefinedFlags),
}

/// A flag word with bits its parameter does not define, as a line records it
/// (`spec/trace-format.md`): the fault of the line's producer (a [`Party`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UndefinedFlags {
    /// The line, as the trace has it.
    pub line: String,
    /// Who produced it.
    pub producer: Party,
    /// The method or event (the value of the line's kind key: `EndMessage`).
    pub method: String,
    /// The key of the flag word (`lpulFlags`).
    pub key: &'static str,
    /// The word.
    pub word: u32,
    /// Its bits that the parameter does not define.
    pub undefined: u32,
    /// The parameter's documented flags.
    pub documented: Vec<&'static str>,
    /// The requirements that list them.
    pub rules: &'static [&'static str],
}

impl UndefinedFlags {
    /// The divergence at line `line`: the producer broke the rules that list the flags.
    #[must_use]
    pub fn divergence(&self, line: usize) -> Divergence {
        let (last, first) = self.documented.split_last().map_or(("", &[][..]), |(l, f)| (*l, f));
        let names = if first.is_empty() { last.to_owned() } else { format!("{} and {last}", first.join(", ")) };
        let word = format!(
            "{} of {} is 0x{:08X}, with bits 0x{:08X} that the documentation does not define for it (it defines {names})",
            self.key, self.method, self.word, self.undefined
        );
        let expected = match self.producer {
            Party::Spooler => format!("never passes such a word: {word}; the spooler broke the contract"),
            component => format!("refuses this input: {component} broke the contract: {word}"),
        };
        Divergence {
            line,
            event: self.line.clone(),
            expected,
            requirements: self.rules.iter().map(|r| (*r).to_owned()).collect(),
            party: self.producer,
            rule: self.rules.first().map_or_else(String::new, |r| (*r).to_owned()),
            instead: format!("pass in {} only the flags the documentation defines for it ({names})", self.key),
        }
    }
}

/// A line that is not a valid trace line: where, and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct TraceError {
    /// The line number, from 1.
    pub line: usize,
    /// The column, from 1 (of the offending field where it can be found).
    pub column: usize,
    /// What was wrong, and what was expected.
    pub message: String,
}
