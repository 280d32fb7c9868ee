//! The linux-audit project's programs, and what they share.
//!
//! Each program's logic is a module with a `main` (the process's arguments) and, where
//! it takes arguments, a `run` that takes them as values; its binary only calls
//! `main`. Binaries whose C twin is installed beside them have names of their own, so
//! that `cargo install --path crates/audit-tools` never shadows the C tools on a `PATH`.
//!
//! | binary | module | what it is |
//! |---|---|---|
//! | `audit-state` | [`AuditState`] | the kernel's audit status and rule count, with a check that nothing is left behind (`--expect-clean`) |
//! | `audit-daemon` | [`daemon`] | an audit daemon in place of auditd |
//! | `auditctl-rs` | [`auditctl`] | `auditctl`: the kernel's rules and settings, from the command line and rule files |
//! | `auparse-walk` | [`auparse_walk`] | every event, record and field of a log (`--interpret`), as the differential tests compare them with libauparse |
//! | `ausyscall-rs` | [`ausyscall`] | `ausyscall`: syscall names and numbers |
//! | `live-supervise` | [`live_supervise`] | a live process tree from the kernel's events, with no auditd |
//! | `ausearch-format` | [`ausearch_format`] | `ausearch --format csv\|text` of a log, byte for byte, with `--expr` |
//! | `au2json` | [`au2json`] | events as JSON Lines, from a file or as an audispd plugin |
//!
//! ```
//! // `ausyscall-rs x86_64 59`, in process.
//! let (mut out, mut err) = (Vec::new(), Vec::new());
//! let status = audit_tools::ausyscall::run(&["x86_64".into(), "59".into()], &mut out, &mut err);
//! assert_eq!((status, &out[..]), (0, &b"execve\n"[..]));
//! ```
#![deny(missing_docs)]
// Only ausearch-format's locale calls need it (each allowed where it is).
#![deny(unsafe_code)]

pub mod au2json;
pub mod auditctl;
pub mod auparse_walk;
pub mod ausearch_format;
pub mod ausyscall;
pub mod daemon;
pub mod live_supervise;
pub mod output;

use audit_netlink::{audit_wire::status::Status, AuditSocket};
use std::fmt;
use std::process::ExitCode;

/// The process's arguments (without the program's name) as text; an argument that is
/// not UTF-8 is refused with a message naming it (exit status 2) rather than changed.
fn text_args(program: &str) -> Result<Vec<String>, ExitCode> {
    std::env::args_os()
        .skip(1)
        .enumerate()
        .map(|(i, arg)| {
            arg.into_string().map_err(|raw| {
                crate::output::sayln!("{program}: argument {} is not UTF-8: {raw:?}", i + 1);
                ExitCode::from(2)
            })
        })
        .collect()
}

/// The kernel's audit state as `audit-state` reports it: the status (`AUDIT_GET`) and
/// how many rules are loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditState {
    /// The kernel's `struct audit_status`.
    pub status: Status,
    /// Number of loaded rules (`AUDIT_LIST_RULES`).
    pub rules: usize,
}

impl AuditState {
    /// Ask the kernel (needs `CAP_AUDIT_CONTROL`).
    pub fn read() -> Result<Self, audit_netlink::Error> {
        let mut sock = AuditSocket::open()?;
        let status = sock.get_status()?;
        let rules = sock.list_rules()?.len();
        Ok(Self { status, rules })
    }

    /// Whether no rule is loaded and no audit daemon is registered.
    pub fn is_clean(&self) -> bool {
        self.rules == 0 && self.status.pid == 0
    }

    /// Every value by name, in a fixed order: the status fields then `rules`.
    pub fn fields(&self) -> [(&'static str, u64); 12] {
        let s = &self.status;
        [
            ("mask", s.mask.into()),
            ("enabled", s.enabled.into()),
            ("failure", s.failure.into()),
            ("pid", s.pid.into()),
            ("rate_limit", s.rate_limit.into()),
            ("backlog_limit", s.backlog_limit.into()),
            ("lost", s.lost.into()),
            ("backlog", s.backlog.into()),
            ("feature_bitmap", s.feature_bitmap.into()),
            ("backlog_wait_time", s.backlog_wait_time.into()),
            (
                "backlog_wait_time_actual",
                s.backlog_wait_time_actual.into(),
            ),
            ("rules", self.rules as u64),
        ]
    }

    /// One JSON object of [`fields`](Self::fields) (every value is a number).
    pub fn to_json(&self) -> String {
        let body: Vec<String> = self
            .fields()
            .iter()
            .map(|(name, value)| format!("\"{name}\": {value}"))
            .collect();
        format!("{{{}}}", body.join(", "))
    }
}

/// `name=value` pairs separated by spaces, as `audit-state` prints them.
impl fmt::Display for AuditState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, value)) in self.fields().iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{name}={value}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(pid: u32, rules: usize) -> AuditState {
        AuditState {
            status: Status {
                enabled: 1,
                pid,
                backlog_limit: 8192,
                ..Status::default()
            },
            rules,
        }
    }

    #[test]
    fn text_and_json_name_every_field() {
        let s = state(812, 3);
        assert_eq!(
            s.to_string(),
            "mask=0 enabled=1 failure=0 pid=812 rate_limit=0 backlog_limit=8192 lost=0 \
             backlog=0 feature_bitmap=0 backlog_wait_time=0 backlog_wait_time_actual=0 rules=3"
        );
        assert_eq!(
            s.to_json(),
            "{\"mask\": 0, \"enabled\": 1, \"failure\": 0, \"pid\": 812, \"rate_limit\": 0, \
             \"backlog_limit\": 8192, \"lost\": 0, \"backlog\": 0, \"feature_bitmap\": 0, \
             \"backlog_wait_time\": 0, \"backlog_wait_time_actual\": 0, \"rules\": 3}"
        );
    }

    #[test]
    fn clean_means_no_rules_and_no_daemon() {
        assert!(state(0, 0).is_clean());
        assert!(!state(812, 0).is_clean());
        assert!(!state(0, 1).is_clean());
    }
}
