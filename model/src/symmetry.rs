//! Symmetry reduction: one canonical state per class of states that differ only in the names of
//! messages and in the order of recipient rows with the same address.
//!
//! Every message of a run is the same draft, and nothing in the spooler, the monitor or the
//! store depends on the value of a message identifier, only on the message's place in the queue
//! (see [`mapi_spooler::Renaming`]). So renaming the messages, and permuting recipient rows of one
//! message that carry the same address, maps a state to one that behaves the same under the new
//! names. Transports are not interchangeable here: each registers its own address types, and
//! their order is the routing order (ORD-4).
//!
//! The representative is a true canonical form. Each message gets a key from everything the
//! world knows about it apart from its name (its place in the queue, its flags and stage, and
//! the sorted keys of its rows); rows get keys the same way. The messages are renamed in key
//! order and the rows of each address are put in key order; where keys tie, every order is
//! tried, and the least resulting state (by hash, then by its full description) is the
//! representative. The keys do not depend on names or row order, so two states of one class
//! try the same set of candidates and pick the same one. Ties between messages that only the
//! store still remembers (finished or aborted, with equal keys) need no trying: their keys cover
//! everything about them, so swapping them changes nothing.

use std::hash::{BuildHasher, Hash, Hasher};

use mapi_spooler::{MessageId, RecipientIdx, RecipientRow, Renaming};
use smallvec::SmallVec;

use crate::world::{Action, Answer, STORE, World};

/// The representative of a state's class (see the module documentation).
#[must_use]
pub fn representative(state: &World) -> World {
    let candidates = candidates(state);
    // Usually the keys leave one candidate: it is the representative, with no need to compare.
    if let [only] = candidates.as_slice() {
        return state.renamed(only);
    }
    let mut best: Option<(u64, World)> = None;
    for renaming in candidates {
        let candidate = state.renamed(&renaming);
        let fingerprint = hash_of(&candidate);
        let better = match &best {
            None => true,
            Some((f, b)) => fingerprint < *f || (fingerprint == *f && candidate != *b && format!("{candidate:?}") < format!("{b:?}")),
        };
        if better {
            best = Some((fingerprint, candidate));
        }
    }
    best.map_or_else(|| state.renamed(&Renaming::new()), |(_, w)| w)
}

/// The hasher of keys and fingerprints: fast, and the same in every run and on every thread
/// (fixed seeds), so that the representative of a class never depends on the run.
fn hasher() -> ahash::AHasher {
    ahash::RandomState::with_seeds(0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344, 0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89)
        .build_hasher()
}

fn hash_of<T: Hash>(value: &T) -> u64 {
    let mut h = hasher();
    value.hash(&mut h);
    h.finish()
}

/// A message as the canonical form sees it.
struct Entry {
    id: MessageId,
    key: u64,
    /// Something besides the store remembers it.
    live: bool,
    /// The orders its rows may take: each a permutation, old row `i` to new row `p[i]`.
    row_orders: Vec<Vec<u16>>,
}

/// The renamings to try: messages in key order, rows of each address in key order, every order
/// among live ties.
fn candidates(state: &World) -> Vec<Renaming> {
    let names: Vec<MessageId> = state.store(STORE).messages().map(|(id, _)| id).collect();
    let mut entries: Vec<Entry> = names.iter().map(|&id| entry(state, id)).collect();
    entries.sort_by_key(|e| e.key);

    // Message orders: within a run of equal keys, every permutation if one of them is live.
    let mut orders: Vec<Vec<usize>> = vec![Vec::new()];
    let mut start = 0;
    while start < entries.len() {
        let end = start + entries[start..].iter().take_while(|e| e.key == entries[start].key).count();
        let group: Vec<usize> = (start..end).collect();
        let permutations = if entries[start..end].iter().any(|e| e.live) { permutations(&group) } else { vec![group] };
        orders = orders.iter().flat_map(|o| permutations.iter().map(move |p| [o.as_slice(), p].concat())).collect();
        start = end;
    }

    let mut out = Vec::new();
    for order in orders {
        // Row orders of every message, combined.
        let mut renamings = vec![Renaming::new()];
        for (slot, &i) in order.iter().enumerate() {
            let (e, name) = (&entries[i], names[slot]);
            if let [only] = e.row_orders.as_slice() {
                // One order for the rows (the usual case): every renaming takes it as it is.
                for r in &mut renamings {
                    extend(r, e.id, name, only);
                }
            } else {
                renamings = renamings
                    .iter()
                    .flat_map(|r| {
                        e.row_orders.iter().map(move |p| {
                            let mut r = r.clone();
                            extend(&mut r, e.id, name, p);
                            r
                        })
                    })
                    .collect();
            }
        }
        out.extend(renamings);
    }
    out
}

/// Adds to a renaming: message `id` becomes `name`, its rows take the order `rows`. A name or an
/// order that stays as it is needs no entry.
fn extend(renaming: &mut Renaming, id: MessageId, name: MessageId, rows: &[u16]) {
    if id != name {
        renaming.rename_message(id, name);
    }
    if rows.iter().enumerate().any(|(i, j)| usize::from(*j) != i) {
        renaming.permute_rows(id, rows.to_vec());
    }
}

/// The key of a message and of its rows, and the row orders to try.
fn entry(state: &World, id: MessageId) -> Entry {
    let stored = state.store(STORE).message(id);
    let rows: Rows = stored
        .map(|m| m.recipients.iter().enumerate().map(|(r, rec)| (address(rec.row), row_key(state, id, RecipientIdx(r as u16)))).collect())
        .unwrap_or_default();
    let live = state.is_live(id);

    let mut h = hasher();
    if let Some(m) = stored {
        (m.placement, m.submit_flags, m.submitted, m.unsent, m.preprocess, m.sentmail, m.delete_after_submit, m.reports, m.outcome)
            .hash(&mut h);
    }
    state.store(STORE).queue_position(id).hash(&mut h);
    state.world.hash_message(id, &mut h);
    // The rows as a multiset: sorted by address (its hash) and key.
    let mut sorted: SmallVec<[(u64, u64, RecipientRow); 4]> = rows.iter().map(|(row, key)| (hash_of(row), *key, *row)).collect();
    sorted.sort_unstable_by_key(|(address, key, _)| (*address, *key));
    sorted.len().hash(&mut h);
    for (_, key, row) in &sorted {
        (row, key).hash(&mut h);
    }

    Entry { id, key: h.finish(), live, row_orders: row_orders(&rows, live) }
}

/// The address and key of each row of a message, in row order.
type Rows = SmallVec<[(RecipientRow, u64); 4]>;

/// A row's address: the row without its `PR_RESPONSIBILITY`, which changes as it is sent.
fn address(row: RecipientRow) -> RecipientRow {
    RecipientRow { responsibility: false, ..row }
}

/// Everything the world knows of one recipient row.
fn row_key(state: &World, id: MessageId, r: RecipientIdx) -> u64 {
    let mut h = hasher();
    state.store(STORE).message(id).and_then(|m| m.recipients.get(r.index())).hash(&mut h);
    state.spooler().hash_recipient(id, r, &mut h);
    state.monitor().hash_recipient(id, r, &mut h);
    h.finish()
}

/// The orders the rows may take: the rows of each address go to that address's places in key
/// order; ties are tried in every order when the message is live.
fn row_orders(rows: &[(RecipientRow, u64)], live: bool) -> Vec<Vec<u16>> {
    let mut orders: Vec<Vec<u16>> = vec![(0..rows.len() as u16).collect()];
    // Rows that all have different addresses keep their places.
    if rows.iter().enumerate().all(|(i, (a, _))| rows[..i].iter().all(|(b, _)| a != b)) {
        return orders;
    }
    let mut done = vec![false; rows.len()];
    for i in 0..rows.len() {
        if done[i] {
            continue;
        }
        // The places of this address, and its rows by key.
        let places: Vec<usize> = (i..rows.len()).filter(|&j| rows[j].0 == rows[i].0).collect();
        for &j in &places {
            done[j] = true;
        }
        let mut by_key = places.clone();
        by_key.sort_by_key(|&j| rows[j].1);
        // Groups of equal keys, each tried in every order.
        let mut arrangements: Vec<Vec<usize>> = vec![Vec::new()];
        let mut start = 0;
        while start < by_key.len() {
            let end = start + by_key[start..].iter().take_while(|&&j| rows[j].1 == rows[by_key[start]].1).count();
            let group = &by_key[start..end];
            let permutations = if live { permutations(group) } else { vec![group.to_vec()] };
            arrangements = arrangements.iter().flat_map(|a| permutations.iter().map(move |p| [a.as_slice(), p].concat())).collect();
            start = end;
        }
        orders = orders
            .iter()
            .flat_map(|o| {
                arrangements.iter().map(|a| {
                    let mut o = o.clone();
                    for (place, &row) in places.iter().zip(a) {
                        o[row] = *place as u16;
                    }
                    o
                })
            })
            .collect();
    }
    orders
}

/// Every permutation of the items, in lexicographic order of positions.
fn permutations<T: Copy>(items: &[T]) -> Vec<Vec<T>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, first);
            out.push(tail);
        }
    }
    out
}

impl World {
    /// The same world under other names for messages and recipient rows.
    #[must_use]
    pub fn renamed(&self, renaming: &Renaming) -> World {
        World {
            world: self.world.renamed(renaming),
            disabled: self.disabled,
            drafts: self.drafts,
            budget: self.budget,
            broken: self.broken.clone(),
            mail: self.mail,
            arrivals: self.arrivals,
            logoff: self.logoff,
            waiting: self.waiting,
            reference: crate::world::Judged(self.reference.0.renamed(renaming)),
        }
    }
}

impl Action {
    /// The same move in a renamed world: messages renamed, and the rows of a partial answer
    /// permuted as the rows of the message in flight (`in_flight` names it, before renaming).
    #[must_use]
    pub fn renamed(&self, renaming: &Renaming, in_flight: Option<MessageId>) -> Action {
        match self {
            Action::Abort(m) => Action::Abort(renaming.message(*m)),
            Action::Cancel(mapi_spooler::CancelRequest::Outbound { store, message }) => {
                Action::Cancel(mapi_spooler::CancelRequest::Outbound { store: *store, message: renaming.message(*message) })
            }
            Action::SentDeferred(t, m) => Action::SentDeferred(*t, renaming.message(*m)),
            Action::Answer(Answer::Take(rows)) => match in_flight {
                Some(m) => Action::Answer(Answer::Take(renaming.rows(m, rows))),
                None => self.clone(),
            },
            other => other.clone(),
        }
    }
}
