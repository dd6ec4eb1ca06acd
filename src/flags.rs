//! The documented flag words, one type per parameter, with their documented names.
//!
//! Values come from the public MAPI SDK headers (`MAPISPI.h`, `MAPIDefS.h`), listed in the
//! digest's appendix A. Each type decodes strictly ([`from_bits`](NotifyFlags::from_bits) refuses
//! bits the parameter does not define, with an error that names them) and prints as the
//! documented names joined by `|`.

use std::fmt;
use std::ops::{BitAnd, BitOr};

/// A flag word held bits that its parameter does not define.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{parameter} has undefined bits 0x{bits:08X}")]
pub struct UnknownFlags {
    /// The flag type that was being decoded.
    pub parameter: &'static str,
    /// The bits that no documented flag of that parameter covers.
    pub bits: u32,
}

/// A name in a textual flag list was not one of the parameter's documented flags.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{parameter} has no flag named {name:?}")]
pub struct UnknownFlagName {
    /// The flag type that was being parsed.
    pub parameter: &'static str,
    /// The name that was not recognised.
    pub name: String,
}

macro_rules! flag_set {
    (
        $(#[$doc:meta])*
        $name:ident [$($rule:literal),+] {
            $($(#[$fdoc:meta])* $flag:ident = $value:expr,)*
        }
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name(u32);

        #[allow(missing_docs)]
        impl $name {
            $($(#[$fdoc])* pub const $flag: $name = $name($value);)*
        }

        impl $name {
            /// No flag set (the value 0).
            pub const EMPTY: $name = $name(0);
            /// Every documented flag of this parameter.
            pub const ALL: $name = $name(0 $(| $value)*);
            /// The documented flags with their names, in documentation order.
            pub const NAMES: &'static [($name, &'static str)] = &[$(($name($value), stringify!($flag)),)*];
            /// The requirements that list the parameter's flags: a word with other bits breaks
            /// them.
            pub const RULES: &'static [&'static str] = &[$($rule),+];

            /// The raw bits.
            #[must_use]
            pub const fn bits(self) -> u32 {
                self.0
            }

            /// Decodes a raw value, refusing bits the parameter does not define.
            ///
            /// # Errors
            /// [`UnknownFlags`] naming the undefined bits.
            pub const fn from_bits(bits: u32) -> Result<Self, UnknownFlags> {
                if bits & !Self::ALL.0 == 0 {
                    Ok($name(bits))
                } else {
                    Err(UnknownFlags { parameter: stringify!($name), bits: bits & !Self::ALL.0 })
                }
            }

            /// True when every flag of `other` is set in `self`.
            #[must_use]
            pub const fn contains(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }

            /// True when `self` and `other` share a flag.
            #[must_use]
            pub const fn intersects(self, other: $name) -> bool {
                self.0 & other.0 != 0
            }

            /// The flags of `self` that are not in `other`.
            #[must_use]
            pub const fn without(self, other: $name) -> $name {
                $name(self.0 & !other.0)
            }

            /// True when no flag is set.
            #[must_use]
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }

            /// Parses names joined by `|` (`0` or an empty string for no flag). Hexadecimal
            /// `0x…` values are accepted too, strictly decoded.
            ///
            /// # Errors
            /// [`UnknownFlagName`] for a name or value the parameter does not define.
            pub fn parse(text: &str) -> Result<Self, UnknownFlagName> {
                let mut bits = 0;
                for part in text.split('|').map(str::trim).filter(|p| !p.is_empty() && *p != "0") {
                    let unknown = || UnknownFlagName { parameter: stringify!($name), name: part.to_owned() };
                    if let Some(hex) = part.strip_prefix("0x") {
                        let value = u32::from_str_radix(hex, 16).map_err(|_| unknown())?;
                        bits |= Self::from_bits(value).map_err(|_| unknown())?.0;
                    } else {
                        let (flag, _) = Self::NAMES.iter().find(|(_, n)| *n == part).ok_or_else(unknown)?;
                        bits |= flag.0;
                    }
                }
                Ok($name(bits))
            }
        }

        impl BitOr for $name {
            type Output = $name;
            fn bitor(self, rhs: $name) -> $name {
                $name(self.0 | rhs.0)
            }
        }

        impl BitAnd for $name {
            type Output = $name;
            fn bitand(self, rhs: $name) -> $name {
                $name(self.0 & rhs.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                if self.0 == 0 {
                    return f.write_str("0");
                }
                let mut first = true;
                for (flag, name) in Self::NAMES {
                    if self.contains(*flag) {
                        if !first {
                            f.write_str("|")?;
                        }
                        f.write_str(name)?;
                        first = false;
                    }
                }
                Ok(())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }
    };
}

flag_set! {
    /// `ulFlags` of `XPProviderInit` (LIFE-2).
    XpInitFlags ["LIFE-2"] {
        /// The provider is loaded inside a Windows service and must show no UI.
        MAPI_NT_SERVICE = 0x0001_0000,
    }
}

flag_set! {
    /// The flags the spooler passes in to `IXPProvider::TransportLogon` (LIFE-4).
    LogonFlags ["LIFE-4"] {
        /// Show no UI, even when stored credentials are not enough.
        LOGON_NO_DIALOG = 0x0000_0001,
        /// Work offline: make no external connection.
        LOGON_NO_CONNECT = 0x0000_0004,
        /// Do not prepare for incoming mail yet; `TransportNotify` enables it later.
        LOGON_NO_INBOUND = 0x0000_0008,
        /// No outgoing mail will be supplied yet; `TransportNotify` enables it later.
        LOGON_NO_OUTBOUND = 0x0000_0010,
        /// Strings are Unicode.
        MAPI_UNICODE = 0x8000_0000,
    }
}

flag_set! {
    /// The flags a transport passes back out of `IXPProvider::TransportLogon` (LIFE-5).
    LogonCaps ["LIFE-5"] {
        /// Call `IXPLogon::Idle` during idle time (LIFE-11).
        LOGON_SP_IDLE = 0x0001_0000,
        /// Call `IXPLogon::Poll` periodically (RCV-1).
        LOGON_SP_POLL = 0x0002_0000,
        /// Resolve recipients this transport does not handle to full addresses (ORD-13).
        LOGON_SP_RESOLVE = 0x0004_0000,
        /// The returned error strings are Unicode.
        MAPI_UNICODE = 0x8000_0000,
    }
}

flag_set! {
    /// `ulFlags` of `IXPLogon::TransportNotify` (LIFE-10, LIFE-12, LIFE-13).
    NotifyFlags ["LIFE-10", "LIFE-12", "LIFE-13"] {
        /// Enable reception.
        NOTIFY_BEGIN_INBOUND = 0x0000_0001,
        /// Enable sending.
        NOTIFY_BEGIN_OUTBOUND = 0x0000_0002,
        /// Enter inbound flush mode.
        NOTIFY_BEGIN_INBOUND_FLUSH = 0x0000_0004,
        /// Enter outbound flush mode.
        NOTIFY_BEGIN_OUTBOUND_FLUSH = 0x0000_0008,
        /// Disable reception.
        NOTIFY_END_INBOUND = 0x0001_0000,
        /// Disable sending.
        NOTIFY_END_OUTBOUND = 0x0002_0000,
        /// Leave inbound flush mode.
        NOTIFY_END_INBOUND_FLUSH = 0x0004_0000,
        /// Leave outbound flush mode.
        NOTIFY_END_OUTBOUND_FLUSH = 0x0008_0000,
        /// A message the transport deferred is cancelled (DEF-5).
        NOTIFY_ABORT_DEFERRED = 0x4000_0000,
        /// Stop the message in progress (DEF-7).
        NOTIFY_CANCEL_MESSAGE = 0x8000_0000,
    }
}

impl NotifyFlags {
    /// The pairs of flags that must not appear together in one call (LIFE-10, INV-13): the
    /// BEGIN and END of the same direction.
    pub const EXCLUSIVE_PAIRS: [(NotifyFlags, NotifyFlags); 4] = [
        (Self::NOTIFY_BEGIN_INBOUND, Self::NOTIFY_END_INBOUND),
        (Self::NOTIFY_BEGIN_OUTBOUND, Self::NOTIFY_END_OUTBOUND),
        (Self::NOTIFY_BEGIN_INBOUND_FLUSH, Self::NOTIFY_END_INBOUND_FLUSH),
        (Self::NOTIFY_BEGIN_OUTBOUND_FLUSH, Self::NOTIFY_END_OUTBOUND_FLUSH),
    ];

    /// The flags that begin or end a flush (STAT-20, STAT-21).
    pub const FLUSH_FLAGS: NotifyFlags = NotifyFlags(
        Self::NOTIFY_BEGIN_INBOUND_FLUSH.0
            | Self::NOTIFY_BEGIN_OUTBOUND_FLUSH.0
            | Self::NOTIFY_END_INBOUND_FLUSH.0
            | Self::NOTIFY_END_OUTBOUND_FLUSH.0,
    );

    /// True when the word carries the BEGIN and the END of one direction (LIFE-10, INV-13).
    #[must_use]
    pub fn is_contradictory(self) -> bool {
        Self::EXCLUSIVE_PAIRS.iter().any(|(begin, end)| self.contains(*begin) && self.contains(*end))
    }

    /// The directions of traffic enabled after a `TransportNotify` with these flags, from those
    /// enabled before: `NOTIFY_BEGIN_*` enables a direction, `NOTIFY_END_*` disables it (LIFE-10,
    /// LIFE-12).
    #[must_use]
    pub fn enabled_after(self, before: crate::input::Directions) -> crate::input::Directions {
        let follow = |on: bool, begin, end| {
            if self.contains(begin) {
                true
            } else if self.contains(end) {
                false
            } else {
                on
            }
        };
        crate::input::Directions {
            inbound: follow(before.inbound, Self::NOTIFY_BEGIN_INBOUND, Self::NOTIFY_END_INBOUND),
            outbound: follow(before.outbound, Self::NOTIFY_BEGIN_OUTBOUND, Self::NOTIFY_END_OUTBOUND),
        }
    }
}

flag_set! {
    /// `ulFlags` of `IMAPISupport::SpoolerNotify`.
    SpoolerNotifyFlags ["TC-12"] {
        /// Inbound mail is waiting at the transport (RCV-1).
        NOTIFY_NEWMAIL = 0x0000_0001,
        /// The caller is ready to send (SUB-6) or has recovered from a failure (LIFE-18).
        NOTIFY_READYTOSEND = 0x0000_0002,
        /// A deferred message should be submitted again (DEF-2).
        NOTIFY_SENTDEFERRED = 0x0000_0004,
        /// The transport enters a critical section (STAT-13).
        NOTIFY_CRITSEC = 0x0000_1000,
        /// The transport leaves its critical section (STAT-13).
        NOTIFY_NONCRIT = 0x0000_2000,
        /// The transport's configuration changed; query its address types again (ORD-9).
        NOTIFY_CONFIG_CHANGE = 0x0000_4000,
        /// A severe error: the spooler only releases this transport from now on (LIFE-17).
        NOTIFY_CRITICAL_ERROR = 0x1000_0000,
        /// A tightly coupled store delivered a message (RCV-16); stores only (TC-12).
        NOTIFY_NEWMAIL_RECEIVED = 0x2000_0000,
    }
}

flag_set! {
    /// `ulFlags` of `IXPLogon::SubmitMessage` (SUB-23).
    SubmitFlags ["SUB-23"] {
        /// The message was deferred by this transport before (DEF-2).
        BEGIN_DEFERRED = 0x0000_0001,
    }
}

flag_set! {
    /// `*lpulFlags` out of `IXPLogon::EndMessage` (SUB-34). At most one may be set; none means
    /// the message was sent.
    EndFlags ["SUB-34"] {
        /// Restart this message now (DEF-4).
        END_RESEND_NOW = 0x0001_0000,
        /// Not sent now for a reason that is not an error; call again later (DEF-3).
        END_RESEND_LATER = 0x0002_0000,
        /// The transport holds the message and will call `SpoolerNotify(NOTIFY_SENTDEFERRED)`
        /// (DEF-2).
        END_DONT_RESEND = 0x0004_0000,
    }
}

flag_set! {
    /// `PR_SUBMIT_FLAGS` of a queued message (SUB-12, SUB-20).
    QueueFlags ["SUB-12", "SUB-20"] {
        /// The spooler holds the lock on the message (set by `SetLockState`, AMB-5).
        SUBMITFLAG_LOCKED = 0x0000_0001,
        /// The message waits for preprocessing (SUB-12).
        SUBMITFLAG_PREPROCESS = 0x0000_0002,
    }
}

flag_set! {
    /// `ulFlags` of `IMAPISupport::ModifyStatusRow` (STAT-3).
    StatusRowFlags ["STAT-3"] {
        /// Merge the passed columns into the existing row instead of adding a row.
        STATUSROW_UPDATE = 0x1000_0000,
    }
}

flag_set! {
    /// The documented bits of `PR_STATUS_CODE` (STAT-4). A row may carry other, provider-defined
    /// bits in the high half, so [`StatusCode::from_bits_retain`] is the decoder for row values.
    StatusCode ["STAT-4"] {
        /// The resource is operational.
        STATUS_AVAILABLE = 0x0000_0001,
        /// Only local data and services are available.
        STATUS_OFFLINE = 0x0000_0002,
        /// The resource has a problem.
        STATUS_FAILURE = 0x0000_0004,
        /// The transport can receive.
        STATUS_INBOUND_ENABLED = 0x0001_0000,
        /// The transport is receiving a message.
        STATUS_INBOUND_ACTIVE = 0x0002_0000,
        /// The transport is downloading its inbound queue.
        STATUS_INBOUND_FLUSH = 0x0004_0000,
        /// The transport can send.
        STATUS_OUTBOUND_ENABLED = 0x0010_0000,
        /// The transport is handling an outbound message.
        STATUS_OUTBOUND_ACTIVE = 0x0020_0000,
        /// The transport is uploading its outbound queue.
        STATUS_OUTBOUND_FLUSH = 0x0040_0000,
        /// The transport supports remote access.
        STATUS_REMOTE_ACCESS = 0x0080_0000,
    }
}

impl StatusCode {
    /// Keeps every bit, documented or not (a status row may carry provider-defined bits).
    #[must_use]
    pub const fn from_bits_retain(bits: u32) -> StatusCode {
        StatusCode(bits)
    }

    /// The status a transport shows after `TransportNotify` with these flags: the
    /// `STATUS_INBOUND_ENABLED` and `STATUS_OUTBOUND_ENABLED` bits follow the directions begun
    /// or ended (LIFE-10, LIFE-12), and the flush bits the flushes begun or ended (STAT-21).
    #[must_use]
    pub fn after_notify(self, flags: NotifyFlags) -> StatusCode {
        let mut status = self;
        for (begin, end, bit) in [
            (NotifyFlags::NOTIFY_BEGIN_INBOUND, NotifyFlags::NOTIFY_END_INBOUND, StatusCode::STATUS_INBOUND_ENABLED),
            (NotifyFlags::NOTIFY_BEGIN_OUTBOUND, NotifyFlags::NOTIFY_END_OUTBOUND, StatusCode::STATUS_OUTBOUND_ENABLED),
            // STAT-21, AMB-16: the flush bits follow BEGIN_*_FLUSH and END_*_FLUSH.
            (NotifyFlags::NOTIFY_BEGIN_INBOUND_FLUSH, NotifyFlags::NOTIFY_END_INBOUND_FLUSH, StatusCode::STATUS_INBOUND_FLUSH),
            (NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH, NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH, StatusCode::STATUS_OUTBOUND_FLUSH),
        ] {
            if flags.contains(begin) {
                status = status | bit;
            } else if flags.contains(end) {
                status = status.without(bit);
            }
        }
        status
    }
}

/// `ulLockState` of `IMsgStore::SetLockState` (SUB-20).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockState {
    /// `MSG_UNLOCKED` (0).
    Unlocked,
    /// `MSG_LOCKED` (1).
    Locked,
}

impl LockState {
    /// The documented numeric value.
    #[must_use]
    pub const fn value(self) -> u32 {
        match self {
            LockState::Unlocked => 0,
            LockState::Locked => 1,
        }
    }

    /// Decodes the documented numeric value.
    ///
    /// # Errors
    /// [`UnknownFlags`] for any value but 0 and 1.
    pub const fn from_value(value: u32) -> Result<LockState, UnknownFlags> {
        match value {
            0 => Ok(LockState::Unlocked),
            1 => Ok(LockState::Locked),
            _ => Err(UnknownFlags { parameter: "LockState", bits: value }),
        }
    }
}

impl fmt::Display for LockState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LockState::Unlocked => "MSG_UNLOCKED",
            LockState::Locked => "MSG_LOCKED",
        })
    }
}

flag_set! {
    /// `ulFlags` of `IMsgStore::StoreLogoff` and `IMAPISupport::StoreLogoffTransports`: one of
    /// the five input flags goes in, `LOGOFF_COMPLETE` or the busy flags come out (LIFE-20).
    LogoffFlags ["LIFE-20"] {
        /// Send the outbound mail that is ready, finish the inbound message under way, then stop
        /// receiving for the store.
        LOGOFF_NO_WAIT = 0x0000_0001,
        /// Finish the messages under way and start no new ones.
        LOGOFF_ORDERLY = 0x0000_0002,
        /// Like `LOGOFF_NO_WAIT`, flushing the queues and returning when done.
        LOGOFF_PURGE = 0x0000_0004,
        /// Stop the transports' work for the store, or refuse while they are busy (AMB-27).
        LOGOFF_ABORT = 0x0000_0008,
        /// Do not log off while the transports are busy.
        LOGOFF_QUIET = 0x0000_0010,
        /// Output: every resource for the store is released; only `Release` may follow.
        LOGOFF_COMPLETE = 0x0001_0000,
        /// Output: a message is coming in for the store.
        LOGOFF_INBOUND = 0x0002_0000,
        /// Output: a message of the store is going out.
        LOGOFF_OUTBOUND = 0x0004_0000,
        /// Output: the store's outgoing queue is not empty.
        LOGOFF_OUTBOUND_QUEUE = 0x0008_0000,
    }
}

impl LogoffFlags {
    /// The five flags a store may pass in (LIFE-20).
    pub const INPUT: LogoffFlags = LogoffFlags(0x1f);
    /// The busy flags of the answer (LIFE-20).
    pub const BUSY: LogoffFlags = LogoffFlags(0x000e_0000);
}

flag_set! {
    /// `*lpulFlags` out of `ISpoolerHook::InboundMsgHook` (HOOK-6, HOOK-13).
    HookFlags ["HOOK-6", "HOOK-13"] {
        /// The hook wants the message deleted.
        HOOK_DELETE = 0x0000_0001,
        /// No further hook is to see the message.
        HOOK_CANCEL = 0x0000_0002,
    }
}

flag_set! {
    /// `ulFlags` of `IMAPIStatus::FlushQueues` and `IXPLogon::FlushQueues` (STAT-17, STAT-19).
    /// The directions follow the parameter definitions (AMB-12): upload is outbound, download
    /// is inbound.
    FlushFlags ["STAT-17", "STAT-19"] {
        /// Flush the outgoing queue (`STATUS_OUTBOUND_FLUSH`).
        FLUSH_UPLOAD = 0x0000_0002,
        /// Flush the incoming queue (`STATUS_INBOUND_FLUSH`).
        FLUSH_DOWNLOAD = 0x0000_0004,
        /// Flush whatever the cost in performance.
        FLUSH_FORCE = 0x0000_0008,
        /// Show no progress indicator.
        FLUSH_NO_UI = 0x0000_0010,
        /// The flush may finish after the call returns; the spooler's status object only.
        FLUSH_ASYNC_OK = 0x0000_0020,
    }
}

flag_set! {
    /// `ulFlags` of `IMAPIStatus::ValidateState` and `IXPLogon::ValidateState` (STAT-11,
    /// STAT-12).
    ValidateFlags ["STAT-11", "STAT-12"] {
        /// Show no user interface.
        SUPPRESS_UI = 0x0000_0001,
        /// Refresh the header cache and go online (AMB-11).
        REFRESH_XP_HEADER_CACHE = 0x0001_0000,
        /// Process the marked headers of the header cache.
        PROCESS_XP_HEADER_CACHE = 0x0002_0000,
        /// Connect at the next flush.
        FORCE_XP_CONNECT = 0x0004_0000,
        /// Release the connection and go offline.
        FORCE_XP_DISCONNECT = 0x0008_0000,
        /// The configuration changed: the spooler queries every active transport's address
        /// types again (ORD-9).
        CONFIG_CHANGED = 0x0010_0000,
        /// Cancel the header operation under way.
        ABORT_XP_HEADER_OPERATION = 0x0020_0000,
        /// Show the header-processing user interface.
        SHOW_XP_SESSION_UI = 0x0040_0000,
    }
}

flag_set! {
    /// `ulFlags` of `IMAPIStatus::SettingsDialog` (STAT-14).
    SettingsFlags ["STAT-14"] {
        /// A hint that the settings should be shown read-only.
        UI_READONLY = 0x0000_0001,
    }
}

flag_set! {
    /// `ulFlags` of `IMAPIStatus::ChangePassword` (STAT-15).
    PasswordFlags ["STAT-15"] {
        /// The passwords are Unicode strings.
        MAPI_UNICODE = 0x8000_0000,
    }
}

flag_set! {
    /// `PR_RESOURCE_METHODS` of a status row: the `IMAPIStatus` methods its object supports
    /// (STAT-6).
    ResourceMethods ["STAT-6"] {
        /// `ValidateState`.
        STATUS_VALIDATE_STATE = 0x0000_0001,
        /// `SettingsDialog`.
        STATUS_SETTINGS_DIALOG = 0x0000_0002,
        /// `ChangePassword`.
        STATUS_CHANGE_PASSWORD = 0x0000_0004,
        /// `FlushQueues`.
        STATUS_FLUSH_QUEUES = 0x0000_0008,
    }
}

flag_set! {
    /// `PR_RESOURCE_FLAGS` of a transport's status row (STAT-8). The hook flags
    /// (`HOOK_INBOUND`, `HOOK_OUTBOUND`) belong to spooler hooks' rows, which are not modelled.
    ResourceFlags ["STAT-8"] {
        /// The identity used when several instances of the transport exist.
        STATUS_DEFAULT_OUTBOUND = 0x0000_0001,
        /// The transport provides the session's primary identity.
        STATUS_PRIMARY_IDENTITY = 0x0000_0004,
        /// The transport wants to be chosen last (overridden by the transport order, ORD-7).
        STATUS_XP_PREFER_LAST = 0x0000_0010,
        /// The transport provides no identity.
        STATUS_NO_PRIMARY_IDENTITY = 0x0000_0020,
        /// A tightly coupled transport that publishes `PR_OWN_STORE_ENTRYID`.
        STATUS_OWN_STORE = 0x0000_0100,
    }
}

impl StatusCode {
    /// The status a transport shows after `IXPLogon::FlushQueues` with these flags: the flush
    /// bit of each requested direction set (STAT-19, AMB-12).
    #[must_use]
    pub fn after_flush_queues(self, flags: FlushFlags) -> StatusCode {
        let mut status = self;
        if flags.contains(FlushFlags::FLUSH_UPLOAD) {
            status = status | StatusCode::STATUS_OUTBOUND_FLUSH;
        }
        if flags.contains(FlushFlags::FLUSH_DOWNLOAD) {
            status = status | StatusCode::STATUS_INBOUND_FLUSH;
        }
        status
    }

    /// True when the resource is online: `STATUS_AVAILABLE` set and `STATUS_OFFLINE` clear.
    /// `REFRESH_XP_HEADER_CACHE` asks a transport to go "online", a state with no bit of its own
    /// (AMB-11).
    #[must_use]
    pub const fn is_online(self) -> bool {
        self.contains(StatusCode::STATUS_AVAILABLE) && !self.contains(StatusCode::STATUS_OFFLINE)
    }

    /// The flush directions these bits ask for (STAT-18, STAT-22, AMB-12).
    #[must_use]
    pub fn flush_request(self) -> FlushFlags {
        let mut flags = FlushFlags::EMPTY;
        if self.contains(StatusCode::STATUS_OUTBOUND_FLUSH) {
            flags = flags | FlushFlags::FLUSH_UPLOAD;
        }
        if self.contains(StatusCode::STATUS_INBOUND_FLUSH) {
            flags = flags | FlushFlags::FLUSH_DOWNLOAD;
        }
        flags
    }
}
