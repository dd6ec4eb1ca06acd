//! Counterexamples as readers want them, like TLC's error trace: numbered steps, each the move
//! of the world and the calls it caused, ending with the broken property in words and the part
//! of the end state that breaks it; the same path as a Mermaid sequence diagram (the client a
//! participant, the breaking step marked), as an SVG for the Explorer, as structured JSON steps,
//! and as a recorded trace for `trace check`.

use std::fmt::Write as _;

use mapi_spooler::trace;
use mapi_spooler::{Effect, Input};

use crate::model::SpoolerModel;
use crate::view;
use crate::world::{Action, Event, World};

/// One step of a path: the move of the world (none for step 0, the start of the session) and
/// everything it caused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The step's number: 0 is the initial state, move `n` is step `n`.
    pub number: usize,
    /// The move, for steps after the first.
    pub action: Option<Action>,
    /// The move as a MAPI engineer reads it ([`view::step_label`]).
    pub label: String,
    /// The inputs, effects and world events of the step.
    pub events: Vec<Event>,
}

/// A path replayed from the initial state: its steps and the world at its end.
#[derive(Clone, Debug)]
pub struct Path {
    /// Step 0 (the session's start), then one step per move.
    pub steps: Vec<Step>,
    /// The world after the last step.
    pub end: World,
}

/// Replays a path of moves from the initial state, step by step.
#[must_use]
pub fn path(model: &SpoolerModel, actions: &[Action]) -> Path {
    let mut log = Vec::new();
    let mut world = model.initial_recorded(&mut log);
    let mut steps = vec![Step { number: 0, action: None, label: "the session starts".to_owned(), events: log }];
    for (i, action) in actions.iter().enumerate() {
        let mut events = Vec::new();
        let next = model.replay(&world, action, &mut events);
        let label = view::step_label(&world, action, &events, &next);
        steps.push(Step { number: i + 1, action: Some(action.clone()), label, events });
        world = next;
    }
    Path { steps, end: world }
}

/// Replays a path of actions from the initial state and returns every event, in order.
#[must_use]
pub fn replay(model: &SpoolerModel, actions: &[Action]) -> Vec<Event> {
    path(model, actions).steps.into_iter().flat_map(|s| s.events).collect()
}

/// The events as a recorded trace in the trace format (`spec/trace-format.md`), which
/// `mapi-spooler trace check` reads: a counterexample of the correct spooler conforms up to the
/// point where the property broke, one of a bug of the zoo diverges where the bug acts (a bug
/// of the store, such as `ignore-delete-after-submit`, leaves the spooler's calls as the
/// reference makes them, so its trace conforms).
#[must_use]
pub fn recorded(model: &SpoolerModel, events: &[Event]) -> String {
    let header = trace::Header {
        profile: crate::world::profile(model.config()),
        recorded: trace::Recorded::All,
        address_types: Vec::new(),
        scope: None,
    };
    let events: Vec<trace::Event> = events
        .iter()
        .filter_map(|e| match e {
            Event::Input(input) => Some(trace::Event::Input(input.clone())),
            Event::Effect(effect) => Some(trace::Event::Effect(effect.clone())),
            Event::Crash => Some(trace::Event::Crash),
            Event::World(_) | Event::Violation(_) => None,
        })
        .collect();
    trace::write(&header, &events)
}

/// A property's description: the monitor's one-line summary, or the catalogue's statement
/// (`spec/requirements.md`) for the model's own properties; a reachability guard's name is its
/// description.
#[must_use]
pub fn description(name: &str) -> String {
    if let Some(p) = mapi_spooler::Property::ALL.iter().find(|p| p.id() == name) {
        return p.summary().to_owned();
    }
    let id = name.split(' ').next().unwrap_or(name);
    let statement = CATALOGUE.lines().find_map(|line| {
        let mut cells = line.split('|').map(str::trim);
        (cells.nth(1) == Some(id)).then(|| cells.next()).flatten()
    });
    match (statement, name.strip_prefix(id)) {
        (Some(statement), Some(rest)) if !rest.is_empty() => format!("{}: {statement}", rest.trim().trim_matches(['(', ')'])),
        (Some(statement), _) => statement.to_owned(),
        (None, _) if name == "world follows the documentation" => {
            "the spooler refuses no move of the world: the world itself keeps to the documented contract".to_owned()
        }
        (None, _) if name == crate::model::REFINEMENT => "every step refines the reference model of submissions: each disposition, report, offer, lock and FinishedMsg is one the rules allow then, each one they make due happens, and the stores agree with it".to_owned(),
        (None, _) => name.to_owned(),
    }
}

/// The requirement catalogue, for the descriptions of the model's own properties.
const CATALOGUE: &str = include_str!("../../spec/requirements.md");

/// The text of a counterexample for `properties` (which share this path): numbered steps with
/// their events, then each broken property in words with the part of the end state that
/// breaks it, then the end state.
#[must_use]
pub fn numbered(properties: &[&str], path: &Path) -> String {
    let mut out = String::new();
    for step in &path.steps {
        let _ = writeln!(out, "{:>4}. {}", step.number, step.label);
        for event in &step.events {
            if !matches!(event, Event::World(text) if text.starts_with("-- ") || *text == step.label) {
                let _ = writeln!(out, "        {}", view::event_line(event));
            }
        }
    }
    let last = path.steps.last().map_or(0, |s| s.number);
    for name in properties {
        let _ = writeln!(out, "\n{name} is broken at step {last}: {}", description(name));
        for line in explanation(name, path) {
            let _ = writeln!(out, "  {line}");
        }
    }
    let _ = writeln!(out, "\nthe state after step {last}:");
    for line in view::world_state(&path.end).lines() {
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// Why `property` is broken at the end of `path`: the monitor's verdict on the last step when
/// it judged one, else the offending part of the end state.
#[must_use]
pub fn explanation(property: &str, path: &Path) -> Vec<String> {
    let verdict: Vec<String> = path
        .steps
        .last()
        .into_iter()
        .flat_map(|s| &s.events)
        .filter_map(|e| match e {
            Event::Violation(text) => Some(text.clone()),
            _ => None,
        })
        .collect();
    if !verdict.is_empty() {
        return verdict;
    }
    let offending = view::offending(property, &path.end);
    if offending.is_empty() { vec!["(the property's condition is false in the state below)".to_owned()] } else { offending }
}

/// Who sends and who receives an event, and its text without them, as a sequence diagram
/// draws it; `None` for an event drawn as a note over `spooler`.
#[must_use]
pub fn arrow(event: &Event) -> Option<(String, String, String)> {
    let text = match event {
        Event::Effect(Effect::Call(call)) => {
            let text = call.to_string();
            let (to, rest) = text.split_once('.')?;
            return Some(("spooler".to_owned(), to.to_owned(), rest.to_owned()));
        }
        Event::Input(Input::Return(ret)) => {
            let text = ret.to_string();
            let (from, rest) = text.split_once('.')?;
            return Some((from.to_owned(), "spooler".to_owned(), rest.to_owned()));
        }
        Event::Input(Input::TimePassed { .. } | Input::SystemIdle) | Event::Effect(_) | Event::Crash | Event::Violation(_) => return None,
        Event::Input(input) => mapi_spooler::sim::input_line(input),
        Event::World(text) => text.clone(),
    };
    let (from, right) = text.split_once(" -> ")?;
    if from.contains(' ') {
        return None;
    }
    let cut = right.find(['.', ':']).unwrap_or(right.len());
    let (to, rest) = right.split_at(cut);
    let rest = rest.trim_start_matches([':', '.']).trim_start();
    // Support calls go to the spooler's support object: draw them to the spooler.
    let (to, rest) = if to == "support" { ("spooler", format!("support.{rest}")) } else { (to, rest.to_owned()) };
    Some((from.to_owned(), to.to_owned(), rest))
}

/// The participants of a path in the order a diagram draws them: the client, the session and
/// the spooler first, then stores, transports and the rest as they appear.
#[must_use]
pub fn participants(steps: &[Step]) -> Vec<String> {
    let mut names: Vec<String> = vec!["client".to_owned(), "session".to_owned(), "spooler".to_owned()];
    for event in steps.iter().flat_map(|s| &s.events) {
        if let Some((from, to, _)) = arrow(event) {
            for name in [from, to] {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
    }
    let rank = |n: &str| match n {
        "client" => 0,
        "user" => 1,
        "session" => 2,
        "spooler" => 3,
        _ if n.starts_with('S') => 4,
        _ if n.starts_with('T') => 5,
        _ => 6,
    };
    names.sort_by_key(|n| rank(n));
    names
}

/// The path as a Mermaid sequence diagram: every step opens with a numbered note, the client
/// and the session are participants, and the steps whose events broke a property (or the last
/// step, for a property judged on the end state) are boxed in red with the property named.
#[must_use]
pub fn mermaid(properties: &[&str], path: &Path) -> String {
    let clean = |s: &str| s.replace(';', ",").replace('#', "No.");
    let mut out = String::from("sequenceDiagram\n");
    for name in participants(&path.steps) {
        let _ = writeln!(out, "    participant {name}");
    }
    let last = path.steps.len().saturating_sub(1);
    for (i, step) in path.steps.iter().enumerate() {
        let breaking = i == last && !properties.is_empty();
        if breaking {
            out.push_str("    rect rgb(255, 220, 220)\n");
        }
        let _ = writeln!(out, "    Note over client,spooler: {}. {}", step.number, clean(&step.label));
        for event in &step.events {
            match (event, arrow(event)) {
                (Event::World(text), _) if text.starts_with("-- ") => {}
                (Event::Input(Input::Return(_)), Some((from, to, text))) => {
                    let _ = writeln!(out, "    {from}-->>{to}: {}", clean(&text));
                }
                (_, Some((from, to, text))) => {
                    let _ = writeln!(out, "    {from}->>{to}: {}", clean(&text));
                }
                (_, None) => {
                    let _ = writeln!(out, "    Note over spooler: {}", clean(&view::event_line(event)));
                }
            }
        }
        if breaking {
            let _ = writeln!(out, "    Note over client,spooler: broken here: {}", properties.join(", "));
            out.push_str("    end\n");
        }
    }
    out
}

/// A counterexample's steps as JSON values: the number, the move as a label, and each event
/// with its kind, who sent it, who received it and its text (`spec/check-output.schema.json`).
#[must_use]
pub fn json_steps(path: &Path) -> Vec<serde_json::Value> {
    path.steps
        .iter()
        .map(|step| {
            let events: Vec<serde_json::Value> = step
                .events
                .iter()
                .filter(|e| !matches!(e, Event::World(text) if text.starts_with("-- ")))
                .map(|event| {
                    let (from, to) = arrow(event).map_or((None, None), |(from, to, _)| (Some(from), Some(to)));
                    serde_json::json!({ "kind": event_kind(event), "from": from, "to": to, "text": view::event_line(event) })
                })
                .collect();
            serde_json::json!({
                "step": step.number,
                "move": step.action.as_ref().map(view::action_words),
                "label": step.label,
                "events": events,
            })
        })
        .collect()
}

/// What kind of event it is, as the JSON output names it.
#[must_use]
pub fn event_kind(event: &Event) -> &'static str {
    match event {
        Event::Effect(Effect::Call(_)) => "call",
        Event::Effect(_) => "effect",
        Event::Input(Input::Return(_)) => "return",
        Event::Input(Input::Support(_)) => "support",
        Event::Input(Input::Queue(_)) => "queue",
        Event::Input(Input::Session(_)) => "session",
        Event::Input(Input::TimePassed { .. }) => "time",
        Event::Input(Input::SystemIdle) => "idle",
        Event::Input(Input::Cancel(_)) => "cancel",
        Event::Input(Input::Status(_)) => "status",
        Event::Input(Input::TransportOrder(_)) => "order",
        Event::World(_) => "world",
        Event::Crash => "crash",
        Event::Violation(_) => "violation",
    }
}

/// A counterexample: the properties broken by one path (several properties judged on the same
/// end state share it, and it is printed once), and the path.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// The properties it breaks, in the order the checker lists them.
    pub properties: Vec<&'static str>,
    /// The moves, from the initial state.
    pub actions: Vec<Action>,
    /// The path replayed step by step.
    pub path: Path,
}

impl Counterexample {
    /// The name its files take: the first property's, with spaces as dashes.
    #[must_use]
    pub fn file_stem(&self) -> String {
        self.properties.first().copied().unwrap_or("counterexample").replace(' ', "-")
    }

    /// Writes its three files into `out`: the numbered trace, the Mermaid diagram and the
    /// recorded trace for `trace check` and `replay`; returns their paths in that order.
    ///
    /// # Errors
    /// The directory or a file cannot be written.
    pub fn write(&self, model: &SpoolerModel, out: &std::path::Path) -> std::io::Result<[std::path::PathBuf; 3]> {
        let stem = out.join(self.file_stem());
        let names = [stem.with_extension("trace"), stem.with_extension("mmd"), stem.with_extension("jsonl")];
        let events: Vec<_> = self.path.steps.iter().flat_map(|s| s.events.clone()).collect();
        std::fs::create_dir_all(out)?;
        std::fs::write(&names[0], numbered(&self.properties, &self.path))?;
        std::fs::write(&names[1], mermaid(&self.properties, &self.path))?;
        std::fs::write(&names[2], recorded(model, &events))?;
        Ok(names)
    }

    /// The counterexample as JSON (`spec/check-output.schema.json`).
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let explanations: serde_json::Map<String, serde_json::Value> =
            self.properties.iter().map(|p| ((*p).to_owned(), serde_json::json!(explanation(p, &self.path)))).collect();
        serde_json::json!({
            "properties": self.properties,
            "moves": self.actions.len(),
            "steps": json_steps(&self.path),
            "why": explanations,
            "end_state": view::world_state(&self.path.end),
        })
    }
}

/// The counterexamples of a check, one per distinct path: properties broken by the same path
/// are grouped.
#[must_use]
pub fn counterexamples(model: &SpoolerModel, report: &crate::check::Report) -> Vec<Counterexample> {
    let mut found: Vec<Counterexample> = Vec::new();
    for property in &report.properties {
        if let crate::check::Verdict::Broken(actions) = &property.verdict {
            match found.iter_mut().find(|c| &c.actions == actions) {
                Some(same) => same.properties.push(property.name),
                None => {
                    found.push(Counterexample { properties: vec![property.name], actions: actions.clone(), path: path(model, actions) })
                }
            }
        }
    }
    found
}
