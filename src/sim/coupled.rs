//! The simulator's tightly coupled pair (TC-1 to TC-8), inbound hooks (HOOK-13) and store
//! logoff (LIFE-20).

use crate::effect::Effect;
use crate::flags::LogoffFlags;
use crate::hresult::Hresult;
use crate::ids::{MessageId, StoreId, TransportId};
use crate::input::HookOutcome;
use crate::store::{Draft, TcSubmission};

use super::{Coupling, Sim};

impl Sim {
    /// The same world with `transport` tightly coupled to `store`: once its status row exists
    /// it publishes the store in `PR_OWN_STORE_ENTRYID` (TC-1). `hand_over` chooses between
    /// `CompleteMsg` and finishing alone for fully served messages (TC-3).
    #[must_use]
    pub fn with_coupling(mut self, store: StoreId, transport: TransportId, hand_over: bool) -> Sim {
        self.script.coupling = Some(Coupling { store, transport, hand_over });
        self
    }

    /// What each inbound hook answers, in turn (`answers[h]` for hook `h`); a hook with no
    /// answer left keeps the message (HOOK-13).
    #[must_use]
    pub fn with_hook_answers(mut self, answers: Vec<Vec<HookOutcome>>) -> Sim {
        for (queue, list) in self.script.hook_answers.iter_mut().zip(answers) {
            queue.extend(list);
        }
        self
    }

    /// A client submits a message to the coupled store (SUB-13, TC-3, TC-4): the pair serves
    /// what its transport's script serves, then the store calls `CompleteMsg`, finishes alone,
    /// or queues the message. The spooler is not run.
    ///
    /// # Errors
    /// What the store's `IMessage::SubmitMessage` returned; `MAPI_E_NO_SUPPORT` when the world
    /// has no coupled pair.
    pub fn submit_coupled(&mut self, draft: Draft) -> Result<TcSubmission, Hresult> {
        let Some(c) = self.script.coupling else { return Err(Hresult::MAPI_E_NO_SUPPORT) };
        let script = self.script.scripts[c.transport.index()].clone();
        self.world.submit_coupled(c.store, c.transport, draft, |r| script.serves(r), c.hand_over, &mut self.script)
    }

    /// The coupled pair receives a message of `class` and places it itself, then the store
    /// announces it with `SpoolerNotify(NOTIFY_NEWMAIL_RECEIVED)` (RCV-16, TC-8). Runs until the
    /// world settles. Returns the new message, or `None` without a coupled pair.
    pub fn deliver_coupled(&mut self, class: &str) -> Option<MessageId> {
        let c = self.script.coupling?;
        let id = self.world.place_inbound(c.store, class, &mut self.script);
        self.run();
        Some(id)
    }

    /// The store calls `StoreLogoffTransports` (LIFE-20): the spooler's answer, or `None` when it
    /// refused the call. The spooler is not run.
    pub fn store_logoff(&mut self, store: StoreId, flags: LogoffFlags) -> Option<LogoffFlags> {
        if !self.world.store_logoff(store, flags, &mut self.script) {
            return None;
        }
        self.effects().iter().rev().find_map(|e| match e {
            Effect::LogoffAnswer { store: s, flags } if *s == store => Some(*flags),
            _ => None,
        })
    }
}
