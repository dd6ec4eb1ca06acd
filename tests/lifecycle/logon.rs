//! TransportLogon results.

use super::*;

// ---------------------------------------------------------------------------------------------
// TransportLogon results.
// ---------------------------------------------------------------------------------------------

/// S_OK: the logon exists with the capabilities the transport returned, AddressTypes follows at
/// once, and the transport is enabled once the store is open.
#[test]
fn transport_logon_s_ok_keeps_the_returned_capabilities() {
    // Spec: LIFE-5, LIFE-6, LIFE-8, ERR-9, AMB-23
    let caps = LogonCaps::LOGON_SP_IDLE | LogonCaps::LOGON_SP_RESOLVE;
    let mut sim = started(vec![smtp().logons([Ok(caps)])]);
    assert_clean(&sim);
    assert_eq!(methods_to(&sim, T0), ["XPProviderInit", "TransportLogon", "AddressTypes", "TransportNotify"]);
    let (ready, got, enabled, _, registrations, critical, critsec, leaving) = logged_on(&sim, T0);
    assert!(ready && !critical && !critsec && !leaving);
    assert_eq!(got, caps);
    assert_eq!(enabled, Directions::BOTH);
    assert_eq!(registrations, Some(Registrations::address_types([SMTP])));
    // AMB-23: LOGON_SP_RESOLVE changes nothing in the protocol: the same message gives the same
    // calls as with a transport that did not return it.
    let mut plain = started(vec![smtp().logons([Ok(LogonCaps::LOGON_SP_IDLE)])]);
    let m = send(&mut sim, draft(&[SMTP, X400]));
    let n = send(&mut plain, draft(&[SMTP, X400]));
    assert_eq!(m, n);
    assert_eq!(sim.calls().collect::<Vec<_>>(), plain.calls().collect::<Vec<_>>());
    assert_eq!(dispositions(&sim, m), [taken_by(T0), NDR]);
}

/// MAPI_E_FAILONEPROVIDER fails only that provider: it gets Shutdown and nothing else, while
/// another transport of the same message service and one of another service log on and carry
/// mail.
#[test]
fn failoneprovider_fails_only_that_provider() {
    // Spec: LIFE-6, ERR-9, LIFE-16, INV-3, INV-6, DEC-19
    let failing = smtp().logons([Err(Hresult::MAPI_E_FAILONEPROVIDER)]);
    let mut sim = world_with(&services(&[0, 0, 1], Settings::default()), vec![failing, smtp(), fax()]);
    sim.start();
    let m = send(&mut sim, draft(&[SMTP, FAX]));
    sim.shutdown();
    assert_clean(&sim);
    assert_eq!(methods_to(&sim, T0), ["XPProviderInit", "TransportLogon", "Shutdown"]);
    // The Shutdown comes at once, before the next transport is initialized.
    let shutdown = call_index(&sim, |c| *c == Call::Shutdown { transport: T0 });
    let next_init = call_index(&sim, |c| matches!(c, Call::XpProviderInit { transport, .. } if *transport == T1));
    assert!(shutdown < next_init, "{}", sim.trace());
    assert_eq!(sim.spooler().transport_view(T0), Some(TransportView::Gone(Ending::LogonFailed(Hresult::MAPI_E_FAILONEPROVIDER))));
    assert_release_path(&sim, T0, false, true);
    // The service stays enabled: T1, of the same service, took the SMTP recipient.
    assert_eq!(dispositions(&sim, m), [taken_by(T1), taken_by(T2)]);
    assert_eq!(outcome(&sim, m), FINISHED);
    for t in [T1, T2] {
        assert_eq!(sim.spooler().transport_view(t), Some(TransportView::Gone(Ending::SessionEnded)));
        assert_release_path(&sim, t, true, true);
    }
    assert_stopped_for_good(&sim);
    insta::assert_snapshot!(sim.trace());
}

/// MAPI_E_UNCONFIGURED: MAPI calls the service entry point with MSG_SERVICE_CONFIGURE, then
/// retries the logon, which succeeds; the transport then works normally.
#[test]
fn unconfigured_provider_is_configured_then_logged_on_again() {
    // Spec: LIFE-6, ERR-9
    let script = smtp().logons([Err(Hresult::MAPI_E_UNCONFIGURED), Ok(LogonCaps::EMPTY)]);
    let mut sim = world_with(&services(&[7], Settings::default()), vec![script]);
    sim.start();
    let m = send(&mut sim, draft(&[SMTP]));
    assert_clean(&sim);
    let logon = Call::TransportLogon { transport: T0, flags: LogonFlags::LOGON_NO_INBOUND | LogonFlags::LOGON_NO_OUTBOUND };
    let first: Vec<Call> = sim.calls().take(5).cloned().collect();
    assert_eq!(
        first,
        [
            Call::XpProviderInit { transport: T0, mapi_version: SpiVersion::CURRENT, flags: XpInitFlags::EMPTY },
            logon.clone(),
            Call::ServiceConfigure { service: ServiceId(7) },
            logon,
            Call::AddressTypes { transport: T0 },
        ]
    );
    assert_eq!(sim.calls().filter(|c| matches!(c, Call::ServiceConfigure { .. })).count(), 1);
    assert!(logged_on(&sim, T0).0);
    assert_eq!(dispositions(&sim, m), [taken_by(T0)]);
    insta::assert_snapshot!(sim.trace());
}

/// MAPI_E_UNCONFIGURED again after the service was configured: the spooler configures once
/// (DEC-5), and the second MAPI_E_UNCONFIGURED counts like any other logon error, which
/// disables the whole service for the session (LIFE-6): the other provider of that service is
/// never called, while another service works.
#[test]
fn unconfigured_twice_disables_the_service() {
    // Spec: LIFE-6, ERR-9, INV-6, INV-3, DEC-5, DEC-19
    let script = smtp().logons([Err(Hresult::MAPI_E_UNCONFIGURED)]);
    let mut sim = world_with(&services(&[0, 0, 1], Settings::default()), vec![script, smtp(), fax()]);
    sim.start();
    let m = send(&mut sim, draft(&[FAX]));
    sim.shutdown();
    assert_clean(&sim);
    let t0: Vec<&str> =
        sim.calls().filter(|c| c.transport() == Some(T0) || matches!(c, Call::ServiceConfigure { .. })).map(Call::method).collect();
    assert_eq!(t0, ["XPProviderInit", "TransportLogon", "MSG_SERVICE_CONFIGURE", "TransportLogon", "Shutdown"]);
    assert_eq!(sim.spooler().transport_view(T0), Some(TransportView::Gone(Ending::ServiceDisabled)));
    assert_release_path(&sim, T0, false, true);
    assert_eq!(methods_to(&sim, T1), [] as [&str; 0], "T1 belongs to the disabled service (INV-6)");
    assert_eq!(sim.spooler().transport_view(T1), Some(TransportView::Gone(Ending::ServiceDisabled)));
    assert_eq!(dispositions(&sim, m), [taken_by(T2)]);
}

/// The service entry point fails to configure after MAPI_E_UNCONFIGURED (here the user cancels
/// the property sheet): the logon cannot be retried and the service is disabled like after any
/// other logon error (LIFE-6, DEC-5).
#[test]
fn failed_service_configuration_disables_the_service() {
    // Spec: LIFE-6, ERR-9, INV-6, DEC-5, DEC-19
    let mut script = smtp().logons([Err(Hresult::MAPI_E_UNCONFIGURED), Ok(LogonCaps::EMPTY)]);
    script.configure = Hresult::MAPI_E_USER_CANCEL;
    // T1 belongs to the same service, T2 to another.
    let mut sim = world_with(&services(&[0, 0, 1], Settings::default()), vec![script, smtp(), fax()]);
    sim.start();
    let m = send(&mut sim, draft(&[FAX]));
    sim.shutdown();
    assert_clean(&sim);
    let t0: Vec<&str> =
        sim.calls().filter(|c| c.transport() == Some(T0) || matches!(c, Call::ServiceConfigure { .. })).map(Call::method).collect();
    assert_eq!(t0, ["XPProviderInit", "TransportLogon", "MSG_SERVICE_CONFIGURE", "Shutdown"]);
    assert_eq!(sim.spooler().transport_view(T0), Some(TransportView::Gone(Ending::ServiceDisabled)));
    assert_release_path(&sim, T0, false, true);
    assert_eq!(methods_to(&sim, T1), [] as [&str; 0], "T1 belongs to the disabled service (INV-6)");
    assert_eq!(dispositions(&sim, m), [taken_by(T2)]);
    assert_release_path(&sim, T2, true, true);
}

/// MAPI_E_USER_CANCEL, MAPI_E_UNKNOWN_CPID and MAPI_E_UNKNOWN_LCID are documented results of
/// TransportLogon, but only MAPI_E_FAILONEPROVIDER spares the service: for these, as for most
/// errors, MAPI disables the whole service for the session (LIFE-6, DEC-6).
#[test]
fn user_cancel_and_locale_errors_disable_the_service() {
    // Spec: LIFE-6, ERR-9, INV-6, DEC-6, DEC-19
    for code in [Hresult::MAPI_E_USER_CANCEL, Hresult::MAPI_E_UNKNOWN_CPID, Hresult::MAPI_E_UNKNOWN_LCID] {
        let failing = smtp().logons([Err(code)]);
        let mut sim = world_with(&services(&[0, 0, 1], Settings::default()), vec![failing, smtp(), fax()]);
        sim.start();
        let m = send(&mut sim, draft(&[FAX]));
        sim.shutdown();
        assert_clean(&sim);
        assert_eq!(methods_to(&sim, T0), ["XPProviderInit", "TransportLogon", "Shutdown"], "{code}");
        assert_eq!(sim.spooler().transport_view(T0), Some(TransportView::Gone(Ending::ServiceDisabled)), "{code}");
        assert_release_path(&sim, T0, false, true);
        // T1 belongs to the same service: never called.
        assert_eq!(methods_to(&sim, T1), [] as [&str; 0], "{code}");
        assert_eq!(dispositions(&sim, m), [taken_by(T2)], "{code}\n{}", sim.trace());
        assert_release_path(&sim, T2, true, true);
        assert_stopped_for_good(&sim);
    }
}

fn service_disabled_world(code: Hresult) -> (Sim, MessageId) {
    // T0, T1, T2 belong to service 0; T3 to service 1. T1's logon fails.
    let mut relay = TransportScript::new("relay", Registrations::address_types([SMTP, FAX]));
    relay.name = "SMTP relay of service 1".to_owned();
    let scripts = vec![smtp(), smtp().logons([Err(code)]), fax(), relay];
    let mut sim = world_with(&services(&[0, 0, 0, 1], Settings::default()), scripts);
    sim.start();
    let m = send(&mut sim, draft(&[SMTP, FAX]));
    sim.shutdown();
    (sim, m)
}

/// Any other TransportLogon error (here MAPI_E_LOGON_FAILED, then MAPI_E_CALL_FAILED) disables
/// the whole message service: its transport that is already logged on is released
/// (TransportLogoff, never told to begin or end traffic), the failing one is shut down, a later
/// one is never initialized, and the other service carries the mail.
#[test]
fn other_logon_error_disables_the_whole_service() {
    // Spec: LIFE-6, ERR-9, INV-6, LIFE-14, LIFE-16, INV-2, INV-3, DEC-4
    for code in [Hresult::MAPI_E_LOGON_FAILED, Hresult::MAPI_E_CALL_FAILED] {
        let (sim, m) = service_disabled_world(code);
        assert_clean(&sim);
        assert_eq!(methods_to(&sim, T0), ["XPProviderInit", "TransportLogon", "AddressTypes", "TransportLogoff", "Shutdown"], "{code}");
        assert_eq!(methods_to(&sim, T1), ["XPProviderInit", "TransportLogon", "Shutdown"], "{code}");
        assert_eq!(methods_to(&sim, T2), [] as [&str; 0], "{code}: T2 belongs to the disabled service");
        // T0 is released at once (DEC-4): TransportLogoff is the very next call, before T3 is
        // initialized.
        let failed = call_index(&sim, |c| matches!(c, Call::TransportLogon { transport, .. } if *transport == T1)).expect("logon");
        assert_eq!(sim.calls().nth(failed + 1), Some(&Call::TransportLogoff { transport: T0 }), "{code}");
        let released = call_index(&sim, |c| *c == Call::Shutdown { transport: T0 });
        let t3_init = call_index(&sim, |c| matches!(c, Call::XpProviderInit { transport, .. } if *transport == T3));
        assert!(released < t3_init, "{code}\n{}", sim.trace());
        for t in [T0, T1, T2] {
            assert_eq!(sim.spooler().transport_view(t), Some(TransportView::Gone(Ending::ServiceDisabled)), "{code} {t}");
        }
        assert_release_path(&sim, T0, true, true);
        assert_release_path(&sim, T1, false, true);
        assert_release_path(&sim, T3, true, true);
        // Service 1 works: T3 took both recipients.
        assert_eq!(dispositions(&sim, m), [taken_by(T3), taken_by(T3)], "{code}");
        assert_eq!(outcome(&sim, m), FINISHED);
        assert_stopped_for_good(&sim);
    }
    let (sim, _) = service_disabled_world(Hresult::MAPI_E_LOGON_FAILED);
    insta::assert_snapshot!(sim.trace());
}
