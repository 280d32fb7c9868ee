//! JSON of events (`audit_normalize::json`, feature `serde`, enabled for the
//! root package's tests): event -> JSON -> text -> JSON -> event gives the
//! same event and the same JSON, for generated events (property test) and
//! for every event of every log; and the compact schema keeps every record
//! and field. (`au2json`, the program that writes these lines, is tested in
//! `crates/audit-tools/tests/au2json.rs`.)

mod support;

use audit_normalize::json::{
    event_from_json_str, event_to_json, CompactOptions, JsonOptions, JsonWriter,
};
use audit_normalize::{NormalizeContext, NormalizeOptions};
use audit_parse::{Event, Options, Parser, Record};
use proptest::prelude::*;
use serde_json::Value;
use support::{corpus_logs, data_relative, manifest_dir};

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
