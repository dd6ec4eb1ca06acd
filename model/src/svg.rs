//! A path as an SVG sequence diagram, for the Explorer (stateright's `as_svg` hook): one
//! lifeline per participant, one row per event with its arrow, the event's text in a column on
//! the right, and a numbered band per step; the last step is drawn in red when it broke a
//! property.

use std::fmt::Write as _;

use mapi_spooler::Input;

use crate::report::{self, Path};
use crate::view;
use crate::world::Event;

const COLUMN: usize = 74;
const ROW: usize = 18;
const TOP: usize = 34;
const LEFT: usize = 40;

/// The diagram. `broken` names the properties the last step broke (none while exploring a
/// path that breaks nothing).
#[must_use]
pub fn sequence(path: &Path, broken: &[&str]) -> String {
    let names = report::participants(&path.steps);
    let x = |name: &str| LEFT + COLUMN * names.iter().position(|n| n == name).unwrap_or(0) + COLUMN / 2;
    let text_x = LEFT + COLUMN * names.len() + 10;
    let mut bands = String::new();
    let mut rows = String::new();
    let mut y = TOP;
    let mut widest = 0;
    let last = path.steps.len().saturating_sub(1);
    for (i, step) in path.steps.iter().enumerate() {
        let red = i == last && !broken.is_empty();
        let label = if red {
            format!("{}. {}  (breaks {})", step.number, step.label, broken.join(", "))
        } else {
            format!("{}. {}", step.number, step.label)
        };
        let (fill, ink) = if red { ("#ffdcdc", "#a00000") } else { ("#e8eef7", "#203050") };
        let band = y;
        y += ROW;
        let mut lines = Vec::new();
        for event in &step.events {
            if matches!(event, Event::World(text) if text.starts_with("-- ")) {
                continue;
            }
            let text = view::event_line(event);
            widest = widest.max(text.chars().count());
            lines.push((event, text, y));
            y += ROW;
        }
        let _ = writeln!(bands, r#"<rect x="0" y="{}" width="100%" height="{}" fill="{fill}"/>"#, band, ROW - 2);
        let _ = writeln!(
            rows,
            r#"<text x="4" y="{}" fill="{ink}" font-weight="bold" stroke="{fill}" stroke-width="4" paint-order="stroke">{}</text>"#,
            band + 13,
            escape(&label)
        );
        widest = widest.max(label.chars().count() / 2);
        for (event, text, row) in lines {
            let mid = row + ROW / 2;
            match report::arrow(event) {
                Some((from, to, _)) => {
                    let (x1, x2) = (x(&from), x(&to));
                    let dash = if matches!(event, Event::Input(Input::Return(_))) { r#" stroke-dasharray="4 3""# } else { "" };
                    let _ = writeln!(
                        rows,
                        r#"<line x1="{x1}" y1="{mid}" x2="{x2}" y2="{mid}" stroke="{ink}" stroke-width="1.4" marker-end="url(#head)"{dash}/>"#
                    );
                }
                None => {
                    let cx = x("spooler");
                    let colour = if matches!(event, Event::Violation(_) | Event::Crash) { "#c00000" } else { "#707070" };
                    let _ = writeln!(rows, r#"<circle cx="{cx}" cy="{mid}" r="4" fill="{colour}"/>"#);
                }
            }
            let colour = if matches!(event, Event::Violation(_)) { "#c00000" } else { "#202020" };
            let _ = writeln!(rows, r#"<text x="{text_x}" y="{}" fill="{colour}">{}</text>"#, mid + 4, escape(&text));
        }
    }
    let height = y + 10;
    let width = text_x + widest * 7 + 20;
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="monospace" font-size="12" style="background:#ffffff">"#
    );
    out.push_str(r##"<defs><marker id="head" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#203050"/></marker></defs>"##);
    out.push('\n');
    out.push_str(&bands);
    for name in &names {
        let cx = x(name);
        let _ = writeln!(out, r##"<line x1="{cx}" y1="{}" x2="{cx}" y2="{height}" stroke="#9aa5b5" stroke-width="1"/>"##, TOP - 4);
        let _ = writeln!(out, r#"<text x="{cx}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"#, TOP - 10, escape(name));
    }
    out.push_str(&rows);
    out.push_str("</svg>");
    out
}

/// Text for SVG and HTML.
#[must_use]
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
