//! One attempt to hand a message to a transport: `SubmitMessage` with the recipients offered,
//! the `StatusRecips` reports during it, and the `EndMessage` that ends it (SUB-24 to SUB-34,
//! DEF-2 to DEF-4, ERR-1 to ERR-7, AMB-18, AMB-19).
//!
//! The transport takes some of the offered recipients or fails; what it took is settled at
//! `EndMessage`, or held deferred (`END_DONT_RESEND`), or offered again later
//! (`END_RESEND_LATER`); a failure is retried after a delay, declined (`MAPI_E_NOT_ME`), or ends
//! the attempt. A return is checked against the offer before anything changes.

use crate::effect::{Call, Effect, Effects, RecipientOutcome};
use crate::error::{Error, ProviderFault};
use crate::flags::EndFlags;
use crate::hresult::Hresult;
use crate::ids::{MessageId, RecipientIdx, TransportId};
use crate::input::{ReportKind, SubmitOutcome};
use crate::recipients::RecipientSet;

use super::messages::Disp;
use super::transport::Activity;
use super::{InFlight, Spooler};

/// What the `SubmitMessage` in flight offered, for judging its return.
pub(super) struct Offer<'a> {
    /// The offered recipients.
    pub(super) offered: &'a RecipientSet,
    /// A `BEGIN_DEFERRED` submission (DEF-2).
    pub(super) deferred: bool,
    /// The reports the transport asked for with `StatusRecips` so far (SUB-30).
    pub(super) reports: &'a [(RecipientIdx, ReportKind)],
}

/// The first member of `a` that is not in `b`.
#[inline]
fn first_outside(a: &RecipientSet, b: &RecipientSet) -> Option<RecipientIdx> {
    a.difference(b).iter().next()
}

impl Spooler {
    /// SUB-24, SUB-28, SUB-30, SUB-33, ERR-1 to ERR-7.
    pub(super) fn returned_submit(
        &mut self,
        t: TransportId,
        m: MessageId,
        offer: Offer,
        outcome: SubmitOutcome,
        fx: &mut Effects,
    ) -> Result<(), Error> {
        let Offer { offered, deferred, reports } = offer;
        let reported: RecipientSet = if reports.is_empty() { RecipientSet::new() } else { reports.iter().map(|(r, _)| *r).collect() };
        self.check_submit(t, m, &outcome, offered, &reported, deferred)?;
        // Checked; now apply.
        let critical = self.critical(t);
        // DEF-7, DEF-8, DEC-28: the transport stopped at the user's cancel. `check_submit` let
        // these codes through only after a cancel, except MAPI_E_CANCEL ending a BEGIN_DEFERRED
        // submission without one (ERR-6); after a cancel, that one is the cancel's answer too.
        let cancelled = self.messages.get(m).is_some_and(|msg| msg.cancelled);
        let stopped = |result: Hresult| cancelled && matches!(result, Hresult::MAPI_E_USER_CANCEL | Hresult::MAPI_E_CANCEL);
        match outcome {
            SubmitOutcome::Accepted { msg_ref, accepted } => {
                // SUB-24: report processing first, then EndMessage is the next call to it.
                self.emit_reports(t, m, reports, fx);
                let end = Call::EndMessage { transport: t, msg_ref };
                fx.push(Effect::Call(end.clone()));
                let accepted = if reported.is_empty() { accepted } else { accepted.difference(&reported) };
                self.in_flight = Some(InFlight::End { call: end, message: m, offered: offered.clone(), accepted, deferred });
            }
            SubmitOutcome::Failed { result, return_parm, saved } => {
                // SUB-33: what the transport saved stands, reported recipients included (it saved
                // them itself, so the spooler saves nothing); everything else is discarded.
                self.raise_saved_reports(t, m, reports, fx);
                self.mark(m, &saved.difference(&reported), Disp::Done(RecipientOutcome::Transport(t)));
                let rest = offered.difference(&saved);
                let now = self.now;
                let delay = match result {
                    // LIFE-17, DEC-4: a transport that raised a critical error is out of the scan
                    // already; its recipients wait for nothing from it.
                    _ if critical => None,
                    Hresult::MAPI_E_BUSY => Some(self.settings.busy_retry_secs),
                    // The bug zoo: the transport's delay is not honoured (ERR-4, ERR-5).
                    Hresult::MAPI_E_WAIT | Hresult::MAPI_E_NETWORK_ERROR if bug!(self, IgnoreRetryDelay) => Some(0),
                    Hresult::MAPI_E_WAIT | Hresult::MAPI_E_NETWORK_ERROR => Some(return_parm),
                    Hresult::MAPI_E_NOT_ME | Hresult::MAPI_E_CANCEL | Hresult::MAPI_E_USER_CANCEL => None,
                    _ => Some(self.settings.failure_retry_secs),
                };
                if let Some(seconds) = delay {
                    // ERR-2, ERR-4, ERR-5, ERR-7, INV-29: keep the message, wait, offer again.
                    if let Some(msg) = self.messages.get_mut(m) {
                        msg.block(t, now.after(seconds));
                    }
                } else if critical {
                    // Nothing to record: the scan no longer sees this transport.
                } else if stopped(result) && bug!(self, RetryUserCancel) {
                    // The bug zoo: the cancel is taken as used up by the failure, which is retried
                    // like any other (ERR-7) (ERR-12).
                    let until = now.after(self.settings.failure_retry_secs);
                    if let Some(msg) = self.messages.get_mut(m) {
                        msg.cancelled = false;
                        msg.block(t, until);
                    }
                } else if stopped(result) {
                    // DEF-8, ERR-12: the transport stopped at the user's cancel; the recipients it
                    // did not reach stay open, and the cancel withdraws them (DEC-27).
                } else if result == Hresult::MAPI_E_NOT_ME {
                    // ERR-3: the scan goes on to the next transport (ORD-4).
                    self.decline(m, t, &rest);
                } else {
                    // ERR-6, AMB-19: the deferral cycle ends; what the transport took stays taken.
                    self.messages.settle(m, &rest, RecipientOutcome::Transport(t), None, fx);
                }
                if bug!(self, EndAfterFailedSubmit) {
                    // The bug zoo: every SubmitMessage is paired with an EndMessage, whatever it
                    // returned (SUB-24, ERR-2); the reference is what the failed call left there.
                    let end = Call::EndMessage { transport: t, msg_ref: crate::ids::MsgRef(0) };
                    fx.push(Effect::Call(end.clone()));
                    self.in_flight = Some(InFlight::Plain(end));
                }
            }
        }
        Ok(())
    }

    /// Checks a `SubmitMessage` return against the offer (SUB-28, SUB-30, SUB-33, ERR-1 to
    /// ERR-3, ERR-6, LIFE-17): `reported` are the recipients the transport asked reports for.
    fn check_submit(
        &self,
        t: TransportId,
        m: MessageId,
        outcome: &SubmitOutcome,
        offered: &RecipientSet,
        reported: &RecipientSet,
        deferred: bool,
    ) -> Result<(), Error> {
        let critical = self.critical(t);
        let count = self.messages.get(m).map_or(0, |msg| msg.recipients.len());
        let taken = match outcome {
            SubmitOutcome::Accepted { accepted, .. } => accepted,
            SubmitOutcome::Failed { saved, .. } => saved,
        };
        if let Some(r) = taken.max().filter(|r| r.index() >= count) {
            return Err(Error::provider(t, ProviderFault::NoSuchRecipient { message: m, recipient: r }));
        }
        match outcome {
            SubmitOutcome::Accepted { accepted, .. } => {
                if critical {
                    return Err(Error::provider(t, ProviderFault::SuccessAfterCriticalError));
                }
                if let Some(r) = first_outside(accepted, offered) {
                    return Err(Error::provider(t, ProviderFault::NotOffered { message: m, recipient: r }));
                }
                if let Some(r) = first_outside(reported, accepted) {
                    return Err(Error::provider(t, ProviderFault::ReportedNotTaken { message: m, recipient: r }));
                }
            }
            SubmitOutcome::Failed { result, saved, .. } => {
                let result = *result;
                if result.is_success() {
                    return Err(Error::provider(
                        t,
                        ProviderFault::UndocumentedResult {
                            method: "SubmitMessage",
                            result,
                            documented: "an error code when the submission failed",
                        },
                    ));
                }
                if let Some(r) = first_outside(saved, offered) {
                    return Err(Error::provider(t, ProviderFault::NotOffered { message: m, recipient: r }));
                }
                let nothing_done = matches!(result, Hresult::MAPI_E_BUSY | Hresult::MAPI_E_NOT_ME);
                if nothing_done && !(saved.is_empty() && reported.is_empty()) {
                    return Err(Error::provider(t, ProviderFault::ProcessedAnyway { result }));
                }
                if let Some(r) = first_outside(reported, saved) {
                    return Err(Error::provider(t, ProviderFault::ReportedNotTaken { message: m, recipient: r }));
                }
                // DEC-28: after the user's cancel, MAPI_E_CANCEL answers it as MAPI_E_USER_CANCEL
                // does (DEF-7 names no code for it).
                let cancelled = self.messages.get(m).is_some_and(|msg| msg.cancelled);
                if result == Hresult::MAPI_E_CANCEL && !deferred && !cancelled {
                    return Err(Error::provider(t, ProviderFault::CancelWithoutDeferral));
                }
                if result == Hresult::MAPI_E_USER_CANCEL && !cancelled {
                    return Err(Error::provider(t, ProviderFault::UserCancelWithoutCancel));
                }
            }
        }
        Ok(())
    }

    /// The reports a transport asked for with `StatusRecips`, raised now (SUB-24, SUB-30) and
    /// saved with their recipients, which are final (INV-24).
    #[inline]
    fn emit_reports(&mut self, t: TransportId, m: MessageId, reports: &[(RecipientIdx, ReportKind)], fx: &mut Effects) {
        if !reports.is_empty() {
            self.raise_reports(t, m, reports, fx);
        }
    }

    /// Reports asked for during a `SubmitMessage` that then failed: the transport saved their
    /// recipients itself before returning (SUB-33), so they are final, and only the reports are
    /// raised (DEF-10, DEF-11).
    fn raise_saved_reports(&mut self, t: TransportId, m: MessageId, reports: &[(RecipientIdx, ReportKind)], fx: &mut Effects) {
        let Some(msg) = self.messages.get_mut(m) else { return };
        for kind in [ReportKind::Delivery, ReportKind::NonDelivery] {
            let set: RecipientSet = reports.iter().filter(|(_, k)| *k == kind).map(|(r, _)| *r).collect();
            if set.is_empty() {
                continue;
            }
            for r in set.iter() {
                msg.disp[r.index()] = Disp::Done(RecipientOutcome::Transport(t));
            }
            if msg.reports.wants(kind) {
                fx.push(Effect::Report { store: msg.store, message: m, recipients: set, kind });
            }
        }
    }

    /// [`Spooler::emit_reports`] when there are some.
    #[inline(never)]
    fn raise_reports(&mut self, t: TransportId, m: MessageId, reports: &[(RecipientIdx, ReportKind)], fx: &mut Effects) {
        for kind in [ReportKind::Delivery, ReportKind::NonDelivery] {
            let set: RecipientSet = reports.iter().filter(|(_, k)| *k == kind).map(|(r, _)| *r).collect();
            if !set.is_empty() {
                self.messages.settle(m, &set, RecipientOutcome::Transport(t), Some(kind), fx);
            }
        }
    }

    fn mark(&mut self, m: MessageId, recipients: &RecipientSet, disp: Disp) {
        if let Some(msg) = self.messages.get_mut(m) {
            for r in recipients.iter() {
                msg.disp[r.index()] = disp;
            }
        }
    }

    /// The transport declined these recipients: the scan passes it over from now on (ORD-4,
    /// SUB-28).
    #[inline]
    fn decline(&mut self, m: MessageId, t: TransportId, recipients: &RecipientSet) {
        if recipients.is_empty() {
            return;
        }
        if let Some(msg) = self.messages.get_mut(m) {
            for r in recipients.iter() {
                let d = &mut msg.disp[r.index()];
                // A deferred recipient keeps the declines from before its deferral (ORD-4).
                let mut declined = d.declined();
                declined.insert(t);
                if bug!(self, NotMeDeclinesAll) {
                    // The bug zoo: the decline is taken as every transport's (ERR-3, ORD-4).
                    declined = self.order.iter().copied().collect();
                }
                *d = Disp::Pending { declined };
            }
        }
    }

    /// The flags an `EndMessage` returned, checked (SUB-34, DEF-2 to DEF-4).
    pub(super) fn end_flags(t: TransportId, result: Result<EndFlags, Hresult>) -> Result<EndFlags, Error> {
        let flags = result
            .map_err(|h| Error::provider(t, ProviderFault::UndocumentedResult { method: "EndMessage", result: h, documented: "S_OK" }))?;
        if flags.bits().count_ones() > 1 {
            return Err(Error::provider(t, ProviderFault::ConflictingEndFlags(flags)));
        }
        Ok(flags)
    }

    /// The `EndMessage` of the attempt that offered `offered` of message `m`, of which the
    /// transport took `accepted`, returned these flags (SUB-34, DEF-2 to DEF-4, AMB-18).
    pub(super) fn returned_end(
        &mut self,
        t: TransportId,
        m: MessageId,
        offered: &RecipientSet,
        accepted: &RecipientSet,
        flags: EndFlags,
        fx: &mut Effects,
    ) {
        // Recipients reported during SubmitMessage are already final; the others it did not
        // take are declined. A message that left meanwhile needs nothing more.
        let Some(msg) = self.messages.get(m) else { return };
        let mut declined = offered.difference(accepted);
        if !declined.is_empty() {
            declined = declined.iter().filter(|r| !matches!(msg.disp[r.index()], Disp::Done(_))).collect();
        }
        if flags == EndFlags::EMPTY && bug!(self, SettleUntakenOnEnd) {
            // The bug zoo: the recipients it left FALSE are settled with the ones it took.
            let all: RecipientSet = accepted.iter().chain(declined.iter()).collect();
            self.messages.settle(m, &all, RecipientOutcome::Transport(t), None, fx);
        } else if flags == EndFlags::EMPTY {
            self.messages.settle(m, accepted, RecipientOutcome::Transport(t), None, fx);
            self.decline(m, t, &declined);
        } else if flags == EndFlags::END_DONT_RESEND {
            if let Some(msg) = self.messages.get_mut(m) {
                for r in accepted.iter() {
                    let d = &mut msg.disp[r.index()];
                    *d = Disp::Deferred(t, d.declined());
                }
            }
            self.decline(m, t, &declined);
            if self.critical(t) {
                // LIFE-17, DEC-4: a transport that raised a critical error meanwhile holds
                // nothing; its recipients go back to the scan.
                self.messages.forget_transport(t);
            }
        } else if flags == EndFlags::END_RESEND_LATER {
            let until = self.now.after(self.settings.resend_later_secs);
            if let Some(msg) = self.messages.get_mut(m) {
                msg.block(t, until);
            }
        }
        // END_RESEND_NOW: the attempt does not count; the same recipients go to it again.
    }

    /// SUB-30, INV-24: reports on offered recipients during `SubmitMessage`, each once.
    pub(super) fn status_recips(&mut self, t: TransportId, m: MessageId, new: Vec<(RecipientIdx, ReportKind)>) -> Result<(), Error> {
        self.live_logon_mut(t, "StatusRecips")?;
        let count = self.messages.get(m).map_or(0, |msg| msg.recipients.len());
        let Some(InFlight::Submit { call, offered, reports, .. }) = &mut self.in_flight else {
            return Err(Error::provider(t, ProviderFault::StatusRecipsOutsideSubmit { message: m }));
        };
        if call.transport() != Some(t) || !matches!(call, Call::SubmitMessage { message, .. } if *message == m) {
            return Err(Error::provider(t, ProviderFault::StatusRecipsOutsideSubmit { message: m }));
        }
        for (i, (r, _)) in new.iter().enumerate() {
            if r.index() >= count {
                return Err(Error::provider(t, ProviderFault::NoSuchRecipient { message: m, recipient: *r }));
            }
            if !offered.contains(*r) {
                return Err(Error::provider(t, ProviderFault::NotOffered { message: m, recipient: *r }));
            }
            if reports.iter().chain(&new[..i]).any(|(seen, _)| seen == r) {
                return Err(Error::provider(t, ProviderFault::DuplicateReport { message: m, recipient: *r }));
            }
        }
        reports.extend(new);
        Ok(())
    }

    /// True when the transport raised a critical error (LIFE-17).
    fn critical(&self, t: TransportId) -> bool {
        self.logon(t).is_some_and(|l| l.activity == Activity::Critical)
    }
}
