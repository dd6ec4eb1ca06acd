//! Symmetry reduction: renaming messages and permuting rows of the same address is a symmetry
//! of the model (every move commutes with it), the representative is a canonical form (the same
//! for every state of a class), and the reduced search is the same with one thread or two.

use std::collections::{HashSet, VecDeque};

use mapi_spooler::{MessageId, Renaming};
use mapi_spooler_model::check::{self, Options, Report, Verdict};
use mapi_spooler_model::symmetry::representative;
use mapi_spooler_model::{Action, Config, SpoolerModel, World};
use stateright::Model;

/// Two messages of three recipients over two transports (rows 0 and 2 share an address), with
/// a crash, an abort, a user's cancel and every fault once.
fn config() -> Config {
    Config { messages: 2, recipients: 3, crashes: 1, aborts: 1, shutdowns: 1, cancels: 1, ..Config::small() }
}

/// Up to `limit` reachable states, breadth first.
fn reachable(model: &SpoolerModel, limit: usize) -> Vec<World> {
    let mut seen = HashSet::new();
    let mut queue: VecDeque<World> = model.init_states().into();
    let mut out = Vec::new();
    while let Some(state) = queue.pop_front() {
        if out.len() >= limit {
            break;
        }
        if !seen.insert(state.clone()) {
            continue;
        }
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        queue.extend(actions.into_iter().filter_map(|a| model.next_state(&state, a)));
        out.push(state);
    }
    out
}

/// The renamings to try on a state: its messages in reverse order, and with it rows 0 and 2 of
/// every message swapped (they share an address).
fn renamings(state: &World) -> Vec<Renaming> {
    let ids: Vec<MessageId> = state.store(mapi_spooler_model::world::STORE).messages().map(|(id, _)| id).collect();
    let mut reverse = Renaming::new();
    for (from, to) in ids.iter().zip(ids.iter().rev()) {
        reverse.rename_message(*from, *to);
    }
    let mut swapped = reverse.clone();
    for id in &ids {
        swapped.permute_rows(*id, vec![2, 1, 0]);
    }
    let mut rows_only = Renaming::new();
    if let Some(id) = ids.first() {
        rows_only.permute_rows(*id, vec![2, 1, 0]);
    }
    vec![reverse, swapped, rows_only]
}

/// The message whose rows an answer to the call in flight names.
fn in_flight(state: &World) -> Option<MessageId> {
    match state.spooler().call_in_flight() {
        Some(mapi_spooler::Call::SubmitMessage { message, .. }) => Some(*message),
        _ => None,
    }
}

#[test]
fn every_move_commutes_with_renaming() {
    // Spec: SUB-4, SUB-19, INV-28
    let model = SpoolerModel::new(config()).expect("valid");
    let states = reachable(&model, 3_000);
    assert_eq!(states.len(), 3_000, "the configuration reaches enough states");
    let normal = Renaming::new();
    let mut checked = 0;
    let mut moved = 0;
    for state in &states {
        let mut actions = Vec::new();
        model.actions(state, &mut actions);
        for renaming in renamings(state) {
            let renamed = state.renamed(&renaming);
            // The renamed state offers the renamed moves.
            let mut theirs = Vec::new();
            model.actions(&renamed, &mut theirs);
            let ours: Vec<Action> = actions.iter().map(|a| a.renamed(&renaming, in_flight(state))).collect();
            assert_eq!(
                ours.iter().map(|a| format!("{a:?}")).collect::<HashSet<_>>(),
                theirs.iter().map(|a| format!("{a:?}")).collect::<HashSet<_>>(),
                "the moves differ after renaming"
            );
            for action in &actions {
                let (Some(next), Some(next_renamed)) =
                    (model.next_state(state, action.clone()), model.next_state(&renamed, action.renamed(&renaming, in_flight(state))))
                else {
                    panic!("a move offered was refused");
                };
                assert_eq!(next.renamed(&renaming), next_renamed.renamed(&normal), "{action} does not commute with the renaming");
                if !renaming.is_identity() && next != next.renamed(&renaming) {
                    moved += 1;
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "{checked} moves checked");
    assert!(moved > 1_000, "the renamings changed {moved} states: the test would not see a broken symmetry");
}

#[test]
fn the_representative_is_the_same_for_every_state_of_a_class() {
    // 3,000 states missed a key that depended on the order of rows (an open exchange's offered
    // rows); 40,000 reach it.
    let model = SpoolerModel::new(config()).expect("valid");
    let states = reachable(&model, 40_000);
    let mut merged = 0;
    for state in &states {
        let canonical = representative(state);
        assert_eq!(representative(&canonical), canonical, "the representative is its own representative");
        for renaming in renamings(state) {
            let other = state.renamed(&renaming);
            assert_eq!(representative(&other), canonical, "two states of one class have different representatives");
            if other.renamed(&Renaming::new()) != state.renamed(&Renaming::new()) {
                merged += 1;
            }
        }
    }
    assert!(merged > 1_000, "only {merged} renamed states differed from the original");
}

fn run(config: Config, options: Options) -> Report {
    check::run(SpoolerModel::new(config).expect("valid"), options, |_, _, _, _| {})
}

fn verdicts(report: &Report) -> Vec<(String, bool)> {
    report.properties.iter().map(|p| (p.name.to_string(), matches!(p.verdict, Verdict::Holds | Verdict::Reached))).collect()
}

#[test]
fn one_and_two_threads_find_the_same_reduced_state_count() {
    let config = Config { fault_budget: 1, ..config() };
    let plain = run(config.clone(), Options { threads: 1, dfs: true, symmetry: false });
    let one = run(config.clone(), Options { threads: 1, dfs: true, symmetry: true });
    let two = run(config, Options { threads: 2, dfs: true, symmetry: true });
    assert_eq!(one.unique_states, two.unique_states, "a canonical form gives the same count whatever the interleaving");
    assert!(
        one.unique_states < plain.unique_states * 9 / 10,
        "symmetry merged too little: {} of {}",
        one.unique_states,
        plain.unique_states
    );
    assert_eq!(verdicts(&one), verdicts(&plain), "the reduced search reaches the same verdicts");
    assert!(verdicts(&one).iter().all(|(_, ok)| *ok), "{:?}", verdicts(&one));
}

/// The spooler's part of a row's key (`Spooler::hash_recipient`) is what it knows of that row
/// alone. With reports of both kinds asked for rows 0 and 2 (one address) during the
/// `SubmitMessage` in flight, swapping which row has which report swaps the two rows' keys and
/// leaves row 1's as it was. A key that left out the row's part of the exchange in flight would
/// merge rows 0 and 2, and one that mixed in the other rows' reports would tell the two orders
/// apart; the pinned state counts show neither (no world of the suite has three recipients and
/// two kinds of report in one submission), this test shows both.
#[test]
fn a_rows_key_depends_on_that_row_alone() {
    use std::hash::{DefaultHasher, Hasher};

    use mapi_spooler::sim::{Sim, TransportScript};
    use mapi_spooler::store::Draft;
    use mapi_spooler::{
        AddrType, Call, Input, Profile, RecipientIdx, RecipientRow, Registrations, ReportKind, Spooler, StoreId, SupportCall, TransportId,
    };

    fn submitting(reports: [(u16, ReportKind); 2]) -> (Spooler, MessageId) {
        let t0 = TransportScript::new("T0", Registrations::address_types([AddrType(0), AddrType(1)]));
        let mut sim = Sim::new(&Profile::new(1), vec![t0], 0).expect("a valid profile");
        sim.start();
        let rows = vec![RecipientRow::new(AddrType(0)), RecipientRow::new(AddrType(1)), RecipientRow::new(AddrType(0))];
        let m = sim.submit(StoreId(0), Draft::to(rows)).expect("submitted");
        assert!(sim.run_until_call(|c| matches!(c, Call::SubmitMessage { .. })));
        let reports = reports.map(|(r, kind)| (RecipientIdx(r), kind)).to_vec();
        assert!(sim.feed(Input::Support(SupportCall::StatusRecips { transport: TransportId(0), message: m, reports })));
        (sim.spooler().clone(), m)
    }
    fn key(spooler: &Spooler, m: MessageId, r: u16) -> u64 {
        let mut h = DefaultHasher::new();
        spooler.hash_recipient(m, RecipientIdx(r), &mut h);
        h.finish()
    }
    let (a, m) = submitting([(0, ReportKind::NonDelivery), (2, ReportKind::Delivery)]);
    let (b, _) = submitting([(0, ReportKind::Delivery), (2, ReportKind::NonDelivery)]);
    assert_ne!(key(&a, m, 0), key(&a, m, 2), "rows with different reports have different keys");
    assert_eq!((key(&a, m, 0), key(&a, m, 2)), (key(&b, m, 2), key(&b, m, 0)));
    assert_eq!(key(&a, m, 1), key(&b, m, 1));
}
