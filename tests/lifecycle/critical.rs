//! Critical errors.

use super::*;

// ---------------------------------------------------------------------------------------------
// Critical errors.
// ---------------------------------------------------------------------------------------------

/// A transport that raises NOTIFY_CRITICAL_ERROR during SubmitMessage gets only TransportLogoff
/// and Shutdown afterwards (no Idle, no message, nothing at session end); its recipient goes to
/// another transport that handles the same address type.
#[test]
fn critical_error_leaves_only_release_calls_and_reroutes_recipients() {
    // Spec: LIFE-17, ERR-7, INV-5, INV-2, INV-3, DEC-4, DEC-20
    let failing = smtp().logons([Ok(LogonCaps::LOGON_SP_IDLE)]).submits([SubmitAnswer::Critical(Hresult::MAPI_E_CALL_FAILED)]);
    let relay = TransportScript::new("relay", Registrations::address_types([SMTP, FAX]));
    let mut sim = started(vec![failing, relay]);
    let m = sim.submit(S0, draft(&[SMTP])).expect("queued");
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { transport: T0, .. })));
    // The system goes idle while T0 is in SubmitMessage; T0 asked for idle time, but it raises
    // NOTIFY_CRITICAL_ERROR before it returns, so it must not get Idle any more.
    assert!(sim.feed(Input::SystemIdle));
    sim.run();
    assert!(matches!(sim.spooler().transport_view(T0), Some(TransportView::Gone(Ending::CriticalError))), "{}", sim.trace());
    sim.idle();
    let second = send(&mut sim, draft(&[SMTP]));
    sim.shutdown();
    assert_clean(&sim);
    let t0 = methods_to(&sim, T0);
    let submit = t0.iter().position(|m| *m == "SubmitMessage").expect("T0 was offered the message");
    assert_eq!(t0[submit + 1..], ["TransportLogoff", "Shutdown"], "{}", sim.trace());
    // DEC-4, DEC-20: T0 is released as soon as its call returns, before the message work goes on.
    let failed = call_index(&sim, |c| matches!(c, Call::SubmitMessage { transport: T0, .. })).expect("T0 SubmitMessage");
    let rerouted = call_index(&sim, |c| matches!(c, Call::SubmitMessage { transport: T1, .. })).expect("T1 SubmitMessage");
    let calls: Vec<&Call> = sim.calls().collect();
    assert_eq!(calls[failed + 1..failed + 3], [&Call::TransportLogoff { transport: T0 }, &Call::Shutdown { transport: T0 }]);
    assert_eq!(rerouted, failed + 3, "{}", sim.trace());
    assert_eq!(t0.iter().filter(|m| **m == "SubmitMessage").count(), 1);
    assert_eq!(sim.spooler().transport_view(T0), Some(TransportView::Gone(Ending::CriticalError)));
    assert_release_path(&sim, T0, true, true);
    assert_eq!(dispositions(&sim, m), [taken_by(T1)]);
    assert_eq!(dispositions(&sim, second), [taken_by(T1)]);
    assert_eq!(outcome(&sim, m), FINISHED);
    assert_release_path(&sim, T1, true, true);
    assert_stopped_for_good(&sim);
    insta::assert_snapshot!(sim.trace());
}

/// After a critical error of the only transport for SMTP, the SMTP recipient is postponed, not
/// NDR'd (ORD-10, DEC-4), while the FAX recipient of the same message is sent; a later FAX
/// message needs none of the transports the waiting one needs, so it is locked and sent
/// (DEC-15); at the end of the session the waiting message goes back to the queue (DEC-8).
#[test]
fn critical_error_of_the_only_capable_transport_postpones_its_recipients() {
    // Spec: LIFE-17, ERR-7, INV-5, ORD-10, DEF-13, DEC-4, DEC-8, DEC-15
    let failing = smtp().submits([SubmitAnswer::Critical(Hresult::MAPI_E_CALL_FAILED)]);
    let mut sim = started(vec![failing, fax()]);
    let m = send(&mut sim, draft(&[SMTP, FAX]));
    assert_clean(&sim);
    assert_eq!(dispositions(&sim, m), [None, taken_by(T1)]);
    assert!(!sim.effects().iter().any(|e| matches!(e, Effect::Report { .. })), "no NDR (ORD-10)\n{}", sim.trace());
    let t0 = methods_to(&sim, T0);
    assert_eq!(t0[t0.len() - 3..], ["SubmitMessage", "TransportLogoff", "Shutdown"], "{}", sim.trace());
    let later = send(&mut sim, draft(&[FAX]));
    assert_eq!(outcome(&sim, later), FINISHED, "{}", sim.trace());
    assert_eq!(outcome(&sim, m), mapi_spooler::store::Outcome::Queued);
    sim.shutdown();
    assert_clean(&sim);
    assert_eq!(outcome(&sim, m), mapi_spooler::store::Outcome::Queued, "handed back for the next session");
    assert!(!stored(&sim, m).submit_flags.contains(mapi_spooler::QueueFlags::SUBMITFLAG_LOCKED));
    assert_eq!(dispositions(&sim, m), [None, taken_by(T1)], "the FAX recipient stays saved");
}

/// A transport raises NOTIFY_CRITICAL_ERROR while another provider of its service is logging
/// on, and that logon then fails, which disables the service (LIFE-6): the critical error
/// stands (the logon is recorded as critical once, and a disabled service does not undo it),
/// so the transport gets only TransportLogoff and Shutdown and ends with its critical error.
#[test]
fn critical_error_outranks_a_later_disabled_service() {
    // Spec: LIFE-17, LIFE-6, INV-5, INV-6
    let failing = smtp().logons([Err(Hresult::MAPI_E_LOGON_FAILED)]);
    let mut sim = world_with(&services(&[0, 0, 1], Settings::default()), vec![smtp(), failing, fax()]);
    sim.feed(Input::Session(SessionRequest::Start));
    assert!(sim.run_until_call(|c| matches!(c, Call::TransportLogon { transport: T1, .. })), "{}", sim.trace());
    let critical =
        SupportCall::SpoolerNotify { caller: Caller::Transport(T0), flags: SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR, message: None };
    assert!(sim.feed(Input::Support(critical)), "{}", sim.trace());
    assert!(matches!(sim.spooler().transport_view(T0), Some(TransportView::LoggedOn { critical: true, leaving: true, .. })));
    sim.run();
    assert_eq!(
        methods_to(&sim, T0),
        ["XPProviderInit", "TransportLogon", "AddressTypes", "TransportLogoff", "Shutdown"],
        "{}",
        sim.trace()
    );
    assert_eq!(methods_to(&sim, T1), ["XPProviderInit", "TransportLogon", "Shutdown"]);
    assert_eq!(sim.spooler().transport_view(T0), Some(TransportView::Gone(Ending::CriticalError)));
    assert_eq!(sim.spooler().transport_view(T1), Some(TransportView::Gone(Ending::ServiceDisabled)));
    let m = send(&mut sim, draft(&[FAX]));
    sim.shutdown();
    assert_clean(&sim);
    assert_eq!(dispositions(&sim, m), [taken_by(T2)]);
}
