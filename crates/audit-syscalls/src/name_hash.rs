//! The hash of syscall names behind the generated perfect hash tables.
//!
//! Shared by `build.rs` (which includes this file as a module to place every
//! name) and the lookup in `table.rs`, so both compute the same values.
//!
//! Each name goes to a bucket; each bucket has a displacement, chosen at
//! build time so that `(slot_hash ^ displacement) & mask` gives every name of
//! the table its own slot (hash and displace). A lookup is one hash, two
//! array reads and one name comparison, whatever the table's size.

/// Folds ASCII upper case onto lower case in each byte: names that are equal
/// ignoring ASCII case hash equal (`audit_name_to_syscall` ignores case).
const FOLD: u64 = 0x2020_2020_2020_2020;
const K: u64 = 0x9e37_79b9_7f4a_7c15;

#[inline(always)]
fn word(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

#[inline(always)]
fn mix(h: u64, w: u64) -> u64 {
    (h ^ w).wrapping_mul(K).rotate_left(29)
}

/// The 64-bit hash of `name` under `seed`, ignoring ASCII case. Every byte
/// takes part (8-byte words, the last one overlapping the one before).
#[inline]
pub(crate) fn hash(name: &[u8], seed: u64) -> u64 {
    let len = name.len();
    let mut h = seed ^ (len as u64).wrapping_mul(K);
    if len >= 8 {
        let mut at = 0;
        while at + 8 < len {
            h = mix(h, word(name, at) | FOLD);
            at += 8;
        }
        h = mix(h, word(name, len - 8) | FOLD);
    } else if len >= 4 {
        let mut lo = [0u8; 4];
        let mut hi = [0u8; 4];
        lo.copy_from_slice(&name[..4]);
        hi.copy_from_slice(&name[len - 4..]);
        let w = u64::from(u32::from_le_bytes(lo)) | u64::from(u32::from_le_bytes(hi)) << 32;
        h = mix(h, w | FOLD);
    } else if len > 0 {
        let w = u64::from(name[0]) | u64::from(name[len / 2]) << 8 | u64::from(name[len - 1]) << 16;
        h = mix(h, w | 0x0020_2020);
    }
    // Spread the high bits, which the multiplications mixed best, downwards.
    h ^= h >> 32;
    h = h.wrapping_mul(K);
    h ^ (h >> 29)
}

/// The bucket of a hash (`buckets` is a power of two).
#[inline(always)]
pub(crate) fn bucket(h: u64, buckets: usize) -> usize {
    (h >> 40) as usize & (buckets - 1)
}

/// The slot of a hash after displacement (`slots` is a power of two).
#[inline(always)]
pub(crate) fn slot(h: u64, displacement: u16, slots: usize) -> usize {
    (h as usize ^ usize::from(displacement)) & (slots - 1)
}
