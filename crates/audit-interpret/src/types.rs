//! Field types: which decoder interprets a field, chosen from the field name
//! and the record type the way libauparse chooses them.

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

/// Record type numbers used by the type corrections (from `linux/audit.h`).
pub(crate) mod rt {
    pub const ADD_GROUP: u32 = 1116;
    pub const DEL_GROUP: u32 = 1117;
    pub const TRUSTED_APP: u32 = 1121;
    pub const USER_TTY: u32 = 1124;
    pub const GRP_MGMT: u32 = 1132;
    pub const PATH: u32 = 1302;
    pub const EXECVE: u32 = 1309;
    pub const MQ_OPEN: u32 = 1312;
    pub const NETFILTER_PKT: u32 = 1324;
    pub const KERN_MODULE: u32 = 1330;
    pub const AVC: u32 = 1400;
    pub const CRYPTO_KEY_USER: u32 = 2404;
}

/// The type libauparse gives a field name, before any record-specific
/// correction (libauparse's `typetab.h`, built with AppArmor support as
/// Debian builds it). Unknown names are [`FieldType::Unclassified`].
pub fn type_of_name(name: &[u8]) -> FieldType {
    use FieldType::*;
    match name {
        b"auid" | b"uid" | b"euid" | b"suid" | b"fsuid" | b"ouid" | b"oauid" | b"old-auid"
        | b"iuid" | b"id" | b"inode_uid" | b"sauid" | b"obj_uid" => Uid,
        b"obj_gid" | b"gid" | b"egid" | b"sgid" | b"fsgid" | b"ogid" | b"igid" | b"inode_gid"
        | b"new_gid" => Gid,
        b"syscall" => Syscall,
        b"arch" => Arch,
        b"exit" => Exit,
        b"path" | b"comm" | b"exe" | b"file" | b"watch" | b"cwd" | b"cmd" | b"acct" | b"dir"
        | b"vm" | b"old-chardev" | b"new-chardev" | b"old-disk" | b"new-disk" | b"old-fs"
        | b"new-fs" | b"old-net" | b"new-net" | b"device" | b"cgroup" | b"apparmor"
        | b"operation" | b"denied_mask" | b"info" | b"profile" | b"requested_mask" | b"old-rng"
        | b"new-rng" | b"ocomm" | b"grp" | b"new_group" | b"invalid_context" | b"sw"
        | b"root_dir" => Escaped,
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
        b"cap_pi" | b"cap_pe" | b"cap_pp" | b"cap_pa" | b"cap_fi" | b"cap_fp" | b"fp" | b"fi"
        | b"old_pp" | b"old_pi" | b"old_pe" | b"old_pa" | b"new_pp" | b"new_pi" | b"new_pe"
        | b"pp" | b"pi" | b"pe" | b"pa" => CapBitmap,
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
pub fn field_type(record_type: u32, name: &[u8], value: &[u8]) -> FieldType {
    use FieldType::*;
    if record_type == rt::EXECVE
        && name.first() == Some(&b'a')
        && name != b"argc"
        && memchr::memmem::find(name, b"_len").is_none()
    {
        return Escaped;
    }
    match (record_type, name) {
        (rt::AVC, b"saddr") => return Unclassified,
        (rt::USER_TTY, b"msg") => return Escaped,
        (rt::NETFILTER_PKT, b"saddr") => return Addr,
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
        (rt::PATH, b"flags") => return Flags,
        (rt::MQ_OPEN, b"mode") => return ModeShort,
        (rt::CRYPTO_KEY_USER, b"fp") => return Unclassified,
        (rt::ADD_GROUP | rt::GRP_MGMT | rt::DEL_GROUP, b"id") => return Gid,
        _ => {}
    }
    if record_type == rt::TRUSTED_APP {
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
    if record_type == rt::KERN_MODULE && name == b"name" {
        return Escaped;
    }
    type_of_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(field_type(rt::EXECVE, b"a0", b"\"ls\""), FieldType::Escaped);
        assert_eq!(
            field_type(rt::EXECVE, b"argc", b"3"),
            FieldType::Unclassified
        );
        assert_eq!(
            field_type(rt::EXECVE, b"a1_len", b"3"),
            FieldType::Unclassified
        );
        assert_eq!(field_type(1300, b"a0", b"3"), FieldType::A0);
        assert_eq!(
            field_type(rt::AVC, b"saddr", b"1.2.3.4"),
            FieldType::Unclassified
        );
        assert_eq!(
            field_type(rt::NETFILTER_PKT, b"saddr", b"1.2.3.4"),
            FieldType::Addr
        );
        assert_eq!(field_type(1306, b"saddr", b"0200"), FieldType::Sockaddr);
        assert_eq!(field_type(1112, b"acct", b"\"root\""), FieldType::Escaped);
        assert_eq!(field_type(1112, b"acct", b"726F6F74"), FieldType::Escaped);
        assert_eq!(field_type(1112, b"acct", b"root"), FieldType::Unclassified);
        assert_eq!(field_type(rt::PATH, b"flags", b"1"), FieldType::Flags);
        assert_eq!(field_type(rt::MQ_OPEN, b"mode", b"1"), FieldType::ModeShort);
        assert_eq!(
            field_type(rt::CRYPTO_KEY_USER, b"fp", b"ab"),
            FieldType::Unclassified
        );
        assert_eq!(field_type(rt::ADD_GROUP, b"id", b"5"), FieldType::Gid);
        assert_eq!(field_type(1114, b"id", b"5"), FieldType::Uid);
        assert_eq!(
            field_type(rt::TRUSTED_APP, b"x", b"\"a\""),
            FieldType::Escaped
        );
        assert_eq!(
            field_type(rt::TRUSTED_APP, b"x", b"12"),
            FieldType::Unclassified
        );
        assert_eq!(field_type(rt::TRUSTED_APP, b"x", b"ab"), FieldType::Escaped);
        assert_eq!(
            field_type(rt::TRUSTED_APP, b"uid", b"zz"),
            FieldType::Unclassified
        );
        assert_eq!(
            field_type(rt::KERN_MODULE, b"name", b"\"x\""),
            FieldType::Escaped
        );
        assert_eq!(
            field_type(rt::USER_TTY, b"msg", b"\"x\""),
            FieldType::Escaped
        );
    }
}
