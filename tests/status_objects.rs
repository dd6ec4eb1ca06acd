//! Conformance scenarios: status objects and send or receive on demand
//! (`imapistatus-validatestate.md`, `imapistatus-flushqueues.md`, `imapistatus-settingsdialog.md`,
//! `imapistatus-changepassword.md`, `ixplogon-openstatusentry.md`, `ixplogon-validatestate.md`,
//! `ixplogon-flushqueues.md`, `implementing-the-flushqueues-method.md`).

mod common;

use common::*;
use mapi_spooler::sim::Sim;
use mapi_spooler::{
    Call, Caller, Effect, FlushFlags, FlushView, Hresult, Input, LogonCaps, NotifyFlags, PasswordFlags, ResourceFlags, ResourceMethods,
    ResourceType, SettingsFlags, SpoolerNotifyFlags, StatusCode, StatusColumns, StatusRequest, StatusResource, StatusRowFlags, SupportCall,
    TransportId, ValidateFlags,
};

const T0: TransportId = TransportId(0);
const T1: TransportId = TransportId(1);

/// Feeds a client's status call.
fn client(sim: &mut Sim, request: StatusRequest) {
    assert!(sim.feed(Input::Status(request)), "the status call was refused:\n{}", sim.trace());
}

/// Every answer the spooler gave a client so far, in order.
fn answers(sim: &Sim) -> Vec<(StatusRequest, Hresult)> {
    sim.effects()
        .iter()
        .filter_map(|e| match e {
            Effect::StatusAnswer { request, result } => Some((*request, *result)),
            _ => None,
        })
        .collect()
}

fn flush(target: Option<TransportId>, flags: FlushFlags) -> StatusRequest {
    StatusRequest::FlushQueues { target, flags: flags.bits() }
}

fn validate(flags: ValidateFlags) -> StatusRequest {
    StatusRequest::ValidateState { flags: flags.bits() }
}

fn notify_call(t: TransportId, flags: NotifyFlags) -> Call {
    Call::TransportNotify { transport: t, flags, message: None }
}

/// The calls made to a transport from the first `FlushQueues` on, by method and flags.
fn flush_calls(sim: &Sim, t: TransportId) -> Vec<String> {
    let calls = calls_to(sim, t);
    let from = calls.iter().position(|c| matches!(c, Call::FlushQueues { .. })).expect("a flush began");
    calls[from..].iter().map(ToString::to_string).collect()
}

// ---------------------------------------------------------------------------------------------
// ValidateState
// ---------------------------------------------------------------------------------------------

/// ValidateState on the spooler object is forwarded to every active logon in transport order,
/// and answered once the last one returned (STAT-11, AMB-26, DEC-31).
#[test]
fn validate_state_is_forwarded_to_every_active_logon_in_transport_order() {
    // Spec: STAT-9, STAT-11, STAT-12, AMB-26, DEC-31, AMB-41
    let mut sim = started(vec![smtp(), fax()]);
    sim.feed(Input::TransportOrder(vec![T1, T0]));
    let request = validate(ValidateFlags::SUPPRESS_UI);
    client(&mut sim, request);
    sim.run();
    assert_clean(&sim);
    let validated: Vec<TransportId> = sim.calls().filter(|c| matches!(c, Call::ValidateState { .. })).filter_map(Call::transport).collect();
    assert_eq!(validated, [T1, T0]);
    assert_eq!(answers(&sim), [(request, Hresult::S_OK)]);
    insta::assert_snapshot!(sim.trace());
}

/// ValidateState(CONFIG_CHANGED) on the spooler object queries every transport's address types
/// again (STAT-11, STAT-16, ORD-9).
#[test]
fn validate_state_config_changed_queries_the_address_types_again() {
    // Spec: STAT-11, STAT-16, ORD-9, DEC-31
    let mut sim = started(vec![smtp(), fax()]);
    let before = sim.calls().filter(|c| matches!(c, Call::AddressTypes { .. })).count();
    let request = validate(ValidateFlags::CONFIG_CHANGED);
    client(&mut sim, request);
    sim.run();
    assert_clean(&sim);
    let after = sim.calls().filter(|c| matches!(c, Call::AddressTypes { .. })).count();
    assert_eq!(after - before, 2, "AddressTypes once more for each transport");
    assert_eq!(answers(&sim), [(request, Hresult::S_OK)]);
    insta::assert_snapshot!(sim.trace());
}

/// ValidateState(CONFIG_CHANGED) queries the address types of every active transport again,
/// whatever each answered: a transport that answers MAPI_E_NO_SUPPORT or MAPI_E_BUSY is asked
/// too, and no message goes to it before its new registrations are in (STAT-11, STAT-12, ORD-9).
#[test]
fn validate_state_config_changed_requeries_transports_that_answer_no_support_or_busy() {
    // Spec: STAT-11, STAT-12, ORD-9, DEC-31
    let mut sim = started(vec![smtp().validates([Hresult::MAPI_E_NO_SUPPORT]), fax().validates([Hresult::MAPI_E_BUSY])]);
    let calls = sim.calls().count();
    let request = validate(ValidateFlags::CONFIG_CHANGED);
    client(&mut sim, request);
    let m = sim.submit(S0, draft(&[SMTP, FAX])).unwrap();
    sim.run();
    assert_clean(&sim);
    for t in [T0, T1] {
        // The calls to this transport from the validation on: AddressTypes follows
        // ValidateState, and no message goes to it in between.
        let to_t: Vec<&str> = sim.calls().skip(calls).filter(|c| c.transport() == Some(t)).map(Call::method).collect();
        let from = to_t.iter().position(|m| *m == "ValidateState").expect("validated");
        let window: Vec<&str> = to_t[from..].iter().copied().take_while(|m| *m != "AddressTypes").collect();
        assert!(to_t[from..].contains(&"AddressTypes"), "{t} is asked AddressTypes again: {to_t:?}");
        assert!(!window.contains(&"SubmitMessage"), "no message to {t} before its new registrations: {to_t:?}");
    }
    assert_eq!(answers(&sim), [(request, Hresult::MAPI_E_BUSY)]);
    assert_eq!(dispositions(&sim, m), [taken_by(T0), taken_by(T1)]);
    insta::assert_snapshot!(sim.trace());
}

/// The client gets the first failure a transport reports; a transport's MAPI_E_NO_SUPPORT does
/// not count (DEC-31, ERR-13).
#[test]
fn validate_state_answers_the_first_failure_a_transport_reports() {
    // Spec: ERR-13, DEC-31, STAT-11
    let mut sim = started(vec![smtp().validates([Hresult::MAPI_E_NO_SUPPORT]), fax().validates([Hresult::MAPI_E_USER_CANCEL])]);
    let request = validate(ValidateFlags::EMPTY);
    client(&mut sim, request);
    sim.run();
    assert_clean(&sim);
    assert_eq!(answers(&sim), [(request, Hresult::MAPI_E_USER_CANCEL)]);
}

/// A transport inside a critical section answers MAPI_E_BUSY, and so the client does too
/// (STAT-13, ERR-13).
#[test]
fn validate_state_inside_a_critical_section_is_busy() {
    // Spec: STAT-13, ERR-13, DEC-31
    let mut sim = started(vec![smtp()]);
    assert!(sim.feed(Input::Support(SupportCall::SpoolerNotify {
        caller: mapi_spooler::Caller::Transport(T0),
        flags: SpoolerNotifyFlags::NOTIFY_CRITSEC,
        message: None,
    })));
    let request = validate(ValidateFlags::EMPTY);
    client(&mut sim, request);
    sim.run();
    assert_clean(&sim);
    assert_eq!(answers(&sim), [(request, Hresult::MAPI_E_BUSY)]);
    insta::assert_snapshot!(sim.trace());
}

/// Undefined bits are answered MAPI_E_UNKNOWN_FLAGS before any transport is called, for every
/// method of the spooler object (STAT-12, ERR-13).
#[test]
fn undefined_flags_are_answered_unknown_flags() {
    // Spec: STAT-12, STAT-14, STAT-15, STAT-17, ERR-13
    let mut sim = started(vec![smtp()]);
    let calls = sim.calls().count();
    let requests = [
        StatusRequest::ValidateState { flags: 0x0000_0002 },
        StatusRequest::FlushQueues { target: None, flags: 0x0000_0040 },
        StatusRequest::SettingsDialog { flags: 0x0000_0002 },
        StatusRequest::ChangePassword { flags: 0x0000_0001 },
    ];
    for request in requests {
        client(&mut sim, request);
    }
    sim.run();
    assert_clean(&sim);
    assert_eq!(sim.calls().count(), calls, "no transport is called");
    let unknown: Vec<_> = requests.iter().map(|r| (*r, Hresult::MAPI_E_UNKNOWN_FLAGS)).collect();
    assert_eq!(answers(&sim), unknown);
}

// ---------------------------------------------------------------------------------------------
// SettingsDialog, ChangePassword, OpenEntry, the rows' columns
// ---------------------------------------------------------------------------------------------

/// The spooler's status object supports neither SettingsDialog nor ChangePassword, as its
/// PR_RESOURCE_METHODS says (STAT-6, STAT-9, STAT-14, STAT-15).
#[test]
fn settings_dialog_and_change_password_on_the_spooler_are_not_supported() {
    // Spec: STAT-6, STAT-9, STAT-14, STAT-15, ERR-13
    let mut sim = started(vec![smtp()]);
    let spooler_row = sim.spooler().status_table()[0];
    assert_eq!(spooler_row.resource, StatusResource::Spooler);
    assert_eq!(spooler_row.methods, ResourceMethods::STATUS_VALIDATE_STATE | ResourceMethods::STATUS_FLUSH_QUEUES);
    assert!(!spooler_row.methods.intersects(ResourceMethods::STATUS_SETTINGS_DIALOG | ResourceMethods::STATUS_CHANGE_PASSWORD));
    let dialog = StatusRequest::SettingsDialog { flags: SettingsFlags::UI_READONLY.bits() };
    let password = StatusRequest::ChangePassword { flags: PasswordFlags::MAPI_UNICODE.bits() };
    client(&mut sim, dialog);
    client(&mut sim, password);
    sim.run();
    assert_clean(&sim);
    assert_eq!(answers(&sim), [(dialog, Hresult::MAPI_E_NO_SUPPORT), (password, Hresult::MAPI_E_NO_SUPPORT)]);
    insta::assert_snapshot!(sim.trace());
}

/// Opening a transport's row makes the spooler call OpenStatusEntry and hand the result to the
/// client (STAT-10).
#[test]
fn opening_a_transport_row_calls_open_status_entry() {
    // Spec: STAT-10, STAT-1
    let mut sim = started(vec![smtp(), fax()]);
    let request = StatusRequest::OpenEntry { transport: T1 };
    client(&mut sim, request);
    sim.run();
    assert_clean(&sim);
    assert_eq!(calls_to(&sim, T1).last(), Some(&Call::OpenStatusEntry { transport: T1 }));
    assert_eq!(answers(&sim), [(request, Hresult::S_OK)]);
    insta::assert_snapshot!(sim.trace());
}

/// A row that leaves the table before the spooler could open it (its transport raised a critical
/// error while the spooler was busy) is not opened; the client is told the entry is gone
/// (STAT-10, LIFE-17).
#[test]
fn opening_a_row_that_left_the_table_meanwhile_is_answered_not_found() {
    // Spec: STAT-10, LIFE-17
    let mut sim = started(vec![smtp(), fax()]);
    sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SetLockState { .. })));
    let request = StatusRequest::OpenEntry { transport: T1 };
    client(&mut sim, request);
    let critical =
        SupportCall::SpoolerNotify { caller: Caller::Transport(T1), flags: SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR, message: None };
    assert!(sim.feed(Input::Support(critical)));
    sim.run();
    assert_clean(&sim);
    assert!(!calls_to(&sim, T1).contains(&Call::OpenStatusEntry { transport: T1 }), "{}", sim.trace());
    assert_eq!(answers(&sim), [(request, Hresult::MAPI_E_NOT_FOUND)]);
}

/// A transport's row shows the PR_RESOURCE_METHODS and PR_RESOURCE_FLAGS it passed, MAPI's
/// PR_RESOURCE_TYPE, and keeps them through updates that pass only PR_STATUS_CODE (STAT-2,
/// STAT-6 to STAT-8, DEC-30).
#[test]
fn a_transport_row_carries_the_columns_it_passed() {
    // Spec: STAT-2, STAT-6, STAT-7, STAT-8, DEC-30
    let mut sim = started(vec![smtp()]);
    let methods = ResourceMethods::STATUS_VALIDATE_STATE | ResourceMethods::STATUS_FLUSH_QUEUES | ResourceMethods::STATUS_SETTINGS_DIALOG;
    let columns = StatusColumns { methods, resource_flags: ResourceFlags::STATUS_PRIMARY_IDENTITY };
    let status = StatusCode::STATUS_AVAILABLE | StatusCode::STATUS_INBOUND_ENABLED | StatusCode::STATUS_OUTBOUND_ENABLED;
    let update = StatusRowFlags::STATUSROW_UPDATE;
    assert!(sim.feed(Input::Support(SupportCall::ModifyStatusRowColumns { transport: T0, flags: update, status, columns })));
    let offline = status | StatusCode::STATUS_OFFLINE;
    assert!(sim.feed(Input::Support(SupportCall::ModifyStatusRow { transport: T0, flags: update, status: offline })));
    let row = sim.spooler().status_table()[1];
    assert_eq!(row.resource.resource_type(), ResourceType::MAPI_TRANSPORT_PROVIDER);
    assert_eq!(StatusResource::Spooler.resource_type() as u32, 37);
    assert_eq!((row.status, row.methods, row.resource_flags), (offline, methods, ResourceFlags::STATUS_PRIMARY_IDENTITY));
    // AMB-11: "online" is STATUS_AVAILABLE without STATUS_OFFLINE.
    assert!(status.is_online());
    assert!(!offline.is_online());
    sim.run();
    assert_clean(&sim);
}

/// EnumAdrTypes reports only the transports loaded now (ORD-8).
#[test]
fn enum_adr_types_reports_the_loaded_transports_only() {
    // Spec: ORD-8
    let mut sim = started(vec![smtp(), fax()]);
    assert_eq!(sim.spooler().loaded_address_types().iter().map(|(t, _)| *t).collect::<Vec<_>>(), [T0, T1]);
    assert!(sim.feed(Input::Support(SupportCall::SpoolerNotify {
        caller: mapi_spooler::Caller::Transport(T0),
        flags: SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR,
        message: None,
    })));
    sim.run();
    assert_eq!(sim.spooler().loaded_address_types().iter().map(|(t, _)| *t).collect::<Vec<_>>(), [T1]);
    assert_clean(&sim);
}

// ---------------------------------------------------------------------------------------------
// FlushQueues: each direction
// ---------------------------------------------------------------------------------------------

/// An upload flush: FlushQueues, BEGIN_OUTBOUND_FLUSH, the ordinary send loop for a message
/// queued meanwhile, END_OUTBOUND_FLUSH; the transport clears its bit; the synchronous client
/// is answered at the end (STAT-17 to STAT-20, AMB-12, AMB-13).
#[test]
fn flush_upload_sends_the_queued_message_inside_the_outbound_half() {
    // Spec: STAT-17, STAT-19, STAT-20, STAT-21, AMB-12, AMB-13, AMB-16, ERR-18, DEC-32, DEC-33
    let mut sim = started(vec![smtp()]);
    let request = flush(None, FlushFlags::FLUSH_UPLOAD | FlushFlags::FLUSH_FORCE);
    client(&mut sim, request);
    assert!(sim.run_until_call(|c| *c == notify_call(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH)));
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    sim.run();
    assert_clean(&sim);
    assert_eq!(
        flush_calls(&sim, T0),
        [
            "T0.FlushQueues(0, 0, NULL, FLUSH_UPLOAD|FLUSH_FORCE)",
            "T0.TransportNotify(NOTIFY_BEGIN_OUTBOUND_FLUSH)",
            &format!("T0.SubmitMessage(ulFlags=0, {m}, responsibility FALSE for {{0}})"),
            "T0.EndMessage(ulMsgRef=1)",
            "T0.TransportNotify(NOTIFY_END_OUTBOUND_FLUSH)",
        ]
    );
    assert_eq!(dispositions(&sim, m), [taken_by(T0)]);
    assert_eq!(answers(&sim), [(request, Hresult::S_OK)]);
    assert!(!sim.spooler().status_table()[1].status.intersects(StatusCode::STATUS_OUTBOUND_FLUSH), "the bit is cleared");
    insta::assert_snapshot!(sim.trace());
}

/// A download flush: the StartMessage loop runs inside BEGIN and END_INBOUND_FLUSH until the
/// transport has nothing left, without Poll (STAT-20, AMB-14).
#[test]
fn flush_download_fetches_until_the_transport_has_nothing_left() {
    // Spec: STAT-17, STAT-19, STAT-20, STAT-21, AMB-12, AMB-13, DEC-32
    let polled = smtp().logons([Ok(LogonCaps::LOGON_SP_POLL)]).receives(["IPM.Note", "IPM.Note"]);
    let mut sim = started(vec![polled]);
    let request = flush(Some(T0), FlushFlags::FLUSH_DOWNLOAD | FlushFlags::FLUSH_NO_UI);
    client(&mut sim, request);
    sim.run();
    assert_clean(&sim);
    let calls = flush_calls(&sim, T0);
    assert_eq!(calls.first().map(String::as_str), Some("T0.FlushQueues(0, 0, NULL, FLUSH_DOWNLOAD|FLUSH_NO_UI)"));
    assert_eq!(calls[1], "T0.TransportNotify(NOTIFY_BEGIN_INBOUND_FLUSH)");
    assert_eq!(calls.iter().filter(|c| c.contains("StartMessage")).count(), 3, "two messages, then nothing");
    assert_eq!(calls.last().map(String::as_str), Some("T0.TransportNotify(NOTIFY_END_INBOUND_FLUSH)"));
    assert!(!calls.iter().any(|c| c.contains("Poll")));
    assert_eq!(answers(&sim), [(request, Hresult::S_OK)]);
    insta::assert_snapshot!(sim.trace());
}

/// Both directions: the outbound half, then the inbound half (STAT-20).
#[test]
fn flush_both_directions_runs_the_outbound_half_then_the_inbound_half() {
    // Spec: STAT-20, AMB-13, AMB-12
    let mut sim = started(vec![smtp().logons([Ok(LogonCaps::LOGON_SP_POLL)]).receives(["IPM.Note"])]);
    let request = flush(None, FlushFlags::FLUSH_UPLOAD | FlushFlags::FLUSH_DOWNLOAD);
    client(&mut sim, request);
    sim.run();
    assert_clean(&sim);
    let notifies: Vec<String> = flush_calls(&sim, T0).into_iter().filter(|c| c.contains("FLUSH") && !c.contains("FlushQueues")).collect();
    assert_eq!(
        notifies,
        [
            "T0.TransportNotify(NOTIFY_BEGIN_OUTBOUND_FLUSH)",
            "T0.TransportNotify(NOTIFY_END_OUTBOUND_FLUSH)",
            "T0.TransportNotify(NOTIFY_BEGIN_INBOUND_FLUSH)",
            "T0.TransportNotify(NOTIFY_END_INBOUND_FLUSH)",
        ]
    );
    assert_eq!(answers(&sim), [(request, Hresult::S_OK)]);
    insta::assert_snapshot!(sim.trace());
}

/// A disable that comes while `NOTIFY_END_OUTBOUND_FLUSH` is in flight is housekeeping: its
/// `TransportNotify(NOTIFY_END_OUTBOUND)` goes first (DEC-20), and the inbound half still begins
/// with its own `NOTIFY_BEGIN_INBOUND_FLUSH` (STAT-20).
#[test]
fn a_disable_between_the_two_halves_of_a_flush_does_not_begin_the_inbound_half() {
    // Spec: STAT-20, DEC-20, LIFE-12
    let mut sim = started(vec![smtp().logons([Ok(LogonCaps::LOGON_SP_POLL)]).receives(["IPM.Note"])]);
    client(&mut sim, flush(None, FlushFlags::FLUSH_UPLOAD | FlushFlags::FLUSH_DOWNLOAD));
    let end_outbound_flush =
        |c: &Call| matches!(c, Call::TransportNotify { flags, .. } if flags.contains(NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH));
    assert!(sim.run_until_call(end_outbound_flush));
    assert!(
        sim.feed(Input::Session(mapi_spooler::SessionRequest::Disable { transport: T0, directions: mapi_spooler::Directions::OUTBOUND }))
    );
    sim.run();
    assert_clean(&sim);
    let notifies: Vec<String> = flush_calls(&sim, T0).into_iter().filter(|c| c.contains("TransportNotify")).collect();
    assert_eq!(
        notifies,
        [
            "T0.TransportNotify(NOTIFY_BEGIN_OUTBOUND_FLUSH)",
            "T0.TransportNotify(NOTIFY_END_OUTBOUND_FLUSH)",
            "T0.TransportNotify(NOTIFY_END_OUTBOUND)",
            "T0.TransportNotify(NOTIFY_BEGIN_INBOUND_FLUSH)",
            "T0.TransportNotify(NOTIFY_END_INBOUND_FLUSH)",
        ],
        "{}",
        sim.trace()
    );
}

/// Several transports: one flush at a time, in the transport order, and the client is
/// answered after the last one (ORD-12, STAT-20, DEC-33).
#[test]
fn a_flush_of_every_transport_visits_them_one_at_a_time_in_transport_order() {
    // Spec: ORD-12, ORD-7, STAT-20, STAT-23, DEC-33
    let mut sim = started(vec![smtp(), fax()]);
    sim.feed(Input::TransportOrder(vec![T1, T0]));
    let request = flush(None, FlushFlags::FLUSH_UPLOAD);
    client(&mut sim, request);
    sim.run();
    assert_clean(&sim);
    let order: Vec<String> = sim
        .calls()
        .filter(|c| matches!(c, Call::FlushQueues { .. } | Call::TransportNotify { .. }))
        .skip_while(|c| !matches!(c, Call::FlushQueues { .. }))
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        order,
        [
            "T1.FlushQueues(0, 0, NULL, FLUSH_UPLOAD)",
            "T1.TransportNotify(NOTIFY_BEGIN_OUTBOUND_FLUSH)",
            "T1.TransportNotify(NOTIFY_END_OUTBOUND_FLUSH)",
            "T0.FlushQueues(0, 0, NULL, FLUSH_UPLOAD)",
            "T0.TransportNotify(NOTIFY_BEGIN_OUTBOUND_FLUSH)",
            "T0.TransportNotify(NOTIFY_END_OUTBOUND_FLUSH)",
        ]
    );
    assert_eq!(answers(&sim), [(request, Hresult::S_OK)]);
    insta::assert_snapshot!(sim.trace());
}

/// FLUSH_ASYNC_OK: the client is answered MAPI_E_BUSY at once and the flush runs after; the
/// transport is never passed FLUSH_ASYNC_OK (STAT-17, STAT-19).
#[test]
fn an_asynchronous_flush_is_answered_busy_at_once() {
    // Spec: STAT-17, STAT-19, ERR-13
    let mut sim = started(vec![smtp()]);
    let request = flush(None, FlushFlags::FLUSH_UPLOAD | FlushFlags::FLUSH_ASYNC_OK);
    client(&mut sim, request);
    assert_eq!(answers(&sim), [(request, Hresult::MAPI_E_BUSY)], "answered before any flush call returns");
    assert_eq!(sim.spooler().call_in_flight(), Some(&Call::FlushQueues { transport: T0, flags: FlushFlags::FLUSH_UPLOAD }));
    sim.run();
    assert_clean(&sim);
    assert_eq!(answers(&sim).len(), 1);
    insta::assert_snapshot!(sim.trace());
}

/// A second synchronous call while one is served gets MAPI_E_BUSY (ERR-13, STAT-17).
#[test]
fn a_synchronous_call_while_another_is_served_is_busy() {
    // Spec: ERR-13, STAT-17, STAT-12
    let mut sim = started(vec![smtp()]);
    let first = flush(None, FlushFlags::FLUSH_UPLOAD);
    client(&mut sim, first);
    let second = validate(ValidateFlags::EMPTY);
    let third = flush(Some(T0), FlushFlags::FLUSH_DOWNLOAD);
    client(&mut sim, second);
    client(&mut sim, third);
    sim.run();
    assert_clean(&sim);
    assert_eq!(answers(&sim), [(second, Hresult::MAPI_E_BUSY), (third, Hresult::MAPI_E_BUSY), (first, Hresult::S_OK)]);
}

/// A transport that sets its own flush bit (as its status object's FlushQueues does) gets a
/// flush of that direction; the flush bit it clears before FlushQueues is called cancels it
/// (STAT-18, STAT-22, DEC-32).
#[test]
fn a_transport_setting_its_flush_bit_gets_a_flush() {
    // Spec: STAT-18, STAT-22, AMB-13, DEC-32
    let mut sim = started(vec![smtp()]);
    let enabled = sim.spooler().status_table()[1].status;
    let row = |status| Input::Support(SupportCall::ModifyStatusRow { transport: T0, flags: StatusRowFlags::STATUSROW_UPDATE, status });
    // Set, then cleared before the spooler could call: nothing happens. A call in flight keeps
    // the spooler from starting the flush at once.
    sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    assert!(sim.feed(row(enabled | StatusCode::STATUS_OUTBOUND_FLUSH)));
    assert_eq!(sim.spooler().flush_view(T0), Some(FlushView::Due(FlushFlags::FLUSH_UPLOAD)));
    assert!(sim.feed(row(enabled)));
    assert_eq!(sim.spooler().flush_view(T0), None);
    sim.run();
    assert!(!sim.calls().any(|c| matches!(c, Call::FlushQueues { .. })));
    // Set and left: the flush runs.
    assert!(sim.feed(row(enabled | StatusCode::STATUS_INBOUND_FLUSH)));
    sim.run();
    assert_clean(&sim);
    assert_eq!(sim.calls().filter(|c| matches!(c, Call::FlushQueues { .. })).count(), 1);
    assert_eq!(sim.calls().last(), Some(&notify_call(T0, NotifyFlags::NOTIFY_END_INBOUND_FLUSH)));
    assert_eq!(answers(&sim), [], "no client waits for it");
    insta::assert_snapshot!(sim.trace());
}

// ---------------------------------------------------------------------------------------------
// Flushes that end otherwise (LIV-5)
// ---------------------------------------------------------------------------------------------

/// The session ends in the middle of a flush: the spooler ends it with both END flush flags in
/// one call before disabling the transport, and the client is answered (STAT-20, LIV-5).
#[test]
fn a_flush_cut_short_by_the_end_of_the_session_ends_with_both_end_flags() {
    // Spec: STAT-20, LIV-5, DEC-33, LIFE-12
    let mut sim = started(vec![smtp()]);
    let request = flush(None, FlushFlags::FLUSH_UPLOAD | FlushFlags::FLUSH_DOWNLOAD);
    client(&mut sim, request);
    assert!(sim.run_until_call(|c| *c == notify_call(T0, NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH)));
    sim.shutdown();
    assert_clean(&sim);
    let ends = NotifyFlags::NOTIFY_END_INBOUND_FLUSH | NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH;
    let calls = calls_to(&sim, T0);
    let at = calls.iter().position(|c| *c == notify_call(T0, ends)).expect("the shutdown form");
    assert_eq!(calls[at + 1], notify_call(T0, NotifyFlags::NOTIFY_END_INBOUND | NotifyFlags::NOTIFY_END_OUTBOUND));
    assert!(!calls.contains(&notify_call(T0, NotifyFlags::NOTIFY_BEGIN_INBOUND_FLUSH)));
    assert_eq!(answers(&sim), [(request, Hresult::S_OK)]);
    insta::assert_snapshot!(sim.trace());
}

/// A transport that raises a critical error during its flush gets only the release calls; the
/// client is answered and the next transport's flush goes ahead (LIFE-17, LIV-5, DEC-33).
#[test]
fn a_critical_error_during_a_flush_ends_it_with_the_transport() {
    // Spec: LIFE-17, LIV-5, DEC-33, ORD-12
    let mut sim = started(vec![smtp(), fax()]);
    let request = flush(None, FlushFlags::FLUSH_UPLOAD);
    client(&mut sim, request);
    assert!(sim.run_until_call(|c| *c == notify_call(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH)));
    assert!(sim.feed(Input::Support(SupportCall::SpoolerNotify {
        caller: mapi_spooler::Caller::Transport(T0),
        flags: SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR,
        message: None,
    })));
    sim.run();
    assert_clean(&sim);
    let after: Vec<&str> = flush_calls(&sim, T0).iter().skip(2).map(|c| if c.contains("Logoff") { "logoff" } else { "other" }).collect();
    assert_eq!(after.first(), Some(&"logoff"), "only the release path after the critical error");
    assert!(sim.calls().any(|c| *c == Call::FlushQueues { transport: T1, flags: FlushFlags::FLUSH_UPLOAD }));
    assert_eq!(answers(&sim), [(request, Hresult::S_OK)]);
}

/// The session disables a transport's outbound traffic in the middle of its upload: the
/// END_OUTBOUND comes first (transport housekeeping), the flush still ends, and a message for
/// the transport waits for it to be enabled again instead of being lost (LIV-5, LIFE-12, ORD-10).
#[test]
fn a_flush_survives_a_disable_in_the_middle() {
    // Spec: LIV-5, LIFE-12, STAT-20, DEC-32
    let mut sim = started(vec![smtp()]);
    let request = flush(None, FlushFlags::FLUSH_UPLOAD);
    client(&mut sim, request);
    assert!(sim.run_until_call(|c| *c == notify_call(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH)));
    sim.set_traffic(T0, mapi_spooler::Directions::OUTBOUND, false);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    sim.run();
    let calls = flush_calls(&sim, T0);
    let end_outbound = calls.iter().position(|c| c == "T0.TransportNotify(NOTIFY_END_OUTBOUND)").expect("disabled");
    let end_flush = calls.iter().position(|c| c == "T0.TransportNotify(NOTIFY_END_OUTBOUND_FLUSH)").expect("the flush ends");
    assert!(end_outbound < end_flush);
    assert!(!calls.iter().any(|c| c.contains("SubmitMessage")), "nothing is sent while outbound is disabled");
    assert_eq!(answers(&sim), [(request, Hresult::S_OK)]);
    sim.set_traffic(T0, mapi_spooler::Directions::OUTBOUND, true);
    sim.run();
    assert_clean(&sim);
    assert_eq!(dispositions(&sim, m), [taken_by(T0)], "the message goes once outbound is enabled again");
}

/// The spooler crashes in the middle of a flush: the new spooler knows nothing of it, starts the
/// session again, and a new flush runs from the start (LIV-5).
#[test]
fn a_crash_in_the_middle_of_a_flush_loses_nothing() {
    // Spec: LIV-5, STAT-20, DEC-33
    let mut sim = started(vec![smtp().logons([Ok(LogonCaps::LOGON_SP_POLL)]).receives(["IPM.Note"])]);
    client(&mut sim, flush(None, FlushFlags::FLUSH_UPLOAD | FlushFlags::FLUSH_DOWNLOAD));
    assert!(sim.run_until_call(|c| *c == notify_call(T0, NotifyFlags::NOTIFY_BEGIN_INBOUND_FLUSH)));
    sim.crash();
    sim.start();
    assert_eq!(sim.spooler().flush_view(T0), None, "the flush went with the process");
    let again = flush(Some(T0), FlushFlags::FLUSH_DOWNLOAD);
    client(&mut sim, again);
    sim.run();
    assert_clean(&sim);
    assert_eq!(answers(&sim).last(), Some(&(again, Hresult::S_OK)));
    assert_eq!(sim.store(S0).inbound_messages().filter(|(_, m)| m.notified > 0).count(), 1, "the waiting mail is fetched");
}

/// Out-of-order and undocumented answers of the status calls are refused and change nothing: a
/// FlushQueues return with no FlushQueues in flight, a FlushQueues error (only S_OK is
/// documented, DEC-1), a ValidateState result the page does not list (ERR-13).
#[test]
fn flush_and_validate_answers_out_of_order_or_undocumented_are_refused() {
    // Spec: STAT-19, ERR-13, DEC-1, AMB-20
    let mut sim = started(vec![smtp()]);
    let stray = Input::Return(mapi_spooler::Return::FlushQueues { transport: T0, result: Hresult::S_OK });
    let before = sim.spooler().clone();
    assert!(!sim.feed(stray));
    assert_eq!(sim.spooler(), &before);
    assert!(matches!(
        sim.refused().last(),
        Some(mapi_spooler::Error::Caller(mapi_spooler::CallerError::NoCallInFlight { got: "FlushQueues" }))
    ));
    client(&mut sim, flush(None, FlushFlags::FLUSH_UPLOAD));
    assert!(!sim.feed(Input::Return(mapi_spooler::Return::FlushQueues { transport: T0, result: Hresult::MAPI_E_CALL_FAILED })));
    assert!(matches!(
        sim.refused().last(),
        Some(mapi_spooler::Error::Provider {
            transport: T0,
            fault: mapi_spooler::ProviderFault::UndocumentedResult { method: "FlushQueues", .. }
        })
    ));
    sim.run();
    client(&mut sim, validate(ValidateFlags::EMPTY));
    assert!(!sim.feed(Input::Return(mapi_spooler::Return::ValidateState { transport: T0, result: Hresult::MAPI_E_NOT_FOUND })));
    assert!(matches!(
        sim.refused().last(),
        Some(mapi_spooler::Error::Provider {
            transport: T0,
            fault: mapi_spooler::ProviderFault::UndocumentedResult { method: "ValidateState", .. }
        })
    ));
    sim.run();
    assert_eq!(sim.refused().len(), 3);
    assert_eq!(sim.violations(), []);
}
