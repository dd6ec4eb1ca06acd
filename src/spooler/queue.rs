//! The stores' outgoing queues as the spooler sees them (SUB-14 to SUB-16, DEF-6).

use crate::effect::Call;
use crate::error::{Error, StoreFault};
use crate::flags::QueueFlags;
use crate::input::{QueueEvent, QueueRow};

use super::messages::OutMsg;
use super::{Spooler, StoreState};

impl Spooler {
    pub(super) fn on_queue(&mut self, event: QueueEvent) -> Result<(), Error> {
        match event {
            QueueEvent::RowAdded(row) => {
                let s = row.store;
                if self.check_store(s)? != StoreState::Watching {
                    return Err(Error::store(s, StoreFault::QueueNotOpen));
                }
                if self.logged_off(s) {
                    // LIFE-20: after LOGOFF_COMPLETE only Release may follow.
                    return Err(Error::store(s, StoreFault::NotServed));
                }
                self.check_row(&row)?;
                if row.flags.contains(QueueFlags::SUBMITFLAG_LOCKED) {
                    // AMB-5: only SetLockState sets the bit, and only the spooler calls it.
                    return Err(Error::store(s, StoreFault::AnnouncedLocked(row.message)));
                }
                self.add_row(row);
            }
            QueueEvent::RowRemoved { store, message } => {
                self.check_store(store)?;
                match self.messages.get(message) {
                    // A message the spooler does not track: for example the store's own
                    // notification of a FinishedMsg that already returned.
                    None => {}
                    // DEF-6: the client aborted a message the spooler had not locked (a lock
                    // in flight is answered with an error, which the spooler expects).
                    Some(msg) if !msg.is_locked() => {
                        self.messages.remove(message);
                    }
                    Some(_) if matches!(self.in_flight.as_ref().map(super::InFlight::call), Some(Call::FinishedMsg { message: m, .. }) if *m == message) =>
                        {}
                    // SUB-20: a locked message cannot leave the queue (AbortSubmit must fail).
                    Some(_) => return Err(Error::store(store, StoreFault::RemovedWhileLocked(message))),
                }
            }
        }
        Ok(())
    }

    /// Checks a queue row against what a store must guarantee (SUB-1, SUB-12).
    pub(super) fn check_row(&self, row: &QueueRow) -> Result<(), Error> {
        let fault = |f| Err(Error::store(row.store, f));
        if self.messages.contains(row.message) {
            return fault(StoreFault::DuplicateRow(row.message));
        }
        if row.recipients.is_empty() {
            return fault(StoreFault::NoRecipients(row.message));
        }
        if row.recipients.len() > usize::from(u16::MAX) + 1 {
            return fault(StoreFault::TooManyRecipients(row.message));
        }
        if row.flags.contains(QueueFlags::SUBMITFLAG_PREPROCESS) && !row.preprocess {
            return fault(StoreFault::PreprocessFlagWithoutProperty(row.message));
        }
        Ok(())
    }

    /// Adds a checked row to the end of the queue (SUB-19: ascending submission order).
    pub(super) fn add_row(&mut self, mut row: QueueRow) {
        if bug!(self, SendTwiceAfterRestart) && row.flags.contains(QueueFlags::SUBMITFLAG_LOCKED) {
            // The bug zoo: an adopted message is sent afresh, as if no recipient had been taken
            // before the restart (SUB-21, DEC-12).
            row.recipients.iter_mut().for_each(|r| r.responsibility = false);
        }
        let id = row.message;
        self.messages.push(id, OutMsg::from_row(row));
    }
}
