//! Scripted transport providers for the simulator: what each one answers the spooler.

use std::collections::VecDeque;

use crate::flags::{EndFlags, LogonCaps};
use crate::hresult::Hresult;
use crate::input::ReportKind;
use crate::recipients::RecipientRow;
use crate::routing::{PreprocessorFilter, Registrations};
use crate::version::SpiVersion;

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
