//! Conformance scenarios: resending after a non-delivery report (`resending-an-undelivered-message.md`,
//! `imapisupport-preparesubmit.md`) and the deferred delivery time
//! (`pidtagdeferreddeliverytime-canonical-property.md`, `pidtagdeferredsendtime-canonical-property.md`).

mod common;

use common::*;
use mapi_spooler::delivery_time::{DeferredSendError, SendUnits, deferred_send_time, wait_until};
use mapi_spooler::resend::{ResendRecipient, prepare_submit, resend_recipients};
use mapi_spooler::sim::{EndAnswer, SubmitAnswer};
use mapi_spooler::store::Outcome;
use mapi_spooler::{
    Call, Caller, Hresult, Input, MessageId, NdrOrigin, QueueEvent, RecipientOutcome, RecipientRow, ReportKind, SpoolerNotifyFlags,
    SubmitFlags, SupportCall, Time, TransportId,
};

const T0: TransportId = TransportId(0);
const T1: TransportId = TransportId(1);

/// A resend after an NDR: the client marks the original's recipients `MAPI_SUBMITTED` and adds a
/// `MAPI_P1` copy of the one that failed; `PrepareSubmit` makes the marked ones TRUE, so the
/// spooler offers only the copy, and the transport that declined before takes it now.
#[test]
fn a_resend_after_an_ndr_goes_only_to_the_recipients_that_failed() {
    // Spec: DEF-12, SUB-7, SUB-21, AMB-3, AMB-4, INV-20
    let mut sim = started(vec![smtp(), fax().submits([SubmitAnswer::Fail(Hresult::MAPI_E_NOT_ME, 0)])]);
    let original = send(&mut sim, draft(&[SMTP, FAX]));
    assert_eq!(dispositions(&sim, original), [taken_by(TransportId(0)), Some(RecipientOutcome::Undeliverable(NdrOrigin::NoTransport))]);
    let calls = sim.calls().count();
    let resend = sim.resend(S0, original).expect("the store takes the resend");
    // As queued: what PrepareSubmit wrote.
    let rows: Vec<RecipientRow> = stored(&sim, resend).recipients.iter().map(|r| r.row).collect();
    assert_eq!(rows.iter().map(|r| (r.addr_type, r.responsibility)).collect::<Vec<_>>(), [(SMTP, true), (FAX, true), (FAX, false)]);
    sim.run();
    assert_clean(&sim);
    let offers: Vec<Call> = sim.calls().skip(calls).filter(|c| matches!(c, Call::SubmitMessage { .. })).cloned().collect();
    assert_eq!(offers, [Call::SubmitMessage { transport: T1, message: resend, flags: SubmitFlags::EMPTY, offered: rows_of(&[2]) }]);
    assert_eq!(dispositions(&sim, resend), [None, None, taken_by(T1)]);
    assert!(matches!(outcome(&sim, resend), Outcome::Finished(_)));
    insta::assert_snapshot!(sim.trace().lines().skip_while(|l| !l.contains("resend of")).collect::<Vec<_>>().join("\n"));
}

fn rows_of(r: &[u16]) -> mapi_spooler::RecipientSet {
    rows(r)
}

/// What `PrepareSubmit` writes (AMB-4): `MAPI_SUBMITTED` cleared with TRUE, `MAPI_P1` and the
/// others FALSE; both flags on one recipient are refused with the error the client gets (SUB-7).
#[test]
fn prepare_submit_reads_submitted_as_true_and_p1_as_false() {
    // Spec: SUB-7, AMB-4
    let row = RecipientRow::new(SMTP);
    let rewrite = prepare_submit(&[
        ResendRecipient { row, submitted: true, p1: false },
        ResendRecipient { row, submitted: false, p1: true },
        ResendRecipient { row, submitted: false, p1: false },
    ])
    .unwrap();
    assert_eq!(rewrite.iter().map(|r| r.responsibility).collect::<Vec<_>>(), [true, false, false]);
    assert_eq!(prepare_submit(&[ResendRecipient { row, submitted: true, p1: true }]), Err(Hresult::MAPI_E_INVALID_PARAMETER));
}

/// The client's resend (DEF-12): every original recipient once, marked, then a P1 copy of each
/// one an NDR named, in the original's order, whoever asked for the NDR (DEF-10); a recipient
/// no NDR named gets no copy.
#[test]
fn the_resend_copies_exactly_the_recipients_with_an_ndr() {
    // Spec: DEF-12, DEF-10
    let (a, b, c) = (RecipientRow::new(SMTP), RecipientRow::new(FAX), RecipientRow::new(X400));
    let original = [RecipientRow { responsibility: true, ..a }, b, c];
    let resend = resend_recipients(&original, &rows_of(&[2, 1]));
    let shape: Vec<_> = resend.iter().map(|r| (r.row.addr_type, r.submitted, r.p1, r.row.responsibility)).collect();
    assert_eq!(
        shape,
        [
            (SMTP, true, false, false),
            (FAX, true, false, false),
            (X400, true, false, false),
            (FAX, false, true, false),
            (X400, false, true, false)
        ]
    );
    assert!(resend_recipients(&original, &rows_of(&[])).iter().all(|r| !r.p1), "no NDR, no copy");
}

/// The usual failure: the transport tried, failed, and asked MAPI for an NDR with
/// `StatusRecips` (SUB-30, DEF-10). That recipient was NDR'd like any other: the resend copies
/// it, `PrepareSubmit` makes the copy FALSE, and the spooler offers it to the transport again;
/// the recipient it delivered is not offered.
#[test]
fn a_recipient_the_transport_reported_undeliverable_is_resent() {
    // Spec: DEF-12, DEF-10, SUB-30, SUB-7, SUB-21, AMB-4
    let ndr = SubmitAnswer::TakeAndReport(vec![(1, ReportKind::NonDelivery)]);
    let mut sim = started(vec![smtp().submits([ndr])]);
    let original = send(&mut sim, draft(&[SMTP, SMTP]));
    assert_eq!(dispositions(&sim, original), [taken_by(T0), taken_by(T0)], "the transport took both, one conclusively failed");
    assert_eq!(reports(&sim), [(original, rows_of(&[1]), ReportKind::NonDelivery)]);
    let calls = sim.calls().count();
    let resend = sim.resend(S0, original).expect("a message whose only failure came from its transport can be resent");
    let rows: Vec<(mapi_spooler::AddrType, bool)> =
        stored(&sim, resend).recipients.iter().map(|r| (r.row.addr_type, r.row.responsibility)).collect();
    assert_eq!(rows, [(SMTP, true), (SMTP, true), (SMTP, false)]);
    sim.run();
    assert_clean(&sim);
    let offers: Vec<Call> = sim.calls().skip(calls).filter(|c| matches!(c, Call::SubmitMessage { .. })).cloned().collect();
    assert_eq!(offers, [Call::SubmitMessage { transport: T0, message: resend, flags: SubmitFlags::EMPTY, offered: rows_of(&[2]) }]);
    assert_eq!(dispositions(&sim, resend), [None, None, taken_by(T0)]);
    assert!(matches!(outcome(&sim, resend), Outcome::Finished(_)));
    insta::assert_snapshot!(sim.trace().lines().skip_while(|l| !l.contains("NOTIFY_READYTOSEND")).collect::<Vec<_>>().join("\n"));
}

/// SUB-6: once per session, before its first `PrepareSubmit`, the store calls
/// `SpoolerNotify(NOTIFY_READYTOSEND)`; a second resend in the same session does not call it
/// again.
#[test]
fn the_store_tells_the_spooler_ready_to_send_before_its_first_prepare_submit() {
    // Spec: SUB-6, SUB-7, DEF-12
    let mut sim = started(vec![
        smtp(),
        fax().submits([SubmitAnswer::Fail(Hresult::MAPI_E_NOT_ME, 0), SubmitAnswer::Fail(Hresult::MAPI_E_NOT_ME, 0)]),
    ]);
    let first = send(&mut sim, draft(&[FAX]));
    let second = send(&mut sim, draft(&[FAX]));
    let ready = Input::Support(SupportCall::SpoolerNotify {
        caller: Caller::Store(S0),
        flags: SpoolerNotifyFlags::NOTIFY_READYTOSEND,
        message: None,
    });
    let readies = |sim: &mapi_spooler::sim::Sim| {
        sim.events().iter().filter(|e| matches!(e, mapi_spooler::trace::Event::Input(i) if *i == ready)).count()
    };
    assert_eq!(readies(&sim), 0, "a plain submission calls no PrepareSubmit (AMB-3)");
    let events = sim.events().len();
    let resend = sim.resend(S0, first).unwrap();
    assert_eq!(readies(&sim), 1);
    let since: Vec<&mapi_spooler::trace::Event> = sim.events()[events..].iter().collect();
    let notify_at = since.iter().position(|e| matches!(e, mapi_spooler::trace::Event::Input(i) if *i == ready)).unwrap();
    let queued_at = since
        .iter()
        .position(|e| matches!(e, mapi_spooler::trace::Event::Input(Input::Queue(QueueEvent::RowAdded(row))) if row.message == resend))
        .unwrap();
    assert!(notify_at < queued_at, "NOTIFY_READYTOSEND comes before the rewritten message is queued");
    let trace = sim.trace();
    let said = trace.lines().position(|l| l.contains("NOTIFY_READYTOSEND")).unwrap();
    let prepared = trace.lines().position(|l| l.contains("PrepareSubmit rewrote")).unwrap();
    assert!(said < prepared, "NOTIFY_READYTOSEND before PrepareSubmit:\n{trace}");
    sim.resend(S0, second).unwrap();
    assert_eq!(readies(&sim), 1, "once per session");
    sim.run();
    assert_clean(&sim);
}

/// The store refuses a resend of a message it does not have, or of one that got no NDR.
#[test]
fn a_resend_needs_an_original_with_an_ndr() {
    // Spec: DEF-12, SUB-7
    let mut sim = started(vec![smtp()]);
    let sent = send(&mut sim, draft(&[SMTP]));
    assert_eq!(sim.resend(S0, sent), Err(Hresult::MAPI_E_INVALID_PARAMETER));
    assert_eq!(sim.resend(S0, MessageId(999)), Err(Hresult::MAPI_E_NOT_FOUND));
    assert_clean(&sim);
}

/// `PR_DEFERRED_SEND_TIME` from number and units (DEF-1): submit time plus number × unit; out of
/// range values are refused with the rule they break.
#[test]
fn deferred_send_time_is_the_submit_time_plus_number_units() {
    // Spec: DEF-1
    let t = Time(1_000);
    assert_eq!(deferred_send_time(t, 0, 0), Ok(t));
    assert_eq!(deferred_send_time(t, 5, 0), Ok(Time(1_300)));
    assert_eq!(deferred_send_time(t, 2, 1), Ok(Time(8_200)));
    assert_eq!(deferred_send_time(t, 1, 2), Ok(Time(87_400)));
    assert_eq!(deferred_send_time(t, 999, 3), Ok(Time(1_000 + 999 * 604_800)));
    assert_eq!(deferred_send_time(t, 1_000, 0), Err(DeferredSendError::Number(1_000)));
    assert_eq!(deferred_send_time(t, 1, 4), Err(DeferredSendError::Units(4)));
    assert!(DeferredSendError::Units(4).to_string().contains("0 (minutes), 1 (hours), 2 (days) or 3 (weeks)"));
    assert_eq!(SendUnits::from_value(3).map(SendUnits::seconds), Ok(604_800));
    // A time already past means "send now".
    assert_eq!(wait_until(Time(500), Time(1_000)), 0);
    assert_eq!(wait_until(Time(4_600), Time(1_000)), 3_600);
}

/// MAPI never defers by itself (DEF-1): a message the sender wants delivered in an hour is
/// offered at once, and the transport that honours the time defers it (`END_DONT_RESEND`), then
/// asks for it back when the time comes (`NOTIFY_SENTDEFERRED`), and sends it then.
#[test]
fn the_spooler_offers_a_deferred_delivery_at_once_and_the_transport_defers_it() {
    // Spec: DEF-1, DEF-2, INV-30
    let delivery = deferred_send_time(Time(0), 1, 1).unwrap();
    let wait = u32::try_from(wait_until(delivery, Time(0))).unwrap();
    let mut sim = started(vec![smtp().ends([EndAnswer::DeferFor(wait)])]);
    let m = sim.submit(S0, draft(&[SMTP])).unwrap();
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
    assert_eq!(sim.spooler().now(), Time(0), "offered at once");
    assert!(sim.answer_in_flight());
    assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { flags, .. } if flags.contains(SubmitFlags::BEGIN_DEFERRED))));
    assert_eq!(sim.spooler().now(), delivery, "sent when the transport asks for it, at the delivery time");
    sim.run();
    assert_clean(&sim);
    assert!(matches!(outcome(&sim, m), Outcome::Finished(_)));
}
