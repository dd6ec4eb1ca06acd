//! Every property can fire, continued: the properties of the outbound messages (INV-14 to INV-30,
//! AMB-20).

use super::*;

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
/// transport (trace `submission__abort__abort_wins_the_race_with_set_lock_state`).
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
pub(crate) fn one_message_to_t0() -> Vec<Step> {
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
/// call, not even `Idle` (a new message handed over there is INV-19's, tests/monitor/firing_whole.rs).
#[test]
fn inv18_one_message_per_transport_fires_on_a_call_before_end_message() {
    // Spec: INV-18
    let bad = st(r_submit_ok(T0, M1, 1, &[0]), [c(idle(T0))]);
    check(
        &Profile::new(1),
        &one_message_to_t0(),
        bad,
        &completes(T0, M1, &[0], 1),
        Property::OneMessagePerTransport,
        &["T0.Idle", "before EndMessage", "M1"],
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
pub(crate) fn two_smtp_transports() -> Vec<Step> {
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
/// and handed to T0 (trace `submission__steps__four_steps_preprocessed_message_stays_in_outbox`, one
/// transport).
pub(crate) fn preprocessed_message_sent() -> Vec<Step> {
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
/// `lifecycle__shutdown__shutdown_while_a_message_is_half_sent_hands_it_back`); `FinishedMsg` on the
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

/// INV-29 for the other result that carries a delay: after `MAPI_E_NETWORK_ERROR` with 30
/// seconds, as after `MAPI_E_WAIT`, the message goes to the transport again after 30 seconds,
/// not 29 (ERR-5).
#[test]
fn inv29_retry_delay_fires_on_submit_before_the_network_error_delay_ended() {
    // Spec: INV-29, ERR-5
    let prefix = cat([one_message_to_t0(), vec![st(r_submit_failed(T0, M1, Hresult::MAPI_E_NETWORK_ERROR, 30, &[]), [])]]);
    let bad = st(time(29), [c(submit(T0, M1, &[0]))]);
    let good = cat([vec![st(time(29), []), st(time(1), [c(submit(T0, M1, &[0]))])], completes(T0, M1, &[0], 1)]);
    check(&Profile::new(1), &prefix, bad, &good, Property::RetryDelay, &["T0.SubmitMessage", "t=29s", "retry delay ends at t=30s"]);
}

/// INV-29 with ERR-19: `NOTIFY_READYTOSEND` ends the delay early, so the immediate retry the
/// reference makes then is correct (trace
/// `lifecycle__traffic__readytosend_after_wait_offers_the_message_again_at_once`); a retry one second
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
pub(crate) fn deferred_by_t0() -> Vec<Step> {
    cat([one_message_to_t0(), vec![st(r_submit_ok(T0, M1, 1, &[0]), [c(end(T0, 1))]), st(r_end(T0, 1, EndFlags::END_DONT_RESEND), [])]])
}

/// What the reference does after `NOTIFY_SENTDEFERRED` in that trace: `BEGIN_DEFERRED`, which
/// the transport cancels; the recipient stays taken and the message is finished.
pub(crate) fn resubmitted_and_cancelled() -> Vec<Step> {
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
/// `submission__abort__abort_before_lock_succeeds_after_lock_fails`).
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
