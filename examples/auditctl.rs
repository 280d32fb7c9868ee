//! `auditctl`: an alias of the `auditctl-rs` program of the `audit-tools` crate (module
//! [`audit_tools::auditctl`]), kept under this name so that `cargo run --example auditctl`
//! and `target/release/examples/auditctl` go on working.

fn main() -> std::process::ExitCode {
    audit_tools::auditctl::main()
}
