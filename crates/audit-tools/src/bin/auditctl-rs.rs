//! `auditctl-rs`: see [`audit_tools::auditctl`] for what it does and how to call it.

fn main() -> std::process::ExitCode {
    audit_tools::auditctl::main()
}
