//! User, group and protocol names and host addresses from the system's name
//! service (NSS), through libc's reentrant lookups: `/etc/passwd`, LDAP, sssd,
//! DNS, ... as `nsswitch.conf` says, which is how auditctl resolves `-F uid=NAME`,
//! libauparse names ids and libaudit fills in the `addr` of user messages.
//!
//! ```
//! assert_eq!(audit_nss::user_id(b"root"), Some(0));
//! assert_eq!(audit_nss::group_name(0).as_deref(), Some(&b"root"[..]));
//! assert_eq!(audit_nss::user_id(b"no-such-user-here"), None);
//! ```
//!
//! Every function answers `None` when the database has no entry, when the
//! lookup fails, or (for names) when the name holds a NUL byte. Nothing is
//! cached here: callers that look the same ids up often keep their own cache.
#![deny(missing_docs)]

use std::ffi::{c_char, CStr, CString};

/// A lookup's buffer grows up to this many bytes (entries with long member
/// lists need more than the first size).
const MAX_BUF: usize = 1 << 20;

/// Runs `call` with a buffer until it stops answering `ERANGE` (buffer too
/// small) or the buffer reaches [`MAX_BUF`]; `call` returns the C function's
/// return code and what it found.
fn with_buffer<T>(mut call: impl FnMut(&mut [c_char]) -> (i32, Option<T>)) -> Option<T> {
    let mut buf: Vec<c_char> = vec![0; 1024];
    loop {
        let (rc, found) = call(&mut buf);
        if rc == libc::ERANGE && buf.len() < MAX_BUF {
            let n = buf.len() * 4;
            buf.resize(n, 0);
            continue;
        }
        return if rc == 0 { found } else { None };
    }
}

/// The bytes of a NUL-terminated string the C library left in a lookup's buffer.
///
/// # Safety
/// `p` is null or points to a NUL-terminated string that is alive for the call.
unsafe fn owned(p: *const c_char) -> Option<Box<[u8]>> {
    if p.is_null() {
        return None;
    }
    // SAFETY: non-null, NUL-terminated and alive, as the caller promises.
    Some(unsafe { CStr::from_ptr(p) }.to_bytes().into())
}

/// The uid of user `name` (`getpwnam_r`).
pub fn user_id(name: &[u8]) -> Option<u32> {
    let cname = CString::new(name).ok()?;
    with_buffer(|buf| {
        // SAFETY: all-zero bytes are a valid `struct passwd` (integers and null
        // pointers).
        let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: `cname` is NUL-terminated; `pw` and `result` are live locals and
        // `buf` is writable for the length passed.
        let rc = unsafe {
            libc::getpwnam_r(
                cname.as_ptr(),
                &mut pw,
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            )
        };
        (rc, (!result.is_null()).then_some(pw.pw_uid))
    })
}

/// The gid of group `name` (`getgrnam_r`).
pub fn group_id(name: &[u8]) -> Option<u32> {
    let cname = CString::new(name).ok()?;
    with_buffer(|buf| {
        // SAFETY: all-zero bytes are a valid `struct group`.
        let mut gr: libc::group = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::group = std::ptr::null_mut();
        // SAFETY: as in `user_id`, with `struct group`.
        let rc = unsafe {
            libc::getgrnam_r(
                cname.as_ptr(),
                &mut gr,
                buf.as_mut_ptr(),
                buf.len(),
                &mut result,
            )
        };
        (rc, (!result.is_null()).then_some(gr.gr_gid))
    })
}

/// The name of user `uid` (`getpwuid_r`).
pub fn user_name(uid: u32) -> Option<Box<[u8]>> {
    with_buffer(|buf| {
        // SAFETY: all-zero bytes are a valid `struct passwd`.
        let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: `pw` and `result` are live locals and `buf` is writable for the
        // length passed.
        let rc =
            unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut result) };
        let name = if result.is_null() {
            None
        } else {
            // SAFETY: on success `pw_name` is null or a NUL-terminated string in
            // `buf`, alive here.
            unsafe { owned(pw.pw_name) }
        };
        (rc, name)
    })
}

/// The name of group `gid` (`getgrgid_r`).
pub fn group_name(gid: u32) -> Option<Box<[u8]>> {
    with_buffer(|buf| {
        // SAFETY: all-zero bytes are a valid `struct group`.
        let mut gr: libc::group = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::group = std::ptr::null_mut();
        // SAFETY: as in `user_name`, with `struct group`.
        let rc =
            unsafe { libc::getgrgid_r(gid, &mut gr, buf.as_mut_ptr(), buf.len(), &mut result) };
        let name = if result.is_null() {
            None
        } else {
            // SAFETY: on success `gr_name` is null or a NUL-terminated string in
            // `buf`, alive here.
            unsafe { owned(gr.gr_name) }
        };
        (rc, name)
    })
}

/// The official name of IP protocol `proto` from the protocols database
/// (`getprotobynumber_r`), as libauparse prints protocols.
pub fn protocol_name(proto: i32) -> Option<Box<[u8]>> {
    with_buffer(|buf| {
        // SAFETY: all-zero bytes are a valid `struct protoent`.
        let mut pe: libc::protoent = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::protoent = std::ptr::null_mut();
        // SAFETY: `pe`, `result` and `buf` are live and writable, `buf.len()` is
        // its size.
        let rc =
            unsafe { getprotobynumber_r(proto, &mut pe, buf.as_mut_ptr(), buf.len(), &mut result) };
        let name = if result.is_null() {
            None
        } else {
            // SAFETY: on success `p_name` is null or a NUL-terminated string in
            // `buf`, alive here.
            unsafe { owned(pe.p_name) }
        };
        (rc, name)
    })
}

/// The first address of host `name` (`getaddrinfo` with `AI_ADDRCONFIG`, stream
/// sockets), as libaudit finds the `addr` of a user message from its host name.
/// `None` when the name does not resolve or holds a NUL byte.
///
/// ```
/// assert!(audit_nss::host_address(b"localhost").is_some_and(|a| a.is_loopback()));
/// assert_eq!(audit_nss::host_address(b"no-such-host.invalid"), None);
/// ```
pub fn host_address(name: &[u8]) -> Option<std::net::IpAddr> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    let name = CString::new(name).ok()?;
    // SAFETY: all-zero bytes are a valid `struct addrinfo` (null pointers, zero
    // numbers) to fill in as hints.
    let mut hints: libc::addrinfo = unsafe { std::mem::zeroed() };
    hints.ai_flags = libc::AI_ADDRCONFIG;
    hints.ai_socktype = libc::SOCK_STREAM;
    let mut list: *mut libc::addrinfo = std::ptr::null_mut();
    // SAFETY: `name` is NUL-terminated, the service may be null, `hints` and
    // `list` are live; on success `list` must be given back to freeaddrinfo.
    let rc = unsafe { libc::getaddrinfo(name.as_ptr(), std::ptr::null(), &hints, &mut list) };
    if rc != 0 || list.is_null() {
        return None;
    }
    // SAFETY: `list` is the non-null head getaddrinfo returned; its `ai_addr`
    // points to a socket address of `ai_addrlen` bytes of family `ai_family`.
    let found = unsafe {
        let first = &*list;
        let addr = first.ai_addr;
        match first.ai_family {
            libc::AF_INET
                if !addr.is_null()
                    && first.ai_addrlen as usize >= std::mem::size_of::<libc::sockaddr_in>() =>
            {
                let sin = &*addr.cast::<libc::sockaddr_in>();
                Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                    sin.sin_addr.s_addr,
                ))))
            }
            libc::AF_INET6
                if !addr.is_null()
                    && first.ai_addrlen as usize >= std::mem::size_of::<libc::sockaddr_in6>() =>
            {
                let sin6 = &*addr.cast::<libc::sockaddr_in6>();
                Some(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)))
            }
            _ => None,
        }
    };
    // SAFETY: `list` came from getaddrinfo and is freed once, after its last use.
    unsafe { libc::freeaddrinfo(list) };
    found
}

extern "C" {
    fn getprotobynumber_r(
        proto: libc::c_int,
        result_buf: *mut libc::protoent,
        buf: *mut libc::c_char,
        buflen: libc::size_t,
        result: *mut *mut libc::protoent,
    ) -> libc::c_int;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every entry of a `name:x:id:...` file, as (name, id), first of each name.
    fn entries(path: &str) -> Vec<(String, u32)> {
        let mut seen = std::collections::HashSet::new();
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let mut p = l.split(':');
                let (name, _, id) = (p.next()?, p.next()?, p.next()?);
                Some((name.to_string(), id.parse().ok()?))
            })
            .filter(|(name, _)| seen.insert(name.clone()))
            .collect()
    }

    #[test]
    fn names_and_ids_agree_with_the_local_files() {
        for (name, id) in entries("/etc/passwd") {
            assert_eq!(user_id(name.as_bytes()), Some(id), "user {name}");
            assert!(user_name(id).is_some(), "uid {id}");
        }
        for (name, id) in entries("/etc/group") {
            assert_eq!(group_id(name.as_bytes()), Some(id), "group {name}");
            assert!(group_name(id).is_some(), "gid {id}");
        }
        assert_eq!(user_name(0).as_deref(), Some(&b"root"[..]));
    }

    #[test]
    fn missing_and_malformed() {
        assert_eq!(user_id(b"no-such-user-here"), None);
        assert_eq!(group_id(b"no-such-group-here"), None);
        assert_eq!(user_id(b"ro\0ot"), None);
        assert_eq!(user_id(b""), None);
        assert_eq!(user_name(3_999_999_999), None);
        assert_eq!(group_name(3_999_999_999), None);
    }

    #[test]
    fn protocols() {
        assert_eq!(protocol_name(6).as_deref(), Some(&b"tcp"[..]));
        assert_eq!(protocol_name(255), None);
    }
}
