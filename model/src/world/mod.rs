//! The world around the spooler: a client, the transports, the store and the clock, each doing
//! anything the documentation allows, within the budgets of the [`Config`].
//!
//! The world never decides for the spooler: every move becomes inputs to [`Spooler::step`], and
//! the spooler's effects are what they are. The [`Monitor`] judges them on every step.

use std::fmt;

use mapi_spooler::store::{Draft, ReferenceStore, SENT_ITEMS, SentMailHook, TcSubmission};
use mapi_spooler::{
    AddrType, Call, Caller, CancelRequest, Directions, Effect, EndFlags, Hresult, Input, LogonCaps, MessageId, Monitor, MsgRef,
    NotifyFlags, PreprocessorFilter, Property, QueueEvent, RecipientRow, RecipientSet, Registrations, Return, SessionRequest, SpiVersion,
    SpoolerNotifyFlags, StatusCode, StatusRowFlags, StoreId, SubmitFlags, SubmitOutcome, SupportCall, TransportId, TransportSet,
    TransportView,
};
use mapi_spooler::{HookFlags, HookOutcome, LogoffFlags};
use mapi_spooler::{Profile, Spooler};

use crate::config::{Config, Fault};

mod answer;

/// The only store.
pub const STORE: StoreId = StoreId(0);

/// How a run went wrong: the first property the spooler broke, or an input the spooler refused
/// (which would mean the world itself broke the documented contract).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Broken {
    /// The monitor saw the spooler break a property.
    Violation(Property),
    /// The spooler refused a world move.
    Refused,
}

/// What the world may still do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Budget {
    /// Non-default answers.
    pub faults: u8,
    /// Crashes of the spooler process.
    pub crashes: u8,
    /// Client aborts.
    pub aborts: u8,
    /// Outbound disables.
    pub disables: u8,
    /// Idle times.
    pub idles: u8,
    /// Session ends.
    pub shutdowns: u8,
    /// User cancels of a transfer (DEF-5, DEF-7, RCV-13).
    pub cancels: u8,
    /// Flushes (STAT-17, STAT-18).
    pub flushes: u8,
    /// Client status calls (STAT-11).
    pub status_calls: u8,
    /// Critical sections (STAT-13).
    pub critsecs: u8,
}

/// The whole state of one model-checked world.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct World {
    /// The spooler: what the spooler process remembers.
    pub spooler: Spooler,
    /// The protocol monitor (a ghost: it only watches).
    pub monitor: Monitor,
    /// The message store, which survives crashes.
    pub store: ReferenceStore,
    /// Deferred messages the transports hold and will announce with `NOTIFY_SENTDEFERRED`.
    pub held: Vec<(TransportId, MessageId)>,
    /// The message a transport took with `S_OK` and has not seen `EndMessage` for.
    pub in_hand: Option<(TransportId, MessageId)>,
    /// Transports that raised a critical error or failed to load this session.
    pub out_of_service: TransportSet,
    /// Transports whose outbound traffic the session disabled and will enable again.
    pub disabled: TransportSet,
    /// Drafts the client has not submitted yet.
    pub drafts: u8,
    /// What the world may still do.
    pub budget: Budget,
    /// How the run went wrong, if it did.
    pub broken: Option<Broken>,
    /// Inbound messages still waiting at transport 0 (RCV-1).
    pub mail: u8,
    /// Transport 0 announced its mail and the spooler has not yet come back empty-handed
    /// (RCV-1, RCV-6).
    pub announced: bool,
    /// Transport 0's inbound traffic is enabled: `NOTIFY_BEGIN_INBOUND` returned, and no
    /// `NOTIFY_END_INBOUND` since (RCV-2).
    pub inbound_on: bool,
    /// The transport of the call in flight got `NOTIFY_CANCEL_MESSAGE` for it (DEF-7).
    pub cancel_seen: bool,
    /// Inbound messages the coupled pair will still place itself (RCV-16).
    pub arrivals: u8,
    /// The store's `StoreLogoffTransports`, if it called: the flag it passed and the answer
    /// (LIFE-20).
    pub logoff: Option<(LogoffFlags, LogoffFlags)>,
    /// Transports holding a critical section (STAT-13, LIV-7).
    pub critsec: TransportSet,
    /// Synchronous client status calls not answered yet (STAT-11, STAT-17).
    pub waiting: u8,
}

/// A move of the world.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// The party that received the call in flight answers it.
    Answer(Answer),
    /// The client submits its next draft (SUB-1).
    Submit,
    /// The client aborts a queued message (DEF-6).
    Abort(MessageId),
    /// Time passes until the next retry delay ends.
    Wait,
    /// A transport announces a deferred message again (DEF-2).
    SentDeferred(TransportId, MessageId),
    /// The session disables a transport's outbound traffic (LIFE-12).
    Disable(TransportId),
    /// The session enables it again (LIFE-10).
    Enable(TransportId),
    /// The system is idle (LIFE-11).
    Idle,
    /// The spooler process crashes and a new one starts against the same store.
    Crash,
    /// The session ends: the spooler hands back its work and stops (LIFE-12 to LIFE-16).
    Shutdown,
    /// Transport 0 announces its inbound mail with `SpoolerNotify(NOTIFY_NEWMAIL)` (RCV-1).
    NewMail,
    /// The user cancels a transfer: a locked outbound message, or the inbound message of the
    /// `StartMessage` in flight (DEF-5, DEF-7, RCV-13).
    Cancel(CancelRequest),
    /// The client submits its next draft with every recipient of the type the coupled pair
    /// serves: the store hands it over with `CompleteMsg` (TC-3, TC-5).
    SubmitServed,
    /// The coupled pair places an inbound message and announces it with
    /// `NOTIFY_NEWMAIL_RECEIVED` (RCV-16).
    Arrival,
    /// The store calls `StoreLogoffTransports` with this flag (LIFE-20).
    StoreLogoff(LogoffFlags),
    /// A client calls `FlushQueues(FLUSH_UPLOAD | FLUSH_DOWNLOAD)` on the spooler's status
    /// object, synchronously, for every transport (STAT-17).
    Flush,
    /// A transport sets both flush bits of its row, as its own status object's `FlushQueues`
    /// does (STAT-18, STAT-22).
    FlushBits(TransportId),
    /// A client calls `ValidateState(CONFIG_CHANGED)` on the spooler's status object (STAT-11).
    Validate,
    /// A transport opens a critical section (STAT-13).
    Critsec(TransportId),
    /// It closes it (STAT-13, LIV-7).
    Noncrit(TransportId),
}

/// How the world answers the call in flight.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Answer {
    /// The ordinary answer: `S_OK`, taking every offered recipient; what the store computes.
    Default,
    /// `S_OK` from `SubmitMessage`, taking only these offered recipients (SUB-28).
    Take(RecipientSet),
    /// `StatusRecips` NDRs for the recipients taken, then `S_OK` (SUB-30).
    TakeReporting,
    /// An error from `SubmitMessage` (ERR-2 to ERR-6).
    Fail(SubmitError),
    /// `MAPI_E_NETWORK_ERROR` after saving the recipients taken (SUB-33).
    FailSaving,
    /// `NOTIFY_CRITICAL_ERROR`, then `MAPI_E_CALL_FAILED` (ERR-7).
    Critical,
    /// Flags from `EndMessage` (SUB-34).
    End(EndFlags),
    /// `MAPI_E_FAILONEPROVIDER` from `TransportLogon` (LIFE-6).
    LogonFails,
    /// `MAPI_E_VERSION` from `XPProviderInit` (VER-3).
    VersionMismatch,
    /// `MAPI_E_CALL_FAILED` from `StartMessage`: nothing was saved (RCV-7).
    StartFails,
    /// After `NOTIFY_CANCEL_MESSAGE`: `MAPI_E_USER_CANCEL` from `SubmitMessage` or
    /// `StartMessage`, nothing saved; an inbound item stays at the transport (DEF-7, DEF-8,
    /// RCV-13). Not a fault: it answers the user's cancel.
    UserCancel,
    /// `HOOK_DELETE` from `InboundMsgHook` (HOOK-13): not a fault.
    HookDelete,
    /// `HOOK_CANCEL` from `InboundMsgHook` (HOOK-6): not a fault.
    HookCancel,
}

impl Answer {
    /// The kind of fault this answer is, or `None` for ordinary behaviour, which costs no fault
    /// budget.
    #[must_use]
    pub fn fault(&self) -> Option<Fault> {
        match self {
            Answer::Default | Answer::UserCancel | Answer::HookDelete | Answer::HookCancel => None,
            Answer::Take(_) => Some(Fault::Partial),
            Answer::TakeReporting => Some(Fault::Reports),
            Answer::Fail(error) => Some(error.fault()),
            Answer::FailSaving => Some(Fault::SaveBeforeError),
            Answer::Critical => Some(Fault::Critical),
            Answer::End(flags) if *flags == EndFlags::END_DONT_RESEND => Some(Fault::Defer),
            Answer::End(_) => Some(Fault::Resend),
            Answer::LogonFails => Some(Fault::Logon),
            Answer::VersionMismatch => Some(Fault::Version),
            Answer::StartFails => Some(Fault::Start),
        }
    }
}

/// A plain error from `SubmitMessage`, each its own kind of fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubmitError {
    /// `MAPI_E_BUSY` (ERR-2).
    Busy,
    /// `MAPI_E_NOT_ME` (ERR-3).
    NotMe,
    /// `MAPI_E_WAIT` (ERR-4).
    Wait,
    /// `MAPI_E_NETWORK_ERROR` (ERR-5).
    Network,
    /// `MAPI_E_CANCEL` for a `BEGIN_DEFERRED` submission (ERR-6).
    Cancel,
}

impl SubmitError {
    /// Every plain error, in the order the world offers them.
    pub const ALL: [SubmitError; 5] = [SubmitError::Busy, SubmitError::NotMe, SubmitError::Wait, SubmitError::Network, SubmitError::Cancel];

    /// What `SubmitMessage` returns.
    #[must_use]
    pub const fn hresult(self) -> Hresult {
        match self {
            SubmitError::Busy => Hresult::MAPI_E_BUSY,
            SubmitError::NotMe => Hresult::MAPI_E_NOT_ME,
            SubmitError::Wait => Hresult::MAPI_E_WAIT,
            SubmitError::Network => Hresult::MAPI_E_NETWORK_ERROR,
            SubmitError::Cancel => Hresult::MAPI_E_CANCEL,
        }
    }

    /// The kind of fault it is: the deferral's cancel belongs to [`Fault::Defer`].
    #[must_use]
    pub const fn fault(self) -> Fault {
        match self {
            SubmitError::Busy => Fault::Busy,
            SubmitError::NotMe => Fault::NotMe,
            SubmitError::Wait => Fault::Wait,
            SubmitError::Network => Fault::Network,
            SubmitError::Cancel => Fault::Defer,
        }
    }
}

/// Declares the kinds of world move once: the [`MoveKind`] enum, its names, and the list of
/// every kind.
macro_rules! move_kinds {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// A kind of world move, for the check that every kind the configuration allows happened
        /// somewhere in a run.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum MoveKind {
            $($(#[$doc])* $variant,)*
            /// A non-default answer of this kind.
            Fault(Fault),
        }

        impl MoveKind {
            /// The kinds that are not faults.
            const PLAIN: [MoveKind; [$(MoveKind::$variant),*].len()] = [$(MoveKind::$variant),*];

            /// The kind's name in reports.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(MoveKind::$variant => $name,)*
                    MoveKind::Fault(fault) => fault.name(),
                }
            }
        }
    };
}

move_kinds! {
    /// The ordinary answer to the call in flight.
    Answer = "answer",
    /// The client submits (SUB-1).
    Submit = "submit",
    /// The client aborts (DEF-6).
    Abort = "abort",
    /// Time passes to the next retry (ERR-4).
    Time = "time",
    /// A transport announces a deferred message (DEF-2).
    AnnounceDeferred = "announce deferred",
    /// The session disables or enables a transport's outbound traffic (LIFE-10, LIFE-12).
    Traffic = "traffic",
    /// The system is idle (LIFE-11).
    Idle = "idle",
    /// The spooler process crashes and restarts.
    Crash = "crash",
    /// The session ends (LIFE-12 to LIFE-16).
    Shutdown = "shutdown",
    /// Transport 0 announces inbound mail (RCV-1).
    NewMail = "new mail",
    /// The client submits a message the coupled pair serves (TC-3).
    CoupledSubmit = "coupled submit",
    /// The coupled pair places an inbound message (RCV-16).
    Arrival = "arrival",
    /// An inbound hook deletes a message or cancels the hooks after it (HOOK-6, HOOK-13).
    InboundHook = "inbound hook",
    /// The store calls `StoreLogoffTransports` (LIFE-20).
    StoreLogoff = "store logoff",
    /// The user cancels a transfer, or a transport answers the cancel (DEF-5, DEF-7, RCV-13).
    Cancel = "cancel",
    /// A client flushes every queue (STAT-17).
    ClientFlush = "client flush",
    /// A transport sets its flush bits (STAT-18).
    TransportFlush = "transport flush",
    /// A client validates the spooler's status object (STAT-11).
    Validate = "validate",
    /// A transport opens or closes a critical section (STAT-13).
    CriticalSection = "critical section",
}

impl MoveKind {
    /// Every kind of world move: the plain ones, then one per kind of fault.
    pub fn all() -> impl Iterator<Item = MoveKind> {
        MoveKind::PLAIN.into_iter().chain(Fault::ALL.map(MoveKind::Fault))
    }

    /// The kind's place in [`MoveKind::all`].
    #[must_use]
    pub fn index(self) -> usize {
        match self {
            MoveKind::Fault(fault) => MoveKind::PLAIN.len() + fault as usize,
            plain => MoveKind::PLAIN.iter().position(|k| *k == plain).unwrap_or(MoveKind::PLAIN.len()),
        }
    }
}

impl Action {
    /// The kind of this move.
    #[must_use]
    pub fn kind(&self) -> MoveKind {
        match self {
            Action::Answer(Answer::Default) => MoveKind::Answer,
            Action::Answer(Answer::UserCancel) | Action::Cancel(_) => MoveKind::Cancel,
            Action::Answer(Answer::HookDelete | Answer::HookCancel) => MoveKind::InboundHook,
            Action::Answer(answer) => answer.fault().map_or(MoveKind::Answer, MoveKind::Fault),
            Action::Submit => MoveKind::Submit,
            Action::Abort(_) => MoveKind::Abort,
            Action::Wait => MoveKind::Time,
            Action::SentDeferred(..) => MoveKind::AnnounceDeferred,
            Action::Disable(_) | Action::Enable(_) => MoveKind::Traffic,
            Action::Idle => MoveKind::Idle,
            Action::Crash => MoveKind::Crash,
            Action::Shutdown => MoveKind::Shutdown,
            Action::NewMail => MoveKind::NewMail,
            Action::SubmitServed => MoveKind::CoupledSubmit,
            Action::Arrival => MoveKind::Arrival,
            Action::StoreLogoff(_) => MoveKind::StoreLogoff,
            Action::Flush => MoveKind::ClientFlush,
            Action::FlushBits(_) => MoveKind::TransportFlush,
            Action::Validate => MoveKind::Validate,
            Action::Critsec(_) | Action::Noncrit(_) => MoveKind::CriticalSection,
        }
    }
}

/// One line of a replayed run: what went into the spooler, what came out, or what the world did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An input.
    Input(Input),
    /// An effect.
    Effect(Effect),
    /// A move of the world that is not an input (the client submitting, aborting).
    World(String),
    /// The spooler process dies with its transports; the store keeps what it saved.
    Crash,
    /// The monitor's verdict.
    Violation(String),
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Answer(answer) => write!(f, "answer: {answer:?}"),
            Action::Submit => f.write_str("client submits"),
            Action::Abort(m) => write!(f, "client aborts {m}"),
            Action::Wait => f.write_str("time passes"),
            Action::SentDeferred(t, m) => write!(f, "{t} announces deferred {m}"),
            Action::Disable(t) => write!(f, "session disables {t} outbound"),
            Action::Enable(t) => write!(f, "session enables {t} outbound"),
            Action::Idle => f.write_str("system idle"),
            Action::Crash => f.write_str("spooler crashes and restarts"),
            Action::NewMail => f.write_str("T0 announces inbound mail"),
            Action::Cancel(request) => write!(f, "{request}"),
            Action::SubmitServed => f.write_str("client submits a message the coupled pair serves entirely"),
            Action::Arrival => f.write_str("the coupled pair places an inbound message"),
            Action::StoreLogoff(flags) => write!(f, "store calls StoreLogoffTransports({flags})"),
            Action::Shutdown => f.write_str("session ends"),
            Action::Flush => f.write_str("client flushes every queue"),
            Action::FlushBits(t) => write!(f, "{t} sets its flush bits"),
            Action::Validate => f.write_str("client validates with CONFIG_CHANGED"),
            Action::Critsec(t) => write!(f, "{t} enters a critical section"),
            Action::Noncrit(t) => write!(f, "{t} leaves its critical section"),
        }
    }
}

/// The reference's profile for a configuration.
#[must_use]
pub fn profile(config: &Config) -> Profile {
    let mut profile = Profile::new(config.transports);
    profile.settings.inbound_hooks = config.inbound_hooks;
    profile
}

/// The draft whose recipients the coupled pair serves entirely (TC-3).
#[must_use]
pub fn served_draft(config: &Config) -> Draft {
    let mut draft = draft(config);
    draft.preprocess = false;
    for r in &mut draft.recipients {
        r.addr_type = COUPLED_TYPE;
    }
    draft
}

/// The address type the coupled pair serves itself.
const COUPLED_TYPE: AddrType = AddrType(0);

/// The draft every message is.
#[must_use]
pub fn draft(config: &Config) -> Draft {
    let recipients = (0..config.recipients).map(|j| RecipientRow::new(AddrType(u16::from(j % config.transports)))).collect();
    let mut draft = Draft::to(recipients);
    draft.preprocess = config.preprocess;
    draft.delete_after_submit = config.delete_after_submit;
    draft.sentmail = (!config.delete_after_submit).then_some(SENT_ITEMS);
    draft
}

/// A recorder for replays: `None` while exploring.
type Recorder<'a> = Option<&'a mut Vec<Event>>;

impl World {
    /// The world before the session: the spooler has just been asked to start.
    #[must_use]
    pub fn new(config: &Config, pristine: &Spooler) -> World {
        World::start(config, pristine, &mut None)
    }

    /// [`World::new`], logging the start.
    #[must_use]
    pub fn new_recorded(config: &Config, pristine: &Spooler, log: &mut Vec<Event>) -> World {
        World::start(config, pristine, &mut Some(log))
    }

    fn start(config: &Config, pristine: &Spooler, rec: &mut Recorder<'_>) -> World {
        let mut world = World {
            spooler: pristine.clone(),
            monitor: Monitor::new(&profile(config)),
            store: ReferenceStore::new(STORE, 1).with_bug(config.bug),
            held: Vec::new(),
            in_hand: None,
            out_of_service: TransportSet::EMPTY,
            disabled: TransportSet::EMPTY,
            drafts: config.messages,
            budget: Budget {
                faults: config.fault_budget,
                crashes: config.crashes,
                aborts: config.aborts,
                disables: config.disables,
                idles: config.idles,
                shutdowns: config.shutdowns,
                cancels: config.cancels,
                flushes: config.flushes,
                status_calls: config.status_calls,
                critsecs: config.critsecs,
            },
            broken: None,
            mail: config.inbound,
            announced: false,
            inbound_on: false,
            cancel_seen: false,
            arrivals: config.arrivals,
            logoff: None,
            critsec: TransportSet::EMPTY,
            waiting: 0,
        };
        world.feed(Input::Session(SessionRequest::Start), rec);
        world
    }

    /// Feeds one input to the spooler and the monitor, and applies the effects to the store.
    fn feed(&mut self, input: Input, rec: &mut Recorder<'_>) {
        if self.broken.is_some() {
            return;
        }
        if let Some(log) = rec.as_deref_mut() {
            log.push(Event::Input(input.clone()));
        }
        if matches!(input, Input::Return(_)) {
            self.cancel_seen = false;
        }
        match self.spooler.step(input.clone()) {
            Ok(effects) => {
                for effect in &effects {
                    self.store.apply(effect);
                    self.cancel_seen |= matches!(effect, Effect::CancelMessage { .. });
                    if let (Input::Support(SupportCall::StoreLogoffTransports { flags, .. }), Effect::LogoffAnswer { flags: answer, .. }) =
                        (&input, effect)
                    {
                        self.logoff = Some((*flags, *answer));
                    }
                    if matches!(effect, Effect::StatusAnswer { .. }) {
                        self.waiting = self.waiting.saturating_sub(1);
                    }
                }
                if let Some(log) = rec.as_deref_mut() {
                    log.extend(effects.iter().cloned().map(Event::Effect));
                }
                if let Err(violation) = self.monitor.observe(&input, &effects) {
                    if let Some(log) = rec.as_deref_mut() {
                        log.push(Event::Violation(violation.to_string()));
                    }
                    self.broken = Some(Broken::Violation(violation.property));
                }
            }
            Err(error) => {
                if let Some(log) = rec.as_deref_mut() {
                    log.push(Event::Violation(format!("the spooler refused a world move: {error}")));
                }
                self.broken = Some(Broken::Refused);
            }
        }
    }

    /// Every move the world can make now.
    pub fn actions(&self, config: &Config, out: &mut Vec<Action>) {
        if self.broken.is_some() || self.spooler.phase() == mapi_spooler::Phase::Stopped {
            return;
        }
        if let Some(call) = self.spooler.call_in_flight() {
            self.answers(config, call, out);
        } else {
            if self.spooler.next_deadline().is_some() {
                out.push(Action::Wait);
            }
            out.extend(self.held.iter().map(|(t, m)| Action::SentDeferred(*t, *m)));
            for t in self.disabled.iter() {
                out.push(Action::Enable(t));
            }
            if self.budget.disables > 0 {
                for i in 0..config.transports {
                    let t = TransportId(i);
                    if self.ready(t) && !self.disabled.contains(t) {
                        out.push(Action::Disable(t));
                    }
                }
            }
            if self.budget.idles > 0 {
                out.push(Action::Idle);
            }
            if !config.poll && self.mail > 0 && !self.announced && self.inbound_on {
                out.push(Action::NewMail);
            }
            if self.arrivals > 0 && self.coupled() {
                out.push(Action::Arrival);
            }
            self.status_moves(config, out);
        }
        if self.budget.cancels > 0 {
            self.cancels(out);
        }
        // The store calls from its own thread, also while the spooler is in a call (LIFE-20).
        if config.store_logoff && self.logoff.is_none() && self.spooler.is_watching(STORE) {
            for flags in [
                LogoffFlags::LOGOFF_ABORT,
                LogoffFlags::LOGOFF_NO_WAIT,
                LogoffFlags::LOGOFF_ORDERLY,
                LogoffFlags::LOGOFF_PURGE,
                LogoffFlags::LOGOFF_QUIET,
            ] {
                out.push(Action::StoreLogoff(flags));
            }
        }
        if self.drafts > 0 && !self.logged_off() {
            out.push(Action::Submit);
            if config.coupled && self.coupled() {
                out.push(Action::SubmitServed);
            }
        }
        if self.budget.aborts > 0 {
            for (id, msg) in self.store.messages() {
                if self.store.is_queued(id) && !msg.submit_flags.contains(mapi_spooler::QueueFlags::SUBMITFLAG_LOCKED) {
                    out.push(Action::Abort(id));
                }
            }
        }
        if self.budget.crashes > 0 {
            out.push(Action::Crash);
        }
        if self.budget.shutdowns > 0 && self.spooler.phase() != mapi_spooler::Phase::Stopping {
            out.push(Action::Shutdown);
        }
    }

    /// The user's cancels that can reach the spooler now: of each locked message it has not
    /// cancelled yet, and of the inbound transfer in flight (DEF-5, DEF-7, RCV-13).
    fn cancels(&self, out: &mut Vec<Action>) {
        for id in self.spooler.message_ids() {
            if self.spooler.message_view(id).is_some_and(|v| v.locked && !v.cancelled) {
                out.push(Action::Cancel(CancelRequest::Outbound { store: STORE, message: id }));
            }
        }
        if let Some(Call::StartMessage { transport, .. }) = self.spooler.call_in_flight()
            && !self.cancel_seen
        {
            out.push(Action::Cancel(CancelRequest::Inbound { transport: *transport }));
        }
    }

    /// The store answered `LOGOFF_COMPLETE`: only `Release` may follow (LIFE-20).
    #[must_use]
    pub fn logged_off(&self) -> bool {
        self.logoff.is_some_and(|(_, answer)| answer == LogoffFlags::LOGOFF_COMPLETE)
    }

    /// The store has a coupled transport logged on and the spooler serves it (TC-1): the pair
    /// works as a pair only then; otherwise the store acts like an uncoupled one (TC-4).
    fn coupled(&self) -> bool {
        self.spooler.coupled_transport(STORE).is_some() && self.spooler.is_watching(STORE) && !self.logged_off()
    }

    /// Client status calls, flush bits and critical sections (STAT-11, STAT-13, STAT-17,
    /// STAT-18); a transport always closes its critical section (LIV-7).
    fn status_moves(&self, config: &Config, out: &mut Vec<Action>) {
        // LIFE-21: clients reach status objects once the table is there.
        let table = self.spooler.status_table_ready() && self.spooler.phase() != mapi_spooler::Phase::Stopping;
        if table && self.budget.flushes > 0 {
            out.push(Action::Flush);
        }
        if table && self.budget.status_calls > 0 {
            out.push(Action::Validate);
        }
        for i in 0..config.transports {
            let t = TransportId(i);
            if self.critsec.contains(t) {
                out.push(Action::Noncrit(t));
            } else if self.budget.critsecs > 0 && self.ready(t) {
                out.push(Action::Critsec(t));
            }
            let flushing = StatusCode::STATUS_INBOUND_FLUSH | StatusCode::STATUS_OUTBOUND_FLUSH;
            let row = match self.spooler.transport_view(t) {
                Some(TransportView::LoggedOn { status_row: Some(row), .. }) => Some(row),
                _ => None,
            };
            if table && self.budget.flushes > 0 && self.ready(t) && row.is_some_and(|r| !r.intersects(flushing)) {
                out.push(Action::FlushBits(t));
            }
        }
    }

    fn ready(&self, t: TransportId) -> bool {
        matches!(self.spooler.transport_view(t), Some(TransportView::LoggedOn { ready: true, leaving: false, critical: false, .. }))
    }

    /// The answers the documentation allows to a call, within the fault budget.
    fn answers(&self, config: &Config, call: &Call, out: &mut Vec<Action>) {
        out.push(Action::Answer(Answer::Default));
        if self.cancel_seen && matches!(call, Call::SubmitMessage { .. } | Call::StartMessage { .. }) {
            out.push(Action::Answer(Answer::UserCancel));
        }
        if matches!(call, Call::InboundMsgHook { .. }) {
            out.push(Action::Answer(Answer::HookDelete));
            out.push(Action::Answer(Answer::HookCancel));
        }
        if self.budget.faults == 0 {
            return;
        }
        let on = |fault| config.faults.contains(fault);
        let mut fault = |answer| out.push(Action::Answer(answer));
        match call {
            Call::XpProviderInit { .. } if on(Fault::Version) => fault(Answer::VersionMismatch),
            Call::TransportLogon { .. } if on(Fault::Logon) => fault(Answer::LogonFails),
            Call::StartMessage { .. } if on(Fault::Start) => fault(Answer::StartFails),
            Call::SubmitMessage { flags, offered, .. } => {
                let deferred = flags.contains(SubmitFlags::BEGIN_DEFERRED);
                if on(Fault::Partial) {
                    for subset in proper_subsets(offered) {
                        fault(Answer::Take(subset));
                    }
                }
                if on(Fault::Reports) {
                    fault(Answer::TakeReporting);
                }
                for error in SubmitError::ALL {
                    if on(error.fault()) && (error != SubmitError::Cancel || deferred) {
                        fault(Answer::Fail(error));
                    }
                }
                if on(Fault::SaveBeforeError) {
                    fault(Answer::FailSaving);
                }
                if on(Fault::Critical) {
                    fault(Answer::Critical);
                }
            }
            Call::EndMessage { .. } => {
                if on(Fault::Resend) {
                    fault(Answer::End(EndFlags::END_RESEND_NOW));
                    fault(Answer::End(EndFlags::END_RESEND_LATER));
                }
                if on(Fault::Defer) {
                    fault(Answer::End(EndFlags::END_DONT_RESEND));
                }
            }
            _ => {}
        }
    }

    /// The world after a move. With a recorder, every input, effect and world event is logged.
    #[must_use]
    pub fn next(&self, config: &Config, pristine: &Spooler, action: &Action, mut rec: Recorder<'_>) -> World {
        let mut w = self.clone();
        let note = |rec: &mut Recorder<'_>, text: String| {
            if let Some(log) = rec.as_deref_mut() {
                log.push(Event::World(text));
            }
        };
        match action {
            Action::Answer(answer) => {
                if let Some(call) = w.spooler.call_in_flight().cloned() {
                    if answer.fault().is_some() {
                        w.budget.faults -= 1;
                    }
                    w.answer(config, &call, answer, &mut rec);
                }
            }
            Action::Submit | Action::SubmitServed if config.coupled && w.coupled() => {
                w.drafts -= 1;
                let d = if *action == Action::SubmitServed { served_draft(config) } else { draft(config) };
                w.submit_coupled(d, &mut rec);
            }
            Action::Submit | Action::SubmitServed => {
                w.drafts -= 1;
                match w.store.submit(draft(config)) {
                    Ok(row) => {
                        note(&mut rec, format!("client -> {STORE}.SubmitMessage({}) => S_OK", row.message));
                        if w.spooler.is_watching(STORE) {
                            w.feed(Input::Queue(QueueEvent::RowAdded(row)), &mut rec);
                        }
                    }
                    Err(h) => note(&mut rec, format!("client -> {STORE}.SubmitMessage => {h}")),
                }
            }
            Action::Abort(m) => {
                w.budget.aborts -= 1;
                let result = w.store.abort_submit(*m);
                note(&mut rec, format!("client -> {STORE}.AbortSubmit({m}) => {result}"));
                if result == Hresult::S_OK && w.spooler.is_watching(STORE) {
                    w.feed(Input::Queue(QueueEvent::RowRemoved { store: STORE, message: *m }), &mut rec);
                }
            }
            Action::Wait => {
                if let Some(deadline) = w.spooler.next_deadline() {
                    let seconds = u32::try_from(deadline.0 - w.spooler.now().0).unwrap_or(u32::MAX);
                    w.feed(Input::TimePassed { seconds }, &mut rec);
                }
            }
            Action::SentDeferred(t, m) => {
                w.held.retain(|h| h != &(*t, *m));
                let flags = SpoolerNotifyFlags::NOTIFY_SENTDEFERRED;
                w.feed(Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(*t), flags, message: Some(*m) }), &mut rec);
            }
            Action::Disable(t) => {
                w.budget.disables -= 1;
                w.disabled.insert(*t);
                w.feed(Input::Session(SessionRequest::Disable { transport: *t, directions: Directions::OUTBOUND }), &mut rec);
            }
            Action::Enable(t) => {
                w.disabled.remove(*t);
                if w.ready(*t) {
                    w.feed(Input::Session(SessionRequest::Enable { transport: *t, directions: Directions::OUTBOUND }), &mut rec);
                }
            }
            Action::Idle => {
                w.budget.idles -= 1;
                w.feed(Input::SystemIdle, &mut rec);
            }
            Action::NewMail => {
                w.announced = true;
                let flags = SpoolerNotifyFlags::NOTIFY_NEWMAIL;
                w.feed(
                    Input::Support(SupportCall::SpoolerNotify {
                        caller: mapi_spooler::Caller::Transport(TransportId(0)),
                        flags,
                        message: None,
                    }),
                    &mut rec,
                );
            }
            Action::Crash => {
                w.budget.crashes -= 1;
                // The transports go with the process; the mail waiting at them does not, and a
                // new message the spooler created but nobody saved is gone.
                w.announced = false;
                w.inbound_on = false;
                w.store.discard_unsaved();
                if let Some(log) = rec.as_deref_mut() {
                    log.push(Event::Crash);
                }
                w.spooler = pristine.clone();
                w.monitor.restart();
                // The transports and the clients' calls go with the process.
                w.critsec = TransportSet::EMPTY;
                w.waiting = 0;
                w.held.clear();
                w.in_hand = None;
                w.out_of_service = TransportSet::EMPTY;
                w.disabled = TransportSet::EMPTY;
                w.feed(Input::Session(SessionRequest::Start), &mut rec);
            }
            Action::Shutdown => {
                w.budget.shutdowns -= 1;
                w.feed(Input::Session(SessionRequest::Shutdown), &mut rec);
            }
            Action::Cancel(request) => {
                w.budget.cancels -= 1;
                w.feed(Input::Cancel(*request), &mut rec);
            }
            Action::Arrival => {
                w.arrivals -= 1;
                let id = w.store.place_inbound("IPM.Note");
                note(&mut rec, format!("the coupled pair placed {id} in {STORE}"));
                let flags = SpoolerNotifyFlags::NOTIFY_NEWMAIL_RECEIVED;
                w.support(SupportCall::SpoolerNotify { caller: Caller::Store(STORE), flags, message: Some(id) }, &mut rec);
            }
            Action::StoreLogoff(flags) => {
                w.support(SupportCall::StoreLogoffTransports { store: STORE, flags: *flags }, &mut rec);
            }
            Action::Flush => {
                w.budget.flushes -= 1;
                w.waiting += 1;
                let flags = (mapi_spooler::FlushFlags::FLUSH_UPLOAD | mapi_spooler::FlushFlags::FLUSH_DOWNLOAD).bits();
                w.feed(Input::Status(mapi_spooler::StatusRequest::FlushQueues { target: None, flags }), &mut rec);
            }
            Action::FlushBits(t) => {
                w.budget.flushes -= 1;
                if let Some(TransportView::LoggedOn { status_row: Some(row), .. }) = w.spooler.transport_view(*t) {
                    let status = row | StatusCode::STATUS_INBOUND_FLUSH | StatusCode::STATUS_OUTBOUND_FLUSH;
                    w.support(SupportCall::ModifyStatusRow { transport: *t, flags: StatusRowFlags::STATUSROW_UPDATE, status }, &mut rec);
                }
            }
            Action::Validate => {
                w.budget.status_calls -= 1;
                w.waiting += 1;
                let flags = mapi_spooler::ValidateFlags::CONFIG_CHANGED.bits();
                w.feed(Input::Status(mapi_spooler::StatusRequest::ValidateState { flags }), &mut rec);
            }
            Action::Critsec(t) | Action::Noncrit(t) => {
                let enter = matches!(action, Action::Critsec(_));
                let flags = if enter {
                    w.budget.critsecs -= 1;
                    w.critsec.insert(*t);
                    SpoolerNotifyFlags::NOTIFY_CRITSEC
                } else {
                    w.critsec.remove(*t);
                    SpoolerNotifyFlags::NOTIFY_NONCRIT
                };
                w.feed(Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(*t), flags, message: None }), &mut rec);
            }
        }
        w
    }

    /// The client's `IMessage::SubmitMessage` on the coupled store (TC-3, TC-4).
    fn submit_coupled(&mut self, draft: Draft, rec: &mut Recorder<'_>) {
        let result = self.store.submit_coupled(draft, TransportId(0), |r| r.addr_type == COUPLED_TYPE, true);
        let (text, input) = match result {
            Ok(TcSubmission::Completed(row)) => (
                format!("client -> {STORE}.SubmitMessage({}) => the pair served every recipient", row.message),
                SupportCall::CompleteMsg(row),
            ),
            Ok(TcSubmission::Queued(row)) => {
                let text = format!("client -> {STORE}.SubmitMessage({}) => queued", row.message);
                if let Some(log) = rec.as_deref_mut() {
                    log.push(Event::World(text));
                }
                self.feed(Input::Queue(QueueEvent::RowAdded(row)), rec);
                return;
            }
            Ok(TcSubmission::FinishedAlone(_)) | Err(_) => return,
        };
        if let Some(log) = rec.as_deref_mut() {
            log.push(Event::World(text));
        }
        self.support(input, rec);
    }

    fn support(&mut self, call: SupportCall, rec: &mut Recorder<'_>) {
        self.feed(Input::Support(call), rec);
    }

    fn ret(&mut self, ret: Return, rec: &mut Recorder<'_>) {
        self.feed(Input::Return(ret), rec);
    }
}

/// Every subset of the offered recipients but the whole set.
fn proper_subsets(offered: &RecipientSet) -> Vec<RecipientSet> {
    let members: Vec<_> = offered.iter().collect();
    let n = members.len().min(8);
    (0..(1u32 << n) - 1).map(|mask| (0..n).filter(|i| mask & (1 << i) != 0).map(|i| members[i]).collect()).collect()
}
