//! The Explorer: a small web server on the loopback interface for walking through a world's
//! state space by hand. Each step reads as the MAPI call or event it is, the state as the
//! session, logons, queue, locks and recipients ([`crate::view`]), and the path so far as an
//! SVG sequence diagram ([`crate::svg`]). The same texts are stateright's `format_action`,
//! `format_step` and `as_svg` hooks of [`SpoolerModel`].
//!
//! Endpoints (all `GET`, JSON unless said): `/` the page (HTML); `/.status` the world and its
//! properties; `/.path/0/i/j/...` the state reached from the initial state (index 0) by the
//! `i`-th move, then the `j`-th, and so on: its steps, state, diagram, the properties broken or
//! reached there, and the moves that can follow. A path that does not exist is a 404.

use std::net::{Ipv4Addr, SocketAddr};

use stateright::{Expectation, Model};

use crate::model::SpoolerModel;
use crate::report;
use crate::view;
use crate::world::{Action, World};

/// The page the Explorer serves at `/`.
const PAGE: &str = include_str!("explorer.html");

/// A bound Explorer, not serving yet: binding first lets the command line report a busy port
/// before it prints anything, and print the port the system chose for port 0.
pub struct Explorer {
    model: SpoolerModel,
    server: tiny_http::Server,
    address: SocketAddr,
}

impl Explorer {
    /// Binds to `127.0.0.1:port` (0: any free port).
    ///
    /// # Errors
    /// The system's reason when the port cannot be bound (in use, not allowed).
    pub fn bind(model: SpoolerModel, port: u16) -> Result<Explorer, String> {
        let wanted = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let server = tiny_http::Server::http(wanted).map_err(|e| format!("cannot listen on {wanted}: {e}"))?;
        let address = server.server_addr().to_ip().unwrap_or(wanted);
        Ok(Explorer { model, server, address })
    }

    /// The address it listens on.
    #[must_use]
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Serves requests until the process ends. A request whose client went away is dropped.
    pub fn serve(&self) {
        for request in self.server.incoming_requests() {
            let (status, kind, body) = self.answer(request.url());
            let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], kind.as_bytes()).ok();
            let mut response = tiny_http::Response::from_string(body).with_status_code(status);
            if let Some(header) = header {
                response = response.with_header(header);
            }
            // The browser may have closed the connection: nothing to do about it.
            let _ = request.respond(response);
        }
    }

    /// The status code, content type and body for a URL.
    #[must_use]
    pub fn answer(&self, url: &str) -> (u16, &'static str, String) {
        const JSON: &str = "application/json; charset=utf-8";
        match url {
            "/" | "/index.html" => (200, "text/html; charset=utf-8", PAGE.to_owned()),
            "/.status" => (200, JSON, self.status().to_string()),
            _ => match url.strip_prefix("/.path").map(|rest| self.path(rest)) {
                Some(Ok(value)) => (200, JSON, value.to_string()),
                Some(Err(message)) => (404, "text/plain; charset=utf-8", message),
                None => (404, "text/plain; charset=utf-8", format!("no such page: {url}")),
            },
        }
    }

    fn status(&self) -> serde_json::Value {
        let properties: Vec<serde_json::Value> = self
            .model
            .properties()
            .iter()
            .map(|p| serde_json::json!({ "name": p.name, "kind": kind(&p.expectation), "description": report::description(p.name) }))
            .collect();
        serde_json::json!({
            "world": self.model.config().to_string(),
            "config": self.model.config(),
            "properties": properties,
        })
    }

    /// The view of the state at the end of a path of move indices (`/0/3/1`).
    fn path(&self, rest: &str) -> Result<serde_json::Value, String> {
        let indices: Vec<usize> = rest
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().map_err(|_| format!("not a move index: {s:?}")))
            .collect::<Result<_, _>>()?;
        let Some((&0, moves)) = indices.split_first() else {
            return Err("a path starts with the initial state, index 0".to_owned());
        };
        let mut actions = Vec::new();
        let mut world = self.model.init_states().remove(0);
        for (depth, &i) in moves.iter().enumerate() {
            let choices = self.choices(&world);
            let Some(action) = choices.into_iter().nth(i) else {
                return Err(format!("step {} has no move {i}", depth + 1));
            };
            world = self.model.next_state(&world, action.clone()).ok_or("a move that leaves the state unchanged")?;
            actions.push(action);
        }
        let path = report::path(&self.model, &actions);
        let broken_here: Vec<&str> = self
            .model
            .properties()
            .iter()
            .filter(|p| matches!(p.expectation, Expectation::Always) && !(p.condition)(&self.model, &world))
            .map(|p| p.name)
            .collect();
        let reached_here: Vec<&str> = self
            .model
            .properties()
            .iter()
            .filter(|p| matches!(p.expectation, Expectation::Sometimes) && (p.condition)(&self.model, &world))
            .map(|p| p.name)
            .collect();
        let broken: Vec<serde_json::Value> = broken_here
            .iter()
            .map(|name| serde_json::json!({ "name": name, "description": report::description(name), "why": report::explanation(name, &path) }))
            .collect();
        let next: Vec<serde_json::Value> = self
            .choices(&world)
            .iter()
            .enumerate()
            .map(|(i, action)| serde_json::json!({ "index": i, "label": self.choice_label(&world, action) }))
            .collect();
        Ok(serde_json::json!({
            "steps": report::json_steps(&path),
            "state": view::world_state(&path.end),
            "svg": crate::svg::sequence(&path, &broken_here),
            "broken": broken,
            "reached": reached_here,
            "next": next,
        }))
    }

    fn choices(&self, world: &World) -> Vec<Action> {
        let mut actions = Vec::new();
        self.model.actions(world, &mut actions);
        actions
    }

    /// A move that can follow, labelled as the step it would be.
    fn choice_label(&self, world: &World, action: &Action) -> String {
        let mut events = Vec::new();
        let next = self.model.replay(world, action, &mut events);
        view::step_label(world, action, &events, &next)
    }
}

/// The text of one step for stateright's `format_step`: the move, the events it caused and the
/// state after it.
#[must_use]
pub fn step_text(model: &SpoolerModel, before: &World, action: &Action) -> String {
    let mut events = Vec::new();
    let after = model.replay(before, action, &mut events);
    let mut out = view::step_label(before, action, &events, &after);
    out.push('\n');
    for event in events.iter().filter(|e| !matches!(e, crate::world::Event::World(t) if t.starts_with("-- "))) {
        out.push_str("  ");
        out.push_str(&view::event_line(event));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&view::world_state(&after));
    out
}

/// The SVG of a path of moves for stateright's `as_svg`.
#[must_use]
pub fn path_svg(model: &SpoolerModel, actions: &[Action]) -> String {
    crate::svg::sequence(&report::path(model, actions), &[])
}

/// `always`, `sometimes` or `eventually`.
#[must_use]
pub fn kind(expectation: &Expectation) -> &'static str {
    match expectation {
        Expectation::Always => "always",
        Expectation::Sometimes => "sometimes",
        Expectation::Eventually => "eventually",
    }
}
