//! The trace format and the conformance checker (issue 7): a recorded session conforms, every
//! kind of departure from the reference diverges at the right line with what the reference
//! allowed there, and every kind of malformed input is refused with its line, its column and
//! what was wrong. (Every clean scenario of the suite also round-trips through the checker: see
//! `assert_clean` in `tests/common/mod.rs`.)

mod common;

use common::*;
use mapi_spooler::sim::SubmitAnswer;
use mapi_spooler::trace::{Checker, Codec, Problem, Verdict, check_lines};
use mapi_spooler::{Hresult, Party, ReportKind};

/// A session with two transports: one message to SMTP and FAX recipients, one to an address
/// type no transport serves (an NDR), then the session ends.
fn session() -> String {
    let mut sim = started(vec![smtp(), fax()]);
    send(&mut sim, draft(&[SMTP, FAX, FAX]));
    send(&mut sim, draft(&[X400]));
    sim.shutdown();
    assert_clean(&sim);
    sim.recorded_trace()
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

/// The index of the first line containing every one of `parts`.
fn find(lines: &[String], parts: &[&str]) -> usize {
    lines.iter().position(|l| parts.iter().all(|p| l.contains(p))).unwrap_or_else(|| panic!("no line with {parts:?}"))
}

fn diverges(lines: &[String]) -> mapi_spooler::trace::Divergence {
    match check_lines(lines) {
        Verdict::Diverges(d) => d,
        other => panic!("expected a divergence, got {other}"),
    }
}

fn invalid(lines: &[String]) -> mapi_spooler::trace::TraceError {
    match check_lines(lines) {
        Verdict::Invalid(e) => e,
        other => panic!("expected an invalid trace, got {other}"),
    }
}

#[test]
fn a_recorded_session_conforms_and_reads_back() {
    // Spec: SUB-20, SUB-24, SUB-25, HOOK-7, LIFE-14, LIFE-16
    let text = session();
    let verdict = check_lines(text.lines());
    assert_eq!(verdict.exit_code(), 0, "{verdict}");
    assert_eq!(verdict, Verdict::Conforms { events: text.lines().count() - 1 });
    // The header says what the session ran with.
    let (header, _) = Codec::read_header(text.lines().next().unwrap()).expect("a header");
    assert_eq!(header.profile.transports.len(), 2);
    assert_eq!(header.address_types, ["SMTP", "FAX", "X400"]);
    // Names, not numbers: flags, results and address types read as the documentation writes
    // them.
    assert!(text.contains(r#""lpulFlags":"LOGON_NO_INBOUND|LOGON_NO_OUTBOUND""#), "{text}");
    assert!(text.contains(r#""lpppAdrTypeArray":["SMTP"]"#), "{text}");
    assert!(text.contains(r#"{"report":"NDR","store":"S0","message":"M2","recipients":[0]}"#), "{text}");
}

#[test]
fn a_calls_only_trace_conforms_without_the_spoolers_saves() {
    // Spec: SUB-28, SUB-30
    let text = session();
    let mut kept: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with(r#"{"save""#) && !l.starts_with(r#"{"report""#) && !l.starts_with(r#"{"release""#))
        .map(str::to_owned)
        .collect();
    kept[0] = kept[0].replace(r#""recorded":"all""#, r#""recorded":"calls""#);
    assert!(kept.len() < text.lines().count());
    assert!(matches!(check_lines(&kept), Verdict::Conforms { .. }), "{}", check_lines(&kept));
    // A save in a calls-only trace is not a valid line.
    let mut with_save = kept.clone();
    let save = text.lines().find(|l| l.starts_with(r#"{"save""#)).unwrap().to_owned();
    let at = find(&with_save, &[r#""return":"EndMessage""#]) + 1;
    with_save.insert(at, save);
    let error = invalid(&with_save);
    assert_eq!(error.line, at + 1);
    assert!(error.message.contains("records calls only"), "{error}");
}

#[test]
fn a_submit_before_the_lock_diverges_where_the_lock_is_due() {
    // Spec: SUB-20, INV-14
    let mut trace = lines(&session());
    let lock = find(&trace, &[r#""call":"SetLockState""#, "MSG_LOCKED"]);
    trace.remove(lock); // the call
    trace.remove(lock); // its return
    let d = diverges(&trace);
    assert_eq!(d.line, lock + 1, "{d}");
    assert!(d.event.contains(r#""call":"SubmitMessage""#), "{d}");
    assert_eq!(d.expected, "makes the call S0.SetLockState(M1, MSG_LOCKED) here");
    assert!(d.requirements.contains(&"SUB-20".to_owned()), "{d}");
}

#[test]
fn a_return_for_a_call_never_made_is_refused_with_the_rule_it_breaks() {
    // Spec: AMB-20, SUB-24
    let mut trace = lines(&session());
    let end = find(&trace, &[r#""call":"EndMessage""#]);
    // The transport returns from EndMessage before the spooler calls it.
    trace.swap(end, end + 1);
    let d = diverges(&trace);
    assert_eq!(d.line, end + 1);
    assert!(d.event.contains(r#""return":"EndMessage""#), "{d}");
    assert!(d.expected.starts_with("makes the call T0.EndMessage"), "{d}");
    // A return nobody asked for, once the spooler is idle, is refused by the core.
    let mut stray = lines(&session());
    let at = find(&stray, &[r#""call":"FinishedMsg""#]) + 2;
    stray.insert(at, r#"{"return":"Idle","from":"T0","result":"S_OK"}"#.to_owned());
    let d = diverges(&stray);
    assert_eq!(d.line, at + 1);
    assert!(d.expected.starts_with("refuses this input"), "{d}");
    assert!(d.expected.contains("Idle"), "{d}");
    // The refusal names the rule it enforces, though its message does not.
    assert_eq!(d.requirements, ["AMB-20"], "{d}");
}

#[test]
fn a_call_the_reference_does_not_make_diverges() {
    // Spec: AMB-20, LIFE-11
    let mut trace = lines(&session());
    let at = find(&trace, &[r#""call":"SubmitMessage""#]) + 1;
    trace.insert(at, r#"{"call":"Idle","to":"T1"}"#.to_owned());
    let d = diverges(&trace);
    assert_eq!(d.line, at + 1);
    assert!(d.expected.contains("it waits for T0.SubmitMessage"), "{d}");
    assert!(d.requirements.contains(&"AMB-20".to_owned()), "{d}");
}

#[test]
fn a_trace_that_ends_while_the_reference_owes_a_call_diverges_at_its_end() {
    // Spec: HOOK-7, SUB-26
    let trace = lines(&session());
    let finished = find(&trace, &[r#""call":"FinishedMsg""#]);
    let cut = &trace[..finished];
    let d = diverges(cut);
    assert_eq!(d.line, finished + 1);
    assert_eq!(d.event, "(the end of the trace)");
    assert!(d.expected.contains("FinishedMsg"), "{d}");
}

#[test]
fn a_crash_restarts_the_reference_against_what_the_store_saved() {
    // Spec: DEC-12, SUB-21
    let mut sim = started(vec![smtp(), fax()]);
    let m = sim.submit(S0, draft(&[SMTP, FAX])).expect("queued");
    assert!(sim.run_until_call(
        |c| matches!(c, mapi_spooler::Call::SubmitMessage { transport, .. } if *transport == mapi_spooler::TransportId(1))
    ));
    sim.crash();
    sim.start();
    sim.run();
    assert!(matches!(outcome(&sim, m), mapi_spooler::store::Outcome::Finished(_)));
    assert_clean(&sim);
    let text = sim.recorded_trace();
    assert!(text.contains(r#"{"event":"Crash"}"#));
    assert!(matches!(check_lines(text.lines()), Verdict::Conforms { .. }));
}

#[test]
fn malformed_lines_are_refused_with_line_column_and_what_was_expected() {
    // Spec: AMB-20
    let good = lines(&session());
    let header = good[0].clone();
    let cases: Vec<(Vec<String>, usize, usize, &str)> = vec![
        (vec![], 1, 1, "the trace is empty"),
        (vec!["not json".to_owned()], 1, 2, "not valid JSON: expected ident"),
        (vec!["[1, 2]".to_owned()], 1, 1, "must be a JSON object"),
        (vec![r#"{"session":"Start"}"#.to_owned()], 1, 1, "the first line must be the header"),
        (vec![header.replace(r#""mapi_spooler_trace":1"#, r#""mapi_spooler_trace":7"#)], 1, 2, "format version 7 is not supported"),
        (vec![header.replace(r#""svc0""#, r#""zero""#)], 1, 25, "transports must list each entry's service"),
        (vec![header.replace(r#""recorded":"all""#, r#""recorded":"some""#)], 1, 65, "recorded must be \"all\" or \"calls\""),
        (vec![header.clone(), r#"{"session":"Start""#.to_owned()], 2, 18, "not valid JSON: EOF while parsing an object"),
        (vec![header.clone(), r#"{"hello":"world"}"#.to_owned()], 2, 1, "needs one of the keys"),
        (vec![header.clone(), r#"{"call":"Idle","return":"Idle"}"#.to_owned()], 2, 16, "exactly one of the keys"),
        (vec![header.clone(), r#"{"call":"Bogus","to":"T0"}"#.to_owned()], 2, 2, "unknown method \"Bogus\""),
        (vec![header.clone(), r#"{"call":"Idle"}"#.to_owned()], 2, 1, "missing field \"to\""),
        (vec![header.clone(), r#"{"call":"Idle","to":"X9"}"#.to_owned()], 2, 16, "to must name a transport (T0, T1, ...), not \"X9\""),
        (vec![header.clone(), r#"{"call":"Idle","to":7}"#.to_owned()], 2, 16, "to must be a string"),
        (
            vec![header.clone(), r#"{"call":"TransportLogon","to":"T0","lpulFlags":"LOGON_SOMETIMES"}"#.to_owned()],
            2,
            36,
            "LogonFlags has no flag named \"LOGON_SOMETIMES\"",
        ),
        (
            vec![header.clone(), r#"{"return":"Idle","from":"T0","result":"E_MAYBE"}"#.to_owned()],
            2,
            30,
            "result must be a documented result name",
        ),
        (
            vec![header.clone(), r#"{"call":"SetLockState","to":"S0","message":"M1","ulLockState":"AJAR"}"#.to_owned()],
            2,
            49,
            "ulLockState must be MSG_LOCKED or MSG_UNLOCKED",
        ),
        (
            vec![header.clone(), r#"{"call":"SubmitMessage","to":"T0","ulFlags":"0","message":"M1","offered":[0,-1]}"#.to_owned()],
            2,
            64,
            "offered must be a list of recipient row numbers",
        ),
        (
            vec![header.clone(), r#"{"session":"Enable","transport":"T0","directions":"sideways"}"#.to_owned()],
            2,
            38,
            "directions must be inbound, outbound",
        ),
        (vec![header.clone(), r#"{"event":"Tuesday"}"#.to_owned()], 2, 2, "unknown event \"Tuesday\""),
        (vec![header.clone(), r#"{"event":"TimePassed","seconds":-5}"#.to_owned()], 2, 23, "seconds must be a whole number"),
        (
            vec![header.clone(), r#"{"save":"M1","store":"S0","recipients":[0],"outcome":"maybe"}"#.to_owned()],
            2,
            44,
            "outcome must be a transport (T0), \"NDR\" or \"NDR by P0\"",
        ),
        (
            vec![header.clone(), r#"{"report":"XDR","store":"S0","message":"M1","recipients":[0]}"#.to_owned()],
            2,
            2,
            "report must be \"DR\" or \"NDR\"",
        ),
        (
            vec![header.clone(), r#"{"release":"soul","transport":"T0"}"#.to_owned()],
            2,
            2,
            "release must be \"logon\", \"provider\", \"unsaved\" or \"hook_deleted\"",
        ),
        (
            vec![
                header.clone(),
                r#"{"support":"StatusRecips","from":"T0","message":"M1","reports":[{"recipient":0,"kind":"MAYBE"}]}"#.to_owned(),
            ],
            2,
            54,
            "a report kind is \"DR\" or \"NDR\"",
        ),
        (vec![header.clone(), r#"{"queue":"RowMoved","from":"S0"}"#.to_owned()], 2, 2, "unknown queue change"),
        (vec![header.clone(), r#"{"support":"Hello","from":"T0"}"#.to_owned()], 2, 2, "unknown support call"),
        (vec![header.clone(), r#"{"session":"Pause"}"#.to_owned()], 2, 2, "unknown session request"),
    ];
    for (trace, line, column, message) in cases {
        let error = invalid(&trace);
        assert_eq!((error.line, error.column), (line, column), "{trace:?}: {error}");
        assert!(error.message.contains(message), "{trace:?}: expected {message:?} in {error}");
        assert_eq!(Verdict::Invalid(error).exit_code(), 2);
    }
}

#[test]
fn a_failed_call_needs_no_out_parameters() {
    // Spec: ERR-2, LIFE-6
    let mut sim = started(vec![smtp().submits([SubmitAnswer::Fail(Hresult::MAPI_E_BUSY, 0), SubmitAnswer::TakeMine])]);
    send(&mut sim, draft(&[SMTP]));
    assert_clean(&sim);
    let text = sim.recorded_trace();
    let busy = text.lines().find(|l| l.contains(r#""result":"MAPI_E_BUSY""#)).expect("a busy return");
    assert!(!busy.contains("lpulMsgRef"), "{busy}");
    // The same line without its optional fields reads as the same return.
    let minimal = r#"{"return":"SubmitMessage","from":"T0","result":"MAPI_E_BUSY","message":"M1"}"#;
    let (_, mut codec) = Codec::read_header(text.lines().next().unwrap()).unwrap();
    assert_eq!(codec.read_event(busy, 2).unwrap(), codec.read_event(minimal, 2).unwrap());
    assert_eq!(Hresult::from_name("MAPI_E_BUSY"), Some(Hresult::MAPI_E_BUSY));
}

#[test]
fn the_checker_streams_line_by_line_and_stops_at_the_first_problem() {
    // Spec: AMB-20
    let text = session();
    let mut all = text.lines();
    let mut checker = Checker::new(all.next().unwrap()).expect("a header");
    for line in all {
        checker.feed(line).expect("every line conforms");
    }
    assert!(matches!(checker.finish(), Verdict::Conforms { .. }));
    let mut checker = Checker::new(text.lines().next().unwrap()).unwrap();
    checker.feed("").expect("blank lines are skipped");
    match checker.feed(r#"{"call":"Shutdown","to":"T0"}"#) {
        Err(Problem::Diverged(d)) => assert_eq!(d.line, 3),
        other => panic!("expected a divergence, got {other:?}"),
    }
    assert_eq!(ReportKind::NonDelivery.to_string(), "NDR");
}

/// A session whose message is queued before the spooler starts: when the queue has been read,
/// enabling the transports and locking the message are due at once.
fn queued_at_start() -> Vec<String> {
    let mut sim = world(vec![smtp(), fax()]);
    sim.submit(S0, draft(&[SMTP])).expect("queued");
    sim.start();
    sim.run();
    assert_clean(&sim);
    lines(&sim.recorded_trace())
}

#[test]
fn another_allowed_order_of_due_work_is_accepted() {
    // Spec: DEC-20, LIFE-10, SUB-20
    let mut trace = queued_at_start();
    let lock = find(&trace, &[r#""call":"SetLockState""#, "MSG_LOCKED"]);
    let first_notify = find(&trace, &[r#""call":"TransportNotify""#]);
    assert!(first_notify < lock, "the reference enables the transports first (DEC-20)");
    // The recorded spooler locked the message before enabling the transports.
    let moved: Vec<String> = trace.drain(lock..lock + 2).collect();
    trace.splice(first_notify..first_notify, moved);
    assert!(matches!(check_lines(&trace), Verdict::Conforms { .. }), "{}", check_lines(&trace));
}

#[test]
fn another_order_is_not_accepted_when_it_breaks_a_rule() {
    // Spec: LIFE-12, INV-8
    let mut trace = queued_at_start();
    // The recorded spooler offers the message to T0 before enabling T0's outbound traffic.
    let submit = find(&trace, &[r#""call":"SubmitMessage""#]);
    let first_notify = find(&trace, &[r#""call":"TransportNotify""#]);
    let lock = find(&trace, &[r#""call":"SetLockState""#, "MSG_LOCKED"]);
    let moved: Vec<String> = trace.drain(lock..=submit).collect();
    trace.splice(first_notify..first_notify, moved);
    let d = diverges(&trace);
    // Locking first is another allowed order; offering before the transport is enabled is not.
    assert_eq!(d.line, find(&trace, &[r#""call":"SubmitMessage""#]) + 1, "{d}");
    assert!(d.expected.contains("TransportNotify"), "{d}");
}

/// Every stored trace (the real providers' traces and the fuzz seed) reads and writes back byte
/// for byte: the reader and the writer agree on every line the project keeps.
#[test]
fn every_stored_trace_writes_back_as_it_is_stored() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("tests/traces"))
        .expect("tests/traces")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.push(root.join("fuzz/seed.jsonl"));
    assert!(files.len() > 20, "{files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (_, first) = lines.next().expect("a header");
        let (header, mut codec) = Codec::read_header(first).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(codec.header_line(&header), first, "{}", path.display());
        for (i, line) in lines {
            let event = codec.read_event(line, i + 1).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(codec.event_line(&event), line, "{} line {}", path.display(), i + 1);
        }
    }
}

/// A call to a transport after its `NOTIFY_CRITICAL_ERROR` breaks INV-5, and the spooler is at
/// fault: a spooler keeping the contract only releases the transport.
#[test]
fn a_call_after_a_critical_error_breaks_inv_5_by_the_spooler() {
    // Spec: INV-5, LIFE-17
    let mut trace = lines(&session());
    let begin = find(&trace, &[r#""call":"TransportNotify","to":"T0""#, "NOTIFY_BEGIN"]);
    trace.insert(begin, r#"{"support":"SpoolerNotify","from":"T0","ulFlags":"NOTIFY_CRITICAL_ERROR","lpvData":null}"#.to_owned());
    let d = diverges(&trace);
    assert_eq!(d.line, begin + 2, "{d}");
    assert_eq!((d.party, d.rule.as_str()), (Party::Spooler, "INV-5"), "{d}");
    assert!(d.requirements.contains(&"INV-5".to_owned()), "{d}");
    assert!(d.instead.contains("T0.TransportLogoff"), "{d}");
}

/// A logon after the provider's `Shutdown` breaks INV-3, and the spooler is at fault.
#[test]
fn a_logon_after_shutdown_breaks_inv_3_by_the_spooler() {
    // Spec: INV-3, LIFE-16
    let mut trace = lines(&session());
    let shutdown = find(&trace, &[r#""return":"Shutdown","from":"T0""#]);
    trace.insert(shutdown + 1, r#"{"call":"TransportLogon","to":"T0","lpulFlags":"LOGON_NO_INBOUND|LOGON_NO_OUTBOUND"}"#.to_owned());
    let d = diverges(&trace);
    assert_eq!(d.line, shutdown + 2, "{d}");
    assert_eq!((d.party, d.rule.as_str()), (Party::Spooler, "INV-3"), "{d}");
}

/// A transport whose row does not show the traffic when `TransportNotify` returns breaks
/// INV-12: the transport is at fault, not the reference, and a transport keeping the contract
/// updates its row first.
#[test]
fn a_row_left_unchanged_by_transport_notify_is_the_transports_fault() {
    // Spec: INV-12, LIFE-9
    let mut trace = lines(&session());
    let begin = find(&trace, &[r#""call":"TransportNotify","to":"T0""#, "NOTIFY_BEGIN"]);
    assert!(trace[begin + 1].contains(r#""support":"ModifyStatusRow""#), "{}", trace[begin + 1]);
    trace.remove(begin + 1);
    let d = diverges(&trace);
    assert_eq!(d.line, begin + 2, "{d}");
    assert!(d.event.contains(r#""return":"TransportNotify""#), "{d}");
    assert_eq!((d.party, d.rule.as_str()), (Party::Transport(mapi_spooler::TransportId(0)), "INV-12"), "{d}");
    assert!(d.expected.starts_with("transport T0 broke the contract"), "{d}");
    assert!(d.instead.starts_with("a transport keeping the contract updates its status row"), "{d}");
}

/// A refused return names the party that returned; a refused queue notification the store.
#[test]
fn a_refused_input_names_the_party_that_sent_it() {
    // Spec: AMB-20, SUB-16
    let mut trace = lines(&session());
    let at = find(&trace, &[r#""call":"FinishedMsg""#]) + 2;
    trace.insert(at, r#"{"return":"Idle","from":"T1","result":"S_OK"}"#.to_owned());
    let d = diverges(&trace);
    assert_eq!((d.line, d.party, d.rule.as_str()), (at + 1, Party::Transport(mapi_spooler::TransportId(1)), "AMB-20"), "{d}");
    assert!(d.instead.starts_with("a transport keeping the contract returns only from a call the spooler made"), "{d}");
    let mut trace = lines(&session());
    let row = trace.iter().position(|l| l.starts_with(r#"{"queue":"RowAdded""#)).expect("a queued message");
    let again = trace[row].clone();
    trace.insert(row + 1, again);
    let d = diverges(&trace);
    assert_eq!((d.line, d.party), (row + 2, Party::Store(mapi_spooler::StoreId(0))), "{d}");
    assert_eq!(d.rule, "SUB-16", "{d}");
}

/// Enabling both directions in two `TransportNotify` calls, and offering a message's recipients
/// to the transports in recipient-table order rather than transport order, are legal spoolers
/// (FREE-16, FREE-26): the trace conforms wherever in the session they come.
#[test]
fn two_notifications_and_offers_in_recipient_order_conform() {
    // Spec: FREE-16, FREE-26, LIFE-10, INV-13
    let mut trace = lines(&session());
    // T1 enabled in two calls, outbound first, each with its row update.
    let begin = find(&trace, &[r#""call":"TransportNotify","to":"T1""#, "NOTIFY_BEGIN"]);
    let both: Vec<String> = trace.drain(begin..begin + 3).collect();
    assert!(both[1].contains("STATUS_INBOUND_ENABLED|STATUS_OUTBOUND_ENABLED") && both[2].starts_with(r#"{"return""#), "{both:?}");
    let split = [
        r#"{"call":"TransportNotify","to":"T1","lpulFlags":"NOTIFY_BEGIN_OUTBOUND","lpvData":null}"#,
        r#"{"support":"ModifyStatusRow","from":"T1","ulFlags":"STATUSROW_UPDATE","PR_STATUS_CODE":"STATUS_AVAILABLE|STATUS_OUTBOUND_ENABLED"}"#,
        r#"{"return":"TransportNotify","from":"T1","result":"S_OK","lpulFlags":"NOTIFY_BEGIN_OUTBOUND"}"#,
        r#"{"call":"TransportNotify","to":"T1","lpulFlags":"NOTIFY_BEGIN_INBOUND","lpvData":null}"#,
        r#"{"support":"ModifyStatusRow","from":"T1","ulFlags":"STATUSROW_UPDATE","PR_STATUS_CODE":"STATUS_AVAILABLE|STATUS_INBOUND_ENABLED|STATUS_OUTBOUND_ENABLED"}"#,
        r#"{"return":"TransportNotify","from":"T1","result":"S_OK","lpulFlags":"NOTIFY_BEGIN_INBOUND"}"#,
    ];
    trace.splice(begin..begin, split.iter().map(|l| (*l).to_owned()));
    assert!(matches!(check_lines(&trace), Verdict::Conforms { .. }), "{}", check_lines(&trace));
    // M1's FAX recipients (rows 1 and 2, T1) offered before its SMTP recipient (row 0, T0):
    // the whole exchange with T1 moves before the one with T0.
    let t0 = find(&trace, &[r#""call":"SubmitMessage","to":"T0""#]);
    let t1 = find(&trace, &[r#""call":"SubmitMessage","to":"T1""#]);
    assert!(t0 < t1, "the reference offers in transport order");
    let saved = t1 + trace[t1..].iter().position(|l| l.starts_with(r#"{"save""#)).expect("T1's recipients saved");
    let exchange: Vec<String> = trace.drain(t1..=saved).collect();
    assert!(exchange.last().is_some_and(|l| l.contains(r#""outcome":"T1""#)), "{exchange:#?}");
    trace.splice(t0..t0, exchange);
    assert!(matches!(check_lines(&trace), Verdict::Conforms { .. }), "{}", check_lines(&trace));
}

/// A return whose call the trace does not show, while the spooler has that call due: the
/// spooler's call is missing, so the spooler is at fault.
#[test]
fn a_return_whose_due_call_is_missing_blames_the_spooler() {
    // Spec: AMB-20, SUB-20
    let mut trace = lines(&session());
    let lock = find(&trace, &[r#""call":"SetLockState""#, "MSG_LOCKED"]);
    trace.remove(lock);
    let d = diverges(&trace);
    assert_eq!(d.line, lock + 1, "{d}");
    assert!(d.event.contains(r#""return":"SetLockState""#), "{d}");
    assert_eq!(d.party, Party::Spooler, "{d}");
    assert!(d.expected.starts_with("makes the call S0.SetLockState(M1, MSG_LOCKED) before anything else happens"), "{d}");
}
