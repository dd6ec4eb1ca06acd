//! The suite's reach: which kinds of input the world fed the spooler, which documented flags of
//! the support calls, notifications, client calls and returns it passed, and which documented
//! results of the calls with more than one it returned, counted per world like the kinds of world
//! move (issue 20).
//!
//! The kinds are generated from the method table and the input enums (`Call::METHODS`,
//! `SupportCall::NAMES`, `SessionRequest::NAMES`, ...) and the flag words' documented flags
//! (`NAMES` of each flag type), so a new method or flag is counted without being listed here.
//! The main job fails as vacuous when one is reached in no world of the suite, unless
//! [`TOLERATED`] names it with its reason (the README's table).

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

use mapi_spooler::{
    CancelRequest, Delivery, EndFlags, FlushFlags, HookFlags, Hresult, Input, LogoffFlags, LogonCaps, QueueEvent, Return, SessionRequest,
    SpoolerNotifyFlags, StatusRequest, StatusRowFlags, SubmitOutcome, SupportCall, ValidateFlags,
};

/// One kind of input, or one flag of one method's flag word: (what, name).
type Key = (&'static str, &'static str);

/// The kinds of input, flags and results the suite does not reach, each with the reason the main
/// job tolerates it (README, "The suite's reach").
pub const TOLERATED: &[(&str, &str)] = &[
    ("return MSG_SERVICE_CONFIGURE", "no world logon answers MAPI_E_UNCONFIGURED (LIFE-6; tests/lifecycle)"),
    (
        "TransportLogon returned MAPI_E_UNCONFIGURED",
        "the world's failing logon answers MAPI_E_FAILONEPROVIDER only (LIFE-6; tests/lifecycle)",
    ),
    (
        "TransportLogon returned MAPI_E_USER_CANCEL",
        "the world's failing logon answers MAPI_E_FAILONEPROVIDER only (LIFE-6; tests/lifecycle)",
    ),
    ("TransportLogon returned another error", "the world's failing logon answers MAPI_E_FAILONEPROVIDER only (INV-6; tests/lifecycle)"),
    ("return OpenStatusEntry", "no world client opens a transport's status object (STAT-10; tests/status_objects)"),
    ("status OpenEntry", "no world client opens a transport's status object (STAT-10)"),
    ("status SettingsDialog", "no world client opens a settings dialog (STAT-14)"),
    ("status ChangePassword", "no world client changes a password (STAT-15)"),
    ("support SpoolerYield", "no world transport yields inside SubmitMessage (SUB-35; tests/submission)"),
    ("input TransportOrder", "no world client changes the transport order (ORD-8; tests/routing)"),
    ("TransportLogon MAPI_UNICODE", "the world's transports log on ANSI"),
    ("TransportLogon LOGON_SP_RESOLVE", "no world transport resolves names"),
];

/// A result of a call that is none of the documented error codes listed with it.
const OTHER: &str = "another error";

/// The documented results of each call the world answers that has more than one, as
/// (`what` of the key, results): an `HRESULT` by its name, [`OTHER`] for the documented "any
/// other error", or what the out-parameters say.
pub const RESULTS: &[(&str, &[&str])] = &[
    // VER-3, ERR-11.
    ("XPProviderInit returned", &["S_OK", "MAPI_E_VERSION"]),
    // LIFE-6, ERR-9.
    ("TransportLogon returned", &["S_OK", "MAPI_E_FAILONEPROVIDER", "MAPI_E_UNCONFIGURED", "MAPI_E_USER_CANCEL", OTHER]),
    // ERR-1 to ERR-7, DEF-8.
    (
        "SubmitMessage returned",
        &["S_OK", "MAPI_E_BUSY", "MAPI_E_NOT_ME", "MAPI_E_WAIT", "MAPI_E_NETWORK_ERROR", "MAPI_E_CANCEL", "MAPI_E_USER_CANCEL", OTHER],
    ),
    // RCV-5 to RCV-7, RCV-13, ERR-8.
    ("StartMessage returned", &["a message saved", "nothing saved", "MAPI_E_USER_CANCEL", OTHER]),
    // HOOK-6, HOOK-13.
    ("InboundMsgHook returned", &["the message kept", "HOOK_DELETE", "HOOK_CANCEL"]),
    // STAT-11, ERR-13.
    ("ValidateState returned", &["S_OK", "MAPI_E_BUSY", "MAPI_E_NO_SUPPORT", "MAPI_E_USER_CANCEL"]),
    // DEF-6, AMB-17, ERR-14.
    ("AbortSubmit returned", &["S_OK", "MAPI_E_NOT_IN_QUEUE"]),
    // RCV-3.
    ("Poll returned", &["mail waiting", "no mail"]),
];

/// The documented result a return gives, as a key of [`RESULTS`].
fn result(ret: &Return) -> Option<Key> {
    let code = |what: &'static str, h: Hresult| -> Option<Key> {
        let (what, names) = RESULTS.iter().find(|(w, _)| *w == what)?;
        let name = names.iter().find(|n| h.name() == Some(**n)).copied().unwrap_or(OTHER);
        Some((*what, name))
    };
    let plain = |what: &'static str, name: &'static str| Some((what, name));
    match ret {
        Return::XpProviderInit { result, .. } => code("XPProviderInit returned", result.err().unwrap_or(Hresult::S_OK)),
        Return::TransportLogon { result, .. } => code("TransportLogon returned", result.err().unwrap_or(Hresult::S_OK)),
        Return::SubmitMessage { outcome: SubmitOutcome::Accepted { .. }, .. } => plain("SubmitMessage returned", "S_OK"),
        Return::SubmitMessage { outcome: SubmitOutcome::Failed { result, .. }, .. } => code("SubmitMessage returned", *result),
        Return::StartMessage { result: Ok(Delivery::Saved), .. } => plain("StartMessage returned", "a message saved"),
        Return::StartMessage { result: Ok(Delivery::Empty), .. } => plain("StartMessage returned", "nothing saved"),
        Return::StartMessage { result: Err(h), .. } => code("StartMessage returned", *h),
        Return::InboundMsgHook { result: Ok(outcome), .. } if outcome.flags.contains(HookFlags::HOOK_DELETE) => {
            plain("InboundMsgHook returned", "HOOK_DELETE")
        }
        Return::InboundMsgHook { result: Ok(outcome), .. } if outcome.flags.contains(HookFlags::HOOK_CANCEL) => {
            plain("InboundMsgHook returned", "HOOK_CANCEL")
        }
        Return::InboundMsgHook { result: Ok(_), .. } => plain("InboundMsgHook returned", "the message kept"),
        Return::ValidateState { result, .. } => code("ValidateState returned", *result),
        Return::AbortSubmit { result, .. } => code("AbortSubmit returned", *result),
        Return::Poll { incoming, .. } => plain("Poll returned", if *incoming > 0 { "mail waiting" } else { "no mail" }),
        _ => None,
    }
}

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
        if let Some(key) = match input {
            Input::Return(ret) => result(ret),
            _ => None,
        } {
            self.mark(key);
        }
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
                self.flags("FlushQueues", FlushFlags::NAMES, |f| flags & f.bits() != 0);
                // STAT-17: one direction only.
                let (up, down) = (flags & FlushFlags::FLUSH_UPLOAD.bits() != 0, flags & FlushFlags::FLUSH_DOWNLOAD.bits() != 0);
                match (up, down) {
                    (true, false) => self.mark(("FlushQueues", "FLUSH_UPLOAD alone")),
                    (false, true) => self.mark(("FlushQueues", "FLUSH_DOWNLOAD alone")),
                    _ => {}
                }
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
    keys.extend(["FLUSH_UPLOAD alone", "FLUSH_DOWNLOAD alone"].map(|n| ("FlushQueues", n)));
    keys.extend(ValidateFlags::NAMES.iter().map(|(_, n)| ("ValidateState", *n)));
    keys.extend(RESULTS.iter().flat_map(|(what, results)| results.iter().map(move |r| (*what, *r))));
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
        writeln!(f, "reach: {} of {} kinds of input, documented flags and documented results fed in some world", self.reached, self.kinds)?;
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

    /// Every documented result of [`super::RESULTS`] is counted, and a return is counted under
    /// the result it gives: an undocumented code as "another error" where the call has one.
    #[test]
    fn the_results_are_counted_by_what_the_call_returned() {
        use mapi_spooler::{Hresult, MessageId, RecipientSet, Return, SubmitOutcome, TransportId};
        let all = Coverage::all();
        for (what, results) in super::RESULTS {
            for r in *results {
                assert!(all.contains(&format!("{what} {r}")), "{what} {r}");
            }
        }
        let fed = |ret: Return| {
            let cover = Coverage::new();
            cover.record(&mapi_spooler::Input::Return(ret));
            cover.reached()
        };
        let failed = |result| Return::SubmitMessage {
            transport: TransportId(0),
            message: MessageId(1),
            outcome: SubmitOutcome::Failed { result, return_parm: 0, saved: RecipientSet::new() },
        };
        assert!(fed(failed(Hresult::MAPI_E_NOT_ME)).contains("SubmitMessage returned MAPI_E_NOT_ME"));
        let validated = fed(Return::ValidateState { transport: TransportId(0), result: Hresult::MAPI_E_NO_SUPPORT });
        assert!(validated.contains("ValidateState returned MAPI_E_NO_SUPPORT"), "{validated:?}");
        let other = fed(failed(Hresult::MAPI_E_CALL_FAILED));
        assert!(other.contains("SubmitMessage returned another error"), "{other:?}");
        assert!(!other.iter().any(|k| k.ends_with("MAPI_E_CALL_FAILED")), "{other:?}");
    }
}
