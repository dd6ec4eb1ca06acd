//! How one user of the world decides what the world answers, and what it keeps of what
//! happened.

use crate::effect::{Call, Effects};
use crate::error::Error;
use crate::flags::{EndFlags, LogonCaps, NotifyFlags, StatusCode, SubmitFlags};
use crate::hresult::Hresult;
use crate::ids::{HookId, MessageId, MsgRef, PreprocessorId, ServiceId, StoreId, TransportId};
use crate::input::{HookOutcome, Input, QueueRow, ReportKind, SubmitOutcome};
use crate::monitor::Violation;
use crate::recipients::{RecipientRow, RecipientSet};
use crate::routing::{PreprocessorFilter, Registrations};
use crate::store::{Placement, SentMailHook, TcSubmission};
use crate::version::SpiVersion;

use super::World;

/// A user of the world: the simulator's scripts, the model checker's choice among every
/// documented answer, the property tests' generated choices, the fuzz target's bytes.
///
/// The world asks its policy wherever the documentation leaves the transports, the hook
/// providers or the stores a choice, and does everything else itself: what a store does when it
/// is called, the support calls a transport makes before it returns, what each transport was
/// told, the monitor's watch and the one-call rule. Every question has a default: the ordinary
/// answer the documentation describes, so a policy answers only the questions it cares about.
/// The world also tells its policy every step it fed and everything it did besides, for the
/// policy to keep what it needs (a trace, statistics, its own verdict).
pub trait Policy {
    /// Every input the world fed the spooler, with what the spooler did and what the world's
    /// checks found.
    fn stepped(&mut self, _world: &World, _step: &Step<'_>) {}

    /// Something the world did that is no input to the spooler.
    fn noted(&mut self, _note: &Note<'_>) {}

    /// True once the policy wants nothing more fed: the world stops answering and moving.
    fn halted(&self) -> bool {
        false
    }

    /// Alters the effects of an accepted input before the monitor, the stores and the policy see
    /// them: a fault seeded into the world to show that the checks catch it.
    fn alter(&mut self, _effects: &mut Effects) {}

    /// Checks after every refused input that the spooler is exactly as it was, at the cost of a
    /// copy of the spooler per input (AMB-20: a refused input changes nothing).
    fn checks_refusals(&self) -> bool {
        false
    }

    /// What `XPProviderInit` returns (LIFE-1, VER-3).
    fn version(&mut self, _world: &World, _transport: TransportId) -> Result<SpiVersion, Hresult> {
        Ok(SpiVersion::CURRENT)
    }

    /// What the message service entry point returns for `MSG_SERVICE_CONFIGURE` (LIFE-6).
    fn configure(&mut self, _world: &World, _service: ServiceId) -> Hresult {
        Hresult::S_OK
    }

    /// What a transport does inside `TransportLogon` and what the call returns (LIFE-4 to
    /// LIFE-9, HOOK-1).
    fn logon(&mut self, _world: &World, _transport: TransportId) -> LogonAnswer {
        LogonAnswer::plain(Ok(LogonCaps::EMPTY))
    }

    /// What `AddressTypes` returns (ORD-1).
    fn registrations(&mut self, world: &World, transport: TransportId) -> Result<Registrations, Hresult>;

    /// The flags and result `TransportNotify` returns: the flags it was given and `S_OK`
    /// (LIFE-13).
    fn notify(&mut self, _world: &World, _transport: TransportId, flags: NotifyFlags) -> (NotifyFlags, Hresult) {
        (flags, Hresult::S_OK)
    }

    /// How a transport answers `SubmitMessage`: every offered recipient taken (SUB-28).
    fn submit(
        &mut self,
        world: &World,
        transport: TransportId,
        message: MessageId,
        flags: SubmitFlags,
        offered: &RecipientSet,
    ) -> Submission;

    /// What `EndMessage` returns (SUB-34).
    fn end(&mut self, _world: &World, _transport: TransportId, _msg_ref: MsgRef) -> Result<EndFlags, Hresult> {
        Ok(EndFlags::EMPTY)
    }

    /// How many inbound messages `Poll` counts (RCV-3).
    fn poll(&mut self, _world: &World, _transport: TransportId) -> u32 {
        0
    }

    /// What a transport does with the new message of `StartMessage` (RCV-5 to RCV-7, RCV-13).
    fn start(&mut self, _world: &World, _transport: TransportId, _message: MessageId) -> Start {
        Start::Empty
    }

    /// What `IXPLogon::ValidateState` returns outside a critical section (STAT-11); inside
    /// one the world answers `MAPI_E_BUSY` (STAT-13).
    fn validate(&mut self, _world: &World, _transport: TransportId) -> Hresult {
        Hresult::S_OK
    }

    /// The result of a call whose answer is only a result: `Idle`, `TransportLogoff`, `Shutdown`,
    /// `SpoolerLogon`, `RemovePreprocessInfo`, `Poll`, `OpenStatusEntry`, `FlushQueues`.
    fn result(&mut self, _world: &World, _call: &Call) -> Hresult {
        Hresult::S_OK
    }

    /// The recipients a preprocessor finds undeliverable (HOOK-2).
    fn preprocess(&mut self, _world: &World, _preprocessor: PreprocessorId, _message: MessageId) -> Result<RecipientSet, Hresult> {
        Ok(RecipientSet::new())
    }

    /// What an inbound hook does with a message (HOOK-13).
    fn hook(&mut self, _world: &World, _hook: HookId, _store: StoreId, _message: MessageId) -> Result<HookOutcome, Hresult> {
        Ok(HookOutcome::KEEP)
    }

    /// What the sent-mail hook does inside `FinishedMsg` (HOOK-10).
    fn sent_mail_hook(&mut self, _world: &World, _store: StoreId, _message: MessageId) -> SentMailHook {
        SentMailHook::None
    }

    /// An error a store returns instead of doing what it is asked; `None`, the default, lets
    /// the store do it (SUB-16, SUB-20, HOOK-7, RCV-4, RCV-10, DEF-6).
    fn store_fails(&mut self, _world: &World, _call: &Call) -> Option<Hresult> {
        None
    }

    /// The status row a transport knows it has: by default the row the spooler holds from its
    /// `ModifyStatusRow` calls (LIFE-9).
    fn status_row(&self, world: &World, transport: TransportId) -> Option<StatusCode> {
        world.status_row(transport)
    }

    /// The store a transport is tightly coupled with: it publishes it once its status row
    /// exists (TC-1).
    fn coupled_store(&self, _transport: TransportId) -> Option<StoreId> {
        None
    }
}

/// What a transport does inside `TransportLogon`, and what the call returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogonAnswer {
    /// What `TransportLogon` returns (LIFE-5, LIFE-6).
    pub result: Result<LogonCaps, Hresult>,
    /// Preprocessors it registers first (HOOK-1).
    pub preprocessors: Vec<PreprocessorFilter>,
    /// It creates its status row inside the call, as MRXP and Kopano do; otherwise right after
    /// `AddressTypes` (LIFE-9, AMB-31).
    pub row_now: bool,
}

impl LogonAnswer {
    /// This result, after creating the status row when it succeeds, with no preprocessor.
    #[must_use]
    pub fn plain(result: Result<LogonCaps, Hresult>) -> LogonAnswer {
        LogonAnswer { row_now: result.is_ok(), result, preprocessors: Vec::new() }
    }
}

/// How a transport answers `SubmitMessage`: the support calls it makes first, then the return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    /// It calls `SpoolerYield` first (SUB-35).
    pub yields: bool,
    /// It calls `SpoolerNotify(NOTIFY_CRITICAL_ERROR)` first (ERR-7).
    pub critical: bool,
    /// It calls `StatusRecips` with these reports first (SUB-30).
    pub reports: Vec<(crate::ids::RecipientIdx, ReportKind)>,
    /// What `SubmitMessage` returns; the recipients of a failure's `saved` set the transport
    /// saved itself before it failed (SUB-33).
    pub outcome: SubmitOutcome,
}

impl Submission {
    /// Only this return, with no support call first.
    #[must_use]
    pub fn returns(outcome: SubmitOutcome) -> Submission {
        Submission { yields: false, critical: false, reports: Vec::new(), outcome }
    }
}

/// What a transport does with the new message the spooler gives it in `StartMessage`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// It writes a message of this class into it and saves it (RCV-5).
    Saves(String),
    /// It has nothing (any more): it returns `S_OK` without saving (RCV-6).
    Empty,
    /// It fails with this error, saving nothing (RCV-7, RCV-13).
    Fails(Hresult),
}

/// One input the world fed the spooler, and what came of it.
#[derive(Debug)]
pub struct Step<'a> {
    /// The input.
    pub input: &'a Input,
    /// The spooler's effects, or why it refused the input.
    pub outcome: Result<&'a Effects, &'a Error>,
    /// What the world's checks found wrong with the step, if anything.
    pub breach: Option<&'a Breach>,
}

/// What the world's checks found wrong with a step of the spooler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Breach {
    /// The step broke the one-call-at-a-time contract (AMB-20): more than one call, a call while
    /// another was in flight, or a call in flight that is not the call made.
    OneCall(String),
    /// A refused input changed the spooler (AMB-20).
    ChangedByRefusal,
    /// The protocol monitor saw the spooler break a property.
    Violation(Violation),
}

impl std::fmt::Display for Breach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Breach::OneCall(text) => write!(f, "AMB-20: {text}"),
            Breach::ChangedByRefusal => f.write_str("AMB-20: a refused input changed the spooler"),
            Breach::Violation(violation) => write!(f, "{violation}"),
        }
    }
}

/// Something the world did that is no input to the spooler.
#[derive(Debug)]
pub enum Note<'a> {
    /// The client called `IMessage::SubmitMessage` on a draft to these recipients (SUB-1).
    Submitted {
        /// The store.
        store: StoreId,
        /// The draft's recipients.
        recipients: &'a [RecipientRow],
        /// The queue row of the new message, or the store's error.
        result: Result<&'a QueueRow, Hresult>,
    },
    /// The client called `IMsgStore::AbortSubmit` (DEF-6).
    Aborted {
        /// The store.
        store: StoreId,
        /// The message.
        message: MessageId,
        /// What the store returned.
        result: Hresult,
    },
    /// The client submitted to the tightly coupled store (TC-3, TC-4).
    SubmittedCoupled {
        /// The store.
        store: StoreId,
        /// What the pair did.
        result: &'a Result<TcSubmission, Hresult>,
    },
    /// The spooler process died, and its transports with it; the stores keep what they saved.
    Crashed,
    /// A transport wrote an inbound message of this class into the new message and saved it
    /// (RCV-5).
    Saved {
        /// The transport.
        transport: TransportId,
        /// The new message.
        message: MessageId,
        /// Its class.
        class: &'a str,
    },
    /// `FinishedMsg` unlocked a message and placed it (HOOK-7).
    Finished {
        /// The store.
        store: StoreId,
        /// The message.
        message: MessageId,
        /// Where it went.
        placement: Placement,
    },
    /// The coupled pair placed an inbound message of this class itself (RCV-16).
    Placed {
        /// The store.
        store: StoreId,
        /// The message.
        message: MessageId,
        /// Its class.
        class: &'a str,
    },
}
