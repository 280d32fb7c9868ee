//! Standard output for the programs: what a failed write of it means.
//!
//! A closed pipe (the reader went away, as `head` does) ends a program quietly with
//! status 0: the C tools die of `SIGPIPE` there, which Rust programs ignore, and
//! nobody is left to read a message. Any other write error (a full disk, `/dev/full`)
//! is named on standard error as `PROGRAM: writing standard output: ERROR` and gives
//! status 1, so that output cut short is never taken for the whole.
//!
//! Used by every program of the crate; their messages go through [`say`] (and
//! `sayln!`), which never panics when standard error cannot be written.

use std::io::{self, Write};

/// The exit status for a failed write of standard output, after saying why on
/// `stderr` (nothing for a closed pipe, see the [module](self) docs).
pub fn write_failed(program: &str, error: &io::Error, stderr: &mut dyn Write) -> u8 {
    if error.kind() == io::ErrorKind::BrokenPipe {
        return 0;
    }
    // Standard error failing too leaves nothing to tell anyone.
    let _ = writeln!(stderr, "{program}: writing standard output: {error}");
    1
}

/// [`write_failed`] with the process's standard error.
pub fn write_failed_to_stderr(program: &str, error: &io::Error) -> u8 {
    write_failed(program, error, &mut io::stderr().lock())
}

/// Writes a message to standard error, as `eprint!` does but without its panic when
/// standard error cannot be written (a full disk, a closed pipe): such a message has
/// nowhere else to go, and the exit status still tells.
pub fn say(message: std::fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(message);
}

/// [`say`] with a newline: `eprintln!` without its panic.
macro_rules! sayln {
    ($($arg:tt)*) => {
        $crate::output::say(format_args!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use sayln;

/// A writer that remembers whether a write to it failed, so that a program whose
/// output and messages both end in [`io::Error`]s can tell which one failed.
#[derive(Debug)]
pub struct Watched<W> {
    inner: W,
    failed: bool,
}

impl<W: Write> Watched<W> {
    /// `inner`, not failed yet.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            failed: false,
        }
    }

    /// Whether a write or flush of it has failed.
    pub fn failed(&self) -> bool {
        self.failed
    }
}

impl<W: Write> Write for Watched<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf);
        self.failed |= written.is_err();
        written
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        // Also a writer that takes nothing more (`write_all`'s `WriteZero`).
        let written = self.inner.write_all(buf);
        self.failed |= written.is_err();
        written
    }

    fn flush(&mut self) -> io::Result<()> {
        let flushed = self.inner.flush();
        self.failed |= flushed.is_err();
        flushed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_quiet_and_other_errors_are_named() {
        let mut err = Vec::new();
        let pipe = io::Error::from(io::ErrorKind::BrokenPipe);
        assert_eq!(write_failed("prog", &pipe, &mut err), 0);
        assert!(err.is_empty());
        let full = io::Error::from_raw_os_error(28);
        assert_eq!(write_failed("prog", &full, &mut err), 1);
        let said = String::from_utf8(err).unwrap();
        assert!(
            said.starts_with("prog: writing standard output: No space left on device"),
            "{said}"
        );
    }

    #[test]
    fn watched_remembers_a_failure() {
        let mut buf = [0u8; 2];
        let mut w = Watched::new(&mut buf[..]);
        w.write_all(b"ab").unwrap();
        assert!(!w.failed());
        assert!(w.write_all(b"c").is_err());
        assert!(w.failed());
    }
}
