//! Refusals that blame the driver (`CallerError`), and documented behaviour the reference does not model.

use super::*;

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
// Inputs once refused as unsupported
// ---------------------------------------------------------------------------------------------

/// `NOTIFY_NEWMAIL_RECEIVED` used to be refused as unsupported; it is modelled now (RCV-16): from
/// a coupled store it is accepted. `NOTIFY_NEWMAIL` from a transport with inbound disabled is
/// dropped, not refused, and not remembered.
#[test]
fn inputs_once_unsupported_are_accepted() {
    // Spec: RCV-16, RCV-2, AMB-38
    let mut sim = coupled_world();
    let placed = sim.deliver_coupled("IPM.Note");
    assert!(placed.is_some());
    assert_eq!(sim.refused(), &[] as &[Error]);
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
