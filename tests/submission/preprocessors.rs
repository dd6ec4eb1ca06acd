//! Preprocessors.

use super::*;

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

/// The same preprocessor-only transport placed after a transport that handles the recipient:
/// its preprocessor does not apply (DEC-21), so the message is sent without it.
#[test]
fn preprocessor_of_a_preprocessor_only_transport_behind_a_transport_that_handles_the_message_does_not_run() {
    // Spec: ORD-6, ORD-11, DEC-21
    let preprocessor_only = TransportScript::new("fax renderer", mapi_spooler::Registrations::none()).with_preprocessor(for_type(SMTP));
    let mut sim = started(vec![smtp(), preprocessor_only]);
    assert_eq!(sim.preprocessors(), vec![(P0, T1)]);
    let m = send(&mut sim, Draft { preprocess: true, ..draft(&[SMTP]) });
    assert_clean(&sim);
    assert_eq!(submissions(&sim), vec![(T0, m, SubmitFlags::EMPTY, rows(&[0]))]);
    assert!(positions(&sim, |c| matches!(c, Call::PreprocessMessage { .. })).is_empty(), "{}", sim.trace());
}
