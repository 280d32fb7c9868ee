//! Interpretation of a field found in an event, without hunting its record.

use crate::interp::Interpreter;
use crate::text::Text;
use audit_parse::{Event, Field, RecordRef};

/// Whether `a` and `b` are the same bytes in memory.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.as_ptr() == b.as_ptr() && a.len() == b.len()
}

/// The record of `event` that `field` was read from: the one whose field at
/// `field`'s place is `field` itself, else (a field of a copy of the event's
/// records) the first whose field there has the same name and value.
fn record_of<'e>(event: &'e Event, field: &Field<'_>) -> Option<RecordRef<'e>> {
    let at = |r: RecordRef<'e>| r.field_at(field.index());
    event
        .iter()
        .find(|&r| {
            at(r).is_some_and(|f| same(f.name(), field.name()) && same(f.value(), field.value()))
        })
        .or_else(|| {
            event.iter().find(|&r| {
                at(r).is_some_and(|f| f.name() == field.name() && f.value() == field.value())
            })
        })
}

impl Interpreter {
    /// The interpretation of the first field named `name` in `event`, in
    /// record order (libauparse's `auparse_find_field` then
    /// `auparse_interpret_field`); `None` when no record has the field or
    /// libauparse gives no interpretation (NULL).
    ///
    /// ```
    /// use audit_interpret::Interpreter;
    /// use audit_parse::Parser;
    /// let mut p = Parser::default();
    /// p.feed(b"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=0 uid=0\n\
    ///          type=EOE msg=audit(1.000:1): \n");
    /// let event = p.next_event().unwrap().unwrap();
    /// let mut it = Interpreter::new();
    /// assert_eq!(it.interpret_event_field(&event, "syscall").unwrap(), "execve");
    /// assert_eq!(it.interpret_event_field(&event, "uid").unwrap(), "root");
    /// assert!(it.interpret_event_field(&event, "nosuch").is_none());
    /// ```
    pub fn interpret_event_field(&mut self, event: &Event, name: &str) -> Option<Text> {
        let (record, field) = event.iter().find_map(|r| r.field(name).map(|f| (r, f)))?;
        self.interpret_field_to_vec(record, &field).map(Text::from)
    }

    /// The interpretation of `field`, a field of `event` as
    /// [`Event::find_field`], a cursor or a record of the event gave it: its
    /// record (whose type and other fields the interpretation depends on) is
    /// found here. `None` where the field is not one of `event`'s or
    /// libauparse gives no interpretation (NULL).
    ///
    /// ```
    /// use audit_interpret::Interpreter;
    /// use audit_parse::Parser;
    /// let mut p = Parser::default();
    /// p.feed(b"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=2 success=no exit=-13 a0=7ffd1 a1=80000 a2=0 a3=0 items=1\n\
    ///          type=PATH msg=audit(1.000:1): item=0 name=\"/etc/shadow\" mode=0100640 ouid=0\n\
    ///          type=EOE msg=audit(1.000:1): \n");
    /// let event = p.next_event().unwrap().unwrap();
    /// let mut it = Interpreter::new();
    /// let exit = event.find_field("exit").unwrap();
    /// assert_eq!(it.interpret_found(&event, &exit).unwrap(), "EACCES(Permission denied)");
    /// let mode = event.find_field("mode").unwrap();
    /// assert_eq!(it.interpret_found(&event, &mode).unwrap(), "file,640");
    /// ```
    pub fn interpret_found(&mut self, event: &Event, field: &Field<'_>) -> Option<Text> {
        let record = record_of(event, field)?;
        self.interpret_field_to_vec(record, field).map(Text::from)
    }
}

/// Interpretation from an [`Event`] in one call: `event.interpret(&mut it,
/// "syscall")` (the same as [`Interpreter::interpret_event_field`]).
///
/// ```
/// use audit_interpret::{EventInterpret, Interpreter};
/// use audit_parse::{Event, Record};
/// let rec = Record::parse(b"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=0 auid=1000").unwrap();
/// let event = Event::from_records(vec![rec]);
/// let mut it = Interpreter::new();
/// println!("syscall {}", event.interpret(&mut it, "syscall").unwrap());
/// ```
pub trait EventInterpret {
    /// The interpretation of the first field named `name`; `None` when no
    /// record has it or it has no interpretation.
    fn interpret(&self, interpreter: &mut Interpreter, name: &str) -> Option<Text>;
}

impl EventInterpret for Event {
    fn interpret(&self, interpreter: &mut Interpreter, name: &str) -> Option<Text> {
        interpreter.interpret_event_field(self, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use audit_parse::Record;

    #[test]
    fn found_fields_are_interpreted_with_their_own_record() {
        // Two records with an `a1` and a `mode`: each is interpreted in the
        // record it was found in (the SYSCALL's a1 is open's flags).
        let lines = [
            &b"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=2 success=yes exit=3 a0=7ffd1 a1=80000 a2=0 a3=0 items=1"[..],
            b"type=EXECVE msg=audit(1.000:1): argc=2 a0=\"ls\" a1=\"-l\"",
        ];
        let ev = Event::from_records(lines.iter().map(|l| Record::parse(l).unwrap()).collect());
        let mut it = Interpreter::new();
        let second = ev.record(1).unwrap().field("a1").unwrap();
        assert_eq!(it.interpret_found(&ev, &second).unwrap(), "-l");
        let first = ev.find_field("a1").unwrap();
        assert_eq!(
            it.interpret_found(&ev, &first).unwrap(),
            "O_RDONLY|O_CLOEXEC"
        );
        // A field of the event's owned copies is found by its place and bytes.
        let owned = ev.records()[1].field("a0").unwrap();
        assert_eq!(it.interpret_found(&ev, &owned).unwrap(), "ls");
        // A field of another event is not this one's.
        let other = Record::parse(b"type=CWD msg=audit(1.000:1): cwd=\"/\"").unwrap();
        assert!(it
            .interpret_found(&ev, &other.field("cwd").unwrap())
            .is_none());
        assert_eq!(ev.interpret(&mut it, "a1").unwrap(), "O_RDONLY|O_CLOEXEC");
        assert!(ev.interpret(&mut it, "cwd").is_none());
    }
}
