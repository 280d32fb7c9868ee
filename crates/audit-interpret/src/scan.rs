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
