//! An audit daemon composed of the project's crates, run in place of auditd:
//! it registers as the kernel's audit daemon (audit-netlink), writes the log
//! (audit-log) and hands every record to the plugins (audit-dispatch). The
//! `audit-daemon` program is [`run_command_line`]; a program of one's own can
//! embed a [`Daemon`] and add to it with [`Daemon::add_hook`].
//!
//! ```no_run
//! use audit_tools::daemon::{Daemon, Messages, Options};
//!
//! let options = Options { foreground: true, ..Options::default() };
//! let daemon = Daemon::start(&options, Messages::stderr())?;
//! daemon.run()?; // until SIGTERM
//! # Ok::<(), audit_tools::daemon::DaemonError>(())
//! ```
//!
//! Signals, as auditd's: SIGTERM/SIGINT stop (after a grace period draining
//! the socket, so the kill's own record reaches the log); SIGHUP re-reads
//! `auditd.conf` (the writer's settings as auditd's reconfiguration takes
//! them, and `plugins.d`; the network listener's keys are read at start
//! only, see [`listen`]); SIGUSR1 rotates the logs; SIGUSR2 resumes logging
//! (and suspended plugins) after a suspension; SIGCONT writes the state report
//! ([`STATE_FILE`]). Each but SIGCONT writes a DAEMON_* record
//! naming the sender as the kernel reports it (AUDIT_SIGNAL_INFO). A start
//! that fails once the log is open (the daemon slot taken, `enabled` refused)
//! and a socket that fails write DAEMON_ABORT, as auditd's.

mod background;
pub mod listen;
mod messages;
mod options;
pub mod records;
mod state;

pub use messages::{Level, Messages};
pub use options::{Options, SetEnabled, UsageError};
pub use state::STATE_FILE;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use audit_dispatch::{Dispatcher, Payload, Settings};
use audit_log::{Formatter, LogConfig, LogError, LogFormat, LogWriter, OtherKey, ReadConfigError};
use audit_netlink::audit_wire::RecordType;
use audit_netlink::{AuditSocket, Direct, Incoming, Taken};
use records::{Identity, Sender};

/// How long records are still read after SIGTERM.
pub const GRACE: Duration = Duration::from_millis(500);
/// How long plugins have to take what is queued for them at exit.
pub const DRAIN: Duration = Duration::from_secs(5);
/// Records read before they are written with one `write`.
const BATCH: usize = 256;
/// How long a receive waits when nothing comes: signals and hooks are looked
/// at this often.
const IDLE: Duration = Duration::from_millis(200);
/// How long the daemon lets records gather in its socket after delivering
/// some, before it reads again. The kernel sends one record per datagram: a
/// reader that waits on an empty socket is woken (and wakes the log's and
/// each plugin's thread) once per record, at several times the CPU of the
/// record's own work. Lingering, a busy stream is read, logged and handed on
/// in batches, each record delayed by this at most; a record after a quiet
/// spell is delivered at once. The socket's large queue holds what comes
/// meanwhile (the kernel waits rather than losing records when it is full).
/// 20 ms rather than 10 halves the sleeps, writes and plugin wakes per
/// record of a busy stream; with `flush = incremental(_async)` a batch that
/// passes several multiples of `freq` gets one sync after its write (each
/// record on disk as soon after its write as with a sync per `freq`
/// records, with fewer syncs), at the cost of records waiting up to 20 ms
/// in the socket before they are written.
const LINGER: Duration = Duration::from_millis(20);

/// Why the daemon could not start or go on.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// `auditd.conf` could not be read, or a value in it is refused.
    #[error("{}: {problem}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line.
        problem: String,
    },
    /// The kernel refused a request, or the audit socket failed.
    #[error("{what}: {source}")]
    Netlink {
        /// What was being done.
        what: &'static str,
        /// The error.
        source: audit_netlink::Error,
    },
    /// The log could not be opened or closed.
    #[error(transparent)]
    Log(#[from] LogError),
    /// The plugin directory could not be read or a plugin started.
    #[error("{}: {source}", dir.display())]
    Plugins {
        /// `plugin_dir`.
        dir: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The signal handlers could not be installed.
    #[error("cannot install signal handlers: {0}")]
    Signals(std::io::Error),
}

/// `auditd.conf` as the daemon reads it.
#[derive(Debug, Clone)]
pub struct Config {
    /// The log writer's settings.
    pub log: LogConfig,
    /// The dispatcher's settings.
    pub dispatch: Settings,
    /// Keys neither takes (auditd's network keys among them), for an
    /// embedding program's own parts.
    pub others: Vec<OtherKey>,
}

impl Config {
    /// Reads `DIR/auditd.conf` as auditd does ([`audit_log::read_config_text`]:
    /// a regular file owned by root that others cannot write, through a symbolic
    /// link only with `follow_links`); unknown keys are told to `messages`, a
    /// bad value is an error naming its line. A missing file is told to
    /// `messages` too, and gives the defaults, as auditd goes on without one.
    pub fn read(
        dir: &Path,
        follow_links: bool,
        messages: &Messages,
    ) -> Result<Config, DaemonError> {
        let path = dir.join("auditd.conf");
        let err = |problem: String| DaemonError::Config {
            path: path.clone(),
            problem,
        };
        let text = match audit_log::read_config_text(&path, follow_links) {
            Ok(Some(text)) => text,
            Ok(None) => {
                messages.say(
                    Level::Warning,
                    &format!("{} does not exist: the defaults apply", path.display()),
                );
                String::new()
            }
            Err(ReadConfigError::Refused { problem, .. }) => return Err(err(problem.to_string())),
            Err(ReadConfigError::Io { source, .. }) => return Err(err(source.to_string())),
            Err(e) => return Err(err(e.to_string())),
        };
        let parsed = LogConfig::parse(&text).map_err(|e| err(e.to_string()))?;
        let mut dispatch = Settings::default();
        let mut others = Vec::new();
        for k in parsed.others {
            let taken = dispatch
                .apply(k.line, &k.key, &k.value)
                .map_err(|e| err(e.to_string()))?;
            if taken {
                continue;
            }
            if !k.known_to_auditd {
                messages.say(
                    Level::Warning,
                    &format!(
                        "{}:{}: unknown key {:?} ignored",
                        path.display(),
                        k.line,
                        k.key
                    ),
                );
            }
            others.push(k);
        }
        Ok(Config {
            log: parsed.config,
            dispatch,
            others,
        })
    }
}

/// Where records go: the log and the plugins. A part added to the daemon
/// (such as a network listener, through [`Daemon::add_hook`]) delivers its
/// records here.
#[derive(Debug)]
pub struct Sink {
    log: LogWriter,
    dispatcher: Dispatcher,
    messages: Arc<Messages>,
    /// The highest serial seen, for the daemon's own records.
    last_serial: u64,
    /// Records not logged since the log last took records (a suspension,
    /// a full disk): told once when it starts and once, with this count,
    /// when it ends.
    unlogged: u64,
    /// The lines the plugins get, when auditd would hand them formatted lines
    /// rather than the kernel's text ([`dispatch_formatter`]).
    formatter: Option<Formatter>,
    /// The formatted lines of a delivery, and where each ends.
    lines: Vec<u8>,
    ends: Vec<(RecordType, usize)>,
}

/// The formatter of the lines plugins get, as auditd chooses: a log format of
/// ENRICHED, or a node name, makes it hand each record to the dispatcher as
/// the line it logs (protocol version 1, with `node=` and the interpretations;
/// EOE included, though not logged); otherwise plugins get the kernel's text
/// (version 0). `None` for the latter.
fn dispatch_formatter(log: &LogConfig) -> Option<Formatter> {
    let node = log.node_name();
    (log.log_format == LogFormat::Enriched || node.is_some())
        .then(|| Formatter::new(log.log_format, node))
}

impl Sink {
    /// The log writer.
    pub fn log(&mut self) -> &mut LogWriter {
        &mut self.log
    }

    /// The dispatcher.
    pub fn dispatcher(&self) -> &Dispatcher {
        &self.dispatcher
    }

    /// The daemon's messages.
    pub fn messages(&self) -> &Messages {
        &self.messages
    }

    /// Logs (except EOE, which auditd leaves out of the log) and dispatches
    /// records given as (type, netlink payload `audit(…): text`), with one
    /// write for all of them. A failure is told to the messages (once for a
    /// run of batches the log refuses, then how many records it refused):
    /// a daemon goes on.
    pub fn deliver<'a>(&mut self, records: impl Iterator<Item = (RecordType, &'a [u8])> + Clone) {
        if self.formatter.is_some() {
            return self.deliver_formatted(records);
        }
        let logged = records.clone().filter(|(t, _)| *t != RecordType::EOE);
        let count = logged.clone().count() as u64;
        let written = self.log.write_records(logged);
        self.note_logged(written, count);
        // Handed on together: each plugin's thread is woken once for them.
        let texts: Vec<(RecordType, &[u8])> = records.collect();
        self.dispatch(Payload::Raw, &texts);
    }

    /// [`Sink::deliver`] where plugins get formatted lines: each record is
    /// formatted once, for the log and the plugins.
    fn deliver_formatted<'a>(&mut self, records: impl Iterator<Item = (RecordType, &'a [u8])>) {
        let (mut lines, mut ends) = (
            std::mem::take(&mut self.lines),
            std::mem::take(&mut self.ends),
        );
        lines.clear();
        ends.clear();
        if let Some(formatter) = self.formatter.as_mut() {
            for (rtype, payload) in records {
                formatter.format_into(rtype, payload, &mut lines);
                ends.push((rtype, lines.len()));
            }
        }
        let starts = std::iter::once(0).chain(ends.iter().map(|&(_, end)| end));
        let each: Vec<(RecordType, &[u8])> = starts
            .zip(&ends)
            .map(|(start, &(rtype, end))| (rtype, &lines[start..end]))
            .collect();
        let logged: Vec<&[u8]> = each
            .iter()
            .filter(|(t, _)| *t != RecordType::EOE)
            .map(|&(_, line)| line)
            .collect();
        let count = logged.len() as u64;
        // The formatter's lines are one record each, as write_lines wants them.
        let written = self.log.write_lines(&logged);
        self.note_logged(written, count);
        let texts: Vec<(RecordType, &[u8])> = each
            .iter()
            .map(|&(rtype, line)| (rtype, line.strip_suffix(b"\n").unwrap_or(line)))
            .collect();
        self.dispatch(Payload::Formatted, &texts);
        drop(each);
        // A burst's buffers are not kept.
        if lines.capacity() <= 1 << 20 {
            (self.lines, self.ends) = (lines, ends);
        }
    }

    /// Hands records to the plugins together (each plugin's thread is woken
    /// once for them); a refusal is told to the messages.
    fn dispatch(&mut self, payload: Payload, texts: &[(RecordType, &[u8])]) {
        for e in self.dispatcher.dispatch_texts(payload, texts) {
            self.messages
                .say(Level::Error, &format!("record not dispatched: {e}"));
        }
    }

    /// Tells the messages what became of `count` records given to the log.
    fn note_logged(&mut self, written: Result<usize, LogError>, count: u64) {
        match written {
            Ok(_) if self.unlogged > 0 => {
                self.messages.say(
                    Level::Warning,
                    &format!(
                        "logging again: {} records were not logged",
                        std::mem::take(&mut self.unlogged)
                    ),
                );
            }
            Ok(_) => {}
            Err(e) => {
                if self.unlogged == 0 && count > 0 {
                    self.messages.say(
                        Level::Error,
                        &format!("records not logged: {e} (told again when logging works)"),
                    );
                }
                self.unlogged += count;
            }
        }
    }

    fn deliver_batch(&mut self, batch: &mut Batch) {
        if batch.is_empty() {
            return;
        }
        self.last_serial = self.last_serial.max(batch.last_serial);
        self.deliver(batch.records());
        batch.clear();
    }

    /// Writes one of the daemon's own records (`audit(now:serial): text`) and
    /// hands it to the plugins.
    pub fn own_record(&mut self, rtype: RecordType, text: &str) {
        self.last_serial += 1;
        let payload = format!("{}: {text}", records::stamp(self.last_serial));
        self.deliver(std::iter::once((rtype, payload.as_bytes())));
    }

    /// Tells the messages what the writer and the dispatcher reported.
    fn collect_notices(&mut self) {
        for n in self.log.take_notices() {
            self.messages.say(Level::Warning, &format!("log: {n:?}"));
        }
        for n in self.dispatcher.notices() {
            self.messages.say(Level::Warning, &n.to_string());
        }
    }
}

/// The kernel's records read since the last delivery, their payloads back
/// to back in one buffer: taken straight from the socket's receive buffers,
/// with one copy and no allocation of their own.
#[derive(Debug, Default)]
struct Batch {
    bytes: Vec<u8>,
    /// Each record's type and where its payload ends in `bytes`.
    records: Vec<(RecordType, usize)>,
    /// The highest serial among them.
    last_serial: u64,
    /// Reads the records' serials (once per event: its records share the stamp).
    serials: audit_parse::record::SerialReader,
}

impl Batch {
    fn len(&self) -> usize {
        self.records.len()
    }

    fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Adds a record as the kernel sent it (trailing NULs and newlines
    /// removed, as audit-netlink's `RawRecord` removes them).
    fn push(&mut self, record_type: RecordType, payload: &[u8]) {
        let p = audit_parse::record::trim_kernel_payload(payload);
        if let Some(s) = self.serials.serial(p) {
            self.last_serial = self.last_serial.max(s);
        }
        self.bytes.extend_from_slice(p);
        self.records.push((record_type, self.bytes.len()));
    }

    fn records(&self) -> impl Iterator<Item = (RecordType, &[u8])> + Clone {
        let starts = std::iter::once(0).chain(self.records.iter().map(|&(_, end)| end));
        starts
            .zip(&self.records)
            .map(|(start, &(t, end))| (t, &self.bytes[start..end]))
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.records.clear();
        self.last_serial = 0;
        // A burst of long records' buffer is not kept.
        if self.bytes.capacity() > 4 << 20 {
            self.bytes = Vec::new();
        }
    }
}

/// Called by the daemon each time its socket is drained (at least every
/// 200 ms): an added part's chance to deliver records to the [`Sink`].
pub type Hook = Box<dyn FnMut(&mut Sink) + Send>;

/// The signals the daemon acts on, set by their handlers.
#[derive(Debug, Default)]
struct Flags {
    stop: Arc<AtomicBool>,
    hup: Arc<AtomicBool>,
    usr1: Arc<AtomicBool>,
    usr2: Arc<AtomicBool>,
    cont: Arc<AtomicBool>,
}

impl Flags {
    fn install() -> Result<Flags, DaemonError> {
        let f = Flags::default();
        for (sig, flag) in [
            (signal_hook::consts::SIGTERM, &f.stop),
            (signal_hook::consts::SIGINT, &f.stop),
            (signal_hook::consts::SIGHUP, &f.hup),
            (signal_hook::consts::SIGUSR1, &f.usr1),
            (signal_hook::consts::SIGUSR2, &f.usr2),
            (signal_hook::consts::SIGCONT, &f.cont),
        ] {
            signal_hook::flag::register(sig, Arc::clone(flag)).map_err(DaemonError::Signals)?;
        }
        Ok(f)
    }

    fn any(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
            || self.hup.load(Ordering::Relaxed)
            || self.usr1.load(Ordering::Relaxed)
            || self.usr2.load(Ordering::Relaxed)
            || self.cont.load(Ordering::Relaxed)
    }
}

/// A running audit daemon: registered, logging, dispatching. See the
/// [module](self) documentation.
pub struct Daemon {
    sock: AuditSocket,
    sink: Sink,
    options: Options,
    identity: Identity,
    flags: Flags,
    hooks: Vec<Hook>,
}

impl std::fmt::Debug for Daemon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Daemon")
            .field("options", &self.options)
            .field("sink", &self.sink)
            .field("hooks", &self.hooks.len())
            .finish_non_exhaustive()
    }
}

impl Daemon {
    /// Starts as auditd does: reads the configuration, opens the log, starts
    /// the plugins, writes DAEMON_START, registers with the kernel and sets
    /// `enabled` as `-s` says.
    pub fn start(options: &Options, messages: Messages) -> Result<Daemon, DaemonError> {
        let messages = Arc::new(messages);
        let config = Config::read(&options.config_dir, options.follow_links, &messages)?;
        // The network listener's keys; local_events = no leaves the kernel alone.
        let listen = listen::settings(&options.config_dir, &config)?;
        let options = &listen::effective_options(options, &listen);
        let format = format!("{:?}", config.log.log_format).to_lowercase();
        let flags = Flags::install()?;

        let sock = AuditSocket::open().map_err(|source| DaemonError::Netlink {
            what: "cannot open the audit socket",
            source,
        })?;
        // A large queue: the kernel waits, rather than losing records, when it is full.
        if sock.set_recv_buffer_size(8 << 20, true).is_err() {
            let _ = sock.set_recv_buffer_size(8 << 20, false);
        }
        let formatter = dispatch_formatter(&config.log);
        let log = LogWriter::open(config.log)?;
        let dir = config.dispatch.plugin_dir.clone();
        let dispatcher = Dispatcher::start(config.dispatch)
            .map_err(|source| DaemonError::Plugins { dir, source })?;
        let mut d = Daemon {
            sock,
            sink: Sink {
                log,
                dispatcher,
                messages,
                last_serial: 0,
                unlogged: 0,
                formatter,
                lines: Vec::new(),
                ends: Vec::new(),
            },
            options: options.clone(),
            identity: Identity::current(),
            flags,
            hooks: Vec::new(),
        };
        if let Some(l) = listen::Listener::start(&options.config_dir, &listen, &mut d.sink)? {
            d.add_hook(l.into_hook());
        }
        let start = d.identity.start(
            env!("CARGO_PKG_VERSION"),
            &format,
            &rustix::system::uname().release().to_string_lossy(),
        );
        // Registered before DAEMON_START is written: whoever waits for it may
        // send records at once. A failure writes DAEMON_START and DAEMON_ABORT,
        // as auditd's log shows it.
        if let Err(source) = listen::register(&mut d.sock, &listen) {
            d.abort_start(&start, "set-pid");
            return Err(DaemonError::Netlink {
                what: "cannot register as the audit daemon",
                source,
            });
        }
        if options.set_enabled != SetEnabled::NoChange {
            if let Err(source) = d
                .sock
                .set_enabled(options.set_enabled == SetEnabled::Enable)
            {
                d.abort_start(&start, "set-enable");
                let _ = d.sock.unregister_daemon();
                return Err(DaemonError::Netlink {
                    what: "cannot set the initial audit state",
                    source,
                });
            }
        }
        d.sink.own_record(RecordType::DAEMON_START, &start);
        d.say(
            Level::Notice,
            &format!(
                "init complete, audit-daemon {} listening for events (startup state {})",
                env!("CARGO_PKG_VERSION"),
                match options.set_enabled {
                    SetEnabled::Enable => "enable",
                    SetEnabled::Disable => "disable",
                    SetEnabled::NoChange => "nochange",
                }
            ),
        );
        d.sink.collect_notices();
        Ok(d)
    }

    /// A start that failed at `op`: DAEMON_START then DAEMON_ABORT, and the
    /// plugins told.
    fn abort_start(&mut self, start: &str, op: &str) {
        self.sink.own_record(RecordType::DAEMON_START, start);
        let abort = self.identity.start_failed(op);
        self.sink.own_record(RecordType::DAEMON_ABORT, &abort);
        self.sink.collect_notices();
    }

    /// Adds a part called each time the socket is drained (see [`Hook`]).
    pub fn add_hook(&mut self, hook: Hook) {
        self.hooks.push(hook);
    }

    /// Where records go.
    pub fn sink(&mut self) -> &mut Sink {
        &mut self.sink
    }

    /// The options it was started with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    fn say(&self, level: Level, msg: &str) {
        self.sink.messages.say(level, msg);
    }

    /// The sender of the last signal, `None` when the kernel does not say.
    fn sender(&mut self) -> Option<Sender> {
        self.sock
            .signal_info()
            .ok()
            .map(|info| Sender::from_signal_info(&info))
    }

    fn run_hooks(&mut self) {
        for h in &mut self.hooks {
            h(&mut self.sink);
        }
    }

    /// Reads what the kernel sends until a signal comes (or, with a
    /// `deadline`, until then or the socket is drained).
    fn receive(&mut self, deadline: Option<Instant>) -> Result<(), DaemonError> {
        let mut batch = Batch::default();
        // Records were delivered since the last wait: let more gather.
        let mut linger = false;
        // The last drain filled its call: the socket holds more.
        let mut more = false;
        while deadline.is_some() || !self.flags.any() {
            // After lingering the socket is read without waiting: what
            // gathered is there (one read for many, no wait for one).
            let lingered = std::mem::take(&mut linger) && deadline.is_none();
            if lingered {
                std::thread::sleep(LINGER);
            }
            let wait = match deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) => left.min(Duration::from_millis(100)),
                    None => break,
                },
                // Not registered (local_events = no): the listener's hook waits.
                None if self.sock.daemon_pid().is_none() && !self.hooks.is_empty() => {
                    Duration::ZERO
                }
                None => IDLE,
            };
            // Once the socket is drained, write what was read with one write.
            let timeout = if batch.is_empty() && !lingered && !std::mem::take(&mut more) {
                wait
            } else {
                Duration::ZERO
            };
            let failed = |source| DaemonError::Netlink {
                what: "receiving from the kernel",
                source,
            };
            let got = if timeout.is_zero() {
                // Draining: the records go from the receive buffers into the
                // batch, many with one call.
                let mut others = Vec::new();
                let direct = self
                    .sock
                    .recv_direct(&mut |taken| match taken {
                        Taken::Record {
                            record_type,
                            payload,
                        } => batch.push(record_type, payload),
                        Taken::Other(other) => others.push(other),
                    })
                    .map_err(failed)?;
                for other in others {
                    self.told(other);
                }
                match direct {
                    Direct::Took => {
                        more = true;
                        if batch.len() >= BATCH {
                            self.sink.deliver_batch(&mut batch);
                        }
                        continue;
                    }
                    // Items kept during a request: read one at a time.
                    Direct::Unavailable => self.sock.recv(Some(timeout)).map_err(failed)?,
                    // The socket is empty.
                    Direct::TookAll | Direct::Empty => None,
                }
            } else {
                self.sock.recv(Some(timeout)).map_err(failed)?
            };
            match got {
                Some(Incoming::Record(r)) => {
                    batch.push(r.record_type, &r.payload);
                    if batch.len() >= BATCH {
                        self.sink.deliver_batch(&mut batch);
                    }
                }
                Some(other) => self.told(other),
                None => {
                    let drained = batch.is_empty();
                    linger = !drained;
                    self.sink.deliver_batch(&mut batch);
                    self.sink.collect_notices();
                    self.run_hooks();
                    if deadline.is_some() && drained {
                        break;
                    }
                }
            }
        }
        self.sink.deliver_batch(&mut batch);
        Ok(())
    }

    /// Tells what the socket gave that is not a record.
    fn told(&self, incoming: Incoming) {
        match incoming {
            Incoming::Overrun { total } => self.say(
                Level::Warning,
                &format!("receive queue overflowed ({total} times)"),
            ),
            // A datagram the socket could not take whole (audit-netlink
            // says what it was): told, and reading goes on.
            other => self.say(Level::Error, &format!("record dropped: {other:?}")),
        }
    }

    /// Takes a re-read configuration: the writer's settings as auditd's
    /// reconfiguration takes them ([`LogWriter::reconfigure`]), then the
    /// plugins'.
    fn apply(&mut self, config: Config) -> Result<(), String> {
        self.sink.formatter = dispatch_formatter(&config.log);
        let log = self.sink.log.reconfigure(config.log);
        let plugins = self.sink.dispatcher.reload_with(config.dispatch);
        log.map_err(|e| format!("log not reopened: {e}"))?;
        plugins.map_err(|e| format!("plugins not reloaded: {e}"))
    }

    /// SIGHUP: re-reads the configuration and the plugins.
    fn reconfigure(&mut self) {
        let who = self.sender();
        let reread = Config::read(
            &self.options.config_dir,
            self.options.follow_links,
            &self.sink.messages,
        );
        let text = match reread {
            Ok(config) => match self.apply(config) {
                Ok(()) => who.as_ref().map_or_else(
                    || records::unknown_sender("reconfigure state=changed", "success"),
                    Sender::reconfigured,
                ),
                Err(e) => {
                    self.say(Level::Error, &e);
                    failed_reconfigure(who.as_ref())
                }
            },
            Err(e) => {
                self.say(Level::Error, &format!("configuration not reloaded: {e}"));
                failed_reconfigure(who.as_ref())
            }
        };
        self.sink.own_record(RecordType::DAEMON_CONFIG, &text);
    }

    /// Runs until SIGTERM or SIGINT, then writes DAEMON_END, gives the
    /// registration back (and disables auditing when `-s enable` enabled it)
    /// and stops the plugins.
    pub fn run(mut self) -> Result<(), DaemonError> {
        loop {
            if let Err(e) = self.receive(None) {
                return self.halt(e);
            }
            if self.flags.hup.swap(false, Ordering::Relaxed) {
                self.reconfigure();
            }
            if self.flags.usr1.swap(false, Ordering::Relaxed) {
                let text = match self.sender() {
                    Some(who) => who.describe("rotate-logs", "success"),
                    None => records::unknown_sender("rotate-logs", "failed"),
                };
                self.sink.log.rotate_now();
                self.sink.own_record(RecordType::DAEMON_ROTATE, &text);
            }
            if self.flags.usr2.swap(false, Ordering::Relaxed) {
                self.resume();
            }
            if self.flags.cont.swap(false, Ordering::Relaxed) {
                self.write_state();
            }
            if self.flags.stop.load(Ordering::Relaxed) {
                break;
            }
        }
        self.stop()
    }

    /// SIGCONT: the state report ([`Options::state_file`]), as auditd writes it.
    fn write_state(&mut self) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let now = crate::ausearch_format::local_time(now)
            .map_or_else(|| "?".to_owned(), |t| format!("{} {}", t.date, t.time));
        let text = state::report(&self.sink.log, &self.sink.dispatcher, &now);
        if let Err(e) = state::write(&self.options.state_file, &text) {
            let path = self.options.state_file.display().to_string();
            self.say(
                Level::Error,
                &format!("cannot write the state to {path}: {e}"),
            );
        }
    }

    /// SIGUSR2: logging resumes after a suspension (the log opened again,
    /// created if it was moved away), and so do suspended plugins.
    fn resume(&mut self) {
        let who = self.sender();
        self.say(Level::Notice, "attempting to resume logging");
        match self.sink.log.resume() {
            Ok(()) => self.say(Level::Notice, "logging resumed"),
            Err(e) => self.say(Level::Error, &format!("could not resume logging: {e}")),
        }
        self.sink.dispatcher.resume();
        let text = match who {
            Some(w) => w.describe("resume-logging", "success"),
            None => records::unknown_sender("resume-logging", "success"),
        };
        self.sink.own_record(RecordType::DAEMON_RESUME, &text);
    }

    /// The daemon cannot go on: DAEMON_ABORT (`op=error-halt`), then the
    /// registration given back and the plugins stopped.
    fn halt(mut self, error: DaemonError) -> Result<(), DaemonError> {
        self.say(Level::Error, &format!("{error}, exiting"));
        let text = self.identity.error_halt();
        self.sink.own_record(RecordType::DAEMON_ABORT, &text);
        self.finish()?;
        Err(error)
    }

    fn stop(mut self) -> Result<(), DaemonError> {
        // The records of the kill itself are still on their way.
        if let Err(e) = self.receive(Some(Instant::now() + GRACE)) {
            return self.halt(e);
        }
        let text = match self.sender() {
            Some(who) => who.describe("terminate", "success"),
            None => records::unknown_sender("terminate", "success"),
        };
        self.sink.own_record(RecordType::DAEMON_END, &text);
        self.finish()
    }

    /// Gives the registration back, disables auditing if `-s enable` enabled
    /// it, stops the plugins and closes the log.
    fn finish(mut self) -> Result<(), DaemonError> {
        // The state report describes a running daemon (auditd removes it too).
        let _ = std::fs::remove_file(&self.options.state_file);
        if self.options.set_enabled == SetEnabled::Enable {
            if let Err(e) = self.sock.set_enabled(false) {
                self.say(Level::Error, &format!("cannot disable: {e}"));
            }
        }
        if self.sock.daemon_pid().is_some() {
            let _ = self.sock.unregister_daemon();
        }
        let Sink {
            dispatcher,
            log,
            messages,
            unlogged,
            ..
        } = self.sink;
        if unlogged > 0 {
            messages.say(Level::Error, &format!("{unlogged} records were not logged"));
        }
        for n in dispatcher.shutdown(DRAIN) {
            messages.say(Level::Warning, &n.to_string());
        }
        log.close()?;
        Ok(())
    }
}

fn failed_reconfigure(who: Option<&Sender>) -> String {
    match who {
        Some(w) => w.describe("reconfigure state=no-change", "failed"),
        None => records::unknown_sender("reconfigure state=no-change", "failed"),
    }
}

/// The `audit-daemon` program: parses `args` (without the program name) and
/// runs the daemon as they say; the exit code is 2 for a bad command line, 1
/// when the daemon could not start or failed.
pub fn run_command_line(args: impl IntoIterator<Item = String>) -> ExitCode {
    let args: Vec<String> = args.into_iter().collect();
    let mut o = match Options::parse(args.iter().cloned()) {
        Ok(o) => o,
        Err(e) => {
            crate::output::sayln!("{e}");
            return ExitCode::from(2);
        }
    };
    let result = if o.foreground || o.no_fork {
        let reporting = background::detach(&mut o.config_dir);
        let messages = if o.foreground {
            Messages::stderr()
        } else {
            Messages::syslog()
        };
        match Daemon::start(&o, messages) {
            Ok(d) => {
                if reporting {
                    background::report(Ok(()));
                }
                d.run().map_err(|e| e.to_string())
            }
            Err(e) => {
                if reporting {
                    background::report(Err(&e));
                }
                Err(e.to_string())
            }
        }
    } else {
        background::spawn_and_wait(&args)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            crate::output::sayln!("audit-daemon: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// auditd.conf is read as auditd reads it: a missing file gives the
    /// defaults, one that others may write is refused with its path, and keys
    /// are case-insensitive.
    #[test]
    fn auditd_conf_is_read_as_auditd_reads_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let messages = Messages::stderr();
        let missing = Config::read(dir.path(), false, &messages).unwrap();
        assert_eq!(missing.log, LogConfig::default());
        let path = dir.path().join("auditd.conf");
        std::fs::write(&path, "Num_Logs = 7\nQ_DEPTH = 600\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let read = Config::read(dir.path(), false, &messages);
        if rustix::process::geteuid().is_root() {
            let read = read.unwrap();
            assert_eq!((read.log.num_logs, read.dispatch.q_depth), (7, 600));
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o646)).unwrap();
        match Config::read(dir.path(), false, &messages) {
            Err(e @ DaemonError::Config { .. }) => {
                let e = e.to_string();
                assert!(e.starts_with(&path.display().to_string()), "{e}");
                assert!(
                    e.contains("world writable") || e.contains("not owned by root"),
                    "{e}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    /// A batch gives back each record as pushed, in order, without the
    /// trailing NULs and newlines the kernel may send, and keeps the
    /// highest serial until it is cleared.
    #[test]
    fn a_batch_gives_its_records_back_trimmed_and_in_order() {
        let mut batch = Batch::default();
        batch.push(RecordType::SYSCALL, b"audit(1.0:7): a=1\n\0\0");
        batch.push(RecordType::EOE, b"audit(1.0:7): ");
        batch.push(RecordType::PATH, b"audit(1.0:5): \n");
        batch.push(RecordType::CWD, b"");
        let got: Vec<_> = batch.records().collect();
        assert_eq!(
            got,
            [
                (RecordType::SYSCALL, &b"audit(1.0:7): a=1"[..]),
                (RecordType::EOE, b"audit(1.0:7): "),
                (RecordType::PATH, b"audit(1.0:5): "),
                (RecordType::CWD, b""),
            ]
        );
        assert_eq!((batch.len(), batch.last_serial), (4, 7));
        batch.clear();
        assert!(batch.is_empty() && batch.records().next().is_none());
        batch.push(RecordType::CWD, b"audit(1.0:3): x");
        assert_eq!(batch.last_serial, 3);
    }
}
