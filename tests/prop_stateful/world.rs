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

/// The world around one spooler: the world double (transports, stores, a client, the monitor),
/// driven by the property test's policy, and what the property test keeps besides.
pub(crate) struct World {
    pub(crate) spec: WorldSpec,
    pub(crate) profile: Profile,
    pub(crate) world: mapi_spooler::world::World,
    pub(crate) own: Own,
}

/// What the property test keeps of a case: the reference model, the trace, the statistics, and
/// what its transports and stores remember besides the world double.
pub(crate) struct Own {
    pub(crate) reference: Reference,
    pub(crate) fault: Option<Fault>,
    pub(crate) trace: Vec<Entry>,
    pub(crate) inputs: usize,
    pub(crate) fault_percent: u32,
    pub(crate) stats: Stats,
    pub(crate) submitted: Vec<(StoreId, MessageId)>,
    /// The session ended at the client's request.
    pub(crate) ended: bool,
    /// The message services the spooler disabled (LIFE-6).
    pub(crate) disabled_services: u64,
    /// Stores whose `SpoolerLogon` returned `MAPI_E_UNCONFIGURED`: the spooler does not serve them.
    pub(crate) unserved: Vec<bool>,
    /// The last reference each transport wrote (SUB-27).
    pub(crate) refs: Vec<u64>,
    /// Transports whose `TransportLogon` returned `MAPI_E_UNCONFIGURED`; configuration is due.
    pub(crate) unconfigured: TransportSet,
    /// Transports whose service was configured (LIFE-6).
    pub(crate) configured: TransportSet,
    /// Transports whose `AddressTypes` returned this session (the spooler keeps registrations,
    /// ORD-10).
    pub(crate) registered: TransportSet,
    /// The last return the spooler accepted.
    pub(crate) last_return: Option<Return>,
    /// A transport that raised a critical error in its answer: it drops what it holds.
    pub(crate) critical_raised: Option<TransportId>,
    /// The first thing that went wrong: the world stops.
    pub(crate) failure: Option<String>,
}

/// The property test's policy for one answer: the choice, and the case's record.
pub(crate) struct Chooser<'a> {
    pub(crate) choice: Choice,
    pub(crate) spec: &'a WorldSpec,
    pub(crate) own: &'a mut Own,
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
            world: mapi_spooler::world::World::new(&profile).expect("a valid profile").with_bug(Fault::bug(fault)),
            profile,
            own: Own {
                reference: Reference::default(),
                fault,
                trace: Vec::new(),
                inputs: 0,
                fault_percent,
                stats: Stats { cases: 1, most_transports: n, ..Stats::default() },
                submitted: Vec::new(),
                ended: false,
                disabled_services: 0,
                unserved: vec![false; usize::from(spec.stores)],
                refs: vec![0; n],
                unconfigured: TransportSet::EMPTY,
                configured: TransportSet::EMPTY,
                registered: TransportSet::EMPTY,
                last_return: None,
                critical_raised: None,
                failure: None,
            },
        }
    }

    /// Moves the world with the policy of this choice; the first thing that went wrong, or a
    /// panic of the spooler, is the error.
    pub(crate) fn drive<R>(
        &mut self,
        choice: Choice,
        go: impl FnOnce(&mut mapi_spooler::world::World, &mut Chooser<'_>) -> R,
    ) -> Result<R, String> {
        let World { spec, world, own, .. } = self;
        let mut p = Chooser { choice, spec, own };
        let result = catch_unwind(AssertUnwindSafe(|| go(world, &mut p)));
        match result {
            Err(panic) => {
                let text = panic_text(&*panic);
                let n = self.own.inputs + 1;
                self.own.trace.push(Entry::Note(format!("PANIC: {text}")));
                Err(format!("the spooler panicked on input {n}: {text}"))
            }
            Ok(value) => self.own.failure.take().map_or(Ok(value), Err),
        }
    }

    /// Feeds an input the documentation allows: it must be accepted, and every check must pass.
    pub(crate) fn feed(&mut self, input: Input) -> Result<(), String> {
        self.drive(Choice::GOOD, |w, p| w.feed(input, p)).map(|_| ())
    }

    pub(crate) fn stopped(&self) -> bool {
        self.world.spooler().phase() == Phase::Stopped
    }

    pub(crate) fn service_disabled(&self, t: TransportId) -> bool {
        self.own.disabled_services & (1 << self.profile.transports[t.index()].index()) != 0
    }

    /// The transport is logged on and takes no more work: not after a critical error (LIFE-17).
    pub(crate) fn live(&self, t: TransportId) -> bool {
        self.world.transport(t).logon().is_some() && !self.stopped()
    }

    /// The transport can be given outbound mail now (LIFE-10, LIFE-17, DEC-4).
    pub(crate) fn in_service(&self, t: TransportId) -> bool {
        matches!(self.world.transport(t), Transport::Serving(Logon { registered: true, enabled: Directions { outbound: true, .. }, .. }))
            && !self.service_disabled(t)
    }

    pub(crate) fn quiet(&self) -> bool {
        self.stopped()
            || (self.world.spooler().call_in_flight().is_none()
                && self.world.held().is_empty()
                && self.world.spooler().next_deadline().is_none())
    }

    /// Feeds an input the documentation forbids: it must be refused, leaving the spooler as it
    /// was. The monitor and the reference model do not see it.
    pub(crate) fn feed_illegal(&mut self, input: Input) -> Result<(), String> {
        self.own.inputs += 1;
        let n = self.own.inputs;
        let result = catch_unwind(AssertUnwindSafe(|| self.world.feed_forbidden(input.clone())));
        match result {
            Err(panic) => {
                let text = panic_text(&*panic);
                self.own.trace.push(Entry::Input { n, input, result: Err(format!("PANIC: {text}")) });
                Err(format!("the spooler panicked on the forbidden input {n}: {text}"))
            }
            Ok(Forbidden::Accepted(effects)) => {
                self.own.trace.push(Entry::Input { n, input, result: Ok(effects) });
                Err(format!("the spooler accepted input {n}, which the documentation forbids"))
            }
            Ok(Forbidden::ChangedByRefusal(error)) => {
                self.own.trace.push(Entry::Input { n, input, result: Err(format!("REFUSED: {error}")) });
                Err(format!("input {n} was refused ({error}) but changed the spooler"))
            }
            Ok(Forbidden::Refused(error)) => {
                let _ = error.hresult();
                self.own.trace.push(Entry::Input { n, input, result: Err(format!("REFUSED (as it must be): {error}")) });
                self.own.stats.refused += 1;
                Ok(())
            }
        }
    }
}
