//! Writing trace lines: the header and every kind of event.

use serde_json::{Value, json};

use super::field::Writer;
use super::{Event, FORMAT_VERSION, Header, Recorded};
use crate::{
    AddrType, CancelRequest, Effect, Input, NdrOrigin, QueueEvent, RecipientOutcome, RecipientSet, Released, SessionRequest, Settings,
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
            Event::Effect(effect) => self.effect_value(effect),
            Event::Crash => json!({"event": "Crash"}),
        }
        .to_string()
    }

    /// The name of an address type: the header's, or `adr0`, ...
    pub(super) fn addr(&self, a: AddrType) -> String {
        self.address_types.get(a.index()).cloned().unwrap_or_else(|| a.to_string())
    }

    /// A line written field by field.
    fn fields(&self, write: impl FnOnce(&mut Writer<'_>)) -> Value {
        let mut w = Writer::new(self);
        write(&mut w);
        w.finish()
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
            Input::Return(ret) => self.fields(|w| ret.encode(w)),
            Input::Support(call) => self.fields(|w| call.encode(w)),
            Input::Queue(QueueEvent::RowAdded(row)) => self.fields(|w| {
                w.text("queue", "RowAdded");
                w.put("from", row);
            }),
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
}

fn set_value(set: &RecipientSet) -> Value {
    set.iter().map(|r| json!(r.0)).collect()
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

impl Codec {
    fn effect_value(&self, effect: &Effect) -> Value {
        match effect {
            Effect::Call(call) => self.fields(|w| call.encode(w)),
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
}
