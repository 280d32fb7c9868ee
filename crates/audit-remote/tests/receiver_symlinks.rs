//! Files are opened through no symbolic link, and checked as opened: a link
//! planted (or swapped in) where the receiver's log or the sender's
//! configuration is does not lead them to another file.

use audit_remote::config::{ConfigError, RemoteConfig};
use audit_remote::server::FileSink;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn a_file_sink_does_not_follow_a_planted_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("shadow");
    std::fs::write(&target, "precious\n").unwrap();
    let log = dir.path().join("remote.log");
    std::os::unix::fs::symlink(&target, &log).unwrap();
    let err = FileSink::open(&log).unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
}

#[test]
fn a_file_sink_refuses_what_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("remote.log");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let err = FileSink::open(&fifo).unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
}

fn write_conf(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn a_configuration_behind_a_link_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.conf");
    write_conf(&target, "port = 61\n");
    let conf = dir.path().join("audisp-remote.conf");
    std::os::unix::fs::symlink(&target, &conf).unwrap();
    let err = RemoteConfig::load(&conf).unwrap_err();
    assert!(matches!(err, ConfigError::Insecure { .. }), "{err}");
    assert!(err.to_string().contains("symbolic link"), "{err}");
}

/// The file is checked as opened: a link swapped in between a check by path and
/// the read is never read.
#[test]
fn a_link_swapped_in_after_the_check_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let evil = dir.path().join("evil.conf");
    write_conf(&evil, "port = 666\n");
    let conf = dir.path().join("audisp-remote.conf");
    write_conf(&conf, "port = 61\n");
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let (dir, stop) = (dir.path().to_owned(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let (link, file) = (dir.join("link.tmp"), dir.join("file.tmp"));
            while !stop.load(Ordering::SeqCst) {
                std::os::unix::fs::symlink(dir.join("evil.conf"), &link).unwrap();
                std::fs::rename(&link, dir.join("audisp-remote.conf")).unwrap();
                write_conf(&file, "port = 61\n");
                std::fs::rename(&file, dir.join("audisp-remote.conf")).unwrap();
            }
        })
    };
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut read = 0;
    let mut misled = 0;
    while Instant::now() < deadline {
        match RemoteConfig::load(&conf) {
            Ok(config) if config.port == 61 => read += 1,
            Ok(config) => {
                assert_eq!(config.port, 666);
                misled += 1;
            }
            Err(ConfigError::Insecure { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
    stop.store(true, Ordering::SeqCst);
    swapper.join().unwrap();
    assert!(read > 0, "the regular file was never read");
    assert_eq!(
        misled, 0,
        "the linked file was read {misled} times ({read} right)"
    );
}
