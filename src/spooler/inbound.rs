//! Reception (RCV): polling, `NOTIFY_NEWMAIL`, and the `StartMessage` loop that moves inbound
//! mail from a transport into the receive store.
//!
//! A transport signals waiting mail by `SpoolerNotify(NOTIFY_NEWMAIL)` or by a non-zero `Poll`
//! (RCV-1, RCV-3), both only while its inbound traffic is enabled (RCV-2). The spooler then
//! fetches one message at a time (AMB-20): it creates a message in the receive folder of the
//! receive store (RCV-4), hands it to `StartMessage` (RCV-5), and, when the transport saved it,
//! announces it with `NotifyNewMail` (RCV-10). It goes on until a `StartMessage` returns without
//! saving anything (RCV-6, AMB-14) or fails (RCV-7); an unsaved message is released, which
//! discards it. The receive store is the profile's first store (DEC-24); `Poll` is due whenever
//! time passes or the system is idle (DEC-25).

use crate::effect::{Call, Effect, Effects, Released};
use crate::error::{Error, ProviderFault};
use crate::hresult::Hresult;
use crate::ids::{MessageId, TransportId};
use crate::input::Delivery;

use super::choice::{Candidate, Chooser, Skip, offer};
use super::transport::Purpose;
use super::{Inbound, Phase, RECEIVE_STORE, Spooler, StoreState};

impl Spooler {
    /// `NOTIFY_NEWMAIL` from a transport: mail is waiting, if its inbound traffic is enabled;
    /// otherwise the notification is dropped (RCV-2).
    pub(super) fn on_new_mail(&mut self, t: TransportId) {
        if let Some(logon) = self.transports[t.index()].logon_mut()
            && logon.may(Purpose::Receive)
        {
            logon.mail_waiting = true;
        }
    }

    /// Time passed or the system is idle: `Poll` is due on every logon that asked to be polled
    /// (LOGON_SP_POLL) and whose inbound traffic is enabled (RCV-1, DEC-25).
    pub(super) fn polls_due(&mut self) {
        for transport in &mut self.transports {
            if let Some(logon) = transport.logon_mut()
                && logon.caps.contains(crate::flags::LogonCaps::LOGON_SP_POLL)
                && logon.may(Purpose::Receive)
            {
                logon.poll_due = true;
            }
        }
    }

    /// The next step of a fetch under way: `StartMessage` once the message exists, and
    /// `NotifyNewMail` once it was saved. A message created for a transport that can no longer
    /// be called is released unsaved (LIFE-17). With no fetch under way, a message a tightly
    /// coupled store placed is taken up, the first to arrive in the reference (any, FREE-7).
    pub(super) fn inbound_continuation<C: Chooser>(&mut self, fx: &mut Effects, chooser: &mut C) -> Option<Candidate> {
        let Some(inbound) = self.inbound else {
            // RCV-16: a message a tightly coupled store placed goes through the hooks first.
            for &(store, message) in &self.arrivals {
                if let Some(next) = offer(chooser, Candidate::of(self.hook_or_notify(store, message, 0))) {
                    return Some(next);
                }
            }
            return None;
        };
        match inbound {
            // The call is in flight.
            Inbound::Creating(_) | Inbound::Starting { .. } => None,
            Inbound::Created(transport, message) => {
                let callable = self.logon(transport).is_some_and(|l| l.may(Purpose::Receive)) && self.phase == Phase::Running;
                if callable {
                    offer(chooser, Candidate::call(Call::StartMessage { transport, message }))
                } else {
                    self.inbound = None;
                    fx.push(Effect::Release(Released::Unsaved { store: RECEIVE_STORE, message }));
                    None
                }
            }
            Inbound::Hooking { store, message, next } => offer(chooser, Candidate::of(self.hook_or_notify(store, message, next))),
        }
    }

    /// A new fetch or a poll, for the first transport in profile order that has one due, and
    /// only while no fetch is under way (RCV-1 to RCV-4). Never inside a critical section
    /// (STAT-13, INV-11). Any transport's poll or fetch may come first, and a transport's
    /// fetch before its poll (FREE-21); a poll may be passed over once in a row (FREE-20).
    pub(super) fn inbound_work<C: Chooser>(&self, chooser: &mut C) -> Option<Candidate> {
        if self.inbound.is_some() {
            return None;
        }
        // LIFE-20: no new fetch into a store that is logging off.
        let store_open = matches!(self.stores.get(RECEIVE_STORE.index()), Some(StoreState::LoggedOn | StoreState::Watching))
            && !self.store_closing(RECEIVE_STORE);
        for (i, transport) in self.transports.iter().enumerate() {
            let t = TransportId(i as u8);
            let Some(logon) = transport.logon().filter(|l| l.may(Purpose::Fetch)) else { continue };
            if logon.poll_due {
                let skip = (!logon.poll_skipped).then_some(Skip::Poll(t));
                if let Some(next) = offer(chooser, Candidate::call(Call::Poll { transport: t }).or_skip(skip)) {
                    return Some(next);
                }
            }
            if logon.mail_waiting && store_open {
                let fetch = Candidate { fetch: Some(t), ..Candidate::call(Call::CreateMessage { store: RECEIVE_STORE }) };
                if let Some(next) = offer(chooser, fetch) {
                    return Some(next);
                }
            }
        }
        None
    }

    /// `Poll` returned: a non-zero count means mail is waiting (RCV-3).
    pub(super) fn returned_poll(&mut self, t: TransportId, incoming: u32, result: Hresult) -> Result<(), Error> {
        if result.is_failure() {
            return Err(Error::provider(t, ProviderFault::UndocumentedResult { method: "Poll", result, documented: "S_OK" }));
        }
        if incoming != 0 {
            self.on_new_mail(t);
        }
        Ok(())
    }

    /// The receive folder's `CreateMessage` for transport `t` returned. If the store could not
    /// create a message, the fetch is given up until the transport signals mail again (DEC-24).
    pub(super) fn returned_create(&mut self, t: TransportId, result: Result<MessageId, Hresult>) {
        match result {
            Ok(message) => self.inbound = Some(Inbound::Created(t, message)),
            Err(_) => {
                self.inbound = None;
                if let Some(logon) = self.transports[t.index()].logon_mut() {
                    logon.mail_waiting = false;
                }
            }
        }
    }

    /// `StartMessage` returned: one message saved (the loop goes on after `NotifyNewMail`), or
    /// nothing to deliver (the loop ends, RCV-6, AMB-14), or an error (the message is lost and
    /// the loop ends, RCV-7). An unsaved message is released.
    pub(super) fn returned_start(&mut self, t: TransportId, message: MessageId, result: Result<Delivery, Hresult>, fx: &mut Effects) {
        // RCV-13: after a cancel, a message the transport saved before it saw the cancel is
        // delivered; otherwise it keeps the item for later, and the unsaved message is released
        // below (INV-37). Either way the cancel ends with the transfer.
        if result == Ok(Delivery::Saved) {
            // HOOK-13: the inbound hooks see the saved message before NotifyNewMail.
            self.inbound = Some(Inbound::Hooking { store: RECEIVE_STORE, message, next: 0 });
            if bug!(self, OneMessagePerNotification)
                && let Some(logon) = self.transports[t.index()].logon_mut()
            {
                // The bug zoo: one notification, one message (RCV-6).
                logon.mail_waiting = false;
            }
            return;
        }
        if bug!(self, NotifyUnsaved) && result.is_ok() {
            // The bug zoo: any S_OK is taken for a delivery; the loop still ends (AMB-14).
            self.inbound = Some(Inbound::Hooking { store: RECEIVE_STORE, message, next: 0 });
            if let Some(logon) = self.transports[t.index()].logon_mut() {
                logon.mail_waiting = false;
            }
            return;
        }
        self.inbound = None;
        fx.push(Effect::Release(Released::Unsaved { store: RECEIVE_STORE, message }));
        if let Some(logon) = self.transports[t.index()].logon_mut() {
            logon.mail_waiting = false;
        }
    }

    /// `NotifyNewMail` returned: the message is in the store whatever the result; the loop goes
    /// on while the transport still has mail waiting (RCV-10).
    pub(super) fn returned_notify_new_mail(&mut self) {
        self.inbound = None;
    }
}
