//! The baseline of the model-checking benchmark: a textbook two-phase commit, the
//! `TwoPhaseCommit` specification of Gray and Lamport's "Consensus on Transaction Commit"
//! (2004), written the way stateright's own `examples/2pc.rs` writes it: resource managers that
//! are working, prepared, committed or aborted, a transaction manager, and the set of messages
//! sent so far (nothing is ever lost or taken back).
//!
//! Its state is small and flat: a byte per resource manager, a flag per resource manager for the
//! transaction manager, and a set of messages.

use std::collections::BTreeSet;

use stateright::{Model, Property};

/// A resource manager's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rm {
    /// Working on the transaction.
    Working,
    /// Prepared to commit.
    Prepared,
    /// Committed.
    Committed,
    /// Aborted.
    Aborted,
}

/// The transaction manager's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tm {
    /// Collecting `Prepared` messages.
    Init,
    /// Decided to commit.
    Committed,
    /// Decided to abort.
    Aborted,
}

/// A message; the set of messages only grows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Msg {
    /// A resource manager is prepared.
    Prepared(u8),
    /// The transaction manager decided to commit.
    Commit,
    /// The transaction manager decided to abort.
    Abort,
}

/// The whole state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct State {
    rm: Vec<Rm>,
    tm: Tm,
    tm_prepared: Vec<bool>,
    msgs: BTreeSet<Msg>,
}

/// A step of the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The transaction manager receives a `Prepared` message.
    TmRcvPrepared(u8),
    /// The transaction manager commits (every resource manager is prepared).
    TmCommit,
    /// The transaction manager aborts.
    TmAbort,
    /// A working resource manager prepares.
    RmPrepare(u8),
    /// A working resource manager decides to abort.
    RmChooseToAbort(u8),
    /// A resource manager receives the commit decision.
    RmRcvCommit(u8),
    /// A resource manager receives the abort decision.
    RmRcvAbort(u8),
}

/// Two-phase commit with this many resource managers.
#[derive(Clone, Copy, Debug)]
pub struct TwoPhase {
    /// Resource managers (participants).
    pub rms: u8,
}

impl Model for TwoPhase {
    type State = State;
    type Action = Action;

    fn init_states(&self) -> Vec<State> {
        let n = usize::from(self.rms);
        vec![State { rm: vec![Rm::Working; n], tm: Tm::Init, tm_prepared: vec![false; n], msgs: BTreeSet::new() }]
    }

    fn actions(&self, s: &State, actions: &mut Vec<Action>) {
        if s.tm == Tm::Init && s.tm_prepared.iter().all(|p| *p) {
            actions.push(Action::TmCommit);
        }
        if s.tm == Tm::Init {
            actions.push(Action::TmAbort);
        }
        for r in 0..self.rms {
            let i = usize::from(r);
            if s.tm == Tm::Init && s.msgs.contains(&Msg::Prepared(r)) {
                actions.push(Action::TmRcvPrepared(r));
            }
            if s.rm[i] == Rm::Working {
                actions.push(Action::RmPrepare(r));
                actions.push(Action::RmChooseToAbort(r));
            }
            if s.msgs.contains(&Msg::Commit) {
                actions.push(Action::RmRcvCommit(r));
            }
            if s.msgs.contains(&Msg::Abort) {
                actions.push(Action::RmRcvAbort(r));
            }
        }
    }

    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        let mut s = last.clone();
        match action {
            Action::TmRcvPrepared(r) => s.tm_prepared[usize::from(r)] = true,
            Action::TmCommit => {
                s.tm = Tm::Committed;
                s.msgs.insert(Msg::Commit);
            }
            Action::TmAbort => {
                s.tm = Tm::Aborted;
                s.msgs.insert(Msg::Abort);
            }
            Action::RmPrepare(r) => {
                s.rm[usize::from(r)] = Rm::Prepared;
                s.msgs.insert(Msg::Prepared(r));
            }
            Action::RmChooseToAbort(r) | Action::RmRcvAbort(r) => s.rm[usize::from(r)] = Rm::Aborted,
            Action::RmRcvCommit(r) => s.rm[usize::from(r)] = Rm::Committed,
        }
        Some(s)
    }

    fn properties(&self) -> Vec<Property<TwoPhase>> {
        vec![
            Property::always("consistent", |_, s: &State| !(s.rm.contains(&Rm::Aborted) && s.rm.contains(&Rm::Committed))),
            Property::sometimes("abort agreement", |_, s: &State| s.rm.iter().all(|r| *r == Rm::Aborted)),
            Property::sometimes("commit agreement", |_, s: &State| s.rm.iter().all(|r| *r == Rm::Committed)),
        ]
    }
}

/// The representative of a state under renaming of resource managers: they are sorted by
/// their state, their flag at the transaction manager and whether their `Prepared` message was
/// sent, and renamed in that order.
#[must_use]
pub fn representative(s: &State) -> State {
    let mut order: Vec<usize> = (0..s.rm.len()).collect();
    let key = |i: usize| (s.rm[i], s.tm_prepared[i], s.msgs.contains(&Msg::Prepared(i as u8)));
    order.sort_by_key(|&i| key(i));
    let mut new_name = vec![0u8; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_name[old] = new as u8;
    }
    State {
        rm: order.iter().map(|&i| s.rm[i]).collect(),
        tm: s.tm,
        tm_prepared: order.iter().map(|&i| s.tm_prepared[i]).collect(),
        msgs: s
            .msgs
            .iter()
            .map(|m| match m {
                Msg::Prepared(r) => Msg::Prepared(new_name[usize::from(*r)]),
                other => *other,
            })
            .collect(),
    }
}
