//! The interpreter: field type selection, ENRICHED values, decoding and
//! escaping, in the order libauparse's `auparse_interpret_field` applies them.

use crate::decode::{Decoders, SyscallContext};
use crate::escape::EscapeMode;
use crate::ids::IdCache;
use crate::types::{field_type, FieldType};

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
/// let mut it = Interpreter::new();
/// let mut out = Vec::new();
/// let ctx = SyscallContext::default();
/// it.interpret(1302, &ctx, Enriched::NONE, b"mode", b"0100644", &mut out);
/// assert_eq!(out, b"file,644");
/// ```
#[derive(Debug)]
pub struct Interpreter {
    dec: Decoders,
    escape: EscapeMode,
    pub(crate) enriched: EnrichedIndex,
}

/// The entries of the last ENRICHED text looked at, so that the fields of a
/// record do not each scan the whole text again.
#[derive(Debug, Default)]
pub(crate) struct EnrichedIndex {
    /// The text the entries describe (empty and no entries at first).
    text: Vec<u8>,
    /// (name start, `=` position, value end) of each `NAME=value` entry.
    entries: Vec<(usize, usize, usize)>,
}

/// Longest ENRICHED text indexed (longer ones are scanned each time).
const MAX_INDEXED: usize = 1 << 16;

impl EnrichedIndex {
    /// [`Enriched::get`] of `text` for `name`.
    pub(crate) fn get<'t>(&mut self, text: &'t [u8], name: &[u8]) -> Option<&'t [u8]> {
        if text.starts_with(b"SADDR=") || text.len() > MAX_INDEXED {
            return Enriched::new(text).get(name);
        }
        if self.text != text {
            self.text.clear();
            self.text.extend_from_slice(text);
            self.entries.clear();
            let mut pos = 0;
            for tok in text.split(|&b| b == b' ') {
                let end = pos + tok.len();
                if let Some(eq) = memchr::memchr(b'=', tok) {
                    self.entries.push((pos, pos + eq, end));
                }
                pos = end + 1;
            }
        }
        for &(s, eq, e) in &self.entries {
            let n = text.get(s..eq)?;
            if n.len() == name.len()
                && n.iter()
                    .zip(name)
                    .all(|(a, b)| a.to_ascii_lowercase() == *b)
            {
                return text.get(eq + 1..e);
            }
        }
        None
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
        record_type: u32,
        ctx: &SyscallContext,
        enriched: Enriched<'_>,
        name: &[u8],
        value: &[u8],
        out: &mut Vec<u8>,
    ) -> Option<FieldType> {
        let ty = field_type(record_type, name, value);
        self.interpret_as(ty, ctx, enriched, name, value, out)
            .then_some(ty)
    }

    /// The interpretation of a field of type `ty` appended to `out` (the type is
    /// returned), or `None` where libauparse returns NULL.
    #[inline(always)]
    pub(crate) fn interpret_typed(
        &mut self,
        ty: FieldType,
        ctx: &SyscallContext,
        value: &[u8],
        out: &mut Vec<u8>,
    ) -> Option<FieldType> {
        let start = out.len();
        if !self.dec.decode(ty, ctx, value, out) {
            return None;
        }
        self.escape.apply(out, start, ty == FieldType::EscapedKey);
        Some(ty)
    }

    /// As [`Interpreter::interpret`], with the field type given. Returns false
    /// where libauparse returns NULL.
    pub fn interpret_as(
        &mut self,
        ty: FieldType,
        ctx: &SyscallContext,
        enriched: Enriched<'_>,
        name: &[u8],
        value: &[u8],
        out: &mut Vec<u8>,
    ) -> bool {
        self.interpret_given(ty, ctx, enriched.get(name), value, out)
    }

    /// [`Interpreter::interpret_as`] with the ENRICHED value for the field
    /// already looked up.
    pub(crate) fn interpret_given(
        &mut self,
        ty: FieldType,
        ctx: &SyscallContext,
        given: Option<&[u8]>,
        value: &[u8],
        out: &mut Vec<u8>,
    ) -> bool {
        let start = out.len();
        // An interpretation auditd recorded (ENRICHED) is given back as it stands:
        // libauparse applies the escape mode only to values it decodes itself.
        match given.filter(|v| !v.starts_with(b"unknown-")) {
            Some(v) if matches!(ty, FieldType::Uid | FieldType::Gid) => {
                crate::decode::escaped(v, out);
                return true;
            }
            Some(v) => {
                out.extend_from_slice(v);
                return true;
            }
            None => {
                if !self.dec.decode(ty, ctx, value, out) {
                    return false;
                }
            }
        }
        self.escape.apply(out, start, ty == FieldType::EscapedKey);
        true
    }

    /// Appends the interpretation of `value` as type `ty` with no enrichment
    /// and no escaping (the pure decoder).
    pub fn decode(
        &mut self,
        ty: FieldType,
        ctx: &SyscallContext,
        value: &[u8],
        out: &mut Vec<u8>,
    ) -> bool {
        self.dec.decode(ty, ctx, value, out)
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
        assert!(it.interpret_as(FieldType::Sockaddr, &ctx, e, b"saddr", b"0200", &mut out));
        assert_eq!(out, b"{ fam=inet laddr=1.2.3.4 lport=80 }");
        // A value decoded here is escaped in shell mode.
        out.clear();
        let none = Enriched::new(b"");
        assert!(it.interpret_as(
            FieldType::Escaped,
            &ctx,
            none,
            b"comm",
            b"\"a b\"",
            &mut out
        ));
        assert_eq!(out, b"a\\ b");
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
    fn uses_enrichment() {
        let mut it = Interpreter::new();
        let ctx = SyscallContext::default();
        let e = Enriched::new(b"AUID=\"someone\" UID=unknown-thing SYSCALL=execve");
        let mut out = Vec::new();
        assert_eq!(
            it.interpret(1300, &ctx, e, b"auid", b"1000", &mut out),
            Some(FieldType::Uid)
        );
        assert_eq!(out, b"someone");
        out.clear();
        it.interpret(1300, &ctx, e, b"uid", b"0", &mut out);
        assert_eq!(out, b"root");
        out.clear();
        it.interpret(1300, &ctx, e, b"syscall", b"59", &mut out);
        assert_eq!(out, b"execve");
    }

    #[test]
    fn escaping_and_null() {
        let mut it = Interpreter::new();
        it.set_escape_mode(EscapeMode::Shell);
        assert_eq!(it.escape_mode(), EscapeMode::Shell);
        let ctx = SyscallContext::default();
        let mut out = b"prefix:".to_vec();
        it.interpret(1302, &ctx, Enriched::NONE, b"name", b"\"a b\"", &mut out);
        assert_eq!(out, b"prefix:a\\ b");
        out.clear();
        it.interpret(
            1300,
            &ctx,
            Enriched::NONE,
            b"key",
            b"6B31016B2032",
            &mut out,
        );
        assert_eq!(out, b"k1\x01k\\ 2");
        out.clear();
        assert_eq!(
            it.interpret(1319, &ctx, Enriched::NONE, b"data", b"6", &mut out),
            None
        );
        assert!(out.is_empty());
    }
}
