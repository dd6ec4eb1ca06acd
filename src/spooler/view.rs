//! Read-only views of the spooler's state, for drivers, tests and invariant checks.

use crate::effect::{Call, RecipientOutcome};
use crate::flags::{LogonCaps, QueueFlags, ResourceFlags, ResourceMethods, StatusCode};
use crate::ids::{MessageId, StoreId, Time, TransportId};
use crate::input::Directions;
use crate::recipients::TransportSet;
use crate::routing::Registrations;

use super::messages::Disp;
use super::transport::{Activity, Ending, Life};
use super::{InFlight, Phase, Spooler, StoreState};

/// Where a transport is in its lifecycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportView {
    /// `XPProviderInit` has not been called.
    NotLoaded,
    /// The provider object exists but has no logon (yet, or waiting for configuration).
    Loaded,
    /// A logon exists.
    LoggedOn {
        /// `AddressTypes` returned and the transport can be given work.
        ready: bool,
        /// What `TransportLogon` returned in `lpulFlags`.
        caps: LogonCaps,
        /// The directions it has been told are enabled.
        enabled: Directions,
        /// `PR_STATUS_CODE` of its status row, if it created one.
        status_row: Option<StatusCode>,
        /// Its registrations.
        registrations: Option<Registrations>,
        /// It raised `NOTIFY_CRITICAL_ERROR`.
        critical: bool,
        /// It holds a critical section.
        critical_section: bool,
        /// The spooler is releasing it.
        leaving: bool,
    },
    /// The logon is gone; `Shutdown` is due.
    ShutdownDue(Ending),
    /// Released or never loaded, for the rest of the session.
    Gone(Ending),
}

/// Whose row of the status table it is (`PR_RESOURCE_TYPE`, STAT-7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusResource {
    /// The spooler's own row (`MAPI_SPOOLER`).
    Spooler,
    /// A transport logon's row (`MAPI_TRANSPORT_PROVIDER`).
    Transport(TransportId),
}

impl StatusResource {
    /// `PR_RESOURCE_TYPE` of the row, which MAPI fills in (STAT-2, STAT-7).
    #[must_use]
    pub const fn resource_type(self) -> ResourceType {
        match self {
            StatusResource::Spooler => ResourceType::MAPI_SPOOLER,
            StatusResource::Transport(_) => ResourceType::MAPI_TRANSPORT_PROVIDER,
        }
    }
}

/// `PR_RESOURCE_TYPE`: what kind of resource a status row describes (STAT-7), with the
/// documented values.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ResourceType {
    /// A message store provider.
    MAPI_STORE_PROVIDER = 33,
    /// MAPI's integrated address book.
    MAPI_AB = 34,
    /// An address book provider.
    MAPI_AB_PROVIDER = 35,
    /// A transport provider.
    MAPI_TRANSPORT_PROVIDER = 36,
    /// The MAPI spooler.
    MAPI_SPOOLER = 37,
    /// The profile provider.
    MAPI_PROFILE_PROVIDER = 38,
    /// The MAPI subsystem.
    MAPI_SUBSYSTEM = 39,
    /// A spooler hook provider.
    MAPI_HOOK_PROVIDER = 40,
}

/// One row of the session's status table as a client sees it (STAT-1 to STAT-8). The MAPI
/// subsystem's and address book's rows are MAPI's, not the spooler's, and are not modelled;
/// neither are the text columns (DEC-30).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StatusRow {
    /// Whose row it is; its `PR_RESOURCE_TYPE` follows ([`StatusResource::resource_type`]).
    pub resource: StatusResource,
    /// `PR_STATUS_CODE`: for a transport, as its last `ModifyStatusRow` left it (STAT-3).
    pub status: StatusCode,
    /// `PR_RESOURCE_METHODS`: for the spooler `STATUS_VALIDATE_STATE | STATUS_FLUSH_QUEUES`
    /// (STAT-9), for a transport what it last passed (STAT-6).
    pub methods: ResourceMethods,
    /// `PR_RESOURCE_FLAGS`: for a transport what it last passed (STAT-8); none for the spooler.
    pub resource_flags: ResourceFlags,
}

/// What the spooler knows of an outbound message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageView {
    /// The message.
    pub id: MessageId,
    /// Its store.
    pub store: StoreId,
    /// The spooler holds the lock.
    pub locked: bool,
    /// The user cancelled it (DEF-5, DEF-7).
    pub cancelled: bool,
    /// `PR_SUBMIT_FLAGS` as far as the spooler has seen or caused them.
    pub flags: QueueFlags,
    /// Per recipient row, what became of it so far.
    pub recipients: Vec<RecipientView>,
}

/// What became of a recipient so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecipientView {
    /// Waiting for a transport; these transports declined it.
    Open {
        /// The transports that declined it.
        declined: TransportSet,
    },
    /// The transport holds it deferred (DEF-2).
    Deferred(TransportId),
    /// The transport asked for it to be resubmitted (DEF-2).
    Resubmit(TransportId),
    /// Final.
    Done(RecipientOutcome),
    /// `PR_RESPONSIBILITY` was TRUE when the spooler read the message; never offered.
    AlreadyTaken,
    /// The user cancelled the message before a transport took it (DEF-5, DEC-27).
    Withdrawn,
}

impl Spooler {
    /// The spooler's phase.
    #[must_use]
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The logical time.
    #[must_use]
    pub fn now(&self) -> Time {
        self.now
    }

    /// The synchronous call in flight, if any (AMB-20: at most one).
    #[must_use]
    pub fn call_in_flight(&self) -> Option<&Call> {
        self.in_flight.as_ref().map(InFlight::call)
    }

    /// The earliest moment after now at which a retry delay ends (ERR-2, ERR-4, ERR-5, DEF-3):
    /// a driver with nothing else to do lets time pass until then.
    #[must_use]
    pub fn next_deadline(&self) -> Option<Time> {
        self.messages.in_order().flat_map(|(_, m)| m.blocks.iter().map(|(_, until)| *until)).filter(|until| *until > self.now).min()
    }

    /// True when the store's outgoing queue is open, so its table notifications reach the
    /// spooler (SUB-16); before that, what is queued is read with `GetOutgoingQueue`.
    #[must_use]
    pub fn is_watching(&self, store: StoreId) -> bool {
        self.stores.get(store.index()) == Some(&StoreState::Watching) && !self.logged_off(store)
    }

    /// The number of transport entries of the profile.
    #[must_use]
    pub fn transport_count(&self) -> usize {
        self.transports.len()
    }

    /// The transport priority order (ORD-4).
    #[must_use]
    pub fn transport_order(&self) -> &[TransportId] {
        &self.order
    }

    /// The status table as a client would read it now (STAT-1 to STAT-4, INV-4): the spooler's
    /// row while the session runs (`STATUS_AVAILABLE`), then one row per transport logon from
    /// the `ModifyStatusRow` that created it until the logon is released, in profile order.
    #[must_use]
    pub fn status_table(&self) -> Vec<StatusRow> {
        let mut rows = Vec::new();
        if matches!(self.phase, Phase::Starting | Phase::Running | Phase::Stopping) {
            rows.push(StatusRow {
                resource: StatusResource::Spooler,
                status: StatusCode::STATUS_AVAILABLE,
                methods: super::status::spooler_methods(),
                resource_flags: ResourceFlags::EMPTY,
            });
        }
        for (i, transport) in self.transports.iter().enumerate() {
            if let Some(logon) = transport.logon()
                && let Some(status) = logon.row
            {
                let resource = StatusResource::Transport(TransportId(i as u8));
                let (methods, resource_flags) = (logon.columns.methods, logon.columns.resource_flags);
                rows.push(StatusRow { resource, status, methods, resource_flags });
            }
        }
        rows
    }

    /// What the deprecated `IMAPISession::EnumAdrTypes` reports: the registrations of the
    /// transports that are loaded now (their logon still serves), in transport order (ORD-8).
    #[must_use]
    pub fn loaded_address_types(&self) -> Vec<(TransportId, Registrations)> {
        self.order.iter().filter_map(|t| self.registrations(*t).map(|r| (*t, r.clone()))).collect()
    }

    /// Where a transport is, or `None` for a transport the profile does not have.
    #[must_use]
    pub fn transport_view(&self, t: TransportId) -> Option<TransportView> {
        let transport = self.transports.get(t.index())?;
        Some(match &transport.life {
            Life::NotLoaded => TransportView::NotLoaded,
            Life::Loaded { .. } | Life::Unconfigured { .. } => TransportView::Loaded,
            Life::LoggedOn(logon) => TransportView::LoggedOn {
                // AddressTypes returned for this logon (a transport logs on at most once after
                // its registrations exist); it stays ready while it is released.
                ready: transport.registrations.is_some(),
                caps: logon.caps,
                enabled: logon.enabled,
                status_row: logon.row,
                registrations: transport.registrations.clone(),
                critical: logon.activity == Activity::Critical,
                critical_section: logon.critsec,
                leaving: !logon.staying(),
            },
            Life::ShutdownDue { reason } => TransportView::ShutdownDue(*reason),
            Life::Gone { reason } => TransportView::Gone(*reason),
        })
    }

    /// The messages the spooler knows of, in queue order.
    pub fn message_ids(&self) -> impl Iterator<Item = MessageId> + '_ {
        self.messages.in_order().map(|(id, _)| id)
    }

    /// What the spooler knows of a message, or `None` if it does not track it.
    #[must_use]
    pub fn message_view(&self, id: MessageId) -> Option<MessageView> {
        let msg = self.messages.get(id)?;
        let recipients = msg
            .disp
            .iter()
            .map(|d| match *d {
                Disp::Pending { declined } => RecipientView::Open { declined },
                Disp::Deferred(t, _) => RecipientView::Deferred(t),
                Disp::Resubmit(t, _) => RecipientView::Resubmit(t),
                Disp::Done(outcome) => RecipientView::Done(outcome),
                Disp::Taken => RecipientView::AlreadyTaken,
                Disp::Withdrawn => RecipientView::Withdrawn,
            })
            .collect();
        Some(MessageView { id, store: msg.store, locked: msg.is_locked(), cancelled: msg.cancelled, flags: msg.flags, recipients })
    }
}
