//! How the world answers the call in flight.

use super::*;

impl World {
    // -----------------------------------------------------------------------------------------
    // Answering calls
    // -----------------------------------------------------------------------------------------

    /// Answers the call in flight as a transport or store following the documentation would,
    /// with the fault the choice picks; with no call in flight, lets the next thing happen.
    pub(crate) fn answer(&mut self, c: Choice) -> Result<(), String> {
        let Some(call) = self.in_flight.clone() else { return self.advance() };
        let ret = match call {
            Call::XpProviderInit { transport, .. } => {
                let result = match c.kind(24) {
                    1 => Err(Hresult::MAPI_E_VERSION),
                    2 => Ok(SpiVersion(0x0000_0100)),
                    3 => Ok(SpiVersion::PDK1),
                    _ => Ok(SpiVersion::CURRENT),
                };
                self.stats.event(match result {
                    Ok(SpiVersion::CURRENT) => "init ok",
                    _ => "init version fault",
                });
                Return::XpProviderInit { transport, result }
            }
            Call::ServiceConfigure { service } => {
                let result = if c.kind(4) == 1 { Hresult::MAPI_E_CALL_FAILED } else { Hresult::S_OK };
                self.feed(Input::Return(Return::ServiceConfigure { service, result }))?;
                for (i, s) in self.profile.transports.clone().iter().enumerate() {
                    if *s == service && self.ts[i].unconfigured {
                        self.ts[i].unconfigured = false;
                        self.ts[i].configured = result.is_success();
                    }
                }
                if result.is_failure() {
                    self.disable_service(service);
                }
                return Ok(());
            }
            Call::TransportLogon { transport: t, .. } => return self.answer_logon(t, c),
            Call::AddressTypes { transport: t } => {
                let registrations = self.spec.registrations(t);
                self.feed(Input::Return(Return::AddressTypes { transport: t, result: Ok(registrations) }))?;
                let s = &mut self.ts[t.index()];
                s.registered = true;
                s.ever_registered = true;
                if s.row.is_none() {
                    // The operational model's step 4: the row comes after AddressTypes (LIFE-9).
                    let flags = StatusRowFlags::EMPTY;
                    self.feed(Input::Support(SupportCall::ModifyStatusRow { transport: t, flags, status: StatusCode::STATUS_AVAILABLE }))?;
                    self.ts[t.index()].row = Some(StatusCode::STATUS_AVAILABLE);
                }
                return Ok(());
            }
            Call::TransportNotify { transport: t, flags, message } => {
                let s = &self.ts[t.index()];
                let (mut inbound, mut outbound) = (s.inbound, s.outbound);
                for (begin, end, on) in [
                    (NotifyFlags::NOTIFY_BEGIN_INBOUND, NotifyFlags::NOTIFY_END_INBOUND, &mut inbound),
                    (NotifyFlags::NOTIFY_BEGIN_OUTBOUND, NotifyFlags::NOTIFY_END_OUTBOUND, &mut outbound),
                ] {
                    if flags.contains(begin) {
                        *on = true;
                    } else if flags.contains(end) {
                        *on = false;
                    }
                }
                if let Some(row) = s.row {
                    // LIFE-10: the row reflects the directions before the call returns.
                    let mut status = row.without(StatusCode::STATUS_INBOUND_ENABLED | StatusCode::STATUS_OUTBOUND_ENABLED);
                    if inbound {
                        status = status | StatusCode::STATUS_INBOUND_ENABLED;
                    }
                    if outbound {
                        status = status | StatusCode::STATUS_OUTBOUND_ENABLED;
                    }
                    if status != row {
                        let flags = StatusRowFlags::STATUSROW_UPDATE;
                        self.feed(Input::Support(SupportCall::ModifyStatusRow { transport: t, flags, status }))?;
                        self.ts[t.index()].row = Some(status);
                    }
                }
                self.feed(Input::Return(Return::TransportNotify { transport: t, flags, result: Hresult::S_OK }))?;
                let s = &mut self.ts[t.index()];
                s.inbound = inbound;
                s.outbound = outbound;
                if let (true, Some(m)) = (flags.contains(NotifyFlags::NOTIFY_ABORT_DEFERRED), message) {
                    // DEF-5: the transport drops its deferred copy.
                    self.held.remove(&(t, m));
                    self.stats.event("abort deferred");
                }
                return Ok(());
            }
            Call::Idle { transport } => {
                self.stats.event("idle");
                Return::Idle { transport, result: Hresult::S_OK }
            }
            Call::SubmitMessage { transport, message, flags, offered } => {
                return self.answer_submit(transport, message, flags, &offered, c);
            }
            Call::EndMessage { transport: t, msg_ref } => {
                let flags = match c.kind(8) {
                    1 => EndFlags::END_RESEND_NOW,
                    2 => EndFlags::END_RESEND_LATER,
                    3 => EndFlags::END_DONT_RESEND,
                    _ => EndFlags::EMPTY,
                };
                self.stats.event(match c.kind(8) {
                    1 => "end resend now",
                    2 => "end resend later",
                    3 => "end don't resend",
                    _ => "end sent",
                });
                let open = self.ts[t.index()].open.take();
                self.feed(Input::Return(Return::EndMessage { transport: t, msg_ref, result: Ok(flags) }))?;
                if let (EndFlags::END_DONT_RESEND, Some((m, kept))) = (flags, open)
                    && !kept.is_empty()
                    && !self.ts[t.index()].critical
                    && !self.service_disabled(t)
                {
                    // DEF-2: the transport holds them until it sends NOTIFY_SENTDEFERRED.
                    self.held.insert((t, m));
                }
                return Ok(());
            }
            Call::TransportLogoff { transport: t } => {
                // ERR-10: whatever it returns, the logon is over.
                let result = if c.kind(6) == 1 { Hresult::MAPI_E_CALL_FAILED } else { Hresult::S_OK };
                self.feed(Input::Return(Return::TransportLogoff { transport: t, result }))?;
                let s = &mut self.ts[t.index()];
                s.live = false;
                s.registered = false;
                s.row = None;
                s.inbound = false;
                s.outbound = false;
                s.critsec = false;
                s.open = None;
                self.held.retain(|(h, _)| *h != t);
                return Ok(());
            }
            Call::Shutdown { transport } => Return::Shutdown { transport, result: Hresult::S_OK },
            Call::SpoolerLogon { store } => {
                let result = match c.kind(16) {
                    1 => Hresult::MAPI_E_UNCONFIGURED,
                    2 => Hresult::MAPI_W_ERRORS_RETURNED,
                    _ => Hresult::S_OK,
                };
                self.feed(Input::Return(Return::SpoolerLogon { store, result }))?;
                if result == Hresult::MAPI_E_UNCONFIGURED {
                    self.unserved[store.index()] = true;
                    self.stats.event("store unserved");
                }
                return Ok(());
            }
            Call::GetOutgoingQueue { store } => {
                let rows = self.stores[store.index()].outgoing_queue();
                if rows.iter().any(|r| r.flags.contains(QueueFlags::SUBMITFLAG_LOCKED)) {
                    self.stats.event("locked message adopted");
                }
                self.feed(Input::Return(Return::GetOutgoingQueue { store, result: Ok(rows) }))?;
                self.watching[store.index()] = true;
                return Ok(());
            }
            Call::SetLockState { store, message, state } => {
                let result = self.stores[store.index()].set_lock_state(message, state);
                if result.is_failure() {
                    self.stats.event("lock lost to an abort");
                }
                Return::SetLockState { store, message, state, result }
            }
            Call::PreprocessMessage { preprocessor, message } => {
                self.stats.event("preprocess");
                let undeliverable = if c.kind(2) == 1 { subset(&self.open_recipients(message), c.bits) } else { RecipientSet::new() };
                Return::PreprocessMessage { preprocessor, message, result: Ok(undeliverable) }
            }
            Call::SubmitPreprocessed { store, message } => {
                Return::SubmitPreprocessed { store, message, result: self.stores[store.index()].submit_preprocessed(message) }
            }
            Call::RemovePreprocessInfo { preprocessor, message } => {
                self.stats.event("remove preprocess info");
                Return::RemovePreprocessInfo { preprocessor, message, result: Hresult::S_OK }
            }
            // The transports of these worlds have no inbound mail (RCV-1).
            Call::Poll { transport } => Return::Poll { transport, incoming: 0, result: Hresult::S_OK },
            Call::CreateMessage { store } => Return::CreateMessage { store, result: Ok(self.stores[store.index()].create_inbound()) },
            Call::StartMessage { transport, message } if self.cancel_seen => {
                // RCV-13: the transport keeps the item; nothing was saved.
                self.stats.event("inbound cancelled");
                Return::StartMessage { transport, message, result: Err(Hresult::MAPI_E_USER_CANCEL) }
            }
            Call::StartMessage { transport, message } => {
                self.stats.event("inbound fetch");
                Return::StartMessage { transport, message, result: Ok(mapi_spooler::Delivery::Empty) }
            }
            Call::NotifyNewMail { store, message } => {
                Return::NotifyNewMail { store, message, result: self.stores[store.index()].notify_new_mail(message) }
            }
            Call::InboundMsgHook { hook, message, .. } => {
                Return::InboundMsgHook { hook, message, result: Ok(mapi_spooler::HookOutcome::KEEP) }
            }
            Call::FinishedMsg { store, message } => {
                let result = self.stores[store.index()].finished_msg(message, SentMailHook::None);
                Return::FinishedMsg { store, message, result }
            }
            Call::AbortSubmit { store, message } => {
                Return::AbortSubmit { store, message, result: self.stores[store.index()].abort_submit(message) }
            }
            // STAT-10, STAT-11, STAT-19: status calls come only from status requests, which this
            // world does not make; they are answered as documented all the same.
            Call::OpenStatusEntry { transport } => Return::OpenStatusEntry { transport, result: Hresult::S_OK },
            Call::ValidateState { transport, .. } => Return::ValidateState { transport, result: Hresult::MAPI_E_BUSY },
            Call::FlushQueues { transport, .. } => Return::FlushQueues { transport, result: Hresult::S_OK },
        };
        self.feed(Input::Return(ret))
    }

    /// The recipients of a message whose `PR_RESPONSIBILITY` is FALSE in the store.
    pub(crate) fn open_recipients(&self, m: MessageId) -> RecipientSet {
        let msg = self.stores[store_of(m).index()].message(m).expect("the store has the message");
        msg.recipients.iter().enumerate().filter(|(_, r)| !r.row.responsibility).map(|(i, _)| RecipientIdx(i as u16)).collect()
    }

    pub(crate) fn disable_service(&mut self, service: ServiceId) {
        self.disabled_services |= 1 << service.index();
        let doomed: Vec<TransportId> =
            self.profile.transports.iter().enumerate().filter(|(_, s)| **s == service).map(|(i, _)| TransportId(i as u8)).collect();
        self.held.retain(|(t, _)| !doomed.contains(t));
        self.stats.event("service disabled");
        if doomed.len() > 1 {
            // INV-6 judges the other transports of the service: none may be logged on again.
            self.stats.event("service of several transports disabled");
        }
    }

    /// LIFE-4 to LIFE-6, HOOK-1, LIFE-9.
    pub(crate) fn answer_logon(&mut self, t: TransportId, c: Choice) -> Result<(), String> {
        let i = t.index();
        let result = match c.kind(24) {
            1 => Err(Hresult::MAPI_E_FAILONEPROVIDER),
            2 => Err(Hresult::MAPI_E_UNCONFIGURED),
            3 => Err(Hresult::MAPI_E_LOGON_FAILED),
            _ => Ok(if self.spec.transports[i].idle { LogonCaps::LOGON_SP_IDLE } else { LogonCaps::EMPTY }),
        };
        if result.is_ok() {
            if let Some((uid, addr)) = self.spec.transports[i].preprocessor {
                let filter = PreprocessorFilter { uid: uid.map(MapiUid), addr_type: addr.map(AddrType) };
                self.feed(Input::Support(SupportCall::RegisterPreprocessor { transport: t, filter }))?;
            }
            if self.spec.transports[i].row_during_logon {
                let flags = StatusRowFlags::EMPTY;
                self.feed(Input::Support(SupportCall::ModifyStatusRow { transport: t, flags, status: StatusCode::STATUS_AVAILABLE }))?;
                self.ts[i].row = Some(StatusCode::STATUS_AVAILABLE);
            }
        }
        self.feed(Input::Return(Return::TransportLogon { transport: t, result }))?;
        match result {
            Ok(_) => {
                self.ts[i].live = true;
                self.stats.event("logon ok");
            }
            Err(Hresult::MAPI_E_FAILONEPROVIDER) => self.stats.event("logon failoneprovider"),
            Err(Hresult::MAPI_E_UNCONFIGURED) if !self.ts[i].configured => {
                self.ts[i].unconfigured = true;
                self.stats.event("logon unconfigured");
            }
            Err(_) => {
                let service = self.profile.transports[i];
                self.disable_service(service);
            }
        }
        Ok(())
    }

    /// SUB-28, SUB-30, SUB-33, ERR-1 to ERR-7, SUB-35.
    pub(crate) fn answer_submit(
        &mut self,
        t: TransportId,
        m: MessageId,
        flags: SubmitFlags,
        offered: &RecipientSet,
        c: Choice,
    ) -> Result<(), String> {
        let i = t.index();
        let deferred = flags.contains(SubmitFlags::BEGIN_DEFERRED);
        if deferred {
            self.stats.event("submit begin deferred");
        }
        if c.fault != 0 && c.bits & (1 << 31) != 0 {
            self.feed(Input::Support(SupportCall::SpoolerYield { transport: t }))?;
            self.stats.event("yield");
        }
        let kinds = |set: &RecipientSet, bits: u32| -> Vec<(RecipientIdx, ReportKind)> {
            set.iter()
                .enumerate()
                .map(|(k, r)| (r, if (bits >> (k % 32)) & 1 == 1 { ReportKind::Delivery } else { ReportKind::NonDelivery }))
                .collect()
        };
        let mut kind = c.kind(12);
        if self.ts[i].critical && !matches!(kind, 3..=9) {
            // ERR-7: after NOTIFY_CRITICAL_ERROR the transport must return an error.
            kind = 8;
        }
        let delay = u32::from(c.delay % 40);
        let bits = c.bits;
        let (mut accepted, mut reports, mut failure) = (RecipientSet::new(), Vec::new(), None);
        let mut msg_ref_zero = false;
        if self.cancel_seen && !self.ts[i].critical && bits & 1 == 0 {
            // DEF-7, DEF-8: the transport stops at the cancel, keeping what it saved; Kopano's
            // MAPI_E_CANCEL is taken like MAPI_E_USER_CANCEL (DEC-28).
            let result = if bits & 2 == 0 || deferred { Hresult::MAPI_E_USER_CANCEL } else { Hresult::MAPI_E_CANCEL };
            kind = 12;
            failure = Some((result, 0, subset(offered, bits >> 2)));
        }
        match kind {
            12 => {}
            0 => accepted = offered.clone(),
            1 => accepted = subset(offered, bits),
            2 => {
                accepted = subset(offered, bits);
                reports = kinds(&subset(&accepted, bits.rotate_left(7)), bits >> 3);
            }
            3 => failure = Some((Hresult::MAPI_E_BUSY, 0, RecipientSet::new())),
            4 => failure = Some((Hresult::MAPI_E_NOT_ME, 0, RecipientSet::new())),
            5 => failure = Some((Hresult::MAPI_E_WAIT, delay, RecipientSet::new())),
            6 => failure = Some((Hresult::MAPI_E_NETWORK_ERROR, delay, RecipientSet::new())),
            7 => {
                if !self.ts[i].critical {
                    let flags = SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR;
                    self.feed(Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(t), flags, message: None }))?;
                    self.critical(t);
                }
                failure = Some((Hresult::MAPI_E_CALL_FAILED, 0, RecipientSet::new()));
            }
            8 => failure = Some((Hresult::MAPI_E_CALL_FAILED, 0, subset(offered, bits))),
            9 => {
                let saved = subset(offered, bits);
                reports = kinds(&subset(&saved, bits.rotate_left(11)), bits >> 5);
                failure = Some((Hresult::MAPI_E_WAIT, delay, saved));
            }
            10 if deferred => failure = Some((Hresult::MAPI_E_CANCEL, 0, subset(offered, bits))),
            10 => {
                accepted = offered.clone();
                reports = kinds(offered, bits);
            }
            _ => {
                accepted = offered.clone();
                msg_ref_zero = true;
            }
        }
        self.stats.event(match (kind, &failure) {
            (_, Some((h, _, saved))) => match *h {
                Hresult::MAPI_E_BUSY => "submit busy",
                Hresult::MAPI_E_NOT_ME => "submit not me",
                Hresult::MAPI_E_WAIT if saved.is_empty() => "submit wait",
                Hresult::MAPI_E_WAIT => "submit wait after saving",
                Hresult::MAPI_E_NETWORK_ERROR => "submit network error",
                Hresult::MAPI_E_CANCEL if kind == 12 => "submit stopped by a cancel",
                Hresult::MAPI_E_USER_CANCEL => "submit stopped by a cancel",
                Hresult::MAPI_E_CANCEL => "submit cancel",
                _ if kind == 7 => "submit critical error",
                _ => "submit other error",
            },
            (0 | 11, None) => "submit ok all",
            _ if accepted.len() < offered.len() => "submit ok partial",
            _ => "submit ok with reports",
        });
        if !reports.is_empty() {
            self.feed(Input::Support(SupportCall::StatusRecips { transport: t, message: m, reports: reports.clone() }))?;
            self.stats.event("status recips");
        }
        let outcome = match failure {
            None => {
                let msg_ref = if msg_ref_zero {
                    MsgRef(0)
                } else {
                    self.ts[i].next_ref += 1;
                    MsgRef(self.ts[i].next_ref)
                };
                let reported: RecipientSet = reports.iter().map(|(r, _)| *r).collect();
                self.ts[i].open = Some((m, accepted.difference(&reported)));
                SubmitOutcome::Accepted { msg_ref, accepted }
            }
            Some((result, return_parm, saved)) => {
                // SUB-33: what the transport saved itself before failing stays saved.
                self.stores[store_of(m).index()].save_by_transport(m, &saved, t);
                SubmitOutcome::Failed { result, return_parm, saved }
            }
        };
        self.feed(Input::Return(Return::SubmitMessage { transport: t, message: m, outcome }))
    }

    pub(crate) fn critical(&mut self, t: TransportId) {
        self.ts[t.index()].critical = true;
        self.held.retain(|(h, _)| *h != t);
        self.stats.event("critical error");
    }

    /// With no call in flight: a held deferral is announced (DEF-2), or time passes to the next
    /// retry deadline.
    pub(crate) fn advance(&mut self) -> Result<(), String> {
        if self.in_flight.is_some() || self.stopped() {
            return Ok(());
        }
        if let Some(&(t, m)) = self.held.iter().next() {
            return self.sent_deferred(t, m);
        }
        if let Some(at) = self.spooler.next_deadline() {
            let seconds = u32::try_from(at.0 - self.spooler.now().0).unwrap_or(u32::MAX);
            self.feed(Input::TimePassed { seconds })?;
        }
        Ok(())
    }

    pub(crate) fn sent_deferred(&mut self, t: TransportId, m: MessageId) -> Result<(), String> {
        self.held.remove(&(t, m));
        self.stats.event("sent deferred");
        let flags = SpoolerNotifyFlags::NOTIFY_SENTDEFERRED;
        self.feed(Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(t), flags, message: Some(m) }))
    }

    /// Runs the world for up to `limit` steps, answering with `rng`'s faults (or well), until it
    /// is quiet. Returns whether it is.
    pub(crate) fn run(&mut self, limit: usize, mut rng: Option<SplitMix64>) -> Result<bool, String> {
        for _ in 0..limit {
            if self.quiet() {
                return Ok(true);
            }
            let c = match &mut rng {
                Some(rng) => {
                    let fault = if rng.below(100) < u64::from(self.fault_percent) { 1 + rng.below(255) as u8 } else { 0 };
                    Choice { fault, bits: rng.next_u64() as u32, delay: rng.below(256) as u8 }
                }
                None => Choice::GOOD,
            };
            self.answer(c)?;
        }
        Ok(self.quiet())
    }
}
