//! What a cancelled message may still have saved (DEC-27, DEC-28, DEF-7, DEF-8).
//!
//! After the user's cancel, the spooler stops offering the message, and every recipient no
//! transport took is withdrawn: nothing is saved for it and no report is raised. A recipient is
//! saved as taken by a transport only in the step where that transport took it: the return of
//! an `S_OK` `SubmitMessage` whose `StatusRecips` reported it, or the return of the `EndMessage`
//! (flags 0) of an exchange that accepted it. A transport that answers the cancel with an error
//! (`MAPI_E_USER_CANCEL`, or `MAPI_E_CANCEL`, also on a `BEGIN_DEFERRED` submission, DEC-28)
//! took only what it saved itself, which the spooler does not save again.

use crate::effect::RecipientOutcome;
use crate::ids::{MessageId, TransportId};
use crate::recipients::RecipientSet;

use super::{Checked, Monitor, Property, broken};

/// The recipients a transport took in the return being observed (DEC-27): the only ones the
/// spooler may save as taken by it, once the message is cancelled. Set while a step is learnt,
/// cleared when it has been judged, so it never tells two states apart.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Took {
    pub(super) message: MessageId,
    pub(super) transport: TransportId,
    pub(super) recipients: RecipientSet,
}

impl Monitor {
    /// DEC-27: a disposition saved for a message the user cancelled.
    pub(super) fn saved_after_cancel(&self, message: MessageId, recipients: &RecipientSet, outcome: RecipientOutcome) -> Checked {
        let RecipientOutcome::Transport(t) = outcome else { return Ok(()) };
        if !self.messages.get(&message).is_some_and(|m| m.cancelled) {
            return Ok(());
        }
        let took = self.took.as_ref().filter(|k| k.message == message && k.transport == t);
        let outside = recipients.iter().find(|r| !took.is_some_and(|k| k.recipients.contains(*r)));
        match outside {
            Some(r) => broken(
                Property::CancelWithdraws,
                format!("recipient {} of {message} saved as taken by {t} after the user cancelled it, but {t} did not take it", r.0),
            ),
            None => Ok(()),
        }
    }
}
