//! Conformance scenarios: resending after a non-delivery report (`resending-an-undelivered-message.md`,
//! `imapisupport-preparesubmit.md`) and the deferred delivery time
//! (`pidtagdeferreddeliverytime-canonical-property.md`, `pidtagdeferredsendtime-canonical-property.md`).

mod common;

use common::*;
use mapi_spooler::delivery_time::{DeferredSendError, SendUnits, deferred_send_time, wait_until};
use mapi_spooler::resend::{ResendRecipient, prepare_submit, resend_recipients};
use mapi_spooler::sim::{EndAnswer, SubmitAnswer};
use mapi_spooler::store::Outcome;
use mapi_spooler::{Call, Hresult, MessageId, NdrOrigin, RecipientOutcome, RecipientRow, SubmitFlags, Time, TransportId};

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
/// one that got an NDR, whoever found it undeliverable; a transport's own failure reports are
/// not NDRs of the spooler and get no copy.
#[test]
fn the_resend_copies_exactly_the_recipients_with_an_ndr() {
    // Spec: DEF-12, DEF-10
    let (a, b, c) = (RecipientRow::new(SMTP), RecipientRow::new(FAX), RecipientRow::new(X400));
    let original = [
        (RecipientRow { responsibility: true, ..a }, Some(taken_by(TransportId(0)).unwrap())),
        (b, Some(RecipientOutcome::Undeliverable(NdrOrigin::NoTransport))),
        (c, Some(RecipientOutcome::Undeliverable(NdrOrigin::Preprocessor(mapi_spooler::PreprocessorId(0))))),
    ];
    let resend = resend_recipients(&original);
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
