//! The tightly coupled store and the inbound hooks.

use super::*;

// ---------------------------------------------------------------------------------------------
// The tightly coupled store and the inbound hooks
// ---------------------------------------------------------------------------------------------

/// A message a tightly coupled pair served entirely: every recipient TRUE, handed over locked.
pub(crate) fn completed_row(message: MessageId, types: &[AddrType]) -> QueueRow {
    let mut row = row(message, types);
    row.flags = QueueFlags::SUBMITFLAG_LOCKED;
    for r in &mut row.recipients {
        r.responsibility = true;
    }
    row
}

pub(crate) fn complete_msg(row: QueueRow) -> Input {
    Input::Support(SupportCall::CompleteMsg(row))
}

/// INV-34: after `CompleteMsg` the reference goes straight to `FinishedMsg`; offering a
/// recipient of the completed message to a transport breaks the property.
#[test]
fn inv34_completed_by_pair_fires_on_offering_a_recipient_of_a_completed_message() {
    // Spec: INV-34, TC-3, TC-5, HOOK-11
    let prefix = started(&[smtp()]);
    let bad = st(complete_msg(completed_row(M1, &[SMTP])), [c(submit(T0, M1, &[0]))]);
    let good = [st(complete_msg(completed_row(M1, &[SMTP])), [c(finished(M1))]), st(r_finished(M1), [])];
    check(&Profile::new(1), &prefix, bad, &good, Property::CompletedByPair, &["M1", "CompleteMsg"]);
}

/// INV-35: a message the pair completed and the spooler finished must not come back through the
/// outgoing queue; a spooler that locks it again is caught.
#[test]
fn inv35_completed_not_queued_fires_on_locking_a_completed_message_queued_again() {
    // Spec: INV-35, TC-3, TC-6
    let prefix = cat([started(&[smtp()]), vec![st(complete_msg(completed_row(M1, &[SMTP])), [c(finished(M1))]), st(r_finished(M1), [])]]);
    let bad = st(row_added(row(M1, &[SMTP])), [c(lock(M1))]);
    let good = [st(row_added(row(M2, &[SMTP])), [c(lock(M2))])];
    check(&Profile::new(1), &prefix, bad, &good, Property::CompletedNotQueued, &["M1", "outgoing queue"]);
}

pub(crate) fn hook(n: u8, message: MessageId) -> Call {
    Call::InboundMsgHook { hook: mapi_spooler::HookId(n), store: S0, message }
}

pub(crate) fn r_hook(n: u8, message: MessageId, outcome: mapi_spooler::HookOutcome) -> Input {
    ret(Return::InboundMsgHook { hook: mapi_spooler::HookId(n), message, result: Ok(outcome) })
}

pub(crate) fn hooked_profile(hooks: u8) -> Profile {
    let mut profile = Profile::new(1);
    profile.settings.inbound_hooks = hooks;
    profile
}

/// INV-36 with inbound hooks: `NotifyNewMail` only after every hook saw the message, and never
/// for a message a hook deleted (HOOK-13, RCV-11); the reference releases a deleted message.
#[test]
fn inv36_fires_on_notify_new_mail_of_a_hook_deleted_message() {
    // Spec: INV-36, HOOK-13, RCV-11, HOOK-6
    let m5 = MessageId(5);
    let profile = hooked_profile(1);
    let prefix = cat([
        started(&[smtp()]),
        vec![
            st(new_mail(T0), [c(create(S0))]),
            st(r_create(S0, m5), [c(start_message(T0, m5))]),
            st(r_start(T0, m5, mapi_spooler::Delivery::Saved), [c(hook(0, m5))]),
        ],
    ]);
    let bad = st(r_hook(0, m5, mapi_spooler::HookOutcome::DELETE), [c(notify_new_mail(S0, m5))]);
    let deleted = Effect::Release(Released::HookDeleted { store: S0, message: m5 });
    let good = [st(r_hook(0, m5, mapi_spooler::HookOutcome::DELETE), [deleted, c(create(S0))])];
    check(&profile, &prefix, bad, &good, Property::CommitBeforeNotify, &["deleted M5"]);
    // NotifyNewMail before the hook ran is caught as well.
    let mut early = prefix.clone();
    early.pop();
    early.push(st(r_start(T0, m5, mapi_spooler::Delivery::Saved), [c(notify_new_mail(S0, m5))]));
    assert_last_step_breaks(&profile, &early, Property::CommitBeforeNotify, &["before inbound hook H0"]);
}

/// INV-36 for a tightly coupled store's arrival (RCV-16): the hooks and `NotifyNewMail` follow
/// `NOTIFY_NEWMAIL_RECEIVED`; a `NotifyNewMail` for a message nobody announced is caught.
#[test]
fn inv36_accepts_an_announced_arrival_and_fires_on_an_unannounced_one() {
    // Spec: INV-36, RCV-16, TC-8
    let m7 = MessageId(7);
    let arrival = Input::Support(SupportCall::SpoolerNotify {
        caller: Caller::Store(S0),
        flags: SpoolerNotifyFlags::NOTIFY_NEWMAIL_RECEIVED,
        message: Some(m7),
    });
    let prefix = started(&[smtp()]);
    let bad = st(Input::SystemIdle, [c(notify_new_mail(S0, m7))]);
    let good =
        [st(arrival, [c(notify_new_mail(S0, m7))]), st(ret(Return::NotifyNewMail { store: S0, message: m7, result: Hresult::S_OK }), [])];
    check(&Profile::new(1), &prefix, bad, &good, Property::CommitBeforeNotify, &["M7"]);
}
