//! Name tables auditctl uses for rule values: errno names (`-F exit=-EACCES`),
//! file system types (`-F fstype=debugfs`) and record types (`-F msgtype=SYSCALL`).
//!
//! The contents are those of libaudit 3.0.9 (the reference auditctl): names print
//! and parse exactly as it does (record types through
//! [`audit_wire::RecordType::libaudit_name`]). Lookups by name ignore ASCII case,
//! as libaudit's do.

use audit_wire::RecordType;

/// errno numbers with their names; the first entry for a number is the name printed.
const ERRNO: &[(u32, &str)] = &[
    (1, "EPERM"),
    (2, "ENOENT"),
    (3, "ESRCH"),
    (4, "EINTR"),
    (5, "EIO"),
    (6, "ENXIO"),
    (7, "E2BIG"),
    (8, "ENOEXEC"),
    (9, "EBADF"),
    (10, "ECHILD"),
    (11, "EAGAIN"),
    (12, "ENOMEM"),
    (13, "EACCES"),
    (14, "EFAULT"),
    (15, "ENOTBLK"),
    (16, "EBUSY"),
    (17, "EEXIST"),
    (18, "EXDEV"),
    (19, "ENODEV"),
    (20, "ENOTDIR"),
    (21, "EISDIR"),
    (22, "EINVAL"),
    (23, "ENFILE"),
    (24, "EMFILE"),
    (25, "ENOTTY"),
    (26, "ETXTBSY"),
    (27, "EFBIG"),
    (28, "ENOSPC"),
    (29, "ESPIPE"),
    (30, "EROFS"),
    (31, "EMLINK"),
    (32, "EPIPE"),
    (33, "EDOM"),
    (34, "ERANGE"),
    (35, "EDEADLK"),
    (36, "ENAMETOOLONG"),
    (37, "ENOLCK"),
    (38, "ENOSYS"),
    (39, "ENOTEMPTY"),
    (40, "ELOOP"),
    (42, "ENOMSG"),
    (43, "EIDRM"),
    (44, "ECHRNG"),
    (45, "EL2NSYNC"),
    (46, "EL3HLT"),
    (47, "EL3RST"),
    (48, "ELNRNG"),
    (49, "EUNATCH"),
    (50, "ENOCSI"),
    (51, "EL2HLT"),
    (52, "EBADE"),
    (53, "EBADR"),
    (54, "EXFULL"),
    (55, "ENOANO"),
    (56, "EBADRQC"),
    (57, "EBADSLT"),
    (59, "EBFONT"),
    (60, "ENOSTR"),
    (61, "ENODATA"),
    (62, "ETIME"),
    (63, "ENOSR"),
    (64, "ENONET"),
    (65, "ENOPKG"),
    (66, "EREMOTE"),
    (67, "ENOLINK"),
    (68, "EADV"),
    (69, "ESRMNT"),
    (70, "ECOMM"),
    (71, "EPROTO"),
    (72, "EMULTIHOP"),
    (73, "EDOTDOT"),
    (74, "EBADMSG"),
    (75, "EOVERFLOW"),
    (76, "ENOTUNIQ"),
    (77, "EBADFD"),
    (78, "EREMCHG"),
    (79, "ELIBACC"),
    (80, "ELIBBAD"),
    (81, "ELIBSCN"),
    (82, "ELIBMAX"),
    (83, "ELIBEXEC"),
    (84, "EILSEQ"),
    (85, "ERESTART"),
    (86, "ESTRPIPE"),
    (87, "EUSERS"),
    (88, "ENOTSOCK"),
    (89, "EDESTADDRREQ"),
    (90, "EMSGSIZE"),
    (91, "EPROTOTYPE"),
    (92, "ENOPROTOOPT"),
    (93, "EPROTONOSUPPORT"),
    (94, "ESOCKTNOSUPPORT"),
    (95, "EOPNOTSUPP"),
    (96, "EPFNOSUPPORT"),
    (97, "EAFNOSUPPORT"),
    (98, "EADDRINUSE"),
    (99, "EADDRNOTAVAIL"),
    (100, "ENETDOWN"),
    (101, "ENETUNREACH"),
    (102, "ENETRESET"),
    (103, "ECONNABORTED"),
    (104, "ECONNRESET"),
    (105, "ENOBUFS"),
    (106, "EISCONN"),
    (107, "ENOTCONN"),
    (108, "ESHUTDOWN"),
    (109, "ETOOMANYREFS"),
    (110, "ETIMEDOUT"),
    (111, "ECONNREFUSED"),
    (112, "EHOSTDOWN"),
    (113, "EHOSTUNREACH"),
    (114, "EALREADY"),
    (115, "EINPROGRESS"),
    (116, "ESTALE"),
    (117, "EUCLEAN"),
    (118, "ENOTNAM"),
    (119, "ENAVAIL"),
    (120, "EISNAM"),
    (121, "EREMOTEIO"),
    (122, "EDQUOT"),
    (123, "ENOMEDIUM"),
    (124, "EMEDIUMTYPE"),
    (125, "ECANCELED"),
    (126, "ENOKEY"),
    (127, "EKEYEXPIRED"),
    (128, "EKEYREVOKED"),
    (129, "EKEYREJECTED"),
    (130, "EOWNERDEAD"),
    (131, "ENOTRECOVERABLE"),
    (132, "ERFKILL"),
    (133, "EHWPOISON"),
    (11, "EWOULDBLOCK"),
    (35, "EDEADLOCK"),
];

/// The errno number named `name` (`EACCES` -> 13), ignoring case.
pub fn errno_from_name(name: &str) -> Option<u32> {
    ERRNO
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(v, _)| *v)
}

/// The name of errno `number` (`13` -> `EACCES`).
pub fn errno_name(number: u32) -> Option<&'static str> {
    ERRNO.iter().find(|(v, _)| *v == number).map(|(_, n)| *n)
}

/// File system magic numbers auditctl knows by name for `-F fstype=`.
const FSTYPE: &[(u32, &str)] = &[(0x6462_6720, "debugfs"), (0x7472_6163, "tracefs")];

/// The file system magic named `name` (`debugfs`), ignoring case.
pub fn fstype_from_name(name: &str) -> Option<u32> {
    FSTYPE
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(v, _)| *v)
}

/// The name of file system magic `value`.
pub fn fstype_name(value: u32) -> Option<&'static str> {
    FSTYPE.iter().find(|(v, _)| *v == value).map(|(_, n)| *n)
}

/// The record type named `name` as auditctl reads it: a known name (any case),
/// `UNKNOWN[n]`, or a leading decimal number.
pub fn msg_type_from_name(name: &str) -> Option<RecordType> {
    if let Some((t, _)) = RecordType::all().find(|(t, _)| {
        t.libaudit_name()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    }) {
        return Some(t);
    }
    if let Some(rest) = name.strip_prefix("UNKNOWN[") {
        let end = rest.find(']')?;
        let digits: String = rest[..end].chars().take(7).collect();
        return Some(RecordType(crate::num::strtol(&digits, 10).0 as u32));
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(RecordType(crate::num::strtol(name, 10).0 as u32));
    }
    None
}

/// auditctl's name of record type `t`.
pub fn msg_type_name(t: RecordType) -> Option<&'static str> {
    t.libaudit_name()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(errno_from_name("eacces"), Some(13));
        assert_eq!(errno_from_name("EWOULDBLOCK"), Some(11));
        assert_eq!(errno_name(11), Some("EAGAIN"));
        assert_eq!(errno_name(41), None);
        assert_eq!(fstype_from_name("DEBUGFS"), Some(0x6462_6720));
        assert_eq!(fstype_name(0x7472_6163), Some("tracefs"));
        assert_eq!(msg_type_from_name("syscall"), Some(RecordType::SYSCALL));
        assert_eq!(msg_type_from_name("UNKNOWN[1234]"), Some(RecordType(1234)));
        assert_eq!(msg_type_from_name("1300x"), Some(RecordType::SYSCALL));
        assert_eq!(msg_type_from_name("bogus"), None);
        assert_eq!(msg_type_name(RecordType::SYSCALL), Some("SYSCALL"));
    }
}
