//! Calls that transports and stores make on their support objects (`IMAPISupport`).

use crate::effect::{Effect, Effects};
use crate::error::{CallerError, Error, ProviderFault, StoreFault};
use crate::flags::{SpoolerNotifyFlags as F, StatusRowFlags};
use crate::ids::{MessageId, StoreId, TransportId};
use crate::input::{Caller, SupportCall};
use crate::readings::ReadyToSend;

use super::messages::{Disp, PreprocessorSet};
use super::transport::Activity;
use super::{Preprocessor, Spooler};

impl Spooler {
    pub(super) fn on_support(&mut self, call: SupportCall, fx: &mut Effects) -> Result<(), Error> {
        match call {
            SupportCall::ModifyStatusRow { transport, flags, status } => {
                let logon = self.live_logon_mut(transport, "ModifyStatusRow")?;
                // LIFE-9, STAT-3, INV-4: one row per logon, created once, then updated.
                match (flags.contains(StatusRowFlags::STATUSROW_UPDATE), logon.row.is_some()) {
                    (false, true) => return Err(Error::provider(transport, ProviderFault::StatusRowExists)),
                    (true, false) => return Err(Error::provider(transport, ProviderFault::NoStatusRow)),
                    _ => {
                        let before = logon.row.replace(status);
                        Self::flush_bits_changed(logon, before, status);
                    }
                }
            }
            SupportCall::RegisterPreprocessor { transport, filter } => {
                // HOOK-1: transports register preprocessors through their support objects.
                self.live_logon_mut(transport, "RegisterPreprocessor")?;
                if self.preprocessors.len() >= PreprocessorSet::CAPACITY {
                    return Err(Error::provider(transport, ProviderFault::TooManyPreprocessors(PreprocessorSet::CAPACITY)));
                }
                self.preprocessors.push(Preprocessor { owner: transport, filter });
            }
            SupportCall::SpoolerNotify { caller: Caller::Transport(t), flags, message } => self.transport_notifies(t, flags, message)?,
            SupportCall::SpoolerNotify { caller: Caller::Store(s), flags, message } => self.store_notifies(s, flags, message)?,
            SupportCall::StatusRecips { transport, message, reports } => self.status_recips(transport, message, reports)?,
            SupportCall::ModifyStatusRowColumns { transport, flags, status, columns } => {
                // STAT-2, STAT-6, STAT-8: the same call, with the columns that say what the
                // row's object supports.
                self.on_support(SupportCall::ModifyStatusRow { transport, flags, status }, fx)?;
                if let Some(logon) = self.transports[transport.index()].logon_mut() {
                    logon.columns = columns;
                }
            }
            SupportCall::SpoolerYield { transport } => {
                self.live_logon_mut(transport, "SpoolerYield")?;
                // SUB-35: a transport yields during a long call the spooler made to it.
                let in_call = self.in_flight.as_ref().is_some_and(|f| f.call().transport() == Some(transport));
                if !in_call {
                    return Err(Error::provider(transport, ProviderFault::YieldOutsideCall));
                }
                // DEF-8, ERR-12: during a transfer the user cancelled, the yield says so.
                if self.yield_cancels(transport) {
                    fx.push(Effect::YieldCancel { transport });
                }
            }
            SupportCall::PublishOwnStore { transport, store } => self.publish_own_store(transport, store)?,
            SupportCall::CompleteMsg(row) => self.complete_msg(row)?,
            SupportCall::StoreLogoffTransports { store, flags } => self.store_logoff(store, flags, fx)?,
        }
        Ok(())
    }

    /// `SpoolerNotify` from a transport (LIFE-17, LIFE-18, DEF-2, STAT-13, ORD-9, RCV-2, TC-12).
    fn transport_notifies(&mut self, t: TransportId, flags: F, message: Option<MessageId>) -> Result<(), Error> {
        // An identifier the profile does not have is the caller's mistake, whatever the flags.
        self.transport_mut(t)?;
        let fault = |f| Err(Error::provider(t, f));
        if flags.contains(F::NOTIFY_NEWMAIL_RECEIVED) {
            return fault(ProviderFault::StoreOnlyFlag(F::NOTIFY_NEWMAIL_RECEIVED));
        }
        if flags.contains(F::NOTIFY_SENTDEFERRED | F::NOTIFY_CRITICAL_ERROR) {
            return fault(ProviderFault::ConflictingNotifyData);
        }
        let logon = self.live_logon_mut(t, "SpoolerNotify")?;
        let (critsec, outbound) = (logon.critsec, logon.enabled.outbound);
        if flags.contains(F::NOTIFY_CRITSEC | F::NOTIFY_NONCRIT) {
            return fault(ProviderFault::CriticalSection {
                flag: "NOTIFY_CRITSEC|NOTIFY_NONCRIT",
                state: "cannot open and close a critical section in one call",
            });
        }
        if flags.contains(F::NOTIFY_CRITSEC) && critsec {
            return fault(ProviderFault::CriticalSection { flag: "NOTIFY_CRITSEC", state: "already holds a critical section" });
        }
        if flags.contains(F::NOTIFY_NONCRIT) && !critsec {
            return fault(ProviderFault::CriticalSection { flag: "NOTIFY_NONCRIT", state: "holds no critical section" });
        }
        if flags.contains(F::NOTIFY_SENTDEFERRED) {
            let holds = message
                .and_then(|m| self.messages.get(m))
                .is_some_and(|msg| msg.disp.iter().any(|d| matches!(d, Disp::Deferred(h, _) if *h == t)));
            if !holds {
                return fault(ProviderFault::NotDeferred { message });
            }
        }
        // Checked; now apply.
        // The bug zoo: the critical error is not acted on, so the transport is called as before
        // (LIFE-17).
        let flags = if bug!(self, CallAfterCriticalError) { flags.without(F::NOTIFY_CRITICAL_ERROR) } else { flags };
        // The bug zoo: the transport's own word that its address types changed is dropped (ORD-9).
        let flags = if bug!(self, IgnoreConfigChange) { flags.without(F::NOTIFY_CONFIG_CHANGE) } else { flags };
        let logon = self.live_logon_mut(t, "SpoolerNotify")?;
        if flags.contains(F::NOTIFY_CRITSEC) {
            logon.critsec = true;
        }
        if flags.contains(F::NOTIFY_NONCRIT) {
            logon.critsec = false;
        }
        if flags.contains(F::NOTIFY_CONFIG_CHANGE) {
            logon.requery = true;
        }
        if flags.contains(F::NOTIFY_CRITICAL_ERROR) {
            // LIFE-17: only the calls that release it from now on.
            logon.activity = Activity::Critical;
            self.messages.forget_transport(t);
        }
        if flags.contains(F::NOTIFY_READYTOSEND) && outbound && self.settings.readings.ready_to_send == ReadyToSend::ReadytosendEndsDelays {
            // LIFE-18, ERR-19: a recovered transport can be offered messages again at once;
            // after END_OUTBOUND the notification is ignored (LIFE-12). Under EXT-1
            // `delays-stand` the delays run out as they were set.
            for msg in self.messages.iter_mut() {
                msg.blocks.retain(|(b, _)| *b != t);
            }
        }
        if let (true, Some(m)) = (flags.contains(F::NOTIFY_SENTDEFERRED), message) {
            // DEF-2: SubmitMessage(BEGIN_DEFERRED) is due.
            if let Some(msg) = self.messages.get_mut(m) {
                for d in msg.disp.iter_mut() {
                    if let Disp::Deferred(h, declined) = *d
                        && h == t
                    {
                        *d = Disp::Resubmit(t, declined);
                    }
                }
            }
        }
        if flags.contains(F::NOTIFY_NEWMAIL) {
            // RCV-1; while inbound is disabled it is dropped (RCV-2, AMB-38).
            self.on_new_mail(t);
        }
        Ok(())
    }

    /// `SpoolerNotify` from a store (SUB-6, TC-12, RCV-16).
    fn store_notifies(&mut self, s: StoreId, flags: F, message: Option<MessageId>) -> Result<(), Error> {
        self.check_store(s)?;
        let store_flags = F::NOTIFY_READYTOSEND | F::NOTIFY_NEWMAIL_RECEIVED;
        let foreign = flags.without(store_flags);
        if !foreign.is_empty() {
            return Err(Error::store(s, StoreFault::TransportOnlyFlag(foreign)));
        }
        if flags.contains(F::NOTIFY_READYTOSEND) && !self.status_table_ready() {
            // SUB-6: the call returns once the transports are logged on and registered, so it
            // cannot come back while they are being set up.
            return Err(CallerError::ReadyToSendBeforeSetUp(s).into());
        }
        if flags.contains(F::NOTIFY_NEWMAIL_RECEIVED) {
            // RCV-16, TC-8: the store placed a message itself.
            self.tc_arrival(s, message)?;
        }
        Ok(())
    }
}
