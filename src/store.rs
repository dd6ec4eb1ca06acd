//! A reference message store: the spooler-facing behaviour of a store that supports sending
//! (SUB-1, SUB-5 to SUB-17, SUB-20, HOOK-7 to HOOK-10, DEF-6), as a plain value with methods.
//!
//! The spooler does not own the store: in a simulation or a model the store is part of the
//! world, and it survives a crash of the spooler. This model is what such a world uses, and
//! what store authors can compare their store with.

use smallvec::SmallVec;

use crate::effect::{Effect, RecipientOutcome};
use crate::flags::{LockState, QueueFlags};
use crate::hresult::Hresult;
use crate::ids::{FolderId, MessageId, StoreId};
use crate::input::{QueueRow, ReportRequests};
use crate::recipients::{RecipientRow, RecipientSet};
use crate::vec_map::VecMap;

mod coupled;

pub use coupled::TcSubmission;

/// The Outbox, where messages are submitted from.
pub const OUTBOX: FolderId = FolderId(1);
/// Sent Items, the usual target of `PR_SENTMAIL_ENTRYID` (HOOK-9).
pub const SENT_ITEMS: FolderId = FolderId(2);
/// The root folder: the default receive folder of IPC classes (RCV-12).
pub const ROOT: FolderId = FolderId(0);
/// The Inbox: the default receive folder of IPM classes, reports and the empty class (RCV-12).
pub const INBOX: FolderId = FolderId(3);

/// The receive folder of a message class (RCV-12): the folder registered for the longest
/// registered class that is a prefix of `class`, comparing whole dot-separated parts without
/// regard to case (`IPM.Note` is a prefix of `IPM.Note.Phone`, not of `IPM.Notes`); when none is,
/// the default: the root folder for `IPC` classes, the Inbox for everything else. An entry for
/// the empty class replaces the default.
#[must_use]
pub fn receive_folder(table: &[(String, FolderId)], class: &str) -> FolderId {
    let parts = |c: &str| -> Vec<String> { c.split('.').filter(|p| !p.is_empty()).map(str::to_ascii_lowercase).collect() };
    let wanted = parts(class);
    let best = table
        .iter()
        .map(|(registered, folder)| (parts(registered), *folder))
        .filter(|(registered, _)| wanted.starts_with(registered))
        .max_by_key(|(registered, _)| registered.len());
    match best {
        Some((_, folder)) => folder,
        None if wanted.first().is_some_and(|p| p == "ipc") => ROOT,
        None => INBOX,
    }
}

/// A message the spooler created in the receive folder for `StartMessage` (RCV-4 to RCV-12).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InboundMessage {
    /// The message class the transport saved, once it saved one (RCV-5).
    pub class: Option<String>,
    /// The folder it is in once saved: the receive folder of its class (RCV-12).
    pub folder: Option<FolderId>,
    /// How many times `NotifyNewMail` announced it (RCV-10, INV-36).
    pub notified: u8,
    /// `PR_SPOOLER_STATUS` once the spooler is done with it: `S_OK` when `NotifyNewMail`
    /// announced it in its final place, `MAPI_E_OBJECT_DELETED` when an inbound hook deleted it
    /// (RCV-11, DEC-42).
    pub spooler_status: Option<Hresult>,
}

/// A message a client composed and submits (SUB-1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Draft {
    /// The recipient table.
    pub recipients: Vec<RecipientRow>,
    /// `ExpandRecips` returned `NEEDS_PREPROCESSING`, which sets `PR_PREPROCESS` (SUB-11,
    /// HOOK-5).
    pub preprocess: bool,
    /// `PR_SENTMAIL_ENTRYID` (HOOK-9).
    pub sentmail: Option<FolderId>,
    /// `PR_DELETE_AFTER_SUBMIT` (HOOK-9).
    pub delete_after_submit: bool,
    /// The originator's report requests (DEF-11).
    pub reports: ReportRequests,
}

impl Draft {
    /// A message to these recipients, with no sent-mail properties.
    #[must_use]
    pub fn to(recipients: Vec<RecipientRow>) -> Draft {
        Draft { recipients, preprocess: false, sentmail: None, delete_after_submit: false, reports: ReportRequests::default() }
    }
}

/// Where a message ended up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Placement {
    /// In a folder.
    Folder(FolderId),
    /// Deleted.
    Deleted,
}

/// What the sent-mail hook of a hook provider did inside `FinishedMsg` (HOOK-6, HOOK-8,
/// HOOK-10, AMB-6, AMB-9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SentMailHook {
    /// No hook provider, or its hook returned no flag: the store's own processing runs.
    #[default]
    None,
    /// `HOOK_CANCEL`: the hook took over the sent-mail filing, so the move to
    /// `PR_SENTMAIL_ENTRYID` does not happen; deletion after submit still does.
    Cancel,
    /// `HOOK_DELETE`: the hook deleted the message.
    Delete,
}

/// How a submission ended, as the store sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Still in the outgoing queue.
    Queued,
    /// `FinishedMsg` ran; the message was placed (HOOK-7).
    Finished(Placement),
    /// The client aborted it with `AbortSubmit` before the spooler locked it (DEF-6).
    Aborted,
}

/// One recipient of a stored message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StoredRecipient {
    /// The row, with `PR_RESPONSIBILITY` as saved.
    pub row: RecipientRow,
    /// The disposition the spooler saved, if any (INV-23).
    pub outcome: Option<RecipientOutcome>,
    /// Delivery-status reports raised for this recipient (INV-24).
    pub reports: u8,
    /// One of them was a non-delivery report, whoever asked for it (DEF-10): the client may
    /// resend to this recipient (DEF-12).
    pub ndr: bool,
}

/// A message in the store.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StoredMessage {
    /// Where it is.
    pub placement: Placement,
    /// `PR_SUBMIT_FLAGS` (SUB-12, SUB-20, AMB-5).
    pub submit_flags: QueueFlags,
    /// `MSGFLAG_SUBMIT` of `PR_MESSAGE_FLAGS`: submitted and read-only (SUB-8).
    pub submitted: bool,
    /// `MSGFLAG_UNSENT` of `PR_MESSAGE_FLAGS` (SUB-8, AMB-35).
    pub unsent: bool,
    /// `PR_PREPROCESS`.
    pub preprocess: bool,
    /// `PR_SENTMAIL_ENTRYID`.
    pub sentmail: Option<FolderId>,
    /// `PR_DELETE_AFTER_SUBMIT`.
    pub delete_after_submit: bool,
    /// The originator's report requests.
    pub reports: ReportRequests,
    /// The recipients; inline for the usual one or two recipients.
    pub recipients: SmallVec<[StoredRecipient; 2]>,
    /// How the submission ended so far.
    pub outcome: Outcome,
}

/// A message store's spooler-facing state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReferenceStore {
    id: StoreId,
    next_id: u32,
    messages: VecMap<MessageId, StoredMessage>,
    queue: Vec<MessageId>,
    /// Receive folders by message class (RCV-12).
    receive_folders: Vec<(String, FolderId)>,
    /// Inbound messages: created by the spooler, saved by a transport (RCV-4, RCV-5).
    inbound: VecMap<MessageId, InboundMessage>,
    /// The messages its tightly coupled transport served entirely and that it handed to the
    /// spooler with `CompleteMsg` (TC-3, INV-35).
    completed: Vec<MessageId>,
    /// It called `SpoolerNotify(NOTIFY_READYTOSEND)` this session, before its first
    /// `PrepareSubmit` (SUB-6).
    ready_to_send: bool,
    #[cfg(feature = "bug-zoo")]
    bug: Option<crate::zoo::Bug>,
}

impl ReferenceStore {
    /// An empty store. Its message identifiers start at `first_id`, so that several stores of
    /// one world hand out distinct identifiers.
    #[must_use]
    pub fn new(id: StoreId, first_id: u32) -> ReferenceStore {
        ReferenceStore {
            id,
            next_id: first_id,
            messages: VecMap::new(),
            queue: Vec::new(),
            receive_folders: Vec::new(),
            inbound: VecMap::new(),
            completed: Vec::new(),
            ready_to_send: false,
            #[cfg(feature = "bug-zoo")]
            bug: None,
        }
    }

    /// SUB-6: true when the store must call `SpoolerNotify(NOTIFY_READYTOSEND)` before a
    /// `PrepareSubmit`, because it has not done so this session; the store then counts it as
    /// done. The call makes sure the spooler's transports are logged on and registered before
    /// the rewritten recipients are routed.
    pub fn ready_to_send_due(&mut self) -> bool {
        !std::mem::replace(&mut self.ready_to_send, true)
    }

    /// `SetReceiveFolder`: messages of `class` (and of classes it is a prefix of) go to
    /// `folder`; `None` drops the class's entry (RCV-12).
    pub fn set_receive_folder(&mut self, class: &str, folder: Option<FolderId>) {
        self.receive_folders.retain(|(c, _)| !c.eq_ignore_ascii_case(class));
        if let Some(folder) = folder {
            self.receive_folders.push((class.to_owned(), folder));
        }
    }

    /// The receive-folder table: each registered message class and its folder (RCV-12, INV-38).
    #[must_use]
    pub fn receive_folders(&self) -> &[(String, FolderId)] {
        &self.receive_folders
    }

    /// `CreateMessage` in the receive folder, for `StartMessage` (RCV-4): a new message that
    /// exists only once a transport saves it.
    pub fn create_inbound(&mut self) -> MessageId {
        let id = MessageId(self.next_id);
        self.next_id += 1;
        self.inbound.insert(id, InboundMessage { class: None, folder: None, notified: 0, spooler_status: None });
        id
    }

    /// The transport wrote a message of `class` into `id` and called `SaveChanges` (RCV-5): it
    /// lands in the receive folder of its class (RCV-12); an empty class is saved as `IPM.Note`.
    /// Returns false when there is no such new message.
    pub fn save_inbound(&mut self, id: MessageId, class: &str) -> bool {
        let class = if class.is_empty() { "IPM.Note" } else { class };
        let folder = receive_folder(&self.receive_folders, class);
        match self.inbound.get_mut(&id) {
            Some(m) if m.class.is_none() => {
                m.class = Some(class.to_owned());
                m.folder = Some(folder);
                true
            }
            _ => false,
        }
    }

    /// `NotifyNewMail` for a saved inbound message (RCV-10).
    pub fn notify_new_mail(&mut self, id: MessageId) -> Hresult {
        match self.inbound.get_mut(&id) {
            Some(m) if m.class.is_some() && m.folder.is_some() => {
                m.notified = m.notified.saturating_add(1);
                m.spooler_status = Some(Hresult::S_OK);
                Hresult::S_OK
            }
            _ => Hresult::MAPI_E_NOT_FOUND,
        }
    }

    /// The spooler process died: new messages it created and nobody saved are gone.
    pub fn discard_unsaved(&mut self) {
        self.inbound.retain(|_, m| m.class.is_some());
    }

    /// Every inbound message, by identifier.
    pub fn inbound_messages(&self) -> impl Iterator<Item = (MessageId, &InboundMessage)> {
        self.inbound.iter().map(|(id, m)| (*id, m))
    }

    /// The same store with a deliberate bug (the bug zoo); only bugs of the store's part of
    /// sent-mail processing have an effect here.
    #[cfg(feature = "bug-zoo")]
    #[must_use]
    pub fn with_bug(mut self, bug: Option<crate::zoo::Bug>) -> ReferenceStore {
        self.bug = bug;
        self
    }

    /// The store's identifier.
    #[must_use]
    pub fn id(&self) -> StoreId {
        self.id
    }

    /// The client's `IMessage::SubmitMessage` (SUB-1, SUB-5 to SUB-14): the message is saved in
    /// the Outbox, marked submitted and unsent, every recipient's `PR_RESPONSIBILITY` is kept as
    /// the draft has it (FALSE unless already sent, DEF-12), and it joins the outgoing queue,
    /// with `SUBMITFLAG_PREPROCESS` if it needs preprocessing. The returned row is what the
    /// table notification tells the spooler.
    ///
    /// # Errors
    /// `MAPI_E_NO_RECIPIENTS` for an empty recipient table (SUB-1).
    pub fn submit(&mut self, draft: Draft) -> Result<QueueRow, Hresult> {
        if draft.recipients.is_empty() {
            return Err(Hresult::MAPI_E_NO_RECIPIENTS);
        }
        let id = MessageId(self.next_id);
        self.next_id += 1;
        let submit_flags = if draft.preprocess { QueueFlags::SUBMITFLAG_PREPROCESS } else { QueueFlags::EMPTY };
        let message = StoredMessage {
            placement: Placement::Folder(OUTBOX),
            submit_flags,
            submitted: true,
            unsent: true,
            preprocess: draft.preprocess,
            sentmail: draft.sentmail,
            delete_after_submit: draft.delete_after_submit,
            reports: draft.reports,
            recipients: draft.recipients.into_iter().map(|row| StoredRecipient { row, outcome: None, reports: 0, ndr: false }).collect(),
            outcome: Outcome::Queued,
        };
        self.messages.insert(id, message);
        self.queue.push(id);
        Ok(self.row(id))
    }

    /// The queue row of a message, as the spooler reads it.
    fn row(&self, id: MessageId) -> QueueRow {
        let m = &self.messages[&id];
        QueueRow {
            store: self.id,
            message: id,
            flags: m.submit_flags,
            preprocess: m.preprocess,
            reports: m.reports,
            recipients: m.recipients.iter().map(|r| r.row).collect(),
        }
    }

    /// `IMsgStore::GetOutgoingQueue` (SUB-16): the queued messages in ascending submission
    /// order.
    #[must_use]
    pub fn outgoing_queue(&self) -> Vec<QueueRow> {
        self.queue.iter().map(|id| self.row(*id)).collect()
    }

    /// True when the message is in the outgoing queue.
    #[must_use]
    pub fn is_queued(&self, id: MessageId) -> bool {
        self.queue.contains(&id)
    }

    /// The position of a message in the outgoing queue, if it is queued (SUB-4).
    #[must_use]
    pub fn queue_position(&self, id: MessageId) -> Option<usize> {
        self.queue.iter().position(|m| *m == id)
    }

    /// A client's `OpenEntry` on a message (SUB-15): a queued message opens read-only, and
    /// asking to modify it fails with `MAPI_E_SUBMITTED`; while the spooler holds the lock,
    /// every client open fails with `MAPI_E_NO_ACCESS`.
    #[must_use]
    pub fn client_open(&self, id: MessageId, modify: bool) -> Hresult {
        match self.messages.get(&id) {
            None => Hresult::MAPI_E_NOT_FOUND,
            Some(m) if m.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED) => Hresult::MAPI_E_NO_ACCESS,
            Some(m) if modify && m.outcome == Outcome::Queued => Hresult::MAPI_E_SUBMITTED,
            Some(_) => Hresult::S_OK,
        }
    }

    /// `IMsgStore::AbortSubmit` (DEF-6): removes an unlocked queued message and makes it an
    /// unsent draft again (AMB-35).
    pub fn abort_submit(&mut self, id: MessageId) -> Hresult {
        let Some(m) = self.messages.get_mut(&id).filter(|m| m.outcome == Outcome::Queued) else {
            return Hresult::MAPI_E_NOT_IN_QUEUE;
        };
        if m.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED) {
            return Hresult::MAPI_E_UNABLE_TO_ABORT;
        }
        m.submitted = false;
        m.unsent = true;
        m.outcome = Outcome::Aborted;
        self.queue.retain(|q| *q != id);
        Hresult::S_OK
    }

    /// `IMsgStore::SetLockState` (SUB-20, AMB-5): saves the message and sets or clears
    /// `SUBMITFLAG_LOCKED`. A message that is no longer queued (an abort won the race) cannot
    /// be locked.
    pub fn set_lock_state(&mut self, id: MessageId, state: LockState) -> Hresult {
        match self.messages.get_mut(&id).filter(|m| m.outcome == Outcome::Queued) {
            None => Hresult::MAPI_E_NOT_IN_QUEUE,
            Some(m) => {
                m.submit_flags = match state {
                    LockState::Locked => m.submit_flags | QueueFlags::SUBMITFLAG_LOCKED,
                    LockState::Unlocked => m.submit_flags.without(QueueFlags::SUBMITFLAG_LOCKED),
                };
                Hresult::S_OK
            }
        }
    }

    /// The spooler's `IMessage::SubmitMessage` after preprocessing (SUB-12 step 5): the store
    /// clears `SUBMITFLAG_PREPROCESS`.
    pub fn submit_preprocessed(&mut self, id: MessageId) -> Hresult {
        match self.messages.get_mut(&id) {
            Some(m) => {
                m.submit_flags = m.submit_flags.without(QueueFlags::SUBMITFLAG_PREPROCESS);
                Hresult::S_OK
            }
            None => Hresult::MAPI_E_NOT_FOUND,
        }
    }

    /// `IMsgStore::FinishedMsg` (HOOK-7, AMB-6 to AMB-8): unlock, let the sent-mail hook run,
    /// then move to `PR_SENTMAIL_ENTRYID` unless the hook superseded it, and delete if
    /// `PR_DELETE_AFTER_SUBMIT` is TRUE. The message leaves the outgoing queue and is no longer
    /// unsent.
    pub fn finished_msg(&mut self, id: MessageId, hook: SentMailHook) -> Hresult {
        let Some(m) = self.messages.get_mut(&id).filter(|m| m.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED)) else {
            // HOOK-7: the spooler only ever passes a locked message.
            return Hresult::MAPI_E_NO_SUPPORT;
        };
        m.submit_flags = m.submit_flags.without(QueueFlags::SUBMITFLAG_LOCKED);
        m.unsent = false;
        #[cfg(feature = "bug-zoo")]
        let delete_after_submit = m.delete_after_submit && self.bug != Some(crate::zoo::Bug::IgnoreDeleteAfterSubmit);
        #[cfg(not(feature = "bug-zoo"))]
        let delete_after_submit = m.delete_after_submit;
        let placement = match (hook, m.sentmail, delete_after_submit) {
            (SentMailHook::Delete, _, _) | (_, _, true) => Placement::Deleted,
            (SentMailHook::None, Some(folder), false) => Placement::Folder(folder),
            (SentMailHook::Cancel | SentMailHook::None, _, false) => m.placement,
        };
        m.placement = placement;
        m.outcome = Outcome::Finished(placement);
        self.queue.retain(|q| *q != id);
        Hresult::S_OK
    }

    /// A transport saved the message before returning an error from `SubmitMessage`: the
    /// recipients it took keep `PR_RESPONSIBILITY` TRUE (SUB-33).
    pub fn save_by_transport(&mut self, id: MessageId, taken: &RecipientSet, transport: crate::ids::TransportId) {
        if let Some(m) = self.messages.get_mut(&id) {
            for r in taken.iter() {
                if let Some(rec) = m.recipients.get_mut(r.index()) {
                    rec.row.responsibility = true;
                    rec.outcome = Some(RecipientOutcome::Transport(transport));
                }
            }
        }
    }

    /// Applies what the spooler and MAPI did to this store's messages: saved dispositions and
    /// raised reports. Effects for other stores, and calls, are ignored.
    pub fn apply(&mut self, effect: &Effect) {
        match effect {
            Effect::SaveRecipients { store, message, recipients, outcome } if *store == self.id => {
                if let Some(m) = self.messages.get_mut(message) {
                    for r in recipients.iter() {
                        if let Some(rec) = m.recipients.get_mut(r.index()) {
                            rec.row.responsibility = true;
                            rec.outcome = Some(*outcome);
                        }
                    }
                }
            }
            // Releasing a new message that was never saved discards it (RCV-6, RCV-7).
            Effect::Release(crate::effect::Released::Unsaved { store, message })
                if *store == self.id && self.inbound.get(message).is_some_and(|m| m.class.is_none()) =>
            {
                self.inbound.remove(message);
            }
            Effect::Report { store, message, recipients, kind } if *store == self.id => {
                if let Some(m) = self.messages.get_mut(message) {
                    for r in recipients.iter() {
                        if let Some(rec) = m.recipients.get_mut(r.index()) {
                            rec.reports = rec.reports.saturating_add(1);
                            rec.ndr |= *kind == crate::input::ReportKind::NonDelivery;
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// The same store under other names for messages and recipient rows (symmetry reduction;
    /// see [`crate::Renaming`]).
    #[must_use]
    pub fn renamed(&self, renaming: &crate::Renaming) -> ReferenceStore {
        if renaming.is_identity() {
            return self.clone();
        }
        ReferenceStore {
            id: self.id,
            next_id: self.next_id,
            messages: self
                .messages
                .iter()
                .map(|(id, m)| {
                    let mut m = m.clone();
                    renaming.reorder_in_place(*id, &mut m.recipients);
                    (renaming.message(*id), m)
                })
                .collect(),
            queue: self.queue.iter().map(|id| renaming.message(*id)).collect(),
            receive_folders: self.receive_folders.clone(),
            inbound: self.inbound.clone(),
            completed: self.completed.iter().map(|id| renaming.message(*id)).collect(),
            ready_to_send: self.ready_to_send,
            #[cfg(feature = "bug-zoo")]
            bug: self.bug,
        }
    }

    /// A message, if the store has it.
    #[must_use]
    pub fn message(&self, id: MessageId) -> Option<&StoredMessage> {
        self.messages.get(&id)
    }

    /// Every message, by identifier.
    pub fn messages(&self) -> impl Iterator<Item = (MessageId, &StoredMessage)> {
        self.messages.iter().map(|(id, m)| (*id, m))
    }

    /// The draft of a resend of `original` after its NDRs, as the client builds it and as
    /// `PrepareSubmit` rewrites it inside `IMessage::SubmitMessage` (DEF-12, SUB-7, AMB-3,
    /// AMB-4): the original's recipients read TRUE, the copies of those an NDR named FALSE,
    /// whoever asked for the NDR (the spooler, a preprocessor or a transport, DEF-10). The
    /// original's sent-mail properties and report requests are copied. Before its first
    /// `PrepareSubmit` of the session, the store calls `SpoolerNotify(NOTIFY_READYTOSEND)`:
    /// see [`ReferenceStore::ready_to_send_due`] (SUB-6).
    ///
    /// # Errors
    /// `MAPI_E_NOT_FOUND` for a message the store does not have; `MAPI_E_INVALID_PARAMETER`
    /// when no recipient of it got an NDR, so there is nothing to resend.
    pub fn resend_draft(&self, original: MessageId) -> Result<Draft, Hresult> {
        let m = self.messages.get(&original).ok_or(Hresult::MAPI_E_NOT_FOUND)?;
        let rows: Vec<RecipientRow> = m.recipients.iter().map(|r| r.row).collect();
        let failed: RecipientSet =
            m.recipients.iter().enumerate().filter(|(_, r)| r.ndr).map(|(i, _)| crate::ids::RecipientIdx(i as u16)).collect();
        let recipients = crate::resend::resend_recipients(&rows, &failed);
        if failed.is_empty() {
            return Err(Hresult::MAPI_E_INVALID_PARAMETER);
        }
        Ok(Draft {
            recipients: crate::resend::prepare_submit(&recipients)?,
            preprocess: false,
            sentmail: m.sentmail,
            delete_after_submit: m.delete_after_submit,
            reports: m.reports,
        })
    }
}
