//! The runtime of an audit dispatcher plugin, what libauplugin is to C plugins.
//!
//! ```no_run
//! use audit_plugin::{Handler, HandlerResult, ItemRef, Plugin};
//! struct Print;
//! impl Handler for Print {
//!     fn event(&mut self, item: ItemRef<'_>) -> HandlerResult {
//!         if let Ok(ev) = item { println!("event {} of {} records", ev.id(), ev.len()); }
//!         Ok(())
//!     }
//! }
//! fn main() -> Result<(), audit_plugin::Error> {
//!     Plugin::from_args(std::env::args().skip(1))?.run(&mut Print).map(drop)
//! }
//! ```
//!
//! That is a complete plugin: install it with a `plugins.d` file whose `args` say
//! `--format=binary` when its `format` is `binary`.
//!
//! auditd's dispatcher starts a plugin with the records on its stdin. [`Plugin::run`]
//! does the rest of what every plugin needs:
//!
//! - **Input** from stdin or any other reader (a socket, a pipe), in either format the
//!   dispatcher writes ([`Format`]): `string`, one record a line in any chunking, or
//!   `binary`, a 16-byte header then the payload. auditd 3.0.9 pads every binary
//!   payload to 8970 bytes, auditd 4.1 and later send exactly `size` bytes; both are
//!   read, and by default the layout is found from the stream ([`BinaryLayout`]).
//! - **A reader thread** that only reads, cuts records and enqueues them, and the
//!   worker (the thread that called `run`) that runs the [`Handler`]: a slow handler
//!   never makes the dispatcher wait on its pipe, until the queue is full.
//! - **A bounded queue**, in records ([`Plugin::capacity`]) and in bytes
//!   ([`Plugin::queue_bytes`], [`DEFAULT_QUEUE_BYTES`] = 32 MiB by default); when
//!   either is reached the [`Overflow`] policy drops the newest or the oldest records,
//!   or blocks the reader, and every dropped record is counted
//!   ([`Metrics::overflowed`]). A stuck handler thus costs at most the byte budget
//!   (plus one read, see [`Plugin::queue_bytes`]), whatever the records' sizes.
//!   With [`Delivery::Events`] the parser's open events are bounded too
//!   ([`DEFAULT_PARSER_BYTES`]): the records a plugin with the defaults holds come to
//!   at most 64 MiB (and a read and a partial line), and a stuck handler makes it
//!   drop records, not grow.
//! - **Optionally file-backed** ([`Plugin::queue_file`]): each record is written to the
//!   file before it is queued and marked done once handled; records not yet done when
//!   the plugin dies (killed, crashed) are handed out again, first, at its next start.
//!   That is *at least once*: a record handled just before the crash, or dropped by
//!   [`Overflow::DropOldest`], can come again. With [`Delivery::Events`] a record is
//!   done once no event is open in the parser after it was fed (or when the queue
//!   fills up), so that the records of an event still being assembled are replayed.
//!   The file's size stays under the given bound: live records may take half of it,
//!   past that the queue counts as full; the file is compacted when it would grow
//!   past the bound, and emptied whenever every record is done. The file survives the
//!   process, not the machine: it is not synced per record.
//! - **Records or events** ([`Delivery`]): [`Handler::record`] gets each record's line,
//!   or [`Handler::event`] gets each complete event from `audit_parse`'s feed parser,
//!   lent for the call. Each read of the input is fed to the parser in one call, so the
//!   events come out in the order `auparse_feed` would give for the same reads.
//! - **Timers**: when the input was quiet for [`Plugin::age_interval`], open events
//!   are aged by the wall clock (as `auparse_feed_age_events`), so that the last
//!   events of a quiet system come out; [`Handler::timer`] runs
//!   every [`Plugin::timer_interval`], and open events are flushed at the end.
//! - **Signals** (with `signal-hook`): SIGTERM stops the plugin once the queue is
//!   drained, or at [`Plugin::drain_deadline`] (what is left is counted in
//!   [`Metrics::abandoned`], and stays in the queue file if there is one); SIGHUP calls
//!   [`Handler::reload`]; SIGUSR1 writes the [`Metrics`] to the status file
//!   ([`Plugin::status_file`]) or to stderr.
//!
//! The end of the input (the dispatcher closed the pipe) also stops the plugin after
//! everything queued was handled.
#![deny(missing_docs)]

mod framing;
mod journal;
mod queue;

pub use audit_parse::{Event, ItemRef, Options, ParseError};
pub use framing::{
    BinaryLayout, Deframer, Format, FrameError, RecordSink, SkippedLine, HEADER_LEN, PADDED_PAYLOAD,
};

use journal::Journal;
use queue::{Chunk, Queue};
use signal_hook::consts::{SIGHUP, SIGTERM, SIGUSR1};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// What a handler's callback returns: an error stops the plugin (the record or event
/// it failed on is not marked done in a queue file).
pub type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// A plugin's callbacks. Each has a default that does nothing.
pub trait Handler {
    /// One record, its line without the newline ([`Delivery::Records`]).
    fn record(&mut self, line: &[u8]) -> HandlerResult {
        let _ = line;
        Ok(())
    }
    /// A `string` line skipped for being longer than [`Plugin::max_record_len`], in its
    /// place among the records ([`Delivery::Records`]; with [`Delivery::Events`] it
    /// comes to [`Handler::event`] as a [`ParseError`] of kind
    /// [`LineTooLong`](audit_parse::ErrorKind::LineTooLong) at its line and offset).
    /// By default only counted ([`Metrics::too_long`]).
    fn too_long(&mut self, skipped: &SkippedLine) -> HandlerResult {
        let _ = skipped;
        Ok(())
    }
    /// One complete event, or a line the parser could not use ([`Delivery::Events`]).
    fn event(&mut self, item: ItemRef<'_>) -> HandlerResult {
        let _ = item;
        Ok(())
    }
    /// SIGHUP: re-read the configuration.
    fn reload(&mut self) -> HandlerResult {
        Ok(())
    }
    /// Every [`Plugin::timer_interval`].
    fn timer(&mut self) -> HandlerResult {
        Ok(())
    }
    /// The queue ran empty after records were handled, and before the plugin stops:
    /// the time to flush buffered output (a handler that flushes per event spends a
    /// write per event on a busy system).
    fn idle(&mut self) -> HandlerResult {
        Ok(())
    }
}

/// What the handler is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Delivery {
    /// Each record ([`Handler::record`]).
    Records,
    /// Each complete event ([`Handler::event`]).
    #[default]
    Events,
}

/// What happens to records that arrive when the queue is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overflow {
    /// The arriving records are dropped (and counted).
    #[default]
    DropNewest,
    /// The oldest queued records not yet taken by the worker are dropped (and
    /// counted) to make room. The records of one read share a buffer, freed with
    /// the last of them: room in bytes is made a read at a time.
    DropOldest,
    /// The reader waits for room: the dispatcher's pipe fills, and auditd's own
    /// queue takes the pressure.
    Block,
}

/// Counters of the queue, as SIGUSR1 writes them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// Records queued or being handled now.
    pub depth: usize,
    /// The largest depth seen.
    pub max_depth: usize,
    /// Bytes the queued records and the batch being handled hold now (their
    /// buffers, as [`Plugin::queue_bytes`] counts them).
    pub bytes: usize,
    /// The most bytes held at once.
    pub max_bytes: usize,
    /// Records dropped because the queue was full.
    pub overflowed: u64,
    /// Records handled (given to the handler, or fed to the parser); a skipped
    /// too-long line counts here too, as it is handed on in its place.
    pub handled: u64,
    /// Records handed out again from the queue file at start.
    pub replayed: u64,
    /// String lines skipped for being longer than [`Plugin::max_record_len`].
    pub too_long: u64,
    /// Records left in the queue when the drain deadline passed.
    pub abandoned: u64,
    /// [`Delivery::Events`]: events the parser completed early because its open
    /// events reached [`Options::max_bytes_in_flight`] or
    /// [`Options::max_events_in_flight`] (`audit_parse::Stats::evicted`).
    pub evicted: u64,
}

impl std::fmt::Display for Metrics {
    /// One `name=value` a line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "depth={}", self.depth)?;
        writeln!(f, "max_depth={}", self.max_depth)?;
        writeln!(f, "bytes={}", self.bytes)?;
        writeln!(f, "max_bytes={}", self.max_bytes)?;
        writeln!(f, "overflowed={}", self.overflowed)?;
        writeln!(f, "handled={}", self.handled)?;
        writeln!(f, "replayed={}", self.replayed)?;
        writeln!(f, "too_long={}", self.too_long)?;
        writeln!(f, "abandoned={}", self.abandoned)?;
        writeln!(f, "evicted={}", self.evicted)
    }
}

/// Why [`Plugin::run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The input ended (the dispatcher closed it).
    EndOfInput,
    /// SIGTERM.
    Terminated,
}

/// What [`Plugin::run`] returns when it ends normally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Why it stopped.
    pub reason: StopReason,
    /// The queue's counters at the end.
    pub metrics: Metrics,
}

/// Errors of the runtime.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the input failed.
    #[error("reading the plugin's input: {0}")]
    Read(#[source] io::Error),
    /// The binary stream is malformed.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The queue file could not be opened, written or read.
    #[error("queue file {path}: {source}")]
    QueueFile {
        /// The file.
        path: PathBuf,
        /// What failed.
        #[source]
        source: io::Error,
    },
    /// The status file could not be written.
    #[error("status file {path}: {source}")]
    StatusFile {
        /// The file.
        path: PathBuf,
        /// What failed.
        #[source]
        source: io::Error,
    },
    /// The signal handlers could not be installed.
    #[error("installing the signal handlers: {0}")]
    Signals(#[source] io::Error),
    /// The reader thread could not be started.
    #[error("starting the reader thread: {0}")]
    Thread(#[source] io::Error),
    /// A handler callback failed.
    #[error("plugin handler: {0}")]
    Handler(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A command-line argument is not understood.
    #[error("argument {arg:?}: {why}")]
    Argument {
        /// The argument.
        arg: String,
        /// What is wrong with it.
        why: &'static str,
    },
}

/// The default of [`Plugin::queue_bytes`]: 32 MiB, room for about 3400 records of the
/// largest size auditd sends ([`PADDED_PAYLOAD`] bytes and their `type=NAME msg=`), or
/// for the default 65536 records at about 400 bytes each, about what a quiet system's
/// reads carry (a record each, with its buffer).
pub const DEFAULT_QUEUE_BYTES: usize = 32 << 20;

/// The bound the default [`Plugin::parser_options`] put on the bytes of the open
/// events' records ([`Options::max_bytes_in_flight`]): 32 MiB, as the queue's, rather
/// than the parser's own 256 MiB. auditd's events complete within a few records of
/// each other, so open events hold far less on a real system; a stream that leaves
/// events open without end gets its oldest completed early, counted in
/// [`Metrics::evicted`].
pub const DEFAULT_PARSER_BYTES: usize = 32 << 20;

/// The default of [`Plugin::max_record_len`]: 16 KiB. auditd's dispatcher never
/// writes a longer record: a payload is at most [`PADDED_PAYLOAD`] (libaudit's
/// `MAX_AUDIT_MESSAGE_LENGTH`, 8970) bytes, and the string format adds `type=NAME
/// msg=` before it (an older audispd also `node=NAME `), a few hundred bytes at most.
pub const DEFAULT_MAX_RECORD_LEN: usize = 16 << 10;

/// The options [`Plugin::split_args`] knows.
const KNOWN: [&str; 8] = [
    "--format",
    "--binary-layout",
    "--queue-file",
    "--queue-file-max",
    "--capacity",
    "--queue-bytes",
    "--overflow",
    "--status-file",
];

/// A plugin's settings; [`Plugin::run`] runs it.
pub struct Plugin {
    input: Box<dyn Read + Send>,
    format: Format,
    layout: BinaryLayout,
    delivery: Delivery,
    capacity: usize,
    queue_bytes: usize,
    overflow: Overflow,
    queue_file: Option<(PathBuf, u64)>,
    read_size: usize,
    max_record_len: usize,
    age_interval: Duration,
    timer_interval: Option<Duration>,
    drain_deadline: Duration,
    status_file: Option<PathBuf>,
    parser: Options,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("format", &self.format)
            .field("layout", &self.layout)
            .field("delivery", &self.delivery)
            .field("capacity", &self.capacity)
            .field("queue_bytes", &self.queue_bytes)
            .field("overflow", &self.overflow)
            .field("queue_file", &self.queue_file)
            .finish_non_exhaustive()
    }
}

impl Default for Plugin {
    fn default() -> Self {
        Plugin::new()
    }
}

impl Plugin {
    /// Reads `string` records from stdin, delivers events, a queue of 65536 records
    /// and [`DEFAULT_QUEUE_BYTES`] dropping the newest on overflow, records of at most
    /// [`DEFAULT_MAX_RECORD_LEN`], ageing every second, 5 seconds to drain.
    pub fn new() -> Plugin {
        Plugin {
            input: Box::new(io::stdin()),
            format: Format::String,
            layout: BinaryLayout::Auto,
            delivery: Delivery::Events,
            capacity: 65536,
            queue_bytes: DEFAULT_QUEUE_BYTES,
            overflow: Overflow::DropNewest,
            queue_file: None,
            read_size: PADDED_PAYLOAD,
            max_record_len: DEFAULT_MAX_RECORD_LEN,
            age_interval: Duration::from_secs(1),
            timer_interval: None,
            drain_deadline: Duration::from_secs(5),
            status_file: None,
            parser: Options::default().max_bytes_in_flight(DEFAULT_PARSER_BYTES),
        }
    }

    /// Settings from a plugin's arguments (its `args` in `plugins.d`): `--format
    /// string|binary`, `--binary-layout auto|padded|exact`, `--queue-file PATH`,
    /// `--queue-file-max BYTES`, `--capacity N`, `--queue-bytes BYTES`, `--overflow
    /// drop-newest|drop-oldest|block`, `--status-file PATH`. Other arguments are an
    /// error; use [`Plugin::split_args`] to keep your own.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Plugin, Error> {
        let (plugin, rest) = Plugin::split_args(args)?;
        match rest.into_iter().next() {
            Some(arg) => Err(Error::Argument {
                arg,
                why: "not an option of the plugin runtime",
            }),
            None => Ok(plugin),
        }
    }

    /// As [`Plugin::from_args`], but arguments it does not know are returned, in order.
    /// Each option may also be written `--name=value`.
    pub fn split_args(
        args: impl IntoIterator<Item = String>,
    ) -> Result<(Plugin, Vec<String>), Error> {
        let mut p = Plugin::new();
        let mut rest = Vec::new();
        // auditd 3.0.9 passes at most two arguments (its `args` line holds two words):
        // `--name=value` makes one of an option and its value.
        let mut args = args.into_iter().flat_map(|a| match a.split_once('=') {
            Some((name, value)) if name.starts_with("--") && KNOWN.contains(&name) => {
                vec![name.to_owned(), value.to_owned()]
            }
            _ => vec![a],
        });
        let mut queue_max = 64 << 20;
        let mut queue_path = None;
        while let Some(arg) = args.next() {
            let mut value = |why| {
                args.next().ok_or(Error::Argument {
                    arg: arg.clone(),
                    why,
                })
            };
            let bad = |arg: &str, why| Error::Argument {
                arg: arg.to_owned(),
                why,
            };
            match arg.as_str() {
                "--format" => {
                    p.format = match value("needs string or binary")?.as_str() {
                        "string" => Format::String,
                        "binary" => Format::Binary,
                        v => return Err(bad(v, "format is string or binary")),
                    }
                }
                "--binary-layout" => {
                    p.layout = match value("needs auto, padded or exact")?.as_str() {
                        "auto" => BinaryLayout::Auto,
                        "padded" => BinaryLayout::Padded,
                        "exact" => BinaryLayout::Exact,
                        v => return Err(bad(v, "binary layout is auto, padded or exact")),
                    }
                }
                "--queue-file" => queue_path = Some(PathBuf::from(value("needs a path")?)),
                "--queue-file-max" => {
                    let v = value("needs a size in bytes")?;
                    queue_max = v.parse().map_err(|_| bad(&v, "not a size in bytes"))?;
                }
                "--capacity" => {
                    let v = value("needs a number of records")?;
                    p.capacity = v.parse().map_err(|_| bad(&v, "not a number of records"))?;
                }
                "--queue-bytes" => {
                    let v = value("needs a size in bytes")?;
                    let n: usize = v.parse().map_err(|_| bad(&v, "not a size in bytes"))?;
                    p = p.queue_bytes(n);
                }
                "--overflow" => {
                    p.overflow = match value("needs drop-newest, drop-oldest or block")?.as_str() {
                        "drop-newest" => Overflow::DropNewest,
                        "drop-oldest" => Overflow::DropOldest,
                        "block" => Overflow::Block,
                        v => return Err(bad(v, "overflow is drop-newest, drop-oldest or block")),
                    }
                }
                "--status-file" => p.status_file = Some(PathBuf::from(value("needs a path")?)),
                _ => rest.push(arg),
            }
        }
        if let Some(path) = queue_path {
            p = p.queue_file(path, queue_max);
        }
        Ok((p, rest))
    }

    /// Read from `input` instead of stdin (a socket, a pipe, a file).
    pub fn input(mut self, input: impl Read + Send + 'static) -> Self {
        self.input = Box::new(input);
        self
    }

    /// The input's format.
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// The layout of `binary` payloads.
    pub fn binary_layout(mut self, layout: BinaryLayout) -> Self {
        self.layout = layout;
        self
    }

    /// Records or events.
    pub fn delivery(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }

    /// Most records queued (and being handled) at once; at least 1.
    pub fn capacity(mut self, records: usize) -> Self {
        self.capacity = records.max(1);
        self
    }

    /// Most bytes the queued records (and the batch being handled) may hold at once;
    /// at least 1, default [`DEFAULT_QUEUE_BYTES`]. What is counted is the buffers
    /// themselves: each read's records in one buffer (with any room a read left that
    /// is not given back, at most an eighth more and 256 bytes) and 8 bytes per record
    /// for its end, and the read's slot in the queue (under 100 bytes). Whichever of
    /// this and [`Plugin::capacity`] is reached first makes the queue full for the
    /// [`Overflow`] policy. Outside it are the reader's buffer and a partial line
    /// ([`Plugin::read_size`] and [`Plugin::max_record_len`]), a read that alone
    /// exceeds the budget and is let in by [`Overflow::Block`] once the queue is
    /// empty, records replayed from a queue file (bounded by the file), and in
    /// [`Delivery::Events`] the parser's open events
    /// ([`Options::max_bytes_in_flight`]).
    pub fn queue_bytes(mut self, bytes: usize) -> Self {
        self.queue_bytes = bytes.max(1);
        self
    }

    /// What to do when the queue is full.
    pub fn overflow(mut self, policy: Overflow) -> Self {
        self.overflow = policy;
        self
    }

    /// Back the queue with the file at `path`, at most `max_bytes` long (see the
    /// crate docs: at-least-once delivery across crashes).
    pub fn queue_file(mut self, path: impl Into<PathBuf>, max_bytes: u64) -> Self {
        self.queue_file = Some((path.into(), max_bytes));
        self
    }

    /// Bytes asked for by each read of the input (default 8970, as the C examples).
    pub fn read_size(mut self, bytes: usize) -> Self {
        self.read_size = bytes.max(1);
        self
    }

    /// Longest record accepted; default [`DEFAULT_MAX_RECORD_LEN`] (16 KiB), over
    /// what auditd's dispatcher ever sends. A longer `string` line is skipped (its
    /// bytes are not kept), counted ([`Metrics::too_long`]) and reported in its place
    /// ([`Handler::too_long`], or with [`Delivery::Events`] a parse error naming its
    /// line and offset), a longer `binary` payload in the exact layout
    /// is an error ([`FrameError::PayloadTooLong`]). Raise it for another sender that
    /// writes longer records; the reader holds up to this much of a partial line.
    pub fn max_record_len(mut self, bytes: usize) -> Self {
        self.max_record_len = bytes.max(1);
        self
    }

    /// How long the input must be quiet before open events are aged by the wall
    /// clock, and then how often (default 1 s).
    pub fn age_interval(mut self, every: Duration) -> Self {
        self.age_interval = every.max(Duration::from_millis(1));
        self
    }

    /// Call [`Handler::timer`] this often.
    pub fn timer_interval(mut self, every: Duration) -> Self {
        self.timer_interval = Some(every.max(Duration::from_millis(1)));
        self
    }

    /// How long SIGTERM waits for the queue to drain (default 5 s).
    pub fn drain_deadline(mut self, deadline: Duration) -> Self {
        self.drain_deadline = deadline;
        self
    }

    /// Where SIGUSR1 writes the metrics (replacing the file); stderr without one.
    pub fn status_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.status_file = Some(path.into());
        self
    }

    /// The event parser's settings; by default the parser's defaults but for
    /// [`Options::max_bytes_in_flight`], [`DEFAULT_PARSER_BYTES`].
    pub fn parser_options(mut self, options: Options) -> Self {
        self.parser = options;
        self
    }

    /// Run until the input ends or SIGTERM, calling `handler` on the worker (this
    /// thread). The reader thread is left blocked on its input if it is still open
    /// when this returns (SIGTERM): the process is expected to exit.
    pub fn run(self, handler: &mut impl Handler) -> Result<Outcome, Error> {
        let (journal, replay) = match &self.queue_file {
            Some((path, max)) => {
                let (j, replay) = Journal::open(path, *max).map_err(|source| Error::QueueFile {
                    path: path.clone(),
                    source,
                })?;
                (Some(j), replay)
            }
            None => (None, Vec::new()),
        };
        let queue = Arc::new(Queue::new(
            self.capacity,
            self.queue_bytes,
            self.overflow,
            journal,
        ));
        queue.replay(replay);

        let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGUSR1])
            .map_err(Error::Signals)?;
        let signal_handle = signals.handle();
        let q = Arc::clone(&queue);
        std::thread::Builder::new()
            .name("plugin-signals".into())
            .spawn(move || {
                for sig in signals.forever() {
                    q.note_signal(|p| match sig {
                        SIGTERM => p.term = true,
                        SIGHUP => p.hup = true,
                        _ => p.usr1 = true,
                    });
                }
            })
            .map_err(Error::Thread)?;

        let q = Arc::clone(&queue);
        let mut input = self.input;
        let mut deframer = Deframer::new(self.format, self.layout, self.max_record_len);
        let read_size = self.read_size;
        std::thread::Builder::new()
            .name("plugin-reader".into())
            .spawn(move || {
                let mut buf = vec![0u8; read_size];
                // Room for a full read (the queue gives back what a short read leaves).
                let fresh = || Chunk::with_capacity(read_size + 256, read_size / 128 + 1);
                let mut lines = fresh();
                let end = loop {
                    match input.read(&mut buf) {
                        Ok(0) => break deframer.finish(&mut lines).err().map(Error::Frame),
                        Ok(n) => {
                            let framed = deframer.push(&buf[..n], &mut lines);
                            q.note_too_long(deframer.too_long());
                            if let Err(e) = q.push(std::mem::replace(&mut lines, fresh())) {
                                break Some(e);
                            }
                            if let Err(e) = framed {
                                break Some(Error::Frame(e));
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => break Some(Error::Read(e)),
                    }
                };
                let pushed = q.push(lines);
                q.close(end.or(pushed.err()));
            })
            .map_err(Error::Thread)?;

        let mut worker = Worker {
            queue: &queue,
            delivery: self.delivery,
            parser: audit_parse::Parser::new(self.parser),
            status_file: self.status_file,
            handler,
            uncommitted: None,
        };
        let result = worker.run(self.age_interval, self.timer_interval, self.drain_deadline);
        signal_handle.close();
        result
    }
}

struct Worker<'a, H> {
    queue: &'a Queue,
    delivery: Delivery,
    parser: audit_parse::Parser,
    status_file: Option<PathBuf>,
    handler: &'a mut H,
    /// Events mode: one past the last sequence number fed to the parser and not yet
    /// committed (its event may still be open).
    uncommitted: Option<u64>,
}

fn wall_seconds() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl<H: Handler> Worker<'_, H> {
    fn run(
        &mut self,
        age_every: Duration,
        timer_every: Option<Duration>,
        drain: Duration,
    ) -> Result<Outcome, Error> {
        let mut next_age = Instant::now() + age_every;
        let mut next_timer = timer_every.map(|d| Instant::now() + d);
        let mut stop_at: Option<Instant> = None;
        let reason = loop {
            let now = Instant::now();
            let mut wake = next_age;
            if let Some(t) = next_timer {
                wake = wake.min(t);
            }
            if let Some(s) = stop_at {
                wake = wake.min(s);
            }
            let taken = self.queue.take(wake.saturating_duration_since(now));
            if taken.signals.hup {
                self.handler.reload().map_err(Error::Handler)?;
            }
            if taken.signals.usr1 {
                self.write_status()?;
            }
            if taken.signals.term && stop_at.is_none() {
                stop_at = Some(Instant::now() + drain);
            }
            if !taken.batch.is_empty() {
                self.handle(taken.batch)?;
                if self.queue.is_empty() {
                    self.handler.idle().map_err(Error::Handler)?;
                }
                // Ageing is for a quiet input: a log read in a hurry is not aged.
                next_age = Instant::now() + age_every;
            }
            // The queue filled up: what was fed is done even if its event is still
            // open, so that the queue file makes room (its records would otherwise
            // wait for the event to complete).
            if self.queue.take_pressure() && self.delivery == Delivery::Events {
                self.commit_if_idle(true)?;
            }
            let now = Instant::now();
            if now >= next_age {
                next_age = now + age_every;
                if self.delivery == Delivery::Events && self.parser.events_in_flight() > 0 {
                    self.parser.age_events(wall_seconds());
                    self.lend_ready()?;
                    self.commit_if_idle(false)?;
                    self.handler.idle().map_err(Error::Handler)?;
                }
            }
            if let (Some(t), Some(every)) = (next_timer, timer_every) {
                if now >= t {
                    next_timer = Some(now + every);
                    self.handler.timer().map_err(Error::Handler)?;
                }
            }
            if taken.finished {
                break StopReason::EndOfInput;
            }
            if let Some(s) = stop_at {
                if self.queue.is_empty() || now >= s {
                    break StopReason::Terminated;
                }
            }
        };
        if self.delivery == Delivery::Events {
            self.parser.flush();
            self.lend_ready()?;
            self.commit_if_idle(true)?;
        }
        self.handler.idle().map_err(Error::Handler)?;
        let mut metrics = self.metrics();
        metrics.abandoned = metrics.depth as u64;
        if let Some(e) = self.queue.take_reader_error() {
            return Err(e);
        }
        Ok(Outcome { reason, metrics })
    }

    /// Hand out the records of `batch`, and let go of it before the queue counts its
    /// bytes as free.
    fn handle(&mut self, batch: queue::Batch) -> Result<(), Error> {
        let next_seq = batch.next_seq();
        let (len, held) = (batch.len(), batch.held());
        match self.delivery {
            Delivery::Records => {
                let mut skipped = batch.skipped().peekable();
                for (i, line) in batch.lines().enumerate() {
                    match skipped.next_if(|(at, _, _)| *at == i) {
                        Some((_, _, s)) => self.handler.too_long(s),
                        None => self.handler.record(line),
                    }
                    .map_err(Error::Handler)?;
                }
                drop(skipped);
                drop(batch);
                self.queue.finish(len, held, next_seq)
            }
            Delivery::Events => {
                let handler = &mut *self.handler;
                let mut failed = None;
                let text = batch.text();
                // A skipped line's place is an empty line: the parser is told its
                // length instead, so that it reports it and the lines after it keep
                // their true line numbers and offsets.
                let mut at = 0;
                for (_, place, s) in batch.skipped() {
                    self.parser.feed_with_ref(&text[at..place], |item| {
                        if failed.is_none() {
                            failed = handler.event(item).err();
                        }
                    });
                    self.parser.skip_line(s.len, s.limit, &s.start);
                    at = place + 1;
                }
                self.parser.feed_with_ref(&text[at..], |item| {
                    if failed.is_none() {
                        failed = handler.event(item).err();
                    }
                });
                if let Some(e) = failed {
                    return Err(Error::Handler(e));
                }
                drop(batch);
                self.uncommitted = next_seq;
                self.queue.finish(len, held, None)?;
                self.commit_if_idle(false)
            }
        }
    }

    fn lend_ready(&mut self) -> Result<(), Error> {
        let handler = &mut *self.handler;
        let mut failed = None;
        self.parser.lend_ready(|item| {
            if failed.is_none() {
                failed = handler.event(item).err();
            }
        });
        failed.map_or(Ok(()), |e| Err(Error::Handler(e)))
    }

    /// Mark what was fed done once no event is open (or when `force`d).
    fn commit_if_idle(&mut self, force: bool) -> Result<(), Error> {
        if force || self.parser.events_in_flight() == 0 {
            if let Some(seq) = self.uncommitted.take() {
                self.queue.finish(0, 0, Some(seq))?;
            }
        }
        Ok(())
    }

    /// The queue's counters and the parser's.
    fn metrics(&self) -> Metrics {
        let mut metrics = self.queue.metrics();
        metrics.evicted = self.parser.stats().evicted;
        metrics
    }

    fn write_status(&self) -> Result<(), Error> {
        let text = self.metrics().to_string();
        match &self.status_file {
            Some(path) => {
                write_replacing(path, text.as_bytes()).map_err(|source| Error::StatusFile {
                    path: path.clone(),
                    source,
                })
            }
            None => {
                let _ = io::stderr().write_all(text.as_bytes());
                Ok(())
            }
        }
    }
}

/// Write `data` to a new file beside `path` and rename it over `path`, so a reader
/// never sees half of it.
fn write_replacing(path: &Path, data: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, data)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[derive(Default)]
    struct Collect {
        records: Vec<String>,
        events: Vec<String>,
    }

    impl Handler for Collect {
        fn record(&mut self, line: &[u8]) -> HandlerResult {
            self.records
                .push(String::from_utf8_lossy(line).into_owned());
            Ok(())
        }
        fn event(&mut self, item: ItemRef<'_>) -> HandlerResult {
            let ev = item?;
            self.events.push(format!("{} {}", ev.id(), ev.len()));
            Ok(())
        }
    }

    #[test]
    fn any_reader_records_and_events() {
        let text: &[u8] = b"type=SYSCALL msg=audit(5.000:1): syscall=59\n\
            type=USER_END msg=audit(6.000:2): pid=1\n\
            type=CWD msg=audit(5.000:1): cwd=\"/\"";
        let mut c = Collect::default();
        let out = Plugin::new()
            .input(text)
            .read_size(7)
            .delivery(Delivery::Records)
            .run(&mut c)
            .unwrap();
        assert_eq!(out.reason, StopReason::EndOfInput);
        assert_eq!(out.metrics.handled, 3);
        assert_eq!(c.records.len(), 3);
        assert_eq!(c.records[2], "type=CWD msg=audit(5.000:1): cwd=\"/\"");
        let mut c = Collect::default();
        Plugin::new().input(text).run(&mut c).unwrap();
        // The first event is completed at the end; the second, complete when read,
        // waits for it (events come out in order).
        assert_eq!(c.events, ["5.000:1 2", "6.000:2 1"]);
        assert!(c.records.is_empty());
    }

    /// Records, skipped lines and parse errors with their places, in order.
    #[derive(Default)]
    struct Places(Vec<String>);

    impl Handler for Places {
        fn record(&mut self, line: &[u8]) -> HandlerResult {
            self.0.push(String::from_utf8_lossy(line).into_owned());
            Ok(())
        }
        fn too_long(&mut self, s: &SkippedLine) -> HandlerResult {
            self.0
                .push(format!("skipped {} {} {}", s.line, s.offset, s.len));
            Ok(())
        }
        fn event(&mut self, item: ItemRef<'_>) -> HandlerResult {
            match item {
                Ok(ev) => self.0.extend(
                    ev.iter()
                        .map(|r| format!("{} {} {}", ev.id(), r.line(), r.offset())),
                ),
                Err(e) => self
                    .0
                    .push(format!("error {} {} {:?}", e.line, e.offset, e.kind)),
            }
            Ok(())
        }
    }

    #[test]
    fn a_too_long_line_is_told_in_its_place() {
        let long = format!("type=SYSCALL msg=audit(5.000:2): a={}\n", "x".repeat(300));
        let text = format!(
            "type=USER_END msg=audit(5.000:1): pid=1\n{long}garbage\n{long}\
             type=USER_END msg=audit(6.000:3): pid=1\n"
        );
        let (l1, l2) = (40, 40 + long.len() as u64);
        let (l3, l4) = (l2 + 8, l2 + 8 + long.len() as u64);
        for read_size in [7, 100, 4096] {
            let mut records = Places::default();
            let out = Plugin::new()
                .input(std::io::Cursor::new(text.clone()))
                .read_size(read_size)
                .max_record_len(100)
                .delivery(Delivery::Records)
                .run(&mut records)
                .unwrap();
            assert_eq!(out.metrics.too_long, 2);
            assert_eq!(
                records.0,
                [
                    "type=USER_END msg=audit(5.000:1): pid=1".to_string(),
                    format!("skipped 2 {l1} {}", long.len() - 1),
                    "garbage".into(),
                    format!("skipped 4 {l3} {}", long.len() - 1),
                    "type=USER_END msg=audit(6.000:3): pid=1".into(),
                ],
                "read_size={read_size}"
            );
            let mut events = Places::default();
            Plugin::new()
                .input(std::io::Cursor::new(text.clone()))
                .read_size(read_size)
                .max_record_len(100)
                .run(&mut events)
                .unwrap();
            assert_eq!(
                events.0,
                [
                    "5.000:1 1 0".to_string(),
                    format!("error 2 {l1} LineTooLong {{ limit: 100 }}"),
                    format!("error 3 {l2} MissingType"),
                    format!("error 4 {l3} LineTooLong {{ limit: 100 }}"),
                    format!("6.000:3 5 {l4}"),
                ],
                "read_size={read_size}"
            );
        }
    }

    #[test]
    fn arguments_in_both_spellings() {
        let (p, rest) = Plugin::split_args(args(&[
            "--format=binary",
            "/etc/x.conf",
            "--overflow",
            "block",
            "--status-file=/run/s",
            "--queue-bytes=65536",
            "--other=1",
        ]))
        .unwrap();
        assert_eq!(p.format, Format::Binary);
        assert_eq!(p.queue_bytes, 65536);
        assert_eq!(p.overflow, Overflow::Block);
        assert_eq!(p.status_file.as_deref(), Some(Path::new("/run/s")));
        assert_eq!(rest, ["/etc/x.conf", "--other=1"]);
        assert!(matches!(
            Plugin::from_args(args(&["--format", "xml"])),
            Err(Error::Argument { .. })
        ));
        assert!(matches!(
            Plugin::from_args(args(&["--capacity"])),
            Err(Error::Argument { .. })
        ));
        assert!(Plugin::from_args(args(&["extra"])).is_err());
    }
}
