//! # mapi-spooler: an executable reference of the MAPI spooler
//!
//! The MAPI spooler is the Windows messaging component that drives transport providers
//! (initialization, logon, enabling traffic, idle time, shutdown) and moves outgoing messages
//! from message stores to transports: it locks a queued message, offers each recipient whose
//! `PR_RESPONSIBILITY` is FALSE to the transport that the assignment scan picks, cleans up after
//! preprocessing and hands the message back to its store with `FinishedMsg`.
//!
//! This crate is that spooler as a **pure state machine**: no I/O, no clock, no randomness, no
//! threads. [`Spooler::step`] takes one [`Input`] (a session request, the return of the call in
//! flight, a provider or store calling its support object, a queue notification, time passing,
//! idle time) and answers with the [`Effect`]s it causes: the next call the spooler makes,
//! dispositions it saves, reports MAPI raises, objects it releases. An input that the documented
//! protocol does not allow in the current state is refused with an [`Error`] that says who broke
//! the contract and what was expected, and the spooler stays exactly as it was.
//!
//! Every rule cites the requirement it implements, by the IDs of the catalogue in `spec/`
//! (for example SUB-21, ORD-4); the catalogue names the documentation page of each.
//!
//! ## The driver contract
//!
//! * The spooler makes **one synchronous call at a time** (AMB-20). After an
//!   [`Effect::Call`], the next [`Input::Return`] must answer that call; until it does, other
//!   inputs (support calls, queue notifications, session requests, time) may arrive, as they do
//!   from other threads in the real system.
//! * Support calls that belong inside a call (`StatusRecips` during `SubmitMessage`,
//!   `ModifyStatusRow` during `TransportLogon`) are delivered before that call's return.
//! * A crash of the spooler process is dropping the [`Spooler`]; a restart is a new one started
//!   against whatever the stores still hold.
//!
//! ```
//! use mapi_spooler::{Call, Effect, Input, Profile, Return, SessionRequest, Spooler, SpiVersion, TransportId};
//!
//! let mut spooler = Spooler::new(&Profile::new(1)).unwrap();
//! let effects = spooler.step(Input::Session(SessionRequest::Start)).unwrap();
//! // LIFE-1: the first call the spooler makes is XPProviderInit.
//! assert!(matches!(effects[0], Effect::Call(Call::XpProviderInit { transport: TransportId(0), .. })));
//! let effects = spooler
//!     .step(Input::Return(Return::XpProviderInit { transport: TransportId(0), result: Ok(SpiVersion::CURRENT) }))
//!     .unwrap();
//! // LIFE-4: then TransportLogon.
//! assert!(matches!(effects[0], Effect::Call(Call::TransportLogon { .. })));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(unreachable_pub)]

// The method table's macros (`lines!`, `flag_words!`) serve the modules declared after it.
#[macro_use]
mod method;
pub mod delivery_time;
mod effect;
mod error;
mod flags;
mod hresult;
mod ids;
mod input;
mod monitor;
mod party;
pub mod readings;
mod recipients;
pub mod reference;
mod rename;
pub mod resend;
mod routing;
pub mod sim;
mod spooler;
pub mod store;
pub mod trace;
mod vec_map;
mod version;
pub mod world;
#[cfg(feature = "bug-zoo")]
pub mod zoo;

pub use effect::{Call, Effect, Effects, NdrOrigin, RecipientOutcome, Released};
pub use error::{CallerError, Error, ProviderFault, StoreFault};
pub use flags::{
    EndFlags, LockState, LogonCaps, LogonFlags, NotifyFlags, QueueFlags, SpoolerNotifyFlags, StatusCode, StatusRowFlags, SubmitFlags,
    UnknownFlagName, UnknownFlags, XpInitFlags,
};
pub use flags::{HookFlags, LogoffFlags};
pub use hresult::Hresult;
pub use ids::HookId;
pub use ids::{AddrType, FolderId, MapiUid, MessageId, MsgRef, PreprocessorId, RecipientIdx, ServiceId, StoreId, Time, TransportId};
pub use input::HookOutcome;
pub use input::{
    Caller, CancelRequest, Delivery, Directions, Input, QueueEvent, QueueRow, ReportKind, ReportRequests, Return, SessionRequest,
    SubmitOutcome, SupportCall,
};
pub use monitor::{Monitor, Property, Violation};
// Who is at fault when an event breaks a rule (issue 14).
pub use party::Party;
pub use recipients::{RecipientRow, RecipientSet, TransportSet};
pub use rename::Renaming;
pub use routing::{AddressTypes, PreprocessorFilter, Registrations, first_choice, scan};
pub use spooler::{
    Ending, MessageView, Phase, Priorities, Profile, RecipientView, Settings, Spooler, StatusResource, StatusRow, TransportView, Work,
};
// The spooler's choices as data (issue 14).
pub use spooler::{Choice, NotAChoice, Skip};
pub use version::{Negotiation, SpiVersion, VersionRange};
// Status objects and flushes (issue 5).
pub use flags::{FlushFlags, PasswordFlags, ResourceFlags, ResourceMethods, SettingsFlags, ValidateFlags};
pub use input::{StatusColumns, StatusRequest};
pub use method::Target;
pub use spooler::{FlushView, ResourceType};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
