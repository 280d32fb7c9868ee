//! Lookups on arbitrary input: never panic, and agree with a linear search.

use audit_syscalls::{io_uring_op_number, syscall_name, Machine};
use proptest::prelude::*;

fn linear(machine: Machine, name: &str) -> Option<u32> {
    machine
        .syscall_table()
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(nr, _)| nr)
}

proptest! {
    #[test]
    fn name_search_equals_linear_search(
        name in prop_oneof![
            "[a-zA-Z_0-9]{0,24}",
            any::<String>(),
            prop::sample::select(vec!["execve", "EXECVE", "clone3", "rseq_slice_yield", "pread64"])
                .prop_map(str::to_owned),
        ],
        index in 0..Machine::ALL.len(),
    ) {
        let machine = Machine::ALL[index];
        prop_assert_eq!(machine.syscall_table().number(&name), linear(machine, &name));
        let _ = machine.syscall_table().number_or_alias(&name);
        let _ = io_uring_op_number(&name);
        let _ = Machine::determine_for(&name, machine);
        let _ = Machine::from_name(&name);
    }

    #[test]
    fn number_lookup_is_total(arch in any::<u32>(), nr in any::<u32>(), index in 0..Machine::ALL.len()) {
        let machine = Machine::ALL[index];
        let table = machine.syscall_table();
        if let Some(name) = table.name(nr) {
            prop_assert_eq!(table.number(name), Some(nr));
        }
        let _ = syscall_name(arch, nr);
        let _ = syscall_name(machine.audit_arch(), nr);
    }
}
