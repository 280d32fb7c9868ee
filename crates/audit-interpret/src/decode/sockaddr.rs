//! The decoder of socket addresses (`saddr`): libauparse's `print_sockaddr`,
//! with glibc's `inet_ntop` for the addresses.

use super::{cut_at_nul, lookup, unescape_into, unknown};
use crate::cnum::{push_dec, push_hex, push_udec};
use crate::tables as t;

/// glibc's `inet_ntop` for IPv6 (zero-run compression from two words on,
/// dotted quad for IPv4-compatible and -mapped addresses).
fn push_ipv6(out: &mut Vec<u8>, a: &[u8; 16]) {
    let w: [u16; 8] = std::array::from_fn(|i| u16::from_be_bytes([a[2 * i], a[2 * i + 1]]));
    let (mut best, mut cur) = ((usize::MAX, 0usize), (usize::MAX, 0usize));
    for (i, &x) in w.iter().enumerate() {
        if x == 0 {
            if cur.0 == usize::MAX {
                cur = (i, 1);
            } else {
                cur.1 += 1;
            }
        } else if cur.0 != usize::MAX {
            if best.0 == usize::MAX || cur.1 > best.1 {
                best = cur;
            }
            cur = (usize::MAX, 0);
        }
    }
    if cur.0 != usize::MAX && (best.0 == usize::MAX || cur.1 > best.1) {
        best = cur;
    }
    if best.0 != usize::MAX && best.1 < 2 {
        best = (usize::MAX, 0);
    }
    let mut i = 0;
    while i < 8 {
        if best.0 != usize::MAX && i >= best.0 && i < best.0 + best.1 {
            if i == best.0 {
                out.push(b':');
            }
            i += 1;
            continue;
        }
        if i != 0 {
            out.push(b':');
        }
        if i == 6 && best.0 == 0 && (best.1 == 6 || (best.1 == 5 && w[5] == 0xffff)) {
            push_ipv4(out, &a[12..16]);
            return;
        }
        push_hex(out, u64::from(w[i]));
        i += 1;
    }
    if best.0 != usize::MAX && best.0 + best.1 == 8 {
        out.push(b':');
    }
}

fn push_ipv4(out: &mut Vec<u8>, a: &[u8]) {
    for (i, b) in a.iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        push_udec(out, u64::from(*b));
    }
}

fn c_str(b: &[u8], max: usize) -> &[u8] {
    let b = &b[..b.len().min(max)];
    match memchr::memchr(0, b) {
        Some(p) => &b[..p],
        None => b,
    }
}

pub(super) fn sockaddr(val: &[u8], out: &mut Vec<u8>) {
    let slen = val.len() / 2;
    let mut host = Vec::with_capacity(slen + 2);
    if !unescape_into(val, &mut host) {
        unknown(out, b"malformed-host(", val, b")");
        return;
    }
    // The C code reads a struct overlay of a buffer zero-filled past the
    // decoded bytes; pad so fixed-offset reads see those zeros.
    host.resize(host.len().max(128), 0);
    let family = u16::from_ne_bytes([host[0], host[1]]);
    let Some(fam) = lookup(t::FAM, i32::from(family)) else {
        out.extend_from_slice(b"unknown-family(");
        push_udec(out, u64::from(family));
        out.push(b')');
        return;
    };
    let start = out.len();
    out.extend_from_slice(b"{ saddr_fam=");
    out.extend_from_slice(fam);
    match family {
        1 => {
            if slen < 4 {
                out.extend_from_slice(b" sockaddr len too short }");
            } else {
                let path = &host[2..];
                let path = if path[0] != 0 {
                    c_str(path, 108)
                } else {
                    c_str(&path[1..], 108)
                };
                out.extend_from_slice(b" path=");
                out.extend_from_slice(path);
                out.extend_from_slice(b" }");
            }
        }
        2 => {
            if slen < 16 {
                out.extend_from_slice(b" sockaddr len too short }");
            } else {
                out.extend_from_slice(b" laddr=");
                push_ipv4(out, &host[4..8]);
                out.extend_from_slice(b" lport=");
                push_udec(out, u64::from(u16::from_be_bytes([host[2], host[3]])));
                out.extend_from_slice(b" }");
            }
        }
        3 => {
            out.extend_from_slice(b" call=");
            out.extend_from_slice(&host[2..9]);
            out.extend_from_slice(b" }");
            cut_at_nul(out, start);
        }
        8 => {
            out.extend_from_slice(b" int=");
            // `sap_addr` is 4-aligned: its `itf` is at offset 4.
            push_dec(out, i64::from(i16::from_ne_bytes([host[4], host[5]])));
            out.extend_from_slice(b" }");
        }
        9 => {
            out.extend_from_slice(b" laddr=");
            out.extend_from_slice(c_str(&host[2..], 15));
            out.extend_from_slice(b" }");
        }
        10 => {
            if slen < 28 {
                out.extend_from_slice(b" sockaddr6 len too short }");
            } else {
                out.extend_from_slice(b" laddr=");
                let addr: [u8; 16] = host[8..24].try_into().unwrap_or([0; 16]);
                push_ipv6(out, &addr);
                let scope = u32::from_ne_bytes([host[24], host[25], host[26], host[27]]);
                if scope != 0 {
                    out.push(b'%');
                    push_udec(out, u64::from(scope));
                }
                out.extend_from_slice(b" lport=");
                push_udec(out, u64::from(u16::from_be_bytes([host[2], host[3]])));
                out.extend_from_slice(b" }");
            }
        }
        16 => {
            if slen < 12 {
                out.extend_from_slice(b" len too short }");
            } else {
                out.extend_from_slice(b" nlnk-fam=");
                push_udec(out, u64::from(family));
                out.extend_from_slice(b" nlnk-pid=");
                push_udec(
                    out,
                    u64::from(u32::from_ne_bytes([host[4], host[5], host[6], host[7]])),
                );
                out.extend_from_slice(b" }");
            }
        }
        _ => out.extend_from_slice(b" (unsupported) }"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_text() {
        let cases: [([u16; 8], &str); 6] = [
            ([0; 8], "::"),
            ([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304], "::ffff:1.2.3.4"),
            ([0, 0, 0, 0, 0, 0, 0x0102, 0x0304], "::1.2.3.4"),
            ([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], "2001:db8::1:0:0:1"),
            ([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], "2001:db8:0:1:1:1:1:1"),
            ([0xfe80, 0, 0, 0, 0, 0, 0, 0], "fe80::"),
        ];
        for (w, s) in cases {
            let mut a = [0u8; 16];
            for (i, x) in w.iter().enumerate() {
                a[2 * i..2 * i + 2].copy_from_slice(&x.to_be_bytes());
            }
            let mut out = Vec::new();
            push_ipv6(&mut out, &a);
            assert_eq!(String::from_utf8(out).unwrap(), s);
        }
    }
}
