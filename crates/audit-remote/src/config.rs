//! The sender's settings, read from a file in the syntax and with the keys, values and
//! defaults of audisp-remote 3.0.9's `audisp-remote.conf`.
//!
//! Each line is `key = value`, or `key = value option` for the actions that take a
//! program (`exec /path`); `#` starts a comment line; keys and word values are matched
//! without regard to case; a key given twice keeps its last value. Differences from
//! audisp-remote 3.0.9, each on purpose:
//!
//! - An unknown key is a [`ConfigWarning`] (the C plugin refuses the whole file), so
//!   that a file written for a later version still loads; the Kerberos keys
//!   (`enable_krb5`, `krb5_*`) are warned about and ignored, as a C build without
//!   GSSAPI does.
//! - `remote_server =` with nothing after it, as in the shipped file, means "not set"
//!   (the C parser rejects any empty value, so it refuses its own shipped file until
//!   the server is filled in); any other empty value is an error naming the line.
//! - Tabs separate words as spaces do, and `key=value` needs no spaces around `=`
//!   (C needs `=` as a word of its own); lines have no length limit (C cuts at 127
//!   bytes).
//! - Our own key `window`: frames in flight before the first ACK is waited for
//!   (default 16; `window = 1` is audisp-remote's stop-and-wait).
//! - Our own keys for TLS with certificates: `transport = tls` with `tls_ca_file`,
//!   optional `tls_cert_file` and `tls_key_file` (a client certificate) and
//!   `tls_server_name` ([`TlsSettings`]); auditd 4.2's `tls_psk_*` keys are warned
//!   about and ignored.
//! - The file is opened through no symbolic link and checked as opened
//!   ([`RemoteConfig::load`]); audisp-remote follows a link to a file that passes
//!   its checks. A missing file is an error, where audisp-remote goes on with
//!   defaults that name no server.
//! - `format = ascii` is read, with a warning: in ascii mode a record goes out bare,
//!   with no frame, and auditd 3.0.9's listener takes the first bytes for a header,
//!   finds no magic and drops them (and the connection) without a word. Our sender
//!   refuses to run with it.
//!
//! ```
//! use audit_remote::config::{FailureAction, Mode, RemoteConfig};
//! let config = RemoteConfig::parse(
//!     "remote_server = 192.0.2.7\nport = 6000\nmode = forward\n\
//!      queue_file = /var/spool/audit/remote.log\nnetwork_failure_action = exec /usr/local/bin/page-me\n",
//! )?;
//! assert_eq!(config.remote_server.as_deref(), Some("192.0.2.7"));
//! assert_eq!((config.port, config.mode), (6000, Mode::Forward));
//! assert_eq!(config.network_failure_action, FailureAction::Exec("/usr/local/bin/page-me".into()));
//! assert_eq!(config.disk_full_action, FailureAction::WarnOnce); // the default
//! # Ok::<(), audit_remote::config::ConfigError>(())
//! ```

use std::fmt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The queue file when `queue_file` is not set (audisp-remote's `SPOOL_FILE`).
pub const DEFAULT_QUEUE_FILE: &str = "/var/spool/audit/remote.log";

/// How records reach the receiver (`transport`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Plain TCP (`tcp`), the only transport of a 3.0.9 build without GSSAPI.
    Tcp,
    /// TLS with certificates (`tls`, our extension): needs `tls_ca_file`. auditd 4.2
    /// also names its transport `tls`, but authenticates with a pre-shared key
    /// (`tls_psk_file`), which we do not offer: its `tls_*` keys are warned about and
    /// ignored, and without `tls_ca_file` the file is refused.
    Tls,
}

/// Our TLS settings (`transport = tls`), see [`crate::tls`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// `tls_ca_file`: PEM CA certificates the receiver's certificate must chain to.
    pub ca_file: Option<PathBuf>,
    /// `tls_cert_file`: PEM certificate chain presented to the receiver (optional).
    pub cert_file: Option<PathBuf>,
    /// `tls_key_file`: PEM private key of `tls_cert_file`.
    pub key_file: Option<PathBuf>,
    /// `tls_server_name`: the name the receiver's certificate must carry (default:
    /// `remote_server`).
    pub server_name: Option<String>,
}

/// When records are written to the queue file (`mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `immediate`: audisp-remote keeps its queue in memory. Ours spools every record
    /// to the queue file in both modes (nothing is lost to a crash); without
    /// `queue_file` that is [`DEFAULT_QUEUE_FILE`], audisp-remote's default.
    Immediate,
    /// `forward` (store and forward): the queue is the file `queue_file`.
    Forward,
}

/// How records are encoded on the wire (`format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireFormat {
    /// `managed`: each record in a frame, acknowledged by the receiver.
    Managed,
    /// `ascii`: bare record lines, no frames, no acknowledgement; auditd's listener
    /// silently discards them.
    Ascii,
}

/// What to do on an event (the `*_action` keys other than `overflow_action`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureAction {
    /// `ignore`: carry on.
    Ignore,
    /// `syslog`: log a message and carry on.
    Syslog,
    /// `exec /path`: run the program with the message as its one argument and carry
    /// on.
    Exec(PathBuf),
    /// `warn_once_continue`: log the first time only, and carry on.
    WarnOnceContinue,
    /// `warn_once`: log the first time only, and stop the attempt.
    WarnOnce,
    /// `reconnect` (only for `remote_ending_action`): log, drop the connection and
    /// connect again.
    Reconnect,
    /// `suspend`: log and stop sending (records keep being queued) until SIGUSR2.
    Suspend,
    /// `single`: log and bring the machine to single-user mode.
    Single,
    /// `halt`: log and halt the machine.
    Halt,
    /// `stop`: log and stop the plugin.
    Stop,
}

/// What to do when the queue is full (`overflow_action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverflowAction {
    /// `ignore`: drop the record without a word.
    Ignore,
    /// `syslog`: drop the record and log it.
    Syslog,
    /// `suspend`: log and stop sending until SIGUSR2.
    Suspend,
    /// `single`: log and bring the machine to single-user mode.
    Single,
    /// `halt`: log and halt the machine.
    Halt,
}

/// The settings of an `audisp-remote.conf`, each defaulting as in audisp-remote 3.0.9
/// when the file does not name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteConfig {
    /// `remote_server`: host name or address of the receiver (`None`: not set).
    pub remote_server: Option<String>,
    /// `port` of the receiver (default 60).
    pub port: u16,
    /// `local_port` to send from (`None`, the default, or `any`: any port).
    pub local_port: Option<u16>,
    /// `transport` (default `tcp`).
    pub transport: Transport,
    /// `mode` (default `immediate`).
    pub mode: Mode,
    /// `queue_file`, an absolute path (default none).
    pub queue_file: Option<PathBuf>,
    /// `queue_depth`: most records queued (default 2048; the shipped file says 10240).
    pub queue_depth: u32,
    /// `format` (default `managed`).
    pub format: WireFormat,
    /// `network_retry_time`: seconds between reconnect attempts (default 1).
    pub network_retry_time: u32,
    /// `max_tries_per_record`: attempts before a network failure (default 3).
    pub max_tries_per_record: u32,
    /// `max_time_per_record`: seconds of trying before a network failure (default 5).
    pub max_time_per_record: u32,
    /// `heartbeat_timeout`: seconds of quiet before a heartbeat (default 0: never).
    pub heartbeat_timeout: u32,
    /// `window` (our key): records sent before waiting for the first ACK (1..=64,
    /// default 16; 1 is audisp-remote's stop-and-wait). auditd 3.0.9's listener
    /// answers every frame it has read, in order, so a window works with it too.
    pub window: u32,
    /// `network_failure_action` (default `stop`).
    pub network_failure_action: FailureAction,
    /// `disk_low_action`: the receiver replied DISKLOW (default `ignore`).
    pub disk_low_action: FailureAction,
    /// `disk_full_action`: the receiver replied DISKFULL (default `warn_once`).
    pub disk_full_action: FailureAction,
    /// `disk_error_action`: the receiver replied DISKERROR (default `warn_once`).
    pub disk_error_action: FailureAction,
    /// `remote_ending_action`: the receiver sent ENDING (default `reconnect`).
    pub remote_ending_action: FailureAction,
    /// `generic_error_action`: an unknown fatal reply (default `syslog`).
    pub generic_error_action: FailureAction,
    /// `generic_warning_action`: an unknown warning reply (default `syslog`).
    pub generic_warning_action: FailureAction,
    /// `queue_error_action`: the queue file failed (default `stop`).
    pub queue_error_action: FailureAction,
    /// `overflow_action`: the queue is full (default `syslog`).
    pub overflow_action: OverflowAction,
    /// `startup_failure_action`: no connection at start (default
    /// `warn_once_continue`; only ignore, syslog, exec, warn_once and
    /// warn_once_continue are allowed).
    pub startup_failure_action: FailureAction,
    /// `tls_*`: our TLS settings, used with `transport = tls`.
    pub tls: TlsSettings,
    /// What was read but not used: unknown keys, ignored Kerberos keys, ascii format.
    pub warnings: Vec<ConfigWarning>,
}

impl Default for RemoteConfig {
    fn default() -> Self {
        Self {
            remote_server: None,
            port: 60,
            local_port: None,
            transport: Transport::Tcp,
            mode: Mode::Immediate,
            queue_file: None,
            queue_depth: 2048,
            format: WireFormat::Managed,
            network_retry_time: 1,
            max_tries_per_record: 3,
            max_time_per_record: 5,
            heartbeat_timeout: 0,
            window: 16,
            network_failure_action: FailureAction::Stop,
            disk_low_action: FailureAction::Ignore,
            disk_full_action: FailureAction::WarnOnce,
            disk_error_action: FailureAction::WarnOnce,
            remote_ending_action: FailureAction::Reconnect,
            generic_error_action: FailureAction::Syslog,
            generic_warning_action: FailureAction::Syslog,
            queue_error_action: FailureAction::Stop,
            overflow_action: OverflowAction::Syslog,
            startup_failure_action: FailureAction::WarnOnceContinue,
            tls: TlsSettings::default(),
            warnings: Vec::new(),
        }
    }
}

/// Something in the file that was read but has no effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The line (from 1).
    pub line: usize,
    /// What about it.
    pub message: String,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A line could not be taken.
    #[error("line {line}: {kind}")]
    Line {
        /// The line (from 1).
        line: usize,
        /// What is wrong with it.
        kind: LineError,
    },
    /// `mode = forward` with `format = ascii` (there is nothing to forward).
    #[error("line {line}: mode = forward needs format = managed")]
    ForwardNeedsManaged {
        /// The line of the `mode` or `format` key read last.
        line: usize,
    },
    /// `transport = tls` without `tls_ca_file`, or one of `tls_cert_file` and
    /// `tls_key_file` without the other.
    #[error("line {line}: {what}")]
    IncompleteTls {
        /// The line of the `transport` key.
        line: usize,
        /// What is missing.
        what: &'static str,
    },
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file, or a program named by `exec`, is not safe to trust (as audisp-remote
    /// checks: the file owned by root, not writable by others, a regular file; a
    /// program owned by root, owner rwx, group r-x, others not writing).
    #[error("{path}: {why}")]
    Insecure {
        /// The file or program.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
}

/// What is wrong with one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// No `=` after the key.
    #[error("no '=' after {key:?}")]
    MissingEquals {
        /// The first word of the line.
        key: String,
    },
    /// Nothing after `=`.
    #[error("{key} has no value")]
    EmptyValue {
        /// The key.
        key: String,
    },
    /// More words than `value option`.
    #[error("{key} has too many words after '=': {rest:?}")]
    TooManyWords {
        /// The key.
        key: String,
        /// Everything after `=`.
        rest: String,
    },
    /// A second word after the value, for a key that takes none.
    #[error("{key} takes no option, got {option:?}")]
    UnexpectedOption {
        /// The key.
        key: String,
        /// The extra word.
        option: String,
    },
    /// A number was expected.
    #[error("{key} = {value:?} is not a number")]
    NotANumber {
        /// The key.
        key: String,
        /// The value.
        value: String,
    },
    /// A number out of the key's range.
    #[error("{key} = {value} is out of range {min}..={max}")]
    OutOfRange {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// Smallest allowed.
        min: u32,
        /// Largest allowed.
        max: u32,
    },
    /// A word not among the key's values.
    #[error("{key} = {value:?} is not one of {expected}")]
    UnknownValue {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// The values it takes.
        expected: &'static str,
    },
    /// A path that must be absolute is not.
    #[error("{key} needs an absolute path, got {value:?}")]
    RelativePath {
        /// The key.
        key: String,
        /// The value.
        value: String,
    },
    /// `exec` without the program's path.
    #[error("{key} = exec needs the program's path after it")]
    ExecWithoutProgram {
        /// The key.
        key: String,
    },
    /// A value the key names but this build does not offer (`transport = krb5`).
    #[error("{key} = {value} is not supported by this build")]
    Unsupported {
        /// The key.
        key: String,
        /// The value.
        value: String,
    },
}

impl RemoteConfig {
    /// Reads the file at `path` as audisp-remote 3.0.9 does: it must be a regular
    /// file owned by root and not writable by others, and each `exec` program an
    /// absolute path to a regular file owned by root, with owner rwx, group r-x and
    /// no write by others. The file is opened through no symbolic link (where
    /// audisp-remote follows one) and checked as opened
    /// ([`audit_log::read_config_text`]), so that a link swapped in after the
    /// check is never read. A missing file is an error (audisp-remote goes on
    /// with the defaults, which name no server).
    ///
    /// # Errors
    /// [`ConfigError`]: the file missing, unreadable or not safe, or a line
    /// refused.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        use audit_log::ReadConfigError;
        let io = |source| ConfigError::Io {
            path: path.to_owned(),
            source,
        };
        let text = match audit_log::read_config_text(path, false) {
            Ok(Some(text)) => text,
            Ok(None) => return Err(io(std::io::ErrorKind::NotFound.into())),
            Err(ReadConfigError::Refused { problem, .. }) => {
                return Err(ConfigError::Insecure {
                    path: path.to_owned(),
                    why: problem.to_string(),
                })
            }
            Err(ReadConfigError::Io { source, .. }) => return Err(io(source)),
            // It reads, it does not parse: no other error comes from it.
            Err(other) => return Err(io(std::io::Error::other(other.to_string()))),
        };
        let config = Self::parse(&text)?;
        for program in config.programs() {
            check_program(program)?;
        }
        Ok(config)
    }

    /// Parses the text of a configuration (no file checks).
    ///
    /// # Errors
    /// [`ConfigError::Line`] for the first line refused, or
    /// [`ConfigError::ForwardNeedsManaged`].
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        let mut mode_or_format_line = 0;
        let mut transport_line = 0;
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            if raw
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("transport")
            {
                transport_line = line;
            }
            config
                .parse_line(raw, line, &mut mode_or_format_line)
                .map_err(|kind| ConfigError::Line { line, kind })?;
        }
        if config.transport == Transport::Tls {
            let tls = &config.tls;
            let what = if tls.ca_file.is_none() {
                Some("transport = tls needs tls_ca_file (auditd 4.2's pre-shared keys are not offered)")
            } else if tls.cert_file.is_some() != tls.key_file.is_some() {
                Some("tls_cert_file and tls_key_file go together")
            } else {
                None
            };
            if let Some(what) = what {
                return Err(ConfigError::IncompleteTls {
                    line: transport_line,
                    what,
                });
            }
        }
        if config.mode == Mode::Forward && config.format != WireFormat::Managed {
            return Err(ConfigError::ForwardNeedsManaged {
                line: mode_or_format_line,
            });
        }
        Ok(config)
    }

    /// The [`SenderConfig`](crate::sender::SenderConfig) these settings ask for,
    /// sending to `server` (resolved from `remote_server` and `port`), with `window`
    /// frames in flight.
    pub fn sender_config(&self, server: std::net::SocketAddr) -> crate::sender::SenderConfig {
        let mut config = crate::sender::SenderConfig::new(server);
        config.retry_time = Duration::from_secs(self.network_retry_time.into());
        config.max_tries = self.max_tries_per_record;
        config.max_time = Some(Duration::from_secs(self.max_time_per_record.into()));
        // audisp-remote waits this long for a reply too: a receiver that stopped
        // answering is a network failure after max_time_per_record.
        config.reply_timeout = Duration::from_secs(self.max_time_per_record.max(1).into());
        config.heartbeat_timeout = (self.heartbeat_timeout > 0)
            .then(|| Duration::from_secs(self.heartbeat_timeout.into()));
        config.queue_depth = self.queue_depth as usize;
        config.local_port = self.local_port;
        config.window = self.window as usize;
        config.reconnect_on_ending = self.remote_ending_action == FailureAction::Reconnect;
        config
    }

    /// The programs named by `exec` actions.
    pub fn programs(&self) -> impl Iterator<Item = &Path> {
        [
            &self.network_failure_action,
            &self.disk_low_action,
            &self.disk_full_action,
            &self.disk_error_action,
            &self.remote_ending_action,
            &self.generic_error_action,
            &self.generic_warning_action,
            &self.queue_error_action,
            &self.startup_failure_action,
        ]
        .into_iter()
        .filter_map(|action| match action {
            FailureAction::Exec(program) => Some(program.as_path()),
            _ => None,
        })
    }

    fn parse_line(
        &mut self,
        raw: &str,
        line: usize,
        mode_or_format_line: &mut usize,
    ) -> Result<(), LineError> {
        let text = raw.trim();
        if text.is_empty() || text.starts_with('#') {
            return Ok(());
        }
        let Some((key, rest)) = text.split_once('=') else {
            let key = text.split_whitespace().next().unwrap_or_default();
            return Err(LineError::MissingEquals { key: key.into() });
        };
        let key = key.trim();
        if key.split_whitespace().count() != 1 {
            return Err(LineError::MissingEquals { key: key.into() });
        }
        let key = key.to_ascii_lowercase();
        let mut words = rest.split_whitespace();
        let value = words.next();
        let option = words.next();
        if words.next().is_some() {
            return Err(LineError::TooManyWords {
                key,
                rest: rest.trim().into(),
            });
        }
        let Some(value) = value else {
            if key == "remote_server" {
                self.remote_server = None;
                return Ok(());
            }
            return Err(LineError::EmptyValue { key });
        };
        let takes_option = key.ends_with("_action");
        if let (false, Some(option)) = (takes_option, option) {
            return Err(LineError::UnexpectedOption {
                key,
                option: option.into(),
            });
        }
        let words = |expected: &'static str| -> Result<usize, LineError> {
            expected
                .split(", ")
                .position(|w| w.eq_ignore_ascii_case(value))
                .ok_or_else(|| LineError::UnknownValue {
                    key: key.clone(),
                    value: value.into(),
                    expected,
                })
        };
        match key.as_str() {
            "remote_server" => self.remote_server = Some(value.into()),
            "port" => self.port = number(&key, value, 0, 65535)? as u16,
            "local_port" => {
                self.local_port = if value.eq_ignore_ascii_case("any") {
                    None
                } else {
                    Some(number(&key, value, 0, 65535)? as u16)
                }
            }
            "transport" => {
                if value.eq_ignore_ascii_case("krb5") {
                    return Err(LineError::Unsupported {
                        key,
                        value: value.into(),
                    });
                }
                self.transport = [Transport::Tcp, Transport::Tls][words("tcp, tls")?];
            }
            "mode" => {
                self.mode = [Mode::Immediate, Mode::Forward][words("immediate, forward")?];
                *mode_or_format_line = line;
            }
            "queue_file" => {
                if !value.starts_with('/') {
                    return Err(LineError::RelativePath {
                        key,
                        value: value.into(),
                    });
                }
                self.queue_file = Some(value.into());
            }
            "queue_depth" => self.queue_depth = number(&key, value, 1, INT_MAX)?,
            "format" => {
                self.format = [WireFormat::Managed, WireFormat::Ascii][words("managed, ascii")?];
                *mode_or_format_line = line;
                if self.format == WireFormat::Ascii {
                    self.warnings.push(ConfigWarning {
                        line,
                        message: "format = ascii: auditd's listener silently discards \
                                  unframed records, and our sender refuses to send them"
                            .into(),
                    });
                }
            }
            "network_retry_time" => self.network_retry_time = number(&key, value, 1, INT_MAX)?,
            "max_tries_per_record" => self.max_tries_per_record = number(&key, value, 1, INT_MAX)?,
            "max_time_per_record" => self.max_time_per_record = number(&key, value, 1, INT_MAX)?,
            "heartbeat_timeout" => self.heartbeat_timeout = number(&key, value, 0, INT_MAX)?,
            "window" => self.window = number(&key, value, 1, 64)?,
            "tls_ca_file" | "tls_cert_file" | "tls_key_file" => {
                if !value.starts_with('/') {
                    return Err(LineError::RelativePath {
                        key,
                        value: value.into(),
                    });
                }
                let slot = match key.as_str() {
                    "tls_ca_file" => &mut self.tls.ca_file,
                    "tls_cert_file" => &mut self.tls.cert_file,
                    _ => &mut self.tls.key_file,
                };
                *slot = Some(value.into());
            }
            "tls_server_name" => self.tls.server_name = Some(value.into()),
            "tls_psk_file" | "tls_psk_identity" | "tls_cipher_suites" | "tls_key_exchange"
            | "tls_require_pqc" | "tls_auth" | "tls_crypto_profile" => {
                self.warnings.push(ConfigWarning {
                    line,
                    message: format!(
                        "{key}: auditd 4.2's pre-shared-key TLS is not offered (ours uses \
                         certificates: tls_ca_file), ignored"
                    ),
                })
            }
            "enable_krb5" | "krb5_principal" | "krb5_client_name" | "krb5_key_file" => {
                self.warnings.push(ConfigWarning {
                    line,
                    message: format!("{key}: Kerberos is not supported, ignored"),
                })
            }
            "overflow_action" => {
                self.overflow_action = [
                    OverflowAction::Ignore,
                    OverflowAction::Syslog,
                    OverflowAction::Suspend,
                    OverflowAction::Single,
                    OverflowAction::Halt,
                ][words("ignore, syslog, suspend, single, halt")?];
                if let Some(option) = option {
                    return Err(LineError::UnexpectedOption {
                        key,
                        option: option.into(),
                    });
                }
            }
            "network_failure_action"
            | "disk_low_action"
            | "disk_full_action"
            | "disk_error_action"
            | "remote_ending_action"
            | "generic_error_action"
            | "generic_warning_action"
            | "queue_error_action"
            | "startup_failure_action" => {
                let action = failure_action(&key, value, option)?;
                let slot = match key.as_str() {
                    "network_failure_action" => &mut self.network_failure_action,
                    "disk_low_action" => &mut self.disk_low_action,
                    "disk_full_action" => &mut self.disk_full_action,
                    "disk_error_action" => &mut self.disk_error_action,
                    "remote_ending_action" => &mut self.remote_ending_action,
                    "generic_error_action" => &mut self.generic_error_action,
                    "generic_warning_action" => &mut self.generic_warning_action,
                    "queue_error_action" => &mut self.queue_error_action,
                    _ => &mut self.startup_failure_action,
                };
                *slot = action;
            }
            _ => self.warnings.push(ConfigWarning {
                line,
                message: format!("unknown key {key:?}, ignored"),
            }),
        }
        Ok(())
    }
}

const INT_MAX: u32 = i32::MAX as u32;

/// A decimal number of digits only, within `min..=max`.
fn number(key: &str, value: &str, min: u32, max: u32) -> Result<u32, LineError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(LineError::NotANumber {
            key: key.into(),
            value: value.into(),
        });
    }
    let out_of_range = || LineError::OutOfRange {
        key: key.into(),
        value: value.into(),
        min,
        max,
    };
    let n: u32 = value.parse().map_err(|_| out_of_range())?;
    if n < min || n > max {
        return Err(out_of_range());
    }
    Ok(n)
}

fn failure_action(
    key: &str,
    value: &str,
    option: Option<&str>,
) -> Result<FailureAction, LineError> {
    let lower = value.to_ascii_lowercase();
    let startup = key == "startup_failure_action";
    let (allowed, expected): (bool, &'static str) = if startup {
        (
            matches!(
                lower.as_str(),
                "ignore" | "syslog" | "exec" | "warn_once" | "warn_once_continue"
            ),
            "ignore, syslog, exec, warn_once, warn_once_continue",
        )
    } else if key == "remote_ending_action" {
        (
            true,
            "ignore, syslog, exec, warn_once, warn_once_continue, reconnect, suspend, single, halt, stop",
        )
    } else {
        (
            lower != "reconnect",
            "ignore, syslog, exec, warn_once, warn_once_continue, suspend, single, halt, stop",
        )
    };
    let unknown = || LineError::UnknownValue {
        key: key.into(),
        value: value.into(),
        expected,
    };
    if !allowed {
        return Err(unknown());
    }
    let action = match lower.as_str() {
        "ignore" => FailureAction::Ignore,
        "syslog" => FailureAction::Syslog,
        "exec" => {
            let program =
                option.ok_or_else(|| LineError::ExecWithoutProgram { key: key.into() })?;
            if !program.starts_with('/') {
                return Err(LineError::RelativePath {
                    key: key.into(),
                    value: program.into(),
                });
            }
            return Ok(FailureAction::Exec(program.into()));
        }
        "warn_once_continue" => FailureAction::WarnOnceContinue,
        "warn_once" => FailureAction::WarnOnce,
        "reconnect" => FailureAction::Reconnect,
        "suspend" => FailureAction::Suspend,
        "single" => FailureAction::Single,
        "halt" => FailureAction::Halt,
        "stop" => FailureAction::Stop,
        _ => return Err(unknown()),
    };
    if let Some(option) = option {
        return Err(LineError::UnexpectedOption {
            key: key.into(),
            option: option.into(),
        });
    }
    Ok(action)
}

/// audisp-remote's checks of a program to run: a regular file owned by root, with
/// owner rwx, group r-x, others not writing.
fn check_program(program: &Path) -> Result<(), ConfigError> {
    let insecure = |why: String| ConfigError::Insecure {
        path: program.to_owned(),
        why,
    };
    let meta = std::fs::metadata(program).map_err(|e| insecure(e.to_string()))?;
    if !meta.file_type().is_file() {
        return Err(insecure("not a regular file".into()));
    }
    if meta.uid() != 0 {
        return Err(insecure("not owned by root".into()));
    }
    if meta.mode() & 0o772 != 0o750 {
        return Err(insecure(format!(
            "mode {:o}: needs owner rwx, group r-x and no write by others",
            meta.mode() & 0o7777
        )));
    }
    Ok(())
}
