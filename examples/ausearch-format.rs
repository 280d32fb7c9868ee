//! `ausearch-format`: an alias of the `ausearch-format` program of the `audit-tools` crate (module
//! [`audit_tools::ausearch_format`]), kept under this name so that `cargo run --example ausearch-format`
//! and `target/release/examples/ausearch-format` go on working.

fn main() -> std::process::ExitCode {
    audit_tools::ausearch_format::main()
}
