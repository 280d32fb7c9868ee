//! `au2json`: audit events as JSON Lines, one event per line (see
//! `audit_normalize::json` for both schemas). By default losing nothing:
//! every record's text, its fields in order with typed numbers and
//! interpretations, and the normalizer's view. With `--compact`, for
//! shipping to a log pipeline: records keyed by type, fields as strings and
//! numbers, decoded text, `argv` as an array, interpretations beside raw
//! values where they differ (`uid` + `UID`, for the fields auditd's ENRICHED
//! format interprets; with `--every-interpretation` for all), and with
//! `--sentence` the normalizer's sentence.
//!
//! ```text
//! au2json [--no-interpret] [--no-normalize] [--no-attrs] [RUNTIME OPTIONS] [FILE]
//! au2json --compact [--sentence] [--every-interpretation] [RUNTIME OPTIONS] [FILE]
//! ```
//!
//! The JSON is written straight to standard output as each event is
//! converted: memory stays within a small multiple of one event's size.
//!
//! It runs on the `audit-plugin` runtime, whichever its input: with FILE it
//! converts the file and exits; without it (or with `-`) it reads standard
//! input for as long as it stays open, so it can run as an audispd plugin
//! (see `examples/plugins.d/au2json.conf`). The runtime's options apply:
//! `--format binary` reads the dispatcher's binary format, and `--queue-file`,
//! `--overflow`, `--status-file`, ... as for the other plugins. Unless
//! `--overflow` says otherwise, a full queue makes the reader wait, so that
//! no record is dropped. When the input stays idle for a second while events
//! are open, they are aged by the clock; at end of input everything is
//! flushed; SIGTERM stops it after draining and a flush; SIGHUP asks for a
//! reload (it has no configuration, so it only says so on standard error);
//! SIGUSR1 writes the queue's metrics. Lines that are not records are
//! reported on standard error, and so are records the runtime dropped.
//!
//! The binary `au2json` is [`main`]; the example of the same name is an alias.
use audit_normalize::json::{CompactOptions, JsonOptions, JsonWriter};
use audit_normalize::{NormalizeContext, NormalizeOptions};
use audit_parse::Options;
use audit_plugin::{Error, Handler, HandlerResult, ItemRef, Overflow, Plugin};
use std::io::{self, Write};
use std::process::ExitCode;

/// Writes each complete event as one JSON line.
struct Converter<W> {
    ctx: NormalizeContext,
    opts: JsonOptions,
    /// The compact schema's options, when it is the one written.
    compact: Option<CompactOptions>,
    json: JsonWriter,
    out: W,
}

impl<W: Write> Handler for Converter<W> {
    fn event(&mut self, item: ItemRef<'_>) -> HandlerResult {
        match item {
            Ok(ev) => match &self.compact {
                Some(c) => self
                    .json
                    .write_compact(&mut self.out, ev, &mut self.ctx, c)?,
                None => self
                    .json
                    .write_event(&mut self.out, ev, &mut self.ctx, &self.opts)?,
            },
            Err(e) => eprintln!("au2json: {e}"),
        }
        Ok(())
    }

    /// Nothing more waiting: what was written goes out now (a plugin on a
    /// quiet system shows its last events at once).
    fn idle(&mut self) -> HandlerResult {
        self.out.flush()?;
        Ok(())
    }

    fn reload(&mut self) -> HandlerResult {
        eprintln!("au2json: reload requested (no configuration to reload)");
        Ok(())
    }
}

/// The program: [`run`] with the process's arguments.
pub fn main() -> ExitCode {
    match crate::text_args("au2json") {
        Ok(args) => run(args),
        Err(code) => code,
    }
}

/// The whole program with `args` (without the program's name): converts the file
/// (or standard input) to standard output and returns the exit status (2 for bad
/// arguments, 1 when records were not converted or the input could not be read).
pub fn run(args: Vec<String>) -> ExitCode {
    let (plugin, own) = match Plugin::split_args(args.iter().cloned()) {
        Ok(split) => split,
        Err(e) => {
            eprintln!("au2json: {e}");
            return usage();
        }
    };
    let overflow_given = args
        .iter()
        .any(|a| a == "--overflow" || a.starts_with("--overflow="));
    let mut opts = JsonOptions::default();
    let mut file = None;
    let mut compact = None;
    let mut sentence = false;
    let mut every = false;
    let mut lossless_only = false;
    for a in own {
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
            _ if file.is_some() => return usage(),
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
    let parser = Options::default();
    // The runtime would skip the lines the parser refuses as too long (and
    // count them); one byte more lets the parser see and report them.
    let max_line = parser.max_line_len.saturating_add(1);
    let mut plugin = plugin.parser_options(parser).max_record_len(max_line);
    if !overflow_given {
        plugin = plugin.overflow(Overflow::Block);
    }
    if let Some(path) = file.filter(|f| f != "-") {
        match std::fs::File::open(&path) {
            Ok(f) => plugin = plugin.input(f),
            Err(e) => {
                eprintln!("au2json: {path}: {e}");
                return ExitCode::from(1);
            }
        }
    }
    let stdout = io::stdout();
    let mut converter = Converter {
        ctx: NormalizeContext::default(),
        opts,
        compact,
        json: JsonWriter::new(),
        out: io::BufWriter::new(stdout.lock()),
    };
    match plugin.run(&mut converter) {
        Ok(outcome) => {
            let m = &outcome.metrics;
            if m.overflowed > 0 || m.too_long > 0 || m.abandoned > 0 {
                eprintln!(
                    "au2json: records not converted: {} dropped on a full queue, \
                     {} too long, {} left at stop",
                    m.overflowed, m.too_long, m.abandoned
                );
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(Error::Handler(e))
            if e.downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("au2json: {e}");
            ExitCode::from(1)
        }
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: au2json [--no-interpret] [--no-normalize] [--no-attrs] [RUNTIME OPTIONS] [FILE]\n       \
         au2json --compact [--sentence] [--every-interpretation] [RUNTIME OPTIONS] [FILE]\n\
         RUNTIME OPTIONS: --format string|binary, --overflow drop-newest|drop-oldest|block,\n\
         --capacity N, --queue-file PATH, --queue-file-max BYTES, --status-file PATH"
    );
    ExitCode::from(2)
}
