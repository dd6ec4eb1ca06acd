//! Conformance scenarios: reception (`message-reception-model.md`, `ixplogon-startmessage.md`,
//! `ixplogon-poll.md`, `receiving-messages-by-using-message-store-providers.md`,
//! `mapi-receive-folders.md`).

mod common;

use common::*;
use mapi_spooler::sim::{SubmitAnswer, TransportScript};
use mapi_spooler::store::{INBOX, InboundMessage, ROOT, receive_folder};
use mapi_spooler::{Call, Directions, Effect, FolderId, Hresult, LogonCaps, MessageId, Released, SpoolerNotifyFlags, TransportId};

const T0: TransportId = TransportId(0);

/// A transport for SMTP with inbound mail of these classes waiting.
fn receiving(classes: &[&str]) -> TransportScript {
    smtp().receives(classes.iter().copied())
}

/// A transport that asks to be polled (LOGON_SP_POLL).
fn polled(classes: &[&str]) -> TransportScript {
    receiving(classes).logons([Ok(LogonCaps::LOGON_SP_POLL)])
}

fn inbound(sim: &mapi_spooler::sim::Sim) -> Vec<(MessageId, InboundMessage)> {
    sim.store(S0).inbound_messages().map(|(id, m)| (id, m.clone())).collect()
}

fn methods(sim: &mapi_spooler::sim::Sim) -> Vec<&'static str> {
    sim.calls().map(Call::method).collect()
}

/// A pushing transport announces its mail with NOTIFY_NEWMAIL once its inbound traffic is
/// enabled; the spooler creates a message in the receive folder, hands it to StartMessage,
/// announces it with NotifyNewMail, and loops until a StartMessage saves nothing, whose message
/// it releases.
#[test]
fn pushed_mail_is_fetched_one_message_at_a_time_until_the_transport_has_none() {
    // Spec: RCV-1, RCV-2, RCV-4, RCV-5, RCV-6, RCV-10, AMB-14, AMB-20, DEC-24, INV-36
    let sim = started(vec![receiving(&["IPM.Note", "IPM.Note.Fax"])]);
    assert_clean(&sim);
    let received = inbound(&sim);
    assert_eq!(received.len(), 2, "{}", sim.trace());
    for (_, m) in &received {
        assert_eq!((m.folder, m.notified), (Some(INBOX), 1));
    }
    let fetch: Vec<&str> = methods(&sim).into_iter().skip_while(|m| *m != "CreateMessage").collect();
    assert_eq!(
        fetch,
        [
            "CreateMessage",
            "StartMessage",
            "NotifyNewMail",
            "CreateMessage",
            "StartMessage",
            "NotifyNewMail",
            "CreateMessage",
            "StartMessage"
        ]
    );
    assert!(matches!(sim.effects().last(), Some(Effect::Release(Released::Unsaved { .. }))));
    insta::assert_snapshot!(sim.trace());
}

/// A transport that returned LOGON_SP_POLL is polled when time passes or the system is idle;
/// a non-zero count starts the fetch (RCV-3). Without a poll, its mail waits.
#[test]
fn a_polled_transport_is_fetched_from_after_a_non_zero_poll() {
    // Spec: RCV-1, RCV-3, LIFE-5, DEC-25, INV-10
    let mut sim = started(vec![polled(&["IPM.Note"])]);
    assert!(inbound(&sim).is_empty(), "nothing is fetched before a poll");
    assert!(!methods(&sim).contains(&"Poll"));
    sim.idle();
    assert_clean(&sim);
    assert_eq!(inbound(&sim).len(), 1);
    let fetch: Vec<&str> = methods(&sim).into_iter().skip_while(|m| *m != "Poll").collect();
    assert_eq!(fetch, ["Poll", "CreateMessage", "StartMessage", "NotifyNewMail", "CreateMessage", "StartMessage"]);
    // An empty poll starts nothing.
    let calls = sim.calls().count();
    sim.idle();
    assert_eq!(methods(&sim)[calls..], ["Poll"]);
    insta::assert_snapshot!(sim.trace());
}

/// NOTIFY_NEWMAIL while inbound traffic is disabled is dropped (RCV-2); once inbound is
/// enabled again the transport announces its mail again and it is fetched.
#[test]
fn new_mail_while_inbound_is_disabled_is_dropped() {
    // Spec: RCV-2, LIFE-12, INV-9
    let mut sim = started(vec![smtp()]);
    sim.set_traffic(T0, Directions::INBOUND, false);
    let before = sim.calls().count();
    sim.deliver(T0, "IPM.Note");
    assert_eq!(sim.calls().count(), before, "no call follows the dropped notification");
    assert!(inbound(&sim).is_empty());
    sim.feed(mapi_spooler::Input::Support(mapi_spooler::SupportCall::SpoolerNotify {
        caller: mapi_spooler::Caller::Transport(T0),
        flags: SpoolerNotifyFlags::NOTIFY_NEWMAIL,
        message: None,
    }));
    sim.run();
    assert_eq!(sim.calls().count(), before, "a NOTIFY_NEWMAIL fed by hand is dropped too");
    sim.set_traffic(T0, Directions::INBOUND, true);
    assert_clean(&sim);
    assert_eq!(inbound(&sim).len(), 1, "{}", sim.trace());
}

/// A failed StartMessage loses the spooler's message, which is released, and ends the loop;
/// the mail stays at the transport and is fetched when the transport announces it again.
#[test]
fn a_failed_start_message_releases_the_message_and_ends_the_loop() {
    // Spec: RCV-7, RCV-6, ERR-8
    let mut sim = started(vec![receiving(&["IPM.Note"]).failing_starts([Hresult::MAPI_E_CALL_FAILED])]);
    assert!(inbound(&sim).is_empty(), "{}", sim.trace());
    assert!(sim.effects().iter().any(|e| matches!(e, Effect::Release(Released::Unsaved { .. }))));
    sim.deliver(T0, "IPM.Note");
    assert_clean(&sim);
    assert_eq!(inbound(&sim).len(), 2);
    insta::assert_snapshot!(sim.trace());
}

/// A crash while a new message waits for StartMessage: the unsaved message is gone with the
/// process, and the new session fetches the mail, which the transport still holds.
#[test]
fn a_crash_during_a_fetch_loses_no_mail() {
    // Spec: RCV-7, DEC-12, DEC-24
    let mut sim = world(vec![receiving(&["IPM.Note"])]);
    sim.feed(mapi_spooler::Input::Session(mapi_spooler::SessionRequest::Start));
    assert!(sim.run_until_call(|c| matches!(c, Call::StartMessage { .. })));
    assert_eq!(inbound(&sim).len(), 1, "the created message exists, unsaved");
    sim.crash();
    assert!(inbound(&sim).is_empty(), "an unsaved message does not outlive the process");
    sim.start();
    assert_clean(&sim);
    let received = inbound(&sim);
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].1.notified, 1);
}

/// A critical error while a new message waits for StartMessage: the transport is not called
/// again, and the message is released (LIFE-17).
#[test]
fn a_critical_error_during_a_fetch_releases_the_message() {
    // Spec: LIFE-17, RCV-7, INV-5
    let mut sim = world(vec![receiving(&["IPM.Note"])]);
    sim.feed(mapi_spooler::Input::Session(mapi_spooler::SessionRequest::Start));
    assert!(sim.run_until_call(|c| matches!(c, Call::CreateMessage { .. })));
    sim.feed(mapi_spooler::Input::Support(mapi_spooler::SupportCall::SpoolerNotify {
        caller: mapi_spooler::Caller::Transport(T0),
        flags: SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR,
        message: None,
    }));
    sim.run();
    assert_clean(&sim);
    assert!(!methods(&sim).contains(&"StartMessage"));
    assert!(inbound(&sim).is_empty());
    assert!(sim.effects().iter().any(|e| matches!(e, Effect::Release(Released::Unsaved { .. }))));
}

/// Inbound and outbound traffic share the one spooler thread: a message submitted while mail
/// waits is sent, and the mail is fetched, each in its turn (AMB-20).
#[test]
fn sending_and_receiving_take_turns() {
    // Spec: AMB-20, RCV-5, SUB-20
    let mut sim = world(vec![receiving(&["IPM.Note", "IPM.Note"]).submits([SubmitAnswer::TakeMine])]);
    let m = sim.submit(S0, draft(&[SMTP])).expect("queued");
    sim.start();
    assert_clean(&sim);
    assert!(matches!(outcome(&sim, m), mapi_spooler::store::Outcome::Finished(_)));
    assert_eq!(inbound(&sim).len(), 2);
}

/// The receive folder of a class is the one registered for its longest prefix, by whole parts
/// and without regard to case; the defaults are the Inbox, and the root folder for IPC.
#[test]
fn messages_land_in_the_receive_folder_of_their_class() {
    // Spec: RCV-12, INV-38
    let fax = FolderId(9);
    let notes = FolderId(10);
    let table = vec![("IPM.Note".to_owned(), notes), ("ipm.note.fax".to_owned(), fax)];
    assert_eq!(receive_folder(&table, "IPM.Note.Fax.Urgent"), fax);
    assert_eq!(receive_folder(&table, "IPM.Note"), notes);
    assert_eq!(receive_folder(&table, "IPM.Notes"), INBOX);
    assert_eq!(receive_folder(&table, "Report.IPM.Note.NDR"), INBOX);
    assert_eq!(receive_folder(&table, "IPC.Sync"), ROOT);
    assert_eq!(receive_folder(&[(String::new(), notes)], "IPC.Sync"), notes, "an entry for the empty class replaces the default");
    let mut sim = world(vec![receiving(&["IPM.Note.Fax.Urgent", "IPM.Notes", ""])]);
    sim.store_mut(S0).set_receive_folder("IPM.Note.Fax", Some(fax));
    sim.start();
    assert_clean(&sim);
    let folders: Vec<(Option<String>, Option<FolderId>)> = inbound(&sim).into_iter().map(|(_, m)| (m.class, m.folder)).collect();
    assert_eq!(
        folders,
        [
            (Some("IPM.Note.Fax.Urgent".to_owned()), Some(fax)),
            (Some("IPM.Notes".to_owned()), Some(INBOX)),
            (Some("IPM.Note".to_owned()), Some(INBOX)),
        ]
    );
}

/// Between two inbound messages the spooler takes up the outbound work that is due: a message
/// submitted while the transport delivers goes out before the next inbound message is fetched
/// (RCV-8: the spooler may postpone taking an incoming message; RCV-9: its own fairness).
#[test]
fn outbound_work_due_goes_before_the_next_inbound_message() {
    // Spec: RCV-8, RCV-9, DEC-20, AMB-20
    let mut sim = world(vec![receiving(&["IPM.Note", "IPM.Note"])]);
    sim.feed(mapi_spooler::Input::Session(mapi_spooler::SessionRequest::Start));
    assert!(sim.run_until_call(|c| matches!(c, Call::NotifyNewMail { .. })));
    let m = sim.submit(S0, draft(&[SMTP])).expect("queued");
    sim.run();
    assert_clean(&sim);
    assert!(matches!(outcome(&sim, m), mapi_spooler::store::Outcome::Finished(_)));
    let order: Vec<&str> = methods(&sim).into_iter().skip_while(|m| *m != "NotifyNewMail").collect();
    assert_eq!(
        order[..7],
        ["NotifyNewMail", "SetLockState", "SubmitMessage", "EndMessage", "FinishedMsg", "CreateMessage", "StartMessage"],
        "{}",
        sim.trace()
    );
    assert_eq!(inbound(&sim).len(), 2);
}
