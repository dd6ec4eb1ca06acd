//! What a model-checking run explores: the world's size, the answers it may give, and budgets
//! that keep every run finite.

use std::fmt;
use std::ops::RangeInclusive;
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

/// `--fault` and `--no-fault` take the kinds by name, and `--help` lists them all.
impl clap::ValueEnum for Fault {
    fn value_variants<'a>() -> &'a [Fault] {
        &Fault::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()))
    }
}

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

/// The world of one model-checking run, and the command line's world options (`check`,
/// `explore`): each field with a command-line flag is declared once, here.
///
/// Transport `i` handles address type `i` (and, with [`Config::overlap`], type `i + 1`); every
/// message is the same draft, whose recipient `j` has address type `j % transports`, so messages
/// are interchangeable and so are recipients of one address type (symmetry reduction).
#[derive(Clone, Debug, PartialEq, Eq, Hash, clap::Args, serde::Serialize)]
#[command(next_help_heading = "The world")]
pub struct Config {
    /// Transport providers; transport i handles address type i (and i + 1 when there is a
    /// transport i + 1).
    #[arg(long, default_value_t = Config::default().transports, value_parser = count(Config::TRANSPORTS))]
    pub transports: u8,
    /// Messages the client submits (all the same draft).
    #[arg(long, default_value_t = Config::default().messages, value_parser = count(Config::MESSAGES))]
    pub messages: u8,
    /// Recipients per message; recipient j has address type j modulo the transports.
    #[arg(long, default_value_t = Config::default().recipients, value_parser = count(Config::RECIPIENTS))]
    pub recipients: u8,
    /// The kinds of non-default answers the world may give (`--fault`, `--no-fault`).
    #[arg(skip = Faults::ALL)]
    #[serde(serialize_with = "fault_names")]
    pub faults: Faults,
    /// How many non-default answers (faults) one run may contain.
    #[arg(long, default_value_t = Config::default().fault_budget)]
    pub fault_budget: u8,
    /// Crashes of the spooler process per run (a new spooler starts against what the store
    /// saved).
    #[arg(long, default_value_t = Config::default().crashes)]
    pub crashes: u8,
    /// Messages the client may abort per run (DEF-6).
    #[arg(long, default_value_t = Config::default().aborts)]
    pub aborts: u8,
    /// Times the session disables a transport's outbound traffic per run (it enables it again
    /// later; LIFE-12).
    #[arg(long, default_value_t = Config::default().disables)]
    pub disables: u8,
    /// Idle times per run (transports ask for `Idle`, LIFE-11).
    #[arg(long, default_value_t = Config::default().idles)]
    pub idles: u8,
    /// How many times the session may end (at most once per run matters: the spooler stops).
    #[arg(skip = Config::default().shutdowns)]
    pub shutdowns: u8,
    /// User cancels of a transfer per run: a locked message, or the inbound transfer in flight
    /// (DEF-5, DEF-7, RCV-13).
    #[arg(long, default_value_t = Config::default().cancels)]
    pub cancels: u8,
    /// The drafts need preprocessing, and transport 0 registers a preprocessor.
    #[arg(long)]
    pub preprocess: bool,
    /// The drafts ask to be deleted after submission instead of moved to Sent Items.
    #[arg(long)]
    pub delete_after_submit: bool,
    /// Retry delay, in seconds, of `MAPI_E_WAIT` and `MAPI_E_NETWORK_ERROR`.
    #[arg(skip = Config::default().delay)]
    pub delay: u32,
    /// Transport `i` also handles address type `i + 1` (when there is a transport `i + 1`), so a
    /// recipient declined by its first transport falls through to the next one (ORD-4).
    #[arg(skip = Config::default().overlap)]
    pub overlap: bool,
    /// Inbound messages waiting at transport 0 when the run starts; it announces them with
    /// NOTIFY_NEWMAIL (RCV-1 to RCV-10).
    #[arg(long, default_value_t = Config::default().inbound, value_parser = count(Config::INBOUND))]
    pub inbound: u8,
    /// Transport 0 asks to be polled (LOGON_SP_POLL) instead of announcing its inbound mail with
    /// NOTIFY_NEWMAIL (RCV-1).
    #[arg(long)]
    pub poll: bool,
    /// Check a deliberately wrong spooler (or store) from the bug zoo instead of the correct one
    /// (issue 3).
    #[arg(long, value_name = "NAME", value_parser = bug_parser())]
    #[serde(serialize_with = "bug_name")]
    pub bug: Option<mapi_spooler::zoo::Bug>,
    /// Transport 0 is tightly coupled with the store (TC-1): it publishes the store in its status
    /// row, the pair serves address type 0 itself, hands messages it served entirely to the
    /// spooler with CompleteMsg (TC-3) and queues the others with the served recipients already
    /// taken (TC-4). Needs --crashes 0.
    #[arg(long)]
    pub coupled: bool,
    /// Inbound messages the coupled pair places itself and announces with
    /// NOTIFY_NEWMAIL_RECEIVED (RCV-16, TC-8). Needs --coupled.
    #[arg(long, default_value_t = Config::default().arrivals, value_parser = count(Config::ARRIVALS))]
    pub arrivals: u8,
    /// Inbound hooks of the profile; each may keep a message, delete it or cancel the hooks
    /// after it (HOOK-13).
    #[arg(long, default_value_t = Config::default().inbound_hooks, value_parser = count(Config::INBOUND_HOOKS))]
    pub inbound_hooks: u8,
    /// The store may call StoreLogoffTransports once, with any of its five flags (LIFE-20).
    #[arg(long)]
    pub store_logoff: bool,
    /// Flushes per run: a client's synchronous FlushQueues of every transport in both
    /// directions, or a transport setting both flush bits of its row (STAT-17, STAT-18, STAT-22).
    #[arg(long, default_value_t = Config::default().flushes)]
    pub flushes: u8,
    /// Client calls of ValidateState(CONFIG_CHANGED) on the spooler's status object per run
    /// (STAT-11).
    #[arg(long, default_value_t = Config::default().status_calls)]
    pub status_calls: u8,
    /// Critical sections (NOTIFY_CRITSEC, later NOTIFY_NONCRIT) per run (STAT-13).
    #[arg(long, default_value_t = Config::default().critsecs)]
    pub critsecs: u8,
    /// The spooler's settings, with the readings of the documentation's ambiguities the
    /// spooler, the world and the monitor follow (issue 15, `mapi-spooler readings`); the
    /// inbound hooks come from [`Config::inbound_hooks`].
    #[arg(skip)]
    #[serde(skip)]
    pub settings: mapi_spooler::Settings,
    /// `SpoolerNotify` calls a logged-on transport makes of its own accord per run:
    /// `NOTIFY_CONFIG_CHANGE` (its address types changed, so the spooler asks again, ORD-9) or
    /// `NOTIFY_READYTOSEND` (it can take mail again, LIFE-18).
    #[arg(long, default_value_t = Config::default().notifies)]
    pub notifies: u8,
    /// The status calls' less common documented forms: the client's `FlushQueues` may also ask
    /// for one direction only (`FLUSH_UPLOAD | FLUSH_NO_UI`, `FLUSH_DOWNLOAD | FLUSH_FORCE`) or for
    /// both asynchronously (`FLUSH_ASYNC_OK`), its `ValidateState` may pass the other documented
    /// flags, and a transport may answer the forwarded `ValidateState` with `MAPI_E_NO_SUPPORT` or
    /// `MAPI_E_USER_CANCEL` (STAT-11, STAT-12, STAT-17, ERR-13).
    #[arg(long)]
    pub status_variants: bool,
}

/// A count option's parser, refusing values outside `range` with clap's usual message
/// ("9 is not in 1..=8").
fn count(range: RangeInclusive<u8>) -> clap::builder::RangedI64ValueParser<u8> {
    clap::value_parser!(u8).range(i64::from(*range.start())..=i64::from(*range.end()))
}

/// `--bug`: the names of the zoo, listed in `--help`.
fn bug_parser() -> impl clap::builder::TypedValueParser<Value = mapi_spooler::zoo::Bug> {
    use clap::builder::TypedValueParser as _;
    use mapi_spooler::zoo::Bug;
    clap::builder::PossibleValuesParser::new(Bug::ALL.iter().map(|b| b.name()))
        .try_map(|name| Bug::from_name(&name).ok_or_else(|| format!("unknown bug {name:?}")))
}

fn fault_names<S: serde::Serializer>(faults: &Faults, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(faults.enabled())
}

fn bug_name<S: serde::Serializer>(bug: &Option<mapi_spooler::zoo::Bug>, s: S) -> Result<S::Ok, S::Error> {
    match bug {
        Some(bug) => s.serialize_some(bug.name()),
        None => s.serialize_none(),
    }
}

/// `--fault` and `--no-fault`: which kinds of fault the world may give ([`Fault::ALL`]).
#[derive(Clone, Debug, Default, clap::Args)]
#[command(next_help_heading = "The world")]
pub struct FaultChoice {
    /// Allow only these kinds of fault (repeatable; without it every kind is allowed).
    #[arg(long = "fault", value_name = "KIND", value_enum)]
    pub only: Vec<Fault>,
    /// Turn a kind of fault off (repeatable).
    #[arg(long = "no-fault", value_name = "KIND", value_enum)]
    pub without: Vec<Fault>,
}

impl FaultChoice {
    /// True when neither option was given.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.only.is_empty() && self.without.is_empty()
    }

    /// The fault switches these options leave on, starting from `faults`: only those of
    /// `--fault` if it was given, then without those of `--no-fault`.
    #[must_use]
    pub fn apply(&self, faults: Faults) -> Faults {
        let mut faults = if self.only.is_empty() { faults } else { self.only.iter().copied().collect() };
        for fault in &self.without {
            faults.switch(*fault, false);
        }
        faults
    }
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
            settings: mapi_spooler::Settings::default(),
            notifies: 0,
            status_variants: false,
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
    /// and inbound hooks (INV-34, INV-35, INV-36); store logoff (LIFE-20); preprocessing cut
    /// short by the end of the session (SUB-12, HOOK-4, DEC-8); three transports, where a
    /// declined recipient falls through in transport order (ORD-4, ERR-3); a transport's own
    /// `NOTIFY_CONFIG_CHANGE` and `NOTIFY_READYTOSEND`, one-direction and asynchronous flushes and
    /// every documented answer to `ValidateState` (ORD-9, LIFE-18, STAT-11, STAT-17). Together
    /// they also reach every kind of input, documented flag and documented result the suite's
    /// reach counts but those `coverage::TOLERATED` names. About three minutes on two cores.
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
            ("store logoff", Config { store_logoff: true, inbound: 1, messages: 2, fault_budget: 1, crashes: 0, ..d.clone() }),
            ("preprocessing and the end of the session", Config { preprocess: true, messages: 2, fault_budget: 1, idles: 0, ..d.clone() }),
            (
                "three transports falling through",
                Config { transports: 3, recipients: 3, messages: 2, crashes: 0, aborts: 0, disables: 0, idles: 0, ..d.clone() },
            ),
            (
                "configuration changes and the status calls' variants",
                Config {
                    messages: 1,
                    fault_budget: 1,
                    crashes: 0,
                    aborts: 0,
                    idles: 0,
                    flushes: 1,
                    status_calls: 1,
                    notifies: 1,
                    status_variants: true,
                    ..d
                },
            ),
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

    /// The command-line options that make this world from the default one
    /// (`--messages 1 --fault-budget 1 --flushes 1`), or `(none)` for the default world.
    #[must_use]
    pub fn command_line(&self) -> String {
        let (mine, default) = (serde_json::to_value(self), serde_json::to_value(Config::default()));
        let (Ok(serde_json::Value::Object(mine)), Ok(serde_json::Value::Object(default))) = (mine, default) else {
            return self.to_string();
        };
        let mut options = Vec::new();
        for (field, value) in &mine {
            let flag = format!("--{}", field.replace('_', "-"));
            match value {
                _ if default.get(field) == Some(value) => {}
                serde_json::Value::Bool(true) => options.push(flag),
                serde_json::Value::Bool(false) => options.push(format!("{flag} false")),
                serde_json::Value::Array(_) if field == "faults" => {
                    let off = Fault::ALL.into_iter().filter(|f| !self.faults.contains(*f));
                    options.extend(off.map(|f| format!("--no-fault {f}")));
                }
                serde_json::Value::String(text) => options.push(format!("{flag} {text}")),
                other => options.push(format!("{flag} {other}")),
            }
        }
        if options.is_empty() { "(none)".to_owned() } else { options.join(" ") }
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

    /// The range of [`Config::transports`].
    pub const TRANSPORTS: RangeInclusive<u8> = 1..=8;
    /// The range of [`Config::messages`].
    pub const MESSAGES: RangeInclusive<u8> = 1..=8;
    /// The range of [`Config::recipients`].
    pub const RECIPIENTS: RangeInclusive<u8> = 1..=8;
    /// The range of [`Config::inbound`].
    pub const INBOUND: RangeInclusive<u8> = 0..=8;
    /// The range of [`Config::arrivals`].
    pub const ARRIVALS: RangeInclusive<u8> = 0..=8;
    /// The range of [`Config::inbound_hooks`].
    pub const INBOUND_HOOKS: RangeInclusive<u8> = 0..=4;

    /// Checks the counts and the options that need each other. The messages name the option
    /// as the command line does, and a count out of range reads as clap's ("--transports: 9 is
    /// not in 1..=8").
    ///
    /// # Errors
    /// A message naming the option that is out of range or lacks the one it needs.
    pub fn validate(&self) -> Result<(), String> {
        let counts = [
            ("transports", self.transports, Config::TRANSPORTS),
            ("messages", self.messages, Config::MESSAGES),
            ("recipients", self.recipients, Config::RECIPIENTS),
            ("inbound", self.inbound, Config::INBOUND),
            ("arrivals", self.arrivals, Config::ARRIVALS),
            ("inbound-hooks", self.inbound_hooks, Config::INBOUND_HOOKS),
        ];
        for (name, value, range) in counts {
            if !range.contains(&value) {
                return Err(format!("--{name}: {value} is not in {}..={}", range.start(), range.end()));
            }
        }
        if self.arrivals > 0 && !self.coupled {
            return Err("--arrivals: arrivals come from a tightly coupled pair, so they need --coupled".to_owned());
        }
        if self.coupled && self.crashes > 0 {
            // A message handed over with CompleteMsg lives only in the spooler's memory.
            return Err("--coupled: the coupled world is checked without crashes, so it needs --crashes 0".to_owned());
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
        if self.status_variants {
            write!(f, ", with their variants")?;
        }
        if self.notifies > 0 {
            write!(f, "; {} transport notifications", self.notifies)?;
        }
        if !self.settings.readings.is_default() {
            write!(f, "; readings {}", self.settings.readings)?;
        }
        match self.bug {
            Some(bug) => write!(f, "; bug {bug} (should break {})", bug.breaks()),
            None => Ok(()),
        }
    }
}
