//! Remote audit logging with the audisp-remote protocol of auditd 3.0.9: the frame
//! codec, an acknowledging receiver, and a sender with a durable spool.
//!
//! ```
//! use audit_remote::sender::{Sender, SenderConfig};
//! use audit_remote::server::{FileSink, Receiver, ReceiverConfig};
//! use std::sync::Arc;
//!
//! let dir = tempfile::tempdir()?;
//! // The aggregator: every record appended to one file, synced, then acknowledged.
//! let sink = Arc::new(FileSink::open(&dir.path().join("remote.log"))?);
//! let server = Receiver::bind("127.0.0.1:0", ReceiverConfig::default(), sink)?.spawn()?;
//!
//! // A machine sending its records; each stays in the queue file until its ACK.
//! let config = SenderConfig::new(server.local_addr());
//! let mut sender = Sender::open(config, &dir.path().join("queue"))?;
//! sender.send(b"type=USER_LOGIN msg=audit(1700000000.123:42): pid=1 res=success\n")?;
//! sender.send(b"type=EOE msg=audit(1700000000.123:42): \n")?; // not sent, as audisp-remote
//! sender.flush()?;
//!
//! let log = std::fs::read_to_string(dir.path().join("remote.log"))?;
//! assert_eq!(log, "type=USER_LOGIN msg=audit(1700000000.123:42): pid=1 res=success\n");
//! assert_eq!(server.shutdown().records_written, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - [`frame`]: the 16-byte little-endian header, the frame types and a caller-driven
//!   [`Decoder`](frame::Decoder) (fuzzed by the `remote_frame` target).
//! - [`server`]: [`Receiver`](server::Receiver), ACK only after the [`Sink`](server::Sink)
//!   reports the record written, heartbeats, duplicates dropped, `tcp_max_per_addr`,
//!   `tcp_client_max_idle`, ENDING at shutdown.
//! - [`sender`]: [`Sender`](sender::Sender), sequences from 2, EOE dropped, stop-and-wait
//!   or a window of frames in flight, resending from the first unacknowledged record
//!   after a reconnect; [`spool`]: its queue file.
//!
//! - [`listen`]: [`ListenConfig`](listen::ListenConfig), the receiver's keys of
//!   `auditd.conf` (`tcp_listen_port`, `local_events`, ...) and its listening socket.
//!
//! - [`handoff`]: a sink whose batches another thread writes (a daemon's main
//!   loop); [`log_append`]: received lines into an audit-log writer's log, with
//!   DISKLOW / DISKFULL / DISKERROR from its state.
//!
//! - [`config`]: [`RemoteConfig`](config::RemoteConfig), an `audisp-remote.conf` read
//!   with the keys, values and defaults of audisp-remote 3.0.9.
//!
//! - [`plugin`]: the sender as a plugin `audit-remote CONFIG` on the `audit-plugin`
//!   runtime, with the configured [`actions`].
//!
//! - [`syslog_out`]: the other road out, each record to a syslog daemon as an
//!   RFC 5424 message (TCP with octet counting, or a local socket).
//!
//! - [`tls`]: TLS (rustls) between our sender and our receiver, the same frames
//!   inside.
//!
//! Interoperates with auditd 3.0.9's `tcp_listen_port` listener and with its
//! `audisp-remote` plugin (tests/interop.rs).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod actions;
pub mod config;
pub mod frame;
pub mod handoff;
pub mod listen;
pub mod log_append;
pub mod plugin;
pub mod sender;
pub mod server;
pub mod spool;
pub mod syslog_out;
pub mod tls;
