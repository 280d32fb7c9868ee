//! `ausearch-format`: see [`audit_tools::ausearch_format`] for what it does and how to call it.

fn main() -> std::process::ExitCode {
    audit_tools::ausearch_format::main()
}
