//! What the spooler does next when no call is in flight: start-up, transport housekeeping,
//! message work, locking, idle time, shutdown.
//!
//! The spooler has one thread, so it makes one synchronous call at a time (AMB-20). When several
//! things are due, the order is fixed, so the reference is deterministic (DEC-20; steps 2 to 4
//! may be taken up in another order with [`Spooler::step_with`], for the trace checker):
//!
//! 1. start-up, transport by transport in profile order, then store by store (LIFE-1 to LIFE-8,
//!    LIFE-19);
//! 2. transport housekeeping in profile order: release a transport that must go (LIFE-14 to
//!    LIFE-17), query address types again (ORD-9), enable or disable traffic (LIFE-10, LIFE-12);
//! 3. work on locked messages in lock order: preprocessing, offering recipients, clean-up and
//!    `FinishedMsg` (SUB-12, SUB-21 to SUB-26);
//! 4. locking the next queued message (SUB-19, SUB-20);
//! 5. `Idle` calls (LIFE-11).
//!
//! When the session ends, the order becomes: finish what is finished and hand the rest back to
//! the queue, then disable, log off and shut down every transport.

use crate::effect::{Call, Effects, NdrOrigin, RecipientOutcome};
use crate::flags::{LockState, NotifyFlags, SubmitFlags};
use crate::ids::{MessageId, PreprocessorId, RecipientIdx, StoreId, TransportId};
use crate::input::{Directions, ReportKind};
use crate::recipients::{RecipientSet, TransportSet};
use crate::routing::Registrations;

use super::messages::{Disp, OutMsg, Stage};
use super::routes::Routes;
use super::transport::{Activity, Ending, Flush, Leave, Life, Logon, Purpose};
use super::{InFlight, Phase, Preprocessor, Priorities, Route, Spooler, StoreState, Work};

/// What one pass over a routing message's recipients found (see [`Spooler::plan`]).
struct Plan {
    /// The recipients no transport is left for.
    unroutable: RecipientSet,
    /// Some other recipient is still open.
    open: bool,
    /// The `SubmitMessage` to make now, if a transport can take some recipient now.
    offer: Option<InFlight>,
}

impl Spooler {
    /// The next call to make, after doing every step that needs no call.
    pub(super) fn schedule(&mut self, fx: &mut Effects, priorities: Priorities) -> Option<InFlight> {
        loop {
            match self.phase {
                Phase::Created | Phase::Stopped => return None,
                Phase::Starting => {
                    if let Some(next) = self.startup_work() {
                        return Some(next);
                    }
                    self.phase = Phase::Running;
                }
                Phase::Running => {
                    if let Some(next) = self.inbound_continuation(fx).or_else(|| self.abort_continuation()) {
                        return Some(next);
                    }
                    let mut next = None;
                    for work in priorities.0 {
                        next = match work {
                            Work::Transports => self.transport_work(),
                            Work::Messages => self.message_work(fx),
                            Work::Locking => self.lock_work(),
                        };
                        if next.is_some() {
                            break;
                        }
                    }
                    if bug!(self, SendBeforeLock)
                        && let Some(InFlight::Plain(Call::SetLockState { message, state: LockState::Locked, .. })) = next
                    {
                        // The bug zoo: the message is taken as locked without asking the store,
                        // and goes straight to a transport (SUB-20).
                        self.messages.lock(message);
                        continue;
                    }
                    return next
                        .or_else(|| self.status_work())
                        .or_else(|| self.flush_work())
                        .or_else(|| self.inbound_work())
                        .or_else(|| self.idle_work());
                }
                Phase::Stopping => {
                    // A message the transport saved is still announced; one it was not given
                    // yet is released (RCV-10).
                    if let Some(next) = self.inbound_continuation(fx).or_else(|| self.abort_continuation()) {
                        return Some(next);
                    }
                    if let Some(next) = self.message_work(fx) {
                        return Some(next);
                    }
                    self.release_everything();
                    if let Some(next) = self.transport_work() {
                        return Some(next);
                    }
                    self.phase = Phase::Stopped;
                    return None;
                }
            }
        }
    }

    /// Start-up: each transport in profile order is initialized, logged on and registered
    /// before the next one starts (LIFE-1, LIFE-4, LIFE-8); then each store is logged on and its
    /// queue read (LIFE-19, SUB-16).
    fn startup_work(&mut self) -> Option<InFlight> {
        for i in 0..self.transports.len() {
            let t = TransportId(i as u8);
            let service = self.transports[i].service;
            let call = match &self.transports[i].life {
                Life::NotLoaded => {
                    Call::XpProviderInit { transport: t, mapi_version: self.settings.versions.mapi, flags: self.settings.init_flags }
                }
                Life::Loaded { version, configured } => {
                    self.transports[i].life = Life::LoggedOn(Logon::new(*version, *configured));
                    Call::TransportLogon { transport: t, flags: self.settings.logon_flags }
                }
                Life::Unconfigured { .. } => Call::ServiceConfigure { service },
                Life::LoggedOn(logon) => match logon.activity {
                    Activity::Leaving(_) | Activity::Critical => Call::TransportLogoff { transport: t },
                    Activity::Registering => Call::AddressTypes { transport: t },
                    Activity::LoggingOn | Activity::Serving => continue,
                },
                Life::ShutdownDue { .. } => Call::Shutdown { transport: t },
                Life::Gone { .. } => continue,
            };
            return Some(InFlight::Plain(call));
        }
        for (i, state) in self.stores.iter().enumerate() {
            let store = StoreId(i as u8);
            match state {
                StoreState::Closed => return Some(InFlight::Plain(Call::SpoolerLogon { store })),
                StoreState::LoggedOn => return Some(InFlight::Plain(Call::GetOutgoingQueue { store })),
                StoreState::Watching | StoreState::Unserved => {}
            }
        }
        None
    }

    /// Releases a transport that must go, re-registers one whose configuration changed, and
    /// brings each transport's traffic to the wanted directions.
    fn transport_work(&mut self) -> Option<InFlight> {
        for (i, transport) in self.transports.iter().enumerate() {
            let t = TransportId(i as u8);
            let call = match &transport.life {
                Life::ShutdownDue { .. } => Call::Shutdown { transport: t },
                Life::LoggedOn(logon) => match logon.activity {
                    // STAT-20: a flush under way when the session ends is ended first, with
                    // both END flush flags in one call.
                    Activity::Leaving(Leave::SessionEnded) if logon.flush.is_some_and(Flush::begun) => {
                        let flags = NotifyFlags::NOTIFY_END_INBOUND_FLUSH | NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH;
                        Call::TransportNotify { transport: t, flags, message: None }
                    }
                    // LIFE-12 then LIFE-14 on an orderly logoff; after a critical error or a
                    // disabled service only the release calls remain (LIFE-17, LIFE-6).
                    Activity::Leaving(Leave::SessionEnded) if logon.enabled != Directions::NONE => {
                        Call::TransportNotify { transport: t, flags: notify_flags(logon.enabled, Directions::NONE), message: None }
                    }
                    // The bug zoo: the provider is shut down with its logon still live (LIFE-16).
                    Activity::Leaving(_) | Activity::Critical if bug!(self, ShutdownWithLiveLogon) => Call::Shutdown { transport: t },
                    Activity::Leaving(_) | Activity::Critical => Call::TransportLogoff { transport: t },
                    Activity::Registering => Call::AddressTypes { transport: t },
                    Activity::Serving if logon.requery => Call::AddressTypes { transport: t },
                    Activity::Serving if logon.wanted != logon.enabled => {
                        Call::TransportNotify { transport: t, flags: notify_flags(logon.enabled, logon.wanted), message: None }
                    }
                    // Its TransportLogon is in flight, or nothing is due.
                    Activity::LoggingOn | Activity::Serving => continue,
                },
                _ => continue,
            };
            return Some(InFlight::Plain(call));
        }
        None
    }

    /// At the end of the session, once no message needs a transport any more: every transport
    /// still loaded is to be released (LIFE-12 to LIFE-16).
    fn release_everything(&mut self) {
        for transport in &mut self.transports {
            match &mut transport.life {
                Life::NotLoaded => transport.life = Life::Gone { reason: Ending::SessionEnded },
                Life::Loaded { .. } | Life::Unconfigured { .. } => transport.life = Life::ShutdownDue { reason: Ending::SessionEnded },
                Life::LoggedOn(logon) => {
                    logon.wanted = Directions::NONE;
                    logon.leave(Leave::SessionEnded);
                }
                Life::ShutdownDue { .. } | Life::Gone { .. } => {}
            }
        }
    }

    /// Work on the locked messages, in queue order (SUB-19). A locked message is not offered
    /// to a transport that an older message, still queued, needs: the older one goes first
    /// (INV-28), and [`Spooler::lock_work`] locks it. The walk stops after the last locked
    /// message, so with the locked messages at the head of the queue it touches only them.
    fn message_work(&mut self, fx: &mut Effects) -> Option<InFlight> {
        let mut routes = Routes::new();
        let mut reserved = TransportSet::EMPTY;
        let (mut position, mut seen) = (0, 0);
        while seen < self.messages.locked().len() {
            let Some(id) = self.messages.at(position) else { break };
            position += 1;
            let Some(msg) = self.messages.get(id) else { continue };
            if !msg.is_locked() {
                reserved = reserved.union(self.needs(msg, &mut routes).0);
                continue;
            }
            seen += 1;
            if let Some(next) = self.work_on(id, &mut routes, reserved, fx) {
                return Some(next);
            }
        }
        None
    }

    /// The next call for one locked message, after the steps that need no call; `None` when
    /// the message waits for something outside the spooler. `reserved` are the transports older
    /// queued messages need.
    fn work_on(&mut self, id: MessageId, routes: &mut Routes, reserved: TransportSet, fx: &mut Effects) -> Option<InFlight> {
        let stopping = self.phase == Phase::Stopping;
        loop {
            let msg = self.messages.get(id)?;
            let store = msg.store;
            match msg.stage {
                Stage::Queued | Stage::Aborting => return None,
                Stage::Preprocessing { .. } | Stage::Routing | Stage::Unlocking if msg.cancelled => {
                    // DEF-5, AMB-17: a transport holding a deferred copy is told the user
                    // cancelled it, holders in transport order; then every recipient no
                    // transport took is withdrawn, and no preprocessor or transport sees the
                    // message again (DEC-27).
                    if let Some(transport) = self.first_holder(msg) {
                        let flags = NotifyFlags::NOTIFY_ABORT_DEFERRED | NotifyFlags::NOTIFY_CANCEL_MESSAGE;
                        return Some(InFlight::Plain(Call::TransportNotify { transport, flags, message: Some(id) }));
                    }
                    if let Some(msg) = self.messages.get_mut(id) {
                        for d in msg.disp.iter_mut().filter(|d| matches!(d, Disp::Pending { .. })) {
                            *d = Disp::Withdrawn;
                        }
                    }
                    // A message that goes back unsent skips the clean-up of preprocessing, which
                    // follows sending (HOOK-4), and FinishedMsg.
                    let msg = self.messages.get(id)?;
                    let after = if msg.withdrawn() { Stage::Withdrawing } else { Self::after_routing(msg) };
                    self.set_stage(id, after);
                }
                Stage::Preprocessing { .. } if stopping => self.set_stage(id, Stage::Unlocking),
                Stage::Preprocessing { next } => {
                    // HOOK-3, INV-27: matching preprocessors in registration order, then the
                    // spooler's own IMessage::SubmitMessage (SUB-12 step 5).
                    let call = match self.next_preprocessor(msg, next, routes) {
                        Some(preprocessor) => Call::PreprocessMessage { preprocessor, message: id },
                        None => Call::SubmitPreprocessed { store, message: id },
                    };
                    return Some(InFlight::Plain(call));
                }
                Stage::Routing if stopping => {
                    let next = if msg.all_done() { Self::after_routing(msg) } else { Stage::Unlocking };
                    self.set_stage(id, next);
                }
                Stage::Routing => {
                    let Plan { unroutable, open, offer } = self.plan(id, msg, routes, reserved);
                    let after = Self::after_routing(msg);
                    // ORD-4 step 5, SUB-25, AMB-22: recipients the scan has no transport left for
                    // get a non-delivery report, saved with the report so it is never raised
                    // twice (INV-24).
                    let ndr = RecipientOutcome::Undeliverable(NdrOrigin::NoTransport);
                    self.messages.settle(id, &unroutable, ndr, Some(ReportKind::NonDelivery), fx);
                    // The bug zoo: "done" is taken to mean "some recipient is settled" (SUB-26).
                    let one_settled = bug!(self, FinishBeforeSettled)
                        && self.messages.get(id).is_some_and(|m| m.disp.iter().any(|d| matches!(d, Disp::Done(_))));
                    if open && !one_settled {
                        return offer;
                    }
                    self.set_stage(id, after);
                    if after == Stage::Finishing {
                        // HOOK-7, as below.
                        return Some(InFlight::Plain(Call::FinishedMsg { store, message: id }));
                    }
                }
                Stage::CleaningUp { next } => match self.next_cleanup(msg, next) {
                    Some(preprocessor) => {
                        return Some(InFlight::Plain(Call::RemovePreprocessInfo { preprocessor, message: id }));
                    }
                    None => self.set_stage(id, Stage::Finishing),
                },
                // HOOK-7: the message is locked when FinishedMsg is called (INV-26).
                Stage::Finishing => return Some(InFlight::Plain(Call::FinishedMsg { store, message: id })),
                Stage::Withdrawing => {
                    return Some(InFlight::Plain(Call::SetLockState { store, message: id, state: LockState::Unlocked }));
                }
                Stage::Unlocking => {
                    // DEF-5, AMB-34: a transport holding a deferred copy is told to drop it
                    // before the message goes back to the queue for the next session; holders in
                    // transport order.
                    let call = match self.first_holder(msg) {
                        Some(transport) => {
                            Call::TransportNotify { transport, flags: NotifyFlags::NOTIFY_ABORT_DEFERRED, message: Some(id) }
                        }
                        // The bug zoo: the message is handed back without unlocking it (DEC-8).
                        None if bug!(self, SkipUnlock) => return None,
                        None => Call::SetLockState { store, message: id, state: LockState::Unlocked },
                    };
                    return Some(InFlight::Plain(call));
                }
            }
        }
    }

    /// The first transport, in transport order, that holds recipients of the message deferred
    /// (DEF-2): the one to tell first when the message will not be resubmitted (DEF-5).
    fn first_holder(&self, msg: &OutMsg) -> Option<TransportId> {
        let holders: TransportSet = msg.disp.iter().filter_map(|d| d.holder()).collect();
        self.order.iter().copied().find(|t| holders.contains(*t))
    }

    fn set_stage(&mut self, id: MessageId, stage: Stage) {
        if let Some(msg) = self.messages.get_mut(id) {
            msg.stage = stage;
        }
    }

    /// The next preprocessor, from number `next` on, that applies to the message (ORD-11,
    /// AMB-37, DEC-21): its filter matches a recipient still open, and either its transport gets
    /// the first chance at that recipient, or its transport registers no recipients at all (the
    /// usual form of a transport that only installs a preprocessor, ORD-6) and no transport
    /// earlier in the order can take the recipient.
    fn next_preprocessor(&self, msg: &OutMsg, next: u8, routes: &mut Routes) -> Option<PreprocessorId> {
        (usize::from(next)..self.preprocessors.len()).map(|p| PreprocessorId(p as u8)).find(|p| {
            let Preprocessor { owner, filter } = self.preprocessors[p.index()];
            let Some(own) = self.registrations(owner) else { return false };
            let registers_nothing = *own == Registrations::none();
            let earlier = self.order.iter().take_while(|t| **t != owner);
            msg.disp.iter().enumerate().any(|(r, d)| {
                let Disp::Pending { declined } = d else { return false };
                let row = &msg.recipients[r];
                filter.matches(row)
                    && (self.route(routes, row, *declined) == Route::To(owner)
                        || (registers_nothing
                            && !earlier.clone().any(|t| self.registrations(*t).is_some_and(|g| g.matches_uid(row) || g.matches_type(row)))))
            })
        })
    }

    /// The next `RemovePreprocessInfo` to call, from number `next` on (HOOK-4): those of the
    /// preprocessors that ran; after a restart, which ones ran is forgotten, so those whose
    /// filter matches some recipient.
    fn next_cleanup(&self, msg: &OutMsg, next: u8) -> Option<PreprocessorId> {
        (usize::from(next)..self.preprocessors.len()).map(|p| PreprocessorId(p as u8)).find(|p| match msg.preprocessed_by {
            Some(ran) => ran.contains(*p),
            None => msg.recipients.iter().any(|r| self.preprocessors[p.index()].filter.matches(r)),
        })
    }

    /// The stage after routing: SUB-26 step 3 only when `PR_PREPROCESS` is set (HOOK-4).
    fn after_routing(msg: &OutMsg) -> Stage {
        if msg.preprocess { Stage::CleaningUp { next: 0 } } else { Stage::Finishing }
    }

    /// One pass over the recipients of a routing message: those the scan has no transport left
    /// for (ORD-4 step 5, SUB-25), whether any other is still open, and the `SubmitMessage` to
    /// make to a transport that can take the message now (not waiting out a retry delay, INV-29,
    /// and not `reserved` for an older message, INV-28): first a deferred message its transport
    /// asked to resubmit (DEF-2), then the recipients whose first choice in the scan is such a
    /// transport (SUB-21, SUB-22, ORD-4, ORD-10). When several transports qualify, the first in
    /// transport order goes first, so the choice depends on no recipient's position. Settling
    /// the unroutable recipients changes neither the routes nor the readiness of the others, so
    /// one pass serves both.
    fn plan(&self, id: MessageId, msg: &OutMsg, routes: &mut Routes, reserved: TransportSet) -> Plan {
        let (mut checked, mut ready) = (TransportSet::EMPTY, TransportSet::EMPTY);
        let mut is_ready = |t: TransportId| {
            if !checked.contains(t) {
                checked.insert(t);
                // The bug zoo's SubmitAfterEndOutbound asks only whether the logon is registered
                // and serving, not whether its outbound traffic is enabled (LIFE-12).
                let sendable = |l: &Logon| l.may(Purpose::Send) || (bug!(self, SubmitAfterEndOutbound) && l.may(Purpose::Work));
                if self.logon(t).is_some_and(sendable) && !msg.blocked(t, self.now) && !reserved.contains(t) {
                    ready.insert(t);
                }
            }
            ready.contains(t)
        };
        let (mut unroutable, mut open) = (RecipientSet::new(), false);
        let (mut holders, mut targets) = (TransportSet::EMPTY, TransportSet::EMPTY);
        // The recipients of the first ready target met, which is usually the only one.
        let (mut first, mut offered) = (None, RecipientSet::new());
        for (r, (row, d)) in msg.recipients.iter().zip(msg.disp.iter()).enumerate() {
            match *d {
                Disp::Done(_) | Disp::Taken if bug!(self, OfferTakenRecipient) => {
                    // The bug zoo: the recipient list of the offer is built without looking at
                    // PR_RESPONSIBILITY (SUB-21); only whether the message is done looks at it.
                    if let Route::To(t) = self.route(routes, row, TransportSet::EMPTY)
                        && is_ready(t)
                        && *first.get_or_insert(t) == t
                    {
                        targets.insert(t);
                        offered.insert(RecipientIdx(r as u16));
                    }
                }
                Disp::Done(_) | Disp::Taken | Disp::Withdrawn => {}
                Disp::Deferred(..) => open = true,
                Disp::Resubmit(t, _) => {
                    open = true;
                    if is_ready(t) {
                        holders.insert(t);
                    }
                }
                Disp::Pending { declined } => match self.route(routes, row, declined) {
                    Route::Undeliverable => unroutable.insert(RecipientIdx(r as u16)),
                    Route::Wait => open = true,
                    Route::To(t) => {
                        open = true;
                        if is_ready(t) {
                            targets.insert(t);
                            if first.is_none() {
                                first = Some(t);
                            }
                            if first == Some(t) {
                                offered.insert(RecipientIdx(r as u16));
                            }
                        }
                    }
                },
            }
        }
        let pick = |set: TransportSet| self.order.iter().copied().find(|t| set.contains(*t));
        let offer = if let Some(t) = pick(holders) {
            let offered = msg.recipients_where(|d| matches!(d, Disp::Resubmit(h, _) if *h == t));
            Some(submit(t, id, SubmitFlags::BEGIN_DEFERRED, offered, true))
        } else if let Some(t) = pick(targets) {
            if first != Some(t) {
                offered = msg
                    .recipients
                    .iter()
                    .zip(msg.disp.iter())
                    .enumerate()
                    .filter(|(_, (row, d))| matches!(d, Disp::Pending { declined } if self.route(routes, row, *declined) == Route::To(t)))
                    .map(|(r, _)| RecipientIdx(r as u16))
                    .collect();
            }
            Some(submit(t, id, SubmitFlags::EMPTY, offered, false))
        } else {
            None
        };
        Plan { unroutable, open, offer }
    }

    /// Locks the next message (SUB-19, SUB-20): the oldest queued one when nothing is locked.
    /// Otherwise, since this runs only when every locked message waits, a queued message is
    /// locked when it has work that can start now (a transport it needs can send, or it needs no
    /// transport at all) and either it is older than some locked message (after a restart
    /// adopted later messages, or a message locked ahead changed its route), or it needs none of
    /// the transports that any older message needs (`imsgstore-setlockstate.md`, DEC-15). Both
    /// keep the per-transport order (INV-28).
    fn lock_work(&self) -> Option<InFlight> {
        let lock = |(id, msg): (MessageId, &OutMsg)| {
            InFlight::Plain(Call::SetLockState { store: msg.store, message: id, state: LockState::Locked })
        };
        let locked = self.messages.locked().len();
        if locked == 0 {
            // LIFE-20: a store logging off with LOGOFF_ORDERLY gets no new message started.
            return self.messages.in_order().find(|(_, m)| m.stage == Stage::Queued && !self.holds_back(m.store)).map(lock);
        }
        let mut routes = Routes::new();
        let (mut needed, mut seen) = (TransportSet::EMPTY, 0);
        for (id, msg) in self.messages.in_order() {
            let (wants, waits) = self.needs(msg, &mut routes);
            if msg.is_locked() {
                seen += 1;
            } else if self.holds_back(msg.store) {
                continue;
            } else {
                let can_start = wants.iter().any(|t| self.logon(t).is_some_and(|l| l.may(Purpose::Send))) || (wants.is_empty() && !waits);
                if can_start && (seen < locked || !wants.intersects(needed)) {
                    return Some(lock((id, msg)));
                }
            }
            needed = needed.union(wants);
        }
        None
    }

    /// The transports a message waits for (the first choice of each recipient still open, and
    /// the holders of deferred recipients to resubmit), and whether some recipient waits for a
    /// transport that is out of service (ORD-10).
    fn needs(&self, msg: &OutMsg, routes: &mut Routes) -> (TransportSet, bool) {
        let mut wants = TransportSet::EMPTY;
        let mut waits = false;
        for (row, d) in msg.recipients.iter().zip(msg.disp.iter()) {
            match d {
                Disp::Pending { declined } => match self.route(routes, row, *declined) {
                    Route::To(t) => wants.insert(t),
                    Route::Wait => waits = true,
                    Route::Undeliverable => {}
                },
                Disp::Resubmit(t, _) => wants.insert(*t),
                Disp::Deferred(..) | Disp::Done(_) | Disp::Taken | Disp::Withdrawn => {}
            }
        }
        (wants, waits)
    }

    /// `Idle` for the first logon that asked for it and may be called (LIFE-11, INV-10,
    /// INV-11).
    fn idle_work(&mut self) -> Option<InFlight> {
        self.transports.iter_mut().enumerate().find_map(|(i, transport)| {
            let logon = transport.logon_mut()?;
            if logon.idle_due && logon.may(Purpose::Idle) {
                logon.idle_due = false;
                Some(InFlight::Plain(Call::Idle { transport: TransportId(i as u8) }))
            } else {
                None
            }
        })
    }
}

/// The `TransportNotify` flags that take a transport from `from` to `to` (LIFE-10, LIFE-12);
/// never the BEGIN and END of one direction together (INV-13).
fn notify_flags(from: Directions, to: Directions) -> NotifyFlags {
    let mut flags = NotifyFlags::EMPTY;
    for (was, wants, begin, end) in [
        (from.inbound, to.inbound, NotifyFlags::NOTIFY_BEGIN_INBOUND, NotifyFlags::NOTIFY_END_INBOUND),
        (from.outbound, to.outbound, NotifyFlags::NOTIFY_BEGIN_OUTBOUND, NotifyFlags::NOTIFY_END_OUTBOUND),
    ] {
        if wants && !was {
            flags = flags | begin;
        } else if was && !wants {
            flags = flags | end;
        }
    }
    flags
}

fn submit(transport: TransportId, message: MessageId, flags: SubmitFlags, offered: RecipientSet, deferred: bool) -> InFlight {
    InFlight::Submit {
        call: Call::SubmitMessage { transport, message, flags, offered: offered.clone() },
        message,
        offered,
        deferred,
        reports: Vec::new(),
    }
}
