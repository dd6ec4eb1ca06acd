//! Every move the world can make in a state, and what it does: the answers the documentation
//! allows to the call in flight, and what the client, the session, the transports and the store
//! may do meanwhile.

use mapi_spooler::{
    Call, CancelRequest, Directions, EndFlags, Input, LogoffFlags, RecipientSet, SessionRequest, Spooler, StatusCode, StatusRowFlags,
    SubmitFlags, SupportCall, TransportId, TransportSet, TransportView,
};

use super::policy::Recorder;
use super::{Action, Answer, COUPLED_TYPE, STORE, SubmitError, World, draft, served_draft};
use crate::config::{Config, Fault};
use crate::coverage::Coverage;

impl World {
    /// Every move the world can make now.
    pub fn actions(&self, config: &Config, out: &mut Vec<Action>) {
        if self.broken.is_some() || self.spooler().phase() == mapi_spooler::Phase::Stopped {
            return;
        }
        if let Some(call) = self.spooler().call_in_flight() {
            self.answers(config, call, out);
        } else {
            if self.spooler().next_deadline().is_some() {
                out.push(Action::Wait);
            }
            out.extend(self.held().iter().map(|(t, m)| Action::SentDeferred(*t, *m)));
            for t in self.disabled.iter() {
                out.push(Action::Enable(t));
            }
            if self.budget.disables > 0 {
                for i in 0..config.transports {
                    let t = TransportId(i);
                    if self.ready(t) && !self.disabled.contains(t) {
                        out.push(Action::Disable(t));
                    }
                }
            }
            if self.budget.idles > 0 {
                out.push(Action::Idle);
            }
            if !config.poll && self.mail > 0 && self.transport(TransportId(0)).logon().is_some_and(|l| l.enabled.inbound && !l.announced) {
                out.push(Action::NewMail);
            }
            if self.arrivals > 0 && self.coupled() {
                out.push(Action::Arrival);
            }
            if self.budget.notifies > 0 {
                for i in 0..config.transports {
                    let t = TransportId(i);
                    if self.ready(t) {
                        out.extend(Action::NOTIFIES.map(|flags| Action::Notify(t, flags)));
                    }
                }
            }
            self.status_moves(config, out);
        }
        if self.budget.cancels > 0 {
            self.cancels(out);
        }
        // The store calls from its own thread, also while the spooler is in a call (LIFE-20).
        if config.store_logoff && self.logoff.is_none() && self.spooler().is_watching(STORE) {
            for flags in [
                LogoffFlags::LOGOFF_ABORT,
                LogoffFlags::LOGOFF_NO_WAIT,
                LogoffFlags::LOGOFF_ORDERLY,
                LogoffFlags::LOGOFF_PURGE,
                LogoffFlags::LOGOFF_QUIET,
            ] {
                out.push(Action::StoreLogoff(flags));
            }
        }
        if self.drafts > 0 && !self.logged_off() {
            out.push(Action::Submit);
            if config.coupled && self.coupled() {
                out.push(Action::SubmitServed);
            }
        }
        if self.budget.aborts > 0 {
            for (id, msg) in self.store(STORE).messages() {
                if self.store(STORE).is_queued(id) && !msg.submit_flags.contains(mapi_spooler::QueueFlags::SUBMITFLAG_LOCKED) {
                    out.push(Action::Abort(id));
                }
            }
        }
        if self.budget.crashes > 0 {
            out.push(Action::Crash);
        }
        if self.budget.shutdowns > 0 && self.spooler().phase() != mapi_spooler::Phase::Stopping {
            out.push(Action::Shutdown);
        }
    }

    /// The user's cancels that can reach the spooler now: of each locked message it has not
    /// cancelled yet, and of the inbound transfer in flight (DEF-5, DEF-7, RCV-13).
    fn cancels(&self, out: &mut Vec<Action>) {
        for id in self.spooler().message_ids() {
            if self.spooler().message_view(id).is_some_and(|v| v.locked && !v.cancelled) {
                out.push(Action::Cancel(CancelRequest::Outbound { store: STORE, message: id }));
            }
        }
        if let Some(Call::StartMessage { transport, .. }) = self.spooler().call_in_flight()
            && !self.cancel_told()
        {
            out.push(Action::Cancel(CancelRequest::Inbound { transport: *transport }));
        }
    }

    /// The store answered `LOGOFF_COMPLETE`: only `Release` may follow (LIFE-20).
    #[must_use]
    pub fn logged_off(&self) -> bool {
        self.logoff.is_some_and(|(_, answer)| answer == LogoffFlags::LOGOFF_COMPLETE)
    }

    /// The store has a coupled transport logged on and the spooler serves it (TC-1): the pair
    /// works as a pair only then; otherwise the store acts like an uncoupled one (TC-4).
    pub(super) fn coupled(&self) -> bool {
        self.spooler().coupled_transport(STORE).is_some() && self.spooler().is_watching(STORE) && !self.logged_off()
    }

    /// Client status calls, flush bits and critical sections (STAT-11, STAT-13, STAT-17,
    /// STAT-18); a transport always closes its critical section (LIV-7).
    fn status_moves(&self, config: &Config, out: &mut Vec<Action>) {
        // LIFE-21: clients reach status objects once the table is there.
        let table = self.spooler().status_table_ready() && self.spooler().phase() != mapi_spooler::Phase::Stopping;
        if table && self.budget.flushes > 0 {
            let kinds = if config.status_variants { Action::flushes().len() } else { 1 };
            out.extend(Action::flushes()[..kinds].iter().map(|flags| Action::Flush(*flags)));
        }
        if table && self.budget.status_calls > 0 {
            let kinds = if config.status_variants { Action::validations().len() } else { 1 };
            out.extend(Action::validations()[..kinds].iter().map(|flags| Action::Validate(*flags)));
        }
        for i in 0..config.transports {
            let t = TransportId(i);
            if self.transport(t).in_critical_section() {
                out.push(Action::Noncrit(t));
            } else if self.budget.critsecs > 0 && self.ready(t) {
                out.push(Action::Critsec(t));
            }
            let flushing = StatusCode::STATUS_INBOUND_FLUSH | StatusCode::STATUS_OUTBOUND_FLUSH;
            let row = match self.spooler().transport_view(t) {
                Some(TransportView::LoggedOn { status_row: Some(row), .. }) => Some(row),
                _ => None,
            };
            if table && self.budget.flushes > 0 && self.ready(t) && row.is_some_and(|r| !r.intersects(flushing)) {
                out.push(Action::FlushBits(t));
            }
        }
    }

    pub(super) fn ready(&self, t: TransportId) -> bool {
        matches!(self.spooler().transport_view(t), Some(TransportView::LoggedOn { ready: true, leaving: false, critical: false, .. }))
    }

    /// The answers the documentation allows to a call, within the fault budget.
    fn answers(&self, config: &Config, call: &Call, out: &mut Vec<Action>) {
        out.push(Action::Answer(Answer::Default));
        if self.cancel_told() && matches!(call, Call::SubmitMessage { .. } | Call::StartMessage { .. }) {
            out.push(Action::Answer(Answer::UserCancel));
        }
        if matches!(call, Call::InboundMsgHook { .. }) {
            out.push(Action::Answer(Answer::HookDelete));
            out.push(Action::Answer(Answer::HookCancel));
        }
        // STAT-11, ERR-13: a transport may not support validation, or its user may cancel it;
        // inside a critical section the world answers MAPI_E_BUSY whatever the policy says.
        if config.status_variants && matches!(call, Call::ValidateState { .. }) {
            out.push(Action::Answer(Answer::Validate(mapi_spooler::Hresult::MAPI_E_NO_SUPPORT)));
            out.push(Action::Answer(Answer::Validate(mapi_spooler::Hresult::MAPI_E_USER_CANCEL)));
        }
        if self.budget.faults == 0 {
            return;
        }
        let on = |fault| config.faults.contains(fault);
        let mut fault = |answer| out.push(Action::Answer(answer));
        match call {
            Call::XpProviderInit { .. } if on(Fault::Version) => fault(Answer::VersionMismatch),
            Call::TransportLogon { .. } if on(Fault::Logon) => fault(Answer::LogonFails),
            Call::StartMessage { .. } if on(Fault::Start) => fault(Answer::StartFails),
            Call::SubmitMessage { flags, offered, .. } => {
                let deferred = flags.contains(SubmitFlags::BEGIN_DEFERRED);
                if on(Fault::Partial) {
                    for subset in proper_subsets(offered) {
                        fault(Answer::Take(subset));
                    }
                }
                if on(Fault::Reports) {
                    fault(Answer::TakeReporting);
                }
                for error in SubmitError::ALL {
                    if on(error.fault()) && (error != SubmitError::Cancel || deferred) {
                        fault(Answer::Fail(error));
                    }
                }
                if on(Fault::SaveBeforeError) {
                    fault(Answer::FailSaving);
                }
                if on(Fault::Critical) {
                    fault(Answer::Critical);
                }
            }
            Call::EndMessage { .. } => {
                if on(Fault::Resend) {
                    fault(Answer::End(EndFlags::END_RESEND_NOW));
                    fault(Answer::End(EndFlags::END_RESEND_LATER));
                }
                if on(Fault::Defer) {
                    fault(Answer::End(EndFlags::END_DONT_RESEND));
                }
            }
            _ => {}
        }
    }

    /// The world after a move. With a recorder, every input, effect and world event is logged;
    /// with `cover`, every input fed is counted there (the suite's reach).
    #[must_use]
    pub fn next(&self, config: &Config, pristine: &Spooler, action: &Action, rec: Recorder<'_>, cover: Option<&Coverage>) -> World {
        let mut w = self.clone();
        let answer = match action {
            Action::Answer(answer) => answer,
            _ => &Answer::Default,
        };
        // The budgets a move spends, and what the model keeps besides the world double.
        match action {
            Action::Answer(answer) if answer.fault().is_some() && w.spooler().call_in_flight().is_some() => w.budget.faults -= 1,
            Action::Submit | Action::SubmitServed => w.drafts -= 1,
            Action::Abort(_) => w.budget.aborts -= 1,
            Action::Disable(t) => {
                w.budget.disables -= 1;
                w.disabled.insert(*t);
            }
            Action::Enable(t) => w.disabled.remove(*t),
            Action::Idle => w.budget.idles -= 1,
            Action::Crash => {
                w.budget.crashes -= 1;
                // The clients' calls go with the process.
                w.waiting = 0;
                w.disabled = TransportSet::EMPTY;
            }
            Action::Shutdown => w.budget.shutdowns -= 1,
            Action::Cancel(_) => w.budget.cancels -= 1,
            Action::Arrival => w.arrivals -= 1,
            Action::Flush(_) => {
                w.budget.flushes -= 1;
                w.waiting += 1;
            }
            Action::FlushBits(_) => w.budget.flushes -= 1,
            Action::Validate(_) => {
                w.budget.status_calls -= 1;
                w.waiting += 1;
            }
            Action::Critsec(_) => w.budget.critsecs -= 1,
            Action::Notify(..) => w.budget.notifies -= 1,
            Action::Answer(_) | Action::Wait | Action::SentDeferred(..) | Action::NewMail | Action::StoreLogoff(_) | Action::Noncrit(_) => {
            }
        }
        let coupled = config.coupled && w.coupled();
        let ready = |t: &TransportId| w.ready(*t);
        let enable = matches!(action, Action::Enable(t) if ready(t));
        let row = match action {
            Action::FlushBits(t) => w.status_row(*t),
            _ => None,
        };
        let (world, mut p) = w.split(config, answer, rec);
        p.cover = cover;
        let session = |request| Input::Session(request);
        match action {
            Action::Answer(_) => {
                world.answer(&mut p);
            }
            Action::Submit | Action::SubmitServed if coupled => {
                let d = if *action == Action::SubmitServed { served_draft(config) } else { draft(config) };
                let _ = world.submit_coupled(STORE, TransportId(0), d, |r| r.addr_type == COUPLED_TYPE, true, &mut p);
            }
            Action::Submit | Action::SubmitServed => {
                let _ = world.submit(STORE, draft(config), &mut p);
            }
            Action::Abort(m) => {
                world.abort(STORE, *m, &mut p);
            }
            Action::Wait => {
                world.pass_time(&mut p);
            }
            Action::SentDeferred(t, m) => {
                world.sent_deferred(*t, *m, &mut p);
            }
            Action::Disable(t) => {
                world.feed(session(SessionRequest::Disable { transport: *t, directions: Directions::OUTBOUND }), &mut p);
            }
            Action::Enable(t) => {
                if enable {
                    world.feed(session(SessionRequest::Enable { transport: *t, directions: Directions::OUTBOUND }), &mut p);
                }
            }
            Action::Idle => {
                world.feed(Input::SystemIdle, &mut p);
            }
            Action::NewMail => {
                world.announce_mail(TransportId(0), &mut p);
            }
            Action::Crash => {
                world.crash(pristine.clone(), &mut p);
                world.start(&mut p);
            }
            Action::Shutdown => {
                world.feed(session(SessionRequest::Shutdown), &mut p);
            }
            Action::Cancel(request) => {
                world.feed(Input::Cancel(*request), &mut p);
            }
            Action::Arrival => {
                world.place_inbound(STORE, "IPM.Note", &mut p);
            }
            Action::StoreLogoff(flags) => {
                world.store_logoff(STORE, *flags, &mut p);
            }
            Action::Flush(flags) => {
                world.feed(Input::Status(mapi_spooler::StatusRequest::FlushQueues { target: None, flags: flags.bits() }), &mut p);
            }
            Action::FlushBits(t) => {
                if let Some(row) = row {
                    let status = row | StatusCode::STATUS_INBOUND_FLUSH | StatusCode::STATUS_OUTBOUND_FLUSH;
                    let flags = StatusRowFlags::STATUSROW_UPDATE;
                    world.feed(Input::Support(SupportCall::ModifyStatusRow { transport: *t, flags, status }), &mut p);
                }
            }
            Action::Validate(flags) => {
                world.feed(Input::Status(mapi_spooler::StatusRequest::ValidateState { flags: flags.bits() }), &mut p);
            }
            Action::Critsec(t) | Action::Noncrit(t) => {
                world.critical_section(*t, matches!(action, Action::Critsec(_)), &mut p);
            }
            Action::Notify(t, flags) => {
                let caller = mapi_spooler::Caller::Transport(*t);
                world.feed(Input::Support(SupportCall::SpoolerNotify { caller, flags: *flags, message: None }), &mut p);
            }
        }
        w
    }
}

/// Every subset of the offered recipients but the whole set.
fn proper_subsets(offered: &RecipientSet) -> Vec<RecipientSet> {
    let members: Vec<_> = offered.iter().collect();
    let n = members.len().min(8);
    (0..(1u32 << n) - 1).map(|mask| (0..n).filter(|i| mask & (1 << i) != 0).map(|i| members[i]).collect()).collect()
}
