//! The world around one spooler: its transport providers, message stores, hook providers and
//! client, as one value that every test of the spooler drives.
//!
//! The simulator ([`crate::sim`]), the model checker, the stateful property tests and the fuzz
//! target all play the same world, each with its own [`Policy`]: the simulator's seeded scripts,
//! the model checker's choice among every documented answer, the property tests' generated
//! choices, the fuzz target's deliberately wrong answers. The world does everything that does not
//! depend on the policy, once: what a store does when the spooler calls it, the support calls a
//! transport makes before it returns, what each transport was told (its lifecycle, its
//! directions, its critical section, a cancel of its transfer), the deferred messages the
//! transports hold, the protocol [`Monitor`] watching every step, and the check that the spooler
//! makes one call at a time (AMB-20). quinn-proto's test `Pair` is the pattern: one test double,
//! many drivers.
//!
//! A [`World`] is a plain `Clone + Eq + Hash` value, so a model checker can explore it; what a
//! policy keeps of a run (a trace, statistics) lives in the policy.
//!
//! ```
//! use mapi_spooler::world::{Policy, Submission, World};
//! use mapi_spooler::{AddrType, Hresult, MessageId, Profile, RecipientRow, RecipientSet, Registrations, SubmitFlags, SubmitOutcome, MsgRef, TransportId};
//! use mapi_spooler::store::Draft;
//!
//! /// Transports that take every recipient.
//! struct Plain;
//!
//! impl Policy for Plain {
//!     fn registrations(&mut self, _: &World, t: TransportId) -> Result<Registrations, Hresult> {
//!         Ok(Registrations::address_types([AddrType(u16::from(t.0))]))
//!     }
//!     fn submit(&mut self, _: &World, _: TransportId, _: MessageId, _: SubmitFlags, offered: &RecipientSet) -> Submission {
//!         Submission::returns(SubmitOutcome::Accepted { msg_ref: MsgRef(1), accepted: offered.clone() })
//!     }
//! }
//!
//! let mut world = World::new(&Profile::new(1)).unwrap();
//! world.start(&mut Plain);
//! while world.answer(&mut Plain) {}
//! let id = world.submit(mapi_spooler::StoreId(0), Draft::to(vec![RecipientRow::new(AddrType(0))]), &mut Plain).unwrap();
//! while world.answer(&mut Plain) {}
//! // SUB-26: the message was sent and finished.
//! assert!(matches!(world.store(mapi_spooler::StoreId(0)).message(id).unwrap().outcome, mapi_spooler::store::Outcome::Finished(_)));
//! ```

mod answer;
mod moves;
mod policy;
mod transport;

pub use policy::{Breach, LogonAnswer, Note, Policy, Start, Step, Submission};
pub use transport::{Logon, Transport};

use std::hash::Hasher;

use smallvec::SmallVec;

use crate::effect::{Call, Effect, Effects};
use crate::error::Error;
use crate::flags::StatusCode;
use crate::ids::{MessageId, StoreId, TransportId};
use crate::input::Input;
use crate::monitor::Monitor;
use crate::recipients::TransportSet;
use crate::rename::Renaming;
use crate::spooler::{Profile, Spooler, TransportView};
use crate::store::ReferenceStore;

/// The world around one spooler: the spooler itself, the monitor watching it, the message
/// stores, the transports and what they hold.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct World {
    spooler: Spooler,
    monitor: Monitor,
    stores: Stores,
    transports: SmallVec<[Transport; 2]>,
    /// The message a transport took with `S_OK` and has not seen `EndMessage` for (SUB-27):
    /// the spooler makes one call at a time, so there is at most one.
    in_hand: Option<(TransportId, MessageId)>,
    /// Deferred messages the transports hold and will announce with `NOTIFY_SENTDEFERRED`
    /// (DEF-2), in the order they took them. Usually none: a boxed slice keeps the world small.
    held: Box<[(TransportId, MessageId)]>,
}

/// The message stores of a world: nearly always one, kept in place (a model checker copies the
/// world for every state it reaches, so its size counts).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Stores {
    One([ReferenceStore; 1]),
    Many(Vec<ReferenceStore>),
}

impl Stores {
    fn as_slice(&self) -> &[ReferenceStore] {
        match self {
            Stores::One(one) => one,
            Stores::Many(many) => many,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [ReferenceStore] {
        match self {
            Stores::One(one) => one,
            Stores::Many(many) => many,
        }
    }

    fn map(&self, f: impl Fn(&ReferenceStore) -> ReferenceStore) -> Stores {
        match self {
            Stores::One([one]) => Stores::One([f(one)]),
            Stores::Many(many) => Stores::Many(many.iter().map(f).collect()),
        }
    }
}

impl FromIterator<ReferenceStore> for Stores {
    fn from_iter<I: IntoIterator<Item = ReferenceStore>>(stores: I) -> Stores {
        let mut all: Vec<ReferenceStore> = stores.into_iter().collect();
        match all.pop() {
            Some(one) if all.is_empty() => Stores::One([one]),
            Some(last) => {
                all.push(last);
                Stores::Many(all)
            }
            None => Stores::Many(all),
        }
    }
}

/// What became of an input the documentation forbids, fed to the spooler alone.
#[derive(Debug)]
pub enum Forbidden {
    /// Refused, leaving the spooler as it was (the right outcome).
    Refused(Error),
    /// Accepted.
    Accepted(Effects),
    /// Refused, but the spooler changed.
    ChangedByRefusal(Error),
}

impl World {
    /// The world of this profile before the session: empty stores (store `s` numbers its
    /// messages from `1 + 1,000,000 s`), every transport down, and a spooler that has not
    /// started.
    ///
    /// # Errors
    /// The profile's own errors ([`Spooler::new`]).
    pub fn new(profile: &Profile) -> Result<World, Error> {
        let spooler = Spooler::new(profile)?;
        Ok(World {
            monitor: Monitor::new(profile),
            stores: (0..profile.stores).map(|s| ReferenceStore::new(StoreId(s), 1 + u32::from(s) * 1_000_000)).collect(),
            transports: (0..spooler.transport_count()).map(|_| Transport::Down).collect(),
            spooler,
            in_hand: None,
            held: Box::default(),
        })
    }

    /// The same world around a spooler and stores that make a deliberate mistake of the bug zoo
    /// (see [`crate::zoo`]); `None` is the correct spooler.
    #[cfg(feature = "bug-zoo")]
    #[must_use]
    pub fn with_bug(mut self, bug: Option<crate::zoo::Bug>) -> World {
        self.spooler = self.spooler.with_bug(bug);
        self.stores = self.stores.map(|s| s.clone().with_bug(bug));
        self
    }

    /// The spooler.
    #[must_use]
    pub fn spooler(&self) -> &Spooler {
        &self.spooler
    }

    /// The protocol monitor.
    #[must_use]
    pub fn monitor(&self) -> &Monitor {
        &self.monitor
    }

    /// A store. Panics for a store the profile does not have.
    #[must_use]
    pub fn store(&self, s: StoreId) -> &ReferenceStore {
        &self.stores.as_slice()[s.index()]
    }

    /// A store, to set it up (receive folders, RCV-12). Panics for a store the profile does not
    /// have.
    pub fn store_mut(&mut self, s: StoreId) -> &mut ReferenceStore {
        &mut self.stores.as_mut_slice()[s.index()]
    }

    /// Every store.
    #[must_use]
    pub fn stores(&self) -> &[ReferenceStore] {
        self.stores.as_slice()
    }

    /// A transport. Panics for a transport the profile does not have.
    #[must_use]
    pub fn transport(&self, t: TransportId) -> Transport {
        self.transports[t.index()]
    }

    /// The transports out of service, or on their way there (LIFE-17, ORD-10).
    #[must_use]
    pub fn out_of_service(&self) -> TransportSet {
        self.transports_where(Transport::out_of_service)
    }

    /// The transports holding a critical section (STAT-13).
    #[must_use]
    pub fn in_critical_section(&self) -> TransportSet {
        self.transports_where(Transport::in_critical_section)
    }

    fn transports_where(&self, pick: impl Fn(&Transport) -> bool) -> TransportSet {
        let mut set = TransportSet::EMPTY;
        for (i, t) in self.transports.iter().enumerate() {
            if pick(t) {
                set.insert(TransportId(i as u8));
            }
        }
        set
    }

    /// The transport of the call in flight was told `NOTIFY_CANCEL_MESSAGE` for it (DEF-7,
    /// RCV-13).
    #[must_use]
    pub fn cancel_told(&self) -> bool {
        self.spooler
            .call_in_flight()
            .and_then(Call::transport)
            .and_then(|t| self.transports.get(t.index()))
            .and_then(Transport::logon)
            .is_some_and(|logon| logon.cancelled)
    }

    /// The message a transport took with `S_OK` and has not seen `EndMessage` for (SUB-27).
    #[must_use]
    pub fn in_hand(&self) -> Option<(TransportId, MessageId)> {
        self.in_hand
    }

    /// The deferred messages the transports hold, in the order they took them (DEF-2).
    #[must_use]
    pub fn held(&self) -> &[(TransportId, MessageId)] {
        &self.held
    }

    /// The status row a transport wrote with `ModifyStatusRow`, as the spooler holds it
    /// (LIFE-9).
    #[must_use]
    pub fn status_row(&self, t: TransportId) -> Option<StatusCode> {
        match self.spooler.transport_view(t) {
            Some(TransportView::LoggedOn { status_row, .. }) => status_row,
            _ => None,
        }
    }

    /// Feeds one input to the spooler. When the spooler accepts it, the world checks the
    /// one-call rule (AMB-20), lets the monitor judge the step, applies the effects to the
    /// stores and records what the transports were told; the policy sees the step either way.
    /// Returns true when the spooler accepted the input; nothing is fed once the policy halted.
    pub fn feed(&mut self, input: Input, p: &mut impl Policy) -> bool {
        if p.halted() {
            return false;
        }
        let before = self.spooler.call_in_flight().cloned();
        let copy = p.checks_refusals().then(|| self.spooler.clone());
        match self.spooler.step(input.clone()) {
            Err(error) => {
                let breach = copy.filter(|c| *c != self.spooler).map(|_| Breach::ChangedByRefusal);
                p.stepped(self, &Step { input: &input, outcome: Err(&error), breach: breach.as_ref() });
                false
            }
            Ok(mut effects) => {
                p.alter(&mut effects);
                let calls = one_call(before.as_ref(), &input, &effects, self.spooler.call_in_flight()).err().map(Breach::OneCall);
                let watched = self.monitor.observe(&input, &effects).err().map(Breach::Violation);
                for effect in &effects {
                    for store in self.stores.as_mut_slice() {
                        store.apply(effect);
                    }
                }
                self.track(&input, before.as_ref(), &effects);
                let breach = calls.or(watched);
                p.stepped(self, &Step { input: &input, outcome: Ok(&effects), breach: breach.as_ref() });
                true
            }
        }
    }

    /// Feeds an input the documentation forbids to the spooler alone: the monitor, the stores
    /// and the policy do not see it. It must be refused and leave the spooler as it was.
    pub fn feed_forbidden(&mut self, input: Input) -> Forbidden {
        let before = self.spooler.clone();
        match self.spooler.step(input) {
            Ok(effects) => Forbidden::Accepted(effects),
            Err(error) if self.spooler != before => Forbidden::ChangedByRefusal(error),
            Err(error) => Forbidden::Refused(error),
        }
    }

    /// The same world under other names for messages and recipient rows (symmetry reduction;
    /// see [`Renaming`]). The deferred messages the transports hold are a set, kept sorted.
    #[must_use]
    pub fn renamed(&self, renaming: &Renaming) -> World {
        let mut held: Box<[_]> = self.held.iter().map(|(t, m)| (*t, renaming.message(*m))).collect();
        held.sort_unstable();
        World {
            spooler: self.spooler.renamed(renaming),
            monitor: self.monitor.renamed(renaming),
            stores: self.stores.map(|s| s.renamed(renaming)),
            transports: self.transports.clone(),
            in_hand: self.in_hand.map(|(t, m)| (t, renaming.message(m))),
            held,
        }
    }

    /// Feeds into `state` everything the world knows of a message apart from its name: the
    /// spooler's and the monitor's record, and which transports hold it (symmetry reduction).
    pub fn hash_message<H: Hasher>(&self, m: MessageId, state: &mut H) {
        use std::hash::Hash;
        self.spooler.hash_message(m, state);
        self.monitor.hash_message(m, state);
        let mut held: SmallVec<[TransportId; 4]> = self.held.iter().filter(|(_, h)| *h == m).map(|(t, _)| *t).collect();
        held.sort_unstable();
        (held, self.in_hand.filter(|(_, h)| *h == m).map(|(t, _)| t)).hash(state);
    }

    /// Something besides the stores remembers the message: the spooler, the monitor, a
    /// transport, or the call in flight (symmetry reduction).
    #[must_use]
    pub fn is_live(&self, m: MessageId) -> bool {
        self.spooler.message_ids().any(|id| id == m)
            || self.monitor.watches(m)
            || self.held.iter().any(|(_, h)| *h == m)
            || self.in_hand.is_some_and(|(_, h)| h == m)
            || self.spooler.call_in_flight().and_then(Call::message) == Some(m)
    }
}

/// The one-call-at-a-time contract of one accepted step (AMB-20): at most one call, only when no
/// call was in flight or the input was a return, and the call made is then the call in flight;
/// a return that made no call leaves none in flight, and any other input leaves the call in
/// flight as it was.
fn one_call(before: Option<&Call>, input: &Input, effects: &Effects, after: Option<&Call>) -> Result<(), String> {
    let mut calls = effects.iter().filter_map(Effect::as_call);
    let (first, second) = (calls.next(), calls.next());
    let answered = matches!(input, Input::Return(_));
    match (first, second) {
        (Some(_), Some(_)) => Err(format!("the input made {} calls", 2 + calls.count())),
        (Some(call), None) if before.is_some() && !answered => {
            Err(format!("the input made the call {call} while {} was in flight", before.map(ToString::to_string).unwrap_or_default()))
        }
        (Some(call), None) if after != Some(call) => Err(format!("the call made ({call}) is not the call in flight")),
        (None, _) if answered && after.is_some() => Err("the input answered the call in flight, which is still in flight".to_owned()),
        (None, _) if !answered && after != before => Err("the input changed the call in flight".to_owned()),
        _ => Ok(()),
    }
}
