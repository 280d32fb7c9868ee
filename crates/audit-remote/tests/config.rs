//! `audisp-remote.conf` as audisp-remote 3.0.9 reads it: the shipped file, every
//! key's values, and the lines it refuses, each error naming its line.

use audit_remote::config::{
    ConfigError, FailureAction, LineError, Mode, OverflowAction, RemoteConfig, WireFormat,
};
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/audisp-remote.conf")
}

#[test]
fn shipped_file_gives_its_values() {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let config = RemoteConfig::parse(&text).unwrap();
    assert_eq!(config.remote_server, None);
    assert_eq!(config.port, 60);
    assert_eq!(config.local_port, None);
    assert_eq!(config.mode, Mode::Immediate);
    assert_eq!(
        config.queue_file.as_deref(),
        Some(Path::new("/var/spool/audit/remote.log"))
    );
    // Not the compiled-in 2048: the file's own value.
    assert_eq!(config.queue_depth, 10240);
    assert_eq!(config.format, WireFormat::Managed);
    assert_eq!(
        (
            config.network_retry_time,
            config.max_tries_per_record,
            config.max_time_per_record,
            config.heartbeat_timeout
        ),
        (1, 3, 5, 0)
    );
    assert_eq!(config.network_failure_action, FailureAction::Stop);
    assert_eq!(config.disk_low_action, FailureAction::Ignore);
    assert_eq!(config.disk_full_action, FailureAction::WarnOnce);
    assert_eq!(config.disk_error_action, FailureAction::WarnOnce);
    assert_eq!(config.remote_ending_action, FailureAction::Reconnect);
    assert_eq!(config.generic_error_action, FailureAction::Syslog);
    assert_eq!(config.generic_warning_action, FailureAction::Syslog);
    assert_eq!(config.queue_error_action, FailureAction::Stop);
    assert_eq!(config.overflow_action, OverflowAction::Syslog);
    assert_eq!(
        config.startup_failure_action,
        FailureAction::WarnOnceContinue
    );
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
}

#[test]
fn load_checks_the_file_as_c_does() {
    // As root, a copy with mode 0644 loads; made writable by others it is refused.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audisp-remote.conf");
    std::fs::copy(fixture(), &path).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(RemoteConfig::load(&path).unwrap().queue_depth, 10240);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    assert!(matches!(
        RemoteConfig::load(&path),
        Err(ConfigError::Insecure { .. })
    ));
}

#[test]
fn exec_program_must_be_root_owned_not_group_writable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("alert");
    std::fs::write(&program, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o775)).unwrap();
    let path = dir.path().join("remote.conf");
    std::fs::write(
        &path,
        format!("network_failure_action = exec {}\n", program.display()),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let err = RemoteConfig::load(&path).unwrap_err();
    assert!(err.to_string().contains("mode 775"), "{err}");
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o750)).unwrap();
    assert_eq!(
        RemoteConfig::load(&path).unwrap().network_failure_action,
        FailureAction::Exec(program)
    );
}

#[test]
fn every_value_and_case() {
    let config = RemoteConfig::parse(
        "REMOTE_SERVER = logs.example\nport=6000\nlocal_port = 700\nmode = FORWARD\n\
         queue_file = /q\nnetwork_failure_action = suspend\ndisk_low_action = exec /bin/true\n\
         disk_full_action = halt\ndisk_error_action = single\nremote_ending_action = stop\n\
         generic_error_action = warn_once_continue\ngeneric_warning_action = ignore\n\
         queue_error_action = syslog\noverflow_action = suspend\nstartup_failure_action = exec /bin/true\n\
         heartbeat_timeout = 30\nport = 61\n",
    )
    .unwrap();
    assert_eq!(config.remote_server.as_deref(), Some("logs.example"));
    assert_eq!(config.port, 61, "the last value wins");
    assert_eq!(config.local_port, Some(700));
    assert_eq!(config.mode, Mode::Forward);
    assert_eq!(config.network_failure_action, FailureAction::Suspend);
    assert_eq!(
        config.disk_low_action,
        FailureAction::Exec("/bin/true".into())
    );
    assert_eq!(config.disk_full_action, FailureAction::Halt);
    assert_eq!(config.disk_error_action, FailureAction::Single);
    assert_eq!(config.remote_ending_action, FailureAction::Stop);
    assert_eq!(config.generic_error_action, FailureAction::WarnOnceContinue);
    assert_eq!(config.generic_warning_action, FailureAction::Ignore);
    assert_eq!(config.queue_error_action, FailureAction::Syslog);
    assert_eq!(config.overflow_action, OverflowAction::Suspend);
    assert_eq!(config.heartbeat_timeout, 30);
    assert_eq!(config.programs().count(), 2);
    assert_eq!(
        RemoteConfig::parse("local_port = any\n")
            .unwrap()
            .local_port,
        None
    );
}

#[test]
fn unknown_keys_and_kerberos_are_warned_with_their_line() {
    let config = RemoteConfig::parse(
        "# c\nport = 60\nwindow_size = 16\nkrb5_principal = x\nformat = ascii\n",
    )
    .unwrap();
    let lines: Vec<usize> = config.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [3, 4, 5]);
    assert!(config.warnings[0].message.contains("window_size"));
    assert_eq!(config.format, WireFormat::Ascii);
}

fn line_error(text: &str) -> (usize, LineError) {
    match RemoteConfig::parse(text) {
        Err(ConfigError::Line { line, kind }) => (line, kind),
        other => panic!("{text:?}: {other:?}"),
    }
}

#[test]
fn bad_lines_are_refused_naming_the_line() {
    type Case = (&'static str, usize, fn(&LineError) -> bool);
    let cases: &[Case] = &[
        ("port 60\n", 1, |e| {
            matches!(e, LineError::MissingEquals { .. })
        }),
        ("\n\nport =\n", 3, |e| {
            matches!(e, LineError::EmptyValue { .. })
        }),
        ("port = 6o\n", 1, |e| {
            matches!(e, LineError::NotANumber { .. })
        }),
        ("port = -1\n", 1, |e| {
            matches!(e, LineError::NotANumber { .. })
        }),
        ("port = 65536\n", 1, |e| {
            matches!(e, LineError::OutOfRange { max: 65535, .. })
        }),
        ("queue_depth = 0\n", 1, |e| {
            matches!(e, LineError::OutOfRange { min: 1, .. })
        }),
        ("queue_depth = 99999999999\n", 1, |e| {
            matches!(e, LineError::OutOfRange { .. })
        }),
        ("max_tries_per_record = 0\n", 1, |e| {
            matches!(e, LineError::OutOfRange { .. })
        }),
        ("network_retry_time = 0\n", 1, |e| {
            matches!(e, LineError::OutOfRange { .. })
        }),
        ("mode = sometimes\n", 1, |e| {
            matches!(e, LineError::UnknownValue { .. })
        }),
        ("transport = krb5\n", 1, |e| {
            matches!(e, LineError::Unsupported { .. })
        }),
        ("transport = udp\n", 1, |e| {
            matches!(e, LineError::UnknownValue { .. })
        }),
        ("queue_file = spool/q\n", 1, |e| {
            matches!(e, LineError::RelativePath { .. })
        }),
        ("port = 60 61\n", 1, |e| {
            matches!(e, LineError::UnexpectedOption { .. })
        }),
        ("disk_full_action = exec\n", 1, |e| {
            matches!(e, LineError::ExecWithoutProgram { .. })
        }),
        ("disk_full_action = exec bin/x\n", 1, |e| {
            matches!(e, LineError::RelativePath { .. })
        }),
        ("disk_full_action = exec /x y\n", 1, |e| {
            matches!(e, LineError::TooManyWords { .. })
        }),
        ("disk_full_action = syslog /x\n", 1, |e| {
            matches!(e, LineError::UnexpectedOption { .. })
        }),
        ("disk_full_action = reconnect\n", 1, |e| {
            matches!(e, LineError::UnknownValue { .. })
        }),
        ("startup_failure_action = stop\n", 1, |e| {
            matches!(e, LineError::UnknownValue { .. })
        }),
        ("overflow_action = stop\n", 1, |e| {
            matches!(e, LineError::UnknownValue { .. })
        }),
        ("overflow_action = exec /x\n", 1, |e| {
            matches!(e, LineError::UnknownValue { .. })
        }),
        ("port = 60\nmode = now\n", 2, |e| {
            matches!(e, LineError::UnknownValue { .. })
        }),
    ];
    for (text, want_line, check) in cases {
        let (line, kind) = line_error(text);
        assert_eq!(line, *want_line, "{text:?}");
        assert!(check(&kind), "{text:?}: {kind:?}");
        // The message names the line.
        let message = RemoteConfig::parse(text).unwrap_err().to_string();
        assert!(
            message.starts_with(&format!("line {want_line}: ")),
            "{message}"
        );
    }
    assert!(matches!(
        RemoteConfig::parse("mode = forward\nformat = ascii\n"),
        Err(ConfigError::ForwardNeedsManaged { line: 2 })
    ));
}

#[test]
fn tls_keys_and_auditd_42_psk_keys() {
    use audit_remote::config::Transport;
    let config = RemoteConfig::parse(
        "transport = tls\ntls_ca_file = /etc/audit/ca.pem\ntls_cert_file = /c.pem\n\
         tls_key_file = /k.pem\ntls_server_name = logs.example\ntls_psk_file = /p\n",
    )
    .unwrap();
    assert_eq!(config.transport, Transport::Tls);
    assert_eq!(
        config.tls.ca_file.as_deref(),
        Some(Path::new("/etc/audit/ca.pem"))
    );
    assert_eq!(config.tls.server_name.as_deref(), Some("logs.example"));
    assert_eq!(config.warnings.len(), 1);
    assert_eq!(config.warnings[0].line, 6);
    // A 4.2 PSK configuration is refused, naming the transport line.
    assert!(matches!(
        RemoteConfig::parse(
            "port = 60\ntransport = tls\ntls_psk_file = /etc/audit/tls/audit.psk\n"
        ),
        Err(ConfigError::IncompleteTls { line: 2, .. })
    ));
    assert!(matches!(
        RemoteConfig::parse("transport = tls\ntls_ca_file = /ca\ntls_cert_file = /c\n"),
        Err(ConfigError::IncompleteTls { line: 1, .. })
    ));
    assert!(matches!(
        RemoteConfig::parse("tls_ca_file = ca.pem\n"),
        Err(ConfigError::Line {
            line: 1,
            kind: LineError::RelativePath { .. }
        })
    ));
}

#[test]
fn the_sender_settings_follow_the_file() {
    let config = RemoteConfig::parse(
        "remote_server = 127.0.0.1\nlocal_port = 700\nmax_time_per_record = 7\n\
         max_tries_per_record = 4\nnetwork_retry_time = 2\nremote_ending_action = suspend\n",
    )
    .unwrap();
    let sender = config.sender_config("127.0.0.1:60".parse().unwrap());
    assert_eq!(sender.local_port, Some(700));
    assert_eq!(sender.reply_timeout, std::time::Duration::from_secs(7));
    assert_eq!(sender.max_time, Some(std::time::Duration::from_secs(7)));
    assert_eq!((sender.max_tries, sender.retry_time.as_secs()), (4, 2));
    assert!(!sender.reconnect_on_ending);
    assert_eq!(sender.window, 16, "the default window");
    let stop_and_wait = RemoteConfig::parse("window = 1\n").unwrap();
    assert_eq!(
        stop_and_wait
            .sender_config("127.0.0.1:60".parse().unwrap())
            .window,
        1
    );
    assert!(RemoteConfig::parse("window = 65\n").is_err());
    let default = RemoteConfig::default().sender_config("127.0.0.1:60".parse().unwrap());
    assert!(default.reconnect_on_ending);
    assert_eq!(default.reply_timeout, std::time::Duration::from_secs(5));
}

/// `examples/remote/`: the sender's file and the aggregator's auditd.conf read as
/// they are shipped.
#[test]
fn the_example_files_are_taken() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/remote");
    let sender = std::fs::read_to_string(examples.join("audisp-remote.conf")).unwrap();
    let config = RemoteConfig::parse(&sender).unwrap();
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    assert_eq!(config.remote_server.as_deref(), Some("aggregator.example"));
    assert_eq!((config.mode, config.heartbeat_timeout), (Mode::Forward, 30));
    let aggregator = std::fs::read_to_string(examples.join("auditd.conf")).unwrap();
    let listen = audit_remote::listen::ListenConfig::from_auditd_conf(&aggregator).unwrap();
    assert_eq!(listen.port, Some(60));
    assert!(!listen.local_events);
    // Senders heartbeat more often than the aggregator reaps.
    assert!(config.heartbeat_timeout < listen.client_max_idle);
}
