//! What every submission must have become when the world is quiet, and the call trace.

use super::*;

impl World {
    // -----------------------------------------------------------------------------------------
    // Outcomes when the world is quiet
    // -----------------------------------------------------------------------------------------

    /// Some recipient of the message that nobody took waits for a transport that could serve it
    /// but is out of service (ORD-10, DEF-13).
    pub(crate) fn waits_for_out_of_service(&self, msg: &StoredMessage) -> bool {
        msg.recipients.iter().filter(|r| r.outcome.is_none() && !r.row.responsibility).any(|r| {
            (0..self.spec.transports.len()).map(|t| TransportId(t as u8)).any(|t| {
                let g = self.spec.registrations(t);
                self.own.registered.contains(t) && (g.matches_uid(&r.row) || g.matches_type(&r.row)) && !self.in_service(t)
            })
        })
    }

    /// Every submitted message is in exactly one documented outcome.
    pub(crate) fn check_outcomes(&mut self) -> Result<(), String> {
        self.own.stats.quiet_checks += 1;
        if !self.own.fault.is_some_and(Fault::for_monitor) {
            let all: Vec<MessageId> = self.own.submitted.iter().map(|(_, m)| *m).collect();
            self.own.reference.agrees(self.world.stores(), all)?;
        }
        let running = !self.own.ended && !self.stopped();
        let (mut locked_waiting, mut queued) = (false, Vec::new());
        for &(s, m) in &self.own.submitted {
            let msg = self.world.store(s).message(m).ok_or(format!("the store lost {m}"))?;
            let locked = msg.submit_flags.contains(QueueFlags::SUBMITFLAG_LOCKED);
            match msg.outcome {
                Outcome::Finished(_) => {
                    // INV-23, INV-24: one disposition each, at most one report each.
                    for (i, r) in msg.recipients.iter().enumerate() {
                        if r.outcome.is_none() || !r.row.responsibility || r.reports > 1 {
                            return Err(format!("finished {m}: recipient {i} has disposition {:?} and {} reports", r.outcome, r.reports));
                        }
                    }
                    if locked {
                        return Err(format!("INV-31: finished {m} is still locked"));
                    }
                    // HOOK-7: delete after submit leaves the message in no folder at all.
                    if msg.delete_after_submit && msg.placement != Placement::Deleted {
                        return Err(format!("INV-32: finished {m} has PR_DELETE_AFTER_SUBMIT but is in {:?}", msg.placement));
                    }
                }
                Outcome::Aborted => {
                    // DEF-6: aborted while queued and unlocked; recipients sent in an earlier
                    // session keep their dispositions (the message was handed back unfinished).
                    if locked || msg.recipients.iter().any(|r| r.reports > 1) {
                        return Err(format!("aborted {m} is locked or has a recipient with two reports"));
                    }
                }
                // DEC-8: an ended session hands back what it locked, unlocked (a lock it never
                // learnt of, because it had not read that store's queue, stays for the next one).
                Outcome::Queued if self.stopped() && locked && self.world.spooler().is_watching(s) => {
                    return Err(format!("{m} is locked, the world is quiet, and the ended session did not unlock it (LIV-2, DEC-8)"));
                }
                Outcome::Queued if !running || self.own.unserved[s.index()] => {}
                Outcome::Queued if locked => {
                    // A locked message is being worked on: it may only wait for a transport out
                    // of service (ORD-10).
                    if !self.waits_for_out_of_service(msg) {
                        return Err(format!("{m} is locked, the world is quiet, and it waits for no transport out of service"));
                    }
                    locked_waiting = true;
                }
                Outcome::Queued => queued.push(m),
            }
        }
        // SUB-19, DEC-15: a queued message may wait only behind a locked one that waits.
        if let Some(m) = queued.first().filter(|_| !locked_waiting) {
            return Err(format!("{m} is still queued, the world is quiet, and no locked message waits for a transport"));
        }
        Ok(())
    }

    /// The case is over: run the world to quiet with well-behaved answers, then judge every
    /// submission.
    pub(crate) fn finish(&mut self) -> Result<(), String> {
        if !self.run(SETTLE_LIMIT, None)? {
            return Err(format!("the world did not settle within {SETTLE_LIMIT} steps after the last action"));
        }
        self.check_outcomes()?;
        for &(s, m) in &self.own.submitted {
            match self.world.store(s).message(m).map(|msg| msg.outcome) {
                Some(Outcome::Finished(_)) => self.own.stats.finished += 1,
                Some(Outcome::Aborted) => self.own.stats.aborted += 1,
                _ => self.own.stats.queued_at_end += 1,
            }
        }
        Ok(())
    }

    /// The numbered call trace, the last `limit` lines of it.
    pub(crate) fn trace_text(&self, limit: usize) -> String {
        let mut lines = Vec::new();
        for entry in &self.own.trace {
            match entry {
                Entry::Note(text) => lines.push(format!("      ~ {text}")),
                Entry::Input { n, input, result } => {
                    lines.push(format!("{n:>5}  {}", input_line(input)));
                    match result {
                        Ok(effects) => lines.extend(effects.iter().map(|e| format!("         {}", effect_line(e)))),
                        Err(text) => lines.push(format!("         {text}")),
                    }
                }
            }
        }
        let skip = lines.len().saturating_sub(limit);
        let mut out = String::new();
        if skip > 0 {
            let _ = writeln!(out, "      ({skip} earlier lines left out)");
        }
        for line in &lines[skip..] {
            let _ = writeln!(out, "{line}");
        }
        out
    }
}
