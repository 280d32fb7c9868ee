//! A minimal NETLINK_AUDIT client for the rule tests and the `auditctl` example:
//! status get/set, rule add/delete/list. (Stands in until `audit-netlink` offers
//! these; it speaks the same wire format.)
#![allow(dead_code)]

use std::io;

use netlink_sys::{protocols::NETLINK_AUDIT, Socket, SocketAddr};

pub const AUDIT_GET: u16 = 1000;
pub const AUDIT_SET: u16 = 1001;
pub const AUDIT_ADD_RULE: u16 = 1011;
pub const AUDIT_DEL_RULE: u16 = 1012;
pub const AUDIT_LIST_RULES: u16 = 1013;
pub const AUDIT_GET_FEATURE: u16 = 1019;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_ACK: u16 = 4;

/// `struct audit_status` words, in order.
pub const STATUS_WORDS: [&str; 11] = [
    "mask",
    "enabled",
    "failure",
    "pid",
    "rate_limit",
    "backlog_limit",
    "lost",
    "backlog",
    "feature_bitmap",
    "backlog_wait_time",
    "backlog_wait_time_actual",
];

/// Status mask bits.
pub const STATUS_ENABLED: u32 = 0x01;
pub const STATUS_FAILURE: u32 = 0x02;
pub const STATUS_RATE_LIMIT: u32 = 0x08;
pub const STATUS_BACKLOG_LIMIT: u32 = 0x10;
pub const STATUS_BACKLOG_WAIT_TIME: u32 = 0x20;
pub const STATUS_LOST: u32 = 0x40;
pub const STATUS_BACKLOG_WAIT_TIME_ACTUAL: u32 = 0x80;

pub struct Audit {
    sock: Socket,
    seq: u32,
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&b[i..i + 4]);
    u32::from_ne_bytes(w)
}

impl Audit {
    pub fn open() -> io::Result<Audit> {
        let mut sock = Socket::new(NETLINK_AUDIT)?;
        sock.bind_auto()?;
        sock.connect(&SocketAddr::new(0, 0))?;
        Ok(Audit { sock, seq: 0 })
    }

    fn send(&mut self, ty: u16, payload: &[u8]) -> io::Result<u32> {
        self.seq += 1;
        let len = 16 + payload.len();
        let mut msg = Vec::with_capacity((len + 3) & !3);
        msg.extend_from_slice(&(len as u32).to_ne_bytes());
        msg.extend_from_slice(&ty.to_ne_bytes());
        msg.extend_from_slice(&(NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
        msg.extend_from_slice(&self.seq.to_ne_bytes());
        msg.extend_from_slice(&0u32.to_ne_bytes());
        msg.extend_from_slice(payload);
        msg.resize((len + 3) & !3, 0);
        self.sock.send(&msg, 0)?;
        Ok(self.seq)
    }

    /// Receive messages of request `seq` until `done` says so.
    fn receive(
        &mut self,
        seq: u32,
        mut done: impl FnMut(u16, &[u8]) -> io::Result<bool>,
    ) -> io::Result<()> {
        loop {
            let mut buf = vec![0u8; 1 << 16];
            let n = self.sock.recv(&mut &mut buf[..], 0)?;
            let buf = &buf[..n];
            let mut off = 0;
            while off + 16 <= buf.len() {
                let len = u32_at(buf, off) as usize;
                let ty = u16::from_ne_bytes([buf[off + 4], buf[off + 5]]);
                let mseq = u32_at(buf, off + 8);
                let end = (off + len.max(16)).min(buf.len());
                let payload = &buf[off + 16..end];
                if mseq == seq && done(ty, payload)? {
                    return Ok(());
                }
                off += (len.max(16) + 3) & !3;
            }
        }
    }

    /// Send a request whose answer is only an ack; `Err` carries the kernel's errno.
    pub fn command(&mut self, ty: u16, payload: &[u8]) -> io::Result<()> {
        let seq = self.send(ty, payload)?;
        self.receive(seq, |t, p| {
            if t == NLMSG_ERROR {
                let err = u32_at(p, 0) as i32;
                if err != 0 {
                    return Err(io::Error::from_raw_os_error(-err));
                }
                return Ok(true);
            }
            Ok(false)
        })
    }

    pub fn add_rule(&mut self, rule: &[u8]) -> io::Result<()> {
        self.command(AUDIT_ADD_RULE, rule)
    }

    pub fn delete_rule(&mut self, rule: &[u8]) -> io::Result<()> {
        self.command(AUDIT_DEL_RULE, rule)
    }

    /// Every rule's `audit_rule_data` bytes, in the kernel's order.
    pub fn list_rules(&mut self) -> io::Result<Vec<Vec<u8>>> {
        let seq = self.send(AUDIT_LIST_RULES, &[])?;
        let mut rules = Vec::new();
        self.receive(seq, |t, p| match t {
            AUDIT_LIST_RULES => {
                rules.push(p.to_vec());
                Ok(false)
            }
            NLMSG_DONE => Ok(true),
            NLMSG_ERROR => {
                let err = u32_at(p, 0) as i32;
                if err != 0 {
                    Err(io::Error::from_raw_os_error(-err))
                } else {
                    Ok(false)
                }
            }
            _ => Ok(false),
        })?;
        Ok(rules)
    }

    /// `struct audit_status` as 11 words.
    pub fn status(&mut self) -> io::Result<[u32; 11]> {
        let seq = self.send(AUDIT_GET, &[])?;
        let mut status = None;
        self.receive(seq, |t, p| match t {
            AUDIT_GET => {
                let mut s = [0u32; 11];
                for (i, w) in s.iter_mut().enumerate() {
                    if p.len() >= i * 4 + 4 {
                        *w = u32_at(p, i * 4);
                    }
                }
                status = Some(s);
                Ok(true)
            }
            NLMSG_ERROR => {
                let err = u32_at(p, 0) as i32;
                if err != 0 {
                    Err(io::Error::from_raw_os_error(-err))
                } else {
                    Ok(false)
                }
            }
            _ => Ok(false),
        })?;
        status.ok_or_else(|| io::Error::other("no status reply"))
    }

    /// Set the status words selected by `mask`.
    pub fn set_status(&mut self, mask: u32, word: usize, value: u32) -> io::Result<()> {
        let mut s = [0u32; 11];
        s[0] = mask;
        s[word] = value;
        let bytes: Vec<u8> = s.iter().flat_map(|w| w.to_ne_bytes()).collect();
        self.command(AUDIT_SET, &bytes)
    }

    /// `loginuid_immutable` feature: (value, locked), from AUDIT_GET_FEATURE.
    pub fn loginuid_immutable(&mut self) -> io::Result<(u32, bool)> {
        let seq = self.send(AUDIT_GET_FEATURE, &[0u8; 16])?;
        let mut out = None;
        self.receive(seq, |t, p| match t {
            AUDIT_GET_FEATURE => {
                let features = u32_at(p, 8);
                let lock = u32_at(p, 12);
                out = Some(((features >> 1) & 1, (lock >> 1) & 1 == 1));
                Ok(true)
            }
            NLMSG_ERROR => {
                let err = u32_at(p, 0) as i32;
                if err != 0 {
                    Err(io::Error::from_raw_os_error(-err))
                } else {
                    Ok(false)
                }
            }
            _ => Ok(false),
        })?;
        out.ok_or_else(|| io::Error::other("no feature reply"))
    }
}
