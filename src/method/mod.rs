//! The MAPI methods at the spooler's boundary, declared once (`table.rs`): every call the spooler
//! makes with the return that answers it, and every call a transport or store makes into its
//! support object. [`Call`], [`Return`] and [`SupportCall`], their names, the object each call
//! goes to, the message it names, which return answers it, how each shows, the trace lines they
//! are written as and read from, and the renaming of their messages are all generated from that
//! table (`macros.rs`). Each type of argument knows how it is written and read in a trace
//! (`crate::trace::json::Field`), how it renames ([`Arg`]) and, for out-parameters, how it shows
//! (`out::Out`); a new type does not compile until it says so.

#[macro_use]
mod macros;
mod arg;
mod out;
mod table;
#[cfg(test)]
pub(crate) mod tests;

pub(crate) use arg::Arg;
pub(crate) use out::{FlagWord, OrNull, Outcome, Word};
pub use table::{Call, Return, SupportCall};

/// The kind of object a call goes to (the table's `on` column). It says what must exist before
/// the call may be made; the protocol monitor checks that (INV-1, INV-2, LIFE-8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A transport's provider DLL entry point or its `IXPProvider` object: `XPProviderInit`,
    /// `TransportLogon`, `Shutdown` (LIFE-1, LIFE-4, LIFE-16).
    Provider,
    /// A transport's `IXPLogon` object, while the logon is live: `AddressTypes`, `EndMessage`,
    /// `TransportLogoff` (LIFE-8, SUB-24, LIFE-14).
    Logon,
    /// A transport's `IXPLogon` object once `AddressTypes` has returned: traffic, idle time,
    /// polls, status and flushes (LIFE-8, LIFE-10).
    Traffic,
    /// A message store, its receive folder or one of its messages (LIFE-19, SUB-16, RCV-4).
    Store,
    /// A registered preprocessor function (HOOK-2, HOOK-4).
    Preprocessor,
    /// An inbound hook (`ISpoolerHook`, HOOK-6).
    Hook,
    /// A message service's entry point (LIFE-6).
    Service,
}
