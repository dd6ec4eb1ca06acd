//! What the spooler does next when no call is in flight: start-up, transport housekeeping,
//! message work, locking, idle time, shutdown.
//!
//! The spooler has one thread, so it makes one synchronous call at a time (AMB-20). When several
//! calls are due, the documentation leaves the order open (FREE-1): the walk below meets every
//! call that is due and legal as a candidate, in the reference's order, and a chooser (see
//! `choice`) takes one. The reference takes the first, so it is deterministic (DEC-20; steps 2
//! to 4 may also be taken up in another fixed order with [`Spooler::step_with`]):
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
//!
//! A candidate passed over stays due. What no rule lets wait is kept by the walk itself: a
//! `Registering` transport gets its `AddressTypes` before anything else (LIFE-8); a locked
//! message passed over keeps the transports it needs from the first offers of younger messages
//! (INV-28); the outbound half of a flush ends only once no message work or locking was passed
//! over (FREE-58); the transports are released only once no message has work left (FREE-65).
//! Within those bounds any due call may come first: inbound work between outbound messages
//! (FREE-46), other transports' work during a flush (FREE-59), a re-query of address types
//! before or after other work (FREE-51, FREE-56), the release of a failed transport (FREE-63).

use crate::effect::{Call, Effects, NdrOrigin, RecipientOutcome};
use crate::flags::{LockState, LogonFlags, NotifyFlags, SubmitFlags};
use crate::ids::{MessageId, PreprocessorId, RecipientIdx, StoreId, TransportId};
use crate::input::{Directions, ReportKind};
use crate::readings::Amb13;
use crate::recipients::{RecipientSet, TransportSet};
use crate::routing::Registrations;

use super::choice::{Candidate, Choice, Chooser, Collect, Skip, offer};
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
    /// The ready transports holding deferred recipients to resubmit (DEF-2).
    holders: TransportSet,
    /// The ready transports that are the first choice of some open recipient (ORD-4).
    targets: TransportSet,
}

impl Spooler {
    /// The next call to make, after doing every step that needs no call on the way: the
    /// candidate the chooser takes, in the order `priorities` gives the kinds of work 2 to 4
    /// (the reference's [`Priorities::REFERENCE`] for every chooser but [`Spooler::step_with`]'s).
    pub(super) fn schedule<C: Chooser>(&mut self, fx: &mut Effects, priorities: Priorities, chooser: &mut C) -> Option<Candidate> {
        loop {
            match self.phase {
                Phase::Created | Phase::Stopped => return None,
                Phase::Starting => {
                    if let Some(next) = self.startup_work(chooser) {
                        return Some(next);
                    }
                    if chooser.passed() > 0 {
                        // Start-up calls are still due: the session does not run yet.
                        return None;
                    }
                    self.phase = Phase::Running;
                }
                Phase::Running => {
                    // FREE-5, FREE-6, FREE-7: the next step of a fetch and the spooler's own
                    // AbortSubmit come first in the reference; any other due call may come first.
                    if let Some(next) = self.inbound_continuation(fx, chooser) {
                        return Some(next);
                    }
                    if let Some(next) = self.abort_continuation(chooser) {
                        return Some(next);
                    }
                    let mut next = None;
                    // Message work or locking was passed over: an outbound flush half goes on.
                    let mut busy = false;
                    for work in priorities.0 {
                        let before = chooser.passed();
                        next = match work {
                            Work::Transports => self.transport_work(chooser),
                            Work::Messages => self.message_work(fx, chooser),
                            Work::Locking => self.lock_work(chooser),
                        };
                        if next.is_some() {
                            break;
                        }
                        busy |= work != Work::Transports && chooser.passed() > before;
                    }
                    if bug!(self, SendBeforeLock)
                        && let Some(Candidate {
                            next: InFlight::Plain(Call::SetLockState { message, state: LockState::Locked, .. }), ..
                        }) = next
                    {
                        // The bug zoo: the message is taken as locked without asking the store,
                        // and goes straight to a transport (SUB-20).
                        self.messages.lock(message);
                        continue;
                    }
                    let next = next
                        .or_else(|| self.status_work(chooser))
                        .or_else(|| self.flush_work(chooser, busy))
                        .or_else(|| self.inbound_work(chooser))
                        .or_else(|| self.idle_work(chooser));
                    if C::FIRST
                        && self.settings.readings.amb13 == Amb13::FourteenSteps
                        && let Some(Candidate { skip: Some(skip @ Skip::FlushBegin(_)), .. }) = &next
                    {
                        // AMB-13 `fourteen-steps`: a flush half begins without its BEGIN (the
                        // reference's walk; other choosers list the skip as FREE-57 has it).
                        let skip = *skip;
                        self.skip(skip);
                        continue;
                    }
                    return next;
                }
                Phase::Stopping => {
                    // A message the transport saved is still announced; one it was not given
                    // yet is released (RCV-10).
                    if let Some(next) = self.inbound_continuation(fx, chooser) {
                        return Some(next);
                    }
                    if let Some(next) = self.abort_continuation(chooser) {
                        return Some(next);
                    }
                    if let Some(next) = self.message_work(fx, chooser) {
                        return Some(next);
                    }
                    if chooser.passed() > 0 {
                        // FREE-65: the transports go once no message has work left.
                        return None;
                    }
                    self.release_everything();
                    if let Some(next) = self.transport_work(chooser) {
                        return Some(next);
                    }
                    if chooser.passed() > 0 {
                        return None;
                    }
                    self.phase = Phase::Stopped;
                    return None;
                }
            }
        }
    }

    /// Start-up ends as soon as it has no call left to make, whatever else is due, so that
    /// what depends on it (the status table, LIFE-21) does not wait for the spooler's next
    /// choice. `schedule` ends it the same way when it walks past it.
    pub(super) fn end_startup(&mut self) {
        if self.phase == Phase::Starting {
            let mut collect = Collect::default();
            if self.startup_work(&mut collect).is_none() && collect.0.is_empty() {
                self.phase = Phase::Running;
            }
        }
    }

    /// Taking a candidate: what changes with the call besides its being in flight.
    pub(super) fn commit(&mut self, candidate: &Candidate) {
        match candidate.next.call() {
            &Call::TransportLogon { transport, .. } => {
                let entry = &mut self.transports[transport.index()];
                if let Life::Loaded { version, configured } = entry.life {
                    entry.life = Life::LoggedOn(Logon::new(version, configured));
                }
            }
            &Call::Poll { transport } => {
                if let Some(logon) = self.transports[transport.index()].logon_mut() {
                    logon.poll_due = false;
                    logon.poll_skipped = false;
                }
            }
            &Call::Idle { transport } => {
                if let Some(logon) = self.transports[transport.index()].logon_mut() {
                    logon.idle_due = false;
                    logon.idle_skipped = false;
                }
            }
            Call::CreateMessage { .. } => self.inbound = candidate.fetch.map(super::Inbound::Creating),
            &Call::StartMessage { transport, message } => {
                self.inbound = Some(super::Inbound::Starting { transport, message, cancelled: false });
            }
            &(Call::InboundMsgHook { store, message, .. } | Call::NotifyNewMail { store, message }) if self.inbound.is_none() => {
                // RCV-16: an arrival of a tightly coupled store is taken up.
                self.arrivals.retain(|a| *a != (store, message));
                self.inbound = Some(super::Inbound::Hooking { store, message, next: 0 });
            }
            _ => {}
        }
    }

    /// Passing over due work without a call (see [`super::choice::Skip`]).
    pub(super) fn skip(&mut self, skip: super::choice::Skip) {
        use super::choice::Skip;
        match skip {
            Skip::Poll(t) => {
                if let Some(logon) = self.transports[t.index()].logon_mut() {
                    logon.poll_due = false;
                    logon.poll_skipped = true;
                }
            }
            Skip::Idle(t) => {
                if let Some(logon) = self.transports[t.index()].logon_mut() {
                    logon.idle_due = false;
                    logon.idle_skipped = true;
                }
            }
            Skip::FlushBegin(t) => {
                if let Some(logon) = self.transports[t.index()].logon_mut() {
                    let begin = match logon.flush {
                        Some(Flush::Outbound { begun: false, .. }) => NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH,
                        _ => NotifyFlags::NOTIFY_BEGIN_INBOUND_FLUSH,
                    };
                    // The half begins as if its BEGIN had returned.
                    Self::flush_notified(logon, begin);
                }
            }
        }
    }

    /// Start-up: each transport in profile order is initialized, logged on and registered
    /// before the next one starts (LIFE-1, LIFE-4, LIFE-8); then each store is logged on and its
    /// queue read (LIFE-19, SUB-16). Any transport's or store's next start-up call may come
    /// first (FREE-8, FREE-9, FREE-10), in any of the four traffic forms of `TransportLogon`
    /// (FREE-13), but a registering transport's `AddressTypes` comes before anything else
    /// (LIFE-8).
    fn startup_work<C: Chooser>(&mut self, chooser: &mut C) -> Option<Candidate> {
        if !C::FIRST
            && let Some(i) = self.transports.iter().position(|t| t.logon().is_some_and(|l| l.activity == Activity::Registering))
        {
            return offer(chooser, Candidate::call(Call::AddressTypes { transport: TransportId(i as u8) }));
        }
        for i in 0..self.transports.len() {
            let t = TransportId(i as u8);
            let service = self.transports[i].service;
            let call = match &self.transports[i].life {
                Life::NotLoaded => {
                    Call::XpProviderInit { transport: t, mapi_version: self.settings.versions.mapi, flags: self.settings.init_flags }
                }
                Life::Loaded { .. } => {
                    let flags = self.settings.logon_flags;
                    if let Some(next) = offer(chooser, Candidate::call(Call::TransportLogon { transport: t, flags })) {
                        return Some(next);
                    }
                    // FREE-13: the other three forms of the traffic flags.
                    let traffic = LogonFlags::LOGON_NO_INBOUND | LogonFlags::LOGON_NO_OUTBOUND;
                    let base = flags.without(traffic);
                    for form in [traffic, LogonFlags::LOGON_NO_INBOUND, LogonFlags::LOGON_NO_OUTBOUND, LogonFlags::EMPTY] {
                        let other = base | form;
                        if other != flags
                            && let Some(next) = offer(chooser, Candidate::call(Call::TransportLogon { transport: t, flags: other }))
                        {
                            return Some(next);
                        }
                    }
                    continue;
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
            if let Some(next) = offer(chooser, Candidate::call(call)) {
                return Some(next);
            }
        }
        for (i, state) in self.stores.iter().enumerate() {
            let store = StoreId(i as u8);
            let call = match state {
                StoreState::Closed => Call::SpoolerLogon { store },
                StoreState::LoggedOn => Call::GetOutgoingQueue { store },
                StoreState::Watching | StoreState::Unserved => continue,
            };
            if let Some(next) = offer(chooser, Candidate::call(call)) {
                return Some(next);
            }
        }
        None
    }

    /// Releases a transport that must go, re-registers one whose configuration changed, and
    /// brings each transport's traffic to the wanted directions. Any transport's housekeeping
    /// may come first (FREE-3, FREE-17); a re-query and a change of traffic may come in either
    /// order (FREE-3); a change of both directions may go in one call or one per direction
    /// (FREE-16).
    fn transport_work<C: Chooser>(&mut self, chooser: &mut C) -> Option<Candidate> {
        for (i, transport) in self.transports.iter().enumerate() {
            let t = TransportId(i as u8);
            let notify = |flags| Call::TransportNotify { transport: t, flags, message: None };
            // The change of traffic due, for its other forms, and whether the reference's call
            // is that change in one call.
            let mut change = None;
            let call = match &transport.life {
                Life::ShutdownDue { .. } => Call::Shutdown { transport: t },
                Life::LoggedOn(logon) => match logon.activity {
                    // STAT-20: a flush under way when the session ends is ended first, with
                    // both END flush flags in one call.
                    Activity::Leaving(Leave::SessionEnded) if logon.flush.is_some_and(Flush::begun) => {
                        notify(NotifyFlags::NOTIFY_END_INBOUND_FLUSH | NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH)
                    }
                    // LIFE-12 then LIFE-14 on an orderly logoff; after a critical error or a
                    // disabled service only the release calls remain (LIFE-17, LIFE-6).
                    Activity::Leaving(Leave::SessionEnded) if logon.enabled != Directions::NONE => {
                        change = Some((logon.enabled, Directions::NONE, true));
                        notify(notify_flags(logon.enabled, Directions::NONE))
                    }
                    // The bug zoo: the provider is shut down with its logon still live (LIFE-16).
                    Activity::Leaving(_) | Activity::Critical if bug!(self, ShutdownWithLiveLogon) => Call::Shutdown { transport: t },
                    Activity::Leaving(_) | Activity::Critical => Call::TransportLogoff { transport: t },
                    Activity::Registering => Call::AddressTypes { transport: t },
                    Activity::Serving if logon.requery => {
                        if logon.wanted != logon.enabled {
                            change = Some((logon.enabled, logon.wanted, false));
                        }
                        Call::AddressTypes { transport: t }
                    }
                    Activity::Serving if logon.wanted != logon.enabled => {
                        change = Some((logon.enabled, logon.wanted, true));
                        notify(notify_flags(logon.enabled, logon.wanted))
                    }
                    // Its TransportLogon is in flight, or nothing is due.
                    Activity::LoggingOn | Activity::Serving => continue,
                },
                _ => continue,
            };
            if let Some(next) = offer(chooser, Candidate::call(call)) {
                return Some(next);
            }
            if let Some((from, to, made)) = change.filter(|_| !C::FIRST) {
                let whole = notify_flags(from, to);
                for flags in traffic_forms(from, to).filter(|f| !(made && *f == whole)) {
                    if let Some(next) = offer(chooser, Candidate::call(notify(flags))) {
                        return Some(next);
                    }
                }
            }
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
    /// message, so with the locked messages at the head of the queue it touches only them. Any
    /// locked message's next call may come first (FREE-2, FREE-38, FREE-40, FREE-45); a locked
    /// message passed over keeps the transports it needs from younger messages, as a queued
    /// one does (INV-28).
    fn message_work<C: Chooser>(&mut self, fx: &mut Effects, chooser: &mut C) -> Option<Candidate> {
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
            let before = chooser.passed();
            if let Some(next) = self.work_on(id, &mut routes, reserved, fx, chooser) {
                return Some(next);
            }
            if chooser.passed() > before
                && let Some(msg) = self.messages.get(id)
            {
                reserved = reserved.union(self.needs(msg, &mut routes).0);
            }
        }
        None
    }

    /// The next call for one locked message, after the steps that need no call; `None` when
    /// the message waits for something outside the spooler, or the chooser passed its calls
    /// over. `reserved` are the transports older messages need.
    fn work_on<C: Chooser>(
        &mut self,
        id: MessageId,
        routes: &mut Routes,
        reserved: TransportSet,
        fx: &mut Effects,
        chooser: &mut C,
    ) -> Option<Candidate> {
        let stopping = self.phase == Phase::Stopping;
        loop {
            let msg = self.messages.get(id)?;
            let store = msg.store;
            match msg.stage {
                Stage::Queued | Stage::Aborting => return None,
                Stage::Preprocessing { .. } | Stage::Routing | Stage::Unlocking if msg.cancelled => {
                    // DEF-5, AMB-17: a transport holding a deferred copy is told the user
                    // cancelled it, holders in transport order (or any order, FREE-43); then
                    // every recipient no transport took is withdrawn, and no preprocessor or
                    // transport sees the message again (DEC-27).
                    let flags = NotifyFlags::NOTIFY_ABORT_DEFERRED | NotifyFlags::NOTIFY_CANCEL_MESSAGE;
                    if self.first_holder(msg).is_some() {
                        return self.tell_holders(id, flags, chooser);
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
                Stage::Preprocessing { .. } if stopping => {
                    // The bug zoo: the message is wound up as if it had been routed (DEC-8).
                    let next = if bug!(self, FinishPreprocessingAtEnd) { Self::after_routing(msg) } else { Stage::Unlocking };
                    self.set_stage(id, next);
                }
                Stage::Preprocessing { next } => {
                    // HOOK-3, INV-27: matching preprocessors in registration order, then the
                    // spooler's own IMessage::SubmitMessage (SUB-12 step 5).
                    let call = match self.next_preprocessor(msg, next, routes) {
                        Some(preprocessor) => Call::PreprocessMessage { preprocessor, message: id },
                        None => Call::SubmitPreprocessed { store, message: id },
                    };
                    return offer(chooser, Candidate::call(call));
                }
                Stage::Routing if stopping => {
                    let next = if msg.all_done() { Self::after_routing(msg) } else { Stage::Unlocking };
                    self.set_stage(id, next);
                }
                Stage::Routing => {
                    let Plan { unroutable, open, offer: first, holders, targets } = self.plan(id, msg, routes, reserved);
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
                        let first = Candidate::of(first?);
                        if chooser.take(&first) {
                            return Some(first);
                        }
                        return self.other_offers(id, routes, holders, targets, &first, chooser);
                    }
                    self.set_stage(id, after);
                    if after == Stage::Finishing {
                        // HOOK-7, as below.
                        return offer(chooser, Candidate::call(Call::FinishedMsg { store, message: id }));
                    }
                }
                Stage::CleaningUp { next } => match self.next_cleanup(msg, next) {
                    Some(preprocessor) => {
                        return offer(chooser, Candidate::call(Call::RemovePreprocessInfo { preprocessor, message: id }));
                    }
                    None => self.set_stage(id, Stage::Finishing),
                },
                // HOOK-7: the message is locked when FinishedMsg is called (INV-26).
                Stage::Finishing => return offer(chooser, Candidate::call(Call::FinishedMsg { store, message: id })),
                Stage::Withdrawing => {
                    return offer(chooser, Candidate::call(Call::SetLockState { store, message: id, state: LockState::Unlocked }));
                }
                Stage::Unlocking => {
                    // DEF-5, AMB-34: a transport holding a deferred copy is told to drop it
                    // before the message goes back to the queue for the next session; holders in
                    // transport order (or any order, FREE-45).
                    if self.first_holder(msg).is_some() {
                        return self.tell_holders(id, NotifyFlags::NOTIFY_ABORT_DEFERRED, chooser);
                    }
                    // The bug zoo: the message is handed back without unlocking it (DEC-8).
                    if bug!(self, SkipUnlock) {
                        return None;
                    }
                    return offer(chooser, Candidate::call(Call::SetLockState { store, message: id, state: LockState::Unlocked }));
                }
            }
        }
    }

    /// `TransportNotify(flags)` about a message to each transport holding deferred recipients
    /// of it, in transport order: the first is the reference's (DEF-5; any may be first,
    /// FREE-43, FREE-45).
    fn tell_holders<C: Chooser>(&self, id: MessageId, flags: NotifyFlags, chooser: &mut C) -> Option<Candidate> {
        let msg = self.messages.get(id)?;
        let holders: TransportSet = msg.disp.iter().filter_map(|d| d.holder()).collect();
        for transport in self.order.iter().copied().filter(|t| holders.contains(*t)) {
            if let Some(next) = offer(chooser, Candidate::call(Call::TransportNotify { transport, flags, message: Some(id) })) {
                return Some(next);
            }
        }
        None
    }

    /// The offers of a routing message other than the reference's `first` (FREE-26, FREE-37): the
    /// `BEGIN_DEFERRED` resubmission to each other ready holder (DEF-2), and the fresh offer to
    /// each other ready transport that is the first choice of some open recipient (ORD-4), in
    /// transport order.
    fn other_offers<C: Chooser>(
        &self,
        id: MessageId,
        routes: &mut Routes,
        holders: TransportSet,
        targets: TransportSet,
        first: &Candidate,
        chooser: &mut C,
    ) -> Option<Candidate> {
        let msg = self.messages.get(id)?;
        let made = match first.next.call() {
            Call::SubmitMessage { transport, flags, .. } => Some((*transport, *flags)),
            _ => None,
        };
        for t in self.order.iter().copied().filter(|t| holders.contains(*t)) {
            if made != Some((t, SubmitFlags::BEGIN_DEFERRED)) {
                let offered = msg.recipients_where(|d| matches!(d, Disp::Resubmit(h, _) if *h == t));
                if let Some(next) = offer(chooser, Candidate::of(submit(t, id, SubmitFlags::BEGIN_DEFERRED, offered, true))) {
                    return Some(next);
                }
            }
        }
        for t in self.order.iter().copied().filter(|t| targets.contains(*t)) {
            if made != Some((t, SubmitFlags::EMPTY)) {
                let offered = self.bound_for(msg, routes, t);
                if let Some(next) = offer(chooser, Candidate::of(submit(t, id, SubmitFlags::EMPTY, offered, false))) {
                    return Some(next);
                }
            }
        }
        None
    }

    /// The open recipients of a message whose first choice in the scan is `t` (ORD-4).
    fn bound_for(&self, msg: &OutMsg, routes: &mut Routes, t: TransportId) -> RecipientSet {
        msg.recipients
            .iter()
            .zip(msg.disp.iter())
            .enumerate()
            .filter(|(_, (row, d))| matches!(d, Disp::Pending { declined } if self.route(routes, row, *declined) == Route::To(t)))
            .map(|(r, _)| RecipientIdx(r as u16))
            .collect()
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
                offered = self.bound_for(msg, routes, t);
            }
            Some(submit(t, id, SubmitFlags::EMPTY, offered, false))
        } else {
            None
        };
        Plan { unroutable, open, offer, holders, targets }
    }

    /// Locks the next message (SUB-19, SUB-20): the oldest queued one when nothing is locked.
    /// Otherwise, since this runs only when every locked message waits, a queued message is
    /// locked when it has work that can start now (a transport it needs can send, or it needs no
    /// transport at all) and either it is older than some locked message (after a restart
    /// adopted later messages, or a message locked ahead changed its route), or it needs none of
    /// the transports that any older message needs (`imsgstore-setlockstate.md`, DEC-15). Both
    /// keep the per-transport order (INV-28).
    ///
    /// Any other message may be locked that keeps the per-transport order: the oldest of each
    /// store when none is locked (FREE-24, FREE-25), and every queued message the rule above
    /// admits, even while a locked message still has work (FREE-22, FREE-23).
    fn lock_work<C: Chooser>(&self, chooser: &mut C) -> Option<Candidate> {
        let lock =
            |id: MessageId, msg: &OutMsg| Candidate::call(Call::SetLockState { store: msg.store, message: id, state: LockState::Locked });
        // LIFE-20: a store logging off with LOGOFF_ORDERLY gets no new message started.
        let startable = |m: &OutMsg| m.stage == Stage::Queued && !self.holds_back(m.store);
        let locked = self.messages.locked().len();
        if locked == 0 && C::FIRST {
            return self.messages.in_order().find(|(_, m)| startable(m)).and_then(|(id, m)| offer(chooser, lock(id, m)));
        }
        // The oldest of each store, offered first when none is locked.
        let mut oldest: Vec<(StoreId, MessageId)> = Vec::new();
        if locked == 0 {
            for (id, msg) in self.messages.in_order().filter(|(_, m)| startable(m)) {
                if oldest.iter().all(|(s, _)| *s != msg.store) {
                    oldest.push((msg.store, id));
                    if let Some(next) = offer(chooser, lock(id, msg)) {
                        return Some(next);
                    }
                }
            }
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
                if can_start
                    && (seen < locked || !wants.intersects(needed))
                    && oldest.iter().all(|(_, m)| *m != id)
                    && let Some(next) = offer(chooser, lock(id, msg))
                {
                    return Some(next);
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
    /// INV-11); any such logon may be first, and each may be passed over once in a row
    /// (FREE-18, FREE-19).
    fn idle_work<C: Chooser>(&self, chooser: &mut C) -> Option<Candidate> {
        for (i, transport) in self.transports.iter().enumerate() {
            let Some(logon) = transport.logon() else { continue };
            if logon.idle_due && logon.may(Purpose::Idle) {
                let t = TransportId(i as u8);
                let skip = (!logon.idle_skipped).then_some(super::choice::Skip::Idle(t));
                if let Some(next) = offer(chooser, Candidate::call(Call::Idle { transport: t }).or_skip(skip)) {
                    return Some(next);
                }
            }
        }
        None
    }
}

/// The candidate a choice takes, in the form the choice makes it: a part of a fresh offer is
/// offered as that part (FREE-27).
pub(super) fn as_chosen(candidate: Candidate, choice: &Choice) -> Candidate {
    if let (
        Choice::Call(Call::SubmitMessage { offered: part, .. }),
        InFlight::Submit { call: Call::SubmitMessage { transport, flags, .. }, message, offered, deferred, .. },
    ) = (choice, &candidate.next)
        && part != offered
    {
        return Candidate { next: submit(*transport, *message, *flags, part.clone(), *deferred), ..candidate };
    }
    candidate
}

/// The forms of a change of traffic from `from` to `to` (FREE-16): one call for every
/// direction that changes, then, when both change, one call for each direction alone; never
/// the BEGIN and END of one direction together (INV-13).
fn traffic_forms(from: Directions, to: Directions) -> impl Iterator<Item = NotifyFlags> {
    let whole = notify_flags(from, to);
    let both = from.inbound != to.inbound && from.outbound != to.outbound;
    let inbound = Directions { inbound: to.inbound, outbound: from.outbound };
    let outbound = Directions { inbound: from.inbound, outbound: to.outbound };
    std::iter::once(whole).chain(both.then(|| [notify_flags(from, inbound), notify_flags(from, outbound)]).into_iter().flatten())
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
