//! The bug zoo (issue 3): every deliberately wrong spooler of [`Bug::ALL`] is caught by the model
//! checker with the property it breaks, on the smallest world that reveals it, and the same world
//! with the correct spooler keeps every property.
//!
//! Each run is exhaustive, breadth-first and single-threaded, so its result does not depend on
//! scheduling.

use std::time::Instant;

use mapi_spooler::trace;
use mapi_spooler::zoo::Bug;
use mapi_spooler_model::check::{self, Options, Report, Verdict};
use mapi_spooler_model::{Config, Faults, SpoolerModel, report};

const ONE_THREAD: Options = Options { threads: 1, dfs: false, symmetry: false };

/// The world that reveals a bug: one message, no crash, no abort, no end of session, and only
/// the faults named, each at most once.
fn world(faults: &[&str]) -> Config {
    let mut config = Config { faults: Faults::NONE, fault_budget: u8::from(!faults.is_empty()), ..Config::small() };
    for name in faults {
        assert!(config.faults.set(name, true), "unknown fault {name}");
    }
    config
}

/// The smallest configuration that reveals the bug, and the other properties it may break
/// besides the one it claims (a message left locked is also a message that never ended).
fn specimen(bug: Bug) -> (Config, &'static [&'static str]) {
    match bug {
        Bug::SendBeforeLock => (world(&[]), &[]),
        Bug::OfferTakenRecipient => (world(&["partial"]), &[]),
        Bug::SkipUnlock => (Config { shutdowns: 1, ..world(&[]) }, &["LIV-1"]),
        // Without overlapping registrations the two recipients go to two transports, one after
        // the other, so one is settled while the other is still open.
        Bug::FinishBeforeSettled => (Config { overlap: false, ..world(&[]) }, &[]),
        Bug::IgnoreDeleteAfterSubmit => (Config { delete_after_submit: true, ..world(&[]) }, &[]),
        Bug::SubmitAfterEndOutbound => (Config { disables: 1, ..world(&[]) }, &[]),
        Bug::ShutdownWithLiveLogon => (Config { shutdowns: 1, ..world(&[]) }, &[]),
        Bug::EndAfterFailedSubmit => (world(&["busy"]), &[]),
        // Its recipients are never disposed of either (LIV-3).
        Bug::ForgetLockedAcrossRestart => (Config { crashes: 1, ..world(&[]) }, &["LIV-1", "LIV-3"]),
        Bug::SendTwiceAfterRestart => (Config { crashes: 1, ..world(&[]) }, &[]),
        Bug::IgnoreRetryDelay => (world(&["wait"]), &[]),
        Bug::CallAfterCriticalError => (world(&["critical"]), &[]),
        Bug::NotifyUnsaved => (Config { inbound: 1, ..world(&[]) }, &[]),
        Bug::OneMessagePerNotification => (Config { inbound: 2, ..world(&[]) }, &[]),
        // Two recipients on two transports: the cancel comes while the first is offered, and the
        // second is offered anyway.
        Bug::IgnoreCancel => (Config { cancels: 1, overlap: false, ..world(&[]) }, &[]),
        Bug::RetryUserCancel => (Config { cancels: 1, ..world(&[]) }, &[]),
        Bug::RouteCompletedMessage => (Config { coupled: true, ..world(&[]) }, &[]),
        Bug::NotifyHookDeleted => (Config { inbound: 1, inbound_hooks: 1, ..world(&[]) }, &[]),
        // A client's flush is never answered either.
        Bug::FlushWithoutEnd => (Config { flushes: 1, ..world(&[]) }, &["every status call is answered"]),
        // A transport takes one of the two recipients; the other is settled with it.
        Bug::SettleUntakenOnEnd => (world(&["partial"]), &[]),
        // Recipient 1 (address type 1) is declined by T0 and should fall through to T1.
        Bug::NotMeDeclinesAll => (world(&["not-me"]), &[]),
        Bug::IgnoreConfigChange => (Config { notifies: 1, ..world(&[]) }, &[]),
        // Only an upload-only flush shows it.
        Bug::FlushBothHalves => (Config { flushes: 1, status_variants: true, ..world(&[]) }, &[]),
        // FinishedMsg comes before the preprocessing was cleaned up, too.
        Bug::FinishPreprocessingAtEnd => (Config { preprocess: true, shutdowns: 1, ..world(&[]) }, &["INV-25"]),
    }
}

fn run(config: Config) -> Report {
    check::run(SpoolerModel::new(config).expect("valid configuration"), ONE_THREAD, |_, _, _, _| {})
}

/// True when a property's name is the catalogue ID `id` (the names start with the ID).
fn names(name: &str, id: &str) -> bool {
    name == id || name.strip_prefix(id).is_some_and(|rest| rest.starts_with(' '))
}

/// Every property that did not hold or was not reached, with its verdict.
fn failures(report: &Report) -> Vec<String> {
    report
        .properties
        .iter()
        .filter(|p| !matches!(p.verdict, Verdict::Holds | Verdict::Reached))
        .map(|p| match &p.verdict {
            Verdict::Broken(actions) => format!("{} broken after {} moves", p.name, actions.len()),
            verdict => format!("{} {verdict:?}", p.name),
        })
        .collect()
}

/// The bug is caught by the property it breaks, and only then: the correct spooler keeps every
/// property in the same world, and the buggy one breaks no property but the one it claims and
/// those listed by [`specimen`].
fn caught(bug: Bug) {
    let (config, also) = specimen(bug);
    let started = Instant::now();
    let correct = run(config.clone());
    let failed = failures(&correct);
    assert!(failed.is_empty(), "{bug}: the correct spooler fails in the world that reveals it ({config}): {failed:#?}");
    let buggy = run(Config { bug: Some(bug), ..config.clone() });
    let failed = failures(&buggy);
    let broken: Vec<&str> = buggy.properties.iter().filter(|p| matches!(p.verdict, Verdict::Broken(_))).map(|p| p.name).collect();
    assert!(
        broken.iter().any(|name| names(name, bug.breaks())),
        "{bug} should break {}, but the model checker reports ({config}): {failed:#?}",
        bug.breaks()
    );
    // The counterexample, written as a recorded trace, is judged by `trace check` against the
    // correct reference: it diverges at an event of the spooler's (the bug acting), except
    // for the store's bug, where the spooler's calls are right and the trace conforms.
    let claimed = buggy.properties.iter().find(|p| names(p.name, bug.breaks())).expect("the claimed property");
    let Verdict::Broken(actions) = &claimed.verdict else { unreachable!("checked above") };
    let model = SpoolerModel::new(Config { bug: Some(bug), ..config.clone() }).expect("valid configuration");
    let recorded = report::recorded(&model, &report::replay(&model, actions));
    match (bug, trace::check_lines(recorded.lines())) {
        (Bug::IgnoreDeleteAfterSubmit, trace::Verdict::Conforms { .. }) => {}
        (_, trace::Verdict::Diverges(d)) if bug != Bug::IgnoreDeleteAfterSubmit => {
            let spoolers = ["{\"call\"", "{\"save\"", "{\"report\"", "{\"release\"", "(the end of the trace)"];
            // Either the spooler did something the reference does not, or it left out a call
            // the reference makes before the next event.
            let omitted = d.expected.ends_with("before anything else happens");
            assert!(spoolers.iter().any(|p| d.event.starts_with(p)) || omitted, "{bug}: the trace diverges elsewhere than the bug: {d}");
            eprintln!("{bug}: trace check diverges at {d}");
        }
        (_, verdict) => panic!("{bug}: trace check says {verdict} of the counterexample:\n{recorded}"),
    }
    let unrelated: Vec<&&str> = broken.iter().filter(|name| !names(name, bug.breaks()) && !also.iter().any(|id| names(name, id))).collect();
    assert!(unrelated.is_empty(), "{bug} breaks {} and also {unrelated:?}; every failure ({config}): {failed:#?}", bug.breaks());
    eprintln!(
        "{bug}: {} caught in {:.2?} ({} + {} unique states; {config})",
        bug.breaks(),
        started.elapsed(),
        correct.unique_states,
        buggy.unique_states
    );
}

#[test]
fn send_before_lock_breaks_lock_before_hand_off() {
    // Spec: INV-14, SUB-20
    caught(Bug::SendBeforeLock);
}

#[test]
fn offer_taken_recipient_breaks_taken_never_offered() {
    // Spec: INV-20, SUB-21
    caught(Bug::OfferTakenRecipient);
}

#[test]
fn skip_unlock_breaks_lock_release() {
    // Spec: LIV-2, DEC-8
    caught(Bug::SkipUnlock);
}

#[test]
fn finish_before_settled_breaks_one_disposition() {
    // Spec: INV-23, SUB-26
    caught(Bug::FinishBeforeSettled);
}

#[test]
fn ignore_delete_after_submit_breaks_deletion() {
    // Spec: INV-32, HOOK-7
    caught(Bug::IgnoreDeleteAfterSubmit);
}

#[test]
fn submit_after_end_outbound_breaks_outbound_gate() {
    // Spec: INV-8, LIFE-12
    caught(Bug::SubmitAfterEndOutbound);
}

#[test]
fn shutdown_with_live_logon_breaks_shutdown_gating() {
    // Spec: INV-3, LIFE-16
    caught(Bug::ShutdownWithLiveLogon);
}

#[test]
fn end_after_failed_submit_breaks_end_message_pairing() {
    // Spec: INV-17, ERR-2
    caught(Bug::EndAfterFailedSubmit);
}

#[test]
fn forget_locked_across_restart_breaks_lock_release() {
    // Spec: LIV-2, DEC-12
    caught(Bug::ForgetLockedAcrossRestart);
}

#[test]
fn send_twice_after_restart_breaks_taken_never_offered() {
    // Spec: INV-20, DEC-12
    caught(Bug::SendTwiceAfterRestart);
}

#[test]
fn ignore_retry_delay_breaks_retry_delay() {
    // Spec: INV-29, ERR-4
    caught(Bug::IgnoreRetryDelay);
}

#[test]
fn call_after_critical_error_breaks_critical_is_terminal() {
    // Spec: INV-5, LIFE-17
    caught(Bug::CallAfterCriticalError);
}

/// Every bug has a name of its own that the command line finds it by.
#[test]
fn every_bug_has_its_own_name() {
    for bug in Bug::ALL {
        assert_eq!(Bug::from_name(bug.name()), Some(*bug));
    }
    assert_eq!(Bug::from_name("no-such-bug"), None);
    assert_eq!(Bug::ALL.len(), 24);
}

#[test]
fn notify_unsaved_breaks_commit_before_notify() {
    // Spec: INV-36, RCV-6, AMB-14
    caught(Bug::NotifyUnsaved);
}

#[test]
fn one_message_per_notification_breaks_signalled_mail_is_fetched() {
    // Spec: LIV-4, RCV-1, RCV-6
    caught(Bug::OneMessagePerNotification);
}

#[test]
fn retry_user_cancel_breaks_cancelled_never_offered() {
    // Spec: INV-39, ERR-12, DEF-8
    caught(Bug::RetryUserCancel);
}

#[test]
fn ignore_cancel_breaks_cancelled_never_offered() {
    // Spec: INV-39, DEF-5, DEF-7
    caught(Bug::IgnoreCancel);
}

#[test]
fn route_completed_message_breaks_completed_by_pair() {
    // Spec: INV-34, TC-3, TC-5
    caught(Bug::RouteCompletedMessage);
}

#[test]
fn notify_hook_deleted_breaks_commit_before_notify() {
    // Spec: INV-36, HOOK-13, RCV-11
    caught(Bug::NotifyHookDeleted);
}

/// Only the refinement property catches it: the monitor's properties all hold (checked by
/// [`caught`], which allows no other broken property).
#[test]
fn settle_untaken_on_end_breaks_the_refinement() {
    // Spec: SUB-28, SUB-34, DEC-11
    caught(Bug::SettleUntakenOnEnd);
}

#[test]
fn flush_without_end_breaks_flushes_end() {
    // Spec: LIV-5, STAT-20
    caught(Bug::FlushWithoutEnd);
}

#[test]
fn not_me_declines_all_breaks_the_refinement() {
    // Spec: ERR-3, ORD-4
    caught(Bug::NotMeDeclinesAll);
}

#[test]
fn ignore_config_change_breaks_requery() {
    // Spec: ORD-9
    caught(Bug::IgnoreConfigChange);
}

#[test]
fn flush_both_halves_breaks_the_flush_protocol() {
    // Spec: STAT-20, STAT-19
    caught(Bug::FlushBothHalves);
}

#[test]
fn finish_preprocessing_at_end_breaks_one_disposition() {
    // Spec: INV-23, DEC-8, SUB-12
    caught(Bug::FinishPreprocessingAtEnd);
}
