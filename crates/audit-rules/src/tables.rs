//! Name tables auditctl uses for rule values: errno names (`-F exit=-EACCES`),
//! file system types (`-F fstype=debugfs`) and record types (`-F msgtype=SYSCALL`).
//!
//! The contents are those of libaudit 3.0.9 (the reference auditctl): names print
//! and parse exactly as it does. Lookups by name ignore ASCII case, as libaudit's do.

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

/// Record types auditctl knows by name for `-F msgtype=`.
const MSG_TYPE: &[(u32, &str)] = &[
    (1005, "USER"),
    (1006, "LOGIN"),
    (1100, "USER_AUTH"),
    (1101, "USER_ACCT"),
    (1102, "USER_MGMT"),
    (1103, "CRED_ACQ"),
    (1104, "CRED_DISP"),
    (1105, "USER_START"),
    (1106, "USER_END"),
    (1107, "USER_AVC"),
    (1108, "USER_CHAUTHTOK"),
    (1109, "USER_ERR"),
    (1110, "CRED_REFR"),
    (1111, "USYS_CONFIG"),
    (1112, "USER_LOGIN"),
    (1113, "USER_LOGOUT"),
    (1114, "ADD_USER"),
    (1115, "DEL_USER"),
    (1116, "ADD_GROUP"),
    (1117, "DEL_GROUP"),
    (1118, "DAC_CHECK"),
    (1119, "CHGRP_ID"),
    (1120, "TEST"),
    (1121, "TRUSTED_APP"),
    (1122, "USER_SELINUX_ERR"),
    (1123, "USER_CMD"),
    (1124, "USER_TTY"),
    (1125, "CHUSER_ID"),
    (1126, "GRP_AUTH"),
    (1127, "SYSTEM_BOOT"),
    (1128, "SYSTEM_SHUTDOWN"),
    (1129, "SYSTEM_RUNLEVEL"),
    (1130, "SERVICE_START"),
    (1131, "SERVICE_STOP"),
    (1132, "GRP_MGMT"),
    (1133, "GRP_CHAUTHTOK"),
    (1134, "MAC_CHECK"),
    (1135, "ACCT_LOCK"),
    (1136, "ACCT_UNLOCK"),
    (1137, "USER_DEVICE"),
    (1138, "SOFTWARE_UPDATE"),
    (1200, "DAEMON_START"),
    (1201, "DAEMON_END"),
    (1202, "DAEMON_ABORT"),
    (1203, "DAEMON_CONFIG"),
    (1205, "DAEMON_ROTATE"),
    (1206, "DAEMON_RESUME"),
    (1207, "DAEMON_ACCEPT"),
    (1208, "DAEMON_CLOSE"),
    (1209, "DAEMON_ERR"),
    (1300, "SYSCALL"),
    (1302, "PATH"),
    (1303, "IPC"),
    (1304, "SOCKETCALL"),
    (1305, "CONFIG_CHANGE"),
    (1306, "SOCKADDR"),
    (1307, "CWD"),
    (1309, "EXECVE"),
    (1311, "IPC_SET_PERM"),
    (1312, "MQ_OPEN"),
    (1313, "MQ_SENDRECV"),
    (1314, "MQ_NOTIFY"),
    (1315, "MQ_GETSETATTR"),
    (1316, "KERNEL_OTHER"),
    (1317, "FD_PAIR"),
    (1318, "OBJ_PID"),
    (1319, "TTY"),
    (1320, "EOE"),
    (1321, "BPRM_FCAPS"),
    (1322, "CAPSET"),
    (1323, "MMAP"),
    (1324, "NETFILTER_PKT"),
    (1325, "NETFILTER_CFG"),
    (1326, "SECCOMP"),
    (1327, "PROCTITLE"),
    (1328, "FEATURE_CHANGE"),
    (1330, "KERN_MODULE"),
    (1331, "FANOTIFY"),
    (1332, "TIME_INJOFFSET"),
    (1333, "TIME_ADJNTPVAL"),
    (1334, "BPF"),
    (1335, "EVENT_LISTENER"),
    (1336, "URINGOP"),
    (1337, "OPENAT2"),
    (1400, "AVC"),
    (1401, "SELINUX_ERR"),
    (1402, "AVC_PATH"),
    (1403, "MAC_POLICY_LOAD"),
    (1404, "MAC_STATUS"),
    (1405, "MAC_CONFIG_CHANGE"),
    (1406, "MAC_UNLBL_ALLOW"),
    (1407, "MAC_CIPSOV4_ADD"),
    (1408, "MAC_CIPSOV4_DEL"),
    (1409, "MAC_MAP_ADD"),
    (1410, "MAC_MAP_DEL"),
    (1411, "MAC_IPSEC_ADDSA"),
    (1412, "MAC_IPSEC_DELSA"),
    (1413, "MAC_IPSEC_ADDSPD"),
    (1414, "MAC_IPSEC_DELSPD"),
    (1415, "MAC_IPSEC_EVENT"),
    (1416, "MAC_UNLBL_STCADD"),
    (1417, "MAC_UNLBL_STCDEL"),
    (1418, "MAC_CALIPSO_ADD"),
    (1419, "MAC_CALIPSO_DEL"),
    (1500, "APPARMOR"),
    (1501, "APPARMOR_AUDIT"),
    (1502, "APPARMOR_ALLOWED"),
    (1503, "APPARMOR_DENIED"),
    (1504, "APPARMOR_HINT"),
    (1505, "APPARMOR_STATUS"),
    (1506, "APPARMOR_ERROR"),
    (1507, "APPARMOR_KILL"),
    (1700, "ANOM_PROMISCUOUS"),
    (1701, "ANOM_ABEND"),
    (1702, "ANOM_LINK"),
    (1703, "ANOM_CREAT"),
    (1800, "INTEGRITY_DATA"),
    (1801, "INTEGRITY_METADATA"),
    (1802, "INTEGRITY_STATUS"),
    (1803, "INTEGRITY_HASH"),
    (1804, "INTEGRITY_PCR"),
    (1805, "INTEGRITY_RULE"),
    (1806, "INTEGRITY_EVM_XATTR"),
    (1807, "INTEGRITY_POLICY_RULE"),
    (2000, "KERNEL"),
    (2100, "ANOM_LOGIN_FAILURES"),
    (2101, "ANOM_LOGIN_TIME"),
    (2102, "ANOM_LOGIN_SESSIONS"),
    (2103, "ANOM_LOGIN_ACCT"),
    (2104, "ANOM_LOGIN_LOCATION"),
    (2105, "ANOM_MAX_DAC"),
    (2106, "ANOM_MAX_MAC"),
    (2107, "ANOM_AMTU_FAIL"),
    (2108, "ANOM_RBAC_FAIL"),
    (2109, "ANOM_RBAC_INTEGRITY_FAIL"),
    (2110, "ANOM_CRYPTO_FAIL"),
    (2111, "ANOM_ACCESS_FS"),
    (2112, "ANOM_EXEC"),
    (2113, "ANOM_MK_EXEC"),
    (2114, "ANOM_ADD_ACCT"),
    (2115, "ANOM_DEL_ACCT"),
    (2116, "ANOM_MOD_ACCT"),
    (2117, "ANOM_ROOT_TRANS"),
    (2118, "ANOM_LOGIN_SERVICE"),
    (2119, "ANOM_LOGIN_ROOT"),
    (2120, "ANOM_ORIGIN_FAILURES"),
    (2121, "ANOM_SESSION"),
    (2200, "RESP_ANOMALY"),
    (2201, "RESP_ALERT"),
    (2202, "RESP_KILL_PROC"),
    (2203, "RESP_TERM_ACCESS"),
    (2204, "RESP_ACCT_REMOTE"),
    (2205, "RESP_ACCT_LOCK_TIMED"),
    (2206, "RESP_ACCT_UNLOCK_TIMED"),
    (2207, "RESP_ACCT_LOCK"),
    (2208, "RESP_TERM_LOCK"),
    (2209, "RESP_SEBOOL"),
    (2210, "RESP_EXEC"),
    (2211, "RESP_SINGLE"),
    (2212, "RESP_HALT"),
    (2213, "RESP_ORIGIN_BLOCK"),
    (2214, "RESP_ORIGIN_BLOCK_TIMED"),
    (2215, "RESP_ORIGIN_UNBLOCK_TIMED"),
    (2300, "USER_ROLE_CHANGE"),
    (2301, "ROLE_ASSIGN"),
    (2302, "ROLE_REMOVE"),
    (2303, "LABEL_OVERRIDE"),
    (2304, "LABEL_LEVEL_CHANGE"),
    (2305, "USER_LABELED_EXPORT"),
    (2306, "USER_UNLABELED_EXPORT"),
    (2307, "DEV_ALLOC"),
    (2308, "DEV_DEALLOC"),
    (2309, "FS_RELABEL"),
    (2310, "USER_MAC_POLICY_LOAD"),
    (2311, "ROLE_MODIFY"),
    (2312, "USER_MAC_CONFIG_CHANGE"),
    (2313, "USER_MAC_STATUS"),
    (2400, "CRYPTO_TEST_USER"),
    (2401, "CRYPTO_PARAM_CHANGE_USER"),
    (2402, "CRYPTO_LOGIN"),
    (2403, "CRYPTO_LOGOUT"),
    (2404, "CRYPTO_KEY_USER"),
    (2405, "CRYPTO_FAILURE_USER"),
    (2406, "CRYPTO_REPLAY_USER"),
    (2407, "CRYPTO_SESSION"),
    (2408, "CRYPTO_IKE_SA"),
    (2409, "CRYPTO_IPSEC_SA"),
    (2500, "VIRT_CONTROL"),
    (2501, "VIRT_RESOURCE"),
    (2502, "VIRT_MACHINE_ID"),
    (2503, "VIRT_INTEGRITY_CHECK"),
    (2504, "VIRT_CREATE"),
    (2505, "VIRT_DESTROY"),
    (2506, "VIRT_MIGRATE_IN"),
    (2507, "VIRT_MIGRATE_OUT"),
];

/// The record type named `name` as auditctl reads it: a known name (any case),
/// `UNKNOWN[n]`, or a leading decimal number.
pub fn msg_type_from_name(name: &str) -> Option<u32> {
    if let Some((v, _)) = MSG_TYPE.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)) {
        return Some(*v);
    }
    if let Some(rest) = name.strip_prefix("UNKNOWN[") {
        let end = rest.find(']')?;
        let digits: String = rest[..end].chars().take(7).collect();
        return Some(crate::num::strtol(&digits, 10).0 as u32);
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(crate::num::strtol(name, 10).0 as u32);
    }
    None
}

/// auditctl's name of record type `number`.
pub fn msg_type_name(number: u32) -> Option<&'static str> {
    MSG_TYPE.iter().find(|(v, _)| *v == number).map(|(_, n)| *n)
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
        assert_eq!(msg_type_from_name("syscall"), Some(1300));
        assert_eq!(msg_type_from_name("UNKNOWN[1234]"), Some(1234));
        assert_eq!(msg_type_from_name("1300x"), Some(1300));
        assert_eq!(msg_type_from_name("bogus"), None);
        assert_eq!(msg_type_name(1300), Some("SYSCALL"));
    }
}
