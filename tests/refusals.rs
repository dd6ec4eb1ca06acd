//! Conformance scenarios: inputs that break the documented protocol are refused.
//!
//! Every refusal is checked the same way: `step` returns the exact error variant, naming the
//! party at fault; the spooler is equal to a clone taken before the input; the error's text says
//! what was expected; and, for some, the error maps to the documented `HRESULT`. The last test
//! feeds thousands of random inputs to a spooler mid-session.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::*;
use mapi_spooler::sim::{SplitMix64, SubmitAnswer};
use mapi_spooler::{
    AddrType, Call, Caller, CallerError, CancelRequest, Directions, Effect, EndFlags, Error, Hresult, Input, LockState, LogonCaps,
    MessageId, MsgRef, NotifyFlags, Phase, PreprocessorFilter, Profile, ProviderFault, QueueEvent, QueueFlags, QueueRow, RecipientIdx,
    RecipientRow, RecipientSet, Registrations, ReportKind, ReportRequests, Return, ServiceId, SessionRequest, SpiVersion, Spooler,
    SpoolerNotifyFlags, StatusCode, StatusRowFlags, StoreFault, StoreId, SubmitOutcome, SupportCall, TransportId, Unsupported,
};
use mapi_spooler::{FlushFlags, StatusRequest, ValidateFlags};

const T0: TransportId = TransportId(0);
const T1: TransportId = TransportId(1);
const T9: TransportId = TransportId(9);
const S7: StoreId = StoreId(7);

/// Feeds an input the spooler must refuse; checks that the state is unchanged and returns the
/// error.
fn refuse(sim: &mut mapi_spooler::sim::Sim, input: Input) -> Error {
    let before = sim.spooler().clone();
    let refused = sim.refused().len();
    assert!(!sim.feed(input.clone()), "the spooler accepted {input:?}; trace:\n{}", sim.trace());
    assert_eq!(*sim.spooler(), before, "a refused input changed the state: {input:?}");
    assert_eq!(sim.refused().len(), refused + 1);
    sim.refused()[refused].clone()
}

/// Steps a bare spooler with an input it must refuse; checks that the state is unchanged.
fn refuse_step(spooler: &mut Spooler, input: Input) -> Error {
    let before = spooler.clone();
    let error = spooler.step(input.clone()).expect_err("the input should be refused");
    assert_eq!(*spooler, before, "a refused input changed the state: {input:?}");
    error
}

/// Steps a bare spooler with an input it must accept.
fn accept_step(spooler: &mut Spooler, input: Input) -> Vec<Effect> {
    match spooler.step(input.clone()) {
        Ok(effects) => effects.into_vec(),
        Err(e) => panic!("{input:?} was refused: {e}"),
    }
}

/// Asserts that the error's text contains each of these pieces.
fn says(error: &Error, pieces: &[&str]) {
    let text = error.to_string();
    for piece in pieces {
        assert!(text.contains(piece), "{text:?} does not say {piece:?}");
    }
}

fn provider(transport: TransportId, fault: ProviderFault) -> Error {
    Error::Provider { transport, fault }
}

fn store(store: StoreId, fault: StoreFault) -> Error {
    Error::Store { store, fault }
}

fn notify(t: TransportId, flags: SpoolerNotifyFlags, message: Option<MessageId>) -> Input {
    Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(t), flags, message })
}

fn status_recips(t: TransportId, m: MessageId, reports: &[(u16, ReportKind)]) -> Input {
    Input::Support(SupportCall::StatusRecips {
        transport: t,
        message: m,
        reports: reports.iter().map(|(r, k)| (RecipientIdx(*r), *k)).collect(),
    })
}

fn submit_return(t: TransportId, m: MessageId, outcome: SubmitOutcome) -> Input {
    Input::Return(Return::SubmitMessage { transport: t, message: m, outcome })
}

fn accepted(msg_ref: u64, taken: &[u16]) -> SubmitOutcome {
    SubmitOutcome::Accepted { msg_ref: MsgRef(msg_ref), accepted: rows(taken) }
}

fn failed(result: Hresult, saved: &[u16]) -> SubmitOutcome {
    SubmitOutcome::Failed { result, return_parm: 5, saved: rows(saved) }
}

fn row(message: u32, recipients: Vec<RecipientRow>) -> QueueRow {
    QueueRow {
        store: S0,
        message: MessageId(message),
        flags: QueueFlags::EMPTY,
        preprocess: false,
        reports: ReportRequests::default(),
        recipients,
    }
}

/// A started world with an SMTP and a FAX transport, and nothing in flight.
fn idle_world() -> mapi_spooler::sim::Sim {
    let sim = started(vec![smtp(), fax()]);
    assert_eq!(sim.spooler().call_in_flight(), None);
    sim
}

/// A world where `T0.SubmitMessage(M1, {0})` is in flight; M1 goes to `[SMTP, FAX]`.
fn at_submit() -> (mapi_spooler::sim::Sim, MessageId) {
    let mut sim = idle_world();
    let m = sim.submit(S0, draft(&[SMTP, FAX])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    assert!(matches!(sim.spooler().call_in_flight(), Some(Call::SubmitMessage { transport: T0, offered, .. }) if *offered == rows(&[0])));
    (sim, m)
}

/// A world where `T0.EndMessage(1)` for M1 is in flight.
fn at_end() -> (mapi_spooler::sim::Sim, MessageId) {
    let mut sim = idle_world();
    let m = sim.submit(S0, draft(&[SMTP, FAX])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::EndMessage { .. })));
    assert_eq!(sim.spooler().call_in_flight(), Some(&Call::EndMessage { transport: T0, msg_ref: MsgRef(1) }));
    (sim, m)
}

/// A world stopped at the first call the predicate picks, during start-up.
fn starting_at(stop: impl FnMut(&Call) -> bool) -> mapi_spooler::sim::Sim {
    let mut sim = world(vec![smtp(), fax()]);
    sim.feed(Input::Session(SessionRequest::Start));
    assert!(sim.run_until_call(stop), "{}", sim.trace());
    sim
}

// ---------------------------------------------------------------------------------------------
// CallerError
// ---------------------------------------------------------------------------------------------

/// Before the session starts, only `SessionRequest::Start` is accepted.
#[test]
fn input_before_start_is_refused() {
    // Spec: LIFE-1
    let mut spooler = Spooler::new(&Profile::new(1)).unwrap();
    for (input, got) in [
        (Input::TimePassed { seconds: 1 }, "TimePassed"),
        (Input::SystemIdle, "SystemIdle"),
        (Input::Session(SessionRequest::Shutdown), "SessionRequest::Shutdown"),
        (Input::Return(Return::XpProviderInit { transport: T0, result: Ok(SpiVersion::CURRENT) }), "XPProviderInit"),
    ] {
        let error = refuse_step(&mut spooler, input);
        assert_eq!(error, Error::Caller(CallerError::NotStarted { got }));
        says(&error, &["expected SessionRequest::Start", got]);
        assert_eq!(error.hresult(), Hresult::MAPI_E_CALL_FAILED);
    }
    assert_eq!(spooler.phase(), Phase::Created);
}

/// `Start` comes once per session.
#[test]
fn start_twice_is_refused() {
    // Spec: LIFE-1
    let mut sim = starting_at(|c| matches!(c, Call::XpProviderInit { .. }));
    let error = refuse(&mut sim, Input::Session(SessionRequest::Start));
    assert_eq!(error, Error::Caller(CallerError::AlreadyStarted));
    says(&error, &["already started"]);
    let mut sim = idle_world();
    assert_eq!(refuse(&mut sim, Input::Session(SessionRequest::Start)), Error::Caller(CallerError::AlreadyStarted));
}

/// After every provider is released, nothing is accepted.
#[test]
fn input_after_shutdown_is_refused() {
    // Spec: LIFE-16
    let mut sim = idle_world();
    sim.shutdown();
    assert_eq!(sim.spooler().phase(), Phase::Stopped);
    for (input, got) in [
        (Input::SystemIdle, "SystemIdle"),
        (Input::Session(SessionRequest::Start), "SessionRequest::Start"),
        (notify(T0, SpoolerNotifyFlags::NOTIFY_READYTOSEND, None), "a support call"),
    ] {
        let error = refuse(&mut sim, input);
        assert_eq!(error, Error::Caller(CallerError::Stopped { got }));
        says(&error, &["shut down", "no input is accepted", got]);
    }
}

/// Once the session is ending, the session can neither end again nor enable or disable
/// traffic.
#[test]
fn requests_during_shutdown_are_refused() {
    // Spec: LIFE-12, LIFE-14
    let mut sim = idle_world();
    assert!(sim.feed(Input::Session(SessionRequest::Shutdown)));
    assert_eq!(sim.spooler().phase(), Phase::Stopping);
    let error = refuse(&mut sim, Input::Session(SessionRequest::Shutdown));
    assert_eq!(error, Error::Caller(CallerError::ShuttingDown { got: "Shutdown" }));
    says(&error, &["shutting down", "Shutdown is no longer possible"]);
    let error = refuse(&mut sim, Input::Session(SessionRequest::Enable { transport: T1, directions: Directions::BOTH }));
    assert_eq!(error, Error::Caller(CallerError::ShuttingDown { got: "Enable" }));
    let error = refuse(&mut sim, Input::Session(SessionRequest::Disable { transport: T1, directions: Directions::INBOUND }));
    assert_eq!(error, Error::Caller(CallerError::ShuttingDown { got: "Disable" }));
    sim.run();
    assert_eq!(sim.spooler().phase(), Phase::Stopped);
}

/// A return for a call the spooler never made.
#[test]
fn a_return_without_a_call_in_flight_is_refused() {
    // Spec: AMB-20
    let mut sim = idle_world();
    let error = refuse(&mut sim, Input::Return(Return::Idle { transport: T0, result: Hresult::S_OK }));
    assert_eq!(error, Error::Caller(CallerError::NoCallInFlight { got: "Idle" }));
    says(&error, &["no call is in flight", "Idle"]);
    let error = refuse(&mut sim, submit_return(T0, MessageId(1), accepted(1, &[0])));
    assert_eq!(error, Error::Caller(CallerError::NoCallInFlight { got: "SubmitMessage" }));
}

/// A return of another method than the call in flight.
#[test]
fn a_return_of_the_wrong_method_is_refused() {
    // Spec: AMB-20, SUB-24
    let (mut sim, m) = at_submit();
    let error = refuse(&mut sim, Input::Return(Return::Idle { transport: T0, result: Hresult::S_OK }));
    match &error {
        Error::Caller(CallerError::WrongReturn { expected, got }) => {
            assert!(expected.contains("T0.SubmitMessage(ulFlags=0, M1"), "{expected}");
            assert!(got.contains("T0.Idle"), "{got}");
        }
        other => panic!("expected WrongReturn, got {other:?}"),
    }
    says(&error, &["the call in flight is T0.SubmitMessage", "a return from T0.Idle"]);
    // The EndMessage that would follow a success cannot come first either.
    let error = refuse(&mut sim, Input::Return(Return::EndMessage { transport: T0, msg_ref: MsgRef(0), result: Ok(EndFlags::EMPTY) }));
    assert!(matches!(error, Error::Caller(CallerError::WrongReturn { .. })), "{error:?}");
    // The spooler still waits for its SubmitMessage, and takes the right return.
    assert!(sim.feed(submit_return(T0, m, accepted(1, &[0]))));
}

/// A return of the right method from another transport, or about another message.
#[test]
fn a_return_from_the_wrong_transport_or_message_is_refused() {
    // Spec: AMB-20
    let (mut sim, m) = at_submit();
    let error = refuse(&mut sim, submit_return(T1, m, accepted(1, &[1])));
    match &error {
        Error::Caller(CallerError::WrongReturn { expected, got }) => {
            assert!(expected.starts_with("T0.SubmitMessage"), "{expected}");
            assert!(got.starts_with("T1.SubmitMessage"), "{got}");
        }
        other => panic!("expected WrongReturn, got {other:?}"),
    }
    let error = refuse(&mut sim, submit_return(T0, MessageId(99), accepted(1, &[0])));
    assert!(matches!(&error, Error::Caller(CallerError::WrongReturn { got, .. }) if got.contains("M99")), "{error:?}");
    // A lock return with the other lock state does not answer SetLockState(MSG_LOCKED).
    let mut sim = idle_world();
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SetLockState { .. })));
    let error =
        refuse(&mut sim, Input::Return(Return::SetLockState { store: S0, message: m, state: LockState::Unlocked, result: Hresult::S_OK }));
    assert!(matches!(&error, Error::Caller(CallerError::WrongReturn { expected, .. }) if expected.contains("MSG_LOCKED")), "{error:?}");
}

/// EndMessage must come back with the reference the spooler passed (the one SubmitMessage
/// returned).
#[test]
fn end_message_with_the_wrong_reference_is_refused() {
    // Spec: INV-17, INV-19, SUB-34
    let (mut sim, _) = at_end();
    let error = refuse(&mut sim, Input::Return(Return::EndMessage { transport: T0, msg_ref: MsgRef(2), result: Ok(EndFlags::EMPTY) }));
    match &error {
        Error::Caller(CallerError::WrongReturn { expected, got }) => {
            assert_eq!(expected, "T0.EndMessage(ulMsgRef=1)");
            assert!(got.starts_with("T0.EndMessage(2)"), "{got}");
        }
        other => panic!("expected WrongReturn, got {other:?}"),
    }
    assert_eq!(error.hresult(), Hresult::MAPI_E_CALL_FAILED);
}

/// Identifiers the profile does not have.
#[test]
fn unknown_transport_and_store_identifiers_are_refused() {
    // Spec: LIFE-1, LIFE-19
    let mut sim = idle_world();
    let error = refuse(&mut sim, Input::Session(SessionRequest::Enable { transport: T9, directions: Directions::BOTH }));
    assert_eq!(error, Error::Caller(CallerError::UnknownTransport(T9)));
    says(&error, &["no transport T9"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_NOT_FOUND);
    let status = StatusCode::STATUS_AVAILABLE;
    let row_call = Input::Support(SupportCall::ModifyStatusRow { transport: T9, flags: StatusRowFlags::EMPTY, status });
    assert_eq!(refuse(&mut sim, row_call), Error::Caller(CallerError::UnknownTransport(T9)));
    assert_eq!(
        refuse(&mut sim, notify(T9, SpoolerNotifyFlags::NOTIFY_READYTOSEND, None)),
        Error::Caller(CallerError::UnknownTransport(T9))
    );
    assert_eq!(
        refuse(&mut sim, status_recips(T9, MessageId(1), &[(0, ReportKind::Delivery)])),
        Error::Caller(CallerError::UnknownTransport(T9))
    );
    assert_eq!(
        refuse(&mut sim, Input::Support(SupportCall::SpoolerYield { transport: T9 })),
        Error::Caller(CallerError::UnknownTransport(T9))
    );

    let store_notify = Input::Support(SupportCall::SpoolerNotify {
        caller: Caller::Store(S7),
        flags: SpoolerNotifyFlags::NOTIFY_READYTOSEND,
        message: None,
    });
    let error = refuse(&mut sim, store_notify);
    assert_eq!(error, Error::Caller(CallerError::UnknownStore(S7)));
    says(&error, &["no mail-enabled store S7"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_NOT_FOUND);
    assert_eq!(
        refuse(&mut sim, Input::Queue(QueueEvent::RowRemoved { store: S7, message: MessageId(1) })),
        Error::Caller(CallerError::UnknownStore(S7))
    );
    let mut foreign = row(50, vec![RecipientRow::new(SMTP)]);
    foreign.store = S7;
    assert_eq!(refuse(&mut sim, Input::Queue(QueueEvent::RowAdded(foreign))), Error::Caller(CallerError::UnknownStore(S7)));
}

/// A support call naming a transport the profile does not have is the driver's error, whatever
/// flags it carries: there is no such transport to blame.
#[test]
fn unknown_transport_is_blamed_on_the_caller_whatever_the_flags() {
    let mut sim = idle_world();
    for flags in
        [SpoolerNotifyFlags::NOTIFY_NEWMAIL_RECEIVED, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED | SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR]
    {
        assert_eq!(refuse(&mut sim, notify(T9, flags, Some(MessageId(1)))), Error::Caller(CallerError::UnknownTransport(T9)), "{flags}");
    }
}

/// Traffic can be enabled or disabled only on a logged-on transport.
#[test]
fn enable_before_logon_is_refused() {
    // Spec: LIFE-10
    let mut sim = starting_at(|c| matches!(c, Call::XpProviderInit { .. }));
    let error = refuse(&mut sim, Input::Session(SessionRequest::Enable { transport: T0, directions: Directions::OUTBOUND }));
    assert_eq!(error, Error::Caller(CallerError::NotLoggedOn(T0)));
    says(&error, &["T0 is not logged on"]);
    // Nor on a transport being released after a critical error.
    let mut sim = idle_world();
    assert!(sim.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR, None)));
    let error = refuse(&mut sim, Input::Session(SessionRequest::Disable { transport: T0, directions: Directions::INBOUND }));
    assert_eq!(error, Error::Caller(CallerError::NotLoggedOn(T0)));
}

/// Enable or disable names at least one direction.
#[test]
fn enable_without_a_direction_is_refused() {
    // Spec: LIFE-10
    let mut sim = idle_world();
    let error = refuse(&mut sim, Input::Session(SessionRequest::Enable { transport: T0, directions: Directions::NONE }));
    assert_eq!(error, Error::Caller(CallerError::NoDirection));
    says(&error, &["at least one direction"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_INVALID_PARAMETER);
    let error = refuse(&mut sim, Input::Session(SessionRequest::Disable { transport: T0, directions: Directions::NONE }));
    assert_eq!(error, Error::Caller(CallerError::NoDirection));
}

/// `CallerError::Profile` is not reachable through `step`: only the constructors return it.
#[test]
fn an_unusable_profile_is_refused_at_construction() {
    let too_many = Profile { transports: (0..65).map(|_| ServiceId(0)).collect(), stores: 1, settings: Default::default() };
    let error = Spooler::new(&too_many).unwrap_err();
    assert_eq!(error, Error::Caller(CallerError::Profile("more than 64 transports")));
    says(&error, &["invalid profile", "64 transports"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_INVALID_PARAMETER);
    let big_service = Profile { transports: vec![ServiceId(64)], stores: 1, settings: Default::default() };
    assert_eq!(Spooler::new(&big_service).unwrap_err(), Error::Caller(CallerError::Profile("a service number of 64 or more")));
    let error = mapi_spooler::sim::Sim::new(&Profile::new(2), vec![smtp()], 0).unwrap_err();
    assert_eq!(error, Error::Caller(CallerError::Profile("one transport script per transport entry is needed")));
}

// ---------------------------------------------------------------------------------------------
// ProviderFault
// ---------------------------------------------------------------------------------------------

/// A support call from a transport without a live logon meets an invalid object (ERR-17):
/// before `TransportLogon`, and after `TransportLogoff`.
#[test]
fn modify_status_row_before_transport_logon_is_refused() {
    // Spec: ERR-17, LIFE-9, INV-2, INV-4
    let mut sim = starting_at(|c| matches!(c, Call::XpProviderInit { transport: T0, .. }));
    let status = StatusCode::STATUS_AVAILABLE;
    let error = refuse(&mut sim, Input::Support(SupportCall::ModifyStatusRow { transport: T0, flags: StatusRowFlags::EMPTY, status }));
    assert_eq!(error, provider(T0, ProviderFault::NoLogon { call: "ModifyStatusRow" }));
    says(&error, &["transport T0", "ModifyStatusRow", "without a live logon"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_INVALID_OBJECT);
    // T1 has not even been initialized.
    let filter = PreprocessorFilter { uid: None, addr_type: None };
    let error = refuse(&mut sim, Input::Support(SupportCall::RegisterPreprocessor { transport: T1, filter }));
    assert_eq!(error, provider(T1, ProviderFault::NoLogon { call: "RegisterPreprocessor" }));

    // After a critical error the transport is logged off; its support object is invalid.
    let mut sim = idle_world();
    assert!(sim.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR, None)));
    sim.run();
    let error = refuse(&mut sim, notify(T0, SpoolerNotifyFlags::NOTIFY_READYTOSEND, None));
    assert_eq!(error, provider(T0, ProviderFault::NoLogon { call: "SpoolerNotify" }));
    assert_eq!(error.hresult(), Hresult::MAPI_E_INVALID_OBJECT);
    let error = refuse(&mut sim, Input::Support(SupportCall::SpoolerYield { transport: T0 }));
    assert_eq!(error, provider(T0, ProviderFault::NoLogon { call: "SpoolerYield" }));
}

/// `ModifyStatusRow(0)` a second time would add a second row.
#[test]
fn a_second_status_row_is_refused() {
    // Spec: INV-4, STAT-3, LIFE-9
    let mut sim = idle_world();
    let status = StatusCode::STATUS_AVAILABLE;
    let error = refuse(&mut sim, Input::Support(SupportCall::ModifyStatusRow { transport: T1, flags: StatusRowFlags::EMPTY, status }));
    assert_eq!(error, provider(T1, ProviderFault::StatusRowExists));
    says(&error, &["second status row", "STATUSROW_UPDATE"]);
}

/// `ModifyStatusRow(STATUSROW_UPDATE)` before the row exists.
#[test]
fn a_status_row_update_before_the_row_exists_is_refused() {
    // Spec: INV-4, STAT-3, LIFE-9
    let mut sim = starting_at(|c| matches!(c, Call::TransportLogon { transport: T0, .. }));
    let status = StatusCode::STATUS_AVAILABLE;
    let error =
        refuse(&mut sim, Input::Support(SupportCall::ModifyStatusRow { transport: T0, flags: StatusRowFlags::STATUSROW_UPDATE, status }));
    assert_eq!(error, provider(T0, ProviderFault::NoStatusRow));
    says(&error, &["before the row exists", "ModifyStatusRow(0) first"]);
}

/// A transport that has not created its status row when its first BEGIN returns.
#[test]
fn transport_notify_begin_without_a_status_row_is_refused() {
    // Spec: LIFE-9, AMB-31
    let mut spooler = Spooler::new(&Profile::new(1)).unwrap();
    accept_step(&mut spooler, Input::Session(SessionRequest::Start));
    accept_step(&mut spooler, Input::Return(Return::XpProviderInit { transport: T0, result: Ok(SpiVersion::CURRENT) }));
    accept_step(&mut spooler, Input::Return(Return::TransportLogon { transport: T0, result: Ok(LogonCaps::EMPTY) }));
    accept_step(&mut spooler, Input::Return(Return::AddressTypes { transport: T0, result: Ok(Registrations::address_types([SMTP])) }));
    accept_step(&mut spooler, Input::Return(Return::SpoolerLogon { store: S0, result: Hresult::S_OK }));
    let effects = accept_step(&mut spooler, Input::Return(Return::GetOutgoingQueue { store: S0, result: Ok(vec![]) }));
    let begin = NotifyFlags::NOTIFY_BEGIN_INBOUND | NotifyFlags::NOTIFY_BEGIN_OUTBOUND;
    assert_eq!(effects, [Effect::Call(Call::TransportNotify { transport: T0, flags: begin, message: None })]);
    let error = refuse_step(&mut spooler, Input::Return(Return::TransportNotify { transport: T0, flags: begin, result: Hresult::S_OK }));
    assert_eq!(error, provider(T0, ProviderFault::NoStatusRowAtBegin { flags: begin }));
    says(&error, &["has not created its status row", "ModifyStatusRow(0) before the first BEGIN"]);
    // Creating the row makes the same return acceptable.
    let status = StatusCode::STATUS_AVAILABLE | StatusCode::STATUS_INBOUND_ENABLED | StatusCode::STATUS_OUTBOUND_ENABLED;
    accept_step(&mut spooler, Input::Support(SupportCall::ModifyStatusRow { transport: T0, flags: StatusRowFlags::EMPTY, status }));
    accept_step(&mut spooler, Input::Return(Return::TransportNotify { transport: T0, flags: begin, result: Hresult::S_OK }));
}

/// `TransportNotify` must give the flag word back unchanged; a changed word, including one that
/// carries the BEGIN and END of one direction, is refused.
#[test]
fn transport_notify_returning_changed_flags_is_refused() {
    // Spec: LIFE-13, INV-13
    let mut sim = starting_at(|c| matches!(c, Call::TransportNotify { transport: T0, .. }));
    let sent = NotifyFlags::NOTIFY_BEGIN_INBOUND | NotifyFlags::NOTIFY_BEGIN_OUTBOUND;
    assert_eq!(sim.spooler().call_in_flight(), Some(&Call::TransportNotify { transport: T0, flags: sent, message: None }));
    for returned in [NotifyFlags::NOTIFY_BEGIN_OUTBOUND, sent | NotifyFlags::NOTIFY_END_INBOUND, NotifyFlags::EMPTY] {
        let error = refuse(&mut sim, Input::Return(Return::TransportNotify { transport: T0, flags: returned, result: Hresult::S_OK }));
        assert_eq!(error, provider(T0, ProviderFault::NotifyFlagsChanged { sent, returned }));
        says(&error, &["unchanged", "sent NOTIFY_BEGIN_INBOUND|NOTIFY_BEGIN_OUTBOUND"]);
    }
}

/// BEGIN and END of one direction never share a `TransportNotify` word: the flag type can tell
/// such a word apart, and no call the spooler makes in a session that enables and disables
/// traffic in every combination carries one.
#[test]
fn begin_and_end_of_one_direction_never_share_a_transport_notify() {
    // Spec: INV-13, LIFE-10, LIFE-12
    for (begin, end) in NotifyFlags::EXCLUSIVE_PAIRS {
        assert!((begin | end).is_contradictory());
        assert!((begin | end | NotifyFlags::NOTIFY_ABORT_DEFERRED).is_contradictory());
        assert!(!begin.is_contradictory() && !end.is_contradictory());
    }
    assert!(!(NotifyFlags::NOTIFY_BEGIN_INBOUND | NotifyFlags::NOTIFY_END_OUTBOUND).is_contradictory());
    assert!(!(NotifyFlags::NOTIFY_END_INBOUND | NotifyFlags::NOTIFY_END_OUTBOUND).is_contradictory());
    assert!(!NotifyFlags::EMPTY.is_contradictory());

    let mut sim = idle_world();
    for (directions, enable) in [
        (Directions::INBOUND, false),
        (Directions::BOTH, true),
        (Directions::OUTBOUND, false),
        (Directions::INBOUND, false),
        (Directions::OUTBOUND, true),
        (Directions::BOTH, false),
        (Directions::BOTH, true),
    ] {
        sim.set_traffic(T0, directions, enable);
    }
    // A disable and an enable of different directions before the spooler acts on them.
    assert!(sim.feed(Input::Session(SessionRequest::Disable { transport: T1, directions: Directions::INBOUND })));
    assert!(sim.feed(Input::Session(SessionRequest::Disable { transport: T1, directions: Directions::OUTBOUND })));
    assert!(sim.feed(Input::Session(SessionRequest::Enable { transport: T1, directions: Directions::INBOUND })));
    sim.run();
    send(&mut sim, draft(&[SMTP, FAX]));
    sim.shutdown();
    assert_clean(&sim);
    let notifies: Vec<NotifyFlags> = sim
        .calls()
        .filter_map(|c| match c {
            Call::TransportNotify { flags, .. } => Some(*flags),
            _ => None,
        })
        .collect();
    assert!(notifies.len() >= 8, "{}", sim.trace());
    for flags in notifies {
        assert!(!flags.is_contradictory(), "contradictory TransportNotify({flags}); trace:\n{}", sim.trace());
        assert!(!flags.is_empty(), "an empty TransportNotify; trace:\n{}", sim.trace());
    }
}

/// A method returned a code its page does not list.
#[test]
fn undocumented_provider_results_are_refused() {
    // Spec: SUB-34, LIFE-1, ERR-11, DEC-1
    let (mut sim, m) = at_end();
    let error =
        refuse(&mut sim, Input::Return(Return::EndMessage { transport: T0, msg_ref: MsgRef(1), result: Err(Hresult::MAPI_E_CALL_FAILED) }));
    assert_eq!(
        error,
        provider(T0, ProviderFault::UndocumentedResult { method: "EndMessage", result: Hresult::MAPI_E_CALL_FAILED, documented: "S_OK" })
    );
    says(&error, &["EndMessage returned MAPI_E_CALL_FAILED", "documentation lists S_OK"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_CALL_FAILED);

    let mut sim = starting_at(|c| matches!(c, Call::XpProviderInit { transport: T1, .. }));
    let error = refuse(&mut sim, Input::Return(Return::XpProviderInit { transport: T1, result: Err(Hresult::MAPI_E_NOT_ENOUGH_MEMORY) }));
    assert!(
        matches!(
            &error,
            Error::Provider {
                transport: T1,
                fault: ProviderFault::UndocumentedResult { method: "XPProviderInit", result: Hresult::MAPI_E_NOT_ENOUGH_MEMORY, .. }
            }
        ),
        "{error:?}"
    );
    says(&error, &["MAPI_E_VERSION"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_NOT_ENOUGH_MEMORY);

    // "Failed" with a success code is not a failure.
    let (mut sim, _) = at_submit();
    let outcome = SubmitOutcome::Failed { result: Hresult::S_OK, return_parm: 0, saved: RecipientSet::new() };
    let error = refuse(&mut sim, submit_return(T0, m, outcome));
    assert!(
        matches!(
            &error,
            Error::Provider {
                transport: T0,
                fault: ProviderFault::UndocumentedResult { method: "SubmitMessage", result: Hresult::S_OK, .. }
            }
        ),
        "{error:?}"
    );
}

/// `XPProviderInit` succeeding with a version newer than MAPI's.
#[test]
fn a_provider_version_newer_than_mapi_is_refused() {
    // Spec: VER-3
    let mut sim = starting_at(|c| matches!(c, Call::XpProviderInit { transport: T0, .. }));
    let newer = SpiVersion::new(2, 0, 0);
    let error = refuse(&mut sim, Input::Return(Return::XpProviderInit { transport: T0, result: Ok(newer) }));
    assert_eq!(error, provider(T0, ProviderFault::VersionTooNew { provider: newer, mapi: SpiVersion::CURRENT }));
    says(&error, &["0x02000000", "newer than MAPI's 0x00010010", "expected MAPI_E_VERSION"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_VERSION);
}

/// A transport takes, saves or reports a recipient it was not offered.
#[test]
fn a_responsibility_change_on_a_recipient_not_offered_is_refused() {
    // Spec: INV-21, SUB-28, SUB-22
    let (mut sim, m) = at_submit();
    let error = refuse(&mut sim, submit_return(T0, m, accepted(1, &[0, 1])));
    assert_eq!(error, provider(T0, ProviderFault::NotOffered { message: m, recipient: RecipientIdx(1) }));
    says(&error, &["M1 recipient r1 was not offered", "PR_RESPONSIBILITY read TRUE"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_INVALID_PARAMETER);
    let error = refuse(&mut sim, submit_return(T0, m, failed(Hresult::MAPI_E_WAIT, &[1])));
    assert_eq!(error, provider(T0, ProviderFault::NotOffered { message: m, recipient: RecipientIdx(1) }));
    let error = refuse(&mut sim, status_recips(T0, m, &[(1, ReportKind::NonDelivery)]));
    assert_eq!(error, provider(T0, ProviderFault::NotOffered { message: m, recipient: RecipientIdx(1) }));
}

/// MAPI_E_BUSY and MAPI_E_NOT_ME mean nothing was processed: saving or reporting contradicts
/// them.
#[test]
fn busy_or_not_me_after_processing_is_refused() {
    // Spec: ERR-2, ERR-3, SUB-33
    let (mut sim, m) = at_submit();
    let error = refuse(&mut sim, submit_return(T0, m, failed(Hresult::MAPI_E_BUSY, &[0])));
    assert_eq!(error, provider(T0, ProviderFault::ProcessedAnyway { result: Hresult::MAPI_E_BUSY }));
    says(&error, &["MAPI_E_BUSY", "no processing occurred"]);
    assert!(sim.feed(status_recips(T0, m, &[(0, ReportKind::NonDelivery)])));
    let error = refuse(&mut sim, submit_return(T0, m, failed(Hresult::MAPI_E_NOT_ME, &[])));
    assert_eq!(error, provider(T0, ProviderFault::ProcessedAnyway { result: Hresult::MAPI_E_NOT_ME }));
}

/// After `NOTIFY_CRITICAL_ERROR` inside `SubmitMessage`, the transport must return an error.
#[test]
fn success_after_a_critical_error_is_refused() {
    // Spec: ERR-7, LIFE-17
    let (mut sim, m) = at_submit();
    assert!(sim.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR, None)));
    let error = refuse(&mut sim, submit_return(T0, m, accepted(1, &[0])));
    assert_eq!(error, provider(T0, ProviderFault::SuccessAfterCriticalError));
    says(&error, &["S_OK after NOTIFY_CRITICAL_ERROR", "expected an error"]);
}

/// `MAPI_E_CANCEL` answers only a `BEGIN_DEFERRED` submission.
#[test]
fn cancel_without_deferral_is_refused() {
    // Spec: ERR-6, AMB-19, DEC-3
    let (mut sim, m) = at_submit();
    let error = refuse(&mut sim, submit_return(T0, m, failed(Hresult::MAPI_E_CANCEL, &[])));
    assert_eq!(error, provider(T0, ProviderFault::CancelWithoutDeferral));
    says(&error, &["MAPI_E_CANCEL", "not deferred", "only after BEGIN_DEFERRED"]);
}

/// `MAPI_E_USER_CANCEL` answers only a submission the user cancelled (DEF-8, ERR-12).
#[test]
fn user_cancel_without_a_cancel_is_refused() {
    // Spec: DEF-8, ERR-12
    let (mut sim, m) = at_submit();
    let error = refuse(&mut sim, submit_return(T0, m, failed(Hresult::MAPI_E_USER_CANCEL, &[])));
    assert_eq!(error, provider(T0, ProviderFault::UserCancelWithoutCancel));
    says(&error, &["MAPI_E_USER_CANCEL", "did not cancel", "NOTIFY_CANCEL_MESSAGE"]);
    // Once the user cancelled it, the same return is accepted.
    assert!(sim.feed(Input::Cancel(CancelRequest::Outbound { store: S0, message: m })));
    assert!(sim.feed(submit_return(T0, m, failed(Hresult::MAPI_E_USER_CANCEL, &[]))), "{}", sim.trace());
}

/// The user cancels through the spooler only what it is moving: a message it has locked (a
/// queued one is aborted in its store, with the codes `AbortSubmit` would give), once, or the
/// `StartMessage` in flight (DEF-5, DEF-6, DEF-7, RCV-13).
#[test]
fn cancels_of_what_the_spooler_is_not_moving_are_refused() {
    // Spec: DEF-5, DEF-6, DEF-7, RCV-13
    let mut sim = idle_world();
    let outbound = |m| Input::Cancel(CancelRequest::Outbound { store: S0, message: m });
    let error = refuse(&mut sim, outbound(MessageId(42)));
    assert_eq!(error, Error::Caller(CallerError::CancelUnknown { store: S0, message: MessageId(42) }));
    assert_eq!(error.hresult(), Hresult::MAPI_E_NOT_IN_QUEUE);
    says(&error, &["M42", "knows no such message"]);
    let error = refuse(&mut sim, Input::Cancel(CancelRequest::Outbound { store: S7, message: MessageId(1) }));
    assert_eq!(error, Error::Caller(CallerError::UnknownStore(S7)));
    // A queued message the spooler has not locked yet.
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SetLockState { .. })));
    let error = refuse(&mut sim, outbound(m));
    assert_eq!(error, Error::Caller(CallerError::CancelNotLocked(m)));
    assert_eq!(error.hresult(), Hresult::MAPI_E_UNABLE_TO_ABORT);
    says(&error, &["has not locked it", "AbortSubmit"]);
    // Locked: accepted once.
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    assert!(sim.feed(outbound(m)));
    let error = refuse(&mut sim, outbound(m));
    assert_eq!(error, Error::Caller(CallerError::AlreadyCancelled(m.to_string())));
    says(&error, &["already cancelled"]);
    // Inbound: only while StartMessage is in flight on that transport.
    let error = refuse(&mut sim, Input::Cancel(CancelRequest::Inbound { transport: T0 }));
    assert_eq!(error, Error::Caller(CallerError::NoInboundTransfer(T0)));
    says(&error, &["no StartMessage is in flight"]);
    let error = refuse(&mut sim, Input::Cancel(CancelRequest::Inbound { transport: T9 }));
    assert_eq!(error, Error::Caller(CallerError::UnknownTransport(T9)));
}

/// `EndMessage` sets at most one flag.
#[test]
fn conflicting_end_message_flags_are_refused() {
    // Spec: SUB-34
    let (mut sim, _) = at_end();
    for flags in
        [EndFlags::END_RESEND_NOW | EndFlags::END_RESEND_LATER, EndFlags::END_RESEND_LATER | EndFlags::END_DONT_RESEND, EndFlags::ALL]
    {
        let error = refuse(&mut sim, Input::Return(Return::EndMessage { transport: T0, msg_ref: MsgRef(1), result: Ok(flags) }));
        assert_eq!(error, provider(T0, ProviderFault::ConflictingEndFlags(flags)));
        says(&error, &["at most one of END_RESEND_NOW, END_RESEND_LATER, END_DONT_RESEND"]);
        assert_eq!(error.hresult(), Hresult::MAPI_E_UNKNOWN_FLAGS);
    }
}

/// `StatusRecips` belongs inside `SubmitMessage` of that message to that transport.
#[test]
fn status_recips_outside_submit_message_is_refused() {
    // Spec: SUB-30
    let mut sim = idle_world();
    let error = refuse(&mut sim, status_recips(T0, MessageId(1), &[(0, ReportKind::Delivery)]));
    assert_eq!(error, provider(T0, ProviderFault::StatusRecipsOutsideSubmit { message: MessageId(1) }));
    says(&error, &["StatusRecips for M1 outside SubmitMessage"]);
    let (mut sim, m) = at_submit();
    // Another transport, or another message.
    assert_eq!(
        refuse(&mut sim, status_recips(T1, m, &[(1, ReportKind::Delivery)])),
        provider(T1, ProviderFault::StatusRecipsOutsideSubmit { message: m })
    );
    assert_eq!(
        refuse(&mut sim, status_recips(T0, MessageId(99), &[(0, ReportKind::Delivery)])),
        provider(T0, ProviderFault::StatusRecipsOutsideSubmit { message: MessageId(99) })
    );
    // During EndMessage it is too late: the spooler has already done the report processing.
    let (mut sim, m) = at_end();
    assert_eq!(
        refuse(&mut sim, status_recips(T0, m, &[(0, ReportKind::Delivery)])),
        provider(T0, ProviderFault::StatusRecipsOutsideSubmit { message: m })
    );
}

/// Each recipient is reported once, within one call or across calls.
#[test]
fn a_recipient_reported_twice_is_refused() {
    // Spec: SUB-30, INV-24
    let (mut sim, m) = at_submit();
    let error = refuse(&mut sim, status_recips(T0, m, &[(0, ReportKind::Delivery), (0, ReportKind::NonDelivery)]));
    assert_eq!(error, provider(T0, ProviderFault::DuplicateReport { message: m, recipient: RecipientIdx(0) }));
    says(&error, &["reported M1 recipient r0 twice", "reported once"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_INVALID_PARAMETER);
    assert!(sim.feed(status_recips(T0, m, &[(0, ReportKind::NonDelivery)])));
    let error = refuse(&mut sim, status_recips(T0, m, &[(0, ReportKind::NonDelivery)]));
    assert_eq!(error, provider(T0, ProviderFault::DuplicateReport { message: m, recipient: RecipientIdx(0) }));
}

/// A reported recipient must be one the transport took (and kept).
#[test]
fn a_reported_recipient_that_was_not_taken_is_refused() {
    // Spec: SUB-30, SUB-28, SUB-33
    let (mut sim, m) = at_submit();
    assert!(sim.feed(status_recips(T0, m, &[(0, ReportKind::NonDelivery)])));
    let error = refuse(&mut sim, submit_return(T0, m, accepted(1, &[])));
    assert_eq!(error, provider(T0, ProviderFault::ReportedNotTaken { message: m, recipient: RecipientIdx(0) }));
    says(&error, &["M1 recipient r0 was reported", "PR_RESPONSIBILITY was not set TRUE"]);
    // On an error, only what the transport saved counts as taken.
    let error = refuse(&mut sim, submit_return(T0, m, failed(Hresult::MAPI_E_WAIT, &[])));
    assert_eq!(error, provider(T0, ProviderFault::ReportedNotTaken { message: m, recipient: RecipientIdx(0) }));
    assert!(sim.feed(submit_return(T0, m, failed(Hresult::MAPI_E_WAIT, &[0]))));
}

/// A recipient index beyond the recipient table.
#[test]
fn a_report_on_a_recipient_that_does_not_exist_is_refused() {
    // Spec: SUB-30
    let (mut sim, m) = at_submit();
    let error = refuse(&mut sim, status_recips(T0, m, &[(9, ReportKind::NonDelivery)]));
    assert_eq!(error, provider(T0, ProviderFault::NoSuchRecipient { message: m, recipient: RecipientIdx(9) }));
    says(&error, &["M1 has no recipient r9"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_INVALID_PARAMETER);
}

/// `NOTIFY_NEWMAIL_RECEIVED` is for stores only.
#[test]
fn a_transport_using_a_store_only_notification_is_refused() {
    // Spec: TC-12
    let mut sim = idle_world();
    let error = refuse(&mut sim, notify(T0, SpoolerNotifyFlags::NOTIFY_NEWMAIL_RECEIVED, None));
    assert_eq!(error, provider(T0, ProviderFault::StoreOnlyFlag(SpoolerNotifyFlags::NOTIFY_NEWMAIL_RECEIVED)));
    says(&error, &["NOTIFY_NEWMAIL_RECEIVED", "reserved to message stores"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_UNKNOWN_FLAGS);
}

/// `NOTIFY_SENTDEFERRED` and `NOTIFY_CRITICAL_ERROR` both use `lpvData`.
#[test]
fn sentdeferred_with_critical_error_is_refused() {
    // Spec: DEF-2
    let mut sim = idle_world();
    let flags = SpoolerNotifyFlags::NOTIFY_SENTDEFERRED | SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR;
    let error = refuse(&mut sim, notify(T0, flags, Some(MessageId(1))));
    assert_eq!(error, provider(T0, ProviderFault::ConflictingNotifyData));
    says(&error, &["cannot combine NOTIFY_SENTDEFERRED and NOTIFY_CRITICAL_ERROR"]);
}

/// `NOTIFY_SENTDEFERRED` only for a message the transport holds deferred.
#[test]
fn sentdeferred_for_a_message_not_deferred_is_refused() {
    // Spec: DEF-2, INV-30
    let (mut sim, m) = at_submit();
    let error = refuse(&mut sim, notify(T0, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(m)));
    assert_eq!(error, provider(T0, ProviderFault::NotDeferred { message: Some(m) }));
    says(&error, &["NOTIFY_SENTDEFERRED", "does not hold deferred", "END_DONT_RESEND"]);
    assert_eq!(
        refuse(&mut sim, notify(T0, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, None)),
        provider(T0, ProviderFault::NotDeferred { message: None })
    );
    // A message the spooler does not know at all.
    assert_eq!(
        refuse(&mut sim, notify(T0, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(MessageId(42)))),
        provider(T0, ProviderFault::NotDeferred { message: Some(MessageId(42)) })
    );
    // Deferred by T0, so not by T1.
    let mut scripted = started(vec![smtp().ends([mapi_spooler::sim::EndAnswer::Flags(EndFlags::END_DONT_RESEND)]), fax()]);
    let m = send(&mut scripted, draft(&[SMTP]));
    assert!(matches!(scripted.spooler().message_view(m).unwrap().recipients[0], mapi_spooler::RecipientView::Deferred(T0)));
    assert_eq!(
        refuse(&mut scripted, notify(T1, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(m))),
        provider(T1, ProviderFault::NotDeferred { message: Some(m) })
    );
    assert!(scripted.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(m))));
}

/// `NOTIFY_CRITSEC` and `NOTIFY_NONCRIT` pair up.
#[test]
fn unbalanced_critical_sections_are_refused() {
    // Spec: STAT-13
    let mut sim = idle_world();
    let error = refuse(&mut sim, notify(T0, SpoolerNotifyFlags::NOTIFY_NONCRIT, None));
    assert_eq!(error, provider(T0, ProviderFault::CriticalSection { flag: "NOTIFY_NONCRIT", state: "holds no critical section" }));
    says(&error, &["NOTIFY_NONCRIT but the transport holds no critical section"]);
    let both = SpoolerNotifyFlags::NOTIFY_CRITSEC | SpoolerNotifyFlags::NOTIFY_NONCRIT;
    assert!(matches!(
        refuse(&mut sim, notify(T0, both, None)),
        Error::Provider { transport: T0, fault: ProviderFault::CriticalSection { .. } }
    ));
    assert!(sim.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_CRITSEC, None)));
    let error = refuse(&mut sim, notify(T0, SpoolerNotifyFlags::NOTIFY_CRITSEC, None));
    assert_eq!(error, provider(T0, ProviderFault::CriticalSection { flag: "NOTIFY_CRITSEC", state: "already holds a critical section" }));
    assert!(sim.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_NONCRIT, None)));
}

/// `SpoolerYield` only during a call the spooler made to that transport.
#[test]
fn spooler_yield_outside_a_call_is_refused() {
    // Spec: SUB-35, DEC-18
    let mut sim = idle_world();
    let error = refuse(&mut sim, Input::Support(SupportCall::SpoolerYield { transport: T0 }));
    assert_eq!(error, provider(T0, ProviderFault::YieldOutsideCall));
    says(&error, &["SpoolerYield outside a spooler call"]);
    let (mut sim, _) = at_submit();
    assert_eq!(
        refuse(&mut sim, Input::Support(SupportCall::SpoolerYield { transport: T1 })),
        provider(T1, ProviderFault::YieldOutsideCall)
    );
    assert!(sim.feed(Input::Support(SupportCall::SpoolerYield { transport: T0 })));
}

/// The reference tracks at most 64 preprocessors per session.
#[test]
fn a_sixty_fifth_preprocessor_is_refused() {
    let mut sim = idle_world();
    let filter = PreprocessorFilter { uid: None, addr_type: Some(AddrType(7)) };
    for _ in 0..64 {
        assert!(sim.feed(Input::Support(SupportCall::RegisterPreprocessor { transport: T0, filter })));
    }
    let error = refuse(&mut sim, Input::Support(SupportCall::RegisterPreprocessor { transport: T1, filter }));
    assert_eq!(error, provider(T1, ProviderFault::TooManyPreprocessors(64)));
    says(&error, &["more than 64 preprocessors"]);
}

// ---------------------------------------------------------------------------------------------
// StoreFault
// ---------------------------------------------------------------------------------------------

/// A queued message without recipients: `IMessage::SubmitMessage` should have failed.
#[test]
fn a_queued_message_without_recipients_is_refused() {
    // Spec: SUB-1, ERR-14
    let mut sim = idle_world();
    let error = refuse(&mut sim, Input::Queue(QueueEvent::RowAdded(row(50, vec![]))));
    assert_eq!(error, store(S0, StoreFault::NoRecipients(MessageId(50))));
    says(&error, &["store S0", "M50 was queued without recipients", "MAPI_E_NO_RECIPIENTS"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_NO_RECIPIENTS);
}

/// More recipients than a recipient index can name.
#[test]
fn a_queued_message_with_too_many_recipients_is_refused() {
    let mut sim = idle_world();
    let error = refuse(&mut sim, Input::Queue(QueueEvent::RowAdded(row(50, vec![RecipientRow::new(SMTP); 65_537]))));
    assert_eq!(error, store(S0, StoreFault::TooManyRecipients(MessageId(50))));
    says(&error, &["more than 65536 recipients"]);
}

/// A message is queued once.
#[test]
fn a_message_queued_twice_is_refused() {
    // Spec: SUB-16
    let (mut sim, m) = at_submit();
    let error = refuse(&mut sim, Input::Queue(QueueEvent::RowAdded(row(m.get(), vec![RecipientRow::new(SMTP)]))));
    assert_eq!(error, store(S0, StoreFault::DuplicateRow(m)));
    says(&error, &["M1 is already in the outgoing queue"]);
    // In the queue that GetOutgoingQueue returns.
    let mut sim = starting_at(|c| matches!(c, Call::GetOutgoingQueue { .. }));
    let rows = vec![row(5, vec![RecipientRow::new(SMTP)]), row(5, vec![RecipientRow::new(FAX)])];
    let error = refuse(&mut sim, Input::Return(Return::GetOutgoingQueue { store: S0, result: Ok(rows) }));
    assert_eq!(error, store(S0, StoreFault::DuplicateRow(MessageId(5))));
}

/// `SUBMITFLAG_PREPROCESS` without `PR_PREPROCESS`.
#[test]
fn preprocess_flag_without_the_property_is_refused() {
    // Spec: SUB-12, HOOK-5
    let mut sim = idle_world();
    let mut r = row(50, vec![RecipientRow::new(SMTP)]);
    r.flags = QueueFlags::SUBMITFLAG_PREPROCESS;
    let error = refuse(&mut sim, Input::Queue(QueueEvent::RowAdded(r)));
    assert_eq!(error, store(S0, StoreFault::PreprocessFlagWithoutProperty(MessageId(50))));
    says(&error, &["SUBMITFLAG_PREPROCESS but PR_PREPROCESS is not set"]);
}

/// Only the spooler locks messages, so a new row cannot arrive locked.
#[test]
fn a_row_announced_locked_is_refused() {
    // Spec: SUB-20, AMB-5
    let mut sim = idle_world();
    let mut r = row(50, vec![RecipientRow::new(SMTP)]);
    r.flags = QueueFlags::SUBMITFLAG_LOCKED;
    let error = refuse(&mut sim, Input::Queue(QueueEvent::RowAdded(r)));
    assert_eq!(error, store(S0, StoreFault::AnnouncedLocked(MessageId(50))));
    says(&error, &["announced already locked", "only the spooler locks"]);
}

/// A message the spooler holds locked cannot leave the queue (AbortSubmit must fail); nor can a
/// lock succeed on a message the store said had left.
#[test]
fn a_locked_message_leaving_the_queue_is_refused() {
    // Spec: SUB-20, DEF-6, INV-15, DEC-7
    let (mut sim, m) = at_submit();
    let error = refuse(&mut sim, Input::Queue(QueueEvent::RowRemoved { store: S0, message: m }));
    assert_eq!(error, store(S0, StoreFault::RemovedWhileLocked(m)));
    says(&error, &["M1 left the outgoing queue while the spooler held it locked"]);

    let mut sim = idle_world();
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SetLockState { .. })));
    assert!(sim.feed(Input::Queue(QueueEvent::RowRemoved { store: S0, message: m })));
    let error =
        refuse(&mut sim, Input::Return(Return::SetLockState { store: S0, message: m, state: LockState::Locked, result: Hresult::S_OK }));
    assert_eq!(error, store(S0, StoreFault::RemovedWhileLocked(m)));
}

/// Queue notifications come only once the queue is open.
#[test]
fn a_queue_notification_before_the_queue_is_open_is_refused() {
    // Spec: SUB-16, LIFE-19
    let mut sim = starting_at(|c| matches!(c, Call::SpoolerLogon { .. }));
    let error = refuse(&mut sim, Input::Queue(QueueEvent::RowAdded(row(50, vec![RecipientRow::new(SMTP)]))));
    assert_eq!(error, store(S0, StoreFault::QueueNotOpen));
    says(&error, &["before GetOutgoingQueue"]);
}

/// A store's queue holds only its own messages.
#[test]
fn a_row_of_another_store_in_the_queue_is_refused() {
    // Spec: SUB-16
    let mut sim = starting_at(|c| matches!(c, Call::GetOutgoingQueue { .. }));
    let mut r = row(5, vec![RecipientRow::new(SMTP)]);
    r.store = StoreId(1);
    let error = refuse(&mut sim, Input::Return(Return::GetOutgoingQueue { store: S0, result: Ok(vec![r]) }));
    assert_eq!(error, store(S0, StoreFault::ForeignRow(StoreId(1))));
    says(&error, &["a row of this store's queue names S1"]);
}

/// Store methods returning codes their pages do not list.
#[test]
fn undocumented_store_results_are_refused() {
    // Spec: LIFE-19, HOOK-7, SUB-17, DEC-1, ERR-16
    let mut sim = starting_at(|c| matches!(c, Call::SpoolerLogon { .. }));
    let error = refuse(&mut sim, Input::Return(Return::SpoolerLogon { store: S0, result: Hresult::MAPI_E_CALL_FAILED }));
    assert!(
        matches!(
            &error,
            Error::Store {
                store: S0,
                fault: StoreFault::UndocumentedResult { method: "SpoolerLogon", result: Hresult::MAPI_E_CALL_FAILED, .. }
            }
        ),
        "{error:?}"
    );
    says(&error, &["SpoolerLogon returned MAPI_E_CALL_FAILED", "MAPI_E_UNCONFIGURED"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_CALL_FAILED);
    // A warning is a success (ERR-16): the store is logged on and its queue read next.
    let effects = {
        let before = sim.effects().len();
        assert!(sim.feed(Input::Return(Return::SpoolerLogon { store: S0, result: Hresult::MAPI_W_ERRORS_RETURNED })));
        sim.effects()[before..].to_vec()
    };
    assert_eq!(effects, [Effect::Call(Call::GetOutgoingQueue { store: S0 })]);

    let mut sim = idle_world();
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::FinishedMsg { .. })));
    let error = refuse(&mut sim, Input::Return(Return::FinishedMsg { store: S0, message: m, result: Hresult::MAPI_E_NO_SUPPORT }));
    assert!(
        matches!(
            &error,
            Error::Store {
                store: S0,
                fault: StoreFault::UndocumentedResult { method: "FinishedMsg", result: Hresult::MAPI_E_NO_SUPPORT, .. }
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.hresult(), Hresult::MAPI_E_NO_SUPPORT);
}

/// Stores may use only `NOTIFY_READYTOSEND` and `NOTIFY_NEWMAIL_RECEIVED`.
#[test]
fn a_store_using_a_transport_only_notification_is_refused() {
    // Spec: TC-12, SUB-6
    let mut sim = idle_world();
    let flags = SpoolerNotifyFlags::NOTIFY_CRITSEC | SpoolerNotifyFlags::NOTIFY_READYTOSEND;
    let input = Input::Support(SupportCall::SpoolerNotify { caller: Caller::Store(S0), flags, message: None });
    let error = refuse(&mut sim, input);
    assert_eq!(error, store(S0, StoreFault::TransportOnlyFlag(SpoolerNotifyFlags::NOTIFY_CRITSEC)));
    says(&error, &["NOTIFY_CRITSEC", "reserved to transports", "NOTIFY_READYTOSEND and NOTIFY_NEWMAIL_RECEIVED"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_UNKNOWN_FLAGS);
    // NOTIFY_READYTOSEND alone is fine (SUB-6).
    let ready = SupportCall::SpoolerNotify { caller: Caller::Store(S0), flags: SpoolerNotifyFlags::NOTIFY_READYTOSEND, message: None };
    assert!(sim.feed(Input::Support(ready)));
}

// ---------------------------------------------------------------------------------------------
// Unsupported
// ---------------------------------------------------------------------------------------------

/// `NOTIFY_NEWMAIL_RECEIVED` used to be refused as unsupported; it is modelled now (RCV-16):
/// from a coupled store it is accepted, and no input the random generator of this file makes is
/// refused as unsupported. `NOTIFY_NEWMAIL` from a transport with inbound disabled is dropped,
/// not refused, and not remembered.
#[test]
fn no_refusal_is_unsupported_any_more() {
    // Spec: RCV-16, RCV-2, AMB-38
    let mut sim = coupled_world();
    let placed = sim.deliver_coupled("IPM.Note");
    assert!(placed.is_some());
    assert_eq!(sim.refused(), &[] as &[Error]);
    let mut generator = Gen { rng: SplitMix64::new(7) };
    let mut spooler = Spooler::new(&Profile::new(2)).expect("valid");
    for _ in 0..2_000 {
        let input = match spooler.call_in_flight().cloned() {
            Some(call) if generator.chance(70) => generator.answer(&call),
            _ => generator.any(),
        };
        if let Err(error) = spooler.step(input) {
            assert!(!matches!(error, Error::Unsupported(Unsupported { .. })), "{error}");
        }
    }
    // With inbound disabled, NOTIFY_NEWMAIL is dropped, not refused (RCV-2).
    let mut sim = idle_world();
    sim.set_traffic(T0, Directions::INBOUND, false);
    let before = sim.effects().len();
    assert!(sim.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_NEWMAIL, None)));
    assert_eq!(sim.effects().len(), before, "NOTIFY_NEWMAIL with inbound disabled causes nothing");
    // ... and is not remembered: enabling inbound again brings no call for it (AMB-38).
    sim.set_traffic(T0, Directions::INBOUND, true);
    let after: Vec<&Call> = sim.effects()[before..].iter().filter_map(Effect::as_call).collect();
    assert_eq!(after, [&Call::TransportNotify { transport: T0, flags: NotifyFlags::NOTIFY_BEGIN_INBOUND, message: None }]);
}

// ---------------------------------------------------------------------------------------------
// The tightly coupled store and store logoff
// ---------------------------------------------------------------------------------------------

/// T0 (SMTP) coupled with S0, started and idle.
fn coupled_world() -> mapi_spooler::sim::Sim {
    let mut sim = world(vec![smtp(), fax()]).with_coupling(S0, T0, true);
    sim.start();
    assert_eq!(sim.spooler().coupled_transport(S0), Some(T0));
    sim
}

/// A message to SMTP recipients that the pair served, as `CompleteMsg` hands it over.
fn served_row(message: MessageId, served: &[bool]) -> QueueRow {
    QueueRow {
        store: S0,
        message,
        flags: QueueFlags::SUBMITFLAG_LOCKED,
        preprocess: false,
        reports: ReportRequests::default(),
        recipients: served.iter().map(|s| RecipientRow { responsibility: *s, ..RecipientRow::new(SMTP) }).collect(),
    }
}

/// `CompleteMsg` and `NOTIFY_NEWMAIL_RECEIVED` need a store no logged-on transport publishes as
/// its own: without the coupling they are refused with `MAPI_E_NO_SUPPORT` (TC-1, TC-5).
#[test]
fn complete_msg_from_an_uncoupled_store_is_refused() {
    // Spec: TC-1, TC-5, RCV-16
    let mut sim = idle_world();
    let error = refuse(&mut sim, Input::Support(SupportCall::CompleteMsg(served_row(MessageId(900), &[true]))));
    assert_eq!(error, store(S0, StoreFault::NotCoupled));
    says(&error, &["PR_OWN_STORE_ENTRYID", "not tightly coupled"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_NO_SUPPORT);
    let arrival = SupportCall::SpoolerNotify {
        caller: Caller::Store(S0),
        flags: SpoolerNotifyFlags::NOTIFY_NEWMAIL_RECEIVED,
        message: Some(MessageId(901)),
    };
    assert_eq!(refuse(&mut sim, Input::Support(arrival)), store(S0, StoreFault::NotCoupled));
    // Publishing needs the row (STAT-3) and a store of the profile.
    let mut fresh = world(vec![smtp()]);
    fresh.feed(Input::Session(SessionRequest::Start));
    let error = refuse(&mut fresh, Input::Support(SupportCall::PublishOwnStore { transport: T0, store: S7 }));
    assert!(matches!(error, Error::Caller(CallerError::UnknownStore(S7))), "{error:?}");
}

/// TC-5, INV-34: `CompleteMsg` only for a message whose every recipient the pair served.
#[test]
fn complete_msg_with_an_open_recipient_is_refused() {
    // Spec: TC-5, INV-34
    let mut sim = coupled_world();
    let error = refuse(&mut sim, Input::Support(SupportCall::CompleteMsg(served_row(MessageId(900), &[true, false]))));
    assert_eq!(error, store(S0, StoreFault::CompleteMsgOpenRecipient { message: MessageId(900), recipient: RecipientIdx(1) }));
    says(&error, &["M900", "r1", "PR_RESPONSIBILITY FALSE"]);
    let empty = QueueRow { recipients: Vec::new(), ..served_row(MessageId(901), &[]) };
    assert_eq!(refuse(&mut sim, Input::Support(SupportCall::CompleteMsg(empty))), store(S0, StoreFault::NoRecipients(MessageId(901))));
}

/// TC-3, TC-6, INV-35: `CompleteMsg` twice for one message, or for a message in the outgoing
/// queue, is refused.
#[test]
fn complete_msg_for_a_message_the_spooler_holds_is_refused() {
    // Spec: TC-3, TC-6, INV-35
    let mut sim = coupled_world();
    // Held in the queue: FAX is down, so the message waits, unlocked or locked.
    let row = served_row(MessageId(900), &[true]);
    assert!(sim.feed(Input::Support(SupportCall::CompleteMsg(row.clone()))));
    let again = refuse(&mut sim, Input::Support(SupportCall::CompleteMsg(row)));
    assert_eq!(again, store(S0, StoreFault::CompleteMsgUnexpected(MessageId(900))));
    says(&again, &["M900", "already holds"]);
}

/// SUB-12, TC-3: a message that needs preprocessing reaches the spooler through the queue; a
/// `CompleteMsg` for it before the spooler preprocessed it is refused.
#[test]
fn complete_msg_before_preprocessing_is_refused() {
    // Spec: SUB-12, TC-3
    let mut sim = coupled_world();
    let row = QueueRow { preprocess: true, ..served_row(MessageId(900), &[true]) };
    let error = refuse(&mut sim, Input::Support(SupportCall::CompleteMsg(row)));
    assert_eq!(error, store(S0, StoreFault::CompleteMsgUnpreprocessed(MessageId(900))));
    says(&error, &["preprocessing"]);
}

/// RCV-16: `NOTIFY_NEWMAIL_RECEIVED` names the new message in `lpvData`, once.
#[test]
fn newmail_received_without_a_new_message_is_refused() {
    // Spec: RCV-16
    let mut sim = coupled_world();
    let arrival = |message| {
        Input::Support(SupportCall::SpoolerNotify {
            caller: Caller::Store(S0),
            flags: SpoolerNotifyFlags::NOTIFY_NEWMAIL_RECEIVED,
            message,
        })
    };
    assert_eq!(refuse(&mut sim, arrival(None)), store(S0, StoreFault::NewMailWithoutMessage));
    // Announced again while the spooler handles it (its NotifyNewMail is in flight): refused.
    let m = MessageId(950);
    let mut spooler = sim.spooler().clone();
    let effects = accept_step(&mut spooler, arrival(Some(m)));
    assert_eq!(effects, [Effect::Call(Call::NotifyNewMail { store: S0, message: m })]);
    let error = refuse_step(&mut spooler, arrival(Some(m)));
    assert_eq!(error, store(S0, StoreFault::DuplicateArrival(m)));
    says(&error, &["M950", "already"]);
}

/// LIFE-20: `StoreLogoffTransports` takes exactly one of its five input flags; after
/// `LOGOFF_COMPLETE` the store is no longer served and a second call is refused.
#[test]
fn store_logoff_with_other_than_one_input_flag_is_refused() {
    // Spec: LIFE-20, AMB-27
    let mut sim = idle_world();
    for flags in [
        mapi_spooler::LogoffFlags::EMPTY,
        mapi_spooler::LogoffFlags::LOGOFF_ABORT | mapi_spooler::LogoffFlags::LOGOFF_QUIET,
        mapi_spooler::LogoffFlags::LOGOFF_COMPLETE,
    ] {
        let error = refuse(&mut sim, Input::Support(SupportCall::StoreLogoffTransports { store: S0, flags }));
        assert_eq!(error, store(S0, StoreFault::LogoffFlags(flags)));
        assert_eq!(error.hresult(), Hresult::MAPI_E_UNKNOWN_FLAGS);
    }
    assert_eq!(sim.store_logoff(S0, mapi_spooler::LogoffFlags::LOGOFF_ORDERLY), Some(mapi_spooler::LogoffFlags::LOGOFF_COMPLETE));
}

/// LIFE-19, LIFE-20: a store that logged off is not served: its support calls and queue
/// notifications are refused.
#[test]
fn tc_support_calls_from_a_store_not_served_are_refused() {
    // Spec: LIFE-19, LIFE-20
    let mut sim = coupled_world();
    assert_eq!(sim.store_logoff(S0, mapi_spooler::LogoffFlags::LOGOFF_NO_WAIT), Some(mapi_spooler::LogoffFlags::LOGOFF_COMPLETE));
    let again =
        refuse(&mut sim, Input::Support(SupportCall::StoreLogoffTransports { store: S0, flags: mapi_spooler::LogoffFlags::LOGOFF_ABORT }));
    assert_eq!(again, store(S0, StoreFault::NotServed));
    let complete = refuse(&mut sim, Input::Support(SupportCall::CompleteMsg(served_row(MessageId(900), &[true]))));
    assert_eq!(complete, store(S0, StoreFault::NotServed));
    says(&complete, &["does not serve"]);
}

/// `MsgServiceTransportOrder` must list every transport of the profile once: a wrong count is
/// `MAPI_E_BUSY`, a transport the profile does not have or one listed twice `MAPI_E_NOT_FOUND`
/// (ERR-15, AMB-28, DEC-26).
#[test]
fn a_transport_order_that_is_not_the_profile_is_refused() {
    // Spec: ORD-7, ERR-15, AMB-28, DEC-26
    let mut sim = idle_world();
    let error = refuse(&mut sim, Input::TransportOrder(vec![T0]));
    assert_eq!(error, Error::Caller(CallerError::TransportOrderCount { expected: 2, got: 1 }));
    assert_eq!(error.hresult(), Hresult::MAPI_E_BUSY);
    says(&error, &["all 2 transports", "1 were listed"]);
    let error = refuse(&mut sim, Input::TransportOrder(vec![T0, T9]));
    assert_eq!(error, Error::Caller(CallerError::TransportOrderList(T9, "is not a transport of the profile")));
    assert_eq!(error.hresult(), Hresult::MAPI_E_NOT_FOUND);
    let error = refuse(&mut sim, Input::TransportOrder(vec![T1, T1]));
    assert_eq!(error, Error::Caller(CallerError::TransportOrderList(T1, "is listed twice")));
    assert_eq!(error.hresult(), Hresult::MAPI_E_NOT_FOUND);
    assert!(sim.feed(Input::TransportOrder(vec![T1, T0])), "a permutation of the profile's transports is accepted");
}

/// GetStatusTable blocks until the transports are set up, so a status call during start-up
/// cannot come from a client that read the table (LIFE-21, AMB-25).
#[test]
fn status_calls_before_the_status_table_is_ready_are_refused() {
    // Spec: LIFE-21, AMB-25, DEC-34
    let mut sim = starting_at(|c| matches!(c, Call::AddressTypes { .. }));
    assert!(!sim.spooler().status_table_ready());
    let error = refuse(&mut sim, Input::Status(StatusRequest::FlushQueues { target: None, flags: FlushFlags::FLUSH_UPLOAD.bits() }));
    assert_eq!(error, Error::Caller(CallerError::StatusTableNotReady { got: "FlushQueues" }));
    says(&error, &["FlushQueues before the status table is available"]);
    let error = refuse(&mut sim, Input::Status(StatusRequest::OpenEntry { transport: T0 }));
    assert_eq!(error, Error::Caller(CallerError::StatusTableNotReady { got: "OpenEntry" }));
    sim.run();
    assert!(sim.spooler().status_table_ready());
    assert!(sim.feed(Input::Status(StatusRequest::ValidateState { flags: 0 })));
}

/// A transport's status row can be opened once at a time, and only while it is in the table
/// (STAT-1, STAT-10).
#[test]
fn opening_a_status_row_twice_or_one_not_in_the_table_is_refused() {
    // Spec: STAT-1, STAT-10
    let mut sim = idle_world();
    let open = Input::Status(StatusRequest::OpenEntry { transport: T0 });
    // Hold the world still: the open waits behind a call in flight.
    sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    assert!(sim.feed(open.clone()));
    let error = refuse(&mut sim, open);
    assert_eq!(error, Error::Caller(CallerError::StatusEntryOpening(T0)));
    says(&error, &["T0 is already being opened"]);
    let error = refuse(&mut sim, Input::Status(StatusRequest::OpenEntry { transport: T9 }));
    assert_eq!(error, Error::Caller(CallerError::UnknownTransport(T9)));
    sim.run();
    assert!(sim.feed(Input::Session(SessionRequest::Shutdown)));
    assert!(sim.run_until_call(|c| matches!(c, Call::TransportLogoff { transport: T0 })));
    sim.run_until_call(|c| matches!(c, Call::Shutdown { transport: T0 }));
    let error = refuse(&mut sim, Input::Status(StatusRequest::OpenEntry { transport: T0 }));
    assert_eq!(error, Error::Caller(CallerError::NotInStatusTable(T0)));
    says(&error, &["T0 has no row in the status table"]);
}

/// Inside a critical section a transport answers `ValidateState` with `MAPI_E_BUSY`
/// (STAT-13, ERR-13); an `S_OK` there is refused.
#[test]
fn validate_state_success_inside_a_critical_section_is_refused() {
    // Spec: STAT-13, ERR-13, STAT-11
    let mut sim = idle_world();
    assert!(sim.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_CRITSEC, None)));
    assert!(sim.feed(Input::Status(StatusRequest::ValidateState { flags: 0 })));
    assert_eq!(sim.spooler().call_in_flight(), Some(&Call::ValidateState { transport: T0, flags: ValidateFlags::EMPTY }));
    let error = refuse(&mut sim, Input::Return(Return::ValidateState { transport: T0, result: Hresult::S_OK }));
    assert_eq!(error, provider(T0, ProviderFault::ValidateInCriticalSection { result: Hresult::S_OK }));
    says(&error, &["inside a critical section", "MAPI_E_BUSY"]);
    assert!(sim.feed(Input::Return(Return::ValidateState { transport: T0, result: Hresult::MAPI_E_BUSY })));
}

// ---------------------------------------------------------------------------------------------
// Exhaustiveness
// ---------------------------------------------------------------------------------------------

/// The test of this file that reaches each refusal. The matches have no wildcard, so a new
/// variant does not compile until it is given a test here.
fn test_of(error: &Error) -> &'static str {
    match error {
        Error::Caller(e) => match e {
            CallerError::NotStarted { .. } => "input_before_start_is_refused",
            CallerError::AlreadyStarted => "start_twice_is_refused",
            CallerError::Stopped { .. } => "input_after_shutdown_is_refused",
            CallerError::ShuttingDown { .. } => "requests_during_shutdown_are_refused",
            CallerError::NoCallInFlight { .. } => "a_return_without_a_call_in_flight_is_refused",
            CallerError::WrongReturn { .. } => "a_return_of_the_wrong_method_is_refused",
            CallerError::UnknownTransport(_) | CallerError::UnknownStore(_) => "unknown_transport_and_store_identifiers_are_refused",
            CallerError::NotLoggedOn(_) => "enable_before_logon_is_refused",
            CallerError::NoDirection => "enable_without_a_direction_is_refused",
            CallerError::TransportOrderCount { .. } | CallerError::TransportOrderList(..) => {
                "a_transport_order_that_is_not_the_profile_is_refused"
            }
            CallerError::CancelUnknown { .. }
            | CallerError::CancelNotLocked(_)
            | CallerError::AlreadyCancelled(_)
            | CallerError::NoInboundTransfer(_) => "cancels_of_what_the_spooler_is_not_moving_are_refused",
            CallerError::StatusTableNotReady { .. } => "status_calls_before_the_status_table_is_ready_are_refused",
            CallerError::StatusEntryOpening(_) | CallerError::NotInStatusTable(_) => {
                "opening_a_status_row_twice_or_one_not_in_the_table_is_refused"
            }
            // Not reachable through `step`: only `Spooler::new` and `Sim::new` return it.
            CallerError::Profile(_) => "an_unusable_profile_is_refused_at_construction",
        },
        Error::Provider { fault, .. } => match fault {
            ProviderFault::NoLogon { .. } => "modify_status_row_before_transport_logon_is_refused",
            ProviderFault::StatusRowExists => "a_second_status_row_is_refused",
            ProviderFault::NoStatusRow => "a_status_row_update_before_the_row_exists_is_refused",
            ProviderFault::NoStatusRowAtBegin { .. } => "transport_notify_begin_without_a_status_row_is_refused",
            ProviderFault::NotifyFlagsChanged { .. } => "transport_notify_returning_changed_flags_is_refused",
            ProviderFault::UndocumentedResult { .. } => "undocumented_provider_results_are_refused",
            ProviderFault::VersionTooNew { .. } => "a_provider_version_newer_than_mapi_is_refused",
            ProviderFault::NotOffered { .. } => "a_responsibility_change_on_a_recipient_not_offered_is_refused",
            ProviderFault::ProcessedAnyway { .. } => "busy_or_not_me_after_processing_is_refused",
            ProviderFault::SuccessAfterCriticalError => "success_after_a_critical_error_is_refused",
            ProviderFault::CancelWithoutDeferral => "cancel_without_deferral_is_refused",
            ProviderFault::UserCancelWithoutCancel => "user_cancel_without_a_cancel_is_refused",
            ProviderFault::ConflictingEndFlags(_) => "conflicting_end_message_flags_are_refused",
            ProviderFault::StatusRecipsOutsideSubmit { .. } => "status_recips_outside_submit_message_is_refused",
            ProviderFault::DuplicateReport { .. } => "a_recipient_reported_twice_is_refused",
            ProviderFault::ReportedNotTaken { .. } => "a_reported_recipient_that_was_not_taken_is_refused",
            ProviderFault::NoSuchRecipient { .. } => "a_report_on_a_recipient_that_does_not_exist_is_refused",
            ProviderFault::StoreOnlyFlag(_) => "a_transport_using_a_store_only_notification_is_refused",
            ProviderFault::ConflictingNotifyData => "sentdeferred_with_critical_error_is_refused",
            ProviderFault::NotDeferred { .. } => "sentdeferred_for_a_message_not_deferred_is_refused",
            ProviderFault::CriticalSection { .. } => "unbalanced_critical_sections_are_refused",
            ProviderFault::YieldOutsideCall => "spooler_yield_outside_a_call_is_refused",
            ProviderFault::TooManyPreprocessors(_) => "a_sixty_fifth_preprocessor_is_refused",
            ProviderFault::ValidateInCriticalSection { .. } => "validate_state_success_inside_a_critical_section_is_refused",
        },
        Error::Store { fault, .. } => match fault {
            StoreFault::NoRecipients(_) => "a_queued_message_without_recipients_is_refused",
            StoreFault::TooManyRecipients(_) => "a_queued_message_with_too_many_recipients_is_refused",
            StoreFault::DuplicateRow(_) => "a_message_queued_twice_is_refused",
            StoreFault::PreprocessFlagWithoutProperty(_) => "preprocess_flag_without_the_property_is_refused",
            StoreFault::AnnouncedLocked(_) => "a_row_announced_locked_is_refused",
            StoreFault::RemovedWhileLocked(_) => "a_locked_message_leaving_the_queue_is_refused",
            StoreFault::QueueNotOpen => "a_queue_notification_before_the_queue_is_open_is_refused",
            StoreFault::ForeignRow(_) => "a_row_of_another_store_in_the_queue_is_refused",
            StoreFault::UndocumentedResult { .. } => "undocumented_store_results_are_refused",
            StoreFault::TransportOnlyFlag(_) => "a_store_using_a_transport_only_notification_is_refused",
            StoreFault::NotServed => "tc_support_calls_from_a_store_not_served_are_refused",
            StoreFault::NotCoupled => "complete_msg_from_an_uncoupled_store_is_refused",
            StoreFault::CompleteMsgOpenRecipient { .. } => "complete_msg_with_an_open_recipient_is_refused",
            StoreFault::CompleteMsgUnexpected(_) => "complete_msg_for_a_message_the_spooler_holds_is_refused",
            StoreFault::CompleteMsgUnpreprocessed(_) => "complete_msg_before_preprocessing_is_refused",
            StoreFault::NewMailWithoutMessage | StoreFault::DuplicateArrival(_) => "newmail_received_without_a_new_message_is_refused",
            StoreFault::LogoffFlags(_) => "store_logoff_with_other_than_one_input_flag_is_refused",
        },
        Error::Unsupported(Unsupported { .. }) => "no_refusal_is_unsupported_any_more",
    }
}

/// Every refusal the spooler can give has a test in this file (see [`test_of`]).
#[test]
fn every_refusal_has_a_test() {
    let source = include_str!("refusals.rs");
    let samples = [
        Error::Caller(CallerError::NotStarted { got: "" }),
        Error::Caller(CallerError::AlreadyStarted),
        Error::Caller(CallerError::Stopped { got: "" }),
        Error::Caller(CallerError::ShuttingDown { got: "" }),
        Error::Caller(CallerError::NoCallInFlight { got: "" }),
        Error::Caller(CallerError::WrongReturn { expected: String::new(), got: String::new() }),
        Error::Caller(CallerError::UnknownTransport(T9)),
        Error::Caller(CallerError::UnknownStore(S7)),
        Error::Caller(CallerError::NotLoggedOn(T0)),
        Error::Caller(CallerError::NoDirection),
        Error::Caller(CallerError::TransportOrderCount { expected: 2, got: 1 }),
        Error::Caller(CallerError::TransportOrderList(T9, "")),
        Error::Caller(CallerError::Profile("")),
        Error::Caller(CallerError::StatusTableNotReady { got: "" }),
        Error::Caller(CallerError::StatusEntryOpening(T0)),
        Error::Caller(CallerError::NotInStatusTable(T0)),
        provider(T0, ProviderFault::ValidateInCriticalSection { result: Hresult::S_OK }),
        provider(T0, ProviderFault::NoLogon { call: "" }),
        provider(T0, ProviderFault::StatusRowExists),
        provider(T0, ProviderFault::NoStatusRow),
        provider(T0, ProviderFault::NoStatusRowAtBegin { flags: NotifyFlags::EMPTY }),
        provider(T0, ProviderFault::NotifyFlagsChanged { sent: NotifyFlags::EMPTY, returned: NotifyFlags::EMPTY }),
        provider(T0, ProviderFault::UndocumentedResult { method: "", result: Hresult::S_OK, documented: "" }),
        provider(T0, ProviderFault::VersionTooNew { provider: SpiVersion::CURRENT, mapi: SpiVersion::CURRENT }),
        provider(T0, ProviderFault::NotOffered { message: MessageId(1), recipient: RecipientIdx(0) }),
        provider(T0, ProviderFault::ProcessedAnyway { result: Hresult::S_OK }),
        provider(T0, ProviderFault::SuccessAfterCriticalError),
        provider(T0, ProviderFault::CancelWithoutDeferral),
        provider(T0, ProviderFault::ConflictingEndFlags(EndFlags::ALL)),
        provider(T0, ProviderFault::StatusRecipsOutsideSubmit { message: MessageId(1) }),
        provider(T0, ProviderFault::DuplicateReport { message: MessageId(1), recipient: RecipientIdx(0) }),
        provider(T0, ProviderFault::ReportedNotTaken { message: MessageId(1), recipient: RecipientIdx(0) }),
        provider(T0, ProviderFault::NoSuchRecipient { message: MessageId(1), recipient: RecipientIdx(0) }),
        provider(T0, ProviderFault::StoreOnlyFlag(SpoolerNotifyFlags::EMPTY)),
        provider(T0, ProviderFault::ConflictingNotifyData),
        provider(T0, ProviderFault::NotDeferred { message: None }),
        provider(T0, ProviderFault::CriticalSection { flag: "", state: "" }),
        provider(T0, ProviderFault::YieldOutsideCall),
        provider(T0, ProviderFault::TooManyPreprocessors(64)),
        store(S0, StoreFault::NoRecipients(MessageId(1))),
        store(S0, StoreFault::TooManyRecipients(MessageId(1))),
        store(S0, StoreFault::DuplicateRow(MessageId(1))),
        store(S0, StoreFault::PreprocessFlagWithoutProperty(MessageId(1))),
        store(S0, StoreFault::AnnouncedLocked(MessageId(1))),
        store(S0, StoreFault::RemovedWhileLocked(MessageId(1))),
        store(S0, StoreFault::QueueNotOpen),
        store(S0, StoreFault::ForeignRow(S7)),
        store(S0, StoreFault::UndocumentedResult { method: "", result: Hresult::S_OK, documented: "" }),
        store(S0, StoreFault::TransportOnlyFlag(SpoolerNotifyFlags::EMPTY)),
        store(S0, StoreFault::NotServed),
        store(S0, StoreFault::NotCoupled),
        store(S0, StoreFault::CompleteMsgOpenRecipient { message: MessageId(1), recipient: RecipientIdx(0) }),
        store(S0, StoreFault::CompleteMsgUnexpected(MessageId(1))),
        store(S0, StoreFault::CompleteMsgUnpreprocessed(MessageId(1))),
        store(S0, StoreFault::NewMailWithoutMessage),
        store(S0, StoreFault::DuplicateArrival(MessageId(1))),
        store(S0, StoreFault::LogoffFlags(mapi_spooler::LogoffFlags::EMPTY)),
        Error::Unsupported(Unsupported { what: "", requirement: "" }),
    ];
    for error in &samples {
        let name = test_of(error);
        assert!(source.contains(&format!("fn {name}()")), "no test named {name} for {error:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Random inputs
// ---------------------------------------------------------------------------------------------

/// A small generator of inputs, valid and invalid, from a pool of identifiers, flags and
/// results.
struct Gen {
    rng: SplitMix64,
}

impl Gen {
    fn pick<T: Copy>(&mut self, pool: &[T]) -> T {
        pool[self.rng.below(pool.len() as u64) as usize]
    }

    fn chance(&mut self, percent: u64) -> bool {
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
    fn answer(&mut self, call: &Call) -> Input {
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
    fn any(&mut self) -> Input {
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
