//! The world around the spooler: a client, the transports, the store and the clock, each doing
//! anything the documentation allows, within the budgets of the [`Config`].
//!
//! The world is the project's world double ([`mapi_spooler::world`]), driven by the model
//! checker's policy ([`policy`]): every move gives one of the documented answers, and the world
//! turns it into inputs to [`Spooler::step`]. The world never decides for the spooler, and the
//! [`mapi_spooler::Monitor`] judges its effects on every step. This module adds what only the
//! model checker needs: the budgets that keep every run finite, and how a run went wrong.

use std::ops::Deref;

use mapi_spooler::reference::Reference;
use mapi_spooler::store::{Draft, SENT_ITEMS};
use mapi_spooler::{AddrType, Effect, Input, LogoffFlags, Profile, RecipientRow, Spooler, StoreId, TransportSet};

use crate::config::Config;

mod action;
mod moves;
mod policy;

pub use action::{Action, Answer, MoveKind, SubmitError};

use policy::{Moves, Recorder};

/// The only store.
pub const STORE: StoreId = StoreId(0);

/// How a run went wrong: the first property the spooler broke, or an input the spooler refused
/// (which would mean the world itself broke the documented contract).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Broken {
    /// The monitor saw the spooler break a property.
    Violation(mapi_spooler::Property),
    /// The spooler refused a world move.
    Refused,
    /// The spooler and the stores departed from the reference model of submissions
    /// ([`Reference`]): a recipient sent to the wrong transport, settled twice or settled wrongly.
    Refinement,
}

/// The reference model's record of the run ([`Reference`]), carried along with the state but
/// left out of its identity: two states equal in everything else are one state. That is sound
/// because the reference's record is a function of the rest as long as no step diverged from
/// it: its outcomes, dispositions and reports are checked equal to the store's on every step,
/// its registrations and offers are the spooler's session and call in flight, and a step that
/// diverges sets [`World::broken`], which is part of the identity. So the suite's state counts
/// stay those of the spooler, its world and its monitor.
#[derive(Clone, Default)]
pub struct Judged(pub Reference);

impl PartialEq for Judged {
    fn eq(&self, _: &Judged) -> bool {
        true
    }
}

impl Eq for Judged {}

impl std::hash::Hash for Judged {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl std::fmt::Debug for Judged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Judged")
    }
}

/// What the world may still do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Budget {
    /// Non-default answers.
    pub faults: u8,
    /// Crashes of the spooler process.
    pub crashes: u8,
    /// Client aborts.
    pub aborts: u8,
    /// Outbound disables.
    pub disables: u8,
    /// Idle times.
    pub idles: u8,
    /// Session ends.
    pub shutdowns: u8,
    /// User cancels of a transfer (DEF-5, DEF-7, RCV-13).
    pub cancels: u8,
    /// Flushes (STAT-17, STAT-18).
    pub flushes: u8,
    /// Client status calls (STAT-11).
    pub status_calls: u8,
    /// Critical sections (STAT-13).
    pub critsecs: u8,
    /// A transport's own `SpoolerNotify` calls (ORD-9, LIFE-18).
    pub notifies: u8,
}

/// The whole state of one model-checked world: the world double, and what the model checker
/// adds to it. It reads as the world double ([`Deref`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct World {
    /// The spooler, its monitor, the store and the transports.
    pub world: mapi_spooler::world::World,
    /// Transports whose outbound traffic the session disabled and will enable again.
    pub disabled: TransportSet,
    /// Drafts the client has not submitted yet.
    pub drafts: u8,
    /// What the world may still do.
    pub budget: Budget,
    /// How the run went wrong, if it did.
    pub broken: Option<Broken>,
    /// Inbound messages still waiting at transport 0 (RCV-1).
    pub mail: u8,
    /// Inbound messages the coupled pair will still place itself (RCV-16).
    pub arrivals: u8,
    /// The store's `StoreLogoffTransports`, if it called: the flag it passed and the answer
    /// (LIFE-20).
    pub logoff: Option<(LogoffFlags, LogoffFlags)>,
    /// Synchronous client status calls not answered yet (STAT-11, STAT-17).
    pub waiting: u8,
    /// The reference model's record of the run, which judges every step (not part of the
    /// state's identity; see [`Judged`]).
    pub reference: Judged,
}

impl Deref for World {
    type Target = mapi_spooler::world::World;

    fn deref(&self) -> &mapi_spooler::world::World {
        &self.world
    }
}

/// One line of a replayed run: what went into the spooler, what came out, or what the world did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An input.
    Input(Input),
    /// An effect.
    Effect(Effect),
    /// A move of the world that is not an input (the client submitting, aborting).
    World(String),
    /// The spooler process dies with its transports; the store keeps what it saved.
    Crash,
    /// The monitor's verdict.
    Violation(String),
}

/// The reference's profile for a configuration.
#[must_use]
pub fn profile(config: &Config) -> Profile {
    let mut profile = Profile::new(config.transports);
    profile.settings = mapi_spooler::Settings { inbound_hooks: config.inbound_hooks, ..config.settings };
    profile
}

/// The draft whose recipients the coupled pair serves entirely (TC-3).
#[must_use]
pub fn served_draft(config: &Config) -> Draft {
    let mut draft = draft(config);
    draft.preprocess = false;
    for r in &mut draft.recipients {
        r.addr_type = COUPLED_TYPE;
    }
    draft
}

/// The address type the coupled pair serves itself.
pub(super) const COUPLED_TYPE: AddrType = AddrType(0);

/// The draft every message is.
#[must_use]
pub fn draft(config: &Config) -> Draft {
    let recipients = (0..config.recipients).map(|j| RecipientRow::new(AddrType(u16::from(j % config.transports)))).collect();
    let mut draft = Draft::to(recipients);
    draft.preprocess = config.preprocess;
    draft.delete_after_submit = config.delete_after_submit;
    draft.sentmail = (!config.delete_after_submit).then_some(SENT_ITEMS);
    draft
}

impl World {
    /// The world before the session: the spooler has just been asked to start.
    #[must_use]
    pub fn new(config: &Config, pristine: &Spooler) -> World {
        World::start(config, pristine, None)
    }

    /// [`World::new`], logging the start.
    #[must_use]
    pub fn new_recorded(config: &Config, pristine: &Spooler, log: &mut Vec<Event>) -> World {
        World::start(config, pristine, Some(log))
    }

    fn start(config: &Config, pristine: &Spooler, rec: Recorder<'_>) -> World {
        let world = mapi_spooler::world::World::new(&profile(config)).expect("a valid profile").with_bug(config.bug);
        debug_assert!(world.spooler() == pristine, "the world starts with the pristine spooler");
        let mut w = World {
            world,
            disabled: TransportSet::EMPTY,
            drafts: config.messages,
            budget: Budget {
                faults: config.fault_budget,
                crashes: config.crashes,
                aborts: config.aborts,
                disables: config.disables,
                idles: config.idles,
                shutdowns: config.shutdowns,
                cancels: config.cancels,
                flushes: config.flushes,
                status_calls: config.status_calls,
                critsecs: config.critsecs,
                notifies: config.notifies,
            },
            broken: None,
            mail: config.inbound,
            arrivals: config.arrivals,
            logoff: None,
            waiting: 0,
            reference: Judged::default(),
        };
        let (world, mut p) = w.split(config, &Answer::Default, rec);
        world.start(&mut p);
        w
    }

    /// The world double, and the model's policy for one move with the answer it gives (the
    /// default one for moves that answer nothing).
    fn split<'a>(
        &'a mut self,
        config: &'a Config,
        answer: &'a Answer,
        rec: Recorder<'a>,
    ) -> (&'a mut mapi_spooler::world::World, Moves<'a>) {
        let World { world, mail, broken, logoff, waiting, reference, .. } = self;
        (world, Moves { config, answer, mail, broken, logoff, waiting, reference: &mut reference.0, rec, cover: None })
    }
}
