//! A well-behaved world for sessions that make the spooler's choices, and the runner that
//! plays a scenario's steps against it with the monitor watching.
//!
//! The world answers every call the way a provider or store that keeps its contract does:
//! a transport creates its status row during `TransportLogon` and updates it during each
//! `TransportNotify` (INV-12), takes every recipient it is offered, and has the inbound
//! messages the scenario gives it; the store hands out new entry identifiers. Whatever the
//! scenario does not choose, the spooler decides as the reference does (the first choice).

use mapi_spooler::trace::Event;
use mapi_spooler::{
    Call, Choice, Delivery, EndFlags, HookOutcome, Hresult, Input, LogonCaps, MessageId, Monitor, MsgRef, Profile, Property, QueueRow,
    RecipientSet, Registrations, Return, SpiVersion, Spooler, StatusCode, StatusRowFlags, SubmitOutcome, SupportCall, TransportId,
};

/// What the world is made of.
#[derive(Clone, Debug, Default)]
pub struct WorldSpec {
    /// Per transport: what its `AddressTypes` returns and what its `TransportLogon` returns.
    pub transports: Vec<(Registrations, LogonCaps)>,
    /// The rows each store's `GetOutgoingQueue` returns, the store's own.
    pub queue: Vec<QueueRow>,
    /// Per transport: how many inbound messages it has for `StartMessage`.
    pub mail: Vec<u32>,
    /// Transports whose first `TransportLogon` returns `MAPI_E_UNCONFIGURED` (LIFE-6).
    pub unconfigured: Vec<TransportId>,
}

/// One step of a scenario.
#[derive(Clone, Debug)]
pub enum Step {
    /// The world gives the spooler this input now, whatever the spooler is doing.
    Input(Input),
    /// Answer calls and decide as the reference until the spooler has this choice, which is
    /// not its first, and take it.
    Take(Choice),
    /// Answer calls and decide as the reference until the spooler has this choice; take
    /// nothing.
    At(Choice),
    /// Answer calls and decide as the reference until this method is called; leave it in
    /// flight, for an `Input` to answer.
    Until(&'static str),
    /// Here the spooler does not have this choice (`decide` refuses it and changes nothing),
    /// and the monitor flags its call with this property, if one watches that rule.
    Outside(Choice, Option<Property>),
    /// Answer calls and decide as the reference until nothing is in flight or due.
    Run,
}

/// A scenario played: the spooler, the monitor, and what happened.
pub struct Played {
    /// The spooler at the end.
    pub spooler: Spooler,
    /// Every input and effect, in order: the trace of the session.
    pub events: Vec<Event>,
    /// Every call the spooler made, in order.
    pub calls: Vec<Call>,
    /// What the monitor flagged, with the number of the event after which it did.
    pub flagged: Vec<(usize, Property, String)>,
    /// How many choices other than the reference's the spooler took.
    pub others: usize,
    /// Each [`Step::Outside`]: the number of events before it, the choice the spooler did not
    /// have there, and the property the monitor flags its call with.
    pub outside: Vec<(usize, Choice, Option<Property>)>,
}

/// The providers and stores of a session, answering the spooler's calls.
pub struct World {
    spec: WorldSpec,
    /// Each transport's status row as it wrote it.
    rows: Vec<StatusCode>,
    /// Transports that were configured after `MAPI_E_UNCONFIGURED`.
    configured: Vec<TransportId>,
    next_entry: u32,
}

struct Runner {
    world: World,
    spooler: Spooler,
    monitor: Monitor,
    /// The input the effects since the last one belong to, for the monitor.
    input: Input,
    /// The effects since that input.
    effects: Vec<mapi_spooler::Effect>,
    played: Played,
}

/// The largest number of calls a scenario may make.
const LIMIT: usize = 10_000;

impl Runner {
    fn new(spec: WorldSpec, profile: &Profile) -> Runner {
        let spooler = Spooler::new(profile).expect("a valid profile");
        let monitor = Monitor::new(profile);
        let played =
            Played { spooler: spooler.clone(), events: Vec::new(), calls: Vec::new(), flagged: Vec::new(), others: 0, outside: Vec::new() };
        Runner { world: World::new(spec), spooler, monitor, input: Input::SystemIdle, effects: Vec::new(), played }
    }

    /// Hands the effects so far to the monitor with their input.
    fn observe(&mut self) {
        if let Err(v) = self.monitor.observe(&self.input, &self.effects) {
            self.played.flagged.push((self.played.events.len(), v.property, v.detail));
        }
        self.effects.clear();
        // Effects of later decisions, with no input of their own, are observed with an input
        // the monitor learns nothing from.
        self.input = Input::SystemIdle;
    }

    fn record(&mut self, effects: Vec<mapi_spooler::Effect>) {
        for effect in effects {
            if let mapi_spooler::Effect::Call(call) = &effect {
                self.played.calls.push(call.clone());
            }
            self.played.events.push(Event::Effect(effect.clone()));
            self.effects.push(effect);
        }
    }

    fn input(&mut self, input: Input) {
        if let Err(e) = self.try_input(input.clone()) {
            panic!("{input:?} was refused: {e}\ncalls so far: {:?}", self.played.calls);
        }
    }

    /// Gives the spooler an input it may refuse; a refused input leaves no trace.
    fn try_input(&mut self, input: Input) -> Result<(), mapi_spooler::Error> {
        let effects = self.spooler.accept(input.clone())?;
        self.observe();
        self.played.events.push(Event::Input(input.clone()));
        self.input = input;
        self.record(effects.into_vec());
        Ok(())
    }

    fn decide(&mut self, choice: &Choice) {
        match self.spooler.decide(choice) {
            Ok(effects) => self.record(effects.into_vec()),
            Err(e) => panic!("{e}\nchoices: {:?}\ncalls so far: {:?}", self.spooler.choices(), self.played.calls),
        }
    }

    /// One move of the world and the reference: answers the call in flight, or takes the
    /// first choice. False when nothing is in flight or due.
    fn next(&mut self) -> bool {
        if let Some(call) = self.spooler.call_in_flight().cloned() {
            for input in self.world.answer(&call) {
                self.input(input);
            }
            return true;
        }
        match self.spooler.choices().first() {
            Some(first) => {
                let first = first.clone();
                self.decide(&first);
                true
            }
            None => false,
        }
    }

    /// Moves until `stop` holds; panics if the session settles first.
    fn until(&mut self, what: &str, stop: impl Fn(&Runner) -> bool) {
        for _ in 0..LIMIT {
            if stop(self) {
                return;
            }
            assert!(self.next(), "the session settled before {what}; calls: {:?}", self.played.calls);
        }
        panic!("no {what} in {LIMIT} moves");
    }

    fn step(&mut self, step: &Step) {
        match step {
            Step::Input(input) => self.input(input.clone()),
            Step::Take(choice) | Step::At(choice) => {
                let offered = |r: &Runner| r.spooler.call_in_flight().is_none() && r.spooler.choices().contains(choice);
                self.until(&format!("the choice {choice}"), offered);
                let choices = self.spooler.choices();
                if let Step::Take(_) = step {
                    assert_ne!(choices.first(), Some(choice), "{choice} is the reference's own choice here");
                    self.decide(choice);
                }
            }
            Step::Until(method) => {
                self.until(&format!("a call of {method}"), |r| r.spooler.call_in_flight().is_some_and(|c| c.method() == *method));
            }
            Step::Outside(bad, property) => {
                let before = self.spooler.clone();
                let refused = self.spooler.decide(bad);
                assert!(refused.is_err(), "{bad} was taken; choices were {:?}", before.choices());
                assert_eq!(self.spooler, before, "a refused choice changed the spooler");
                // What the monitor says of that call, made here.
                self.observe();
                let made: Vec<mapi_spooler::Effect> = bad.call().map(mapi_spooler::Effect::Call).into_iter().collect();
                let verdict = self.monitor.clone().observe(&Input::SystemIdle, &made).err().map(|v| v.property);
                assert_eq!(verdict, *property, "the monitor's verdict on {bad}");
                self.played.outside.push((self.played.events.len(), bad.clone(), *property));
            }
            Step::Run => while self.next() {},
        }
    }
}

impl World {
    /// The world of this spec, before the session starts.
    pub fn new(spec: WorldSpec) -> World {
        let rows = vec![StatusCode::EMPTY; spec.transports.len()];
        World { spec, rows, configured: Vec::new(), next_entry: 1000 }
    }

    /// How a well-behaved provider or store answers a call: support calls it makes inside the
    /// call, then the return.
    pub fn answer(&mut self, call: &Call) -> Vec<Input> {
        let ok = Hresult::S_OK;
        let ret = match call {
            &Call::XpProviderInit { transport, .. } => Return::XpProviderInit { transport, result: Ok(SpiVersion::CURRENT) },
            &Call::ServiceConfigure { service } => {
                self.configured.push(TransportId(service.0));
                Return::ServiceConfigure { service, result: ok }
            }
            &Call::TransportLogon { transport, .. } => {
                if self.spec.unconfigured.contains(&transport) && !self.configured.contains(&transport) {
                    return vec![Input::Return(Return::TransportLogon { transport, result: Err(Hresult::MAPI_E_UNCONFIGURED) })];
                }
                let status = StatusCode::STATUS_AVAILABLE;
                self.rows[transport.index()] = status;
                let row = SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::EMPTY, status };
                let caps = self.spec.transports[transport.index()].1;
                return vec![Input::Support(row), Input::Return(Return::TransportLogon { transport, result: Ok(caps) })];
            }
            &Call::AddressTypes { transport } => {
                Return::AddressTypes { transport, result: Ok(self.spec.transports[transport.index()].0.clone()) }
            }
            &Call::TransportNotify { transport, flags, .. } => {
                let ret = Input::Return(Return::TransportNotify { transport, flags, result: ok });
                let status = self.rows[transport.index()].after_notify(flags);
                if status == self.rows[transport.index()] {
                    return vec![ret];
                }
                // INV-12: the row follows the directions before the call returns.
                self.rows[transport.index()] = status;
                let row = SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::STATUSROW_UPDATE, status };
                return vec![Input::Support(row), ret];
            }
            &Call::Idle { transport } => Return::Idle { transport, result: ok },
            Call::SubmitMessage { transport, message, offered, .. } => Return::SubmitMessage {
                transport: *transport,
                message: *message,
                outcome: SubmitOutcome::Accepted { msg_ref: MsgRef(1), accepted: offered.clone() },
            },
            &Call::EndMessage { transport, msg_ref } => Return::EndMessage { transport, msg_ref, result: Ok(EndFlags::EMPTY) },
            &Call::TransportLogoff { transport } => Return::TransportLogoff { transport, result: ok },
            &Call::Shutdown { transport } => Return::Shutdown { transport, result: ok },
            &Call::SpoolerLogon { store } => Return::SpoolerLogon { store, result: ok },
            &Call::GetOutgoingQueue { store } => {
                let rows = self.spec.queue.iter().filter(|r| r.store == store).cloned().collect();
                Return::GetOutgoingQueue { store, result: Ok(rows) }
            }
            &Call::SetLockState { store, message, state } => Return::SetLockState { store, message, state, result: ok },
            &Call::PreprocessMessage { preprocessor, message } => {
                Return::PreprocessMessage { preprocessor, message, result: Ok(RecipientSet::new()) }
            }
            &Call::SubmitPreprocessed { store, message } => Return::SubmitPreprocessed { store, message, result: ok },
            &Call::RemovePreprocessInfo { preprocessor, message } => Return::RemovePreprocessInfo { preprocessor, message, result: ok },
            &Call::FinishedMsg { store, message } => Return::FinishedMsg { store, message, result: ok },
            &Call::Poll { transport } => {
                let incoming = self.spec.mail.get(transport.index()).copied().unwrap_or(0);
                Return::Poll { transport, incoming, result: ok }
            }
            &Call::CreateMessage { store } => {
                self.next_entry += 1;
                Return::CreateMessage { store, result: Ok(MessageId(self.next_entry)) }
            }
            &Call::StartMessage { transport, message } => {
                let waiting = self.spec.mail.get_mut(transport.index()).filter(|n| **n > 0);
                let result = match waiting {
                    Some(n) => {
                        *n -= 1;
                        Delivery::Saved
                    }
                    None => Delivery::Empty,
                };
                Return::StartMessage { transport, message, result: Ok(result) }
            }
            &Call::NotifyNewMail { store, message } => Return::NotifyNewMail { store, message, result: ok },
            &Call::AbortSubmit { store, message } => Return::AbortSubmit { store, message, result: ok },
            &Call::InboundMsgHook { hook, message, .. } => Return::InboundMsgHook { hook, message, result: Ok(HookOutcome::KEEP) },
            &Call::OpenStatusEntry { transport } => Return::OpenStatusEntry { transport, result: ok },
            &Call::ValidateState { transport, .. } => Return::ValidateState { transport, result: ok },
            &Call::FlushQueues { transport, .. } => Return::FlushQueues { transport, result: ok },
        };
        vec![Input::Return(ret)]
    }
}

/// Plays a scenario's steps against the well-behaved world, then lets it settle.
pub fn play(spec: WorldSpec, profile: &Profile, steps: &[Step]) -> Played {
    let mut runner = Runner::new(spec, profile);
    for step in steps {
        runner.step(step);
    }
    runner.step(&Step::Run);
    runner.observe();
    runner.played.spooler = runner.spooler;
    runner.played
}

/// A small deterministic source of choices (a linear congruential generator), so that a failing
/// seed replays.
pub struct Dice(u64);

impl Dice {
    /// The dice for this seed.
    pub fn new(seed: u64) -> Dice {
        Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// A number below `bound` (at least 1).
    pub fn below(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

/// Plays a session in which the world gives these inputs at random moments and the spooler
/// takes a random choice (other than `avoid`) at every free point; then lets the session settle
/// with random choices.
pub fn play_randomly(spec: WorldSpec, profile: &Profile, inputs: Vec<Input>, dice: &mut Dice, avoid: impl Fn(&Choice) -> bool) -> Played {
    let mut runner = Runner::new(spec, profile);
    runner.input(Input::Session(mapi_spooler::SessionRequest::Start));
    let mut inputs = inputs.into_iter().peekable();
    for _ in 0..LIMIT {
        let in_flight = runner.spooler.call_in_flight().cloned();
        let choices: Vec<Choice> = runner.spooler.choices().into_iter().filter(|c| !avoid(c)).collect();
        let moves = usize::from(in_flight.is_some()) + usize::from(!choices.is_empty()) + usize::from(inputs.peek().is_some());
        if moves == 0 {
            break;
        }
        let mut pick = dice.below(moves);
        if let Some(call) = &in_flight {
            if pick == 0 {
                for input in runner.world.answer(call) {
                    runner.input(input);
                }
                continue;
            }
            pick -= 1;
        }
        if !choices.is_empty() {
            if pick == 0 {
                let choice = choices[dice.below(choices.len())].clone();
                runner.played.others += usize::from(runner.spooler.choices().first() != Some(&choice));
                runner.decide(&choice);
                continue;
            }
            pick -= 1;
        }
        if let Some(input) = inputs.next() {
            // An input the spooler refuses here (a status call before start-up ended, a cancel
            // of a message it does not hold) is not given.
            let _ = runner.try_input(input);
        }
    }
    runner.observe();
    runner.played.spooler = runner.spooler;
    runner.played
}

/// Plays a session twice, in step: once with `Spooler::step`, once with `accept` and `decide`
/// of the first choice. Returns the effects of each input of each, which must be equal.
pub fn play_twice(spec: WorldSpec, profile: &Profile, inputs: Vec<Input>, dice: &mut Dice) -> (Vec<String>, Vec<String>) {
    let mut world = World::new(spec);
    let mut stepped = Spooler::new(profile).expect("a valid profile");
    let mut chosen = stepped.clone();
    let (mut by_step, mut by_choice) = (Vec::new(), Vec::new());
    let mut feed = |input: Input, stepped: &mut Spooler, chosen: &mut Spooler| {
        let a = stepped.step(input.clone());
        let b = chosen.accept(input.clone()).map(|mut fx| {
            if let Some(first) = chosen.choices().first() {
                fx.extend(chosen.decide(first).expect("the first choice is taken"));
            }
            fx
        });
        by_step.push(format!("{input:?} -> {a:?}"));
        by_choice.push(format!("{input:?} -> {b:?}"));
        assert_eq!(stepped, chosen, "the spoolers differ after {input:?}");
    };
    feed(Input::Session(mapi_spooler::SessionRequest::Start), &mut stepped, &mut chosen);
    let mut inputs = inputs.into_iter();
    for _ in 0..LIMIT {
        match stepped.call_in_flight().cloned() {
            Some(call) if dice.below(3) > 0 => {
                for input in world.answer(&call) {
                    feed(input, &mut stepped, &mut chosen);
                }
            }
            _ => match inputs.next() {
                Some(input) => feed(input, &mut stepped, &mut chosen),
                None if stepped.call_in_flight().is_some() => {}
                None => break,
            },
        }
    }
    (by_step, by_choice)
}
