//! A deterministic simulator: the spooler core driven end to end by scripted transports,
//! reference stores and a client, in logical time, with a readable call trace.
//!
//! The simulator is the world double ([`crate::world`]) with a scripted policy: everything it
//! chooses comes from the scripts or from a seeded generator, so a run is a pure function of its
//! configuration and seed.

mod coupled;
mod log;
mod rng;
mod script;
mod summary;

pub use rng::SplitMix64;
pub use script::{EndAnswer, SubmitAnswer, TransportScript};
pub use summary::Summary;

use crate::effect::{Call, Effect};
use crate::error::Error;
use crate::flags::{NotifyFlags, SpoolerNotifyFlags};
use crate::hresult::Hresult;
use crate::ids::{MessageId, PreprocessorId, ServiceId, StoreId, TransportId};
use crate::input::{Caller, Directions, Input, SessionRequest, SupportCall};
use crate::spooler::{Profile, Spooler};
use std::collections::VecDeque;

use crate::flags::StatusCode;
use crate::ids::Time;
use crate::input::HookOutcome;
use crate::monitor::Violation;
use crate::store::{Draft, ReferenceStore, SentMailHook};
use crate::world::World;

/// The simulator's policy: every transport answers from its script, then with the plain answers
/// (or, with random faults, a seeded random one); hooks answer from their lists; and what
/// happens is written to the log.
#[derive(Clone, Debug)]
struct Scripted {
    scripts: Vec<TransportScript>,
    services: Vec<ServiceId>,
    /// `TransportLogon` calls each transport answered so far, across restarts: a script can say
    /// that the logon after a restart fails.
    logons: Vec<usize>,
    /// The last message reference each transport wrote this session (SUB-27).
    refs: Vec<u64>,
    /// The owners of the preprocessors registered this session, by number (HOOK-1).
    preprocessor_owners: Vec<TransportId>,
    /// When the transports announce the deferred messages they hold (DEF-2).
    notices: Vec<(Time, TransportId, MessageId)>,
    /// The status row each transport wrote in its answers: a row written for it with
    /// [`super::Sim::feed`] is not its own doing, and it does not know of it (LIFE-9).
    rows: Vec<Option<StatusCode>>,
    /// The world is answering a call: what the transports do now is their own doing.
    answering: bool,
    sent_mail_hook: SentMailHook,
    /// What each inbound hook answers, in turn; an exhausted hook keeps the message (HOOK-13).
    hook_answers: Vec<VecDeque<HookOutcome>>,
    /// The tightly coupled pair of this world, if any (TC-1).
    coupling: Option<Coupling>,
    rng: SplitMix64,
    log: Log,
}

/// A store and the transport coupled with it (TC-1).
#[derive(Clone, Copy, Debug)]
struct Coupling {
    store: StoreId,
    transport: TransportId,
    /// The store hands fully served messages to the spooler with `CompleteMsg` (TC-3 (a))
    /// rather than finishing them alone (TC-3 (b)).
    hand_over: bool,
}

/// The simulator's record of a run.
#[derive(Clone, Debug, Default)]
struct Log {
    /// The names of the address types, for the trace: `addr_names[i]` is `AddrType(i)`.
    addr_names: Vec<String>,
    /// The call trace, one event per line.
    trace: Vec<String>,
    /// Every input, effect and crash, in order: the recorded trace (`crate::trace`).
    events: Vec<crate::trace::Event>,
    effects: Vec<Effect>,
    refused: Vec<Error>,
    violations: Vec<Violation>,
    submitted: Vec<(StoreId, MessageId)>,
}

/// The most inputs one [`Sim::run`] feeds before it gives up on a world that never settles.
const STEP_LIMIT: usize = 100_000;

/// A world around one spooler: transports, stores, a client and a clock.
#[derive(Clone, Debug)]
pub struct Sim {
    world: World,
    /// The spooler as it is before the session starts: what a restart after a crash begins
    /// with.
    pristine: Spooler,
    /// The profile the session runs with (the header of the recorded trace).
    profile: Profile,
    script: Scripted,
}

impl Sim {
    /// A world for this profile, with one script per transport entry.
    ///
    /// # Errors
    /// The profile's own errors, or [`crate::CallerError::Profile`] when the number of scripts
    /// differs from the number of transport entries.
    pub fn new(profile: &Profile, scripts: Vec<TransportScript>, seed: u64) -> Result<Sim, Error> {
        if scripts.len() != profile.transports.len() {
            return Err(crate::CallerError::Profile("one transport script per transport entry is needed").into());
        }
        let world = World::new(profile)?;
        Ok(Sim {
            pristine: world.spooler().clone(),
            world,
            profile: profile.clone(),
            script: Scripted {
                logons: vec![0; scripts.len()],
                refs: vec![0; scripts.len()],
                rows: vec![None; scripts.len()],
                answering: false,
                services: profile.transports.clone(),
                scripts,
                preprocessor_owners: Vec::new(),
                notices: Vec::new(),
                sent_mail_hook: SentMailHook::None,
                hook_answers: vec![VecDeque::new(); usize::from(profile.settings.inbound_hooks)],
                coupling: None,
                rng: SplitMix64::new(seed),
                log: Log::default(),
            },
        })
    }

    /// Names the address types for the trace: `names[i]` is `AddrType(i)`.
    #[must_use]
    pub fn with_address_names(mut self, names: &[&str]) -> Sim {
        self.script.log.addr_names = names.iter().map(|n| (*n).to_owned()).collect();
        self
    }

    /// The same world around a spooler and stores that make a deliberate mistake of the bug
    /// zoo (issue 3; see [`crate::zoo`]): the spooler keeps it across crashes. `None` is the
    /// correct spooler.
    #[cfg(feature = "bug-zoo")]
    #[must_use]
    pub fn with_bug(mut self, bug: Option<crate::zoo::Bug>) -> Sim {
        self.world = self.world.with_bug(bug);
        self.pristine = self.pristine.with_bug(bug);
        self
    }

    /// What the sent-mail hook does in every `FinishedMsg` (HOOK-10).
    #[must_use]
    pub fn with_sent_mail_hook(mut self, hook: SentMailHook) -> Sim {
        self.script.sent_mail_hook = hook;
        self
    }

    /// The world double the simulator drives.
    #[must_use]
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The spooler.
    #[must_use]
    pub fn spooler(&self) -> &Spooler {
        self.world.spooler()
    }

    /// A store.
    #[must_use]
    pub fn store(&self, s: StoreId) -> &ReferenceStore {
        self.world.store(s)
    }

    /// A store of the world, to set it up (receive folders, RCV-12).
    pub fn store_mut(&mut self, s: StoreId) -> &mut ReferenceStore {
        self.world.store_mut(s)
    }

    /// The messages submitted so far, in order.
    #[must_use]
    pub fn submitted(&self) -> &[(StoreId, MessageId)] {
        &self.script.log.submitted
    }

    /// The safety properties the spooler broke, as the [`crate::Monitor`] saw them.
    #[must_use]
    pub fn violations(&self) -> &[crate::Violation] {
        &self.script.log.violations
    }

    /// The inputs the spooler refused. A world that follows the documentation has none.
    #[must_use]
    pub fn refused(&self) -> &[Error] {
        &self.script.log.refused
    }

    /// Every effect of the spooler so far, in order.
    #[must_use]
    pub fn effects(&self) -> &[Effect] {
        &self.script.log.effects
    }

    /// Every call the spooler made so far, in order.
    pub fn calls(&self) -> impl Iterator<Item = &Call> {
        self.effects().iter().filter_map(Effect::as_call)
    }

    /// The numbered call trace, one event per line.
    #[must_use]
    pub fn trace(&self) -> String {
        self.script.log.trace.iter().enumerate().map(|(n, line)| format!("{:>4}  {line}\n", n + 1)).collect()
    }

    /// Every input, effect and crash so far, in order.
    #[must_use]
    pub fn events(&self) -> &[crate::trace::Event] {
        &self.script.log.events
    }

    /// The session as a recorded trace in the trace format (`spec/trace-format.md`): a header,
    /// then every input, effect and crash, one JSON object per line. It records every effect,
    /// and `mapi-spooler trace check` accepts it when the spooler refused nothing.
    #[must_use]
    pub fn recorded_trace(&self) -> String {
        let header = crate::trace::Header {
            profile: self.profile.clone(),
            recorded: crate::trace::Recorded::All,
            address_types: self.script.log.addr_names.clone(),
        };
        crate::trace::write(&header, self.events())
    }

    /// Counts of what happened to every submitted message and recipient.
    #[must_use]
    pub fn summary(&self) -> Summary {
        Summary::of(self)
    }

    /// The session starts: the spooler initializes everything. Runs until the world settles.
    pub fn start(&mut self) {
        self.world.start(&mut self.script);
        self.run();
    }

    /// The spooler process crashes, and with it the transports it had loaded: everything they
    /// remembered is gone, while the stores keep what was saved. A new spooler is created for
    /// the same profile; [`Sim::start`] starts it.
    pub fn crash(&mut self) {
        self.world.crash(self.pristine.clone(), &mut self.script);
        self.script.crashed();
    }

    /// Inbound mail of `class` arrives at a transport (RCV-1); a transport that is not polled
    /// announces it at once if its inbound traffic is enabled. Runs until the world settles.
    pub fn deliver(&mut self, transport: TransportId, class: &str) {
        self.script.log.trace.push(format!("{transport}: inbound mail of class {class} arrives"));
        self.script.scripts[transport.index()].inbound.push_back(class.to_owned());
        self.announce_mail(transport);
        self.run();
    }

    /// A pushing transport with mail waiting and inbound traffic enabled calls
    /// `SpoolerNotify(NOTIFY_NEWMAIL)` (RCV-1).
    fn announce_mail(&mut self, transport: TransportId) {
        let pushing = self.world.transport(transport).logon().is_some_and(|l| l.enabled.inbound && !l.polled);
        if pushing && !self.script.scripts[transport.index()].inbound.is_empty() {
            self.world.announce_mail(transport, &mut self.script);
        }
    }

    /// The session ends. Runs until the world settles.
    pub fn shutdown(&mut self) {
        self.feed(Input::Session(SessionRequest::Shutdown));
        self.run();
    }

    /// The system is idle (LIFE-11). Runs until the world settles.
    pub fn idle(&mut self) {
        self.feed(Input::SystemIdle);
        self.run();
    }

    /// The session enables or disables traffic on a transport. Runs until the world settles.
    pub fn set_traffic(&mut self, transport: TransportId, directions: Directions, enable: bool) {
        let request =
            if enable { SessionRequest::Enable { transport, directions } } else { SessionRequest::Disable { transport, directions } };
        self.feed(Input::Session(request));
        self.run();
    }

    /// A client submits a message to a store (SUB-1). The store tells the spooler if it
    /// watches the queue; the spooler is not run.
    ///
    /// # Errors
    /// What the store's `IMessage::SubmitMessage` returned.
    pub fn submit(&mut self, store: StoreId, draft: Draft) -> Result<MessageId, Hresult> {
        self.world.submit(store, draft, &mut self.script)
    }

    /// The client resends a message after its NDRs (DEF-12): the resend's draft comes from
    /// [`ReferenceStore::resend_draft`] and is submitted like any other. Before its first
    /// `PrepareSubmit` of the session the store calls `SpoolerNotify(NOTIFY_READYTOSEND)`
    /// (SUB-6). The spooler is not run.
    ///
    /// # Errors
    /// The store's refusal: see [`ReferenceStore::resend_draft`] and [`Sim::submit`].
    pub fn resend(&mut self, store: StoreId, original: MessageId) -> Result<MessageId, Hresult> {
        let draft = self.store(store).resend_draft(original)?;
        if self.world.store_mut(store).ready_to_send_due() {
            let flags = SpoolerNotifyFlags::NOTIFY_READYTOSEND;
            self.feed(Input::Support(SupportCall::SpoolerNotify { caller: Caller::Store(store), flags, message: None }));
        }
        self.script.log.trace.push(format!("client -> resend of {original} with MSGFLAG_RESEND; PrepareSubmit rewrote its recipients"));
        self.submit(store, draft)
    }

    /// A client aborts a submitted message with `AbortSubmit` (DEF-6). Returns the store's
    /// answer; the spooler is not run.
    pub fn abort(&mut self, store: StoreId, message: MessageId) -> Hresult {
        self.world.abort(store, message, &mut self.script)
    }

    /// Feeds one input, traces it and what it caused, and applies the effects to the stores.
    /// Returns false when the spooler refused it.
    pub fn feed(&mut self, input: Input) -> bool {
        self.world.feed(input, &mut self.script)
    }

    /// Answers the call in flight as the world would, and nothing more. Returns false when no
    /// call is in flight or the spooler refused the answer.
    pub fn answer_in_flight(&mut self) -> bool {
        match self.spooler().call_in_flight().cloned() {
            Some(call) => self.answer(&call),
            None => false,
        }
    }

    /// Runs the world until nothing more happens: answers every call, lets time pass to the
    /// next retry or deferred notification.
    pub fn run(&mut self) {
        self.run_until_call(|_| false);
    }

    /// Runs the world like [`Sim::run`], but stops, without answering it, as soon as the call in
    /// flight is one `stop_at` picks. Returns true if it stopped there, false if the world
    /// settled first. The call already in flight when it is called counts too, so calling it
    /// twice with the same predicate stops at the same call; answer it (with [`Sim::feed`]) or
    /// pick the next one with a predicate that skips it.
    pub fn run_until_call(&mut self, mut stop_at: impl FnMut(&Call) -> bool) -> bool {
        for _ in 0..STEP_LIMIT {
            if let Some(call) = self.spooler().call_in_flight().cloned() {
                if stop_at(&call) {
                    return true;
                }
                if !self.answer(&call) {
                    // A refused return would be offered again forever.
                    return false;
                }
                continue;
            }
            // DEF-2: a transport announces a deferred message it still holds when its time comes.
            let held = self.world.held();
            self.script.notices.retain(|(_, t, m)| held.contains(&(*t, *m)));
            let notice = self.script.notices.iter().map(|(at, _, _)| *at).min();
            let next = [self.spooler().next_deadline(), notice].into_iter().flatten().min();
            let Some(at) = next else { return false };
            let now = self.spooler().now();
            if at > now {
                let seconds = u32::try_from(at.0 - now.0).unwrap_or(u32::MAX);
                self.feed(Input::TimePassed { seconds });
            }
            self.fire_notices();
        }
        self.script.log.trace.push(format!("STOPPED: the world did not settle within {STEP_LIMIT} steps"));
        false
    }

    fn fire_notices(&mut self) {
        let now = self.spooler().now();
        let (due, later): (Vec<_>, Vec<_>) = self.script.notices.drain(..).partition(|(at, _, _)| *at <= now);
        self.script.notices = later;
        for (_, t, m) in due {
            self.world.sent_deferred(t, m, &mut self.script);
        }
    }

    /// Answers the call in flight as the world would. Returns false if the spooler refused
    /// the answer.
    fn answer(&mut self, call: &Call) -> bool {
        self.script.answering = true;
        let accepted = self.world.answer(&mut self.script);
        self.script.answering = false;
        if let (true, Call::TransportNotify { transport, flags, .. }) = (accepted, call)
            && flags.contains(NotifyFlags::NOTIFY_BEGIN_INBOUND)
        {
            self.announce_mail(*transport);
        }
        accepted
    }

    /// The preprocessor numbers registered so far, with their owners.
    #[must_use]
    pub fn preprocessors(&self) -> Vec<(PreprocessorId, TransportId)> {
        self.script.preprocessor_owners.iter().enumerate().map(|(p, t)| (PreprocessorId(p as u8), *t)).collect()
    }
}

/// One trace line for an input, as the simulator prints it.
#[must_use]
pub fn input_line(input: &Input) -> String {
    match input {
        Input::Session(request) => format!("session -> spooler.{request}"),
        Input::Return(ret) => format!("spooler <- {ret}"),
        Input::Support(call) => call.to_string(),
        Input::Queue(event) => event.to_string(),
        Input::TimePassed { seconds } => format!("time passes {seconds}s"),
        Input::SystemIdle => "system -> spooler: idle".to_owned(),
        Input::TransportOrder(order) => {
            let names: Vec<String> = order.iter().map(ToString::to_string).collect();
            format!("client -> MsgServiceTransportOrder([{}])", names.join(", "))
        }
        Input::Cancel(request) => request.to_string(),
        Input::Status(request) => request.to_string(),
    }
}

/// One trace line for an effect other than a call (`spooler -> ...` for calls).
#[must_use]
pub fn effect_line(effect: &Effect) -> String {
    match effect {
        Effect::Call(call) => format!("spooler -> {call}"),
        Effect::Report { .. } => format!("MAPI: {effect}"),
        _ => format!("spooler: {effect}"),
    }
}
