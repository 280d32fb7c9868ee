//! A bounded memo of decoded values: audit logs repeat the same values
//! (process titles, socket addresses, exit codes, syscall arguments) over and
//! over, and looking one up is cheaper than decoding it again.
//!
//! Direct-mapped: each (type, context, value) has one slot, and a new value
//! replaces whatever was there. Values and results above a size bound are
//! not kept, so the memory is bounded by `SLOTS * (MAX_VALUE + MAX_OUTPUT)`.

use crate::decode::{Interpreted, SyscallContext};
use crate::scan::le64;
use crate::types::FieldType;

const SLOT_BITS: u32 = 8;
const SLOTS: usize = 1 << SLOT_BITS;
/// Longest value kept.
const MAX_VALUE: usize = 512;
/// Longest result kept.
const MAX_OUTPUT: usize = 1024;

/// The part of the record's context a type's decoder reads, as a key.
pub(crate) type CtxKey = [u64; 3];

/// The context key for `ty`: only what its decoder looks at, so that values
/// of context-free types are shared between records.
#[inline]
pub(crate) fn ctx_key(ty: FieldType, ctx: &SyscallContext) -> CtxKey {
    use FieldType as F;
    let machine = ctx.machine.map_or(u64::MAX, |m| u64::from(m.audit_arch()));
    let sys = ctx.syscall.map_or(u64::MAX, u64::from);
    match ty {
        F::Arch => [machine, 0, 0],
        F::A0 | F::A3 => [machine, sys, 0],
        F::Syscall | F::A1 => [machine, sys, ctx.a0],
        F::A2 => [machine, sys, ctx.a1],
        _ => [0, 0, 0],
    }
}

#[derive(Debug, Default)]
struct Slot {
    /// `FieldType` number + 1; 0 for an empty slot.
    ty: u8,
    produced: bool,
    ctx: CtxKey,
    value: Vec<u8>,
    output: Vec<u8>,
}

/// The memo table (allocated on first use).
#[derive(Debug, Default)]
pub(crate) struct Memo {
    slots: Vec<Slot>,
}

#[inline]
fn slot_of(ty: FieldType, ctx: &CtxKey, value: &[u8]) -> usize {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |h: u64, x: u64| (h ^ x).wrapping_mul(K).rotate_left(26);
    let mut h = mix(u64::from(ty.as_u32()), value.len() as u64);
    h = mix(h, ctx[0] ^ ctx[1].rotate_left(17) ^ ctx[2].rotate_left(41));
    let n = value.len();
    if n >= 8 {
        let mut i = 0;
        while i + 8 <= n {
            h = mix(h, le64(value, i));
            i += 8;
        }
        h = mix(h, le64(value, n - 8));
    } else {
        for &b in value {
            h = mix(h, u64::from(b));
        }
    }
    (h.wrapping_mul(K) >> (64 - SLOT_BITS)) as usize
}

impl Memo {
    /// Appends the remembered result of decoding `value` as `ty` in context
    /// `ctx` to `out` and returns where it is (appended, or NULL), or the
    /// slot to [`Memo::store`] the result in after decoding.
    #[inline]
    pub(crate) fn lookup(
        &self,
        ty: FieldType,
        ctx: &CtxKey,
        value: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Interpreted<'static>, usize> {
        let i = slot_of(ty, ctx, value);
        let Some(s) = self.slots.get(i) else {
            return Err(i);
        };
        if usize::from(s.ty) == ty.as_u32() as usize + 1 && s.ctx == *ctx && s.value == value {
            out.extend_from_slice(&s.output);
            return Ok(if s.produced {
                Interpreted::InOut
            } else {
                Interpreted::Null
            });
        }
        Err(i)
    }

    /// Remembers the result of decoding `value` in slot `i` (from
    /// [`Memo::lookup`]), when both fit the bounds.
    pub(crate) fn store(
        &mut self,
        i: usize,
        ty: FieldType,
        ctx: &CtxKey,
        value: &[u8],
        output: &[u8],
        produced: Interpreted<'static>,
    ) {
        if value.len() > MAX_VALUE || output.len() > MAX_OUTPUT {
            return;
        }
        if self.slots.is_empty() {
            self.slots = (0..SLOTS).map(|_| Slot::default()).collect();
        }
        let Some(s) = self.slots.get_mut(i) else {
            return;
        };
        s.ty = ty.as_u32() as u8 + 1;
        s.produced = produced != Interpreted::Null;
        s.ctx = *ctx;
        s.value.clear();
        s.value.extend_from_slice(value);
        s.output.clear();
        s.output.extend_from_slice(output);
    }

    /// Forgets everything (the names of users and groups may have changed).
    pub(crate) fn clear(&mut self) {
        for s in &mut self.slots {
            s.ty = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_by_type_context_and_value() {
        let mut m = Memo::default();
        let ctx = [1, 2, 3];
        let mut out = b"x".to_vec();
        let i = m
            .lookup(FieldType::Exit, &ctx, b"-2", &mut out)
            .unwrap_err();
        m.store(
            i,
            FieldType::Exit,
            &ctx,
            b"-2",
            b"ENOENT",
            Interpreted::InOut,
        );
        assert_eq!(
            m.lookup(FieldType::Exit, &ctx, b"-2", &mut out),
            Ok(Interpreted::InOut)
        );
        assert_eq!(out, b"xENOENT");
        assert!(m
            .lookup(FieldType::Exit, &[1, 2, 4], b"-2", &mut out)
            .is_err());
        assert!(m.lookup(FieldType::Mode, &ctx, b"-2", &mut out).is_err());
        assert!(m.lookup(FieldType::Exit, &ctx, b"-3", &mut out).is_err());
        m.clear();
        assert!(m.lookup(FieldType::Exit, &ctx, b"-2", &mut out).is_err());
        // Too long to keep.
        let long = vec![b'a'; MAX_VALUE + 1];
        let i = m
            .lookup(FieldType::Exit, &ctx, &long, &mut out)
            .unwrap_err();
        m.store(i, FieldType::Exit, &ctx, &long, b"y", Interpreted::InOut);
        assert!(m.lookup(FieldType::Exit, &ctx, &long, &mut out).is_err());
        assert_eq!(out, b"xENOENT");
    }
}
