//! The trace format's JSON lines: [`Codec`] turns events into lines and lines into events, and
//! refuses a malformed line with the line, the column and what was expected.
//!
//! Each line is one JSON object whose first key says what it is: `call` (the spooler calls a
//! provider, store or preprocessor), `return` (that call returns), `support` (a provider or store
//! calls its support object), `queue` (the outgoing queue changed), `session` (a session
//! request), `event` (time, idle time, a crash), and, in traces that record them, `save`,
//! `report` and `release`. Flags are written as their documented names joined by `|`, results as
//! their documented names, objects by opaque IDs: `T0` transports, `S0` stores, `M1` messages,
//! `P0` preprocessors, `svc0` services.

mod field;
mod read;
mod write;

pub(crate) use field::{Field, Reader, Writer};

use super::{Event, FORMAT_VERSION, Header, Recorded, TraceError};

/// The keys that say what a line is, in the order they are looked for.
const KINDS: [&str; 14] = [
    "call",
    "return",
    "support",
    "queue",
    "session",
    "event",
    "save",
    "report",
    "release",
    "async",
    "yield",
    "logoff_answer",
    "client",
    "answer",
];

/// Writes and reads trace lines. It remembers address-type names, so that a trace may name
/// address types as its component knows them (`SMTP`) rather than by number.
#[derive(Clone, Debug, Default)]
pub struct Codec {
    address_types: Vec<String>,
}

/// Writes a whole trace: the header line, then one line per event, each ending in a newline.
#[must_use]
pub fn write(header: &Header, events: &[Event]) -> String {
    let codec = Codec::new(header);
    let mut out = codec.header_line(header);
    out.push('\n');
    for event in events {
        out.push_str(&codec.event_line(event));
        out.push('\n');
    }
    out
}

impl Codec {
    /// A codec that knows the header's address-type names.
    #[must_use]
    pub fn new(header: &Header) -> Codec {
        Codec { address_types: header.address_types.clone() }
    }
}

/// The number in an identifier such as `T0` (prefix `T`), if it is exactly that.
pub(crate) fn number<N: std::str::FromStr>(text: &str, prefix: &str) -> Option<N> {
    let digits = text.strip_prefix(prefix)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}
