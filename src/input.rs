//! Everything that can happen to the spooler: the one input type of [`crate::Spooler::step`].

use std::fmt;

use crate::flags::{FlushFlags, HookFlags, PasswordFlags, QueueFlags, SettingsFlags, ValidateFlags};
use crate::hresult::Hresult;
use crate::ids::{FolderId, MessageId, MsgRef, StoreId, TransportId};
use crate::method::{OrNull, Word};
pub use crate::method::{Return, SupportCall};
use crate::recipients::{RecipientRow, RecipientSet};

/// An input to the spooler. Exactly one kind of thing happens per input.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Input {
    /// The MAPI session asks something of the spooler.
    Session(SessionRequest),
    /// The synchronous call in flight (the last [`crate::Call`] the spooler made) returned.
    Return(Return),
    /// A transport or a store called a method of its support object (`IMAPISupport`).
    Support(SupportCall),
    /// A store's outgoing-queue table changed (SUB-14, SUB-16).
    Queue(QueueEvent),
    /// Logical time passed. Retry delays are measured in it (ERR-4, ERR-5).
    TimePassed {
        /// How many seconds passed.
        seconds: u32,
    },
    /// The system is idle: the spooler may call `IXPLogon::Idle` on the transports that asked for
    /// it (LIFE-11).
    SystemIdle,
    /// A client sets the transport order with `IMsgServiceAdmin::MsgServiceTransportOrder`
    /// (ORD-7): every transport entry of the profile, once, in the new order. It applies to every
    /// recipient the spooler offers from then on (DEC-26).
    TransportOrder(Vec<TransportId>),
    /// The user cancels a transfer the spooler is working on, for example from the progress
    /// window (DEF-5, DEF-7, RCV-13, AMB-17). It reaches the spooler asynchronously, between
    /// its calls or while one is in flight (AMB-41).
    Cancel(CancelRequest),
    /// A client calls a method of the spooler's status object, or opens a transport's status
    /// object through the spooler (STAT-9, STAT-10, AMB-41): an asynchronous input, answered
    /// with [`crate::Effect::StatusAnswer`].
    Status(StatusRequest),
}

lines! {
    /// What the user cancels (DEF-5, DEF-7, RCV-13).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum CancelRequest: "cancel" at "session", fn name {
        /// An outbound message this spooler has locked. A message it has not locked is cancelled
        /// with `IMsgStore::AbortSubmit` instead (DEF-5, DEF-6).
        Outbound = "Cancel" if lacks ["transport"] {
            /// The store holding it.
            store: StoreId = "store",
            /// The message.
            message: MessageId = "message",
        } shown "user -> spooler: cancel outbound {store}.{message}";
        /// The inbound message a transport is writing in `StartMessage` (RCV-13).
        Inbound = "Cancel" if has ["transport"] {
            /// The transport.
            transport: TransportId = "transport",
        } shown "user -> spooler: cancel the inbound transfer from {transport}";
    }
}

lines! {
    /// A client's call that reaches the spooler through the status table (STAT-9 to STAT-17,
    /// STAT-23). Each flag word is the raw `ulFlags` the client passed: bits the method does not
    /// define are answered `MAPI_E_UNKNOWN_FLAGS` (ERR-13), and a trace writes them in hexadecimal.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum StatusRequest: "status call" at "client", fn method {
        /// `IMAPISession::OpenEntry` on a transport row's `PR_ENTRYID`: the spooler calls
        /// `IXPLogon::OpenStatusEntry` (STAT-10).
        OpenEntry = "OpenEntry" {
            /// The transport whose row was opened.
            transport: TransportId = "transport",
        } shown "client -> session.OpenEntry({transport} status row)";
        /// `IMAPIStatus::ValidateState` on the spooler's status object: forwarded to every active
        /// logon (STAT-11, STAT-12, AMB-26).
        ValidateState = "ValidateState" {
            /// `ulFlags` ([`crate::flags::ValidateFlags`]).
            flags: u32 = "ulFlags" as ValidateFlags,
        } shown ("client -> spooler.ValidateState(0, {})", Word::<ValidateFlags>::of(*flags));
        /// `IMAPIStatus::FlushQueues` on the spooler's status object, for every transport or for
        /// the one named by the target entry ID (STAT-17, STAT-23).
        FlushQueues = "FlushQueues" {
            /// `lpTargetTransport`, or `None` for every transport.
            target: Option<TransportId> = "target",
            /// `ulFlags` ([`crate::flags::FlushFlags`]).
            flags: u32 = "ulFlags" as FlushFlags,
        } shown ("client -> spooler.FlushQueues(0, {}, {})", OrNull(*target), Word::<FlushFlags>::of(*flags));
        /// `IMAPIStatus::SettingsDialog` on the spooler's status object (STAT-9, STAT-14).
        SettingsDialog = "SettingsDialog" {
            /// `ulFlags` ([`crate::flags::SettingsFlags`]).
            flags: u32 = "ulFlags" as SettingsFlags,
        } shown ("client -> spooler.SettingsDialog(0, {})", Word::<SettingsFlags>::of(*flags));
        /// `IMAPIStatus::ChangePassword` on the spooler's status object (STAT-9, STAT-15).
        ChangePassword = "ChangePassword" {
            /// `ulFlags` ([`crate::flags::PasswordFlags`]).
            flags: u32 = "ulFlags" as PasswordFlags,
        } shown ("client -> spooler.ChangePassword(old, new, {})", Word::<PasswordFlags>::of(*flags));
    }
}

/// The columns of a status row beyond `PR_STATUS_CODE` that tell clients what the row's object
/// supports and what kind of transport it is (STAT-2, STAT-6, STAT-8). The text columns
/// (`PR_DISPLAY_NAME`, `PR_PROVIDER_DISPLAY`, `PR_STATUS_STRING`) carry no protocol meaning and
/// are not modelled (DEC-30).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct StatusColumns {
    /// `PR_RESOURCE_METHODS` (STAT-6).
    pub methods: crate::flags::ResourceMethods,
    /// `PR_RESOURCE_FLAGS` (STAT-8).
    pub resource_flags: crate::flags::ResourceFlags,
}

/// Which directions of traffic a request is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Directions {
    /// Reception.
    pub inbound: bool,
    /// Sending.
    pub outbound: bool,
}

impl Directions {
    /// Both directions.
    pub const BOTH: Directions = Directions { inbound: true, outbound: true };
    /// Reception only.
    pub const INBOUND: Directions = Directions { inbound: true, outbound: false };
    /// Sending only.
    pub const OUTBOUND: Directions = Directions { inbound: false, outbound: true };
    /// Neither direction.
    pub const NONE: Directions = Directions { inbound: false, outbound: false };
}

lines! {
    /// A request of the MAPI session (a client logging on or off, going on- or offline).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum SessionRequest: "session request" at "session" also ["TransportOrder", "Cancel"], fn name {
        /// The client logon finished: the spooler initializes the transports and opens the stores
        /// (LIFE-1, LIFE-19, AMB-25).
        Start = "Start" shown "Start";
        /// Enable traffic on a logged-on transport (LIFE-10).
        Enable = "Enable" {
            /// The transport.
            transport: TransportId = "transport",
            /// The directions to enable.
            directions: Directions = "directions",
        } shown "Enable({transport}, {directions})";
        /// Disable traffic on a logged-on transport (LIFE-12).
        Disable = "Disable" {
            /// The transport.
            transport: TransportId = "transport",
            /// The directions to disable.
            directions: Directions = "directions",
        } shown "Disable({transport}, {directions})";
        /// The session ends: the spooler stops sending, disables traffic, logs every transport off
        /// and shuts every provider down (LIFE-12, LIFE-14, LIFE-15, LIFE-16).
        Shutdown = "Shutdown" shown "Shutdown";
    }
}

/// What an inbound hook did with a received message (HOOK-6, HOOK-13, RCV-11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HookOutcome {
    /// `*lpulFlags`: `HOOK_DELETE`, `HOOK_CANCEL`, both or neither.
    pub flags: HookFlags,
    /// The folder whose entry identifier the hook wrote to `*lppEntryID` when it rerouted the
    /// message; `None` when it left the message where it was.
    pub moved_to: Option<FolderId>,
}

impl HookOutcome {
    /// The hook left the message alone.
    pub const KEEP: HookOutcome = HookOutcome { flags: HookFlags::EMPTY, moved_to: None };
    /// The hook deleted the message (`HOOK_DELETE`).
    pub const DELETE: HookOutcome = HookOutcome { flags: HookFlags::HOOK_DELETE, moved_to: None };
}

/// What a successful `StartMessage` did with the message the spooler passed (AMB-14).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Delivery {
    /// The transport wrote an inbound message and called `SaveChanges`: one message delivered
    /// (RCV-5).
    Saved,
    /// It returned without `SaveChanges`: it has nothing more to deliver now (RCV-6).
    Empty,
}

/// What a transport did in `IXPLogon::SubmitMessage`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SubmitOutcome {
    /// `S_OK` (ERR-1): the reference the transport wrote to `*lpulMsgRef` (0 if it wrote none,
    /// SUB-23), and the offered recipients whose `PR_RESPONSIBILITY` it set to TRUE (SUB-28).
    /// The offered recipients it left FALSE are declined.
    Accepted {
        /// `*lpulMsgRef`.
        msg_ref: MsgRef,
        /// The recipients the transport took.
        accepted: RecipientSet,
    },
    /// An error (ERR-2 to ERR-7). `return_parm` is `*lpulReturnParm`, the retry delay in seconds
    /// that goes with `MAPI_E_WAIT` and `MAPI_E_NETWORK_ERROR` (DEF-9). `saved` are the
    /// recipients the transport set to TRUE and saved with `SaveChanges` before returning; every
    /// other change is discarded (SUB-33).
    Failed {
        /// The error.
        result: Hresult,
        /// `*lpulReturnParm`.
        return_parm: u32,
        /// The recipients the transport took and saved.
        saved: RecipientSet,
    },
}

/// The caller of a support method shared by transports and stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Caller {
    /// A transport's support object.
    Transport(TransportId),
    /// A store's support object.
    Store(StoreId),
}

impl fmt::Display for Caller {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Caller::Transport(t) => write!(f, "{t}"),
            Caller::Store(s) => write!(f, "{s}"),
        }
    }
}

/// The kind of delivery-status report (DEF-11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReportKind {
    /// A delivery report (DR).
    Delivery,
    /// A non-delivery report (NDR).
    NonDelivery,
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReportKind::Delivery => "DR",
            ReportKind::NonDelivery => "NDR",
        })
    }
}

lines! {
    /// A change of a store's outgoing-queue table, delivered as a table notification (SUB-14,
    /// SUB-16).
    #[derive(Clone, Debug, PartialEq, Eq, Hash)]
    pub enum QueueEvent: "queue change" at "queue", fn name {
        /// A message was submitted and queued for the spooler.
        RowAdded = "RowAdded" (row: QueueRow = "from") shown (
            "{} -> spooler: outgoing queue row added {} (PR_SUBMIT_FLAGS={}{})",
            row.store,
            row.message,
            row.flags,
            if row.preprocess { ", PR_PREPROCESS" } else { "" },
        );
        /// A message left the queue, for example because the client aborted it (DEF-6).
        RowRemoved = "RowRemoved" {
            /// The store.
            store: StoreId = "from",
            /// The message.
            message: MessageId = "message",
        } shown "{store} -> spooler: outgoing queue row removed {message}";
    }
}

/// A queued message as the spooler reads it: the row of the outgoing-queue table (SUB-16) and
/// the parts of the message that routing and clean-up need, which the spooler reads when it
/// opens the message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QueueRow {
    /// The store holding the message.
    pub store: StoreId,
    /// Its entry identifier.
    pub message: MessageId,
    /// `PR_SUBMIT_FLAGS` (SUB-12, SUB-20).
    pub flags: QueueFlags,
    /// `PR_PREPROCESS` (HOOK-5).
    pub preprocess: bool,
    /// The originator's report requests (DEF-11).
    pub reports: ReportRequests,
    /// The recipient table.
    pub recipients: Vec<RecipientRow>,
}

/// `PR_ORIGINATOR_DELIVERY_REPORT_REQUESTED` and `PR_ORIGINATOR_NON_DELIVERY_REPORT_REQUESTED`,
/// two independent booleans (AMB-29).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReportRequests {
    /// A delivery report is sent only when this is TRUE (DEF-11); absent means FALSE.
    pub delivery: bool,
    /// A non-delivery report is sent unless this is FALSE (DEF-11); absent means TRUE.
    pub non_delivery: bool,
}

impl Default for ReportRequests {
    fn default() -> Self {
        ReportRequests { delivery: false, non_delivery: true }
    }
}

impl ReportRequests {
    /// True when the originator wants reports of this kind (DEF-11).
    #[must_use]
    pub const fn wants(self, kind: ReportKind) -> bool {
        match kind {
            ReportKind::Delivery => self.delivery,
            ReportKind::NonDelivery => self.non_delivery,
        }
    }
}

impl fmt::Display for Directions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match (self.inbound, self.outbound) {
            (true, true) => "inbound+outbound",
            (true, false) => "inbound",
            (false, true) => "outbound",
            (false, false) => "none",
        })
    }
}
