//! What a model-checking run explores: the world's size, the answers it may give, and budgets
//! that keep every run finite.

use std::fmt;
use std::str::FromStr;

/// Declares the kinds of fault once: the [`Fault`] enum, its names on the command line, and
/// [`Fault::ALL`], from which [`Faults::NAMES`], [`Faults::enabled`], parsing and the model's
/// move kinds are derived.
macro_rules! faults {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// A kind of non-default answer the world may give. Each one it gives costs one unit of
        /// [`Config::fault_budget`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fault {
            $($(#[$doc])* $variant,)*
        }

        impl Fault {
            /// Every kind of fault, in the order of the command line's help.
            pub const ALL: [Fault; [$(Fault::$variant),*].len()] = [$(Fault::$variant),*];

            /// The fault's name on the command line (`--fault`, `--no-fault`).
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self {
                    $(Fault::$variant => $name,)*
                }
            }
        }
    };
}

faults! {
    /// `MAPI_E_BUSY` from `SubmitMessage` (ERR-2).
    Busy = "busy",
    /// `MAPI_E_NOT_ME` from `SubmitMessage` (ERR-3).
    NotMe = "not-me",
    /// `MAPI_E_WAIT` with a delay (ERR-4).
    Wait = "wait",
    /// `MAPI_E_NETWORK_ERROR` with a delay (ERR-5).
    Network = "network",
    /// `S_OK` taking only some of the offered recipients (SUB-28).
    Partial = "partial",
    /// `StatusRecips` non-delivery reports on the recipients taken (SUB-30).
    Reports = "reports",
    /// `NOTIFY_CRITICAL_ERROR`, then an error (ERR-7, LIFE-17).
    Critical = "critical",
    /// An error after saving the recipients taken (SUB-33).
    SaveBeforeError = "save-before-error",
    /// `END_RESEND_NOW` and `END_RESEND_LATER` from `EndMessage` (DEF-3, DEF-4).
    Resend = "resend",
    /// `END_DONT_RESEND`, then `NOTIFY_SENTDEFERRED` and `BEGIN_DEFERRED` (DEF-2), including
    /// `MAPI_E_CANCEL` for the deferred submission (ERR-6).
    Defer = "defer",
    /// `MAPI_E_FAILONEPROVIDER` from `TransportLogon` (LIFE-6).
    Logon = "logon",
    /// `MAPI_E_VERSION` from `XPProviderInit` (VER-3).
    Version = "version",
    /// An error from `StartMessage` (RCV-7).
    Start = "start",
}

impl Fault {
    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A fault name that [`Fault::ALL`] does not have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFault(pub String);

impl fmt::Display for UnknownFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown fault {:?}; expected one of {}", self.0, Faults::NAMES.join(", "))
    }
}

impl std::error::Error for UnknownFault {}

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(name: &str) -> Result<Fault, UnknownFault> {
        Fault::ALL.into_iter().find(|f| f.name() == name).ok_or_else(|| UnknownFault(name.to_owned()))
    }
}

/// The kinds of non-default answers the world may give: a set of [`Fault`]s.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Faults(u16);

impl Faults {
    /// Every kind of fault.
    pub const ALL: Faults = {
        let mut bits = 0;
        let mut i = 0;
        while i < Fault::ALL.len() {
            bits |= Fault::ALL[i].bit();
            i += 1;
        }
        Faults(bits)
    };

    /// No fault at all.
    pub const NONE: Faults = Faults(0);

    /// The names of the fault switches, for the command line.
    pub const NAMES: [&'static str; Fault::ALL.len()] = {
        let mut names = [""; Fault::ALL.len()];
        let mut i = 0;
        while i < names.len() {
            names[i] = Fault::ALL[i].name();
            i += 1;
        }
        names
    };

    /// True when the world may give this fault.
    #[must_use]
    pub const fn contains(self, fault: Fault) -> bool {
        self.0 & fault.bit() != 0
    }

    /// Allows or forbids one kind of fault.
    pub fn switch(&mut self, fault: Fault, on: bool) {
        if on {
            self.0 |= fault.bit();
        } else {
            self.0 &= !fault.bit();
        }
    }

    /// Turns one switch, named as in [`Faults::NAMES`], on or off. Returns false for an unknown
    /// name.
    pub fn set(&mut self, name: &str, on: bool) -> bool {
        name.parse().map(|fault| self.switch(fault, on)).is_ok()
    }

    /// The kinds of fault allowed, in the order of [`Fault::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Fault> {
        Fault::ALL.into_iter().filter(move |f| self.contains(*f))
    }

    /// The switches that are on, by name.
    #[must_use]
    pub fn enabled(&self) -> Vec<&'static str> {
        self.iter().map(Fault::name).collect()
    }
}

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl FromIterator<Fault> for Faults {
    fn from_iter<I: IntoIterator<Item = Fault>>(faults: I) -> Faults {
        let mut set = Faults::NONE;
        for fault in faults {
            set.switch(fault, true);
        }
        set
    }
}

/// The world of one model-checking run.
///
/// Transport `i` handles address type `i` (and, with [`Config::overlap`], type `i + 1`); every
/// message is the same draft, whose recipient `j` has address type `j % transports`, so messages
/// are interchangeable and so are recipients of one address type (symmetry reduction).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    /// Transport providers (1 to 8).
    pub transports: u8,
    /// Messages the client submits (1 to 8).
    pub messages: u8,
    /// Recipients per message (1 to 8).
    pub recipients: u8,
    /// The kinds of non-default answers the world may give.
    pub faults: Faults,
    /// How many non-default answers one run may contain.
    pub fault_budget: u8,
    /// How many times the spooler process may crash (and restart) in one run.
    pub crashes: u8,
    /// How many messages the client may abort.
    pub aborts: u8,
    /// How many times the session may disable a transport's outbound traffic (it re-enables it
    /// later).
    pub disables: u8,
    /// How many times the system may be idle (transports ask for `Idle`).
    pub idles: u8,
    /// How many times the session may end (at most once per run matters: the spooler stops).
    pub shutdowns: u8,
    /// How many times the user may cancel a transfer in progress (DEF-5, DEF-7, RCV-13).
    pub cancels: u8,
    /// The drafts need preprocessing, and transport 0 registers a preprocessor.
    pub preprocess: bool,
    /// The drafts ask to be deleted after submission instead of moved to Sent Items.
    pub delete_after_submit: bool,
    /// Retry delay, in seconds, of `MAPI_E_WAIT` and `MAPI_E_NETWORK_ERROR`.
    pub delay: u32,
    /// Transport `i` also handles address type `i + 1` (when there is a transport `i + 1`), so a
    /// recipient declined by its first transport falls through to the next one (ORD-4).
    pub overlap: bool,
    /// Inbound messages waiting at transport 0 when the run starts (RCV-1 to RCV-10).
    pub inbound: u8,
    /// Transport 0 asks to be polled (`LOGON_SP_POLL`) instead of announcing its inbound mail
    /// with `NOTIFY_NEWMAIL` (RCV-1).
    pub poll: bool,
    /// The deliberate mistake the spooler (or the store) makes, from the bug zoo (issue 3);
    /// `None`, the default, checks the correct spooler.
    pub bug: Option<mapi_spooler::zoo::Bug>,
    /// Transport 0 is tightly coupled with the store (TC-1): it publishes the store in its
    /// status row, and the pair serves address type 0 itself. The client may also submit
    /// messages whose recipients are all of type 0, which the store hands to the spooler with
    /// `CompleteMsg` (TC-3); a message with other recipients is queued with the served ones
    /// already TRUE (TC-4).
    pub coupled: bool,
    /// Inbound messages the coupled pair places itself and announces with
    /// `NOTIFY_NEWMAIL_RECEIVED` (RCV-16, TC-8). Needs [`Config::coupled`].
    pub arrivals: u8,
    /// Inbound hooks of the profile (HOOK-13); each may keep a message, delete it or cancel the
    /// hooks after it.
    pub inbound_hooks: u8,
    /// The store may call `StoreLogoffTransports` once, with any of its five flags (LIFE-20).
    pub store_logoff: bool,
    /// Flushes per run: a client's synchronous `FlushQueues` of every transport in both
    /// directions, or a transport setting both flush bits of its row (STAT-17, STAT-18, STAT-22).
    pub flushes: u8,
    /// Client calls of `ValidateState(CONFIG_CHANGED)` on the spooler's status object per run
    /// (STAT-11).
    pub status_calls: u8,
    /// Critical sections (`NOTIFY_CRITSEC`, later `NOTIFY_NONCRIT`) per run (STAT-13).
    pub critsecs: u8,
}

impl Default for Config {
    /// The default run of `mapi-spooler check`: the largest world that checks exhaustively in
    /// about a minute on two cores.
    fn default() -> Config {
        Config {
            transports: 2,
            messages: 3,
            recipients: 2,
            faults: Faults::ALL,
            fault_budget: 2,
            crashes: 1,
            aborts: 1,
            disables: 1,
            idles: 1,
            shutdowns: 1,
            // `--cancels 1` checks the user's cancels in this world too: 12.3 M unique states,
            // about three minutes on two cores, so it is not part of the default run.
            cancels: 0,
            preprocess: false,
            delete_after_submit: false,
            delay: 5,
            overlap: true,
            inbound: 0,
            poll: false,
            bug: None,
            coupled: false,
            arrivals: 0,
            inbound_hooks: 0,
            store_logoff: false,
            // The status moves multiply the default world's states by about fifteen (measured at
            // two messages: 882,778 unique states without a flush, 13,442,837 with one), so the
            // default run checks their properties on the moves it has, and `--flushes`,
            // `--status-calls` and `--critsecs` add them.
            flushes: 0,
            status_calls: 0,
            critsecs: 0,
        }
    }
}

impl Config {
    /// The worlds `mapi-spooler` checks when run with no subcommand: the default world, and
    /// beside it one world per part of the protocol that would make the default world too large
    /// to check in a few minutes if it were added to it. Together they make every property and
    /// every guard active: status objects, flushes and critical sections (INV-12, STAT-20,
    /// LIV-5, LIV-7); the user's cancels, outbound and inbound (INV-37, INV-39, INV-40);
    /// reception pushed and polled (INV-9, INV-36, INV-38, LIV-4); the tightly coupled store
    /// and inbound hooks (INV-34, INV-35, INV-36); store logoff (LIFE-20). About three minutes on
    /// two cores.
    #[must_use]
    pub fn suite() -> Vec<(&'static str, Config)> {
        let d = Config::default();
        vec![
            ("default", d.clone()),
            (
                "status objects, flushes, critical sections",
                Config { messages: 1, fault_budget: 1, flushes: 1, status_calls: 1, critsecs: 1, ..d.clone() },
            ),
            ("the user's cancels", Config { messages: 2, cancels: 1, ..d.clone() }),
            (
                "reception and inbound cancels, pushed",
                Config { inbound: 2, messages: 1, fault_budget: 1, cancels: 1, aborts: 0, disables: 0, idles: 0, ..d.clone() },
            ),
            (
                "reception and inbound cancels, polled",
                Config { inbound: 2, poll: true, messages: 1, fault_budget: 1, cancels: 1, aborts: 0, disables: 0, ..d.clone() },
            ),
            (
                "the tightly coupled store and inbound hooks",
                Config { coupled: true, crashes: 0, arrivals: 1, inbound: 1, inbound_hooks: 1, messages: 2, fault_budget: 1, ..d.clone() },
            ),
            ("store logoff", Config { store_logoff: true, inbound: 1, messages: 2, fault_budget: 1, crashes: 0, ..d }),
        ]
    }

    /// A small world for fast tests: one message, one fault, and no crash, abort, disable,
    /// idle time, end of session, flush, status call or critical section unless asked for.
    #[must_use]
    pub fn small() -> Config {
        Config {
            messages: 1,
            fault_budget: 1,
            crashes: 0,
            aborts: 0,
            disables: 0,
            idles: 0,
            shutdowns: 0,
            cancels: 0,
            flushes: 0,
            status_calls: 0,
            critsecs: 0,
            ..Config::default()
        }
    }

    /// The address types transport `t` registers.
    #[must_use]
    pub fn types_of(&self, t: u8) -> Vec<u16> {
        let mut types = vec![u16::from(t)];
        if self.overlap && t + 1 < self.transports {
            types.push(u16::from(t) + 1);
        }
        types
    }

    /// The transports that register address type `k`, in profile order.
    #[must_use]
    pub fn capable(&self, k: u16) -> Vec<u8> {
        (0..self.transports).filter(|t| self.types_of(*t).contains(&k)).collect()
    }

    /// Checks the counts.
    ///
    /// # Errors
    /// A message naming the count that is out of range.
    pub fn validate(&self) -> Result<(), String> {
        if self.inbound > 8 {
            return Err(format!("inbound must be between 0 and 8, not {}", self.inbound));
        }
        if self.arrivals > 8 || self.inbound_hooks > 4 {
            return Err("arrivals must be between 0 and 8, and inbound hooks between 0 and 4".to_owned());
        }
        if self.arrivals > 0 && !self.coupled {
            return Err("arrivals come from a tightly coupled pair: they need --coupled".to_owned());
        }
        if self.coupled && self.crashes > 0 {
            // A message handed over with CompleteMsg lives only in the spooler's memory.
            return Err("the coupled world is checked without crashes (--crashes 0)".to_owned());
        }
        for (name, value) in [("transports", self.transports), ("messages", self.messages), ("recipients", self.recipients)] {
            if !(1..=8).contains(&value) {
                return Err(format!("{name} must be between 1 and 8, not {value}"));
            }
        }
        Ok(())
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} transports x {} messages x {} recipients; fault budget {} ({}); crashes {}, aborts {}, disables {}, idles {}, shutdowns {}, cancels {}{}{}",
            self.transports,
            self.messages,
            self.recipients,
            self.fault_budget,
            self.faults.enabled().join(", "),
            self.crashes,
            self.aborts,
            self.disables,
            self.idles,
            self.shutdowns,
            self.cancels,
            if self.preprocess { ", preprocessing" } else { "" },
            if self.delete_after_submit { ", delete after submit" } else { "" },
        )?;
        if self.overlap {
            write!(f, ", overlapping registrations")?;
        }
        if self.inbound > 0 {
            write!(f, "; {} inbound at T0 ({})", self.inbound, if self.poll { "polled" } else { "NOTIFY_NEWMAIL" })?;
        }
        if self.coupled {
            write!(f, "; T0 tightly coupled with the store, {} arrivals", self.arrivals)?;
        }
        if self.inbound_hooks > 0 {
            write!(f, "; {} inbound hooks", self.inbound_hooks)?;
        }
        if self.store_logoff {
            write!(f, "; store logoff")?;
        }
        if self.flushes + self.status_calls + self.critsecs > 0 {
            write!(f, "; flushes {}, status calls {}, critical sections {}", self.flushes, self.status_calls, self.critsecs)?;
        }
        match self.bug {
            Some(bug) => write!(f, "; bug {bug} (should break {})", bug.breaks()),
            None => Ok(()),
        }
    }
}
