//! Idle, enable and disable, configuration changes, recovery.

use super::*;

// ---------------------------------------------------------------------------------------------
// Idle, enable and disable, configuration changes, recovery.
// ---------------------------------------------------------------------------------------------

/// Idle goes only to a transport that asked for it with LOGON_SP_IDLE, and never while it holds
/// a critical section (NOTIFY_CRITSEC); once it releases it with NOTIFY_NONCRIT, idle time is
/// given to it again.
#[test]
fn idle_is_withheld_during_a_critical_section() {
    // Spec: LIFE-11, INV-10, INV-11, STAT-13, AMB-30
    let mut sim = started(vec![smtp().logons([Ok(LogonCaps::LOGON_SP_IDLE)]), fax()]);
    let idles = |sim: &Sim| sim.calls().filter(|c| matches!(c, Call::Idle { .. })).cloned().collect::<Vec<_>>();
    // AMB-30: Idle comes only with system idle time, never on a timer.
    assert!(sim.feed(Input::TimePassed { seconds: 3600 }));
    sim.run();
    assert_eq!(idles(&sim), [], "{}", sim.trace());
    assert!(sim.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_CRITSEC)));
    assert!(logged_on(&sim, T0).6, "T0 holds a critical section");
    sim.idle();
    sim.idle();
    assert_eq!(idles(&sim), [], "{}", sim.trace());
    assert!(sim.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_NONCRIT)));
    sim.run();
    assert!(!logged_on(&sim, T0).6);
    sim.idle();
    assert_clean(&sim);
    let after = idles(&sim);
    assert!(!after.is_empty(), "Idle must resume after NOTIFY_NONCRIT\n{}", sim.trace());
    // INV-10: only T0, which asked for it.
    assert!(after.iter().all(|c| *c == Call::Idle { transport: T0 }), "{}", sim.trace());
    // A second NOTIFY_NONCRIT has no critical section to close (STAT-13).
    let before = sim.spooler().clone();
    assert!(!sim.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_NONCRIT)));
    assert!(matches!(sim.refused(), [Error::Provider { transport: T0, fault: ProviderFault::CriticalSection { .. } }]));
    assert_eq!(*sim.spooler(), before);
    insta::assert_snapshot!(sim.trace());
}

/// Disabling a transport's outbound traffic sends TransportNotify(NOTIFY_END_OUTBOUND); a message
/// for it then waits (no NDR, no SubmitMessage) while other transports go on working, and
/// NOTIFY_READYTOSEND does not bring it back; enabling it again sends NOTIFY_BEGIN_OUTBOUND and
/// the message goes out.
#[test]
fn disabled_outbound_postpones_mail_until_enabled_again() {
    // Spec: LIFE-10, LIFE-12, INV-8, ORD-10, LIFE-13
    let mut sim = started(vec![smtp(), fax()]);
    sim.set_traffic(T0, Directions::OUTBOUND, false);
    assert_eq!(
        calls_to(&sim, T0).last(),
        Some(&Call::TransportNotify { transport: T0, flags: NotifyFlags::NOTIFY_END_OUTBOUND, message: None })
    );
    assert_eq!(enabled(&sim, T0), Directions::INBOUND);
    let waiting = send(&mut sim, draft(&[SMTP]));
    // ORD-10: the message waits for its transport; nothing is decided for the recipient.
    assert_eq!(outcome(&sim, waiting), Outcome::Queued);
    assert_eq!(dispositions(&sim, waiting), [None]);
    assert!(!sim.effects().iter().any(|e| matches!(e, Effect::Report { .. })), "no NDR\n{}", sim.trace());
    // LIFE-12: NOTIFY_READYTOSEND is ignored while outbound is disabled.
    assert!(sim.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_READYTOSEND)));
    sim.run();
    // Other transports keep working meanwhile.
    let other = send(&mut sim, draft(&[FAX]));
    assert_eq!(dispositions(&sim, other), [taken_by(T1)]);
    assert_eq!(outcome(&sim, other), FINISHED);
    assert!(!methods_to(&sim, T0).contains(&"SubmitMessage"), "{}", sim.trace());
    // Enabling again: BEGIN_OUTBOUND, then the message goes out.
    sim.set_traffic(T0, Directions::OUTBOUND, true);
    assert_clean(&sim);
    let t0 = calls_to(&sim, T0);
    let begin = t0
        .iter()
        .rposition(|c| *c == Call::TransportNotify { transport: T0, flags: NotifyFlags::NOTIFY_BEGIN_OUTBOUND, message: None })
        .expect("BEGIN_OUTBOUND");
    assert!(matches!(t0[begin + 1], Call::SubmitMessage { message, .. } if message == waiting), "{}", sim.trace());
    assert_eq!(enabled(&sim, T0), Directions::BOTH);
    assert_eq!(dispositions(&sim, waiting), [taken_by(T0)]);
    assert_eq!(outcome(&sim, waiting), FINISHED);
    assert_submits_only_while_outbound_enabled(&sim, T0);
    assert_submits_only_while_outbound_enabled(&sim, T1);
    insta::assert_snapshot!(sim.trace());
}

/// Enable and disable requests need a logged-on transport and at least one direction; others
/// are refused and change nothing.
#[test]
fn traffic_requests_need_a_logged_on_transport_and_a_direction() {
    // Spec: LIFE-10, LIFE-12
    let failing = fax().logons([Err(Hresult::MAPI_E_FAILONEPROVIDER)]);
    let sim = started(vec![smtp(), failing]);
    assert_clean(&sim);
    let cases = [
        (SessionRequest::Enable { transport: T0, directions: Directions::NONE }, Error::Caller(CallerError::NoDirection)),
        (SessionRequest::Disable { transport: T1, directions: Directions::BOTH }, Error::Caller(CallerError::NotLoggedOn(T1))),
        (SessionRequest::Disable { transport: T3, directions: Directions::BOTH }, Error::Caller(CallerError::UnknownTransport(T3))),
    ];
    for (request, error) in cases {
        let mut spooler = sim.spooler().clone();
        assert_eq!(spooler.step(Input::Session(request)), Err(error));
        assert_eq!(spooler, *sim.spooler());
    }
}

/// NOTIFY_CONFIG_CHANGE makes the spooler call AddressTypes again, and the new registrations
/// route the next message: X400 had no transport before, and goes to T1 after T1 registered it.
#[test]
fn config_change_requeries_address_types() {
    // Spec: ORD-9, LIFE-8
    let t1 = fax().submits([SubmitAnswer::Take(vec![0])]);
    let mut sim = started(vec![smtp(), t1]);
    let before = send(&mut sim, draft(&[X400]));
    assert_eq!(dispositions(&sim, before), [NDR]);
    assert!(sim.feed(notify(T1, SpoolerNotifyFlags::NOTIFY_CONFIG_CHANGE)));
    assert_eq!(sim.spooler().call_in_flight(), Some(&Call::AddressTypes { transport: T1 }));
    // The transport's new configuration (answered by hand: the scripted registrations are fixed).
    let new = Registrations::address_types([FAX, X400]);
    assert!(sim.feed(Input::Return(Return::AddressTypes { transport: T1, result: Ok(new.clone()) })));
    sim.run();
    assert_eq!(logged_on(&sim, T1).4, Some(new));
    let after = send(&mut sim, draft(&[X400]));
    assert_clean(&sim);
    assert_eq!(dispositions(&sim, after), [taken_by(T1)]);
    assert_eq!(outcome(&sim, after), FINISHED);
    assert_eq!(sim.calls().filter(|c| *c == &Call::AddressTypes { transport: T1 }).count(), 2);
    assert_eq!(sim.calls().filter(|c| *c == &Call::AddressTypes { transport: T0 }).count(), 1);
    insta::assert_snapshot!(sim.trace());
}

/// After MAPI_E_WAIT with a 600-second delay, NOTIFY_READYTOSEND from the recovered transport
/// makes the spooler offer the message again at once, before the delay ends.
#[test]
fn readytosend_after_wait_offers_the_message_again_at_once() {
    // Spec: LIFE-18, ERR-19, ERR-4, DEC-17
    let mut sim = started(vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP])).expect("queued");
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    let outcome_wait = SubmitOutcome::Failed { result: Hresult::MAPI_E_WAIT, return_parm: 600, saved: RecipientSet::new() };
    assert!(sim.feed(Input::Return(Return::SubmitMessage { transport: T0, message: m, outcome: outcome_wait })));
    // ERR-4: the message is kept for this transport, which is blocked for 600 s.
    assert_eq!(sim.spooler().call_in_flight(), None);
    assert_eq!(sim.spooler().next_deadline(), Some(Time(600)));
    assert!(sim.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_READYTOSEND)));
    assert_eq!(sim.spooler().now(), Time(0));
    assert!(
        matches!(sim.spooler().call_in_flight(), Some(Call::SubmitMessage { transport: T0, message, .. }) if *message == m),
        "{}",
        sim.trace()
    );
    sim.run();
    assert_clean(&sim);
    assert_eq!(sim.spooler().now(), Time(0), "no time passed");
    assert_eq!(dispositions(&sim, m), [taken_by(T0)]);
    assert_eq!(outcome(&sim, m), FINISHED);
    insta::assert_snapshot!(sim.trace());
}

/// NOTIFY_READYTOSEND is ignored while the transport's outbound traffic is disabled: the retry
/// delay of a message it answered MAPI_E_WAIT for still holds after outbound is enabled again,
/// and the message is offered again only when the delay ends.
#[test]
fn readytosend_is_ignored_while_outbound_is_disabled() {
    // Spec: LIFE-12, DEC-17, ERR-4, INV-29
    let mut sim = started(vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP])).expect("queued");
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    let wait = SubmitOutcome::Failed { result: Hresult::MAPI_E_WAIT, return_parm: 600, saved: RecipientSet::new() };
    assert!(sim.feed(Input::Return(Return::SubmitMessage { transport: T0, message: m, outcome: wait })));
    // Disable outbound; the transport's answers are given by hand so that no time passes.
    assert!(sim.feed(Input::Session(SessionRequest::Disable { transport: T0, directions: Directions::OUTBOUND })));
    let end = NotifyFlags::NOTIFY_END_OUTBOUND;
    assert_eq!(sim.spooler().call_in_flight(), Some(&Call::TransportNotify { transport: T0, flags: end, message: None }));
    // STAT-5, INV-12: the row follows before each return.
    let row = |status| Input::Support(SupportCall::ModifyStatusRow { transport: T0, flags: StatusRowFlags::STATUSROW_UPDATE, status });
    assert!(sim.feed(row(StatusCode::STATUS_AVAILABLE | StatusCode::STATUS_INBOUND_ENABLED)));
    assert!(sim.feed(Input::Return(Return::TransportNotify { transport: T0, flags: end, result: Hresult::S_OK })));
    assert!(sim.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_READYTOSEND)));
    assert_eq!(sim.spooler().call_in_flight(), None);
    assert_eq!(sim.spooler().next_deadline(), Some(Time(600)), "the delay still holds");
    assert!(sim.feed(Input::Session(SessionRequest::Enable { transport: T0, directions: Directions::OUTBOUND })));
    let begin = NotifyFlags::NOTIFY_BEGIN_OUTBOUND;
    assert_eq!(sim.spooler().call_in_flight(), Some(&Call::TransportNotify { transport: T0, flags: begin, message: None }));
    assert!(sim.feed(row(StatusCode::STATUS_AVAILABLE | StatusCode::STATUS_INBOUND_ENABLED | StatusCode::STATUS_OUTBOUND_ENABLED)));
    assert!(sim.feed(Input::Return(Return::TransportNotify { transport: T0, flags: begin, result: Hresult::S_OK })));
    // Enabled again, but the message is still waiting out its delay.
    assert_eq!(sim.spooler().call_in_flight(), None, "{}", sim.trace());
    sim.run();
    assert_clean(&sim);
    let second = sim.calls().filter(|c| matches!(c, Call::SubmitMessage { .. })).count();
    assert_eq!(second, 2);
    assert_eq!(sim.spooler().now(), Time(600), "offered again only when the delay ended");
    assert_eq!(dispositions(&sim, m), [taken_by(T0)]);
    assert_submits_only_while_outbound_enabled(&sim, T0);
    insta::assert_snapshot!(sim.trace());
}
