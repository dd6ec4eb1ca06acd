//! A protocol monitor: the spooler's documented obligations, checked on the stream of inputs
//! and effects.
//!
//! The monitor knows nothing of how the spooler decides; it watches what the spooler is told and
//! what it does, and says when a call breaks one of the safety properties of section 11 of the
//! digest (INV-n). The model checker runs it on every transition, the property tests on every
//! step, and it judges the spooler's side of a recorded trace. Its state is small and
//! `Clone + Eq + Hash`, so it can live inside a model-checked state.
//!
//! A crash of the spooler process is [`Monitor::restart`]: what the session knew is forgotten,
//! what the stores saved is kept.

mod accepted;
mod flush;
mod oracle;
mod property;
mod refs;
mod requery;
mod tc;
mod watch;
mod withdraw;

pub use property::{Property, Violation};

use smallvec::SmallVec;

use crate::effect::{Call, Effect};
use crate::flags::{EndFlags, LogonCaps, SpoolerNotifyFlags as F};
use crate::hresult::Hresult;
use crate::ids::{MessageId, ServiceId, Time, TransportId};
use crate::input::{Caller, Input, QueueEvent, QueueRow, Return, SubmitOutcome, SupportCall};
use crate::readings::ReadyToSend;
use crate::routing::PreprocessorFilter;
use crate::spooler::Profile;
use crate::vec_map::VecMap;
use crate::version::{Negotiation, VersionRange};

use watch::{Exchange, MessageWatch, Stage, TransportWatch};

/// Watches one spooler and reports the first [`Violation`] of each step.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Monitor {
    // One byte per transport: inline up to 8 transports, so that cloning a monitor (which a model
    // checker does for every state) allocates less.
    services: SmallVec<[ServiceId; 8]>,
    /// The readings of the documentation's ambiguities it judges by (issue 15).
    readings: crate::readings::Readings,
    order: SmallVec<[TransportId; 8]>,
    versions: VersionRange,
    now: Time,
    in_flight: Option<Call>,
    transports: Vec<TransportWatch>,
    disabled_services: u64,
    preprocessors: Vec<(TransportId, PreprocessorFilter)>,
    messages: VecMap<MessageId, MessageWatch>,
    next_rank: u32,
    /// The inbound message being fetched: created for `StartMessage`, and whether a transport
    /// saved it (INV-36).
    inbound: Option<(MessageId, InboundStage)>,
    /// A cancelled `StartMessage` returned without saving: the message must be released in
    /// the same step (INV-37).
    discard_due: Option<MessageId>,
    /// How many inbound hooks the profile has (HOOK-13).
    hooks: u8,
    /// The messages a tightly coupled pair completed with `CompleteMsg` (INV-34, INV-35).
    completed: SmallVec<[MessageId; 2]>,
    /// Messages tightly coupled stores announced with `NOTIFY_NEWMAIL_RECEIVED`, not yet
    /// taken up (RCV-16).
    arrivals: Vec<(crate::ids::StoreId, MessageId)>,
    /// What a transport took in the return being observed; only during [`Monitor::observe`]
    /// (DEC-27).
    took: Option<withdraw::Took>,
}

/// Where an inbound message is (INV-36).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum InboundStage {
    /// Created; not handed to a transport yet.
    Created,
    /// `StartMessage` is in flight with it; `cancelled` once the user cancelled it (INV-37).
    Started {
        /// The user cancelled the transfer.
        cancelled: bool,
    },
    /// The message is in the store (a transport saved it, or a tightly coupled store placed
    /// it); the inbound hooks from number `next` on are due, then `NotifyNewMail` (HOOK-13).
    Saved {
        /// The next inbound hook.
        next: u8,
    },
    /// An inbound hook deleted it (`HOOK_DELETE`): nothing more may be called for it.
    Deleted,
}

type Checked = Result<(), Violation>;

fn broken(property: Property, detail: impl Into<String>) -> Checked {
    Err(Violation { property, detail: detail.into() })
}

impl Monitor {
    /// A monitor for a spooler of this profile, before the session starts.
    #[must_use]
    pub fn new(profile: &Profile) -> Monitor {
        Monitor {
            services: profile.transports.iter().copied().collect(),
            readings: profile.settings.readings,
            order: (0..profile.transports.len()).map(|i| TransportId(i as u8)).collect(),
            versions: profile.settings.versions,
            now: Time::default(),
            in_flight: None,
            transports: vec![TransportWatch::default(); profile.transports.len()],
            disabled_services: 0,
            preprocessors: Vec::new(),
            messages: VecMap::new(),
            next_rank: 0,
            inbound: None,
            discard_due: None,
            hooks: profile.settings.inbound_hooks,
            completed: SmallVec::new(),
            arrivals: Vec::new(),
            took: None,
        }
    }

    /// The spooler process crashed: the session's knowledge is gone, the stores keep the locks
    /// and the saved dispositions.
    pub fn restart(&mut self) {
        self.in_flight = None;
        self.transports = vec![TransportWatch::default(); self.transports.len()];
        self.disabled_services = 0;
        self.preprocessors.clear();
        self.inbound = None;
        self.discard_due = None;
        self.arrivals.clear();
        for msg in self.messages.values_mut() {
            msg.forget_session();
        }
    }

    /// The same monitor under other names for messages and recipient rows (symmetry
    /// reduction; see [`crate::Renaming`]). Queue ranks are renumbered from zero in the same
    /// order: only their order matters (INV-28).
    #[must_use]
    pub fn renamed(&self, renaming: &crate::Renaming) -> Monitor {
        let mut out = self.clone();
        if !renaming.is_identity() {
            out.in_flight = self.in_flight.as_ref().map(|c| renaming.call(c));
            for w in &mut out.transports {
                w.last_call = w.last_call.as_ref().map(|c| renaming.call(c));
                if let Some(exchange) = &mut w.open {
                    let old = exchange.message;
                    exchange.offered = renaming.rows(old, &exchange.offered);
                    exchange.accepted = renaming.rows(old, &exchange.accepted);
                    exchange.message = renaming.message(old);
                }
            }
            out.messages = std::mem::take(&mut out.messages)
                .into_iter()
                .map(|(id, mut watch)| {
                    renaming.reorder_in_place(id, &mut watch.recipients);
                    (renaming.message(id), watch)
                })
                .collect();
            for m in &mut out.completed {
                *m = renaming.message(*m);
            }
            out.rename_transfers(renaming);
        }
        let mut ranks: Vec<u32> = out.messages.values().map(|w| w.rank).collect();
        ranks.sort_unstable();
        for w in out.messages.values_mut() {
            w.rank = ranks.binary_search(&w.rank).map_or(w.rank, |i| i as u32);
        }
        out.next_rank = ranks.len() as u32;
        out
    }

    /// True when the monitor keeps a record of the message.
    #[must_use]
    pub fn watches(&self, m: MessageId) -> bool {
        self.messages.contains_key(&m)
    }

    /// Feeds into `state` what the monitor knows about a message apart from its name, its queue
    /// rank and its recipient rows: its record, and the exchange that names it (for canonical
    /// forms under [`Monitor::renamed`]).
    pub fn hash_message<H: std::hash::Hasher>(&self, m: MessageId, state: &mut H) {
        use std::hash::Hash;
        if let Some(w) = self.messages.get(&m) {
            let flags = (w.locked, w.removed, w.preprocess_pending, w.preprocess, w.preprocessed_here, w.cancelled);
            (w.store, flags, w.preprocessed, w.cleaned, &w.not_before, w.offered_to).hash(state);
        }
        self.completed.contains(&m).hash(state);
        for w in &self.transports {
            if let Some(exchange) = w.open.as_ref().filter(|e| e.message == m) {
                // Which rows are offered and accepted is the rows' part (`hash_recipient`): here
                // only what does not depend on the order of the rows.
                (1u8, &exchange.msg_ref, exchange.offered.len(), exchange.accepted.len(), exchange.ending).hash(state);
            }
        }
    }

    /// Feeds into `state` everything the monitor knows about one recipient row of a message.
    pub fn hash_recipient<H: std::hash::Hasher>(&self, m: MessageId, r: crate::ids::RecipientIdx, state: &mut H) {
        use std::hash::Hash;
        self.messages.get(&m).and_then(|w| w.recipients.get(r.index())).hash(state);
        for w in &self.transports {
            if let Some(exchange) = w.open.as_ref().filter(|e| e.message == m) {
                (exchange.offered.contains(r), exchange.accepted.contains(r)).hash(state);
            }
        }
    }

    /// Observes one accepted step: the input and the effects it caused. Returns the first
    /// property the effects break.
    ///
    /// # Errors
    /// The [`Violation`]; the monitor has still recorded the step, so it can go on watching.
    pub fn observe(&mut self, input: &Input, effects: &[Effect]) -> Result<(), Violation> {
        let accepted = self.accepted(input);
        self.learn(input);
        let first = accepted.and(match input {
            Input::Return(Return::TransportNotify { transport, flags, .. }) => self.row_mirrors_enabled(*transport, *flags),
            _ => Ok(()),
        });
        let effects = self.observe_effects(effects);
        first.and(effects)
    }

    /// Observes effects the spooler made without a new input: a call it chose to make later
    /// (issue 14, [`crate::Spooler::decide`]). Returns the first property they break.
    ///
    /// # Errors
    /// The [`Violation`]; the monitor has still recorded the effects.
    pub fn observe_effects(&mut self, effects: &[Effect]) -> Result<(), Violation> {
        let mut first = Ok(());
        for effect in effects {
            let checked = self.effect(effect);
            if first.is_ok() {
                first = checked;
            }
        }
        self.took = None;
        if let Some(m) = self.discard_due.take()
            && first.is_ok()
        {
            first = broken(
                Property::CancelledInboundDiscarded,
                format!("the cancelled StartMessage of {m} saved nothing, but {m} was not released"),
            );
        }
        first
    }

    /// Updates what the monitor knows from an input.
    fn learn(&mut self, input: &Input) {
        match input {
            Input::Return(ret) => {
                self.in_flight = None;
                self.transfer_return(ret);
                self.returned(ret);
                // Only the call in flight is kept: a stale one would tell equal states apart.
                for w in &mut self.transports {
                    w.last_call = None;
                }
            }
            Input::Support(call) => self.support(call),
            Input::Queue(QueueEvent::RowAdded(row)) => self.add_row(row),
            Input::Queue(QueueEvent::RowRemoved { message, .. }) => {
                if let Some(msg) = self.messages.get_mut(message).filter(|m| !m.locked) {
                    msg.removed = true;
                }
            }
            Input::TimePassed { seconds } => self.now = self.now.after(*seconds),
            // ORD-7: the scan follows the new order (INV-22).
            Input::TransportOrder(order) => self.order = order.iter().copied().collect(),
            Input::Cancel(crate::input::CancelRequest::Outbound { message, .. }) => {
                if let Some(msg) = self.messages.get_mut(message).filter(|m| m.locked) {
                    msg.cancelled = true;
                }
            }
            Input::Cancel(crate::input::CancelRequest::Inbound { .. }) => {
                if let Some((_, InboundStage::Started { cancelled })) = &mut self.inbound {
                    *cancelled = true;
                }
            }
            Input::Session(_) | Input::SystemIdle | Input::Status(_) => {}
        }
    }

    fn add_row(&mut self, row: &QueueRow) {
        let rank = self.next_rank;
        self.next_rank += 1;
        self.messages.get_or_insert_with(row.message, || MessageWatch::new(rank, row));
    }

    fn transport(&mut self, t: TransportId) -> Option<&mut TransportWatch> {
        self.transports.get_mut(t.index())
    }

    fn returned(&mut self, ret: &Return) {
        match ret {
            Return::XpProviderInit { transport, result } => {
                let agreed = matches!(result.map(|v| self.versions.negotiate(v)), Ok(Negotiation::Agreed(_)));
                if let Some(w) = self.transport(*transport) {
                    w.stage = if agreed { Stage::Loaded } else { Stage::Dropped };
                }
            }
            Return::TransportLogon { transport, result } => {
                let service = self.services.get(transport.index()).copied();
                match result {
                    Ok(caps) => {
                        if let Some(w) = self.transport(*transport) {
                            w.stage = Stage::LoggedOn;
                            w.idle = caps.contains(LogonCaps::LOGON_SP_IDLE);
                            w.poll = caps.contains(LogonCaps::LOGON_SP_POLL);
                        }
                    }
                    Err(h) => {
                        if let Some(w) = self.transport(*transport) {
                            w.stage = Stage::LogonFailed;
                        }
                        // INV-6: only these two codes spare the service.
                        if !matches!(*h, Hresult::MAPI_E_FAILONEPROVIDER | Hresult::MAPI_E_UNCONFIGURED)
                            && let Some(s) = service
                        {
                            self.disabled_services |= 1 << s.index();
                        }
                    }
                }
            }
            Return::AddressTypes { transport, result: Ok(registrations) } => {
                if let Some(w) = self.transport(*transport) {
                    w.stage = Stage::Registered;
                    w.registrations = Some(registrations.clone());
                    w.requery = false;
                }
            }
            Return::TransportNotify { transport, flags, .. } => {
                if let Some(w) = self.transport(*transport) {
                    w.enabled = flags.enabled_after(w.enabled);
                }
            }
            Return::SubmitMessage { transport, message, outcome } => self.returned_submit(*transport, *message, outcome),
            Return::EndMessage { transport, result, .. } => self.returned_end(*transport, result.ok()),
            Return::TransportLogoff { transport, .. } => {
                if let Some(w) = self.transport(*transport) {
                    w.stage = Stage::LoggedOff;
                    w.open = None;
                    w.flush = None;
                    // INV-4: the row goes with the logon.
                    w.row = None;
                }
                self.release_deferrals(*transport);
            }
            Return::Shutdown { transport, .. } => {
                if let Some(w) = self.transport(*transport) {
                    w.stage = Stage::Released;
                }
            }
            Return::GetOutgoingQueue { store, result: Ok(rows) } => {
                // Messages of this store that are no longer queued left while no spooler
                // watched (aborted, or finished before a crash).
                self.messages.retain(|id, msg| msg.store != *store || rows.iter().any(|r| r.message == *id));
                for row in rows {
                    self.add_row(row);
                }
            }
            Return::SetLockState { message, state, result, .. } => {
                if let Some(msg) = self.messages.get_mut(message) {
                    match (state, result.is_success()) {
                        (crate::flags::LockState::Locked, true) => msg.locked = true,
                        (crate::flags::LockState::Locked, false) => msg.removed = true,
                        (crate::flags::LockState::Unlocked, true) => msg.locked = false,
                        (crate::flags::LockState::Unlocked, false) => {}
                    }
                }
            }
            Return::PreprocessMessage { preprocessor, message, .. } => {
                if let Some(msg) = self.messages.get_mut(message) {
                    msg.preprocessed.insert(*preprocessor);
                }
            }
            Return::SubmitPreprocessed { message, result, .. } => {
                if let Some(msg) = self.messages.get_mut(message).filter(|_| result.is_success()) {
                    msg.preprocess_pending = false;
                }
            }
            Return::FinishedMsg { message, result, .. } if result.is_success() => {
                self.messages.remove(message);
            }
            Return::CreateMessage { result, .. } => self.inbound = result.ok().map(|m| (m, InboundStage::Created)),
            Return::StartMessage { message, result, .. } => {
                let cancelled = matches!(self.inbound, Some((_, InboundStage::Started { cancelled: true })));
                if cancelled && *result != Ok(crate::input::Delivery::Saved) {
                    self.discard_due = Some(*message);
                }
                self.inbound = match (self.inbound, result) {
                    (Some((m, InboundStage::Started { .. })), Ok(crate::input::Delivery::Saved)) if m == *message => {
                        Some((m, InboundStage::Saved { next: 0 }))
                    }
                    _ => None,
                };
            }
            Return::NotifyNewMail { .. } => self.inbound = None,
            Return::AbortSubmit { message, result, .. } if result.is_success() || *result == Hresult::MAPI_E_NOT_IN_QUEUE => {
                self.messages.remove(message);
            }
            Return::InboundMsgHook { message, result, .. } => self.learn_hook(*message, result),
            // The other returns (failures above included) change nothing the monitor watches; a
            // return of a new method needs an arm here only when a property watches it.
            _ => {}
        }
    }

    fn returned_submit(&mut self, t: TransportId, m: MessageId, outcome: &SubmitOutcome) {
        let now = self.now;
        let Some(Call::SubmitMessage { offered, .. }) = self.in_flight_submit(t, m) else { return };
        match outcome {
            SubmitOutcome::Accepted { msg_ref, accepted } => {
                if let Some(w) = self.transport(t) {
                    w.open = Some(Exchange { message: m, msg_ref: *msg_ref, offered, accepted: accepted.clone(), ending: false });
                }
                // DEC-27: the recipients it reported are saved now.
                self.took = Some(withdraw::Took { message: m, transport: t, recipients: accepted.clone() });
            }
            SubmitOutcome::Failed { result, return_parm, saved } => {
                let Some(msg) = self.messages.get_mut(&m) else { return };
                for r in saved.iter() {
                    if let Some(rec) = msg.recipients.get_mut(r.index()) {
                        rec.settled = true;
                        rec.deferred = None;
                    }
                }
                match *result {
                    Hresult::MAPI_E_WAIT | Hresult::MAPI_E_NETWORK_ERROR => msg.not_before.push((t, now.after(*return_parm))),
                    Hresult::MAPI_E_NOT_ME => {
                        for r in offered.difference(saved).iter() {
                            if let Some(rec) = msg.recipients.get_mut(r.index()) {
                                rec.declined.insert(t);
                                rec.deferred = None;
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// The SubmitMessage call of the return being learnt (the call in flight is cleared before
    /// the return is learnt, so it is kept aside in `last_call`).
    fn in_flight_submit(&self, t: TransportId, m: MessageId) -> Option<Call> {
        self.transports
            .get(t.index())
            .and_then(|w| w.last_call.clone())
            .filter(|c| matches!(c, Call::SubmitMessage { message, .. } if *message == m))
    }

    fn returned_end(&mut self, t: TransportId, flags: Option<EndFlags>) {
        let Some(exchange) = self.transport(t).and_then(|w| w.open.take()) else { return };
        let Some(msg) = self.messages.get_mut(&exchange.message) else { return };
        let flags = flags.unwrap_or(EndFlags::EMPTY);
        if flags == EndFlags::EMPTY {
            // DEC-27: what it accepted is saved now.
            self.took = Some(withdraw::Took { message: exchange.message, transport: t, recipients: exchange.accepted.clone() });
        }
        if flags == EndFlags::END_RESEND_NOW || flags == EndFlags::END_RESEND_LATER {
            // The attempt does not count (AMB-18): nothing is taken or declined.
            return;
        }
        for r in exchange.offered.iter() {
            let Some(rec) = msg.recipients.get_mut(r.index()) else { continue };
            if rec.settled {
                // Reported during SubmitMessage: final (DEC-10), never deferred.
            } else if exchange.accepted.contains(r) {
                if flags == EndFlags::END_DONT_RESEND {
                    rec.deferred = Some((t, false));
                }
            } else {
                rec.declined.insert(t);
                rec.deferred = None;
            }
        }
    }

    fn support(&mut self, call: &SupportCall) {
        match call {
            SupportCall::RegisterPreprocessor { transport, filter } => self.preprocessors.push((*transport, *filter)),
            SupportCall::SpoolerNotify { caller: Caller::Transport(t), flags, message } => {
                let Some(w) = self.transport(*t) else { return };
                w.critical |= flags.contains(F::NOTIFY_CRITICAL_ERROR);
                if w.critical {
                    // LIFE-17: no more calls, so the flush is over with the transport (LIV-5).
                    w.flush = None;
                }
                if flags.contains(F::NOTIFY_CRITSEC) {
                    w.critsec = true;
                }
                if flags.contains(F::NOTIFY_NONCRIT) {
                    w.critsec = false;
                }
                // ORD-9: its registrations are stale until AddressTypes returns again.
                w.requery |= flags.contains(F::NOTIFY_CONFIG_CHANGE);
                let outbound = w.enabled.outbound;
                if flags.contains(F::NOTIFY_CRITICAL_ERROR) {
                    // DEC-4: what it held deferred goes back to the scan.
                    self.release_deferrals(*t);
                }
                if flags.contains(F::NOTIFY_READYTOSEND) && outbound && self.readings.ready_to_send == ReadyToSend::ReadytosendEndsDelays {
                    // ERR-19: a recovered transport may be offered messages again at once (not
                    // under EXT-1 `delays-stand`).
                    for msg in self.messages.values_mut() {
                        msg.not_before.retain(|(b, _)| b != t);
                    }
                }
                if let (true, Some(m)) = (flags.contains(F::NOTIFY_SENTDEFERRED), message)
                    && let Some(msg) = self.messages.get_mut(m)
                {
                    for rec in &mut msg.recipients {
                        if rec.deferred == Some((*t, false)) {
                            rec.deferred = Some((*t, true));
                        }
                    }
                }
            }
            SupportCall::SpoolerNotify { caller: Caller::Store(s), flags, message } if flags.contains(F::NOTIFY_NEWMAIL_RECEIVED) => {
                self.learn_arrival(*s, *message);
            }
            SupportCall::CompleteMsg(row) => self.learn_completed(row),
            SupportCall::ModifyStatusRow { transport, status, .. } | SupportCall::ModifyStatusRowColumns { transport, status, .. } => {
                if let Some(w) = self.transport(*transport) {
                    w.row = Some(*status);
                }
            }
            // The other support calls change nothing the monitor watches.
            _ => {}
        }
    }

    /// A transport will not be called again: the recipients it held deferred are open again.
    fn release_deferrals(&mut self, t: TransportId) {
        for msg in self.messages.values_mut() {
            for rec in &mut msg.recipients {
                if rec.deferred.is_some_and(|(holder, _)| holder == t) {
                    rec.deferred = None;
                }
            }
        }
    }

    fn effect(&mut self, effect: &Effect) -> Checked {
        match effect {
            Effect::Call(call) => {
                let checked = if let Some(previous) = &self.in_flight {
                    broken(Property::OneCallAtATime, format!("{call} while {previous} is in flight"))
                } else {
                    self.call(call)
                };
                self.in_flight = Some(call.clone());
                if let Some(w) = call.transport().and_then(|t| self.transport(t)) {
                    w.last_call = Some(call.clone());
                }
                checked
            }
            Effect::SaveRecipients { message, recipients, outcome, .. } => {
                let withdrawn = self.saved_after_cancel(*message, recipients, *outcome);
                let msg = self.messages.get_mut(message);
                let Some(msg) = msg else {
                    return broken(Property::OneDisposition, format!("dispositions saved for {message}, which is not queued"));
                };
                let mut checked = Ok(());
                for r in recipients.iter() {
                    let Some(rec) = msg.recipients.get_mut(r.index()) else { continue };
                    if rec.settled && checked.is_ok() {
                        checked = broken(Property::OneDisposition, format!("{message} recipient {} saved twice", r.0));
                    }
                    rec.settled = true;
                    rec.deferred = None;
                }
                checked.and(withdrawn)
            }
            Effect::Report { message, recipients, .. } => {
                let Some(msg) = self.messages.get_mut(message) else { return Ok(()) };
                let mut checked = Ok(());
                for r in recipients.iter() {
                    let Some(rec) = msg.recipients.get_mut(r.index()) else { continue };
                    rec.reports = rec.reports.saturating_add(1);
                    if rec.reports > 1 && checked.is_ok() {
                        checked = broken(Property::OneReport, format!("{message} recipient {} got a second report", r.0));
                    }
                }
                checked
            }
            Effect::Release(crate::effect::Released::Unsaved { message, .. }) => {
                if self.discard_due == Some(*message) {
                    self.discard_due = None;
                }
                Ok(())
            }
            Effect::Release(crate::effect::Released::HookDeleted { message, .. }) => {
                if self.inbound.is_some_and(|(m, _)| m == *message) {
                    self.inbound = None;
                }
                Ok(())
            }
            Effect::Release(_) | Effect::YieldCancel { .. } | Effect::LogoffAnswer { .. } | Effect::StatusAnswer { .. } => Ok(()),
            Effect::CancelMessage { transport, message } => {
                // INV-40, DEF-7, SUB-36: only the transfer in flight is cancelled.
                let open = self.transports.get(transport.index()).and_then(|w| w.open.as_ref()).map(|e| e.message);
                let target = match &self.in_flight {
                    Some(Call::SubmitMessage { transport: t, message: m, .. } | Call::StartMessage { transport: t, message: m }) => {
                        *t == *transport && *m == *message
                    }
                    Some(Call::EndMessage { transport: t, .. }) => *t == *transport && open == Some(*message),
                    _ => false,
                };
                if target {
                    Ok(())
                } else {
                    let during = self.in_flight.as_ref().map_or_else(|| "no call".to_owned(), ToString::to_string);
                    broken(Property::CancelTarget, format!("NOTIFY_CANCEL_MESSAGE to {transport} for {message} during {during}"))
                }
            }
        }
    }
}

mod calls;
