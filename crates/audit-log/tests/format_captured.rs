//! Lines of logs auditd 3.0.9 wrote (tests/data/captured/), formatted again
//! from their type and payload: the same bytes.

use audit_log::{Formatter, LogFormat, INTERP_SEPARATOR};
use audit_wire::RecordType;

fn captured(name: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/captured/");
    std::fs::read(format!("{path}{name}")).unwrap()
}

/// The node name, record type and payload auditd had for `line`.
fn parts(line: &[u8]) -> (Option<String>, RecordType, &[u8]) {
    let raw = match line.iter().position(|&b| b == INTERP_SEPARATOR) {
        Some(i) => &line[..i],
        None => line,
    };
    let (node, rest) = match raw.strip_prefix(b"node=") {
        Some(r) => {
            let sp = r.iter().position(|&b| b == b' ').unwrap();
            (
                Some(String::from_utf8(r[..sp].to_vec()).unwrap()),
                &r[sp + 1..],
            )
        }
        None => (None, raw),
    };
    let rest = rest.strip_prefix(b"type=").unwrap();
    let sp = rest.iter().position(|&b| b == b' ').unwrap();
    let name = std::str::from_utf8(&rest[..sp]).unwrap();
    let number = match name.strip_prefix("UNKNOWN[") {
        Some(n) => RecordType(n.trim_end_matches(']').parse().unwrap()),
        None => RecordType::from_name(name).unwrap(),
    };
    (node, number, rest[sp + 1..].strip_prefix(b"msg=").unwrap())
}

fn check(name: &str, format: LogFormat) -> usize {
    let log = captured(name);
    let mut formatter: Option<Formatter> = None;
    let mut mismatches = Vec::new();
    let mut n = 0;
    for line in log.split_inclusive(|&b| b == b'\n') {
        let (node, ty, payload) = parts(&line[..line.len() - 1]);
        let f = formatter.get_or_insert_with(|| Formatter::new(format, node.clone()));
        let mut out = Vec::new();
        f.format_into(ty, payload, &mut out);
        if out != line {
            mismatches.push(format!(
                "ours:   {}\nauditd: {}",
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(line)
            ));
        }
        n += 1;
    }
    assert!(
        mismatches.is_empty(),
        "{} of {n} lines differ:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(5)].join("\n")
    );
    n
}

#[test]
fn raw_lines_are_auditds() {
    assert_eq!(check("raw.log", LogFormat::Raw), 103);
    assert_eq!(check("busy.log", LogFormat::Raw), 4873);
}

#[test]
fn enriched_lines_are_auditds() {
    assert_eq!(check("enriched.log", LogFormat::Enriched), 105);
    assert_eq!(check("busy-enriched.log", LogFormat::Enriched), 4873);
}

proptest::proptest! {
    /// Any payload gives one whole line of the format, and no panic.
    #[test]
    fn any_payload_is_one_line(ty in 0u32..3000, payload in proptest::collection::vec(proptest::num::u8::ANY, 0..400), enriched: bool, node: bool) {
        let format = if enriched { LogFormat::Enriched } else { LogFormat::Raw };
        let mut f = Formatter::new(format, node.then(|| "n1".to_string()));
        let mut out = Vec::new();
        f.format_into(RecordType(ty), &payload, &mut out);
        proptest::prop_assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
        proptest::prop_assert_eq!(out.last(), Some(&b'\n'));
        let prefix: &[u8] = if node { b"node=n1 type=" } else { b"type=" };
        proptest::prop_assert!(out.starts_with(prefix));
        if !enriched {
            proptest::prop_assert!(!out.contains(&INTERP_SEPARATOR) || payload.contains(&INTERP_SEPARATOR));
        }
    }
}
