//! The command line as a user meets it: every test runs the `mapi-spooler` binary. Closed
//! pipes, busy ports, bad options and bad files end with one line and their own exit status,
//! never a panic; counterexamples, `--json`, `replay` and the Explorer read as documented.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Output, Stdio};

use assert_cmd::Command;
use mapi_spooler_model::{Exit, Faults};

/// A world every test can check in well under a second, in which every property holds, every
/// guard is reached and every kind of move happens.
const SMALL: [&str; 12] = ["--messages", "1", "--fault-budget", "1", "--crashes", "0", "--aborts", "0", "--disables", "0", "--idles", "0"];

/// The README's world for `skip-unlock`: LIV-1 and LIV-2 broken by one path of 19 moves.
const SKIP_UNLOCK: [&str; 14] = [
    "--bug",
    "skip-unlock",
    "--messages",
    "1",
    "--fault-budget",
    "0",
    "--crashes",
    "0",
    "--aborts",
    "0",
    "--disables",
    "0",
    "--idles",
    "0",
];

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("mapi-spooler")
}

fn run(args: &[&str]) -> Output {
    Command::new(binary()).args(args).output().expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn status(output: &Output) -> i32 {
    output.status.code().expect("the binary exits with a status, not a signal")
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mapi-spooler-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

/// Runs the binary, reads one line of its standard output and closes the pipe, as `| head -1`
/// does; returns the line, the exit status and standard error.
fn first_line_then_close(args: &[&str]) -> (String, i32, String) {
    let mut child = Process::new(binary()).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawns");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("one line");
    drop(out);
    let mut err = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut err).expect("stderr reads");
    let status = child.wait().expect("the binary ends").code().expect("an exit status, not a signal");
    (line, status, err)
}

#[test]
fn simulate_into_a_closed_pipe_ends_quietly() {
    let (line, status, err) = first_line_then_close(&["simulate", "--messages", "3000"]);
    assert!(line.contains("session -> spooler.Start"), "{line}");
    assert_eq!(status, 0, "simulate | head -1 must not fail: {err}");
    assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{err}");
}

#[test]
fn check_into_a_closed_pipe_ends_quietly() {
    let (line, status, err) = first_line_then_close(&[&["check", "--quiet"][..], &SMALL].concat());
    assert!(line.starts_with("checking: "), "{line}");
    assert_eq!(status, 0, "check | head -1 keeps the check's own exit status: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_busy_port_is_one_line_before_anything_is_printed() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = taken.local_addr().expect("bound").port().to_string();
    let output = run(&["explore", "--port", &port]);
    assert_eq!(status(&output), i32::from(Exit::Unavailable.code()));
    assert_eq!(stdout(&output), "", "nothing is printed before the error");
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with(&format!("error: cannot listen on 127.0.0.1:{port}: ")), "{err}");
}

#[test]
fn the_suite_refuses_world_options() {
    for option in [&["--messages", "1"][..], &["--bug", "skip-unlock"], &["--no-fault", "busy"], &["--poll"]] {
        let output = run(&[&["check", "--suite"][..], option].concat());
        assert_eq!(status(&output), i32::from(Exit::Usage.code()), "{option:?}");
        let err = stderr(&output);
        assert!(err.contains("'--suite' cannot be used with") && err.contains(option[0]), "{option:?}: {err}");
    }
}

#[test]
fn ranges_read_alike_whatever_checks_them() {
    for (option, value, range) in [
        ("--transports", "1000", "1..=8"),
        ("--transports", "9", "1..=8"),
        ("--messages", "0", "1..=8"),
        ("--recipients", "9", "1..=8"),
        ("--inbound", "9", "0..=8"),
        ("--arrivals", "9", "0..=8"),
        ("--inbound-hooks", "5", "0..=4"),
        ("--threads", "0", "1..=1024"),
        ("--fault-budget", "256", "0..=255"),
    ] {
        let output = run(&["check", option, value]);
        assert_eq!(status(&output), i32::from(Exit::Usage.code()), "{option} {value}");
        let err = stderr(&output);
        assert!(err.contains(&format!("{value} is not in {range}")), "{option} {value}: {err}");
    }
    // The library's own check, for callers that build a Config by hand, says it the same way.
    let config = mapi_spooler_model::Config { transports: 9, ..mapi_spooler_model::Config::default() };
    assert_eq!(config.validate(), Err("--transports: 9 is not in 1..=8".to_owned()));
}

#[test]
fn options_that_need_each_other_are_refused_with_the_one_missing() {
    let output = run(&["check", "--arrivals", "1"]);
    assert_eq!(status(&output), i32::from(Exit::Usage.code()));
    assert!(stderr(&output).contains("need --coupled"), "{}", stderr(&output));
    let output = run(&["check", "--coupled"]);
    assert_eq!(status(&output), i32::from(Exit::Usage.code()));
    assert!(stderr(&output).contains("--crashes 0"), "{}", stderr(&output));
}

#[test]
fn version_names_the_binary() {
    let output = run(&["--version"]);
    assert_eq!(stdout(&output), format!("mapi-spooler {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn help_lists_every_fault_kind_every_bug_and_every_exit_status() {
    let help = stdout(&run(&["check", "--help"]));
    for kind in Faults::NAMES {
        assert!(help.contains(kind), "check --help does not list the fault kind {kind}");
    }
    for bug in mapi_spooler::zoo::Bug::ALL {
        assert!(help.contains(bug.name()), "check --help does not list the bug {}", bug.name());
    }
    for exit in Exit::ALL {
        assert!(help.contains(&format!("  {}  {}", exit.code(), exit.meaning())), "check --help lacks exit status {}", exit.code());
    }
    let top = stdout(&run(&["--help"]));
    assert!(top.contains("Exit status:") && top.contains("replay"), "{top}");
}

#[test]
fn an_unknown_fault_kind_is_refused_with_the_list() {
    let output = run(&["check", "--fault", "bogus"]);
    assert_eq!(status(&output), i32::from(Exit::Usage.code()));
    assert!(stderr(&output).contains("possible values: busy, not-me"), "{}", stderr(&output));
}

#[test]
fn exit_statuses_tell_every_outcome_apart() {
    let dir = scratch("exits");
    let out = dir.to_string_lossy().into_owned();
    let holds = run(&[&["check", "--quiet", "--out", &out][..], &SMALL].concat());
    assert_eq!(status(&holds), i32::from(Exit::Holds.code()), "{}", stdout(&holds));
    let broken = run(&[&["check", "--quiet", "--out", &out][..], &SKIP_UNLOCK].concat());
    assert_eq!(status(&broken), i32::from(Exit::Broken.code()));
    // No fault at all: the world never waits out a retry delay, so the move "time" never
    // happens and the guard on retry delays is never reached.
    let vacuous = run(&["check", "--quiet", "--messages", "1", "--fault-budget", "0", "--crashes", "0", "--out", &out]);
    assert_eq!(status(&vacuous), i32::from(Exit::Vacuous.code()), "{}", stdout(&vacuous));
    assert!(stdout(&vacuous).contains("world moves that never happened: time"), "{}", stdout(&vacuous));
    let incomplete = run(&["check", "--quiet", "--max-states", "50"]);
    assert_eq!(status(&incomplete), i32::from(Exit::Incomplete.code()));
    assert!(stdout(&incomplete).contains("the search was cut short: --max-states 50"), "{}", stdout(&incomplete));
    let shallow = run(&[&["check", "--quiet", "--max-depth", "5"][..], &SMALL].concat());
    assert_eq!(status(&shallow), i32::from(Exit::Incomplete.code()));
    assert!(stdout(&shallow).contains("holds so far"), "{}", stdout(&shallow));
    // The default world takes far longer than a second.
    let timed = run(&["check", "--quiet", "--timeout", "1", "--out", &out]);
    assert_eq!(status(&timed), i32::from(Exit::Incomplete.code()), "{}", stdout(&timed));
    assert!(stdout(&timed).contains("the search was cut short: --timeout 1"), "{}", stdout(&timed));
    let usage = run(&["check", "--no-such-option"]);
    assert_eq!(status(&usage), i32::from(Exit::Usage.code()));
    let garbage = dir.join("garbage.jsonl");
    std::fs::write(&garbage, "this is not a trace\n").expect("writes");
    let invalid = run(&["trace", "check", &garbage.to_string_lossy()]);
    assert_eq!(status(&invalid), i32::from(Exit::InvalidInput.code()), "{}", stdout(&invalid));
    let missing = run(&["replay", &dir.join("missing.jsonl").to_string_lossy()]);
    assert_eq!(status(&missing), i32::from(Exit::InvalidInput.code()));
    // A file where the counterexamples' directory should be: they cannot be written.
    let blocked = dir.join("blocked");
    std::fs::write(&blocked, "").expect("writes");
    let unwritable = run(&[&["check", "--quiet", "--out", &blocked.to_string_lossy()][..], &SKIP_UNLOCK].concat());
    assert_eq!(status(&unwritable), i32::from(Exit::Unavailable.code()));
    assert!(stderr(&unwritable).starts_with("error: cannot write the counterexample"), "{}", stderr(&unwritable));
}

#[test]
fn a_counterexample_is_printed_once_like_tlc_with_the_broken_property_and_the_offending_state() {
    let dir = scratch("counterexample");
    let output = run(&[&["check", "--quiet", "--out", &dir.to_string_lossy()][..], &SKIP_UNLOCK].concat());
    let text = stdout(&output);
    assert_eq!(text.matches("counterexample 1 of 1 for LIV-1 and LIV-2 (19 moves").count(), 1, "{text}");
    assert!(!text.contains("counterexample 2"), "the shared path is printed once: {text}");
    // Numbered steps, from the session's start to the move that ends the run.
    assert!(text.contains("   0. the session starts\n"), "{text}");
    assert!(text.contains("  12. session ends\n"), "{text}");
    // The property in words, then what in the end state breaks it.
    assert!(text.contains("LIV-2 is broken at step 19: Every message lock taken by the spooler is eventually released."), "{text}");
    assert!(text.contains("  still locked: M1: queued; locked (SUBMITFLAG_LOCKED)"), "{text}");
    assert!(text.contains("the state after step 19:\n  session: ended"), "{text}");
    let mermaid = std::fs::read_to_string(dir.join("LIV-1.mmd")).expect("the diagram is written");
    assert!(mermaid.contains("    participant client\n"), "{mermaid}");
    assert!(mermaid.contains("    client->>S0: SubmitMessage(M1) => S_OK\n"), "the client's submission is an arrow: {mermaid}");
    assert!(mermaid.contains("    Note over client,spooler: 1. "), "{mermaid}");
    assert!(mermaid.contains("    rect rgb(255, 220, 220)\n    Note over client,spooler: 19. "), "{mermaid}");
    assert!(mermaid.contains("broken here: LIV-1, LIV-2"), "{mermaid}");
    assert!(!dir.join("LIV-2.mmd").exists(), "one set of files per counterexample");
}

#[test]
fn tables_keep_full_descriptions() {
    let text = stdout(&run(&[&["check", "--quiet"][..], &SMALL].concat()));
    let long = mapi_spooler::Property::ALL.iter().map(|p| p.summary()).max_by_key(|s| s.len()).expect("properties");
    assert!(text.contains(long), "the longest description is printed whole: {long}");
    assert!(text.contains("| INV-31 "), "{text}");
    assert!(text.contains("no end state with a held lock is reachable"), "the catalogue describes the model's own properties");
}

#[test]
fn the_progress_bar_stays_out_of_a_file() {
    let output = run(&[&["check"][..], &SMALL].concat());
    assert!(!stderr(&output).contains('\r'), "no carriage returns when standard error is not a terminal");
    assert_eq!(stderr(&output), "");
}

#[test]
fn the_suite_prints_its_table_of_worlds() {
    let text = stdout(&run(&["check", "--suite", "--quiet", "--max-states", "200"]));
    assert!(text.contains("| World "), "{text}");
    for (name, config) in mapi_spooler_model::Config::suite() {
        let row = text.lines().find(|l| l.starts_with(&format!("| {name} "))).unwrap_or_else(|| panic!("no row for {name}: {text}"));
        assert!(row.contains(&config.command_line()), "{row}");
    }
    assert!(text.lines().any(|l| l.starts_with("| all 10 ") && l.contains("incomplete")), "{text}");
}

#[test]
fn replay_steps_through_a_counterexample_and_stops_where_asked() {
    let dir = scratch("replay");
    run(&[&["check", "--quiet", "--out", &dir.to_string_lossy()][..], &SKIP_UNLOCK].concat());
    let file = dir.join("LIV-1.jsonl").to_string_lossy().into_owned();
    let output = run(&["replay", &file, "--step", "3"]);
    assert_eq!(status(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("   1. session -> spooler.Start\n"), "{text}");
    assert!(text.contains("   3. T0 -> support.ModifyStatusRow"), "{text}");
    assert!(!text.contains("   4. "), "it stops at step 3: {text}");
    assert!(text.contains("| in flight: spooler -> T0.TransportLogon"), "the state after step 3: {text}");
    assert_eq!(text.matches("| session: ").count(), 1, "only the state of step 3: {text}");
    // The whole trace: a state after every step, then the divergence where the bug acts.
    let output = run(&["replay", &file]);
    assert_eq!(status(&output), i32::from(Exit::Broken.code()));
    let text = stdout(&output);
    assert!(text.matches("| session: ").count() >= 17, "{text}");
    assert!(text.contains("the trace diverges at line 30"), "{text}");
    assert!(text.contains("the reference: makes the call S0.SetLockState(M1, MSG_UNLOCKED) here"), "{text}");
    let past = run(&["replay", &file, "--step", "999"]);
    assert_eq!(status(&past), i32::from(Exit::Broken.code()), "the divergence comes first");
}

#[test]
fn replay_and_trace_check_accept_a_simulated_session() {
    let dir = scratch("simulated");
    let file = dir.join("session.jsonl");
    let output = run(&["simulate", "--quiet", "--record", &file.to_string_lossy()]);
    assert_eq!(status(&output), 0);
    let output = run(&["replay", &file.to_string_lossy()]);
    assert_eq!(status(&output), 0, "{}", stdout(&output));
    assert!(stdout(&output).trim_end().ends_with("events"), "{}", stdout(&output));
    let output = run(&["replay", &file.to_string_lossy(), "--step", "100000"]);
    assert_eq!(status(&output), i32::from(Exit::Usage.code()));
    assert!(stdout(&output).contains("there is no step 100000"), "{}", stdout(&output));
    let output = run(&["trace", "check", &file.to_string_lossy()]);
    assert_eq!(status(&output), 0);
    assert!(stdout(&output).starts_with("conforms: "), "{}", stdout(&output));
}

/// A trace saved on Windows reads as it is meant: a byte order mark, CRLF line ends and a blank
/// first line are taken; UTF-16 is refused with a message that says what the file is and what to
/// do, with exit status 5, by `trace check` (plain and `--json`) and `replay` alike
/// (`spec/trace-format.md`, "Files").
#[test]
fn a_file_saved_on_windows_is_read_and_utf16_is_refused_with_what_to_do() {
    let dir = scratch("windows");
    let file = dir.join("session.jsonl");
    assert_eq!(status(&run(&["simulate", "--quiet", "--record", &file.to_string_lossy()])), 0);
    let text = std::fs::read_to_string(&file).expect("the recorded session");
    let plain = stdout(&run(&["trace", "check", &file.to_string_lossy()]));
    assert!(plain.starts_with("conforms: "), "{plain}");
    let windows = dir.join("windows.jsonl");
    std::fs::write(&windows, format!("\u{feff}\r\n{}", text.replace('\n', "\r\n"))).expect("writes");
    let output = run(&["trace", "check", &windows.to_string_lossy()]);
    assert_eq!(status(&output), i32::from(Exit::Holds.code()), "{}", stdout(&output));
    assert_eq!(stdout(&output), plain, "the same events conform");
    assert_eq!(status(&run(&["replay", &windows.to_string_lossy()])), i32::from(Exit::Holds.code()));
    for (name, bom, bytes) in [
        ("utf16le.jsonl", "with", [0xFEFF].into_iter().chain(text.encode_utf16()).flat_map(u16::to_le_bytes).collect::<Vec<u8>>()),
        ("utf16be.jsonl", "without", text.encode_utf16().flat_map(u16::to_be_bytes).collect()),
    ] {
        let utf16 = dir.join(name);
        std::fs::write(&utf16, bytes).expect("writes");
        let order = if name.contains("le") { "little-endian" } else { "big-endian" };
        let expected = format!(
            "line 1, column 1: the file is UTF-16 ({order}, {bom} a byte order mark); a trace is UTF-8: save the file again as UTF-8"
        );
        let output = run(&["trace", "check", &utf16.to_string_lossy()]);
        assert_eq!(status(&output), i32::from(Exit::InvalidInput.code()));
        assert_eq!(status(&output), 5);
        assert_eq!(stdout(&output).trim_end(), format!("not a valid trace: {expected}"));
        let (doc, code) = json(&["trace", "check", "--json", &utf16.to_string_lossy()]);
        valid(&doc);
        assert_eq!(code, 5);
        assert_eq!(
            (doc["trace_verdict"].as_str(), doc["error"]["line"].as_u64(), doc["error"]["column"].as_u64()),
            (Some("invalid"), Some(1), Some(1))
        );
        assert!(doc["error"]["message"].as_str().is_some_and(|m| m.contains("the file is UTF-16")), "{doc}");
        let output = run(&["replay", &utf16.to_string_lossy()]);
        assert_eq!(status(&output), 5);
        assert!(stdout(&output).contains("the file is UTF-16"), "{}", stdout(&output));
    }
}

/// The schema of every `--json` document.
fn schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/check-output.schema.json");
    let text = std::fs::read_to_string(path).expect("spec/check-output.schema.json");
    jsonschema::validator_for(&serde_json::from_str(&text).expect("the schema is JSON")).expect("the schema is valid")
}

fn valid(doc: &serde_json::Value) {
    let errors: Vec<String> = schema().iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "the document does not follow the schema: {errors:#?}");
}

fn json(args: &[&str]) -> (serde_json::Value, i32) {
    let output = run(args);
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "one document on one line: {text}");
    (serde_json::from_str(&text).expect("valid JSON"), status(&output))
}

#[test]
fn json_of_a_world_is_versioned_with_the_configuration_as_fields_and_structured_steps() {
    let dir = scratch("json");
    let (doc, status) = json(&[&["check", "--json", "--out", &dir.to_string_lossy()][..], &SKIP_UNLOCK].concat());
    valid(&doc);
    assert_eq!(status, i32::from(Exit::Broken.code()));
    assert_eq!(doc["format"], 2);
    assert_eq!(doc["verdict"], "broken");
    assert_eq!(doc["exit_status"], 1);
    let world = &doc["worlds"][0];
    assert_eq!(world["config"]["transports"], 2);
    assert_eq!(world["config"]["messages"], 1);
    assert_eq!(world["config"]["bug"], "skip-unlock");
    assert_eq!(world["config"]["faults"].as_array().map(Vec::len), Some(Faults::NAMES.len()));
    let counterexample = &world["counterexamples"][0];
    assert_eq!(counterexample["properties"], serde_json::json!(["LIV-1", "LIV-2"]));
    assert_eq!(counterexample["moves"], 19);
    let steps = counterexample["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 20, "step 0 and one per move");
    assert_eq!(
        steps[1]["events"][0],
        serde_json::json!({"kind": "world", "from": "client", "to": "S0", "text": "client -> S0.SubmitMessage(M1) => S_OK"})
    );
    let liv2 = world["properties"].as_array().and_then(|ps| ps.iter().find(|p| p["name"] == "LIV-2")).expect("LIV-2");
    assert_eq!(liv2["counterexample"], 0);
    assert_eq!(liv2["description"], "Every message lock taken by the spooler is eventually released.");
}

#[test]
fn json_of_the_suite_is_one_document_with_totals() {
    let (doc, status) = json(&["check", "--suite", "--json", "--max-states", "200"]);
    valid(&doc);
    assert_eq!(status, i32::from(Exit::Incomplete.code()));
    assert_eq!(doc["worlds"].as_array().map(Vec::len), Some(10));
    assert_eq!(doc["totals"]["worlds"], 10);
    assert_eq!(doc["totals"]["incomplete"], 10);
    let sum: u64 = doc["worlds"].as_array().into_iter().flatten().filter_map(|w| w["statistics"]["unique_states"].as_u64()).sum();
    assert_eq!(doc["totals"]["unique_states"].as_u64(), Some(sum));
}

#[test]
fn trace_check_json_follows_the_schema() {
    let dir = scratch("trace-json");
    run(&[&["check", "--quiet", "--out", &dir.to_string_lossy()][..], &SKIP_UNLOCK].concat());
    let (doc, status) = json(&["trace", "check", "--json", &dir.join("LIV-1.jsonl").to_string_lossy()]);
    valid(&doc);
    assert_eq!(status, i32::from(Exit::Broken.code()));
    assert_eq!(doc["trace_verdict"], "diverges");
    assert_eq!(doc["divergence"]["line"], 30);
    // The bug is the spooler's: it is at fault, and the checker says which rule and what a
    // spooler keeping the contract does there.
    assert_eq!(doc["divergence"]["party"], "spooler");
    assert!(doc["divergence"]["instead"].as_str().is_some_and(|s| s.starts_with("a spooler keeping the contract")), "{doc}");
    assert!(doc["frontier"]["largest"].as_u64().is_some_and(|n| n >= 1), "{doc}");
    let garbage = dir.join("garbage.jsonl");
    std::fs::write(&garbage, "{}\n").expect("writes");
    let (doc, status) = json(&["trace", "check", "--json", &garbage.to_string_lossy()]);
    valid(&doc);
    assert_eq!(status, i32::from(Exit::InvalidInput.code()));
    assert_eq!(doc["error"]["line"], 1);
    let (doc, _) = json(&["trace", "check", "--json", &dir.join("missing.jsonl").to_string_lossy()]);
    valid(&doc);
    let session = dir.join("session.jsonl");
    run(&["simulate", "--quiet", "--record", &session.to_string_lossy()]);
    let (doc, status) = json(&["trace", "check", "--json", &session.to_string_lossy()]);
    valid(&doc);
    assert_eq!(status, 0);
    assert_eq!(doc["trace_verdict"], "conforms");
    // The session's NDR shows before the spooler's offer, which two choices make: two states
    // for a while, more than a bound of one.
    assert_eq!(doc["frontier"]["largest"], 2, "{doc}");
    let (doc, status) = json(&["trace", "check", "--json", "--frontier-bound", "1", &session.to_string_lossy()]);
    valid(&doc);
    assert_eq!(status, i32::from(Exit::Incomplete.code()));
    assert_eq!((&doc["trace_verdict"], &doc["verdict"]), (&serde_json::json!("exceeded"), &serde_json::json!("incomplete")));
    assert_eq!((&doc["exceeded"]["states"], &doc["exceeded"]["bound"]), (&serde_json::json!(2), &serde_json::json!(1)), "{doc}");
}

/// `trace check` says which scope it checked a partial recording under (issue 16), in text and
/// in `--json`, with the silent moves used; a whole session is checked as the whole session.
#[test]
fn trace_check_prints_the_scope_of_a_partial_recording() {
    let recorded = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/traces/recorded");
    let breach = recorded.join("sample-breach.jsonl");
    let (doc, status) = json(&["trace", "check", "--json", &breach.to_string_lossy()]);
    valid(&doc);
    assert_eq!(status, i32::from(Exit::Broken.code()));
    assert_eq!(doc["scope"], serde_json::json!({ "transport": "T0" }), "{doc}");
    assert_eq!((&doc["divergence"]["line"], &doc["divergence"]["party"]), (&serde_json::json!(20), &serde_json::json!("T0")), "{doc}");
    assert_eq!(doc["divergence"]["rule"], "SUB-34", "{doc}");
    assert!(doc["silent"]["most_moves"].as_u64().is_some_and(|n| n >= 1), "{doc}");
    let store = recorded.join("store-example.jsonl");
    let (doc, status) = json(&["trace", "check", "--json", &store.to_string_lossy()]);
    valid(&doc);
    assert_eq!((status, &doc["scope"]), (0, &serde_json::json!({ "store": "S0" })), "{doc}");
    let text = stdout(&run(&["trace", "check", &store.to_string_lossy()]));
    assert!(text.starts_with("conforms: 9 events\nscope: store S0 (a partial recording"), "{text}");
}

/// The Explorer, started on a port the system chooses; killed when dropped.
struct Explorer {
    child: Child,
    port: u16,
}

impl Explorer {
    fn start(args: &[&str]) -> Explorer {
        let mut child =
            Process::new(binary()).args([&["explore", "--port", "0"][..], args].concat()).stdout(Stdio::piped()).spawn().expect("spawns");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("the address line");
        let address = line.strip_prefix("Explorer on http://127.0.0.1:").expect("bound to loopback").split(' ').next().expect("port");
        let port = address.parse().expect("a port number");
        Explorer { child, port }
    }

    /// `GET path`: the status code and the body.
    fn get(&self, path: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connects");
        write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").expect("sends");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("reads");
        let (head, body) = response.split_once("\r\n\r\n").expect("a head and a body");
        let code = head.split(' ').nth(1).and_then(|c| c.parse().ok()).expect("a status code");
        (code, body.to_owned())
    }

    fn path(&self, path: &str) -> serde_json::Value {
        let (code, body) = self.get(path);
        assert_eq!(code, 200, "{path}: {body}");
        serde_json::from_str(&body).expect("JSON")
    }
}

impl Drop for Explorer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_explorer_prints_the_port_it_bound_and_serves_readable_steps_and_states() {
    let explorer = Explorer::start(&["--messages", "1"]);
    assert_ne!(explorer.port, 0, "the port the system chose, not 0");
    let (code, page) = explorer.get("/");
    assert_eq!(code, 200);
    assert!(page.contains("<title>mapi-spooler Explorer</title>"), "{page}");
    let status = explorer.path("/.status");
    assert!(status["world"].as_str().is_some_and(|w| w.starts_with("2 transports x 1 messages")), "{status}");
    assert!(status["properties"].as_array().is_some_and(|ps| ps.iter().any(|p| p["name"] == "LIV-2")), "{status}");
    let start = explorer.path("/.path/0");
    let state = start["state"].as_str().expect("the state as text");
    assert!(state.starts_with("session: starting: initializing and logging on the transports; time 0 s\n"), "{state}");
    assert!(state.contains("in flight: spooler -> T0.XPProviderInit(ulFlags=0, ulMAPIVer=0x00010010)"), "{state}");
    assert!(state.contains("T1  not loaded (XPProviderInit not called yet)"), "{state}");
    for debug in ["SpiVersion(", "TransportId(", "World {", "Budget {"] {
        assert!(!state.contains(debug), "no Debug dump in the state: {state}");
    }
    assert!(start["svg"].as_str().is_some_and(|svg| svg.starts_with("<svg") && svg.contains(">spooler</text>")));
    // The first move answers XPProviderInit: the choice names the call and its result.
    let first = &start["next"][0];
    assert_eq!(first["label"], "T0.XPProviderInit(ulFlags=0, ulMAPIVer=0x00010010) → S_OK lpulProviderVer=0x00010010");
    let fault = start["next"].as_array().and_then(|n| n.iter().find(|c| c["label"].as_str().is_some_and(|l| l.contains("MAPI_E_VERSION"))));
    assert!(fault.is_some(), "a version mismatch is offered as a move: {}", start["next"]);
    // Walk to the first SubmitMessage: the client submits, then the spooler sets up and sends.
    let mut path = vec![0usize];
    let mut view = start;
    for _ in 0..40 {
        let next = view["next"].as_array().expect("moves");
        let pick = next
            .iter()
            .find(|c| c["label"].as_str().is_some_and(|l| l.starts_with("client -> S0.SubmitMessage")))
            .or_else(|| {
                next.iter().find(|c| c["label"].as_str().is_some_and(|l| l.contains("SubmitMessage(ulFlags") && l.contains("MAPI_E_WAIT")))
            })
            .or_else(|| next.iter().find(|c| c["label"].as_str().is_some_and(|l| l.contains(" → S_OK"))))
            .expect("a move");
        path.push(pick["index"].as_u64().expect("index") as usize);
        let url = format!("/.path/{}", path.iter().map(ToString::to_string).collect::<Vec<_>>().join("/"));
        view = explorer.path(&url);
        let last = view["steps"].as_array().and_then(|s| s.last()).expect("a last step");
        if last["label"].as_str().is_some_and(|l| l.contains("MAPI_E_WAIT")) {
            let label = last["label"].as_str().expect("label");
            assert!(label.starts_with("T") && label.contains(".SubmitMessage(ulFlags=0, M1, responsibility FALSE for {"), "{label}");
            assert!(label.contains("→ MAPI_E_WAIT") && label.ends_with(", retry in 5 s"), "{label}");
            let state = view["state"].as_str().expect("state");
            assert!(state.contains("retry delay: ends at 5 s (5 s from now)"), "{state}");
            assert!(state.contains("outgoing queue: M1 (locked)"), "{state}");
            assert!(state.contains("recipient 0 (adr0): "), "{state}");
            return;
        }
    }
    panic!("no SubmitMessage answered with MAPI_E_WAIT within 40 moves");
}

#[test]
fn the_explorer_refuses_paths_that_do_not_exist() {
    let explorer = Explorer::start(&["--messages", "1"]);
    assert_eq!(explorer.get("/.path/0/999").0, 404);
    assert_eq!(explorer.get("/.path/1").0, 404);
    assert_eq!(explorer.get("/.path/0/x").0, 404);
    assert_eq!(explorer.get("/nothing").0, 404);
    // The server goes on after a bad request.
    assert_eq!(explorer.get("/.path/0/0").0, 200);
}
