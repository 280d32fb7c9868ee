//! Fuzz the kernel-structure decoders: no panic, and whatever decodes re-encodes to
//! the same bytes (the prefix the structure covers).
#![no_main]

use audit_wire::features::Features;
use audit_wire::rule::{RuleData, RULE_FIXED_LEN};
use audit_wire::sig_info::SigInfo;
use audit_wire::status::Status;
use audit_wire::tty_status::TtyStatus;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = Status::parse(data) {
        if data.len() >= Status::LEN {
            assert_eq!(s.to_bytes(), &data[..Status::LEN]);
        }
    }
    if let Ok(f) = Features::parse(data) {
        assert_eq!(f.to_bytes(), &data[..Features::LEN]);
    }
    if let Ok(t) = TtyStatus::parse(data) {
        // Shorter than the whole structure, only `enabled` is read (the 4-byte
        // form of older kernels); it re-encodes with log_passwd 0.
        let n = if data.len() >= TtyStatus::LEN {
            TtyStatus::LEN
        } else {
            4
        };
        assert_eq!(&t.to_bytes()[..n], &data[..n]);
        if n == 4 {
            assert_eq!(t.log_passwd, 0);
        }
    }
    if let Ok(s) = SigInfo::parse(data) {
        assert_eq!(SigInfo::parse(&s.to_bytes()).unwrap(), s);
    }
    if let Ok(r) = RuleData::parse(data) {
        let b = r.to_bytes();
        assert_eq!(b, &data[..RULE_FIXED_LEN + r.buf.len()]);
        let _ = r.fields_iter().count();
        let _ = r.key();
    }
});
