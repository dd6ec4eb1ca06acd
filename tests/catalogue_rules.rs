//! Rules of the catalogue (`spec/requirements.md`) that no other test exercised, checked by
//! driving [`Spooler::step`] directly: each test feeds the documented inputs and answers, and
//! fails when the spooler breaks the rule it cites. The tests of rows marked `deviation` pin
//! what the reference does today where it departs from the page; when one fails, the code has
//! changed and the row must say so.

use mapi_spooler::{
    AddrType, Call, Caller, Delivery, Directions, Effect, EndFlags, Error, FlushFlags, HookOutcome, Hresult, Input, LogonCaps, MessageId,
    MsgRef, NotifyFlags, Priorities, Profile, ProviderFault, QueueEvent, QueueFlags, QueueRow, RecipientIdx, RecipientRow, RecipientSet,
    Registrations, ReportKind, ReportRequests, Return, SessionRequest, SpiVersion, Spooler, SpoolerNotifyFlags, StatusCode, StatusRequest,
    StatusRowFlags, StoreId, SubmitOutcome, SupportCall, TransportId,
};

const T0: TransportId = TransportId(0);
const S0: StoreId = StoreId(0);
const SMTP: AddrType = AddrType(0);
const FAX: AddrType = AddrType(1);

/// A session driven call by call. Every call the spooler makes is answered the way a
/// well-behaved provider or store answers it, unless the test stops at the call and answers it
/// itself.
struct Session {
    spooler: Spooler,
    /// What each transport's `AddressTypes` returns.
    registrations: Vec<Registrations>,
    /// What each transport's `TransportLogon` returns.
    caps: LogonCaps,
    /// Every call the spooler made, in order.
    calls: Vec<Call>,
    /// Every effect the spooler produced, in order.
    effects: Vec<Effect>,
    /// The scheduling order the spooler is stepped with.
    priorities: Priorities,
    /// The next entry identifier the receive folder hands out.
    next_inbound: u32,
}

impl Session {
    /// A spooler with one transport per registration (each its own service) and one store,
    /// before the session starts.
    fn new(registrations: Vec<Registrations>, caps: LogonCaps) -> Session {
        let spooler = Spooler::new(&Profile::new(registrations.len() as u8)).expect("a valid profile");
        Session {
            spooler,
            registrations,
            caps,
            calls: Vec::new(),
            effects: Vec::new(),
            priorities: Priorities::REFERENCE,
            next_inbound: 1000,
        }
    }

    /// A session whose start-up is over: every transport logged on and enabled, the store's
    /// queue open and empty.
    fn started(registrations: Vec<Registrations>, caps: LogonCaps) -> Session {
        let mut session = Session::new(registrations, caps);
        session.accept(Input::Session(SessionRequest::Start));
        session.run();
        assert!(session.spooler.status_table_ready(), "start-up did not end: {:?}", session.calls);
        session
    }

    /// Steps the spooler; records the effects of an accepted input.
    fn feed(&mut self, input: Input) -> Result<(), Error> {
        let effects = self.spooler.step_with(input, self.priorities)?;
        for effect in effects.into_vec() {
            if let Effect::Call(call) = &effect {
                self.calls.push(call.clone());
            }
            self.effects.push(effect);
        }
        Ok(())
    }

    /// Steps the spooler with an input it must accept.
    fn accept(&mut self, input: Input) {
        let shown = format!("{input:?}");
        if let Err(e) = self.feed(input) {
            panic!("{shown} was refused: {e}\ncalls so far: {:?}", self.calls);
        }
    }

    /// How a well-behaved provider or store answers a call: support calls it makes inside the
    /// call, then the return.
    fn answer(&mut self, call: &Call) -> Vec<Input> {
        let ret = match *call {
            Call::XpProviderInit { transport, .. } => Return::XpProviderInit { transport, result: Ok(SpiVersion::CURRENT) },
            Call::ServiceConfigure { service } => Return::ServiceConfigure { service, result: Hresult::S_OK },
            Call::TransportLogon { transport, .. } => {
                let row = SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::EMPTY, status: StatusCode::STATUS_AVAILABLE };
                return vec![Input::Support(row), Input::Return(Return::TransportLogon { transport, result: Ok(self.caps) })];
            }
            Call::AddressTypes { transport } => {
                Return::AddressTypes { transport, result: Ok(self.registrations[transport.index()].clone()) }
            }
            Call::TransportNotify { transport, flags, .. } => Return::TransportNotify { transport, flags, result: Hresult::S_OK },
            Call::Idle { transport } => Return::Idle { transport, result: Hresult::S_OK },
            Call::SubmitMessage { transport, message, ref offered, .. } => Return::SubmitMessage {
                transport,
                message,
                outcome: SubmitOutcome::Accepted { msg_ref: MsgRef(1), accepted: offered.clone() },
            },
            Call::EndMessage { transport, msg_ref } => Return::EndMessage { transport, msg_ref, result: Ok(EndFlags::EMPTY) },
            Call::TransportLogoff { transport } => Return::TransportLogoff { transport, result: Hresult::S_OK },
            Call::Shutdown { transport } => Return::Shutdown { transport, result: Hresult::S_OK },
            Call::SpoolerLogon { store } => Return::SpoolerLogon { store, result: Hresult::S_OK },
            Call::GetOutgoingQueue { store } => Return::GetOutgoingQueue { store, result: Ok(Vec::new()) },
            Call::SetLockState { store, message, state } => Return::SetLockState { store, message, state, result: Hresult::S_OK },
            Call::PreprocessMessage { preprocessor, message } => {
                Return::PreprocessMessage { preprocessor, message, result: Ok(RecipientSet::new()) }
            }
            Call::SubmitPreprocessed { store, message } => Return::SubmitPreprocessed { store, message, result: Hresult::S_OK },
            Call::RemovePreprocessInfo { preprocessor, message } => {
                Return::RemovePreprocessInfo { preprocessor, message, result: Hresult::S_OK }
            }
            Call::FinishedMsg { store, message } => Return::FinishedMsg { store, message, result: Hresult::S_OK },
            Call::Poll { transport } => Return::Poll { transport, incoming: 0, result: Hresult::S_OK },
            Call::CreateMessage { store } => {
                self.next_inbound += 1;
                Return::CreateMessage { store, result: Ok(MessageId(self.next_inbound)) }
            }
            Call::StartMessage { transport, message } => Return::StartMessage { transport, message, result: Ok(Delivery::Empty) },
            Call::NotifyNewMail { store, message } => Return::NotifyNewMail { store, message, result: Hresult::S_OK },
            Call::AbortSubmit { store, message } => Return::AbortSubmit { store, message, result: Hresult::S_OK },
            Call::InboundMsgHook { hook, message, .. } => Return::InboundMsgHook { hook, message, result: Ok(HookOutcome::KEEP) },
            Call::OpenStatusEntry { transport } => Return::OpenStatusEntry { transport, result: Hresult::S_OK },
            Call::ValidateState { transport, .. } => Return::ValidateState { transport, result: Hresult::S_OK },
            Call::FlushQueues { transport, .. } => Return::FlushQueues { transport, result: Hresult::S_OK },
        };
        vec![Input::Return(ret)]
    }

    /// Answers every call until the call in flight is one `stop` picks, which is returned
    /// unanswered, or until no call is in flight (`None`).
    fn run_until(&mut self, stop: impl Fn(&Call) -> bool) -> Option<Call> {
        for _ in 0..10_000 {
            let call = self.spooler.call_in_flight()?.clone();
            if stop(&call) {
                return Some(call);
            }
            for input in self.answer(&call) {
                self.accept(input);
            }
        }
        panic!("the session did not settle: {:?}", self.calls);
    }

    /// Answers every call until none is in flight.
    fn run(&mut self) {
        self.run_until(|_| false);
    }

    /// Queues a message of `S0` whose recipients have these address types, every one FALSE
    /// unless `taken` says TRUE.
    fn queue(&mut self, message: u32, recipients: &[(AddrType, bool)]) -> MessageId {
        let row = QueueRow {
            store: S0,
            message: MessageId(message),
            flags: QueueFlags::EMPTY,
            preprocess: false,
            reports: ReportRequests::default(),
            recipients: recipients.iter().map(|&(a, taken)| RecipientRow { responsibility: taken, ..RecipientRow::new(a) }).collect(),
        };
        self.accept(Input::Queue(QueueEvent::RowAdded(row)));
        MessageId(message)
    }

    /// The calls made since the first `since` calls.
    fn calls_since(&self, since: usize) -> &[Call] {
        &self.calls[since..]
    }
}

fn rows(indices: &[u16]) -> RecipientSet {
    indices.iter().map(|&r| RecipientIdx(r)).collect()
}

fn notify(transport: TransportId, flags: SpoolerNotifyFlags) -> Input {
    Input::Support(SupportCall::SpoolerNotify { caller: Caller::Transport(transport), flags, message: None })
}

fn is_notify(call: &Call, flags: NotifyFlags) -> bool {
    matches!(call, Call::TransportNotify { flags: f, .. } if *f == flags)
}

/// ERR-18: during a flush, a failed `SubmitMessage` is dealt with before the spooler's next
/// call: no `EndMessage` follows it, the outbound half does not offer the message again inside
/// the delay but ends, and the message goes out once the delay has passed.
#[test]
fn a_failed_submission_during_a_flush_gets_no_end_message_and_waits_out_its_delay() {
    // Spec: ERR-18, ERR-4, INV-17, INV-29, STAT-20, DEC-32
    let mut s = Session::started(vec![Registrations::address_types([SMTP])], LogonCaps::EMPTY);
    let request = StatusRequest::FlushQueues { target: None, flags: FlushFlags::FLUSH_UPLOAD.bits() };
    s.accept(Input::Status(request));
    let begin = s.run_until(|c| is_notify(c, NotifyFlags::NOTIFY_BEGIN_OUTBOUND_FLUSH));
    assert!(begin.is_some(), "the flush never began its outbound half: {:?}", s.calls);
    let m = s.queue(7, &[(SMTP, false)]);
    let submit = s.run_until(|c| matches!(c, Call::SubmitMessage { .. })).expect("the queued message is offered inside the flush");
    assert_eq!(submit, Call::SubmitMessage { transport: T0, message: m, flags: mapi_spooler::SubmitFlags::EMPTY, offered: rows(&[0]) });
    let before = s.calls.len();
    let failed = SubmitOutcome::Failed { result: Hresult::MAPI_E_WAIT, return_parm: 30, saved: RecipientSet::new() };
    s.accept(Input::Return(Return::SubmitMessage { transport: T0, message: m, outcome: failed }));
    // The next call ends the outbound half: no EndMessage, no second offer inside the delay.
    assert!(
        s.spooler.call_in_flight().is_some_and(|c| is_notify(c, NotifyFlags::NOTIFY_END_OUTBOUND_FLUSH)),
        "after the failed SubmitMessage the spooler called {:?}",
        s.spooler.call_in_flight()
    );
    s.run();
    assert!(
        !s.calls_since(before).iter().any(|c| matches!(c, Call::EndMessage { .. } | Call::SubmitMessage { .. })),
        "{:?}",
        s.calls_since(before)
    );
    assert!(s.effects.contains(&Effect::StatusAnswer { request, result: Hresult::S_OK }), "the client's flush is answered");
    // Not before the delay...
    s.accept(Input::TimePassed { seconds: 29 });
    s.run();
    assert!(!s.calls_since(before).iter().any(|c| matches!(c, Call::SubmitMessage { .. })), "{:?}", s.calls_since(before));
    // ...but once it has passed.
    s.accept(Input::TimePassed { seconds: 1 });
    s.run();
    let after: Vec<&Call> = s.calls_since(before).iter().filter(|c| !matches!(c, Call::TransportNotify { .. })).collect();
    assert_eq!(
        after,
        [
            &Call::SubmitMessage { transport: T0, message: m, flags: mapi_spooler::SubmitFlags::EMPTY, offered: rows(&[0]) },
            &Call::EndMessage { transport: T0, msg_ref: MsgRef(1) },
            &Call::FinishedMsg { store: S0, message: m },
        ]
    );
}

/// LIFE-12, inbound half: after `NOTIFY_END_INBOUND` a polled transport is no longer polled and
/// its `NOTIFY_NEWMAIL` starts no fetch; once inbound is enabled again it is polled again.
#[test]
fn after_end_inbound_a_polled_transport_is_neither_polled_nor_fetched_from() {
    // Spec: LIFE-12, RCV-2, INV-9, DEC-25
    let mut s = Session::started(vec![Registrations::address_types([SMTP])], LogonCaps::LOGON_SP_POLL);
    s.accept(Input::TimePassed { seconds: 1 });
    s.run();
    assert!(s.calls.contains(&Call::Poll { transport: T0 }), "a polled transport is polled when time passes: {:?}", s.calls);
    s.accept(Input::Session(SessionRequest::Disable { transport: T0, directions: Directions::INBOUND }));
    s.run();
    assert!(s.calls.iter().any(|c| is_notify(c, NotifyFlags::NOTIFY_END_INBOUND)), "{:?}", s.calls);
    let disabled = s.calls.len();
    s.accept(Input::TimePassed { seconds: 60 });
    s.run();
    s.accept(Input::SystemIdle);
    s.run();
    s.accept(notify(T0, SpoolerNotifyFlags::NOTIFY_NEWMAIL));
    s.run();
    assert_eq!(s.calls_since(disabled), [], "no Poll, no CreateMessage, no StartMessage while inbound is off");
    s.accept(Input::Session(SessionRequest::Enable { transport: T0, directions: Directions::INBOUND }));
    s.run();
    let enabled = s.calls.len();
    s.accept(Input::TimePassed { seconds: 1 });
    s.run();
    assert_eq!(s.calls_since(enabled), [Call::Poll { transport: T0 }], "polling resumes once inbound is on again");
}

/// LIFE-23 (a deviation): a transport that calls `SpoolerNotify` from inside its
/// `TransportLogon`, which the page tells providers to avoid, is accepted like at any other time.
#[test]
fn a_spooler_notify_inside_transport_logon_is_accepted() {
    // Spec: LIFE-23
    let mut s = Session::new(vec![Registrations::address_types([SMTP])], LogonCaps::EMPTY);
    s.accept(Input::Session(SessionRequest::Start));
    let logon = s.run_until(|c| matches!(c, Call::TransportLogon { .. }));
    assert!(logon.is_some(), "{:?}", s.calls);
    let row = SupportCall::ModifyStatusRow { transport: T0, flags: StatusRowFlags::EMPTY, status: StatusCode::STATUS_AVAILABLE };
    s.accept(Input::Support(row));
    let inside = s.feed(notify(T0, SpoolerNotifyFlags::NOTIFY_READYTOSEND));
    assert_eq!(
        inside,
        Ok(()),
        "the reference now refuses a SpoolerNotify made inside TransportLogon: LIFE-23 is enforced, so its row in \
         spec/requirements.md is no longer a deviation"
    );
    s.accept(Input::Return(Return::TransportLogon { transport: T0, result: Ok(LogonCaps::EMPTY) }));
    s.run();
    assert!(s.spooler.status_table_ready());
}

/// RCV-14 (a deviation): a transport can turn its messaging system's reports into MAPI reports
/// with `StatusRecips` only while the spooler's `SubmitMessage` of that message is in flight; a
/// native report that arrives after the hand-over is refused.
#[test]
fn status_recips_after_the_hand_over_is_refused() {
    // Spec: RCV-14, SUB-30
    let mut s = Session::started(vec![Registrations::address_types([SMTP])], LogonCaps::EMPTY);
    let m = s.queue(7, &[(SMTP, false)]);
    s.run();
    assert!(s.calls.contains(&Call::FinishedMsg { store: S0, message: m }), "{:?}", s.calls);
    let before = s.spooler.clone();
    let late =
        Input::Support(SupportCall::StatusRecips { transport: T0, message: m, reports: vec![(RecipientIdx(0), ReportKind::NonDelivery)] });
    assert_eq!(
        s.feed(late),
        Err(Error::Provider { transport: T0, fault: ProviderFault::StatusRecipsOutsideSubmit { message: m } }),
        "if a late StatusRecips is now accepted, RCV-14 is no longer a deviation"
    );
    assert_eq!(s.spooler, before, "a refused input changes nothing");
}

/// AMB-33 (a deviation): a duplicate that `ExpandRecips` marked reaches the spooler with
/// `PR_RESPONSIBILITY` TRUE; it is never offered, and no report is raised for it, but it counts
/// as taken (there is no duplicate disposition).
#[test]
fn a_marked_duplicate_is_never_offered() {
    // Spec: AMB-33, SUB-21, SUB-22
    let mut s = Session::started(vec![Registrations::address_types([SMTP])], LogonCaps::EMPTY);
    let m = s.queue(7, &[(SMTP, false), (SMTP, true)]);
    s.run();
    let offers: Vec<&Call> = s.calls.iter().filter(|c| matches!(c, Call::SubmitMessage { .. })).collect();
    assert_eq!(offers, [&Call::SubmitMessage { transport: T0, message: m, flags: mapi_spooler::SubmitFlags::EMPTY, offered: rows(&[0]) }]);
    assert!(s.calls.contains(&Call::FinishedMsg { store: S0, message: m }));
    assert!(!s.effects.iter().any(|e| matches!(e, Effect::Report { .. })), "{:?}", s.effects);
}

/// DEC-15 holds in the reference's order (`Spooler::step`): a later message for another
/// transport is not locked while the older locked message still has its `SubmitMessage` due.
/// With locking before the work on locked messages (an order `Spooler::step_with` and
/// `trace check` accept, FREE-22), it is: the exception of DEC-15 is not checked by the
/// locking code itself.
#[test]
fn the_skip_ahead_lock_waits_for_the_locked_message_only_in_the_reference_order() {
    // Spec: DEC-15, SUB-19, FREE-22
    let lock_of = |s: &Session, m: MessageId| {
        s.calls
            .iter()
            .position(|c| matches!(c, Call::SetLockState { message, state: mapi_spooler::LockState::Locked, .. } if *message == m))
    };
    let first_offer =
        |s: &Session, m: MessageId| s.calls.iter().position(|c| matches!(c, Call::SubmitMessage { message, .. } if *message == m));
    for (priorities, waits) in [
        (Priorities::REFERENCE, true),
        (Priorities([mapi_spooler::Work::Locking, mapi_spooler::Work::Messages, mapi_spooler::Work::Transports]), false),
    ] {
        let mut s = Session::started(vec![Registrations::address_types([SMTP]), Registrations::address_types([FAX])], LogonCaps::EMPTY);
        s.priorities = priorities;
        // Both rows arrive while the spooler is busy, so both are queued when it chooses.
        s.accept(Input::Status(StatusRequest::ValidateState { flags: 0 }));
        let m1 = s.queue(1, &[(SMTP, false)]);
        let m2 = s.queue(2, &[(FAX, false)]);
        s.run();
        let (lock2, offer1) = (lock_of(&s, m2).expect("M2 is locked"), first_offer(&s, m1).expect("M1 is offered"));
        assert!(lock_of(&s, m1) < Some(lock2), "M1 is locked first: {:?}", s.calls);
        assert_eq!(
            lock2 > offer1,
            waits,
            "with {priorities:?}, M2 was locked {} M1's first SubmitMessage; if the locking code now checks that every locked \
             message waits, update DEC-15's note and FREE-22: {:?}",
            if lock2 > offer1 { "after" } else { "before" },
            s.calls
        );
        assert!(
            s.calls.contains(&Call::FinishedMsg { store: S0, message: m1 })
                && s.calls.contains(&Call::FinishedMsg { store: S0, message: m2 })
        );
    }
}
