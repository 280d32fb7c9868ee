//! Converts auditd's logs to JSON Lines: one JSON object per event, oldest first,
//! from a log directory's `audit.log` and its rotations (`audit.log.N` ...
//! `audit.log.1`, `audit.log`), read as one stream so an event cut by a rotation
//! comes out whole.
//!
//! Shows reading a log set (`EventReader::from_audit_log`) and writing events with
//! audit-normalize's `json` module (feature `serde`): the compact form by default
//! (each record's fields, interpretations beside raw ids, the arguments as a list,
//! and the normalizer's sentence), the lossless form with `--lossless`.
//!
//! `logs-to-json [--lossless] DIR|LOG > events.jsonl`. What cannot be read (a line
//! that is not a record, a file) is reported on stderr, saying where, and the exit
//! status is then 1.
use audit_normalize::json::{CompactOptions, JsonOptions, JsonWriter};
use audit_normalize::NormalizeContext;
use audit_parse::source::EventReader;
use std::io::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let lossless = args.first().is_some_and(|a| a == "--lossless");
    let [dir] = &args.split_off(usize::from(lossless))[..] else {
        return Err("usage: logs-to-json [--lossless] DIR|LOG".into());
    };
    let compact = CompactOptions {
        sentence: true,
        ..CompactOptions::default()
    };
    let (mut json, mut ctx) = (JsonWriter::new(), NormalizeContext::default());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut unreadable = 0;
    for item in EventReader::from_audit_log(dir)? {
        match item {
            Ok(ev) if lossless => {
                json.write_event(&mut out, &ev, &mut ctx, &JsonOptions::default())?
            }
            Ok(ev) => json.write_compact(&mut out, &ev, &mut ctx, &compact)?,
            Err(e) => {
                eprintln!("logs-to-json: {e}");
                unreadable += 1;
            }
        }
    }
    out.flush()?;
    if unreadable > 0 {
        return Err(format!("{unreadable} read errors, each on stderr above").into());
    }
    Ok(())
}
