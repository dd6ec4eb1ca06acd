//! Sent-mail hooks and reports.

use super::*;

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
