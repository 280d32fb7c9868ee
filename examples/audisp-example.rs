//! An audispd-style plugin, like the C audisp-example: reads records from stdin as the
//! audit dispatcher hands them over, and for each record of each completed event prints
//! `record type 1300(SYSCALL) has 27 fields` (the name is `UNKNOWN` for a type without
//! one; fields are counted as libauparse counts them).
//!
//! SIGTERM stops it (after a flush), SIGHUP asks for a configuration reload (this
//! example has no configuration, so it only notes it). When stdin stays idle for a
//! second while events are open, they are aged by the wall clock so that a quiet system
//! still sees its last events. At end of input everything is flushed.
use audit_parse::{Event, Parser};
use std::io::{self, Write};

#[path = "common/plugin.rs"]
mod plugin;

fn print_event(out: &mut impl Write, ev: &Event) -> io::Result<()> {
    for rec in ev.iter() {
        let name = rec
            .record_type()
            .and_then(|t| t.name())
            .unwrap_or("UNKNOWN");
        writeln!(
            out,
            "record type {}({}) has {} fields",
            rec.type_number(),
            name,
            rec.field_count()
        )?;
    }
    Ok(())
}

fn drain(parser: &mut Parser, out: &mut impl Write) -> io::Result<()> {
    while let Some(item) = parser.next_event() {
        match item {
            Ok(ev) => print_event(out, &ev)?,
            Err(e) => eprintln!("audisp-example: {e}"),
        }
    }
    out.flush()
}

fn main() -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    // Read as the C example does, in blocks of MAX_AUDIT_MESSAGE_LENGTH: the block
    // boundaries decide when events are handed out, and so their order.
    let stopped = plugin::run("audisp-example", 8970, |parser| drain(parser, &mut out))?;
    if stopped {
        writeln!(out, "audisp-example is exiting on stop request")?;
    } else {
        writeln!(out, "audisp-example is exiting on stdin EOF")?;
    }
    out.flush()
}
