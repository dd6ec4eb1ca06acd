//! What the monitor remembers about each transport and message.

use smallvec::SmallVec;

use crate::effect::Call;
use crate::flags::QueueFlags;
use crate::ids::{MessageId, MsgRef, PreprocessorId, StoreId, Time, TransportId};
use crate::input::{Directions, QueueRow};
use crate::recipients::{RecipientRow, RecipientSet, TransportSet};
use crate::routing::Registrations;

/// Where a transport is, as far as the calls and returns show (INV-1 to INV-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub(super) enum Stage {
    /// No `XPProviderInit` yet.
    #[default]
    NotLoaded,
    /// `XPProviderInit` agreed on a version.
    Loaded,
    /// `XPProviderInit` failed or its version did not agree (VER-4, VER-6).
    Dropped,
    /// `TransportLogon` failed; only configuration, a new logon or `Shutdown` may follow.
    LogonFailed,
    /// `TransportLogon` succeeded.
    LoggedOn,
    /// `AddressTypes` returned.
    Registered,
    /// `TransportLogoff` returned.
    LoggedOff,
    /// `Shutdown` returned.
    Released,
}

/// An S_OK `SubmitMessage` whose `EndMessage` has not returned yet (INV-17, INV-18).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Exchange {
    pub(super) message: MessageId,
    pub(super) msg_ref: MsgRef,
    pub(super) offered: RecipientSet,
    pub(super) accepted: RecipientSet,
    /// `EndMessage` was called.
    pub(super) ending: bool,
}

/// What the monitor knows of a transport this session.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub(super) struct TransportWatch {
    pub(super) stage: Stage,
    /// It returned `LOGON_SP_IDLE` (INV-10).
    pub(super) idle: bool,
    /// It returned `LOGON_SP_POLL` (INV-10).
    pub(super) poll: bool,
    /// The directions it was told are enabled (INV-8).
    pub(super) enabled: Directions,
    /// It raised `NOTIFY_CRITICAL_ERROR` (INV-5).
    pub(super) critical: bool,
    /// It holds a critical section (INV-11).
    pub(super) critsec: bool,
    /// Its registrations (INV-22).
    pub(super) registrations: Option<Registrations>,
    /// The exchange in progress (INV-17, INV-18).
    pub(super) open: Option<Exchange>,
    /// The last call made to it.
    pub(super) last_call: Option<Call>,
    /// `PR_STATUS_CODE` of its status row, as its last `ModifyStatusRow` left it (INV-12).
    pub(super) row: Option<crate::flags::StatusCode>,
    /// Its flush, from `FlushQueues` until it ends (STAT-20, LIV-5).
    pub(super) flush: Option<super::flush::FlushWatch>,
    /// It was told `ValidateState(CONFIG_CHANGED)` and its `AddressTypes` has not returned since
    /// (ORD-9).
    pub(super) requery: bool,
    /// The message handed to it whose reference is not reusable yet (INV-19).
    pub(super) transfer: Option<super::refs::Transfer>,
}

/// What the monitor knows of one recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct RecipientWatch {
    pub(super) row: RecipientRow,
    /// Its `PR_RESPONSIBILITY` is TRUE for good: read TRUE, saved by the spooler, or saved by a
    /// transport before an error (INV-20, INV-23).
    pub(super) settled: bool,
    /// Reports raised for it (INV-24).
    pub(super) reports: u8,
    /// Transports that left it FALSE this session (INV-22).
    pub(super) declined: TransportSet,
    /// Held deferred by a transport, and whether it sent `NOTIFY_SENTDEFERRED` since (INV-30).
    pub(super) deferred: Option<(TransportId, bool)>,
}

/// What the monitor knows of one queued message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct MessageWatch {
    /// Its store, and its position in that store's queue order (INV-28).
    pub(super) store: StoreId,
    pub(super) rank: u32,
    pub(super) locked: bool,
    /// It left the queue before the spooler locked it (INV-15).
    pub(super) removed: bool,
    /// `SUBMITFLAG_PREPROCESS` is still set (INV-27).
    pub(super) preprocess_pending: bool,
    /// `PR_PREPROCESS` (INV-25).
    pub(super) preprocess: bool,
    /// The preprocessors that ran on it this session, and the last one (INV-25, INV-27).
    pub(super) preprocessed: PreprocessorBits,
    /// This session saw it wait for preprocessing, so it knows which preprocessors ran; after a
    /// restart that adopted it preprocessed, it does not (DEC-12).
    pub(super) preprocessed_here: bool,
    /// The `RemovePreprocessInfo` functions called for it this session (INV-25).
    pub(super) cleaned: PreprocessorBits,
    /// Per recipient row; inline for the usual one or two recipients.
    pub(super) recipients: SmallVec<[RecipientWatch; 2]>,
    /// Transports it may not be offered to before the given time (INV-29).
    pub(super) not_before: Vec<(TransportId, Time)>,
    /// Transports it was offered to this session (INV-28).
    pub(super) offered_to: TransportSet,
    /// The user cancelled it this session (INV-39).
    pub(super) cancelled: bool,
}

/// A set of preprocessor numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub(super) struct PreprocessorBits(u64);

impl PreprocessorBits {
    pub(super) fn insert(&mut self, p: PreprocessorId) {
        self.0 |= 1 << p.index();
    }

    pub(super) fn is_subset(self, other: PreprocessorBits) -> bool {
        self.0 & !other.0 == 0
    }

    pub(super) fn highest(self) -> Option<PreprocessorId> {
        (self.0 != 0).then(|| PreprocessorId(63 - self.0.leading_zeros() as u8))
    }
}

impl MessageWatch {
    pub(super) fn new(rank: u32, row: &QueueRow) -> MessageWatch {
        MessageWatch {
            store: row.store,
            rank,
            locked: row.flags.contains(QueueFlags::SUBMITFLAG_LOCKED),
            removed: false,
            preprocess_pending: row.flags.contains(QueueFlags::SUBMITFLAG_PREPROCESS),
            preprocess: row.preprocess,
            preprocessed: PreprocessorBits::default(),
            preprocessed_here: row.flags.contains(QueueFlags::SUBMITFLAG_PREPROCESS),
            cleaned: PreprocessorBits::default(),
            recipients: row
                .recipients
                .iter()
                .map(|r| RecipientWatch { row: *r, settled: r.responsibility, reports: 0, declined: TransportSet::EMPTY, deferred: None })
                .collect(),
            not_before: Vec::new(),
            offered_to: TransportSet::EMPTY,
            cancelled: false,
        }
    }

    /// The spooler process died: forget what only the session knew.
    pub(super) fn forget_session(&mut self) {
        self.preprocessed = PreprocessorBits::default();
        self.preprocessed_here = self.preprocess_pending;
        self.cleaned = PreprocessorBits::default();
        self.not_before.clear();
        self.offered_to = TransportSet::EMPTY;
        self.cancelled = false;
        for rec in &mut self.recipients {
            rec.declined = TransportSet::EMPTY;
            rec.deferred = None;
        }
    }
}
