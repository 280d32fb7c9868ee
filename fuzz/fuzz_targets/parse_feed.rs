//! The feed parser on arbitrary bytes cut at arbitrary places: it must not panic, must
//! keep the number of open events and the bytes they hold under their caps, must
//! account for every line, and
//! must hand out the same items in the same order whether they are pulled
//! (`feed` + `drain`), pushed (`feed_with`) or lent (`feed_with_ref`).
#![no_main]
use audit_parse::{Event, Item, Options, Parser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first bytes choose the chunk sizes and the cap; the rest is the log.
    if data.len() < 3 {
        return;
    }
    let (ctl, log) = data.split_at(3);
    let cap = usize::from(ctl[0] % 16) + 1;
    // A byte cap small enough to be reached, from the same control byte.
    let byte_cap = usize::from(ctl[0] / 16) * 64 + 1;
    let line_cap = usize::from(ctl[1]) * 16 + 1;
    let opts = Options::default()
        .max_events_in_flight(cap)
        .max_bytes_in_flight(byte_cap)
        .max_line_len(line_cap)
        .eoe_timeout(u64::from(ctl[2] % 4));
    let mut parser = Parser::new(opts.clone());
    let mut pushing = Parser::new(opts.clone());
    let mut lending = Parser::new(opts);
    // What each item was, to compare the pulled, pushed and lent sequences.
    let describe = |ev: &Event| {
        let texts: Vec<_> = ev
            .iter()
            .map(|r| (r.text().to_vec(), r.field_count()))
            .collect();
        format!("{} {:?} {:?}", ev.id(), ev.node(), texts)
    };
    let show = |item: &Item| match item {
        Ok(ev) => describe(ev),
        Err(e) => e.to_string(),
    };
    let (mut pulled, mut pushed, mut lent) = (Vec::new(), Vec::new(), Vec::new());
    let mut records = 0u64;
    let mut pos = 0usize;
    let mut step = usize::from(ctl[2]) + 1;
    while pos < log.len() {
        let end = (pos + step).min(log.len());
        parser.feed(&log[pos..end]);
        assert!(parser.events_in_flight() <= cap);
        // Each record holds its line and a few bytes of padding.
        assert!(parser.bytes_in_flight() <= byte_cap + line_cap + 64);
        pushing.feed_with(&log[pos..end], |item| pushed.push(show(&item)));
        lending.feed_with_ref(&log[pos..end], |item| {
            lent.push(match item {
                Ok(ev) => describe(ev),
                Err(e) => e.to_string(),
            })
        });
        pos = end;
        step = step * 7 % 251 + 1;
        for item in parser.drain() {
            pulled.push(show(&item));
            if let Ok(ev) = item {
                records += ev.len() as u64;
                for r in ev.iter() {
                    for f in r.fields() {
                        let _ = (f.name(), f.value(), f.interpreted());
                    }
                }
                // The owned records read as the borrowed ones.
                assert!(ev.records().iter().map(|r| r.view()).eq(ev.iter()));
            }
        }
    }
    parser.flush();
    pushing.flush();
    lending.flush();
    for item in parser.drain() {
        pulled.push(show(&item));
        if let Ok(ev) = item {
            records += ev.records().len() as u64;
        }
    }
    pushed.extend(pushing.drain().map(|item| show(&item)));
    lending.lend_ready(|item| {
        lent.push(match item {
            Ok(ev) => describe(ev),
            Err(e) => e.to_string(),
        })
    });
    assert_eq!(pulled, pushed);
    assert_eq!(pulled, lent);
    let s = parser.stats();
    assert_eq!(records, s.records);
    assert_eq!(
        s.lines,
        s.blank_lines + s.records + s.errors + s.eoe_after_end
    );
});
