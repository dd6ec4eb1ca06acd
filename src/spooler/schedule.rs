//! What the spooler does next when no call is in flight: start-up, transport housekeeping,
//! message work, locking, idle time, shutdown.
//!
//! The spooler has one thread, so it makes one synchronous call at a time (AMB-20). When several
//! things are due, the order is fixed, so the reference is deterministic:
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

use crate::effect::{Call, Effect, Effects, NdrOrigin, RecipientOutcome};
use crate::flags::{LockState, NotifyFlags, SubmitFlags};
use crate::ids::{MessageId, PreprocessorId, RecipientIdx, StoreId, TransportId};
use crate::input::{Directions, ReportKind};
use crate::recipients::{RecipientSet, TransportSet};
use crate::routing::Registrations;

use super::messages::{Disp, OutMsg, Stage};
use super::transport::{Ending, Life, Logon, LogonStage};
use super::{InFlight, Phase, Preprocessor, Route, Spooler, StoreState};

impl Spooler {
    /// The next call to make, after doing every step that needs no call.
    pub(super) fn schedule(&mut self, fx: &mut Effects) -> Option<InFlight> {
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
                    return self
                        .transport_work()
                        .or_else(|| self.message_work(fx))
                        .or_else(|| self.lock_work())
                        .or_else(|| self.idle_work());
                }
                Phase::Stopping => {
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
            if self.transports[i].life == Life::NotLoaded && self.service_disabled(service) {
                // LIFE-6: MAPI calls no provider of a disabled service again.
                self.transports[i].life = Life::Gone { reason: Ending::ServiceDisabled };
                continue;
            }
            let call = match &self.transports[i].life {
                Life::NotLoaded => {
                    Call::XpProviderInit { transport: t, mapi_version: self.settings.versions.mapi, flags: self.settings.init_flags }
                }
                Life::Loaded { version, configured } => {
                    self.transports[i].life = Life::LoggedOn(Logon::new(*version, *configured));
                    Call::TransportLogon { transport: t, flags: self.settings.logon_flags }
                }
                Life::Unconfigured { .. } => Call::ServiceConfigure { service },
                Life::LoggedOn(logon) if logon.release.is_some() => Call::TransportLogoff { transport: t },
                Life::LoggedOn(logon) if logon.stage == LogonStage::Registering => Call::AddressTypes { transport: t },
                Life::ShutdownDue { .. } => Call::Shutdown { transport: t },
                Life::LoggedOn(_) | Life::Gone { .. } => continue,
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
                Life::LoggedOn(logon) => match logon.release {
                    // LIFE-12 then LIFE-14 on an orderly logoff; after a critical error or a
                    // disabled service only the release calls remain (LIFE-17, LIFE-6).
                    Some(Ending::SessionEnded) if !logon.critical && logon.enabled != Directions::NONE => {
                        Call::TransportNotify { transport: t, flags: notify_flags(logon.enabled, Directions::NONE), message: None }
                    }
                    Some(_) => Call::TransportLogoff { transport: t },
                    None if logon.stage == LogonStage::Registering || logon.requery => Call::AddressTypes { transport: t },
                    None if !logon.critical && logon.wanted != logon.enabled => {
                        Call::TransportNotify { transport: t, flags: notify_flags(logon.enabled, logon.wanted), message: None }
                    }
                    None => continue,
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
                    logon.release.get_or_insert(Ending::SessionEnded);
                }
                Life::ShutdownDue { .. } | Life::Gone { .. } => {}
            }
        }
    }

    /// Work on the locked messages, oldest lock first.
    fn message_work(&mut self, fx: &mut Effects) -> Option<InFlight> {
        let mut i = 0;
        while let Some(&id) = self.messages.locked().get(i) {
            if let Some(next) = self.work_on(id, fx) {
                return Some(next);
            }
            i += 1;
        }
        None
    }

    /// The next call for one locked message, after the steps that need no call; `None` when
    /// the message waits for something outside the spooler.
    fn work_on(&mut self, id: MessageId, fx: &mut Effects) -> Option<InFlight> {
        let stopping = self.phase == Phase::Stopping;
        loop {
            let msg = self.messages.get(id)?;
            let store = msg.store;
            match msg.stage {
                Stage::Queued => return None,
                Stage::Preprocessing { .. } if stopping => self.set_stage(id, Stage::Unlocking),
                Stage::Preprocessing { next } => {
                    // HOOK-3, INV-27: matching preprocessors in registration order, then the
                    // spooler's own IMessage::SubmitMessage (SUB-12 step 5).
                    let call = match self.next_preprocessor(msg, next) {
                        Some(preprocessor) => Call::PreprocessMessage { preprocessor, message: id },
                        None => Call::SubmitPreprocessed { store, message: id },
                    };
                    return Some(InFlight::Plain(call));
                }
                Stage::Routing => {
                    if msg.all_done() {
                        // SUB-26 step 3 only when PR_PREPROCESS is set (HOOK-4).
                        let next = if msg.preprocess { Stage::CleaningUp { next: 0 } } else { Stage::Finishing };
                        self.set_stage(id, next);
                    } else if stopping {
                        self.set_stage(id, Stage::Unlocking);
                    } else {
                        self.settle_unroutable(id, fx);
                        if !self.messages.get(id)?.all_done() {
                            return self.dispatch(id);
                        }
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
                Stage::Unlocking => {
                    // DEF-5, AMB-34: a transport holding a deferred copy is told to drop it
                    // before the message goes back to the queue for the next session.
                    let holder = msg.disp.iter().find_map(|d| match d {
                        Disp::Deferred(t) | Disp::Resubmit(t) => Some(*t),
                        _ => None,
                    });
                    let call = match holder {
                        Some(transport) => {
                            Call::TransportNotify { transport, flags: NotifyFlags::NOTIFY_ABORT_DEFERRED, message: Some(id) }
                        }
                        None => Call::SetLockState { store, message: id, state: LockState::Unlocked },
                    };
                    return Some(InFlight::Plain(call));
                }
            }
        }
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
    fn next_preprocessor(&self, msg: &OutMsg, next: u8) -> Option<PreprocessorId> {
        (usize::from(next)..self.preprocessors.len()).map(|p| PreprocessorId(p as u8)).find(|p| {
            let Preprocessor { owner, filter } = self.preprocessors[p.index()];
            let Some(own) = self.registrations(owner) else { return false };
            let registers_nothing = *own == Registrations::none();
            let earlier = self.order.iter().take_while(|t| **t != owner);
            msg.disp.iter().enumerate().any(|(r, d)| {
                let Disp::Pending { declined } = d else { return false };
                let row = &msg.recipients[r];
                filter.matches(row)
                    && (self.route(msg, r, *declined) == Route::To(owner)
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

    /// Recipients the scan has no transport left for get a non-delivery report (ORD-4 step 5,
    /// SUB-25, AMB-22), saved with the report so it is never raised twice (INV-24).
    fn settle_unroutable(&mut self, id: MessageId, fx: &mut Effects) {
        let Some(msg) = self.messages.get(id) else { return };
        let unroutable: RecipientSet = (0..msg.disp.len())
            .filter(|&r| matches!(msg.disp[r], Disp::Pending { declined } if self.route(msg, r, declined) == Route::Undeliverable))
            .map(|r| RecipientIdx(r as u16))
            .collect();
        if !unroutable.is_empty() {
            self.settle(id, &unroutable, RecipientOutcome::Undeliverable(NdrOrigin::NoTransport), Some(ReportKind::NonDelivery), fx);
        }
    }

    /// Marks recipients final, raises the report if the originator wants it (DEF-11), and saves
    /// the dispositions in the store.
    pub(super) fn settle(
        &mut self,
        id: MessageId,
        recipients: &RecipientSet,
        outcome: RecipientOutcome,
        report: Option<ReportKind>,
        fx: &mut Effects,
    ) {
        let Some(msg) = self.messages.get_mut(id).filter(|_| !recipients.is_empty()) else { return };
        for r in recipients.iter() {
            msg.disp[r.index()] = Disp::Done(outcome);
        }
        if let Some(kind) = report.filter(|k| msg.reports.wants(*k)) {
            fx.push(Effect::Report { store: msg.store, message: id, recipients: recipients.clone(), kind });
        }
        fx.push(Effect::SaveRecipients { store: msg.store, message: id, recipients: recipients.clone(), outcome });
    }

    /// Offers recipients of a routing message to a transport that can take it now: first a
    /// deferred message its transport asked to resubmit (DEF-2), then the recipients whose first
    /// choice in the scan is a transport that can send and is not waiting out a retry delay
    /// (SUB-21, SUB-22, ORD-4, ORD-10, INV-29).
    fn dispatch(&self, id: MessageId) -> Option<InFlight> {
        let msg = self.messages.get(id)?;
        let ready = |t: TransportId| self.logon(t).is_some_and(Logon::can_send) && !msg.blocked(t, self.now);
        let resubmit = msg.disp.iter().find_map(|d| match d {
            Disp::Resubmit(t) if ready(*t) => Some(*t),
            _ => None,
        });
        if let Some(t) = resubmit {
            let offered = msg.recipients_where(|d| *d == Disp::Resubmit(t));
            return Some(submit(t, id, SubmitFlags::BEGIN_DEFERRED, offered, true));
        }
        let first_choices = || {
            msg.disp.iter().enumerate().map(|(r, d)| match d {
                Disp::Pending { declined } => match self.route(msg, r, *declined) {
                    Route::To(t) => Some(t),
                    Route::Wait | Route::Undeliverable => None,
                },
                _ => None,
            })
        };
        let t = first_choices().flatten().find(|t| ready(*t))?;
        let offered = first_choices().enumerate().filter(|(_, fc)| *fc == Some(t)).map(|(r, _)| RecipientIdx(r as u16)).collect();
        Some(submit(t, id, SubmitFlags::EMPTY, offered, false))
    }

    /// Locks the next message (SUB-19, SUB-20): the oldest queued one when nothing is locked.
    /// When every locked message waits for a transport that cannot take it now, a later message
    /// may be locked if it needs none of the transports that any older message needs, and it
    /// has work that can be done now: a transport it needs can send, or it needs no transport
    /// at all (`imsgstore-setlockstate.md`, DEC-15). That keeps the per-transport order (INV-28).
    fn lock_work(&self) -> Option<InFlight> {
        let lock = |(id, msg): (MessageId, &OutMsg)| Call::SetLockState { store: msg.store, message: id, state: LockState::Locked };
        let mut queued = self.messages.in_order().filter(|(_, m)| m.stage == Stage::Queued);
        if self.messages.locked().is_empty() {
            return queued.next().map(lock).map(InFlight::Plain);
        }
        let mut needed = self
            .messages
            .locked()
            .iter()
            .filter_map(|id| self.messages.get(*id))
            .fold(TransportSet::EMPTY, |acc, m| acc.union(self.needs(m).0));
        for (id, msg) in queued {
            let (wants, waits) = self.needs(msg);
            let can_start = wants.iter().any(|t| self.logon(t).is_some_and(Logon::can_send)) || (wants.is_empty() && !waits);
            if !wants.intersects(needed) && can_start {
                return Some(InFlight::Plain(lock((id, msg))));
            }
            needed = needed.union(wants);
        }
        None
    }

    /// The transports a message waits for (the first choice of each recipient still open, and
    /// the holders of deferred recipients to resubmit), and whether some recipient waits for a
    /// transport that is out of service (ORD-10).
    fn needs(&self, msg: &OutMsg) -> (TransportSet, bool) {
        let mut wants = TransportSet::EMPTY;
        let mut waits = false;
        for (r, d) in msg.disp.iter().enumerate() {
            match d {
                Disp::Pending { declined } => match self.route(msg, r, *declined) {
                    Route::To(t) => wants.insert(t),
                    Route::Wait => waits = true,
                    Route::Undeliverable => {}
                },
                Disp::Resubmit(t) => wants.insert(*t),
                Disp::Deferred(_) | Disp::Done(_) | Disp::Taken => {}
            }
        }
        (wants, waits)
    }

    /// `Idle` for the first logon that asked for it and may be called (LIFE-11, INV-10,
    /// INV-11).
    fn idle_work(&mut self) -> Option<InFlight> {
        self.transports.iter_mut().enumerate().find_map(|(i, transport)| {
            let logon = transport.logon_mut()?;
            let callable = logon.stage == LogonStage::Ready && !logon.critsec && !logon.critical && logon.release.is_none();
            if logon.idle_due && callable {
                logon.idle_due = false;
                Some(InFlight::Plain(Call::Idle { transport: TransportId(i as u8) }))
            } else {
                None
            }
        })
    }

    pub(super) fn logon(&self, t: TransportId) -> Option<&Logon> {
        self.transports.get(t.index()).and_then(super::transport::Transport::logon)
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
