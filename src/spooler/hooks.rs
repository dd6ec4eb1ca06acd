//! Inbound spooler hooks (HOOK-6, HOOK-13, RCV-11): after a received message is in the store,
//! each hook provider that asked for inbound mail sees it with `ISpoolerHook::InboundMsgHook`,
//! in profile order; only then does the spooler call `NotifyNewMail`, and never for a message a
//! hook deleted (INV-36).
//!
//! `PR_SPOOLER_STATUS` follows from the outcome (DEC-42): `S_OK` for a message that stays, in
//! its folder or in the one a hook moved it to, which `NotifyNewMail` announces;
//! `MAPI_E_OBJECT_DELETED` for a message a hook deleted, which the spooler releases
//! ([`crate::Released::HookDeleted`]) without announcing it.

use crate::effect::{Call, Effect, Effects, Released};
use crate::flags::HookFlags;
use crate::hresult::Hresult;
use crate::ids::{HookId, MessageId, StoreId};
use crate::input::HookOutcome;

use super::{InFlight, Inbound, Spooler};

impl Spooler {
    /// The next call for a message in the store: the inbound hook number `next`, or
    /// `NotifyNewMail` once every hook has seen it (HOOK-13, RCV-10, RCV-11).
    pub(super) fn hook_or_notify(&self, store: StoreId, message: MessageId, next: u8) -> InFlight {
        if next < self.settings.inbound_hooks {
            InFlight::Plain(Call::InboundMsgHook { hook: HookId(next), store, message })
        } else {
            InFlight::Plain(Call::NotifyNewMail { store, message })
        }
    }

    /// `InboundMsgHook` returned (HOOK-6, HOOK-13, RCV-11, DEC-42): `HOOK_DELETE` ends the
    /// message's way, which is released with `PR_SPOOLER_STATUS` `MAPI_E_OBJECT_DELETED` and
    /// never announced; `HOOK_CANCEL` skips the remaining hooks; a move keeps the message in
    /// the store; a hook's error passes the message on to the next hook unchanged.
    pub(super) fn returned_hook(
        &mut self,
        store: StoreId,
        message: MessageId,
        next: u8,
        result: Result<HookOutcome, Hresult>,
        fx: &mut Effects,
    ) {
        let outcome = result.unwrap_or(HookOutcome::KEEP);
        if outcome.flags.contains(HookFlags::HOOK_DELETE) && !bug!(self, NotifyHookDeleted) {
            self.inbound = None;
            fx.push(Effect::Release(Released::HookDeleted { store, message }));
            return;
        }
        let next = if outcome.flags.contains(HookFlags::HOOK_CANCEL) { self.settings.inbound_hooks } else { next + 1 };
        self.inbound = Some(Inbound::Hooking { store, message, next });
    }
}
