//! Audit record (netlink message) types: number <-> name.
//!
//! The names are those the audit userspace writes after `type=` (`SYSCALL`, `USER_LOGIN`,
//! ...). The table holds every type libaudit 3.0.9 names, the kernel's request types
//! (`GET`, `ADD_RULE`, ...), which never appear in logs, and the record types the Linux 7.1
//! `audit.h` added since (`DM_CTRL`, `LANDLOCK_ACCESS`, ...). Types outside the table are
//! written `UNKNOWN[n]`, as auditd does.
//!
//! ```
//! use audit_wire::RecordType;
//! assert_eq!(RecordType::SYSCALL.name(), Some("SYSCALL"));
//! assert_eq!(RecordType::from_name("EOE"), Some(RecordType::EOE));
//! assert_eq!(RecordType::from_log_name("UNKNOWN[1329]"), Some(RecordType(1329)));
//! assert!(RecordType::USER_LOGIN.is_single_record());
//! assert!(!RecordType::SYSCALL.is_single_record());
//! ```

use core::fmt;

/// An audit record type: the netlink message type number of a record.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct RecordType(pub u32);

/// Where a record type's name comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Origin {
    /// A type that appears in audit logs and that libaudit 3.0.9 names.
    Log,
    /// A request to the kernel (`AUDIT_GET`, `AUDIT_ADD_RULE`, ...): never in a log.
    Control,
    /// A record type of the kernel's `audit.h` newer than libaudit 3.0.9's table.
    Kernel,
}

/// Every named type, sorted by number.
static TABLE: &[(u32, &str, Origin)] = &[
    (1000, "GET", Origin::Control),
    (1001, "SET", Origin::Control),
    (1002, "LIST", Origin::Control),
    (1003, "ADD", Origin::Control),
    (1004, "DEL", Origin::Control),
    (1005, "USER", Origin::Log),
    (1006, "LOGIN", Origin::Log),
    (1007, "WATCH_INS", Origin::Control),
    (1008, "WATCH_REM", Origin::Control),
    (1009, "WATCH_LIST", Origin::Control),
    (1010, "SIGNAL_INFO", Origin::Control),
    (1011, "ADD_RULE", Origin::Control),
    (1012, "DEL_RULE", Origin::Control),
    (1013, "LIST_RULES", Origin::Control),
    (1014, "TRIM", Origin::Control),
    (1015, "MAKE_EQUIV", Origin::Control),
    (1016, "TTY_GET", Origin::Control),
    (1017, "TTY_SET", Origin::Control),
    (1018, "SET_FEATURE", Origin::Control),
    (1019, "GET_FEATURE", Origin::Control),
    (1100, "USER_AUTH", Origin::Log),
    (1101, "USER_ACCT", Origin::Log),
    (1102, "USER_MGMT", Origin::Log),
    (1103, "CRED_ACQ", Origin::Log),
    (1104, "CRED_DISP", Origin::Log),
    (1105, "USER_START", Origin::Log),
    (1106, "USER_END", Origin::Log),
    (1107, "USER_AVC", Origin::Log),
    (1108, "USER_CHAUTHTOK", Origin::Log),
    (1109, "USER_ERR", Origin::Log),
    (1110, "CRED_REFR", Origin::Log),
    (1111, "USYS_CONFIG", Origin::Log),
    (1112, "USER_LOGIN", Origin::Log),
    (1113, "USER_LOGOUT", Origin::Log),
    (1114, "ADD_USER", Origin::Log),
    (1115, "DEL_USER", Origin::Log),
    (1116, "ADD_GROUP", Origin::Log),
    (1117, "DEL_GROUP", Origin::Log),
    (1118, "DAC_CHECK", Origin::Log),
    (1119, "CHGRP_ID", Origin::Log),
    (1120, "TEST", Origin::Log),
    (1121, "TRUSTED_APP", Origin::Log),
    (1122, "USER_SELINUX_ERR", Origin::Log),
    (1123, "USER_CMD", Origin::Log),
    (1124, "USER_TTY", Origin::Log),
    (1125, "CHUSER_ID", Origin::Log),
    (1126, "GRP_AUTH", Origin::Log),
    (1127, "SYSTEM_BOOT", Origin::Log),
    (1128, "SYSTEM_SHUTDOWN", Origin::Log),
    (1129, "SYSTEM_RUNLEVEL", Origin::Log),
    (1130, "SERVICE_START", Origin::Log),
    (1131, "SERVICE_STOP", Origin::Log),
    (1132, "GRP_MGMT", Origin::Log),
    (1133, "GRP_CHAUTHTOK", Origin::Log),
    (1134, "MAC_CHECK", Origin::Log),
    (1135, "ACCT_LOCK", Origin::Log),
    (1136, "ACCT_UNLOCK", Origin::Log),
    (1137, "USER_DEVICE", Origin::Log),
    (1138, "SOFTWARE_UPDATE", Origin::Log),
    (1200, "DAEMON_START", Origin::Log),
    (1201, "DAEMON_END", Origin::Log),
    (1202, "DAEMON_ABORT", Origin::Log),
    (1203, "DAEMON_CONFIG", Origin::Log),
    (1205, "DAEMON_ROTATE", Origin::Log),
    (1206, "DAEMON_RESUME", Origin::Log),
    (1207, "DAEMON_ACCEPT", Origin::Log),
    (1208, "DAEMON_CLOSE", Origin::Log),
    (1209, "DAEMON_ERR", Origin::Log),
    (1300, "SYSCALL", Origin::Log),
    (1302, "PATH", Origin::Log),
    (1303, "IPC", Origin::Log),
    (1304, "SOCKETCALL", Origin::Log),
    (1305, "CONFIG_CHANGE", Origin::Log),
    (1306, "SOCKADDR", Origin::Log),
    (1307, "CWD", Origin::Log),
    (1309, "EXECVE", Origin::Log),
    (1311, "IPC_SET_PERM", Origin::Log),
    (1312, "MQ_OPEN", Origin::Log),
    (1313, "MQ_SENDRECV", Origin::Log),
    (1314, "MQ_NOTIFY", Origin::Log),
    (1315, "MQ_GETSETATTR", Origin::Log),
    (1316, "KERNEL_OTHER", Origin::Log),
    (1317, "FD_PAIR", Origin::Log),
    (1318, "OBJ_PID", Origin::Log),
    (1319, "TTY", Origin::Log),
    (1320, "EOE", Origin::Log),
    (1321, "BPRM_FCAPS", Origin::Log),
    (1322, "CAPSET", Origin::Log),
    (1323, "MMAP", Origin::Log),
    (1324, "NETFILTER_PKT", Origin::Log),
    (1325, "NETFILTER_CFG", Origin::Log),
    (1326, "SECCOMP", Origin::Log),
    (1327, "PROCTITLE", Origin::Log),
    (1328, "FEATURE_CHANGE", Origin::Log),
    (1329, "REPLACE", Origin::Control),
    (1330, "KERN_MODULE", Origin::Log),
    (1331, "FANOTIFY", Origin::Log),
    (1332, "TIME_INJOFFSET", Origin::Log),
    (1333, "TIME_ADJNTPVAL", Origin::Log),
    (1334, "BPF", Origin::Log),
    (1335, "EVENT_LISTENER", Origin::Log),
    (1336, "URINGOP", Origin::Log),
    (1337, "OPENAT2", Origin::Log),
    (1338, "DM_CTRL", Origin::Kernel),
    (1339, "DM_EVENT", Origin::Kernel),
    (1400, "AVC", Origin::Log),
    (1401, "SELINUX_ERR", Origin::Log),
    (1402, "AVC_PATH", Origin::Log),
    (1403, "MAC_POLICY_LOAD", Origin::Log),
    (1404, "MAC_STATUS", Origin::Log),
    (1405, "MAC_CONFIG_CHANGE", Origin::Log),
    (1406, "MAC_UNLBL_ALLOW", Origin::Log),
    (1407, "MAC_CIPSOV4_ADD", Origin::Log),
    (1408, "MAC_CIPSOV4_DEL", Origin::Log),
    (1409, "MAC_MAP_ADD", Origin::Log),
    (1410, "MAC_MAP_DEL", Origin::Log),
    (1411, "MAC_IPSEC_ADDSA", Origin::Log),
    (1412, "MAC_IPSEC_DELSA", Origin::Log),
    (1413, "MAC_IPSEC_ADDSPD", Origin::Log),
    (1414, "MAC_IPSEC_DELSPD", Origin::Log),
    (1415, "MAC_IPSEC_EVENT", Origin::Log),
    (1416, "MAC_UNLBL_STCADD", Origin::Log),
    (1417, "MAC_UNLBL_STCDEL", Origin::Log),
    (1418, "MAC_CALIPSO_ADD", Origin::Log),
    (1419, "MAC_CALIPSO_DEL", Origin::Log),
    (1420, "IPE_ACCESS", Origin::Kernel),
    (1421, "IPE_CONFIG_CHANGE", Origin::Kernel),
    (1422, "IPE_POLICY_LOAD", Origin::Kernel),
    (1423, "LANDLOCK_ACCESS", Origin::Kernel),
    (1424, "LANDLOCK_DOMAIN", Origin::Kernel),
    (1425, "MAC_TASK_CONTEXTS", Origin::Kernel),
    (1426, "MAC_OBJ_CONTEXTS", Origin::Kernel),
    (1500, "APPARMOR", Origin::Log),
    (1501, "APPARMOR_AUDIT", Origin::Log),
    (1502, "APPARMOR_ALLOWED", Origin::Log),
    (1503, "APPARMOR_DENIED", Origin::Log),
    (1504, "APPARMOR_HINT", Origin::Log),
    (1505, "APPARMOR_STATUS", Origin::Log),
    (1506, "APPARMOR_ERROR", Origin::Log),
    (1507, "APPARMOR_KILL", Origin::Log),
    (1700, "ANOM_PROMISCUOUS", Origin::Log),
    (1701, "ANOM_ABEND", Origin::Log),
    (1702, "ANOM_LINK", Origin::Log),
    (1703, "ANOM_CREAT", Origin::Log),
    (1800, "INTEGRITY_DATA", Origin::Log),
    (1801, "INTEGRITY_METADATA", Origin::Log),
    (1802, "INTEGRITY_STATUS", Origin::Log),
    (1803, "INTEGRITY_HASH", Origin::Log),
    (1804, "INTEGRITY_PCR", Origin::Log),
    (1805, "INTEGRITY_RULE", Origin::Log),
    (1806, "INTEGRITY_EVM_XATTR", Origin::Log),
    (1807, "INTEGRITY_POLICY_RULE", Origin::Log),
    (1808, "INTEGRITY_USERSPACE", Origin::Kernel),
    (2000, "KERNEL", Origin::Log),
    (2100, "ANOM_LOGIN_FAILURES", Origin::Log),
    (2101, "ANOM_LOGIN_TIME", Origin::Log),
    (2102, "ANOM_LOGIN_SESSIONS", Origin::Log),
    (2103, "ANOM_LOGIN_ACCT", Origin::Log),
    (2104, "ANOM_LOGIN_LOCATION", Origin::Log),
    (2105, "ANOM_MAX_DAC", Origin::Log),
    (2106, "ANOM_MAX_MAC", Origin::Log),
    (2107, "ANOM_AMTU_FAIL", Origin::Log),
    (2108, "ANOM_RBAC_FAIL", Origin::Log),
    (2109, "ANOM_RBAC_INTEGRITY_FAIL", Origin::Log),
    (2110, "ANOM_CRYPTO_FAIL", Origin::Log),
    (2111, "ANOM_ACCESS_FS", Origin::Log),
    (2112, "ANOM_EXEC", Origin::Log),
    (2113, "ANOM_MK_EXEC", Origin::Log),
    (2114, "ANOM_ADD_ACCT", Origin::Log),
    (2115, "ANOM_DEL_ACCT", Origin::Log),
    (2116, "ANOM_MOD_ACCT", Origin::Log),
    (2117, "ANOM_ROOT_TRANS", Origin::Log),
    (2118, "ANOM_LOGIN_SERVICE", Origin::Log),
    (2119, "ANOM_LOGIN_ROOT", Origin::Log),
    (2120, "ANOM_ORIGIN_FAILURES", Origin::Log),
    (2121, "ANOM_SESSION", Origin::Log),
    (2200, "RESP_ANOMALY", Origin::Log),
    (2201, "RESP_ALERT", Origin::Log),
    (2202, "RESP_KILL_PROC", Origin::Log),
    (2203, "RESP_TERM_ACCESS", Origin::Log),
    (2204, "RESP_ACCT_REMOTE", Origin::Log),
    (2205, "RESP_ACCT_LOCK_TIMED", Origin::Log),
    (2206, "RESP_ACCT_UNLOCK_TIMED", Origin::Log),
    (2207, "RESP_ACCT_LOCK", Origin::Log),
    (2208, "RESP_TERM_LOCK", Origin::Log),
    (2209, "RESP_SEBOOL", Origin::Log),
    (2210, "RESP_EXEC", Origin::Log),
    (2211, "RESP_SINGLE", Origin::Log),
    (2212, "RESP_HALT", Origin::Log),
    (2213, "RESP_ORIGIN_BLOCK", Origin::Log),
    (2214, "RESP_ORIGIN_BLOCK_TIMED", Origin::Log),
    (2215, "RESP_ORIGIN_UNBLOCK_TIMED", Origin::Log),
    (2300, "USER_ROLE_CHANGE", Origin::Log),
    (2301, "ROLE_ASSIGN", Origin::Log),
    (2302, "ROLE_REMOVE", Origin::Log),
    (2303, "LABEL_OVERRIDE", Origin::Log),
    (2304, "LABEL_LEVEL_CHANGE", Origin::Log),
    (2305, "USER_LABELED_EXPORT", Origin::Log),
    (2306, "USER_UNLABELED_EXPORT", Origin::Log),
    (2307, "DEV_ALLOC", Origin::Log),
    (2308, "DEV_DEALLOC", Origin::Log),
    (2309, "FS_RELABEL", Origin::Log),
    (2310, "USER_MAC_POLICY_LOAD", Origin::Log),
    (2311, "ROLE_MODIFY", Origin::Log),
    (2312, "USER_MAC_CONFIG_CHANGE", Origin::Log),
    (2313, "USER_MAC_STATUS", Origin::Log),
    (2400, "CRYPTO_TEST_USER", Origin::Log),
    (2401, "CRYPTO_PARAM_CHANGE_USER", Origin::Log),
    (2402, "CRYPTO_LOGIN", Origin::Log),
    (2403, "CRYPTO_LOGOUT", Origin::Log),
    (2404, "CRYPTO_KEY_USER", Origin::Log),
    (2405, "CRYPTO_FAILURE_USER", Origin::Log),
    (2406, "CRYPTO_REPLAY_USER", Origin::Log),
    (2407, "CRYPTO_SESSION", Origin::Log),
    (2408, "CRYPTO_IKE_SA", Origin::Log),
    (2409, "CRYPTO_IPSEC_SA", Origin::Log),
    (2500, "VIRT_CONTROL", Origin::Log),
    (2501, "VIRT_RESOURCE", Origin::Log),
    (2502, "VIRT_MACHINE_ID", Origin::Log),
    (2503, "VIRT_INTEGRITY_CHECK", Origin::Log),
    (2504, "VIRT_CREATE", Origin::Log),
    (2505, "VIRT_DESTROY", Origin::Log),
    (2506, "VIRT_MIGRATE_IN", Origin::Log),
    (2507, "VIRT_MIGRATE_OUT", Origin::Log),
];

/// Open-addressing hash index of [`TABLE`] by name (FNV-1a, linear probing), built
/// once: name -> number is a hash and one or two compares, with no scan.
fn by_name() -> &'static [u16; NAME_SLOTS] {
    static CELL: std::sync::OnceLock<[u16; NAME_SLOTS]> = std::sync::OnceLock::new();
    CELL.get_or_init(|| {
        let mut slots = [EMPTY_SLOT; NAME_SLOTS];
        for (i, e) in TABLE.iter().enumerate() {
            let mut h = name_hash(e.1.as_bytes());
            while slots[h] != EMPTY_SLOT {
                h = (h + 1) % NAME_SLOTS;
            }
            slots[h] = i as u16;
        }
        slots
    })
}

const NAME_SLOTS: usize = 1024;
const EMPTY_SLOT: u16 = u16::MAX;

fn name_hash(name: &[u8]) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for &b in name {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    (h as usize) % NAME_SLOTS
}

#[allow(missing_docs)] // each constant is documented by its generated line
impl RecordType {
    /// `GET` (1000).
    pub const GET: RecordType = RecordType(1000);
    /// `SET` (1001).
    pub const SET: RecordType = RecordType(1001);
    /// `LIST` (1002).
    pub const LIST: RecordType = RecordType(1002);
    /// `ADD` (1003).
    pub const ADD: RecordType = RecordType(1003);
    /// `DEL` (1004).
    pub const DEL: RecordType = RecordType(1004);
    /// `USER` (1005).
    pub const USER: RecordType = RecordType(1005);
    /// `LOGIN` (1006).
    pub const LOGIN: RecordType = RecordType(1006);
    /// `WATCH_INS` (1007).
    pub const WATCH_INS: RecordType = RecordType(1007);
    /// `WATCH_REM` (1008).
    pub const WATCH_REM: RecordType = RecordType(1008);
    /// `WATCH_LIST` (1009).
    pub const WATCH_LIST: RecordType = RecordType(1009);
    /// `SIGNAL_INFO` (1010).
    pub const SIGNAL_INFO: RecordType = RecordType(1010);
    /// `ADD_RULE` (1011).
    pub const ADD_RULE: RecordType = RecordType(1011);
    /// `DEL_RULE` (1012).
    pub const DEL_RULE: RecordType = RecordType(1012);
    /// `LIST_RULES` (1013).
    pub const LIST_RULES: RecordType = RecordType(1013);
    /// `TRIM` (1014).
    pub const TRIM: RecordType = RecordType(1014);
    /// `MAKE_EQUIV` (1015).
    pub const MAKE_EQUIV: RecordType = RecordType(1015);
    /// `TTY_GET` (1016).
    pub const TTY_GET: RecordType = RecordType(1016);
    /// `TTY_SET` (1017).
    pub const TTY_SET: RecordType = RecordType(1017);
    /// `SET_FEATURE` (1018).
    pub const SET_FEATURE: RecordType = RecordType(1018);
    /// `GET_FEATURE` (1019).
    pub const GET_FEATURE: RecordType = RecordType(1019);
    /// `USER_AUTH` (1100).
    pub const USER_AUTH: RecordType = RecordType(1100);
    /// `USER_ACCT` (1101).
    pub const USER_ACCT: RecordType = RecordType(1101);
    /// `USER_MGMT` (1102).
    pub const USER_MGMT: RecordType = RecordType(1102);
    /// `CRED_ACQ` (1103).
    pub const CRED_ACQ: RecordType = RecordType(1103);
    /// `CRED_DISP` (1104).
    pub const CRED_DISP: RecordType = RecordType(1104);
    /// `USER_START` (1105).
    pub const USER_START: RecordType = RecordType(1105);
    /// `USER_END` (1106).
    pub const USER_END: RecordType = RecordType(1106);
    /// `USER_AVC` (1107).
    pub const USER_AVC: RecordType = RecordType(1107);
    /// `USER_CHAUTHTOK` (1108).
    pub const USER_CHAUTHTOK: RecordType = RecordType(1108);
    /// `USER_ERR` (1109).
    pub const USER_ERR: RecordType = RecordType(1109);
    /// `CRED_REFR` (1110).
    pub const CRED_REFR: RecordType = RecordType(1110);
    /// `USYS_CONFIG` (1111).
    pub const USYS_CONFIG: RecordType = RecordType(1111);
    /// `USER_LOGIN` (1112).
    pub const USER_LOGIN: RecordType = RecordType(1112);
    /// `USER_LOGOUT` (1113).
    pub const USER_LOGOUT: RecordType = RecordType(1113);
    /// `ADD_USER` (1114).
    pub const ADD_USER: RecordType = RecordType(1114);
    /// `DEL_USER` (1115).
    pub const DEL_USER: RecordType = RecordType(1115);
    /// `ADD_GROUP` (1116).
    pub const ADD_GROUP: RecordType = RecordType(1116);
    /// `DEL_GROUP` (1117).
    pub const DEL_GROUP: RecordType = RecordType(1117);
    /// `DAC_CHECK` (1118).
    pub const DAC_CHECK: RecordType = RecordType(1118);
    /// `CHGRP_ID` (1119).
    pub const CHGRP_ID: RecordType = RecordType(1119);
    /// `TEST` (1120).
    pub const TEST: RecordType = RecordType(1120);
    /// `TRUSTED_APP` (1121).
    pub const TRUSTED_APP: RecordType = RecordType(1121);
    /// `USER_SELINUX_ERR` (1122).
    pub const USER_SELINUX_ERR: RecordType = RecordType(1122);
    /// `USER_CMD` (1123).
    pub const USER_CMD: RecordType = RecordType(1123);
    /// `USER_TTY` (1124).
    pub const USER_TTY: RecordType = RecordType(1124);
    /// `CHUSER_ID` (1125).
    pub const CHUSER_ID: RecordType = RecordType(1125);
    /// `GRP_AUTH` (1126).
    pub const GRP_AUTH: RecordType = RecordType(1126);
    /// `SYSTEM_BOOT` (1127).
    pub const SYSTEM_BOOT: RecordType = RecordType(1127);
    /// `SYSTEM_SHUTDOWN` (1128).
    pub const SYSTEM_SHUTDOWN: RecordType = RecordType(1128);
    /// `SYSTEM_RUNLEVEL` (1129).
    pub const SYSTEM_RUNLEVEL: RecordType = RecordType(1129);
    /// `SERVICE_START` (1130).
    pub const SERVICE_START: RecordType = RecordType(1130);
    /// `SERVICE_STOP` (1131).
    pub const SERVICE_STOP: RecordType = RecordType(1131);
    /// `GRP_MGMT` (1132).
    pub const GRP_MGMT: RecordType = RecordType(1132);
    /// `GRP_CHAUTHTOK` (1133).
    pub const GRP_CHAUTHTOK: RecordType = RecordType(1133);
    /// `MAC_CHECK` (1134).
    pub const MAC_CHECK: RecordType = RecordType(1134);
    /// `ACCT_LOCK` (1135).
    pub const ACCT_LOCK: RecordType = RecordType(1135);
    /// `ACCT_UNLOCK` (1136).
    pub const ACCT_UNLOCK: RecordType = RecordType(1136);
    /// `USER_DEVICE` (1137).
    pub const USER_DEVICE: RecordType = RecordType(1137);
    /// `SOFTWARE_UPDATE` (1138).
    pub const SOFTWARE_UPDATE: RecordType = RecordType(1138);
    /// `DAEMON_START` (1200).
    pub const DAEMON_START: RecordType = RecordType(1200);
    /// `DAEMON_END` (1201).
    pub const DAEMON_END: RecordType = RecordType(1201);
    /// `DAEMON_ABORT` (1202).
    pub const DAEMON_ABORT: RecordType = RecordType(1202);
    /// `DAEMON_CONFIG` (1203).
    pub const DAEMON_CONFIG: RecordType = RecordType(1203);
    /// `DAEMON_ROTATE` (1205).
    pub const DAEMON_ROTATE: RecordType = RecordType(1205);
    /// `DAEMON_RESUME` (1206).
    pub const DAEMON_RESUME: RecordType = RecordType(1206);
    /// `DAEMON_ACCEPT` (1207).
    pub const DAEMON_ACCEPT: RecordType = RecordType(1207);
    /// `DAEMON_CLOSE` (1208).
    pub const DAEMON_CLOSE: RecordType = RecordType(1208);
    /// `DAEMON_ERR` (1209).
    pub const DAEMON_ERR: RecordType = RecordType(1209);
    /// `SYSCALL` (1300).
    pub const SYSCALL: RecordType = RecordType(1300);
    /// `PATH` (1302).
    pub const PATH: RecordType = RecordType(1302);
    /// `IPC` (1303).
    pub const IPC: RecordType = RecordType(1303);
    /// `SOCKETCALL` (1304).
    pub const SOCKETCALL: RecordType = RecordType(1304);
    /// `CONFIG_CHANGE` (1305).
    pub const CONFIG_CHANGE: RecordType = RecordType(1305);
    /// `SOCKADDR` (1306).
    pub const SOCKADDR: RecordType = RecordType(1306);
    /// `CWD` (1307).
    pub const CWD: RecordType = RecordType(1307);
    /// `EXECVE` (1309).
    pub const EXECVE: RecordType = RecordType(1309);
    /// `IPC_SET_PERM` (1311).
    pub const IPC_SET_PERM: RecordType = RecordType(1311);
    /// `MQ_OPEN` (1312).
    pub const MQ_OPEN: RecordType = RecordType(1312);
    /// `MQ_SENDRECV` (1313).
    pub const MQ_SENDRECV: RecordType = RecordType(1313);
    /// `MQ_NOTIFY` (1314).
    pub const MQ_NOTIFY: RecordType = RecordType(1314);
    /// `MQ_GETSETATTR` (1315).
    pub const MQ_GETSETATTR: RecordType = RecordType(1315);
    /// `KERNEL_OTHER` (1316).
    pub const KERNEL_OTHER: RecordType = RecordType(1316);
    /// `FD_PAIR` (1317).
    pub const FD_PAIR: RecordType = RecordType(1317);
    /// `OBJ_PID` (1318).
    pub const OBJ_PID: RecordType = RecordType(1318);
    /// `TTY` (1319).
    pub const TTY: RecordType = RecordType(1319);
    /// `EOE` (1320).
    pub const EOE: RecordType = RecordType(1320);
    /// `BPRM_FCAPS` (1321).
    pub const BPRM_FCAPS: RecordType = RecordType(1321);
    /// `CAPSET` (1322).
    pub const CAPSET: RecordType = RecordType(1322);
    /// `MMAP` (1323).
    pub const MMAP: RecordType = RecordType(1323);
    /// `NETFILTER_PKT` (1324).
    pub const NETFILTER_PKT: RecordType = RecordType(1324);
    /// `NETFILTER_CFG` (1325).
    pub const NETFILTER_CFG: RecordType = RecordType(1325);
    /// `SECCOMP` (1326).
    pub const SECCOMP: RecordType = RecordType(1326);
    /// `PROCTITLE` (1327).
    pub const PROCTITLE: RecordType = RecordType(1327);
    /// `FEATURE_CHANGE` (1328).
    pub const FEATURE_CHANGE: RecordType = RecordType(1328);
    /// `REPLACE` (1329).
    pub const REPLACE: RecordType = RecordType(1329);
    /// `KERN_MODULE` (1330).
    pub const KERN_MODULE: RecordType = RecordType(1330);
    /// `FANOTIFY` (1331).
    pub const FANOTIFY: RecordType = RecordType(1331);
    /// `TIME_INJOFFSET` (1332).
    pub const TIME_INJOFFSET: RecordType = RecordType(1332);
    /// `TIME_ADJNTPVAL` (1333).
    pub const TIME_ADJNTPVAL: RecordType = RecordType(1333);
    /// `BPF` (1334).
    pub const BPF: RecordType = RecordType(1334);
    /// `EVENT_LISTENER` (1335).
    pub const EVENT_LISTENER: RecordType = RecordType(1335);
    /// `URINGOP` (1336).
    pub const URINGOP: RecordType = RecordType(1336);
    /// `OPENAT2` (1337).
    pub const OPENAT2: RecordType = RecordType(1337);
    /// `DM_CTRL` (1338).
    pub const DM_CTRL: RecordType = RecordType(1338);
    /// `DM_EVENT` (1339).
    pub const DM_EVENT: RecordType = RecordType(1339);
    /// `AVC` (1400).
    pub const AVC: RecordType = RecordType(1400);
    /// `SELINUX_ERR` (1401).
    pub const SELINUX_ERR: RecordType = RecordType(1401);
    /// `AVC_PATH` (1402).
    pub const AVC_PATH: RecordType = RecordType(1402);
    /// `MAC_POLICY_LOAD` (1403).
    pub const MAC_POLICY_LOAD: RecordType = RecordType(1403);
    /// `MAC_STATUS` (1404).
    pub const MAC_STATUS: RecordType = RecordType(1404);
    /// `MAC_CONFIG_CHANGE` (1405).
    pub const MAC_CONFIG_CHANGE: RecordType = RecordType(1405);
    /// `MAC_UNLBL_ALLOW` (1406).
    pub const MAC_UNLBL_ALLOW: RecordType = RecordType(1406);
    /// `MAC_CIPSOV4_ADD` (1407).
    pub const MAC_CIPSOV4_ADD: RecordType = RecordType(1407);
    /// `MAC_CIPSOV4_DEL` (1408).
    pub const MAC_CIPSOV4_DEL: RecordType = RecordType(1408);
    /// `MAC_MAP_ADD` (1409).
    pub const MAC_MAP_ADD: RecordType = RecordType(1409);
    /// `MAC_MAP_DEL` (1410).
    pub const MAC_MAP_DEL: RecordType = RecordType(1410);
    /// `MAC_IPSEC_ADDSA` (1411).
    pub const MAC_IPSEC_ADDSA: RecordType = RecordType(1411);
    /// `MAC_IPSEC_DELSA` (1412).
    pub const MAC_IPSEC_DELSA: RecordType = RecordType(1412);
    /// `MAC_IPSEC_ADDSPD` (1413).
    pub const MAC_IPSEC_ADDSPD: RecordType = RecordType(1413);
    /// `MAC_IPSEC_DELSPD` (1414).
    pub const MAC_IPSEC_DELSPD: RecordType = RecordType(1414);
    /// `MAC_IPSEC_EVENT` (1415).
    pub const MAC_IPSEC_EVENT: RecordType = RecordType(1415);
    /// `MAC_UNLBL_STCADD` (1416).
    pub const MAC_UNLBL_STCADD: RecordType = RecordType(1416);
    /// `MAC_UNLBL_STCDEL` (1417).
    pub const MAC_UNLBL_STCDEL: RecordType = RecordType(1417);
    /// `MAC_CALIPSO_ADD` (1418).
    pub const MAC_CALIPSO_ADD: RecordType = RecordType(1418);
    /// `MAC_CALIPSO_DEL` (1419).
    pub const MAC_CALIPSO_DEL: RecordType = RecordType(1419);
    /// `IPE_ACCESS` (1420).
    pub const IPE_ACCESS: RecordType = RecordType(1420);
    /// `IPE_CONFIG_CHANGE` (1421).
    pub const IPE_CONFIG_CHANGE: RecordType = RecordType(1421);
    /// `IPE_POLICY_LOAD` (1422).
    pub const IPE_POLICY_LOAD: RecordType = RecordType(1422);
    /// `LANDLOCK_ACCESS` (1423).
    pub const LANDLOCK_ACCESS: RecordType = RecordType(1423);
    /// `LANDLOCK_DOMAIN` (1424).
    pub const LANDLOCK_DOMAIN: RecordType = RecordType(1424);
    /// `MAC_TASK_CONTEXTS` (1425).
    pub const MAC_TASK_CONTEXTS: RecordType = RecordType(1425);
    /// `MAC_OBJ_CONTEXTS` (1426).
    pub const MAC_OBJ_CONTEXTS: RecordType = RecordType(1426);
    /// `APPARMOR` (1500).
    pub const APPARMOR: RecordType = RecordType(1500);
    /// `APPARMOR_AUDIT` (1501).
    pub const APPARMOR_AUDIT: RecordType = RecordType(1501);
    /// `APPARMOR_ALLOWED` (1502).
    pub const APPARMOR_ALLOWED: RecordType = RecordType(1502);
    /// `APPARMOR_DENIED` (1503).
    pub const APPARMOR_DENIED: RecordType = RecordType(1503);
    /// `APPARMOR_HINT` (1504).
    pub const APPARMOR_HINT: RecordType = RecordType(1504);
    /// `APPARMOR_STATUS` (1505).
    pub const APPARMOR_STATUS: RecordType = RecordType(1505);
    /// `APPARMOR_ERROR` (1506).
    pub const APPARMOR_ERROR: RecordType = RecordType(1506);
    /// `APPARMOR_KILL` (1507).
    pub const APPARMOR_KILL: RecordType = RecordType(1507);
    /// `ANOM_PROMISCUOUS` (1700).
    pub const ANOM_PROMISCUOUS: RecordType = RecordType(1700);
    /// `ANOM_ABEND` (1701).
    pub const ANOM_ABEND: RecordType = RecordType(1701);
    /// `ANOM_LINK` (1702).
    pub const ANOM_LINK: RecordType = RecordType(1702);
    /// `ANOM_CREAT` (1703).
    pub const ANOM_CREAT: RecordType = RecordType(1703);
    /// `INTEGRITY_DATA` (1800).
    pub const INTEGRITY_DATA: RecordType = RecordType(1800);
    /// `INTEGRITY_METADATA` (1801).
    pub const INTEGRITY_METADATA: RecordType = RecordType(1801);
    /// `INTEGRITY_STATUS` (1802).
    pub const INTEGRITY_STATUS: RecordType = RecordType(1802);
    /// `INTEGRITY_HASH` (1803).
    pub const INTEGRITY_HASH: RecordType = RecordType(1803);
    /// `INTEGRITY_PCR` (1804).
    pub const INTEGRITY_PCR: RecordType = RecordType(1804);
    /// `INTEGRITY_RULE` (1805).
    pub const INTEGRITY_RULE: RecordType = RecordType(1805);
    /// `INTEGRITY_EVM_XATTR` (1806).
    pub const INTEGRITY_EVM_XATTR: RecordType = RecordType(1806);
    /// `INTEGRITY_POLICY_RULE` (1807).
    pub const INTEGRITY_POLICY_RULE: RecordType = RecordType(1807);
    /// `INTEGRITY_USERSPACE` (1808).
    pub const INTEGRITY_USERSPACE: RecordType = RecordType(1808);
    /// `KERNEL` (2000).
    pub const KERNEL: RecordType = RecordType(2000);
    /// `ANOM_LOGIN_FAILURES` (2100).
    pub const ANOM_LOGIN_FAILURES: RecordType = RecordType(2100);
    /// `ANOM_LOGIN_TIME` (2101).
    pub const ANOM_LOGIN_TIME: RecordType = RecordType(2101);
    /// `ANOM_LOGIN_SESSIONS` (2102).
    pub const ANOM_LOGIN_SESSIONS: RecordType = RecordType(2102);
    /// `ANOM_LOGIN_ACCT` (2103).
    pub const ANOM_LOGIN_ACCT: RecordType = RecordType(2103);
    /// `ANOM_LOGIN_LOCATION` (2104).
    pub const ANOM_LOGIN_LOCATION: RecordType = RecordType(2104);
    /// `ANOM_MAX_DAC` (2105).
    pub const ANOM_MAX_DAC: RecordType = RecordType(2105);
    /// `ANOM_MAX_MAC` (2106).
    pub const ANOM_MAX_MAC: RecordType = RecordType(2106);
    /// `ANOM_AMTU_FAIL` (2107).
    pub const ANOM_AMTU_FAIL: RecordType = RecordType(2107);
    /// `ANOM_RBAC_FAIL` (2108).
    pub const ANOM_RBAC_FAIL: RecordType = RecordType(2108);
    /// `ANOM_RBAC_INTEGRITY_FAIL` (2109).
    pub const ANOM_RBAC_INTEGRITY_FAIL: RecordType = RecordType(2109);
    /// `ANOM_CRYPTO_FAIL` (2110).
    pub const ANOM_CRYPTO_FAIL: RecordType = RecordType(2110);
    /// `ANOM_ACCESS_FS` (2111).
    pub const ANOM_ACCESS_FS: RecordType = RecordType(2111);
    /// `ANOM_EXEC` (2112).
    pub const ANOM_EXEC: RecordType = RecordType(2112);
    /// `ANOM_MK_EXEC` (2113).
    pub const ANOM_MK_EXEC: RecordType = RecordType(2113);
    /// `ANOM_ADD_ACCT` (2114).
    pub const ANOM_ADD_ACCT: RecordType = RecordType(2114);
    /// `ANOM_DEL_ACCT` (2115).
    pub const ANOM_DEL_ACCT: RecordType = RecordType(2115);
    /// `ANOM_MOD_ACCT` (2116).
    pub const ANOM_MOD_ACCT: RecordType = RecordType(2116);
    /// `ANOM_ROOT_TRANS` (2117).
    pub const ANOM_ROOT_TRANS: RecordType = RecordType(2117);
    /// `ANOM_LOGIN_SERVICE` (2118).
    pub const ANOM_LOGIN_SERVICE: RecordType = RecordType(2118);
    /// `ANOM_LOGIN_ROOT` (2119).
    pub const ANOM_LOGIN_ROOT: RecordType = RecordType(2119);
    /// `ANOM_ORIGIN_FAILURES` (2120).
    pub const ANOM_ORIGIN_FAILURES: RecordType = RecordType(2120);
    /// `ANOM_SESSION` (2121).
    pub const ANOM_SESSION: RecordType = RecordType(2121);
    /// `RESP_ANOMALY` (2200).
    pub const RESP_ANOMALY: RecordType = RecordType(2200);
    /// `RESP_ALERT` (2201).
    pub const RESP_ALERT: RecordType = RecordType(2201);
    /// `RESP_KILL_PROC` (2202).
    pub const RESP_KILL_PROC: RecordType = RecordType(2202);
    /// `RESP_TERM_ACCESS` (2203).
    pub const RESP_TERM_ACCESS: RecordType = RecordType(2203);
    /// `RESP_ACCT_REMOTE` (2204).
    pub const RESP_ACCT_REMOTE: RecordType = RecordType(2204);
    /// `RESP_ACCT_LOCK_TIMED` (2205).
    pub const RESP_ACCT_LOCK_TIMED: RecordType = RecordType(2205);
    /// `RESP_ACCT_UNLOCK_TIMED` (2206).
    pub const RESP_ACCT_UNLOCK_TIMED: RecordType = RecordType(2206);
    /// `RESP_ACCT_LOCK` (2207).
    pub const RESP_ACCT_LOCK: RecordType = RecordType(2207);
    /// `RESP_TERM_LOCK` (2208).
    pub const RESP_TERM_LOCK: RecordType = RecordType(2208);
    /// `RESP_SEBOOL` (2209).
    pub const RESP_SEBOOL: RecordType = RecordType(2209);
    /// `RESP_EXEC` (2210).
    pub const RESP_EXEC: RecordType = RecordType(2210);
    /// `RESP_SINGLE` (2211).
    pub const RESP_SINGLE: RecordType = RecordType(2211);
    /// `RESP_HALT` (2212).
    pub const RESP_HALT: RecordType = RecordType(2212);
    /// `RESP_ORIGIN_BLOCK` (2213).
    pub const RESP_ORIGIN_BLOCK: RecordType = RecordType(2213);
    /// `RESP_ORIGIN_BLOCK_TIMED` (2214).
    pub const RESP_ORIGIN_BLOCK_TIMED: RecordType = RecordType(2214);
    /// `RESP_ORIGIN_UNBLOCK_TIMED` (2215).
    pub const RESP_ORIGIN_UNBLOCK_TIMED: RecordType = RecordType(2215);
    /// `USER_ROLE_CHANGE` (2300).
    pub const USER_ROLE_CHANGE: RecordType = RecordType(2300);
    /// `ROLE_ASSIGN` (2301).
    pub const ROLE_ASSIGN: RecordType = RecordType(2301);
    /// `ROLE_REMOVE` (2302).
    pub const ROLE_REMOVE: RecordType = RecordType(2302);
    /// `LABEL_OVERRIDE` (2303).
    pub const LABEL_OVERRIDE: RecordType = RecordType(2303);
    /// `LABEL_LEVEL_CHANGE` (2304).
    pub const LABEL_LEVEL_CHANGE: RecordType = RecordType(2304);
    /// `USER_LABELED_EXPORT` (2305).
    pub const USER_LABELED_EXPORT: RecordType = RecordType(2305);
    /// `USER_UNLABELED_EXPORT` (2306).
    pub const USER_UNLABELED_EXPORT: RecordType = RecordType(2306);
    /// `DEV_ALLOC` (2307).
    pub const DEV_ALLOC: RecordType = RecordType(2307);
    /// `DEV_DEALLOC` (2308).
    pub const DEV_DEALLOC: RecordType = RecordType(2308);
    /// `FS_RELABEL` (2309).
    pub const FS_RELABEL: RecordType = RecordType(2309);
    /// `USER_MAC_POLICY_LOAD` (2310).
    pub const USER_MAC_POLICY_LOAD: RecordType = RecordType(2310);
    /// `ROLE_MODIFY` (2311).
    pub const ROLE_MODIFY: RecordType = RecordType(2311);
    /// `USER_MAC_CONFIG_CHANGE` (2312).
    pub const USER_MAC_CONFIG_CHANGE: RecordType = RecordType(2312);
    /// `USER_MAC_STATUS` (2313).
    pub const USER_MAC_STATUS: RecordType = RecordType(2313);
    /// `CRYPTO_TEST_USER` (2400).
    pub const CRYPTO_TEST_USER: RecordType = RecordType(2400);
    /// `CRYPTO_PARAM_CHANGE_USER` (2401).
    pub const CRYPTO_PARAM_CHANGE_USER: RecordType = RecordType(2401);
    /// `CRYPTO_LOGIN` (2402).
    pub const CRYPTO_LOGIN: RecordType = RecordType(2402);
    /// `CRYPTO_LOGOUT` (2403).
    pub const CRYPTO_LOGOUT: RecordType = RecordType(2403);
    /// `CRYPTO_KEY_USER` (2404).
    pub const CRYPTO_KEY_USER: RecordType = RecordType(2404);
    /// `CRYPTO_FAILURE_USER` (2405).
    pub const CRYPTO_FAILURE_USER: RecordType = RecordType(2405);
    /// `CRYPTO_REPLAY_USER` (2406).
    pub const CRYPTO_REPLAY_USER: RecordType = RecordType(2406);
    /// `CRYPTO_SESSION` (2407).
    pub const CRYPTO_SESSION: RecordType = RecordType(2407);
    /// `CRYPTO_IKE_SA` (2408).
    pub const CRYPTO_IKE_SA: RecordType = RecordType(2408);
    /// `CRYPTO_IPSEC_SA` (2409).
    pub const CRYPTO_IPSEC_SA: RecordType = RecordType(2409);
    /// `VIRT_CONTROL` (2500).
    pub const VIRT_CONTROL: RecordType = RecordType(2500);
    /// `VIRT_RESOURCE` (2501).
    pub const VIRT_RESOURCE: RecordType = RecordType(2501);
    /// `VIRT_MACHINE_ID` (2502).
    pub const VIRT_MACHINE_ID: RecordType = RecordType(2502);
    /// `VIRT_INTEGRITY_CHECK` (2503).
    pub const VIRT_INTEGRITY_CHECK: RecordType = RecordType(2503);
    /// `VIRT_CREATE` (2504).
    pub const VIRT_CREATE: RecordType = RecordType(2504);
    /// `VIRT_DESTROY` (2505).
    pub const VIRT_DESTROY: RecordType = RecordType(2505);
    /// `VIRT_MIGRATE_IN` (2506).
    pub const VIRT_MIGRATE_IN: RecordType = RecordType(2506);
    /// `VIRT_MIGRATE_OUT` (2507).
    pub const VIRT_MIGRATE_OUT: RecordType = RecordType(2507);
}

impl RecordType {
    /// The first type of the kernel's multi-record event range (`AUDIT_FIRST_EVENT`).
    pub const FIRST_EVENT: u32 = 1300;
    /// First user-space anomaly type (`AUDIT_FIRST_ANOM_MSG` of libaudit).
    pub const FIRST_ANOM_MSG: u32 = 2100;
    /// First and last user-space message types (`AUDIT_FIRST_USER_MSG`..`AUDIT_LAST_USER_MSG`).
    pub const USER_MSG_RANGE: core::ops::RangeInclusive<u32> = 1100..=1199;
    /// Second range of user-space message types (`AUDIT_FIRST_USER_MSG2`..`AUDIT_LAST_USER_MSG2`).
    pub const USER_MSG_RANGE2: core::ops::RangeInclusive<u32> = 2100..=2999;

    /// The type's name, `None` when the table has none (it is then written `UNKNOWN[n]`).
    pub fn name(self) -> Option<&'static str> {
        TABLE
            .binary_search_by_key(&self.0, |e| e.0)
            .ok()
            .map(|i| TABLE[i].1)
    }

    /// Where the name comes from, `None` for an unnamed type.
    pub fn origin(self) -> Option<Origin> {
        TABLE
            .binary_search_by_key(&self.0, |e| e.0)
            .ok()
            .map(|i| TABLE[i].2)
    }

    /// The name as libaudit 3.0.9's `audit_msg_type_to_name` gives it: `None` for
    /// kernel requests and for types newer than that library.
    pub fn libaudit_name(self) -> Option<&'static str> {
        match self.origin() {
            Some(Origin::Log) => self.name(),
            _ => None,
        }
    }

    /// Look a type up by its exact name (`"SYSCALL"`).
    pub fn from_name(name: &str) -> Option<RecordType> {
        RecordType::from_name_bytes(name.as_bytes())
    }

    /// Look a type up by its exact name, given as bytes.
    pub fn from_name_bytes(name: &[u8]) -> Option<RecordType> {
        let slots = by_name();
        let mut h = name_hash(name);
        loop {
            let i = slots[h];
            if i == EMPTY_SLOT {
                return None;
            }
            let e = &TABLE[usize::from(i)];
            if e.1.as_bytes() == name {
                return Some(RecordType(e.0));
            }
            h = (h + 1) % NAME_SLOTS;
        }
    }

    /// Read the type as it stands after `type=` in a log: a name, `UNKNOWN[n]`, or a
    /// plain number.
    pub fn from_log_name(text: &str) -> Option<RecordType> {
        RecordType::from_log_name_bytes(text.as_bytes())
    }

    /// [`RecordType::from_log_name`] on bytes.
    pub fn from_log_name_bytes(text: &[u8]) -> Option<RecordType> {
        if let Some(t) = RecordType::from_name_bytes(text) {
            return Some(t);
        }
        let digits = text
            .strip_prefix(b"UNKNOWN[")
            .and_then(|r| r.strip_suffix(b"]"))
            .unwrap_or(text);
        if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(RecordType(
            digits
                .iter()
                .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0')),
        ))
    }

    /// Whether a record of this type ends its event on its own, by the rule libauparse
    /// applies: `PROCTITLE` and `EOE` end an event; every type below the kernel's event
    /// range (1300), `KERNEL` (2000), every type from 2100 on, and the NetLabel
    /// configuration types 1406..=1419 are events of one record.
    #[inline]
    pub fn is_single_record(self) -> bool {
        let t = self.0;
        t == Self::PROCTITLE.0
            || t == Self::EOE.0
            || !(Self::FIRST_EVENT..Self::FIRST_ANOM_MSG).contains(&t)
            || t == Self::KERNEL.0
            || (Self::MAC_UNLBL_ALLOW.0..=Self::MAC_CALIPSO_DEL.0).contains(&t)
    }

    /// Iterate over every named type, by number.
    pub fn all() -> impl Iterator<Item = (RecordType, &'static str)> {
        TABLE.iter().map(|&(n, name, _)| (RecordType(n), name))
    }
}

impl fmt::Display for RecordType {
    /// The name, or `UNKNOWN[n]` as auditd writes unnamed types.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "UNKNOWN[{}]", self.0),
        }
    }
}

impl From<u32> for RecordType {
    fn from(n: u32) -> Self {
        RecordType(n)
    }
}

impl From<u16> for RecordType {
    fn from(n: u16) -> Self {
        RecordType(u32::from(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        for w in TABLE.windows(2) {
            assert!(w[0].0 < w[1].0, "{} !< {}", w[0].0, w[1].0);
        }
        let mut names: Vec<_> = TABLE.iter().map(|e| e.1).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TABLE.len());
    }

    #[test]
    fn unknown_names_are_not_found() {
        for n in ["", "SYSCALLX", "syscall", "SYSCAL", "\u{1d}"] {
            assert_eq!(RecordType::from_name(n), None, "{n:?}");
        }
    }

    #[test]
    fn names_round_trip() {
        for (t, name) in RecordType::all() {
            assert_eq!(RecordType::from_name(name), Some(t));
            assert_eq!(t.name(), Some(name));
            assert_eq!(t.to_string(), name);
        }
    }

    #[test]
    fn kernel_anchor_values() {
        assert_eq!(RecordType::GET.0, 1000);
        assert_eq!(RecordType::SYSCALL.0, 1300);
        assert_eq!(RecordType::EOE.0, 1320);
        assert_eq!(RecordType::PROCTITLE.0, 1327);
        assert_eq!(RecordType::AVC.0, 1400);
        assert_eq!(RecordType::KERNEL.0, 2000);
        assert_eq!(RecordType::USER_LOGIN.0, 1112);
    }

    #[test]
    fn unknown_types_print_like_auditd() {
        assert_eq!(RecordType(9999).to_string(), "UNKNOWN[9999]");
        assert_eq!(
            RecordType::from_log_name("UNKNOWN[9999]"),
            Some(RecordType(9999))
        );
        assert_eq!(RecordType::from_log_name("1300"), Some(RecordType::SYSCALL));
        assert_eq!(RecordType::from_log_name("NOPE"), None);
        assert_eq!(RecordType::from_log_name("UNKNOWN[12x]"), None);
    }

    #[test]
    fn libaudit_names_exclude_control_and_newer() {
        assert_eq!(RecordType::GET.libaudit_name(), None);
        assert_eq!(RecordType::LANDLOCK_ACCESS.libaudit_name(), None);
        assert_eq!(RecordType::SYSCALL.libaudit_name(), Some("SYSCALL"));
    }

    #[test]
    fn single_record_rule() {
        for t in [
            RecordType::EOE,
            RecordType::PROCTITLE,
            RecordType::USER_LOGIN,
            RecordType::LOGIN,
            RecordType::KERNEL,
            RecordType::ANOM_LOGIN_FAILURES,
            RecordType::MAC_UNLBL_ALLOW,
        ] {
            assert!(t.is_single_record(), "{t}");
        }
        for t in [
            RecordType::SYSCALL,
            RecordType::PATH,
            RecordType::CWD,
            RecordType::EXECVE,
            RecordType::AVC,
            RecordType::ANOM_ABEND,
        ] {
            assert!(!t.is_single_record(), "{t}");
        }
    }
}
