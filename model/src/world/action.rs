//! The world's moves: what the client, the session, the transports and the store may do, and
//! the answers a transport or store may give to the call in flight.

use std::fmt;

use mapi_spooler::{
    CancelRequest, EndFlags, FlushFlags, Hresult, LogoffFlags, MessageId, RecipientSet, SpoolerNotifyFlags, TransportId, ValidateFlags,
};

use crate::config::{Config, Fault};

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
    /// A client calls `FlushQueues` with these flags on the spooler's status object, for every
    /// transport (STAT-17): `FLUSH_UPLOAD | FLUSH_DOWNLOAD`, or with [`Config::status_variants`]
    /// one direction only or asynchronously ([`Action::flushes`]).
    Flush(FlushFlags),
    /// A transport sets both flush bits of its row, as its own status object's `FlushQueues`
    /// does (STAT-18, STAT-22).
    FlushBits(TransportId),
    /// A client calls `ValidateState` with these flags on the spooler's status object (STAT-11):
    /// `CONFIG_CHANGED`, or with [`Config::status_variants`] the other documented flags too
    /// ([`Action::validations`]).
    Validate(ValidateFlags),
    /// A transport opens a critical section (STAT-13).
    Critsec(TransportId),
    /// It closes it (STAT-13, LIV-7).
    Noncrit(TransportId),
    /// A transport calls `SpoolerNotify` with this flag of its own accord: `NOTIFY_CONFIG_CHANGE`
    /// (its address types changed, ORD-9) or `NOTIFY_READYTOSEND` (it can take mail again,
    /// LIFE-18).
    Notify(TransportId, SpoolerNotifyFlags),
}

impl Action {
    /// The flag words of the client's `FlushQueues`: the ordinary one first, then those only
    /// [`Config::status_variants`] worlds use: one direction only, with `FLUSH_NO_UI` or
    /// `FLUSH_FORCE`, and both asynchronously (STAT-17, STAT-19, AMB-13).
    #[must_use]
    pub fn flushes() -> [FlushFlags; 4] {
        use FlushFlags as F;
        [
            F::FLUSH_UPLOAD | F::FLUSH_DOWNLOAD,
            F::FLUSH_UPLOAD | F::FLUSH_NO_UI,
            F::FLUSH_DOWNLOAD | F::FLUSH_FORCE,
            F::FLUSH_UPLOAD | F::FLUSH_DOWNLOAD | F::FLUSH_ASYNC_OK,
        ]
    }

    /// The flag words of the client's `ValidateState`: the ordinary `CONFIG_CHANGED` first, then
    /// those only [`Config::status_variants`] worlds use, which between them pass every other
    /// documented flag, connecting and disconnecting apart (STAT-11, STAT-12).
    #[must_use]
    pub fn validations() -> [ValidateFlags; 3] {
        use ValidateFlags as F;
        [
            F::CONFIG_CHANGED,
            F::CONFIG_CHANGED | F::SUPPRESS_UI | F::REFRESH_XP_HEADER_CACHE | F::FORCE_XP_CONNECT | F::SHOW_XP_SESSION_UI,
            F::PROCESS_XP_HEADER_CACHE | F::FORCE_XP_DISCONNECT | F::ABORT_XP_HEADER_OPERATION,
        ]
    }

    /// The flags a transport's own `SpoolerNotify` move passes (ORD-9, LIFE-18).
    pub const NOTIFIES: [SpoolerNotifyFlags; 2] = [SpoolerNotifyFlags::NOTIFY_CONFIG_CHANGE, SpoolerNotifyFlags::NOTIFY_READYTOSEND];
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
    /// `MAPI_E_NO_SUPPORT` or `MAPI_E_USER_CANCEL` from the forwarded `ValidateState` (STAT-11,
    /// ERR-13), in [`Config::status_variants`] worlds: not a fault.
    Validate(Hresult),
}

impl Answer {
    /// The kind of fault this answer is, or `None` for ordinary behaviour, which costs no fault
    /// budget.
    #[must_use]
    pub fn fault(&self) -> Option<Fault> {
        match self {
            Answer::Default | Answer::UserCancel | Answer::HookDelete | Answer::HookCancel | Answer::Validate(_) => None,
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
    /// A transport calls `SpoolerNotify` of its own accord (ORD-9, LIFE-18).
    Notify = "transport notifies",
    /// A client flushes one direction only, or asynchronously, or validates with other flags than
    /// `CONFIG_CHANGED`, or a transport answers the forwarded `ValidateState` `MAPI_E_NO_SUPPORT`
    /// or `MAPI_E_USER_CANCEL` (STAT-11, STAT-17).
    StatusVariant = "status variant",
}

impl MoveKind {
    /// Every kind of world move: the plain ones, then one per kind of fault.
    pub fn all() -> impl Iterator<Item = MoveKind> {
        MoveKind::PLAIN.into_iter().chain(Fault::ALL.map(MoveKind::Fault))
    }

    /// The configuration allows moves of this kind.
    #[must_use]
    pub fn possible(self, c: &Config) -> bool {
        match self {
            MoveKind::Answer | MoveKind::Submit | MoveKind::Time => true,
            MoveKind::Abort => c.aborts > 0,
            MoveKind::Traffic => c.disables > 0,
            MoveKind::Idle => c.idles > 0,
            MoveKind::Crash => c.crashes > 0,
            MoveKind::Shutdown => c.shutdowns > 0,
            MoveKind::Cancel => c.cancels > 0,
            MoveKind::NewMail => c.inbound > 0 && !c.poll,
            MoveKind::AnnounceDeferred => c.fault_budget > 0 && c.faults.contains(Fault::Defer),
            MoveKind::CoupledSubmit => c.coupled,
            MoveKind::Arrival => c.arrivals > 0,
            MoveKind::InboundHook => c.inbound_hooks > 0 && (c.inbound > 0 || c.arrivals > 0),
            MoveKind::StoreLogoff => c.store_logoff,
            MoveKind::ClientFlush | MoveKind::TransportFlush => c.flushes > 0,
            MoveKind::Validate => c.status_calls > 0,
            MoveKind::CriticalSection => c.critsecs > 0,
            MoveKind::Notify => c.notifies > 0,
            MoveKind::StatusVariant => c.status_variants && (c.flushes > 0 || c.status_calls > 0),
            MoveKind::Fault(fault) => c.fault_budget > 0 && c.faults.contains(fault) && (fault != Fault::Start || c.inbound > 0),
        }
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
            Action::Answer(Answer::Validate(_)) => MoveKind::StatusVariant,
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
            Action::Flush(flags) if *flags == Action::flushes()[0] => MoveKind::ClientFlush,
            Action::Flush(_) => MoveKind::StatusVariant,
            Action::FlushBits(_) => MoveKind::TransportFlush,
            Action::Validate(flags) if *flags == ValidateFlags::CONFIG_CHANGED => MoveKind::Validate,
            Action::Validate(_) => MoveKind::StatusVariant,
            Action::Critsec(_) | Action::Noncrit(_) => MoveKind::CriticalSection,
            Action::Notify(..) => MoveKind::Notify,
        }
    }
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
            Action::Flush(flags) => write!(f, "client flushes every queue with {flags}"),
            Action::FlushBits(t) => write!(f, "{t} sets its flush bits"),
            Action::Validate(flags) => write!(f, "client validates with {flags}"),
            Action::Critsec(t) => write!(f, "{t} enters a critical section"),
            Action::Noncrit(t) => write!(f, "{t} leaves its critical section"),
            Action::Notify(t, flags) => write!(f, "{t} calls SpoolerNotify({flags})"),
        }
    }
}
