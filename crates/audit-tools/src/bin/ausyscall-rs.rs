//! `ausyscall-rs`: see [`audit_tools::ausyscall`] for what it does and how to call it.

fn main() -> std::process::ExitCode {
    audit_tools::ausyscall::main()
}
