//! Driver state: any sequence of driver-socket lines applied to a variable tree never panics,
//! the tree's DUMPALL rebuilds an equal tree, and syncing a driver state to it reproduces it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nut_driver_core::dstate::DriverState;
use nut_driver_core::sock::DriverMsg;
use nut_driver_core::tree::VarTree;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut tree = VarTree::new();
    for line in text.lines().take(256) {
        if let Ok(msg) = DriverMsg::parse(line) {
            tree.apply(&msg);
        }
    }
    let mut rebuilt = VarTree::new();
    for msg in tree.dump() {
        let wire = msg.to_string();
        let again = DriverMsg::parse(&wire).expect("a dumped line parses");
        rebuilt.apply(&again);
    }
    assert_eq!(rebuilt, tree);

    let mut target = DriverState::new();
    for msg in tree.dump() {
        apply_to_state(&mut target, &msg);
    }
    // The leftover has a space, which no parsed name has: names match case-insensitively
    // and keep their first spelling (as NUT's state tree), so a parsed "Stale.Leftover"
    // would rightly stay spelled as here (a crash found by CI's smoke run).
    let mut live = DriverState::new();
    live.set_info("stale leftover", "x");
    live.sync_to(&target);
    assert_eq!(live.tree(), target.tree());
});

fn apply_to_state(state: &mut DriverState, msg: &DriverMsg) {
    match msg {
        DriverMsg::SetInfo { var, value } => state.set_info(var, value.clone()),
        DriverMsg::AddEnum { var, value } => state.add_enum(var, value),
        DriverMsg::AddRange { var, min, max } => state.add_range(var, *min, *max),
        DriverMsg::SetAux { var, aux } => state.set_aux(var, *aux),
        DriverMsg::SetFlags { var, flags } => {
            state.set_flags(var, nut_driver_core::tree::Flags::from_words(flags, false))
        }
        DriverMsg::AddCmd(c) => state.add_cmd(c),
        _ => {}
    }
}
