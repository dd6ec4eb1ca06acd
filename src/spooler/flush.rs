//! Sending and receiving on demand: the two-phase flush of AMB-13 (STAT-17 to STAT-23, ORD-12,
//! ERR-18, AMB-12, AMB-16).
//!
//! 1. A trigger makes a transport's flush due: a client's `FlushQueues` on the spooler's status
//!    object (STAT-17, STAT-23), or the transport setting `STATUS_OUTBOUND_FLUSH` or
//!    `STATUS_INBOUND_FLUSH` in its row itself, which is what its own status object's
//!    `FlushQueues` does (STAT-18, STAT-22).
//! 2. One transport at a time, in transport order (ORD-12), the spooler calls
//!    `IXPLogon::FlushQueues` once with the directions asked for (STAT-19, STAT-20).
//! 3. Upload (outbound, AMB-12): `TransportNotify(NOTIFY_BEGIN_OUTBOUND_FLUSH)`, the ordinary
//!    `SubmitMessage`/`EndMessage` work until nothing more can go now (a failed submission is
//!    dealt with as always before the next call, ERR-18), then `NOTIFY_END_OUTBOUND_FLUSH`.
//! 4. Download (inbound): `NOTIFY_BEGIN_INBOUND_FLUSH`, the `StartMessage` loop until the
//!    transport has nothing more (AMB-14), then `NOTIFY_END_INBOUND_FLUSH`.
//! 5. The transport clears its flush bits with `ModifyStatusRow` (AMB-16).
//!
//! When the session ends during a flush, the spooler ends it with
//! `TransportNotify(NOTIFY_END_INBOUND_FLUSH | NOTIFY_END_OUTBOUND_FLUSH)` before disabling the
//! transport (STAT-20). A transport that raises a critical error gets no more calls (LIFE-17):
//! its flush is over with it.

use crate::effect::Call;
use crate::error::{Error, ProviderFault};
use crate::flags::{FlushFlags, NotifyFlags, StatusCode};
use crate::hresult::Hresult;
use crate::ids::TransportId;

use super::choice::{Candidate, Chooser, Skip, offer};
use super::transport::{Activity, Flush, Logon, Purpose};
use super::{RECEIVE_STORE, Spooler, StoreState};

/// Where a transport's flush is, as drivers and tests see it (STAT-20).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlushView {
    /// `IXPLogon::FlushQueues` is due with these flags.
    Due(FlushFlags),
    /// In the outbound half.
    Outbound,
    /// In the inbound half.
    Inbound,
}

impl Spooler {
    /// The flush of a transport, if one is due or under way.
    #[must_use]
    pub fn flush_view(&self, t: TransportId) -> Option<FlushView> {
        Some(match self.logon(t)?.flush? {
            Flush::Due(flags) => FlushView::Due(flags),
            Flush::Outbound { .. } => FlushView::Outbound,
            Flush::Inbound { .. } => FlushView::Inbound,
        })
    }

    /// True when a transport has no flush left for a client to wait for: none is due or under
    /// way, or the transport is leaving before its flush began, or it can no longer be called
    /// (DEC-33).
    pub(super) fn flush_over(&self, t: TransportId) -> bool {
        self.logon(t).is_none_or(|l| match (l.flush, l.activity) {
            (None, _) | (Some(_), Activity::Critical) => true,
            (Some(flush), Activity::Leaving(_)) => !flush.begun(),
            (Some(_), Activity::LoggingOn | Activity::Registering | Activity::Serving) => false,
        })
    }

    /// A transport changed the flush bits of its row (STAT-18, STAT-20, STAT-22, AMB-13): set
    /// bits with no flush under way make one due; both bits cleared before `FlushQueues` was
    /// called abort it (DEC-32). While a flush is under way the bits are the transport's own
    /// report of it and change nothing.
    pub(super) fn flush_bits_changed(logon: &mut Logon, before: Option<StatusCode>, after: StatusCode) {
        let (was, now) = (before.map_or(FlushFlags::EMPTY, StatusCode::flush_request), after.flush_request());
        match logon.flush {
            None if !now.without(was).is_empty() && logon.may(Purpose::Work) => {
                logon.flush = Some(Flush::Due(now));
            }
            Some(Flush::Due(_)) if now.is_empty() && !was.is_empty() => logon.flush = None,
            _ => {}
        }
    }

    /// The next call of the flush under way, or of the next due one in transport order
    /// (ORD-12). In the reference it is called only when no message work is due, so an
    /// outbound half ends once nothing more can go to the transport now; other choosers pass
    /// `busy` when they passed message work or locking over, and the half then goes on
    /// (FREE-58). `FlushQueues` may carry `FLUSH_FORCE` and `FLUSH_NO_UI` or not (FREE-60); a
    /// half may begin without its BEGIN notification (FREE-57).
    pub(super) fn flush_work<C: Chooser>(&self, chooser: &mut C, busy: bool) -> Option<Candidate> {
        if !self.transports.iter().any(|t| t.logon().is_some_and(|l| l.flush.is_some())) {
            // No flush is due or under way: the usual case.
            return None;
        }
        let flushable = |t: TransportId| self.logon(t).filter(|l| l.may(Purpose::Flush));
        // One flush at a time: the one under way goes on before another begins.
        let current =
            self.order.iter().copied().find(|t| self.logon(*t).is_some_and(|l| l.may(Purpose::Work) && l.flush.is_some_and(Flush::begun)));
        let t = current.or_else(|| self.order.iter().copied().find(|t| flushable(*t).is_some_and(|l| l.flush.is_some())))?;
        let logon = flushable(t)?;
        let notify = |flags| Candidate::call(Call::TransportNotify { transport: t, flags, message: None });
        let begin = |flags| notify(flags).or_skip(Some(Skip::FlushBegin(t)));
        let next = match logon.flush? {
            Flush::Due(flags) => {
                if let Some(next) = offer(chooser, Candidate::call(Call::FlushQueues { transport: t, flags })) {
                    return Some(next);
                }
                // FREE-60: the directions with each other set of FLUSH_FORCE and FLUSH_NO_UI.
                let directions = flags & (FlushFlags::FLUSH_UPLOAD | FlushFlags::FLUSH_DOWNLOAD);
                let extras = [
                    FlushFlags::EMPTY,
                    FlushFlags::FLUSH_FORCE,
                    FlushFlags::FLUSH_NO_UI,
                    FlushFlags::FLUSH_FORCE | FlushFlags::FLUSH_NO_UI,
                ];
                for other in extras.map(|extra| directions | extra).into_iter().filter(|f| *f != flags) {
                    if let Some(next) = offer(chooser, Candidate::call(Call::FlushQueues { transport: t, flags: other })) {
                        return Some(next);
                    }
                }
                return None;
            }
            Flush::Outbound { begun: false, .. } => begin(NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH),
            Flush::Outbound { begun: true, .. } if busy => return None,
            Flush::Outbound { begun: true, .. } => notify(NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH),
            Flush::Inbound { begun: false } => begin(NotifyFlags::NOTIFY_BEGIN_INBOUND_FLUSH),
            Flush::Inbound { begun: true } => {
                // The StartMessage loop runs while the transport has mail and can be fetched
                // from (RCV-4, AMB-14); then the inbound half ends.
                let store_open = matches!(self.stores.get(RECEIVE_STORE.index()), Some(StoreState::LoggedOn | StoreState::Watching));
                let fetching = logon.mail_waiting && store_open && logon.may(Purpose::Fetch);
                // The bug zoo: the loop is over, and the flush is left without its END.
                if fetching || bug!(self, FlushWithoutEnd) {
                    return None;
                }
                notify(NotifyFlags::NOTIFY_END_INBOUND_FLUSH)
            }
        };
        offer(chooser, next)
    }

    /// `IXPLogon::FlushQueues` with these flags returned (STAT-19): the transfer begins.
    pub(super) fn returned_flush_queues(&mut self, t: TransportId, flags: FlushFlags, result: Hresult) -> Result<(), Error> {
        if result != Hresult::S_OK {
            return Err(Error::provider(t, ProviderFault::UndocumentedResult { method: "FlushQueues", result, documented: "S_OK" }));
        }
        // The bug zoo: an upload is taken to come with a download (STAT-20).
        let flags = if bug!(self, FlushBothHalves) && flags.contains(FlushFlags::FLUSH_UPLOAD) {
            flags | FlushFlags::FLUSH_DOWNLOAD
        } else {
            flags
        };
        if let Some(logon) = self.transports[t.index()].logon_mut() {
            logon.flush = Flush::first_half(flags);
        }
        Ok(())
    }

    /// A `TransportNotify` carrying flush flags returned (STAT-20, STAT-21).
    pub(super) fn flush_notified(logon: &mut Logon, sent: NotifyFlags) {
        let ends = NotifyFlags::NOTIFY_END_INBOUND_FLUSH | NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH;
        logon.flush = match logon.flush {
            // The shutdown form ends the flush whatever half it was in.
            _ if sent.contains(ends) => None,
            Some(Flush::Outbound { flags, begun: false }) if sent.contains(NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH) => {
                Some(Flush::Outbound { flags, begun: true })
            }
            Some(Flush::Outbound { flags, begun: true }) if sent.contains(NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH) => {
                flags.contains(FlushFlags::FLUSH_DOWNLOAD).then_some(Flush::Inbound { begun: false })
            }
            Some(Flush::Inbound { begun: false }) if sent.contains(NotifyFlags::NOTIFY_BEGIN_INBOUND_FLUSH) => {
                // STAT-20 step 6: the spooler fetches whatever the transport has.
                if logon.may(Purpose::Receive) {
                    logon.mail_waiting = true;
                }
                Some(Flush::Inbound { begun: true })
            }
            Some(Flush::Inbound { begun: true }) if sent.contains(NotifyFlags::NOTIFY_END_INBOUND_FLUSH) => None,
            other => other,
        };
    }
}
