//! Conformance scenarios: the tightly coupled store and transport
//! (`tightly-coupled-message-store-providers.md`, `sending-messages-message-store-provider-tasks.md`,
//! `sending-messages-by-using-message-store-providers.md`, `imapisupport-completemsg.md`,
//! `imapisupport-spoolernotify.md`).
//!
//! T0 (SMTP) is coupled with S0: its status row publishes S0 in `PR_OWN_STORE_ENTRYID`, and the
//! pair serves SMTP recipients inside the client's `IMessage::SubmitMessage`. T1 (FAX) is an
//! ordinary transport.

mod common;

use common::*;
use mapi_spooler::store::{Outcome, Placement, SENT_ITEMS, TcSubmission};
use mapi_spooler::{Call, Error, Hresult, Input, PreprocessorFilter, QueueRow, Settings, StoreFault, SupportCall, TransportId};

const T0: TransportId = TransportId(0);
const T1: TransportId = TransportId(1);

/// The coupled world, started: T0 coupled with S0, `hand_over` choosing `CompleteMsg` over
/// finishing alone (TC-3).
fn coupled(hand_over: bool) -> mapi_spooler::sim::Sim {
    let mut sim = world(vec![smtp(), fax()]).with_coupling(S0, T0, hand_over);
    sim.start();
    sim
}

/// The calls that name a message.
fn calls_for(sim: &mapi_spooler::sim::Sim, m: mapi_spooler::MessageId) -> Vec<&'static str> {
    sim.calls().filter(|c| c.message() == Some(m)).map(Call::method).collect()
}

/// TC-1: the transport publishes its store in its status row, and from then on the spooler
/// pairs them. A message whose recipients the pair served entirely is handed to the spooler
/// with `CompleteMsg`, and the spooler does only its post-processing: `FinishedMsg`, which files
/// the message in Sent Items. No transport is offered anything (INV-34).
#[test]
fn a_fully_served_message_is_completed_and_only_post_processed_by_the_spooler() {
    // Spec: TC-1, TC-2, TC-3, TC-5, SUB-13, HOOK-11, SUB-26, INV-34, INV-35, DEC-40, DEC-41
    let mut sim = coupled(true);
    assert!(sim.trace().contains("PR_OWN_STORE_ENTRYID=S0"), "{}", sim.trace());
    assert_eq!(sim.spooler().coupled_transport(S0), Some(T0));
    let mut d = draft(&[SMTP, SMTP]);
    d.sentmail = Some(SENT_ITEMS);
    let Ok(TcSubmission::Completed(row)) = sim.submit_coupled(d) else { panic!("the pair serves every SMTP recipient") };
    sim.run();
    assert_clean(&sim);
    let m = row.message;
    assert_eq!(calls_for(&sim, m), ["FinishedMsg"], "post-processing only; trace:\n{}", sim.trace());
    assert!(!sim.calls().any(|c| matches!(c, Call::SubmitMessage { .. })));
    assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(SENT_ITEMS)));
    assert_eq!(dispositions(&sim, m), [taken_by(T0), taken_by(T0)]);
    assert!(sim.store(S0).completed(m) && !sim.store(S0).is_queued(m), "never queued (TC-6, INV-35)");
    insta::assert_snapshot!(sim.trace());
}

/// TC-3 (b): a store that finishes a fully served message alone files it itself; the spooler
/// hears nothing of it.
#[test]
fn a_fully_served_message_the_store_finishes_alone_never_reaches_the_spooler() {
    // Spec: TC-3, TC-2, SUB-13
    let mut sim = coupled(false);
    let mut d = draft(&[SMTP]);
    d.delete_after_submit = true;
    let calls = sim.calls().count();
    let Ok(TcSubmission::FinishedAlone(m)) = sim.submit_coupled(d) else { panic!("the pair serves the SMTP recipient") };
    sim.run();
    assert_clean(&sim);
    assert_eq!(sim.calls().count(), calls, "no call at all; trace:\n{}", sim.trace());
    assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Deleted));
    assert!(!sim.store(S0).completed(m));
}

/// TC-4, TC-7: a message with a recipient the pair cannot serve is queued with the served
/// recipient already TRUE; the spooler routes only the other one, to the FAX transport, and
/// the coupled store deals with the spooler like any store.
#[test]
fn a_partly_served_message_is_queued_and_only_the_rest_is_routed() {
    // Spec: TC-4, TC-7, SUB-14, SUB-21, SUB-22, SUB-13, SUB-18
    let mut sim = coupled(true);
    let Ok(TcSubmission::Queued(row)) = sim.submit_coupled(draft(&[SMTP, FAX])) else { panic!("FAX is left to the spooler") };
    assert!(row.recipients[0].responsibility && !row.recipients[1].responsibility);
    sim.run();
    assert_clean(&sim);
    let m = row.message;
    assert_eq!(calls_for(&sim, m), ["SetLockState", "SubmitMessage", "FinishedMsg"]);
    let offers: Vec<&Call> = sim.calls().filter(|c| matches!(c, Call::SubmitMessage { .. })).collect();
    assert_eq!(offers, [&Call::SubmitMessage { transport: T1, message: m, flags: mapi_spooler::SubmitFlags::EMPTY, offered: rows(&[1]) }]);
    assert_eq!(dispositions(&sim, m), [taken_by(T0), taken_by(T1)]);
    assert!(matches!(outcome(&sim, m), Outcome::Finished(_)));
    insta::assert_snapshot!(sim.trace());
}

/// TC-3 (a) for a preprocessed message: inside the spooler's own `IMessage::SubmitMessage`
/// after preprocessing the pair serves every recipient and calls `CompleteMsg`; the spooler then
/// cleans up the preprocessing (`RemovePreprocessInfo`) and calls `FinishedMsg`, offering
/// nothing.
#[test]
fn a_preprocessed_message_completed_inside_the_spoolers_submit_message_is_cleaned_up_and_finished() {
    // Spec: TC-3, TC-5, HOOK-4, HOOK-11, SUB-26, INV-34
    let filter = PreprocessorFilter { uid: None, addr_type: Some(SMTP) };
    let mut sim = world(vec![smtp().with_preprocessor(filter), fax()]).with_coupling(S0, T0, true);
    sim.start();
    let mut d = draft(&[SMTP]);
    d.preprocess = true;
    let Ok(TcSubmission::Queued(row)) = sim.submit_coupled(d) else { panic!("a message to preprocess goes to the queue (SUB-12)") };
    let m = row.message;
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitPreprocessed { .. })), "{}", sim.trace());
    let mut completed = QueueRow { flags: mapi_spooler::QueueFlags::SUBMITFLAG_LOCKED, ..row };
    completed.recipients[0].responsibility = true;
    assert!(sim.feed(Input::Support(SupportCall::CompleteMsg(completed))));
    sim.run();
    assert_clean(&sim);
    assert_eq!(calls_for(&sim, m), ["SetLockState", "PreprocessMessage", "IMessage::SubmitMessage", "RemovePreprocessInfo", "FinishedMsg"]);
    insta::assert_snapshot!(sim.trace());
}

/// TC-9: the coupled store is still a spooler store: until `SpoolerLogon` and its queue are done,
/// `CompleteMsg` is refused, even though the transport already published the coupling.
#[test]
fn complete_msg_before_the_spooler_logged_on_to_the_store_is_refused() {
    // Spec: TC-9, LIFE-19, DEC-40
    let mut sim = world(vec![smtp(), fax()]).with_coupling(S0, T0, true);
    sim.feed(Input::Session(mapi_spooler::SessionRequest::Start));
    assert!(sim.run_until_call(|c| matches!(c, Call::SpoolerLogon { .. })), "{}", sim.trace());
    assert_eq!(sim.spooler().coupled_transport(S0), Some(T0));
    let before = sim.spooler().clone();
    let row = QueueRow {
        store: S0,
        message: mapi_spooler::MessageId(77),
        flags: mapi_spooler::QueueFlags::SUBMITFLAG_LOCKED,
        preprocess: false,
        reports: mapi_spooler::ReportRequests::default(),
        recipients: vec![mapi_spooler::RecipientRow { responsibility: true, ..mapi_spooler::RecipientRow::new(SMTP) }],
    };
    assert!(!sim.feed(Input::Support(SupportCall::CompleteMsg(row))));
    assert_eq!(sim.refused(), [Error::Store { store: S0, fault: StoreFault::NotServed }]);
    assert_eq!(*sim.spooler(), before);
}

/// RCV-16, TC-8: the pair places an inbound message itself and announces it with
/// `SpoolerNotify(NOTIFY_NEWMAIL_RECEIVED)`; the spooler runs the inbound hook, then
/// `NotifyNewMail`, and its status is S_OK.
#[test]
fn a_message_the_pair_placed_goes_through_the_hooks_before_notify_new_mail() {
    // Spec: RCV-16, TC-8, HOOK-13, RCV-11, INV-36, DEC-42, DEC-43
    let settings = Settings { inbound_hooks: 1, ..Settings::default() };
    let mut sim = world_with_settings(settings, vec![smtp(), fax()]).with_coupling(S0, T0, true);
    sim.start();
    let calls = sim.calls().count();
    let m = sim.deliver_coupled("IPM.Note").expect("the world is coupled");
    assert_clean(&sim);
    let after: Vec<&Call> = sim.calls().skip(calls).collect();
    assert_eq!(
        after,
        [&Call::InboundMsgHook { hook: mapi_spooler::HookId(0), store: S0, message: m }, &Call::NotifyNewMail { store: S0, message: m }]
    );
    let (_, placed) = sim.store(S0).inbound_messages().find(|(id, _)| *id == m).expect("placed");
    assert_eq!((placed.notified, placed.spooler_status), (1, Some(Hresult::S_OK)));
    insta::assert_snapshot!(sim.trace());
}
