//! Control requests: status, features, signal info, rules, directory trees,
//! terminal auditing and user messages.

use crate::error::{Errno, Error, Result};
use crate::socket::{AuditSocket, Want};
use crate::user_message::{UserMessage, UserRecord};
use audit_wire::features::{feature_to_mask, Features, FEATURE_VERSION};
use audit_wire::rule::RuleData;
use audit_wire::sig_info::SigInfo;
use audit_wire::status::{self, Status};
use audit_wire::tty_status::TtyStatus;
use audit_wire::RecordType;

/// The kernel's failure-to-log action (`AUDIT_FAIL_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureMode {
    /// 0: do nothing.
    Silent,
    /// 1: log to the kernel log (the default).
    Printk,
    /// 2: panic the machine.
    Panic,
}

impl FailureMode {
    /// The kernel's number.
    pub fn number(self) -> u32 {
        match self {
            FailureMode::Silent => status::FAIL_SILENT,
            FailureMode::Printk => status::FAIL_PRINTK,
            FailureMode::Panic => status::FAIL_PANIC,
        }
    }

    /// From the kernel's number.
    pub fn from_number(n: u32) -> Option<Self> {
        match n {
            status::FAIL_SILENT => Some(FailureMode::Silent),
            status::FAIL_PRINTK => Some(FailureMode::Printk),
            status::FAIL_PANIC => Some(FailureMode::Panic),
            _ => None,
        }
    }
}

/// A kernel audit feature (`AUDIT_FEATURE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// `AUDIT_FEATURE_ONLY_UNSET_LOGINUID`: a login uid can only be set when unset.
    OnlyUnsetLoginuid,
    /// `AUDIT_FEATURE_LOGINUID_IMMUTABLE`: a login uid can never change once set.
    LoginuidImmutable,
}

impl Feature {
    /// The feature's bit in `audit_features` masks.
    pub fn mask(self) -> u32 {
        feature_to_mask(match self {
            Feature::OnlyUnsetLoginuid => audit_wire::features::FEATURE_ONLY_UNSET_LOGINUID,
            Feature::LoginuidImmutable => audit_wire::features::FEATURE_LOGINUID_IMMUTABLE,
        })
    }
}

/// Largest user message the kernel accepts (`MAX_AUDIT_MESSAGE_LENGTH`); it logs
/// at most [`MAX_USER_TEXT`] bytes of it.
pub const MAX_USER_MESSAGE: usize = 8970;

/// Longest user message text the kernel logs whole (`AUDIT_MESSAGE_TEXT_MAX`):
/// it writes the text as `msg='%.*s'` with this precision, cutting anything
/// past it (a trailing `res=` with it).
pub const MAX_USER_TEXT: usize = 8560;

/// The payload of `AUDIT_MAKE_EQUIV`: the two lengths, then both paths without
/// NULs (the kernel's `audit_unpack_string`); each must be 1..=PATH_MAX bytes.
fn make_equiv_payload(mount_point: &[u8], subtree: &[u8]) -> Result<Vec<u8>> {
    const PATH_MAX: usize = 4096;
    for p in [mount_point, subtree] {
        if p.is_empty() || p.contains(&0) {
            return Err(Error::InvalidArgument(
                "make_equivalent: paths must be non-empty and hold no NUL",
            ));
        }
        if p.len() > PATH_MAX {
            return Err(Error::TooLong {
                what: "make_equivalent path",
                len: p.len(),
                max: PATH_MAX,
            });
        }
    }
    let mut payload = Vec::with_capacity(8 + mount_point.len() + subtree.len());
    // Lengths of at most PATH_MAX fit in u32.
    payload.extend_from_slice(&(mount_point.len() as u32).to_ne_bytes());
    payload.extend_from_slice(&(subtree.len() as u32).to_ne_bytes());
    payload.extend_from_slice(mount_point);
    payload.extend_from_slice(subtree);
    Ok(payload)
}

impl AuditSocket {
    /// The kernel's audit status (`AUDIT_GET`).
    pub fn get_status(&mut self) -> Result<Status> {
        let (_, replies) = self.transact(RecordType::GET, &[], Want::One(RecordType::GET))?;
        let p = replies.first().map(Vec::as_slice).unwrap_or(&[]);
        Status::parse(p).map_err(|source| Error::Wire {
            what: "audit_status",
            source,
        })
    }

    /// Send `AUDIT_SET` with the fields `s.mask` selects; returns the ACK's code (0,
    /// or for the two reset requests, `STATUS_LOST` and
    /// `STATUS_BACKLOG_WAIT_TIME_ACTUAL`, the old `u32` value's bits: read it as
    /// `code as u32`, or use [`reset_lost`](Self::reset_lost)).
    pub fn set_status(&mut self, s: &Status) -> Result<i32> {
        if s.mask & status::STATUS_ENABLED != 0 && s.enabled > 1 {
            return Err(Error::InvalidArgument(
                "enabled=2 (immutable until reboot) only through set_enabled_immutable_until_reboot",
            ));
        }
        // The kernel answers a reset with the old u32 count as the ACK's int.
        let resets = status::STATUS_LOST | status::STATUS_BACKLOG_WAIT_TIME_ACTUAL;
        let want = if s.mask & resets != 0 {
            Want::AckValue
        } else {
            Want::Ack
        };
        self.transact(RecordType::SET, &s.to_bytes(), want)
            .map(|(c, _)| c)
    }

    fn set_one(&mut self, mask: u32, f: impl FnOnce(&mut Status)) -> Result<i32> {
        let mut s = Status {
            mask,
            ..Status::default()
        };
        f(&mut s);
        self.set_status(&s)
    }

    /// Enable (1) or disable (0) auditing.
    pub fn set_enabled(&mut self, on: bool) -> Result<()> {
        self.set_one(status::STATUS_ENABLED, |s| s.enabled = u32::from(on))
            .map(drop)
    }

    /// Enable auditing and make the configuration immutable (`enabled=2`): no rule or
    /// setting can change until the machine reboots. Deliberately a separate call.
    pub fn set_enabled_immutable_until_reboot(&mut self) -> Result<()> {
        let s = Status {
            mask: status::STATUS_ENABLED,
            enabled: 2,
            ..Status::default()
        };
        self.transact(RecordType::SET, &s.to_bytes(), Want::Ack)
            .map(drop)
    }

    /// Set the failure-to-log action.
    pub fn set_failure(&mut self, mode: FailureMode) -> Result<()> {
        self.set_one(status::STATUS_FAILURE, |s| s.failure = mode.number())
            .map(drop)
    }

    /// Set the rate limit in messages per second (0 = none).
    pub fn set_rate_limit(&mut self, per_second: u32) -> Result<()> {
        self.set_one(status::STATUS_RATE_LIMIT, |s| s.rate_limit = per_second)
            .map(drop)
    }

    /// Set the backlog limit (records queued for the daemon).
    pub fn set_backlog_limit(&mut self, limit: u32) -> Result<()> {
        self.set_one(status::STATUS_BACKLOG_LIMIT, |s| s.backlog_limit = limit)
            .map(drop)
    }

    /// Set the backlog wait time (jiffies a task waits when the backlog is full).
    pub fn set_backlog_wait_time(&mut self, wait: u32) -> Result<()> {
        self.set_one(status::STATUS_BACKLOG_WAIT_TIME, |s| {
            s.backlog_wait_time = wait
        })
        .map(drop)
    }

    /// Set the daemon pid field directly (prefer [`register_daemon`]). `EINVAL` unless
    /// it is this process's pid or 0.
    ///
    /// [`register_daemon`]: AuditSocket::register_daemon
    pub fn set_pid(&mut self, pid: u32) -> Result<()> {
        self.set_one(status::STATUS_PID, |s| s.pid = pid).map(drop)
    }

    /// Reset the kernel's `lost` counter; returns its value before the reset. (The
    /// kernel gives it as the ACK's `int`: values from `u32::MAX - 4094` on read as
    /// an errno, an error.)
    pub fn reset_lost(&mut self) -> Result<u32> {
        // The code's bits are the u32 count (see ack_code).
        self.set_one(status::STATUS_LOST, |_| {}).map(|c| c as u32)
    }

    /// Reset `backlog_wait_time_actual`; returns its value before the reset (read
    /// as [`reset_lost`](Self::reset_lost) reads its count).
    pub fn reset_backlog_wait_time_actual(&mut self) -> Result<u32> {
        self.set_one(status::STATUS_BACKLOG_WAIT_TIME_ACTUAL, |_| {})
            .map(|c| c as u32)
    }

    /// The kernel's feature settings (`AUDIT_GET_FEATURE`).
    pub fn get_features(&mut self) -> Result<Features> {
        let (_, replies) = self.transact(
            RecordType::GET_FEATURE,
            &[],
            Want::One(RecordType::GET_FEATURE),
        )?;
        let p = replies.first().map(Vec::as_slice).unwrap_or(&[]);
        Features::parse(p).map_err(|source| Error::Wire {
            what: "audit_features",
            source,
        })
    }

    /// Turn a feature on or off (`AUDIT_SET_FEATURE`; `EPERM` when it is locked).
    pub fn set_feature(&mut self, feature: Feature, on: bool) -> Result<()> {
        let f = Features {
            vers: FEATURE_VERSION,
            mask: feature.mask(),
            features: if on { feature.mask() } else { 0 },
            lock: 0,
        };
        self.transact(RecordType::SET_FEATURE, &f.to_bytes(), Want::Ack)
            .map(drop)
    }

    /// Set a feature and lock it: it cannot change again until the machine reboots.
    pub fn lock_feature_until_reboot(&mut self, feature: Feature, on: bool) -> Result<()> {
        let f = Features {
            vers: FEATURE_VERSION,
            mask: feature.mask(),
            features: if on { feature.mask() } else { 0 },
            lock: feature.mask(),
        };
        self.transact(RecordType::SET_FEATURE, &f.to_bytes(), Want::Ack)
            .map(drop)
    }

    /// Who last sent the registered audit daemon TERM, HUP, USR1 or USR2
    /// (`AUDIT_SIGNAL_INFO`): pid, login uid and security context.
    pub fn signal_info(&mut self) -> Result<SigInfo> {
        let (_, replies) = self.transact(
            RecordType::SIGNAL_INFO,
            &[],
            Want::One(RecordType::SIGNAL_INFO),
        )?;
        let p = replies.first().map(Vec::as_slice).unwrap_or(&[]);
        SigInfo::parse(p).map_err(|source| Error::Wire {
            what: "audit_sig_info",
            source,
        })
    }

    /// Whether the kernel audits this process's terminal input
    /// (`AUDIT_TTY_GET`; `pam_tty_audit` sets it per session over netlink, and
    /// children inherit it). Like the other requests here it needs
    /// `CAP_AUDIT_CONTROL` in the initial pid namespace.
    pub fn tty_status(&mut self) -> Result<TtyStatus> {
        let (_, replies) =
            self.transact(RecordType::TTY_GET, &[], Want::One(RecordType::TTY_GET))?;
        let p = replies.first().map(Vec::as_slice).unwrap_or(&[]);
        TtyStatus::parse(p).map_err(|source| Error::Wire {
            what: "audit_tty_status",
            source,
        })
    }

    /// Turn the auditing of this process's terminal input on or off
    /// (`AUDIT_TTY_SET`). Each field must be 0 or 1 (checked here; the kernel
    /// answers `EINVAL` too).
    pub fn set_tty_status(&mut self, s: &TtyStatus) -> Result<()> {
        if s.enabled > 1 || s.log_passwd > 1 {
            return Err(Error::InvalidArgument(
                "audit_tty_status: enabled and log_passwd must be 0 or 1",
            ));
        }
        self.transact(RecordType::TTY_SET, &s.to_bytes(), Want::Ack)
            .map(drop)
    }

    /// Drop the directory-tree watches (`-F dir=` rules) whose directories are
    /// gone (`AUDIT_TRIM`, as `audit_trim_subtrees` and `auditctl -t`).
    pub fn trim_subtrees(&mut self) -> Result<()> {
        self.transact(RecordType::TRIM, &[], Want::Ack).map(drop)
    }

    /// Make `subtree` watched as `mount_point` is: every directory-tree rule on
    /// `mount_point` also covers `subtree`, as after a bind mount
    /// (`AUDIT_MAKE_EQUIV`, as `audit_make_equivalent` and `auditctl -q`). The
    /// kernel answers `ENOENT` when either path does not exist.
    pub fn make_equivalent(&mut self, mount_point: &[u8], subtree: &[u8]) -> Result<()> {
        let payload = make_equiv_payload(mount_point, subtree)?;
        self.transact(RecordType::MAKE_EQUIV, &payload, Want::Ack)
            .map(drop)
    }

    /// Add a rule (`AUDIT_ADD_RULE`). [`Error::RuleExists`] (errno `EEXIST`) when
    /// an identical rule is loaded. To have the rule deleted again when done, see
    /// [`add_rule_guarded`](AuditSocket::add_rule_guarded).
    pub fn add_rule(&mut self, rule: &RuleData) -> Result<()> {
        match self.transact(RecordType::ADD_RULE, &rule.to_bytes(), Want::Ack) {
            Ok(_) => Ok(()),
            Err(e) if e.errno() == Some(Errno::EEXIST) => Err(Error::RuleExists),
            Err(e) => Err(e),
        }
    }

    /// Delete a rule (`AUDIT_DEL_RULE`; `ENOENT` when there is no identical rule).
    pub fn delete_rule(&mut self, rule: &RuleData) -> Result<()> {
        self.transact(RecordType::DEL_RULE, &rule.to_bytes(), Want::Ack)
            .map(drop)
    }

    /// Every loaded rule, in the kernel's order (`AUDIT_LIST_RULES`).
    pub fn list_rules(&mut self) -> Result<Vec<RuleData>> {
        let (_, replies) = self.transact(
            RecordType::LIST_RULES,
            &[],
            Want::Dump(RecordType::LIST_RULES),
        )?;
        replies
            .iter()
            .map(|p| {
                RuleData::parse(p).map_err(|source| Error::Wire {
                    what: "audit_rule_data",
                    source,
                })
            })
            .collect()
    }

    /// Delete every loaded rule; returns how many were deleted.
    pub fn delete_all_rules(&mut self) -> Result<usize> {
        let rules = self.list_rules()?;
        for r in &rules {
            self.delete_rule(r)?;
        }
        Ok(rules.len())
    }

    /// Send a user-space record of type `msg_type` with `text` (as
    /// `audit_send_user_message` does). The kernel adds pid, uid, auid, ses and subj
    /// and logs it when auditing is enabled. A text with a NUL byte
    /// ([`Error::InvalidArgument`]) or longer than [`MAX_USER_TEXT`] bytes
    /// ([`Error::TooLong`]; the kernel would log it cut short) is refused.
    pub fn send_user_raw(&mut self, msg_type: RecordType, text: &str) -> Result<()> {
        let t = msg_type.0;
        if !(RecordType::USER_MSG_RANGE.contains(&t)
            || RecordType::USER_MSG_RANGE2.contains(&t)
            || t == 1005)
        {
            return Err(Error::InvalidArgument(
                "user messages need a type in 1100..=1199 or 2100..=2999",
            ));
        }
        if text.contains('\0') {
            // The kernel would log the text only up to it.
            return Err(Error::InvalidArgument(
                "user messages cannot hold a NUL byte",
            ));
        }
        if text.len() > MAX_USER_TEXT {
            return Err(Error::TooLong {
                what: "user message",
                len: text.len(),
                max: MAX_USER_TEXT,
            });
        }
        let mut payload = Vec::with_capacity(text.len() + 1);
        payload.extend_from_slice(text.as_bytes());
        payload.push(0);
        self.transact(msg_type, &payload, Want::Ack).map(drop)
    }

    /// Send a user message formatted as `audit_log_user_message` formats it.
    pub fn log_user_message(&mut self, m: &UserMessage<'_>) -> Result<()> {
        self.log_user(m)
    }

    /// Send a user-space record in one of libaudit's forms (see
    /// [`crate::user_message`] for how it differs: values end at a NUL, and a
    /// text too long is cut before its trailing fields) ([`UserMessage`],
    /// [`UserCommMessage`](crate::UserCommMessage), [`AcctMessage`](crate::AcctMessage),
    /// [`UserAvcMessage`](crate::UserAvcMessage),
    /// [`SemanageMessage`](crate::SemanageMessage), [`UserCommand`](crate::UserCommand)).
    pub fn log_user(&mut self, m: &(impl UserRecord + ?Sized)) -> Result<()> {
        let text = m.to_text();
        self.send_user_raw(m.record_type(), &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_equiv_payload_layout() {
        let p = make_equiv_payload(b"/mnt", b"/srv/x").unwrap();
        let mut want = 4u32.to_ne_bytes().to_vec();
        want.extend_from_slice(&6u32.to_ne_bytes());
        want.extend_from_slice(b"/mnt/srv/x");
        assert_eq!(p, want);
        assert!(make_equiv_payload(b"", b"/").is_err());
        assert!(make_equiv_payload(b"/a\0", b"/").is_err());
        assert!(make_equiv_payload(&[b'a'; 4096], b"/").is_ok());
        assert!(matches!(
            make_equiv_payload(&[b'a'; 4097], b"/"),
            Err(Error::TooLong { max: 4096, .. })
        ));
    }

    /// A text the kernel would log cut short is refused before it is sent.
    #[test]
    fn a_user_text_longer_than_the_kernel_logs_is_refused() {
        let Ok(mut s) = AuditSocket::open() else {
            return; // no NETLINK_AUDIT here (a container without it)
        };
        let text = "x".repeat(MAX_USER_TEXT + 1);
        match s.send_user_raw(RecordType::USER_AVC, &text) {
            Err(Error::TooLong { len, max, .. }) => {
                assert_eq!((len, max), (MAX_USER_TEXT + 1, MAX_USER_TEXT))
            }
            other => panic!("{other:?}"),
        }
    }
}
