//! Every property can fire: one stream per property that breaks it on its last step, and the
//! reference's correct continuation, on which the monitor stays quiet. The lifecycle, reception,
//! cancel and status properties are here; those of outbound messages are in `firing_messages.rs`.

use super::*;

// ---------------------------------------------------------------------------------------------
// Every property can fire
// ---------------------------------------------------------------------------------------------

/// The test that makes each property fire. The match has no wildcard: a new property does not
/// compile until it has a test.
pub(crate) fn firing_test(property: Property) -> &'static str {
    match property {
        Property::CallOrder => "inv01_call_order_fires_on_address_types_before_transport_logon",
        Property::NothingAfterLogoff => "inv02_nothing_after_logoff_fires_on_a_call_to_a_logged_off_transport",
        Property::ShutdownGating => "inv03_shutdown_gating_fires_on_shutdown_with_a_live_logon",
        Property::CriticalIsTerminal => "inv05_critical_is_terminal_fires_on_a_submit_after_notify_critical_error",
        Property::FailedService => "inv06_failed_service_fires_on_a_new_logon_in_a_disabled_service",
        Property::VersionGate => "inv07_version_gate_fires_on_logon_after_the_version_did_not_agree",
        Property::OutboundGate => "inv08_outbound_gate_fires_on_submit_while_outbound_is_disabled",
        Property::CapabilityGate => "inv10_capability_gate_fires_on_idle_without_logon_sp_idle",
        Property::CriticalSectionGate => "inv11_critical_section_gate_fires_on_idle_inside_a_critical_section",
        Property::WellFormedNotify => "inv13_well_formed_notify_fires_on_begin_and_end_of_one_direction",
        Property::LockBeforeHandOff => "inv14_lock_before_hand_off_fires_on_submit_of_an_unlocked_message",
        Property::AbortVersusLock => "inv15_abort_versus_lock_fires_on_handing_over_an_aborted_message",
        Property::EndMessagePairing => "inv17_end_message_pairing_fires_on_end_message_after_a_failed_submit",
        Property::OneMessagePerTransport => "inv18_one_message_per_transport_fires_on_a_call_before_end_message",
        Property::RefReuse => "inv19_ref_reuse_fires_on_a_new_message_handed_over_before_end_message_returned",
        Property::TakenNeverOffered => "inv20_taken_never_offered_fires_on_offering_a_saved_recipient_again",
        Property::ScanOrder => "inv22_scan_order_fires_on_skipping_the_first_transport_of_the_scan",
        Property::OneDisposition => "inv23_one_disposition_fires_on_finished_msg_before_every_recipient_is_settled",
        Property::OneReport => "inv24_one_report_fires_on_a_second_report_for_a_recipient",
        Property::FinishedOnlyWhenDone => "inv25_finished_only_when_done_fires_on_finished_msg_before_remove_preprocess_info",
        Property::FinishedDiscipline => "inv26_finished_discipline_fires_on_finished_msg_of_an_unlocked_message",
        Property::PreprocessFirst => "inv27_preprocess_first_fires_on_submit_before_preprocessing_ended",
        Property::TransportFifo => "inv28_transport_fifo_fires_when_a_later_message_reached_the_transport_first",
        Property::RetryDelay => "inv29_retry_delay_fires_on_submit_before_the_wait_delay_ended",
        Property::DeferralProtocol => "inv30_deferral_protocol_fires_on_begin_deferred_before_notify_sentdeferred",
        Property::OneCallAtATime => "amb20_one_call_at_a_time_fires_on_a_call_while_another_is_in_flight",
        Property::InboundGate => "inv09_inbound_gate_fires_on_start_message_while_inbound_is_disabled",
        Property::CommitBeforeNotify => "inv36_commit_before_notify_fires_on_notify_new_mail_of_an_unsaved_message",
        Property::CancelledInboundDiscarded => "inv37_cancelled_inbound_discarded_fires_when_a_cancelled_start_message_is_kept",
        Property::CancelledNeverOffered => "inv39_cancelled_never_offered_fires_on_offering_a_cancelled_message_again",
        Property::CancelTarget => "inv40_cancel_target_fires_on_cancelling_another_message_than_the_one_in_flight",
        Property::CompletedByPair => "inv34_completed_by_pair_fires_on_offering_a_recipient_of_a_completed_message",
        Property::CompletedNotQueued => "inv35_completed_not_queued_fires_on_locking_a_completed_message_queued_again",
        Property::RowMirrorsEnabled => "inv12_row_mirrors_enabled_fires_when_begin_returns_with_the_row_unchanged",
        Property::FlushProtocol => "stat20_flush_protocol_fires_on_end_outbound_flush_before_begin",
        Property::CancelWithdraws => "dec27_cancel_withdraws_fires_on_saving_a_recipient_the_cancelled_transport_did_not_take",
        Property::Requery => "ord09_requery_fires_on_submit_before_the_address_types_are_asked_again",
        Property::StatusRowLifetime => "inv04_status_row_lifetime_fires_on_a_second_row_accepted",
        Property::OwnRecipientsOnly => "inv21_own_recipients_only_fires_on_accepting_a_recipient_that_was_not_offered",
    }
}

/// Every property of `Property::ALL` has its own firing test in this file, and that test cites
/// the property's catalogue ID on its `Spec:` line.
#[test]
fn every_property_has_a_firing_test() {
    // Spec: INV-1, INV-2, INV-3, INV-5, INV-6, INV-7, INV-8, INV-10, INV-11, INV-13, INV-14, INV-15, INV-17
    // Spec: INV-18, INV-20, INV-22, INV-23, INV-24, INV-25, INV-26, INV-27, INV-28, INV-29, INV-30, AMB-20
    // Spec: INV-9, INV-36, INV-37, INV-39, INV-40, INV-12, STAT-20, DEC-27, ORD-9, INV-4, INV-21, INV-19
    let source = [
        include_str!("main.rs"),
        include_str!("firing.rs"),
        include_str!("firing_messages.rs"),
        include_str!("firing_whole.rs"),
        include_str!("coupled.rs"),
    ]
    .concat();
    let mut names = BTreeSet::new();
    for &property in Property::ALL {
        let name = firing_test(property);
        assert!(names.insert(name), "{name} is the firing test of two properties");
        let header = format!("#[test]\nfn {name}() {{\n");
        let start = source.find(&header).unwrap_or_else(|| panic!("no test function {name} for {property}"));
        let body = &source[start + header.len()..];
        let body = &body[..body.find("\n}\n").expect("the test function ends")];
        let cited: Vec<&str> =
            body.lines().filter_map(|l| l.trim().strip_prefix("// Spec:")).flat_map(|ids| ids.split(',')).map(str::trim).collect();
        assert!(cited.contains(&property.id()), "{name} does not cite {} on its Spec: line (cites {cited:?})", property.id());
    }
    assert_eq!(names.len(), Property::ALL.len());
}

/// INV-1: the reference initializes, logs on and registers a transport in this order; an
/// `AddressTypes` right after `XPProviderInit`, before any `TransportLogon`, is out of order.
#[test]
fn inv01_call_order_fires_on_address_types_before_transport_logon() {
    // Spec: INV-1
    let session = started(&[smtp()]);
    let bad = st(r_init(T0), [c(address_types(T0))]);
    check(&Profile::new(1), &session[..1], bad, &session[1..], Property::CallOrder, &["T0.AddressTypes()", "without a live logon"]);
}

/// INV-1: `TransportNotify(BEGIN)` before `AddressTypes` returned is out of order.
#[test]
fn inv01_call_order_fires_on_transport_notify_before_address_types() {
    // Spec: INV-1
    let session = started(&[smtp()]);
    let logon_returns = session.iter().position(|s| matches!(s, Step::Observe(Input::Return(Return::TransportLogon { .. }), _))).unwrap();
    let bad = st(r_logon(T0, LogonCaps::EMPTY), [c(notify(T0, begin_both()))]);
    check(
        &Profile::new(1),
        &session[..logon_returns],
        bad,
        &session[logon_returns..],
        Property::CallOrder,
        &["T0.TransportNotify", "before AddressTypes returned"],
    );
}

/// INV-2: once `TransportLogoff` returned, the logon is gone; a `TransportNotify` to it is a
/// call on an invalid object. The reference goes on with `Shutdown`.
#[test]
fn inv02_nothing_after_logoff_fires_on_a_call_to_a_logged_off_transport() {
    // Spec: INV-2
    let end = shutdown_steps(session_shutdown(), &[T0]);
    let prefix = cat([started(&[smtp()]), end[..2].to_vec()]);
    let bad = st(r_logoff(T0), [released_logon(T0), c(notify(T0, end_both()))]);
    check(&Profile::new(1), &prefix, bad, &end[2..], Property::NothingAfterLogoff, &["T0.TransportNotify", "without a live logon of T0"]);
    // A second TransportLogoff is a call to a logon that no longer exists.
    let twice = cat([started(&[smtp()]), end[..3].to_vec(), vec![st(r_logoff(T0), [released_logon(T0), c(logoff(T0))])]]);
    assert_last_step_breaks(&Profile::new(1), &twice, Property::NothingAfterLogoff, &["T0.TransportLogoff", "T0 has no live logon"]);
}

/// INV-3: `Shutdown` of a provider whose logon is still live (disabled, but not logged off) is
/// premature.
#[test]
fn inv03_shutdown_gating_fires_on_shutdown_with_a_live_logon() {
    // Spec: INV-3
    let end = shutdown_steps(session_shutdown(), &[T0]);
    let prefix = cat([started(&[smtp()]), end[..2].to_vec()]);
    let bad = st(r_notify(T0, end_both()), [c(shutdown(T0))]);
    check(&Profile::new(1), &prefix, bad, &end[2..], Property::ShutdownGating, &["T0.Shutdown(0)", "live logon"]);
}

/// INV-3: `Shutdown` happens at most once per provider.
#[test]
fn inv03_shutdown_gating_fires_on_a_second_shutdown() {
    // Spec: INV-3
    let end = shutdown_steps(session_shutdown(), &[T0]);
    let prefix = cat([started(&[smtp()]), end[..3].to_vec()]);
    let bad = st(r_shutdown(T0), [released_provider(T0), c(shutdown(T0))]);
    check(&Profile::new(1), &prefix, bad, &end[3..], Property::ShutdownGating, &["T0.Shutdown(0)", "no provider object"]);
}

/// INV-5: after `NOTIFY_CRITICAL_ERROR` the reference only logs the transport off and shuts it
/// down, and gives the recipient to the next transport (trace
/// `errors__critical_error_during_submit_leaves_only_release_calls`); offering it the message
/// again is forbidden.
#[test]
fn inv05_critical_is_terminal_fires_on_a_submit_after_notify_critical_error() {
    // Spec: INV-5
    let prefix = cat([
        started(&[smtp(), smtp()]),
        vec![
            st(row_added(row(M1, &[SMTP])), [c(lock(M1))]),
            st(r_lock(M1), [c(submit(T0, M1, &[0]))]),
            st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR, None), []),
        ],
    ]);
    let failed = r_submit_failed(T0, M1, Hresult::MAPI_E_CALL_FAILED, 0, &[]);
    let bad = st(failed.clone(), [c(submit(T0, M1, &[0]))]);
    let good = cat([
        vec![
            st(failed, [c(logoff(T0))]),
            st(r_logoff(T0), [released_logon(T0), c(shutdown(T0))]),
            st(r_shutdown(T0), [released_provider(T0), c(submit(T1, M1, &[0]))]),
        ],
        completes(T1, M1, &[0], 1),
    ]);
    check(&Profile::new(2), &prefix, bad, &good, Property::CriticalIsTerminal, &["T0.SubmitMessage", "NOTIFY_CRITICAL_ERROR"]);
}

/// T0 to T2 share a message service, T3 has its own (trace
/// `lifecycle__logon__other_logon_error_disables_the_whole_service`).
pub(crate) fn shared_service_profile() -> Profile {
    Profile { transports: vec![ServiceId(0), ServiceId(0), ServiceId(0), ServiceId(1)], stores: 1, settings: Settings::default() }
}

/// The start-up of [`shared_service_profile`] up to T1's failed logon, which disables service 0.
pub(crate) fn shared_service_prefix() -> Vec<Step> {
    vec![
        st(start(), [c(init(T0))]),
        st(r_init(T0), [c(logon(T0))]),
        st(modify_row(T0), []),
        st(r_logon(T0, LogonCaps::EMPTY), [c(address_types(T0))]),
        st(r_address_types(T0, Registrations::address_types([SMTP])), [c(init(T1))]),
        st(r_init(T1), [c(logon(T1))]),
    ]
}

/// What the reference does after T1's failed logon: it releases T0 and T1, skips T2 and starts
/// T3, the only transport of the other service.
pub(crate) fn shared_service_rest() -> Vec<Step> {
    vec![
        st(r_logon_failed(T1, Hresult::MAPI_E_LOGON_FAILED), [c(logoff(T0))]),
        st(r_logoff(T0), [released_logon(T0), c(shutdown(T0))]),
        st(r_shutdown(T0), [released_provider(T0), c(shutdown(T1))]),
        st(r_shutdown(T1), [released_provider(T1), c(init(T3))]),
        st(r_init(T3), [c(logon(T3))]),
        st(modify_row(T3), []),
        st(r_logon(T3, LogonCaps::EMPTY), [c(address_types(T3))]),
        st(r_address_types(T3, Registrations::address_types([SMTP, FAX])), [c(spooler_logon(S0))]),
        st(r_spooler_logon(S0), [c(get_queue(S0))]),
        st(r_queue(S0, Vec::new()), [c(notify(T3, begin_both()))]),
        st(update_row(T3, row_enabled()), []),
        st(r_notify(T3, begin_both()), []),
    ]
}

/// INV-6: a logon error other than `MAPI_E_FAILONEPROVIDER` (or `MAPI_E_UNCONFIGURED`)
/// disables the whole service for the session: logging the failed provider on again is
/// forbidden.
#[test]
fn inv06_failed_service_fires_on_a_new_logon_in_a_disabled_service() {
    // Spec: INV-6
    let bad = st(r_logon_failed(T1, Hresult::MAPI_E_LOGON_FAILED), [c(logon(T1))]);
    check(
        &shared_service_profile(),
        &shared_service_prefix(),
        bad,
        &shared_service_rest(),
        Property::FailedService,
        &["T1.TransportLogon", "disabled by a failed logon"],
    );
}

/// INV-6: nor may another provider of the disabled service be initialized.
#[test]
fn inv06_failed_service_fires_on_initializing_another_provider_of_the_service() {
    // Spec: INV-6
    let rest = shared_service_rest();
    let prefix = cat([shared_service_prefix(), rest[..3].to_vec()]);
    let bad = st(r_shutdown(T1), [released_provider(T1), c(init(T2))]);
    check(
        &shared_service_profile(),
        &prefix,
        bad,
        &rest[3..],
        Property::FailedService,
        &["T2.XPProviderInit", "disabled by a failed logon"],
    );
}

/// INV-7: a provider whose SPI version is older than MAPI accepts is released at once (VER-4);
/// logging it on is forbidden. The reference goes on with the next transport.
#[test]
fn inv07_version_gate_fires_on_logon_after_the_version_did_not_agree() {
    // Spec: INV-7
    let too_old = SpiVersion(0x0000_0100);
    let bad = st(r_init_as(T0, too_old), [c(logon(T0))]);
    let good = vec![
        st(r_init_as(T0, too_old), [released_provider(T0), c(init(T1))]),
        st(r_init(T1), [c(logon(T1))]),
        st(modify_row(T1), []),
        st(r_logon(T1, LogonCaps::EMPTY), [c(address_types(T1))]),
        st(r_address_types(T1, Registrations::address_types([FAX])), [c(spooler_logon(S0))]),
        st(r_spooler_logon(S0), [c(get_queue(S0))]),
        st(r_queue(S0, Vec::new()), [c(notify(T1, begin_both()))]),
        st(update_row(T1, row_enabled()), []),
        st(r_notify(T1, begin_both()), []),
    ];
    let prefix = [st(start(), [c(init(T0))])];
    check(&Profile::new(2), &prefix, bad, &good, Property::VersionGate, &["T0.TransportLogon", "did not agree"]);
}

/// INV-8: after `NOTIFY_END_OUTBOUND` a message for the transport waits until outbound is
/// enabled again (trace `lifecycle__traffic__disabled_outbound_postpones_mail_until_enabled_again`).
#[test]
fn inv08_outbound_gate_fires_on_submit_while_outbound_is_disabled() {
    // Spec: INV-8
    let prefix = cat([
        started(&[smtp(), fax()]),
        vec![
            st(disable(T0, Directions::OUTBOUND), [c(notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND))]),
            st(update_row(T0, row_enabled().without(StatusCode::STATUS_OUTBOUND_ENABLED)), []),
            st(r_notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND), []),
            st(row_added(row(M1, &[SMTP])), [c(lock(M1))]),
        ],
    ]);
    let bad = st(r_lock(M1), [c(submit(T0, M1, &[0]))]);
    let good = cat([
        vec![
            st(r_lock(M1), []),
            st(enable(T0, Directions::OUTBOUND), [c(notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND))]),
            st(update_row(T0, row_enabled()), []),
            st(r_notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND), [c(submit(T0, M1, &[0]))]),
        ],
        completes(T0, M1, &[0], 1),
    ]);
    check(&Profile::new(2), &prefix, bad, &good, Property::OutboundGate, &["SubmitMessage of M1 to T0", "outbound traffic is disabled"]);
}

pub(crate) fn new_mail(t: TransportId) -> Input {
    spooler_notify(t, SpoolerNotifyFlags::NOTIFY_NEWMAIL, None)
}

pub(crate) fn create(store: StoreId) -> Call {
    Call::CreateMessage { store }
}

pub(crate) fn start_message(transport: TransportId, message: MessageId) -> Call {
    Call::StartMessage { transport, message }
}

pub(crate) fn notify_new_mail(store: StoreId, message: MessageId) -> Call {
    Call::NotifyNewMail { store, message }
}

pub(crate) fn r_create(store: StoreId, message: MessageId) -> Input {
    ret(Return::CreateMessage { store, result: Ok(message) })
}

pub(crate) fn r_start(transport: TransportId, message: MessageId, delivery: mapi_spooler::Delivery) -> Input {
    ret(Return::StartMessage { transport, message, result: Ok(delivery) })
}

/// INV-9: no `StartMessage` while the transport's inbound traffic is disabled; the reference
/// drops a `NOTIFY_NEWMAIL` that comes then (RCV-2).
#[test]
fn inv09_inbound_gate_fires_on_start_message_while_inbound_is_disabled() {
    // Spec: INV-9
    let prefix = cat([
        started(&[smtp()]),
        vec![
            st(disable(T0, Directions::INBOUND), [c(notify(T0, NotifyFlags::NOTIFY_END_INBOUND))]),
            st(update_row(T0, row_enabled().without(StatusCode::STATUS_INBOUND_ENABLED)), []),
            st(r_notify(T0, NotifyFlags::NOTIFY_END_INBOUND), []),
        ],
    ]);
    let bad = st(new_mail(T0), [c(start_message(T0, MessageId(7)))]);
    let good = [st(new_mail(T0), [])];
    check(&Profile::new(1), &prefix, bad, &good, Property::InboundGate, &["T0.StartMessage", "inbound traffic of T0 is not enabled"]);
}

/// INV-36: `NotifyNewMail` only for a message a transport saved, once; the reference creates a
/// message, hands it to `StartMessage`, announces it once saved, and goes on until a
/// `StartMessage` saves nothing, releasing that message (RCV-4 to RCV-10).
#[test]
fn inv36_commit_before_notify_fires_on_notify_new_mail_of_an_unsaved_message() {
    // Spec: INV-36, RCV-4, RCV-5, RCV-6, RCV-10
    let m5 = MessageId(5);
    let m6 = MessageId(6);
    let prefix = cat([started(&[smtp()]), vec![st(new_mail(T0), [c(create(S0))])]]);
    let bad = st(r_create(S0, m5), [c(notify_new_mail(S0, m5))]);
    let unsaved = Effect::Release(mapi_spooler::Released::Unsaved { store: S0, message: m6 });
    let good = [
        st(r_create(S0, m5), [c(start_message(T0, m5))]),
        st(r_start(T0, m5, mapi_spooler::Delivery::Saved), [c(notify_new_mail(S0, m5))]),
        st(ret(Return::NotifyNewMail { store: S0, message: m5, result: Hresult::S_OK }), [c(create(S0))]),
        st(r_create(S0, m6), [c(start_message(T0, m6))]),
        st(r_start(T0, m6, mapi_spooler::Delivery::Empty), [unsaved]),
    ];
    check(&Profile::new(1), &prefix, bad, &good, Property::CommitBeforeNotify, &["S0.NotifyNewMail(M5)", "no transport saved M5"]);
    // The same message announced twice is caught too.
    let mut twice = prefix.clone();
    twice.extend_from_slice(&good[..3]);
    twice.pop();
    twice.push(st(ret(Return::NotifyNewMail { store: S0, message: m5, result: Hresult::S_OK }), [c(notify_new_mail(S0, m5))]));
    assert_last_step_breaks(&Profile::new(1), &twice, Property::CommitBeforeNotify, &["no transport saved M5"]);
}

pub(crate) fn cancel_out(message: MessageId) -> Input {
    Input::Cancel(mapi_spooler::CancelRequest::Outbound { store: store_of(message), message })
}

pub(crate) fn cancel_notify(transport: TransportId, message: MessageId) -> Effect {
    Effect::CancelMessage { transport, message }
}

/// INV-37: a `StartMessage` the user cancelled that saved nothing leaves the message unsaved,
/// and the spooler releases it at once; the transport keeps the item for later (RCV-13).
#[test]
fn inv37_cancelled_inbound_discarded_fires_when_a_cancelled_start_message_is_kept() {
    // Spec: INV-37, RCV-13, DEF-7
    let m5 = MessageId(5);
    let prefix = cat([
        started(&[smtp()]),
        vec![
            st(new_mail(T0), [c(create(S0))]),
            st(r_create(S0, m5), [c(start_message(T0, m5))]),
            st(Input::Cancel(mapi_spooler::CancelRequest::Inbound { transport: T0 }), [cancel_notify(T0, m5)]),
        ],
    ]);
    let cancelled = ret(Return::StartMessage { transport: T0, message: m5, result: Err(Hresult::MAPI_E_USER_CANCEL) });
    let bad = st(cancelled.clone(), []);
    let good = [st(cancelled, [Effect::Release(mapi_spooler::Released::Unsaved { store: S0, message: m5 })])];
    check(&Profile::new(1), &prefix, bad, &good, Property::CancelledInboundDiscarded, &["cancelled StartMessage of M5", "not released"]);
}

/// The reference's stream up to the user's cancel of M1 while its `SubmitMessage` to T0 is in
/// flight.
fn cancelled_during_submit() -> Vec<Step> {
    cat([
        started(&[smtp()]),
        vec![
            st(row_added(row(M1, &[SMTP])), [c(lock(M1))]),
            st(r_lock(M1), [c(submit(T0, M1, &[0]))]),
            st(cancel_out(M1), [cancel_notify(T0, M1)]),
        ],
    ])
}

/// INV-39: once the user cancelled a message, none of its recipients is offered again; the
/// reference unlocks it and takes it out of the queue with its own `AbortSubmit` (DEC-27).
#[test]
fn inv39_cancelled_never_offered_fires_on_offering_a_cancelled_message_again() {
    // Spec: INV-39, DEF-7, DEF-8, AMB-17, DEC-27
    let prefix = cancelled_during_submit();
    let cancelled = r_submit_failed(T0, M1, Hresult::MAPI_E_USER_CANCEL, 0, &[]);
    let bad = st(cancelled.clone(), [c(submit(T0, M1, &[0]))]);
    let abort = Call::AbortSubmit { store: S0, message: M1 };
    let good = [
        st(cancelled, [c(unlock(M1))]),
        st(r_unlock(M1), [c(abort.clone())]),
        st(ret(Return::AbortSubmit { store: S0, message: M1, result: Hresult::S_OK }), []),
    ];
    check(&Profile::new(1), &prefix, bad, &good, Property::CancelledNeverOffered, &["T0.SubmitMessage", "after the user cancelled M1"]);
    // Nor does the spooler abort a message the user did not cancel, or one it still holds.
    let mut early = prefix[..prefix.len() - 1].to_vec();
    early.push(st(r_submit_failed(T0, M1, Hresult::MAPI_E_BUSY, 0, &[]), [c(abort)]));
    assert_last_step_breaks(&Profile::new(1), &early, Property::CancelledNeverOffered, &["not a cancelled message the spooler unlocked"]);
}

/// INV-39, INV-15, AMB-35: once the spooler's own `AbortSubmit` has taken a cancelled message out
/// of the queue (`S_OK`, or `MAPI_E_NOT_IN_QUEUE` when it had left already), the message is
/// unsent again and the client may submit it anew: the monitor forgets the cancel and the old
/// submission, so the new one is locked, offered and finished quietly.
#[test]
fn a_cancelled_message_submitted_again_after_the_spoolers_abort_submit_is_a_new_submission() {
    // Spec: INV-39, INV-15, AMB-35, DEC-27
    for result in [Hresult::S_OK, Hresult::MAPI_E_NOT_IN_QUEUE] {
        let steps = cat([
            cancelled_during_submit(),
            vec![
                st(r_submit_failed(T0, M1, Hresult::MAPI_E_USER_CANCEL, 0, &[]), [c(unlock(M1))]),
                st(r_unlock(M1), [c(Call::AbortSubmit { store: S0, message: M1 })]),
                st(ret(Return::AbortSubmit { store: S0, message: M1, result }), []),
                st(row_removed(M1), []),
                st(row_added(row(M1, &[SMTP])), [c(lock(M1))]),
                st(r_lock(M1), [c(submit(T0, M1, &[0]))]),
            ],
            completes(T0, M1, &[0], 1),
        ]);
        assert_quiet(&Profile::new(1), &steps);
    }
}

/// INV-40: `NOTIFY_CANCEL_MESSAGE` goes to the transport whose call for that message is in
/// flight, and only then.
#[test]
fn inv40_cancel_target_fires_on_cancelling_another_message_than_the_one_in_flight() {
    // Spec: INV-40, DEF-7, SUB-36
    let prefix = cat([started(&[smtp()]), vec![st(row_added(row(M1, &[SMTP])), [c(lock(M1))]), st(r_lock(M1), [c(submit(T0, M1, &[0]))])]]);
    let bad = st(cancel_out(M1), [cancel_notify(T0, M2)]);
    let good = [st(cancel_out(M1), [cancel_notify(T0, M1)])];
    check(&Profile::new(1), &prefix, bad, &good, Property::CancelTarget, &["NOTIFY_CANCEL_MESSAGE to T0 for M2", "T0.SubmitMessage"]);
    // With no transfer in flight there is nothing to cancel at a transport.
    let idle = cat([started(&[smtp()]), vec![st(cancel_out(M1), [cancel_notify(T0, M1)])]]);
    assert_last_step_breaks(&Profile::new(1), &idle, Property::CancelTarget, &["during no call"]);
}

/// INV-10: `Idle` only for a logon that returned `LOGON_SP_IDLE`; the reference ignores idle
/// time for the others.
#[test]
fn inv10_capability_gate_fires_on_idle_without_logon_sp_idle() {
    // Spec: INV-10
    let bad = st(Input::SystemIdle, [c(idle(T0))]);
    let good = [st(Input::SystemIdle, [])];
    check(&Profile::new(1), &started(&[smtp()]), bad, &good, Property::CapabilityGate, &["T0.Idle(0)", "LOGON_SP_IDLE"]);
}

/// INV-11: no `Idle` between `NOTIFY_CRITSEC` and `NOTIFY_NONCRIT`; the reference calls it once
/// the section closed (trace `lifecycle__traffic__idle_is_withheld_during_a_critical_section`).
#[test]
fn inv11_critical_section_gate_fires_on_idle_inside_a_critical_section() {
    // Spec: INV-11
    let prefix = cat([
        started(&[smtp().with_caps(LogonCaps::LOGON_SP_IDLE)]),
        vec![st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_CRITSEC, None), [])],
    ]);
    let bad = st(Input::SystemIdle, [c(idle(T0))]);
    let good = [
        st(Input::SystemIdle, []),
        st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_NONCRIT, None), [c(idle(T0))]),
        st(r_idle(T0), []),
        st(Input::SystemIdle, [c(idle(T0))]),
        st(r_idle(T0), []),
    ];
    check(&Profile::new(1), &prefix, bad, &good, Property::CriticalSectionGate, &["T0.Idle(0)", "inside a critical section"]);
}

/// INV-11 for the other call it gates: no `Poll` of a transport that asked to be polled
/// (`LOGON_SP_POLL`) between `NOTIFY_CRITSEC` and `NOTIFY_NONCRIT`; idle time inside the section
/// polls nothing, and the first idle time after it polls again.
#[test]
fn inv11_critical_section_gate_fires_on_poll_inside_a_critical_section() {
    // Spec: INV-11, RCV-3
    let prefix = cat([
        started(&[smtp().with_caps(LogonCaps::LOGON_SP_POLL)]),
        vec![st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_CRITSEC, None), [])],
    ]);
    let poll = || c(Call::Poll { transport: T0 });
    let polled = || ret(Return::Poll { transport: T0, result: Hresult::S_OK, incoming: 0 });
    let bad = st(Input::SystemIdle, [poll()]);
    let good = [
        st(Input::SystemIdle, []),
        st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_NONCRIT, None), []),
        st(Input::SystemIdle, [poll()]),
        st(polled(), []),
    ];
    check(&Profile::new(1), &prefix, bad, &good, Property::CriticalSectionGate, &["T0.Poll()", "inside a critical section"]);
}

/// INV-12: the transport updates its row's ENABLED bits before `TransportNotify(BEGIN)`
/// returns; a return with the row as it was before breaks the mirror.
#[test]
fn inv12_row_mirrors_enabled_fires_when_begin_returns_with_the_row_unchanged() {
    // Spec: INV-12, STAT-5
    let (steps, last) = boot(&[smtp()], &[Vec::new()]);
    let (prefix, update) = steps.split_at(steps.len() - 1);
    let bad = st(last.clone(), []);
    let good = [update[0].clone(), st(last, [])];
    check(&Profile::new(1), prefix, bad, &good, Property::RowMirrorsEnabled, &["NOTIFY_BEGIN_INBOUND", "PR_STATUS_CODE=STATUS_AVAILABLE"]);
    // Nor may an END return with the direction's ENABLED bit still set.
    let disabled = cat([
        started(&[smtp()]),
        vec![
            st(disable(T0, Directions::INBOUND), [c(notify(T0, NotifyFlags::NOTIFY_END_INBOUND))]),
            st(r_notify(T0, NotifyFlags::NOTIFY_END_INBOUND), []),
        ],
    ]);
    assert_last_step_breaks(&Profile::new(1), &disabled, Property::RowMirrorsEnabled, &["NOTIFY_END_INBOUND"]);
}

pub(crate) fn flush_queues(transport: TransportId, flags: FlushFlags) -> Call {
    Call::FlushQueues { transport, flags }
}

pub(crate) fn r_flush_queues(transport: TransportId) -> Input {
    ret(Return::FlushQueues { transport, result: Hresult::S_OK })
}

/// STAT-20: a flush goes FlushQueues, BEGIN_OUTBOUND_FLUSH, END_OUTBOUND_FLUSH, then the
/// inbound half; an END_OUTBOUND_FLUSH right after FlushQueues skips the outbound half's BEGIN.
#[test]
fn stat20_flush_protocol_fires_on_end_outbound_flush_before_begin() {
    // Spec: STAT-20, AMB-13
    let both = FlushFlags::FLUSH_UPLOAD | FlushFlags::FLUSH_DOWNLOAD;
    let flushing = StatusCode::STATUS_OUTBOUND_FLUSH | StatusCode::STATUS_INBOUND_FLUSH;
    let request = Input::Status(StatusRequest::FlushQueues { target: None, flags: both.bits() });
    let prefix =
        cat([started(&[smtp()]), vec![st(request, [c(flush_queues(T0, both))]), st(update_row(T0, row_enabled() | flushing), [])]]);
    let bad = st(r_flush_queues(T0), [c(notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH))]);
    let good = [
        st(r_flush_queues(T0), [c(notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH))]),
        st(r_notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH), [c(notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH))]),
        st(r_notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH), [c(notify(T0, NotifyFlags::NOTIFY_BEGIN_INBOUND_FLUSH))]),
        st(r_notify(T0, NotifyFlags::NOTIFY_BEGIN_INBOUND_FLUSH), [c(notify(T0, NotifyFlags::NOTIFY_END_INBOUND_FLUSH))]),
        st(r_notify(T0, NotifyFlags::NOTIFY_END_INBOUND_FLUSH), []),
    ];
    check(&Profile::new(1), &prefix, bad, &good, Property::FlushProtocol, &["NOTIFY_END_OUTBOUND_FLUSH", "Requested"]);
}

/// STAT-20, ORD-12: one flush at a time; a FlushQueues to a second transport while the first
/// one's flush is open breaks the protocol, and the monitor counts the flush open until its end
/// (LIV-5).
#[test]
fn stat20_flush_protocol_fires_on_a_second_flush_while_one_is_open() {
    // Spec: STAT-20, ORD-12, LIV-5
    let up = FlushFlags::FLUSH_UPLOAD;
    let request = Input::Status(StatusRequest::FlushQueues { target: None, flags: up.bits() });
    let prefix = cat([started(&[smtp(), fax()]), vec![st(request, [c(flush_queues(T0, up))])]]);
    let bad = st(r_flush_queues(T0), [c(flush_queues(T1, up))]);
    let good = [
        st(r_flush_queues(T0), [c(notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH))]),
        st(r_notify(T0, NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH), [c(notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH))]),
        st(r_notify(T0, NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH), [c(flush_queues(T1, up))]),
    ];
    check(&Profile::new(2), &prefix, bad, &good, Property::FlushProtocol, &["T1.FlushQueues", "flush of T0 is still open"]);
    let mut monitor = Monitor::new(&Profile::new(2));
    for step in &prefix {
        let Step::Observe(input, effects) = step else { unreachable!() };
        assert!(monitor.observe(input, effects).is_ok());
    }
    assert_eq!(monitor.open_flush(), Some(T0), "FlushQueues opens the flush (LIV-5)");
}

/// INV-13: one `TransportNotify` never carries the BEGIN and the END of one direction.
#[test]
fn inv13_well_formed_notify_fires_on_begin_and_end_of_one_direction() {
    // Spec: INV-13
    let (steps, last) = boot(&[smtp()], &[Vec::new()]);
    let (prefix, last_steps) = steps.split_at(steps.len() - 2);
    let Step::Observe(queue_read, _) = last_steps[0].clone() else { unreachable!() };
    let contradictory = begin_both() | NotifyFlags::NOTIFY_END_OUTBOUND;
    let bad = st(queue_read.clone(), [c(notify(T0, contradictory))]);
    let good = [st(queue_read, [c(notify(T0, begin_both()))]), last_steps[1].clone(), st(last, [])];
    check(
        &Profile::new(1),
        prefix,
        bad,
        &good,
        Property::WellFormedNotify,
        &["T0.TransportNotify", "NOTIFY_BEGIN_OUTBOUND", "NOTIFY_END_OUTBOUND"],
    );
}
