//! Conformance scenarios: SPI version negotiation in `XPProviderInit` (`xpproviderinit.md`,
//! `implementing-a-service-provider-entry-point-function.md`,
//! `initializing-the-transport-provider.md`).

mod common;

use common::*;
use mapi_spooler::sim::{Sim, TransportScript};
use mapi_spooler::store::{OUTBOX, Outcome, Placement};
use mapi_spooler::{
    Call, Effect, Ending, Error, Hresult, Input, Negotiation, ProviderFault, RecipientOutcome, Released, Return, SessionRequest, Settings,
    SpiVersion, TransportId, TransportView, VersionRange, XpInitFlags,
};

const T0: TransportId = TransportId(0);
const T1: TransportId = TransportId(1);

/// A transport registered for SMTP whose `XPProviderInit` answers `version`.
fn smtp_answering(version: Result<SpiVersion, Hresult>) -> TransportScript {
    let mut script = smtp();
    script.version = version;
    script
}

/// The effects that concern one transport's provider or logon object.
fn releases_of(sim: &Sim, t: TransportId) -> Vec<Released> {
    sim.effects()
        .iter()
        .filter_map(|e| match e {
            Effect::Release(r @ (Released::Logon(x) | Released::Provider(x))) if *x == t => Some(*r),
            _ => None,
        })
        .collect()
}

const FINISHED: Outcome = Outcome::Finished(Placement::Folder(OUTBOX));

/// The SPI version layout (major in bits 24–31, minor in 16–23, update in 0–15) and the
/// documented constants: CURRENT_SPI_VERSION is PDK3, 0.1.16; PDK1 and PDK2 are older.
#[test]
fn spi_version_layout_and_constants() {
    // Spec: VER-1, VER-2
    assert_eq!(SpiVersion::CURRENT, SpiVersion::PDK3);
    assert_eq!(SpiVersion::CURRENT, SpiVersion(0x0001_0010));
    assert_eq!(SpiVersion::PDK1, SpiVersion(0x0001_0000));
    assert_eq!(SpiVersion::PDK2, SpiVersion(0x0001_0008));
    assert_eq!((SpiVersion::CURRENT.major(), SpiVersion::CURRENT.minor(), SpiVersion::CURRENT.update()), (0, 1, 16));
    assert_eq!((SpiVersion::PDK2.major(), SpiVersion::PDK2.minor(), SpiVersion::PDK2.update()), (0, 1, 8));
    assert_eq!(SpiVersion::new(0, 1, 16), SpiVersion::CURRENT);
    assert_eq!(SpiVersion::new(0, 1, 0), SpiVersion::PDK1);
    let v = SpiVersion::new(0x12, 0x34, 0x5678);
    assert_eq!(v, SpiVersion(0x1234_5678));
    assert_eq!((v.major(), v.minor(), v.update()), (0x12, 0x34, 0x5678));
    let top = SpiVersion(u32::MAX);
    assert_eq!((top.major(), top.minor(), top.update()), (0xFF, 0xFF, 0xFFFF));
    // The order of versions is the order of (major, minor, update).
    assert!(SpiVersion::PDK1 < SpiVersion::PDK2 && SpiVersion::PDK2 < SpiVersion::PDK3);
    assert!(SpiVersion::new(0, 1, 0xFFFF) < SpiVersion::new(0, 2, 0));
    assert!(SpiVersion::new(0, 0xFF, 0xFFFF) < SpiVersion::new(1, 0, 0));
    assert_eq!(SpiVersion::CURRENT.to_string(), "0x00010010");
}

/// MAPI's range and the provider's version settle on exactly one version, the provider's, when
/// it lies between the oldest version MAPI accepts and MAPI's own, bounds included.
#[test]
fn negotiation_settles_on_the_provider_version_inside_the_range() {
    // Spec: VER-3, VER-4, VER-5
    let range = VersionRange { oldest: SpiVersion::PDK2, mapi: SpiVersion::PDK3 };
    assert_eq!(VersionRange::default(), VersionRange { oldest: SpiVersion::PDK1, mapi: SpiVersion::CURRENT });
    assert_eq!(range.negotiate(SpiVersion::PDK2), Negotiation::Agreed(SpiVersion::PDK2));
    assert_eq!(range.negotiate(SpiVersion::new(0, 1, 12)), Negotiation::Agreed(SpiVersion::new(0, 1, 12)));
    assert_eq!(range.negotiate(SpiVersion::PDK3), Negotiation::Agreed(SpiVersion::PDK3));
    assert_eq!(range.negotiate(SpiVersion::new(0, 1, 7)), Negotiation::ProviderTooOld);
    assert_eq!(range.negotiate(SpiVersion::PDK1), Negotiation::ProviderTooOld);
    assert_eq!(range.negotiate(SpiVersion::new(0, 1, 17)), Negotiation::ProviderTooNew);
    assert_eq!(range.negotiate(SpiVersion::new(1, 0, 0)), Negotiation::ProviderTooNew);
}

/// A provider that answers an older version MAPI still accepts (PDK2, under MAPI's PDK3) is used
/// at that version: it is logged on and carries mail like any other.
#[test]
fn provider_with_an_older_accepted_version_is_used() {
    // Spec: VER-1, VER-4, VER-5, LIFE-1
    let mut sim = started(vec![smtp_answering(Ok(SpiVersion::PDK2)), fax()]);
    let m = send(&mut sim, draft(&[SMTP, FAX]));
    assert_clean(&sim);
    // MAPI passes its own version in ulMAPIVer.
    assert_eq!(
        sim.calls().next(),
        Some(&Call::XpProviderInit { transport: T0, mapi_version: SpiVersion::CURRENT, flags: XpInitFlags::EMPTY })
    );
    assert_eq!(
        methods_to(&sim, T0),
        ["XPProviderInit", "TransportLogon", "AddressTypes", "TransportNotify", "SubmitMessage", "EndMessage"]
    );
    assert!(matches!(sim.spooler().transport_view(T0), Some(TransportView::LoggedOn { ready: true, .. })));
    assert_eq!(dispositions(&sim, m), [Some(RecipientOutcome::Transport(T0)), Some(RecipientOutcome::Transport(T1))]);
    assert_eq!(outcome(&sim, m), FINISHED);
    insta::assert_snapshot!(sim.trace());
}

/// A provider whose version is newer than MAPI's fails XPProviderInit with MAPI_E_VERSION: no
/// provider object exists, so MAPI never logs it on, shuts it down or releases anything; the
/// other transports go on.
#[test]
fn provider_answering_mapi_e_version_is_never_logged_on() {
    // Spec: VER-3, VER-6, ERR-11, INV-7, LIFE-1
    let mut sim = started(vec![smtp_answering(Err(Hresult::MAPI_E_VERSION)), fax()]);
    let m = send(&mut sim, draft(&[FAX]));
    sim.shutdown();
    assert_clean(&sim);
    assert_eq!(methods_to(&sim, T0), ["XPProviderInit"]);
    assert_eq!(releases_of(&sim, T0), []);
    assert_eq!(sim.spooler().transport_view(T0), Some(TransportView::Gone(Ending::VersionMismatch)));
    // The next transport is initialized right after.
    let calls: Vec<&Call> = sim.calls().take(2).collect();
    assert!(matches!(calls[1], Call::XpProviderInit { transport: T1, .. }), "{}", sim.trace());
    assert_eq!(dispositions(&sim, m), [Some(RecipientOutcome::Transport(T1))]);
    assert_eq!(
        methods_to(&sim, T1),
        [
            "XPProviderInit",
            "TransportLogon",
            "AddressTypes",
            "TransportNotify",
            "SubmitMessage",
            "EndMessage",
            "TransportNotify",
            "TransportLogoff",
            "Shutdown"
        ]
    );
    insta::assert_snapshot!(sim.trace());
}

/// A provider that succeeds with a version older than MAPI accepts is released at once, as if
/// XPProviderInit had failed with MAPI_E_VERSION: no TransportLogon, no Shutdown.
#[test]
fn provider_older_than_mapi_accepts_is_released_at_once() {
    // Spec: VER-4, VER-6, INV-7
    let settings = Settings { versions: VersionRange { oldest: SpiVersion::PDK2, mapi: SpiVersion::CURRENT }, ..Settings::default() };
    let mut sim = world_with_settings(settings, vec![smtp_answering(Ok(SpiVersion::PDK1)), fax()]);
    assert!(sim.feed(Input::Session(SessionRequest::Start)));
    assert!(sim.run_until_call(|c| matches!(c, Call::XpProviderInit { transport: T0, .. })));
    let before = sim.effects().len();
    assert!(sim.feed(Input::Return(Return::XpProviderInit { transport: T0, result: Ok(SpiVersion::PDK1) })));
    // The release is the immediate effect of the return, before the next call.
    assert_eq!(sim.effects()[before], Effect::Release(Released::Provider(T0)));
    assert!(matches!(sim.effects()[before + 1], Effect::Call(Call::XpProviderInit { transport: T1, .. })));
    sim.run();
    let m = send(&mut sim, draft(&[FAX]));
    sim.shutdown();
    assert_clean(&sim);
    assert_eq!(methods_to(&sim, T0), ["XPProviderInit"]);
    assert_eq!(releases_of(&sim, T0), [Released::Provider(T0)]);
    assert_eq!(sim.spooler().transport_view(T0), Some(TransportView::Gone(Ending::VersionMismatch)));
    assert_eq!(dispositions(&sim, m), [Some(RecipientOutcome::Transport(T1))]);
    insta::assert_snapshot!(sim.trace());
}

/// A provider that succeeds with a version newer than MAPI's broke the contract (it should have
/// failed with MAPI_E_VERSION itself): the return is refused, with the code MAPI_E_VERSION, and
/// the spooler is exactly as it was, still waiting for XPProviderInit.
#[test]
fn provider_newer_than_mapi_is_refused() {
    // Spec: VER-3, ERR-11, INV-7
    let newer = SpiVersion::new(0, 1, 17);
    let mut sim = world(vec![smtp_answering(Ok(newer)), fax()]);
    assert!(sim.feed(Input::Session(SessionRequest::Start)));
    assert!(sim.run_until_call(|c| matches!(c, Call::XpProviderInit { transport: T0, .. })));
    let before = sim.spooler().clone();
    assert!(!sim.feed(Input::Return(Return::XpProviderInit { transport: T0, result: Ok(newer) })));
    assert_eq!(*sim.spooler(), before);
    let refused = Error::Provider { transport: T0, fault: ProviderFault::VersionTooNew { provider: newer, mapi: SpiVersion::CURRENT } };
    assert_eq!(sim.refused(), std::slice::from_ref(&refused));
    assert_eq!(refused.hresult(), Hresult::MAPI_E_VERSION);
    assert_eq!(
        sim.spooler().call_in_flight(),
        Some(&Call::XpProviderInit { transport: T0, mapi_version: SpiVersion::CURRENT, flags: XpInitFlags::EMPTY })
    );
    assert_eq!(sim.spooler().transport_view(T0), Some(TransportView::NotLoaded));
    assert!(!sim.calls().any(|c| matches!(c, Call::TransportLogon { .. })));
    // The provider's correct answer is then accepted.
    assert!(sim.feed(Input::Return(Return::XpProviderInit { transport: T0, result: Err(Hresult::MAPI_E_VERSION) })));
    assert_eq!(sim.spooler().transport_view(T0), Some(TransportView::Gone(Ending::VersionMismatch)));
}

/// MAPI passes the version it implements (`settings.versions.mapi`) in ulMAPIVer; with MAPI at
/// PDK2, a PDK3 provider is too new and refused, a PDK2 provider is accepted.
#[test]
fn mapi_version_passed_in_is_mapis_own() {
    // Spec: VER-1, VER-3
    let settings = Settings { versions: VersionRange { oldest: SpiVersion::PDK1, mapi: SpiVersion::PDK2 }, ..Settings::default() };
    let mut sim = world_with_settings(settings, vec![smtp_answering(Ok(SpiVersion::PDK3)), smtp_answering(Ok(SpiVersion::PDK2))]);
    assert!(sim.feed(Input::Session(SessionRequest::Start)));
    assert_eq!(
        sim.spooler().call_in_flight(),
        Some(&Call::XpProviderInit { transport: T0, mapi_version: SpiVersion::PDK2, flags: XpInitFlags::EMPTY })
    );
    assert!(!sim.feed(Input::Return(Return::XpProviderInit { transport: T0, result: Ok(SpiVersion::PDK3) })));
    assert_eq!(
        sim.refused(),
        [Error::Provider { transport: T0, fault: ProviderFault::VersionTooNew { provider: SpiVersion::PDK3, mapi: SpiVersion::PDK2 } }]
    );
    assert!(sim.feed(Input::Return(Return::XpProviderInit { transport: T0, result: Err(Hresult::MAPI_E_VERSION) })));
    sim.run();
    assert_eq!(sim.refused().len(), 1);
    assert_eq!(
        sim.calls().find(|c| matches!(c, Call::XpProviderInit { transport: T1, .. })),
        Some(&Call::XpProviderInit { transport: T1, mapi_version: SpiVersion::PDK2, flags: XpInitFlags::EMPTY })
    );
    assert!(matches!(sim.spooler().transport_view(T1), Some(TransportView::LoggedOn { ready: true, .. })));
}

/// XPProviderInit documents only S_OK and MAPI_E_VERSION; any other result is refused as a
/// contract breach and changes nothing.
#[test]
fn xpproviderinit_result_other_than_s_ok_or_mapi_e_version_is_refused() {
    // Spec: LIFE-1, ERR-11, DEC-1
    let mut sim = world(vec![smtp_answering(Err(Hresult::MAPI_E_CALL_FAILED))]);
    assert!(sim.feed(Input::Session(SessionRequest::Start)));
    let before = sim.spooler().clone();
    assert!(!sim.feed(Input::Return(Return::XpProviderInit { transport: T0, result: Err(Hresult::MAPI_E_CALL_FAILED) })));
    assert!(
        matches!(
            sim.refused(),
            [Error::Provider {
                transport: T0,
                fault: ProviderFault::UndocumentedResult { method: "XPProviderInit", result: Hresult::MAPI_E_CALL_FAILED, .. }
            }]
        ),
        "{:?}",
        sim.refused()
    );
    assert_eq!(*sim.spooler(), before);
}
