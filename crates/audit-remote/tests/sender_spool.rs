//! The queue file at open: one sender at a time, and no symbolic link followed.

use audit_remote::spool::{Spool, SpoolError};

#[test]
fn a_second_sender_on_one_queue_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("remote.log");
    let mut first = Spool::open(&path, 10).unwrap();
    first.push(b"first\n").unwrap();
    // audisp-remote takes lockf(F_TLOCK) and fails with EBUSY; two senders on
    // one file would each overwrite the other's records.
    match Spool::open(&path, 10) {
        Err(SpoolError::Busy { path: busy }) => assert_eq!(busy, path),
        other => panic!("second open: {other:?}"),
    }
    let message = Spool::open(&path, 10).unwrap_err().to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    first.push(b"second\n").unwrap();
    drop(first);
    // Free again once the first is gone, with both of its records.
    let reopened = Spool::open(&path, 10).unwrap();
    assert_eq!(reopened.len(), 2);
}

#[test]
fn a_symbolic_link_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    let link = dir.path().join("remote.log");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    match Spool::open(&link, 10) {
        Err(SpoolError::Symlink { path }) => assert_eq!(path, link),
        other => panic!("open through a link: {other:?}"),
    }
    assert!(!victim.exists(), "the link's target was created");
    // A link to an existing queue file is refused too, and the file left alone.
    drop(Spool::open(&victim, 10).unwrap());
    let before = std::fs::read(&victim).unwrap();
    assert!(matches!(
        Spool::open(&link, 10),
        Err(SpoolError::Symlink { .. })
    ));
    assert_eq!(std::fs::read(&victim).unwrap(), before);
}
