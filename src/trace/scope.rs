//! Partial recordings (issue 16 item 1): the header key `scope` says which one component's
//! boundary a trace observed, and which lines such a trace may hold (`spec/trace-format.md`,
//! "Partial recordings").
//!
//! A wrapper around one transport provider sees that transport's calls, returns and support
//! calls; a wrapper around one message store sees the store's. [`Scope`] names the component,
//! [`View`] says which of the spooler's effects the trace shows and which lines belong to it.
//! What the scope did not observe is supplied by the checker as silent moves of the world
//! (`silent.rs`).

use std::fmt;

use serde_json::Value;

use super::{Event, Recorded};
use crate::method::Target;
use crate::{Call, Effect, Input, Party, StoreId, TransportId};

/// The one component whose boundary a partial recording observed (the header's `scope`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `{"transport":"T<n>"}`: transport `T<n>`'s calls, returns and support calls, and what the
    /// spooler tells it outside the call in flight.
    Transport(TransportId),
    /// `{"store":"S<n>"}`: store `S<n>`'s calls, returns, support calls and queue notifications.
    Store(StoreId),
}

impl Scope {
    /// The party the scope observes: the component whose lines the trace holds.
    #[must_use]
    pub fn party(self) -> Party {
        match self {
            Scope::Transport(t) => Party::Transport(t),
            Scope::Store(s) => Party::Store(s),
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Transport(t) => write!(f, "transport {t}"),
            Scope::Store(s) => write!(f, "store {s}"),
        }
    }
}

/// Why a header's `scope` is not one this reference reads (`spec/trace-format.md`, "Partial
/// recordings"). The header's line reports it as a [`super::TraceError`] at the key `scope`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// `scope` is not a JSON object.
    #[error("scope must be an object, {{\"transport\": \"T0\"}} or {{\"store\": \"S0\"}}, not {0}")]
    NotAnObject(String),
    /// The object has both keys.
    #[error("scope names one component: it has exactly one of the keys \"transport\" and \"store\", not both")]
    BothKeys,
    /// The object has neither key.
    #[error("scope names one component: it needs one of the keys \"transport\" and \"store\"")]
    NoKey,
    /// The object has a key that is neither.
    #[error("scope has the key {0:?}; its only keys are \"transport\" and \"store\"")]
    UnknownKey(String),
    /// The value is not an identifier of the right kind.
    #[error("scope's {key} must be an identifier like \"{prefix}0\", not {value}")]
    NotAnId {
        /// `transport` or `store`.
        key: &'static str,
        /// `T` or `S`.
        prefix: &'static str,
        /// The value as the header has it.
        value: String,
    },
    /// The transport is not an entry of the header's `transports`.
    #[error("scope names transport {transport}, but the header's transports has {count} entries (T0 to T{})", count.saturating_sub(1))]
    UnknownTransport {
        /// The transport named.
        transport: TransportId,
        /// The number of entries.
        count: usize,
    },
    /// The store is not one of the header's `stores`.
    #[error("scope names store {store}, but the header has {count} stores")]
    UnknownStore {
        /// The store named.
        store: StoreId,
        /// The number of stores.
        count: u8,
    },
    /// A partial recording records calls only (`"recorded": "calls"`).
    #[error("a trace with a scope records one component's calls: \"recorded\" must be \"calls\", not \"all\"")]
    RecordedAll,
}

/// Reads the header's `scope` value, if present, for a profile of `transports` entries and
/// `stores` stores recorded as `recorded`.
pub(super) fn read(value: Option<&Value>, transports: usize, stores: u8, recorded: Recorded) -> Result<Option<Scope>, ScopeError> {
    let Some(value) = value else { return Ok(None) };
    let Value::Object(obj) = value else { return Err(ScopeError::NotAnObject(value.to_string())) };
    if let Some(other) = obj.keys().find(|k| *k != "transport" && *k != "store") {
        return Err(ScopeError::UnknownKey(other.clone()));
    }
    let id = |key: &'static str, prefix: &'static str, value: &Value| -> Result<u8, ScopeError> {
        value.as_str().and_then(|text| super::json::number(text, prefix)).ok_or_else(|| ScopeError::NotAnId {
            key,
            prefix,
            value: value.to_string(),
        })
    };
    let scope = match (obj.get("transport"), obj.get("store")) {
        (Some(_), Some(_)) => return Err(ScopeError::BothKeys),
        (None, None) => return Err(ScopeError::NoKey),
        (Some(t), None) => {
            let transport = TransportId(id("transport", "T", t)?);
            if transport.index() >= transports {
                return Err(ScopeError::UnknownTransport { transport, count: transports });
            }
            Scope::Transport(transport)
        }
        (None, Some(s)) => {
            let store = StoreId(id("store", "S", s)?);
            if store.index() >= usize::from(stores) {
                return Err(ScopeError::UnknownStore { store, count: stores });
            }
            Scope::Store(store)
        }
    };
    if recorded == Recorded::All {
        return Err(ScopeError::RecordedAll);
    }
    Ok(Some(scope))
}

/// What a trace shows of a session: which effects it records, and whose boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct View {
    /// Which effects of the spooler the trace records.
    pub(super) recorded: Recorded,
    /// The observed component of a partial recording; `None` for a whole session.
    pub(super) scope: Option<Scope>,
}

impl View {
    /// True when the trace shows this effect of the spooler: in a whole trace, what `recorded`
    /// keeps; in a partial one, the calls to the observed component and, for a transport, the
    /// asynchronous cancel and the yield's answer.
    pub(super) fn shows(self, effect: &Effect) -> bool {
        match self.scope {
            None => self.recorded == Recorded::All || effect.reaches_a_provider(),
            Some(Scope::Transport(t)) => match effect {
                Effect::Call(call) => call.transport() == Some(t) && is_transport_call(call),
                Effect::CancelMessage { transport, .. } | Effect::YieldCancel { transport } => *transport == t,
                _ => false,
            },
            Some(Scope::Store(s)) => matches!(effect, Effect::Call(call) if store_called(call) == Some(s)),
        }
    }

    /// Why the line cannot be in this trace, if it cannot: a partial recording holds only the
    /// lines of its component's boundary.
    pub(super) fn refuses(self, event: &Event) -> Option<String> {
        let scope = self.scope?;
        let observed = scope.party();
        let fits = match event {
            Event::Effect(effect) => self.shows(effect),
            Event::Input(input @ (Input::Return(_) | Input::Support(_))) => Party::of_input(input) == observed,
            Event::Input(input @ Input::Queue(_)) => matches!(scope, Scope::Store(_)) && Party::of_input(input) == observed,
            Event::Input(_) | Event::Crash => false,
            Event::UndefinedFlags(undefined) => undefined.producer == observed || undefined.producer == Party::Spooler,
        };
        (!fits).then(|| {
            let lines = match scope {
                Scope::Transport(t) => {
                    format!("the calls to {t}, their returns, {t}'s support calls, and the async and yield lines addressed to it")
                }
                Scope::Store(s) => format!("the calls to {s}, their returns, {s}'s support calls and its queue lines"),
            };
            format!(
                "the header's scope is {scope}: this trace holds only {lines}; this line is outside that boundary (the checker \
                 supplies what the scope did not observe)"
            )
        })
    }
}

/// True for a call to a transport's provider or logon object.
fn is_transport_call(call: &Call) -> bool {
    matches!(call.target(), Target::Provider | Target::Logon | Target::Traffic)
}

/// The store a call is made to, if it is a store call.
pub(super) fn store_called(call: &Call) -> Option<StoreId> {
    match call {
        Call::SpoolerLogon { store }
        | Call::GetOutgoingQueue { store }
        | Call::SetLockState { store, .. }
        | Call::SubmitPreprocessed { store, .. }
        | Call::FinishedMsg { store, .. }
        | Call::CreateMessage { store }
        | Call::NotifyNewMail { store, .. }
        | Call::AbortSubmit { store, .. } => Some(*store),
        _ => None,
    }
}
