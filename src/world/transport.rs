//! One transport provider of the world, as it knows itself: where it is in its lifecycle and
//! what the spooler told it.

use crate::input::Directions;

/// Where a transport is in its lifecycle this session, as the transport itself knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Transport {
    /// Not logged on: its provider is not loaded yet, its logon waits for the service to be
    /// configured, or its logon ended (LIFE-1, LIFE-6, LIFE-15).
    #[default]
    Down,
    /// `TransportLogon` returned `S_OK` and `TransportLogoff` has not returned yet (LIFE-4).
    Serving(Logon),
    /// Still logged on, after it called `SpoolerNotify(NOTIFY_CRITICAL_ERROR)`: it waits to be
    /// logged off and takes no more work (ERR-7, LIFE-17).
    Critical(Logon),
    /// Out of service for the rest of the session: its provider refused the SPI version, its
    /// logon failed for good, or it was logged off after a critical error (VER-3, LIFE-6,
    /// LIFE-17). A restart of the spooler loads it again.
    OutOfService,
}

/// What a logged-on transport knows of its logon: what it answered and what it was told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Logon {
    /// The directions `TransportNotify` told it are enabled: `NOTIFY_BEGIN_*` and no
    /// `NOTIFY_END_*` since (LIFE-10, LIFE-12, RCV-2).
    pub enabled: Directions,
    /// It logged on with `LOGON_SP_POLL`: it waits to be polled for inbound mail rather than
    /// announcing it (RCV-1, RCV-3).
    pub polled: bool,
    /// `AddressTypes` returned for this logon: the spooler may give it work (ORD-1, LIFE-9).
    pub registered: bool,
    /// It announced inbound mail (`NOTIFY_NEWMAIL`, or a `Poll` that counted some) and the spooler
    /// has not yet come back from `StartMessage` empty-handed (RCV-1, RCV-3, RCV-6).
    pub announced: bool,
    /// It holds a critical section: `NOTIFY_CRITSEC` and no `NOTIFY_NONCRIT` since (STAT-13).
    pub critical_section: bool,
    /// It was told `NOTIFY_CANCEL_MESSAGE` for the transfer of its call in flight, which it ends
    /// as soon as it can (DEF-7, RCV-13).
    pub cancelled: bool,
}

impl Transport {
    /// Its logon, while it has one (serving or after a critical error).
    #[must_use]
    pub const fn logon(&self) -> Option<&Logon> {
        match self {
            Transport::Serving(logon) | Transport::Critical(logon) => Some(logon),
            Transport::Down | Transport::OutOfService => None,
        }
    }

    /// Its logon, to record what it was told.
    pub(super) fn logon_mut(&mut self) -> Option<&mut Logon> {
        match self {
            Transport::Serving(logon) | Transport::Critical(logon) => Some(logon),
            Transport::Down | Transport::OutOfService => None,
        }
    }

    /// Out of service for the rest of the session, or on its way there (LIFE-17, ORD-10).
    #[must_use]
    pub const fn out_of_service(&self) -> bool {
        matches!(self, Transport::Critical(_) | Transport::OutOfService)
    }

    /// Logged on and in service: `AddressTypes` returned, no critical error (LIFE-9, LIFE-17).
    #[must_use]
    pub const fn serving(&self) -> bool {
        matches!(self, Transport::Serving(Logon { registered: true, .. }))
    }

    /// It holds a critical section (STAT-13).
    #[must_use]
    pub const fn in_critical_section(&self) -> bool {
        matches!(self, Transport::Serving(Logon { critical_section: true, .. }) | Transport::Critical(Logon { critical_section: true, .. }))
    }

    /// The logon ended: a transport that had raised a critical error stays out of service
    /// (LIFE-15, LIFE-17).
    pub(super) fn logged_off(&mut self) {
        *self = match self {
            Transport::Critical(_) | Transport::OutOfService => Transport::OutOfService,
            Transport::Serving(_) | Transport::Down => Transport::Down,
        };
    }

    /// It called `SpoolerNotify(NOTIFY_CRITICAL_ERROR)` (ERR-7, LIFE-17).
    pub(super) fn raised_critical_error(&mut self) {
        if let Transport::Serving(logon) = *self {
            *self = Transport::Critical(logon);
        }
    }
}
