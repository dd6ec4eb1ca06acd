//! How each type of argument is written into a trace line and read back from it, both
//! directions side by side for one type (rustls's `Codec`, one field at a time). The method
//! table (`src/method/`) writes and reads every call, return and support call through these.

use serde_json::{Map, Value};

use super::read::Line;
use super::{Codec, number};
use crate::Call;
use crate::flags::LockState;
use crate::hresult::Hresult;
use crate::ids::{AddrType, FolderId, HookId, MapiUid, MessageId, MsgRef, PreprocessorId, RecipientIdx, ServiceId, StoreId, TransportId};
use crate::input::Directions;
use crate::input::{Caller, Delivery, HookOutcome, QueueRow, ReportKind, ReportRequests, StatusColumns};
use crate::method::{FlagWord, Word};
use crate::recipients::{RecipientRow, RecipientSet};
use crate::routing::{AddressTypes, PreprocessorFilter, Registrations};
use crate::trace::TraceError;
use crate::version::SpiVersion;

/// A value of a trace line: how it is written under its key and read back.
pub(crate) trait Field: Sized {
    /// Where the value goes: its key, or the keys of a value written as several.
    type Key: Copy;

    /// Writes the value into the line.
    fn write(&self, w: &mut Writer<'_>, key: Self::Key);

    /// Reads the value from the line.
    ///
    /// # Errors
    /// A [`TraceError`] that names the key and what was expected.
    fn read(r: &mut Reader<'_, '_>, key: Self::Key) -> Result<Self, TraceError>;
}

/// A trace line being written: its keys in order.
pub(crate) struct Writer<'a> {
    codec: &'a Codec,
    obj: Map<String, Value>,
}

impl<'a> Writer<'a> {
    /// An empty line.
    pub(crate) fn new(codec: &'a Codec) -> Writer<'a> {
        Writer { codec, obj: Map::new() }
    }

    /// Writes a string.
    pub(crate) fn text(&mut self, key: &str, text: &str) {
        self.value(key, Value::String(text.to_owned()));
    }

    /// Writes a JSON value.
    pub(crate) fn value(&mut self, key: &str, value: Value) {
        self.obj.insert(key.to_owned(), value);
    }

    /// Writes a field.
    pub(crate) fn put<T: Field>(&mut self, key: T::Key, value: &T) {
        value.write(self, key);
    }

    /// Writes a raw flag word by the names of `F`, or in hexadecimal when it has bits `F` does
    /// not define.
    pub(crate) fn word<F: FlagWord>(&mut self, key: &str, raw: u32) {
        self.text(key, &Word::<F>::of(raw).to_string());
    }

    /// The line's object.
    pub(crate) fn finish(self) -> Value {
        Value::Object(self.obj)
    }
}

/// A trace line being read, with the codec that numbers address types.
pub(crate) struct Reader<'r, 'a> {
    line: &'r Line<'a>,
    codec: &'r mut Codec,
    /// What the line is (the value of its kind key), for errors.
    what: &'r str,
    /// The first flag word of the line with bits its parameter does not define.
    pub(super) undefined: Option<Undefined>,
}

/// A flag word with bits its parameter does not define, read as its documented bits: the line
/// is valid, and its producer at fault ([`crate::trace::UndefinedFlags`]).
pub(crate) struct Undefined {
    /// The word's key.
    pub(super) key: &'static str,
    /// The word.
    pub(super) word: u32,
    /// Its undefined bits.
    pub(super) undefined: u32,
    /// The parameter's documented flags.
    pub(super) documented: Vec<&'static str>,
    /// The requirements that list them.
    pub(super) rules: &'static [&'static str],
}

impl<'r, 'a> Reader<'r, 'a> {
    /// A reader of `line`, a `what`.
    pub(super) fn new(line: &'r Line<'a>, codec: &'r mut Codec, what: &'r str) -> Reader<'r, 'a> {
        Reader { line, codec, what, undefined: None }
    }

    /// Reads a field.
    ///
    /// # Errors
    /// The field's [`TraceError`].
    pub(crate) fn get<T: Field>(&mut self, key: T::Key) -> Result<T, TraceError> {
        T::read(self, key)
    }

    /// Reads a field that may be left out: absent, it is the type's default (0, none).
    ///
    /// # Errors
    /// The field's [`TraceError`] when it is present but malformed.
    pub(crate) fn get_or_default<T: Field<Key = &'static str> + Default>(&mut self, key: &'static str) -> Result<T, TraceError> {
        if self.line.obj.contains_key(key) { self.get(key) } else { Ok(T::default()) }
    }

    /// Reads a list a NULL pointer may stand for (`PreprocessMessage`'s `lppRecipList`): left
    /// out, `null` and `[]` all read as empty.
    ///
    /// # Errors
    /// The field's [`TraceError`] when it is present but malformed.
    pub(crate) fn get_list_or_empty<T: Field<Key = &'static str> + Default>(&mut self, key: &'static str) -> Result<T, TraceError> {
        if self.line.obj.get(key).is_some_and(|v| !v.is_null()) { self.get(key) } else { Ok(T::default()) }
    }

    /// True when the line has one of the keys.
    pub(crate) fn has_any(&self, keys: &[&str]) -> bool {
        keys.iter().any(|k| self.line.obj.contains_key(*k))
    }

    /// A call or return of a method the spooler does not call.
    pub(crate) fn unknown_method(&self, kind: &str, what: &str) -> TraceError {
        self.line.error(kind, format!("unknown method {what:?}; expected one the spooler calls ({})", Call::METHODS.join(", ")))
    }

    /// A line of a `kind` whose value `what` names no variant: `names` are the ones it may name.
    pub(crate) fn unknown(&self, kind: &str, noun: &str, what: &str, names: &[&str]) -> TraceError {
        let mut distinct: Vec<&str> = Vec::new();
        for name in names {
            if !distinct.contains(name) {
                distinct.push(name);
            }
        }
        let (last, first) = distinct.split_last().map_or(("", &[][..]), |(l, f)| (*l, f));
        self.line.error(kind, format!("unknown {noun} {what:?}; expected {} or {last}", first.join(", ")))
    }

    /// A raw flag word: names of `F`, or any bits in hexadecimal (`0x...`).
    pub(crate) fn word<F: FlagWord>(&mut self, key: &str) -> Result<u32, TraceError> {
        let text = self.line.str(key)?;
        let raw = text.strip_prefix("0x").and_then(|hex| u32::from_str_radix(hex, 16).ok());
        raw.or_else(|| F::parse_bits(text)).ok_or_else(|| self.line.error(key, format!("{text:?} is not a flag word of {}", self.what)))
    }

    /// A flag word of `F`: its documented names joined by `|`, or the word in hexadecimal. A
    /// word with bits `F` does not define reads as its documented bits, and is kept in
    /// `undefined` (the first of the line): the line is valid, and its producer at fault.
    ///
    /// # Errors
    /// A [`TraceError`] for a value that is neither.
    pub(crate) fn flags<F: FlagWord>(&mut self, key: &'static str) -> Result<F, TraceError> {
        let text = self.line.str(key)?;
        let error = match F::parse_strictly(text) {
            Ok(flags) => return Ok(flags),
            Err(error) => error,
        };
        let Some(word) = text.strip_prefix("0x").and_then(|hex| u32::from_str_radix(hex, 16).ok()) else {
            return Err(self.line.error(key, format!("{key}: {error} (flags are documented names joined by |, or 0)")));
        };
        self.undefined.get_or_insert_with(|| Undefined {
            key,
            word,
            undefined: F::undefined(word),
            documented: F::names(),
            rules: F::RULES,
        });
        Ok(F::documented(word))
    }

    /// The same reader on an object nested in the line.
    fn nested<T>(&mut self, obj: &'a Map<String, Value>, read: impl FnOnce(&mut Reader<'_, 'a>) -> T) -> T {
        let line = self.line.nested(obj);
        let mut inner = Reader { line: &line, codec: self.codec, what: self.what, undefined: None };
        let value = read(&mut inner);
        if self.undefined.is_none() {
            self.undefined = inner.undefined;
        }
        value
    }
}

/// Values written as their text (`Display`) and read back by a [`Line`] reader.
macro_rules! text_fields {
    ($($ty:ty => |$line:ident, $key:ident| $read:expr;)*) => {
        $(
            impl Field for $ty {
                type Key = &'static str;

                fn write(&self, w: &mut Writer<'_>, key: &'static str) {
                    w.text(key, &self.to_string());
                }

                fn read(r: &mut Reader<'_, '_>, $key: &'static str) -> Result<Self, TraceError> {
                    let $line = r.line;
                    $read
                }
            }
        )*
    };
}

text_fields! {
    TransportId => |line, key| line.id(key, "T", "a transport").map(TransportId);
    StoreId => |line, key| line.id(key, "S", "a store").map(StoreId);
    MessageId => |line, key| line.id(key, "M", "a message").map(MessageId);
    PreprocessorId => |line, key| line.id(key, "P", "a preprocessor").map(PreprocessorId);
    HookId => |line, key| line.id(key, "H", "an inbound hook").map(HookId);
    ServiceId => |line, key| line.id(key, "svc", "a message service").map(ServiceId);
    FolderId => |line, key| line.id(key, "F", "a folder").map(FolderId);
    MapiUid => |line, key| line.id(key, "uid", "a MAPIUID").map(MapiUid);
    Hresult => |line, key| line.hresult(key);
    LockState => |line, key| line.lock_state(key);
    SpiVersion => |line, key| line.version(key);
    Directions => |line, key| line.directions(key);
    Caller => |line, key| {
        let text = line.str(key)?;
        match (number(text, "T"), number(text, "S")) {
            (Some(t), _) => Ok(Caller::Transport(TransportId(t))),
            (None, Some(s)) => Ok(Caller::Store(StoreId(s))),
            _ => Err(line.error(key, format!("{key} must be a transport (T0) or a store (S0), not {text:?}"))),
        }
    };
}

/// Flag words, written as their documented names joined by `|` and read by
/// [`Reader::flags`].
macro_rules! flag_fields {
    ($($flags:ident),* $(,)?) => {
        $(
            impl Field for crate::flags::$flags {
                type Key = &'static str;

                fn write(&self, w: &mut Writer<'_>, key: &'static str) {
                    w.text(key, &self.to_string());
                }

                fn read(r: &mut Reader<'_, '_>, key: &'static str) -> Result<Self, TraceError> {
                    r.flags(key)
                }
            }
        )*
    };
}

flag_words!(flag_fields);

/// A message reference, a number.
impl Field for MsgRef {
    type Key = &'static str;

    fn write(&self, w: &mut Writer<'_>, key: &'static str) {
        w.value(key, self.0.into());
    }

    fn read(r: &mut Reader<'_, '_>, key: &'static str) -> Result<Self, TraceError> {
        r.line.uint(key, u64::MAX).map(MsgRef)
    }
}

/// A 32-bit out-parameter, a number.
impl Field for u32 {
    type Key = &'static str;

    fn write(&self, w: &mut Writer<'_>, key: &'static str) {
        w.value(key, (*self).into());
    }

    fn read(r: &mut Reader<'_, '_>, key: &'static str) -> Result<Self, TraceError> {
        r.line.uint(key, u32::MAX.into()).map(|n| n as u32)
    }
}

/// Recipient rows by index: `[0, 2]`.
impl Field for RecipientSet {
    type Key = &'static str;

    fn write(&self, w: &mut Writer<'_>, key: &'static str) {
        w.value(key, self.iter().map(|r| Value::from(r.0)).collect());
    }

    fn read(r: &mut Reader<'_, '_>, key: &'static str) -> Result<Self, TraceError> {
        r.line.set(key)
    }
}

/// An address type, by the name the header gives it (or any name, numbered as first seen).
impl Field for AddrType {
    type Key = &'static str;

    fn write(&self, w: &mut Writer<'_>, key: &'static str) {
        w.text(key, &w.codec.addr(*self));
    }

    fn read(r: &mut Reader<'_, '_>, key: &'static str) -> Result<Self, TraceError> {
        let name = r.line.str(key)?;
        Ok(r.codec.read_addr(name))
    }
}

/// An optional argument: `null` when absent (and absent reads as `null`).
impl<T: Field<Key = &'static str>> Field for Option<T> {
    type Key = &'static str;

    fn write(&self, w: &mut Writer<'_>, key: &'static str) {
        match self {
            Some(value) => value.write(w, key),
            None => w.value(key, Value::Null),
        }
    }

    fn read(r: &mut Reader<'_, '_>, key: &'static str) -> Result<Self, TraceError> {
        match r.line.obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => T::read(r, key).map(Some),
        }
    }
}

/// `RegisterPreprocessor`'s `lpMuid` and `lpszAdrType`, each `null` for none.
impl Field for PreprocessorFilter {
    type Key = (&'static str, &'static str);

    fn write(&self, w: &mut Writer<'_>, (uid, addr_type): Self::Key) {
        w.put(uid, &self.uid);
        w.put(addr_type, &self.addr_type);
    }

    fn read(r: &mut Reader<'_, '_>, (uid, addr_type): Self::Key) -> Result<Self, TraceError> {
        Ok(PreprocessorFilter { uid: r.get(uid)?, addr_type: r.get(addr_type)? })
    }
}

/// `PR_RESOURCE_METHODS` and `PR_RESOURCE_FLAGS` of a status row: a column left out reads as 0.
impl Field for StatusColumns {
    type Key = (&'static str, &'static str);

    fn write(&self, w: &mut Writer<'_>, (methods, flags): Self::Key) {
        w.put(methods, &self.methods);
        w.put(flags, &self.resource_flags);
    }

    fn read(r: &mut Reader<'_, '_>, (methods, flags): Self::Key) -> Result<Self, TraceError> {
        Ok(StatusColumns { methods: r.get_or_default(methods)?, resource_flags: r.get_or_default(flags)? })
    }
}

/// `StatusRecips`' entries: `[{"recipient": 0, "kind": "NDR"}]`.
impl Field for Vec<(RecipientIdx, ReportKind)> {
    type Key = &'static str;

    fn write(&self, w: &mut Writer<'_>, key: &'static str) {
        let entries = self.iter().map(|(r, kind)| serde_json::json!({"recipient": r.0, "kind": kind.to_string()})).collect();
        w.value(key, entries);
    }

    fn read(r: &mut Reader<'_, '_>, key: &'static str) -> Result<Self, TraceError> {
        let mut reports = Vec::new();
        for value in r.line.array(key)? {
            let Value::Object(obj) = value else {
                return Err(r.line.error(key, "each report must be {\"recipient\": n, \"kind\": \"DR\" or \"NDR\"}".to_owned()));
            };
            let entry = r.line.nested(obj);
            let recipient = RecipientIdx(entry.uint("recipient", u16::MAX.into())? as u16);
            let kind = entry.str("kind")?;
            let kind = super::read::report_kind(kind)
                .ok_or_else(|| r.line.error(key, format!("a report kind is \"DR\" or \"NDR\", not {kind:?}")))?;
            reports.push((recipient, kind));
        }
        Ok(reports)
    }
}

/// A queued message as a line carries it: its store under `key` (`from`), then the row.
impl Field for QueueRow {
    type Key = &'static str;

    fn write(&self, w: &mut Writer<'_>, key: &'static str) {
        w.put(key, &self.store);
        self.write_row(w);
    }

    fn read(r: &mut Reader<'_, '_>, key: &'static str) -> Result<Self, TraceError> {
        let store = r.get(key)?;
        QueueRow::read_row(r, store)
    }
}

impl QueueRow {
    /// The row's fields, without its store.
    fn write_row(&self, w: &mut Writer<'_>) {
        w.put("message", &self.message);
        w.put("PR_SUBMIT_FLAGS", &self.flags);
        w.value("PR_PREPROCESS", self.preprocess.into());
        w.value("reports", serde_json::json!({"delivery": self.reports.delivery, "non_delivery": self.reports.non_delivery}));
        let recipients = self
            .recipients
            .iter()
            .map(|row| {
                let mut o = Writer::new(w.codec);
                o.put("PR_ADDRTYPE", &row.addr_type);
                o.value("PR_RESPONSIBILITY", row.responsibility.into());
                if let Some(uid) = row.uid {
                    o.put("uid", &uid);
                }
                o.finish()
            })
            .collect();
        w.value("recipients", recipients);
    }

    /// Reads a row of `store` (the reports may be left out: the default requests).
    fn read_row(r: &mut Reader<'_, '_>, store: StoreId) -> Result<QueueRow, TraceError> {
        let reports = match r.line.obj.get("reports") {
            None => ReportRequests::default(),
            Some(Value::Object(obj)) => {
                let requests = r.line.nested(obj);
                ReportRequests { delivery: requests.bool("delivery")?, non_delivery: requests.bool("non_delivery")? }
            }
            Some(_) => return Err(r.line.error("reports", "reports must be {\"delivery\": bool, \"non_delivery\": bool}".to_owned())),
        };
        let mut recipients = Vec::new();
        for value in r.line.array("recipients")? {
            let Value::Object(obj) = value else {
                return Err(r
                    .line
                    .error("recipients", "each recipient must be {\"PR_ADDRTYPE\": name, \"PR_RESPONSIBILITY\": bool}".to_owned()));
            };
            let row = r.nested(obj, |row| -> Result<RecipientRow, TraceError> {
                let addr_type = row.get("PR_ADDRTYPE")?;
                let uid = row.get("uid")?;
                Ok(RecipientRow { addr_type, uid, responsibility: row.line.bool("PR_RESPONSIBILITY")? })
            })?;
            recipients.push(row);
        }
        Ok(QueueRow {
            store,
            message: r.get("message")?,
            flags: r.get("PR_SUBMIT_FLAGS")?,
            preprocess: r.line.bool("PR_PREPROCESS")?,
            reports,
            recipients,
        })
    }
}

/// `GetOutgoingQueue`'s rows, each an object without its store: they are the queue of the store
/// that answers (`from`).
impl Field for Vec<QueueRow> {
    type Key = &'static str;

    fn write(&self, w: &mut Writer<'_>, key: &'static str) {
        let rows = self
            .iter()
            .map(|row| {
                let mut o = Writer::new(w.codec);
                row.write_row(&mut o);
                o.finish()
            })
            .collect();
        w.value(key, rows);
    }

    fn read(r: &mut Reader<'_, '_>, key: &'static str) -> Result<Self, TraceError> {
        let store: StoreId = r.get("from")?;
        let mut rows = Vec::new();
        for value in r.line.array(key)? {
            let Value::Object(obj) = value else {
                return Err(r.line.error(key, "each row must be an object with message, PR_SUBMIT_FLAGS, recipients".to_owned()));
            };
            rows.push(r.nested(obj, |row| QueueRow::read_row(row, store))?);
        }
        Ok(rows)
    }
}

/// `AddressTypes`' `lpppAdrTypeArray` and `lpppUIDArray`, as `ixplogon-addresstypes.md` means
/// them: a NULL address-type array (`null`) is every address type (ORD-5); a zero-length string
/// is no address type (a single one, `[""]`, is how a transport refuses dispatch by address type,
/// ORD-6), so `[""]` reads as `[]`; a NULL MAPIUID array is no UID, written `[]`, `null` or left
/// out.
impl Field for Registrations {
    type Key = (&'static str, &'static str);

    fn write(&self, w: &mut Writer<'_>, (types, uids): Self::Key) {
        let listed = match &self.address_types {
            AddressTypes::Any => Value::Null,
            AddressTypes::Listed(listed) => listed.iter().map(|a| Value::String(w.codec.addr(*a))).collect(),
        };
        w.value(types, listed);
        w.value(uids, self.uids.iter().map(|u| Value::String(u.to_string())).collect());
    }

    fn read(r: &mut Reader<'_, '_>, (types, uids): Self::Key) -> Result<Self, TraceError> {
        let address_types = match r.line.obj.get(types) {
            Some(Value::Null) => AddressTypes::Any,
            _ => {
                let mut listed = Vec::new();
                for v in r.line.array(types)? {
                    let name = v.as_str().ok_or_else(|| r.line.error(types, "address types are names".to_owned()))?;
                    if !name.is_empty() {
                        listed.push(r.codec.read_addr(name));
                    }
                }
                AddressTypes::Listed(listed)
            }
        };
        let uids = match r.line.obj.get(uids) {
            None | Some(Value::Null) => Vec::new(),
            Some(_) => r.line.ids(uids, "uid", "UIDs are written uid0, uid1, ...")?.into_iter().map(MapiUid).collect(),
        };
        Ok(Registrations { address_types, uids })
    }
}

/// Whether `StartMessage` saved a message: `true` or `false`.
impl Field for Delivery {
    type Key = &'static str;

    fn write(&self, w: &mut Writer<'_>, key: &'static str) {
        w.value(key, (*self == Delivery::Saved).into());
    }

    fn read(r: &mut Reader<'_, '_>, key: &'static str) -> Result<Self, TraceError> {
        Ok(if r.line.bool(key)? { Delivery::Saved } else { Delivery::Empty })
    }
}

/// What an inbound hook did: `*lpulFlags` and `*lppEntryID` (`null` when it did not move the
/// message).
impl Field for HookOutcome {
    type Key = (&'static str, &'static str);

    fn write(&self, w: &mut Writer<'_>, (flags, folder): Self::Key) {
        w.put(flags, &self.flags);
        w.put(folder, &self.moved_to);
    }

    fn read(r: &mut Reader<'_, '_>, (flags, folder): Self::Key) -> Result<Self, TraceError> {
        let moved_to = r.get(folder)?;
        Ok(HookOutcome { flags: r.get(flags)?, moved_to })
    }
}
