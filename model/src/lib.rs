//! # mapi-spooler-model: model checking the MAPI spooler reference
//!
//! A [stateright] model that drives the reference spooler's own [`mapi_spooler::Spooler::step`]
//! against a nondeterministic world: transports that give every answer the documentation allows,
//! a client that submits and aborts, time, and crashes of the spooler process after which a new
//! spooler starts against what the store saved. The model never re-implements a spooler rule:
//! every world move becomes inputs to the core, and the [`mapi_spooler::Monitor`] judges the
//! core's effects on every step.
//!
//! ## How liveness is checked
//!
//! `stateright`'s `eventually` is unsound on paths that end in cycles. This model has none: every
//! world move either consumes a budget of the [`Config`] (faults, crashes, aborts, disables,
//! idle times, drafts) or answers the call in flight, and every spooler step makes progress, so
//! every run is finite and ends in a terminal state (one where the world can make no move). The
//! liveness properties (LIV-1, LIV-2) are therefore checked soundly as safety properties on
//! terminal states: when a run ends, every submission has ended. The absence of cycles is itself
//! checked by a test that explores the graph depth-first and looks for back edges.

pub mod check;
pub mod config;
pub mod coverage;
pub mod exit;
pub mod explorer;
pub mod json;
pub mod model;
pub mod readings;
pub mod replay;
pub mod report;
pub mod svg;
pub mod symmetry;
pub mod view;
pub mod world;

pub use config::{Config, Fault, FaultChoice, Faults, UnknownFault};
pub use exit::Exit;
pub use model::{SpoolerModel, properties};
pub use world::{Action, Answer, Broken, MoveKind, SubmitError, World};
