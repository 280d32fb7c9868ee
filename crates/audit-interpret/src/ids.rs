//! User and group names through libc's NSS lookups (`audit-nss`: `getpwuid_r`,
//! `getgrgid_r`), with a bounded cache that also remembers ids that have no name
//! (a negative cache: libauparse looks a missing id up again every time).

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
    /// The last ids seen, by kind and a hash of the id: logs name the same few
    /// ids over and over, and a compare here is cheaper than the map's hashing.
    recent: [[Option<(u32, Entry)>; RECENT]; 2],
}

/// Slots of [`IdCache::recent`] per kind.
const RECENT: usize = 16;

#[inline]
fn recent_slot(id: u32) -> usize {
    (id.wrapping_mul(0x9e37_79b9) >> 28) as usize % RECENT
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
            recent: Default::default(),
        }
    }

    /// Forgets every cached name (for instance after `/etc/passwd` changed).
    pub fn clear(&mut self) {
        self.users.clear();
        self.groups.clear();
        self.recent = Default::default();
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
        let (map, k) = match kind {
            IdKind::User => (&mut self.users, 0),
            IdKind::Group => (&mut self.groups, 1),
        };
        let slot = &mut self.recent[k][recent_slot(id)];
        if !matches!(slot, Some((seen, _)) if *seen == id) {
            let entry = match map.get(&id) {
                Some(e) => e.clone(),
                None => {
                    if map.len() >= limit {
                        map.clear();
                    }
                    let e = lookup(kind, id);
                    map.insert(id, e.clone());
                    e
                }
            };
            *slot = Some((id, entry));
        }
        slot.as_ref().and_then(|(_, e)| e.as_deref())
    }
}

/// One NSS lookup; `None` when there is no entry or the lookup fails.
fn lookup(kind: IdKind, id: u32) -> Entry {
    match kind {
        IdKind::User => audit_nss::user_name(id),
        IdKind::Group => audit_nss::group_name(id),
    }
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
    fn recent_slots_answer_as_nss() {
        // More ids than recent slots, several sharing a slot, users and groups
        // alike, asked for in shifting orders and through a table bound of 3.
        let ids: Vec<u32> = (0..40).chain([65534, 3_999_999_999]).collect();
        let mut c = IdCache::new(3);
        for round in 0..3 {
            for i in 0..ids.len() {
                let id = ids[(i * 7 + round) % ids.len()];
                assert_eq!(
                    c.user_name(id).map(<[u8]>::to_vec),
                    audit_nss::user_name(id).map(|b| b.to_vec()),
                    "uid {id}"
                );
                assert_eq!(
                    c.group_name(id).map(<[u8]>::to_vec),
                    audit_nss::group_name(id).map(|b| b.to_vec()),
                    "gid {id}"
                );
            }
        }
    }
}
