//! Conformance scenarios: the spooler's reaction to every documented result of
//! `IXPLogon::SubmitMessage` and `IXPLogon::EndMessage` (`ixplogon-submitmessage.md`,
//! `ixplogon-endmessage.md`, `imapisupport-spoolernotify.md`): retries, deferral, reports and
//! critical errors.

mod common;

use common::*;
use mapi_spooler::sim::{EndAnswer, Sim, SubmitAnswer, TransportScript};
use mapi_spooler::store::Outcome;
use mapi_spooler::{
    Call, Caller, EndFlags, Ending, Error, Hresult, Input, MessageId, MsgRef, NdrOrigin, ProviderFault, RecipientOutcome, RecipientSet,
    RecipientView, Registrations, ReportKind, Return, Settings, SpoolerNotifyFlags, SubmitFlags, SubmitOutcome, SupportCall, Time,
    TransportId, TransportSet, TransportView,
};

const T0: TransportId = TransportId(0);
const T1: TransportId = TransportId(1);

/// A second transport registered for `SMTP`, after [`smtp`] in the transport order.
fn smtp_backup() -> TransportScript {
    TransportScript::new("SMTP backup", Registrations::address_types([SMTP]))
}

/// A started world with these settings.
fn started_with(settings: Settings, scripts: Vec<TransportScript>) -> Sim {
    let mut sim = world_with_settings(settings, scripts);
    sim.start();
    sim
}

/// The `SubmitMessage` calls so far.
fn submits(sim: &Sim) -> Vec<Call> {
    sim.calls().filter(|c| matches!(c, Call::SubmitMessage { .. })).cloned().collect()
}

/// The `EndMessage` calls so far.
fn ends(sim: &Sim) -> Vec<Call> {
    sim.calls().filter(|c| matches!(c, Call::EndMessage { .. })).cloned().collect()
}

/// Feeds an input that the spooler must accept and returns the effects it caused.
fn feed_ok(sim: &mut Sim, input: Input) -> Vec<mapi_spooler::Effect> {
    let before = sim.effects().len();
    assert!(sim.feed(input), "the spooler refused an input; trace:\n{}", sim.trace());
    sim.effects()[before..].to_vec()
}

/// The call among some effects, if any.
fn call_in(effects: &[mapi_spooler::Effect]) -> Option<&Call> {
    effects.iter().find_map(mapi_spooler::Effect::as_call)
}

/// Submits a draft and runs the world until the spooler makes a `SubmitMessage` call, which is
/// left unanswered.
fn submit_and_stop(sim: &mut Sim, d: mapi_spooler::store::Draft) -> MessageId {
    let m = sim.submit(S0, d).expect("the store accepts the draft");
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })), "no SubmitMessage came; trace:\n{}", sim.trace());
    m
}

/// The `SubmitMessage` call in flight: transport, message, recipients offered.
fn submit_in_flight(sim: &Sim) -> (TransportId, MessageId, SubmitFlags, RecipientSet) {
    match sim.spooler().call_in_flight() {
        Some(Call::SubmitMessage { transport, message, flags, offered }) => (*transport, *message, *flags, offered.clone()),
        other => panic!("expected a SubmitMessage in flight, got {other:?}; trace:\n{}", sim.trace()),
    }
}

fn failed(result: Hresult, return_parm: u32) -> SubmitOutcome {
    SubmitOutcome::Failed { result, return_parm, saved: RecipientSet::new() }
}

/// Answers the `SubmitMessage` in flight with an error, then checks that the spooler keeps the
/// message, calls no `EndMessage`, does not offer it again a second before `delay` seconds have
/// passed, and offers the same recipients to the same transport exactly when they have. The world
/// then runs to the end. Returns the world and the message.
fn retried_after(settings: Settings, result: Hresult, return_parm: u32, delay: u32) -> (Sim, MessageId) {
    let mut sim = started_with(settings, vec![smtp()]);
    let m = submit_and_stop(&mut sim, draft(&[SMTP]));
    let (t, msg, flags, offered) = submit_in_flight(&sim);
    assert_eq!((t, msg, flags, &offered), (T0, m, SubmitFlags::EMPTY, &rows(&[0])));
    let failed_at = sim.spooler().now();

    let effects =
        feed_ok(&mut sim, Input::Return(Return::SubmitMessage { transport: T0, message: m, outcome: failed(result, return_parm) }));
    // No EndMessage, no other call, nothing saved: the attempt did not happen (ERR-2..ERR-7).
    assert_eq!(effects, [], "{}", sim.trace());
    assert_eq!(sim.spooler().call_in_flight(), None);
    assert_eq!(sim.spooler().next_deadline(), Some(failed_at.after(delay)));
    // The message is kept, locked, and the recipient is still open, declined by nobody.
    let view = sim.spooler().message_view(m).expect("the spooler keeps the message");
    assert!(view.locked);
    assert_eq!(view.recipients, [RecipientView::Open { declined: TransportSet::EMPTY }]);

    if delay > 1 {
        let effects = feed_ok(&mut sim, Input::TimePassed { seconds: delay - 1 });
        assert_eq!(effects, [], "offered again before {delay} s; trace:\n{}", sim.trace());
        assert_eq!(sim.spooler().call_in_flight(), None);
    }
    let effects = feed_ok(&mut sim, Input::TimePassed { seconds: 1 });
    assert_eq!(sim.spooler().now(), failed_at.after(delay));
    assert_eq!(
        call_in(&effects),
        Some(&Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::EMPTY, offered: rows(&[0]) }),
        "not offered again after {delay} s; trace:\n{}",
        sim.trace()
    );
    sim.run();
    assert_clean(&sim);
    assert_eq!(submits(&sim).len(), 2);
    assert_eq!(ends(&sim), [Call::EndMessage { transport: T0, msg_ref: MsgRef(1) }]);
    assert_eq!(dispositions(&sim, m), [taken_by(T0)]);
    assert!(matches!(outcome(&sim, m), Outcome::Finished(_)));
    (sim, m)
}

/// S_OK: the spooler calls EndMessage exactly once, with the reference the transport returned,
/// and that is its next call to the transport.
#[test]
fn s_ok_is_followed_by_end_message_with_the_returned_reference() {
    // Spec: ERR-1, SUB-24, INV-17, INV-18, DEC-9
    let mut sim = started(vec![smtp(), fax()]);
    let m = submit_and_stop(&mut sim, draft(&[SMTP, FAX]));
    assert_eq!(submit_in_flight(&sim), (T0, m, SubmitFlags::EMPTY, rows(&[0])));
    let effects = feed_ok(
        &mut sim,
        Input::Return(Return::SubmitMessage {
            transport: T0,
            message: m,
            outcome: SubmitOutcome::Accepted { msg_ref: MsgRef(0xBEEF), accepted: rows(&[0]) },
        }),
    );
    // No report was asked for, so EndMessage comes at once, and it is the only effect.
    assert_eq!(effects, [mapi_spooler::Effect::Call(Call::EndMessage { transport: T0, msg_ref: MsgRef(0xBEEF) })]);
    sim.run();
    assert_clean(&sim);
    // Exactly one EndMessage per successful SubmitMessage, each right after it.
    let t0 = calls_to(&sim, T0);
    let t0_work: Vec<&Call> = t0.iter().filter(|c| matches!(c, Call::SubmitMessage { .. } | Call::EndMessage { .. })).collect();
    assert_eq!(
        t0_work,
        [
            &Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::EMPTY, offered: rows(&[0]) },
            &Call::EndMessage { transport: T0, msg_ref: MsgRef(0xBEEF) },
        ]
    );
    let all: Vec<&Call> = sim.calls().collect();
    let submit_at = all.iter().position(|c| matches!(c, Call::SubmitMessage { transport: T0, .. })).unwrap();
    assert_eq!(all[submit_at + 1], &Call::EndMessage { transport: T0, msg_ref: MsgRef(0xBEEF) });
    assert_eq!(ends(&sim).len(), 2, "one EndMessage for each of the two successful submissions");
    assert_eq!(dispositions(&sim, m), [taken_by(T0), taken_by(T1)]);
}

/// A transport that never writes `*lpulMsgRef` leaves the 0 the spooler preset, and EndMessage
/// gets 0.
#[test]
fn a_transport_that_writes_no_reference_is_ended_with_zero() {
    // Spec: SUB-23, SUB-24, INV-17
    let mut sim = started(vec![smtp()]);
    let m = submit_and_stop(&mut sim, draft(&[SMTP]));
    let effects = feed_ok(
        &mut sim,
        Input::Return(Return::SubmitMessage {
            transport: T0,
            message: m,
            outcome: SubmitOutcome::Accepted { msg_ref: MsgRef(0), accepted: rows(&[0]) },
        }),
    );
    assert_eq!(call_in(&effects), Some(&Call::EndMessage { transport: T0, msg_ref: MsgRef(0) }));
    sim.run();
    assert_clean(&sim);
    assert_eq!(ends(&sim), [Call::EndMessage { transport: T0, msg_ref: MsgRef(0) }]);
}

/// MAPI_E_BUSY: no EndMessage; the same recipients go to the same transport again after
/// `Settings::busy_retry_secs`, and not a second earlier.
#[test]
fn busy_is_retried_on_the_same_transport_after_the_busy_delay() {
    // Spec: ERR-2, AMB-36, INV-17, DEC-16
    let settings = Settings { busy_retry_secs: 7, ..Settings::default() };
    let (sim, _) = retried_after(settings, Hresult::MAPI_E_BUSY, 0, 7);
    insta::assert_snapshot!(sim.trace());
}

/// MAPI_E_BUSY ignores `*lpulReturnParm`: the delay is the spooler's own.
#[test]
fn busy_ignores_the_return_parameter() {
    // Spec: ERR-2, DEF-9, AMB-36, DEC-16
    let settings = Settings { busy_retry_secs: 3, ..Settings::default() };
    retried_after(settings, Hresult::MAPI_E_BUSY, 500, 3);
}

/// MAPI_E_WAIT with `*lpulReturnParm = N`: not offered again before N seconds, offered at N.
#[test]
fn wait_is_retried_after_the_returned_number_of_seconds() {
    // Spec: ERR-4, DEF-9, INV-29, INV-17
    let (sim, _) = retried_after(Settings::default(), Hresult::MAPI_E_WAIT, 30, 30);
    insta::assert_snapshot!(sim.trace());
}

/// MAPI_E_NETWORK_ERROR with `*lpulReturnParm = N`: the same as MAPI_E_WAIT.
#[test]
fn network_error_is_retried_after_the_returned_number_of_seconds() {
    // Spec: ERR-5, DEF-9, INV-29, INV-17
    retried_after(Settings::default(), Hresult::MAPI_E_NETWORK_ERROR, 12, 12);
}

/// A SubmitMessage error that the page does not list (here MAPI_E_CALL_FAILED) is a transport
/// problem: the message is kept and offered again after `Settings::failure_retry_secs`.
#[test]
fn an_undocumented_submit_error_is_retried_after_the_failure_delay() {
    // Spec: ERR-7, SUB-33, INV-17, DEC-2, DEC-16
    let settings = Settings { failure_retry_secs: 45, ..Settings::default() };
    retried_after(settings, Hresult::MAPI_E_CALL_FAILED, 3, 45);
}

/// A transport that fails once and then succeeds: the second attempt, after the delay, is
/// ended and settled like any other.
#[test]
fn a_transport_that_fails_once_then_succeeds_gets_the_message() {
    // Spec: ERR-5, ERR-1, INV-17, INV-29
    let mut sim = started(vec![smtp().submits([SubmitAnswer::Fail(Hresult::MAPI_E_NETWORK_ERROR, 10), SubmitAnswer::TakeMine])]);
    let m = send(&mut sim, draft(&[SMTP]));
    assert_clean(&sim);
    let offer = Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::EMPTY, offered: rows(&[0]) };
    let work: Vec<Call> =
        calls_to(&sim, T0).into_iter().filter(|c| matches!(c, Call::SubmitMessage { .. } | Call::EndMessage { .. })).collect();
    assert_eq!(work, [offer.clone(), offer, Call::EndMessage { transport: T0, msg_ref: MsgRef(1) }]);
    assert_eq!(sim.spooler().now(), Time(10));
    assert_eq!(dispositions(&sim, m), [taken_by(T0)]);
    assert!(matches!(outcome(&sim, m), Outcome::Finished(_)));
}

/// MAPI_E_NOT_ME: no EndMessage; the recipients go at once to the next transport of the scan.
#[test]
fn not_me_passes_the_recipients_to_the_next_transport() {
    // Spec: ERR-3, ORD-4, INV-17, INV-22
    let mut sim = started(vec![smtp().submits([SubmitAnswer::Fail(Hresult::MAPI_E_NOT_ME, 0)]), smtp_backup()]);
    let m = sim.submit(S0, draft(&[SMTP, SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { transport: T1, .. })), "{}", sim.trace());
    // T0 was offered both, declined both by NOT_ME, and got no EndMessage.
    assert_eq!(calls_to(&sim, T0).iter().filter(|c| matches!(c, Call::EndMessage { .. })).count(), 0);
    assert_eq!(submit_in_flight(&sim), (T1, m, SubmitFlags::EMPTY, rows(&[0, 1])));
    assert_eq!(sim.spooler().now(), Time(0), "NOT_ME is not retried later, the next transport gets it now");
    let declined = RecipientView::Open { declined: transports(&[T0]) };
    assert_eq!(sim.spooler().message_view(m).unwrap().recipients, [declined, declined]);
    sim.run();
    assert_clean(&sim);
    assert_eq!(dispositions(&sim, m), [taken_by(T1), taken_by(T1)]);
    // T0 is never offered the message again.
    assert_eq!(calls_to(&sim, T0).iter().filter(|c| matches!(c, Call::SubmitMessage { .. })).count(), 1);
    insta::assert_snapshot!(sim.trace());
}

/// MAPI_E_NOT_ME from the only transport that matches: the scan is exhausted, the spooler
/// raises an NDR and finishes the message.
#[test]
fn not_me_from_the_only_transport_ends_in_an_ndr() {
    // Spec: ERR-3, ORD-4, SUB-25, AMB-22
    let mut sim = started(vec![smtp().submits([SubmitAnswer::Fail(Hresult::MAPI_E_NOT_ME, 0)])]);
    let m = send(&mut sim, draft(&[SMTP]));
    assert_clean(&sim);
    assert_eq!(ends(&sim), []);
    let ndr = sim.effects().iter().any(|e| {
        matches!(e, mapi_spooler::Effect::Report { message, recipients, kind: ReportKind::NonDelivery, .. } if *message == m && *recipients == rows(&[0]))
    });
    assert!(ndr, "{}", sim.trace());
    assert_eq!(dispositions(&sim, m), [Some(RecipientOutcome::Undeliverable(NdrOrigin::NoTransport))]);
    assert!(matches!(outcome(&sim, m), Outcome::Finished(_)));
}

/// MAPI_E_CANCEL answering a BEGIN_DEFERRED submission ends the deferral: no EndMessage, the
/// recipients stay taken by that transport, and the message is finished.
#[test]
fn cancel_after_begin_deferred_ends_the_deferral_and_keeps_the_recipients_taken() {
    // Spec: ERR-6, AMB-19, DEF-2, INV-17, INV-30, DEC-9
    let t0 = smtp().submits([SubmitAnswer::TakeMine, SubmitAnswer::Fail(Hresult::MAPI_E_CANCEL, 0)]).ends([EndAnswer::DeferFor(20)]);
    let mut sim = started(vec![t0]);
    let m = send(&mut sim, draft(&[SMTP]));
    assert_clean(&sim);
    assert_eq!(
        submits(&sim),
        [
            Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::EMPTY, offered: rows(&[0]) },
            Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::BEGIN_DEFERRED, offered: rows(&[0]) },
        ]
    );
    // Only the first, successful submission is ended.
    assert_eq!(ends(&sim), [Call::EndMessage { transport: T0, msg_ref: MsgRef(1) }]);
    assert_eq!(dispositions(&sim, m), [taken_by(T0)]);
    assert!(matches!(outcome(&sim, m), Outcome::Finished(_)));
    assert_eq!(stored(&sim, m).recipients[0].reports, 0, "MAPI_E_CANCEL raises no report");
    insta::assert_snapshot!(sim.trace());
}

/// MAPI_E_CANCEL answers only a BEGIN_DEFERRED submission: on a normal one it is refused, the
/// spooler is unchanged and still waits for the return of that SubmitMessage.
#[test]
fn cancel_on_a_normal_submission_is_refused() {
    // Spec: ERR-6, DEC-3
    let mut sim = started(vec![smtp()]);
    let m = submit_and_stop(&mut sim, draft(&[SMTP]));
    let before = sim.spooler().clone();
    let cancel = Input::Return(Return::SubmitMessage { transport: T0, message: m, outcome: failed(Hresult::MAPI_E_CANCEL, 0) });
    assert!(!sim.feed(cancel));
    assert_eq!(sim.refused(), [Error::Provider { transport: T0, fault: ProviderFault::CancelWithoutDeferral }]);
    assert_eq!(*sim.spooler(), before);
    assert!(sim.refused()[0].to_string().contains("BEGIN_DEFERRED"));
    // The call is still in flight; a proper answer is accepted.
    assert_eq!(submit_in_flight(&sim), (T0, m, SubmitFlags::EMPTY, rows(&[0])));
    sim.run();
    assert_eq!(dispositions(&sim, m), [taken_by(T0)]);
    assert!(matches!(outcome(&sim, m), Outcome::Finished(_)));
}

/// A transport that reported one recipient undeliverable with StatusRecips and saved it before
/// returning MAPI_E_WAIT: the NDR is raised, that recipient is final, and only the other one is
/// offered again after the delay (SUB-30, SUB-33, DEF-10).
#[test]
fn a_report_asked_for_before_an_error_is_raised_and_its_recipient_stays_final() {
    // Spec: SUB-30, SUB-33, DEF-10, ERR-4
    let mut sim = started(vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP, SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    let ndr = vec![(mapi_spooler::RecipientIdx(0), ReportKind::NonDelivery)];
    assert!(sim.feed(Input::Support(SupportCall::StatusRecips { transport: T0, message: m, reports: ndr })));
    let wait = SubmitOutcome::Failed { result: Hresult::MAPI_E_WAIT, return_parm: 5, saved: rows(&[0]) };
    assert!(sim.feed(Input::Return(Return::SubmitMessage { transport: T0, message: m, outcome: wait })));
    sim.run();
    assert_clean(&sim);
    assert_eq!(reports(&sim), [(m, rows(&[0]), ReportKind::NonDelivery)], "{}", sim.trace());
    assert_eq!(
        submits(&sim).last(),
        Some(&Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::EMPTY, offered: rows(&[1]) })
    );
}

/// A transport that saved PR_RESPONSIBILITY TRUE on one recipient before returning
/// MAPI_E_NETWORK_ERROR: that recipient is settled and never offered again; the other one is
/// offered again after the returned delay.
#[test]
fn recipients_saved_before_an_error_stay_taken_and_the_rest_is_retried() {
    // Spec: SUB-33, AMB-21, ERR-5, INV-20, INV-29
    let t0 = smtp().submits([SubmitAnswer::FailSaving(Hresult::MAPI_E_NETWORK_ERROR, 5, vec![0])]);
    let mut sim = started(vec![t0]);
    let m = sim.submit(S0, draft(&[SMTP, SMTP])).unwrap();
    // Stop at the second SubmitMessage, which comes after the delay.
    let mut seen = 0;
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. }) && {
        seen += 1;
        seen == 2
    }));
    assert_eq!(sim.spooler().now(), Time(5));
    assert_eq!(submit_in_flight(&sim), (T0, m, SubmitFlags::EMPTY, rows(&[1])), "only the unsaved recipient is offered again");
    let view = sim.spooler().message_view(m).unwrap();
    assert_eq!(
        view.recipients,
        [RecipientView::Done(RecipientOutcome::Transport(T0)), RecipientView::Open { declined: TransportSet::EMPTY }]
    );
    // The store has the saved recipient as the transport left it.
    assert!(stored(&sim, m).recipients[0].row.responsibility);
    assert!(!stored(&sim, m).recipients[1].row.responsibility);
    sim.run();
    assert_clean(&sim);
    assert_eq!(
        submits(&sim),
        [
            Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::EMPTY, offered: rows(&[0, 1]) },
            Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::EMPTY, offered: rows(&[1]) },
        ]
    );
    assert_eq!(ends(&sim).len(), 1);
    assert_eq!(dispositions(&sim, m), [taken_by(T0), taken_by(T0)]);
    assert!(matches!(outcome(&sim, m), Outcome::Finished(_)));
    insta::assert_snapshot!(sim.trace());
}

/// Changes a transport did not save before its error are discarded: the recipients it did not
/// save are offered again, and nothing of the failed attempt is recorded for them.
#[test]
fn unsaved_changes_of_a_failed_submission_are_discarded() {
    // Spec: SUB-33, AMB-21, ERR-4
    let mut sim = started(vec![smtp()]);
    let m = submit_and_stop(&mut sim, draft(&[SMTP, SMTP]));
    feed_ok(&mut sim, Input::Return(Return::SubmitMessage { transport: T0, message: m, outcome: failed(Hresult::MAPI_E_WAIT, 4) }));
    let open = RecipientView::Open { declined: TransportSet::EMPTY };
    assert_eq!(sim.spooler().message_view(m).unwrap().recipients, [open, open]);
    assert_eq!(dispositions(&sim, m), [None, None]);
    assert!(!sim.effects().iter().any(|e| matches!(e, mapi_spooler::Effect::SaveRecipients { .. })));
    sim.run();
    assert_clean(&sim);
    assert_eq!(dispositions(&sim, m), [taken_by(T0), taken_by(T0)]);
}

/// EndMessage returning 0: the message was sent; the spooler settles the recipients the
/// transport took and saves that (Effect::SaveRecipients), then moves on.
#[test]
fn end_message_zero_settles_and_saves_the_recipients() {
    // Spec: SUB-34, ERR-1, SUB-26, INV-23, DEC-9
    let mut sim = started(vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP, SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::EndMessage { .. })));
    let effects = feed_ok(&mut sim, Input::Return(Return::EndMessage { transport: T0, msg_ref: MsgRef(1), result: Ok(EndFlags::EMPTY) }));
    assert_eq!(
        effects,
        [
            mapi_spooler::Effect::SaveRecipients {
                store: S0,
                message: m,
                recipients: rows(&[0, 1]),
                outcome: RecipientOutcome::Transport(T0)
            },
            mapi_spooler::Effect::Call(Call::FinishedMsg { store: S0, message: m }),
        ]
    );
    sim.run();
    assert_clean(&sim);
    assert_eq!(dispositions(&sim, m), [taken_by(T0), taken_by(T0)]);
}

/// A recipient the transport left FALSE on an S_OK submission is declined: after EndMessage the
/// scan goes on to the next transport for it.
#[test]
fn a_recipient_left_false_on_success_goes_to_the_next_transport() {
    // Spec: SUB-28, ORD-4, ERR-1, INV-20
    let mut sim = started(vec![smtp().submits([SubmitAnswer::Take(vec![0])]), smtp_backup()]);
    let m = send(&mut sim, draft(&[SMTP, SMTP]));
    assert_clean(&sim);
    assert_eq!(
        submits(&sim),
        [
            Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::EMPTY, offered: rows(&[0, 1]) },
            Call::SubmitMessage { transport: T1, message: m, flags: SubmitFlags::EMPTY, offered: rows(&[1]) },
        ]
    );
    assert_eq!(dispositions(&sim, m), [taken_by(T0), taken_by(T1)]);
}

/// END_RESEND_NOW: the attempt does not count; the same recipients are offered to the same
/// transport again at once, nothing is saved in between.
#[test]
fn end_resend_now_offers_the_same_recipients_to_the_same_transport_at_once() {
    // Spec: DEF-4, AMB-18, SUB-34, INV-17, DEC-11
    let mut sim = started(vec![smtp()]);
    let m = submit_and_stop(&mut sim, draft(&[SMTP, SMTP]));
    // The transport takes r0 and leaves r1 FALSE (a decline), then asks to restart.
    let effects = feed_ok(
        &mut sim,
        Input::Return(Return::SubmitMessage {
            transport: T0,
            message: m,
            outcome: SubmitOutcome::Accepted { msg_ref: MsgRef(7), accepted: rows(&[0]) },
        }),
    );
    assert_eq!(effects, [mapi_spooler::Effect::Call(Call::EndMessage { transport: T0, msg_ref: MsgRef(7) })]);
    let at = sim.spooler().now();
    let effects =
        feed_ok(&mut sim, Input::Return(Return::EndMessage { transport: T0, msg_ref: MsgRef(7), result: Ok(EndFlags::END_RESEND_NOW) }));
    // The whole attempt is undone, the decline included: both go to T0 again, at once.
    assert_eq!(
        effects,
        [mapi_spooler::Effect::Call(Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::EMPTY, offered: rows(&[0, 1]) })]
    );
    assert_eq!(sim.spooler().now(), at);
    let open = RecipientView::Open { declined: TransportSet::EMPTY };
    assert_eq!(sim.spooler().message_view(m).unwrap().recipients, [open, open]);
    sim.run();
    assert_clean(&sim);
    assert_eq!(submits(&sim).len(), 2);
    assert_eq!(
        ends(&sim),
        [Call::EndMessage { transport: T0, msg_ref: MsgRef(7) }, Call::EndMessage { transport: T0, msg_ref: MsgRef(1) }]
    );
    assert_eq!(dispositions(&sim, m), [taken_by(T0), taken_by(T0)]);
    insta::assert_snapshot!(sim.trace());
}

/// END_RESEND_LATER: not an error; the same recipients go to the same transport again after
/// `Settings::resend_later_secs`, and not before.
#[test]
fn end_resend_later_offers_the_message_again_after_the_resend_delay() {
    // Spec: DEF-3, AMB-18, SUB-34, INV-17, DEC-16
    let settings = Settings { resend_later_secs: 90, ..Settings::default() };
    let mut sim = started_with(settings, vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::EndMessage { .. })));
    let at = sim.spooler().now();
    let effects =
        feed_ok(&mut sim, Input::Return(Return::EndMessage { transport: T0, msg_ref: MsgRef(1), result: Ok(EndFlags::END_RESEND_LATER) }));
    assert_eq!(effects, [], "nothing saved, no call: the message waits");
    assert_eq!(sim.spooler().next_deadline(), Some(at.after(90)));
    assert!(sim.spooler().message_view(m).unwrap().locked);
    assert_eq!(feed_ok(&mut sim, Input::TimePassed { seconds: 89 }), []);
    let effects = feed_ok(&mut sim, Input::TimePassed { seconds: 1 });
    assert_eq!(call_in(&effects), Some(&Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::EMPTY, offered: rows(&[0]) }));
    sim.run();
    assert_clean(&sim);
    assert_eq!(ends(&sim).len(), 2);
    assert_eq!(dispositions(&sim, m), [taken_by(T0)]);
    assert!(matches!(outcome(&sim, m), Outcome::Finished(_)));
}

/// END_DONT_RESEND: the message stays locked and queued, the recipients stay with the
/// transport, and nothing is offered to it until it sends NOTIFY_SENTDEFERRED; then
/// SubmitMessage(BEGIN_DEFERRED) with the same recipients, EndMessage 0 and FinishedMsg. The
/// message's other recipients go to their own transport meanwhile.
#[test]
fn end_dont_resend_holds_the_message_until_sentdeferred_then_begin_deferred() {
    // Spec: DEF-2, AMB-17, INV-30, SUB-23, SUB-34, INV-25
    let mut sim = started(vec![smtp().ends([EndAnswer::Flags(EndFlags::END_DONT_RESEND)]), fax()]);
    let m = send(&mut sim, draft(&[SMTP, FAX]));
    assert_clean(&sim);
    // The world has settled: the FAX recipient is sent, the SMTP one is held deferred.
    assert_eq!(sim.spooler().call_in_flight(), None);
    assert_eq!(sim.spooler().next_deadline(), None);
    let view = sim.spooler().message_view(m).unwrap();
    assert!(view.locked, "the message stays locked while deferred (AMB-17)");
    assert_eq!(view.recipients, [RecipientView::Deferred(T0), RecipientView::Done(RecipientOutcome::Transport(T1))]);
    assert_eq!(outcome(&sim, m), Outcome::Queued);
    assert!(sim.store(S0).is_queued(m));
    assert!(!sim.calls().any(|c| matches!(c, Call::FinishedMsg { .. })));
    assert!(!sim.calls().any(|c| matches!(c, Call::SubmitMessage { flags, .. } if *flags == SubmitFlags::BEGIN_DEFERRED)));
    assert_eq!(dispositions(&sim, m), [None, taken_by(T1)]);

    let notify =
        SupportCall::SpoolerNotify { caller: Caller::Transport(T0), flags: SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, message: Some(m) };
    let effects = feed_ok(&mut sim, Input::Support(notify));
    assert_eq!(
        effects,
        [mapi_spooler::Effect::Call(Call::SubmitMessage {
            transport: T0,
            message: m,
            flags: SubmitFlags::BEGIN_DEFERRED,
            offered: rows(&[0])
        })]
    );
    sim.run();
    assert_clean(&sim);
    let tail: Vec<Call> = sim
        .calls()
        .skip_while(|c| !matches!(c, Call::SubmitMessage { flags, .. } if *flags == SubmitFlags::BEGIN_DEFERRED))
        .cloned()
        .collect();
    assert_eq!(
        tail,
        [
            Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::BEGIN_DEFERRED, offered: rows(&[0]) },
            Call::EndMessage { transport: T0, msg_ref: MsgRef(2) },
            Call::FinishedMsg { store: S0, message: m },
        ]
    );
    assert_eq!(dispositions(&sim, m), [taken_by(T0), taken_by(T1)]);
    assert!(matches!(outcome(&sim, m), Outcome::Finished(_)));
    insta::assert_snapshot!(sim.trace());
}

/// END_DONT_RESEND keeps the recipients the transport took and applies its declines: the
/// recipient it left FALSE goes on to the next transport while the message is deferred.
#[test]
fn end_dont_resend_keeps_the_taken_recipients_and_passes_the_declined_ones_on() {
    // Spec: DEF-2, AMB-17, DEC-11, ORD-4
    let t0 = smtp().submits([SubmitAnswer::Take(vec![0])]).ends([EndAnswer::Flags(EndFlags::END_DONT_RESEND)]);
    let mut sim = started(vec![t0, smtp_backup()]);
    let m = send(&mut sim, draft(&[SMTP, SMTP]));
    assert_clean(&sim);
    assert_eq!(
        submits(&sim),
        [
            Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::EMPTY, offered: rows(&[0, 1]) },
            Call::SubmitMessage { transport: T1, message: m, flags: SubmitFlags::EMPTY, offered: rows(&[1]) },
        ]
    );
    let view = sim.spooler().message_view(m).unwrap();
    assert!(view.locked);
    assert_eq!(view.recipients, [RecipientView::Deferred(T0), RecipientView::Done(RecipientOutcome::Transport(T1))]);
    assert_eq!(dispositions(&sim, m), [None, taken_by(T1)]);
    assert_eq!(outcome(&sim, m), Outcome::Queued);
}

/// A transport that defers and notifies 30 s later: the other transport's recipient is sent at
/// once, the BEGIN_DEFERRED submission comes at 30 s, FinishedMsg after it.
#[test]
fn deferral_resumes_when_the_transport_notifies() {
    // Spec: DEF-2, AMB-17, INV-30
    let mut sim = started(vec![smtp().ends([EndAnswer::DeferFor(30)]), fax()]);
    let m = sim.submit(S0, draft(&[SMTP, FAX])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { flags, .. } if *flags == SubmitFlags::BEGIN_DEFERRED)));
    assert_eq!(sim.spooler().now(), Time(30));
    // T1 got its recipient at t=0, before the deferral ended.
    assert_eq!(dispositions(&sim, m), [None, taken_by(T1)]);
    assert_eq!(sim.spooler().message_view(m).unwrap().recipients[0], RecipientView::Resubmit(T0));
    assert_eq!(submit_in_flight(&sim), (T0, m, SubmitFlags::BEGIN_DEFERRED, rows(&[0])));
    sim.run();
    assert_clean(&sim);
    let finished = sim.calls().position(|c| matches!(c, Call::FinishedMsg { .. })).unwrap();
    let deferred =
        sim.calls().position(|c| matches!(c, Call::SubmitMessage { flags, .. } if *flags == SubmitFlags::BEGIN_DEFERRED)).unwrap();
    assert!(deferred < finished);
    assert_eq!(dispositions(&sim, m), [taken_by(T0), taken_by(T1)]);
}

/// A BEGIN_DEFERRED submission answered with MAPI_E_WAIT is retried after the delay, still as
/// BEGIN_DEFERRED, with the same recipients.
#[test]
fn a_deferred_resubmission_that_must_wait_is_retried_as_begin_deferred() {
    // Spec: DEF-2, ERR-4, INV-29, INV-30, INV-17
    let t0 = smtp()
        .submits([SubmitAnswer::TakeMine, SubmitAnswer::Fail(Hresult::MAPI_E_WAIT, 8), SubmitAnswer::TakeMine])
        .ends([EndAnswer::DeferFor(10)]);
    let mut sim = started(vec![t0]);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    let mut times = Vec::new();
    // Each run stops at the next SubmitMessage; the one it stopped at before is answered first.
    loop {
        let mut first = true;
        let stopped = sim.run_until_call(|c| !std::mem::take(&mut first) && matches!(c, Call::SubmitMessage { .. }));
        if !stopped {
            break;
        }
        times.push(sim.spooler().now());
    }
    assert_clean(&sim);
    assert_eq!(times, [Time(0), Time(10), Time(18)]);
    let resend = Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::BEGIN_DEFERRED, offered: rows(&[0]) };
    assert_eq!(
        submits(&sim),
        [Call::SubmitMessage { transport: T0, message: m, flags: SubmitFlags::EMPTY, offered: rows(&[0]) }, resend.clone(), resend]
    );
    assert_eq!(
        ends(&sim),
        [Call::EndMessage { transport: T0, msg_ref: MsgRef(1) }, Call::EndMessage { transport: T0, msg_ref: MsgRef(2) }]
    );
    assert_eq!(dispositions(&sim, m), [taken_by(T0)]);
    assert!(matches!(outcome(&sim, m), Outcome::Finished(_)));
}

/// StatusRecips during SubmitMessage: an NDR for one recipient and a DR for another, raised
/// after SubmitMessage returns and before EndMessage, each recipient reported once; the
/// reported recipients are final, the unreported one is settled by EndMessage.
#[test]
fn status_recips_reports_are_raised_before_end_message_once_per_recipient() {
    // Spec: SUB-30, SUB-24, DEF-10, DEF-11, INV-24, ERR-1, DEC-10
    let t0 = smtp().submits([SubmitAnswer::TakeAndReport(vec![(0, ReportKind::NonDelivery), (1, ReportKind::Delivery)])]);
    let mut sim = started(vec![t0]);
    let mut d = draft(&[SMTP, SMTP, SMTP]);
    d.reports.delivery = true;
    let m = sim.submit(S0, d).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::EndMessage { .. })));
    // The effects of the SubmitMessage return: reports and their saves, then EndMessage.
    let last_submit_return =
        sim.effects().iter().rposition(|e| matches!(e, mapi_spooler::Effect::Call(Call::SubmitMessage { .. }))).unwrap();
    let after: Vec<mapi_spooler::Effect> = sim.effects()[last_submit_return + 1..].to_vec();
    let taken = RecipientOutcome::Transport(T0);
    assert_eq!(
        after,
        [
            mapi_spooler::Effect::Report { store: S0, message: m, recipients: rows(&[1]), kind: ReportKind::Delivery },
            mapi_spooler::Effect::SaveRecipients { store: S0, message: m, recipients: rows(&[1]), outcome: taken },
            mapi_spooler::Effect::Report { store: S0, message: m, recipients: rows(&[0]), kind: ReportKind::NonDelivery },
            mapi_spooler::Effect::SaveRecipients { store: S0, message: m, recipients: rows(&[0]), outcome: taken },
            mapi_spooler::Effect::Call(Call::EndMessage { transport: T0, msg_ref: MsgRef(1) }),
        ]
    );
    sim.run();
    assert_clean(&sim);
    let reports: Vec<u8> = stored(&sim, m).recipients.iter().map(|r| r.reports).collect();
    assert_eq!(reports, [1, 1, 0], "each reported recipient once, the other never");
    assert_eq!(dispositions(&sim, m), [Some(taken), Some(taken), Some(taken)]);
    // EndMessage 0 saves only the recipient that was not reported.
    let saves: Vec<RecipientSet> = sim
        .effects()
        .iter()
        .filter_map(|e| match e {
            mapi_spooler::Effect::SaveRecipients { recipients, .. } => Some(recipients.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(saves, [rows(&[1]), rows(&[0]), rows(&[2])]);
    insta::assert_snapshot!(sim.trace());
}

/// A DR only when the originator asked for one; an NDR unless the originator declined it. The
/// recipients are settled either way.
#[test]
fn reports_are_raised_only_when_the_originator_wants_them() {
    // Spec: DEF-11, SUB-30, INV-24
    let t0 = smtp().submits([SubmitAnswer::TakeAndReport(vec![(0, ReportKind::NonDelivery), (1, ReportKind::Delivery)])]);
    let mut sim = started(vec![t0]);
    let mut d = draft(&[SMTP, SMTP]);
    d.reports.delivery = false;
    d.reports.non_delivery = false;
    let m = send(&mut sim, d);
    assert_clean(&sim);
    assert!(!sim.effects().iter().any(|e| matches!(e, mapi_spooler::Effect::Report { .. })), "{}", sim.trace());
    assert_eq!(dispositions(&sim, m), [taken_by(T0), taken_by(T0)]);

    // Default requests: NDR on, DR off.
    let t0 = smtp().submits([SubmitAnswer::TakeAndReport(vec![(0, ReportKind::NonDelivery), (1, ReportKind::Delivery)])]);
    let mut sim = started(vec![t0]);
    let m = send(&mut sim, draft(&[SMTP, SMTP]));
    assert_clean(&sim);
    let kinds: Vec<(RecipientSet, ReportKind)> = sim
        .effects()
        .iter()
        .filter_map(|e| match e {
            mapi_spooler::Effect::Report { recipients, kind, .. } => Some((recipients.clone(), *kind)),
            _ => None,
        })
        .collect();
    assert_eq!(kinds, [(rows(&[0]), ReportKind::NonDelivery)]);
    assert_eq!(dispositions(&sim, m), [taken_by(T0), taken_by(T0)]);
}

/// NOTIFY_CRITICAL_ERROR inside SubmitMessage, then an error: from then on the spooler only
/// releases that transport (TransportLogoff, Shutdown); the recipient goes to the next
/// transport of the scan.
#[test]
fn critical_error_during_submit_leaves_only_release_calls() {
    // Spec: ERR-7, LIFE-17, INV-5, LIFE-15, DEC-4
    let mut sim = started(vec![smtp().submits([SubmitAnswer::Critical(Hresult::MAPI_E_CALL_FAILED)]), smtp_backup()]);
    let m = send(&mut sim, draft(&[SMTP]));
    assert_clean(&sim);
    let t0 = calls_to(&sim, T0);
    let submit_at = t0.iter().position(|c| matches!(c, Call::SubmitMessage { .. })).unwrap();
    assert_eq!(t0[submit_at + 1..], [Call::TransportLogoff { transport: T0 }, Call::Shutdown { transport: T0 }], "{}", sim.trace());
    assert_eq!(sim.spooler().transport_view(T0), Some(TransportView::Gone(Ending::CriticalError)));
    assert!(sim.effects().contains(&mapi_spooler::Effect::Release(mapi_spooler::Released::Logon(T0))));
    assert!(sim.effects().contains(&mapi_spooler::Effect::Release(mapi_spooler::Released::Provider(T0))));
    assert_eq!(ends(&sim), [Call::EndMessage { transport: T1, msg_ref: MsgRef(1) }]);
    assert_eq!(dispositions(&sim, m), [taken_by(T1)]);
    insta::assert_snapshot!(sim.trace());
}

/// After a critical error of the only transport that can serve a recipient, that transport is
/// unavailable: sending to the recipient is postponed (not NDR'd), the message stays queued and
/// is handed back at the end of the session.
#[test]
fn critical_error_of_the_only_capable_transport_postpones_the_recipient() {
    // Spec: ORD-10, DEF-13, LIFE-17
    let mut sim = started(vec![smtp().submits([SubmitAnswer::Critical(Hresult::MAPI_E_CALL_FAILED)])]);
    let m = send(&mut sim, draft(&[SMTP]));
    assert_clean(&sim);
    assert!(!sim.effects().iter().any(|e| matches!(e, mapi_spooler::Effect::Report { .. })), "NDR raised; trace:\n{}", sim.trace());
    assert_eq!(dispositions(&sim, m), [None]);
    assert_eq!(outcome(&sim, m), Outcome::Queued);
    sim.shutdown();
    assert_clean(&sim);
    assert_eq!(outcome(&sim, m), Outcome::Queued, "the message waits in the queue for the next session");
    assert!(!stored(&sim, m).submit_flags.contains(mapi_spooler::QueueFlags::SUBMITFLAG_LOCKED));
}
