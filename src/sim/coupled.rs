//! The simulator's tightly coupled pair (TC-1 to TC-8), inbound hooks (HOOK-13) and store
//! logoff (LIFE-20).

use crate::effect::Effect;
use crate::flags::{LogoffFlags, SpoolerNotifyFlags};
use crate::hresult::Hresult;
use crate::ids::{HookId, MessageId, StoreId, TransportId};
use crate::input::{Caller, HookOutcome, Input, QueueEvent, Return, SupportCall};
use crate::store::{Draft, TcSubmission};

use super::Sim;

/// A store and the transport coupled with it (TC-1).
#[derive(Clone, Copy, Debug)]
pub(super) struct Coupling {
    store: StoreId,
    transport: TransportId,
    /// The store hands fully served messages to the spooler with `CompleteMsg` (TC-3 (a))
    /// rather than finishing them alone (TC-3 (b)).
    hand_over: bool,
}

impl Sim {
    /// The same world with `transport` tightly coupled to `store`: once its status row exists
    /// it publishes the store in `PR_OWN_STORE_ENTRYID` (TC-1). `hand_over` chooses between
    /// `CompleteMsg` and finishing alone for fully served messages (TC-3).
    #[must_use]
    pub fn with_coupling(mut self, store: StoreId, transport: TransportId, hand_over: bool) -> Sim {
        self.coupling = Some(Coupling { store, transport, hand_over });
        self
    }

    /// What each inbound hook answers, in turn (`answers[h]` for hook `h`); a hook with no
    /// answer left keeps the message (HOOK-13).
    #[must_use]
    pub fn with_hook_answers(mut self, answers: Vec<Vec<HookOutcome>>) -> Sim {
        for (queue, list) in self.hook_answers.iter_mut().zip(answers) {
            queue.extend(list);
        }
        self
    }

    /// TC-1: the coupled transport's row publishes its store.
    pub(super) fn publish_own_store(&mut self, transport: TransportId) {
        if let Some(c) = self.coupling.filter(|c| c.transport == transport) {
            self.feed(Input::Support(SupportCall::PublishOwnStore { transport, store: c.store }));
        }
    }

    /// A client submits a message to the coupled store (SUB-13, TC-3, TC-4): the pair serves
    /// what its transport's script serves, then the store calls `CompleteMsg`, finishes alone,
    /// or queues the message. The spooler is not run.
    ///
    /// # Errors
    /// What the store's `IMessage::SubmitMessage` returned; `MAPI_E_NO_SUPPORT` when the world
    /// has no coupled pair.
    pub fn submit_coupled(&mut self, draft: Draft) -> Result<TcSubmission, Hresult> {
        let Some(c) = self.coupling else { return Err(Hresult::MAPI_E_NO_SUPPORT) };
        let script = &self.scripts[c.transport.index()];
        let result = self.stores[c.store.index()].submit_coupled(draft, c.transport, |r| script.serves(r), c.hand_over);
        let store = c.store;
        match &result {
            Ok(TcSubmission::Completed(row)) => {
                self.trace.push(format!("client -> {store}.SubmitMessage({}) => the pair served every recipient", row.message));
                self.submitted.push((store, row.message));
                self.feed(Input::Support(SupportCall::CompleteMsg(row.clone())));
            }
            Ok(TcSubmission::FinishedAlone(id)) => {
                self.trace
                    .push(format!("client -> {store}.SubmitMessage({id}) => the pair served every recipient and the store finished alone"));
                self.submitted.push((store, *id));
            }
            Ok(TcSubmission::Queued(row)) => {
                self.trace.push(format!("client -> {store}.SubmitMessage({}) => queued for the spooler", row.message));
                self.submitted.push((store, row.message));
                if self.spooler.is_watching(store) {
                    self.feed(Input::Queue(QueueEvent::RowAdded(row.clone())));
                }
            }
            Err(h) => self.trace.push(format!("client -> {store}.SubmitMessage => {h}")),
        }
        result
    }

    /// The coupled pair receives a message of `class` and places it itself, then the store
    /// announces it with `SpoolerNotify(NOTIFY_NEWMAIL_RECEIVED)` (RCV-16, TC-8). Runs until the
    /// world settles. Returns the new message, or `None` without a coupled pair.
    pub fn deliver_coupled(&mut self, class: &str) -> Option<MessageId> {
        let c = self.coupling?;
        let id = self.stores[c.store.index()].place_inbound(class);
        self.trace.push(format!("{}: the coupled pair placed {id} of class {class}", c.store));
        let flags = SpoolerNotifyFlags::NOTIFY_NEWMAIL_RECEIVED;
        self.feed(Input::Support(SupportCall::SpoolerNotify { caller: Caller::Store(c.store), flags, message: Some(id) }));
        self.run();
        Some(id)
    }

    /// The store calls `StoreLogoffTransports` (LIFE-20): the spooler's answer, or `None` when it
    /// refused the call. The spooler is not run.
    pub fn store_logoff(&mut self, store: StoreId, flags: LogoffFlags) -> Option<LogoffFlags> {
        if !self.feed(Input::Support(SupportCall::StoreLogoffTransports { store, flags })) {
            return None;
        }
        self.effects.iter().rev().find_map(|e| match e {
            Effect::LogoffAnswer { store: s, flags } if *s == store => Some(*flags),
            _ => None,
        })
    }

    /// Answers `InboundMsgHook` with the hook's next answer, applied to the store (HOOK-13).
    pub(super) fn answer_hook(&mut self, hook: HookId, store: StoreId, message: MessageId) -> Return {
        let outcome = self.hook_answers.get_mut(hook.index()).and_then(std::collections::VecDeque::pop_front).unwrap_or(HookOutcome::KEEP);
        self.stores[store.index()].hook_inbound(message, outcome);
        Return::InboundMsgHook { hook, message, result: Ok(outcome) }
    }
}
