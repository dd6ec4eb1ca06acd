//! The step-function fuzz harness: decodes a byte string into a session of inputs, feeds them to
//! [`Spooler::step`], and checks what must hold for every input, legal or not.
//!
//! It is shared by the `cargo fuzz` target (`fuzz/fuzz_targets/step.rs`) and the bounded smoke
//! test that runs it on seeded pseudo-random byte strings under `cargo test`
//! (`tests/fuzz_smoke.rs`), so both exercise exactly the same decoder and checks.
//!
//! Decoding: the first two bytes choose the profile (1 to 4 transports, some sharing a message
//! service, 1 or 2 stores); after `Start`, every further byte is an operation, with the bytes
//! after it as its arguments (missing bytes read as 0):
//! * about half the operations answer the call in flight the way a transport or store might,
//!   usually as documented and sometimes not (wrong flags, undocumented codes, recipients that
//!   were not offered), and with no call in flight let time pass to the next retry deadline;
//! * a client submits or aborts a message in a reference store, whose queue notifications reach
//!   the spooler once it watches the queue;
//! * the rest are arbitrary inputs: session requests, support calls, queue notifications, stray
//!   returns, time, idle, with identifiers and flags from the bytes.
//!
//! Checked after every input: no panic (the fuzzer and the smoke test catch it); a refused
//! input leaves the spooler equal to a clone taken before; an accepted input makes at most one
//! call, only when none was in flight or the input was a return, and the call made is then the
//! call in flight; a return that made no call leaves none in flight; any other accepted input
//! leaves the call in flight as it was (AMB-20). Optionally the protocol monitor watches the
//! accepted steps and its violations are collected.
#![allow(dead_code)]

use mapi_spooler::sim::{effect_line, input_line};
use mapi_spooler::store::{Draft, ReferenceStore, SentMailHook};
use mapi_spooler::{
    AddrType, Call, Caller, CancelRequest, Delivery, Directions, Effect, EndFlags, Hresult, Input, LockState, LogonCaps, MessageId,
    Monitor, MsgRef, NotifyFlags, Phase, PreprocessorFilter, Profile, QueueEvent, QueueFlags, QueueRow, RecipientIdx, RecipientRow,
    RecipientSet, Registrations, ReportKind, ReportRequests, Return, ServiceId, SessionRequest, Settings, SpiVersion, Spooler,
    SpoolerNotifyFlags, StatusCode, StatusRowFlags, StoreId, SubmitFlags, SubmitOutcome, SupportCall, TransportId,
};

/// The most inputs one byte string is decoded into.
pub const MAX_INPUTS: usize = 4_000;

/// What one run did.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Inputs the spooler accepted.
    pub accepted: usize,
    /// Inputs the spooler refused (and, as checked, without changing).
    pub refused: usize,
    /// Calls the spooler made.
    pub calls: usize,
    /// `SubmitMessage` calls among them.
    pub submits: usize,
    /// The session reached `Running`.
    pub ran: bool,
    /// Violations the monitor reported, if it watched (first one per run).
    pub violations: Vec<String>,
}

/// The fuzzer's bytes, read front to back; past the end every byte reads 0.
struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }

    fn pick<T: Copy>(&mut self, pool: &[T]) -> T {
        pool[usize::from(self.byte()) % pool.len()]
    }

    fn chance(&mut self, percent: u8) -> bool {
        self.byte() % 100 < percent
    }

    fn done(&self) -> bool {
        self.pos >= self.data.len()
    }
}

/// The session under test and the little world around it.
struct Harness {
    spooler: Spooler,
    monitor: Option<Monitor>,
    stores: Vec<ReferenceStore>,
    transports: u8,
    summary: Summary,
    /// The numbered call trace so far, for failure messages.
    trace: Vec<String>,
}

impl Harness {
    /// The trace's last lines.
    fn tail(&self) -> String {
        let skip = self.trace.len().saturating_sub(80);
        self.trace[skip..].join("\n")
    }

    /// Feeds one input and checks the step.
    fn feed(&mut self, input: Input) {
        let before = self.spooler.clone();
        let in_flight_before = before.call_in_flight().cloned();
        let n = self.summary.accepted + self.summary.refused + 1;
        self.trace.push(format!("{n:>5}  {}", input_line(&input)));
        match self.spooler.step(input.clone()) {
            Err(error) => {
                self.summary.refused += 1;
                self.trace.push(format!("         REFUSED: {error}"));
                assert!(self.spooler == before, "{input:?} was refused ({error}) but changed the spooler\n{}", self.tail());
                let _ = (error.to_string(), error.hresult());
            }
            Ok(effects) => {
                self.summary.accepted += 1;
                self.trace.extend(effects.iter().map(|e| format!("         {}", effect_line(e))));
                let calls: Vec<&Call> = effects.iter().filter_map(Effect::as_call).collect();
                let answered = matches!(input, Input::Return(_));
                assert!(calls.len() <= 1, "{input:?} made {} calls\n{}", calls.len(), self.tail());
                if let Some(call) = calls.first() {
                    self.summary.calls += 1;
                    self.summary.submits += usize::from(matches!(call, Call::SubmitMessage { .. }));
                    assert!(
                        in_flight_before.is_none() || answered,
                        "{input:?} made {call} while {in_flight_before:?} was in flight\n{}",
                        self.tail()
                    );
                    assert_eq!(
                        self.spooler.call_in_flight(),
                        Some(*call),
                        "{input:?}: the call made is not the call in flight\n{}",
                        self.tail()
                    );
                    if let Call::TransportNotify { flags, .. } = call {
                        assert!(!flags.is_contradictory(), "contradictory TransportNotify({flags})\n{}", self.tail());
                    }
                } else if answered {
                    assert_eq!(
                        self.spooler.call_in_flight(),
                        None,
                        "{input:?} answered the call but it is still in flight\n{}",
                        self.tail()
                    );
                } else {
                    assert_eq!(
                        self.spooler.call_in_flight(),
                        in_flight_before.as_ref(),
                        "{input:?} changed the call in flight\n{}",
                        self.tail()
                    );
                }
                for effect in &effects {
                    for store in &mut self.stores {
                        store.apply(effect);
                    }
                }
                if let Some(monitor) = &mut self.monitor
                    && let Err(v) = monitor.observe(&input, &effects)
                    && self.summary.violations.is_empty()
                {
                    let tail = self.tail();
                    self.summary.violations.push(format!("{v}\n{tail}"));
                }
                self.summary.ran |= self.spooler.phase() == Phase::Running;
            }
        }
    }

    fn transport(&self, b: &mut Bytes<'_>) -> TransportId {
        // Mostly a transport of the profile, sometimes one it does not have.
        let n = self.transports;
        TransportId(if b.chance(90) { b.byte() % n } else { n + b.byte() % 3 })
    }

    fn store(&self, b: &mut Bytes<'_>) -> StoreId {
        let n = self.stores.len() as u8;
        StoreId(if b.chance(95) { b.byte() % n } else { n + b.byte() % 2 })
    }

    fn message(&self, b: &mut Bytes<'_>) -> MessageId {
        let s = b.byte() % self.stores.len() as u8;
        MessageId(1 + u32::from(s) * 1_000_000 + u32::from(b.byte() % 8))
    }

    fn rows(b: &mut Bytes<'_>) -> RecipientSet {
        let bits = b.byte();
        let far = (bits & 0x80 != 0 && b.chance(20)).then_some(RecipientIdx(200));
        (0..6u16).filter(|i| bits & (1 << i) != 0).map(RecipientIdx).chain(far).collect()
    }

    fn hresult(b: &mut Bytes<'_>) -> Hresult {
        let known: Vec<Hresult> = Hresult::KNOWN.iter().map(|(h, _)| *h).collect();
        b.pick(&known)
    }

    fn recipients(b: &mut Bytes<'_>) -> Vec<RecipientRow> {
        let n = 1 + usize::from(b.byte() % 5);
        (0..n).map(|_| RecipientRow { addr_type: AddrType(u16::from(b.byte() % 4)), uid: None, responsibility: b.chance(5) }).collect()
    }

    /// The answer of a transport or store to the call in flight: documented most of the time.
    fn answer(&mut self, call: Call, b: &mut Bytes<'_>) {
        let good = b.chance(85);
        let h = if good { Hresult::S_OK } else { Self::hresult(b) };
        let ret = match call {
            Call::XpProviderInit { transport, .. } => Return::XpProviderInit {
                transport,
                result: if good {
                    Ok(SpiVersion::CURRENT)
                } else {
                    b.pick(&[Err(Hresult::MAPI_E_VERSION), Ok(SpiVersion(0x0002_0000)), Ok(SpiVersion(1))])
                },
            },
            Call::ServiceConfigure { service } => Return::ServiceConfigure { service, result: h },
            Call::TransportLogon { transport, .. } => {
                if good {
                    // The row comes inside TransportLogon, and sometimes a preprocessor.
                    let status = StatusCode::STATUS_AVAILABLE;
                    self.feed(Input::Support(SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::EMPTY, status }));
                    if b.chance(15) {
                        let filter = PreprocessorFilter { uid: None, addr_type: b.pick(&[None, Some(AddrType(0)), Some(AddrType(1))]) };
                        self.feed(Input::Support(SupportCall::RegisterPreprocessor { transport, filter }));
                    }
                }
                let caps = b.pick(&[
                    LogonCaps::EMPTY,
                    LogonCaps::LOGON_SP_IDLE,
                    LogonCaps::LOGON_SP_POLL,
                    LogonCaps::LOGON_SP_IDLE | LogonCaps::LOGON_SP_POLL,
                ]);
                Return::TransportLogon { transport, result: if good { Ok(caps) } else { Err(Self::hresult(b)) } }
            }
            Call::AddressTypes { transport } => {
                let regs = match b.byte() % 6 {
                    0 => Registrations::any(),
                    1 => Registrations::none(),
                    k => Registrations::address_types([AddrType(u16::from(k % 3)), AddrType(u16::from(b.byte() % 4))]),
                };
                Return::AddressTypes { transport, result: if good || b.chance(50) { Ok(regs) } else { Err(h) } }
            }
            Call::TransportNotify { transport, flags, .. } => {
                let flags =
                    if good || b.chance(50) { flags } else { NotifyFlags::from_bits(b.u32() & NotifyFlags::ALL.bits()).unwrap_or(flags) };
                Return::TransportNotify { transport, flags, result: h }
            }
            Call::Idle { transport } => Return::Idle { transport, result: h },
            Call::SubmitMessage { transport, message, flags, offered } => {
                if b.chance(20) {
                    let mut reports: Vec<(RecipientIdx, ReportKind)> = Vec::new();
                    for r in offered.iter() {
                        let byte = b.byte();
                        if byte & 1 == 1 {
                            reports.push((r, if byte & 2 == 2 { ReportKind::Delivery } else { ReportKind::NonDelivery }));
                        }
                    }
                    self.feed(Input::Support(SupportCall::StatusRecips { transport, message, reports }));
                }
                if b.chance(10) {
                    self.feed(Input::Support(SupportCall::SpoolerYield { transport }));
                }
                let outcome = match b.byte() % 10 {
                    0..=4 => SubmitOutcome::Accepted { msg_ref: MsgRef(u64::from(b.byte() % 4)), accepted: offered },
                    5 => SubmitOutcome::Accepted { msg_ref: MsgRef(1), accepted: Self::rows(b) },
                    6 if flags.contains(SubmitFlags::BEGIN_DEFERRED) => {
                        SubmitOutcome::Failed { result: Hresult::MAPI_E_CANCEL, return_parm: 0, saved: RecipientSet::new() }
                    }
                    _ => {
                        let saved = if b.chance(70) { RecipientSet::new() } else { Self::rows(b) };
                        SubmitOutcome::Failed { result: Self::hresult(b), return_parm: u32::from(b.byte() % 40), saved }
                    }
                };
                Return::SubmitMessage { transport, message, outcome }
            }
            Call::EndMessage { transport, msg_ref } => {
                let flags = b.pick(&[
                    EndFlags::EMPTY,
                    EndFlags::EMPTY,
                    EndFlags::EMPTY,
                    EndFlags::END_RESEND_NOW,
                    EndFlags::END_RESEND_LATER,
                    EndFlags::END_DONT_RESEND,
                    EndFlags::END_RESEND_NOW | EndFlags::END_DONT_RESEND,
                ]);
                Return::EndMessage { transport, msg_ref, result: if good || b.chance(70) { Ok(flags) } else { Err(h) } }
            }
            Call::TransportLogoff { transport } => Return::TransportLogoff { transport, result: h },
            Call::Shutdown { transport } => Return::Shutdown { transport, result: h },
            Call::SpoolerLogon { store } => Return::SpoolerLogon { store, result: h },
            Call::GetOutgoingQueue { store } => {
                let rows = self.stores[store.index()].outgoing_queue();
                Return::GetOutgoingQueue { store, result: if good || b.chance(50) { Ok(rows) } else { Err(h) } }
            }
            Call::SetLockState { store, message, state } => {
                let result = if good { self.stores[store.index()].set_lock_state(message, state) } else { h };
                Return::SetLockState { store, message, state, result }
            }
            Call::PreprocessMessage { preprocessor, message } => {
                Return::PreprocessMessage { preprocessor, message, result: if good { Ok(RecipientSet::new()) } else { Ok(Self::rows(b)) } }
            }
            Call::SubmitPreprocessed { store, message } => {
                let result = if good { self.stores[store.index()].submit_preprocessed(message) } else { h };
                Return::SubmitPreprocessed { store, message, result }
            }
            Call::RemovePreprocessInfo { preprocessor, message } => Return::RemovePreprocessInfo { preprocessor, message, result: h },
            Call::FinishedMsg { store, message } => {
                let result = if good { self.stores[store.index()].finished_msg(message, SentMailHook::None) } else { h };
                Return::FinishedMsg { store, message, result }
            }
            Call::Poll { transport } => Return::Poll { transport, incoming: u32::from(b.byte() % 3), result: h },
            Call::CreateMessage { store } => {
                let result = if good { Ok(self.stores[store.index()].create_inbound()) } else { Err(h) };
                Return::CreateMessage { store, result }
            }
            Call::StartMessage { transport, message } => {
                let result = if good {
                    let saved = b.chance(60) && self.stores[0].save_inbound(message, "IPM.Note");
                    Ok(if saved { Delivery::Saved } else { Delivery::Empty })
                } else {
                    Err(h)
                };
                Return::StartMessage { transport, message, result }
            }
            Call::NotifyNewMail { store, message } => {
                let result = if good { self.stores[store.index()].notify_new_mail(message) } else { h };
                Return::NotifyNewMail { store, message, result }
            }
            Call::AbortSubmit { store, message } => {
                let result = if good { self.stores[store.index()].abort_submit(message) } else { h };
                Return::AbortSubmit { store, message, result }
            }
            Call::InboundMsgHook { hook, message, .. } => {
                let result = if good { Ok(mapi_spooler::HookOutcome::KEEP) } else { Err(h) };
                Return::InboundMsgHook { hook, message, result }
            }
            Call::OpenStatusEntry { transport } => mapi_spooler::Return::OpenStatusEntry { transport, result: h },
            Call::ValidateState { transport, .. } => {
                let busy = if b.chance(20) { mapi_spooler::Hresult::MAPI_E_BUSY } else { h };
                mapi_spooler::Return::ValidateState { transport, result: busy }
            }
            Call::FlushQueues { transport, .. } => mapi_spooler::Return::FlushQueues { transport, result: h },
        };
        self.feed(Input::Return(ret));
    }

    /// Any input at all, from the bytes.
    fn any(&mut self, b: &mut Bytes<'_>) -> Input {
        let t = self.transport(b);
        match b.byte() % 16 {
            0 => Input::Session(b.pick(&[SessionRequest::Start, SessionRequest::Shutdown])),
            1 | 2 => {
                let directions = b.pick(&[Directions::BOTH, Directions::INBOUND, Directions::OUTBOUND, Directions::NONE]);
                Input::Session(if b.chance(50) {
                    SessionRequest::Enable { transport: t, directions }
                } else {
                    SessionRequest::Disable { transport: t, directions }
                })
            }
            3 => Input::TimePassed { seconds: b.pick(&[0, 1, 5, 30, 61, 3600, u32::MAX]) },
            4 if b.chance(20) => {
                // MsgServiceTransportOrder with a random list: now and then the profile's transports in
                // some order, more often a list the spooler must refuse (ORD-7, ERR-15).
                let n = 1 + usize::from(b.byte() % 5);
                Input::TransportOrder((0..n).map(|_| self.transport(b)).collect())
            }
            4 => Input::SystemIdle,
            5 => Input::Queue(QueueEvent::RowAdded(QueueRow {
                store: self.store(b),
                message: self.message(b),
                flags: QueueFlags::from_bits(u32::from(b.byte() % 4)).unwrap_or(QueueFlags::EMPTY),
                preprocess: b.chance(30),
                reports: ReportRequests { delivery: b.chance(50), non_delivery: b.chance(80) },
                recipients: if b.chance(5) { Vec::new() } else { Self::recipients(b) },
            })),
            6 => Input::Queue(QueueEvent::RowRemoved { store: self.store(b), message: self.message(b) }),
            7 => Input::Support(SupportCall::ModifyStatusRow {
                transport: t,
                flags: b.pick(&[StatusRowFlags::EMPTY, StatusRowFlags::STATUSROW_UPDATE]),
                status: StatusCode::from_bits_retain(b.u32()),
            }),
            8 => Input::Support(SupportCall::RegisterPreprocessor {
                transport: t,
                filter: PreprocessorFilter { uid: None, addr_type: b.pick(&[None, Some(AddrType(0)), Some(AddrType(1))]) },
            }),
            9..=11 => {
                let caller = if b.chance(85) { Caller::Transport(t) } else { Caller::Store(self.store(b)) };
                let flags = if b.chance(70) {
                    SpoolerNotifyFlags::NAMES[usize::from(b.byte()) % SpoolerNotifyFlags::NAMES.len()].0
                } else {
                    SpoolerNotifyFlags::from_bits(b.u32() & SpoolerNotifyFlags::ALL.bits()).unwrap_or(SpoolerNotifyFlags::EMPTY)
                };
                let message = b.chance(60).then(|| self.message(b));
                Input::Support(SupportCall::SpoolerNotify { caller, flags, message })
            }
            12 => {
                let kinds = b.byte();
                let reports = Self::rows(b)
                    .iter()
                    .map(|r| (r, if kinds & (1 << (r.0 % 8)) != 0 { ReportKind::Delivery } else { ReportKind::NonDelivery }))
                    .collect();
                Input::Support(SupportCall::StatusRecips { transport: t, message: self.message(b), reports })
            }
            13 if b.chance(30) => {
                // The user cancels a message (often one the spooler knows) or an inbound transfer.
                Input::Cancel(if b.chance(70) {
                    CancelRequest::Outbound { store: self.store(b), message: self.message(b) }
                } else {
                    CancelRequest::Inbound { transport: t }
                })
            }
            13 if b.chance(40) => {
                // A client's status call, now and then with undefined flag bits (STAT-9 to STAT-17).
                let flags = if b.chance(80) { b.u32() & 0x0070_003F } else { b.u32() };
                Input::Status(match b.byte() % 5 {
                    0 => mapi_spooler::StatusRequest::OpenEntry { transport: t },
                    1 => mapi_spooler::StatusRequest::ValidateState { flags },
                    2 => mapi_spooler::StatusRequest::FlushQueues { target: b.chance(50).then_some(t), flags },
                    3 => mapi_spooler::StatusRequest::SettingsDialog { flags },
                    _ => mapi_spooler::StatusRequest::ChangePassword { flags },
                })
            }
            13 => Input::Support(SupportCall::SpoolerYield { transport: t }),
            _ => {
                // A return for a call that may or may not be in flight.
                let call = match b.byte() % 5 {
                    0 => Call::SubmitMessage { transport: t, message: self.message(b), flags: SubmitFlags::EMPTY, offered: Self::rows(b) },
                    1 => Call::EndMessage { transport: t, msg_ref: MsgRef(u64::from(b.byte() % 3)) },
                    2 => Call::SetLockState { store: self.store(b), message: self.message(b), state: LockState::Locked },
                    3 => Call::FinishedMsg { store: self.store(b), message: self.message(b) },
                    _ => Call::TransportNotify { transport: t, flags: NotifyFlags::NOTIFY_BEGIN_OUTBOUND, message: None },
                };
                self.stray(call, b)
            }
        }
    }

    /// A return for `call`, as if it were in flight.
    fn stray(&mut self, call: Call, b: &mut Bytes<'_>) -> Input {
        let h = Self::hresult(b);
        Input::Return(match call {
            Call::SubmitMessage { transport, message, offered, .. } => {
                Return::SubmitMessage { transport, message, outcome: SubmitOutcome::Accepted { msg_ref: MsgRef(1), accepted: offered } }
            }
            Call::EndMessage { transport, msg_ref } => Return::EndMessage { transport, msg_ref, result: Ok(EndFlags::EMPTY) },
            Call::SetLockState { store, message, state } => Return::SetLockState { store, message, state, result: h },
            Call::FinishedMsg { store, message } => Return::FinishedMsg { store, message, result: h },
            Call::TransportNotify { transport, flags, .. } => Return::TransportNotify { transport, flags, result: h },
            _ => Return::Idle { transport: TransportId(0), result: h },
        })
    }
}

/// Runs one byte string. With `monitor`, the protocol monitor watches the accepted steps and its
/// violations are collected in the summary (they are not asserted: arbitrary accepted inputs may
/// describe a world no real transport or store produces).
///
/// # Panics
/// When a check fails, or when the spooler itself panics.
pub fn run(data: &[u8], monitor: bool) -> Summary {
    let mut b = Bytes { data, pos: 0 };
    let transports = 1 + b.byte() % 4;
    let shape = b.byte();
    let stores = 1 + (shape & 1);
    let mut services: Vec<ServiceId> = Vec::new();
    for i in 0..transports {
        // Bits 1 to 3: the transport shares the service of the one before it (LIFE-6).
        let shared = i > 0 && shape & (1 << i) != 0;
        services.push(if shared { services[usize::from(i) - 1] } else { ServiceId(i) });
    }
    let profile = Profile { transports: services, stores, settings: Settings::default() };
    let mut h = Harness {
        spooler: Spooler::new(&profile).expect("a valid profile"),
        monitor: monitor.then(|| Monitor::new(&profile)),
        stores: (0..stores).map(|s| ReferenceStore::new(StoreId(s), 1 + u32::from(s) * 1_000_000)).collect(),
        transports,
        summary: Summary::default(),
        trace: Vec::new(),
    };
    h.feed(Input::Session(SessionRequest::Start));
    assert_eq!(h.summary.accepted, 1, "Start is accepted");
    let mut inputs = 0;
    while !b.done() && inputs < MAX_INPUTS && h.spooler.phase() != Phase::Stopped {
        inputs += 1;
        match b.byte() % 16 {
            0..=7 => match h.spooler.call_in_flight().cloned() {
                Some(call) => h.answer(call, &mut b),
                None => {
                    if let Some(at) = h.spooler.next_deadline() {
                        let seconds = u32::try_from(at.0 - h.spooler.now().0).unwrap_or(u32::MAX);
                        h.feed(Input::TimePassed { seconds });
                    }
                }
            },
            8 | 9 => {
                let s = StoreId(b.byte() % stores);
                let draft = Draft { preprocess: b.chance(15), ..Draft::to(Harness::recipients(&mut b)) };
                if let Ok(row) = h.stores[s.index()].submit(draft)
                    && h.spooler.is_watching(s)
                {
                    h.feed(Input::Queue(QueueEvent::RowAdded(row)));
                }
            }
            10 => {
                let m = h.message(&mut b);
                let s = StoreId((m.0 / 1_000_000) as u8);
                if h.stores[s.index()].abort_submit(m) == Hresult::S_OK && h.spooler.is_watching(s) {
                    h.feed(Input::Queue(QueueEvent::RowRemoved { store: s, message: m }));
                }
            }
            _ => {
                let input = h.any(&mut b);
                h.feed(input);
            }
        }
    }
    h.summary
}
