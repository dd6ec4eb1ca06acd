//! What the spooler does when the call in flight returns (ERR, LIFE, SUB, HOOK, VER).
//!
//! [`Spooler::on_return`] takes the call out of flight, the only place that does, and matches
//! the call (with the data it was made with) and the return pair by pair; a return that does not
//! answer the call is refused by one rule (AMB-20). Every handler first checks the whole return
//! against the contract and only then changes the state, and a refusal puts the call back, so a
//! refused return leaves the spooler as it was. The returns of a submission attempt are judged
//! in `submit`, those of reception in `inbound` and `hooks`, of a flush in `flush`, of status
//! calls in `status`.

use crate::effect::{Call, Effect, Effects, NdrOrigin, RecipientOutcome, Released};
use crate::error::{CallerError, Error, ProviderFault, StoreFault};
use crate::flags::{LockState, NotifyFlags, QueueFlags};
use crate::hresult::Hresult;
use crate::ids::{MessageId, PreprocessorId, ServiceId, StoreId, TransportId};
use crate::input::{QueueRow, ReportKind, Return};
use crate::recipients::RecipientSet;
use crate::version::{Negotiation, SpiVersion};

use super::messages::{Disp, Stage};
use super::submit::Offer;
use super::transport::{Activity, Ending, Leave, Life};
use super::{InFlight, Inbound, Spooler, StoreState};

fn undocumented(method: &'static str, result: Hresult, documented: &'static str) -> ProviderFault {
    ProviderFault::UndocumentedResult { method, result, documented }
}

fn store_undocumented(method: &'static str, result: Hresult, documented: &'static str) -> StoreFault {
    StoreFault::UndocumentedResult { method, result, documented }
}

/// The refusal of a return that does not answer the call in flight (AMB-20): the one rule for
/// every such pair.
fn wrong_return(in_flight: &InFlight, ret: &Return) -> Error {
    CallerError::WrongReturn { expected: in_flight.call().to_string(), got: ret.to_string() }.into()
}

impl Spooler {
    /// A return of the call in flight. The call leaves flight here and nowhere else; a refused
    /// return puts it back, so the spooler is as it was.
    pub(super) fn on_return(&mut self, ret: Return, fx: &mut Effects) -> Result<(), Error> {
        let Some(in_flight) = self.in_flight.take() else {
            return Err(CallerError::NoCallInFlight { got: ret.method() }.into());
        };
        let judged = self.returned(&in_flight, ret, fx);
        if judged.is_err() {
            self.in_flight = Some(in_flight);
        }
        judged
    }

    /// The call in flight (with the fetch it belongs to) and its return, matched pair by pair:
    /// each arm judges the return against the typed call and applies it. A return that does not
    /// answer the call is refused by [`wrong_return`], whichever way it fails to.
    fn returned(&mut self, in_flight: &InFlight, ret: Return, fx: &mut Effects) -> Result<(), Error> {
        use InFlight::Plain as P;
        if !in_flight.call().is_answered_by(&ret) {
            return Err(wrong_return(in_flight, &ret));
        }
        match (in_flight, ret, self.inbound) {
            (P(Call::XpProviderInit { .. }), Return::XpProviderInit { transport, result }, _) => {
                self.returned_xp_provider_init(transport, result, fx)
            }
            (P(Call::ServiceConfigure { .. }), Return::ServiceConfigure { service, result }, _) => {
                self.returned_service_configure(service, result);
                Ok(())
            }
            (P(Call::TransportLogon { .. }), Return::TransportLogon { transport, result }, _) => {
                self.returned_transport_logon(transport, result)
            }
            (P(Call::AddressTypes { .. }), Return::AddressTypes { transport, result }, _) => {
                let registrations = result.map_err(|h| Error::provider(transport, undocumented("AddressTypes", h, "S_OK")))?;
                let entry = &mut self.transports[transport.index()];
                entry.registrations = Some(registrations);
                if let Some(logon) = entry.logon_mut() {
                    if logon.activity == Activity::Registering {
                        logon.activity = Activity::Serving;
                    }
                    logon.requery = false;
                }
                Ok(())
            }
            (&P(Call::TransportNotify { flags: sent, message, .. }), Return::TransportNotify { transport, flags, result }, _) => {
                self.returned_transport_notify(transport, sent, message, flags, result)
            }
            (P(Call::Idle { .. }), Return::Idle { transport, result }, _) => {
                if result.is_failure() {
                    return Err(Error::provider(transport, undocumented("Idle", result, "S_OK")));
                }
                Ok(())
            }
            (InFlight::Submit { offered, deferred, reports, .. }, Return::SubmitMessage { transport, message, outcome }, _) => {
                self.returned_submit(transport, message, Offer { offered, deferred: *deferred, reports }, outcome, fx)
            }
            (InFlight::End { message, offered, accepted, .. }, Return::EndMessage { transport, result, .. }, _) => {
                let flags = Self::end_flags(transport, result)?;
                self.returned_end(transport, *message, offered, accepted, flags, fx);
                Ok(())
            }
            #[cfg(feature = "bug-zoo")]
            (P(Call::EndMessage { .. }), Return::EndMessage { transport, result, .. }, _) => {
                // The bug zoo's EndAfterFailedSubmit: an EndMessage that ends no attempt; only
                // its flags are judged.
                Self::end_flags(transport, result).map(|_| ())
            }
            (P(Call::TransportLogoff { .. }), Return::TransportLogoff { transport, .. }, _) => {
                // ERR-10: whatever it returns, the transport is logged off (LIFE-14, LIFE-15).
                let entry = &mut self.transports[transport.index()];
                let reason = entry.logon().and_then(|l| l.activity.ending()).unwrap_or(Ending::SessionEnded);
                entry.life = Life::ShutdownDue { reason };
                self.messages.forget_transport(transport);
                fx.push(Effect::Release(Released::Logon(transport)));
                Ok(())
            }
            (P(Call::Shutdown { .. }), Return::Shutdown { transport, result }, _) => {
                if result.is_failure() {
                    return Err(Error::provider(transport, undocumented("Shutdown", result, "S_OK")));
                }
                let life = &mut self.transports[transport.index()].life;
                let reason = match life {
                    Life::ShutdownDue { reason } => *reason,
                    // The bug zoo's ShutdownWithLiveLogon: the logon was not released first.
                    _ => Ending::SessionEnded,
                };
                *life = Life::Gone { reason };
                fx.push(Effect::Release(Released::Provider(transport)));
                Ok(())
            }
            (P(Call::SpoolerLogon { .. }), Return::SpoolerLogon { store, result }, _) => {
                let next = if result.is_success() {
                    StoreState::LoggedOn
                } else if result == Hresult::MAPI_E_UNCONFIGURED {
                    StoreState::Unserved
                } else {
                    let fault = store_undocumented("SpoolerLogon", result, "S_OK, MAPI_W_ERRORS_RETURNED, MAPI_E_UNCONFIGURED");
                    return Err(Error::store(store, fault));
                };
                self.stores[store.index()] = next;
                Ok(())
            }
            (P(Call::GetOutgoingQueue { .. }), Return::GetOutgoingQueue { store, result }, _) => {
                self.returned_outgoing_queue(store, result)
            }
            (P(Call::SetLockState { .. }), Return::SetLockState { store, message, state, result }, _) => {
                self.returned_set_lock_state(store, message, state, result)
            }
            (P(Call::PreprocessMessage { .. }), Return::PreprocessMessage { preprocessor, message, result }, _) => {
                self.returned_preprocess(preprocessor, message, result, fx)
            }
            (P(Call::SubmitPreprocessed { .. }), Return::SubmitPreprocessed { store, message, result }, _) => {
                if result.is_failure() {
                    return Err(Error::store(store, store_undocumented("IMessage::SubmitMessage", result, "S_OK")));
                }
                if let Some(msg) = self.messages.get_mut(message) {
                    // SUB-12 step 5: the store cleared SUBMITFLAG_PREPROCESS.
                    msg.flags = msg.flags.without(QueueFlags::SUBMITFLAG_PREPROCESS);
                    msg.stage = Stage::Routing;
                }
                Ok(())
            }
            (P(Call::RemovePreprocessInfo { .. }), Return::RemovePreprocessInfo { preprocessor, message, result }, _) => {
                if result.is_failure() {
                    let owner = self.preprocessors[preprocessor.index()].owner;
                    return Err(Error::provider(owner, undocumented("RemovePreprocessInfo", result, "S_OK")));
                }
                if let Some(msg) = self.messages.get_mut(message) {
                    msg.stage = Stage::CleaningUp { next: preprocessor.get() + 1 };
                }
                Ok(())
            }
            (P(Call::Poll { .. }), Return::Poll { transport, incoming, result }, _) => self.returned_poll(transport, incoming, result),
            (P(Call::CreateMessage { .. }), Return::CreateMessage { result, .. }, Some(Inbound::Creating(transport))) => {
                self.returned_create(transport, result);
                Ok(())
            }
            (P(Call::StartMessage { .. }), Return::StartMessage { transport, message, result }, Some(Inbound::Starting { .. })) => {
                self.returned_start(transport, message, result, fx);
                Ok(())
            }
            (P(Call::AbortSubmit { .. }), Return::AbortSubmit { store, message, result }, _) => {
                self.returned_abort_submit(store, message, result)
            }
            (P(Call::NotifyNewMail { .. }), Return::NotifyNewMail { .. }, _) => {
                self.returned_notify_new_mail();
                Ok(())
            }
            (P(Call::OpenStatusEntry { .. }), Return::OpenStatusEntry { transport, result }, _) => {
                self.returned_open_status(transport, result, fx);
                Ok(())
            }
            (P(Call::ValidateState { .. }), Return::ValidateState { transport, result }, _) => self.returned_validate(transport, result),
            (&P(Call::FlushQueues { flags, .. }), Return::FlushQueues { transport, result }, _) => {
                self.returned_flush_queues(transport, flags, result)
            }
            (P(Call::FinishedMsg { .. }), Return::FinishedMsg { store, message, result }, _) => {
                if result.is_failure() {
                    let documented = "S_OK (MAPI_E_NO_SUPPORT only from a store without sent-mail processing, which cannot send, SUB-17)";
                    return Err(Error::store(store, store_undocumented("FinishedMsg", result, documented)));
                }
                self.messages.remove(message);
                Ok(())
            }
            (P(Call::InboundMsgHook { .. }), Return::InboundMsgHook { result, .. }, Some(Inbound::Hooking { store, message, next })) => {
                self.returned_hook(store, message, next, result, fx);
                Ok(())
            }
            // `is_answered_by` pairs each return with its call, and the spooler keeps each call
            // in the form its return needs, so nothing else comes here: it is refused like any
            // return that does not answer the call.
            (in_flight, ret, _) => Err(wrong_return(in_flight, &ret)),
        }
    }

    /// VER-3 to VER-6: the provider's version must lie in MAPI's range.
    fn returned_xp_provider_init(&mut self, t: TransportId, result: Result<SpiVersion, Hresult>, fx: &mut Effects) -> Result<(), Error> {
        let life = match result {
            Ok(version) => match self.settings.versions.negotiate(version) {
                Negotiation::Agreed(version) => Life::Loaded { version, configured: false },
                Negotiation::ProviderTooNew => {
                    let fault = ProviderFault::VersionTooNew { provider: version, mapi: self.settings.versions.mapi };
                    return Err(Error::provider(t, fault));
                }
                Negotiation::ProviderTooOld => {
                    fx.push(Effect::Release(Released::Provider(t)));
                    Life::Gone { reason: Ending::VersionMismatch }
                }
            },
            Err(Hresult::MAPI_E_VERSION) => Life::Gone { reason: Ending::VersionMismatch },
            Err(h) => return Err(Error::provider(t, undocumented("XPProviderInit", h, "S_OK, MAPI_E_VERSION"))),
        };
        self.transports[t.index()].life = life;
        Ok(())
    }

    /// LIFE-6: after configuration the logon is tried again; a failed configuration is handled
    /// like any other logon error (DEC-5).
    fn returned_service_configure(&mut self, service: ServiceId, result: Hresult) {
        if result.is_success() {
            for transport in self.transports.iter_mut().filter(|t| t.service == service) {
                if let Life::Unconfigured { version } = transport.life {
                    transport.life = Life::Loaded { version, configured: true };
                }
            }
        } else {
            self.disable_service(service);
        }
    }

    /// LIFE-5, LIFE-6, ERR-9.
    fn returned_transport_logon(&mut self, t: TransportId, result: Result<crate::flags::LogonCaps, Hresult>) -> Result<(), Error> {
        if let Err(h) = result
            && h.is_success()
        {
            return Err(Error::provider(t, undocumented("TransportLogon", h, "S_OK or an error")));
        }
        let transport = &mut self.transports[t.index()];
        // The logon was made with the call; it may have raised a critical error meanwhile.
        let Some(logon) = transport.logon_mut() else { return Ok(()) };
        let (version, configured) = (logon.version, logon.configured);
        match result {
            Ok(caps) => {
                logon.caps = caps;
                if logon.activity == Activity::LoggingOn {
                    logon.activity = Activity::Registering;
                }
                logon.wanted = self.settings.enable;
            }
            // DEC-5: configure once, then log on again.
            Err(Hresult::MAPI_E_UNCONFIGURED) if !configured => transport.life = Life::Unconfigured { version },
            // Only this code spares the service.
            Err(h @ Hresult::MAPI_E_FAILONEPROVIDER) => transport.life = Life::ShutdownDue { reason: Ending::LogonFailed(h) },
            Err(_) => {
                // LIFE-6, DEC-6: for every other error MAPI disables the whole service for the
                // session (INV-6). A logon that failed has no logon object left to release:
                // only Shutdown.
                transport.life = Life::ShutdownDue { reason: Ending::ServiceDisabled };
                let service = transport.service;
                self.disable_service(service);
            }
        }
        Ok(())
    }

    /// LIFE-6, INV-6: every transport of the service is done with for the session at once, so
    /// none of them is initialized or logged on again.
    fn disable_service(&mut self, service: ServiceId) {
        let mut doomed = Vec::new();
        for (i, transport) in self.transports.iter_mut().enumerate().filter(|(_, t)| t.service == service) {
            match &mut transport.life {
                Life::NotLoaded => transport.life = Life::Gone { reason: Ending::ServiceDisabled },
                Life::Loaded { .. } | Life::Unconfigured { .. } => transport.life = Life::ShutdownDue { reason: Ending::ServiceDisabled },
                // Only the logon whose TransportLogon failed was logging on, and it is gone
                // already; one that raised a critical error stays critical (LIFE-17).
                Life::LoggedOn(logon) => {
                    logon.leave(Leave::ServiceDisabled);
                    doomed.push(TransportId(i as u8));
                }
                Life::ShutdownDue { .. } | Life::Gone { .. } => {}
            }
        }
        for t in doomed {
            self.messages.forget_transport(t);
        }
    }

    /// `TransportNotify` with the flags `sent` (about `message`, if any) returned (LIFE-9,
    /// LIFE-10, LIFE-12, LIFE-13, AMB-31, DEF-5).
    fn returned_transport_notify(
        &mut self,
        t: TransportId,
        sent: NotifyFlags,
        message: Option<MessageId>,
        flags: NotifyFlags,
        result: Hresult,
    ) -> Result<(), Error> {
        if flags != sent {
            return Err(Error::provider(t, ProviderFault::NotifyFlagsChanged { sent, returned: flags }));
        }
        if result.is_failure() {
            return Err(Error::provider(t, undocumented("TransportNotify", result, "S_OK")));
        }
        // The spooler notifies only a transport that is logged on.
        let Some(logon) = self.transports[t.index()].logon_mut() else { return Ok(()) };
        let begins = NotifyFlags::NOTIFY_BEGIN_INBOUND | NotifyFlags::NOTIFY_BEGIN_OUTBOUND;
        if sent.intersects(begins) && logon.row.is_none() {
            return Err(Error::provider(t, ProviderFault::NoStatusRowAtBegin { flags: sent }));
        }
        for (begin, end, enabled) in [
            (NotifyFlags::NOTIFY_BEGIN_INBOUND, NotifyFlags::NOTIFY_END_INBOUND, &mut logon.enabled.inbound),
            (NotifyFlags::NOTIFY_BEGIN_OUTBOUND, NotifyFlags::NOTIFY_END_OUTBOUND, &mut logon.enabled.outbound),
        ] {
            if sent.contains(begin) {
                *enabled = true;
            } else if sent.contains(end) {
                *enabled = false;
            }
        }
        if sent.contains(NotifyFlags::NOTIFY_END_INBOUND) {
            // RCV-2: polling ends and waiting mail is no longer fetched.
            logon.poll_due = false;
            logon.mail_waiting = false;
        }
        Self::flush_notified(logon, sent);
        if let (true, Some(m)) = (sent.contains(NotifyFlags::NOTIFY_ABORT_DEFERRED), message) {
            // AMB-34: the transport dropped its copy; the recipients go back to the queue.
            if let Some(msg) = self.messages.get_mut(m) {
                for d in msg.disp.iter_mut().filter(|d| d.holder() == Some(t)) {
                    *d = Disp::Pending { declined: d.declined() };
                }
            }
        }
        Ok(())
    }

    fn returned_outgoing_queue(&mut self, s: StoreId, result: Result<Vec<QueueRow>, Hresult>) -> Result<(), Error> {
        let rows = result.map_err(|h| Error::store(s, store_undocumented("GetOutgoingQueue", h, "S_OK")))?;
        for (i, row) in rows.iter().enumerate() {
            if row.store != s {
                return Err(Error::store(s, StoreFault::ForeignRow(row.store)));
            }
            if rows[..i].iter().any(|earlier| earlier.message == row.message) {
                return Err(Error::store(s, StoreFault::DuplicateRow(row.message)));
            }
            self.check_row(row)?;
        }
        for row in rows {
            if bug!(self, ForgetLockedAcrossRestart) && row.flags.contains(QueueFlags::SUBMITFLAG_LOCKED) {
                // The bug zoo: a locked row is taken for another spooler's and passed over (DEC-12).
                continue;
            }
            // A locked row was locked by this spooler before a restart: it is adopted as it is
            // (SUB-26 step 1 locks only a message that is not locked yet).
            self.add_row(row);
        }
        self.stores[s.index()] = StoreState::Watching;
        Ok(())
    }

    /// SUB-20: after a successful lock the message is the spooler's; a failed lock means it left
    /// the queue (an `AbortSubmit` won the race) and is forgotten.
    fn returned_set_lock_state(&mut self, s: StoreId, m: MessageId, state: LockState, result: Hresult) -> Result<(), Error> {
        match state {
            LockState::Locked if result.is_success() => {
                if !self.messages.lock(m) {
                    return Err(Error::store(s, StoreFault::RemovedWhileLocked(m)));
                }
            }
            LockState::Locked => {
                self.messages.remove(m);
            }
            LockState::Unlocked if result.is_success() => {
                self.messages.mark_unlocked(m);
                if self.messages.get(m).is_some_and(|msg| msg.stage == Stage::Aborting) {
                    // DEC-27: a cancelled message leaves the queue next.
                    self.aborting.push(m);
                }
            }
            LockState::Unlocked => return Err(Error::store(s, store_undocumented("SetLockState", result, "S_OK"))),
        }
        Ok(())
    }

    /// HOOK-2: the preprocessor may list undeliverable recipients, which get an NDR.
    fn returned_preprocess(
        &mut self,
        p: PreprocessorId,
        m: MessageId,
        result: Result<RecipientSet, Hresult>,
        fx: &mut Effects,
    ) -> Result<(), Error> {
        let owner = self.preprocessors[p.index()].owner;
        let undeliverable = result.map_err(|h| Error::provider(owner, undocumented("PreprocessMessage", h, "S_OK")))?;
        // The message is locked while it is preprocessed, so it is still there.
        let Some(msg) = self.messages.get(m) else { return Ok(()) };
        for r in undeliverable.iter() {
            match msg.disp.get(r.index()) {
                None => return Err(Error::provider(owner, ProviderFault::NoSuchRecipient { message: m, recipient: r })),
                Some(Disp::Pending { .. }) => {}
                Some(_) => return Err(Error::provider(owner, ProviderFault::NotOffered { message: m, recipient: r })),
            }
        }
        if let Some(msg) = self.messages.get_mut(m) {
            msg.stage = Stage::Preprocessing { next: p.get() + 1 };
            msg.preprocessed_by.get_or_insert_default().insert(p);
        }
        if !undeliverable.is_empty() {
            let outcome = RecipientOutcome::Undeliverable(NdrOrigin::Preprocessor(p));
            self.messages.settle(m, &undeliverable, outcome, Some(ReportKind::NonDelivery), fx);
        }
        Ok(())
    }
}
