//! One record from arbitrary bytes: parse must not panic, and a parsed record must give
//! back its line and fields that lie within it.
#![no_main]
use audit_parse::Record;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rec) = Record::parse(data) {
        let text = data.strip_suffix(b"\r").unwrap_or(data);
        assert_eq!(rec.text(), text);
        assert!(rec.field_count() <= text.len());
        let ev = audit_parse::Event::from_records(vec![rec.clone()]);
        let mut c = ev.cursor();
        while c.next_field() {}
        for f in rec.fields() {
            let _ = (f.name(), f.value_opt(), f.value_i64(), f.interpreted());
        }
        let _ = Record::from_kernel(rec.type_number() as u16, rec.text());
    }
    let _ = Record::from_kernel(1300, data);
});
