//! Interpretation of arbitrary fields: every field type and escape mode on
//! arbitrary bytes, with an arbitrary record context and enrichment, and the
//! fields of an arbitrary record line. Nothing may panic.
#![no_main]

use audit_interpret::{Enriched, EscapeMode, FieldType, Interpreter, Machine, SyscallContext};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut it = Interpreter::new();
    let mode = [EscapeMode::Raw, EscapeMode::Tty, EscapeMode::Shell, EscapeMode::ShellQuote];
    it.set_escape_mode(mode[usize::from(data.first().copied().unwrap_or(0)) % 4]);
    // Split: record type byte, name, value, enrichment.
    let mut parts = data.splitn(3, |&b| b == b'=');
    let name = parts.next().unwrap_or(b"");
    let value = parts.next().unwrap_or(b"");
    let enr = parts.next();
    let rtype = 1300 + u32::from(data.get(1).copied().unwrap_or(0));
    let ctx = SyscallContext::from_fields([(&b"type"[..], &b"SYSCALL"[..]), (b"arch", value), (b"syscall", name)]);
    let mut out = Vec::new();
    let e = enr.map(Enriched::new).unwrap_or(Enriched::NONE);
    it.interpret(rtype, &ctx, e, name, value, &mut out);
    for n in [&b"a0"[..], b"a1", b"a2", b"a3", b"saddr", b"proctitle", b"data", b"mode", b"exit", b"key"] {
        out.clear();
        it.interpret(rtype, &ctx, e, n, value, &mut out);
    }
    let sys = u16::from_le_bytes([data.get(2).copied().unwrap_or(0), data.get(3).copied().unwrap_or(0)]);
    for machine in [Machine::X86_64, Machine::X86, Machine::Aarch64, Machine::Ppc64, Machine::S390x, Machine::Arm] {
        let c = SyscallContext { machine: Some(machine), syscall: i32::from(sys % 500), a0: u64::from(sys), a1: u64::from(sys) >> 3 };
        for ty in FieldType::ALL {
            out.clear();
            it.decode(ty, &c, value, &mut out);
        }
    }
    if let Ok(rec) = audit_parse::Record::parse(data) {
        let ctx = SyscallContext::of_record(&rec);
        for f in rec.fields() {
            out.clear();
            it.interpret_field_with(&rec, &ctx, &f, &mut out);
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = audit_interpret::search::Expr::parse(s);
    }
});
