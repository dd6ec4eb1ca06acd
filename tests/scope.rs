//! Partial recordings (issue 16 item 1): a trace whose header's `scope` names the one component
//! it observed is checked with the unobserved world supplied as silent moves
//! (`spec/trace-format.md`, "Partial recordings"). Each test writes a small trace by hand: the
//! lines a recorder around that component would write.

use mapi_spooler::trace::{Checker, Limit, Scope, ScopeError, SilentFigures, Verdict};
use mapi_spooler::{Party, StoreId, TransportId};

const TRANSPORT_HEADER: &str = r#"{"mapi_spooler_trace":1,"transports":["svc0"],"stores":1,"recorded":"calls","scope":{"transport":"T0"}}"#;
const STORE_HEADER: &str = r#"{"mapi_spooler_trace":1,"transports":["svc0"],"stores":1,"recorded":"calls","scope":{"store":"S0"}}"#;

/// Lines `first` to `last` of the proxy's recording of `sample_xp.dll`
/// (`tests/traces/recorded/sample-conform.jsonl`).
fn recorded(first: usize, last: usize) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traces/recorded/sample-conform.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().skip(first - 1).take(last + 1 - first).map(str::to_owned).collect()
}

/// A transport's start-up as the proxy records it (lines 2 to 11): init, a logon that creates
/// the status row, `AddressTypes` (`SAMPLE`), and the traffic enabled with the row mirroring it.
fn startup() -> Vec<String> {
    let lines = recorded(2, 11);
    assert!(lines[9].starts_with(r#"{"return":"TransportNotify""#), "{lines:?}");
    lines
}

/// The end of that session (lines 21 to 27): traffic ended, logoff, `Shutdown`.
fn ending() -> Vec<String> {
    let lines = recorded(21, 27);
    assert!(lines[0].starts_with(r#"{"call":"TransportNotify""#) && lines[6].starts_with(r#"{"return":"Shutdown""#), "{lines:?}");
    lines
}

/// The start-up, then `more`, under the transport scope.
fn after_startup(more: &[&str]) -> Vec<String> {
    let mut lines = startup();
    lines.extend(more.iter().map(|l| (*l).to_owned()));
    trace(TRANSPORT_HEADER, &lines)
}

/// A store's session as a wrapper around it records it: the spooler's logon, the queue opened
/// with one message in it, the message locked and finished.
const STORE_SESSION: [&str; 8] = [
    r#"{"call":"SpoolerLogon","to":"S0"}"#,
    r#"{"return":"SpoolerLogon","from":"S0","result":"S_OK"}"#,
    r#"{"call":"GetOutgoingQueue","to":"S0"}"#,
    r#"{"return":"GetOutgoingQueue","from":"S0","result":"S_OK","rows":[{"message":"M1","PR_SUBMIT_FLAGS":"0","PR_PREPROCESS":false,"reports":{"delivery":false,"non_delivery":true},"recipients":[{"PR_ADDRTYPE":"SMTP","PR_RESPONSIBILITY":false},{"PR_ADDRTYPE":"FAX","PR_RESPONSIBILITY":false}]}]}"#,
    r#"{"call":"SetLockState","to":"S0","message":"M1","ulLockState":"MSG_LOCKED"}"#,
    r#"{"return":"SetLockState","from":"S0","result":"S_OK","message":"M1","ulLockState":"MSG_LOCKED"}"#,
    r#"{"call":"FinishedMsg","to":"S0","message":"M1"}"#,
    r#"{"return":"FinishedMsg","from":"S0","result":"S_OK","message":"M1"}"#,
];

/// The header, then `lines`.
fn trace<S: AsRef<str>>(header: &str, lines: &[S]) -> Vec<String> {
    std::iter::once(header).chain(lines.iter().map(AsRef::as_ref)).map(str::to_owned).collect()
}

/// Checks a whole trace with `checker`; returns the verdict and the checker's figures.
fn check_with(checker: Checker, lines: &[String]) -> (Verdict, usize, SilentFigures) {
    let mut checker = checker;
    for line in &lines[1..] {
        if let Err(problem) = checker.feed(line) {
            return (Verdict::from(problem), checker.largest_frontier(), checker.silent_figures());
        }
    }
    let (largest, figures) = (checker.largest_frontier(), checker.silent_figures());
    (checker.finish(), largest, figures)
}

fn check(lines: &[String]) -> Verdict {
    check_with(Checker::new(&lines[0]).expect("a valid header"), lines).0
}

/// The divergence of a trace that must diverge.
fn divergence(lines: &[String]) -> mapi_spooler::trace::Divergence {
    match check(lines) {
        Verdict::Diverges(d) => d,
        other => panic!("the trace must diverge: {other}"),
    }
}

#[test]
fn the_header_names_the_scope() {
    assert_eq!(Checker::new(TRANSPORT_HEADER).unwrap().scope(), Some(Scope::Transport(TransportId(0))));
    assert_eq!(Checker::new(STORE_HEADER).unwrap().scope(), Some(Scope::Store(StoreId(0))));
    let whole = r#"{"mapi_spooler_trace":1,"transports":["svc0"],"stores":1,"recorded":"calls"}"#;
    assert_eq!(Checker::new(whole).unwrap().scope(), None);
}

/// A transport's start-up conforms on its own: the session's start (the client's) and the
/// store's logon and queue before traffic is enabled (LIFE-10 after LIFE-19) are the world's.
#[test]
fn a_transport_scope_start_up_conforms() {
    // Spec: LIFE-1, LIFE-4, LIFE-8, LIFE-9, LIFE-10, LIFE-19
    assert_eq!(check(&after_startup(&[])), Verdict::Conforms { events: 10 });
}

/// A partial trace may stop after any line, even with a call in flight: its end says only that
/// recording stopped.
#[test]
fn a_partial_trace_may_end_anywhere() {
    let startup = startup();
    for end in 1..=startup.len() {
        assert_eq!(check(&trace(TRANSPORT_HEADER, &startup[..end])), Verdict::Conforms { events: end }, "after {end} lines");
    }
}

/// The transport is offered row 1 of M1 and not row 0: some legal world has a queue row for M1
/// whose row 0 is taken already or offered in another part (FREE-27); the world supplies the
/// store's lock and its FinishedMsg, and the session's end that makes the spooler end traffic,
/// log off and shut down.
#[test]
fn a_transport_scope_submission_conforms_in_some_world() {
    // Spec: SUB-20, SUB-21, SUB-22, SUB-24, SUB-26, LIFE-12, LIFE-14, LIFE-16
    let lines = after_startup(&[
        r#"{"call":"SubmitMessage","to":"T0","ulFlags":"0","message":"M1","offered":[1]}"#,
        r#"{"return":"SubmitMessage","from":"T0","result":"S_OK","message":"M1","lpulMsgRef":7,"accepted":[1]}"#,
        r#"{"call":"EndMessage","to":"T0","ulMsgRef":7}"#,
        r#"{"return":"EndMessage","from":"T0","result":"S_OK","ulMsgRef":7,"lpulFlags":"0"}"#,
    ]);
    let lines = [lines, ending()].concat();
    assert_eq!(check(&lines), Verdict::Conforms { events: 21 });
}

/// The transport takes a recipient it was not offered: no world makes that legal, and the
/// divergence names the transport and the rule.
#[test]
fn a_transport_that_takes_a_recipient_it_was_not_offered_diverges() {
    // Spec: SUB-22, SUB-28
    let lines = after_startup(&[
        r#"{"call":"SubmitMessage","to":"T0","ulFlags":"0","message":"M1","offered":[0]}"#,
        r#"{"return":"SubmitMessage","from":"T0","result":"S_OK","message":"M1","lpulMsgRef":1,"accepted":[0,1]}"#,
    ]);
    let d = divergence(&lines);
    assert_eq!((d.line, d.party, d.rule.as_str()), (13, Party::Transport(TransportId(0)), "SUB-28"), "{d}");
}

/// The transport returns from TransportNotify without its row mirroring the traffic it was
/// told of: the transport's fault under INV-12, whatever the world did.
#[test]
fn a_transport_whose_row_does_not_mirror_the_traffic_diverges() {
    // Spec: INV-12, LIFE-10
    let mut lines = after_startup(&[]);
    lines.remove(9);
    let d = divergence(&lines);
    assert_eq!((d.line, d.party, d.rule.as_str()), (10, Party::Transport(TransportId(0)), "INV-12"), "{d}");
}

/// A SubmitMessage before AddressTypes returned: no world gives the spooler a message for a
/// transport that has not said which recipients it handles, so the spooler is at fault.
#[test]
fn a_submission_before_address_types_is_the_spoolers_fault() {
    // Spec: LIFE-8, ORD-1
    let mut lines = trace(TRANSPORT_HEADER, &startup()[..5]);
    lines.push(r#"{"call":"SubmitMessage","to":"T0","ulFlags":"0","message":"M1","offered":[0]}"#.to_owned());
    let d = divergence(&lines);
    assert_eq!((d.line, d.party, d.rule.as_str()), (7, Party::Spooler, "INV-1"), "{d}");
    assert!(d.instead.contains("T0.AddressTypes()"), "{d}");
}

/// EndMessage with no SubmitMessage before it: no world makes the spooler end a message the
/// transport never took.
#[test]
fn an_end_message_without_a_submission_is_the_spoolers_fault() {
    // Spec: SUB-24
    let lines = after_startup(&[r#"{"call":"EndMessage","to":"T0","ulMsgRef":1}"#]);
    let d = divergence(&lines);
    assert_eq!((d.line, d.party, d.rule.as_str()), (12, Party::Spooler, "INV-17"), "{d}");
}

/// A store's session conforms: the session's start, the transports' start-up, the transport
/// that takes M1's recipients and its EndMessage are the world's.
#[test]
fn a_store_scope_session_conforms() {
    // Spec: LIFE-19, SUB-16, SUB-20, SUB-26
    assert_eq!(check(&trace(STORE_HEADER, &STORE_SESSION)), Verdict::Conforms { events: 8 });
}

/// In a store scope the queue is observed: a lock of a message the store never showed the
/// spooler is made by no legal spooler.
#[test]
fn a_store_scope_lock_of_an_unknown_message_is_the_spoolers_fault() {
    // Spec: SUB-16, SUB-20
    let mut lines = STORE_SESSION.to_vec();
    lines[3] = r#"{"return":"GetOutgoingQueue","from":"S0","result":"S_OK","rows":[]}"#;
    let d = divergence(&trace(STORE_HEADER, &lines));
    assert_eq!((d.line, d.party), (6, Party::Spooler), "{d}");
    assert!(d.requirements.iter().any(|r| r == "SUB-20"), "{d}");
}

/// The store answers SetLockState for another message than the one locked: the store's fault.
#[test]
fn a_store_that_answers_another_call_diverges() {
    // Spec: AMB-20, SUB-20
    let mut lines = STORE_SESSION.to_vec();
    lines[5] = r#"{"return":"SetLockState","from":"S0","result":"S_OK","message":"M2","ulLockState":"MSG_LOCKED"}"#;
    let d = divergence(&trace(STORE_HEADER, &lines));
    assert_eq!((d.line, d.party, d.rule.as_str()), (7, Party::Store(StoreId(0)), "AMB-20"), "{d}");
}

/// FinishedMsg of a message before any transport could have taken it: the spooler finishes M1
/// only after its recipients were handled, which needs the lock first.
#[test]
fn a_store_scope_finish_before_the_lock_is_the_spoolers_fault() {
    // Spec: SUB-20, SUB-26
    let lines = [&STORE_SESSION[..4], &STORE_SESSION[6..]].concat();
    let d = divergence(&trace(STORE_HEADER, &lines));
    assert_eq!((d.line, d.party, d.rule.as_str()), (6, Party::Spooler, "INV-26"), "{d}");
    assert!(d.instead.contains("S0.SetLockState(M1, MSG_LOCKED)"), "{d}");
}

/// The header's scope, when it is not one the reference reads, makes the trace not valid, at
/// the key `scope`, with the typed error's message.
#[test]
fn a_malformed_scope_is_refused_with_a_typed_error() {
    let cases: [(&str, ScopeError); 8] = [
        (r#""scope":{"transport":"T1"}"#, ScopeError::UnknownTransport { transport: TransportId(1), count: 1 }),
        (r#""scope":{"store":"S2"}"#, ScopeError::UnknownStore { store: StoreId(2), count: 1 }),
        (r#""scope":{"transport":"T0","store":"S0"}"#, ScopeError::BothKeys),
        (r#""scope":{}"#, ScopeError::NoKey),
        (r#""scope":{"provider":"T0"}"#, ScopeError::UnknownKey("provider".to_owned())),
        (r#""scope":"T0""#, ScopeError::NotAnObject("\"T0\"".to_owned())),
        (r#""scope":{"transport":"S0"}"#, ScopeError::NotAnId { key: "transport", prefix: "T", value: "\"S0\"".to_owned() }),
        (r#""scope":{"transport":"T0"},"recorded":"all""#, ScopeError::RecordedAll),
    ];
    for (scope, expected) in cases {
        let recorded = if scope.contains("recorded") { "" } else { r#","recorded":"calls""# };
        let header = format!(r#"{{"mapi_spooler_trace":1,"transports":["svc0"],"stores":1{recorded},{scope}}}"#);
        let error = Checker::new(&header).expect_err(&header);
        assert_eq!((error.line, error.message.as_str()), (1, expected.to_string().as_str()), "{header}");
        assert_eq!(error.column, header.find("\"scope\"").unwrap() + 1, "{header}");
    }
}

/// A line outside the observed boundary makes a partial trace not valid: the session's, time's,
/// another component's.
#[test]
fn a_line_outside_the_scope_is_not_valid() {
    let outside = [
        (TRANSPORT_HEADER, r#"{"session":"Start"}"#),
        (TRANSPORT_HEADER, r#"{"event":"Crash"}"#),
        (TRANSPORT_HEADER, r#"{"call":"SpoolerLogon","to":"S0"}"#),
        (TRANSPORT_HEADER, r#"{"queue":"RowRemoved","from":"S0","message":"M1"}"#),
        (STORE_HEADER, r#"{"call":"XPProviderInit","to":"T0","ulFlags":"0","ulMAPIVer":"0x00010010"}"#),
        (STORE_HEADER, r#"{"support":"SpoolerYield","from":"T0"}"#),
        (STORE_HEADER, r#"{"client":"ValidateState","ulFlags":"0"}"#),
    ];
    for (header, line) in outside {
        let verdict = check(&trace(header, &[line]));
        let Verdict::Invalid(error) = &verdict else { panic!("{line}: {verdict}") };
        assert_eq!(error.line, 2, "{line}");
        assert!(error.message.contains("outside that boundary"), "{line}: {}", error.message);
    }
}

/// A check that needs more silent moves than it may explore stops without a verdict, naming
/// the bound; it never reports a conformance or a divergence it did not establish.
#[test]
fn a_bound_on_silent_moves_that_is_reached_is_reported() {
    let lines = trace(STORE_HEADER, &STORE_SESSION);
    let (verdict, _, _) = check_with(Checker::new(&lines[0]).unwrap().with_silent_moves(2), &lines);
    let Verdict::Exceeded(exceeded) = &verdict else { panic!("{verdict}") };
    assert_eq!((exceeded.limit, exceeded.bound), (Limit::SilentMoves, 2), "{verdict}");
    assert!(verdict.to_string().contains("silent moves"), "{verdict}");
    let (verdict, _, _) = check_with(Checker::new(&lines[0]).unwrap().with_bound(2), &lines);
    let Verdict::Exceeded(exceeded) = &verdict else { panic!("{verdict}") };
    assert_eq!(exceeded.limit, Limit::Frontier, "{verdict}");
}

/// The figures of a check: the silent moves used stay within the bound computed.
#[test]
fn the_silent_moves_used_stay_within_the_bound() {
    for lines in [after_startup(&[]), trace(STORE_HEADER, &STORE_SESSION)] {
        let (verdict, largest, figures) = check_with(Checker::new(&lines[0]).unwrap(), &lines);
        assert!(matches!(verdict, Verdict::Conforms { .. }), "{verdict}");
        assert!(largest >= 1 && figures.most_moves >= 1, "{figures:?}");
        assert!(figures.most_moves <= figures.largest_bound, "{figures:?}");
    }
}

/// A header without settings leaves them to the world: the first XPProviderInit shows the
/// spooler's `ulFlags` and `ulMAPIVer` (a spooler inside a Windows service, an older MAPI), and
/// the start-up conforms. A header that gives other settings holds the spooler to them.
#[test]
fn the_first_xp_provider_init_shows_settings_the_header_leaves_out() {
    // Spec: LIFE-2, VER-1
    let mut lines = after_startup(&[]);
    lines[1] = r#"{"call":"XPProviderInit","to":"T0","ulFlags":"MAPI_NT_SERVICE","ulMAPIVer":"0x00010008"}"#.to_owned();
    lines[2] = r#"{"return":"XPProviderInit","from":"T0","result":"S_OK","lpulProviderVer":"0x00010008"}"#.to_owned();
    assert_eq!(check(&lines), Verdict::Conforms { events: 10 });

    let header = r#"{"mapi_spooler_trace":1,"transports":["svc0"],"stores":1,"recorded":"calls","scope":{"transport":"T0"},"settings":{"ulMAPIVer":"0x00010010","oldest_provider_version":"0x00010000","XPProviderInit_ulFlags":"0","TransportLogon_ulFlags":"LOGON_NO_INBOUND|LOGON_NO_OUTBOUND","enable":"outbound","busy_retry_secs":60,"resend_later_secs":60,"failure_retry_secs":60}}"#;
    lines[0] = header.to_owned();
    let d = divergence(&lines);
    assert_eq!((d.line, d.party), (2, Party::Spooler), "{d}");
}
