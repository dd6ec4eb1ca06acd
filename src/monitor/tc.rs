//! The monitor's part of the tightly coupled store (INV-34, INV-35) and of the inbound hooks
//! (INV-36 for hook-deleted messages and `NOTIFY_NEWMAIL_RECEIVED` arrivals).

use crate::effect::Call;
use crate::flags::{HookFlags, LockState};
use crate::hresult::Hresult;
use crate::ids::{MessageId, StoreId};
use crate::input::{HookOutcome, QueueRow};

use super::watch::MessageWatch;
use super::{Checked, InboundStage, Monitor, Property, broken};

impl Monitor {
    /// `CompleteMsg`: the message is the spooler's, locked, every recipient taken by the pair
    /// (TC-3, TC-5).
    pub(super) fn learn_completed(&mut self, row: &QueueRow) {
        let rank = self.next_rank;
        let watch = self.messages.get_or_insert_with(row.message, || MessageWatch::new(rank, row));
        if watch.rank == rank {
            self.next_rank += 1;
        }
        watch.locked = true;
        for rec in &mut watch.recipients {
            rec.settled = true;
        }
        if !self.completed.contains(&row.message) {
            self.completed.push(row.message);
        }
    }

    /// `SpoolerNotify(NOTIFY_NEWMAIL_RECEIVED)`: a tightly coupled store placed a message
    /// (RCV-16).
    pub(super) fn learn_arrival(&mut self, store: StoreId, message: Option<MessageId>) {
        if let Some(m) = message {
            self.arrivals.push((store, m));
        }
    }

    /// `InboundMsgHook` returned (HOOK-13, RCV-11).
    pub(super) fn learn_hook(&mut self, message: MessageId, result: &Result<HookOutcome, Hresult>) {
        let Some((m, InboundStage::Saved { next })) = self.inbound else { return };
        if m != message {
            return;
        }
        let outcome = result.unwrap_or(HookOutcome::KEEP);
        self.inbound = Some(if outcome.flags.contains(HookFlags::HOOK_DELETE) {
            (m, InboundStage::Deleted)
        } else if outcome.flags.contains(HookFlags::HOOK_CANCEL) {
            (m, InboundStage::Saved { next: self.hooks })
        } else {
            (m, InboundStage::Saved { next: next.saturating_add(1) })
        });
    }

    /// INV-34, INV-35: a message the pair completed is never offered to a transport nor locked
    /// from the outgoing queue.
    pub(super) fn completed_call(&self, call: &Call) -> Checked {
        match call {
            Call::SubmitMessage { message, .. } if self.completed.contains(message) => {
                broken(Property::CompletedByPair, format!("{call}, but the tightly coupled pair completed {message} (CompleteMsg)"))
            }
            Call::SetLockState { message, state: LockState::Locked, .. } if self.completed.contains(message) => broken(
                Property::CompletedNotQueued,
                format!("{call}, but the tightly coupled pair completed {message}: it came back through the outgoing queue"),
            ),
            _ => Ok(()),
        }
    }

    /// INV-36, HOOK-13: the hooks and `NotifyNewMail` of an inbound message come after it was
    /// saved, the hooks in order, `NotifyNewMail` after every hook saw it (or one cancelled the
    /// rest), and never for a message a hook deleted.
    pub(super) fn inbound_call(&mut self, call: &Call) -> Checked {
        let (store, message) = match call {
            Call::InboundMsgHook { store, message, .. } | Call::NotifyNewMail { store, message } => (*store, *message),
            _ => return Ok(()),
        };
        if self.inbound.is_none()
            && let Some(pos) = self.arrivals.iter().position(|a| *a == (store, message))
        {
            self.arrivals.remove(pos);
            self.inbound = Some((message, InboundStage::Saved { next: 0 }));
        }
        let stage = self.inbound.filter(|(m, _)| *m == message).map(|(_, s)| s);
        match (call, stage) {
            (_, Some(InboundStage::Deleted)) => {
                broken(Property::CommitBeforeNotify, format!("{call}, but an inbound hook deleted {message} (HOOK_DELETE)"))
            }
            (Call::InboundMsgHook { hook, .. }, Some(InboundStage::Saved { next })) if hook.get() == next && next < self.hooks => Ok(()),
            (Call::InboundMsgHook { .. }, Some(InboundStage::Saved { next })) => {
                broken(Property::CommitBeforeNotify, format!("{call} out of order: the next inbound hook of {message} is H{next}"))
            }
            (Call::NotifyNewMail { .. }, Some(InboundStage::Saved { next })) if next >= self.hooks => Ok(()),
            (Call::NotifyNewMail { .. }, Some(InboundStage::Saved { next })) => {
                broken(Property::CommitBeforeNotify, format!("{call} before inbound hook H{next} saw {message} (HOOK-13)"))
            }
            _ => broken(Property::CommitBeforeNotify, format!("{call}, but no transport saved {message} since it was created")),
        }
    }
}
