//! A cursor over one event that moves exactly as libauparse's record and
//! field cursor does, including its less obvious states, so that the
//! normalizer (which is written in terms of those moves) finds the same
//! fields libauparse's does.
//!
//! What it models:
//! - the current record may be "none": moving past the last record (with
//!   `next_record` or a field search) leaves libauparse without a current
//!   record; searches and field reads then fail until a `first_record` or
//!   `goto_record`;
//! - every record keeps its own field position; moving to another record with
//!   `next_record` does not reset it (a search that crosses into a record
//!   does);
//! - a field search first looks at the current field, then steps one field
//!   and scans forward; if the current field is the record's last one the
//!   search fails at once, without looking at later records;
//! - interpretations are computed once per field and kept for the life of
//!   the event (the first computation wins, realpath or not);
//! - ENRICHED interpretations are only used while the current record's list
//!   of them is loaded (a `goto_record` out of range unloads it);
//! - an event whose time stamp has 0 seconds has no fields to find or read.

use audit_interpret::{field_type, Enriched, FieldType, Interpreter, SyscallContext};
use audit_parse::{Event, Field, RecordRef, RecordType};
use std::collections::HashMap;

const PATH_MAX: usize = 4096;

/// The state libauparse keeps across events that changes what it prints:
/// the interpreter (with its caches) and the buffer its path normalisation
/// works in (a path without components gives back what the buffer held).
#[derive(Debug)]
pub struct NormalizeContext {
    interpreter: Interpreter,
    working: Vec<u8>,
    users: HashMap<Vec<u8>, Option<u32>>,
}

impl Default for NormalizeContext {
    fn default() -> Self {
        Self::new(Interpreter::new())
    }
}

impl NormalizeContext {
    /// A context that interprets with `interpreter`.
    pub fn new(interpreter: Interpreter) -> Self {
        Self {
            interpreter,
            working: vec![0; PATH_MAX],
            users: HashMap::new(),
        }
    }

    /// The interpreter (to set the escape mode, reach the id cache).
    pub fn interpreter_mut(&mut self) -> &mut Interpreter {
        &mut self.interpreter
    }

    /// A libauparse-style cursor over `event`, on its first record and field.
    pub fn cursor<'a>(&'a mut self, event: &'a Event) -> EventCursor<'a> {
        EventCursor::new(event, self)
    }

    /// The uid of the account `name`, as `getpwnam` gives it (cached).
    pub(crate) fn uid_of(&mut self, name: &[u8]) -> Option<u32> {
        if let Some(v) = self.users.get(name) {
            return *v;
        }
        let v = audit_nss::user_id(name);
        if self.users.len() >= 1024 {
            self.users.clear();
        }
        self.users.insert(name.to_vec(), v);
        v
    }

    /// libauparse's `path_norm`, working in the persistent buffer.
    fn path_norm(&mut self, name: &[u8]) -> Option<Vec<u8>> {
        if name.is_empty() {
            return None;
        }
        if name[0] == b'.' {
            return Some(name.to_vec());
        }
        let w = &mut self.working;
        let mut dest = 0usize;
        let mut start = 0usize;
        // The byte before the buffer is taken as not being a '/'.
        let before = |w: &Vec<u8>, d: usize| if d == 0 { 0 } else { w[d - 1] };
        while start < name.len() {
            while start < name.len() && name[start] == b'/' {
                start += 1;
            }
            let mut end = start;
            while end < name.len() && name[end] != b'/' {
                end += 1;
            }
            let comp = &name[start..end];
            if comp.is_empty() {
                break;
            } else if comp == b"." {
            } else if comp == b".." {
                if dest > 1 {
                    loop {
                        dest -= 1;
                        if dest == 0 || w[dest - 1] == b'/' {
                            break;
                        }
                    }
                }
            } else {
                if before(w, dest) != b'/' {
                    w[dest] = b'/';
                    dest += 1;
                }
                if dest + comp.len() >= PATH_MAX {
                    w[dest] = 0;
                    break;
                }
                w[dest..dest + comp.len()].copy_from_slice(comp);
                dest += comp.len();
                w[dest] = 0;
            }
            start = end;
        }
        let len = w.iter().position(|&b| b == 0).unwrap_or(w.len());
        Some(w[..len].to_vec())
    }
}

/// A cursor over one event with libauparse's moves and their results (see the
/// module documentation for the states it reproduces). Obtained from
/// [`NormalizeContext::cursor`].
///
/// Its moves have the names and answers of [`audit_parse::Cursor`]'s (true
/// when the cursor is where it was sent); where libauparse's cursor differs
/// from a plain one (a record keeps its field position, a search stops at a
/// record's last field), this one follows libauparse.
///
/// ```
/// use audit_normalize::NormalizeContext;
/// use audit_parse::{Event, Record};
///
/// let ev = Event::from_records(vec![
///     Record::parse(b"type=SYSCALL msg=audit(1.000:1): syscall=59 uid=0").unwrap(),
///     Record::parse(b"type=CWD msg=audit(1.000:1): cwd=\"/\"").unwrap(),
/// ]);
/// let mut ctx = NormalizeContext::default();
/// let mut c = ctx.cursor(&ev);
/// assert!(c.goto_record(1));
/// assert_eq!(c.field_name(), Some(&b"type"[..]));
/// assert!(c.next_field());
/// assert!(!c.next_field()); // `cwd` is the last field
/// assert!(c.first_record());
/// assert_eq!(c.find_field("uid").map(|f| f.value()), Some(&b"0"[..]));
/// assert_eq!(c.field_int(), Some(0));
/// assert!(!c.goto_record(2));
/// ```
#[derive(Debug)]
pub struct EventCursor<'a> {
    event: &'a Event,
    ctx: &'a mut NormalizeContext,
    cur: Option<usize>,
    fields: Vec<usize>,
    loaded: bool,
    cache: HashMap<(usize, usize), Option<Vec<u8>>>,
    cwd: Option<&'a [u8]>,
}

impl<'a> EventCursor<'a> {
    fn new(event: &'a Event, ctx: &'a mut NormalizeContext) -> Self {
        let n = event.len();
        // The event's working directory: the cwd of its last CWD record.
        let cwd = event
            .iter()
            .rev()
            .find(|r| r.record_type() == Some(RecordType::CWD))
            .and_then(|r| r.fields().find(|f| f.name() == b"cwd"))
            .and_then(|f| f.value_opt());
        Self {
            event,
            ctx,
            cur: (n > 0).then_some(0),
            fields: vec![0; n],
            loaded: n > 0,
            cache: HashMap::new(),
            cwd,
        }
    }

    /// The event.
    pub fn event(&self) -> &'a Event {
        self.event
    }

    /// The shared context (interpreter, caches).
    pub fn context(&mut self) -> &mut NormalizeContext {
        self.ctx
    }

    fn has_fields(&self) -> bool {
        self.event.id().sec != 0
    }

    /// The current record (`None` after the cursor ran past the last one).
    pub fn record(&self) -> Option<RecordRef<'a>> {
        self.cur.and_then(|c| self.event.record(c))
    }

    /// Number of records (`auparse_get_num_records`).
    pub fn num_records(&self) -> usize {
        self.event.len()
    }

    /// Go to the first record and its first field (`auparse_first_record`).
    /// False for an empty event.
    pub fn first_record(&mut self) -> bool {
        if self.event.is_empty() {
            return false;
        }
        self.cur = Some(0);
        self.loaded = true;
        self.fields[0] = 0;
        true
    }

    /// Go to the next record, keeping the field position it had
    /// (`auparse_next_record`). False past the last, which leaves no current
    /// record.
    pub fn next_record(&mut self) -> bool {
        self.loaded = false;
        if self.event.is_empty() {
            return false;
        }
        self.cur = match self.cur {
            Some(c) if c + 1 < self.num_records() => Some(c + 1),
            _ => None,
        };
        if self.cur.is_some() {
            self.loaded = true;
            true
        } else {
            false
        }
    }

    /// Go to record `n` (from 0) and its first field
    /// (`auparse_goto_record_num`). False when out of range: the cursor
    /// stays, its interpretations unloaded.
    pub fn goto_record(&mut self, n: usize) -> bool {
        if n >= self.num_records() {
            self.loaded = false;
            return false;
        }
        self.cur = Some(n);
        self.loaded = true;
        self.fields[n] = 0;
        true
    }

    /// The current record's index, from 0 (`auparse_get_record_num`; 0 when
    /// there is no current record).
    pub fn record_index(&self) -> usize {
        self.cur.unwrap_or(0)
    }

    /// The current record's type (`auparse_get_type`): `None` without a
    /// current record or where its `type=` name is not one the table knows.
    pub fn record_type(&self) -> Option<RecordType> {
        self.record().and_then(|r| r.record_type())
    }

    /// [`EventCursor::record_type`] with number 0, which no table names, for
    /// `None`: the normalizer's tables treat both alike.
    pub(crate) fn record_type_or_zero(&self) -> RecordType {
        self.record_type().unwrap_or(RecordType(0))
    }

    /// Go to the first field of the current record (`auparse_first_field`).
    /// False without a current record.
    pub fn first_field(&mut self) -> bool {
        match self.cur {
            Some(c) => {
                self.fields[c] = 0;
                true
            }
            None => false,
        }
    }

    /// Go to the next field of the current record (`auparse_next_field`).
    /// False at the record's last field.
    pub fn next_field(&mut self) -> bool {
        match self.cur {
            Some(c) if self.fields[c] + 1 < self.event.record(c).map_or(0, |r| r.field_count()) => {
                self.fields[c] += 1;
                true
            }
            _ => false,
        }
    }

    /// Go to field `n` (from 0) of the current record
    /// (`auparse_goto_field_num`). False when out of range.
    pub fn goto_field(&mut self, n: usize) -> bool {
        match self.cur {
            Some(c) if n < self.event.record(c).map_or(0, |r| r.field_count()) => {
                self.fields[c] = n;
                true
            }
            _ => false,
        }
    }

    /// The current field's index within its record, from 0
    /// (`auparse_get_field_num`; 0 without a current record).
    pub fn field_index(&self) -> usize {
        self.cur.map_or(0, |c| self.fields[c])
    }

    /// The current field, if there is one to read.
    pub fn field(&self) -> Option<Field<'a>> {
        if !self.has_fields() {
            return None;
        }
        let c = self.cur?;
        self.event.record(c)?.field_at(self.fields[c])
    }

    /// `auparse_get_field_name`.
    pub fn field_name(&self) -> Option<&'a [u8]> {
        self.field().map(|f| f.name())
    }

    /// `auparse_get_field_str` (`None` also for libauparse's NULL value).
    pub fn field_str(&self) -> Option<&'a [u8]> {
        self.field().and_then(|f| f.value_opt())
    }

    /// The current field's value as a decimal `int` (`auparse_get_field_int`:
    /// C's `strtol`, cut to 32 bits). `None` where libauparse sets `errno`:
    /// no field, no value, or a value out of `long`'s range.
    pub fn field_int(&self) -> Option<i32> {
        audit_interpret::cnum::strtol(self.field_str()?, 10).map(|n| n as i32)
    }

    /// `auparse_get_field_type`.
    pub fn field_type(&self) -> FieldType {
        match (self.record(), self.field()) {
            (Some(r), Some(f)) => field_type(
                r.record_type().unwrap_or(RecordType(0)),
                f.name(),
                f.value(),
            ),
            _ => FieldType::Unclassified,
        }
    }

    /// `auparse_find_field`: the current field if it has this name, else the
    /// next one after it (see the module documentation).
    pub fn find_field(&mut self, name: &str) -> Option<Field<'a>> {
        if !self.has_fields() {
            return None;
        }
        let f = self.field();
        self.cur?;
        match f {
            Some(f) if f.name() == name.as_bytes() => Some(f),
            _ => self.find_field_next(name),
        }
    }

    /// `auparse_find_field_next` for `name`.
    pub fn find_field_next(&mut self, name: &str) -> Option<Field<'a>> {
        if !self.has_fields() {
            return None;
        }
        let name = name.as_bytes();
        let mut moved = false;
        while let Some(c) = self.cur {
            if !moved {
                if !self.next_field() {
                    return None;
                }
                moved = true;
            }
            let rec = self.event.record(c)?;
            if let Some(i) = (self.fields[c]..rec.field_count())
                .find(|&i| rec.field_at(i).is_some_and(|f| f.name() == name))
            {
                self.fields[c] = i;
                return rec.field_at(i);
            }
            self.cur = (c + 1 < self.num_records()).then_some(c + 1);
            self.loaded = false;
            if let Some(n) = self.cur {
                self.fields[n] = 0;
                self.loaded = true;
            }
        }
        None
    }

    /// `auparse_interpret_field` for the current field (`None` where C gives
    /// NULL).
    pub fn interpret(&mut self) -> Option<Vec<u8>> {
        self.interpret_with(false)
    }

    /// `auparse_interpret_realpath`: a file name joined with the event's cwd
    /// and normalised; `None` for a field that is not a file name.
    pub fn interpret_realpath(&mut self) -> Option<Vec<u8>> {
        if self.field_type() != FieldType::EscapedFile {
            return None;
        }
        self.interpret_with(true)
    }

    /// `auparse_interpret_sock_address`: the `laddr=` part of a sockaddr.
    pub fn interpret_sock_address(&mut self) -> Option<Vec<u8>> {
        self.sock_part(b"laddr=")
    }

    /// `auparse_interpret_sock_family`: the `fam=` part of a sockaddr.
    pub fn interpret_sock_family(&mut self) -> Option<Vec<u8>> {
        self.sock_part(b"fam=")
    }

    /// `auparse_interpret_sock_port`: the `lport=` part of a sockaddr.
    pub fn interpret_sock_port(&mut self) -> Option<Vec<u8>> {
        self.sock_part(b"lport=")
    }

    fn sock_part(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        if self.field_type() != FieldType::Sockaddr {
            return None;
        }
        let val = self.interpret()?;
        let val = &val[..val.iter().position(|&b| b == 0).unwrap_or(val.len())];
        let at = memchr::memmem::find(val, key)? + key.len();
        let rest = &val[at..];
        let sp = memchr::memchr(b' ', rest)?;
        Some(rest[..sp].to_vec())
    }

    fn interpret_with(&mut self, realpath: bool) -> Option<Vec<u8>> {
        if !self.has_fields() {
            return None;
        }
        let c = self.cur?;
        let rec = self.event.record(c)?;
        let field = rec.field_at(self.fields[c])?;
        let key = (c, self.fields[c]);
        if let Some(v) = self.cache.get(&key) {
            return v.clone();
        }
        let enriched = match (self.loaded, rec.interpretation_text()) {
            (true, Some(t)) => Enriched::new(t),
            _ => Enriched::NONE,
        };
        let it = &mut self.ctx.interpreter;
        let mut out = Vec::new();
        let v = match field.value_opt() {
            None => {
                out.push(b' ');
                it.escape_mode().apply(&mut out, 0, false);
                Some(out)
            }
            Some(value) => {
                let rtype = rec.record_type().unwrap_or(RecordType(0));
                let enriched_hit = enriched
                    .get(field.name())
                    .filter(|v| !v.starts_with(b"unknown-"));
                match (realpath, self.cwd) {
                    // An ENRICHED interpretation wins over the realpath, as in
                    // libauparse; `interpret` hands it out unescaped.
                    (true, Some(cwd)) if enriched_hit.is_none() => {
                        let p = self.realpath(value, cwd);
                        let mut out = p;
                        self.ctx.interpreter.escape_mode().apply(&mut out, 0, false);
                        Some(out)
                    }
                    _ => {
                        let sctx = SyscallContext::of_record(rec);
                        it.interpret(rtype, &sctx, enriched, field.name(), value, &mut out)
                            .map(|_| out)
                    }
                }
            }
        };
        self.cache.insert(key, v.clone());
        v
    }

    /// libauparse's file name with the cwd: `print_escaped_ext`.
    fn realpath(&mut self, value: &[u8], cwd: &[u8]) -> Vec<u8> {
        let mut name = Vec::new();
        self.escaped(value, &mut name);
        cut_nul(&mut name);
        let joined = if name.first() != Some(&b'/') {
            let mut dir = Vec::new();
            self.escaped(cwd, &mut dir);
            cut_nul(&mut dir);
            dir.push(b'/');
            dir.extend_from_slice(&name);
            dir
        } else {
            if memchr::memmem::find(&name, b"..").is_none() {
                return name;
            }
            name
        };
        self.ctx.path_norm(&joined).unwrap_or(joined)
    }

    /// libauparse's `print_escaped`: a quoted value without its quotes, a
    /// hex value decoded (the decoder of [`FieldType::Escaped`]).
    fn escaped(&mut self, value: &[u8], out: &mut Vec<u8>) {
        let ctx = SyscallContext::default();
        self.ctx
            .interpreter
            .decode(FieldType::Escaped, &ctx, value, out);
    }
}

fn cut_nul(v: &mut Vec<u8>) {
    if let Some(p) = memchr::memchr(0, v) {
        v.truncate(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_norm_quirks() {
        let mut c = NormalizeContext::default();
        assert_eq!(c.path_norm(b"/a//b/./c").unwrap(), b"/a/b/c");
        assert_eq!(c.path_norm(b"/a/b/../c").unwrap(), b"/a/c");
        // A trailing ".." backs up without cutting the buffer.
        assert_eq!(c.path_norm(b"/x/y/..").unwrap(), b"/x/y");
        // No components: what the buffer held.
        assert_eq!(c.path_norm(b"/").unwrap(), b"/x/y");
        assert_eq!(c.path_norm(b"./rel").unwrap(), b"./rel");
        assert_eq!(c.path_norm(b""), None);
    }
}
