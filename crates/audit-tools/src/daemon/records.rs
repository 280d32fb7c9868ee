//! The texts of the daemon's own records (DAEMON_START, END, CONFIG, ROTATE,
//! RESUME, ABORT), worded as auditd 3.0.9 words them so that ausearch and
//! aureport read them alike.

use audit_netlink::audit_wire::sig_info::SigInfo;
use std::time::{SystemTime, UNIX_EPOCH};

/// auditd's `4294967295` for an unknown id (`-1` printed unsigned).
const UNSET: &str = "4294967295";

/// Who sent the daemon a signal, as the kernel reported it (AUDIT_SIGNAL_INFO)
/// and `/proc` adds to it while the sender lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The sender's login uid (its uid when that is unset), from the kernel.
    pub auid: u32,
    /// The sender's pid, from the kernel.
    pub pid: i32,
    /// The owner of `/proc/PID` (the sender's uid), `None` once it is gone.
    pub uid: Option<u32>,
    /// `/proc/PID/sessionid`, `None` once it is gone.
    pub ses: Option<String>,
    /// The sender's security context, when an LSM gives one.
    pub subj: Option<String>,
}

impl Sender {
    /// Completes the kernel's signal info from `/proc` (as libaudit's
    /// `audit_format_signal_info` does: the sender may be gone already).
    pub fn from_signal_info(info: &SigInfo) -> Sender {
        use std::os::unix::fs::MetadataExt;
        let proc_dir = format!("/proc/{}", info.pid);
        Sender {
            auid: info.uid,
            pid: info.pid,
            uid: std::fs::metadata(&proc_dir).ok().map(|m| m.uid()),
            ses: std::fs::read_to_string(format!("{proc_dir}/sessionid"))
                .ok()
                .map(|s| s.trim().to_string()),
            subj: info.context(),
        }
    }

    /// `op=OP auid=… uid=… ses=… pid=… [subj=…] res=RES`: libaudit's
    /// wording of a signal's sender, used by DAEMON_END, ROTATE and RESUME.
    pub fn describe(&self, op: &str, res: &str) -> String {
        let subj = self
            .subj
            .as_ref()
            .map(|s| format!(" subj={s}"))
            .unwrap_or_default();
        format!(
            "op={op} auid={} uid={} ses={} pid={}{subj} res={res}",
            self.auid,
            self.uid
                .map_or_else(|| UNSET.to_string(), |u| u.to_string()),
            self.ses.as_deref().unwrap_or(UNSET),
            self.pid,
        )
    }

    /// DAEMON_CONFIG after a successful reconfiguration: auditd's own,
    /// shorter wording (`subj=?` when there is no context).
    pub fn reconfigured(&self) -> String {
        format!(
            "op=reconfigure state=changed auid={} pid={} subj={} res=success",
            self.auid,
            self.pid,
            self.subj.as_deref().unwrap_or("?")
        )
    }
}

/// What a signal's record says when the kernel could not tell who sent it
/// (auditd's fixed texts).
pub fn unknown_sender(op: &str, res: &str) -> String {
    match op {
        "terminate" => format!("op=terminate auid=-1 uid=-1 ses=-1 pid=-1 subj=? res={res}"),
        _ => format!("op={op} auid=-1 pid=-1 subj=? res={res}"),
    }
}

/// The daemon's own identity, as DAEMON_START and DAEMON_ABORT name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Our login uid.
    pub auid: String,
    /// Our pid.
    pub pid: u32,
    /// Our uid.
    pub uid: u32,
    /// Our session id.
    pub ses: String,
    /// Our security context, when an LSM gives one.
    pub subj: Option<String>,
}

fn proc_text(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim_end_matches(['\n', '\0']).to_string())
        .filter(|s| !s.is_empty())
}

impl Identity {
    /// This process's.
    pub fn current() -> Identity {
        Identity {
            auid: proc_text("/proc/self/loginuid").unwrap_or_else(|| UNSET.into()),
            pid: std::process::id(),
            uid: rustix::process::getuid().as_raw(),
            ses: proc_text("/proc/self/sessionid").unwrap_or_else(|| UNSET.into()),
            // "unconfined" is what an LSM-less kernel's procattr says; auditd
            // leaves subj= out then.
            subj: proc_text("/proc/self/attr/current").filter(|s| s != "unconfined"),
        }
    }

    fn subj(&self) -> String {
        self.subj
            .as_ref()
            .map(|s| format!(" subj={s}"))
            .unwrap_or_default()
    }

    /// DAEMON_START's text.
    pub fn start(&self, version: &str, format: &str, kernel: &str) -> String {
        format!(
            "op=start ver={version} format={format} kernel={kernel} auid={} pid={} uid={} ses={}{} res=success",
            self.auid,
            self.pid,
            self.uid,
            self.ses,
            self.subj()
        )
    }

    /// DAEMON_ABORT's text when `op` (`set-pid`, `set-enable`) failed at start.
    pub fn start_failed(&self, op: &str) -> String {
        format!(
            "op={op} auid={} pid={} uid={} ses={}{} res=failed",
            self.auid,
            self.pid,
            self.uid,
            self.ses,
            self.subj()
        )
    }

    /// DAEMON_ABORT's text when the daemon cannot go on (`op=error-halt`).
    pub fn error_halt(&self) -> String {
        format!(
            "op=error-halt auid={} pid={}{} res=failed",
            self.auid,
            self.pid,
            self.subj()
        )
    }
}

/// `audit(SECONDS.MILLIS:SERIAL)`, now.
pub fn stamp(serial: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "audit({}.{:03}:{serial})",
        now.as_secs(),
        now.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender(alive: bool, subj: Option<&str>) -> Sender {
        Sender {
            auid: 1000,
            pid: 4242,
            uid: alive.then_some(0),
            ses: alive.then(|| "3".to_string()),
            subj: subj.map(str::to_string),
        }
    }

    #[test]
    fn signal_senders_worded_as_libaudit() {
        assert_eq!(
            sender(true, None).describe("terminate", "success"),
            "op=terminate auid=1000 uid=0 ses=3 pid=4242 res=success"
        );
        assert_eq!(
            sender(false, Some("system_u:r:x")).describe("rotate-logs", "success"),
            "op=rotate-logs auid=1000 uid=4294967295 ses=4294967295 pid=4242 \
             subj=system_u:r:x res=success"
        );
        assert_eq!(
            sender(true, None).reconfigured(),
            "op=reconfigure state=changed auid=1000 pid=4242 subj=? res=success"
        );
        assert_eq!(
            unknown_sender("terminate", "success"),
            "op=terminate auid=-1 uid=-1 ses=-1 pid=-1 subj=? res=success"
        );
        assert_eq!(
            unknown_sender("resume-logging", "success"),
            "op=resume-logging auid=-1 pid=-1 subj=? res=success"
        );
    }

    #[test]
    fn own_records_worded_as_auditd() {
        let me = Identity {
            auid: "4294967295".into(),
            pid: 9,
            uid: 0,
            ses: "4294967295".into(),
            subj: None,
        };
        assert_eq!(
            me.start("0.1.0", "raw", "6.1.0"),
            "op=start ver=0.1.0 format=raw kernel=6.1.0 auid=4294967295 pid=9 uid=0 \
             ses=4294967295 res=success"
        );
        assert_eq!(
            me.start_failed("set-pid"),
            "op=set-pid auid=4294967295 pid=9 uid=0 ses=4294967295 res=failed"
        );
        assert_eq!(
            me.error_halt(),
            "op=error-halt auid=4294967295 pid=9 res=failed"
        );
    }
}
