//! Recipients already taken, and the order of the queue.

use super::*;

// ---------------------------------------------------------------------------------------------
// Recipients already taken
// ---------------------------------------------------------------------------------------------

/// Recipients whose PR_RESPONSIBILITY is already TRUE are never offered, need no transport and
/// get no NDR; a message with only such recipients is locked and finished without any transport.
#[test]
fn recipients_already_taken_are_never_offered() {
    // Spec: SUB-21, SUB-22, INV-20, INV-23, SUB-26
    let taken = |addr_type| RecipientRow { addr_type, uid: None, responsibility: true };
    let mut sim = started(vec![smtp(), fax()]);
    let mixed = Draft::to(vec![taken(SMTP), RecipientRow::new(SMTP), taken(X400), RecipientRow::new(FAX)]);
    let m = sim.submit(S0, mixed).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    let view = sim.spooler().message_view(m).unwrap();
    assert_eq!(view.recipients[0], RecipientView::AlreadyTaken);
    assert_eq!(view.recipients[2], RecipientView::AlreadyTaken);
    sim.run();
    assert_clean(&sim);
    assert_eq!(
        submissions(&sim),
        vec![(T0, m, SubmitFlags::EMPTY, rows(&[1])), (T1, m, SubmitFlags::EMPTY, rows(&[3]))],
        "{}",
        sim.trace()
    );
    assert_eq!(reports(&sim), vec![], "the X400 recipient is already taken: no NDR");
    assert_eq!(
        dispositions(&sim, m),
        vec![None, Some(RecipientOutcome::Transport(T0)), None, Some(RecipientOutcome::Transport(T1))],
        "the spooler saves nothing for recipients it did not route"
    );
    assert!(stored(&sim, m).recipients.iter().all(|r| r.row.responsibility));
    insta::assert_snapshot!(sim.trace());

    // Only taken recipients, and no transport for their types: nothing to send, nothing to NDR.
    let mut sim = started(vec![fax()]);
    let m = send(&mut sim, Draft::to(vec![taken(SMTP), taken(X400)]));
    assert_clean(&sim);
    assert_eq!(methods_from_lock(&sim, m), ["SetLockState", "FinishedMsg"], "{}", sim.trace());
    assert_eq!(reports(&sim), vec![]);
    assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
}

// ---------------------------------------------------------------------------------------------
// Ordering
// ---------------------------------------------------------------------------------------------

/// Messages submitted while the spooler is busy are locked oldest first, one at a time, and each
/// is finished before the next is locked.
#[test]
fn messages_are_locked_oldest_first() {
    // Spec: SUB-4, SUB-16, SUB-19, INV-28
    let mut sim = started(vec![smtp()]);
    let m1 = sim.submit(S0, draft(&[SMTP])).unwrap();
    // The spooler is busy locking M1 while M2 and M3 are queued.
    assert_eq!(sim.spooler().call_in_flight(), Some(&Call::SetLockState { store: S0, message: m1, state: LockState::Locked }));
    let m2 = sim.submit(S0, draft(&[SMTP])).unwrap();
    let m3 = sim.submit(S0, draft(&[SMTP])).unwrap();
    // The store keeps its queue in submission order.
    let positions_in_queue: Vec<Option<usize>> = [m1, m2, m3].iter().map(|m| sim.store(S0).queue_position(*m)).collect();
    assert_eq!(positions_in_queue, [Some(0), Some(1), Some(2)]);
    let stored: Vec<MessageId> = sim.store(S0).messages().map(|(id, _)| id).collect();
    assert_eq!(stored, [m1, m2, m3]);
    sim.run();
    assert_clean(&sim);
    assert_eq!(sim.store(S0).queue_position(m1), None, "finished messages leave the queue");
    assert_eq!(locks(&sim), vec![m1, m2, m3], "{}", sim.trace());
    assert_eq!(first_submits_to(&sim, T0), vec![m1, m2, m3]);
    // One at a time: each FinishedMsg comes before the next lock.
    let finished = positions(&sim, |c| matches!(c, Call::FinishedMsg { .. }));
    let locked = positions(&sim, |c| matches!(c, Call::SetLockState { .. }));
    assert!(finished[0] < locked[1] && finished[1] < locked[2], "{}", sim.trace());
}

/// The oldest message waits for a transport whose outbound traffic is disabled: a later message
/// that needs only another transport, which can send, is locked and sent meanwhile; a later
/// message that needs the same transport waits behind the oldest one, and so does one whose only
/// transport cannot send either. Each transport gets its messages in submission order.
#[test]
fn later_message_for_another_transport_overtakes_a_waiting_one() {
    // Spec: SUB-4, SUB-19, SUB-20, INV-8, INV-28, ORD-10, AMB-39, DEC-15
    let x400 = TransportScript::new("X400 transport", mapi_spooler::Registrations::address_types([X400]));
    let mut sim = started(vec![smtp(), fax(), x400]);
    sim.set_traffic(T0, Directions::OUTBOUND, false);
    sim.set_traffic(T2, Directions::OUTBOUND, false);
    let m1 = send(&mut sim, draft(&[SMTP]));
    let m2 = send(&mut sim, draft(&[X400]));
    let m3 = send(&mut sim, draft(&[FAX]));
    let m4 = send(&mut sim, draft(&[SMTP]));
    let m5 = send(&mut sim, draft(&[FAX, SMTP]));
    assert_clean(&sim);

    // M1 is locked and waits; M3 overtakes it; M2 (its transport cannot send either), M4 and M5
    // (they need T0 too) are not even locked.
    assert_eq!(locks(&sim), vec![m1, m3], "{}", sim.trace());
    assert_eq!(outcome(&sim, m1), Outcome::Queued);
    assert_eq!(outcome(&sim, m3), Outcome::Finished(Placement::Folder(OUTBOX)));
    assert!(sim.spooler().message_view(m1).unwrap().locked);
    for m in [m2, m4, m5] {
        assert!(!sim.spooler().message_view(m).unwrap().locked, "{m} is not locked");
        assert_eq!(outcome(&sim, m), Outcome::Queued);
    }
    assert_eq!(sim.spooler().message_view(m1).unwrap().recipients, vec![RecipientView::Open { declined: Default::default() }]);
    assert_eq!(reports(&sim), vec![], "waiting is not a failure (ORD-10)");
    assert!(submissions(&sim).iter().all(|(t, ..)| *t == T1), "nothing goes to a disabled transport (INV-8)");

    // T0 is back: M1 goes, then M2 is the oldest and is locked (it waits for T2), and M4 and M5,
    // which need none of T2, overtake it.
    sim.set_traffic(T0, Directions::OUTBOUND, true);
    assert_clean(&sim);
    assert_eq!(locks(&sim), vec![m1, m3, m2, m4, m5], "{}", sim.trace());
    for m in [m1, m3, m4, m5] {
        assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
    }
    assert_eq!(outcome(&sim, m2), Outcome::Queued);

    sim.set_traffic(T2, Directions::OUTBOUND, true);
    assert_clean(&sim);
    assert_eq!(outcome(&sim, m2), Outcome::Finished(Placement::Folder(OUTBOX)));
    assert_eq!(first_submits_to(&sim, T0), vec![m1, m4, m5], "T0 gets its messages in submission order");
    assert_eq!(first_submits_to(&sim, T1), vec![m3, m5], "T1 gets its messages in submission order");
    assert_eq!(first_submits_to(&sim, T2), vec![m2]);
    insta::assert_snapshot!(sim.trace());
}

/// After a restart, a message locked ahead of an older one (they needed different transports)
/// is not offered to a transport the older one now needs: the older one is locked and goes
/// first. Here T0 cannot log on after the restart, so the fax recipients of M1 and M2 move to
/// T1, which M3, adopted locked, also needs.
#[test]
fn after_a_restart_a_locked_later_message_does_not_overtake_an_older_one() {
    // Spec: DEC-23, INV-28, SUB-19, ORD-4, LIFE-19
    let fax = TransportScript::new("fax transport", mapi_spooler::Registrations::address_types([FAX]))
        .logons([Ok(Default::default()), Err(Hresult::MAPI_E_LOGON_FAILED)])
        .submits([SubmitAnswer::Fail(Hresult::MAPI_E_WAIT, 30)]);
    let both = TransportScript::new("SMTP and fax transport", mapi_spooler::Registrations::address_types([SMTP, FAX]));
    let mut sim = world(vec![fax, both]);
    let m1 = sim.submit(S0, draft(&[FAX])).unwrap();
    let m2 = sim.submit(S0, draft(&[FAX])).unwrap();
    let m3 = sim.submit(S0, draft(&[SMTP])).unwrap();
    sim.feed(mapi_spooler::Input::Session(mapi_spooler::SessionRequest::Start));
    // M1 waits for T0; M2 needs T0 too and is not locked; M3 needs only T1 and overtakes it.
    // The process dies while T1 has M3.
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { transport: T1, .. })), "{}", sim.trace());
    assert_eq!(locks(&sim), vec![m1, m3], "{}", sim.trace());
    sim.crash();
    let before = submissions(&sim).len();
    sim.start();
    assert_clean(&sim);
    assert!(
        !matches!(sim.spooler().transport_view(T0), Some(mapi_spooler::TransportView::LoggedOn { .. })),
        "T0 did not log on again:\n{}",
        sim.trace()
    );
    let to_t1: Vec<MessageId> = submissions(&sim)[before..].iter().filter(|(t, ..)| *t == T1).map(|(_, m, ..)| *m).collect();
    assert_eq!(to_t1, vec![m1, m2, m3], "T1 gets them in submission order:\n{}", sim.trace());
    for m in [m1, m2, m3] {
        assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
    }
    insta::assert_snapshot!(sim.trace());
}

/// Messages queued before the spooler started are read with GetOutgoingQueue and handled in
/// submission order.
#[test]
fn queue_read_at_start_is_handled_in_submission_order() {
    // Spec: SUB-16, SUB-19, SUB-4, INV-28, LIFE-19
    let mut sim = world(vec![smtp(), fax()]);
    let m1 = sim.submit(S0, draft(&[FAX])).unwrap();
    let m2 = sim.submit(S0, draft(&[SMTP])).unwrap();
    let m3 = sim.submit(S0, draft(&[SMTP, FAX])).unwrap();
    assert_eq!(sim.calls().count(), 0, "nothing happens before the session starts");
    sim.start();
    assert_clean(&sim);
    let logon = position(&sim, "SpoolerLogon", |c| matches!(c, Call::SpoolerLogon { .. }));
    let read = position(&sim, "GetOutgoingQueue", |c| matches!(c, Call::GetOutgoingQueue { .. }));
    assert!(logon < read, "the spooler logs on to the store, then reads its queue");
    let first_lock = positions(&sim, |c| matches!(c, Call::SetLockState { .. }))[0];
    assert!(read < first_lock);
    assert_eq!(locks(&sim), vec![m1, m2, m3], "{}", sim.trace());
    assert_eq!(first_submits_to(&sim, T0), vec![m2, m3]);
    assert_eq!(first_submits_to(&sim, T1), vec![m1, m3]);
    for m in [m1, m2, m3] {
        assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
    }
    insta::assert_snapshot!(sim.trace());
}
