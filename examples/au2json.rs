//! Audit events as JSON Lines: one event per line, losing nothing (see
//! `audit_interpret::json`): every record's text, its fields in order with
//! typed numbers and interpretations, and the normalizer's view.
//!
//! ```text
//! au2json [--no-interpret] [--no-normalize] [--no-attrs] [FILE]
//! ```
//!
//! With FILE it converts the file and exits. Without it reads standard input
//! for as long as it stays open, so it can run as an audispd plugin: when the
//! input stays idle for a second while events are open, they are aged by the
//! clock; at end of input everything is flushed; SIGTERM stops it after a
//! flush; SIGHUP asks for a reload (it has no configuration, so it only says
//! so on standard error). Lines that are not records are reported on
//! standard error.
use audit_interpret::json::{event_to_json, serde_json, JsonOptions};
use audit_interpret::normalize::{NormalizeContext, NormalizeOptions};
use audit_parse::{Options, Parser};
use std::io::{self, Read, Write};
use std::process::ExitCode;

#[path = "common/plugin.rs"]
mod plugin;

struct Writer {
    ctx: NormalizeContext,
    opts: JsonOptions,
    out: io::BufWriter<io::Stdout>,
}

impl Writer {
    fn drain(&mut self, parser: &mut Parser) -> io::Result<()> {
        while let Some(item) = parser.next_event() {
            match item {
                Ok(ev) => {
                    let v = event_to_json(&ev, &mut self.ctx, &self.opts);
                    serde_json::to_writer(&mut self.out, &v)?;
                    self.out.write_all(b"\n")?;
                }
                Err(e) => eprintln!("au2json: {e}"),
            }
        }
        self.out.flush()
    }
}

fn main() -> ExitCode {
    let mut opts = JsonOptions::default();
    let mut file = None;
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--no-interpret" => opts.interpretations = false,
            "--no-normalize" => opts.normalized = None,
            "--no-attrs" => opts.normalized = Some(NormalizeOptions::NoAttributes),
            s if s.starts_with('-') && s != "-" => {
                eprintln!("usage: au2json [--no-interpret] [--no-normalize] [--no-attrs] [FILE]");
                return ExitCode::from(2);
            }
            _ => file = Some(a),
        }
    }
    let mut w = Writer {
        ctx: NormalizeContext::default(),
        opts,
        out: io::BufWriter::new(io::stdout()),
    };
    let result = match file.as_deref() {
        Some(f) if f != "-" => convert_file(f, &mut w),
        _ => plugin(&mut w),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("au2json: {e}");
            ExitCode::from(1)
        }
    }
}

fn convert_file(path: &str, w: &mut Writer) -> io::Result<()> {
    let mut f =
        std::fs::File::open(path).map_err(|e| io::Error::new(e.kind(), format!("{path}: {e}")))?;
    let mut parser = Parser::new(Options::default());
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        parser.feed(&buf[..n]);
        w.drain(&mut parser)?;
    }
    parser.flush();
    w.drain(&mut parser)
}

fn plugin(w: &mut Writer) -> io::Result<()> {
    plugin::run("au2json", 1 << 16, |parser| w.drain(parser)).map(|_| ())
}
