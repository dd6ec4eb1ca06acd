//! The world's actions, and the pool of forbidden inputs.

use super::*;

impl World {
    // -----------------------------------------------------------------------------------------
    // Actions
    // -----------------------------------------------------------------------------------------

    pub(crate) fn act(&mut self, action: &Action) -> Result<(), String> {
        let n = self.spec.transports.len();
        match action {
            Action::Answer(c) => self.answer(*c)?,
            Action::Burst { count, seed } => {
                self.run(usize::from(*count), Some(SplitMix64::new(*seed)))?;
            }
            Action::Settle => {
                if !self.run(SETTLE_LIMIT, None)? {
                    return Err(format!("the world did not settle within {SETTLE_LIMIT} steps"));
                }
            }
            Action::Submit(d) => self.submit(d)?,
            Action::Abort(pick) => {
                let queued: Vec<(StoreId, MessageId)> =
                    self.own.submitted.iter().copied().filter(|(s, m)| self.world.store(*s).is_queued(*m)).collect();
                if !queued.is_empty() {
                    let (s, m) = queued[usize::from(*pick) % queued.len()];
                    self.drive(Choice::GOOD, |w, p| w.abort(s, m, p))?;
                }
            }
            Action::Time(seconds) if !self.stopped() => self.feed(Input::TimePassed { seconds: *seconds })?,
            Action::Idle if !self.stopped() => self.feed(Input::SystemIdle)?,
            Action::Notify(t, kind) => {
                let t = TransportId(t % n as u8);
                if !self.live(t) {
                    return Ok(());
                }
                let caller = Caller::Transport(t);
                let notify = |flags| Input::Support(SupportCall::SpoolerNotify { caller, flags, message: None });
                match kind {
                    NotifyKind::ReadyToSend => self.feed(notify(SpoolerNotifyFlags::NOTIFY_READYTOSEND))?,
                    NotifyKind::ConfigChange => {
                        self.feed(notify(SpoolerNotifyFlags::NOTIFY_CONFIG_CHANGE))?;
                        self.own.stats.event("config change");
                    }
                    NotifyKind::CriticalSection => {
                        let open = self.world.transport(t).in_critical_section();
                        self.drive(Choice::GOOD, |w, p| w.critical_section(t, !open, p))?;
                    }
                    NotifyKind::CriticalError if !matches!(self.world.transport(t), Transport::Critical(_)) => {
                        self.drive(Choice::GOOD, |w, p| w.critical_error(t, p))?;
                        self.raised_critical_error(t);
                    }
                    NotifyKind::CriticalError => {}
                    NotifyKind::SentDeferred => {
                        let held = self
                            .world
                            .held()
                            .iter()
                            .copied()
                            .filter(|(h, _)| *h == t)
                            .min()
                            .or_else(|| self.world.held().iter().copied().min());
                        if let Some((h, m)) = held {
                            self.sent_deferred(h, m)?;
                        }
                    }
                }
            }
            // SUB-6: the call waits until the transports are set up.
            Action::StoreReady(s) if !self.stopped() && self.world.spooler().status_table_ready() => {
                let store = StoreId(s % self.spec.stores);
                let flags = SpoolerNotifyFlags::NOTIFY_READYTOSEND;
                self.feed(Input::Support(SupportCall::SpoolerNotify { caller: Caller::Store(store), flags, message: None }))?;
            }
            Action::Yield => {
                let in_flight = self.world.spooler().call_in_flight();
                let with_logon = matches!(
                    in_flight,
                    Some(
                        Call::TransportLogon { .. }
                            | Call::AddressTypes { .. }
                            | Call::TransportNotify { .. }
                            | Call::Idle { .. }
                            | Call::SubmitMessage { .. }
                            | Call::EndMessage { .. }
                            | Call::TransportLogoff { .. }
                    )
                );
                if let (true, Some(t)) = (with_logon, in_flight.and_then(Call::transport)) {
                    self.feed(Input::Support(SupportCall::SpoolerYield { transport: t }))?;
                    self.own.stats.event("yield");
                }
            }
            Action::Traffic { transport, enable, directions } => {
                let t = TransportId(transport % n as u8);
                let registered = matches!(self.world.transport(t), Transport::Serving(Logon { registered: true, .. }));
                if self.live(t) && registered && !self.service_disabled(t) && !self.own.ended {
                    let directions = match directions % 3 {
                        0 => Directions::INBOUND,
                        1 => Directions::OUTBOUND,
                        _ => Directions::BOTH,
                    };
                    let request = if *enable {
                        SessionRequest::Enable { transport: t, directions }
                    } else {
                        SessionRequest::Disable { transport: t, directions }
                    };
                    self.feed(Input::Session(request))?;
                    self.own.stats.event(if *enable { "enable" } else { "disable" });
                }
            }
            Action::Cancel(pick) if !self.stopped() => self.cancel(*pick)?,
            Action::Crash => self.crash()?,
            Action::Shutdown if !self.own.ended && !self.stopped() => {
                self.own.ended = true;
                self.own.stats.event("shutdown");
                self.feed(Input::Session(SessionRequest::Shutdown))?;
            }
            Action::Illegal { kind, a, b } => {
                if !self.stopped()
                    && let Some(input) = self.illegal(*kind, *a, *b)
                {
                    self.feed_illegal(input)?;
                }
            }
            Action::Time(_) | Action::Idle | Action::StoreReady(_) | Action::Shutdown | Action::Cancel(_) => {}
        }
        if self.quiet() {
            self.check_outcomes()?;
        }
        Ok(())
    }

    /// The user cancels: the inbound transfer in flight, or a message the spooler holds locked
    /// and has not been told to cancel (DEF-5, DEF-7, RCV-13).
    pub(crate) fn cancel(&mut self, pick: u16) -> Result<(), String> {
        if let Some(Call::StartMessage { transport, .. }) = self.world.spooler().call_in_flight().cloned()
            && !self.world.cancel_told()
        {
            self.own.stats.event("cancel inbound");
            return self.feed(Input::Cancel(mapi_spooler::CancelRequest::Inbound { transport }));
        }
        let locked: Vec<(StoreId, MessageId)> = self
            .own
            .submitted
            .iter()
            .copied()
            .filter(|(_, m)| self.world.spooler().message_view(*m).is_some_and(|v| v.locked && !v.cancelled))
            .collect();
        let Some(&(store, message)) = locked.get(usize::from(pick) % locked.len().max(1)) else { return Ok(()) };
        let in_flight =
            self.world.spooler().call_in_flight().is_some_and(|c| c.message() == Some(message) || matches!(c, Call::EndMessage { .. }));
        self.own.stats.event(if in_flight { "cancel in flight" } else { "cancel outbound" });
        self.feed(Input::Cancel(mapi_spooler::CancelRequest::Outbound { store, message }))
    }

    pub(crate) fn submit(&mut self, d: &DraftSpec) -> Result<(), String> {
        let s = StoreId(d.store % self.spec.stores);
        let recipients: Vec<RecipientRow> = d
            .recipients
            .iter()
            .map(|(a, u)| RecipientRow { addr_type: AddrType(*a), uid: u.map(MapiUid), responsibility: false })
            .collect();
        let draft = Draft {
            recipients,
            preprocess: d.preprocess,
            sentmail: d.sentmail.then_some(SENT_ITEMS),
            delete_after_submit: d.delete,
            reports: ReportRequests { delivery: d.delivery, non_delivery: d.non_delivery },
        };
        self.drive(Choice::GOOD, |w, p| w.submit(s, draft, p))?.map_err(|h| format!("the store refused a draft: {h}"))?;
        Ok(())
    }

    /// The spooler process dies; the stores keep what they saved. A new spooler is started for
    /// the same profile (a crash of the spooler is a crash of the transports it loaded too).
    pub(crate) fn crash(&mut self) -> Result<(), String> {
        let fresh = Spooler::new(&self.profile).expect("a valid profile").with_bug(Fault::bug(self.own.fault));
        self.drive(Choice::GOOD, |w, p| w.crash(fresh, p))?;
        self.own.reference.restart();
        let n = self.spec.transports.len();
        self.own.refs = vec![0; n];
        self.own.unconfigured = TransportSet::EMPTY;
        self.own.configured = TransportSet::EMPTY;
        self.own.registered = TransportSet::EMPTY;
        self.own.unserved.iter_mut().for_each(|u| *u = false);
        self.own.disabled_services = 0;
        self.own.ended = false;
        self.feed(Input::Session(SessionRequest::Start))
    }

    // -----------------------------------------------------------------------------------------
    // The pool of forbidden inputs
    // -----------------------------------------------------------------------------------------

    /// An input the documentation forbids in the current state, or `None` when this kind has no
    /// forbidden form now. Every one of them must be refused.
    pub(crate) fn illegal(&self, kind: u8, a: u32, b: u32) -> Option<Input> {
        let n = self.spec.transports.len() as u8;
        let known = TransportId((a % u32::from(n)) as u8);
        let unknown = TransportId(n + (a % 8) as u8);
        let store = StoreId((b % u32::from(self.spec.stores)) as u8);
        let unknown_store = StoreId(self.spec.stores + (b % 4) as u8);
        let fresh = MessageId(3_900_000 + a % 1000);
        let notify = |caller, flags, message| Input::Support(SupportCall::SpoolerNotify { caller, flags, message });
        let row = |store, flags, preprocess, recipients| QueueRow {
            store,
            message: fresh,
            flags,
            preprocess,
            reports: ReportRequests::default(),
            recipients,
        };
        let one = vec![RecipientRow::new(AddrType(0))];
        Some(match kind % 22 {
            0 => Input::Session(SessionRequest::Start),
            1 => Input::Return(self.stray_return(a, b)),
            2 => Input::Return(self.wrong_answer(a, b).unwrap_or_else(|| self.stray_return(a, b))),
            3 => {
                let directions = Directions::OUTBOUND;
                Input::Session(if a.is_multiple_of(2) {
                    SessionRequest::Enable { transport: unknown, directions }
                } else {
                    SessionRequest::Disable { transport: unknown, directions }
                })
            }
            4 => Input::Session(SessionRequest::Enable { transport: known, directions: Directions::NONE }),
            5 => Input::Support(SupportCall::ModifyStatusRow {
                transport: unknown,
                flags: StatusRowFlags::EMPTY,
                status: StatusCode::STATUS_AVAILABLE,
            }),
            6 => Input::Support(SupportCall::RegisterPreprocessor {
                transport: unknown,
                filter: PreprocessorFilter { uid: None, addr_type: None },
            }),
            7 => {
                let in_call = self.world.spooler().call_in_flight().and_then(Call::transport);
                let t = if in_call == Some(known) { unknown } else { known };
                Input::Support(SupportCall::SpoolerYield { transport: t })
            }
            8 => Input::Support(SupportCall::StatusRecips {
                transport: known,
                message: fresh,
                reports: vec![(RecipientIdx(u16::MAX), ReportKind::NonDelivery)],
            }),
            9 => notify(Caller::Transport(known), SpoolerNotifyFlags::NOTIFY_NEWMAIL_RECEIVED, None),
            10 => {
                notify(Caller::Transport(known), SpoolerNotifyFlags::NOTIFY_SENTDEFERRED | SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR, None)
            }
            11 => notify(Caller::Transport(known), SpoolerNotifyFlags::NOTIFY_CRITSEC | SpoolerNotifyFlags::NOTIFY_NONCRIT, None),
            12 => notify(Caller::Transport(known), SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(fresh)),
            13 => notify(Caller::Store(store), SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR, None),
            14 => notify(Caller::Store(unknown_store), SpoolerNotifyFlags::NOTIFY_READYTOSEND, None),
            15 => Input::Queue(QueueEvent::RowAdded(row(unknown_store, QueueFlags::EMPTY, false, one))),
            16 => Input::Queue(QueueEvent::RowAdded(row(store, QueueFlags::SUBMITFLAG_LOCKED, false, one))),
            17 => Input::Queue(QueueEvent::RowAdded(row(store, QueueFlags::EMPTY, false, Vec::new()))),
            18 => Input::Queue(QueueEvent::RowAdded(row(store, QueueFlags::SUBMITFLAG_PREPROCESS, false, one))),
            19 => Input::Queue(QueueEvent::RowRemoved { store: unknown_store, message: fresh }),
            20 => {
                // INV-4: a second row, or an update before the first.
                let row = self.world.status_row(known);
                let flags = if row.is_some() { StatusRowFlags::EMPTY } else { StatusRowFlags::STATUSROW_UPDATE };
                if self.world.transport(known).logon().is_some() || row.is_some() {
                    Input::Support(SupportCall::ModifyStatusRow { transport: known, flags, status: StatusCode::STATUS_AVAILABLE })
                } else {
                    return None;
                }
            }
            _ => {
                // SUB-20: a message the spooler holds locked cannot leave the queue.
                if !self.world.spooler().is_watching(store) {
                    return None;
                }
                let finishing = |m: MessageId| matches!(self.world.spooler().call_in_flight(), Some(Call::FinishedMsg { message, .. }) if *message == m);
                let locked: Vec<MessageId> = self
                    .world
                    .store(store)
                    .outgoing_queue()
                    .iter()
                    .filter(|r| r.flags.contains(QueueFlags::SUBMITFLAG_LOCKED) && !finishing(r.message))
                    .map(|r| r.message)
                    .collect();
                let m = *locked.get(a as usize % locked.len().max(1))?;
                Input::Queue(QueueEvent::RowRemoved { store, message: m })
            }
        })
    }

    /// A return that does not answer the call in flight (or comes with none in flight).
    pub(crate) fn stray_return(&self, a: u32, b: u32) -> Return {
        let t = TransportId((a % u32::from(self.spec.transports.len() as u8)) as u8);
        let s = StoreId((b % u32::from(self.spec.stores)) as u8);
        let m = self.own.submitted.get(b as usize % self.own.submitted.len().max(1)).map_or(MessageId(1), |(_, m)| *m);
        let candidates = [
            Return::Idle { transport: t, result: Hresult::S_OK },
            Return::EndMessage { transport: t, msg_ref: MsgRef(u64::from(b % 3)), result: Ok(EndFlags::EMPTY) },
            Return::SubmitMessage {
                transport: t,
                message: m,
                outcome: SubmitOutcome::Accepted { msg_ref: MsgRef(1), accepted: RecipientSet::first(1) },
            },
            Return::SetLockState { store: s, message: m, state: LockState::Locked, result: Hresult::S_OK },
            Return::FinishedMsg { store: s, message: m, result: Hresult::S_OK },
            Return::TransportLogoff { transport: t, result: Hresult::S_OK },
            Return::Shutdown { transport: t, result: Hresult::S_OK },
            Return::XpProviderInit { transport: t, result: Ok(SpiVersion::CURRENT) },
            Return::GetOutgoingQueue { store: s, result: Ok(Vec::new()) },
            Return::TransportNotify { transport: t, flags: NotifyFlags::NOTIFY_BEGIN_OUTBOUND, result: Hresult::S_OK },
            Return::PreprocessMessage { preprocessor: PreprocessorId(0), message: m, result: Ok(RecipientSet::new()) },
        ];
        let ret = candidates[(a as usize / 7) % candidates.len()].clone();
        if self.world.spooler().call_in_flight().is_some_and(|c| c.is_answered_by(&ret)) {
            // It would answer the call: send it for a transport the profile does not have.
            Return::Idle { transport: TransportId(60), result: Hresult::S_OK }
        } else {
            ret
        }
    }

    /// A return that answers the call in flight but breaks the method's contract, if the method
    /// has such a return.
    pub(crate) fn wrong_answer(&self, a: u32, _b: u32) -> Option<Return> {
        let call = self.world.spooler().call_in_flight().cloned()?;
        let pick = a % 4;
        Some(match call {
            Call::XpProviderInit { transport, .. } => Return::XpProviderInit {
                transport,
                // VER-3: a newer provider must fail itself; any other error is undocumented.
                result: if pick.is_multiple_of(2) { Ok(SpiVersion::new(9, 0, 0)) } else { Err(Hresult::MAPI_E_CALL_FAILED) },
            },
            Call::TransportLogon { transport, .. } => Return::TransportLogon { transport, result: Err(Hresult::MAPI_W_ERRORS_RETURNED) },
            Call::AddressTypes { transport } => Return::AddressTypes { transport, result: Err(Hresult::MAPI_E_CALL_FAILED) },
            Call::TransportNotify { transport, flags, .. } => {
                if pick.is_multiple_of(2) {
                    // LIFE-13: the flags come back unchanged.
                    let changed = NotifyFlags::from_bits(flags.bits() ^ NotifyFlags::NOTIFY_CANCEL_MESSAGE.bits()).unwrap();
                    Return::TransportNotify { transport, flags: changed, result: Hresult::S_OK }
                } else {
                    Return::TransportNotify { transport, flags, result: Hresult::MAPI_E_CALL_FAILED }
                }
            }
            Call::Idle { transport } => Return::Idle { transport, result: Hresult::MAPI_E_CALL_FAILED },
            Call::SubmitMessage { transport, message, flags, offered } => {
                let count = self.world.store(store_of(message)).message(message)?.recipients.len();
                let outcome = match pick {
                    // SUB-28: a recipient the message does not have.
                    0 => SubmitOutcome::Accepted {
                        msg_ref: MsgRef(1),
                        accepted: offered.union(&RecipientSet::from_iter([RecipientIdx(count as u16)])),
                    },
                    // A failure must be a failure code.
                    1 => SubmitOutcome::Failed { result: Hresult::S_OK, return_parm: 0, saved: RecipientSet::new() },
                    // ERR-2: MAPI_E_BUSY means nothing was processed.
                    2 => SubmitOutcome::Failed { result: Hresult::MAPI_E_BUSY, return_parm: 0, saved: offered },
                    // ERR-6, DEC-3, DEC-28: MAPI_E_CANCEL only after BEGIN_DEFERRED or a cancel;
                    // DEF-8: MAPI_E_USER_CANCEL only after a cancel.
                    _ if !flags.contains(SubmitFlags::BEGIN_DEFERRED) && !self.world.cancel_told() => {
                        let result = if (a >> 2).is_multiple_of(2) { Hresult::MAPI_E_CANCEL } else { Hresult::MAPI_E_USER_CANCEL };
                        SubmitOutcome::Failed { result, return_parm: 0, saved: RecipientSet::new() }
                    }
                    _ => SubmitOutcome::Failed { result: Hresult::MAPI_E_NOT_ME, return_parm: 0, saved: offered },
                };
                Return::SubmitMessage { transport, message, outcome }
            }
            Call::EndMessage { transport, msg_ref } => Return::EndMessage {
                transport,
                msg_ref,
                // SUB-34: at most one flag.
                result: if pick.is_multiple_of(2) {
                    Ok(EndFlags::END_RESEND_NOW | EndFlags::END_DONT_RESEND)
                } else {
                    Err(Hresult::MAPI_E_CALL_FAILED)
                },
            },
            Call::Shutdown { transport } => Return::Shutdown { transport, result: Hresult::MAPI_E_CALL_FAILED },
            Call::SpoolerLogon { store } => Return::SpoolerLogon { store, result: Hresult::MAPI_E_CALL_FAILED },
            Call::GetOutgoingQueue { store } => Return::GetOutgoingQueue {
                store,
                result: if pick.is_multiple_of(2) {
                    Err(Hresult::MAPI_E_CALL_FAILED)
                } else {
                    let foreign = StoreId(store.0 + 7);
                    let row = QueueRow {
                        store: foreign,
                        message: MessageId(3_999_999),
                        flags: QueueFlags::EMPTY,
                        preprocess: false,
                        reports: ReportRequests::default(),
                        recipients: vec![RecipientRow::new(AddrType(0))],
                    };
                    Ok(vec![row])
                },
            },
            Call::SetLockState { store, message, state: LockState::Unlocked } => {
                Return::SetLockState { store, message, state: LockState::Unlocked, result: Hresult::MAPI_E_CALL_FAILED }
            }
            Call::PreprocessMessage { preprocessor, message } => {
                let count = self.world.store(store_of(message)).message(message)?.recipients.len();
                let result = if pick.is_multiple_of(2) {
                    Err(Hresult::MAPI_E_CALL_FAILED)
                } else {
                    Ok(RecipientSet::from_iter([RecipientIdx(count as u16)]))
                };
                Return::PreprocessMessage { preprocessor, message, result }
            }
            Call::SubmitPreprocessed { store, message } => {
                Return::SubmitPreprocessed { store, message, result: Hresult::MAPI_E_CALL_FAILED }
            }
            Call::RemovePreprocessInfo { preprocessor, message } => {
                Return::RemovePreprocessInfo { preprocessor, message, result: Hresult::MAPI_E_CALL_FAILED }
            }
            Call::FinishedMsg { store, message } => Return::FinishedMsg { store, message, result: Hresult::MAPI_E_CALL_FAILED },
            // DEF-6: the spooler's own AbortSubmit expects S_OK or MAPI_E_NOT_IN_QUEUE.
            Call::AbortSubmit { store, message } => Return::AbortSubmit { store, message, result: Hresult::MAPI_E_CALL_FAILED },
            // RCV-3: Poll returns only S_OK.
            Call::Poll { transport } => Return::Poll { transport, incoming: 1, result: Hresult::MAPI_E_CALL_FAILED },
            Call::ServiceConfigure { .. }
            | Call::TransportLogoff { .. }
            | Call::SetLockState { .. }
            | Call::CreateMessage { .. }
            | Call::StartMessage { .. }
            | Call::NotifyNewMail { .. }
            | Call::InboundMsgHook { .. } => return None,
            // STAT-19: FlushQueues returns only S_OK.
            Call::FlushQueues { transport, .. } => Return::FlushQueues { transport, result: Hresult::MAPI_E_CALL_FAILED },
            Call::ValidateState { transport, .. } => Return::ValidateState { transport, result: Hresult::MAPI_E_CALL_FAILED },
            Call::OpenStatusEntry { .. } => return None,
        })
    }
}
