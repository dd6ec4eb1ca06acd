//! The references of the transfers live on a logon (INV-19, SUB-34, RCV-8).
//!
//! A transport names each message it is handed by the reference it writes to `*lpulMsgRef`
//! (SUB-27), and it may use a reference again once the transfer that used it is over: for an
//! outbound message when its `EndMessage` has returned (or the `SubmitMessage` failed, since no
//! `EndMessage` follows an error), for an inbound one when its `StartMessage` has returned. Two
//! transfers live on one logon at once could carry the same reference, and then neither the
//! transport nor a `NOTIFY_CANCEL_MESSAGE` could tell them apart; so the spooler hands a logon a
//! message only when no transfer is live there.
//!
//! This watches the transfers themselves, from the call that hands a message over to the
//! return that ends it, independently of INV-18 (no other call between an `S_OK` `SubmitMessage`
//! and its `EndMessage`) and AMB-20 (one call at a time), which together imply it.

use crate::effect::Call;
use crate::ids::{MessageId, TransportId};
use crate::input::{Return, SubmitOutcome};

use super::{Checked, Monitor, Property, broken};

/// A message handed to a logon whose reference is not reusable yet (INV-19).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Transfer {
    /// From `SubmitMessage` until it fails, or until the `EndMessage` after its `S_OK` returns.
    Outbound(MessageId),
    /// From `StartMessage` until it returns.
    Inbound(MessageId),
}

impl Transfer {
    pub(super) fn message(self) -> MessageId {
        match self {
            Transfer::Outbound(m) | Transfer::Inbound(m) => m,
        }
    }

    fn renamed(self, renaming: &crate::Renaming) -> Transfer {
        match self {
            Transfer::Outbound(m) => Transfer::Outbound(renaming.message(m)),
            Transfer::Inbound(m) => Transfer::Inbound(renaming.message(m)),
        }
    }

    /// The return that makes its reference reusable.
    fn ends_with(self) -> &'static str {
        match self {
            Transfer::Outbound(_) => "its SubmitMessage failed or its EndMessage returned",
            Transfer::Inbound(_) => "its StartMessage returned",
        }
    }
}

impl Monitor {
    /// INV-19: a `SubmitMessage` or `StartMessage` hands a logon a new message; it needs a logon
    /// with no live transfer.
    pub(super) fn transfer_call(&mut self, call: &Call) -> Checked {
        let (t, transfer) = match call {
            Call::SubmitMessage { transport, message, .. } => (*transport, Transfer::Outbound(*message)),
            Call::StartMessage { transport, message } => (*transport, Transfer::Inbound(*message)),
            _ => return Ok(()),
        };
        let Some(w) = self.transport(t) else { return Ok(()) };
        match w.transfer.replace(transfer) {
            Some(live) => broken(
                Property::RefReuse,
                format!(
                    "{call} while the transfer of {} on {t} is live: its reference is reusable only once {}",
                    live.message(),
                    live.ends_with()
                ),
            ),
            None => Ok(()),
        }
    }

    /// INV-19: the returns that end a transfer, so that its reference may be used again.
    pub(super) fn transfer_return(&mut self, ret: &Return) {
        let t: TransportId = match ret {
            Return::SubmitMessage { transport, outcome: SubmitOutcome::Failed { .. }, .. }
            | Return::EndMessage { transport, .. }
            | Return::StartMessage { transport, .. }
            | Return::TransportLogoff { transport, .. } => *transport,
            _ => return,
        };
        if let Some(w) = self.transport(t) {
            w.transfer = None;
        }
    }

    /// The live transfers under other names for messages (symmetry reduction).
    pub(super) fn rename_transfers(&mut self, renaming: &crate::Renaming) {
        for w in &mut self.transports {
            w.transfer = w.transfer.map(|tr| tr.renamed(renaming));
        }
    }
}
