//! The conformance checker: replays a trace against the reference spooler, line by line.
//!
//! The trace's inputs (returns, support calls, queue changes, session requests, time) are fed to
//! a [`Spooler`]; the trace's effects (the spooler's calls, and in traces that record them its
//! saves, reports and releases) must be exactly the effects the reference makes, in order. The
//! first line where they part is the divergence, reported with what the reference allowed there
//! and the requirements involved. The checker keeps only the spooler's state and the effects it
//! still owes, so its memory does not grow with the length of the trace.

use std::collections::VecDeque;
use std::fmt;

use super::json::Codec;
use super::{Event, Header, Recorded, TraceError};
use crate::{Call, CallerError, Effect, Error, Input, Monitor, Priorities, ProviderFault, Spooler, StoreFault};

/// Replays a trace against the reference spooler.
#[derive(Clone, Debug)]
pub struct Checker {
    header: Header,
    codec: Codec,
    /// The spooler as it is before the session starts: what a restart after a crash begins with.
    pristine: Spooler,
    spooler: Spooler,
    /// The protocol monitor: a step the reference takes in another allowed order must keep
    /// every property it checks.
    monitor: Monitor,
    /// The spooler and monitor before the last input, and that input: where another order of
    /// due work (DEC-20) is tried when the trace's effects differ from the reference's.
    before: Option<(Spooler, Monitor, Input)>,
    /// The effects of the last input that the trace has shown so far.
    shown: Vec<Effect>,
    /// Effects the reference made that the trace has not shown yet, oldest first.
    pending: VecDeque<Effect>,
    /// The number of the last line read.
    line: usize,
    /// Events checked so far.
    events: usize,
}

/// Why a trace does not conform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The line is not a valid trace line.
    Invalid(TraceError),
    /// The line is valid, but the reference does not do or allow what it records.
    Diverged(Divergence),
}

/// The first event where a trace and the reference part.
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
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}\n  the reference: {}", self.line, self.event, self.expected)?;
        if !self.requirements.is_empty() {
            write!(f, "\n  requirements: {}", self.requirements.join(", "))?;
        }
        Ok(())
    }
}

/// The verdict on a whole trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every event is what the reference does or allows.
    Conforms {
        /// Events checked (lines after the header).
        events: usize,
    },
    /// The trace parts from the reference.
    Diverges(Divergence),
    /// The input is not a valid trace.
    Invalid(TraceError),
}

impl Verdict {
    /// The command line's exit status: 0 conforms, 1 diverges, 2 not a valid trace.
    #[must_use]
    pub const fn exit_code(&self) -> u8 {
        match self {
            Verdict::Conforms { .. } => 0,
            Verdict::Diverges(_) => 1,
            Verdict::Invalid(_) => 2,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Conforms { events } => write!(f, "conforms: {events} events"),
            Verdict::Diverges(divergence) => write!(f, "diverges at {divergence}"),
            Verdict::Invalid(error) => write!(f, "not a valid trace: {error}"),
        }
    }
}

impl Checker {
    /// A checker for the trace whose header line is `header` (line 1).
    ///
    /// # Errors
    /// A [`TraceError`] when the header is not valid or its profile is one the reference cannot
    /// run.
    pub fn new(header: &str) -> Result<Checker, TraceError> {
        let (header, codec) = Codec::read_header(header)?;
        let pristine = Spooler::new(&header.profile).map_err(|e| TraceError {
            line: 1,
            column: 1,
            message: format!("the header's profile is not valid: {e}"),
        })?;
        Ok(Checker {
            monitor: Monitor::new(&header.profile),
            header,
            codec,
            spooler: pristine.clone(),
            pristine,
            before: None,
            shown: Vec::new(),
            pending: VecDeque::new(),
            line: 1,
            events: 0,
        })
    }

    /// The trace's header.
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Checks the next line. Blank lines are skipped (but counted).
    ///
    /// # Errors
    /// [`Problem::Invalid`] for a line that is not a trace line, [`Problem::Diverged`] for an
    /// event the reference does not do or allow at this point. After an error the checker
    /// should not be fed further.
    pub fn feed(&mut self, text: &str) -> Result<(), Problem> {
        self.feed_line(self.line + 1, text)
    }

    /// Checks line `number` of the file: the lines between the last one fed and this one were
    /// blank (what [`super::Lines`] reads).
    ///
    /// # Errors
    /// As [`Checker::feed`].
    pub fn feed_line(&mut self, number: usize, text: &str) -> Result<(), Problem> {
        self.line = number;
        if text.trim().is_empty() {
            return Ok(());
        }
        let event = self.codec.read_event(text, self.line).map_err(Problem::Invalid)?;
        self.events += 1;
        match event {
            Event::Effect(effect) => self.effect(effect),
            Event::Input(input) => self.input(input),
            Event::UndefinedFlags(undefined) => Err(Problem::Diverged(undefined.divergence(self.line))),
            Event::Crash => {
                // The process dies: whatever it had still to do is not done (DEC-12).
                self.spooler = self.pristine.clone();
                self.monitor.restart();
                self.before = None;
                self.shown.clear();
                self.pending.clear();
                Ok(())
            }
        }
    }

    /// The verdict once every line was fed without a problem. A trace that ends while the
    /// reference still owes an effect it made on the last input diverges at its end: the
    /// recorded component did not receive (or did not log) what the reference does there.
    #[must_use]
    pub fn finish(mut self) -> Verdict {
        self.skip_unrecorded();
        match self.pending.front() {
            None => Verdict::Conforms { events: self.events },
            Some(owed) => Verdict::Diverges(Divergence {
                line: self.line + 1,
                event: "(the end of the trace)".to_owned(),
                expected: format!("makes {} next", describe(owed)),
                requirements: requirements_of(owed),
            }),
        }
    }

    /// In a trace that records only calls, the reference's other effects are not shown: drop
    /// them from the head of what is owed.
    fn skip_unrecorded(&mut self) {
        if self.header.recorded == Recorded::Calls {
            while self.pending.front().is_some_and(|e| !e.reaches_a_provider()) {
                self.pending.pop_front();
            }
        }
    }

    fn diverged(&self, event: &Event, expected: String, requirements: Vec<String>) -> Problem {
        Problem::Diverged(Divergence { line: self.line, event: self.codec.event_line(event), expected, requirements })
    }

    fn effect(&mut self, effect: Effect) -> Result<(), Problem> {
        if self.header.recorded == Recorded::Calls && !effect.reaches_a_provider() {
            return Err(Problem::Invalid(TraceError {
                line: self.line,
                column: 1,
                message:
                    "the header says this trace records calls only (\"recorded\": \"calls\"), but this line is a save, report, release or answer"
                        .to_owned(),
            }));
        }
        self.skip_unrecorded();
        match self.pending.pop_front() {
            Some(owed) if owed == effect => {
                self.shown.push(effect);
                Ok(())
            }
            Some(_) | None if self.another_order(&effect) => Ok(()),
            Some(owed) => {
                let mut requirements = requirements_of(&owed);
                if let Effect::Call(call) = &effect {
                    requirements.extend(call_requirements(call).iter().map(|id| (*id).to_owned()));
                }
                requirements.sort();
                requirements.dedup();
                let expected = format!("makes {} here", describe(&owed));
                let problem = self.diverged(&Event::Effect(effect), expected, requirements);
                Err(problem)
            }
            None => {
                let (expected, requirements) = match self.spooler.call_in_flight() {
                    Some(call) => (
                        format!("makes no call here: it waits for {call} to return (one synchronous call at a time)"),
                        vec!["AMB-20".to_owned()],
                    ),
                    None => ("makes no call here: nothing it has been told calls for one".to_owned(), vec!["DEC-20".to_owned()]),
                };
                let mut requirements = requirements;
                if let Effect::Call(call) = &effect {
                    requirements.extend(call_requirements(call).iter().map(|id| (*id).to_owned()));
                }
                requirements.sort();
                requirements.dedup();
                Err(self.diverged(&Event::Effect(effect), expected, requirements))
            }
        }
    }

    fn input(&mut self, input: Input) -> Result<(), Problem> {
        self.skip_unrecorded();
        if let Some(owed) = self.pending.front() {
            let expected = format!("makes {} before anything else happens", describe(owed));
            let requirements = requirements_of(owed);
            return Err(self.diverged(&Event::Input(input), expected, requirements));
        }
        let before = (self.spooler.clone(), self.monitor.clone(), input.clone());
        match self.spooler.step(input.clone()) {
            Ok(effects) => {
                if let Err(violation) = self.monitor.observe(&input, &effects) {
                    // The reference itself broke a property: a bug of the reference.
                    let expected = format!("breaks a property of its own here, which is a bug of the reference: {violation}");
                    return Err(self.diverged(&Event::Input(input), expected, vec![violation.property.id().to_owned()]));
                }
                self.before = Some(before);
                self.shown.clear();
                self.pending.extend(effects);
                Ok(())
            }
            Err(error) => {
                let text = error.to_string();
                let requirements = refusal_requirements(&error, &text);
                Err(self.diverged(&Event::Input(input), format!("refuses this input: {text}"), requirements))
            }
        }
    }
}

impl Checker {
    /// The trace's `effect` differs from what the reference makes after the last input. When
    /// several kinds of work were due at that input, the documentation lets the spooler take them
    /// up in any order (DEC-20): if another order makes the effects the trace shows, keeping
    /// every property the monitor checks, the checker follows that order from here on.
    fn another_order(&mut self, effect: &Effect) -> bool {
        let Some((spooler, monitor, input)) = &self.before else { return false };
        let recorded = self.header.recorded;
        let visible = |e: &&Effect| recorded == Recorded::All || e.reaches_a_provider();
        let wanted: Vec<&Effect> = self.shown.iter().chain([effect]).collect();
        for priorities in &Priorities::ALL[1..] {
            let (mut s, mut m) = (spooler.clone(), monitor.clone());
            let Ok(effects) = s.step_with(input.clone(), *priorities) else { continue };
            if m.observe(input, &effects).is_err() {
                continue;
            }
            let seen: Vec<&Effect> = effects.iter().filter(visible).collect();
            if seen.len() >= wanted.len() && seen[..wanted.len()] == wanted[..] {
                let rest: Vec<Effect> = seen[wanted.len()..].iter().map(|e| (*e).clone()).collect();
                self.spooler = s;
                self.monitor = m;
                self.shown.push(effect.clone());
                self.pending = rest.into();
                return true;
            }
        }
        false
    }
}

/// An owed effect, for a divergence message.
fn describe(effect: &Effect) -> String {
    match effect {
        Effect::Call(call) => format!("the call {call}"),
        other => format!("the effect \"{other}\""),
    }
}

fn requirements_of(effect: &Effect) -> Vec<String> {
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
        // The message names the requirement.
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
