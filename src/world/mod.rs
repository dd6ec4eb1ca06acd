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
mod policy;
mod transport;

pub use policy::{Breach, LogonAnswer, Note, Policy, Start, Step, Submission};
pub use transport::{Logon, Transport};

use std::hash::Hasher;

use smallvec::SmallVec;

use crate::effect::{Call, Effect, Effects};
use crate::error::Error;
use crate::flags::{EndFlags, LogoffFlags, LogonCaps, NotifyFlags, SpoolerNotifyFlags, StatusCode, StatusRowFlags};
use crate::hresult::Hresult;
use crate::ids::{MessageId, StoreId, TransportId};
use crate::input::{Caller, Input, QueueEvent, Return, SessionRequest, SubmitOutcome, SupportCall};
use crate::monitor::Monitor;
use crate::recipients::{RecipientRow, TransportSet};
use crate::rename::Renaming;
use crate::spooler::{Profile, RecipientView, Spooler, TransportView};
use crate::store::{Draft, ReferenceStore, TcSubmission};

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

    /// The session starts (LIFE-1).
    pub fn start(&mut self, p: &mut impl Policy) -> bool {
        self.feed(Input::Session(SessionRequest::Start), p)
    }

    /// Time passes until the next retry delay of the spooler ends (ERR-4, ERR-5). Returns false
    /// when no delay is pending.
    pub fn pass_time(&mut self, p: &mut impl Policy) -> bool {
        let Some(deadline) = self.spooler.next_deadline() else { return false };
        let seconds = u32::try_from(deadline.0.saturating_sub(self.spooler.now().0)).unwrap_or(u32::MAX);
        self.feed(Input::TimePassed { seconds }, p)
    }

    /// The client submits a draft (SUB-1); the store tells the spooler if it watches the queue.
    ///
    /// # Errors
    /// What the store's `IMessage::SubmitMessage` returned.
    pub fn submit(&mut self, store: StoreId, draft: Draft, p: &mut impl Policy) -> Result<MessageId, crate::Hresult> {
        let recipients = draft.recipients.clone();
        let result = self.store_mut(store).submit(draft);
        p.noted(&Note::Submitted { store, recipients: &recipients, result: result.as_ref().map_err(|h| *h) });
        let row = result?;
        let id = row.message;
        if self.listens(store) {
            self.feed(Input::Queue(QueueEvent::RowAdded(row)), p);
        }
        Ok(id)
    }

    /// The client submits a draft to the store tightly coupled with `transport`, which serves the
    /// recipients `serves` picks itself; the store then hands a fully served message over with
    /// `CompleteMsg` (`hand_over`) or finishes it alone, and queues any other (TC-3, TC-4).
    ///
    /// # Errors
    /// What the store's `IMessage::SubmitMessage` returned.
    pub fn submit_coupled(
        &mut self,
        store: StoreId,
        transport: TransportId,
        draft: Draft,
        serves: impl Fn(&RecipientRow) -> bool,
        hand_over: bool,
        p: &mut impl Policy,
    ) -> Result<TcSubmission, Hresult> {
        let result = self.store_mut(store).submit_coupled(draft, transport, serves, hand_over);
        p.noted(&Note::SubmittedCoupled { store, result: &result });
        match &result {
            Ok(TcSubmission::Completed(row)) => {
                self.feed(Input::Support(SupportCall::CompleteMsg(row.clone())), p);
            }
            Ok(TcSubmission::Queued(row)) if self.listens(store) => {
                self.feed(Input::Queue(QueueEvent::RowAdded(row.clone())), p);
            }
            Ok(TcSubmission::Queued(_) | TcSubmission::FinishedAlone(_)) | Err(_) => {}
        }
        result
    }

    /// The client aborts a submitted message (DEF-6); the store tells the spooler if it watches
    /// the queue. Returns the store's answer.
    pub fn abort(&mut self, store: StoreId, message: MessageId, p: &mut impl Policy) -> Hresult {
        let result = self.store_mut(store).abort_submit(message);
        p.noted(&Note::Aborted { store, message, result });
        if result == Hresult::S_OK && self.listens(store) {
            self.feed(Input::Queue(QueueEvent::RowRemoved { store, message }), p);
        }
        result
    }

    /// The store's table notifications reach the spooler: it opened the outgoing queue and its
    /// session has not ended (SUB-16, LIFE-16).
    fn listens(&self, store: StoreId) -> bool {
        self.spooler.is_watching(store) && self.spooler.phase() != crate::spooler::Phase::Stopped
    }

    /// The spooler process crashes, and the transports it loaded with it: the stores keep what
    /// was saved and lose new messages nobody saved; `fresh` is the spooler of the restart, not
    /// started yet.
    pub fn crash(&mut self, fresh: Spooler, p: &mut impl Policy) {
        p.noted(&Note::Crashed);
        self.spooler = fresh;
        self.monitor.restart();
        for store in self.stores.as_mut_slice() {
            store.discard_unsaved();
        }
        self.transports.iter_mut().for_each(|t| *t = Transport::Down);
        self.in_hand = None;
        self.held = Box::default();
    }

    /// A transport announces inbound mail with `SpoolerNotify(NOTIFY_NEWMAIL)` (RCV-1).
    pub fn announce_mail(&mut self, t: TransportId, p: &mut impl Policy) -> bool {
        self.notify(Caller::Transport(t), SpoolerNotifyFlags::NOTIFY_NEWMAIL, None, p)
    }

    /// A transport announces a deferred message it holds with `NOTIFY_SENTDEFERRED`, and holds
    /// it no more (DEF-2).
    pub fn sent_deferred(&mut self, t: TransportId, m: MessageId, p: &mut impl Policy) -> bool {
        self.release_held(|h| h == (t, m));
        self.notify(Caller::Transport(t), SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(m), p)
    }

    /// A transport enters (`NOTIFY_CRITSEC`) or leaves (`NOTIFY_NONCRIT`) a critical section
    /// (STAT-13).
    pub fn critical_section(&mut self, t: TransportId, enter: bool, p: &mut impl Policy) -> bool {
        let flags = if enter { SpoolerNotifyFlags::NOTIFY_CRITSEC } else { SpoolerNotifyFlags::NOTIFY_NONCRIT };
        self.notify(Caller::Transport(t), flags, None, p)
    }

    /// A transport raises a critical error (ERR-7, LIFE-17).
    pub fn critical_error(&mut self, t: TransportId, p: &mut impl Policy) -> bool {
        self.notify(Caller::Transport(t), SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR, None, p)
    }

    /// The coupled pair of `store` places an inbound message of `class` itself, and the store
    /// announces it with `NOTIFY_NEWMAIL_RECEIVED` (RCV-16, TC-8). Returns the message.
    pub fn place_inbound(&mut self, store: StoreId, class: &str, p: &mut impl Policy) -> MessageId {
        let message = self.store_mut(store).place_inbound(class);
        p.noted(&Note::Placed { store, message, class });
        self.notify(Caller::Store(store), SpoolerNotifyFlags::NOTIFY_NEWMAIL_RECEIVED, Some(message), p);
        message
    }

    /// A store calls `StoreLogoffTransports` with this flag (LIFE-20).
    pub fn store_logoff(&mut self, store: StoreId, flags: LogoffFlags, p: &mut impl Policy) -> bool {
        self.feed(Input::Support(SupportCall::StoreLogoffTransports { store, flags }), p)
    }

    /// A transport drops the deferred messages it holds without announcing them.
    pub fn forget_held(&mut self, t: TransportId) {
        self.release_held(|(h, _)| h == t);
    }

    /// The transports stop holding the deferred messages `released` picks.
    fn release_held(&mut self, released: impl Fn((TransportId, MessageId)) -> bool) {
        if self.held.iter().any(|h| released(*h)) {
            self.held = self.held.iter().copied().filter(|h| !released(*h)).collect();
        }
    }

    /// A transport goes out of service for the rest of the session: the spooler disabled its
    /// message service (LIFE-6). It drops what it holds.
    pub fn take_out_of_service(&mut self, t: TransportId) {
        self.transports[t.index()] = Transport::OutOfService;
        self.forget_held(t);
    }

    fn notify(&mut self, caller: Caller, flags: SpoolerNotifyFlags, message: Option<MessageId>, p: &mut impl Policy) -> bool {
        self.feed(Input::Support(SupportCall::SpoolerNotify { caller, flags, message }), p)
    }

    /// A transport creates its status row; a transport coupled with a store publishes it in the
    /// row (LIFE-9, TC-1).
    fn create_row(&mut self, transport: TransportId, p: &mut impl Policy) -> bool {
        let row = SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::EMPTY, status: StatusCode::STATUS_AVAILABLE };
        let created = self.feed(Input::Support(row), p);
        if let (true, Some(store)) = (created, p.coupled_store(transport)) {
            self.feed(Input::Support(SupportCall::PublishOwnStore { transport, store }), p);
        }
        created
    }

    /// Records what an accepted input and its effects told the transports, and what they did.
    fn track(&mut self, input: &Input, before: Option<&Call>, effects: &Effects) {
        match input {
            Input::Return(ret) => {
                // The transport whose call returned ended the transfer it was told to cancel.
                if let Some(logon) = before.and_then(Call::transport).and_then(|t| self.logon_mut(t)) {
                    logon.cancelled = false;
                }
                self.track_return(ret, before);
            }
            Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(t), flags, message }) => {
                if flags.contains(SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR)
                    && let Some(transport) = self.transports.get_mut(t.index())
                {
                    transport.raised_critical_error();
                }
                if let (true, Some(m)) = (flags.contains(SpoolerNotifyFlags::NOTIFY_SENTDEFERRED), message) {
                    self.release_held(|h| h == (*t, *m));
                }
                if let Some(logon) = self.logon_mut(*t) {
                    if flags.contains(SpoolerNotifyFlags::NOTIFY_CRITSEC) {
                        logon.critical_section = true;
                    } else if flags.contains(SpoolerNotifyFlags::NOTIFY_NONCRIT) {
                        logon.critical_section = false;
                    }
                    logon.announced |= flags.contains(SpoolerNotifyFlags::NOTIFY_NEWMAIL);
                }
            }
            _ => {}
        }
        for effect in effects {
            if let Effect::CancelMessage { transport, .. } = effect
                && let Some(logon) = self.logon_mut(*transport)
            {
                logon.cancelled = true;
            }
        }
    }

    fn track_return(&mut self, ret: &Return, before: Option<&Call>) {
        match ret {
            Return::XpProviderInit { transport, result: Err(_) } => self.set(*transport, Transport::OutOfService),
            Return::TransportLogon { transport, result } => {
                let life = match result {
                    Ok(caps) => Transport::Serving(Logon { polled: caps.contains(LogonCaps::LOGON_SP_POLL), ..Logon::default() }),
                    // LIFE-6: the spooler configures the service and logs on again.
                    Err(Hresult::MAPI_E_UNCONFIGURED) => Transport::Down,
                    Err(_) => Transport::OutOfService,
                };
                self.set(*transport, life);
            }
            Return::AddressTypes { transport, result: Ok(_) } => {
                if let Some(logon) = self.logon_mut(*transport) {
                    logon.registered = true;
                }
            }
            Return::TransportNotify { transport, flags, .. } => {
                if let Some(logon) = self.logon_mut(*transport) {
                    logon.enabled = flags.enabled_after(logon.enabled);
                    // RCV-2: with its inbound traffic ended it announces its mail again later.
                    logon.announced &= !flags.contains(NotifyFlags::NOTIFY_END_INBOUND);
                }
                // DEF-5: the transport drops its deferred copy.
                if let (true, Some(Call::TransportNotify { message: Some(m), .. })) =
                    (flags.contains(NotifyFlags::NOTIFY_ABORT_DEFERRED), before)
                {
                    self.release_held(|h| h == (*transport, *m));
                }
            }
            Return::SubmitMessage { transport, message, outcome: SubmitOutcome::Accepted { .. } } => {
                self.in_hand = Some((*transport, *message));
            }
            Return::EndMessage { transport, result, .. } => {
                // DEF-2: the transport holds the message only if it kept recipients deferred
                // (those it reported are final, DEC-10).
                if let Some((_, m)) = self.in_hand.take().filter(|(t, _)| t == transport)
                    && *result == Ok(EndFlags::END_DONT_RESEND)
                    && matches!(self.transports[transport.index()], Transport::Serving(_))
                    && self.spooler.message_view(m).is_some_and(|v| v.recipients.contains(&RecipientView::Deferred(*transport)))
                {
                    self.held = self.held.iter().copied().chain([(*transport, m)]).collect();
                }
            }
            Return::Poll { transport, incoming, .. } => {
                // RCV-3: a count above zero signals the mail as NOTIFY_NEWMAIL would.
                if let Some(logon) = self.logon_mut(*transport) {
                    logon.announced |= *incoming > 0;
                }
            }
            Return::StartMessage { transport, result, .. } => {
                // RCV-6, RCV-7, RCV-13: unless it saved a message, it announces again later.
                if let Some(logon) = self.logon_mut(*transport) {
                    logon.announced &= *result == Ok(crate::input::Delivery::Saved);
                }
            }
            Return::TransportLogoff { transport, .. } => {
                if let Some(t) = self.transports.get_mut(transport.index()) {
                    t.logged_off();
                }
                self.forget_held(*transport);
            }
            _ => {}
        }
    }

    fn set(&mut self, t: TransportId, life: Transport) {
        if let Some(transport) = self.transports.get_mut(t.index()) {
            *transport = life;
        }
    }

    fn logon_mut(&mut self, t: TransportId) -> Option<&mut Logon> {
        self.transports.get_mut(t.index()).and_then(Transport::logon_mut)
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
