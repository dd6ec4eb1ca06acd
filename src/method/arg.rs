//! What the table needs to know of each type of argument beyond its trace codec: whether it is
//! the message a call names, and how it changes when messages and recipient rows are renamed
//! (symmetry reduction, [`crate::Renaming`]). A new type of argument does not compile until it
//! says both.

use crate::flags::LockState;
use crate::ids::{HookId, MessageId, MsgRef, PreprocessorId, ServiceId, StoreId, TransportId};
use crate::recipients::RecipientSet;
use crate::rename::Renaming;
use crate::version::SpiVersion;

/// An argument of a call.
pub(crate) trait Arg: Sized {
    /// The message this argument names, if it names one.
    fn message(&self) -> Option<MessageId> {
        None
    }

    /// The argument under `renaming`; `message` is the (old) message the call names, whose rows
    /// a set of recipients counts.
    fn renamed(&self, renaming: &Renaming, message: Option<MessageId>) -> Self;
}

impl Arg for MessageId {
    fn message(&self) -> Option<MessageId> {
        Some(*self)
    }

    fn renamed(&self, renaming: &Renaming, _: Option<MessageId>) -> Self {
        renaming.message(*self)
    }
}

impl Arg for Option<MessageId> {
    fn message(&self) -> Option<MessageId> {
        *self
    }

    fn renamed(&self, renaming: &Renaming, _: Option<MessageId>) -> Self {
        self.map(|m| renaming.message(m))
    }
}

impl Arg for RecipientSet {
    fn renamed(&self, renaming: &Renaming, message: Option<MessageId>) -> Self {
        message.map_or_else(|| self.clone(), |m| renaming.rows(m, self))
    }
}

/// Arguments that name no message and no recipient row: renaming leaves them as they are.
macro_rules! unrenamed {
    ($($ty:ty),* $(,)?) => {
        $(
            impl Arg for $ty {
                fn renamed(&self, _: &Renaming, _: Option<MessageId>) -> Self {
                    *self
                }
            }
        )*
    };
}

unrenamed!(TransportId, StoreId, PreprocessorId, HookId, ServiceId, MsgRef, SpiVersion, LockState);

/// Every flag word.
macro_rules! unrenamed_flags {
    ($($flags:ident),* $(,)?) => {
        unrenamed!($(crate::flags::$flags),*);
    };
}

flag_words!(unrenamed_flags);
