//! Counterexamples as readers want them: a numbered call trace and a Mermaid sequence diagram.

use mapi_spooler::sim::{effect_line, input_line};
use mapi_spooler::trace;
use mapi_spooler::{Call, Effect, Input};

use crate::model::SpoolerModel;
use crate::world::{Action, Event};

/// How a crash reads in a trace.
const CRASH: &str = "CRASH: the spooler process dies with its transports; the store keeps what it saved";

/// The events as a recorded trace in the trace format (`spec/trace-format.md`), which
/// `mapi-spooler trace check` reads: a counterexample of the correct spooler conforms up to the
/// point where the property broke, one of a bug of the zoo diverges where the bug acts.
#[must_use]
pub fn recorded(model: &SpoolerModel, events: &[Event]) -> String {
    let header =
        trace::Header { profile: crate::world::profile(model.config()), recorded: trace::Recorded::All, address_types: Vec::new() };
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

/// Replays a path of actions from the initial state and returns every event.
#[must_use]
pub fn replay(model: &SpoolerModel, actions: &[Action]) -> Vec<Event> {
    let mut log = Vec::new();
    let mut world = model.initial_recorded(&mut log);
    for action in actions {
        log.push(Event::World(format!("-- {action}")));
        world = model.replay(&world, action, &mut log);
    }
    log
}

/// The events as numbered lines, like the simulator's trace.
#[must_use]
pub fn numbered(events: &[Event]) -> String {
    events
        .iter()
        .filter(|e| !matches!(e, Event::World(text) if text.starts_with("-- ")))
        .enumerate()
        .map(|(n, e)| format!("{:>4}  {}\n", n + 1, line(e)))
        .collect()
}

fn line(event: &Event) -> String {
    match event {
        Event::Input(input) => input_line(input),
        Event::Effect(effect) => effect_line(effect),
        Event::World(text) => text.clone(),
        Event::Crash => CRASH.to_owned(),
        Event::Violation(text) => format!("VIOLATION: {text}"),
    }
}

/// The events as a Mermaid sequence diagram.
#[must_use]
pub fn mermaid(events: &[Event]) -> String {
    let mut out = String::from("sequenceDiagram\n    participant client\n    participant spooler\n");
    let clean = |s: String| s.replace(';', ",").replace('#', "No.");
    for event in events {
        let text = match event {
            Event::Effect(Effect::Call(call)) => {
                let target = target(call);
                format!("    spooler->>{target}: {}", clean(call.to_string()))
            }
            Event::Effect(effect) => format!("    Note over spooler: {}", clean(effect.to_string())),
            Event::Input(Input::Return(ret)) => {
                let who = ret.to_string().split('.').next().unwrap_or("world").to_owned();
                format!("    {who}-->>spooler: {}", clean(ret.to_string()))
            }
            Event::Input(Input::Support(call)) => {
                let text = call.to_string();
                let who = text.split(' ').next().unwrap_or("world").to_owned();
                format!("    {who}->>spooler: {}", clean(text))
            }
            Event::Input(input) => format!("    Note over spooler: {}", clean(input_line(input))),
            Event::World(text) if text.starts_with("-- ") => continue,
            Event::World(text) => format!("    Note over client: {}", clean(text.clone())),
            Event::Crash => format!("    Note over spooler: {}", clean(CRASH.to_owned())),
            Event::Violation(text) => format!("    Note over spooler: VIOLATION {}", clean(text.clone())),
        };
        out.push_str(&text);
        out.push('\n');
    }
    out
}

fn target(call: &Call) -> String {
    call.to_string().split('.').next().unwrap_or("world").to_owned()
}
