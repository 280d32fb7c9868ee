//! Guards that undo a change to the kernel's audit state when dropped: rules added
//! for a while, and `enabled` turned on or off for a while, as the daemon
//! registration is given back when its socket is dropped.
//!
//! Each guard holds a socket of its own for the undoing, so the socket that made
//! the change stays free for other requests and for receiving events. Dropping a
//! guard undoes the change and waits for the kernel's answer (at most the socket's
//! timeout); an error there cannot be returned from `drop`, so a caller that wants
//! to see it calls the guard's explicit method ([`RuleGuard::delete`],
//! [`EnabledGuard::restore`]) instead. Also on unwinding from a panic the change is
//! undone; not when the process is killed or aborts.
//!
//! ```no_run
//! use audit_netlink::audit_wire::field::{Action, FilterList};
//! use audit_netlink::audit_wire::rule::RuleData;
//! use audit_netlink::AuditSocket;
//! let mut sock = AuditSocket::open()?;
//! let mut rule = RuleData::new(FilterList::Exit, Action::Always);
//! rule.set_syscall(59)?; // execve on x86_64
//! let _on = sock.set_enabled_guarded(true)?; // put back as it was, last
//! let _rule = sock.add_rule_guarded(rule)?; // deleted first
//! // ... read events ...
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::Result;
use crate::socket::AuditSocket;
use audit_wire::rule::RuleData;

/// Rules added through [`AuditSocket::add_rule_guarded`]: deleted, newest first,
/// when the guard is dropped (or by [`delete`](RuleGuard::delete)).
#[derive(Debug)]
pub struct RuleGuard {
    sock: AuditSocket,
    rules: Vec<RuleData>,
}

impl RuleGuard {
    /// Add one more rule, held by this guard too. When the kernel refuses it
    /// (e.g. [`Error::RuleExists`](crate::Error::RuleExists)), the guard holds
    /// only the rules it held before.
    pub fn add(&mut self, rule: RuleData) -> Result<()> {
        self.sock.add_rule(&rule)?;
        self.rules.push(rule);
        Ok(())
    }

    /// The rules held, oldest first.
    pub fn rules(&self) -> &[RuleData] {
        &self.rules
    }

    /// Delete the rules now, newest first, and say whether the kernel agreed: the
    /// first refusal is returned after trying every rule.
    pub fn delete(mut self) -> Result<()> {
        self.delete_all()
    }

    /// Leave the rules loaded: the guard forgets them.
    pub fn keep(mut self) -> Vec<RuleData> {
        std::mem::take(&mut self.rules)
    }

    fn delete_all(&mut self) -> Result<()> {
        let mut first_err = None;
        while let Some(r) = self.rules.pop() {
            if let Err(e) = self.sock.delete_rule(&r) {
                first_err.get_or_insert(e);
            }
        }
        first_err.map_or(Ok(()), Err)
    }
}

impl Drop for RuleGuard {
    /// Deletes the rules still held (errors cannot be reported here).
    fn drop(&mut self) {
        let _ = self.delete_all();
    }
}

/// The kernel's `enabled` setting as it was before
/// [`AuditSocket::set_enabled_guarded`]: put back when the guard is dropped (or by
/// [`restore`](EnabledGuard::restore)), if the call changed it.
#[derive(Debug)]
pub struct EnabledGuard {
    sock: AuditSocket,
    /// The setting to put back; `None` when nothing is left to restore.
    before: Option<bool>,
}

impl EnabledGuard {
    /// The setting to be put back (`true`: enabled); `None` when the call found
    /// the setting as asked, so there is nothing to restore.
    pub fn restore_to(&self) -> Option<bool> {
        self.before
    }

    /// Put the setting back now, and say whether the kernel agreed.
    pub fn restore(mut self) -> Result<()> {
        self.restore_now()
    }

    /// Leave the new setting in place: the guard forgets the old one.
    pub fn keep(mut self) {
        self.before = None;
    }

    fn restore_now(&mut self) -> Result<()> {
        match self.before.take() {
            Some(on) => self.sock.set_enabled(on),
            None => Ok(()),
        }
    }
}

impl Drop for EnabledGuard {
    /// Puts the old setting back (errors cannot be reported here).
    fn drop(&mut self) {
        let _ = self.restore_now();
    }
}

impl AuditSocket {
    /// Add a rule (as [`add_rule`](AuditSocket::add_rule)) and hold it with a guard
    /// that deletes it when dropped. The guard has a socket of its own (opened
    /// here), with this socket's timeout.
    pub fn add_rule_guarded(&mut self, rule: RuleData) -> Result<RuleGuard> {
        let mut sock = AuditSocket::open()?;
        sock.set_timeout(self.timeout());
        self.add_rule(&rule)?;
        Ok(RuleGuard {
            sock,
            rules: vec![rule],
        })
    }

    /// Turn auditing on or off (as [`set_enabled`](AuditSocket::set_enabled)) and
    /// return a guard that puts the previous setting back when dropped. When the
    /// setting already was `on` (also when the configuration is immutable,
    /// `enabled=2`), the guard has nothing to restore.
    pub fn set_enabled_guarded(&mut self, on: bool) -> Result<EnabledGuard> {
        let mut sock = AuditSocket::open()?;
        sock.set_timeout(self.timeout());
        let before = self.get_status()?.enabled;
        let was_on = match before {
            0 => false,
            1 => true,
            _ => {
                // Immutable: on already; turning it off is refused (EPERM), and
                // that refusal is the caller's answer.
                if !on {
                    self.set_enabled(false)?;
                }
                on
            }
        };
        let restore = if was_on != on {
            self.set_enabled(on)?;
            Some(was_on)
        } else {
            None
        };
        Ok(EnabledGuard {
            sock,
            before: restore,
        })
    }
}
