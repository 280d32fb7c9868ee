//! Layout, round-trip and robustness tests of the kernel structure views.

use audit_wire::features::{Features, FeaturesView};
use audit_wire::field::{Action, Field, FilterList, Operator};
use audit_wire::netlink::{self, NlError, NlHeader, NLMSG_DONE, NLMSG_ERROR};
use audit_wire::rule::{RuleData, RuleField, RuleHeaderView, RuleValue, RULE_FIXED_LEN};
use audit_wire::sig_info::SigInfo;
use audit_wire::status::{Status, StatusView};
use audit_wire::WireError;
use proptest::prelude::*;

fn words(ws: &[u32]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_ne_bytes()).collect()
}

#[test]
fn status_layout_matches_the_kernel_header() {
    let bytes = words(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    let s = Status::parse(&bytes).unwrap();
    assert_eq!(
        s,
        Status {
            mask: 1,
            enabled: 2,
            failure: 3,
            pid: 4,
            rate_limit: 5,
            backlog_limit: 6,
            lost: 7,
            backlog: 8,
            feature_bitmap: 9,
            backlog_wait_time: 10,
            backlog_wait_time_actual: 11,
        }
    );
    assert_eq!(s.to_bytes(), bytes);
    assert_eq!(Status::LEN, 44);
    assert_eq!(StatusView::<&[u8]>::PID, 12..16);
    assert_eq!(StatusView::<&[u8]>::MIN_LEN, 32);
}

#[test]
fn shorter_status_from_older_kernels_is_accepted() {
    for n in 8..=10 {
        let ws: Vec<u32> = (1..=n).collect();
        let bytes = words(&ws);
        let v = StatusView::new_checked(&bytes[..]).unwrap();
        assert_eq!(v.backlog(), 8);
        assert_eq!(v.feature_bitmap(), (n >= 9).then_some(9));
        assert_eq!(v.backlog_wait_time(), (n >= 10).then_some(10));
        assert_eq!(v.backlog_wait_time_actual(), None);
        let s = Status::parse(&bytes).unwrap();
        assert_eq!(s.backlog_wait_time_actual, 0);
    }
    let err = Status::parse(&words(&[1, 2, 3, 4, 5, 6, 7])).unwrap_err();
    assert_eq!(
        err,
        WireError::Truncated {
            what: "audit_status",
            need: 32,
            got: 28
        }
    );
}

#[test]
fn setter_on_missing_optional_field_is_an_error() {
    let mut bytes = [0u8; 36];
    let mut v = StatusView::new_checked(&mut bytes[..]).unwrap();
    v.set_feature_bitmap(5).unwrap();
    assert!(v.set_backlog_wait_time(5).is_err());
    assert_eq!(v.feature_bitmap(), Some(5));
}

#[test]
fn features_round_trip() {
    let f = Features {
        vers: 1,
        mask: 2,
        features: 3,
        lock: 0,
    };
    let b = f.to_bytes();
    assert_eq!(b, words(&[1, 2, 3, 0]));
    assert_eq!(Features::parse(&b).unwrap(), f);
    assert!(FeaturesView::new_checked(&b[..15]).is_err());
}

#[test]
fn sig_info_with_and_without_context() {
    let mut b = words(&[1000]);
    b.extend_from_slice(&4242i32.to_ne_bytes());
    let s = SigInfo::parse(&b).unwrap();
    assert_eq!((s.uid, s.pid, s.context()), (1000, 4242, None));
    assert_eq!(s.to_bytes(), b);
    b.extend_from_slice(b"unconfined\0");
    let s = SigInfo::parse(&b).unwrap();
    assert_eq!(s.context().as_deref(), Some("unconfined"));
    assert_eq!(s.to_bytes(), b);
}

#[test]
fn rule_layout_matches_the_kernel_header() {
    assert_eq!(RULE_FIXED_LEN, 12 + 4 * 64 * 4 + 4);
    assert_eq!(RuleHeaderView::<&[u8]>::MASK, 12..268);
    assert_eq!(RuleHeaderView::<&[u8]>::BUFLEN, 1036..1040);
    let mut r = RuleData::new(FilterList::Exit, Action::Always);
    r.set_syscall(59).unwrap();
    r.set_syscall(322).unwrap();
    r.push_field(Field::PID, Operator::Equal, 77).unwrap();
    r.push_str_field(Field::FILTERKEY, Operator::Equal, b"k1")
        .unwrap();
    let b = r.to_bytes();
    let w = |i: usize| u32::from_ne_bytes(b[4 * i..4 * i + 4].try_into().unwrap());
    assert_eq!((w(0), w(1), w(2)), (4, 2, 2));
    assert_eq!(w(3 + 1), 1 << (59 - 32));
    assert_eq!(w(3 + 10), 1 << (322 - 320));
    assert_eq!((w(67), w(68)), (0, 210));
    assert_eq!((w(131), w(132)), (77, 2));
    assert_eq!((w(195), w(196)), (0x4000_0000, 0x4000_0000));
    assert_eq!(w(259), 2);
    assert_eq!(&b[1040..], b"k1");
    assert!(r.has_syscall(59) && r.has_syscall(322) && !r.has_syscall(60));
    let fields: Vec<_> = r.fields_iter().collect::<Result<_, _>>().unwrap();
    assert_eq!(
        fields,
        vec![
            RuleField {
                field: 0,
                op: 0x4000_0000,
                value: RuleValue::Num(77)
            },
            RuleField {
                field: 210,
                op: 0x4000_0000,
                value: RuleValue::Str(b"k1")
            },
        ]
    );
}

#[test]
fn rule_errors_are_typed() {
    let mut r = RuleData::default();
    assert_eq!(r.set_syscall(2048), Err(WireError::SyscallOutOfRange(2048)));
    for i in 0..64 {
        r.push_field(Field::PID, Operator::Equal, i).unwrap();
    }
    assert_eq!(
        r.push_field(Field::UID, Operator::Equal, 0),
        Err(WireError::TooManyFields { field: 1 })
    );
    let mut b = RuleData::default().to_bytes();
    b[8..12].copy_from_slice(&65u32.to_ne_bytes());
    assert_eq!(RuleData::parse(&b), Err(WireError::FieldCount(65)));
    let mut b = RuleData::default().to_bytes();
    b[1036..1040].copy_from_slice(&3u32.to_ne_bytes());
    b.extend_from_slice(b"ab");
    assert!(matches!(
        RuleData::parse(&b),
        Err(WireError::LengthOverrun {
            declared: 3,
            available: 2,
            ..
        })
    ));
    // A string length running past the buffer.
    let mut r = RuleData::default();
    r.push_str_field(Field::FILTERKEY, Operator::Equal, b"abc")
        .unwrap();
    r.values[0] = 10;
    assert!(matches!(
        r.fields_iter().next(),
        Some(Err(WireError::StringOverrun { index: 0, .. }))
    ));
    assert_eq!(r.key(), None);
}

#[test]
fn netlink_messages_split_a_multipart_datagram() {
    let h = NlHeader {
        len: 0,
        ty: 1013,
        flags: 2,
        seq: 9,
        pid: 0,
    };
    let mut dgram = h.encode_message(b"abcde");
    dgram.extend(
        NlHeader {
            ty: NLMSG_DONE,
            ..h
        }
        .encode_message(&0i32.to_ne_bytes()),
    );
    let msgs: Vec<_> = netlink::messages(&dgram).collect::<Result<_, _>>().unwrap();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].payload, b"abcde");
    assert_eq!(msgs[0].header.len, 21);
    assert_eq!(msgs[1].header.ty, NLMSG_DONE);
}

#[test]
fn netlink_audit_unicast_length_quirk() {
    let text = b"audit(1.002:3): hello";
    let mut dgram = NlHeader {
        len: text.len() as u32,
        ty: 1300,
        flags: 0,
        seq: 0,
        pid: 0,
    }
    .to_bytes();
    dgram.extend_from_slice(text);
    let msgs: Vec<_> = netlink::messages(&dgram).collect::<Result<_, _>>().unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].payload, text);
}

#[test]
fn netlink_error_layout() {
    let e = NlError {
        error: -17,
        req_len: 1056,
        req_ty: 1011,
        req_flags: 5,
        req_seq: 3,
        req_pid: 1234,
    };
    let b = e.to_bytes();
    assert_eq!(b.len(), 20);
    assert_eq!(NlError::parse(&b).unwrap(), e);
    let bad = NlHeader {
        len: 4,
        ty: NLMSG_ERROR,
        flags: 0,
        seq: 0,
        pid: 0,
    }
    .to_bytes();
    assert!(matches!(
        netlink::messages(&bad).next(),
        Some(Err(WireError::BadNetlinkLength { offset: 0, len: 4 }))
    ));
}

fn arb_rule() -> impl Strategy<Value = RuleData> {
    (
        any::<u32>(),
        any::<u32>(),
        proptest::collection::vec(any::<u32>(), 64),
        proptest::collection::vec(
            (
                0u32..300,
                any::<u32>(),
                any::<u32>(),
                proptest::collection::vec(any::<u8>(), 0..20),
            ),
            0..64,
        ),
    )
        .prop_map(|(flags, action, mask, fields)| {
            // Raw numbers, as the kernel may list them (unknown lists,
            // actions, fields and operators included).
            let mut r = RuleData {
                flags,
                action,
                ..RuleData::default()
            };
            r.mask.copy_from_slice(&mask);
            for (i, (f, op, v, s)) in fields.into_iter().enumerate() {
                r.fields[i] = f;
                r.fieldflags[i] = op;
                r.values[i] = if audit_wire::rule::is_string_field(f) {
                    r.buf.extend_from_slice(&s);
                    s.len() as u32
                } else {
                    v
                };
                r.field_count += 1;
            }
            r
        })
}

proptest! {
    #[test]
    fn rule_round_trips(r in arb_rule()) {
        let b = r.to_bytes();
        prop_assert_eq!(b.len(), RULE_FIXED_LEN + r.buf.len());
        let back = RuleData::parse(&b).unwrap();
        prop_assert_eq!(&back, &r);
        prop_assert_eq!(back.to_bytes(), b);
        prop_assert!(r.fields_iter().all(|f| f.is_ok()));
    }

    #[test]
    fn status_round_trips(ws in proptest::collection::vec(any::<u32>(), 11)) {
        let b = words(&ws);
        prop_assert_eq!(Status::parse(&b).unwrap().to_bytes(), b);
    }

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1200)) {
        let _ = Status::parse(&bytes);
        let _ = Features::parse(&bytes);
        let _ = SigInfo::parse(&bytes);
        if let Ok(r) = RuleData::parse(&bytes) {
            let _ = r.fields_iter().count();
            let _ = r.key();
        }
        for m in netlink::messages(&bytes) {
            if m.is_err() { break; }
        }
    }
}
