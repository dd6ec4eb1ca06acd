//! Conformance scenarios: inputs that break the documented protocol are refused.
//!
//! Every refusal is checked the same way: `step` returns the exact error variant, naming the
//! party at fault; the spooler is equal to a clone taken before the input; the error's text says
//! what was expected; and, for some, the error maps to the documented `HRESULT`. The last test
//! feeds thousands of random inputs to a spooler mid-session.

#[path = "../common/mod.rs"]
mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::*;
use mapi_spooler::sim::{SplitMix64, SubmitAnswer};
use mapi_spooler::{
    AddrType, Call, Caller, CallerError, CancelRequest, Directions, Effect, EndFlags, Error, Hresult, Input, LockState, LogonCaps,
    MessageId, MsgRef, NotifyFlags, Phase, PreprocessorFilter, Profile, ProviderFault, QueueEvent, QueueFlags, QueueRow, RecipientIdx,
    RecipientRow, RecipientSet, Registrations, ReportKind, ReportRequests, Return, ServiceId, SessionRequest, SpiVersion, Spooler,
    SpoolerNotifyFlags, StatusCode, StatusRowFlags, StoreFault, StoreId, SubmitOutcome, SupportCall, TransportId,
};
use mapi_spooler::{FlushFlags, StatusRequest, ValidateFlags};

mod caller;
mod coupled;
mod provider;
mod random;
mod store;

use coupled::coupled_world;

const T0: TransportId = TransportId(0);
const T1: TransportId = TransportId(1);
const T9: TransportId = TransportId(9);
const S7: StoreId = StoreId(7);

/// Feeds an input the spooler must refuse; checks that the state is unchanged and returns the
/// error.
fn refuse(sim: &mut mapi_spooler::sim::Sim, input: Input) -> Error {
    let before = sim.spooler().clone();
    let refused = sim.refused().len();
    assert!(!sim.feed(input.clone()), "the spooler accepted {input:?}; trace:\n{}", sim.trace());
    assert_eq!(*sim.spooler(), before, "a refused input changed the state: {input:?}");
    assert_eq!(sim.refused().len(), refused + 1);
    sim.refused()[refused].clone()
}

/// Steps a bare spooler with an input it must refuse; checks that the state is unchanged.
fn refuse_step(spooler: &mut Spooler, input: Input) -> Error {
    let before = spooler.clone();
    let error = spooler.step(input.clone()).expect_err("the input should be refused");
    assert_eq!(*spooler, before, "a refused input changed the state: {input:?}");
    error
}

/// Steps a bare spooler with an input it must accept.
fn accept_step(spooler: &mut Spooler, input: Input) -> Vec<Effect> {
    match spooler.step(input.clone()) {
        Ok(effects) => effects.into_vec(),
        Err(e) => panic!("{input:?} was refused: {e}"),
    }
}

/// Asserts that the error's text contains each of these pieces.
fn says(error: &Error, pieces: &[&str]) {
    let text = error.to_string();
    for piece in pieces {
        assert!(text.contains(piece), "{text:?} does not say {piece:?}");
    }
}

fn provider(transport: TransportId, fault: ProviderFault) -> Error {
    Error::Provider { transport, fault }
}

fn store(store: StoreId, fault: StoreFault) -> Error {
    Error::Store { store, fault }
}

fn notify(t: TransportId, flags: SpoolerNotifyFlags, message: Option<MessageId>) -> Input {
    Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(t), flags, message })
}

fn status_recips(t: TransportId, m: MessageId, reports: &[(u16, ReportKind)]) -> Input {
    Input::Support(SupportCall::StatusRecips {
        transport: t,
        message: m,
        reports: reports.iter().map(|(r, k)| (RecipientIdx(*r), *k)).collect(),
    })
}

fn submit_return(t: TransportId, m: MessageId, outcome: SubmitOutcome) -> Input {
    Input::Return(Return::SubmitMessage { transport: t, message: m, outcome })
}

fn accepted(msg_ref: u64, taken: &[u16]) -> SubmitOutcome {
    SubmitOutcome::Accepted { msg_ref: MsgRef(msg_ref), accepted: rows(taken) }
}

fn failed(result: Hresult, saved: &[u16]) -> SubmitOutcome {
    SubmitOutcome::Failed { result, return_parm: 5, saved: rows(saved) }
}

fn row(message: u32, recipients: Vec<RecipientRow>) -> QueueRow {
    QueueRow {
        store: S0,
        message: MessageId(message),
        flags: QueueFlags::EMPTY,
        preprocess: false,
        reports: ReportRequests::default(),
        recipients,
    }
}

/// A started world with an SMTP and a FAX transport, and nothing in flight.
fn idle_world() -> mapi_spooler::sim::Sim {
    let sim = started(vec![smtp(), fax()]);
    assert_eq!(sim.spooler().call_in_flight(), None);
    sim
}

/// A world where `T0.SubmitMessage(M1, {0})` is in flight; M1 goes to `[SMTP, FAX]`.
fn at_submit() -> (mapi_spooler::sim::Sim, MessageId) {
    let mut sim = idle_world();
    let m = sim.submit(S0, draft(&[SMTP, FAX])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    assert!(matches!(sim.spooler().call_in_flight(), Some(Call::SubmitMessage { transport: T0, offered, .. }) if *offered == rows(&[0])));
    (sim, m)
}

/// A world where `T0.EndMessage(1)` for M1 is in flight.
fn at_end() -> (mapi_spooler::sim::Sim, MessageId) {
    let mut sim = idle_world();
    let m = sim.submit(S0, draft(&[SMTP, FAX])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::EndMessage { .. })));
    assert_eq!(sim.spooler().call_in_flight(), Some(&Call::EndMessage { transport: T0, msg_ref: MsgRef(1) }));
    (sim, m)
}

/// A world stopped at the first call the predicate picks, during start-up.
fn starting_at(stop: impl FnMut(&Call) -> bool) -> mapi_spooler::sim::Sim {
    let mut sim = world(vec![smtp(), fax()]);
    sim.feed(Input::Session(SessionRequest::Start));
    assert!(sim.run_until_call(stop), "{}", sim.trace());
    sim
}

// ---------------------------------------------------------------------------------------------
// Exhaustiveness
// ---------------------------------------------------------------------------------------------

/// The test of this file that reaches each refusal. The matches have no wildcard, so a new
/// variant does not compile until it is given a test here.
fn test_of(error: &Error) -> &'static str {
    match error {
        Error::Caller(e) => match e {
            CallerError::NotStarted { .. } => "input_before_start_is_refused",
            CallerError::AlreadyStarted => "start_twice_is_refused",
            CallerError::Stopped { .. } => "input_after_shutdown_is_refused",
            CallerError::ShuttingDown { .. } => "requests_during_shutdown_are_refused",
            CallerError::NoCallInFlight { .. } => "a_return_without_a_call_in_flight_is_refused",
            CallerError::WrongReturn { .. } => "a_return_of_the_wrong_method_is_refused",
            CallerError::UnknownTransport(_) | CallerError::UnknownStore(_) => "unknown_transport_and_store_identifiers_are_refused",
            CallerError::NotLoggedOn(_) => "enable_before_logon_is_refused",
            CallerError::NoDirection => "enable_without_a_direction_is_refused",
            CallerError::TransportOrderCount { .. } | CallerError::TransportOrderList(..) => {
                "a_transport_order_that_is_not_the_profile_is_refused"
            }
            CallerError::CancelUnknown { .. }
            | CallerError::CancelNotLocked(_)
            | CallerError::AlreadyCancelled(_)
            | CallerError::NoInboundTransfer(_) => "cancels_of_what_the_spooler_is_not_moving_are_refused",
            CallerError::StatusTableNotReady { .. } => "status_calls_before_the_status_table_is_ready_are_refused",
            CallerError::ReadyToSendBeforeSetUp(_) => "a_store_ready_to_send_before_the_transports_are_set_up_is_refused",
            CallerError::StatusEntryOpening(_) | CallerError::NotInStatusTable(_) => {
                "opening_a_status_row_twice_or_one_not_in_the_table_is_refused"
            }
            // Not reachable through `step`: only `Spooler::new` and `Sim::new` return it.
            CallerError::Profile(_) => "an_unusable_profile_is_refused_at_construction",
        },
        Error::Provider { fault, .. } => match fault {
            ProviderFault::NoLogon { .. } => "modify_status_row_before_transport_logon_is_refused",
            ProviderFault::StatusRowExists => "a_second_status_row_is_refused",
            ProviderFault::NoStatusRow => "a_status_row_update_before_the_row_exists_is_refused",
            ProviderFault::NoStatusRowAtBegin { .. } => "transport_notify_begin_without_a_status_row_is_refused",
            ProviderFault::NotifyFlagsChanged { .. } => "transport_notify_returning_changed_flags_is_refused",
            ProviderFault::UndocumentedResult { .. } => "undocumented_provider_results_are_refused",
            ProviderFault::VersionTooNew { .. } => "a_provider_version_newer_than_mapi_is_refused",
            ProviderFault::NotOffered { .. } => "a_responsibility_change_on_a_recipient_not_offered_is_refused",
            ProviderFault::ProcessedAnyway { .. } => "busy_or_not_me_after_processing_is_refused",
            ProviderFault::SuccessAfterCriticalError => "success_after_a_critical_error_is_refused",
            ProviderFault::CancelWithoutDeferral => "cancel_without_deferral_is_refused",
            ProviderFault::UserCancelWithoutCancel => "user_cancel_without_a_cancel_is_refused",
            ProviderFault::ConflictingEndFlags(_) => "conflicting_end_message_flags_are_refused",
            ProviderFault::StatusRecipsOutsideSubmit { .. } => "status_recips_outside_submit_message_is_refused",
            ProviderFault::DuplicateReport { .. } => "a_recipient_reported_twice_is_refused",
            ProviderFault::ReportedNotTaken { .. } => "a_reported_recipient_that_was_not_taken_is_refused",
            ProviderFault::NoSuchRecipient { .. } => "a_report_on_a_recipient_that_does_not_exist_is_refused",
            ProviderFault::StoreOnlyFlag(_) => "a_transport_using_a_store_only_notification_is_refused",
            ProviderFault::ConflictingNotifyData => "sentdeferred_with_critical_error_is_refused",
            ProviderFault::NotDeferred { .. } => "sentdeferred_for_a_message_not_deferred_is_refused",
            ProviderFault::CriticalSection { .. } => "unbalanced_critical_sections_are_refused",
            ProviderFault::YieldOutsideCall => "spooler_yield_outside_a_call_is_refused",
            ProviderFault::TooManyPreprocessors(_) => "a_sixty_fifth_preprocessor_is_refused",
            ProviderFault::ValidateInCriticalSection { .. } => "validate_state_success_inside_a_critical_section_is_refused",
        },
        Error::Store { fault, .. } => match fault {
            StoreFault::NoRecipients(_) => "a_queued_message_without_recipients_is_refused",
            StoreFault::TooManyRecipients(_) => "a_queued_message_with_too_many_recipients_is_refused",
            StoreFault::DuplicateRow(_) => "a_message_queued_twice_is_refused",
            StoreFault::PreprocessFlagWithoutProperty(_) => "preprocess_flag_without_the_property_is_refused",
            StoreFault::AnnouncedLocked(_) => "a_row_announced_locked_is_refused",
            StoreFault::RemovedWhileLocked(_) => "a_locked_message_leaving_the_queue_is_refused",
            StoreFault::QueueNotOpen => "a_queue_notification_before_the_queue_is_open_is_refused",
            StoreFault::ForeignRow(_) => "a_row_of_another_store_in_the_queue_is_refused",
            StoreFault::UndocumentedResult { .. } => "undocumented_store_results_are_refused",
            StoreFault::TransportOnlyFlag(_) => "a_store_using_a_transport_only_notification_is_refused",
            StoreFault::NotServed => "tc_support_calls_from_a_store_not_served_are_refused",
            StoreFault::NotCoupled => "complete_msg_from_an_uncoupled_store_is_refused",
            StoreFault::CompleteMsgOpenRecipient { .. } => "complete_msg_with_an_open_recipient_is_refused",
            StoreFault::CompleteMsgUnexpected(_) => "complete_msg_for_a_message_the_spooler_holds_is_refused",
            StoreFault::CompleteMsgUnpreprocessed(_) => "complete_msg_before_preprocessing_is_refused",
            StoreFault::NewMailWithoutMessage | StoreFault::DuplicateArrival(_) => "newmail_received_without_a_new_message_is_refused",
            StoreFault::LogoffFlags(_) => "store_logoff_with_other_than_one_input_flag_is_refused",
        },
    }
}

/// Every refusal the spooler can give has a test in this file (see [`test_of`]).
#[test]
fn every_refusal_has_a_test() {
    let source = [
        include_str!("main.rs"),
        include_str!("caller.rs"),
        include_str!("provider.rs"),
        include_str!("store.rs"),
        include_str!("coupled.rs"),
        include_str!("random.rs"),
    ]
    .concat();
    let samples = [
        Error::Caller(CallerError::NotStarted { got: "" }),
        Error::Caller(CallerError::AlreadyStarted),
        Error::Caller(CallerError::Stopped { got: "" }),
        Error::Caller(CallerError::ShuttingDown { got: "" }),
        Error::Caller(CallerError::NoCallInFlight { got: "" }),
        Error::Caller(CallerError::WrongReturn { expected: String::new(), got: String::new() }),
        Error::Caller(CallerError::UnknownTransport(T9)),
        Error::Caller(CallerError::UnknownStore(S7)),
        Error::Caller(CallerError::NotLoggedOn(T0)),
        Error::Caller(CallerError::NoDirection),
        Error::Caller(CallerError::TransportOrderCount { expected: 2, got: 1 }),
        Error::Caller(CallerError::TransportOrderList(T9, "")),
        Error::Caller(CallerError::Profile("")),
        Error::Caller(CallerError::StatusTableNotReady { got: "" }),
        Error::Caller(CallerError::ReadyToSendBeforeSetUp(S0)),
        Error::Caller(CallerError::StatusEntryOpening(T0)),
        Error::Caller(CallerError::NotInStatusTable(T0)),
        provider(T0, ProviderFault::ValidateInCriticalSection { result: Hresult::S_OK }),
        provider(T0, ProviderFault::NoLogon { call: "" }),
        provider(T0, ProviderFault::StatusRowExists),
        provider(T0, ProviderFault::NoStatusRow),
        provider(T0, ProviderFault::NoStatusRowAtBegin { flags: NotifyFlags::EMPTY }),
        provider(T0, ProviderFault::NotifyFlagsChanged { sent: NotifyFlags::EMPTY, returned: NotifyFlags::EMPTY }),
        provider(T0, ProviderFault::UndocumentedResult { method: "", result: Hresult::S_OK, documented: "" }),
        provider(T0, ProviderFault::VersionTooNew { provider: SpiVersion::CURRENT, mapi: SpiVersion::CURRENT }),
        provider(T0, ProviderFault::NotOffered { message: MessageId(1), recipient: RecipientIdx(0) }),
        provider(T0, ProviderFault::ProcessedAnyway { result: Hresult::S_OK }),
        provider(T0, ProviderFault::SuccessAfterCriticalError),
        provider(T0, ProviderFault::CancelWithoutDeferral),
        provider(T0, ProviderFault::ConflictingEndFlags(EndFlags::ALL)),
        provider(T0, ProviderFault::StatusRecipsOutsideSubmit { message: MessageId(1) }),
        provider(T0, ProviderFault::DuplicateReport { message: MessageId(1), recipient: RecipientIdx(0) }),
        provider(T0, ProviderFault::ReportedNotTaken { message: MessageId(1), recipient: RecipientIdx(0) }),
        provider(T0, ProviderFault::NoSuchRecipient { message: MessageId(1), recipient: RecipientIdx(0) }),
        provider(T0, ProviderFault::StoreOnlyFlag(SpoolerNotifyFlags::EMPTY)),
        provider(T0, ProviderFault::ConflictingNotifyData),
        provider(T0, ProviderFault::NotDeferred { message: None }),
        provider(T0, ProviderFault::CriticalSection { flag: "", state: "" }),
        provider(T0, ProviderFault::YieldOutsideCall),
        provider(T0, ProviderFault::TooManyPreprocessors(64)),
        store(S0, StoreFault::NoRecipients(MessageId(1))),
        store(S0, StoreFault::TooManyRecipients(MessageId(1))),
        store(S0, StoreFault::DuplicateRow(MessageId(1))),
        store(S0, StoreFault::PreprocessFlagWithoutProperty(MessageId(1))),
        store(S0, StoreFault::AnnouncedLocked(MessageId(1))),
        store(S0, StoreFault::RemovedWhileLocked(MessageId(1))),
        store(S0, StoreFault::QueueNotOpen),
        store(S0, StoreFault::ForeignRow(S7)),
        store(S0, StoreFault::UndocumentedResult { method: "", result: Hresult::S_OK, documented: "" }),
        store(S0, StoreFault::TransportOnlyFlag(SpoolerNotifyFlags::EMPTY)),
        store(S0, StoreFault::NotServed),
        store(S0, StoreFault::NotCoupled),
        store(S0, StoreFault::CompleteMsgOpenRecipient { message: MessageId(1), recipient: RecipientIdx(0) }),
        store(S0, StoreFault::CompleteMsgUnexpected(MessageId(1))),
        store(S0, StoreFault::CompleteMsgUnpreprocessed(MessageId(1))),
        store(S0, StoreFault::NewMailWithoutMessage),
        store(S0, StoreFault::DuplicateArrival(MessageId(1))),
        store(S0, StoreFault::LogoffFlags(mapi_spooler::LogoffFlags::EMPTY)),
    ];
    for error in &samples {
        let name = test_of(error);
        assert!(source.contains(&format!("fn {name}()")), "no test named {name} for {error:?}");
    }
}
