//! When a deferred message should go out (DEF-1).
//!
//! `PR_DEFERRED_DELIVERY_TIME` is the time the sender wants the message delivered. MAPI itself
//! never defers a message: the spooler hands it to a transport at once, and a transport that
//! honours the time defers it itself, with `END_DONT_RESEND` and, when the time comes,
//! `SpoolerNotify(NOTIFY_SENTDEFERRED)` (DEF-2). Outlook's `PR_DEFERRED_SEND_NUMBER` and
//! `PR_DEFERRED_SEND_UNITS` give the time relative to the submission, as
//! `PR_DEFERRED_SEND_TIME`; a time already past means "send now".

use crate::ids::Time;

/// `PR_DEFERRED_SEND_UNITS` (DEF-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SendUnits {
    /// 0: minutes.
    Minutes,
    /// 1: hours.
    Hours,
    /// 2: days.
    Days,
    /// 3: weeks.
    Weeks,
}

impl SendUnits {
    /// The unit with this property value.
    ///
    /// # Errors
    /// [`DeferredSendError::Units`] for a value other than 0 to 3.
    pub const fn from_value(value: u32) -> Result<SendUnits, DeferredSendError> {
        match value {
            0 => Ok(SendUnits::Minutes),
            1 => Ok(SendUnits::Hours),
            2 => Ok(SendUnits::Days),
            3 => Ok(SendUnits::Weeks),
            other => Err(DeferredSendError::Units(other)),
        }
    }

    /// The unit in seconds.
    #[must_use]
    pub const fn seconds(self) -> u64 {
        match self {
            SendUnits::Minutes => 60,
            SendUnits::Hours => 3_600,
            SendUnits::Days => 86_400,
            SendUnits::Weeks => 604_800,
        }
    }
}

/// A deferred-send setting that the properties' pages do not allow (DEF-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum DeferredSendError {
    /// `PR_DEFERRED_SEND_NUMBER` is between 0 and 999.
    #[error("PR_DEFERRED_SEND_NUMBER must be between 0 and 999, not {0}")]
    Number(u32),
    /// `PR_DEFERRED_SEND_UNITS` is 0 (minutes), 1 (hours), 2 (days) or 3 (weeks).
    #[error("PR_DEFERRED_SEND_UNITS must be 0 (minutes), 1 (hours), 2 (days) or 3 (weeks), not {0}")]
    Units(u32),
}

/// `PR_DEFERRED_SEND_TIME` recomputed from `PR_DEFERRED_SEND_NUMBER` and
/// `PR_DEFERRED_SEND_UNITS`: the client's submit time plus number × unit (DEF-1).
///
/// # Errors
/// [`DeferredSendError`] for a number above 999 or an unknown unit.
pub fn deferred_send_time(submitted: Time, number: u32, units: u32) -> Result<Time, DeferredSendError> {
    if number > 999 {
        return Err(DeferredSendError::Number(number));
    }
    let units = SendUnits::from_value(units)?;
    Ok(Time(submitted.0.saturating_add(u64::from(number) * units.seconds())))
}

/// The seconds a transport that honours the deferred delivery time waits, at `now`, before it
/// sends: none once the time is past, which means "send now" (DEF-1).
#[must_use]
pub fn wait_until(delivery: Time, now: Time) -> u64 {
    delivery.0.saturating_sub(now.0)
}
