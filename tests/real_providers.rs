//! Traces of two real transport providers, checked against the reference (issue 7, point 4).
//!
//! `tests/traces/` holds one trace per provider and scenario: Microsoft's sample transport MRXP
//! (`microsoft/Outlook2010CodeSamples`, `SampleTransportProvider/MRXP/`) and Kopano's former
//! Windows transport (`kopano-core`, `provider/client/ECXPLogon.cpp`). Each is a whole session at
//! the spooler's boundary in which `T0` answers exactly as that provider's code does
//! (`spec/real-providers.md`); `tests/traces/README.md` lists the source lines of every trace.
//!
//! Each test pins the verdict of `trace check`: the number of events of a trace that conforms,
//! or the line, the text and the requirement IDs where the reference refuses what the provider
//! does. A change of the checker or of the reference that changes a verdict shows here.
//!
//! Out-parameters a provider never writes hold the values of `spec/real-providers.md` section
//! 0.3 (what the spooler pre-sets). Every such value is pinned with [`unwritten`], so the trace
//! and this file name the same lines.

use std::fs;
use std::path::PathBuf;

use mapi_spooler::trace::{Divergence, Verdict, check_lines};
use serde_json::{Value, json};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/traces")
}

/// The lines of `tests/traces/<name>.jsonl`.
fn lines(name: &str) -> Vec<String> {
    let path = dir().join(format!("{name}.jsonl"));
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).lines().map(str::to_owned).collect()
}

/// The trace conforms, with this many events (lines after the header).
fn conforms(name: &str, events: usize) {
    let verdict = check_lines(lines(name));
    assert_eq!(verdict, Verdict::Conforms { events }, "{name}: {verdict}");
}

/// The trace diverges at `line` (from 1), the line the trace records there, with what the
/// reference says and the requirements it names, in that order.
fn diverges(name: &str, line: usize, expected: &str, requirements: &[&str]) -> Divergence {
    let trace = lines(name);
    let d = match check_lines(&trace) {
        Verdict::Diverges(d) => d,
        other => panic!("{name}: expected a divergence at line {line}, got {other}"),
    };
    assert_eq!(d.line, line, "{name}: {d}");
    assert_eq!(d.event, trace[line - 1], "{name}: the divergence names another event");
    assert_eq!(d.expected, expected, "{name}: {d}");
    assert_eq!(d.requirements, requirements, "{name}: {d}");
    // The provider's departure is the trace's last line: what the spooler does after a refused
    // input is not the reference's to say.
    assert_eq!(line, trace.len(), "{name}: the trace goes on after the departure");
    d
}

/// Out-parameters the provider never writes: on each `line`, `key` holds `value`, the spooler's
/// pre-set value (`spec/real-providers.md` section 0.3).
fn unwritten(name: &str, at: &[(usize, &str, Value)]) {
    let trace = lines(name);
    for (line, key, value) in at {
        let event: Value = serde_json::from_str(&trace[line - 1]).expect("a JSON line");
        assert_eq!(event.get(*key), Some(value), "{name} line {line}: {key}");
    }
}

/// The header every trace here has: the provider as `T0`, its own service, one store, calls only.
fn header(name: &str, address_types: &[&str]) {
    let header: Value = serde_json::from_str(&lines(name)[0]).expect("a JSON header");
    assert_eq!(
        header,
        json!({"mapi_spooler_trace": 1, "transports": ["svc0"], "stores": 1, "recorded": "calls", "address_types": address_types}),
        "{name}"
    );
}

const MRXP: &[&str] = &["MRXP"];
const KOPANO: &[&str] = &["SMTP", "ZARAFA", "FAX"];

// -------------------------------------------------------------------------------------------------
// MRXP
// -------------------------------------------------------------------------------------------------

/// T1: the preprocessor and a status row with no bit set inside TransportLogon, LOGON_SP_IDLE,
/// LOGON_SP_POLL and LOGON_SP_RESOLVE back, one address type, rows that follow BEGIN and END,
/// an Idle that does nothing.
#[test]
fn mrxp_start_up() {
    // Spec: LIFE-1, LIFE-5, LIFE-8, LIFE-9, AMB-31, HOOK-1, LIFE-10, LIFE-11, DEC-14, STAT-4
    header("mrxp-t1-startup", MRXP);
    conforms("mrxp-t1-startup", 29);
}

/// T1 without a usable inbox share: TransportLogon answers MAPI_E_UNCONFIGURED, the service
/// entry without UI answers it again, and the reference disables the service (DEC-5).
#[test]
fn mrxp_start_up_unconfigured() {
    // Spec: LIFE-6, DEC-5, DEC-19, ERR-9
    header("mrxp-t1-unconfigured", MRXP);
    conforms("mrxp-t1-unconfigured", 14);
}

/// T1 after the status object could not be allocated in TransportLogon (out of memory): a
/// later OpenStatusEntry or ValidateState (which a trace cannot show yet, issue 5) creates the
/// row again with flags 0. The reference refuses the second row.
#[test]
fn mrxp_second_status_row_is_refused() {
    // Spec: LIFE-9, INV-4
    header("mrxp-t1-status-row-twice", MRXP);
    diverges(
        "mrxp-t1-status-row-twice",
        18,
        "refuses this input: transport T0 broke the contract: ModifyStatusRow(0) would add a second status row; use \
         STATUSROW_UPDATE to change the existing one",
        &["LIFE-9", "INV-4"],
    );
}

/// T2: one MRXP recipient, a delivery report asked for and never made; the reference stays 0.
#[test]
fn mrxp_send() {
    // Spec: SUB-23, SUB-24, SUB-28, SUB-30, SUB-34, SUB-27
    header("mrxp-t2-send", MRXP);
    conforms("mrxp-t2-send", 35);
    unwritten("mrxp-t2-send", &[(24, "lpulMsgRef", json!(0)), (25, "ulMsgRef", json!(0))]);
}

/// T2 with SUBMITFLAG_PREPROCESS: MRXP's PreprocessMessage and RemovePreprocessInfo do nothing.
#[test]
fn mrxp_send_preprocessed() {
    // Spec: HOOK-2, HOOK-3, HOOK-4, SUB-12, SUB-26
    header("mrxp-t2-send-preprocessed", MRXP);
    conforms("mrxp-t2-send-preprocessed", 41);
    unwritten("mrxp-t2-send-preprocessed", &[(22, "undeliverable", json!([])), (28, "lpulMsgRef", json!(0))]);
}

/// T3: the same person as `mrxp` and as `MRXP`. The reference routes on the exact type and
/// offers only row 1; MRXP's duplicate stripping ignores case, removes row 1 and finds nothing
/// left, answers MAPI_E_NOT_ME and raises NOTIFY_CRITICAL_ERROR first. Accepted (DEC-4): MRXP is
/// released at once and row 1 waits for the next session.
#[test]
fn mrxp_not_mine_is_a_critical_error() {
    // Spec: ORD-2, SUB-22, ERR-3, ERR-7, LIFE-17, DEC-4, ORD-10, DEC-8
    header("mrxp-t3-not-mine", &["MRXP", "mrxp"]);
    conforms("mrxp-t3-not-mine", 31);
    unwritten("mrxp-t3-not-mine", &[(25, "lpulReturnParm", json!(0))]);
}

/// T5: the recipient's share cannot be written, a transient fault that MRXP turns into an NDR
/// with StatusRecips and S_OK: no MAPI_E_WAIT, no retry.
#[test]
fn mrxp_unreachable_share_is_a_permanent_ndr() {
    // Spec: DEF-13, SUB-30, DEF-10, ERR-1
    header("mrxp-t5-share-unreachable", MRXP);
    conforms("mrxp-t5-share-unreachable", 36);
    unwritten("mrxp-t5-share-unreachable", &[(25, "lpulMsgRef", json!(0))]);
}

/// T5: the only error MRXP returns without a critical error, the failed first row update. The
/// reference offers the message again after failure_retry_secs (DEC-2).
#[test]
fn mrxp_failed_row_update_is_retried() {
    // Spec: DEC-2, DEC-16, ERR-7
    header("mrxp-t5-status-row-error", MRXP);
    conforms("mrxp-t5-status-row-error", 41);
    unwritten("mrxp-t5-status-row-error", &[(23, "lpulReturnParm", json!(0)), (28, "lpulMsgRef", json!(0))]);
}

/// T8: SaveChanges fails after the file was written: NOTIFY_CRITICAL_ERROR, then the error.
/// Accepted with the release path; the TRUE was not saved, so the message waits (a duplicate
/// later, SUB-33).
#[test]
fn mrxp_failed_save_is_a_critical_error() {
    // Spec: ERR-7, LIFE-17, SUB-33, DEC-4, DEC-8
    header("mrxp-t8-critical", MRXP);
    conforms("mrxp-t8-critical", 31);
    unwritten("mrxp-t8-critical", &[(25, "lpulReturnParm", json!(0))]);
}

/// T8 after an NDR: StatusRecips reported recipient 0, then SaveChanges failed and MRXP returns
/// the error with nothing saved. The reference refuses the return: a reported recipient must be
/// taken and kept.
#[test]
fn mrxp_critical_error_after_an_ndr_is_refused() {
    // Spec: SUB-30, SUB-33, SUB-28, INV-24
    header("mrxp-t8-critical-after-ndr", MRXP);
    diverges(
        "mrxp-t8-critical-after-ndr",
        26,
        "refuses this input: transport T0 broke the contract: M1 recipient r0 was reported with StatusRecips but its \
         PR_RESPONSIBILITY was not set TRUE and kept",
        &["SUB-30", "SUB-33", "SUB-28"],
    );
    unwritten("mrxp-t8-critical-after-ndr", &[(26, "lpulReturnParm", json!(0))]);
}

/// T9 polling reception: MRXP asked to be polled (LOGON_SP_POLL); when the system is idle the
/// spooler polls, MRXP counts one file, and the fetch loop runs: MRXP saves the first message and
/// answers the second `StartMessage` with S_FALSE and nothing saved, which ends the loop (the
/// page lists only S_OK; the reference reads any other result as "nothing saved", RCV-6). The
/// row updates around each `StartMessage` (STATUS_INBOUND_ACTIVE) are accepted.
#[test]
fn mrxp_polling_reception() {
    // Spec: RCV-1, RCV-3, RCV-4, RCV-5, RCV-6, RCV-10, AMB-14, DEC-25, STAT-5
    header("mrxp-t9-polling-reception", MRXP);
    conforms("mrxp-t9-polling-reception", 43);
    unwritten("mrxp-t9-polling-reception", &[(34, "result", json!("S_FALSE"))]);
}

/// T10 flush: a client calls FlushQueues(FLUSH_UPLOAD | FLUSH_DOWNLOAD) on MRXP's own status
/// object, which only sets both flush bits in its row (STAT-18); the spooler sees them and calls
/// IXPLogon::FlushQueues (AMB-13), where MRXP sets the bits again; then the outbound half (no
/// message queued), the inbound half (one StartMessage: no file, S_FALSE), and MRXP clears each
/// bit at its END (AMB-16). MRXP ignores BEGIN_*_FLUSH apart from its row update (STAT-21: the
/// bit is already set, so nothing shows).
#[test]
fn mrxp_flush() {
    // Spec: STAT-18, STAT-19, STAT-20, STAT-21, AMB-13, AMB-16, ORD-12, INV-12
    header("mrxp-t10-flush", MRXP);
    conforms("mrxp-t10-flush", 46);
    unwritten("mrxp-t10-flush", &[(36, "result", json!("S_FALSE"))]);
}

/// Logoff and shutdown: END_OUTBOUND and BEGIN_OUTBOUND in the session, then END of both,
/// T6: the user cancels the message while SubmitMessage runs. MRXP's TransportNotify ignores
/// NOTIFY_CANCEL_MESSAGE but still updates its row; its SubmitMessage goes on and takes the
/// recipient. The cancel lost the race: the message is finished as usual (DEC-27).
#[test]
fn mrxp_ignores_a_cancel_in_flight() {
    // Spec: DEF-7, SUB-36, SUB-27, AMB-15, DEC-27
    header("mrxp-t6-cancel-ignored", MRXP);
    conforms("mrxp-t6-cancel-ignored", 38);
    unwritten("mrxp-t6-cancel-ignored", &[(27, "lpulMsgRef", json!(0))]);
}

/// TransportLogoff and Shutdown, each with the row update MRXP makes.
#[test]
fn mrxp_logoff_and_shutdown() {
    // Spec: LIFE-12, LIFE-13, LIFE-14, LIFE-15, LIFE-16, INV-12
    header("mrxp-logoff-shutdown", MRXP);
    conforms("mrxp-logoff-shutdown", 32);
}

// -------------------------------------------------------------------------------------------------
// Kopano
// -------------------------------------------------------------------------------------------------

/// T1: a row with STATUS_AVAILABLE inside TransportLogon, no capability flags (so no Idle when
/// the system is idle), three address types, STATUS_AVAILABLE gone from the first update.
#[test]
fn kopano_start_up() {
    // Spec: LIFE-5, LIFE-8, LIFE-9, AMB-31, LIFE-10, LIFE-11, STAT-4
    header("kopano-t1-startup", KOPANO);
    conforms("kopano-t1-startup", 24);
}

/// T1 with a network error after the server logon: MAPI_E_NETWORK_ERROR, not
/// MAPI_E_FAILONEPROVIDER, so the whole service is disabled (LIFE-6); Shutdown follows without
/// TransportLogoff (DEC-19).
#[test]
fn kopano_network_error_at_logon_disables_the_service() {
    // Spec: LIFE-6, ERR-9, DEC-6, DEC-19
    header("kopano-t1-identity-error", KOPANO);
    conforms("kopano-t1-identity-error", 12);
}

/// T2: two recipients, both taken, no status-row update during the send, a random reference,
/// and EndMessage flags it never writes.
#[test]
fn kopano_send() {
    // Spec: SUB-23, SUB-24, SUB-28, SUB-34, SUB-30, SUB-35
    header("kopano-t2-send", KOPANO);
    conforms("kopano-t2-send", 32);
    unwritten("kopano-t2-send", &[(23, "lpulFlags", json!("0"))]);
}

/// T5(a): the server has not sent the copy within 5 minutes, and Kopano answers MAPI_E_CANCEL
/// with a 60-second delay for a message that was never deferred. The reference refuses it.
#[test]
fn kopano_timeout_cancel_is_refused() {
    // Spec: ERR-6, DEC-3, DEF-9
    header("kopano-t5-timeout", KOPANO);
    diverges(
        "kopano-t5-timeout",
        21,
        "refuses this input: transport T0 broke the contract: SubmitMessage returned MAPI_E_CANCEL for a message that was \
         not deferred (expected only after BEGIN_DEFERRED)",
        &["ERR-6", "DEC-3"],
    );
}

/// T6: the user cancels the message while SubmitMessage blocks; Kopano's TransportNotify sets its
/// cancel flag, updates its row and wakes the waiting SubmitMessage, which answers MAPI_E_CANCEL
/// with 60. After the cancel, the reference takes MAPI_E_CANCEL as the answer to it (DEC-28):
/// the message is unlocked and leaves the queue unsent.
#[test]
fn kopano_cancel_in_flight_stops_the_send() {
    // Spec: DEF-7, SUB-36, AMB-20, DEC-27, DEC-28, ERR-6
    header("kopano-t6-cancel", KOPANO);
    conforms("kopano-t6-cancel", 35);
    unwritten("kopano-t6-cancel", &[(24, "lpulReturnParm", json!(60))]);
}

/// T5(b): MAPI_E_NETWORK_ERROR without a delay: the pre-set 0 means the reference offers the
/// message again at once.
#[test]
fn kopano_network_error_is_retried_without_delay() {
    // Spec: ERR-5, DEF-9, DEF-13
    header("kopano-t5-network-error", KOPANO);
    conforms("kopano-t5-network-error", 34);
    unwritten("kopano-t5-network-error", &[(21, "lpulReturnParm", json!(0)), (25, "lpulFlags", json!("0"))]);
}

/// T5(c) and T8: any other failure comes back as it is, never with NOTIFY_CRITICAL_ERROR; the
/// reference retries after failure_retry_secs (DEC-2).
#[test]
fn kopano_other_error_is_retried_and_never_critical() {
    // Spec: DEC-2, ERR-7, DEC-16
    header("kopano-t5-other-error", KOPANO);
    conforms("kopano-t5-other-error", 35);
    unwritten("kopano-t5-other-error", &[(21, "lpulReturnParm", json!(0)), (26, "lpulFlags", json!("0"))]);
}

/// T10 flush: Kopano has no status object, so a client calls FlushQueues(FLUSH_UPLOAD) on the
/// spooler's, naming Kopano as the target (STAT-23); the spooler calls IXPLogon::FlushQueues,
/// where Kopano sets STATUS_OUTBOUND_FLUSH, then BEGIN and END_OUTBOUND_FLUSH, and Kopano's
/// TransportNotify maps each onto the bit (STAT-21). The answer to the client is not in a
/// provider-side trace.
#[test]
fn kopano_flush() {
    // Spec: STAT-17, STAT-19, STAT-20, STAT-21, STAT-23, AMB-12, AMB-13, AMB-16
    header("kopano-t10-flush", KOPANO);
    conforms("kopano-t10-flush", 33);
}

/// Logoff and shutdown: the row follows END_OUTBOUND and BEGIN_OUTBOUND; TransportLogoff and
/// Shutdown do nothing.
#[test]
fn kopano_logoff_and_shutdown() {
    // Spec: LIFE-12, LIFE-13, LIFE-14, LIFE-16, INV-12
    header("kopano-logoff-shutdown", KOPANO);
    conforms("kopano-logoff-shutdown", 31);
}

// -------------------------------------------------------------------------------------------------
// The collection
// -------------------------------------------------------------------------------------------------

/// Every trace in `tests/traces/` has a test here and an entry in its README, and the README
/// records the scenarios that wait for the reference.
#[test]
fn every_trace_is_tested_and_listed() {
    let this = fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/real_providers.rs")).expect("this file");
    let readme = fs::read_to_string(dir().join("README.md")).expect("tests/traces/README.md");
    let mut names: Vec<String> = fs::read_dir(dir())
        .expect("tests/traces")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .filter_map(|f| f.strip_suffix(".jsonl").map(str::to_owned))
        .collect();
    names.sort();
    assert_eq!(names.len(), 23, "{names:?}");
    for name in &names {
        assert!(this.contains(&format!("header(\"{name}\"")), "{name}.jsonl has no test in tests/real_providers.rs");
        assert!(readme.contains(&format!("`{name}.jsonl`")), "{name}.jsonl is not listed in tests/traces/README.md");
    }
    for waiting in ["T6", "T9", "T10"] {
        assert!(readme.contains(waiting), "tests/traces/README.md does not record {waiting}");
    }
}
