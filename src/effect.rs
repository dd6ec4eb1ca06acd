//! Everything the spooler does: the one output type of [`crate::Spooler::step`].

use std::fmt;

use smallvec::SmallVec;

use crate::flags::LogoffFlags;
use crate::ids::{MessageId, PreprocessorId, StoreId, TransportId};
use crate::input::{ReportKind, StatusRequest};
pub use crate::method::Call;
use crate::recipients::RecipientSet;

/// What the spooler does in response to an input.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    /// A synchronous call. The spooler makes at most one at a time (AMB-20) and waits for its
    /// [`crate::Return`] before it makes another.
    Call(Call),
    /// The spooler saves final dispositions into the message: `PR_RESPONSIBILITY` becomes TRUE
    /// for these recipients, with the spooler's own bookkeeping of who took them (SUB-22,
    /// SUB-25). After a restart they are never offered again.
    SaveRecipients {
        /// The store.
        store: StoreId,
        /// The message.
        message: MessageId,
        /// The recipients.
        recipients: RecipientSet,
        /// What became of them.
        outcome: RecipientOutcome,
    },
    /// MAPI generates a delivery-status report for these recipients and delivers it to the
    /// sender (SUB-25, SUB-30, DEF-10, DEF-11).
    Report {
        /// The store of the original message.
        store: StoreId,
        /// The original message.
        message: MessageId,
        /// The recipients the report covers.
        recipients: RecipientSet,
        /// Delivery or non-delivery.
        kind: ReportKind,
    },
    /// The spooler releases a provider or logon object (LIFE-15, VER-4).
    Release(Released),
    /// From another thread, while the synchronous call `SubmitMessage`, `EndMessage` or
    /// `StartMessage` for `message` is in flight on `transport`, the spooler calls
    /// `IXPLogon::TransportNotify(NOTIFY_CANCEL_MESSAGE)` with `lppvData` pointing at the
    /// reference of that transfer: the one the transport wrote first in `*lpulMsgRef`, by
    /// default 0 outbound and 1 inbound (DEF-7, SUB-27, SUB-36, AMB-15, AMB-20, AMB-41). The
    /// transport returns from the call in flight as soon as it can. The spooler does not wait
    /// for this notification, and its result changes nothing.
    CancelMessage {
        /// The transport.
        transport: TransportId,
        /// The message whose transfer is cancelled.
        message: MessageId,
    },
    /// The transport's `IMAPISupport::SpoolerYield` returns `MAPI_W_CANCEL_MESSAGE`: the user
    /// cancelled the message it is sending, so it stops serving the recipients it has not
    /// reached and returns `MAPI_E_USER_CANCEL` (DEF-8, ERR-12). Without this effect a yield
    /// returns `S_OK`.
    YieldCancel {
        /// The transport that yielded.
        transport: TransportId,
    },
    /// What `IMAPISupport::StoreLogoffTransports` writes back to `*lpulFlags`:
    /// `LOGOFF_COMPLETE`, or the busy flags (LIFE-20, AMB-27, DEC-44).
    LogoffAnswer {
        /// The store that called.
        store: StoreId,
        /// The flags on the way out.
        flags: LogoffFlags,
    },
    /// The spooler answers a client's status call (STAT-9 to STAT-17, ERR-13): at once, or when
    /// the work it asked for is done (a synchronous `FlushQueues` or `ValidateState`).
    StatusAnswer {
        /// The call answered.
        request: StatusRequest,
        /// Its result.
        result: crate::Hresult,
    },
}

/// An object the spooler released.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Released {
    /// A logon object, after `TransportLogoff` returned (LIFE-15 step 5).
    Logon(TransportId),
    /// A provider object, after `Shutdown` returned (LIFE-16), or at once when its version is
    /// too old (VER-4).
    Provider(TransportId),
    /// An inbound message the spooler created for `StartMessage` and that was never saved: the
    /// transport had nothing to deliver (RCV-6, AMB-14), `StartMessage` failed (RCV-7), or the
    /// transport can no longer be called. Releasing an unsaved new message discards it.
    Unsaved {
        /// The receive store.
        store: StoreId,
        /// The discarded message.
        message: MessageId,
    },
    /// An inbound message an inbound hook deleted (`HOOK_DELETE`): its `PR_SPOOLER_STATUS` is
    /// `MAPI_E_OBJECT_DELETED` and no `NotifyNewMail` announces it (RCV-11, HOOK-13, DEC-42).
    HookDeleted {
        /// The store that held it.
        store: StoreId,
        /// The deleted message.
        message: MessageId,
    },
}

/// The final disposition of a recipient (INV-23).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecipientOutcome {
    /// A transport took the recipient: it sent the message, or conclusively failed to and
    /// reported it (SUB-28).
    Transport(TransportId),
    /// Nobody can deliver to the recipient: an NDR is due (SUB-25, HOOK-2).
    Undeliverable(NdrOrigin),
}

/// Who found a recipient undeliverable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NdrOrigin {
    /// No registration matched it, or every matching transport declined it (ORD-4, SUB-25).
    NoTransport,
    /// A preprocessor listed it in its undeliverable `ADRLIST` (HOOK-2).
    Preprocessor(PreprocessorId),
}

impl Effect {
    /// The call, if this effect is one (AMB-20: an input's effects hold at most one call).
    #[must_use]
    pub fn as_call(&self) -> Option<&Call> {
        match self {
            Effect::Call(c) => Some(c),
            _ => None,
        }
    }

    /// True for what the spooler says to a provider: a call, the asynchronous cancel, or the
    /// answer to a yield. A trace that records calls only keeps these (`spec/trace-format.md`).
    #[must_use]
    pub fn reaches_a_provider(&self) -> bool {
        matches!(self, Effect::Call(_) | Effect::CancelMessage { .. } | Effect::YieldCancel { .. })
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effect::Call(call) => write!(f, "call {call}"),
            Effect::SaveRecipients { store, message, recipients, outcome } => {
                write!(f, "save {store}.{message} recipients {recipients}: {outcome}")
            }
            Effect::Report { store, message, recipients, kind } => {
                write!(f, "report {kind} for {store}.{message} recipients {recipients}")
            }
            Effect::Release(Released::Logon(t)) => write!(f, "release {t} logon object"),
            Effect::Release(Released::Provider(t)) => write!(f, "release {t} provider object"),
            Effect::Release(Released::Unsaved { store, message }) => write!(f, "release unsaved inbound message {store}.{message}"),
            Effect::CancelMessage { transport, message } => {
                write!(f, "async {transport}.TransportNotify(NOTIFY_CANCEL_MESSAGE, lppvData=&ref of {message})")
            }
            Effect::YieldCancel { transport } => write!(f, "{transport} <- support.SpoolerYield returns MAPI_W_CANCEL_MESSAGE"),
            Effect::Release(Released::HookDeleted { store, message }) => {
                write!(f, "release hook-deleted inbound message {store}.{message} (PR_SPOOLER_STATUS=MAPI_E_OBJECT_DELETED)")
            }
            Effect::LogoffAnswer { store, flags } => write!(f, "answer {store}.StoreLogoffTransports: lpulFlags={flags}"),
            Effect::StatusAnswer { request, result } => write!(f, "answer {} => {result}", request.method()),
        }
    }
}

impl fmt::Display for RecipientOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecipientOutcome::Transport(t) => write!(f, "taken by {t}"),
            RecipientOutcome::Undeliverable(NdrOrigin::NoTransport) => f.write_str("undeliverable, no transport"),
            RecipientOutcome::Undeliverable(NdrOrigin::Preprocessor(p)) => write!(f, "undeliverable, found by {p}"),
        }
    }
}

/// The effects of one step, in the order they happen. Usually zero to two, so they live inline.
pub type Effects = SmallVec<[Effect; 2]>;
