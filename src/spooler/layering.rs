//! The modules of the spooler depend on one another in one direction only, as the module
//! documentation of `mod.rs` lists them: this test reads the layers from that list and fails on
//! any reference from a module to one of its own layer or a higher one, by path (`super::x`,
//! `crate::spooler::x`) or by calling a method that only that module defines.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::PathBuf;

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/spooler")
}

/// The source of every module but `mod.rs`, by module name, without comments.
fn modules() -> BTreeMap<String, String> {
    let mut modules = BTreeMap::new();
    for entry in fs::read_dir(folder()).expect("src/spooler is readable") {
        let path = entry.expect("a directory entry").path();
        let name = path.file_stem().and_then(|s| s.to_str()).expect("a file name").to_owned();
        if path.extension().is_some_and(|e| e == "rs") && name != "mod" && name != "layering" {
            let text = fs::read_to_string(&path).expect("a readable module");
            let code: Vec<&str> = text.lines().map(|l| l.split("//").next().unwrap_or("")).collect();
            modules.insert(name, code.join("\n"));
        }
    }
    modules
}

/// The layer of each module, from the numbered list in `mod.rs`'s documentation.
fn layers(modules: &BTreeMap<String, String>) -> BTreeMap<String, usize> {
    let text = fs::read_to_string(folder().join("mod.rs")).expect("mod.rs is readable");
    let mut layers = BTreeMap::new();
    let mut layer = 0;
    for line in text.lines().take_while(|l| l.starts_with("//!")) {
        let line = line.trim_start_matches("//!").trim();
        if let Some((number, _)) = line.split_once(". ")
            && let Ok(number) = number.parse::<usize>()
        {
            layer = number;
        }
        // A module is placed where it is named first; later mentions say what it uses.
        for (i, quoted) in line.split('`').enumerate() {
            if i % 2 == 1 && layer > 0 && modules.contains_key(quoted) {
                layers.entry(quoted.to_owned()).or_insert(layer);
            }
        }
    }
    layers
}

/// The identifiers that follow `prefix` in `code`.
fn after<'a>(code: &'a str, prefix: &str) -> impl Iterator<Item = &'a str> {
    code.match_indices(prefix).map(move |(i, _)| {
        let rest = &code[i + prefix.len()..];
        rest.trim_start().split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("")
    })
}

/// The methods called on `prefix` in `code` (an identifier followed by a parenthesis, so not
/// a field).
fn calls<'a>(code: &'a str, prefix: &str) -> impl Iterator<Item = &'a str> {
    code.match_indices(prefix).filter_map(move |(i, _)| {
        let rest = &code[i + prefix.len()..];
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        rest[end..].starts_with('(').then(|| &rest[..end])
    })
}

/// Every reference from a module to one of its own layer or a higher one.
fn upward(modules: &BTreeMap<String, String>, layers: &BTreeMap<String, usize>) -> Vec<String> {
    // The methods and functions only one module defines.
    let mut definers: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (name, code) in modules {
        for f in after(code, "fn ") {
            definers.entry(f).or_default().insert(name);
        }
    }
    let mut upward = Vec::new();
    for (name, code) in modules {
        let mut uses: BTreeSet<&str> = after(code, "super::").chain(after(code, "crate::spooler::")).collect();
        for call in calls(code, "self.").chain(calls(code, "Self::")) {
            if let Some(only) = definers.get(call).filter(|d| d.len() == 1) {
                uses.extend(only);
            }
        }
        for used in uses.into_iter().filter(|u| *u != name) {
            if let Some(&layer) = layers.get(used)
                && layer >= layers[name]
            {
                upward.push(format!("{name} (layer {}) uses {used} (layer {layer})", layers[name]));
            }
        }
    }
    upward
}

#[test]
fn the_modules_depend_on_lower_layers_only() {
    let modules = modules();
    let layers = layers(&modules);
    let unplaced: Vec<&String> = modules.keys().filter(|m| !layers.contains_key(*m)).collect();
    assert!(unplaced.is_empty(), "modules missing from the layers in mod.rs: {unplaced:?}");
    assert_eq!(upward(&modules, &layers), [] as [String; 0], "references that do not go down");
}

/// The check sees references that go up or sideways: by path and by method.
#[test]
fn a_reference_that_does_not_go_down_is_seen() {
    let mut modules = modules();
    let layers = layers(&modules);
    assert_eq!((layers["messages"], layers["flush"], layers["cancel"], layers["returns"]), (1, 3, 3, 5));
    let messages = modules["messages"].clone() + "\nfn f(&mut self) { self.on_return(ret, fx) }";
    modules.insert("messages".to_owned(), messages);
    let flush = modules["flush"].clone() + "\nuse super::cancel::Nothing;";
    modules.insert("flush".to_owned(), flush);
    assert_eq!(upward(&modules, &layers), ["flush (layer 3) uses cancel (layer 3)", "messages (layer 1) uses returns (layer 5)"]);
}
