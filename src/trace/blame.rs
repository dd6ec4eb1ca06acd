//! Who broke which rule, when no legal spooler explains the trace (issue 14 item 5).
//!
//! When every state of the frontier fails at one event, the divergence names the party at
//! fault, the requirement the recorded event breaks and what a party keeping the contract could
//! have done instead. A state that fails because another party broke the contract (a refused
//! return, support call or notification; a row that does not mirror the traffic) is preferred
//! over one that fails because of the spooler's own line: a legal spooler reached a point where
//! the other party went wrong, so the departure is that party's, never the reference's.

use super::frontier::{Dead, Death, Deaths};
use super::{Event, Recorded};
use crate::{Call, CallerError, Effect, Error, Party, Property, ProviderFault, StoreFault, Violation};

/// The first event where no legal spooler explains the trace, and who broke which rule there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The line number of the event, from 1.
    pub line: usize,
    /// The event as the trace records it (re-encoded).
    pub event: String,
    /// What the reference does or allows at that point.
    pub expected: String,
    /// The requirement IDs involved.
    pub requirements: Vec<String>,
    /// Who is at fault: the party whose event breaks a rule, or the spooler when its own line
    /// is none a legal spooler makes there.
    pub party: Party,
    /// The requirement the recorded event breaks: the monitor's property, the refusal's own
    /// rule, or the rule that says when the spooler makes what it should have made.
    pub rule: String,
    /// What a party keeping the contract could have done instead.
    pub instead: String,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}\n  the reference: {}", self.line, self.event, self.expected)?;
        write!(f, "\n  at fault: {}, which breaks {}", self.party, self.rule)?;
        if let Some(property) = Property::ALL.iter().find(|p| p.id() == self.rule) {
            write!(f, " ({})", property.summary())?;
        }
        write!(f, "\n  instead: {}", self.instead)?;
        if !self.requirements.is_empty() {
            write!(f, "\n  requirements: {}", self.requirements.join(", "))?;
        }
        Ok(())
    }
}

/// The divergence at `event` (line `line`, written `text`), from the states that failed there.
pub(super) fn at_event(line: usize, event: &Event, text: String, deaths: &Deaths, recorded: Recorded) -> Divergence {
    let dead = &deaths.0;
    let first = dead.iter().find(|d| fault(d, event) != Party::Spooler).or_else(|| dead.first());
    let Some(dead_state) = first else {
        // Unreachable with a non-empty frontier; a trace whose frontier was empty already
        // diverged on an earlier line.
        return Divergence {
            line,
            event: text,
            expected: "nothing: no state of a legal spooler is left".to_owned(),
            requirements: Vec::new(),
            party: Party::Spooler,
            rule: "DEC-20".to_owned(),
            instead: "a spooler keeping the contract makes none of the calls before".to_owned(),
        };
    };
    let party = fault(dead_state, event);
    let recorded_effect = match event {
        Event::Effect(effect) => Some(effect),
        Event::Input(_) | Event::Crash | Event::UndefinedFlags(_) => None,
    };
    let own = recorded_effect.map(own_requirements).unwrap_or_default();
    // The property the monitor finds the recorded effect breaking here, if any.
    let flagged = recorded_effect.and_then(|e| flagged_by_monitor(dead_state, e));
    let (expected, mut requirements, rule) = match &dead_state.death {
        Death::Owes(owed) if recorded_effect.is_some() => {
            let rule = flagged.clone().unwrap_or_else(|| first_of(&requirements_of(owed)));
            (format!("makes {} here", describe(owed)), [requirements_of(owed), own, vec![rule.clone()]].concat(), rule)
        }
        Death::Owes(owed) => {
            (format!("makes {} before anything else happens", describe(owed)), requirements_of(owed), first_of(&requirements_of(owed)))
        }
        Death::Waits(call) => (
            format!("makes no call here: it waits for {call} to return (one synchronous call at a time)"),
            [vec!["AMB-20".to_owned()], own].concat(),
            Property::OneCallAtATime.id().to_owned(),
        ),
        Death::Other => {
            let legal = dead_state.node.legal_next(recorded);
            let rule = flagged.clone().unwrap_or_else(|| recorded_effect.map(own_requirements).map_or_else(String::new, |r| first_of(&r)));
            match legal.first() {
                Some(next) => (format!("makes {} here", describe(next)), [requirements_of(next), own, vec![rule.clone()]].concat(), rule),
                None => (
                    "makes no call here: nothing it has been told calls for one".to_owned(),
                    [vec!["DEC-20".to_owned()], own, vec![rule.clone()]].concat(),
                    rule,
                ),
            }
        }
        Death::Refused(error) => {
            let text = error.to_string();
            let requirements = refusal_requirements(error, &text);
            let rule = first_of(&requirements);
            (format!("refuses this input: {text}"), requirements, rule)
        }
        Death::Broke(violation) if party == Party::Spooler => (
            format!("breaks a property of its own here, which is a bug of the reference: {violation}"),
            vec![violation.property.id().to_owned()],
            violation.property.id().to_owned(),
        ),
        Death::Broke(violation) => (
            format!("{party} broke the contract: {violation}"),
            vec![violation.property.id().to_owned()],
            violation.property.id().to_owned(),
        ),
    };
    if !matches!(dead_state.death, Death::Refused(_)) {
        requirements.retain(|r| !r.is_empty());
        requirements.sort();
        requirements.dedup();
    }
    let instead = match party {
        Party::Spooler => spooler_instead(dead, recorded),
        other => format!("a {} keeping the contract {}", other.kind(), remedy(&dead_state.death, event)),
    };
    Divergence { line, event: text, expected, requirements, party, rule, instead }
}

/// The divergence at the end of a trace that stops while every state still owes an effect.
pub(super) fn at_end(line: usize, owed: &[Effect]) -> Divergence {
    let first = owed.first();
    let requirements = first.map(requirements_of).unwrap_or_default();
    Divergence {
        line,
        event: "(the end of the trace)".to_owned(),
        expected: first.map_or_else(|| "makes a call next".to_owned(), |e| format!("makes {} next", describe(e))),
        rule: first_of(&requirements),
        requirements,
        party: Party::Spooler,
        instead: format!("a spooler keeping the contract {} before the trace ends", one_of(owed.iter().map(describe).collect())),
    }
}

/// Who is at fault when this state fails at `event`.
fn fault(dead: &Dead, event: &Event) -> Party {
    let Event::Input(input) = event else { return Party::Spooler };
    match &dead.death {
        Death::Refused(Error::Provider { transport, .. }) => Party::Transport(*transport),
        Death::Refused(Error::Store { store, .. }) => Party::Store(*store),
        Death::Refused(Error::Caller(_)) => Party::of_input(input),
        // INV-12 judges the transport's row when its TransportNotify returns.
        Death::Broke(Violation { property: Property::RowMirrorsEnabled, .. }) => Party::of_input(input),
        Death::Broke(_) | Death::Owes(_) | Death::Waits(_) | Death::Other => Party::Spooler,
    }
}

/// What a spooler keeping the contract does here: the union over the failed states of what
/// each could do next.
fn spooler_instead(dead: &[Dead], recorded: Recorded) -> String {
    let mut options: Vec<String> = Vec::new();
    for d in dead {
        let found = match &d.death {
            Death::Owes(owed) => vec![describe(owed)],
            Death::Waits(call) => vec![format!("waits for {call} to return")],
            Death::Other => d.node.legal_next(recorded).iter().map(describe).collect(),
            Death::Refused(_) | Death::Broke(_) => Vec::new(),
        };
        for option in found {
            if !options.contains(&option) {
                options.push(option);
            }
        }
    }
    format!("a spooler keeping the contract {} here", one_of(options))
}

/// "makes X", "makes one of: X; Y", or "makes no call".
fn one_of(options: Vec<String>) -> String {
    const SHOWN: usize = 8;
    match options.len() {
        0 => "makes no call".to_owned(),
        1 if options[0].starts_with("waits") => options[0].clone(),
        1 => format!("makes {}", options[0]),
        n => {
            let mut text = format!("does one of: {}", options[..n.min(SHOWN)].join("; "));
            if n > SHOWN {
                text.push_str(&format!("; and {} more", n - SHOWN));
            }
            text
        }
    }
}

/// The property the monitor finds broken when the spooler makes the recorded effect in this
/// state, if any: the rule the event breaks, more precisely than what the state expected.
fn flagged_by_monitor(dead: &Dead, effect: &Effect) -> Option<String> {
    // The monitor judges calls to the profile's transports only.
    let known = |call: &Call| call.transport().is_none_or(|t| t.index() < dead.node.spooler.transport_count());
    if matches!(effect, Effect::Call(call) if !known(call)) {
        return None;
    }
    let mut monitor = dead.node.monitor.clone();
    monitor.observe_effects(std::slice::from_ref(effect)).err().map(|violation| violation.property.id().to_owned())
}

fn first_of(requirements: &[String]) -> String {
    requirements.first().cloned().unwrap_or_else(|| "DEC-20".to_owned())
}

/// An owed effect, for a divergence message.
pub(super) fn describe(effect: &Effect) -> String {
    match effect {
        Effect::Call(call) => format!("the call {call}"),
        other => format!("the effect \"{other}\""),
    }
}

/// The requirements that say when the spooler makes the recorded effect.
fn own_requirements(effect: &Effect) -> Vec<String> {
    match effect {
        Effect::Call(call) => call_requirements(call).iter().map(|id| (*id).to_owned()).collect(),
        _ => Vec::new(),
    }
}

pub(super) fn requirements_of(effect: &Effect) -> Vec<String> {
    match effect {
        Effect::Call(call) => call_requirements(call).iter().map(|id| (*id).to_owned()).collect(),
        Effect::SaveRecipients { .. } => vec!["SUB-28".to_owned(), "INV-23".to_owned()],
        Effect::Report { .. } => vec!["SUB-30".to_owned(), "INV-24".to_owned()],
        Effect::Release(crate::Released::Unsaved { .. }) => vec!["RCV-6".to_owned(), "RCV-7".to_owned()],
        Effect::Release(crate::Released::HookDeleted { .. }) => vec!["HOOK-13".to_owned(), "RCV-11".to_owned()],
        Effect::Release(_) => vec!["LIFE-15".to_owned()],
        Effect::CancelMessage { .. } => vec!["DEF-7".to_owned(), "SUB-36".to_owned(), "INV-40".to_owned()],
        Effect::YieldCancel { .. } => vec!["DEF-8".to_owned(), "ERR-12".to_owned()],
        Effect::LogoffAnswer { .. } => vec!["LIFE-20".to_owned(), "AMB-27".to_owned()],
        Effect::StatusAnswer { .. } => vec!["STAT-11".to_owned(), "STAT-17".to_owned(), "ERR-13".to_owned()],
    }
}

/// The requirements that say when the spooler makes this call (the method table's `when`
/// column; a flush's notification is the flush's).
fn call_requirements(call: &Call) -> &'static [&'static str] {
    match call {
        Call::TransportNotify { flags, .. } if flags.intersects(crate::flags::NotifyFlags::FLUSH_FLAGS) => &["STAT-20", "STAT-21"],
        _ => call.rules(),
    }
}

/// What the party that sent the refused or rule-breaking input could have done instead.
fn remedy(death: &Death, event: &Event) -> String {
    match death {
        Death::Refused(Error::Caller(caller)) => caller_remedy(caller),
        Death::Refused(Error::Provider { fault, .. }) => provider_remedy(fault),
        Death::Refused(Error::Store { fault, .. }) => store_remedy(fault),
        Death::Broke(Violation { property: Property::RowMirrorsEnabled, .. }) => "updates its status row with ModifyStatusRow \
             (STATUS_INBOUND_ENABLED, STATUS_OUTBOUND_ENABLED as the call left the directions) before TransportNotify returns"
            .to_owned(),
        Death::Broke(violation) => format!("keeps {}", violation.property),
        Death::Owes(_) | Death::Waits(_) | Death::Other => match event {
            Event::Input(input) => format!("sends {} only when the spooler may take it", crate::sim::input_line(input)),
            Event::Effect(_) | Event::Crash | Event::UndefinedFlags(_) => "keeps the contract".to_owned(),
        },
    }
}

fn caller_remedy(error: &CallerError) -> String {
    match error {
        CallerError::NotStarted { .. } => "starts the session (SessionRequest::Start) before anything else".to_owned(),
        CallerError::AlreadyStarted => "starts the session once".to_owned(),
        CallerError::Stopped { .. } => "sends nothing once the spooler has shut down".to_owned(),
        CallerError::ShuttingDown { .. } => "asks nothing of the spooler that its shutdown has made impossible".to_owned(),
        CallerError::NoCallInFlight { .. } => "returns only from a call the spooler made and that has not returned yet".to_owned(),
        CallerError::WrongReturn { expected, .. } => format!("returns from the call in flight, {expected}, and from no other"),
        CallerError::UnknownTransport(_) | CallerError::UnknownStore(_) => "names only transports and stores of the profile".to_owned(),
        CallerError::NotLoggedOn(_) => "enables or disables the traffic of a transport only while it is logged on".to_owned(),
        CallerError::NoDirection => "names at least one direction".to_owned(),
        CallerError::Profile(_) => "uses a profile the reference can run".to_owned(),
        CallerError::TransportOrderCount { .. } | CallerError::TransportOrderList(..) => {
            "lists every transport of the profile once in MsgServiceTransportOrder".to_owned()
        }
        CallerError::CancelUnknown { .. } => "cancels only a message the spooler holds in that store".to_owned(),
        CallerError::CancelNotLocked(_) => "cancels a queued message the spooler has not locked with IMsgStore::AbortSubmit".to_owned(),
        CallerError::AlreadyCancelled(_) => "cancels a transfer once".to_owned(),
        CallerError::NoInboundTransfer(_) => "cancels an inbound transfer only while its StartMessage is in flight".to_owned(),
        CallerError::StatusTableNotReady { .. } => {
            "calls a status object only once GetStatusTable has returned, after the transports are set up".to_owned()
        }
        CallerError::ReadyToSendBeforeSetUp(_) => {
            "sends NOTIFY_READYTOSEND only once the spooler has set up its transports (the call waits for that)".to_owned()
        }
        CallerError::StatusEntryOpening(_) => "opens a transport's status row again only once the first open has returned".to_owned(),
        CallerError::NotInStatusTable(_) => "opens only a row of the status table".to_owned(),
    }
}

fn provider_remedy(fault: &ProviderFault) -> String {
    match fault {
        ProviderFault::NoLogon { .. } => "calls its support object only between TransportLogon and TransportLogoff".to_owned(),
        ProviderFault::StatusRowExists => "changes its existing row with ModifyStatusRow(STATUSROW_UPDATE)".to_owned(),
        ProviderFault::NoStatusRow => "creates its row with ModifyStatusRow(0) before it updates it".to_owned(),
        ProviderFault::NoStatusRowAtBegin { .. } => {
            "creates its status row with ModifyStatusRow(0) before the first TransportNotify(BEGIN) returns".to_owned()
        }
        ProviderFault::NotifyFlagsChanged { .. } => "returns from TransportNotify with the flags it was given".to_owned(),
        ProviderFault::UndocumentedResult { method, documented, .. } => format!("returns from {method} one of {documented}"),
        ProviderFault::VersionTooNew { .. } => "fails XPProviderInit with MAPI_E_VERSION when its version is newer than MAPI's".to_owned(),
        ProviderFault::NotOffered { .. } => "sets PR_RESPONSIBILITY TRUE only on the recipients it was offered".to_owned(),
        ProviderFault::ProcessedAnyway { result } => format!("saves and reports nothing when it returns {result}, or returns S_OK"),
        ProviderFault::SuccessAfterCriticalError => "fails every SubmitMessage once it raised NOTIFY_CRITICAL_ERROR".to_owned(),
        ProviderFault::CancelWithoutDeferral => "returns MAPI_E_CANCEL only for a BEGIN_DEFERRED submission".to_owned(),
        ProviderFault::UserCancelWithoutCancel => {
            "returns MAPI_E_USER_CANCEL only after NOTIFY_CANCEL_MESSAGE or a SpoolerYield answered MAPI_W_CANCEL_MESSAGE".to_owned()
        }
        ProviderFault::ConflictingEndFlags(_) => "sets at most one of END_RESEND_NOW, END_RESEND_LATER and END_DONT_RESEND".to_owned(),
        ProviderFault::StatusRecipsOutsideSubmit { .. } => "calls StatusRecips only during SubmitMessage of that message".to_owned(),
        ProviderFault::DuplicateReport { .. } => "reports each recipient once".to_owned(),
        ProviderFault::ReportedNotTaken { .. } => "takes (PR_RESPONSIBILITY TRUE) and keeps every recipient it reports".to_owned(),
        ProviderFault::NoSuchRecipient { .. } => "names only rows of the message's recipient table".to_owned(),
        ProviderFault::StoreOnlyFlag(_) => "uses only the SpoolerNotify flags documented for transports".to_owned(),
        ProviderFault::ConflictingNotifyData => "sends NOTIFY_SENTDEFERRED and NOTIFY_CRITICAL_ERROR in separate calls".to_owned(),
        ProviderFault::NotDeferred { .. } => "sends NOTIFY_SENTDEFERRED only for a message it answered END_DONT_RESEND for".to_owned(),
        ProviderFault::CriticalSection { .. } => {
            "opens a critical section (NOTIFY_CRITSEC) only when none is open and closes one (NOTIFY_NONCRIT) only when one is".to_owned()
        }
        ProviderFault::YieldOutsideCall => "calls SpoolerYield only during a spooler call to it".to_owned(),
        ProviderFault::TooManyPreprocessors(n) => format!("registers at most {n} preprocessors"),
        ProviderFault::ValidateInCriticalSection { .. } => "returns MAPI_E_BUSY from ValidateState inside a critical section".to_owned(),
    }
}

fn store_remedy(fault: &StoreFault) -> String {
    match fault {
        StoreFault::NoRecipients(_) => "fails the submission of a message without recipients with MAPI_E_NO_RECIPIENTS".to_owned(),
        StoreFault::TooManyRecipients(_) => "queues messages of at most 65,536 recipients".to_owned(),
        StoreFault::DuplicateRow(_) => "adds a message to its outgoing queue once".to_owned(),
        StoreFault::PreprocessFlagWithoutProperty(_) => "sets SUBMITFLAG_PREPROCESS only with PR_PREPROCESS".to_owned(),
        StoreFault::AnnouncedLocked(_) => "announces queued messages unlocked: only the spooler locks them".to_owned(),
        StoreFault::RemovedWhileLocked(_) => {
            "keeps a message the spooler holds locked in its queue until the spooler unlocks or finishes it".to_owned()
        }
        StoreFault::QueueNotOpen => "notifies changes of its outgoing queue only after GetOutgoingQueue".to_owned(),
        StoreFault::ForeignRow(_) => "lists only its own messages in its outgoing queue".to_owned(),
        StoreFault::UndocumentedResult { method, documented, .. } => format!("returns from {method} one of {documented}"),
        StoreFault::TransportOnlyFlag(_) => "uses only NOTIFY_READYTOSEND and NOTIFY_NEWMAIL_RECEIVED".to_owned(),
        StoreFault::NotServed => "calls on the spooler only while the spooler serves it (after SpoolerLogon, before its logoff)".to_owned(),
        StoreFault::NotCoupled => {
            "sends CompleteMsg and NOTIFY_NEWMAIL_RECEIVED only as a tightly coupled store that a logged-on transport publishes".to_owned()
        }
        StoreFault::CompleteMsgOpenRecipient { .. } => "calls CompleteMsg only once every recipient has PR_RESPONSIBILITY TRUE".to_owned(),
        StoreFault::CompleteMsgUnexpected(_) => "completes with CompleteMsg only a message the spooler does not hold, once".to_owned(),
        StoreFault::CompleteMsgUnpreprocessed(_) => "leaves a message that needs preprocessing to the outgoing queue".to_owned(),
        StoreFault::NewMailWithoutMessage => "names the new message in lpvData".to_owned(),
        StoreFault::DuplicateArrival(_) => "announces each new message once".to_owned(),
        StoreFault::LogoffFlags(_) => "passes exactly one of the five input flags".to_owned(),
    }
}

/// The requirements a refusal enforces: the IDs its message names, then the rule behind each
/// kind of refusal (most messages say what went wrong without naming the rule).
fn refusal_requirements(error: &Error, text: &str) -> Vec<String> {
    let rules: &[&str] = match error {
        Error::Caller(caller) => match caller {
            CallerError::NoCallInFlight { .. } | CallerError::WrongReturn { .. } => &["AMB-20"],
            CallerError::ShuttingDown { .. } => &["DEC-8"],
            CallerError::NotLoggedOn(_) | CallerError::NoDirection => &["LIFE-10"],
            CallerError::TransportOrderCount { .. } | CallerError::TransportOrderList(..) => &["ORD-7", "ERR-15"],
            CallerError::CancelUnknown { .. } | CallerError::CancelNotLocked(_) | CallerError::AlreadyCancelled(_) => &["DEF-5", "DEF-7"],
            CallerError::NoInboundTransfer(_) => &["RCV-13"],
            CallerError::NotStarted { .. }
            | CallerError::AlreadyStarted
            | CallerError::Stopped { .. }
            | CallerError::UnknownTransport(_)
            | CallerError::UnknownStore(_)
            | CallerError::Profile(_) => &[],
            CallerError::StatusTableNotReady { .. } => &["LIFE-21"],
            CallerError::ReadyToSendBeforeSetUp(_) => &["SUB-6"],
            CallerError::StatusEntryOpening(_) | CallerError::NotInStatusTable(_) => &["STAT-10"],
        },
        Error::Provider { fault, .. } => match fault {
            ProviderFault::NoLogon { .. } => &["ERR-17"],
            ProviderFault::StatusRowExists | ProviderFault::NoStatusRow => &["LIFE-9", "INV-4"],
            ProviderFault::NoStatusRowAtBegin { .. } => &["LIFE-9", "AMB-31"],
            ProviderFault::NotifyFlagsChanged { .. } => &["LIFE-13"],
            ProviderFault::UndocumentedResult { .. } => &["DEC-1"],
            ProviderFault::VersionTooNew { .. } => &["VER-3"],
            ProviderFault::NotOffered { .. } => &["SUB-28", "INV-21"],
            ProviderFault::ProcessedAnyway { .. } => &["ERR-2", "ERR-3"],
            ProviderFault::SuccessAfterCriticalError => &["ERR-7", "LIFE-17"],
            ProviderFault::CancelWithoutDeferral => &["ERR-6", "DEC-3"],
            ProviderFault::UserCancelWithoutCancel => &["DEF-8", "ERR-12"],
            ProviderFault::ConflictingEndFlags(_) => &["SUB-34"],
            ProviderFault::StatusRecipsOutsideSubmit { .. } => &["SUB-30"],
            ProviderFault::DuplicateReport { .. } => &["SUB-30", "INV-24"],
            ProviderFault::ReportedNotTaken { .. } => &["SUB-30", "SUB-33", "SUB-28"],
            ProviderFault::NoSuchRecipient { .. } => &["SUB-28"],
            ProviderFault::StoreOnlyFlag(_) => &["TC-12"],
            ProviderFault::ConflictingNotifyData | ProviderFault::NotDeferred { .. } => &["DEF-2"],
            ProviderFault::CriticalSection { .. } => &["STAT-13"],
            ProviderFault::YieldOutsideCall => &["SUB-35", "DEC-18"],
            ProviderFault::TooManyPreprocessors(_) => &["HOOK-1"],
            ProviderFault::ValidateInCriticalSection { .. } => &["STAT-13", "ERR-13"],
        },
        Error::Store { fault, .. } => match fault {
            StoreFault::NoRecipients(_) => &["SUB-1"],
            StoreFault::TooManyRecipients(_) => &[],
            StoreFault::DuplicateRow(_) | StoreFault::QueueNotOpen | StoreFault::ForeignRow(_) => &["SUB-16"],
            StoreFault::PreprocessFlagWithoutProperty(_) => &["SUB-12", "HOOK-5"],
            StoreFault::AnnouncedLocked(_) => &["SUB-20", "AMB-5"],
            StoreFault::RemovedWhileLocked(_) => &["SUB-20", "DEF-6"],
            StoreFault::UndocumentedResult { .. } => &["DEC-1"],
            StoreFault::TransportOnlyFlag(_) => &["TC-12"],
            StoreFault::NotServed => &["LIFE-19", "LIFE-20"],
            StoreFault::NotCoupled => &["TC-1", "TC-5", "RCV-16"],
            StoreFault::CompleteMsgOpenRecipient { .. } => &["TC-5", "INV-34"],
            StoreFault::CompleteMsgUnexpected(_) => &["TC-3", "TC-6", "INV-35"],
            StoreFault::CompleteMsgUnpreprocessed(_) => &["SUB-12", "TC-3"],
            StoreFault::NewMailWithoutMessage | StoreFault::DuplicateArrival(_) => &["RCV-16"],
            StoreFault::LogoffFlags(_) => &["LIFE-20"],
        },
    };
    let mut found = requirement_ids(text);
    for id in rules {
        if !found.iter().any(|f| f == id) {
            found.push((*id).to_owned());
        }
    }
    found
}

/// The requirement IDs named in a text (a refusal's message names the rule it enforces).
fn requirement_ids(text: &str) -> Vec<String> {
    const FAMILIES: [&str; 14] = ["LIFE", "SUB", "RCV", "STAT", "ORD", "HOOK", "DEF", "ERR", "VER", "TC", "INV", "LIV", "AMB", "DEC"];
    let mut found = Vec::new();
    for (start, _) in text.match_indices('-') {
        let family_start = text[..start].rfind(|c: char| !c.is_ascii_uppercase()).map_or(0, |i| i + 1);
        let family = &text[family_start..start];
        let digits: String = text[start + 1..].chars().take_while(char::is_ascii_digit).collect();
        let id = format!("{family}-{digits}");
        if FAMILIES.contains(&family) && !digits.is_empty() && !found.contains(&id) {
            found.push(id);
        }
    }
    found
}
