//! Conformance scenarios: inbound spooler hooks (`mapi-spooler-overview.md`,
//! `pidtagspoolerstatus-canonical-property.md`, `mapi-service-provider-objects.md`) and incoming
//! reports (`sending-message-delivery-reports.md`, `ixplogon-startmessage.md`).

mod common;

use common::*;
use mapi_spooler::store::INBOX;
use mapi_spooler::{Call, Effect, FolderId, HookFlags, HookId, HookOutcome, Hresult, MessageId, Released, Settings};

/// A started world with `hooks` inbound hooks answering as given, and an SMTP transport with
/// mail of these classes waiting.
fn hooked(hooks: u8, answers: Vec<Vec<HookOutcome>>, classes: &[&str]) -> mapi_spooler::sim::Sim {
    let settings = Settings { inbound_hooks: hooks, ..Settings::default() };
    let mut sim = world_with_settings(settings, vec![smtp().receives(classes.iter().copied())]).with_hook_answers(answers);
    sim.start();
    sim
}

fn inbound_calls(sim: &mapi_spooler::sim::Sim) -> Vec<String> {
    sim.calls()
        .skip_while(|c| !matches!(c, Call::CreateMessage { .. }))
        .map(|c| match c {
            Call::InboundMsgHook { hook, message, .. } => format!("{hook}.InboundMsgHook({message})"),
            Call::NotifyNewMail { message, .. } => format!("NotifyNewMail({message})"),
            other => other.method().to_owned(),
        })
        .collect()
}

/// HOOK-13, RCV-11: every inbound hook, in profile order, sees the saved message before
/// `NotifyNewMail`; the message keeps `PR_SPOOLER_STATUS` S_OK.
#[test]
fn inbound_hooks_see_a_saved_message_in_order_before_notify_new_mail() {
    // Spec: HOOK-13, RCV-11, HOOK-6, RCV-10, INV-36, DEC-42, AMB-9
    let sim = hooked(2, vec![], &["IPM.Note"]);
    assert_clean(&sim);
    let m = MessageId(1);
    assert_eq!(
        inbound_calls(&sim),
        [
            "CreateMessage",
            "StartMessage",
            "H0.InboundMsgHook(M1)",
            "H1.InboundMsgHook(M1)",
            "NotifyNewMail(M1)",
            "CreateMessage",
            "StartMessage"
        ]
    );
    let (_, msg) = sim.store(S0).inbound_messages().find(|(id, _)| *id == m).expect("saved");
    assert_eq!((msg.folder, msg.notified, msg.spooler_status), (Some(INBOX), 1, Some(Hresult::S_OK)));
    insta::assert_snapshot!(sim.trace());
}

/// HOOK-13, RCV-11, INV-36: a hook that deletes a message (HOOK_DELETE) ends its way: no later
/// hook sees it, no `NotifyNewMail` announces it, the spooler releases it and its
/// `PR_SPOOLER_STATUS` is MAPI_E_OBJECT_DELETED. The next message goes through normally.
#[test]
fn a_hook_that_deletes_a_message_stops_its_announcement() {
    // Spec: HOOK-13, RCV-11, HOOK-6, INV-36, DEC-42
    let sim = hooked(2, vec![vec![HookOutcome::DELETE]], &["IPM.Note", "IPM.Note"]);
    assert_clean(&sim);
    assert_eq!(
        inbound_calls(&sim),
        [
            "CreateMessage",
            "StartMessage",
            "H0.InboundMsgHook(M1)",
            "CreateMessage",
            "StartMessage",
            "H0.InboundMsgHook(M2)",
            "H1.InboundMsgHook(M2)",
            "NotifyNewMail(M2)",
            "CreateMessage",
            "StartMessage"
        ]
    );
    assert!(sim.effects().contains(&Effect::Release(Released::HookDeleted { store: S0, message: MessageId(1) })));
    let status: Vec<(MessageId, Option<Hresult>, u8)> =
        sim.store(S0).inbound_messages().map(|(id, m)| (id, m.spooler_status, m.notified)).collect();
    assert_eq!(status, [(MessageId(1), Some(Hresult::MAPI_E_OBJECT_DELETED), 0), (MessageId(2), Some(Hresult::S_OK), 1)]);
    insta::assert_snapshot!(sim.trace());
}

/// HOOK-6: HOOK_CANCEL keeps the later hooks from seeing the message; a hook that moved the
/// message to another folder leaves it in the store, so `NotifyNewMail` announces it there.
#[test]
fn hook_cancel_skips_the_later_hooks_and_a_moved_message_is_announced() {
    // Spec: HOOK-6, HOOK-13, RCV-11, DEC-42
    let moved = HookOutcome { flags: HookFlags::HOOK_CANCEL, moved_to: Some(FolderId(9)) };
    let sim = hooked(2, vec![vec![moved]], &["IPM.Note"]);
    assert_clean(&sim);
    assert_eq!(
        inbound_calls(&sim),
        ["CreateMessage", "StartMessage", "H0.InboundMsgHook(M1)", "NotifyNewMail(M1)", "CreateMessage", "StartMessage"]
    );
    let (_, msg) = sim.store(S0).inbound_messages().next().expect("saved");
    assert_eq!((msg.folder, msg.notified), (Some(FolderId(9)), 1));
    assert!(!sim.calls().any(|c| *c == Call::InboundMsgHook { hook: HookId(1), store: S0, message: MessageId(1) }));
}

/// RCV-14: a report the transport builds itself (it cannot use StatusRecips for a native report
/// that arrives) comes in through StartMessage like any message, and a Report class goes to the
/// Inbox (RCV-12).
#[test]
fn a_report_the_transport_builds_arrives_like_any_inbound_message() {
    // Spec: RCV-14, RCV-12, RCV-5
    let sim = hooked(0, vec![], &["REPORT.IPM.Note.NDR"]);
    assert_clean(&sim);
    let received: Vec<(Option<String>, Option<FolderId>, u8)> =
        sim.store(S0).inbound_messages().map(|(_, m)| (m.class.clone(), m.folder, m.notified)).collect();
    assert_eq!(received, [(Some("REPORT.IPM.Note.NDR".to_owned()), Some(INBOX), 1)]);
}

/// RCV-15, DEC-24: the spooler does not judge which store can receive; it uses the profile's
/// first store, and a store that cannot create the inbound message (here MAPI_E_NO_SUPPORT, as
/// a store without receive support answers) ends the fetch without calling the transport.
#[test]
fn a_receive_store_that_cannot_create_the_message_ends_the_fetch() {
    // Spec: RCV-15, DEC-24, RCV-4
    let mut sim = hooked(0, vec![], &[]);
    assert!(sim.feed(mapi_spooler::Input::Support(mapi_spooler::SupportCall::SpoolerNotify {
        caller: mapi_spooler::Caller::Transport(mapi_spooler::TransportId(0)),
        flags: mapi_spooler::SpoolerNotifyFlags::NOTIFY_NEWMAIL,
        message: None,
    })));
    assert_eq!(sim.spooler().call_in_flight(), Some(&Call::CreateMessage { store: S0 }));
    let failed = mapi_spooler::Return::CreateMessage { store: S0, result: Err(Hresult::MAPI_E_NO_SUPPORT) };
    assert!(sim.feed(mapi_spooler::Input::Return(failed)));
    sim.run();
    assert_clean(&sim);
    assert!(!sim.calls().any(|c| matches!(c, Call::StartMessage { .. } | Call::NotifyNewMail { .. })));
    assert_eq!(sim.spooler().call_in_flight(), None);
}
