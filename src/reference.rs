//! The reference model of outbound submissions: per message its outcome, per recipient its
//! disposition and reports, written from the rules and never asking the spooler anything
//! (SUB-20 to SUB-34, ORD-4, ORD-10, DEF-5 to DEF-11, HOOK-2, HOOK-7, INV-23, INV-24).
//!
//! It judges a run step by step: every `SaveRecipients`, `Report`, `SubmitMessage`,
//! `SetLockState`, `AbortSubmit` and `FinishedMsg` the spooler produces must be one the rules
//! allow at that point, every disposition and report the rules make due must happen in the step
//! that makes it due, and its record must agree with the stores'. A spooler that sends a
//! recipient to the wrong transport, settles one twice or settles one wrongly diverges from it on
//! the step it does so. The stateful property tests and the model checker's refinement property
//! both judge with it; its declines come from the returns it sees, not from the spooler's record,
//! so a routing mistake of the implementation cannot hide in it.

use std::collections::BTreeMap;

use crate::effect::{Call, Effect, NdrOrigin, RecipientOutcome};
use crate::flags::{EndFlags, LockState, QueueFlags, SubmitFlags};
use crate::hresult::Hresult;
use crate::ids::{MessageId, RecipientIdx, StoreId, TransportId};
use crate::input::{CancelRequest, Input, QueueRow, ReportKind, ReportRequests, Return, SubmitOutcome, SupportCall};
use crate::recipients::{RecipientRow, RecipientSet, TransportSet};
use crate::routing::Registrations;
use crate::store::{Outcome, ReferenceStore};

/// Where a submission is, by the rules (SUB-20, HOOK-7, DEF-6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RefState {
    Queued,
    Locked,
    Finished,
    Aborted,
}

/// A submitted message in the reference model.
#[derive(Clone, Debug, PartialEq, Eq)]
struct RefMsg {
    store: StoreId,
    state: RefState,
    wants: ReportRequests,
    rows: Vec<RecipientRow>,
    disp: Vec<Option<RecipientOutcome>>,
    reports: Vec<u8>,
    /// The transports that declined each recipient this session (ORD-4).
    declined: Vec<TransportSet>,
    /// The user cancelled it this session (DEF-5, DEF-7): it is never offered again.
    cancelled: bool,
}

/// A disposition the rules make due in this step: it must happen, and it may.
struct Grant {
    message: MessageId,
    recipients: RecipientSet,
    outcome: RecipientOutcome,
    /// The report that goes with it, if the originator wants that kind (DEF-11).
    report: Option<ReportKind>,
    /// The transport saved these recipients itself before failing (SUB-33): the spooler may save
    /// the same disposition again.
    resave: bool,
}

/// The reference model: per message its outcome, per recipient its disposition and reports,
/// and the little session knowledge the rules need (registrations, declines, the exchange in
/// progress). Written from the rules, it never asks the spooler anything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reference {
    msgs: BTreeMap<MessageId, RefMsg>,
    /// `AddressTypes` results of this session (ORD-1).
    regs: BTreeMap<TransportId, Registrations>,
    /// The `SubmitMessage` in flight: transport, message, offered recipients, and whether it is
    /// a `BEGIN_DEFERRED` submission.
    offer: Option<(TransportId, MessageId, RecipientSet, bool)>,
    /// `StatusRecips` reports made during it (SUB-30).
    reported: Vec<(RecipientIdx, ReportKind)>,
    /// An S_OK `SubmitMessage` awaiting `EndMessage`: transport, message, offered, accepted,
    /// reported.
    exchange: Option<(TransportId, MessageId, RecipientSet, RecipientSet, RecipientSet)>,
}

impl Reference {
    /// A client submitted the message of this queue row (SUB-1): queued, every recipient open.
    pub fn submitted(&mut self, row: &QueueRow) {
        let n = row.recipients.len();
        self.msgs.insert(
            row.message,
            RefMsg {
                store: row.store,
                state: RefState::Queued,
                wants: row.reports,
                rows: row.recipients.clone(),
                disp: row.recipients.iter().map(|_| None).collect(),
                reports: vec![0; n],
                declined: vec![TransportSet::EMPTY; n],
                cancelled: false,
            },
        );
    }

    /// A client submitted to the store tightly coupled with `transport`, which served the
    /// recipients whose `PR_RESPONSIBILITY` the queue row shows TRUE (TC-4); with `completed`
    /// it served them all and hands the message over locked with `CompleteMsg` (TC-3).
    pub fn submitted_coupled(&mut self, row: &QueueRow, transport: TransportId, completed: bool) {
        self.submitted(row);
        if let Some(msg) = self.msgs.get_mut(&row.message) {
            for (d, r) in msg.disp.iter_mut().zip(&row.recipients) {
                if r.responsibility {
                    *d = Some(RecipientOutcome::Transport(transport));
                }
            }
            if completed {
                msg.state = RefState::Locked;
            }
        }
    }

    /// The same record under other names for messages and recipient rows (symmetry reduction).
    #[must_use]
    pub fn renamed(&self, renaming: &crate::rename::Renaming) -> Reference {
        let msgs = self
            .msgs
            .iter()
            .map(|(m, msg)| {
                let msg = RefMsg {
                    rows: renaming.reorder(*m, &msg.rows),
                    disp: renaming.reorder(*m, &msg.disp),
                    reports: renaming.reorder(*m, &msg.reports),
                    declined: renaming.reorder(*m, &msg.declined),
                    ..msg.clone()
                };
                (renaming.message(*m), msg)
            })
            .collect();
        let offered_message = self.offer.as_ref().map(|(_, m, ..)| *m);
        Reference {
            msgs,
            regs: self.regs.clone(),
            offer: self.offer.as_ref().map(|(t, m, set, d)| (*t, renaming.message(*m), renaming.rows(*m, set), *d)),
            reported: match offered_message {
                Some(m) => self.reported.iter().map(|(r, k)| (renaming.row(m, *r), *k)).collect(),
                None => self.reported.clone(),
            },
            exchange: self.exchange.as_ref().map(|(t, m, offered, accepted, reported)| {
                (*t, renaming.message(*m), renaming.rows(*m, offered), renaming.rows(*m, accepted), renaming.rows(*m, reported))
            }),
        }
    }

    /// The client aborted a message (DEF-6): only a queued message that is not locked can be
    /// aborted.
    ///
    /// # Errors
    /// The message was never submitted, or is not queued and unlocked.
    pub fn aborted(&mut self, m: MessageId) -> Result<(), String> {
        let msg = self.msgs.get_mut(&m).ok_or(format!("{m} aborted but never submitted"))?;
        if msg.state != RefState::Queued {
            return Err(format!("DEF-6: the store aborted {m}, which is {:?}", msg.state));
        }
        msg.state = RefState::Aborted;
        Ok(())
    }

    /// The spooler process crashed and a new one starts: the session's knowledge goes, the
    /// stores' stays (DEC-12, DEC-27).
    pub fn restart(&mut self) {
        self.regs.clear();
        self.offer = None;
        self.reported.clear();
        self.exchange = None;
        for msg in self.msgs.values_mut() {
            msg.declined.iter_mut().for_each(|d| *d = TransportSet::EMPTY);
            // The cancel is the session's: a new spooler does not know of it (DEC-27).
            msg.cancelled = false;
        }
    }

    fn msg(&mut self, m: MessageId) -> Result<&mut RefMsg, String> {
        self.msgs.get_mut(&m).ok_or(format!("{m} was never submitted"))
    }

    /// ORD-4 step 5, ORD-10, SUB-25: no transport is left for a recipient when every transport
    /// whose registrations match it has declined it this session.
    fn no_transport_left(&self, m: MessageId, r: RecipientIdx) -> bool {
        let msg = &self.msgs[&m];
        let row = &msg.rows[r.index()];
        self.regs.iter().all(|(t, g)| !(g.matches_uid(row) || g.matches_type(row)) || msg.declined[r.index()].contains(*t))
    }

    fn decline(&mut self, m: MessageId, t: TransportId, recipients: &RecipientSet) -> Result<(), String> {
        let msg = self.msg(m)?;
        for r in recipients.iter() {
            if msg.disp[r.index()].is_none() {
                msg.declined[r.index()].insert(t);
            }
        }
        Ok(())
    }

    /// Judges one step the spooler accepted: the input and the effects it caused. Returns the
    /// messages the step touched, for [`Reference::agrees`].
    ///
    /// # Errors
    /// Why the step departs from the rules, in words.
    pub fn observe(&mut self, input: &Input, effects: &[Effect]) -> Result<Vec<MessageId>, String> {
        let mut grants: Vec<Grant> = Vec::new();
        // Recipients settled in this step: by the transport's own save or by the spooler's.
        let mut settled: Vec<(MessageId, RecipientIdx, RecipientOutcome)> = Vec::new();
        let mut touched = Vec::new();
        match input {
            Input::Support(SupportCall::StatusRecips { reports, .. }) => self.reported.extend(reports.iter().copied()),
            Input::Return(Return::AddressTypes { transport, result: Ok(regs) }) => {
                self.regs.insert(*transport, regs.clone());
            }
            Input::Return(Return::SetLockState { message, state, result, .. }) => {
                touched.push(*message);
                let msg = self.msg(*message)?;
                match (state, result.is_success(), msg.state) {
                    (LockState::Locked, true, RefState::Queued) => msg.state = RefState::Locked,
                    (LockState::Locked, false, RefState::Aborted) | (LockState::Unlocked, false, _) => {}
                    (LockState::Unlocked, true, RefState::Locked) => msg.state = RefState::Queued,
                    (_, _, was) => return Err(format!("SUB-20: SetLockState({message}, {state}) returned {result} while it was {was:?}")),
                }
            }
            Input::Return(Return::SubmitMessage { transport: t, message: m, outcome }) => {
                touched.push(*m);
                let (ot, om, offered, deferred) = self.offer.take().ok_or("a SubmitMessage return without a SubmitMessage call")?;
                if (ot, om) != (*t, *m) {
                    return Err(format!("SubmitMessage of {om} to {ot} answered as {m} by {t}"));
                }
                let reported = std::mem::take(&mut self.reported);
                for kind in [ReportKind::Delivery, ReportKind::NonDelivery] {
                    let set: RecipientSet = reported.iter().filter(|(_, k)| *k == kind).map(|(r, _)| *r).collect();
                    if !set.is_empty() {
                        // DEC-10: reported recipients are final when SubmitMessage returns.
                        let outcome = RecipientOutcome::Transport(*t);
                        // After a failure the transport saved them itself (SUB-33): the report
                        // is raised, and the spooler must not save them a second time (INV-23).
                        grants.push(Grant { message: *m, recipients: set, outcome, report: Some(kind), resave: false });
                    }
                }
                let reported: RecipientSet = reported.iter().map(|(r, _)| *r).collect();
                match outcome {
                    SubmitOutcome::Accepted { accepted, .. } => self.exchange = Some((*t, *m, offered, accepted.clone(), reported)),
                    SubmitOutcome::Failed { result, saved, .. } => {
                        // SUB-33: what the transport saved itself stands.
                        let msg = self.msg(*m)?;
                        for r in saved.iter() {
                            if msg.disp[r.index()].is_some() {
                                return Err(format!("the transport saved {m} recipient {}, which was settled already", r.0));
                            }
                            msg.disp[r.index()] = Some(RecipientOutcome::Transport(*t));
                            settled.push((*m, r, RecipientOutcome::Transport(*t)));
                        }
                        let rest = offered.difference(saved);
                        // DEC-28: MAPI_E_CANCEL to the resubmission of a message the user
                        // cancelled answers the cancel, not the deferral.
                        let stopped =
                            *result == Hresult::MAPI_E_USER_CANCEL || (*result == Hresult::MAPI_E_CANCEL && (!deferred || msg.cancelled));
                        if stopped {
                            // DEF-8, DEC-27, DEC-28: the transport stopped at the user's cancel;
                            // the rest stays open, to be withdrawn.
                            if !msg.cancelled {
                                return Err(format!("DEF-8: {result} from {t} for {m}, which the user did not cancel"));
                            }
                        } else if *result == Hresult::MAPI_E_CANCEL {
                            // ERR-6, AMB-19: the deferral ends; what the transport took stays taken.
                            let outcome = RecipientOutcome::Transport(*t);
                            grants.push(Grant { message: *m, recipients: rest, outcome, report: None, resave: false });
                        } else if *result == Hresult::MAPI_E_NOT_ME {
                            // ERR-3: the scan goes on.
                            self.decline(*m, *t, &rest)?;
                        }
                    }
                }
            }
            Input::Return(Return::EndMessage { transport: t, result: Ok(flags), .. }) => {
                let (et, m, offered, accepted, reported) = self.exchange.take().ok_or("EndMessage without an S_OK SubmitMessage")?;
                if et != *t {
                    return Err(format!("EndMessage of {t}, but the exchange in progress is with {et}"));
                }
                touched.push(m);
                if flags.is_empty() || *flags == EndFlags::END_DONT_RESEND {
                    // SUB-28: the offered recipients it left FALSE are declined (DEC-11).
                    self.decline(m, *t, &offered.difference(&accepted))?;
                }
                if flags.is_empty() {
                    // SUB-34, DEC-9: the final hand-over.
                    let outcome = RecipientOutcome::Transport(*t);
                    grants.push(Grant { message: m, recipients: accepted.difference(&reported), outcome, report: None, resave: false });
                }
            }
            Input::Return(Return::PreprocessMessage { preprocessor, message, result: Ok(undeliverable) }) => {
                // HOOK-2: recipients a preprocessor lists get an NDR.
                touched.push(*message);
                let outcome = RecipientOutcome::Undeliverable(NdrOrigin::Preprocessor(*preprocessor));
                let recipients = undeliverable.clone();
                grants.push(Grant { message: *message, recipients, outcome, report: Some(ReportKind::NonDelivery), resave: false });
            }
            Input::Cancel(CancelRequest::Outbound { message, .. }) => {
                touched.push(*message);
                let msg = self.msg(*message)?;
                if msg.state != RefState::Locked || msg.cancelled {
                    return Err(format!("DEF-5: the spooler took the cancel of {message}, which is {:?}", msg.state));
                }
                msg.cancelled = true;
            }
            Input::Return(Return::AbortSubmit { message, result, .. }) => {
                touched.push(*message);
                let msg = self.msg(*message)?;
                match (*result, msg.state) {
                    // DEC-27: the spooler's own abort of the message it unlocked.
                    (Hresult::S_OK, RefState::Queued) if msg.cancelled => msg.state = RefState::Aborted,
                    // DEF-6: the client's abort came first.
                    (Hresult::MAPI_E_NOT_IN_QUEUE, RefState::Aborted) => {}
                    (result, state) => return Err(format!("DEC-27: AbortSubmit({message}) returned {result} while it is {state:?}")),
                }
            }
            Input::Return(Return::FinishedMsg { message, result, .. }) if result.is_success() => {
                touched.push(*message);
                let msg = self.msg(*message)?;
                if msg.state != RefState::Locked || msg.disp.iter().any(Option::is_none) {
                    return Err(format!("HOOK-7, INV-23: FinishedMsg({message}) returned, but it is {:?} with {:?}", msg.state, msg.disp));
                }
                msg.state = RefState::Finished;
            }
            _ => {}
        }

        // Calls and dispositions.
        for effect in effects {
            match effect {
                Effect::Call(Call::SubmitMessage { transport, message, offered, flags }) => {
                    touched.push(*message);
                    let msg = self.msg(*message)?;
                    if msg.cancelled {
                        return Err(format!("INV-39: SubmitMessage of {message} after the user cancelled it"));
                    }
                    if msg.state != RefState::Locked || offered.is_empty() || offered.iter().any(|r| msg.disp[r.index()].is_some()) {
                        return Err(format!(
                            "SUB-20, SUB-21: SubmitMessage of {message} ({:?}) offering {offered}, dispositions {:?}",
                            msg.state, msg.disp
                        ));
                    }
                    self.offer = Some((*transport, *message, offered.clone(), flags.contains(SubmitFlags::BEGIN_DEFERRED)));
                }
                Effect::Call(Call::FinishedMsg { message, .. }) => {
                    let open = self.exchange.as_ref().is_some_and(|(_, m, ..)| m == message);
                    let msg = self.msg(*message)?;
                    if msg.state != RefState::Locked || msg.disp.iter().any(Option::is_none) || open {
                        return Err(format!(
                            "SUB-26, INV-23: FinishedMsg({message}) while it is {:?} with dispositions {:?}",
                            msg.state, msg.disp
                        ));
                    }
                }
                Effect::Call(Call::AbortSubmit { message, .. }) => {
                    let msg = self.msg(*message)?;
                    if !msg.cancelled || !matches!(msg.state, RefState::Queued | RefState::Aborted) {
                        return Err(format!("DEC-27: AbortSubmit({message}) while it is {:?}, cancelled {}", msg.state, msg.cancelled));
                    }
                }
                Effect::Call(Call::SetLockState { message, state: LockState::Locked, .. }) => {
                    let msg = self.msg(*message)?;
                    if msg.state != RefState::Queued {
                        return Err(format!("SUB-20, DEF-6: SetLockState({message}, MSG_LOCKED) while it is {:?}", msg.state));
                    }
                }
                Effect::SaveRecipients { message, recipients, outcome, .. } => {
                    touched.push(*message);
                    for r in recipients.iter() {
                        let grant = grants.iter().find(|g| g.message == *message && g.outcome == *outcome && g.recipients.contains(r));
                        let ndr = *outcome == RecipientOutcome::Undeliverable(NdrOrigin::NoTransport)
                            && self.msgs.contains_key(message)
                            && self.no_transport_left(*message, r);
                        if grant.is_none() && !ndr {
                            return Err(format!("no rule allows saving {message} recipient {} as {outcome} now", r.0));
                        }
                        let resave = grant.is_some_and(|g| g.resave);
                        let msg = self.msg(*message)?;
                        if msg.state != RefState::Locked {
                            return Err(format!("{message} recipient {} saved while the message is {:?}", r.0, msg.state));
                        }
                        match msg.disp.get(r.index()) {
                            Some(None) => {}
                            Some(Some(o)) if resave && o == outcome => {}
                            other => return Err(format!("INV-23: {message} recipient {} saved as {outcome}, but it is {other:?}", r.0)),
                        }
                        msg.disp[r.index()] = Some(*outcome);
                        settled.push((*message, r, *outcome));
                    }
                }
                _ => {}
            }
        }
        // Reports: each one asked for by the originator (DEF-11), once (INV-24), for a recipient
        // settled in this step with that kind of report.
        for effect in effects {
            if let Effect::Report { message, recipients, kind, .. } = effect {
                let justified = |r: RecipientIdx| {
                    settled.iter().any(|(m, s, o)| {
                        *m == *message
                            && *s == r
                            && ((*kind == ReportKind::NonDelivery && *o == RecipientOutcome::Undeliverable(NdrOrigin::NoTransport))
                                || grants.iter().any(|g| g.message == *m && g.recipients.contains(r) && g.report == Some(*kind)))
                    })
                };
                let unjustified = recipients.iter().find(|r| !justified(*r));
                let msg = self.msg(*message)?;
                if !msg.wants.wants(*kind) {
                    return Err(format!("DEF-11: {kind} for {message}, whose originator did not ask for one"));
                }
                if let Some(r) = unjustified {
                    return Err(format!("{kind} for {message} recipient {}, which was not settled with one in this step", r.0));
                }
                for r in recipients.iter() {
                    msg.reports[r.index()] += 1;
                    if msg.reports[r.index()] > 1 {
                        return Err(format!("INV-24: a second report for {message} recipient {}", r.0));
                    }
                }
            }
        }
        // What the rules make due must have happened.
        for g in &grants {
            let msg = self.msg(g.message)?;
            for r in g.recipients.iter() {
                if msg.disp[r.index()] != Some(g.outcome) {
                    return Err(format!("{} recipient {} should have been settled as {} in this step", g.message, r.0, g.outcome));
                }
                if let Some(kind) = g.report.filter(|k| msg.wants.wants(*k))
                    && msg.reports[r.index()] == 0
                {
                    return Err(format!("DEF-11: the {kind} for {} recipient {} is missing", g.message, r.0));
                }
            }
        }
        for (m, r, outcome) in &settled {
            let msg = self.msg(*m)?;
            if *outcome == RecipientOutcome::Undeliverable(NdrOrigin::NoTransport) && msg.wants.non_delivery && msg.reports[r.index()] == 0
            {
                return Err(format!("SUB-25: {m} recipient {} is undeliverable but got no NDR", r.0));
            }
        }
        Ok(touched)
    }

    /// The reference model's state agrees with the stores' for these messages: the same
    /// outcome, lock, dispositions and report counts (SUB-20, HOOK-7, INV-23, INV-24).
    ///
    /// # Errors
    /// The first difference, in words.
    pub fn agrees(&self, stores: &[ReferenceStore], messages: impl IntoIterator<Item = MessageId>) -> Result<(), String> {
        for m in messages {
            let Some(rm) = self.msgs.get(&m) else { continue };
            let sm = stores[rm.store.index()].message(m).ok_or(format!("the store lost {m}"))?;
            let locked = sm.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED);
            let same_state = match rm.state {
                RefState::Queued => sm.outcome == Outcome::Queued && !locked,
                RefState::Locked => sm.outcome == Outcome::Queued && locked,
                RefState::Finished => matches!(sm.outcome, Outcome::Finished(_)) && !locked,
                RefState::Aborted => sm.outcome == Outcome::Aborted,
            };
            if !same_state {
                return Err(format!("{m}: the reference model says {:?}, the store {:?} (locked {locked})", rm.state, sm.outcome));
            }
            for (i, rec) in sm.recipients.iter().enumerate() {
                if rec.outcome != rm.disp[i] || rec.reports != rm.reports[i] {
                    return Err(format!(
                        "{m} recipient {i}: the reference model says {:?} with {} reports, the store {:?} with {}",
                        rm.disp[i], rm.reports[i], rec.outcome, rec.reports
                    ));
                }
            }
        }
        Ok(())
    }
}
