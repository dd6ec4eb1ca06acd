//! The assignment scan as the scheduler asks it, one recipient at a time, with the answers
//! remembered for the rest of one scheduling pass (ORD-4, ORD-10, SUB-25).
//!
//! The scan's answer for a recipient depends only on the transports (their order, logons and
//! registrations), the recipient row's address type and UID, and the transports that declined
//! it. None of those change while the scheduler looks for its next call, so recipients that
//! share them (typically every recipient of one address type) are scanned once per pass instead
//! of once each.

use crate::ids::TransportId;
use crate::readings::Amb32;
use crate::recipients::{RecipientRow, TransportSet};
use crate::routing::AddressTypes;

use super::{Route, Spooler};

/// The number of remembered answers besides the latest; a power of two.
const SLOTS: usize = 16;

/// Marks a key in use, in its first word.
const USED: u64 = 1 << 63;

/// One remembered answer: the address type, the UID and whether there is one, and [`USED`];
/// the transports that declined; the answer.
type Entry = (u64, TransportSet, Route);

/// Scan answers remembered during one scheduling pass. Never kept in the spooler's state: it is
/// valid only while the transports do not change.
pub(super) struct Routes {
    /// The latest answer (a first word of 0 when there is none yet).
    latest: Entry,
    /// The answers before it, in a small direct-mapped table made when a second key comes: a key
    /// whose slot holds another key is scanned again and takes the slot.
    table: Option<[Entry; SLOTS]>,
}

/// The slot of a key in the table.
#[inline]
fn index(key: u64, declined: TransportSet) -> usize {
    (key ^ (key >> 16) ^ declined.bits()) as usize % SLOTS
}

impl Routes {
    /// Nothing remembered yet: one of these per scheduling pass.
    pub(super) fn new() -> Routes {
        Routes { latest: (0, TransportSet::EMPTY, Route::Wait), table: None }
    }
}

impl Spooler {
    /// Where the scan sends a recipient next (ORD-4, ORD-10, SUB-25).
    #[inline]
    pub(super) fn route(&self, routes: &mut Routes, row: &RecipientRow, declined: TransportSet) -> Route {
        let uid = row.uid.map_or(0, |u| (1 << 16) | u64::from(u.get()));
        let key = USED | (uid << 16) | u64::from(row.addr_type.get());
        if routes.latest.0 == key && routes.latest.1 == declined {
            return routes.latest.2;
        }
        if let Some(table) = &routes.table {
            let slot = table[index(key, declined)];
            if slot.0 == key && slot.1 == declined {
                return slot.2;
            }
        }
        self.route_again(routes, key, row, declined)
    }

    /// [`Spooler::route`] for a key it does not remember: scanned, then remembered. At the
    /// second key of a pass, every address type is looked up at once first (see
    /// [`Spooler::sweep`]).
    #[inline(never)]
    fn route_again(&self, routes: &mut Routes, key: u64, row: &RecipientRow, declined: TransportSet) -> Route {
        if routes.latest.0 == 0 {
            let route = self.scan_route(row, declined);
            routes.latest = (key, declined, route);
            return route;
        }
        let table = match &mut routes.table {
            Some(table) => table,
            None => {
                let table = routes.table.insert([(0, TransportSet::EMPTY, Route::Wait); SLOTS]);
                self.sweep(table);
                let slot = table[index(key, declined)];
                if slot.0 == key && slot.1 == declined {
                    routes.latest = slot;
                    return slot.2;
                }
                table
            }
        };
        let route = self.scan_route(row, declined);
        table[index(routes.latest.0, routes.latest.1)] = routes.latest;
        table[index(key, declined)] = (key, declined, route);
        routes.latest = (key, declined, route);
        route
    }

    /// Fills an empty table with the first choice of every address type that some transport
    /// lists, for recipients without a UID that no transport declined: in one walk down the
    /// transport order, each listed type goes to the first transport that can take it (ORD-2,
    /// ORD-4). From the first transport that takes every type on (ORD-5), types not listed yet
    /// are left to the scan, and so is a type whose slot another type took first.
    fn sweep(&self, table: &mut [Entry; SLOTS]) {
        for &t in &self.order {
            let Some(registrations) = self.registrations(t) else { continue };
            let AddressTypes::Listed(types) = &registrations.address_types else { break };
            for addr_type in types {
                let key = USED | u64::from(addr_type.get());
                let slot = &mut table[index(key, TransportSet::EMPTY)];
                if slot.0 == 0 {
                    *slot = (key, TransportSet::EMPTY, Route::To(t));
                }
            }
        }
    }

    /// The scan itself, as [`crate::routing::first_choice`] and [`crate::routing::scan`] define
    /// it: the first transport in the order that has not declined the recipient and is
    /// registered for its entry-identifier UID, else the first registered for its address type
    /// (ORD-4). If there is none, a transport out of service that could take it postpones it
    /// (ORD-10); only when every transport that matches has declined it is it undeliverable
    /// (ORD-4 step 5, SUB-25).
    #[inline(never)]
    fn scan_route(&self, row: &RecipientRow, declined: TransportSet) -> Route {
        let candidates = || self.order.iter().copied().filter(move |t| !declined.contains(*t));
        if self.settings.readings.amb32 == Amb32::PurePriority {
            // AMB-32 `pure-priority`: the first transport in the order that matches either way.
            if let Some(t) = candidates().find(|t| self.registrations(*t).is_some_and(|g| g.matches_uid(row) || g.matches_type(row))) {
                return Route::To(t);
            }
        } else if let Some(uid) = row.uid {
            let by_uid = candidates().find(|t| self.registrations(*t).is_some_and(|g| g.uids.contains(&uid)));
            if let Some(t) = by_uid {
                return Route::To(t);
            }
        }
        if let Some(t) = candidates().find(|t| self.registrations(*t).is_some_and(|g| g.matches_type(row))) {
            return Route::To(t);
        }
        let known = |t: TransportId| self.transports.get(t.index()).and_then(|tr| tr.registrations.as_ref());
        if candidates().any(|t| known(t).is_some_and(|g| g.matches_uid(row) || g.matches_type(row))) {
            Route::Wait
        } else {
            Route::Undeliverable
        }
    }
}

#[cfg(test)]
mod tests {
    //! The remembered answers agree with the scan as `crate::routing` defines it (ORD-4,
    //! ORD-10, SUB-25), whatever the transports and the order of the questions.

    use super::*;
    use crate::ids::{AddrType, MapiUid};
    use crate::routing::{self, Registrations};
    use crate::sim::SplitMix64;
    use crate::spooler::Profile;
    use crate::spooler::transport::{Activity, Ending, Leave, Life, Logon};
    use crate::version::SpiVersion;

    /// The scan as it was before it was remembered: `routing::first_choice`, then
    /// `routing::scan` over every transport that registered.
    fn reference(spooler: &Spooler, row: &RecipientRow, declined: TransportSet) -> Route {
        if let Some(t) = routing::first_choice(&spooler.order, |t| spooler.registrations(t), row, declined) {
            return Route::To(t);
        }
        let known = |t: TransportId| spooler.transports.get(t.index()).and_then(|tr| tr.registrations.as_ref());
        if routing::scan(&spooler.order, known, row).any(|t| !declined.contains(t)) { Route::Wait } else { Route::Undeliverable }
    }

    /// A spooler with random transports: random order, logons serving or not, registrations
    /// listing a few of `types` address types (or any, or none) and a few of `uids` UIDs.
    fn random_spooler(rng: &mut SplitMix64, types: u16, uids: u16) -> Spooler {
        let count = 1 + rng.below(6) as u8;
        let mut spooler = Spooler::new(&Profile::new(count)).expect("a valid profile");
        for i in (1..spooler.order.len()).rev() {
            spooler.order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        for transport in &mut spooler.transports {
            let address_types = match rng.below(6) {
                0 => AddressTypes::Any,
                n => AddressTypes::Listed((0..n - 1).map(|_| AddrType(rng.below(u64::from(types)) as u16)).collect()),
            };
            let uids = (0..rng.below(3)).map(|_| MapiUid(rng.below(u64::from(uids)) as u16)).collect();
            transport.registrations = (rng.below(5) != 0).then_some(Registrations { address_types, uids });
            let mut logon = Logon::new(SpiVersion::CURRENT, false);
            logon.activity = match rng.below(6) {
                0 => Activity::Critical,
                1 => Activity::Leaving(Leave::SessionEnded),
                _ => Activity::Serving,
            };
            transport.life = if rng.below(6) == 0 { Life::Gone { reason: Ending::CriticalError } } else { Life::LoggedOn(logon) };
        }
        spooler
    }

    #[test]
    fn remembered_routes_agree_with_the_scan() {
        let mut rng = SplitMix64::new(8);
        for _ in 0..2_000 {
            let (types, uids) = (1 + rng.below(20) as u16, 1 + rng.below(4) as u16);
            let spooler = random_spooler(&mut rng, types, uids);
            let count = spooler.transports.len() as u64;
            let mut routes = Routes::new();
            for _ in 0..rng.below(60) {
                let row = RecipientRow {
                    addr_type: AddrType(rng.below(u64::from(types) + 1) as u16),
                    uid: (rng.below(3) == 0).then(|| MapiUid(rng.below(u64::from(uids)) as u16)),
                    responsibility: false,
                };
                let declined = if rng.below(2) == 0 {
                    TransportSet::EMPTY
                } else {
                    (0..count).filter(|_| rng.below(3) == 0).map(|t| TransportId(t as u8)).collect()
                };
                assert_eq!(spooler.route(&mut routes, &row, declined), reference(&spooler, &row, declined), "{row:?} {declined:?}");
            }
        }
    }
}
