//! The generated worlds and the world's actions, with their proptest strategies.

use super::*;

// =============================================================================================
// Worlds and actions
// =============================================================================================

/// One transport of a generated world.
#[derive(Clone, Debug)]
pub(crate) struct TransportSpec {
    /// The address types it registers; `None` is the NULL array, any type (ORD-5); an empty
    /// list registers no type (ORD-6).
    pub(crate) types: Option<Vec<u16>>,
    /// The `MAPIUID`s it registers (ORD-3).
    pub(crate) uids: Vec<u16>,
    /// `TransportLogon` returns `LOGON_SP_IDLE` (LIFE-11).
    pub(crate) idle: bool,
    /// It creates its status row inside `TransportLogon`, else right after `AddressTypes`.
    pub(crate) row_during_logon: bool,
    /// A preprocessor it registers at logon: UID and address type (HOOK-1).
    pub(crate) preprocessor: Option<(Option<u16>, Option<u16>)>,
    /// It belongs to the message service of the transport before it (LIFE-6).
    pub(crate) shares_service: bool,
}

/// A generated world: the transports in profile order and the number of stores.
#[derive(Clone, Debug)]
pub(crate) struct WorldSpec {
    pub(crate) transports: Vec<TransportSpec>,
    pub(crate) stores: u8,
}

impl WorldSpec {
    pub(crate) fn profile(&self) -> Profile {
        let mut services: Vec<ServiceId> = Vec::new();
        for (i, t) in self.transports.iter().enumerate() {
            let service = if i > 0 && t.shares_service { services[i - 1] } else { ServiceId(i as u8) };
            services.push(service);
        }
        Profile { transports: services, stores: self.stores, settings: Settings::default() }
    }

    pub(crate) fn registrations(&self, t: TransportId) -> Registrations {
        let spec = &self.transports[t.index()];
        Registrations {
            address_types: match &spec.types {
                None => AddressTypes::Any,
                Some(types) => AddressTypes::Listed(types.iter().map(|a| AddrType(*a)).collect()),
            },
            uids: spec.uids.iter().map(|u| MapiUid(*u)).collect(),
        }
    }
}

/// A message a client composes.
#[derive(Clone, Debug)]
pub(crate) struct DraftSpec {
    pub(crate) store: u8,
    /// Address type and entry-identifier UID of each recipient.
    pub(crate) recipients: Vec<(u16, Option<u16>)>,
    pub(crate) preprocess: bool,
    pub(crate) delivery: bool,
    pub(crate) non_delivery: bool,
    pub(crate) sentmail: bool,
    pub(crate) delete: bool,
}

/// How the world answers one call: `fault` 0 is the well-behaved answer, any other value picks a
/// documented fault (the call decides which, from `fault` modulo its number of answers); `bits`
/// pick subsets (accepted, saved, reported recipients) and `delay` is a retry delay.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Choice {
    pub(crate) fault: u8,
    pub(crate) bits: u32,
    pub(crate) delay: u8,
}

impl Choice {
    pub(crate) const GOOD: Choice = Choice { fault: 0, bits: u32::MAX, delay: 0 };

    /// The answer number among `n` (0 is the good one).
    pub(crate) fn kind(self, n: u8) -> u8 {
        if self.fault == 0 { 0 } else { self.fault % n }
    }
}

/// What a transport tells its support object of its own accord.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NotifyKind {
    ReadyToSend,
    ConfigChange,
    CriticalSection,
    CriticalError,
    SentDeferred,
}

/// One decision of the world, interpreted against what the world knows when it comes up.
#[derive(Clone, Debug)]
pub(crate) enum Action {
    /// Answer the call in flight; with none, the next thing that happens by itself (a held
    /// deferral is announced, or time passes to the next retry deadline).
    Answer(Choice),
    /// Up to `count` such steps, with answers drawn from `seed` at the world's fault rate.
    Burst { count: u16, seed: u64 },
    /// Run until the world is quiet, with well-behaved answers.
    Settle,
    /// A client submits a message (SUB-1).
    Submit(DraftSpec),
    /// A client aborts a submitted message (DEF-6).
    Abort(u16),
    /// Time passes.
    Time(u32),
    /// The system is idle (LIFE-11).
    Idle,
    /// A transport calls `SpoolerNotify`.
    Notify(u8, NotifyKind),
    /// A store calls `SpoolerNotify(NOTIFY_READYTOSEND)` (SUB-6).
    StoreReady(u8),
    /// The transport of the call in flight calls `SpoolerYield` (SUB-35).
    Yield,
    /// The session enables or disables a transport's traffic.
    Traffic { transport: u8, enable: bool, directions: u8 },
    /// The spooler process crashes; a new spooler starts against the same stores.
    Crash,
    /// The session ends.
    Shutdown,
    /// An input the documentation forbids, from the pool.
    Illegal { kind: u8, a: u32, b: u32 },
    /// The user cancels a message the spooler has locked, or the inbound transfer in flight
    /// (DEF-5, DEF-7, RCV-13).
    Cancel(u16),
}

/// Sizes and rates of a family of worlds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    pub(crate) transports: (usize, usize),
    pub(crate) addr_types: u16,
    pub(crate) recipients: usize,
    pub(crate) actions: (usize, usize),
    /// Percent of answers that are faults.
    pub(crate) fault_percent: u32,
}

pub(crate) const SMALL: Scale = Scale { transports: (1, 4), addr_types: 4, recipients: 4, actions: (1, 300), fault_percent: 40 };
pub(crate) const LARGE: Scale = Scale { transports: (16, 16), addr_types: 10, recipients: 20, actions: (200, 200), fault_percent: 20 };

pub(crate) fn transport_spec(scale: Scale) -> impl Strategy<Value = TransportSpec> {
    let a = scale.addr_types;
    (
        prop_oneof![1 => Just(Some(Vec::new())), 10 => prop::collection::vec(0..a, 1..=2).prop_map(Some), 1 => Just(None)],
        prop::collection::vec(0..3u16, 0..=1),
        any::<bool>(),
        any::<bool>(),
        prop::option::weighted(0.15, (prop::option::of(0..3u16), prop::option::of(0..a))),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(types, uids, idle, row_during_logon, preprocessor, shares_service)| TransportSpec {
            types,
            uids,
            idle,
            row_during_logon,
            preprocessor,
            shares_service,
        })
}

pub(crate) fn world_spec(scale: Scale) -> impl Strategy<Value = WorldSpec> {
    (prop::collection::vec(transport_spec(scale), scale.transports.0..=scale.transports.1), 1..=2u8)
        .prop_map(|(transports, stores)| WorldSpec { transports, stores })
}

pub(crate) fn draft_spec(scale: Scale) -> impl Strategy<Value = DraftSpec> {
    let a = scale.addr_types;
    let count = prop_oneof![3 => 1..=scale.recipients, 1 => Just(scale.recipients)];
    (
        any::<u8>(),
        count.prop_flat_map(move |n| prop::collection::vec((0..=a, prop::option::weighted(0.2, 0..3u16)), n)),
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.8),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(store, recipients, preprocess, delivery, non_delivery, sentmail, delete)| DraftSpec {
            store,
            recipients,
            preprocess,
            delivery,
            non_delivery,
            sentmail,
            delete,
        })
}

pub(crate) fn choice(scale: Scale) -> impl Strategy<Value = Choice> {
    let good = 100 - scale.fault_percent;
    (prop_oneof![good => Just(0u8), scale.fault_percent => 1..=255u8], any::<u32>(), any::<u8>()).prop_map(|(fault, bits, delay)| Choice {
        fault,
        bits,
        delay,
    })
}

pub(crate) fn notify_kind() -> impl Strategy<Value = NotifyKind> {
    prop_oneof![
        3 => Just(NotifyKind::ReadyToSend),
        1 => Just(NotifyKind::ConfigChange),
        2 => Just(NotifyKind::CriticalSection),
        1 => Just(NotifyKind::CriticalError),
        4 => Just(NotifyKind::SentDeferred),
    ]
}

/// Every action but `Submit`, with weights for a world of this scale. The order matters for
/// shrinking: proptest shrinks a choice towards earlier alternatives, so every action tries to
/// become `Settle` (a well-behaved run to quiet), then a plain answer.
pub(crate) fn other_action(scale: Scale, answer: u32, bursts: u32) -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => Just(Action::Settle),
        answer => choice(scale).prop_map(Action::Answer),
        3 => prop::sample::select(vec![1u32, 5, 30, 61, 3600]).prop_map(Action::Time),
        2 => Just(Action::Idle),
        1 => any::<u8>().prop_map(Action::StoreReady),
        2 => Just(Action::Yield),
        8 => (any::<u8>(), notify_kind()).prop_map(|(t, k)| Action::Notify(t, k)),
        3 => (any::<u8>(), any::<bool>(), 1..=3u8).prop_map(|(transport, enable, directions)| Action::Traffic { transport, enable, directions }),
        3 => any::<u16>().prop_map(Action::Abort),
        2 => any::<u16>().prop_map(Action::Cancel),
        2 => Just(Action::Crash),
        1 => Just(Action::Shutdown),
        14 => (any::<u8>(), any::<u32>(), any::<u32>()).prop_map(|(kind, a, b)| Action::Illegal { kind, a, b }),
        bursts => (1..300u16, any::<u64>()).prop_map(|(count, seed)| Action::Burst { count, seed }),
    ]
}

/// Small worlds: 1 to 4 transports, 1 or 2 stores, up to 4 recipients per message, up to 120
/// actions, 40 % of answers faulty.
pub(crate) fn small_worlds() -> impl Strategy<Value = (WorldSpec, Vec<Action>)> {
    let action = prop_oneof![
        88 => other_action(SMALL, 30, 10),
        12 => draft_spec(SMALL).prop_map(Action::Submit),
    ];
    // The world comes first in the tuple: proptest shrinks a tuple's parts in order, and fewer
    // transports shorten every trace (shrinking the actions first measured worse).
    (world_spec(SMALL), prop::collection::vec(action, SMALL.actions.0..=SMALL.actions.1))
}

/// Large worlds: 16 transports, 2 stores, 200 messages of up to 20 recipients each (a quarter of
/// them exactly 20), interleaved with 200 other actions, 20 % of answers faulty.
pub(crate) fn large_worlds() -> impl Strategy<Value = (WorldSpec, Vec<Action>)> {
    (
        world_spec(LARGE),
        prop::collection::vec(draft_spec(LARGE), 200),
        prop::collection::vec(other_action(LARGE, 10, 12), LARGE.actions.0..=LARGE.actions.1),
    )
        .prop_map(|(spec, drafts, others)| {
            let mut actions = Vec::with_capacity(drafts.len() + others.len());
            let mut drafts = drafts.into_iter();
            let mut others = others.into_iter();
            loop {
                match (drafts.next(), others.next()) {
                    (None, None) => break,
                    (d, o) => actions.extend(d.map(Action::Submit).into_iter().chain(o)),
                }
            }
            (spec, actions)
        })
}
