//! The flush protocol as calls show it (STAT-20, ORD-12, LIV-5) and the status row's mirror of
//! the enabled directions (INV-12).

use crate::effect::Call;
use crate::flags::{FlushFlags, NotifyFlags, StatusCode};
use crate::ids::TransportId;
use crate::readings::Amb13;

use super::{Checked, Monitor, Property, broken};

/// Where a transport's flush is, as far as the calls show (STAT-20).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum FlushStage {
    /// `IXPLogon::FlushQueues` was called.
    Requested,
    /// `NOTIFY_BEGIN_OUTBOUND_FLUSH` was sent.
    Outbound,
    /// `NOTIFY_END_OUTBOUND_FLUSH` was sent; the inbound half may follow.
    OutboundEnded,
    /// `NOTIFY_BEGIN_INBOUND_FLUSH` was sent.
    Inbound,
}

/// A flush begun with `IXPLogon::FlushQueues` and not ended yet (LIV-5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct FlushWatch {
    pub(super) flags: FlushFlags,
    pub(super) stage: FlushStage,
}

impl Monitor {
    /// A transport with a flush begun with `IXPLogon::FlushQueues` that neither ended
    /// (`NOTIFY_END_INBOUND_FLUSH`, the shutdown form, or the end of an upload-only flush) nor
    /// went with its logon or a critical error (LIV-5).
    #[must_use]
    pub fn open_flush(&self) -> Option<TransportId> {
        self.transports.iter().position(|w| w.flush.is_some()).map(|i| TransportId(i as u8))
    }

    /// STAT-20, ORD-12: `FlushQueues` only when no flush is open anywhere; per transport,
    /// BEGIN and END of the outbound half, then BEGIN and END of the inbound half, each only
    /// for a direction that was asked for; the shutdown form ends a flush in any half.
    pub(super) fn flush_call(&mut self, call: &Call) -> Checked {
        let (t, step) = match call {
            Call::FlushQueues { transport, flags } => {
                if let Some(open) = self.open_flush() {
                    return broken(Property::FlushProtocol, format!("{call} while the flush of {open} is still open"));
                }
                if let Some(w) = self.transport(*transport) {
                    w.flush = Some(FlushWatch { flags: *flags, stage: FlushStage::Requested });
                }
                return Ok(());
            }
            Call::TransportNotify { transport, flags, .. } => (*transport, *flags),
            _ => return Ok(()),
        };
        let ends = NotifyFlags::NOTIFY_END_INBOUND_FLUSH | NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH;
        let flush_flags = ends | NotifyFlags::NOTIFY_BEGIN_INBOUND_FLUSH | NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH;
        if !step.intersects(flush_flags) {
            return Ok(());
        }
        // AMB-13 `fourteen-steps`: a half may begin without its BEGIN notification.
        let unannounced = self.readings.amb13 == Amb13::FourteenSteps;
        let Some(w) = self.transport(t) else { return Ok(()) };
        let Some(FlushWatch { flags, stage }) = w.flush else {
            return broken(Property::FlushProtocol, format!("{call}, but no FlushQueues of {t} began a flush"));
        };
        let upload = flags.contains(FlushFlags::FLUSH_UPLOAD);
        let download = flags.contains(FlushFlags::FLUSH_DOWNLOAD);
        let next = if step.contains(ends) {
            None
        } else if step == NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH && upload && stage == FlushStage::Requested {
            Some(FlushStage::Outbound)
        } else if step == NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH
            && (stage == FlushStage::Outbound || (unannounced && upload && stage == FlushStage::Requested))
        {
            download.then_some(FlushStage::OutboundEnded)
        } else if step == NotifyFlags::NOTIFY_BEGIN_INBOUND_FLUSH
            && download
            && (stage == FlushStage::OutboundEnded || (stage == FlushStage::Requested && !upload))
        {
            Some(FlushStage::Inbound)
        } else if step == NotifyFlags::NOTIFY_END_INBOUND_FLUSH
            && (stage == FlushStage::Inbound
                || (unannounced && download && (stage == FlushStage::OutboundEnded || (stage == FlushStage::Requested && !upload))))
        {
            None
        } else {
            return broken(Property::FlushProtocol, format!("{call} in the {stage:?} step of a flush with {flags}"));
        };
        w.flush = next.map(|stage| FlushWatch { flags, stage });
        Ok(())
    }

    /// INV-12: when a `TransportNotify` that begins or ends a direction returns, the row's
    /// `STATUS_INBOUND_ENABLED` and `STATUS_OUTBOUND_ENABLED` equal the enabled directions.
    pub(super) fn row_mirrors_enabled(&self, t: TransportId, flags: NotifyFlags) -> Checked {
        let directions = NotifyFlags::NOTIFY_BEGIN_INBOUND
            | NotifyFlags::NOTIFY_BEGIN_OUTBOUND
            | NotifyFlags::NOTIFY_END_INBOUND
            | NotifyFlags::NOTIFY_END_OUTBOUND;
        let Some(w) = self.transports.get(t.index()) else { return Ok(()) };
        let Some(row) = w.row.filter(|_| flags.intersects(directions)) else { return Ok(()) };
        let inbound = row.contains(StatusCode::STATUS_INBOUND_ENABLED);
        let outbound = row.contains(StatusCode::STATUS_OUTBOUND_ENABLED);
        if (inbound, outbound) == (w.enabled.inbound, w.enabled.outbound) {
            Ok(())
        } else {
            broken(
                Property::RowMirrorsEnabled,
                format!(
                    "TransportNotify({flags}) of {t} returned with PR_STATUS_CODE={row}, but inbound is {} and outbound {}",
                    on_off(w.enabled.inbound),
                    on_off(w.enabled.outbound)
                ),
            )
        }
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "enabled" } else { "disabled" }
}
