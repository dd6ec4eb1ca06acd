//! The outbound messages the spooler knows of, and the state of each recipient (SUB, HOOK, DEF).

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hash, Hasher};

use smallvec::SmallVec;

use crate::effect::{Effect, Effects, RecipientOutcome};
use crate::flags::QueueFlags;
use crate::ids::{MessageId, PreprocessorId, RecipientIdx, StoreId, Time, TransportId};
use crate::input::{QueueRow, ReportKind, ReportRequests};
use crate::recipients::{RecipientRow, RecipientSet, TransportSet};

/// Where an outbound message is in the spooler's hands (SUB-12, SUB-19 to SUB-26).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Stage {
    /// In the outgoing queue, not locked by this spooler.
    Queued,
    /// Locked; the preprocessors from number `next` on are still to be considered (SUB-12,
    /// HOOK-3).
    Preprocessing { next: u8 },
    /// Locked; recipients are being offered to transports (SUB-21).
    Routing,
    /// Every recipient is settled; the `RemovePreprocessInfo` functions from number `next` on
    /// are still to be considered (SUB-26 step 3, HOOK-4).
    CleaningUp { next: u8 },
    /// `FinishedMsg` is due (SUB-26 step 4).
    Finishing,
    /// The session is ending before the message is done: it is handed back to the queue with
    /// `SetLockState(MSG_UNLOCKED)` for the next session.
    Unlocking,
    /// The user cancelled the message before every recipient was final: it is unlocked with
    /// `SetLockState(MSG_UNLOCKED)`, without sent-mail processing (AMB-17, DEC-27).
    Withdrawing,
    /// Unlocked after a cancel: the spooler's own `AbortSubmit` takes it out of the queue
    /// (DEF-5, DEF-6, DEC-27). The spooler does not hold the lock any more.
    Aborting,
}

/// The state of one recipient of a locked message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Disp {
    /// No transport holds it; the scan goes on past the transports that declined it (ORD-4).
    Pending { declined: TransportSet },
    /// The transport answered `END_DONT_RESEND` and holds it until `NOTIFY_SENTDEFERRED`
    /// (DEF-2, AMB-17). The transports that declined it before are remembered: if the deferral
    /// ends without the recipient being taken, the scan goes on past them (ORD-4).
    Deferred(TransportId, TransportSet),
    /// The transport sent `NOTIFY_SENTDEFERRED`: `SubmitMessage(BEGIN_DEFERRED)` is due (DEF-2).
    Resubmit(TransportId, TransportSet),
    /// Final, and saved in the store.
    Done(RecipientOutcome),
    /// `PR_RESPONSIBILITY` was already TRUE when the spooler read the message: an earlier
    /// session or a tightly coupled store took it, or it is a resend's `MAPI_SUBMITTED`
    /// recipient (SUB-21, DEF-12). It is never offered.
    Taken,
    /// The user cancelled the message before a transport took the recipient: it is not sent,
    /// and nothing is saved for it (DEF-5, DEF-7, AMB-17, DEC-27).
    Withdrawn,
}

impl Disp {
    /// The transports that declined the recipient, while it is open.
    pub(crate) fn declined(self) -> TransportSet {
        match self {
            Disp::Pending { declined } | Disp::Deferred(_, declined) | Disp::Resubmit(_, declined) => declined,
            Disp::Done(_) | Disp::Taken | Disp::Withdrawn => TransportSet::EMPTY,
        }
    }

    /// The transport holding the recipient deferred, if any.
    pub(crate) fn holder(self) -> Option<TransportId> {
        match self {
            Disp::Deferred(t, _) | Disp::Resubmit(t, _) => Some(t),
            _ => None,
        }
    }
}

/// A set of preprocessors, as a 64-bit mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub(crate) struct PreprocessorSet(u64);

impl PreprocessorSet {
    /// The most preprocessors a session may register.
    pub(crate) const CAPACITY: usize = 64;

    pub(crate) fn insert(&mut self, p: PreprocessorId) {
        self.0 |= 1 << p.index();
    }

    pub(crate) fn contains(self, p: PreprocessorId) -> bool {
        self.0 & (1 << p.index()) != 0
    }
}

/// An outbound message the spooler knows of.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct OutMsg {
    /// The store holding it.
    pub(crate) store: StoreId,
    /// `PR_SUBMIT_FLAGS` as far as the spooler has seen or caused them.
    pub(crate) flags: QueueFlags,
    /// `PR_PREPROCESS` (HOOK-5).
    pub(crate) preprocess: bool,
    /// The originator's report requests (DEF-11).
    pub(crate) reports: ReportRequests,
    /// The recipient table as read from the store.
    pub(crate) recipients: Box<[RecipientRow]>,
    /// Per recipient, what became of it so far; inline for the usual one or two recipients.
    pub(crate) disp: SmallVec<[Disp; 2]>,
    /// Where the message is.
    pub(crate) stage: Stage,
    /// Transports this message may not be offered to before the given time (ERR-2, ERR-4,
    /// ERR-5, DEF-3).
    pub(crate) blocks: Vec<(TransportId, Time)>,
    /// The preprocessors this spooler ran on the message, if it ran the preprocessing stage;
    /// `None` after a restart adopted a message that was preprocessed earlier (HOOK-4).
    pub(crate) preprocessed_by: Option<PreprocessorSet>,
    /// The user cancelled the message (DEF-5, DEF-7, AMB-17): no recipient is offered again.
    pub(crate) cancelled: bool,
    /// A tightly coupled store handed the message over with `CompleteMsg` (TC-3, TC-5).
    pub(crate) completed: bool,
}

impl OutMsg {
    /// A message read from a queue row. Recipients whose `PR_RESPONSIBILITY` is already TRUE are
    /// settled from the start and never offered (SUB-21).
    pub(crate) fn from_row(row: QueueRow) -> OutMsg {
        // TC-4: recipients a tightly coupled pair served are TRUE already and never offered.
        let initial = |r: &RecipientRow| if r.responsibility { Disp::Taken } else { Disp::Pending { declined: TransportSet::EMPTY } };
        // A table too large to live inline is collected straight into its own allocation.
        let disp = if row.recipients.len() <= 2 {
            row.recipients.iter().map(initial).collect()
        } else {
            SmallVec::from_vec(row.recipients.iter().map(initial).collect())
        };
        let stage = if row.flags.contains(QueueFlags::SUBMITFLAG_LOCKED) { Self::locked_stage(row.flags) } else { Stage::Queued };
        OutMsg {
            store: row.store,
            flags: row.flags,
            preprocess: row.preprocess,
            reports: row.reports,
            recipients: row.recipients.into_boxed_slice(),
            disp,
            stage,
            blocks: Vec::new(),
            preprocessed_by: matches!(stage, Stage::Preprocessing { .. }).then(PreprocessorSet::default),
            cancelled: false,
            completed: false,
        }
    }

    /// The stage a message enters once it is locked (SUB-12, SUB-20).
    pub(crate) fn locked_stage(flags: QueueFlags) -> Stage {
        if flags.contains(QueueFlags::SUBMITFLAG_PREPROCESS) { Stage::Preprocessing { next: 0 } } else { Stage::Routing }
    }

    /// True when this spooler holds the lock.
    pub(crate) fn is_locked(&self) -> bool {
        !matches!(self.stage, Stage::Queued | Stage::Aborting)
    }

    /// True when the transport may not be offered this message yet.
    pub(crate) fn blocked(&self, t: TransportId, now: Time) -> bool {
        self.blocks.iter().any(|(b, until)| *b == t && *until > now)
    }

    /// Blocks the transport for this message until `until` (replacing an earlier block).
    pub(crate) fn block(&mut self, t: TransportId, until: Time) {
        self.blocks.retain(|(b, _)| *b != t);
        self.blocks.push((t, until));
    }

    /// The recipients in the given state.
    pub(crate) fn recipients_where(&self, mut pred: impl FnMut(&Disp) -> bool) -> RecipientSet {
        self.disp.iter().enumerate().filter(|(_, d)| pred(d)).map(|(i, _)| RecipientIdx(i as u16)).collect()
    }

    /// True when every recipient is settled.
    pub(crate) fn all_done(&self) -> bool {
        self.disp.iter().all(|d| matches!(d, Disp::Done(_) | Disp::Taken | Disp::Withdrawn))
    }

    /// True when the user's cancel withdrew some recipient: the message goes back unsent
    /// instead of to `FinishedMsg` (DEC-27).
    pub(crate) fn withdrawn(&self) -> bool {
        self.disp.contains(&Disp::Withdrawn)
    }
}

/// A fast, deterministic hasher for the identifier keys of the message table.
#[derive(Clone, Copy, Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The messages the spooler knows of: every queued or locked message in arrival order, which is
/// the order of the outgoing queue (SUB-4, SUB-16, SUB-19), and the locked ones, also in queue
/// order.
///
/// Equality and hashing look at the messages in queue order, so two tables that hold the same
/// messages in the same order are equal however they were built.
#[derive(Clone, Debug, Default)]
pub(crate) struct Messages {
    map: HashMap<MessageId, OutMsg, BuildHasherDefault<IdHasher>>,
    order: VecDeque<MessageId>,
    locked: Vec<MessageId>,
}

impl PartialEq for Messages {
    fn eq(&self, other: &Messages) -> bool {
        self.order == other.order && self.locked == other.locked && self.order.iter().all(|id| self.map.get(id) == other.map.get(id))
    }
}

impl Eq for Messages {}

impl Hash for Messages {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.order.hash(state);
        self.locked.hash(state);
        for id in &self.order {
            self.map.get(id).hash(state);
        }
    }
}

impl Messages {
    #[inline]
    pub(crate) fn get(&self, id: MessageId) -> Option<&OutMsg> {
        self.map.get(&id)
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, id: MessageId) -> Option<&mut OutMsg> {
        self.map.get_mut(&id)
    }

    #[inline]
    pub(crate) fn contains(&self, id: MessageId) -> bool {
        self.map.contains_key(&id)
    }

    /// Adds a message at the end of the queue; a message that arrives locked (adopted after a
    /// restart) joins the locked list too.
    pub(crate) fn push(&mut self, id: MessageId, msg: OutMsg) {
        if msg.is_locked() {
            self.locked.push(id);
        }
        self.map.insert(id, msg);
        self.order.push_back(id);
    }

    /// Forgets a message.
    pub(crate) fn remove(&mut self, id: MessageId) -> Option<OutMsg> {
        let msg = self.map.remove(&id)?;
        // Messages usually leave in queue order, so the oldest is looked at first.
        if self.order.front() == Some(&id) {
            self.order.pop_front();
        } else if let Some(pos) = self.order.iter().position(|m| *m == id) {
            self.order.remove(pos);
        }
        self.locked.retain(|m| *m != id);
        Some(msg)
    }

    /// Records that the spooler locked a queued message, which enters the stage its flags call
    /// for (SUB-12, SUB-20); false, and nothing changes, when the message is not known.
    pub(crate) fn lock(&mut self, id: MessageId) -> bool {
        let Some(msg) = self.map.get_mut(&id) else { return false };
        let stage = OutMsg::locked_stage(msg.flags);
        if matches!(stage, Stage::Preprocessing { .. }) {
            // This spooler runs the preprocessing, so it knows which preprocessors ran.
            msg.preprocessed_by = Some(PreprocessorSet::default());
        }
        msg.stage = stage;
        msg.flags = msg.flags | QueueFlags::SUBMITFLAG_LOCKED;
        // The locked list follows queue order (SUB-19): count the locked messages ahead.
        let mut ahead = 0;
        if !self.locked.is_empty() {
            for m in &self.order {
                if *m == id || ahead == self.locked.len() {
                    break;
                }
                if self.locked.contains(m) {
                    ahead += 1;
                }
            }
        }
        self.locked.insert(ahead, id);
        true
    }

    /// Records that the spooler unlocked a message; it is queued again, or, after a cancel,
    /// waits for the spooler's `AbortSubmit` (DEC-27).
    pub(crate) fn mark_unlocked(&mut self, id: MessageId) {
        if let Some(msg) = self.map.get_mut(&id) {
            msg.stage = if msg.stage == Stage::Withdrawing { Stage::Aborting } else { Stage::Queued };
            msg.flags = msg.flags.without(QueueFlags::SUBMITFLAG_LOCKED);
            self.locked.retain(|m| *m != id);
        }
    }

    /// The locked messages, in queue order.
    pub(crate) fn locked(&self) -> &[MessageId] {
        &self.locked
    }

    /// The message at a position of the queue.
    #[inline]
    pub(crate) fn at(&self, position: usize) -> Option<MessageId> {
        self.order.get(position).copied()
    }

    /// Every message, in queue order.
    pub(crate) fn in_order(&self) -> impl Iterator<Item = (MessageId, &OutMsg)> {
        self.order.iter().map(|id| (*id, &self.map[id]))
    }

    /// The same table under other names for messages and recipient rows (see
    /// [`crate::Renaming`]): queue order and lock order stay as they are.
    pub(crate) fn renamed(mut self, renaming: &crate::Renaming) -> Messages {
        let map = self
            .map
            .into_iter()
            .map(|(id, mut msg)| {
                renaming.reorder_in_place(id, &mut msg.recipients);
                renaming.reorder_in_place(id, &mut msg.disp);
                (renaming.message(id), msg)
            })
            .collect();
        for id in self.order.iter_mut().chain(self.locked.iter_mut()) {
            *id = renaming.message(*id);
        }
        Messages { map, order: self.order, locked: self.locked }
    }

    /// The position of a message in the queue.
    pub(crate) fn position(&self, id: MessageId) -> Option<usize> {
        self.order.iter().position(|m| *m == id)
    }

    /// Every message, in no particular order, mutably.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut OutMsg> {
        self.map.values_mut()
    }

    /// Marks recipients final, raises the report if the originator wants it (DEF-11), and saves
    /// the dispositions in the store.
    pub(crate) fn settle(
        &mut self,
        id: MessageId,
        recipients: &RecipientSet,
        outcome: RecipientOutcome,
        report: Option<ReportKind>,
        fx: &mut Effects,
    ) {
        if recipients.is_empty() {
            return;
        }
        let Some(msg) = self.get_mut(id) else { return };
        for r in recipients.iter() {
            msg.disp[r.index()] = Disp::Done(outcome);
        }
        if let Some(kind) = report.filter(|k| msg.reports.wants(*k)) {
            fx.push(Effect::Report { store: msg.store, message: id, recipients: recipients.clone(), kind });
        }
        fx.push(Effect::SaveRecipients { store: msg.store, message: id, recipients: recipients.clone(), outcome });
    }

    /// A transport will not be called again this session: the recipients it held deferred go
    /// back to the scan, which passes over it (DEC-4), and its retry delays lapse.
    pub(crate) fn forget_transport(&mut self, t: TransportId) {
        for msg in self.iter_mut() {
            for d in msg.disp.iter_mut().filter(|d| d.holder() == Some(t)) {
                *d = Disp::Pending { declined: d.declined() };
            }
            msg.blocks.retain(|(b, _)| *b != t);
        }
    }
}
