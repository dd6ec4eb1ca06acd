//! Conformance scenarios: a crash of the spooler process and a new session against what the
//! store saved (DEC-9, DEC-12).

mod common;

use common::*;
use mapi_spooler::store::{OUTBOX, Outcome, Placement};
use mapi_spooler::{Call, LockState, PreprocessorFilter, RecipientOutcome, TransportId};

const T0: TransportId = TransportId(0);

fn smtp_preprocessor() -> PreprocessorFilter {
    PreprocessorFilter { uid: None, addr_type: Some(SMTP) }
}

fn calls_after(sim: &mapi_spooler::sim::Sim, skip: usize) -> Vec<Call> {
    sim.calls().skip(skip).cloned().collect()
}

/// The spooler crashes after preprocessing, with the message locked and not yet sent. The new
/// spooler finds the row already locked and adopts it without locking it again; it does not know
/// which preprocessors ran, so it calls RemovePreprocessInfo of the preprocessor whose filter
/// matches; then it sends and finishes the message.
#[test]
fn a_locked_message_is_adopted_after_a_restart() {
    // Spec: DEC-12, SUB-26, HOOK-4, SUB-20, SUB-16
    let script = || smtp().with_preprocessor(smtp_preprocessor());
    let mut sim = started(vec![script()]);
    let mut d = draft(&[SMTP]);
    d.preprocess = true;
    let m = sim.submit(S0, d).expect("queued");
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })), "{}", sim.trace());
    sim.crash();
    let before = sim.calls().count();
    sim.start();
    assert_clean(&sim);
    let after = calls_after(&sim, before);
    assert!(!after.iter().any(|c| matches!(c, Call::SetLockState { .. })), "the lock is adopted, not taken again: {after:?}");
    assert!(!after.iter().any(|c| matches!(c, Call::PreprocessMessage { .. })), "preprocessing was done before the crash");
    let methods: Vec<&str> = after
        .iter()
        .filter(|c| !matches!(c, Call::TransportNotify { .. }))
        .map(Call::method)
        .skip_while(|m| *m != "SubmitMessage")
        .collect();
    assert_eq!(methods, ["SubmitMessage", "EndMessage", "RemovePreprocessInfo", "FinishedMsg"], "{}", sim.trace());
    assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
    insta::assert_snapshot!(sim.trace());
}

/// The spooler crashes after the transport took the recipient and EndMessage returned, when
/// the disposition is saved: the new spooler sends nothing again, and only cleans up and
/// finishes the message.
#[test]
fn a_recipient_saved_before_the_crash_is_not_sent_again() {
    // Spec: DEC-9, DEC-12, SUB-21, INV-20, HOOK-4
    let mut sim = started(vec![smtp().with_preprocessor(smtp_preprocessor())]);
    let mut d = draft(&[SMTP]);
    d.preprocess = true;
    let m = sim.submit(S0, d).expect("queued");
    assert!(sim.run_until_call(|c| matches!(c, Call::RemovePreprocessInfo { .. })), "{}", sim.trace());
    assert_eq!(dispositions(&sim, m), [Some(RecipientOutcome::Transport(T0))], "saved at EndMessage (DEC-9)");
    sim.crash();
    let before = sim.calls().count();
    sim.start();
    assert_clean(&sim);
    let after = calls_after(&sim, before);
    assert!(!after.iter().any(|c| matches!(c, Call::SubmitMessage { .. })), "{}", sim.trace());
    assert!(after.iter().any(|c| matches!(c, Call::RemovePreprocessInfo { .. })));
    assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
}

/// The spooler crashes between an S_OK SubmitMessage and its EndMessage: the disposition was
/// not saved yet, so the new session offers the recipient again; the reference prefers a
/// possible duplicate to a possible loss (DEC-9).
#[test]
fn a_crash_before_end_message_sends_again() {
    // Spec: DEC-9, SUB-24, DEC-12
    let mut sim = started(vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP])).expect("queued");
    assert!(sim.run_until_call(|c| matches!(c, Call::EndMessage { .. })), "{}", sim.trace());
    assert_eq!(dispositions(&sim, m), [None]);
    sim.crash();
    let before = sim.calls().count();
    sim.start();
    assert_clean(&sim);
    let after = calls_after(&sim, before);
    assert_eq!(after.iter().filter(|c| matches!(c, Call::SubmitMessage { .. })).count(), 1, "{}", sim.trace());
    assert_eq!(dispositions(&sim, m), [Some(RecipientOutcome::Transport(T0))]);
    assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
}

/// A message queued but not yet locked when the spooler crashed is read from the queue by the
/// new spooler and locked as usual.
#[test]
fn an_unlocked_message_is_locked_by_the_new_spooler() {
    // Spec: SUB-16, SUB-19, SUB-20, DEC-12
    let mut sim = started(vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP])).expect("queued");
    assert!(sim.run_until_call(|c| matches!(c, Call::SetLockState { .. })));
    sim.crash();
    let before = sim.calls().count();
    sim.start();
    assert_clean(&sim);
    let after = calls_after(&sim, before);
    assert!(after.contains(&Call::SetLockState { store: S0, message: m, state: LockState::Locked }), "{}", sim.trace());
    assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
}
