//! Refusals of the tightly coupled store, the inbound hooks and store logoff.

use super::*;

// ---------------------------------------------------------------------------------------------
// The tightly coupled store and store logoff
// ---------------------------------------------------------------------------------------------

/// T0 (SMTP) coupled with S0, started and idle.
pub(crate) fn coupled_world() -> mapi_spooler::sim::Sim {
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
    // More recipients than an index names are refused; 65536 are accepted.
    let too_many = served_row(MessageId(902), &[true; 65_537]);
    assert_eq!(
        refuse(&mut sim, Input::Support(SupportCall::CompleteMsg(too_many))),
        store(S0, StoreFault::TooManyRecipients(MessageId(902)))
    );
    let mut spooler = sim.spooler().clone();
    accept_step(&mut spooler, Input::Support(SupportCall::CompleteMsg(served_row(MessageId(903), &[true; 65_536]))));
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
    // Another message of the same store is a new arrival: accepted, and taken up once the
    // first one is announced (DEC-43).
    let other = MessageId(951);
    assert_eq!(accept_step(&mut spooler, arrival(Some(other))), []);
    let announced = Input::Return(Return::NotifyNewMail { store: S0, message: m, result: Hresult::S_OK });
    assert_eq!(accept_step(&mut spooler, announced), [Effect::Call(Call::NotifyNewMail { store: S0, message: other })]);
    // While a transport's StartMessage fills another new message of the same (receive) store.
    let mut spooler = sim.spooler().clone();
    let new_mail = SupportCall::SpoolerNotify { caller: Caller::Transport(T0), flags: SpoolerNotifyFlags::NOTIFY_NEWMAIL, message: None };
    assert_eq!(accept_step(&mut spooler, Input::Support(new_mail)), [Effect::Call(Call::CreateMessage { store: S0 })]);
    let fetched = MessageId(960);
    let created = Input::Return(Return::CreateMessage { store: S0, result: Ok(fetched) });
    assert_eq!(accept_step(&mut spooler, created), [Effect::Call(Call::StartMessage { transport: T0, message: fetched })]);
    assert_eq!(accept_step(&mut spooler, arrival(Some(MessageId(961)))), []);
    assert_eq!(refuse_step(&mut spooler, arrival(Some(fetched))), store(S0, StoreFault::DuplicateArrival(fetched)));
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

/// A store's `SpoolerNotify(NOTIFY_READYTOSEND)` waits until the spooler's transports are
/// logged on and registered (SUB-6): it cannot come back during start-up. Once they are set
/// up, it is accepted.
#[test]
fn a_store_ready_to_send_before_the_transports_are_set_up_is_refused() {
    // Spec: SUB-6
    let mut sim = starting_at(|c| matches!(c, Call::AddressTypes { .. }));
    let ready = Input::Support(SupportCall::SpoolerNotify {
        caller: Caller::Store(S0),
        flags: SpoolerNotifyFlags::NOTIFY_READYTOSEND,
        message: None,
    });
    let error = refuse(&mut sim, ready.clone());
    assert_eq!(error, Error::Caller(CallerError::ReadyToSendBeforeSetUp(S0)));
    says(&error, &["NOTIFY_READYTOSEND) from S0", "before the transports are set up"]);
    sim.run();
    assert!(sim.feed(ready));
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
