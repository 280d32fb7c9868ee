//! Events (the records that share one id and node) and a cursor over them.

use crate::argv::ArgvError;
use crate::record::{Builder, Entry, EventId, Field, Record, RecordRef};
use audit_wire::RecordType;
use core::fmt;
use std::borrow::Cow;
use std::sync::OnceLock;

/// A complete event: every record that shares one time stamp, serial and node.
///
/// The records' lines live in one buffer the event owns. [`Event::iter`] and
/// [`Event::record`] lend them out as [`RecordRef`]s, which costs nothing;
/// [`Event::records`] gives them as owned [`Record`]s, made on its first call (the
/// buffer is copied once into storage they share, and each holds a reference count on
/// it). For a walk over the records, `iter` is the faster: an atomic count raised and
/// dropped per record took about a tenth of the time of a parse and walk of every
/// field.
#[derive(Clone)]
pub struct Event {
    pub(crate) id: EventId,
    pub(crate) node: Option<Box<[u8]>>,
    /// The lines, each followed by a few spaces (a `Vec`, so that the parser can lend
    /// its builders' buffers as an event without copying them).
    pub(crate) bytes: Vec<u8>,
    pub(crate) entries: Vec<Entry>,
    /// The records as owned values, once [`Event::records`] was called.
    pub(crate) records: OnceLock<Vec<Record>>,
}

impl Event {
    /// An event of the lines a builder stored.
    pub(crate) fn from_parts(
        id: EventId,
        node: Option<Box<[u8]>>,
        (bytes, entries): (Vec<u8>, Vec<Entry>),
    ) -> Event {
        Event {
            id,
            node,
            bytes,
            entries,
            records: OnceLock::new(),
        }
    }

    /// Make an event of records (they should share the first record's id and node).
    ///
    /// # Panics
    /// Never; an empty list gives an event with the default id.
    pub fn from_records(records: Vec<Record>) -> Event {
        let (id, node) = records
            .first()
            .map(|r| (r.id(), r.node().map(Box::from)))
            .unwrap_or_default();
        let mut b = Builder::default();
        for r in &records {
            b.add_record(r.view());
        }
        let mut ev = Event::from_parts(id, node, b.finish());
        ev.records = OnceLock::from(records);
        ev
    }

    /// The event id: time stamp and serial.
    pub fn id(&self) -> EventId {
        self.id
    }

    /// The node name (`node=`), if the records carry one.
    pub fn node(&self) -> Option<&[u8]> {
        self.node.as_deref()
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the event has no records (only one made by [`Event::from_records`] of
    /// an empty list).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The records in the order they arrived, borrowed (the fast way to walk them).
    ///
    /// ```
    /// let mut p = audit_parse::Parser::default();
    /// p.feed(b"type=SYSCALL msg=audit(1.000:1): syscall=59\n\
    ///          type=PROCTITLE msg=audit(1.000:1): proctitle=6C73\n");
    /// let ev = p.next_event().unwrap().unwrap();
    /// let types: Vec<_> = ev.iter().map(|r| r.type_text()).collect();
    /// assert_eq!(types, [&b"SYSCALL"[..], b"PROCTITLE"]);
    /// ```
    pub fn iter(&self) -> Records<'_> {
        Records {
            bytes: &self.bytes,
            entries: self.entries.iter(),
        }
    }

    /// Record `index` (from 0), borrowed.
    pub fn record(&self, index: usize) -> Option<RecordRef<'_>> {
        self.entries
            .get(index)
            .map(|e| RecordRef::new(&self.bytes, e))
    }

    /// The records as owned values, in the order they arrived. Made on the first call;
    /// see [`Event::iter`] for the borrowed form.
    pub fn records(&self) -> &[Record] {
        self.records
            .get_or_init(|| Record::all_of(&self.bytes, &self.entries))
    }

    /// Take the records out of the event.
    pub fn into_records(self) -> Vec<Record> {
        match self.records.into_inner() {
            Some(records) => records,
            None => Record::all_of(&self.bytes, &self.entries),
        }
    }

    /// The first record of this type.
    pub fn record_of_type(&self, t: audit_wire::RecordType) -> Option<RecordRef<'_>> {
        self.iter().find(|r| r.record_type() == Some(t))
    }

    /// The first field with this name in any record, in record order.
    pub fn find_field(&self, name: &str) -> Option<Field<'_>> {
        self.iter().find_map(|r| r.field(name))
    }

    /// Every key of the event, as `ausearch -k` matches them: the `key` fields of its
    /// `SYSCALL`, `CONFIG_CHANGE` and SELinux `MAC_*` (1403-1417) records (ausearch
    /// looks at no other record type), decoded, in record order, each once.
    ///
    /// A quoted key is the text between the quotes; a hex-encoded one is decoded and,
    /// where it holds several keys (a rule with more than one `-k`), split at the 0x01
    /// bytes between them. `key=(null)` (a rule without a key) gives no key: unlike
    /// ausearch, which matches it as the text `(null)`. A malformed hex key gives no
    /// key, as in ausearch. Keys are bytes: a rule's key need not be UTF-8.
    ///
    /// ```
    /// let mut p = audit_parse::Parser::default();
    /// // Keys "exec" and "64bit" of one rule, hex-encoded by the kernel.
    /// p.feed(b"type=SYSCALL msg=audit(1.000:1): syscall=59 key=65786563013634626974\n\
    ///          type=EOE msg=audit(1.000:1): \n\
    ///          type=CONFIG_CHANGE msg=audit(2.000:2): op=add_rule key=\"watch\" list=4 res=1\n");
    /// p.flush();
    /// let ev = p.next_event().unwrap().unwrap();
    /// assert_eq!(ev.keys(), [&b"exec"[..], b"64bit"]);
    /// let ev = p.next_event().unwrap().unwrap();
    /// assert_eq!(ev.keys(), [&b"watch"[..]]);
    /// ```
    pub fn keys(&self) -> Vec<Cow<'_, [u8]>> {
        let mut keys: Vec<Cow<'_, [u8]>> = Vec::new();
        for rec in self.iter() {
            let t = rec.type_number();
            let searched = t == i64::from(RecordType::SYSCALL.0)
                || t == i64::from(RecordType::CONFIG_CHANGE.0)
                || (1403..=1417).contains(&t);
            if !searched {
                continue;
            }
            // The record's fields hold a hex key already split at its 0x01 bytes:
            // one field per key, quoted, or hex again where it is not printable.
            for f in rec.fields().filter(|f| f.name() == b"key") {
                let Some(key) = f.value_opt().and_then(key_bytes) else {
                    continue;
                };
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        keys
    }

    /// The program's arguments, from the event's `EXECVE` records: `argc` arguments,
    /// `aI` and the pieces of split ones (`aI_len`, `aI[P]`) put back together, those
    /// in hex decoded (the kernel writes an argument in hex when it holds a space, a
    /// quote or a byte outside printable ASCII). Arguments are bytes, not necessarily
    /// UTF-8. See the [`argv`](crate::argv) module.
    ///
    /// An argument that is not in the event, or whose pieces do not add up, gives an
    /// [`ArgvError`] saying which, with the arguments before it.
    ///
    /// ```
    /// let mut p = audit_parse::Parser::default();
    /// p.feed(b"type=SYSCALL msg=audit(1.000:1): syscall=59\n\
    ///          type=EXECVE msg=audit(1.000:1): argc=3 a0=\"ls\" a1=\"-l\" a2=6120620A\n\
    ///          type=EOE msg=audit(1.000:1): \n");
    /// let ev = p.next_event().unwrap().unwrap();
    /// assert_eq!(ev.argv().unwrap(), [&b"ls"[..], b"-l", b"a b\n"]);
    /// ```
    pub fn argv(&self) -> Result<Vec<Vec<u8>>, ArgvError> {
        crate::argv::assemble(self)
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

impl PartialEq for Event {
    fn eq(&self, other: &Event) -> bool {
        self.id == other.id && self.node == other.node && self.iter().eq(other.iter())
    }
}

impl Eq for Event {}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("id", &self.id)
            .field("node", &self.node().map(String::from_utf8_lossy))
            .field("records", &self.iter().collect::<Vec<_>>())
            .finish()
    }
}

impl<'a> IntoIterator for &'a Event {
    type Item = RecordRef<'a>;
    type IntoIter = Records<'a>;
    fn into_iter(self) -> Records<'a> {
        self.iter()
    }
}

/// A `key` field's value as the key it names: quoted text without its quotes,
/// hex decoded; `None` for `(null)` and what is neither.
fn key_bytes(value: &[u8]) -> Option<Cow<'_, [u8]>> {
    if let Some(inner) = value.strip_prefix(b"\"") {
        return Some(Cow::Borrowed(inner.strip_suffix(b"\"").unwrap_or(inner)));
    }
    if value.is_empty()
        || !value.len().is_multiple_of(2)
        || !value.iter().all(u8::is_ascii_hexdigit)
    {
        return None;
    }
    let digit = |b: u8| match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    };
    Some(Cow::Owned(
        value
            .chunks_exact(2)
            .map(|p| (digit(p[0]) << 4) | digit(p[1]))
            .collect(),
    ))
}

/// The records of an event, borrowed: what [`Event::iter`] gives.
#[derive(Clone, Debug)]
pub struct Records<'a> {
    bytes: &'a [u8],
    entries: std::slice::Iter<'a, Entry>,
}

impl<'a> Iterator for Records<'a> {
    type Item = RecordRef<'a>;

    #[inline]
    fn next(&mut self) -> Option<RecordRef<'a>> {
        let e = self.entries.next()?;
        Some(RecordRef::new(self.bytes, e))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl DoubleEndedIterator for Records<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let e = self.entries.next_back()?;
        Some(RecordRef::new(self.bytes, e))
    }
}

impl ExactSizeIterator for Records<'_> {}

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
        if n < self.event.len() {
            self.record = n;
            self.field = 0;
            true
        } else {
            false
        }
    }

    /// The current record.
    pub fn record(&self) -> Option<RecordRef<'e>> {
        self.event.record(self.record)
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
        while let Some(rec) = event.record(self.record) {
            if let Some(f) = rec.find_from(from, &name) {
                self.field = f.index();
                return Some(f);
            }
            if self.record + 1 >= event.len() {
                return None;
            }
            self.record += 1;
            self.field = 0;
            from = 0;
        }
        None
    }
}
