//! Everything the spooler does: the one output type of [`crate::Spooler::step`].

use std::fmt;

use smallvec::SmallVec;

use crate::flags::{FlushFlags, LockState, LogoffFlags, LogonFlags, NotifyFlags, SubmitFlags, ValidateFlags, XpInitFlags};
use crate::ids::{HookId, MessageId, MsgRef, PreprocessorId, ServiceId, StoreId, TransportId};
use crate::input::{ReportKind, Return, StatusRequest};
use crate::recipients::RecipientSet;
use crate::version::SpiVersion;

/// What the spooler does in response to an input.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Effect {
    /// A synchronous call. The spooler makes at most one at a time (AMB-20) and waits for its
    /// [`Return`] before it makes another.
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

/// A call the spooler makes, named after the documented method.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Call {
    /// `XPProviderInit` (LIFE-1, LIFE-2, VER-1).
    XpProviderInit {
        /// The transport.
        transport: TransportId,
        /// `ulMAPIVer`.
        mapi_version: SpiVersion,
        /// `ulFlags`.
        flags: XpInitFlags,
    },
    /// The message service entry point with `MSG_SERVICE_CONFIGURE`, after a logon returned
    /// `MAPI_E_UNCONFIGURED` (LIFE-6).
    ServiceConfigure {
        /// The service.
        service: ServiceId,
    },
    /// `IXPProvider::TransportLogon` (LIFE-4).
    TransportLogon {
        /// The transport.
        transport: TransportId,
        /// The input bits of `lpulFlags`.
        flags: LogonFlags,
    },
    /// `IXPLogon::AddressTypes` (LIFE-8, ORD-1, ORD-9).
    AddressTypes {
        /// The transport.
        transport: TransportId,
    },
    /// `IXPLogon::TransportNotify` (LIFE-10, LIFE-12, DEF-5).
    TransportNotify {
        /// The transport.
        transport: TransportId,
        /// `*lpulFlags`.
        flags: NotifyFlags,
        /// The message named in `lppvData`, with `NOTIFY_ABORT_DEFERRED`.
        message: Option<MessageId>,
    },
    /// `IXPLogon::Idle` (LIFE-11).
    Idle {
        /// The transport.
        transport: TransportId,
    },
    /// `IXPLogon::SubmitMessage` (SUB-21 to SUB-23). `offered` are the recipients whose
    /// `PR_RESPONSIBILITY` this transport sees as FALSE; every other recipient reads TRUE to it
    /// (SUB-22).
    SubmitMessage {
        /// The transport.
        transport: TransportId,
        /// The message.
        message: MessageId,
        /// `ulFlags`.
        flags: SubmitFlags,
        /// The recipients offered to this transport.
        offered: RecipientSet,
    },
    /// `IXPLogon::EndMessage` (SUB-24).
    EndMessage {
        /// The transport.
        transport: TransportId,
        /// The reference `SubmitMessage` returned.
        msg_ref: MsgRef,
    },
    /// `IXPLogon::TransportLogoff` with `ulFlags` 0 (LIFE-14).
    TransportLogoff {
        /// The transport.
        transport: TransportId,
    },
    /// `IXPProvider::Shutdown` (LIFE-16).
    Shutdown {
        /// The transport.
        transport: TransportId,
    },
    /// `IMSProvider::SpoolerLogon` (LIFE-19).
    SpoolerLogon {
        /// The store.
        store: StoreId,
    },
    /// `IMsgStore::GetOutgoingQueue` (SUB-16).
    GetOutgoingQueue {
        /// The store.
        store: StoreId,
    },
    /// `IMsgStore::SetLockState` (SUB-20).
    SetLockState {
        /// The store.
        store: StoreId,
        /// The message.
        message: MessageId,
        /// `ulLockState`.
        state: LockState,
    },
    /// A registered `PreprocessMessage` function (HOOK-2, HOOK-3).
    PreprocessMessage {
        /// The preprocessor.
        preprocessor: PreprocessorId,
        /// The message.
        message: MessageId,
    },
    /// The spooler's `IMessage::SubmitMessage` that ends preprocessing (SUB-12 step 5).
    SubmitPreprocessed {
        /// The store.
        store: StoreId,
        /// The message.
        message: MessageId,
    },
    /// A registered `RemovePreprocessInfo` function (HOOK-4, SUB-26).
    RemovePreprocessInfo {
        /// The preprocessor.
        preprocessor: PreprocessorId,
        /// The message.
        message: MessageId,
    },
    /// `IMsgStore::FinishedMsg` with `ulFlags` 0 (SUB-26, HOOK-7).
    FinishedMsg {
        /// The store.
        store: StoreId,
        /// The message.
        message: MessageId,
    },
    /// `IXPLogon::Poll`: does the transport have inbound mail waiting (RCV-3)?
    Poll {
        /// The transport.
        transport: TransportId,
    },
    /// The spooler opens the receive store's receive folder and creates a message in it with
    /// `IMAPIFolder::CreateMessage`, to hand to `StartMessage` (RCV-4). The store is the
    /// profile's first store (DEC-24).
    CreateMessage {
        /// The receive store.
        store: StoreId,
    },
    /// `IXPLogon::StartMessage(0, message, &ref)`: the transport writes one inbound message into
    /// `message` and saves it, or returns without saving when it has nothing (RCV-5, RCV-6).
    StartMessage {
        /// The transport.
        transport: TransportId,
        /// The message the spooler created for it.
        message: MessageId,
    },
    /// `IMsgStore::NotifyNewMail`: the saved inbound message is announced to the store's
    /// clients (RCV-10).
    NotifyNewMail {
        /// The receive store.
        store: StoreId,
        /// The new message.
        message: MessageId,
    },
    /// `IMsgStore::AbortSubmit` on a message the user cancelled, once the spooler has unlocked
    /// it: it leaves the outgoing queue unsent, as if the client had aborted it (DEF-5, DEF-6,
    /// AMB-17, AMB-35).
    AbortSubmit {
        /// The store.
        store: StoreId,
        /// The message.
        message: MessageId,
    },
    /// `ISpoolerHook::InboundMsgHook` of an inbound hook on a received message, after it was
    /// saved and before `NotifyNewMail` (HOOK-6, HOOK-13, RCV-11, RCV-16).
    InboundMsgHook {
        /// The hook.
        hook: HookId,
        /// The store holding the message (its `lpMDB`).
        store: StoreId,
        /// The message.
        message: MessageId,
    },
    /// `IXPLogon::OpenStatusEntry(NULL, 0)`: a client opened the transport's status row
    /// (STAT-10). The spooler asks for the default interface, read-only.
    OpenStatusEntry {
        /// The transport.
        transport: TransportId,
    },
    /// `IXPLogon::ValidateState(0, ulFlags)`: the spooler forwards its own `ValidateState`
    /// (STAT-11, AMB-26).
    ValidateState {
        /// The transport.
        transport: TransportId,
        /// The client's flags.
        flags: ValidateFlags,
    },
    /// `IXPLogon::FlushQueues(0, 0, NULL, ulFlags)`: a flush of this transport begins (STAT-19,
    /// STAT-20, AMB-13).
    FlushQueues {
        /// The transport.
        transport: TransportId,
        /// The directions, with `FLUSH_FORCE` and `FLUSH_NO_UI` as asked.
        flags: FlushFlags,
    },
}

impl Call {
    /// Every method the spooler calls, by the name [`Call::method`] gives it (and a recorded trace
    /// uses): kept beside `method`, so that a new call is added to both.
    pub const METHODS: &'static [&'static str] = &[
        "XPProviderInit",
        "MSG_SERVICE_CONFIGURE",
        "TransportLogon",
        "AddressTypes",
        "TransportNotify",
        "Idle",
        "SubmitMessage",
        "EndMessage",
        "TransportLogoff",
        "Shutdown",
        "SpoolerLogon",
        "GetOutgoingQueue",
        "SetLockState",
        "PreprocessMessage",
        "IMessage::SubmitMessage",
        "RemovePreprocessInfo",
        "FinishedMsg",
        "Poll",
        "CreateMessage",
        "StartMessage",
        "NotifyNewMail",
        "AbortSubmit",
        "InboundMsgHook",
        "OpenStatusEntry",
        "ValidateState",
        "FlushQueues",
    ];

    /// The documented method name.
    #[must_use]
    pub const fn method(&self) -> &'static str {
        match self {
            Call::XpProviderInit { .. } => "XPProviderInit",
            Call::ServiceConfigure { .. } => "MSG_SERVICE_CONFIGURE",
            Call::TransportLogon { .. } => "TransportLogon",
            Call::AddressTypes { .. } => "AddressTypes",
            Call::TransportNotify { .. } => "TransportNotify",
            Call::Idle { .. } => "Idle",
            Call::SubmitMessage { .. } => "SubmitMessage",
            Call::EndMessage { .. } => "EndMessage",
            Call::TransportLogoff { .. } => "TransportLogoff",
            Call::Shutdown { .. } => "Shutdown",
            Call::SpoolerLogon { .. } => "SpoolerLogon",
            Call::GetOutgoingQueue { .. } => "GetOutgoingQueue",
            Call::SetLockState { .. } => "SetLockState",
            Call::PreprocessMessage { .. } => "PreprocessMessage",
            Call::SubmitPreprocessed { .. } => "IMessage::SubmitMessage",
            Call::RemovePreprocessInfo { .. } => "RemovePreprocessInfo",
            Call::FinishedMsg { .. } => "FinishedMsg",
            Call::Poll { .. } => "Poll",
            Call::CreateMessage { .. } => "CreateMessage",
            Call::StartMessage { .. } => "StartMessage",
            Call::NotifyNewMail { .. } => "NotifyNewMail",
            Call::AbortSubmit { .. } => "AbortSubmit",
            Call::InboundMsgHook { .. } => "InboundMsgHook",
            Call::OpenStatusEntry { .. } => "OpenStatusEntry",
            Call::ValidateState { .. } => "ValidateState",
            Call::FlushQueues { .. } => "FlushQueues",
        }
    }

    /// The transport the call goes to, if it goes to a transport (or its provider object,
    /// preprocessor functions aside).
    #[must_use]
    pub const fn transport(&self) -> Option<TransportId> {
        match self {
            Call::XpProviderInit { transport, .. }
            | Call::TransportLogon { transport, .. }
            | Call::AddressTypes { transport }
            | Call::TransportNotify { transport, .. }
            | Call::Idle { transport }
            | Call::SubmitMessage { transport, .. }
            | Call::EndMessage { transport, .. }
            | Call::TransportLogoff { transport }
            | Call::Shutdown { transport }
            | Call::Poll { transport }
            | Call::StartMessage { transport, .. }
            | Call::OpenStatusEntry { transport }
            | Call::ValidateState { transport, .. }
            | Call::FlushQueues { transport, .. } => Some(*transport),
            _ => None,
        }
    }

    /// The message the call names, if it names one (`EndMessage` names its attempt by
    /// `ulMsgRef` instead).
    #[must_use]
    pub const fn message(&self) -> Option<MessageId> {
        match self {
            Call::SubmitMessage { message, .. }
            | Call::SetLockState { message, .. }
            | Call::PreprocessMessage { message, .. }
            | Call::SubmitPreprocessed { message, .. }
            | Call::RemovePreprocessInfo { message, .. }
            | Call::FinishedMsg { message, .. }
            | Call::StartMessage { message, .. }
            | Call::NotifyNewMail { message, .. }
            | Call::AbortSubmit { message, .. } => Some(*message),
            Call::InboundMsgHook { message, .. } => Some(*message),
            Call::TransportNotify { message, .. } => *message,
            _ => None,
        }
    }

    /// True when `ret` answers this call: same method, same identifying arguments.
    #[must_use]
    #[inline]
    pub fn is_answered_by(&self, ret: &Return) -> bool {
        match (self, ret) {
            (Call::XpProviderInit { transport: a, .. }, Return::XpProviderInit { transport: b, .. })
            | (Call::TransportLogon { transport: a, .. }, Return::TransportLogon { transport: b, .. })
            | (Call::AddressTypes { transport: a }, Return::AddressTypes { transport: b, .. })
            | (Call::TransportNotify { transport: a, .. }, Return::TransportNotify { transport: b, .. })
            | (Call::Idle { transport: a }, Return::Idle { transport: b, .. })
            | (Call::TransportLogoff { transport: a }, Return::TransportLogoff { transport: b, .. })
            | (Call::Shutdown { transport: a }, Return::Shutdown { transport: b, .. })
            | (Call::Poll { transport: a }, Return::Poll { transport: b, .. })
            | (Call::OpenStatusEntry { transport: a }, Return::OpenStatusEntry { transport: b, .. })
            | (Call::ValidateState { transport: a, .. }, Return::ValidateState { transport: b, .. })
            | (Call::FlushQueues { transport: a, .. }, Return::FlushQueues { transport: b, .. }) => a == b,
            (Call::CreateMessage { store: a }, Return::CreateMessage { store: b, .. }) => a == b,
            (Call::StartMessage { transport: a, message: m }, Return::StartMessage { transport: b, message: n, .. }) => a == b && m == n,
            (Call::NotifyNewMail { store: a, message: m }, Return::NotifyNewMail { store: b, message: n, .. }) => a == b && m == n,
            (Call::ServiceConfigure { service: a }, Return::ServiceConfigure { service: b, .. }) => a == b,
            (Call::SubmitMessage { transport: a, message: m, .. }, Return::SubmitMessage { transport: b, message: n, .. }) => {
                a == b && m == n
            }
            (Call::EndMessage { transport: a, msg_ref: r }, Return::EndMessage { transport: b, msg_ref: s, .. }) => a == b && r == s,
            (Call::SpoolerLogon { store: a }, Return::SpoolerLogon { store: b, .. })
            | (Call::GetOutgoingQueue { store: a }, Return::GetOutgoingQueue { store: b, .. }) => a == b,
            (Call::SetLockState { store: a, message: m, state: x }, Return::SetLockState { store: b, message: n, state: y, .. }) => {
                a == b && m == n && x == y
            }
            (Call::SubmitPreprocessed { store: a, message: m }, Return::SubmitPreprocessed { store: b, message: n, .. })
            | (Call::FinishedMsg { store: a, message: m }, Return::FinishedMsg { store: b, message: n, .. })
            | (Call::AbortSubmit { store: a, message: m }, Return::AbortSubmit { store: b, message: n, .. }) => a == b && m == n,
            (Call::PreprocessMessage { preprocessor: a, message: m }, Return::PreprocessMessage { preprocessor: b, message: n, .. })
            | (
                Call::RemovePreprocessInfo { preprocessor: a, message: m },
                Return::RemovePreprocessInfo { preprocessor: b, message: n, .. },
            ) => a == b && m == n,
            (Call::InboundMsgHook { hook: a, message: m, .. }, Return::InboundMsgHook { hook: b, message: n, .. }) => a == b && m == n,
            _ => false,
        }
    }
}

impl Return {
    /// The documented name of the method this return answers.
    #[must_use]
    pub const fn method(&self) -> &'static str {
        match self {
            Return::XpProviderInit { .. } => "XPProviderInit",
            Return::ServiceConfigure { .. } => "MSG_SERVICE_CONFIGURE",
            Return::TransportLogon { .. } => "TransportLogon",
            Return::AddressTypes { .. } => "AddressTypes",
            Return::TransportNotify { .. } => "TransportNotify",
            Return::Idle { .. } => "Idle",
            Return::SubmitMessage { .. } => "SubmitMessage",
            Return::EndMessage { .. } => "EndMessage",
            Return::TransportLogoff { .. } => "TransportLogoff",
            Return::Shutdown { .. } => "Shutdown",
            Return::SpoolerLogon { .. } => "SpoolerLogon",
            Return::GetOutgoingQueue { .. } => "GetOutgoingQueue",
            Return::SetLockState { .. } => "SetLockState",
            Return::PreprocessMessage { .. } => "PreprocessMessage",
            Return::SubmitPreprocessed { .. } => "IMessage::SubmitMessage",
            Return::RemovePreprocessInfo { .. } => "RemovePreprocessInfo",
            Return::FinishedMsg { .. } => "FinishedMsg",
            Return::Poll { .. } => "Poll",
            Return::CreateMessage { .. } => "CreateMessage",
            Return::StartMessage { .. } => "StartMessage",
            Return::NotifyNewMail { .. } => "NotifyNewMail",
            Return::AbortSubmit { .. } => "AbortSubmit",
            Return::InboundMsgHook { .. } => "InboundMsgHook",
            Return::OpenStatusEntry { .. } => "OpenStatusEntry",
            Return::ValidateState { .. } => "ValidateState",
            Return::FlushQueues { .. } => "FlushQueues",
        }
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Call::XpProviderInit { transport, mapi_version, flags } => {
                write!(f, "{transport}.XPProviderInit(ulFlags={flags}, ulMAPIVer={mapi_version})")
            }
            Call::ServiceConfigure { service } => write!(f, "{service}.ServiceEntry(MSG_SERVICE_CONFIGURE)"),
            Call::TransportLogon { transport, flags } => write!(f, "{transport}.TransportLogon(lpulFlags={flags})"),
            Call::AddressTypes { transport } => write!(f, "{transport}.AddressTypes()"),
            Call::TransportNotify { transport, flags, message: None } => {
                write!(f, "{transport}.TransportNotify({flags})")
            }
            Call::TransportNotify { transport, flags, message: Some(m) } => {
                write!(f, "{transport}.TransportNotify({flags}, lppvData={m})")
            }
            Call::Idle { transport } => write!(f, "{transport}.Idle(0)"),
            Call::SubmitMessage { transport, message, flags, offered } => {
                write!(f, "{transport}.SubmitMessage(ulFlags={flags}, {message}, responsibility FALSE for {offered})")
            }
            Call::EndMessage { transport, msg_ref } => write!(f, "{transport}.EndMessage(ulMsgRef={msg_ref})"),
            Call::TransportLogoff { transport } => write!(f, "{transport}.TransportLogoff(0)"),
            Call::Shutdown { transport } => write!(f, "{transport}.Shutdown(0)"),
            Call::SpoolerLogon { store } => write!(f, "{store}.SpoolerLogon()"),
            Call::GetOutgoingQueue { store } => write!(f, "{store}.GetOutgoingQueue(0)"),
            Call::SetLockState { store, message, state } => write!(f, "{store}.SetLockState({message}, {state})"),
            Call::PreprocessMessage { preprocessor, message } => write!(f, "{preprocessor}.PreprocessMessage({message})"),
            Call::SubmitPreprocessed { store, message } => write!(f, "{store}.{message}.SubmitMessage(0)"),
            Call::Poll { transport } => write!(f, "{transport}.Poll()"),
            Call::CreateMessage { store } => write!(f, "{store}.ReceiveFolder.CreateMessage()"),
            Call::StartMessage { transport, message } => write!(f, "{transport}.StartMessage(0, {message}, ulMsgRef=1)"),
            Call::NotifyNewMail { store, message } => write!(f, "{store}.NotifyNewMail({message})"),
            Call::RemovePreprocessInfo { preprocessor, message } => {
                write!(f, "{preprocessor}.RemovePreprocessInfo({message})")
            }
            Call::FinishedMsg { store, message } => write!(f, "{store}.FinishedMsg(0, {message})"),
            Call::AbortSubmit { store, message } => write!(f, "{store}.AbortSubmit({message}, 0)"),
            Call::InboundMsgHook { hook, store, message } => write!(f, "{hook}.InboundMsgHook({message}, {store})"),
            Call::OpenStatusEntry { transport } => write!(f, "{transport}.OpenStatusEntry(NULL, 0)"),
            Call::ValidateState { transport, flags } => write!(f, "{transport}.ValidateState(0, {flags})"),
            Call::FlushQueues { transport, flags } => write!(f, "{transport}.FlushQueues(0, 0, NULL, {flags})"),
        }
    }
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

impl fmt::Display for Return {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn result<T>(
            f: &mut fmt::Formatter<'_>,
            r: &Result<T, crate::Hresult>,
            ok: impl FnOnce(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
        ) -> fmt::Result {
            match r {
                Ok(value) => ok(f, value),
                Err(h) => write!(f, "{h}"),
            }
        }
        match self {
            Return::XpProviderInit { transport, result: r } => {
                write!(f, "{transport}.XPProviderInit => ")?;
                result(f, r, |f, v| write!(f, "S_OK lpulProviderVer={v}"))
            }
            Return::ServiceConfigure { service, result } => write!(f, "{service}.ServiceEntry(MSG_SERVICE_CONFIGURE) => {result}"),
            Return::TransportLogon { transport, result: r } => {
                write!(f, "{transport}.TransportLogon => ")?;
                result(f, r, |f, caps| write!(f, "S_OK lpulFlags={caps}"))
            }
            Return::AddressTypes { transport, result: r } => {
                write!(f, "{transport}.AddressTypes => ")?;
                result(f, r, |f, regs| {
                    write!(f, "S_OK types=")?;
                    match &regs.address_types {
                        crate::AddressTypes::Any => write!(f, "NULL(any)")?,
                        crate::AddressTypes::Listed(types) => {
                            let names: Vec<String> = types.iter().map(ToString::to_string).collect();
                            write!(f, "[{}]", names.join(","))?;
                        }
                    }
                    let uids: Vec<String> = regs.uids.iter().map(ToString::to_string).collect();
                    write!(f, " uids=[{}]", uids.join(","))
                })
            }
            Return::TransportNotify { transport, flags, result } => write!(f, "{transport}.TransportNotify => {result} lpulFlags={flags}"),
            Return::Idle { transport, result } => write!(f, "{transport}.Idle => {result}"),
            Return::SubmitMessage { transport, message, outcome } => {
                write!(f, "{transport}.SubmitMessage({message}) => ")?;
                match outcome {
                    crate::SubmitOutcome::Accepted { msg_ref, accepted } => {
                        write!(f, "S_OK ulMsgRef={msg_ref}, responsibility TRUE for {accepted}")
                    }
                    crate::SubmitOutcome::Failed { result, return_parm, saved } => {
                        write!(f, "{result} lpulReturnParm={return_parm}")?;
                        if !saved.is_empty() {
                            write!(f, ", saved responsibility TRUE for {saved}")?;
                        }
                        Ok(())
                    }
                }
            }
            Return::EndMessage { transport, msg_ref, result: r } => {
                write!(f, "{transport}.EndMessage({msg_ref}) => ")?;
                result(f, r, |f, flags| write!(f, "S_OK lpulFlags={flags}"))
            }
            Return::TransportLogoff { transport, result } => write!(f, "{transport}.TransportLogoff => {result}"),
            Return::Shutdown { transport, result } => write!(f, "{transport}.Shutdown => {result}"),
            Return::SpoolerLogon { store, result } => write!(f, "{store}.SpoolerLogon => {result}"),
            Return::GetOutgoingQueue { store, result: r } => {
                write!(f, "{store}.GetOutgoingQueue => ")?;
                result(f, r, |f, rows| {
                    let ids: Vec<String> = rows.iter().map(|row| row.message.to_string()).collect();
                    write!(f, "S_OK rows=[{}]", ids.join(","))
                })
            }
            Return::SetLockState { store, message, state, result } => write!(f, "{store}.SetLockState({message}, {state}) => {result}"),
            Return::PreprocessMessage { preprocessor, message, result: r } => {
                write!(f, "{preprocessor}.PreprocessMessage({message}) => ")?;
                result(f, r, |f, undeliverable| write!(f, "S_OK undeliverable={undeliverable}"))
            }
            Return::SubmitPreprocessed { store, message, result } => write!(f, "{store}.{message}.SubmitMessage => {result}"),
            Return::RemovePreprocessInfo { preprocessor, message, result } => {
                write!(f, "{preprocessor}.RemovePreprocessInfo({message}) => {result}")
            }
            Return::FinishedMsg { store, message, result } => write!(f, "{store}.FinishedMsg({message}) => {result}"),
            Return::Poll { transport, incoming, result } => write!(f, "{transport}.Poll => {result} lpulIncoming={incoming}"),
            Return::CreateMessage { store, result: r } => {
                write!(f, "{store}.ReceiveFolder.CreateMessage => ")?;
                result(f, r, |f, m| write!(f, "S_OK {m}"))
            }
            Return::StartMessage { transport, message, result: r } => {
                write!(f, "{transport}.StartMessage({message}) => ")?;
                result(f, r, |f, delivery| match delivery {
                    crate::Delivery::Saved => f.write_str("S_OK, message saved"),
                    crate::Delivery::Empty => f.write_str("S_OK, nothing saved"),
                })
            }
            Return::NotifyNewMail { store, message, result } => write!(f, "{store}.NotifyNewMail({message}) => {result}"),
            Return::AbortSubmit { store, message, result } => write!(f, "{store}.AbortSubmit({message}) => {result}"),
            Return::InboundMsgHook { hook, message, result: r } => {
                write!(f, "{hook}.InboundMsgHook({message}) => ")?;
                result(f, r, |f, outcome| {
                    write!(f, "S_OK lpulFlags={}", outcome.flags)?;
                    match outcome.moved_to {
                        Some(folder) => write!(f, " lppEntryID={folder}"),
                        None => f.write_str(" lppEntryID=NULL"),
                    }
                })
            }
            Return::OpenStatusEntry { transport, result } => write!(f, "{transport}.OpenStatusEntry => {result}"),
            Return::ValidateState { transport, result } => write!(f, "{transport}.ValidateState => {result}"),
            Return::FlushQueues { transport, result } => write!(f, "{transport}.FlushQueues => {result}"),
        }
    }
}
