//! The checks on each call the spooler makes.

use crate::effect::Call;
use crate::flags::{LockState, SubmitFlags};
use crate::ids::{MessageId, TransportId};
use crate::method::Target;
use crate::recipients::RecipientSet;

use super::oracle;
use super::watch::{MessageWatch, Stage};
use super::{Checked, Monitor, Property, broken};

impl Monitor {
    pub(super) fn call(&mut self, call: &Call) -> Checked {
        self.transfer_call(call)?;
        if let Some(t) = call.transport() {
            self.transport_call(t, call)?;
        }
        self.completed_call(call)?;
        self.requery_call(call)?;
        match call {
            Call::SubmitMessage { transport, message, flags, offered } => self.submit(*transport, *message, *flags, offered),
            Call::EndMessage { transport, msg_ref } => {
                let open = self.transport(*transport).and_then(|w| w.open.as_mut());
                match open {
                    Some(exchange) if exchange.msg_ref == *msg_ref && !exchange.ending => {
                        exchange.ending = true;
                        Ok(())
                    }
                    _ => {
                        broken(Property::EndMessagePairing, format!("{call} answers no S_OK SubmitMessage still open with that reference"))
                    }
                }
            }
            Call::SetLockState { message, state, .. } => {
                let msg = self.message(*message, Property::AbortVersusLock, call)?;
                match state {
                    LockState::Locked if msg.removed => broken(Property::AbortVersusLock, format!("{call} after {message} left the queue")),
                    LockState::Locked if msg.locked => {
                        broken(Property::LockBeforeHandOff, format!("{call}, but {message} is locked already"))
                    }
                    LockState::Unlocked if !msg.locked => {
                        broken(Property::LockBeforeHandOff, format!("{call}, but {message} is not locked"))
                    }
                    _ => Ok(()),
                }
            }
            Call::PreprocessMessage { preprocessor, message } => {
                let msg = self.locked_message(*message, Property::PreprocessFirst, call)?;
                if !msg.preprocess_pending {
                    return broken(Property::PreprocessFirst, format!("{call}, but {message} has no SUBMITFLAG_PREPROCESS"));
                }
                match msg.preprocessed.highest() {
                    Some(last) if last >= *preprocessor => {
                        broken(Property::PreprocessFirst, format!("{call} after {last}: preprocessors run in registration order"))
                    }
                    _ if !self.applies(*preprocessor, msg) => {
                        broken(Property::PreprocessFirst, format!("{call}: {preprocessor} does not apply to {message} (ORD-11)"))
                    }
                    _ => Ok(()),
                }
            }
            Call::SubmitPreprocessed { message, .. } => {
                let msg = self.locked_message(*message, Property::PreprocessFirst, call)?;
                if !msg.preprocess_pending {
                    return broken(Property::PreprocessFirst, format!("{call}, but {message} was not waiting for preprocessing"));
                }
                // The spooler considers the preprocessors in registration order; those after the
                // last one that ran must not apply any more (one passed over earlier may apply now
                // if the registrations changed meanwhile).
                let from = msg.preprocessed.highest().map_or(0, |p| p.index() + 1);
                let skipped = (from..self.preprocessors.len()).map(|p| crate::ids::PreprocessorId(p as u8)).find(|p| self.applies(*p, msg));
                match skipped {
                    Some(p) => broken(Property::PreprocessFirst, format!("{call}, but {p} applies to {message} and did not run (HOOK-3)")),
                    None => Ok(()),
                }
            }
            Call::RemovePreprocessInfo { preprocessor, message } => {
                let msg = self.locked_message(*message, Property::FinishedOnlyWhenDone, call)?;
                if !msg.preprocess {
                    return broken(Property::FinishedOnlyWhenDone, format!("{call}, but {message} has no PR_PREPROCESS"));
                }
                if msg.recipients.iter().any(|r| !r.settled) {
                    return broken(Property::FinishedOnlyWhenDone, format!("{call} before every recipient of {message} is settled"));
                }
                let p = *preprocessor;
                if let Some(msg) = self.messages.get_mut(message) {
                    msg.cleaned.insert(p);
                }
                Ok(())
            }
            Call::FinishedMsg { message, .. } => self.finished(*message, call),
            Call::AbortSubmit { message, .. } => {
                let msg = self.message(*message, Property::CancelledNeverOffered, call)?;
                if !msg.cancelled || msg.locked {
                    return broken(
                        Property::CancelledNeverOffered,
                        format!("{call}, but {message} is not a cancelled message the spooler unlocked"),
                    );
                }
                Ok(())
            }
            Call::StartMessage { message, .. } => match self.inbound {
                Some((m, super::InboundStage::Created)) if m == *message => {
                    self.inbound = Some((m, super::InboundStage::Started { cancelled: false }));
                    Ok(())
                }
                _ => broken(Property::CommitBeforeNotify, format!("{call}, but {message} is not a new message created for it (RCV-4)")),
            },
            Call::NotifyNewMail { .. } | Call::InboundMsgHook { .. } => self.inbound_call(call),
            Call::FlushQueues { .. } => self.flush_call(call),
            Call::TransportNotify { transport, flags, message: Some(m) }
                if flags.contains(crate::flags::NotifyFlags::NOTIFY_ABORT_DEFERRED) =>
            {
                // DEF-5, INV-30: the transport drops its deferred copy; it is not sent again.
                if let Some(msg) = self.messages.get_mut(m) {
                    for rec in &mut msg.recipients {
                        if rec.deferred.is_some_and(|(holder, _)| holder == *transport) {
                            rec.deferred = None;
                            rec.declined.insert(*transport);
                        }
                    }
                }
                Ok(())
            }
            Call::TransportNotify { .. } => self.flush_call(call),
            _ => Ok(()),
        }
    }

    fn message(&self, m: MessageId, property: Property, call: &Call) -> Result<&MessageWatch, super::Violation> {
        self.messages.get(&m).ok_or_else(|| super::Violation { property, detail: format!("{call} names {m}, which is not queued") })
    }

    fn locked_message(&self, m: MessageId, property: Property, call: &Call) -> Result<&MessageWatch, super::Violation> {
        let msg = self.message(m, property, call)?;
        if msg.locked { Ok(msg) } else { Err(super::Violation { property, detail: format!("{call}, but {m} is not locked") }) }
    }

    /// The lifecycle of one transport (INV-1 to INV-3, INV-5 to INV-7, INV-10, INV-11, INV-13,
    /// INV-18).
    fn transport_call(&mut self, t: TransportId, call: &Call) -> Checked {
        let disabled = self.services.get(t.index()).is_some_and(|s| self.disabled_services & (1 << s.index()) != 0);
        let Some(w) = self.transports.get(t.index()) else { return Ok(()) };
        let live = matches!(w.stage, Stage::LoggedOn | Stage::Registered);
        if let Some(exchange) = &w.open
            && !matches!(call, Call::EndMessage { .. })
            && !exchange.ending
        {
            return broken(
                Property::OneMessagePerTransport,
                format!("{call} before EndMessage of the S_OK SubmitMessage of {}", exchange.message),
            );
        }
        if w.critical && !matches!(call, Call::TransportLogoff { .. } | Call::Shutdown { .. }) {
            return broken(Property::CriticalIsTerminal, format!("{call} after {t} raised NOTIFY_CRITICAL_ERROR"));
        }
        match call {
            Call::XpProviderInit { .. } if w.stage != Stage::NotLoaded => {
                broken(Property::CallOrder, format!("{call}, but {t} was initialized already"))
            }
            Call::XpProviderInit { .. } | Call::TransportLogon { .. } if disabled => {
                broken(Property::FailedService, format!("{call}, but the service of {t} was disabled by a failed logon"))
            }
            Call::TransportLogon { .. } => match w.stage {
                Stage::Loaded | Stage::LogonFailed => Ok(()),
                Stage::Dropped => broken(Property::VersionGate, format!("{call}, but the SPI versions of {t} did not agree")),
                Stage::Released | Stage::LoggedOff => broken(Property::ShutdownGating, format!("{call} after {t} was logged off")),
                _ => broken(Property::CallOrder, format!("{call} in stage {:?}", w.stage)),
            },
            Call::TransportLogoff { .. } if !live => broken(Property::NothingAfterLogoff, format!("{call}, but {t} has no live logon")),
            Call::TransportLogoff { .. } if w.open.is_some() => {
                broken(Property::EndMessagePairing, format!("{call} before EndMessage of an S_OK SubmitMessage"))
            }
            // INV-1, INV-2: the logon object exists from TransportLogon to TransportLogoff.
            _ if matches!(call.target(), Target::Logon | Target::Traffic) && !live => {
                let property =
                    if matches!(w.stage, Stage::LoggedOff | Stage::Released) { Property::NothingAfterLogoff } else { Property::CallOrder };
                broken(property, format!("{call} without a live logon of {t}"))
            }
            Call::TransportNotify { flags, .. } if flags.is_contradictory() => broken(Property::WellFormedNotify, format!("{call}")),
            // LIFE-8, INV-1: traffic waits for the transport's address types.
            _ if call.target() == Target::Traffic && w.stage != Stage::Registered => {
                broken(Property::CallOrder, format!("{call} before AddressTypes returned"))
            }
            Call::Idle { .. } if !w.idle => broken(Property::CapabilityGate, format!("{call}, but {t} did not return LOGON_SP_IDLE")),
            Call::Poll { .. } if !w.poll => broken(Property::CapabilityGate, format!("{call}, but {t} did not return LOGON_SP_POLL")),
            Call::Idle { .. } | Call::Poll { .. } if w.critsec => {
                broken(Property::CriticalSectionGate, format!("{call} inside a critical section"))
            }
            Call::Poll { .. } | Call::StartMessage { .. } if !w.enabled.inbound => {
                broken(Property::InboundGate, format!("{call}, but inbound traffic of {t} is not enabled"))
            }
            Call::Shutdown { .. } if live => broken(Property::ShutdownGating, format!("{call} while {t} has a live logon")),
            Call::Shutdown { .. } if matches!(w.stage, Stage::Released | Stage::NotLoaded | Stage::Dropped) => {
                broken(Property::ShutdownGating, format!("{call}, but {t} has no provider object"))
            }
            _ => Ok(()),
        }
    }

    /// INV-8, INV-14, INV-15, INV-20, INV-22, INV-27 to INV-30. The bookkeeping happens
    /// whatever the verdict, so that later verdicts stay right.
    fn submit(&mut self, t: TransportId, m: MessageId, flags: SubmitFlags, offered: &RecipientSet) -> Checked {
        let verdict = self.submit_verdict(t, m, flags, offered);
        if let Some(msg) = self.messages.get_mut(&m) {
            msg.offered_to.insert(t);
        }
        verdict
    }

    /// The verdict on a `SubmitMessage`.
    fn submit_verdict(&self, t: TransportId, m: MessageId, flags: SubmitFlags, offered: &RecipientSet) -> Checked {
        let now = self.now;
        let w = &self.transports[t.index()];
        if !w.enabled.outbound {
            return broken(Property::OutboundGate, format!("SubmitMessage of {m} to {t} while its outbound traffic is disabled"));
        }
        let call = Call::SubmitMessage { transport: t, message: m, flags, offered: offered.clone() };
        let msg = self.message(m, Property::LockBeforeHandOff, &call)?;
        if msg.removed {
            return broken(Property::AbortVersusLock, format!("{call} after {m} left the queue"));
        }
        if !msg.locked {
            return broken(Property::LockBeforeHandOff, format!("{call}, but {m} is not locked"));
        }
        if msg.preprocess_pending {
            return broken(Property::PreprocessFirst, format!("{call} before preprocessing ended"));
        }
        if msg.cancelled {
            return broken(Property::CancelledNeverOffered, format!("{call} after the user cancelled {m}"));
        }
        if let Some((_, until)) = msg.not_before.iter().find(|(b, until)| *b == t && *until > now) {
            return broken(Property::RetryDelay, format!("{call} at {now}, before the retry delay ends at {until}"));
        }
        let deferred = flags.contains(SubmitFlags::BEGIN_DEFERRED);
        for r in offered.iter() {
            let Some(rec) = msg.recipients.get(r.index()) else {
                return broken(Property::TakenNeverOffered, format!("{call} offers recipient {}, which {m} does not have", r.0));
            };
            if rec.settled {
                return broken(Property::TakenNeverOffered, format!("{call} offers recipient {}, already taken", r.0));
            }
            match (deferred, rec.deferred) {
                (true, Some((holder, true))) if holder == t => continue,
                (true, _) => {
                    let detail = format!("{call}: recipient {} was not deferred by {t} and announced again", r.0);
                    return broken(Property::DeferralProtocol, detail);
                }
                (false, Some((holder, _))) => {
                    return broken(Property::DeferralProtocol, format!("{call}: recipient {} is held deferred by {holder}", r.0));
                }
                (false, None) => {}
            }
            if rec.declined.contains(t) {
                return broken(Property::ScanOrder, format!("{call} offers recipient {}, which {t} declined", r.0));
            }
            let first = oracle::first_choice(&self.order, |u| self.serving(u), &rec.row, rec.declined);
            if first != Some(t) {
                return broken(Property::ScanOrder, format!("{call} offers recipient {}, whose first choice is {first:?}", r.0));
            }
        }
        if deferred || msg.offered_to.contains(t) {
            return Ok(());
        }
        // INV-28: a first offer of this message to `t`; no older message of the same store may
        // still be waiting for `t` as the first choice of one of its open recipients.
        let waiting = self.messages.iter().find(|(_, o)| {
            o.store == msg.store
                && o.rank < msg.rank
                && !o.removed
                && !o.offered_to.contains(t)
                && o.recipients.iter().any(|r| {
                    !r.settled
                        && r.deferred.is_none()
                        && oracle::first_choice(&self.order, |u| self.serving(u), &r.row, r.declined) == Some(t)
                })
        });
        match waiting {
            Some((older, _)) => {
                broken(Property::TransportFifo, format!("{call}, but {older}, queued before it in {}, is still waiting for {t}", msg.store))
            }
            None => Ok(()),
        }
    }

    /// INV-23, INV-25, INV-26.
    fn finished(&self, m: MessageId, call: &Call) -> Checked {
        let msg = self.message(m, Property::FinishedDiscipline, call)?;
        if !msg.locked {
            return broken(Property::FinishedDiscipline, format!("{call}, but {m} is not locked"));
        }
        if let Some((i, _)) = msg.recipients.iter().enumerate().find(|(_, r)| !r.settled) {
            return broken(Property::OneDisposition, format!("{call} before recipient {i} is settled"));
        }
        if msg.recipients.iter().any(|r| r.deferred.is_some()) {
            return broken(Property::FinishedOnlyWhenDone, format!("{call} while a deferral is outstanding"));
        }
        if self.transports.iter().any(|w| w.open.as_ref().is_some_and(|e| e.message == m)) {
            return broken(Property::FinishedOnlyWhenDone, format!("{call} before EndMessage of an exchange of {m}"));
        }
        if msg.preprocess {
            // HOOK-4, DEC-12: clean-up for every preprocessor that ran; after a restart that
            // adopted the message, for every preprocessor whose filter matches a recipient.
            let mut required = msg.preprocessed;
            if !msg.preprocessed_here {
                for (p, (_, filter)) in self.preprocessors.iter().enumerate() {
                    if msg.recipients.iter().any(|r| oracle::filter_matches(filter, &r.row)) {
                        required.insert(crate::ids::PreprocessorId(p as u8));
                    }
                }
            }
            if !required.is_subset(msg.cleaned) {
                return broken(
                    Property::FinishedOnlyWhenDone,
                    format!("{call} before RemovePreprocessInfo of every preprocessor it needs"),
                );
            }
        }
        Ok(())
    }

    /// A preprocessor applies to a message when its filter matches a recipient still open and
    /// either its transport gets the first chance at that recipient, or its transport registers
    /// nothing and no transport earlier in the order can take it (ORD-11, AMB-37, DEC-21).
    fn applies(&self, p: crate::ids::PreprocessorId, msg: &MessageWatch) -> bool {
        let Some((owner, filter)) = self.preprocessors.get(p.index()).copied() else { return false };
        let Some(own) = self.serving(owner) else { return false };
        let registers_nothing = oracle::registers_nothing(own);
        let earlier: Vec<TransportId> = self.order.iter().copied().take_while(|t| *t != owner).collect();
        msg.recipients.iter().filter(|r| !r.settled && oracle::filter_matches(&filter, &r.row)).any(|r| {
            oracle::first_choice(&self.order, |t| self.serving(t), &r.row, r.declined) == Some(owner)
                || (registers_nothing && !earlier.iter().any(|t| self.serving(*t).is_some_and(|g| oracle::can_take(g, &r.row))))
        })
    }

    /// The registrations of a transport that may be given work (DEC-4).
    pub(super) fn serving(&self, u: TransportId) -> Option<&crate::routing::Registrations> {
        let uw = self.transports.get(u.index())?;
        let disabled = self.services.get(u.index()).is_some_and(|s| self.disabled_services & (1 << s.index()) != 0);
        (uw.stage == Stage::Registered && !uw.critical && !disabled).then_some(uw.registrations.as_ref()).flatten()
    }
}
