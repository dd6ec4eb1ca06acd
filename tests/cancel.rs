//! Conformance scenarios: the user's cancel of a transfer in progress (`ixplogon-transportnotify.md`,
//! `imapisupport-spooleryield.md`, `ixplogon-submitmessage.md`, `message-submission-model.md`,
//! `imsgstore-abortsubmit.md`).

mod common;

use common::*;
use mapi_spooler::sim::{EndAnswer, SubmitAnswer};
use mapi_spooler::store::Outcome;
use mapi_spooler::{
    Call, CancelRequest, Delivery, Effect, EndFlags, Hresult, Input, LockState, MessageId, MsgRef, NotifyFlags, Released, Return,
    SpoolerNotifyFlags, SubmitOutcome, SupportCall, TransportId,
};

const T0: TransportId = TransportId(0);
const T1: TransportId = TransportId(1);

fn cancel(m: MessageId) -> Input {
    Input::Cancel(CancelRequest::Outbound { store: S0, message: m })
}

/// The effects of the last input the world fed.
fn last_effects(sim: &mapi_spooler::sim::Sim, before: usize) -> Vec<Effect> {
    sim.effects()[before..].to_vec()
}

fn methods(sim: &mapi_spooler::sim::Sim) -> Vec<&'static str> {
    sim.calls().map(Call::method).collect()
}

/// A cancel while `SubmitMessage` is in flight reaches the transport at once, from another
/// thread; the transport stops with `MAPI_E_USER_CANCEL`, and the message is unlocked and taken
/// out of the queue by the spooler's own `AbortSubmit`: unsent, no disposition, no report, no
/// `FinishedMsg`.
#[test]
fn a_cancel_during_submit_message_stops_the_transfer_and_the_message_goes_back_unsent() {
    // Spec: DEF-7, SUB-36, SUB-27, AMB-15, AMB-20, AMB-41, DEC-27, INV-39, INV-40
    let mut sim = started(vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    let before = sim.effects().len();
    assert!(sim.feed(cancel(m)));
    assert_eq!(last_effects(&sim, before), [Effect::CancelMessage { transport: T0, message: m }]);
    assert_eq!(sim.spooler().call_in_flight().map(Call::method), Some("SubmitMessage"), "the call in flight is not waited for");
    sim.run();
    assert_clean(&sim);
    assert_eq!(outcome(&sim, m), Outcome::Aborted);
    assert_eq!(dispositions(&sim, m), [None]);
    assert!(stored(&sim, m).unsent && !stored(&sim, m).submitted, "AMB-35: the message is editable and unsent again");
    assert!(reports(&sim).is_empty());
    let tail: Vec<&str> = methods(&sim).into_iter().skip_while(|m| *m != "SubmitMessage").collect();
    assert_eq!(tail, ["SubmitMessage", "SetLockState", "AbortSubmit"]);
    assert!(sim.spooler().message_view(m).is_none(), "the spooler forgets it");
    insta::assert_snapshot!(sim.trace());
}

/// A `SpoolerYield` during a cancelled transfer returns `MAPI_W_CANCEL_MESSAGE`; the transport
/// stops serving the recipients it has not reached and returns `MAPI_E_USER_CANCEL`. What it
/// saved before stands; the rest is withdrawn. Before the cancel, a yield returns `S_OK`.
#[test]
fn spooler_yield_tells_the_transport_of_a_cancel_and_what_it_saved_stands() {
    // Spec: DEF-8, ERR-12, SUB-33, SUB-35, DEC-27, INV-39
    let mut sim = started(vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP, SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    let yield_ = Input::Support(SupportCall::SpoolerYield { transport: T0 });
    let before = sim.effects().len();
    assert!(sim.feed(yield_.clone()));
    assert_eq!(last_effects(&sim, before), [], "before a cancel the yield returns S_OK");
    assert!(sim.feed(cancel(m)));
    let before = sim.effects().len();
    assert!(sim.feed(yield_));
    assert_eq!(last_effects(&sim, before), [Effect::YieldCancel { transport: T0 }]);
    sim.store_mut(S0).save_by_transport(m, &rows(&[0]), T0);
    let outcome_ = SubmitOutcome::Failed { result: Hresult::MAPI_E_USER_CANCEL, return_parm: 0, saved: rows(&[0]) };
    assert!(sim.feed(Input::Return(Return::SubmitMessage { transport: T0, message: m, outcome: outcome_ })));
    sim.run();
    assert_clean(&sim);
    assert_eq!(outcome(&sim, m), Outcome::Aborted);
    assert_eq!(dispositions(&sim, m), [taken_by(T0), None], "the recipient it served stays served");
    insta::assert_snapshot!(sim.trace());
}

/// A cancel that loses the race: the transport had taken the recipient when the notification
/// came, so `EndMessage` follows as usual. What the transport took is sent; the recipient no
/// transport took yet is withdrawn, and the partly sent message goes back unsent.
#[test]
fn a_cancel_that_loses_the_race_keeps_what_was_taken_and_withdraws_the_rest() {
    // Spec: DEF-7, SUB-24, SUB-36, DEC-27, INV-39, INV-40
    let mut sim = started(vec![smtp(), fax()]);
    let m = sim.submit(S0, draft(&[SMTP, FAX])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { transport: T0, .. })));
    assert!(sim.feed(cancel(m)));
    let taken = SubmitOutcome::Accepted { msg_ref: MsgRef(7), accepted: rows(&[0]) };
    assert!(sim.feed(Input::Return(Return::SubmitMessage { transport: T0, message: m, outcome: taken })));
    assert_eq!(sim.spooler().call_in_flight(), Some(&Call::EndMessage { transport: T0, msg_ref: MsgRef(7) }));
    sim.run();
    assert_clean(&sim);
    assert_eq!(dispositions(&sim, m), [taken_by(T0), None]);
    assert_eq!(outcome(&sim, m), Outcome::Aborted);
    assert!(calls_to(&sim, T1).iter().all(|c| !matches!(c, Call::SubmitMessage { .. })), "the FAX recipient is never offered");
    insta::assert_snapshot!(sim.trace());
}

/// A cancel while `EndMessage` is in flight is sent to the transport too; its answer stands.
#[test]
fn a_cancel_during_end_message_reaches_the_transport_and_its_answer_stands() {
    // Spec: DEF-7, SUB-36, INV-40
    let mut sim = started(vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::EndMessage { .. })));
    let before = sim.effects().len();
    assert!(sim.feed(cancel(m)));
    assert_eq!(last_effects(&sim, before), [Effect::CancelMessage { transport: T0, message: m }]);
    sim.run();
    assert_clean(&sim);
    // Every recipient was final before the cancel could act: the message is finished.
    assert!(matches!(outcome(&sim, m), Outcome::Finished(_)));
    assert_eq!(dispositions(&sim, m), [taken_by(T0)]);
}

/// The user cancels a message a transport holds deferred: the holder is told with
/// `NOTIFY_ABORT_DEFERRED | NOTIFY_CANCEL_MESSAGE` and the message's entry ID, and drops its
/// copy; the message is unlocked and leaves the queue without sent-mail processing.
#[test]
fn a_deferred_message_the_user_cancels_is_dropped_at_its_holder() {
    // Spec: DEF-5, AMB-17, DEC-27, INV-30, INV-39
    let mut sim = started(vec![smtp().ends([EndAnswer::DeferFor(60)])]);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::EndMessage { .. })));
    assert!(sim.answer_in_flight(), "END_DONT_RESEND");
    assert_eq!(sim.spooler().call_in_flight(), None);
    let calls = sim.calls().count();
    assert!(sim.feed(cancel(m)));
    sim.run();
    assert_clean(&sim);
    let flags = NotifyFlags::NOTIFY_ABORT_DEFERRED | NotifyFlags::NOTIFY_CANCEL_MESSAGE;
    let after: Vec<Call> = sim.calls().skip(calls).cloned().collect();
    assert_eq!(
        after,
        [
            Call::TransportNotify { transport: T0, flags, message: Some(m) },
            Call::SetLockState { store: S0, message: m, state: LockState::Unlocked },
            Call::AbortSubmit { store: S0, message: m },
        ]
    );
    assert_eq!(outcome(&sim, m), Outcome::Aborted);
    assert!(!sim.calls().any(|c| matches!(c, Call::SubmitMessage { flags, .. } if !flags.is_empty())), "never resubmitted");
    insta::assert_snapshot!(sim.trace());
}

/// The user cancels while the `BEGIN_DEFERRED` resubmission of a deferred message is in flight,
/// and the transport answers the cancel with `MAPI_E_CANCEL`, as Kopano does (DEC-28): it took
/// nothing, so nothing is saved; the recipient is withdrawn and the message goes back unsent,
/// with no `FinishedMsg` and no sent-mail processing. (Without a cancel, `MAPI_E_CANCEL` on a
/// deferred submission ends the deferral cycle and keeps the recipient taken, ERR-6.)
#[test]
fn a_cancelled_deferred_resubmission_answered_mapi_e_cancel_goes_back_unsent() {
    // Spec: DEC-28, DEC-27, DEF-7, DEF-2, ERR-6, INV-39, INV-40
    let mut sim = started(vec![smtp().ends([EndAnswer::DeferFor(60)])]);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(
        sim.run_until_call(|c| matches!(c, Call::SubmitMessage { flags, .. } if flags.contains(mapi_spooler::SubmitFlags::BEGIN_DEFERRED)))
    );
    let before = sim.effects().len();
    assert!(sim.feed(cancel(m)));
    assert_eq!(last_effects(&sim, before), [Effect::CancelMessage { transport: T0, message: m }]);
    let stopped = SubmitOutcome::Failed { result: Hresult::MAPI_E_CANCEL, return_parm: 0, saved: rows(&[]) };
    assert!(sim.feed(Input::Return(Return::SubmitMessage { transport: T0, message: m, outcome: stopped })));
    sim.run();
    assert_clean(&sim);
    assert_eq!(dispositions(&sim, m), [None], "nothing saved for the recipient the transport did not take");
    assert_eq!(outcome(&sim, m), Outcome::Aborted);
    assert!(stored(&sim, m).unsent, "AMB-35: unsent again");
    assert!(!sim.calls().any(|c| matches!(c, Call::FinishedMsg { .. })));
    insta::assert_snapshot!(sim.trace().lines().skip_while(|l| !l.contains("BEGIN_DEFERRED")).collect::<Vec<_>>().join("\n"));
}

/// A cancel while nothing is in flight for the message (it waits out a retry delay) needs no
/// notification: the open recipients are withdrawn and the message goes back unsent.
#[test]
fn a_cancel_between_offers_withdraws_the_open_recipients() {
    // Spec: DEF-5, DEC-27, INV-39, INV-40
    let mut sim = started(vec![smtp().submits([SubmitAnswer::Fail(Hresult::MAPI_E_WAIT, 300)])]);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    assert!(sim.answer_in_flight());
    assert_eq!(sim.spooler().call_in_flight(), None, "the message waits out the delay");
    let before = sim.effects().len();
    assert!(sim.feed(cancel(m)));
    assert!(!last_effects(&sim, before).iter().any(|e| matches!(e, Effect::CancelMessage { .. })));
    sim.run();
    assert_clean(&sim);
    assert_eq!(outcome(&sim, m), Outcome::Aborted);
    assert_eq!(sim.calls().filter(|c| matches!(c, Call::SubmitMessage { .. })).count(), 1, "not offered again after the delay");
}

/// A cancel that comes after every recipient is final changes nothing: `FinishedMsg` files the
/// message as usual.
#[test]
fn a_cancel_after_every_recipient_is_final_changes_nothing() {
    // Spec: DEF-6, DEC-27, HOOK-7
    let mut sim = started(vec![smtp()]);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::FinishedMsg { .. })));
    let before = sim.effects().len();
    assert!(sim.feed(cancel(m)));
    assert_eq!(last_effects(&sim, before), []);
    sim.run();
    assert_clean(&sim);
    assert!(matches!(outcome(&sim, m), Outcome::Finished(_)));
}

/// The user cancels an inbound transfer: `StartMessage` is cancelled from another thread with
/// the inbound reference, the transport keeps the item, and the unsaved message is released,
/// never announced. When the transport signals its mail again, the item is fetched.
#[test]
fn an_inbound_cancel_leaves_the_item_at_the_transport_for_later() {
    // Spec: RCV-13, DEF-7, INV-36, INV-37, INV-40
    let mut sim = world(vec![smtp().receives(["IPM.Note"])]);
    sim.feed(Input::Session(mapi_spooler::SessionRequest::Start));
    let t = T0;
    assert!(sim.run_until_call(|c| matches!(c, Call::StartMessage { .. })));
    let Some(Call::StartMessage { message, .. }) = sim.spooler().call_in_flight().cloned() else { unreachable!() };
    let before = sim.effects().len();
    assert!(sim.feed(Input::Cancel(CancelRequest::Inbound { transport: t })));
    assert_eq!(last_effects(&sim, before), [Effect::CancelMessage { transport: t, message }]);
    sim.run();
    assert!(sim.effects().contains(&Effect::Release(Released::Unsaved { store: S0, message })));
    assert!(!sim.calls().any(|c| matches!(c, Call::NotifyNewMail { .. })), "nothing is announced");
    assert!(sim.store(S0).inbound_messages().all(|(_, m)| m.notified == 0));
    // The transport kept the item and signals it again; now it is fetched.
    let new_mail = Input::Support(SupportCall::SpoolerNotify {
        caller: mapi_spooler::Caller::Transport(t),
        flags: SpoolerNotifyFlags::NOTIFY_NEWMAIL,
        message: None,
    });
    assert!(sim.feed(new_mail));
    sim.run();
    assert_clean(&sim);
    assert_eq!(sim.store(S0).inbound_messages().filter(|(_, m)| m.notified == 1).count(), 1);
    insta::assert_snapshot!(sim.trace());
}

/// A message the transport saved before it saw the cancel is delivered: the cancel lost the
/// race, and nothing written was thrown away.
#[test]
fn an_inbound_message_saved_before_the_cancel_arrived_is_delivered() {
    // Spec: RCV-13, RCV-10, INV-36
    let mut sim = started(vec![smtp()]);
    let new_mail = Input::Support(SupportCall::SpoolerNotify {
        caller: mapi_spooler::Caller::Transport(T0),
        flags: SpoolerNotifyFlags::NOTIFY_NEWMAIL,
        message: None,
    });
    assert!(sim.feed(new_mail));
    assert!(sim.run_until_call(|c| matches!(c, Call::StartMessage { .. })));
    let Some(Call::StartMessage { message, .. }) = sim.spooler().call_in_flight().cloned() else { unreachable!() };
    assert!(sim.feed(Input::Cancel(CancelRequest::Inbound { transport: T0 })));
    sim.store_mut(S0).save_inbound(message, "IPM.Note");
    assert!(sim.feed(Input::Return(Return::StartMessage { transport: T0, message, result: Ok(Delivery::Saved) })));
    assert_eq!(sim.spooler().call_in_flight(), Some(&Call::NotifyNewMail { store: S0, message }));
    sim.run();
    assert_clean(&sim);
}

/// Ending the session with a cancelled message still in hand: the cancel goes through before
/// the transports are released, so the message is not handed back for the next session.
#[test]
fn a_message_cancelled_while_the_session_ends_is_not_handed_back() {
    // Spec: DEF-5, DEC-8, DEC-27, LIFE-12
    let mut sim = started(vec![smtp().ends([EndAnswer::Flags(EndFlags::END_RESEND_LATER)])]);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::EndMessage { .. })));
    assert!(sim.answer_in_flight());
    assert!(sim.feed(cancel(m)));
    sim.shutdown();
    assert_clean(&sim);
    assert_eq!(outcome(&sim, m), Outcome::Aborted);
    assert_eq!(sim.spooler().phase(), mapi_spooler::Phase::Stopped);
}
