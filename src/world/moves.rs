//! What the client, the transports and the stores do of their own accord, as moves of the world:
//! each feeds the spooler what the party does.

use crate::flags::{LogoffFlags, SpoolerNotifyFlags, StatusCode, StatusRowFlags};
use crate::hresult::Hresult;
use crate::ids::{MessageId, StoreId, TransportId};
use crate::input::{Caller, Input, QueueEvent, SessionRequest, SupportCall};
use crate::recipients::RecipientRow;
use crate::spooler::Spooler;
use crate::store::{Draft, TcSubmission};

use super::{Note, Policy, Transport, World};

impl World {
    /// The session starts (LIFE-1).
    pub fn start(&mut self, p: &mut impl Policy) -> bool {
        self.feed(Input::Session(SessionRequest::Start), p)
    }

    /// Time passes until the next retry delay of the spooler ends (ERR-4, ERR-5). Returns false
    /// when no delay is pending.
    pub fn pass_time(&mut self, p: &mut impl Policy) -> bool {
        let Some(deadline) = self.spooler.next_deadline() else { return false };
        let seconds = u32::try_from(deadline.0.saturating_sub(self.spooler.now().0)).unwrap_or(u32::MAX);
        self.feed(Input::TimePassed { seconds }, p)
    }

    /// The client submits a draft (SUB-1); the store tells the spooler if it watches the queue.
    ///
    /// # Errors
    /// What the store's `IMessage::SubmitMessage` returned.
    pub fn submit(&mut self, store: StoreId, draft: Draft, p: &mut impl Policy) -> Result<MessageId, crate::Hresult> {
        let recipients = draft.recipients.clone();
        let result = self.store_mut(store).submit(draft);
        p.noted(&Note::Submitted { store, recipients: &recipients, result: result.as_ref().map_err(|h| *h) });
        let row = result?;
        let id = row.message;
        if self.listens(store) {
            self.feed(Input::Queue(QueueEvent::RowAdded(row)), p);
        }
        Ok(id)
    }

    /// The client submits a draft to the store tightly coupled with `transport`, which serves the
    /// recipients `serves` picks itself; the store then hands a fully served message over with
    /// `CompleteMsg` (`hand_over`) or finishes it alone, and queues any other (TC-3, TC-4).
    ///
    /// # Errors
    /// What the store's `IMessage::SubmitMessage` returned.
    pub fn submit_coupled(
        &mut self,
        store: StoreId,
        transport: TransportId,
        draft: Draft,
        serves: impl Fn(&RecipientRow) -> bool,
        hand_over: bool,
        p: &mut impl Policy,
    ) -> Result<TcSubmission, Hresult> {
        let result = self.store_mut(store).submit_coupled(draft, transport, serves, hand_over);
        p.noted(&Note::SubmittedCoupled { store, result: &result });
        match &result {
            Ok(TcSubmission::Completed(row)) => {
                self.feed(Input::Support(SupportCall::CompleteMsg(row.clone())), p);
            }
            Ok(TcSubmission::Queued(row)) if self.listens(store) => {
                self.feed(Input::Queue(QueueEvent::RowAdded(row.clone())), p);
            }
            Ok(TcSubmission::Queued(_) | TcSubmission::FinishedAlone(_)) | Err(_) => {}
        }
        result
    }

    /// The client aborts a submitted message (DEF-6); the store tells the spooler if it watches
    /// the queue. Returns the store's answer.
    pub fn abort(&mut self, store: StoreId, message: MessageId, p: &mut impl Policy) -> Hresult {
        let result = self.store_mut(store).abort_submit(message);
        p.noted(&Note::Aborted { store, message, result });
        if result == Hresult::S_OK && self.listens(store) {
            self.feed(Input::Queue(QueueEvent::RowRemoved { store, message }), p);
        }
        result
    }

    /// The store's table notifications reach the spooler: it opened the outgoing queue and its
    /// session has not ended (SUB-16, LIFE-16).
    fn listens(&self, store: StoreId) -> bool {
        self.spooler.is_watching(store) && self.spooler.phase() != crate::spooler::Phase::Stopped
    }

    /// The spooler process crashes, and the transports it loaded with it: the stores keep what
    /// was saved and lose new messages nobody saved; `fresh` is the spooler of the restart, not
    /// started yet.
    pub fn crash(&mut self, fresh: Spooler, p: &mut impl Policy) {
        p.noted(&Note::Crashed);
        self.spooler = fresh;
        self.monitor.restart();
        for store in self.stores.as_mut_slice() {
            store.discard_unsaved();
        }
        self.transports.iter_mut().for_each(|t| *t = Transport::Down);
        self.in_hand = None;
        self.held = Box::default();
    }

    /// A transport announces inbound mail with `SpoolerNotify(NOTIFY_NEWMAIL)` (RCV-1).
    pub fn announce_mail(&mut self, t: TransportId, p: &mut impl Policy) -> bool {
        self.notify(Caller::Transport(t), SpoolerNotifyFlags::NOTIFY_NEWMAIL, None, p)
    }

    /// A transport announces a deferred message it holds with `NOTIFY_SENTDEFERRED`, and holds
    /// it no more (DEF-2).
    pub fn sent_deferred(&mut self, t: TransportId, m: MessageId, p: &mut impl Policy) -> bool {
        self.release_held(|h| h == (t, m));
        self.notify(Caller::Transport(t), SpoolerNotifyFlags::NOTIFY_SENTDEFERRED, Some(m), p)
    }

    /// A transport enters (`NOTIFY_CRITSEC`) or leaves (`NOTIFY_NONCRIT`) a critical section
    /// (STAT-13).
    pub fn critical_section(&mut self, t: TransportId, enter: bool, p: &mut impl Policy) -> bool {
        let flags = if enter { SpoolerNotifyFlags::NOTIFY_CRITSEC } else { SpoolerNotifyFlags::NOTIFY_NONCRIT };
        self.notify(Caller::Transport(t), flags, None, p)
    }

    /// A transport raises a critical error (ERR-7, LIFE-17).
    pub fn critical_error(&mut self, t: TransportId, p: &mut impl Policy) -> bool {
        self.notify(Caller::Transport(t), SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR, None, p)
    }

    /// The coupled pair of `store` places an inbound message of `class` itself, and the store
    /// announces it with `NOTIFY_NEWMAIL_RECEIVED` (RCV-16, TC-8). Returns the message.
    pub fn place_inbound(&mut self, store: StoreId, class: &str, p: &mut impl Policy) -> MessageId {
        let message = self.store_mut(store).place_inbound(class);
        p.noted(&Note::Placed { store, message, class });
        self.notify(Caller::Store(store), SpoolerNotifyFlags::NOTIFY_NEWMAIL_RECEIVED, Some(message), p);
        message
    }

    /// A store calls `StoreLogoffTransports` with this flag (LIFE-20).
    pub fn store_logoff(&mut self, store: StoreId, flags: LogoffFlags, p: &mut impl Policy) -> bool {
        self.feed(Input::Support(SupportCall::StoreLogoffTransports { store, flags }), p)
    }

    /// A transport drops the deferred messages it holds without announcing them.
    pub fn forget_held(&mut self, t: TransportId) {
        self.release_held(|(h, _)| h == t);
    }

    /// The transports stop holding the deferred messages `released` picks.
    pub(super) fn release_held(&mut self, released: impl Fn((TransportId, MessageId)) -> bool) {
        if self.held.iter().any(|h| released(*h)) {
            self.held = self.held.iter().copied().filter(|h| !released(*h)).collect();
        }
    }

    /// A transport goes out of service for the rest of the session: the spooler disabled its
    /// message service (LIFE-6). It drops what it holds.
    pub fn take_out_of_service(&mut self, t: TransportId) {
        self.transports[t.index()] = Transport::OutOfService;
        self.forget_held(t);
    }

    fn notify(&mut self, caller: Caller, flags: SpoolerNotifyFlags, message: Option<MessageId>, p: &mut impl Policy) -> bool {
        self.feed(Input::Support(SupportCall::SpoolerNotify { caller, flags, message }), p)
    }

    /// A transport creates its status row; a transport coupled with a store publishes it in the
    /// row (LIFE-9, TC-1).
    pub(super) fn create_row(&mut self, transport: TransportId, p: &mut impl Policy) -> bool {
        let row = SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::EMPTY, status: StatusCode::STATUS_AVAILABLE };
        let created = self.feed(Input::Support(row), p);
        if let (true, Some(store)) = (created, p.coupled_store(transport)) {
            self.feed(Input::Support(SupportCall::PublishOwnStore { transport, store }), p);
        }
        created
    }
}
