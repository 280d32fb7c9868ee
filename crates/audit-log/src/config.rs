//! The auditd.conf keys of the log writer: a typed configuration and a
//! parser for auditd.conf's `key = value [option]` lines.

use crate::format::LogFormat;
use std::path::{Path, PathBuf};

/// When written records are forced to disk (`flush`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flush {
    /// Never: each record is handed to the kernel with one `write`, the
    /// kernel writes it back when it likes.
    None,
    /// Every `freq` records the log is `fsync`ed before the next record is
    /// written.
    #[default]
    Incremental,
    /// Every `freq` records a background thread `fsync`s the log; writing
    /// goes on meanwhile.
    IncrementalAsync,
    /// The log is opened `O_DSYNC`: each write returns once its data (and the
    /// size) are on disk.
    Data,
    /// The log is opened `O_SYNC`: each write returns once data and all
    /// metadata are on disk.
    Sync,
}

/// What to do when the log reaches `max_log_file` (`max_log_file_action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SizeAction {
    /// Nothing.
    Ignore,
    /// Report it (the caller syslogs), keep writing.
    Syslog,
    /// Stop writing until resumed.
    Suspend,
    /// Rotate: `audit.log` becomes `audit.log.1`, ... up to `num_logs - 1`;
    /// older files are removed. No rotation when `num_logs < 2`.
    #[default]
    Rotate,
    /// Rotate without removing anything: the numbers go up as far as needed.
    KeepLogs,
}

/// An action on low disk space, a full disk or a write error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Action {
    /// Nothing.
    #[default]
    Ignore,
    /// Report it (the caller syslogs it).
    Syslog,
    /// Rotate the logs (only `space_left`, `admin_space_left` and
    /// `disk_full_action`).
    Rotate,
    /// Report it: the caller mails `action_mail_acct` (only the two
    /// `space_left` actions).
    Email,
    /// Close the log, suspend writing and run this program (no arguments,
    /// empty environment); resume afterwards.
    Exec(PathBuf),
    /// Close the log and suspend writing until resumed.
    Suspend,
    /// Report it: the caller switches the machine to single-user mode. The
    /// writer goes on writing meanwhile, as auditd does.
    Single,
    /// Report it: the caller halts the machine. The writer goes on writing
    /// meanwhile, as auditd does.
    Halt,
}

impl Action {
    /// The auditd.conf word for the action.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Ignore => "ignore",
            Action::Syslog => "syslog",
            Action::Rotate => "rotate",
            Action::Email => "email",
            Action::Exec(_) => "exec",
            Action::Suspend => "suspend",
            Action::Single => "single",
            Action::Halt => "halt",
        }
    }
}

/// A disk-space threshold (`space_left`, `admin_space_left`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    /// Megabytes free on the log's file system.
    Megabytes(u64),
    /// This percentage (0..=99) of the file system's size, worked out when
    /// the log is opened.
    Percent(u8),
}

/// How the `node=` name is chosen (`name_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NameFormat {
    /// No `node=` prefix.
    #[default]
    None,
    /// The host name (`uname -n`).
    Hostname,
    /// The fully qualified domain name.
    Fqd,
    /// The host's IP address.
    Numeric,
    /// The `name` key's value.
    User,
}

/// The log writer's settings, as auditd.conf names them. [`Default`] gives
/// auditd 3.0.9's built-in values (used for keys a file leaves out) except
/// where noted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogConfig {
    /// `write_logs`: whether records are written at all (`log_format = nolog`
    /// sets it to false too).
    pub write_logs: bool,
    /// `log_file`: the log's path (`/var/log/audit/audit.log`).
    pub log_file: PathBuf,
    /// `log_format` (enriched; raw after `log_format = nolog`).
    pub log_format: LogFormat,
    /// `log_group`: the group of the log, its rotated files and its
    /// directory (0: mode 0600, otherwise 0640; directory 0700 / 0750).
    pub log_group: u32,
    /// `flush` (auditd's built-in default is none; the shipped file says
    /// incremental_async).
    pub flush: Flush,
    /// `freq`: records between flushes for the incremental modes.
    pub freq: u32,
    /// `num_logs`: how many logs rotation keeps (0..=999), the current one
    /// included.
    pub num_logs: u32,
    /// `max_log_file`: the size in megabytes (2^20 bytes) at which
    /// `max_log_file_action` runs; 0 means no limit.
    pub max_log_file: u64,
    /// `max_log_file_action`.
    pub max_log_file_action: SizeAction,
    /// `space_left`.
    pub space_left: Space,
    /// `space_left_action`.
    pub space_left_action: Action,
    /// `admin_space_left`.
    pub admin_space_left: Space,
    /// `admin_space_left_action`.
    pub admin_space_left_action: Action,
    /// `disk_full_action`.
    pub disk_full_action: Action,
    /// `disk_error_action`.
    pub disk_error_action: Action,
    /// `name_format`.
    pub name_format: NameFormat,
    /// `name`: the node name for [`NameFormat::User`].
    pub name: Option<String>,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            write_logs: true,
            log_file: PathBuf::from("/var/log/audit/audit.log"),
            log_format: LogFormat::Enriched,
            log_group: 0,
            flush: Flush::None,
            freq: 0,
            num_logs: 0,
            max_log_file: 0,
            max_log_file_action: SizeAction::Ignore,
            space_left: Space::Megabytes(0),
            space_left_action: Action::Ignore,
            admin_space_left: Space::Megabytes(0),
            admin_space_left_action: Action::Ignore,
            disk_full_action: Action::Ignore,
            disk_error_action: Action::Syslog,
            name_format: NameFormat::None,
            name: None,
        }
    }
}

/// Why a configuration was refused. Every variant for a line names it
/// (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A line is not `key = value [option]`.
    #[error("line {line}: expected `key = value`: {text:?}")]
    Syntax {
        /// The line number.
        line: usize,
        /// The line.
        text: String,
    },
    /// A value the key does not take.
    #[error("line {line}: {key} = {value:?}: {expected}")]
    BadValue {
        /// The line number.
        line: usize,
        /// The key.
        key: String,
        /// The value given.
        value: String,
        /// What the key takes.
        expected: &'static str,
    },
    /// An option word after a value that takes none.
    #[error("line {line}: {key} takes no option after its value, found {option:?}")]
    UnexpectedOption {
        /// The line number.
        line: usize,
        /// The key.
        key: String,
        /// The option given.
        option: String,
    },
    /// `exec` without a usable program.
    #[error("line {line}: {key} = exec: {problem}")]
    BadExec {
        /// The line number.
        line: usize,
        /// The key.
        key: String,
        /// What is wrong with the program.
        problem: String,
    },
    /// `space_left` is not above `admin_space_left` (both in megabytes).
    #[error(
        "space_left ({space_left} MB) must be larger than admin_space_left ({admin_space_left} MB)"
    )]
    SpaceLeftNotAboveAdmin {
        /// `space_left`.
        space_left: u64,
        /// `admin_space_left`.
        admin_space_left: u64,
    },
    /// An incremental flush with `freq = 0`.
    #[error("flush = incremental or incremental_async needs a freq above 0")]
    ZeroFreq,
    /// `log_group` other than root for a log directly in `/var/log`: the
    /// group would be set on that system directory.
    #[error("log_file is directly in /var/log and log_group would change that directory's group")]
    GroupOnVarLog,
}

/// A line the parser did not take as one of its keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherKey {
    /// The line number (1-based).
    pub line: usize,
    /// The key, in lower case (keys are case-insensitive, as auditd reads
    /// them).
    pub key: String,
    /// The value.
    pub value: String,
    /// The word after the value, if any.
    pub option: Option<String>,
    /// Whether auditd 3.0.9 knows the key (a daemon's own key such as
    /// `q_depth`); an unknown key deserves a warning.
    pub known_to_auditd: bool,
}

/// A parsed auditd.conf: the writer's settings and the other lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedConfig {
    /// The writer's settings (defaults for keys the file leaves out).
    pub config: LogConfig,
    /// Lines with keys of the daemon ([`OtherKey::known_to_auditd`]) and
    /// unknown keys, in file order, for the caller to parse or warn about.
    pub others: Vec<OtherKey>,
}

impl ParsedConfig {
    /// The keys auditd 3.0.9 does not know, for warnings.
    pub fn unknown_keys(&self) -> impl Iterator<Item = &OtherKey> {
        self.others.iter().filter(|k| !k.known_to_auditd)
    }
}

/// auditd 3.0.9's keys that [`LogConfig`] does not hold.
const DAEMON_KEYS: &[&str] = &[
    "local_events",
    "dispatcher",
    "disp_qos",
    "action_mail_acct",
    "verify_email",
    "priority_boost",
    "tcp_listen_port",
    "tcp_listen_queue",
    "tcp_max_per_addr",
    "use_libwrap",
    "tcp_client_ports",
    "tcp_client_max_idle",
    "transport",
    "enable_krb5",
    "krb5_principal",
    "krb5_key_file",
    "distribute_network",
    "q_depth",
    "overflow_action",
    "max_restarts",
    "plugin_dir",
    "end_of_event_timeout",
];

/// Which actions a key takes.
#[derive(Clone, Copy)]
enum ActionKey {
    SpaceLeft,
    DiskFull,
    DiskError,
}

impl LogConfig {
    /// Parses auditd.conf text: `key = value [option]` per line (words
    /// separated by spaces, `=` a word of its own), `#` comments, values
    /// case-insensitive, as auditd reads them. The keys of
    /// [`LogConfig`] are checked and typed; other lines are returned in
    /// [`ParsedConfig::others`]. After the lines, auditd's cross-checks:
    /// `space_left` above `admin_space_left` (when both are megabytes), a
    /// non-zero `freq` for the incremental modes, no `log_group` for a log in
    /// `/var/log`.
    ///
    /// ```
    /// use audit_log::{Flush, LogConfig, SizeAction, Space};
    /// let parsed = LogConfig::parse("flush = INCREMENTAL_ASYNC\nfreq = 50\nspace_left = 25%\nmax_log_file_action = keep_logs\nq_depth = 1200\nfrob = 1\n").unwrap();
    /// assert_eq!(parsed.config.flush, Flush::IncrementalAsync);
    /// assert_eq!(parsed.config.space_left, Space::Percent(25));
    /// assert_eq!(parsed.config.max_log_file_action, SizeAction::KeepLogs);
    /// assert_eq!(parsed.others.len(), 2);
    /// assert_eq!(parsed.unknown_keys().next().unwrap().key, "frob");
    /// let err = LogConfig::parse("num_logs = ten\n").unwrap_err();
    /// assert_eq!(err.to_string(), "line 1: num_logs = \"ten\": a number of 0..=999");
    /// ```
    pub fn parse(text: &str) -> Result<ParsedConfig, ConfigError> {
        let mut config = LogConfig::default();
        let mut others = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            // Words are separated by spaces only, as auditd splits them: a
            // file this parser takes, auditd takes too.
            let words: Vec<&str> = raw.split(' ').filter(|w| !w.is_empty()).collect();
            if words.is_empty() || words[0].starts_with('#') {
                continue;
            }
            let (key, value, option) = split_line(&words).ok_or_else(|| ConfigError::Syntax {
                line,
                text: raw.to_string(),
            })?;
            config.apply(line, key, value, option, &mut others)?;
        }
        config.check()?;
        Ok(ParsedConfig { config, others })
    }

    /// Reads the file at `path` as auditd opens it ([`read_config_text`], no
    /// symbolic link followed) and parses it ([`LogConfig::parse`]). A missing
    /// file is an error here ([`ReadConfigError::Io`], `NotFound`): a daemon that
    /// goes on with the defaults, as auditd does, calls [`read_config_text`].
    pub fn read(path: &Path) -> Result<ParsedConfig, ReadConfigError> {
        let text = read_config_text(path, false)?.ok_or_else(|| ReadConfigError::Io {
            path: path.to_path_buf(),
            source: std::io::ErrorKind::NotFound.into(),
        })?;
        Self::parse(&text).map_err(|source| ReadConfigError::Config {
            path: path.to_path_buf(),
            source,
        })
    }

    fn apply(
        &mut self,
        line: usize,
        key: &str,
        value: &str,
        option: Option<&str>,
        others: &mut Vec<OtherKey>,
    ) -> Result<(), ConfigError> {
        // Keys are case-insensitive, as auditd compares them (`strcasecmp`).
        let key = &*key.to_ascii_lowercase();
        let bad = |expected: &'static str| ConfigError::BadValue {
            line,
            key: key.to_string(),
            value: value.to_string(),
            expected,
        };
        let takes_option = matches!(
            key,
            "space_left_action"
                | "admin_space_left_action"
                | "disk_full_action"
                | "disk_error_action"
        );
        let is_ours = matches!(
            key,
            "write_logs"
                | "log_file"
                | "log_format"
                | "log_group"
                | "flush"
                | "freq"
                | "num_logs"
                | "max_log_file"
                | "max_log_file_action"
                | "space_left"
                | "admin_space_left"
                | "name_format"
                | "name"
        ) || takes_option;
        if !is_ours {
            others.push(OtherKey {
                line,
                key: key.to_string(),
                value: value.to_string(),
                option: option.map(str::to_string),
                known_to_auditd: DAEMON_KEYS.contains(&key),
            });
            return Ok(());
        }
        if let (false, Some(o)) = (takes_option, option) {
            return Err(ConfigError::UnexpectedOption {
                line,
                key: key.to_string(),
                option: o.to_string(),
            });
        }
        let word = value.to_ascii_lowercase();
        match key {
            "write_logs" => {
                self.write_logs = match word.as_str() {
                    "yes" => true,
                    "no" => false,
                    _ => return Err(bad("yes or no")),
                }
            }
            "log_file" => {
                if !value.starts_with('/') {
                    return Err(bad("an absolute path"));
                }
                self.log_file = PathBuf::from(value);
            }
            "log_format" => match word.as_str() {
                "raw" => self.log_format = LogFormat::Raw,
                "enriched" => self.log_format = LogFormat::Enriched,
                // auditd's NOLOG is a format of its own, not ENRICHED: what
                // formats records for others (a dispatcher) then writes them raw.
                "nolog" => {
                    self.write_logs = false;
                    self.log_format = LogFormat::Raw;
                }
                _ => return Err(bad("raw, enriched or nolog")),
            },
            "log_group" => {
                self.log_group = if value.as_bytes()[0].is_ascii_digit() {
                    value.parse().map_err(|_| bad("a group name or number"))?
                } else {
                    audit_nss::group_id(value.as_bytes()).ok_or_else(|| bad("a known group"))?
                }
            }
            "flush" => {
                self.flush = match word.as_str() {
                    "none" => Flush::None,
                    "incremental" => Flush::Incremental,
                    "incremental_async" => Flush::IncrementalAsync,
                    "data" => Flush::Data,
                    "sync" => Flush::Sync,
                    _ => return Err(bad("none, incremental, incremental_async, data or sync")),
                }
            }
            "freq" => {
                self.freq = digits(value)
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|&n| n <= i32::MAX as u32)
                    .ok_or_else(|| bad("a number of 0..=2147483647"))?
            }
            "num_logs" => {
                self.num_logs = digits(value)
                    .filter(|&n| n <= 999)
                    .map(|n| n as u32)
                    .ok_or_else(|| bad("a number of 0..=999"))?
            }
            "max_log_file" => {
                self.max_log_file = digits(value).ok_or_else(|| bad("a number of megabytes"))?
            }
            "max_log_file_action" => {
                self.max_log_file_action = match word.as_str() {
                    "ignore" => SizeAction::Ignore,
                    "syslog" => SizeAction::Syslog,
                    "suspend" => SizeAction::Suspend,
                    "rotate" => SizeAction::Rotate,
                    "keep_logs" => SizeAction::KeepLogs,
                    _ => return Err(bad("ignore, syslog, suspend, rotate or keep_logs")),
                }
            }
            "space_left" | "admin_space_left" => {
                let space = parse_space(value)
                    .ok_or_else(|| bad("megabytes, or a percentage below 100 (25%)"))?;
                if key == "space_left" {
                    self.space_left = space;
                } else {
                    self.admin_space_left = space;
                }
            }
            "space_left_action" => {
                self.space_left_action =
                    parse_action(line, key, value, option, ActionKey::SpaceLeft)?
            }
            "admin_space_left_action" => {
                self.admin_space_left_action =
                    parse_action(line, key, value, option, ActionKey::SpaceLeft)?
            }
            "disk_full_action" => {
                self.disk_full_action = parse_action(line, key, value, option, ActionKey::DiskFull)?
            }
            "disk_error_action" => {
                self.disk_error_action =
                    parse_action(line, key, value, option, ActionKey::DiskError)?
            }
            "name_format" => {
                self.name_format = match word.as_str() {
                    "none" => NameFormat::None,
                    "hostname" => NameFormat::Hostname,
                    "fqd" => NameFormat::Fqd,
                    "numeric" => NameFormat::Numeric,
                    "user" => NameFormat::User,
                    _ => return Err(bad("none, hostname, fqd, numeric or user")),
                }
            }
            "name" => self.name = Some(value.to_string()),
            _ => unreachable!("is_ours lists the keys matched here"),
        }
        Ok(())
    }

    /// auditd's checks across keys ([`LogConfig::parse`] runs them).
    pub fn check(&self) -> Result<(), ConfigError> {
        if let (Space::Megabytes(s), Space::Megabytes(a)) = (self.space_left, self.admin_space_left)
        {
            // Both 0 (neither key given) means no thresholds; auditd refuses
            // even that, which makes every file name both keys.
            if s <= a && (s != 0 || a != 0) {
                return Err(ConfigError::SpaceLeftNotAboveAdmin {
                    space_left: s,
                    admin_space_left: a,
                });
            }
        }
        if matches!(self.flush, Flush::Incremental | Flush::IncrementalAsync) && self.freq == 0 {
            return Err(ConfigError::ZeroFreq);
        }
        if self.log_group != 0 && self.log_file.parent() == Some(Path::new("/var/log")) {
            return Err(ConfigError::GroupOnVarLog);
        }
        Ok(())
    }

    /// The `node=` name the settings ask for: `None` for
    /// [`NameFormat::None`], the host name, its address or the `name` key
    /// (the host name when [`NameFormat::User`] has no `name`).
    /// [`NameFormat::Fqd`] gives the host name when the resolver has no
    /// longer one (the canonical name is not looked up here).
    pub fn node_name(&self) -> Option<String> {
        let host = || {
            rustix::system::uname()
                .nodename()
                .to_string_lossy()
                .into_owned()
        };
        match self.name_format {
            NameFormat::None => None,
            NameFormat::Hostname | NameFormat::Fqd => Some(host()),
            NameFormat::Numeric => {
                let h = host();
                Some(audit_nss::host_address(h.as_bytes()).map_or(h, |a| a.to_string()))
            }
            NameFormat::User => Some(self.name.clone().unwrap_or_else(host)),
        }
    }
}

/// A config file that could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum ReadConfigError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not one auditd would read ([`read_config_text`]).
    #[error("{}: {problem}", path.display())]
    Refused {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        problem: FileProblem,
    },
    /// The file's text was refused.
    #[error("{}: {source}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// The error.
        source: ConfigError,
    },
}

/// Why a configuration file was refused ([`read_config_text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FileProblem {
    /// Its owner is not root.
    #[error("not owned by root (owner uid {0})")]
    NotOwnedByRoot(u32),
    /// Others may write it.
    #[error("world writable")]
    WorldWritable,
    /// It is a directory, a device, a FIFO...
    #[error("not a regular file")]
    NotRegular,
    /// It is a symbolic link, and links are not followed.
    #[error("a symbolic link (not followed)")]
    SymbolicLink,
}

/// The text of a configuration file (auditd.conf), read as auditd reads it
/// ([`open_config_file`]); `Ok(None)` when there is no file: auditd then warns
/// and goes on with the defaults.
///
/// ```
/// use audit_log::{read_config_text, FileProblem, ReadConfigError};
/// let missing = std::path::Path::new("/nonexistent/auditd.conf");
/// assert!(read_config_text(missing, false).unwrap().is_none());
/// let dir = std::env::temp_dir();
/// match read_config_text(&dir, false) {
///     Err(ReadConfigError::Refused { problem, .. }) => {
///         assert!(matches!(problem, FileProblem::NotRegular | FileProblem::NotOwnedByRoot(_)
///                                   | FileProblem::WorldWritable))
///     }
///     other => panic!("{other:?}"),
/// }
/// ```
pub fn read_config_text(
    path: &Path,
    follow_links: bool,
) -> Result<Option<String>, ReadConfigError> {
    use std::io::Read;
    let Some(mut file) = open_config_file(path, follow_links)? else {
        return Ok(None);
    };
    let mut text = String::new();
    file.read_to_string(&mut text)
        .map_err(|source| ReadConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(Some(text))
}

/// Opens a configuration file as auditd (its auditd.conf) and auditctl (a rule
/// file for `-R`) open theirs: through no symbolic link unless `follow_links`
/// (auditd's `-l`; auditctl follows them), and only a regular file owned by root
/// that others cannot write, checked on the opened file, in their order (owner,
/// mode, type). A FIFO in the file's place cannot hold the open. `Ok(None)` when
/// there is no file.
pub fn open_config_file(
    path: &Path,
    follow_links: bool,
) -> Result<Option<std::fs::File>, ReadConfigError> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let refused = |problem| ReadConfigError::Refused {
        path: path.to_path_buf(),
        problem,
    };
    let io = |source| ReadConfigError::Io {
        path: path.to_path_buf(),
        source,
    };
    // O_NONBLOCK: a FIFO planted in the file's place cannot hold the open.
    let mut flags = libc::O_CLOEXEC | libc::O_NOCTTY | libc::O_NONBLOCK;
    if !follow_links {
        flags |= libc::O_NOFOLLOW;
    }
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) && !follow_links => {
            return Err(refused(FileProblem::SymbolicLink))
        }
        Err(e) => return Err(io(e)),
    };
    let meta = file.metadata().map_err(io)?;
    if meta.uid() != 0 {
        return Err(refused(FileProblem::NotOwnedByRoot(meta.uid())));
    }
    if meta.mode() & 0o002 != 0 {
        return Err(refused(FileProblem::WorldWritable));
    }
    if !meta.file_type().is_file() {
        return Err(refused(FileProblem::NotRegular));
    }
    Ok(Some(file))
}

fn split_line<'a>(words: &[&'a str]) -> Option<(&'a str, &'a str, Option<&'a str>)> {
    match words {
        [k, "=", v] => Some((k, v, None)),
        [k, "=", v, o] => Some((k, v, Some(o))),
        _ => None,
    }
}

fn digits(v: &str) -> Option<u64> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

fn parse_space(v: &str) -> Option<Space> {
    match v.strip_suffix('%') {
        Some(p) => digits(p)
            .filter(|&n| n <= 99)
            .map(|n| Space::Percent(n as u8)),
        None => digits(v).map(Space::Megabytes),
    }
}

fn parse_action(
    line: usize,
    key: &str,
    value: &str,
    option: Option<&str>,
    which: ActionKey,
) -> Result<Action, ConfigError> {
    let expected = match which {
        ActionKey::SpaceLeft => "ignore, syslog, rotate, email, exec, suspend, single or halt",
        ActionKey::DiskFull => "ignore, syslog, rotate, exec, suspend, single or halt",
        ActionKey::DiskError => "ignore, syslog, exec, suspend, single or halt",
    };
    let bad = || ConfigError::BadValue {
        line,
        key: key.to_string(),
        value: value.to_string(),
        expected,
    };
    let action = match value.to_ascii_lowercase().as_str() {
        "ignore" => Action::Ignore,
        "syslog" => Action::Syslog,
        "rotate" if !matches!(which, ActionKey::DiskError) => Action::Rotate,
        "email" if matches!(which, ActionKey::SpaceLeft) => Action::Email,
        "exec" => {
            let exe = option.ok_or_else(|| ConfigError::BadExec {
                line,
                key: key.to_string(),
                problem: "the program's path must follow `exec`".into(),
            })?;
            check_exe(exe).map_err(|problem| ConfigError::BadExec {
                line,
                key: key.to_string(),
                problem,
            })?;
            return Ok(Action::Exec(PathBuf::from(exe)));
        }
        "suspend" => Action::Suspend,
        "single" => Action::Single,
        "halt" => Action::Halt,
        _ => return Err(bad()),
    };
    if let Some(o) = option {
        return Err(ConfigError::UnexpectedOption {
            line,
            key: key.to_string(),
            option: o.to_string(),
        });
    }
    Ok(action)
}

/// auditd's checks of an `exec` program: absolute, a regular file owned by
/// root, mode 0750, 0755, 0555 or 0550.
fn check_exe(exe: &str) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    if !exe.starts_with('/') {
        return Err(format!("{exe}: an absolute path is needed"));
    }
    let meta = std::fs::metadata(exe).map_err(|e| format!("{exe}: {e}"))?;
    if !meta.is_file() {
        return Err(format!("{exe} is not a regular file"));
    }
    if meta.uid() != 0 {
        return Err(format!("{exe} is not owned by root"));
    }
    if !matches!(meta.mode() & 0o777, 0o750 | 0o755 | 0o555 | 0o550) {
        return Err(format!(
            "{exe}: mode {:o}, should be 0750, 0755, 0555 or 0550",
            meta.mode() & 0o777
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_line() {
        let e = LogConfig::parse("# c\n\nflush = sometimes\n").unwrap_err();
        assert!(matches!(e, ConfigError::BadValue { line: 3, .. }), "{e}");
        for bad in [
            "flush none\n",
            "flush=none\n",
            "flush =none\n",
            "flush = none a b\n",
        ] {
            let e = LogConfig::parse(bad).unwrap_err();
            assert!(
                matches!(e, ConfigError::Syntax { line: 1, .. }),
                "{bad:?}: {e}"
            );
        }
        let e = LogConfig::parse("num_logs = 5 x\n").unwrap_err();
        assert!(
            matches!(e, ConfigError::UnexpectedOption { line: 1, .. }),
            "{e}"
        );
        let e = LogConfig::parse("disk_error_action = rotate\n").unwrap_err();
        assert!(matches!(e, ConfigError::BadValue { line: 1, .. }), "{e}");
        let e = LogConfig::parse("disk_full_action = exec\n").unwrap_err();
        assert!(matches!(e, ConfigError::BadExec { line: 1, .. }), "{e}");
        let e = LogConfig::parse("space_left = 100%\n").unwrap_err();
        assert!(matches!(e, ConfigError::BadValue { line: 1, .. }), "{e}");
        let e = LogConfig::parse("flush = incremental\nfreq = 0\n").unwrap_err();
        assert_eq!(e, ConfigError::ZeroFreq);
        let e =
            LogConfig::parse("space_left = 50\nadmin_space_left = 75\nflush = none\n").unwrap_err();
        assert!(matches!(
            e,
            ConfigError::SpaceLeftNotAboveAdmin {
                space_left: 50,
                admin_space_left: 75
            }
        ));
    }

    /// Keys are case-insensitive, as auditd's `strcasecmp` finds them: the
    /// writer's own keys and those it hands on.
    #[test]
    fn keys_are_case_insensitive() {
        let p = LogConfig::parse("Num_Logs = 7\nFLUSH = none\nQ_Depth = 600\nFrob = 1\n").unwrap();
        assert_eq!((p.config.num_logs, p.config.flush), (7, Flush::None));
        let keys: Vec<(&str, bool)> = p
            .others
            .iter()
            .map(|k| (k.key.as_str(), k.known_to_auditd))
            .collect();
        assert_eq!(keys, [("q_depth", true), ("frob", false)]);
        let nolog = LogConfig::parse("log_format = NOLOG\n").unwrap().config;
        assert_eq!(
            (nolog.write_logs, nolog.log_format),
            (false, LogFormat::Raw)
        );
    }

    /// auditd.conf is read only from a regular file owned by root that others
    /// cannot write, through no symbolic link unless asked; a missing file is
    /// `None`. (As root, the project's test setting: the owner checks need it.)
    #[test]
    fn config_file_is_checked_as_auditd_checks_it() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("auditd.conf");
        std::fs::write(&good, "num_logs = 3\n").unwrap();
        let mode = |m| std::fs::set_permissions(&good, std::fs::Permissions::from_mode(m)).unwrap();
        mode(0o640);
        let problem = |path: &Path, follow| match read_config_text(path, follow) {
            Err(ReadConfigError::Refused { problem, .. }) => Some(problem),
            Ok(_) => None,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        if !rustix::process::geteuid().is_root() {
            assert!(matches!(
                problem(&good, false),
                Some(FileProblem::NotOwnedByRoot(_))
            ));
            eprintln!("not root: only the owner check was tried");
            return;
        }
        assert_eq!(
            read_config_text(&good, false).unwrap().as_deref(),
            Some("num_logs = 3\n")
        );
        assert_eq!(LogConfig::read(&good).unwrap().config.num_logs, 3);
        let link = dir.path().join("link.conf");
        std::os::unix::fs::symlink(&good, &link).unwrap();
        assert_eq!(problem(&link, false), Some(FileProblem::SymbolicLink));
        assert!(matches!(
            LogConfig::read(&link),
            Err(ReadConfigError::Refused { .. })
        ));
        assert_eq!(problem(&link, true), None);
        mode(0o646);
        assert_eq!(problem(&good, false), Some(FileProblem::WorldWritable));
        mode(0o640);
        rustix::fs::chown(&good, Some(rustix::fs::Uid::from_raw(1000)), None).unwrap();
        assert_eq!(
            problem(&good, false),
            Some(FileProblem::NotOwnedByRoot(1000))
        );
        let sub = dir.path().join("d");
        std::fs::create_dir(&sub).unwrap();
        std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(problem(&sub, false), Some(FileProblem::NotRegular));
        // A FIFO in the file's place neither holds the open nor is read.
        let fifo = dir.path().join("fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from(0o644),
            0,
        )
        .unwrap();
        assert_eq!(problem(&fifo, false), Some(FileProblem::NotRegular));
        let missing = dir.path().join("none.conf");
        assert!(read_config_text(&missing, false).unwrap().is_none());
        assert!(matches!(
            LogConfig::read(&missing),
            Err(ReadConfigError::Io { .. })
        ));
    }

    #[test]
    fn node_names() {
        let host = rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned();
        let named = |name_format, name: Option<&str>| {
            LogConfig {
                name_format,
                name: name.map(str::to_string),
                ..LogConfig::default()
            }
            .node_name()
        };
        assert_eq!(named(NameFormat::None, Some("x")), None);
        assert_eq!(named(NameFormat::Hostname, None), Some(host.clone()));
        assert_eq!(
            named(NameFormat::User, Some("lars-capture")).as_deref(),
            Some("lars-capture")
        );
        assert_eq!(named(NameFormat::User, None), Some(host));
        let p = LogConfig::parse("name_format = user\nname = edge-7\n").unwrap();
        assert_eq!(p.config.node_name().as_deref(), Some("edge-7"));
    }

    #[test]
    fn debian_default_file() {
        let text = "local_events = yes\nwrite_logs = yes\nlog_file = /var/log/audit/audit.log\nlog_group = adm\nlog_format = ENRICHED\nflush = INCREMENTAL_ASYNC\nfreq = 50\nmax_log_file = 8\nnum_logs = 5\npriority_boost = 4\nname_format = NONE\n##name = mydomain\nmax_log_file_action = ROTATE\nspace_left = 75\nspace_left_action = SYSLOG\nverify_email = yes\naction_mail_acct = root\nadmin_space_left = 50\nadmin_space_left_action = SUSPEND\ndisk_full_action = SUSPEND\ndisk_error_action = SUSPEND\nuse_libwrap = yes\ntcp_listen_queue = 5\ntcp_max_per_addr = 1\ntcp_client_max_idle = 0\ntransport = TCP\nkrb5_principal = auditd\ndistribute_network = no\nq_depth = 1200\noverflow_action = SYSLOG\nmax_restarts = 10\nplugin_dir = /etc/audit/plugins.d\nend_of_event_timeout = 2\n";
        let p = LogConfig::parse(text).unwrap();
        let c = &p.config;
        assert_eq!(c.log_group, audit_nss::group_id(b"adm").unwrap());
        assert_eq!(
            (c.flush, c.freq, c.max_log_file, c.num_logs),
            (Flush::IncrementalAsync, 50, 8, 5)
        );
        assert_eq!(c.space_left, Space::Megabytes(75));
        assert_eq!(c.admin_space_left_action, Action::Suspend);
        assert_eq!(c.disk_error_action, Action::Suspend);
        assert_eq!(c.max_log_file_action, SizeAction::Rotate);
        assert_eq!(p.others.len(), 16);
        assert_eq!(p.unknown_keys().count(), 0);
    }
}
