//! Who takes part in a session: the spooler and the components around it. An event of a trace
//! comes from one of them, and when it breaks a rule, that one is at fault (issue 14: a
//! provider's or store's departure is never the reference's bug).

use std::fmt;

use crate::ids::{HookId, PreprocessorId, ServiceId, StoreId, TransportId};
use crate::input::{Caller, Input, QueueEvent, SupportCall};

/// A party of a session: who sends an event, and who is at fault when it breaks a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Party {
    /// The spooler: its calls, saves, reports, releases and answers.
    Spooler,
    /// A transport provider: its returns and support calls (LIFE-1 to LIFE-17, SUB-21 to
    /// SUB-36).
    Transport(TransportId),
    /// A message service's entry point, configuring a transport (LIFE-6).
    Service(ServiceId),
    /// A message store: its returns, support calls and outgoing-queue notifications (SUB-1 to
    /// SUB-20, LIFE-19, LIFE-20).
    Store(StoreId),
    /// A message preprocessor a transport registered (HOOK-1 to HOOK-4).
    Preprocessor(PreprocessorId),
    /// An inbound message hook (HOOK-6, HOOK-13).
    Hook(HookId),
    /// The client side: the MAPI session (start, traffic, shutdown, transport order), the user's
    /// cancels and the clients of the status objects (LIFE-10, ORD-7, DEF-5, STAT-9).
    Client,
}

impl Party {
    /// Who sends an input: the party a return answers for, the caller of a support call, the
    /// store of a queue notification; the client for everything else (time and idle time
    /// included, which break no rule).
    #[must_use]
    pub fn of_input(input: &Input) -> Party {
        match input {
            Input::Return(ret) => ret.party(),
            Input::Support(call) => match call {
                SupportCall::SpoolerNotify { caller: Caller::Transport(t), .. } => Party::Transport(*t),
                SupportCall::SpoolerNotify { caller: Caller::Store(s), .. } => Party::Store(*s),
                SupportCall::ModifyStatusRow { transport, .. }
                | SupportCall::RegisterPreprocessor { transport, .. }
                | SupportCall::StatusRecips { transport, .. }
                | SupportCall::SpoolerYield { transport }
                | SupportCall::PublishOwnStore { transport, .. }
                | SupportCall::ModifyStatusRowColumns { transport, .. } => Party::Transport(*transport),
                SupportCall::CompleteMsg(row) => Party::Store(row.store),
                SupportCall::StoreLogoffTransports { store, .. } => Party::Store(*store),
            },
            Input::Queue(QueueEvent::RowAdded(row)) => Party::Store(row.store),
            Input::Queue(QueueEvent::RowRemoved { store, .. }) => Party::Store(*store),
            Input::Session(_)
            | Input::TimePassed { .. }
            | Input::SystemIdle
            | Input::TransportOrder(_)
            | Input::Cancel(_)
            | Input::Status(_) => Party::Client,
        }
    }

    /// The party's name in one word, as `--json` output gives it: `spooler`, `client`, or the
    /// object's name in a trace (`T0`, `svc0`, `S0`, `P0`, `H0`).
    #[must_use]
    pub fn name(self) -> String {
        match self {
            Party::Spooler => "spooler".to_owned(),
            Party::Client => "client".to_owned(),
            Party::Transport(t) => t.to_string(),
            Party::Service(s) => s.to_string(),
            Party::Store(s) => s.to_string(),
            Party::Preprocessor(p) => p.to_string(),
            Party::Hook(h) => h.to_string(),
        }
    }

    /// What kind of party it is, as a sentence names it: "spooler", "transport", "store", ...
    #[must_use]
    pub const fn kind(self) -> &'static str {
        match self {
            Party::Spooler => "spooler",
            Party::Transport(_) => "transport",
            Party::Service(_) => "message service",
            Party::Store(_) => "store",
            Party::Preprocessor(_) => "preprocessor",
            Party::Hook(_) => "inbound hook",
            Party::Client => "client",
        }
    }
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Party::Spooler => f.write_str("the spooler"),
            Party::Client => f.write_str("the client"),
            other => write!(f, "{} {}", other.kind(), other.name()),
        }
    }
}

/// Each object's identifier names its party.
macro_rules! party_of_id {
    ($($id:ident => $variant:ident),* $(,)?) => {
        $(
            impl From<$id> for Party {
                fn from(id: $id) -> Party {
                    Party::$variant(id)
                }
            }
        )*
    };
}

party_of_id! {
    TransportId => Transport,
    ServiceId => Service,
    StoreId => Store,
    PreprocessorId => Preprocessor,
    HookId => Hook,
}
