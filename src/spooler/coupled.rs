//! The tightly coupled store and transport (TC): the pair declares itself in the transport's
//! status row (TC-1), hands the spooler a message it served entirely with `CompleteMsg` for the
//! post-processing (TC-3, TC-5, HOOK-11), and announces arrivals it placed itself with
//! `SpoolerNotify(NOTIFY_NEWMAIL_RECEIVED)` (RCV-16, TC-8).
//!
//! Whatever the pair does inside `IMessage::SubmitMessage` the spooler never sees; it sees one of
//! three things (SUB-13, TC-3, TC-4): a `CompleteMsg`, after which it runs its own tasks from
//! SUB-26 on for a message whose recipients are all taken, so it offers none of them (INV-34); a
//! queued message, some of whose recipients are already taken, routed like any other (TC-4,
//! SUB-21); or nothing, when the store finished alone (TC-3 (b)).

use crate::effect::Call;
use crate::error::{Error, ProviderFault, StoreFault};
use crate::flags::QueueFlags;
use crate::ids::{MessageId, RecipientIdx, StoreId, TransportId};
use crate::input::QueueRow;

use super::messages::{Disp, OutMsg};
use super::{Spooler, StoreState};

impl Spooler {
    /// TC-1: a transport publishes `PR_OWN_STORE_ENTRYID` (with `STATUS_OWN_STORE`) in the
    /// status row it created, naming a store of the profile.
    pub(super) fn publish_own_store(&mut self, t: TransportId, s: StoreId) -> Result<(), Error> {
        self.check_store(s)?;
        let logon = self.live_logon_mut(t, "ModifyStatusRow")?;
        if logon.row.is_none() {
            // STAT-3: STATUSROW_UPDATE needs the row to exist.
            return Err(Error::provider(t, ProviderFault::NoStatusRow));
        }
        logon.own_store = Some(s);
        Ok(())
    }

    /// The transport coupled with a store: a logon still serving whose status row publishes
    /// the store (TC-1, DEC-40).
    #[must_use]
    pub fn coupled_transport(&self, s: StoreId) -> Option<TransportId> {
        self.transports
            .iter()
            .enumerate()
            .find(|(_, tr)| tr.logon().is_some_and(|l| l.staying() && l.own_store == Some(s)))
            .map(|(i, _)| TransportId(i as u8))
    }

    /// A store the spooler is logged on to and that has a coupled transport; others may not use
    /// the TC support calls (TC-1, TC-5, RCV-16).
    fn check_coupled(&self, s: StoreId) -> Result<(), Error> {
        let state = self.check_store(s)?;
        if !matches!(state, StoreState::LoggedOn | StoreState::Watching) || self.logged_off(s) {
            return Err(Error::store(s, StoreFault::NotServed));
        }
        if self.coupled_transport(s).is_none() {
            return Err(Error::store(s, StoreFault::NotCoupled));
        }
        Ok(())
    }

    /// `CompleteMsg` (TC-3, TC-5, HOOK-11, DEC-41): the pair served every recipient; the
    /// spooler does the post-processing. Either the message is the one of the spooler's own
    /// `IMessage::SubmitMessage` after preprocessing (TC-3 (a)), or it is new to the spooler,
    /// handed over locked, and was not preprocessed.
    pub(super) fn complete_msg(&mut self, row: QueueRow) -> Result<(), Error> {
        let (s, m) = (row.store, row.message);
        self.check_coupled(s)?;
        let fault = |f| Err(Error::store(s, f));
        if row.recipients.is_empty() {
            return fault(StoreFault::NoRecipients(m));
        }
        // TC-5, INV-34: only when the pair handled every recipient.
        if let Some(open) = row.recipients.iter().position(|r| !r.responsibility) {
            return fault(StoreFault::CompleteMsgOpenRecipient { message: m, recipient: RecipientIdx(open as u16) });
        }
        let resubmitting = matches!(
            self.in_flight.as_ref().map(super::InFlight::call),
            Some(Call::SubmitPreprocessed { store, message }) if *store == s && *message == m
        );
        match self.messages.get_mut(m) {
            Some(msg) if resubmitting && !msg.completed && msg.recipients.len() == row.recipients.len() => {
                // TC-3 (a): completed inside the spooler's own IMessage::SubmitMessage.
                msg.completed = true;
                for d in msg.disp.iter_mut() {
                    if !matches!(d, Disp::Done(_)) {
                        *d = Disp::Taken;
                    }
                }
            }
            // INV-35: queued, locked, or completed already.
            Some(_) => return fault(StoreFault::CompleteMsgUnexpected(m)),
            None => {
                if row.preprocess || row.flags.contains(QueueFlags::SUBMITFLAG_PREPROCESS) {
                    // SUB-12, TC-3 (a): preprocessing comes first, and the spooler runs it.
                    return fault(StoreFault::CompleteMsgUnpreprocessed(m));
                }
                if row.recipients.len() > usize::from(u16::MAX) + 1 {
                    return fault(StoreFault::TooManyRecipients(m));
                }
                // DEC-41: the store hands the message over locked, for FinishedMsg (HOOK-7).
                let mut row = row;
                row.flags = row.flags | QueueFlags::SUBMITFLAG_LOCKED;
                let mut msg = OutMsg::from_row(row);
                msg.completed = true;
                if bug!(self, RouteCompletedMessage) {
                    // The bug zoo: the completed message is routed like a queued one.
                    msg.disp.iter_mut().for_each(|d| *d = Disp::Pending { declined: crate::recipients::TransportSet::EMPTY });
                }
                self.messages.push(m, msg);
            }
        }
        Ok(())
    }

    /// `SpoolerNotify(NOTIFY_NEWMAIL_RECEIVED)` (RCV-16, TC-8): the TC store placed a new
    /// message itself; the spooler opens it, runs the inbound hooks, then calls `NotifyNewMail`.
    pub(super) fn tc_arrival(&mut self, s: StoreId, message: Option<MessageId>) -> Result<(), Error> {
        self.check_coupled(s)?;
        let Some(m) = message else { return Err(Error::store(s, StoreFault::NewMailWithoutMessage)) };
        let known = self.arrivals.contains(&(s, m)) || self.inbound.is_some_and(|i| i.names(s, m));
        if known {
            return Err(Error::store(s, StoreFault::DuplicateArrival(m)));
        }
        self.arrivals.push((s, m));
        Ok(())
    }
}
