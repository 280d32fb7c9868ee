//! `live-supervise`: see [`audit_tools::live_supervise`] for what it does and how to call it.

fn main() -> std::process::ExitCode {
    audit_tools::live_supervise::main()
}
