//! The address types asked for again after `ValidateState(CONFIG_CHANGED)` on the spooler's
//! status object (ORD-9, STAT-11, STAT-12), or after the transport's own
//! `SpoolerNotify(NOTIFY_CONFIG_CHANGE)` (ORD-9).
//!
//! The spooler forwards the client's `ValidateState` to every active transport; with
//! `CONFIG_CHANGED` it then calls `AddressTypes` on every one of them, whatever the transport
//! answered (`S_OK`, `MAPI_E_BUSY`, `MAPI_E_NO_SUPPORT`, `MAPI_E_USER_CANCEL`): the
//! configuration changed for all of them, and a stale registration would route recipients by
//! the old one. A transport that says with `NOTIFY_CONFIG_CHANGE` that its own address types
//! changed owes them the same way. So no `SubmitMessage` reaches such a transport before its
//! `AddressTypes` has returned again.

use crate::effect::Call;
use crate::flags::ValidateFlags;

use super::{Checked, Monitor, Property, broken};

impl Monitor {
    /// ORD-9: remembers a forwarded `ValidateState(CONFIG_CHANGED)`, and judges a
    /// `SubmitMessage` to a transport that still owes its new address types.
    pub(super) fn requery_call(&mut self, call: &Call) -> Checked {
        match call {
            Call::ValidateState { transport, flags } if flags.contains(ValidateFlags::CONFIG_CHANGED) => {
                if let Some(w) = self.transport(*transport) {
                    w.requery = true;
                }
                Ok(())
            }
            Call::SubmitMessage { transport, .. } if self.transports.get(transport.index()).is_some_and(|w| w.requery) => broken(
                Property::Requery,
                format!("{call}, but {transport} was told CONFIG_CHANGED and AddressTypes has not been called on it again"),
            ),
            _ => Ok(()),
        }
    }
}
