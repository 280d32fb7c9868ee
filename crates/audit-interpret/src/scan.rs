//! Byte searches for short values, eight bytes at a time (audit values are
//! mostly shorter than the set-up of a vector search).

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `s` from `i`, little-endian (0 past the end: callers
/// only read whole words).
#[inline(always)]
pub(crate) fn le64(s: &[u8], i: usize) -> u64 {
    s.get(i..i + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
        .map_or(0, u64::from_le_bytes)
}

/// The four bytes of `s` from `i`, little-endian, widened.
#[inline(always)]
pub(crate) fn le32(s: &[u8], i: usize) -> u64 {
    s.get(i..i + 4)
        .and_then(|w| <[u8; 4]>::try_from(w).ok())
        .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
}

/// High bit set in each byte of `x` below `limit` (at most 128). Bits
/// above the lowest such byte may be wrong, so only the lowest set bit and
/// "none at all" are meaningful.
#[inline(always)]
fn below(x: u64, limit: u8) -> u64 {
    x.wrapping_sub(ONES * u64::from(limit)) & !x & HIGHS
}

/// Whether `s` has a byte below 32.
#[inline]
pub(crate) fn has_control(s: &[u8]) -> bool {
    let n = s.len();
    if n >= 8 {
        let mut acc = 0u64;
        let mut i = 0;
        while i + 8 <= n {
            let x = le64(s, i);
            acc |= x.wrapping_sub(ONES * 32) & !x;
            i += 8;
        }
        // The last eight bytes, overlapping what was seen.
        let x = le64(s, n - 8);
        acc |= x.wrapping_sub(ONES * 32) & !x;
        acc & HIGHS != 0
    } else if n >= 4 {
        below(le32(s, 0) | (le32(s, n - 4) << 32), 32) != 0
    } else if n >= 1 {
        s[0] < 32 || s[n / 2] < 32 || s[n - 1] < 32
    } else {
        false
    }
}

/// Whether `s` holds a byte below 0x20 or from 0x80 up, in one pass: a plain
/// ASCII value (the common case) then needs no look for C0 or C1 controls.
#[inline]
pub(crate) fn has_control_or_high(s: &[u8]) -> bool {
    // `x - 0x20..` sets a byte's high bit when it is below 0x20 (a borrow
    // only follows such a byte), `| x` when it is 0x80 or above. Short values
    // (most: numbers, names) are read as two overlapping words, or three bytes,
    // with spaces filling the rest, rather than byte by byte.
    let flagged = |x: u64| (x.wrapping_sub(ONES * 32) | x) & HIGHS != 0;
    let n = s.len();
    if n < 4 {
        return match s {
            [] => false,
            [a, ..] => flagged(
                u64::from(*a)
                    | u64::from(s[n / 2]) << 8
                    | u64::from(s[n - 1]) << 16
                    | 0x2020_2020_2000_0000,
            ),
        };
    }
    if n < 8 {
        return flagged(le32(s, 0) | (le32(s, n - 4) << 32));
    }
    {
        let mut acc = 0u64;
        let mut i = 0;
        while i + 8 <= n {
            let x = le64(s, i);
            acc |= x.wrapping_sub(ONES * 32) | x;
            i += 8;
        }
        let x = le64(s, n - 8);
        acc |= x.wrapping_sub(ONES * 32) | x;
        acc & HIGHS != 0
    }
}

/// Whether every byte of `s` is from 0x20 to 0x7F ([`has_control_or_high`]'s
/// negation), for a longer text: sixteen bytes at a time with vector
/// operations (SSE2 on x86_64; `wide` falls back to plain code elsewhere).
pub(crate) fn is_plain_ascii(s: &[u8]) -> bool {
    use wide::u8x16;
    let n = s.len();
    if n < 16 {
        return !has_control_or_high(s);
    }
    // A byte's high bit is set in `v | (v - 0x20)` when it is below 0x20 (the
    // subtraction wraps) or 0x80 and above; lanes do not borrow from each other.
    let low = u8x16::splat(0x20);
    let flag = |c: &[u8]| {
        let v = u8x16::new(<[u8; 16]>::try_from(c).unwrap_or([0; 16]));
        v | (v - low)
    };
    let mut acc = u8x16::splat(0);
    for c in s.chunks_exact(16) {
        acc |= flag(c);
    }
    // The last sixteen bytes, overlapping what was seen.
    acc |= flag(&s[n - 16..]);
    !acc.any()
}

/// Whether some byte of `s` is 0x80 or above.
#[inline]
pub(crate) fn has_high(s: &[u8]) -> bool {
    // Folded without an early exit, so that it compiles to vector code.
    s.chunks(32)
        .any(|c| c.iter().fold(0u8, |acc, &b| acc | b) & 0x80 != 0)
}

/// The position of the first `needle` in `s`.
#[inline]
pub(crate) fn find_byte(needle: u8, s: &[u8]) -> Option<usize> {
    let n = s.len();
    if n < 8 {
        return s.iter().position(|&b| b == needle);
    }
    if n > 64 {
        return memchr::memchr(needle, s);
    }
    let pat = ONES * u64::from(needle);
    let mut i = 0;
    while i + 8 <= n {
        let z = below(le64(s, i) ^ pat, 1);
        if z != 0 {
            return Some(i + (z.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    if i < n {
        // The last eight bytes: those already seen hold no match, so the
        // lowest one found is the first.
        let z = below(le64(s, n - 8) ^ pat, 1);
        if z != 0 {
            return Some(n - 8 + (z.trailing_zeros() / 8) as usize);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_bytes_found_anywhere() {
        for n in 0..40 {
            let clean = vec![b'a'; n];
            assert!(!has_control(&clean));
            for at in 0..n {
                for b in [0u8, 1, 9, 31] {
                    let mut v = clean.clone();
                    v[at] = b;
                    assert!(has_control(&v), "{n} {at} {b}");
                }
                let mut v = clean.clone();
                v[at] = 32;
                v.iter_mut().skip(at + 1).for_each(|x| *x = 0xff);
                assert!(!has_control(&v), "{n} {at}");
            }
        }
    }

    #[test]
    fn control_or_high_bytes_found_anywhere() {
        for n in 0..80 {
            let clean = vec![b'a'; n];
            assert!(!has_control_or_high(&clean));
            assert!(is_plain_ascii(&clean));
            for at in 0..n {
                for b in [0u8, 31, 0x80, 0x9b, 0xff] {
                    let mut v = clean.clone();
                    v[at] = b;
                    assert!(has_control_or_high(&v), "{n} {at} {b}");
                    assert!(!is_plain_ascii(&v), "{n} {at} {b}");
                }
                let mut v = clean.clone();
                v[at] = 32;
                v.iter_mut().skip(at + 1).for_each(|x| *x = 0x7f);
                assert!(!has_control_or_high(&v), "{n} {at}");
                assert!(is_plain_ascii(&v), "{n} {at}");
            }
        }
    }

    #[test]
    fn first_byte_found() {
        for n in 0..80 {
            for first in 0..=n {
                for second in first..=n {
                    let mut v: Vec<u8> = (0..n).map(|i| b'a' + (i % 7) as u8).collect();
                    if first < n {
                        v[first] = b'"';
                    }
                    if second < n {
                        v[second] = b'"';
                    }
                    // Bytes next to the needle's value and zero-like neighbours.
                    if first > 0 {
                        v[first - 1] = b'"' + 1;
                    }
                    let want = v.iter().position(|&b| b == b'"');
                    assert_eq!(find_byte(b'"', &v), want, "{n} {first} {second}");
                }
            }
        }
        assert_eq!(find_byte(0, b"ab\0cdefghij\0"), Some(2));
        assert_eq!(
            find_byte(0, b"\x01\x01\x01\x01\x01\x01\x01\x01\x01\0"),
            Some(9)
        );
    }
}

/// Whether `text` may hold a field named `arch`, `syscall`, `a0` or `a1`: some
/// `=` right after an `h`, `l`, `0` or `1`. False means surely not; true means
/// look. Sixteen bytes at a time with vector compares (safe code via `wide`).
pub(crate) fn may_name_syscall_context(text: &[u8]) -> bool {
    use wide::u8x16;
    let load = |at: usize| -> u8x16 {
        match text.get(at..at + 16) {
            Some(s) => u8x16::new(<[u8; 16]>::try_from(s).unwrap_or([0; 16])),
            None => {
                let mut block = [0u8; 16];
                let tail = text.get(at..).unwrap_or(b"");
                let n = tail.len().min(16);
                block[..n].copy_from_slice(&tail[..n]);
                u8x16::new(block)
            }
        }
    };
    let (eq, h, l, zero, one) = (
        u8x16::splat(b'='),
        u8x16::splat(b'h'),
        u8x16::splat(b'l'),
        u8x16::splat(b'0'),
        u8x16::splat(b'1'),
    );
    let mut at = 1;
    while at < text.len() {
        let cur = load(at);
        let prev = load(at - 1);
        let hit = cur.simd_eq(eq)
            & (prev.simd_eq(h) | prev.simd_eq(l) | prev.simd_eq(zero) | prev.simd_eq(one));
        if hit.to_bitmask() != 0 {
            return true;
        }
        at += 16;
    }
    false
}

#[cfg(test)]
mod context_tests {
    use super::may_name_syscall_context;

    #[test]
    fn finds_the_names_and_only_says_no_when_sure() {
        for yes in [
            &b"type=SYSCALL msg=audit(1.2:3): arch=c000003e syscall=59"[..],
            b"x syscall=1",
            b"a0=1",
            b"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz a1=2",
            b"terminal=pts/0",
        ] {
            assert!(
                may_name_syscall_context(yes),
                "{}",
                String::from_utf8_lossy(yes)
            );
        }
        for no in [
            &b"type=CWD msg=audit(1.2:3): cwd=\"/\""[..],
            b"",
            b"=",
            b"h",
            b"type=PATH msg=audit(1.2:3): item=0 name=\"/bin/ls\" inode=12 dev=08:01",
        ] {
            assert!(
                !may_name_syscall_context(no),
                "{}",
                String::from_utf8_lossy(no)
            );
        }
    }
}
