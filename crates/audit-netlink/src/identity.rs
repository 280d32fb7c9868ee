//! The calling task's audit identity: its login uid (`auid`) and session id
//! (`ses`), which the kernel stamps on every record about it, as libaudit's
//! `audit_getloginuid`, `audit_setloginuid` and `audit_get_session` read and set
//! them.
//!
//! The kernel keeps both per thread (children inherit them from the thread that
//! starts them) and lets a thread change only its own. libaudit goes through
//! `/proc/self`, which names the main thread, so it works only there; this module
//! goes through `/proc/thread-self` (Linux 3.17 and later; `/proc/self` before),
//! so it works from any thread, for that thread. In a single-threaded program the
//! two are the same.
//!
//! ```
//! // Either may be unset (a process started outside any login session).
//! let auid = audit_netlink::identity::login_uid()?;
//! let ses = audit_netlink::identity::session_id()?;
//! println!("auid={auid:?} ses={ses:?}");
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io;

/// The kernel's "unset" login uid and session id.
pub const UNSET: u32 = u32::MAX;

/// `/proc/thread-self/NAME`, or `/proc/self/NAME` on kernels without it.
fn task_file(name: &str) -> String {
    if std::path::Path::new("/proc/thread-self").exists() {
        format!("/proc/thread-self/{name}")
    } else {
        format!("/proc/self/{name}")
    }
}

fn read_id(name: &str) -> io::Result<Option<u32>> {
    let path = task_file(name);
    let text = std::fs::read_to_string(&path)?;
    let v: u32 = text.trim().parse().map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{path}: {text:?} is not a number: {e}"),
        )
    })?;
    Ok((v != UNSET).then_some(v))
}

/// The calling thread's login uid, `None` when unset (`audit_getloginuid`).
/// In a user namespace that does not map it, the kernel shows it as unset too.
pub fn login_uid() -> io::Result<Option<u32>> {
    read_id("loginuid")
}

/// The calling thread's audit session id, `None` when unset
/// (`audit_get_session`).
pub fn session_id() -> io::Result<Option<u32>> {
    read_id("sessionid")
}

/// Makes the calling thread (and the children it starts from now on) a login
/// session of `uid` (`audit_setloginuid`, what `pam_loginuid` does at login): the
/// kernel gives it a new session id and logs a LOGIN record. [`UNSET`] takes the
/// login uid away again, and the session with it.
///
/// Changing a login uid that is set needs `CAP_AUDIT_CONTROL`; the kernel
/// refuses it (`EPERM`) when its `only_unset_loginuid` feature is on, and any
/// change once `loginuid_immutable` is.
pub fn set_login_uid(uid: u32) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(task_file("loginuid"))?;
    // One write: the kernel takes the number from a single write call.
    f.write_all(uid.to_string().as_bytes())
}
