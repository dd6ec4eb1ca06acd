//! The lifecycle of one transport provider entry: provider object, logon, status row (LIFE).

use crate::flags::{LogonCaps, StatusCode};
use crate::hresult::Hresult;
use crate::ids::ServiceId;
use crate::input::Directions;
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

/// Where a logon is in its set-up (LIFE-4 to LIFE-8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum LogonStage {
    /// `TransportLogon` is in flight.
    LoggingOn,
    /// `TransportLogon` succeeded; `AddressTypes` is due (LIFE-8).
    Registering,
    /// The transport is registered and can be given work.
    Ready,
}

/// A transport logon: the session between the spooler and one transport (LIFE-4).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Logon {
    /// The negotiated SPI version (VER-5).
    pub(crate) version: SpiVersion,
    /// Whether the service was configured after `MAPI_E_UNCONFIGURED` before this logon.
    pub(crate) configured: bool,
    /// Set-up stage.
    pub(crate) stage: LogonStage,
    /// The output flags of `TransportLogon` (LIFE-5).
    pub(crate) caps: LogonCaps,
    /// `PR_STATUS_CODE` of the logon's status row, once created (LIFE-9, STAT-3).
    pub(crate) row: Option<StatusCode>,
    /// The directions the transport has been told are enabled (LIFE-10, LIFE-12).
    pub(crate) enabled: Directions,
    /// The directions the session wants enabled.
    pub(crate) wanted: Directions,
    /// `NOTIFY_CRITICAL_ERROR` was raised (LIFE-17).
    pub(crate) critical: bool,
    /// A critical section is open (STAT-13).
    pub(crate) critsec: bool,
    /// `NOTIFY_CONFIG_CHANGE` asks for `AddressTypes` again (ORD-9).
    pub(crate) requery: bool,
    /// The system was idle since the last `Idle` call (LIFE-11).
    pub(crate) idle_due: bool,
    /// `Poll` is due (RCV-1, DEC-25).
    pub(crate) poll_due: bool,
    /// The transport signalled inbound mail that the spooler has not fetched yet (RCV-1, RCV-3).
    pub(crate) mail_waiting: bool,
    /// The logon is to be released, and why.
    pub(crate) release: Option<Ending>,
    /// The store its status row publishes as its own (`PR_OWN_STORE_ENTRYID`,
    /// `STATUS_OWN_STORE`): the store it is tightly coupled with (TC-1).
    pub(crate) own_store: Option<crate::ids::StoreId>,
    /// The columns of its status row beyond `PR_STATUS_CODE` (STAT-2, STAT-6, STAT-8).
    pub(crate) columns: crate::input::StatusColumns,
    /// Its flush, when one is due or under way (STAT-20).
    pub(crate) flush: Option<super::flush::Flush>,
}

impl Logon {
    /// A logon whose `TransportLogon` call is being made.
    pub(crate) fn new(version: SpiVersion, configured: bool) -> Logon {
        Logon {
            version,
            configured,
            stage: LogonStage::LoggingOn,
            caps: LogonCaps::EMPTY,
            row: None,
            enabled: Directions::NONE,
            wanted: Directions::NONE,
            critical: false,
            critsec: false,
            requery: false,
            idle_due: false,
            poll_due: false,
            mail_waiting: false,
            release: None,
            own_store: None,
            columns: crate::input::StatusColumns::default(),
            flush: None,
        }
    }

    /// True when the spooler may hand this transport an outbound message now (LIFE-10, LIFE-12,
    /// LIFE-17, ORD-9).
    pub(crate) fn can_send(&self) -> bool {
        self.stage == LogonStage::Ready && self.enabled.outbound && !self.critical && self.release.is_none() && !self.requery
    }

    /// True while the spooler may still give this logon work: not after a critical error
    /// (LIFE-17) or once its release is due.
    pub(crate) fn serving(&self) -> bool {
        !self.critical && self.release.is_none()
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
