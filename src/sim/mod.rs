//! A deterministic simulator: the spooler core driven end to end by scripted transports,
//! reference stores and a client, in logical time, with a readable call trace.
//!
//! Everything the simulator chooses comes from the scripts or from a seeded generator, so a run
//! is a pure function of its configuration and seed.

mod coupled;
mod rng;
mod script;
mod summary;

pub use rng::SplitMix64;
pub use script::{EndAnswer, SubmitAnswer, TransportScript};
pub use summary::Summary;

use crate::effect::{Call, Effect};
use crate::error::Error;
use crate::flags::{EndFlags, NotifyFlags, SpoolerNotifyFlags, StatusCode, StatusRowFlags};
use crate::hresult::Hresult;
use crate::ids::{MessageId, MsgRef, PreprocessorId, RecipientIdx, StoreId, Time, TransportId};
use crate::input::{Caller, Directions, Input, QueueEvent, Return, SessionRequest, SubmitOutcome, SupportCall};
use crate::recipients::RecipientSet;
use crate::spooler::{Profile, Spooler};
use crate::store::{Draft, ReferenceStore, SentMailHook};

/// What the simulator remembers about one transport besides its script.
#[derive(Clone, Debug, Default)]
struct Runtime {
    logons: usize,
    row: Option<StatusCode>,
    next_ref: u64,
    in_progress: Option<MessageId>,
    /// The logon returned `LOGON_SP_POLL`: it waits to be polled instead of notifying.
    polled: bool,
    /// Its inbound traffic is enabled (RCV-2).
    inbound_on: bool,
}

/// The most inputs one [`Sim::run`] feeds before it gives up on a world that never settles.
const STEP_LIMIT: usize = 100_000;

/// A world around one spooler: transports, stores, a client and a clock.
#[derive(Clone, Debug)]
pub struct Sim {
    spooler: Spooler,
    monitor: crate::Monitor,
    violations: Vec<crate::Violation>,
    /// The spooler as it is before the session starts: what a restart after a crash begins
    /// with.
    pristine: Spooler,
    stores: Vec<ReferenceStore>,
    scripts: Vec<TransportScript>,
    services: Vec<crate::ids::ServiceId>,
    runtime: Vec<Runtime>,
    preprocessor_owners: Vec<TransportId>,
    addr_names: Vec<String>,
    deferred_notices: Vec<(Time, TransportId, MessageId)>,
    sent_mail_hook: SentMailHook,
    rng: SplitMix64,
    trace: Vec<String>,
    /// The profile the session runs with (the header of the recorded trace).
    profile: Profile,
    /// Every input, effect and crash, in order: the recorded trace (`crate::trace`).
    log: Vec<crate::trace::Event>,
    effects: Vec<Effect>,
    refused: Vec<Error>,
    submitted: Vec<(StoreId, MessageId)>,
    /// The transport of the call in flight got `NOTIFY_CANCEL_MESSAGE` for it: it stops and
    /// returns `MAPI_E_USER_CANCEL`, keeping an inbound item for later (DEF-7, RCV-13).
    cancel_seen: bool,
    /// What each inbound hook answers, in turn; an exhausted hook keeps the message
    /// (HOOK-13).
    hook_answers: Vec<std::collections::VecDeque<crate::input::HookOutcome>>,
    /// The tightly coupled pair of this world, if any (TC-1).
    coupling: Option<coupled::Coupling>,
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
        let spooler = Spooler::new(profile)?;
        let stores = (0..profile.stores).map(|s| ReferenceStore::new(StoreId(s), 1 + u32::from(s) * 1_000_000)).collect();
        Ok(Sim {
            monitor: crate::Monitor::new(profile),
            violations: Vec::new(),
            pristine: spooler.clone(),
            spooler,
            stores,
            runtime: vec![Runtime::default(); scripts.len()],
            services: profile.transports.clone(),
            scripts,
            preprocessor_owners: Vec::new(),
            addr_names: Vec::new(),
            deferred_notices: Vec::new(),
            sent_mail_hook: SentMailHook::None,
            rng: SplitMix64::new(seed),
            trace: Vec::new(),
            profile: profile.clone(),
            log: Vec::new(),
            effects: Vec::new(),
            refused: Vec::new(),
            submitted: Vec::new(),
            cancel_seen: false,
            hook_answers: vec![std::collections::VecDeque::new(); usize::from(profile.settings.inbound_hooks)],
            coupling: None,
        })
    }

    /// Names the address types for the trace: `names[i]` is `AddrType(i)`.
    #[must_use]
    pub fn with_address_names(mut self, names: &[&str]) -> Sim {
        self.addr_names = names.iter().map(|n| (*n).to_owned()).collect();
        self
    }

    /// The same world around a spooler and stores that make a deliberate mistake of the bug
    /// zoo (issue 3; see [`crate::zoo`]): the spooler keeps it across crashes. `None` is the
    /// correct spooler.
    #[cfg(feature = "bug-zoo")]
    #[must_use]
    pub fn with_bug(mut self, bug: Option<crate::zoo::Bug>) -> Sim {
        self.spooler = self.spooler.with_bug(bug);
        self.pristine = self.pristine.with_bug(bug);
        self.stores = self.stores.into_iter().map(|s| s.with_bug(bug)).collect();
        self
    }

    /// What the sent-mail hook does in every `FinishedMsg` (HOOK-10).
    #[must_use]
    pub fn with_sent_mail_hook(mut self, hook: SentMailHook) -> Sim {
        self.sent_mail_hook = hook;
        self
    }

    /// The spooler.
    #[must_use]
    pub fn spooler(&self) -> &Spooler {
        &self.spooler
    }

    /// A store.
    #[must_use]
    pub fn store(&self, s: StoreId) -> &ReferenceStore {
        &self.stores[s.index()]
    }

    /// A store of the world, to set it up (receive folders, RCV-12).
    pub fn store_mut(&mut self, s: StoreId) -> &mut ReferenceStore {
        &mut self.stores[s.index()]
    }

    /// The messages submitted so far, in order.
    #[must_use]
    pub fn submitted(&self) -> &[(StoreId, MessageId)] {
        &self.submitted
    }

    /// The safety properties the spooler broke, as the [`crate::Monitor`] saw them.
    #[must_use]
    pub fn violations(&self) -> &[crate::Violation] {
        &self.violations
    }

    /// The inputs the spooler refused. A world that follows the documentation has none.
    #[must_use]
    pub fn refused(&self) -> &[Error] {
        &self.refused
    }

    /// Every effect of the spooler so far, in order.
    #[must_use]
    pub fn effects(&self) -> &[Effect] {
        &self.effects
    }

    /// Every call the spooler made so far, in order.
    pub fn calls(&self) -> impl Iterator<Item = &Call> {
        self.effects.iter().filter_map(|e| match e {
            Effect::Call(call) => Some(call),
            _ => None,
        })
    }

    /// The numbered call trace, one event per line.
    #[must_use]
    pub fn trace(&self) -> String {
        self.trace.iter().enumerate().map(|(n, line)| format!("{:>4}  {line}\n", n + 1)).collect()
    }

    /// Every input, effect and crash so far, in order.
    #[must_use]
    pub fn events(&self) -> &[crate::trace::Event] {
        &self.log
    }

    /// The session as a recorded trace in the trace format (`spec/trace-format.md`): a header,
    /// then every input, effect and crash, one JSON object per line. It records every effect,
    /// and `mapi-spooler trace check` accepts it when the spooler refused nothing.
    #[must_use]
    pub fn recorded_trace(&self) -> String {
        let header = crate::trace::Header {
            profile: self.profile.clone(),
            recorded: crate::trace::Recorded::All,
            address_types: self.addr_names.clone(),
        };
        crate::trace::write(&header, &self.log)
    }

    /// Counts of what happened to every submitted message and recipient.
    #[must_use]
    pub fn summary(&self) -> Summary {
        Summary::of(self)
    }

    fn name_of(&self, r: &crate::RecipientRow) -> String {
        let addr = self.addr_name(r.addr_type);
        match r.uid {
            Some(uid) => format!("{addr}/{uid}"),
            None => addr,
        }
    }

    fn addr_name(&self, a: crate::AddrType) -> String {
        self.addr_names.get(a.index()).cloned().unwrap_or_else(|| a.to_string())
    }

    fn registrations_text(&self, registrations: &crate::Registrations) -> String {
        let name = |a: &crate::AddrType| self.addr_name(*a);
        let types = match &registrations.address_types {
            crate::AddressTypes::Any => "NULL (any type)".to_owned(),
            crate::AddressTypes::Listed(types) => format!("[{}]", types.iter().map(name).collect::<Vec<_>>().join(", ")),
        };
        let uids: Vec<String> = registrations.uids.iter().map(ToString::to_string).collect();
        format!("lpppAdrTypeArray={types} lpppUIDArray=[{}]", uids.join(", "))
    }

    /// The session starts: the spooler initializes everything. Runs until the world settles.
    pub fn start(&mut self) {
        self.feed(Input::Session(SessionRequest::Start));
        self.run();
    }

    /// The spooler process crashes, and with it the transports it had loaded: everything they
    /// remembered is gone, while the stores keep what was saved. A new spooler is created for
    /// the same profile; [`Sim::start`] starts it.
    pub fn crash(&mut self) {
        self.trace.push("CRASH: the spooler process dies; the stores keep what they saved".to_owned());
        self.log.push(crate::trace::Event::Crash);
        self.spooler = self.pristine.clone();
        self.monitor.restart();
        for runtime in &mut self.runtime {
            // The provider's answers to logons go on where they were: a script can say that
            // the logon after the restart fails.
            *runtime = Runtime { logons: runtime.logons, ..Runtime::default() };
        }
        self.preprocessor_owners.clear();
        self.deferred_notices.clear();
        for store in &mut self.stores {
            store.discard_unsaved();
        }
    }

    /// Inbound mail of `class` arrives at a transport (RCV-1); a transport that is not polled
    /// announces it at once if its inbound traffic is enabled. Runs until the world settles.
    pub fn deliver(&mut self, transport: TransportId, class: &str) {
        self.trace.push(format!("{transport}: inbound mail of class {class} arrives"));
        self.scripts[transport.index()].inbound.push_back(class.to_owned());
        self.announce_mail(transport);
        self.run();
    }

    /// A pushing transport with mail waiting and inbound traffic enabled calls
    /// `SpoolerNotify(NOTIFY_NEWMAIL)` (RCV-1).
    fn announce_mail(&mut self, transport: TransportId) {
        let runtime = &self.runtime[transport.index()];
        if runtime.inbound_on && !runtime.polled && !self.scripts[transport.index()].inbound.is_empty() {
            let flags = SpoolerNotifyFlags::NOTIFY_NEWMAIL;
            self.feed(Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(transport), flags, message: None }));
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
        let recipients: Vec<String> = draft.recipients.iter().enumerate().map(|(i, r)| format!("{i}:{}", self.name_of(r))).collect();
        let result = self.stores[store.index()].submit(draft);
        match result {
            Ok(row) => {
                let id = row.message;
                self.trace.push(format!("client -> {store}.SubmitMessage({id} to [{}]) => S_OK", recipients.join(", ")));
                self.submitted.push((store, id));
                if self.spooler.is_watching(store) {
                    self.feed(Input::Queue(QueueEvent::RowAdded(row)));
                }
                Ok(id)
            }
            Err(h) => {
                self.trace.push(format!("client -> {store}.SubmitMessage(to [{}]) => {h}", recipients.join(", ")));
                Err(h)
            }
        }
    }

    /// The client resends a message after its NDRs (DEF-12): the resend's draft comes from
    /// [`ReferenceStore::resend_draft`] and is submitted like any other. Before its first
    /// `PrepareSubmit` of the session the store calls `SpoolerNotify(NOTIFY_READYTOSEND)`
    /// (SUB-6). The spooler is not run.
    ///
    /// # Errors
    /// The store's refusal: see [`ReferenceStore::resend_draft`] and [`Sim::submit`].
    pub fn resend(&mut self, store: StoreId, original: MessageId) -> Result<MessageId, Hresult> {
        let draft = self.stores[store.index()].resend_draft(original)?;
        if self.stores[store.index()].ready_to_send_due() {
            let flags = SpoolerNotifyFlags::NOTIFY_READYTOSEND;
            self.feed(Input::Support(SupportCall::SpoolerNotify { caller: Caller::Store(store), flags, message: None }));
        }
        self.trace.push(format!("client -> resend of {original} with MSGFLAG_RESEND; PrepareSubmit rewrote its recipients"));
        self.submit(store, draft)
    }

    /// A client aborts a submitted message with `AbortSubmit` (DEF-6). Returns the store's
    /// answer; the spooler is not run.
    pub fn abort(&mut self, store: StoreId, message: MessageId) -> Hresult {
        let result = self.stores[store.index()].abort_submit(message);
        self.trace.push(format!("client -> {store}.AbortSubmit({message}) => {result}"));
        if result == Hresult::S_OK && self.spooler.is_watching(store) {
            self.feed(Input::Queue(QueueEvent::RowRemoved { store, message }));
        }
        result
    }

    /// Feeds one input, traces it and what it caused, and applies the effects to the stores.
    /// Returns false when the spooler refused it.
    pub fn feed(&mut self, input: Input) -> bool {
        let line = match &input {
            Input::Return(Return::AddressTypes { transport, result: Ok(registrations) }) => {
                format!("spooler <- {transport}.AddressTypes => S_OK {}", self.registrations_text(registrations))
            }
            Input::Support(SupportCall::RegisterPreprocessor { transport, filter }) => {
                let uid = filter.uid.map_or_else(|| "NULL".to_owned(), |u| u.to_string());
                let adr = filter.addr_type.map_or_else(|| "NULL".to_owned(), |a| self.addr_name(a));
                format!("{transport} -> support.RegisterPreprocessor(lpMuid={uid}, lpszAdrType={adr})")
            }
            _ => input_line(&input),
        };
        let registers = match &input {
            Input::Support(SupportCall::RegisterPreprocessor { transport, .. }) => Some(*transport),
            _ => None,
        };
        self.trace.push(line);
        self.log.push(crate::trace::Event::Input(input.clone()));
        match self.spooler.step(input.clone()) {
            Ok(effects) => {
                if matches!(input, Input::Return(_)) {
                    self.cancel_seen = false;
                }
                self.cancel_seen |= effects.iter().any(|e| matches!(e, Effect::CancelMessage { .. }));
                self.log.extend(effects.iter().cloned().map(crate::trace::Event::Effect));
                if let Err(violation) = self.monitor.observe(&input, &effects) {
                    self.trace.push(format!("VIOLATION: {violation}"));
                    self.violations.push(violation);
                }
                for effect in &effects {
                    for store in &mut self.stores {
                        store.apply(effect);
                    }
                    if !matches!(effect, Effect::Call(_)) {
                        self.trace.push(effect_line(effect));
                    }
                }
                if let Some(Effect::Call(call)) = effects.iter().find(|e| matches!(e, Effect::Call(_))) {
                    self.trace.push(format!("spooler -> {call}"));
                }
                self.effects.extend(effects);
                if let Some(owner) = registers {
                    self.preprocessor_owners.push(owner);
                }
                true
            }
            Err(error) => {
                self.trace.push(format!("REFUSED: {error}"));
                self.refused.push(error);
                false
            }
        }
    }

    /// Answers the call in flight as the world would, and nothing more. Returns false when no
    /// call is in flight or the spooler refused the answer.
    pub fn answer_in_flight(&mut self) -> bool {
        match self.spooler.call_in_flight().cloned() {
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
            if let Some(call) = self.spooler.call_in_flight().cloned() {
                if stop_at(&call) {
                    return true;
                }
                if !self.answer(&call) {
                    // A refused return would be offered again forever.
                    return false;
                }
                continue;
            }
            let notice = self.deferred_notices.iter().map(|(at, _, _)| *at).min();
            let next = [self.spooler.next_deadline(), notice].into_iter().flatten().min();
            let Some(at) = next else { return false };
            let now = self.spooler.now();
            if at > now {
                let seconds = u32::try_from(at.0 - now.0).unwrap_or(u32::MAX);
                self.feed(Input::TimePassed { seconds });
            }
            self.fire_notices();
        }
        self.trace.push(format!("STOPPED: the world did not settle within {STEP_LIMIT} steps"));
        false
    }

    fn fire_notices(&mut self) {
        let now = self.spooler.now();
        let (due, later): (Vec<_>, Vec<_>) = self.deferred_notices.drain(..).partition(|(at, _, _)| *at <= now);
        self.deferred_notices = later;
        for (_, t, m) in due {
            let flags = SpoolerNotifyFlags::NOTIFY_SENTDEFERRED;
            self.feed(Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(t), flags, message: Some(m) }));
        }
    }

    /// Answers the call in flight as the world would. Returns false if the spooler refused
    /// the answer.
    fn answer(&mut self, call: &Call) -> bool {
        let ret = match call.clone() {
            Call::XpProviderInit { transport, .. } => Return::XpProviderInit { transport, result: self.scripts[transport.index()].version },
            Call::ServiceConfigure { service } => {
                let script = self.services.iter().position(|s| *s == service).map(|i| &self.scripts[i]);
                let result = script.map_or(Hresult::S_OK, |s| s.configure);
                Return::ServiceConfigure { service, result }
            }
            Call::TransportLogon { transport, .. } => self.answer_logon(transport),
            Call::AddressTypes { transport } => {
                let ret = Return::AddressTypes { transport, result: Ok(self.scripts[transport.index()].registrations.clone()) };
                let ok = self.feed(Input::Return(ret));
                if ok && self.runtime[transport.index()].row.is_none() {
                    // The operational model's step 4: the row comes after AddressTypes.
                    self.modify_row(transport, StatusRowFlags::EMPTY, StatusCode::STATUS_AVAILABLE);
                }
                return ok;
            }
            Call::TransportNotify { transport, flags, message } => {
                let ret = self.answer_notify(transport, flags, message);
                let ok = self.feed(Input::Return(ret));
                if ok && flags.contains(NotifyFlags::NOTIFY_BEGIN_INBOUND) {
                    self.announce_mail(transport);
                }
                return ok;
            }
            Call::Poll { transport } => {
                let incoming = u32::try_from(self.scripts[transport.index()].inbound.len()).unwrap_or(u32::MAX);
                Return::Poll { transport, incoming, result: Hresult::S_OK }
            }
            Call::CreateMessage { store } => Return::CreateMessage { store, result: Ok(self.stores[store.index()].create_inbound()) },
            Call::StartMessage { transport, message } if self.cancel_seen => {
                // RCV-13: the item stays at the transport; nothing was saved.
                Return::StartMessage { transport, message, result: Err(Hresult::MAPI_E_USER_CANCEL) }
            }
            Call::SubmitMessage { transport, message, .. } if self.cancel_seen => {
                // DEF-7, DEF-8: the transport stops and saves nothing.
                let outcome = SubmitOutcome::Failed { result: Hresult::MAPI_E_USER_CANCEL, return_parm: 0, saved: RecipientSet::new() };
                Return::SubmitMessage { transport, message, outcome }
            }
            Call::StartMessage { transport, message } => {
                let script = &mut self.scripts[transport.index()];
                let result = match script.start_failures.pop_front() {
                    Some(error) => Err(error),
                    None => match script.inbound.pop_front() {
                        Some(class) => {
                            let store = crate::spooler::RECEIVE_STORE;
                            self.stores[store.index()].save_inbound(message, &class);
                            self.trace.push(format!("{transport}: wrote a message of class {class} into {message} and saved it"));
                            Ok(crate::input::Delivery::Saved)
                        }
                        None => Ok(crate::input::Delivery::Empty),
                    },
                };
                Return::StartMessage { transport, message, result }
            }
            Call::NotifyNewMail { store, message } => {
                Return::NotifyNewMail { store, message, result: self.stores[store.index()].notify_new_mail(message) }
            }
            Call::InboundMsgHook { hook, store, message } => self.answer_hook(hook, store, message),
            Call::Idle { transport } => Return::Idle { transport, result: Hresult::S_OK },
            // STAT-10: the scripted transports all have a status object to hand out.
            Call::OpenStatusEntry { transport } => Return::OpenStatusEntry { transport, result: Hresult::S_OK },
            Call::ValidateState { transport, .. } => {
                let scripted = self.scripts[transport.index()].validate.pop_front().unwrap_or(Hresult::S_OK);
                let critsec = matches!(
                    self.spooler.transport_view(transport),
                    Some(crate::spooler::TransportView::LoggedOn { critical_section: true, .. })
                );
                // STAT-13: inside a critical section the answer is MAPI_E_BUSY.
                let result = if critsec { Hresult::MAPI_E_BUSY } else { scripted };
                Return::ValidateState { transport, result }
            }
            Call::FlushQueues { transport, flags } => {
                // STAT-19: the transport sets the flush bits of the directions asked for, then
                // returns S_OK.
                let row = self.runtime[transport.index()].row.unwrap_or(StatusCode::STATUS_AVAILABLE);
                let status = row.after_flush_queues(flags);
                if status != row {
                    self.modify_row(transport, StatusRowFlags::STATUSROW_UPDATE, status);
                }
                Return::FlushQueues { transport, result: Hresult::S_OK }
            }
            Call::SubmitMessage { transport, message, offered, .. } => self.answer_submit(transport, message, &offered),
            Call::EndMessage { transport, msg_ref } => return self.answer_end(transport, msg_ref),
            Call::TransportLogoff { transport } => {
                self.deferred_notices.retain(|(_, t, _)| *t != transport);
                self.runtime[transport.index()].row = None;
                Return::TransportLogoff { transport, result: Hresult::S_OK }
            }
            Call::Shutdown { transport } => Return::Shutdown { transport, result: Hresult::S_OK },
            Call::SpoolerLogon { store } => Return::SpoolerLogon { store, result: Hresult::S_OK },
            Call::GetOutgoingQueue { store } => Return::GetOutgoingQueue { store, result: Ok(self.stores[store.index()].outgoing_queue()) },
            Call::SetLockState { store, message, state } => {
                Return::SetLockState { store, message, state, result: self.stores[store.index()].set_lock_state(message, state) }
            }
            Call::PreprocessMessage { preprocessor, message } => {
                let owner = self.preprocessor_owners[preprocessor.index()];
                let rows = self.scripts[owner.index()].preprocess.pop_front().unwrap_or_default();
                let undeliverable = rows.into_iter().map(RecipientIdx).collect();
                Return::PreprocessMessage { preprocessor, message, result: Ok(undeliverable) }
            }
            Call::SubmitPreprocessed { store, message } => {
                Return::SubmitPreprocessed { store, message, result: self.stores[store.index()].submit_preprocessed(message) }
            }
            Call::RemovePreprocessInfo { preprocessor, message } => {
                Return::RemovePreprocessInfo { preprocessor, message, result: Hresult::S_OK }
            }
            Call::AbortSubmit { store, message } => {
                Return::AbortSubmit { store, message, result: self.stores[store.index()].abort_submit(message) }
            }
            Call::FinishedMsg { store, message } => {
                let result = self.stores[store.index()].finished_msg(message, self.sent_mail_hook);
                if let Some(crate::store::StoredMessage { outcome: crate::store::Outcome::Finished(placement), .. }) =
                    self.stores[store.index()].message(message)
                {
                    let placed = match placement {
                        crate::store::Placement::Deleted => "deleted it".to_owned(),
                        crate::store::Placement::Folder(f) if *f == crate::store::OUTBOX => "left it in the Outbox".to_owned(),
                        crate::store::Placement::Folder(f) if *f == crate::store::SENT_ITEMS => "moved it to Sent Items".to_owned(),
                        crate::store::Placement::Folder(f) => format!("moved it to folder {f}"),
                    };
                    self.trace.push(format!("{store}: FinishedMsg unlocked {message} and {placed}"));
                }
                Return::FinishedMsg { store, message, result }
            }
        };
        self.feed(Input::Return(ret))
    }

    fn modify_row(&mut self, transport: TransportId, flags: StatusRowFlags, status: StatusCode) {
        if self.feed(Input::Support(SupportCall::ModifyStatusRow { transport, flags, status })) {
            let created = self.runtime[transport.index()].row.is_none();
            self.runtime[transport.index()].row = Some(status);
            if created {
                self.publish_own_store(transport);
            }
        }
    }

    fn answer_logon(&mut self, transport: TransportId) -> Return {
        let i = transport.index();
        let attempt = self.runtime[i].logons;
        self.runtime[i].logons += 1;
        let script = &self.scripts[i];
        let result = script.logon.get(attempt).or(script.logon.last()).copied().unwrap_or(Err(Hresult::MAPI_E_LOGON_FAILED));
        self.runtime[i].polled = result.is_ok_and(|caps| caps.contains(crate::flags::LogonCaps::LOGON_SP_POLL));
        if result.is_ok() {
            // Both public providers register their preprocessor and create their row inside
            // TransportLogon (real-providers.md, A.1 and A.2).
            for filter in self.scripts[i].preprocessors.clone() {
                self.feed(Input::Support(SupportCall::RegisterPreprocessor { transport, filter }));
            }
            if self.scripts[i].row_during_logon {
                self.modify_row(transport, StatusRowFlags::EMPTY, StatusCode::STATUS_AVAILABLE);
            }
        }
        Return::TransportLogon { transport, result }
    }

    fn answer_notify(&mut self, transport: TransportId, flags: NotifyFlags, message: Option<MessageId>) -> Return {
        // LIFE-10, LIFE-12: the row reflects the enabled directions before the call returns.
        let status = self.runtime[transport.index()].row.unwrap_or(StatusCode::STATUS_AVAILABLE).after_notify(flags);
        if self.runtime[transport.index()].row != Some(status) {
            self.modify_row(transport, StatusRowFlags::STATUSROW_UPDATE, status);
        }
        if let (true, Some(m)) = (flags.contains(NotifyFlags::NOTIFY_ABORT_DEFERRED), message) {
            self.deferred_notices.retain(|(_, t, held)| !(*t == transport && *held == m));
        }
        if flags.contains(NotifyFlags::NOTIFY_BEGIN_INBOUND) {
            self.runtime[transport.index()].inbound_on = true;
        } else if flags.contains(NotifyFlags::NOTIFY_END_INBOUND) {
            self.runtime[transport.index()].inbound_on = false;
        }
        Return::TransportNotify { transport, flags, result: Hresult::S_OK }
    }

    fn answer_submit(&mut self, transport: TransportId, message: MessageId, offered: &RecipientSet) -> Return {
        let i = transport.index();
        let store = self.spooler.message_view(message).map_or(StoreId(0), |m| m.store);
        let rows: Vec<crate::RecipientRow> =
            self.stores[store.index()].message(message).map(|m| m.recipients.iter().map(|r| r.row).collect()).unwrap_or_default();
        let mine: RecipientSet = offered.iter().filter(|r| rows.get(r.index()).is_some_and(|row| self.scripts[i].serves(row))).collect();
        let answer = match self.scripts[i].submit.pop_front() {
            Some(answer) => answer,
            None if self.scripts[i].random_faults => self.random_answer(),
            None => SubmitAnswer::TakeMine,
        };
        let to_set = |rows: &[u16]| -> RecipientSet { rows.iter().map(|r| RecipientIdx(*r)).filter(|r| offered.contains(*r)).collect() };
        let accept = |sim: &mut Sim, accepted: RecipientSet| {
            sim.runtime[i].next_ref += 1;
            sim.runtime[i].in_progress = Some(message);
            SubmitOutcome::Accepted { msg_ref: MsgRef(sim.runtime[i].next_ref), accepted }
        };
        let outcome = match answer {
            SubmitAnswer::TakeMine => accept(self, mine),
            SubmitAnswer::Take(rows) => accept(self, to_set(&rows)),
            SubmitAnswer::TakeAndReport(reports) => {
                let reports: Vec<_> = reports.into_iter().map(|(r, kind)| (RecipientIdx(r), kind)).collect();
                let reported: RecipientSet = reports.iter().map(|(r, _)| *r).collect();
                self.feed(Input::Support(SupportCall::StatusRecips { transport, message, reports }));
                accept(self, mine.union(&reported))
            }
            SubmitAnswer::Fail(result, return_parm) => SubmitOutcome::Failed { result, return_parm, saved: RecipientSet::new() },
            SubmitAnswer::FailSaving(result, return_parm, rows) => SubmitOutcome::Failed { result, return_parm, saved: to_set(&rows) },
            SubmitAnswer::Critical(result) => {
                let flags = SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR;
                self.feed(Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(transport), flags, message: None }));
                SubmitOutcome::Failed { result, return_parm: 0, saved: RecipientSet::new() }
            }
        };
        if let SubmitOutcome::Failed { saved, .. } = &outcome {
            // SUB-33: what the transport saved itself stays saved.
            self.stores[store.index()].save_by_transport(message, saved, transport);
        }
        Return::SubmitMessage { transport, message, outcome }
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

    fn answer_end(&mut self, transport: TransportId, msg_ref: MsgRef) -> bool {
        let i = transport.index();
        let message = self.runtime[i].in_progress.take();
        let answer = self.scripts[i].end.pop_front().unwrap_or(EndAnswer::Flags(EndFlags::EMPTY));
        let flags = match answer {
            EndAnswer::Flags(flags) => flags,
            EndAnswer::DeferFor(seconds) => {
                if let Some(m) = message {
                    self.deferred_notices.push((self.spooler.now().after(seconds), transport, m));
                }
                EndFlags::END_DONT_RESEND
            }
        };
        self.feed(Input::Return(Return::EndMessage { transport, msg_ref, result: Ok(flags) }))
    }

    /// The preprocessor numbers registered so far, with their owners.
    #[must_use]
    pub fn preprocessors(&self) -> Vec<(PreprocessorId, TransportId)> {
        self.preprocessor_owners.iter().enumerate().map(|(p, t)| (PreprocessorId(p as u8), *t)).collect()
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
