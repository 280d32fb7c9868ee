//! Search expressions: arbitrary text (optionally wrapped in thousands of
//! groups, `!`s or `||` terms, so that the depth cases are reached at once)
//! parsed, and what parses matched against a fixed event and against the
//! records of arbitrary lines. Nothing may panic or overflow the stack; an
//! error names a byte inside the text; `!!e`, a clone and `e || e` agree with
//! `e`.
#![no_main]

use audit_interpret::Interpreter;
use audit_parse::{Event, Record};
use audit_search::Expr;
use libfuzzer_sys::fuzz_target;

const LINES: [&[u8]; 3] = [
    b"type=SYSCALL msg=audit(1700000000.500:7): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=2 auid=1000 uid=0 comm=\"ls\" key=\"k1\"",
    b"type=CWD msg=audit(1700000000.500:7): cwd=\"/root\"",
    b"type=PATH msg=audit(1700000000.500:7): item=0 name=\"/usr/bin/ls\" inode=5 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\x1dOUID=\"root\" OGID=\"root\"",
];

fuzz_target!(|data: &[u8]| {
    let Some((&shape, rest)) = data.split_first() else {
        return;
    };
    // The expression up to the first newline; record lines after it.
    let (text, lines) = match rest.iter().position(|&b| b == b'\n') {
        Some(p) => (&rest[..p], &rest[p + 1..]),
        None => (rest, &[][..]),
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let n = usize::from(shape & 0x3f);
    let reps = n * n * 8;
    let text = match shape >> 6 {
        1 => format!("{}{text}{}", "(".repeat(reps), ")".repeat(reps)),
        2 => format!("{}{text}", "!(".repeat(reps / 2)) + &")".repeat(reps / 2),
        3 => format!("{text} || ").repeat(reps / 8 + 1) + text,
        _ => text.to_owned(),
    };
    let expr = match Expr::parse(&text) {
        Ok(e) => e,
        Err(err) => {
            assert!(err.offset <= text.len(), "{err} in {} bytes", text.len());
            return;
        }
    };
    let mut it = Interpreter::new();
    let fixed = Event::from_records(LINES.iter().map(|l| Record::parse(l).unwrap()).collect());
    let mut events = vec![fixed];
    let records: Vec<Record> = lines
        .split(|&b| b == b'\n')
        .filter_map(|l| Record::parse(l).ok())
        .collect();
    if !records.is_empty() {
        events.push(Event::from_records(records));
    }
    let twice = expr.clone().negate().negate();
    let doubled = expr.clone().or(expr.clone());
    for ev in &events {
        let m = expr.matches_event(ev, &mut it);
        assert_eq!(twice.matches_event(ev, &mut it), m);
        assert_eq!(doubled.matches_event(ev, &mut it), m);
        for r in ev.iter() {
            let _ = expr.matches_record(ev, r, &mut it);
        }
    }
});
