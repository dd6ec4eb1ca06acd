//! Benchmarks of the submission core (issue 8, parts 1 and 2): whole messages per second through
//! lock, submit, end and finish, the cost of one `step` per kind of input, and allocations per
//! message.
//!
//! The core is driven directly with [`Spooler::step`], not through the simulator, which formats a
//! trace line for every event. The driver answers every call the way a well-behaved store and
//! transport do: `SetLockState` succeeds, `SubmitMessage` takes every offered recipient,
//! `EndMessage` returns flags 0, `FinishedMsg` succeeds.
//!
//! Run with `cargo bench --bench submission`; `benches/README.md` has the figures and the
//! targets.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group};
use mapi_spooler::{
    AddrType, Call, Effect, Effects, EndFlags, Hresult, Input, LogonCaps, MessageId, MsgRef, NotifyFlags, Profile, QueueEvent, QueueFlags,
    QueueRow, RecipientRow, Registrations, ReportRequests, Return, SessionRequest, SpiVersion, Spooler, StatusCode, StatusRowFlags,
    StoreId, SubmitOutcome, SupportCall, TransportId,
};

// ---------------------------------------------------------------------------------------------
// Allocation counting
// ---------------------------------------------------------------------------------------------

/// The system allocator, counting every allocation and reallocation.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator, with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}

// ---------------------------------------------------------------------------------------------
// The driver
// ---------------------------------------------------------------------------------------------

const S0: StoreId = StoreId(0);

/// The one call an effect list holds, if any: the spooler makes its call last, after the
/// effects that lead to it.
fn call_of(mut fx: Effects) -> Option<Call> {
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
fn answer(call: &Call) -> Input {
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
fn started(transports: u8) -> Spooler {
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
struct Steady {
    spooler: Spooler,
    /// The recipient table of every message: recipient `r` has address type `r % transports`,
    /// so recipients spread round-robin over the transports.
    template: Vec<RecipientRow>,
    /// The identifier of the next message to queue.
    next: u32,
    /// The call in flight.
    in_flight: Option<Call>,
}

impl Steady {
    /// The state just before a measured message: `SetLockState` of the oldest queued message is
    /// in flight and `depth - 1` messages are queued behind it; the measured work queues one
    /// more, so `depth` wait behind the message being sent.
    fn new(recipients: usize, transports: u8, depth: usize) -> Steady {
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
    fn row(&mut self) -> QueueRow {
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
    fn queue(&mut self, row: QueueRow) {
        let fx = self.spooler.step(Input::Queue(QueueEvent::RowAdded(row))).expect("RowAdded");
        if let Some(call) = call_of(fx) {
            assert!(self.in_flight.is_none(), "one call at a time");
            self.in_flight = Some(call);
        }
    }

    /// One whole message: queue a new one at the back, then send the oldest through lock,
    /// `SubmitMessage`/`EndMessage` per transport, and `FinishedMsg`. Returns the number of
    /// `SubmitMessage` calls.
    fn one_message(&mut self) -> usize {
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

    /// Steps until the call in flight is `pred`, answering the calls before it; the state is
    /// then ready for that call's return.
    fn until(mut self, pred: impl Fn(&Call) -> bool) -> Steady {
        loop {
            let call = self.in_flight.take().expect("a call in flight");
            if pred(&call) {
                self.in_flight = Some(call);
                return self;
            }
            self.in_flight = call_of(self.spooler.step(answer(&call)).expect("hot path"));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Throughput
// ---------------------------------------------------------------------------------------------

const RECIPIENTS: [usize; 3] = [1, 10, 100];
const TRANSPORTS: [u8; 3] = [1, 4, 16];
const DEPTHS: [usize; 3] = [1, 1_000, 100_000];

/// Whole messages per second, against recipients per message, transports and queue depth.
fn throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("messages");
    group.throughput(Throughput::Elements(1));
    for depth in DEPTHS {
        for transports in TRANSPORTS {
            for recipients in RECIPIENTS {
                let mut steady = Steady::new(recipients, transports, depth);
                let expected = recipients.min(usize::from(transports));
                assert_eq!(steady.one_message(), expected, "one SubmitMessage per transport that has recipients");
                let id = BenchmarkId::from_parameter(format!("r{recipients}/t{transports}/q{depth}"));
                group.bench_function(id, |b| b.iter(|| black_box(steady.one_message())));
                // The queue stayed at its depth.
                assert_eq!(steady.spooler.message_ids().count(), depth.max(1));
            }
        }
    }
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// Step latency
// ---------------------------------------------------------------------------------------------

/// The cost of one `step` for each kind of input.
fn step_latency(c: &mut Criterion) {
    let mut group = c.benchmark_group("step");
    for (recipients, transports) in [(1, 1), (100, 4)] {
        let tag = format!("r{recipients}/t{transports}");
        let steady = Steady::new(recipients, transports, 1);
        // Each return of the hot path, in a prepared state where that call is in flight.
        let at_lock = steady.clone();
        let at_submit = steady.clone().until(|c| matches!(c, Call::SubmitMessage { .. }));
        let at_end = at_submit.clone().until(|c| matches!(c, Call::EndMessage { .. }));
        let at_finish = steady.clone().until(|c| matches!(c, Call::FinishedMsg { .. }));
        for (name, state) in [("SetLockState", at_lock), ("SubmitMessage", at_submit), ("EndMessage", at_end), ("FinishedMsg", at_finish)] {
            let input = answer(state.in_flight.as_ref().expect("a call in flight"));
            group.bench_function(BenchmarkId::new(format!("return/{name}"), &tag), |b| {
                b.iter_batched(
                    || (state.spooler.clone(), input.clone()),
                    |(mut spooler, input)| {
                        let fx = spooler.step(input).expect("accepted");
                        (spooler, fx)
                    },
                    BatchSize::SmallInput,
                );
            });
        }
        // A queue notification while a call is in flight (the usual case), and into an idle
        // spooler (which then locks the message).
        let mut idle = Steady { spooler: started(transports), template: steady.template.clone(), next: 1, in_flight: None };
        let row = idle.row();
        for (name, state) in [("RowAdded/busy", &steady), ("RowAdded/idle", &idle)] {
            let mut state = state.clone();
            state.next = 1_000_000;
            let row = QueueEvent::RowAdded(QueueRow { message: MessageId(state.next), ..row.clone() });
            group.bench_function(BenchmarkId::new(format!("queue/{name}"), &tag), |b| {
                b.iter_batched(
                    || (state.spooler.clone(), Input::Queue(row.clone())),
                    |(mut spooler, input)| {
                        let fx = spooler.step(input).expect("accepted");
                        (spooler, fx)
                    },
                    BatchSize::SmallInput,
                );
            });
        }
    }
    // Inputs that leave an idle, running spooler as it was (or only move its clock): measured on
    // one spooler, step after step. Each still runs the scheduler, which finds nothing to do.
    let mut idle = started(4);
    let update = SupportCall::ModifyStatusRow {
        transport: TransportId(1),
        flags: StatusRowFlags::STATUSROW_UPDATE,
        status: StatusCode::STATUS_AVAILABLE | StatusCode::STATUS_OUTBOUND_ENABLED,
    };
    group.bench_function("support/ModifyStatusRow(STATUSROW_UPDATE)", |b| {
        b.iter(|| idle.step(Input::Support(black_box(update.clone()))).expect("accepted"));
    });
    group.bench_function("TimePassed", |b| b.iter(|| idle.step(Input::TimePassed { seconds: black_box(1) }).expect("accepted")));
    group.bench_function("SystemIdle", |b| b.iter(|| idle.step(black_box(Input::SystemIdle)).expect("accepted")));
    group.finish();
}

// ---------------------------------------------------------------------------------------------
// Allocations
// ---------------------------------------------------------------------------------------------

/// Allocations per message in steady state, as `benches/README.md` reports them: by the core
/// (inside `step`) and by the driver building each queue row's recipient table.
const REPORTED: [(usize, u64, u64); 2] = [(1, 0, 1), (100, 1, 1)];

/// Prints the allocations per message for 1 and 100 recipients (one transport, one message
/// queued behind), and checks that they are the figures the README reports.
fn allocations_per_message(_: &mut Criterion) {
    const MESSAGES: u64 = 10_000;
    for (recipients, core_reported, driver_reported) in REPORTED {
        let mut steady = Steady::new(recipients, 1, 1);
        for _ in 0..100 {
            steady.one_message();
        }
        let (mut core, mut driver) = (0, 0);
        for _ in 0..MESSAGES {
            let before = allocations();
            let row = steady.row();
            driver += allocations() - before;
            let mut input = Input::Queue(QueueEvent::RowAdded(row));
            loop {
                let finished = matches!(input, Input::Return(Return::FinishedMsg { .. }));
                let before = allocations();
                let fx = steady.spooler.step(input).expect("hot path");
                core += allocations() - before;
                if let Some(call) = call_of(fx) {
                    steady.in_flight = Some(call);
                }
                if finished {
                    break;
                }
                input = answer(steady.in_flight.as_ref().expect("a call in flight"));
            }
        }
        let core_per_message = core as f64 / MESSAGES as f64;
        let driver_per_message = driver as f64 / MESSAGES as f64;
        println!(
            "allocations per message, {recipients} recipient(s): {core_per_message:.2} in the core (step), \
             {driver_per_message:.2} by the driver (the queue row's recipient table)"
        );
        assert_eq!(
            (core_per_message, driver_per_message),
            (core_reported as f64, driver_reported as f64),
            "allocations per message changed: update REPORTED and benches/README.md"
        );
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = allocations_per_message, throughput, step_latency
}

/// With `SUBMISSION_PROFILE=r<R>/t<T>/q<D>/n<N>` set, sends `N` messages of that configuration
/// and exits without benchmarking: a fixed workload for a profiler such as
/// `valgrind --tool=callgrind --toggle-collect='*profile_messages*'`.
fn main() {
    if let Ok(spec) = std::env::var("SUBMISSION_PROFILE") {
        let field = |prefix: char| -> usize {
            spec.split('/')
                .find_map(|part| part.strip_prefix(prefix))
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("SUBMISSION_PROFILE={spec}: expected r<R>/t<T>/q<D>/n<N>"))
        };
        let mut steady = Steady::new(field('r'), field('t') as u8, field('q'));
        let submits = profile_messages(&mut steady, field('n'));
        println!("{spec}: {submits} SubmitMessage calls");
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

/// The profiled workload: `n` whole messages.
#[inline(never)]
fn profile_messages(steady: &mut Steady, n: usize) -> usize {
    (0..n).map(|_| steady.one_message()).sum()
}
