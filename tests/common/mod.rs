//! Shared builders for the conformance scenarios.
//!
//! Every scenario names the requirements it checks on a `// Spec:` line; the catalogue test
//! (`tests/catalogue.rs`) reads those lines.
#![allow(dead_code)]

use mapi_spooler::sim::{Sim, TransportScript};
use mapi_spooler::store::{Draft, Outcome, StoredMessage};
use mapi_spooler::trace;
use mapi_spooler::{
    AddrType, Call, Effect, Error, MessageId, Profile, RecipientIdx, RecipientOutcome, RecipientRow, RecipientSet, Registrations,
    ReportKind, ServiceId, Settings, StoreId, TransportId, TransportSet,
};

/// `SMTP`, served by [`smtp`].
pub const SMTP: AddrType = AddrType(0);
/// `FAX`, served by [`fax`].
pub const FAX: AddrType = AddrType(1);
/// `X400`, served by no transport unless a scenario says so.
pub const X400: AddrType = AddrType(2);
/// The names of the address types above, for traces.
pub const NAMES: &[&str] = &["SMTP", "FAX", "X400"];
/// The only store.
pub const S0: StoreId = StoreId(0);

/// A transport registered for `SMTP`.
pub fn smtp() -> TransportScript {
    TransportScript::new("SMTP transport", Registrations::address_types([SMTP]))
}

/// A transport registered for `FAX`.
pub fn fax() -> TransportScript {
    TransportScript::new("FAX transport", Registrations::address_types([FAX]))
}

/// A world with these transports, in this profile order, each its own service, and one store.
pub fn world(scripts: Vec<TransportScript>) -> Sim {
    let profile = Profile::new(scripts.len() as u8);
    Sim::new(&profile, scripts, 0).expect("valid profile").with_address_names(NAMES)
}

/// A world that has started: every transport is logged on and enabled, the store is open.
pub fn started(scripts: Vec<TransportScript>) -> Sim {
    let mut sim = world(scripts);
    sim.start();
    sim
}

/// A draft to recipients of these address types.
pub fn draft(types: &[AddrType]) -> Draft {
    Draft::to(types.iter().map(|t| RecipientRow::new(*t)).collect())
}

/// Submits a draft to the store and runs the world until it settles.
pub fn send(sim: &mut Sim, draft: Draft) -> MessageId {
    let id = sim.submit(S0, draft).expect("the store accepts the draft");
    sim.run();
    id
}

/// The stored message.
pub fn stored(sim: &Sim, id: MessageId) -> &StoredMessage {
    sim.store(S0).message(id).expect("the store has the message")
}

/// How the submission of a message ended.
pub fn outcome(sim: &Sim, id: MessageId) -> Outcome {
    stored(sim, id).outcome
}

/// The disposition saved for each recipient of a message.
pub fn dispositions(sim: &Sim, id: MessageId) -> Vec<Option<RecipientOutcome>> {
    stored(sim, id).recipients.iter().map(|r| r.outcome).collect()
}

/// Asserts that the world followed the documentation (the spooler refused nothing) and that
/// the spooler kept every safety property the monitor checks.
///
/// It also writes the session as a recorded trace (`spec/trace-format.md`) and checks that the
/// trace reads back as the same events and that `trace check` finds it conforming: every
/// scenario that is clean round-trips through the trace checker (issue 7).
pub fn assert_clean(sim: &Sim) {
    assert_eq!(sim.refused(), &[] as &[Error], "the spooler refused inputs; trace:\n{}", sim.trace());
    assert_eq!(sim.violations(), &[] as &[mapi_spooler::Violation], "the spooler broke a property; trace:\n{}", sim.trace());
    let text = sim.recorded_trace();
    let mut lines = text.lines();
    let (_, mut codec) = trace::Codec::read_header(lines.next().expect("a header line")).expect("the header reads back");
    for (i, (line, event)) in lines.zip(sim.events()).enumerate() {
        let read = codec.read_event(line, i + 2).unwrap_or_else(|e| panic!("the recorded trace does not read back: {e}\n{line}"));
        assert_eq!(&read, event, "line {} reads back as another event:\n{line}", i + 2);
    }
    let verdict = trace::check_lines(text.lines());
    assert!(matches!(verdict, trace::Verdict::Conforms { .. }), "the recorded trace does not pass trace check: {verdict}\n{text}");
}

/// A world for this profile (its transports may share services), one script per entry.
pub fn world_with(profile: &Profile, scripts: Vec<TransportScript>) -> Sim {
    Sim::new(profile, scripts, 0).expect("valid profile").with_address_names(NAMES)
}

/// A world with these settings, each transport its own service.
pub fn world_with_settings(settings: Settings, scripts: Vec<TransportScript>) -> Sim {
    let profile = Profile { transports: (0..scripts.len() as u8).map(ServiceId).collect(), stores: 1, settings };
    world_with(&profile, scripts)
}

/// A set of recipient rows.
pub fn rows(rows: &[u16]) -> RecipientSet {
    rows.iter().map(|r| RecipientIdx(*r)).collect()
}

/// A set of transports.
pub fn transports(ts: &[TransportId]) -> TransportSet {
    ts.iter().copied().collect()
}

/// The calls the spooler made to one transport, in order.
pub fn calls_to(sim: &Sim, t: TransportId) -> Vec<Call> {
    sim.calls().filter(|c| c.transport() == Some(t)).cloned().collect()
}

/// The methods the spooler called on one transport, in order.
pub fn methods_to(sim: &Sim, t: TransportId) -> Vec<&'static str> {
    sim.calls().filter(|c| c.transport() == Some(t)).map(Call::method).collect()
}

/// The disposition of a recipient a transport took.
pub fn taken_by(t: TransportId) -> Option<RecipientOutcome> {
    Some(RecipientOutcome::Transport(t))
}

/// Every report MAPI raised: message, recipients, kind.
pub fn reports(sim: &Sim) -> Vec<(MessageId, RecipientSet, ReportKind)> {
    sim.effects()
        .iter()
        .filter_map(|e| match e {
            Effect::Report { message, recipients, kind, .. } => Some((*message, recipients.clone(), *kind)),
            _ => None,
        })
        .collect()
}
