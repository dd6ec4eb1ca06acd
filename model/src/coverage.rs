//! The suite's reach: which kinds of input the world fed the spooler, and which documented flags
//! of the support calls, notifications, client calls and returns it passed, counted per world
//! like the kinds of world move (issue 20).
//!
//! The kinds are generated from the method table and the input enums (`Call::METHODS`,
//! `SupportCall::NAMES`, `SessionRequest::NAMES`, ...) and the flag words' documented flags
//! (`NAMES` of each flag type), so a new method or flag is counted without being listed here.
//! The main job fails as vacuous when one is reached in no world of the suite, unless
//! [`TOLERATED`] names it with its reason (the README's table).

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

use mapi_spooler::{
    CancelRequest, EndFlags, FlushFlags, Input, LogoffFlags, LogonCaps, QueueEvent, Return, SessionRequest, SpoolerNotifyFlags,
    StatusRequest, StatusRowFlags, SupportCall, ValidateFlags,
};

/// One kind of input, or one flag of one method's flag word: (what, name).
type Key = (&'static str, &'static str);

/// The kinds of input and flags the suite does not reach, each with the reason the main job
/// tolerates it (README, "The suite's reach").
pub const TOLERATED: &[(&str, &str)] = &[
    ("return MSG_SERVICE_CONFIGURE", "no world logon answers MAPI_E_UNCONFIGURED (LIFE-6; tests/lifecycle)"),
    ("return PreprocessMessage", "no suite world preprocesses (`--preprocess` is a world option)"),
    ("return RemovePreprocessInfo", "no suite world preprocesses (`--preprocess`)"),
    ("return IMessage::SubmitMessage", "the spooler resubmits only preprocessed messages, and no suite world preprocesses"),
    ("support RegisterPreprocessor", "no suite world preprocesses (`--preprocess`)"),
    ("return OpenStatusEntry", "no world client opens a transport's status object (STAT-10; tests/status_objects)"),
    ("status OpenEntry", "no world client opens a transport's status object (STAT-10)"),
    ("status SettingsDialog", "no world client opens a settings dialog (STAT-14)"),
    ("status ChangePassword", "no world client changes a password (STAT-15)"),
    ("support SpoolerYield", "no world transport yields inside SubmitMessage (SUB-35; tests/submission)"),
    ("input TransportOrder", "no world client changes the transport order (ORD-8; tests/routing)"),
    ("SpoolerNotify NOTIFY_CONFIG_CHANGE", "no world move yet: a transport re-registering its address types (ORD-9)"),
    ("SpoolerNotify NOTIFY_READYTOSEND", "no world move yet: a transport asking to be offered mail again"),
    ("TransportLogon MAPI_UNICODE", "the world's transports log on ANSI"),
    ("TransportLogon LOGON_SP_RESOLVE", "no world transport resolves names"),
    ("FlushQueues FLUSH_FORCE", "the world's client flushes with FLUSH_UPLOAD | FLUSH_DOWNLOAD only"),
    ("FlushQueues FLUSH_NO_UI", "the world's client flushes with FLUSH_UPLOAD | FLUSH_DOWNLOAD only"),
    ("FlushQueues FLUSH_ASYNC_OK", "the world's client flushes synchronously"),
    ("ValidateState SUPPRESS_UI", "the world's client validates with CONFIG_CHANGED only"),
    ("ValidateState REFRESH_XP_HEADER_CACHE", "the world's client validates with CONFIG_CHANGED only"),
    ("ValidateState PROCESS_XP_HEADER_CACHE", "the world's client validates with CONFIG_CHANGED only"),
    ("ValidateState FORCE_XP_CONNECT", "the world's client validates with CONFIG_CHANGED only"),
    ("ValidateState FORCE_XP_DISCONNECT", "the world's client validates with CONFIG_CHANGED only"),
    ("ValidateState ABORT_XP_HEADER_OPERATION", "the world's client validates with CONFIG_CHANGED only"),
    ("ValidateState SHOW_XP_SESSION_UI", "the world's client validates with CONFIG_CHANGED only"),
];

/// What one world's exploration fed the spooler: a flag per kind of input and per flag.
#[derive(Debug)]
pub struct Coverage {
    index: HashMap<Key, usize>,
    keys: Vec<Key>,
    seen: Vec<AtomicBool>,
}

impl Default for Coverage {
    fn default() -> Coverage {
        Coverage::new()
    }
}

impl Coverage {
    /// Nothing fed yet.
    #[must_use]
    pub fn new() -> Coverage {
        let keys = every_key();
        let index = keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        let seen = keys.iter().map(|_| AtomicBool::new(false)).collect();
        Coverage { index, keys, seen }
    }

    /// Every kind and flag counted, as `what name` ("return EndMessage", "SpoolerNotify
    /// NOTIFY_NEWMAIL").
    #[must_use]
    pub fn all() -> Vec<String> {
        every_key().into_iter().map(words).collect()
    }

    /// The world fed the spooler this input.
    pub fn record(&self, input: &Input) {
        self.mark(kind(input));
        match input {
            Input::Support(SupportCall::SpoolerNotify { flags, .. }) => {
                self.flags("SpoolerNotify", SpoolerNotifyFlags::NAMES, |f| flags.contains(*f))
            }
            Input::Support(SupportCall::StoreLogoffTransports { flags, .. }) => {
                self.flags("StoreLogoffTransports", LogoffFlags::NAMES, |f| flags.contains(*f));
            }
            Input::Support(SupportCall::ModifyStatusRow { flags, .. }) => {
                self.flags("ModifyStatusRow", StatusRowFlags::NAMES, |f| flags.contains(*f))
            }
            Input::Return(Return::EndMessage { result: Ok(flags), .. }) => {
                self.flags("EndMessage", EndFlags::NAMES, |f| flags.contains(*f))
            }
            Input::Return(Return::TransportLogon { result: Ok(caps), .. }) => {
                self.flags("TransportLogon", LogonCaps::NAMES, |f| caps.contains(*f))
            }
            Input::Status(StatusRequest::FlushQueues { flags, .. }) => {
                self.flags("FlushQueues", FlushFlags::NAMES, |f| flags & f.bits() != 0)
            }
            Input::Status(StatusRequest::ValidateState { flags }) => {
                self.flags("ValidateState", ValidateFlags::NAMES, |f| flags & f.bits() != 0)
            }
            _ => {}
        }
    }

    fn flags<F: Copy>(&self, what: &'static str, names: &'static [(F, &'static str)], set: impl Fn(&F) -> bool) {
        for (flag, name) in names {
            if set(flag) {
                self.mark((what, name));
            }
        }
    }

    fn mark(&self, key: Key) {
        if let Some(seen) = self.index.get(&key).map(|i| &self.seen[*i])
            && !seen.load(Ordering::Relaxed)
        {
            seen.store(true, Ordering::Relaxed);
        }
    }

    /// The kinds and flags fed so far.
    #[must_use]
    pub fn reached(&self) -> BTreeSet<String> {
        self.keys.iter().zip(&self.seen).filter(|(_, s)| s.load(Ordering::Relaxed)).map(|(k, _)| words(*k)).collect()
    }
}

fn words((what, name): Key) -> String {
    format!("{what} {name}")
}

/// The kind of an input: the method a return answers, the support call, the request.
fn kind(input: &Input) -> Key {
    match input {
        Input::Session(request) => ("session", request.name()),
        Input::Return(ret) => ("return", ret.method()),
        Input::Support(call) => ("support", call.name()),
        Input::Queue(event) => ("queue", event.name()),
        Input::TimePassed { .. } => ("input", "TimePassed"),
        Input::SystemIdle => ("input", "SystemIdle"),
        Input::TransportOrder(_) => ("input", "TransportOrder"),
        Input::Cancel(request) => ("cancel", request.name()),
        Input::Status(request) => ("status", request.method()),
    }
}

/// Every kind and flag, from the method table, the input enums and the flag words. The plain
/// inputs are the three `Input` variants [`kind`] names (its match is exhaustive).
fn every_key() -> Vec<Key> {
    let mut keys: Vec<Key> = Vec::new();
    keys.extend(SessionRequest::NAMES.iter().map(|n| ("session", *n)));
    keys.extend(mapi_spooler::Call::METHODS.iter().map(|n| ("return", *n)));
    keys.extend(SupportCall::NAMES.iter().map(|n| ("support", *n)));
    keys.extend(QueueEvent::NAMES.iter().map(|n| ("queue", *n)));
    keys.extend(["TimePassed", "SystemIdle", "TransportOrder"].map(|n| ("input", n)));
    keys.extend(CancelRequest::NAMES.iter().map(|n| ("cancel", *n)));
    keys.extend(StatusRequest::NAMES.iter().map(|n| ("status", *n)));
    keys.extend(SpoolerNotifyFlags::NAMES.iter().map(|(_, n)| ("SpoolerNotify", *n)));
    // LIFE-20: the store passes one of the five input flags; the others are the answer's.
    keys.extend(LogoffFlags::NAMES.iter().filter(|(f, _)| f.bits() < 0x1_0000).map(|(_, n)| ("StoreLogoffTransports", *n)));
    keys.extend(StatusRowFlags::NAMES.iter().map(|(_, n)| ("ModifyStatusRow", *n)));
    keys.extend(EndFlags::NAMES.iter().map(|(_, n)| ("EndMessage", *n)));
    keys.extend(LogonCaps::NAMES.iter().map(|(_, n)| ("TransportLogon", *n)));
    keys.extend(FlushFlags::NAMES.iter().map(|(_, n)| ("FlushQueues", *n)));
    keys.extend(ValidateFlags::NAMES.iter().map(|(_, n)| ("ValidateState", *n)));
    keys
}

/// The suite's reach: every kind and flag, the ones no world reached, and those of them the main
/// job tolerates ([`TOLERATED`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    /// How many kinds and flags are counted.
    pub kinds: usize,
    /// How many some world reached.
    pub reached: usize,
    /// Reached in no world and tolerated, with the reason.
    pub tolerated: Vec<(String, &'static str)>,
    /// Reached in no world and not tolerated: the gaps that make the suite vacuous.
    pub gaps: Vec<String>,
}

impl Reach {
    /// The reach of the worlds of these reports together.
    #[must_use]
    pub fn of(reports: &[&crate::check::Report]) -> Reach {
        let reached: BTreeSet<&String> = reports.iter().flat_map(|r| &r.inputs_reached).collect();
        let all = Coverage::all();
        let mut tolerated = Vec::new();
        let mut gaps = Vec::new();
        for kind in all.iter().filter(|k| !reached.contains(k)) {
            match TOLERATED.iter().find(|(name, _)| name == kind) {
                Some((_, why)) => tolerated.push((kind.clone(), *why)),
                None => gaps.push(kind.clone()),
            }
        }
        Reach { kinds: all.len(), reached: all.len() - tolerated.len() - gaps.len(), tolerated, gaps }
    }

    /// Vacuous when a kind or flag that is not tolerated was reached in no world.
    #[must_use]
    pub fn exit(&self) -> crate::Exit {
        if self.gaps.is_empty() { crate::Exit::Holds } else { crate::Exit::Vacuous }
    }
}

impl std::fmt::Display for Reach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "reach: {} of {} kinds of input and documented flags fed in some world", self.reached, self.kinds)?;
        for (kind, why) in &self.tolerated {
            writeln!(f, "  tolerated gap: {kind} ({why})")?;
        }
        if self.gaps.is_empty() { write!(f, "no other gap") } else { write!(f, "GAPS (reached in no world): {}", self.gaps.join(", ")) }
    }
}

#[cfg(test)]
mod tests {
    use super::{Coverage, TOLERATED};

    /// Every tolerated gap names a kind or flag that is counted, once.
    #[test]
    fn every_tolerated_gap_is_a_counted_kind() {
        let all = Coverage::all();
        for (i, (kind, why)) in TOLERATED.iter().enumerate() {
            assert!(all.iter().any(|k| k == kind), "{kind} is not counted");
            assert!(!why.is_empty(), "{kind} has no reason");
            assert!(TOLERATED[..i].iter().all(|(k, _)| k != kind), "{kind} twice");
        }
    }

    /// The kinds come from the method table: every return of a call and every support call.
    #[test]
    fn the_kinds_come_from_the_method_table() {
        let all = Coverage::all();
        for method in mapi_spooler::Call::METHODS {
            assert!(all.contains(&format!("return {method}")), "{method}");
        }
        for name in mapi_spooler::SupportCall::NAMES {
            assert!(all.contains(&format!("support {name}")), "{name}");
        }
        assert!(all.contains(&"SpoolerNotify NOTIFY_CONFIG_CHANGE".to_owned()));
    }
}
