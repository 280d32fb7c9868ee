//! Number parsing with the semantics of C's `strtoul`/`strtol` as libauparse
//! uses them: leading white space and a sign are accepted, parsing stops at
//! the first byte that is not a digit (no digits gives 0), base 16 accepts a
//! `0x` prefix, and an out-of-range value is an error (`ERANGE`).
//!
//! Public for the crates that read values as libauparse does on top of this
//! one (the normalizer, search expressions).
//!
//! ```
//! use audit_interpret::cnum::{strtol, strtoul};
//! assert_eq!(strtoul(b"0x1f", 16), Some(31));
//! assert_eq!(strtol(b" -12abc", 10), Some(-12));
//! assert_eq!(strtoul(b"99999999999999999999", 10), None);
//! ```

fn digit(b: u8, base: u32) -> Option<u32> {
    let d = match b {
        b'0'..=b'9' => u32::from(b - b'0'),
        b'a'..=b'z' => u32::from(b - b'a') + 10,
        b'A'..=b'Z' => u32::from(b - b'A') + 10,
        _ => return None,
    };
    (d < base).then_some(d)
}

/// Splits off white space and sign; returns (negative, digits part).
fn prefix(s: &[u8], base: u32) -> (bool, &[u8]) {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let mut rest = &s[i..];
    if base == 16
        && rest.len() >= 3
        && rest[0] == b'0'
        && (rest[1] | 0x20) == b'x'
        && digit(rest[2], 16).is_some()
    {
        rest = &rest[2..];
    }
    (neg, rest)
}

/// Magnitude of the leading digits; `None` on overflow of u64.
fn magnitude(s: &[u8], base: u32) -> Option<u64> {
    let mut v: u64 = 0;
    for &b in s {
        let Some(d) = digit(b, base) else { break };
        v = v.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
    }
    Some(v)
}

/// The value of each byte as a hex digit; 0xff for bytes that are not one.
pub(crate) static HEX: [u8; 256] = {
    let mut t = [0xff; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'a'..=b'f' => c - b'a' + 10,
            c @ b'A'..=b'F' => c - b'A' + 10,
            _ => 0xff,
        };
        b += 1;
    }
    t
};

/// The value of `s` when it is nothing but 1 to 16 hex digits (which
/// cannot overflow); `None` sends the caller to the general parser.
#[inline]
fn plain_hex(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 16 {
        return None;
    }
    let mut v = 0u64;
    let mut bad = 0u8;
    for &b in s {
        let d = HEX[usize::from(b)];
        bad |= d;
        v = (v << 4) | u64::from(d & 0x0f);
    }
    (bad < 16).then_some(v)
}

/// The value of `s` when it is nothing but 1 to 19 decimal digits (which
/// cannot overflow); `None` sends the caller to the general parser.
#[inline]
fn plain_dec(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    let mut v = 0u64;
    for &b in s {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    Some(v)
}

/// `strtoul(s, NULL, base)` / `strtoull`: `None` where C sets `ERANGE`.
#[inline]
pub fn strtoul(s: &[u8], base: u32) -> Option<u64> {
    let plain = match base {
        10 => plain_dec(s),
        16 => plain_hex(s),
        _ => None,
    };
    match plain {
        Some(v) => Some(v),
        None => strtoul_general(s, base),
    }
}

#[inline(never)]
fn strtoul_general(s: &[u8], base: u32) -> Option<u64> {
    let (neg, rest) = prefix(s, base);
    let m = magnitude(rest, base)?;
    Some(if neg { m.wrapping_neg() } else { m })
}

/// `strtol(s, NULL, base)` / `strtoll`: `None` where C sets `ERANGE`.
#[inline]
pub fn strtol(s: &[u8], base: u32) -> Option<i64> {
    if base == 10 {
        // Up to 18 digits, with or without a minus sign, cannot overflow.
        let (neg, digits) = match s.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, s),
        };
        if digits.len() <= 18 {
            if let Some(v) = plain_dec(digits) {
                let v = v as i64;
                return Some(if neg { -v } else { v });
            }
        }
    }
    strtol_general(s, base)
}

#[inline(never)]
fn strtol_general(s: &[u8], base: u32) -> Option<i64> {
    let (neg, rest) = prefix(s, base);
    let m = magnitude(rest, base)?;
    if neg {
        if m > 1u64 << 63 {
            None
        } else {
            Some((m as i64).wrapping_neg())
        }
    } else if m > i64::MAX as u64 {
        None
    } else {
        Some(m as i64)
    }
}

/// Appends the decimal form of `v`.
pub(crate) fn push_dec(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_udec(out, v.unsigned_abs());
}

/// Appends the decimal form of `v`.
pub(crate) fn push_udec(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends `v` in lower-case hex (C `%x`).
pub(crate) fn push_hex(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 16];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b"0123456789abcdef"[(v & 15) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// Appends `v` in octal, zero-padded to at least `width` digits (C `%0No`).
pub(crate) fn push_oct(out: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut buf = [0u8; 24];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v & 7) as u8;
        v >>= 3;
        if v == 0 {
            break;
        }
    }
    for _ in (buf.len() - i)..width {
        out.push(b'0');
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_semantics() {
        assert_eq!(strtoul(b"59", 10), Some(59));
        assert_eq!(strtoul(b" 59x", 10), Some(59));
        assert_eq!(strtoul(b"", 10), Some(0));
        assert_eq!(strtoul(b"zz", 16), Some(0));
        assert_eq!(strtoul(b"0x1f", 16), Some(31));
        assert_eq!(strtoul(b"0xg", 16), Some(0));
        assert_eq!(strtoul(b"-1", 10), Some(u64::MAX));
        assert_eq!(strtoul(b"18446744073709551615", 10), Some(u64::MAX));
        assert_eq!(strtoul(b"18446744073709551616", 10), None);
        assert_eq!(strtoul(b"ffffffffffffffffff", 16), None);
        assert_eq!(strtol(b"-2", 10), Some(-2));
        assert_eq!(strtol(b"-9223372036854775808", 10), Some(i64::MIN));
        assert_eq!(strtol(b"-9223372036854775809", 10), None);
        assert_eq!(strtol(b"9223372036854775808", 10), None);
    }

    #[test]
    fn fast_paths_agree() {
        let samples: &[&[u8]] = &[
            b"0",
            b"7",
            b"59",
            b"4294967295",
            b"ffffffff",
            b"FfFf",
            b"c000003e",
            b"7ffd79b944b0",
            b"ffffffffffffffff",
            b"1ffffffffffffffff",
            b"18446744073709551615",
            b"9999999999999999999",
            b"99999999999999999999",
            b"999999999999999999",
            b"-999999999999999999",
            b"-9223372036854775808",
            b"-13",
            b"-",
            b"-0",
            b"+5",
            b" 5",
            b"5 ",
            b"0x10",
            b"1g",
            b"",
            b"g",
            b"12a",
            b"-x",
            b"--1",
        ];
        for &s in samples {
            for base in [10, 16] {
                assert_eq!(strtoul(s, base), strtoul_general(s, base), "{s:?} {base}");
                assert_eq!(strtol(s, base), strtol_general(s, base), "{s:?} {base}");
            }
        }
    }

    #[test]
    fn formatting() {
        let mut v = Vec::new();
        push_dec(&mut v, -42);
        v.push(b' ');
        push_udec(&mut v, 0);
        v.push(b' ');
        push_hex(&mut v, 0xffffff9c);
        v.push(b' ');
        push_oct(&mut v, 0o755, 3);
        v.push(b' ');
        push_oct(&mut v, 5, 3);
        assert_eq!(v, b"-42 0 ffffff9c 755 005");
    }
}
