//! The recording proxy transport provider and the C trace writer (issue 16; `recorder/`,
//! `docs/recording.md`).
//!
//! `recorder/run.sh` builds the proxy, two sample transport providers, a driver playing the
//! spooler's side and a C store example with mingw-w64, runs them under Wine, and writes three
//! traces. Their golden copies are in `tests/traces/recorded/`:
//!
//! * `sample-conform.jsonl`: the proxy's transport-scope trace of a session with `sample_xp.dll`,
//!   which keeps the contract;
//! * `sample-breach.jsonl`: the same session with `sample_xp_breach.dll`, whose `EndMessage`
//!   answers two flags at once (SUB-34);
//! * `sample-cancel.jsonl`: the session with `sample_xp.dll` in which the user cancels the message
//!   from a second thread while `SubmitMessage` runs (DEF-7, DEF-8);
//! * `store-example.jsonl`: the store-scope trace `recorder/examples/store_example.c` writes.
//!
//! The tests here read them with the reference's trace reader, check that they hold only what
//! their scope's boundary sees, in the protocol's order, and, when the run has just been made
//! (`MAPI_RECORDER_TRACES`, set by `.ci/run`), that the fresh traces are the golden ones byte for
//! byte, and that the scoped checker (`spec/trace-format.md`, "Partial recordings") gives each
//! the verdict `tests/traces/recorded/README.md` lists, with the size of its frontier.
//!
//! The last test keeps the C header's flag and result names the reader's.

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use mapi_spooler::trace::{Checker, Codec, Event, Recorded, Scope, SilentFigures, Verdict, check_lines};
use mapi_spooler::{
    EndFlags, FlushFlags, HookFlags, Hresult, Input, LogoffFlags, LogonCaps, LogonFlags, NotifyFlags, Party, PasswordFlags, QueueFlags,
    ResourceFlags, ResourceMethods, Return, ServiceId, SettingsFlags, SpoolerNotifyFlags, StatusCode, StatusRowFlags, StoreId, SubmitFlags,
    TransportId, ValidateFlags, XpInitFlags,
};
use serde_json::{Map, Value, json};

/// The traces `recorder/run.sh` writes, by name (`<name>.jsonl`).
const TRACES: [&str; 4] = ["sample-conform", "sample-breach", "sample-cancel", "store-example"];

/// The transport-scope traces among them.
const TRANSPORT_TRACES: [&str; 3] = ["sample-conform", "sample-breach", "sample-cancel"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn golden(name: &str) -> PathBuf {
    root().join("tests/traces/recorded").join(format!("{name}.jsonl"))
}

fn text(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads a whole trace with the reference's reader: the header, then every event line.
fn read(path: &Path) -> (mapi_spooler::trace::Header, Vec<Event>) {
    let text = text(path);
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_else(|| panic!("{}: empty", path.display()));
    let (header, mut codec) = Codec::read_header(first).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let events =
        lines.enumerate().map(|(i, line)| codec.read_event(line, i + 2).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).collect();
    (header, events)
}

/// Every line of a trace as a JSON object.
fn objects(path: &Path) -> Vec<Map<String, Value>> {
    text(path)
        .lines()
        .map(|line| match serde_json::from_str(line) {
            Ok(Value::Object(obj)) => obj,
            other => panic!("{}: not a JSON object: {line} ({other:?})", path.display()),
        })
        .collect()
}

/// What an event line is (`call`, `return`, `support`, ...) and its method or name.
fn kind(obj: &Map<String, Value>) -> (String, String) {
    let kinds = ["call", "return", "support", "async", "yield", "queue", "session", "event", "client"];
    let present: Vec<&str> = kinds.iter().copied().filter(|k| obj.contains_key(*k)).collect();
    assert_eq!(present.len(), 1, "one kind key per line: {obj:?}");
    let name = obj[present[0]].as_str().unwrap_or_else(|| panic!("a name: {obj:?}")).to_owned();
    (present[0].to_owned(), name)
}

/// Each line as "kind name" (`call SubmitMessage`).
fn outline(lines: &[Map<String, Value>]) -> Vec<String> {
    lines
        .iter()
        .map(|obj| {
            let (kind, name) = kind(obj);
            format!("{kind} {name}")
        })
        .collect()
}

#[test]
fn the_recorded_traces_are_read_by_the_trace_reader() {
    for name in TRACES {
        let (header, events) = read(&golden(name));
        assert_eq!(header.recorded, Recorded::Calls, "{name}");
        assert_eq!(header.profile.transports, vec![ServiceId(0)], "{name}");
        assert_eq!(header.profile.stores, 1, "{name}");
        assert!(events.len() >= 9, "{name}: {} events", events.len());
    }
}

#[test]
fn each_header_names_the_boundary_it_observed() {
    let scope = |name: &str| objects(&golden(name))[0]["scope"].clone();
    for name in TRANSPORT_TRACES {
        assert_eq!(scope(name), json!({"transport": "T0"}), "{name}");
    }
    assert_eq!(scope("store-example"), json!({"store": "S0"}));
}

/// A transport-scope trace holds the observed transport's calls and returns, its support calls,
/// and what the spooler tells it outside the call in flight; nothing of the store, the client,
/// the session, time or another transport.
#[test]
fn a_transport_scope_trace_holds_only_the_transports_boundary() {
    for name in TRANSPORT_TRACES {
        for obj in &objects(&golden(name))[1..] {
            let (kind, _) = kind(obj);
            let who = match kind.as_str() {
                "call" | "async" | "yield" => &obj["to"],
                "return" | "support" => &obj["from"],
                other => panic!("{name}: a {other} line in a transport-scope trace: {obj:?}"),
            };
            assert_eq!(who, "T0", "{name}: {obj:?}");
        }
    }
}

/// A store-scope trace holds the observed store's calls, returns, support calls and queue
/// notifications.
#[test]
fn a_store_scope_trace_holds_only_the_stores_boundary() {
    for obj in &objects(&golden("store-example"))[1..] {
        let (kind, _) = kind(obj);
        let who = match kind.as_str() {
            "call" => &obj["to"],
            "return" | "support" | "queue" => &obj["from"],
            other => panic!("a {other} line in a store-scope trace: {obj:?}"),
        };
        assert_eq!(who, "S0", "{obj:?}");
    }
}

/// The session the driver plays, as the proxy saw it: one call at a time, each followed by the
/// support calls the provider made inside it and then its return; the documented order of the
/// lifecycle; the status row created during the logon; the reports made inside SubmitMessage;
/// EndMessage the next call after an S_OK SubmitMessage.
#[test]
fn the_conforming_session_is_recorded_in_the_protocols_order() {
    // Spec: LIFE-8, LIFE-9, LIFE-16, SUB-24, SUB-30, AMB-20
    let lines = outline(&objects(&golden("sample-conform"))[1..]);
    let expected = [
        "call XPProviderInit",
        "return XPProviderInit",
        "call TransportLogon",
        "support ModifyStatusRow",
        "return TransportLogon",
        "call AddressTypes",
        "return AddressTypes",
        "call TransportNotify",
        "support ModifyStatusRow",
        "return TransportNotify",
        "call SubmitMessage",
        "support ModifyStatusRow",
        "support SpoolerYield",
        "support SpoolerYield",
        "support StatusRecips",
        "support ModifyStatusRow",
        "return SubmitMessage",
        "call EndMessage",
        "return EndMessage",
        "call TransportNotify",
        "support ModifyStatusRow",
        "return TransportNotify",
        "call TransportLogoff",
        "return TransportLogoff",
        "call Shutdown",
        "return Shutdown",
    ];
    assert_eq!(lines, expected);
}

/// The out-parameters the proxy read: the rows offered (PR_RESPONSIBILITY FALSE at the call), the
/// rows accepted (TRUE at the return), the reference the provider wrote first, the reports by
/// recipient row, and the status row as created and updated.
#[test]
fn the_proxy_records_the_documented_out_parameters() {
    // Spec: SUB-22, SUB-28, SUB-30, LIFE-9, STAT-3, STAT-5
    let objects = objects(&golden("sample-conform"));
    let find = |kind: &str, name: &str| -> Vec<&Map<String, Value>> {
        objects.iter().filter(|obj| obj.get(kind).and_then(Value::as_str) == Some(name)).collect()
    };
    let submit = find("call", "SubmitMessage");
    assert_eq!(submit.len(), 1);
    assert_eq!(submit[0]["message"], "M1");
    assert_eq!(submit[0]["offered"], json!([0, 1]));
    let submitted = find("return", "SubmitMessage");
    assert_eq!(submitted[0]["result"], "S_OK");
    assert_eq!(submitted[0]["lpulMsgRef"], 1);
    assert_eq!(submitted[0]["accepted"], json!([0, 1]));
    assert_eq!(find("call", "EndMessage")[0]["ulMsgRef"], 1);
    let reports = find("support", "StatusRecips");
    assert_eq!(reports[0]["message"], "M1");
    assert_eq!(reports[0]["reports"], json!([{"recipient": 0, "kind": "DR"}, {"recipient": 1, "kind": "NDR"}]));
    let rows: Vec<(&Value, &Value)> =
        find("support", "ModifyStatusRow").iter().map(|obj| (&obj["ulFlags"], &obj["PR_STATUS_CODE"])).collect();
    assert_eq!(rows[0], (&json!("0"), &json!("STATUS_AVAILABLE")));
    assert_eq!(rows[1], (&json!("STATUSROW_UPDATE"), &json!("STATUS_AVAILABLE|STATUS_INBOUND_ENABLED|STATUS_OUTBOUND_ENABLED")));
    assert_eq!(rows.last().copied(), Some((&json!("STATUSROW_UPDATE"), &json!("STATUS_AVAILABLE"))));
    let types = find("return", "AddressTypes");
    assert_eq!(types[0]["lpppAdrTypeArray"], json!(["SAMPLE"]));
    assert_eq!(types[0]["lpppUIDArray"], json!([]));
}

/// The two sample providers differ in one answer only: the breaching one's EndMessage sets two
/// of the three END_* flags, which the documentation allows one at a time (SUB-34); the
/// conforming one's sets none (the message was sent).
#[test]
fn the_breach_is_one_end_message_answer() {
    // Spec: SUB-34
    let conform = text(&golden("sample-conform"));
    let breach = text(&golden("sample-breach"));
    let differing: Vec<(usize, &str, &str)> =
        conform.lines().zip(breach.lines()).enumerate().filter(|(_, (a, b))| a != b).map(|(i, (a, b))| (i + 1, a, b)).collect();
    assert_eq!(conform.lines().count(), breach.lines().count());
    assert_eq!(differing.len(), 1, "{differing:?}");
    assert_eq!(differing[0].0, 20, "the EndMessage return is line 20");

    let end_flags = |name: &str| -> EndFlags {
        let (_, events) = read(&golden(name));
        let flags: Vec<EndFlags> = events
            .iter()
            .filter_map(|event| match event {
                Event::Input(Input::Return(Return::EndMessage { result: Ok(flags), .. })) => Some(*flags),
                _ => None,
            })
            .collect();
        assert_eq!(flags.len(), 1, "{name}");
        flags[0]
    };
    assert_eq!(end_flags("sample-conform"), EndFlags::EMPTY);
    let breach = end_flags("sample-breach");
    assert_eq!(breach, EndFlags::END_RESEND_NOW | EndFlags::END_DONT_RESEND);
    assert!(breach.bits().count_ones() > 1, "more than one flag: {breach}");
}

/// Checks a recorded trace as it is, under its scope; returns the verdict, the scope, the most
/// states the frontier held after a line and how far the silent moves went.
fn scoped(name: &str) -> (Verdict, Option<Scope>, usize, SilentFigures) {
    let text = text(&golden(name));
    let mut lines = text.lines();
    let mut checker = Checker::new(lines.next().expect("a header")).unwrap_or_else(|e| panic!("{name}: {e}"));
    let scope = checker.scope();
    for line in lines {
        if let Err(problem) = checker.feed(line) {
            let (largest, figures) = (checker.largest_frontier(), checker.silent_figures());
            return (problem.into(), scope, largest, figures);
        }
    }
    let (largest, figures) = (checker.largest_frontier(), checker.silent_figures());
    (checker.finish(), scope, largest, figures)
}

/// The scoped checker gives each recording, as it is, the verdict of
/// `tests/traces/recorded/README.md`: what the proxy did not see (the session, the store, time,
/// the user's cancel) is supplied as silent moves of a legal world. The frontier's size and
/// the silent moves used are pinned: the figures the issue's closing note reports.
#[test]
fn the_scoped_checker_gives_the_recordings_their_verdicts() {
    // Spec: SUB-34, SUB-24, SUB-30, DEF-7, DEF-8, DEC-27, LIFE-19, SUB-26
    let t0 = Some(Scope::Transport(TransportId(0)));
    let (verdict, scope, largest, figures) = scoped("sample-conform");
    assert_eq!((verdict, scope), (Verdict::Conforms { events: 26 }, t0));
    assert_eq!((largest, figures.most_moves), (6, 5), "{figures:?}");

    let (verdict, scope, largest, figures) = scoped("sample-breach");
    let Verdict::Diverges(divergence) = verdict else { panic!("the breach must diverge: {verdict}") };
    assert_eq!(scope, t0);
    assert_eq!(divergence.line, 20, "{divergence}");
    assert_eq!(
        divergence.event,
        r#"{"return":"EndMessage","from":"T0","result":"S_OK","ulMsgRef":1,"lpulFlags":"END_RESEND_NOW|END_DONT_RESEND"}"#
    );
    assert_eq!((divergence.party, divergence.rule.as_str()), (Party::Transport(TransportId(0)), "SUB-34"), "{divergence}");
    assert_eq!(divergence.requirements, ["SUB-34"], "{divergence}");
    assert!(
        divergence.expected.contains(
            "transport T0 broke the contract: EndMessage returned END_RESEND_NOW|END_DONT_RESEND: at most one of END_RESEND_NOW, \
             END_RESEND_LATER, END_DONT_RESEND may be set"
        ),
        "{divergence}"
    );
    assert_eq!((largest, figures.most_moves), (4, 5), "{figures:?}");

    let (verdict, scope, largest, figures) = scoped("sample-cancel");
    assert_eq!((verdict, scope), (Verdict::Conforms { events: 27 }, t0));
    assert_eq!((largest, figures.most_moves), (14, 6), "{figures:?}");

    let (verdict, scope, largest, figures) = scoped("store-example");
    assert_eq!((verdict, scope), (Verdict::Conforms { events: 9 }, Some(Scope::Store(StoreId(0)))));
    assert_eq!((largest, figures.most_moves), (27, 7), "{figures:?}");
}

/// A recording completed by hand with one legal world: its header for a whole session, and
/// after recorded line `n` (1 is the header) the lines of `world` keyed `n`: what the recorder
/// does not see. The scoped checker searches for such a world itself (the test above); one world
/// written out shows one of them, judged by the checker of whole sessions.
fn in_one_world(name: &str, header: &str, world: &[(usize, &[&str])]) -> Vec<String> {
    let recorded = text(&golden(name));
    let mut lines = vec![header.to_owned()];
    for (i, line) in recorded.lines().enumerate() {
        if i > 0 {
            lines.push(line.to_owned());
        }
        for (_, moves) in world.iter().filter(|(after, _)| *after == i + 1) {
            lines.extend(moves.iter().map(|l| (*l).to_owned()));
        }
    }
    lines
}

/// The world of the driver's session: the spooler's start, and the store S0 with one message M1
/// for two SAMPLE recipients, locked after the traffic is enabled; then `end`, keyed as in
/// [`in_one_world`].
fn transport_world(name: &str, end: &[(usize, &[&str])]) -> Vec<String> {
    let mut world: Vec<(usize, &[&str])> = vec![
        (1, &[r#"{"session":"Start"}"#]),
        (
            8,
            &[
                r#"{"call":"SpoolerLogon","to":"S0"}"#,
                r#"{"return":"SpoolerLogon","from":"S0","result":"S_OK"}"#,
                r#"{"call":"GetOutgoingQueue","to":"S0"}"#,
                r#"{"return":"GetOutgoingQueue","from":"S0","result":"S_OK","rows":[]}"#,
            ],
        ),
        (
            11,
            &[
                r#"{"queue":"RowAdded","from":"S0","message":"M1","PR_SUBMIT_FLAGS":"0","PR_PREPROCESS":false,"reports":{"delivery":true,"non_delivery":true},"recipients":[{"PR_ADDRTYPE":"SAMPLE","PR_RESPONSIBILITY":false},{"PR_ADDRTYPE":"SAMPLE","PR_RESPONSIBILITY":false}]}"#,
                r#"{"call":"SetLockState","to":"S0","message":"M1","ulLockState":"MSG_LOCKED"}"#,
                r#"{"return":"SetLockState","from":"S0","result":"S_OK","message":"M1","ulLockState":"MSG_LOCKED"}"#,
            ],
        ),
    ];
    world.extend_from_slice(end);
    in_one_world(name, r#"{"mapi_spooler_trace":1,"transports":["svc0"],"stores":1,"recorded":"calls","address_types":["SAMPLE"]}"#, &world)
}

/// The end of the session after EndMessage (line 20): the message finished, the session shut down.
const FINISHED: &[(usize, &[&str])] = &[(
    20,
    &[
        r#"{"call":"FinishedMsg","to":"S0","message":"M1"}"#,
        r#"{"return":"FinishedMsg","from":"S0","result":"S_OK","message":"M1"}"#,
        r#"{"session":"Shutdown"}"#,
    ],
)];

/// In that world the conforming provider's session conforms, and the breaching provider's
/// diverges at its EndMessage answer, refused as the transport's fault under SUB-34.
#[test]
fn in_one_legal_world_the_transport_recordings_get_their_verdicts() {
    // Spec: SUB-34, SUB-24, SUB-30, LIFE-9
    let conform = check_lines(transport_world("sample-conform", FINISHED));
    assert_eq!(conform, Verdict::Conforms { events: 37 }, "{conform}");
    let Verdict::Diverges(divergence) = check_lines(transport_world("sample-breach", FINISHED)) else {
        panic!("the breach must diverge");
    };
    assert_eq!(divergence.line, 28, "{divergence}");
    assert!(divergence.event.starts_with(r#"{"return":"EndMessage","from":"T0""#), "{divergence}");
    assert!(divergence.expected.contains("transport T0 broke the contract"), "{divergence}");
    assert_eq!(divergence.requirements, ["SUB-34"], "{divergence}");
}

/// The user's cancel, recorded across two threads: while SubmitMessage runs on one thread, the
/// cancel arrives on the other between the provider's two yields, as an `async` line with no
/// return (and the row update the provider makes for it); the second yield says the message was
/// cancelled; the provider reports the recipient it served, saves it and returns
/// MAPI_E_USER_CANCEL, with row 0 saved; no EndMessage follows the failed SubmitMessage.
#[test]
fn the_users_cancel_is_recorded_across_threads() {
    // Spec: DEF-7, DEF-8, SUB-33, SUB-35, SUB-36, LIFE-13
    let objects = objects(&golden("sample-cancel"));
    let lines = outline(&objects[11..21]);
    let expected = [
        "call SubmitMessage",
        "support ModifyStatusRow",
        "support SpoolerYield",
        "async TransportNotify",
        "support ModifyStatusRow",
        "support SpoolerYield",
        "yield MAPI_W_CANCEL_MESSAGE",
        "support StatusRecips",
        "support ModifyStatusRow",
        "return SubmitMessage",
    ];
    assert_eq!(lines, expected);
    assert_eq!(objects[14]["lpulFlags"], "NOTIFY_CANCEL_MESSAGE");
    assert_eq!(objects[14]["message"], "M1");
    assert_eq!(objects[18]["reports"], json!([{"recipient": 0, "kind": "DR"}]));
    let ret = &objects[20];
    assert_eq!(ret["result"], "MAPI_E_USER_CANCEL");
    assert_eq!(ret["lpulReturnParm"], 0);
    assert_eq!(ret["saved"], json!([0]));
    assert!(objects.iter().all(|obj| obj.get("call") != Some(&json!("EndMessage"))), "no EndMessage after an error");
}

/// In the same world with the user's cancel of M1 between the provider's two yields, the cancelled
/// session conforms: the spooler unlocks the message and takes it out of the queue.
#[test]
fn in_one_legal_world_the_cancelled_session_conforms() {
    // Spec: DEF-7, DEF-8, SUB-33, DEC-27
    let end: &[(usize, &[&str])] = &[
        (14, &[r#"{"session":"Cancel","store":"S0","message":"M1"}"#]),
        (
            21,
            &[
                r#"{"call":"SetLockState","to":"S0","message":"M1","ulLockState":"MSG_UNLOCKED"}"#,
                r#"{"return":"SetLockState","from":"S0","result":"S_OK","message":"M1","ulLockState":"MSG_UNLOCKED"}"#,
                r#"{"call":"AbortSubmit","to":"S0","message":"M1"}"#,
                r#"{"return":"AbortSubmit","from":"S0","result":"S_OK","message":"M1"}"#,
                r#"{"session":"Shutdown"}"#,
            ],
        ),
    ];
    let verdict = check_lines(transport_world("sample-cancel", end));
    assert_eq!(verdict, Verdict::Conforms { events: 41 }, "{verdict}");
}

/// The C example's store session conforms in a world with one transport for its SMTP recipient.
#[test]
fn in_one_legal_world_the_store_recording_conforms() {
    // Spec: SUB-19, SUB-20, SUB-26, LIFE-19
    let lines = in_one_world(
        "store-example",
        r#"{"mapi_spooler_trace":1,"transports":["svc0"],"stores":1,"recorded":"calls","address_types":["SMTP"]}"#,
        &[
            (
                1,
                &[
                    r#"{"session":"Start"}"#,
                    r#"{"call":"XPProviderInit","to":"T0","ulFlags":"0","ulMAPIVer":"0x00010010"}"#,
                    r#"{"return":"XPProviderInit","from":"T0","result":"S_OK","lpulProviderVer":"0x00010010"}"#,
                    r#"{"call":"TransportLogon","to":"T0","lpulFlags":"LOGON_NO_INBOUND|LOGON_NO_OUTBOUND"}"#,
                    r#"{"support":"ModifyStatusRow","from":"T0","ulFlags":"0","PR_STATUS_CODE":"STATUS_AVAILABLE"}"#,
                    r#"{"return":"TransportLogon","from":"T0","result":"S_OK","lpulFlags":"0"}"#,
                    r#"{"call":"AddressTypes","to":"T0"}"#,
                    r#"{"return":"AddressTypes","from":"T0","result":"S_OK","lpppAdrTypeArray":["SMTP"],"lpppUIDArray":[]}"#,
                ],
            ),
            (
                5,
                &[
                    r#"{"call":"TransportNotify","to":"T0","lpulFlags":"NOTIFY_BEGIN_INBOUND|NOTIFY_BEGIN_OUTBOUND","lpvData":null}"#,
                    r#"{"support":"ModifyStatusRow","from":"T0","ulFlags":"STATUSROW_UPDATE","PR_STATUS_CODE":"STATUS_AVAILABLE|STATUS_INBOUND_ENABLED|STATUS_OUTBOUND_ENABLED"}"#,
                    r#"{"return":"TransportNotify","from":"T0","result":"S_OK","lpulFlags":"NOTIFY_BEGIN_INBOUND|NOTIFY_BEGIN_OUTBOUND"}"#,
                ],
            ),
            (
                8,
                &[
                    r#"{"call":"SubmitMessage","to":"T0","ulFlags":"0","message":"M1","offered":[0]}"#,
                    r#"{"return":"SubmitMessage","from":"T0","result":"S_OK","message":"M1","lpulMsgRef":1,"accepted":[0]}"#,
                    r#"{"call":"EndMessage","to":"T0","ulMsgRef":1}"#,
                    r#"{"return":"EndMessage","from":"T0","result":"S_OK","ulMsgRef":1,"lpulFlags":"0"}"#,
                ],
            ),
            (
                10,
                &[
                    r#"{"session":"Shutdown"}"#,
                    r#"{"call":"TransportNotify","to":"T0","lpulFlags":"NOTIFY_END_INBOUND|NOTIFY_END_OUTBOUND","lpvData":null}"#,
                    r#"{"support":"ModifyStatusRow","from":"T0","ulFlags":"STATUSROW_UPDATE","PR_STATUS_CODE":"STATUS_AVAILABLE"}"#,
                    r#"{"return":"TransportNotify","from":"T0","result":"S_OK","lpulFlags":"NOTIFY_END_INBOUND|NOTIFY_END_OUTBOUND"}"#,
                    r#"{"call":"TransportLogoff","to":"T0"}"#,
                    r#"{"return":"TransportLogoff","from":"T0","result":"S_OK"}"#,
                    r#"{"call":"Shutdown","to":"T0"}"#,
                    r#"{"return":"Shutdown","from":"T0","result":"S_OK"}"#,
                ],
            ),
        ],
    );
    let verdict = check_lines(lines);
    assert_eq!(verdict, Verdict::Conforms { events: 32 }, "{verdict}");
}

/// The traces of the run just made are the golden ones. `.ci/run` runs `recorder/run.sh` and
/// sets `MAPI_RECORDER_TRACES` to the folder it wrote; under CI (`CI` set) the variable is
/// required, so the comparison is never skipped there.
#[test]
fn fresh_recordings_are_the_golden_ones() {
    let Some(dir) = env::var_os("MAPI_RECORDER_TRACES") else {
        assert!(env::var_os("CI").is_none(), "CI is set but MAPI_RECORDER_TRACES is not: .ci/run must run recorder/run.sh");
        return;
    };
    let dir = PathBuf::from(dir);
    for name in TRACES {
        let fresh = dir.join(format!("{name}.jsonl"));
        assert!(fresh.is_file(), "{} was not written", fresh.display());
        read(&fresh);
        assert_eq!(text(&fresh), text(&golden(name)), "{} differs from {}", fresh.display(), golden(name).display());
    }
}

/// The `X(NAME, 0xVALUE)` entries of each `#define MAPI_TRACE_<SET>(X)` table of the C header.
fn header_tables() -> BTreeMap<String, Vec<(u32, String)>> {
    let header = text(&root().join("recorder/include/mapi_trace.h"));
    let mut tables: BTreeMap<String, Vec<(u32, String)>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in header.lines() {
        if let Some(rest) = line.strip_prefix("#define MAPI_TRACE_") {
            current = rest.strip_suffix("(X) \\").map(str::to_owned);
            if let Some(set) = &current {
                tables.insert(set.clone(), Vec::new());
            }
            continue;
        }
        let Some(set) = &current else { continue };
        let entry = line.trim().trim_end_matches('\\').trim();
        let inner = entry.strip_prefix("X(").and_then(|e| e.strip_suffix(')'));
        let Some((name, value)) = inner.and_then(|e| e.split_once(", ")) else {
            panic!("MAPI_TRACE_{set}: not an X(NAME, VALUE) entry: {line}");
        };
        let value = value.strip_prefix("0x").and_then(|v| u32::from_str_radix(v, 16).ok()).unwrap_or_else(|| panic!("{line}"));
        tables.get_mut(set).expect("the table just opened").push((value, name.to_owned()));
        if !line.ends_with('\\') {
            current = None;
        }
    }
    tables
}

/// Each C table's name with the reader's names and values of its flag word, in the reader's
/// order.
macro_rules! tables {
    ($($set:literal => $t:ty),* $(,)?) => {
        vec![$(($set, <$t>::NAMES.iter().map(|(f, n)| (f.bits(), (*n).to_owned())).collect::<Vec<_>>())),*]
    };
}

/// The C header writes flags and results with the names and values the reader reads, in the
/// reader's order (the documentation's), and has no table the reader lacks.
#[test]
fn the_c_header_names_flags_and_results_as_the_reader_does() {
    let header = header_tables();
    let reader = tables!(
        "FLAGS_XP_INIT" => XpInitFlags,
        "FLAGS_LOGON" => LogonFlags,
        "FLAGS_LOGON_CAPS" => LogonCaps,
        "FLAGS_NOTIFY" => NotifyFlags,
        "FLAGS_SPOOLER_NOTIFY" => SpoolerNotifyFlags,
        "FLAGS_SUBMIT" => SubmitFlags,
        "FLAGS_END" => EndFlags,
        "FLAGS_QUEUE" => QueueFlags,
        "FLAGS_STATUS_ROW" => StatusRowFlags,
        "FLAGS_STATUS_CODE" => StatusCode,
        "FLAGS_RESOURCE_METHODS" => ResourceMethods,
        "FLAGS_RESOURCE_FLAGS" => ResourceFlags,
        "FLAGS_LOGOFF" => LogoffFlags,
        "FLAGS_HOOK" => HookFlags,
        "FLAGS_FLUSH" => FlushFlags,
        "FLAGS_VALIDATE" => ValidateFlags,
        "FLAGS_SETTINGS" => SettingsFlags,
        "FLAGS_PASSWORD" => PasswordFlags,
    );
    for (set, names) in &reader {
        assert_eq!(header.get(*set), Some(names), "MAPI_TRACE_{set}");
    }
    let results: Vec<(u32, String)> = Hresult::KNOWN.iter().map(|(h, n)| (h.0, (*n).to_owned())).collect();
    assert_eq!(header.get("RESULTS"), Some(&results), "MAPI_TRACE_RESULTS");
    let mut all: Vec<&str> = reader.iter().map(|(set, _)| *set).chain(["RESULTS"]).collect();
    all.sort_unstable();
    assert_eq!(header.keys().map(String::as_str).collect::<Vec<_>>(), all, "the header's tables");
}
