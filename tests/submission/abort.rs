//! AbortSubmit, and the store's side of submission.

use super::*;

// ---------------------------------------------------------------------------------------------
// AbortSubmit
// ---------------------------------------------------------------------------------------------

/// Asserts that an aborted message is an unsent draft again and was never given to a transport.
fn assert_aborted(sim: &Sim, m: MessageId) {
    let msg = stored(sim, m);
    assert_eq!(msg.outcome, Outcome::Aborted);
    assert!(msg.unsent && !msg.submitted, "an aborted message is unsent and editable again (AMB-35)");
    assert_eq!(msg.placement, Placement::Folder(OUTBOX));
    assert!(!sim.store(S0).is_queued(m));
    assert_eq!(sim.spooler().message_view(m), None, "the spooler forgets it");
    assert!(submissions(sim).iter().all(|(_, message, ..)| *message != m), "never handed to a transport:\n{}", sim.trace());
    assert_eq!(positions(sim, |c| *c == Call::FinishedMsg { store: S0, message: m }), Vec::<usize>::new());
}

/// AbortSubmit on a message the spooler has not locked yet (it is queued behind another
/// message, while the spooler is busy with that one) succeeds; after the lock it fails with
/// MAPI_E_UNABLE_TO_ABORT; once finished, with MAPI_E_NOT_IN_QUEUE.
#[test]
fn abort_before_lock_succeeds_after_lock_fails() {
    // Spec: DEF-6, SUB-8, SUB-15, SUB-20, INV-15, INV-16, INV-31, AMB-35
    let mut sim = started(vec![smtp()]);
    let m1 = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    // The spooler is busy with M1, which it holds locked.
    let m2 = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.spooler().message_view(m2).is_some_and(|v| !v.locked));
    // Submitted and unsent; a queued message opens read-only, a locked one does not open at all.
    assert!(stored(&sim, m2).submitted && stored(&sim, m2).unsent, "MSGFLAG_SUBMIT and MSGFLAG_UNSENT (SUB-8)");
    let store = sim.store(S0);
    assert_eq!(store.client_open(m2, true), Hresult::MAPI_E_SUBMITTED);
    assert_eq!(store.client_open(m2, false), Hresult::S_OK);
    assert_eq!(store.client_open(m1, false), Hresult::MAPI_E_NO_ACCESS);
    assert_eq!(sim.abort(S0, m1), Hresult::MAPI_E_UNABLE_TO_ABORT, "M1 is locked");
    assert_eq!(sim.abort(S0, m2), Hresult::S_OK, "M2 is queued but not locked");
    assert_eq!(sim.store(S0).client_open(m2, true), Hresult::S_OK, "an aborted message is editable again");
    sim.run();
    assert_clean(&sim);
    assert_aborted(&sim, m2);
    assert_eq!(locks(&sim), vec![m1], "the spooler never locks the aborted message");
    assert_eq!(outcome(&sim, m1), Outcome::Finished(Placement::Folder(OUTBOX)));
    assert_eq!(sim.abort(S0, m1), Hresult::MAPI_E_NOT_IN_QUEUE, "M1 was sent");
    assert_eq!(sim.abort(S0, m2), Hresult::MAPI_E_NOT_IN_QUEUE, "M2 is no longer queued");
    assert_clean(&sim);
    insta::assert_snapshot!(sim.trace());
}

/// AbortSubmit on a message that waits, unlocked, behind an older message whose transport is
/// disabled: S_OK, and the message never reaches a transport even once the transport is back.
#[test]
fn abort_while_waiting_for_a_disabled_transport() {
    // Spec: DEF-6, INV-15, SUB-19, AMB-35
    let mut sim = started(vec![smtp()]);
    sim.set_traffic(T0, Directions::OUTBOUND, false);
    let m1 = send(&mut sim, draft(&[SMTP]));
    let m2 = send(&mut sim, draft(&[SMTP]));
    assert!(sim.spooler().message_view(m1).unwrap().locked);
    assert!(!sim.spooler().message_view(m2).unwrap().locked);
    assert_eq!(sim.abort(S0, m1), Hresult::MAPI_E_UNABLE_TO_ABORT, "the oldest message is locked, waiting");
    assert_eq!(sim.abort(S0, m2), Hresult::S_OK);
    sim.run();
    sim.set_traffic(T0, Directions::OUTBOUND, true);
    assert_clean(&sim);
    assert_aborted(&sim, m2);
    assert_eq!(outcome(&sim, m1), Outcome::Finished(Placement::Folder(OUTBOX)));
    assert_eq!(submissions(&sim), vec![(T0, m1, SubmitFlags::EMPTY, rows(&[0]))], "{}", sim.trace());
}

/// The race: the spooler has called SetLockState(MSG_LOCKED) but it has not returned when the
/// client's AbortSubmit reaches the store. The abort wins, so the lock fails, and the spooler
/// forgets the message without sending it.
#[test]
fn abort_wins_the_race_with_set_lock_state() {
    // Spec: DEF-6, SUB-20, INV-14, INV-15, INV-31, AMB-35, DEC-7
    let mut sim = started(vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SetLockState { .. })));
    assert_eq!(sim.abort(S0, m), Hresult::S_OK);
    sim.run();
    assert_clean(&sim);
    assert_aborted(&sim, m);
    assert_eq!(locks(&sim), vec![m], "the lock was asked for");
    assert!(sim.spooler().call_in_flight().is_none());
    assert_eq!(methods_from_lock(&sim, m), ["SetLockState"], "and nothing followed:\n{}", sim.trace());
    // The spooler still works: the next message is sent.
    let next = send(&mut sim, draft(&[SMTP]));
    assert_clean(&sim);
    assert_eq!(outcome(&sim, next), Outcome::Finished(Placement::Folder(OUTBOX)));
    insta::assert_snapshot!(sim.trace());
}

/// The same race, when the store's table notification reaches the spooler only after the failed
/// SetLockState returned: the failed lock alone makes the spooler forget the message, so it never
/// asks for the lock again, and the late notification is ignored.
#[test]
fn failed_lock_forgets_the_message_before_the_queue_notification() {
    // Spec: SUB-20, DEF-6, INV-15, DEC-7, DEC-13
    let mut sim = started(vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SetLockState { .. })));
    // The simulator delivers the notification inside AbortSubmit, so the store's answer to the
    // lock is fed by hand first, and the client's abort comes after it.
    let failed = Return::SetLockState { store: S0, message: m, state: LockState::Locked, result: Hresult::MAPI_E_NOT_IN_QUEUE };
    assert!(sim.feed(mapi_spooler::Input::Return(failed)));
    assert_eq!(sim.spooler().message_view(m), None, "a failed lock means the message left the queue");
    sim.run();
    assert_eq!(sim.abort(S0, m), Hresult::S_OK);
    sim.run();
    assert_clean(&sim);
    assert_aborted(&sim, m);
    assert_eq!(locks(&sim), vec![m], "the lock is not asked for again:\n{}", sim.trace());
}

// ---------------------------------------------------------------------------------------------
// The store's side of submission
// ---------------------------------------------------------------------------------------------

/// The store refuses a message without recipients with MAPI_E_NO_RECIPIENTS and queues nothing;
/// a store that queued one anyway would be refused by the spooler.
#[test]
fn store_refuses_a_message_without_recipients() {
    // Spec: SUB-1
    let mut sim = started(vec![smtp()]);
    let before = sim.calls().count();
    assert_eq!(sim.submit(S0, Draft::to(vec![])), Err(Hresult::MAPI_E_NO_RECIPIENTS));
    sim.run();
    assert_clean(&sim);
    assert_eq!(sim.calls().count(), before, "the spooler hears of nothing");
    assert_eq!(sim.submitted(), &[]);
    assert_eq!(sim.store(S0).outgoing_queue(), vec![]);
    assert_eq!(sim.spooler().message_ids().count(), 0);

    // A store that breaks the rule is refused, and the spooler stays as it was.
    let row = QueueRow {
        store: S0,
        message: MessageId(99),
        flags: QueueFlags::EMPTY,
        preprocess: false,
        reports: ReportRequests::default(),
        recipients: vec![],
    };
    assert!(!sim.feed(mapi_spooler::Input::Queue(QueueEvent::RowAdded(row))));
    assert_eq!(sim.refused(), &[Error::Store { store: S0, fault: StoreFault::NoRecipients(MessageId(99)) }]);
    assert_eq!(sim.refused()[0].hresult(), Hresult::MAPI_E_NO_RECIPIENTS);
    assert_eq!(sim.spooler().message_ids().count(), 0);
    assert_eq!(sim.calls().count(), before);
}

/// A message may go to three transports; the spooler keeps one message per transport at a time
/// and finishes the message only when the last transport's EndMessage returned.
#[test]
fn message_to_three_transports_finishes_after_the_last_end_message() {
    // Spec: SUB-21, SUB-22, SUB-24, INV-17, INV-18, INV-25, DEC-22
    let x400 = TransportScript::new("X400 transport", mapi_spooler::Registrations::address_types([X400]));
    let mut sim = started(vec![smtp(), fax(), x400]);
    let m = send(&mut sim, draft(&[X400, SMTP, FAX, SMTP]));
    assert_clean(&sim);
    assert_eq!(
        submissions(&sim),
        // DEC-22: in transport order, whatever the order of the recipient rows.
        vec![(T0, m, SubmitFlags::EMPTY, rows(&[1, 3])), (T1, m, SubmitFlags::EMPTY, rows(&[2])), (T2, m, SubmitFlags::EMPTY, rows(&[0])),],
        "{}",
        sim.trace()
    );
    let calls: Vec<&Call> = sim.calls().collect();
    for (i, call) in calls.iter().enumerate() {
        if let Call::SubmitMessage { transport, .. } = call {
            assert!(matches!(calls[i + 1], Call::EndMessage { transport: t, .. } if t == transport), "{}", sim.trace());
        }
    }
    assert_eq!(positions(&sim, |c| matches!(c, Call::EndMessage { .. })).len(), 3, "one EndMessage per S_OK SubmitMessage");
    assert_eq!(methods_from_lock(&sim, m).last(), Some(&"FinishedMsg"));
    assert_eq!(
        dispositions(&sim, m),
        vec![
            Some(RecipientOutcome::Transport(T2)),
            Some(RecipientOutcome::Transport(T0)),
            Some(RecipientOutcome::Transport(T1)),
            Some(RecipientOutcome::Transport(T0)),
        ]
    );
}
