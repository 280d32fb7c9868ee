//! Differential test of field interpretation against libauparse 3.0.9's
//! `auparse_interpret_field`.
//!
//! The C walker `tests/c/auparse_walk.c --interpret` prints every field of
//! every event of a log as `<name>=<raw> => <interpretation>`. Our program
//! `auparse-walk --interpret` prints the same walk with `audit_parse` and
//! `audit_interpret::Interpreter`, and we compare every field
//! line of every log under `tests/data`. Names of users and groups come from
//! this host's NSS for both sides, so the comparison is only meaningful when
//! both run on the same host (as they do here).
//!
//! Every difference must be matched by an entry of [`KNOWN`], which says why
//! we differ on purpose; an entry that matches nothing fails the test, so the
//! list stays exact.
//!
//! Needs `cc` and `apt-get install -y libauparse-dev libaudit-dev`.

use audit_interpret::{EscapeMode, Interpreter};
use audit_testlock::corpus::{corpus_logs, data_relative, interpret_own_logs};
use audit_testlock::reference::{c_program, event_blocks, run};
use std::collections::HashMap;
use std::path::Path;

/// A deliberate difference: the field lines (`name=raw => interpretation`)
/// of libauparse and ours for one field name, where the reference line
/// contains `reference` and ours contains `ours`.
struct Known {
    field: &'static str,
    reference: &'static str,
    ours: &'static str,
    why: &'static str,
}

/// (Empty: on the whole corpus every field agrees. Newer syscalls that
/// libauparse 3.0.9's tables lack would be listed here; none occurs.)
const KNOWN: &[Known] = &[];

fn field_name(line: &str) -> &str {
    line.trim_start().split('=').next().unwrap_or("")
}

#[test]
fn interpretations_match_libauparse() {
    let walker = c_program("auparse_walk");
    let ours_walker = Path::new(env!("CARGO_BIN_EXE_auparse-walk"));
    // libauparse's default escape mode, which the C walker keeps; our walker
    // uses Interpreter::new().
    assert_eq!(Interpreter::new().escape_mode(), EscapeMode::Tty);
    let mut used: HashMap<usize, usize> = HashMap::new();
    let mut unexplained = Vec::new();
    let mut compared = 0usize;
    // The corpus, our own log of edge values for every decoder, and syscalls
    // libaudit names its own way (x86_64 17 `pread`, arm 140 `llseek`, ...).
    for path in corpus_logs().into_iter().chain(interpret_own_logs()) {
        let rel = data_relative(&path);
        let p = path.to_str().expect("utf-8 path");
        let reference = run(&walker, &["--interpret", p], None);
        let ours = run(ours_walker, &["--interpret", p], None);
        let (r, o) = (
            String::from_utf8_lossy(&reference),
            String::from_utf8_lossy(&ours),
        );
        // Pair events by their header line: event assembly differences (which
        // events exist, their order) are the parser's business and are
        // checked by differential_parse.rs.
        let mut mine: HashMap<&str, Vec<Vec<&str>>> = HashMap::new();
        for block in event_blocks(&o).into_iter().rev() {
            mine.entry(block[0]).or_default().push(block);
        }
        for block in event_blocks(&r) {
            let Some(other) = mine.get_mut(block[0]).and_then(Vec::pop) else {
                eprintln!(
                    "{rel}: no event `{}` on our side (parser difference)",
                    block[0]
                );
                continue;
            };
            if other.len() != block.len() {
                unexplained.push(format!("{rel}: event `{}` has a different shape", block[0]));
                continue;
            }
            for (a, b) in block.iter().zip(&other) {
                if !a.starts_with("  ") {
                    continue;
                }
                compared += 1;
                if a == b {
                    continue;
                }
                let name = field_name(a);
                match KNOWN
                    .iter()
                    .position(|k| k.field == name && a.contains(k.reference) && b.contains(k.ours))
                {
                    Some(k) => *used.entry(k).or_default() += 1,
                    None => unexplained.push(format!("{rel}:\n  - {a}\n  + {b}")),
                }
            }
        }
    }
    assert!(compared > 3000, "only {compared} field lines compared");
    for (i, k) in KNOWN.iter().enumerate() {
        eprintln!(
            "known difference `{}` ({} lines): {}",
            k.field,
            used.get(&i).copied().unwrap_or(0),
            k.why
        );
    }
    assert!(
        unexplained.is_empty(),
        "{} unexplained differences:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    let unused: Vec<_> = KNOWN
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains_key(i))
        .map(|(_, k)| k.field)
        .collect();
    assert!(
        unused.is_empty(),
        "known differences that no longer occur: {unused:?}"
    );
}
