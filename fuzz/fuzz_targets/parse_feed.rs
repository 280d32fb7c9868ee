//! The feed parser on arbitrary bytes cut at arbitrary places: it must not panic, must
//! keep the number of open events under its cap, and must account for every line.
#![no_main]
use audit_parse::{Options, Parser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first bytes choose the chunk sizes and the cap; the rest is the log.
    if data.len() < 3 {
        return;
    }
    let (ctl, log) = data.split_at(3);
    let cap = usize::from(ctl[0] % 16) + 1;
    let mut parser = Parser::new(
        Options::default()
            .max_events_in_flight(cap)
            .max_line_len(usize::from(ctl[1]) * 16 + 1)
            .eoe_timeout(u64::from(ctl[2] % 4)),
    );
    let mut records = 0u64;
    let mut pos = 0usize;
    let mut step = usize::from(ctl[2]) + 1;
    while pos < log.len() {
        let end = (pos + step).min(log.len());
        parser.feed(&log[pos..end]);
        assert!(parser.events_in_flight() <= cap);
        pos = end;
        step = step * 7 % 251 + 1;
        for item in parser.drain() {
            if let Ok(ev) = item {
                records += ev.records().len() as u64;
                for r in ev.records() {
                    for f in r.fields() {
                        let _ = (f.name(), f.value(), f.interpreted());
                    }
                }
            }
        }
    }
    parser.flush();
    for ev in parser.drain().flatten() {
        records += ev.records().len() as u64;
    }
    let s = parser.stats();
    assert_eq!(records, s.records);
    assert_eq!(s.lines, s.blank_lines + s.records + s.errors + s.eoe_after_end);
});
