//! Store logoff (LIFE-20, AMB-27, DEC-44): `IMsgStore::StoreLogoff` passes one flag to
//! `IMAPISupport::StoreLogoffTransports`, which answers `LOGOFF_COMPLETE` once the spooler has
//! nothing more to do for the store, or the busy flags: `LOGOFF_INBOUND` (a message is coming
//! in for it), `LOGOFF_OUTBOUND` (one of its messages is locked and going out) and
//! `LOGOFF_OUTBOUND_QUEUE` (its outgoing queue holds messages not locked yet).
//!
//! While busy, `LOGOFF_ABORT` and `LOGOFF_QUIET` change nothing (AMB-27: ABORT is QUIET; the
//! reference has no per-store idle work to cancel). `LOGOFF_ORDERLY` lets the messages under
//! way finish and starts no new one: no queued message of the store is locked and no inbound
//! message is fetched into it. `LOGOFF_NO_WAIT` and `LOGOFF_PURGE` still send the queued mail
//! but fetch no new inbound message. The store calls again when it wants to know whether it is
//! done; after `LOGOFF_COMPLETE` the store is no longer served and a further call is refused.
//! With `LOGOFF_ORDERLY`, messages still waiting unlocked in the queue do not hold the logoff
//! up: they stay queued for the next session.

use crate::effect::{Effect, Effects};
use crate::error::{Error, StoreFault};
use crate::flags::LogoffFlags as F;
use crate::ids::StoreId;

use super::Spooler;

/// Where a store is in its logoff (LIFE-20).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Logoff {
    /// No `StoreLogoffTransports` yet.
    Open,
    /// A call answered busy with this flag, which now holds new work back.
    Closing(F),
    /// `LOGOFF_COMPLETE` was answered: the store is no longer served.
    Complete,
}

impl Spooler {
    /// `StoreLogoffTransports` (LIFE-20, AMB-27, DEC-44).
    pub(super) fn store_logoff(&mut self, s: StoreId, flags: F, fx: &mut Effects) -> Result<(), Error> {
        self.check_store(s)?;
        let single = flags.without(F::INPUT).is_empty() && flags.bits().count_ones() == 1;
        if !single {
            return Err(Error::store(s, StoreFault::LogoffFlags(flags)));
        }
        if self.logged_off(s) {
            return Err(Error::store(s, StoreFault::NotServed));
        }
        let busy = self.store_busy(s);
        // LOGOFF_ORDERLY starts nothing new: messages still waiting in the queue stay there for
        // the next session, as at the end of a session (DEC-8), and do not hold the logoff up.
        let blocking = if flags == F::LOGOFF_ORDERLY { busy.without(F::LOGOFF_OUTBOUND_QUEUE) } else { busy };
        let answer = if blocking.is_empty() {
            self.logoffs[s.index()] = Logoff::Complete;
            let waiting: Vec<_> = self.messages.in_order().filter(|(_, m)| m.store == s).map(|(id, _)| id).collect();
            for id in waiting {
                self.messages.remove(id);
            }
            F::LOGOFF_COMPLETE
        } else {
            if !flags.intersects(F::LOGOFF_ABORT | F::LOGOFF_QUIET) {
                self.logoffs[s.index()] = Logoff::Closing(flags);
            }
            busy
        };
        fx.push(Effect::LogoffAnswer { store: s, flags: answer });
        Ok(())
    }

    /// The busy flags of a store (LIFE-20).
    fn store_busy(&self, s: StoreId) -> F {
        let mut busy = F::EMPTY;
        if self.inbound.is_some_and(|i| i.into_store(s)) || self.arrivals.iter().any(|(a, _)| *a == s) {
            busy = busy | F::LOGOFF_INBOUND;
        }
        // A message being locked counts as going out.
        let in_call = self.in_flight.as_ref().and_then(|f| f.call().message());
        for (id, msg) in self.messages.in_order().filter(|(_, m)| m.store == s) {
            busy = busy | if msg.is_locked() || in_call == Some(id) { F::LOGOFF_OUTBOUND } else { F::LOGOFF_OUTBOUND_QUEUE };
        }
        busy
    }

    /// True once the store answered `LOGOFF_COMPLETE` (LIFE-20).
    pub(super) fn logged_off(&self, s: StoreId) -> bool {
        self.logoffs.get(s.index()) == Some(&Logoff::Complete)
    }

    /// True when the store is logging off: no new inbound message is fetched into it
    /// (LIFE-20).
    pub(super) fn store_closing(&self, s: StoreId) -> bool {
        self.logoffs.get(s.index()).is_some_and(|l| *l != Logoff::Open)
    }

    /// True when no queued message of the store may be locked: it is logging off with
    /// `LOGOFF_ORDERLY`, or done (LIFE-20).
    pub(super) fn holds_back(&self, s: StoreId) -> bool {
        matches!(self.logoffs.get(s.index()), Some(Logoff::Closing(F::LOGOFF_ORDERLY) | Logoff::Complete))
    }
}
