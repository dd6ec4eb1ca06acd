//! Writing trace lines: the header and every kind of event.

use serde_json::{Value, json};

use super::{Event, FORMAT_VERSION, Header, Recorded};
use crate::{
    AddrType, AddressTypes, Call, CancelRequest, Delivery, Effect, Hresult, Input, MessageId, NdrOrigin, QueueEvent, QueueRow,
    RecipientOutcome, RecipientSet, Released, Return, SessionRequest, Settings, SubmitOutcome, SupportCall,
};
use crate::{FlushFlags, PasswordFlags, SettingsFlags, StatusRequest, ValidateFlags};

use super::Codec;

impl Codec {
    /// The header line.
    #[must_use]
    pub fn header_line(&self, header: &Header) -> String {
        let s = &header.profile.settings;
        let mut line = json!({
            "mapi_spooler_trace": FORMAT_VERSION,
            "transports": header.profile.transports.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "stores": header.profile.stores,
            "recorded": match header.recorded { Recorded::All => "all", Recorded::Calls => "calls" },
        });
        if *s != Settings::default() {
            line["settings"] = json!({
                "ulMAPIVer": s.versions.mapi.to_string(),
                "oldest_provider_version": s.versions.oldest.to_string(),
                "XPProviderInit_ulFlags": s.init_flags.to_string(),
                "TransportLogon_ulFlags": s.logon_flags.to_string(),
                "enable": s.enable.to_string(),
                "busy_retry_secs": s.busy_retry_secs,
                "resend_later_secs": s.resend_later_secs,
                "failure_retry_secs": s.failure_retry_secs,
            });
            if s.inbound_hooks != 0 {
                line["settings"]["inbound_hooks"] = json!(s.inbound_hooks);
            }
        }
        if !header.address_types.is_empty() {
            line["address_types"] = json!(header.address_types);
        }
        line.to_string()
    }

    /// The line for one event.
    #[must_use]
    pub fn event_line(&self, event: &Event) -> String {
        match event {
            Event::Input(input) => self.input_value(input),
            Event::Effect(Effect::Call(call)) => call_value(call),
            Event::Effect(effect) => effect_value(effect),
            Event::Crash => json!({"event": "Crash"}),
        }
        .to_string()
    }

    fn addr(&self, a: AddrType) -> String {
        self.address_types.get(a.index()).cloned().unwrap_or_else(|| a.to_string())
    }

    fn input_value(&self, input: &Input) -> Value {
        match input {
            Input::Session(request) => match request {
                SessionRequest::Start => json!({"session": "Start"}),
                SessionRequest::Shutdown => json!({"session": "Shutdown"}),
                SessionRequest::Enable { transport, directions } => {
                    json!({"session": "Enable", "transport": transport.to_string(), "directions": directions.to_string()})
                }
                SessionRequest::Disable { transport, directions } => {
                    json!({"session": "Disable", "transport": transport.to_string(), "directions": directions.to_string()})
                }
            },
            Input::Return(ret) => self.return_value(ret),
            Input::Support(call) => self.support_value(call),
            Input::Queue(QueueEvent::RowAdded(row)) => {
                let mut v = json!({"queue": "RowAdded", "from": row.store.to_string()});
                self.row_fields(&mut v, row);
                v
            }
            Input::Queue(QueueEvent::RowRemoved { store, message }) => {
                json!({"queue": "RowRemoved", "from": store.to_string(), "message": message.to_string()})
            }
            Input::TimePassed { seconds } => json!({"event": "TimePassed", "seconds": seconds}),
            Input::SystemIdle => json!({"event": "SystemIdle"}),
            Input::TransportOrder(order) => {
                json!({"session": "TransportOrder", "order": order.iter().map(ToString::to_string).collect::<Vec<_>>()})
            }
            Input::Cancel(CancelRequest::Outbound { store, message }) => {
                json!({"session": "Cancel", "store": store.to_string(), "message": message.to_string()})
            }
            Input::Cancel(CancelRequest::Inbound { transport }) => json!({"session": "Cancel", "transport": transport.to_string()}),
            Input::Status(request) => status_value("client", request),
        }
    }

    fn row_fields(&self, v: &mut Value, row: &QueueRow) {
        v["message"] = json!(row.message.to_string());
        v["PR_SUBMIT_FLAGS"] = json!(row.flags.to_string());
        v["PR_PREPROCESS"] = json!(row.preprocess);
        v["reports"] = json!({"delivery": row.reports.delivery, "non_delivery": row.reports.non_delivery});
        v["recipients"] = row
            .recipients
            .iter()
            .map(|r| {
                let mut o = json!({"PR_ADDRTYPE": self.addr(r.addr_type), "PR_RESPONSIBILITY": r.responsibility});
                if let Some(uid) = r.uid {
                    o["uid"] = json!(uid.to_string());
                }
                o
            })
            .collect();
    }

    fn return_value(&self, ret: &Return) -> Value {
        fn ret_of(method: &str, from: String, result: Hresult) -> Value {
            json!({"return": method, "from": from, "result": result.to_string()})
        }
        fn message(mut v: Value, message: MessageId) -> Value {
            v["message"] = json!(message.to_string());
            v
        }
        let method = ret.method();
        match ret {
            Return::XpProviderInit { transport, result } => {
                let mut v = ret_of(method, transport.to_string(), result.err().unwrap_or(Hresult::S_OK));
                if let Ok(version) = result {
                    v["lpulProviderVer"] = json!(version.to_string());
                }
                v
            }
            Return::ServiceConfigure { service, result } => ret_of(method, service.to_string(), *result),
            Return::TransportLogon { transport, result } => {
                let mut v = ret_of(method, transport.to_string(), result.err().unwrap_or(Hresult::S_OK));
                if let Ok(caps) = result {
                    v["lpulFlags"] = json!(caps.to_string());
                }
                v
            }
            Return::AddressTypes { transport, result } => {
                let mut v = ret_of(method, transport.to_string(), result.as_ref().err().copied().unwrap_or(Hresult::S_OK));
                if let Ok(registrations) = result {
                    v["lpppAdrTypeArray"] = match &registrations.address_types {
                        AddressTypes::Any => Value::Null,
                        AddressTypes::Listed(types) => types.iter().map(|a| json!(self.addr(*a))).collect(),
                    };
                    v["lpppUIDArray"] = registrations.uids.iter().map(|u| json!(u.to_string())).collect();
                }
                v
            }
            Return::TransportNotify { transport, flags, result } => {
                let mut v = ret_of(method, transport.to_string(), *result);
                v["lpulFlags"] = json!(flags.to_string());
                v
            }
            Return::Idle { transport, result } | Return::TransportLogoff { transport, result } | Return::Shutdown { transport, result } => {
                ret_of(method, transport.to_string(), *result)
            }
            Return::SubmitMessage { transport, message: m, outcome } => match outcome {
                SubmitOutcome::Accepted { msg_ref, accepted } => {
                    let mut v = message(ret_of(method, transport.to_string(), Hresult::S_OK), *m);
                    v["lpulMsgRef"] = json!(msg_ref.0);
                    v["accepted"] = set_value(accepted);
                    v
                }
                SubmitOutcome::Failed { result, return_parm, saved } => {
                    let mut v = message(ret_of(method, transport.to_string(), *result), *m);
                    v["lpulReturnParm"] = json!(return_parm);
                    v["saved"] = set_value(saved);
                    v
                }
            },
            Return::EndMessage { transport, msg_ref, result } => {
                let mut v = ret_of(method, transport.to_string(), result.err().unwrap_or(Hresult::S_OK));
                v["ulMsgRef"] = json!(msg_ref.0);
                if let Ok(flags) = result {
                    v["lpulFlags"] = json!(flags.to_string());
                }
                v
            }
            Return::SpoolerLogon { store, result } => ret_of(method, store.to_string(), *result),
            Return::GetOutgoingQueue { store, result } => {
                let mut v = ret_of(method, store.to_string(), result.as_ref().err().copied().unwrap_or(Hresult::S_OK));
                if let Ok(rows) = result {
                    v["rows"] = rows
                        .iter()
                        .map(|row| {
                            let mut r = json!({});
                            self.row_fields(&mut r, row);
                            r
                        })
                        .collect();
                }
                v
            }
            Return::SetLockState { store, message: m, state, result } => {
                let mut v = message(ret_of(method, store.to_string(), *result), *m);
                v["ulLockState"] = json!(state.to_string());
                v
            }
            Return::PreprocessMessage { preprocessor, message: m, result } => {
                let mut v = message(ret_of(method, preprocessor.to_string(), result.as_ref().err().copied().unwrap_or(Hresult::S_OK)), *m);
                if let Ok(undeliverable) = result {
                    v["undeliverable"] = set_value(undeliverable);
                }
                v
            }
            Return::SubmitPreprocessed { store, message: m, result }
            | Return::FinishedMsg { store, message: m, result }
            | Return::AbortSubmit { store, message: m, result } => message(ret_of(method, store.to_string(), *result), *m),
            Return::RemovePreprocessInfo { preprocessor, message: m, result } => {
                message(ret_of(method, preprocessor.to_string(), *result), *m)
            }
            Return::Poll { transport, incoming, result } => {
                let mut v = ret_of(method, transport.to_string(), *result);
                v["lpulIncoming"] = json!(incoming);
                v
            }
            Return::CreateMessage { store, result } => {
                let mut v = ret_of(method, store.to_string(), result.err().unwrap_or(Hresult::S_OK));
                if let Ok(m) = result {
                    v["message"] = json!(m.to_string());
                }
                v
            }
            Return::StartMessage { transport, message: m, result } => {
                let mut v = message(ret_of(method, transport.to_string(), result.err().unwrap_or(Hresult::S_OK)), *m);
                if let Ok(delivery) = result {
                    v["saved"] = json!(*delivery == Delivery::Saved);
                }
                v
            }
            Return::NotifyNewMail { store, message: m, result } => message(ret_of(method, store.to_string(), *result), *m),
            Return::InboundMsgHook { hook, message: m, result } => {
                let mut v = message(ret_of(method, hook.to_string(), result.err().unwrap_or(Hresult::S_OK)), *m);
                if let Ok(outcome) = result {
                    v["lpulFlags"] = json!(outcome.flags.to_string());
                    v["lppEntryID"] = json!(outcome.moved_to.map(|f| f.to_string()));
                }
                v
            }
            Return::OpenStatusEntry { transport, result }
            | Return::ValidateState { transport, result }
            | Return::FlushQueues { transport, result } => ret_of(method, transport.to_string(), *result),
        }
    }

    fn support_value(&self, call: &SupportCall) -> Value {
        match call {
            SupportCall::ModifyStatusRow { transport, flags, status } => json!({
                "support": "ModifyStatusRow", "from": transport.to_string(),
                "ulFlags": flags.to_string(), "PR_STATUS_CODE": status.to_string(),
            }),
            SupportCall::RegisterPreprocessor { transport, filter } => json!({
                "support": "RegisterPreprocessor", "from": transport.to_string(),
                "lpMuid": filter.uid.map(|u| u.to_string()), "lpszAdrType": filter.addr_type.map(|a| self.addr(a)),
            }),
            SupportCall::SpoolerNotify { caller, flags, message } => json!({
                "support": "SpoolerNotify", "from": caller.to_string(),
                "ulFlags": flags.to_string(), "lpvData": message.map(|m| m.to_string()),
            }),
            SupportCall::StatusRecips { transport, message, reports } => json!({
                "support": "StatusRecips", "from": transport.to_string(), "message": message.to_string(),
                "reports": reports.iter().map(|(r, kind)| json!({"recipient": r.0, "kind": kind.to_string()})).collect::<Vec<_>>(),
            }),
            SupportCall::SpoolerYield { transport } => json!({"support": "SpoolerYield", "from": transport.to_string()}),
            SupportCall::PublishOwnStore { transport, store } => json!({
                "support": "PublishOwnStore", "from": transport.to_string(), "PR_OWN_STORE_ENTRYID": store.to_string(),
            }),
            SupportCall::CompleteMsg(row) => {
                let mut v = json!({"support": "CompleteMsg", "from": row.store.to_string()});
                self.row_fields(&mut v, row);
                v
            }
            SupportCall::StoreLogoffTransports { store, flags } => json!({
                "support": "StoreLogoffTransports", "from": store.to_string(), "ulFlags": flags.to_string(),
            }),
            SupportCall::ModifyStatusRowColumns { transport, flags, status, columns } => json!({
                "support": "ModifyStatusRow", "from": transport.to_string(),
                "ulFlags": flags.to_string(), "PR_STATUS_CODE": status.to_string(),
                "PR_RESOURCE_METHODS": columns.methods.to_string(), "PR_RESOURCE_FLAGS": columns.resource_flags.to_string(),
            }),
        }
    }
}

fn set_value(set: &RecipientSet) -> Value {
    set.iter().map(|r| json!(r.0)).collect()
}

fn call_value(call: &Call) -> Value {
    let method = call.method();
    match call {
        Call::XpProviderInit { transport, mapi_version, flags } => json!({
            "call": method, "to": transport.to_string(), "ulFlags": flags.to_string(), "ulMAPIVer": mapi_version.to_string(),
        }),
        Call::ServiceConfigure { service } => json!({"call": method, "to": service.to_string()}),
        Call::TransportLogon { transport, flags } => json!({"call": method, "to": transport.to_string(), "lpulFlags": flags.to_string()}),
        Call::TransportNotify { transport, flags, message } => json!({
            "call": method, "to": transport.to_string(), "lpulFlags": flags.to_string(), "lpvData": message.map(|m| m.to_string()),
        }),
        Call::AddressTypes { transport }
        | Call::Idle { transport }
        | Call::TransportLogoff { transport }
        | Call::Shutdown { transport } => {
            json!({"call": method, "to": transport.to_string()})
        }
        Call::SubmitMessage { transport, message, flags, offered } => json!({
            "call": method, "to": transport.to_string(), "ulFlags": flags.to_string(), "message": message.to_string(),
            "offered": set_value(offered),
        }),
        Call::EndMessage { transport, msg_ref } => json!({"call": method, "to": transport.to_string(), "ulMsgRef": msg_ref.0}),
        Call::SpoolerLogon { store } | Call::GetOutgoingQueue { store } => json!({"call": method, "to": store.to_string()}),
        Call::SetLockState { store, message, state } => json!({
            "call": method, "to": store.to_string(), "message": message.to_string(), "ulLockState": state.to_string(),
        }),
        Call::PreprocessMessage { preprocessor, message } | Call::RemovePreprocessInfo { preprocessor, message } => {
            json!({"call": method, "to": preprocessor.to_string(), "message": message.to_string()})
        }
        Call::Poll { transport } => json!({"call": method, "to": transport.to_string()}),
        Call::CreateMessage { store } => json!({"call": method, "to": store.to_string()}),
        Call::StartMessage { transport, message } => json!({"call": method, "to": transport.to_string(), "message": message.to_string()}),
        Call::SubmitPreprocessed { store, message }
        | Call::FinishedMsg { store, message }
        | Call::NotifyNewMail { store, message }
        | Call::AbortSubmit { store, message } => {
            json!({"call": method, "to": store.to_string(), "message": message.to_string()})
        }
        Call::InboundMsgHook { hook, store, message } => {
            json!({"call": method, "to": hook.to_string(), "lpMDB": store.to_string(), "message": message.to_string()})
        }
        Call::OpenStatusEntry { transport } => json!({"call": method, "to": transport.to_string()}),
        Call::ValidateState { transport, flags } => json!({"call": method, "to": transport.to_string(), "ulFlags": flags.to_string()}),
        Call::FlushQueues { transport, flags } => json!({"call": method, "to": transport.to_string(), "ulFlags": flags.to_string()}),
    }
}

/// A client's status call (`"client"`) or the spooler's answer to it (`"answer"`): the method,
/// the target and the flag word, by name when every bit is documented and in hexadecimal
/// otherwise (STAT-9 to STAT-17).
fn status_value(kind: &str, request: &StatusRequest) -> Value {
    fn word<F: std::fmt::Display>(raw: u32, decoded: Result<F, crate::UnknownFlags>) -> String {
        decoded.map_or_else(|_| format!("0x{raw:08X}"), |f| f.to_string())
    }
    let mut v = json!({ kind: request.method() });
    match *request {
        StatusRequest::OpenEntry { transport } => v["transport"] = json!(transport.to_string()),
        StatusRequest::ValidateState { flags } => v["ulFlags"] = json!(word(flags, ValidateFlags::from_bits(flags))),
        StatusRequest::FlushQueues { target, flags } => {
            v["target"] = json!(target.map(|t| t.to_string()));
            v["ulFlags"] = json!(word(flags, FlushFlags::from_bits(flags)));
        }
        StatusRequest::SettingsDialog { flags } => v["ulFlags"] = json!(word(flags, SettingsFlags::from_bits(flags))),
        StatusRequest::ChangePassword { flags } => v["ulFlags"] = json!(word(flags, PasswordFlags::from_bits(flags))),
    }
    v
}

fn effect_value(effect: &Effect) -> Value {
    match effect {
        Effect::Call(call) => call_value(call),
        Effect::SaveRecipients { store, message, recipients, outcome } => json!({
            "save": message.to_string(), "store": store.to_string(), "recipients": set_value(recipients),
            "outcome": match outcome {
                RecipientOutcome::Transport(t) => t.to_string(),
                RecipientOutcome::Undeliverable(NdrOrigin::NoTransport) => "NDR".to_owned(),
                RecipientOutcome::Undeliverable(NdrOrigin::Preprocessor(p)) => format!("NDR by {p}"),
            },
        }),
        Effect::Report { store, message, recipients, kind } => json!({
            "report": kind.to_string(), "store": store.to_string(), "message": message.to_string(), "recipients": set_value(recipients),
        }),
        Effect::Release(Released::Logon(t)) => json!({"release": "logon", "transport": t.to_string()}),
        Effect::Release(Released::Provider(t)) => json!({"release": "provider", "transport": t.to_string()}),
        Effect::Release(Released::Unsaved { store, message }) => {
            json!({"release": "unsaved", "store": store.to_string(), "message": message.to_string()})
        }
        Effect::CancelMessage { transport, message } => json!({
            "async": "TransportNotify", "to": transport.to_string(), "lpulFlags": "NOTIFY_CANCEL_MESSAGE", "message": message.to_string(),
        }),
        Effect::YieldCancel { transport } => json!({"yield": "MAPI_W_CANCEL_MESSAGE", "to": transport.to_string()}),
        Effect::Release(Released::HookDeleted { store, message }) => {
            json!({"release": "hook_deleted", "store": store.to_string(), "message": message.to_string()})
        }
        Effect::LogoffAnswer { store, flags } => json!({"logoff_answer": store.to_string(), "lpulFlags": flags.to_string()}),
        Effect::StatusAnswer { request, result } => {
            let mut v = status_value("answer", request);
            v["result"] = json!(result.to_string());
            v
        }
    }
}
