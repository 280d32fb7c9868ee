//! JSON text written straight to an [`io::Write`]: a block buffer, string
//! escaping byte for byte as `serde_json` does it, and the byte-string and
//! number conventions of the module (`{"hex": ...}` for non-UTF-8 bytes,
//! canonical decimal integers as numbers).

use std::io::{self, Write};

/// How much JSON text is gathered before it is handed to the writer: large
/// enough that the writer sees few calls, small enough that one long value
/// never makes the buffer grow with it.
const BLOCK: usize = 64 * 1024;

/// How many input bytes are escaped between two checks of the buffer (an
/// escaped byte takes at most 6 output bytes).
const ESCAPE_CHUNK: usize = 16 * 1024;

/// What an input byte becomes in a JSON string, as `serde_json` writes it:
/// 0 for itself, `u` for `\u00XX`, else the letter after the backslash.
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = b'u';
        b += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A buffer of JSON text over a writer (see the module documentation).
pub(crate) struct Sink<'w, W: Write + ?Sized> {
    pub(crate) buf: Vec<u8>,
    w: &'w mut W,
    /// The first write error, kept by writers that cannot return it at once
    /// (inside an interpreter's callback); nothing more is written after it.
    pub(crate) error: Option<io::Error>,
}

impl<'w, W: Write + ?Sized> Sink<'w, W> {
    /// A sink writing to `w` through `buf` (cleared; its capacity reused).
    pub(crate) fn new(w: &'w mut W, mut buf: Vec<u8>) -> Self {
        buf.clear();
        Sink {
            buf,
            w,
            error: None,
        }
    }

    /// Hands the buffer to the writer once it holds a block.
    #[inline]
    pub(crate) fn check(&mut self) {
        if self.buf.len() >= BLOCK {
            self.drain();
        }
    }

    /// Hands everything buffered to the writer.
    pub(crate) fn drain(&mut self) {
        if self.error.is_none() {
            if let Err(e) = self.w.write_all(&self.buf) {
                self.error = Some(e);
            }
        }
        self.buf.clear();
    }

    /// Writes out what is left; gives the buffer back and the first error.
    pub(crate) fn finish(mut self) -> (Vec<u8>, io::Result<()>) {
        self.drain();
        let buf = std::mem::take(&mut self.buf);
        (buf, self.error.map_or(Ok(()), Err))
    }

    #[inline]
    pub(crate) fn raw(&mut self, s: &[u8]) {
        self.buf.extend_from_slice(s);
    }

    #[inline]
    pub(crate) fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    /// An unsigned integer.
    #[inline]
    pub(crate) fn uint(&mut self, n: u64) {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        let mut n = n;
        loop {
            i -= 1;
            tmp[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&tmp[i..]);
    }

    /// A signed integer.
    pub(crate) fn int(&mut self, n: i64) {
        if n < 0 {
            self.buf.push(b'-');
        }
        self.uint(n.unsigned_abs());
    }

    /// A JSON string of `s`, which must be UTF-8.
    pub(crate) fn str_utf8(&mut self, s: &[u8]) {
        self.buf.push(b'"');
        self.escaped(s);
        self.buf.push(b'"');
    }

    /// `s` escaped for the inside of a JSON string, handed on in blocks.
    pub(crate) fn escaped(&mut self, s: &[u8]) {
        for chunk in s.chunks(ESCAPE_CHUNK) {
            escape_into(&mut self.buf, chunk);
            self.check();
        }
    }

    /// A byte string: a JSON string when `b` is UTF-8, else
    /// `{"hex":"..."}` (the bytes in lower-case hexadecimal).
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        if std::str::from_utf8(b).is_ok() {
            self.str_utf8(b);
        } else {
            self.hex_object(b);
        }
    }

    /// `{"hex":"..."}` of `b`.
    pub(crate) fn hex_object(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b"{\"hex\":\"");
        for chunk in b.chunks(ESCAPE_CHUNK) {
            for &x in chunk {
                self.buf.push(HEX[usize::from(x >> 4)]);
                self.buf.push(HEX[usize::from(x & 15)]);
            }
            self.check();
        }
        self.buf.extend_from_slice(b"\"}");
    }

    /// A raw value: a number when it is a canonical decimal integer that
    /// fits 64 bits, else a byte string.
    pub(crate) fn value(&mut self, v: &[u8]) {
        if is_json_integer(v) {
            self.buf.extend_from_slice(v);
        } else {
            self.bytes(v);
        }
    }
}

/// Whether `v` is an integer written the canonical way (`59`, `-13`, `0`;
/// not `007`, `+1` or `-0`) that fits an `i64` (negative) or a `u64`: what
/// the module writes as a JSON number, digit for digit.
pub(crate) fn is_json_integer(v: &[u8]) -> bool {
    let (neg, digits) = match v.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, v),
    };
    if digits.is_empty()
        || digits.len() > 20
        || !digits.iter().all(u8::is_ascii_digit)
        || (digits[0] == b'0' && (digits.len() > 1 || neg))
    {
        return false;
    }
    let mut n: u128 = 0;
    for &d in digits {
        n = n * 10 + u128::from(d - b'0');
    }
    if neg {
        n <= 1u128 << 63
    } else {
        n <= u128::from(u64::MAX)
    }
}

/// Appends `s` escaped as `serde_json` escapes the inside of a string.
fn escape_into(out: &mut Vec<u8>, s: &[u8]) {
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        let e = ESCAPE[usize::from(b)];
        if e == 0 {
            continue;
        }
        out.extend_from_slice(&s[start..i]);
        match e {
            b'u' => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ]),
            c => out.extend_from_slice(&[b'\\', c]),
        }
        start = i + 1;
    }
    out.extend_from_slice(&s[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_is_serde_json_s() {
        let all: Vec<u8> = (0u8..=0x7f).collect();
        let s = std::str::from_utf8(&all).unwrap();
        let mut out = Vec::new();
        let mut sink = Sink::new(&mut out, Vec::new());
        sink.str_utf8(all.as_slice());
        sink.str_utf8("é\u{2028}x".as_bytes());
        let (_, r) = sink.finish();
        r.unwrap();
        let want = format!(
            "{}{}",
            serde_json::to_string(s).unwrap(),
            serde_json::to_string("é\u{2028}x").unwrap()
        );
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    #[test]
    fn integers_as_serde_json_reads_them() {
        for (v, yes) in [
            ("0", true),
            ("59", true),
            ("-13", true),
            ("18446744073709551615", true),
            ("18446744073709551616", false),
            ("-9223372036854775808", true),
            ("-9223372036854775809", false),
            ("007", false),
            ("-0", false),
            ("+1", false),
            ("", false),
            ("-", false),
            ("1e3", false),
        ] {
            assert_eq!(is_json_integer(v.as_bytes()), yes, "{v}");
        }
    }
}
