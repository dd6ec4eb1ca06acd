//! The reference store as the store half of a tightly coupled pair (TC-2 to TC-8): inside the
//! client's `IMessage::SubmitMessage` its transport serves the recipients it can, and the store
//! hands the message to the spooler with `CompleteMsg`, finishes it alone, or queues it for the
//! rest; on the inbound side the pair places a message itself and announces it with
//! `NOTIFY_NEWMAIL_RECEIVED`. Towards the spooler it still behaves like any store (TC-7).

use smallvec::SmallVec;

use crate::effect::RecipientOutcome;
use crate::flags::{HookFlags, QueueFlags};
use crate::hresult::Hresult;
use crate::ids::{MessageId, TransportId};
use crate::input::{HookOutcome, QueueRow};
use crate::recipients::RecipientRow;

use super::{Draft, InboundMessage, OUTBOX, Outcome, Placement, ReferenceStore, StoredMessage, StoredRecipient, receive_folder};

/// What a tightly coupled store did inside the client's `IMessage::SubmitMessage` (SUB-13,
/// TC-3, TC-4).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TcSubmission {
    /// TC-3 (a): the pair served every recipient and the store calls `CompleteMsg` with the
    /// message, locked, as the spooler reads it (TC-5, HOOK-11).
    Completed(QueueRow),
    /// TC-3 (b): the pair served every recipient and the store finished alone: sent folder,
    /// deletion, unlock. The spooler hears nothing.
    FinishedAlone(MessageId),
    /// TC-4: some recipient is left, or the message needs preprocessing: it is queued for the
    /// spooler, with the served recipients already TRUE (SUB-14).
    Queued(QueueRow),
}

impl ReferenceStore {
    /// The client's `IMessage::SubmitMessage` on a store coupled with `transport`, which serves
    /// the recipients `serves` picks (TC-3, TC-4, TC-6). `hand_over` says whether the store asks
    /// the spooler to finish a fully served message (recommended, so that hooks run: HOOK-11)
    /// or finishes it alone. A message that needs preprocessing goes to the queue untouched
    /// (SUB-12). The store decides by the message's status, never queueing what it completed
    /// (TC-6, INV-35).
    ///
    /// # Errors
    /// `MAPI_E_NO_RECIPIENTS` for an empty recipient table (SUB-1).
    pub fn submit_coupled(
        &mut self,
        draft: Draft,
        transport: TransportId,
        serves: impl Fn(&RecipientRow) -> bool,
        hand_over: bool,
    ) -> Result<TcSubmission, Hresult> {
        if draft.preprocess {
            return self.submit(draft).map(TcSubmission::Queued);
        }
        if draft.recipients.is_empty() {
            return Err(Hresult::MAPI_E_NO_RECIPIENTS);
        }
        let recipients: SmallVec<[StoredRecipient; 2]> = draft
            .recipients
            .iter()
            .map(|row| {
                let served = !row.responsibility && serves(row);
                let row = RecipientRow { responsibility: row.responsibility || served, ..*row };
                StoredRecipient { row, outcome: served.then_some(RecipientOutcome::Transport(transport)), reports: 0, ndr: false }
            })
            .collect();
        let all = recipients.iter().all(|r| r.row.responsibility);
        if !all {
            let rows = recipients.iter().map(|r| r.row).collect();
            let row = self.submit(Draft { recipients: rows, ..draft })?;
            // TC-4: the served recipients keep their disposition.
            if let Some(m) = self.messages.get_mut(&row.message) {
                m.recipients = recipients;
            }
            return Ok(TcSubmission::Queued(row));
        }
        let id = MessageId(self.next_id);
        self.next_id += 1;
        let flags = if hand_over { QueueFlags::SUBMITFLAG_LOCKED } else { QueueFlags::EMPTY };
        let message = StoredMessage {
            placement: Placement::Folder(OUTBOX),
            submit_flags: flags,
            submitted: true,
            unsent: true,
            preprocess: false,
            sentmail: draft.sentmail,
            delete_after_submit: draft.delete_after_submit,
            reports: draft.reports,
            recipients,
            outcome: Outcome::Queued,
        };
        self.messages.insert(id, message);
        if hand_over {
            self.completed.push(id);
            return Ok(TcSubmission::Completed(self.row(id)));
        }
        // TC-3 (b): the store does what FinishedMsg would, alone.
        if let Some(m) = self.messages.get_mut(&id) {
            let placement = match (m.sentmail, m.delete_after_submit) {
                (_, true) => Placement::Deleted,
                (Some(folder), false) => Placement::Folder(folder),
                (None, false) => m.placement,
            };
            m.unsent = false;
            m.placement = placement;
            m.outcome = Outcome::Finished(placement);
        }
        Ok(TcSubmission::FinishedAlone(id))
    }

    /// True when the store handed the message to the spooler with `CompleteMsg` (TC-3).
    #[must_use]
    pub fn completed(&self, id: MessageId) -> bool {
        self.completed.contains(&id)
    }

    /// INV-35: no message the pair completed is in the outgoing queue.
    #[must_use]
    pub fn completed_never_queued(&self) -> bool {
        self.completed.iter().all(|id| !self.queue.contains(id))
    }

    /// The coupled transport placed an inbound message of `class` in the receive folder of its
    /// class itself (RCV-12, RCV-16); the store announces it with
    /// `SpoolerNotify(NOTIFY_NEWMAIL_RECEIVED)`.
    pub fn place_inbound(&mut self, class: &str) -> MessageId {
        let class = if class.is_empty() { "IPM.Note" } else { class };
        let id = MessageId(self.next_id);
        self.next_id += 1;
        let folder = receive_folder(&self.receive_folders, class);
        self.inbound.insert(id, InboundMessage { class: Some(class.to_owned()), folder: Some(folder), notified: 0, spooler_status: None });
        id
    }

    /// What an inbound hook did to a received message (HOOK-13, RCV-11): moved it to another
    /// folder, or deleted it, which gives it `PR_SPOOLER_STATUS` `MAPI_E_OBJECT_DELETED`.
    pub fn hook_inbound(&mut self, id: MessageId, outcome: HookOutcome) {
        let Some(m) = self.inbound.get_mut(&id) else { return };
        if outcome.flags.contains(HookFlags::HOOK_DELETE) {
            m.folder = None;
            m.spooler_status = Some(Hresult::MAPI_E_OBJECT_DELETED);
        } else if let Some(folder) = outcome.moved_to {
            m.folder = Some(folder);
        }
    }
}
