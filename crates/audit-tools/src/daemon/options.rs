//! The daemon's command line, as auditd's.

use std::path::PathBuf;

/// What to set the kernel's `enabled` flag to at start (`-s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetEnabled {
    /// `-s enable` (the default): enable at start, disable again at exit.
    Enable,
    /// `-s disable`: disable at start.
    Disable,
    /// `-s nochange`: leave it as it is.
    NoChange,
}

/// The daemon's options: `audit-daemon [-f] [-l] [-n] [-c DIR] [-s enable|disable|nochange]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `-c DIR`: the configuration directory, read as `DIR/auditd.conf`
    /// (`/etc/audit`).
    pub config_dir: PathBuf,
    /// `-f`: stay in the foreground, messages on stderr.
    pub foreground: bool,
    /// `-n`: do not fork (messages still go to syslog, as auditd's).
    pub no_fork: bool,
    /// `-l`: read auditd.conf through a symbolic link (not followed otherwise).
    pub follow_links: bool,
    /// `-s`: what to set `enabled` to at start.
    pub set_enabled: SetEnabled,
    /// Where SIGCONT's state report goes (auditd's `/var/run/auditd.state`,
    /// removed at exit); not a command-line option, as in auditd.
    pub state_file: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            config_dir: PathBuf::from("/etc/audit"),
            foreground: false,
            no_fork: false,
            follow_links: false,
            set_enabled: SetEnabled::Enable,
            state_file: PathBuf::from(super::state::STATE_FILE),
        }
    }
}

/// A command line that is not the daemon's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{problem}\nusage: audit-daemon [-f] [-l] [-n] [-c CONFIG_DIR] [-s enable|disable|nochange]"
)]
pub struct UsageError {
    /// What is wrong, naming the argument.
    pub problem: String,
}

impl Options {
    /// Parses the arguments (without the program name).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, UsageError> {
        let bad = |problem: String| UsageError { problem };
        let mut o = Options::default();
        let mut args = args.into_iter();
        while let Some(a) = args.next() {
            match a.as_str() {
                "-f" => o.foreground = true,
                "-n" => o.no_fork = true,
                "-l" => o.follow_links = true,
                "-c" => {
                    o.config_dir = args
                        .next()
                        .ok_or_else(|| bad("-c needs a directory".into()))?
                        .into()
                }
                "-s" => {
                    o.set_enabled = match args.next().as_deref() {
                        Some("enable") => SetEnabled::Enable,
                        Some("disable") => SetEnabled::Disable,
                        Some("nochange") => SetEnabled::NoChange,
                        Some(other) => return Err(bad(format!("-s {other:?}: not a state"))),
                        None => return Err(bad("-s needs a state".into())),
                    }
                }
                other => return Err(bad(format!("unknown argument {other:?}"))),
            }
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, UsageError> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn auditd_options() {
        let o = parse(&["-f", "-c", "/tmp/x", "-s", "nochange"]).unwrap();
        assert_eq!(
            o,
            Options {
                config_dir: "/tmp/x".into(),
                foreground: true,
                no_fork: false,
                follow_links: false,
                set_enabled: SetEnabled::NoChange,
                state_file: "/var/run/auditd.state".into(),
            }
        );
        assert_eq!(parse(&[]).unwrap(), Options::default());
        assert!(parse(&["-n"]).unwrap().no_fork);
        assert!(parse(&["-l"]).unwrap().follow_links);
    }

    #[test]
    fn bad_arguments_are_named() {
        let e = parse(&["-s", "maybe"]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("-s \"maybe\": not a state\nusage:"),
            "{e}"
        );
        assert!(parse(&["-c"]).unwrap_err().problem.contains("-c"));
        assert!(parse(&["-x"]).unwrap_err().problem.contains("\"-x\""));
    }
}
