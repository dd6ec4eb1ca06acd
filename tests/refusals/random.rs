//! Thousands of random inputs to a spooler mid-session.

use super::*;

// ---------------------------------------------------------------------------------------------
// Random inputs
// ---------------------------------------------------------------------------------------------

/// A small generator of inputs, valid and invalid, from a pool of identifiers, flags and
/// results.
pub(crate) struct Gen {
    pub(crate) rng: SplitMix64,
}

impl Gen {
    fn pick<T: Copy>(&mut self, pool: &[T]) -> T {
        pool[self.rng.below(pool.len() as u64) as usize]
    }

    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.rng.below(100) < percent
    }

    fn transport(&mut self) -> TransportId {
        self.pick(&[T0, T0, T1, T1, TransportId(2), T9])
    }

    fn store(&mut self) -> StoreId {
        self.pick(&[S0, S0, S0, StoreId(1)])
    }

    fn message(&mut self) -> MessageId {
        MessageId(self.pick(&[1, 2, 3, 4, 99]))
    }

    fn hresult(&mut self) -> Hresult {
        let known: Vec<Hresult> = Hresult::KNOWN.iter().map(|(h, _)| *h).collect();
        self.pick(&known)
    }

    fn rows(&mut self) -> RecipientSet {
        let far = self.chance(5).then_some(RecipientIdx(300));
        (0..4u16).filter(|_| self.chance(40)).map(RecipientIdx).chain(far).collect()
    }

    fn directions(&mut self) -> Directions {
        self.pick(&[Directions::BOTH, Directions::INBOUND, Directions::OUTBOUND, Directions::NONE])
    }

    fn recipients(&mut self) -> Vec<RecipientRow> {
        let n = if self.chance(3) { 130 } else { self.pick(&[0, 1, 2, 3]) };
        (0..n).map(|_| RecipientRow { addr_type: self.pick(&[SMTP, FAX, X400]), uid: None, responsibility: self.chance(15) }).collect()
    }

    fn queue_row(&mut self) -> QueueRow {
        let preprocess = self.chance(20);
        QueueRow {
            store: self.store(),
            message: self.message(),
            flags: QueueFlags::from_bits(self.rng.below(4) as u32).unwrap(),
            preprocess,
            reports: ReportRequests { delivery: self.chance(50), non_delivery: self.chance(80) },
            recipients: self.recipients(),
        }
    }

    /// A return for the call in flight, usually the one a well-behaved world gives, sometimes
    /// slightly wrong.
    pub(crate) fn answer(&mut self, call: &Call) -> Input {
        let ok = self.chance(85);
        let h = if ok { Hresult::S_OK } else { self.hresult() };
        let ret = match call.clone() {
            Call::XpProviderInit { transport, .. } => Return::XpProviderInit {
                transport,
                result: if ok { Ok(SpiVersion::CURRENT) } else { self.pick(&[Err(Hresult::MAPI_E_VERSION), Ok(SpiVersion(0x0002_0000))]) },
            },
            Call::ServiceConfigure { service } => Return::ServiceConfigure { service, result: h },
            Call::TransportLogon { transport, .. } => {
                Return::TransportLogon { transport, result: if ok { Ok(LogonCaps::LOGON_SP_IDLE) } else { Err(self.hresult()) } }
            }
            Call::AddressTypes { transport } => Return::AddressTypes {
                transport,
                result: if ok { Ok(Registrations::address_types([self.pick(&[SMTP, FAX])])) } else { Err(self.hresult()) },
            },
            Call::TransportNotify { transport, flags, .. } => {
                let flags = if self.chance(90) {
                    flags
                } else {
                    NotifyFlags::from_bits(self.rng.next_u64() as u32 & NotifyFlags::ALL.bits()).unwrap()
                };
                Return::TransportNotify { transport, flags, result: h }
            }
            Call::Idle { transport } => Return::Idle { transport, result: h },
            Call::SubmitMessage { transport, message, offered, .. } => {
                let outcome = if ok {
                    let accepted = if self.chance(70) { offered } else { self.rows() };
                    SubmitOutcome::Accepted { msg_ref: MsgRef(self.rng.below(4)), accepted }
                } else {
                    let saved = if self.chance(70) { RecipientSet::new() } else { self.rows() };
                    SubmitOutcome::Failed { result: self.hresult(), return_parm: self.rng.below(20) as u32, saved }
                };
                Return::SubmitMessage { transport, message, outcome }
            }
            Call::EndMessage { transport, msg_ref } => {
                let flags = self.pick(&[
                    EndFlags::EMPTY,
                    EndFlags::EMPTY,
                    EndFlags::END_RESEND_NOW,
                    EndFlags::END_RESEND_LATER,
                    EndFlags::END_DONT_RESEND,
                ]);
                let flags = if ok { flags } else { EndFlags::from_bits(self.rng.next_u64() as u32 & EndFlags::ALL.bits()).unwrap() };
                Return::EndMessage { transport, msg_ref, result: Ok(flags) }
            }
            Call::TransportLogoff { transport } => Return::TransportLogoff { transport, result: h },
            Call::Shutdown { transport } => Return::Shutdown { transport, result: h },
            Call::SpoolerLogon { store } => Return::SpoolerLogon { store, result: h },
            Call::GetOutgoingQueue { store } => {
                let rows = if ok { Vec::new() } else { vec![self.queue_row()] };
                Return::GetOutgoingQueue { store, result: Ok(rows) }
            }
            Call::SetLockState { store, message, state } => Return::SetLockState { store, message, state, result: h },
            Call::AbortSubmit { store, message } => Return::AbortSubmit { store, message, result: h },
            Call::PreprocessMessage { preprocessor, message } => {
                Return::PreprocessMessage { preprocessor, message, result: if ok { Ok(RecipientSet::new()) } else { Ok(self.rows()) } }
            }
            Call::SubmitPreprocessed { store, message } => Return::SubmitPreprocessed { store, message, result: h },
            Call::RemovePreprocessInfo { preprocessor, message } => Return::RemovePreprocessInfo { preprocessor, message, result: h },
            Call::FinishedMsg { store, message } => Return::FinishedMsg { store, message, result: h },
            Call::Poll { transport } => Return::Poll { transport, incoming: self.rng.below(3) as u32, result: h },
            Call::CreateMessage { store } => {
                Return::CreateMessage { store, result: if ok { Ok(MessageId(5_000 + self.rng.below(4) as u32)) } else { Err(h) } }
            }
            Call::StartMessage { transport, message } => Return::StartMessage {
                transport,
                message,
                result: if ok { Ok(self.pick(&[mapi_spooler::Delivery::Saved, mapi_spooler::Delivery::Empty])) } else { Err(h) },
            },
            Call::NotifyNewMail { store, message } => Return::NotifyNewMail { store, message, result: h },
            Call::InboundMsgHook { hook, message, .. } => {
                Return::InboundMsgHook { hook, message, result: if ok { Ok(mapi_spooler::HookOutcome::KEEP) } else { Err(h) } }
            }
            Call::OpenStatusEntry { transport } => Return::OpenStatusEntry { transport, result: h },
            Call::ValidateState { transport, .. } => Return::ValidateState { transport, result: h },
            Call::FlushQueues { transport, .. } => Return::FlushQueues { transport, result: h },
        };
        Input::Return(ret)
    }

    /// Any input at all.
    pub(crate) fn any(&mut self) -> Input {
        let t = self.transport();
        match self.rng.below(20) {
            0 => Input::Session(SessionRequest::Start),
            1 => Input::Session(SessionRequest::Enable { transport: t, directions: self.directions() }),
            2 => Input::Session(SessionRequest::Disable { transport: t, directions: self.directions() }),
            3 if self.chance(10) => Input::Session(SessionRequest::Shutdown),
            3 | 4 => Input::TimePassed { seconds: self.pick(&[0, 1, 5, 30, 61, u32::MAX]) },
            5 => Input::SystemIdle,
            6 => Input::Queue(QueueEvent::RowAdded(self.queue_row())),
            7 => Input::Queue(QueueEvent::RowRemoved { store: self.store(), message: self.message() }),
            8 => Input::Support(SupportCall::ModifyStatusRow {
                transport: t,
                flags: self.pick(&[StatusRowFlags::EMPTY, StatusRowFlags::STATUSROW_UPDATE]),
                status: StatusCode::from_bits_retain(self.rng.next_u64() as u32),
            }),
            9 => Input::Support(SupportCall::RegisterPreprocessor {
                transport: t,
                filter: PreprocessorFilter { uid: None, addr_type: self.pick(&[None, Some(SMTP), Some(FAX)]) },
            }),
            10 | 11 => {
                let caller = if self.chance(80) { Caller::Transport(t) } else { Caller::Store(self.store()) };
                let flags = SpoolerNotifyFlags::from_bits(self.rng.next_u64() as u32 & SpoolerNotifyFlags::ALL.bits()).unwrap();
                let flags = if self.chance(60) { SpoolerNotifyFlags::NAMES[self.rng.below(8) as usize].0 } else { flags };
                let message = self.chance(70).then(|| self.message());
                Input::Support(SupportCall::SpoolerNotify { caller, flags, message })
            }
            12 => {
                let reports = self.rows().iter().map(|r| (r, self.pick(&[ReportKind::Delivery, ReportKind::NonDelivery]))).collect();
                Input::Support(SupportCall::StatusRecips { transport: t, message: self.message(), reports })
            }
            13 => Input::Support(SupportCall::SpoolerYield { transport: t }),
            _ => {
                // A return for a call that may or may not be in flight.
                let call = match self.rng.below(4) {
                    0 => Call::SubmitMessage {
                        transport: t,
                        message: self.message(),
                        flags: mapi_spooler::SubmitFlags::EMPTY,
                        offered: self.rows(),
                    },
                    1 => Call::EndMessage { transport: t, msg_ref: MsgRef(self.rng.below(3)) },
                    2 => Call::SetLockState { store: self.store(), message: self.message(), state: LockState::Locked },
                    _ => Call::TransportNotify { transport: t, flags: NotifyFlags::NOTIFY_BEGIN_OUTBOUND, message: None },
                };
                self.answer(&call)
            }
        }
    }
}

/// Thousands of random inputs to a spooler mid-session: it never panics, every refusal leaves
/// the state exactly as it was, and every accepted input makes at most one call, only when no
/// call was in flight (or the input was the return that ended the one in flight), and that call
/// is then the one in flight.
#[test]
fn random_inputs_never_panic_and_refusals_change_nothing() {
    // Spec: AMB-20
    let (mut accepted, mut refused, mut restarts) = (0usize, 0usize, 0usize);
    for seed in [1u64, 7, 42, 2024, 0xDEAD_BEEF, 31_337, 0x5EED, 99] {
        // Mid-session: two transports, two messages, the first one being submitted.
        let mut sim = started(vec![smtp().submits([SubmitAnswer::TakeAndReport(vec![(0, ReportKind::Delivery)])]), fax()]);
        sim.submit(S0, draft(&[SMTP, FAX, X400])).unwrap();
        sim.submit(S0, draft(&[FAX])).unwrap();
        assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
        let initial = sim.spooler().clone();
        let mut spooler = initial.clone();
        let mut g = Gen { rng: SplitMix64::new(seed) };
        for step in 0..1000 {
            if spooler.phase() == Phase::Stopped {
                // Nothing more to learn from a stopped spooler: back to mid-session.
                restarts += 1;
                spooler = initial.clone();
            }
            let input = match spooler.call_in_flight().cloned() {
                Some(call) if g.chance(45) => g.answer(&call),
                _ => g.any(),
            };
            let before = spooler.clone();
            let in_flight_before = before.call_in_flight().cloned();
            let result = catch_unwind(AssertUnwindSafe(|| spooler.step(input.clone())));
            let result = match result {
                Ok(result) => result,
                Err(_) => panic!("seed {seed}, step {step}: the spooler panicked on {input:?}\nstate: {before:?}"),
            };
            match result {
                Err(error) => {
                    refused += 1;
                    assert_eq!(spooler, before, "seed {seed}, step {step}: {input:?} was refused ({error}) but changed the state");
                    let _ = error.to_string();
                    let _ = error.hresult();
                }
                Ok(effects) => {
                    accepted += 1;
                    let calls: Vec<&Call> = effects.iter().filter_map(Effect::as_call).collect();
                    assert!(calls.len() <= 1, "seed {seed}, step {step}: {input:?} made {} calls", calls.len());
                    let answered = matches!(input, Input::Return(_));
                    if let Some(call) = calls.first() {
                        assert!(
                            in_flight_before.is_none() || answered,
                            "seed {seed}, step {step}: {input:?} made the call {call} while {in_flight_before:?} was in flight"
                        );
                        assert_eq!(
                            spooler.call_in_flight(),
                            Some(*call),
                            "seed {seed}, step {step}: the call made is not the one in flight"
                        );
                    } else if answered {
                        assert_eq!(
                            spooler.call_in_flight(),
                            None,
                            "seed {seed}, step {step}: {input:?} answered the call but it is still in flight"
                        );
                    } else {
                        assert_eq!(
                            spooler.call_in_flight(),
                            in_flight_before.as_ref(),
                            "seed {seed}, step {step}: {input:?} changed the call in flight"
                        );
                    }
                    if let Some(Call::TransportNotify { flags, .. }) = calls.first() {
                        assert!(!flags.is_contradictory(), "seed {seed}, step {step}: contradictory TransportNotify({flags})");
                    }
                }
            }
        }
    }
    // The pool must exercise both paths.
    assert!(accepted > 500 && refused > 500, "accepted {accepted}, refused {refused}");
    assert!(restarts < 100, "the spooler stopped {restarts} times: too little happened mid-session");
}
