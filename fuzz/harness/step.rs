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
//! The session is the world double (`mapi_spooler::world`) with the fuzzer's bytes as its policy:
//! the world plays the stores and the transports, and asks the bytes wherever it has a choice,
//! which they answer as documented most of the time and deliberately wrong the rest.
//!
//! Checked after every input, by the world: no panic (the fuzzer and the smoke test catch it); a
//! refused input leaves the spooler equal to a clone taken before; an accepted input makes at
//! most one call, only when none was in flight or the input was a return, and the call made is
//! then the call in flight; a return that made no call leaves none in flight; any other accepted
//! input leaves the call in flight as it was (AMB-20). The protocol monitor watches the accepted
//! steps; with `monitor` its violations are collected.
#![allow(dead_code)]

use mapi_spooler::sim::{effect_line, input_line};
use mapi_spooler::store::Draft;
use mapi_spooler::world::{Breach, LogonAnswer, Policy, Start, Step, Submission, World};
use mapi_spooler::{
    AddrType, Call, Caller, CancelRequest, Directions, Effect, EndFlags, HookId, HookOutcome, Hresult, Input, LockState, LogonCaps,
    MessageId, MsgRef, NotifyFlags, Phase, PreprocessorFilter, PreprocessorId, Profile, QueueEvent, QueueFlags, QueueRow, RecipientIdx,
    RecipientRow, RecipientSet, Registrations, ReportKind, ReportRequests, Return, ServiceId, SessionRequest, Settings, SpiVersion,
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

/// The little world's policy: the fuzzer's bytes, and what the run keeps.
struct Harness<'a> {
    bytes: Bytes<'a>,
    transports: u8,
    stores: u8,
    /// The monitor's violations are collected.
    monitor: bool,
    summary: Summary,
    /// The numbered call trace so far, for failure messages.
    trace: Vec<String>,
}

impl Harness<'_> {
    /// The trace's last lines.
    fn tail(&self) -> String {
        let skip = self.trace.len().saturating_sub(80);
        self.trace[skip..].join("\n")
    }

    /// True for the documented answer, most of the time.
    fn good(&mut self) -> bool {
        self.bytes.chance(85)
    }

    /// `S_OK` most of the time, else any known code.
    fn result(&mut self) -> Hresult {
        if self.good() { Hresult::S_OK } else { Self::hresult(&mut self.bytes) }
    }

    fn transport(&mut self) -> TransportId {
        // Mostly a transport of the profile, sometimes one it does not have.
        let n = self.transports;
        let b = &mut self.bytes;
        TransportId(if b.chance(90) { b.byte() % n } else { n + b.byte() % 3 })
    }

    fn store(&mut self) -> StoreId {
        let n = self.stores;
        let b = &mut self.bytes;
        StoreId(if b.chance(95) { b.byte() % n } else { n + b.byte() % 2 })
    }

    fn message(&mut self) -> MessageId {
        let s = self.bytes.byte() % self.stores;
        MessageId(1 + u32::from(s) * 1_000_000 + u32::from(self.bytes.byte() % 8))
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
}

impl Policy for Harness<'_> {
    fn stepped(&mut self, world: &World, step: &Step<'_>) {
        let n = self.summary.accepted + self.summary.refused + 1;
        self.trace.push(format!("{n:>5}  {}", input_line(step.input)));
        let input = step.input;
        match step.outcome {
            Err(error) => {
                self.summary.refused += 1;
                self.trace.push(format!("         REFUSED: {error}"));
                assert!(step.breach.is_none(), "{input:?} was refused ({error}) but changed the spooler\n{}", self.tail());
                let _ = (error.to_string(), error.hresult());
            }
            Ok(effects) => {
                self.summary.accepted += 1;
                self.trace.extend(effects.iter().map(|e| format!("         {}", effect_line(e))));
                match step.breach {
                    Some(Breach::Violation(v)) if self.monitor && self.summary.violations.is_empty() => {
                        let tail = self.tail();
                        self.summary.violations.push(format!("{v}\n{tail}"));
                    }
                    Some(Breach::Violation(_)) | None => {}
                    Some(breach) => panic!("{input:?}: {breach}\n{}", self.tail()),
                }
                if let Some(call) = effects.iter().find_map(Effect::as_call) {
                    self.summary.calls += 1;
                    self.summary.submits += usize::from(matches!(call, Call::SubmitMessage { .. }));
                    if let Call::TransportNotify { flags, .. } = call {
                        assert!(!flags.is_contradictory(), "contradictory TransportNotify({flags})\n{}", self.tail());
                    }
                }
                self.summary.ran |= world.spooler().phase() == Phase::Running;
            }
        }
    }

    fn checks_refusals(&self) -> bool {
        true
    }

    fn version(&mut self, _: &World, _: TransportId) -> Result<SpiVersion, Hresult> {
        if self.good() {
            Ok(SpiVersion::CURRENT)
        } else {
            self.bytes.pick(&[Err(Hresult::MAPI_E_VERSION), Ok(SpiVersion(0x0002_0000)), Ok(SpiVersion(1))])
        }
    }

    fn configure(&mut self, _: &World, _: ServiceId) -> Hresult {
        self.result()
    }

    fn logon(&mut self, _: &World, _: TransportId) -> LogonAnswer {
        let good = self.good();
        let b = &mut self.bytes;
        // The row comes inside TransportLogon, and sometimes a preprocessor.
        let preprocessors = if good && b.chance(15) {
            vec![PreprocessorFilter { uid: None, addr_type: b.pick(&[None, Some(AddrType(0)), Some(AddrType(1))]) }]
        } else {
            Vec::new()
        };
        let caps = b.pick(&[
            LogonCaps::EMPTY,
            LogonCaps::LOGON_SP_IDLE,
            LogonCaps::LOGON_SP_POLL,
            LogonCaps::LOGON_SP_IDLE | LogonCaps::LOGON_SP_POLL,
        ]);
        let result = if good { Ok(caps) } else { Err(Self::hresult(b)) };
        LogonAnswer { result, preprocessors, row_now: good }
    }

    fn registrations(&mut self, _: &World, _: TransportId) -> Result<Registrations, Hresult> {
        let good = self.good();
        let b = &mut self.bytes;
        let regs = match b.byte() % 6 {
            0 => Registrations::any(),
            1 => Registrations::none(),
            k => Registrations::address_types([AddrType(u16::from(k % 3)), AddrType(u16::from(b.byte() % 4))]),
        };
        if good || b.chance(50) { Ok(regs) } else { Err(Self::hresult(b)) }
    }

    fn notify(&mut self, _: &World, _: TransportId, flags: NotifyFlags) -> (NotifyFlags, Hresult) {
        let good = self.good();
        let b = &mut self.bytes;
        let flags = if good || b.chance(50) { flags } else { NotifyFlags::from_bits(b.u32() & NotifyFlags::ALL.bits()).unwrap_or(flags) };
        (flags, if good { Hresult::S_OK } else { Self::hresult(b) })
    }

    fn submit(&mut self, _: &World, _: TransportId, _: MessageId, flags: SubmitFlags, offered: &RecipientSet) -> Submission {
        let b = &mut self.bytes;
        let mut reports: Vec<(RecipientIdx, ReportKind)> = Vec::new();
        if b.chance(20) {
            for r in offered.iter() {
                let byte = b.byte();
                if byte & 1 == 1 {
                    reports.push((r, if byte & 2 == 2 { ReportKind::Delivery } else { ReportKind::NonDelivery }));
                }
            }
        }
        let yields = b.chance(10);
        let outcome = match b.byte() % 10 {
            0..=4 => SubmitOutcome::Accepted { msg_ref: MsgRef(u64::from(b.byte() % 4)), accepted: offered.clone() },
            5 => SubmitOutcome::Accepted { msg_ref: MsgRef(1), accepted: Self::rows(b) },
            6 if flags.contains(SubmitFlags::BEGIN_DEFERRED) => {
                SubmitOutcome::Failed { result: Hresult::MAPI_E_CANCEL, return_parm: 0, saved: RecipientSet::new() }
            }
            _ => {
                let saved = if b.chance(70) { RecipientSet::new() } else { Self::rows(b) };
                SubmitOutcome::Failed { result: Self::hresult(b), return_parm: u32::from(b.byte() % 40), saved }
            }
        };
        Submission { yields, critical: false, reports, outcome }
    }

    fn end(&mut self, _: &World, _: TransportId, _: MsgRef) -> Result<EndFlags, Hresult> {
        let good = self.good();
        let b = &mut self.bytes;
        let flags = b.pick(&[
            EndFlags::EMPTY,
            EndFlags::EMPTY,
            EndFlags::EMPTY,
            EndFlags::END_RESEND_NOW,
            EndFlags::END_RESEND_LATER,
            EndFlags::END_DONT_RESEND,
            EndFlags::END_RESEND_NOW | EndFlags::END_DONT_RESEND,
        ]);
        if good || b.chance(70) { Ok(flags) } else { Err(Self::hresult(b)) }
    }

    fn poll(&mut self, _: &World, _: TransportId) -> u32 {
        u32::from(self.bytes.byte() % 3)
    }

    fn start(&mut self, _: &World, _: TransportId, _: MessageId) -> Start {
        if !self.good() {
            Start::Fails(Self::hresult(&mut self.bytes))
        } else if self.bytes.chance(60) {
            Start::Saves("IPM.Note".to_owned())
        } else {
            Start::Empty
        }
    }

    fn validate(&mut self, _: &World, _: TransportId) -> Hresult {
        if self.bytes.chance(20) { Hresult::MAPI_E_BUSY } else { self.result() }
    }

    fn result(&mut self, _: &World, _: &Call) -> Hresult {
        Harness::result(self)
    }

    fn preprocess(&mut self, _: &World, _: PreprocessorId, _: MessageId) -> Result<RecipientSet, Hresult> {
        Ok(if self.good() { RecipientSet::new() } else { Self::rows(&mut self.bytes) })
    }

    fn hook(&mut self, _: &World, _: HookId, _: StoreId, _: MessageId) -> Result<HookOutcome, Hresult> {
        if self.good() { Ok(HookOutcome::KEEP) } else { Err(Self::hresult(&mut self.bytes)) }
    }

    fn store_fails(&mut self, _: &World, call: &Call) -> Option<Hresult> {
        let good = self.good() || (matches!(call, Call::GetOutgoingQueue { .. }) && self.bytes.chance(50));
        (!good).then(|| Self::hresult(&mut self.bytes))
    }
}

impl Harness<'_> {
    /// Any input at all, from the bytes.
    fn any(&mut self) -> Input {
        let t = self.transport();
        match self.bytes.byte() % 16 {
            0 => Input::Session(self.bytes.pick(&[SessionRequest::Start, SessionRequest::Shutdown])),
            1 | 2 => {
                let directions = self.bytes.pick(&[Directions::BOTH, Directions::INBOUND, Directions::OUTBOUND, Directions::NONE]);
                Input::Session(if self.bytes.chance(50) {
                    SessionRequest::Enable { transport: t, directions }
                } else {
                    SessionRequest::Disable { transport: t, directions }
                })
            }
            3 => Input::TimePassed { seconds: self.bytes.pick(&[0, 1, 5, 30, 61, 3600, u32::MAX]) },
            4 if self.bytes.chance(20) => {
                // MsgServiceTransportOrder with a random list: now and then the profile's transports in
                // some order, more often a list the spooler must refuse (ORD-7, ERR-15).
                let n = 1 + usize::from(self.bytes.byte() % 5);
                Input::TransportOrder((0..n).map(|_| self.transport()).collect())
            }
            4 => Input::SystemIdle,
            5 => Input::Queue(QueueEvent::RowAdded(QueueRow {
                store: self.store(),
                message: self.message(),
                flags: QueueFlags::from_bits(u32::from(self.bytes.byte() % 4)).unwrap_or(QueueFlags::EMPTY),
                preprocess: self.bytes.chance(30),
                reports: ReportRequests { delivery: self.bytes.chance(50), non_delivery: self.bytes.chance(80) },
                recipients: if self.bytes.chance(5) { Vec::new() } else { Self::recipients(&mut self.bytes) },
            })),
            6 => Input::Queue(QueueEvent::RowRemoved { store: self.store(), message: self.message() }),
            7 => Input::Support(SupportCall::ModifyStatusRow {
                transport: t,
                flags: self.bytes.pick(&[StatusRowFlags::EMPTY, StatusRowFlags::STATUSROW_UPDATE]),
                status: StatusCode::from_bits_retain(self.bytes.u32()),
            }),
            8 => Input::Support(SupportCall::RegisterPreprocessor {
                transport: t,
                filter: PreprocessorFilter { uid: None, addr_type: self.bytes.pick(&[None, Some(AddrType(0)), Some(AddrType(1))]) },
            }),
            9..=11 => {
                let caller = if self.bytes.chance(85) { Caller::Transport(t) } else { Caller::Store(self.store()) };
                let flags = if self.bytes.chance(70) {
                    SpoolerNotifyFlags::NAMES[usize::from(self.bytes.byte()) % SpoolerNotifyFlags::NAMES.len()].0
                } else {
                    SpoolerNotifyFlags::from_bits(self.bytes.u32() & SpoolerNotifyFlags::ALL.bits()).unwrap_or(SpoolerNotifyFlags::EMPTY)
                };
                let message = self.bytes.chance(60).then(|| self.message());
                Input::Support(SupportCall::SpoolerNotify { caller, flags, message })
            }
            12 => {
                let kinds = self.bytes.byte();
                let reports = Self::rows(&mut self.bytes)
                    .iter()
                    .map(|r| (r, if kinds & (1 << (r.0 % 8)) != 0 { ReportKind::Delivery } else { ReportKind::NonDelivery }))
                    .collect();
                Input::Support(SupportCall::StatusRecips { transport: t, message: self.message(), reports })
            }
            13 if self.bytes.chance(30) => {
                // The user cancels a message (often one the spooler knows) or an inbound transfer.
                Input::Cancel(if self.bytes.chance(70) {
                    CancelRequest::Outbound { store: self.store(), message: self.message() }
                } else {
                    CancelRequest::Inbound { transport: t }
                })
            }
            13 if self.bytes.chance(40) => {
                // A client's status call, now and then with undefined flag bits (STAT-9 to STAT-17).
                let flags = if self.bytes.chance(80) { self.bytes.u32() & 0x0070_003F } else { self.bytes.u32() };
                Input::Status(match self.bytes.byte() % 5 {
                    0 => mapi_spooler::StatusRequest::OpenEntry { transport: t },
                    1 => mapi_spooler::StatusRequest::ValidateState { flags },
                    2 => mapi_spooler::StatusRequest::FlushQueues { target: self.bytes.chance(50).then_some(t), flags },
                    3 => mapi_spooler::StatusRequest::SettingsDialog { flags },
                    _ => mapi_spooler::StatusRequest::ChangePassword { flags },
                })
            }
            13 => Input::Support(SupportCall::SpoolerYield { transport: t }),
            _ => {
                // A return for a call that may or may not be in flight.
                let call = match self.bytes.byte() % 5 {
                    0 => Call::SubmitMessage {
                        transport: t,
                        message: self.message(),
                        flags: SubmitFlags::EMPTY,
                        offered: Self::rows(&mut self.bytes),
                    },
                    1 => Call::EndMessage { transport: t, msg_ref: MsgRef(u64::from(self.bytes.byte() % 3)) },
                    2 => Call::SetLockState { store: self.store(), message: self.message(), state: LockState::Locked },
                    3 => Call::FinishedMsg { store: self.store(), message: self.message() },
                    _ => Call::TransportNotify { transport: t, flags: NotifyFlags::NOTIFY_BEGIN_OUTBOUND, message: None },
                };
                self.stray(call)
            }
        }
    }

    /// A return for `call`, as if it were in flight.
    fn stray(&mut self, call: Call) -> Input {
        let h = Self::hresult(&mut self.bytes);
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

/// Runs one byte string. With `monitor`, the protocol monitor's violations are collected in the
/// summary (they are not asserted: arbitrary accepted inputs may describe a world no real
/// transport or store produces).
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
    let mut world = World::new(&profile).expect("a valid profile");
    let mut h = Harness { bytes: b, transports, stores, monitor, summary: Summary::default(), trace: Vec::new() };
    world.start(&mut h);
    assert_eq!(h.summary.accepted, 1, "Start is accepted");
    let mut inputs = 0;
    while !h.bytes.done() && inputs < MAX_INPUTS && world.spooler().phase() != Phase::Stopped {
        inputs += 1;
        match h.bytes.byte() % 16 {
            0..=7 => {
                if !world.answer(&mut h) {
                    world.pass_time(&mut h);
                }
            }
            8 | 9 => {
                let s = StoreId(h.bytes.byte() % stores);
                let draft = Draft { preprocess: h.bytes.chance(15), ..Draft::to(Harness::recipients(&mut h.bytes)) };
                let _ = world.submit(s, draft, &mut h);
            }
            10 => {
                let m = h.message();
                world.abort(StoreId((m.0 / 1_000_000) as u8), m, &mut h);
            }
            _ => {
                let input = h.any();
                world.feed(input, &mut h);
            }
        }
    }
    h.summary
}
