//! What a return carries besides the arguments it repeats: its outcome (the `HRESULT`, and on
//! success the out-parameters), how it shows in a log and how it is written in a trace, side by
//! side for each type. Also the small display helpers the table's `shown` clauses use.

use std::fmt;

use crate::flags::UnknownFlagName;
use crate::hresult::Hresult;
use crate::ids::{MessageId, MsgRef, RecipientIdx};
use crate::input::{Delivery, HookOutcome, QueueRow, ReportKind, SubmitOutcome};
use crate::recipients::RecipientSet;
use crate::routing::{AddressTypes, Registrations};
use crate::trace::TraceError;
use crate::trace::json::{Field, Reader, Writer};
use crate::version::SpiVersion;
use crate::{EndFlags, LogonCaps};

/// The outcome of a call as its return carries it: the result the trace writes under `result`,
/// the out-parameters written after the return's other fields, and how it shows after ` => `.
pub(crate) trait Outcome: Sized {
    /// The trace keys of the out-parameters (`()` when the type names its own).
    type Key: Copy;

    /// The `HRESULT`.
    fn hresult(&self) -> Hresult;

    /// Writes the out-parameters (the result itself is written by the return).
    fn write_out(&self, w: &mut Writer<'_>, key: Self::Key);

    /// Reads the outcome of a call that returned `result`.
    ///
    /// # Errors
    /// A missing or malformed out-parameter.
    fn read_out(r: &mut Reader<'_, '_>, result: Hresult, key: Self::Key) -> Result<Self, TraceError>;

    /// Shows the outcome: the result, and on success the out-parameters.
    fn show(&self, key: Self::Key, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

/// A call with no out-parameter: its result alone.
impl Outcome for Hresult {
    type Key = ();

    fn hresult(&self) -> Hresult {
        *self
    }

    fn write_out(&self, _: &mut Writer<'_>, (): ()) {}

    fn read_out(_: &mut Reader<'_, '_>, result: Hresult, (): ()) -> Result<Self, TraceError> {
        Ok(result)
    }

    fn show(&self, (): (), f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// Out-parameters that exist after a success only: read after `S_OK`, absent after a failure
/// (which the `Err` then carries).
impl<T: Out> Outcome for Result<T, Hresult> {
    type Key = T::Key;

    fn hresult(&self) -> Hresult {
        self.as_ref().err().copied().unwrap_or(Hresult::S_OK)
    }

    fn write_out(&self, w: &mut Writer<'_>, key: T::Key) {
        if let Ok(value) = self {
            w.put(key, value);
        }
    }

    fn read_out(r: &mut Reader<'_, '_>, result: Hresult, key: T::Key) -> Result<Self, TraceError> {
        if result == Hresult::S_OK { T::read_out(r, key).map(Ok) } else { Ok(Err(result)) }
    }

    fn show(&self, key: T::Key, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ok(value) => {
                f.write_str("S_OK")?;
                value.show(key, f)
            }
            Err(h) => write!(f, "{h}"),
        }
    }
}

/// `SubmitMessage`: on success the reference and the recipients taken; on failure the retry
/// delay and the recipients saved before returning (SUB-23, SUB-28, SUB-33, DEF-9).
impl Outcome for SubmitOutcome {
    type Key = ();

    fn hresult(&self) -> Hresult {
        match self {
            SubmitOutcome::Accepted { .. } => Hresult::S_OK,
            SubmitOutcome::Failed { result, .. } => *result,
        }
    }

    fn write_out(&self, w: &mut Writer<'_>, (): ()) {
        match self {
            SubmitOutcome::Accepted { msg_ref, accepted } => {
                w.put("lpulMsgRef", msg_ref);
                w.put("accepted", accepted);
            }
            SubmitOutcome::Failed { return_parm, saved, .. } => {
                w.put("lpulReturnParm", return_parm);
                w.put("saved", saved);
            }
        }
    }

    fn read_out(r: &mut Reader<'_, '_>, result: Hresult, (): ()) -> Result<Self, TraceError> {
        if result == Hresult::S_OK {
            return Ok(SubmitOutcome::Accepted { msg_ref: r.get::<MsgRef>("lpulMsgRef")?, accepted: r.get("accepted")? });
        }
        let return_parm = r.get_or_default("lpulReturnParm")?;
        let saved = r.get_or_default("saved")?;
        Ok(SubmitOutcome::Failed { result, return_parm, saved })
    }

    fn show(&self, (): (), f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubmitOutcome::Accepted { msg_ref, accepted } => write!(f, "S_OK ulMsgRef={msg_ref}, responsibility TRUE for {accepted}"),
            SubmitOutcome::Failed { result, return_parm, saved } => {
                write!(f, "{result} lpulReturnParm={return_parm}")?;
                if !saved.is_empty() {
                    write!(f, ", saved responsibility TRUE for {saved}")?;
                }
                Ok(())
            }
        }
    }
}

/// An out-parameter written on success (the trace codec is its [`Field`]).
pub(crate) trait Out: Field {
    /// Shows the value after `S_OK`.
    fn show(&self, key: Self::Key, f: &mut fmt::Formatter<'_>) -> fmt::Result;

    /// Reads the value after `S_OK`.
    ///
    /// # Errors
    /// A missing or malformed value.
    fn read_out(r: &mut Reader<'_, '_>, key: Self::Key) -> Result<Self, TraceError> {
        r.get(key)
    }
}

/// Out-parameters that show as ` key=value`.
macro_rules! keyed_out {
    ($($ty:ty),* $(,)?) => {
        $(
            impl Out for $ty {
                fn show(&self, key: &'static str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    write!(f, " {key}={self}")
                }
            }
        )*
    };
}

keyed_out!(SpiVersion, LogonCaps, EndFlags);

/// The recipients a preprocessor found undeliverable (`*lppRecipList`, an optional list,
/// `preprocessmessage.md`): a list left out or `null` is empty.
impl Out for RecipientSet {
    fn show(&self, key: &'static str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " {key}={self}")
    }

    fn read_out(r: &mut Reader<'_, '_>, key: &'static str) -> Result<Self, TraceError> {
        r.get_list_or_empty(key)
    }
}

/// The new message of `CreateMessage`.
impl Out for MessageId {
    fn show(&self, _: &'static str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " {self}")
    }
}

/// The registrations of `AddressTypes`.
impl Out for Registrations {
    fn show(&self, _: (&'static str, &'static str), f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(" types=")?;
        match &self.address_types {
            AddressTypes::Any => f.write_str("NULL(any)")?,
            AddressTypes::Listed(types) => write!(f, "[{}]", Listed(types))?,
        }
        write!(f, " uids=[{}]", Listed(&self.uids))
    }
}

/// The queue of `GetOutgoingQueue`, by message.
impl Out for Vec<QueueRow> {
    fn show(&self, key: &'static str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let messages: Vec<MessageId> = self.iter().map(|row| row.message).collect();
        write!(f, " {key}=[{}]", Listed(&messages))
    }
}

/// Whether `StartMessage` saved a message.
impl Out for Delivery {
    fn show(&self, _: &'static str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Delivery::Saved => ", message saved",
            Delivery::Empty => ", nothing saved",
        })
    }
}

/// What an inbound hook did.
impl Out for HookOutcome {
    fn show(&self, (flags, folder): (&'static str, &'static str), f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " {flags}={} {folder}={}", self.flags, OrNull(self.moved_to))
    }
}

/// Values joined by commas.
struct Listed<'a, T>(&'a [T]);

impl<T: fmt::Display> fmt::Display for Listed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, value) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{value}")?;
        }
        Ok(())
    }
}

/// An optional argument: its value, or `NULL`.
pub(crate) struct OrNull<T>(pub(crate) Option<T>);

impl<T: fmt::Display> fmt::Display for OrNull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(value) => write!(f, "{value}"),
            None => f.write_str("NULL"),
        }
    }
}

/// An optional argument shown after a label only when present: `, lppvData=M1` or nothing.
pub(crate) struct Labelled<T>(pub(crate) &'static str, pub(crate) Option<T>);

impl<T: fmt::Display> fmt::Display for Labelled<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.1 {
            Some(value) => write!(f, "{}{value}", self.0),
            None => Ok(()),
        }
    }
}

/// The entries of `StatusRecips`: `row:kind`, joined by `, `.
pub(crate) struct Reports<'a>(pub(crate) &'a [(RecipientIdx, ReportKind)]);

impl fmt::Display for Reports<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (row, kind)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}:{kind}", row.0)?;
        }
        Ok(())
    }
}

/// A flag word type (one of `flag_set!`'s): for words kept raw, and for reading a word with
/// bits the type does not define.
pub(crate) trait FlagWord: Sized + fmt::Display {
    /// The requirements that list the parameter's flags.
    const RULES: &'static [&'static str];

    /// The flags, when every bit of `bits` is one of them.
    fn decode(bits: u32) -> Option<Self>;

    /// The documented flags of `bits`, the others dropped.
    fn documented(bits: u32) -> Self;

    /// The bits of `bits` that no documented flag covers.
    fn undefined(bits: u32) -> u32;

    /// The documented flags' names, in documentation order.
    fn names() -> Vec<&'static str>;

    /// The bits of documented names joined by `|`.
    fn parse_bits(text: &str) -> Option<u32>;

    /// Documented names joined by `|`, or a word in hexadecimal, decoded strictly.
    ///
    /// # Errors
    /// [`UnknownFlagName`] for a name or value the parameter does not define.
    fn parse_strictly(text: &str) -> Result<Self, UnknownFlagName>;
}

macro_rules! flag_word {
    ($($flags:ident),* $(,)?) => {
        $(
            impl FlagWord for crate::flags::$flags {
                const RULES: &'static [&'static str] = Self::RULES;

                fn decode(bits: u32) -> Option<Self> {
                    Self::from_bits(bits).ok()
                }

                fn documented(bits: u32) -> Self {
                    Self::from_bits(bits & Self::ALL.bits()).unwrap_or(Self::EMPTY)
                }

                fn undefined(bits: u32) -> u32 {
                    bits & !Self::ALL.bits()
                }

                fn names() -> Vec<&'static str> {
                    Self::NAMES.iter().map(|(_, name)| *name).collect()
                }

                fn parse_bits(text: &str) -> Option<u32> {
                    Self::parse(text).ok().map(Self::bits)
                }

                fn parse_strictly(text: &str) -> Result<Self, UnknownFlagName> {
                    Self::parse(text)
                }
            }
        )*
    };
}

flag_words!(flag_word);

/// A raw flag word shown by the names of `F`, or in hexadecimal when it has bits `F` does not
/// define.
pub(crate) struct Word<F>(u32, std::marker::PhantomData<F>);

impl<F: FlagWord> Word<F> {
    /// The word `raw`.
    pub(crate) fn of(raw: u32) -> Word<F> {
        Word(raw, std::marker::PhantomData)
    }
}

impl<F: FlagWord> fmt::Display for Word<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match F::decode(self.0) {
            Some(flags) => write!(f, "{flags}"),
            None => write!(f, "0x{:08X}", self.0),
        }
    }
}
