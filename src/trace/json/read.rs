//! Reading trace lines: the header and every kind of event, each refused with its line, column
//! and what was expected when it is not valid.

use serde_json::{Map, Value};

use super::{Event, FORMAT_VERSION, Header, Recorded, TraceError};
use crate::{
    AddrType, AddressTypes, Call, Caller, CancelRequest, Delivery, Directions, Effect, EndFlags, Hresult, Input, LockState, LogonCaps,
    LogonFlags, MapiUid, MessageId, MsgRef, NdrOrigin, NotifyFlags, PreprocessorFilter, PreprocessorId, Profile, QueueEvent, QueueFlags,
    QueueRow, RecipientIdx, RecipientOutcome, RecipientRow, RecipientSet, Registrations, Released, ReportKind, ReportRequests, Return,
    ServiceId, SessionRequest, Settings, SpiVersion, SpoolerNotifyFlags, StatusCode, StatusRowFlags, StoreId, SubmitFlags, SubmitOutcome,
    SupportCall, TransportId, VersionRange, XpInitFlags,
};
use crate::{FlushFlags, PasswordFlags, ResourceFlags, ResourceMethods, SettingsFlags, StatusColumns, StatusRequest, ValidateFlags};
use crate::{FolderId, HookFlags, HookId, HookOutcome, LogoffFlags};

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
            .array("transports")?
            .iter()
            .map(|v| v.as_str().and_then(|s| number(s, "svc")).map(ServiceId))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| line.error("transports", "transports must list each entry's service, like [\"svc0\", \"svc1\"]".to_owned()))?;
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
        match kind {
            "call" => Ok(Event::Effect(Effect::Call(line.call(what)?))),
            "return" => Ok(Event::Input(Input::Return(self.read_return(&line, what)?))),
            "support" => Ok(Event::Input(Input::Support(self.read_support(&line, what)?))),
            "queue" => Ok(Event::Input(Input::Queue(self.read_queue(&line, what)?))),
            "session" if what == "TransportOrder" => {
                let order = line
                    .array("order")?
                    .iter()
                    .map(|v| v.as_str().and_then(|s| number(s, "T")).map(TransportId))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| line.error("order", "order must list transports, like [\"T1\", \"T0\"]".to_owned()))?;
                Ok(Event::Input(Input::TransportOrder(order)))
            }
            "session" if what == "Cancel" => {
                let request = if line.obj.contains_key("transport") {
                    CancelRequest::Inbound { transport: line.transport("transport")? }
                } else {
                    CancelRequest::Outbound { store: line.store("store")?, message: line.message_at("message")? }
                };
                Ok(Event::Input(Input::Cancel(request)))
            }
            "session" => Ok(Event::Input(Input::Session(line.session(what)?))),
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
            "logoff_answer" => Ok(Event::Effect(Effect::LogoffAnswer {
                store: line.store("logoff_answer")?,
                flags: line.flags("lpulFlags", LogoffFlags::parse)?,
            })),
            "client" => Ok(Event::Input(Input::Status(line.status_request(what)?))),
            "answer" => Ok(Event::Effect(Effect::StatusAnswer { request: line.status_request(what)?, result: line.hresult("result")? })),
            _ => unreachable!("KINDS lists every kind"),
        }
    }

    fn read_addr(&mut self, name: &str) -> AddrType {
        if let Some(i) = self.address_types.iter().position(|n| n == name) {
            return AddrType(i as u16);
        }
        if let Some(n) = number(name, "adr") {
            return AddrType(n);
        }
        self.address_types.push(name.to_owned());
        AddrType((self.address_types.len() - 1) as u16)
    }

    fn read_row(&mut self, line: &Line<'_>, store: StoreId) -> Result<QueueRow, TraceError> {
        let reports = match line.obj.get("reports") {
            None => ReportRequests::default(),
            Some(Value::Object(obj)) => {
                let r = line.nested(obj);
                ReportRequests { delivery: r.bool("delivery")?, non_delivery: r.bool("non_delivery")? }
            }
            Some(_) => return Err(line.error("reports", "reports must be {\"delivery\": bool, \"non_delivery\": bool}".to_owned())),
        };
        let mut recipients = Vec::new();
        for value in line.array("recipients")? {
            let Value::Object(obj) = value else {
                return Err(
                    line.error("recipients", "each recipient must be {\"PR_ADDRTYPE\": name, \"PR_RESPONSIBILITY\": bool}".to_owned())
                );
            };
            let r = line.nested(obj);
            let addr_type = self.read_addr(r.str("PR_ADDRTYPE")?);
            let uid = match obj.get("uid") {
                None | Some(Value::Null) => None,
                Some(_) => Some(r.uid("uid")?),
            };
            recipients.push(RecipientRow { addr_type, uid, responsibility: r.bool("PR_RESPONSIBILITY")? });
        }
        Ok(QueueRow {
            store,
            message: line.message_at("message")?,
            flags: line.flags("PR_SUBMIT_FLAGS", QueueFlags::parse)?,
            preprocess: line.bool("PR_PREPROCESS")?,
            reports,
            recipients,
        })
    }

    fn read_queue(&mut self, line: &Line<'_>, what: &str) -> Result<QueueEvent, TraceError> {
        let store = line.store("from")?;
        match what {
            "RowAdded" => Ok(QueueEvent::RowAdded(self.read_row(line, store)?)),
            "RowRemoved" => Ok(QueueEvent::RowRemoved { store, message: line.message_at("message")? }),
            _ => Err(line.error("queue", format!("unknown queue change {what:?}; expected RowAdded or RowRemoved"))),
        }
    }

    fn read_support(&mut self, line: &Line<'_>, what: &str) -> Result<SupportCall, TraceError> {
        match what {
            "ModifyStatusRow" if line.obj.contains_key("PR_RESOURCE_METHODS") || line.obj.contains_key("PR_RESOURCE_FLAGS") => {
                let optional = |key| if line.obj.contains_key(key) { Some(key) } else { None };
                let methods = optional("PR_RESOURCE_METHODS").map(|k| line.flags(k, ResourceMethods::parse)).transpose()?;
                let resource_flags = optional("PR_RESOURCE_FLAGS").map(|k| line.flags(k, ResourceFlags::parse)).transpose()?;
                Ok(SupportCall::ModifyStatusRowColumns {
                    transport: line.transport("from")?,
                    flags: line.flags("ulFlags", StatusRowFlags::parse)?,
                    status: line.flags("PR_STATUS_CODE", StatusCode::parse)?,
                    columns: StatusColumns { methods: methods.unwrap_or_default(), resource_flags: resource_flags.unwrap_or_default() },
                })
            }
            "ModifyStatusRow" => Ok(SupportCall::ModifyStatusRow {
                transport: line.transport("from")?,
                flags: line.flags("ulFlags", StatusRowFlags::parse)?,
                status: line.flags("PR_STATUS_CODE", StatusCode::parse)?,
            }),
            "RegisterPreprocessor" => {
                let uid = match line.obj.get("lpMuid") {
                    None | Some(Value::Null) => None,
                    Some(_) => Some(line.uid("lpMuid")?),
                };
                let addr_type = match line.obj.get("lpszAdrType") {
                    None | Some(Value::Null) => None,
                    Some(_) => Some(self.read_addr(line.str("lpszAdrType")?)),
                };
                Ok(SupportCall::RegisterPreprocessor { transport: line.transport("from")?, filter: PreprocessorFilter { uid, addr_type } })
            }
            "SpoolerNotify" => {
                let from = line.str("from")?;
                let caller = match (number(from, "T"), number(from, "S")) {
                    (Some(t), _) => Caller::Transport(TransportId(t)),
                    (None, Some(s)) => Caller::Store(StoreId(s)),
                    _ => return Err(line.error("from", format!("from must be a transport (T0) or a store (S0), not {from:?}"))),
                };
                let message = match line.obj.get("lpvData") {
                    None | Some(Value::Null) => None,
                    Some(_) => Some(line.message_at("lpvData")?),
                };
                Ok(SupportCall::SpoolerNotify { caller, flags: line.flags("ulFlags", SpoolerNotifyFlags::parse)?, message })
            }
            "StatusRecips" => {
                let mut reports = Vec::new();
                for value in line.array("reports")? {
                    let Value::Object(obj) = value else {
                        return Err(line.error("reports", "each report must be {\"recipient\": n, \"kind\": \"DR\" or \"NDR\"}".to_owned()));
                    };
                    let r = line.nested(obj);
                    let recipient = RecipientIdx(r.uint("recipient", u16::MAX.into())? as u16);
                    let kind = r.str("kind")?;
                    let kind = report_kind(kind).ok_or_else(|| line.error("reports", format!("a report kind is \"DR\" or \"NDR\", not {kind:?}")))?;
                    reports.push((recipient, kind));
                }
                Ok(SupportCall::StatusRecips { transport: line.transport("from")?, message: line.message_at("message")?, reports })
            }
            "SpoolerYield" => Ok(SupportCall::SpoolerYield { transport: line.transport("from")? }),
            "PublishOwnStore" => {
                Ok(SupportCall::PublishOwnStore { transport: line.transport("from")?, store: line.store("PR_OWN_STORE_ENTRYID")? })
            }
            "CompleteMsg" => {
                let store = line.store("from")?;
                Ok(SupportCall::CompleteMsg(self.read_row(line, store)?))
            }
            "StoreLogoffTransports" => Ok(SupportCall::StoreLogoffTransports {
                store: line.store("from")?,
                flags: line.flags("ulFlags", LogoffFlags::parse)?,
            }),
            _ => Err(line.error(
                "support",
                format!(
                    "unknown support call {what:?}; expected ModifyStatusRow, RegisterPreprocessor, SpoolerNotify, StatusRecips, SpoolerYield, PublishOwnStore, CompleteMsg or StoreLogoffTransports"
                ),
            )),
        }
    }

    fn read_return(&mut self, line: &Line<'_>, what: &str) -> Result<Return, TraceError> {
        let result = line.hresult("result")?;
        let ok = result == Hresult::S_OK;
        Ok(match what {
            "XPProviderInit" => {
                Return::XpProviderInit { transport: line.transport("from")?, result: when_ok(result, || line.version("lpulProviderVer"))? }
            }
            "MSG_SERVICE_CONFIGURE" => Return::ServiceConfigure { service: line.service("from")?, result },
            "TransportLogon" => Return::TransportLogon {
                transport: line.transport("from")?,
                result: when_ok(result, || line.flags("lpulFlags", LogonCaps::parse))?,
            },
            "AddressTypes" => {
                let registrations = if ok {
                    let address_types = match line.obj.get("lpppAdrTypeArray") {
                        Some(Value::Null) => AddressTypes::Any,
                        _ => {
                            let mut types = Vec::new();
                            for v in line.array("lpppAdrTypeArray")? {
                                let name =
                                    v.as_str().ok_or_else(|| line.error("lpppAdrTypeArray", "address types are names".to_owned()))?;
                                types.push(self.read_addr(name));
                            }
                            AddressTypes::Listed(types)
                        }
                    };
                    let uids = match line.obj.get("lpppUIDArray") {
                        None => Vec::new(),
                        Some(_) => line
                            .array("lpppUIDArray")?
                            .iter()
                            .map(|v| v.as_str().and_then(|s| number(s, "uid")).map(MapiUid))
                            .collect::<Option<Vec<_>>>()
                            .ok_or_else(|| line.error("lpppUIDArray", "UIDs are written uid0, uid1, ...".to_owned()))?,
                    };
                    Ok(Registrations { address_types, uids })
                } else {
                    Err(result)
                };
                Return::AddressTypes { transport: line.transport("from")?, result: registrations }
            }
            "TransportNotify" => {
                Return::TransportNotify { transport: line.transport("from")?, flags: line.flags("lpulFlags", NotifyFlags::parse)?, result }
            }
            "Idle" => Return::Idle { transport: line.transport("from")?, result },
            "SubmitMessage" => {
                let outcome = if ok {
                    SubmitOutcome::Accepted { msg_ref: MsgRef(line.uint("lpulMsgRef", u64::MAX)?), accepted: line.set("accepted")? }
                } else {
                    let return_parm = match line.obj.get("lpulReturnParm") {
                        None => 0,
                        Some(_) => line.uint("lpulReturnParm", u32::MAX.into())? as u32,
                    };
                    let saved = if line.obj.contains_key("saved") { line.set("saved")? } else { RecipientSet::new() };
                    SubmitOutcome::Failed { result, return_parm, saved }
                };
                Return::SubmitMessage { transport: line.transport("from")?, message: line.message_at("message")?, outcome }
            }
            "EndMessage" => Return::EndMessage {
                transport: line.transport("from")?,
                msg_ref: MsgRef(line.uint("ulMsgRef", u64::MAX)?),
                result: when_ok(result, || line.flags("lpulFlags", EndFlags::parse))?,
            },
            "TransportLogoff" => Return::TransportLogoff { transport: line.transport("from")?, result },
            "Shutdown" => Return::Shutdown { transport: line.transport("from")?, result },
            "SpoolerLogon" => Return::SpoolerLogon { store: line.store("from")?, result },
            "GetOutgoingQueue" => {
                let store = line.store("from")?;
                let rows = if ok {
                    let mut rows = Vec::new();
                    for value in line.array("rows")? {
                        let Value::Object(obj) = value else {
                            return Err(
                                line.error("rows", "each row must be an object with message, PR_SUBMIT_FLAGS, recipients".to_owned())
                            );
                        };
                        rows.push(self.read_row(&line.nested(obj), store)?);
                    }
                    Ok(rows)
                } else {
                    Err(result)
                };
                Return::GetOutgoingQueue { store, result: rows }
            }
            "SetLockState" => Return::SetLockState {
                store: line.store("from")?,
                message: line.message_at("message")?,
                state: line.lock_state("ulLockState")?,
                result,
            },
            "PreprocessMessage" => Return::PreprocessMessage {
                preprocessor: line.preprocessor("from")?,
                message: line.message_at("message")?,
                result: when_ok(result, || {
                    if line.obj.contains_key("undeliverable") { line.set("undeliverable") } else { Ok(RecipientSet::new()) }
                })?,
            },
            "IMessage::SubmitMessage" => {
                Return::SubmitPreprocessed { store: line.store("from")?, message: line.message_at("message")?, result }
            }
            "RemovePreprocessInfo" => {
                Return::RemovePreprocessInfo { preprocessor: line.preprocessor("from")?, message: line.message_at("message")?, result }
            }
            "FinishedMsg" => Return::FinishedMsg { store: line.store("from")?, message: line.message_at("message")?, result },
            "AbortSubmit" => Return::AbortSubmit { store: line.store("from")?, message: line.message_at("message")?, result },
            "Poll" => {
                Return::Poll { transport: line.transport("from")?, incoming: line.uint("lpulIncoming", u32::MAX.into())? as u32, result }
            }
            "CreateMessage" => {
                Return::CreateMessage { store: line.store("from")?, result: when_ok(result, || line.message_at("message"))? }
            }
            "StartMessage" => Return::StartMessage {
                transport: line.transport("from")?,
                message: line.message_at("message")?,
                result: when_ok(result, || Ok(if line.bool("saved")? { Delivery::Saved } else { Delivery::Empty }))?,
            },
            "NotifyNewMail" => Return::NotifyNewMail { store: line.store("from")?, message: line.message_at("message")?, result },
            "InboundMsgHook" => Return::InboundMsgHook {
                hook: line.hook("from")?,
                message: line.message_at("message")?,
                result: when_ok(result, || {
                    let moved_to = match line.obj.get("lppEntryID") {
                        None | Some(Value::Null) => None,
                        Some(_) => Some(FolderId(line.id("lppEntryID", "F", "a folder")?)),
                    };
                    Ok(HookOutcome { flags: line.flags("lpulFlags", HookFlags::parse)?, moved_to })
                })?,
            },
            "OpenStatusEntry" => Return::OpenStatusEntry { transport: line.transport("from")?, result },
            "ValidateState" => Return::ValidateState { transport: line.transport("from")?, result },
            "FlushQueues" => Return::FlushQueues { transport: line.transport("from")?, result },
            _ => {
                return Err(
                    line.error("return", format!("unknown method {what:?}; expected one the spooler calls ({})", Call::METHODS.join(", ")))
                );
            }
        })
    }
}

/// A call's out-parameter: read after a success, absent after a failure (which the call's
/// `Result` then carries).
fn when_ok<T>(result: Hresult, read: impl FnOnce() -> Result<T, TraceError>) -> Result<Result<T, Hresult>, TraceError> {
    if result == Hresult::S_OK { read().map(Ok) } else { Ok(Err(result)) }
}

fn report_kind(text: &str) -> Option<ReportKind> {
    match text {
        "DR" => Some(ReportKind::Delivery),
        "NDR" => Some(ReportKind::NonDelivery),
        _ => None,
    }
}

/// One parsed line (or an object nested in it), with what errors need to say where they are.
struct Line<'a> {
    obj: &'a Map<String, Value>,
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
    fn nested(&self, obj: &'a Map<String, Value>) -> Line<'a> {
        Line { obj, text: self.text, number: self.number }
    }

    /// An error about `key` (its column is where `"key"` first appears on the line).
    fn error(&self, key: &str, message: String) -> TraceError {
        let column = if key.is_empty() { 1 } else { self.text.find(&format!("\"{key}\"")).map_or(1, |i| i + 1) };
        TraceError { line: self.number, column, message }
    }

    fn get(&self, key: &str) -> Result<&'a Value, TraceError> {
        self.obj.get(key).ok_or_else(|| self.error("", format!("missing field {key:?}")))
    }

    fn str(&self, key: &str) -> Result<&'a str, TraceError> {
        self.get(key)?.as_str().ok_or_else(|| self.error(key, format!("{key} must be a string")))
    }

    fn bool(&self, key: &str) -> Result<bool, TraceError> {
        self.get(key)?.as_bool().ok_or_else(|| self.error(key, format!("{key} must be true or false")))
    }

    fn uint(&self, key: &str, max: u64) -> Result<u64, TraceError> {
        self.get(key)?
            .as_u64()
            .filter(|n| *n <= max)
            .ok_or_else(|| self.error(key, format!("{key} must be a whole number from 0 to {max}")))
    }

    fn array(&self, key: &str) -> Result<&'a Vec<Value>, TraceError> {
        self.get(key)?.as_array().ok_or_else(|| self.error(key, format!("{key} must be a list")))
    }

    fn id<N: std::str::FromStr>(&self, key: &str, prefix: &str, what: &str) -> Result<N, TraceError> {
        let text = self.str(key)?;
        number(text, prefix).ok_or_else(|| self.error(key, format!("{key} must name {what} ({prefix}0, {prefix}1, ...), not {text:?}")))
    }

    fn transport(&self, key: &str) -> Result<TransportId, TraceError> {
        self.id(key, "T", "a transport").map(TransportId)
    }

    fn store(&self, key: &str) -> Result<StoreId, TraceError> {
        self.id(key, "S", "a store").map(StoreId)
    }

    fn service(&self, key: &str) -> Result<ServiceId, TraceError> {
        self.id(key, "svc", "a message service").map(ServiceId)
    }

    fn hook(&self, key: &str) -> Result<HookId, TraceError> {
        self.id(key, "H", "an inbound hook").map(HookId)
    }

    fn preprocessor(&self, key: &str) -> Result<PreprocessorId, TraceError> {
        self.id(key, "P", "a preprocessor").map(PreprocessorId)
    }

    fn uid(&self, key: &str) -> Result<MapiUid, TraceError> {
        self.id(key, "uid", "a MAPIUID").map(MapiUid)
    }

    fn message_at(&self, key: &str) -> Result<MessageId, TraceError> {
        self.id(key, "M", "a message").map(MessageId)
    }

    /// The message named by the kind key itself (`{"save": "M1", ...}`).
    fn message(&self, text: &str, key: &str) -> Result<MessageId, TraceError> {
        number(text, "M").map(MessageId).ok_or_else(|| self.error(key, format!("{key} must name a message (M1, M2, ...), not {text:?}")))
    }

    fn flags<F, E: std::fmt::Display>(&self, key: &str, parse: impl Fn(&str) -> Result<F, E>) -> Result<F, TraceError> {
        let text = self.str(key)?;
        parse(text).map_err(|e| self.error(key, format!("{key}: {e} (flags are documented names joined by |, or 0)")))
    }

    fn hresult(&self, key: &str) -> Result<Hresult, TraceError> {
        let text = self.str(key)?;
        if let Some(code) = Hresult::from_name(text) {
            return Ok(code);
        }
        text.strip_prefix("0x").and_then(|hex| u32::from_str_radix(hex, 16).ok()).map(Hresult).ok_or_else(|| {
            self.error(key, format!("{key} must be a documented result name (S_OK, MAPI_E_BUSY, ...) or 0x........, not {text:?}"))
        })
    }

    fn version(&self, key: &str) -> Result<SpiVersion, TraceError> {
        let text = self.str(key)?;
        text.strip_prefix("0x")
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .map(SpiVersion)
            .ok_or_else(|| self.error(key, format!("{key} must be an SPI version written 0x00010010, not {text:?}")))
    }

    fn lock_state(&self, key: &str) -> Result<LockState, TraceError> {
        match self.str(key)? {
            "MSG_LOCKED" => Ok(LockState::Locked),
            "MSG_UNLOCKED" => Ok(LockState::Unlocked),
            other => Err(self.error(key, format!("{key} must be MSG_LOCKED or MSG_UNLOCKED, not {other:?}"))),
        }
    }

    fn set(&self, key: &str) -> Result<RecipientSet, TraceError> {
        self.array(key)?
            .iter()
            .map(|v| v.as_u64().filter(|n| *n <= u64::from(u16::MAX)).map(|n| RecipientIdx(n as u16)))
            .collect::<Option<RecipientSet>>()
            .ok_or_else(|| self.error(key, format!("{key} must be a list of recipient row numbers")))
    }

    fn directions(&self, key: &str) -> Result<Directions, TraceError> {
        match self.str(key)? {
            "inbound+outbound" => Ok(Directions::BOTH),
            "inbound" => Ok(Directions::INBOUND),
            "outbound" => Ok(Directions::OUTBOUND),
            "none" => Ok(Directions::NONE),
            other => Err(self.error(key, format!("{key} must be inbound, outbound, inbound+outbound or none, not {other:?}"))),
        }
    }

    fn session(&self, what: &str) -> Result<SessionRequest, TraceError> {
        match what {
            "Start" => Ok(SessionRequest::Start),
            "Shutdown" => Ok(SessionRequest::Shutdown),
            "Enable" => Ok(SessionRequest::Enable { transport: self.transport("transport")?, directions: self.directions("directions")? }),
            "Disable" => {
                Ok(SessionRequest::Disable { transport: self.transport("transport")?, directions: self.directions("directions")? })
            }
            _ => Err(self.error(
                "session",
                format!("unknown session request {what:?}; expected Start, Enable, Disable, Shutdown, TransportOrder or Cancel"),
            )),
        }
    }

    fn settings(&self) -> Result<Settings, TraceError> {
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

    /// A call the spooler makes, as the trace records it.
    fn call(&self, what: &str) -> Result<Call, TraceError> {
        Ok(match what {
            "XPProviderInit" => Call::XpProviderInit {
                transport: self.transport("to")?,
                mapi_version: self.version("ulMAPIVer")?,
                flags: self.flags("ulFlags", XpInitFlags::parse)?,
            },
            "MSG_SERVICE_CONFIGURE" => Call::ServiceConfigure { service: self.service("to")? },
            "TransportLogon" => {
                Call::TransportLogon { transport: self.transport("to")?, flags: self.flags("lpulFlags", LogonFlags::parse)? }
            }
            "AddressTypes" => Call::AddressTypes { transport: self.transport("to")? },
            "TransportNotify" => Call::TransportNotify {
                transport: self.transport("to")?,
                flags: self.flags("lpulFlags", NotifyFlags::parse)?,
                message: match self.obj.get("lpvData") {
                    None | Some(Value::Null) => None,
                    Some(_) => Some(self.message_at("lpvData")?),
                },
            },
            "Idle" => Call::Idle { transport: self.transport("to")? },
            "SubmitMessage" => Call::SubmitMessage {
                transport: self.transport("to")?,
                message: self.message_at("message")?,
                flags: self.flags("ulFlags", SubmitFlags::parse)?,
                offered: self.set("offered")?,
            },
            "EndMessage" => Call::EndMessage { transport: self.transport("to")?, msg_ref: MsgRef(self.uint("ulMsgRef", u64::MAX)?) },
            "TransportLogoff" => Call::TransportLogoff { transport: self.transport("to")? },
            "Shutdown" => Call::Shutdown { transport: self.transport("to")? },
            "SpoolerLogon" => Call::SpoolerLogon { store: self.store("to")? },
            "GetOutgoingQueue" => Call::GetOutgoingQueue { store: self.store("to")? },
            "SetLockState" => Call::SetLockState {
                store: self.store("to")?,
                message: self.message_at("message")?,
                state: self.lock_state("ulLockState")?,
            },
            "PreprocessMessage" => Call::PreprocessMessage { preprocessor: self.preprocessor("to")?, message: self.message_at("message")? },
            "IMessage::SubmitMessage" => Call::SubmitPreprocessed { store: self.store("to")?, message: self.message_at("message")? },
            "RemovePreprocessInfo" => {
                Call::RemovePreprocessInfo { preprocessor: self.preprocessor("to")?, message: self.message_at("message")? }
            }
            "FinishedMsg" => Call::FinishedMsg { store: self.store("to")?, message: self.message_at("message")? },
            "Poll" => Call::Poll { transport: self.transport("to")? },
            "CreateMessage" => Call::CreateMessage { store: self.store("to")? },
            "StartMessage" => Call::StartMessage { transport: self.transport("to")?, message: self.message_at("message")? },
            "NotifyNewMail" => Call::NotifyNewMail { store: self.store("to")?, message: self.message_at("message")? },
            "AbortSubmit" => Call::AbortSubmit { store: self.store("to")?, message: self.message_at("message")? },
            "InboundMsgHook" => {
                Call::InboundMsgHook { hook: self.hook("to")?, store: self.store("lpMDB")?, message: self.message_at("message")? }
            }
            "OpenStatusEntry" => Call::OpenStatusEntry { transport: self.transport("to")? },
            "ValidateState" => {
                Call::ValidateState { transport: self.transport("to")?, flags: self.flags("ulFlags", ValidateFlags::parse)? }
            }
            "FlushQueues" => Call::FlushQueues { transport: self.transport("to")?, flags: self.flags("ulFlags", FlushFlags::parse)? },
            _ => {
                return Err(
                    self.error("call", format!("unknown method {what:?}; expected one the spooler calls ({})", Call::METHODS.join(", ")))
                );
            }
        })
    }

    /// A client's status call or the answer to it (STAT-9 to STAT-17): the flag word by names,
    /// or in hexadecimal with any bits (undefined bits are the client's, and are answered
    /// `MAPI_E_UNKNOWN_FLAGS`).
    fn status_request(&self, what: &str) -> Result<StatusRequest, TraceError> {
        let word = |parse: fn(&str) -> Option<u32>| -> Result<u32, TraceError> {
            let text = self.str("ulFlags")?;
            let raw = text.strip_prefix("0x").and_then(|hex| u32::from_str_radix(hex, 16).ok());
            raw.or_else(|| parse(text)).ok_or_else(|| self.error("ulFlags", format!("{text:?} is not a flag word of {what}")))
        };
        Ok(match what {
            "OpenEntry" => StatusRequest::OpenEntry { transport: self.transport("transport")? },
            "ValidateState" => StatusRequest::ValidateState { flags: word(|t| ValidateFlags::parse(t).ok().map(ValidateFlags::bits))? },
            "FlushQueues" => StatusRequest::FlushQueues {
                target: match self.obj.get("target") {
                    None | Some(Value::Null) => None,
                    Some(_) => Some(self.transport("target")?),
                },
                flags: word(|t| FlushFlags::parse(t).ok().map(FlushFlags::bits))?,
            },
            "SettingsDialog" => StatusRequest::SettingsDialog { flags: word(|t| SettingsFlags::parse(t).ok().map(SettingsFlags::bits))? },
            "ChangePassword" => StatusRequest::ChangePassword { flags: word(|t| PasswordFlags::parse(t).ok().map(PasswordFlags::bits))? },
            _ => {
                return Err(self.error(
                    "client",
                    format!(
                        "unknown status call {what:?}; expected OpenEntry, ValidateState, FlushQueues, SettingsDialog or ChangePassword"
                    ),
                ));
            }
        })
    }
}
