//! Conformance scenarios: store logoff (`imsgstore-storelogoff.md`,
//! `imapisupport-storelogofftransports.md`, `shutting-down-a-message-store-provider.md`).

mod common;

use common::*;
use mapi_spooler::LogoffFlags as F;
use mapi_spooler::store::Outcome;
use mapi_spooler::{Call, MessageId, TransportId};

const T0: TransportId = TransportId(0);

/// Two SMTP messages: the first is with T0 (its SubmitMessage in flight), the second waits in
/// the queue, unlocked (DEC-23).
fn busy() -> (mapi_spooler::sim::Sim, MessageId, MessageId) {
    let mut sim = started(vec![smtp()]);
    let first = sim.submit(S0, draft(&[SMTP])).expect("queued");
    let second = sim.submit(S0, draft(&[SMTP])).expect("queued");
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })), "{}", sim.trace());
    (sim, first, second)
}

/// LIFE-20: with nothing under way for the store, every one of the five flags gets
/// LOGOFF_COMPLETE; from then on the store is not served (its queue is not watched).
#[test]
fn a_store_with_nothing_under_way_logs_off_at_once_with_any_flag() {
    // Spec: LIFE-20, AMB-27, DEC-44
    for flags in [F::LOGOFF_ABORT, F::LOGOFF_NO_WAIT, F::LOGOFF_ORDERLY, F::LOGOFF_PURGE, F::LOGOFF_QUIET] {
        let mut sim = started(vec![smtp()]);
        assert_eq!(sim.store_logoff(S0, flags), Some(F::LOGOFF_COMPLETE), "{flags}");
        assert!(!sim.spooler().is_watching(S0));
        assert_clean(&sim);
    }
}

/// LIFE-20, AMB-27: while a message is going out and another waits in the queue, LOGOFF_QUIET
/// and LOGOFF_ABORT get the busy flags and change nothing: both messages are sent, and a later
/// call completes.
#[test]
fn quiet_and_abort_refuse_to_log_off_while_the_transports_are_busy() {
    // Spec: LIFE-20, AMB-27, DEC-44
    for flags in [F::LOGOFF_QUIET, F::LOGOFF_ABORT] {
        let (mut sim, first, second) = busy();
        assert_eq!(sim.store_logoff(S0, flags), Some(F::LOGOFF_OUTBOUND | F::LOGOFF_OUTBOUND_QUEUE), "{flags}");
        sim.run();
        assert!(matches!(outcome(&sim, first), Outcome::Finished(_)) && matches!(outcome(&sim, second), Outcome::Finished(_)));
        assert_eq!(sim.store_logoff(S0, flags), Some(F::LOGOFF_COMPLETE));
        assert_clean(&sim);
        if flags == F::LOGOFF_QUIET {
            insta::assert_snapshot!(sim.trace());
        }
    }
}

/// LIFE-20: LOGOFF_ORDERLY finishes the message under way and starts no new one: the queued
/// message is never locked, and once the first is done the store logs off, leaving the second
/// queued for the next session.
#[test]
fn orderly_finishes_the_message_under_way_and_starts_no_new_one() {
    // Spec: LIFE-20, DEC-44
    let (mut sim, first, second) = busy();
    assert_eq!(sim.store_logoff(S0, F::LOGOFF_ORDERLY), Some(F::LOGOFF_OUTBOUND | F::LOGOFF_OUTBOUND_QUEUE));
    sim.run();
    assert!(matches!(outcome(&sim, first), Outcome::Finished(_)));
    assert_eq!(outcome(&sim, second), Outcome::Queued);
    assert!(!sim.calls().any(|c| matches!(c, Call::SetLockState { message, .. } if *message == second)));
    assert_eq!(sim.store_logoff(S0, F::LOGOFF_ORDERLY), Some(F::LOGOFF_COMPLETE));
    assert!(sim.spooler().message_view(second).is_none(), "handed back to the queue");
    assert_clean(&sim);
    insta::assert_snapshot!(sim.trace());
}

/// LIFE-20: LOGOFF_NO_WAIT (and LOGOFF_PURGE, modelled alike) send the mail that is ready but
/// take no new inbound message into the store.
#[test]
fn no_wait_and_purge_send_the_queued_mail_but_fetch_no_new_inbound_message() {
    // Spec: LIFE-20, DEC-44
    for flags in [F::LOGOFF_NO_WAIT, F::LOGOFF_PURGE] {
        let (mut sim, first, second) = busy();
        assert_eq!(sim.store_logoff(S0, flags), Some(F::LOGOFF_OUTBOUND | F::LOGOFF_OUTBOUND_QUEUE));
        sim.run();
        assert!(matches!(outcome(&sim, first), Outcome::Finished(_)) && matches!(outcome(&sim, second), Outcome::Finished(_)));
        sim.deliver(T0, "IPM.Note");
        assert!(!sim.calls().any(|c| matches!(c, Call::CreateMessage { .. })), "no fetch into a store logging off");
        assert_eq!(sim.store_logoff(S0, flags), Some(F::LOGOFF_COMPLETE));
        assert_clean(&sim);
    }
}

/// LIFE-20: a fetch under way into the store shows as LOGOFF_INBOUND; once it is over the store
/// logs off.
#[test]
fn an_inbound_message_under_way_shows_as_logoff_inbound() {
    // Spec: LIFE-20, DEC-44
    let mut sim = started(vec![smtp()]);
    assert!(sim.feed(mapi_spooler::Input::Support(mapi_spooler::SupportCall::SpoolerNotify {
        caller: mapi_spooler::Caller::Transport(T0),
        flags: mapi_spooler::SpoolerNotifyFlags::NOTIFY_NEWMAIL,
        message: None,
    })));
    assert!(matches!(sim.spooler().call_in_flight(), Some(Call::CreateMessage { .. })));
    assert_eq!(sim.store_logoff(S0, F::LOGOFF_QUIET), Some(F::LOGOFF_INBOUND));
    sim.run();
    assert_eq!(sim.store_logoff(S0, F::LOGOFF_QUIET), Some(F::LOGOFF_COMPLETE));
    assert_clean(&sim);
}
