//! The spooler: one value holding everything the spooler remembers, and [`Spooler::step`].
//!
//! This file holds the [`Spooler`] value, `step`, which hands each input to the module that
//! handles it and then asks `schedule` for the next call, the same two halves apart for a
//! caller that makes the spooler's choices itself (`accept`, `choices`, `decide`), and the
//! accessors and small state types the modules share. The modules below it depend on one another in one direction only,
//! by `use` and by the methods they call; each uses only modules of a lower layer:
//!
//! 1. State, knowing no other module: `messages` (the outbound messages and their recipients)
//!    and `transport` (each transport's lifecycle, what its logon is doing, and
//!    `Logon::may`, the one rule for what a logon may be called for).
//! 2. Topics using only this file: `routes` (the assignment scan), `logoff` (a store's logoff),
//!    `hooks` (inbound hooks), `choice` (the spooler's choices as data, and who takes them).
//! 3. Topics using layers 1 and 2: `cancel` (the user's cancel), `flush` (a transport's flush),
//!    `queue` (the outgoing queues), `coupled` (the tightly coupled store), `inbound`
//!    (reception), `submit` (one attempt to hand a message to a transport).
//! 4. `status` (status objects), which uses `flush`.
//! 5. The three entry points: `returns` (the return of the call in flight), `support` (a
//!    support call), `schedule` (the next call).
//! 6. Read-only: `view` (what drivers and tests see), `symmetry` (renaming for the checker).

/// True when the spooler carries the bug zoo's bug `$name` (see [`crate::zoo`]): each injection
/// site reads `if bug!(self, Name) { .. }`. Without the `bug-zoo` feature it is `false`, so the
/// correct code path is all there is.
#[cfg(feature = "bug-zoo")]
macro_rules! bug {
    ($spooler:expr, $name:ident) => {
        $spooler.bug == Some(crate::zoo::Bug::$name)
    };
}

/// Without the `bug-zoo` feature there is no bug.
#[cfg(not(feature = "bug-zoo"))]
macro_rules! bug {
    ($spooler:expr, $name:ident) => {
        false
    };
}

mod cancel;
mod choice;
mod coupled;
mod flush;
mod hooks;
mod inbound;
#[cfg(test)]
mod layering;
mod logoff;
mod messages;
mod queue;
mod returns;
mod routes;
mod schedule;
mod status;
mod submit;
mod support;
mod symmetry;
mod transport;
mod view;

pub use choice::{Choice, NotAChoice, Skip};
pub use flush::FlushView;
pub use transport::Ending;
pub use view::ResourceType;
pub use view::{MessageView, RecipientView, StatusResource, StatusRow, TransportView};

use crate::effect::{Call, Effects};
use crate::error::{CallerError, Error};
use crate::flags::{LogonFlags, XpInitFlags};
use crate::ids::{MessageId, RecipientIdx, ServiceId, StoreId, Time, TransportId};
use crate::input::{Directions, Input, ReportKind, SessionRequest};
use crate::recipients::{RecipientSet, TransportSet};
use crate::routing::{PreprocessorFilter, Registrations};
use crate::version::VersionRange;

use choice::{Chooser, Collect, First, Pick};
use messages::Messages;
use transport::{Life, Logon, Purpose, Transport};

/// The receive store (DEC-24).
pub(crate) const RECEIVE_STORE: StoreId = StoreId(0);

/// What the spooler is configured with: the profile's transports and stores, and the spooler's
/// own choices where the documentation leaves them open.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Profile {
    /// The transport provider entries, in profile order, which is also the initial transport
    /// order (ORD-4, ORD-7): each names its message service (LIFE-6).
    pub transports: Vec<ServiceId>,
    /// The number of mail-enabled stores the spooler logs on to (LIFE-19). A store opened with
    /// `MDB_NO_MAIL` is not announced to the spooler and does not count.
    pub stores: u8,
    /// The spooler's own settings.
    pub settings: Settings,
}

/// The spooler's own choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Settings {
    /// MAPI's SPI version and the oldest provider version it accepts (VER-3, VER-4).
    pub versions: VersionRange,
    /// `ulFlags` of `XPProviderInit`: `MAPI_NT_SERVICE` inside a Windows service (LIFE-2).
    pub init_flags: XpInitFlags,
    /// The input flags of `TransportLogon`. At the first logon the stores are not open yet, so
    /// the spooler passes `LOGON_NO_INBOUND | LOGON_NO_OUTBOUND` and enables traffic later
    /// (LIFE-4).
    pub logon_flags: LogonFlags,
    /// The directions the spooler enables once the stores are open (LIFE-10).
    pub enable: Directions,
    /// Seconds before a message is offered again to a transport that answered `MAPI_E_BUSY`
    /// (ERR-2; the documentation only says "later", AMB-36).
    pub busy_retry_secs: u32,
    /// Seconds before a message is offered again after `END_RESEND_LATER` (DEF-3, AMB-18).
    pub resend_later_secs: u32,
    /// Seconds before a message is offered again after a `SubmitMessage` error the
    /// documentation does not name (ERR-7).
    pub failure_retry_secs: u32,
    /// How many hook providers of the profile asked for inbound mail (`MAPI_HOOK_PROVIDER`
    /// rows with `HOOK_INBOUND`, HOOK-6): the spooler calls `InboundMsgHook` of hooks
    /// `H0` .. on every received message, in that order (HOOK-13, DEC-42).
    pub inbound_hooks: u8,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            versions: VersionRange::default(),
            init_flags: XpInitFlags::EMPTY,
            logon_flags: LogonFlags::LOGON_NO_INBOUND | LogonFlags::LOGON_NO_OUTBOUND,
            enable: Directions::BOTH,
            busy_retry_secs: 1,
            resend_later_secs: 60,
            failure_retry_secs: 60,
            inbound_hooks: 0,
        }
    }
}

impl Profile {
    /// A profile of `transports` transports, each its own message service, and one store, with
    /// default settings.
    #[must_use]
    pub fn new(transports: u8) -> Profile {
        Profile { transports: (0..transports).map(ServiceId).collect(), stores: 1, settings: Settings::default() }
    }
}

/// A kind of work the spooler may have due while it runs (DEC-20).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Work {
    /// Transport housekeeping: releasing a transport that must go, querying address types
    /// again, enabling or disabling traffic (LIFE-10 to LIFE-17, ORD-9).
    Transports,
    /// Work on locked messages: preprocessing, offering recipients, clean-up, `FinishedMsg`
    /// (SUB-12, SUB-21 to SUB-26).
    Messages,
    /// Locking the next queued message (SUB-19, SUB-20).
    Locking,
}

/// The order in which a running spooler takes up the kinds of work that are due at once. The
/// documentation does not fix it (FREE-1); the reference uses [`Priorities::REFERENCE`] (DEC-20),
/// and [`Spooler::step_with`] takes a whole step in another fixed order. [`Spooler::choices`]
/// goes further: every due call in any order, with the other choices of `spec/freedom.md`; the
/// trace checker follows those. `Idle` always comes last here (LIFE-11: idle time only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Priorities(pub [Work; 3]);

impl Priorities {
    /// The reference's order: transports, then messages, then locking (DEC-20).
    pub const REFERENCE: Priorities = Priorities([Work::Transports, Work::Messages, Work::Locking]);

    /// Every order, the reference's first.
    pub const ALL: [Priorities; 6] = [
        Priorities::REFERENCE,
        Priorities([Work::Transports, Work::Locking, Work::Messages]),
        Priorities([Work::Messages, Work::Transports, Work::Locking]),
        Priorities([Work::Messages, Work::Locking, Work::Transports]),
        Priorities([Work::Locking, Work::Transports, Work::Messages]),
        Priorities([Work::Locking, Work::Messages, Work::Transports]),
    ];
}

/// The spooler's phase in the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Created; waiting for [`SessionRequest::Start`].
    Created,
    /// Initializing and logging on the transports, then opening the stores (LIFE-1 to LIFE-10,
    /// LIFE-19).
    Starting,
    /// Moving mail.
    Running,
    /// The session is ending: finishing or handing back messages, then disabling, logging off
    /// and shutting down the transports (LIFE-12 to LIFE-16).
    Stopping,
    /// Every provider is released; nothing more happens.
    Stopped,
}

/// Where the spooler is with a mail-enabled store (LIFE-19, SUB-16).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum StoreState {
    /// `SpoolerLogon` is due.
    Closed,
    /// Logged on; `GetOutgoingQueue` is due.
    LoggedOn,
    /// The outgoing queue is open: its table notifications reach the spooler.
    Watching,
    /// `SpoolerLogon` returned `MAPI_E_UNCONFIGURED`: the store is not served this session.
    Unserved,
}

/// A registered preprocessor (HOOK-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Preprocessor {
    /// The transport that registered it.
    pub owner: TransportId,
    /// Which recipients it wants (ORD-11).
    pub filter: PreprocessorFilter,
}

/// Where the assignment scan sends a recipient next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    /// The first match that has not declined it (ORD-4).
    To(TransportId),
    /// Only transports that are out of service for the session could take it: it waits
    /// (ORD-10).
    Wait,
    /// Every transport that matches declined it, or none matches: an NDR is due (SUB-25).
    Undeliverable,
}

/// The inbound message being fetched (one at a time, AMB-20; see `inbound`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Inbound {
    /// `CreateMessage` is in flight for this transport's next message.
    Creating(TransportId),
    /// The message exists, unsaved; `StartMessage` is due.
    Created(TransportId, MessageId),
    /// `StartMessage` is in flight; `cancelled` once the user cancelled it (RCV-13).
    Starting {
        /// The transport delivering into the message.
        transport: TransportId,
        /// The message.
        message: MessageId,
        /// The user cancelled the transfer (RCV-13).
        cancelled: bool,
    },
    /// The message is in the store: a transport saved it, or a tightly coupled store placed it
    /// (RCV-16). The inbound hooks from number `next` on are still due, then `NotifyNewMail`
    /// (HOOK-13, RCV-11).
    Hooking {
        /// The store holding the message.
        store: StoreId,
        /// The message.
        message: MessageId,
        /// The next inbound hook to call.
        next: u8,
    },
}

impl Inbound {
    /// True when this fetch is about that message of that store.
    pub(crate) fn names(self, s: StoreId, m: MessageId) -> bool {
        match self {
            Inbound::Creating(_) => false,
            Inbound::Created(_, message) | Inbound::Starting { message, .. } => s == RECEIVE_STORE && m == message,
            Inbound::Hooking { store, message, .. } => s == store && m == message,
        }
    }

    /// True when this fetch brings a message into that store.
    pub(crate) fn into_store(self, s: StoreId) -> bool {
        match self {
            Inbound::Creating(_) | Inbound::Created(..) | Inbound::Starting { .. } => s == RECEIVE_STORE,
            Inbound::Hooking { store, .. } => s == store,
        }
    }
}

/// The synchronous call in flight, with what its return needs to be judged.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum InFlight {
    /// A call whose return is judged by the call's own arguments (those of reception also by
    /// [`Inbound`], the fetch it belongs to).
    Plain(Call),
    /// `SubmitMessage`: the offered recipients, whether this is a `BEGIN_DEFERRED` submission,
    /// and the reports the transport asked for with `StatusRecips` so far.
    Submit { call: Call, message: MessageId, offered: RecipientSet, deferred: bool, reports: Vec<(RecipientIdx, ReportKind)> },
    /// `EndMessage`: the attempt it ends.
    End { call: Call, message: MessageId, offered: RecipientSet, accepted: RecipientSet, deferred: bool },
}

impl InFlight {
    pub(crate) fn call(&self) -> &Call {
        match self {
            InFlight::Plain(call) | InFlight::Submit { call, .. } | InFlight::End { call, .. } => call,
        }
    }
}

/// The MAPI spooler as a pure state machine.
///
/// Feed it [`Input`]s with [`Spooler::step`]; it answers with the [`crate::Effect`]s they
/// cause, or refuses the input with an [`Error`] and stays exactly as it was. It holds only what
/// the spooler process remembers: a crash is modelled by dropping the value and starting a new
/// one against the same store contents.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spooler {
    settings: Settings,
    phase: Phase,
    now: Time,
    in_flight: Option<InFlight>,
    transports: Vec<Transport>,
    order: Vec<TransportId>,
    stores: Vec<StoreState>,
    preprocessors: Vec<Preprocessor>,
    messages: Messages,
    /// The inbound message being fetched, if any (RCV-4 to RCV-10).
    inbound: Option<Inbound>,
    /// Cancelled messages the spooler has unlocked, for its own `AbortSubmit` (DEC-27).
    aborting: Vec<MessageId>,
    /// Messages tightly coupled stores placed and announced with `NOTIFY_NEWMAIL_RECEIVED`,
    /// waiting for their hooks and `NotifyNewMail` (RCV-16).
    arrivals: Vec<(StoreId, MessageId)>,
    /// Where each store is in its logoff (LIFE-20).
    logoffs: Vec<logoff::Logoff>,
    /// The synchronous client call of the spooler's status object being served (STAT-11,
    /// STAT-17).
    pending: Option<status::Pending>,
    /// Transport rows a client opened, waiting for `OpenStatusEntry` (STAT-10).
    opening: TransportSet,
    /// The deliberate mistake this spooler makes, if any (the bug zoo).
    #[cfg(feature = "bug-zoo")]
    bug: Option<crate::zoo::Bug>,
}

impl Spooler {
    /// A spooler for this profile, before the session starts.
    ///
    /// # Errors
    /// [`CallerError::Profile`] when the profile has more transports or services than the
    /// reference tracks (64 each).
    pub fn new(profile: &Profile) -> Result<Spooler, Error> {
        if profile.transports.len() > TransportSet::CAPACITY {
            return Err(CallerError::Profile("more than 64 transports").into());
        }
        if profile.transports.iter().any(|s| s.index() >= 64) {
            return Err(CallerError::Profile("a service number of 64 or more").into());
        }
        Ok(Spooler {
            settings: profile.settings,
            phase: Phase::Created,
            now: Time::default(),
            in_flight: None,
            transports: profile
                .transports
                .iter()
                .map(|&service| Transport { service, life: Life::NotLoaded, registrations: None })
                .collect(),
            order: (0..profile.transports.len()).map(|i| TransportId(i as u8)).collect(),
            stores: vec![StoreState::Closed; usize::from(profile.stores)],
            preprocessors: Vec::new(),
            messages: Messages::default(),
            inbound: None,
            aborting: Vec::new(),
            arrivals: Vec::new(),
            logoffs: vec![logoff::Logoff::Open; usize::from(profile.stores)],
            pending: None,
            opening: TransportSet::EMPTY,
            #[cfg(feature = "bug-zoo")]
            bug: None,
        })
    }

    /// The same spooler with a deliberate mistake of the bug zoo (issue 3: the model checker
    /// must catch each one with the property it breaks, [`crate::zoo::Bug::breaks`]); `None`
    /// is the correct spooler. A bug of the store's part ([`crate::zoo::Bug::IgnoreDeleteAfterSubmit`])
    /// changes nothing here: it belongs to [`crate::store::ReferenceStore::with_bug`].
    #[cfg(feature = "bug-zoo")]
    #[must_use]
    pub fn with_bug(mut self, bug: Option<crate::zoo::Bug>) -> Spooler {
        self.bug = bug;
        self
    }

    /// Handles one input and returns what the spooler does about it, in order. At most one of
    /// the effects is an [`crate::Effect::Call`], and only when no call was in flight before.
    ///
    /// # Errors
    /// The input is refused and the spooler is unchanged: see [`Error`] for who was at fault.
    pub fn step(&mut self, input: Input) -> Result<Effects, Error> {
        self.step_with(input, Priorities::REFERENCE)
    }

    /// [`Spooler::step`], taking up due work in the order `priorities` gives when several
    /// kinds are due (DEC-20 leaves the order open; the trace checker uses this to accept a
    /// recorded spooler that chose another order).
    ///
    /// # Errors
    /// As [`Spooler::step`].
    pub fn step_with(&mut self, input: Input, priorities: Priorities) -> Result<Effects, Error> {
        let mut fx = self.on_input(input)?;
        self.advance(&mut fx, priorities, &mut First);
        if self.client_waits() {
            self.answer_clients(&mut fx);
        }
        Ok(fx)
    }

    /// The input half of [`Spooler::step`], for a caller that makes the spooler's choices
    /// itself (issue 14, `spec/freedom.md`): the spooler takes the input and does what it
    /// causes, but makes no call yet. When a call is due, the state has a pending choice:
    /// [`Spooler::choices`] lists it and [`Spooler::decide`] takes one (more inputs may come
    /// meanwhile, as they do from other threads). When none is due, the spooler has already
    /// done what `step` would do after the input. `accept` then `decide` with the first of
    /// the choices is `step`, effect for effect.
    ///
    /// # Errors
    /// As [`Spooler::step`]: the input is refused and the spooler is unchanged.
    pub fn accept(&mut self, input: Input) -> Result<Effects, Error> {
        let mut fx = self.on_input(input)?;
        self.settle_unless_due(&mut fx);
        Ok(fx)
    }

    /// Every choice the spooler has now, the reference's first (empty when a call is in flight
    /// or nothing is due): each call that is due and legal, in each form the documentation
    /// allows, and the due work that may be passed over (see [`Choice`] for the FREE rows
    /// each covers). A `SubmitMessage` is listed with every part of its recipients when it
    /// offers at most four; [`Spooler::decide`] takes any part.
    #[must_use]
    pub fn choices(&self) -> Vec<Choice> {
        if self.in_flight.is_some() {
            return Vec::new();
        }
        let mut probe = self.clone();
        let mut collect = Collect::default();
        probe.schedule(&mut Effects::new(), Priorities::REFERENCE, &mut collect);
        collect.0
    }

    /// Takes one of [`Spooler::choices`]: makes its call (or passes the due work over, for a
    /// [`Choice::Skip`]) after the steps that need no call on the way, and returns the effects,
    /// the call among them.
    ///
    /// # Errors
    /// [`NotAChoice`] when the spooler does not have that choice now; it is then unchanged.
    pub fn decide(&mut self, choice: &Choice) -> Result<Effects, NotAChoice> {
        if self.in_flight.is_some() {
            return Err(NotAChoice(choice.clone()));
        }
        let before = self.clone();
        let taken = self.take(choice);
        if taken.is_err() {
            *self = before;
        }
        taken
    }

    /// [`Spooler::decide`] for a caller that drops the spooler when the choice is not one it
    /// has (the trace checker, which decides on copies): the spooler is then left half-way.
    pub(crate) fn take(&mut self, choice: &Choice) -> Result<Effects, NotAChoice> {
        let mut fx = Effects::new();
        let mut pick = Pick { choice, passed: 0 };
        let Some(candidate) = self.in_flight.is_none().then(|| self.schedule(&mut fx, Priorities::REFERENCE, &mut pick)).flatten() else {
            return Err(NotAChoice(choice.clone()));
        };
        match choice {
            Choice::Skip(skip) => {
                self.skip(*skip);
                self.settle_unless_due(&mut fx);
            }
            Choice::Call(_) | Choice::Fetch(_) => {
                let candidate = schedule::as_chosen(candidate, choice);
                self.commit(&candidate);
                fx.push(crate::effect::Effect::Call(candidate.next.call().clone()));
                self.in_flight = Some(candidate.next);
                if self.client_waits() {
                    self.answer_clients(&mut fx);
                }
            }
        }
        Ok(fx)
    }

    /// When no call is due, does what `step` does after an input: the steps that need no
    /// call, and the answers to clients whose work is over. When one is due, does nothing: the
    /// choice is pending.
    fn settle_unless_due(&mut self, fx: &mut Effects) {
        if self.in_flight.is_none() {
            self.end_startup();
            let mut probe = self.clone();
            let mut probed = Effects::new();
            if probe.schedule(&mut probed, Priorities::REFERENCE, &mut First).is_some() {
                return;
            }
            *self = probe;
            fx.extend(probed);
        }
        if self.client_waits() {
            self.answer_clients(fx);
        }
    }

    /// Checks an input and does what it causes, up to the call it makes.
    fn on_input(&mut self, input: Input) -> Result<Effects, Error> {
        let mut fx = Effects::new();
        match self.phase {
            Phase::Created if !matches!(input, Input::Session(SessionRequest::Start)) => {
                return Err(CallerError::NotStarted { got: input_name(&input) }.into());
            }
            Phase::Stopped => return Err(CallerError::Stopped { got: input_name(&input) }.into()),
            _ => {}
        }
        match input {
            Input::Session(request) => self.on_session(request)?,
            Input::Return(ret) => self.on_return(ret, &mut fx)?,
            Input::Support(call) => self.on_support(call, &mut fx)?,
            Input::Queue(event) => self.on_queue(event)?,
            Input::TimePassed { seconds } => {
                self.now = self.now.after(seconds);
                self.polls_due();
            }
            Input::SystemIdle => {
                self.on_system_idle();
                self.polls_due();
            }
            Input::TransportOrder(order) => self.set_transport_order(order)?,
            Input::Cancel(request) => self.on_cancel(request, &mut fx)?,
            Input::Status(request) => self.on_status(request, &mut fx)?,
        }
        // STAT-11, STAT-17: a client waiting for work that is over gets its answer, also when
        // the work ended with the session.
        if self.client_waits() {
            self.answer_clients(&mut fx);
        }
        Ok(fx)
    }

    fn on_session(&mut self, request: SessionRequest) -> Result<(), Error> {
        match request {
            SessionRequest::Start => {
                if self.phase != Phase::Created {
                    return Err(CallerError::AlreadyStarted.into());
                }
                self.phase = Phase::Starting;
            }
            SessionRequest::Enable { transport, directions } | SessionRequest::Disable { transport, directions } => {
                let enable = matches!(request, SessionRequest::Enable { .. });
                if self.phase == Phase::Stopping {
                    return Err(CallerError::ShuttingDown { got: if enable { "Enable" } else { "Disable" } }.into());
                }
                if directions == Directions::NONE {
                    return Err(CallerError::NoDirection.into());
                }
                let logon = self.transport_mut(transport)?.logon_mut().filter(|l| l.may(Purpose::Work));
                let logon = logon.ok_or(CallerError::NotLoggedOn(transport))?;
                if directions.inbound {
                    logon.wanted.inbound = enable;
                }
                if directions.outbound {
                    logon.wanted.outbound = enable;
                }
            }
            SessionRequest::Shutdown => {
                if self.phase == Phase::Stopping {
                    return Err(CallerError::ShuttingDown { got: "Shutdown" }.into());
                }
                self.phase = Phase::Stopping;
            }
        }
        Ok(())
    }

    /// ORD-7, ERR-15, DEC-26: the new order must name every transport entry once; it applies
    /// to every offer from now on.
    fn set_transport_order(&mut self, order: Vec<TransportId>) -> Result<(), Error> {
        if order.len() != self.transports.len() {
            return Err(CallerError::TransportOrderCount { expected: self.transports.len(), got: order.len() }.into());
        }
        let mut seen = TransportSet::EMPTY;
        for &t in &order {
            if t.index() >= self.transports.len() {
                return Err(CallerError::TransportOrderList(t, "is not a transport of the profile").into());
            }
            if seen.contains(t) {
                return Err(CallerError::TransportOrderList(t, "is listed twice").into());
            }
            seen.insert(t);
        }
        self.order = order;
        Ok(())
    }

    fn on_system_idle(&mut self) {
        // LIFE-11: Idle only for logons that returned LOGON_SP_IDLE, whenever the system is idle.
        for transport in &mut self.transports {
            if let Some(logon) = transport.logon_mut()
                && logon.caps.contains(crate::flags::LogonCaps::LOGON_SP_IDLE)
            {
                logon.idle_due = true;
            }
        }
    }

    /// Makes the next call the chooser takes, if there is something to do and nothing in
    /// flight.
    fn advance<C: Chooser>(&mut self, fx: &mut Effects, priorities: Priorities, chooser: &mut C) {
        if self.in_flight.is_none()
            && let Some(next) = self.schedule(fx, priorities, chooser)
        {
            self.commit(&next);
            fx.push(crate::effect::Effect::Call(next.next.call().clone()));
            self.in_flight = Some(next.next);
        }
    }

    fn transport_mut(&mut self, t: TransportId) -> Result<&mut Transport, Error> {
        self.transports.get_mut(t.index()).ok_or_else(|| CallerError::UnknownTransport(t).into())
    }

    /// The logon of a transport, if it has one.
    fn logon(&self, t: TransportId) -> Option<&Logon> {
        self.transports.get(t.index()).and_then(Transport::logon)
    }

    /// The logon of a transport calling its support object; without one, the support object
    /// is invalid (ERR-17).
    fn live_logon_mut(&mut self, t: TransportId, call: &'static str) -> Result<&mut Logon, Error> {
        self.transport_mut(t)?.logon_mut().ok_or_else(|| Error::provider(t, crate::error::ProviderFault::NoLogon { call }))
    }

    fn check_store(&self, s: StoreId) -> Result<StoreState, Error> {
        self.stores.get(s.index()).copied().ok_or_else(|| CallerError::UnknownStore(s).into())
    }

    /// The registrations of a transport that takes part in the assignment scan (ORD-4): one
    /// whose logon is registered and still serving.
    fn registrations(&self, t: TransportId) -> Option<&Registrations> {
        let transport = self.transports.get(t.index())?;
        transport.logon().filter(|l| l.may(Purpose::Work)).and(transport.registrations.as_ref())
    }
}

fn input_name(input: &Input) -> &'static str {
    match input {
        Input::Session(SessionRequest::Start) => "SessionRequest::Start",
        Input::Session(SessionRequest::Enable { .. }) => "SessionRequest::Enable",
        Input::Session(SessionRequest::Disable { .. }) => "SessionRequest::Disable",
        Input::Session(SessionRequest::Shutdown) => "SessionRequest::Shutdown",
        Input::Return(ret) => ret.method(),
        Input::Support(_) => "a support call",
        Input::Queue(_) => "a queue notification",
        Input::TimePassed { .. } => "TimePassed",
        Input::SystemIdle => "SystemIdle",
        Input::TransportOrder(_) => "MsgServiceTransportOrder",
        Input::Cancel(_) => "a user's cancel",
        Input::Status(request) => request.method(),
    }
}
