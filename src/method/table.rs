//! The method table. Every call the spooler makes and every support call a transport or store
//! makes is declared here once; [`Call`], [`Return`] and [`SupportCall`], their names, targets,
//! messages, requirements, display and trace lines are generated from it (`macros.rs`).
//!
//! A row of the call table gives the documented name, the kind of object called
//! ([`crate::method::Target`]), the requirements that say when the spooler makes the call, the
//! object called (`"to"` in a trace, `"from"` in the return), the arguments with their trace keys
//! in trace order, which of them identify the call (`(identifies)`: a return answers the call only
//! when it repeats the same values), how the call shows, and then its return: the outcome (the
//! result with any out-parameters) and what else the return carries. The argument of type
//! [`MessageId`] is the message the call names.

use crate::flags::{
    FlushFlags, LockState, LogoffFlags, LogonFlags, NotifyFlags, SpoolerNotifyFlags, StatusCode, StatusRowFlags, SubmitFlags,
    ValidateFlags, XpInitFlags,
};
use crate::hresult::Hresult;
use crate::ids::{HookId, MessageId, MsgRef, PreprocessorId, RecipientIdx, ServiceId, StoreId, TransportId};
use crate::input::{Caller, Delivery, HookOutcome, QueueRow, ReportKind, StatusColumns, SubmitOutcome};
use crate::method::out::{Labelled, OrNull, Reports};
use crate::recipients::RecipientSet;
use crate::routing::{PreprocessorFilter, Registrations};
use crate::version::SpiVersion;
use crate::{EndFlags, LogonCaps};

methods! {
    /// `XPProviderInit` (LIFE-1, LIFE-2, VER-1).
    XpProviderInit = "XPProviderInit" on Provider when ["LIFE-1", "VER-1"] {
        /// The transport.
        transport: TransportId,
        /// `ulFlags`.
        flags: XpInitFlags = "ulFlags",
        /// `ulMAPIVer`.
        mapi_version: SpiVersion = "ulMAPIVer",
    } shown "{transport}.XPProviderInit(ulFlags={flags}, ulMAPIVer={mapi_version})";
    /// `XPProviderInit` returned: the provider's SPI version (`*lpulProviderVer`), or an error
    /// (LIFE-1, VER-3).
    returns {
        /// `*lpulProviderVer` on success.
        result: Result<SpiVersion, Hresult> = "lpulProviderVer",
    } shown "{transport}.XPProviderInit";

    /// The message service entry point with `MSG_SERVICE_CONFIGURE`, after a logon returned
    /// `MAPI_E_UNCONFIGURED` (LIFE-6).
    ServiceConfigure = "MSG_SERVICE_CONFIGURE" on Service when ["LIFE-6"] {
        /// The service.
        service: ServiceId,
    } shown "{service}.ServiceEntry(MSG_SERVICE_CONFIGURE)";
    /// The message service entry point returned from `MSG_SERVICE_CONFIGURE` (LIFE-6).
    returns {
        /// Its result.
        result: Hresult,
    } shown "{service}.ServiceEntry(MSG_SERVICE_CONFIGURE)";

    /// `IXPProvider::TransportLogon` (LIFE-4).
    TransportLogon = "TransportLogon" on Provider when ["LIFE-4", "VER-6"] {
        /// The transport.
        transport: TransportId,
        /// The input bits of `lpulFlags`.
        flags: LogonFlags = "lpulFlags",
    } shown "{transport}.TransportLogon(lpulFlags={flags})";
    /// `IXPProvider::TransportLogon` returned: the output flags of `lpulFlags`, or an error
    /// (LIFE-5, LIFE-6).
    returns {
        /// The output bits on success.
        result: Result<LogonCaps, Hresult> = "lpulFlags",
    } shown "{transport}.TransportLogon";

    /// `IXPLogon::AddressTypes` (LIFE-8, ORD-1, ORD-9).
    AddressTypes = "AddressTypes" on Logon when ["LIFE-8"] {
        /// The transport.
        transport: TransportId,
    } shown "{transport}.AddressTypes()";
    /// `IXPLogon::AddressTypes` returned the transport's registrations (ORD-1).
    returns {
        /// The registrations on success.
        result: Result<Registrations, Hresult> = ("lpppAdrTypeArray", "lpppUIDArray"),
    } shown "{transport}.AddressTypes";

    /// `IXPLogon::TransportNotify` (LIFE-10, LIFE-12, DEF-5).
    TransportNotify = "TransportNotify" on Traffic when ["LIFE-10", "LIFE-12"] {
        /// The transport.
        transport: TransportId,
        /// `*lpulFlags`.
        flags: NotifyFlags = "lpulFlags",
        /// The message named in `lppvData`, with `NOTIFY_ABORT_DEFERRED`.
        message: Option<MessageId> = "lpvData",
    } shown ("{transport}.TransportNotify({flags}{})", Labelled(", lppvData=", *message));
    /// `IXPLogon::TransportNotify` returned, with the in/out flag word as the transport left it
    /// (LIFE-13 requires it unchanged).
    returns {
        /// The result.
        result: Hresult,
        /// `*lpulFlags` after the call.
        flags: NotifyFlags = "lpulFlags",
    } shown "{transport}.TransportNotify";

    /// `IXPLogon::Idle` (LIFE-11).
    Idle = "Idle" on Traffic when ["LIFE-11"] {
        /// The transport.
        transport: TransportId,
    } shown "{transport}.Idle(0)";
    /// `IXPLogon::Idle` returned (LIFE-11).
    returns shown "{transport}.Idle";

    /// `IXPLogon::SubmitMessage` (SUB-21 to SUB-23). `offered` are the recipients whose
    /// `PR_RESPONSIBILITY` this transport sees as FALSE; every other recipient reads TRUE to it
    /// (SUB-22).
    SubmitMessage = "SubmitMessage" on Traffic when ["SUB-20", "SUB-21", "ORD-4", "DEC-20", "DEC-22"] {
        /// The transport.
        transport: TransportId,
        /// `ulFlags`.
        flags: SubmitFlags = "ulFlags",
        /// The message.
        message: MessageId = "message" (identifies),
        /// The recipients offered to this transport.
        offered: RecipientSet = "offered",
    } shown "{transport}.SubmitMessage(ulFlags={flags}, {message}, responsibility FALSE for {offered})";
    /// `IXPLogon::SubmitMessage` returned (SUB-23 to SUB-33, ERR-1 to ERR-7).
    returns {
        /// What the transport did.
        outcome: SubmitOutcome,
    } shown "{transport}.SubmitMessage({message})";

    /// `IXPLogon::EndMessage` (SUB-24).
    EndMessage = "EndMessage" on Logon when ["SUB-24", "ERR-2"] {
        /// The transport.
        transport: TransportId,
        /// The reference `SubmitMessage` returned.
        msg_ref: MsgRef = "ulMsgRef" (identifies),
    } shown "{transport}.EndMessage(ulMsgRef={msg_ref})";
    /// `IXPLogon::EndMessage` returned its flags (SUB-34).
    returns {
        /// `*lpulFlags` on success.
        result: Result<EndFlags, Hresult> = "lpulFlags",
    } shown "{transport}.EndMessage({msg_ref})";

    /// `IXPLogon::TransportLogoff` with `ulFlags` 0 (LIFE-14).
    TransportLogoff = "TransportLogoff" on Logon when ["LIFE-14"] {
        /// The transport.
        transport: TransportId,
    } shown "{transport}.TransportLogoff(0)";
    /// `IXPLogon::TransportLogoff` returned; whatever the result, the logon is over (LIFE-14,
    /// ERR-10).
    returns shown "{transport}.TransportLogoff";

    /// `IXPProvider::Shutdown` (LIFE-16).
    Shutdown = "Shutdown" on Provider when ["LIFE-16"] {
        /// The transport.
        transport: TransportId,
    } shown "{transport}.Shutdown(0)";
    /// `IXPProvider::Shutdown` returned (LIFE-16).
    returns shown "{transport}.Shutdown";

    /// `IMSProvider::SpoolerLogon` (LIFE-19).
    SpoolerLogon = "SpoolerLogon" on Store when ["LIFE-19"] {
        /// The store.
        store: StoreId,
    } shown "{store}.SpoolerLogon()";
    /// `IMSProvider::SpoolerLogon` returned (LIFE-19).
    returns shown "{store}.SpoolerLogon";

    /// `IMsgStore::GetOutgoingQueue` (SUB-16).
    GetOutgoingQueue = "GetOutgoingQueue" on Store when ["SUB-19"] {
        /// The store.
        store: StoreId,
    } shown "{store}.GetOutgoingQueue(0)";
    /// `IMsgStore::GetOutgoingQueue` returned the queue's rows in ascending submission order
    /// (SUB-16).
    returns {
        /// The rows on success.
        result: Result<Vec<QueueRow>, Hresult> = "rows",
    } shown "{store}.GetOutgoingQueue";

    /// `IMsgStore::SetLockState` (SUB-20).
    SetLockState = "SetLockState" on Store when ["SUB-20", "DEC-20", "DEC-23"] {
        /// The store.
        store: StoreId,
        /// The message.
        message: MessageId = "message" (identifies),
        /// `ulLockState`.
        state: LockState = "ulLockState" (identifies),
    } shown "{store}.SetLockState({message}, {state})";
    /// `IMsgStore::SetLockState` returned (SUB-20).
    returns shown "{store}.SetLockState({message}, {state})";

    /// A registered `PreprocessMessage` function (HOOK-2, HOOK-3).
    PreprocessMessage = "PreprocessMessage" on Preprocessor when ["HOOK-3"] {
        /// The preprocessor.
        preprocessor: PreprocessorId,
        /// The message.
        message: MessageId = "message" (identifies),
    } shown "{preprocessor}.PreprocessMessage({message})";
    /// A `PreprocessMessage` function returned (HOOK-2): on success, the recipients it found
    /// undeliverable (its `lppRecipList`).
    returns {
        /// The undeliverable recipients on success.
        result: Result<RecipientSet, Hresult> = "undeliverable",
    } shown "{preprocessor}.PreprocessMessage({message})";

    /// The spooler's `IMessage::SubmitMessage` that ends preprocessing (SUB-12 step 5).
    SubmitPreprocessed = "IMessage::SubmitMessage" on Store when ["SUB-12"] {
        /// The store.
        store: StoreId,
        /// The message.
        message: MessageId = "message" (identifies),
    } shown "{store}.{message}.SubmitMessage(0)";
    /// The spooler's `IMessage::SubmitMessage` after preprocessing returned (SUB-12 step 5).
    returns shown "{store}.{message}.SubmitMessage";

    /// A registered `RemovePreprocessInfo` function (HOOK-4, SUB-26).
    RemovePreprocessInfo = "RemovePreprocessInfo" on Preprocessor when ["HOOK-4"] {
        /// The preprocessor.
        preprocessor: PreprocessorId,
        /// The message.
        message: MessageId = "message" (identifies),
    } shown "{preprocessor}.RemovePreprocessInfo({message})";
    /// A `RemovePreprocessInfo` function returned (HOOK-4).
    returns shown "{preprocessor}.RemovePreprocessInfo({message})";

    /// `IMsgStore::FinishedMsg` with `ulFlags` 0 (SUB-26, HOOK-7).
    FinishedMsg = "FinishedMsg" on Store when ["HOOK-7", "SUB-26"] {
        /// The store.
        store: StoreId,
        /// The message.
        message: MessageId = "message" (identifies),
    } shown "{store}.FinishedMsg(0, {message})";
    /// `IMsgStore::FinishedMsg` returned (HOOK-7).
    returns shown "{store}.FinishedMsg({message})";

    /// `IXPLogon::Poll`: does the transport have inbound mail waiting (RCV-3)?
    Poll = "Poll" on Traffic when ["RCV-1", "RCV-3", "INV-9"] {
        /// The transport.
        transport: TransportId,
    } shown "{transport}.Poll()";
    /// `Poll` returned (RCV-3): a non-zero `incoming` means inbound mail is waiting.
    returns {
        /// The result (`S_OK` is the only documented one).
        result: Hresult,
        /// `*lpulIncoming`.
        incoming: u32 = "lpulIncoming",
    } shown "{transport}.Poll";

    /// The spooler opens the receive store's receive folder and creates a message in it with
    /// `IMAPIFolder::CreateMessage`, to hand to `StartMessage` (RCV-4). The store is the
    /// profile's first store (DEC-24).
    CreateMessage = "CreateMessage" on Store when ["RCV-4", "DEC-24"] {
        /// The receive store.
        store: StoreId,
    } shown "{store}.ReceiveFolder.CreateMessage()";
    /// The receive folder's `CreateMessage` returned (RCV-4): on success, the new message.
    returns {
        /// The new message, or the store's error.
        result: Result<MessageId, Hresult> = "message",
    } shown "{store}.ReceiveFolder.CreateMessage";

    /// `IXPLogon::StartMessage(0, message, &ref)`: the transport writes one inbound message into
    /// `message` and saves it, or returns without saving when it has nothing (RCV-5, RCV-6).
    StartMessage = "StartMessage" on Traffic when ["RCV-5", "RCV-6", "AMB-14"] {
        /// The transport.
        transport: TransportId,
        /// The message the spooler created for it.
        message: MessageId = "message" (identifies),
    } shown "{transport}.StartMessage(0, {message}, ulMsgRef=1)";
    /// `StartMessage` returned (RCV-5 to RCV-7).
    returns {
        /// Whether the transport saved a message in it, or its error.
        result: Result<Delivery, Hresult> = "saved",
    } shown "{transport}.StartMessage({message})";

    /// `IMsgStore::NotifyNewMail`: the saved inbound message is announced to the store's
    /// clients (RCV-10).
    NotifyNewMail = "NotifyNewMail" on Store when ["RCV-10", "INV-36"] {
        /// The receive store.
        store: StoreId,
        /// The new message.
        message: MessageId = "message" (identifies),
    } shown "{store}.NotifyNewMail({message})";
    /// `NotifyNewMail` returned (RCV-10).
    returns shown "{store}.NotifyNewMail({message})";

    /// `IMsgStore::AbortSubmit` on a message the user cancelled, once the spooler has unlocked
    /// it: it leaves the outgoing queue unsent, as if the client had aborted it (DEF-5, DEF-6,
    /// AMB-17, AMB-35).
    AbortSubmit = "AbortSubmit" on Store when ["DEF-5", "AMB-17", "DEC-27"] {
        /// The store.
        store: StoreId,
        /// The message.
        message: MessageId = "message" (identifies),
    } shown "{store}.AbortSubmit({message}, 0)";
    /// The spooler's own `IMsgStore::AbortSubmit` returned (DEF-6, AMB-17): `S_OK` or
    /// `MAPI_E_NOT_IN_QUEUE` (the client's own abort came first).
    returns shown "{store}.AbortSubmit({message})";

    /// `ISpoolerHook::InboundMsgHook` of an inbound hook on a received message, after it was
    /// saved and before `NotifyNewMail` (HOOK-6, HOOK-13, RCV-11, RCV-16).
    InboundMsgHook = "InboundMsgHook" on Hook when ["HOOK-13", "RCV-11"] {
        /// The hook.
        hook: HookId,
        /// The store holding the message (its `lpMDB`).
        store: StoreId = "lpMDB",
        /// The message.
        message: MessageId = "message" (identifies),
    } shown "{hook}.InboundMsgHook({message}, {store})";
    /// `ISpoolerHook::InboundMsgHook` returned (HOOK-6, HOOK-13): what the hook did with the
    /// message, or its error.
    returns {
        /// `*lpulFlags` and the folder it moved the message to, or the hook's error.
        result: Result<HookOutcome, Hresult> = ("lpulFlags", "lppEntryID"),
    } shown "{hook}.InboundMsgHook({message})";

    /// `IXPLogon::OpenStatusEntry(NULL, 0)`: a client opened the transport's status row
    /// (STAT-10). The spooler asks for the default interface, read-only.
    OpenStatusEntry = "OpenStatusEntry" on Traffic when ["STAT-10"] {
        /// The transport.
        transport: TransportId,
    } shown "{transport}.OpenStatusEntry(NULL, 0)";
    /// `IXPLogon::OpenStatusEntry` returned (STAT-10).
    returns shown "{transport}.OpenStatusEntry";

    /// `IXPLogon::ValidateState(0, ulFlags)`: the spooler forwards its own `ValidateState`
    /// (STAT-11, AMB-26).
    ValidateState = "ValidateState" on Traffic when ["STAT-11", "AMB-26"] {
        /// The transport.
        transport: TransportId,
        /// The client's flags.
        flags: ValidateFlags = "ulFlags",
    } shown "{transport}.ValidateState(0, {flags})";
    /// `IXPLogon::ValidateState` returned (STAT-11): `S_OK`, `MAPI_E_BUSY`, `MAPI_E_NO_SUPPORT`
    /// or `MAPI_E_USER_CANCEL` (ERR-13).
    returns shown "{transport}.ValidateState";

    /// `IXPLogon::FlushQueues(0, 0, NULL, ulFlags)`: a flush of this transport begins (STAT-19,
    /// STAT-20, AMB-13).
    FlushQueues = "FlushQueues" on Traffic when ["STAT-19", "STAT-20", "ORD-12", "AMB-13"] {
        /// The transport.
        transport: TransportId,
        /// The directions, with `FLUSH_FORCE` and `FLUSH_NO_UI` as asked.
        flags: FlushFlags = "ulFlags",
    } shown "{transport}.FlushQueues(0, 0, NULL, {flags})";
    /// `IXPLogon::FlushQueues` returned (STAT-19).
    returns {
        /// The result (`S_OK` is the only documented one).
        result: Hresult,
    } shown "{transport}.FlushQueues";
}

lines! {
    /// A transport or store calling its support object (declared in the method table,
    /// `src/method/table.rs`).
    #[derive(Clone, Debug, PartialEq, Eq, Hash)]
    pub enum SupportCall: "support call" at "support", fn name {
        /// `IMAPISupport::ModifyStatusRow` (LIFE-9, STAT-3): flags 0 adds the logon's row,
        /// `STATUSROW_UPDATE` changes it. The row's `PR_STATUS_CODE` is the column this reference
        /// tracks.
        ModifyStatusRow = "ModifyStatusRow" if lacks ["PR_RESOURCE_METHODS", "PR_RESOURCE_FLAGS"] {
            /// The transport.
            transport: TransportId = "from",
            /// `ulFlags`.
            flags: StatusRowFlags = "ulFlags",
            /// `PR_STATUS_CODE` of the passed columns.
            status: StatusCode = "PR_STATUS_CODE",
        } shown "{transport} -> support.ModifyStatusRow({flags}, PR_STATUS_CODE={status})";

        /// `IMAPISupport::RegisterPreprocessor` (HOOK-1).
        RegisterPreprocessor = "RegisterPreprocessor" {
            /// The transport registering it.
            transport: TransportId = "from",
            /// Its `MAPIUID` and address-type arguments.
            filter: PreprocessorFilter = ("lpMuid", "lpszAdrType"),
        } shown (
            "{transport} -> support.RegisterPreprocessor(lpMuid={}, lpszAdrType={})",
            OrNull(filter.uid),
            OrNull(filter.addr_type),
        );

        /// `IMAPISupport::SpoolerNotify` from a transport or store. `message` is the entry
        /// identifier passed in `lpvData` with `NOTIFY_SENTDEFERRED` (DEF-2).
        SpoolerNotify = "SpoolerNotify" {
            /// Who calls.
            caller: Caller = "from",
            /// `ulFlags`.
            flags: SpoolerNotifyFlags = "ulFlags",
            /// The message named in `lpvData`, if any.
            message: Option<MessageId> = "lpvData",
        } shown ("{caller} -> support.SpoolerNotify({flags}{})", Labelled(", lpvData=", *message));

        /// `IMAPISupport::StatusRecips` during `SubmitMessage`: the transport asks MAPI for delivery
        /// or non-delivery reports on some of the offered recipients (SUB-30).
        StatusRecips = "StatusRecips" {
            /// The transport.
            transport: TransportId = "from",
            /// The message being submitted.
            message: MessageId = "message",
            /// One entry per recipient of the `ADRLIST`.
            reports: Vec<(RecipientIdx, ReportKind)> = "reports",
        } shown ("{transport} -> support.StatusRecips({message}, [{}])", Reports(reports));

        /// `IMAPISupport::SpoolerYield` during a long call (SUB-35).
        SpoolerYield = "SpoolerYield" {
            /// The transport.
            transport: TransportId = "from",
        } shown "{transport} -> support.SpoolerYield(0)";

        /// `IMAPISupport::ModifyStatusRow(STATUSROW_UPDATE)` with `PR_OWN_STORE_ENTRYID` set to a
        /// store's entry identifier and `STATUS_OWN_STORE` in `PR_RESOURCE_FLAGS`: the transport
        /// declares that it is tightly coupled with that store (TC-1). Kept apart from
        /// [`SupportCall::ModifyStatusRow`], whose modelled column is `PR_STATUS_CODE` (DEC-40).
        PublishOwnStore = "PublishOwnStore" {
            /// The transport.
            transport: TransportId = "from",
            /// The store whose entry identifier the row publishes.
            store: StoreId = "PR_OWN_STORE_ENTRYID",
        } shown "{transport} -> support.ModifyStatusRow(STATUSROW_UPDATE, PR_OWN_STORE_ENTRYID={store}, PR_RESOURCE_FLAGS=STATUS_OWN_STORE)";

        /// `IMAPISupport::CompleteMsg(0, entry ID)` from a tightly coupled store whose pair served
        /// every recipient: the spooler takes over the post-processing (TC-3, TC-5, HOOK-11). The
        /// row is what the spooler reads when it opens the message the call names (DEC-41).
        CompleteMsg = "CompleteMsg" (row: QueueRow = "from")
        shown ("{} -> support.CompleteMsg(0, {})", row.store, row.message);

        /// `IMAPISupport::StoreLogoffTransports` from a store being logged off (LIFE-20, AMB-27):
        /// one input flag in; the spooler answers with [`crate::Effect::LogoffAnswer`].
        StoreLogoffTransports = "StoreLogoffTransports" {
            /// The store.
            store: StoreId = "from",
            /// `*lpulFlags` on the way in.
            flags: LogoffFlags = "ulFlags",
        } shown "{store} -> support.StoreLogoffTransports({flags})";

        /// `IMAPISupport::ModifyStatusRow` passing, besides `PR_STATUS_CODE`, the columns that say
        /// what the row's status object supports (STAT-2, STAT-6, STAT-8). It is the same call as
        /// [`SupportCall::ModifyStatusRow`], which leaves those columns as they were.
        ModifyStatusRowColumns = "ModifyStatusRow" if has ["PR_RESOURCE_METHODS", "PR_RESOURCE_FLAGS"] {
            /// The transport.
            transport: TransportId = "from",
            /// `ulFlags`.
            flags: StatusRowFlags = "ulFlags",
            /// `PR_STATUS_CODE` of the passed columns.
            status: StatusCode = "PR_STATUS_CODE",
            /// The other columns passed.
            columns: StatusColumns = ("PR_RESOURCE_METHODS", "PR_RESOURCE_FLAGS"),
        } shown (
            "{transport} -> support.ModifyStatusRow({flags}, PR_STATUS_CODE={status}, PR_RESOURCE_METHODS={}, PR_RESOURCE_FLAGS={})",
            columns.methods,
            columns.resource_flags,
        );
    }
}
