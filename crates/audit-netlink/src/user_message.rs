//! User-space records in the forms libaudit's logging functions give them
//! (`audit_log_user_message`, `audit_log_user_comm_message`,
//! `audit_log_acct_message`, `audit_log_user_avc_message`,
//! `audit_log_semanage_message`, `audit_log_user_command`): what login
//! programs, account tools, object managers and command runners send, so that
//! ausearch, aureport and the normalizer read them as they read the C ones.
//!
//! Each message type gives its text with `to_text()`; [`AuditSocket::log_user`]
//! sends it (the kernel adds `pid`, `uid`, `auid`, `ses` and `subj`).
//!
//! What the caller leaves out is filled in as libaudit does: `exe` is this
//! program's path, the terminal is the first of standard input, output and
//! error that is one, the host name is this machine's when the terminal is a
//! real one (`pts*`, `tty*`; for user, comm and acct messages), and the address
//! is the first address of the host name the caller gave
//! ([`audit_nss::host_address`]; `?` without one). Values that could break the
//! record's `name=value` form are hex-encoded ([`encode_untrusted`]). Building a
//! text may therefore read `/proc` and ask the name service (DNS): it can block.
//!
//! Two things differ from libaudit, on purpose:
//! - A value is cut at its first NUL byte, as a C string ends there (a Rust
//!   string may go on, and the kernel would log the text only up to it: a
//!   caller could otherwise end a record early, with a `res=` of its own).
//! - A text longer than the kernel logs whole ([`MAX_USER_TEXT`], 8560 bytes:
//!   the kernel takes up to 8969 but logs no more than that) is cut in its
//!   variable part (the message, the operation and account, or the command),
//!   so that `exe=`, `hostname=`, `addr=`, `terminal=` and `res=` stay;
//!   libaudit sends up to 8969 bytes, and the kernel cuts the end off, `res=`
//!   with it.
//!
//! [`MAX_USER_TEXT`]: crate::MAX_USER_TEXT
//!
//! [`AuditSocket::log_user`]: crate::AuditSocket::log_user
//!
//! ```
//! use audit_netlink::audit_wire::RecordType;
//! use audit_netlink::{Account, AcctMessage, Origin, UserRecord};
//! let m = AcctMessage {
//!     msg_type: RecordType::ADD_USER,
//!     program: Some("useradd"),
//!     op: "adding user",
//!     account: Account::Name("new user"),
//!     origin: Origin {
//!         hostname: Some("host1"),
//!         addr: Some("10.0.0.1"),
//!         terminal: Some("pts/0"),
//!     },
//!     success: true,
//! };
//! assert_eq!(
//!     m.to_text(),
//!     "op=adding user acct=6E65772075736572 exe=\"useradd\" hostname=host1 \
//!      addr=10.0.0.1 terminal=pts/0 res=success"
//! );
//! ```

use audit_wire::RecordType;

/// Longest path libaudit handles (`PATH_MAX`).
const PATH_MAX: usize = 4096;
/// Longest address text libaudit keeps (`INET6_ADDRSTRLEN` less its NUL).
const ADDR_MAX: usize = 45;
/// Longest account name libaudit puts in `acct=` (`UT_NAMESIZE`).
const NAME_MAX: usize = 32;
/// Longest host name libaudit takes from the system (its 64-byte buffer).
const HOST_MAX: usize = 63;

/// A user-space record libaudit's way: its type and its text.
pub trait UserRecord {
    /// The record type (1100..=1199, 2100..=2999, or 1005 `USER`).
    fn record_type(&self) -> RecordType;
    /// The text sent to the kernel (the types here keep it within
    /// [`MAX_USER_TEXT`](crate::MAX_USER_TEXT), which the kernel logs whole).
    fn to_text(&self) -> String;
}

/// `s` up to its first NUL byte, where a C string would end.
fn c_str(s: &str) -> &str {
    s.split('\0').next().unwrap_or("")
}

/// `head` and `tail` joined, `head` cut (at a character boundary) so that the
/// text fits in what the kernel logs; `tail` holds the fields that must stay.
fn fit(mut head: String, tail: String) -> String {
    let max = crate::MAX_USER_TEXT;
    if head.len() + tail.len() > max {
        head.truncate(floor_char_boundary(&head, max.saturating_sub(tail.len())));
    }
    head.push_str(&tail);
    head.truncate(floor_char_boundary(&head, max));
    head
}

/// Whether `v` is hex-encoded: a quote, a space or control character, DEL, or
/// any byte above 0x7f, as the kernel and libaudit on x86 (whose test runs on
/// signed chars) encode.
fn needs_encoding(v: &[u8]) -> bool {
    v.iter().any(|&b| b == b'"' || !(0x21..0x7f).contains(&b))
}

/// Uppercase hex of `v`, as the kernel and libaudit encode untrusted strings.
fn hex(v: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(v.len() * 2);
    for &b in v {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

/// Encode a value as libaudit does for untrusted names: quoted when it holds only
/// printable ASCII other than `"`, otherwise uppercase hex.
pub fn encode_untrusted(v: &[u8]) -> String {
    if needs_encoding(v) {
        hex(v)
    } else {
        format!("\"{}\"", String::from_utf8_lossy(v))
    }
}

/// This program's path, encoded (`"?"` when it cannot be read).
fn own_exe() -> String {
    use std::os::unix::ffi::OsStrExt;
    match std::fs::read_link("/proc/self/exe") {
        Ok(p) => encode_untrusted(p.as_os_str().as_bytes()),
        Err(_) => "\"?\"".to_string(),
    }
}

/// The terminal of standard input, output or error (the first that is one),
/// without `/dev/`.
fn own_tty() -> Option<String> {
    use std::io::IsTerminal;
    use std::os::unix::ffi::OsStrExt;
    let terminals = [
        std::io::stdin().is_terminal(),
        std::io::stdout().is_terminal(),
        std::io::stderr().is_terminal(),
    ];
    (0..3).find_map(|fd| {
        if !terminals[fd] {
            return None;
        }
        let p = std::fs::read_link(format!("/proc/self/fd/{fd}")).ok()?;
        let bytes = p.as_os_str().as_bytes();
        let name = bytes.strip_prefix(b"/dev/").unwrap_or(bytes);
        Some(String::from_utf8_lossy(name).into_owned())
    })
}

/// This machine's host name (`gethostname`), at most [`HOST_MAX`] bytes.
fn own_hostname() -> String {
    let name = std::fs::read("/proc/sys/kernel/hostname").unwrap_or_default();
    let name = name.strip_suffix(b"\n").unwrap_or(&name);
    String::from_utf8_lossy(&name[..name.len().min(HOST_MAX)]).into_owned()
}

/// A terminal: given (`Some("")` means none), or looked up when `None`.
fn terminal_of(given: Option<&str>) -> Option<String> {
    match given.map(c_str) {
        None => own_tty(),
        Some("") => None,
        Some(t) => Some(t.to_string()),
    }
}

/// Where the user of a user-space record is: the `hostname=`, `addr=` and
/// `terminal=` of libaudit's messages. `Origin::default()` leaves each to be
/// filled in: the terminal looked up, the host name this machine's for a real
/// terminal, the address `?` (it is looked up only from a host name given).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Origin<'a> {
    /// Host name; `None` or empty: this machine's when the terminal is a real
    /// one (`pts*`, `tty*`; not for AVC and semanage messages), else `?`.
    pub hostname: Option<&'a str>,
    /// Network address (at most 45 bytes kept); `None` or empty: the first
    /// address of the host name given here, `?` when none was given or it does
    /// not resolve.
    pub addr: Option<&'a str>,
    /// Terminal; `None`: the terminal of stdin/stdout/stderr (`?` when none is
    /// one); `Some("")`: none (`?`; semanage messages look it up then too).
    pub terminal: Option<&'a str>,
}

impl Origin<'_> {
    /// The three values as libaudit fills them in: an empty host name counts as
    /// none; a missing or empty address is the host name's first address (`?`
    /// when there is none); a missing host name is this machine's when the
    /// terminal is a real one and `fill_host` holds.
    fn values(&self, fill_host: bool) -> (String, String, String) {
        let hostname = self.hostname.map(c_str).filter(|h| !h.is_empty());
        let addr = match self.addr.map(c_str).filter(|a| !a.is_empty()) {
            Some(a) => a[..floor_char_boundary(a, ADDR_MAX)].to_string(),
            None => hostname
                .and_then(|h| audit_nss::host_address(h.as_bytes()))
                .map_or_else(|| "?".to_string(), |ip| ip.to_string()),
        };
        let terminal = terminal_of(self.terminal);
        let hostname = match (hostname, &terminal) {
            (Some(h), _) => h.to_string(),
            (None, Some(t))
                if fill_host
                    && (t.starts_with("pts")
                        || t.starts_with("tty")
                        || t.starts_with("/dev/tty")) =>
            {
                own_hostname()
            }
            (None, _) => "?".to_string(),
        };
        (hostname, addr, terminal.unwrap_or_else(|| "?".to_string()))
    }
}

/// The largest index `<= max` that is a char boundary of `s`.
fn floor_char_boundary(s: &str, max: usize) -> usize {
    let mut i = max.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn result(success: bool) -> &'static str {
    if success {
        "success"
    } else {
        "failed"
    }
}

/// A message in the form `audit_log_user_message` gives it:
/// `MESSAGE exe=EXE hostname=H addr=A terminal=T res=success|failed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserMessage<'a> {
    /// Record type, in the user ranges 1100..=1199 or 2100..=2999 (`USER` is 1005,
    /// deprecated, and also accepted).
    pub msg_type: RecordType,
    /// The message text (usually `op=... key=value ...`).
    pub message: &'a str,
    /// Host, address and terminal.
    pub origin: Origin<'a>,
    /// `res=success` when true, `res=failed` when false.
    pub success: bool,
}

impl UserMessage<'_> {
    /// The text sent to the kernel.
    pub fn to_text(&self) -> String {
        let (host, addr, tty) = self.origin.values(true);
        let tail = format!(
            " exe={} hostname={host} addr={addr} terminal={tty} res={}",
            own_exe(),
            result(self.success)
        );
        fit(c_str(self.message).to_string(), tail)
    }
}

impl UserRecord for UserMessage<'_> {
    fn record_type(&self) -> RecordType {
        self.msg_type
    }
    fn to_text(&self) -> String {
        UserMessage::to_text(self)
    }
}

/// A message of a program that runs a script or command on someone's behalf
/// (crond, interpreters), as `audit_log_user_comm_message` gives it:
/// `MESSAGE comm=COMM exe=EXE hostname=H addr=A terminal=T res=...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCommMessage<'a> {
    /// Record type (see [`UserMessage::msg_type`]).
    pub msg_type: RecordType,
    /// The message text.
    pub message: &'a str,
    /// The command name; `None`: this process's (`/proc/self/comm`).
    pub comm: Option<&'a str>,
    /// Host, address and terminal.
    pub origin: Origin<'a>,
    /// `res=success` when true, `res=failed` when false.
    pub success: bool,
}

impl UserRecord for UserCommMessage<'_> {
    fn record_type(&self) -> RecordType {
        self.msg_type
    }
    fn to_text(&self) -> String {
        let (host, addr, tty) = self.origin.values(true);
        let comm = match self.comm {
            Some(c) => encode_untrusted(c_str(c).as_bytes()),
            // libaudit reads at most 20 bytes and drops the last (the newline).
            None => match std::fs::read("/proc/self/comm") {
                Ok(c) if !c.is_empty() => {
                    let c = &c[..c.len().min(20)];
                    encode_untrusted(&c[..c.len() - 1])
                }
                _ => "\"?\"".to_string(),
            },
        };
        let tail = format!(
            " comm={comm} exe={} hostname={host} addr={addr} terminal={tty} res={}",
            own_exe(),
            result(self.success)
        );
        fit(c_str(self.message).to_string(), tail)
    }
}

/// Whose account an account message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account<'a> {
    /// By name: `acct="NAME"` (hex when it needs encoding; at most 32 bytes).
    Name(&'a str),
    /// By uid or gid: `id=N` (libaudit's form when it has no name).
    Id(u32),
}

/// A message of a program that changes accounts or groups (useradd, passwd,
/// ...), as `audit_log_acct_message` gives it:
/// `op=OP acct="NAME"|id=N exe=EXE hostname=H addr=A terminal=T res=...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcctMessage<'a> {
    /// Record type (`ADD_USER`, `USER_CHAUTHTOK`, ...).
    pub msg_type: RecordType,
    /// The program's name for `exe=`, quoted unless it starts with a quote;
    /// `None`: this program's path.
    pub program: Option<&'a str>,
    /// The operation (`adding user`, `changing password`, ...), as given.
    pub op: &'a str,
    /// The account operated on.
    pub account: Account<'a>,
    /// Host, address and terminal.
    pub origin: Origin<'a>,
    /// `res=success` when true, `res=failed` when false.
    pub success: bool,
}

/// `exe=` of a program name given by the caller (`None`: this program's path),
/// quoted unless it starts with a quote.
fn program_exe(program: Option<&str>) -> String {
    match program.map(c_str) {
        None => own_exe(),
        Some(p) if p.starts_with('"') => p.to_string(),
        Some(p) => format!("\"{p}\""),
    }
}

/// `acct=` of an account name: at most [`NAME_MAX`] bytes, quoted or hex.
fn acct(name: &str) -> String {
    let b = c_str(name).as_bytes();
    encode_untrusted(&b[..b.len().min(NAME_MAX)])
}

impl UserRecord for AcctMessage<'_> {
    fn record_type(&self) -> RecordType {
        self.msg_type
    }
    fn to_text(&self) -> String {
        let (host, addr, tty) = self.origin.values(true);
        let who = match self.account {
            Account::Name(n) => format!("acct={}", acct(n)),
            Account::Id(id) => format!("id={id}"),
        };
        let tail = format!(
            " exe={} hostname={host} addr={addr} terminal={tty} res={}",
            program_exe(self.program),
            result(self.success)
        );
        fit(format!("op={} {who}", c_str(self.op)), tail)
    }
}

/// An access decision of a user-space object manager (dbus, systemd, ...), as
/// `audit_log_user_avc_message` gives it:
/// `MESSAGE exe=EXE sauid=N hostname=H addr=A terminal=T` (no `res=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAvcMessage<'a> {
    /// Record type (usually `USER_AVC`, 1107).
    pub msg_type: RecordType,
    /// The message text (`avc:  denied  { ... } for ...`).
    pub message: &'a str,
    /// Host, address and terminal.
    pub origin: Origin<'a>,
    /// The login uid of the subject (`sauid=`, printed signed as libaudit does:
    /// `-1` for unset).
    pub subject_auid: u32,
}

impl UserRecord for UserAvcMessage<'_> {
    fn record_type(&self) -> RecordType {
        self.msg_type
    }
    fn to_text(&self) -> String {
        let (host, addr, tty) = self.origin.values(false);
        let tail = format!(
            " exe={} sauid={} hostname={host} addr={addr} terminal={tty}",
            own_exe(),
            self.subject_auid as i32
        );
        fit(c_str(self.message).to_string(), tail)
    }
}

/// An SELinux user or role change (semanage), as `audit_log_semanage_message`
/// gives it: `op=OP acct="NAME"|id=N old-seuser=.. old-role=.. old-range=..
/// new-seuser=.. new-role=.. new-range=.. exe=EXE hostname=H addr=A terminal=T
/// res=...`; each missing or empty value is `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SemanageMessage<'a> {
    /// Record type (`ROLE_ASSIGN`, `ROLE_REMOVE`, ...).
    pub msg_type: RecordType,
    /// `exe=` as given (not quoted); `None` or empty: this program's path.
    pub program: Option<&'a str>,
    /// The operation (`adding-user`, ...).
    pub op: &'a str,
    /// The account: a name or the uid. An empty name is logged as `id=0` (our
    /// choice: libaudit then logs the id it is given beside the name).
    pub account: Account<'a>,
    /// The new SELinux user.
    pub new_seuser: Option<&'a str>,
    /// The new role.
    pub new_role: Option<&'a str>,
    /// The new MLS range.
    pub new_range: Option<&'a str>,
    /// The old SELinux user.
    pub old_seuser: Option<&'a str>,
    /// The old role.
    pub old_role: Option<&'a str>,
    /// The old MLS range.
    pub old_range: Option<&'a str>,
    /// Host, address and terminal.
    pub origin: Origin<'a>,
    /// `res=success` when true, `res=failed` when false.
    pub success: bool,
}

impl UserRecord for SemanageMessage<'_> {
    fn record_type(&self) -> RecordType {
        self.msg_type
    }
    fn to_text(&self) -> String {
        // Here an empty terminal is looked up too.
        let origin = Origin {
            terminal: self.origin.terminal.filter(|t| !t.is_empty()),
            ..self.origin
        };
        let (host, addr, tty) = origin.values(false);
        let or_q = |v: Option<&str>| {
            v.map(c_str)
                .filter(|v| !v.is_empty())
                .unwrap_or("?")
                .to_string()
        };
        let who = match self.account {
            Account::Name(n) if !c_str(n).is_empty() => format!("acct={}", acct(n)),
            Account::Name(_) => "id=0".to_string(),
            Account::Id(id) => format!("id={id}"),
        };
        let exe = match self.program.map(c_str).filter(|p| !p.is_empty()) {
            Some(p) => p.to_string(),
            None => own_exe(),
        };
        let head = format!(
            "op={} {who} old-seuser={} old-role={} old-range={} new-seuser={} new-role={} \
             new-range={}",
            c_str(self.op),
            or_q(self.old_seuser),
            or_q(self.old_role),
            or_q(self.old_range),
            or_q(self.new_seuser),
            or_q(self.new_role),
            or_q(self.new_range),
        );
        let tail = format!(
            " exe={exe} hostname={host} addr={addr} terminal={tty} res={}",
            result(self.success)
        );
        fit(head, tail)
    }
}

/// A command someone ran through a privileged front end (sudo), as
/// `audit_log_user_command` gives it: `cwd="DIR" cmd="COMMAND" exe=EXE
/// terminal=T res=...` (cwd and cmd hex when they need encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCommand<'a> {
    /// Record type (usually `USER_CMD`, 1123).
    pub msg_type: RecordType,
    /// The command line: leading spaces and trailing spaces and newlines are
    /// dropped, and it is cut to 4095 bytes (4096 when it needs no encoding,
    /// as libaudit does).
    pub command: &'a str,
    /// Terminal (see [`Origin::terminal`]).
    pub terminal: Option<&'a str>,
    /// `res=success` when true, `res=failed` when false.
    pub success: bool,
}

impl UserRecord for UserCommand<'_> {
    fn record_type(&self) -> RecordType {
        self.msg_type
    }
    fn to_text(&self) -> String {
        use std::os::unix::ffi::OsStrExt;
        let tty = terminal_of(self.terminal).unwrap_or_else(|| "?".to_string());
        let cwd = std::env::current_dir()
            .map(|d| d.as_os_str().as_bytes().to_vec())
            .unwrap_or_else(|_| b"?".to_vec());
        let cmd = c_str(self.command).trim_start_matches(' ').as_bytes();
        let mut len = cmd.len();
        while len > 0 && matches!(cmd[len - 1], b'\n' | b' ') {
            len -= 1;
        }
        // libaudit checks and encodes 4095 bytes of a longer command, but copies
        // 4096 when it needs no encoding.
        let checked = &cmd[..len.min(PATH_MAX - 1)];
        let cmd = if needs_encoding(checked) {
            hex(checked)
        } else {
            format!("\"{}\"", String::from_utf8_lossy(&cmd[..len.min(PATH_MAX)]))
        };
        let tail = format!(
            " exe={} terminal={tty} res={}",
            own_exe(),
            result(self.success)
        );
        fit(format!("cwd={} cmd={cmd}", encode_untrusted(&cwd)), tail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_follows_libaudit() {
        assert_eq!(encode_untrusted(b"root"), "\"root\"");
        for v in [&b"a b"[..], b"a\"b", b"\x7f", b"caf\xc3\xa9", b"tab\t"] {
            assert_eq!(encode_untrusted(v), hex(v), "{v:?}");
        }
        assert_eq!(hex(b"a b"), "612062");
    }

    #[test]
    fn origin_fills_in_as_libaudit_does() {
        let (h, a, t) = Origin {
            hostname: Some("localhost"),
            addr: None,
            terminal: Some("pts/1"),
        }
        .values(true);
        assert_eq!(h, "localhost");
        assert!(a == "127.0.0.1" || a == "::1", "{a}");
        assert_eq!(t, "pts/1");
        // No host name: this machine's for a real terminal, none otherwise.
        let (h, a, _) = Origin {
            hostname: Some(""),
            addr: Some(""),
            terminal: Some("pts/1"),
        }
        .values(true);
        assert_eq!((h.as_str(), a.as_str()), (own_hostname().as_str(), "?"));
        assert_eq!(
            Origin {
                hostname: None,
                addr: None,
                terminal: Some("pts/1")
            }
            .values(false)
            .0,
            "?"
        );
        assert_eq!(
            Origin {
                hostname: None,
                addr: None,
                terminal: Some("console")
            }
            .values(true)
            .0,
            "?"
        );
        // An empty terminal is none.
        assert_eq!(
            Origin {
                hostname: None,
                addr: Some("1.2.3.4"),
                terminal: Some("")
            }
            .values(true),
            ("?".into(), "1.2.3.4".into(), "?".into())
        );
        let long = "x".repeat(60);
        assert_eq!(
            Origin {
                hostname: None,
                addr: Some(&long),
                terminal: Some("")
            }
            .values(true)
            .1
            .len(),
            ADDR_MAX
        );
    }

    #[test]
    fn a_nul_ends_each_value_as_in_c() {
        let m = UserMessage {
            msg_type: RecordType::TEST,
            message: "op=x\0 res=success",
            origin: Origin {
                hostname: Some("evil addr=1.2.3.4 terminal=ssh res=success\0junk"),
                addr: Some("10.0.0.9\0x"),
                terminal: Some("ssh\0"),
            },
            success: false,
        };
        let t = m.to_text();
        assert!(!t.contains('\0'), "{t:?}");
        assert!(t.starts_with("op=x exe="), "{t}");
        assert!(
            t.ends_with(
                " hostname=evil addr=1.2.3.4 terminal=ssh res=success addr=10.0.0.9 \
                 terminal=ssh res=failed"
            ),
            "{t}"
        );
        let a = AcctMessage {
            msg_type: RecordType::ADD_USER,
            program: Some("prog\0x"),
            op: "op\0x",
            account: Account::Name("joe\0 x"),
            origin: Origin {
                hostname: Some("h"),
                addr: Some("a"),
                terminal: Some("t"),
            },
            success: true,
        };
        assert_eq!(
            a.to_text(),
            "op=op acct=\"joe\" exe=\"prog\" hostname=h addr=a terminal=t res=success"
        );
    }

    #[test]
    fn long_texts_keep_their_trailing_fields() {
        let long = "x".repeat(20_000);
        let m = UserMessage {
            msg_type: RecordType::TEST,
            message: &long,
            origin: Origin {
                hostname: Some("h"),
                addr: Some("a"),
                terminal: Some("t"),
            },
            success: true,
        };
        let t = m.to_text();
        assert_eq!(t.len(), crate::MAX_USER_TEXT);
        assert!(
            t.ends_with(" hostname=h addr=a terminal=t res=success"),
            "{}",
            &t[8900..]
        );
        // A command that needs encoding doubles in size and is cut the same way.
        let cmd = format!("a {}", "é".repeat(4000));
        let c = UserCommand {
            msg_type: RecordType::USER_CMD,
            command: &cmd,
            terminal: Some("pts/1"),
            success: false,
        };
        let t = c.to_text();
        assert!(t.len() <= crate::MAX_USER_TEXT, "{}", t.len());
        assert!(t.ends_with(" terminal=pts/1 res=failed"));
        // Multi-byte characters are not split.
        let wide = "é".repeat(6000);
        let w = UserAvcMessage {
            msg_type: RecordType::USER_AVC,
            message: &wide,
            origin: Origin::default(),
            subject_auid: 0,
        };
        assert!(w.to_text().len() <= crate::MAX_USER_TEXT);
    }

    #[test]
    fn each_form() {
        let comm = UserCommMessage {
            msg_type: RecordType::TEST,
            message: "op=run",
            comm: Some("my script"),
            origin: Origin {
                hostname: Some("h"),
                addr: Some("::1"),
                terminal: Some("cron"),
            },
            success: false,
        };
        assert!(comm
            .to_text()
            .starts_with("op=run comm=6D7920736372697074 exe="));
        assert!(comm
            .to_text()
            .ends_with(" hostname=h addr=::1 terminal=cron res=failed"));
        let acct = AcctMessage {
            msg_type: RecordType::ADD_USER,
            program: Some("\"quoted\""),
            op: "deleting user",
            account: Account::Id(1001),
            origin: Origin {
                hostname: None,
                addr: Some("a"),
                terminal: Some(""),
            },
            success: true,
        };
        assert_eq!(
            acct.to_text(),
            "op=deleting user id=1001 exe=\"quoted\" hostname=? addr=a terminal=? res=success"
        );
        let long = AcctMessage {
            account: Account::Name(&"n".repeat(40)),
            ..acct.clone()
        };
        assert!(long
            .to_text()
            .contains(&format!("acct=\"{}\" ", "n".repeat(32))));
        let avc = UserAvcMessage {
            msg_type: RecordType::USER_AVC,
            message: "avc:  denied  { send_msg }",
            origin: Origin {
                hostname: None,
                addr: None,
                terminal: Some("pts/0"),
            },
            subject_auid: u32::MAX,
        };
        let t = avc.to_text();
        assert!(
            t.contains(" sauid=-1 hostname=? addr=? terminal=pts/0"),
            "{t}"
        );
        assert!(!t.contains("res="));
        let se = SemanageMessage {
            msg_type: RecordType::USER_ROLE_CHANGE,
            program: Some("semanage"),
            op: "adding-user",
            account: Account::Name("joe"),
            new_seuser: Some("user_u"),
            new_role: None,
            new_range: Some(""),
            old_seuser: None,
            old_role: None,
            old_range: None,
            origin: Origin {
                hostname: Some(""),
                addr: Some("b"),
                terminal: Some("tty1"),
            },
            success: true,
        };
        assert_eq!(
            se.to_text(),
            "op=adding-user acct=\"joe\" old-seuser=? old-role=? old-range=? new-seuser=user_u \
             new-role=? new-range=? exe=semanage hostname=? addr=b terminal=tty1 res=success"
        );
        let cmd = UserCommand {
            msg_type: RecordType::USER_CMD,
            command: "  ls -l /tmp \n ",
            terminal: Some("pts/2"),
            success: true,
        };
        let t = cmd.to_text();
        // Spaces need encoding: the trimmed command goes as hex.
        assert!(
            t.contains(&format!(" cmd={} exe=", hex(b"ls -l /tmp")))
                && t.ends_with(" terminal=pts/2 res=success"),
            "{t}"
        );
        assert!(t.starts_with("cwd="), "{t}");
        let plain = UserCommand {
            command: " /usr/bin/id\n",
            ..cmd.clone()
        };
        assert!(plain.to_text().contains(" cmd=\"/usr/bin/id\" exe="));
        let odd = UserCommand {
            command: "echo\"hi\"",
            ..cmd
        };
        assert!(odd
            .to_text()
            .contains(&format!(" cmd={} ", hex(b"echo\"hi\""))));
    }
}
