//! Scripted transport providers for the simulator: what each one answers the spooler.

use std::collections::VecDeque;

use crate::flags::{EndFlags, LogonCaps, StatusCode, SubmitFlags};
use crate::hresult::Hresult;
use crate::ids::{HookId, MessageId, MsgRef, PreprocessorId, RecipientIdx, ServiceId, StoreId, TransportId};
use crate::input::{HookOutcome, Input, ReportKind, Return, SubmitOutcome, SupportCall};
use crate::recipients::{RecipientRow, RecipientSet};
use crate::routing::{PreprocessorFilter, Registrations};
use crate::store::SentMailHook;
use crate::version::SpiVersion;
use crate::world::{LogonAnswer, Note, Policy, Start, Step, Submission, World};

use super::Scripted;

/// How a scripted transport answers one `SubmitMessage`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SubmitAnswer {
    /// `S_OK`, taking every offered recipient it can serve (by address type or UID) and
    /// leaving the others FALSE (SUB-28).
    TakeMine,
    /// `S_OK`, taking exactly these offered recipient rows.
    Take(Vec<u16>),
    /// `StatusRecips` with these reports first (SUB-30), then `S_OK` taking every offered
    /// recipient it can serve.
    TakeAndReport(Vec<(u16, ReportKind)>),
    /// An error with `*lpulReturnParm` (ERR-2 to ERR-7); nothing saved.
    Fail(Hresult, u32),
    /// An error, after saving `PR_RESPONSIBILITY` TRUE on these offered rows (SUB-33).
    FailSaving(Hresult, u32, Vec<u16>),
    /// `SpoolerNotify(NOTIFY_CRITICAL_ERROR)`, then this error (ERR-7, LIFE-17).
    Critical(Hresult),
}

/// How a scripted transport answers one `EndMessage`, and what it does afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EndAnswer {
    /// These flags (SUB-34).
    Flags(EndFlags),
    /// `END_DONT_RESEND`, then `SpoolerNotify(NOTIFY_SENTDEFERRED)` after this many seconds
    /// (DEF-2).
    DeferFor(u32),
}

/// A transport provider whose answers are scripted. Scripted answers are used in order; when a
/// script runs out, the default answer applies (or, with a seeded random policy, a random one).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TransportScript {
    /// A display name for traces and summaries.
    pub name: String,
    /// What `XPProviderInit` returns (LIFE-1, VER-3).
    pub version: Result<SpiVersion, Hresult>,
    /// What successive `TransportLogon` calls return; the last one repeats (LIFE-5, LIFE-6).
    pub logon: Vec<Result<LogonCaps, Hresult>>,
    /// What the message service entry point returns for `MSG_SERVICE_CONFIGURE` (LIFE-6).
    pub configure: Hresult,
    /// Create the status row inside `TransportLogon`, as MRXP and Kopano do; otherwise right
    /// after `AddressTypes`, as the operational model lists it (LIFE-9, AMB-31).
    pub row_during_logon: bool,
    /// What `AddressTypes` returns (ORD-1).
    pub registrations: Registrations,
    /// Preprocessors registered during `TransportLogon` (HOOK-1).
    pub preprocessors: Vec<PreprocessorFilter>,
    /// Scripted `SubmitMessage` answers, used first.
    pub submit: VecDeque<SubmitAnswer>,
    /// Scripted `EndMessage` answers, used first.
    pub end: VecDeque<EndAnswer>,
    /// Scripted `PreprocessMessage` answers: the rows found undeliverable, used first.
    pub preprocess: VecDeque<Vec<u16>>,
    /// When the scripts run out: seeded random faults, or always the plain answers.
    pub random_faults: bool,
    /// Inbound messages waiting at the transport, by message class, oldest first (RCV-1). A
    /// transport that logged on with `LOGON_SP_POLL` reports them when polled; any other
    /// announces them with `SpoolerNotify(NOTIFY_NEWMAIL)` while its inbound traffic is enabled.
    pub inbound: VecDeque<String>,
    /// Scripted failures of `StartMessage`, used first (RCV-7).
    pub start_failures: VecDeque<Hresult>,
    /// How it answers each `IXPLogon::ValidateState`, in order; `S_OK` once they run out, and
    /// `MAPI_E_BUSY` whatever the script says while it holds a critical section (STAT-11,
    /// STAT-13).
    pub validate: VecDeque<Hresult>,
}

impl TransportScript {
    /// A well-behaved transport for these registrations: current SPI version, logs on with no
    /// capability flags, takes what it can serve, answers `EndMessage` with 0.
    #[must_use]
    pub fn new(name: &str, registrations: Registrations) -> TransportScript {
        TransportScript {
            name: name.to_owned(),
            version: Ok(SpiVersion::CURRENT),
            logon: vec![Ok(LogonCaps::EMPTY)],
            configure: Hresult::S_OK,
            row_during_logon: true,
            registrations,
            preprocessors: Vec::new(),
            submit: VecDeque::new(),
            end: VecDeque::new(),
            preprocess: VecDeque::new(),
            random_faults: false,
            inbound: VecDeque::new(),
            start_failures: VecDeque::new(),
            validate: VecDeque::new(),
        }
    }

    /// Inbound messages of these classes wait at the transport (RCV-1).
    #[must_use]
    pub fn receives<S: Into<String>>(mut self, classes: impl IntoIterator<Item = S>) -> TransportScript {
        self.inbound.extend(classes.into_iter().map(Into::into));
        self
    }

    /// The next `StartMessage` calls fail with these errors, leaving the waiting mail where it
    /// is (RCV-7).
    #[must_use]
    pub fn failing_starts(mut self, errors: impl IntoIterator<Item = Hresult>) -> TransportScript {
        self.start_failures.extend(errors);
        self
    }

    /// The same script answering the next `ValidateState` calls with these results (STAT-11).
    #[must_use]
    pub fn validates(mut self, answers: impl IntoIterator<Item = Hresult>) -> TransportScript {
        self.validate.extend(answers);
        self
    }

    /// Adds scripted `SubmitMessage` answers.
    #[must_use]
    pub fn submits(mut self, answers: impl IntoIterator<Item = SubmitAnswer>) -> TransportScript {
        self.submit.extend(answers);
        self
    }

    /// Adds scripted `EndMessage` answers.
    #[must_use]
    pub fn ends(mut self, answers: impl IntoIterator<Item = EndAnswer>) -> TransportScript {
        self.end.extend(answers);
        self
    }

    /// Sets what successive `TransportLogon` calls return, counted across restarts after a
    /// crash; the last answer repeats.
    #[must_use]
    pub fn logons(mut self, answers: impl IntoIterator<Item = Result<LogonCaps, Hresult>>) -> TransportScript {
        self.logon = answers.into_iter().collect();
        self
    }

    /// Registers a preprocessor during logon.
    #[must_use]
    pub fn with_preprocessor(mut self, filter: PreprocessorFilter) -> TransportScript {
        self.preprocessors.push(filter);
        self
    }

    /// True when this transport can serve the recipient (ORD-2, ORD-3, ORD-5).
    #[must_use]
    pub fn serves(&self, r: &RecipientRow) -> bool {
        self.registrations.matches_uid(r) || self.registrations.matches_type(r)
    }
}

impl Scripted {
    /// The spooler process died, and its transports with it.
    pub(super) fn crashed(&mut self) {
        self.refs.iter_mut().for_each(|r| *r = 0);
        self.rows.iter_mut().for_each(|r| *r = None);
        self.preprocessor_owners.clear();
        self.notices.clear();
    }

    fn random_answer(&mut self) -> SubmitAnswer {
        match self.rng.below(100) {
            0..70 => SubmitAnswer::TakeMine,
            70..78 => SubmitAnswer::Fail(Hresult::MAPI_E_BUSY, 0),
            78..86 => SubmitAnswer::Fail(Hresult::MAPI_E_WAIT, 1 + self.rng.below(30) as u32),
            86..92 => SubmitAnswer::Fail(Hresult::MAPI_E_NETWORK_ERROR, 1 + self.rng.below(30) as u32),
            _ => SubmitAnswer::Fail(Hresult::MAPI_E_NOT_ME, 0),
        }
    }
}

impl Policy for Scripted {
    fn stepped(&mut self, _world: &World, step: &Step<'_>) {
        self.log.step(step);
        match (step.input, step.outcome) {
            (Input::Support(SupportCall::RegisterPreprocessor { transport, .. }), Ok(_)) => self.preprocessor_owners.push(*transport),
            (Input::Support(SupportCall::ModifyStatusRow { transport, status, .. }), Ok(_)) if self.answering => {
                self.rows[transport.index()] = Some(*status);
            }
            (Input::Return(Return::TransportLogoff { transport, .. }), _) => self.rows[transport.index()] = None,
            _ => {}
        }
    }

    fn noted(&mut self, note: &Note<'_>) {
        self.log.note(note);
    }

    fn version(&mut self, _world: &World, transport: TransportId) -> Result<SpiVersion, Hresult> {
        self.scripts[transport.index()].version
    }

    fn configure(&mut self, _world: &World, service: ServiceId) -> Hresult {
        self.services.iter().position(|s| *s == service).map_or(Hresult::S_OK, |i| self.scripts[i].configure)
    }

    fn logon(&mut self, _world: &World, transport: TransportId) -> LogonAnswer {
        let i = transport.index();
        let attempt = self.logons[i];
        self.logons[i] += 1;
        let script = &self.scripts[i];
        let result = script.logon.get(attempt).or(script.logon.last()).copied().unwrap_or(Err(Hresult::MAPI_E_LOGON_FAILED));
        // Both public providers register their preprocessor and create their row inside
        // TransportLogon (real-providers.md, A.1 and A.2).
        LogonAnswer { result, preprocessors: script.preprocessors.clone(), row_now: script.row_during_logon }
    }

    fn registrations(&mut self, _world: &World, transport: TransportId) -> Result<Registrations, Hresult> {
        Ok(self.scripts[transport.index()].registrations.clone())
    }

    fn submit(
        &mut self,
        world: &World,
        transport: TransportId,
        message: MessageId,
        _flags: SubmitFlags,
        offered: &RecipientSet,
    ) -> Submission {
        let i = transport.index();
        if world.transport(transport).logon().is_some_and(|l| l.cancelled) {
            // DEF-7, DEF-8: the transport stops and saves nothing.
            return Submission::returns(SubmitOutcome::Failed {
                result: Hresult::MAPI_E_USER_CANCEL,
                return_parm: 0,
                saved: RecipientSet::new(),
            });
        }
        let store = world.spooler().message_view(message).map_or(StoreId(0), |m| m.store);
        let rows: Vec<RecipientRow> =
            world.store(store).message(message).map(|m| m.recipients.iter().map(|r| r.row).collect()).unwrap_or_default();
        let mine: RecipientSet = offered.iter().filter(|r| rows.get(r.index()).is_some_and(|row| self.scripts[i].serves(row))).collect();
        let answer = match self.scripts[i].submit.pop_front() {
            Some(answer) => answer,
            None if self.scripts[i].random_faults => self.random_answer(),
            None => SubmitAnswer::TakeMine,
        };
        let to_set = |rows: &[u16]| -> RecipientSet { rows.iter().map(|r| RecipientIdx(*r)).filter(|r| offered.contains(*r)).collect() };
        let mut accept = |accepted: RecipientSet| {
            self.refs[i] += 1;
            SubmitOutcome::Accepted { msg_ref: MsgRef(self.refs[i]), accepted }
        };
        match answer {
            SubmitAnswer::TakeMine => Submission::returns(accept(mine)),
            SubmitAnswer::Take(rows) => Submission::returns(accept(to_set(&rows))),
            SubmitAnswer::TakeAndReport(reports) => {
                let reports: Vec<_> = reports.into_iter().map(|(r, kind)| (RecipientIdx(r), kind)).collect();
                let reported: RecipientSet = reports.iter().map(|(r, _)| *r).collect();
                Submission { reports, ..Submission::returns(accept(mine.union(&reported))) }
            }
            SubmitAnswer::Fail(result, return_parm) => {
                Submission::returns(SubmitOutcome::Failed { result, return_parm, saved: RecipientSet::new() })
            }
            SubmitAnswer::FailSaving(result, return_parm, rows) => {
                Submission::returns(SubmitOutcome::Failed { result, return_parm, saved: to_set(&rows) })
            }
            SubmitAnswer::Critical(result) => Submission {
                critical: true,
                ..Submission::returns(SubmitOutcome::Failed { result, return_parm: 0, saved: RecipientSet::new() })
            },
        }
    }

    fn end(&mut self, world: &World, transport: TransportId, _msg_ref: MsgRef) -> Result<EndFlags, Hresult> {
        match self.scripts[transport.index()].end.pop_front().unwrap_or(EndAnswer::Flags(EndFlags::EMPTY)) {
            EndAnswer::Flags(flags) => Ok(flags),
            EndAnswer::DeferFor(seconds) => {
                if let Some((_, m)) = world.in_hand().filter(|(t, _)| *t == transport) {
                    self.notices.push((world.spooler().now().after(seconds), transport, m));
                }
                Ok(EndFlags::END_DONT_RESEND)
            }
        }
    }

    fn poll(&mut self, _world: &World, transport: TransportId) -> u32 {
        u32::try_from(self.scripts[transport.index()].inbound.len()).unwrap_or(u32::MAX)
    }

    fn start(&mut self, world: &World, transport: TransportId, _message: MessageId) -> Start {
        if world.transport(transport).logon().is_some_and(|l| l.cancelled) {
            // RCV-13: the item stays at the transport; nothing was saved.
            return Start::Fails(Hresult::MAPI_E_USER_CANCEL);
        }
        let script = &mut self.scripts[transport.index()];
        match script.start_failures.pop_front() {
            Some(error) => Start::Fails(error),
            None => script.inbound.pop_front().map_or(Start::Empty, Start::Saves),
        }
    }

    fn validate(&mut self, _world: &World, transport: TransportId) -> Hresult {
        self.scripts[transport.index()].validate.pop_front().unwrap_or(Hresult::S_OK)
    }

    fn preprocess(&mut self, _world: &World, preprocessor: PreprocessorId, _message: MessageId) -> Result<RecipientSet, Hresult> {
        let owner = self.preprocessor_owners[preprocessor.index()];
        let rows = self.scripts[owner.index()].preprocess.pop_front().unwrap_or_default();
        Ok(rows.into_iter().map(RecipientIdx).collect())
    }

    fn hook(&mut self, _world: &World, hook: HookId, _store: StoreId, _message: MessageId) -> Result<HookOutcome, Hresult> {
        Ok(self.hook_answers.get_mut(hook.index()).and_then(VecDeque::pop_front).unwrap_or(HookOutcome::KEEP))
    }

    fn sent_mail_hook(&mut self, _world: &World, _store: StoreId, _message: MessageId) -> SentMailHook {
        self.sent_mail_hook
    }

    fn status_row(&self, _world: &World, transport: TransportId) -> Option<StatusCode> {
        self.rows[transport.index()]
    }

    fn coupled_store(&self, transport: TransportId) -> Option<StoreId> {
        self.coupling.filter(|c| c.transport == transport).map(|c| c.store)
    }
}
