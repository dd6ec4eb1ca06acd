//! Firing tests of the properties issue 18 made whole or added: the user's cancel withdraws
//! what no transport took (DEC-27), the address types asked again after CONFIG_CHANGED (ORD-9),
//! the status row's lifetime (INV-4), a transport's own recipients (INV-21), the references of
//! live transfers (INV-19), the scan judged by
//! the monitor's own routing oracle (INV-22), the queue order with a rerouted message (INV-28)
//! and exactly the retry delays that `NOTIFY_READYTOSEND` ends (INV-29, DEC-17).

use super::*;

fn cancel(m: MessageId) -> Input {
    Input::Cancel(mapi_spooler::CancelRequest::Outbound { store: store_of(m), message: m })
}

fn validate_request() -> StatusRequest {
    StatusRequest::ValidateState { flags: mapi_spooler::ValidateFlags::CONFIG_CHANGED.bits() }
}

fn validate(t: TransportId) -> Call {
    Call::ValidateState { transport: t, flags: mapi_spooler::ValidateFlags::CONFIG_CHANGED }
}

fn r_validate(t: TransportId, result: Hresult) -> Input {
    ret(Return::ValidateState { transport: t, result })
}

/// DEC-27, DEC-28: the user cancels while the `BEGIN_DEFERRED` resubmission is in flight and the
/// transport answers `MAPI_E_CANCEL`. It took nothing, so saving its recipient as taken and
/// finishing the message breaks the property; the reference tells the holder, unlocks the
/// message and aborts it (trace `cancel__a_cancelled_deferred_resubmission_answered_mapi_e_cancel_goes_back_unsent`).
#[test]
fn dec27_cancel_withdraws_fires_on_saving_a_recipient_the_cancelled_transport_did_not_take() {
    // Spec: DEC-27, DEC-28
    let prefix = cat([
        deferred_by_t0(),
        vec![
            st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(M1)), [c(submit_deferred(T0, M1, &[0]))]),
            st(cancel(M1), [Effect::CancelMessage { transport: T0, message: M1 }]),
        ],
    ]);
    let stopped = r_submit_failed(T0, M1, Hresult::MAPI_E_CANCEL, 0, &[]);
    let bad = st(stopped.clone(), [save(M1, &[0], T0), c(finished(M1))]);
    let both = NotifyFlags::NOTIFY_ABORT_DEFERRED | NotifyFlags::NOTIFY_CANCEL_MESSAGE;
    let good = vec![
        st(stopped, [c(Call::TransportNotify { transport: T0, flags: both, message: Some(M1) })]),
        st(r_notify(T0, both), [c(unlock(M1))]),
        st(r_unlock(M1), [c(Call::AbortSubmit { store: S0, message: M1 })]),
        st(ret(Return::AbortSubmit { store: S0, message: M1, result: Hresult::S_OK }), []),
    ];
    check(&Profile::new(1), &prefix, bad, &good, Property::CancelWithdraws, &["recipient 0 of M1", "T0 did not take it"]);
    // Without the cancel, MAPI_E_CANCEL ends the deferral cycle and the recipient stays taken
    // (ERR-6): the same save is correct.
    assert_quiet(&Profile::new(1), &cat([deferred_by_t0(), resubmitted_and_cancelled()]));
}

/// ORD-9, STAT-11, STAT-12: a transport that answers `ValidateState(CONFIG_CHANGED)` with
/// `MAPI_E_NO_SUPPORT` is asked `AddressTypes` again like any other; handing it a message
/// before that breaks the property.
#[test]
fn ord09_requery_fires_on_submit_before_the_address_types_are_asked_again() {
    // Spec: ORD-9, STAT-11, STAT-12
    let prefix = cat([
        started(&[smtp()]),
        vec![
            st(Input::Status(validate_request()), [c(validate(T0))]),
            st(row_added(row(M1, &[SMTP])), []),
            st(
                r_validate(T0, Hresult::MAPI_E_NO_SUPPORT),
                [Effect::StatusAnswer { request: validate_request(), result: Hresult::S_OK }, c(lock(M1))],
            ),
        ],
    ]);
    let bad = st(r_lock(M1), [c(submit(T0, M1, &[0]))]);
    let good = cat([
        vec![
            st(r_lock(M1), [c(address_types(T0))]),
            st(r_address_types(T0, Registrations::address_types([SMTP])), [c(submit(T0, M1, &[0]))]),
        ],
        completes(T0, M1, &[0], 1),
    ]);
    check(&Profile::new(1), &prefix, bad, &good, Property::Requery, &["T0.SubmitMessage", "CONFIG_CHANGED"]);
    // Without CONFIG_CHANGED the registrations stand: the message goes to T0 at once.
    let refresh = mapi_spooler::ValidateFlags::REFRESH_XP_HEADER_CACHE;
    let request = StatusRequest::ValidateState { flags: refresh.bits() };
    let plain = cat([
        started(&[smtp()]),
        vec![
            st(Input::Status(request), [c(Call::ValidateState { transport: T0, flags: refresh })]),
            st(row_added(row(M1, &[SMTP])), []),
            st(r_validate(T0, Hresult::S_OK), [Effect::StatusAnswer { request, result: Hresult::S_OK }, c(lock(M1))]),
            st(r_lock(M1), [c(submit(T0, M1, &[0]))]),
        ],
        completes(T0, M1, &[0], 1),
    ]);
    assert_quiet(&Profile::new(1), &plain);
}

/// INV-4: a transport creates its status row once; a second creation accepted by the spooler
/// breaks the property, an update does not.
#[test]
fn inv04_status_row_lifetime_fires_on_a_second_row_accepted() {
    // Spec: INV-4
    let prefix = started(&[smtp()]);
    let good = vec![st(update_row(T0, row_enabled()), [])];
    check(&Profile::new(1), &prefix, st(modify_row(T0), []), &good, Property::StatusRowLifetime, &["a second status row of T0"]);
    // An update before the row exists, and a row of a transport that is not logged on.
    let before_row = started(&[smtp()]);
    let at = before_row.iter().position(|s| matches!(s, Step::Observe(i, _) if *i == modify_row(T0))).unwrap();
    let mut early = before_row[..at].to_vec();
    early.push(st(update_row(T0, StatusCode::STATUS_AVAILABLE), []));
    assert_last_step_breaks(&Profile::new(1), &early, Property::StatusRowLifetime, &["STATUSROW_UPDATE of T0", "before its row exists"]);
    let end = shutdown_steps(session_shutdown(), &[T0]);
    let mut after = cat([started(&[smtp()]), end[..4].to_vec()]);
    after.push(st(update_row(T0, StatusCode::STATUS_AVAILABLE), []));
    assert_last_step_breaks(&Profile::new(1), &after, Property::StatusRowLifetime, &["T0 has no logon"]);
}

/// INV-21: a transport takes only recipients it was offered; a return taking another one,
/// accepted, breaks the property.
#[test]
fn inv21_own_recipients_only_fires_on_accepting_a_recipient_that_was_not_offered() {
    // Spec: INV-21
    let prefix = cat([
        started(&[smtp(), fax()]),
        vec![st(row_added(row(M1, &[SMTP, FAX])), [c(lock(M1))]), st(r_lock(M1), [c(submit(T0, M1, &[0]))])],
    ]);
    let bad = st(r_submit_ok(T0, M1, 1, &[0, 1]), [c(end(T0, 1))]);
    let good = vec![st(r_submit_ok(T0, M1, 1, &[0]), [c(end(T0, 1))])];
    check(&Profile::new(2), &prefix, bad, &good, Property::OwnRecipientsOnly, &["T0.SubmitMessage took recipient 1 of M1"]);
    let reported = st(status_recips(T0, M1, &[(1, ReportKind::NonDelivery)]), []);
    assert_last_step_breaks(
        &Profile::new(2),
        &cat([prefix.clone(), vec![reported]]),
        Property::OwnRecipientsOnly,
        &["StatusRecips recipient 1"],
    );
    // Another transport reporting on the recipient offered to T0: it was offered nothing.
    let foreign = st(status_recips(T1, M1, &[(0, ReportKind::NonDelivery)]), []);
    assert_last_step_breaks(&Profile::new(2), &cat([prefix, vec![foreign]]), Property::OwnRecipientsOnly, &["T1.StatusRecips recipient 0"]);
}

/// DEC-21, ORD-6 judged by the oracle: the preprocessor of a transport that registers no
/// recipient applies to a recipient no transport earlier in the order can take, so skipping it
/// breaks INV-27; running it does not. For a recipient an earlier transport can take it does not
/// apply, and running it breaks INV-27.
#[test]
fn dec21_a_preprocessor_of_a_transport_that_registers_nothing_applies_only_when_no_earlier_transport_can_take() {
    // Spec: DEC-21, ORD-6, ORD-11, INV-27
    let hook_only = Tp { registrations: Registrations::none(), ..fax() }.with_preprocessor(by_type(FAX));
    let prefix = cat([started(&[smtp(), hook_only]), vec![st(row_added(preprocessed_row(M1, &[FAX])), [c(lock(M1))])]]);
    let bad = st(r_lock(M1), [c(submit_preprocessed(M1))]);
    let good = vec![st(r_lock(M1), [c(preprocess(P0, M1))])];
    check(&Profile::new(2), &prefix, bad, &good, Property::PreprocessFirst, &["P0 applies to M1 and did not run"]);
    // For a recipient the earlier SMTP transport can take, the same preprocessor does not apply.
    let hook_only = Tp { registrations: Registrations::none(), ..fax() }.with_preprocessor(by_type(SMTP));
    let prefix = cat([started(&[smtp(), hook_only]), vec![st(row_added(preprocessed_row(M1, &[SMTP])), [c(lock(M1))])]]);
    let bad = st(r_lock(M1), [c(preprocess(P0, M1))]);
    let good = vec![st(r_lock(M1), [c(submit_preprocessed(M1))])];
    check(&Profile::new(2), &prefix, bad, &good, Property::PreprocessFirst, &["P0 does not apply to M1"]);
}

/// INV-22 judged by the monitor's own oracle (ORD-3, ORD-4): a transport registered for the
/// recipient's entry-identifier UID gets the first chance, even after a transport earlier in the
/// order that registered its address type. A spooler whose scan takes the address types first
/// (a realistic routing mistake) is caught.
#[test]
fn inv22_scan_order_fires_on_an_address_type_match_before_a_uid_match() {
    // Spec: INV-22, ORD-4, ORD-3
    let uid = mapi_spooler::MapiUid(7);
    let by_uid =
        Tp { registrations: Registrations { address_types: mapi_spooler::AddressTypes::Listed(Vec::new()), uids: vec![uid] }, ..smtp() };
    let mut m = row(M1, &[SMTP]);
    m.recipients[0].uid = Some(uid);
    let prefix = cat([started(&[smtp(), by_uid]), vec![st(row_added(m), [c(lock(M1))])]]);
    let bad = st(r_lock(M1), [c(submit(T0, M1, &[0]))]);
    let good = cat([vec![st(r_lock(M1), [c(submit(T1, M1, &[0]))])], completes(T1, M1, &[0], 1)]);
    check(&Profile::new(2), &prefix, bad, &good, Property::ScanOrder, &["T0.SubmitMessage", "first choice is Some(TransportId(1))"]);
}

/// INV-28 with a rerouted message: M1's recipient, declined by T0, now waits for T1; M2, queued
/// after it, may not reach T1 first.
#[test]
fn inv28_transport_fifo_fires_when_a_later_message_overtakes_a_rerouted_one() {
    // Spec: INV-28, ORD-4
    let tps = [smtp(), Tp::serving(&[SMTP, FAX])];
    let queued = cat([
        started(&tps),
        vec![st(row_added(row(M1, &[SMTP])), [c(lock(M1))]), st(row_added(row(M2, &[FAX])), []), st(r_lock(M1), [c(submit(T0, M1, &[0]))])],
    ]);
    let declined = r_submit_failed(T0, M1, Hresult::MAPI_E_NOT_ME, 0, &[]);
    let broken = cat([queued.clone(), vec![st(declined.clone(), [c(lock(M2))]), st(r_lock(M2), [c(submit(T1, M2, &[0]))])]]);
    assert_last_step_breaks(&Profile::new(2), &broken, Property::TransportFifo, &["T1.SubmitMessage", "M2", "M1, queued before it"]);
    let correct = cat([
        queued,
        vec![st(declined, [c(submit(T1, M1, &[0]))])],
        completes(T1, M1, &[0], 1)[..2].to_vec(),
        vec![st(r_finished(M1), [c(lock(M2))]), st(r_lock(M2), [c(submit(T1, M2, &[0]))])],
        completes(T1, M2, &[0], 2),
    ]);
    assert_quiet(&Profile::new(2), &correct);
}

/// INV-29 exactly as DEC-17 allows: `NOTIFY_READYTOSEND` ends a transport's retry delays only
/// while its outbound traffic is enabled. Sent while outbound is disabled it is ignored
/// (LIFE-12), so when outbound comes back the delay still runs.
#[test]
fn inv29_retry_delay_stands_after_a_readytosend_while_outbound_is_disabled() {
    // Spec: INV-29, DEC-17, LIFE-12, ERR-19
    let out = Directions { inbound: false, outbound: true };
    let prefix = cat([
        one_message_to_t0(),
        vec![
            st(r_submit_failed(T0, M1, Hresult::MAPI_E_WAIT, 600, &[]), []),
            st(disable(T0, out), [c(notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND))]),
            st(update_row(T0, StatusCode::STATUS_AVAILABLE | StatusCode::STATUS_INBOUND_ENABLED), []),
            st(r_notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND), []),
            st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_READYTOSEND, None), []),
            st(enable(T0, out), [c(notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND))]),
            st(update_row(T0, row_enabled()), []),
        ],
    ]);
    let back = r_notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND);
    let bad = st(back.clone(), [c(submit(T0, M1, &[0]))]);
    let good = cat([vec![st(back, []), st(time(600), [c(submit(T0, M1, &[0]))])], completes(T0, M1, &[0], 1)]);
    check(&Profile::new(1), &prefix, bad, &good, Property::RetryDelay, &["T0.SubmitMessage", "retry delay ends at t=600s"]);
}

/// INV-19 (SUB-34, RCV-8): while the transfer of M1 on T0 is live (its S_OK `SubmitMessage`
/// returned, its `EndMessage` has not), T0 is handed no new message, outbound or inbound, since
/// the transport may give it the same reference; the reference calls `EndMessage` first, and
/// once that returned the reference is free again.
#[test]
fn inv19_ref_reuse_fires_on_a_new_message_handed_over_before_end_message_returned() {
    // Spec: INV-19, SUB-34, RCV-8
    let bad = st(r_submit_ok(T0, M1, 1, &[0]), [c(submit(T0, M1, &[0]))]);
    let good = completes(T0, M1, &[0], 1);
    check(&Profile::new(1), &one_message_to_t0(), bad, &good, Property::RefReuse, &["T0.SubmitMessage", "transfer of M1 on T0 is live"]);
    let inbound = st(r_submit_ok(T0, M1, 1, &[0]), [c(start_message(T0, MessageId(7)))]);
    let steps = cat([one_message_to_t0(), vec![inbound]]);
    assert_last_step_breaks(&Profile::new(1), &steps, Property::RefReuse, &["T0.StartMessage", "transfer of M1 on T0 is live"]);
}
