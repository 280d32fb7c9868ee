//! Escaping of interpreted values (libauparse's `auparse_esc_t`).

/// How interpreted values are escaped before they are returned
/// (`auparse_set_escape_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum EscapeMode {
    /// No escaping (libauparse's default).
    #[default]
    Raw,
    /// Control characters become `\ooo` octal escapes.
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

use crate::scan::has_control;

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
            Self::Tty => has_control(s),
            Self::Shell => s
                .chunks(BLOCK)
                .any(|c| c.iter().fold(false, |acc, &b| acc | SHELL[usize::from(b)])),
            Self::ShellQuote => s.chunks(BLOCK).any(|c| {
                c.iter()
                    .fold(false, |acc, &b| acc | SHELL_QUOTE[usize::from(b)])
            }),
        }
    }

    /// Appends `s` escaped with this mode to `out`.
    pub fn escape_into(self, s: &[u8], out: &mut Vec<u8>) {
        if self == Self::Raw {
            out.extend_from_slice(s);
            return;
        }
        for &b in s {
            if b < 32 {
                out.extend_from_slice(&[
                    b'\\',
                    b'0' + (b >> 6),
                    b'0' + ((b >> 3) & 7),
                    b'0' + (b & 7),
                ]);
            } else if self.backslashed(b) {
                out.extend_from_slice(&[b'\\', b]);
            } else {
                out.push(b);
            }
        }
    }

    /// Escapes `buf[start..]` in place (through a copy only when needed).
    /// With `keys`, 0x01 key separators are kept as they are and each key
    /// is escaped on its own.
    #[inline(always)]
    pub(crate) fn apply(self, buf: &mut Vec<u8>, start: usize, keys: bool) {
        // Every mode escapes control characters, 0x01 key separators included: a
        // value that needs no escaping as a whole needs none key by key either.
        let needs = match self {
            Self::Raw => false,
            Self::Tty => buf.get(start..).is_some_and(has_control),
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
                let want = mode != EscapeMode::Raw && (b < 32 || mode.backslashed(b));
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
