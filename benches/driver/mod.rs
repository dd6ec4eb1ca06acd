//! The submission hot path's driver, shared by the benchmark (`benches/submission.rs`) and the
//! instruction-count guard (`examples/submission_budget.rs`): it starts a spooler by hand and
//! answers every call the way a well-behaved store and transport do (`SetLockState` succeeds,
//! `SubmitMessage` takes every offered recipient, `EndMessage` returns flags 0, `FinishedMsg`
//! succeeds).

use mapi_spooler::{
    AddrType, Call, Effect, Effects, EndFlags, Hresult, Input, LogonCaps, MessageId, MsgRef, NotifyFlags, Profile, QueueEvent, QueueFlags,
    QueueRow, RecipientRow, Registrations, ReportRequests, Return, SessionRequest, SpiVersion, Spooler, StatusCode, StatusRowFlags,
    StoreId, SubmitOutcome, SupportCall,
};

pub const S0: StoreId = StoreId(0);

/// The one call an effect list holds, if any: the spooler makes its call last, after the
/// effects that lead to it.
pub fn call_of(mut fx: Effects) -> Option<Call> {
    match fx.pop() {
        Some(Effect::Call(call)) => Some(call),
        Some(_) => {
            debug_assert!(!fx.iter().any(|e| matches!(e, Effect::Call(_))), "the call comes last");
            None
        }
        None => None,
    }
}

/// The return of a well-behaved store or transport to a call on the submission hot path.
pub fn answer(call: &Call) -> Input {
    Input::Return(match *call {
        Call::SetLockState { store, message, state } => Return::SetLockState { store, message, state, result: Hresult::S_OK },
        Call::SubmitMessage { transport, message, ref offered, .. } => Return::SubmitMessage {
            transport,
            message,
            outcome: SubmitOutcome::Accepted { msg_ref: MsgRef(u64::from(message.0)), accepted: offered.clone() },
        },
        Call::EndMessage { transport, msg_ref } => Return::EndMessage { transport, msg_ref, result: Ok(EndFlags::EMPTY) },
        Call::FinishedMsg { store, message } => Return::FinishedMsg { store, message, result: Hresult::S_OK },
        ref other => panic!("not a call of the submission hot path: {other}"),
    })
}

/// A started spooler with `transports` transports, transport `i` registered for address type
/// `i`, and one store whose outgoing queue is open and empty. Start-up is driven by hand: each
/// transport is initialized, logged on (creating its status row during `TransportLogon`) and
/// registered, then the store is logged on and its queue read, then traffic is enabled.
pub fn started(transports: u8) -> Spooler {
    let mut spooler = Spooler::new(&Profile::new(transports)).expect("a valid profile");
    let mut next = call_of(spooler.step(Input::Session(SessionRequest::Start)).expect("Start"));
    while let Some(call) = next {
        let ret = match call {
            Call::XpProviderInit { transport, .. } => Return::XpProviderInit { transport, result: Ok(SpiVersion::CURRENT) },
            Call::TransportLogon { transport, .. } => {
                let row = SupportCall::ModifyStatusRow { transport, flags: StatusRowFlags::EMPTY, status: StatusCode::STATUS_AVAILABLE };
                spooler.step(Input::Support(row)).expect("ModifyStatusRow(0) during TransportLogon");
                Return::TransportLogon { transport, result: Ok(LogonCaps::EMPTY) }
            }
            Call::AddressTypes { transport } => {
                Return::AddressTypes { transport, result: Ok(Registrations::address_types([AddrType(u16::from(transport.0))])) }
            }
            Call::SpoolerLogon { store } => Return::SpoolerLogon { store, result: Hresult::S_OK },
            Call::GetOutgoingQueue { store } => Return::GetOutgoingQueue { store, result: Ok(Vec::new()) },
            Call::TransportNotify { transport, flags, .. } => {
                assert_eq!(flags, NotifyFlags::NOTIFY_BEGIN_INBOUND | NotifyFlags::NOTIFY_BEGIN_OUTBOUND);
                Return::TransportNotify { transport, flags, result: Hresult::S_OK }
            }
            other => panic!("unexpected call during start-up: {other}"),
        };
        next = call_of(spooler.step(Input::Return(ret)).expect("a start-up return"));
    }
    spooler
}

/// A spooler in steady submission: one message locked or being locked, `depth` messages queued
/// behind it, and the call in flight.
#[derive(Clone)]
pub struct Steady {
    pub spooler: Spooler,
    /// The recipient table of every message: recipient `r` has address type `r % transports`,
    /// so recipients spread round-robin over the transports.
    pub template: Vec<RecipientRow>,
    /// The identifier of the next message to queue.
    pub next: u32,
    /// The call in flight.
    pub in_flight: Option<Call>,
}

impl Steady {
    /// The state just before a measured message: `SetLockState` of the oldest queued message is
    /// in flight and `depth - 1` messages are queued behind it; the measured work queues one
    /// more, so `depth` wait behind the message being sent.
    pub fn new(recipients: usize, transports: u8, depth: usize) -> Steady {
        let template = (0..recipients).map(|r| RecipientRow::new(AddrType((r % usize::from(transports)) as u16))).collect();
        let mut steady = Steady { spooler: started(transports), template, next: 1, in_flight: None };
        for _ in 0..depth.max(1) {
            let row = steady.row();
            steady.queue(row);
        }
        assert!(matches!(steady.in_flight, Some(Call::SetLockState { .. })), "the first queued message is being locked");
        steady
    }

    /// The next message to queue.
    pub fn row(&mut self) -> QueueRow {
        let message = MessageId(self.next);
        self.next += 1;
        QueueRow {
            store: S0,
            message,
            flags: QueueFlags::EMPTY,
            preprocess: false,
            reports: ReportRequests::default(),
            recipients: self.template.clone(),
        }
    }

    /// The store's notification that a row was added to the outgoing queue.
    pub fn queue(&mut self, row: QueueRow) {
        let fx = self.spooler.step(Input::Queue(QueueEvent::RowAdded(row))).expect("RowAdded");
        if let Some(call) = call_of(fx) {
            assert!(self.in_flight.is_none(), "one call at a time");
            self.in_flight = Some(call);
        }
    }

    /// One whole message: queue a new one at the back, then send the oldest through lock,
    /// `SubmitMessage`/`EndMessage` per transport, and `FinishedMsg`. Returns the number of
    /// `SubmitMessage` calls.
    pub fn one_message(&mut self) -> usize {
        let row = self.row();
        self.queue(row);
        let mut call = self.in_flight.take().expect("a call in flight");
        let mut submits = 0;
        loop {
            let finished = matches!(call, Call::FinishedMsg { .. });
            submits += usize::from(matches!(call, Call::SubmitMessage { .. }));
            let fx = self.spooler.step(answer(&call)).expect("the hot path follows the documentation");
            match call_of(fx) {
                Some(next) if finished => {
                    debug_assert!(matches!(next, Call::SetLockState { .. }));
                    self.in_flight = Some(next);
                    return submits;
                }
                Some(next) => call = next,
                None if finished => return submits,
                None => panic!("the spooler stopped in the middle of a message"),
            }
        }
    }
}
