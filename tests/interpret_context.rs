//! Interpreting a field with its syscall context worked out lazily gives what the
//! eager forms give, on every field of the corpus (`tests/data`) and of our own
//! logs of edge values. (The differential test of interpretation against
//! libauparse, through the `auparse-walk` program, is audit-tools'
//! `interpret_differential`.)

use audit_interpret::Interpreter;
use audit_testlock::corpus::{corpus_logs, interpret_own_logs};

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
    for path in corpus_logs().into_iter().chain(interpret_own_logs()) {
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
