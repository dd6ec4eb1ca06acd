//! The bug zoo: deliberately wrong spooler variants, each a realistic mistake, for showing that
//! the model checker catches every one of them with the property it breaks.
//!
//! The zoo exists only with the `bug-zoo` cargo feature. A spooler gets a bug with
//! [`crate::Spooler::with_bug`] (the store's with [`crate::store::ReferenceStore::with_bug`]);
//! without one, the correct code runs unchanged.

use std::fmt;

macro_rules! bugs {
    ($($(#[$doc:meta])* $name:ident = $text:literal breaks $property:literal;)*) => {
        /// A deliberately wrong variant of the spooler.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Bug {
            $($(#[$doc])* $name,)*
        }

        impl Bug {
            /// Every bug in the zoo.
            pub const ALL: &'static [Bug] = &[$(Bug::$name,)*];

            /// Its name on the command line.
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Bug::$name => $text,)*
                }
            }

            /// The property the model checker reports for it.
            #[must_use]
            pub const fn breaks(self) -> &'static str {
                match self {
                    $(Bug::$name => $property,)*
                }
            }

            /// The bug with this command-line name.
            #[must_use]
            pub fn from_name(name: &str) -> Option<Bug> {
                Bug::ALL.iter().copied().find(|b| b.name() == name)
            }
        }
    };
}

bugs! {
    /// Hands a message to a transport without locking it first (SUB-20).
    SendBeforeLock = "send-before-lock" breaks "INV-14";
    /// Offers recipients whose `PR_RESPONSIBILITY` is already TRUE (SUB-21).
    OfferTakenRecipient = "offer-taken-recipient" breaks "INV-20";
    /// At the end of the session, forgets to unlock the messages it hands back (DEC-8).
    SkipUnlock = "skip-unlock" breaks "LIV-2";
    /// Calls `FinishedMsg` as soon as one recipient is settled (SUB-26).
    FinishBeforeSettled = "finish-before-settled" breaks "INV-23";
    /// The sent-mail processing inside `FinishedMsg` ignores `PR_DELETE_AFTER_SUBMIT` (HOOK-7,
    /// HOOK-8): a bug of `DoSentMail`, so it lives in the store model.
    IgnoreDeleteAfterSubmit = "ignore-delete-after-submit" breaks "INV-32";
    /// Keeps calling `SubmitMessage` after `NOTIFY_END_OUTBOUND` (LIFE-12).
    SubmitAfterEndOutbound = "submit-after-end-outbound" breaks "INV-8";
    /// Calls `Shutdown` before `TransportLogoff` (LIFE-16).
    ShutdownWithLiveLogon = "shutdown-with-live-logon" breaks "INV-3";
    /// Calls `EndMessage` after a failed `SubmitMessage` (ERR-2 to ERR-7).
    EndAfterFailedSubmit = "end-after-failed-submit" breaks "INV-17";
    /// After a restart, ignores queued messages that are already locked (DEC-12).
    ForgetLockedAcrossRestart = "forget-locked-across-restart" breaks "LIV-2";
    /// After a restart, offers every recipient again, ignoring the saved `PR_RESPONSIBILITY`
    /// (SUB-21).
    SendTwiceAfterRestart = "send-twice-after-restart" breaks "INV-20";
    /// Resubmits at once after `MAPI_E_WAIT` or `MAPI_E_NETWORK_ERROR` (ERR-4, ERR-5).
    IgnoreRetryDelay = "ignore-retry-delay" breaks "INV-29";
    /// Keeps calling a transport after its `NOTIFY_CRITICAL_ERROR` (LIFE-17).
    CallAfterCriticalError = "call-after-critical-error" breaks "INV-5";
    /// Announces with `NotifyNewMail` the message of a `StartMessage` that saved nothing, as
    /// if every successful return meant a delivery (RCV-6, AMB-14).
    NotifyUnsaved = "notify-unsaved" breaks "INV-36";
    /// Takes `NOTIFY_NEWMAIL` to mean one message, and stops after fetching it (RCV-1, RCV-6).
    OneMessagePerNotification = "one-message-per-notification" breaks "LIV-4";
    /// Drops the user's cancel of a message it has locked, as if only `AbortSubmit` could
    /// cancel a message, and goes on offering it (DEF-5, DEF-7).
    IgnoreCancel = "ignore-cancel" breaks "INV-39";
    /// Takes `MAPI_E_USER_CANCEL` for an ordinary failure: the cancel counts as used up, and the
    /// message is offered again after the retry delay (ERR-12, DEF-8).
    RetryUserCancel = "retry-user-cancel" breaks "INV-39";
    /// Reads a message handed over with `CompleteMsg` afresh and routes its recipients, as if
    /// it had come through the outgoing queue (TC-3, TC-5).
    RouteCompletedMessage = "route-completed-message" breaks "INV-34";
    /// Announces with `NotifyNewMail` an inbound message that a hook deleted with `HOOK_DELETE`
    /// (HOOK-13, RCV-11).
    NotifyHookDeleted = "notify-hook-deleted" breaks "INV-36";
    /// Ends the inbound half of a flush without `NOTIFY_END_INBOUND_FLUSH`, so the transport
    /// stays in flush mode (STAT-20).
    FlushWithoutEnd = "flush-without-end" breaks "LIV-5";
    /// On a plain `EndMessage`, settles every recipient it offered as sent by the transport,
    /// the ones `SubmitMessage` left FALSE too, as if `S_OK` meant "taken" for the whole offer
    /// (SUB-28, SUB-34, DEC-11): no monitor property sees it, the reference model does.
    SettleUntakenOnEnd = "settle-untaken-on-end" breaks "refines the reference model";
    /// Takes `MAPI_E_NOT_ME` as a verdict on the recipients rather than on the transport that
    /// returned it: every transport of the session counts as having declined them, so they get
    /// a non-delivery report instead of falling through to the next transport that registered
    /// their address type (ERR-3, ORD-4).
    NotMeDeclinesAll = "not-me-declines-all" breaks "refines the reference model";
    /// Ignores a transport's `SpoolerNotify(NOTIFY_CONFIG_CHANGE)`, as if only a client's
    /// `ValidateState(CONFIG_CHANGED)` could change address types, and goes on routing by the
    /// old registrations (ORD-9).
    IgnoreConfigChange = "ignore-config-change" breaks "ORD-9";
    /// Runs an inbound half after the outbound half of every flush, as if an upload always came
    /// with a download, also when `FlushQueues` asked for `FLUSH_UPLOAD` alone (STAT-20).
    FlushBothHalves = "flush-both-halves" breaks "STAT-20";
    /// At the end of the session, winds up a message still being preprocessed like a routed
    /// one: its preprocessing is cleaned up and it is finished, though no transport saw it,
    /// instead of being handed back unlocked for the next session (SUB-12, HOOK-4, DEC-8).
    FinishPreprocessingAtEnd = "finish-preprocessing-at-end" breaks "INV-23";
}

impl fmt::Display for Bug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
