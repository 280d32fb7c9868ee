//! The interpreter: field type selection, ENRICHED values, decoding and
//! escaping, in the order libauparse's `auparse_interpret_field` applies them.

use crate::decode::{Decoders, Interpreted, SyscallContext};
use crate::escape::EscapeMode;
use crate::ids::IdCache;
use crate::scan::find_byte;
use crate::types::{field_type, name_key, FieldType, ShapeCache};
use audit_parse::RecordType;
use std::ops::Range;

/// The interpretations an ENRICHED record carries after its 0x1D separator
/// (`AUID="root" UID="root" ... SYSCALL=execve`), looked up by field name the
/// way libauparse loads them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Enriched<'a> {
    text: Option<&'a [u8]>,
}

impl<'a> Enriched<'a> {
    /// No enrichment.
    pub const NONE: Enriched<'static> = Enriched { text: None };

    /// The enrichment of a record from the text after its 0x1D separator.
    pub fn new(text: &'a [u8]) -> Self {
        Self { text: Some(text) }
    }

    /// The enrichment of a whole record line: the part after the first 0x1D,
    /// if any.
    pub fn from_record(line: &'a [u8]) -> Self {
        match memchr::memchr(0x1d, line) {
            Some(p) => Self::new(&line[p + 1..]),
            None => Self { text: None },
        }
    }

    /// Whether there is an enrichment at all.
    pub fn is_present(&self) -> bool {
        self.text.is_some()
    }

    /// The interpretation given for field `name`: the first entry whose
    /// lower-cased name is `name`. A sockaddr record's `SADDR={ ... }` is one
    /// entry holding everything from `{` on.
    #[inline]
    pub fn get(&self, name: &[u8]) -> Option<&'a [u8]> {
        match self.text {
            None => None,
            Some(text) => Self::find(text, name),
        }
    }

    fn find(text: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
        if let Some(rest) = text.strip_prefix(b"SADDR=") {
            let open = memchr::memchr(b'{', rest)?;
            memchr::memchr(b'}', &rest[open..])?;
            return (name == b"saddr").then_some(&rest[open..]);
        }
        for tok in text.split(|&b| b == b' ').filter(|t| !t.is_empty()) {
            let Some(eq) = memchr::memchr(b'=', tok) else {
                continue;
            };
            let (n, v) = (&tok[..eq], &tok[eq + 1..]);
            if n.len() == name.len()
                && n.iter()
                    .zip(name)
                    .all(|(a, b)| a.to_ascii_lowercase() == *b)
            {
                return Some(v);
            }
        }
        None
    }
}

/// Interprets audit fields as libauparse's `auparse_interpret_field` does,
/// with caches for user, group and protocol names.
///
/// ```
/// use audit_interpret::{Interpreter, SyscallContext, Enriched};
/// use audit_parse::RecordType;
/// let mut it = Interpreter::new();
/// let mut out = Vec::new();
/// let ctx = SyscallContext::default();
/// it.interpret(RecordType::PATH, &ctx, Enriched::NONE, b"mode", b"0100644", &mut out);
/// assert_eq!(out, b"file,644");
/// ```
#[derive(Debug)]
pub struct Interpreter {
    pub(crate) dec: Decoders,
    escape: EscapeMode,
    pub(crate) enriched: EnrichedIndex,
    pub(crate) shapes: ShapeCache,
}

/// The entries of the last ENRICHED text looked at, so that the fields of a
/// record do not each scan the whole text again.
#[derive(Debug)]
pub(crate) struct EnrichedIndex {
    /// The text the entries describe, when [`EnrichedIndex::get`] indexed it
    /// (`copied`; a walk over a record's fields [loads](EnrichedIndex::load) its
    /// text without keeping a copy).
    text: Vec<u8>,
    copied: bool,
    /// Each `NAME=value` entry, in order.
    entries: Vec<EnrichedEntry>,
    /// For each [`FoldedName::slot`], the first entry whose name has it
    /// ([`NO_ENTRY`] for none): most field names have no entry, and the others
    /// are found without a walk over the entries.
    first: [u16; 64],
    /// One bit for each slot of [`EnrichedIndex::first`] that more than one
    /// entry has: only there may a name other than the first entry's have one.
    shared: u64,
    /// The text is one that [`Enriched::get`] must scan (a sockaddr record's
    /// `SADDR={ ... }`, or longer than [`MAX_INDEXED`]).
    scan: bool,
}

impl Default for EnrichedIndex {
    fn default() -> Self {
        EnrichedIndex {
            text: Vec::new(),
            copied: false,
            entries: Vec::new(),
            first: [NO_ENTRY; 64],
            shared: 0,
            scan: false,
        }
    }
}

/// No entry in [`EnrichedIndex::first`].
const NO_ENTRY: u16 = u16::MAX;

/// One `NAME=value` entry of an indexed ENRICHED text.
#[derive(Debug, Clone, Copy)]
struct EnrichedEntry {
    name: FoldedName,
    /// Where the name starts, where its `=` is and where the value ends.
    start: usize,
    eq: usize,
    end: usize,
}

/// A name's length and (up to) eight of its bytes case folded (`AUID` as `auid`), which
/// tell almost every pair of names apart with one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FoldedName {
    len: usize,
    head: u64,
}

impl FoldedName {
    #[inline(always)]
    fn of(name: &[u8]) -> Self {
        FoldedName {
            len: name.len(),
            // Letters lose their case bit; other bytes map the same way on
            // both sides, and a match is checked exactly anyway.
            head: name_key(name).a | 0x2020_2020_2020_2020,
        }
    }

    /// The name's slot in [`EnrichedIndex::first`].
    #[inline(always)]
    fn slot(self) -> usize {
        let h = (self.head ^ self.len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> 58) as usize
    }
}

/// Longest ENRICHED text indexed (longer ones are scanned each time). Entry
/// numbers then fit [`EnrichedIndex::first`]'s `u16`s.
const MAX_INDEXED: usize = 1 << 16;

impl EnrichedIndex {
    /// [`Enriched::get`] of `text` for `name`.
    pub(crate) fn get<'t>(&mut self, text: &'t [u8], name: &[u8]) -> Option<&'t [u8]> {
        if !self.copied || self.text != text {
            self.load(text);
            self.text.clear();
            self.text.extend_from_slice(text);
            self.copied = true;
        }
        self.find(text, name)
    }

    /// Indexes `text`, whatever was indexed before: for a caller that is about
    /// to look up the fields of a new record ([`EnrichedIndex::find`]).
    pub(crate) fn load(&mut self, text: &[u8]) {
        self.copied = false;
        self.entries.clear();
        self.first = [NO_ENTRY; 64];
        self.shared = 0;
        self.scan = text.starts_with(b"SADDR=") || text.len() > MAX_INDEXED;
        if self.scan {
            return;
        }
        let mut pos = 0;
        while let Some(rest) = text.get(pos..) {
            let len = find_byte(b' ', rest).unwrap_or(rest.len());
            let tok = &rest[..len];
            if let Some(eq) = find_byte(b'=', tok) {
                let name = FoldedName::of(&tok[..eq]);
                let slot = &mut self.first[name.slot()];
                if *slot == NO_ENTRY {
                    // At most 32768 entries in MAX_INDEXED bytes.
                    *slot = self.entries.len() as u16;
                } else {
                    self.shared |= 1 << name.slot();
                }
                self.entries.push(EnrichedEntry {
                    name,
                    start: pos,
                    eq: pos + eq,
                    end: pos + len,
                });
            }
            pos += len + 1;
        }
    }

    /// [`Enriched::get`] of `text` for `name`, `text` being the one last
    /// [loaded](EnrichedIndex::load).
    #[inline(always)]
    pub(crate) fn find<'t>(&self, text: &'t [u8], name: &[u8]) -> Option<&'t [u8]> {
        if self.scan {
            return Enriched::new(text).get(name);
        }
        let folded = FoldedName::of(name);
        let slot = folded.slot();
        let first = self.first[slot];
        if first == NO_ENTRY {
            return None;
        }
        // The first entry in the slot is the first entry with this name, if
        // it has this name (an earlier one would be in the slot).
        match self.entries.get(usize::from(first)) {
            Some(e) if Self::is(text, e, name, folded) => text.get(e.eq + 1..e.end),
            _ if self.shared & (1 << slot) != 0 => self.find_entry(text, name, folded),
            _ => None,
        }
    }

    /// Whether `e` is the entry of field `name` (folded: `folded`).
    #[inline(always)]
    fn is(text: &[u8], e: &EnrichedEntry, name: &[u8], folded: FoldedName) -> bool {
        e.name == folded
            && text.get(e.start..e.eq).is_some_and(|n| {
                n.iter()
                    .zip(name)
                    .all(|(a, b)| a.to_ascii_lowercase() == *b)
            })
    }

    /// The first entry of field `name`, by a walk over them all.
    #[cold]
    fn find_entry<'t>(&self, text: &'t [u8], name: &[u8], folded: FoldedName) -> Option<&'t [u8]> {
        let e = self
            .entries
            .iter()
            .find(|e| Self::is(text, e, name, folded))?;
        text.get(e.eq + 1..e.end)
    }
}

impl Default for Interpreter {
    fn default() -> Self {
        Self::new()
    }
}

impl Interpreter {
    /// An interpreter with empty caches and [`EscapeMode::Tty`] escaping,
    /// libauparse's default (`auparse_init`).
    pub fn new() -> Self {
        Self {
            dec: Decoders::default(),
            escape: EscapeMode::Tty,
            enriched: EnrichedIndex::default(),
            shapes: ShapeCache::default(),
        }
    }

    /// Sets how interpreted values are escaped (`auparse_set_escape_mode`).
    pub fn set_escape_mode(&mut self, mode: EscapeMode) {
        self.escape = mode;
    }

    /// The current escape mode.
    pub fn escape_mode(&self) -> EscapeMode {
        self.escape
    }

    /// The cache of user and group names.
    pub fn id_cache(&mut self) -> &mut IdCache {
        // Remembered results may hold names from the cache.
        self.dec.forget();
        &mut self.dec.ids
    }

    /// Appends the interpretation of field `name`=`value` of a record of type
    /// `record_type` to `out` and returns the field's type, or `None` (with
    /// nothing appended) where libauparse gives no interpretation (NULL).
    ///
    /// `value` is the raw value as the log has it (quotes kept). An ENRICHED
    /// interpretation for the name is used when present, except one starting
    /// with `unknown-`, which is interpreted again.
    pub fn interpret(
        &mut self,
        record_type: RecordType,
        ctx: &SyscallContext,
        enriched: Enriched<'_>,
        name: &[u8],
        value: &[u8],
        out: &mut Vec<u8>,
    ) -> Option<FieldType> {
        let ty = field_type(record_type, name, value);
        self.interpret_as(ty, ctx, enriched, name, value, out)
            .map(|_| ty)
    }

    /// As [`Interpreter::interpret`], with the field type given. Returns where
    /// in `out` the interpretation was appended (an empty range for an empty
    /// interpretation), or `None` (with nothing appended) where libauparse
    /// returns NULL.
    pub fn interpret_as(
        &mut self,
        ty: FieldType,
        ctx: &SyscallContext,
        enriched: Enriched<'_>,
        name: &[u8],
        value: &[u8],
        out: &mut Vec<u8>,
    ) -> Option<Range<usize>> {
        let start = out.len();
        match self.interpret_given_or_borrow(ty, ctx, enriched.get(name), value, false, out) {
            Interpreted::Null => return None,
            Interpreted::InOut => {}
            Interpreted::Direct(text) => out.extend_from_slice(text),
        }
        Some(start..out.len())
    }

    /// [`Interpreter::interpret_as`] with the ENRICHED value for the field
    /// already looked up, but an interpretation that is the
    /// ENRICHED one, the raw value itself or a constant (and needs no escaping)
    /// is given as it stands, not copied to `out`. `plain_source`: the value
    /// comes from a text known to hold only printable ASCII, in
    /// [`EscapeMode::Tty`] (then neither the value, nor any part of it, nor a
    /// constant a decoder gives for it needs escaping).
    #[inline(always)]
    pub(crate) fn interpret_given_or_borrow<'v>(
        &mut self,
        ty: FieldType,
        ctx: &SyscallContext,
        given: Option<&'v [u8]>,
        value: &'v [u8],
        plain_source: bool,
        out: &mut Vec<u8>,
    ) -> Interpreted<'v> {
        let start = out.len();
        // An interpretation auditd recorded (ENRICHED) is given back as it stands:
        // libauparse applies the escape mode only to values it decodes itself.
        match given.filter(|v| !v.starts_with(b"unknown-")) {
            Some(v) if matches!(ty, FieldType::Uid | FieldType::Gid) => {
                crate::decode::escaped(v, out);
                return Interpreted::InOut;
            }
            Some(v) => return Interpreted::Direct(v),
            None => match self.dec.decode_or_borrow(ty, ctx, value, out) {
                // A text given as it stands is the value, a part of it, or a
                // constant of the decoders (plain ASCII).
                Interpreted::Direct(text) if plain_source || !self.escape.needs_escape(text) => {
                    return Interpreted::Direct(text);
                }
                Interpreted::Direct(text) => out.extend_from_slice(text),
                Interpreted::Null => return Interpreted::Null,
                Interpreted::InOut => {}
            },
        }
        self.escape.apply(out, start, ty == FieldType::EscapedKey);
        Interpreted::InOut
    }

    /// Appends the interpretation of `value` as type `ty` with no enrichment
    /// and no escaping (the pure decoder). Returns where in `out` it was
    /// appended, or `None` (with nothing appended) where libauparse returns
    /// NULL.
    pub fn decode(
        &mut self,
        ty: FieldType,
        ctx: &SyscallContext,
        value: &[u8],
        out: &mut Vec<u8>,
    ) -> Option<Range<usize>> {
        let start = out.len();
        let produced = self.dec.decode(ty, ctx, value, out);
        produced.then_some(start..out.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enriched_values_are_not_escaped() {
        let mut it = Interpreter::new();
        it.set_escape_mode(EscapeMode::Shell);
        let ctx = SyscallContext::default();
        let e = Enriched::new(b"SADDR={ fam=inet laddr=1.2.3.4 lport=80 }");
        let mut out = Vec::new();
        assert!(it
            .interpret_as(FieldType::Sockaddr, &ctx, e, b"saddr", b"0200", &mut out)
            .is_some());
        assert_eq!(out, b"{ fam=inet laddr=1.2.3.4 lport=80 }");
        // A value decoded here is escaped in shell mode.
        out.clear();
        let none = Enriched::new(b"");
        assert!(it
            .interpret_as(
                FieldType::Escaped,
                &ctx,
                none,
                b"comm",
                b"\"a b\"",
                &mut out
            )
            .is_some());
        assert_eq!(out, b"a\\ b");
    }

    #[test]
    fn interpretations_say_where_they_were_appended() {
        let mut it = Interpreter::new();
        let ctx = SyscallContext::default();
        let mut out = b"uid=".to_vec();
        let span = it.interpret_as(FieldType::Uid, &ctx, Enriched::NONE, b"uid", b"0", &mut out);
        assert_eq!(span, Some(4..8));
        assert_eq!(out, b"uid=root");
        assert_eq!(it.decode(FieldType::Uid, &ctx, b"0", &mut out), Some(8..12));
        // libauparse's NULL: nothing appended.
        assert_eq!(it.decode(FieldType::TtyData, &ctx, b"6", &mut out), None);
        assert_eq!(out, b"uid=rootroot");
    }

    #[test]
    fn enriched_lookup() {
        let e = Enriched::from_record(
            b"type=SYSCALL a=1\x1dARCH=x86_64 SYSCALL=execve AUID=\"root\" UID=unknown-x",
        );
        assert_eq!(e.get(b"arch"), Some(&b"x86_64"[..]));
        assert_eq!(e.get(b"auid"), Some(&b"\"root\""[..]));
        assert_eq!(e.get(b"ARCH"), None);
        let s = Enriched::new(b"SADDR={ fam=inet laddr=1.2.3.4 lport=80 }");
        assert_eq!(
            s.get(b"saddr"),
            Some(&b"{ fam=inet laddr=1.2.3.4 lport=80 }"[..])
        );
        assert_eq!(Enriched::new(b"SADDR=unknown family").get(b"saddr"), None);
        assert!(!Enriched::from_record(b"type=X").is_present());
    }

    #[test]
    fn index_agrees_with_scan() {
        let texts: &[&[u8]] = &[
            b"ARCH=x86_64 SYSCALL=execve AUID=\"root\" UID=unknown-x",
            b"  AUID=a  auid=b noeq UID= =x ARCH=y",
            b"SADDR={ fam=inet laddr=1.2.3.4 lport=80 }",
            b"SADDR=unknown family",
            b"",
            b"A=1",
        ];
        let names: &[&[u8]] = &[
            b"arch", b"syscall", b"auid", b"uid", b"ARCH", b"saddr", b"", b"a", b"noeq", b"x",
        ];
        let mut idx = EnrichedIndex::default();
        for _ in 0..2 {
            for t in texts {
                for n in names {
                    assert_eq!(idx.get(t, n), Enriched::new(t).get(n), "{t:?} {n:?}");
                }
            }
        }
    }

    #[test]
    fn index_agrees_with_scan_on_many_names() {
        // Enough entries that many share a slot of the index, names that differ
        // only past their eighth byte, repeated names (the first one counts), and
        // case: every name is looked up after a load (as a walk over a record's
        // fields does) and through get, against the plain scan.
        let mut text = Vec::new();
        let mut names: Vec<Vec<u8>> = Vec::new();
        for i in 0..150u32 {
            let name = match i % 5 {
                0 => format!("N{i}"),
                1 => format!("LONGNAME_{i:03}"),
                2 => format!("LONGNAME_{:03}", i - 1),
                3 => format!("x{}", i % 7),
                _ => format!("Mixed-Case{}", i % 3),
            };
            text.extend_from_slice(format!("{name}=v{i} ").as_bytes());
            names.push(name.to_ascii_lowercase().into_bytes());
            names.push(name.into_bytes());
        }
        names.push(b"absent".to_vec());
        names.push(b"longname_".to_vec());
        let mut idx = EnrichedIndex::default();
        idx.load(&text);
        let mut found = 0;
        for n in &names {
            let want = Enriched::new(&text).get(n);
            found += usize::from(want.is_some());
            assert_eq!(idx.find(&text, n), want, "{:?}", String::from_utf8_lossy(n));
        }
        for n in &names {
            assert_eq!(idx.get(&text, n), Enriched::new(&text).get(n));
        }
        assert!(
            idx.shared != 0,
            "no slot is shared: the walk is not covered"
        );
        assert!(found >= names.len() / 2 - 1, "{found} names found");
        // The first of two entries of the same name is the one given.
        let dup = b"UID=first uid=second AUID=a";
        idx.load(dup);
        assert_eq!(idx.find(dup, b"uid"), Some(&b"first"[..]));
    }

    #[test]
    fn debug_output_stays_short() {
        // The caches print as a summary, not as their tables.
        let mut it = Interpreter::new();
        let rec = audit_parse::Record::parse(
            b"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 uid=0",
        )
        .unwrap();
        it.interpret_record(&rec, &mut Vec::new(), |_, _, _| {});
        let text = format!("{it:?}");
        assert!(text.contains("record_types: [1300]"), "{text}");
        assert!(text.len() < 4000, "{} bytes", text.len());
    }

    #[test]
    fn c1_controls_in_decoded_values_are_escaped() {
        // A hex-encoded comm and proctitle holding 8-bit CSI (0x9B) and a
        // UTF-8 encoded one (C2 9B): libauparse passes them raw in tty mode.
        let mut it = Interpreter::new();
        let ctx = SyscallContext::default();
        let mut out = Vec::new();
        it.interpret(
            RecordType::SYSCALL,
            &ctx,
            Enriched::NONE,
            b"comm",
            b"619B324A62",
            &mut out,
        );
        assert_eq!(out, b"a\\2332Jb");
        out.clear();
        it.interpret(
            RecordType::PROCTITLE,
            &ctx,
            Enriched::NONE,
            b"proctitle",
            b"C29B6D00C3A9",
            &mut out,
        );
        assert_eq!(out, "\\302\\233m \u{e9}".as_bytes());
        out.clear();
        it.set_escape_mode(EscapeMode::Raw);
        it.interpret(
            RecordType::SYSCALL,
            &ctx,
            Enriched::NONE,
            b"comm",
            b"619B32",
            &mut out,
        );
        assert_eq!(out, b"a\x9b2");
    }

    #[test]
    fn uses_enrichment() {
        let mut it = Interpreter::new();
        let ctx = SyscallContext::default();
        let e = Enriched::new(b"AUID=\"someone\" UID=unknown-thing SYSCALL=execve");
        let mut out = Vec::new();
        assert_eq!(
            it.interpret(RecordType::SYSCALL, &ctx, e, b"auid", b"1000", &mut out),
            Some(FieldType::Uid)
        );
        assert_eq!(out, b"someone");
        out.clear();
        it.interpret(RecordType::SYSCALL, &ctx, e, b"uid", b"0", &mut out);
        assert_eq!(out, b"root");
        out.clear();
        it.interpret(RecordType::SYSCALL, &ctx, e, b"syscall", b"59", &mut out);
        assert_eq!(out, b"execve");
    }

    #[test]
    fn escaping_and_null() {
        let mut it = Interpreter::new();
        it.set_escape_mode(EscapeMode::Shell);
        assert_eq!(it.escape_mode(), EscapeMode::Shell);
        let ctx = SyscallContext::default();
        let mut out = b"prefix:".to_vec();
        it.interpret(
            RecordType::PATH,
            &ctx,
            Enriched::NONE,
            b"name",
            b"\"a b\"",
            &mut out,
        );
        assert_eq!(out, b"prefix:a\\ b");
        out.clear();
        it.interpret(
            RecordType::SYSCALL,
            &ctx,
            Enriched::NONE,
            b"key",
            b"6B31016B2032",
            &mut out,
        );
        assert_eq!(out, b"k1\x01k\\ 2");
        out.clear();
        assert_eq!(
            it.interpret(
                RecordType::TTY,
                &ctx,
                Enriched::NONE,
                b"data",
                b"6",
                &mut out
            ),
            None
        );
        assert!(out.is_empty());
    }
}
