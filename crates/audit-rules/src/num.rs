//! C `strtol`/`strtoul` as libaudit uses them to read rule values: optional
//! leading white space and sign, base 0 meaning `0x` hex / leading-`0` octal /
//! decimal, and the longest valid prefix (the rest of the text is ignored).

/// Parse the magnitude at the start of `s` in `base` (0 = auto). Returns the
/// value, whether it overflowed `u64`, whether a minus sign was present and
/// whether any digit was read.
fn parse(s: &str, base: u32) -> (u64, bool, bool, bool) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && (b[i] == b' ' || (b'\t'..=b'\r').contains(&b[i])) {
        i += 1;
    }
    let mut neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        neg = b[i] == b'-';
        i += 1;
    }
    let mut base = base;
    let has_hex_prefix = i + 1 < b.len()
        && b[i] == b'0'
        && (b[i + 1] == b'x' || b[i + 1] == b'X')
        && b.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit());
    if (base == 0 || base == 16) && has_hex_prefix {
        base = 16;
        i += 2;
    } else if base == 0 {
        base = if b.get(i) == Some(&b'0') { 8 } else { 10 };
    }
    let mut value: u64 = 0;
    let mut overflow = false;
    let mut any = false;
    while i < b.len() {
        let d = match (b[i] as char).to_digit(36) {
            Some(d) if d < base => d,
            _ => break,
        };
        any = true;
        match value
            .checked_mul(u64::from(base))
            .and_then(|v| v.checked_add(u64::from(d)))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    (value, overflow, neg, any)
}

/// C `strtoul`: the value (negated modulo 2^64 after a `-`) and whether it
/// overflowed (`ERANGE`, value `u64::MAX`).
pub fn strtoul(s: &str, base: u32) -> (u64, bool) {
    let (v, overflow, neg, _) = parse(s, base);
    if overflow {
        return (u64::MAX, true);
    }
    (if neg { v.wrapping_neg() } else { v }, false)
}

/// C `strtol`: the value clamped to `i64` and whether it was out of range.
pub fn strtol(s: &str, base: u32) -> (i64, bool) {
    let (v, overflow, neg, _) = parse(s, base);
    if neg {
        if overflow || v > 1u64 << 63 {
            (i64::MIN, true)
        } else {
            (0i64.wrapping_sub_unsigned(v), false)
        }
    } else if overflow || v > i64::MAX as u64 {
        (i64::MAX, true)
    } else {
        (v as i64, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_c() {
        assert_eq!(strtoul("0x10", 0), (16, false));
        assert_eq!(strtoul("077", 0), (63, false));
        assert_eq!(strtoul("12abc", 0), (12, false));
        assert_eq!(strtoul("-1", 0), (u64::MAX, false));
        assert_eq!(strtoul("0x", 0), (0, false));
        assert_eq!(strtoul("99999999999999999999999", 0), (u64::MAX, true));
        assert_eq!(strtol("-13", 0), (-13, false));
        assert_eq!(strtol("-99999999999999999999", 0), (i64::MIN, true));
        assert_eq!(strtol("c000003e", 16), (0xc000_003e, false));
        assert_eq!(strtol("", 0), (0, false));
    }
}
