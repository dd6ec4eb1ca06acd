//! Conformance scenarios: routing recipients to transports (`ixplogon-addresstypes.md`,
//! `setting-transport-order.md`, `pidtagresponsibility-canonical-property.md`,
//! `ixplogon-submitmessage.md`, `mapi-transport-provider-overview.md`).

mod common;

use common::*;
use mapi_spooler::sim::{Sim, SubmitAnswer, TransportScript};
use mapi_spooler::store::{OUTBOX, Outcome, Placement};
use mapi_spooler::{
    AddrType, AddressTypes, Call, Directions, Effect, Hresult, Input, MapiUid, MessageId, NdrOrigin, PreprocessorFilter, RecipientIdx,
    RecipientOutcome, RecipientRow, RecipientSet, RecipientView, Registrations, ReportKind, SubmitFlags, TransportId, TransportSet,
    TransportView, first_choice, scan,
};

const T0: TransportId = TransportId(0);
const T1: TransportId = TransportId(1);
const T2: TransportId = TransportId(2);
const UID7: MapiUid = MapiUid(7);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Every `IXPLogon::SubmitMessage`: transport, message, recipients offered as FALSE.
fn offers(sim: &Sim) -> Vec<(TransportId, MessageId, RecipientSet)> {
    sim.calls()
        .filter_map(|c| match c {
            Call::SubmitMessage { transport, message, flags, offered } => {
                assert_eq!(*flags, SubmitFlags::EMPTY, "no deferral in these scenarios");
                Some((*transport, *message, offered.clone()))
            }
            _ => None,
        })
        .collect()
}

/// The transports that ever got an `EndMessage`.
fn ended(sim: &Sim) -> Vec<TransportId> {
    sim.calls()
        .filter_map(|c| match c {
            Call::EndMessage { transport, .. } => Some(*transport),
            _ => None,
        })
        .collect()
}

/// INV-20: once a recipient's disposition is saved, no transport is offered it again.
fn assert_settled_never_offered_again(sim: &Sim) {
    let mut settled: Vec<(MessageId, RecipientIdx)> = Vec::new();
    for effect in sim.effects() {
        match effect {
            Effect::SaveRecipients { message, recipients, .. } => settled.extend(recipients.iter().map(|r| (*message, r))),
            Effect::Call(Call::SubmitMessage { transport, message, offered, .. }) => {
                for r in offered.iter() {
                    assert!(!settled.contains(&(*message, r)), "{transport} was offered settled {message} {r}:\n{}", sim.trace());
                }
            }
            _ => {}
        }
    }
}

/// A transport with these registrations.
fn transport(name: &str, registrations: Registrations) -> TransportScript {
    TransportScript::new(name, registrations)
}

/// A recipient of this type whose entry identifier carries this UID.
fn with_uid(addr_type: AddrType, uid: MapiUid) -> RecipientRow {
    RecipientRow { addr_type, uid: Some(uid), responsibility: false }
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

/// Recipients are split across transports by address type: each transport is offered exactly
/// the recipients assigned to it (PR_RESPONSIBILITY FALSE), every other recipient reads TRUE.
#[test]
fn recipients_split_across_transports_by_address_type() {
    // Spec: ORD-2, ORD-4, SUB-21, SUB-22, SUB-28, INV-20, INV-23
    let mut sim = started(vec![smtp(), fax()]);
    let m = send(&mut sim, draft(&[SMTP, FAX, SMTP, FAX, SMTP]));
    assert_clean(&sim);
    assert_eq!(offers(&sim), vec![(T0, m, rows(&[0, 2, 4])), (T1, m, rows(&[1, 3]))], "{}", sim.trace());
    assert_eq!(dispositions(&sim, m), [T0, T1, T0, T1, T0].iter().map(|t| Some(RecipientOutcome::Transport(*t))).collect::<Vec<_>>());
    assert_eq!(reports(&sim), vec![]);
    assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
    assert_settled_never_offered_again(&sim);
    insta::assert_snapshot!(sim.trace());
}

/// MAPI_E_NOT_ME: the transport did nothing, gets no EndMessage, and the scan goes on to the next
/// transport that registered the same address type; a transport of another type is never
/// offered the recipient.
#[test]
fn not_me_falls_through_to_the_next_transport_of_the_same_type() {
    // Spec: ERR-3, ORD-4, SUB-21, SUB-28, INV-17, INV-20, INV-22, DEC-22
    let declining = smtp().submits([SubmitAnswer::Fail(Hresult::MAPI_E_NOT_ME, 0)]);
    let second = transport("second SMTP transport", Registrations::address_types([SMTP]));
    let mut sim = started(vec![declining, fax(), second]);
    let m = send(&mut sim, draft(&[SMTP, FAX]));
    assert_clean(&sim);
    // DEC-22: the two transports that can take a recipient now go in transport order.
    assert_eq!(offers(&sim), vec![(T0, m, rows(&[0])), (T1, m, rows(&[1])), (T2, m, rows(&[0]))], "{}", sim.trace());
    assert_eq!(ended(&sim), vec![T1, T2], "no EndMessage after MAPI_E_NOT_ME");
    assert_eq!(dispositions(&sim, m), vec![Some(RecipientOutcome::Transport(T2)), Some(RecipientOutcome::Transport(T1))]);
    assert_eq!(reports(&sim), vec![]);
    assert_settled_never_offered_again(&sim);
    insta::assert_snapshot!(sim.trace());
}

/// When every transport that matches a recipient declined it, the scan is exhausted and the
/// spooler raises an NDR for it; the other recipients are unaffected.
#[test]
fn ndr_when_every_matching_transport_declined() {
    // Spec: ORD-4, SUB-25, ERR-3, DEF-10, AMB-22, INV-22, INV-23
    let first = smtp().submits([SubmitAnswer::Fail(Hresult::MAPI_E_NOT_ME, 0)]);
    let second = transport("second SMTP transport", Registrations::address_types([SMTP])).submits([SubmitAnswer::Take(vec![])]);
    let mut sim = started(vec![first, fax(), second]);
    let m = send(&mut sim, draft(&[SMTP, FAX]));
    assert_clean(&sim);
    assert_eq!(offers(&sim), vec![(T0, m, rows(&[0])), (T1, m, rows(&[1])), (T2, m, rows(&[0]))], "{}", sim.trace());
    assert_eq!(reports(&sim), vec![(m, rows(&[0]), ReportKind::NonDelivery)]);
    assert_eq!(
        dispositions(&sim, m),
        vec![Some(RecipientOutcome::Undeliverable(NdrOrigin::NoTransport)), Some(RecipientOutcome::Transport(T1))]
    );
    // The NDR is raised as soon as the last match declined, before FinishedMsg.
    let ndr = sim.effects().iter().position(|e| matches!(e, Effect::Report { .. })).unwrap();
    let finished = sim.effects().iter().position(|e| matches!(e, Effect::Call(Call::FinishedMsg { .. }))).unwrap();
    assert!(ndr < finished);
    assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
    insta::assert_snapshot!(sim.trace());
}

/// A transport takes only part of what it was offered: the recipient it left FALSE goes to the
/// next transport that matches it, or gets an NDR when there is none.
#[test]
fn partial_acceptance_passes_the_rest_on() {
    // Spec: SUB-28, ORD-4, SUB-25, INV-20, INV-22, INV-23
    let partial = || smtp().submits([SubmitAnswer::Take(vec![0])]);
    let second = transport("second SMTP transport", Registrations::address_types([SMTP]));
    let mut sim = started(vec![partial(), second]);
    let m = send(&mut sim, draft(&[SMTP, SMTP]));
    assert_clean(&sim);
    assert_eq!(offers(&sim), vec![(T0, m, rows(&[0, 1])), (T1, m, rows(&[1]))], "{}", sim.trace());
    assert_eq!(dispositions(&sim, m), vec![Some(RecipientOutcome::Transport(T0)), Some(RecipientOutcome::Transport(T1))]);
    assert_eq!(reports(&sim), vec![]);
    assert_settled_never_offered_again(&sim);
    insta::assert_snapshot!(sim.trace());

    // Without a second SMTP transport, the recipient T0 declined gets an NDR.
    let mut sim = started(vec![partial()]);
    let m = send(&mut sim, draft(&[SMTP, SMTP]));
    assert_clean(&sim);
    assert_eq!(offers(&sim), vec![(T0, m, rows(&[0, 1]))], "{}", sim.trace());
    assert_eq!(reports(&sim), vec![(m, rows(&[1]), ReportKind::NonDelivery)]);
    assert_eq!(
        dispositions(&sim, m),
        vec![Some(RecipientOutcome::Transport(T0)), Some(RecipientOutcome::Undeliverable(NdrOrigin::NoTransport))]
    );
}

/// UID registrations are scanned before address-type registrations whatever the transport
/// order: a lower-priority transport that registered the recipient's entry-identifier UID gets
/// the first chance, even though a higher-priority transport registered its address type; if it
/// declines, the address-type match comes next.
#[test]
fn uid_registrations_come_before_address_types() {
    // Spec: ORD-1, ORD-3, ORD-4, AMB-32, INV-22, SUB-22
    let by_uid = || transport("UID transport", Registrations { address_types: AddressTypes::Listed(vec![FAX]), uids: vec![UID7] });
    let mut sim = started(vec![smtp(), by_uid()]);
    // The spooler keeps what AddressTypes returned for as long as the logon lasts (ORD-1).
    match sim.spooler().transport_view(T1) {
        Some(TransportView::LoggedOn { registrations, .. }) => assert_eq!(registrations, Some(by_uid().registrations)),
        other => panic!("T1 should be logged on, is {other:?}"),
    }
    let m = send(
        &mut sim,
        mapi_spooler::store::Draft::to(vec![
            with_uid(SMTP, UID7),
            RecipientRow::new(SMTP),
            with_uid(SMTP, MapiUid(8)),
            RecipientRow::new(FAX),
        ]),
    );
    assert_clean(&sim);
    // Row 0 (SMTP, UID 7) and row 3 (FAX) go to T1; rows 1 and 2 (SMTP, no or another UID) to T0,
    // which is offered its recipients first as the first transport in the order (DEC-22).
    assert_eq!(offers(&sim), vec![(T0, m, rows(&[1, 2])), (T1, m, rows(&[0, 3]))], "{}", sim.trace());
    assert_eq!(dispositions(&sim, m), [T1, T0, T0, T1].iter().map(|t| Some(RecipientOutcome::Transport(*t))).collect::<Vec<_>>());
    insta::assert_snapshot!(sim.trace());

    // The UID transport declines the recipient: the scan goes on to the address-type match.
    let mut sim = started(vec![smtp(), by_uid().submits([SubmitAnswer::Take(vec![])])]);
    let m = send(&mut sim, mapi_spooler::store::Draft::to(vec![with_uid(SMTP, UID7)]));
    assert_clean(&sim);
    assert_eq!(offers(&sim), vec![(T1, m, rows(&[0])), (T0, m, rows(&[0]))], "{}", sim.trace());
    assert_eq!(dispositions(&sim, m), vec![Some(RecipientOutcome::Transport(T0))]);
}

/// A catch-all transport (NULL address-type array) takes whatever nobody else takes, including a
/// recipient a specific transport declined; a transport that registered no recipient type is
/// never offered anything.
#[test]
fn catch_all_takes_the_rest_and_no_dispatch_transport_gets_nothing() {
    // Spec: ORD-5, ORD-6, ORD-4, SUB-21, SUB-25, INV-22
    let no_dispatch = || transport("preprocessor-only transport", Registrations::none());
    let catch_all = || transport("LAN transport", Registrations::any());
    let mut sim = started(vec![no_dispatch(), smtp(), catch_all()]);
    let m1 = send(&mut sim, draft(&[SMTP, FAX, X400]));
    assert_clean(&sim);
    assert_eq!(offers(&sim), vec![(T1, m1, rows(&[0])), (T2, m1, rows(&[1, 2]))], "{}", sim.trace());
    assert_eq!(reports(&sim), vec![], "nothing is undeliverable with a catch-all transport");
    assert_eq!(dispositions(&sim, m1), [T1, T2, T2].iter().map(|t| Some(RecipientOutcome::Transport(*t))).collect::<Vec<_>>());
    insta::assert_snapshot!(sim.trace());

    // The SMTP transport declines: the catch-all transport is the next match.
    let mut sim = started(vec![no_dispatch(), smtp().submits([SubmitAnswer::Take(vec![])]), catch_all()]);
    let m2 = send(&mut sim, draft(&[SMTP]));
    assert_clean(&sim);
    assert_eq!(offers(&sim), vec![(T1, m2, rows(&[0])), (T2, m2, rows(&[0]))], "{}", sim.trace());
    assert_eq!(dispositions(&sim, m2), vec![Some(RecipientOutcome::Transport(T2))]);

    // Only the no-dispatch transport: every recipient is undeliverable, none is offered.
    let mut sim = started(vec![no_dispatch()]);
    let m3 = send(&mut sim, draft(&[SMTP, FAX]));
    assert_clean(&sim);
    assert_eq!(offers(&sim), vec![]);
    assert_eq!(reports(&sim), vec![(m3, rows(&[0, 1]), ReportKind::NonDelivery)]);
    assert_eq!(outcome(&sim, m3), Outcome::Finished(Placement::Folder(OUTBOX)));
}

/// A transport that refuses dispatch by address type (no address type) can still take
/// recipients by the UID it registered.
#[test]
fn no_address_type_transport_still_matches_by_uid() {
    // Spec: ORD-3, ORD-6, ORD-4
    let uid_only = transport("UID-only transport", Registrations { address_types: AddressTypes::Listed(vec![]), uids: vec![UID7] });
    let mut sim = started(vec![smtp(), uid_only]);
    let m = send(&mut sim, mapi_spooler::store::Draft::to(vec![RecipientRow::new(SMTP), with_uid(X400, UID7), RecipientRow::new(X400)]));
    assert_clean(&sim);
    assert_eq!(offers(&sim), vec![(T0, m, rows(&[0])), (T1, m, rows(&[1]))], "{}", sim.trace());
    assert_eq!(reports(&sim), vec![(m, rows(&[2]), ReportKind::NonDelivery)], "X400 without the UID matches nothing");
}

/// The only transport for a recipient has its outbound traffic disabled: the recipient waits,
/// however long, without an NDR, and goes out once the transport is enabled again; the other
/// recipients are sent meanwhile.
#[test]
fn message_waits_for_its_only_transport_while_disabled() {
    // Spec: ORD-10, DEF-13, LIV-8, INV-8, SUB-25
    let mut sim = started(vec![smtp(), fax()]);
    sim.set_traffic(T0, Directions::OUTBOUND, false);
    let m = send(&mut sim, draft(&[SMTP, FAX]));
    sim.feed(Input::TimePassed { seconds: 86_400 });
    sim.run();
    assert_clean(&sim);
    assert_eq!(offers(&sim), vec![(T1, m, rows(&[1]))], "{}", sim.trace());
    assert_eq!(reports(&sim), vec![], "postponed, not NDR'd");
    let view = sim.spooler().message_view(m).expect("the spooler still holds the message");
    assert!(view.locked);
    assert_eq!(
        view.recipients,
        vec![RecipientView::Open { declined: TransportSet::EMPTY }, RecipientView::Done(RecipientOutcome::Transport(T1))]
    );
    assert_eq!(outcome(&sim, m), Outcome::Queued);
    assert!(sim.spooler().call_in_flight().is_none(), "nothing to do but wait");

    sim.set_traffic(T0, Directions::OUTBOUND, true);
    assert_clean(&sim);
    assert_eq!(offers(&sim), vec![(T1, m, rows(&[1])), (T0, m, rows(&[0]))], "{}", sim.trace());
    assert_eq!(dispositions(&sim, m), vec![Some(RecipientOutcome::Transport(T0)), Some(RecipientOutcome::Transport(T1))]);
    assert_eq!(outcome(&sim, m), Outcome::Finished(Placement::Folder(OUTBOX)));
    insta::assert_snapshot!(sim.trace());
}

/// The first match of the scan is disabled but a later match is enabled: the spooler waits for
/// the first match rather than skipping it, because the later one may be offered the recipient
/// only after the earlier one declined it.
#[test]
fn disabled_first_choice_is_waited_for_not_skipped() {
    // Spec: ORD-4, ORD-10, INV-22
    let second = transport("second SMTP transport", Registrations::address_types([SMTP]));
    let mut sim = started(vec![smtp(), second]);
    sim.set_traffic(T0, Directions::OUTBOUND, false);
    let m = send(&mut sim, draft(&[SMTP]));
    assert_clean(&sim);
    assert_eq!(offers(&sim), vec![], "T1 is not offered what T0 has not declined:\n{}", sim.trace());
    assert_eq!(reports(&sim), vec![]);
    sim.set_traffic(T0, Directions::OUTBOUND, true);
    assert_clean(&sim);
    assert_eq!(offers(&sim), vec![(T0, m, rows(&[0]))]);
    assert_eq!(dispositions(&sim, m), vec![Some(RecipientOutcome::Transport(T0))]);
}

/// A transport is never offered a recipient it declined (the scan passes it over, even when the
/// next transport only asks to be called again later), and a recipient a transport accepted is
/// never offered again; declines belong to one message, so the next message starts afresh.
#[test]
fn declined_recipient_is_never_offered_again_to_the_same_transport() {
    // Spec: INV-20, INV-22, ORD-4, SUB-28, ERR-2
    let first = smtp().submits([SubmitAnswer::Take(vec![1])]);
    let second = transport("second SMTP transport", Registrations::address_types([SMTP]))
        .submits([SubmitAnswer::Fail(Hresult::MAPI_E_BUSY, 0), SubmitAnswer::Fail(Hresult::MAPI_E_BUSY, 0)]);
    let mut sim = started(vec![first, second]);
    let m1 = send(&mut sim, draft(&[SMTP, SMTP]));
    let m2 = send(&mut sim, draft(&[SMTP]));
    assert_clean(&sim);
    assert_eq!(
        offers(&sim),
        vec![
            (T0, m1, rows(&[0, 1])), // T0 takes row 1, declines row 0
            (T1, m1, rows(&[0])),    // busy
            (T1, m1, rows(&[0])),    // busy again: still T1, never back to T0
            (T1, m1, rows(&[0])),    // taken
            (T0, m2, rows(&[0])),    // a new message: T0 is first again
        ],
        "{}",
        sim.trace()
    );
    assert_eq!(dispositions(&sim, m1), vec![Some(RecipientOutcome::Transport(T1)), Some(RecipientOutcome::Transport(T0))]);
    assert_eq!(dispositions(&sim, m2), vec![Some(RecipientOutcome::Transport(T0))]);
    assert_settled_never_offered_again(&sim);
    insta::assert_snapshot!(sim.trace());
}

// ---------------------------------------------------------------------------------------------
// The pure routing helpers
// ---------------------------------------------------------------------------------------------

/// `scan` lists UID matches in priority order, then address-type matches in priority order;
/// transports without registrations (not logged on) take no part.
#[test]
fn scan_lists_uid_matches_then_address_type_matches() {
    // Spec: ORD-2, ORD-3, ORD-4, ORD-5, ORD-6, AMB-32
    let smtp_only = Registrations::address_types([SMTP]);
    let fax_and_uid = Registrations { address_types: AddressTypes::Listed(vec![FAX]), uids: vec![UID7] };
    let any = Registrations::any();
    let none = Registrations::none();
    let regs = |t: TransportId| -> Option<&Registrations> {
        match t.0 {
            0 => Some(&smtp_only),
            1 => Some(&fax_and_uid),
            2 => Some(&any),
            3 => Some(&none),
            _ => None, // T4: not logged on
        }
    };
    let t = TransportId;
    let lower_smtp = AddrType(3); // a different string, e.g. "smtp": no exact match (ORD-2)
    let forward = [t(0), t(1), t(2), t(3), t(4)];
    let backward = [t(4), t(3), t(2), t(1), t(0)];
    let cases: &[(&[TransportId], RecipientRow, &[TransportId])] = &[
        (&forward, RecipientRow::new(SMTP), &[t(0), t(2)]),
        (&forward, with_uid(SMTP, UID7), &[t(1), t(0), t(2)]),
        (&forward, with_uid(FAX, UID7), &[t(1), t(1), t(2)]),
        (&forward, RecipientRow::new(FAX), &[t(1), t(2)]),
        (&forward, RecipientRow::new(X400), &[t(2)]),
        (&forward, with_uid(X400, MapiUid(8)), &[t(2)]),
        (&forward, RecipientRow::new(lower_smtp), &[t(2)]),
        (&backward, RecipientRow::new(SMTP), &[t(2), t(0)]),
        (&backward, with_uid(SMTP, UID7), &[t(1), t(2), t(0)]),
        (&forward[..2], RecipientRow::new(X400), &[]),
    ];
    for (order, recipient, expected) in cases {
        let got: Vec<TransportId> = scan(order, regs, recipient).collect();
        assert_eq!(&got, expected, "order {order:?}, recipient {recipient:?}");
    }
}

/// `first_choice` is the first transport of the scan that has not declined the recipient, and
/// `None` once every match declined (the recipient is then undeliverable).
#[test]
fn first_choice_skips_transports_that_declined() {
    // Spec: ORD-4, INV-22, SUB-25
    let smtp_only = Registrations::address_types([SMTP]);
    let fax_and_uid = Registrations { address_types: AddressTypes::Listed(vec![FAX]), uids: vec![UID7] };
    let any = Registrations::any();
    let regs = |t: TransportId| -> Option<&Registrations> {
        match t.0 {
            0 => Some(&smtp_only),
            1 => Some(&fax_and_uid),
            2 => Some(&any),
            _ => None,
        }
    };
    let order = [T0, T1, T2];
    let cases: &[(RecipientRow, &[TransportId], Option<TransportId>)] = &[
        (RecipientRow::new(SMTP), &[], Some(T0)),
        (RecipientRow::new(SMTP), &[T0], Some(T2)),
        (RecipientRow::new(SMTP), &[T0, T2], None),
        (RecipientRow::new(SMTP), &[T1], Some(T0)),
        (with_uid(SMTP, UID7), &[], Some(T1)),
        (with_uid(SMTP, UID7), &[T1], Some(T0)),
        (with_uid(FAX, UID7), &[T1], Some(T2)), // passed over in both passes
        (with_uid(FAX, UID7), &[T1, T2], None),
        (RecipientRow::new(X400), &[], Some(T2)),
        (RecipientRow::new(X400), &[T2], None),
    ];
    for (recipient, declined, expected) in cases {
        let got = first_choice(&order, regs, recipient, transports(declined));
        assert_eq!(got, *expected, "recipient {recipient:?}, declined {declined:?}");
    }
    // A transport that is not logged on never is a choice.
    assert_eq!(first_choice(&[TransportId(5)], regs, &RecipientRow::new(SMTP), TransportSet::EMPTY), None);
}

/// A preprocessor's filter (RegisterPreprocessor arguments): UID only, address type only, either
/// when both are given, every recipient when neither is.
#[test]
fn preprocessor_filter_matches_by_uid_type_either_or_all() {
    // Spec: ORD-11, HOOK-1
    let filter = |uid, addr_type| PreprocessorFilter { uid, addr_type };
    let cases = [
        (filter(None, None), RecipientRow::new(X400), true),
        (filter(None, Some(SMTP)), RecipientRow::new(SMTP), true),
        (filter(None, Some(SMTP)), RecipientRow::new(FAX), false),
        (filter(None, Some(SMTP)), with_uid(FAX, UID7), false),
        (filter(Some(UID7), None), with_uid(FAX, UID7), true),
        (filter(Some(UID7), None), RecipientRow::new(FAX), false),
        (filter(Some(UID7), None), with_uid(FAX, MapiUid(8)), false),
        (filter(Some(UID7), Some(SMTP)), with_uid(FAX, UID7), true),
        (filter(Some(UID7), Some(SMTP)), RecipientRow::new(SMTP), true),
        (filter(Some(UID7), Some(SMTP)), RecipientRow::new(FAX), false),
    ];
    for (f, r, expected) in cases {
        assert_eq!(f.matches(&r), expected, "{f:?} on {r:?}");
    }
}

/// `MsgServiceTransportOrder` changes who gets the first chance: with two transports for SMTP,
/// the first in the profile takes the first message; after the client puts the second first,
/// the second takes the next one.
#[test]
fn the_transport_order_decides_who_is_offered_first() {
    // Spec: ORD-7, ORD-4, DEC-26, INV-22
    let mut sim = started(vec![
        transport("SMTP one", Registrations::address_types([SMTP])),
        transport("SMTP two", Registrations::address_types([SMTP])),
    ]);
    let first = send(&mut sim, draft(&[SMTP]));
    assert_eq!(dispositions(&sim, first), [taken_by(T0)]);
    assert!(sim.feed(mapi_spooler::Input::TransportOrder(vec![T1, T0])));
    let second = send(&mut sim, draft(&[SMTP]));
    assert_eq!(dispositions(&sim, second), [taken_by(T1)]);
    assert_clean(&sim);
    insta::assert_snapshot!(sim.trace());
}
