//! Start-up, step by step.

use super::*;

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
