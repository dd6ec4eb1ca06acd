//! Readings of the documentation's ambiguities (issue 15, `src/readings.rs`): the executable
//! readings that no suite world can exercise, shown in scenarios; the readings without
//! behavioural effect, shown to be read alike; and a trace header that selects readings.

mod common;

use std::path::PathBuf;

use common::*;
use mapi_spooler::readings::{QUESTIONS, Readings, Status};
use mapi_spooler::sim::{Sim, TransportScript};
use mapi_spooler::trace::{Codec, Verdict, check_lines};
use mapi_spooler::{
    AddressTypes, Call, Caller, Hresult, Input, MapiUid, Profile, RecipientOutcome, RecipientRow, RecipientSet, Registrations, Return,
    Settings, SpoolerNotifyFlags, SubmitOutcome, SupportCall, Time, TransportId,
};
use serde_json::{Value, json};

const T0: TransportId = TransportId(0);
const T1: TransportId = TransportId(1);

/// A started world whose spooler, world and monitor follow `readings`.
fn started_under(readings: Readings, scripts: Vec<TransportScript>) -> Sim {
    let mut profile = Profile::new(scripts.len() as u8);
    profile.settings.readings = readings;
    let mut sim = Sim::new(&profile, scripts, 0).expect("valid profile");
    sim.start();
    sim
}

fn reading(name: &str) -> Readings {
    Readings::default().with(name).expect("a declared reading")
}

/// AMB-32 `pure-priority`: a recipient matched by a later transport's UID and an earlier one's
/// address type goes to the earlier one; under today's `uids-first` to the later one. The
/// monitor judges each session by its own reading, so both are clean.
#[test]
fn pure_priority_routes_by_place_in_the_order_alone() {
    // Spec: AMB-32, ORD-3, ORD-4, INV-22
    let by_uid =
        || TransportScript::new("UID transport", Registrations { address_types: AddressTypes::Listed(vec![FAX]), uids: vec![MapiUid(7)] });
    let draft = || mapi_spooler::store::Draft::to(vec![RecipientRow { addr_type: SMTP, uid: Some(MapiUid(7)), responsibility: false }]);
    for (readings, owner) in [(Readings::default(), T1), (reading("pure-priority"), T0)] {
        let mut sim = started_under(readings, vec![smtp(), by_uid()]);
        let m = send(&mut sim, draft());
        assert_clean(&sim);
        assert_eq!(dispositions(&sim, m), vec![Some(RecipientOutcome::Transport(owner))], "{readings}:\n{}", sim.trace());
    }
}

/// EXT-1 `delays-stand`: NOTIFY_READYTOSEND after MAPI_E_WAIT leaves the delay as it was, so
/// the message is offered again only when it ends; today it is offered again at once.
#[test]
fn under_delays_stand_readytosend_leaves_the_retry_delay() {
    // Spec: ERR-4, ERR-19, LIFE-18, DEC-17
    for (readings, at_once) in [(Readings::default(), true), (reading("delays-stand"), false)] {
        let mut sim = started_under(readings, vec![smtp()]);
        let m = sim.submit(S0, draft(&[SMTP])).expect("queued");
        assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
        let wait = SubmitOutcome::Failed { result: Hresult::MAPI_E_WAIT, return_parm: 600, saved: RecipientSet::new() };
        assert!(sim.feed(Input::Return(Return::SubmitMessage { transport: T0, message: m, outcome: wait })));
        let ready =
            SupportCall::SpoolerNotify { caller: Caller::Transport(T0), flags: SpoolerNotifyFlags::NOTIFY_READYTOSEND, message: None };
        assert!(sim.feed(Input::Support(ready)));
        let offered = matches!(sim.spooler().call_in_flight(), Some(Call::SubmitMessage { .. }));
        assert_eq!(offered, at_once, "{readings}:\n{}", sim.trace());
        assert_eq!(sim.spooler().next_deadline(), if at_once { None } else { Some(Time(600)) }, "{readings}");
        sim.run();
        assert_clean(&sim);
        assert_eq!(dispositions(&sim, m), [taken_by(T0)], "{readings}");
        assert_eq!(sim.spooler().now(), if at_once { Time(0) } else { Time(600) }, "{readings}");
    }
}

fn traces() -> Vec<(String, Vec<String>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/traces");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/traces")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "the recorded traces of MRXP and Kopano");
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).expect("readable").lines().map(str::to_owned).collect()))
        .collect()
}

/// The trace with `readings` chosen in its header, written by the trace format's own writer.
fn under(lines: &[String], readings: &[&str]) -> Vec<String> {
    let (mut header, codec) = Codec::read_header(&lines[0]).expect("a valid header");
    assert_eq!(header.profile.settings, Settings::default(), "the recorded traces use the default settings");
    for name in readings {
        header.profile.settings.readings = header.profile.settings.readings.with(name).expect("a declared reading");
    }
    std::iter::once(codec.header_line(&header)).chain(lines[1..].iter().cloned()).collect()
}

/// The verdict without the note naming the readings it was judged under.
fn plain(verdict: Verdict) -> Verdict {
    match verdict {
        Verdict::Diverges(mut d) => {
            if let Some(at) = d.expected.find(" (the reference under the readings ") {
                d.expected.truncate(at);
            }
            Verdict::Diverges(d)
        }
        other => other,
    }
}

/// Item 3 of issue 15: every reading declared without behavioural effect is read alike. Each
/// recorded trace of MRXP and Kopano gets the same verdict when its header declares the
/// reading as when it declares today's; a reading the checker consulted with some effect on
/// these sessions would change a verdict here.
#[test]
fn readings_without_effect_get_the_same_verdict_on_every_recorded_trace() {
    // Spec: AMB-2, AMB-3, AMB-7, AMB-10, AMB-14, AMB-15, AMB-23, AMB-25, AMB-28, AMB-33, AMB-35
    let none: Vec<&str> =
        QUESTIONS.iter().flat_map(|q| q.readings.iter()).filter(|r| matches!(r.status, Status::NoEffect(_))).map(|r| r.name).collect();
    assert_eq!(none.len(), 13, "the readings without effect of spec/readings.md");
    for (name, lines) in traces() {
        let today = check_lines(&lines);
        for reading in &none {
            assert_eq!(plain(check_lines(under(&lines, &[reading]))), today, "{name} under {reading}");
        }
    }
}

/// AMB-23 `resolve-before-hand-off`: `LOGON_SP_RESOLVE` in `TransportLogon`'s flags asks for
/// a resolution the spooler does in MAPI's recipient rows, with no call at its boundary: MRXP's
/// start-up conforms with the flag and without it, with the same number of events.
#[test]
fn logon_sp_resolve_changes_no_verdict() {
    // Spec: AMB-23
    let (_, lines) = traces().into_iter().find(|(n, _)| n.ends_with("mrxp-t1-startup.jsonl")).expect("MRXP's start-up");
    let without: Vec<String> = lines.iter().map(|l| l.replace("|LOGON_SP_RESOLVE", "")).collect();
    assert_ne!(without, lines, "the trace returns LOGON_SP_RESOLVE");
    let verdict = check_lines(&lines);
    assert!(matches!(verdict, Verdict::Conforms { .. }), "{verdict}");
    assert_eq!(check_lines(&without), verdict);
}

/// A trace header may select readings by name; an unknown name is refused with the line and key.
#[test]
fn a_trace_header_selects_readings_by_name() {
    // Spec: AMB-13
    let (_, lines) = traces().into_iter().find(|(n, _)| n.ends_with("mrxp-t1-startup.jsonl")).expect("MRXP's start-up");
    assert!(matches!(check_lines(under(&lines, &["fourteen-steps", "delays-stand"])), Verdict::Conforms { .. }));
    let chosen = under(&lines, &["fourteen-steps"]);
    let mut header: Value = serde_json::from_str(&chosen[0]).expect("JSON");
    assert_eq!(header["settings"]["readings"], json!(["fourteen-steps"]));
    header["settings"]["readings"] = json!(["no-such-reading"]);
    let unknown: Vec<String> = std::iter::once(header.to_string()).chain(lines[1..].iter().cloned()).collect();
    match check_lines(unknown) {
        Verdict::Invalid(error) => assert!(error.to_string().contains("no-such-reading"), "{error}"),
        other => panic!("an unknown reading is refused, not {other}"),
    }
}

/// Item 4 of issue 15: a trace checked under readings says which in its divergence. Kopano's
/// flush conforms to STAT-20 only with its BEGIN notifications; declared under `fourteen-steps`
/// it still conforms (the reading allows a half without BEGIN, it does not forbid one), and a
/// trace that diverges names the readings it was judged under.
#[test]
fn a_divergence_names_the_readings_it_was_judged_under() {
    // Spec: AMB-13, STAT-20
    let mut diverging = 0;
    for (name, lines) in traces() {
        let today = check_lines(&lines);
        let under_reading = check_lines(under(&lines, &["fourteen-steps"]));
        match (&today, &under_reading) {
            (Verdict::Diverges(d), Verdict::Diverges(r)) => {
                diverging += 1;
                assert_eq!(r.line, d.line, "{name}");
                assert!(r.expected.ends_with("(the reference under the readings AMB-13 fourteen-steps)"), "{name}: {r}");
                assert!(!d.expected.contains("under the readings"), "{name}: {d}");
            }
            _ => assert_eq!(plain(under_reading), today, "{name}"),
        }
    }
    assert!(diverging > 0, "some recorded trace diverges");
}
