//! What became of every submitted message and recipient in a simulation.

use std::collections::BTreeMap;
use std::fmt;

use crate::effect::{NdrOrigin, RecipientOutcome};
use crate::ids::{FolderId, TransportId};
use crate::store::{Outcome, Placement};

use super::Sim;

/// Counts of outcomes. Every submitted message is counted in exactly one of `finished`,
/// `aborted` and `queued`, and every recipient of a finished message in exactly one of the
/// recipient counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Messages submitted by the client (and accepted by the store).
    pub submitted: usize,
    /// Messages the store finished with `FinishedMsg`, by where they ended up.
    pub finished: BTreeMap<String, usize>,
    /// Messages aborted by the client before the spooler locked them.
    pub aborted: usize,
    /// Messages still in the outgoing queue.
    pub queued: usize,
    /// Recipients taken by each transport.
    pub taken: BTreeMap<TransportId, usize>,
    /// Recipients found undeliverable: no transport, or a preprocessor.
    pub undeliverable: usize,
    /// Recipients that were already taken when submitted.
    pub already_taken: usize,
    /// Recipients without a final disposition (only in messages not finished).
    pub open: usize,
    /// Delivery-status reports raised.
    pub reports: usize,
    /// Inputs the spooler refused (0 in a world that follows the documentation).
    pub refused: usize,
}

fn placement_name(p: Placement) -> String {
    match p {
        Placement::Deleted => "deleted".to_owned(),
        Placement::Folder(FolderId(1)) => "left in Outbox".to_owned(),
        Placement::Folder(FolderId(2)) => "moved to Sent Items".to_owned(),
        Placement::Folder(f) => format!("moved to folder {f}"),
    }
}

impl Summary {
    pub(super) fn of(sim: &Sim) -> Summary {
        let mut s = Summary { submitted: sim.submitted().len(), refused: sim.refused().len(), ..Summary::default() };
        for (store, id) in sim.submitted() {
            let Some(m) = sim.store(*store).message(*id) else { continue };
            match m.outcome {
                Outcome::Queued => s.queued += 1,
                Outcome::Aborted => s.aborted += 1,
                Outcome::Finished(p) => *s.finished.entry(placement_name(p)).or_default() += 1,
            }
            for r in &m.recipients {
                s.reports += usize::from(r.reports);
                match r.outcome {
                    Some(RecipientOutcome::Transport(t)) => *s.taken.entry(t).or_default() += 1,
                    Some(RecipientOutcome::Undeliverable(NdrOrigin::NoTransport | NdrOrigin::Preprocessor(_))) => s.undeliverable += 1,
                    None if r.row.responsibility => s.already_taken += 1,
                    None => s.open += 1,
                }
            }
        }
        s
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<32}{:>6}", "messages submitted", self.submitted)?;
        for (placement, n) in &self.finished {
            writeln!(f, "  {:<30}{n:>6}", format!("finished, {placement}"))?;
        }
        writeln!(f, "{:<32}{:>6}", "  aborted", self.aborted)?;
        writeln!(f, "{:<32}{:>6}", "  still queued", self.queued)?;
        writeln!(f, "recipients")?;
        for (t, n) in &self.taken {
            writeln!(f, "  {:<30}{n:>6}", format!("taken by {t}"))?;
        }
        writeln!(f, "{:<32}{:>6}", "  undeliverable (NDR)", self.undeliverable)?;
        writeln!(f, "{:<32}{:>6}", "  already taken", self.already_taken)?;
        writeln!(f, "{:<32}{:>6}", "  still open", self.open)?;
        writeln!(f, "{:<32}{:>6}", "reports raised", self.reports)?;
        write!(f, "{:<32}{:>6}", "inputs refused", self.refused)
    }
}
