//! Conformance scenarios: the transport provider lifecycle
//! (`transport-provider-and-mapi-spooler-operational-model.md`).

mod common;

use common::*;
use mapi_spooler::{Call, Directions, Ending, Phase, TransportId, TransportView};

/// The nine steps of the operational model, for two transports: XPProviderInit, TransportLogon,
/// AddressTypes, the status row, TransportNotify to enable, Idle when asked for, traffic,
/// TransportNotify to disable, and the release of logon and provider objects.
#[test]
fn nine_step_lifecycle_of_two_transports() {
    // Spec: LIFE-1, LIFE-4, LIFE-5, LIFE-8, LIFE-9, LIFE-10, LIFE-11, LIFE-12, LIFE-14, LIFE-15, LIFE-16
    let mut idle = smtp();
    idle.logon = vec![Ok(mapi_spooler::LogonCaps::LOGON_SP_IDLE)];
    let mut sim = started(vec![idle, fax()]);
    sim.idle();
    let m = send(&mut sim, draft(&[SMTP, FAX]));
    sim.shutdown();
    assert_clean(&sim);
    assert_eq!(sim.spooler().phase(), Phase::Stopped);
    assert_eq!(
        outcome(&sim, m),
        mapi_spooler::store::Outcome::Finished(mapi_spooler::store::Placement::Folder(mapi_spooler::store::OUTBOX))
    );
    for t in [TransportId(0), TransportId(1)] {
        assert_eq!(sim.spooler().transport_view(t), Some(TransportView::Gone(Ending::SessionEnded)));
    }
    insta::assert_snapshot!(sim.trace());
}

/// LIFE-11: Idle goes only to a transport that returned LOGON_SP_IDLE.
#[test]
fn idle_only_for_transports_that_asked() {
    // Spec: LIFE-11, INV-10
    let mut idle = smtp();
    idle.logon = vec![Ok(mapi_spooler::LogonCaps::LOGON_SP_IDLE)];
    let mut sim = started(vec![idle, fax()]);
    sim.idle();
    assert_clean(&sim);
    let idles: Vec<&Call> = sim.calls().filter(|c| matches!(c, Call::Idle { .. })).collect();
    assert_eq!(idles, [&Call::Idle { transport: TransportId(0) }], "{}", sim.trace());
    // The enabled directions are what the spooler asked for (LIFE-10).
    match sim.spooler().transport_view(TransportId(1)) {
        Some(TransportView::LoggedOn { enabled, .. }) => assert_eq!(enabled, Directions::BOTH),
        other => panic!("T1 should be logged on, is {other:?}"),
    }
    assert!(sim.spooler().call_in_flight().is_none());
}
