//! Benchmarks of the submission core (issue 8, parts 1 and 2): whole messages per second through
//! lock, submit, end and finish, the cost of one `step` per kind of input, and allocations per
//! message.
//!
//! The core is driven directly with `Spooler::step`, not through the simulator, which formats a
//! trace line for every event. The driver (`driver/mod.rs`, shared with the instruction-count
//! guard `examples/submission_budget.rs`) answers every call the way a well-behaved store and
//! transport do: `SetLockState` succeeds, `SubmitMessage` takes every offered recipient,
//! `EndMessage` returns flags 0, `FinishedMsg` succeeds.
//!
//! Run with `cargo bench --bench submission`; `benches/README.md` has the figures and the
//! targets.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mapi_spooler::{Call, Input, MessageId, QueueEvent, QueueRow, Return, StatusCode, StatusRowFlags, SupportCall, TransportId};

mod driver;

use driver::{Steady, answer, call_of, started};

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

/// Steps until the call in flight is `pred`, answering the calls before it; the state is
/// then ready for that call's return.
fn until(mut steady: Steady, pred: impl Fn(&Call) -> bool) -> Steady {
    loop {
        let call = steady.in_flight.take().expect("a call in flight");
        if pred(&call) {
            steady.in_flight = Some(call);
            return steady;
        }
        steady.in_flight = call_of(steady.spooler.step(answer(&call)).expect("hot path"));
    }
}

/// The cost of one `step` for each kind of input.
fn step_latency(c: &mut Criterion) {
    let mut group = c.benchmark_group("step");
    for (recipients, transports) in [(1, 1), (100, 4)] {
        let tag = format!("r{recipients}/t{transports}");
        let steady = Steady::new(recipients, transports, 1);
        // Each return of the hot path, in a prepared state where that call is in flight.
        let at_lock = steady.clone();
        let at_submit = until(steady.clone(), |c| matches!(c, Call::SubmitMessage { .. }));
        let at_end = until(at_submit.clone(), |c| matches!(c, Call::EndMessage { .. }));
        let at_finish = until(steady.clone(), |c| matches!(c, Call::FinishedMsg { .. }));
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

criterion_main!(benches);
