//! Model checking in the test suite: bounded configurations, checked exhaustively, with pinned
//! state counts (single-threaded, so they are stable), and the soundness of the liveness check.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use mapi_spooler_model::check::{self, Options, Report, Verdict};
use mapi_spooler_model::{Config, SpoolerModel, World, properties};
use stateright::Model;

fn run(config: Config, options: Options) -> Report {
    check::run(SpoolerModel::new(config).expect("valid configuration"), options, |_, _, _, _| {})
}

fn assert_all_hold(report: &Report) {
    let bad: Vec<String> = report
        .properties
        .iter()
        .filter(|p| !matches!(p.verdict, Verdict::Holds | Verdict::Reached))
        .map(|p| format!("{} {:?}", p.name, p.verdict))
        .collect();
    assert!(bad.is_empty(), "properties that failed or were never reached: {bad:#?}");
    assert!(report.moves_missing.is_empty(), "world moves that never happened: {:?}", report.moves_missing);
}

const ONE_THREAD: Options = Options { threads: 1, dfs: false, symmetry: false };

/// One message through two transports, every kind of fault once: every safety property holds
/// in every reachable state, and every run ends with the message ended.
#[test]
fn one_message_with_every_fault_keeps_every_property() {
    // Spec: INV-1, INV-2, INV-3, INV-5, INV-6, INV-7, INV-8, INV-13, INV-14, INV-17, INV-18, INV-20, INV-22, INV-23, INV-24
    // Spec: INV-25, INV-26, INV-28, INV-29, INV-30, INV-31, INV-33, LIV-1, LIV-2, LIV-3, LIV-8, AMB-20, INV-19
    // Spec: INV-4, INV-16, INV-21
    let report = run(Config { fault_budget: 2, ..Config::small() }, ONE_THREAD);
    assert_all_hold(&report);
    assert_eq!(report.unique_states, 557, "the state count changed; if on purpose, update it");
}

/// Three messages, one fault, an abort and a crash with restart: the default world shape at a
/// smaller fault budget, without disables and idle time.
#[test]
fn three_messages_with_abort_and_crash_keep_every_property() {
    // Spec: INV-15, INV-20, INV-31, LIV-1, LIV-2, LIV-6, DEC-9, DEC-12
    let report = run(Config { fault_budget: 1, disables: 0, idles: 0, ..Config::default() }, ONE_THREAD);
    assert_all_hold(&report);
    assert_eq!(report.unique_states, 165_369, "the state count changed; if on purpose, update it");
}

/// Preprocessing, idle time and a disabled transport: the properties about them hold.
#[test]
fn preprocessing_idle_and_disable_keep_every_property() {
    // Spec: INV-8, INV-10, INV-11, INV-25, INV-27, INV-32, ORD-10, LIFE-11
    let config =
        Config { preprocess: true, idles: 1, disables: 1, delete_after_submit: true, fault_budget: 1, messages: 2, ..Config::small() };
    let report = run(config, ONE_THREAD);
    assert_all_hold(&report);
}

/// The state graph has no cycle, so every run is finite and the liveness properties checked on
/// terminal states are sound (see the crate documentation). A depth-first search with colours
/// finds no back edge.
#[test]
fn the_state_graph_is_acyclic() {
    // Spec: LIV-1, LIV-8
    let model =
        SpoolerModel::new(Config { fault_budget: 2, messages: 2, crashes: 1, aborts: 1, disables: 0, idles: 0, ..Config::default() })
            .expect("valid");
    let fingerprint = |w: &World| {
        let mut h = DefaultHasher::new();
        w.hash(&mut h);
        h.finish()
    };
    #[derive(Clone, Copy, PartialEq)]
    enum Colour {
        OnStack,
        Done,
    }
    let mut colour: HashMap<u64, Colour> = HashMap::new();
    let mut terminal = 0usize;
    for init in model.init_states() {
        // Each frame: a state and the successors still to visit.
        let mut stack: Vec<(u64, Vec<World>)> = Vec::new();
        let push = |w: &World, stack: &mut Vec<(u64, Vec<World>)>, colour: &mut HashMap<u64, Colour>, terminal: &mut usize| {
            let mut actions = Vec::new();
            model.actions(w, &mut actions);
            if actions.is_empty() {
                *terminal += 1;
            }
            let next: Vec<World> = actions.into_iter().filter_map(|a| model.next_state(w, a)).collect();
            colour.insert(fingerprint(w), Colour::OnStack);
            stack.push((fingerprint(w), next));
        };
        push(&init, &mut stack, &mut colour, &mut terminal);
        while let Some((fp, next)) = stack.last_mut() {
            match next.pop() {
                Some(child) => match colour.get(&fingerprint(&child)) {
                    Some(Colour::OnStack) => panic!("a cycle through state {fp:x}: a run could go on forever"),
                    Some(Colour::Done) => {}
                    None => push(&child, &mut stack, &mut colour, &mut terminal),
                },
                None => {
                    colour.insert(*fp, Colour::Done);
                    stack.pop();
                }
            }
        }
    }
    assert!(colour.len() > 10_000, "the search covered {} states", colour.len());
    assert!(terminal > 0, "no run ended");
}

/// Status objects: a client's flush and a transport's own flush, a ValidateState with
/// CONFIG_CHANGED, a critical section, with inbound mail, a crash and the end of the session:
/// every flush ends (LIV-5), every critical section closes (LIV-7), every client call is
/// answered, the rows mirror the enabled directions (INV-12) and the flush protocol holds
/// (STAT-20).
#[test]
fn status_objects_and_flushes_keep_every_property() {
    // Spec: LIV-5, LIV-7, INV-12, STAT-20, ORD-12, STAT-11, STAT-13, STAT-17, STAT-18, AMB-13, AMB-41, ORD-9, STAT-12
    let mut faults = mapi_spooler_model::Faults::NONE;
    faults.set("wait", true);
    let config = Config { inbound: 1, flushes: 1, status_calls: 1, critsecs: 1, shutdowns: 1, faults, ..Config::small() };
    let report = run(config.clone(), ONE_THREAD);
    assert_all_hold(&report);
    for guard in
        ["a flush is under way", "a flush ends while the session runs", "a validation is forwarded", "a transport holds a critical section"]
    {
        assert!(report.properties.iter().any(|p| p.name == guard), "{guard} is checked");
    }
    // 45,470 before the world double: an empty StartMessage of T1 (in its inbound flush) made T0
    // forget that it had announced its mail, and announce it again (45,554 with that alone). A
    // transport that answers the validation MAPI_E_BUSY inside its critical section is asked
    // AddressTypes again too (ORD-9, issue 18), which adds 3,664 states, as it did before the
    // world double (45,470 to 49,134).
    assert_eq!(report.unique_states, 49_218, "the state count changed; if on purpose, update it");
}

/// Breadth-first and depth-first search visit the same states.
#[test]
fn bfs_and_dfs_agree() {
    let bfs = run(Config::small(), ONE_THREAD);
    let dfs = run(Config::small(), Options { dfs: true, ..ONE_THREAD });
    assert_eq!(bfs.unique_states, dfs.unique_states);
    assert_all_hold(&dfs);
}

/// Reception: mail waiting at transport 0, announced with `NOTIFY_NEWMAIL` or counted by `Poll`,
/// with one message going out, a crash, a shutdown and one fault (a failed `StartMessage` among
/// them): the inbound properties hold, announced mail is always fetched (LIV-4), and the
/// outbound properties still hold beside it.
#[test]
fn reception_keeps_every_property() {
    // Spec: INV-9, INV-10, INV-11, INV-36, INV-38, LIV-4, RCV-1, RCV-2, RCV-3, RCV-5, RCV-6, RCV-7, RCV-10, AMB-14
    for poll in [false, true] {
        let config = Config { inbound: 2, poll, crashes: 1, shutdowns: 1, idles: u8::from(poll) * 2, ..Config::small() };
        let report = run(config.clone(), ONE_THREAD);
        assert_all_hold(&report);
        eprintln!("reception ({config}): {} unique states", report.unique_states);
    }
}

/// The user's cancels: of a locked message while its transfer is in flight, between offers,
/// while a transport holds it deferred or while the session ends, and of the inbound transfer
/// in flight; with two messages, a crash, an abort and one fault (deferral among them). The
/// cancel properties hold (INV-37, INV-39, INV-40), every message still ends (LIV-1, LIV-2),
/// cancelled inbound mail is fetched again later (LIV-4), and the guards show a cancel reached a
/// transport in flight and a cancelled message went back unsent.
#[test]
fn cancels_keep_every_property() {
    // Spec: INV-37, INV-39, INV-40, LIV-1, LIV-2, LIV-4, DEF-5, DEF-7, DEF-8, RCV-13, AMB-17, DEC-27, DEC-28
    let outbound = Config { messages: 2, cancels: 1, crashes: 1, aborts: 1, shutdowns: 1, fault_budget: 1, ..Config::small() };
    let inbound = Config { inbound: 2, cancels: 1, shutdowns: 1, ..Config::small() };
    for config in [outbound, inbound] {
        let report = run(config.clone(), ONE_THREAD);
        assert_all_hold(&report);
        for guard in ["a cancel reaches the transport of the call in flight", "a message the user cancelled goes back unsent"] {
            assert!(report.properties.iter().any(|p| p.name == guard), "{guard} is not checked ({config})");
        }
        eprintln!("cancels ({config}): {} unique states", report.unique_states);
    }
}

/// The tightly coupled pair, inbound hooks and NOTIFY_NEWMAIL_RECEIVED: one message, which the
/// client may address entirely to the pair (CompleteMsg) or partly (queued with the served
/// recipient TRUE), an arrival placed by the pair and one fetched from transport 0,
/// an inbound hook that may keep, delete or cancel, one fault and the end of the session. Every
/// property holds, including INV-34, INV-35 (monitor and store) and INV-36 for hooks, and every
/// guard is reached.
#[test]
fn the_coupled_pair_and_inbound_hooks_keep_every_property() {
    // Spec: INV-34, INV-35, INV-36, TC-3, TC-4, TC-5, RCV-16, HOOK-13, RCV-11
    let config = Config { coupled: true, arrivals: 1, inbound: 1, inbound_hooks: 1, shutdowns: 1, ..Config::small() };
    let report = run(config.clone(), ONE_THREAD);
    assert_all_hold(&report);
    assert!(report.properties.iter().any(|p| p.name == "INV-34") && report.properties.iter().any(|p| p.name == "INV-35 (store)"));
    eprintln!("coupled ({config}): {} unique states", report.unique_states);
    assert_eq!(report.unique_states, 24_724, "the state count changed; if on purpose, update it");
}

/// Store logoff with any of its five flags, at any point, beside two messages and inbound mail:
/// every property holds, the store is sometimes told the spooler is busy and sometimes logs off.
#[test]
fn store_logoff_keeps_every_property() {
    // Spec: LIFE-20, AMB-27, DEC-44
    let config = Config { store_logoff: true, messages: 2, inbound: 1, ..Config::small() };
    let report = run(config.clone(), ONE_THREAD);
    assert_all_hold(&report);
    eprintln!("store logoff ({config}): {} unique states", report.unique_states);
    assert_eq!(report.unique_states, 41_094, "the state count changed; if on purpose, update it");
}

/// Sabotage: the same coupled world with a spooler that announces a message a hook deleted is
/// caught, here on the pair's own arrivals too (INV-36), so the property can fail in this world.
#[test]
fn a_sabotaged_spooler_breaks_inv36_in_the_coupled_world() {
    // Spec: INV-36, RCV-16, HOOK-13
    let config =
        Config { coupled: true, arrivals: 1, inbound_hooks: 1, bug: Some(mapi_spooler::zoo::Bug::NotifyHookDeleted), ..Config::small() };
    let report = run(config, ONE_THREAD);
    let inv36 = report.properties.iter().find(|p| p.name == "INV-36").expect("checked");
    assert!(matches!(inv36.verdict, Verdict::Broken(_)), "{:?}", inv36.verdict);
}

/// The suite that `mapi-spooler` checks with no subcommand starts with the default world, and
/// its worlds together check every property and every guard that any part of the protocol
/// adds: the union of their properties is that of a world with every part switched on (which
/// is too large to check whole).
#[test]
fn the_suite_checks_every_property_somewhere() {
    // Spec: INV-12, INV-34, INV-35, INV-37, INV-39, INV-40, LIV-4, LIV-5, LIV-7
    let suite = Config::suite();
    assert_eq!(suite[0].1, Config::default());
    assert!(suite.iter().all(|(_, c)| c.validate().is_ok()));
    let everything = Config {
        inbound: 1,
        cancels: 1,
        flushes: 1,
        status_calls: 1,
        critsecs: 1,
        coupled: true,
        arrivals: 1,
        inbound_hooks: 1,
        store_logoff: true,
        ..Config::default()
    };
    let names = |c: &Config| properties(c).iter().map(|p| p.name).collect::<std::collections::BTreeSet<_>>();
    let covered: std::collections::BTreeSet<_> = suite.iter().flat_map(|(_, c)| names(c)).collect();
    let missing: Vec<_> = names(&everything).difference(&covered).copied().collect();
    assert!(missing.is_empty(), "no world of the suite checks {missing:?}");
    assert!(covered.len() > names(&Config::default()).len(), "the suite adds nothing to the default world");
}

/// The moves issue 20 added reach what the suite's reach counts: in a small copy of the suite's
/// "configuration changes and the status calls' variants" world, a transport's own
/// `NOTIFY_CONFIG_CHANGE` and `NOTIFY_READYTOSEND`, every documented flag of the client's
/// `FlushQueues` and `ValidateState`, a flush of each direction alone, and every documented
/// answer to the forwarded `ValidateState` but `MAPI_E_BUSY` (a critical section's). These are
/// the items `coverage::TOLERATED` no longer lists.
#[test]
fn the_status_variants_reach_every_flag_and_answer() {
    // Spec: ORD-9, LIFE-18, STAT-11, STAT-12, STAT-17, ERR-13
    let config = Config { flushes: 1, status_calls: 1, notifies: 1, status_variants: true, fault_budget: 0, ..Config::small() };
    let report = run(config, ONE_THREAD);
    assert!(report.properties.iter().all(|p| matches!(p.verdict, Verdict::Holds | Verdict::Reached)), "{:#?}", report.properties);
    let mut wanted: Vec<String> = ["SpoolerNotify NOTIFY_CONFIG_CHANGE", "SpoolerNotify NOTIFY_READYTOSEND"].map(str::to_owned).to_vec();
    wanted.extend(mapi_spooler::FlushFlags::NAMES.iter().map(|(_, n)| format!("FlushQueues {n}")));
    wanted.extend(mapi_spooler::ValidateFlags::NAMES.iter().map(|(_, n)| format!("ValidateState {n}")));
    wanted.extend(["FlushQueues FLUSH_UPLOAD alone", "FlushQueues FLUSH_DOWNLOAD alone"].map(str::to_owned));
    wanted.extend(["S_OK", "MAPI_E_NO_SUPPORT", "MAPI_E_USER_CANCEL"].map(|r| format!("ValidateState returned {r}")));
    let missing: Vec<&String> = wanted.iter().filter(|k| !report.inputs_reached.contains(*k)).collect();
    assert!(missing.is_empty(), "not reached: {missing:?}");
}
