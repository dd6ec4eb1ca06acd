//! The requirement catalogue (`spec/requirements.md`) and the tests agree: every requirement
//! marked implemented is cited by a test, every cited ID exists, and every ID the code names in
//! its comments exists.
//!
//! A test cites requirements on a line containing `Spec:`, for example `// Spec: SUB-21, ORD-4`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const STATUSES: [&str; 4] = ["implemented", "deviation", "out-of-scope", "planned"];

/// The requirement families of the catalogue.
const FAMILIES: [&str; 14] = ["LIFE", "SUB", "RCV", "STAT", "ORD", "HOOK", "DEF", "ERR", "VER", "TC", "INV", "LIV", "AMB", "DEC"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The catalogue: ID -> (status, notes).
fn catalogue() -> BTreeMap<String, (String, String)> {
    let text = fs::read_to_string(root().join("spec/requirements.md")).expect("spec/requirements.md exists");
    let mut rows = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| ID ")) {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells.len(), 5, "a catalogue row has five cells: {line}");
        let previous = rows.insert(cells[0].to_owned(), (cells[3].to_owned(), cells[4].to_owned()));
        assert!(previous.is_none(), "{} appears twice in the catalogue", cells[0]);
    }
    rows
}

/// Requirement IDs in a piece of text.
fn ids(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    for (start, _) in text.match_indices('-') {
        let family: String = text[..start].chars().rev().take_while(char::is_ascii_uppercase).collect::<String>().chars().rev().collect();
        let digits: String = text[start + 1..].chars().take_while(char::is_ascii_digit).collect();
        let before = start.checked_sub(family.len() + 1).map(|i| bytes[i]);
        let boundary = before.is_none_or(|b| !b.is_ascii_alphanumeric());
        if FAMILIES.contains(&family.as_str()) && !digits.is_empty() && boundary {
            found.push(format!("{family}-{digits}"));
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `Spec:` citation in the test suites (this crate's tests and the model crate's).
fn citations() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    for dir in ["tests", "model/tests", "model/src"] {
        rust_files(&root().join(dir), &mut files);
    }
    let mut cited: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("readable source");
        let name = file.strip_prefix(root()).unwrap_or(&file).display().to_string();
        for line in text.lines().filter(|l| l.contains("Spec:")) {
            for id in ids(line.split("Spec:").nth(1).unwrap_or_default()) {
                cited.entry(id).or_default().insert(name.clone());
            }
        }
    }
    cited
}

#[test]
fn every_row_has_a_known_status_and_a_reason_when_not_implemented() {
    for (id, (status, notes)) in catalogue() {
        assert!(STATUSES.contains(&status.as_str()), "{id} has status {status:?}; expected one of {STATUSES:?}");
        if status != "implemented" {
            assert!(!notes.is_empty(), "{id} is {status} but gives no reason in Notes");
        }
    }
}

#[test]
fn every_implemented_requirement_is_cited_by_a_test() {
    let cited = citations();
    let uncited: Vec<String> = catalogue()
        .into_iter()
        .filter(|(id, (status, _))| matches!(status.as_str(), "implemented" | "deviation") && !cited.contains_key(id))
        .map(|(id, _)| id)
        .collect();
    assert!(uncited.is_empty(), "implemented but cited by no test (add a `// Spec:` line to the test that checks it): {uncited:?}");
}

#[test]
fn every_cited_id_is_in_the_catalogue() {
    let catalogue = catalogue();
    let unknown: Vec<String> =
        citations().into_iter().filter(|(id, _)| !catalogue.contains_key(id)).map(|(id, files)| format!("{id} in {files:?}")).collect();
    assert!(unknown.is_empty(), "tests cite IDs the catalogue does not have: {unknown:?}");
}

#[test]
fn every_id_the_code_names_is_in_the_catalogue() {
    let catalogue = catalogue();
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut unknown = BTreeSet::new();
    for file in files {
        let text = fs::read_to_string(&file).expect("readable source");
        for id in ids(&text) {
            if !catalogue.contains_key(&id) {
                unknown.insert(format!("{id} in {}", file.display()));
            }
        }
    }
    assert!(unknown.is_empty(), "the code cites IDs the catalogue does not have: {unknown:?}");
}

#[test]
fn the_id_scanner_finds_ids_and_only_ids() {
    assert_eq!(ids("// Spec: SUB-21, ORD-4 and AMB-31."), ["SUB-21", "ORD-4", "AMB-31"]);
    assert_eq!(ids("UTF-8, x-y, ABC-, -12, aSUB-3"), Vec::<String>::new());
}
