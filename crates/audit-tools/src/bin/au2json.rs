//! `au2json`: see [`audit_tools::au2json`] for what it does and how to call it.

fn main() -> std::process::ExitCode {
    audit_tools::au2json::main()
}
