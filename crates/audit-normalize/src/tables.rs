//! The tables of the normalizer: record types to actions, syscalls to the
//! kind of thing they do, record types to event kinds, object kinds.

/// Record type numbers the normalizer looks at.
#[allow(missing_docs)]
pub(crate) mod rt {
    pub const USER: i64 = 1005;
    pub const LOGIN: i64 = 1006;
    pub const USER_AUTH: i64 = 1100;
    pub const USER_ACCT: i64 = 1101;
    pub const USER_MGMT: i64 = 1102;
    pub const CRED_ACQ: i64 = 1103;
    pub const CRED_DISP: i64 = 1104;
    pub const USER_START: i64 = 1105;
    pub const USER_END: i64 = 1106;
    pub const USER_AVC: i64 = 1107;
    pub const USER_CHAUTHTOK: i64 = 1108;
    pub const USER_ERR: i64 = 1109;
    pub const CRED_REFR: i64 = 1110;
    pub const USYS_CONFIG: i64 = 1111;
    pub const USER_LOGIN: i64 = 1112;
    pub const USER_LOGOUT: i64 = 1113;
    pub const ADD_USER: i64 = 1114;
    pub const DEL_USER: i64 = 1115;
    pub const ADD_GROUP: i64 = 1116;
    pub const DEL_GROUP: i64 = 1117;
    pub const USER_CMD: i64 = 1123;
    pub const USER_TTY: i64 = 1124;
    pub const SYSTEM_BOOT: i64 = 1127;
    pub const SYSTEM_SHUTDOWN: i64 = 1128;
    pub const SYSTEM_RUNLEVEL: i64 = 1129;
    pub const SERVICE_START: i64 = 1130;
    pub const SERVICE_STOP: i64 = 1131;
    pub const GRP_MGMT: i64 = 1132;
    pub const GRP_CHAUTHTOK: i64 = 1133;
    pub const ACCT_LOCK: i64 = 1135;
    pub const ACCT_UNLOCK: i64 = 1136;
    pub const USER_DEVICE: i64 = 1137;
    pub const SOFTWARE_UPDATE: i64 = 1138;
    pub const FIRST_DAEMON: i64 = 1200;
    pub const LAST_DAEMON: i64 = 1299;
    pub const DAEMON_START: i64 = 1200;
    pub const DAEMON_ABORT: i64 = 1202;
    pub const DAEMON_ACCEPT: i64 = 1207;
    pub const SYSCALL: i64 = 1300;
    pub const PATH: i64 = 1302;
    pub const CONFIG_CHANGE: i64 = 1305;
    pub const SOCKADDR: i64 = 1306;
    pub const CWD: i64 = 1307;
    pub const TTY: i64 = 1319;
    pub const NETFILTER_CFG: i64 = 1325;
    pub const SECCOMP: i64 = 1326;
    pub const FEATURE_CHANGE: i64 = 1328;
    pub const KERN_MODULE: i64 = 1330;
    pub const FANOTIFY: i64 = 1331;
    pub const TIME_INJOFFSET: i64 = 1332;
    pub const TIME_ADJNTPVAL: i64 = 1333;
    pub const BPF: i64 = 1334;
    pub const EVENT_LISTENER: i64 = 1335;
    pub const AVC: i64 = 1400;
    pub const SELINUX_ERR: i64 = 1401;
    pub const MAC_POLICY_LOAD: i64 = 1403;
    pub const MAC_STATUS: i64 = 1404;
    pub const MAC_CONFIG_CHANGE: i64 = 1405;
    pub const MAC_UNLBL_ALLOW: i64 = 1406;
    pub const MAC_MAP_ADD: i64 = 1409;
    pub const MAC_MAP_DEL: i64 = 1410;
    pub const LAST_SELINUX: i64 = 1499;
    pub const ANOM_PROMISCUOUS: i64 = 1700;
    pub const ANOM_ABEND: i64 = 1701;
    pub const ANOM_LINK: i64 = 1702;
    pub const ANOM_LOGIN_FAILURES: i64 = 2100;
    pub const ANOM_LOGIN_TIME: i64 = 2101;
    pub const ANOM_LOGIN_SESSIONS: i64 = 2102;
    pub const ANOM_LOGIN_LOCATION: i64 = 2104;
    pub const ANOM_RBAC_INTEGRITY_FAIL: i64 = 2109;
    pub const ANOM_EXEC: i64 = 2112;
    pub const USER_ROLE_CHANGE: i64 = 2300;
    pub const ROLE_ASSIGN: i64 = 2301;
    pub const ROLE_REMOVE: i64 = 2302;
    pub const LABEL_OVERRIDE: i64 = 2303;
    pub const LABEL_LEVEL_CHANGE: i64 = 2304;
    pub const DEV_ALLOC: i64 = 2307;
    pub const USER_MAC_CONFIG_CHANGE: i64 = 2312;
    pub const CRYPTO_KEY_USER: i64 = 2404;
    pub const CRYPTO_SESSION: i64 = 2407;
    pub const VIRT_CONTROL: i64 = 2500;
    pub const VIRT_RESOURCE: i64 = 2501;
    pub const VIRT_MACHINE_ID: i64 = 2502;
}

/// The action libauparse names for a record type (`normalize_record_map`).
pub(crate) fn record_action(t: i64) -> Option<&'static str> {
    Some(match t {
        1005 => "sent-message",
        1006 => "changed-login-id-to",
        1100 => "authenticated",
        1101 => "was-authorized",
        1102 => "modified-user-account",
        1103 => "acquired-credentials",
        1104 => "disposed-credentials",
        1105 => "started-session",
        1106 => "ended-session",
        1107 => "accessed-mac-policy-controlled-object",
        1108 => "changed-password",
        1109 => "caused-account-error",
        1110 => "refreshed-credentials",
        1111 => "changed-configuration",
        1112 => "logged-in",
        1113 => "logged-out",
        1114 => "added-user-account",
        1115 => "deleted-user-account",
        1116 => "added-group-account-to",
        1117 => "deleted-group-account-from",
        1118 => "access-result",
        1119 => "changed-group",
        1120 => "sent-test",
        1121 => "unknown",
        1122 => "access-error",
        1123 => "ran-command",
        1124 => "typed",
        1125 => "changed-user-id",
        1126 => "authenticated-to-group",
        1127 => "booted-system",
        1128 => "shutdown-system",
        1129 => "changed-to-runlevel",
        1130 => "started-service",
        1131 => "stopped-service",
        1132 => "modified-group-account",
        1133 => "changed-group-password",
        1134 => "mac-permission",
        1135 => "locked-account",
        1136 => "unlocked-account",
        1137 => "configured-device",
        1138 => "installed-software",
        1200 => "started-audit",
        1201 => "shutdown-audit",
        1202 => "aborted-auditd-startup",
        1203 => "changed-auditd-configuration",
        1204 => "reconfigured-auditd",
        1205 => "rotated-audit-logs",
        1206 => "resumed-audit-logging",
        1207 => "remote-audit-connected",
        1208 => "remote-audit-disconnected",
        1209 => "audit-error",
        1305 => "changed-audit-configuration",
        1319 => "typed",
        1326 => "called-seccomp-controlled-syscall",
        1328 => "changed-audit-feature",
        1330 => "loaded-kernel-module",
        1331 => "accessed-policy-controlled-file",
        1400 => "accessed-mac-policy-controlled-object",
        1403 => "loaded-selinux-policy",
        1404 => "changed-selinux-enforcement-to",
        1405 => "changed-selinux-boolean",
        1409 => "added-mac-network-domain-mapping-to",
        1410 => "deleted-mac-network-domain-mapping-from",
        1700 => "changed-socket-promiscuous-mode",
        1701 => "crashed-program",
        1702 => "used-suspcious-link",
        1703 => "created-suspicious-file",
        2000 => "initialized-audit-subsystem",
        2100 => "failed-log-in-too-many-times-to",
        2101 => "attempted-log-in-during-unusual-hour-to",
        2102 => "opened-too-many-sessions-to",
        2104 => "attempted-log-in-from-unusual-place-to",
        2109 => "tested-file-system-integrity-of",
        2112 => "attempted-execution-of-forbidden-program",
        2300 => "changed-role-to",
        2301 => "assigned-user-role-to",
        2302 => "removed-use-role-from",
        2303 => "overrode-label-of",
        2304 => "modified-level-of",
        2309 => "relabeled-filesystem",
        2310 => "loaded-mac-policy",
        2311 => "modified-role",
        2312 => "changed-mac-configuration",
        2313 => "changed-selinux-enforcement-to",
        2402 => "crypto-officer-logged-in",
        2403 => "crypto-officer-logged-out",
        2404 => "negotiated-crypto-key",
        2407 => "started-crypto-session",
        2500 => "issued-vm-control",
        2501 => "assigned-vm-resource",
        2502 => "assigned-vm-id",
        2503 => "checked-integrity-of",
        2504 => "created-vm-image",
        2505 => "deleted-vm-image",
        2506 => "migrated-vm-from",
        2507 => "migrated-vm-to",
        _ => return None,
    })
}

/// What a syscall does, for choosing its action and object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SysKind {
    Unknown,
    File,
    FileChattr,
    FileChperm,
    FileChown,
    FileLdmod,
    FileUnldmod,
    FileDir,
    FileMount,
    FileRename,
    FileStat,
    FileLnk,
    FileUmnt,
    FileDel,
    FileTime,
    Exec,
    SocketAccept,
    SocketBind,
    SocketConn,
    SocketRecv,
    SocketSend,
    Pid,
    Mac,
    MacLoad,
    MacConfig,
    MacEnforce,
    MacErr,
    Iptables,
    Promiscuous,
    Uid,
    Gid,
    SystemTime,
    MakeDev,
    SystemName,
    FileSysStat,
    SystemMemory,
    Scheduler,
    Av,
    Bpf,
    EvListen,
}

/// The kind of a syscall by name (`normalize_syscall_map`).
pub(crate) fn syscall_kind(name: &[u8]) -> SysKind {
    use SysKind::*;
    match name {
        b"access" | b"faccessat" | b"faccessat2" | b"newfstatat" | b"stat" | b"fstat"
        | b"lstat" | b"stat64" | b"statx" => FileStat,
        b"chmod" | b"fchmod" | b"fchmodat" => FileChperm,
        b"chown" | b"fchown" | b"fchownat" | b"lchown" => FileChown,
        b"finit_module" | b"init_module" => FileLdmod,
        b"delete_module" => FileUnldmod,
        b"setxattr" | b"fsetxattr" | b"lsetxattr" | b"removexattr" | b"fremovexattr"
        | b"lremovexattr" => FileChattr,
        b"mkdir" | b"mkdirat" => FileDir,
        b"mount" | b"move_mount" | b"fsmount" | b"fspick" => FileMount,
        b"statfs" | b"fstatfs" => FileSysStat,
        b"creat" | b"fallocate" | b"truncate" | b"ftruncate" | b"memfd_create" | b"open"
        | b"openat" | b"openat2" | b"readlink" | b"readlinkat" => File,
        b"rename" | b"renameat" | b"renameat2" => FileRename,
        b"rmdir" | b"unlink" | b"unlinkat" => FileDel,
        b"symlink" | b"symlinkat" => FileLnk,
        b"umount" | b"umount2" => FileUmnt,
        b"utime" | b"utimes" | b"futimesat" | b"utimensat" => FileTime,
        b"execve" | b"execveat" => Exec,
        b"accept" | b"accept4" => SocketAccept,
        b"bind" => SocketBind,
        b"connect" => SocketConn,
        b"recvfrom" | b"recvmsg" => SocketRecv,
        b"sendmsg" | b"sendto" => SocketSend,
        b"kill" | b"tkill" | b"tgkill" => Pid,
        b"setuid" | b"seteuid" | b"setfsuid" | b"setreuid" | b"setresuid" => Uid,
        b"setgid" | b"setegid" | b"setfsgid" | b"setregid" | b"setresgid" => Gid,
        b"settimeofday" | b"clock_settime" | b"stime" | b"adjtimex" => SystemTime,
        b"mknod" | b"mknodat" => MakeDev,
        b"sethostname" | b"setdomainname" => SystemName,
        b"mmap" | b"brk" => SystemMemory,
        b"sched_setparam" | b"sched_setscheduler" | b"sched_setattr" => Scheduler,
        _ => Unknown,
    }
}

/// The kind of event a record type starts (`auparse_normalize_get_event_kind`).
pub(crate) fn event_kind(t: i64) -> &'static str {
    match t {
        1100..=1101 | 1103..=1106 | 1108..=1110 | 1112..=1113 | 1006 => "user-login",
        1126 | 1119 => "group-change",
        1102 | 1114..=1117 | 1132..=1133 | 1135..=1136 => "user-account",
        2000 | 1127..=1131 => "system-services",
        1111 | 1305 | 1325 | 1328 | 1332 | 1333 | 1137 | 1138 => "configuration",
        1326 => "dac-decision",
        1120..=1121 | 1123 | 1125 => "user-space",
        1124 | 1319 => "TTY",
        1335 | 1200..=1299 => "audit-daemon",
        1122 | 1107 | 1502..=1503 | 1506 | 1400..=1402 => "mac-decision",
        1800..=1899 | 2109 => "integrity",
        1700..=1799 | 2100..=2108 | 2110..=2199 => "anomaly",
        2200..=2299 => "anomaly-response",
        1403..=1499 | 1500..=1501 | 1504..=1505 | 2300..=2399 => "mac",
        1600..=1699 | 2400..=2499 => "crypto",
        2500..=2599 => "virt",
        1300..=1304 | 1306..=1315 | 1317..=1318 | 1321..=1324 => "audit-rule",
        1331 => "av-decision",
        1334 => "bpf-program",
        _ => "unknown",
    }
}

/// What kind of thing the object of an event is
/// (`auparse_normalize_object_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[allow(missing_docs)]
pub enum ObjectKind {
    #[default]
    Unknown,
    Fifo,
    CharDev,
    Directory,
    BlockDev,
    File,
    Link,
    Socket,
    Process,
    Firewall,
    Service,
    Account,
    UserSession,
    VirtualMachine,
    Printer,
    System,
    AuditRule,
    AuditConfig,
    MacConfig,
    FileSystem,
    Memory,
    Keystrokes,
    Device,
    Software,
}

impl ObjectKind {
    /// libauparse's name for the kind (`file`, `admin-defined-rule`, ...).
    pub fn as_str(self) -> &'static str {
        use ObjectKind::*;
        match self {
            Unknown => "unknown",
            Fifo => "fifo",
            CharDev => "character-device",
            Directory => "directory",
            BlockDev => "block-device",
            File => "file",
            Link => "symlink",
            Socket => "socket",
            Process => "process",
            Firewall => "firewall",
            Service => "service",
            Account => "account",
            UserSession => "user-session",
            VirtualMachine => "virtual-machine",
            Printer => "printer",
            System => "system",
            AuditRule => "admin-defined-rule",
            AuditConfig => "audit-config",
            MacConfig => "mac-config",
            FileSystem => "file-system",
            Memory => "memory",
            Keystrokes => "keystrokes",
            Device => "device",
            Software => "software",
        }
    }

    /// The kind named `s` (the inverse of [`ObjectKind::as_str`]).
    pub fn from_name(s: &str) -> Option<Self> {
        use ObjectKind::*;
        const ALL: [ObjectKind; 24] = [
            Unknown,
            Fifo,
            CharDev,
            Directory,
            BlockDev,
            File,
            Link,
            Socket,
            Process,
            Firewall,
            Service,
            Account,
            UserSession,
            VirtualMachine,
            Printer,
            System,
            AuditRule,
            AuditConfig,
            MacConfig,
            FileSystem,
            Memory,
            Keystrokes,
            Device,
            Software,
        ];
        ALL.into_iter().find(|k| k.as_str() == s)
    }
}
