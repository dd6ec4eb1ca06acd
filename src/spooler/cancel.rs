//! The user's cancel of a transfer in progress (DEF-5, DEF-7, DEF-8, RCV-13, AMB-17).
//!
//! A cancel reaches the spooler asynchronously (AMB-41). For an outbound message the spooler
//! has locked, it stops offering the message: a `SubmitMessage` or `EndMessage` for it in
//! flight is cancelled at once from another thread with `TransportNotify(NOTIFY_CANCEL_MESSAGE)`
//! (DEF-7, SUB-36), and a `SpoolerYield` during that call returns `MAPI_W_CANCEL_MESSAGE`
//! (DEF-8); a transport holding a deferred copy is told
//! `NOTIFY_ABORT_DEFERRED | NOTIFY_CANCEL_MESSAGE` (DEF-5). Recipients no transport took by
//! then are withdrawn; the message is unlocked and taken out of the queue with the spooler's
//! own `AbortSubmit`, without sent-mail processing (AMB-17, DEC-27). A cancel that comes after
//! every recipient is final changes nothing: the message is finished as usual. For an inbound
//! transfer, the `StartMessage` in flight is cancelled the same way; the transport keeps the
//! item for later and the unsaved message is released (RCV-13, INV-37).

use crate::effect::{Call, Effect, Effects};
use crate::error::{CallerError, Error, StoreFault};
use crate::hresult::Hresult;
use crate::ids::{MessageId, StoreId, TransportId};
use crate::input::CancelRequest;

use super::choice::{Candidate, Chooser};
use super::messages::Stage;
use super::{InFlight, Inbound, Spooler};

impl Spooler {
    /// `Input::Cancel`: checks the request, then records it and cancels the transfer in flight.
    pub(super) fn on_cancel(&mut self, request: CancelRequest, fx: &mut Effects) -> Result<(), Error> {
        match request {
            CancelRequest::Outbound { store, message } => {
                self.check_store(store)?;
                let msg = self.messages.get(message).filter(|m| m.store == store);
                let msg = msg.ok_or(CallerError::CancelUnknown { store, message })?;
                if !msg.is_locked() {
                    // DEF-5: messages the spooler has not taken up are aborted in their store.
                    return Err(CallerError::CancelNotLocked(message).into());
                }
                if msg.cancelled {
                    return Err(CallerError::AlreadyCancelled(message.to_string()).into());
                }
                if bug!(self, IgnoreCancel) {
                    // The bug zoo: a cancel of a locked message is dropped, as if only
                    // AbortSubmit could cancel (DEF-5, DEF-7).
                    return Ok(());
                }
                // Checked; now apply.
                if let Some(msg) = self.messages.get_mut(message) {
                    msg.cancelled = true;
                }
                // DEF-7, SUB-36: the transfer in flight is cancelled at once, from another thread.
                if let Some(t) = self.transfer_in_flight(message) {
                    fx.push(Effect::CancelMessage { transport: t, message });
                }
            }
            CancelRequest::Inbound { transport } => {
                self.transport_mut(transport)?;
                let Some(Inbound::Starting { transport: t, message, cancelled }) = &mut self.inbound else {
                    return Err(CallerError::NoInboundTransfer(transport).into());
                };
                if *t != transport {
                    return Err(CallerError::NoInboundTransfer(transport).into());
                }
                if *cancelled {
                    return Err(CallerError::AlreadyCancelled(format!("the inbound transfer of {transport}")).into());
                }
                // RCV-13, DEF-7: the default inbound reference is 1; the transport keeps the item.
                *cancelled = true;
                fx.push(Effect::CancelMessage { transport, message: *message });
            }
        }
        Ok(())
    }

    /// The transport a `SubmitMessage` or `EndMessage` for this message is in flight on.
    fn transfer_in_flight(&self, message: MessageId) -> Option<TransportId> {
        match &self.in_flight {
            Some(InFlight::Submit { call, message: m, .. } | InFlight::End { call, message: m, .. }) if *m == message => call.transport(),
            _ => None,
        }
    }

    /// True when a `SpoolerYield` from `t` comes during a transfer the user cancelled: it
    /// returns `MAPI_W_CANCEL_MESSAGE` (DEF-8, ERR-12).
    pub(super) fn yield_cancels(&self, t: TransportId) -> bool {
        match &self.in_flight {
            Some(InFlight::Submit { call, message, .. } | InFlight::End { call, message, .. }) => {
                call.transport() == Some(t) && self.messages.get(*message).is_some_and(|m| m.cancelled)
            }
            _ => matches!(self.inbound, Some(Inbound::Starting { transport, cancelled: true, .. }) if transport == t),
        }
    }

    /// The spooler's own `AbortSubmit` for a cancelled message it has unlocked (DEC-27); it
    /// comes right after the unlock, before any other work, in the reference (or after other
    /// work, and for any such message first, FREE-6).
    pub(super) fn abort_continuation<C: Chooser>(&mut self, chooser: &mut C) -> Option<Candidate> {
        if self.aborting.is_empty() {
            return None;
        }
        let messages = &self.messages;
        self.aborting.retain(|m| messages.get(*m).is_some_and(|msg| msg.stage == Stage::Aborting));
        for &message in &self.aborting {
            let Some(msg) = self.messages.get(message) else { continue };
            let candidate = Candidate::call(Call::AbortSubmit { store: msg.store, message });
            if chooser.take(&candidate) {
                return Some(candidate);
            }
        }
        None
    }

    /// `AbortSubmit` returned: the message left the queue, by this call (`S_OK`) or by the
    /// client's own abort just before (`MAPI_E_NOT_IN_QUEUE`), and is forgotten (DEF-6).
    pub(super) fn returned_abort_submit(&mut self, store: StoreId, message: MessageId, result: Hresult) -> Result<(), Error> {
        if !(result.is_success() || result == Hresult::MAPI_E_NOT_IN_QUEUE) {
            let fault = StoreFault::UndocumentedResult { method: "AbortSubmit", result, documented: "S_OK or MAPI_E_NOT_IN_QUEUE" };
            return Err(Error::store(store, fault));
        }
        self.aborting.retain(|m| *m != message);
        self.messages.remove(message);
        Ok(())
    }
}
