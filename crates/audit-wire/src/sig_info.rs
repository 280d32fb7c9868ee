//! `struct audit_sig_info` (AUDIT_SIGNAL_INFO reply): who last signalled the daemon.

wire_struct! {
    /// The fixed part of `struct audit_sig_info`, owned (see [`SigInfo`] for the whole).
    pub struct SigInfoHeader;
    /// `struct audit_sig_info` as a typed view over bytes (the context follows).
    pub struct SigInfoView;
    what = "audit_sig_info";
    required {
        /// Login uid (or uid when unset) of the sender.
        uid, set_uid, UID: u32 = 0..4;
        /// Pid (thread group id) of the sender.
        pid, set_pid, PID: i32 = 4..8;
    }
    optional {}
}

/// `struct audit_sig_info`: which process sent the audit daemon its last
/// TERM/HUP/USR1/USR2, with its security context when an LSM provides one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SigInfo {
    /// Login uid of the sender (its uid when the login uid is unset).
    pub uid: u32,
    /// Pid of the sender (0 when nobody signalled the daemon yet).
    pub pid: i32,
    /// Security context of the sender, without the trailing NUL; empty when none.
    pub ctx: Vec<u8>,
}

impl SigInfo {
    /// Decode the kernel's reply (a trailing NUL of the context is dropped).
    pub fn parse(bytes: &[u8]) -> Result<Self, crate::WireError> {
        let v = SigInfoView::new_checked(bytes)?;
        let mut ctx = &bytes[SigInfoView::<&[u8]>::MIN_LEN..];
        while let [rest @ .., 0] = ctx {
            ctx = rest;
        }
        Ok(Self {
            uid: v.uid(),
            pid: v.pid(),
            ctx: ctx.to_vec(),
        })
    }

    /// Encode as the kernel does (the context, when present, NUL-terminated).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = SigInfoHeader {
            uid: self.uid,
            pid: self.pid,
        }
        .to_bytes();
        if !self.ctx.is_empty() {
            out.extend_from_slice(&self.ctx);
            out.push(0);
        }
        out
    }

    /// The context as text, when there is one.
    pub fn context(&self) -> Option<String> {
        (!self.ctx.is_empty()).then(|| String::from_utf8_lossy(&self.ctx).into_owned())
    }
}
