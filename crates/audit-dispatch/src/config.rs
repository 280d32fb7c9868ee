//! `plugins.d` as auditd reads it, and the daemon's dispatcher keys of `auditd.conf`.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use audit_plugin::Format;

/// Which file names of `plugins.d` are read.
///
/// Both skip names starting with a dot (hidden files) and names with more than one
/// dot (backup files such as `syslog.conf.rpmsave`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum NameRule {
    /// auditd 3.x: every other name is read, `syslog.conf`, `syslog.bak` and
    /// `syslog` alike. The default: this dispatcher stands in for auditd 3.0.9.
    #[default]
    Auditd3,
    /// auditd 4.x: a name with a dot must end in `.conf` (`syslog.bak` is skipped,
    /// `syslog` without a dot is still read).
    Auditd4,
}

impl NameRule {
    /// Why `name` is skipped, or `None` when it is read.
    pub fn skip_reason(self, name: &str) -> Option<&'static str> {
        let dots = name.bytes().filter(|&b| b == b'.').count();
        if name.starts_with('.') {
            Some("hidden file")
        } else if dots > 1 {
            Some("backup file")
        } else if self == NameRule::Auditd4 && dots == 1 && !name.ends_with(".conf") {
            Some("file without .conf suffix")
        } else {
            None
        }
    }
}

/// How the dispatcher runs a plugin (`type`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PluginKind {
    /// `type = always`: an external program started with the events on its stdin.
    Always {
        /// The program (`path`).
        path: PathBuf,
        /// The inode of the program when the file was read; a reload restarts the
        /// plugin when it changed (a new binary was installed).
        inode: u64,
    },
    /// `type = builtin`, `path = builtin_af_unix`: a listening unix socket, every
    /// connected reader gets the events.
    AfUnix {
        /// The socket's path (the `args` word with a `/`).
        socket: PathBuf,
        /// The socket file's mode (the `args` word of octal digits), if given.
        mode: Option<u32>,
    },
}

/// The layout of `format = binary` as written (see [`audit_plugin::BinaryLayout`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WriteLayout {
    /// Every payload padded to [`audit_plugin::PADDED_PAYLOAD`] bytes, as auditd
    /// 3.0.9 writes it (the padding is zeros here). The default.
    #[default]
    Padded,
    /// Every payload exactly `size` bytes, as auditd 4.1 and later write it.
    Exact,
}

/// One plugin's file of `plugins.d`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginConfig {
    /// The file's name: it identifies the plugin across reloads.
    pub name: String,
    /// `active = yes`.
    pub active: bool,
    /// The program or builtin (`type` with `path`); `None` for an inactive file
    /// without `path`.
    pub kind: Option<PluginKind>,
    /// `args`: every word after `=`, passed as `argv[1..]`. auditd 3.0.9 takes at
    /// most two; any number is taken here.
    pub args: Vec<String>,
    /// `format = string` (default) or `binary`.
    pub format: Format,
    /// `binary_layout = padded|exact` (this dispatcher's key, default `padded`;
    /// auditd 3.0.9 refuses a file with it).
    pub layout: WriteLayout,
}

/// The largest plugin file read: a plugin's file is a handful of lines.
pub const MAX_PLUGIN_FILE: u64 = 1 << 20;

/// What is wrong with a plugin's file; the plugin is skipped, the others run.
#[derive(Debug, thiserror::Error)]
pub enum PluginConfigError {
    /// The file cannot be opened or read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is unsafe to trust (owner, mode, type).
    #[error("{file}: {problem}")]
    Unsafe {
        /// The file.
        file: PathBuf,
        /// What is wrong, e.g. "is world writable".
        problem: &'static str,
    },
    /// A line is malformed or has a bad value.
    #[error("{file}:{line}: {problem}")]
    Line {
        /// The file.
        file: PathBuf,
        /// The line (1-based).
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// The file's name is not UTF-8 (plugins are named by their file's name
    /// in notices and stats, so this one cannot be told apart from others).
    #[error("{file}: the file's name is not UTF-8")]
    NameNotUtf8 {
        /// The file.
        file: PathBuf,
    },
    /// The file is larger than [`MAX_PLUGIN_FILE`] bytes: not a plugin's file.
    #[error("{file}: larger than {MAX_PLUGIN_FILE} bytes")]
    TooLarge {
        /// The file.
        file: PathBuf,
    },
    /// The settings do not go together, or the program is unsafe to run.
    #[error("{file}: {problem}")]
    Plugin {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        problem: String,
    },
}

fn word_of(value: &str, words: &[(&str, bool)]) -> Option<bool> {
    words
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(value))
        .map(|&(_, v)| v)
}

/// `path` names a builtin (`builtin_…`, any case). Compared as bytes: the 8th
/// byte of a non-ASCII path may be inside a character.
fn has_builtin_prefix(path: &str) -> bool {
    path.as_bytes()
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"builtin_"))
}

impl PluginConfig {
    /// Reads one plugin's file: it must be a regular file owned by root and not
    /// world writable; an active plugin's program must be a regular file owned by
    /// root with at least mode 0750 (auditd's checks).
    pub fn load(file: &Path) -> Result<PluginConfig, PluginConfigError> {
        let io = |source| PluginConfigError::Io {
            file: file.to_path_buf(),
            source,
        };
        let unsafe_file = |problem| PluginConfigError::Unsafe {
            file: file.to_path_buf(),
            problem,
        };
        let mut f = File::open(file).map_err(io)?;
        let meta = f.metadata().map_err(io)?;
        if meta.uid() != 0 {
            return Err(unsafe_file("is not owned by root"));
        }
        if meta.mode() & 0o002 != 0 {
            return Err(unsafe_file("is world writable"));
        }
        if !meta.is_file() {
            return Err(unsafe_file("is not a regular file"));
        }
        let mut bytes = Vec::new();
        // One byte past the limit tells a file over it (read whole, bounded).
        f.by_ref()
            .take(MAX_PLUGIN_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > MAX_PLUGIN_FILE {
            return Err(PluginConfigError::TooLarge {
                file: file.to_path_buf(),
            });
        }
        let text = String::from_utf8_lossy(&bytes);
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut config =
            Self::parse(&name, &text).map_err(|(line, problem)| PluginConfigError::Line {
                file: file.to_path_buf(),
                line,
                problem,
            })?;
        config
            .check_program()
            .map_err(|problem| PluginConfigError::Plugin {
                file: file.to_path_buf(),
                problem,
            })?;
        Ok(config)
    }

    /// Parses the text of a plugin's file named `name`, without the checks of the
    /// file system ([`PluginConfig::load`] does those). An error is the line and
    /// what is wrong with it.
    pub fn parse(name: &str, text: &str) -> Result<PluginConfig, (usize, String)> {
        let mut active = false;
        let mut path: Option<String> = None;
        let mut builtin = false;
        let mut args = Vec::new();
        let mut format = Format::String;
        let mut layout = WriteLayout::Padded;
        let mut lines = 0;
        for (i, line) in text.lines().enumerate() {
            let no = i + 1;
            lines = no;
            let words: Vec<&str> = line.split_ascii_whitespace().collect();
            let Some(&key) = words.first() else { continue };
            if key.starts_with('#') {
                continue;
            }
            match words.get(1) {
                Some(&"=") => {}
                Some(_) => return Err((no, "missing equal sign".into())),
                None => return Err((no, "wrong number of words".into())),
            }
            let Some(&value) = words.get(2) else {
                return Err((no, format!("{key} has no value")));
            };
            let key_lc = key.to_ascii_lowercase();
            if key_lc != "args" && words.len() > 3 {
                return Err((no, format!("{key} takes one value, found {:?}", &words[3])));
            }
            let bad = |what: &str| Err((no, format!("{key} = {value}: {what}")));
            match key_lc.as_str() {
                "active" => match word_of(value, &[("yes", true), ("no", false)]) {
                    Some(v) => active = v,
                    None => return bad("expected yes or no"),
                },
                "direction" => {
                    // auditd has never supported `in`.
                    if !value.eq_ignore_ascii_case("out") {
                        return bad("only out is supported");
                    }
                }
                "path" => {
                    if !has_builtin_prefix(value) {
                        let dir = Path::new(value).parent().map(|d| d.as_os_str().len());
                        // auditd: `/var` is the shortest directory a program may be in.
                        if !value.starts_with('/') || dir.unwrap_or(0) < 4 {
                            return bad("the program's directory is too short or not absolute");
                        }
                    }
                    path = Some(value.to_string());
                }
                "type" => match word_of(value, &[("builtin", true), ("always", false)]) {
                    Some(v) => builtin = v,
                    None => return bad("expected always or builtin"),
                },
                "args" => args = words[2..].iter().map(|w| w.to_string()).collect(),
                "format" => {
                    format = match word_of(value, &[("binary", true), ("string", false)]) {
                        Some(true) => Format::Binary,
                        Some(false) => Format::String,
                        None => return bad("expected string or binary"),
                    }
                }
                "binary_layout" => {
                    layout = match word_of(value, &[("padded", true), ("exact", false)]) {
                        Some(true) => WriteLayout::Padded,
                        Some(false) => WriteLayout::Exact,
                        None => return bad("expected padded or exact"),
                    }
                }
                _ => return Err((no, format!("unknown keyword {key:?}"))),
            }
        }
        let kind = match path {
            None if active => return Err((lines.max(1), "active but no path given".into())),
            None => None,
            Some(p) if builtin => {
                if !p.eq_ignore_ascii_case("builtin_af_unix") {
                    return Err((lines.max(1), format!("unknown builtin {p}")));
                }
                let mut socket = None;
                let mut mode = None;
                for a in &args {
                    if !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()) {
                        match u32::from_str_radix(a, 8) {
                            Ok(m) if m <= 0o7777 => mode = Some(m),
                            _ => {
                                return Err((
                                    lines.max(1),
                                    format!("af_unix mode {a} is not octal"),
                                ))
                            }
                        }
                    } else if a.contains('/') {
                        socket = Some(PathBuf::from(a));
                    } else {
                        return Err((lines.max(1), format!("af_unix argument {a} is malformed")));
                    }
                }
                let socket =
                    socket.ok_or((lines.max(1), "af_unix needs a socket path in args".into()))?;
                Some(PluginKind::AfUnix { socket, mode })
            }
            Some(p) => {
                if has_builtin_prefix(&p) {
                    return Err((lines.max(1), format!("{p} needs type = builtin")));
                }
                Some(PluginKind::Always {
                    path: PathBuf::from(p),
                    inode: 0,
                })
            }
        };
        Ok(PluginConfig {
            name: name.to_string(),
            active,
            kind,
            args,
            format,
            layout,
        })
    }

    /// auditd's checks of an active plugin's program; records its inode.
    fn check_program(&mut self) -> Result<(), String> {
        if !self.active {
            return Ok(());
        }
        let Some(PluginKind::Always { path, inode }) = &mut self.kind else {
            return Ok(());
        };
        let meta = std::fs::metadata(&*path)
            .map_err(|e| format!("unable to stat {}: {e}", path.display()))?;
        if !meta.is_file() {
            return Err(format!("{} is not a regular file", path.display()));
        }
        if meta.uid() != 0 {
            return Err(format!("{} is not owned by root", path.display()));
        }
        if meta.mode() & 0o750 != 0o750 {
            return Err(format!("{} permissions should be 0750", path.display()));
        }
        *inode = meta.ino();
        Ok(())
    }
}

/// What reading `plugins.d` found.
#[derive(Debug, Default)]
pub struct PluginDir {
    /// The plugins whose file is good, active or not, sorted by name.
    pub plugins: Vec<PluginConfig>,
    /// The files skipped for errors (each plugin skipped alone), a file whose
    /// name is not UTF-8 among them.
    pub errors: Vec<PluginConfigError>,
}

impl PluginDir {
    /// Reads every plugin file of `dir` by `rule`. An error is the directory's
    /// own (missing, not a directory, no access); a file that cannot be read
    /// is one of [`PluginDir::errors`], and so is a failure while listing the
    /// directory (the files listed before it are read).
    pub fn read(dir: &Path, rule: NameRule) -> Result<PluginDir, std::io::Error> {
        let mut out = PluginDir::default();
        for entry in std::fs::read_dir(dir)? {
            let entry = match entry {
                Ok(e) => e,
                Err(source) => {
                    out.errors.push(PluginConfigError::Io {
                        file: dir.to_path_buf(),
                        source,
                    });
                    break;
                }
            };
            let name = entry.file_name();
            // The rule looks at dots and `.conf`, which a lossy name keeps.
            if rule.skip_reason(&name.to_string_lossy()).is_some() {
                continue;
            }
            match entry.file_type() {
                Ok(t) if t.is_dir() => continue,
                Ok(_) => {}
                Err(source) => {
                    out.errors.push(PluginConfigError::Io {
                        file: entry.path(),
                        source,
                    });
                    continue;
                }
            }
            if name.to_str().is_none() {
                out.errors
                    .push(PluginConfigError::NameNotUtf8 { file: entry.path() });
                continue;
            }
            match PluginConfig::load(&entry.path()) {
                Ok(c) => out.plugins.push(c),
                Err(e) => out.errors.push(e),
            }
        }
        out.plugins.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}

/// What the dispatcher does when a plugin's queue is full (`overflow_action`).
/// The event is dropped for that plugin in every case, and counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OverflowAction {
    /// Drop quietly (still counted).
    Ignore,
    /// Drop with a [`crate::Notice`] when the plugin starts and stops dropping.
    #[default]
    Syslog,
    /// Stop passing events to that plugin until the next reload.
    Suspend,
    /// Drop, and ask the caller to switch to single user mode (a notice; the
    /// dispatcher never does it itself).
    Single,
    /// Drop, and ask the caller to halt (a notice; the dispatcher never does it).
    Halt,
}

/// The dispatcher's keys of `auditd.conf`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// `plugin_dir` (default `/etc/audit/plugins.d`).
    pub plugin_dir: PathBuf,
    /// `q_depth`: events each plugin's queue holds (auditd 3.0.9's default, 2000).
    pub q_depth: usize,
    /// `overflow_action`.
    pub overflow_action: OverflowAction,
    /// `max_restarts`: restarts of a plugin that dies before it stays down (10).
    pub max_restarts: u32,
    /// A plugin that ran this long before it died counts its restarts afresh
    /// (default 60 s; `None`: never). Not a key of `auditd.conf`: auditd 3.0.9
    /// counts restarts for its whole life, so a plugin that exits once per network
    /// outage (audisp-remote's default `network_failure_action = stop`) is given up
    /// for good after `max_restarts` outages, even though each restart worked.
    pub restarts_forgotten_after: Option<std::time::Duration>,
    /// Which names of `plugin_dir` are read.
    pub name_rule: NameRule,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            plugin_dir: PathBuf::from("/etc/audit/plugins.d"),
            q_depth: 2000,
            overflow_action: OverflowAction::Syslog,
            max_restarts: 10,
            restarts_forgotten_after: Some(std::time::Duration::from_secs(60)),
            name_rule: NameRule::Auditd3,
        }
    }
}

/// A bad value of a dispatcher key of `auditd.conf`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {key} = {value}: {problem}")]
pub struct SettingError {
    /// The line of `auditd.conf` (1-based).
    pub line: usize,
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
    /// What is wrong.
    pub problem: &'static str,
}

/// A number as auditd 3.0.9 reads one: decimal digits only (no sign, no
/// space), not past `u64`.
fn digits(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// auditd 3.0.9's largest `max_restarts` (`INT_MAX`).
const MAX_RESTARTS_LIMIT: u64 = i32::MAX as u64;

impl Settings {
    /// Takes one `auditd.conf` line if its key is the dispatcher's (`plugin_dir`,
    /// `q_depth`, `overflow_action`, `max_restarts`, in any case as auditd
    /// compares them): `Ok(true)` when taken, `Ok(false)` for another key. Feed
    /// it the lines `audit_log`'s config parser leaves to the daemon.
    ///
    /// Numbers are decimal digits only, as auditd reads them (`+600` is
    /// refused). `q_depth` is 1 to 99999: auditd 3.0.9 takes 0 too, and then
    /// divides by it at the first event. `max_restarts` is 0 to `i32::MAX`.
    pub fn apply(&mut self, line: usize, key: &str, value: &str) -> Result<bool, SettingError> {
        let err = |problem| SettingError {
            line,
            key: key.to_string(),
            value: value.to_string(),
            problem,
        };
        match key.to_ascii_lowercase().as_str() {
            "plugin_dir" => {
                if !value.starts_with('/') {
                    return Err(err("not an absolute path"));
                }
                self.plugin_dir = PathBuf::from(value);
            }
            "q_depth" => match digits(value) {
                Some(n @ 1..=99_999) => self.q_depth = n as usize,
                _ => return Err(err("expected a number from 1 to 99999")),
            },
            "overflow_action" => {
                self.overflow_action = match value.to_ascii_lowercase().as_str() {
                    "ignore" => OverflowAction::Ignore,
                    "syslog" => OverflowAction::Syslog,
                    "suspend" => OverflowAction::Suspend,
                    "single" => OverflowAction::Single,
                    "halt" => OverflowAction::Halt,
                    _ => return Err(err("expected ignore, syslog, suspend, single or halt")),
                }
            }
            "max_restarts" => match digits(value) {
                Some(n @ 0..=MAX_RESTARTS_LIMIT) => self.max_restarts = n as u32,
                _ => return Err(err("expected a number from 0 to 2147483647")),
            },
            _ => return Ok(false),
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_by_rule() {
        for (name, v3, v4) in [
            ("syslog.conf", true, true),
            ("syslog", true, true),
            ("syslog.bak", true, false),
            (".syslog.conf", false, false),
            ("syslog.conf.rpmsave", false, false),
        ] {
            assert_eq!(NameRule::Auditd3.skip_reason(name).is_none(), v3, "{name}");
            assert_eq!(NameRule::Auditd4.skip_reason(name).is_none(), v4, "{name}");
        }
    }

    #[test]
    fn parses_debian_files() {
        let af = "active = no\ndirection = out\npath = builtin_af_unix\ntype = builtin \nargs = 0640 /var/run/audispd_events\nformat = string\n";
        let c = PluginConfig::parse("af_unix.conf", af).unwrap();
        assert!(!c.active);
        assert_eq!(
            c.kind,
            Some(PluginKind::AfUnix {
                socket: "/var/run/audispd_events".into(),
                mode: Some(0o640)
            })
        );
        let s = "# c\n\nactive = yes\npath = /sbin/audisp-syslog\ntype = always\nargs = LOG_INFO a b c\nformat = BINARY\nbinary_layout = exact\n";
        let c = PluginConfig::parse("syslog.conf", s).unwrap();
        assert!(c.active);
        assert_eq!(c.args, ["LOG_INFO", "a", "b", "c"]);
        assert_eq!(c.format, Format::Binary);
        assert_eq!(c.layout, WriteLayout::Exact);
    }

    #[test]
    fn line_errors() {
        for (text, line) in [
            ("active = yes\npath /sbin/x\n", 2),
            ("active = maybe\n", 1),
            ("\nfoo = bar\n", 2),
            ("direction = in\n", 1),
            ("path = /x\n", 1),
            ("format = string extra\n", 1),
            ("active = yes\n", 1),
            ("active = yes\npath = builtin_nope\ntype = builtin\n", 3),
        ] {
            let got = PluginConfig::parse("p", text).unwrap_err();
            assert_eq!(got.0, line, "{text:?}: {got:?}");
        }
    }

    #[test]
    fn settings_keys() {
        let mut s = Settings::default();
        assert!(s.apply(3, "q_depth", "7").unwrap());
        assert!(s.apply(4, "overflow_action", "SUSPEND").unwrap());
        assert!(!s.apply(5, "log_file", "/x").unwrap());
        assert_eq!(s.q_depth, 7);
        assert_eq!(s.overflow_action, OverflowAction::Suspend);
        assert_eq!(s.apply(9, "q_depth", "0").unwrap_err().line, 9);
        assert!(s.apply(9, "max_restarts", "-1").is_err());
    }

    /// auditd.conf's keys as auditd 3.0.9 takes them: any case, numbers of
    /// digits only, `max_restarts` up to `INT_MAX`.
    #[test]
    fn settings_as_auditd_takes_them() {
        let mut s = Settings::default();
        assert_eq!(s.apply(1, "Q_DEPTH", "600"), Ok(true));
        assert_eq!(s.q_depth, 600);
        assert_eq!(s.apply(2, "Overflow_Action", "ignore"), Ok(true));
        assert_eq!(s.overflow_action, OverflowAction::Ignore);
        assert_eq!(s.apply(3, "MAX_RESTARTS", "2147483647"), Ok(true));
        assert_eq!(s.max_restarts, 2_147_483_647);
        assert_eq!(s.apply(4, "Plugin_Dir", "/etc/p.d"), Ok(true));
        assert_eq!(s.plugin_dir, Path::new("/etc/p.d"));
        assert_eq!(s.apply(5, "max_restarts", "00012"), Ok(true));
        assert_eq!(s.max_restarts, 12);
        for (key, value) in [
            ("max_restarts", "2147483648"),
            ("max_restarts", "+5"),
            ("max_restarts", ""),
            ("max_restarts", "99999999999999999999999"),
            ("q_depth", "+600"),
            ("q_depth", "100000"),
            ("q_depth", "0"),
            ("q_depth", " 6"),
        ] {
            let e = s.apply(7, key, value).unwrap_err();
            assert_eq!((e.line, e.key.as_str(), e.value.as_str()), (7, key, value));
        }
        assert_eq!(
            (s.q_depth, s.max_restarts),
            (600, 12),
            "unchanged by errors"
        );
    }

    /// A path whose 8th byte is inside a multibyte character (or is the
    /// U+FFFD that `load` puts for a bad byte) is a path, not a panic.
    #[test]
    fn non_ascii_paths_near_the_builtin_prefix() {
        for path in ["/usr/bién/prog", "/usr/bi\u{FFFD}/prog", "/var/é"] {
            let text = format!("active = no\npath = {path}\ntype = always\n");
            let c = PluginConfig::parse("p", &text).unwrap();
            assert_eq!(
                c.kind,
                Some(PluginKind::Always {
                    path: path.into(),
                    inode: 0
                })
            );
        }
        let err = PluginConfig::parse("p", "path = builtin_é\ntype = always\n").unwrap_err();
        assert!(err.1.contains("needs type = builtin"), "{err:?}");
        let err = PluginConfig::parse("p", "path = BUILTIN_AF_UNIX\ntype = always\n");
        assert!(err.is_err());
    }

    /// A file whose name is not UTF-8, and a file too large to be a plugin's,
    /// are each an error naming the file (not skipped in silence, not read
    /// in part); the other files are read.
    #[test]
    fn odd_files_are_named_errors() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let good = "active = no\npath = /sbin/x\ntype = always\n";
        std::fs::write(dir.path().join("good.conf"), good).unwrap();
        let odd = std::ffi::OsStr::from_bytes(b"odd\xff.conf");
        std::fs::write(dir.path().join(odd), good).unwrap();
        // Hidden or backup: skipped by the name rule whatever its bytes.
        std::fs::write(dir.path().join(std::ffi::OsStr::from_bytes(b".\xff")), "x").unwrap();
        // A good file's start, then a line past the limit.
        let mut big = good.as_bytes().to_vec();
        big.resize(MAX_PLUGIN_FILE as usize + 1, b'#');
        std::fs::write(dir.path().join("big.conf"), &big).unwrap();
        let found = PluginDir::read(dir.path(), NameRule::Auditd3).unwrap();
        let names: Vec<&str> = found.plugins.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["good.conf"]);
        let mut errors: Vec<String> = found
            .errors
            .iter()
            .map(|e| match e {
                PluginConfigError::NameNotUtf8 { file } => {
                    assert_eq!(file, &dir.path().join(odd));
                    "name".to_string()
                }
                PluginConfigError::TooLarge { file } => {
                    assert_eq!(file, &dir.path().join("big.conf"));
                    format!("large {e}")
                }
                other => panic!("{other}"),
            })
            .collect();
        errors.sort();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].starts_with("large ") && errors[0].contains("big.conf"));
        assert_eq!(errors[1], "name");
    }
}
