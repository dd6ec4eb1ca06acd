//! What the spooler accepted from its transports, judged before the monitor learns it (INV-4,
//! INV-21).
//!
//! The spooler is the one that keeps the status table and the recipients' dispositions, so a
//! status-row change or a change of responsibility that it accepts is one it lets into the
//! session: the monitor breaks the property on the step that accepted it.

use crate::flags::StatusRowFlags;
use crate::ids::{MessageId, RecipientIdx, TransportId};
use crate::input::{Input, Return, SubmitOutcome, SupportCall};
use crate::recipients::RecipientSet;

use super::watch::Stage;
use super::{Call, Checked, Monitor, Property, broken};

impl Monitor {
    /// INV-4 and INV-21 on an input the spooler accepted.
    pub(super) fn accepted(&self, input: &Input) -> Checked {
        match input {
            Input::Support(
                SupportCall::ModifyStatusRow { transport, flags, .. } | SupportCall::ModifyStatusRowColumns { transport, flags, .. },
            ) => self.row_change(*transport, *flags),
            Input::Support(SupportCall::StatusRecips { transport, message, reports }) => {
                let reported: RecipientSet = reports.iter().map(|(r, _)| *r).collect();
                self.touches_only_offered(*transport, *message, &reported, "StatusRecips")
            }
            Input::Return(Return::SubmitMessage { transport, message, outcome }) => {
                let (taken, how) = match outcome {
                    SubmitOutcome::Accepted { accepted, .. } => (accepted, "SubmitMessage took"),
                    SubmitOutcome::Failed { saved, .. } => (saved, "SubmitMessage saved"),
                };
                self.touches_only_offered(*transport, *message, taken, how)
            }
            _ => Ok(()),
        }
    }

    /// INV-4: a status row exists from its creation until the logon is released; it is created
    /// once (during or after `TransportLogon`), and `STATUSROW_UPDATE` needs it to exist.
    fn row_change(&self, t: TransportId, flags: StatusRowFlags) -> Checked {
        let Some(w) = self.transports.get(t.index()) else { return Ok(()) };
        let logging_on = matches!(self.in_flight, Some(Call::TransportLogon { transport, .. }) if transport == t);
        let live = logging_on || matches!(w.stage, Stage::LoggedOn | Stage::Registered);
        let update = flags.contains(StatusRowFlags::STATUSROW_UPDATE);
        if !live {
            broken(Property::StatusRowLifetime, format!("ModifyStatusRow of {t} accepted, but {t} has no logon"))
        } else if update && w.row.is_none() {
            broken(Property::StatusRowLifetime, format!("STATUSROW_UPDATE of {t} accepted before its row exists"))
        } else if !update && w.row.is_some() {
            broken(Property::StatusRowLifetime, format!("a second status row of {t} accepted"))
        } else {
            Ok(())
        }
    }

    /// INV-21: a transport changes responsibility only for the recipients the `SubmitMessage`
    /// in flight offered it.
    fn touches_only_offered(&self, t: TransportId, m: MessageId, touched: &RecipientSet, how: &str) -> Checked {
        let offered = match &self.in_flight {
            Some(Call::SubmitMessage { transport, message, offered, .. }) if *transport == t && *message == m => offered.clone(),
            _ => RecipientSet::new(),
        };
        match touched.difference(&offered).iter().next() {
            Some(RecipientIdx(r)) => broken(
                Property::OwnRecipientsOnly,
                format!("{t}.{how} recipient {r} of {m}, which it was not offered, and the spooler accepted it"),
            ),
            None => Ok(()),
        }
    }
}
