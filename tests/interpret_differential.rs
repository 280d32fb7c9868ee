//! Differential test of field interpretation against libauparse 3.0.9's
//! `auparse_interpret_field`.
//!
//! The C walker `tests/c/auparse_walk.c --interpret` prints every field of
//! every event of a log as `<name>=<raw> => <interpretation>`. Our example
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

mod support;

use audit_interpret::{EscapeMode, Interpreter};
use std::collections::HashMap;
use support::{c_program, corpus_logs, data_relative, example_bin, run};

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

/// The logs of ours compared besides the corpus: edge values for every
/// decoder, and a SYSCALL record for each syscall libaudit 3.0.9 names
/// otherwise than the kernel (the normalizer's differential test reads it
/// too).
fn own_logs() -> [std::path::PathBuf; 2] {
    let root = support::manifest_dir();
    [
        root.join("tests/interpret_data/edge.log"),
        root.join("tests/normalize_data/libaudit-syscall-names.log"),
    ]
}

/// Splits a walk into event blocks (the `event` line and the lines under it).
fn blocks(text: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    for line in text.lines() {
        if line.starts_with("event ") || out.is_empty() {
            out.push(Vec::new());
        }
        out.last_mut().expect("a block").push(line);
    }
    out
}

fn field_name(line: &str) -> &str {
    line.trim_start().split('=').next().unwrap_or("")
}

#[test]
fn interpretations_match_libauparse() {
    let walker = c_program("auparse_walk");
    let ours_walker = example_bin("auparse-walk");
    // libauparse's default escape mode, which the C walker keeps; our walker
    // uses Interpreter::new().
    assert_eq!(Interpreter::new().escape_mode(), EscapeMode::Tty);
    let mut used: HashMap<usize, usize> = HashMap::new();
    let mut unexplained = Vec::new();
    let mut compared = 0usize;
    // The corpus, our own log of edge values for every decoder, and syscalls
    // libaudit names its own way (x86_64 17 `pread`, arm 140 `llseek`, ...).
    for path in corpus_logs().into_iter().chain(own_logs()) {
        let rel = data_relative(&path);
        let p = path.to_str().expect("utf-8 path");
        let reference = run(&walker, &["--interpret", p], None);
        let ours = run(&ours_walker, &["--interpret", p], None);
        let (r, o) = (
            String::from_utf8_lossy(&reference),
            String::from_utf8_lossy(&ours),
        );
        // Pair events by their header line: event assembly differences (which
        // events exist, their order) are the parser's business and are
        // checked by tests/differential_parse.rs.
        let mut mine: HashMap<&str, Vec<Vec<&str>>> = HashMap::new();
        for block in blocks(&o).into_iter().rev() {
            mine.entry(block[0]).or_default().push(block);
        }
        for block in blocks(&r) {
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

/// Working the syscall context out only when a field needs it
/// (`Interpreter::interpret_field_in`, which `auparse-walk` uses) gives what
/// interpreting with the record's whole context gives (`Interpreter::interpret`,
/// which always passes it on), on every field of the corpus.
#[test]
fn lazy_context_and_record_walk_interpret_as_the_eager_one() {
    use audit_interpret::{Enriched, RecordContext, SyscallContext};
    use audit_parse::source::EventReader;
    use audit_parse::RecordType;
    let (mut lazy, mut eager) = (Interpreter::new(), Interpreter::new());
    let mut whole = Interpreter::new();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let (mut by_record, mut scratch) = (Vec::new(), Vec::new());
    let mut compared = 0usize;
    let mut with_context = 0usize;
    for path in corpus_logs().into_iter().chain(own_logs()) {
        let reader = EventReader::new(std::fs::File::open(&path).expect("corpus log"));
        for ev in reader.flatten() {
            for rec in ev.iter() {
                let in_rec = RecordContext::new(rec);
                let ctx = SyscallContext::of_record(rec);
                let ty = rec.record_type().unwrap_or(RecordType(0));
                let enriched = rec
                    .interpretation_text()
                    .map_or(Enriched::NONE, Enriched::new);
                // The whole record at once (one walk, the first fields read ahead).
                by_record.clear();
                whole.interpret_record(rec, &mut scratch, |f, ty, text| {
                    by_record.push((f.index(), ty, text.to_vec()));
                });
                assert_eq!(by_record.len(), rec.fields().count(), "{rec}");
                for (f, (index, tr, text)) in rec.fields().zip(&by_record) {
                    assert_eq!(f.index(), *index, "{rec}");
                    a.clear();
                    let ta = lazy.interpret_field_in(&in_rec, &f, &mut a);
                    assert_eq!((ta, &a), (*tr, text), "{}: {rec}", path.display());
                    let Some(value) = f.value_opt() else { continue };
                    b.clear();
                    let tb = eager.interpret(ty, &ctx, enriched, f.name(), value, &mut b);
                    assert_eq!((ta, &a), (tb, &b), "{}: {rec}", path.display());
                    compared += 1;
                    with_context += usize::from(ta.is_some_and(|t| t.uses_context()));
                }
            }
        }
    }
    assert!(compared > 10_000, "only {compared} fields compared");
    assert!(
        with_context > 1_000,
        "only {with_context} fields used the context"
    );
}
