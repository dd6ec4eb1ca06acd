//! Conformance scenarios: outbound submission, preprocessing and sent-mail handling
//! (`sending-messages-mapi-spooler-tasks.md`, `imsgstore-setlockstate.md`,
//! `imsgstore-finishedmsg.md`, `imsgstore-abortsubmit.md`, `imapisupport-registerpreprocessor.md`,
//! `preprocessmessage.md`, `mapi-report-messages.md`).

mod common;

use common::*;
use mapi_spooler::sim::{Sim, SubmitAnswer, TransportScript};
use mapi_spooler::store::{Draft, OUTBOX, Outcome, Placement, SENT_ITEMS, SentMailHook};
use mapi_spooler::{
    Call, Directions, Effect, Error, Hresult, LockState, MessageId, NdrOrigin, PreprocessorFilter, PreprocessorId, QueueEvent, QueueFlags,
    QueueRow, RecipientOutcome, RecipientRow, RecipientSet, RecipientView, ReportKind, ReportRequests, Return, StoreFault, SubmitFlags,
    TransportId,
};

const T0: TransportId = TransportId(0);
const T1: TransportId = TransportId(1);
const T2: TransportId = TransportId(2);
const P0: PreprocessorId = PreprocessorId(0);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The position in `sim.calls()` of every call `pick` selects.
fn positions(sim: &Sim, pick: impl Fn(&Call) -> bool) -> Vec<usize> {
    sim.calls().enumerate().filter(|(_, c)| pick(c)).map(|(i, _)| i).collect()
}

/// The position of the only call `pick` selects.
fn position(sim: &Sim, what: &str, pick: impl Fn(&Call) -> bool) -> usize {
    let found = positions(sim, pick);
    assert_eq!(found.len(), 1, "expected exactly one {what}, found {found:?}; trace:\n{}", sim.trace());
    found[0]
}

/// Every `IXPLogon::SubmitMessage`: transport, message, flags, recipients offered as FALSE.
fn submissions(sim: &Sim) -> Vec<(TransportId, MessageId, SubmitFlags, RecipientSet)> {
    sim.calls()
        .filter_map(|c| match c {
            Call::SubmitMessage { transport, message, flags, offered } => Some((*transport, *message, *flags, offered.clone())),
            _ => None,
        })
        .collect()
}

/// The messages in the order of their `SetLockState(MSG_LOCKED)`.
fn locks(sim: &Sim) -> Vec<MessageId> {
    sim.calls()
        .filter_map(|c| match c {
            Call::SetLockState { message, state: LockState::Locked, .. } => Some(*message),
            _ => None,
        })
        .collect()
}

/// The position in `sim.effects()` of the first effect `pick` selects.
fn effect_position(sim: &Sim, pick: impl Fn(&Effect) -> bool) -> Option<usize> {
    sim.effects().iter().position(pick)
}

/// The methods of the calls the spooler made from the lock of `m` on.
fn methods_from_lock(sim: &Sim, m: MessageId) -> Vec<&'static str> {
    let from = position(sim, "lock", |c| matches!(c, Call::SetLockState { message, state: LockState::Locked, .. } if *message == m));
    sim.calls().skip(from).map(Call::method).collect()
}

/// The first SubmitMessage of each message to `t`, in call order.
fn first_submits_to(sim: &Sim, t: TransportId) -> Vec<MessageId> {
    let mut seen = Vec::new();
    for (transport, message, _, _) in submissions(sim) {
        if transport == t && !seen.contains(&message) {
            seen.push(message);
        }
    }
    seen
}

/// A preprocessor filter on an address type.
fn for_type(addr: mapi_spooler::AddrType) -> PreprocessorFilter {
    PreprocessorFilter { uid: None, addr_type: Some(addr) }
}

/// A draft to `SMTP` and `FAX` with these sent-mail properties.
fn smtp_fax(preprocess: bool, sentmail: bool, delete_after_submit: bool) -> Draft {
    Draft { preprocess, sentmail: sentmail.then_some(SENT_ITEMS), delete_after_submit, ..draft(&[SMTP, FAX]) }
}

/// The four spooler steps of `sending-messages-mapi-spooler-tasks.md` for one combination of
/// PR_PREPROCESS, PR_SENTMAIL_ENTRYID and PR_DELETE_AFTER_SUBMIT, with every check that does
/// not depend on the combination beyond the expected placement. SMTP goes to T0, which
/// registered a preprocessor for SMTP during logon; FAX goes to T1.
fn four_steps(preprocess: bool, sentmail: bool, delete: bool) -> (Sim, MessageId) {
    let mut sim = started(vec![smtp().with_preprocessor(for_type(SMTP)), fax()]);
    assert_eq!(sim.preprocessors(), vec![(P0, T0)], "T0 registers its preprocessor during logon");
    let m = sim.submit(S0, smtp_fax(preprocess, sentmail, delete)).expect("the store accepts the draft");
    // The store queues a message that needs preprocessing with SUBMITFLAG_PREPROCESS (SUB-12),
    // any other without it (SUB-14); nobody holds the lock yet.
    let queued = stored(&sim, m).submit_flags;
    assert_eq!(queued.contains(QueueFlags::SUBMITFLAG_PREPROCESS), preprocess, "{queued}");
    assert!(!queued.contains(QueueFlags::SUBMITFLAG_LOCKED));

    // Stop when the first transport gets the message: it is locked, and preprocessing is over.
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })), "{}", sim.trace());
    let flags = stored(&sim, m).submit_flags;
    assert!(
        stored(&sim, m).recipients.iter().all(|r| !r.row.responsibility),
        "the store queued every recipient with PR_RESPONSIBILITY FALSE (SUB-9)"
    );
    assert!(flags.contains(QueueFlags::SUBMITFLAG_LOCKED), "SetLockState sets SUBMITFLAG_LOCKED (AMB-5): {flags}");
    assert!(!flags.contains(QueueFlags::SUBMITFLAG_PREPROCESS), "no transport sees SUBMITFLAG_PREPROCESS (SUB-12): {flags}");
    let view = sim.spooler().message_view(m).expect("the spooler holds the message");
    assert!(view.locked);
    assert!(view.flags.contains(QueueFlags::SUBMITFLAG_LOCKED));
    assert!(!view.flags.contains(QueueFlags::SUBMITFLAG_PREPROCESS), "the spooler saw the store clear it (SUB-12 step 5)");
    sim.run();
    assert_clean(&sim);

    // Step 1: lock, before any transport sees the message (INV-14).
    let lock = position(&sim, "SetLockState(MSG_LOCKED)", |c| matches!(c, Call::SetLockState { state: LockState::Locked, .. }));
    let submits = positions(&sim, |c| matches!(c, Call::SubmitMessage { .. }));
    let ends = positions(&sim, |c| matches!(c, Call::EndMessage { .. }));
    assert!(submits.iter().all(|s| *s > lock), "SetLockState precedes every SubmitMessage:\n{}", sim.trace());
    assert_eq!(positions(&sim, |c| matches!(c, Call::SetLockState { state: LockState::Unlocked, .. })), Vec::<usize>::new());

    // Step 2: each transport sees exactly its own recipients as FALSE, once, and gets EndMessage.
    assert_eq!(
        submissions(&sim),
        vec![(T0, m, SubmitFlags::EMPTY, rows(&[0])), (T1, m, SubmitFlags::EMPTY, rows(&[1]))],
        "{}",
        sim.trace()
    );
    assert_eq!(ends.len(), 2);
    for (s, e) in submits.iter().zip(&ends) {
        assert_eq!(e - s, 1, "EndMessage follows its S_OK SubmitMessage at once (SUB-24)");
    }
    assert_eq!(dispositions(&sim, m), vec![Some(RecipientOutcome::Transport(T0)), Some(RecipientOutcome::Transport(T1))]);
    // Each disposition is saved at the final hand-over, when EndMessage returned (DEC-9).
    for t in [T0, T1] {
        let end = effect_position(&sim, |e| matches!(e, Effect::Call(Call::EndMessage { transport, .. }) if *transport == t)).unwrap();
        let save =
            effect_position(&sim, |e| matches!(e, Effect::SaveRecipients { outcome: RecipientOutcome::Transport(by), .. } if *by == t))
                .unwrap();
        assert!(end < save, "{t}'s recipients are saved after its EndMessage:\n{}", sim.trace());
    }

    // Preprocessing (SUB-12, HOOK-3) and its clean-up (step 3, HOOK-4) only with PR_PREPROCESS.
    let preprocess_calls = positions(&sim, |c| matches!(c, Call::PreprocessMessage { .. }));
    let submit_preprocessed = positions(&sim, |c| matches!(c, Call::SubmitPreprocessed { .. }));
    let cleanups = positions(&sim, |c| matches!(c, Call::RemovePreprocessInfo { .. }));
    let finished = position(&sim, "FinishedMsg", |c| matches!(c, Call::FinishedMsg { .. }));
    if preprocess {
        let pre = position(&sim, "PreprocessMessage", |c| *c == Call::PreprocessMessage { preprocessor: P0, message: m });
        let resubmit = position(&sim, "IMessage::SubmitMessage", |c| *c == Call::SubmitPreprocessed { store: S0, message: m });
        let cleanup = position(&sim, "RemovePreprocessInfo", |c| *c == Call::RemovePreprocessInfo { preprocessor: P0, message: m });
        assert!(lock < pre && pre < resubmit, "lock, then the preprocessor, then IMessage::SubmitMessage:\n{}", sim.trace());
        assert!(submits.iter().all(|s| *s > resubmit), "no transport SubmitMessage before preprocessing ends (INV-27)");
        assert!(ends.iter().all(|e| *e < cleanup), "RemovePreprocessInfo after the last EndMessage");
        assert!(cleanup < finished, "RemovePreprocessInfo before FinishedMsg");
    } else {
        assert_eq!((preprocess_calls, submit_preprocessed, cleanups), (vec![], vec![], vec![]), "{}", sim.trace());
    }

    // Step 4: FinishedMsg, once, last (INV-25, INV-26); the message is unlocked and gone from the
    // queue (INV-31), and the spooler forgets it.
    assert_eq!(finished, sim.calls().count() - 1, "FinishedMsg is the last call:\n{}", sim.trace());
    assert_eq!(sim.calls().nth(finished), Some(&Call::FinishedMsg { store: S0, message: m }));
    let msg = stored(&sim, m);
    assert!(!msg.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED), "FinishedMsg unlocks (HOOK-7)");
    assert!(!sim.store(S0).is_queued(m));
    assert!(!msg.unsent, "a finished message is no longer unsent");
    assert_eq!(sim.spooler().message_view(m), None);

    // The whole sequence, from the lock on.
    let expected: Vec<&str> = if preprocess {
        vec![
            "SetLockState",
            "PreprocessMessage",
            "IMessage::SubmitMessage",
            "SubmitMessage",
            "EndMessage",
            "SubmitMessage",
            "EndMessage",
            "RemovePreprocessInfo",
            "FinishedMsg",
        ]
    } else {
        vec!["SetLockState", "SubmitMessage", "EndMessage", "SubmitMessage", "EndMessage", "FinishedMsg"]
    };
    assert_eq!(methods_from_lock(&sim, m), expected, "{}", sim.trace());
    (sim, m)
}

/// The final placement (HOOK-7) in the store.
fn placement(sim: &Sim, m: MessageId) -> Placement {
    let msg = stored(sim, m);
    assert_eq!(msg.outcome, Outcome::Finished(msg.placement), "exactly one placement (AMB-6)");
    msg.placement
}

// ---------------------------------------------------------------------------------------------
// The four spooler steps, in every combination of PR_PREPROCESS x PR_SENTMAIL_ENTRYID x
// PR_DELETE_AFTER_SUBMIT
// ---------------------------------------------------------------------------------------------

/// No preprocessing, no sent-mail property: lock, send, FinishedMsg; the message stays in the
/// Outbox.
#[test]
fn four_steps_plain_message_stays_in_outbox() {
    // Spec: SUB-9, SUB-14, SUB-18, SUB-20, SUB-21, SUB-22, SUB-24, SUB-26, HOOK-4, HOOK-7, INV-14, INV-25, INV-26, INV-31, INV-33, AMB-5, DEC-9
    let (sim, m) = four_steps(false, false, false);
    assert_eq!(placement(&sim, m), Placement::Folder(OUTBOX));
    insta::assert_snapshot!(sim.trace());
}

/// No preprocessing, PR_SENTMAIL_ENTRYID: FinishedMsg moves the message to Sent Items.
#[test]
fn four_steps_sentmail_moves_to_sent_items() {
    // Spec: SUB-9, SUB-14, SUB-18, SUB-20, SUB-21, SUB-22, SUB-24, SUB-26, HOOK-4, HOOK-7, INV-14, INV-25, INV-26, INV-31, INV-33, AMB-5, DEC-9, AMB-8
    let (sim, m) = four_steps(false, true, false);
    assert_eq!(placement(&sim, m), Placement::Folder(SENT_ITEMS), "moved, so no longer in the Outbox (AMB-8)");
    insta::assert_snapshot!(sim.trace());
}

/// No preprocessing, PR_DELETE_AFTER_SUBMIT: FinishedMsg deletes the message.
#[test]
fn four_steps_delete_after_submit_deletes() {
    // Spec: SUB-9, SUB-14, SUB-18, SUB-20, SUB-21, SUB-22, SUB-24, SUB-26, HOOK-4, HOOK-7, INV-14, INV-25, INV-26, INV-31, INV-32, AMB-5, DEC-9
    let (sim, m) = four_steps(false, false, true);
    assert_eq!(placement(&sim, m), Placement::Deleted);
    insta::assert_snapshot!(sim.trace());
}

/// No preprocessing, both sent-mail properties: the message ends deleted.
#[test]
fn four_steps_sentmail_and_delete_after_submit_deletes() {
    // Spec: SUB-9, SUB-14, SUB-18, SUB-20, SUB-21, SUB-22, SUB-24, SUB-26, HOOK-4, HOOK-7, INV-14, INV-25, INV-26, INV-31, INV-32, AMB-5, DEC-9, AMB-7, HOOK-9
    let (sim, m) = four_steps(false, true, true);
    assert_eq!(placement(&sim, m), Placement::Deleted, "both set: deleted (AMB-7)");
    insta::assert_snapshot!(sim.trace());
}

/// PR_PREPROCESS, no sent-mail property: lock, preprocessor, IMessage::SubmitMessage, send,
/// RemovePreprocessInfo, FinishedMsg; the message stays in the Outbox.
#[test]
fn four_steps_preprocessed_message_stays_in_outbox() {
    // Spec: SUB-9, SUB-12, SUB-18, SUB-20, SUB-21, SUB-22, SUB-24, SUB-26, HOOK-1, HOOK-3, HOOK-4, HOOK-7, INV-14, INV-25, INV-26, INV-27, INV-31, INV-33, AMB-5, DEC-9
    let (sim, m) = four_steps(true, false, false);
    assert_eq!(placement(&sim, m), Placement::Folder(OUTBOX));
    insta::assert_snapshot!(sim.trace());
}

/// PR_PREPROCESS and PR_SENTMAIL_ENTRYID: preprocessed, sent, cleaned up, moved to Sent Items.
#[test]
fn four_steps_preprocessed_sentmail_moves_to_sent_items() {
    // Spec: SUB-9, SUB-12, SUB-18, SUB-20, SUB-21, SUB-22, SUB-24, SUB-26, HOOK-1, HOOK-3, HOOK-4, HOOK-7, INV-14, INV-25, INV-26, INV-27, INV-31, INV-33, AMB-5, DEC-9, AMB-8
    let (sim, m) = four_steps(true, true, false);
    assert_eq!(placement(&sim, m), Placement::Folder(SENT_ITEMS));
    insta::assert_snapshot!(sim.trace());
}

/// PR_PREPROCESS and PR_DELETE_AFTER_SUBMIT: preprocessed, sent, cleaned up, deleted.
#[test]
fn four_steps_preprocessed_delete_after_submit_deletes() {
    // Spec: SUB-9, SUB-12, SUB-18, SUB-20, SUB-21, SUB-22, SUB-24, SUB-26, HOOK-1, HOOK-3, HOOK-4, HOOK-7, INV-14, INV-25, INV-26, INV-27, INV-31, INV-32, AMB-5, DEC-9
    let (sim, m) = four_steps(true, false, true);
    assert_eq!(placement(&sim, m), Placement::Deleted);
    insta::assert_snapshot!(sim.trace());
}

/// PR_PREPROCESS with both sent-mail properties: preprocessed, sent, cleaned up, deleted.
#[test]
fn four_steps_preprocessed_sentmail_and_delete_after_submit_deletes() {
    // Spec: SUB-9, SUB-12, SUB-18, SUB-20, SUB-21, SUB-22, SUB-24, SUB-26, HOOK-1, HOOK-3, HOOK-4, HOOK-7, INV-14, INV-25, INV-26, INV-27, INV-31, INV-32, AMB-5, DEC-9, AMB-7, HOOK-9
    let (sim, m) = four_steps(true, true, true);
    assert_eq!(placement(&sim, m), Placement::Deleted);
    insta::assert_snapshot!(sim.trace());
}

// ---------------------------------------------------------------------------------------------
// Preprocessors
// ---------------------------------------------------------------------------------------------

/// Several preprocessors: the spooler calls, in registration order, only those whose transport
/// gets the first chance at some recipient that their filter matches; the others are never
/// called, and RemovePreprocessInfo goes to exactly the ones that ran.
#[test]
fn matching_preprocessors_run_in_registration_order() {
    // Spec: HOOK-1, HOOK-3, HOOK-4, ORD-11, AMB-37, SUB-12, INV-27
    // P0 (T0, SMTP): T0 is first for the SMTP recipient => runs.
    // P1 (T0, FAX): matches the FAX recipient, but T1 gets the first chance at it => not called.
    // P2 (T1, UID 9 or FAX): T1 is first for the FAX recipient, which matches by type => runs.
    // P3 (T2, SMTP): T0 is ahead of T2 for SMTP => not called.
    // P4 (T2, every recipient): T2 is first for no recipient => not called.
    let t0 = smtp().with_preprocessor(for_type(SMTP)).with_preprocessor(for_type(FAX));
    let t1 = fax().with_preprocessor(PreprocessorFilter { uid: Some(mapi_spooler::MapiUid(9)), addr_type: Some(FAX) });
    let t2 = TransportScript::new("second SMTP transport", mapi_spooler::Registrations::address_types([SMTP]))
        .with_preprocessor(for_type(SMTP))
        .with_preprocessor(PreprocessorFilter { uid: None, addr_type: None });
    let mut sim = started(vec![t0, t1, t2]);
    let p = |n| PreprocessorId(n);
    assert_eq!(sim.preprocessors(), vec![(p(0), T0), (p(1), T0), (p(2), T1), (p(3), T2), (p(4), T2)]);
    let m = send(&mut sim, Draft { preprocess: true, ..draft(&[FAX, SMTP]) });
    assert_clean(&sim);

    let called: Vec<&Call> = sim.calls().filter(|c| matches!(c, Call::PreprocessMessage { .. })).collect();
    assert_eq!(
        called,
        [&Call::PreprocessMessage { preprocessor: p(0), message: m }, &Call::PreprocessMessage { preprocessor: p(2), message: m }],
        "{}",
        sim.trace()
    );
    let cleaned: Vec<&Call> = sim.calls().filter(|c| matches!(c, Call::RemovePreprocessInfo { .. })).collect();
    assert_eq!(
        cleaned,
        [&Call::RemovePreprocessInfo { preprocessor: p(0), message: m }, &Call::RemovePreprocessInfo { preprocessor: p(2), message: m }]
    );
    let last_pre = *positions(&sim, |c| matches!(c, Call::PreprocessMessage { .. })).last().unwrap();
    let resubmit = position(&sim, "IMessage::SubmitMessage", |c| matches!(c, Call::SubmitPreprocessed { .. }));
    let first_submit = positions(&sim, |c| matches!(c, Call::SubmitMessage { .. }))[0];
    assert!(last_pre < resubmit && resubmit < first_submit, "{}", sim.trace());
    assert!(submissions(&sim).iter().all(|(t, ..)| *t != T2), "T2 is never offered anything");
    assert_eq!(dispositions(&sim, m), vec![Some(RecipientOutcome::Transport(T1)), Some(RecipientOutcome::Transport(T0))]);
    insta::assert_snapshot!(sim.trace());
}

/// A preprocessor that finds a recipient undeliverable: that recipient gets an NDR raised by MAPI
/// and is never offered to a transport; the others are sent, and clean-up still happens.
#[test]
fn preprocessor_undeliverable_recipient_gets_ndr() {
    // Spec: HOOK-2, DEF-10, DEF-11, INV-23, INV-24, SUB-26, HOOK-4
    let mut t0 = smtp().with_preprocessor(for_type(SMTP));
    t0.preprocess.push_back(vec![1]);
    let mut sim = started(vec![t0]);
    let m = send(&mut sim, Draft { preprocess: true, ..draft(&[SMTP, SMTP, SMTP]) });
    assert_clean(&sim);

    assert_eq!(reports(&sim), vec![(m, rows(&[1]), ReportKind::NonDelivery)], "{}", sim.trace());
    assert_eq!(submissions(&sim), vec![(T0, m, SubmitFlags::EMPTY, rows(&[0, 2]))], "row 1 is never offered");
    assert_eq!(
        dispositions(&sim, m),
        vec![
            Some(RecipientOutcome::Transport(T0)),
            Some(RecipientOutcome::Undeliverable(NdrOrigin::Preprocessor(P0))),
            Some(RecipientOutcome::Transport(T0)),
        ]
    );
    let counts: Vec<u8> = stored(&sim, m).recipients.iter().map(|r| r.reports).collect();
    assert_eq!(counts, vec![0, 1, 0], "one report, for the undeliverable recipient only");
    // The NDR is raised when the preprocessor returns, before the message goes on.
    let report = effect_position(&sim, |e| matches!(e, Effect::Report { .. })).unwrap();
    let resubmit = effect_position(&sim, |e| matches!(e, Effect::Call(Call::SubmitPreprocessed { .. }))).unwrap();
    assert!(report < resubmit);
    assert_eq!(
        methods_from_lock(&sim, m),
        [
            "SetLockState",
            "PreprocessMessage",
            "IMessage::SubmitMessage",
            "SubmitMessage",
            "EndMessage",
            "RemovePreprocessInfo",
            "FinishedMsg"
        ]
    );
    insta::assert_snapshot!(sim.trace());
}

/// A transport that supports no recipient type (no address type, no UID) is, by
/// `ixplogon-addresstypes.md`, the usual way to install a message preprocessor. When no transport
/// ahead of it in the order handles the message, its preprocessor is called for the recipients
/// its filter matches (`imapisupport-registerpreprocessor.md`), and its RemovePreprocessInfo
/// after sending; the transport itself is never offered anything.
#[test]
fn preprocessor_of_a_preprocessor_only_transport_runs() {
    // Spec: ORD-6, ORD-11, HOOK-1, HOOK-3, HOOK-4, AMB-37, DEC-21
    let preprocessor_only = TransportScript::new("fax renderer", mapi_spooler::Registrations::none()).with_preprocessor(for_type(SMTP));
    let mut sim = started(vec![preprocessor_only, smtp()]);
    assert_eq!(sim.preprocessors(), vec![(P0, T0)]);
    let m = send(&mut sim, Draft { preprocess: true, ..draft(&[SMTP]) });
    assert_clean(&sim);
    assert_eq!(submissions(&sim), vec![(T1, m, SubmitFlags::EMPTY, rows(&[0]))], "T0 is never offered anything");
    assert_eq!(
        methods_from_lock(&sim, m),
        [
            "SetLockState",
            "PreprocessMessage",
            "IMessage::SubmitMessage",
            "SubmitMessage",
            "EndMessage",
            "RemovePreprocessInfo",
            "FinishedMsg"
        ],
        "the preprocessor-only transport's preprocessor must run:\n{}",
        sim.trace()
    );
    assert_eq!(positions(&sim, |c| *c == Call::PreprocessMessage { preprocessor: P0, message: m }).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Sent-mail hooks
// ---------------------------------------------------------------------------------------------

/// Runs one message with these sent-mail properties through a world whose hook provider answers
/// the sent-mail hook with `hook`, and returns where it ended.
fn with_hook(hook: SentMailHook, sentmail: bool, delete: bool) -> (Sim, MessageId) {
    let mut sim = world(vec![smtp()]).with_sent_mail_hook(hook);
    sim.start();
    let m = send(&mut sim, Draft { sentmail: sentmail.then_some(SENT_ITEMS), delete_after_submit: delete, ..draft(&[SMTP]) });
    assert_clean(&sim);
    assert_eq!(sim.calls().filter(|c| matches!(c, Call::FinishedMsg { .. })).count(), 1);
    assert!(!sim.store(S0).is_queued(m));
    assert!(!stored(&sim, m).submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED));
    (sim, m)
}

/// HOOK_CANCEL: the hook supersedes the move to PR_SENTMAIL_ENTRYID, so the message stays where
/// it was sent from; PR_DELETE_AFTER_SUBMIT still deletes it.
#[test]
fn sent_mail_hook_cancel_supersedes_the_move_but_not_the_deletion() {
    // Spec: HOOK-6, HOOK-7, HOOK-8, HOOK-10, AMB-6, AMB-9, INV-32, INV-33
    let (sim, m) = with_hook(SentMailHook::Cancel, true, false);
    assert_eq!(placement(&sim, m), Placement::Folder(OUTBOX), "the hook superseded the move");
    let (sim, m) = with_hook(SentMailHook::Cancel, false, false);
    assert_eq!(placement(&sim, m), Placement::Folder(OUTBOX));
    let (sim, m) = with_hook(SentMailHook::Cancel, false, true);
    assert_eq!(placement(&sim, m), Placement::Deleted, "deletion after submit still happens");
    let (sim, m) = with_hook(SentMailHook::Cancel, true, true);
    assert_eq!(placement(&sim, m), Placement::Deleted);
    // Without a hook the same message is moved: the hook made the difference.
    let (sim, m) = with_hook(SentMailHook::None, true, false);
    assert_eq!(placement(&sim, m), Placement::Folder(SENT_ITEMS));
}

/// HOOK_DELETE: the hook deletes the message, whatever its sent-mail properties say.
#[test]
fn sent_mail_hook_delete_deletes_the_message() {
    // Spec: HOOK-6, HOOK-7, HOOK-8, HOOK-10, AMB-6, AMB-9
    for (sentmail, delete) in [(false, false), (true, false), (false, true), (true, true)] {
        let (sim, m) = with_hook(SentMailHook::Delete, sentmail, delete);
        assert_eq!(placement(&sim, m), Placement::Deleted, "sentmail={sentmail} delete={delete}");
    }
    let (sim, m) = with_hook(SentMailHook::None, false, false);
    assert_eq!(placement(&sim, m), Placement::Folder(OUTBOX), "without the hook the message stays");
}

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

/// A recipient that no transport registered for gets an NDR that the spooler raises when the
/// scan is exhausted, before FinishedMsg; the other recipient is sent normally.
#[test]
fn spooler_raises_ndr_for_recipient_no_transport_handles() {
    // Spec: SUB-25, ORD-4, DEF-10, DEF-11, AMB-22, AMB-29, INV-23, INV-24
    let mut sim = started(vec![smtp()]);
    let m = send(&mut sim, draft(&[SMTP, X400]));
    assert_clean(&sim);
    assert_eq!(reports(&sim), vec![(m, rows(&[1]), ReportKind::NonDelivery)], "{}", sim.trace());
    assert_eq!(submissions(&sim), vec![(T0, m, SubmitFlags::EMPTY, rows(&[0]))], "X400 is offered to nobody");
    assert_eq!(
        dispositions(&sim, m),
        vec![Some(RecipientOutcome::Transport(T0)), Some(RecipientOutcome::Undeliverable(NdrOrigin::NoTransport))]
    );
    let report = effect_position(&sim, |e| matches!(e, Effect::Report { .. })).unwrap();
    let finished = effect_position(&sim, |e| matches!(e, Effect::Call(Call::FinishedMsg { .. }))).unwrap();
    assert!(report < finished, "the NDR comes before FinishedMsg (AMB-22)");
    let counts: Vec<u8> = stored(&sim, m).recipients.iter().map(|r| r.reports).collect();
    assert_eq!(counts, vec![0, 1]);
    assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
    insta::assert_snapshot!(sim.trace());
}

/// With PR_ORIGINATOR_NON_DELIVERY_REPORT_REQUESTED FALSE, no NDR is raised, but the recipient
/// is still settled as undeliverable and the message finishes.
#[test]
fn no_ndr_when_originator_declines_non_delivery_reports() {
    // Spec: SUB-25, DEF-11, AMB-29, INV-23
    let mut sim = started(vec![smtp()]);
    let no_ndr = ReportRequests { delivery: false, non_delivery: false };
    let m = send(&mut sim, Draft { reports: no_ndr, ..draft(&[SMTP, X400]) });
    assert_clean(&sim);
    assert_eq!(reports(&sim), vec![], "{}", sim.trace());
    assert_eq!(
        dispositions(&sim, m),
        vec![Some(RecipientOutcome::Transport(T0)), Some(RecipientOutcome::Undeliverable(NdrOrigin::NoTransport))]
    );
    assert!(stored(&sim, m).recipients.iter().all(|r| r.row.responsibility && r.reports == 0));
    assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
}

/// A transport asks for a delivery report with StatusRecips: MAPI raises it, before EndMessage,
/// only when the originator asked for delivery reports; the recipient is taken either way.
#[test]
fn delivery_report_via_status_recips_only_when_requested() {
    // Spec: SUB-24, SUB-30, DEF-10, DEF-11, AMB-29, INV-24, DEC-10
    for requested in [true, false] {
        let script = smtp().submits([SubmitAnswer::TakeAndReport(vec![(1, ReportKind::Delivery)])]);
        let mut sim = started(vec![script]);
        let requests = ReportRequests { delivery: requested, non_delivery: true };
        let m = send(&mut sim, Draft { reports: requests, ..draft(&[SMTP, SMTP]) });
        assert_clean(&sim);
        let expected = if requested { vec![(m, rows(&[1]), ReportKind::Delivery)] } else { vec![] };
        assert_eq!(reports(&sim), expected, "requested={requested}\n{}", sim.trace());
        assert_eq!(dispositions(&sim, m), vec![Some(RecipientOutcome::Transport(T0)); 2]);
        assert_eq!(submissions(&sim), vec![(T0, m, SubmitFlags::EMPTY, rows(&[0, 1]))]);
        if requested {
            let report = effect_position(&sim, |e| matches!(e, Effect::Report { .. })).unwrap();
            let end = effect_position(&sim, |e| matches!(e, Effect::Call(Call::EndMessage { .. }))).unwrap();
            assert!(report < end, "report processing comes before EndMessage (SUB-24)");
            insta::assert_snapshot!(sim.trace());
        }
    }
}

/// A transport that conclusively failed for a recipient takes it and asks for an NDR with
/// StatusRecips; MAPI raises it (NDRs are on by default), and the spooler adds no NDR of its own.
#[test]
fn transport_ndr_via_status_recips() {
    // Spec: SUB-28, SUB-30, DEF-10, DEF-11, INV-23, INV-24
    let script = smtp().submits([SubmitAnswer::TakeAndReport(vec![(0, ReportKind::NonDelivery)])]);
    let mut sim = started(vec![script]);
    let m = send(&mut sim, draft(&[SMTP, SMTP]));
    assert_clean(&sim);
    assert_eq!(reports(&sim), vec![(m, rows(&[0]), ReportKind::NonDelivery)], "{}", sim.trace());
    assert_eq!(dispositions(&sim, m), vec![Some(RecipientOutcome::Transport(T0)); 2], "the transport took responsibility");
    let counts: Vec<u8> = stored(&sim, m).recipients.iter().map(|r| r.reports).collect();
    assert_eq!(counts, vec![1, 0]);
    assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));

    // The same, from an originator who does not want NDRs: no report, same dispositions.
    let script = smtp().submits([SubmitAnswer::TakeAndReport(vec![(0, ReportKind::NonDelivery)])]);
    let mut sim = started(vec![script]);
    let m = send(&mut sim, Draft { reports: ReportRequests { delivery: false, non_delivery: false }, ..draft(&[SMTP, SMTP]) });
    assert_clean(&sim);
    assert_eq!(reports(&sim), vec![]);
    assert_eq!(dispositions(&sim, m), vec![Some(RecipientOutcome::Transport(T0)); 2]);
}

// ---------------------------------------------------------------------------------------------
// Recipients already taken
// ---------------------------------------------------------------------------------------------

/// Recipients whose PR_RESPONSIBILITY is already TRUE are never offered, need no transport and
/// get no NDR; a message with only such recipients is locked and finished without any transport.
#[test]
fn recipients_already_taken_are_never_offered() {
    // Spec: SUB-21, SUB-22, INV-20, INV-23, SUB-26
    let taken = |addr_type| RecipientRow { addr_type, uid: None, responsibility: true };
    let mut sim = started(vec![smtp(), fax()]);
    let mixed = Draft::to(vec![taken(SMTP), RecipientRow::new(SMTP), taken(X400), RecipientRow::new(FAX)]);
    let m = sim.submit(S0, mixed).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    let view = sim.spooler().message_view(m).unwrap();
    assert_eq!(view.recipients[0], RecipientView::AlreadyTaken);
    assert_eq!(view.recipients[2], RecipientView::AlreadyTaken);
    sim.run();
    assert_clean(&sim);
    assert_eq!(
        submissions(&sim),
        vec![(T0, m, SubmitFlags::EMPTY, rows(&[1])), (T1, m, SubmitFlags::EMPTY, rows(&[3]))],
        "{}",
        sim.trace()
    );
    assert_eq!(reports(&sim), vec![], "the X400 recipient is already taken: no NDR");
    assert_eq!(
        dispositions(&sim, m),
        vec![None, Some(RecipientOutcome::Transport(T0)), None, Some(RecipientOutcome::Transport(T1))],
        "the spooler saves nothing for recipients it did not route"
    );
    assert!(stored(&sim, m).recipients.iter().all(|r| r.row.responsibility));
    insta::assert_snapshot!(sim.trace());

    // Only taken recipients, and no transport for their types: nothing to send, nothing to NDR.
    let mut sim = started(vec![fax()]);
    let m = send(&mut sim, Draft::to(vec![taken(SMTP), taken(X400)]));
    assert_clean(&sim);
    assert_eq!(methods_from_lock(&sim, m), ["SetLockState", "FinishedMsg"], "{}", sim.trace());
    assert_eq!(reports(&sim), vec![]);
    assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
}

// ---------------------------------------------------------------------------------------------
// Ordering
// ---------------------------------------------------------------------------------------------

/// Messages submitted while the spooler is busy are locked oldest first, one at a time, and each
/// is finished before the next is locked.
#[test]
fn messages_are_locked_oldest_first() {
    // Spec: SUB-4, SUB-16, SUB-19, INV-28
    let mut sim = started(vec![smtp()]);
    let m1 = sim.submit(S0, draft(&[SMTP])).unwrap();
    // The spooler is busy locking M1 while M2 and M3 are queued.
    assert_eq!(sim.spooler().call_in_flight(), Some(&Call::SetLockState { store: S0, message: m1, state: LockState::Locked }));
    let m2 = sim.submit(S0, draft(&[SMTP])).unwrap();
    let m3 = sim.submit(S0, draft(&[SMTP])).unwrap();
    sim.run();
    assert_clean(&sim);
    assert_eq!(locks(&sim), vec![m1, m2, m3], "{}", sim.trace());
    assert_eq!(first_submits_to(&sim, T0), vec![m1, m2, m3]);
    // One at a time: each FinishedMsg comes before the next lock.
    let finished = positions(&sim, |c| matches!(c, Call::FinishedMsg { .. }));
    let locked = positions(&sim, |c| matches!(c, Call::SetLockState { .. }));
    assert!(finished[0] < locked[1] && finished[1] < locked[2], "{}", sim.trace());
}

/// The oldest message waits for a transport whose outbound traffic is disabled: a later message
/// that needs only another transport, which can send, is locked and sent meanwhile; a later
/// message that needs the same transport waits behind the oldest one, and so does one whose only
/// transport cannot send either. Each transport gets its messages in submission order.
#[test]
fn later_message_for_another_transport_overtakes_a_waiting_one() {
    // Spec: SUB-4, SUB-19, SUB-20, INV-8, INV-28, ORD-10, AMB-39, DEC-15
    let x400 = TransportScript::new("X400 transport", mapi_spooler::Registrations::address_types([X400]));
    let mut sim = started(vec![smtp(), fax(), x400]);
    sim.set_traffic(T0, Directions::OUTBOUND, false);
    sim.set_traffic(T2, Directions::OUTBOUND, false);
    let m1 = send(&mut sim, draft(&[SMTP]));
    let m2 = send(&mut sim, draft(&[X400]));
    let m3 = send(&mut sim, draft(&[FAX]));
    let m4 = send(&mut sim, draft(&[SMTP]));
    let m5 = send(&mut sim, draft(&[FAX, SMTP]));
    assert_clean(&sim);

    // M1 is locked and waits; M3 overtakes it; M2 (its transport cannot send either), M4 and M5
    // (they need T0 too) are not even locked.
    assert_eq!(locks(&sim), vec![m1, m3], "{}", sim.trace());
    assert_eq!(outcome(&sim, m1), Outcome::Queued);
    assert_eq!(outcome(&sim, m3), Outcome::Finished(Placement::Folder(OUTBOX)));
    assert!(sim.spooler().message_view(m1).unwrap().locked);
    for m in [m2, m4, m5] {
        assert!(!sim.spooler().message_view(m).unwrap().locked, "{m} is not locked");
        assert_eq!(outcome(&sim, m), Outcome::Queued);
    }
    assert_eq!(sim.spooler().message_view(m1).unwrap().recipients, vec![RecipientView::Open { declined: Default::default() }]);
    assert_eq!(reports(&sim), vec![], "waiting is not a failure (ORD-10)");
    assert!(submissions(&sim).iter().all(|(t, ..)| *t == T1), "nothing goes to a disabled transport (INV-8)");

    // T0 is back: M1 goes, then M2 is the oldest and is locked (it waits for T2), and M4 and M5,
    // which need none of T2, overtake it.
    sim.set_traffic(T0, Directions::OUTBOUND, true);
    assert_clean(&sim);
    assert_eq!(locks(&sim), vec![m1, m3, m2, m4, m5], "{}", sim.trace());
    for m in [m1, m3, m4, m5] {
        assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
    }
    assert_eq!(outcome(&sim, m2), Outcome::Queued);

    sim.set_traffic(T2, Directions::OUTBOUND, true);
    assert_clean(&sim);
    assert_eq!(outcome(&sim, m2), Outcome::Finished(Placement::Folder(OUTBOX)));
    assert_eq!(first_submits_to(&sim, T0), vec![m1, m4, m5], "T0 gets its messages in submission order");
    assert_eq!(first_submits_to(&sim, T1), vec![m3, m5], "T1 gets its messages in submission order");
    assert_eq!(first_submits_to(&sim, T2), vec![m2]);
    insta::assert_snapshot!(sim.trace());
}

/// After a restart, a message locked ahead of an older one (they needed different transports)
/// is not offered to a transport the older one now needs: the older one is locked and goes
/// first. Here T0 cannot log on after the restart, so the fax recipients of M1 and M2 move to
/// T1, which M3, adopted locked, also needs.
#[test]
fn after_a_restart_a_locked_later_message_does_not_overtake_an_older_one() {
    // Spec: DEC-23, INV-28, SUB-19, ORD-4, LIFE-19
    let fax = TransportScript::new("fax transport", mapi_spooler::Registrations::address_types([FAX]))
        .logons([Ok(Default::default()), Err(Hresult::MAPI_E_LOGON_FAILED)])
        .submits([SubmitAnswer::Fail(Hresult::MAPI_E_WAIT, 30)]);
    let both = TransportScript::new("SMTP and fax transport", mapi_spooler::Registrations::address_types([SMTP, FAX]));
    let mut sim = world(vec![fax, both]);
    let m1 = sim.submit(S0, draft(&[FAX])).unwrap();
    let m2 = sim.submit(S0, draft(&[FAX])).unwrap();
    let m3 = sim.submit(S0, draft(&[SMTP])).unwrap();
    sim.feed(mapi_spooler::Input::Session(mapi_spooler::SessionRequest::Start));
    // M1 waits for T0; M2 needs T0 too and is not locked; M3 needs only T1 and overtakes it.
    // The process dies while T1 has M3.
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { transport: T1, .. })), "{}", sim.trace());
    assert_eq!(locks(&sim), vec![m1, m3], "{}", sim.trace());
    sim.crash();
    let before = submissions(&sim).len();
    sim.start();
    assert_clean(&sim);
    assert!(
        !matches!(sim.spooler().transport_view(T0), Some(mapi_spooler::TransportView::LoggedOn { .. })),
        "T0 did not log on again:\n{}",
        sim.trace()
    );
    let to_t1: Vec<MessageId> = submissions(&sim)[before..].iter().filter(|(t, ..)| *t == T1).map(|(_, m, ..)| *m).collect();
    assert_eq!(to_t1, vec![m1, m2, m3], "T1 gets them in submission order:\n{}", sim.trace());
    for m in [m1, m2, m3] {
        assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
    }
    insta::assert_snapshot!(sim.trace());
}

/// Messages queued before the spooler started are read with GetOutgoingQueue and handled in
/// submission order.
#[test]
fn queue_read_at_start_is_handled_in_submission_order() {
    // Spec: SUB-16, SUB-19, SUB-4, INV-28, LIFE-19
    let mut sim = world(vec![smtp(), fax()]);
    let m1 = sim.submit(S0, draft(&[FAX])).unwrap();
    let m2 = sim.submit(S0, draft(&[SMTP])).unwrap();
    let m3 = sim.submit(S0, draft(&[SMTP, FAX])).unwrap();
    assert_eq!(sim.calls().count(), 0, "nothing happens before the session starts");
    sim.start();
    assert_clean(&sim);
    let logon = position(&sim, "SpoolerLogon", |c| matches!(c, Call::SpoolerLogon { .. }));
    let read = position(&sim, "GetOutgoingQueue", |c| matches!(c, Call::GetOutgoingQueue { .. }));
    assert!(logon < read, "the spooler logs on to the store, then reads its queue");
    let first_lock = positions(&sim, |c| matches!(c, Call::SetLockState { .. }))[0];
    assert!(read < first_lock);
    assert_eq!(locks(&sim), vec![m1, m2, m3], "{}", sim.trace());
    assert_eq!(first_submits_to(&sim, T0), vec![m2, m3]);
    assert_eq!(first_submits_to(&sim, T1), vec![m1, m3]);
    for m in [m1, m2, m3] {
        assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
    }
    insta::assert_snapshot!(sim.trace());
}

// ---------------------------------------------------------------------------------------------
// AbortSubmit
// ---------------------------------------------------------------------------------------------

/// Asserts that an aborted message is an unsent draft again and was never given to a transport.
fn assert_aborted(sim: &Sim, m: MessageId) {
    let msg = stored(sim, m);
    assert_eq!(msg.outcome, Outcome::Aborted);
    assert!(msg.unsent && !msg.submitted, "an aborted message is unsent and editable again (AMB-35)");
    assert_eq!(msg.placement, Placement::Folder(OUTBOX));
    assert!(!sim.store(S0).is_queued(m));
    assert_eq!(sim.spooler().message_view(m), None, "the spooler forgets it");
    assert!(submissions(sim).iter().all(|(_, message, ..)| *message != m), "never handed to a transport:\n{}", sim.trace());
    assert_eq!(positions(sim, |c| *c == Call::FinishedMsg { store: S0, message: m }), Vec::<usize>::new());
}

/// AbortSubmit on a message the spooler has not locked yet (it is queued behind another
/// message, while the spooler is busy with that one) succeeds; after the lock it fails with
/// MAPI_E_UNABLE_TO_ABORT; once finished, with MAPI_E_NOT_IN_QUEUE.
#[test]
fn abort_before_lock_succeeds_after_lock_fails() {
    // Spec: DEF-6, SUB-8, SUB-15, SUB-20, INV-15, INV-16, INV-31, AMB-35
    let mut sim = started(vec![smtp()]);
    let m1 = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    // The spooler is busy with M1, which it holds locked.
    let m2 = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.spooler().message_view(m2).is_some_and(|v| !v.locked));
    // Submitted and unsent; a queued message opens read-only, a locked one does not open at all.
    assert!(stored(&sim, m2).submitted && stored(&sim, m2).unsent, "MSGFLAG_SUBMIT and MSGFLAG_UNSENT (SUB-8)");
    let store = sim.store(S0);
    assert_eq!(store.client_open(m2, true), Hresult::MAPI_E_SUBMITTED);
    assert_eq!(store.client_open(m2, false), Hresult::S_OK);
    assert_eq!(store.client_open(m1, false), Hresult::MAPI_E_NO_ACCESS);
    assert_eq!(sim.abort(S0, m1), Hresult::MAPI_E_UNABLE_TO_ABORT, "M1 is locked");
    assert_eq!(sim.abort(S0, m2), Hresult::S_OK, "M2 is queued but not locked");
    assert_eq!(sim.store(S0).client_open(m2, true), Hresult::S_OK, "an aborted message is editable again");
    sim.run();
    assert_clean(&sim);
    assert_aborted(&sim, m2);
    assert_eq!(locks(&sim), vec![m1], "the spooler never locks the aborted message");
    assert_eq!(outcome(&sim, m1), Outcome::Finished(Placement::Folder(OUTBOX)));
    assert_eq!(sim.abort(S0, m1), Hresult::MAPI_E_NOT_IN_QUEUE, "M1 was sent");
    assert_eq!(sim.abort(S0, m2), Hresult::MAPI_E_NOT_IN_QUEUE, "M2 is no longer queued");
    assert_clean(&sim);
    insta::assert_snapshot!(sim.trace());
}

/// AbortSubmit on a message that waits, unlocked, behind an older message whose transport is
/// disabled: S_OK, and the message never reaches a transport even once the transport is back.
#[test]
fn abort_while_waiting_for_a_disabled_transport() {
    // Spec: DEF-6, INV-15, SUB-19, AMB-35
    let mut sim = started(vec![smtp()]);
    sim.set_traffic(T0, Directions::OUTBOUND, false);
    let m1 = send(&mut sim, draft(&[SMTP]));
    let m2 = send(&mut sim, draft(&[SMTP]));
    assert!(sim.spooler().message_view(m1).unwrap().locked);
    assert!(!sim.spooler().message_view(m2).unwrap().locked);
    assert_eq!(sim.abort(S0, m1), Hresult::MAPI_E_UNABLE_TO_ABORT, "the oldest message is locked, waiting");
    assert_eq!(sim.abort(S0, m2), Hresult::S_OK);
    sim.run();
    sim.set_traffic(T0, Directions::OUTBOUND, true);
    assert_clean(&sim);
    assert_aborted(&sim, m2);
    assert_eq!(outcome(&sim, m1), Outcome::Finished(Placement::Folder(OUTBOX)));
    assert_eq!(submissions(&sim), vec![(T0, m1, SubmitFlags::EMPTY, rows(&[0]))], "{}", sim.trace());
}

/// The race: the spooler has called SetLockState(MSG_LOCKED) but it has not returned when the
/// client's AbortSubmit reaches the store. The abort wins, so the lock fails, and the spooler
/// forgets the message without sending it.
#[test]
fn abort_wins_the_race_with_set_lock_state() {
    // Spec: DEF-6, SUB-20, INV-14, INV-15, INV-31, AMB-35, DEC-7
    let mut sim = started(vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SetLockState { .. })));
    assert_eq!(sim.abort(S0, m), Hresult::S_OK);
    sim.run();
    assert_clean(&sim);
    assert_aborted(&sim, m);
    assert_eq!(locks(&sim), vec![m], "the lock was asked for");
    assert!(sim.spooler().call_in_flight().is_none());
    assert_eq!(methods_from_lock(&sim, m), ["SetLockState"], "and nothing followed:\n{}", sim.trace());
    // The spooler still works: the next message is sent.
    let next = send(&mut sim, draft(&[SMTP]));
    assert_clean(&sim);
    assert_eq!(outcome(&sim, next), Outcome::Finished(Placement::Folder(OUTBOX)));
    insta::assert_snapshot!(sim.trace());
}

/// The same race, when the store's table notification reaches the spooler only after the failed
/// SetLockState returned: the failed lock alone makes the spooler forget the message, so it never
/// asks for the lock again, and the late notification is ignored.
#[test]
fn failed_lock_forgets_the_message_before_the_queue_notification() {
    // Spec: SUB-20, DEF-6, INV-15, DEC-7, DEC-13
    let mut sim = started(vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SetLockState { .. })));
    // The simulator delivers the notification inside AbortSubmit, so the store's answer to the
    // lock is fed by hand first, and the client's abort comes after it.
    let failed = Return::SetLockState { store: S0, message: m, state: LockState::Locked, result: Hresult::MAPI_E_NOT_IN_QUEUE };
    assert!(sim.feed(mapi_spooler::Input::Return(failed)));
    assert_eq!(sim.spooler().message_view(m), None, "a failed lock means the message left the queue");
    sim.run();
    assert_eq!(sim.abort(S0, m), Hresult::S_OK);
    sim.run();
    assert_clean(&sim);
    assert_aborted(&sim, m);
    assert_eq!(locks(&sim), vec![m], "the lock is not asked for again:\n{}", sim.trace());
}

// ---------------------------------------------------------------------------------------------
// The store's side of submission
// ---------------------------------------------------------------------------------------------

/// The store refuses a message without recipients with MAPI_E_NO_RECIPIENTS and queues nothing;
/// a store that queued one anyway would be refused by the spooler.
#[test]
fn store_refuses_a_message_without_recipients() {
    // Spec: SUB-1
    let mut sim = started(vec![smtp()]);
    let before = sim.calls().count();
    assert_eq!(sim.submit(S0, Draft::to(vec![])), Err(Hresult::MAPI_E_NO_RECIPIENTS));
    sim.run();
    assert_clean(&sim);
    assert_eq!(sim.calls().count(), before, "the spooler hears of nothing");
    assert_eq!(sim.submitted(), &[]);
    assert_eq!(sim.store(S0).outgoing_queue(), vec![]);
    assert_eq!(sim.spooler().message_ids().count(), 0);

    // A store that breaks the rule is refused, and the spooler stays as it was.
    let row = QueueRow {
        store: S0,
        message: MessageId(99),
        flags: QueueFlags::EMPTY,
        preprocess: false,
        reports: ReportRequests::default(),
        recipients: vec![],
    };
    assert!(!sim.feed(mapi_spooler::Input::Queue(QueueEvent::RowAdded(row))));
    assert_eq!(sim.refused(), &[Error::Store { store: S0, fault: StoreFault::NoRecipients(MessageId(99)) }]);
    assert_eq!(sim.refused()[0].hresult(), Hresult::MAPI_E_NO_RECIPIENTS);
    assert_eq!(sim.spooler().message_ids().count(), 0);
    assert_eq!(sim.calls().count(), before);
}

/// A message may go to three transports; the spooler keeps one message per transport at a time
/// and finishes the message only when the last transport's EndMessage returned.
#[test]
fn message_to_three_transports_finishes_after_the_last_end_message() {
    // Spec: SUB-21, SUB-22, SUB-24, INV-17, INV-18, INV-25, DEC-22
    let x400 = TransportScript::new("X400 transport", mapi_spooler::Registrations::address_types([X400]));
    let mut sim = started(vec![smtp(), fax(), x400]);
    let m = send(&mut sim, draft(&[X400, SMTP, FAX, SMTP]));
    assert_clean(&sim);
    assert_eq!(
        submissions(&sim),
        // DEC-22: in transport order, whatever the order of the recipient rows.
        vec![(T0, m, SubmitFlags::EMPTY, rows(&[1, 3])), (T1, m, SubmitFlags::EMPTY, rows(&[2])), (T2, m, SubmitFlags::EMPTY, rows(&[0])),],
        "{}",
        sim.trace()
    );
    let calls: Vec<&Call> = sim.calls().collect();
    for (i, call) in calls.iter().enumerate() {
        if let Call::SubmitMessage { transport, .. } = call {
            assert!(matches!(calls[i + 1], Call::EndMessage { transport: t, .. } if t == transport), "{}", sim.trace());
        }
    }
    assert_eq!(positions(&sim, |c| matches!(c, Call::EndMessage { .. })).len(), 3, "one EndMessage per S_OK SubmitMessage");
    assert_eq!(methods_from_lock(&sim, m).last(), Some(&"FinishedMsg"));
    assert_eq!(
        dispositions(&sim, m),
        vec![
            Some(RecipientOutcome::Transport(T2)),
            Some(RecipientOutcome::Transport(T0)),
            Some(RecipientOutcome::Transport(T1)),
            Some(RecipientOutcome::Transport(T0)),
        ]
    );
}
