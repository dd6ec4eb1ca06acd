//! Every move the world can make in a state: the answers the documentation allows to the call
//! in flight, and what the client, the session, the transports and the store may do meanwhile.

use mapi_spooler::{Call, CancelRequest, EndFlags, LogoffFlags, RecipientSet, StatusCode, SubmitFlags, TransportId, TransportView};

use super::{Action, Answer, STORE, SubmitError, World};
use crate::config::{Config, Fault};

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
            out.push(Action::Flush);
        }
        if table && self.budget.status_calls > 0 {
            out.push(Action::Validate);
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
}

/// Every subset of the offered recipients but the whole set.
fn proper_subsets(offered: &RecipientSet) -> Vec<RecipientSet> {
    let members: Vec<_> = offered.iter().collect();
    let n = members.len().min(8);
    (0..(1u32 << n) - 1).map(|mask| (0..n).filter(|i| mask & (1 << i) != 0).map(|i| members[i]).collect()).collect()
}
