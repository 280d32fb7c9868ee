//! Escaping of interpreted values (libauparse's `auparse_esc_t`).

/// How interpreted values are escaped before they are returned
/// (`auparse_set_escape_mode`).
///
/// The default is [`EscapeMode::Tty`], as libauparse's (`auparse_init` sets
/// it) and [`Interpreter::new`](crate::Interpreter::new)'s.
///
/// Control characters are the C0 controls (bytes below 0x20) and, unlike
/// libauparse, the C1 controls U+0080..U+009F: a byte 0x80..0x9F that is not
/// part of a valid UTF-8 sequence (0x9B is CSI to a terminal that reads 8-bit
/// controls), and a C1 control encoded in UTF-8 (`C2 80`..`C2 9F`, which
/// UTF-8 terminals act on). Valid UTF-8 text is otherwise left as it is.
/// libauparse 3.0.9 passes these bytes through raw, so a crafted value could
/// drive the terminal of whoever reads `ausearch -i` output; every escaping
/// mode here writes them as octal escapes (`\233`) instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum EscapeMode {
    /// No escaping.
    Raw,
    /// Control characters (C0 and C1, see above) become `\ooo` octal escapes
    /// (libauparse's default).
    #[default]
    Tty,
    /// Control characters as in [`EscapeMode::Tty`], and `"'`$\!()| ` get a
    /// backslash.
    Shell,
    /// As [`EscapeMode::Shell`], with `;#&*?[]<>{}` also backslashed.
    ShellQuote,
}

/// Bytes that [`EscapeMode::Shell`] changes (control characters included).
static SHELL: [bool; 256] = escape_table(EscapeMode::Shell);
/// Bytes that [`EscapeMode::ShellQuote`] changes (control characters included).
static SHELL_QUOTE: [bool; 256] = escape_table(EscapeMode::ShellQuote);

const fn escape_table(mode: EscapeMode) -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = b < 32 || mode.backslashed(b as u8);
        b += 1;
    }
    t
}

use crate::scan::{has_control, has_control_or_high, has_high};

/// What starts at `s[i]`, for a walk from the start of a value: the length
/// of a C1 control there (see [`EscapeMode`]: 1 for a byte 0x80..=0x9F that
/// is no part of a valid UTF-8 sequence, 2 for one encoded in UTF-8), or else
/// the length of the valid UTF-8 sequence or other byte there, negated.
fn c1_at(s: &[u8], i: usize) -> isize {
    let b = s[i];
    let width = match b {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 1,
    };
    let seq = &s[i..(i + width).min(s.len())];
    if width > 1 && seq.len() == width && std::str::from_utf8(seq).is_ok() {
        if b == 0xC2 && (0x80..=0x9F).contains(&seq[1]) {
            return 2;
        }
        return -(width as isize);
    }
    if (0x80..=0x9F).contains(&b) {
        1
    } else {
        -1
    }
}

/// Whether `s` holds a C1 control (see [`EscapeMode`]).
fn has_c1(s: &[u8]) -> bool {
    // Most values are ASCII: one pass tells, the walk is for the others.
    if !has_high(s) {
        return false;
    }
    let mut i = 0;
    while i < s.len() {
        let n = c1_at(s, i);
        if n > 0 {
            return true;
        }
        i += n.unsigned_abs();
    }
    false
}

/// Appends `\ooo` for `b`.
fn octal(b: u8, out: &mut Vec<u8>) {
    out.extend_from_slice(&[
        b'\\',
        b'0' + (b >> 6),
        b'0' + ((b >> 3) & 7),
        b'0' + (b & 7),
    ]);
}

impl EscapeMode {
    /// Parses `raw`, `tty`, `shell` or `shell_quote`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "raw" => Self::Raw,
            "tty" => Self::Tty,
            "shell" => Self::Shell,
            "shell_quote" => Self::ShellQuote,
            _ => return None,
        })
    }

    const fn backslashed(self, b: u8) -> bool {
        match self {
            Self::Raw | Self::Tty => false,
            Self::Shell => matches!(
                b,
                b'"' | b'\'' | b'`' | b'$' | b'\\' | b'!' | b'(' | b')' | b'|' | b' '
            ),
            Self::ShellQuote => matches!(
                b,
                b'"' | b'\''
                    | b'`'
                    | b'$'
                    | b'\\'
                    | b'!'
                    | b'('
                    | b')'
                    | b'|'
                    | b' '
                    | b';'
                    | b'#'
                    | b'&'
                    | b'*'
                    | b'?'
                    | b'['
                    | b']'
                    | b'<'
                    | b'>'
                    | b'{'
                    | b'}'
            ),
        }
    }

    /// Whether `s` would change under this mode.
    #[inline]
    pub fn needs_escape(self, s: &[u8]) -> bool {
        // Blocks folded without an early exit compile to vector code; most values
        // need no escaping, so the whole value is usually scanned.
        const BLOCK: usize = 32;
        match self {
            Self::Raw => false,
            // One pass rules out plain ASCII; the precise checks only follow a hit.
            Self::Tty => has_control_or_high(s) && (has_control(s) || has_c1(s)),
            Self::Shell => {
                s.chunks(BLOCK)
                    .any(|c| c.iter().fold(false, |acc, &b| acc | SHELL[usize::from(b)]))
                    || has_c1(s)
            }
            Self::ShellQuote => {
                s.chunks(BLOCK).any(|c| {
                    c.iter()
                        .fold(false, |acc, &b| acc | SHELL_QUOTE[usize::from(b)])
                }) || has_c1(s)
            }
        }
    }

    /// Appends `s` escaped with this mode to `out`.
    pub fn escape_into(self, s: &[u8], out: &mut Vec<u8>) {
        if self == Self::Raw {
            out.extend_from_slice(s);
            return;
        }
        let mut i = 0;
        while i < s.len() {
            let b = s[i];
            if b < 32 {
                octal(b, out);
            } else if self.backslashed(b) {
                out.extend_from_slice(&[b'\\', b]);
            } else if b < 0x80 {
                out.push(b);
            } else {
                let n = c1_at(s, i);
                let len = n.unsigned_abs();
                if n > 0 {
                    s[i..i + len].iter().for_each(|&c| octal(c, out));
                } else {
                    out.extend_from_slice(&s[i..i + len]);
                }
                i += len;
                continue;
            }
            i += 1;
        }
    }

    /// Escapes `buf[start..]` in place (through a copy only when needed), as
    /// the interpreter escapes what it decodes. With `keys`, 0x01 key
    /// separators are kept as they are and each key is escaped on its own.
    ///
    /// ```
    /// use audit_interpret::EscapeMode;
    /// let mut buf = b"name=a b".to_vec();
    /// EscapeMode::Shell.apply(&mut buf, 5, false);
    /// assert_eq!(buf, b"name=a\\ b");
    /// ```
    #[inline(always)]
    pub fn apply(self, buf: &mut Vec<u8>, start: usize, keys: bool) {
        // Every mode escapes control characters, 0x01 key separators included: a
        // value that needs no escaping as a whole needs none key by key either.
        let needs = match self {
            Self::Raw => false,
            Self::Tty => buf
                .get(start..)
                .is_some_and(|t| has_control_or_high(t) && (has_control(t) || has_c1(t))),
            _ => buf.get(start..).is_some_and(|t| self.needs_escape(t)),
        };
        if needs {
            self.escape_tail(buf, start, keys);
        }
    }

    /// [`EscapeMode::apply`] for a tail that needs escaping.
    #[inline(never)]
    fn escape_tail(self, buf: &mut Vec<u8>, start: usize, keys: bool) {
        let tail = &buf[start..];
        if keys && !tail.split(|&b| b == 1).any(|k| self.needs_escape(k)) {
            return;
        }
        let copy: Vec<u8> = tail.to_vec();
        buf.truncate(start);
        if keys {
            for (i, k) in copy.split(|&b| b == 1).enumerate() {
                if i > 0 {
                    buf.push(1);
                }
                self.escape_into(k, buf);
            }
        } else {
            self.escape_into(&copy, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        let mut v = Vec::new();
        EscapeMode::Tty.escape_into(b"a\tb c\x01", &mut v);
        assert_eq!(v, b"a\\011b c\\001");
        v.clear();
        EscapeMode::Shell.escape_into(b"a b$;", &mut v);
        assert_eq!(v, b"a\\ b\\$;");
        v.clear();
        EscapeMode::ShellQuote.escape_into(b"a b$;{}", &mut v);
        assert_eq!(v, b"a\\ b\\$\\;\\{\\}");
        v.clear();
        EscapeMode::Raw.escape_into(b"a\n", &mut v);
        assert_eq!(v, b"a\n");
        assert!(!EscapeMode::Shell.needs_escape(b"abc\xff"));
        // The table agrees with the rules byte by byte, in every mode.
        for mode in [
            EscapeMode::Raw,
            EscapeMode::Tty,
            EscapeMode::Shell,
            EscapeMode::ShellQuote,
        ] {
            for b in 0..=255u8 {
                let long = [
                    b'a', b'b', b'c', b'd', b'e', b'f', b'g', b'h', b'i', b'j', b'k', b'l', b'm',
                    b'n', b'o', b'p', b'q', b'r', b's', b't', b'u', b'v', b'w', b'x', b'y', b'z',
                    b'0', b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8', b'9', b,
                ];
                let c1 = (0x80..=0x9f).contains(&b);
                let want = mode != EscapeMode::Raw && (b < 32 || c1 || mode.backslashed(b));
                assert_eq!(mode.needs_escape(&[b]), want, "{mode:?} {b}");
                assert_eq!(mode.needs_escape(&long), want, "{mode:?} {b} at the end");
            }
        }
        assert_eq!(
            EscapeMode::from_name("shell_quote"),
            Some(EscapeMode::ShellQuote)
        );
        assert_eq!(EscapeMode::from_name("x"), None);
    }

    #[test]
    fn c1_controls_are_escaped_and_utf8_kept() {
        let tty = |s: &[u8]| {
            let mut v = Vec::new();
            EscapeMode::Tty.escape_into(s, &mut v);
            assert_eq!(EscapeMode::Tty.needs_escape(s), v != s, "{s:?}");
            v
        };
        // 8-bit CSI, as a lone byte and encoded in UTF-8.
        assert_eq!(tty(b"a\x9b31mb"), b"a\\23331mb");
        assert_eq!(tty(b"a\xc2\x9b31m"), b"a\\302\\23331m");
        assert_eq!(tty(b"\x80\x9f"), b"\\200\\237");
        // UTF-8 whose continuation bytes are in 0x80..0x9F stays as it is,
        // and so do other bytes 0xA0..0xFF.
        assert_eq!(
            tty("caf\u{e9} \u{20ac} \u{1f600} \u{a0}".as_bytes()),
            "caf\u{e9} \u{20ac} \u{1f600} \u{a0}".as_bytes()
        );
        assert_eq!(tty(b"\xe2\x82"), b"\xe2\\202");
        assert_eq!(tty(b"\xff\xa0\xe9"), b"\xff\xa0\xe9");
        // Through the interpreter's in-place path, in a shell mode too.
        let mut v = b"x=\x9b".to_vec();
        EscapeMode::Tty.apply(&mut v, 2, false);
        assert_eq!(v, b"x=\\233");
        let mut v = Vec::new();
        EscapeMode::Shell.escape_into(b"a \x9b", &mut v);
        assert_eq!(v, b"a\\ \\233");
        let mut v = Vec::new();
        EscapeMode::Raw.escape_into(b"\x9b", &mut v);
        assert_eq!(v, b"\x9b");
        assert_eq!(EscapeMode::default(), EscapeMode::Tty);
    }

    #[test]
    fn keys_keep_separator() {
        let mut v = b"x=k 1\x01k2".to_vec();
        EscapeMode::Shell.apply(&mut v, 2, true);
        assert_eq!(v, b"x=k\\ 1\x01k2");
        let mut v = b"k1\x01k2".to_vec();
        EscapeMode::Tty.apply(&mut v, 0, true);
        assert_eq!(v, b"k1\x01k2");
        let mut v = b"k1\x01k2".to_vec();
        EscapeMode::Tty.apply(&mut v, 0, false);
        assert_eq!(v, b"k1\\001k2");
    }
}
