//! The value decoders: one per [`FieldType`], each appending the
//! interpretation of a raw value to an output buffer, with libauparse's
//! results (including its texts for values it cannot decode).

use crate::cnum::{push_dec, push_hex, push_oct, push_udec, strtol, strtoul, HEX};
use crate::ids::{IdCache, IdKind};
use audit_syscalls::compat;

use crate::machine::{self, syscall_name, Machine};
use crate::memo::{ctx_key, Memo};
use crate::scan::find_byte;
use crate::tables as t;
use crate::types::{is_hex_string, FieldType};
use std::collections::HashMap;

mod args;
mod sockaddr;

use args::a3;
use sockaddr::sockaddr;

/// What the decoders need to know about the record a field is in: its
/// architecture, syscall number and first two syscall arguments, as
/// libauparse collects them while splitting a record into fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyscallContext {
    /// The record's machine; `None` when the record has no usable `arch`.
    pub machine: Option<Machine>,
    /// The syscall number (`None` when the record has none or it is not a
    /// number). A number past `u32` keeps its low 32 bits, as libauparse's
    /// `int` does.
    pub syscall: Option<u32>,
    /// Syscall argument 0 (`a0`, parsed as hex).
    pub a0: u64,
    /// Syscall argument 1 (`a1`, parsed as hex).
    pub a1: u64,
}

impl SyscallContext {
    /// Collects the context from a record's fields, given in order with the
    /// leading `node` and `type` fields, exactly as libauparse does: `arch`
    /// is only taken as the 2nd or 11th field (after `type`, and after `node`
    /// when present), `syscall` as the 3rd or 12th, `a0` as the 6th and `a1`
    /// as the 7th.
    pub fn from_fields<'a, I>(fields: I) -> Self
    where
        I: IntoIterator<Item = (&'a [u8], &'a [u8])>,
    {
        let mut ctx = Self::default();
        let mut offset = 0;
        for (i, (name, value)) in fields.into_iter().enumerate() {
            let cnt = i + 1;
            if cnt == 1 && name == b"node" {
                offset = 1;
            } else if (cnt == 2 + offset || cnt == 11 + offset) && name == b"arch" {
                ctx.machine = match strtoul(value, 16) {
                    Some(v) => compat::machine_from_audit_arch(v as u32),
                    None => None,
                };
            } else if (cnt == 3 + offset || cnt == 12 + offset) && name == b"syscall" {
                ctx.syscall = strtoul(value, 10).map(|v| v as u32);
            } else if cnt == 6 + offset && name == b"a0" {
                ctx.a0 = strtoul(value, 16).unwrap_or(u64::MAX);
            } else if cnt == 7 + offset && name == b"a1" {
                ctx.a1 = strtoul(value, 16).unwrap_or(u64::MAX);
            }
        }
        ctx
    }

    fn syscall_name(&self) -> Option<&'static str> {
        self.machine
            .zip(self.syscall)
            .and_then(|(m, nr)| syscall_name(m, nr))
    }
}

/// Where an interpretation is, as a decoder or the interpreter around them
/// gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interpreted<'v> {
    /// None: libauparse gives NULL (for a few malformed inputs).
    Null,
    /// Appended to the caller's buffer.
    InOut,
    /// Not copied: the ENRICHED interpretation, the raw value itself, or a
    /// constant.
    Direct(&'v [u8]),
}

pub(crate) fn lookup(table: &[(i32, &'static [u8])], v: i32) -> Option<&'static [u8]> {
    table.iter().find(|e| e.0 == v).map(|e| e.1)
}

/// Decoders with the caches they need (names of users, groups, protocols).
#[derive(Debug, Default)]
pub(crate) struct Decoders {
    pub(crate) ids: IdCache,
    protos: HashMap<i32, Option<Box<[u8]>>>,
    memo: Memo,
}

fn conversion_error(out: &mut Vec<u8>, val: &[u8]) {
    out.extend_from_slice(b"conversion error(");
    out.extend_from_slice(val);
    out.push(b')');
}

/// libauparse's `au_unescape`: `(...)` up to the closing parenthesis is kept
/// as is; otherwise the leading hex digits are decoded (an odd last digit is
/// a high nibble). `None` when there is no `)` or fewer than two hex digits.
/// The result is appended to `out` in full (NUL bytes included).
pub(crate) fn unescape_into(val: &[u8], out: &mut Vec<u8>) -> bool {
    if val.first() == Some(&b'(') {
        return match memchr::memchr(b')', val) {
            Some(p) => {
                out.extend_from_slice(&val[..=p]);
                true
            }
            None => false,
        };
    }
    let start = out.len();
    let mut digits = decode_hex_pairs(val, out, |b| b);
    if let Some(&last) = val.get(digits) {
        let d = HEX[usize::from(last)];
        if d < 16 {
            out.push(d << 4);
            digits += 1;
        }
    }
    if digits < 2 {
        out.truncate(start);
        return false;
    }
    true
}

/// Appends `map` of each byte the leading hex digit pairs of `val` encode;
/// returns how many digits that took (even; a digit left alone is not read).
#[inline(always)]
fn decode_hex_pairs(val: &[u8], out: &mut Vec<u8>, map: impl Fn(u8) -> u8) -> usize {
    out.reserve(val.len() / 2 + 1);
    let mut i = 0;
    for pair in val.chunks_exact(2) {
        let (h, l) = (HEX[usize::from(pair[0])], HEX[usize::from(pair[1])]);
        if (h | l) >= 16 {
            break;
        }
        out.push(map((h << 4) | l));
        i += 2;
    }
    i
}

/// Truncates `out` at the first NUL at or after `start` (C string semantics).
fn cut_at_nul(out: &mut Vec<u8>, start: usize) {
    if let Some(p) = out.get(start..).and_then(|t| find_byte(0, t)) {
        out.truncate(start + p);
    }
}

/// What [`escaped`] gives for a quoted value that has its closing quote: the
/// text up to that quote, and to the first NUL (a C string).
#[inline]
fn quoted_text(val: &[u8]) -> Option<&[u8]> {
    let rest = val.strip_prefix(b"\"")?;
    let text = &rest[..find_byte(b'"', rest)?];
    Some(find_byte(0, text).map_or(text, |z| &text[..z]))
}

/// libauparse's `print_escaped`: a quoted value without its quotes, a hex
/// value decoded (a leading `00` is skipped, as for abstract unix socket
/// names), `(null)` as is; a value that cannot be decoded is returned as is.
pub(crate) fn escaped(val: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    if val.first() == Some(&b'"') {
        match quoted_text(val) {
            Some(text) => out.extend_from_slice(text),
            None => out.push(b' '),
        }
        return;
    }
    let src = if val.len() >= 2 && val[0] == b'0' && val[1] == b'0' {
        &val[2..]
    } else {
        val
    };
    if !unescape_into(src, out) {
        out.truncate(start);
        out.extend_from_slice(val);
    }
    cut_at_nul(out, start);
}

fn proctitle(val: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    if val.first() == Some(&b'"') {
        escaped(val, out);
        return;
    }
    // The usual title, an even number of hex digits and no leading `00`,
    // comes out as its bytes with the NUL separators turned into spaces (see
    // below: the buffer has a zero right after them).
    if val.len().is_multiple_of(2) && !val.starts_with(b"00") {
        let digits = decode_hex_pairs(val, out, |b| if b == 0 { b' ' } else { b });
        if digits == val.len() && digits >= 2 {
            return;
        }
        out.truncate(start);
    }
    let src = if val.len() >= 2 && val[0] == b'0' && val[1] == b'0' {
        &val[2..]
    } else {
        val
    };
    if !unescape_into(src, out) {
        out.truncate(start);
        out.extend_from_slice(val);
        cut_at_nul(out, start);
        return;
    }
    // Rebuild the buffer libauparse works on: the decoded bytes, then zeros
    // up to index strlen(src)/2, then what is left of the hex text it decoded
    // in place, then its terminator. The NUL argument separators before index
    // strlen(val)/2 become spaces; the text ends at the first NUL after that.
    let hex_len = src.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    let n = out.len() - start;
    let zero_end = src.len() / 2 + 1;
    let mut buf_end = hex_len.max(zero_end);
    if buf_end < n {
        buf_end = n;
    }
    out.resize(start + buf_end, 0);
    for i in n..buf_end {
        out[start + i] = if i < zero_end || i >= hex_len {
            0
        } else {
            src[i]
        };
    }
    let total = val.len() / 2;
    for b in out[start..start + total.min(buf_end)].iter_mut() {
        if *b == 0 {
            *b = b' ';
        }
    }
    cut_at_nul(out, start);
}

fn join_flags(out: &mut Vec<u8>, table: &[(i32, &[u8])], flags: u64, sep: u8, first: bool) -> bool {
    let mut any = first;
    for &(v, name) in table {
        if (v as i64 as u64) & flags != 0 {
            if any {
                out.push(sep);
            }
            out.extend_from_slice(name);
            any = true;
        }
    }
    any
}

fn push_0x(out: &mut Vec<u8>, val: &[u8]) {
    out.extend_from_slice(b"0x");
    out.extend_from_slice(val);
}

fn unknown(out: &mut Vec<u8>, what: &[u8], val: &[u8], close: &[u8]) {
    out.extend_from_slice(what);
    out.extend_from_slice(val);
    out.extend_from_slice(close);
}

/// Writes `tname` or `what(0x<val>)`-style fallbacks for a plain table lookup.
fn table_or(out: &mut Vec<u8>, table: &[(i32, &'static [u8])], v: i32, what: &[u8], val: &[u8]) {
    match lookup(table, v) {
        Some(s) => out.extend_from_slice(s),
        None => unknown(out, what, val, b")"),
    }
}

fn mode_short_int(out: &mut Vec<u8>, ival: u32) {
    let mut any = false;
    for (bit, name) in [
        (0o4000, &b"suid"[..]),
        (0o2000, b"sgid"),
        (0o1000, b"sticky"),
    ] {
        if ival & bit != 0 {
            if any {
                out.push(b',');
            }
            out.extend_from_slice(name);
            any = true;
        }
    }
    if any {
        out.push(b',');
    }
    out.push(b'0');
    push_oct(out, u64::from(ival & 0o777), 3);
}

fn tty_data(raw: &[u8], out: &mut Vec<u8>) -> Interpreted<'static> {
    if !is_hex_string(raw) {
        out.extend_from_slice(raw);
        return Interpreted::InOut;
    }
    let mut data = Vec::with_capacity(raw.len() / 2 + 1);
    if !unescape_into(raw, &mut data) {
        return Interpreted::Null;
    }
    data.truncate(raw.len() / 2);
    let start = out.len();
    let mut in_printable = false;
    let mut pos = 0;
    while pos < data.len() {
        let c = data[pos];
        let named = if c >= b' ' && !(0x7f..0xa0).contains(&c) {
            None
        } else {
            t::TTY_NAMED_KEYS
                .iter()
                .find(|(seq, _)| data[pos..].starts_with(seq))
        };
        if let Some((seq, name)) = named {
            if in_printable {
                out.push(b'"');
                in_printable = false;
            }
            if out.len() != start {
                out.push(b',');
            }
            out.push(b'<');
            out.extend_from_slice(name);
            out.push(b'>');
            pos += seq.len();
        } else {
            if !in_printable {
                if out.len() != start {
                    out.push(b',');
                }
                out.push(b'"');
                in_printable = true;
            }
            if !(0x20..=0x7e).contains(&c) {
                out.extend_from_slice(&[
                    b'\\',
                    b'0' + (c >> 6),
                    b'0' + ((c >> 3) & 7),
                    b'0' + (c & 7),
                ]);
            } else {
                if c == b'\\' || c == b'"' {
                    out.push(b'\\');
                }
                out.push(c);
            }
            pos += 1;
        }
    }
    if in_printable {
        out.push(b'"');
    }
    Interpreted::InOut
}

fn errno_name(e: i32) -> Option<&'static [u8]> {
    if e < 0 {
        None
    } else {
        lookup(t::ERR, e)
    }
}

fn strerror(out: &mut Vec<u8>, e: i32) {
    match usize::try_from(e).ok().and_then(|i| t::STRERROR.get(i)) {
        Some(s) => out.extend_from_slice(s.as_bytes()),
        None => {
            out.extend_from_slice(b"Unknown error ");
            push_dec(out, i64::from(e));
        }
    }
}

impl Decoders {
    fn protocol(&mut self, p: i32) -> Option<&[u8]> {
        if !self.protos.contains_key(&p) {
            if self.protos.len() > 1024 {
                self.protos.clear();
            }
            self.protos.insert(p, audit_nss::protocol_name(p));
        }
        self.protos.get(&p).and_then(|e| e.as_deref())
    }

    #[inline(never)]
    fn id(&mut self, kind: IdKind, val: &[u8], base: u32, out: &mut Vec<u8>) {
        match strtoul(val, base) {
            Some(v) => self.id_of(kind, v, out),
            None => conversion_error(out, val),
        }
    }

    /// [`Decoders::id`] of the number read from the value.
    fn id_of(&mut self, kind: IdKind, v: u64, out: &mut Vec<u8>) {
        // As libauparse, the number is taken as a 32-bit id.
        let id = v as u32;
        if id == u32::MAX {
            out.extend_from_slice(b"unset");
        } else if id == 0 {
            out.extend_from_slice(b"root");
        } else if let Some(name) = self.ids.name(kind, id) {
            out.extend_from_slice(name);
        } else {
            out.extend_from_slice(b"unknown(");
            push_dec(out, i64::from(id as i32));
            out.push(b')');
        }
    }

    /// Appends the interpretation of `val` as type `ty` to `out`. Returns
    /// false (and appends nothing) where libauparse returns NULL.
    ///
    /// The commonest types are decoded here, the others out of line.
    #[inline(always)]
    pub(crate) fn decode(
        &mut self,
        ty: FieldType,
        ctx: &SyscallContext,
        val: &[u8],
        out: &mut Vec<u8>,
    ) -> bool {
        match self.decode_or_borrow(ty, ctx, val, out) {
            Interpreted::Direct(direct) => {
                out.extend_from_slice(direct);
                true
            }
            Interpreted::InOut => true,
            Interpreted::Null => false,
        }
    }

    /// As [`Decoders::decode`], but where the interpretation is `val` itself or
    /// a constant (most fields of any record), it is given as
    /// [`Interpreted::Direct`], not appended.
    #[inline(always)]
    pub(crate) fn decode_or_borrow<'v>(
        &mut self,
        ty: FieldType,
        ctx: &SyscallContext,
        val: &'v [u8],
        out: &mut Vec<u8>,
    ) -> Interpreted<'v> {
        use FieldType as F;
        match ty {
            F::Unclassified | F::Addr | F::MacLabel => return Interpreted::Direct(val),
            F::Uid | F::Gid => match strtoul(val, 10) {
                // No lookup for the two ids every log is full of.
                Some(0) => return Interpreted::Direct(b"root"),
                Some(0xffff_ffff) => return Interpreted::Direct(b"unset"),
                Some(id) => {
                    let kind = if ty == F::Uid {
                        IdKind::User
                    } else {
                        IdKind::Group
                    };
                    self.id_of(kind, id, out);
                }
                None => conversion_error(out, val),
            },
            F::Session => {
                return Interpreted::Direct(if val == b"4294967295" { b"unset" } else { val })
            }
            // A quoted value's text is borrowed (keys are escaped one by one,
            // in `out`).
            F::Escaped | F::EscapedFile => match quoted_text(val) {
                Some(text) => return Interpreted::Direct(text),
                None => escaped(val, out),
            },
            F::EscapedKey => escaped(val, out),
            _ => {
                if let Some(text) = common_direct(ty, ctx, val) {
                    return Interpreted::Direct(text);
                }
                return self.decode_other(ty, ctx, val, out);
            }
        }
        Interpreted::InOut
    }

    /// [`Decoders::decode`] for the less common types, through the memo.
    #[inline(never)]
    fn decode_other(
        &mut self,
        ty: FieldType,
        ctx: &SyscallContext,
        val: &[u8],
        out: &mut Vec<u8>,
    ) -> Interpreted<'static> {
        // Syscall arguments are mostly pointers and counts that never repeat, and
        // most decode to `0x` and the value: remembering them costs more than
        // decoding them again and pushes out the results that do repeat.
        if matches!(
            ty,
            FieldType::A0 | FieldType::A1 | FieldType::A2 | FieldType::A3
        ) {
            return self.decode_uncached(ty, ctx, val, out);
        }
        let key = ctx_key(ty, ctx);
        match self.memo.lookup(ty, &key, val, out) {
            Ok(produced) => produced,
            Err(slot) => {
                let start = out.len();
                let produced = self.decode_uncached(ty, ctx, val, out);
                if let Some(result) = out.get(start..) {
                    self.memo.store(slot, ty, &key, val, result, produced);
                }
                produced
            }
        }
    }

    /// Forgets every remembered result (after the id cache was handed out,
    /// as names may change).
    pub(crate) fn forget(&mut self) {
        self.memo.clear();
    }

    /// [`Decoders::decode`] for the less common types.
    fn decode_uncached(
        &mut self,
        ty: FieldType,
        ctx: &SyscallContext,
        val: &[u8],
        out: &mut Vec<u8>,
    ) -> Interpreted<'static> {
        use FieldType as F;
        match ty {
            F::Uid => self.id(IdKind::User, val, 10, out),
            F::Gid => self.id(IdKind::Group, val, 10, out),
            F::Syscall => syscall(ctx, val, out),
            F::Arch => arch(ctx, val, out),
            F::Exit => exit(val, out),
            F::Escaped | F::EscapedFile | F::EscapedKey => escaped(val, out),
            F::Perm => perm(val, out),
            F::Mode => mode(val, 8, out),
            F::ModeShort => mode_short(val, 8, out),
            F::Sockaddr => sockaddr(val, out),
            F::Flags => flags_rhel4(val, out),
            F::Promisc => match strtol(val, 10) {
                None => conversion_error(out, val),
                Some(v) => out.extend_from_slice(if v as i32 == 0 { b"no" } else { b"yes" }),
            },
            F::Capability => capability(val, 10, out),
            F::Success => {
                if val.first().is_some_and(u8::is_ascii_digit) {
                    match strtoul(val, 10) {
                        None => conversion_error(out, val),
                        Some(v) => out.extend_from_slice(match v as i32 {
                            0 => b"no",
                            1 => b"yes",
                            _ => b"unset",
                        }),
                    }
                } else {
                    out.extend_from_slice(val);
                }
            }
            F::A0 => self.a0(ctx, val, out),
            F::A1 => self.a1(ctx, val, out),
            F::A2 => self.a2(ctx, val, out),
            F::A3 => a3(ctx, val, out),
            F::Signal => signal(val, 10, out),
            F::List => match strtoul(val, 10) {
                None => conversion_error(out, val),
                Some(v) => table_or(out, t::LIST, v as i32, b"unknown-list(", val),
            },
            F::TtyData => return tty_data(val, out),
            F::Session => {
                if val == b"4294967295" {
                    out.extend_from_slice(b"unset");
                } else {
                    out.extend_from_slice(val);
                }
            }
            F::CapBitmap => cap_bitmap(val, out),
            F::Nfproto => match strtoul(val, 10) {
                None => conversion_error(out, val),
                Some(v) => table_or(
                    out,
                    t::NFPROTO,
                    v as i32,
                    b"unknown-netfilter-protocol(",
                    val,
                ),
            },
            F::Icmptype => match strtoul(val, 10) {
                None => conversion_error(out, val),
                Some(v) => table_or(out, t::ICMPTYPE, v as i32, b"unknown-icmp-type(", val),
            },
            F::Protocol => match strtoul(val, 10) {
                None => conversion_error(out, val),
                Some(v) => match self.protocol(v as i32) {
                    Some(n) => out.extend_from_slice(n),
                    None => out.extend_from_slice(b"undefined protocol"),
                },
            },
            F::Personality => personality(val, out),
            F::Seccomp => match strtoul(val, 16) {
                None => conversion_error(out, val),
                Some(v) => table_or(
                    out,
                    t::SECCOMP,
                    (v & 0x7fff_0000) as i32,
                    b"unknown-seccomp-code(",
                    val,
                ),
            },
            F::Oflag => open_flags(val, out),
            F::Mmap => mmap(val, out),
            F::Proctitle => proctitle(val, out),
            F::Hook => hex_table(val, t::INETHOOK, b"unknown-hook(", b"", out),
            F::Netaction => hex_table(val, t::NETACTION, b"unknown-action(", b"", out),
            F::Macproto => match strtoul(val, 16) {
                None => conversion_error(out, val),
                Some(v) => out.extend_from_slice(match v as i32 {
                    0x0800 => b"IP",
                    0x0806 => b"ARP",
                    _ => b"UNKNOWN",
                }),
            },
            F::IoctlReq => ioctl(val, out),
            F::Fanotify => {
                if val.first().is_some_and(u8::is_ascii_digit) {
                    match strtoul(val, 10) {
                        None => conversion_error(out, val),
                        Some(v) => out.extend_from_slice(match v as u32 {
                            1 => b"allow",
                            2 => b"deny",
                            _ => b"unknown",
                        }),
                    }
                } else {
                    out.extend_from_slice(val);
                }
            }
            F::Nlmcgrp => match strtoul(val, 16) {
                None => conversion_error(out, val),
                Some(1) => out.extend_from_slice(b"audit-netlink-multicast"),
                Some(_) => out.extend_from_slice(b"audit-none"),
            },
            F::Resolve => flag_list(val, t::OPENAT2_RESOLVE, out),
            F::Addr | F::MacLabel | F::Unclassified => out.extend_from_slice(val),
        }
        Interpreted::InOut
    }
}

/// The interpretations of the commonest values of the types
/// [`Decoders::decode_other`] handles that are the value itself or a constant
/// (a syscall's name, an architecture's, a count or a file descriptor
/// returned, `yes`, an empty capability set), as [`Decoders::decode_uncached`]
/// would append them: found at less cost than through the memo. `None` for
/// the rest.
#[inline(always)]
fn common_direct<'v>(ty: FieldType, ctx: &SyscallContext, val: &'v [u8]) -> Option<&'v [u8]> {
    use FieldType as F;
    match ty {
        F::CapBitmap if val == b"0" => Some(b"none"),
        F::Success if !val.first().is_some_and(u8::is_ascii_digit) => Some(val),
        F::Exit => match strtol(val, 10) {
            Some(v) if v >= 0 => Some(val),
            _ => None,
        },
        F::Syscall => {
            // With a0, socketcall and ipc name the call they make.
            let sys = syscall_name(ctx.machine.or_else(machine::host)?, ctx.syscall?)?;
            (sys != "socketcall" && sys != "ipc").then_some(sys.as_bytes())
        }
        F::Arch => match ctx.machine {
            Some(m) if m != Machine::Ppc64le => m.libaudit_name().map(str::as_bytes),
            _ => None,
        },
        _ => None,
    }
}

fn syscall(ctx: &SyscallContext, val: &[u8], out: &mut Vec<u8>) {
    let Some(machine) = ctx.machine.or_else(machine::host) else {
        out.extend_from_slice(val);
        return;
    };
    match ctx.syscall.and_then(|nr| syscall_name(machine, nr)) {
        Some(sys) => {
            out.extend_from_slice(sys.as_bytes());
            let a0 = ctx.a0;
            let func = if a0 as i32 as i64 as u64 == a0 {
                match sys {
                    "socketcall" => lookup(t::SOCK, a0 as i32),
                    "ipc" => lookup(t::IPC, a0 as i32),
                    _ => None,
                }
            } else {
                None
            };
            if let Some(func) = func {
                out.push(b'(');
                out.extend_from_slice(func);
                out.push(b')');
            }
        }
        None => {
            out.extend_from_slice(b"unknown-syscall(");
            // libauparse prints its `int`: -1 for none, negative past i32.
            push_dec(out, i64::from(ctx.syscall.map_or(-1, |nr| nr as i32)));
            out.push(b')');
        }
    }
}

fn arch(ctx: &SyscallContext, val: &[u8], out: &mut Vec<u8>) {
    let machine = match ctx.machine {
        Some(m) if m != Machine::Ppc64le => m,
        _ => {
            let Some(v) = strtoul(val, 16) else {
                unknown(out, b"conversion error(", val, b") ");
                return;
            };
            match compat::machine_from_audit_arch(v as u32) {
                Some(m) => m,
                None => {
                    unknown(out, b"unknown-elf-type(", val, b")");
                    return;
                }
            }
        }
    };
    match machine.libaudit_name() {
        Some(n) => out.extend_from_slice(n.as_bytes()),
        None => {
            out.extend_from_slice(b"unknown-machine-type(");
            push_udec(out, u64::from(machine.audit_arch()));
            out.push(b')');
        }
    }
}

fn exit(val: &[u8], out: &mut Vec<u8>) {
    let Some(v) = strtol(val, 10) else {
        conversion_error(out, val);
        return;
    };
    if v < 0 {
        let e = v.wrapping_neg() as i32;
        out.extend_from_slice(errno_name(e).unwrap_or(b"(null)"));
        out.push(b'(');
        strerror(out, e);
        out.push(b')');
    } else {
        out.extend_from_slice(val);
    }
}

fn perm(val: &[u8], out: &mut Vec<u8>) {
    let Some(v) = strtol(val, 10) else {
        conversion_error(out, val);
        return;
    };
    let mut v = v as i32;
    if v == 0 {
        v = 0x0f;
    }
    let mut any = false;
    for (bit, name) in [(4, &b"read"[..]), (2, b"write"), (1, b"exec"), (8, b"attr")] {
        if v & bit != 0 {
            if any {
                out.push(b',');
            }
            out.extend_from_slice(name);
            any = true;
        }
    }
}

fn mode(val: &[u8], base: u32, out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, base) else {
        conversion_error(out, val);
        return;
    };
    let v = v as u32;
    match lookup(t::FTYPE, (v & 0o170000) as i32) {
        Some(n) => out.extend_from_slice(n),
        None => push_oct(out, u64::from((v & 0o170000) / 0o10000), 3),
    }
    for (bit, name) in [
        (0o4000, &b",suid"[..]),
        (0o2000, b",sgid"),
        (0o1000, b",sticky"),
    ] {
        if v & bit != 0 {
            out.extend_from_slice(name);
        }
    }
    out.push(b',');
    push_oct(out, u64::from(v & 0o777), 3);
}

fn mode_short(val: &[u8], base: u32, out: &mut Vec<u8>) {
    match strtoul(val, base) {
        None => conversion_error(out, val),
        Some(v) => mode_short_int(out, v as u32),
    }
}

fn flags_rhel4(val: &[u8], out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, 16) else {
        conversion_error(out, val);
        return;
    };
    let flags = v as i32;
    if flags == 0 {
        out.extend_from_slice(b"none");
        return;
    }
    if !join_flags(out, t::FLAG, u64::from(flags as u32), b',', false) {
        push_0x(out, val);
    }
}

fn capability(val: &[u8], base: u32, out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, base) else {
        conversion_error(out, val);
        return;
    };
    match lookup(t::CAP, v as i32) {
        Some(s) => out.extend_from_slice(s),
        None => unknown(
            out,
            if base == 16 {
                b"unknown-capability(0x"
            } else {
                b"unknown-capability("
            },
            val,
            b")",
        ),
    }
}

/// The highest capability number of the C library's build (`CAP_LAST_CAP`).
const CAP_LAST_CAP: u32 = 40;

fn cap_bitmap(val: &[u8], out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, 16) else {
        conversion_error(out, val);
        return;
    };
    let mut found = false;
    let mut bits = v & ((2u64 << CAP_LAST_CAP) - 1);
    while bits != 0 {
        let i = bits.trailing_zeros();
        bits &= bits - 1;
        if found {
            out.push(b',');
        }
        if let Some(s) = lookup(t::CAP, i as i32) {
            out.extend_from_slice(s);
        }
        found = true;
    }
    if !found {
        out.extend_from_slice(b"none");
    }
}

fn signal(val: &[u8], base: u32, out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, base) else {
        conversion_error(out, val);
        return;
    };
    let i = v as i32;
    if i < 32 {
        if let Some(s) = lookup(t::SIGNAL, i) {
            out.extend_from_slice(s);
            return;
        }
    }
    unknown(
        out,
        if base == 16 {
            b"unknown-signal(0x"
        } else {
            b"unknown-signal("
        },
        val,
        b")",
    );
}

fn open_flags(val: &[u8], out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, 16) else {
        conversion_error(out, val);
        return;
    };
    let flags = v as u32;
    let mut first = false;
    if flags & 3 == 0 {
        out.extend_from_slice(b"O_RDONLY");
        first = true;
    }
    if !join_flags(out, t::OPEN_FLAG, u64::from(flags), b'|', first) {
        push_0x(out, val);
    }
}

fn flag_list(val: &[u8], table: &[(i32, &[u8])], out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, 16) else {
        conversion_error(out, val);
        return;
    };
    // openat2's resolve flags are 64-bit, the others are `unsigned int`.
    let v = if std::ptr::eq(table, t::OPENAT2_RESOLVE) {
        v
    } else {
        u64::from(v as u32)
    };
    if !join_flags(out, table, v, b'|', false) {
        push_0x(out, val);
    }
}

fn hex_table(
    val: &[u8],
    table: &[(i32, &'static [u8])],
    what: &[u8],
    _unused: &[u8],
    out: &mut Vec<u8>,
) {
    match strtoul(val, 16) {
        None => conversion_error(out, val),
        Some(v) => table_or(out, table, v as i32, what, val),
    }
}

fn mmap(val: &[u8], out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, 16) else {
        conversion_error(out, val);
        return;
    };
    let maps = v as u32;
    let mut first = false;
    if maps & 0x0f == 0 {
        out.extend_from_slice(b"MAP_FILE");
        first = true;
    }
    if !join_flags(out, t::MMAP, u64::from(maps), b'|', first) {
        push_0x(out, val);
    }
}

fn personality(val: &[u8], out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, 16) else {
        conversion_error(out, val);
        return;
    };
    let pers = v as i32;
    match lookup(t::PERSON, pers & 0xff) {
        Some(s) => {
            out.extend_from_slice(s);
            if pers & 0x0040000 != 0 {
                out.extend_from_slice(b"|~ADDR_NO_RANDOMIZE");
            }
        }
        None => unknown(out, b"unknown-personality(0x", val, b")"),
    }
}

fn ioctl(val: &[u8], out: &mut Vec<u8>) {
    match strtoul(val, 16) {
        None => conversion_error(out, val),
        Some(v) => match lookup(t::IOCTLREQ, v as i32) {
            Some(s) => out.extend_from_slice(s),
            None => {
                out.extend_from_slice(b"0x");
                push_hex(out, u64::from(v as u32));
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_interpretations_are_the_decoded_ones() {
        // Wherever decode_or_borrow gives a value as it stands, decoding it
        // the long way gives the same bytes.
        use FieldType as F;
        let machines = [
            None,
            Some(Machine::X86_64),
            Some(Machine::I386),
            Some(Machine::Ppc64le),
            Some(Machine::Riscv64),
            Some(Machine::Aarch64),
        ];
        let values: &[&[u8]] = &[
            b"0",
            b"1",
            b"00",
            b"-2",
            b"-0",
            b"12",
            b"4294967295",
            b"4294967296",
            b"yes",
            b"no",
            b"c000003e",
            b"40000003",
            b"zz",
            b"",
            b"1x",
            b"+3",
            b"ff",
            b"-",
        ];
        let types = [
            F::Unclassified,
            F::Uid,
            F::Gid,
            F::Session,
            F::CapBitmap,
            F::Success,
            F::Exit,
            F::Syscall,
            F::Arch,
            F::Mode,
        ];
        let mut direct = 0;
        for machine in machines {
            for syscall in [None, Some(0), Some(59), Some(102), Some(117), Some(1 << 20)] {
                let ctx = SyscallContext {
                    machine,
                    syscall,
                    a0: 1,
                    a1: 0,
                };
                for ty in types {
                    for val in values {
                        let mut dec = Decoders::default();
                        let mut out = Vec::new();
                        if let Interpreted::Direct(text) =
                            dec.decode_or_borrow(ty, &ctx, val, &mut out)
                        {
                            direct += 1;
                            assert!(out.is_empty());
                            let mut want = Vec::new();
                            let produced = if matches!(ty, F::Uid | F::Gid) {
                                dec.id(IdKind::User, val, 10, &mut want);
                                true
                            } else if matches!(ty, F::Unclassified | F::Session) {
                                dec.decode(ty, &ctx, val, &mut want)
                            } else {
                                dec.decode_uncached(ty, &ctx, val, &mut want) == Interpreted::InOut
                            };
                            assert!(produced);
                            assert_eq!(
                                String::from_utf8_lossy(text),
                                String::from_utf8_lossy(&want),
                                "{ty:?} {:?} in {ctx:?}",
                                String::from_utf8_lossy(val)
                            );
                        }
                    }
                }
            }
        }
        assert!(direct > 500, "{direct}");
    }

    fn d(ty: FieldType, val: &str) -> String {
        d_ctx(ty, &SyscallContext::default(), val)
    }

    fn d_ctx(ty: FieldType, ctx: &SyscallContext, val: &str) -> String {
        let mut dec = Decoders::default();
        let mut out = Vec::new();
        assert!(dec.decode(ty, ctx, val.as_bytes(), &mut out));
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn ids() {
        assert_eq!(d(FieldType::Uid, "0"), "root");
        assert_eq!(d(FieldType::Uid, "4294967295"), "unset");
        assert_eq!(d(FieldType::Uid, "-1"), "unset");
        assert_eq!(d(FieldType::Uid, "3999999999"), "unknown(-294967297)");
        assert_eq!(d(FieldType::Gid, "0"), "root");
        assert_eq!(
            d(FieldType::Uid, "99999999999999999999"),
            "conversion error(99999999999999999999)"
        );
    }

    #[test]
    fn escaped_values() {
        assert_eq!(d(FieldType::Escaped, "\"/bin/ls\""), "/bin/ls");
        assert_eq!(d(FieldType::Escaped, "\"unterminated"), " ");
        assert_eq!(d(FieldType::Escaped, "2F746D70"), "/tmp");
        assert_eq!(d(FieldType::Escaped, "002F746D70"), "/tmp");
        assert_eq!(d(FieldType::Escaped, "(null)"), "(null)");
        assert_eq!(d(FieldType::Escaped, "(none"), "(none");
        assert_eq!(d(FieldType::Escaped, "?"), "?");
        assert_eq!(d(FieldType::Escaped, "616"), "a`");
        assert_eq!(d(FieldType::Escaped, "610062"), "a");
        assert_eq!(d(FieldType::EscapedKey, "\"k\""), "k");
    }

    #[test]
    fn proctitles() {
        assert_eq!(d(FieldType::Proctitle, "6C73002D6C"), "ls -l");
        assert_eq!(d(FieldType::Proctitle, "\"bash\""), "bash");
        assert_eq!(d(FieldType::Proctitle, "6162zz"), "ab ");
        assert_eq!(d(FieldType::Proctitle, "00616263"), "abc 63");
        assert_eq!(d(FieldType::Proctitle, "(null)"), "(null)");
    }

    #[test]
    fn numbers() {
        assert_eq!(
            d(FieldType::Exit, "-2"),
            "ENOENT(No such file or directory)"
        );
        assert_eq!(d(FieldType::Exit, "0"), "0");
        assert_eq!(d(FieldType::Exit, "-99999"), "(null)(Unknown error 99999)");
        assert_eq!(d(FieldType::Perm, "0"), "read,write,exec,attr");
        assert_eq!(d(FieldType::Perm, "6"), "read,write");
        assert_eq!(d(FieldType::Mode, "0100644"), "file,644");
        assert_eq!(d(FieldType::Mode, "0106755"), "file,suid,sgid,755");
        assert_eq!(d(FieldType::Mode, "0"), "000,000");
        assert_eq!(d(FieldType::ModeShort, "01777"), "sticky,0777");
        assert_eq!(d(FieldType::ModeShort, "0644"), "0644");
        assert_eq!(d(FieldType::Success, "yes"), "yes");
        assert_eq!(d(FieldType::Success, "1"), "yes");
        assert_eq!(d(FieldType::Success, "0"), "no");
        assert_eq!(d(FieldType::Success, "7"), "unset");
        assert_eq!(d(FieldType::Signal, "9"), "SIGKILL");
        assert_eq!(d(FieldType::Signal, "99"), "unknown-signal(99)");
        assert_eq!(d(FieldType::Capability, "21"), "sys_admin");
        assert_eq!(d(FieldType::Capability, "99"), "unknown-capability(99)");
        assert_eq!(d(FieldType::CapBitmap, "0"), "none");
        assert_eq!(d(FieldType::CapBitmap, "3"), "chown,dac_override");
        assert_eq!(d(FieldType::Session, "4294967295"), "unset");
        assert_eq!(d(FieldType::Session, "3"), "3");
        assert_eq!(d(FieldType::List, "4"), "exit");
        assert_eq!(d(FieldType::List, "9"), "unknown-list(9)");
        assert_eq!(d(FieldType::Promisc, "256"), "yes");
        assert_eq!(d(FieldType::Promisc, "0"), "no");
        assert_eq!(d(FieldType::Nfproto, "2"), "ipv4");
        assert_eq!(d(FieldType::Icmptype, "8"), "echo");
        assert_eq!(d(FieldType::Protocol, "6"), "tcp");
        assert_eq!(d(FieldType::Protocol, "254"), "undefined protocol");
        assert_eq!(
            d(FieldType::Personality, "40000"),
            "PER_LINUX|~ADDR_NO_RANDOMIZE"
        );
        assert_eq!(d(FieldType::Personality, "ff"), "unknown-personality(0xff)");
        assert_eq!(d(FieldType::Seccomp, "7fff0000"), "allow");
        assert_eq!(d(FieldType::Seccomp, "1"), "kill");
        assert_eq!(d(FieldType::Oflag, "0"), "O_RDONLY");
        assert_eq!(d(FieldType::Oflag, "80042"), "O_RDWR|O_CREAT|O_CLOEXEC");
        assert_eq!(d(FieldType::Mmap, "22"), "MAP_PRIVATE|MAP_ANONYMOUS");
        assert_eq!(d(FieldType::Hook, "1"), "INPUT");
        assert_eq!(d(FieldType::Hook, "9"), "unknown-hook(9)");
        assert_eq!(d(FieldType::Macproto, "0800"), "IP");
        assert_eq!(d(FieldType::Macproto, "1"), "UNKNOWN");
        assert_eq!(d(FieldType::IoctlReq, "5401"), "TCGETS");
        assert_eq!(d(FieldType::IoctlReq, "1"), "0x1");
        assert_eq!(d(FieldType::Fanotify, "1"), "allow");
        assert_eq!(d(FieldType::Fanotify, "5"), "unknown");
        assert_eq!(d(FieldType::Fanotify, "x"), "x");
        assert_eq!(d(FieldType::Nlmcgrp, "1"), "audit-netlink-multicast");
        assert_eq!(d(FieldType::Nlmcgrp, "0"), "audit-none");
        assert_eq!(d(FieldType::Resolve, "8"), "RESOLVE_BENEATH");
        assert_eq!(d(FieldType::Resolve, "0"), "0x0");
        assert_eq!(d(FieldType::Flags, "0"), "none");
        assert_eq!(d(FieldType::Addr, "1.2.3.4"), "1.2.3.4");
        assert_eq!(d(FieldType::MacLabel, "unconfined"), "unconfined");
    }

    #[test]
    fn arch_values() {
        assert_eq!(d(FieldType::Arch, "c000003e"), "x86_64");
        assert_eq!(d(FieldType::Arch, "40000003"), "i386");
        assert_eq!(d(FieldType::Arch, "c00000b7"), "aarch64");
        assert_eq!(d(FieldType::Arch, "12345"), "unknown-elf-type(12345)");
        let ctx = SyscallContext {
            machine: Some(Machine::Arm),
            ..Default::default()
        };
        assert_eq!(d_ctx(FieldType::Arch, &ctx, "40000028"), "armeb");
    }

    #[test]
    fn sockaddrs() {
        assert_eq!(
            d(FieldType::Sockaddr, "02000050010203040000000000000000"),
            "{ saddr_fam=inet laddr=1.2.3.4 lport=80 }"
        );
        assert_eq!(
            d(FieldType::Sockaddr, "0200"),
            "{ saddr_fam=inet sockaddr len too short }"
        );
        assert_eq!(
            d(FieldType::Sockaddr, "01002F746D702F78"),
            "{ saddr_fam=local path=/tmp/x }"
        );
        assert_eq!(
            d(FieldType::Sockaddr, "010000616263"),
            "{ saddr_fam=local path=abc }"
        );
        assert_eq!(
            d(
                FieldType::Sockaddr,
                "0A002B6700000000000000000000000000000000000000010000000000000000"
            ),
            "{ saddr_fam=inet6 laddr=::1 lport=11111 }"
        );
        assert_eq!(
            d(FieldType::Sockaddr, "100000000000000000000000"),
            "{ saddr_fam=netlink nlnk-fam=16 nlnk-pid=0 }"
        );
        assert_eq!(d(FieldType::Sockaddr, "0000"), "unknown-family(0)");
        assert_eq!(d(FieldType::Sockaddr, "0"), "malformed-host(0)");
        assert_eq!(
            d(FieldType::Sockaddr, "11000000"),
            "{ saddr_fam=packet (unsupported) }"
        );
    }

    #[test]
    fn tty() {
        assert_eq!(d(FieldType::TtyData, "6C730D"), "\"ls\",<ret>");
        assert_eq!(d(FieldType::TtyData, "not hex"), "not hex");
        let mut dec = Decoders::default();
        let mut out = Vec::new();
        assert!(!dec.decode(
            FieldType::TtyData,
            &SyscallContext::default(),
            b"6",
            &mut out
        ));
        assert!(!dec.decode(
            FieldType::TtyData,
            &SyscallContext::default(),
            b"",
            &mut out
        ));
    }

    #[test]
    fn context_positions() {
        let f: Vec<(&[u8], &[u8])> = vec![
            (b"type", b"SYSCALL"),
            (b"arch", b"c000003e"),
            (b"syscall", b"59"),
            (b"success", b"yes"),
            (b"exit", b"0"),
            (b"a0", b"7ffd"),
            (b"a1", b"10"),
        ];
        let c = SyscallContext::from_fields(f.iter().copied());
        assert_eq!(
            c,
            SyscallContext {
                machine: Some(Machine::X86_64),
                syscall: Some(59),
                a0: 0x7ffd,
                a1: 0x10
            }
        );
        let mut g = vec![(&b"node"[..], &b"h"[..])];
        g.extend(f.iter().copied());
        assert_eq!(SyscallContext::from_fields(g), c);
        // arch in another position is not taken
        let h: Vec<(&[u8], &[u8])> = vec![
            (b"type", b"SECCOMP"),
            (b"auid", b"0"),
            (b"arch", b"c000003e"),
        ];
        assert_eq!(SyscallContext::from_fields(h).machine, None);
    }
}
