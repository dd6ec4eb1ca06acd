//! How the world answers the call in flight: the property test's policy, which picks among the
//! documented answers with the generated choice, and keeps the case's record.

use super::*;

impl Policy for Chooser<'_> {
    fn stepped(&mut self, world: &mapi_spooler::world::World, step: &Step<'_>) {
        let own = &mut *self.own;
        own.inputs += 1;
        let n = own.inputs;
        let effects = match step.outcome {
            Err(error) => {
                own.trace.push(Entry::Input { n, input: step.input.clone(), result: Err(format!("REFUSED: {error}")) });
                own.fail(format!("the spooler refused input {n}, which the documentation allows: {error}"));
                return;
            }
            Ok(effects) => effects,
        };
        own.trace.push(Entry::Input { n, input: step.input.clone(), result: Ok(effects.clone()) });
        own.stats.inputs += 1;
        match step.breach {
            Some(Breach::Violation(v)) => return own.fail(format!("the protocol monitor reports, at input {n}: {v}")),
            Some(breach) => return own.fail(format!("{breach} (input {n})")),
            None => {}
        }
        for effect in effects {
            match effect {
                Effect::Report { kind: ReportKind::Delivery, .. } => own.stats.event("report DR"),
                Effect::Report { kind: ReportKind::NonDelivery, .. } => own.stats.event("report NDR"),
                Effect::SaveRecipients { outcome: RecipientOutcome::Undeliverable(NdrOrigin::Preprocessor(_)), .. } => {
                    own.stats.event("undeliverable by preprocessor");
                }
                _ => {}
            }
        }
        if !own.fault.is_some_and(Fault::for_monitor) {
            // With a seeded fault aimed at the monitor, the reference model stands aside.
            match own.reference.observe(step.input, effects) {
                Err(e) => return own.fail(format!("the reference model refuses input {n}: {e}")),
                Ok(touched) => {
                    if let Err(e) = own.reference.agrees(world.stores(), touched) {
                        return own.fail(format!("after input {n}: {e}"));
                    }
                }
            }
        }
        if let Input::Return(ret) = step.input {
            match ret {
                Return::GetOutgoingQueue { result: Ok(rows), .. }
                    if rows.iter().any(|r| r.flags.contains(QueueFlags::SUBMITFLAG_LOCKED)) =>
                {
                    own.stats.event("locked message adopted");
                }
                Return::SetLockState { result, .. } if result.is_failure() => own.stats.event("lock lost to an abort"),
                Return::SpoolerLogon { store, result: Hresult::MAPI_E_UNCONFIGURED } => {
                    own.unserved[store.index()] = true;
                    own.stats.event("store unserved");
                }
                _ => {}
            }
            own.last_return = Some(ret.clone());
        }
    }

    fn noted(&mut self, note: &Note<'_>) {
        let own = &mut *self.own;
        match note {
            Note::Submitted { store, result: Ok(row), .. } => {
                own.trace.push(Entry::Note(format!(
                    "client -> {store}.SubmitMessage({} to {} recipients) => S_OK",
                    row.message,
                    row.recipients.len()
                )));
                own.stats.messages += 1;
                own.stats.most_recipients = own.stats.most_recipients.max(row.recipients.len());
                own.submitted.push((*store, row.message));
                own.reference.submitted(row);
            }
            Note::Aborted { store, message, result } => {
                own.trace.push(Entry::Note(format!("client -> {store}.AbortSubmit({message}) => {result}")));
                if *result != Hresult::S_OK {
                    return own.stats.event("abort refused");
                }
                own.stats.event("abort ok");
                if !own.fault.is_some_and(Fault::for_monitor)
                    && let Err(e) = own.reference.aborted(*message)
                {
                    own.fail(e);
                }
            }
            Note::Crashed => {
                own.trace.push(Entry::Note("CRASH: the spooler process dies; a new one starts against the same stores".to_owned()));
                own.stats.crashes += 1;
            }
            _ => {}
        }
    }

    fn halted(&self) -> bool {
        self.own.failure.is_some()
    }

    fn alter(&mut self, effects: &mut Effects) {
        match self.own.fault {
            Some(Fault::DuplicateReport) => {
                if let Some(i) = effects.iter().position(|e| matches!(e, Effect::Report { .. })) {
                    let copy = effects[i].clone();
                    effects.insert(i + 1, copy);
                }
            }
            Some(Fault::DropSave) => {
                if let Some(i) = effects.iter().position(|e| matches!(e, Effect::SaveRecipients { .. })) {
                    effects.remove(i);
                }
            }
            Some(Fault::DropReport) => {
                if let Some(i) = effects.iter().position(|e| matches!(e, Effect::Report { .. })) {
                    effects.remove(i);
                }
            }
            Some(Fault::Zoo(_)) | None => {}
        }
    }

    fn version(&mut self, _world: &mapi_spooler::world::World, _t: TransportId) -> Result<SpiVersion, Hresult> {
        let result = match self.choice.kind(24) {
            1 => Err(Hresult::MAPI_E_VERSION),
            2 => Ok(SpiVersion(0x0000_0100)),
            3 => Ok(SpiVersion::PDK1),
            _ => Ok(SpiVersion::CURRENT),
        };
        self.own.stats.event(if result == Ok(SpiVersion::CURRENT) { "init ok" } else { "init version fault" });
        result
    }

    fn configure(&mut self, _world: &mapi_spooler::world::World, _service: ServiceId) -> Hresult {
        if self.choice.kind(4) == 1 { Hresult::MAPI_E_CALL_FAILED } else { Hresult::S_OK }
    }

    /// LIFE-4 to LIFE-6, HOOK-1, LIFE-9.
    fn logon(&mut self, _world: &mapi_spooler::world::World, t: TransportId) -> LogonAnswer {
        let spec = &self.spec.transports[t.index()];
        let result = match self.choice.kind(24) {
            1 => Err(Hresult::MAPI_E_FAILONEPROVIDER),
            2 => Err(Hresult::MAPI_E_UNCONFIGURED),
            3 => Err(Hresult::MAPI_E_LOGON_FAILED),
            _ => Ok(if spec.idle { LogonCaps::LOGON_SP_IDLE } else { LogonCaps::EMPTY }),
        };
        let preprocessors =
            spec.preprocessor.map(|(uid, addr)| PreprocessorFilter { uid: uid.map(MapiUid), addr_type: addr.map(AddrType) });
        LogonAnswer { result, preprocessors: preprocessors.into_iter().collect(), row_now: spec.row_during_logon }
    }

    fn registrations(&mut self, _world: &mapi_spooler::world::World, t: TransportId) -> Result<Registrations, Hresult> {
        Ok(self.spec.registrations(t))
    }

    fn notify(&mut self, _world: &mapi_spooler::world::World, _t: TransportId, flags: NotifyFlags) -> (NotifyFlags, Hresult) {
        if flags.contains(NotifyFlags::NOTIFY_ABORT_DEFERRED) {
            // DEF-5: the transport drops its deferred copy.
            self.own.stats.event("abort deferred");
        }
        (flags, Hresult::S_OK)
    }

    /// SUB-28, SUB-30, SUB-33, ERR-1 to ERR-7, SUB-35.
    fn submit(
        &mut self,
        world: &mapi_spooler::world::World,
        t: TransportId,
        _m: MessageId,
        flags: SubmitFlags,
        offered: &RecipientSet,
    ) -> Submission {
        let (c, own) = (self.choice, &mut *self.own);
        let i = t.index();
        let deferred = flags.contains(SubmitFlags::BEGIN_DEFERRED);
        if deferred {
            own.stats.event("submit begin deferred");
        }
        let yields = c.fault != 0 && c.bits & (1 << 31) != 0;
        if yields {
            own.stats.event("yield");
        }
        let kinds = |set: &RecipientSet, bits: u32| -> Vec<(RecipientIdx, ReportKind)> {
            set.iter()
                .enumerate()
                .map(|(k, r)| (r, if (bits >> (k % 32)) & 1 == 1 { ReportKind::Delivery } else { ReportKind::NonDelivery }))
                .collect()
        };
        let critical = matches!(world.transport(t), Transport::Critical(_));
        let mut kind = c.kind(12);
        if critical && !matches!(kind, 3..=9) {
            // ERR-7: after NOTIFY_CRITICAL_ERROR the transport must return an error.
            kind = 8;
        }
        let delay = u32::from(c.delay % 40);
        let bits = c.bits;
        let (mut accepted, mut reports, mut failure) = (RecipientSet::new(), Vec::new(), None);
        let mut msg_ref_zero = false;
        let mut raises = false;
        if world.cancel_told() && !critical && bits & 1 == 0 {
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
                raises = !critical;
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
        own.stats.event(match (kind, &failure) {
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
        if raises {
            own.critical_raised = Some(t);
        }
        if !reports.is_empty() {
            own.stats.event("status recips");
        }
        let outcome = match failure {
            None => {
                let msg_ref = if msg_ref_zero {
                    MsgRef(0)
                } else {
                    own.refs[i] += 1;
                    MsgRef(own.refs[i])
                };
                SubmitOutcome::Accepted { msg_ref, accepted }
            }
            // SUB-33: what the transport saved itself before failing stays saved.
            Some((result, return_parm, saved)) => SubmitOutcome::Failed { result, return_parm, saved },
        };
        Submission { yields, critical: raises, reports, outcome }
    }

    fn end(&mut self, _world: &mapi_spooler::world::World, _t: TransportId, _msg_ref: MsgRef) -> Result<EndFlags, Hresult> {
        let (flags, event) = match self.choice.kind(8) {
            1 => (EndFlags::END_RESEND_NOW, "end resend now"),
            2 => (EndFlags::END_RESEND_LATER, "end resend later"),
            3 => (EndFlags::END_DONT_RESEND, "end don't resend"),
            _ => (EndFlags::EMPTY, "end sent"),
        };
        self.own.stats.event(event);
        Ok(flags)
    }

    fn start(&mut self, world: &mapi_spooler::world::World, _t: TransportId, _message: MessageId) -> Start {
        if world.cancel_told() {
            // RCV-13: the transport keeps the item; nothing was saved.
            self.own.stats.event("inbound cancelled");
            return Start::Fails(Hresult::MAPI_E_USER_CANCEL);
        }
        // The transports of these worlds have no inbound mail (RCV-1).
        self.own.stats.event("inbound fetch");
        Start::Empty
    }

    // STAT-10, STAT-11, STAT-19: status calls come only from status requests, which this world
    // does not make; they are answered as documented all the same.
    fn validate(&mut self, _world: &mapi_spooler::world::World, _t: TransportId) -> Hresult {
        Hresult::MAPI_E_BUSY
    }

    fn result(&mut self, _world: &mapi_spooler::world::World, call: &Call) -> Hresult {
        let c = self.choice;
        let kind = |n| c.kind(n);
        match call {
            Call::Idle { .. } => {
                self.own.stats.event("idle");
                Hresult::S_OK
            }
            // ERR-10: whatever it returns, the logon is over.
            Call::TransportLogoff { .. } if kind(6) == 1 => Hresult::MAPI_E_CALL_FAILED,
            Call::SpoolerLogon { .. } => match kind(16) {
                1 => Hresult::MAPI_E_UNCONFIGURED,
                2 => Hresult::MAPI_W_ERRORS_RETURNED,
                _ => Hresult::S_OK,
            },
            Call::RemovePreprocessInfo { .. } => {
                self.own.stats.event("remove preprocess info");
                Hresult::S_OK
            }
            _ => Hresult::S_OK,
        }
    }

    fn preprocess(&mut self, world: &mapi_spooler::world::World, _p: PreprocessorId, message: MessageId) -> Result<RecipientSet, Hresult> {
        self.own.stats.event("preprocess");
        Ok(if self.choice.kind(2) == 1 { subset(&open_recipients(world, message), self.choice.bits) } else { RecipientSet::new() })
    }
}

impl Own {
    /// The first thing that went wrong in the case.
    pub(crate) fn fail(&mut self, error: String) {
        self.failure.get_or_insert(error);
    }
}

/// The recipients of a message whose `PR_RESPONSIBILITY` is FALSE in the store.
pub(crate) fn open_recipients(world: &mapi_spooler::world::World, m: MessageId) -> RecipientSet {
    let msg = world.store(store_of(m)).message(m).expect("the store has the message");
    msg.recipients.iter().enumerate().filter(|(_, r)| !r.row.responsibility).map(|(i, _)| RecipientIdx(i as u16)).collect()
}

impl World {
    // -----------------------------------------------------------------------------------------
    // Answering calls
    // -----------------------------------------------------------------------------------------

    /// Answers the call in flight as a transport or store following the documentation would,
    /// with the fault the choice picks; with no call in flight, lets the next thing happen.
    pub(crate) fn answer(&mut self, c: Choice) -> Result<(), String> {
        if self.world.spooler().call_in_flight().is_none() {
            return self.advance();
        }
        self.own.last_return = None;
        self.drive(c, |w, p| w.answer(p))?;
        if let Some(t) = self.own.critical_raised.take() {
            self.raised_critical_error(t);
        }
        // What the transports and stores remember of the answer the spooler accepted.
        match self.own.last_return.take() {
            Some(Return::ServiceConfigure { service, result }) => {
                for (i, s) in self.profile.transports.clone().iter().enumerate() {
                    let t = TransportId(i as u8);
                    if *s == service && self.own.unconfigured.contains(t) {
                        self.own.unconfigured.remove(t);
                        if result.is_success() {
                            self.own.configured.insert(t);
                        }
                    }
                }
                if result.is_failure() {
                    self.disable_service(service);
                }
            }
            Some(Return::TransportLogon { transport: t, result }) => match result {
                Ok(_) => self.own.stats.event("logon ok"),
                Err(Hresult::MAPI_E_FAILONEPROVIDER) => self.own.stats.event("logon failoneprovider"),
                Err(Hresult::MAPI_E_UNCONFIGURED) if !self.own.configured.contains(t) => {
                    self.own.unconfigured.insert(t);
                    self.own.stats.event("logon unconfigured");
                }
                Err(_) => {
                    let service = self.profile.transports[t.index()];
                    self.disable_service(service);
                }
            },
            Some(Return::AddressTypes { transport, .. }) => self.own.registered.insert(transport),
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn disable_service(&mut self, service: ServiceId) {
        self.own.disabled_services |= 1 << service.index();
        let mut doomed = 0;
        for (i, s) in self.profile.transports.iter().enumerate() {
            if *s == service {
                self.world.take_out_of_service(TransportId(i as u8));
                doomed += 1;
            }
        }
        self.own.stats.event("service disabled");
        if doomed > 1 {
            // INV-6 judges the other transports of the service: none may be logged on again.
            self.own.stats.event("service of several transports disabled");
        }
    }

    /// A transport raised a critical error: it drops the deferred messages it holds.
    pub(crate) fn raised_critical_error(&mut self, t: TransportId) {
        self.world.forget_held(t);
        self.own.stats.event("critical error");
    }

    /// With no call in flight: a held deferral is announced (DEF-2), or time passes to the next
    /// retry deadline.
    pub(crate) fn advance(&mut self) -> Result<(), String> {
        if self.world.spooler().call_in_flight().is_some() || self.stopped() {
            return Ok(());
        }
        if let Some(&(t, m)) = self.world.held().iter().min() {
            return self.sent_deferred(t, m);
        }
        self.drive(Choice::GOOD, |w, p| w.pass_time(p)).map(|_| ())
    }

    pub(crate) fn sent_deferred(&mut self, t: TransportId, m: MessageId) -> Result<(), String> {
        self.own.stats.event("sent deferred");
        self.drive(Choice::GOOD, |w, p| w.sent_deferred(t, m, p)).map(|_| ())
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
                    let fault = if rng.below(100) < u64::from(self.own.fault_percent) { 1 + rng.below(255) as u8 } else { 0 };
                    Choice { fault, bits: rng.next_u64() as u32, delay: rng.below(256) as u8 }
                }
                None => Choice::GOOD,
            };
            self.answer(c)?;
        }
        Ok(self.quiet())
    }
}
