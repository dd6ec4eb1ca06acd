//! Names, calls, effects, returns and inputs as the streams use them, and how a stream is replayed
//! and judged.

use super::*;

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

pub(crate) const SMTP: AddrType = AddrType(0);
pub(crate) const FAX: AddrType = AddrType(1);

pub(crate) const T0: TransportId = TransportId(0);
pub(crate) const T1: TransportId = TransportId(1);
pub(crate) const T2: TransportId = TransportId(2);
pub(crate) const T3: TransportId = TransportId(3);

pub(crate) const S0: StoreId = StoreId(0);

/// Messages of store `Sn` are numbered from `n * 1_000_000 + 1`, as in the reference store.
pub(crate) const M1: MessageId = MessageId(1);
pub(crate) const M2: MessageId = MessageId(2);
pub(crate) const M1000001: MessageId = MessageId(1_000_001);

pub(crate) const P0: PreprocessorId = PreprocessorId(0);
pub(crate) const P1: PreprocessorId = PreprocessorId(1);

pub(crate) fn store_of(m: MessageId) -> StoreId {
    StoreId((m.0 / 1_000_000) as u8)
}

pub(crate) fn set(rows: &[u16]) -> RecipientSet {
    rows.iter().map(|r| RecipientIdx(*r)).collect()
}

pub(crate) fn begin_both() -> NotifyFlags {
    NotifyFlags::NOTIFY_BEGIN_INBOUND | NotifyFlags::NOTIFY_BEGIN_OUTBOUND
}

pub(crate) fn end_both() -> NotifyFlags {
    NotifyFlags::NOTIFY_END_INBOUND | NotifyFlags::NOTIFY_END_OUTBOUND
}

// ---------------------------------------------------------------------------------------------
// Calls the spooler makes
// ---------------------------------------------------------------------------------------------

pub(crate) fn c(call: Call) -> Effect {
    Effect::Call(call)
}

pub(crate) fn init(transport: TransportId) -> Call {
    Call::XpProviderInit { transport, mapi_version: SpiVersion::CURRENT, flags: XpInitFlags::EMPTY }
}

pub(crate) fn logon(transport: TransportId) -> Call {
    Call::TransportLogon { transport, flags: LogonFlags::LOGON_NO_INBOUND | LogonFlags::LOGON_NO_OUTBOUND }
}

pub(crate) fn address_types(transport: TransportId) -> Call {
    Call::AddressTypes { transport }
}

pub(crate) fn notify(transport: TransportId, flags: NotifyFlags) -> Call {
    Call::TransportNotify { transport, flags, message: None }
}

pub(crate) fn abort_deferred(transport: TransportId, m: MessageId) -> Call {
    Call::TransportNotify { transport, flags: NotifyFlags::NOTIFY_ABORT_DEFERRED, message: Some(m) }
}

pub(crate) fn idle(transport: TransportId) -> Call {
    Call::Idle { transport }
}

pub(crate) fn submit(transport: TransportId, message: MessageId, rows: &[u16]) -> Call {
    Call::SubmitMessage { transport, message, flags: SubmitFlags::EMPTY, offered: set(rows) }
}

pub(crate) fn submit_deferred(transport: TransportId, message: MessageId, rows: &[u16]) -> Call {
    Call::SubmitMessage { transport, message, flags: SubmitFlags::BEGIN_DEFERRED, offered: set(rows) }
}

pub(crate) fn end(transport: TransportId, msg_ref: u64) -> Call {
    Call::EndMessage { transport, msg_ref: MsgRef(msg_ref) }
}

pub(crate) fn logoff(transport: TransportId) -> Call {
    Call::TransportLogoff { transport }
}

pub(crate) fn shutdown(transport: TransportId) -> Call {
    Call::Shutdown { transport }
}

pub(crate) fn spooler_logon(store: StoreId) -> Call {
    Call::SpoolerLogon { store }
}

pub(crate) fn get_queue(store: StoreId) -> Call {
    Call::GetOutgoingQueue { store }
}

pub(crate) fn lock(message: MessageId) -> Call {
    Call::SetLockState { store: store_of(message), message, state: LockState::Locked }
}

pub(crate) fn unlock(message: MessageId) -> Call {
    Call::SetLockState { store: store_of(message), message, state: LockState::Unlocked }
}

pub(crate) fn preprocess(preprocessor: PreprocessorId, message: MessageId) -> Call {
    Call::PreprocessMessage { preprocessor, message }
}

pub(crate) fn submit_preprocessed(message: MessageId) -> Call {
    Call::SubmitPreprocessed { store: store_of(message), message }
}

pub(crate) fn remove_preprocess_info(preprocessor: PreprocessorId, message: MessageId) -> Call {
    Call::RemovePreprocessInfo { preprocessor, message }
}

pub(crate) fn finished(message: MessageId) -> Call {
    Call::FinishedMsg { store: store_of(message), message }
}

// ---------------------------------------------------------------------------------------------
// Other effects
// ---------------------------------------------------------------------------------------------

pub(crate) fn save(message: MessageId, rows: &[u16], t: TransportId) -> Effect {
    Effect::SaveRecipients { store: store_of(message), message, recipients: set(rows), outcome: RecipientOutcome::Transport(t) }
}

pub(crate) fn report(message: MessageId, rows: &[u16], kind: ReportKind) -> Effect {
    Effect::Report { store: store_of(message), message, recipients: set(rows), kind }
}

pub(crate) fn released_logon(t: TransportId) -> Effect {
    Effect::Release(Released::Logon(t))
}

pub(crate) fn released_provider(t: TransportId) -> Effect {
    Effect::Release(Released::Provider(t))
}

// ---------------------------------------------------------------------------------------------
// Returns
// ---------------------------------------------------------------------------------------------

pub(crate) fn ret(r: Return) -> Input {
    Input::Return(r)
}

pub(crate) fn r_init(transport: TransportId) -> Input {
    r_init_as(transport, SpiVersion::CURRENT)
}

pub(crate) fn r_init_as(transport: TransportId, version: SpiVersion) -> Input {
    ret(Return::XpProviderInit { transport, result: Ok(version) })
}

pub(crate) fn r_logon(transport: TransportId, caps: LogonCaps) -> Input {
    ret(Return::TransportLogon { transport, result: Ok(caps) })
}

pub(crate) fn r_logon_failed(transport: TransportId, h: Hresult) -> Input {
    ret(Return::TransportLogon { transport, result: Err(h) })
}

pub(crate) fn r_address_types(transport: TransportId, registrations: Registrations) -> Input {
    ret(Return::AddressTypes { transport, result: Ok(registrations) })
}

pub(crate) fn r_notify(transport: TransportId, flags: NotifyFlags) -> Input {
    ret(Return::TransportNotify { transport, flags, result: Hresult::S_OK })
}

pub(crate) fn r_idle(transport: TransportId) -> Input {
    ret(Return::Idle { transport, result: Hresult::S_OK })
}

pub(crate) fn r_submit_ok(transport: TransportId, message: MessageId, msg_ref: u64, accepted: &[u16]) -> Input {
    ret(Return::SubmitMessage {
        transport,
        message,
        outcome: SubmitOutcome::Accepted { msg_ref: MsgRef(msg_ref), accepted: set(accepted) },
    })
}

pub(crate) fn r_submit_failed(transport: TransportId, message: MessageId, result: Hresult, return_parm: u32, saved: &[u16]) -> Input {
    ret(Return::SubmitMessage { transport, message, outcome: SubmitOutcome::Failed { result, return_parm, saved: set(saved) } })
}

pub(crate) fn r_end(transport: TransportId, msg_ref: u64, flags: EndFlags) -> Input {
    ret(Return::EndMessage { transport, msg_ref: MsgRef(msg_ref), result: Ok(flags) })
}

pub(crate) fn r_logoff(transport: TransportId) -> Input {
    ret(Return::TransportLogoff { transport, result: Hresult::S_OK })
}

pub(crate) fn r_shutdown(transport: TransportId) -> Input {
    ret(Return::Shutdown { transport, result: Hresult::S_OK })
}

pub(crate) fn r_spooler_logon(store: StoreId) -> Input {
    ret(Return::SpoolerLogon { store, result: Hresult::S_OK })
}

pub(crate) fn r_queue(store: StoreId, rows: Vec<QueueRow>) -> Input {
    ret(Return::GetOutgoingQueue { store, result: Ok(rows) })
}

pub(crate) fn r_lock(message: MessageId) -> Input {
    r_lock_as(message, Hresult::S_OK)
}

pub(crate) fn r_lock_as(message: MessageId, result: Hresult) -> Input {
    ret(Return::SetLockState { store: store_of(message), message, state: LockState::Locked, result })
}

pub(crate) fn r_unlock(message: MessageId) -> Input {
    ret(Return::SetLockState { store: store_of(message), message, state: LockState::Unlocked, result: Hresult::S_OK })
}

pub(crate) fn r_preprocess(preprocessor: PreprocessorId, message: MessageId) -> Input {
    ret(Return::PreprocessMessage { preprocessor, message, result: Ok(RecipientSet::new()) })
}

pub(crate) fn r_submit_preprocessed(message: MessageId) -> Input {
    ret(Return::SubmitPreprocessed { store: store_of(message), message, result: Hresult::S_OK })
}

pub(crate) fn r_remove_preprocess_info(preprocessor: PreprocessorId, message: MessageId) -> Input {
    ret(Return::RemovePreprocessInfo { preprocessor, message, result: Hresult::S_OK })
}

pub(crate) fn r_finished(message: MessageId) -> Input {
    ret(Return::FinishedMsg { store: store_of(message), message, result: Hresult::S_OK })
}

// ---------------------------------------------------------------------------------------------
// Other inputs
// ---------------------------------------------------------------------------------------------

pub(crate) fn start() -> Input {
    Input::Session(SessionRequest::Start)
}

pub(crate) fn session_shutdown() -> Input {
    Input::Session(SessionRequest::Shutdown)
}

pub(crate) fn enable(transport: TransportId, directions: Directions) -> Input {
    Input::Session(SessionRequest::Enable { transport, directions })
}

pub(crate) fn disable(transport: TransportId, directions: Directions) -> Input {
    Input::Session(SessionRequest::Disable { transport, directions })
}

pub(crate) fn time(seconds: u32) -> Input {
    Input::TimePassed { seconds }
}

pub(crate) fn spooler_notify(t: TransportId, flags: SpoolerNotifyFlags, message: Option<MessageId>) -> Input {
    Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(t), flags, message })
}

pub(crate) fn status_recips(transport: TransportId, message: MessageId, reports: &[(u16, ReportKind)]) -> Input {
    let reports = reports.iter().map(|(r, kind)| (RecipientIdx(*r), *kind)).collect();
    Input::Support(SupportCall::StatusRecips { transport, message, reports })
}

pub(crate) fn register_preprocessor(transport: TransportId, filter: PreprocessorFilter) -> Input {
    Input::Support(SupportCall::RegisterPreprocessor { transport, filter })
}

pub(crate) fn modify_row(transport: TransportId) -> Input {
    Input::Support(SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::EMPTY, status: StatusCode::STATUS_AVAILABLE })
}

/// The row update a transport makes before a `TransportNotify` returns (STAT-5, INV-12).
pub(crate) fn update_row(transport: TransportId, status: StatusCode) -> Input {
    Input::Support(SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::STATUSROW_UPDATE, status })
}

/// `PR_STATUS_CODE` of a transport with both directions enabled.
pub(crate) fn row_enabled() -> StatusCode {
    StatusCode::STATUS_AVAILABLE | StatusCode::STATUS_INBOUND_ENABLED | StatusCode::STATUS_OUTBOUND_ENABLED
}

pub(crate) fn row_added(row: QueueRow) -> Input {
    Input::Queue(QueueEvent::RowAdded(row))
}

pub(crate) fn row_removed(message: MessageId) -> Input {
    Input::Queue(QueueEvent::RowRemoved { store: store_of(message), message })
}

/// A queued message to recipients of these address types, none taken yet.
pub(crate) fn row(message: MessageId, types: &[AddrType]) -> QueueRow {
    QueueRow {
        store: store_of(message),
        message,
        flags: QueueFlags::EMPTY,
        preprocess: false,
        reports: ReportRequests::default(),
        recipients: types.iter().map(|t| RecipientRow::new(*t)).collect(),
    }
}

/// A queued message that waits for preprocessing (`SUBMITFLAG_PREPROCESS`, `PR_PREPROCESS`).
pub(crate) fn preprocessed_row(message: MessageId, types: &[AddrType]) -> QueueRow {
    QueueRow { flags: QueueFlags::SUBMITFLAG_PREPROCESS, preprocess: true, ..row(message, types) }
}

pub(crate) fn by_type(addr_type: AddrType) -> PreprocessorFilter {
    PreprocessorFilter { uid: None, addr_type: Some(addr_type) }
}

// ---------------------------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------------------------

/// One step of a stream: the monitor observes an input and the effects the spooler answered it
/// with, or the spooler process crashes ([`Monitor::restart`]).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Step {
    Observe(Input, Vec<Effect>),
    Crash,
}

pub(crate) fn st(input: Input, effects: impl IntoIterator<Item = Effect>) -> Step {
    Step::Observe(input, effects.into_iter().collect())
}

/// A transport of the profile: its registrations, its logon capabilities and the preprocessors
/// it registers during `TransportLogon`.
#[derive(Clone)]
pub(crate) struct Tp {
    pub(crate) registrations: Registrations,
    pub(crate) caps: LogonCaps,
    pub(crate) preprocessors: Vec<PreprocessorFilter>,
}

impl Tp {
    pub(crate) fn serving(types: &[AddrType]) -> Tp {
        Tp { registrations: Registrations::address_types(types.iter().copied()), caps: LogonCaps::EMPTY, preprocessors: Vec::new() }
    }

    pub(crate) fn with_caps(mut self, caps: LogonCaps) -> Tp {
        self.caps = caps;
        self
    }

    pub(crate) fn with_preprocessor(mut self, filter: PreprocessorFilter) -> Tp {
        self.preprocessors.push(filter);
        self
    }
}

pub(crate) fn smtp() -> Tp {
    Tp::serving(&[SMTP])
}

pub(crate) fn fax() -> Tp {
    Tp::serving(&[FAX])
}

/// The start-up of the reference (DEC-14): transport by transport XPProviderInit,
/// TransportLogon (during which the transport registers its preprocessors and creates its
/// status row) and AddressTypes; then store by store SpoolerLogon and GetOutgoingQueue, which
/// returns `queues[s]`; then TransportNotify(BEGIN) to each transport. Returns the steps and the
/// last input, the return of the last TransportNotify, whose effects the caller chooses.
pub(crate) fn boot(tps: &[Tp], queues: &[Vec<QueueRow>]) -> (Vec<Step>, Input) {
    let mut steps = Vec::new();
    let mut input = start();
    for (i, tp) in tps.iter().enumerate() {
        let t = TransportId(i as u8);
        steps.push(st(input, [c(init(t))]));
        steps.push(st(r_init(t), [c(logon(t))]));
        for filter in &tp.preprocessors {
            steps.push(st(register_preprocessor(t, *filter), []));
        }
        steps.push(st(modify_row(t), []));
        steps.push(st(r_logon(t, tp.caps), [c(address_types(t))]));
        input = r_address_types(t, tp.registrations.clone());
    }
    for (s, rows) in queues.iter().enumerate() {
        let store = StoreId(s as u8);
        steps.push(st(input, [c(spooler_logon(store))]));
        steps.push(st(r_spooler_logon(store), [c(get_queue(store))]));
        input = r_queue(store, rows.clone());
    }
    for i in 0..tps.len() {
        let t = TransportId(i as u8);
        steps.push(st(input, [c(notify(t, begin_both()))]));
        steps.push(st(update_row(t, row_enabled()), []));
        input = r_notify(t, begin_both());
    }
    (steps, input)
}

/// A session that has started with these transports and one empty store, and is idle.
pub(crate) fn started(tps: &[Tp]) -> Vec<Step> {
    let (mut steps, last) = boot(tps, &[Vec::new()]);
    steps.push(st(last, []));
    steps
}

/// The end of the session from `first` on, as the reference does it when no message is left:
/// each transport in turn is disabled, logged off and shut down (LIFE-12 to LIFE-16).
pub(crate) fn shutdown_steps(first: Input, ts: &[TransportId]) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut input = first;
    let mut releases = Vec::new();
    for &t in ts {
        let mut effects = releases;
        effects.push(c(notify(t, end_both())));
        steps.push(st(input, effects));
        steps.push(st(update_row(t, StatusCode::STATUS_AVAILABLE), []));
        steps.push(st(r_notify(t, end_both()), [c(logoff(t))]));
        steps.push(st(r_logoff(t), [released_logon(t), c(shutdown(t))]));
        input = r_shutdown(t);
        releases = vec![released_provider(t)];
    }
    steps.push(st(input, releases));
    steps
}

/// After `SubmitMessage(m)` to `t` was called: the transport takes the rows, `EndMessage`
/// returns 0, the spooler saves them and finishes the message.
pub(crate) fn completes(t: TransportId, m: MessageId, rows: &[u16], msg_ref: u64) -> Vec<Step> {
    vec![
        st(r_submit_ok(t, m, msg_ref, rows), [c(end(t, msg_ref))]),
        st(r_end(t, msg_ref, EndFlags::EMPTY), [save(m, rows, t), c(finished(m))]),
        st(r_finished(m), []),
    ]
}

pub(crate) fn cat(parts: impl IntoIterator<Item = Vec<Step>>) -> Vec<Step> {
    parts.into_iter().flatten().collect()
}

/// Feeds a stream to a fresh monitor and returns the verdict on each step.
pub(crate) fn replay(profile: &Profile, steps: &[Step]) -> Vec<Result<(), Violation>> {
    let mut monitor = Monitor::new(profile);
    steps
        .iter()
        .map(|step| match step {
            Step::Observe(input, effects) => monitor.observe(input, effects),
            Step::Crash => {
                monitor.restart();
                Ok(())
            }
        })
        .collect()
}

/// The stream with the monitor's verdicts, one step a line, for failure messages.
pub(crate) fn render(steps: &[Step], results: &[Result<(), Violation>]) -> String {
    let mut out = String::new();
    for (n, (step, result)) in steps.iter().zip(results).enumerate() {
        match step {
            Step::Observe(input, effects) => {
                let effects: Vec<String> = effects.iter().map(ToString::to_string).collect();
                let _ = writeln!(out, "{n:>4}  {input:?}\n      => [{}]", effects.join("; "));
            }
            Step::Crash => {
                let _ = writeln!(out, "{n:>4}  CRASH");
            }
        }
        if let Err(v) = result {
            let _ = writeln!(out, "      VIOLATION: {v}");
        }
    }
    out
}

/// The index and violation of the first step the monitor objected to.
pub(crate) fn first_violation(results: &[Result<(), Violation>]) -> Option<(usize, Violation)> {
    results.iter().enumerate().find_map(|(n, r)| r.clone().err().map(|v| (n, v)))
}

/// The monitor finds nothing wrong with the stream.
pub(crate) fn assert_quiet(profile: &Profile, steps: &[Step]) {
    let results = replay(profile, steps);
    if let Some((n, v)) = first_violation(&results) {
        panic!("the monitor objected to step {n} of a correct stream: {v}\n{}", render(steps, &results));
    }
}

/// Every step but the last is judged correct, and the last one breaks `property` with a detail
/// that contains every needle. Returns the violation.
pub(crate) fn assert_last_step_breaks(profile: &Profile, steps: &[Step], property: Property, needles: &[&str]) -> Violation {
    let results = replay(profile, steps);
    let last = steps.len() - 1;
    match first_violation(&results) {
        Some((n, _)) if n < last => panic!("the monitor objected to step {n} of the correct prefix\n{}", render(steps, &results)),
        None => panic!("the monitor did not object to the last step (expected {property})\n{}", render(steps, &results)),
        Some((_, v)) => {
            assert_eq!(v.property, property, "the wrong property fired: {v}\n{}", render(steps, &results));
            for needle in needles {
                assert!(v.detail.contains(needle), "the detail {:?} does not mention {needle:?}", v.detail);
            }
            v
        }
    }
}

/// The heart of the per-property tests: `prefix` then `bad` fires `property` on `bad` only, and
/// `prefix` then `good` (the reference's step instead of `bad`, and what follows) is quiet.
pub(crate) fn check(profile: &Profile, prefix: &[Step], bad: Step, good: &[Step], property: Property, needles: &[&str]) {
    let mut broken = prefix.to_vec();
    broken.push(bad);
    assert_last_step_breaks(profile, &broken, property, needles);
    let mut correct = prefix.to_vec();
    correct.extend_from_slice(good);
    assert_quiet(profile, &correct);
}
