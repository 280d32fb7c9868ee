//! JSON of events (`audit_normalize::json`, feature `serde`, enabled for the
//! root package's tests): event -> JSON -> text -> JSON -> event gives the
//! same event and the same JSON, for generated events (property test) and
//! for every event of every log; and the `au2json` example writes one such
//! line per event, from a file and as an audispd plugin on standard input.
//! The streaming writer (`JsonWriter`) writes byte for byte what
//! `serde_json` writes for the tree, and au2json's memory stays within a
//! small multiple of the event it converts.

mod support;

use audit_normalize::json::{
    event_from_json, event_from_json_str, event_to_json, CompactOptions, JsonOptions, JsonWriter,
};
use audit_normalize::{NormalizeContext, NormalizeOptions};
use audit_parse::{Event, Options, Parser, Record};
use proptest::prelude::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use support::{corpus_logs, data_relative, example_bin, manifest_dir};

use audit_normalize::json::serde_json;

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
    // The streaming writer: the same text, without the tree.
    let mut streamed = Vec::new();
    JsonWriter::new()
        .write_event(&mut streamed, ev, ctx, opts)
        .map_err(|e| e.to_string())?;
    if streamed != format!("{text}\n").as_bytes() {
        return Err(format!(
            "streamed JSON differs:\n{text}\n{}",
            String::from_utf8_lossy(&streamed)
        ));
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
                JsonOptions {
                    interpretations: true,
                    normalized: None,
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

/// A writer that compares what it is given with a file, byte for byte,
/// without holding either whole.
struct SameAsFile {
    file: std::io::BufReader<std::fs::File>,
    at: u64,
    mismatch: Option<u64>,
}

impl Write for SameAsFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut theirs = vec![0; buf.len()];
        let n = std::io::Read::read(&mut self.file, &mut theirs)?;
        if self.mismatch.is_none() && (n == 0 || theirs[..n] != buf[..n]) {
            self.mismatch = Some(self.at);
        }
        let n = n.max(1).min(buf.len());
        self.at += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs au2json with `args` and `data` (one event) on standard input and its output
/// to `out`; returns its peak resident memory in bytes (`VmHWM`), read once
/// the event is out (aged by the clock after a second of idle input) and
/// before its input is closed. (`wait4`'s `ru_maxrss` would count the memory
/// of this test process, which the child shares until it executes.)
fn au2json_peak_rss(args: &[&str], data: &[u8], out: &std::path::Path) -> u64 {
    let mut child = Command::new(example_bin("au2json"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(out).unwrap())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(data).unwrap();
    stdin.flush().unwrap();
    // A raw newline only ends an event's line (JSON escapes the others).
    let started = std::time::Instant::now();
    loop {
        let written = std::fs::read(out).unwrap();
        if written.last() == Some(&b'\n') {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(300),
            "au2json wrote no whole event"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmHWM in {status}"));
    drop(stdin);
    assert!(child.wait().unwrap().success());
    kib * 1024
}

/// au2json's memory is bounded by a small multiple of the event it converts:
/// one 4 MiB line of a million fields, and a 12 MiB event of three 4 MiB
/// records (a JSON tree per event took about 230 bytes per input byte:
/// 916 MB and 2.7 GB). The output is what the writer gives in this process.
#[test]
fn au2json_memory_stays_near_the_event_size() {
    let dir = std::env::temp_dir().join(format!("json-roundtrip-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let line = |t: &str, serial: u32, field: &[u8]| {
        let mut l = format!("type={t} msg=audit(1700000000.000:{serial}):").into_bytes();
        while l.len() < (4 << 20) - 100 {
            l.extend_from_slice(field);
        }
        l.push(b'\n');
        l
    };
    let one_line = line("SYSCALL", 1, b" a=1");
    let mut three = Vec::new();
    for t in ["SYSCALL", "PATH", "CWD"] {
        // Longer fields here, for a test that runs in reasonable time.
        three.extend_from_slice(&line(t, 2, b" a=0123456789abcdef"));
    }
    for (name, data) in [("line", &one_line), ("event", &three)] {
        // The compact schema too: every field is named `a`, so that each
        // record's names all need a suffix.
        for compact in [false, true] {
            let args: &[&str] = if compact { &["--compact"] } else { &[] };
            let out = dir.join(format!("{name}.json"));
            let peak = au2json_peak_rss(args, data, &out);
            // 9 copies: the plugin runtime's reader holds a record while it is
            // cut and queued, one more than au2json reading its input itself.
            let bound = 9 * data.len() as u64 + (16 << 20);
            assert!(
                peak < bound,
                "{name} {args:?}: au2json peaked at {peak} bytes for {} input bytes (bound {bound})",
                data.len()
            );
            let mut same = SameAsFile {
                file: std::io::BufReader::new(std::fs::File::open(&out).unwrap()),
                at: 0,
                mismatch: None,
            };
            let mut ctx = NormalizeContext::default();
            let mut json = JsonWriter::new();
            let events = events_of(data);
            assert_eq!(events.len(), 1, "{name}");
            if compact {
                json.write_compact(&mut same, &events[0], &mut ctx, &CompactOptions::default())
                    .unwrap();
            } else {
                json.write_event(&mut same, &events[0], &mut ctx, &JsonOptions::default())
                    .unwrap();
            }
            assert_eq!(
                same.mismatch, None,
                "{name} {args:?}: output differs at that byte"
            );
            let mut rest = Vec::new();
            std::io::Read::read_to_end(&mut same.file, &mut rest).unwrap();
            assert!(rest.is_empty(), "{name} {args:?}: au2json wrote more");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The compact schema on one event that has every case: ids named beside
/// their values, hex and octal kept as strings, decoded text, a split
/// argument put back into `argv`, a process title as its arguments, a name
/// that comes twice, the end-of-event record left out.
#[test]
fn compact_schema_of_one_event() {
    let log = b"node=h1 type=SYSCALL msg=audit(1700000000.042:7): arch=c000003e syscall=59 success=no exit=-2 a0=10 a1=7ffd items=1 pid=9 auid=4294967295 uid=0 ses=007 comm=\"ls\" exe=2F746D702F6120620A key=(null)\n\
node=h1 type=EXECVE msg=audit(1700000000.042:7): argc=3 a0=\"ls\" a1_len=4 a1[0]=\"ab\" a1[1]=\"cd\" a2=61FF\n\
node=h1 type=PATH msg=audit(1700000000.042:7): item=0 name=\"/x\" mode=0100644 ouid=0 item=1\n\
node=h1 type=PATH msg=audit(1700000000.042:7): item=1 name=\"/y\"\n\
node=h1 type=PROCTITLE msg=audit(1700000000.042:7): proctitle=6C73002D6C00\n\
node=h1 type=EOE msg=audit(1700000000.042:7): \n";
    let ev = &events_of(log)[0];
    let mut ctx = NormalizeContext::default();
    let mut out = Vec::new();
    let mut w = JsonWriter::new();
    w.write_compact(&mut out, ev, &mut ctx, &CompactOptions::default())
        .unwrap();
    let want = concat!(
        r#"{"id":"1700000000.042:7","node":"h1","#,
        r#""SYSCALL":{"arch":"c000003e","ARCH":"x86_64","syscall":59,"SYSCALL":"execve","#,
        r#""success":"no","exit":-2,"a0":"10","a1":"7ffd","items":1,"pid":9,"#,
        r#""auid":4294967295,"AUID":"unset","uid":0,"UID":"root","ses":"007","#,
        r#""comm":"ls","exe":"/tmp/a b\n","key":"(null)"},"#,
        r#""EXECVE":{"argc":3,"argv":["ls","abcd",{"hex":"61ff"}]},"#,
        r#""PATH":[{"item":0,"name":"/x","mode":"0100644","ouid":0,"OUID":"root","item#2":1},"#,
        r#"{"item":1,"name":"/y"}],"#,
        r#""PROCTITLE":{"proctitle":["ls","-l"]}}"#,
        "\n"
    );
    assert_eq!(String::from_utf8_lossy(&out), want);
    // Every interpretation, and the sentence.
    out.clear();
    let opts = CompactOptions {
        sentence: true,
        every_interpretation: true,
    };
    w.write_compact(&mut out, ev, &mut ctx, &opts).unwrap();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["SYSCALL"]["EXIT"], "ENOENT(No such file or directory)");
    assert_eq!(v["PATH"][0]["MODE"], "file,644");
    let sentence = v["sentence"].as_str().unwrap();
    assert!(
        sentence.starts_with("system, acting as root, unsuccessfully executed"),
        "{sentence}"
    );
}

/// Every event of every log in the compact schema: one JSON object per
/// line, its `id` the event's, each record type a member, and each record
/// with a member for each of its fields (no name lost to another).
#[test]
fn compact_keeps_every_record_and_field() {
    let mut ctx = NormalizeContext::default();
    let mut w = JsonWriter::new();
    let mut n = 0;
    let mut logs = corpus_logs();
    logs.push(manifest_dir().join("tests/normalize_data/synthetic.log"));
    for log in logs {
        let data = std::fs::read(&log).unwrap();
        for ev in events_of(&data) {
            let mut out = Vec::new();
            w.write_compact(&mut out, &ev, &mut ctx, &CompactOptions::default())
                .unwrap();
            let at = || format!("{}: {}", data_relative(&log), String::from_utf8_lossy(&out));
            assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1, "{}", at());
            let v: Value = serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{e}: {}", at()));
            let id = ev.id();
            assert_eq!(
                v["id"],
                format!("{}.{:03}:{}", id.sec, id.milli, id.serial),
                "{}",
                at()
            );
            let mut seen: std::collections::HashMap<String, usize> = Default::default();
            for rec in ev.iter() {
                let ty = String::from_utf8_lossy(rec.type_text()).into_owned();
                let headers = rec
                    .fields()
                    .take(2)
                    .filter(|f| f.name() == b"type" || f.name() == b"node")
                    .count();
                if ty == "EOE" && rec.field_count() == headers {
                    continue;
                }
                let member = &v[ty.as_str()];
                assert!(!member.is_null(), "no {ty} in {}", at());
                let k = seen.entry(ty.clone()).or_insert(0);
                let obj = match member {
                    Value::Array(a) => &a[*k],
                    other => other,
                };
                *k += 1;
                if ty == "EXECVE" && obj.get("argv").is_some() {
                    continue;
                }
                let members = obj.as_object().unwrap_or_else(|| panic!("{}", at()));
                assert!(
                    members.len() >= rec.field_count() - headers,
                    "{ty}: {} members for {} fields in {}",
                    members.len(),
                    rec.field_count() - headers,
                    at()
                );
            }
            n += 1;
        }
    }
    assert!(n > 300, "only {n} events");
}

#[test]
fn au2json_compact_writes_what_the_writer_does() {
    let log = manifest_dir().join("tests/data/captured/enriched.log");
    let data = std::fs::read(&log).unwrap();
    let out = Command::new(example_bin("au2json"))
        .args(["--compact", "--sentence"])
        .arg(&log)
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut ctx = NormalizeContext::default();
    let mut w = JsonWriter::new();
    let mut want = Vec::new();
    let opts = CompactOptions {
        sentence: true,
        every_interpretation: false,
    };
    for ev in events_of(&data) {
        w.write_compact(&mut want, &ev, &mut ctx, &opts).unwrap();
    }
    assert!(!want.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&want)
    );
    // Options of the one schema are refused with the other.
    let bad = Command::new(example_bin("au2json"))
        .args(["--compact", "--no-normalize"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
