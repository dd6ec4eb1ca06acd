//! Writing trace lines: the header and every kind of event.

use serde_json::{Value, json};

use super::field::Writer;
use super::{Event, FORMAT_VERSION, Header, Recorded};
use crate::{AddrType, Effect, Input, NdrOrigin, RecipientOutcome, RecipientSet, Released, Settings};

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
            Event::UndefinedFlags(undefined) => return undefined.line.clone(),
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
            Input::Session(request) => self.fields(|w| request.encode(w, "session")),
            Input::Return(ret) => self.fields(|w| ret.encode(w)),
            Input::Support(call) => self.fields(|w| call.encode(w, "support")),
            Input::Queue(event) => self.fields(|w| event.encode(w, "queue")),
            Input::TimePassed { seconds } => json!({"event": "TimePassed", "seconds": seconds}),
            Input::SystemIdle => json!({"event": "SystemIdle"}),
            Input::TransportOrder(order) => {
                json!({"session": "TransportOrder", "order": order.iter().map(ToString::to_string).collect::<Vec<_>>()})
            }
            Input::Cancel(request) => self.fields(|w| request.encode(w, "session")),
            Input::Status(request) => self.fields(|w| request.encode(w, "client")),
        }
    }
}

fn set_value(set: &RecipientSet) -> Value {
    set.iter().map(|r| json!(r.0)).collect()
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
            Effect::StatusAnswer { request, result } => self.fields(|w| {
                request.encode(w, "answer");
                w.put("result", result);
            }),
        }
    }
}
