//! Identifiers of the objects the spooler deals with.
//!
//! Every identifier is a newtype, so that a transport cannot be confused with a store or a
//! recipient row with a message. None of them has a sentinel value: where the documentation uses
//! "0" or "NULL" for "none", the API uses `Option`.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident($inner:ty), $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub $inner);

        impl $name {
            /// The raw number behind the identifier.
            #[must_use]
            pub const fn get(self) -> $inner {
                self.0
            }

            /// The identifier as an index into a table.
            #[must_use]
            pub const fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id_type!(
    /// A transport provider entry of the profile: one `XPProviderInit`, one provider object and
    /// (in this reference) at most one logon per session (AMB-2). The number is the entry's
    /// position in the profile as it was configured; the transport *order* (ORD-4) is separate.
    TransportId(u8),
    "T"
);

id_type!(
    /// A message service of the profile. A transport logon failure outside the documented
    /// provider-only codes disables every provider of its service (LIFE-6).
    ServiceId(u8),
    "svc"
);

id_type!(
    /// A mail-enabled message store the spooler logs on to with `SpoolerLogon` (LIFE-19).
    StoreId(u8),
    "S"
);

id_type!(
    /// A message, named by its entry identifier (`PR_ENTRYID`). The store assigns it when the
    /// message is created; it stays the same for the whole submission (SUB-2, DEF-2).
    MessageId(u32),
    "M"
);

id_type!(
    /// A row of a message's recipient table.
    RecipientIdx(u16),
    "r"
);

id_type!(
    /// A preprocessor registered with `IMAPISupport::RegisterPreprocessor` (HOOK-1), numbered in
    /// registration order, which is also the order the spooler calls them in (HOOK-3).
    PreprocessorId(u8),
    "P"
);

id_type!(
    /// An address type (`PR_ADDRTYPE`, for example `SMTP`), interned: two recipients or
    /// registrations match exactly when their strings are equal (ORD-2), which is when their
    /// interned numbers are equal. The driver owns the table from numbers to strings.
    AddrType(u16),
    "adr"
);

id_type!(
    /// A `MAPIUID`, interned like [`AddrType`]: the provider UID that a recipient's entry
    /// identifier carries, or that a transport registers in `AddressTypes` (ORD-3).
    MapiUid(u16),
    "uid"
);

id_type!(
    /// A folder of a message store (the Outbox, Sent Items, or any folder a client names in
    /// `PR_SENTMAIL_ENTRYID`).
    FolderId(u16),
    "F"
);

/// The opaque per-message reference a transport returns through `lpulMsgRef` (SUB-27). The
/// spooler sets it to 0 before `SubmitMessage` (SUB-23), so a transport that never writes it
/// leaves 0, which is a valid reference; it names nothing once `EndMessage` returns (SUB-34).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MsgRef(pub u64);

impl fmt::Display for MsgRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Logical time in seconds. The spooler has no clock: time only moves when the driver says so
/// with [`crate::Input::TimePassed`], and retry delays (ERR-4, ERR-5) are measured in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time(pub u64);

impl Time {
    /// The moment `seconds` after this one, saturating at the end of time.
    #[must_use]
    pub const fn after(self, seconds: u32) -> Time {
        Time(self.0.saturating_add(seconds as u64))
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t={}s", self.0)
    }
}

id_type!(
    /// A spooler hook of a hook provider that asked for inbound mail (`MAPI_HOOK_PROVIDER` row
    /// with `HOOK_INBOUND`, HOOK-6), numbered in profile order, which is the order the spooler
    /// calls their `InboundMsgHook` in (HOOK-13).
    HookId(u8),
    "H"
);
