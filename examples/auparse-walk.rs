//! `auparse-walk`: an alias of the `auparse-walk` program of the `audit-tools` crate (module
//! [`audit_tools::auparse_walk`]), kept under this name so that `cargo run --example auparse-walk`
//! and `target/release/examples/auparse-walk` go on working.

fn main() -> std::process::ExitCode {
    audit_tools::auparse_walk::main()
}
