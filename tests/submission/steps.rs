//! The four spooler steps, in every combination of PR_PREPROCESS, PR_SENTMAIL_ENTRYID and
//! PR_DELETE_AFTER_SUBMIT.

use super::*;

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
    // Spec: SUB-9, SUB-14, SUB-18, SUB-20, SUB-21, SUB-22, SUB-24, SUB-26, HOOK-4, HOOK-7, INV-14, INV-25, INV-26, INV-31, INV-33, AMB-5, DEC-9, AMB-8, HOOK-9
    let (sim, m) = four_steps(false, true, false);
    assert_eq!(placement(&sim, m), Placement::Folder(SENT_ITEMS), "moved, so no longer in the Outbox (AMB-8)");
    insta::assert_snapshot!(sim.trace());
}

/// No preprocessing, PR_DELETE_AFTER_SUBMIT: FinishedMsg deletes the message.
#[test]
fn four_steps_delete_after_submit_deletes() {
    // Spec: SUB-9, SUB-14, SUB-18, SUB-20, SUB-21, SUB-22, SUB-24, SUB-26, HOOK-4, HOOK-7, INV-14, INV-25, INV-26, INV-31, INV-32, AMB-5, DEC-9, HOOK-9
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
