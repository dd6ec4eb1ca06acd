//! Recorded call traces and the conformance checker (issue 7): a trace is one JSON object per
//! line, a versioned header first, then one event per line (the format is specified in
//! `spec/trace-format.md`). [`Checker`] replays a trace against the reference spooler, one line
//! at a time, and says whether the component that recorded it followed the documented protocol.
//!
//! Everything here is pure: the checker takes lines of text and returns verdicts. [`Lines`]
//! turns the bytes of a trace file into those lines from any reader it is given; opening files
//! or standard input is the command line's job (`mapi-spooler trace check`).

mod check;
mod file;
pub(crate) mod json;

use crate::{Effect, Input, Profile};

pub use check::{Checker, Divergence, Problem, Verdict};
pub use file::{ByteOrder, LineError, Lines, MAX_LINE_BYTES, TraceLine, Unreadable, check_lines, check_reader};
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
