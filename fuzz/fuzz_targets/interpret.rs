//! Interpretation of arbitrary fields: every field type and escape mode on
//! arbitrary bytes, with an arbitrary record context and enrichment, and the
//! fields of arbitrary record lines (with the record's context worked out up
//! front and on demand, and in one walk of the record, which must agree). Nothing
//! may panic.
#![no_main]

use audit_interpret::{Enriched, EscapeMode, FieldType, Interpreter, Machine, SyscallContext};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut it = Interpreter::new();
    let mode = [
        EscapeMode::Raw,
        EscapeMode::Tty,
        EscapeMode::Shell,
        EscapeMode::ShellQuote,
    ];
    it.set_escape_mode(mode[usize::from(data.first().copied().unwrap_or(0)) % 4]);
    // Split: record type byte, name, value, enrichment.
    let mut parts = data.splitn(3, |&b| b == b'=');
    let name = parts.next().unwrap_or(b"");
    let value = parts.next().unwrap_or(b"");
    let enr = parts.next();
    let rtype = audit_parse::RecordType(1300 + u32::from(data.get(1).copied().unwrap_or(0)));
    let ctx = SyscallContext::from_fields([
        (&b"type"[..], &b"SYSCALL"[..]),
        (b"arch", value),
        (b"syscall", name),
    ]);
    let mut out = Vec::new();
    let e = enr.map(Enriched::new).unwrap_or(Enriched::NONE);
    it.interpret(rtype, &ctx, e, name, value, &mut out);
    for n in [
        &b"a0"[..],
        b"a1",
        b"a2",
        b"a3",
        b"saddr",
        b"proctitle",
        b"data",
        b"mode",
        b"exit",
        b"key",
    ] {
        out.clear();
        it.interpret(rtype, &ctx, e, n, value, &mut out);
    }
    let sys = u16::from_le_bytes([
        data.get(2).copied().unwrap_or(0),
        data.get(3).copied().unwrap_or(0),
    ]);
    for machine in [
        Machine::X86_64,
        Machine::I386,
        Machine::Aarch64,
        Machine::Ppc64,
        Machine::S390x,
        Machine::Arm,
    ] {
        let c = SyscallContext {
            machine: Some(machine),
            syscall: Some(u32::from(sys % 500)),
            a0: u64::from(sys),
            a1: u64::from(sys) >> 3,
        };
        for ty in FieldType::ALL {
            out.clear();
            it.decode(ty, &c, value, &mut out);
        }
    }
    // The whole input as one record, then each of its lines: records walked one
    // after another with the same interpreter, whose caches (the types of the fields
    // of the last record of each type, the ENRICHED index) carry over.
    let lines = data
        .split(|&b| b == b'\n')
        .filter(|_| data.contains(&b'\n'));
    for rec in std::iter::once(data)
        .chain(lines)
        .filter_map(|line| audit_parse::Record::parse(line).ok())
    {
        // The context worked out up front and on demand interpret alike.
        let ctx = SyscallContext::of_record(&rec);
        let lazy = audit_interpret::RecordContext::new(&rec);
        let mut again = Vec::new();
        // And the whole record in one walk.
        let mut whole = Vec::new();
        it.interpret_record(&rec, &mut again, |f, ty, text| {
            whole.push((f.index(), ty, text.to_vec()));
        });
        assert_eq!(whole.len(), rec.fields().count());
        for (f, (index, ty, text)) in rec.fields().zip(&whole) {
            out.clear();
            let a = it.interpret_field_with(&rec, &ctx, &f, &mut out);
            assert_eq!((f.index(), a, &out), (*index, *ty, text));
        }
        for f in rec.fields() {
            out.clear();
            again.clear();
            let a = it.interpret_field_with(&rec, &ctx, &f, &mut out);
            let b = it.interpret_field_in(&lazy, &f, &mut again);
            assert_eq!((a, &out), (b, &again));
            // And as the field alone with the whole context (which every type is
            // given there, whether it uses it or not).
            if let Some(value) = f.value_opt() {
                again.clear();
                let ty = rec.record_type().unwrap_or(audit_parse::RecordType(0));
                let e = rec
                    .interpretation_text()
                    .map_or(Enriched::NONE, Enriched::new);
                let c = it.interpret(ty, &ctx, e, f.name(), value, &mut again);
                assert_eq!((a, &out), (c, &again));
            }
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = audit_search::Expr::parse(s);
    }
});
