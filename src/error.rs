//! Why an input was refused, split by who is at fault, and the one mapping to MAPI codes.
//!
//! A refused input leaves the spooler exactly as it was. There are four kinds of refusal:
//!
//! * [`CallerError`]: the driver of this state machine misused the API (an input in the wrong
//!   phase, a return for a call that is not in flight, an identifier the profile does not have).
//! * [`ProviderFault`]: a transport provider broke the documented contract.
//! * [`StoreFault`]: a message store broke the documented contract.

use crate::flags::{EndFlags, LogoffFlags, NotifyFlags, SpoolerNotifyFlags};
use crate::hresult::Hresult;
use crate::ids::{MessageId, RecipientIdx, StoreId, TransportId};
use crate::version::SpiVersion;

/// Why [`crate::Spooler::step`] refused an input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The driver misused the API.
    #[error(transparent)]
    Caller(#[from] CallerError),
    /// A transport broke the documented contract.
    #[error("transport {transport} broke the contract: {fault}")]
    Provider {
        /// The transport at fault.
        transport: TransportId,
        /// What it did.
        fault: ProviderFault,
    },
    /// A store broke the documented contract.
    #[error("store {store} broke the contract: {fault}")]
    Store {
        /// The store at fault.
        store: StoreId,
        /// What it did.
        fault: StoreFault,
    },
}

/// The driver misused the API: the input is impossible in the current state, whoever sent it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallerError {
    /// Only `Start` is accepted before the spooler has started.
    #[error("the spooler has not started: expected SessionRequest::Start, got {got}")]
    NotStarted {
        /// The input that came.
        got: &'static str,
    },
    /// `Start` came twice.
    #[error("the spooler has already started")]
    AlreadyStarted,
    /// The spooler has shut down; nothing is accepted any more.
    #[error("the spooler has shut down: no input is accepted, got {got}")]
    Stopped {
        /// The input that came.
        got: &'static str,
    },
    /// The session asked for something that shutdown has made impossible.
    #[error("the spooler is shutting down: {got} is no longer possible")]
    ShuttingDown {
        /// The request that came.
        got: &'static str,
    },
    /// A return came, but no call is in flight.
    #[error("no call is in flight, but a return from {got} came")]
    NoCallInFlight {
        /// The method of the return.
        got: &'static str,
    },
    /// A return came that does not answer the call in flight.
    #[error("the call in flight is {expected}, but a return from {got} came")]
    WrongReturn {
        /// The call in flight.
        expected: String,
        /// The return that came.
        got: String,
    },
    /// The profile has no such transport.
    #[error("the profile has no transport {0}")]
    UnknownTransport(TransportId),
    /// The profile has no such store.
    #[error("the profile has no mail-enabled store {0}")]
    UnknownStore(StoreId),
    /// The transport has no active logon to enable or disable.
    #[error("transport {0} is not logged on, so its traffic cannot be enabled or disabled")]
    NotLoggedOn(TransportId),
    /// An enable or disable request named no direction.
    #[error("an enable or disable request must name at least one direction")]
    NoDirection,
    /// The profile cannot be used.
    #[error("invalid profile: {0}")]
    Profile(&'static str),
    /// `MsgServiceTransportOrder` with a list whose length is not the number of transport
    /// entries of the profile (ORD-7, ERR-15: `MAPI_E_BUSY`, AMB-28).
    #[error("MsgServiceTransportOrder needs all {expected} transports of the profile, but {got} were listed")]
    TransportOrderCount {
        /// The number of transport entries.
        expected: usize,
        /// The number listed.
        got: usize,
    },
    /// `MsgServiceTransportOrder` with a list that is not the profile's transports (ORD-7,
    /// ERR-15: `MAPI_E_NOT_FOUND`): one is not a transport of the profile, or one comes twice
    /// (DEC-26), so another is missing.
    #[error("MsgServiceTransportOrder must list each transport of the profile once: {0} {1}")]
    TransportOrderList(TransportId, &'static str),
    /// The user cancelled a message the spooler does not know in that store (DEF-5).
    #[error("cannot cancel {message}: the spooler knows no such message in {store}")]
    CancelUnknown {
        /// The store named.
        store: StoreId,
        /// The message named.
        message: MessageId,
    },
    /// The user cancelled a message the spooler has not locked: a queued message is cancelled
    /// with `IMsgStore::AbortSubmit` on its store (DEF-5, DEF-6).
    #[error("cannot cancel {0} through the spooler: it has not locked it; expected IMsgStore::AbortSubmit for a queued message")]
    CancelNotLocked(MessageId),
    /// The same transfer was cancelled twice (DEF-7).
    #[error("{0} is already cancelled")]
    AlreadyCancelled(String),
    /// An inbound cancel while no `StartMessage` is in flight on that transport (RCV-13).
    #[error("cannot cancel the inbound transfer of {0}: no StartMessage is in flight on it")]
    NoInboundTransfer(TransportId),
    /// A status call before the transports are set up: the client's `GetStatusTable` would
    /// still be blocked, so it cannot have reached a status object (LIFE-21).
    #[error("{got} before the status table is available (GetStatusTable blocks until the transports are set up)")]
    StatusTableNotReady {
        /// The status call that came.
        got: &'static str,
    },
    /// A store's `SpoolerNotify(NOTIFY_READYTOSEND)` before the transports are set up: the call
    /// waits until they are logged on and their address types registered, so it cannot have
    /// been answered yet (SUB-6).
    #[error(
        "SpoolerNotify(NOTIFY_READYTOSEND) from {0} before the transports are set up (the call waits until they are logged on and registered)"
    )]
    ReadyToSendBeforeSetUp(StoreId),
    /// A second open of a transport's status row while the first waits for `OpenStatusEntry`
    /// (STAT-10).
    #[error("the status row of {0} is already being opened")]
    StatusEntryOpening(TransportId),
    /// An open of a transport's status row that is not in the status table (STAT-1, STAT-10).
    #[error("{0} has no row in the status table")]
    NotInStatusTable(TransportId),
}

/// What a transport did against the documented contract.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProviderFault {
    /// A support method was called by a transport that has no logon (before `TransportLogon`,
    /// or after `TransportLogoff`): the support object is invalid (ERR-17).
    #[error("{call} was called without a live logon; the support object is invalid")]
    NoLogon {
        /// The support method.
        call: &'static str,
    },
    /// `ModifyStatusRow` with flags 0 when the logon already has its row (INV-4).
    #[error("ModifyStatusRow(0) would add a second status row; use STATUSROW_UPDATE to change the existing one")]
    StatusRowExists,
    /// `ModifyStatusRow(STATUSROW_UPDATE)` before the row was created (INV-4).
    #[error("ModifyStatusRow(STATUSROW_UPDATE) before the row exists; create it with ModifyStatusRow(0) first")]
    NoStatusRow,
    /// `TransportNotify` returned from a BEGIN before the transport created its status row
    /// (LIFE-9, AMB-31).
    #[error(
        "TransportNotify({flags}) returned, but the transport has not created its status row (expected ModifyStatusRow(0) before the first BEGIN returns)"
    )]
    NoStatusRowAtBegin {
        /// The flags of the call.
        flags: NotifyFlags,
    },
    /// `TransportNotify` changed the flag word (LIFE-13).
    #[error("TransportNotify must return the flags unchanged: sent {sent}, got back {returned}")]
    NotifyFlagsChanged {
        /// What the spooler passed.
        sent: NotifyFlags,
        /// What came back.
        returned: NotifyFlags,
    },
    /// A method returned a code its documentation does not list.
    #[error("{method} returned {result}; its documentation lists {documented}")]
    UndocumentedResult {
        /// The method.
        method: &'static str,
        /// What it returned.
        result: Hresult,
        /// What the documentation allows.
        documented: &'static str,
    },
    /// `XPProviderInit` succeeded with a version newer than MAPI's; the provider should have
    /// failed with `MAPI_E_VERSION` itself (VER-3).
    #[error("XPProviderInit returned provider version {provider}, newer than MAPI's {mapi}; expected MAPI_E_VERSION")]
    VersionTooNew {
        /// The provider's version.
        provider: SpiVersion,
        /// MAPI's version.
        mapi: SpiVersion,
    },
    /// The transport changed the responsibility of a recipient it was not offered (SUB-28,
    /// INV-21).
    #[error(
        "{message} recipient {recipient} was not offered to this transport (its PR_RESPONSIBILITY read TRUE), but the transport took it"
    )]
    NotOffered {
        /// The message.
        message: MessageId,
        /// The recipient.
        recipient: RecipientIdx,
    },
    /// `MAPI_E_BUSY` or `MAPI_E_NOT_ME` mean that nothing was processed, yet the transport saved
    /// or reported recipients (ERR-2, ERR-3).
    #[error("SubmitMessage returned {result}, which means no processing occurred, but the transport saved or reported recipients")]
    ProcessedAnyway {
        /// The result.
        result: Hresult,
    },
    /// `SubmitMessage` succeeded after the transport raised `NOTIFY_CRITICAL_ERROR`; it must
    /// return an error at once (ERR-7).
    #[error("SubmitMessage returned S_OK after NOTIFY_CRITICAL_ERROR; expected an error")]
    SuccessAfterCriticalError,
    /// `MAPI_E_CANCEL` answers only a `BEGIN_DEFERRED` submission (ERR-6).
    #[error("SubmitMessage returned MAPI_E_CANCEL for a message that was not deferred (expected only after BEGIN_DEFERRED)")]
    CancelWithoutDeferral,
    /// `MAPI_E_USER_CANCEL` answers only a submission the user cancelled, after
    /// `NOTIFY_CANCEL_MESSAGE` or a `SpoolerYield` that returned `MAPI_W_CANCEL_MESSAGE` (DEF-8,
    /// ERR-12).
    #[error(
        "SubmitMessage returned MAPI_E_USER_CANCEL, but the user did not cancel the message (expected only after NOTIFY_CANCEL_MESSAGE or MAPI_W_CANCEL_MESSAGE)"
    )]
    UserCancelWithoutCancel,
    /// `EndMessage` set more than one flag (SUB-34).
    #[error("EndMessage returned {0}: at most one of END_RESEND_NOW, END_RESEND_LATER, END_DONT_RESEND may be set")]
    ConflictingEndFlags(EndFlags),
    /// `StatusRecips` outside `SubmitMessage` of that message to that transport (SUB-30).
    #[error("StatusRecips for {message} outside SubmitMessage of that message to this transport")]
    StatusRecipsOutsideSubmit {
        /// The message named.
        message: MessageId,
    },
    /// `StatusRecips` reported a recipient twice (SUB-30, INV-24).
    #[error("StatusRecips reported {message} recipient {recipient} twice; each recipient is reported once")]
    DuplicateReport {
        /// The message.
        message: MessageId,
        /// The recipient.
        recipient: RecipientIdx,
    },
    /// A recipient was reported, but the transport did not take it (SUB-28, SUB-30).
    #[error("{message} recipient {recipient} was reported with StatusRecips but its PR_RESPONSIBILITY was not set TRUE and kept")]
    ReportedNotTaken {
        /// The message.
        message: MessageId,
        /// The recipient.
        recipient: RecipientIdx,
    },
    /// A recipient index beyond the recipient table.
    #[error("{message} has no recipient {recipient}")]
    NoSuchRecipient {
        /// The message.
        message: MessageId,
        /// The recipient.
        recipient: RecipientIdx,
    },
    /// A transport used a `SpoolerNotify` flag reserved to stores (TC-12).
    #[error("SpoolerNotify({0}) is reserved to message stores")]
    StoreOnlyFlag(SpoolerNotifyFlags),
    /// `NOTIFY_SENTDEFERRED` and `NOTIFY_CRITICAL_ERROR` both use `lpvData` (DEF-2).
    #[error("SpoolerNotify cannot combine NOTIFY_SENTDEFERRED and NOTIFY_CRITICAL_ERROR")]
    ConflictingNotifyData,
    /// `NOTIFY_SENTDEFERRED` for a message this transport does not hold deferred (DEF-2).
    #[error(
        "NOTIFY_SENTDEFERRED for {message:?}, which this transport does not hold deferred (expected a message it answered END_DONT_RESEND for)"
    )]
    NotDeferred {
        /// The message named, if any.
        message: Option<MessageId>,
    },
    /// `NOTIFY_CRITSEC` while a critical section is open, or `NOTIFY_NONCRIT` while none is
    /// (STAT-13).
    #[error("{flag} but the transport {state}")]
    CriticalSection {
        /// The flag.
        flag: &'static str,
        /// Its state.
        state: &'static str,
    },
    /// `SpoolerYield` outside a call to this transport (SUB-35).
    #[error("SpoolerYield outside a spooler call to this transport")]
    YieldOutsideCall,
    /// More preprocessors than this reference tracks.
    #[error("more than {0} preprocessors registered")]
    TooManyPreprocessors(usize),
    /// `IXPLogon::ValidateState` answered something other than `MAPI_E_BUSY` inside a
    /// critical section (STAT-13).
    #[error("ValidateState returned {result} inside a critical section, where it must return MAPI_E_BUSY")]
    ValidateInCriticalSection {
        /// What it returned.
        result: Hresult,
    },
}

/// What a store did against the documented contract.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreFault {
    /// A queued message has no recipient; `IMessage::SubmitMessage` should have failed with
    /// `MAPI_E_NO_RECIPIENTS` (SUB-1).
    #[error("{0} was queued without recipients (expected MAPI_E_NO_RECIPIENTS at submission)")]
    NoRecipients(MessageId),
    /// More recipients than a recipient index can name.
    #[error("{0} has more than 65536 recipients")]
    TooManyRecipients(MessageId),
    /// A message was queued twice.
    #[error("{0} is already in the outgoing queue")]
    DuplicateRow(MessageId),
    /// `SUBMITFLAG_PREPROCESS` without `PR_PREPROCESS` (SUB-12, HOOK-5).
    #[error("{0} has SUBMITFLAG_PREPROCESS but PR_PREPROCESS is not set")]
    PreprocessFlagWithoutProperty(MessageId),
    /// A queued row was announced with `SUBMITFLAG_LOCKED`, which only `SetLockState` sets and
    /// only the spooler calls (SUB-20, AMB-5).
    #[error("{0} was announced already locked, but only the spooler locks messages")]
    AnnouncedLocked(MessageId),
    /// The store removed a message the spooler holds locked (SUB-20, DEF-6).
    #[error("{0} left the outgoing queue while the spooler held it locked")]
    RemovedWhileLocked(MessageId),
    /// A queue notification before the spooler opened the queue (SUB-16).
    #[error("outgoing-queue notification before GetOutgoingQueue")]
    QueueNotOpen,
    /// A row names another store than the one whose queue it is in.
    #[error("a row of this store's queue names {0}")]
    ForeignRow(StoreId),
    /// A method returned a code its documentation does not list.
    #[error("{method} returned {result}; its documentation lists {documented}")]
    UndocumentedResult {
        /// The method.
        method: &'static str,
        /// What it returned.
        result: Hresult,
        /// What the documentation allows.
        documented: &'static str,
    },
    /// A store used a `SpoolerNotify` flag reserved to transports (TC-12).
    #[error("SpoolerNotify({0}) is reserved to transports; stores may use NOTIFY_READYTOSEND and NOTIFY_NEWMAIL_RECEIVED")]
    TransportOnlyFlag(SpoolerNotifyFlags),
    /// A store the spooler does not serve (not logged on, or logged off) used a support call
    /// that needs the spooler's service (LIFE-19, LIFE-20).
    #[error("the spooler does not serve this store (not logged on, or logged off)")]
    NotServed,
    /// `CompleteMsg` or `NOTIFY_NEWMAIL_RECEIVED` from a store that no logged-on transport
    /// publishes as its own store (TC-1, TC-5, RCV-16).
    #[error("no logged-on transport publishes this store in PR_OWN_STORE_ENTRYID: it is not tightly coupled")]
    NotCoupled,
    /// `CompleteMsg` for a message with a recipient the pair did not serve (TC-5, INV-34).
    #[error("CompleteMsg for {message}, whose recipient {recipient} still has PR_RESPONSIBILITY FALSE")]
    CompleteMsgOpenRecipient {
        /// The message.
        message: MessageId,
        /// The first recipient left open.
        recipient: RecipientIdx,
    },
    /// `CompleteMsg` for a message the spooler already holds: queued, locked, or completed
    /// once (TC-3, TC-6, INV-35).
    #[error("CompleteMsg for {0}, which the spooler already holds (queued, locked or completed)")]
    CompleteMsgUnexpected(MessageId),
    /// `CompleteMsg` for a message that needs preprocessing the spooler has not run (SUB-12,
    /// TC-3).
    #[error("CompleteMsg for {0}, which needs preprocessing the spooler has not run")]
    CompleteMsgUnpreprocessed(MessageId),
    /// `NOTIFY_NEWMAIL_RECEIVED` without the new message in `lpvData` (RCV-16).
    #[error("SpoolerNotify(NOTIFY_NEWMAIL_RECEIVED) without the new message in lpvData")]
    NewMailWithoutMessage,
    /// `NOTIFY_NEWMAIL_RECEIVED` for a message already announced and not yet handled (RCV-16).
    #[error("{0} was announced with NOTIFY_NEWMAIL_RECEIVED already")]
    DuplicateArrival(MessageId),
    /// `StoreLogoffTransports` takes exactly one of the five input flags (LIFE-20).
    #[error("StoreLogoffTransports({0}): exactly one of LOGOFF_ABORT, LOGOFF_NO_WAIT, LOGOFF_ORDERLY, LOGOFF_PURGE, LOGOFF_QUIET")]
    LogoffFlags(LogoffFlags),
}

impl Error {
    pub(crate) fn provider(transport: TransportId, fault: ProviderFault) -> Error {
        Error::Provider { transport, fault }
    }

    pub(crate) fn store(store: StoreId, fault: StoreFault) -> Error {
        Error::Store { store, fault }
    }

    /// The `HRESULT` that MAPI documents for this situation: what a support method returns to a
    /// provider that called it wrongly, and the closest documented code for the other refusals.
    #[must_use]
    pub fn hresult(&self) -> Hresult {
        Hresult::from(self)
    }
}

impl From<&Error> for Hresult {
    fn from(error: &Error) -> Hresult {
        match error {
            Error::Caller(CallerError::UnknownTransport(_) | CallerError::UnknownStore(_) | CallerError::TransportOrderList(..)) => {
                Hresult::MAPI_E_NOT_FOUND
            }
            Error::Caller(CallerError::TransportOrderCount { .. }) => Hresult::MAPI_E_BUSY,
            // DEF-6: what AbortSubmit answers for a message gone from the queue, or locked.
            Error::Caller(CallerError::CancelUnknown { .. }) => Hresult::MAPI_E_NOT_IN_QUEUE,
            Error::Caller(CallerError::CancelNotLocked(_)) => Hresult::MAPI_E_UNABLE_TO_ABORT,
            Error::Caller(CallerError::NoDirection | CallerError::Profile(_)) => Hresult::MAPI_E_INVALID_PARAMETER,
            Error::Caller(_) => Hresult::MAPI_E_CALL_FAILED,
            Error::Provider { fault, .. } => match fault {
                ProviderFault::NoLogon { .. } => Hresult::MAPI_E_INVALID_OBJECT,
                ProviderFault::VersionTooNew { .. } => Hresult::MAPI_E_VERSION,
                ProviderFault::StoreOnlyFlag(_) | ProviderFault::ConflictingEndFlags(_) => Hresult::MAPI_E_UNKNOWN_FLAGS,
                ProviderFault::NoSuchRecipient { .. }
                | ProviderFault::ConflictingNotifyData
                | ProviderFault::NotDeferred { .. }
                | ProviderFault::StatusRecipsOutsideSubmit { .. }
                | ProviderFault::DuplicateReport { .. }
                | ProviderFault::NotOffered { .. } => Hresult::MAPI_E_INVALID_PARAMETER,
                ProviderFault::UndocumentedResult { result, .. } => *result,
                _ => Hresult::MAPI_E_CALL_FAILED,
            },
            Error::Store { fault, .. } => match fault {
                StoreFault::NoRecipients(_) => Hresult::MAPI_E_NO_RECIPIENTS,
                StoreFault::TransportOnlyFlag(_) => Hresult::MAPI_E_UNKNOWN_FLAGS,
                StoreFault::UndocumentedResult { result, .. } => *result,
                StoreFault::NotCoupled => Hresult::MAPI_E_NO_SUPPORT,
                StoreFault::LogoffFlags(_) => Hresult::MAPI_E_UNKNOWN_FLAGS,
                _ => Hresult::MAPI_E_CALL_FAILED,
            },
        }
    }
}
