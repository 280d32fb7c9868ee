//! Interpretation of the fields of parsed records ([`audit_parse::Record`]).

use crate::cnum::strtoul;
use crate::decode::Interpreted;
use crate::decode::SyscallContext;
use crate::escape::EscapeMode;
use crate::interp::Interpreter;
use crate::types::FieldType;
use audit_parse::{Field, RecordRef, RecordType};
use audit_syscalls::compat;

impl SyscallContext {
    /// The context libauparse collects from `record`'s fields (see
    /// [`SyscallContext::from_fields`]). `record` is a `&Record` or a
    /// [`RecordRef`].
    pub fn of_record<'r>(record: impl Into<RecordRef<'r>>) -> Self {
        let record = record.into();
        // The fields `from_fields` looks at, read directly: `arch` 2nd or 11th,
        // `syscall` 3rd or 12th (the later one wins), `a0` 6th, `a1` 7th, all
        // one place further on after a leading `node`.
        // Most records name none of these fields: a scan of the line tells, at less
        // cost than walking thirteen fields.
        if !crate::scan::may_name_syscall_context(record.text()) {
            return Self::default();
        }
        Self::of_first_fields(record)
    }

    /// [`SyscallContext::of_record`] without the scan that tells most records
    /// apart: for a record one of whose fields needs the context.
    fn of_first_fields(record: RecordRef<'_>) -> Self {
        // One walk over the first fields (a walk in order needs no field table).
        let mut first: [(&[u8], &[u8]); CONTEXT_FIELDS] = [(b"", b""); CONTEXT_FIELDS];
        let mut count = 0;
        for (slot, f) in first.iter_mut().zip(record.fields()) {
            *slot = (f.name(), f.value());
            count += 1;
        }
        Self::of_leading(|i| first.get(i).filter(|_| i < count).copied())
    }

    /// The context from a record's first [`CONTEXT_FIELDS`] fields, `at(i)` giving
    /// the name and value of the i-th (`None` past the record's last field).
    #[inline(always)]
    fn of_leading<'a>(at: impl Fn(usize) -> Option<(&'a [u8], &'a [u8])>) -> Self {
        let named = |i: usize, name: &[u8]| at(i).and_then(|(n, v)| (n == name).then_some(v));
        let off = usize::from(named(0, b"node").is_some());
        let mut ctx = Self::default();
        if let Some(v) = named(10 + off, b"arch").or_else(|| named(1 + off, b"arch")) {
            ctx.machine = strtoul(v, 16).and_then(|v| compat::machine_from_audit_arch(v as u32));
        }
        if let Some(v) = named(11 + off, b"syscall").or_else(|| named(2 + off, b"syscall")) {
            ctx.syscall = strtoul(v, 10).map(|v| v as u32);
        }
        if let Some(v) = named(5 + off, b"a0") {
            ctx.a0 = strtoul(v, 16).unwrap_or(u64::MAX);
        }
        if let Some(v) = named(6 + off, b"a1") {
            ctx.a1 = strtoul(v, 16).unwrap_or(u64::MAX);
        }
        ctx
    }
}

/// How many of a record's first fields its [`SyscallContext`] is read from: `arch`
/// is the 2nd or 11th, `syscall` the 3rd or 12th, one further on after `node`.
const CONTEXT_FIELDS: usize = 13;

/// A record with its [`SyscallContext`], worked out from the record's fields the
/// first time something asks for it: what [`Interpreter::interpret_field_in`]
/// takes. Make one per record, then interpret its fields.
#[derive(Debug)]
pub struct RecordContext<'r> {
    record: RecordRef<'r>,
    ctx: std::cell::OnceCell<SyscallContext>,
}

impl<'r> RecordContext<'r> {
    /// The record (a `&Record` or a [`RecordRef`]), its context not yet known.
    pub fn new(record: impl Into<RecordRef<'r>>) -> Self {
        RecordContext {
            record: record.into(),
            ctx: std::cell::OnceCell::new(),
        }
    }

    /// The record.
    pub fn record(&self) -> RecordRef<'r> {
        self.record
    }

    /// The record's context ([`SyscallContext::of_record`]), worked out on the first
    /// call.
    pub fn context(&self) -> &SyscallContext {
        // Asked for by a field that needs it: the record names some of the
        // context's fields, so the scan that rules records out would be wasted.
        self.ctx
            .get_or_init(|| SyscallContext::of_first_fields(self.record))
    }
}

/// What the interpretation of any field of a record looks at besides the field.
#[derive(Clone, Copy)]
struct RecordFacts<'a> {
    /// The record type as libauparse uses it (number 0 when unknown).
    record_type: RecordType,
    /// The ENRICHED part after 0x1D.
    interpretation: Option<&'a [u8]>,
    /// Whether the fields are interpreted in a walk over the record
    /// ([`Interpreter::interpret_record`]): the interpreter's ENRICHED index
    /// then already holds `interpretation`, and its shape cache types the
    /// fields.
    walk: bool,
    /// The record's main part holds only printable ASCII and the escape mode
    /// is [`EscapeMode::Tty`]: no raw value, and so no interpretation that is a
    /// raw value or a part of one, needs escaping.
    plain: bool,
}

impl<'a> RecordFacts<'a> {
    #[inline(always)]
    fn of(record: RecordRef<'a>) -> Self {
        RecordFacts {
            record_type: record.record_type().unwrap_or(RecordType(0)),
            interpretation: record.interpretation_text(),
            walk: false,
            plain: false,
        }
    }
}

impl Interpreter {
    /// Appends the interpretation of `field` of `record` to `out`, as
    /// `auparse_interpret_field` gives it for the current field; returns the
    /// field's type, or `None` (nothing appended) where libauparse returns
    /// NULL.
    ///
    /// ```
    /// use audit_interpret::Interpreter;
    /// use audit_parse::Record;
    /// let rec = Record::parse(b"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=2 auid=0 uid=0").unwrap();
    /// let mut it = Interpreter::new();
    /// let mut out = Vec::new();
    /// let f = rec.field("syscall").unwrap();
    /// it.interpret_field(&rec, &f, &mut out);
    /// assert_eq!(out, b"execve");
    /// ```
    pub fn interpret_field<'r>(
        &mut self,
        record: impl Into<RecordRef<'r>>,
        field: &Field<'_>,
        out: &mut Vec<u8>,
    ) -> Option<FieldType> {
        let record = record.into();
        let ctx = SyscallContext::of_record(record);
        self.interpret_field_with(record, &ctx, field, out)
    }

    /// As [`Interpreter::interpret_field`] with the record's context computed
    /// once by the caller ([`SyscallContext::of_record`]), for walking every
    /// field of a record. [`Interpreter::interpret_field_in`] is faster: it
    /// works the context out only for a record whose fields need it.
    pub fn interpret_field_with<'r>(
        &mut self,
        record: impl Into<RecordRef<'r>>,
        ctx: &SyscallContext,
        field: &Field<'_>,
        out: &mut Vec<u8>,
    ) -> Option<FieldType> {
        self.interpret_in_context(RecordFacts::of(record.into()), || ctx, field, out)
    }

    /// As [`Interpreter::interpret_field`], for walking the fields of a record:
    /// `record` works the record's [`SyscallContext`] out the first time a field
    /// needs it (only `arch`, `syscall` and `a0`..`a3` do), so that most records
    /// never pay for it. To interpret every field of a record,
    /// [`Interpreter::interpret_record`] is faster still.
    ///
    /// ```
    /// use audit_interpret::{Interpreter, RecordContext};
    /// use audit_parse::Record;
    /// let rec = Record::parse(b"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=2 success=yes exit=3 a0=7ffd1 a1=80000 a2=0 a3=0 items=1").unwrap();
    /// let mut it = Interpreter::new();
    /// let in_rec = RecordContext::new(&rec);
    /// let mut out = Vec::new();
    /// it.interpret_field_in(&in_rec, &rec.field("a1").unwrap(), &mut out);
    /// assert_eq!(out, b"O_RDONLY|O_CLOEXEC");
    /// ```
    pub fn interpret_field_in(
        &mut self,
        record: &RecordContext<'_>,
        field: &Field<'_>,
        out: &mut Vec<u8>,
    ) -> Option<FieldType> {
        self.interpret_in_context(
            RecordFacts::of(record.record),
            || record.context(),
            field,
            out,
        )
    }

    /// The interpretation of `field` of the record `facts` describes, with the
    /// context asked of `ctx` only when the field's type uses it, appended to
    /// `out`.
    #[inline(always)]
    fn interpret_in_context<'c>(
        &mut self,
        facts: RecordFacts<'_>,
        ctx: impl FnOnce() -> &'c SyscallContext,
        field: &Field<'_>,
        out: &mut Vec<u8>,
    ) -> Option<FieldType> {
        match self.interpret_or_borrow(facts, ctx, field, out) {
            (_, Interpreted::Null) => None,
            (ty, Interpreted::InOut) => Some(ty),
            (ty, Interpreted::Direct(text)) => {
                out.extend_from_slice(text);
                Some(ty)
            }
        }
    }

    /// As [`Interpreter::interpret_in_context`], but an interpretation that is
    /// the raw value itself or a constant (and needs no escaping) is given as
    /// it stands, not copied to `out`; with the field's type.
    #[inline(always)]
    fn interpret_or_borrow<'c, 'v>(
        &mut self,
        facts: RecordFacts<'v>,
        ctx: impl FnOnce() -> &'c SyscallContext,
        field: &Field<'v>,
        out: &mut Vec<u8>,
    ) -> (FieldType, Interpreted<'v>) {
        const NONE: SyscallContext = SyscallContext {
            machine: None,
            syscall: None,
            a0: 0,
            a1: 0,
        };
        let Some(value) = field.value_opt() else {
            // A NULL raw value (a key whose hex is broken): libauparse's
            // string decoder gives a single space for it.
            let start = out.len();
            out.push(b' ');
            self.escape_mode().apply(out, start, false);
            return (FieldType::EscapedKey, Interpreted::InOut);
        };
        let name = field.name();
        let ty = if facts.walk {
            self.shapes
                .field_type(facts.record_type, field.index(), name, value)
        } else {
            crate::types::field_type(facts.record_type, name, value)
        };
        let given = match facts.interpretation {
            None => None,
            Some(t) if facts.walk => self.enriched.find(t, name),
            Some(t) => self.enriched.get(t, name),
        };
        let ctx = if ty.uses_context() { ctx() } else { &NONE };
        (
            ty,
            self.interpret_given_or_borrow(ty, ctx, given, value, facts.plain, out),
        )
    }

    /// Interprets every field of `record` in order: for each, `out` is cleared and
    /// `each` is called with the field, its type (`None` where libauparse gives
    /// NULL) and the interpretation's bytes. Those are written to `out` where
    /// they have to be made; an interpretation that is the raw value itself, a
    /// constant (`root`, a syscall's name) or the ENRICHED text is given as it
    /// stands, not copied, so read the bytes `each` gets, not `out`.
    ///
    /// The results are those of [`Interpreter::interpret_field_in`] field by
    /// field, at less cost: the record is walked once (the first thirteen fields,
    /// where the syscall context comes from, are read ahead; the context is worked
    /// out only if a field needs it), what every field's interpretation looks up
    /// of the record is looked up once, and a field whose name is the one at its
    /// place in the last record of the same type gets that field's type without a
    /// look-up (records of a type mostly have the same fields in the same order).
    ///
    /// ```
    /// use audit_interpret::Interpreter;
    /// use audit_parse::Record;
    /// let rec = Record::parse(b"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=2 success=no exit=-2 a0=7ffd1 a1=80000 a2=0 a3=0 items=1 uid=0").unwrap();
    /// let mut it = Interpreter::new();
    /// let mut shown = Vec::new();
    /// it.interpret_record(&rec, &mut Vec::new(), |f, _ty, text| {
    ///     shown.push(format!("{}={}", String::from_utf8_lossy(f.name()), String::from_utf8_lossy(text)));
    /// });
    /// assert_eq!(shown[2], "syscall=open");
    /// assert_eq!(shown[4], "exit=ENOENT(No such file or directory)");
    /// assert_eq!(shown[6], "a1=O_RDONLY|O_CLOEXEC");
    /// assert_eq!(shown[10], "uid=root");
    /// ```
    pub fn interpret_record<'r>(
        &mut self,
        record: impl Into<RecordRef<'r>>,
        out: &mut Vec<u8>,
        mut each: impl FnMut(&Field<'r>, Option<FieldType>, &[u8]),
    ) {
        let record = record.into();
        let mut fields = record.fields();
        let mut first: [Option<Field<'r>>; CONTEXT_FIELDS] = [None; CONTEXT_FIELDS];
        let mut facts = RecordFacts::of(record);
        // The first fields are read ahead (the context comes from them) only for
        // a type whose last record used the context: for the others, a field
        // that needs it reads them again.
        let ahead = self.shapes.used_context(facts.record_type);
        let n = if ahead {
            read_ahead(&mut fields, &mut first)
        } else {
            0
        };
        let rest = !ahead || n == CONTEXT_FIELDS;
        let ctx = std::cell::OnceCell::new();
        let context = || {
            ctx.get_or_init(|| {
                if !ahead {
                    return SyscallContext::of_first_fields(record);
                }
                SyscallContext::of_leading(|i| {
                    first
                        .get(i)
                        .copied()
                        .flatten()
                        .map(|f| (f.name(), f.value()))
                })
            })
        };
        if let Some(t) = facts.interpretation {
            self.enriched.load(t);
        }
        facts.walk = true;
        // One look at the whole main part spares a look at each value that is
        // given as it stands (most of them): in a log written by the kernel,
        // records are nearly always plain ASCII.
        if self.escape_mode() == EscapeMode::Tty {
            let text = record.text();
            let main = match facts.interpretation {
                Some(t) => text.get(..text.len() - t.len() - 1).unwrap_or(b""),
                None => text,
            };
            facts.plain = crate::scan::is_plain_ascii(main);
        }
        // One loop over the fields read ahead, then the rest of the walk (from
        // the fourteenth field, if there was one): the body is inlined once.
        let mut i = 0;
        loop {
            let f = if i < n {
                first[i]
            } else if rest {
                fields.next()
            } else {
                None
            };
            let Some(f) = f else { break };
            i += 1;
            out.clear();
            // By reference: handing the closure over by value costs ~7% more
            // instructions in a walk of every field (measured with callgrind).
            #[allow(clippy::needless_borrows_for_generic_args)]
            match self.interpret_or_borrow(facts, &context, &f, out) {
                (_, Interpreted::Null) => each(&f, None, out),
                (ty, Interpreted::InOut) => each(&f, Some(ty), out),
                (ty, Interpreted::Direct(text)) => each(&f, Some(ty), text),
            }
        }
        self.shapes
            .note_context(facts.record_type, ctx.get().is_some());
    }

    /// The interpretation of `field` of `record` as a new byte vector
    /// (`None` where libauparse gives NULL).
    pub fn interpret_field_to_vec<'r>(
        &mut self,
        record: impl Into<RecordRef<'r>>,
        field: &Field<'_>,
    ) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        self.interpret_field(record, field, &mut out).map(|_| out)
    }
}

/// Reads the first fields of a walk into `first`; how many there were. Not inlined:
/// the walk's own step is then inlined once in the caller's loop, not twice (two
/// copies of it made the whole loop costlier, by callgrind).
#[inline(never)]
fn read_ahead<'r>(
    fields: &mut impl Iterator<Item = Field<'r>>,
    first: &mut [Option<Field<'r>>; CONTEXT_FIELDS],
) -> usize {
    let mut n = 0;
    while n < CONTEXT_FIELDS {
        match fields.next() {
            Some(f) => first[n] = Some(f),
            None => break,
        }
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::Machine;
    use crate::EscapeMode;
    use audit_parse::Record;

    /// A syscall number is libauparse's `int`: past `u32` its low 32 bits
    /// (2^32 + 59 is execve), 2^32 - 1 is -1 and names nothing, as ausearch
    /// 3.0.9 -i prints them.
    #[test]
    fn syscall_numbers_wrap_as_libauparse_s_int() {
        for (value, shown) in [
            ("4294967355", &b"execve"[..]),
            ("4294967295", b"unknown-syscall(-1)"),
            ("59", b"execve"),
        ] {
            let line = format!(
                "type=SYSCALL msg=audit(1700000000.500:7): arch=c000003e syscall={value} success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=0 ppid=1 pid=2"
            );
            let rec = Record::parse(line.as_bytes()).unwrap();
            let ctx = SyscallContext::of_record(&rec);
            let mut out = Vec::new();
            Interpreter::new().interpret(
                RecordType::SYSCALL,
                &ctx,
                crate::Enriched::NONE,
                b"syscall",
                value.as_bytes(),
                &mut out,
            );
            assert_eq!(out, shown, "{value}");
        }
    }

    /// A record's fields as shown: name, type and interpretation.
    type Shown = Vec<(Vec<u8>, Option<FieldType>, Vec<u8>)>;

    /// The fields of `rec` as one walk over the record interprets them.
    fn walked(it: &mut Interpreter, rec: &Record) -> Shown {
        let mut walked = Vec::new();
        it.interpret_record(rec, &mut Vec::new(), |f, ty, text| {
            walked.push((f.name().to_vec(), ty, text.to_vec()));
        });
        walked
    }

    /// The fields of `rec` interpreted one by one.
    fn one_by_one(it: &mut Interpreter, rec: &Record) -> Shown {
        let in_rec = RecordContext::new(rec);
        let mut shown = Vec::new();
        for f in rec.fields() {
            let mut out = Vec::new();
            let ty = it.interpret_field_in(&in_rec, &f, &mut out);
            shown.push((f.name().to_vec(), ty, out));
        }
        shown
    }

    /// A record whose type's last record used no syscall context still gets
    /// its own (the walk reads its first fields again), and the other way round.
    #[test]
    fn record_walk_gives_each_record_its_context() {
        let lines: [&[u8]; 5] = [
            b"type=SECCOMP msg=audit(1.000:1): auid=0 uid=0 gid=0 ses=1 pid=5 comm=\"x\" sig=0 code=0x7ffc0000",
            b"type=SECCOMP msg=audit(1.000:2): auid=0 uid=0 gid=0 ses=1 subj=unconfined pid=5 comm=\"x\" exe=\"/x\" sig=0 arch=c000003e syscall=59 compat=0 ip=0x1 code=0x7ffc0000",
            b"type=SECCOMP msg=audit(1.000:3): auid=0 uid=0 gid=0 ses=1 pid=5 comm=\"x\" sig=0 code=0x7ffc0000",
            b"type=SYSCALL msg=audit(1.000:4): arch=c000003e syscall=2 success=no exit=-2 a0=7ffd1 a1=80000 a2=0 a3=0 items=1",
            b"type=SECCOMP msg=audit(1.000:5): auid=0 uid=0 gid=0 ses=1 subj=unconfined pid=5 comm=\"x\" exe=\"/x\" sig=0 arch=40000003 syscall=11 compat=1 ip=0x1 code=0x7ffc0000",
        ];
        let mut it = Interpreter::new();
        let mut shown = Vec::new();
        for line in lines {
            let rec = Record::parse(line).unwrap();
            let walked = walked(&mut it, &rec);
            let one_by_one = one_by_one(&mut Interpreter::new(), &rec);
            assert_eq!(walked, one_by_one, "{}", line.escape_ascii());
            shown.extend(walked.into_iter().filter(|(n, ..)| n == b"syscall"));
        }
        let names: Vec<&[u8]> = shown.iter().map(|(_, _, t)| &t[..]).collect();
        assert_eq!(names, [&b"execve"[..], b"open", b"execve"]);
    }

    #[test]
    fn context_of_record_is_from_fields() {
        let lines: &[&str] = &[
            "type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1",
            "node=h type=SYSCALL msg=audit(1.000:1): arch=40000003 syscall=102 success=yes exit=0 a0=3 a1=ffff a2=3",
            "node=h type=SYSCALL msg=audit(1.000:1): arch=zz syscall=x success=yes exit=0 a0=g a1=-1",
            "type=SYSCALL msg=audit(1.000:1): x=1 arch=c000003e syscall=59 success=yes a0=1 a1=2",
            "type=X msg=audit(1.000:1): a=1 b=2 c=3 d=4 e=5 f=6 g=7 h=8 i=9 arch=c00000b7 syscall=221",
            "type=X msg=audit(1.000:1): arch=c000003e syscall=1 c=3 d=4 a0=5 a1=6 g=7 h=8 i=9 arch=c00000b7 syscall=221",
            "node=n type=X msg=audit(1.000:1): arch=c000003e syscall=1 c=3 d=4 a0=5 a1=6 g=7 h=8 i=9 arch=40000003 syscall=2",
            "type=X msg=audit(1.000:1): arch=c000003e syscall=1 c=3 d=4 a0=5 a1=6 g=7 h=8 i=9 x=1 y=2",
            "type=X msg=audit(1.000:1): node=x arch=c000003e syscall=1",
            "type=X msg=audit(1.000:1):",
            "type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=18446744073709551616 success=yes exit=0 a0=fffffffffffffffff a1=0x10",
        ];
        for line in lines {
            let rec = Record::parse(line.as_bytes()).unwrap();
            let want = SyscallContext::from_fields(rec.fields().map(|f| (f.name(), f.value())));
            assert_eq!(SyscallContext::of_record(&rec), want, "{line}");
        }
        let ctx =
            |i: usize| SyscallContext::of_record(&Record::parse(lines[i].as_bytes()).unwrap());
        assert_eq!(
            ctx(0),
            SyscallContext {
                machine: Some(Machine::X86_64),
                syscall: Some(59),
                a0: 1,
                a1: 2
            }
        );
        assert_eq!((ctx(1).machine, ctx(1).a1), (Some(Machine::I386), 0xffff));
        assert_eq!(
            (ctx(4).machine, ctx(4).syscall),
            (Some(Machine::Aarch64), Some(221))
        );
        assert_eq!(
            (ctx(6).machine, ctx(6).syscall),
            (Some(Machine::I386), Some(2))
        );
        assert_eq!(
            (ctx(7).machine, ctx(7).syscall),
            (Some(Machine::X86_64), Some(1))
        );
    }

    /// The walk over a record skips the look at each value for escaping when
    /// the record is plain ASCII: a control byte or a C1 control anywhere in
    /// a record, in a raw or a quoted value, is still escaped, in every mode.
    #[test]
    fn record_walk_escapes_what_field_by_field_escapes() {
        let lines: [&[u8]; 5] = [
            b"type=USER_CMD msg=audit(1.000:1): pid=1 uid=0 foo=a\x1bb cmd=\"x\x01y\" res=success",
            b"type=USER_CMD msg=audit(1.000:1): pid=1 foo=a\xc2\x9bb cwd=\"/t\x9bmp\"",
            b"type=USER_CMD msg=audit(1.000:1): pid=1 foo=plain cwd=\"/tmp\" bar=a$b",
            b"type=CWD msg=audit(1.000:1): cwd=\"/ro\x7fot\"\x1dX=\x01",
            b"type=PATH msg=audit(1.000:1): item=0 name=\"a\tb\" ouid=0",
        ];
        for mode in [
            EscapeMode::Tty,
            EscapeMode::Raw,
            EscapeMode::Shell,
            EscapeMode::ShellQuote,
        ] {
            for line in lines {
                let rec = Record::parse(line).unwrap();
                let mut it = Interpreter::new();
                it.set_escape_mode(mode);
                let walked = walked(&mut it, &rec);
                let one_by_one = one_by_one(&mut it, &rec);
                assert_eq!(walked, one_by_one, "{mode:?} {}", line.escape_ascii());
            }
        }
        let tty = |line: &[u8], name: &str| {
            let rec = Record::parse(line).unwrap();
            let mut shown = None;
            Interpreter::new().interpret_record(&rec, &mut Vec::new(), |f, _, text| {
                if f.name() == name.as_bytes() {
                    shown = Some(text.to_vec());
                }
            });
            shown.unwrap()
        };
        assert_eq!(tty(lines[0], "foo"), b"a\\033b");
        assert_eq!(tty(lines[0], "cmd"), b"x\\001y");
        assert_eq!(tty(lines[1], "foo"), b"a\\302\\233b");
        assert_eq!(tty(lines[1], "cwd"), b"/t\\233mp");
        assert_eq!(tty(lines[2], "cwd"), b"/tmp");
        assert_eq!(tty(lines[4], "name"), b"a\\011b");
    }
}
