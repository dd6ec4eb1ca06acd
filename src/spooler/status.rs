//! Status objects (STAT-9 to STAT-17, STAT-23, ERR-13): what a client asks of the spooler's own
//! status object, or of a transport's status row through the spooler, and how the spooler
//! answers.
//!
//! A client's status call is an asynchronous input (AMB-41). The spooler serves one synchronous
//! call of its own status object at a time (`ValidateState`, or `FlushQueues` without
//! `FLUSH_ASYNC_OK`); another one meanwhile is answered `MAPI_E_BUSY` ("another operation is in
//! progress", ERR-13). Opening a transport's status row is served by `IXPLogon::OpenStatusEntry`
//! (STAT-10), independently of those.

use crate::effect::{Call, Effect, Effects};
use crate::error::{CallerError, Error, ProviderFault};
use crate::flags::{FlushFlags, PasswordFlags, ResourceMethods, SettingsFlags, ValidateFlags};
use crate::hresult::Hresult;
use crate::ids::TransportId;
use crate::input::StatusRequest;
use crate::recipients::TransportSet;

use super::choice::{Candidate, Chooser, offer};
use super::transport::{Flush, Purpose};
use super::{Phase, Spooler};

/// What `PR_RESOURCE_METHODS` of the spooler's own row says it supports: `ValidateState` and
/// `FlushQueues`, and neither `SettingsDialog` nor `ChangePassword` (STAT-9).
pub(crate) fn spooler_methods() -> ResourceMethods {
    ResourceMethods::STATUS_VALIDATE_STATE | ResourceMethods::STATUS_FLUSH_QUEUES
}

/// The synchronous call of the spooler's status object being served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Pending {
    /// `ValidateState`: forwarded to each of `remaining` in transport order (STAT-11, AMB-26);
    /// `result` is the answer so far (DEC-31).
    Validate { request: StatusRequest, flags: ValidateFlags, remaining: TransportSet, result: Hresult },
    /// `FlushQueues` without `FLUSH_ASYNC_OK`: answered once none of `waiting` has a flush left
    /// (STAT-17, DEC-33).
    Flush { request: StatusRequest, waiting: TransportSet },
}

impl Spooler {
    /// A client's status call (STAT-9 to STAT-17, STAT-23, LIFE-21, ERR-13).
    pub(super) fn on_status(&mut self, request: StatusRequest, fx: &mut Effects) -> Result<(), Error> {
        // LIFE-21: GetStatusTable blocks until the transports are set up, so no client can have
        // reached a status object before.
        if !self.status_table_ready() {
            return Err(CallerError::StatusTableNotReady { got: request.method() }.into());
        }
        let answer = |fx: &mut Effects, result| fx.push(Effect::StatusAnswer { request, result });
        match request {
            StatusRequest::OpenEntry { transport } => {
                self.transport_mut(transport)?;
                if self.opening.contains(transport) {
                    return Err(CallerError::StatusEntryOpening(transport).into());
                }
                // STAT-1, STAT-10: only a row that is in the table can be opened.
                if self.logon(transport).and_then(|l| l.row).is_none() {
                    return Err(CallerError::NotInStatusTable(transport).into());
                }
                self.opening.insert(transport);
            }
            StatusRequest::SettingsDialog { flags } => {
                // STAT-9, STAT-14, STAT-6: the spooler's row lacks STATUS_SETTINGS_DIALOG.
                let known = SettingsFlags::from_bits(flags).is_ok();
                answer(fx, if known { Hresult::MAPI_E_NO_SUPPORT } else { Hresult::MAPI_E_UNKNOWN_FLAGS });
            }
            StatusRequest::ChangePassword { flags } => {
                // STAT-9, STAT-15, STAT-6: the spooler's row lacks STATUS_CHANGE_PASSWORD.
                let known = PasswordFlags::from_bits(flags).is_ok();
                answer(fx, if known { Hresult::MAPI_E_NO_SUPPORT } else { Hresult::MAPI_E_UNKNOWN_FLAGS });
            }
            StatusRequest::ValidateState { flags } => {
                // STAT-12, ERR-13: undefined bits first, then "another operation is in progress".
                let Ok(flags) = ValidateFlags::from_bits(flags) else {
                    answer(fx, Hresult::MAPI_E_UNKNOWN_FLAGS);
                    return Ok(());
                };
                if self.pending.is_some() {
                    answer(fx, Hresult::MAPI_E_BUSY);
                    return Ok(());
                }
                // STAT-11, AMB-26: forwarded to every active logon; no new logon is made.
                let remaining = self.active_logons();
                self.pending = Some(Pending::Validate { request, flags, remaining, result: Hresult::S_OK });
            }
            StatusRequest::FlushQueues { target, flags } => self.client_flush(request, target, flags, fx)?,
        }
        Ok(())
    }

    /// `FlushQueues` on the spooler's status object (STAT-17, STAT-23, AMB-13): each targeted
    /// transport's flush becomes due; the flushes run one transport at a time in transport order
    /// (ORD-12).
    fn client_flush(&mut self, request: StatusRequest, target: Option<TransportId>, flags: u32, fx: &mut Effects) -> Result<(), Error> {
        if let Some(t) = target {
            self.transport_mut(t)?;
        }
        let Ok(flags) = FlushFlags::from_bits(flags) else {
            fx.push(Effect::StatusAnswer { request, result: Hresult::MAPI_E_UNKNOWN_FLAGS });
            return Ok(());
        };
        let sync = !flags.contains(FlushFlags::FLUSH_ASYNC_OK);
        if sync && self.pending.is_some() {
            fx.push(Effect::StatusAnswer { request, result: Hresult::MAPI_E_BUSY });
            return Ok(());
        }
        // IXPLogon::FlushQueues takes no FLUSH_ASYNC_OK (STAT-19).
        let passed = flags.without(FlushFlags::FLUSH_ASYNC_OK);
        let directions = passed.intersects(FlushFlags::FLUSH_UPLOAD | FlushFlags::FLUSH_DOWNLOAD);
        let mut waiting = TransportSet::EMPTY;
        if directions {
            for t in self.active_logons().iter().filter(|t| target.is_none_or(|x| x == *t)) {
                if let Some(logon) = self.transports[t.index()].logon_mut() {
                    logon.flush = Some(match logon.flush {
                        // Flags of a flush that has not begun yet are merged.
                        Some(Flush::Due(earlier)) => Flush::Due(earlier | passed),
                        Some(running) => running,
                        None => Flush::Due(passed),
                    });
                    waiting.insert(t);
                }
            }
        }
        if sync {
            self.pending = Some(Pending::Flush { request, waiting });
        } else {
            // STAT-17: an asynchronous request is answered MAPI_E_BUSY at once, so that the
            // client can go on working while the flush runs.
            fx.push(Effect::StatusAnswer { request, result: Hresult::MAPI_E_BUSY });
        }
        Ok(())
    }

    /// The logons that can be given work, in transport order (STAT-11, ORD-12).
    fn active_logons(&self) -> TransportSet {
        self.order.iter().copied().filter(|t| self.logon(*t).is_some_and(|l| l.may(Purpose::Work))).collect()
    }

    /// The next status call to make: `OpenStatusEntry` for a row a client opened (STAT-10),
    /// then `ValidateState` for the next logon in transport order (STAT-11). Any pending open
    /// and any logon still to validate may come first (FREE-50, FREE-55).
    pub(super) fn status_work<C: Chooser>(&self, chooser: &mut C) -> Option<Candidate> {
        if self.opening.is_empty() && !matches!(self.pending, Some(Pending::Validate { .. })) {
            // Nothing to open or to validate: the usual case.
            return None;
        }
        let active = self.active_logons();
        // A row that left the table meanwhile cannot be opened any more; the open is answered
        // in `answer_clients`.
        for t in self.order.iter().copied().filter(|t| self.opening.contains(*t) && active.contains(*t)) {
            if let Some(next) = offer(chooser, Candidate::call(Call::OpenStatusEntry { transport: t })) {
                return Some(next);
            }
        }
        let Some(Pending::Validate { flags, remaining, .. }) = self.pending else { return None };
        for t in self.order.iter().copied().filter(|t| remaining.contains(*t) && active.contains(*t)) {
            if let Some(next) = offer(chooser, Candidate::call(Call::ValidateState { transport: t, flags })) {
                return Some(next);
            }
        }
        None
    }

    /// True when a client waits for an answer (a status call in progress, or a row being
    /// opened); checked inline on every step, since usually none does.
    #[inline]
    pub(super) fn client_waits(&self) -> bool {
        self.pending.is_some() || !self.opening.is_empty()
    }

    /// Answers every client call whose work is over (STAT-10, STAT-11, STAT-17, DEC-33): a
    /// validation once no logon is left to forward it to, a synchronous flush once no targeted
    /// transport has a flush left, an open whose transport left the table.
    pub(super) fn answer_clients(&mut self, fx: &mut Effects) {
        let active = self.active_logons();
        let in_flight = self.in_flight.as_ref().and_then(|f| f.call().transport().filter(|_| f.call().method() == "OpenStatusEntry"));
        for t in self.opening.iter().filter(|t| !active.contains(*t) && in_flight != Some(*t)).collect::<Vec<_>>() {
            // The row left the table before it could be opened: the entry ID is not found.
            self.opening.remove(t);
            let request = StatusRequest::OpenEntry { transport: t };
            fx.push(Effect::StatusAnswer { request, result: Hresult::MAPI_E_NOT_FOUND });
        }
        let answered = match self.pending {
            Some(Pending::Validate { request, remaining, result, .. }) => {
                let validating = self.in_flight.as_ref().is_some_and(|f| f.call().method() == "ValidateState");
                (!validating && !remaining.intersects(active)).then_some((request, result))
            }
            Some(Pending::Flush { request, waiting }) => waiting.iter().all(|t| self.flush_over(t)).then_some((request, Hresult::S_OK)),
            None => None,
        };
        if let Some((request, result)) = answered {
            self.pending = None;
            fx.push(Effect::StatusAnswer { request, result });
        }
    }

    /// `IXPLogon::OpenStatusEntry` returned (STAT-10): its result is the client's.
    pub(super) fn returned_open_status(&mut self, t: TransportId, result: Hresult, fx: &mut Effects) {
        self.opening.remove(t);
        fx.push(Effect::StatusAnswer { request: StatusRequest::OpenEntry { transport: t }, result });
    }

    /// `IXPLogon::ValidateState` returned (STAT-11, STAT-13, ERR-13, ORD-9).
    pub(super) fn returned_validate(&mut self, t: TransportId, result: Hresult) -> Result<(), Error> {
        let documented = [Hresult::S_OK, Hresult::MAPI_E_BUSY, Hresult::MAPI_E_NO_SUPPORT, Hresult::MAPI_E_USER_CANCEL];
        if !documented.contains(&result) {
            let documented = "S_OK, MAPI_E_BUSY, MAPI_E_NO_SUPPORT, MAPI_E_USER_CANCEL";
            return Err(Error::provider(t, ProviderFault::UndocumentedResult { method: "ValidateState", result, documented }));
        }
        let critsec = self.logon(t).is_some_and(|l| l.critsec);
        if critsec && result != Hresult::MAPI_E_BUSY {
            // STAT-13: inside a critical section the transport answers MAPI_E_BUSY.
            return Err(Error::provider(t, ProviderFault::ValidateInCriticalSection { result }));
        }
        // ValidateState is called only while a client's validation is pending.
        let Some(Pending::Validate { flags, remaining, result: so_far, .. }) = &mut self.pending else { return Ok(()) };
        remaining.remove(t);
        // DEC-31: the client gets the first failure a transport reports, other than the
        // MAPI_E_NO_SUPPORT of a transport that has nothing to validate.
        if *so_far == Hresult::S_OK && result != Hresult::MAPI_E_NO_SUPPORT {
            *so_far = result;
        }
        if flags.contains(ValidateFlags::CONFIG_CHANGED)
            && let Some(logon) = self.transports[t.index()].logon_mut()
        {
            // STAT-11, STAT-12, ORD-9: CONFIG_CHANGED makes the spooler query the address types
            // of every active transport again, whatever this one answered: MAPI_E_BUSY or
            // MAPI_E_NO_SUPPORT says nothing about its registrations.
            logon.requery = true;
        }
        Ok(())
    }

    /// True once the client's view of the status table exists: the transports are set up
    /// (LIFE-21, AMB-25).
    #[must_use]
    pub fn status_table_ready(&self) -> bool {
        matches!(self.phase, Phase::Running | Phase::Stopping)
    }
}
