//! The spooler's choices as data (issue 14, `spec/freedom.md`).
//!
//! Where the documentation lets the spooler choose, the walk of `schedule` meets every call
//! that is due and legal as a [`Candidate`], in the reference's order (DEC-20), and asks a
//! [`Chooser`] whether to take it. The reference takes the first ([`First`]); listing the
//! choices takes none and writes each down ([`Collect`]); taking a given choice takes the
//! candidate that makes it ([`Pick`]). Since the walk is the same for all three up to the
//! candidate taken, a choice listed is exactly what taking it does, and the reference is
//! always the first choice listed.
//!
//! A walk does the steps that need no call (a stage that moves on, an NDR no transport is left
//! for, a message handed back at the end of the session) for each item it passes, as the
//! reference does; a candidate passed over is left due. So taking a later candidate also does
//! the steps of the items before it, which the reference would have done in the same walk.

use std::fmt;

use crate::effect::Call;
use crate::ids::{RecipientIdx, TransportId};
use crate::recipients::RecipientSet;

use super::{InFlight, RECEIVE_STORE};

/// One decision the documentation leaves to the spooler, as a value a model checker can
/// explore and a trace checker can match against a recorded call (`spec/freedom.md`). The
/// choices of a spooler state are [`crate::Spooler::choices`]; [`crate::Spooler::decide`]
/// takes one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Choice {
    /// Make this call now: any call that is due and legal, whatever kind of work it is
    /// (FREE-1 to FREE-3, FREE-5 to FREE-8, FREE-10, FREE-17, FREE-19, FREE-21, FREE-25,
    /// FREE-37, FREE-38, FREE-40, FREE-45, FREE-46, FREE-50, FREE-55), in any of the forms
    /// the documentation allows: `TransportLogon`'s traffic flags (FREE-13), one
    /// `TransportNotify` per direction or one for both (FREE-16), any transport a message can
    /// go to now (FREE-26), any part of the recipients bound for one transport (FREE-27), the
    /// flags of `IXPLogon::FlushQueues` (FREE-60), which message to lock (FREE-22 to FREE-25).
    Call(Call),
    /// Begin fetching the mail `transport` signalled: `CreateMessage` in the receive folder
    /// (RCV-4). The call does not name the transport, so the choice does (FREE-21).
    Fetch(TransportId),
    /// Make no call for due work that the documentation lets the spooler pass over now.
    Skip(Skip),
}

/// Due work the spooler passes over without a call, and the bound that keeps it from doing
/// so for ever.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Skip {
    /// FREE-20: a due `Poll` of this transport is not made; the next time or idle input makes
    /// it due again. Not twice in a row for one logon: the next one is made (LIV-4).
    Poll(TransportId),
    /// FREE-18, FREE-19: a due `Idle` of this transport is not made in this idle period. Not
    /// twice in a row for one logon: the next idle period gives it one (LIFE-11).
    Idle(TransportId),
    /// FREE-57: the half of this transport's flush that is due to begin begins without its
    /// `NOTIFY_BEGIN_OUTBOUND_FLUSH` or `NOTIFY_BEGIN_INBOUND_FLUSH`, as in the fourteen steps
    /// of `implementing-the-flushqueues-method.md` (AMB-13). The monitor's STAT-20 wants the
    /// BEGIN before the END: a finding recorded in `spec/freedom.md`.
    FlushBegin(TransportId),
}

impl Choice {
    /// The call this choice makes, if it makes one: what a trace shows.
    #[must_use]
    pub fn call(&self) -> Option<Call> {
        match self {
            Choice::Call(call) => Some(call.clone()),
            Choice::Fetch(_) => Some(Call::CreateMessage { store: RECEIVE_STORE }),
            Choice::Skip(_) => None,
        }
    }
}

impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Choice::Call(call) => write!(f, "{call}"),
            Choice::Fetch(t) => write!(f, "S{}.CreateMessage for the mail of {t}", RECEIVE_STORE.index()),
            Choice::Skip(Skip::Poll(t)) => write!(f, "no {t}.Poll this time"),
            Choice::Skip(Skip::Idle(t)) => write!(f, "no {t}.Idle this idle period"),
            Choice::Skip(Skip::FlushBegin(t)) => write!(f, "the next half of {t}'s flush without its BEGIN notification"),
        }
    }
}

/// [`crate::Spooler::decide`] was given a choice the spooler does not have in its state; the
/// spooler is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not one of the spooler's choices here")]
pub struct NotAChoice(pub Choice);

/// A call the walk met, as it would be made, with what taking it needs besides the call.
#[derive(Clone, Debug)]
pub(super) struct Candidate {
    /// The call, with what its return needs.
    pub(super) next: InFlight,
    /// For `CreateMessage`: the transport whose mail it is for.
    pub(super) fetch: Option<TransportId>,
    /// The due work may be passed over without the call instead.
    pub(super) skip: Option<Skip>,
}

impl Candidate {
    /// A call that needs nothing else.
    #[inline]
    pub(super) fn call(call: Call) -> Candidate {
        Candidate { next: InFlight::Plain(call), fetch: None, skip: None }
    }

    /// A call in its [`InFlight`] form.
    #[inline]
    pub(super) fn of(next: InFlight) -> Candidate {
        Candidate { next, fetch: None, skip: None }
    }

    /// The same call, which may be passed over (see [`Skip`]).
    #[inline]
    pub(super) fn or_skip(mut self, skip: Option<Skip>) -> Candidate {
        self.skip = skip;
        self
    }
}

/// Who decides at a free point: the walk hands it each candidate in the reference's order.
pub(super) trait Chooser {
    /// True when the chooser takes the first candidate: the reference. The walk then computes
    /// no other form of a call.
    const FIRST: bool;

    /// True to take this candidate (the walk ends with it); false to pass it over.
    fn take(&mut self, candidate: &Candidate) -> bool;

    /// How many candidates were passed over so far.
    fn passed(&self) -> usize;
}

/// The candidate, if the chooser takes it.
#[inline(always)]
pub(super) fn offer<C: Chooser>(chooser: &mut C, candidate: Candidate) -> Option<Candidate> {
    chooser.take(&candidate).then_some(candidate)
}

/// The reference's policy (DEC-20): the first candidate.
pub(super) struct First;

impl Chooser for First {
    const FIRST: bool = true;

    #[inline(always)]
    fn take(&mut self, _: &Candidate) -> bool {
        true
    }

    #[inline(always)]
    fn passed(&self) -> usize {
        0
    }
}

/// The most recipients bound for one transport whose every part is listed as a choice
/// (FREE-27): 2^4 - 1 = 15 parts. [`crate::Spooler::decide`] takes any non-empty part of any
/// number.
const LISTED_PARTS: usize = 4;

/// Takes nothing and writes every candidate down as the choices it gives.
#[derive(Default)]
pub(super) struct Collect(pub(super) Vec<Choice>);

impl Chooser for Collect {
    const FIRST: bool = false;

    fn take(&mut self, candidate: &Candidate) -> bool {
        let call = candidate.next.call();
        match candidate.fetch {
            Some(t) => self.0.push(Choice::Fetch(t)),
            None => self.0.push(Choice::Call(call.clone())),
        }
        // FREE-27: every part of a fresh offer, the whole first.
        if let (InFlight::Submit { deferred: false, .. }, Call::SubmitMessage { transport, message, flags, offered }) =
            (&candidate.next, call)
        {
            let members: Vec<RecipientIdx> = offered.iter().collect();
            if members.len() > 1 && members.len() <= LISTED_PARTS {
                let whole = (1u32 << members.len()) - 1;
                for mask in (1..whole).rev() {
                    let part: RecipientSet = members.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, r)| *r).collect();
                    let call = Call::SubmitMessage { transport: *transport, message: *message, flags: *flags, offered: part };
                    self.0.push(Choice::Call(call));
                }
            }
        }
        if let Some(skip) = candidate.skip {
            self.0.push(Choice::Skip(skip));
        }
        false
    }

    fn passed(&self) -> usize {
        self.0.len()
    }
}

/// Takes the candidate that makes one choice.
pub(super) struct Pick<'a> {
    /// The choice to take.
    pub(super) choice: &'a Choice,
    /// The candidates passed over.
    pub(super) passed: usize,
}

impl Chooser for Pick<'_> {
    const FIRST: bool = false;

    fn take(&mut self, candidate: &Candidate) -> bool {
        let call = candidate.next.call();
        let taken = match (self.choice, candidate.fetch) {
            (Choice::Fetch(t), Some(fetch)) => *t == fetch,
            (Choice::Fetch(_), None) | (Choice::Call(_), Some(_)) => false,
            (Choice::Call(wanted), None) => wanted == call || part_of(wanted, candidate),
            (Choice::Skip(skip), _) => candidate.skip == Some(*skip),
        };
        if !taken {
            self.passed += 1;
        }
        taken
    }

    fn passed(&self) -> usize {
        self.passed
    }
}

/// True when `wanted` offers a non-empty part of the recipients of the fresh offer `candidate`
/// (FREE-27).
fn part_of(wanted: &Call, candidate: &Candidate) -> bool {
    match (wanted, &candidate.next) {
        (
            Call::SubmitMessage { transport, message, flags, offered: part },
            InFlight::Submit { call: Call::SubmitMessage { transport: t, message: m, flags: f, .. }, offered, deferred: false, .. },
        ) => transport == t && message == m && flags == f && !part.is_empty() && part.is_subset(offered),
        _ => false,
    }
}
