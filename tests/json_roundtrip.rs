//! JSON of events (`audit_interpret::json`, feature `serde`, enabled for the
//! root package's tests): event -> JSON -> text -> JSON -> event gives the
//! same event and the same JSON, for generated events (property test) and
//! for every event of every log; and the `au2json` example writes one such
//! line per event, from a file and as an audispd plugin on standard input.

mod support;

use audit_interpret::json::{event_from_json, event_from_json_str, event_to_json, JsonOptions};
use audit_interpret::normalize::{NormalizeContext, NormalizeOptions};
use audit_parse::{Event, Options, Parser, Record};
use proptest::prelude::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use support::{corpus_logs, data_relative, example_bin, manifest_dir};

use audit_interpret::json::serde_json;

fn events_of(data: &[u8]) -> Vec<Event> {
    let mut p = Parser::new(Options::default());
    p.feed(data);
    p.flush();
    std::iter::from_fn(|| p.next_event())
        .filter_map(Result::ok)
        .collect()
}

/// Event -> JSON text -> event -> JSON: the same event and the same JSON.
fn check_roundtrip(
    ev: &Event,
    ctx: &mut NormalizeContext,
    opts: &JsonOptions,
) -> Result<(), String> {
    let j1 = event_to_json(ev, ctx, opts);
    let text = serde_json::to_string(&j1).map_err(|e| e.to_string())?;
    if text.contains('\n') {
        return Err("JSON text spans lines".into());
    }
    let back = event_from_json_str(&text).map_err(|e| format!("{e} in {text}"))?;
    if &back != ev {
        return Err(format!("event changed: {ev:?} -> {back:?}"));
    }
    let j2 = event_to_json(&back, ctx, opts);
    if j1 != j2 {
        return Err(format!("JSON changed:\n{j1}\n{j2}"));
    }
    Ok(())
}

#[test]
fn every_corpus_event_roundtrips() {
    let mut ctx = NormalizeContext::default();
    let mut n = 0;
    let mut logs = corpus_logs();
    logs.push(manifest_dir().join("tests/normalize_data/synthetic.log"));
    for log in logs {
        let data = std::fs::read(&log).unwrap();
        for ev in events_of(&data) {
            for opts in [
                JsonOptions::default(),
                JsonOptions {
                    interpretations: false,
                    normalized: Some(NormalizeOptions::NoAttributes),
                },
            ] {
                if let Err(e) = check_roundtrip(&ev, &mut ctx, &opts) {
                    panic!("{}: {e}", data_relative(&log));
                }
            }
            n += 1;
        }
    }
    assert!(n > 300, "only {n} events");
}

/// A byte of a value: anything but the separators of a line and of fields.
fn value_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        8 => b'a'..=b'z',
        2 => b'0'..=b'9',
        1 => Just(b'"'),
        1 => Just(b'='),
        1 => Just(b'('),
        1 => Just(b')'),
        1 => Just(b'\''),
        1 => Just(0x1d),
        1 => Just(0x01),
        1 => 0x80u8..=0xff,
    ]
}

fn field() -> impl Strategy<Value = Vec<u8>> {
    let names = prop_oneof![
        Just(b"uid".to_vec()),
        Just(b"auid".to_vec()),
        Just(b"syscall".to_vec()),
        Just(b"arch".to_vec()),
        Just(b"a0".to_vec()),
        Just(b"key".to_vec()),
        Just(b"name".to_vec()),
        Just(b"mode".to_vec()),
        Just(b"saddr".to_vec()),
        Just(b"proctitle".to_vec()),
        Just(b"exe".to_vec()),
        Just(b"res".to_vec()),
        Just(b"msg".to_vec()),
        "[a-z_]{1,8}".prop_map(String::into_bytes),
    ];
    let values = prop_oneof![
        "-?[0-9]{1,20}".prop_map(String::into_bytes),
        "[0-9A-F]{0,24}".prop_map(String::into_bytes),
        prop::collection::vec(value_byte(), 0..12),
        prop::collection::vec(value_byte(), 0..12).prop_map(|mut v| {
            v.insert(0, b'"');
            v.push(b'"');
            v
        }),
    ];
    (names, values).prop_map(|(mut n, v)| {
        n.push(b'=');
        n.extend_from_slice(&v);
        n
    })
}

fn record_line(id: (u32, u16, u32)) -> impl Strategy<Value = Vec<u8>> {
    let types = prop_oneof![
        Just("SYSCALL"),
        Just("PATH"),
        Just("CWD"),
        Just("EXECVE"),
        Just("SOCKADDR"),
        Just("USER_LOGIN"),
        Just("AVC"),
        Just("CONFIG_CHANGE"),
        Just("PROCTITLE"),
        Just("UNKNOWN[1999]"),
        Just("NOT_A_TYPE"),
    ];
    (
        prop::option::of("[a-z]{1,6}"),
        types,
        prop::collection::vec(field(), 0..8),
        prop::option::of(prop::collection::vec(field(), 0..3)),
    )
        .prop_map(move |(node, t, fields, enriched)| {
            let mut line = Vec::new();
            if let Some(n) = node {
                line.extend_from_slice(format!("node={n} ").as_bytes());
            }
            line.extend_from_slice(
                format!("type={t} msg=audit({}.{:03}:{}):", id.0, id.1 % 1000, id.2).as_bytes(),
            );
            for f in fields {
                line.push(b' ');
                line.extend_from_slice(&f);
            }
            if let Some(e) = enriched {
                line.push(0x1d);
                let parts: Vec<Vec<u8>> = e.into_iter().map(|f| f.to_ascii_uppercase()).collect();
                line.extend_from_slice(&parts.join(&b' '));
            }
            line
        })
}

fn event() -> impl Strategy<Value = Event> {
    (1u32..2_000_000_000, 0u16..1000, 0u32..100_000)
        .prop_flat_map(|id| prop::collection::vec(record_line(id), 1..5))
        .prop_map(|lines| {
            let mut offset = 0;
            let records = lines
                .iter()
                .enumerate()
                .filter_map(|(i, l)| {
                    let r = Record::parse_at(l, i as u64 + 1, offset).ok();
                    offset += l.len() as u64 + 1;
                    r
                })
                .collect();
            Event::from_records(records)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn generated_events_roundtrip(ev in event()) {
        let mut ctx = NormalizeContext::default();
        if let Err(e) = check_roundtrip(&ev, &mut ctx, &JsonOptions::default()) {
            prop_assert!(false, "{}", e);
        }
    }

    #[test]
    fn arbitrary_json_never_panics(text in "\\PC{0,200}") {
        let _ = event_from_json_str(&text);
    }
}

fn lines_of(out: &[u8]) -> Vec<Value> {
    out.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("a JSON line"))
        .collect()
}

#[test]
fn au2json_writes_one_line_per_event() {
    let log = manifest_dir().join("tests/data/captured/enriched.log");
    let data = std::fs::read(&log).unwrap();
    let expected = events_of(&data);
    let exe = example_bin("au2json");
    let from_file = Command::new(&exe).arg(&log).output().unwrap();
    assert!(from_file.status.success());
    let mut from_stdin = Command::new(&exe)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    from_stdin.stdin.take().unwrap().write_all(&data).unwrap();
    let from_stdin = from_stdin.wait_with_output().unwrap();
    assert!(from_stdin.status.success());
    assert_eq!(from_file.stdout, from_stdin.stdout);
    let lines = lines_of(&from_file.stdout);
    assert_eq!(lines.len(), expected.len());
    let mut ctx = NormalizeContext::default();
    for (v, ev) in lines.iter().zip(&expected) {
        assert_eq!(&event_from_json(v).unwrap(), ev);
        assert_eq!(v, &event_to_json(ev, &mut ctx, &JsonOptions::default()));
    }
}

#[test]
fn au2json_plugin_flushes_on_sigterm() {
    // Three events; the first two are complete once the third begins, the
    // third stays open until the plugin is stopped.
    let log = b"type=CWD msg=audit(1700000000.000:1): cwd=\"/\"\n\
type=EOE msg=audit(1700000000.000:1): \n\
type=USER msg=audit(1700000001.000:2): pid=1 uid=0 auid=0 ses=1 msg='text res=success'\n\
type=SYSCALL msg=audit(1700000002.000:3): arch=c000003e syscall=2 success=yes exit=3\n";
    let mut child = Command::new(example_bin("au2json"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(log).unwrap();
    stdin.flush().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = Vec::new();
    for _ in 0..2 {
        let mut l = String::new();
        out.read_line(&mut l).unwrap();
        first.push(serde_json::from_str::<Value>(&l).unwrap());
    }
    assert_eq!(first[0]["id"]["serial"], 1);
    assert_eq!(first[1]["id"]["serial"], 2);
    // SAFETY: kill(2) on the pid of our own child, which has not been waited for.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(rc, 0);
    let mut rest = Vec::new();
    std::io::Read::read_to_end(&mut out, &mut rest).unwrap();
    let status = child.wait().unwrap();
    drop(stdin);
    assert!(status.success(), "{status}");
    let rest = lines_of(&rest);
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0]["id"]["serial"], 3);
    assert_eq!(rest[0]["normalized"]["action"], "opened-file");
}
