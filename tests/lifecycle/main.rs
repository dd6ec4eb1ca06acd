//! Conformance scenarios: the transport provider lifecycle
//! (`transport-provider-and-mapi-spooler-operational-model.md`).

#[path = "../common/mod.rs"]
mod common;
mod critical;
mod logon;
mod shutdown;
mod startup;
mod traffic;

use common::*;
use mapi_spooler::sim::{EndAnswer, Sim, SubmitAnswer, TransportScript};
use mapi_spooler::store::{OUTBOX, Outcome, Placement};
use mapi_spooler::{
    Call, Caller, CallerError, Directions, Effect, Ending, Error, Hresult, Input, LogonCaps, LogonFlags, MessageId, NdrOrigin, NotifyFlags,
    Phase, Profile, ProviderFault, RecipientOutcome, RecipientSet, Registrations, Released, Return, ServiceId, SessionRequest, Settings,
    SpiVersion, SpoolerNotifyFlags, StatusCode, StatusRowFlags, SubmitOutcome, SupportCall, Time, TransportId, TransportView, XpInitFlags,
};

const T0: TransportId = TransportId(0);
const T1: TransportId = TransportId(1);
const T2: TransportId = TransportId(2);
const T3: TransportId = TransportId(3);

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

// ---------------------------------------------------------------------------------------------
// Helpers of this file.
// ---------------------------------------------------------------------------------------------

/// A profile whose transport entries belong to these message services, with one store.
fn services(services: &[u8], settings: Settings) -> Profile {
    Profile { transports: services.iter().map(|s| ServiceId(*s)).collect(), stores: 1, settings }
}

/// The position of the first call that `pick` selects, in the list of every call.
fn call_index(sim: &Sim, pick: impl Fn(&Call) -> bool) -> Option<usize> {
    sim.calls().position(pick)
}

/// The trace as lines, without their numbers.
fn trace_lines(sim: &Sim) -> Vec<String> {
    sim.trace().lines().map(|l| l.get(6..).unwrap_or_default().to_owned()).collect()
}

/// The index of the first trace line that starts with `prefix`.
fn line_of(lines: &[String], prefix: &str) -> usize {
    lines
        .iter()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no trace line starts with {prefix:?}:\n{}", lines.join("\n")))
}

/// The logged-on view of a transport, or a panic.
fn logged_on(sim: &Sim, t: TransportId) -> (bool, LogonCaps, Directions, Option<StatusCode>, Option<Registrations>, bool, bool, bool) {
    match sim.spooler().transport_view(t) {
        Some(TransportView::LoggedOn { ready, caps, enabled, status_row, registrations, critical, critical_section, leaving }) => {
            (ready, caps, enabled, status_row, registrations, critical, critical_section, leaving)
        }
        other => panic!("{t} should be logged on, is {other:?}\n{}", sim.trace()),
    }
}

/// The directions a logged-on transport has been told are enabled.
fn enabled(sim: &Sim, t: TransportId) -> Directions {
    logged_on(sim, t).2
}

/// The release path of one transport, as LIFE-14 to LIFE-16 and INV-2, INV-3 describe it:
/// `TransportLogoff` exactly once if it had a logon (none otherwise), then nothing but
/// `Shutdown`; `Shutdown` exactly once if the provider object was loaded, as the very last call,
/// after the logon is gone; the logon object released after `TransportLogoff`, the provider
/// object after `Shutdown`.
fn assert_release_path(sim: &Sim, t: TransportId, had_logon: bool, loaded: bool) {
    let calls = calls_to(sim, t);
    let trace = sim.trace();
    let logoffs: Vec<usize> = calls.iter().enumerate().filter(|(_, c)| matches!(c, Call::TransportLogoff { .. })).map(|(i, _)| i).collect();
    let shutdowns: Vec<usize> = calls.iter().enumerate().filter(|(_, c)| matches!(c, Call::Shutdown { .. })).map(|(i, _)| i).collect();
    assert_eq!(logoffs.len(), usize::from(had_logon), "{t}: TransportLogoff once per logon; calls {calls:?}\n{trace}");
    assert_eq!(shutdowns.len(), usize::from(loaded), "{t}: Shutdown once per loaded provider; calls {calls:?}\n{trace}");
    if let Some(&logoff) = logoffs.first() {
        // INV-2: after TransportLogoff, no IXPLogon method; only the provider's Shutdown.
        for call in &calls[logoff + 1..] {
            assert!(matches!(call, Call::Shutdown { .. }), "{t}: {call} after TransportLogoff\n{trace}");
        }
    }
    if let Some(&shutdown) = shutdowns.first() {
        // INV-3, LIFE-16: Shutdown is the last call, after every logon is gone.
        assert_eq!(shutdown, calls.len() - 1, "{t}: Shutdown must be the last call; calls {calls:?}\n{trace}");
        if let Some(&logoff) = logoffs.first() {
            assert!(logoff < shutdown, "{t}: Shutdown before TransportLogoff\n{trace}");
        }
    }
    // The released objects, in the effect log, each after the call that ends it.
    let effects = sim.effects();
    let position = |pred: &dyn Fn(&Effect) -> bool| effects.iter().position(pred);
    let count = |pred: &dyn Fn(&Effect) -> bool| effects.iter().filter(|e| pred(e)).count();
    let logon_released = |e: &Effect| *e == Effect::Release(Released::Logon(t));
    let provider_released = |e: &Effect| *e == Effect::Release(Released::Provider(t));
    assert_eq!(count(&logon_released), usize::from(had_logon), "{t}: logon object released once\n{trace}");
    assert_eq!(count(&provider_released), usize::from(loaded), "{t}: provider object released once\n{trace}");
    if had_logon {
        let logoff = position(&|e| *e == Effect::Call(Call::TransportLogoff { transport: t }));
        assert!(logoff < position(&logon_released), "{t}: logon released before TransportLogoff\n{trace}");
    }
    if loaded {
        let shutdown = position(&|e| *e == Effect::Call(Call::Shutdown { transport: t }));
        assert!(shutdown < position(&provider_released), "{t}: provider released before Shutdown\n{trace}");
        if had_logon {
            assert!(position(&logon_released) < shutdown, "{t}: Shutdown before the logon object was released\n{trace}");
        }
    }
}

/// The spooler has stopped for good: phase `Stopped`, nothing in flight, and every kind of input
/// is refused with `CallerError::Stopped`, leaving it unchanged.
fn assert_stopped_for_good(sim: &Sim) {
    assert_eq!(sim.spooler().phase(), Phase::Stopped, "{}", sim.trace());
    assert!(sim.spooler().call_in_flight().is_none());
    let inputs = [
        Input::Session(SessionRequest::Start),
        Input::Session(SessionRequest::Shutdown),
        Input::Session(SessionRequest::Enable { transport: T0, directions: Directions::BOTH }),
        Input::SystemIdle,
        Input::TimePassed { seconds: 1 },
        Input::Return(Return::Shutdown { transport: T0, result: Hresult::S_OK }),
        Input::Support(SupportCall::SpoolerNotify {
            caller: Caller::Transport(T0),
            flags: SpoolerNotifyFlags::NOTIFY_READYTOSEND,
            message: None,
        }),
    ];
    for input in inputs {
        let mut spooler = sim.spooler().clone();
        let result = spooler.step(input.clone());
        assert!(matches!(result, Err(Error::Caller(CallerError::Stopped { .. }))), "{input:?} after the stop gave {result:?}");
        assert_eq!(spooler, *sim.spooler(), "a refused input must leave the spooler unchanged");
    }
}

/// INV-8: every `SubmitMessage` to `t` comes while its outbound direction is enabled: a
/// `NOTIFY_BEGIN_OUTBOUND` was sent with no `NOTIFY_END_OUTBOUND` since.
fn assert_submits_only_while_outbound_enabled(sim: &Sim, t: TransportId) {
    let mut outbound = false;
    for call in sim.calls() {
        match call {
            Call::TransportNotify { transport, flags, .. } if *transport == t => {
                if flags.contains(NotifyFlags::NOTIFY_BEGIN_OUTBOUND) {
                    outbound = true;
                }
                if flags.contains(NotifyFlags::NOTIFY_END_OUTBOUND) {
                    outbound = false;
                }
            }
            Call::SubmitMessage { transport, .. } if *transport == t => {
                assert!(outbound, "{call} while {t}'s outbound is disabled\n{}", sim.trace());
            }
            _ => {}
        }
    }
}

fn notify(t: TransportId, flags: SpoolerNotifyFlags) -> Input {
    Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(t), flags, message: None })
}

const NDR: Option<RecipientOutcome> = Some(RecipientOutcome::Undeliverable(NdrOrigin::NoTransport));

const FINISHED: Outcome = Outcome::Finished(Placement::Folder(OUTBOX));
