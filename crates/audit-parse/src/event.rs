//! Events (the records that share one id and node) and a cursor over them.

use crate::record::{EventId, Field, Record};

/// A complete event: every record that shares one time stamp, serial and node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub(crate) id: EventId,
    pub(crate) node: Option<Box<[u8]>>,
    pub(crate) records: Vec<Record>,
}

impl Event {
    /// Make an event of records (they should share the first record's id and node).
    ///
    /// # Panics
    /// Never; an empty list gives an event with the default id.
    pub fn from_records(records: Vec<Record>) -> Event {
        let (id, node) = records
            .first()
            .map(|r| (r.id(), r.node().map(Box::from)))
            .unwrap_or_default();
        Event { id, node, records }
    }

    /// The event id: time stamp and serial.
    pub fn id(&self) -> EventId {
        self.id
    }

    /// The node name (`node=`), if the records carry one.
    pub fn node(&self) -> Option<&[u8]> {
        self.node.as_deref()
    }

    /// The records, in the order they arrived.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Take the records out of the event.
    pub fn into_records(self) -> Vec<Record> {
        self.records
    }

    /// The first record of this type.
    pub fn record_of_type(&self, t: audit_wire::RecordType) -> Option<&Record> {
        self.records.iter().find(|r| r.record_type() == Some(t))
    }

    /// The first field with this name in any record, in record order.
    pub fn find_field(&self, name: &str) -> Option<Field<'_>> {
        self.records.iter().find_map(|r| r.field(name))
    }

    /// A libauparse-style cursor over the event's records and fields.
    pub fn cursor(&self) -> Cursor<'_> {
        Cursor {
            event: self,
            record: 0,
            field: 0,
            find: None,
        }
    }
}

/// A cursor over one event, with the moves of libauparse's record and field API
/// (`auparse_first_record`, `auparse_next_field`, `auparse_find_field`, ...).
///
/// ```
/// use audit_parse::{Parser, Options};
/// let mut p = Parser::new(Options::default());
/// p.feed(b"type=SYSCALL msg=audit(1.000:1): syscall=59 key=\"x\"\n\
///          type=CWD msg=audit(1.000:1): cwd=\"/\"\n\
///          type=EOE msg=audit(1.000:1): \n");
/// let ev = p.next_event().unwrap().unwrap();
/// let mut c = ev.cursor();
/// assert_eq!(c.find_field("cwd").unwrap().value(), b"\"/\"");
/// assert_eq!(c.record_index(), 1);
/// assert!(c.first_record());
/// assert_eq!(c.field().unwrap().name(), b"type");
/// ```
#[derive(Clone, Debug)]
pub struct Cursor<'e> {
    event: &'e Event,
    record: usize,
    field: usize,
    find: Option<Vec<u8>>,
}

impl<'e> Cursor<'e> {
    /// The event the cursor walks.
    pub fn event(&self) -> &'e Event {
        self.event
    }

    /// Go to the first record (and its first field). False when the event is empty.
    pub fn first_record(&mut self) -> bool {
        self.goto_record(0)
    }

    /// Go to the next record and its first field. False at the last record.
    pub fn next_record(&mut self) -> bool {
        self.goto_record(self.record + 1)
    }

    /// Go to record `n` (from 0) and its first field. False when out of range.
    pub fn goto_record(&mut self, n: usize) -> bool {
        if n < self.event.records.len() {
            self.record = n;
            self.field = 0;
            true
        } else {
            false
        }
    }

    /// The current record.
    pub fn record(&self) -> Option<&'e Record> {
        self.event.records.get(self.record)
    }

    /// The current record's index, from 0.
    pub fn record_index(&self) -> usize {
        self.record
    }

    /// Go to the first field of the current record. False when it has none.
    pub fn first_field(&mut self) -> bool {
        self.goto_field(0)
    }

    /// Go to the next field of the current record. False at the last field.
    pub fn next_field(&mut self) -> bool {
        self.goto_field(self.field + 1)
    }

    /// Go to field `n` (from 0) of the current record. False when out of range.
    pub fn goto_field(&mut self, n: usize) -> bool {
        match self.record() {
            Some(r) if n < r.field_count() => {
                self.field = n;
                true
            }
            _ => false,
        }
    }

    /// The current field.
    pub fn field(&self) -> Option<Field<'e>> {
        self.record().and_then(|r| r.field_at(self.field))
    }

    /// The current field's index within its record, from 0.
    pub fn field_index(&self) -> usize {
        self.field
    }

    /// Find the field `name` from the current position (the current field included) to
    /// the end of the event, and stay on it. Remembers the name for
    /// [`Cursor::find_field_next`].
    pub fn find_field(&mut self, name: &str) -> Option<Field<'e>> {
        self.find = Some(name.as_bytes().to_vec());
        self.scan(self.field)
    }

    /// Find the next field with the name given to [`Cursor::find_field`], after the
    /// current one, across records.
    pub fn find_field_next(&mut self) -> Option<Field<'e>> {
        self.find.as_ref()?;
        self.scan(self.field + 1)
    }

    fn scan(&mut self, mut from: usize) -> Option<Field<'e>> {
        let name = self.find.clone()?;
        let event = self.event;
        while let Some(rec) = event.records.get(self.record) {
            if let Some(f) = rec.find_from(from, &name) {
                self.field = f.index();
                return Some(f);
            }
            if self.record + 1 >= event.records.len() {
                return None;
            }
            self.record += 1;
            self.field = 0;
            from = 0;
        }
        None
    }
}
