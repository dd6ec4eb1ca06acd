//! The lifecycle of one transport provider entry: provider object, logon, status row (LIFE),
//! and the one rule that says what the spooler may call a logon for ([`Logon::may`]).
//!
//! This module is state only: it knows no other module of the spooler.

use crate::flags::{FlushFlags, LogonCaps, StatusCode};
use crate::hresult::Hresult;
use crate::ids::{ServiceId, StoreId};
use crate::input::{Directions, StatusColumns};
use crate::routing::Registrations;
use crate::version::SpiVersion;

/// One transport provider entry of the profile and where it is in its lifecycle.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Transport {
    /// The message service the entry belongs to (LIFE-6).
    pub(crate) service: ServiceId,
    /// Where it is.
    pub(crate) life: Life,
    /// What its latest `AddressTypes` returned (ORD-1). It outlives the logon: a transport that
    /// failed for the rest of the session still tells the scan which recipients it could have
    /// taken, so that they wait instead of getting an NDR (ORD-10, DEC-4).
    pub(crate) registrations: Option<Registrations>,
}

/// The lifecycle of a transport provider entry (LIFE-1 to LIFE-16).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Life {
    /// `XPProviderInit` has not been called (LIFE-1).
    NotLoaded,
    /// The provider object exists; `TransportLogon` is due. `configured` records that the
    /// service was already configured once after `MAPI_E_UNCONFIGURED` (LIFE-6).
    Loaded { version: SpiVersion, configured: bool },
    /// `TransportLogon` returned `MAPI_E_UNCONFIGURED`: the service entry point is due (LIFE-6).
    Unconfigured { version: SpiVersion },
    /// A logon exists: `TransportLogon` is in flight or succeeded.
    LoggedOn(Logon),
    /// No logon is left; `IXPProvider::Shutdown` is due before the provider object is released
    /// (LIFE-15, LIFE-16).
    ShutdownDue { reason: Ending },
    /// The provider object is released, or was never loaded, for the rest of the session.
    Gone { reason: Ending },
}

/// Why a transport stopped serving the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ending {
    /// It was logged off because the session ended (LIFE-12 to LIFE-16).
    SessionEnded,
    /// The SPI versions did not overlap (VER-3, VER-4, VER-6).
    VersionMismatch,
    /// `TransportLogon` failed with a code that fails only this provider (LIFE-6).
    LogonFailed(Hresult),
    /// A provider of its message service failed to log on with another code, which disables the
    /// whole service (LIFE-6).
    ServiceDisabled,
    /// It raised `NOTIFY_CRITICAL_ERROR` (LIFE-17).
    CriticalError,
}

/// What a logon is doing (LIFE-4 to LIFE-17). A logon that raised a critical error is
/// [`Activity::Critical`] whatever else happens to it: the critical error is recorded once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Activity {
    /// `TransportLogon` is in flight (LIFE-4, LIFE-5).
    LoggingOn,
    /// `TransportLogon` succeeded; `AddressTypes` is due (LIFE-8).
    Registering,
    /// Registered: the spooler gives it work, as far as [`Logon::may`] allows (LIFE-10).
    Serving,
    /// The spooler releases it: on an orderly logoff (the session ends) the END notifications
    /// first, then `TransportLogoff` (LIFE-6, LIFE-12 to LIFE-14).
    Leaving(Leave),
    /// It raised `NOTIFY_CRITICAL_ERROR`: only `TransportLogoff` and `Shutdown` remain, and a
    /// `SubmitMessage` in flight may no longer succeed (LIFE-17).
    Critical,
}

/// Why the spooler releases a logon that did not fail itself (LIFE-6, LIFE-12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Leave {
    /// The session ends.
    SessionEnded,
    /// Another provider of its message service failed to log on (LIFE-6).
    ServiceDisabled,
}

impl Activity {
    /// Why the logon is being released, once it is (the reason its provider ends with).
    pub(crate) fn ending(self) -> Option<Ending> {
        match self {
            Activity::LoggingOn | Activity::Registering | Activity::Serving => None,
            Activity::Leaving(Leave::SessionEnded) => Some(Ending::SessionEnded),
            Activity::Leaving(Leave::ServiceDisabled) => Some(Ending::ServiceDisabled),
            Activity::Critical => Some(Ending::CriticalError),
        }
    }
}

/// What the spooler would call a logon for; [`Logon::may`] says whether it may now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// Work of a registered logon: `TransportNotify` to change its traffic, `ValidateState`,
    /// `OpenStatusEntry`, a flush becoming due, a place in the assignment scan (LIFE-10,
    /// STAT-10, STAT-11, STAT-20, ORD-4).
    Work,
    /// `FlushQueues` and the `TransportNotify` calls of its flush: not while its address types
    /// are to be queried again (STAT-19, STAT-20, ORD-9).
    Flush,
    /// `SubmitMessage`: only with outbound traffic enabled, and not while its address types are
    /// to be queried again (LIFE-10, LIFE-12, ORD-9).
    Send,
    /// `StartMessage` of a fetch under way, and recording that mail waits: only with inbound
    /// traffic enabled (RCV-1, RCV-2).
    Receive,
    /// `Poll`, or `CreateMessage` to begin a fetch from it: also not inside a critical section
    /// (RCV-1, STAT-13, INV-11).
    Fetch,
    /// `Idle`: not inside a critical section (LIFE-11, STAT-13, INV-11).
    Idle,
}

/// A transport logon: the session between the spooler and one transport (LIFE-4).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Logon {
    /// The negotiated SPI version (VER-5).
    pub(crate) version: SpiVersion,
    /// Whether the service was configured after `MAPI_E_UNCONFIGURED` before this logon.
    pub(crate) configured: bool,
    /// What it is doing.
    pub(crate) activity: Activity,
    /// The output flags of `TransportLogon` (LIFE-5).
    pub(crate) caps: LogonCaps,
    /// `PR_STATUS_CODE` of the logon's status row, once created (LIFE-9, STAT-3).
    pub(crate) row: Option<StatusCode>,
    /// The directions the transport has been told are enabled (LIFE-10, LIFE-12).
    pub(crate) enabled: Directions,
    /// The directions the session wants enabled.
    pub(crate) wanted: Directions,
    /// A critical section is open (STAT-13).
    pub(crate) critsec: bool,
    /// `NOTIFY_CONFIG_CHANGE` asks for `AddressTypes` again (ORD-9).
    pub(crate) requery: bool,
    /// The system was idle since the last `Idle` call (LIFE-11).
    pub(crate) idle_due: bool,
    /// `Poll` is due (RCV-1, DEC-25).
    pub(crate) poll_due: bool,
    /// The last due `Poll` was passed over without a call: the next one is made (FREE-20).
    pub(crate) poll_skipped: bool,
    /// The last due `Idle` was passed over without a call: the next one is made (FREE-18).
    pub(crate) idle_skipped: bool,
    /// The transport signalled inbound mail that the spooler has not fetched yet (RCV-1, RCV-3).
    pub(crate) mail_waiting: bool,
    /// The store its status row publishes as its own (`PR_OWN_STORE_ENTRYID`,
    /// `STATUS_OWN_STORE`): the store it is tightly coupled with (TC-1).
    pub(crate) own_store: Option<StoreId>,
    /// The columns of its status row beyond `PR_STATUS_CODE` (STAT-2, STAT-6, STAT-8).
    pub(crate) columns: StatusColumns,
    /// Its flush, when one is due or under way (STAT-20).
    pub(crate) flush: Option<Flush>,
}

impl Logon {
    /// A logon whose `TransportLogon` call is being made.
    pub(crate) fn new(version: SpiVersion, configured: bool) -> Logon {
        Logon {
            version,
            configured,
            activity: Activity::LoggingOn,
            caps: LogonCaps::EMPTY,
            row: None,
            enabled: Directions::NONE,
            wanted: Directions::NONE,
            critsec: false,
            requery: false,
            idle_due: false,
            poll_due: false,
            poll_skipped: false,
            idle_skipped: false,
            mail_waiting: false,
            own_store: None,
            columns: StatusColumns::default(),
            flush: None,
        }
    }

    /// True when the spooler may call this logon for `purpose` now: the one place that says so
    /// (LIFE-10 to LIFE-12, LIFE-17, RCV-2, STAT-13, ORD-9).
    pub(crate) fn may(&self, purpose: Purpose) -> bool {
        self.activity == Activity::Serving
            && match purpose {
                Purpose::Work => true,
                Purpose::Flush => !self.requery,
                Purpose::Send => self.enabled.outbound && !self.requery,
                Purpose::Receive => self.enabled.inbound,
                Purpose::Fetch => self.enabled.inbound && !self.critsec,
                Purpose::Idle => !self.critsec,
            }
    }

    /// True until the spooler begins to release the logon: it is being set up or serves.
    pub(crate) fn staying(&self) -> bool {
        self.activity.ending().is_none()
    }

    /// The spooler releases the logon for this reason, unless it is being released already
    /// (the first reason stands, and a critical error outranks every other, LIFE-17).
    pub(crate) fn leave(&mut self, reason: Leave) {
        if self.staying() {
            self.activity = Activity::Leaving(reason);
        }
    }
}

/// Where a transport's flush is (STAT-20).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Flush {
    /// Triggered: `IXPLogon::FlushQueues` with these flags is due.
    Due(FlushFlags),
    /// The outbound half: `NOTIFY_BEGIN_OUTBOUND_FLUSH` is due (`begun` false) or returned.
    Outbound { flags: FlushFlags, begun: bool },
    /// The inbound half: `NOTIFY_BEGIN_INBOUND_FLUSH` is due (`begun` false) or returned.
    Inbound { begun: bool },
}

impl Flush {
    /// True once `IXPLogon::FlushQueues` returned: the transport is in flush mode until the
    /// spooler ends it.
    pub(crate) fn begun(self) -> bool {
        !matches!(self, Flush::Due(_))
    }

    /// The half that comes after `FlushQueues` with these flags, if any.
    pub(crate) fn first_half(flags: FlushFlags) -> Option<Flush> {
        if flags.contains(FlushFlags::FLUSH_UPLOAD) {
            Some(Flush::Outbound { flags, begun: false })
        } else if flags.contains(FlushFlags::FLUSH_DOWNLOAD) {
            Some(Flush::Inbound { begun: false })
        } else {
            None
        }
    }
}

impl Transport {
    /// The logon, if there is one.
    pub(crate) fn logon(&self) -> Option<&Logon> {
        match &self.life {
            Life::LoggedOn(logon) => Some(logon),
            _ => None,
        }
    }

    /// The logon, mutably, if there is one.
    pub(crate) fn logon_mut(&mut self) -> Option<&mut Logon> {
        match &mut self.life {
            Life::LoggedOn(logon) => Some(logon),
            _ => None,
        }
    }
}
