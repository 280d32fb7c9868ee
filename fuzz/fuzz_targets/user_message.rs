//! The user-space message encoder (libaudit's `audit_log_*_message` forms) under
//! arbitrary values: no panic; every text within what the kernel takes, without a
//! NUL, ending with the fields that must stay (`res=`, or `terminal=` for AVC
//! messages) when those fit; `encode_untrusted` gives a quoted or a hex form that
//! reads back to its input.
#![no_main]

use audit_netlink::audit_wire::RecordType;
use audit_netlink::{
    encode_untrusted, Account, AcctMessage, Origin, SemanageMessage, UserAvcMessage,
    UserCommMessage, UserCommand, UserMessage, UserRecord, MAX_USER_TEXT,
};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;

/// A value from the input repeated `times` times: texts longer than the kernel
/// takes, from inputs of the fuzzer's usual length.
fn stretch(u: &mut Unstructured<'_>, times: usize) -> Result<String> {
    Ok(u.arbitrary::<&str>()?.repeat(times))
}

/// An optional value from the input.
fn opt<'a>(u: &mut Unstructured<'a>) -> Result<Option<&'a str>> {
    Ok(if u.arbitrary()? {
        Some(u.arbitrary()?)
    } else {
        None
    })
}

/// Where the user is, never asking the name service: the address is given and
/// non-empty up to its first NUL (an empty one would be looked up from the host).
/// The host name, when given, is stretched into `host`.
fn origin<'a: 'b, 'b>(
    u: &mut Unstructured<'a>,
    times: usize,
    host: &'b mut String,
    addr: &'b mut String,
) -> Result<Origin<'b>> {
    let hostname = match opt(u)? {
        Some(h) => {
            host.push_str(&h.repeat(times));
            let host: &'b String = host;
            Some(host.as_str())
        }
        None => None,
    };
    addr.push('a');
    addr.push_str(u.arbitrary()?);
    let addr: &'b String = addr;
    // The terminal of stdin/stdout/stderr is looked up for None: a /proc read.
    let terminal = opt(u)?;
    Ok(Origin {
        hostname,
        addr: Some(addr.as_str()),
        terminal,
    })
}

fn account<'a>(u: &mut Unstructured<'a>) -> Result<Account<'a>> {
    Ok(if u.arbitrary()? {
        Account::Name(u.arbitrary()?)
    } else {
        Account::Id(u.arbitrary()?)
    })
}

/// Bytes from a hex text as `encode_untrusted` writes it (uppercase, even length).
fn unhex(h: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    if !h.len().is_multiple_of(2) {
        return None;
    }
    h.as_bytes()
        .chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

/// Checks one text; `tail` is what it must end with when the caller's values for
/// the fixed fields are short enough to leave room.
fn check(rec: &dyn UserRecord, tail: &str, short_values: bool) {
    let text = rec.to_text();
    assert!(
        text.len() <= MAX_USER_TEXT,
        "{} bytes, the kernel logs at most {MAX_USER_TEXT} whole",
        text.len()
    );
    assert!(!text.contains('\0'), "a NUL at {:?}", text.find('\0'));
    if short_values {
        let end = &text[text.floor_char_boundary(text.len().saturating_sub(200))..];
        assert!(text.ends_with(tail), "{tail:?} does not end ...{end:?}");
    }
}

fn res(success: bool) -> &'static str {
    if success {
        " res=success"
    } else {
        " res=failed"
    }
}

/// Whether the values that go into the fixed tail fit with room to spare (the
/// message's variable part is cut first, these are not cut).
fn short(values: &[Option<&str>]) -> bool {
    values.iter().flatten().map(|v| v.len()).sum::<usize>() < 4096
}

fn run(u: &mut Unstructured<'_>) -> Result<()> {
    let raw: &[u8] = u.arbitrary()?;
    let enc = encode_untrusted(raw);
    match enc.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
        Some(inner) => {
            assert_eq!(inner.as_bytes(), raw, "quoted form changed the value");
            assert!(!inner.contains('"') && inner.bytes().all(|b| (0x21..0x7f).contains(&b)));
        }
        _ => assert_eq!(unhex(&enc).as_deref(), Some(raw), "hex form {enc:?}"),
    }

    let (mut host, mut addr) = (String::new(), String::new());
    let times = 1 + usize::from(u.arbitrary::<u8>()?);
    let form: u8 = u.arbitrary()?;
    let msg_type = RecordType::from(u.arbitrary::<u16>()?);
    let success: bool = u.arbitrary()?;
    match form % 6 {
        0 => {
            let text = stretch(u, times)?;
            let message = text.as_str();
            let origin = origin(u, times, &mut host, &mut addr)?;
            let ok = short(&[origin.hostname, origin.addr, origin.terminal]);
            let m = UserMessage {
                msg_type,
                message,
                origin,
                success,
            };
            check(&m, res(success), ok);
        }
        1 => {
            let text = stretch(u, times)?;
            let message = text.as_str();
            let comm = opt(u)?;
            let origin = origin(u, times, &mut host, &mut addr)?;
            // comm may double in size when hex-encoded.
            let ok = short(&[origin.hostname, origin.addr, origin.terminal, comm, comm]);
            let m = UserCommMessage {
                msg_type,
                message,
                comm,
                origin,
                success,
            };
            check(&m, res(success), ok);
        }
        2 => {
            let program = opt(u)?;
            let text = stretch(u, times)?;
            let op = text.as_str();
            let account = account(u)?;
            let origin = origin(u, times, &mut host, &mut addr)?;
            let ok = short(&[origin.hostname, origin.addr, origin.terminal, program]);
            let m = AcctMessage {
                msg_type,
                program,
                op,
                account,
                origin,
                success,
            };
            check(&m, res(success), ok);
        }
        3 => {
            let text = stretch(u, times)?;
            let message = text.as_str();
            let subject_auid = u.arbitrary()?;
            let origin = origin(u, times, &mut host, &mut addr)?;
            let ok = short(&[origin.hostname, origin.addr, origin.terminal]);
            let m = UserAvcMessage {
                msg_type,
                message,
                origin,
                subject_auid,
            };
            // No res= here: the terminal ends it.
            let text = m.to_text();
            check(&m, "", ok);
            if ok {
                assert!(text.contains(" terminal="), "{text:?}");
            }
        }
        4 => {
            let program = opt(u)?;
            let text = stretch(u, times)?;
            let op = text.as_str();
            let account = account(u)?;
            let values = [opt(u)?, opt(u)?, opt(u)?, opt(u)?, opt(u)?, opt(u)?];
            let origin = origin(u, times, &mut host, &mut addr)?;
            let ok = short(&[origin.hostname, origin.addr, origin.terminal, program]);
            let m = SemanageMessage {
                msg_type,
                program,
                op,
                account,
                new_seuser: values[0],
                new_role: values[1],
                new_range: values[2],
                old_seuser: values[3],
                old_role: values[4],
                old_range: values[5],
                origin,
                success,
            };
            check(&m, res(success), ok);
        }
        _ => {
            let text = stretch(u, times)?;
            let command = text.as_str();
            let terminal = opt(u)?;
            let m = UserCommand {
                msg_type,
                command,
                terminal,
                success,
            };
            check(&m, res(success), short(&[terminal]));
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
