//! `struct audit_tty_status` (AUDIT_TTY_GET / AUDIT_TTY_SET): whether the
//! kernel audits what the calling process reads from its terminal (the setting
//! `pam_tty_audit` makes for a login session; children inherit it).

wire_struct! {
    /// `struct audit_tty_status`, owned.
    pub struct TtyStatus;
    /// `struct audit_tty_status` as a typed view over bytes.
    pub struct TtyStatusView;
    what = "audit_tty_status";
    required {
        /// 1: terminal input of this process is audited (TTY records); 0: not.
        enabled, set_enabled, ENABLED: u32 = 0..4;
    }
    optional {
        /// 1: input read with echo off (passwords) is audited too. Absent from
        /// kernels before 2.6.39, which take and give only `enabled`.
        log_passwd, set_log_passwd, LOG_PASSWD: u32 = 4..8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_old_kernel_form() {
        let s = TtyStatus {
            enabled: 1,
            log_passwd: 1,
        };
        let b = s.to_bytes();
        assert_eq!(b, [1u32.to_ne_bytes(), 1u32.to_ne_bytes()].concat());
        assert_eq!(TtyStatus::parse(&b).unwrap(), s);
        // A 4-byte reply (enabled only) decodes with log_passwd 0.
        let old = TtyStatus::parse(&1u32.to_ne_bytes()).unwrap();
        assert_eq!((old.enabled, old.log_passwd), (1, 0));
        assert!(TtyStatusView::new_checked(&1u32.to_ne_bytes()[..])
            .unwrap()
            .log_passwd()
            .is_none());
        assert!(TtyStatus::parse(&[1, 0]).is_err());
    }
}
