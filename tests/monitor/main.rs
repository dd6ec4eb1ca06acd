//! The protocol monitor ([`Monitor`]) reports every property it checks, and only when the
//! spooler's calls break it.
//!
//! Each property gets a hand-written stream of steps (an input and the effects the spooler
//! answered it with). The stream starts with a prefix a correct spooler produces, taken from the
//! reference's traces in `tests/snapshots/`, and ends with one step whose effects break the
//! property. The monitor must judge every step of the prefix correct and report exactly that
//! property on the last step. When the last step is replaced by what the reference does, and the
//! stream continues as in the reference's trace, the monitor must stay quiet.
//!
//! The last groups check `Monitor::restart`, replay a run of the real spooler core (once as it
//! was, then with one effect removed or duplicated), keep the monitor quiet on correct streams it
//! once objected to.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use mapi_spooler::store::{Draft, ReferenceStore, SentMailHook};
use mapi_spooler::{
    AddrType, Call, Caller, Directions, Effect, EndFlags, Hresult, Input, LockState, LogonCaps, LogonFlags, MessageId, Monitor, MsgRef,
    NotifyFlags, PreprocessorFilter, PreprocessorId, Profile, Property, QueueEvent, QueueFlags, QueueRow, RecipientIdx, RecipientOutcome,
    RecipientRow, RecipientSet, Registrations, Released, ReportKind, ReportRequests, Return, ServiceId, SessionRequest, Settings,
    SpiVersion, Spooler, SpoolerNotifyFlags, StatusCode, StatusRowFlags, StoreId, SubmitFlags, SubmitOutcome, SupportCall, TransportId,
    Violation, XpInitFlags,
};
use mapi_spooler::{FlushFlags, StatusRequest};

mod coupled;
mod firing;
mod firing_messages;
mod firing_whole;
mod steps;

use firing::*;
use firing_messages::*;
use steps::*;
// ---------------------------------------------------------------------------------------------
// Restart
// ---------------------------------------------------------------------------------------------

/// After a crash the stores keep what was saved: a recipient the transport saved before an
/// error is still never offered again (INV-20), while the retry delay the old session waited
/// out is forgotten, so the new session may offer the rest of the message at once (INV-29).
#[test]
fn restart_keeps_saved_recipients_taken_and_forgets_retry_delays() {
    // Spec: INV-20, INV-29
    let first_session = cat([
        started(&[smtp()]),
        vec![
            st(row_added(row(M1, &[SMTP, SMTP])), [c(lock(M1))]),
            st(r_lock(M1), [c(submit(T0, M1, &[0, 1]))]),
            st(r_submit_failed(T0, M1, Hresult::MAPI_E_NETWORK_ERROR, 100, &[0]), []),
            Step::Crash,
        ],
    ]);
    // The store kept the lock and recipient 0's PR_RESPONSIBILITY.
    let mut adopted = row(M1, &[SMTP, SMTP]);
    adopted.flags = QueueFlags::SUBMITFLAG_LOCKED;
    adopted.recipients[0].responsibility = true;
    let (second_start, enabled) = boot(&[smtp()], &[vec![adopted]]);
    let prefix = cat([first_session, second_start]);
    let bad = st(enabled.clone(), [c(submit(T0, M1, &[0, 1]))]);
    let good = cat([vec![st(enabled, [c(submit(T0, M1, &[1]))])], completes(T0, M1, &[1], 1)]);
    check(&Profile::new(1), &prefix, bad, &good, Property::TakenNeverOffered, &["recipient 0, already taken"]);
}

/// The call in flight when the spooler crashed never returns: the new session's first call is
/// not a second call in flight, whereas the same call without the crash is.
#[test]
fn restart_forgets_the_call_in_flight() {
    // Spec: AMB-20
    let (second_start, enabled) = boot(&[smtp()], &[Vec::new()]);
    let bad = second_start[0].clone();
    let good = cat([vec![Step::Crash], second_start, vec![st(enabled, [])]]);
    check(&Profile::new(1), &one_message_to_t0(), bad, &good, Property::OneCallAtATime, &["T0.XPProviderInit", "is in flight"]);
}

// ---------------------------------------------------------------------------------------------
// A run of the real spooler, replayed
// ---------------------------------------------------------------------------------------------

/// A small world around the real spooler core, driven with `Spooler::step`: two transports
/// (T0 for SMTP, T1 for FAX), one reference store. T0 asks for an NDR on the first recipient of
/// its first message with `StatusRecips`; T1 answers its first `SubmitMessage` with `MAPI_E_WAIT`
/// for 30 seconds. Every other call succeeds. Records every step.
struct Reference {
    spooler: Spooler,
    store: ReferenceStore,
    registrations: Vec<Registrations>,
    submits: Vec<u32>,
    next_ref: u64,
    steps: Vec<Step>,
}

impl Reference {
    fn new(profile: &Profile) -> Reference {
        Reference {
            spooler: Spooler::new(profile).expect("valid profile"),
            store: ReferenceStore::new(S0, 1),
            registrations: vec![Registrations::address_types([SMTP]), Registrations::address_types([FAX])],
            submits: vec![0; 2],
            next_ref: 0,
            steps: Vec::new(),
        }
    }

    fn feed(&mut self, input: Input) {
        let effects = self.spooler.step(input.clone()).unwrap_or_else(|e| panic!("the reference refused {input:?}: {e}"));
        for effect in &effects {
            self.store.apply(effect);
        }
        self.steps.push(Step::Observe(input, effects.to_vec()));
    }

    /// Answers every call and lets time pass to the next deadline until nothing is left to do.
    fn run(&mut self) {
        for _ in 0..10_000 {
            if let Some(call) = self.spooler.call_in_flight().cloned() {
                let answer = self.answer(call);
                self.feed(Input::Return(answer));
                continue;
            }
            let now = self.spooler.now();
            match self.spooler.next_deadline() {
                Some(at) if at > now => self.feed(time(u32::try_from(at.0 - now.0).expect("a short delay"))),
                _ => return,
            }
        }
        panic!("the world did not settle");
    }

    fn answer(&mut self, call: Call) -> Return {
        match call {
            Call::XpProviderInit { transport, .. } => Return::XpProviderInit { transport, result: Ok(SpiVersion::CURRENT) },
            Call::TransportLogon { transport, .. } => {
                self.feed(modify_row(transport));
                Return::TransportLogon { transport, result: Ok(LogonCaps::EMPTY) }
            }
            Call::AddressTypes { transport } => {
                Return::AddressTypes { transport, result: Ok(self.registrations[transport.index()].clone()) }
            }
            Call::TransportNotify { transport, flags, .. } => {
                // STAT-5: the row follows the directions before the call returns.
                if let Some(mapi_spooler::TransportView::LoggedOn { status_row: Some(row), .. }) = self.spooler.transport_view(transport) {
                    self.feed(update_row(transport, row.after_notify(flags)));
                }
                Return::TransportNotify { transport, flags, result: Hresult::S_OK }
            }
            Call::SubmitMessage { transport, message, offered, .. } => {
                let attempt = self.submits[transport.index()];
                self.submits[transport.index()] += 1;
                let outcome = if transport == T1 && attempt == 0 {
                    SubmitOutcome::Failed { result: Hresult::MAPI_E_WAIT, return_parm: 30, saved: RecipientSet::new() }
                } else {
                    if transport == T0 && attempt == 0 {
                        let first = offered.iter().next().expect("something is offered");
                        self.feed(Input::Support(SupportCall::StatusRecips {
                            transport,
                            message,
                            reports: vec![(first, ReportKind::NonDelivery)],
                        }));
                    }
                    self.next_ref += 1;
                    SubmitOutcome::Accepted { msg_ref: MsgRef(self.next_ref), accepted: offered }
                };
                Return::SubmitMessage { transport, message, outcome }
            }
            Call::EndMessage { transport, msg_ref } => Return::EndMessage { transport, msg_ref, result: Ok(EndFlags::EMPTY) },
            Call::TransportLogoff { transport } => Return::TransportLogoff { transport, result: Hresult::S_OK },
            Call::Shutdown { transport } => Return::Shutdown { transport, result: Hresult::S_OK },
            Call::SpoolerLogon { store } => Return::SpoolerLogon { store, result: Hresult::S_OK },
            Call::GetOutgoingQueue { store } => Return::GetOutgoingQueue { store, result: Ok(self.store.outgoing_queue()) },
            Call::SetLockState { store, message, state } => {
                Return::SetLockState { store, message, state, result: self.store.set_lock_state(message, state) }
            }
            Call::FinishedMsg { store, message } => {
                Return::FinishedMsg { store, message, result: self.store.finished_msg(message, SentMailHook::None) }
            }
            other => panic!("this world makes no {other}"),
        }
    }
}

/// The recorded run: the session starts, a client sends M1 to two SMTP recipients and a FAX
/// recipient, and the session ends.
fn reference_run() -> Vec<Step> {
    let profile = Profile::new(2);
    let mut world = Reference::new(&profile);
    world.feed(start());
    world.run();
    let draft = Draft::to([SMTP, SMTP, FAX].iter().map(|t| RecipientRow::new(*t)).collect());
    let queued = world.store.submit(draft).expect("the store takes the message");
    world.feed(row_added(queued));
    world.run();
    world.feed(session_shutdown());
    world.run();
    world.steps
}

fn effects_of(step: &Step) -> &[Effect] {
    match step {
        Step::Observe(_, effects) => effects,
        Step::Crash => &[],
    }
}

/// The index of the first step with an effect `pick` chooses.
fn step_with(steps: &[Step], pick: impl Fn(&Effect) -> bool) -> usize {
    steps.iter().position(|s| effects_of(s).iter().any(&pick)).expect("the run has such an effect")
}

/// The run with one call removed: the step that made it goes on as if the call had returned at
/// once (it takes over the effects of the step with the call's return, which disappears).
/// Returns the new stream and the index of the step that made the call.
fn without_call(steps: &[Step], pick: impl Fn(&Call) -> bool) -> (Vec<Step>, usize) {
    let is_picked = |e: &Effect| matches!(e, Effect::Call(call) if pick(call));
    let i = step_with(steps, is_picked);
    let Some(Effect::Call(call)) = effects_of(&steps[i]).iter().find(|e| is_picked(e)).cloned() else { unreachable!() };
    let j = (i + 1..steps.len())
        .find(|&j| matches!(&steps[j], Step::Observe(Input::Return(r), _) if call.is_answered_by(r)))
        .expect("the call returns");
    let answered = effects_of(&steps[j]).to_vec();
    let mut out = steps.to_vec();
    if let Step::Observe(_, effects) = &mut out[i] {
        effects.retain(|e| *e != Effect::Call(call.clone()));
        effects.extend(answered);
    }
    out.remove(j);
    (out, i)
}

/// The run with the first effect `pick` chooses done twice in a row. Returns the new stream and
/// the index of that step.
fn with_duplicate(steps: &[Step], pick: impl Fn(&Effect) -> bool) -> (Vec<Step>, usize) {
    let i = step_with(steps, &pick);
    let mut out = steps.to_vec();
    if let Step::Observe(_, effects) = &mut out[i] {
        let k = effects.iter().position(&pick).expect("the step has the effect");
        let copy = effects[k].clone();
        effects.insert(k + 1, copy);
    }
    (out, i)
}

/// The first violation of a corrupted run is `property` at step `at`; every earlier step is
/// judged correct.
fn assert_first_violation(steps: &[Step], at: usize, property: Property, needles: &[&str]) {
    let results = replay(&Profile::new(2), steps);
    let Some((n, v)) = first_violation(&results) else { panic!("the monitor found nothing wrong\n{}", render(steps, &results)) };
    assert_eq!((n, v.property), (at, property), "unexpected first violation: {v}\n{}", render(steps, &results));
    for needle in needles {
        assert!(v.detail.contains(needle), "the detail {:?} does not mention {needle:?}", v.detail);
    }
}

/// A run of the real spooler core, replayed through a fresh monitor, is quiet; and the run has
/// the features the corrupted replays below rely on.
#[test]
fn reference_run_replays_quietly() {
    // Spec: INV-14, INV-17, INV-23, INV-24, INV-25, INV-29, AMB-20
    let steps = reference_run();
    assert_quiet(&Profile::new(2), &steps);
    let all: Vec<&Effect> = steps.iter().flat_map(effects_of).collect();
    assert!(all.iter().any(|e| matches!(e, Effect::Report { .. })), "the run raises a report");
    assert!(all.iter().any(|e| matches!(e, Effect::Call(Call::EndMessage { transport: T0, .. }))), "T0 gets an EndMessage");
    assert!(steps.iter().any(|s| matches!(s, Step::Observe(Input::TimePassed { .. }, _))), "the run waits out a retry delay");
    assert!(all.iter().any(|e| matches!(e, Effect::Call(Call::FinishedMsg { .. }))), "the run finishes M1");
    assert!(all.iter().any(|e| matches!(e, Effect::Release(Released::Provider(T1)))), "the run ends the session");
}

/// The run without T0's `EndMessage`: the message is finished while T0's exchange is still open.
#[test]
fn reference_run_without_end_message_breaks_inv25() {
    // Spec: INV-25, INV-17
    let (steps, _) = without_call(&reference_run(), |call| matches!(call, Call::EndMessage { transport: T0, .. }));
    let at = step_with(&steps, |e| matches!(e, Effect::Call(Call::FinishedMsg { .. })));
    assert_first_violation(&steps, at, Property::FinishedOnlyWhenDone, &["S0.FinishedMsg(0, M1)", "before EndMessage"]);
}

/// The run with the NDR raised twice.
#[test]
fn reference_run_with_a_duplicated_report_breaks_inv24() {
    // Spec: INV-24
    let (steps, at) = with_duplicate(&reference_run(), |e| matches!(e, Effect::Report { .. }));
    assert_first_violation(&steps, at, Property::OneReport, &["M1 recipient 0 got a second report"]);
}

/// The run with a disposition saved twice.
#[test]
fn reference_run_with_a_duplicated_save_breaks_inv23() {
    // Spec: INV-23
    let (steps, at) = with_duplicate(&reference_run(), |e| matches!(e, Effect::SaveRecipients { .. }));
    assert_first_violation(&steps, at, Property::OneDisposition, &["saved twice"]);
}

/// The run without `SetLockState(MSG_LOCKED)`: M1 goes to T0 unlocked.
#[test]
fn reference_run_without_the_lock_breaks_inv14() {
    // Spec: INV-14
    let (steps, at) = without_call(&reference_run(), |call| matches!(call, Call::SetLockState { state: LockState::Locked, .. }));
    assert_first_violation(&steps, at, Property::LockBeforeHandOff, &["T0.SubmitMessage", "M1 is not locked"]);
}

/// The run with T1's retry made as soon as it answered `MAPI_E_WAIT`, without waiting.
#[test]
fn reference_run_with_the_retry_before_its_delay_breaks_inv29() {
    // Spec: INV-29
    let mut steps = reference_run();
    let j = steps.iter().position(|s| matches!(s, Step::Observe(Input::TimePassed { .. }, _))).expect("the run waits");
    assert!(effects_of(&steps[j]).iter().any(|e| matches!(e, Effect::Call(Call::SubmitMessage { transport: T1, .. }))));
    assert!(effects_of(&steps[j - 1]).iter().all(|e| !matches!(e, Effect::Call(_))), "nothing was in flight while waiting");
    let retry = effects_of(&steps[j]).to_vec();
    steps.remove(j);
    if let Step::Observe(_, effects) = &mut steps[j - 1] {
        effects.extend(retry);
    }
    assert_first_violation(&steps, j - 1, Property::RetryDelay, &["T1.SubmitMessage", "before the retry delay ends at t=30s"]);
}

// ---------------------------------------------------------------------------------------------
// Quiet on correct behaviour the monitor of commit 9e8c798 objected to
// ---------------------------------------------------------------------------------------------

/// A recipient a transport reported on with `StatusRecips` is final when `SubmitMessage`
/// returns (DEC-10); an `END_DONT_RESEND` from the same exchange does not hold it deferred. The
/// reference resubmits only the other recipient with `BEGIN_DEFERRED` and finishes the message;
/// nothing is outstanding at `FinishedMsg`.
#[test]
fn inv25_quiet_when_a_reported_recipient_is_in_a_deferred_exchange() {
    // Spec: INV-25, DEC-10
    use ReportKind::NonDelivery;
    let steps = cat([
        started(&[smtp()]),
        vec![
            st(row_added(row(M1, &[SMTP, SMTP])), [c(lock(M1))]),
            st(r_lock(M1), [c(submit(T0, M1, &[0, 1]))]),
            st(status_recips(T0, M1, &[(0, NonDelivery)]), []),
            st(r_submit_ok(T0, M1, 1, &[0, 1]), [report(M1, &[0], NonDelivery), save(M1, &[0], T0), c(end(T0, 1))]),
            st(r_end(T0, 1, EndFlags::END_DONT_RESEND), []),
            st(time(10), []),
            st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(M1)), [c(submit_deferred(T0, M1, &[1]))]),
        ],
        completes(T0, M1, &[1], 2),
    ]);
    assert_quiet(&Profile::new(1), &steps);
}

/// When every recipient of an exchange was settled by reports (DEC-10), `END_RESEND_LATER`
/// leaves nothing to resend, and the reference finishes the message at once.
#[test]
fn inv25_quiet_when_a_resend_leaves_only_reported_recipients() {
    // Spec: INV-25, DEC-10
    use ReportKind::NonDelivery;
    let steps = cat([
        one_message_to_t0(),
        vec![
            st(status_recips(T0, M1, &[(0, NonDelivery)]), []),
            st(r_submit_ok(T0, M1, 1, &[0]), [report(M1, &[0], NonDelivery), save(M1, &[0], T0), c(end(T0, 1))]),
            st(r_end(T0, 1, EndFlags::END_RESEND_LATER), [c(finished(M1))]),
            st(r_finished(M1), []),
        ],
    ]);
    assert_quiet(&Profile::new(1), &steps);
}

/// A transport that holds a recipient deferred and then raises `NOTIFY_CRITICAL_ERROR` is logged
/// off and shut down; its deferral dies with its logon, and the reference gives the recipient to
/// the next transport of the scan (DEC-4, as in trace
/// `lifecycle__critical__critical_error_leaves_only_release_calls_and_reroutes_recipients`).
#[test]
fn inv30_quiet_when_the_holder_of_a_deferral_is_released_after_a_critical_error() {
    // Spec: INV-30, DEC-4
    let steps = cat([
        two_smtp_transports(),
        vec![
            st(r_lock(M1), [c(submit(T0, M1, &[0]))]),
            st(r_submit_ok(T0, M1, 1, &[0]), [c(end(T0, 1))]),
            st(r_end(T0, 1, EndFlags::END_DONT_RESEND), []),
            st(time(5), []),
            st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(M1)), [c(submit_deferred(T0, M1, &[0]))]),
            st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR, None), []),
            st(r_submit_failed(T0, M1, Hresult::MAPI_E_CALL_FAILED, 0, &[]), [c(logoff(T0))]),
            st(r_logoff(T0), [released_logon(T0), c(shutdown(T0))]),
            st(r_shutdown(T0), [released_provider(T0), c(submit(T1, M1, &[0]))]),
        ],
        completes(T1, M1, &[0], 1),
    ]);
    assert_quiet(&Profile::new(2), &steps);
}

// ---------------------------------------------------------------------------------------------
// Monitor bugs found earlier, now fixed: the verdicts the monitor once got wrong
// ---------------------------------------------------------------------------------------------

/// INV-28 orders the messages of one store. After a restart the reference reads the queues store
/// by store, so M1 of S0 goes to T0 before M1000001 of S1, which the old session saw first; that
/// is correct, the two messages are in different stores.
#[test]
fn inv28_quiet_when_messages_of_different_stores_reach_a_transport_out_of_order() {
    // Spec: INV-28
    let profile = Profile { transports: vec![ServiceId(0)], stores: 2, settings: Settings::default() };
    let (first_start, enabled) = boot(&[smtp()], &[Vec::new(), Vec::new()]);
    let (second_start, enabled_again) = boot(&[smtp()], &[vec![row(M1, &[SMTP])], vec![row(M1000001, &[SMTP])]]);
    let steps = cat([
        first_start,
        vec![st(enabled, []), st(row_added(row(M1000001, &[SMTP])), [c(lock(M1000001))]), st(row_added(row(M1, &[SMTP])), []), Step::Crash],
        second_start,
        vec![st(enabled_again, [c(lock(M1))]), st(r_lock(M1), [c(submit(T0, M1, &[0]))])],
        completes(T0, M1, &[0], 1)[..2].to_vec(),
        vec![st(r_finished(M1), [c(lock(M1000001))]), st(r_lock(M1000001), [c(submit(T0, M1000001, &[0]))])],
        completes(T0, M1000001, &[0], 2),
    ]);
    assert_quiet(&profile, &steps);
}

/// HOOK-3: every matching preprocessor runs before the spooler's `IMessage::SubmitMessage` ends
/// preprocessing. T0's preprocessor is registered for SMTP and T0 gets the first chance at the
/// SMTP recipient, so skipping it breaks INV-27.
#[test]
fn inv27_fires_when_a_matching_preprocessor_is_skipped() {
    // Spec: INV-27, HOOK-3
    let sent = preprocessed_message_sent();
    let locked = sent.iter().position(|s| matches!(s, Step::Observe(Input::Return(Return::SetLockState { .. }), _))).unwrap();
    let mut steps = sent[..locked].to_vec();
    steps.push(st(r_lock(M1), [c(submit_preprocessed(M1))]));
    assert_last_step_breaks(&Profile::new(1), &steps, Property::PreprocessFirst, &["P0"]);
}

/// DEC-12: after a restart the spooler no longer knows which preprocessors ran, so it calls the
/// `RemovePreprocessInfo` of every preprocessor whose filter matches (trace
/// `restart__a_locked_message_is_adopted_after_a_restart`). Finishing the `PR_PREPROCESS` message
/// without it breaks INV-25.
#[test]
fn inv25_fires_when_clean_up_is_skipped_after_a_restart() {
    // Spec: INV-25, DEC-12
    let sent = preprocessed_message_sent();
    let mut adopted = row(M1, &[SMTP]);
    adopted.flags = QueueFlags::SUBMITFLAG_LOCKED;
    adopted.preprocess = true;
    let (second_start, enabled) = boot(&[smtp().with_preprocessor(by_type(SMTP))], &[vec![adopted]]);
    let mut steps = cat([
        sent[..sent.len() - 1].to_vec(),
        vec![Step::Crash],
        second_start,
        vec![st(enabled, [c(submit(T0, M1, &[0]))]), st(r_submit_ok(T0, M1, 1, &[0]), [c(end(T0, 1))])],
    ]);
    // What the reference does: clean up, then finish.
    let mut correct = steps.clone();
    correct.extend([
        st(r_end(T0, 1, EndFlags::EMPTY), [save(M1, &[0], T0), c(remove_preprocess_info(P0, M1))]),
        st(r_remove_preprocess_info(P0, M1), [c(finished(M1))]),
        st(r_finished(M1), []),
    ]);
    assert_quiet(&Profile::new(1), &correct);
    steps.push(st(r_end(T0, 1, EndFlags::EMPTY), [save(M1, &[0], T0), c(finished(M1))]));
    assert_last_step_breaks(&Profile::new(1), &steps, Property::FinishedOnlyWhenDone, &["RemovePreprocessInfo"]);
}

/// DEC-8: when the session ends, the spooler tells a transport that holds a message deferred to
/// drop it with `NOTIFY_ABORT_DEFERRED`, and hands the message back to the store. Sending the
/// message to that transport afterwards breaks the second half of INV-30, even though the
/// transport had announced it with `NOTIFY_SENTDEFERRED` before.
#[test]
fn inv30_fires_on_sending_a_message_after_notify_abort_deferred() {
    // Spec: INV-30, DEC-8
    let prefix = cat([
        started(&[smtp(), fax()]),
        vec![
            st(row_added(row(M1, &[SMTP, FAX])), [c(lock(M1))]),
            st(r_lock(M1), [c(submit(T0, M1, &[0]))]),
            st(r_submit_ok(T0, M1, 1, &[0]), [c(end(T0, 1))]),
            st(r_end(T0, 1, EndFlags::END_DONT_RESEND), [c(submit(T1, M1, &[1]))]),
            st(spooler_notify(T0, SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(M1)), []),
            st(session_shutdown(), []),
            st(r_submit_ok(T1, M1, 1, &[1]), [c(end(T1, 1))]),
            st(r_end(T1, 1, EndFlags::EMPTY), [save(M1, &[1], T1), c(abort_deferred(T0, M1))]),
        ],
    ]);
    let aborted = r_notify(T0, NotifyFlags::NOTIFY_ABORT_DEFERRED);
    let bad = st(aborted.clone(), [c(submit_deferred(T0, M1, &[0]))]);
    let good = cat([vec![st(aborted, [c(unlock(M1))])], shutdown_steps(r_unlock(M1), &[T0, T1])]);
    check(&Profile::new(2), &prefix, bad, &good, Property::DeferralProtocol, &["T0.SubmitMessage", "M1"]);
}
