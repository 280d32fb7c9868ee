//! Records in the kernel's form (netlink type + payload) give what their RAW log line
//! gives: `Record::from_kernel` the record `Record::parse` makes of the line, and
//! `Parser::push_kernel` the events that pushing those records makes.

use audit_parse::{Item, Parser, Record, RecordType};
use proptest::prelude::*;
use std::path::Path;

/// The captured logs' lines that a kernel could have sent (no `node=` prefix), each
/// with the type number and payload a reader would have received for it.
fn captured_lines() -> Vec<(Vec<u8>, RecordType, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/captured");
    let mut out = Vec::new();
    for name in ["raw.log", "enriched.log", "busy.log", "busy-enriched.log"] {
        let data = std::fs::read(dir.join(name)).unwrap();
        for line in data
            .split(|&b| b == b'\n')
            .filter(|l| l.starts_with(b"type="))
        {
            let r = Record::parse(line).unwrap();
            let ty = r.record_type().unwrap();
            let at = memchr::memmem::find(line, b" msg=").unwrap();
            out.push((line.to_vec(), ty, line[at + 5..].to_vec()));
        }
    }
    out
}

/// Every item of a parser after a flush, errors as their text.
fn items(p: &mut Parser) -> Vec<Result<audit_parse::Event, String>> {
    p.flush();
    p.drain()
        .map(|i: Item| i.map_err(|e| e.to_string()))
        .collect()
}

#[test]
fn from_kernel_builds_the_record_of_the_raw_line() {
    let lines = captured_lines();
    assert!(lines.len() > 4000, "{} lines", lines.len());
    for (line, ty, payload) in &lines {
        let parsed = Record::parse(line).unwrap();
        let built = Record::from_kernel(*ty, payload).unwrap();
        assert_eq!(built, parsed, "{}", String::from_utf8_lossy(line));
        // The kernel may end a payload with NULs and a newline.
        let mut padded = payload.clone();
        padded.extend_from_slice(b"\n\0\0");
        assert_eq!(Record::from_kernel(*ty, &padded).unwrap(), parsed);
    }
}

#[test]
fn push_kernel_makes_the_events_that_pushing_parsed_lines_makes() {
    let lines = captured_lines();
    let mut kernel = Parser::default();
    let mut records = Parser::default();
    for (line, ty, payload) in &lines {
        kernel.push_kernel(*ty, payload);
        records.push_record(Record::parse(line).unwrap());
    }
    assert_eq!(kernel.stats().records, records.stats().records);
    let (a, b) = (items(&mut kernel), items(&mut records));
    assert!(a.len() > 1000, "{} events", a.len());
    assert_eq!(a, b);
}

#[test]
fn an_unreadable_payload_is_an_error_item_and_the_others_go_on() {
    let mut p = Parser::default();
    // Single-record events: each is complete at once.
    p.push_kernel(RecordType::CONFIG_CHANGE, b"audit(1.000:1): op=set");
    p.push_kernel(RecordType::CONFIG_CHANGE, b"no stamp here");
    p.push_kernel(RecordType::CONFIG_CHANGE, b"audit(2.000:2): op=set");
    let got = items(&mut p);
    let expected_err = Record::from_kernel(RecordType::CONFIG_CHANGE, b"no stamp here")
        .unwrap_err()
        .to_string();
    assert_eq!(got.len(), 3, "{got:?}");
    let errors: Vec<_> = got.iter().filter_map(|i| i.as_ref().err()).collect();
    assert_eq!(errors, [&expected_err]);
    assert_eq!(p.stats().errors, 1);
    let serials: Vec<_> = got.iter().flatten().map(|e| e.id().serial).collect();
    assert_eq!(serials, [1, 2]);
}

proptest! {
    /// Any type and payload (unnamed types, broken stamps, separators, NULs): the
    /// same items as pushing `Record::from_kernel`'s record, or its error.
    #[test]
    fn push_kernel_agrees_with_from_kernel(
        records in prop::collection::vec(
            (
                prop_oneof![Just(1300u16), Just(1320), Just(1327), Just(1400), any::<u16>()],
                "(audit\\([0-9]{1,3}\\.[0-9]{3}:[0-9]{1,2}\\): )?[ -~\\x1d\\x00]{0,40}",
            ),
            1..12,
        )
    ) {
        let mut kernel = Parser::default();
        let mut records_parser = Parser::default();
        let mut errors = Vec::new();
        for (ty, payload) in &records {
            kernel.push_kernel(RecordType::from(*ty), payload.as_bytes());
            match Record::from_kernel(RecordType::from(*ty), payload.as_bytes()) {
                Ok(r) => records_parser.push_record(r),
                Err(e) => errors.push(e.to_string()),
            }
        }
        let got = items(&mut kernel);
        let got_errors: Vec<String> =
            got.iter().filter_map(|i| i.as_ref().err().cloned()).collect();
        let got_events: Vec<_> = got.into_iter().filter_map(Result::ok).collect();
        let want_events: Vec<_> =
            items(&mut records_parser).into_iter().filter_map(Result::ok).collect();
        prop_assert_eq!(got_errors, errors);
        prop_assert_eq!(got_events, want_events);
    }
}
