//! The C sender, `audisp-remote` 3.0.9, for the tests that send to our receiver or
//! daemon with it: Debian's binary, unpacked (never installed), and its
//! configuration file.
//!
//! audisp-remote reads `/etc/audit/audisp-remote.conf` and nothing else: tests write
//! the file into a directory of their own and bind that over `/etc/audit` in a
//! private mount namespace (see [`crate::namespace`]).
//!
//! ```no_run
//! use std::path::Path;
//! let Some(audisp_remote) = audit_testlock::audisp_remote::fetch(Path::new("/tmp/cache"))
//! else {
//!     return; // skipped, and counted
//! };
//! let etc = Path::new("/tmp/etc-audit");
//! audit_testlock::audisp_remote::write_conf(etc, 6060, &etc.join("queue"), 10240);
//! audit_testlock::namespace::bind(etc, Path::new("/etc/audit"));
//! ```

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// `sbin/audisp-remote` of Debian's `audispd-plugins`, unpacked under `cache` (see
/// [`crate::debian_package_file`]); `None` after a [`crate::skip`] saying why it
/// could not be had.
pub fn fetch(cache: &Path) -> Option<PathBuf> {
    crate::debian_package_file_or_skip("audispd-plugins", "sbin/audisp-remote", cache)
}

/// Writes `ETC/audisp-remote.conf` (mode 0640; `ETC` made when missing): send to
/// `127.0.0.1:PORT` over TCP at once (`mode = immediate`, `format = managed`),
/// spooling up to `queue_depth` records in `queue`, retrying each record for a few
/// seconds, no heartbeat, and every problem only logged (`syslog`), so that the
/// sender goes on.
///
/// # Panics
/// When the directory or the file cannot be written.
pub fn write_conf(etc: &Path, port: u16, queue: &Path, queue_depth: u32) {
    std::fs::create_dir_all(etc).expect("create the configuration directory");
    let path = etc.join("audisp-remote.conf");
    let text = format!(
        "remote_server = 127.0.0.1\nport = {port}\ntransport = tcp\nqueue_file = {}\n\
         mode = immediate\nqueue_depth = {queue_depth}\nformat = managed\n\
         network_retry_time = 1\nmax_tries_per_record = 3\nmax_time_per_record = 5\n\
         heartbeat_timeout = 0\nnetwork_failure_action = syslog\n\
         disk_low_action = ignore\ndisk_full_action = syslog\n\
         disk_error_action = syslog\nremote_ending_action = reconnect\n\
         generic_error_action = syslog\ngeneric_warning_action = syslog\n\
         queue_error_action = syslog\noverflow_action = syslog\n\
         startup_failure_action = warn_once_continue\n",
        queue.display()
    );
    std::fs::write(&path, text).expect("write audisp-remote.conf");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640))
        .expect("set audisp-remote.conf's mode");
}
