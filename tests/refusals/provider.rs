//! Refusals that blame a transport (`ProviderFault`).

use super::*;

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
