//! Interpretation of the fields of parsed records ([`audit_parse::Record`]).

use crate::decode::SyscallContext;
use crate::interp::{Enriched, Interpreter};
use crate::types::FieldType;
use audit_parse::{Field, Record};

impl SyscallContext {
    /// The context libauparse collects from `record`'s fields (see
    /// [`SyscallContext::from_fields`]).
    pub fn of_record(record: &Record) -> Self {
        // Only the first 13 fields can carry arch, syscall, a0 and a1.
        Self::from_fields(record.fields().take(13).map(|f| (f.name(), f.value())))
    }
}

/// The record type number as libauparse uses it (0 when unknown).
fn type_number(record: &Record) -> u32 {
    u32::try_from(record.type_number()).unwrap_or(0)
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
    pub fn interpret_field(
        &mut self,
        record: &Record,
        field: &Field<'_>,
        out: &mut Vec<u8>,
    ) -> Option<FieldType> {
        let ctx = SyscallContext::of_record(record);
        self.interpret_field_with(record, &ctx, field, out)
    }

    /// As [`Interpreter::interpret_field`] with the record's context computed
    /// once by the caller ([`SyscallContext::of_record`]), for walking every
    /// field of a record.
    pub fn interpret_field_with(
        &mut self,
        record: &Record,
        ctx: &SyscallContext,
        field: &Field<'_>,
        out: &mut Vec<u8>,
    ) -> Option<FieldType> {
        let enriched = match record.interpretation_text() {
            Some(t) => Enriched::new(t),
            None => Enriched::NONE,
        };
        match field.value_opt() {
            Some(value) => {
                self.interpret(type_number(record), ctx, enriched, field.name(), value, out)
            }
            None => {
                // A NULL raw value (a key whose hex is broken): libauparse's
                // string decoder gives a single space for it.
                let start = out.len();
                out.push(b' ');
                self.escape_mode().apply(out, start, false);
                Some(FieldType::EscapedKey)
            }
        }
    }

    /// The interpretation of `field` of `record` as a new byte vector
    /// (`None` where libauparse gives NULL).
    pub fn interpret_field_to_vec(
        &mut self,
        record: &Record,
        field: &Field<'_>,
    ) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        self.interpret_field(record, field, &mut out).map(|_| out)
    }
}
