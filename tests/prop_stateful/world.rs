//! The world around one spooler: its state, and feeding it inputs, legal and forbidden.

use super::*;

// =============================================================================================
// The world
// =============================================================================================

/// A fault seeded into the harness: the spooler's effects are altered before anyone sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// The first `Report` of a step is raised twice: the monitor must catch it (INV-24).
    DuplicateReport,
    /// The first `SaveRecipients` of a step is lost: the monitor must catch it (INV-23).
    DropSave,
    /// The first `Report` of a step is lost: the monitor has no property for a missing report,
    /// the reference model must catch it (SUB-25, DEF-11).
    DropReport,
    /// The spooler (and the stores) carry a bug of the bug zoo (`mapi_spooler::zoo`): the
    /// monitor, or the end-of-case check of outcomes, must catch it.
    Zoo(Bug),
}

impl Fault {
    /// The faults aimed at the monitor are judged by it alone (the reference model, which would
    /// also notice, stands aside).
    pub(crate) fn for_monitor(self) -> bool {
        matches!(self, Fault::DuplicateReport | Fault::DropSave | Fault::Zoo(_))
    }

    /// The bug of the zoo this fault switches on, if it is one.
    pub(crate) fn bug(fault: Option<Fault>) -> Option<Bug> {
        match fault {
            Some(Fault::Zoo(bug)) => Some(bug),
            _ => None,
        }
    }
}

/// What the world knows of one transport this session (it is the transport).
#[derive(Clone, Debug, Default)]
pub(crate) struct TState {
    /// `TransportLogon` returned S_OK and `TransportLogoff` has not returned.
    pub(crate) live: bool,
    /// `AddressTypes` returned for this logon.
    pub(crate) registered: bool,
    /// `AddressTypes` returned this session (the spooler keeps registrations, ORD-10).
    pub(crate) ever_registered: bool,
    /// `TransportLogon` returned `MAPI_E_UNCONFIGURED`; configuration is due.
    pub(crate) unconfigured: bool,
    /// Its service was configured (LIFE-6).
    pub(crate) configured: bool,
    pub(crate) row: Option<StatusCode>,
    pub(crate) critical: bool,
    pub(crate) critsec: bool,
    pub(crate) inbound: bool,
    pub(crate) outbound: bool,
    pub(crate) next_ref: u64,
    /// The S_OK exchange in progress: the message and the recipients it took and did not report.
    pub(crate) open: Option<(MessageId, RecipientSet)>,
}

/// A line of the trace.
pub(crate) enum Entry {
    Input { n: usize, input: Input, result: Result<Effects, String> },
    Note(String),
}

/// Counts of what happened, to show that the generators reach what they claim to.
#[derive(Clone, Debug, Default)]
pub(crate) struct Stats {
    pub(crate) cases: usize,
    pub(crate) inputs: usize,
    pub(crate) refused: usize,
    pub(crate) quiet_checks: usize,
    pub(crate) crashes: usize,
    pub(crate) messages: usize,
    pub(crate) most_recipients: usize,
    pub(crate) most_transports: usize,
    pub(crate) finished: usize,
    pub(crate) aborted: usize,
    pub(crate) queued_at_end: usize,
    pub(crate) events: BTreeMap<&'static str, usize>,
}

impl Stats {
    pub(crate) fn add(&mut self, other: &Stats) {
        self.cases += other.cases;
        self.inputs += other.inputs;
        self.refused += other.refused;
        self.quiet_checks += other.quiet_checks;
        self.crashes += other.crashes;
        self.messages += other.messages;
        self.most_recipients = self.most_recipients.max(other.most_recipients);
        self.most_transports = self.most_transports.max(other.most_transports);
        self.finished += other.finished;
        self.aborted += other.aborted;
        self.queued_at_end += other.queued_at_end;
        for (k, v) in &other.events {
            *self.events.entry(k).or_default() += v;
        }
    }

    pub(crate) fn event(&mut self, name: &'static str) {
        *self.events.entry(name).or_default() += 1;
    }

    pub(crate) fn count(&self, name: &str) -> usize {
        self.events.get(name).copied().unwrap_or(0)
    }
}

/// A failed case: how many inputs it took, and what went wrong, with the call trace.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) inputs: usize,
    pub(crate) message: String,
}

/// The world around one spooler: transports, stores, a client, a clock, the monitor and the
/// reference model.
pub(crate) struct World {
    pub(crate) spec: WorldSpec,
    pub(crate) profile: Profile,
    pub(crate) spooler: Spooler,
    pub(crate) monitor: Monitor,
    pub(crate) reference: Reference,
    pub(crate) stores: Vec<ReferenceStore>,
    pub(crate) ts: Vec<TState>,
    pub(crate) watching: Vec<bool>,
    pub(crate) unserved: Vec<bool>,
    pub(crate) disabled_services: u64,
    pub(crate) in_flight: Option<Call>,
    pub(crate) held: BTreeSet<(TransportId, MessageId)>,
    pub(crate) submitted: Vec<(StoreId, MessageId)>,
    pub(crate) ended: bool,
    pub(crate) fault: Option<Fault>,
    pub(crate) trace: Vec<Entry>,
    pub(crate) inputs: usize,
    pub(crate) fault_percent: u32,
    pub(crate) stats: Stats,
    /// The transport of the call in flight got `NOTIFY_CANCEL_MESSAGE` for it (DEF-7).
    pub(crate) cancel_seen: bool,
}

pub(crate) fn store_of(m: MessageId) -> StoreId {
    StoreId((m.0 / 1_000_000) as u8)
}

pub(crate) fn subset(set: &RecipientSet, bits: u32) -> RecipientSet {
    set.iter().enumerate().filter(|(k, _)| bits & (1 << (k % 32)) != 0).map(|(_, r)| r).collect()
}

pub(crate) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned())).unwrap_or_default()
}

impl World {
    pub(crate) fn new(spec: &WorldSpec, fault: Option<Fault>, fault_percent: u32) -> World {
        let profile = spec.profile();
        let n = spec.transports.len();
        World {
            spec: spec.clone(),
            spooler: Spooler::new(&profile).expect("a valid profile").with_bug(Fault::bug(fault)),
            monitor: Monitor::new(&profile),
            profile,
            reference: Reference::default(),
            stores: (0..spec.stores)
                .map(|s| ReferenceStore::new(StoreId(s), 1 + u32::from(s) * 1_000_000).with_bug(Fault::bug(fault)))
                .collect(),
            ts: vec![TState::default(); n],
            watching: vec![false; usize::from(spec.stores)],
            unserved: vec![false; usize::from(spec.stores)],
            disabled_services: 0,
            in_flight: None,
            held: BTreeSet::new(),
            submitted: Vec::new(),
            ended: false,
            fault,
            trace: Vec::new(),
            inputs: 0,
            fault_percent,
            stats: Stats { cases: 1, most_transports: n, ..Stats::default() },
            cancel_seen: false,
        }
    }

    pub(crate) fn note(&mut self, text: String) {
        self.trace.push(Entry::Note(text));
    }

    pub(crate) fn stopped(&self) -> bool {
        self.spooler.phase() == Phase::Stopped
    }

    pub(crate) fn service_disabled(&self, t: TransportId) -> bool {
        self.disabled_services & (1 << self.profile.transports[t.index()].index()) != 0
    }

    /// The transport can be given outbound mail now (LIFE-10, LIFE-17, DEC-4).
    pub(crate) fn in_service(&self, t: TransportId) -> bool {
        let s = &self.ts[t.index()];
        s.live && s.registered && s.outbound && !s.critical && !self.service_disabled(t)
    }

    pub(crate) fn quiet(&self) -> bool {
        self.stopped() || (self.in_flight.is_none() && self.held.is_empty() && self.spooler.next_deadline().is_none())
    }

    /// Feeds an input the documentation allows: it must be accepted, and every check must pass.
    pub(crate) fn feed(&mut self, input: Input) -> Result<(), String> {
        self.inputs += 1;
        let n = self.inputs;
        let before = self.spooler.call_in_flight().cloned();
        let result = catch_unwind(AssertUnwindSafe(|| self.spooler.step(input.clone())));
        let mut effects = match result {
            Err(panic) => {
                let text = panic_text(&*panic);
                self.trace.push(Entry::Input { n, input, result: Err(format!("PANIC: {text}")) });
                return Err(format!("the spooler panicked on input {n}: {text}"));
            }
            Ok(Err(error)) => {
                self.trace.push(Entry::Input { n, input, result: Err(format!("REFUSED: {error}")) });
                return Err(format!("the spooler refused input {n}, which the documentation allows: {error}"));
            }
            Ok(Ok(effects)) => effects,
        };
        match self.fault {
            Some(Fault::DuplicateReport) => {
                if let Some(i) = effects.iter().position(|e| matches!(e, Effect::Report { .. })) {
                    let copy = effects[i].clone();
                    effects.insert(i + 1, copy);
                }
            }
            Some(Fault::DropSave) => {
                if let Some(i) = effects.iter().position(|e| matches!(e, Effect::SaveRecipients { .. })) {
                    effects.remove(i);
                }
            }
            Some(Fault::DropReport) => {
                if let Some(i) = effects.iter().position(|e| matches!(e, Effect::Report { .. })) {
                    effects.remove(i);
                }
            }
            Some(Fault::Zoo(_)) | None => {}
        }
        self.trace.push(Entry::Input { n, input: input.clone(), result: Ok(effects.clone()) });
        self.stats.inputs += 1;

        // AMB-20: at most one call, only when none was in flight or the input answered it.
        let calls: Vec<&Call> = effects.iter().filter_map(Effect::as_call).collect();
        let answered = matches!(input, Input::Return(_));
        if calls.len() > 1 {
            return Err(format!("AMB-20: input {n} made {} calls", calls.len()));
        }
        if let Some(call) = calls.first() {
            if let (Some(previous), false) = (&before, answered) {
                return Err(format!("AMB-20: input {n} made the call {call} while {previous} was in flight"));
            }
            if self.spooler.call_in_flight() != Some(*call) {
                return Err(format!("input {n}: the call made ({call}) is not the call in flight"));
            }
        }
        self.monitor.observe(&input, &effects).map_err(|v| format!("the protocol monitor reports, at input {n}: {v}"))?;
        for effect in &effects {
            for store in &mut self.stores {
                store.apply(effect);
            }
            match effect {
                Effect::Report { kind: ReportKind::Delivery, .. } => self.stats.event("report DR"),
                Effect::Report { kind: ReportKind::NonDelivery, .. } => self.stats.event("report NDR"),
                Effect::SaveRecipients { outcome: RecipientOutcome::Undeliverable(NdrOrigin::Preprocessor(_)), .. } => {
                    self.stats.event("undeliverable by preprocessor");
                }
                _ => {}
            }
        }
        if !self.fault.is_some_and(Fault::for_monitor) {
            // With a seeded fault aimed at the monitor, the reference model stands aside.
            let touched = self.reference.observe(&input, &effects).map_err(|e| format!("the reference model refuses input {n}: {e}"))?;
            self.reference.agrees(&self.stores, touched).map_err(|e| format!("after input {n}: {e}"))?;
        }
        if answered {
            self.in_flight = None;
            self.cancel_seen = false;
        }
        self.cancel_seen |= effects.iter().any(|e| matches!(e, Effect::CancelMessage { .. }));
        if let Some(call) = calls.first() {
            self.in_flight = Some((*call).clone());
        }
        if self.in_flight.as_ref() != self.spooler.call_in_flight() {
            return Err(format!("after input {n} the spooler's call in flight is {:?}", self.spooler.call_in_flight()));
        }
        Ok(())
    }

    /// Feeds an input the documentation forbids: it must be refused, leaving the spooler as it
    /// was. The monitor and the reference model do not see it.
    pub(crate) fn feed_illegal(&mut self, input: Input) -> Result<(), String> {
        self.inputs += 1;
        let n = self.inputs;
        let before = self.spooler.clone();
        let result = catch_unwind(AssertUnwindSafe(|| self.spooler.step(input.clone())));
        match result {
            Err(panic) => {
                let text = panic_text(&*panic);
                self.trace.push(Entry::Input { n, input, result: Err(format!("PANIC: {text}")) });
                Err(format!("the spooler panicked on the forbidden input {n}: {text}"))
            }
            Ok(Ok(effects)) => {
                self.trace.push(Entry::Input { n, input, result: Ok(effects) });
                Err(format!("the spooler accepted input {n}, which the documentation forbids"))
            }
            Ok(Err(error)) => {
                let _ = error.hresult();
                self.trace.push(Entry::Input { n, input, result: Err(format!("REFUSED (as it must be): {error}")) });
                self.stats.refused += 1;
                if self.spooler != before {
                    return Err(format!("input {n} was refused ({error}) but changed the spooler"));
                }
                Ok(())
            }
        }
    }
}
