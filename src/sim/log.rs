//! What the simulator keeps of a run: the numbered call trace, the recorded trace, every effect,
//! refusal and violation, and the messages submitted.

use crate::effect::Effect;

use crate::ids::AddrType;
use crate::input::{Input, Return, SupportCall};
use crate::monitor::{Property, Violation};
use crate::recipients::RecipientRow;
use crate::routing::{AddressTypes, Registrations};
use crate::store::{OUTBOX, Placement, SENT_ITEMS, TcSubmission};
use crate::world::{Breach, Note, Step};

use super::{Log, effect_line, input_line};

impl Log {
    /// A step of the world: the input's line, then what the spooler did.
    pub(super) fn step(&mut self, step: &Step<'_>) {
        self.trace.push(self.input_text(step.input));
        self.events.push(crate::trace::Event::Input(step.input.clone()));
        match step.outcome {
            Ok(effects) => {
                self.events.extend(effects.iter().cloned().map(crate::trace::Event::Effect));
                if let Some(breach) = step.breach {
                    let violation = match breach {
                        Breach::Violation(violation) => violation.clone(),
                        Breach::OneCall(_) | Breach::ChangedByRefusal => {
                            Violation { property: Property::OneCallAtATime, detail: breach.to_string() }
                        }
                    };
                    self.trace.push(format!("VIOLATION: {violation}"));
                    self.violations.push(violation);
                }
                self.trace.extend(effects.iter().filter(|e| !matches!(e, Effect::Call(_))).map(effect_line));
                if let Some(Effect::Call(call)) = effects.iter().find(|e| matches!(e, Effect::Call(_))) {
                    self.trace.push(format!("spooler -> {call}"));
                }
                self.effects.extend(effects.iter().cloned());
            }
            Err(error) => {
                self.trace.push(format!("REFUSED: {error}"));
                self.refused.push(error.clone());
            }
        }
    }

    /// Something the world did besides feeding the spooler.
    pub(super) fn note(&mut self, note: &Note<'_>) {
        let line = match note {
            Note::Submitted { store, recipients, result } => {
                let names: Vec<String> = recipients.iter().enumerate().map(|(i, r)| format!("{i}:{}", self.name_of(r))).collect();
                match result {
                    Ok(row) => {
                        self.submitted.push((*store, row.message));
                        format!("client -> {store}.SubmitMessage({} to [{}]) => S_OK", row.message, names.join(", "))
                    }
                    Err(h) => format!("client -> {store}.SubmitMessage(to [{}]) => {h}", names.join(", ")),
                }
            }
            Note::Aborted { store, message, result } => format!("client -> {store}.AbortSubmit({message}) => {result}"),
            Note::SubmittedCoupled { store, result } => match result {
                Ok(TcSubmission::Completed(row)) => {
                    self.submitted.push((*store, row.message));
                    format!("client -> {store}.SubmitMessage({}) => the pair served every recipient", row.message)
                }
                Ok(TcSubmission::FinishedAlone(id)) => {
                    self.submitted.push((*store, *id));
                    format!("client -> {store}.SubmitMessage({id}) => the pair served every recipient and the store finished alone")
                }
                Ok(TcSubmission::Queued(row)) => {
                    self.submitted.push((*store, row.message));
                    format!("client -> {store}.SubmitMessage({}) => queued for the spooler", row.message)
                }
                Err(h) => format!("client -> {store}.SubmitMessage => {h}"),
            },
            Note::Crashed => {
                self.events.push(crate::trace::Event::Crash);
                "CRASH: the spooler process dies; the stores keep what they saved".to_owned()
            }
            Note::Saved { transport, message, class } => {
                format!("{transport}: wrote a message of class {class} into {message} and saved it")
            }
            Note::Finished { store, message, placement } => {
                let placed = match placement {
                    Placement::Deleted => "deleted it".to_owned(),
                    Placement::Folder(f) if *f == OUTBOX => "left it in the Outbox".to_owned(),
                    Placement::Folder(f) if *f == SENT_ITEMS => "moved it to Sent Items".to_owned(),
                    Placement::Folder(f) => format!("moved it to folder {f}"),
                };
                format!("{store}: FinishedMsg unlocked {message} and {placed}")
            }
            Note::Placed { store, message, class } => format!("{store}: the coupled pair placed {message} of class {class}"),
        };
        self.trace.push(line);
    }

    /// The trace line of an input, with the address types by name.
    fn input_text(&self, input: &Input) -> String {
        match input {
            Input::Return(Return::AddressTypes { transport, result: Ok(registrations) }) => {
                format!("spooler <- {transport}.AddressTypes => S_OK {}", self.registrations_text(registrations))
            }
            Input::Support(SupportCall::RegisterPreprocessor { transport, filter }) => {
                let uid = filter.uid.map_or_else(|| "NULL".to_owned(), |u| u.to_string());
                let adr = filter.addr_type.map_or_else(|| "NULL".to_owned(), |a| self.addr_name(a));
                format!("{transport} -> support.RegisterPreprocessor(lpMuid={uid}, lpszAdrType={adr})")
            }
            _ => input_line(input),
        }
    }

    pub(super) fn name_of(&self, r: &RecipientRow) -> String {
        let addr = self.addr_name(r.addr_type);
        match r.uid {
            Some(uid) => format!("{addr}/{uid}"),
            None => addr,
        }
    }

    fn addr_name(&self, a: AddrType) -> String {
        self.addr_names.get(a.index()).cloned().unwrap_or_else(|| a.to_string())
    }

    fn registrations_text(&self, registrations: &Registrations) -> String {
        let name = |a: &AddrType| self.addr_name(*a);
        let types = match &registrations.address_types {
            AddressTypes::Any => "NULL (any type)".to_owned(),
            AddressTypes::Listed(types) => format!("[{}]", types.iter().map(name).collect::<Vec<_>>().join(", ")),
        };
        let uids: Vec<String> = registrations.uids.iter().map(ToString::to_string).collect();
        format!("lpppAdrTypeArray={types} lpppUIDArray=[{}]", uids.join(", "))
    }
}
