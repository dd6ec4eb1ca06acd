//! `mapi-spooler readings` (issue 15): the generated `spec/ambiguities.md` is current, every
//! executable reading has a world or a reason, and a bounded run checks a few readings in small
//! worlds.

use mapi_spooler::readings::{QUESTIONS, Readings, Status};
use mapi_spooler_model::check::Options;
use mapi_spooler_model::readings::{self, TARGETS, VERDICTS};

#[test]
fn every_executable_reading_has_a_target_and_every_target_a_declared_world() {
    // Spec: AMB-13, AMB-14, AMB-18, AMB-26, AMB-32, AMB-36, AMB-39
    for q in QUESTIONS {
        for r in q.readings.iter().filter(|r| r.status == Status::Executable) {
            assert!(TARGETS.iter().any(|t| t.reading == r.name), "{} {} is executable but has no target", q.id, r.name);
        }
    }
    for t in TARGETS {
        let (q, r) = Readings::find(t.reading).expect("a declared reading");
        assert_eq!(QUESTIONS[q].readings[r].status, Status::Executable, "{} is a target but not executable", t.reading);
        assert_eq!(t.world.is_some(), t.suite_world().is_some(), "{}: its world is not in the suite", t.reading);
        assert!(!t.readings().is_default());
    }
}

#[test]
fn spec_ambiguities_md_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/ambiguities.md");
    let text = std::fs::read_to_string(path).expect("spec/ambiguities.md exists: `mapi-spooler readings --write spec/ambiguities.md`");
    let (listing, verdicts) = text.split_at(text.find(VERDICTS).expect("the verdicts section"));
    assert_eq!(listing, readings::listing(), "spec/ambiguities.md is stale: run `mapi-spooler readings --write spec/ambiguities.md`");
    for t in TARGETS {
        let rows: Vec<&str> = verdicts.lines().filter(|l| l.starts_with(&format!("| `{}` |", t.reading))).collect();
        assert!(!rows.is_empty(), "spec/ambiguities.md has no verdict for {}", t.reading);
        let checked = rows.iter().all(|l| !l.contains("not model-checked") && !l.contains("| small |"));
        assert_eq!(checked, t.world.is_some(), "spec/ambiguities.md: {}'s verdict is stale", t.reading);
        let runs = t.suite_world().map_or(1, |w| t.runs(&w).len());
        assert_eq!(rows.len(), runs, "spec/ambiguities.md: {} should have {runs} runs", t.reading);
    }
}

#[test]
fn a_bounded_run_checks_readings_in_small_worlds() {
    // Spec: AMB-13, AMB-14, AMB-18, AMB-26, AMB-36, AMB-39, ORD-9, INV-28
    let options = Options { threads: 1, ..Options::default() };
    let mut checked = 0;
    for t in TARGETS.iter().filter(|t| t.small.is_some()) {
        let small = (t.small.expect("filtered"))();
        let default = readings::check(t, "default".to_owned(), "small".to_owned(), small.clone(), options).expect("a valid world");
        assert_eq!(default.verdict(), "every property holds", "today's readings in the small world of {}", t.reading);
        let mut differs = false;
        for (label, config) in t.runs(&small) {
            let o = readings::check(t, label, "small".to_owned(), config, options).expect("a valid world");
            match t.reading {
                "forward-requery-on-success" => assert_eq!(o.verdict(), "breaks ORD-9 (18 moves)"),
                "global-fifo" => assert!(o.verdict().starts_with("breaks INV-28 ("), "{}: {}", o.label, o.verdict()),
                _ => assert_eq!(o.verdict(), "every property holds", "{}", o.label),
            }
            differs |= o.report.unique_states != default.report.unique_states;
            checked += 1;
        }
        // The reading changes something in its small world: otherwise its verdict would say
        // nothing about it.
        assert!(differs, "{}: the small world cannot tell the reading from today's", t.reading);
    }
    assert!(checked >= 5, "a few readings are checked");
}
