//! Tests generated from the method table: every call, return and support call, with sample
//! values of every argument, is written as a trace line and read back unchanged; every return
//! answers the call it was built with and no other; renaming renames the message a call names.

use crate::flags::{HookFlags, LockState, QueueFlags, ResourceFlags, ResourceMethods};
use crate::hresult::Hresult;
use crate::ids::{AddrType, FolderId, HookId, MapiUid, MessageId, MsgRef, PreprocessorId, RecipientIdx, ServiceId, StoreId, TransportId};
use crate::input::{
    Caller, CancelRequest, Delivery, Directions, HookOutcome, QueueEvent, QueueRow, ReportKind, ReportRequests, SessionRequest,
    StatusColumns, StatusRequest, SubmitOutcome,
};
use crate::recipients::{RecipientRow, RecipientSet};
use crate::routing::{AddressTypes, PreprocessorFilter, Registrations};
use crate::trace::{Codec, Event};
use crate::version::SpiVersion;
use crate::{Call, Effect, Input, Renaming, Return, SupportCall};

/// Sample values of a type of argument, enough to reach every shape its codec writes.
pub(crate) trait Sample: Sized + Clone {
    /// The samples.
    fn samples() -> Vec<Self>;
}

/// The `i`th sample of a type (cycling).
pub(crate) fn sample<T: Sample>(i: usize) -> T {
    let samples = T::samples();
    samples[i % samples.len()].clone()
}

/// How many examples of each method the tests take: enough to cycle through every sample.
const ROUNDS: usize = 6;

macro_rules! samples {
    ($($ty:ty => [$($value:expr),* $(,)?];)*) => {
        $(
            impl Sample for $ty {
                fn samples() -> Vec<Self> {
                    vec![$($value),*]
                }
            }
        )*
    };
}

macro_rules! flag_samples {
    ($($flags:ident),* $(,)?) => {
        $( samples!(crate::flags::$flags => [crate::flags::$flags::EMPTY, crate::flags::$flags::ALL];); )*
    };
}

flag_words!(flag_samples);

fn row(store: StoreId, message: u32) -> QueueRow {
    QueueRow {
        store,
        message: MessageId(message),
        flags: QueueFlags::ALL,
        preprocess: message.is_multiple_of(2),
        reports: ReportRequests { delivery: true, non_delivery: false },
        recipients: vec![
            RecipientRow::new(AddrType(0)),
            RecipientRow { addr_type: AddrType(1), uid: Some(MapiUid(2)), responsibility: true },
        ],
    }
}

fn set(rows: &[u16]) -> RecipientSet {
    rows.iter().map(|r| RecipientIdx(*r)).collect()
}

samples! {
    TransportId => [TransportId(0), TransportId(1), TransportId(2)];
    StoreId => [StoreId(0), StoreId(1)];
    MessageId => [MessageId(1), MessageId(2), MessageId(3)];
    PreprocessorId => [PreprocessorId(0), PreprocessorId(1)];
    HookId => [HookId(0), HookId(1)];
    ServiceId => [ServiceId(0), ServiceId(1)];
    Option<MessageId> => [None, Some(MessageId(2))];
    Option<TransportId> => [Some(TransportId(1)), None];
    Directions => [Directions::BOTH, Directions::INBOUND, Directions::OUTBOUND, Directions::NONE];
    MsgRef => [MsgRef(0), MsgRef(u64::MAX)];
    SpiVersion => [SpiVersion(0x0001_0010), SpiVersion(0x0001_0011)];
    LockState => [LockState::Locked, LockState::Unlocked];
    RecipientSet => [RecipientSet::new(), set(&[0, 2])];
    u32 => [0, 30];
    Hresult => [Hresult::S_OK, Hresult::MAPI_E_BUSY, Hresult(0x8123_4567)];
    Caller => [Caller::Transport(TransportId(1)), Caller::Store(StoreId(0))];
    PreprocessorFilter => [
        PreprocessorFilter { uid: None, addr_type: None },
        PreprocessorFilter { uid: Some(MapiUid(1)), addr_type: Some(AddrType(1)) },
    ];
    Vec<(RecipientIdx, ReportKind)> => [Vec::new(), vec![(RecipientIdx(0), ReportKind::Delivery), (RecipientIdx(2), ReportKind::NonDelivery)]];
    StatusColumns => [
        StatusColumns::default(),
        StatusColumns { methods: ResourceMethods::ALL, resource_flags: ResourceFlags::ALL },
    ];
    QueueRow => [row(StoreId(0), 1), row(StoreId(1), 2)];
    Vec<QueueRow> => [Vec::new(), vec![row(StoreId(0), 1), row(StoreId(0), 2)]];
    Registrations => [
        Registrations { address_types: AddressTypes::Any, uids: Vec::new() },
        Registrations { address_types: AddressTypes::Listed(vec![AddrType(0), AddrType(3)]), uids: vec![MapiUid(1)] },
    ];
    Delivery => [Delivery::Saved, Delivery::Empty];
    HookOutcome => [HookOutcome::KEEP, HookOutcome { flags: HookFlags::ALL, moved_to: Some(FolderId(4)) }];
    SubmitOutcome => [
        SubmitOutcome::Accepted { msg_ref: MsgRef(7), accepted: set(&[1]) },
        SubmitOutcome::Failed { result: Hresult::MAPI_E_WAIT, return_parm: 30, saved: set(&[0]) },
        SubmitOutcome::Failed { result: Hresult::MAPI_E_BUSY, return_parm: 0, saved: RecipientSet::new() },
    ];
}

/// A result with an out-parameter: a success with each sample, and a failure.
impl<T: Sample> Sample for Result<T, Hresult> {
    fn samples() -> Vec<Self> {
        let mut out: Vec<Self> = T::samples().into_iter().map(Ok).collect();
        out.insert(1, Err(Hresult::MAPI_E_NETWORK_ERROR));
        out
    }
}

/// Writes each event as a trace line and reads it back: it must be the same event.
fn each_reads_back(events: impl IntoIterator<Item = Event>) {
    let codec = Codec::default();
    for event in events {
        let line = codec.event_line(&event);
        let read = Codec::default().read_event(&line, 2).unwrap_or_else(|e| panic!("{line} does not read back: {e}"));
        assert_eq!(read, event, "{line}");
    }
}

/// Every call, return and support call, with every sample of its arguments, reads back as
/// written.
#[test]
fn every_method_reads_back_as_written() {
    let calls = Call::examples(ROUNDS);
    assert_eq!(calls.len(), ROUNDS * Call::METHODS.len());
    each_reads_back(calls.into_iter().map(|c| Event::Effect(Effect::Call(c))));
    let mut returns = Return::examples(ROUNDS);
    // The rows of a queue are the answering store's: a trace line names that store once.
    for ret in &mut returns {
        if let Return::GetOutgoingQueue { store, result: Ok(rows) } = ret {
            rows.iter_mut().for_each(|row| row.store = *store);
        }
    }
    each_reads_back(returns.into_iter().map(|r| Event::Input(Input::Return(r))));
    let support = SupportCall::examples(ROUNDS);
    assert_eq!(support.len(), ROUNDS * SupportCall::NAMES.len());
    each_reads_back(support.into_iter().map(|s| Event::Input(Input::Support(s))));
}

/// Every input kind declared with `lines!`, and the answer to a status call, reads back as
/// written.
#[test]
fn every_input_kind_reads_back_as_written() {
    each_reads_back(SessionRequest::examples(ROUNDS).into_iter().map(|r| Event::Input(Input::Session(r))));
    each_reads_back(CancelRequest::examples(ROUNDS).into_iter().map(|r| Event::Input(Input::Cancel(r))));
    each_reads_back(QueueEvent::examples(ROUNDS).into_iter().map(|e| Event::Input(Input::Queue(e))));
    each_reads_back(StatusRequest::examples(ROUNDS).into_iter().map(|r| Event::Input(Input::Status(r))));
    each_reads_back(
        StatusRequest::examples(ROUNDS)
            .into_iter()
            .zip(Hresult::samples().into_iter().cycle())
            .map(|(request, result)| Event::Effect(Effect::StatusAnswer { request, result })),
    );
}

/// AMB-20: a return answers the call it repeats the identifying arguments of, and no call of
/// another method or with other identifying arguments.
#[test]
fn a_return_answers_its_call_and_no_other() {
    // Spec: AMB-20
    let calls = Call::examples(ROUNDS);
    let returns = Return::examples(ROUNDS);
    assert_eq!(calls.len(), returns.len());
    for (call, ret) in calls.iter().zip(&returns) {
        assert!(call.is_answered_by(ret), "{ret} does not answer {call}");
        assert_eq!(call.method(), ret.method());
    }
    // The same method one round later (every target has at least two samples, so consecutive
    // rounds call different objects), and every other method.
    let n = Call::METHODS.len();
    for (i, call) in calls.iter().enumerate() {
        if let Some(later) = returns.get(i + n) {
            assert!(!call.is_answered_by(later), "{later} answers {call}");
        }
        for ret in returns.iter().filter(|r| r.method() != call.method()) {
            assert!(!call.is_answered_by(ret), "{ret} answers {call}");
        }
    }
}

/// Renaming a message renames it wherever a call names it.
#[test]
fn renaming_reaches_the_message_of_every_call() {
    let mut renaming = Renaming::new();
    for m in 1..=3 {
        renaming.rename_message(MessageId(m), MessageId(m + 10));
    }
    for call in Call::examples(ROUNDS) {
        let renamed = renaming.call(&call);
        assert_eq!(renamed.message(), call.message().map(|m| renaming.message(m)), "{call}");
        assert_eq!(renamed.method(), call.method());
        assert_eq!(renamed.transport(), call.transport());
    }
}

/// The names a trace uses for calls are unique.
#[test]
fn names_are_unique() {
    let mut methods = Call::METHODS.to_vec();
    methods.sort_unstable();
    methods.dedup();
    assert_eq!(methods.len(), Call::METHODS.len());
}

/// The trace format's documentation (`spec/trace-format.md`) has a row for every call, return
/// and support call that names every key the codec writes for it.
#[test]
fn the_trace_format_documents_every_key() {
    let doc = include_str!("../../spec/trace-format.md");
    let codec = Codec::default();
    let lines = |events: Vec<Event>| -> Vec<serde_json::Map<String, serde_json::Value>> {
        events
            .iter()
            .map(|e| match serde_json::from_str(&codec.event_line(e)) {
                Ok(serde_json::Value::Object(obj)) => obj,
                other => panic!("{other:?}"),
            })
            .collect()
    };
    let calls = lines(Call::examples(ROUNDS).into_iter().map(|c| Event::Effect(Effect::Call(c))).collect());
    let returns = lines(Return::examples(ROUNDS).into_iter().map(|r| Event::Input(Input::Return(r))).collect());
    let support = lines(SupportCall::examples(ROUNDS).into_iter().map(|s| Event::Input(Input::Support(s))).collect());
    for (kind, title, objects, given) in [
        ("call", "### `call`", calls, &["call"][..]),
        ("return", "### `return`", returns, &["return", "from", "result"][..]),
        ("support", "### `support`", support, &["support"][..]),
    ] {
        let start = doc.find(title).unwrap_or_else(|| panic!("no section {title}"));
        let section = &doc[start + title.len()..];
        let section = &section[..section.find("\n### ").unwrap_or(section.len())];
        for obj in objects {
            let name = obj[kind].as_str().expect("a name");
            let keys: Vec<&String> = obj.keys().filter(|k| !given.contains(&k.as_str())).collect();
            if keys.is_empty() {
                continue;
            }
            let row = section
                .lines()
                .find(|l| l.split('|').nth(1).is_some_and(|cell| cell.contains(&format!("`{name}`"))))
                .unwrap_or_else(|| panic!("spec/trace-format.md has no {kind} row for {name}"));
            for key in keys {
                assert!(row.contains(&format!("`{key}`")), "the {kind} row of {name} does not name `{key}`: {row}");
            }
        }
    }
}
