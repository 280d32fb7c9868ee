//! The sender as an auditd plugin on the `audit-plugin` runtime: `audit-remote
//! CONFIG`, CONFIG an `audisp-remote.conf` ([`RemoteConfig`]).
//!
//! Each record read on stdin is spooled in the queue file and sent; it leaves the
//! queue once acknowledged. Failures go through the configured actions
//! ([`crate::actions`]): the receiver unreachable (`network_failure_action`), its
//! DISKLOW / DISKFULL / DISKERROR replies and other warnings or errors, the queue
//! file failing (`queue_error_action`) or full (`overflow_action`), no connection yet
//! (`startup_failure_action`: as audisp-remote, every failure before the first
//! connection, the records kept queued). `remote_server` may be a name: it is
//! looked up at each connection attempt, so one that does not resolve yet is such
//! a failure, not the end. After `suspend`, records are only queued until
//! SIGUSR2. At the end of input (or SIGTERM) it waits for the ACKs of what is queued;
//! what is still unacknowledged stays in the queue file and is sent first at the
//! next start. The runtime's timer (every second) retries sending, and sends
//! heartbeats after `heartbeat_timeout` of quiet.
//!
//! `local_port` is the connection's source port. On ENDING from the receiver,
//! `remote_ending_action = reconnect` (the default) reconnects and resends from the
//! first unacknowledged record; any other action is taken and sending stops
//! (records keep being queued) until SIGUSR2, or for `stop` the plugin stops.
//! audisp-remote 3.0.9 stops sending the same way, but only a restart starts it
//! again.
//! With `transport = tls` it speaks TLS to our receiver ([`crate::tls`]).
//! `format = ascii` is refused. The runtime's in-memory queue blocks its reader when
//! full (an `--overflow` argument is overridden): records wait in the dispatcher's
//! pipe rather than be dropped before they reach the queue file.

use crate::actions::{Actions, Level, Log, Reaction, Trigger};
use crate::config::{RemoteConfig, Transport, WireFormat, DEFAULT_QUEUE_FILE};
use crate::frame::FrameType;
use crate::sender::{SendError, Sender};
use crate::spool::SpoolError;
use crate::tls::TlsClient;
use audit_plugin::{Delivery, Handler, HandlerResult, Overflow, Plugin};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Why the plugin could not start or stopped on an error.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The configuration was refused.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The configuration asks for something this sender does not do.
    #[error("{0}")]
    Unusable(String),
    /// The sender could not start (its queue file).
    #[error(transparent)]
    Send(#[from] SendError),
    /// The runtime failed, or an action stopped the plugin.
    #[error(transparent)]
    Runtime(#[from] audit_plugin::Error),
    /// SIGUSR2's handler could not be installed.
    #[error("installing SIGUSR2's handler: {0}")]
    Signal(std::io::Error),
}

/// The plugin's [`Handler`]: the sender with its configured actions.
pub struct RemoteHandler {
    config: RemoteConfig,
    sender: Sender,
    actions: Actions,
    log: Box<dyn Log + Send>,
    suspended: Arc<AtomicBool>,
    warnings_seen: u64,
    idle_ticks: u32,
    /// Records taken since the runtime's queue last ran empty: spooled together
    /// (one write and one sync for a burst) and sent with a window in flight.
    batch: Vec<Vec<u8>>,
}

/// Most records held in [`RemoteHandler`]'s batch before they are spooled.
const BATCH_MAX: usize = 256;

impl std::fmt::Debug for RemoteHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteHandler")
            .field("config", &self.config)
            .field("pending", &self.sender.pending())
            .field("suspended", &self.suspended.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl RemoteHandler {
    /// Opens the queue file of `config` (its server is looked up when connecting);
    /// `log` receives what the actions log.
    ///
    /// # Errors
    /// [`PluginError::Unusable`] for `format = ascii` or no `remote_server`;
    /// [`PluginError::Send`] when the queue file cannot be opened (or another
    /// sender holds it).
    pub fn new(config: RemoteConfig, log: Box<dyn Log + Send>) -> Result<Self, PluginError> {
        if config.format == WireFormat::Ascii {
            return Err(PluginError::Unusable(
                "format = ascii is not sent: auditd's listener silently discards unframed records"
                    .into(),
            ));
        }
        let server = config
            .remote_server
            .as_deref()
            .ok_or_else(|| PluginError::Unusable("remote_server is not set".into()))?;
        // A name is looked up at each connection attempt, as audisp-remote does:
        // one that does not resolve yet is a network failure, not the end.
        let target = join_host_port(server, config.port);
        let (address, server_name) = match target.parse::<SocketAddr>() {
            Ok(address) => (address, None),
            Err(_) => (
                SocketAddr::from((std::net::Ipv4Addr::UNSPECIFIED, config.port)),
                Some(target),
            ),
        };
        let queue_file: PathBuf = config
            .queue_file
            .clone()
            .unwrap_or_else(|| DEFAULT_QUEUE_FILE.into());
        let mut sender_config = config.sender_config(address);
        sender_config.server_name = server_name;
        if config.transport == Transport::Tls {
            sender_config.tls = Some(tls_client(&config, server)?);
        }
        let sender = Sender::open(sender_config, &queue_file)?;
        Ok(Self {
            config,
            sender,
            actions: Actions::default(),
            log,
            suspended: Arc::new(AtomicBool::new(false)),
            warnings_seen: 0,
            idle_ticks: 0,
            batch: Vec::new(),
        })
    }

    /// The flag SIGUSR2 clears (set while suspended).
    pub fn suspended(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.suspended)
    }

    /// The sender, to read its statistics or flush it.
    pub fn sender(&mut self) -> &mut Sender {
        &mut self.sender
    }

    /// Tries to reach the receiver (sending what is queued, then a heartbeat), and
    /// runs `startup_failure_action` when it cannot.
    pub fn start(&mut self) -> HandlerResult {
        if let Err(e) = self.sender.heartbeat() {
            let action = self.config.startup_failure_action.clone();
            let reaction = self.actions.take(
                Trigger::StartupFailure,
                &action,
                &e.to_string(),
                &mut *self.log,
            );
            self.react(reaction, e)?;
        }
        Ok(())
    }

    /// Waits for every queued record's ACK (at the end of input), with the
    /// configured action when that fails.
    pub fn finish(&mut self) -> HandlerResult {
        self.spool_batch()?;
        if self.suspended.load(Ordering::Relaxed) {
            return Ok(());
        }
        let result = self.sender.flush();
        self.after(result)
    }

    /// Spools the batch (queued only, while suspended) and sends what the window
    /// allows.
    fn spool_batch(&mut self) -> HandlerResult {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        if self.suspended.load(Ordering::Relaxed) {
            for record in &batch {
                let result = self.sender.enqueue(record);
                self.after(result)?;
            }
            return Ok(());
        }
        match self.sender.send_all(batch.iter().map(Vec::as_slice)) {
            // All or none were spooled: one by one, so that only the records that
            // do not fit meet overflow_action (or queue_error_action).
            Err(SendError::Spool(SpoolError::Full { .. } | SpoolError::TooLong { .. })) => {
                for record in &batch {
                    let result = self.sender.send(record);
                    self.after(result)?;
                }
                Ok(())
            }
            result => self.after(result),
        }
    }

    /// Runs the action for a failed send and turns its reaction into the handler's
    /// result.
    fn after<T>(&mut self, result: Result<T, SendError>) -> HandlerResult {
        let stats = self.sender.stats();
        if stats.warnings > self.warnings_seen {
            self.warnings_seen = stats.warnings;
            let text = stats.last_warning.clone().unwrap_or_default();
            let (trigger, action) = if text.starts_with(&FrameType::DISK_LOW.to_string()) {
                (Trigger::DiskLow, self.config.disk_low_action.clone())
            } else {
                (
                    Trigger::GenericWarning,
                    self.config.generic_warning_action.clone(),
                )
            };
            let reaction = self.actions.take(trigger, &action, &text, &mut *self.log);
            if reaction == Reaction::Suspend {
                self.suspended.store(true, Ordering::Relaxed);
            }
            if reaction == Reaction::Stop {
                return Err(format!("stopped by {}: {text}", trigger.description()).into());
            }
        }
        let error = match result {
            Ok(_) => {
                if self.sender.pending() == 0 {
                    self.actions.reset_warnings();
                }
                return Ok(());
            }
            Err(e) => e,
        };
        let message = error.to_string();
        let reaction = match &error {
            SendError::Spool(SpoolError::Full { .. }) => self
                .actions
                .overflow(self.config.overflow_action, &mut *self.log),
            SendError::Spool(_) => {
                let action = self.config.queue_error_action.clone();
                self.actions
                    .take(Trigger::QueueError, &action, &message, &mut *self.log)
            }
            SendError::Ending { .. } => {
                let action = self.config.remote_ending_action.clone();
                let reaction =
                    self.actions
                        .take(Trigger::RemoteEnding, &action, &message, &mut *self.log);
                // Sending stops until SIGUSR2, whatever the action (but stop).
                match reaction {
                    Reaction::Stop => Reaction::Stop,
                    _ => Reaction::Suspend,
                }
            }
            // Until it first connects, audisp-remote runs startup_failure_action
            // (default warn_once_continue) and keeps queuing.
            SendError::Network { .. } | SendError::NoAddress(_)
                if self.sender.stats().connections == 0 =>
            {
                let action = self.config.startup_failure_action.clone();
                self.actions
                    .take(Trigger::StartupFailure, &action, &message, &mut *self.log)
            }
            SendError::Network { .. } | SendError::NoAddress(_) => {
                let action = self.config.network_failure_action.clone();
                self.actions
                    .take(Trigger::NetworkFailure, &action, &message, &mut *self.log)
            }
            SendError::Refused { kind, .. } => {
                let (trigger, action) = match *kind {
                    FrameType::DISK_FULL => (Trigger::DiskFull, &self.config.disk_full_action),
                    FrameType::DISK_ERROR => (Trigger::DiskError, &self.config.disk_error_action),
                    _ => (Trigger::GenericError, &self.config.generic_error_action),
                };
                let action = action.clone();
                self.actions
                    .take(trigger, &action, &message, &mut *self.log)
            }
        };
        self.react(reaction, error)
    }

    fn react(&mut self, reaction: Reaction, error: SendError) -> HandlerResult {
        match reaction {
            Reaction::Continue => Ok(()),
            Reaction::Suspend => {
                self.suspended.store(true, Ordering::Relaxed);
                Ok(())
            }
            Reaction::Stop => Err(Box::new(error)),
        }
    }
}

impl Handler for RemoteHandler {
    fn record(&mut self, line: &[u8]) -> HandlerResult {
        let mut record = Vec::with_capacity(line.len() + 1);
        record.extend_from_slice(line);
        record.push(b'\n');
        self.idle_ticks = 0;
        let max = crate::frame::MAX_RECEIVABLE_PAYLOAD;
        if record.len() > max && !crate::sender::is_eoe(&record) {
            // The sender splits it, as audisp-remote's input reader does; say so,
            // since the receiver gets several lines for one record.
            let pieces = crate::sender::split_record(&record).len();
            self.log.log(
                Level::Warning,
                &format!(
                    "record of {} bytes is longer than the {max} a frame carries: \
                     sent as {pieces} lines",
                    record.len()
                ),
            );
        }
        self.batch.push(record);
        if self.batch.len() >= BATCH_MAX {
            return self.spool_batch();
        }
        Ok(())
    }

    fn idle(&mut self) -> HandlerResult {
        self.spool_batch()?;
        if self.suspended.load(Ordering::Relaxed) || self.sender.pending() == 0 {
            return Ok(());
        }
        let result = self.sender.flush();
        self.after(result)
    }

    fn timer(&mut self) -> HandlerResult {
        self.spool_batch()?;
        if self.suspended.load(Ordering::Relaxed) {
            return Ok(());
        }
        if self.sender.pending() > 0 {
            let result = self.sender.flush();
            return self.after(result);
        }
        self.idle_ticks = self.idle_ticks.saturating_add(1);
        let heartbeat = self.config.heartbeat_timeout;
        if heartbeat > 0 && self.idle_ticks >= heartbeat {
            self.idle_ticks = 0;
            let result = self.sender.heartbeat();
            return self.after(result);
        }
        Ok(())
    }
}

/// The TLS client of `transport = tls`, from the files the configuration names.
fn tls_client(config: &RemoteConfig, server: &str) -> Result<TlsClient, PluginError> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|e| PluginError::Unusable(format!("{}: {e}", path.display())))
    };
    let ca_file = config
        .tls
        .ca_file
        .as_deref()
        .ok_or_else(|| PluginError::Unusable("transport = tls needs tls_ca_file".into()))?;
    let ca = read(ca_file)?;
    let client = match (&config.tls.cert_file, &config.tls.key_file) {
        (Some(cert), Some(key)) => Some((read(cert)?, read(key)?)),
        _ => None,
    };
    let name = config.tls.server_name.as_deref().unwrap_or(server);
    TlsClient::from_pem(
        &ca,
        name,
        client.as_ref().map(|(c, k)| (c.as_slice(), k.as_slice())),
    )
    .map_err(|e| PluginError::Unusable(format!("TLS settings: {e}")))
}

/// `host:port`, with brackets around an IPv6 address.
fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Runs the plugin: `args` are the plugin's arguments (the runtime's options, such
/// as `--format=binary`, then CONFIG), records come on stdin. Returns when the
/// input ends or on SIGTERM, after waiting for the ACKs of what is queued.
///
/// # Errors
/// [`PluginError`]: the configuration refused, the sender unable to start, an
/// action that stops the plugin.
pub fn run(
    args: impl IntoIterator<Item = String>,
    log: Box<dyn Log + Send>,
) -> Result<(), PluginError> {
    let (plugin, rest) = Plugin::split_args(args)?;
    let [config_path] = rest.as_slice() else {
        return Err(PluginError::Unusable(format!(
            "usage: audit-remote [runtime options] CONFIG, got {rest:?}"
        )));
    };
    let config = RemoteConfig::load(Path::new(config_path))?;
    for warning in &config.warnings {
        eprintln!("audit-remote: {config_path}: {warning}");
    }
    let mut handler = RemoteHandler::new(config, log)?;
    let suspended = handler.suspended();
    // SIGUSR2 resumes sending: a second flag, read and cleared on each timer tick, so
    // that the handler runs only in the signal-hook thread-safe way (a store).
    let resume = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGUSR2, Arc::clone(&resume))
        .map_err(PluginError::Signal)?;
    let mut resuming = Resuming {
        handler: &mut handler,
        resume,
        suspended,
    };
    resuming
        .handler
        .start()
        .map_err(|e| PluginError::Unusable(e.to_string()))?;
    // Records one at a time; the runtime's queue blocks the reader when full rather
    // than drop: the queue file is the queue, and `overflow_action` governs it.
    plugin
        .delivery(Delivery::Records)
        .overflow(Overflow::Block)
        .timer_interval(Duration::from_secs(1))
        .run(&mut resuming)?;
    handler
        .finish()
        .map_err(|e| PluginError::Unusable(e.to_string()))
}

/// The handler, with SIGUSR2 turned into a resume before each callback.
struct Resuming<'h> {
    handler: &'h mut RemoteHandler,
    resume: Arc<AtomicBool>,
    suspended: Arc<AtomicBool>,
}

impl Resuming<'_> {
    fn check_resume(&mut self) {
        if self.resume.swap(false, Ordering::Relaxed) {
            self.suspended.store(false, Ordering::Relaxed);
        }
    }
}

impl Handler for Resuming<'_> {
    fn record(&mut self, line: &[u8]) -> HandlerResult {
        self.check_resume();
        self.handler.record(line)
    }

    fn timer(&mut self) -> HandlerResult {
        self.check_resume();
        self.handler.timer()
    }

    fn idle(&mut self) -> HandlerResult {
        self.check_resume();
        self.handler.idle()
    }
}
