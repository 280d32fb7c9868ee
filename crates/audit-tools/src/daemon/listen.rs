//! auditd's network listener in the daemon: with `tcp_listen_port` in
//! `auditd.conf`, records sent by `audisp-remote` (or audit-remote's sender) are
//! written to the daemon's log, verbatim, and acknowledged once written
//! (audit-remote's receiver and [`LogAppender`]). They go through the
//! daemon's log writer as its own records do ([`LogWriter::write_lines`]):
//! counted for `max_log_file` and the space checks, synced as `flush` says
//! before the ACK, and a full disk or a write error runs `disk_full_action`
//! or `disk_error_action` and is answered DISKFULL or DISKERROR (DISKLOW
//! below `space_left`).
//!
//! These keys are read at start only: SIGHUP re-reads the writer's settings
//! and the plugins, not the listener's (a changed port or limit needs a
//! restart).
//!
//! The keys are auditd's ([`ListenConfig`]): `tcp_listen_port`,
//! `tcp_listen_queue`, `tcp_max_per_addr`, `tcp_client_ports`,
//! `tcp_client_max_idle`, `local_events`, `distribute_network`. With
//! `local_events = no` the daemon is a pure aggregator: it neither registers
//! with its kernel nor changes its audit state. With `distribute_network = yes`
//! received records go to the plugins too (as formatted lines).
//!
//! The connections run on threads of their own; their records wait in a
//! bounded queue until the daemon's loop, which owns the log, writes them
//! ([`Listener::serve`], run as a hook). At exit every connection gets ENDING.
//!
//! [`LogWriter::write_lines`]: audit_log::LogWriter::write_lines

use super::{Config, DaemonError, Hook, Level, Options, SetEnabled, Sink};
use audit_dispatch::{Payload, Record};
use audit_netlink::audit_wire::RecordType;
use audit_netlink::AuditSocket;
use audit_remote::handoff::{handoff, HandoffQueue};
use audit_remote::listen::ListenConfig;
use audit_remote::log_append::LogAppender;
use audit_remote::server::{Receiver, ReceiverHandle};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Batches waiting for the daemon's loop, at most (each holds a connection).
const QUEUED_BATCHES: usize = 64;

/// The listener's settings in `DIR/auditd.conf`'s other keys.
///
/// # Errors
/// [`DaemonError::Config`] naming the line of a bad value.
pub fn settings(config_dir: &Path, config: &Config) -> Result<ListenConfig, DaemonError> {
    ListenConfig::from_keys(&config.others).map_err(|e| DaemonError::Config {
        path: config_dir.join("auditd.conf"),
        problem: e.to_string(),
    })
}

/// `options` as the daemon applies them: with `local_events = no`, `-s` is
/// ignored (the kernel's `enabled` is left as it is).
pub fn effective_options(options: &Options, settings: &ListenConfig) -> Options {
    let mut options = options.clone();
    if !settings.local_events {
        options.set_enabled = SetEnabled::NoChange;
    }
    options
}

/// Registers as the kernel's audit daemon, unless `local_events = no`.
///
/// # Errors
/// The kernel's refusal.
pub fn register(sock: &mut AuditSocket, settings: &ListenConfig) -> audit_netlink::Result<()> {
    if settings.local_events {
        sock.register_daemon()
    } else {
        Ok(())
    }
}

/// The running listener: its receiver and the queue of what it received.
pub struct Listener {
    // Dropped first: waiting connections are told ENDING rather than left
    // waiting for a loop that is gone.
    queue: HandoffQueue,
    appender: LogAppender,
    receiver: ReceiverHandle,
    distribute: bool,
    /// How long one call of [`serve`](Self::serve) goes on taking batches.
    budget: Duration,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("addr", &self.receiver.local_addr())
            .field("distribute", &self.distribute)
            .finish_non_exhaustive()
    }
}

impl Listener {
    /// Binds `tcp_listen_port` and starts accepting; `None` when no port is
    /// configured. The log's last lines let a record resent after a restart be
    /// recognised.
    ///
    /// # Errors
    /// [`DaemonError::Config`] naming `tcp_listen_port`: the port cannot be
    /// bound, or the log's tail not read.
    pub fn start(
        config_dir: &Path,
        settings: &ListenConfig,
        sink: &mut Sink,
    ) -> Result<Option<Listener>, DaemonError> {
        let port = settings.port.unwrap_or(0);
        let listen_error = |e: std::io::Error| DaemonError::Config {
            path: config_dir.join("auditd.conf"),
            problem: format!("tcp_listen_port = {port}: cannot listen: {e}"),
        };
        let Some(listener) = settings.bind().map_err(listen_error)? else {
            return Ok(None);
        };
        let config = settings.receiver_config();
        let recent =
            LogAppender::recent(sink.log().config(), config.dedup_window).map_err(listen_error)?;
        let (handoff_sink, queue) = handoff(QUEUED_BATCHES, recent);
        let receiver = Receiver::from_listener(listener, config, Arc::new(handoff_sink))
            .and_then(Receiver::spawn)
            .map_err(listen_error)?;
        sink.messages().say(
            Level::Notice,
            &format!("listening for remote records on {}", receiver.local_addr()),
        );
        Ok(Some(Listener {
            queue,
            appender: LogAppender::new(),
            receiver,
            distribute: settings.distribute_network,
            // Without local events nothing else needs the loop: serve longer
            // at a time (signals are still seen within this).
            budget: if settings.local_events {
                Duration::from_millis(20)
            } else {
                Duration::from_millis(200)
            },
        }))
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.receiver.local_addr()
    }

    /// Writes the batches that come within the budget to the log and answers
    /// each (ACK, DISKLOW, DISKFULL, DISKERROR), then returns.
    pub fn serve(&mut self, sink: &mut Sink) {
        let deadline = Instant::now() + self.budget;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Some(batch) = self.queue.recv_timeout(left) else {
                break;
            };
            let outcome = self.appender.append(sink.log(), batch.records());
            if let Err(e) = &outcome {
                sink.messages().say(
                    Level::Error,
                    &format!("records from {} not logged: {e}", batch.peer()),
                );
            }
            if self.distribute && outcome.is_ok() {
                for line in batch.records() {
                    let line = line.strip_suffix(b"\n").unwrap_or(line);
                    let rtype = line_type(line).unwrap_or(0);
                    if let Ok(record) = Record::new(RecordType(rtype), Payload::Formatted, line) {
                        sink.dispatcher().dispatch(&record);
                    }
                }
            }
            batch.answer(outcome);
        }
    }

    /// The listener as a daemon hook ([`super::Daemon::add_hook`]).
    pub fn into_hook(mut self) -> Hook {
        Box::new(move |sink: &mut Sink| self.serve(sink))
    }
}

/// The record type of a log line, `[node=N ]type=NAME msg=…`.
fn line_type(line: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(line.get(..line.len().min(128))?).ok()?;
    let at = text.find("type=")?;
    let name = text[at + 5..].split(' ').next()?;
    if let Some(n) = name
        .strip_prefix("UNKNOWN[")
        .and_then(|n| n.strip_suffix(']'))
    {
        return n.parse().ok();
    }
    RecordType::from_name(name).map(|t| t.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lines_type_with_or_without_node() {
        assert_eq!(line_type(b"type=SYSCALL msg=audit(1.0:1): x"), Some(1300));
        assert_eq!(
            line_type(b"node=web1 type=USER_LOGIN msg=audit(1.0:1): x"),
            Some(1112)
        );
        assert_eq!(
            line_type(b"type=UNKNOWN[1999] msg=audit(1.0:1): x"),
            Some(1999)
        );
        assert_eq!(line_type(b"no type here"), None);
    }
}
