//! The frontier of the conformance checker: every state of a legal spooler, with its monitor,
//! that is consistent with the trace so far (issue 14 item 4).
//!
//! A trace conforms when some spooler that keeps every documented rule, facing providers and
//! stores that keep theirs, produces it. Where the documentation leaves the spooler free
//! (`spec/freedom.md`), the core lists the legal choices ([`Spooler::choices`]) and takes one
//! ([`Spooler::decide`]); the frontier follows every choice that makes the event the trace
//! records next and drops the others, so a choice is judged by everything that comes after it,
//! not only by the next line. Equal states are kept once.
//!
//! The choices are taken when the trace shows their effect, not before: an input may come while
//! a call is due and not yet made (other threads call the spooler at any time), so a call may
//! come later than the reference makes it: a lock (FREE-24), a retry after a delay (FREE-32 to
//! FREE-35), a `StartMessage` (FREE-47), a release (FREE-63). A step the
//! documentation lets the spooler pass over ([`crate::Skip`]) is passed over only when the trace
//! needs it (when the next event is not otherwise possible, or at the end of the trace). Passing
//! due work over later rather than at once gives the same calls, so no trace is lost by it.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};

use super::Recorded;
use crate::{Call, CallerError, Choice, Effect, Error, Input, Monitor, Spooler, Violation};

/// One state consistent with the trace: the spooler, the monitor that watched it, and the
/// effects it made that the trace has not shown yet (only those of the recorded kinds).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Node {
    pub(super) spooler: Spooler,
    pub(super) monitor: Monitor,
    pub(super) owed: VecDeque<Effect>,
}

/// Why a state cannot take the trace's next event.
#[derive(Clone, Debug)]
pub(super) enum Death {
    /// The spooler still owes this effect, which must come first.
    Owes(Effect),
    /// A call is in flight: the spooler makes no other call until it returns (AMB-20).
    Waits(Call),
    /// The recorded effect is none of the spooler's legal next effects here.
    Other,
    /// The spooler refuses the input: whoever sent it broke the contract.
    Refused(Error),
    /// The input, or what it made the spooler do, breaks a property the monitor checks.
    Broke(Violation),
}

/// A state that cannot take the event, as it was before, with why.
pub(super) struct Dead {
    pub(super) node: Node,
    pub(super) death: Death,
}

/// How many dead states a step keeps for the divergence report: the first in frontier order,
/// where the reference's own choices come first.
const KEPT_DEAD: usize = 16;

/// The dead states of one step, the first [`KEPT_DEAD`].
#[derive(Default)]
pub(super) struct Deaths(pub(super) Vec<Dead>);

impl Deaths {
    fn push(&mut self, node: Node, death: Death) {
        if self.0.len() < KEPT_DEAD {
            self.0.push(Dead { node, death });
        }
    }
}

impl Node {
    /// The state before the session starts.
    pub(super) fn new(spooler: Spooler, monitor: Monitor) -> Node {
        Node { spooler, monitor, owed: VecDeque::new() }
    }

    /// The trace's next event is an input: the states that take it go to `out`.
    pub(super) fn input(mut self, input: &Input, recorded: Recorded, out: &mut Vec<Node>, deaths: &mut Deaths) {
        if let Some(owed) = self.owed.front() {
            let owed = owed.clone();
            deaths.push(self, Death::Owes(owed));
            return;
        }
        match self.spooler.accept(input.clone()) {
            Err(error) => {
                // Due work the spooler passed over may have moved it on (the end of start-up,
                // of the session) so that it takes the input.
                let count = out.len();
                self.skipping_towards(input, recorded, out);
                if out.len() == count {
                    // A return for a call the spooler has due but the trace does not show: the
                    // spooler's call is missing, not the provider's return out of place.
                    let death = match (input, &error) {
                        (Input::Return(ret), Error::Caller(CallerError::NoCallInFlight { .. })) => self
                            .spooler
                            .choices()
                            .iter()
                            .filter_map(Choice::call)
                            .find(|call| call.is_answered_by(ret))
                            .map_or(Death::Refused(error), |call| Death::Owes(Effect::Call(call))),
                        _ => Death::Refused(error),
                    };
                    deaths.push(self, death);
                }
            }
            Ok(effects) => match self.monitor.observe(input, &effects) {
                Err(violation) => {
                    deaths.push(self, Death::Broke(violation));
                }
                Ok(()) => {
                    self.owed.extend(effects.into_iter().filter(|e| shown(recorded, e)));
                    out.push(self);
                }
            },
        }
    }

    /// The states that take `input` after passing over due work, without showing anything.
    fn skipping_towards(&self, input: &Input, recorded: Recorded, out: &mut Vec<Node>) {
        for choice in self.spooler.choices().iter().filter(|c| matches!(c, Choice::Skip(_))) {
            if let Some(skipped) = self.taken(choice, recorded).filter(|n| n.owed.is_empty()) {
                let mut ignored = Deaths::default();
                skipped.input(input, recorded, out, &mut ignored);
            }
        }
    }

    /// The trace's next event is an effect of the spooler: the states that show it next go to
    /// `out`.
    pub(super) fn effect(mut self, effect: &Effect, recorded: Recorded, out: &mut Vec<Node>, deaths: &mut Deaths) {
        if let Some(owed) = self.owed.front() {
            if owed == effect {
                self.owed.pop_front();
                out.push(self);
            } else {
                let owed = owed.clone();
                deaths.push(self, Death::Owes(owed));
            }
            return;
        }
        if let Some(call) = self.spooler.call_in_flight() {
            let call = call.clone();
            deaths.push(self, Death::Waits(call));
            return;
        }
        let before = out.len();
        self.towards(effect, recorded, out);
        if out.len() == before {
            deaths.push(self, Death::Other);
        }
    }

    /// Every legal choice whose first shown effect is `effect`, directly or after passing over
    /// due work the documentation lets the spooler pass over.
    fn towards(&self, effect: &Effect, recorded: Recorded, out: &mut Vec<Node>) {
        let before = out.len();
        match effect {
            // The call names the choice, in any of its legal forms (a part of the recipients of
            // an offer, FREE-27): one try.
            Effect::Call(call) if !matches!(call, Call::CreateMessage { .. }) => {
                out.extend(self.taking(&Choice::Call(call.clone()), effect, recorded));
            }
            // A fetch's CreateMessage does not name the transport it is for (FREE-21); the
            // spooler's other effects name no choice: every choice is tried.
            _ => {
                for choice in self.spooler.choices().iter().filter(|c| !matches!(c, Choice::Skip(_))) {
                    out.extend(self.taking(choice, effect, recorded));
                }
            }
        }
        // A call found is made as well after passing due work over, which can wait (see the
        // module's documentation); the spooler's other effects may be the steps on the way of
        // passing it over.
        if out.len() > before && matches!(effect, Effect::Call(_)) {
            return;
        }
        for choice in self.spooler.choices().iter().filter(|c| matches!(c, Choice::Skip(_))) {
            let Some(skipped) = self.taken(choice, recorded) else { continue };
            match skipped.owed.front() {
                None => skipped.towards(effect, recorded, out),
                Some(first) if first == effect => {
                    let mut skipped = skipped;
                    skipped.owed.pop_front();
                    out.push(skipped);
                }
                Some(_) => {}
            }
        }
    }

    /// The state after taking `choice`, if it is a legal choice here whose first shown effect
    /// is `effect`; that effect is then shown.
    fn taking(&self, choice: &Choice, effect: &Effect, recorded: Recorded) -> Option<Node> {
        let mut next = self.taken(choice, recorded)?;
        (next.owed.pop_front().as_ref() == Some(effect)).then_some(next)
    }

    /// The state after taking `choice`, if the spooler has it and the monitor finds it keeps
    /// every property.
    fn taken(&self, choice: &Choice, recorded: Recorded) -> Option<Node> {
        let mut next = self.clone();
        let effects = next.spooler.take(choice).ok()?;
        next.monitor.observe_effects(&effects).ok()?;
        next.owed.extend(effects.into_iter().filter(|e| shown(recorded, e)));
        Some(next)
    }

    /// True when the trace may end here: nothing is owed, and no call is due that the spooler
    /// could not pass over.
    pub(super) fn may_end(&self, recorded: Recorded) -> bool {
        if !self.owed.is_empty() {
            return false;
        }
        if self.spooler.call_in_flight().is_some() {
            return true;
        }
        let choices = self.spooler.choices();
        choices.is_empty()
            || choices.iter().filter(|c| matches!(c, Choice::Skip(_))).filter_map(|c| self.taken(c, recorded)).any(|n| n.may_end(recorded))
    }

    /// The effect the state shows next at the latest: what it owes, else the reference's choice.
    pub(super) fn next_effect(&self, recorded: Recorded) -> Option<Effect> {
        if let Some(owed) = self.owed.front() {
            return Some(owed.clone());
        }
        self.legal_next(recorded).into_iter().next()
    }

    /// The first shown effect of each legal choice (passing due work over where that shows
    /// something), the reference's first, each once.
    pub(super) fn legal_next(&self, recorded: Recorded) -> Vec<Effect> {
        let mut next: Vec<Effect> = Vec::new();
        for choice in self.spooler.choices() {
            let Some(node) = self.taken(&choice, recorded) else { continue };
            let shows = match (&choice, node.owed.front()) {
                (_, Some(first)) => vec![first.clone()],
                (Choice::Skip(_), None) => node.legal_next(recorded),
                (_, None) => Vec::new(),
            };
            for effect in shows {
                if !next.contains(&effect) {
                    next.push(effect);
                }
            }
        }
        next
    }
}

/// True when a trace recording `recorded` shows this effect.
pub(super) fn shown(recorded: Recorded, effect: &Effect) -> bool {
    recorded == Recorded::All || effect.reaches_a_provider()
}

/// Keeps the first of each group of equal states, in order.
pub(super) fn dedup(nodes: &mut Vec<Node>) {
    if nodes.len() < 2 {
        return;
    }
    let hasher = RandomState::new();
    let mut seen: HashMap<u64, Vec<usize>> = HashMap::with_capacity(nodes.len());
    let mut keep = vec![true; nodes.len()];
    for i in 0..nodes.len() {
        match seen.entry(hasher.hash_one(&nodes[i])) {
            Entry::Vacant(slot) => {
                slot.insert(vec![i]);
            }
            Entry::Occupied(mut slot) => {
                if slot.get().iter().any(|&j| nodes[j] == nodes[i]) {
                    keep[i] = false;
                } else {
                    slot.get_mut().push(i);
                }
            }
        }
    }
    let mut keep = keep.into_iter();
    nodes.retain(|_| keep.next().unwrap_or(true));
}
