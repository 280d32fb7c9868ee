//! Audit events as JSON Lines: one event per line (see
//! `audit_interpret::json` for both schemas). By default losing nothing:
//! every record's text, its fields in order with typed numbers and
//! interpretations, and the normalizer's view. With `--compact`, for
//! shipping to a log pipeline: records keyed by type, fields as strings and
//! numbers, decoded text, `argv` as an array, interpretations beside raw
//! values where they differ (`uid` + `UID`, for the fields auditd's ENRICHED
//! format interprets; with `--every-interpretation` for all), and with
//! `--sentence` the normalizer's sentence.
//!
//! ```text
//! au2json [--no-interpret] [--no-normalize] [--no-attrs] [FILE]
//! au2json --compact [--sentence] [--every-interpretation] [FILE]
//! ```
//!
//! The JSON is written straight to standard output as each event is
//! converted: memory stays within a small multiple of one event's size.
//!
//! With FILE it converts the file and exits. Without it reads standard input
//! for as long as it stays open, so it can run as an audispd plugin: when the
//! input stays idle for a second while events are open, they are aged by the
//! clock; at end of input everything is flushed; SIGTERM stops it after a
//! flush; SIGHUP asks for a reload (it has no configuration, so it only says
//! so on standard error). Lines that are not records are reported on
//! standard error.
use audit_interpret::json::{CompactOptions, JsonOptions, JsonWriter};
use audit_interpret::normalize::{NormalizeContext, NormalizeOptions};
use audit_parse::{Options, Parser};
use std::io::{self, Read, Write};
use std::process::ExitCode;

#[path = "common/plugin.rs"]
mod plugin;

struct Writer {
    ctx: NormalizeContext,
    opts: JsonOptions,
    /// The compact schema's options, when it is the one written.
    compact: Option<CompactOptions>,
    json: JsonWriter,
    out: io::BufWriter<io::Stdout>,
}

impl Writer {
    fn drain(&mut self, parser: &mut Parser) -> io::Result<()> {
        while let Some(item) = parser.next_event() {
            match item {
                Ok(ev) => match &self.compact {
                    Some(c) => self
                        .json
                        .write_compact(&mut self.out, &ev, &mut self.ctx, c)?,
                    None => self
                        .json
                        .write_event(&mut self.out, &ev, &mut self.ctx, &self.opts)?,
                },
                Err(e) => eprintln!("au2json: {e}"),
            }
        }
        self.out.flush()
    }
}

fn main() -> ExitCode {
    let mut opts = JsonOptions::default();
    let mut file = None;
    let mut compact = None;
    let mut sentence = false;
    let mut every = false;
    let mut lossless_only = false;
    for a in std::env::args().skip(1) {
        lossless_only |= a.starts_with("--no-");
        match a.as_str() {
            "--compact" => compact = Some(CompactOptions::default()),
            "--sentence" => sentence = true,
            "--every-interpretation" => every = true,
            "--no-interpret" => opts.interpretations = false,
            "--no-normalize" => opts.normalized = None,
            "--no-attrs" => opts.normalized = Some(NormalizeOptions::NoAttributes),
            s if s.starts_with('-') && s != "-" => {
                return usage();
            }
            _ => file = Some(a),
        }
    }
    match &mut compact {
        Some(_) if lossless_only => return usage(),
        Some(c) => {
            c.sentence = sentence;
            c.every_interpretation = every;
        }
        None if sentence || every => return usage(),
        None => {}
    }
    let mut w = Writer {
        ctx: NormalizeContext::default(),
        opts,
        compact,
        json: JsonWriter::new(),
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

fn usage() -> ExitCode {
    eprintln!(
        "usage: au2json [--no-interpret] [--no-normalize] [--no-attrs] [FILE]\n       \
         au2json --compact [--sentence] [--every-interpretation] [FILE]"
    );
    ExitCode::from(2)
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
