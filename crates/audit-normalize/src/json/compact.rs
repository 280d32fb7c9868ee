//! The compact schema (see the module documentation of `json`), written
//! straight to a [`Sink`].

use super::sink::{is_json_integer, Sink};
use super::CompactOptions;
use crate::format::{text_event, LocalTime};
use crate::NormalizeContext;
use audit_interpret::{EscapeMode, FieldType};
use audit_parse::{Event, RecordRef};
use std::collections::{HashMap, HashSet};
use std::io::Write;

/// The buffers the compact writer keeps across events.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    interp: Vec<u8>,
    upper: Vec<u8>,
    keys: Keys,
    /// Record indices in the order they are written (grouped by type).
    order: Vec<usize>,
}

impl Scratch {
    /// Drops buffers grown past `keep` bytes by a very large event.
    pub(super) fn shrink(&mut self, keep: usize) {
        if self.interp.capacity() > keep
            || self.keys.arena.capacity() > keep
            || self.keys.large.capacity() > keep / 16
        {
            *self = Scratch::default();
        }
    }
}

/// Writes `event` as one compact JSON object (no newline).
pub(super) fn write_event<W: Write + ?Sized>(
    s: &mut Sink<'_, W>,
    event: &Event,
    ctx: &mut NormalizeContext,
    opts: &CompactOptions,
    sc: &mut Scratch,
) {
    let id = event.id();
    s.raw(b"{\"id\":\"");
    s.uint(id.sec);
    s.byte(b'.');
    let milli = id.milli % 1000;
    s.raw(&[
        b'0' + (milli / 100) as u8,
        b'0' + (milli / 10 % 10) as u8,
        b'0' + (milli % 10) as u8,
    ]);
    s.byte(b':');
    s.uint(id.serial);
    s.byte(b'"');
    if let Some(node) = event.node() {
        s.raw(b",\"node\":");
        s.bytes(node);
    }
    // Decoded strings are wanted as they are: JSON escapes what needs it.
    let mode = ctx.interpreter_mut().escape_mode();
    ctx.interpreter_mut().set_escape_mode(EscapeMode::Raw);
    group_by_type(event, &mut sc.order);
    let argv = collapsible_execve(event)
        .then(|| event.argv().ok())
        .flatten();
    let mut i = 0;
    while i < sc.order.len() && s.error.is_none() {
        let first = event.record(sc.order[i]).expect("an index of the event");
        let ty = first.type_text();
        let mut end = i + 1;
        while end < sc.order.len()
            && event
                .record(sc.order[end])
                .is_some_and(|r| r.type_text() == ty)
        {
            end += 1;
        }
        if ty == b"EOE" && first.field_count() <= 2 && end == i + 1 {
            // The end-of-event marker carries nothing but its type.
            i = end;
            continue;
        }
        s.byte(b',');
        write_key(s, ty);
        if let (Some(argv), b"EXECVE") = (&argv, ty) {
            s.raw(b"{\"argc\":");
            s.uint(argv.len() as u64);
            s.raw(b",\"argv\":[");
            for (k, a) in argv.iter().enumerate() {
                if k > 0 {
                    s.byte(b',');
                }
                s.bytes(a);
                s.check();
            }
            s.raw(b"]}");
        } else {
            if end > i + 1 {
                s.byte(b'[');
            }
            for k in i..end {
                if k > i {
                    s.byte(b',');
                }
                let rec = event.record(sc.order[k]).expect("an index of the event");
                write_record(s, rec, ctx, opts, sc);
            }
            if end > i + 1 {
                s.byte(b']');
            }
        }
        i = end;
    }
    ctx.interpreter_mut().set_escape_mode(mode);
    if opts.sentence {
        write_sentence(s, event, ctx, &mut sc.interp);
    }
    s.byte(b'}');
}

/// The indices of `event`'s records grouped by type, each group where its
/// type first appears, records in event order within it.
fn group_by_type(event: &Event, order: &mut Vec<usize>) {
    order.clear();
    order.extend(0..event.len());
    // Events mostly hold each type in one run of records: no map needed.
    let mut runs: [&[u8]; 16] = [b""; 16];
    let mut count = 0;
    let mut in_runs = true;
    for r in event.iter() {
        let t = r.type_text();
        if count > 0 && runs[count - 1] == t {
            continue;
        }
        if count == runs.len() || runs[..count].contains(&t) {
            in_runs = false;
            break;
        }
        runs[count] = t;
        count += 1;
    }
    if in_runs {
        return;
    }
    let mut rank: HashMap<&[u8], usize> = HashMap::new();
    let mut keyed: Vec<(usize, usize)> = Vec::with_capacity(event.len());
    for (i, r) in event.iter().enumerate() {
        let next = rank.len();
        let g = *rank.entry(r.type_text()).or_insert(next);
        keyed.push((g, i));
    }
    keyed.sort_unstable();
    order.clear();
    order.extend(keyed.into_iter().map(|(_, i)| i));
}

/// Whether every field of the event's `EXECVE` records is part of the
/// argument list (`argc`, `aN`, `aN_len`, `aN[P]`), so that the list says
/// all they say.
fn collapsible_execve(event: &Event) -> bool {
    let mut any = false;
    for r in event.iter().filter(|r| r.type_text() == b"EXECVE") {
        any = true;
        for (k, f) in r.fields().enumerate() {
            if k < 2 && is_header(f.name()) {
                continue;
            }
            let n = f.name();
            let ok = n == b"argc"
                || n.strip_prefix(b"a").is_some_and(|rest| {
                    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
                    let tail = &rest[digits..];
                    digits > 0
                        && (tail.is_empty()
                            || tail == b"_len"
                            || (tail.len() > 2
                                && tail[0] == b'['
                                && tail[tail.len() - 1] == b']'
                                && tail[1..tail.len() - 1].iter().all(u8::is_ascii_digit)))
                });
            if !ok {
                return false;
            }
        }
    }
    any
}

/// `node` and `type`, which lead a record's fields and are said elsewhere
/// (the event's `node`, the record's key).
fn is_header(name: &[u8]) -> bool {
    name == b"type" || name == b"node"
}

/// Field types whose raw value is decimal when it is a number.
fn is_decimal(ty: FieldType) -> bool {
    use FieldType::*;
    matches!(
        ty,
        Unclassified
            | Uid
            | Gid
            | Syscall
            | Exit
            | Session
            | Success
            | Promisc
            | Capability
            | Signal
            | List
            | Nfproto
            | Icmptype
            | Protocol
    )
}

/// The field types auditd's ENRICHED format interprets: ids, the syscall,
/// the architecture and socket addresses.
fn enriched_type(ty: FieldType) -> bool {
    matches!(
        ty,
        FieldType::Uid
            | FieldType::Gid
            | FieldType::Syscall
            | FieldType::Arch
            | FieldType::Sockaddr
    )
}

/// Field types whose raw value is only an encoding (quoted or hex) of text:
/// written decoded, in place of the raw value.
fn is_encoded_text(ty: FieldType) -> bool {
    matches!(
        ty,
        FieldType::Escaped | FieldType::EscapedFile | FieldType::EscapedKey
    )
}

fn unquoted(v: &[u8]) -> &[u8] {
    if v.len() >= 2 && v[0] == b'"' && v[v.len() - 1] == b'"' {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

fn write_record<W: Write + ?Sized>(
    s: &mut Sink<'_, W>,
    rec: RecordRef<'_>,
    ctx: &mut NormalizeContext,
    opts: &CompactOptions,
    sc: &mut Scratch,
) {
    let Scratch {
        interp,
        upper,
        keys,
        ..
    } = sc;
    keys.clear();
    s.byte(b'{');
    let mut first = true;
    let is_proctitle = rec.type_text() == b"PROCTITLE";
    let every = opts.every_interpretation;
    ctx.interpreter_mut()
        .interpret_record(rec, interp, |f, ty, text| {
            if s.error.is_some() || (f.index() < 2 && is_header(f.name())) {
                return;
            }
            let Some(value) = f.value_opt() else {
                sep(s, &mut first);
                keys.write_unique(s, f.name());
                s.raw(b"null");
                return;
            };
            let text = memchr::memchr(0, text).map_or(text, |z| &text[..z]);
            sep(s, &mut first);
            keys.write_unique(s, f.name());
            match ty {
                _ if is_proctitle && f.name() == b"proctitle" => write_proctitle(s, value),
                Some(t) if is_encoded_text(t) => s.bytes(text),
                Some(t) => {
                    write_raw(s, value, is_decimal(t));
                    if (every || enriched_type(t)) && beside(t, value, text) {
                        upper.clear();
                        upper.extend_from_slice(f.name());
                        upper.make_ascii_uppercase();
                        s.byte(b',');
                        keys.write_unique(s, upper);
                        s.bytes(text);
                    }
                }
                None => write_raw(s, value, true),
            }
            s.check();
        });
    s.byte(b'}');
}

fn sep<W: Write + ?Sized>(s: &mut Sink<'_, W>, first: &mut bool) {
    if !*first {
        s.byte(b',');
    }
    *first = false;
}

/// A raw value: a number when decimal and canonical, else its text without
/// the quotes.
fn write_raw<W: Write + ?Sized>(s: &mut Sink<'_, W>, v: &[u8], decimal: bool) {
    if decimal && is_json_integer(v) {
        s.raw(v);
    } else {
        s.bytes(unquoted(v));
    }
}

/// Whether the interpretation says more than the raw value: not the value
/// itself (quotes aside) nor the value in hex with `0x` before it.
fn beside(ty: FieldType, raw: &[u8], text: &[u8]) -> bool {
    if matches!(
        ty,
        FieldType::Unclassified | FieldType::MacLabel | FieldType::Addr
    ) {
        return false;
    }
    let raw = unquoted(raw);
    if text == raw {
        return false;
    }
    !(text.len() == raw.len() + 2 && text.starts_with(b"0x") && text[2..].eq_ignore_ascii_case(raw))
}

/// A process title as the list of its arguments: the hex decoded and cut at
/// its NULs (a quoted title is one argument); a value that is neither is
/// written as it stands.
fn write_proctitle<W: Write + ?Sized>(s: &mut Sink<'_, W>, v: &[u8]) {
    if v.len() >= 2 && v[0] == b'"' && v[v.len() - 1] == b'"' {
        s.byte(b'[');
        s.bytes(unquoted(v));
        s.byte(b']');
        return;
    }
    let Some(bytes) = decode_hex(v) else {
        s.bytes(v);
        return;
    };
    let bytes = bytes.strip_suffix(b"\0").unwrap_or(&bytes);
    s.byte(b'[');
    for (k, a) in bytes.split(|&b| b == 0).enumerate() {
        if k > 0 {
            s.byte(b',');
        }
        s.bytes(a);
    }
    s.byte(b']');
}

fn decode_hex(v: &[u8]) -> Option<Vec<u8>> {
    if v.is_empty() || !v.len().is_multiple_of(2) {
        return None;
    }
    let d = |c: u8| (c as char).to_digit(16).map(|x| x as u8);
    v.chunks(2)
        .map(|p| Some(d(p[0])? << 4 | d(p[1])?))
        .collect()
}

/// A key: the name when it is UTF-8, else `hex:` and its bytes in hex.
fn write_key<W: Write + ?Sized>(s: &mut Sink<'_, W>, k: &[u8]) {
    if std::str::from_utf8(k).is_ok() {
        s.str_utf8(k);
    } else {
        s.raw(b"\"hex:");
        for &x in k {
            s.raw(&[HEX[usize::from(x >> 4)], HEX[usize::from(x & 15)]]);
        }
        s.byte(b'"');
    }
    s.byte(b':');
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The normalizer's sentence (`ausearch --format text`) without the time
/// and node it begins with (the event's `id` and `node` say them).
fn write_sentence<W: Write + ?Sized>(
    s: &mut Sink<'_, W>,
    event: &Event,
    ctx: &mut NormalizeContext,
    buf: &mut Vec<u8>,
) {
    // A stamp that no interpretation holds (control bytes are escaped in
    // them) marks where the sentence proper begins.
    let stamp = LocalTime {
        time: "\u{1}".into(),
        date: "\u{1}".into(),
        ..LocalTime::default()
    };
    buf.clear();
    text_event(&mut ctx.cursor(event), Some(&stamp), buf);
    let text = memchr::memmem::find(buf, b"\x01 \x01 ").map_or(&buf[..], |p| &buf[p + 4..]);
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    s.raw(b",\"sentence\":");
    s.bytes(text);
}

/// The keys written in one record's object, so that none is written twice:
/// a name met again (or an interpretation's upper-case name that is also a
/// field's) gets `#2`, `#3`... appended.
#[derive(Debug, Default)]
struct Keys {
    /// The keys, while there are at most [`SMALL`].
    arena: Vec<u8>,
    spans: Vec<(usize, usize)>,
    /// A filter of the small set's hashes: most keys are new, and this says
    /// so without comparing.
    mask: [u64; 4],
    /// How many keys the record has.
    count: usize,
    /// The keys' hashes (randomly keyed), once there are more than
    /// [`SMALL`]: 16 bytes or so a key, however long. Two keys with one
    /// hash would only give the second a suffix, never lose it.
    large: HashSet<u64>,
    hasher: std::hash::RandomState,
    /// The next suffix to try for a name met more than once.
    next: HashMap<Vec<u8>, u32>,
    candidate: Vec<u8>,
}

const SMALL: usize = 48;

fn key_hash(k: &[u8]) -> usize {
    let mut h: u32 = 2166136261;
    for &b in k {
        h = (h ^ u32::from(b)).wrapping_mul(16777619);
    }
    (h as usize) & 255
}

impl Keys {
    fn clear(&mut self) {
        self.arena.clear();
        self.spans.clear();
        self.mask = [0; 4];
        self.count = 0;
        if !self.large.is_empty() {
            self.large.clear();
        }
        if !self.next.is_empty() {
            self.next.clear();
        }
    }

    fn strong_hash(&self, k: &[u8]) -> u64 {
        std::hash::BuildHasher::hash_one(&self.hasher, k)
    }

    fn contains(&self, k: &[u8]) -> bool {
        if self.count > SMALL {
            return self.large.contains(&self.strong_hash(k));
        }
        let h = key_hash(k);
        if self.mask[h >> 6] & (1 << (h & 63)) == 0 {
            return false;
        }
        self.spans
            .iter()
            .any(|&(at, len)| &self.arena[at..at + len] == k)
    }

    fn insert(&mut self, k: &[u8]) {
        self.count += 1;
        if self.count <= SMALL {
            let h = key_hash(k);
            self.mask[h >> 6] |= 1 << (h & 63);
            self.spans.push((self.arena.len(), k.len()));
            self.arena.extend_from_slice(k);
            return;
        }
        if self.count == SMALL + 1 {
            for i in 0..self.spans.len() {
                let (at, len) = self.spans[i];
                let h = self.strong_hash(&self.arena[at..at + len]);
                self.large.insert(h);
            }
            self.arena.clear();
            self.spans.clear();
        }
        let h = self.strong_hash(k);
        self.large.insert(h);
    }

    /// Writes `k` (or `k#N`, the first N from 2 not yet a key) as a key.
    fn write_unique<W: Write + ?Sized>(&mut self, s: &mut Sink<'_, W>, k: &[u8]) {
        if !self.contains(k) {
            self.insert(k);
            write_key(s, k);
            return;
        }
        let mut n = self.next.get(k).copied().unwrap_or(2);
        let mut c = std::mem::take(&mut self.candidate);
        loop {
            c.clear();
            c.extend_from_slice(k);
            c.push(b'#');
            c.extend_from_slice(n.to_string().as_bytes());
            n += 1;
            if !self.contains(&c) {
                self.insert(&c);
                write_key(s, &c);
                break;
            }
        }
        self.candidate = c;
        match self.next.get_mut(k) {
            Some(next) => *next = n,
            None => {
                self.next.insert(k.to_vec(), n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beside_only_what_says_more() {
        assert!(!beside(FieldType::A0, b"4", b"0x4"));
        assert!(!beside(FieldType::A1, b"7ffD", b"0x7ffd"));
        assert!(beside(FieldType::Uid, b"0", b"root"));
        assert!(!beside(FieldType::Exit, b"1072", b"1072"));
        assert!(!beside(FieldType::Unclassified, b"x", b"y"));
        assert!(beside(FieldType::Mode, b"0100644", b"file,644"));
    }

    #[test]
    fn keys_are_unique() {
        let mut out = Vec::new();
        let mut s = Sink::new(&mut out, Vec::new());
        let mut keys = Keys::default();
        for k in ["a", "a", "A", "a#2", "a", "b"] {
            keys.write_unique(&mut s, k.as_bytes());
        }
        // Past the small set, the same.
        for _ in 0..100 {
            keys.write_unique(&mut s, b"x");
        }
        let (_, r) = s.finish();
        r.unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with(r#""a":"a#2":"A":"a#2#2":"a#3":"b":"x":"x#2":"#),
            "{text}"
        );
        assert!(text.ends_with(r#""x#100":"#), "{text}");
    }
}
