//! User and group names through libc's NSS lookups (`getpwuid_r`,
//! `getgrgid_r`), with a bounded cache that also remembers ids that have no
//! name (a negative cache: libauparse looks a missing id up again every time).

use std::collections::HashMap;

/// What the cache holds for one id: its name, or `None` if NSS has none.
type Entry = Option<Box<[u8]>>;

/// A bounded cache of uid and gid names. When a table reaches its bound it
/// is emptied and refilled (lookups are cheap to redo; the bound only keeps
/// memory in check on logs with very many distinct ids).
#[derive(Debug)]
pub struct IdCache {
    users: HashMap<u32, Entry>,
    groups: HashMap<u32, Entry>,
    limit: usize,
}

impl Default for IdCache {
    fn default() -> Self {
        Self::new(4096)
    }
}

/// Which database an id belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IdKind {
    User,
    Group,
}

impl IdCache {
    /// A cache that keeps at most `limit` entries per table (at least 1).
    pub fn new(limit: usize) -> Self {
        Self {
            users: HashMap::new(),
            groups: HashMap::new(),
            limit: limit.max(1),
        }
    }

    /// Forgets every cached name (for instance after `/etc/passwd` changed).
    pub fn clear(&mut self) {
        self.users.clear();
        self.groups.clear();
    }

    /// The name of user `uid`, if NSS knows one.
    pub fn user_name(&mut self, uid: u32) -> Option<&[u8]> {
        self.name(IdKind::User, uid)
    }

    /// The name of group `gid`, if NSS knows one.
    pub fn group_name(&mut self, gid: u32) -> Option<&[u8]> {
        self.name(IdKind::Group, gid)
    }

    pub(crate) fn name(&mut self, kind: IdKind, id: u32) -> Option<&[u8]> {
        let limit = self.limit;
        let map = match kind {
            IdKind::User => &mut self.users,
            IdKind::Group => &mut self.groups,
        };
        if !map.contains_key(&id) {
            if map.len() >= limit {
                map.clear();
            }
            map.insert(id, lookup(kind, id));
        }
        map.get(&id).and_then(|e| e.as_deref())
    }
}

/// One NSS lookup; `None` when there is no entry or the lookup fails.
fn lookup(kind: IdKind, id: u32) -> Entry {
    let mut buf: Vec<libc::c_char> = vec![0; 1024];
    loop {
        let (rc, name_ptr) = match kind {
            IdKind::User => {
                // SAFETY: all-zero bytes are a valid `struct passwd` (integers and null pointers).
                let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
                let mut result: *mut libc::passwd = std::ptr::null_mut();
                // SAFETY: every pointer is valid for the call: `pw` and `result` are live
                // locals and `buf` is a writable buffer of the length passed.
                let rc = unsafe {
                    libc::getpwuid_r(id, &mut pw, buf.as_mut_ptr(), buf.len(), &mut result)
                };
                (
                    rc,
                    if result.is_null() {
                        std::ptr::null()
                    } else {
                        pw.pw_name.cast_const()
                    },
                )
            }
            IdKind::Group => {
                // SAFETY: all-zero bytes are a valid `struct group` (integers and null pointers).
                let mut gr: libc::group = unsafe { std::mem::zeroed() };
                let mut result: *mut libc::group = std::ptr::null_mut();
                // SAFETY: as above, with `struct group`.
                let rc = unsafe {
                    libc::getgrgid_r(id, &mut gr, buf.as_mut_ptr(), buf.len(), &mut result)
                };
                (
                    rc,
                    if result.is_null() {
                        std::ptr::null()
                    } else {
                        gr.gr_name.cast_const()
                    },
                )
            }
        };
        if rc == libc::ERANGE && buf.len() < (1 << 20) {
            let n = buf.len() * 4;
            buf.resize(n, 0);
            continue;
        }
        if rc != 0 || name_ptr.is_null() {
            return None;
        }
        // SAFETY: on success `pw_name`/`gr_name` points to a NUL-terminated string
        // inside `buf`, which is still alive here.
        let name = unsafe { std::ffi::CStr::from_ptr(name_ptr) };
        return Some(name.to_bytes().into());
    }
}

/// The official name of IP protocol `proto` from the protocols database
/// (`getprotobynumber_r`), as libauparse prints protocols.
pub(crate) fn protocol_name(proto: i32) -> Option<Box<[u8]>> {
    let mut buf: Vec<libc::c_char> = vec![0; 1024];
    // SAFETY: all-zero bytes are a valid `struct protoent`.
    let mut pe: libc::protoent = unsafe { std::mem::zeroed() };
    let mut result: *mut libc::protoent = std::ptr::null_mut();
    // SAFETY: `pe`, `result` and `buf` are live and writable, `buf.len()` is its size.
    let rc =
        unsafe { getprotobynumber_r(proto, &mut pe, buf.as_mut_ptr(), buf.len(), &mut result) };
    if rc != 0 || result.is_null() || pe.p_name.is_null() {
        return None;
    }
    // SAFETY: on success `p_name` is a NUL-terminated string inside `buf`.
    Some(
        unsafe { std::ffi::CStr::from_ptr(pe.p_name) }
            .to_bytes()
            .into(),
    )
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

    #[test]
    fn root_and_missing() {
        let mut c = IdCache::new(2);
        assert_eq!(c.user_name(0), Some(&b"root"[..]));
        assert_eq!(c.group_name(0), Some(&b"root"[..]));
        assert_eq!(c.user_name(3_999_999_999), None);
        // negative entry is cached; the bound empties and refills the table
        assert_eq!(c.user_name(3_999_999_999), None);
        assert_eq!(c.user_name(3_999_999_998), None);
        assert_eq!(c.user_name(0), Some(&b"root"[..]));
        c.clear();
        assert_eq!(c.user_name(0), Some(&b"root"[..]));
    }

    #[test]
    fn protocols() {
        assert_eq!(protocol_name(6).as_deref(), Some(&b"tcp"[..]));
        assert_eq!(protocol_name(255), None);
    }
}
