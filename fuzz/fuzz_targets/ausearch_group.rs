//! ausearch's grouping of lines into events (`audit_search::ausearch_group`)
//! under arbitrary line order and content: nothing panics, every line grouped
//! comes out in exactly one event, each event's lines share its time stamp and
//! node, and the events are those of a plain model of ausearch's list (a scan
//! of every slot for each line, as ausearch does it), in the same order.
#![no_main]

use audit_parse::RecordType;
use audit_search::ausearch_group::{read_piece, stamp_of, Added, GroupedEvent, Grouper};
use libfuzzer_sys::fuzz_target;

/// ausearch's list of events, as plainly as it is written in C.
#[derive(Default)]
struct Model {
    slots: Vec<Option<Slot>>,
}

struct Slot {
    key: Key,
    node: Option<Vec<u8>>,
    first_type: Option<RecordType>,
    lines: Vec<Vec<u8>>,
    complete: bool,
}

type Key = (u64, u64, u64);

/// ausearch's test on an event's first type, on the number (a line of no type:
/// libaudit's negative number, alone).
fn one_record_type(t: Option<RecordType>) -> bool {
    let Some(RecordType(t)) = t else {
        return true;
    };
    t == 1327 || !(1300..2100).contains(&t) || t == 2000 || (1406..=1419).contains(&t)
}

impl Model {
    fn add(&mut self, key: Key, node: Option<Vec<u8>>, rtype: Option<RecordType>, line: &[u8]) {
        for s in self.slots.iter_mut().flatten() {
            if !s.complete && s.key == key && s.node == node {
                s.lines.push(line.to_vec());
                return;
            }
        }
        if rtype == Some(RecordType(1320)) {
            return;
        }
        let new = Some(Slot {
            key,
            node,
            first_type: rtype,
            lines: vec![line.to_vec()],
            complete: false,
        });
        match self.slots.iter().position(Option::is_none) {
            Some(i) => self.slots[i] = new,
            None => self.slots.push(new),
        }
        for s in self.slots.iter_mut().flatten() {
            if !s.complete && (s.key.0 + 2 <= key.0 || one_record_type(s.first_type)) {
                s.complete = true;
            }
        }
    }

    fn ready(&mut self) -> Option<Vec<Vec<u8>>> {
        let mut lowest: Option<usize> = None;
        for (i, s) in self.slots.iter().enumerate() {
            let Some(s) = s else { continue };
            match lowest {
                Some(l) if self.slots[l].as_ref().map(|x| x.key) <= Some(s.key) => {}
                _ => lowest = Some(i),
            }
        }
        let l = lowest?;
        if self.slots[l].as_ref().is_some_and(|s| s.complete) {
            return self.slots[l].take().map(|s| s.lines);
        }
        None
    }
}

fn lines_of(ev: &GroupedEvent) -> Vec<Vec<u8>> {
    ev.lines().map(|(_, l)| l.to_vec()).collect()
}

fuzz_target!(|data: &[u8]| {
    let mut g = Grouper::new();
    let mut model = Model::default();
    let mut reader = data;
    let mut line = Vec::new();
    let mut grouped = 0usize;
    let mut ours: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut theirs: Vec<Vec<Vec<u8>>> = Vec::new();
    let check = |ev: &GroupedEvent| {
        // Every line of an event carries the event's stamp and node.
        for (_, l) in ev.lines() {
            let st = stamp_of(l).expect("a grouped line has a stamp");
            assert_eq!(
                (st.sec, st.milli, st.serial, &st.node),
                (
                    ev.stamp().sec,
                    ev.stamp().milli,
                    ev.stamp().serial,
                    &ev.stamp().node
                )
            );
        }
    };
    while read_piece(&mut reader, &mut line).expect("reading a slice cannot fail") {
        assert!(line.len() < 8970);
        if let Added::Grouped = g.add_line(&line) {
            grouped += 1;
            let st = stamp_of(&line).expect("a grouped line has a stamp");
            model.add((st.sec, st.milli, st.serial), st.node, st.rtype, &line);
            while let Some(ev) = g.next_ready() {
                check(&ev);
                ours.push(lines_of(&ev));
            }
            while let Some(ev) = model.ready() {
                theirs.push(ev);
            }
        }
    }
    g.finish();
    for s in model.slots.iter_mut().flatten() {
        s.complete = true;
    }
    while let Some(ev) = g.next_ready() {
        check(&ev);
        ours.push(lines_of(&ev));
    }
    while let Some(ev) = model.ready() {
        theirs.push(ev);
    }
    assert_eq!(g.held(), 0);
    assert_eq!(ours.iter().map(Vec::len).sum::<usize>(), grouped);
    assert_eq!(ours, theirs);
});
