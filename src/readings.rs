//! Every reading of every ambiguity of the documentation, as data (issue 15, `spec/readings.md`).
//!
//! The digest lists 41 places (AMB-1 to AMB-41, section 12) where pages of the MAPI
//! documentation contradict each other or say too little. [`readings!`] declares each once,
//! in the style of quinn's `errors!`: the ambiguity's ID and title, and its readings as named
//! variants, each with the side it is on, its status and a one-line description with its
//! source. The first reading of each question is today's decision. Two ambiguities hold more
//! than one question (AMB-15 and AMB-27), each with its own default; four questions found
//! beyond the 41 are `EXT-1` to `EXT-4`.
//!
//! A [`Readings`] value holds one reading per question (the default: today's decisions). It is
//! carried in [`crate::Settings::readings`]; the spooler, the world's allowed answers and the
//! monitor consult it where a reading is on their side. A reading is documented behaviour,
//! not a bug: it is never in the bug zoo.

use std::fmt;

/// Whose behaviour a reading changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The spooler's calls: a setting of the spooler.
    Spooler,
    /// What a transport provider may do or answer.
    Provider,
    /// What a message store may do or answer.
    Store,
    /// What a client may do.
    Client,
    /// Only the judgement: which properties are checked, in which form.
    Monitor,
    /// Every party (names and flags read alike by all).
    All,
}

impl Side {
    /// Its name in the report.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Side::Spooler => "spooler",
            Side::Provider => "provider",
            Side::Store => "store",
            Side::Client => "client",
            Side::Monitor => "monitor",
            Side::All => "all",
        }
    }
}

/// Where a reading stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Today's decision: what the reference does.
    Default,
    /// Another reading that the reference can follow: choosing it in [`Readings`] changes what
    /// the spooler, the world or the monitor does.
    Executable,
    /// Another reading with a behavioural effect that no code follows yet.
    NotYet,
    /// Another reading with no behavioural effect, and why: it is read alike by the reference
    /// (a test shows it, `tests/readings.rs`).
    NoEffect(&'static str),
}

impl Status {
    /// Its name in the report.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Status::Default => "default",
            Status::Executable => "executable",
            Status::NotYet => "not executable yet",
            Status::NoEffect(_) => "no effect",
        }
    }
}

/// One reading of one question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    /// Its name (kebab-case, unique over every question).
    pub name: &'static str,
    /// Whose behaviour it changes.
    pub sides: &'static [Side],
    /// Today's decision, executable, not yet, or without effect.
    pub status: Status,
    /// What it says, in one line.
    pub description: &'static str,
    /// Where it comes from: the page, the digest, a decision row.
    pub source: &'static str,
}

/// One question of an ambiguity, with its readings, today's decision first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Question {
    /// The ambiguity's ID (`AMB-14`; `EXT-n` for those beyond the 41).
    pub id: &'static str,
    /// What is ambiguous.
    pub title: &'static str,
    /// The field of [`Readings`] that holds its choice.
    pub field: &'static str,
    /// Its readings, today's decision first.
    pub readings: &'static [Reading],
}

impl Question {
    /// Today's decision.
    #[must_use]
    pub fn default_reading(&self) -> &'static Reading {
        &self.readings[0]
    }
}

/// The status of a reading, from its declaration.
macro_rules! status {
    (default) => {
        Status::Default
    };
    (executable) => {
        Status::Executable
    };
    (pending) => {
        Status::NotYet
    };
    (no_effect($why:literal)) => {
        Status::NoEffect($why)
    };
}

/// Declares every question once: an enum per question (its readings, the first the
/// default), the [`Readings`] struct with one field per question, and [`QUESTIONS`], from
/// which the report, the parsing and the `readings` command are derived.
macro_rules! readings {
    ($(
        $(#[$doc:meta])*
        $ty:ident $field:ident = $id:literal $title:literal {
            $first:ident = $first_name:literal [$($first_side:ident)+] default $first_desc:literal from $first_source:literal;
            $($variant:ident = $name:literal [$($side:ident)+] $status:ident $(($why:literal))? $desc:literal from $source:literal;)*
        }
    )+) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
            pub enum $ty {
                #[doc = $first_desc]
                #[default]
                $first,
                $(#[doc = $desc] $variant,)*
            }

            impl $ty {
                /// Every reading, today's decision first.
                pub const ALL: &'static [$ty] = &[$ty::$first, $($ty::$variant,)*];
            }
        )+

        /// One reading per question: what the reference follows. The default is today's
        /// decisions.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct Readings {
            $($(#[$doc])* pub $field: $ty,)+
        }

        /// Every question, in the digest's order, with its readings.
        pub static QUESTIONS: &[Question] = &[$(
            Question {
                id: $id,
                title: $title,
                field: stringify!($field),
                readings: &[
                    Reading { name: $first_name, sides: &[$(Side::$first_side),+], status: Status::Default, description: $first_desc, source: $first_source },
                    $(Reading { name: $name, sides: &[$(Side::$side),+], status: status!($status $(($why))?), description: $desc, source: $source },)*
                ],
            },
        )+];

        impl Readings {
            /// The index, in its question's readings, of the reading chosen for each question.
            #[must_use]
            pub fn indices(&self) -> Vec<usize> {
                vec![$(self.$field as usize,)+]
            }

            /// Chooses reading `reading` of question `question` (indices into [`QUESTIONS`]);
            /// false when either is out of range.
            pub fn choose(&mut self, question: usize, reading: usize) -> bool {
                let mut i = 0;
                $(
                    if i == question {
                        return match $ty::ALL.get(reading) {
                            Some(r) => {
                                self.$field = *r;
                                true
                            }
                            None => false,
                        };
                    }
                    i += 1;
                )+
                let _ = i;
                false
            }
        }
    };
}

readings! {
/// AMB-1: Where the support object comes from.
Amb1 amb1 = "AMB-1" "Where the support object comes from" {
    SupportPerLogon = "support-per-logon" [Provider] default "The support object arrives with `TransportLogon`; support calls are valid from then until the logon ends" from "`xpproviderinit.md`, `ixpprovider-transportlogon.md`";
    SupportFromInit = "support-from-init" [Provider] pending "A support object exists from `XPProviderInit` on" from "operational model";
}
/// AMB-2: One provider object or several.
Amb2 amb2 = "AMB-2" "One provider object or several" {
    ObjectPerEntryOneLogon = "object-per-entry-one-logon" [Spooler] default "One `XPProviderInit` per profile entry, one logon per provider object" from "LIFE-3 and AMB-2 rows, deviation";
    ObjectPerInit = "object-per-init" [Spooler] no_effect("in a model of one MAPI session: each entry is initialised once either way, so the calls are the same") "Every initialization makes a new object" from "`xpproviderinit.md`";
    ObjectPerEntryManyLogons = "object-per-entry-many-logons" [Spooler] pending "One object per (session, entry) holding N logons; `Shutdown` when the count drops to zero" from "digest";
    SharedObjectPerSession = "shared-object-per-session" [Spooler] pending "A provider listed twice in one session: one `XPProviderInit`, two `TransportLogon`s on that object" from "`initializing-the-transport-provider.md`";
}
/// AMB-3: When PrepareSubmit is called.
Amb3 amb3 = "AMB-3" "When PrepareSubmit is called" {
    ResendOnly = "resend-only" [Store] default "Only for `MSGFLAG_RESEND`" from "store-tasks page, `imessage-submitmessage.md`, digest";
    AlwaysNoopWithoutResend = "always-noop-without-resend" [Store] no_effect("for the spooler's calls, `PrepareSubmit` runs between the store and MAPI and leaves an ordinary message as it is") "Always called; it rewrites only a message with `MSGFLAG_RESEND`" from "the by-using page with the PrepareSubmit page's remark";
    AlwaysRewrites = "always-rewrites" [Store] pending "Always called, and its rewrite (every recipient without `MAPI_SUBMITTED` becomes `MAPI_P1` with `PR_RESPONSIBILITY` TRUE) applies to every message" from "by-using page with the PrepareSubmit page, literally";
}
/// AMB-4: What PrepareSubmit writes for resend recipients.
Amb4 amb4 = "AMB-4" "What PrepareSubmit writes for resend recipients" {
    SubmittedTrueP1False = "submitted-true-p1-false" [Store] default "`MAPI_SUBMITTED`: cleared, TRUE (shown, not sent); `MAPI_P1` and any other: FALSE" from "digest's consistent reading";
    PreparesubmitPage = "preparesubmit-page" [Store] pending "`MAPI_SUBMITTED`: cleared, FALSE; any other: `MAPI_P1`, TRUE" from "`imapisupport-preparesubmit.md`";
    StoreTasksPage = "store-tasks-page" [Store] pending "Both branches TRUE" from "`sending-messages-message-store-provider-tasks.md`";
    SubmittedMarksFailed = "submitted-marks-failed" [Client Store] pending "The client follows the store-tasks page's meaning (`MAPI_SUBMITTED` on the failed recipients only) and `PrepareSubmit` follows its own page" from "";
}
/// AMB-5: Who sets SUBMITFLAG_LOCKED.
Amb5 amb5 = "AMB-5" "Who sets SUBMITFLAG_LOCKED" {
    SetInSetlockstate = "set-in-setlockstate" [Store] default "The store sets the bit in `SetLockState(MSG_LOCKED)` and clears it at `MSG_UNLOCKED` and in `FinishedMsg`" from "property page, digest";
    SetAtQueue = "set-at-queue" [Store] pending "The store sets it when it queues the message for the spooler" from "store pages, literally";
}
/// AMB-6: How FinishedMsg and DoSentMail share the work.
Amb6 amb6 = "AMB-6" "How FinishedMsg and DoSentMail share the work" {
    AtomicFinishedmsg = "atomic-finishedmsg" [Store] default "One `FinishedMsg` step: unlock, the outbound hook, then the placement table; exactly one placement" from "digest";
    FinishedmsgPlacesFirst = "finishedmsg-places-first" [Store] pending "The store places the message, then `DoSentMail` runs the hooks on the placed message" from "`imsgstore-finishedmsg.md`";
    DosentmailPlaces = "dosentmail-places" [Store] pending "`FinishedMsg` only unlocks; `DoSentMail` decides, runs the hooks and places" from "`imapisupport-dosentmail.md`";
    HookThenCopyThenDelete = "hook-then-copy-then-delete" [Store] pending "Unlock, hooks, copy unless superseded, delete if asked" from "spooler-tasks page";
}
/// AMB-7: Both sent-mail properties set.
Amb7 amb7 = "AMB-7" "Both sent-mail properties set" {
    BothAllowedDeleteWins = "both-allowed-delete-wins" [Client Store] default "Both may be set; the message ends deleted" from "the FinishedMsg table, digest";
    BothMoveThenDelete = "both-move-then-delete" [Store] no_effect("the end state is the same (deleted), and the spooler makes the same single `FinishedMsg` call") "Both set: moved to the folder, then deleted" from "the table read step by step";
    AtMostOne = "at-most-one" [Client] pending "Setting both is the client's mistake (the property pages): a store may refuse the submission, and a checker blames the client" from "";
}
/// AMB-8: Copy or move to the sent folder.
Amb8 amb8 = "AMB-8" "Copy or move to the sent folder" {
    Move = "move" [Store] default "The message leaves the Outbox" from "`imsgstore-finishedmsg.md`, digest";
    Copy = "copy" [Store] pending "A copy goes to the folder; the original stays where it was sent from" from "spooler-tasks and TC pages";
}
/// AMB-9: How hooks work.
Amb9 amb9 = "AMB-9" "How hooks work" {
    DigestHooks = "digest-hooks" [Spooler] default "Outbound hook inside sent-mail processing (keep, `HOOK_DELETE`, `HOOK_CANCEL`); inbound hooks between the commit and `NotifyNewMail`, in profile order" from "digest, DEC-42";
    NoHooks = "no-hooks" [Spooler] pending "The pages define no hook interface, so a spooler calls none" from "";
    OutboundHookBeforeSend = "outbound-hook-before-send" [Spooler] pending "`OutboundMsgHook` filters an outgoing message before it goes to a transport (hooks filter outbound messages), not in `DoSentMail`" from "";
}
/// AMB-10: Wrong names in the pages.
Amb10 amb10 = "AMB-10" "Wrong names in the pages" {
    HeaderNames = "header-names" [All] default "The header's names; the exclusion is between BEGIN and END of one direction; `LOGON_SP_TRANSPORT` is not a transport flag" from "digest";
    PageSpellings = "page-spellings" [All] no_effect("each misspelling stands for the same bit (the pages give no values; only the header does)") "The names as the pages spell them" from "";
    EndInboundExcludesBeginOutbound = "end-inbound-excludes-begin-outbound" [Spooler Monitor] pending "`NOTIFY_END_INBOUND` and `NOTIFY_BEGIN_OUTBOUND` may not share a call" from "the typo, literally";
    SpTransportIsLogonFlag = "sp-transport-is-logon-flag" [Provider] pending "0x1 in `TransportLogon`'s output flags is `LOGON_SP_TRANSPORT`, a capability without effect" from "";
}
/// AMB-11: STATUS_ONLINE.
Amb11 amb11 = "AMB-11" "STATUS_ONLINE" {
    OnlineIsAvailableNotOffline = "online-is-available-not-offline" [Provider] default "Online means `STATUS_AVAILABLE` set and `STATUS_OFFLINE` clear" from "digest, `StatusCode::is_online`";
    OnlineIsNotOffline = "online-is-not-offline" [Provider] no_effect("nothing in the spooler reads \"online\" (`StatusCode::is_online` has no caller in `src/`); the bit only shows the user the transport's state") "Online means only `STATUS_OFFLINE` clear" from "";
    OnlineStepSkipped = "online-step-skipped" [Provider] no_effect("for the same reason and by the same test") "The step names no bit, so the transport skips it" from "";
}
/// AMB-12: Upload and download.
Amb12 amb12 = "AMB-12" "Upload and download" {
    UploadIsOutbound = "upload-is-outbound" [Client Spooler Provider] default "`FLUSH_UPLOAD` = outbound with `STATUS_OUTBOUND_FLUSH`; `FLUSH_DOWNLOAD` = inbound with `STATUS_INBOUND_FLUSH`" from "parameter definitions, digest";
    UploadSetsInboundBits = "upload-sets-inbound-bits" [Provider] pending "A transport's status object answers `FLUSH_UPLOAD` by setting the inbound ENABLED and ACTIVE bits, `FLUSH_DOWNLOAD` the outbound ones" from "notes to implementers";
    DownloadIsOutgoing = "download-is-outgoing" [Client Spooler] pending "`FLUSH_DOWNLOAD` flushes the outgoing queue, `FLUSH_UPLOAD` the incoming" from "on-demand page, flush page's wording";
}
/// AMB-13: The circular flush trigger.
Amb13 amb13 = "AMB-13" "The circular flush trigger" {
    TwoPhaseWithBegin = "two-phase-with-begin" [Spooler] default "A trigger (a client's flush on the spooler object, or the transport setting bits) makes a flush due; then `FlushQueues`, `BEGIN`/`END_OUTBOUND_FLUSH` around sending, `BEGIN`/`END_INBOUND_FLUSH` around fetching; the transport clears its bits; clearing both bits cancels a flush only before `FlushQueues`" from "digest, DEC-32";
    FourteenSteps = "fourteen-steps" [Spooler Provider] executable "No `BEGIN` flush notifications: each half begins without one (executable: the spooler's half, and the monitor's STAT-20 accepts it; the halves still follow `FlushQueues`'s flags, not the row's bits)" from "the flush page";
    BothBitsRequired = "both-bits-required" [Spooler] pending "The spooler calls `FlushQueues` only while both flush bits are set (the flush page's performance note), also for its own status object's flush" from "";
    ClearingBitsAborts = "clearing-bits-aborts" [Spooler Provider] pending "A transport that clears both bits ends its flush at any point; the spooler stops the flush" from "the flush page";
}
/// AMB-14: How the inbound loop ends.
Amb14 amb14 = "AMB-14" "How the inbound loop ends" {
    NoSaveEndsLoop = "no-save-ends-loop" [Provider Spooler] default "A save means one message delivered; no save means nothing is left and ends the loop; more mail later comes by `NOTIFY_NEWMAIL` or `Poll`" from "`ixplogon-startmessage.md`, digest";
    SaveEndsLoop = "save-ends-loop" [Provider Spooler] pending "The transport saves the message when it has nothing; the spooler fetches until a save" from "flush page";
    NewmailPerMessage = "newmail-per-message" [Provider Spooler] executable "Each `StartMessage` delivers one message; a transport with more signals `NOTIFY_NEWMAIL` again, and the spooler fetches once per signal" from "flush page, step 11";
    TransportCallsPoll = "transport-calls-poll" [Provider] no_effect("a call a transport makes to its own method never reaches the spooler") "After a `StartMessage` error the transport calls its own `Poll`" from "`ixplogon-startmessage.md`";
}
/// AMB-15: The wording of NOTIFY_CANCEL_MESSAGE: who cancels.
Amb15 amb15 = "AMB-15" "The wording of NOTIFY_CANCEL_MESSAGE: who cancels" {
    TransportCancels = "transport-cancels" [Provider] default "The transport stops; `lppvData` carries the reference to it; references are opaque" from "digest";
    SpoolerCancelsLiterally = "spooler-cancels-literally" [Provider] no_effect("the notification carries the same flag and reference either way, the spooler reads nothing back from `lppvData`, and references are opaque") "The spooler itself cancels, `lppvData` is written back, the reference is 32 bits" from "the page literally";
}
/// AMB-15: The wording of NOTIFY_CANCEL_MESSAGE: the cancelled call's answer.
Amb15Answer amb15_answer = "AMB-15" "The wording of NOTIFY_CANCEL_MESSAGE: the cancelled call's answer" {
    CancelAnswersAny = "cancel-answers-any" [Provider] default "The cancelled call may answer `MAPI_E_USER_CANCEL`, `MAPI_E_CANCEL`, or finish normally" from "DEC-28; MRXP finishes, Kopano answers `MAPI_E_CANCEL`";
    CancelAnswersUserCancel = "cancel-answers-user-cancel" [Provider] pending "Only `MAPI_E_USER_CANCEL` (or a normal finish), the code the yield page gives" from "";
}
/// AMB-16: Clearing STATUS_INBOUND_FLUSH.
Amb16 amb16 = "AMB-16" "Clearing STATUS_INBOUND_FLUSH" {
    ModifystatusrowClears = "modifystatusrow-clears" [Provider] default "The transport clears the bit with `ModifyStatusRow`" from "every other status page, digest";
    SpoolernotifyClears = "spoolernotify-clears" [Provider] pending "The transport tells the spooler with `SpoolerNotify` (the page literally); since no `SpoolerNotify` flag clears a bit, its row keeps the bit" from "";
}
/// AMB-17: The message between END_DONT_RESEND and NOTIFY_SENTDEFERRED.
Amb17 amb17 = "AMB-17" "The message between END_DONT_RESEND and NOTIFY_SENTDEFERRED" {
    DeferredStaysLocked = "deferred-stays-locked" [Spooler] default "Queued and locked; a user's cancel goes through the spooler (`NOTIFY_ABORT_DEFERRED|NOTIFY_CANCEL_MESSAGE`, unlock, `AbortSubmit`); `FinishedMsg` only after a later exchange ends with flags 0; logoff keeps it queued" from "digest, DEC-27, DEC-8";
    FinishedAtDontResend = "finished-at-dont-resend" [Spooler] pending "`END_DONT_RESEND` is a hand-off: the spooler calls `FinishedMsg`, and `BEGIN_DEFERRED` later reopens the message by its unchanged entry identifier" from "";
    DeferredUnlocked = "deferred-unlocked" [Spooler] pending "The spooler unlocks the message so the client can still cancel it with `AbortSubmit` (the garbled text), and locks it again at `NOTIFY_SENTDEFERRED`" from "";
}
/// AMB-18: END_RESEND_NOW and END_RESEND_LATER.
Amb18 amb18 = "AMB-18" "END_RESEND_NOW and END_RESEND_LATER" {
    ResendFixedDelay = "resend-fixed-delay" [Spooler] default "The attempt is undone, declines included; `END_RESEND_NOW` offers the same recipients again at once, `END_RESEND_LATER` after `Settings::resend_later_secs` (60 s)" from "DEC-11, DEC-16";
    ResendLaterAnyDelay = "resend-later-any-delay" [Spooler] executable "`END_RESEND_LATER` after any positive delay (executable as `Settings::resend_later_secs`, checked at every order against the world's other delays)" from "digest: a nondeterministic delay";
    ResendKeepsTaken = "resend-keeps-taken" [Spooler] pending "Recipients the transport set TRUE in the attempt stay taken; only the rest goes again" from "";
    ResendNowThroughStore = "resend-now-through-store" [Spooler] pending "`END_RESEND_NOW` restarts the message through the store's `IMessage::SubmitMessage`, as the page names it" from "";
}
/// AMB-19: What happens after MAPI_E_CANCEL.
Amb19 amb19 = "AMB-19" "What happens after MAPI_E_CANCEL" {
    EndsDeferralKeepsTaken = "ends-deferral-keeps-taken" [Spooler] default "The deferral cycle ends; the recipients the transport had accepted stay its own; the message ends once the others are done; no `EndMessage`" from "digest, DEC-3";
    CancelReturnsRecipients = "cancel-returns-recipients" [Spooler] pending "The message should not be resent by this transport: its deferred recipients go back to the scan, to the next transport or an NDR" from "";
    CancelIsRetryLater = "cancel-is-retry-later" [Provider Spooler] pending "`MAPI_E_CANCEL` with a delay in `lpulReturnParm` keeps the message for a later retry, also without a deferral" from "Kopano's use";
}
/// AMB-20: Concurrency.
Amb20 amb20 = "AMB-20" "Concurrency" {
    OneCallAtATime = "one-call-at-a-time" [Spooler] default "One synchronous call in flight; the cancel and the status calls are asynchronous inputs; one outbound message per logon; inbound fetches one at a time" from "digest";
    CallPerTransport = "call-per-transport" [Spooler] pending "One synchronous call in flight per transport; different transports are called at once" from "";
    ConcurrentInbound = "concurrent-inbound" [Spooler] pending "Several `StartMessage` calls in flight, told apart by their references" from "";
}
/// AMB-21: Changes lost after an error.
Amb21 amb21 = "AMB-21" "Changes lost after an error" {
    RevertUnlessSaved = "revert-unless-saved" [Provider] default "On an error, what the transport did not save is lost; what it saved stands; `MAPI_E_BUSY` and `MAPI_E_NOT_ME` come with nothing saved" from "digest, SUB-33";
    BusyNotMeMaySave = "busy-not-me-may-save" [Provider] pending "\"Should\" is advice: a transport may save changes and still answer `MAPI_E_BUSY` or `MAPI_E_NOT_ME`" from "";
}
/// AMB-22: When the spooler's own NDRs are raised.
Amb22 amb22 = "AMB-22" "When the spooler's own NDRs are raised" {
    NdrAtExhaustion = "ndr-at-exhaustion" [Spooler] default "As soon as the scan has no transport left for the recipient, before `FinishedMsg`" from "digest";
    NdrBeforeFinish = "ndr-before-finish" [Spooler] pending "Every spooler NDR of a message together, once nothing else of it is open" from "";
}
/// AMB-23: LOGON_SP_RESOLVE.
Amb23 amb23 = "AMB-23" "LOGON_SP_RESOLVE" {
    ResolveNoEffect = "resolve-no-effect" [Spooler] default "A recorded capability without protocol effect" from "digest";
    ResolveBeforeHandOff = "resolve-before-hand-off" [Spooler] no_effect("resolving addresses is MAPI's work on recipient rows, makes no call the model has, and changes no disposition") "A resolution step before the hand-off that changes no disposition" from "digest's alternative";
}
/// AMB-24: TransportLogoff flags.
Amb24 amb24 = "AMB-24" "TransportLogoff flags" {
    LogoffFlagsZero = "logoff-flags-zero" [Spooler] default "Always 0" from "`ixplogon-transportlogoff.md`";
    LogoffNormalOrHurry = "logoff-normal-or-hurry" [Spooler Provider] pending "`LOGOFF_NORMAL` or `LOGOFF_HURRY`; with hurry, messages in flight at the transport are abandoned and never committed" from "digest, header, releasing page";
}
/// AMB-25: Who calls XPProviderInit, and when.
Amb25 amb25 = "AMB-25" "Who calls XPProviderInit, and when" {
    SpoolerLoadsTableAfterStartUp = "spooler-loads-table-after-start-up" [Client] default "The spooler initialises the transports after the client's logon; the status table is readable once every transport's start-up was attempted" from "digest, DEC-34";
    MapiLoads = "mapi-loads" [Spooler] no_effect("the same call reaches the transport whoever makes it, and the trace names no caller for `XPProviderInit`") "MAPI, not the spooler, calls `XPProviderInit`" from "";
    TablePerTransport = "table-per-transport" [Client] pending "A transport's status row is readable as soon as its own logon created it" from "";
}
/// AMB-26: ValidateState on the spooler's status object.
Amb26 amb26 = "AMB-26" "ValidateState on the spooler's status object" {
    ForwardRequeryEveryActive = "forward-requery-every-active" [Spooler] default "Forward to every active logon in transport order; with `CONFIG_CHANGED`, `AddressTypes` again for every active transport, whatever it answered" from "both pages";
    ForwardRequeryOnSuccess = "forward-requery-on-success" [Spooler] executable "Forward to every active logon in transport order; with `CONFIG_CHANGED`, `AddressTypes` again only for each logon that answered `S_OK`" from "the digest's DEC-31; the reference's answer before ORD-9 was fixed";
    RelogonAll = "relogon-all" [Spooler] pending "A new logon of every transport, logged on or not" from "the table of `imapistatus-validatestate.md`";
    ReviveCritical = "revive-critical" [Spooler] pending "`CONFIG_CHANGED` lets a transport that raised a critical error be logged off and on again" from "";
}
/// AMB-27: Store logoff: LOGOFF_ABORT.
Amb27Abort amb27_abort = "AMB-27" "Store logoff: LOGOFF_ABORT" {
    AbortIsQuiet = "abort-is-quiet" [Spooler] default "`LOGOFF_ABORT` answers the busy flags and changes nothing while work is under way" from "digest, DEC-44";
    AbortStopsActivity = "abort-stops-activity" [Spooler] pending "`LOGOFF_ABORT` stops the store's transfers (cancels, hands back locked messages), then logs off" from "";
}
/// AMB-27: Store logoff: LOGOFF_PURGE.
Amb27Purge amb27_purge = "AMB-27" "Store logoff: LOGOFF_PURGE" {
    PurgeAsNoWait = "purge-as-no-wait" [Spooler] default "`LOGOFF_PURGE` is answered like `LOGOFF_NO_WAIT`; the store calls again" from "DEC-44";
    PurgeFlushes = "purge-flushes" [Spooler] pending "`LOGOFF_PURGE` flushes the transports' queues and answers once done" from "`imsgstore-storelogoff.md`";
}
/// AMB-27: Store logoff: when the store calls.
Amb27Caller amb27_caller = "AMB-27" "Store logoff: when the store calls" {
    CalledAtRefcountZero = "called-at-refcount-zero" [Store] default "The store calls once its reference count reaches zero, again after a busy answer until `LOGOFF_COMPLETE`" from "AMB-27 row";
    CalledFirstInStorelogoff = "called-first-in-storelogoff" [Store] pending "The store calls at the start of `StoreLogoff`" from "shutting-down page";
    CalledExactlyOnce = "called-exactly-once" [Store] pending "One call per shutdown (shutting-down page); a second call is the store's mistake" from "";
}
/// AMB-28: MsgServiceTransportOrder oddities.
Amb28 amb28 = "AMB-28" "MsgServiceTransportOrder oddities" {
    DocumentedCodes = "documented-codes" [Client] default "Keep the codes as documented" from "digest";
    BusyIsTransient = "busy-is-transient" [Client] no_effect("for the spooler, a list of the wrong length is refused with `CallerError::TransportOrderCount` (`MAPI_E_BUSY`) under both; only what the client does next differs, which the spooler does not see") "`MAPI_E_BUSY` read as \"try again later\"" from "";
}
/// AMB-29: Report-request properties.
Amb29 amb29 = "AMB-29" "Report-request properties" {
    IndependentBooleans = "independent-booleans" [Client Spooler] default "Two originator booleans; DR default FALSE, NDR default TRUE" from "digest, `ReportRequests`";
    ExclusiveRequests = "exclusive-requests" [Client Spooler] pending "Asking for a DR turns NDRs off and the other way round" from "each property page";
    PerRecipientRequests = "per-recipient-requests" [Client Spooler] pending "The requests are made per recipient" from "the property pages' wording, `mapi-report-messages.md`";
}
/// AMB-30: Idle frequency.
Amb30 amb30 = "AMB-30" "Idle frequency" {
    TrueIdleOnly = "true-idle-only" [Spooler] default "`Idle` only when the host reports idle time (`Input::SystemIdle`), a fair but unbounded step" from "digest";
    PeriodicIdle = "periodic-idle" [Spooler] pending "`Idle` also on a timer, when time passes" from "";
}
/// AMB-31: When the status row must exist.
Amb31 amb31 = "AMB-31" "When the status row must exist" {
    RowBeforeFirstBegin = "row-before-first-begin" [Provider] default "Any time from `TransportLogon` until the first `TransportNotify(BEGIN)` returns" from "digest";
    RowAfterAddresstypes = "row-after-addresstypes" [Provider] pending "Only after `AddressTypes`" from "the operational model's order";
    RowDuringLogon = "row-during-logon" [Provider] pending "Inside `TransportLogon`" from "`status-object-implementation.md`";
}
/// AMB-32: UID matches against address-type matches.
Amb32 amb32 = "AMB-32" "UID matches against address-type matches" {
    UidsFirst = "uids-first" [Spooler] default "The page literally" from "ORD-4";
    PurePriority = "pure-priority" [Spooler] executable "The first transport in priority order that matches by either UID or address type" from "";
}
/// AMB-33: ExpandRecips duplicates.
Amb33 amb33 = "AMB-33" "ExpandRecips duplicates" {
    DuplicatesMarked = "duplicates-marked" [Store] default "A marked duplicate reaches the spooler already TRUE and is never offered" from "AMB-33 row, out of scope";
    DuplicatesRemoved = "duplicates-removed" [Store] no_effect("a row that reads TRUE is never offered, saved or reported, so the spooler's calls are the same but for row numbers") "The duplicate row is gone from the table" from "";
}
/// AMB-34: NOTIFY_ABORT_DEFERRED alone, at spooler logoff.
Amb34 amb34 = "AMB-34" "NOTIFY_ABORT_DEFERRED alone, at spooler logoff" {
    DropCopyKeepQueued = "drop-copy-keep-queued" [Provider] default "The transport drops its deferred copy and never sends it; the message stays queued for the next session" from "digest";
    KeepCopy = "keep-copy" [Provider] pending "The transport keeps its copy and may still send it or announce it later" from "the flag's entry read as \"it is being deferred\"";
}
/// AMB-35: "Resets" MSGFLAG_UNSENT on cancel.
Amb35 amb35 = "AMB-35" "\"Resets\" MSGFLAG_UNSENT on cancel" {
    UnsentAgain = "unsent-again" [Store] default "A cancelled message is unsent and editable again: `MSGFLAG_SUBMIT` cleared, `MSGFLAG_UNSENT` set, not queued" from "digest";
    UnsentCleared = "unsent-cleared" [Store] no_effect("for the spooler and every property the model checks: the spooler never reads `PR_MESSAGE_FLAGS`, and INV-15, INV-31 and INV-39 look at the queue and the lock only") "\"Resets\" means clears `MSGFLAG_UNSENT`" from "";
}
/// AMB-36: The delay after MAPI_E_BUSY.
Amb36 amb36 = "AMB-36" "The delay after MAPI_E_BUSY" {
    BusyFixedDelay = "busy-fixed-delay" [Spooler] default "After `Settings::busy_retry_secs` (1 s)" from "DEC-16";
    BusyAnyDelay = "busy-any-delay" [Spooler] executable "After any positive delay (executable as `Settings::busy_retry_secs`, checked at every order against the world's other delays)" from "digest: nondeterministic";
}
/// AMB-37: Granularity of preprocessor selection.
Amb37 amb37 = "AMB-37" "Granularity of preprocessor selection" {
    SomeRecipientFirstChoice = "some-recipient-first-choice" [Spooler] default "The preprocessor runs if its filter matches an open recipient whose first choice is its transport, or its transport registers nothing and no earlier transport can take that recipient" from "digest, DEC-21";
    WholeMessage = "whole-message" [Spooler] pending "It runs only if its transport will carry the whole message" from "";
    FilterOnly = "filter-only" [Spooler] pending "The filter alone decides, whatever transport takes the recipient" from "";
}
/// AMB-38: NOTIFY_NEWMAIL while inbound is off.
Amb38 amb38 = "AMB-38" "NOTIFY_NEWMAIL while inbound is off" {
    Dropped = "dropped" [Spooler] default "The notification is dropped; the transport signals again, or is polled" from "digest";
    Remembered = "remembered" [Spooler] pending "It is remembered and acted on once inbound is enabled" from "";
}
/// AMB-39: The skip-ahead exception against FIFO.
Amb39 amb39 = "AMB-39" "The skip-ahead exception against FIFO" {
    PerTransportFifo = "per-transport-fifo" [Monitor] default "Only the order per transport is asserted" from "INV-28; digest";
    GlobalFifo = "global-fifo" [Monitor] executable "Messages are handed to transports in submission order, across transports" from "";
}
/// AMB-40: IXPLogon::RegisterOptions.
Amb40 amb40 = "AMB-40" "IXPLogon::RegisterOptions" {
    NeverCalled = "never-called" [Spooler] default "The spooler never calls it" from "digest";
    CalledAfterLogon = "called-after-logon" [Spooler] pending "The spooler asks each transport for its options after logon" from "";
}
/// AMB-41: Which transport calls may come from another thread.
Amb41 amb41 = "AMB-41" "Which transport calls may come from another thread" {
    AsyncInputsLinearized = "async-inputs-linearized" [Client] default "Both the cancel and the status calls are asynchronous inputs, linearized with the spooler's calls" from "digest";
    StatusWaitsForTheCall = "status-waits-for-the-call" [Client] pending "A client's status call is served only between two of the spooler's calls, never while one is in flight" from "";
}

/// EXT-1 (beyond the 41, `spec/readings.md`): does `NOTIFY_READYTOSEND` end a transport's retry delays?
ReadyToSend ready_to_send = "EXT-1" "Does NOTIFY_READYTOSEND from a transport end its retry delays?" {
    ReadytosendEndsDelays = "readytosend-ends-delays" [Spooler] default "The transport is ready again: every retry delay of its messages ends" from "`imapisupport-spoolernotify.md`, DEC-17";
    DelaysStand = "delays-stand" [Spooler] executable "The delays stand; the spooler offers again only when they end" from "`ixplogon-submitmessage.md`";
    EndsOwnDelaysOnly = "ends-own-delays-only" [Spooler] pending "It ends the delays the spooler chose, not those a transport asked for with `MAPI_E_WAIT`" from "both pages together";
}
/// EXT-2 (beyond the 41): is a message to be preprocessed locked before or after its preprocessors?
LockOrder lock_order = "EXT-2" "Is a message to be preprocessed locked before or after its preprocessors?" {
    LockThenPreprocess = "lock-then-preprocess" [Spooler] default "Lock, then preprocess" from "the store-task pages, SUB-12, HOOK-3";
    PreprocessThenLock = "preprocess-then-lock" [Spooler] pending "Preprocess, then lock the message if it is not locked" from "`sending-messages-mapi-spooler-tasks.md`";
}
/// EXT-3 (beyond the 41): does a flush cut retry delays short?
FlushForce flush_force = "EXT-3" "Does a flush (with FLUSH_FORCE) cut retry delays short?" {
    FlushRespectsDelays = "flush-respects-delays" [Spooler] default "A flush sends what is due; retry delays stand" from "`ixplogon-submitmessage.md`, DEC-32";
    ForceEndsDelays = "force-ends-delays" [Spooler] pending "A flush sends every waiting message at once, `FLUSH_FORCE` regardless of delays" from "`imapistatus-flushqueues.md`";
}
/// EXT-4 (beyond the 41): what `LOGON_NO_CONNECT` means.
NoConnect no_connect = "EXT-4" "What LOGON_NO_CONNECT means" {
    NeverPassed = "never-passed" [Spooler] default "The reference never passes the flag, so its meaning never arises" from "FREE-13";
    NotForTraffic = "not-for-traffic" [Spooler Provider] pending "The logon is for purposes other than sending and receiving: no traffic is ever enabled on it" from "`ixpprovider-transportlogon.md`, flag list";
    Offline = "offline" [Spooler Provider] pending "Offline operation: the transport fails the logon if it needs a connection" from "`ixpprovider-transportlogon.md`, remarks";
}}

/// A reading name that no question has.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown reading {0:?}; `mapi-spooler readings --list` lists them")]
pub struct UnknownReading(pub String);

impl Reading {
    /// True when the reading changes nothing any party does or any verdict (`Status::NoEffect`).
    #[must_use]
    pub const fn has_effect(&self) -> bool {
        !matches!(self.status, Status::NoEffect(_))
    }
}

impl Readings {
    /// The question and the index of the reading called `name`.
    #[must_use]
    pub fn find(name: &str) -> Option<(usize, usize)> {
        QUESTIONS.iter().enumerate().find_map(|(q, question)| question.readings.iter().position(|r| r.name == name).map(|r| (q, r)))
    }

    /// The default readings with the reading called `name` chosen instead of its question's
    /// default.
    ///
    /// # Errors
    /// [`UnknownReading`] when no question has a reading of that name.
    pub fn with(mut self, name: &str) -> Result<Readings, UnknownReading> {
        let (q, r) = Readings::find(name).ok_or_else(|| UnknownReading(name.to_owned()))?;
        self.choose(q, r);
        Ok(self)
    }

    /// The readings chosen instead of today's decisions, with their questions.
    #[must_use]
    pub fn chosen(&self) -> Vec<(&'static Question, &'static Reading)> {
        QUESTIONS.iter().zip(self.indices()).filter(|(_, r)| *r != 0).map(|(q, r)| (q, &q.readings[r])).collect()
    }

    /// True when every question has today's decision.
    #[must_use]
    pub fn is_default(&self) -> bool {
        self.indices().iter().all(|r| *r == 0)
    }
}

/// The names of the readings chosen instead of today's decisions, or `default`.
impl fmt::Display for Readings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let chosen = self.chosen();
        if chosen.is_empty() {
            return f.write_str("default");
        }
        let names: Vec<String> = chosen.iter().map(|(q, r)| format!("{} {}", q.id, r.name)).collect();
        f.write_str(&names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ambiguity_of_the_digest_is_declared_with_its_default_first() {
        // Spec: AMB-1, AMB-41
        for n in 1..=41 {
            let id = format!("AMB-{n}");
            assert!(QUESTIONS.iter().any(|q| q.id == id), "{id} has no declaration");
        }
        for q in QUESTIONS {
            assert_eq!(q.readings[0].status, Status::Default, "{}: the first reading is today's decision", q.id);
            assert!(q.readings[1..].iter().all(|r| r.status != Status::Default), "{}: one default per question", q.id);
            assert!(q.readings.len() >= 2, "{} has no alternative", q.id);
        }
    }

    #[test]
    fn reading_names_are_unique_and_parse_back() {
        let mut names: Vec<&str> = QUESTIONS.iter().flat_map(|q| q.readings.iter().map(|r| r.name)).collect();
        let all = names.len();
        for name in names.clone() {
            let (q, r) = Readings::find(name).expect("declared");
            let readings = Readings::default().with(name).expect("declared");
            assert_eq!(readings.indices()[q], r);
            assert_eq!(readings.is_default(), r == 0);
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all, "a reading name is used twice");
        assert_eq!(Readings::default().with("no-such-reading"), Err(UnknownReading("no-such-reading".to_owned())));
    }

    #[test]
    fn the_default_is_today_and_prints_as_such() {
        assert!(Readings::default().is_default());
        assert_eq!(Readings::default().to_string(), "default");
        let r = Readings::default().with("fourteen-steps").unwrap();
        assert_eq!(r.amb13, Amb13::FourteenSteps);
        assert_eq!(r.to_string(), "AMB-13 fourteen-steps");
    }
}
