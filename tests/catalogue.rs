//! The requirement catalogue (`spec/requirements.md`), the inventories beside it
//! (`spec/freedom.md`, `spec/readings.md`) and the code agree:
//!
//! * every row has a known status, a reason when it is not implemented, and a note that describes
//!   the code as it is, promising nothing;
//! * every row marked implemented or deviation is cited by a test, and no test cites a row that is
//!   out of scope;
//! * every ID that a test cites, that the code names or that a document of the repository names is
//!   a row of the catalogue or of the freedom inventory (`FREE-n`);
//! * every reading named in the form `AMB-n/name` is a reading of that ambiguity in
//!   `spec/readings.md`, and that file covers every ambiguity of the catalogue.
//!
//! A test cites requirements on a line containing `Spec:` followed by the IDs, for example
//! `// Spec: ` and then `SUB-21, ORD-4`. This file's own examples are not citations.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const STATUSES: [&str; 4] = ["implemented", "deviation", "out-of-scope", "planned"];

/// The requirement families of the catalogue.
const FAMILIES: [&str; 14] = ["LIFE", "SUB", "RCV", "STAT", "ORD", "HOOK", "DEF", "ERR", "VER", "TC", "INV", "LIV", "AMB", "DEC"];

/// The family of the rows of `spec/freedom.md`.
const FREE: &str = "FREE";

/// Words and phrases that make a note a promise of work to come rather than a description of the
/// code (matched without regard to case, as whole words): "comes with", "not yet", "planned",
/// "will", an issue number, and the like.
const PROMISES: [&str; 12] =
    ["comes with", "come with", "coming with", "not yet", "yet", "planned", "for now", "todo", "will", "future", "later on", "issue"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    fs::read_to_string(root().join(relative)).unwrap_or_else(|e| panic!("{relative} cannot be read: {e}"))
}

/// The catalogue: ID -> (status, notes).
fn catalogue() -> BTreeMap<String, (String, String)> {
    let mut rows = BTreeMap::new();
    for line in read("spec/requirements.md").lines().filter(|l| l.starts_with("| ") && !l.starts_with("| ID ")) {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells.len(), 5, "a catalogue row has five cells: {line}");
        let previous = rows.insert(cells[0].to_owned(), (cells[3].to_owned(), cells[4].to_owned()));
        assert!(previous.is_none(), "{} appears twice in the catalogue", cells[0]);
    }
    rows
}

/// The IDs of the rows of the freedom inventory (`| FREE-n | ... |`).
fn freedoms() -> BTreeSet<String> {
    let mut rows = BTreeSet::new();
    for line in read("spec/freedom.md").lines().filter(|l| l.starts_with("| FREE-")) {
        let id = line.trim_matches('|').split('|').next().unwrap_or_default().trim().to_owned();
        assert!(ids(&id) == [id.clone()], "a freedom row starts with a malformed ID: {line}");
        assert!(rows.insert(id.clone()), "{id} appears twice in spec/freedom.md");
    }
    rows
}

/// The readings of `spec/readings.md`: for each `## AMB-n` section, its readings (the rows
/// `` | `name` ... ``) and how many of them are marked **default**.
fn readings() -> BTreeMap<String, (BTreeSet<String>, usize)> {
    let mut sections: BTreeMap<String, (BTreeSet<String>, usize)> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in read("spec/readings.md").lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            current = ids(heading).into_iter().next().filter(|id| id.starts_with("AMB-") && heading.starts_with(id.as_str()));
            if let Some(id) = &current {
                assert!(!sections.contains_key(id), "{id} has two sections in spec/readings.md");
                sections.insert(id.clone(), (BTreeSet::new(), 0));
            }
            continue;
        }
        let (Some(id), Some(rest)) = (&current, line.strip_prefix("| `")) else { continue };
        let (name, after) = rest.split_once('`').unwrap_or_else(|| panic!("an unclosed reading name: {line}"));
        assert!(is_reading_name(name), "{id}: the reading name {name:?} is not kebab-case (a-z, 0-9 and '-')");
        let entry = sections.get_mut(id).expect("the section was opened");
        assert!(entry.0.insert(name.to_owned()), "{id} lists the reading {name} twice");
        if after.trim_start().starts_with("**default**") {
            entry.1 += 1;
        }
    }
    sections
}

/// True for a reading name: lower-case words of letters and digits joined by single hyphens,
/// beginning with a letter.
fn is_reading_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.split('-').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

/// The requirement and freedom IDs in a piece of text.
fn ids(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    for (start, _) in text.match_indices('-') {
        let family: String = text[..start].chars().rev().take_while(char::is_ascii_uppercase).collect::<String>().chars().rev().collect();
        let digits: String = text[start + 1..].chars().take_while(char::is_ascii_digit).collect();
        let before = start.checked_sub(family.len() + 1).map(|i| bytes[i]);
        let boundary = before.is_none_or(|b| !b.is_ascii_alphanumeric());
        let known = FAMILIES.contains(&family.as_str()) || family == FREE;
        if known && !digits.is_empty() && boundary {
            found.push(format!("{family}-{digits}"));
        }
    }
    found
}

/// The readings named in a piece of text in the form `AMB-n/name`.
fn reading_citations(text: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (slash, _) in text.match_indices('/') {
        let before = &text[..slash];
        let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let Some(head) = before[..slash - digits].strip_suffix("AMB-") else { continue };
        let boundary = !head.ends_with(|c: char| c.is_ascii_alphanumeric());
        let name: String = text[slash + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let name = name.trim_end_matches('-');
        if digits > 0 && boundary && name.starts_with(|c: char| c.is_ascii_lowercase()) {
            found.push((format!("AMB-{}", &before[slash - digits..]), name.to_owned()));
        }
    }
    found
}

/// The first word or phrase of [`PROMISES`] that a note contains as whole words, if any.
fn promise(note: &str) -> Option<&'static str> {
    let words: Vec<String> =
        note.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_ascii_lowercase).collect();
    PROMISES.into_iter().find(|phrase| {
        let phrase: Vec<&str> = phrase.split(' ').collect();
        words.windows(phrase.len()).any(|w| w.iter().zip(&phrase).all(|(a, b)| a == b))
    })
}

fn files(dir: &Path, extension: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, extension, out);
        } else if path.extension().is_some_and(|e| e == extension) {
            out.push(path);
        }
    }
}

/// The files under these directories of the repository with this extension, by their path in the
/// repository.
fn sources(dirs: &[&str], extension: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for dir in dirs {
        files(&root().join(dir), extension, &mut found);
    }
    found.sort();
    found
        .into_iter()
        .map(|file| {
            let name = file.strip_prefix(root()).unwrap_or(&file).display().to_string();
            let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("{name} cannot be read: {e}"));
            (name, text)
        })
        .collect()
}

/// Every `Spec:` citation in the test suites (this crate's tests and the model crate's), except
/// the examples of this file.
fn citations() -> BTreeMap<String, BTreeSet<String>> {
    let mut cited: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, text) in sources(&["tests", "model/tests", "model/src"], "rs") {
        if name == "tests/catalogue.rs" {
            continue;
        }
        for line in text.lines().filter(|l| l.contains("Spec:")) {
            for id in ids(line.split("Spec:").nth(1).unwrap_or_default()) {
                cited.entry(id).or_default().insert(name.clone());
            }
        }
    }
    cited
}

/// Every file whose text may name requirement IDs and readings: the code of both crates, the
/// tests, the benches, the fuzz targets, and the documents.
fn named_everywhere() -> Vec<(String, String)> {
    let mut all = sources(&["src", "model/src", "model/tests", "tests", "benches", "fuzz/fuzz_targets", "fuzz/harness"], "rs");
    all.extend(sources(&["spec", "tests/traces", "benches", "fuzz"], "md"));
    all.push(("README.md".to_owned(), read("README.md")));
    all.retain(|(name, _)| name != "tests/catalogue.rs");
    all
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
fn no_note_promises_future_work() {
    let promising: Vec<String> =
        catalogue().into_iter().filter_map(|(id, (_, notes))| promise(&notes).map(|phrase| format!("{id} ({phrase:?})"))).collect();
    assert!(
        promising.is_empty(),
        "these notes promise work to come instead of saying what the code does today (make the row a deviation, or say \
         exactly what is checked): {promising:?}"
    );
}

#[test]
fn the_promise_checker_flags_promises_and_only_promises() {
    for bad in [
        "The asynchronous use comes with DEF-7 (issue 6).",
        "ValidateState's MAPI_E_BUSY comes with the status objects.",
        "The literal reading; no pure-priority variant yet.",
        "Not yet: the table is read only at start-up.",
        "Planned for the next release.",
        "The status table will be readable later.",
        "See issue 5.",
        "TODO: inbound hooks.",
    ] {
        assert!(promise(bad).is_some(), "not flagged: {bad:?}");
    }
    for good in [
        "END_RESEND_LATER waits Settings::resend_later_secs; the message is offered again later.",
        "A later OpenStatusEntry creates the row again with flags 0 (refused).",
        "Any result of TransportLogoff counts as logged off (ERR-10).",
        "The transport keeps the item for later redelivery.",
        "",
    ] {
        assert_eq!(promise(good), None, "flagged wrongly: {good:?}");
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
    assert!(
        uncited.is_empty(),
        "implemented or deviation but cited by no test (add a `// Spec:` line to the test that checks it): {uncited:?}"
    );
}

#[test]
fn no_test_cites_a_row_that_is_out_of_scope() {
    let catalogue = catalogue();
    let wrong: Vec<String> = citations()
        .into_iter()
        .filter(|(id, _)| catalogue.get(id).is_some_and(|(status, _)| status == "out-of-scope"))
        .map(|(id, files)| format!("{id} in {files:?}"))
        .collect();
    assert!(wrong.is_empty(), "tests cite rows the reference does not model (fix the row or the citation): {wrong:?}");
}

#[test]
fn every_cited_id_is_in_the_catalogue() {
    let catalogue = catalogue();
    let freedoms = freedoms();
    let unknown: Vec<String> = citations()
        .into_iter()
        .filter(|(id, _)| !catalogue.contains_key(id) && !freedoms.contains(id))
        .map(|(id, files)| format!("{id} in {files:?}"))
        .collect();
    assert!(unknown.is_empty(), "tests cite IDs that neither spec/requirements.md nor spec/freedom.md has: {unknown:?}");
}

#[test]
fn every_id_the_code_and_the_documents_name_is_in_the_catalogue() {
    let catalogue = catalogue();
    let freedoms = freedoms();
    let mut unknown = BTreeSet::new();
    for (name, text) in named_everywhere() {
        for id in ids(&text) {
            if !catalogue.contains_key(&id) && !freedoms.contains(&id) {
                unknown.insert(format!("{id} in {name}"));
            }
        }
    }
    assert!(unknown.is_empty(), "IDs that neither spec/requirements.md nor spec/freedom.md has: {unknown:?}");
}

#[test]
fn every_reading_named_is_in_spec_readings() {
    let readings = readings();
    let mut unknown = BTreeSet::new();
    for (name, text) in named_everywhere() {
        for (amb, reading) in reading_citations(&text) {
            if !readings.get(&amb).is_some_and(|(names, _)| names.contains(&reading)) {
                unknown.insert(format!("{amb}/{reading} in {name}"));
            }
        }
    }
    assert!(unknown.is_empty(), "readings that spec/readings.md does not list under their ambiguity: {unknown:?}");
}

#[test]
fn spec_readings_covers_every_ambiguity_with_a_default() {
    let readings = readings();
    let ambiguities: BTreeSet<String> = catalogue().into_keys().filter(|id| id.starts_with("AMB-")).collect();
    let sections: BTreeSet<String> = readings.keys().cloned().collect();
    assert_eq!(sections, ambiguities, "spec/readings.md needs exactly one section per AMB row of the catalogue");
    for (amb, (names, defaults)) in &readings {
        assert!(!names.is_empty(), "{amb} lists no reading");
        assert!(*defaults >= 1, "{amb} marks no reading as the **default**");
        assert!(*defaults <= names.len(), "{amb} marks more defaults than it has readings");
    }
}

#[test]
fn spec_freedom_numbers_its_rows_without_gaps() {
    let freedoms = freedoms();
    let expected: BTreeSet<String> = (1..=freedoms.len()).map(|n| format!("FREE-{n}")).collect();
    assert_eq!(freedoms, expected, "spec/freedom.md numbers its rows FREE-1 to FREE-n");
}

#[test]
fn the_readme_gives_the_catalogue_totals() {
    let mut requirements: BTreeMap<String, usize> = BTreeMap::new();
    let (mut decisions, mut decision_deviations) = (0, 0);
    for (id, (status, _)) in catalogue() {
        if id.starts_with("DEC-") {
            decisions += 1;
            decision_deviations += usize::from(status == "deviation");
        } else {
            *requirements.entry(status).or_default() += 1;
        }
    }
    let count = |status: &str| requirements.get(status).copied().unwrap_or_default();
    let expected = format!(
        "{} implemented, {} deviations, {} out of scope, and {decisions} decisions `DEC-n`, of which {decision_deviations} are deviations",
        count("implemented"),
        count("deviation"),
        count("out-of-scope")
    );
    assert_eq!(count("planned"), 0, "the README says no requirement is planned");
    let readme = read("README.md").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(readme.contains(&expected), "README.md, section \"The catalogue\", should read: {expected:?}");
}

#[test]
fn the_id_scanner_finds_ids_and_only_ids() {
    assert_eq!(ids("// Spec: SUB-21, ORD-4 and AMB-31."), ["SUB-21", "ORD-4", "AMB-31"]);
    assert_eq!(ids("FREE-22 and DEC-15"), ["FREE-22", "DEC-15"]);
    assert_eq!(ids("UTF-8, x-y, ABC-, -12, aSUB-3, FREED-1"), Vec::<String>::new());
    let pair = |a: &str, n: &str| (a.to_owned(), n.to_owned());
    assert_eq!(
        reading_citations("AMB-4/preparesubmit-page, (AMB-27/purge-as-no-wait)."),
        [pair("AMB-4", "preparesubmit-page"), pair("AMB-27", "purge-as-no-wait")]
    );
    assert_eq!(reading_citations("ERR-4/ERR-5, AMB-4/ and xAMB-4/name, SUB-7/name, AMB-4/Name"), Vec::<(String, String)>::new());
}
