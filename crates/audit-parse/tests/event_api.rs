//! `Event::keys` and `Event::argv`: unit cases, real logs, and `ausearch -k` itself.

use audit_parse::source::EventReader;
use audit_parse::{ArgvErrorKind, Event, Options, Parser};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn events(log: &[u8]) -> Vec<Event> {
    let mut p = Parser::new(Options::default());
    p.feed(log);
    p.flush();
    p.drain().map(|e| e.unwrap()).collect()
}

fn one(log: &[u8]) -> Event {
    let mut evs = events(log);
    assert_eq!(evs.len(), 1, "{evs:?}");
    evs.remove(0)
}

fn keys(ev: &Event) -> Vec<Vec<u8>> {
    ev.keys().into_iter().map(|k| k.into_owned()).collect()
}

#[test]
fn keys_quoted_hex_split_and_null() {
    let ev = one(b"type=SYSCALL msg=audit(1.000:1): syscall=2 key=\"passwd\"\n");
    assert_eq!(keys(&ev), [b"passwd".to_vec()]);
    // "exec" 0x01 "64bit": one rule with two keys.
    let ev = one(b"type=SYSCALL msg=audit(1.000:1): syscall=59 key=65786563013634626974\n");
    assert_eq!(keys(&ev), [b"exec".to_vec(), b"64bit".to_vec()]);
    // A key with a space, and one with a non-UTF-8 byte, both hex.
    let ev = one(b"type=SYSCALL msg=audit(1.000:1): syscall=59 key=61206201E9\n");
    assert_eq!(keys(&ev), [b"a b".to_vec(), vec![0xe9]]);
    let ev = one(b"type=SYSCALL msg=audit(1.000:1): syscall=59 key=(null)\n");
    assert!(ev.keys().is_empty());
    // Malformed hex: no key (ausearch finds none either).
    let ev = one(b"type=SYSCALL msg=audit(1.000:1): syscall=59 key=zz\n");
    assert!(ev.keys().is_empty());
}

#[test]
fn keys_of_config_change_and_not_of_other_records() {
    let ev = one(b"type=CONFIG_CHANGE msg=audit(1.000:1): auid=0 ses=1 op=add_rule key=\"rules\" list=4 res=1\n");
    assert_eq!(keys(&ev), [b"rules".to_vec()]);
    // ausearch reads keys of SYSCALL, CONFIG_CHANGE and MAC_* records only.
    let ev = one(b"type=USER_CMD msg=audit(1.000:1): pid=1 msg='cmd=6C73 key=\"x\" res=success'\n");
    assert!(ev.keys().is_empty());
    // Duplicates in one event come once, in order of first appearance.
    let ev = one(
        b"type=SYSCALL msg=audit(1.000:1): syscall=59 key=6101620161\n\
          type=EOE msg=audit(1.000:1): \n",
    );
    assert_eq!(keys(&ev), [b"a".to_vec(), b"b".to_vec()]);
}

#[test]
fn argv_plain_hex_and_split() {
    let ev = one(
        b"type=SYSCALL msg=audit(1.000:1): syscall=59\n\
          type=EXECVE msg=audit(1.000:1): argc=4 a0=\"sh\" a1=\"-c\" a2=6563686F20224869220A a3=\"\"\n\
          type=EOE msg=audit(1.000:1): \n",
    );
    assert_eq!(
        ev.argv().unwrap(),
        [&b"sh"[..], b"-c", b"echo \"Hi\"\n", b""]
    );
    // An argument split in pieces over two EXECVE records, one quoted, one hex.
    let ev = one(b"type=SYSCALL msg=audit(1.000:1): syscall=59\n\
          type=EXECVE msg=audit(1.000:1): argc=3 a0=\"x\" a1_len=6 a1[0]=\"abcd\"\n\
          type=EXECVE msg=audit(1.000:1): a1[1]=\"ef\" a2=6162630A\n\
          type=EOE msg=audit(1.000:1): \n");
    assert_eq!(ev.argv().unwrap(), [&b"x"[..], b"abcdef", b"abc\n"]);
    // Hex pieces: the length counts hex digits.
    let ev = one(b"type=EXECVE msg=audit(1.000:1): argc=1 a0_len=8 a0[0]=6120 a0[1]=620A\n");
    assert_eq!(ev.argv().unwrap(), [&b"a b\n"[..]]);
}

#[test]
fn argv_of_a_real_long_execve() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/peers/laurel/src/testdata/record-execve-long.txt");
    let text = std::fs::read(&path).unwrap();
    let evs = events(&text);
    let ev = evs
        .iter()
        .find(|e| e.find_field("argc").is_some())
        .expect("an EXECVE event");
    let args = ev.argv().unwrap();
    assert_eq!(args.len(), 2);
    assert_eq!(args[0], b"/bin/echo");
    // a1_len=16384 counts hex digits: 8192 bytes.
    assert_eq!(args[1].len(), 8192);
    assert_eq!(&args[1][..3], b"baa");
}

#[test]
fn argv_errors_say_what_is_missing() {
    let kind = |log: &[u8]| one(log).argv().unwrap_err();
    let e = kind(b"type=SYSCALL msg=audit(1.000:1): syscall=59\n");
    assert_eq!(e.kind, ArgvErrorKind::NoExecve);
    let e = kind(b"type=EXECVE msg=audit(1.000:1): a0=\"x\"\n");
    assert_eq!(e.kind, ArgvErrorKind::MissingArgc);
    let e = kind(b"type=EXECVE msg=audit(1.000:1): argc=x1 a0=\"x\"\n");
    assert_eq!(e.kind, ArgvErrorKind::BadArgc("x1".into()));
    // A huge argc is not trusted for memory: the first missing argument ends it.
    let e = kind(b"type=EXECVE msg=audit(1.000:1): argc=4000000000 a0=\"x\"\n");
    assert_eq!(
        e.kind,
        ArgvErrorKind::MissingArgument {
            index: 1,
            argc: 4_000_000_000
        }
    );
    assert_eq!(e.partial, [b"x".to_vec()]);
    assert!(e.to_string().contains("a1"), "{e}");
    let e = kind(b"type=EXECVE msg=audit(1.000:1): argc=1 a0_len=10 a0[0]=\"abc\" a0[2]=\"d\"\n");
    assert_eq!(e.kind, ArgvErrorKind::MissingPiece { index: 0, piece: 1 });
    assert!(e.to_string().contains("a0[1]"), "{e}");
    let e = kind(b"type=EXECVE msg=audit(1.000:1): argc=1 a0_len=2 a0[0]=\"abc\"\n");
    assert_eq!(
        e.kind,
        ArgvErrorKind::LengthMismatch {
            index: 0,
            declared: 2,
            logged: 3
        }
    );
    let e = kind(b"type=EXECVE msg=audit(1.000:1): argc=2 a0=\"a\" a1=6G\n");
    assert_eq!(
        e.kind,
        ArgvErrorKind::BadValue {
            index: 1,
            field: "a1".into()
        }
    );
    let e = kind(b"type=EXECVE msg=audit(1.000:1): argc=1 a0_len=x a0[0]=\"a\"\n");
    assert_eq!(e.kind, ArgvErrorKind::BadLength { index: 0 });
}

/// Logs of the test data that hold keys.
fn logs_with_keys() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs = vec![root.join("tests/data"), root.join("../shared/corpus")];
    let mut out = Vec::new();
    while let Some(dir) = dirs.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in rd.flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if std::fs::read(&p)
                .is_ok_and(|t| t.starts_with(b"type=") || t.starts_with(b"node="))
                && std::fs::read(&p).is_ok_and(|t| t.windows(4).any(|w| w == b"key="))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Ids (`SEC.MSEC:SERIAL`) of the events `ausearch -k KEY -w` finds in a log.
fn ausearch_ids(log: &Path, key: &[u8]) -> BTreeSet<String> {
    use std::os::unix::ffi::OsStrExt;
    let out = Command::new("ausearch")
        .arg("-if")
        .arg(log)
        .arg("-k")
        .arg(std::ffi::OsStr::from_bytes(key))
        .args(["-w", "--raw"])
        .output()
        .expect("run ausearch");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter_map(|l| {
            let s = l.find("msg=audit(")? + 10;
            let e = s + l[s..].find(')')?;
            Some(l[s..e].to_string())
        })
        .collect()
}

/// For every key our `keys` finds in the corpus logs, `ausearch -k KEY -w` finds the
/// same events.
#[test]
fn keys_match_ausearch_on_the_corpus() {
    let logs = logs_with_keys();
    assert!(logs.len() >= 5, "{logs:?}");
    let mut compared = 0;
    for log in &logs {
        let mut by_key: std::collections::BTreeMap<Vec<u8>, BTreeSet<String>> = Default::default();
        for ev in EventReader::from_files([log], Options::default()).flatten() {
            for k in ev.keys() {
                by_key
                    .entry(k.into_owned())
                    .or_default()
                    .insert(ev.id().to_string());
            }
        }
        // A key with a NUL or 0x01 cannot be given on a command line.
        by_key.retain(|k, _| !k.is_empty() && !k.contains(&0) && !k.starts_with(b"-"));
        for (key, ours) in by_key.iter().take(40) {
            let theirs = ausearch_ids(log, key);
            assert_eq!(
                &theirs,
                ours,
                "{} key {:?}",
                log.display(),
                String::from_utf8_lossy(key)
            );
            compared += 1;
        }
    }
    assert!(compared >= 10, "only {compared} keys compared");
}
