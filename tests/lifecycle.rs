//! Conformance scenarios: the transport provider lifecycle
//! (`transport-provider-and-mapi-spooler-operational-model.md`).

mod common;

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

// ---------------------------------------------------------------------------------------------
// Start-up, step by step.
// ---------------------------------------------------------------------------------------------

/// Every transport entry is initialized exactly once, only after the session starts, in profile
/// order, and each logon goes through its calls in the documented order: XPProviderInit,
/// TransportLogon, AddressTypes, TransportNotify(BEGIN), traffic, TransportLogoff, Shutdown.
#[test]
fn transports_are_initialized_once_each_after_the_session_starts() {
    // Spec: LIFE-1, LIFE-3, LIFE-8, INV-1, AMB-2, AMB-25, DEC-14
    // Nothing happens before the client logon finishes (AMB-25).
    let mut spooler = mapi_spooler::Spooler::new(&Profile::new(2)).expect("valid profile");
    let before = spooler.clone();
    assert_eq!(spooler.step(Input::SystemIdle), Err(Error::Caller(CallerError::NotStarted { got: "SystemIdle" })));
    assert_eq!(spooler, before);

    let mut sim = world(vec![smtp(), fax()]);
    assert_eq!(sim.calls().count(), 0);
    assert!(sim.feed(Input::Session(SessionRequest::Start)));
    // LIFE-1: the first call is XPProviderInit, with MAPI's SPI version.
    assert_eq!(
        sim.spooler().call_in_flight(),
        Some(&Call::XpProviderInit { transport: T0, mapi_version: SpiVersion::CURRENT, flags: XpInitFlags::EMPTY })
    );
    sim.run();
    // A second Start is refused.
    let mut again = sim.spooler().clone();
    assert_eq!(again.step(Input::Session(SessionRequest::Start)), Err(Error::Caller(CallerError::AlreadyStarted)));
    let m = send(&mut sim, draft(&[SMTP, FAX]));
    sim.shutdown();
    assert_clean(&sim);
    assert_eq!(outcome(&sim, m), FINISHED);

    // Profile order: T0 is initialized, logged on and registered before T1 is initialized (LIFE-8:
    // AddressTypes right after TransportLogon).
    let first_four: Vec<Call> = sim.calls().take(6).cloned().collect();
    assert_eq!(
        first_four,
        [
            Call::XpProviderInit { transport: T0, mapi_version: SpiVersion::CURRENT, flags: XpInitFlags::EMPTY },
            Call::TransportLogon { transport: T0, flags: LogonFlags::LOGON_NO_INBOUND | LogonFlags::LOGON_NO_OUTBOUND },
            Call::AddressTypes { transport: T0 },
            Call::XpProviderInit { transport: T1, mapi_version: SpiVersion::CURRENT, flags: XpInitFlags::EMPTY },
            Call::TransportLogon { transport: T1, flags: LogonFlags::LOGON_NO_INBOUND | LogonFlags::LOGON_NO_OUTBOUND },
            Call::AddressTypes { transport: T1 },
        ]
    );
    // DEC-14: every transport is registered before the first store is opened, and traffic is
    // enabled only once the stores' queues are read.
    let all: Vec<&Call> = sim.calls().collect();
    let last_registration = all.iter().rposition(|c| matches!(c, Call::AddressTypes { .. })).expect("AddressTypes");
    let first_store = call_index(&sim, |c| matches!(c, Call::SpoolerLogon { .. })).expect("SpoolerLogon");
    let queue_read = call_index(&sim, |c| matches!(c, Call::GetOutgoingQueue { .. })).expect("GetOutgoingQueue");
    let first_begin = call_index(&sim, |c| matches!(c, Call::TransportNotify { .. })).expect("TransportNotify");
    assert!(last_registration < first_store && queue_read < first_begin, "{}", sim.trace());
    // INV-1, per logon; one provider object per entry (AMB-2, LIFE-3): one XPProviderInit, one
    // Shutdown.
    for t in [T0, T1] {
        assert_eq!(
            methods_to(&sim, t),
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
            ],
            "{}",
            sim.trace()
        );
        let notifies: Vec<NotifyFlags> = calls_to(&sim, t)
            .into_iter()
            .filter_map(|c| match c {
                Call::TransportNotify { flags, .. } => Some(flags),
                _ => None,
            })
            .collect();
        assert_eq!(
            notifies,
            [
                NotifyFlags::NOTIFY_BEGIN_INBOUND | NotifyFlags::NOTIFY_BEGIN_OUTBOUND,
                NotifyFlags::NOTIFY_END_INBOUND | NotifyFlags::NOTIFY_END_OUTBOUND
            ]
        );
        assert_release_path(&sim, t, true, true);
    }
    assert_stopped_for_good(&sim);
}

/// The operational model's order: the transport creates its status row right after
/// AddressTypes, before it is told to begin traffic. The spooler accepts it (AMB-31).
#[test]
fn status_row_created_after_address_types_is_accepted() {
    // Spec: LIFE-9, AMB-31, INV-4
    let mut script = smtp();
    script.row_during_logon = false;
    let sim = started(vec![script]);
    assert_clean(&sim);
    let lines = trace_lines(&sim);
    let logon = line_of(&lines, "spooler <- T0.TransportLogon");
    let registered = line_of(&lines, "spooler <- T0.AddressTypes");
    let row = line_of(&lines, "T0 -> support.ModifyStatusRow(0,");
    let begin = line_of(&lines, "spooler <- T0.TransportNotify");
    assert!(logon < registered && registered < row && row < begin, "{}", sim.trace());
    // One row, created once, updated afterwards (INV-4).
    assert_eq!(lines.iter().filter(|l| l.starts_with("T0 -> support.ModifyStatusRow(0,")).count(), 1);
    let (ready, _, enabled, status_row, ..) = logged_on(&sim, T0);
    assert!(ready);
    assert_eq!(enabled, Directions::BOTH);
    assert_eq!(status_row, Some(StatusCode::STATUS_AVAILABLE | StatusCode::STATUS_INBOUND_ENABLED | StatusCode::STATUS_OUTBOUND_ENABLED));
    insta::assert_snapshot!(sim.trace());
}

/// MRXP and Kopano create their status row inside TransportLogon (`status-object-implementation.md`);
/// the spooler accepts that as well (AMB-31).
#[test]
fn status_row_created_during_transport_logon_is_accepted() {
    // Spec: LIFE-9, AMB-31, INV-4
    let mut script = smtp();
    script.row_during_logon = true;
    let sim = started(vec![script]);
    assert_clean(&sim);
    let lines = trace_lines(&sim);
    let logon_call = line_of(&lines, "spooler -> T0.TransportLogon");
    let row = line_of(&lines, "T0 -> support.ModifyStatusRow(0,");
    let logon = line_of(&lines, "spooler <- T0.TransportLogon");
    assert!(logon_call < row && row < logon, "{}", sim.trace());
    assert_eq!(lines.iter().filter(|l| l.starts_with("T0 -> support.ModifyStatusRow(0,")).count(), 1);
    let (_, _, _, status_row, ..) = logged_on(&sim, T0);
    assert_eq!(status_row, Some(StatusCode::STATUS_AVAILABLE | StatusCode::STATUS_INBOUND_ENABLED | StatusCode::STATUS_OUTBOUND_ENABLED));
}

/// A transport that has created no status row when its first TransportNotify(BEGIN) returns
/// breaks AMB-31's rule: the return is refused and the spooler is unchanged; once the transport
/// adds its row during the call, the same return is accepted.
#[test]
fn begin_returning_without_a_status_row_is_refused() {
    // Spec: LIFE-9, AMB-31, INV-4
    let mut script = smtp();
    script.row_during_logon = false;
    let mut sim = world(vec![script]);
    assert!(sim.feed(Input::Session(SessionRequest::Start)));
    assert!(sim.run_until_call(|c| matches!(c, Call::AddressTypes { .. })));
    // Answered by hand, so that the simulated transport does not create its row afterwards.
    assert!(sim.feed(Input::Return(Return::AddressTypes { transport: T0, result: Ok(Registrations::address_types([SMTP])) })));
    assert!(sim.run_until_call(|c| matches!(c, Call::TransportNotify { .. })));
    let begin = NotifyFlags::NOTIFY_BEGIN_INBOUND | NotifyFlags::NOTIFY_BEGIN_OUTBOUND;
    assert_eq!(sim.spooler().call_in_flight(), Some(&Call::TransportNotify { transport: T0, flags: begin, message: None }));
    let before = sim.spooler().clone();
    let ret = Input::Return(Return::TransportNotify { transport: T0, flags: begin, result: Hresult::S_OK });
    assert!(!sim.feed(ret.clone()));
    assert_eq!(sim.refused(), [Error::Provider { transport: T0, fault: ProviderFault::NoStatusRowAtBegin { flags: begin } }]);
    assert_eq!(*sim.spooler(), before);
    // Updating a row that does not exist is refused too (INV-4).
    let update =
        SupportCall::ModifyStatusRow { transport: T0, flags: StatusRowFlags::STATUSROW_UPDATE, status: StatusCode::STATUS_AVAILABLE };
    assert!(!sim.feed(Input::Support(update)));
    assert_eq!(sim.refused()[1], Error::Provider { transport: T0, fault: ProviderFault::NoStatusRow });
    // The row created during the call is in time.
    let status = StatusCode::STATUS_AVAILABLE | StatusCode::STATUS_INBOUND_ENABLED | StatusCode::STATUS_OUTBOUND_ENABLED;
    assert!(sim.feed(Input::Support(SupportCall::ModifyStatusRow { transport: T0, flags: StatusRowFlags::EMPTY, status })));
    assert!(sim.feed(ret));
    assert_eq!(enabled(&sim, T0), Directions::BOTH);
    // A second ModifyStatusRow(0) would add a second row (INV-4).
    let second = SupportCall::ModifyStatusRow { transport: T0, flags: StatusRowFlags::EMPTY, status };
    assert!(!sim.feed(Input::Support(second)));
    assert_eq!(sim.refused()[2], Error::Provider { transport: T0, fault: ProviderFault::StatusRowExists });
}

/// At the first logon the stores are not open, so TransportLogon gets LOGON_NO_INBOUND |
/// LOGON_NO_OUTBOUND; the spooler begins traffic with TransportNotify only once the store is
/// open.
#[test]
fn first_logon_holds_traffic_until_transport_notify_begins_it() {
    // Spec: LIFE-4, LIFE-10, LIFE-19, INV-1, DEC-14
    let mut sim = world(vec![smtp(), fax()]);
    assert!(sim.feed(Input::Session(SessionRequest::Start)));
    assert!(sim.run_until_call(|c| matches!(c, Call::SpoolerLogon { .. })));
    for t in [T0, T1] {
        let (ready, _, enabled, ..) = logged_on(&sim, t);
        assert!(ready);
        assert_eq!(enabled, Directions::NONE, "{t} must not be enabled before the stores are open");
        assert!(!methods_to(&sim, t).contains(&"TransportNotify"));
    }
    sim.run();
    assert_clean(&sim);
    let logon_flags: Vec<LogonFlags> = sim
        .calls()
        .filter_map(|c| match c {
            Call::TransportLogon { flags, .. } => Some(*flags),
            _ => None,
        })
        .collect();
    assert_eq!(logon_flags, [LogonFlags::LOGON_NO_INBOUND | LogonFlags::LOGON_NO_OUTBOUND; 2]);
    let queue_read = call_index(&sim, |c| matches!(c, Call::GetOutgoingQueue { .. })).expect("the queue is read");
    for t in [T0, T1] {
        let begin = call_index(&sim, |c| matches!(c, Call::TransportNotify { transport, .. } if *transport == t)).expect("BEGIN");
        assert!(queue_read < begin, "{t} enabled before the store was open\n{}", sim.trace());
        assert_eq!(enabled(&sim, t), Directions::BOTH);
    }
}

/// The TransportLogon input flags and the directions the spooler enables are the spooler's
/// settings: here LOGON_NO_DIALOG is added and only outbound traffic is begun.
#[test]
fn logon_flags_and_enabled_directions_come_from_the_settings() {
    // Spec: LIFE-4, LIFE-10
    let settings = Settings {
        logon_flags: LogonFlags::LOGON_NO_DIALOG | LogonFlags::LOGON_NO_INBOUND | LogonFlags::LOGON_NO_OUTBOUND,
        enable: Directions::OUTBOUND,
        ..Settings::default()
    };
    let mut sim = world_with(&services(&[0], settings), vec![smtp()]);
    sim.start();
    assert_clean(&sim);
    assert_eq!(
        calls_to(&sim, T0)[1],
        Call::TransportLogon {
            transport: T0,
            flags: LogonFlags::LOGON_NO_DIALOG | LogonFlags::LOGON_NO_INBOUND | LogonFlags::LOGON_NO_OUTBOUND
        }
    );
    assert_eq!(calls_to(&sim, T0)[3], Call::TransportNotify { transport: T0, flags: NotifyFlags::NOTIFY_BEGIN_OUTBOUND, message: None });
    assert_eq!(enabled(&sim, T0), Directions::OUTBOUND);
    let m = send(&mut sim, draft(&[SMTP]));
    assert_eq!(dispositions(&sim, m), [taken_by(T0)]);
}

/// Inside a Windows service the spooler passes MAPI_NT_SERVICE to every XPProviderInit.
#[test]
fn xpproviderinit_gets_mapi_nt_service_inside_a_windows_service() {
    // Spec: LIFE-2, LIFE-1
    let settings = Settings { init_flags: XpInitFlags::MAPI_NT_SERVICE, ..Settings::default() };
    let mut sim = world_with(&services(&[0, 1], settings), vec![smtp(), fax()]);
    sim.start();
    assert_clean(&sim);
    let inits: Vec<Call> = sim.calls().filter(|c| matches!(c, Call::XpProviderInit { .. })).cloned().collect();
    assert_eq!(
        inits,
        [
            Call::XpProviderInit { transport: T0, mapi_version: SpiVersion::CURRENT, flags: XpInitFlags::MAPI_NT_SERVICE },
            Call::XpProviderInit { transport: T1, mapi_version: SpiVersion::CURRENT, flags: XpInitFlags::MAPI_NT_SERVICE },
        ]
    );
    // The flag changes nothing else: both transports log on.
    assert!(logged_on(&sim, T0).0 && logged_on(&sim, T1).0);
}

/// The support object belongs to a logon (AMB-1): a transport calling it before TransportLogon
/// or after TransportLogoff meets an invalid object (MAPI_E_INVALID_OBJECT).
#[test]
fn support_object_exists_only_during_a_logon() {
    // Spec: AMB-1, ERR-17, INV-2
    let mut sim = world(vec![smtp(), fax()]);
    assert!(sim.feed(Input::Session(SessionRequest::Start)));
    assert_eq!(sim.spooler().call_in_flight().map(Call::method), Some("XPProviderInit"));
    let row = |t| {
        Input::Support(SupportCall::ModifyStatusRow { transport: t, flags: StatusRowFlags::EMPTY, status: StatusCode::STATUS_AVAILABLE })
    };
    let before = sim.spooler().clone();
    assert!(!sim.feed(row(T0)));
    let no_logon = Error::Provider { transport: T0, fault: ProviderFault::NoLogon { call: "ModifyStatusRow" } };
    assert_eq!(sim.refused(), std::slice::from_ref(&no_logon));
    assert_eq!(no_logon.hresult(), Hresult::MAPI_E_INVALID_OBJECT);
    assert_eq!(*sim.spooler(), before);
    // Inside TransportLogon the support object exists (the simulated transport uses it there).
    sim.run();
    assert_eq!(sim.refused().len(), 1);
    // After T0's TransportLogoff, while T0's Shutdown is in flight.
    assert!(sim.feed(Input::Session(SessionRequest::Shutdown)));
    assert!(sim.run_until_call(|c| *c == Call::Shutdown { transport: T0 }));
    let before = sim.spooler().clone();
    assert!(!sim.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_READYTOSEND)));
    let refused = Error::Provider { transport: T0, fault: ProviderFault::NoLogon { call: "SpoolerNotify" } };
    assert_eq!(sim.refused().last(), Some(&refused));
    assert_eq!(refused.hresult(), Hresult::MAPI_E_INVALID_OBJECT);
    assert_eq!(*sim.spooler(), before);
    sim.run();
    assert_eq!(sim.refused().len(), 2, "{}", sim.trace());
    assert_stopped_for_good(&sim);
}

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
