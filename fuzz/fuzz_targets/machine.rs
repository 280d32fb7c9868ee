//! Fuzz machine/arch names and syscall lookups (audit-syscalls, and the
//! libaudit view audit-rules uses): `Machine::from_name`/`from_uname`/
//! `determine_for`, `b32`/`b64` resolution, arch values, and name <-> number
//! lookups in the kernel's tables and libaudit's. Input: an arch value and a
//! syscall number (4 bytes each, little endian), then a name.
#![no_main]

use audit_syscalls::{compat, resolve_bits, syscall_name, Bits, Machine};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let word = |at: usize| {
        data.get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes)
    };
    let (arch, nr) = (word(0), word(4));
    let text = String::from_utf8_lossy(data.get(8..).unwrap_or_default());
    let name = text.as_ref();

    // Arch values: a known one maps back to itself.
    if let Some(m) = Machine::from_audit_arch(arch) {
        assert_eq!(m.audit_arch(), arch);
        assert_eq!(Machine::try_from_audit_arch(arch), Ok(m));
    } else {
        assert!(Machine::try_from_audit_arch(arch).is_err());
    }
    let _ = syscall_name(arch, nr);

    // Names: whatever resolves, resolves again from its canonical name.
    if let Some(m) = Machine::from_name(name) {
        assert_eq!(Machine::from_name(m.name()), Some(m), "{name:?}");
        assert!(Machine::from_uname(name).is_some());
    }
    if let Some(bits) = Bits::from_name(name) {
        assert_eq!(Bits::from_name(bits.name()), Some(bits));
    }
    // libaudit's view: only its machines, each found again by its own name
    // and arch value.
    if let Some(m) = compat::machine_from_name(name) {
        assert!(compat::LIBAUDIT_MACHINES.contains(&m), "{name:?}");
        assert_eq!(compat::machine_from_audit_arch(m.audit_arch()), Some(m));
        let own = m.libaudit_name().expect("a libaudit machine has a name");
        assert_eq!(compat::machine_from_name(own), Some(m));
    }
    if let Some(m) = compat::machine_from_audit_arch(arch) {
        assert!(compat::LIBAUDIT_MACHINES.contains(&m));
    }
    for &running in Machine::ALL {
        match Machine::determine_for(name, running) {
            Ok(m) => {
                // A machine's own name and arch value give it back.
                assert_eq!(Machine::determine_for(m.name(), running), Ok(m));
                let hex = format!("{:x}", m.audit_arch());
                assert_eq!(Machine::determine_for(&hex, running), Ok(m));
            }
            Err(e) => {
                let _ = (e.code(), e.to_string());
            }
        }
        for bits in [Bits::B32, Bits::B64] {
            if let Ok(m) = resolve_bits(bits, running) {
                assert_eq!(m.is_64bit(), bits == Bits::B64, "{bits:?} {running:?}");
                assert_eq!(compat::resolve_bits(bits, running), Ok(m));
            }
        }
    }

    // Syscall lookups on every machine, both views.
    for &m in Machine::ALL {
        let table = m.syscall_table();
        if let Some(n) = table.number(name) {
            assert!(table.name(n).is_some_and(|k| k.eq_ignore_ascii_case(name)));
        }
        let _ = table.number_or_alias(name);
        if let Some(k) = table.name(nr) {
            assert_eq!(table.number(k), Some(nr));
        }
        if let Some(n) = compat::libaudit_number(m, name) {
            let l = compat::libaudit_name(m, n);
            assert!(
                l.is_some_and(|l| l.eq_ignore_ascii_case(name)),
                "{m:?} {name:?}"
            );
        }
        if let Some(n) = compat::number(m, name) {
            assert!(compat::name(m, n).is_some(), "{m:?} {name:?} {n}");
        }
        if let Some(shown) = compat::name(m, nr) {
            assert_eq!(compat::number(m, shown), Some(nr), "{m:?} {nr}");
        }
        if let Some(l) = compat::libaudit_name(m, nr) {
            assert_eq!(compat::libaudit_number(m, l), Some(nr), "{m:?} {nr}");
        }
    }
    for m in [audit_rules::Machine::X86_64, audit_rules::Machine::Ppc64le] {
        if let Some(n) = audit_rules::syscalls::number(m, name) {
            assert_eq!(audit_rules::syscalls::kernel_number(m, name), Some(n));
        }
        let _ = audit_rules::syscalls::name(m, nr);
    }
});
