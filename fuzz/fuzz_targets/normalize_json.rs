//! Arbitrary log bytes through the parser, the normalizer (both options),
//! the ausearch csv/text lines and the JSON round trip: nothing panics, and
//! every event comes back from its JSON unchanged, with the same JSON.
#![no_main]

use audit_normalize::format::{csv_event, text_event, CsvColumns};
use audit_normalize::json::{event_from_json_str, event_to_json, serde_json, JsonOptions};
use audit_normalize::{NormalizeContext, NormalizeOptions};
use audit_parse::{Options, Parser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut p = Parser::new(Options::default());
    p.feed(data);
    p.flush();
    let mut ctx = NormalizeContext::default();
    while let Some(item) = p.next_event() {
        let Ok(ev) = item else { continue };
        for opt in [NormalizeOptions::All, NormalizeOptions::NoAttributes] {
            let _ = ctx.normalize(&ev, opt);
        }
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let cols = CsvColumns {
            keys: true,
            labels: true,
            obj2: true,
            time: true,
        };
        csv_event(&mut ctx.cursor(&ev), cols, None, &mut out, &mut err);
        text_event(&mut ctx.cursor(&ev), None, &mut out);
        let opts = JsonOptions::default();
        let j1 = event_to_json(&ev, &mut ctx, &opts);
        let text = serde_json::to_string(&j1).expect("serializable");
        let back = event_from_json_str(&text).expect("own JSON reads back");
        assert_eq!(back, ev);
        assert_eq!(event_to_json(&back, &mut ctx, &opts), j1);
    }
});
