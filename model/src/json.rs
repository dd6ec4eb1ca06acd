//! The machine-readable output of `check --json` and `trace check --json`: one versioned JSON
//! document per command, described by `spec/check-output.schema.json`.

use mapi_spooler::trace;
use serde_json::{Value, json};

use crate::check::{Limits, Options, Report, Verdict};
use crate::config::Config;
use crate::exit::Exit;
use crate::report::{self, Counterexample};

/// The version of the documents' layout; a change that could break a reader raises it.
pub const FORMAT: u32 = 2;

/// The fields every document starts with.
fn head(command: &str, exit: Exit) -> serde_json::Map<String, Value> {
    let mut head = serde_json::Map::new();
    head.insert("format".to_owned(), json!(FORMAT));
    head.insert("program".to_owned(), json!("mapi-spooler"));
    head.insert("version".to_owned(), json!(env!("CARGO_PKG_VERSION")));
    head.insert("command".to_owned(), json!(command));
    head.insert("verdict".to_owned(), json!(exit.name()));
    head.insert("exit_status".to_owned(), json!(exit.code()));
    head
}

/// One checked world: its configuration as fields, how it was searched, its verdict, counts,
/// every property with its description and verdict, and its counterexamples as structured
/// steps.
#[must_use]
pub fn world(name: &str, config: &Config, options: Options, limits: Limits, report: &Report, counterexamples: &[Counterexample]) -> Value {
    let properties: Vec<Value> = report
        .properties
        .iter()
        .map(|p| {
            let verdict = match p.verdict {
                Verdict::Holds => "holds",
                Verdict::Reached => "reached",
                Verdict::Unreached => "unreached",
                Verdict::Broken(_) => "broken",
            };
            let counterexample = counterexamples.iter().position(|c| c.properties.contains(&p.name));
            json!({
                "name": p.name,
                "kind": p.kind,
                "description": report::description(p.name),
                "verdict": verdict,
                "counterexample": counterexample,
            })
        })
        .collect();
    json!({
        "name": name,
        "config": config,
        "search": {
            "threads": options.threads,
            "strategy": if options.dfs || options.symmetry { "dfs" } else { "bfs" },
            "symmetry": options.symmetry,
            "max_depth": limits.max_depth,
            "max_states": limits.max_states,
            "timeout_seconds": limits.timeout.map(|t| t.as_secs_f64()),
        },
        "verdict": report.outcome().name(),
        "cut_short": report.cut_short.map(|limit| limit.to_string()),
        "statistics": {
            "states": report.states,
            "unique_states": report.unique_states,
            "max_depth": report.max_depth,
            "seconds": report.elapsed.as_secs_f64(),
            "unique_states_per_second": report.rate(),
        },
        "properties": properties,
        "moves_missing": report.moves_missing,
        "counterexamples": counterexamples.iter().map(Counterexample::to_json).collect::<Vec<_>>(),
    })
}

/// The document of `check --json`: every world checked (one, or the suite's), with totals.
/// With the suite, `reach` is its coverage (`crate::coverage`), whose gaps make it vacuous.
#[must_use]
pub fn check(worlds: Vec<Value>, reports: &[&Report], seconds: f64, reach: Option<&crate::coverage::Reach>) -> Value {
    let start = reach.map_or(Exit::Holds, crate::coverage::Reach::exit);
    let exit = reports.iter().fold(start, |worst, r| worst.worst(r.outcome()));
    let mut doc = head("check", exit);
    if let Some(reach) = reach {
        let tolerated: Vec<Value> = reach.tolerated.iter().map(|(kind, why)| json!({ "kind": kind, "reason": why })).collect();
        doc.insert(
            "reach".to_owned(),
            json!({ "kinds": reach.kinds, "reached": reach.reached, "tolerated": tolerated, "gaps": reach.gaps }),
        );
    }
    let count = |verdict: Exit| reports.iter().filter(|r| r.outcome() == verdict).count();
    doc.insert(
        "totals".to_owned(),
        json!({
            "worlds": reports.len(),
            "states": reports.iter().map(|r| r.states).sum::<usize>(),
            "unique_states": reports.iter().map(|r| r.unique_states).sum::<usize>(),
            "seconds": seconds,
            "holds": count(Exit::Holds),
            "broken": count(Exit::Broken),
            "vacuous": count(Exit::Vacuous),
            "incomplete": count(Exit::Incomplete),
        }),
    );
    doc.insert("worlds".to_owned(), Value::Array(worlds));
    Value::Object(doc)
}

/// The exit of `trace check` for a verdict.
#[must_use]
pub fn trace_exit(verdict: &trace::Verdict) -> Exit {
    match verdict {
        trace::Verdict::Conforms { .. } => Exit::Holds,
        trace::Verdict::Diverges(_) => Exit::Broken,
        trace::Verdict::Invalid(_) => Exit::InvalidInput,
        trace::Verdict::Exceeded(_) => Exit::Incomplete,
    }
}

/// The document of `trace check --json`: the verdict, the scope the trace was checked under
/// (issue 16) and the checker's figures, with the frontier's bound (`--frontier-bound`).
#[must_use]
pub fn trace_check(file: &str, report: &trace::Report, bound: usize) -> Value {
    let verdict = &report.verdict;
    let mut doc = head("trace check", trace_exit(verdict));
    doc.insert("file".to_owned(), json!(file));
    let (name, events, divergence, error, exceeded) = match verdict {
        trace::Verdict::Conforms { events } => ("conforms", Some(*events), Value::Null, Value::Null, Value::Null),
        trace::Verdict::Diverges(d) => (
            "diverges",
            None,
            json!({
                "line": d.line,
                "event": d.event,
                "expected": d.expected,
                "requirements": d.requirements,
                "party": d.party.name(),
                "rule": d.rule,
                "instead": d.instead,
            }),
            Value::Null,
            Value::Null,
        ),
        trace::Verdict::Invalid(e) => {
            ("invalid", None, Value::Null, json!({ "line": e.line, "column": e.column, "message": e.message }), Value::Null)
        }
        trace::Verdict::Exceeded(e) => {
            let limit = match e.limit {
                trace::Limit::Frontier => "frontier",
                trace::Limit::SilentMoves => "silent_moves",
            };
            ("exceeded", None, Value::Null, Value::Null, json!({ "line": e.line, "states": e.states, "bound": e.bound, "limit": limit }))
        }
    };
    doc.insert("trace_verdict".to_owned(), json!(name));
    doc.insert("events".to_owned(), json!(events));
    doc.insert("divergence".to_owned(), divergence);
    doc.insert("error".to_owned(), error);
    doc.insert("exceeded".to_owned(), exceeded);
    doc.insert("frontier".to_owned(), json!({ "largest": report.largest, "bound": bound }));
    let (scope, silent) = match report.scope {
        None => (Value::Null, Value::Null),
        Some(scope) => {
            let s = report.silent;
            let scope = match scope {
                trace::Scope::Transport(t) => json!({ "transport": t.to_string() }),
                trace::Scope::Store(s) => json!({ "store": s.to_string() }),
            };
            (scope, json!({ "most_moves": s.most_moves, "largest_bound": s.largest_bound, "most_explored": s.most_explored }))
        }
    };
    doc.insert("scope".to_owned(), scope);
    doc.insert("silent".to_owned(), silent);
    Value::Object(doc)
}

/// The line `trace check` prints after the verdict of a partial recording: the scope it was
/// checked under (issue 16). A whole session gets no such line.
#[must_use]
pub fn scope_line(report: &trace::Report) -> Option<String> {
    report.scope.map(|scope| {
        format!(
            "scope: {scope} (a partial recording: the world it did not observe is supplied as silent moves; at most {} between \
             two lines, bound {}; at most {} states)",
            report.silent.most_moves, report.silent.largest_bound, report.largest
        )
    })
}

/// The document for a file that cannot be read at all (`trace check --json`).
#[must_use]
pub fn unreadable(command: &str, file: &str, message: &str) -> Value {
    let mut doc = head(command, Exit::InvalidInput);
    doc.insert("file".to_owned(), json!(file));
    doc.insert("trace_verdict".to_owned(), json!("invalid"));
    doc.insert("events".to_owned(), Value::Null);
    doc.insert("divergence".to_owned(), Value::Null);
    doc.insert("error".to_owned(), json!({ "line": 0, "column": 0, "message": message }));
    doc.insert("exceeded".to_owned(), Value::Null);
    doc.insert("frontier".to_owned(), Value::Null);
    doc.insert("scope".to_owned(), Value::Null);
    doc.insert("silent".to_owned(), Value::Null);
    Value::Object(doc)
}
