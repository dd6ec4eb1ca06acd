//! `HRESULT` values: the documented MAPI result codes, by name.
//!
//! Values come from the public MAPI SDK headers (`MAPICode.h`); the digest's appendix A lists
//! them. `MAKE_MAPI_E(x)` is `0x80040000 | x` and `MAKE_MAPI_S(x)` is `0x00040000 | x`.

use std::fmt;

/// A COM result code. The high bit set means failure; everything else is success (a warning
/// such as `MAPI_W_ERRORS_RETURNED` is a success, ERR-16).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hresult(pub u32);

macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $value:expr;)*) => {
        impl Hresult {
            $($(#[$doc])* pub const $name: Hresult = Hresult($value);)*

            /// Every code this crate names, with its name.
            pub const KNOWN: &'static [(Hresult, &'static str)] = &[$((Hresult($value), stringify!($name)),)*];
        }
    };
}

codes! {
    /// Success.
    S_OK = 0x0000_0000;
    /// Success with a "no" (COM); not a documented result of any method the spooler calls, but
    /// MRXP's `StartMessage` returns it when it has nothing to deliver (RCV-6).
    S_FALSE = 0x0000_0001;
    /// `StatusRecips` or a table call succeeded for some entries only (counts as success, ERR-16).
    MAPI_W_ERRORS_RETURNED = 0x0004_0380;
    /// `SpoolerYield` asks the transport to stop the message in progress (DEF-8).
    MAPI_W_CANCEL_MESSAGE = 0x0004_0580;
    /// `E_FAIL`: an unspecified failure.
    MAPI_E_CALL_FAILED = 0x8000_4005;
    /// `E_OUTOFMEMORY`.
    MAPI_E_NOT_ENOUGH_MEMORY = 0x8007_000E;
    /// `E_INVALIDARG`.
    MAPI_E_INVALID_PARAMETER = 0x8007_0057;
    /// `E_ACCESSDENIED`: for example opening a message the spooler has locked (SUB-15).
    MAPI_E_NO_ACCESS = 0x8007_0005;
    /// The method is not supported by this object (HOOK-7, STAT-6).
    MAPI_E_NO_SUPPORT = 0x8004_0102;
    /// A flag the method does not know was passed.
    MAPI_E_UNKNOWN_FLAGS = 0x8004_0106;
    /// The object was invalidated, for example a logon after `TransportLogoff` (ERR-17).
    MAPI_E_INVALID_OBJECT = 0x8004_0108;
    /// The object was deleted; on an inbound message, a hook deleted it (RCV-11).
    MAPI_E_OBJECT_DELETED = 0x8004_010A;
    /// The transport is busy with another operation and did nothing (ERR-2).
    MAPI_E_BUSY = 0x8004_010B;
    /// The named object does not exist.
    MAPI_E_NOT_FOUND = 0x8004_010F;
    /// The SPI versions of MAPI and the provider do not overlap (VER-3, VER-4).
    MAPI_E_VERSION = 0x8004_0110;
    /// A logon failed.
    MAPI_E_LOGON_FAILED = 0x8004_0111;
    /// The user cancelled (LIFE-6, SUB-35).
    MAPI_E_USER_CANCEL = 0x8004_0113;
    /// `AbortSubmit` on a message the spooler has locked (DEF-6).
    MAPI_E_UNABLE_TO_ABORT = 0x8004_0114;
    /// A network failure; `lpulReturnParm` holds the retry delay (ERR-5).
    MAPI_E_NETWORK_ERROR = 0x8004_0115;
    /// The message's data is damaged (SUB-3).
    MAPI_E_CORRUPT_DATA = 0x8004_011B;
    /// The provider needs configuration; MAPI configures the service and retries (LIFE-6).
    MAPI_E_UNCONFIGURED = 0x8004_011C;
    /// This provider fails, but its message service stays enabled (LIFE-6).
    MAPI_E_FAILONEPROVIDER = 0x8004_011D;
    /// The code page is not supported (LIFE-6).
    MAPI_E_UNKNOWN_CPID = 0x8004_011E;
    /// The locale is not supported (LIFE-6).
    MAPI_E_UNKNOWN_LCID = 0x8004_011F;
    /// An operation timed out.
    MAPI_E_TIMEOUT = 0x8004_0401;
    /// A temporary problem; `lpulReturnParm` holds the retry delay (ERR-4).
    MAPI_E_WAIT = 0x8004_0500;
    /// A deferred message must not be resent after all (ERR-6).
    MAPI_E_CANCEL = 0x8004_0501;
    /// The transport cannot handle this message and did nothing (ERR-3).
    MAPI_E_NOT_ME = 0x8004_0502;
    /// `AbortSubmit` on a message that is no longer queued (DEF-6).
    MAPI_E_NOT_IN_QUEUE = 0x8004_0601;
    /// `IMessage::SubmitMessage` on a message without recipients (SUB-1).
    MAPI_E_NO_RECIPIENTS = 0x8004_0607;
    /// Opening a queued message for writing (SUB-15).
    MAPI_E_SUBMITTED = 0x8004_0608;
}

impl Hresult {
    /// True for failure codes (the severity bit is set).
    #[must_use]
    pub const fn is_failure(self) -> bool {
        self.0 & 0x8000_0000 != 0
    }

    /// True for `S_OK` and every warning.
    #[must_use]
    pub const fn is_success(self) -> bool {
        !self.is_failure()
    }

    /// The documented name of this code, if this crate knows it.
    #[must_use]
    pub fn name(self) -> Option<&'static str> {
        Self::KNOWN.iter().find(|(code, _)| *code == self).map(|(_, name)| *name)
    }

    /// Looks a code up by its documented name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Hresult> {
        Self::KNOWN.iter().find(|(_, n)| *n == name).map(|(code, _)| *code)
    }
}

impl fmt::Display for Hresult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "0x{:08X}", self.0),
        }
    }
}
