//! `ausyscall`: an alias of the `ausyscall-rs` program of the `audit-tools` crate (module
//! [`audit_tools::ausyscall`]), kept under this name so that `cargo run --example ausyscall`
//! and `target/release/examples/ausyscall` go on working.

fn main() -> std::process::ExitCode {
    audit_tools::ausyscall::main()
}
