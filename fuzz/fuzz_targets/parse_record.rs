//! One record from arbitrary bytes: parse must not panic, and a parsed record must give
//! back its line and fields that lie within it; walking its fields in order (split as
//! the walk goes) must give exactly what its field table gives by position.
#![no_main]
use audit_parse::{Record, RecordType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rec) = Record::parse(data) {
        let text = data.strip_suffix(b"\r").unwrap_or(data);
        assert_eq!(rec.text(), text);
        assert!(rec.field_count() <= text.len());
        let ev = audit_parse::Event::from_records(vec![rec.clone()]);
        let mut c = ev.cursor();
        while c.next_field() {}
        // Walk first, on a fresh copy, so that the walk runs without a table.
        let fresh = Record::parse(data).expect("parsed once, parses again");
        let walked: Vec<_> = fresh
            .fields()
            .map(|f| {
                (
                    f.index(),
                    f.name().to_vec(),
                    f.value_opt().map(<[u8]>::to_vec),
                )
            })
            .collect();
        let table: Vec<_> = (0..rec.field_count())
            .filter_map(|i| rec.field_at(i))
            .map(|f| {
                (
                    f.index(),
                    f.name().to_vec(),
                    f.value_opt().map(<[u8]>::to_vec),
                )
            })
            .collect();
        assert_eq!(walked, table);
        for f in rec.fields() {
            let _ = (f.name(), f.value_opt(), f.value_i64(), f.interpreted());
        }
        if let Some(record_type) = rec.record_type() {
            let _ = Record::from_kernel(record_type, rec.text());
        }
    }
    let _ = Record::from_kernel(RecordType::SYSCALL, data);
});
