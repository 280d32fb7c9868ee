//! `live-supervise`: an alias of the `live-supervise` program of the `audit-tools` crate (module
//! [`audit_tools::live_supervise`]), kept under this name so that `cargo run --example live-supervise`
//! and `target/release/examples/live-supervise` go on working.

fn main() -> std::process::ExitCode {
    audit_tools::live_supervise::main()
}
