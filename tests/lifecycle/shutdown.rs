//! Logoff and shutdown.

use super::*;

// ---------------------------------------------------------------------------------------------
// Logoff and shutdown.
// ---------------------------------------------------------------------------------------------

/// Shutdown arrives while SubmitMessage is in flight: that call completes and, as it returned
/// S_OK, EndMessage follows; no new SubmitMessage is made; the message is handed back with
/// SetLockState(MSG_UNLOCKED) and stays queued with the recipient already taken saved; then
/// every transport is disabled, logged off and shut down.
#[test]
fn shutdown_while_a_message_is_half_sent_hands_it_back() {
    // Spec: LIFE-12, LIFE-14, LIFE-15, LIFE-16, INV-2, INV-3, INV-17, AMB-20, AMB-24, DEC-8
    let mut sim = started(vec![smtp(), fax()]);
    let m = sim.submit(S0, draft(&[SMTP, FAX])).expect("queued");
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    assert!(matches!(sim.spooler().call_in_flight(), Some(Call::SubmitMessage { transport: T0, .. })));
    let calls_before = sim.calls().count();
    assert!(sim.feed(Input::Session(SessionRequest::Shutdown)));
    // AMB-20: the call in flight is not interrupted; no other call is made meanwhile.
    assert_eq!(sim.calls().count(), calls_before);
    assert!(matches!(sim.spooler().call_in_flight(), Some(Call::SubmitMessage { transport: T0, .. })));
    assert_eq!(sim.spooler().phase(), Phase::Stopping);
    let mut twice = sim.spooler().clone();
    assert_eq!(twice.step(Input::Session(SessionRequest::Shutdown)), Err(Error::Caller(CallerError::ShuttingDown { got: "Shutdown" })));
    sim.run();
    assert_clean(&sim);
    let after: Vec<Call> = sim.calls().skip(calls_before).cloned().collect();
    let end = after.iter().position(|c| matches!(c, Call::EndMessage { transport: T0, .. })).expect("EndMessage after S_OK");
    let unlock = after
        .iter()
        .position(|c| *c == Call::SetLockState { store: S0, message: m, state: mapi_spooler::LockState::Unlocked })
        .expect("the message is handed back");
    let logoff = after.iter().position(|c| *c == Call::TransportLogoff { transport: T0 }).expect("T0 logged off");
    // AMB-24: the logoff is orderly: the exchange in progress finished before it.
    assert!(end < unlock && unlock < logoff, "{}", sim.trace());
    assert!(!after.iter().any(|c| matches!(c, Call::SubmitMessage { .. } | Call::FinishedMsg { .. })), "{}", sim.trace());
    assert!(!methods_to(&sim, T1).contains(&"SubmitMessage"));
    // INV-17: one EndMessage for the one S_OK.
    assert_eq!(sim.calls().filter(|c| matches!(c, Call::EndMessage { .. })).count(), 1);
    // The message stays queued, unlocked, with T0's recipient saved for the next session.
    assert_eq!(outcome(&sim, m), Outcome::Queued);
    assert!(sim.store(S0).is_queued(m));
    assert!(!stored(&sim, m).submit_flags.contains(mapi_spooler::QueueFlags::SUBMITFLAG_LOCKED));
    assert_eq!(dispositions(&sim, m), [taken_by(T0), None]);
    assert!(stored(&sim, m).recipients[0].row.responsibility && !stored(&sim, m).recipients[1].row.responsibility);
    for t in [T0, T1] {
        let last_notify = calls_to(&sim, t).into_iter().rfind(|c| matches!(c, Call::TransportNotify { .. }));
        assert_eq!(
            last_notify,
            Some(Call::TransportNotify {
                transport: t,
                flags: NotifyFlags::NOTIFY_END_INBOUND | NotifyFlags::NOTIFY_END_OUTBOUND,
                message: None
            })
        );
        assert_eq!(sim.spooler().transport_view(t), Some(TransportView::Gone(Ending::SessionEnded)));
        assert_release_path(&sim, t, true, true);
    }
    assert_stopped_for_good(&sim);
    insta::assert_snapshot!(sim.trace());
}

/// Shutdown while a transport holds a recipient deferred (END_DONT_RESEND, NOTIFY_SENTDEFERRED
/// not yet sent): the spooler sends TransportNotify(NOTIFY_ABORT_DEFERRED) naming the message,
/// alone, then unlocks the message, which stays queued for the next session.
#[test]
fn shutdown_while_a_transport_holds_a_message_deferred_aborts_the_deferral() {
    // Spec: DEF-5, AMB-17, AMB-34, LIFE-12, LIFE-14, LIFE-16, INV-2, INV-3, DEC-8
    let deferring = smtp().ends([EndAnswer::DeferFor(600)]);
    let mut sim = started(vec![deferring, fax()]);
    let m = sim.submit(S0, draft(&[SMTP, FAX])).expect("queued");
    // Stop when the message goes to T1: T0 answered END_DONT_RESEND and holds recipient 0.
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { transport: T1, .. })));
    assert_eq!(sim.spooler().now(), Time(0));
    assert_eq!(sim.spooler().message_view(m).map(|v| v.recipients[0]), Some(mapi_spooler::RecipientView::Deferred(T0)), "{}", sim.trace());
    assert!(sim.feed(Input::Session(SessionRequest::Shutdown)));
    sim.run();
    assert_clean(&sim);
    let abort = Call::TransportNotify { transport: T0, flags: NotifyFlags::NOTIFY_ABORT_DEFERRED, message: Some(m) };
    let unlock = Call::SetLockState { store: S0, message: m, state: mapi_spooler::LockState::Unlocked };
    let abort_at = call_index(&sim, |c| *c == abort).expect("NOTIFY_ABORT_DEFERRED");
    let unlock_at = call_index(&sim, |c| *c == unlock).expect("unlock");
    let logoff_at = call_index(&sim, |c| *c == Call::TransportLogoff { transport: T0 }).expect("logoff");
    assert!(abort_at < unlock_at && unlock_at < logoff_at, "{}", sim.trace());
    assert_eq!(sim.calls().filter(|c| **c == abort).count(), 1);
    // T0 never resent it.
    assert_eq!(sim.calls().filter(|c| matches!(c, Call::SubmitMessage { transport: T0, .. })).count(), 1);
    assert_eq!(outcome(&sim, m), Outcome::Queued);
    assert_eq!(dispositions(&sim, m), [None, taken_by(T1)]);
    assert!(!stored(&sim, m).submit_flags.contains(mapi_spooler::QueueFlags::SUBMITFLAG_LOCKED));
    for t in [T0, T1] {
        assert_release_path(&sim, t, true, true);
    }
    assert_stopped_for_good(&sim);
    insta::assert_snapshot!(sim.trace());
}

/// Shutdown during start-up, while the second transport's XPProviderInit is in flight: the call
/// completes; the first transport (logged on, never enabled) is logged off and shut down, the
/// second (loaded, no logon) is shut down, the third is never called; no store is opened.
#[test]
fn shutdown_during_startup_releases_only_loaded_providers() {
    // Spec: LIFE-14, LIFE-15, LIFE-16, INV-2, INV-3, AMB-20
    let mut sim = world(vec![smtp(), fax(), TransportScript::new("X400 transport", Registrations::address_types([X400]))]);
    assert!(sim.feed(Input::Session(SessionRequest::Start)));
    assert!(sim.run_until_call(|c| matches!(c, Call::XpProviderInit { transport: T1, .. })));
    assert!(sim.feed(Input::Session(SessionRequest::Shutdown)));
    assert!(matches!(sim.spooler().call_in_flight(), Some(Call::XpProviderInit { transport: T1, .. })));
    sim.run();
    assert_clean(&sim);
    assert_eq!(methods_to(&sim, T0), ["XPProviderInit", "TransportLogon", "AddressTypes", "TransportLogoff", "Shutdown"]);
    assert_eq!(methods_to(&sim, T1), ["XPProviderInit", "Shutdown"]);
    assert_eq!(methods_to(&sim, T2), [] as [&str; 0]);
    assert!(!sim.calls().any(|c| matches!(c, Call::SpoolerLogon { .. } | Call::GetOutgoingQueue { .. })), "{}", sim.trace());
    assert_release_path(&sim, T0, true, true);
    assert_release_path(&sim, T1, false, true);
    assert_release_path(&sim, T2, false, false);
    for t in [T0, T1, T2] {
        assert_eq!(sim.spooler().transport_view(t), Some(TransportView::Gone(Ending::SessionEnded)));
    }
    assert_stopped_for_good(&sim);
    insta::assert_snapshot!(sim.trace());
}

/// Whatever TransportLogoff returns, the logon is over: a failing TransportLogoff is accepted,
/// the logon object is released, Shutdown follows and TransportLogoff is not repeated.
#[test]
fn failing_transport_logoff_still_ends_the_logon() {
    // Spec: ERR-10, LIFE-14, LIFE-16, DEC-1, INV-2, INV-3
    let mut sim = started(vec![smtp()]);
    assert!(sim.feed(Input::Session(SessionRequest::Shutdown)));
    assert!(sim.run_until_call(|c| *c == Call::TransportLogoff { transport: T0 }));
    let before = sim.effects().len();
    assert!(sim.feed(Input::Return(Return::TransportLogoff { transport: T0, result: Hresult::MAPI_E_CALL_FAILED })));
    assert_eq!(
        sim.effects()[before..],
        [Effect::Release(Released::Logon(T0)), Effect::Call(Call::Shutdown { transport: T0 })],
        "{}",
        sim.trace()
    );
    assert_eq!(sim.spooler().transport_view(T0), Some(TransportView::ShutdownDue(Ending::SessionEnded)));
    sim.run();
    assert_clean(&sim);
    assert_release_path(&sim, T0, true, true);
    assert_stopped_for_good(&sim);
}
