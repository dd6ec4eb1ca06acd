//! The stateright model: the world's moves as actions, the spooler's properties as checks.

use std::sync::atomic::{AtomicU64, Ordering};

use mapi_spooler::store::{OUTBOX, Outcome, Placement};
use mapi_spooler::{Property as Inv, QueueFlags, Spooler, TransportId};
use stateright::{Model, Property};

use crate::config::{Config, Fault};
use crate::world::{Action, Broken, MoveKind, STORE, World, profile};

/// The spooler in its world, as a stateright model.
#[derive(Debug)]
pub struct SpoolerModel {
    /// The configuration.
    pub config: Config,
    pristine: Spooler,
    moves: AtomicU64,
    coverage: std::sync::Arc<crate::coverage::Coverage>,
}

impl Clone for SpoolerModel {
    fn clone(&self) -> SpoolerModel {
        SpoolerModel {
            config: self.config.clone(),
            pristine: self.pristine.clone(),
            moves: AtomicU64::new(self.moves.load(Ordering::Relaxed)),
            coverage: self.coverage.clone(),
        }
    }
}

impl SpoolerModel {
    /// A model of this configuration.
    ///
    /// # Errors
    /// A message when the configuration is out of range.
    pub fn new(config: Config) -> Result<SpoolerModel, String> {
        config.validate()?;
        let pristine = Spooler::new(&profile(&config)).map_err(|e| e.to_string())?.with_bug(config.bug);
        Ok(SpoolerModel { config, pristine, moves: AtomicU64::new(0), coverage: std::sync::Arc::default() })
    }

    /// The world this model checks.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The initial world, logging the start.
    #[must_use]
    pub fn initial_recorded(&self, log: &mut Vec<crate::world::Event>) -> World {
        World::new_recorded(&self.config, &self.pristine, log)
    }

    /// The world after a move, logging every input, effect and world event.
    #[must_use]
    pub fn replay(&self, state: &World, action: &Action, log: &mut Vec<crate::world::Event>) -> World {
        state.next(&self.config, &self.pristine, action, Some(log), None)
    }

    /// The kinds of world move that happened in the transitions explored so far.
    #[must_use]
    pub fn moves_seen(&self) -> Vec<&'static str> {
        let seen = self.moves.load(Ordering::Relaxed);
        MoveKind::all().filter(|k| seen & (1 << k.index()) != 0).map(MoveKind::name).collect()
    }

    /// The kinds of world move this configuration allows.
    #[must_use]
    pub fn moves_possible(&self) -> Vec<&'static str> {
        let mut kinds: Vec<&'static str> = MoveKind::all().filter(|k| k.possible(&self.config)).map(MoveKind::name).collect();
        kinds.sort_unstable();
        kinds
    }

    /// The kinds of input and the flags the world fed the spooler in the transitions explored so
    /// far (see [`crate::coverage`]).
    #[must_use]
    pub fn inputs_reached(&self) -> std::collections::BTreeSet<String> {
        self.coverage.reached()
    }

    fn record(&self, action: &Action) {
        self.moves.fetch_or(1 << action.kind().index(), Ordering::Relaxed);
    }

    /// True when the world can make no move: the run is over.
    #[must_use]
    pub fn is_terminal(&self, state: &World) -> bool {
        let mut actions = Vec::new();
        state.actions(&self.config, &mut actions);
        actions.is_empty()
    }
}

impl Model for SpoolerModel {
    type State = World;
    type Action = Action;

    fn init_states(&self) -> Vec<World> {
        vec![World::new(&self.config, &self.pristine)]
    }

    fn actions(&self, state: &World, actions: &mut Vec<Action>) {
        state.actions(&self.config, actions);
    }

    fn next_state(&self, state: &World, action: Action) -> Option<World> {
        self.record(&action);
        Some(state.next(&self.config, &self.pristine, &action, None, Some(&self.coverage)))
    }

    fn format_action(&self, action: &Action) -> String {
        crate::view::action_words(action)
    }

    fn format_step(&self, last_state: &World, action: Action) -> Option<String> {
        Some(crate::explorer::step_text(self, last_state, &action))
    }

    fn as_svg(&self, path: stateright::Path<World, Action>) -> Option<String> {
        Some(crate::explorer::path_svg(self, &path.into_actions()))
    }

    fn properties(&self) -> Vec<Property<SpoolerModel>> {
        properties(&self.config)
    }
}

/// The end state of a submission: finished or aborted, or waiting only for transports that are
/// out of service for the rest of the session, every other capable transport having declined
/// (ORD-10). The declines are the spooler's record, which INV-22 checks independently.
fn ended(model: &SpoolerModel, state: &World, id: mapi_spooler::MessageId, msg: &mapi_spooler::store::StoredMessage) -> bool {
    match msg.outcome {
        Outcome::Finished(_) | Outcome::Aborted => true,
        // LIFE-12, DEC-8: the session ended and handed the message back for the next one; a
        // lock it never learnt of (the session ended before it read the queue) stays for the
        // next session to adopt (DEC-12).
        Outcome::Queued if state.spooler().phase() == mapi_spooler::Phase::Stopped => {
            !msg.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED) || !state.spooler().is_watching(crate::world::STORE)
        }
        // LIFE-20: a store logging off with LOGOFF_ORDERLY gets no new message started.
        Outcome::Queued
            if !msg.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED)
                && state.logoff.is_some_and(|(flags, _)| flags == mapi_spooler::LogoffFlags::LOGOFF_ORDERLY) =>
        {
            true
        }
        Outcome::Queued => {
            let view = state.spooler().message_view(id);
            msg.recipients.iter().enumerate().all(|(j, r)| {
                let declined = match view.as_ref().map(|v| v.recipients[j]) {
                    Some(mapi_spooler::RecipientView::Open { declined }) => declined,
                    _ => mapi_spooler::TransportSet::EMPTY,
                };
                let capable = model.config.capable(r.row.addr_type.get());
                r.outcome.is_some()
                    || r.row.responsibility
                    || capable.iter().all(|t| declined.contains(TransportId(*t)) || state.out_of_service().contains(TransportId(*t)))
            })
        }
    }
}

/// The name of the refinement property: the run agrees with the reference model of submissions.
pub const REFINEMENT: &str = "refines the reference model";

macro_rules! invariants {
    ($($variant:ident),* $(,)?) => {
        vec![$(Property::always(Inv::$variant.id(), |_: &SpoolerModel, s: &World| s.broken != Some(Broken::Violation(Inv::$variant))),)*]
    };
}

/// Every property checked: the monitor's safety properties, the store-level ones, liveness on
/// terminal states, and the reachability guards that the configuration makes reachable.
#[must_use]
pub fn properties(config: &Config) -> Vec<Property<SpoolerModel>> {
    let mut all = invariants![
        CallOrder,
        NothingAfterLogoff,
        ShutdownGating,
        CriticalIsTerminal,
        FailedService,
        VersionGate,
        OutboundGate,
        CapabilityGate,
        CriticalSectionGate,
        WellFormedNotify,
        LockBeforeHandOff,
        AbortVersusLock,
        EndMessagePairing,
        OneMessagePerTransport,
        RefReuse,
        TakenNeverOffered,
        ScanOrder,
        OneDisposition,
        OneReport,
        FinishedOnlyWhenDone,
        FinishedDiscipline,
        PreprocessFirst,
        TransportFifo,
        RetryDelay,
        DeferralProtocol,
        OneCallAtATime,
        InboundGate,
        CommitBeforeNotify,
        CancelledInboundDiscarded,
        CancelledNeverOffered,
        CancelTarget,
        CompletedByPair,
        CompletedNotQueued,
        RowMirrorsEnabled,
        FlushProtocol,
        CancelWithdraws,
        Requery,
        StatusRowLifetime,
        OwnRecipientsOnly,
    ];
    all.extend([
        Property::always("world follows the documentation", |_: &SpoolerModel, s: &World| s.broken != Some(Broken::Refused)),
        // Every step refines the reference model of submissions (`mapi_spooler::reference`):
        // each disposition, report, offer, lock and FinishedMsg is one the rules allow then, each
        // one they make due happens, and the stores agree with it (SUB-20 to SUB-34, ORD-4,
        // DEF-5 to DEF-11, INV-23, INV-24).
        Property::always(REFINEMENT, |_: &SpoolerModel, s: &World| s.broken != Some(Broken::Refinement)),
        // INV-31: a message that ended is unlocked and out of the queue.
        Property::always("INV-31", |_: &SpoolerModel, s: &World| {
            s.store(STORE).messages().all(|(id, m)| {
                m.outcome == Outcome::Queued || (!m.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED) && !s.store(STORE).is_queued(id))
            })
        }),
        // INV-32, INV-33: where FinishedMsg files the message (HOOK-7).
        Property::always("INV-32", |_: &SpoolerModel, s: &World| {
            s.store(STORE)
                .messages()
                .all(|(_, m)| !matches!(m.outcome, Outcome::Finished(_)) || !m.delete_after_submit || m.placement == Placement::Deleted)
        }),
        // INV-33: with PR_SENTMAIL_ENTRYID = F it ends in F, whatever F is; with neither property
        // it stays in the Outbox it was submitted from (no hook runs in the model).
        Property::always("INV-33", |_: &SpoolerModel, s: &World| {
            s.store(STORE).messages().all(|(_, m)| {
                !matches!(m.outcome, Outcome::Finished(_))
                    || m.delete_after_submit
                    || m.placement == Placement::Folder(m.sentmail.unwrap_or(OUTBOX))
            })
        }),
        // INV-16: while a message is queued, a client's MAPI_MODIFY open fails with
        // MAPI_E_SUBMITTED; while the spooler holds its lock, every client open fails with
        // MAPI_E_NO_ACCESS (SUB-15).
        Property::always("INV-16", |_: &SpoolerModel, s: &World| {
            use mapi_spooler::Hresult as H;
            s.store(STORE).messages().all(|(id, m)| {
                let locked = m.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED);
                match (m.outcome, locked) {
                    (_, true) => {
                        s.store(STORE).client_open(id, false) == H::MAPI_E_NO_ACCESS
                            && s.store(STORE).client_open(id, true) == H::MAPI_E_NO_ACCESS
                    }
                    (Outcome::Queued, false) => {
                        s.store(STORE).client_open(id, true) == H::MAPI_E_SUBMITTED && s.store(STORE).client_open(id, false) == H::S_OK
                    }
                    _ => true,
                }
            })
        }),
        // LIV-1: every run ends, and when it does every submission has ended.
        Property::always("LIV-1", |model: &SpoolerModel, s: &World| {
            !model.is_terminal(s) || s.broken.is_some() || s.store(STORE).messages().all(|(id, m)| ended(model, s, id, m))
        }),
        // LIV-2: when the run ends no lock is left, except on a message that waits for a
        // transport out of service.
        Property::always("LIV-2", |model: &SpoolerModel, s: &World| {
            !model.is_terminal(s)
                || s.broken.is_some()
                || s.store(STORE)
                    .messages()
                    .all(|(id, m)| !m.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED) || ended(model, s, id, m))
        }),
        // LIV-4: when the run ends, mail that transport 0 announced (or that a poll counted) was
        // fetched, unless its inbound traffic is off or it is out of service.
        Property::always("LIV-4", |model: &SpoolerModel, s: &World| {
            !model.is_terminal(s)
                || s.broken.is_some()
                || !(s.mail > 0
                    && s.transport(TransportId(0)).logon().is_some_and(|l| l.announced && l.enabled.inbound)
                    && !s.out_of_service().contains(TransportId(0)))
                // LIFE-20: a store that logs off takes no new inbound message.
                || s.logoff.is_some()
        }),
        // LIV-3: when the run ends, every recipient has its final disposition: saved, or TRUE
        // when read, for a finished message; withdrawn with an aborted one (DEC-27); for a
        // message still queued, handed back to the next session (DEC-8) or waiting only as LIV-1
        // allows (ORD-10). Whether a lock is left is LIV-2's business.
        Property::always("LIV-3", |model: &SpoolerModel, s: &World| {
            !model.is_terminal(s)
                || s.broken.is_some()
                || s.store(STORE).messages().all(|(id, m)| match m.outcome {
                    Outcome::Finished(_) => m.recipients.iter().all(|r| r.outcome.is_some() || r.row.responsibility),
                    Outcome::Aborted => true,
                    Outcome::Queued => s.spooler().phase() == mapi_spooler::Phase::Stopped || ended(model, s, id, m),
                })
        }),
        // LIV-8: no state is stuck: where the world has no move left, the spooler waits for
        // nothing: no call in flight unanswered, no retry delay still running in a session that
        // goes on, no deferred message held.
        Property::always("LIV-8", |model: &SpoolerModel, s: &World| {
            !model.is_terminal(s)
                || s.broken.is_some()
                || s.spooler().phase() == mapi_spooler::Phase::Stopped
                || (s.spooler().call_in_flight().is_none() && s.spooler().next_deadline().is_none() && s.held().is_empty())
        }),
        // INV-38: a saved inbound message is in the folder of the longest class of the store's
        // receive-folder table that begins its class, or in the default (RCV-12), by an oracle
        // of its own rather than `store::receive_folder`.
        Property::always("INV-38", |_: &SpoolerModel, s: &World| {
            s.store(STORE).inbound_messages().all(|(_, m)| match &m.class {
                // A message an inbound hook deleted has no folder (HOOK-13).
                Some(_) if m.spooler_status == Some(mapi_spooler::Hresult::MAPI_E_OBJECT_DELETED) => m.folder.is_none(),
                Some(class) => m.folder == Some(receive_folder_oracle(s.store(STORE).receive_folders(), class)),
                None => m.notified == 0,
            })
        }),
        // INV-35, the store's side: a message the coupled pair completed is never in the
        // outgoing queue (TC-3, TC-6).
        Property::always("INV-35 (store)", |_: &SpoolerModel, s: &World| s.store(STORE).completed_never_queued()),
        // LIV-6: an ended session logged every transport off and shut every provider down.
        Property::always("LIV-6", |model: &SpoolerModel, s: &World| {
            s.spooler().phase() != mapi_spooler::Phase::Stopped
                || (0..model.config.transports)
                    .all(|t| matches!(s.spooler().transport_view(TransportId(t)), Some(mapi_spooler::TransportView::Gone(_))))
        }),
        // LIV-5: when the run ends, every flush begun with FlushQueues ended (or went with its
        // transport), none is left due, and no live transport's row still shows a flush bit.
        Property::always("LIV-5", |model: &SpoolerModel, s: &World| !model.is_terminal(s) || s.broken.is_some() || flushes_over(model, s)),
        // LIV-7: when the run ends, no transport holds a critical section, and the spooler
        // knows it (Idle and Poll may go to every transport again).
        Property::always("LIV-7", |model: &SpoolerModel, s: &World| {
            !model.is_terminal(s)
                || s.broken.is_some()
                || (s.in_critical_section().is_empty()
                    && (0..model.config.transports).all(|t| {
                        !matches!(
                            s.spooler().transport_view(TransportId(t)),
                            Some(mapi_spooler::TransportView::LoggedOn { critical_section: true, .. })
                        )
                    }))
        }),
        // STAT-11, STAT-17: when the run ends, every synchronous status call was answered.
        Property::always("every status call is answered", |model: &SpoolerModel, s: &World| {
            !model.is_terminal(s) || s.broken.is_some() || s.waiting == 0
        }),
        Property::sometimes("a message is finished", |_: &SpoolerModel, s: &World| {
            s.store(STORE).messages().any(|(_, m)| matches!(m.outcome, Outcome::Finished(_)))
        }),
        Property::sometimes("every message is finished", |model: &SpoolerModel, s: &World| {
            s.drafts == 0
                && s.store(STORE).messages().count() == usize::from(model.config.messages)
                && s.store(STORE).messages().all(|(_, m)| matches!(m.outcome, Outcome::Finished(_)))
        }),
    ]);
    let faults = config.fault_budget > 0;
    let f = |any: &[Fault]| faults && any.iter().any(|fault| config.faults.contains(*fault));
    let guards: [(bool, Property<SpoolerModel>); 14] = [
        (
            config.cancels > 0,
            Property::sometimes("a cancel reaches the transport of the call in flight", |_: &SpoolerModel, s: &World| s.cancel_told()),
        ),
        (
            config.cancels > 0,
            Property::sometimes("a message the user cancelled goes back unsent", |model: &SpoolerModel, s: &World| {
                s.budget.cancels < model.config.cancels
                    && s.budget.aborts == model.config.aborts
                    && s.store(STORE).messages().any(|(_, m)| m.outcome == Outcome::Aborted)
            }),
        ),
        (config.flushes > 0, Property::sometimes("a flush is under way", |_: &SpoolerModel, s: &World| s.monitor().open_flush().is_some())),
        (
            config.flushes > 0,
            Property::sometimes("a flush ends while the session runs", |model: &SpoolerModel, s: &World| {
                s.budget.flushes < model.config.flushes
                    && s.waiting == 0
                    && s.spooler().phase() == mapi_spooler::Phase::Running
                    && s.out_of_service().is_empty()
                    && flushes_over(model, s)
            }),
        ),
        (
            config.status_calls > 0,
            Property::sometimes("a validation is forwarded", |_: &SpoolerModel, s: &World| {
                matches!(s.spooler().call_in_flight(), Some(mapi_spooler::Call::ValidateState { .. }))
            }),
        ),
        (
            config.critsecs > 0,
            Property::sometimes("a transport holds a critical section", |_: &SpoolerModel, s: &World| !s.in_critical_section().is_empty()),
        ),
        (
            config.inbound > 0,
            Property::sometimes("an inbound message is announced to the store", |_: &SpoolerModel, s: &World| {
                s.store(STORE).inbound_messages().any(|(_, m)| m.notified > 0)
            }),
        ),
        (
            config.aborts > 0,
            Property::sometimes("a message is aborted", |_: &SpoolerModel, s: &World| {
                s.store(STORE).messages().any(|(_, m)| m.outcome == Outcome::Aborted)
            }),
        ),
        (
            f(&[Fault::Busy, Fault::Wait, Fault::Network, Fault::Resend]),
            Property::sometimes("a retry delay is pending", |_: &SpoolerModel, s: &World| s.spooler().next_deadline().is_some()),
        ),
        (
            f(&[Fault::Reports, Fault::NotMe, Fault::Partial]),
            Property::sometimes("a report is raised", |_: &SpoolerModel, s: &World| {
                s.store(STORE).messages().any(|(_, m)| m.recipients.iter().any(|r| r.reports > 0))
            }),
        ),
        (
            f(&[Fault::Defer]),
            Property::sometimes("a transport holds a deferred message", |_: &SpoolerModel, s: &World| !s.held().is_empty()),
        ),
        (
            f(&[Fault::Critical, Fault::Logon, Fault::Version]),
            Property::sometimes("a transport is out of service", |_: &SpoolerModel, s: &World| !s.out_of_service().is_empty()),
        ),
        (
            config.shutdowns > 0,
            Property::sometimes("the session ended with work handed back", |_: &SpoolerModel, s: &World| {
                s.spooler().phase() == mapi_spooler::Phase::Stopped && s.store(STORE).messages().any(|(_, m)| m.outcome == Outcome::Queued)
            }),
        ),
        (
            config.crashes > 0,
            Property::sometimes("the spooler restarted with a message locked", |model: &SpoolerModel, s: &World| {
                s.budget.crashes < model.config.crashes
                    && s.store(STORE).messages().any(|(_, m)| m.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED))
            }),
        ),
    ];
    all.extend(guards.into_iter().filter(|(on, _)| *on).map(|(_, p)| p));
    all.extend(coupled_guards(config));
    all
}

/// The reachability guards of the tightly coupled pair, the inbound hooks and the store logoff
/// (TC-3, TC-4, RCV-16, HOOK-13, LIFE-20).
fn coupled_guards(config: &Config) -> Vec<Property<SpoolerModel>> {
    let guards: [(bool, Property<SpoolerModel>); 6] = [
        (
            config.coupled,
            Property::sometimes("a message completed by the coupled pair is finished", |_: &SpoolerModel, s: &World| {
                s.store(STORE).messages().any(|(id, m)| s.store(STORE).completed(id) && matches!(m.outcome, Outcome::Finished(_)))
            }),
        ),
        (
            config.coupled,
            Property::sometimes("a partly served message is settled by the spooler", |_: &SpoolerModel, s: &World| {
                s.store(STORE).messages().any(|(id, _)| {
                    s.spooler().message_view(id).is_some_and(|v| {
                        v.recipients.contains(&mapi_spooler::RecipientView::AlreadyTaken)
                            && v.recipients.iter().any(|r| matches!(r, mapi_spooler::RecipientView::Done(_)))
                    }) && !s.store(STORE).completed(id)
                })
            }),
        ),
        (
            config.arrivals > 0,
            Property::sometimes("a message the coupled pair placed is announced", |model: &SpoolerModel, s: &World| {
                s.arrivals < model.config.arrivals && s.store(STORE).inbound_messages().any(|(_, m)| m.notified > 0)
            }),
        ),
        (
            config.inbound_hooks > 0 && (config.inbound > 0 || config.arrivals > 0),
            Property::sometimes("an inbound hook deleted a message", |_: &SpoolerModel, s: &World| {
                s.store(STORE).inbound_messages().any(|(_, m)| m.spooler_status == Some(mapi_spooler::Hresult::MAPI_E_OBJECT_DELETED))
            }),
        ),
        (config.store_logoff, Property::sometimes("the store logged off", |_: &SpoolerModel, s: &World| s.logged_off())),
        (
            config.store_logoff,
            Property::sometimes("the store was told the spooler is busy", |_: &SpoolerModel, s: &World| {
                s.logoff.is_some_and(|(_, answer)| answer.intersects(mapi_spooler::LogoffFlags::BUSY))
            }),
        ),
    ];
    guards.into_iter().filter(|(on, _)| *on).map(|(_, p)| p).collect()
}

/// INV-38's oracle (RCV-12), written apart from `store::receive_folder`: the registered class
/// equal to the message class, or followed in it by a dot, case aside, the longest such one;
/// otherwise the root folder for an `IPC` class and the Inbox for any other. An entry for the
/// empty class begins every class.
fn receive_folder_oracle(table: &[(String, mapi_spooler::FolderId)], class: &str) -> mapi_spooler::FolderId {
    let class = class.to_ascii_lowercase();
    let begins = |registered: &str| {
        let registered = registered.to_ascii_lowercase();
        registered.is_empty() || class == registered || class.starts_with(&format!("{registered}."))
    };
    let mut best: Option<(usize, mapi_spooler::FolderId)> = None;
    for (registered, folder) in table {
        if begins(registered) && best.is_none_or(|(len, _)| registered.len() > len) {
            best = Some((registered.len(), *folder));
        }
    }
    match best {
        Some((_, folder)) => folder,
        None if class == "ipc" || class.starts_with("ipc.") => mapi_spooler::store::ROOT,
        None => mapi_spooler::store::INBOX,
    }
}

/// LIV-5: no flush begun with `FlushQueues` is still open, none is due, and no live
/// transport's row shows a flush bit.
fn flushes_over(model: &SpoolerModel, s: &World) -> bool {
    let flushing = mapi_spooler::StatusCode::STATUS_INBOUND_FLUSH | mapi_spooler::StatusCode::STATUS_OUTBOUND_FLUSH;
    s.monitor().open_flush().is_none()
        && (0..model.config.transports).all(|t| {
            let t = TransportId(t);
            s.spooler().flush_view(t).is_none()
                && !matches!(
                    s.spooler().transport_view(t),
                    Some(mapi_spooler::TransportView::LoggedOn { status_row: Some(row), critical: false, .. }) if row.intersects(flushing)
                )
        })
}
