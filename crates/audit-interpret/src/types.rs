//! Field types: which decoder interprets a field, chosen from the field name
//! and the record type the way libauparse chooses them.

use audit_parse::RecordType;

/// How a field's value is interpreted (libauparse's `auparse_type_t`).
///
/// The discriminants are the numbers libauparse's `auparse_get_field_type`
/// returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum FieldType {
    /// Not interpreted: the raw value is the interpretation.
    Unclassified = 0,
    /// A user id, shown as a user name.
    Uid,
    /// A group id, shown as a group name.
    Gid,
    /// A syscall number, named with the record's architecture.
    Syscall,
    /// An `AUDIT_ARCH_*` value, shown as a machine name.
    Arch,
    /// A syscall exit value; negative values are errno names.
    Exit,
    /// A quoted or hex-encoded string.
    Escaped,
    /// An audit permission mask (`perm=`).
    Perm,
    /// A file mode in octal, with the file type.
    Mode,
    /// A hex-encoded `struct sockaddr`.
    Sockaddr,
    /// Old RHEL4 path flags.
    Flags,
    /// Promiscuous mode flag.
    Promisc,
    /// A capability number.
    Capability,
    /// A success/result value.
    Success,
    /// Syscall argument 0, decoded per syscall.
    A0,
    /// Syscall argument 1, decoded per syscall.
    A1,
    /// Syscall argument 2, decoded per syscall.
    A2,
    /// Syscall argument 3, decoded per syscall.
    A3,
    /// A signal number.
    Signal,
    /// An audit filter list number.
    List,
    /// Hex-encoded TTY input.
    TtyData,
    /// A session id (`4294967295` is unset).
    Session,
    /// A hex capability set.
    CapBitmap,
    /// A netfilter protocol family.
    Nfproto,
    /// An ICMP type.
    Icmptype,
    /// An IP protocol number.
    Protocol,
    /// A network address (shown as is).
    Addr,
    /// A `personality(2)` value.
    Personality,
    /// A seccomp action code.
    Seccomp,
    /// `open(2)` flags.
    Oflag,
    /// `mmap(2)` flags.
    Mmap,
    /// A file mode without the file type.
    ModeShort,
    /// A MAC (SELinux/AppArmor) label, shown as is.
    MacLabel,
    /// A hex-encoded process title (NUL separators become spaces).
    Proctitle,
    /// A netfilter hook number.
    Hook,
    /// A netfilter action.
    Netaction,
    /// An ethernet packet type.
    Macproto,
    /// An `ioctl(2)` request number.
    IoctlReq,
    /// A rule key (several keys are joined with 0x01).
    EscapedKey,
    /// A file name (a candidate for joining with the cwd).
    EscapedFile,
    /// A fanotify response.
    Fanotify,
    /// A netlink multicast group.
    Nlmcgrp,
    /// `openat2(2)` resolve flags.
    Resolve,
}

impl FieldType {
    /// Whether the interpretation depends on the record's [`SyscallContext`]
    /// (`arch`, `syscall` and the syscall arguments `a0`..`a3`); no other type
    /// looks at it.
    ///
    /// [`SyscallContext`]: crate::SyscallContext
    #[inline]
    pub fn uses_context(self) -> bool {
        use FieldType::*;
        // One bit test: a `matches!` of the six compiles to a chain of compares.
        const USES: u64 = 1 << Arch as u8
            | 1 << Syscall as u8
            | 1 << A0 as u8
            | 1 << A1 as u8
            | 1 << A2 as u8
            | 1 << A3 as u8;
        const _: () = assert!(FieldType::ALL.len() <= 64, "one bit per type");
        (USES >> (self as u8 & 63)) & 1 != 0
    }

    /// Every type, in libauparse's numbering order.
    pub const ALL: [FieldType; 43] = {
        use FieldType::*;
        [
            Unclassified,
            Uid,
            Gid,
            Syscall,
            Arch,
            Exit,
            Escaped,
            Perm,
            Mode,
            Sockaddr,
            Flags,
            Promisc,
            Capability,
            Success,
            A0,
            A1,
            A2,
            A3,
            Signal,
            List,
            TtyData,
            Session,
            CapBitmap,
            Nfproto,
            Icmptype,
            Protocol,
            Addr,
            Personality,
            Seccomp,
            Oflag,
            Mmap,
            ModeShort,
            MacLabel,
            Proctitle,
            Hook,
            Netaction,
            Macproto,
            IoctlReq,
            EscapedKey,
            EscapedFile,
            Fanotify,
            Nlmcgrp,
            Resolve,
        ]
    };

    /// The libauparse number of this type.
    pub fn as_u32(self) -> u32 {
        self as u32
    }

    /// The type with libauparse number `n`.
    pub fn from_u32(n: u32) -> Option<FieldType> {
        Self::ALL.get(usize::try_from(n).ok()?).copied()
    }
}

/// The names libauparse gives a type (its `typetab.h`, built with AppArmor
/// support as Debian builds it); every other name is unclassified.
const NAME_TYPES: &[(FieldType, &[&[u8]])] = {
    use FieldType::*;
    &[
        (
            Uid,
            &[
                b"auid",
                b"uid",
                b"euid",
                b"suid",
                b"fsuid",
                b"ouid",
                b"oauid",
                b"old-auid",
                b"iuid",
                b"id",
                b"inode_uid",
                b"sauid",
                b"obj_uid",
            ],
        ),
        (
            Gid,
            &[
                b"obj_gid",
                b"gid",
                b"egid",
                b"sgid",
                b"fsgid",
                b"ogid",
                b"igid",
                b"inode_gid",
                b"new_gid",
            ],
        ),
        (Syscall, &[b"syscall"]),
        (Arch, &[b"arch"]),
        (Exit, &[b"exit"]),
        (
            Escaped,
            &[
                b"path",
                b"comm",
                b"exe",
                b"file",
                b"watch",
                b"cwd",
                b"cmd",
                b"acct",
                b"dir",
                b"vm",
                b"old-chardev",
                b"new-chardev",
                b"old-disk",
                b"new-disk",
                b"old-fs",
                b"new-fs",
                b"old-net",
                b"new-net",
                b"device",
                b"cgroup",
                b"apparmor",
                b"operation",
                b"denied_mask",
                b"info",
                b"profile",
                b"requested_mask",
                b"old-rng",
                b"new-rng",
                b"ocomm",
                b"grp",
                b"new_group",
                b"invalid_context",
                b"sw",
                b"root_dir",
            ],
        ),
        (EscapedFile, &[b"name"]),
        (EscapedKey, &[b"key"]),
        (Perm, &[b"perm", b"perm_mask"]),
        (Mode, &[b"mode"]),
        (Sockaddr, &[b"saddr"]),
        (Promisc, &[b"prom", b"old_prom"]),
        (Capability, &[b"capability"]),
        (Success, &[b"res", b"result"]),
        (A0, &[b"a0"]),
        (A1, &[b"a1"]),
        (A2, &[b"a2"]),
        (A3, &[b"a3"]),
        (Signal, &[b"sig", b"sigev_signo"]),
        (List, &[b"list"]),
        (TtyData, &[b"data"]),
        (Session, &[b"ses"]),
        (
            CapBitmap,
            &[
                b"cap_pi", b"cap_pe", b"cap_pp", b"cap_pa", b"cap_fi", b"cap_fp", b"fp", b"fi",
                b"old_pp", b"old_pi", b"old_pe", b"old_pa", b"new_pp", b"new_pi", b"new_pe", b"pp",
                b"pi", b"pe", b"pa",
            ],
        ),
        (Nfproto, &[b"family"]),
        (Icmptype, &[b"icmptype"]),
        (Protocol, &[b"proto"]),
        (Addr, &[b"addr"]),
        (Personality, &[b"per"]),
        (Seccomp, &[b"code"]),
        (Oflag, &[b"oflag"]),
        (Mmap, &[b"flags"]),
        (
            MacLabel,
            &[
                b"subj",
                b"obj",
                b"scontext",
                b"tcontext",
                b"vm-ctx",
                b"img-ctx",
            ],
        ),
        (Proctitle, &[b"proctitle"]),
        (Hook, &[b"hook"]),
        (Netaction, &[b"action"]),
        (Macproto, &[b"macproto"]),
        (IoctlReq, &[b"ioctlcmd"]),
        (Fanotify, &[b"resp"]),
        (Nlmcgrp, &[b"nl-mcgrp"]),
        (Resolve, &[b"resolve"]),
        // Not in libauparse's table, but corrected for some record types.
        (Unclassified, &[b"msg"]),
    ]
};

/// Names whose type some record types correct (see [`field_type`]).
const CORRECTED: &[&[u8]] = &[
    b"saddr", b"msg", b"acct", b"flags", b"mode", b"fp", b"id", b"name",
];

/// A field name of up to 16 bytes packed into two words: its first and its
/// last eight bytes (four and four, or three single bytes, for shorter names;
/// the parts overlap when the name is short). With the length, the words
/// give the name back, so comparing keys compares names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NameKey {
    pub(crate) a: u64,
    pub(crate) b: u64,
}

/// Longest name the table holds.
const MAX_NAME: usize = 16;

/// [`name_key`] for building the table at compile time.
const fn name_key_const(s: &[u8]) -> NameKey {
    const fn le(s: &[u8], at: usize, n: usize) -> u64 {
        let mut v = 0u64;
        let mut i = 0;
        while i < n {
            v |= (s[at + i] as u64) << (8 * i);
            i += 1;
        }
        v
    }
    let n = s.len();
    if n >= 8 {
        NameKey {
            a: le(s, 0, 8),
            b: le(s, n - 8, 8),
        }
    } else if n >= 4 {
        NameKey {
            a: le(s, 0, 4) | (le(s, n - 4, 4) << 32),
            b: 0,
        }
    } else if n >= 1 {
        NameKey {
            a: s[0] as u64 | ((s[n / 2] as u64) << 8) | ((s[n - 1] as u64) << 16),
            b: 0,
        }
    } else {
        NameKey { a: 0, b: 0 }
    }
}

/// The key of a name of at most [`MAX_NAME`] bytes (of a longer one, its
/// first and last eight bytes).
#[inline(always)]
pub(crate) fn name_key(s: &[u8]) -> NameKey {
    use crate::scan::{le32, le64};
    let n = s.len();
    if n >= 8 {
        NameKey {
            a: le64(s, 0),
            b: le64(s, n - 8),
        }
    } else if n >= 4 {
        NameKey {
            a: le32(s, 0) | (le32(s, n - 4) << 32),
            b: 0,
        }
    } else if n >= 1 {
        NameKey {
            a: u64::from(s[0]) | (u64::from(s[n / 2]) << 8) | (u64::from(s[n - 1]) << 16),
            b: 0,
        }
    } else {
        NameKey { a: 0, b: 0 }
    }
}

#[inline(always)]
const fn slot_of(k: NameKey, len: usize) -> usize {
    let h = (k.a ^ k.b.rotate_left(29) ^ len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (h >> (64 - SLOT_BITS)) as usize
}

const SLOT_BITS: u32 = 9;
const SLOTS: usize = 1 << SLOT_BITS;
/// `len` of an empty slot.
const EMPTY: u8 = u8::MAX;

/// One slot of the name table.
#[derive(Clone, Copy, Debug)]
struct Slot {
    key: NameKey,
    len: u8,
    ty: FieldType,
    /// Whether some record type corrects the type of this name.
    corrected: bool,
}

/// The names of [`NAME_TYPES`] in an open-addressing hash table (linear
/// probing, at most a quarter full).
static NAME_TABLE: [Slot; SLOTS] = {
    let mut t = [Slot {
        key: NameKey { a: 0, b: 0 },
        len: EMPTY,
        ty: FieldType::Unclassified,
        corrected: false,
    }; SLOTS];
    let mut g = 0;
    while g < NAME_TYPES.len() {
        let (ty, names) = NAME_TYPES[g];
        let mut j = 0;
        while j < names.len() {
            let name = names[j];
            assert!(name.len() <= MAX_NAME);
            let key = name_key_const(name);
            let mut corrected = false;
            let mut c = 0;
            while c < CORRECTED.len() {
                if bytes_eq(CORRECTED[c], name) {
                    corrected = true;
                }
                c += 1;
            }
            let mut i = slot_of(key, name.len());
            while t[i].len != EMPTY {
                // No name twice.
                assert!(
                    !(t[i].len as usize == name.len()
                        && t[i].key.a == key.a
                        && t[i].key.b == key.b)
                );
                i = (i + 1) % SLOTS;
            }
            t[i] = Slot {
                key,
                len: name.len() as u8,
                ty,
                corrected,
            };
            j += 1;
        }
        g += 1;
    }
    t
};

const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The slot of `name` in [`NAME_TABLE`], if the table has it.
#[inline]
fn name_slot(name: &[u8]) -> Option<&'static Slot> {
    let n = name.len();
    if n > MAX_NAME {
        return None;
    }
    slot_of_key(name_key(name), n)
}

/// The slot of the name of `n` bytes (at most [`MAX_NAME`]) whose key is `key`.
#[inline(always)]
fn slot_of_key(key: NameKey, n: usize) -> Option<&'static Slot> {
    let mut i = slot_of(key, n);
    loop {
        let s = &NAME_TABLE[i];
        if s.len as usize == n && s.key.a == key.a && s.key.b == key.b {
            return Some(s);
        }
        if s.len == EMPTY {
            return None;
        }
        i = (i + 1) % SLOTS;
    }
}

/// The type libauparse gives a field name, before any record-specific
/// correction (libauparse's `typetab.h`, built with AppArmor support as
/// Debian builds it). Unknown names are [`FieldType::Unclassified`].
pub fn type_of_name(name: &[u8]) -> FieldType {
    name_slot(name).map_or(FieldType::Unclassified, |s| s.ty)
}

pub(crate) fn is_hex_string(v: &[u8]) -> bool {
    v.iter().all(u8::is_ascii_hexdigit)
}

fn is_int_string(v: &[u8]) -> bool {
    v.iter().all(u8::is_ascii_digit)
}

/// The type libauparse uses to interpret field `name` with raw value `value`
/// in a record of type `record_type`: [`type_of_name`] with libauparse's
/// corrections for names that mean different things in different records
/// (EXECVE arguments, `saddr` in AVC and NETFILTER_PKT records, `acct`,
/// `flags` in PATH records, `id` in group records, ...).
#[inline]
pub fn field_type(record_type: RecordType, name: &[u8], value: &[u8]) -> FieldType {
    field_type_of_slot(name_slot(name), record_type, name, value)
}

/// [`field_type`] with the name's slot in the table looked up.
#[inline(always)]
fn field_type_of_slot(
    slot: Option<&'static Slot>,
    record_type: RecordType,
    name: &[u8],
    value: &[u8],
) -> FieldType {
    match slot {
        Some(s) if s.corrected => {}
        _ if record_type == RecordType::EXECVE || record_type == RecordType::TRUSTED_APP => {}
        _ => return slot.map_or(FieldType::Unclassified, |s| s.ty),
    }
    corrected_type(record_type, name, value)
}

/// The field types of the last record of each of a few record types, field by
/// field: most records have the fields of the last record of their type, in
/// the same order, and a field whose name is the one remembered at its place
/// is typed with one comparison instead of a look-up.
pub(crate) struct ShapeCache {
    shapes: Box<[Shape; SHAPES]>,
}

impl std::fmt::Debug for ShapeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The record types remembered, not the whole table.
        let types: Vec<u32> = self
            .shapes
            .iter()
            .filter(|s| s.fields[0].len != EMPTY)
            .map(|s| s.record_type.0)
            .collect();
        f.debug_struct("ShapeCache")
            .field("record_types", &types)
            .finish()
    }
}

/// Record types remembered at once (direct-mapped by number: the kernel's
/// 1300-1331 each have their own place).
const SHAPES: usize = 32;
/// Fields remembered of each record.
const SHAPE_FIELDS: usize = 32;

#[derive(Debug, Clone, Copy)]
struct Shape {
    record_type: RecordType,
    fields: [KnownField; SHAPE_FIELDS],
    /// A field of the last record of the type, walked whole, used the syscall
    /// context (true until one was walked).
    used_context: bool,
}

#[derive(Debug, Clone, Copy)]
struct KnownField {
    key: NameKey,
    /// The name's length ([`EMPTY`]: nothing remembered).
    len: u8,
    ty: FieldType,
}

const UNKNOWN_FIELD: KnownField = KnownField {
    key: NameKey { a: 0, b: 0 },
    len: EMPTY,
    ty: FieldType::Unclassified,
};

impl Default for ShapeCache {
    fn default() -> Self {
        ShapeCache {
            shapes: Box::new(
                [Shape {
                    record_type: RecordType(0),
                    fields: [UNKNOWN_FIELD; SHAPE_FIELDS],
                    used_context: true,
                }; SHAPES],
            ),
        }
    }
}

impl ShapeCache {
    /// [`field_type`] of the field at `index` of a record of type
    /// `record_type`.
    #[inline(always)]
    pub(crate) fn field_type(
        &mut self,
        record_type: RecordType,
        index: usize,
        name: &[u8],
        value: &[u8],
    ) -> FieldType {
        let n = name.len();
        let shape = &mut self.shapes[record_type.0 as usize % SHAPES];
        if n > MAX_NAME || index >= SHAPE_FIELDS {
            return field_type(record_type, name, value);
        }
        if shape.record_type != record_type {
            shape.record_type = record_type;
            shape.fields = [UNKNOWN_FIELD; SHAPE_FIELDS];
            shape.used_context = true;
        }
        let key = name_key(name);
        let known = &mut shape.fields[index];
        if usize::from(known.len) == n && known.key == key {
            return known.ty;
        }
        Self::look_up(known, record_type, key, name, value)
    }

    /// Whether a field of the last record of type `record_type` walked whole
    /// used the syscall context (true when none is remembered): records of a
    /// type mostly all do (SYSCALL) or all do not (PATH, CWD, ...).
    #[inline(always)]
    pub(crate) fn used_context(&self, record_type: RecordType) -> bool {
        let shape = &self.shapes[record_type.0 as usize % SHAPES];
        shape.record_type != record_type || shape.used_context
    }

    /// Remember whether a field of a record of type `record_type`, walked
    /// whole, used the syscall context.
    #[inline(always)]
    pub(crate) fn note_context(&mut self, record_type: RecordType, used: bool) {
        let shape = &mut self.shapes[record_type.0 as usize % SHAPES];
        if shape.record_type == record_type {
            shape.used_context = used;
        }
    }

    /// The type of a field not remembered at its place, remembered there if
    /// it depends on the record type and name alone.
    #[inline(never)]
    fn look_up(
        known: &mut KnownField,
        record_type: RecordType,
        key: NameKey,
        name: &[u8],
        value: &[u8],
    ) -> FieldType {
        let slot = slot_of_key(key, name.len());
        let ty = field_type_of_slot(slot, record_type, name, value);
        // Only these corrections look at the value.
        if record_type != RecordType::TRUSTED_APP && name != b"acct" {
            *known = KnownField {
                key,
                len: name.len() as u8,
                ty,
            };
        }
        ty
    }
}

/// [`field_type`] for the names and record types with corrections.
#[inline(never)]
fn corrected_type(record_type: RecordType, name: &[u8], value: &[u8]) -> FieldType {
    use FieldType::*;
    if record_type == RecordType::EXECVE
        && name.first() == Some(&b'a')
        && name != b"argc"
        && memchr::memmem::find(name, b"_len").is_none()
    {
        return Escaped;
    }
    match (record_type, name) {
        (RecordType::AVC, b"saddr") => return Unclassified,
        (RecordType::USER_TTY, b"msg") => return Escaped,
        (RecordType::NETFILTER_PKT, b"saddr") => return Addr,
        _ => {}
    }
    if name == b"acct" {
        return if value.first() == Some(&b'"') || is_hex_string(value) {
            Escaped
        } else {
            Unclassified
        };
    }
    match (record_type, name) {
        (RecordType::PATH, b"flags") => return Flags,
        (RecordType::MQ_OPEN, b"mode") => return ModeShort,
        (RecordType::CRYPTO_KEY_USER, b"fp") => return Unclassified,
        (RecordType::ADD_GROUP | RecordType::GRP_MGMT | RecordType::DEL_GROUP, b"id") => {
            return Gid
        }
        _ => {}
    }
    if record_type == RecordType::TRUSTED_APP {
        return if value.first() == Some(&b'"') {
            Escaped
        } else if is_int_string(value) {
            Unclassified
        } else if is_hex_string(value) {
            Escaped
        } else {
            Unclassified
        };
    }
    if record_type == RecordType::KERN_MODULE && name == b"name" {
        return Escaped;
    }
    type_of_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table as a plain match (as `typetab.h` lists it), to check the
    /// hash table against.
    fn reference_type_of_name(name: &[u8]) -> FieldType {
        use FieldType::*;
        match name {
            b"auid" | b"uid" | b"euid" | b"suid" | b"fsuid" | b"ouid" | b"oauid" | b"old-auid"
            | b"iuid" | b"id" | b"inode_uid" | b"sauid" | b"obj_uid" => Uid,
            b"obj_gid" | b"gid" | b"egid" | b"sgid" | b"fsgid" | b"ogid" | b"igid"
            | b"inode_gid" | b"new_gid" => Gid,
            b"syscall" => Syscall,
            b"arch" => Arch,
            b"exit" => Exit,
            b"path" | b"comm" | b"exe" | b"file" | b"watch" | b"cwd" | b"cmd" | b"acct"
            | b"dir" | b"vm" | b"old-chardev" | b"new-chardev" | b"old-disk" | b"new-disk"
            | b"old-fs" | b"new-fs" | b"old-net" | b"new-net" | b"device" | b"cgroup"
            | b"apparmor" | b"operation" | b"denied_mask" | b"info" | b"profile"
            | b"requested_mask" | b"old-rng" | b"new-rng" | b"ocomm" | b"grp" | b"new_group"
            | b"invalid_context" | b"sw" | b"root_dir" => Escaped,
            b"name" => EscapedFile,
            b"key" => EscapedKey,
            b"perm" | b"perm_mask" => Perm,
            b"mode" => Mode,
            b"saddr" => Sockaddr,
            b"prom" | b"old_prom" => Promisc,
            b"capability" => Capability,
            b"res" | b"result" => Success,
            b"a0" => A0,
            b"a1" => A1,
            b"a2" => A2,
            b"a3" => A3,
            b"sig" | b"sigev_signo" => Signal,
            b"list" => List,
            b"data" => TtyData,
            b"ses" => Session,
            b"cap_pi" | b"cap_pe" | b"cap_pp" | b"cap_pa" | b"cap_fi" | b"cap_fp" | b"fp"
            | b"fi" | b"old_pp" | b"old_pi" | b"old_pe" | b"old_pa" | b"new_pp" | b"new_pi"
            | b"new_pe" | b"pp" | b"pi" | b"pe" | b"pa" => CapBitmap,
            b"family" => Nfproto,
            b"icmptype" => Icmptype,
            b"proto" => Protocol,
            b"addr" => Addr,
            b"per" => Personality,
            b"code" => Seccomp,
            b"oflag" => Oflag,
            b"flags" => Mmap,
            b"subj" | b"obj" | b"scontext" | b"tcontext" | b"vm-ctx" | b"img-ctx" => MacLabel,
            b"proctitle" => Proctitle,
            b"hook" => Hook,
            b"action" => Netaction,
            b"macproto" => Macproto,
            b"ioctlcmd" => IoctlReq,
            b"resp" => Fanotify,
            b"nl-mcgrp" => Nlmcgrp,
            b"resolve" => Resolve,
            _ => Unclassified,
        }
    }

    #[test]
    fn table_agrees_with_match() {
        let mut names: Vec<Vec<u8>> = Vec::new();
        for (_, group) in NAME_TYPES {
            for n in *group {
                names.push(n.to_vec());
                // Near misses: every prefix, one byte changed, one byte added.
                for k in 0..n.len() {
                    names.push(n[..k].to_vec());
                    let mut m = n.to_vec();
                    m[k] ^= 0x20;
                    names.push(m);
                }
                let mut longer = n.to_vec();
                longer.push(b'x');
                names.push(longer.clone());
                longer.insert(0, b'x');
                names.push(longer);
            }
        }
        names.extend(
            [
                &b""[..],
                b"a",
                b"zz",
                b"argc",
                b"a1_len",
                b"cap_fe",
                b"cap_fver",
                b"cap_frootid",
                b"nametype",
                b"invalid_contexts",
                b"invalid_context_",
                b"requested_mask_too_long",
                b"\xff\x00\x01",
            ]
            .map(<[u8]>::to_vec),
        );
        for n in &names {
            assert_eq!(
                type_of_name(n),
                reference_type_of_name(n),
                "{}",
                String::from_utf8_lossy(n)
            );
        }
        // The run-time key is the compile-time one.
        for n in &names {
            if n.len() <= MAX_NAME {
                let (a, b) = (name_key(n), name_key_const(n));
                assert_eq!((a.a, a.b), (b.a, b.b));
            }
        }
    }

    #[test]
    fn names() {
        assert_eq!(type_of_name(b"auid"), FieldType::Uid);
        assert_eq!(type_of_name(b"new_gid"), FieldType::Gid);
        assert_eq!(type_of_name(b"name"), FieldType::EscapedFile);
        assert_eq!(type_of_name(b"key"), FieldType::EscapedKey);
        assert_eq!(type_of_name(b"flags"), FieldType::Mmap);
        assert_eq!(type_of_name(b"nosuch"), FieldType::Unclassified);
        assert_eq!(FieldType::Resolve.as_u32(), 42);
        assert_eq!(FieldType::MacLabel.as_u32(), 32);
        for (i, t) in FieldType::ALL.iter().enumerate() {
            assert_eq!(t.as_u32() as usize, i);
            assert_eq!(FieldType::from_u32(i as u32), Some(*t));
        }
        assert_eq!(FieldType::from_u32(43), None);
    }

    #[test]
    fn corrections() {
        assert_eq!(
            field_type(RecordType::EXECVE, b"a0", b"\"ls\""),
            FieldType::Escaped
        );
        assert_eq!(
            field_type(RecordType::EXECVE, b"argc", b"3"),
            FieldType::Unclassified
        );
        assert_eq!(
            field_type(RecordType::EXECVE, b"a1_len", b"3"),
            FieldType::Unclassified
        );
        assert_eq!(field_type(RecordType::SYSCALL, b"a0", b"3"), FieldType::A0);
        assert_eq!(
            field_type(RecordType::AVC, b"saddr", b"1.2.3.4"),
            FieldType::Unclassified
        );
        assert_eq!(
            field_type(RecordType::NETFILTER_PKT, b"saddr", b"1.2.3.4"),
            FieldType::Addr
        );
        assert_eq!(
            field_type(RecordType::SOCKADDR, b"saddr", b"0200"),
            FieldType::Sockaddr
        );
        assert_eq!(
            field_type(RecordType::USER_LOGIN, b"acct", b"\"root\""),
            FieldType::Escaped
        );
        assert_eq!(
            field_type(RecordType::USER_LOGIN, b"acct", b"726F6F74"),
            FieldType::Escaped
        );
        assert_eq!(
            field_type(RecordType::USER_LOGIN, b"acct", b"root"),
            FieldType::Unclassified
        );
        assert_eq!(
            field_type(RecordType::PATH, b"flags", b"1"),
            FieldType::Flags
        );
        assert_eq!(
            field_type(RecordType::MQ_OPEN, b"mode", b"1"),
            FieldType::ModeShort
        );
        assert_eq!(
            field_type(RecordType::CRYPTO_KEY_USER, b"fp", b"ab"),
            FieldType::Unclassified
        );
        assert_eq!(
            field_type(RecordType::ADD_GROUP, b"id", b"5"),
            FieldType::Gid
        );
        assert_eq!(
            field_type(RecordType::ADD_USER, b"id", b"5"),
            FieldType::Uid
        );
        assert_eq!(
            field_type(RecordType::TRUSTED_APP, b"x", b"\"a\""),
            FieldType::Escaped
        );
        assert_eq!(
            field_type(RecordType::TRUSTED_APP, b"x", b"12"),
            FieldType::Unclassified
        );
        assert_eq!(
            field_type(RecordType::TRUSTED_APP, b"x", b"ab"),
            FieldType::Escaped
        );
        assert_eq!(
            field_type(RecordType::TRUSTED_APP, b"uid", b"zz"),
            FieldType::Unclassified
        );
        assert_eq!(
            field_type(RecordType::KERN_MODULE, b"name", b"\"x\""),
            FieldType::Escaped
        );
        assert_eq!(
            field_type(RecordType::USER_TTY, b"msg", b"\"x\""),
            FieldType::Escaped
        );
    }

    #[test]
    fn shape_cache_types_as_field_type() {
        // Records of a few types (pairs of which share a place in the cache, and
        // the two whose corrections read the value), with fields drawn from
        // names that differ in one byte, in length, past 16 bytes and in case,
        // and values that change the corrected types: every field is typed as
        // field_type types it, whatever was remembered before.
        let types = [
            RecordType::SYSCALL,
            RecordType(RecordType::SYSCALL.0 + SHAPES as u32),
            RecordType::EXECVE,
            RecordType(RecordType::EXECVE.0 + SHAPES as u32),
            RecordType::TRUSTED_APP,
            RecordType::PATH,
            RecordType::ADD_GROUP,
            RecordType(0),
        ];
        let names: &[&[u8]] = &[
            b"uid",
            b"gid",
            b"pid",
            b"auid",
            b"Auid",
            b"acct",
            b"a0",
            b"a1",
            b"a1_len",
            b"argc",
            b"mode",
            b"flags",
            b"id",
            b"name",
            b"saddr",
            b"sauid",
            b"oauid",
            b"a_very_long_field_name_1",
            b"a_very_long_field_name_2",
            b"x",
            b"",
        ];
        let values: &[&[u8]] = &[b"0", b"\"x\"", b"6162", b"zz", b"12"];
        let mut cache = ShapeCache::default();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..3000 {
            let rt = types[next(types.len())];
            let fields = next(40);
            // Often the same names in the same places as a record before.
            let base = next(3);
            for index in 0..fields {
                let name = if next(4) == 0 {
                    names[next(names.len())]
                } else {
                    names[(index * 7 + base) % names.len()]
                };
                let value = values[next(values.len())];
                assert_eq!(
                    cache.field_type(rt, index, name, value),
                    field_type(rt, name, value),
                    "type {rt} field {index} {:?}={:?}",
                    String::from_utf8_lossy(name),
                    String::from_utf8_lossy(value)
                );
            }
        }
    }
}
