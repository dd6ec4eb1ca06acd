//! Refusals that blame a store (`StoreFault`).

use super::*;

// ---------------------------------------------------------------------------------------------
// StoreFault
// ---------------------------------------------------------------------------------------------

/// A queued message without recipients: `IMessage::SubmitMessage` should have failed.
#[test]
fn a_queued_message_without_recipients_is_refused() {
    // Spec: SUB-1, ERR-14
    let mut sim = idle_world();
    let error = refuse(&mut sim, Input::Queue(QueueEvent::RowAdded(row(50, vec![]))));
    assert_eq!(error, store(S0, StoreFault::NoRecipients(MessageId(50))));
    says(&error, &["store S0", "M50 was queued without recipients", "MAPI_E_NO_RECIPIENTS"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_NO_RECIPIENTS);
}

/// More recipients than a recipient index can name.
#[test]
fn a_queued_message_with_too_many_recipients_is_refused() {
    let mut sim = idle_world();
    let error = refuse(&mut sim, Input::Queue(QueueEvent::RowAdded(row(50, vec![RecipientRow::new(SMTP); 65_537]))));
    assert_eq!(error, store(S0, StoreFault::TooManyRecipients(MessageId(50))));
    says(&error, &["more than 65536 recipients"]);
    // 65536 recipients, the most an index names, are accepted.
    let mut spooler = sim.spooler().clone();
    accept_step(&mut spooler, Input::Queue(QueueEvent::RowAdded(row(51, vec![RecipientRow::new(SMTP); 65_536]))));
}

/// A message is queued once.
#[test]
fn a_message_queued_twice_is_refused() {
    // Spec: SUB-16
    let (mut sim, m) = at_submit();
    let error = refuse(&mut sim, Input::Queue(QueueEvent::RowAdded(row(m.get(), vec![RecipientRow::new(SMTP)]))));
    assert_eq!(error, store(S0, StoreFault::DuplicateRow(m)));
    says(&error, &["M1 is already in the outgoing queue"]);
    // In the queue that GetOutgoingQueue returns.
    let mut sim = starting_at(|c| matches!(c, Call::GetOutgoingQueue { .. }));
    let rows = vec![row(5, vec![RecipientRow::new(SMTP)]), row(5, vec![RecipientRow::new(FAX)])];
    let error = refuse(&mut sim, Input::Return(Return::GetOutgoingQueue { store: S0, result: Ok(rows) }));
    assert_eq!(error, store(S0, StoreFault::DuplicateRow(MessageId(5))));
}

/// `SUBMITFLAG_PREPROCESS` without `PR_PREPROCESS`.
#[test]
fn preprocess_flag_without_the_property_is_refused() {
    // Spec: SUB-12, HOOK-5
    let mut sim = idle_world();
    let mut r = row(50, vec![RecipientRow::new(SMTP)]);
    r.flags = QueueFlags::SUBMITFLAG_PREPROCESS;
    let error = refuse(&mut sim, Input::Queue(QueueEvent::RowAdded(r)));
    assert_eq!(error, store(S0, StoreFault::PreprocessFlagWithoutProperty(MessageId(50))));
    says(&error, &["SUBMITFLAG_PREPROCESS but PR_PREPROCESS is not set"]);
}

/// Only the spooler locks messages, so a new row cannot arrive locked.
#[test]
fn a_row_announced_locked_is_refused() {
    // Spec: SUB-20, AMB-5
    let mut sim = idle_world();
    let mut r = row(50, vec![RecipientRow::new(SMTP)]);
    r.flags = QueueFlags::SUBMITFLAG_LOCKED;
    let error = refuse(&mut sim, Input::Queue(QueueEvent::RowAdded(r)));
    assert_eq!(error, store(S0, StoreFault::AnnouncedLocked(MessageId(50))));
    says(&error, &["announced already locked", "only the spooler locks"]);
}

/// A message the spooler holds locked cannot leave the queue (AbortSubmit must fail); nor can a
/// lock succeed on a message the store said had left.
#[test]
fn a_locked_message_leaving_the_queue_is_refused() {
    // Spec: SUB-20, DEF-6, INV-15, DEC-7
    let (mut sim, m) = at_submit();
    let error = refuse(&mut sim, Input::Queue(QueueEvent::RowRemoved { store: S0, message: m }));
    assert_eq!(error, store(S0, StoreFault::RemovedWhileLocked(m)));
    says(&error, &["M1 left the outgoing queue while the spooler held it locked"]);

    let mut sim = idle_world();
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SetLockState { .. })));
    assert!(sim.feed(Input::Queue(QueueEvent::RowRemoved { store: S0, message: m })));
    let error =
        refuse(&mut sim, Input::Return(Return::SetLockState { store: S0, message: m, state: LockState::Locked, result: Hresult::S_OK }));
    assert_eq!(error, store(S0, StoreFault::RemovedWhileLocked(m)));
}

/// Queue notifications come only once the queue is open.
#[test]
fn a_queue_notification_before_the_queue_is_open_is_refused() {
    // Spec: SUB-16, LIFE-19
    let mut sim = starting_at(|c| matches!(c, Call::SpoolerLogon { .. }));
    let error = refuse(&mut sim, Input::Queue(QueueEvent::RowAdded(row(50, vec![RecipientRow::new(SMTP)]))));
    assert_eq!(error, store(S0, StoreFault::QueueNotOpen));
    says(&error, &["before GetOutgoingQueue"]);
}

/// A store's queue holds only its own messages.
#[test]
fn a_row_of_another_store_in_the_queue_is_refused() {
    // Spec: SUB-16
    let mut sim = starting_at(|c| matches!(c, Call::GetOutgoingQueue { .. }));
    let mut r = row(5, vec![RecipientRow::new(SMTP)]);
    r.store = StoreId(1);
    let error = refuse(&mut sim, Input::Return(Return::GetOutgoingQueue { store: S0, result: Ok(vec![r]) }));
    assert_eq!(error, store(S0, StoreFault::ForeignRow(StoreId(1))));
    says(&error, &["a row of this store's queue names S1"]);
}

/// Store methods returning codes their pages do not list.
#[test]
fn undocumented_store_results_are_refused() {
    // Spec: LIFE-19, HOOK-7, SUB-17, DEC-1
    let mut sim = starting_at(|c| matches!(c, Call::SpoolerLogon { .. }));
    let error = refuse(&mut sim, Input::Return(Return::SpoolerLogon { store: S0, result: Hresult::MAPI_E_CALL_FAILED }));
    assert!(
        matches!(
            &error,
            Error::Store {
                store: S0,
                fault: StoreFault::UndocumentedResult { method: "SpoolerLogon", result: Hresult::MAPI_E_CALL_FAILED, .. }
            }
        ),
        "{error:?}"
    );
    says(&error, &["SpoolerLogon returned MAPI_E_CALL_FAILED", "MAPI_E_UNCONFIGURED"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_CALL_FAILED);
    // A warning is a success (ERR-16): the store is logged on and its queue read next.
    let effects = {
        let before = sim.effects().len();
        assert!(sim.feed(Input::Return(Return::SpoolerLogon { store: S0, result: Hresult::MAPI_W_ERRORS_RETURNED })));
        sim.effects()[before..].to_vec()
    };
    assert_eq!(effects, [Effect::Call(Call::GetOutgoingQueue { store: S0 })]);

    let mut sim = idle_world();
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::FinishedMsg { .. })));
    let error = refuse(&mut sim, Input::Return(Return::FinishedMsg { store: S0, message: m, result: Hresult::MAPI_E_NO_SUPPORT }));
    assert!(
        matches!(
            &error,
            Error::Store {
                store: S0,
                fault: StoreFault::UndocumentedResult { method: "FinishedMsg", result: Hresult::MAPI_E_NO_SUPPORT, .. }
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.hresult(), Hresult::MAPI_E_NO_SUPPORT);
}

/// Stores may use only `NOTIFY_READYTOSEND` and `NOTIFY_NEWMAIL_RECEIVED`.
#[test]
fn a_store_using_a_transport_only_notification_is_refused() {
    // Spec: TC-12, SUB-6
    let mut sim = idle_world();
    let flags = SpoolerNotifyFlags::NOTIFY_CRITSEC | SpoolerNotifyFlags::NOTIFY_READYTOSEND;
    let input = Input::Support(SupportCall::SpoolerNotify { caller: Caller::Store(S0), flags, message: None });
    let error = refuse(&mut sim, input);
    assert_eq!(error, store(S0, StoreFault::TransportOnlyFlag(SpoolerNotifyFlags::NOTIFY_CRITSEC)));
    says(&error, &["NOTIFY_CRITSEC", "reserved to transports", "NOTIFY_READYTOSEND and NOTIFY_NEWMAIL_RECEIVED"]);
    assert_eq!(error.hresult(), Hresult::MAPI_E_UNKNOWN_FLAGS);
    // NOTIFY_READYTOSEND alone is fine (SUB-6).
    let ready = SupportCall::SpoolerNotify { caller: Caller::Store(S0), flags: SpoolerNotifyFlags::NOTIFY_READYTOSEND, message: None };
    assert!(sim.feed(Input::Support(ready)));
}
