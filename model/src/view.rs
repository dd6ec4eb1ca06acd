//! The world as a MAPI engineer reads it: each step as the call or event it is, and the state
//! as the session's phase, each logon's stage and status row, the outgoing queue with its lock
//! states, each recipient's disposition and what is in flight. The Explorer, the
//! counterexamples and `replay` print these instead of a `Debug` dump.

use std::fmt::Write as _;

use mapi_spooler::store::{self, Outcome, Placement, ReferenceStore, StoredMessage};
use mapi_spooler::{Input, MessageId, Phase, QueueFlags, RecipientView, Spooler, StatusCode, TransportId, TransportView};

use crate::world::{Action, Answer, Event, STORE, World};

/// How one move reads: the call it answers and what came back ("T0.SubmitMessage(ulFlags=0,
/// M1, responsibility FALSE for {0}) → MAPI_E_WAIT lpulReturnParm=5, retry in 5 s"), or what
/// the client, the session, a transport or time did. `events` are the move's events as
/// [`crate::SpoolerModel::replay`] logs them, `after` the world after it.
#[must_use]
pub fn step_label(before: &World, action: &Action, events: &[Event], after: &World) -> String {
    let mut label = match action {
        Action::Answer(answer) => {
            let returned = events.iter().find_map(|e| match e {
                Event::Input(Input::Return(ret)) => Some(ret.to_string()),
                _ => None,
            });
            let result = returned.as_deref().and_then(|r| r.split_once(" => ")).map(|(_, result)| result.to_owned());
            let call = before.spooler().call_in_flight().map_or_else(|| "the call in flight".to_owned(), ToString::to_string);
            match (answer, result) {
                (Answer::Critical, Some(result)) => format!("{call} → NOTIFY_CRITICAL_ERROR, then {result}"),
                (Answer::TakeReporting, Some(result)) => format!("{call} → StatusRecips (NDRs), then {result}"),
                (Answer::FailSaving, Some(result)) => format!("{call} → saves what it took, then {result}"),
                (_, Some(result)) => format!("{call} → {result}"),
                (_, None) => format!("{call} → {}", answer_words(answer)),
            }
        }
        Action::Wait => match events.iter().find_map(|e| match e {
            Event::Input(Input::TimePassed { seconds }) => Some(*seconds),
            _ => None,
        }) {
            Some(seconds) => format!("time passes {seconds} s"),
            None => action.to_string(),
        },
        Action::Submit | Action::SubmitServed | Action::Abort(_) | Action::Arrival => events
            .iter()
            .find_map(|e| match e {
                Event::World(text) if !text.starts_with("-- ") => Some(text.clone()),
                _ => None,
            })
            .unwrap_or_else(|| action.to_string()),
        _ => action.to_string(),
    };
    let retry = |w: &World| w.spooler().next_deadline().map(|d| d.0.saturating_sub(w.spooler().now().0));
    if let Some(delay) = retry(after)
        && retry(before) != Some(delay)
        && matches!(action, Action::Answer(_))
    {
        let _ = write!(label, ", retry in {delay} s");
    }
    if let Some(text) = events.iter().find_map(|e| match e {
        Event::Violation(text) => Some(text.clone()),
        _ => None,
    }) {
        let _ = write!(label, " — VIOLATION: {text}");
    }
    label
}

/// An answer in words, without the call it answers (for stateright's `format_action`, which
/// sees no state).
#[must_use]
pub fn answer_words(answer: &Answer) -> String {
    match answer {
        Answer::Default => "the callee answers as documented (S_OK, taking every recipient offered)".to_owned(),
        Answer::Take(rows) => format!("S_OK taking only recipients {rows}"),
        Answer::TakeReporting => "StatusRecips NDRs for the recipients taken, then S_OK".to_owned(),
        Answer::Fail(error) => error.hresult().to_string(),
        Answer::FailSaving => "saves the recipients taken, then MAPI_E_NETWORK_ERROR".to_owned(),
        Answer::Critical => "NOTIFY_CRITICAL_ERROR, then MAPI_E_CALL_FAILED".to_owned(),
        Answer::End(flags) => format!("EndMessage returns {flags}"),
        Answer::LogonFails => "TransportLogon fails with MAPI_E_FAILONEPROVIDER".to_owned(),
        Answer::VersionMismatch => "XPProviderInit fails with MAPI_E_VERSION".to_owned(),
        Answer::StartFails => "StartMessage fails, nothing saved".to_owned(),
        Answer::UserCancel => "MAPI_E_USER_CANCEL after the user's cancel".to_owned(),
        Answer::HookDelete => "the inbound hook returns HOOK_DELETE".to_owned(),
        Answer::HookCancel => "the inbound hook returns HOOK_CANCEL".to_owned(),
        Answer::Validate(result) => format!("ValidateState returns {result}"),
    }
}

/// A move without its state: what stateright's `format_action` shows.
#[must_use]
pub fn action_words(action: &Action) -> String {
    match action {
        Action::Answer(answer) => format!("answer: {}", answer_words(answer)),
        _ => action.to_string(),
    }
}

/// One logged event as a trace line (`spooler -> T0.SubmitMessage(...)`, `client -> ...`).
#[must_use]
pub fn event_line(event: &Event) -> String {
    match event {
        Event::Input(input) => mapi_spooler::sim::input_line(input),
        Event::Effect(effect) => mapi_spooler::sim::effect_line(effect),
        Event::World(text) => text.clone(),
        Event::Crash => CRASH.to_owned(),
        Event::Violation(text) => format!("VIOLATION: {text}"),
    }
}

/// Transport 0 announced the inbound mail it holds (RCV-1, RCV-3).
fn announced(world: &World) -> bool {
    world.transport(TransportId(0)).logon().is_some_and(|logon| logon.announced)
}

/// Transport 0's inbound traffic is enabled (RCV-2).
fn inbound_on(world: &World) -> bool {
    world.transport(TransportId(0)).logon().is_some_and(|logon| logon.enabled.inbound)
}

/// How a crash reads in a trace.
pub const CRASH: &str = "CRASH: the spooler process dies with its transports; the store keeps what it saved";

/// The whole world as text: the spooler's side ([`spooler_state`]), the store's outgoing queue
/// and messages, inbound mail, and what the client and the transports hold.
#[must_use]
pub fn world_state(world: &World) -> String {
    let mut out = spooler_state(world.spooler());
    let _ = writeln!(out, "store {STORE}");
    store_lines(&mut out, world.spooler(), world.store(STORE));
    let mut waiting = Vec::new();
    if world.drafts > 0 {
        waiting.push(format!("{} draft(s) still to submit", world.drafts));
    }
    if world.waiting > 0 {
        waiting.push(format!("{} status call(s) waiting for their answer", world.waiting));
    }
    if !waiting.is_empty() {
        let _ = writeln!(out, "client: {}", waiting.join("; "));
    }
    let mut transports = Vec::new();
    if world.mail > 0 {
        let how = if announced(world) { "announced" } else { "not announced yet" };
        let on = if inbound_on(world) { "inbound enabled" } else { "inbound not enabled" };
        transports.push(format!("T0 holds {} inbound message(s), {how}, {on}", world.mail));
    }
    for (t, m) in world.held() {
        transports.push(format!("{t} holds {m} deferred"));
    }
    if let Some((t, m)) = world.in_hand() {
        transports.push(format!("{t} took {m} and waits for EndMessage"));
    }
    for t in world.in_critical_section().iter() {
        transports.push(format!("{t} is in a critical section"));
    }
    for t in world.out_of_service().iter() {
        transports.push(format!("{t} is out of service for this session"));
    }
    if !transports.is_empty() {
        let _ = writeln!(out, "providers: {}", transports.join("; "));
    }
    if let Some((flags, answer)) = world.logoff {
        let _ = writeln!(out, "store logoff: StoreLogoffTransports({flags}) answered {answer}");
    }
    out
}

/// The spooler's side of the state: the session's phase and time, the call in flight, the
/// retry delay, each transport's stage, status row and registrations, and each message it
/// tracks with its lock and recipients.
#[must_use]
pub fn spooler_state(spooler: &Spooler) -> String {
    let mut out = String::new();
    let phase = match spooler.phase() {
        Phase::Created => "created, not started",
        Phase::Starting => "starting: initializing and logging on the transports",
        Phase::Running => "running",
        Phase::Stopping => "ending: handing back work, logging the transports off",
        Phase::Stopped => "ended",
    };
    let _ = writeln!(out, "session: {phase}; time {} s", spooler.now().0);
    match spooler.call_in_flight() {
        Some(call) => {
            let _ = writeln!(out, "in flight: spooler -> {call}");
        }
        None => {
            let _ = writeln!(out, "in flight: no call");
        }
    }
    if let Some(deadline) = spooler.next_deadline() {
        let _ = writeln!(out, "retry delay: ends at {} s ({} s from now)", deadline.0, deadline.0.saturating_sub(spooler.now().0));
    }
    for i in 0..spooler.transport_count() {
        let t = TransportId(i as u8);
        let _ = writeln!(out, "{t}  {}", transport_line(spooler, t));
    }
    out
}

/// The messages the spooler tracks, with its lock and what it knows of each recipient: the
/// state of a recorded trace, which does not record the store's side.
#[must_use]
pub fn spooler_messages(spooler: &Spooler) -> String {
    let mut out = String::new();
    for id in spooler.message_ids() {
        let Some(view) = spooler.message_view(id) else { continue };
        let mut parts = vec![if view.locked { "locked by the spooler".to_owned() } else { "not locked".to_owned() }];
        if view.cancelled {
            parts.push("cancelled by the user".to_owned());
        }
        parts.push(format!("PR_SUBMIT_FLAGS {}", view.flags));
        let _ = writeln!(out, "{}.{id}  {}", view.store, parts.join("; "));
        for (j, r) in view.recipients.iter().enumerate() {
            let _ = writeln!(out, "      recipient {j}: {}", recipient_view(*r));
        }
    }
    out
}

fn recipient_view(view: RecipientView) -> String {
    match view {
        RecipientView::Open { declined } if declined.is_empty() => "open".to_owned(),
        RecipientView::Open { declined } => {
            format!("open, declined by {}", declined.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", "))
        }
        RecipientView::Deferred(t) => format!("held deferred by {t}"),
        RecipientView::Resubmit(t) => format!("to resend after {t} asked"),
        RecipientView::Done(outcome) => format!("done: {outcome}"),
        RecipientView::AlreadyTaken => "already taken when read".to_owned(),
        RecipientView::Withdrawn => "withdrawn by the user's cancel".to_owned(),
    }
}

fn transport_line(spooler: &Spooler, t: TransportId) -> String {
    match spooler.transport_view(t) {
        None | Some(TransportView::NotLoaded) => "not loaded (XPProviderInit not called yet)".to_owned(),
        Some(TransportView::Loaded) => "provider loaded, no logon yet".to_owned(),
        Some(TransportView::LoggedOn { ready, caps, enabled, status_row, registrations, critical, critical_section, leaving }) => {
            let mut parts = vec![if ready { "logged on, ready".to_owned() } else { "logging on".to_owned() }];
            if critical {
                parts.push("raised NOTIFY_CRITICAL_ERROR".to_owned());
            }
            if leaving {
                parts.push("being logged off".to_owned());
            }
            parts.push(format!("traffic {enabled}"));
            parts.push(format!("lpulFlags {caps}"));
            match status_row {
                Some(row) => parts.push(format!("status row {}", status_words(row))),
                None => parts.push("no status row".to_owned()),
            }
            if let Some(registrations) = registrations {
                let types = match &registrations.address_types {
                    mapi_spooler::AddressTypes::Any => "any address type".to_owned(),
                    mapi_spooler::AddressTypes::Listed(types) => types.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                };
                parts.push(format!("handles {types}"));
            }
            if critical_section {
                parts.push("in a critical section".to_owned());
            }
            if let Some(flush) = spooler.flush_view(t) {
                parts.push(format!("flush {flush:?}"));
            }
            parts.join("; ")
        }
        Some(TransportView::ShutdownDue(why)) => format!("logged off ({why:?}); Shutdown due"),
        Some(TransportView::Gone(why)) => format!("released ({why:?})"),
    }
}

fn status_words(row: StatusCode) -> String {
    row.to_string()
}

/// The store's outgoing queue, its messages (with what the spooler knows of each) and its
/// inbound messages.
fn store_lines(out: &mut String, spooler: &Spooler, store: &ReferenceStore) {
    let queue: Vec<String> = store
        .outgoing_queue()
        .iter()
        .map(|row| {
            let locked = store.message(row.message).is_some_and(|m| m.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED));
            format!("{}{}", row.message, if locked { " (locked)" } else { "" })
        })
        .collect();
    let _ = writeln!(out, "  outgoing queue: {}", if queue.is_empty() { "empty".to_owned() } else { queue.join(", ") });
    for (id, msg) in store.messages() {
        let _ = writeln!(out, "  {id}  {}", message_line(spooler, store, id, msg));
        for (j, r) in msg.recipients.iter().enumerate() {
            let _ = writeln!(out, "      recipient {j} ({}): {}", r.row.addr_type, recipient_words(spooler, id, j, r));
        }
    }
    for (id, m) in store.inbound_messages() {
        let state = match (&m.class, m.spooler_status) {
            (_, Some(code)) if code == mapi_spooler::Hresult::MAPI_E_OBJECT_DELETED => "deleted by an inbound hook".to_owned(),
            (Some(class), _) => format!("{class} saved in {}", folder(m.folder)),
            (None, _) => "created, not saved by the transport yet".to_owned(),
        };
        let _ = writeln!(out, "  inbound {id}: {state}; announced with NotifyNewMail {} time(s)", m.notified);
    }
}

fn folder(folder: Option<mapi_spooler::FolderId>) -> String {
    match folder {
        Some(store::INBOX) => "the Inbox".to_owned(),
        Some(store::SENT_ITEMS) => "Sent Items".to_owned(),
        Some(store::OUTBOX) => "the Outbox".to_owned(),
        Some(other) => other.to_string(),
        None => "no folder".to_owned(),
    }
}

fn message_line(spooler: &Spooler, store: &ReferenceStore, id: MessageId, msg: &StoredMessage) -> String {
    let mut parts = vec![match msg.outcome {
        Outcome::Queued if store.is_queued(id) => "queued".to_owned(),
        Outcome::Queued => "submitted, out of the queue".to_owned(),
        Outcome::Finished(Placement::Deleted) => "finished (FinishedMsg), deleted".to_owned(),
        Outcome::Finished(Placement::Folder(f)) => format!("finished (FinishedMsg), in {}", folder(Some(f))),
        Outcome::Aborted => "aborted by the client".to_owned(),
    }];
    if msg.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED) {
        parts.push("locked (SUBMITFLAG_LOCKED)".to_owned());
    }
    if store.completed(id) {
        parts.push("completed by the coupled pair (CompleteMsg)".to_owned());
    }
    if msg.preprocess {
        parts.push("needs preprocessing".to_owned());
    }
    match spooler.message_view(id) {
        Some(view) => {
            let mut known = vec![if view.locked { "holds its lock" } else { "has not locked it" }];
            if view.cancelled {
                known.push("the user cancelled it");
            }
            parts.push(format!("the spooler {}", known.join(", ")));
        }
        None if msg.outcome == Outcome::Queued => parts.push("the spooler does not track it".to_owned()),
        None => {}
    }
    parts.join("; ")
}

fn recipient_words(spooler: &Spooler, id: MessageId, j: usize, r: &store::StoredRecipient) -> String {
    let mut words = match r.outcome {
        Some(outcome) => format!("{outcome} (saved)"),
        None if r.row.responsibility => "PR_RESPONSIBILITY TRUE".to_owned(),
        None => "PR_RESPONSIBILITY FALSE".to_owned(),
    };
    if let Some(view) = spooler.message_view(id).and_then(|v| v.recipients.get(j).copied()) {
        let _ = write!(words, "; spooler: {}", recipient_view(view));
    }
    if r.reports > 0 {
        let _ = write!(words, "; {} report(s)", r.reports);
    }
    words
}

/// The part of the end state that breaks `property`: for a liveness property checked on
/// terminal states, what is still unfinished; for a store property, the messages it is about.
/// Monitor properties explain themselves in the replay's `VIOLATION` line, so this returns
/// nothing for them.
#[must_use]
pub fn offending(property: &str, world: &World) -> Vec<String> {
    let id = property.split(' ').next().unwrap_or(property);
    let messages = |keep: &dyn Fn(&StoredMessage) -> bool| -> Vec<String> {
        let store = world.store(STORE);
        store.messages().filter(|(_, m)| keep(m)).map(|(id, m)| format!("{id}: {}", message_line(world.spooler(), store, id, m))).collect()
    };
    let locked = |m: &StoredMessage| m.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED);
    match id {
        "LIV-1" | "LIV-3" | "LIV-8" => {
            let mut lines = messages(&|m| m.outcome == Outcome::Queued);
            for line in &mut lines {
                line.insert_str(0, "still unfinished: ");
            }
            lines
        }
        "LIV-2" => messages(&|m| locked(m)).into_iter().map(|l| format!("still locked: {l}")).collect(),
        "INV-31" => messages(&|m| m.outcome != Outcome::Queued && locked(m)),
        "INV-32" | "INV-33" => messages(&|m| matches!(m.outcome, Outcome::Finished(_))),
        "LIV-4" => vec![format!(
            "T0 still holds {} inbound message(s) it announced, with inbound traffic {}",
            world.mail,
            if inbound_on(world) { "enabled" } else { "off" }
        )],
        "LIV-6" => (0..world.spooler().transport_count())
            .map(|i| TransportId(i as u8))
            .filter(|t| !matches!(world.spooler().transport_view(*t), Some(TransportView::Gone(_))))
            .map(|t| format!("{t} is not released: {}", transport_line(world.spooler(), t)))
            .collect(),
        "LIV-7" => (0..world.spooler().transport_count())
            .map(|i| TransportId(i as u8))
            .filter(|t| world.in_critical_section().contains(*t))
            .map(|t| format!("{t} still holds a critical section"))
            .collect(),
        "LIV-5" => (0..world.spooler().transport_count())
            .map(|i| TransportId(i as u8))
            .map(|t| format!("{t}: {}", transport_line(world.spooler(), t)))
            .collect(),
        "every" => vec![format!("{} status call(s) never answered", world.waiting)],
        _ => Vec::new(),
    }
}
