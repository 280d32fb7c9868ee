//! Differential test of the normalizer against libauparse 3.0.9's
//! `auparse_normalize`.
//!
//! The C program `tests/c/normalize_walk.c` normalizes every event of a log
//! and prints every getter's answer (event kind, session, subject, action,
//! object, attributes, results, how, key: return code, record and field the
//! cursor went to, raw and interpreted value). [`render`] prints the same
//! from `audit_normalize`, and the two are compared line by line
//! for every log under `tests/data` and `tests/normalize_data`, with both
//! normalizer options.
//!
//! Every difference must be matched by an entry of [`KNOWN`], which says why
//! we differ on purpose; an entry that matches nothing fails the test.
//!
//! Needs `cc` and `apt-get install -y libauparse-dev libaudit-dev`.

use audit_normalize::{EventCursor, FieldPos, NormalizeContext, NormalizeOptions};
use audit_parse::{Event, Options, Parser};
use audit_testlock::corpus::{corpus_and_normalize_logs, log_name};
use audit_testlock::libauparse::{c_input, Deliberate};
use audit_testlock::reference::{c_program, event_blocks, run};
use std::collections::HashSet;
use std::io::Write as _;

/// A deliberate difference in one getter's line of one event.
struct Known {
    /// The log (relative to `tests/data`, or the file name for
    /// `tests/normalize_data`).
    log: &'static str,
    /// The reference line contains this.
    reference: &'static str,
    /// Our line contains this.
    ours: &'static str,
    why: &'static str,
}

/// (Empty: every answer agrees on every log.)
const KNOWN: &[Known] = &[];

fn text(v: Option<&[u8]>) -> &[u8] {
    v.unwrap_or(b"(null)")
}

/// libauparse's return code for going to `pos`: 1 on it, 0 for no position,
/// -1 / -2 when it does not resolve.
fn seek_rc(c: &mut EventCursor<'_>, pos: Option<FieldPos>) -> i32 {
    match pos.map(|p| c.seek(p)) {
        None => 0,
        Some(Ok(())) => 1,
        Some(Err(e)) => e.code(),
    }
}

fn show(out: &mut Vec<u8>, c: &mut EventCursor<'_>, label: &str, rc: i32) {
    write!(out, " {label} rc={rc}").unwrap();
    if rc == 1 {
        write!(out, " at={}.{} ", c.record_index(), c.field_index()).unwrap();
        out.extend_from_slice(text(c.field_name()));
        out.push(b'=');
        out.extend_from_slice(text(c.field_str()));
        out.extend_from_slice(b" => ");
        let v = c.interpret().map(|mut v| {
            if let Some(p) = v.iter().position(|&b| b == 0) {
                v.truncate(p);
            }
            v
        });
        out.extend_from_slice(text(v.as_deref()));
    }
    out.push(b'\n');
}

/// Our side of `normalize_walk`: the same lines from our normalizer.
fn render_event(out: &mut Vec<u8>, ctx: &mut NormalizeContext, ev: &Event, opt: NormalizeOptions) {
    let mut c = ctx.cursor(ev);
    let n = c.normalize(opt);
    let id = ev.id();
    writeln!(
        out,
        "event {}.{:03}:{} records={} rc={}",
        id.sec,
        id.milli,
        id.serial,
        ev.records().len(),
        n.status.code()
    )
    .unwrap();
    writeln!(out, " kind {}", n.event_kind.unwrap_or("(null)")).unwrap();
    let rc = seek_rc(&mut c, n.session);
    show(out, &mut c, "session", rc);
    let rc = seek_rc(&mut c, n.subject_primary);
    show(out, &mut c, "subject.primary", rc);
    let rc = seek_rc(&mut c, n.subject_secondary);
    show(out, &mut c, "subject.secondary", rc);
    writeln!(out, " subject.kind {}", n.subject_kind.unwrap_or("(null)")).unwrap();
    for p in &n.subject_attributes {
        let rc = seek_rc(&mut c, Some(*p));
        show(out, &mut c, "subject.attr", rc);
    }
    show(out, &mut c, "subject.attr", 0);
    out.extend_from_slice(b" action ");
    out.extend_from_slice(text(n.action.as_deref()));
    out.push(b'\n');
    let rc = seek_rc(&mut c, n.object_primary);
    show(out, &mut c, "object.primary", rc);
    let rc = seek_rc(&mut c, n.object_secondary);
    show(out, &mut c, "object.secondary", rc);
    let rc = seek_rc(&mut c, n.object_primary2);
    show(out, &mut c, "object.primary2", rc);
    for p in &n.object_attributes {
        let rc = seek_rc(&mut c, Some(*p));
        show(out, &mut c, "object.attr", rc);
    }
    show(out, &mut c, "object.attr", 0);
    writeln!(out, " object.kind {}", n.object_kind.as_str()).unwrap();
    let rc = seek_rc(&mut c, n.results);
    show(out, &mut c, "results", rc);
    out.extend_from_slice(b" how ");
    out.extend_from_slice(text(n.how.as_deref()));
    out.push(b'\n');
    let rc = seek_rc(&mut c, n.key);
    show(out, &mut c, "key", rc);
}

fn render(log: &[u8], opt: NormalizeOptions) -> Vec<u8> {
    let mut p = Parser::new(Options::default());
    let mut ctx = NormalizeContext::default();
    let mut out = Vec::new();
    p.feed(log);
    p.flush();
    while let Some(item) = p.next_event() {
        if let Ok(ev) = item {
            render_event(&mut out, &mut ctx, &ev, opt);
        }
    }
    out
}

#[test]
fn normalizer_matches_libauparse() {
    let walker = c_program("normalize_walk");
    let mut used = vec![false; KNOWN.len()];
    let mut failures = Vec::new();
    let mut events = 0usize;
    // The parser's deliberate differences that change which events exist (not what
    // the normalizer says about them): applied to the C side, each needed by some log.
    let mut parsing = HashSet::new();
    for log in corpus_and_normalize_logs() {
        let name = log_name(&log);
        let data = std::fs::read(&log).unwrap();
        for (opt, flag) in [
            (NormalizeOptions::All, None),
            (NormalizeOptions::NoAttributes, Some("--no-attrs")),
        ] {
            let input = c_input(&log, &mut parsing);
            let path = input.to_str().unwrap();
            let args: Vec<&str> = flag.into_iter().chain([path]).collect();
            let reference = String::from_utf8_lossy(&run(&walker, &args, None)).into_owned();
            let ours = String::from_utf8_lossy(&render(&data, opt)).into_owned();
            let mut rb = event_blocks(&reference);
            let before = rb.len();
            rb.retain(|b| !b[0].starts_with("event 0.000:0 "));
            if rb.len() != before {
                parsing.insert(Deliberate::NoBogusTimeZeroEvent);
            }
            let ob = event_blocks(&ours);
            if rb.len() != ob.len() {
                failures.push(format!(
                    "{name} {opt:?}: {} events from libauparse, {} from us",
                    rb.len(),
                    ob.len()
                ));
                continue;
            }
            events += rb.len();
            for (r, o) in rb.iter().zip(&ob) {
                if r.len() != o.len() {
                    failures.push(format!(
                        "{name} {opt:?}: event {}:\n  libauparse:\n    {}\n  ours:\n    {}",
                        r[0],
                        r.join("\n    "),
                        o.join("\n    ")
                    ));
                    continue;
                }
                for (rl, ol) in r.iter().zip(o) {
                    if rl == ol {
                        continue;
                    }
                    let known = KNOWN.iter().position(|k| {
                        k.log == name && rl.contains(k.reference) && ol.contains(k.ours)
                    });
                    match known {
                        Some(i) => used[i] = true,
                        None => failures.push(format!(
                            "{name} {opt:?}: {}\n  libauparse: {rl}\n  ours:       {ol}",
                            r[0]
                        )),
                    }
                }
            }
        }
    }
    for (k, u) in KNOWN.iter().zip(&used) {
        if !u {
            failures.push(format!(
                "known difference no longer seen: {} {:?} / {:?} ({})",
                k.log, k.reference, k.ours, k.why
            ));
        }
    }
    for p in [Deliberate::FinalLineKept, Deliberate::NoBogusTimeZeroEvent] {
        if !parsing.contains(&p) {
            failures.push(format!("{p:?} is applied but no log needs it"));
        }
    }
    assert!(events > 100, "only {events} events compared");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
