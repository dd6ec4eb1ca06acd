//! The conformance checker: judges a trace line by line against every spooler the
//! documentation allows (issue 14).
//!
//! The trace's inputs (returns, support calls, queue changes, session requests, time) are fed to
//! every state of the frontier (`frontier.rs`): the states of a legal spooler, with the protocol
//! monitor that watched each, that are consistent with the trace so far. The trace's effects (the
//! spooler's calls, and in traces that record them its saves, reports and releases) must be what
//! one of them owes or a legal choice of one of them. The first line that no state explains is
//! the divergence, reported with who broke which rule there (`blame.rs`). The checker keeps only
//! the frontier, so its memory does not grow with the length of the trace; the frontier is
//! bounded ([`Checker::DEFAULT_BOUND`]).

use std::fmt;

use super::blame::{self, Divergence};
use super::frontier::{self, Deaths, Node};
use super::json::Codec;
use super::{Event, Header, Recorded, TraceError};
use crate::{Monitor, Spooler};

/// Checks a trace against every spooler the documentation allows.
#[derive(Clone, Debug)]
pub struct Checker {
    header: Header,
    codec: Codec,
    /// The spooler as it is before the session starts: what a restart after a crash begins with.
    pristine: Spooler,
    /// Every state of a legal spooler consistent with the trace so far, the reference's own
    /// choices first.
    frontier: Vec<Node>,
    /// The most states the frontier may hold.
    bound: usize,
    /// The most states the frontier held after any line.
    largest: usize,
    /// The number of the last line read.
    line: usize,
    /// Events checked so far.
    events: usize,
}

/// Why a trace does not conform, or why the checker cannot say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The line is not a valid trace line.
    Invalid(TraceError),
    /// The line is valid, but no legal spooler with parties keeping the contract records it there.
    Diverged(Box<Divergence>),
    /// More states are consistent with the trace than the checker's bound.
    Exceeded(FrontierExceeded),
}

/// More states of a legal spooler are consistent with the trace so far than the checker keeps:
/// it stops without a verdict on conformance.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "line {line}: {states} states of a legal spooler are consistent with the trace so far, more than the bound of {bound} \
     (Checker::with_bound); no verdict"
)]
pub struct FrontierExceeded {
    /// The line after which the frontier was too large.
    pub line: usize,
    /// How many states it held.
    pub states: usize,
    /// The bound.
    pub bound: usize,
}

/// The verdict on a whole trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Some legal spooler, facing parties that keep the contract, records every event.
    Conforms {
        /// Events checked (lines after the header).
        events: usize,
    },
    /// The trace parts from every legal spooler.
    Diverges(Divergence),
    /// The input is not a valid trace.
    Invalid(TraceError),
    /// The checker stopped: the frontier grew past its bound.
    Exceeded(FrontierExceeded),
}

impl Verdict {
    /// The command line's exit status: 0 conforms, 1 diverges, 2 not a valid trace, 3 the
    /// frontier's bound stopped the check.
    #[must_use]
    pub const fn exit_code(&self) -> u8 {
        match self {
            Verdict::Conforms { .. } => 0,
            Verdict::Diverges(_) => 1,
            Verdict::Invalid(_) => 2,
            Verdict::Exceeded(_) => 3,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Conforms { events } => write!(f, "conforms: {events} events"),
            Verdict::Diverges(divergence) => write!(f, "diverges at {divergence}"),
            Verdict::Invalid(error) => write!(f, "not a valid trace: {error}"),
            Verdict::Exceeded(exceeded) => write!(f, "no verdict: {exceeded}"),
        }
    }
}

impl From<Problem> for Verdict {
    fn from(problem: Problem) -> Verdict {
        match problem {
            Problem::Invalid(error) => Verdict::Invalid(error),
            Problem::Diverged(divergence) => Verdict::Diverges(*divergence),
            Problem::Exceeded(exceeded) => Verdict::Exceeded(exceeded),
        }
    }
}

impl Checker {
    /// The frontier's bound unless [`Checker::with_bound`] sets another: enough for every
    /// trace of the suite many times over, and small enough (a state is a few kilobytes) that
    /// the checker stays within tens of megabytes.
    pub const DEFAULT_BOUND: usize = 4096;

    /// A checker for the trace whose header line is `header` (line 1).
    ///
    /// # Errors
    /// A [`TraceError`] when the header is not valid or its profile is one the reference cannot
    /// run.
    pub fn new(header: &str) -> Result<Checker, TraceError> {
        let (header, codec) = Codec::read_header(header)?;
        let pristine = Spooler::new(&header.profile).map_err(|e| TraceError {
            line: 1,
            column: 1,
            message: format!("the header's profile is not valid: {e}"),
        })?;
        Ok(Checker {
            frontier: vec![Node::new(pristine.clone(), Monitor::new(&header.profile))],
            header,
            codec,
            pristine,
            bound: Self::DEFAULT_BOUND,
            largest: 1,
            line: 1,
            events: 0,
        })
    }

    /// The same checker, keeping at most `bound` states (at least one).
    #[must_use]
    pub fn with_bound(mut self, bound: usize) -> Checker {
        self.bound = bound.max(1);
        self
    }

    /// The trace's header.
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The most states of a legal spooler that were consistent with the trace after any line so
    /// far.
    #[must_use]
    pub fn largest_frontier(&self) -> usize {
        self.largest
    }

    /// The spooler of the first state consistent with the trace so far: the one that follows
    /// the reference's own choices the longest. After a divergence, the first state the
    /// diverging line found.
    #[must_use]
    pub fn spooler(&self) -> &Spooler {
        self.frontier.first().map_or(&self.pristine, |node| &node.spooler)
    }

    /// Checks the next line. Blank lines are skipped (but counted).
    ///
    /// # Errors
    /// [`Problem::Invalid`] for a line that is not a trace line, [`Problem::Diverged`] for an
    /// event no legal spooler records at this point, [`Problem::Exceeded`] when too many states
    /// are consistent with the trace. After an error the checker should not be fed further.
    pub fn feed(&mut self, text: &str) -> Result<(), Problem> {
        self.feed_line(self.line + 1, text)
    }

    /// Checks line `number` of the file: the lines between the last one fed and this one were
    /// blank (what [`super::Lines`] reads).
    ///
    /// # Errors
    /// As [`Checker::feed`].
    pub fn feed_line(&mut self, number: usize, text: &str) -> Result<(), Problem> {
        self.line = number;
        if text.trim().is_empty() {
            return Ok(());
        }
        let event = self.codec.read_event(text, self.line).map_err(Problem::Invalid)?;
        self.events += 1;
        let recorded = self.header.recorded;
        let mut next = Vec::with_capacity(self.frontier.len());
        let mut deaths = Deaths::default();
        match &event {
            Event::Effect(effect) => {
                if recorded == Recorded::Calls && !effect.reaches_a_provider() {
                    return Err(Problem::Invalid(TraceError {
                        line: self.line,
                        column: 1,
                        message: "the header says this trace records calls only (\"recorded\": \"calls\"), but this line is a save, \
                                  report, release or answer"
                            .to_owned(),
                    }));
                }
                for node in std::mem::take(&mut self.frontier) {
                    node.effect(effect, recorded, &mut next, &mut deaths);
                }
            }
            Event::Input(input) => {
                for node in std::mem::take(&mut self.frontier) {
                    node.input(input, recorded, &mut next, &mut deaths);
                }
            }
            Event::UndefinedFlags(undefined) => return Err(Problem::Diverged(Box::new(undefined.divergence(self.line)))),
            Event::Crash => {
                // The process dies: whatever it had still to do is not done (DEC-12).
                for mut node in std::mem::take(&mut self.frontier) {
                    node.spooler = self.pristine.clone();
                    node.monitor.restart();
                    node.owed.clear();
                    next.push(node);
                }
            }
        }
        frontier::dedup(&mut next);
        if next.is_empty() {
            let text = self.codec.event_line(&event);
            let divergence = blame::at_event(self.line, &event, text, &deaths, recorded);
            // The states as the event found them, for a caller that shows where it diverged.
            self.frontier = deaths.0.into_iter().map(|dead| dead.node).collect();
            return Err(Problem::Diverged(Box::new(divergence)));
        }
        if next.len() > self.bound {
            return Err(Problem::Exceeded(FrontierExceeded { line: self.line, states: next.len(), bound: self.bound }));
        }
        self.largest = self.largest.max(next.len());
        self.frontier = next;
        Ok(())
    }

    /// The verdict once every line was fed without a problem. A trace that ends while every
    /// state still owes an effect (one it made, or a call that is due and that no rule lets it
    /// pass over) diverges at its end: the recorded component did not receive (or did not log)
    /// what the spooler does there.
    #[must_use]
    pub fn finish(self) -> Verdict {
        let recorded = self.header.recorded;
        if self.frontier.iter().any(|node| node.may_end(recorded)) {
            return Verdict::Conforms { events: self.events };
        }
        let mut owed = Vec::new();
        for effect in self.frontier.iter().filter_map(|node| node.next_effect(recorded)) {
            if !owed.contains(&effect) {
                owed.push(effect);
            }
        }
        Verdict::Diverges(blame::at_end(self.line + 1, &owed))
    }
}
