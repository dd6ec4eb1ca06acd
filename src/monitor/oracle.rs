//! The monitor's own routing oracle (ORD-2 to ORD-6, ORD-4, ORD-11, DEC-21), for INV-22, INV-28
//! and the preprocessor check of INV-27.
//!
//! It is written apart from the spooler's scan (`src/spooler/routes.rs`) and from
//! `crate::routing`'s `scan`, `first_choice` and matching methods, and deliberately as simply as
//! the pages word the rules, so that a routing mistake in the implementation cannot hide in the
//! monitor too: it reads the registrations as plain data, gives every registration that matches
//! the recipient a rank (the UID pass before the address-type pass, and within a pass the
//! transport's place in the priority order), and takes the lowest rank whose transport has not
//! declined the recipient, by trying every transport.

use crate::ids::TransportId;
use crate::recipients::{RecipientRow, TransportSet};
use crate::routing::{AddressTypes, PreprocessorFilter, Registrations};

/// The two passes of the scan, in the order the scan makes them (ORD-4 step 2).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Pass {
    /// `MAPIUID` registrations (ORD-3).
    Uid,
    /// Address-type registrations (ORD-2, ORD-5, ORD-6).
    AddressType,
}

/// True when the transport's registration of this pass names the recipient: its entry-identifier
/// UID is one of the registered UIDs (ORD-3); its `PR_ADDRTYPE` is one of the listed types, or the
/// array was NULL, which takes every type (ORD-2, ORD-5). An empty list takes none (ORD-6).
fn names(g: &Registrations, pass: Pass, r: &RecipientRow) -> bool {
    match pass {
        Pass::Uid => match r.uid {
            Some(uid) => g.uids.contains(&uid),
            None => false,
        },
        Pass::AddressType => match &g.address_types {
            AddressTypes::Any => true,
            AddressTypes::Listed(types) => types.contains(&r.addr_type),
        },
    }
}

/// The transport that gets the next chance at `r` (ORD-4): of every registration that names it,
/// from a transport that serves (`serving`) and has not declined it, the one with the lowest
/// (pass, place in `order`). `None`: the scan is exhausted.
pub(super) fn first_choice<'a>(
    order: &[TransportId],
    serving: impl Fn(TransportId) -> Option<&'a Registrations>,
    r: &RecipientRow,
    declined: TransportSet,
) -> Option<TransportId> {
    let mut best: Option<((Pass, usize), TransportId)> = None;
    for (place, t) in order.iter().copied().enumerate() {
        let Some(g) = serving(t) else { continue };
        if declined.contains(t) {
            continue;
        }
        for pass in [Pass::Uid, Pass::AddressType] {
            let rank = (pass, place);
            if names(g, pass, r) && best.is_none_or(|(b, _)| rank < b) {
                best = Some((rank, t));
            }
        }
    }
    best.map(|(_, t)| t)
}

/// True when the transport could take `r` at all, by UID or by address type.
pub(super) fn can_take(g: &Registrations, r: &RecipientRow) -> bool {
    names(g, Pass::Uid, r) || names(g, Pass::AddressType, r)
}

/// True when the transport registered no recipient at all: no UID and an empty address-type
/// list (ORD-6), typically one that only installs a preprocessor.
pub(super) fn registers_nothing(g: &Registrations) -> bool {
    g.uids.is_empty() && matches!(&g.address_types, AddressTypes::Listed(types) if types.is_empty())
}

/// True when a preprocessor registered with this filter applies to `r` (ORD-11): UID only, the
/// recipients with that UID; address type only, that type; both, either; neither, every one.
pub(super) fn filter_matches(filter: &PreprocessorFilter, r: &RecipientRow) -> bool {
    let by_uid = filter.uid.map(|uid| r.uid == Some(uid));
    let by_type = filter.addr_type.map(|t| r.addr_type == t);
    match (by_uid, by_type) {
        (None, None) => true,
        (Some(u), None) => u,
        (None, Some(t)) => t,
        (Some(u), Some(t)) => u || t,
    }
}

#[cfg(test)]
mod tests {
    //! The oracle agrees with the implementation's scan on random transports, and tells apart
    //! the realistic ways of getting the scan wrong.

    use super::*;
    use crate::ids::{AddrType, MapiUid};
    use crate::routing;
    use crate::sim::SplitMix64;

    struct Case {
        order: Vec<TransportId>,
        registrations: Vec<Option<Registrations>>,
        row: RecipientRow,
        declined: TransportSet,
    }

    fn case(rng: &mut SplitMix64) -> Case {
        let count = 1 + rng.below(5) as usize;
        let mut order: Vec<TransportId> = (0..count).map(|t| TransportId(t as u8)).collect();
        for i in (1..count).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let registrations = (0..count)
            .map(|_| {
                let address_types = match rng.below(5) {
                    0 => AddressTypes::Any,
                    n => AddressTypes::Listed((0..n - 1).map(|_| AddrType(rng.below(4) as u16)).collect()),
                };
                let uids = (0..rng.below(3)).map(|_| MapiUid(rng.below(3) as u16)).collect();
                (rng.below(5) != 0).then_some(Registrations { address_types, uids })
            })
            .collect();
        let row = RecipientRow {
            addr_type: AddrType(rng.below(5) as u16),
            uid: (rng.below(2) == 0).then(|| MapiUid(rng.below(3) as u16)),
            responsibility: false,
        };
        let declined = (0..count).filter(|_| rng.below(3) == 0).map(|t| TransportId(t as u8)).collect();
        Case { order, registrations, row, declined }
    }

    #[test]
    fn the_oracle_agrees_with_the_scan_of_crate_routing() {
        let mut rng = SplitMix64::new(22);
        for _ in 0..20_000 {
            let c = case(&mut rng);
            let serving = |t: TransportId| c.registrations[t.index()].as_ref();
            let expected = routing::first_choice(&c.order, serving, &c.row, c.declined);
            assert_eq!(first_choice(&c.order, serving, &c.row, c.declined), expected);
            let filter = PreprocessorFilter {
                uid: (rng.below(2) == 0).then(|| MapiUid(rng.below(3) as u16)),
                addr_type: (rng.below(2) == 0).then(|| AddrType(rng.below(5) as u16)),
            };
            assert_eq!(filter_matches(&filter, &c.row), filter.matches(&c.row));
            for g in c.registrations.iter().flatten() {
                assert_eq!(can_take(g, &c.row), g.matches_uid(&c.row) || g.matches_type(&c.row));
                assert_eq!(registers_nothing(g), *g == Registrations::none());
            }
        }
    }

    /// Realistic wrong scans: address types before UIDs, a NULL array taken as no type, declines
    /// forgotten, the last match instead of the first. On random transports the oracle
    /// disagrees with each of them somewhere, so the monitor (which judges every offer by the
    /// oracle) breaks INV-22 on a spooler that routes like that.
    #[test]
    fn the_oracle_tells_wrong_scans_apart() {
        type Scan = fn(&Case) -> Option<TransportId>;
        let types_first: Scan = |c| {
            let g = |t: TransportId| c.registrations[t.index()].as_ref();
            let open = |t: &TransportId| !c.declined.contains(*t);
            let by_type = c.order.iter().copied().filter(open).find(|t| g(*t).is_some_and(|g| g.matches_type(&c.row)));
            by_type.or_else(|| c.order.iter().copied().filter(open).find(|t| g(*t).is_some_and(|g| g.matches_uid(&c.row))))
        };
        let null_is_none: Scan = |c| {
            let serving = |t: TransportId| c.registrations[t.index()].as_ref().filter(|g| g.address_types != AddressTypes::Any);
            routing::first_choice(&c.order, serving, &c.row, c.declined)
        };
        let declines_forgotten: Scan =
            |c| routing::first_choice(&c.order, |t| c.registrations[t.index()].as_ref(), &c.row, TransportSet::EMPTY);
        let last_match: Scan = |c| {
            let serving = |t: TransportId| c.registrations[t.index()].as_ref();
            routing::scan(&c.order, serving, &c.row).filter(|t| !c.declined.contains(*t)).last()
        };
        for (name, wrong) in [
            ("types first", types_first),
            ("NULL as none", null_is_none),
            ("declines forgotten", declines_forgotten),
            ("last match", last_match),
        ] {
            let mut rng = SplitMix64::new(7);
            let caught = (0..5_000)
                .map(|_| case(&mut rng))
                .any(|c| first_choice(&c.order, |t| c.registrations[t.index()].as_ref(), &c.row, c.declined) != wrong(&c));
            assert!(caught, "the oracle never disagrees with the wrong scan '{name}'");
        }
    }
}
