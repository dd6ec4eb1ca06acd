//! How the world answers the call in flight: the party called does what it is asked, makes its
//! support calls, and returns what its policy chose.

use crate::effect::Call;
use crate::flags::{StatusCode, StatusRowFlags};
use crate::hresult::Hresult;
use crate::ids::{MessageId, StoreId, TransportId};
use crate::input::{Delivery, Input, Return, SubmitOutcome, SupportCall};
use crate::recipients::RecipientSet;
use crate::spooler::RECEIVE_STORE;
use crate::store::{Outcome, ReferenceStore, StoredMessage};

use super::{Note, Policy, Start, World};

impl World {
    /// Answers the call in flight as the party called does, with the choices of the policy: the
    /// support calls it makes before it returns, then the return. Returns true when the spooler
    /// accepted the return; false when no call was in flight, the spooler refused the return,
    /// or the policy halted.
    pub fn answer(&mut self, p: &mut impl Policy) -> bool {
        let Some(call) = self.spooler.call_in_flight().cloned() else { return false };
        if p.halted() {
            return false;
        }
        let ret = match call {
            Call::XpProviderInit { transport, .. } => Return::XpProviderInit { transport, result: p.version(self, transport) },
            Call::ServiceConfigure { service } => Return::ServiceConfigure { service, result: p.configure(self, service) },
            Call::TransportLogon { transport, .. } => {
                let answer = p.logon(self, transport);
                if answer.result.is_ok() {
                    for filter in answer.preprocessors {
                        self.feed(Input::Support(SupportCall::RegisterPreprocessor { transport, filter }), p);
                    }
                    if answer.row_now {
                        self.create_row(transport, p);
                    }
                }
                Return::TransportLogon { transport, result: answer.result }
            }
            Call::AddressTypes { transport } => {
                let ret = Return::AddressTypes { transport, result: p.registrations(self, transport) };
                let accepted = self.feed(Input::Return(ret), p);
                if accepted && p.status_row(self, transport).is_none() {
                    // LIFE-9: a transport that did not create its row inside TransportLogon
                    // creates it now, as the operational model's step 4 has it.
                    self.create_row(transport, p);
                }
                return accepted;
            }
            Call::TransportNotify { transport, flags, .. } => {
                // LIFE-10, LIFE-12, STAT-21: the row reflects the directions and flushes before the
                // call returns.
                self.update_row(transport, |row| row.after_notify(flags), p);
                let (flags, result) = p.notify(self, transport, flags);
                Return::TransportNotify { transport, flags, result }
            }
            Call::SubmitMessage { transport, message, flags, offered } => {
                let submission = p.submit(self, transport, message, flags, &offered);
                if submission.yields {
                    self.feed(Input::Support(SupportCall::SpoolerYield { transport }), p);
                }
                if submission.critical {
                    self.critical_error(transport, p);
                }
                if !submission.reports.is_empty() {
                    self.feed(Input::Support(SupportCall::StatusRecips { transport, message, reports: submission.reports }), p);
                }
                if let SubmitOutcome::Failed { saved, .. } = &submission.outcome {
                    // SUB-33: what the transport saved itself before failing stays saved.
                    self.save_by_transport(message, saved, transport);
                }
                Return::SubmitMessage { transport, message, outcome: submission.outcome }
            }
            Call::EndMessage { transport, msg_ref } => Return::EndMessage { transport, msg_ref, result: p.end(self, transport, msg_ref) },
            Call::Poll { transport } => {
                let incoming = p.poll(self, transport);
                Return::Poll { transport, incoming, result: p.result(self, &call) }
            }
            Call::StartMessage { transport, message } => {
                let result = match p.start(self, transport, message) {
                    Start::Saves(class) => {
                        p.noted(&Note::Saved { transport, message, class: &class });
                        let saved =
                            self.stores.as_mut_slice().get_mut(RECEIVE_STORE.index()).is_some_and(|s| s.save_inbound(message, &class));
                        Ok(if saved { Delivery::Saved } else { Delivery::Empty })
                    }
                    Start::Empty => Ok(Delivery::Empty),
                    Start::Fails(error) => Err(error),
                };
                Return::StartMessage { transport, message, result }
            }
            Call::InboundMsgHook { hook, store, message } => {
                let result = p.hook(self, hook, store, message);
                if let (Ok(outcome), Some(s)) = (result, self.stores.as_mut_slice().get_mut(store.index())) {
                    s.hook_inbound(message, outcome);
                }
                Return::InboundMsgHook { hook, message, result }
            }
            Call::ValidateState { transport, .. } => {
                let chosen = p.validate(self, transport);
                // STAT-13: inside a critical section the answer is MAPI_E_BUSY.
                let result = if self.transport(transport).in_critical_section() { Hresult::MAPI_E_BUSY } else { chosen };
                Return::ValidateState { transport, result }
            }
            Call::FlushQueues { transport, flags } => {
                // STAT-19: the transport sets the flush bits of the directions asked for.
                self.update_row(transport, |row| row.after_flush_queues(flags), p);
                Return::FlushQueues { transport, result: p.result(self, &call) }
            }
            Call::PreprocessMessage { preprocessor, message } => {
                Return::PreprocessMessage { preprocessor, message, result: p.preprocess(self, preprocessor, message) }
            }
            Call::Idle { transport } => Return::Idle { transport, result: p.result(self, &call) },
            Call::TransportLogoff { transport } => Return::TransportLogoff { transport, result: p.result(self, &call) },
            Call::Shutdown { transport } => Return::Shutdown { transport, result: p.result(self, &call) },
            Call::OpenStatusEntry { transport } => Return::OpenStatusEntry { transport, result: p.result(self, &call) },
            Call::SpoolerLogon { store } => Return::SpoolerLogon { store, result: p.result(self, &call) },
            Call::RemovePreprocessInfo { preprocessor, message } => {
                Return::RemovePreprocessInfo { preprocessor, message, result: p.result(self, &call) }
            }
            Call::GetOutgoingQueue { store } => {
                Return::GetOutgoingQueue { store, result: self.store_does(store, &call, p, |s| s.outgoing_queue()) }
            }
            Call::SetLockState { store, message, state } => {
                let result = self.store_does(store, &call, p, |s| s.set_lock_state(message, state)).unwrap_or_else(|h| h);
                Return::SetLockState { store, message, state, result }
            }
            Call::SubmitPreprocessed { store, message } => {
                let result = self.store_does(store, &call, p, |s| s.submit_preprocessed(message)).unwrap_or_else(|h| h);
                Return::SubmitPreprocessed { store, message, result }
            }
            Call::AbortSubmit { store, message } => {
                let result = self.store_does(store, &call, p, |s| s.abort_submit(message)).unwrap_or_else(|h| h);
                Return::AbortSubmit { store, message, result }
            }
            Call::CreateMessage { store } => {
                Return::CreateMessage { store, result: self.store_does(store, &call, p, |s| s.create_inbound()) }
            }
            Call::NotifyNewMail { store, message } => {
                let result = self.store_does(store, &call, p, |s| s.notify_new_mail(message)).unwrap_or_else(|h| h);
                Return::NotifyNewMail { store, message, result }
            }
            Call::FinishedMsg { store, message } => {
                let hook = p.sent_mail_hook(self, store, message);
                let result = self.store_does(store, &call, p, |s| s.finished_msg(message, hook));
                if let (Ok(_), Some(StoredMessage { outcome: Outcome::Finished(placement), .. })) =
                    (result, self.store(store).message(message))
                {
                    p.noted(&Note::Finished { store, message, placement: *placement });
                }
                Return::FinishedMsg { store, message, result: result.unwrap_or_else(|h| h) }
            }
        };
        self.feed(Input::Return(ret), p)
    }

    /// A store does what the spooler asks of it with `act`, unless the policy makes it fail with
    /// an error instead.
    fn store_does<R>(
        &mut self,
        store: StoreId,
        call: &Call,
        p: &mut impl Policy,
        act: impl FnOnce(&mut ReferenceStore) -> R,
    ) -> Result<R, Hresult> {
        match p.store_fails(self, call) {
            Some(error) => Err(error),
            None => Ok(act(self.store_mut(store))),
        }
    }

    /// The transport writes its status row with `STATUSROW_UPDATE` when `change` alters it.
    fn update_row(&mut self, transport: TransportId, change: impl Fn(StatusCode) -> StatusCode, p: &mut impl Policy) {
        if let Some(row) = p.status_row(self, transport) {
            let status = change(row);
            if status != row {
                self.feed(Input::Support(SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::STATUSROW_UPDATE, status }), p);
            }
        }
    }

    /// A transport saved the message before failing `SubmitMessage` (SUB-33).
    fn save_by_transport(&mut self, message: MessageId, saved: &RecipientSet, transport: TransportId) {
        if let Some(store) = self.store_of(message) {
            self.store_mut(store).save_by_transport(message, saved, transport);
        }
    }

    /// The store that holds a message.
    fn store_of(&self, message: MessageId) -> Option<StoreId> {
        self.stores().iter().find(|s| s.message(message).is_some()).map(ReferenceStore::id)
    }
}
