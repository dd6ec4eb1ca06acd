//! Reading trace lines: the header and every kind of event, each refused with its line, column
//! and what was expected when it is not valid.

use serde_json::{Map, Value};

use super::{Event, FORMAT_VERSION, Header, Recorded, TraceError};
use crate::Party;
use crate::trace::UndefinedFlags;
use crate::{
    AddrType, Call, CancelRequest, Directions, Effect, HookId, Hresult, Input, LockState, LogonFlags, MessageId, NdrOrigin, PreprocessorId,
    Profile, QueueEvent, RecipientIdx, RecipientOutcome, RecipientSet, Released, ReportKind, Return, ServiceId, SessionRequest, Settings,
    SpiVersion, StatusRequest, StoreId, SupportCall, TransportId, VersionRange, XpInitFlags,
};

use super::field::Reader;
use super::{Codec, KINDS, number};

impl Codec {
    /// Reads the header line (line 1) and returns it with a codec that knows its address-type
    /// names.
    ///
    /// # Errors
    /// A [`TraceError`] when the line is not a header this reference reads.
    pub fn read_header(text: &str) -> Result<(Header, Codec), TraceError> {
        let obj = parse_object(text, 1)?;
        let line = Line { obj: &obj, text, number: 1 };
        let version = line.obj.get("mapi_spooler_trace").ok_or_else(|| {
            line.error("", "the first line must be the header, {\"mapi_spooler_trace\": 1, \"transports\": [...], ...}".to_owned())
        })?;
        if version.as_u64() != Some(u64::from(FORMAT_VERSION)) {
            return Err(line.error("mapi_spooler_trace", format!("format version {version} is not supported; expected {FORMAT_VERSION}")));
        }
        let transports = line
            .ids("transports", "svc", "transports must list each entry's service, like [\"svc0\", \"svc1\"]")?
            .into_iter()
            .map(ServiceId)
            .collect();
        let stores = line.uint("stores", u8::MAX.into())? as u8;
        let recorded = match line.str("recorded")? {
            "all" => Recorded::All,
            "calls" => Recorded::Calls,
            other => return Err(line.error("recorded", format!("recorded must be \"all\" or \"calls\", not {other:?}"))),
        };
        let settings = match line.obj.get("settings") {
            None => Settings::default(),
            Some(Value::Object(obj)) => line.nested(obj).settings()?,
            Some(_) => return Err(line.error("settings", "settings must be an object".to_owned())),
        };
        let address_types = match line.obj.get("address_types") {
            None => Vec::new(),
            Some(_) => line
                .array("address_types")?
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| line.error("address_types", "address_types must be a list of names".to_owned()))?,
        };
        let header = Header { profile: Profile { transports, stores, settings }, recorded, address_types: address_types.clone() };
        Ok((header, Codec { address_types }))
    }

    /// Reads one event line (`line_number` is its line number, for errors).
    ///
    /// # Errors
    /// A [`TraceError`] that says what was wrong and what was expected.
    pub fn read_event(&mut self, text: &str, line_number: usize) -> Result<Event, TraceError> {
        let obj = parse_object(text, line_number)?;
        let line = Line { obj: &obj, text, number: line_number };
        let present: Vec<&str> = KINDS.iter().copied().filter(|k| line.obj.contains_key(*k)).collect();
        let kind = match present.as_slice() {
            [kind] => *kind,
            [] => return Err(line.error("", format!("an event line needs one of the keys {KINDS:?}"))),
            several => return Err(line.error(several[1], format!("an event line has exactly one of the keys {KINDS:?}, not {several:?}"))),
        };
        let what = line.str(kind)?;
        let r = &mut Reader::new(&line, self, what);
        let event = match kind {
            "call" => Ok(Event::Effect(Effect::Call(Call::decode(what, r)?))),
            "return" => Ok(Event::Input(Input::Return(Return::decode(what, r)?))),
            "support" => Ok(Event::Input(Input::Support(SupportCall::decode(what, r)?))),
            "queue" => Ok(Event::Input(Input::Queue(QueueEvent::decode(what, r)?))),
            "session" if what == "TransportOrder" => {
                let order =
                    line.ids("order", "T", "order must list transports, like [\"T1\", \"T0\"]")?.into_iter().map(TransportId).collect();
                Ok(Event::Input(Input::TransportOrder(order)))
            }
            "session" if what == "Cancel" => Ok(Event::Input(Input::Cancel(CancelRequest::decode(what, r)?))),
            "session" => Ok(Event::Input(Input::Session(SessionRequest::decode(what, r)?))),
            "event" => match what {
                "TimePassed" => Ok(Event::Input(Input::TimePassed { seconds: line.uint("seconds", u32::MAX.into())? as u32 })),
                "SystemIdle" => Ok(Event::Input(Input::SystemIdle)),
                "Crash" => Ok(Event::Crash),
                _ => Err(line.error("event", format!("unknown event {what:?}; expected TimePassed, SystemIdle or Crash"))),
            },
            "save" => {
                let outcome = match line.str("outcome")? {
                    "NDR" => RecipientOutcome::Undeliverable(NdrOrigin::NoTransport),
                    other => match (number(other, "T"), other.strip_prefix("NDR by ").and_then(|p| number(p, "P"))) {
                        (Some(t), _) => RecipientOutcome::Transport(TransportId(t)),
                        (None, Some(p)) => RecipientOutcome::Undeliverable(NdrOrigin::Preprocessor(PreprocessorId(p))),
                        _ => {
                            return Err(
                                line.error("outcome", format!("outcome must be a transport (T0), \"NDR\" or \"NDR by P0\", not {other:?}"))
                            );
                        }
                    },
                };
                Ok(Event::Effect(Effect::SaveRecipients {
                    store: line.store("store")?,
                    message: line.message(what, "save")?,
                    recipients: line.set("recipients")?,
                    outcome,
                }))
            }
            "report" => Ok(Event::Effect(Effect::Report {
                store: line.store("store")?,
                message: line.message_at("message")?,
                recipients: line.set("recipients")?,
                kind: report_kind(what).ok_or_else(|| line.error("report", format!("report must be \"DR\" or \"NDR\", not {what:?}")))?,
            })),
            "release" => match what {
                "logon" => Ok(Event::Effect(Effect::Release(Released::Logon(line.transport("transport")?)))),
                "provider" => Ok(Event::Effect(Effect::Release(Released::Provider(line.transport("transport")?)))),
                "unsaved" => Ok(Event::Effect(Effect::Release(Released::Unsaved {
                    store: line.store("store")?,
                    message: line.message_at("message")?,
                }))),
                "hook_deleted" => Ok(Event::Effect(Effect::Release(Released::HookDeleted {
                    store: line.store("store")?,
                    message: line.message_at("message")?,
                }))),
                _ => Err(line
                    .error("release", format!("release must be \"logon\", \"provider\", \"unsaved\" or \"hook_deleted\", not {what:?}"))),
            },
            "async" if what == "TransportNotify" => {
                if line.str("lpulFlags")? != "NOTIFY_CANCEL_MESSAGE" {
                    return Err(line.error("lpulFlags", "an asynchronous TransportNotify carries NOTIFY_CANCEL_MESSAGE".to_owned()));
                }
                Ok(Event::Effect(Effect::CancelMessage { transport: line.transport("to")?, message: line.message_at("message")? }))
            }
            "async" => Err(line.error("async", format!("async must be \"TransportNotify\", not {what:?}"))),
            "yield" if what == "MAPI_W_CANCEL_MESSAGE" => Ok(Event::Effect(Effect::YieldCancel { transport: line.transport("to")? })),
            "yield" => Err(line.error("yield", format!("yield must be \"MAPI_W_CANCEL_MESSAGE\", not {what:?}"))),
            "logoff_answer" => Ok(Event::Effect(Effect::LogoffAnswer { store: line.store("logoff_answer")?, flags: r.get("lpulFlags")? })),
            "client" => Ok(Event::Input(Input::Status(StatusRequest::decode(what, r)?))),
            "answer" => Ok(Event::Effect(Effect::StatusAnswer { request: StatusRequest::decode(what, r)?, result: r.get("result")? })),
            _ => unreachable!("KINDS lists every kind"),
        }?;
        match r.undefined.take() {
            None => Ok(event),
            Some(undefined) => Ok(Event::UndefinedFlags(UndefinedFlags {
                line: text.trim().to_owned(),
                producer: producer(kind, &line)?,
                method: what.to_owned(),
                key: undefined.key,
                word: undefined.word,
                undefined: undefined.undefined,
                documented: undefined.documented,
                rules: undefined.rules,
            })),
        }
    }

    /// The address type of a name: the header's, `adr0`, ..., or a new one numbered now.
    pub(super) fn read_addr(&mut self, name: &str) -> AddrType {
        if let Some(i) = self.address_types.iter().position(|n| n == name) {
            return AddrType(i as u16);
        }
        if let Some(n) = number(name, "adr") {
            return AddrType(n);
        }
        self.address_types.push(name.to_owned());
        AddrType((self.address_types.len() - 1) as u16)
    }
}

/// Who produced a line of this kind: the spooler for its effects, the component in `from` for
/// returns, support calls and queue changes.
fn producer(kind: &str, line: &Line<'_>) -> Result<Party, TraceError> {
    match kind {
        "return" | "support" | "queue" => {
            let from = line.str("from")?;
            match (number(from, "T"), number(from, "S"), number(from, "H")) {
                (Some(t), _, _) => Ok(Party::Transport(TransportId(t))),
                (_, Some(s), _) => Ok(Party::Store(StoreId(s))),
                (_, _, Some(h)) => Ok(Party::Hook(HookId(h))),
                _ => Err(line.error("from", format!("from must be a transport, store or hook that produced this line, not {from:?}"))),
            }
        }
        _ => Ok(Party::Spooler),
    }
}

/// A report kind by its trace name.
pub(super) fn report_kind(text: &str) -> Option<ReportKind> {
    match text {
        "DR" => Some(ReportKind::Delivery),
        "NDR" => Some(ReportKind::NonDelivery),
        _ => None,
    }
}

/// One parsed line (or an object nested in it), with what errors need to say where they are.
pub(super) struct Line<'a> {
    pub(super) obj: &'a Map<String, Value>,
    text: &'a str,
    number: usize,
}

/// Parses `text` as a JSON object: a trace line.
fn parse_object(text: &str, number: usize) -> Result<Map<String, Value>, TraceError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let detail = e.to_string();
        // serde_json appends the position, which the error carries on its own.
        let detail = detail.rfind(" at line ").map_or(detail.as_str(), |i| &detail[..i]).to_owned();
        TraceError { line: number, column: e.column().max(1), message: format!("not valid JSON: {detail}") }
    })?;
    match value {
        Value::Object(obj) => Ok(obj),
        _ => Err(TraceError { line: number, column: 1, message: "a trace line must be a JSON object".to_owned() }),
    }
}

impl<'a> Line<'a> {
    pub(super) fn nested(&self, obj: &'a Map<String, Value>) -> Line<'a> {
        Line { obj, text: self.text, number: self.number }
    }

    /// An error about `key` (its column is where `"key"` first appears on the line).
    pub(super) fn error(&self, key: &str, message: String) -> TraceError {
        let column = if key.is_empty() { 1 } else { self.text.find(&format!("\"{key}\"")).map_or(1, |i| i + 1) };
        TraceError { line: self.number, column, message }
    }

    pub(super) fn get(&self, key: &str) -> Result<&'a Value, TraceError> {
        self.obj.get(key).ok_or_else(|| self.error("", format!("missing field {key:?}")))
    }

    pub(super) fn str(&self, key: &str) -> Result<&'a str, TraceError> {
        self.get(key)?.as_str().ok_or_else(|| self.error(key, format!("{key} must be a string")))
    }

    pub(super) fn bool(&self, key: &str) -> Result<bool, TraceError> {
        self.get(key)?.as_bool().ok_or_else(|| self.error(key, format!("{key} must be true or false")))
    }

    pub(super) fn uint(&self, key: &str, max: u64) -> Result<u64, TraceError> {
        self.get(key)?
            .as_u64()
            .filter(|n| *n <= max)
            .ok_or_else(|| self.error(key, format!("{key} must be a whole number from 0 to {max}")))
    }

    pub(super) fn array(&self, key: &str) -> Result<&'a Vec<Value>, TraceError> {
        self.get(key)?.as_array().ok_or_else(|| self.error(key, format!("{key} must be a list")))
    }

    /// A list of identifiers with this prefix; `message` says what the list must be.
    pub(super) fn ids<N: std::str::FromStr>(&self, key: &str, prefix: &str, message: &str) -> Result<Vec<N>, TraceError> {
        self.array(key)?
            .iter()
            .map(|v| v.as_str().and_then(|s| number(s, prefix)))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| self.error(key, message.to_owned()))
    }

    pub(super) fn id<N: std::str::FromStr>(&self, key: &str, prefix: &str, what: &str) -> Result<N, TraceError> {
        let text = self.str(key)?;
        number(text, prefix).ok_or_else(|| self.error(key, format!("{key} must name {what} ({prefix}0, {prefix}1, ...), not {text:?}")))
    }

    pub(super) fn transport(&self, key: &str) -> Result<TransportId, TraceError> {
        self.id(key, "T", "a transport").map(TransportId)
    }

    pub(super) fn store(&self, key: &str) -> Result<StoreId, TraceError> {
        self.id(key, "S", "a store").map(StoreId)
    }

    pub(super) fn message_at(&self, key: &str) -> Result<MessageId, TraceError> {
        self.id(key, "M", "a message").map(MessageId)
    }

    /// The message named by the kind key itself (`{"save": "M1", ...}`).
    pub(super) fn message(&self, text: &str, key: &str) -> Result<MessageId, TraceError> {
        number(text, "M").map(MessageId).ok_or_else(|| self.error(key, format!("{key} must name a message (M1, M2, ...), not {text:?}")))
    }

    pub(super) fn flags<F, E: std::fmt::Display>(&self, key: &str, parse: impl Fn(&str) -> Result<F, E>) -> Result<F, TraceError> {
        let text = self.str(key)?;
        parse(text).map_err(|e| self.error(key, format!("{key}: {e} (flags are documented names joined by |, or 0)")))
    }

    pub(super) fn hresult(&self, key: &str) -> Result<Hresult, TraceError> {
        let text = self.str(key)?;
        if let Some(code) = Hresult::from_name(text) {
            return Ok(code);
        }
        text.strip_prefix("0x").and_then(|hex| u32::from_str_radix(hex, 16).ok()).map(Hresult).ok_or_else(|| {
            self.error(key, format!("{key} must be a documented result name (S_OK, MAPI_E_BUSY, ...) or 0x........, not {text:?}"))
        })
    }

    pub(super) fn version(&self, key: &str) -> Result<SpiVersion, TraceError> {
        let text = self.str(key)?;
        text.strip_prefix("0x")
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .map(SpiVersion)
            .ok_or_else(|| self.error(key, format!("{key} must be an SPI version written 0x00010010, not {text:?}")))
    }

    pub(super) fn lock_state(&self, key: &str) -> Result<LockState, TraceError> {
        match self.str(key)? {
            "MSG_LOCKED" => Ok(LockState::Locked),
            "MSG_UNLOCKED" => Ok(LockState::Unlocked),
            other => Err(self.error(key, format!("{key} must be MSG_LOCKED or MSG_UNLOCKED, not {other:?}"))),
        }
    }

    pub(super) fn set(&self, key: &str) -> Result<RecipientSet, TraceError> {
        self.array(key)?
            .iter()
            .map(|v| v.as_u64().filter(|n| *n <= u64::from(u16::MAX)).map(|n| RecipientIdx(n as u16)))
            .collect::<Option<RecipientSet>>()
            .ok_or_else(|| self.error(key, format!("{key} must be a list of recipient row numbers")))
    }

    pub(super) fn directions(&self, key: &str) -> Result<Directions, TraceError> {
        match self.str(key)? {
            "inbound+outbound" => Ok(Directions::BOTH),
            "inbound" => Ok(Directions::INBOUND),
            "outbound" => Ok(Directions::OUTBOUND),
            "none" => Ok(Directions::NONE),
            other => Err(self.error(key, format!("{key} must be inbound, outbound, inbound+outbound or none, not {other:?}"))),
        }
    }

    pub(super) fn settings(&self) -> Result<Settings, TraceError> {
        Ok(Settings {
            versions: VersionRange { mapi: self.version("ulMAPIVer")?, oldest: self.version("oldest_provider_version")? },
            init_flags: self.flags("XPProviderInit_ulFlags", XpInitFlags::parse)?,
            logon_flags: self.flags("TransportLogon_ulFlags", LogonFlags::parse)?,
            enable: self.directions("enable")?,
            busy_retry_secs: self.uint("busy_retry_secs", u32::MAX.into())? as u32,
            resend_later_secs: self.uint("resend_later_secs", u32::MAX.into())? as u32,
            failure_retry_secs: self.uint("failure_retry_secs", u32::MAX.into())? as u32,
            inbound_hooks: if self.obj.contains_key("inbound_hooks") { self.uint("inbound_hooks", u8::MAX.into())? as u8 } else { 0 },
        })
    }
}
