//! Conformance scenarios: outbound submission, preprocessing and sent-mail handling
//! (`sending-messages-mapi-spooler-tasks.md`, `imsgstore-setlockstate.md`,
//! `imsgstore-finishedmsg.md`, `imsgstore-abortsubmit.md`, `imapisupport-registerpreprocessor.md`,
//! `preprocessmessage.md`, `mapi-report-messages.md`).

mod abort;
#[path = "../common/mod.rs"]
mod common;
mod ordering;
mod preprocessors;
mod sent_mail;
mod steps;

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
