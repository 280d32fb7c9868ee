//! `auparse-walk`: see [`audit_tools::auparse_walk`] for what it does and how to call it.

fn main() -> std::process::ExitCode {
    audit_tools::auparse_walk::main()
}
