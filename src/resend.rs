//! Resending a message after a non-delivery report (DEF-12), and what `PrepareSubmit` makes of
//! the recipients of such a resend (SUB-7, AMB-3, AMB-4).
//!
//! The spooler takes no special step for a resend: the store calls `IMAPISupport::PrepareSubmit`
//! inside the client's `IMessage::SubmitMessage`, and the rewritten `PR_RESPONSIBILITY` decides
//! what the spooler offers. Recipients that already got the message read TRUE and are never
//! offered (SUB-21); the `MAPI_P1` copies of the failed ones read FALSE and are sent again.

use crate::recipients::{RecipientRow, RecipientSet};

/// One recipient of a resend as the client builds it (DEF-12): a row of the original, marked
/// `MAPI_SUBMITTED`, or a `MAPI_P1` copy of a recipient the original failed to reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResendRecipient {
    /// The row: address type and entry-identifier UID of the original recipient.
    pub row: RecipientRow,
    /// `MAPI_SUBMITTED` (0x80000000) in `PR_RECIPIENT_TYPE`: it got the message already.
    pub submitted: bool,
    /// `MAPI_P1` (0x10000000) in `PR_RECIPIENT_TYPE`: a copy that forces retransmission.
    pub p1: bool,
}

/// What the client of `resending-an-undelivered-message.md` puts in the resend (DEF-12): every
/// recipient of the original, marked `MAPI_SUBMITTED`, then a `MAPI_P1` copy of each recipient
/// an NDR listed, in the original's order. `original` are the original's recipient rows;
/// `failed` the rows its non-delivery reports named, whoever asked for them (DEF-10): the
/// spooler (no transport, SUB-25), a preprocessor (HOOK-2), or the transport that tried and
/// failed (`StatusRecips`, SUB-30).
#[must_use]
pub fn resend_recipients(original: &[RecipientRow], failed: &RecipientSet) -> Vec<ResendRecipient> {
    let fresh = |row: RecipientRow| RecipientRow { responsibility: false, ..row };
    let marked = original.iter().map(|row| ResendRecipient { row: fresh(*row), submitted: true, p1: false });
    let copies =
        failed.iter().filter_map(|r| original.get(r.index())).map(|row| ResendRecipient { row: fresh(*row), submitted: false, p1: true });
    marked.chain(copies).collect()
}

/// `IMAPISupport::PrepareSubmit` on a message with `MSGFLAG_RESEND` (SUB-7), as AMB-4 reads the
/// pages: a `MAPI_SUBMITTED` recipient has the flag cleared and `PR_RESPONSIBILITY` TRUE (shown,
/// never sent again); a `MAPI_P1` recipient, and any other, FALSE (sent). A store calls it only
/// for resends (AMB-3), so a message without `MSGFLAG_RESEND` keeps its rows as they are.
///
/// # Errors
/// `MAPI_E_INVALID_PARAMETER` (the error the store returns to the client, SUB-7) for a recipient
/// marked both `MAPI_SUBMITTED` and `MAPI_P1`: it cannot both have the message and need it
/// again.
pub fn prepare_submit(recipients: &[ResendRecipient]) -> Result<Vec<RecipientRow>, crate::Hresult> {
    recipients
        .iter()
        .map(|r| match (r.submitted, r.p1) {
            (true, true) => Err(crate::Hresult::MAPI_E_INVALID_PARAMETER),
            (submitted, _) => Ok(RecipientRow { responsibility: submitted, ..r.row }),
        })
        .collect()
}
