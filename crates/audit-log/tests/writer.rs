//! The log file: modes, symlinks, flush modes, rotation, space actions.

use audit_log::{
    Action, Durability, Flush, LogConfig, LogError, LogFormat, LogWriter, Notice, SizeAction, Space,
};
use audit_wire::RecordType;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The umask is the process's: tests that change it run one at a time.
static UMASK: Mutex<()> = Mutex::new(());

fn config(dir: &Path) -> LogConfig {
    LogConfig {
        log_file: dir.join("audit.log"),
        log_format: LogFormat::Raw,
        flush: Flush::None,
        ..LogConfig::default()
    }
}

fn payload(serial: u64) -> Vec<u8> {
    format!("audit(1700000000.000:{serial}): op=test serial={serial} res=1").into_bytes()
}

fn line(serial: u64) -> String {
    format!(
        "type=CONFIG_CHANGE msg=audit(1700000000.000:{serial}): op=test serial={serial} res=1\n"
    )
}

fn write(w: &mut LogWriter, serial: u64) {
    w.write_record(RecordType::CONFIG_CHANGE, &payload(serial))
        .unwrap();
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p).unwrap()
}

fn mode(p: impl AsRef<Path>) -> u32 {
    std::fs::symlink_metadata(p).unwrap().mode() & 0o7777
}

fn numbered(dir: &Path, n: u32) -> PathBuf {
    dir.join(format!("audit.log.{n}"))
}

#[test]
fn modes_are_exact_whatever_the_umask() {
    let _guard = UMASK.lock().unwrap();
    for umask in [0o000, 0o077, 0o777] {
        let old = rustix::process::umask(rustix::fs::Mode::from_raw_mode(umask));
        let dir = tempfile::tempdir().unwrap();
        let w = LogWriter::open(config(dir.path()));
        let adm = tempfile::tempdir().unwrap();
        let grouped = LogWriter::open(LogConfig {
            log_group: 4,
            ..config(adm.path())
        });
        rustix::process::umask(old);
        drop((w.unwrap(), grouped.unwrap()));
        assert_eq!(mode(dir.path().join("audit.log")), 0o600, "umask {umask:o}");
        assert_eq!(mode(dir.path()), 0o700, "umask {umask:o}");
        assert_eq!(mode(adm.path().join("audit.log")), 0o640, "umask {umask:o}");
        assert_eq!(mode(adm.path()), 0o750, "umask {umask:o}");
        assert_eq!(
            std::fs::metadata(adm.path().join("audit.log"))
                .unwrap()
                .gid(),
            4
        );
        assert_eq!(std::fs::metadata(adm.path()).unwrap().gid(), 4);
    }
}

#[test]
fn an_existing_log_gets_its_mode_back_and_is_appended_to() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    std::fs::write(&path, line(1)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    let mut w = LogWriter::open(config(dir.path())).unwrap();
    assert_eq!(w.size(), line(1).len() as u64);
    write(&mut w, 2);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(read(&path), line(1) + &line(2));
}

#[test]
fn a_planted_symlink_or_fifo_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::symlink(&victim, dir.path().join("audit.log")).unwrap();
    let err = LogWriter::open(config(dir.path())).unwrap_err();
    assert!(matches!(err, LogError::Symlink { .. }), "{err}");
    assert_eq!(read(&victim), "precious\n");
    assert_eq!(mode(&victim), 0o644);

    // A dangling link is not followed to create its target either.
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("created-through-link");
    std::os::unix::fs::symlink(&target, dir.path().join("audit.log")).unwrap();
    let err = LogWriter::open(config(dir.path())).unwrap_err();
    assert!(matches!(err, LogError::Symlink { .. }), "{err}");
    assert!(!target.exists());

    // A FIFO neither blocks the open nor is written to.
    let dir = tempfile::tempdir().unwrap();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        dir.path().join("audit.log"),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
    let err = LogWriter::open(config(dir.path())).unwrap_err();
    assert!(matches!(err, LogError::NotRegular { .. }), "{err}");
}

#[test]
fn a_symlink_planted_as_a_rotated_log_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::symlink(&victim, numbered(dir.path(), 1)).unwrap();
    std::fs::write(numbered(dir.path(), 2), line(1)).unwrap();
    let mut w = LogWriter::open(LogConfig {
        num_logs: 3,
        ..config(dir.path())
    })
    .unwrap();
    assert_eq!(mode(&victim), 0o644);
    // Rotation moves the link itself, never what it points to.
    write(&mut w, 2);
    w.rotate_now();
    assert_eq!(mode(&victim), 0o644);
    assert_eq!(read(&victim), "precious\n");
    assert!(std::fs::symlink_metadata(numbered(dir.path(), 2))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(read(numbered(dir.path(), 1)), line(2));
}

/// The open flags of the writer's descriptor of `path`, from /proc.
fn open_flags(path: &Path) -> u32 {
    for fd in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
        if std::fs::read_link(fd.path()).ok().as_deref() == Some(path) {
            let info = read(format!(
                "/proc/self/fdinfo/{}",
                fd.file_name().to_string_lossy()
            ));
            let flags = info.lines().find_map(|l| l.strip_prefix("flags:")).unwrap();
            return u32::from_str_radix(flags.trim(), 8).unwrap();
        }
    }
    panic!("{} is not open", path.display());
}

#[test]
fn each_flush_mode_writes_and_keeps_its_guarantee() {
    const O_DSYNC: u32 = 0o10000;
    const O_SYNC: u32 = 0o4010000;
    for flush in [
        Flush::None,
        Flush::Incremental,
        Flush::IncrementalAsync,
        Flush::Data,
        Flush::Sync,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let mut w = LogWriter::open(LogConfig {
            flush,
            freq: 3,
            ..config(dir.path())
        })
        .unwrap();
        let flags = open_flags(&path);
        match flush {
            Flush::Data => assert_eq!(flags & O_SYNC, O_DSYNC, "{flush:?}"),
            Flush::Sync => assert_eq!(flags & O_SYNC, O_SYNC, "{flush:?}"),
            _ => assert_eq!(flags & O_SYNC, 0, "{flush:?}"),
        }
        let mut want = String::new();
        for serial in 1..=4 {
            write(&mut w, serial);
            want += &line(serial);
            // Each record is in the file as soon as it is written.
            assert_eq!(read(&path), want, "{flush:?}");
        }
        assert_eq!(w.records_written(), 4);
        match flush {
            Flush::None => assert_eq!(w.records_on_disk(), 0),
            // Synced after the third record, not yet after the fourth.
            Flush::Incremental => assert_eq!(w.records_on_disk(), 3),
            Flush::IncrementalAsync => assert!(w.records_on_disk() <= 3),
            Flush::Data | Flush::Sync => assert_eq!(w.records_on_disk(), 4),
        }
        let durability = w.durable().unwrap();
        if flush == Flush::None {
            assert_eq!(durability, Durability::Written);
            assert_eq!(w.records_on_disk(), 0);
        } else {
            assert_eq!(durability, Durability::OnDisk, "{flush:?}");
            assert_eq!(w.records_on_disk(), 4, "{flush:?}");
        }
        w.close().unwrap();
        assert_eq!(read(&path), want);
    }
}

#[test]
fn a_batch_is_the_records_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    let mut w = LogWriter::open(LogConfig {
        flush: Flush::Incremental,
        freq: 4,
        ..config(dir.path())
    })
    .unwrap();
    write(&mut w, 1);
    let payloads: Vec<Vec<u8>> = (2..=6).map(payload).collect();
    let n = w
        .write_records(
            payloads
                .iter()
                .map(|p| (RecordType::CONFIG_CHANGE, p.as_slice())),
        )
        .unwrap();
    assert_eq!(n, 5);
    assert_eq!(w.records_written(), 6);
    // The batch reached the fourth record: synced after it.
    assert_eq!(w.records_on_disk(), 6);
    assert_eq!(read(&path), (1..=6).map(line).collect::<String>());
    assert_eq!(w.write_records([]).unwrap(), 0);
    assert_eq!(w.records_on_disk(), 6);
}

#[test]
fn rotation_keeps_num_logs() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = LogWriter::open(LogConfig {
        num_logs: 3,
        max_log_file_action: SizeAction::Rotate,
        flush: Flush::Incremental,
        freq: 100,
        ..config(dir.path())
    })
    .unwrap();
    for serial in 1..=4 {
        write(&mut w, serial);
        if serial < 4 {
            w.rotate_now();
        }
    }
    // A log is synced before it is rotated away, whatever freq says.
    assert_eq!(w.records_on_disk(), 3);
    assert_eq!(read(dir.path().join("audit.log")), line(4));
    assert_eq!(read(numbered(dir.path(), 1)), line(3));
    assert_eq!(read(numbered(dir.path(), 2)), line(2));
    assert!(
        !numbered(dir.path(), 3).exists(),
        "num_logs = 3 keeps the log and two more"
    );
    assert_eq!(mode(numbered(dir.path(), 1)), 0o400);
    assert_eq!(mode(numbered(dir.path(), 2)), 0o400);
    assert_eq!(mode(dir.path().join("audit.log")), 0o600);
    assert_eq!(w.take_notices(), vec![Notice::Rotated; 3]);
}

#[test]
fn rotated_logs_of_a_group_are_0440() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = LogWriter::open(LogConfig {
        num_logs: 2,
        log_group: 4,
        ..config(dir.path())
    })
    .unwrap();
    write(&mut w, 1);
    w.rotate_now();
    let rotated = numbered(dir.path(), 1);
    assert_eq!(mode(&rotated), 0o440);
    assert_eq!(std::fs::metadata(&rotated).unwrap().gid(), 4);
    assert_eq!(mode(dir.path().join("audit.log")), 0o640);
    // Reopened later, the rotated log is made read-only again.
    std::fs::set_permissions(&rotated, std::fs::Permissions::from_mode(0o666)).unwrap();
    drop(w);
    drop(
        LogWriter::open(LogConfig {
            num_logs: 2,
            log_group: 4,
            ..config(dir.path())
        })
        .unwrap(),
    );
    assert_eq!(mode(&rotated), 0o440);
}

#[test]
fn rotation_at_max_log_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = LogWriter::open(LogConfig {
        num_logs: 2,
        max_log_file: 1,
        max_log_file_action: SizeAction::Rotate,
        ..config(dir.path())
    })
    .unwrap();
    let mut serial = 0;
    let mut bytes = 0;
    while bytes < (1 << 20) {
        serial += 1;
        write(&mut w, serial);
        bytes += line(serial).len();
    }
    // The record that reached 1 MiB is the last one of the rotated log.
    assert_eq!(
        w.take_notices(),
        vec![
            Notice::MaxLogFile {
                action: SizeAction::Rotate
            },
            Notice::Rotated
        ]
    );
    let rotated = read(numbered(dir.path(), 1));
    assert_eq!(rotated.len(), bytes);
    assert!(rotated.ends_with(&line(serial)));
    assert_eq!(w.size(), 0);
    write(&mut w, serial + 1);
    assert_eq!(read(dir.path().join("audit.log")), line(serial + 1));
}

#[test]
fn finished_lines_count_for_rotation_and_go_in_verbatim() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = LogWriter::open(LogConfig {
        num_logs: 2,
        max_log_file: 1,
        max_log_file_action: SizeAction::Rotate,
        flush: Flush::Incremental,
        freq: 1000,
        ..config(dir.path())
    })
    .unwrap();
    write(&mut w, 1);
    // A remote record keeps its sender's node= and its bytes exactly.
    let remote = b"node=web1 type=USER msg=audit(2.000:2): x=1\x1dUID=\"root\"\n";
    assert_eq!(w.write_lines(&[remote]).unwrap(), 1);
    write(&mut w, 3);
    let expected = [line(1).as_bytes(), remote, line(3).as_bytes()].concat();
    assert_eq!(
        std::fs::read(dir.path().join("audit.log")).unwrap(),
        expected
    );
    assert_eq!(w.size(), expected.len() as u64);
    assert_eq!(w.records_written(), 3);
    // durable() covers the lines (freq 1000 never synced them).
    assert_eq!(w.records_on_disk(), 0);
    assert_eq!(w.durable().unwrap(), Durability::OnDisk);
    assert_eq!(w.records_on_disk(), 3);

    // 1 MiB of appended lines reaches max_log_file: the writer rotates.
    let big = [[b'x'; 1023].as_slice(), b"\n"].concat();
    let batch: Vec<&[u8]> = std::iter::repeat_n(big.as_slice(), 1024).collect();
    assert_eq!(w.write_lines(&batch).unwrap(), 1024);
    assert_eq!(
        w.take_notices(),
        vec![
            Notice::MaxLogFile {
                action: SizeAction::Rotate
            },
            Notice::Rotated
        ]
    );
    assert_eq!(w.size(), 0);
    assert_eq!(
        std::fs::metadata(numbered(dir.path(), 1)).unwrap().len(),
        expected.len() as u64 + (1 << 20)
    );
    w.write_lines(&[remote]).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("audit.log")).unwrap(),
        remote.to_vec()
    );
}

#[test]
fn what_is_not_one_finished_line_is_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = LogWriter::open(config(dir.path())).unwrap();
    for (bad, index) in [
        (vec![&b"type=USER msg=a\n"[..], b"no newline"], 1),
        (vec![&b"two\nlines\n"[..]], 0),
        (vec![&b""[..]], 0),
    ] {
        match w.write_lines(&bad) {
            Err(LogError::NotALine { index: got }) => assert_eq!(got, index, "{bad:?}"),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    assert_eq!(read(dir.path().join("audit.log")), "");
    assert_eq!((w.size(), w.records_written()), (0, 0));
}

#[test]
fn num_logs_below_two_never_rotates() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = LogWriter::open(LogConfig {
        num_logs: 1,
        ..config(dir.path())
    })
    .unwrap();
    write(&mut w, 1);
    w.rotate_now();
    assert_eq!(w.take_notices(), vec![Notice::RotationDisabled]);
    assert!(!numbered(dir.path(), 1).exists());
    write(&mut w, 2);
    assert_eq!(read(dir.path().join("audit.log")), line(1) + &line(2));
}

#[test]
fn keep_logs_never_removes() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = LogWriter::open(LogConfig {
        num_logs: 2,
        max_log_file_action: SizeAction::KeepLogs,
        ..config(dir.path())
    })
    .unwrap();
    for serial in 1..=5 {
        write(&mut w, serial);
        if serial < 5 {
            w.rotate_now();
        }
    }
    assert_eq!(read(dir.path().join("audit.log")), line(5));
    for n in 1..=4 {
        assert_eq!(
            read(numbered(dir.path(), n)),
            line(5 - u64::from(n)),
            ".{n}"
        );
    }
    assert!(!numbered(dir.path(), 5).exists());
}

#[test]
fn logs_beyond_num_logs_are_removed_at_open_unless_kept() {
    for (action, kept) in [(SizeAction::Rotate, false), (SizeAction::KeepLogs, true)] {
        let dir = tempfile::tempdir().unwrap();
        for n in 1..=5 {
            std::fs::write(numbered(dir.path(), n), line(u64::from(n))).unwrap();
        }
        drop(
            LogWriter::open(LogConfig {
                num_logs: 3,
                max_log_file_action: action,
                ..config(dir.path())
            })
            .unwrap(),
        );
        assert!(numbered(dir.path(), 2).exists());
        for n in 3..=5 {
            assert_eq!(numbered(dir.path(), n).exists(), kept, "{action:?} .{n}");
        }
    }
}

#[test]
fn max_log_file_suspend_then_resume() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.log");
    std::fs::write(&path, "x".repeat(1 << 20)).unwrap();
    let mut w = LogWriter::open(LogConfig {
        max_log_file: 1,
        max_log_file_action: SizeAction::Suspend,
        ..config(dir.path())
    })
    .unwrap();
    assert!(w.is_suspended());
    assert_eq!(
        w.take_notices(),
        vec![
            Notice::MaxLogFile {
                action: SizeAction::Suspend
            },
            Notice::Suspended
        ]
    );
    let err = w
        .write_record(RecordType::CONFIG_CHANGE, &payload(1))
        .unwrap_err();
    assert!(matches!(err, LogError::Suspended), "{err}");
    // The administrator moves the log away, then resumes.
    std::fs::rename(&path, dir.path().join("moved")).unwrap();
    w.resume().unwrap();
    write(&mut w, 2);
    assert_eq!(read(&path), line(2));
}

/// A root-owned 0755 program that records that it ran.
fn marker_program(dir: &Path) -> (PathBuf, PathBuf) {
    let marker = dir.join("ran");
    let program = dir.join("action.sh");
    std::fs::write(
        &program,
        format!("#!/bin/sh\necho \"$0\" > {}\n", marker.display()),
    )
    .unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    (program, marker)
}

fn wait_for(path: &Path) -> String {
    for _ in 0..500 {
        if let Ok(s) = std::fs::read_to_string(path) {
            if s.ends_with('\n') {
                return s;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("{} never appeared", path.display());
}

#[test]
fn space_left_runs_its_action() {
    let dir = tempfile::tempdir().unwrap();
    let (program, marker) = marker_program(dir.path());
    // More free space asked for than any disk here has: the actions run at
    // open.
    let text = format!(
        "log_file = {}/audit.log\nlog_format = raw\nflush = none\nspace_left = 900000000\nspace_left_action = exec {}\nadmin_space_left = 800000000\nadmin_space_left_action = email\n",
        dir.path().display(),
        program.display()
    );
    let config = LogConfig::parse(&text).unwrap().config;
    assert_eq!(config.space_left_action, Action::Exec(program.clone()));
    let mut w = LogWriter::open(config).unwrap();
    let notices = w.take_notices();
    assert!(
        matches!(&notices[..], [
            Notice::SpaceLeft { admin: false, action: Action::Exec(p), .. },
            Notice::Suspended,
            Notice::Executed { program: q, .. },
            Notice::SpaceLeft { admin: true, action: Action::Email, .. },
        ] if *p == program && *q == program),
        "{notices:?}"
    );
    assert_eq!(wait_for(&marker), format!("{}\n", program.display()));
    assert!(w.is_suspended());
    assert!(matches!(
        w.write_record(RecordType::CONFIG_CHANGE, &payload(1)),
        Err(LogError::Suspended)
    ));
    // Resumed, it writes (the space is looked at again a few records on).
    w.resume().unwrap();
    write(&mut w, 1);
    assert_eq!(read(dir.path().join("audit.log")), line(1));
}

#[test]
fn space_left_in_percent_is_worked_out_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = LogWriter::open(LogConfig {
        space_left: Space::Percent(99),
        admin_space_left: Space::Percent(1),
        space_left_action: Action::Syslog,
        ..config(dir.path())
    })
    .unwrap();
    let st = rustix::fs::statvfs(dir.path()).unwrap();
    let size_mb = (st.f_blocks * st.f_bsize) >> 20;
    let (space, admin) = w.thresholds_mb();
    assert!(
        space >= size_mb * 98 / 100 && space <= size_mb,
        "{space} of {size_mb}"
    );
    assert!(admin <= size_mb / 100 + 1, "{admin} of {size_mb}");
    // 99% is more than is free here: syslog is reported, writing goes on.
    assert!(matches!(
        &w.take_notices()[..],
        [Notice::SpaceLeft {
            admin: false,
            action: Action::Syslog,
            ..
        }]
    ));
    write(&mut w, 1);
}

#[test]
fn write_logs_no_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = LogWriter::open(LogConfig {
        write_logs: false,
        ..config(dir.path())
    })
    .unwrap();
    assert_eq!(
        w.write_record(RecordType::CONFIG_CHANGE, &payload(1))
            .unwrap(),
        audit_log::Written::NotLogging
    );
    assert!(!dir.path().join("audit.log").exists());
}

/// SIGHUP's reconfiguration, as auditd 3.0.9's: the log's path, group and flush
/// mode change by reopening; the format at once; a size limit that is lifted
/// ends a suspension; rotation then keeps the new `num_logs`.
#[test]
fn reconfigure_applies_what_auditd_applies() {
    const O_SYNC: u32 = 0o4010000;
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("audit.log");
    std::fs::write(&old, "x".repeat(1 << 20)).unwrap();
    let first = LogConfig {
        max_log_file: 1,
        max_log_file_action: SizeAction::Suspend,
        ..config(dir.path())
    };
    let mut w = LogWriter::open(first.clone()).unwrap();
    assert!(w.is_suspended());
    w.take_notices();

    // A larger limit: writing resumes, in the same file.
    w.reconfigure(LogConfig {
        max_log_file: 2,
        ..first.clone()
    })
    .unwrap();
    assert!(!w.is_suspended());
    write(&mut w, 1);
    assert!(read(&old).ends_with(&line(1)));

    // Another file, a group, synchronous writes and the node name.
    let new_dir = dir.path().join("new");
    std::fs::create_dir(&new_dir).unwrap();
    let new = new_dir.join("audit.log");
    let second = LogConfig {
        log_file: new.clone(),
        log_group: 4,
        flush: Flush::Sync,
        num_logs: 2,
        name_format: audit_log::NameFormat::User,
        name: Some("here".into()),
        ..LogConfig::default()
    };
    w.reconfigure(LogConfig {
        log_format: LogFormat::Raw,
        ..second.clone()
    })
    .unwrap();
    assert_eq!(w.config().log_file, new);
    write(&mut w, 2);
    assert_eq!(read(&new), format!("node=here {}", line(2)));
    assert!(!read(&old).contains("serial=2"), "the old log is left");
    assert_eq!(mode(&new), 0o640);
    assert_eq!(std::fs::metadata(&new).unwrap().gid(), 4);
    assert_eq!(open_flags(&new) & O_SYNC, O_SYNC);
    assert_eq!(w.records_on_disk(), w.records_written());

    w.rotate_now();
    assert!(numbered(&new_dir, 1).exists(), "num_logs = 2 rotates");
    w.close().unwrap();
}
