//! Conformance scenarios: the status table as clients see it (`status-tables.md`,
//! `status-object-implementation.md`, `imapisupport-modifystatusrow.md`).

mod common;

use common::*;
use mapi_spooler::{Directions, Phase, ResourceFlags, ResourceMethods, StatusCode, StatusResource, StatusRow, TransportId};

const T0: TransportId = TransportId(0);
const T1: TransportId = TransportId(1);

fn row(resource: StatusResource, status: StatusCode) -> StatusRow {
    // STAT-6, STAT-9: the spooler's row supports ValidateState and FlushQueues; these
    // transports pass no PR_RESOURCE_METHODS.
    let methods = match resource {
        StatusResource::Spooler => ResourceMethods::STATUS_VALIDATE_STATE | ResourceMethods::STATUS_FLUSH_QUEUES,
        StatusResource::Transport(_) => ResourceMethods::EMPTY,
    };
    StatusRow { resource, status, methods, resource_flags: ResourceFlags::EMPTY }
}

fn enabled() -> StatusCode {
    StatusCode::STATUS_AVAILABLE | StatusCode::STATUS_INBOUND_ENABLED | StatusCode::STATUS_OUTBOUND_ENABLED
}

/// Before the session there is no table; once it runs, the spooler's row and one row per
/// transport logon, in profile order, each with the `PR_STATUS_CODE` the transport last set:
/// both directions enabled after `TransportNotify(BEGIN)`.
#[test]
fn the_table_has_the_spooler_row_and_one_row_per_transport_logon() {
    // Spec: STAT-1, STAT-3, STAT-4, STAT-5, LIFE-9
    let sim = world(vec![smtp(), fax()]);
    assert_eq!(sim.spooler().status_table(), []);
    let sim = started(vec![smtp(), fax()]);
    assert_clean(&sim);
    assert_eq!(
        sim.spooler().status_table(),
        [
            row(StatusResource::Spooler, StatusCode::STATUS_AVAILABLE),
            row(StatusResource::Transport(T0), enabled()),
            row(StatusResource::Transport(T1), enabled()),
        ]
    );
}

/// `ModifyStatusRow(STATUSROW_UPDATE)` changes the row at once; disabling a transport's
/// outbound traffic shows in its row as the transport updates it.
#[test]
fn row_updates_show_at_once() {
    // Spec: STAT-3, STAT-4, STAT-5, LIFE-12
    let mut sim = started(vec![smtp(), fax()]);
    sim.set_traffic(T1, Directions::OUTBOUND, false);
    assert_clean(&sim);
    let without_outbound = StatusCode::STATUS_AVAILABLE | StatusCode::STATUS_INBOUND_ENABLED;
    assert_eq!(sim.spooler().status_table()[2], row(StatusResource::Transport(T1), without_outbound));
    sim.feed(mapi_spooler::Input::Support(mapi_spooler::SupportCall::ModifyStatusRow {
        transport: T0,
        flags: mapi_spooler::StatusRowFlags::STATUSROW_UPDATE,
        status: enabled() | StatusCode::STATUS_OUTBOUND_ACTIVE,
    }));
    assert_eq!(sim.spooler().status_table()[1].status, enabled() | StatusCode::STATUS_OUTBOUND_ACTIVE);
}

/// A transport's row goes with its logon: after a critical error and its release, and for
/// every transport at the end of the session, when the spooler's row goes too.
#[test]
fn rows_go_with_their_logons() {
    // Spec: STAT-1, LIFE-15, INV-4
    let mut sim = started(vec![smtp(), fax()]);
    sim.feed(mapi_spooler::Input::Support(mapi_spooler::SupportCall::SpoolerNotify {
        caller: mapi_spooler::Caller::Transport(T0),
        flags: mapi_spooler::SpoolerNotifyFlags::NOTIFY_CRITICAL_ERROR,
        message: None,
    }));
    sim.run();
    assert_clean(&sim);
    let resources: Vec<StatusResource> = sim.spooler().status_table().iter().map(|r| r.resource).collect();
    assert_eq!(resources, [StatusResource::Spooler, StatusResource::Transport(T1)]);
    sim.shutdown();
    assert_eq!(sim.spooler().phase(), Phase::Stopped);
    assert_eq!(sim.spooler().status_table(), []);
}
