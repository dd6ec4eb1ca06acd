//! One transport provider of the world, as it knows itself: where it is in its lifecycle and
//! what the spooler told it, recorded from every step the world feeds.

use crate::effect::{Call, Effect, Effects};
use crate::flags::{EndFlags, LogonCaps, NotifyFlags, SpoolerNotifyFlags};
use crate::hresult::Hresult;
use crate::ids::TransportId;
use crate::input::{Caller, Delivery, Directions, Input, Return, SubmitOutcome, SupportCall};
use crate::readings::Amb14;
use crate::spooler::RecipientView;

use super::World;

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

impl World {
    /// Records what an accepted input and its effects told the transports, and what they did.
    pub(super) fn track(&mut self, input: &Input, before: Option<&Call>, effects: &Effects) {
        match input {
            Input::Return(ret) => {
                // The transport whose call returned ended the transfer it was told to cancel.
                if let Some(logon) = before.and_then(Call::transport).and_then(|t| self.logon_mut(t)) {
                    logon.cancelled = false;
                }
                self.track_return(ret, before);
            }
            Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(t), flags, message }) => {
                if flags.contains(SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR)
                    && let Some(transport) = self.transports.get_mut(t.index())
                {
                    transport.raised_critical_error();
                }
                if let (true, Some(m)) = (flags.contains(SpoolerNotifyFlags::NOTIFY_SENTDEFERRED), message) {
                    self.release_held(|h| h == (*t, *m));
                }
                if let Some(logon) = self.logon_mut(*t) {
                    if flags.contains(SpoolerNotifyFlags::NOTIFY_CRITSEC) {
                        logon.critical_section = true;
                    } else if flags.contains(SpoolerNotifyFlags::NOTIFY_NONCRIT) {
                        logon.critical_section = false;
                    }
                    logon.announced |= flags.contains(SpoolerNotifyFlags::NOTIFY_NEWMAIL);
                }
            }
            _ => {}
        }
        for effect in effects {
            if let Effect::CancelMessage { transport, .. } = effect
                && let Some(logon) = self.logon_mut(*transport)
            {
                logon.cancelled = true;
            }
        }
    }

    fn track_return(&mut self, ret: &Return, before: Option<&Call>) {
        match ret {
            Return::XpProviderInit { transport, result: Err(_) } => self.set(*transport, Transport::OutOfService),
            Return::TransportLogon { transport, result } => {
                let life = match result {
                    Ok(caps) => Transport::Serving(Logon { polled: caps.contains(LogonCaps::LOGON_SP_POLL), ..Logon::default() }),
                    // LIFE-6: the spooler configures the service and logs on again.
                    Err(Hresult::MAPI_E_UNCONFIGURED) => Transport::Down,
                    Err(_) => Transport::OutOfService,
                };
                self.set(*transport, life);
            }
            Return::AddressTypes { transport, result: Ok(_) } => {
                if let Some(logon) = self.logon_mut(*transport) {
                    logon.registered = true;
                }
            }
            Return::TransportNotify { transport, flags, .. } => {
                if let Some(logon) = self.logon_mut(*transport) {
                    logon.enabled = flags.enabled_after(logon.enabled);
                    // RCV-2: with its inbound traffic ended it announces its mail again later.
                    logon.announced &= !flags.contains(NotifyFlags::NOTIFY_END_INBOUND);
                }
                // DEF-5: the transport drops its deferred copy.
                if let (true, Some(Call::TransportNotify { message: Some(m), .. })) =
                    (flags.contains(NotifyFlags::NOTIFY_ABORT_DEFERRED), before)
                {
                    self.release_held(|h| h == (*transport, *m));
                }
            }
            Return::SubmitMessage { transport, message, outcome: SubmitOutcome::Accepted { .. } } => {
                self.in_hand = Some((*transport, *message));
            }
            Return::EndMessage { transport, result, .. } => {
                // DEF-2: the transport holds the message only if it kept recipients deferred
                // (those it reported are final, DEC-10).
                if let Some((_, m)) = self.in_hand.take().filter(|(t, _)| t == transport)
                    && *result == Ok(EndFlags::END_DONT_RESEND)
                    && matches!(self.transports[transport.index()], Transport::Serving(_))
                    && self.spooler.message_view(m).is_some_and(|v| v.recipients.contains(&RecipientView::Deferred(*transport)))
                {
                    self.held = self.held.iter().copied().chain([(*transport, m)]).collect();
                }
            }
            Return::Poll { transport, incoming, .. } => {
                // RCV-3: a count above zero signals the mail as NOTIFY_NEWMAIL would.
                if let Some(logon) = self.logon_mut(*transport) {
                    logon.announced |= *incoming > 0;
                }
            }
            Return::StartMessage { transport, result, .. } => {
                // RCV-6, RCV-7, RCV-13: unless it saved a message, it announces again later; under
                // AMB-14 `newmail-per-message` it announces each message with its own
                // NOTIFY_NEWMAIL, so it announces again after every one.
                let per_message = self.spooler.readings().amb14 == Amb14::NewmailPerMessage;
                if let Some(logon) = self.logon_mut(*transport) {
                    logon.announced &= *result == Ok(Delivery::Saved) && !per_message;
                }
            }
            Return::TransportLogoff { transport, .. } => {
                if let Some(t) = self.transports.get_mut(transport.index()) {
                    t.logged_off();
                }
                self.forget_held(*transport);
            }
            _ => {}
        }
    }

    fn set(&mut self, t: TransportId, life: Transport) {
        if let Some(transport) = self.transports.get_mut(t.index()) {
            *transport = life;
        }
    }

    pub(super) fn logon_mut(&mut self, t: TransportId) -> Option<&mut Logon> {
        self.transports.get_mut(t.index()).and_then(Transport::logon_mut)
    }
}
