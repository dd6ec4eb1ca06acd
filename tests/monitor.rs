//! The protocol monitor ([`Monitor`]) reports every property it checks, and only when the
//! spooler's calls break it.
//!
//! Each property gets a hand-written stream of steps (an input and the effects the spooler
//! answered it with). The stream starts with a prefix a correct spooler produces, taken from the
//! reference's traces in `tests/snapshots/`, and ends with one step whose effects break the
//! property. The monitor must judge every step of the prefix correct and report exactly that
//! property on the last step. When the last step is replaced by what the reference does, and the
//! stream continues as in the reference's trace, the monitor must stay quiet.
//!
//! The last groups check `Monitor::restart`, replay a run of the real spooler core (once as it
//! was, then with one effect removed or duplicated), keep the monitor quiet on correct streams it
//! once objected to.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use mapi_spooler::store::{Draft, ReferenceStore, SentMailHook};
use mapi_spooler::{
    AddrType, Call, Caller, Directions, Effect, EndFlags, Hresult, Input, LockState, LogonCaps, LogonFlags, MessageId, Monitor, MsgRef,
    NotifyFlags, PreprocessorFilter, PreprocessorId, Profile, Property, QueueEvent, QueueFlags, QueueRow, RecipientIdx, RecipientOutcome,
    RecipientRow, RecipientSet, Registrations, Released, ReportKind, ReportRequests, Return, ServiceId, SessionRequest, Settings,
    SpiVersion, Spooler, SpoolerNotifyFlags, StatusCode, StatusRowFlags, StoreId, SubmitFlags, SubmitOutcome, SupportCall, TransportId,
    Violation, XpInitFlags,
};
use mapi_spooler::{FlushFlags, StatusRequest};

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

const SMTP: AddrType = AddrType(0);
const FAX: AddrType = AddrType(1);

const T0: TransportId = TransportId(0);
const T1: TransportId = TransportId(1);
const T2: TransportId = TransportId(2);
const T3: TransportId = TransportId(3);

const S0: StoreId = StoreId(0);

/// Messages of store `Sn` are numbered from `n * 1_000_000 + 1`, as in the reference store.
const M1: MessageId = MessageId(1);
const M2: MessageId = MessageId(2);
const M1000001: MessageId = MessageId(1_000_001);

const P0: PreprocessorId = PreprocessorId(0);
const P1: PreprocessorId = PreprocessorId(1);

fn store_of(m: MessageId) -> StoreId {
    StoreId((m.0 / 1_000_000) as u8)
}

fn set(rows: &[u16]) -> RecipientSet {
    rows.iter().map(|r| RecipientIdx(*r)).collect()
}

fn begin_both() -> NotifyFlags {
    NotifyFlags::NOTIFY_BEGIN_INBOUND | NotifyFlags::NOTIFY_BEGIN_OUTBOUND
}

fn end_both() -> NotifyFlags {
    NotifyFlags::NOTIFY_END_INBOUND | NotifyFlags::NOTIFY_END_OUTBOUND
}

// ---------------------------------------------------------------------------------------------
// Calls the spooler makes
// ---------------------------------------------------------------------------------------------

fn c(call: Call) -> Effect {
    Effect::Call(call)
}

fn init(transport: TransportId) -> Call {
    Call::XpProviderInit { transport, mapi_version: SpiVersion::CURRENT, flags: XpInitFlags::EMPTY }
}

fn logon(transport: TransportId) -> Call {
    Call::TransportLogon { transport, flags: LogonFlags::LOGON_NO_INBOUND | LogonFlags::LOGON_NO_OUTBOUND }
}

fn address_types(transport: TransportId) -> Call {
    Call::AddressTypes { transport }
}

fn notify(transport: TransportId, flags: NotifyFlags) -> Call {
    Call::TransportNotify { transport, flags, message: None }
}

fn abort_deferred(transport: TransportId, m: MessageId) -> Call {
    Call::TransportNotify { transport, flags: NotifyFlags::NOTIFY_ABORT_DEFERRED, message: Some(m) }
}

fn idle(transport: TransportId) -> Call {
    Call::Idle { transport }
}

fn submit(transport: TransportId, message: MessageId, rows: &[u16]) -> Call {
    Call::SubmitMessage { transport, message, flags: SubmitFlags::EMPTY, offered: set(rows) }
}

fn submit_deferred(transport: TransportId, message: MessageId, rows: &[u16]) -> Call {
    Call::SubmitMessage { transport, message, flags: SubmitFlags::BEGIN_DEFERRED, offered: set(rows) }
}

fn end(transport: TransportId, msg_ref: u64) -> Call {
    Call::EndMessage { transport, msg_ref: MsgRef(msg_ref) }
}

fn logoff(transport: TransportId) -> Call {
    Call::TransportLogoff { transport }
}

fn shutdown(transport: TransportId) -> Call {
    Call::Shutdown { transport }
}

fn spooler_logon(store: StoreId) -> Call {
    Call::SpoolerLogon { store }
}

fn get_queue(store: StoreId) -> Call {
    Call::GetOutgoingQueue { store }
}

fn lock(message: MessageId) -> Call {
    Call::SetLockState { store: store_of(message), message, state: LockState::Locked }
}

fn unlock(message: MessageId) -> Call {
    Call::SetLockState { store: store_of(message), message, state: LockState::Unlocked }
}

fn preprocess(preprocessor: PreprocessorId, message: MessageId) -> Call {
    Call::PreprocessMessage { preprocessor, message }
}

fn submit_preprocessed(message: MessageId) -> Call {
    Call::SubmitPreprocessed { store: store_of(message), message }
}

fn remove_preprocess_info(preprocessor: PreprocessorId, message: MessageId) -> Call {
    Call::RemovePreprocessInfo { preprocessor, message }
}

fn finished(message: MessageId) -> Call {
    Call::FinishedMsg { store: store_of(message), message }
}

// ---------------------------------------------------------------------------------------------
// Other effects
// ---------------------------------------------------------------------------------------------

fn save(message: MessageId, rows: &[u16], t: TransportId) -> Effect {
    Effect::SaveRecipients { store: store_of(message), message, recipients: set(rows), outcome: RecipientOutcome::Transport(t) }
}

fn report(message: MessageId, rows: &[u16], kind: ReportKind) -> Effect {
    Effect::Report { store: store_of(message), message, recipients: set(rows), kind }
}

fn released_logon(t: TransportId) -> Effect {
    Effect::Release(Released::Logon(t))
}

fn released_provider(t: TransportId) -> Effect {
    Effect::Release(Released::Provider(t))
}

// ---------------------------------------------------------------------------------------------
// Returns
// ---------------------------------------------------------------------------------------------

fn ret(r: Return) -> Input {
    Input::Return(r)
}

fn r_init(transport: TransportId) -> Input {
    r_init_as(transport, SpiVersion::CURRENT)
}

fn r_init_as(transport: TransportId, version: SpiVersion) -> Input {
    ret(Return::XpProviderInit { transport, result: Ok(version) })
}

fn r_logon(transport: TransportId, caps: LogonCaps) -> Input {
    ret(Return::TransportLogon { transport, result: Ok(caps) })
}

fn r_logon_failed(transport: TransportId, h: Hresult) -> Input {
    ret(Return::TransportLogon { transport, result: Err(h) })
}

fn r_address_types(transport: TransportId, registrations: Registrations) -> Input {
    ret(Return::AddressTypes { transport, result: Ok(registrations) })
}

fn r_notify(transport: TransportId, flags: NotifyFlags) -> Input {
    ret(Return::TransportNotify { transport, flags, result: Hresult::S_OK })
}

fn r_idle(transport: TransportId) -> Input {
    ret(Return::Idle { transport, result: Hresult::S_OK })
}

fn r_submit_ok(transport: TransportId, message: MessageId, msg_ref: u64, accepted: &[u16]) -> Input {
    ret(Return::SubmitMessage {
        transport,
        message,
        outcome: SubmitOutcome::Accepted { msg_ref: MsgRef(msg_ref), accepted: set(accepted) },
    })
}

fn r_submit_failed(transport: TransportId, message: MessageId, result: Hresult, return_parm: u32, saved: &[u16]) -> Input {
    ret(Return::SubmitMessage { transport, message, outcome: SubmitOutcome::Failed { result, return_parm, saved: set(saved) } })
}

fn r_end(transport: TransportId, msg_ref: u64, flags: EndFlags) -> Input {
    ret(Return::EndMessage { transport, msg_ref: MsgRef(msg_ref), result: Ok(flags) })
}

fn r_logoff(transport: TransportId) -> Input {
    ret(Return::TransportLogoff { transport, result: Hresult::S_OK })
}

fn r_shutdown(transport: TransportId) -> Input {
    ret(Return::Shutdown { transport, result: Hresult::S_OK })
}

fn r_spooler_logon(store: StoreId) -> Input {
    ret(Return::SpoolerLogon { store, result: Hresult::S_OK })
}

fn r_queue(store: StoreId, rows: Vec<QueueRow>) -> Input {
    ret(Return::GetOutgoingQueue { store, result: Ok(rows) })
}

fn r_lock(message: MessageId) -> Input {
    r_lock_as(message, Hresult::S_OK)
}

fn r_lock_as(message: MessageId, result: Hresult) -> Input {
    ret(Return::SetLockState { store: store_of(message), message, state: LockState::Locked, result })
}

fn r_unlock(message: MessageId) -> Input {
    ret(Return::SetLockState { store: store_of(message), message, state: LockState::Unlocked, result: Hresult::S_OK })
}

fn r_preprocess(preprocessor: PreprocessorId, message: MessageId) -> Input {
    ret(Return::PreprocessMessage { preprocessor, message, result: Ok(RecipientSet::new()) })
}

fn r_submit_preprocessed(message: MessageId) -> Input {
    ret(Return::SubmitPreprocessed { store: store_of(message), message, result: Hresult::S_OK })
}

fn r_remove_preprocess_info(preprocessor: PreprocessorId, message: MessageId) -> Input {
    ret(Return::RemovePreprocessInfo { preprocessor, message, result: Hresult::S_OK })
}

fn r_finished(message: MessageId) -> Input {
    ret(Return::FinishedMsg { store: store_of(message), message, result: Hresult::S_OK })
}

// ---------------------------------------------------------------------------------------------
// Other inputs
// ---------------------------------------------------------------------------------------------

fn start() -> Input {
    Input::Session(SessionRequest::Start)
}

fn session_shutdown() -> Input {
    Input::Session(SessionRequest::Shutdown)
}

fn enable(transport: TransportId, directions: Directions) -> Input {
    Input::Session(SessionRequest::Enable { transport, directions })
}

fn disable(transport: TransportId, directions: Directions) -> Input {
    Input::Session(SessionRequest::Disable { transport, directions })
}

fn time(seconds: u32) -> Input {
    Input::TimePassed { seconds }
}

fn spooler_notify(t: TransportId, flags: SpoolerNotifyFlags, message: Option<MessageId>) -> Input {
    Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(t), flags, message })
}

fn status_recips(transport: TransportId, message: MessageId, reports: &[(u16, ReportKind)]) -> Input {
    let reports = reports.iter().map(|(r, kind)| (RecipientIdx(*r), *kind)).collect();
    Input::Support(SupportCall::StatusRecips { transport, message, reports })
}

fn register_preprocessor(transport: TransportId, filter: PreprocessorFilter) -> Input {
    Input::Support(SupportCall::RegisterPreprocessor { transport, filter })
}

fn modify_row(transport: TransportId) -> Input {
    Input::Support(SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::EMPTY, status: StatusCode::STATUS_AVAILABLE })
}

/// The row update a transport makes before a `TransportNotify` returns (STAT-5, INV-12).
fn update_row(transport: TransportId, status: StatusCode) -> Input {
    Input::Support(SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::STATUSROW_UPDATE, status })
}

/// `PR_STATUS_CODE` of a transport with both directions enabled.
fn row_enabled() -> StatusCode {
    StatusCode::STATUS_AVAILABLE | StatusCode::STATUS_INBOUND_ENABLED | StatusCode::STATUS_OUTBOUND_ENABLED
}

fn row_added(row: QueueRow) -> Input {
    Input::Queue(QueueEvent::RowAdded(row))
}

fn row_removed(message: MessageId) -> Input {
    Input::Queue(QueueEvent::RowRemoved { store: store_of(message), message })
}

/// A queued message to recipients of these address types, none taken yet.
fn row(message: MessageId, types: &[AddrType]) -> QueueRow {
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
fn preprocessed_row(message: MessageId, types: &[AddrType]) -> QueueRow {
    QueueRow { flags: QueueFlags::SUBMITFLAG_PREPROCESS, preprocess: true, ..row(message, types) }
}

fn by_type(addr_type: AddrType) -> PreprocessorFilter {
    PreprocessorFilter { uid: None, addr_type: Some(addr_type) }
}

// ---------------------------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------------------------

/// One step of a stream: the monitor observes an input and the effects the spooler answered it
/// with, or the spooler process crashes ([`Monitor::restart`]).
#[derive(Clone, Debug, PartialEq)]
enum Step {
    Observe(Input, Vec<Effect>),
    Crash,
}

fn st(input: Input, effects: impl IntoIterator<Item = Effect>) -> Step {
    Step::Observe(input, effects.into_iter().collect())
}

/// A transport of the profile: its registrations, its logon capabilities and the preprocessors
/// it registers during `TransportLogon`.
#[derive(Clone)]
struct Tp {
    registrations: Registrations,
    caps: LogonCaps,
    preprocessors: Vec<PreprocessorFilter>,
}

impl Tp {
    fn serving(types: &[AddrType]) -> Tp {
        Tp { registrations: Registrations::address_types(types.iter().copied()), caps: LogonCaps::EMPTY, preprocessors: Vec::new() }
    }

    fn with_caps(mut self, caps: LogonCaps) -> Tp {
        self.caps = caps;
        self
    }

    fn with_preprocessor(mut self, filter: PreprocessorFilter) -> Tp {
        self.preprocessors.push(filter);
        self
    }
}

fn smtp() -> Tp {
    Tp::serving(&[SMTP])
}

fn fax() -> Tp {
    Tp::serving(&[FAX])
}

/// The start-up of the reference (DEC-14): transport by transport XPProviderInit,
/// TransportLogon (during which the transport registers its preprocessors and creates its
/// status row) and AddressTypes; then store by store SpoolerLogon and GetOutgoingQueue, which
/// returns `queues[s]`; then TransportNotify(BEGIN) to each transport. Returns the steps and the
/// last input, the return of the last TransportNotify, whose effects the caller chooses.
fn boot(tps: &[Tp], queues: &[Vec<QueueRow>]) -> (Vec<Step>, Input) {
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
fn started(tps: &[Tp]) -> Vec<Step> {
    let (mut steps, last) = boot(tps, &[Vec::new()]);
    steps.push(st(last, []));
    steps
}

/// The end of the session from `first` on, as the reference does it when no message is left:
/// each transport in turn is disabled, logged off and shut down (LIFE-12 to LIFE-16).
fn shutdown_steps(first: Input, ts: &[TransportId]) -> Vec<Step> {
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
fn completes(t: TransportId, m: MessageId, rows: &[u16], msg_ref: u64) -> Vec<Step> {
    vec![
        st(r_submit_ok(t, m, msg_ref, rows), [c(end(t, msg_ref))]),
        st(r_end(t, msg_ref, EndFlags::EMPTY), [save(m, rows, t), c(finished(m))]),
        st(r_finished(m), []),
    ]
}

fn cat(parts: impl IntoIterator<Item = Vec<Step>>) -> Vec<Step> {
    parts.into_iter().flatten().collect()
}

/// Feeds a stream to a fresh monitor and returns the verdict on each step.
fn replay(profile: &Profile, steps: &[Step]) -> Vec<Result<(), Violation>> {
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
fn render(steps: &[Step], results: &[Result<(), Violation>]) -> String {
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
fn first_violation(results: &[Result<(), Violation>]) -> Option<(usize, Violation)> {
    results.iter().enumerate().find_map(|(n, r)| r.clone().err().map(|v| (n, v)))
}

/// The monitor finds nothing wrong with the stream.
fn assert_quiet(profile: &Profile, steps: &[Step]) {
    let results = replay(profile, steps);
    if let Some((n, v)) = first_violation(&results) {
        panic!("the monitor objected to step {n} of a correct stream: {v}\n{}", render(steps, &results));
    }
}

/// Every step but the last is judged correct, and the last one breaks `property` with a detail
/// that contains every needle. Returns the violation.
fn assert_last_step_breaks(profile: &Profile, steps: &[Step], property: Property, needles: &[&str]) -> Violation {
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
fn check(profile: &Profile, prefix: &[Step], bad: Step, good: &[Step], property: Property, needles: &[&str]) {
    let mut broken = prefix.to_vec();
    broken.push(bad);
    assert_last_step_breaks(profile, &broken, property, needles);
    let mut correct = prefix.to_vec();
    correct.extend_from_slice(good);
    assert_quiet(profile, &correct);
}

// ---------------------------------------------------------------------------------------------
// Every property can fire
// ---------------------------------------------------------------------------------------------

/// The test that makes each property fire. The match has no wildcard: a new property does not
/// compile until it has a test.
fn firing_test(property: Property) -> &'static str {
    match property {
        Property::CallOrder => "inv01_call_order_fires_on_address_types_before_transport_logon",
        Property::NothingAfterLogoff => "inv02_nothing_after_logoff_fires_on_a_call_to_a_logged_off_transport",
        Property::ShutdownGating => "inv03_shutdown_gating_fires_on_shutdown_with_a_live_logon",
        Property::CriticalIsTerminal => "inv05_critical_is_terminal_fires_on_a_submit_after_notify_critical_error",
        Property::FailedService => "inv06_failed_service_fires_on_a_new_logon_in_a_disabled_service",
        Property::VersionGate => "inv07_version_gate_fires_on_logon_after_the_version_did_not_agree",
        Property::OutboundGate => "inv08_outbound_gate_fires_on_submit_while_outbound_is_disabled",
        Property::CapabilityGate => "inv10_capability_gate_fires_on_idle_without_logon_sp_idle",
        Property::CriticalSectionGate => "inv11_critical_section_gate_fires_on_idle_inside_a_critical_section",
        Property::WellFormedNotify => "inv13_well_formed_notify_fires_on_begin_and_end_of_one_direction",
        Property::LockBeforeHandOff => "inv14_lock_before_hand_off_fires_on_submit_of_an_unlocked_message",
        Property::AbortVersusLock => "inv15_abort_versus_lock_fires_on_handing_over_an_aborted_message",
        Property::EndMessagePairing => "inv17_end_message_pairing_fires_on_end_message_after_a_failed_submit",
        Property::OneMessagePerTransport => "inv18_one_message_per_transport_fires_on_a_call_before_end_message",
        Property::TakenNeverOffered => "inv20_taken_never_offered_fires_on_offering_a_saved_recipient_again",
        Property::ScanOrder => "inv22_scan_order_fires_on_skipping_the_first_transport_of_the_scan",
        Property::OneDisposition => "inv23_one_disposition_fires_on_finished_msg_before_every_recipient_is_settled",
        Property::OneReport => "inv24_one_report_fires_on_a_second_report_for_a_recipient",
        Property::FinishedOnlyWhenDone => "inv25_finished_only_when_done_fires_on_finished_msg_before_remove_preprocess_info",
        Property::FinishedDiscipline => "inv26_finished_discipline_fires_on_finished_msg_of_an_unlocked_message",
        Property::PreprocessFirst => "inv27_preprocess_first_fires_on_submit_before_preprocessing_ended",
        Property::TransportFifo => "inv28_transport_fifo_fires_when_a_later_message_reached_the_transport_first",
        Property::RetryDelay => "inv29_retry_delay_fires_on_submit_before_the_wait_delay_ended",
        Property::DeferralProtocol => "inv30_deferral_protocol_fires_on_begin_deferred_before_notify_sentdeferred",
        Property::OneCallAtATime => "amb20_one_call_at_a_time_fires_on_a_call_while_another_is_in_flight",
        Property::InboundGate => "inv09_inbound_gate_fires_on_start_message_while_inbound_is_disabled",
        Property::CommitBeforeNotify => "inv36_commit_before_notify_fires_on_notify_new_mail_of_an_unsaved_message",
        Property::CancelledInboundDiscarded => "inv37_cancelled_inbound_discarded_fires_when_a_cancelled_start_message_is_kept",
        Property::CancelledNeverOffered => "inv39_cancelled_never_offered_fires_on_offering_a_cancelled_message_again",
        Property::CancelTarget => "inv40_cancel_target_fires_on_cancelling_another_message_than_the_one_in_flight",
        Property::CompletedByPair => "inv34_completed_by_pair_fires_on_offering_a_recipient_of_a_completed_message",
        Property::CompletedNotQueued => "inv35_completed_not_queued_fires_on_locking_a_completed_message_queued_again",
        Property::RowMirrorsEnabled => "inv12_row_mirrors_enabled_fires_when_begin_returns_with_the_row_unchanged",
        Property::FlushProtocol => "stat20_flush_protocol_fires_on_end_outbound_flush_before_begin",
    }
}

/// Every property of `Property::ALL` has its own firing test in this file, and that test cites
/// the property's catalogue ID on its `Spec:` line.
#[test]
fn every_property_has_a_firing_test() {
    // Spec: INV-1, INV-2, INV-3, INV-5, INV-6, INV-7, INV-8, INV-10, INV-11, INV-13, INV-14, INV-15, INV-17
    // Spec: INV-18, INV-20, INV-22, INV-23, INV-24, INV-25, INV-26, INV-27, INV-28, INV-29, INV-30, AMB-20
    // Spec: INV-9, INV-36, INV-37, INV-39, INV-40, INV-12, STAT-20
    let source = include_str!("monitor.rs");
    let mut names = BTreeSet::new();
    for &property in Property::ALL {
        let name = firing_test(property);
        assert!(names.insert(name), "{name} is the firing test of two properties");
        let header = format!("#[test]\nfn {name}() {{\n");
        let start = source.find(&header).unwrap_or_else(|| panic!("no test function {name} for {property}"));
        let body = &source[start + header.len()..];
        let body = &body[..body.find("\n}\n").expect("the test function ends")];
        let cited: Vec<&str> =
            body.lines().filter_map(|l| l.trim().strip_prefix("// Spec:")).flat_map(|ids| ids.split(',')).map(str::trim).collect();
        assert!(cited.contains(&property.id()), "{name} does not cite {} on its Spec: line (cites {cited:?})", property.id());
    }
    assert_eq!(names.len(), Property::ALL.len());
}

/// INV-1: the reference initializes, logs on and registers a transport in this order; an
/// `AddressTypes` right after `XPProviderInit`, before any `TransportLogon`, is out of order.
#[test]
fn inv01_call_order_fires_on_address_types_before_transport_logon() {
    // Spec: INV-1
    let session = started(&[smtp()]);
    let bad = st(r_init(T0), [c(address_types(T0))]);
    check(&Profile::new(1), &session[..1], bad, &session[1..], Property::CallOrder, &["T0.AddressTypes()", "without a live logon"]);
}

/// INV-1: `TransportNotify(BEGIN)` before `AddressTypes` returned is out of order.
#[test]
fn inv01_call_order_fires_on_transport_notify_before_address_types() {
    // Spec: INV-1
    let session = started(&[smtp()]);
    let logon_returns = session.iter().position(|s| matches!(s, Step::Observe(Input::Return(Return::TransportLogon { .. }), _))).unwrap();
    let bad = st(r_logon(T0, LogonCaps::EMPTY), [c(notify(T0, begin_both()))]);
    check(
        &Profile::new(1),
        &session[..logon_returns],
        bad,
        &session[logon_returns..],
        Property::CallOrder,
        &["T0.TransportNotify", "before AddressTypes returned"],
    );
}

/// INV-2: once `TransportLogoff` returned, the logon is gone; a `TransportNotify` to it is a
/// call on an invalid object. The reference goes on with `Shutdown`.
#[test]
fn inv02_nothing_after_logoff_fires_on_a_call_to_a_logged_off_transport() {
    // Spec: INV-2
    let end = shutdown_steps(session_shutdown(), &[T0]);
    let prefix = cat([started(&[smtp()]), end[..2].to_vec()]);
    let bad = st(r_logoff(T0), [released_logon(T0), c(notify(T0, end_both()))]);
    check(&Profile::new(1), &prefix, bad, &end[2..], Property::NothingAfterLogoff, &["T0.TransportNotify", "without a live logon of T0"]);
}

/// INV-3: `Shutdown` of a provider whose logon is still live (disabled, but not logged off) is
/// premature.
#[test]
fn inv03_shutdown_gating_fires_on_shutdown_with_a_live_logon() {
    // Spec: INV-3
    let end = shutdown_steps(session_shutdown(), &[T0]);
    let prefix = cat([started(&[smtp()]), end[..2].to_vec()]);
    let bad = st(r_notify(T0, end_both()), [c(shutdown(T0))]);
    check(&Profile::new(1), &prefix, bad, &end[2..], Property::ShutdownGating, &["T0.Shutdown(0)", "live logon"]);
}

/// INV-3: `Shutdown` happens at most once per provider.
#[test]
fn inv03_shutdown_gating_fires_on_a_second_shutdown() {
    // Spec: INV-3
    let end = shutdown_steps(session_shutdown(), &[T0]);
    let prefix = cat([started(&[smtp()]), end[..3].to_vec()]);
    let bad = st(r_shutdown(T0), [released_provider(T0), c(shutdown(T0))]);
    check(&Profile::new(1), &prefix, bad, &end[3..], Property::ShutdownGating, &["T0.Shutdown(0)", "no provider object"]);
}

/// INV-5: after `NOTIFY_CRITICAL_ERROR` the reference only logs the transport off and shuts it
/// down, and gives the recipient to the next transport (trace
/// `errors__critical_error_during_submit_leaves_only_release_calls`); offering it the message
/// again is forbidden.
#[test]
fn inv05_critical_is_terminal_fires_on_a_submit_after_notify_critical_error() {
    // Spec: INV-5
    let prefix = cat([
        started(&[smtp(), smtp()]),
        vec![
            st(row_added(row(M1, &[SMTP])), [c(lock(M1))]),
            st(r_lock(M1), [c(submit(T0, M1, &[0]))]),
            st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR, None), []),
        ],
    ]);
    let failed = r_submit_failed(T0, M1, Hresult::MAPI_E_CALL_FAILED, 0, &[]);
    let bad = st(failed.clone(), [c(submit(T0, M1, &[0]))]);
    let good = cat([
        vec![
            st(failed, [c(logoff(T0))]),
            st(r_logoff(T0), [released_logon(T0), c(shutdown(T0))]),
            st(r_shutdown(T0), [released_provider(T0), c(submit(T1, M1, &[0]))]),
        ],
        completes(T1, M1, &[0], 1),
    ]);
    check(&Profile::new(2), &prefix, bad, &good, Property::CriticalIsTerminal, &["T0.SubmitMessage", "NOTIFY_CRITICAL_ERROR"]);
}

/// T0 to T2 share a message service, T3 has its own (trace
/// `lifecycle__other_logon_error_disables_the_whole_service`).
fn shared_service_profile() -> Profile {
    Profile { transports: vec![ServiceId(0), ServiceId(0), ServiceId(0), ServiceId(1)], stores: 1, settings: Settings::default() }
}

/// The start-up of [`shared_service_profile`] up to T1's failed logon, which disables service 0.
fn shared_service_prefix() -> Vec<Step> {
    vec![
        st(start(), [c(init(T0))]),
        st(r_init(T0), [c(logon(T0))]),
        st(modify_row(T0), []),
        st(r_logon(T0, LogonCaps::EMPTY), [c(address_types(T0))]),
        st(r_address_types(T0, Registrations::address_types([SMTP])), [c(init(T1))]),
        st(r_init(T1), [c(logon(T1))]),
    ]
}

/// What the reference does after T1's failed logon: it releases T0 and T1, skips T2 and starts
/// T3, the only transport of the other service.
fn shared_service_rest() -> Vec<Step> {
    vec![
        st(r_logon_failed(T1, Hresult::MAPI_E_LOGON_FAILED), [c(logoff(T0))]),
        st(r_logoff(T0), [released_logon(T0), c(shutdown(T0))]),
        st(r_shutdown(T0), [released_provider(T0), c(shutdown(T1))]),
        st(r_shutdown(T1), [released_provider(T1), c(init(T3))]),
        st(r_init(T3), [c(logon(T3))]),
        st(modify_row(T3), []),
        st(r_logon(T3, LogonCaps::EMPTY), [c(address_types(T3))]),
        st(r_address_types(T3, Registrations::address_types([SMTP, FAX])), [c(spooler_logon(S0))]),
        st(r_spooler_logon(S0), [c(get_queue(S0))]),
        st(r_queue(S0, Vec::new()), [c(notify(T3, begin_both()))]),
        st(update_row(T3, row_enabled()), []),
        st(r_notify(T3, begin_both()), []),
    ]
}

/// INV-6: a logon error other than `MAPI_E_FAILONEPROVIDER` (or `MAPI_E_UNCONFIGURED`)
/// disables the whole service for the session: logging the failed provider on again is
/// forbidden.
#[test]
fn inv06_failed_service_fires_on_a_new_logon_in_a_disabled_service() {
    // Spec: INV-6
    let bad = st(r_logon_failed(T1, Hresult::MAPI_E_LOGON_FAILED), [c(logon(T1))]);
    check(
        &shared_service_profile(),
        &shared_service_prefix(),
        bad,
        &shared_service_rest(),
        Property::FailedService,
        &["T1.TransportLogon", "disabled by a failed logon"],
    );
}

/// INV-6: nor may another provider of the disabled service be initialized.
#[test]
fn inv06_failed_service_fires_on_initializing_another_provider_of_the_service() {
    // Spec: INV-6
    let rest = shared_service_rest();
    let prefix = cat([shared_service_prefix(), rest[..3].to_vec()]);
    let bad = st(r_shutdown(T1), [released_provider(T1), c(init(T2))]);
    check(
        &shared_service_profile(),
        &prefix,
        bad,
        &rest[3..],
        Property::FailedService,
        &["T2.XPProviderInit", "disabled by a failed logon"],
    );
}

/// INV-7: a provider whose SPI version is older than MAPI accepts is released at once (VER-4);
/// logging it on is forbidden. The reference goes on with the next transport.
#[test]
fn inv07_version_gate_fires_on_logon_after_the_version_did_not_agree() {
    // Spec: INV-7
    let too_old = SpiVersion(0x0000_0100);
    let bad = st(r_init_as(T0, too_old), [c(logon(T0))]);
    let good = vec![
        st(r_init_as(T0, too_old), [released_provider(T0), c(init(T1))]),
        st(r_init(T1), [c(logon(T1))]),
        st(modify_row(T1), []),
        st(r_logon(T1, LogonCaps::EMPTY), [c(address_types(T1))]),
        st(r_address_types(T1, Registrations::address_types([FAX])), [c(spooler_logon(S0))]),
        st(r_spooler_logon(S0), [c(get_queue(S0))]),
        st(r_queue(S0, Vec::new()), [c(notify(T1, begin_both()))]),
        st(update_row(T1, row_enabled()), []),
        st(r_notify(T1, begin_both()), []),
    ];
    let prefix = [st(start(), [c(init(T0))])];
    check(&Profile::new(2), &prefix, bad, &good, Property::VersionGate, &["T0.TransportLogon", "did not agree"]);
}

/// INV-8: after `NOTIFY_END_OUTBOUND` a message for the transport waits until outbound is
/// enabled again (trace `lifecycle__disabled_outbound_postpones_mail_until_enabled_again`).
#[test]
fn inv08_outbound_gate_fires_on_submit_while_outbound_is_disabled() {
    // Spec: INV-8
    let prefix = cat([
        started(&[smtp(), fax()]),
        vec![
            st(disable(T0, Directions::OUTBOUND), [c(notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND))]),
            st(update_row(T0, row_enabled().without(StatusCode::STATUS_OUTBOUND_ENABLED)), []),
            st(r_notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND), []),
            st(row_added(row(M1, &[SMTP])), [c(lock(M1))]),
        ],
    ]);
    let bad = st(r_lock(M1), [c(submit(T0, M1, &[0]))]);
    let good = cat([
        vec![
            st(r_lock(M1), []),
            st(enable(T0, Directions::OUTBOUND), [c(notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND))]),
            st(update_row(T0, row_enabled()), []),
            st(r_notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND), [c(submit(T0, M1, &[0]))]),
        ],
        completes(T0, M1, &[0], 1),
    ]);
    check(&Profile::new(2), &prefix, bad, &good, Property::OutboundGate, &["SubmitMessage of M1 to T0", "outbound traffic is disabled"]);
}

fn new_mail(t: TransportId) -> Input {
    spooler_notify(t, SpoolerNotifyFlags::NOTIFY_NEWMAIL, None)
}

fn create(store: StoreId) -> Call {
    Call::CreateMessage { store }
}

fn start_message(transport: TransportId, message: MessageId) -> Call {
    Call::StartMessage { transport, message }
}

fn notify_new_mail(store: StoreId, message: MessageId) -> Call {
    Call::NotifyNewMail { store, message }
}

fn r_create(store: StoreId, message: MessageId) -> Input {
    ret(Return::CreateMessage { store, result: Ok(message) })
}

fn r_start(transport: TransportId, message: MessageId, delivery: mapi_spooler::Delivery) -> Input {
    ret(Return::StartMessage { transport, message, result: Ok(delivery) })
}

/// INV-9: no `StartMessage` while the transport's inbound traffic is disabled; the reference
/// drops a `NOTIFY_NEWMAIL` that comes then (RCV-2).
#[test]
fn inv09_inbound_gate_fires_on_start_message_while_inbound_is_disabled() {
    // Spec: INV-9
    let prefix = cat([
        started(&[smtp()]),
        vec![
            st(disable(T0, Directions::INBOUND), [c(notify(T0, NotifyFlags::NOTIFY_END_INBOUND))]),
            st(update_row(T0, row_enabled().without(StatusCode::STATUS_INBOUND_ENABLED)), []),
            st(r_notify(T0, NotifyFlags::NOTIFY_END_INBOUND), []),
        ],
    ]);
    let bad = st(new_mail(T0), [c(start_message(T0, MessageId(7)))]);
    let good = [st(new_mail(T0), [])];
    check(&Profile::new(1), &prefix, bad, &good, Property::InboundGate, &["T0.StartMessage", "inbound traffic of T0 is not enabled"]);
}

/// INV-36: `NotifyNewMail` only for a message a transport saved, once; the reference creates a
/// message, hands it to `StartMessage`, announces it once saved, and goes on until a
/// `StartMessage` saves nothing, releasing that message (RCV-4 to RCV-10).
#[test]
fn inv36_commit_before_notify_fires_on_notify_new_mail_of_an_unsaved_message() {
    // Spec: INV-36, RCV-4, RCV-5, RCV-6, RCV-10
    let m5 = MessageId(5);
    let m6 = MessageId(6);
    let prefix = cat([started(&[smtp()]), vec![st(new_mail(T0), [c(create(S0))])]]);
    let bad = st(r_create(S0, m5), [c(notify_new_mail(S0, m5))]);
    let unsaved = Effect::Release(mapi_spooler::Released::Unsaved { store: S0, message: m6 });
    let good = [
        st(r_create(S0, m5), [c(start_message(T0, m5))]),
        st(r_start(T0, m5, mapi_spooler::Delivery::Saved), [c(notify_new_mail(S0, m5))]),
        st(ret(Return::NotifyNewMail { store: S0, message: m5, result: Hresult::S_OK }), [c(create(S0))]),
        st(r_create(S0, m6), [c(start_message(T0, m6))]),
        st(r_start(T0, m6, mapi_spooler::Delivery::Empty), [unsaved]),
    ];
    check(&Profile::new(1), &prefix, bad, &good, Property::CommitBeforeNotify, &["S0.NotifyNewMail(M5)", "no transport saved M5"]);
    // The same message announced twice is caught too.
    let mut twice = prefix.clone();
    twice.extend_from_slice(&good[..3]);
    twice.pop();
    twice.push(st(ret(Return::NotifyNewMail { store: S0, message: m5, result: Hresult::S_OK }), [c(notify_new_mail(S0, m5))]));
    assert_last_step_breaks(&Profile::new(1), &twice, Property::CommitBeforeNotify, &["no transport saved M5"]);
}

fn cancel_out(message: MessageId) -> Input {
    Input::Cancel(mapi_spooler::CancelRequest::Outbound { store: store_of(message), message })
}

fn cancel_notify(transport: TransportId, message: MessageId) -> Effect {
    Effect::CancelMessage { transport, message }
}

/// INV-37: a `StartMessage` the user cancelled that saved nothing leaves the message unsaved,
/// and the spooler releases it at once; the transport keeps the item for later (RCV-13).
#[test]
fn inv37_cancelled_inbound_discarded_fires_when_a_cancelled_start_message_is_kept() {
    // Spec: INV-37, RCV-13, DEF-7
    let m5 = MessageId(5);
    let prefix = cat([
        started(&[smtp()]),
        vec![
            st(new_mail(T0), [c(create(S0))]),
            st(r_create(S0, m5), [c(start_message(T0, m5))]),
            st(Input::Cancel(mapi_spooler::CancelRequest::Inbound { transport: T0 }), [cancel_notify(T0, m5)]),
        ],
    ]);
    let cancelled = ret(Return::StartMessage { transport: T0, message: m5, result: Err(Hresult::MAPI_E_USER_CANCEL) });
    let bad = st(cancelled.clone(), []);
    let good = [st(cancelled, [Effect::Release(mapi_spooler::Released::Unsaved { store: S0, message: m5 })])];
    check(&Profile::new(1), &prefix, bad, &good, Property::CancelledInboundDiscarded, &["cancelled StartMessage of M5", "not released"]);
}

/// INV-39: once the user cancelled a message, none of its recipients is offered again; the
/// reference unlocks it and takes it out of the queue with its own `AbortSubmit` (DEC-27).
#[test]
fn inv39_cancelled_never_offered_fires_on_offering_a_cancelled_message_again() {
    // Spec: INV-39, DEF-7, DEF-8, AMB-17, DEC-27
    let prefix = cat([
        started(&[smtp()]),
        vec![
            st(row_added(row(M1, &[SMTP])), [c(lock(M1))]),
            st(r_lock(M1), [c(submit(T0, M1, &[0]))]),
            st(cancel_out(M1), [cancel_notify(T0, M1)]),
        ],
    ]);
    let cancelled = r_submit_failed(T0, M1, Hresult::MAPI_E_USER_CANCEL, 0, &[]);
    let bad = st(cancelled.clone(), [c(submit(T0, M1, &[0]))]);
    let abort = Call::AbortSubmit { store: S0, message: M1 };
    let good = [
        st(cancelled, [c(unlock(M1))]),
        st(r_unlock(M1), [c(abort.clone())]),
        st(ret(Return::AbortSubmit { store: S0, message: M1, result: Hresult::S_OK }), []),
    ];
    check(&Profile::new(1), &prefix, bad, &good, Property::CancelledNeverOffered, &["T0.SubmitMessage", "after the user cancelled M1"]);
    // Nor does the spooler abort a message the user did not cancel, or one it still holds.
    let mut early = prefix[..prefix.len() - 1].to_vec();
    early.push(st(r_submit_failed(T0, M1, Hresult::MAPI_E_BUSY, 0, &[]), [c(abort)]));
    assert_last_step_breaks(&Profile::new(1), &early, Property::CancelledNeverOffered, &["not a cancelled message the spooler unlocked"]);
}

/// INV-40: `NOTIFY_CANCEL_MESSAGE` goes to the transport whose call for that message is in
/// flight, and only then.
#[test]
fn inv40_cancel_target_fires_on_cancelling_another_message_than_the_one_in_flight() {
    // Spec: INV-40, DEF-7, SUB-36
    let prefix = cat([started(&[smtp()]), vec![st(row_added(row(M1, &[SMTP])), [c(lock(M1))]), st(r_lock(M1), [c(submit(T0, M1, &[0]))])]]);
    let bad = st(cancel_out(M1), [cancel_notify(T0, M2)]);
    let good = [st(cancel_out(M1), [cancel_notify(T0, M1)])];
    check(&Profile::new(1), &prefix, bad, &good, Property::CancelTarget, &["NOTIFY_CANCEL_MESSAGE to T0 for M2", "T0.SubmitMessage"]);
    // With no transfer in flight there is nothing to cancel at a transport.
    let idle = cat([started(&[smtp()]), vec![st(cancel_out(M1), [cancel_notify(T0, M1)])]]);
    assert_last_step_breaks(&Profile::new(1), &idle, Property::CancelTarget, &["during no call"]);
}

/// INV-10: `Idle` only for a logon that returned `LOGON_SP_IDLE`; the reference ignores idle
/// time for the others.
#[test]
fn inv10_capability_gate_fires_on_idle_without_logon_sp_idle() {
    // Spec: INV-10
    let bad = st(Input::SystemIdle, [c(idle(T0))]);
    let good = [st(Input::SystemIdle, [])];
    check(&Profile::new(1), &started(&[smtp()]), bad, &good, Property::CapabilityGate, &["T0.Idle(0)", "LOGON_SP_IDLE"]);
}

/// INV-11: no `Idle` between `NOTIFY_CRITSEC` and `NOTIFY_NONCRIT`; the reference calls it once
/// the section closed (trace `lifecycle__idle_is_withheld_during_a_critical_section`).
#[test]
fn inv11_critical_section_gate_fires_on_idle_inside_a_critical_section() {
    // Spec: INV-11
    let prefix = cat([
        started(&[smtp().with_caps(LogonCaps::LOGON_SP_IDLE)]),
        vec![st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_CRITSEC, None), [])],
    ]);
    let bad = st(Input::SystemIdle, [c(idle(T0))]);
    let good = [
        st(Input::SystemIdle, []),
        st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_NONCRIT, None), [c(idle(T0))]),
        st(r_idle(T0), []),
        st(Input::SystemIdle, [c(idle(T0))]),
        st(r_idle(T0), []),
    ];
    check(&Profile::new(1), &prefix, bad, &good, Property::CriticalSectionGate, &["T0.Idle(0)", "inside a critical section"]);
}

/// INV-12: the transport updates its row's ENABLED bits before `TransportNotify(BEGIN)`
/// returns; a return with the row as it was before breaks the mirror.
#[test]
fn inv12_row_mirrors_enabled_fires_when_begin_returns_with_the_row_unchanged() {
    // Spec: INV-12, STAT-5
    let (steps, last) = boot(&[smtp()], &[Vec::new()]);
    let (prefix, update) = steps.split_at(steps.len() - 1);
    let bad = st(last.clone(), []);
    let good = [update[0].clone(), st(last, [])];
    check(&Profile::new(1), prefix, bad, &good, Property::RowMirrorsEnabled, &["NOTIFY_BEGIN_INBOUND", "PR_STATUS_CODE=STATUS_AVAILABLE"]);
}

fn flush_queues(transport: TransportId, flags: FlushFlags) -> Call {
    Call::FlushQueues { transport, flags }
}

fn r_flush_queues(transport: TransportId) -> Input {
    ret(Return::FlushQueues { transport, result: Hresult::S_OK })
}

/// STAT-20: a flush goes FlushQueues, BEGIN_OUTBOUND_FLUSH, END_OUTBOUND_FLUSH, then the
/// inbound half; an END_OUTBOUND_FLUSH right after FlushQueues skips the outbound half's BEGIN.
#[test]
fn stat20_flush_protocol_fires_on_end_outbound_flush_before_begin() {
    // Spec: STAT-20, AMB-13
    let both = FlushFlags::FLUSH_UPLOAD | FlushFlags::FLUSH_DOWNLOAD;
    let flushing = StatusCode::STATUS_OUTBOUND_FLUSH | StatusCode::STATUS_INBOUND_FLUSH;
    let request = Input::Status(StatusRequest::FlushQueues { target: None, flags: both.bits() });
    let prefix =
        cat([started(&[smtp()]), vec![st(request, [c(flush_queues(T0, both))]), st(update_row(T0, row_enabled() | flushing), [])]]);
    let bad = st(r_flush_queues(T0), [c(notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH))]);
    let good = [
        st(r_flush_queues(T0), [c(notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH))]),
        st(r_notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH), [c(notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH))]),
        st(r_notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH), [c(notify(T0, NotifyFlags::NOTIFY_BEGIN_INBOUND_FLUSH))]),
        st(r_notify(T0, NotifyFlags::NOTIFY_BEGIN_INBOUND_FLUSH), [c(notify(T0, NotifyFlags::NOTIFY_END_INBOUND_FLUSH))]),
        st(r_notify(T0, NotifyFlags::NOTIFY_END_INBOUND_FLUSH), []),
    ];
    check(&Profile::new(1), &prefix, bad, &good, Property::FlushProtocol, &["NOTIFY_END_OUTBOUND_FLUSH", "Requested"]);
}

/// STAT-20, ORD-12: one flush at a time; a FlushQueues to a second transport while the first
/// one's flush is open breaks the protocol, and the monitor counts the flush open until its end
/// (LIV-5).
#[test]
fn stat20_flush_protocol_fires_on_a_second_flush_while_one_is_open() {
    // Spec: STAT-20, ORD-12, LIV-5
    let up = FlushFlags::FLUSH_UPLOAD;
    let request = Input::Status(StatusRequest::FlushQueues { target: None, flags: up.bits() });
    let prefix = cat([started(&[smtp(), fax()]), vec![st(request, [c(flush_queues(T0, up))])]]);
    let bad = st(r_flush_queues(T0), [c(flush_queues(T1, up))]);
    let good = [
        st(r_flush_queues(T0), [c(notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH))]),
        st(r_notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH), [c(notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH))]),
        st(r_notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH), [c(flush_queues(T1, up))]),
    ];
    check(&Profile::new(2), &prefix, bad, &good, Property::FlushProtocol, &["T1.FlushQueues", "flush of T0 is still open"]);
    let mut monitor = Monitor::new(&Profile::new(2));
    for step in &prefix {
        let Step::Observe(input, effects) = step else { unreachable!() };
        assert!(monitor.observe(input, effects).is_ok());
    }
    assert_eq!(monitor.open_flush(), Some(T0), "FlushQueues opens the flush (LIV-5)");
}

/// INV-13: one `TransportNotify` never carries the BEGIN and the END of one direction.
#[test]
fn inv13_well_formed_notify_fires_on_begin_and_end_of_one_direction() {
    // Spec: INV-13
    let (steps, last) = boot(&[smtp()], &[Vec::new()]);
    let (prefix, last_steps) = steps.split_at(steps.len() - 2);
    let Step::Observe(queue_read, _) = last_steps[0].clone() else { unreachable!() };
    let contradictory = begin_both() | NotifyFlags::NOTIFY_END_OUTBOUND;
    let bad = st(queue_read.clone(), [c(notify(T0, contradictory))]);
    let good = [st(queue_read, [c(notify(T0, begin_both()))]), last_steps[1].clone(), st(last, [])];
    check(
        &Profile::new(1),
        prefix,
        bad,
        &good,
        Property::WellFormedNotify,
        &["T0.TransportNotify", "NOTIFY_BEGIN_OUTBOUND", "NOTIFY_END_OUTBOUND"],
    );
}

/// INV-14: a message is locked before any transport gets it.
#[test]
fn inv14_lock_before_hand_off_fires_on_submit_of_an_unlocked_message() {
    // Spec: INV-14
    let bad = st(row_added(row(M1, &[SMTP])), [c(submit(T0, M1, &[0]))]);
    let good =
        cat([vec![st(row_added(row(M1, &[SMTP])), [c(lock(M1))]), st(r_lock(M1), [c(submit(T0, M1, &[0]))])], completes(T0, M1, &[0], 1)]);
    check(&Profile::new(1), &started(&[smtp()]), bad, &good, Property::LockBeforeHandOff, &["T0.SubmitMessage", "M1 is not locked"]);
}

/// INV-14: the spooler does not lock a message it holds locked already.
#[test]
fn inv14_lock_before_hand_off_fires_on_locking_a_message_twice() {
    // Spec: INV-14
    let prefix = cat([started(&[smtp()]), vec![st(row_added(row(M1, &[SMTP])), [c(lock(M1))])]]);
    let bad = st(r_lock(M1), [c(lock(M1))]);
    let good = cat([vec![st(r_lock(M1), [c(submit(T0, M1, &[0]))])], completes(T0, M1, &[0], 1)]);
    check(&Profile::new(1), &prefix, bad, &good, Property::LockBeforeHandOff, &["S0.SetLockState(M1, MSG_LOCKED)", "locked already"]);
}

/// INV-15: a message the client aborted while its `SetLockState` was in flight never reaches a
/// transport (trace `submission__abort_wins_the_race_with_set_lock_state`).
#[test]
fn inv15_abort_versus_lock_fires_on_handing_over_an_aborted_message() {
    // Spec: INV-15
    let prefix = cat([started(&[smtp()]), vec![st(row_added(row(M1, &[SMTP])), [c(lock(M1))]), st(row_removed(M1), [])]]);
    let lock_failed = r_lock_as(M1, Hresult::MAPI_E_NOT_IN_QUEUE);
    let bad = st(lock_failed.clone(), [c(submit(T0, M1, &[0]))]);
    let good = cat([
        vec![st(lock_failed, []), st(row_added(row(M2, &[SMTP])), [c(lock(M2))]), st(r_lock(M2), [c(submit(T0, M2, &[0]))])],
        completes(T0, M2, &[0], 1),
    ]);
    check(&Profile::new(1), &prefix, bad, &good, Property::AbortVersusLock, &["T0.SubmitMessage", "M1 left the queue"]);
}

/// INV-15: nor is a message that left the queue locked afterwards.
#[test]
fn inv15_abort_versus_lock_fires_on_locking_a_message_that_left_the_queue() {
    // Spec: INV-15
    let prefix = cat([
        started(&[smtp()]),
        vec![
            st(row_added(row(M1, &[SMTP])), [c(lock(M1))]),
            st(row_added(row(M2, &[SMTP])), []),
            st(row_removed(M2), []),
            st(r_lock(M1), [c(submit(T0, M1, &[0]))]),
        ],
        completes(T0, M1, &[0], 1)[..2].to_vec(),
    ]);
    let bad = st(r_finished(M1), [c(lock(M2))]);
    let good = [st(r_finished(M1), [])];
    check(&Profile::new(1), &prefix, bad, &good, Property::AbortVersusLock, &["S0.SetLockState(M2, MSG_LOCKED)", "M2 left the queue"]);
}

/// The reference's stream up to a first `SubmitMessage(M1)` to T0 of one SMTP recipient.
fn one_message_to_t0() -> Vec<Step> {
    cat([started(&[smtp()]), vec![st(row_added(row(M1, &[SMTP])), [c(lock(M1))]), st(r_lock(M1), [c(submit(T0, M1, &[0]))])]])
}

/// INV-17: a `SubmitMessage` that failed (here `MAPI_E_WAIT`) gets no `EndMessage`; the
/// reference waits out the delay and submits again (trace
/// `errors__wait_is_retried_after_the_returned_number_of_seconds`).
#[test]
fn inv17_end_message_pairing_fires_on_end_message_after_a_failed_submit() {
    // Spec: INV-17
    let wait = r_submit_failed(T0, M1, Hresult::MAPI_E_WAIT, 30, &[]);
    let bad = st(wait.clone(), [c(end(T0, 0))]);
    let good = cat([vec![st(wait, []), st(time(30), [c(submit(T0, M1, &[0]))])], completes(T0, M1, &[0], 1)]);
    check(
        &Profile::new(1),
        &one_message_to_t0(),
        bad,
        &good,
        Property::EndMessagePairing,
        &["T0.EndMessage(ulMsgRef=0)", "no S_OK SubmitMessage"],
    );
}

/// INV-17: `EndMessage` names the reference the transport returned, not another one.
#[test]
fn inv17_end_message_pairing_fires_on_end_message_with_another_reference() {
    // Spec: INV-17
    let bad = st(r_submit_ok(T0, M1, 1, &[0]), [c(end(T0, 2))]);
    check(
        &Profile::new(1),
        &one_message_to_t0(),
        bad,
        &completes(T0, M1, &[0], 1),
        Property::EndMessagePairing,
        &["T0.EndMessage(ulMsgRef=2)", "with that reference"],
    );
}

/// INV-17: exactly one `EndMessage` per S_OK `SubmitMessage`.
#[test]
fn inv17_end_message_pairing_fires_on_a_second_end_message() {
    // Spec: INV-17
    let done = completes(T0, M1, &[0], 1);
    let prefix = cat([one_message_to_t0(), done[..1].to_vec()]);
    let bad = st(r_end(T0, 1, EndFlags::EMPTY), [save(M1, &[0], T0), c(end(T0, 1))]);
    check(&Profile::new(1), &prefix, bad, &done[1..], Property::EndMessagePairing, &["T0.EndMessage(ulMsgRef=1)", "no S_OK SubmitMessage"]);
}

/// INV-18: between an S_OK `SubmitMessage` and its `EndMessage` the transport gets no other
/// call, not even the same message again.
#[test]
fn inv18_one_message_per_transport_fires_on_a_call_before_end_message() {
    // Spec: INV-18
    let bad = st(r_submit_ok(T0, M1, 1, &[0]), [c(submit(T0, M1, &[0]))]);
    check(
        &Profile::new(1),
        &one_message_to_t0(),
        bad,
        &completes(T0, M1, &[0], 1),
        Property::OneMessagePerTransport,
        &["T0.SubmitMessage", "before EndMessage", "M1"],
    );
}

/// INV-20: a recipient the transport saved as taken before returning an error stays taken; the
/// retry offers only the rest (trace
/// `errors__recipients_saved_before_an_error_stay_taken_and_the_rest_is_retried`).
#[test]
fn inv20_taken_never_offered_fires_on_offering_a_saved_recipient_again() {
    // Spec: INV-20
    let prefix = cat([
        started(&[smtp()]),
        vec![
            st(row_added(row(M1, &[SMTP, SMTP])), [c(lock(M1))]),
            st(r_lock(M1), [c(submit(T0, M1, &[0, 1]))]),
            st(r_submit_failed(T0, M1, Hresult::MAPI_E_NETWORK_ERROR, 5, &[0]), []),
        ],
    ]);
    let bad = st(time(5), [c(submit(T0, M1, &[0, 1]))]);
    let good = cat([vec![st(time(5), [c(submit(T0, M1, &[1]))])], completes(T0, M1, &[1], 1)]);
    check(&Profile::new(1), &prefix, bad, &good, Property::TakenNeverOffered, &["T0.SubmitMessage", "recipient 0", "already taken"]);
}

/// Two SMTP transports and a message to one SMTP recipient, locked.
fn two_smtp_transports() -> Vec<Step> {
    cat([started(&[smtp(), smtp()]), vec![st(row_added(row(M1, &[SMTP])), [c(lock(M1))])]])
}

/// INV-22: the first transport of the scan gets the first chance; T1 only after T0 declined
/// (trace `routing__not_me_falls_through_to_the_next_transport_of_the_same_type`).
#[test]
fn inv22_scan_order_fires_on_skipping_the_first_transport_of_the_scan() {
    // Spec: INV-22
    let bad = st(r_lock(M1), [c(submit(T1, M1, &[0]))]);
    let good = cat([
        vec![
            st(r_lock(M1), [c(submit(T0, M1, &[0]))]),
            st(r_submit_failed(T0, M1, Hresult::MAPI_E_NOT_ME, 0, &[]), [c(submit(T1, M1, &[0]))]),
        ],
        completes(T1, M1, &[0], 1),
    ]);
    check(
        &Profile::new(2),
        &two_smtp_transports(),
        bad,
        &good,
        Property::ScanOrder,
        &["T1.SubmitMessage", "first choice is Some(TransportId(0))"],
    );
}

/// INV-22: a recipient a transport declined is not offered to it again.
#[test]
fn inv22_scan_order_fires_on_offering_a_recipient_to_a_transport_that_declined_it() {
    // Spec: INV-22
    let prefix = cat([two_smtp_transports(), vec![st(r_lock(M1), [c(submit(T0, M1, &[0]))])]]);
    let not_me = r_submit_failed(T0, M1, Hresult::MAPI_E_NOT_ME, 0, &[]);
    let bad = st(not_me.clone(), [c(submit(T0, M1, &[0]))]);
    let good = cat([vec![st(not_me, [c(submit(T1, M1, &[0]))])], completes(T1, M1, &[0], 1)]);
    check(&Profile::new(2), &prefix, bad, &good, Property::ScanOrder, &["T0.SubmitMessage", "recipient 0, which T0 declined"]);
}

/// INV-23: at `FinishedMsg` every recipient has its disposition saved.
#[test]
fn inv23_one_disposition_fires_on_finished_msg_before_every_recipient_is_settled() {
    // Spec: INV-23
    let done = completes(T0, M1, &[0], 1);
    let prefix = cat([one_message_to_t0(), done[..1].to_vec()]);
    let bad = st(r_end(T0, 1, EndFlags::EMPTY), [c(finished(M1))]);
    check(&Profile::new(1), &prefix, bad, &done[1..], Property::OneDisposition, &["S0.FinishedMsg(0, M1)", "recipient 0 is settled"]);
}

/// INV-23: a disposition is saved once.
#[test]
fn inv23_one_disposition_fires_on_saving_a_recipient_twice() {
    // Spec: INV-23
    let done = completes(T0, M1, &[0], 1);
    let prefix = cat([one_message_to_t0(), done[..1].to_vec()]);
    let bad = st(r_end(T0, 1, EndFlags::EMPTY), [save(M1, &[0], T0), save(M1, &[0], T0), c(finished(M1))]);
    check(&Profile::new(1), &prefix, bad, &done[1..], Property::OneDisposition, &["M1 recipient 0 saved twice"]);
}

/// INV-24: the reports a transport asked for with `StatusRecips` are raised once, when
/// `SubmitMessage` returns (trace
/// `errors__status_recips_reports_are_raised_before_end_message_once_per_recipient`); raising
/// one again at `EndMessage` is a second report.
#[test]
fn inv24_one_report_fires_on_a_second_report_for_a_recipient() {
    // Spec: INV-24
    use ReportKind::{Delivery, NonDelivery};
    let prefix = cat([
        started(&[smtp()]),
        vec![
            st(row_added(row(M1, &[SMTP, SMTP, SMTP])), [c(lock(M1))]),
            st(r_lock(M1), [c(submit(T0, M1, &[0, 1, 2]))]),
            st(status_recips(T0, M1, &[(0, NonDelivery), (1, Delivery)]), []),
            st(
                r_submit_ok(T0, M1, 1, &[0, 1, 2]),
                [report(M1, &[1], Delivery), save(M1, &[1], T0), report(M1, &[0], NonDelivery), save(M1, &[0], T0), c(end(T0, 1))],
            ),
        ],
    ]);
    let bad = st(r_end(T0, 1, EndFlags::EMPTY), [report(M1, &[0], NonDelivery), save(M1, &[2], T0), c(finished(M1))]);
    let good = [st(r_end(T0, 1, EndFlags::EMPTY), [save(M1, &[2], T0), c(finished(M1))]), st(r_finished(M1), [])];
    check(&Profile::new(1), &prefix, bad, &good, Property::OneReport, &["M1 recipient 0", "second report"]);
}

/// A transport with a preprocessor for SMTP recipients, and a message that needs it, preprocessed
/// and handed to T0 (trace `submission__four_steps_preprocessed_message_stays_in_outbox`, one
/// transport).
fn preprocessed_message_sent() -> Vec<Step> {
    cat([
        started(&[smtp().with_preprocessor(by_type(SMTP))]),
        vec![
            st(row_added(preprocessed_row(M1, &[SMTP])), [c(lock(M1))]),
            st(r_lock(M1), [c(preprocess(P0, M1))]),
            st(r_preprocess(P0, M1), [c(submit_preprocessed(M1))]),
            st(r_submit_preprocessed(M1), [c(submit(T0, M1, &[0]))]),
            st(r_submit_ok(T0, M1, 1, &[0]), [c(end(T0, 1))]),
        ],
    ])
}

/// INV-25: with `PR_PREPROCESS` set, `RemovePreprocessInfo` of the preprocessor that ran comes
/// before `FinishedMsg` (SUB-26, HOOK-4).
#[test]
fn inv25_finished_only_when_done_fires_on_finished_msg_before_remove_preprocess_info() {
    // Spec: INV-25
    let bad = st(r_end(T0, 1, EndFlags::EMPTY), [save(M1, &[0], T0), c(finished(M1))]);
    let good = [
        st(r_end(T0, 1, EndFlags::EMPTY), [save(M1, &[0], T0), c(remove_preprocess_info(P0, M1))]),
        st(r_remove_preprocess_info(P0, M1), [c(finished(M1))]),
        st(r_finished(M1), []),
    ];
    check(
        &Profile::new(1),
        &preprocessed_message_sent(),
        bad,
        &good,
        Property::FinishedOnlyWhenDone,
        &["S0.FinishedMsg(0, M1)", "RemovePreprocessInfo"],
    );
}

/// INV-25: every exchange has ended before `FinishedMsg`, even when the transport's reports
/// settled every recipient already.
#[test]
fn inv25_finished_only_when_done_fires_on_finished_msg_before_end_message() {
    // Spec: INV-25
    use ReportKind::NonDelivery;
    let prefix = cat([one_message_to_t0(), vec![st(status_recips(T0, M1, &[(0, NonDelivery)]), [])]]);
    let settled = [report(M1, &[0], NonDelivery), save(M1, &[0], T0)];
    let mut bad = settled.to_vec();
    bad.push(c(finished(M1)));
    let mut ending = settled.to_vec();
    ending.push(c(end(T0, 1)));
    let good = [st(r_submit_ok(T0, M1, 1, &[0]), ending), st(r_end(T0, 1, EndFlags::EMPTY), [c(finished(M1))]), st(r_finished(M1), [])];
    check(
        &Profile::new(1),
        &prefix,
        st(r_submit_ok(T0, M1, 1, &[0]), bad),
        &good,
        Property::FinishedOnlyWhenDone,
        &["S0.FinishedMsg(0, M1)", "before EndMessage"],
    );
}

/// INV-26: when the session ends with a message half sent, the reference hands it back with
/// `SetLockState(MSG_UNLOCKED)` (trace
/// `lifecycle__shutdown_while_a_message_is_half_sent_hands_it_back`); `FinishedMsg` on the
/// unlocked message is forbidden.
#[test]
fn inv26_finished_discipline_fires_on_finished_msg_of_an_unlocked_message() {
    // Spec: INV-26
    let prefix = cat([
        started(&[smtp(), fax()]),
        vec![
            st(row_added(row(M1, &[SMTP, FAX])), [c(lock(M1))]),
            st(r_lock(M1), [c(submit(T0, M1, &[0]))]),
            st(session_shutdown(), []),
            st(r_submit_ok(T0, M1, 1, &[0]), [c(end(T0, 1))]),
            st(r_end(T0, 1, EndFlags::EMPTY), [save(M1, &[0], T0), c(unlock(M1))]),
        ],
    ]);
    let bad = st(r_unlock(M1), [c(finished(M1))]);
    let good = shutdown_steps(r_unlock(M1), &[T0, T1]);
    check(&Profile::new(2), &prefix, bad, &good, Property::FinishedDiscipline, &["S0.FinishedMsg(0, M1)", "M1 is not locked"]);
}

/// INV-26: `FinishedMsg` at most once per submission.
#[test]
fn inv26_finished_discipline_fires_on_a_second_finished_msg() {
    // Spec: INV-26
    let done = completes(T0, M1, &[0], 1);
    let prefix = cat([one_message_to_t0(), done[..2].to_vec()]);
    let bad = st(r_finished(M1), [c(finished(M1))]);
    check(&Profile::new(1), &prefix, bad, &done[2..], Property::FinishedDiscipline, &["S0.FinishedMsg(0, M1)", "not queued"]);
}

/// INV-27: a message with `SUBMITFLAG_PREPROCESS` goes to a transport only after the
/// preprocessors ran and the spooler's `IMessage::SubmitMessage` cleared the flag.
#[test]
fn inv27_preprocess_first_fires_on_submit_before_preprocessing_ended() {
    // Spec: INV-27
    let sent = preprocessed_message_sent();
    let locked = sent.iter().position(|s| matches!(s, Step::Observe(Input::Return(Return::SetLockState { .. }), _))).unwrap();
    let bad = st(r_lock(M1), [c(submit(T0, M1, &[0]))]);
    let good = cat([
        sent[locked..].to_vec(),
        vec![
            st(r_end(T0, 1, EndFlags::EMPTY), [save(M1, &[0], T0), c(remove_preprocess_info(P0, M1))]),
            st(r_remove_preprocess_info(P0, M1), [c(finished(M1))]),
            st(r_finished(M1), []),
        ],
    ]);
    check(&Profile::new(1), &sent[..locked], bad, &good, Property::PreprocessFirst, &["T0.SubmitMessage", "before preprocessing ended"]);
}

/// INV-27: preprocessors run in registration order, each once.
#[test]
fn inv27_preprocess_first_fires_on_preprocessors_out_of_registration_order() {
    // Spec: INV-27
    let anything = PreprocessorFilter { uid: None, addr_type: None };
    let prefix = cat([
        started(&[smtp().with_preprocessor(by_type(SMTP)).with_preprocessor(anything)]),
        vec![
            st(row_added(preprocessed_row(M1, &[SMTP])), [c(lock(M1))]),
            st(r_lock(M1), [c(preprocess(P0, M1))]),
            st(r_preprocess(P0, M1), [c(preprocess(P1, M1))]),
        ],
    ]);
    let bad = st(r_preprocess(P1, M1), [c(preprocess(P0, M1))]);
    let good = [
        st(r_preprocess(P1, M1), [c(submit_preprocessed(M1))]),
        st(r_submit_preprocessed(M1), [c(submit(T0, M1, &[0]))]),
        st(r_submit_ok(T0, M1, 1, &[0]), [c(end(T0, 1))]),
        st(r_end(T0, 1, EndFlags::EMPTY), [save(M1, &[0], T0), c(remove_preprocess_info(P0, M1))]),
        st(r_remove_preprocess_info(P0, M1), [c(remove_preprocess_info(P1, M1))]),
        st(r_remove_preprocess_info(P1, M1), [c(finished(M1))]),
        st(r_finished(M1), []),
    ];
    check(&Profile::new(1), &prefix, bad, &good, Property::PreprocessFirst, &["P0.PreprocessMessage(M1)", "after P1"]);
}

/// INV-28: two messages of one store for the same transport reach it in queue order. The
/// monitor fires as soon as the later message is offered to the transport while the older one
/// still waits for it; the correct stream sends M1 first.
#[test]
fn inv28_transport_fifo_fires_when_a_later_message_reached_the_transport_first() {
    // Spec: INV-28
    let queued = cat([started(&[smtp()]), vec![st(row_added(row(M1, &[SMTP])), [c(lock(M1))]), st(row_added(row(M2, &[SMTP])), [])]]);
    let broken = cat([queued.clone(), vec![st(r_lock(M1), [c(lock(M2))]), st(r_lock(M2), [c(submit(T0, M2, &[0]))])]]);
    assert_last_step_breaks(
        &Profile::new(1),
        &broken,
        Property::TransportFifo,
        &["T0.SubmitMessage", "M2", "M1, queued before it in S0, is still waiting for T0"],
    );
    let correct = cat([
        queued,
        vec![st(r_lock(M1), [c(submit(T0, M1, &[0]))])],
        completes(T0, M1, &[0], 1)[..2].to_vec(),
        vec![st(r_finished(M1), [c(lock(M2))]), st(r_lock(M2), [c(submit(T0, M2, &[0]))])],
        completes(T0, M2, &[0], 2),
    ]);
    assert_quiet(&Profile::new(1), &correct);
}

/// INV-29: after `MAPI_E_WAIT` with 30 seconds, the message goes to the transport again after 30
/// seconds, not 29 (trace `errors__wait_is_retried_after_the_returned_number_of_seconds`).
#[test]
fn inv29_retry_delay_fires_on_submit_before_the_wait_delay_ended() {
    // Spec: INV-29
    let prefix = cat([one_message_to_t0(), vec![st(r_submit_failed(T0, M1, Hresult::MAPI_E_WAIT, 30, &[]), [])]]);
    let bad = st(time(29), [c(submit(T0, M1, &[0]))]);
    let good = cat([vec![st(time(29), []), st(time(1), [c(submit(T0, M1, &[0]))])], completes(T0, M1, &[0], 1)]);
    check(&Profile::new(1), &prefix, bad, &good, Property::RetryDelay, &["T0.SubmitMessage", "t=29s", "retry delay ends at t=30s"]);
}

/// INV-29 with ERR-19: `NOTIFY_READYTOSEND` ends the delay early, so the immediate retry the
/// reference makes then is correct (trace
/// `lifecycle__readytosend_after_wait_offers_the_message_again_at_once`); a retry one second
/// later without it is not.
#[test]
fn inv29_retry_delay_ends_early_on_notify_readytosend() {
    // Spec: INV-29, ERR-19
    let prefix = cat([one_message_to_t0(), vec![st(r_submit_failed(T0, M1, Hresult::MAPI_E_WAIT, 600, &[]), [])]]);
    let bad = st(time(1), [c(submit(T0, M1, &[0]))]);
    let good = cat([
        vec![st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_READYTOSEND, None), [c(submit(T0, M1, &[0]))])],
        completes(T0, M1, &[0], 1),
    ]);
    check(&Profile::new(1), &prefix, bad, &good, Property::RetryDelay, &["T0.SubmitMessage", "retry delay ends at t=600s"]);
}

/// A message T0 answered with `END_DONT_RESEND` (trace
/// `errors__cancel_after_begin_deferred_ends_the_deferral_and_keeps_the_recipients_taken`).
fn deferred_by_t0() -> Vec<Step> {
    cat([one_message_to_t0(), vec![st(r_submit_ok(T0, M1, 1, &[0]), [c(end(T0, 1))]), st(r_end(T0, 1, EndFlags::END_DONT_RESEND), [])]])
}

/// What the reference does after `NOTIFY_SENTDEFERRED` in that trace: `BEGIN_DEFERRED`, which
/// the transport cancels; the recipient stays taken and the message is finished.
fn resubmitted_and_cancelled() -> Vec<Step> {
    vec![
        st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(M1)), [c(submit_deferred(T0, M1, &[0]))]),
        st(r_submit_failed(T0, M1, Hresult::MAPI_E_CANCEL, 0, &[]), [save(M1, &[0], T0), c(finished(M1))]),
        st(r_finished(M1), []),
    ]
}

/// INV-30: `SubmitMessage(BEGIN_DEFERRED)` only after the transport's `NOTIFY_SENTDEFERRED`.
#[test]
fn inv30_deferral_protocol_fires_on_begin_deferred_before_notify_sentdeferred() {
    // Spec: INV-30
    let bad = st(time(20), [c(submit_deferred(T0, M1, &[0]))]);
    let good = cat([vec![st(time(20), [])], resubmitted_and_cancelled()]);
    check(
        &Profile::new(1),
        &deferred_by_t0(),
        bad,
        &good,
        Property::DeferralProtocol,
        &["T0.SubmitMessage(ulFlags=BEGIN_DEFERRED", "not deferred by T0 and announced again"],
    );
}

/// INV-30: a recipient the transport holds deferred goes back to it with `BEGIN_DEFERRED`, not
/// as a new submission.
#[test]
fn inv30_deferral_protocol_fires_on_resubmitting_a_deferred_recipient_without_begin_deferred() {
    // Spec: INV-30
    let bad = st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(M1)), [c(submit(T0, M1, &[0]))]);
    check(
        &Profile::new(1),
        &deferred_by_t0(),
        bad,
        &resubmitted_and_cancelled(),
        Property::DeferralProtocol,
        &["T0.SubmitMessage(ulFlags=0", "held deferred by T0"],
    );
}

/// AMB-20: one synchronous call at a time. A message queued while `SubmitMessage` is in flight
/// waits for its lock until the spooler is free (trace
/// `submission__abort_before_lock_succeeds_after_lock_fails`).
#[test]
fn amb20_one_call_at_a_time_fires_on_a_call_while_another_is_in_flight() {
    // Spec: AMB-20
    let bad = st(row_added(row(M2, &[SMTP])), [c(lock(M2))]);
    let good = cat([
        vec![st(row_added(row(M2, &[SMTP])), [])],
        completes(T0, M1, &[0], 1)[..2].to_vec(),
        vec![st(r_finished(M1), [c(lock(M2))]), st(r_lock(M2), [c(submit(T0, M2, &[0]))])],
        completes(T0, M2, &[0], 2),
    ]);
    check(
        &Profile::new(1),
        &one_message_to_t0(),
        bad,
        &good,
        Property::OneCallAtATime,
        &["S0.SetLockState(M2, MSG_LOCKED) while T0.SubmitMessage", "is in flight"],
    );
}

// ---------------------------------------------------------------------------------------------
// Restart
// ---------------------------------------------------------------------------------------------

/// After a crash the stores keep what was saved: a recipient the transport saved before an
/// error is still never offered again (INV-20), while the retry delay the old session waited
/// out is forgotten, so the new session may offer the rest of the message at once (INV-29).
#[test]
fn restart_keeps_saved_recipients_taken_and_forgets_retry_delays() {
    // Spec: INV-20, INV-29
    let first_session = cat([
        started(&[smtp()]),
        vec![
            st(row_added(row(M1, &[SMTP, SMTP])), [c(lock(M1))]),
            st(r_lock(M1), [c(submit(T0, M1, &[0, 1]))]),
            st(r_submit_failed(T0, M1, Hresult::MAPI_E_NETWORK_ERROR, 100, &[0]), []),
            Step::Crash,
        ],
    ]);
    // The store kept the lock and recipient 0's PR_RESPONSIBILITY.
    let mut adopted = row(M1, &[SMTP, SMTP]);
    adopted.flags = QueueFlags::SUBMITFLAG_LOCKED;
    adopted.recipients[0].responsibility = true;
    let (second_start, enabled) = boot(&[smtp()], &[vec![adopted]]);
    let prefix = cat([first_session, second_start]);
    let bad = st(enabled.clone(), [c(submit(T0, M1, &[0, 1]))]);
    let good = cat([vec![st(enabled, [c(submit(T0, M1, &[1]))])], completes(T0, M1, &[1], 1)]);
    check(&Profile::new(1), &prefix, bad, &good, Property::TakenNeverOffered, &["recipient 0, already taken"]);
}

/// The call in flight when the spooler crashed never returns: the new session's first call is
/// not a second call in flight, whereas the same call without the crash is.
#[test]
fn restart_forgets_the_call_in_flight() {
    // Spec: AMB-20
    let (second_start, enabled) = boot(&[smtp()], &[Vec::new()]);
    let bad = second_start[0].clone();
    let good = cat([vec![Step::Crash], second_start, vec![st(enabled, [])]]);
    check(&Profile::new(1), &one_message_to_t0(), bad, &good, Property::OneCallAtATime, &["T0.XPProviderInit", "is in flight"]);
}

// ---------------------------------------------------------------------------------------------
// A run of the real spooler, replayed
// ---------------------------------------------------------------------------------------------

/// A small world around the real spooler core, driven with `Spooler::step`: two transports
/// (T0 for SMTP, T1 for FAX), one reference store. T0 asks for an NDR on the first recipient of
/// its first message with `StatusRecips`; T1 answers its first `SubmitMessage` with `MAPI_E_WAIT`
/// for 30 seconds. Every other call succeeds. Records every step.
struct Reference {
    spooler: Spooler,
    store: ReferenceStore,
    registrations: Vec<Registrations>,
    submits: Vec<u32>,
    next_ref: u64,
    steps: Vec<Step>,
}

impl Reference {
    fn new(profile: &Profile) -> Reference {
        Reference {
            spooler: Spooler::new(profile).expect("valid profile"),
            store: ReferenceStore::new(S0, 1),
            registrations: vec![Registrations::address_types([SMTP]), Registrations::address_types([FAX])],
            submits: vec![0; 2],
            next_ref: 0,
            steps: Vec::new(),
        }
    }

    fn feed(&mut self, input: Input) {
        let effects = self.spooler.step(input.clone()).unwrap_or_else(|e| panic!("the reference refused {input:?}: {e}"));
        for effect in &effects {
            self.store.apply(effect);
        }
        self.steps.push(Step::Observe(input, effects.to_vec()));
    }

    /// Answers every call and lets time pass to the next deadline until nothing is left to do.
    fn run(&mut self) {
        for _ in 0..10_000 {
            if let Some(call) = self.spooler.call_in_flight().cloned() {
                let answer = self.answer(call);
                self.feed(Input::Return(answer));
                continue;
            }
            let now = self.spooler.now();
            match self.spooler.next_deadline() {
                Some(at) if at > now => self.feed(time(u32::try_from(at.0 - now.0).expect("a short delay"))),
                _ => return,
            }
        }
        panic!("the world did not settle");
    }

    fn answer(&mut self, call: Call) -> Return {
        match call {
            Call::XpProviderInit { transport, .. } => Return::XpProviderInit { transport, result: Ok(SpiVersion::CURRENT) },
            Call::TransportLogon { transport, .. } => {
                self.feed(modify_row(transport));
                Return::TransportLogon { transport, result: Ok(LogonCaps::EMPTY) }
            }
            Call::AddressTypes { transport } => {
                Return::AddressTypes { transport, result: Ok(self.registrations[transport.index()].clone()) }
            }
            Call::TransportNotify { transport, flags, .. } => {
                // STAT-5: the row follows the directions before the call returns.
                if let Some(mapi_spooler::TransportView::LoggedOn { status_row: Some(row), .. }) = self.spooler.transport_view(transport) {
                    self.feed(update_row(transport, row.after_notify(flags)));
                }
                Return::TransportNotify { transport, flags, result: Hresult::S_OK }
            }
            Call::SubmitMessage { transport, message, offered, .. } => {
                let attempt = self.submits[transport.index()];
                self.submits[transport.index()] += 1;
                let outcome = if transport == T1 && attempt == 0 {
                    SubmitOutcome::Failed { result: Hresult::MAPI_E_WAIT, return_parm: 30, saved: RecipientSet::new() }
                } else {
                    if transport == T0 && attempt == 0 {
                        let first = offered.iter().next().expect("something is offered");
                        self.feed(Input::Support(SupportCall::StatusRecips {
                            transport,
                            message,
                            reports: vec![(first, ReportKind::NonDelivery)],
                        }));
                    }
                    self.next_ref += 1;
                    SubmitOutcome::Accepted { msg_ref: MsgRef(self.next_ref), accepted: offered }
                };
                Return::SubmitMessage { transport, message, outcome }
            }
            Call::EndMessage { transport, msg_ref } => Return::EndMessage { transport, msg_ref, result: Ok(EndFlags::EMPTY) },
            Call::TransportLogoff { transport } => Return::TransportLogoff { transport, result: Hresult::S_OK },
            Call::Shutdown { transport } => Return::Shutdown { transport, result: Hresult::S_OK },
            Call::SpoolerLogon { store } => Return::SpoolerLogon { store, result: Hresult::S_OK },
            Call::GetOutgoingQueue { store } => Return::GetOutgoingQueue { store, result: Ok(self.store.outgoing_queue()) },
            Call::SetLockState { store, message, state } => {
                Return::SetLockState { store, message, state, result: self.store.set_lock_state(message, state) }
            }
            Call::FinishedMsg { store, message } => {
                Return::FinishedMsg { store, message, result: self.store.finished_msg(message, SentMailHook::None) }
            }
            other => panic!("this world makes no {other}"),
        }
    }
}

/// The recorded run: the session starts, a client sends M1 to two SMTP recipients and a FAX
/// recipient, and the session ends.
fn reference_run() -> Vec<Step> {
    let profile = Profile::new(2);
    let mut world = Reference::new(&profile);
    world.feed(start());
    world.run();
    let draft = Draft::to([SMTP, SMTP, FAX].iter().map(|t| RecipientRow::new(*t)).collect());
    let queued = world.store.submit(draft).expect("the store takes the message");
    world.feed(row_added(queued));
    world.run();
    world.feed(session_shutdown());
    world.run();
    world.steps
}

fn effects_of(step: &Step) -> &[Effect] {
    match step {
        Step::Observe(_, effects) => effects,
        Step::Crash => &[],
    }
}

/// The index of the first step with an effect `pick` chooses.
fn step_with(steps: &[Step], pick: impl Fn(&Effect) -> bool) -> usize {
    steps.iter().position(|s| effects_of(s).iter().any(&pick)).expect("the run has such an effect")
}

/// The run with one call removed: the step that made it goes on as if the call had returned at
/// once (it takes over the effects of the step with the call's return, which disappears).
/// Returns the new stream and the index of the step that made the call.
fn without_call(steps: &[Step], pick: impl Fn(&Call) -> bool) -> (Vec<Step>, usize) {
    let is_picked = |e: &Effect| matches!(e, Effect::Call(call) if pick(call));
    let i = step_with(steps, is_picked);
    let Some(Effect::Call(call)) = effects_of(&steps[i]).iter().find(|e| is_picked(e)).cloned() else { unreachable!() };
    let j = (i + 1..steps.len())
        .find(|&j| matches!(&steps[j], Step::Observe(Input::Return(r), _) if call.is_answered_by(r)))
        .expect("the call returns");
    let answered = effects_of(&steps[j]).to_vec();
    let mut out = steps.to_vec();
    if let Step::Observe(_, effects) = &mut out[i] {
        effects.retain(|e| *e != Effect::Call(call.clone()));
        effects.extend(answered);
    }
    out.remove(j);
    (out, i)
}

/// The run with the first effect `pick` chooses done twice in a row. Returns the new stream and
/// the index of that step.
fn with_duplicate(steps: &[Step], pick: impl Fn(&Effect) -> bool) -> (Vec<Step>, usize) {
    let i = step_with(steps, &pick);
    let mut out = steps.to_vec();
    if let Step::Observe(_, effects) = &mut out[i] {
        let k = effects.iter().position(&pick).expect("the step has the effect");
        let copy = effects[k].clone();
        effects.insert(k + 1, copy);
    }
    (out, i)
}

/// The first violation of a corrupted run is `property` at step `at`; every earlier step is
/// judged correct.
fn assert_first_violation(steps: &[Step], at: usize, property: Property, needles: &[&str]) {
    let results = replay(&Profile::new(2), steps);
    let Some((n, v)) = first_violation(&results) else { panic!("the monitor found nothing wrong\n{}", render(steps, &results)) };
    assert_eq!((n, v.property), (at, property), "unexpected first violation: {v}\n{}", render(steps, &results));
    for needle in needles {
        assert!(v.detail.contains(needle), "the detail {:?} does not mention {needle:?}", v.detail);
    }
}

/// A run of the real spooler core, replayed through a fresh monitor, is quiet; and the run has
/// the features the corrupted replays below rely on.
#[test]
fn reference_run_replays_quietly() {
    // Spec: INV-14, INV-17, INV-23, INV-24, INV-25, INV-29, AMB-20
    let steps = reference_run();
    assert_quiet(&Profile::new(2), &steps);
    let all: Vec<&Effect> = steps.iter().flat_map(effects_of).collect();
    assert!(all.iter().any(|e| matches!(e, Effect::Report { .. })), "the run raises a report");
    assert!(all.iter().any(|e| matches!(e, Effect::Call(Call::EndMessage { transport: T0, .. }))), "T0 gets an EndMessage");
    assert!(steps.iter().any(|s| matches!(s, Step::Observe(Input::TimePassed { .. }, _))), "the run waits out a retry delay");
    assert!(all.iter().any(|e| matches!(e, Effect::Call(Call::FinishedMsg { .. }))), "the run finishes M1");
    assert!(all.iter().any(|e| matches!(e, Effect::Release(Released::Provider(T1)))), "the run ends the session");
}

/// The run without T0's `EndMessage`: the message is finished while T0's exchange is still open.
#[test]
fn reference_run_without_end_message_breaks_inv25() {
    // Spec: INV-25, INV-17
    let (steps, _) = without_call(&reference_run(), |call| matches!(call, Call::EndMessage { transport: T0, .. }));
    let at = step_with(&steps, |e| matches!(e, Effect::Call(Call::FinishedMsg { .. })));
    assert_first_violation(&steps, at, Property::FinishedOnlyWhenDone, &["S0.FinishedMsg(0, M1)", "before EndMessage"]);
}

/// The run with the NDR raised twice.
#[test]
fn reference_run_with_a_duplicated_report_breaks_inv24() {
    // Spec: INV-24
    let (steps, at) = with_duplicate(&reference_run(), |e| matches!(e, Effect::Report { .. }));
    assert_first_violation(&steps, at, Property::OneReport, &["M1 recipient 0 got a second report"]);
}

/// The run with a disposition saved twice.
#[test]
fn reference_run_with_a_duplicated_save_breaks_inv23() {
    // Spec: INV-23
    let (steps, at) = with_duplicate(&reference_run(), |e| matches!(e, Effect::SaveRecipients { .. }));
    assert_first_violation(&steps, at, Property::OneDisposition, &["saved twice"]);
}

/// The run without `SetLockState(MSG_LOCKED)`: M1 goes to T0 unlocked.
#[test]
fn reference_run_without_the_lock_breaks_inv14() {
    // Spec: INV-14
    let (steps, at) = without_call(&reference_run(), |call| matches!(call, Call::SetLockState { state: LockState::Locked, .. }));
    assert_first_violation(&steps, at, Property::LockBeforeHandOff, &["T0.SubmitMessage", "M1 is not locked"]);
}

/// The run with T1's retry made as soon as it answered `MAPI_E_WAIT`, without waiting.
#[test]
fn reference_run_with_the_retry_before_its_delay_breaks_inv29() {
    // Spec: INV-29
    let mut steps = reference_run();
    let j = steps.iter().position(|s| matches!(s, Step::Observe(Input::TimePassed { .. }, _))).expect("the run waits");
    assert!(effects_of(&steps[j]).iter().any(|e| matches!(e, Effect::Call(Call::SubmitMessage { transport: T1, .. }))));
    assert!(effects_of(&steps[j - 1]).iter().all(|e| !matches!(e, Effect::Call(_))), "nothing was in flight while waiting");
    let retry = effects_of(&steps[j]).to_vec();
    steps.remove(j);
    if let Step::Observe(_, effects) = &mut steps[j - 1] {
        effects.extend(retry);
    }
    assert_first_violation(&steps, j - 1, Property::RetryDelay, &["T1.SubmitMessage", "before the retry delay ends at t=30s"]);
}

// ---------------------------------------------------------------------------------------------
// Quiet on correct behaviour the monitor of commit 9e8c798 objected to
// ---------------------------------------------------------------------------------------------

/// A recipient a transport reported on with `StatusRecips` is final when `SubmitMessage`
/// returns (DEC-10); an `END_DONT_RESEND` from the same exchange does not hold it deferred. The
/// reference resubmits only the other recipient with `BEGIN_DEFERRED` and finishes the message;
/// nothing is outstanding at `FinishedMsg`.
#[test]
fn inv25_quiet_when_a_reported_recipient_is_in_a_deferred_exchange() {
    // Spec: INV-25, DEC-10
    use ReportKind::NonDelivery;
    let steps = cat([
        started(&[smtp()]),
        vec![
            st(row_added(row(M1, &[SMTP, SMTP])), [c(lock(M1))]),
            st(r_lock(M1), [c(submit(T0, M1, &[0, 1]))]),
            st(status_recips(T0, M1, &[(0, NonDelivery)]), []),
            st(r_submit_ok(T0, M1, 1, &[0, 1]), [report(M1, &[0], NonDelivery), save(M1, &[0], T0), c(end(T0, 1))]),
            st(r_end(T0, 1, EndFlags::END_DONT_RESEND), []),
            st(time(10), []),
            st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(M1)), [c(submit_deferred(T0, M1, &[1]))]),
        ],
        completes(T0, M1, &[1], 2),
    ]);
    assert_quiet(&Profile::new(1), &steps);
}

/// When every recipient of an exchange was settled by reports (DEC-10), `END_RESEND_LATER`
/// leaves nothing to resend, and the reference finishes the message at once.
#[test]
fn inv25_quiet_when_a_resend_leaves_only_reported_recipients() {
    // Spec: INV-25, DEC-10
    use ReportKind::NonDelivery;
    let steps = cat([
        one_message_to_t0(),
        vec![
            st(status_recips(T0, M1, &[(0, NonDelivery)]), []),
            st(r_submit_ok(T0, M1, 1, &[0]), [report(M1, &[0], NonDelivery), save(M1, &[0], T0), c(end(T0, 1))]),
            st(r_end(T0, 1, EndFlags::END_RESEND_LATER), [c(finished(M1))]),
            st(r_finished(M1), []),
        ],
    ]);
    assert_quiet(&Profile::new(1), &steps);
}

/// A transport that holds a recipient deferred and then raises `NOTIFY_CRITICAL_ERROR` is logged
/// off and shut down; its deferral dies with its logon, and the reference gives the recipient to
/// the next transport of the scan (DEC-4, as in trace
/// `lifecycle__critical_error_leaves_only_release_calls_and_reroutes_recipients`).
#[test]
fn inv30_quiet_when_the_holder_of_a_deferral_is_released_after_a_critical_error() {
    // Spec: INV-30, DEC-4
    let steps = cat([
        two_smtp_transports(),
        vec![
            st(r_lock(M1), [c(submit(T0, M1, &[0]))]),
            st(r_submit_ok(T0, M1, 1, &[0]), [c(end(T0, 1))]),
            st(r_end(T0, 1, EndFlags::END_DONT_RESEND), []),
            st(time(5), []),
            st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(M1)), [c(submit_deferred(T0, M1, &[0]))]),
            st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR, None), []),
            st(r_submit_failed(T0, M1, Hresult::MAPI_E_CALL_FAILED, 0, &[]), [c(logoff(T0))]),
            st(r_logoff(T0), [released_logon(T0), c(shutdown(T0))]),
            st(r_shutdown(T0), [released_provider(T0), c(submit(T1, M1, &[0]))]),
        ],
        completes(T1, M1, &[0], 1),
    ]);
    assert_quiet(&Profile::new(2), &steps);
}

// ---------------------------------------------------------------------------------------------
// Monitor bugs: the correct verdict, which the monitor does not give yet (ignored)
// ---------------------------------------------------------------------------------------------

/// INV-28 orders the messages of one store. After a restart the reference reads the queues store
/// by store, so M1 of S0 goes to T0 before M1000001 of S1, which the old session saw first; that
/// is correct, the two messages are in different stores.
#[test]
fn inv28_quiet_when_messages_of_different_stores_reach_a_transport_out_of_order() {
    // Spec: INV-28
    let profile = Profile { transports: vec![ServiceId(0)], stores: 2, settings: Settings::default() };
    let (first_start, enabled) = boot(&[smtp()], &[Vec::new(), Vec::new()]);
    let (second_start, enabled_again) = boot(&[smtp()], &[vec![row(M1, &[SMTP])], vec![row(M1000001, &[SMTP])]]);
    let steps = cat([
        first_start,
        vec![st(enabled, []), st(row_added(row(M1000001, &[SMTP])), [c(lock(M1000001))]), st(row_added(row(M1, &[SMTP])), []), Step::Crash],
        second_start,
        vec![st(enabled_again, [c(lock(M1))]), st(r_lock(M1), [c(submit(T0, M1, &[0]))])],
        completes(T0, M1, &[0], 1)[..2].to_vec(),
        vec![st(r_finished(M1), [c(lock(M1000001))]), st(r_lock(M1000001), [c(submit(T0, M1000001, &[0]))])],
        completes(T0, M1000001, &[0], 2),
    ]);
    assert_quiet(&profile, &steps);
}

/// HOOK-3: every matching preprocessor runs before the spooler's `IMessage::SubmitMessage` ends
/// preprocessing. T0's preprocessor is registered for SMTP and T0 gets the first chance at the
/// SMTP recipient, so skipping it breaks INV-27.
#[test]
fn inv27_fires_when_a_matching_preprocessor_is_skipped() {
    // Spec: INV-27, HOOK-3
    let sent = preprocessed_message_sent();
    let locked = sent.iter().position(|s| matches!(s, Step::Observe(Input::Return(Return::SetLockState { .. }), _))).unwrap();
    let mut steps = sent[..locked].to_vec();
    steps.push(st(r_lock(M1), [c(submit_preprocessed(M1))]));
    assert_last_step_breaks(&Profile::new(1), &steps, Property::PreprocessFirst, &["P0"]);
}

/// DEC-12: after a restart the spooler no longer knows which preprocessors ran, so it calls the
/// `RemovePreprocessInfo` of every preprocessor whose filter matches (trace
/// `restart__a_locked_message_is_adopted_after_a_restart`). Finishing the `PR_PREPROCESS` message
/// without it breaks INV-25.
#[test]
fn inv25_fires_when_clean_up_is_skipped_after_a_restart() {
    // Spec: INV-25, DEC-12
    let sent = preprocessed_message_sent();
    let mut adopted = row(M1, &[SMTP]);
    adopted.flags = QueueFlags::SUBMITFLAG_LOCKED;
    adopted.preprocess = true;
    let (second_start, enabled) = boot(&[smtp().with_preprocessor(by_type(SMTP))], &[vec![adopted]]);
    let mut steps = cat([
        sent[..sent.len() - 1].to_vec(),
        vec![Step::Crash],
        second_start,
        vec![st(enabled, [c(submit(T0, M1, &[0]))]), st(r_submit_ok(T0, M1, 1, &[0]), [c(end(T0, 1))])],
    ]);
    // What the reference does: clean up, then finish.
    let mut correct = steps.clone();
    correct.extend([
        st(r_end(T0, 1, EndFlags::EMPTY), [save(M1, &[0], T0), c(remove_preprocess_info(P0, M1))]),
        st(r_remove_preprocess_info(P0, M1), [c(finished(M1))]),
        st(r_finished(M1), []),
    ]);
    assert_quiet(&Profile::new(1), &correct);
    steps.push(st(r_end(T0, 1, EndFlags::EMPTY), [save(M1, &[0], T0), c(finished(M1))]));
    assert_last_step_breaks(&Profile::new(1), &steps, Property::FinishedOnlyWhenDone, &["RemovePreprocessInfo"]);
}

/// DEC-8: when the session ends, the spooler tells a transport that holds a message deferred to
/// drop it with `NOTIFY_ABORT_DEFERRED`, and hands the message back to the store. Sending the
/// message to that transport afterwards breaks the second half of INV-30, even though the
/// transport had announced it with `NOTIFY_SENTDEFERRED` before.
#[test]
fn inv30_fires_on_sending_a_message_after_notify_abort_deferred() {
    // Spec: INV-30, DEC-8
    let prefix = cat([
        started(&[smtp(), fax()]),
        vec![
            st(row_added(row(M1, &[SMTP, FAX])), [c(lock(M1))]),
            st(r_lock(M1), [c(submit(T0, M1, &[0]))]),
            st(r_submit_ok(T0, M1, 1, &[0]), [c(end(T0, 1))]),
            st(r_end(T0, 1, EndFlags::END_DONT_RESEND), [c(submit(T1, M1, &[1]))]),
            st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(M1)), []),
            st(session_shutdown(), []),
            st(r_submit_ok(T1, M1, 1, &[1]), [c(end(T1, 1))]),
            st(r_end(T1, 1, EndFlags::EMPTY), [save(M1, &[1], T1), c(abort_deferred(T0, M1))]),
        ],
    ]);
    let aborted = r_notify(T0, NotifyFlags::NOTIFY_ABORT_DEFERRED);
    let bad = st(aborted.clone(), [c(submit_deferred(T0, M1, &[0]))]);
    let good = cat([vec![st(aborted, [c(unlock(M1))])], shutdown_steps(r_unlock(M1), &[T0, T1])]);
    check(&Profile::new(2), &prefix, bad, &good, Property::DeferralProtocol, &["T0.SubmitMessage", "M1"]);
}

// ---------------------------------------------------------------------------------------------
// The tightly coupled store and the inbound hooks
// ---------------------------------------------------------------------------------------------

/// A message a tightly coupled pair served entirely: every recipient TRUE, handed over locked.
fn completed_row(message: MessageId, types: &[AddrType]) -> QueueRow {
    let mut row = row(message, types);
    row.flags = QueueFlags::SUBMITFLAG_LOCKED;
    for r in &mut row.recipients {
        r.responsibility = true;
    }
    row
}

fn complete_msg(row: QueueRow) -> Input {
    Input::Support(SupportCall::CompleteMsg(row))
}

/// INV-34: after `CompleteMsg` the reference goes straight to `FinishedMsg`; offering a
/// recipient of the completed message to a transport breaks the property.
#[test]
fn inv34_completed_by_pair_fires_on_offering_a_recipient_of_a_completed_message() {
    // Spec: INV-34, TC-3, TC-5, HOOK-11
    let prefix = started(&[smtp()]);
    let bad = st(complete_msg(completed_row(M1, &[SMTP])), [c(submit(T0, M1, &[0]))]);
    let good = [st(complete_msg(completed_row(M1, &[SMTP])), [c(finished(M1))]), st(r_finished(M1), [])];
    check(&Profile::new(1), &prefix, bad, &good, Property::CompletedByPair, &["M1", "CompleteMsg"]);
}

/// INV-35: a message the pair completed and the spooler finished must not come back through the
/// outgoing queue; a spooler that locks it again is caught.
#[test]
fn inv35_completed_not_queued_fires_on_locking_a_completed_message_queued_again() {
    // Spec: INV-35, TC-3, TC-6
    let prefix = cat([started(&[smtp()]), vec![st(complete_msg(completed_row(M1, &[SMTP])), [c(finished(M1))]), st(r_finished(M1), [])]]);
    let bad = st(row_added(row(M1, &[SMTP])), [c(lock(M1))]);
    let good = [st(row_added(row(M2, &[SMTP])), [c(lock(M2))])];
    check(&Profile::new(1), &prefix, bad, &good, Property::CompletedNotQueued, &["M1", "outgoing queue"]);
}

fn hook(n: u8, message: MessageId) -> Call {
    Call::InboundMsgHook { hook: mapi_spooler::HookId(n), store: S0, message }
}

fn r_hook(n: u8, message: MessageId, outcome: mapi_spooler::HookOutcome) -> Input {
    ret(Return::InboundMsgHook { hook: mapi_spooler::HookId(n), message, result: Ok(outcome) })
}

fn hooked_profile(hooks: u8) -> Profile {
    let mut profile = Profile::new(1);
    profile.settings.inbound_hooks = hooks;
    profile
}

/// INV-36 with inbound hooks: `NotifyNewMail` only after every hook saw the message, and never
/// for a message a hook deleted (HOOK-13, RCV-11); the reference releases a deleted message.
#[test]
fn inv36_fires_on_notify_new_mail_of_a_hook_deleted_message() {
    // Spec: INV-36, HOOK-13, RCV-11, HOOK-6
    let m5 = MessageId(5);
    let profile = hooked_profile(1);
    let prefix = cat([
        started(&[smtp()]),
        vec![
            st(new_mail(T0), [c(create(S0))]),
            st(r_create(S0, m5), [c(start_message(T0, m5))]),
            st(r_start(T0, m5, mapi_spooler::Delivery::Saved), [c(hook(0, m5))]),
        ],
    ]);
    let bad = st(r_hook(0, m5, mapi_spooler::HookOutcome::DELETE), [c(notify_new_mail(S0, m5))]);
    let deleted = Effect::Release(Released::HookDeleted { store: S0, message: m5 });
    let good = [st(r_hook(0, m5, mapi_spooler::HookOutcome::DELETE), [deleted, c(create(S0))])];
    check(&profile, &prefix, bad, &good, Property::CommitBeforeNotify, &["deleted M5"]);
    // NotifyNewMail before the hook ran is caught as well.
    let mut early = prefix.clone();
    early.pop();
    early.push(st(r_start(T0, m5, mapi_spooler::Delivery::Saved), [c(notify_new_mail(S0, m5))]));
    assert_last_step_breaks(&profile, &early, Property::CommitBeforeNotify, &["before inbound hook H0"]);
}

/// INV-36 for a tightly coupled store's arrival (RCV-16): the hooks and `NotifyNewMail` follow
/// `NOTIFY_NEWMAIL_RECEIVED`; a `NotifyNewMail` for a message nobody announced is caught.
#[test]
fn inv36_accepts_an_announced_arrival_and_fires_on_an_unannounced_one() {
    // Spec: INV-36, RCV-16, TC-8
    let m7 = MessageId(7);
    let arrival = Input::Support(SupportCall::SpoolerNotify {
        caller: Caller::Store(S0),
        flags: SpoolerNotifyFlags::NOTIFY_NEWMAIL_RECEIVED,
        message: Some(m7),
    });
    let prefix = started(&[smtp()]);
    let bad = st(Input::SystemIdle, [c(notify_new_mail(S0, m7))]);
    let good =
        [st(arrival, [c(notify_new_mail(S0, m7))]), st(ret(Return::NotifyNewMail { store: S0, message: m7, result: Hresult::S_OK }), [])];
    check(&Profile::new(1), &prefix, bad, &good, Property::CommitBeforeNotify, &["M7"]);
}
