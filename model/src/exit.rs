//! The command line's exit statuses: one per outcome, so that a script can tell a broken
//! property from a vacuous check, a search cut short, bad usage or a bad input file.

use std::fmt;

/// How a command ended, with its exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Exit {
    /// Every property holds, every guard is reached and every kind of world move happened (a
    /// trace conforms, a replay ran to its end).
    Holds,
    /// A property is broken (a trace diverges from the reference).
    Broken,
    /// Bad usage: an unknown option, a value out of range, options that do not go together.
    Usage,
    /// No property is broken, but a guard was never reached or a kind of world move never
    /// happened: the check may be vacuous.
    Vacuous,
    /// No property is broken, but `--max-depth`, `--max-states` or `--timeout` cut the search
    /// short (a trace check: more states were consistent with the trace than `--frontier-bound`).
    Incomplete,
    /// The input file cannot be read or is not a valid trace.
    InvalidInput,
    /// The system refused: the Explorer's port is in use, or an output file cannot be written.
    Unavailable,
}

impl Exit {
    /// Every exit, in the order of their statuses.
    pub const ALL: [Exit; 7] =
        [Exit::Holds, Exit::Broken, Exit::Usage, Exit::Vacuous, Exit::Incomplete, Exit::InvalidInput, Exit::Unavailable];

    /// The exit status.
    #[must_use]
    pub const fn code(self) -> u8 {
        match self {
            Exit::Holds => 0,
            Exit::Broken => 1,
            Exit::Usage => 2,
            Exit::Vacuous => 3,
            Exit::Incomplete => 4,
            Exit::InvalidInput => 5,
            Exit::Unavailable => 6,
        }
    }

    /// The verdict's name in the JSON output.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Exit::Holds => "holds",
            Exit::Broken => "broken",
            Exit::Usage => "usage",
            Exit::Vacuous => "vacuous",
            Exit::Incomplete => "incomplete",
            Exit::InvalidInput => "invalid-input",
            Exit::Unavailable => "unavailable",
        }
    }

    /// What it means, in one line.
    #[must_use]
    pub const fn meaning(self) -> &'static str {
        match self {
            Exit::Holds => "every property holds, every guard is reached, every kind of move happened (trace check: the trace conforms)",
            Exit::Broken => "a property is broken (trace check: the trace diverges)",
            Exit::Usage => "bad usage: unknown option, value out of range, options that do not go together",
            Exit::Vacuous => "nothing broken, but a guard was never reached or a kind of world move never happened",
            Exit::Incomplete => {
                "nothing broken, but --max-depth, --max-states or --timeout cut the search short (trace check: --frontier-bound)"
            }
            Exit::InvalidInput => "the input file cannot be read or is not a valid trace",
            Exit::Unavailable => "the system refused: the port is in use, or an output file cannot be written",
        }
    }

    /// Of two verdicts of a check, the one that says more: broken over incomplete over vacuous
    /// over holds (the suite's verdict is the worst of its worlds').
    #[must_use]
    pub fn worst(self, other: Exit) -> Exit {
        let rank = |e: Exit| match e {
            Exit::Holds => 0,
            Exit::Vacuous => 1,
            Exit::Incomplete => 2,
            _ => 3,
        };
        if rank(other) > rank(self) { other } else { self }
    }

    /// The table of exit statuses for `--help`.
    #[must_use]
    pub fn table() -> String {
        let mut out = String::from("Exit status:\n");
        for exit in Exit::ALL {
            out.push_str(&format!("  {}  {}\n", exit.code(), exit.meaning()));
        }
        out
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> std::process::ExitCode {
        std::process::ExitCode::from(exit.code())
    }
}
