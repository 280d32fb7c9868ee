//! An audispd-style plugin, like the C audisp-example: reads records from stdin as the
//! audit dispatcher hands them over, and for each record of each completed event prints
//! `record type 1300(SYSCALL) has 27 fields` (the name is `UNKNOWN` for a type without
//! one; fields are counted as libauparse counts them).
//!
//! It runs on the `audit-plugin` runtime: `--format binary` reads the dispatcher's
//! binary format (see `examples/plugins.d/audisp-example.conf`), and the runtime's
//! other options apply (`--queue-file`, `--overflow`, `--status-file`, ...). Unless
//! `--overflow` says otherwise, a full queue makes the reader wait, so that no record
//! is dropped, as the C example reading its input itself.
//!
//! SIGTERM stops it (after draining and a flush), SIGHUP asks for a configuration
//! reload (this example has no configuration, so it only notes it), SIGUSR1 writes the
//! queue's metrics. When stdin stays idle for a second while events are open, they are
//! aged by the wall clock so that a quiet system still sees its last events. At end of
//! input everything is flushed.
use audit_plugin::{Handler, HandlerResult, ItemRef, Overflow, Plugin, StopReason};
use std::io::{self, Write};

/// Slots of the cache of line starts, by record type number.
const PREFIX_SLOTS: usize = 64;

struct Printer<W> {
    out: W,
    /// `record type N(NAME) has ` of the types seen last, in the slot of N: a log
    /// has few types, and the start of their line is the same every time.
    prefixes: Vec<Option<(i64, Vec<u8>)>>,
    /// The line being put together.
    line: Vec<u8>,
}

impl<W: Write> Handler for Printer<W> {
    fn event(&mut self, item: ItemRef<'_>) -> HandlerResult {
        match item {
            Ok(ev) => {
                for rec in ev.iter() {
                    let number = rec.type_number();
                    let slot = number.rem_euclid(PREFIX_SLOTS as i64) as usize;
                    let prefix = match &mut self.prefixes[slot] {
                        Some((n, p)) if *n == number => p,
                        other => {
                            let name = rec
                                .record_type()
                                .and_then(|t| t.name())
                                .unwrap_or("UNKNOWN");
                            let text = format!("record type {number}({name}) has ");
                            &mut other.insert((number, text.into_bytes())).1
                        }
                    };
                    // `fields()` walks the line without building the record's field
                    // table, and gives the same fields as `field_count` counts; the
                    // line is put together by hand, `write!` costs more than the
                    // counting.
                    self.line.clear();
                    self.line.extend_from_slice(prefix);
                    push_decimal(&mut self.line, rec.fields().count());
                    self.line.extend_from_slice(b" fields\n");
                    self.out.write_all(&self.line)?;
                }
            }
            Err(e) => say(format_args!("{e}")),
        }
        Ok(())
    }

    /// Nothing more waiting: what was printed goes out now, not when the buffer
    /// fills (a quiet system's last events are seen at once).
    fn idle(&mut self) -> HandlerResult {
        self.out.flush()?;
        Ok(())
    }

    fn reload(&mut self) -> HandlerResult {
        say(format_args!(
            "reload requested (no configuration to reload)"
        ));
        Ok(())
    }
}

/// One line on stderr; nothing if stderr is gone (`eprintln!` would panic).
fn say(what: std::fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr(), "audisp-example: {what}");
}

/// `n` in decimal, as `{}` would print it.
fn push_decimal(out: &mut Vec<u8>, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

fn main() {
    let mut args = Vec::new();
    for arg in std::env::args_os().skip(1) {
        match arg.into_string() {
            Ok(a) => args.push(a),
            Err(a) => {
                say(format_args!("argument {a:?} is not UTF-8"));
                std::process::exit(2);
            }
        }
    }
    let plugin = match Plugin::from_args(args.iter().cloned()) {
        // Under auditd the options come as `--overflow=POLICY`.
        Ok(p)
            if args
                .iter()
                .any(|a| a == "--overflow" || a.starts_with("--overflow=")) =>
        {
            p
        }
        Ok(p) => p.overflow(Overflow::Block),
        Err(e) => {
            say(format_args!("{e}"));
            std::process::exit(2);
        }
    };
    let stdout = io::stdout();
    let mut printer = Printer {
        out: io::BufWriter::new(stdout.lock()),
        prefixes: vec![None; PREFIX_SLOTS],
        line: Vec::new(),
    };
    // Reads of 8970 bytes (MAX_AUDIT_MESSAGE_LENGTH), as the C example: the runtime
    // feeds the parser one read at a time, and the reads decide when events are handed
    // out, and so their order.
    match plugin.run(&mut printer) {
        Ok(outcome) => {
            let why = match outcome.reason {
                StopReason::Terminated => "stop request",
                StopReason::EndOfInput => "stdin EOF",
            };
            let _ = writeln!(printer.out, "audisp-example is exiting on {why}");
            let _ = printer.out.flush();
        }
        Err(e) => {
            say(format_args!("{e}"));
            std::process::exit(1);
        }
    }
}
