//! How the world answers the call in flight: the support calls a transport or store makes
//! before it returns, then the return.

use super::*;

impl World {
    /// Gives one answer to the call in flight: the support calls that come before the return,
    /// then the return.
    pub(super) fn answer(&mut self, config: &Config, call: &Call, answer: &Answer, rec: &mut Recorder<'_>) {
        match call.clone() {
            Call::XpProviderInit { transport, .. } => {
                let result = if *answer == Answer::VersionMismatch {
                    self.out_of_service.insert(transport);
                    Err(Hresult::MAPI_E_VERSION)
                } else {
                    Ok(SpiVersion::CURRENT)
                };
                self.ret(Return::XpProviderInit { transport, result }, rec);
            }
            Call::ServiceConfigure { service } => self.ret(Return::ServiceConfigure { service, result: Hresult::S_OK }, rec),
            Call::TransportLogon { transport, .. } => {
                if *answer == Answer::LogonFails {
                    self.out_of_service.insert(transport);
                    self.ret(Return::TransportLogon { transport, result: Err(Hresult::MAPI_E_FAILONEPROVIDER) }, rec);
                    return;
                }
                if config.preprocess && transport == TransportId(0) {
                    let filter = PreprocessorFilter { uid: None, addr_type: Some(AddrType(0)) };
                    self.support(SupportCall::RegisterPreprocessor { transport, filter }, rec);
                }
                self.support(
                    SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::EMPTY, status: StatusCode::STATUS_AVAILABLE },
                    rec,
                );
                if config.coupled && transport == TransportId(0) {
                    // TC-1: the row publishes the store as the transport's own.
                    self.support(SupportCall::PublishOwnStore { transport, store: STORE }, rec);
                }
                let mut caps = if config.idles > 0 { LogonCaps::LOGON_SP_IDLE } else { LogonCaps::EMPTY };
                if config.poll && config.inbound > 0 && transport == TransportId(0) {
                    caps = caps | LogonCaps::LOGON_SP_POLL;
                }
                self.ret(Return::TransportLogon { transport, result: Ok(caps) }, rec);
            }
            Call::AddressTypes { transport } => {
                let registrations = Registrations::address_types(config.types_of(transport.get()).into_iter().map(AddrType));
                self.ret(Return::AddressTypes { transport, result: Ok(registrations) }, rec);
            }
            Call::TransportNotify { transport, flags, message } => {
                if let Some(status) = self.row_after(transport, flags) {
                    self.support(SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::STATUSROW_UPDATE, status }, rec);
                }
                if let (true, Some(m)) = (flags.contains(NotifyFlags::NOTIFY_ABORT_DEFERRED), message) {
                    self.held.retain(|h| h != &(transport, m));
                }
                self.ret(Return::TransportNotify { transport, flags, result: Hresult::S_OK }, rec);
                if transport == TransportId(0) {
                    if flags.contains(NotifyFlags::NOTIFY_BEGIN_INBOUND) {
                        self.inbound_on = true;
                    } else if flags.contains(NotifyFlags::NOTIFY_END_INBOUND) {
                        self.inbound_on = false;
                        self.announced = false;
                    }
                }
            }
            Call::Idle { transport } => self.ret(Return::Idle { transport, result: Hresult::S_OK }, rec),
            Call::SubmitMessage { transport, message, offered, .. } => self.answer_submit(transport, message, &offered, answer, rec),
            Call::EndMessage { transport, msg_ref } => {
                let flags = match answer {
                    Answer::End(flags) => *flags,
                    _ => EndFlags::EMPTY,
                };
                self.ret(Return::EndMessage { transport, msg_ref, result: Ok(flags) }, rec);
                // The transport holds the message only if it kept recipients deferred (those it
                // reported are final, DEC-10).
                if let Some((_, m)) = self.in_hand.take().filter(|(t, _)| *t == transport) {
                    let deferred = self
                        .spooler
                        .message_view(m)
                        .is_some_and(|v| v.recipients.contains(&mapi_spooler::RecipientView::Deferred(transport)));
                    if flags == EndFlags::END_DONT_RESEND && deferred {
                        self.held.push((transport, m));
                    }
                }
            }
            Call::Poll { transport } => {
                let incoming = if transport == TransportId(0) { u32::from(self.mail) } else { 0 };
                // A non-zero count signals the mail as NOTIFY_NEWMAIL would (RCV-3).
                self.announced |= incoming > 0;
                self.ret(Return::Poll { transport, incoming, result: Hresult::S_OK }, rec);
            }
            Call::CreateMessage { store } => {
                let message = self.store.create_inbound();
                self.ret(Return::CreateMessage { store, result: Ok(message) }, rec);
            }
            Call::StartMessage { transport, message } => {
                let result = if *answer == Answer::UserCancel {
                    // RCV-13: the item stays at the transport, which announces it again.
                    self.announced = false;
                    Err(Hresult::MAPI_E_USER_CANCEL)
                } else if *answer == Answer::StartFails {
                    self.announced = false;
                    Err(Hresult::MAPI_E_CALL_FAILED)
                } else if transport == TransportId(0) && self.mail > 0 {
                    self.mail -= 1;
                    self.store.save_inbound(message, "IPM.Note");
                    Ok(mapi_spooler::Delivery::Saved)
                } else {
                    self.announced = false;
                    Ok(mapi_spooler::Delivery::Empty)
                };
                self.ret(Return::StartMessage { transport, message, result }, rec);
            }
            Call::NotifyNewMail { store, message } => {
                let result = self.store.notify_new_mail(message);
                self.ret(Return::NotifyNewMail { store, message, result }, rec);
            }
            Call::InboundMsgHook { hook, message, .. } => {
                let outcome = match answer {
                    Answer::HookDelete => HookOutcome::DELETE,
                    Answer::HookCancel => HookOutcome { flags: HookFlags::HOOK_CANCEL, moved_to: None },
                    _ => HookOutcome::KEEP,
                };
                self.store.hook_inbound(message, outcome);
                self.ret(Return::InboundMsgHook { hook, message, result: Ok(outcome) }, rec);
            }
            Call::TransportLogoff { transport } => {
                if transport == TransportId(0) {
                    self.inbound_on = false;
                    self.announced = false;
                }
                self.held.retain(|(t, _)| *t != transport);
                self.critsec.remove(transport);
                self.ret(Return::TransportLogoff { transport, result: Hresult::S_OK }, rec);
            }
            Call::Shutdown { transport } => self.ret(Return::Shutdown { transport, result: Hresult::S_OK }, rec),
            Call::SpoolerLogon { store } => self.ret(Return::SpoolerLogon { store, result: Hresult::S_OK }, rec),
            Call::GetOutgoingQueue { store } => {
                let rows = self.store.outgoing_queue();
                self.ret(Return::GetOutgoingQueue { store, result: Ok(rows) }, rec);
            }
            Call::SetLockState { store, message, state } => {
                let result = self.store.set_lock_state(message, state);
                self.ret(Return::SetLockState { store, message, state, result }, rec);
            }
            Call::PreprocessMessage { preprocessor, message } => {
                self.ret(Return::PreprocessMessage { preprocessor, message, result: Ok(RecipientSet::new()) }, rec);
            }
            Call::SubmitPreprocessed { store, message } => {
                let result = self.store.submit_preprocessed(message);
                self.ret(Return::SubmitPreprocessed { store, message, result }, rec);
            }
            Call::RemovePreprocessInfo { preprocessor, message } => {
                self.ret(Return::RemovePreprocessInfo { preprocessor, message, result: Hresult::S_OK }, rec);
            }
            Call::FinishedMsg { store, message } => {
                let result = self.store.finished_msg(message, SentMailHook::None);
                self.ret(Return::FinishedMsg { store, message, result }, rec);
            }
            Call::AbortSubmit { store, message } => {
                let result = self.store.abort_submit(message);
                self.ret(Return::AbortSubmit { store, message, result }, rec);
            }
            Call::OpenStatusEntry { transport } => self.ret(Return::OpenStatusEntry { transport, result: Hresult::S_OK }, rec),
            Call::ValidateState { transport, .. } => {
                // STAT-13: inside a critical section the answer is MAPI_E_BUSY.
                let result = if self.critsec.contains(transport) { Hresult::MAPI_E_BUSY } else { Hresult::S_OK };
                self.ret(Return::ValidateState { transport, result }, rec);
            }
            Call::FlushQueues { transport, flags } => {
                // STAT-19: the flush bits of the directions asked for, then S_OK.
                if let Some(TransportView::LoggedOn { status_row: Some(row), .. }) = self.spooler.transport_view(transport) {
                    let status = row.after_flush_queues(flags);
                    if status != row {
                        self.support(SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::STATUSROW_UPDATE, status }, rec);
                    }
                }
                self.ret(Return::FlushQueues { transport, result: Hresult::S_OK }, rec);
            }
        }
    }

    fn answer_submit(&mut self, t: TransportId, m: MessageId, offered: &RecipientSet, answer: &Answer, rec: &mut Recorder<'_>) {
        // A reference is opaque to the spooler (SUB-27): every transport writes 1, and remembers
        // which message it has in hand.
        let msg_ref = MsgRef(1);
        let outcome = match answer {
            Answer::Take(subset) => SubmitOutcome::Accepted { msg_ref, accepted: subset.clone() },
            Answer::TakeReporting => {
                let reports = offered.iter().map(|r| (r, mapi_spooler::ReportKind::NonDelivery)).collect();
                self.support(SupportCall::StatusRecips { transport: t, message: m, reports }, rec);
                SubmitOutcome::Accepted { msg_ref, accepted: offered.clone() }
            }
            Answer::Fail(error) => SubmitOutcome::Failed { result: error.hresult(), return_parm: 5, saved: RecipientSet::new() },
            Answer::UserCancel => SubmitOutcome::Failed { result: Hresult::MAPI_E_USER_CANCEL, return_parm: 0, saved: RecipientSet::new() },
            Answer::FailSaving => {
                self.store.save_by_transport(m, offered, t);
                SubmitOutcome::Failed { result: Hresult::MAPI_E_NETWORK_ERROR, return_parm: 5, saved: offered.clone() }
            }
            Answer::Critical => {
                self.out_of_service.insert(t);
                let flags = SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR;
                self.support(SupportCall::SpoolerNotify { caller: Caller::Transport(t), flags, message: None }, rec);
                SubmitOutcome::Failed { result: Hresult::MAPI_E_CALL_FAILED, return_parm: 0, saved: RecipientSet::new() }
            }
            _ => SubmitOutcome::Accepted { msg_ref, accepted: offered.clone() },
        };
        if matches!(outcome, SubmitOutcome::Accepted { .. }) {
            self.in_hand = Some((t, m));
        }
        self.ret(Return::SubmitMessage { transport: t, message: m, outcome }, rec);
    }

    /// The status row a transport writes before `TransportNotify` returns (LIFE-10, LIFE-12).
    fn row_after(&self, t: TransportId, flags: NotifyFlags) -> Option<StatusCode> {
        let Some(TransportView::LoggedOn { status_row: Some(row), .. }) = self.spooler.transport_view(t) else { return None };
        let status = row.after_notify(flags);
        (status != row).then_some(status)
    }
}
