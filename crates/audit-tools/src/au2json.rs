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
//! reported on standard error with their line number and byte offset, and so
//! is a line longer than the parser's limit (4 MiB): the reader skips it
//! without holding it, and the lines after it keep their true positions.
//! Records the runtime dropped are counted at exit. Any of these makes the
//! exit status 1, as does a failed write (but for a closed pipe); bad
//! arguments are named, with exit status 2; `--help` prints the usage.
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
            Err(e) => crate::output::sayln!("au2json: {e}"),
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
        crate::output::sayln!("au2json: reload requested (no configuration to reload)");
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

/// What the command line asks for.
struct Request {
    plugin: Plugin,
    opts: JsonOptions,
    compact: Option<CompactOptions>,
    file: Option<String>,
}

/// The command line, or the message that says what is wrong with it (`None`:
/// `--help`).
fn parse_args(args: Vec<String>) -> Result<Request, Option<String>> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        return Err(None);
    }
    let (plugin, own) =
        Plugin::split_args(args.iter().cloned()).map_err(|e| Some(e.to_string()))?;
    let overflow_given = args
        .iter()
        .any(|a| a == "--overflow" || a.starts_with("--overflow="));
    let mut opts = JsonOptions::default();
    let mut file: Option<String> = None;
    let mut compact = None;
    let mut sentence = false;
    let mut every = false;
    // The first option of the lossless schema given, to name it if it conflicts.
    let mut lossless_only: Option<String> = None;
    for a in own {
        match a.as_str() {
            "--compact" => compact = Some(CompactOptions::default()),
            "--sentence" => sentence = true,
            "--every-interpretation" => every = true,
            "--no-interpret" => opts.interpretations = false,
            "--no-normalize" => opts.normalized = None,
            "--no-attrs" => opts.normalized = Some(NormalizeOptions::NoAttributes),
            s if s.starts_with('-') && s != "-" => {
                return Err(Some(format!("unknown option {s:?}")));
            }
            _ => {
                if let Some(first) = &file {
                    return Err(Some(format!(
                        "one input file only: {first:?} and then {a:?}"
                    )));
                }
                file = Some(a);
                continue;
            }
        }
        if a.starts_with("--no-") && lossless_only.is_none() {
            lossless_only = Some(a);
        }
    }
    if let (Some(_), Some(a)) = (&compact, &lossless_only) {
        return Err(Some(format!(
            "{a} is for the lossless schema: it does not go with --compact"
        )));
    }
    match &mut compact {
        Some(c) => {
            c.sentence = sentence;
            c.every_interpretation = every;
        }
        None if sentence || every => {
            let a = if sentence {
                "--sentence"
            } else {
                "--every-interpretation"
            };
            return Err(Some(format!("{a} needs --compact")));
        }
        None => {}
    }
    let parser = Options::default();
    // The runtime skips longer lines without holding them, and tells the parser
    // their length: the parser reports each at its line and offset.
    let max_line = parser.max_line_len;
    let mut plugin = plugin.parser_options(parser).max_record_len(max_line);
    if !overflow_given {
        plugin = plugin.overflow(Overflow::Block);
    }
    Ok(Request {
        plugin,
        opts,
        compact,
        file,
    })
}

/// The whole program with `args` (without the program's name): converts the file
/// (or standard input) to standard output and returns the exit status (0 after
/// `--help`, 2 for bad arguments, 1 when records were not converted, the input
/// could not be read or the output could not be written).
pub fn run(args: Vec<String>) -> ExitCode {
    let Request {
        mut plugin,
        opts,
        compact,
        file,
    } = match parse_args(args) {
        Ok(request) => request,
        Err(None) => {
            let mut out = io::stdout().lock();
            return match writeln!(out, "{USAGE}").and_then(|()| out.flush()) {
                // A closed standard output is the reader's choice: nothing to say.
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                    crate::output::sayln!("au2json: writing to standard output: {e}");
                    ExitCode::from(1)
                }
                _ => ExitCode::SUCCESS,
            };
        }
        Err(Some(why)) => {
            crate::output::sayln!("au2json: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(path) = file.filter(|f| f != "-") {
        match std::fs::File::open(&path) {
            Ok(f) => plugin = plugin.input(f),
            Err(e) => {
                crate::output::sayln!("au2json: {path}: {e}");
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
                crate::output::sayln!(
                    "au2json: records not converted: {} dropped on a full queue, \
                     {} too long, {} left at stop",
                    m.overflowed,
                    m.too_long,
                    m.abandoned
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
        // The converter's only failures are its writes.
        Err(Error::Handler(e)) if e.is::<io::Error>() => {
            crate::output::sayln!("au2json: writing to standard output: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            crate::output::sayln!("au2json: {e}");
            ExitCode::from(1)
        }
    }
}

/// How to call it.
const USAGE: &str = "\
usage: au2json [--no-interpret] [--no-normalize] [--no-attrs] [RUNTIME OPTIONS] [FILE]
       au2json --compact [--sentence] [--every-interpretation] [RUNTIME OPTIONS] [FILE]
       au2json --help
RUNTIME OPTIONS: --format string|binary, --binary-layout auto|padded|exact,
  --overflow drop-newest|drop-oldest|block, --capacity N, --queue-bytes BYTES,
  --queue-file PATH, --queue-file-max BYTES, --status-file PATH";
