//! The spooler under other names, and what it knows of one message or recipient row apart from
//! their names: what a model checker needs for symmetry reduction (see [`crate::Renaming`]).

use std::hash::{Hash, Hasher};

use super::{InFlight, Spooler};
use crate::ids::{MessageId, RecipientIdx};

impl Spooler {
    /// The same spooler with messages renamed and recipient rows permuted: it behaves the same,
    /// under the new names.
    #[must_use]
    pub fn renamed(&self, renaming: &crate::Renaming) -> Spooler {
        if renaming.is_identity() {
            return self.clone();
        }
        let mut out = self.clone();
        out.messages = std::mem::take(&mut out.messages).renamed(renaming);
        for m in &mut out.aborting {
            *m = renaming.message(*m);
        }
        out.in_flight = self.in_flight.as_ref().map(|f| match f {
            InFlight::Plain(call) => InFlight::Plain(renaming.call(call)),
            InFlight::Submit { call, message, offered, deferred, reports } => InFlight::Submit {
                call: renaming.call(call),
                message: renaming.message(*message),
                offered: renaming.rows(*message, offered),
                deferred: *deferred,
                reports: reports.iter().map(|(r, kind)| (renaming.row(*message, *r), *kind)).collect(),
            },
            InFlight::End { call, message, offered, accepted, deferred } => InFlight::End {
                call: renaming.call(call),
                message: renaming.message(*message),
                offered: renaming.rows(*message, offered),
                accepted: renaming.rows(*message, accepted),
                deferred: *deferred,
            },
        });
        out
    }

    /// Feeds into `state` what the spooler knows of a message apart from its name and its
    /// recipient rows: its place in the queue, its stage and flags, its retry blocks, and which
    /// call in flight concerns it.
    pub fn hash_message<H: Hasher>(&self, m: MessageId, state: &mut H) {
        self.messages.position(m).hash(state);
        if let Some(msg) = self.messages.get(m) {
            (msg.store, msg.flags, msg.preprocess, msg.reports, msg.stage, &msg.blocks, msg.preprocessed_by, msg.cancelled).hash(state);
            self.aborting.iter().position(|a| *a == m).hash(state);
        }
        if let Some(f) = &self.in_flight {
            let message = match f {
                InFlight::Plain(call) => call.message(),
                InFlight::Submit { message, .. } | InFlight::End { message, .. } => Some(*message),
            };
            if message == Some(m) {
                (f.call().method(), f.call().transport()).hash(state);
            }
        }
    }

    /// Feeds into `state` what the spooler knows of one recipient row of a message: the row,
    /// what became of it, and its part in the exchange in flight.
    pub fn hash_recipient<H: Hasher>(&self, m: MessageId, r: RecipientIdx, state: &mut H) {
        if let Some(msg) = self.messages.get(m) {
            (msg.recipients.get(r.index()), msg.disp.get(r.index())).hash(state);
        }
        match &self.in_flight {
            Some(InFlight::Submit { message, offered, reports, .. }) if *message == m => {
                (offered.contains(r), reports.iter().filter(|(row, _)| *row == r).map(|(_, kind)| *kind).collect::<Vec<_>>()).hash(state);
            }
            Some(InFlight::End { message, offered, accepted, .. }) if *message == m => {
                (offered.contains(r), accepted.contains(r)).hash(state)
            }
            _ => {}
        }
    }
}
