//! `au2json`: an alias of the `au2json` program of the `audit-tools` crate (module
//! [`audit_tools::au2json`]), kept under this name so that `cargo run --example au2json`
//! and `target/release/examples/au2json` go on working.

fn main() -> std::process::ExitCode {
    audit_tools::au2json::main()
}
