//! Partial recordings (issue 16 item 1): the header's `scope`, and the checker that supplies
//! what the scope did not observe as silent moves of the world.

use std::fs;
use std::path::PathBuf;

use mapi_spooler::trace::{Checker, Problem, Verdict, check_lines};

fn recorded(name: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/traces/recorded").join(format!("{name}.jsonl"));
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).lines().map(str::to_owned).collect()
}

/// Checks lines, returning the verdict and the checker's figures.
fn check(lines: &[String]) -> (Verdict, usize, mapi_spooler::trace::SilentFigures) {
    let mut checker = Checker::new(&lines[0]).expect("a valid header");
    for line in &lines[1..] {
        if let Err(problem) = checker.feed(line) {
            let largest = checker.largest_frontier();
            let figures = checker.silent_figures();
            return (Verdict::from(problem), largest, figures);
        }
    }
    let largest = checker.largest_frontier();
    let figures = checker.silent_figures();
    (checker.finish(), largest, figures)
}

#[test]
fn debug_recorded() {
    for name in ["sample-conform", "sample-breach", "sample-cancel", "store-example"] {
        let start = std::time::Instant::now();
        let (verdict, largest, figures) = check(&recorded(name));
        eprintln!("{name}: {verdict} largest={largest} {figures:?} {:?}", start.elapsed());
    }
    let _ = check_lines(Vec::<String>::new());
    let _: Option<Problem> = None;
}
