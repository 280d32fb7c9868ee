//! The audit log as auditd 3.0.9 writes it, for a daemon built of this
//! project's crates: kernel records in, RAW or ENRICHED lines out, with
//! auditd's `flush` modes, rotation, disk-space actions and file modes, and
//! the auditd.conf keys for all of them.
//!
//! ```
//! use audit_log::{Durability, Flush, LogConfig, LogFormat, LogWriter, RecordType};
//!
//! let dir = tempfile::tempdir()?;
//! let text = format!(
//!     "log_file = {}/audit.log\nlog_format = RAW\nflush = INCREMENTAL\nfreq = 20\nnum_logs = 3\nmax_log_file = 8\nmax_log_file_action = ROTATE\n",
//!     dir.path().display()
//! );
//! let config = LogConfig::parse(&text)?.config;
//! assert_eq!(config.flush, Flush::Incremental);
//!
//! let mut log = LogWriter::open(config)?;
//! // A record as the kernel sends it (audit-netlink's RawRecord): type, payload.
//! log.write_record(RecordType::CONFIG_CHANGE, b"audit(1700000000.000:7): op=set audit_enabled=1 old=1 auid=0 ses=1 res=1")?;
//! // On disk before a remote sender is told so.
//! assert_eq!(log.durable()?, Durability::OnDisk);
//! log.rotate_now(); // what SIGUSR1 asks for
//! let rotated = std::fs::read_to_string(dir.path().join("audit.log.1"))?;
//! assert_eq!(rotated, "type=CONFIG_CHANGE msg=audit(1700000000.000:7): op=set audit_enabled=1 old=1 auid=0 ses=1 res=1\n");
//! assert_eq!(std::fs::metadata(dir.path().join("audit.log"))?.len(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - [`Formatter`]: the lines alone (RAW, ENRICHED with its `0x1d` part).
//! - [`LogConfig`]: the keys, [`LogConfig::parse`] for auditd.conf.
//! - [`LogWriter`]: the file. Actions the writer cannot or must not take
//!   itself (syslog, email, single, halt) are reported as [`Notice`]s for
//!   the caller; it rotates, suspends and runs `exec` programs itself.
//!
//! Where it differs from auditd 3.0.9, on purpose: a record is never cut
//! (auditd truncates lines beyond its buffer); a failed write leaves no
//! partial line (the file is cut back to its last whole line) and is an
//! error the caller sees; the disk-full action runs once until space comes
//! back, and `max_log_file_action = syslog` reports once per file, rather
//! than on every record; `max_log_file = 0` means no limit.
#![deny(missing_docs)]

mod config;
mod format;
mod writer;

pub use audit_wire::RecordType;
pub use config::{
    open_config_file, read_config_text, Action, ConfigError, FileProblem, Flush, LogConfig,
    NameFormat, OtherKey, ParsedConfig, ReadConfigError, SizeAction, Space,
};
pub use format::{Formatter, LogFormat, FORMAT_BUF_LEN, INTERP_SEPARATOR};
pub use writer::{Durability, LogError, LogWriter, Notice, Written};
