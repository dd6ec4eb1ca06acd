//! The spooler's safety properties, by their catalogue IDs (section 11 of the digest).

use std::fmt;

macro_rules! properties {
    ($($(#[$doc:meta])* $name:ident = $id:literal, $summary:literal;)*) => {
        /// A safety property of the spooler, checked by the [`crate::Monitor`] on every step.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Property {
            $($(#[$doc])* $name,)*
        }

        impl Property {
            /// Every property the monitor checks.
            pub const ALL: &'static [Property] = &[$(Property::$name,)*];

            /// The catalogue ID.
            #[must_use]
            pub const fn id(self) -> &'static str {
                match self {
                    $(Property::$name => $id,)*
                }
            }

            /// What the property says, in one line.
            #[must_use]
            pub const fn summary(self) -> &'static str {
                match self {
                    $(Property::$name => $summary,)*
                }
            }
        }
    };
}

properties! {
    /// INV-1.
    CallOrder = "INV-1", "per logon: XPProviderInit, TransportLogon, AddressTypes, TransportNotify(BEGIN), traffic, TransportLogoff, Shutdown";
    /// INV-2.
    NothingAfterLogoff = "INV-2", "no IXPLogon method after TransportLogoff";
    /// INV-3.
    ShutdownGating = "INV-3", "Shutdown only without a live logon, at most once, and no logon after it";
    /// INV-5.
    CriticalIsTerminal = "INV-5", "after NOTIFY_CRITICAL_ERROR only TransportLogoff and Shutdown";
    /// INV-6.
    FailedService = "INV-6", "no logon for a provider of a service disabled by a failed logon";
    /// INV-7.
    VersionGate = "INV-7", "no TransportLogon on a provider whose version did not agree";
    /// INV-8.
    OutboundGate = "INV-8", "SubmitMessage only while outbound is enabled";
    /// INV-9.
    InboundGate = "INV-9", "Poll and StartMessage only while inbound is enabled";
    /// INV-10.
    CapabilityGate = "INV-10", "Idle only for a logon that returned LOGON_SP_IDLE, Poll only for one that returned LOGON_SP_POLL";
    /// INV-11.
    CriticalSectionGate = "INV-11", "no Idle or Poll inside a critical section";
    /// INV-13.
    WellFormedNotify = "INV-13", "no TransportNotify with BEGIN and END of one direction";
    /// INV-14.
    LockBeforeHandOff = "INV-14", "SubmitMessage only for a message the spooler holds locked";
    /// INV-15.
    AbortVersusLock = "INV-15", "an aborted message is never locked, handed over or finished";
    /// INV-17.
    EndMessagePairing = "INV-17", "EndMessage exactly once after each S_OK SubmitMessage, with its reference, and never otherwise";
    /// INV-18.
    OneMessagePerTransport = "INV-18", "between an S_OK SubmitMessage and its EndMessage, no other call to that transport";
    /// INV-19.
    RefReuse = "INV-19", "a logon is handed a new message (SubmitMessage, StartMessage) only once the reference of the last one is reusable: its EndMessage, its failed SubmitMessage or its StartMessage returned";
    /// INV-20.
    TakenNeverOffered = "INV-20", "a recipient whose PR_RESPONSIBILITY is TRUE (taken, saved, or read TRUE) is never offered again";
    /// INV-22.
    ScanOrder = "INV-22", "a recipient goes to the first transport of the scan that serves and has not declined it";
    /// INV-23.
    OneDisposition = "INV-23", "every recipient is saved with exactly one disposition, and all are settled at FinishedMsg";
    /// INV-24.
    OneReport = "INV-24", "at most one report per recipient";
    /// INV-25.
    FinishedOnlyWhenDone = "INV-25", "FinishedMsg only after every exchange ended and the preprocessing was cleaned up";
    /// INV-26.
    FinishedDiscipline = "INV-26", "FinishedMsg only on a locked message, once";
    /// INV-27.
    PreprocessFirst = "INV-27", "no SubmitMessage before preprocessing ended, and preprocessors in registration order";
    /// INV-28.
    TransportFifo = "INV-28", "first-choice offers reach each transport in queue order";
    /// INV-29.
    RetryDelay = "INV-29", "no SubmitMessage to a transport before its MAPI_E_WAIT or MAPI_E_NETWORK_ERROR delay ended";
    /// INV-30.
    DeferralProtocol = "INV-30", "BEGIN_DEFERRED only after END_DONT_RESEND and NOTIFY_SENTDEFERRED";
    /// INV-36.
    CommitBeforeNotify = "INV-36", "NotifyNewMail once for each inbound message saved and seen by every inbound hook, and for no other";
    /// INV-37.
    CancelledInboundDiscarded = "INV-37", "an inbound message whose StartMessage was cancelled and saved nothing is released unsaved at once";
    /// INV-39.
    CancelledNeverOffered = "INV-39", "after the user cancels a message, none of its recipients is offered again, and the spooler's AbortSubmit comes only for a cancelled message it unlocked";
    /// INV-40.
    CancelTarget = "INV-40", "NOTIFY_CANCEL_MESSAGE goes only to the transport whose SubmitMessage, EndMessage or StartMessage for that message is in flight";
    /// INV-34.
    CompletedByPair = "INV-34", "after CompleteMsg the spooler offers none of the message's recipients: post-processing only";
    /// INV-35.
    CompletedNotQueued = "INV-35", "a message the tightly coupled pair completed never comes back through the outgoing queue";
    /// AMB-20.
    OneCallAtATime = "AMB-20", "at most one synchronous call in flight";
    /// INV-12.
    RowMirrorsEnabled = "INV-12", "when a TransportNotify BEGIN or END returns, the row's ENABLED bits equal the enabled directions";
    /// STAT-20 (with ORD-12).
    FlushProtocol = "STAT-20", "one flush at a time; per transport FlushQueues, then the outbound half, then the inbound half";
    /// DEC-27 (with DEC-28).
    CancelWithdraws = "DEC-27", "after the user cancels a message, a recipient is saved as taken by a transport only when that transport took it (S_OK with EndMessage, or a report); the others are withdrawn";
    /// ORD-9 (with STAT-11, STAT-12).
    Requery = "ORD-9", "after ValidateState(CONFIG_CHANGED) reaches a transport, whatever it answers, or the transport calls SpoolerNotify(NOTIFY_CONFIG_CHANGE), no SubmitMessage to it before AddressTypes returned again";
    /// INV-4.
    StatusRowLifetime = "INV-4", "a transport's status row is created once, during or after its logon, updated only once it exists, and changed only while the logon lives";
    /// INV-21.
    OwnRecipientsOnly = "INV-21", "a transport changes responsibility (takes, saves or reports) only for recipients the SubmitMessage in flight offered it";
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.id(), self.summary())
    }
}

/// The spooler broke a property.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{property} is broken: {detail}")]
pub struct Violation {
    /// The property.
    pub property: Property,
    /// What happened.
    pub detail: String,
}
