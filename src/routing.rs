//! Which transport gets the first chance at a recipient: the `AddressTypes` registrations and the
//! assignment scan (ORD-1 to ORD-6, ORD-11), as pure functions.

use crate::ids::{AddrType, MapiUid, TransportId};
use crate::recipients::{RecipientRow, TransportSet};

/// The address types a transport registered with `IXPLogon::AddressTypes` (ORD-1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AddressTypes {
    /// A NULL array: the transport accepts every address type, like a LAN transport that relays
    /// to foreign systems (ORD-5).
    Any,
    /// An explicit list, matched exactly against `PR_ADDRTYPE` (ORD-2). An empty list stands for
    /// both documented ways of refusing dispatch by address type, no entry and a single
    /// zero-length string (ORD-6); drivers fold the latter into the empty list.
    Listed(Vec<AddrType>),
}

/// Everything a transport returned from `IXPLogon::AddressTypes` (ORD-1): address types, and the
/// `MAPIUID`s whose entry identifiers it handles (ORD-3). The arrays stay valid until
/// `TransportLogoff` (ORD-1), which is why the spooler keeps a copy per logon and drops it when
/// the logon ends (LIFE-14).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Registrations {
    /// The address types (ORD-2, ORD-5, ORD-6).
    pub address_types: AddressTypes,
    /// The entry-identifier UIDs (ORD-3).
    pub uids: Vec<MapiUid>,
}

impl Registrations {
    /// A transport that handles exactly these address types and no UID.
    #[must_use]
    pub fn address_types(types: impl IntoIterator<Item = AddrType>) -> Registrations {
        Registrations { address_types: AddressTypes::Listed(types.into_iter().collect()), uids: Vec::new() }
    }

    /// A catch-all transport (ORD-5).
    #[must_use]
    pub fn any() -> Registrations {
        Registrations { address_types: AddressTypes::Any, uids: Vec::new() }
    }

    /// A transport that supports no recipient at all, typically one that only installs a
    /// preprocessor (ORD-6).
    #[must_use]
    pub fn none() -> Registrations {
        Registrations { address_types: AddressTypes::Listed(Vec::new()), uids: Vec::new() }
    }

    /// True when one of the registered UIDs is the recipient's entry-identifier UID (ORD-3).
    #[must_use]
    pub fn matches_uid(&self, r: &RecipientRow) -> bool {
        r.uid.is_some_and(|uid| self.uids.contains(&uid))
    }

    /// True when the recipient's address type is registered, exactly (ORD-2), or the transport
    /// takes every type (ORD-5).
    #[must_use]
    pub fn matches_type(&self, r: &RecipientRow) -> bool {
        match &self.address_types {
            AddressTypes::Any => true,
            AddressTypes::Listed(types) => types.contains(&r.addr_type),
        }
    }
}

/// The transports that may be offered a recipient, in the order of the assignment scan (ORD-4):
/// first every UID registration in transport priority order, then every address-type
/// registration in priority order. A transport that matches both ways appears twice; the second
/// appearance never matters, because a transport that declined the recipient is passed over in
/// both passes.
///
/// `order` is the transport priority order; `registrations` gives a transport's registrations if
/// it is currently logged on and registered.
pub fn scan<'a, F>(order: &'a [TransportId], registrations: F, r: &'a RecipientRow) -> impl Iterator<Item = TransportId> + 'a
where
    F: Fn(TransportId) -> Option<&'a Registrations> + Copy + 'a,
{
    let by_uid = order.iter().copied().filter(move |t| registrations(*t).is_some_and(|g| g.matches_uid(r)));
    let by_type = order.iter().copied().filter(move |t| registrations(*t).is_some_and(|g| g.matches_type(r)));
    by_uid.chain(by_type)
}

/// The transport that gets the next chance at a recipient: the first match of the scan (ORD-4)
/// that has not declined it yet. `None` means the scan is exhausted and the recipient is
/// undeliverable (ORD-4 step 5, SUB-25).
pub fn first_choice<'a, F>(order: &'a [TransportId], registrations: F, r: &'a RecipientRow, declined: TransportSet) -> Option<TransportId>
where
    F: Fn(TransportId) -> Option<&'a Registrations> + Copy + 'a,
{
    scan(order, registrations, r).find(|t| !declined.contains(*t))
}

/// The recipients a preprocessor asked for when it was registered (HOOK-1, ORD-11): a UID, an
/// address type, both or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PreprocessorFilter {
    /// The `MAPIUID` argument of `RegisterPreprocessor`, if not NULL.
    pub uid: Option<MapiUid>,
    /// The address-type argument of `RegisterPreprocessor`, if not NULL.
    pub addr_type: Option<AddrType>,
}

impl PreprocessorFilter {
    /// True when the preprocessor applies to this recipient (ORD-11): UID only matches recipients
    /// with that UID, an address type only matches that type, both match either, neither matches
    /// every recipient.
    #[must_use]
    pub fn matches(&self, r: &RecipientRow) -> bool {
        match (self.uid, self.addr_type) {
            (None, None) => true,
            (Some(uid), None) => r.uid == Some(uid),
            (None, Some(addr)) => r.addr_type == addr,
            (Some(uid), Some(addr)) => r.uid == Some(uid) || r.addr_type == addr,
        }
    }
}
