//! Netlink framing: `struct nlmsghdr`, `struct nlmsgerr`, flags and the iteration over
//! the messages of one datagram, including the audit unicast length quirk.

use crate::WireError;

/// `NLMSG_NOOP`.
pub const NLMSG_NOOP: u16 = 1;
/// `NLMSG_ERROR`: an error, or an ACK when the error code is 0 (or positive for audit).
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`: end of a multipart dump.
pub const NLMSG_DONE: u16 = 3;
/// `NLMSG_OVERRUN`.
pub const NLMSG_OVERRUN: u16 = 4;

/// `NLM_F_REQUEST`.
pub const NLM_F_REQUEST: u16 = 0x01;
/// `NLM_F_MULTI`.
pub const NLM_F_MULTI: u16 = 0x02;
/// `NLM_F_ACK`.
pub const NLM_F_ACK: u16 = 0x04;

/// Size of `struct nlmsghdr`.
pub const NLMSG_HDRLEN: usize = 16;

/// `NLMSG_ALIGN`: round up to a multiple of 4.
pub const fn nlmsg_align(len: usize) -> usize {
    (len + 3) & !3
}

wire_struct! {
    /// `struct nlmsghdr`, owned.
    pub struct NlHeader;
    /// `struct nlmsghdr` as a typed view over bytes.
    pub struct NlHeaderView;
    what = "nlmsghdr";
    required {
        /// Length of the message, header included (see [`messages`] for the audit quirk).
        len, set_len, LEN: u32 = 0..4;
        /// Message type (`NLMSG_*` or an audit message type).
        ty, set_ty, TY: u16 = 4..6;
        /// Flags (`NLM_F_*`).
        flags, set_flags, FLAGS: u16 = 6..8;
        /// Sequence number.
        seq, set_seq, SEQ: u32 = 8..12;
        /// Sender port id (0 = the kernel).
        pid, set_pid, PID: u32 = 12..16;
    }
    optional {}
}

wire_struct! {
    /// `struct nlmsgerr` (error code and the offending request's header), owned.
    pub struct NlError;
    /// `struct nlmsgerr` as a typed view over bytes.
    pub struct NlErrorView;
    what = "nlmsgerr";
    required {
        /// 0 = ACK, negative = -errno; audit sends a positive value for some requests
        /// (the old `lost` counter on a reset).
        error, set_error, ERROR: i32 = 0..4;
        /// `nlmsg_len` of the request.
        req_len, set_req_len, REQ_LEN: u32 = 4..8;
        /// `nlmsg_type` of the request.
        req_ty, set_req_ty, REQ_TY: u16 = 8..10;
        /// `nlmsg_flags` of the request.
        req_flags, set_req_flags, REQ_FLAGS: u16 = 10..12;
        /// `nlmsg_seq` of the request.
        req_seq, set_req_seq, REQ_SEQ: u32 = 12..16;
        /// `nlmsg_pid` of the request.
        req_pid, set_req_pid, REQ_PID: u32 = 16..20;
    }
    optional {}
}

impl NlHeader {
    /// Build a complete message: this header (with `len` recomputed) and `payload`,
    /// padded to a multiple of 4.
    pub fn encode_message(&self, payload: &[u8]) -> Vec<u8> {
        let total = NLMSG_HDRLEN + payload.len();
        let mut h = *self;
        h.len = u32::try_from(total).unwrap_or(u32::MAX);
        let mut out = h.to_bytes();
        out.extend_from_slice(payload);
        out.resize(nlmsg_align(total), 0);
        out
    }
}

/// One netlink message of a datagram: its header and payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NlMessage<'a> {
    /// The header as sent (for a quirky audit record `len` is the payload length).
    pub header: NlHeader,
    /// The payload bytes.
    pub payload: &'a [u8],
}

/// Iterator over the messages of one datagram; see [`messages`].
#[derive(Debug, Clone)]
pub struct Messages<'a> {
    buf: &'a [u8],
    off: usize,
    done: bool,
}

/// Whether `ty` is an audit record type (as opposed to netlink control and the
/// 1000..1099 audit control replies). Two types of the control range are records
/// the kernel logs: `AUDIT_USER` (1005, what `auditctl -m` sends) and
/// `AUDIT_LOGIN` (1006, a login uid being set).
pub const fn is_record_type(ty: u16) -> bool {
    ty >= 1100 || ty == 1005 || ty == 1006
}

/// Iterate over the netlink messages of one received datagram.
///
/// The kernel's audit unicast to the daemon sets `nlmsg_len` to the *payload* length
/// (a long-standing quirk that auditd copes with); a datagram holding a single audit
/// record whose `nlmsg_len` is exactly 16 bytes short of the datagram is read that
/// way. Every other message must fit its declared length.
pub fn messages(buf: &[u8]) -> Messages<'_> {
    Messages {
        buf,
        off: 0,
        done: false,
    }
}

impl<'a> Iterator for Messages<'a> {
    type Item = Result<NlMessage<'a>, WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.off >= self.buf.len() {
            return None;
        }
        let rest = &self.buf[self.off..];
        let header = match NlHeader::parse(rest) {
            Ok(h) => h,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        let declared = header.len as usize;
        if self.off == 0 && is_record_type(header.ty) && declared + NLMSG_HDRLEN == rest.len() {
            self.done = true;
            return Some(Ok(NlMessage {
                header,
                payload: &rest[NLMSG_HDRLEN..],
            }));
        }
        if declared < NLMSG_HDRLEN {
            self.done = true;
            return Some(Err(WireError::BadNetlinkLength {
                offset: self.off,
                len: header.len,
            }));
        }
        if declared > rest.len() {
            self.done = true;
            return Some(Err(WireError::LengthOverrun {
                what: "nlmsghdr",
                declared: declared as u64,
                available: rest.len(),
            }));
        }
        let payload = &rest[NLMSG_HDRLEN..declared];
        self.off += nlmsg_align(declared).min(rest.len());
        Some(Ok(NlMessage { header, payload }))
    }
}

#[cfg(test)]
mod record_type_tests {
    use super::*;

    #[test]
    fn user_and_login_are_records() {
        assert!(is_record_type(1005) && is_record_type(1006) && is_record_type(1300));
        assert!(!is_record_type(1000) && !is_record_type(1013) && !is_record_type(2));
        // A unicast AUDIT_USER record with the short nlmsg_len is one message.
        let text = b"audit(1.2:3): pid=1 uid=0 msg='x terminal=? res=success'";
        let mut d = NlHeader {
            len: text.len() as u32,
            ty: 1005,
            flags: 0,
            seq: 0,
            pid: 0,
        }
        .to_bytes();
        d.extend_from_slice(text);
        let all: Vec<_> = messages(&d).collect();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].as_ref().unwrap().payload, &text[..]);
    }
}
