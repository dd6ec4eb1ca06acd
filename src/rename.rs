//! Renamings of messages and of recipient rows, for symmetry reduction.
//!
//! Nothing the spooler, the monitor or the reference store does depends on the value of a
//! message identifier, only on the identity of the message and on its place in the queue; and
//! nothing depends on the index of a recipient row except through the row's contents. So
//! renaming messages, and permuting recipient rows that have identical contents within a
//! message, maps a state to an equivalent one: the same behaviour, under other names. A model
//! checker uses that to explore one state per class.

use std::collections::BTreeMap;

use crate::effect::Call;
use crate::ids::{MessageId, RecipientIdx};
use crate::recipients::RecipientSet;

/// A renaming: old message identifiers to new ones, and per message (named by its old
/// identifier) a permutation of its recipient rows. Unnamed messages and rows keep their names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Renaming {
    messages: BTreeMap<MessageId, MessageId>,
    rows: BTreeMap<MessageId, Vec<u16>>,
}

impl Renaming {
    /// The renaming that changes nothing.
    #[must_use]
    pub fn new() -> Renaming {
        Renaming::default()
    }

    /// Renames message `from` to `to`.
    pub fn rename_message(&mut self, from: MessageId, to: MessageId) {
        self.messages.insert(from, to);
    }

    /// Permutes the recipient rows of a message: old row `i` becomes row `permutation[i]`. The
    /// caller must only permute rows with identical contents.
    pub fn permute_rows(&mut self, message: MessageId, permutation: Vec<u16>) {
        self.rows.insert(message, permutation);
    }

    /// True when the renaming changes nothing.
    #[must_use]
    pub fn is_identity(&self) -> bool {
        self.messages.iter().all(|(a, b)| a == b) && self.rows.values().all(|p| p.iter().enumerate().all(|(i, j)| usize::from(*j) == i))
    }

    /// The new name of a message.
    #[must_use]
    pub fn message(&self, m: MessageId) -> MessageId {
        self.messages.get(&m).copied().unwrap_or(m)
    }

    /// The new index of a row of message `m` (its old name).
    #[must_use]
    pub fn row(&self, m: MessageId, r: RecipientIdx) -> RecipientIdx {
        self.rows.get(&m).and_then(|p| p.get(r.index())).map_or(r, |n| RecipientIdx(*n))
    }

    /// A set of rows of message `m` (its old name), renamed.
    #[must_use]
    pub fn rows(&self, m: MessageId, set: &RecipientSet) -> RecipientSet {
        if self.rows.contains_key(&m) { set.iter().map(|r| self.row(m, r)).collect() } else { set.clone() }
    }

    /// Per-row values of message `m` (its old name), in their new order.
    #[must_use]
    pub fn reorder<T: Clone>(&self, m: MessageId, values: &[T]) -> Vec<T> {
        let Some(permutation) = self.rows.get(&m) else { return values.to_vec() };
        let mut out = values.to_vec();
        for (i, value) in values.iter().enumerate() {
            if let Some(j) = permutation.get(i) {
                out[usize::from(*j)] = value.clone();
            }
        }
        out
    }

    /// Puts per-row values of message `m` (its old name) in their new order, in place.
    pub fn reorder_in_place<T: Clone>(&self, m: MessageId, values: &mut [T]) {
        if self.rows.contains_key(&m) {
            let reordered = self.reorder(m, values);
            values.clone_from_slice(&reordered);
        }
    }

    /// A call, with the message it names and the rows it offers renamed (each argument renames
    /// as its type says: `crate::method::Arg`).
    #[must_use]
    pub fn call(&self, call: &Call) -> Call {
        call.renamed(self)
    }
}
