//! The model checker's policy: each move of the world gives one of the answers the
//! documentation allows, and a replay records what happened.

use mapi_spooler::RecipientSet;
use mapi_spooler::reference::Reference;
use mapi_spooler::store::TcSubmission;
use mapi_spooler::world::{Breach, LogonAnswer, Note, Policy, Start, Step, Submission};
use mapi_spooler::{
    AddrType, Effect, EndFlags, HookFlags, HookId, HookOutcome, Hresult, Input, LogoffFlags, LogonCaps, MessageId, MsgRef,
    PreprocessorFilter, Property, Registrations, ReportKind, SpiVersion, StoreId, SubmitFlags, SubmitOutcome, SupportCall, TransportId,
};

use super::{Answer, Broken, Event, STORE};
use crate::config::Config;

/// A recorder for replays: `None` while exploring.
pub(super) type Recorder<'a> = Option<&'a mut Vec<Event>>;

/// The policy of one move: the answer it gives to the call in flight (the default one for moves
/// that answer nothing), and the parts of the model's state the world's steps change.
pub(super) struct Moves<'a> {
    pub(super) config: &'a Config,
    pub(super) answer: &'a Answer,
    pub(super) mail: &'a mut u8,
    pub(super) broken: &'a mut Option<Broken>,
    pub(super) logoff: &'a mut Option<(LogoffFlags, LogoffFlags)>,
    pub(super) waiting: &'a mut u8,
    pub(super) reference: &'a mut Reference,
    pub(super) rec: Recorder<'a>,
    /// Where the inputs fed are counted, while exploring.
    pub(super) cover: Option<&'a crate::coverage::Coverage>,
}

impl Moves<'_> {
    /// The reference model's verdict on something that happened: a divergence breaks the run.
    fn judge(&mut self, verdict: Result<(), String>) {
        if let Err(why) = verdict {
            self.record(|| Event::Violation(format!("the reference model of submissions: {why}")));
            *self.broken = Some(Broken::Refinement);
        }
    }

    fn record(&mut self, event: impl FnOnce() -> Event) {
        if let Some(log) = self.rec.as_deref_mut() {
            log.push(event());
        }
    }
}

impl Policy for Moves<'_> {
    fn stepped(&mut self, world: &mapi_spooler::world::World, step: &Step<'_>) {
        self.record(|| Event::Input(step.input.clone()));
        if let Some(cover) = self.cover {
            cover.record(step.input);
        }
        match step.outcome {
            Ok(effects) => {
                for effect in effects {
                    if let (Input::Support(SupportCall::StoreLogoffTransports { flags, .. }), Effect::LogoffAnswer { flags: answer, .. }) =
                        (step.input, effect)
                    {
                        *self.logoff = Some((*flags, *answer));
                    }
                    if matches!(effect, Effect::StatusAnswer { .. }) {
                        *self.waiting = self.waiting.saturating_sub(1);
                    }
                }
                if let Some(log) = self.rec.as_deref_mut() {
                    log.extend(effects.iter().cloned().map(Event::Effect));
                }
            }
            Err(error) => {
                self.record(|| Event::Violation(format!("the spooler refused a world move: {error}")));
                *self.broken = Some(Broken::Refused);
            }
        }
        if let Some(breach) = step.breach {
            self.record(|| Event::Violation(breach.to_string()));
            let property = match breach {
                Breach::Violation(violation) => violation.property,
                Breach::OneCall(_) | Breach::ChangedByRefusal => Property::OneCallAtATime,
            };
            *self.broken = Some(Broken::Violation(property));
        }
        if let (Ok(effects), None) = (step.outcome, &self.broken) {
            let verdict = self.reference.observe(step.input, effects).and_then(|touched| self.reference.agrees(world.stores(), touched));
            self.judge(verdict);
        }
    }

    fn noted(&mut self, note: &Note<'_>) {
        match note {
            Note::Submitted { result: Ok(row), .. } => self.reference.submitted(row),
            Note::SubmittedCoupled { result: Ok(TcSubmission::Queued(row)), .. } => {
                self.reference.submitted_coupled(row, TransportId(0), false);
            }
            Note::SubmittedCoupled { result: Ok(TcSubmission::Completed(row)), .. } => {
                self.reference.submitted_coupled(row, TransportId(0), true);
            }
            Note::Aborted { message, result: Hresult::S_OK, .. } => {
                let verdict = self.reference.aborted(*message);
                self.judge(verdict);
            }
            Note::Crashed => self.reference.restart(),
            _ => {}
        }
        let text = match note {
            Note::Crashed => {
                self.record(|| Event::Crash);
                return;
            }
            Note::Submitted { result: Ok(row), .. } => format!("client -> {STORE}.SubmitMessage({}) => S_OK", row.message),
            Note::Submitted { result: Err(h), .. } => format!("client -> {STORE}.SubmitMessage => {h}"),
            Note::Aborted { message, result, .. } => format!("client -> {STORE}.AbortSubmit({message}) => {result}"),
            Note::SubmittedCoupled { result: Ok(TcSubmission::Completed(row)), .. } => {
                format!("client -> {STORE}.SubmitMessage({}) => the pair served every recipient", row.message)
            }
            Note::SubmittedCoupled { result: Ok(TcSubmission::Queued(row)), .. } => {
                format!("client -> {STORE}.SubmitMessage({}) => queued", row.message)
            }
            Note::Placed { message, .. } => format!("the coupled pair placed {message} in {STORE}"),
            Note::SubmittedCoupled { .. } | Note::Saved { .. } | Note::Finished { .. } => return,
        };
        self.record(|| Event::World(text));
    }

    fn halted(&self) -> bool {
        self.broken.is_some()
    }

    fn version(&mut self, _world: &mapi_spooler::world::World, _transport: TransportId) -> Result<SpiVersion, Hresult> {
        if *self.answer == Answer::VersionMismatch { Err(Hresult::MAPI_E_VERSION) } else { Ok(SpiVersion::CURRENT) }
    }

    fn logon(&mut self, _world: &mapi_spooler::world::World, transport: TransportId) -> LogonAnswer {
        if *self.answer == Answer::LogonFails {
            return LogonAnswer::plain(Err(Hresult::MAPI_E_FAILONEPROVIDER));
        }
        let c = self.config;
        let first = transport == TransportId(0);
        let mut caps = if c.idles > 0 { LogonCaps::LOGON_SP_IDLE } else { LogonCaps::EMPTY };
        if c.poll && c.inbound > 0 && first {
            caps = caps | LogonCaps::LOGON_SP_POLL;
        }
        let mut answer = LogonAnswer::plain(Ok(caps));
        if c.preprocess && first {
            answer.preprocessors.push(PreprocessorFilter { uid: None, addr_type: Some(AddrType(0)) });
        }
        answer
    }

    fn coupled_store(&self, transport: TransportId) -> Option<StoreId> {
        // TC-1: the row publishes the store as the transport's own.
        (self.config.coupled && transport == TransportId(0)).then_some(STORE)
    }

    fn registrations(&mut self, _world: &mapi_spooler::world::World, transport: TransportId) -> Result<Registrations, Hresult> {
        Ok(Registrations::address_types(self.config.types_of(transport.get()).into_iter().map(AddrType)))
    }

    fn submit(
        &mut self,
        _world: &mapi_spooler::world::World,
        _transport: TransportId,
        _message: MessageId,
        _flags: SubmitFlags,
        offered: &RecipientSet,
    ) -> Submission {
        // A reference is opaque to the spooler (SUB-27): every transport writes 1.
        let msg_ref = MsgRef(1);
        let failed = |result, return_parm, saved| SubmitOutcome::Failed { result, return_parm, saved };
        match self.answer {
            Answer::Take(subset) => Submission::returns(SubmitOutcome::Accepted { msg_ref, accepted: subset.clone() }),
            Answer::TakeReporting => Submission {
                reports: offered.iter().map(|r| (r, ReportKind::NonDelivery)).collect(),
                ..Submission::returns(SubmitOutcome::Accepted { msg_ref, accepted: offered.clone() })
            },
            Answer::Fail(error) => Submission::returns(failed(error.hresult(), 5, RecipientSet::new())),
            Answer::UserCancel => Submission::returns(failed(Hresult::MAPI_E_USER_CANCEL, 0, RecipientSet::new())),
            Answer::FailSaving => Submission::returns(failed(Hresult::MAPI_E_NETWORK_ERROR, 5, offered.clone())),
            Answer::Critical => {
                Submission { critical: true, ..Submission::returns(failed(Hresult::MAPI_E_CALL_FAILED, 0, RecipientSet::new())) }
            }
            _ => Submission::returns(SubmitOutcome::Accepted { msg_ref, accepted: offered.clone() }),
        }
    }

    fn end(&mut self, _world: &mapi_spooler::world::World, _transport: TransportId, _msg_ref: MsgRef) -> Result<EndFlags, Hresult> {
        Ok(match self.answer {
            Answer::End(flags) => *flags,
            _ => EndFlags::EMPTY,
        })
    }

    fn validate(&mut self, _world: &mapi_spooler::world::World, _transport: TransportId) -> Hresult {
        match self.answer {
            Answer::Validate(result) => *result,
            _ => Hresult::S_OK,
        }
    }

    fn poll(&mut self, _world: &mapi_spooler::world::World, transport: TransportId) -> u32 {
        if transport == TransportId(0) { u32::from(*self.mail) } else { 0 }
    }

    fn start(&mut self, _world: &mapi_spooler::world::World, transport: TransportId, _message: MessageId) -> Start {
        match self.answer {
            // RCV-13: the item stays at the transport, which announces it again.
            Answer::UserCancel => Start::Fails(Hresult::MAPI_E_USER_CANCEL),
            Answer::StartFails => Start::Fails(Hresult::MAPI_E_CALL_FAILED),
            _ if transport == TransportId(0) && *self.mail > 0 => {
                *self.mail -= 1;
                Start::Saves("IPM.Note".to_owned())
            }
            _ => Start::Empty,
        }
    }

    fn hook(
        &mut self,
        _world: &mapi_spooler::world::World,
        _hook: HookId,
        _store: StoreId,
        _message: MessageId,
    ) -> Result<HookOutcome, Hresult> {
        Ok(match self.answer {
            Answer::HookDelete => HookOutcome::DELETE,
            Answer::HookCancel => HookOutcome { flags: HookFlags::HOOK_CANCEL, moved_to: None },
            _ => HookOutcome::KEEP,
        })
    }
}
