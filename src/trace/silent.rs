//! The unobserved world of a partial recording (issue 16 item 1): what the scope did not see,
//! supplied as silent moves between two observed lines (`spec/trace-format.md`, "What the
//! checker answers").
//!
//! A partial trace conforms when some legal world and some legal spooler produce exactly its
//! lines at the observed boundary. Before each observed line the checker closes the frontier
//! under the silent moves that line calls for, and keeps every state that then takes the line.
//! The silent moves are of three kinds:
//!
//! * **The spooler's unobserved calls**: a legal choice of the spooler whose call goes to a
//!   component outside the scope (or that passes due work over, [`crate::Skip`]).
//! * **The unobserved components' answers** to such a call, with the support calls a component
//!   makes before it returns: a store does what it is asked and returns `S_OK` (an empty
//!   outgoing queue when it is opened: every message reaches the spooler as a queue row
//!   afterwards, which the spooler treats alike, SUB-16); a transport answers as the
//!   documentation's ordinary case has it (its version, a logon that creates its status row,
//!   every address type or none, the directions it was told mirrored in its row, every offered
//!   recipient taken, `EndMessage` with no flag, no inbound mail); a preprocessor finds every
//!   recipient deliverable, a hook keeps the message.
//! * **World inputs derived from the next observed line**, not searched blindly: the session's
//!   start before anything; for a `SubmitMessage` of a message the spooler does not know, its
//!   queue row (the offered rows of an address type the transport registered, the rows below them
//!   that were not offered either already taken or for the same transport, each combination of
//!   the originator's report requests); for a `TransportNotify` that ends or begins traffic, the
//!   session's end or the client disabling or enabling those directions; for a logoff or a
//!   shutdown, the session's end; for the asynchronous cancel, a cancelled yield, an unlock or an
//!   `AbortSubmit`, the user's cancel; for `Idle` and `Poll`, idle time and time passing; for a
//!   status call, the client's call that causes it; and time passing to the next retry deadline.
//!
//! **The bound** ([`bound`]): between two observed lines at most `W + 2 C` silent moves, where
//! `W` = [`WORLD_INPUTS`] is the number of kinds of derived world input (each is useful at most
//! once between two observed lines: a second start, end or cancel is refused, and a second idle
//! period or time step does nothing the first did not, because the unobserved components never
//! answer with a delay) and `C` bounds the unobserved calls the spooler can make with no new
//! input: per unobserved transport 4 to bring it up (`XPProviderInit`, `TransportLogon`,
//! `AddressTypes`, `TransportNotify`) and 3 to take it down (`TransportNotify`,
//! `TransportLogoff`, `Shutdown`); per unobserved store 2 to open it (`SpoolerLogon`,
//! `GetOutgoingQueue`); per message the spooler holds, and one more the next line may bring, 6
//! store calls (lock, unlock, `IMessage::SubmitMessage`, `FinishedMsg`, `AbortSubmit`,
//! `CreateMessage` or `NotifyNewMail`), 2 per unobserved transport (`SubmitMessage`,
//! `EndMessage`) and 2 per registered preprocessor (`PreprocessMessage`,
//! `RemovePreprocessInfo`). Each call is one move and its answer another (AMB-20: it returns
//! before the next). The spooler makes each of these calls at most once per piece of work, and
//! nothing else makes it call again without a new input, so a longer run of silent moves
//! repeats states already explored. The search also stops at a state it has seen (the closure
//! is a set). If moves are still left at the bound, the check does not guess: a divergence
//! after that point is reported as the bound exceeded ([`super::Limit::SilentMoves`]).

use std::collections::HashSet;

use super::Event;
use super::frontier::{self, Deaths, Node};
use super::scope::{Scope, View};
use crate::flags::{LogonCaps, NotifyFlags, StatusCode, StatusRowFlags};
use crate::{
    AddrType, AddressTypes, Call, CancelRequest, Delivery, Directions, Effect, EndFlags, HookOutcome, Hresult, Input, LockState, MessageId,
    MsgRef, Phase, Profile, QueueEvent, QueueRow, RecipientRow, RecipientSet, Registrations, ReportRequests, Return, SessionRequest,
    SpiVersion, StatusRequest, StoreId, SubmitOutcome, SupportCall, TransportId, TransportView,
};

/// The kinds of world input derived from the next observed line: the session's start, its
/// end, a client enabling and disabling traffic, the user's cancel, idle time, time passing, a
/// client's status call and a queue row.
pub(super) const WORLD_INPUTS: usize = 9;

/// What closing the frontier under the silent moves before one observed line found.
pub(super) struct Closure {
    /// The states that took the line.
    pub(super) next: Vec<Node>,
    /// Why states could not take it, for the divergence.
    pub(super) deaths: Deaths,
    /// The most silent moves on the way to a state that took the line.
    pub(super) used: usize,
    /// The states explored.
    pub(super) explored: usize,
    /// Silent moves were left at the bound: the states at the bound, when some could still move.
    pub(super) truncated: Option<usize>,
}

/// More states than the frontier's bound were explored between two lines.
pub(super) struct TooMany(pub(super) usize);

/// The most silent moves before the next line for states like these (see the module's
/// documentation for why it suffices).
pub(super) fn bound(frontier: &[Node], profile: &Profile, scope: Scope, preprocessors: usize) -> usize {
    let transports = profile.transports.len() - usize::from(matches!(scope, Scope::Transport(_)));
    let stores = usize::from(profile.stores) - usize::from(matches!(scope, Scope::Store(_)));
    let messages = frontier.iter().map(|n| n.spooler.message_ids().count()).max().unwrap_or(0);
    let calls = 7 * transports + 2 * stores + (messages + 1) * (6 + 2 * transports + 2 * preprocessors);
    WORLD_INPUTS + 2 * calls
}

/// Closes `frontier` under the silent moves the line `event` calls for, at most `moves` of
/// them in a row, and returns the states that take the line. Stops with [`TooMany`] when more
/// than `states` states were explored.
pub(super) fn closure(frontier: Vec<Node>, event: &Event, world: &Unobserved<'_>, moves: usize, states: usize) -> Result<Closure, TooMany> {
    let view = world.view;
    let mut seen: HashSet<Node> = HashSet::new();
    let mut layer: Vec<Node> = frontier.into_iter().filter(|n| seen.insert(n.clone())).collect();
    let mut found = Closure { next: Vec::new(), deaths: Deaths::default(), used: 0, explored: layer.len(), truncated: None };
    let mut waiting = Deaths::default();
    for depth in 0..=moves {
        for node in &layer {
            let before = found.next.len();
            // A state waiting for an unobserved component makes no call before it answers:
            // its death says only that the world has a move left, so it is kept apart.
            let deaths = if waits_for_the_world(node, event, view) { &mut waiting } else { &mut found.deaths };
            take(node.clone(), event, view, &mut found.next, deaths);
            if found.next.len() > before {
                found.used = found.used.max(depth);
            }
        }
        let mut next = Vec::new();
        for node in &layer {
            for successor in successors(node, event, world) {
                if seen.insert(successor.clone()) {
                    next.push(successor);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        if depth == moves {
            found.truncated = Some(next.len());
            break;
        }
        found.explored += next.len();
        if found.explored > states {
            return Err(TooMany(found.explored));
        }
        layer = next;
    }
    frontier::dedup(&mut found.next);
    if found.deaths.0.is_empty() {
        found.deaths = waiting;
    }
    Ok(found)
}

/// True when the line is a call of the spooler and the state has an unobserved call in flight.
fn waits_for_the_world(node: &Node, event: &Event, view: View) -> bool {
    matches!(event, Event::Effect(_)) && node.spooler.call_in_flight().is_some_and(|call| !view.shows(&Effect::Call(call.clone())))
}

/// The observed line taken by one state.
fn take(node: Node, event: &Event, view: View, out: &mut Vec<Node>, deaths: &mut Deaths) {
    match event {
        Event::Effect(effect) => node.effect(effect, view, out, deaths),
        Event::Input(input) => node.input(input, view, out, deaths),
        // A scoped trace has no crash line, and a flag word no legal world produces diverges
        // before any search.
        Event::Crash | Event::UndefinedFlags(_) => {}
    }
}

/// The states one silent move away.
fn successors(node: &Node, event: &Event, world: &Unobserved<'_>) -> Vec<Node> {
    let view = world.view;
    if !node.owed.is_empty() {
        // The spooler made a call the trace shows: it is the next line, or the state is dead.
        return Vec::new();
    }
    let mut out = Vec::new();
    match node.spooler.call_in_flight() {
        Some(call) if !view.shows(&Effect::Call(call.clone())) => {
            for inputs in answers(call, node, event) {
                out.extend(fed_all(node, &inputs, view));
            }
        }
        Some(_) => {}
        None => {
            for choice in node.spooler.choices() {
                out.extend(node.taken(&choice, view).filter(|n| n.owed.is_empty()));
            }
        }
    }
    for input in derived(node, event, view, world.profile.stores) {
        out.extend(fed_all(node, std::slice::from_ref(&input), view));
    }
    out.extend(world.settings_shown(node, event));
    out
}

/// The state after the world feeds these inputs in order, if the spooler takes each and the
/// monitor finds every step keeps the properties.
fn fed_all(node: &Node, inputs: &[Input], view: View) -> Option<Node> {
    let mut next = node.clone();
    for input in inputs {
        let effects = next.spooler.accept(input.clone()).ok()?;
        next.monitor.observe(input, &effects).ok()?;
        next.owed.extend(effects.into_iter().filter(|e| view.shows(e)));
    }
    Some(next)
}

/// The ways an unobserved component answers the call in flight: the inputs it feeds, its
/// support calls first and its return last.
fn answers(call: &Call, node: &Node, event: &Event) -> Vec<Vec<Input>> {
    let ret = |r: Return| vec![vec![Input::Return(r)]];
    let ok = Hresult::S_OK;
    match call.clone() {
        Call::XpProviderInit { transport, .. } => ret(Return::XpProviderInit { transport, result: Ok(SpiVersion::CURRENT) }),
        Call::ServiceConfigure { service } => ret(Return::ServiceConfigure { service, result: ok }),
        Call::TransportLogon { transport, .. } => {
            // LIFE-9: the transport creates its status row inside the logon.
            let row = SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::EMPTY, status: StatusCode::STATUS_AVAILABLE };
            vec![vec![Input::Support(row), Input::Return(Return::TransportLogon { transport, result: Ok(LogonCaps::EMPTY) })]]
        }
        // ORD-5, ORD-6: a transport for every address type, or for none.
        Call::AddressTypes { transport } => [Registrations::any(), Registrations::none()]
            .into_iter()
            .map(|r| vec![Input::Return(Return::AddressTypes { transport, result: Ok(r) })])
            .collect(),
        Call::TransportNotify { transport, flags, .. } => {
            // LIFE-10, LIFE-12: the row mirrors the directions before the call returns.
            let mut inputs = row_update(node, transport, |row| row.after_notify(flags));
            inputs.push(Input::Return(Return::TransportNotify { transport, flags, result: ok }));
            vec![inputs]
        }
        Call::SubmitMessage { transport, message, offered, .. } => {
            ret(Return::SubmitMessage { transport, message, outcome: SubmitOutcome::Accepted { msg_ref: MsgRef(1), accepted: offered } })
        }
        Call::EndMessage { transport, msg_ref } => ret(Return::EndMessage { transport, msg_ref, result: Ok(EndFlags::EMPTY) }),
        Call::Idle { transport } => ret(Return::Idle { transport, result: ok }),
        Call::TransportLogoff { transport } => ret(Return::TransportLogoff { transport, result: ok }),
        Call::Shutdown { transport } => ret(Return::Shutdown { transport, result: ok }),
        Call::Poll { transport } => ret(Return::Poll { transport, result: ok, incoming: 0 }),
        Call::StartMessage { transport, message } => ret(Return::StartMessage { transport, message, result: Ok(Delivery::Empty) }),
        Call::OpenStatusEntry { transport } => ret(Return::OpenStatusEntry { transport, result: ok }),
        Call::ValidateState { transport, .. } => ret(Return::ValidateState { transport, result: ok }),
        Call::FlushQueues { transport, flags } => {
            // STAT-19: the transport sets the flush bits of the directions asked for.
            let mut inputs = row_update(node, transport, |row| row.after_flush_queues(flags));
            inputs.push(Input::Return(Return::FlushQueues { transport, result: ok }));
            vec![inputs]
        }
        Call::SpoolerLogon { store } => ret(Return::SpoolerLogon { store, result: ok }),
        Call::GetOutgoingQueue { store } => ret(Return::GetOutgoingQueue { store, result: Ok(Vec::new()) }),
        Call::SetLockState { store, message, state } => ret(Return::SetLockState { store, message, state, result: ok }),
        Call::SubmitPreprocessed { store, message } => ret(Return::SubmitPreprocessed { store, message, result: ok }),
        Call::FinishedMsg { store, message } => ret(Return::FinishedMsg { store, message, result: ok }),
        Call::AbortSubmit { store, message } => ret(Return::AbortSubmit { store, message, result: ok }),
        Call::NotifyNewMail { store, message } => ret(Return::NotifyNewMail { store, message, result: ok }),
        Call::CreateMessage { store } => {
            // The new message is the one the next line hands to a transport, if it does.
            let message = match event {
                Event::Effect(Effect::Call(Call::StartMessage { message, .. })) => *message,
                _ => MessageId(FRESH + node.spooler.message_ids().count() as u32),
            };
            ret(Return::CreateMessage { store, result: Ok(message) })
        }
        Call::PreprocessMessage { preprocessor, message } => {
            ret(Return::PreprocessMessage { preprocessor, message, result: Ok(RecipientSet::new()) })
        }
        Call::RemovePreprocessInfo { preprocessor, message } => ret(Return::RemovePreprocessInfo { preprocessor, message, result: ok }),
        Call::InboundMsgHook { hook, message, .. } => ret(Return::InboundMsgHook { hook, message, result: Ok(HookOutcome::KEEP) }),
    }
}

/// What the checker knows of the world a partial recording did not observe: the profile of
/// the header, and whether the header gave the spooler's settings.
pub(super) struct Unobserved<'a> {
    /// What the trace shows.
    pub(super) view: View,
    /// The header's profile.
    pub(super) profile: &'a Profile,
    /// The header gave settings other than the defaults: they hold. Otherwise they are the
    /// world's, and the first observed `XPProviderInit` shows two of them.
    pub(super) settings_given: bool,
}

impl Unobserved<'_> {
    /// A session that starts with settings the first observed `XPProviderInit` shows (its
    /// `ulFlags` and `ulMAPIVer`, LIFE-2, VER-1), when the header does not give them and they
    /// differ from the defaults.
    fn settings_shown(&self, node: &Node, event: &Event) -> Option<Node> {
        let Event::Effect(Effect::Call(Call::XpProviderInit { flags, mapi_version, .. })) = event else { return None };
        if self.settings_given || node.spooler.phase() != Phase::Created {
            return None;
        }
        let mut profile = self.profile.clone();
        let settings = &mut profile.settings;
        if (settings.init_flags, settings.versions.mapi) == (*flags, *mapi_version) {
            return None;
        }
        settings.init_flags = *flags;
        settings.versions.mapi = *mapi_version;
        settings.versions.oldest = settings.versions.oldest.min(*mapi_version);
        let spooler = crate::Spooler::new(&profile).ok()?;
        let fresh = Node::new(spooler, crate::Monitor::new(&profile));
        fed_all(&fresh, &[Input::Session(SessionRequest::Start)], self.view)
    }
}

/// The first number of the messages the unobserved receive folder creates for transports
/// outside the scope: far above the names a recorder gives (`M1`, `M2`, ...).
const FRESH: u32 = 0x4000_0000;

/// The transport's `ModifyStatusRow(STATUSROW_UPDATE)` when `change` alters its row.
fn row_update(node: &Node, transport: TransportId, change: impl Fn(StatusCode) -> StatusCode) -> Vec<Input> {
    let row = match node.spooler.transport_view(transport) {
        Some(TransportView::LoggedOn { status_row: Some(row), .. }) => row,
        _ => return Vec::new(),
    };
    let status = change(row);
    if status == row {
        return Vec::new();
    }
    vec![Input::Support(SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::STATUSROW_UPDATE, status })]
}

/// The world inputs the next observed line calls for (see the module's documentation).
fn derived(node: &Node, event: &Event, view: View, stores: u8) -> Vec<Input> {
    let spooler = &node.spooler;
    if spooler.phase() == Phase::Created {
        return vec![Input::Session(SessionRequest::Start)];
    }
    let mut inputs = Vec::new();
    if let Some(deadline) = spooler.next_deadline() {
        let seconds = u32::try_from(deadline.0.saturating_sub(spooler.now().0)).unwrap_or(u32::MAX);
        inputs.push(Input::TimePassed { seconds });
    }
    let stores = || (0..stores).map(StoreId);
    let cancels = |message: MessageId| stores().map(move |store| Input::Cancel(CancelRequest::Outbound { store, message }));
    match event {
        Event::Effect(Effect::Call(call)) => match call {
            Call::SubmitMessage { transport, message, offered, .. } if spooler.message_view(*message).is_none() => {
                for store in stores().filter(|s| view.scope != Some(Scope::Store(*s)) && spooler.is_watching(*s)) {
                    inputs.extend(
                        queue_rows(node, store, *transport, *message, offered)
                            .into_iter()
                            .map(|row| Input::Queue(QueueEvent::RowAdded(row))),
                    );
                }
            }
            Call::TransportNotify { transport, flags, message } => {
                let ended = directions(*flags, NotifyFlags::NOTIFY_END_INBOUND, NotifyFlags::NOTIFY_END_OUTBOUND);
                let begun = directions(*flags, NotifyFlags::NOTIFY_BEGIN_INBOUND, NotifyFlags::NOTIFY_BEGIN_OUTBOUND);
                if ended != Directions::NONE {
                    inputs.push(Input::Session(SessionRequest::Shutdown));
                    inputs.push(Input::Session(SessionRequest::Disable { transport: *transport, directions: ended }));
                }
                if begun != Directions::NONE {
                    inputs.push(Input::Session(SessionRequest::Enable { transport: *transport, directions: begun }));
                }
                if let (true, Some(m)) = (flags.contains(NotifyFlags::NOTIFY_ABORT_DEFERRED), message) {
                    inputs.extend(cancels(*m));
                }
            }
            Call::TransportLogoff { .. } | Call::Shutdown { .. } => inputs.push(Input::Session(SessionRequest::Shutdown)),
            Call::Idle { .. } => inputs.push(Input::SystemIdle),
            Call::Poll { .. } => inputs.extend([Input::SystemIdle, Input::TimePassed { seconds: 1 }]),
            Call::OpenStatusEntry { transport } => inputs.push(Input::Status(StatusRequest::OpenEntry { transport: *transport })),
            Call::ValidateState { flags, .. } => inputs.push(Input::Status(StatusRequest::ValidateState { flags: flags.bits() })),
            Call::FlushQueues { transport, flags } => {
                for target in [Some(*transport), None] {
                    inputs.push(Input::Status(StatusRequest::FlushQueues { target, flags: flags.bits() }));
                }
            }
            Call::SetLockState { message, state: LockState::Unlocked, .. } | Call::AbortSubmit { message, .. } => {
                inputs.extend(cancels(*message));
                inputs.push(Input::Session(SessionRequest::Shutdown));
            }
            _ => {}
        },
        Event::Effect(Effect::CancelMessage { transport, message }) => {
            inputs.extend(cancels(*message));
            inputs.push(Input::Cancel(CancelRequest::Inbound { transport: *transport }));
        }
        Event::Effect(Effect::YieldCancel { transport }) => {
            if let Some(message) = spooler.call_in_flight().and_then(Call::message) {
                inputs.extend(cancels(message));
            }
            inputs.push(Input::Cancel(CancelRequest::Inbound { transport: *transport }));
        }
        _ => {}
    }
    inputs
}

/// The directions a `TransportNotify` flag word names with these two flags.
fn directions(flags: NotifyFlags, inbound: NotifyFlags, outbound: NotifyFlags) -> Directions {
    Directions { inbound: flags.contains(inbound), outbound: flags.contains(outbound) }
}

/// The queue rows of `message` in `store` that make the spooler offer `offered` to `transport`
/// (SUB-16, SUB-21): the offered rows of an address type the transport registered, with
/// `PR_RESPONSIBILITY` FALSE; the rows below them that were not offered either already taken
/// (TRUE) or for the same transport (offered in another part, FREE-27); every combination of
/// the originator's report requests (DEF-11).
fn queue_rows(node: &Node, store: StoreId, transport: TransportId, message: MessageId, offered: &RecipientSet) -> Vec<QueueRow> {
    let Some(addr_type) = routed_type(node, transport) else { return Vec::new() };
    let Some(last) = offered.iter().map(|r| usize::from(r.0)).max() else { return Vec::new() };
    let rows = |others_taken: bool| -> Vec<RecipientRow> {
        (0..=last)
            .map(|i| {
                let mine = offered.iter().any(|r| usize::from(r.0) == i);
                RecipientRow { addr_type, uid: None, responsibility: !mine && others_taken }
            })
            .collect()
    };
    let mut tables = vec![rows(true)];
    if offered.iter().count() <= last {
        tables.push(rows(false));
    }
    let mut out = Vec::new();
    for recipients in tables {
        for (delivery, non_delivery) in [(false, true), (true, true), (false, false), (true, false)] {
            out.push(QueueRow {
                store,
                message,
                flags: crate::flags::QueueFlags::EMPTY,
                preprocess: false,
                reports: ReportRequests { delivery, non_delivery },
                recipients: recipients.clone(),
            });
        }
    }
    out
}

/// An address type that routes to the transport: the first it registered, or any for a
/// transport that takes every type.
fn routed_type(node: &Node, transport: TransportId) -> Option<AddrType> {
    match node.spooler.transport_view(transport) {
        Some(TransportView::LoggedOn { registrations: Some(registrations), .. }) => match registrations.address_types {
            AddressTypes::Any => Some(AddrType(0)),
            AddressTypes::Listed(types) => types.first().copied(),
        },
        _ => None,
    }
}
