//! Spellings libaudit uses where they differ from the kernel's.
//!
//! Filled in from the differential comparison with `ausyscall --dump`.

/// `(table label, libaudit spelling, number)`.
pub(crate) const ALIASES: &[(&str, &str, u32)] = &[];

/// The number libaudit gives `name` in table `label`, for spellings the
/// kernel's table does not use.
pub(crate) fn alias_number(label: &str, name: &str) -> Option<u32> {
    ALIASES
        .iter()
        .find(|(l, n, _)| *l == label && n.eq_ignore_ascii_case(name))
        .map(|&(_, _, number)| number)
}
