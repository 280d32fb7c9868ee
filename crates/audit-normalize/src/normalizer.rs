//! What the normalizer finds in an event ([`Normalized`]) and how it finds
//! it: libauparse's `auparse_normalize`, move for move.

use crate::tables::{event_kind, record_action, syscall_kind, ObjectKind, SysKind};
use crate::{EventCursor, NormalizeContext};
use audit_interpret::FieldType;
use audit_parse::{Event, Field, RecordType};

/// libaudit's `AUDIT_FIRST_DAEMON` and `AUDIT_LAST_DAEMON`: the bounds of the
/// daemon record types, which [`RecordType`] names one by one.
const FIRST_DAEMON: u32 = 1200;
const LAST_DAEMON: u32 = 1299;
/// libaudit's `AUDIT_LAST_SELINUX`: the end of the SELinux record types.
const LAST_SELINUX: u32 = 1499;

/// How much the normalizer collects (`normalize_option_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum NormalizeOptions {
    /// Everything, attributes included (`NORM_OPT_ALL`).
    #[default]
    All,
    /// No subject or object attributes (`NORM_OPT_NO_ATTRS`); as libauparse,
    /// some attributes are still collected (mounts) and AVC targets are not.
    NoAttributes,
}

/// A field the normalizer points at: record and field number as libauparse
/// keeps them (16 bits each). It may not resolve: libauparse sometimes pairs
/// record 0 with a field number it found in another record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldPos {
    /// Record number, from 0.
    pub record: u16,
    /// Field number within the record, from 0.
    pub field: u16,
}

/// Why a [`FieldPos`] does not resolve ([`FieldPos::field`],
/// [`EventCursor::seek`]; libauparse's -1 and -2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SeekError {
    /// The event has no record with this number.
    #[error("record {0} is out of range")]
    Record(u16),
    /// The record has no field with this number.
    #[error("field {field} is out of range in record {record}")]
    Field {
        /// The record.
        record: u16,
        /// The field number that is out of range.
        field: u16,
    },
}

impl SeekError {
    /// libauparse's return code for the failure: -1 or -2.
    pub fn code(self) -> i32 {
        match self {
            SeekError::Record(_) => -1,
            SeekError::Field { .. } => -2,
        }
    }
}

impl FieldPos {
    /// The position, or `None` where libauparse's encoding says "unset".
    fn new(record: usize, field: usize) -> Option<FieldPos> {
        let record = (record & 0xffff) as u16;
        (record != 0xffff).then_some(FieldPos {
            record,
            field: (field & 0xffff) as u16,
        })
    }

    /// The field of `event` at this position.
    pub fn field<'e>(self, event: &'e Event) -> Result<Field<'e>, SeekError> {
        let rec = event
            .record(usize::from(self.record))
            .ok_or(SeekError::Record(self.record))?;
        rec.field_at(usize::from(self.field))
            .ok_or(SeekError::Field {
                record: self.record,
                field: self.field,
            })
    }
}

/// Whether libauparse's `auparse_normalize` succeeded for an event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NormalizeStatus {
    /// Normalized: what the event says was found.
    #[default]
    Complete,
    /// Normalizing stopped early; what was found until then is kept.
    Failed,
}

impl NormalizeStatus {
    /// libauparse's return code: 0 for [`Complete`](Self::Complete), 1 for
    /// [`Failed`](Self::Failed) (ausearch's and the JSON's `status`).
    pub fn code(self) -> i32 {
        match self {
            NormalizeStatus::Complete => 0,
            NormalizeStatus::Failed => 1,
        }
    }
}

/// What the normalizer found in one event: libauparse's answers to
/// `auparse_normalize_*`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    /// Whether normalizing succeeded: libauparse's `auparse_normalize` fails
    /// for a multi-record event without a SYSCALL record or a position it
    /// cannot go back to.
    pub status: NormalizeStatus,
    /// The kind of event (`user-login`, `audit-rule`, ...); `None` where
    /// normalizing failed early.
    pub event_kind: Option<&'static str>,
    /// The session (`ses`).
    pub session: Option<FieldPos>,
    /// The subject: who did it (usually `auid`).
    pub subject_primary: Option<FieldPos>,
    /// The identity the subject acted as (usually `uid`).
    pub subject_secondary: Option<FieldPos>,
    /// What kind of account the subject is (`privileged-acct`, `user-acct`,
    /// `service-acct`, `unset-acct`, `unknown-acct`, `system`, `auditd`).
    pub subject_kind: Option<&'static str>,
    /// More about the subject (`pid`, `subj`, `hostname`, ...), in order.
    pub subject_attributes: Vec<FieldPos>,
    /// What was done (`executed`, `opened-file`, an interpreted `op`, ...).
    pub action: Option<Vec<u8>>,
    /// The object: what it was done to.
    pub object_primary: Option<FieldPos>,
    /// More about the object (an inode, a port, ...).
    pub object_secondary: Option<FieldPos>,
    /// A second object (the new name of a rename, a mount point, ...).
    pub object_primary2: Option<FieldPos>,
    /// More about the object (a PATH record's fields after `mode`, ...).
    pub object_attributes: Vec<FieldPos>,
    /// What kind of thing the object is.
    pub object_kind: ObjectKind,
    /// The field that says whether it worked (`success`, `res`, ...).
    pub results: Option<FieldPos>,
    /// How it was done: a program, a signal, a syscall name.
    pub how: Option<Vec<u8>>,
    /// The rule key of a syscall event (`key`), when it is not `(null)`.
    pub key: Option<FieldPos>,
}

impl NormalizeContext {
    /// Normalizes `event` (`auparse_normalize`).
    pub fn normalize(&mut self, event: &Event, opt: NormalizeOptions) -> Normalized {
        self.cursor(event).normalize(opt)
    }
}

const SCRIPT_HOSTS: [&[u8]; 4] = [
    b"/usr/bin/python",
    b"/usr/bin/sh",
    b"/usr/bin/bash",
    b"/usr/bin/perl",
];

fn is_script_host(exe: Option<&[u8]>) -> bool {
    exe.is_some_and(|e| SCRIPT_HOSTS.iter().any(|p| e.starts_with(p)))
}

/// Cut at the first NUL, as C sees a string.
fn c_str(mut v: Vec<u8>) -> Vec<u8> {
    if let Some(p) = memchr::memchr(0, &v) {
        v.truncate(p);
    }
    v
}

impl EventCursor<'_> {
    /// Normalizes the event (`auparse_normalize`) and leaves the cursor on the
    /// first record, as libauparse does. The cursor keeps the interpretations
    /// the normalizer made, as libauparse's event does.
    pub fn normalize(&mut self, opt: NormalizeOptions) -> Normalized {
        self.first_record();
        let num = self.num_records();
        self.first_record();
        let mut n = Run {
            c: self,
            d: Normalized::default(),
            opt,
            success: -1,
        };
        let rc = if num > 1 { n.compound() } else { n.simple() };
        let mut d = n.d;
        d.status = if rc == 0 {
            NormalizeStatus::Complete
        } else {
            NormalizeStatus::Failed
        };
        self.first_record();
        d
    }

    /// Goes to `pos` as libauparse's getters do before they read a field.
    /// Where it does not resolve, the cursor is left as the failed move left
    /// it: where it was (record out of range) or on the record's first field
    /// (field out of range).
    pub fn seek(&mut self, pos: FieldPos) -> Result<(), SeekError> {
        if !self.goto_record(usize::from(pos.record)) {
            return Err(SeekError::Record(pos.record));
        }
        if !self.goto_field(usize::from(pos.field)) {
            return Err(SeekError::Field {
                record: pos.record,
                field: pos.field,
            });
        }
        Ok(())
    }

    /// [`EventCursor::seek`] to a position the normalizer may have left
    /// unset: true when the cursor is on it.
    pub fn seek_to(&mut self, pos: Option<FieldPos>) -> bool {
        pos.is_some_and(|p| self.seek(p).is_ok())
    }
}

struct Run<'r, 'a> {
    c: &'r mut EventCursor<'a>,
    d: Normalized,
    opt: NormalizeOptions,
    /// libauparse's `syscall_success`: -1 unknown, 0 failed, 1 succeeded.
    success: i32,
}

fn at(record: usize, field: usize) -> Option<FieldPos> {
    FieldPos::new(record, field)
}

impl Run<'_, '_> {
    fn here(&self, record: usize) -> Option<FieldPos> {
        at(record, self.c.field_index())
    }

    fn found_here(&self) -> Option<FieldPos> {
        at(self.c.record_index(), self.c.field_index())
    }

    fn interpret(&mut self) -> Option<Vec<u8>> {
        self.c.interpret().map(c_str)
    }

    fn set_subject_kind(&mut self) -> i32 {
        let uid: i32;
        if self.c.field_type() == FieldType::Uid {
            uid = self.c.field_int().unwrap_or(-1);
        } else {
            let acct = if self.c.field_name() == Some(b"acct") {
                self.interpret()
            } else {
                None
            };
            match acct.and_then(|a| self.c.context().uid_of(&a)) {
                Some(u) => uid = u as i32,
                None => {
                    self.d.subject_kind = Some("unknown-acct");
                    return 1;
                }
            }
        }
        self.d.subject_kind = Some(if uid == 0 {
            "privileged-acct"
        } else if uid == -1 {
            "unset-acct"
        } else if uid < 1000 {
            "service-acct"
        } else if uid < 60000 {
            "user-acct"
        } else {
            "unknown-acct"
        });
        0
    }

    fn prime_subject(&mut self, name: &str, rnum: usize) -> i32 {
        if self.c.find_field(name).is_some() {
            self.d.subject_primary = self.here(rnum);
            0
        } else {
            1
        }
    }

    fn secondary_subject(&mut self, name: &str, rnum: usize) -> i32 {
        if self.c.find_field(name).is_some() {
            self.d.subject_secondary = self.here(rnum);
            self.set_subject_kind()
        } else {
            1
        }
    }

    fn subject_attr(&mut self, name: &str, rnum: usize) -> i32 {
        if self.c.find_field(name).is_some() {
            if let Some(p) = self.here(rnum) {
                self.d.subject_attributes.push(p);
            } else {
                self.d.subject_attributes.push(FieldPos {
                    record: 0xffff,
                    field: self.c.field_index() as u16,
                });
            }
            0
        } else {
            self.c.goto_record(rnum);
            1
        }
    }

    fn prime_object(&mut self, name: &str, rnum: usize) -> i32 {
        if self.c.find_field(name).is_some() {
            self.d.object_primary = self.here(rnum);
            0
        } else {
            1
        }
    }

    fn prime_object2(&mut self, name: &str, adjust: usize) -> i32 {
        let rnum = 2 + adjust;
        self.c.goto_record(rnum);
        self.c.first_field();
        if self.c.find_field(name).is_some() {
            self.d.object_primary2 = self.here(rnum);
            0
        } else {
            1
        }
    }

    fn object_attr(&mut self, name: &str, rnum: usize) -> i32 {
        if self.c.find_field(name).is_some() {
            self.push_object_attr(rnum);
            0
        } else {
            self.c.goto_record(rnum);
            1
        }
    }

    fn push_object_attr(&mut self, rnum: usize) {
        let p = self.here(rnum).unwrap_or(FieldPos {
            record: 0xffff,
            field: self.c.field_index() as u16,
        });
        self.d.object_attributes.push(p);
    }

    fn session(&mut self, rnum: usize) -> i32 {
        if self.c.find_field("ses").is_some() {
            self.d.session = self.here(rnum);
            0
        } else {
            self.c.first_record();
            1
        }
    }

    fn results(&mut self, rnum: usize) -> i32 {
        if self.c.find_field("res").is_some() {
            self.d.results = self.here(rnum);
            0
        } else {
            1
        }
    }

    fn syscall_subject_attrs(&mut self) {
        self.c.first_record();
        loop {
            let rnum = self.c.record_index();
            if self.c.record_type_or_zero() == RecordType::SYSCALL {
                if self.opt == NormalizeOptions::NoAttributes {
                    self.session(rnum);
                    return;
                }
                for name in [
                    "ppid", "pid", "gid", "euid", "suid", "fsuid", "egid", "sgid", "fsgid", "tty",
                ] {
                    self.subject_attr(name, rnum);
                }
                self.session(rnum);
                self.subject_attr("subj", rnum);
                return;
            }
            if !self.c.next_record() {
                return;
            }
        }
    }

    fn perm_object2(&mut self, syscall: &[u8]) {
        let name = if syscall == b"fchmodat" { "a2" } else { "a1" };
        self.c.first_record();
        if self.c.find_field(name).is_some() {
            self.d.object_primary2 = self.here(0);
        }
    }

    fn owner_object2(&mut self, syscall: &[u8]) {
        let name = if syscall == b"fchownat" { "a2" } else { "a1" };
        self.c.first_record();
        if self.c.find_field(name).is_some() {
            // An id of -1 is not being changed: take the group.
            if self.c.field_int() == Some(-1) {
                self.c.next_field();
            }
            self.d.object_primary2 = self.here(0);
        }
    }

    fn id_object2(&mut self, syscall: &[u8]) {
        let limit = match syscall {
            b"setuid" | b"setgid" => 1,
            b"setreuid" | b"setregid" => 2,
            b"setresuid" | b"setresgid" => 3,
            _ => return,
        };
        self.c.first_record();
        if self.c.find_field("a0").is_some() {
            let mut cnt = 1;
            while cnt <= limit {
                if self.interpret().as_deref() == Some(b"unset") {
                    if cnt < limit {
                        if !self.c.next_field() {
                            return;
                        }
                        cnt += 1;
                    } else {
                        return;
                    }
                } else {
                    break;
                }
            }
            self.d.object_primary2 = self.here(0);
        }
    }

    fn path_attrs(&mut self) {
        let rnum = self.c.record_index();
        self.c.first_field();
        if self.object_attr("mode", rnum) != 0 {
            return;
        }
        while self.c.next_field() {
            self.push_object_attr(rnum);
        }
    }

    fn simple_file_attrs(&mut self) {
        if self.opt == NormalizeOptions::NoAttributes {
            return;
        }
        let mut parent = 0;
        self.c.first_record();
        loop {
            match self.c.record_type_or_zero() {
                RecordType::PATH => {
                    let f = self.c.find_field("nametype");
                    if f.is_some_and(|f| f.value() == b"PARENT") {
                        if parent == 0 {
                            parent = self.c.record_index();
                        }
                    } else {
                        self.path_attrs();
                        return;
                    }
                }
                RecordType::CWD => {
                    let rnum = self.c.record_index();
                    self.object_attr("cwd", rnum);
                }
                RecordType::SOCKADDR => {
                    let rnum = self.c.record_index();
                    self.object_attr("saddr", rnum);
                }
                _ => {}
            }
            if !self.c.next_record() {
                break;
            }
        }
        if parent != 0 {
            self.c.goto_record(parent);
            self.path_attrs();
        }
    }

    fn file_object(&mut self, adjust: i32) {
        self.c.goto_record((2 + adjust).max(0) as usize);
        self.c.first_field();
        let mut parent = 0;
        let mut found;
        loop {
            let f = self.c.find_field("nametype");
            found = f.is_some();
            if let Some(f) = f {
                if f.value() != b"PARENT" {
                    break;
                }
                if parent == 0 {
                    parent = self.c.record_index();
                }
            }
            if !(found && self.c.next_record()) {
                break;
            }
        }
        let rnum = if !found {
            if parent == 0 {
                return;
            }
            self.c.goto_record(parent);
            self.c.first_field();
            parent
        } else {
            self.c.record_index()
        };
        if self.c.record_type_or_zero() == RecordType::PATH {
            self.c.first_field();
            self.prime_object("name", rnum);
            if self.c.find_field("inode").is_some() {
                self.d.object_secondary = self.here(rnum);
            }
            if let Some(f) = self.c.find_field("mode") {
                if let Some(mode) = audit_interpret::cnum::strtoul(f.value(), 8) {
                    let kind = match (mode as u32) & 0o170000 {
                        0o100000 => Some(ObjectKind::File),
                        0o040000 => Some(ObjectKind::Directory),
                        0o020000 => Some(ObjectKind::CharDev),
                        0o060000 => Some(ObjectKind::BlockDev),
                        0o010000 => Some(ObjectKind::Fifo),
                        0o120000 => Some(ObjectKind::Link),
                        0o140000 => Some(ObjectKind::Socket),
                        _ => None,
                    };
                    if let Some(k) = kind {
                        self.d.object_kind = k;
                    }
                }
            }
        }
    }

    fn socket_object(&mut self) {
        self.c.goto_record(1);
        self.c.first_field();
        self.prime_object("saddr", 1);
    }

    fn program_object(&mut self) -> i32 {
        self.c.first_record();
        let t = self.c.record_type_or_zero();
        if t == RecordType::BPF {
            if self.c.find_field("prog-id").is_some() {
                self.d.object_primary = self.found_here();
            }
        } else if t == RecordType::EVENT_LISTENER {
            if self.c.find_field("nl-mcgrp").is_some() {
                self.d.object_primary = self.found_here();
            }
        } else if self.c.find_field("exe").is_some() {
            let exe = self.interpret();
            if is_script_host(exe.as_deref()) {
                let fnum = self.c.field_index();
                if fnum > 0 {
                    self.c.goto_field(fnum - 1);
                } else {
                    self.c.first_record();
                }
                self.c.find_field("comm");
            }
            self.d.object_primary = self.found_here();
            return 0;
        }
        1
    }

    fn find_pos(&mut self, name: &str) -> Option<FieldPos> {
        self.c.find_field(name).and_then(|_| self.found_here())
    }

    fn syscall_event(&mut self, syscall: Option<&[u8]>) {
        let mut tmp = SysKind::Unknown;
        let mut objtype = SysKind::Unknown;
        let mut ttype = RecordType(0);
        let mut on_record = self.c.first_record();
        while on_record {
            ttype = self.c.record_type_or_zero();
            // Records that decide the action (first element) or the kind of
            // object (second) over the syscall.
            let (over_action, over_kind) = match ttype {
                RecordType::AVC => (Some(SysKind::Mac), None),
                RecordType::FANOTIFY => (Some(SysKind::Av), None),
                RecordType::SELINUX_ERR => (None, Some(SysKind::MacErr)),
                RecordType::NETFILTER_CFG => (None, Some(SysKind::Iptables)),
                RecordType::ANOM_PROMISCUOUS => (None, Some(SysKind::Promiscuous)),
                RecordType::KERN_MODULE => (None, Some(SysKind::FileLdmod)),
                RecordType::MAC_POLICY_LOAD => (None, Some(SysKind::MacLoad)),
                RecordType::MAC_STATUS => (None, Some(SysKind::MacEnforce)),
                RecordType::MAC_CONFIG_CHANGE => (None, Some(SysKind::MacConfig)),
                RecordType::TIME_INJOFFSET | RecordType::TIME_ADJNTPVAL => {
                    (None, Some(SysKind::SystemTime))
                }
                RecordType::BPF => (None, Some(SysKind::Bpf)),
                RecordType::EVENT_LISTENER => (None, Some(SysKind::EvListen)),
                _ => (None, None),
            };
            if let Some(k) = over_action {
                tmp = k;
            }
            if let Some(k) = over_kind {
                objtype = k;
            }
            let hit = over_action.is_some() || over_kind.is_some();
            if hit {
                break;
            }
            on_record = self.c.next_record();
        }
        if objtype == SysKind::Unknown {
            if let Some(s) = syscall {
                objtype = syscall_kind(s);
            }
        }
        let sc = syscall.unwrap_or(b"");
        let mut act: Option<&'static str> = None;
        use SysKind as K;
        match objtype {
            K::File => {
                act = Some("opened-file");
                self.file_object(0);
                self.d.object_kind = ObjectKind::File;
                self.simple_file_attrs();
            }
            K::FileChattr => {
                act = Some("changed-file-attributes-of");
                self.d.object_kind = ObjectKind::File;
                self.file_object(if sc == b"fsetxattr" { -1 } else { 0 });
                self.simple_file_attrs();
            }
            K::FileChperm => {
                act = Some("changed-file-permissions-of");
                self.d.object_kind = ObjectKind::File;
                let off = if sc == b"fchmod" { -1 } else { 0 };
                self.perm_object2(sc);
                self.file_object(off);
                self.simple_file_attrs();
            }
            K::FileChown => {
                act = Some("changed-file-ownership-of");
                self.d.object_kind = ObjectKind::File;
                let off = if sc == b"fchown" { -1 } else { 0 };
                self.owner_object2(sc);
                self.file_object(off);
                self.simple_file_attrs();
            }
            K::FileLdmod => {
                act = Some("loaded-kernel-module");
                self.d.object_kind = ObjectKind::File;
                self.c.goto_record(1);
                self.prime_object("name", 1);
            }
            K::FileUnldmod => {
                act = Some("unloaded-kernel-module");
                self.d.object_kind = ObjectKind::File;
            }
            K::FileDir => {
                act = Some("created-directory");
                self.d.object_kind = ObjectKind::File;
                self.file_object(1);
                self.simple_file_attrs();
            }
            K::FileMount => {
                act = Some("mounted");
                self.d.object_kind = ObjectKind::FileSystem;
                if self.success == 1 {
                    self.prime_object2("name", 0);
                }
                self.file_object(self.success);
                self.path_attrs();
            }
            K::FileRename => {
                act = Some("renamed");
                self.d.object_kind = ObjectKind::File;
                self.prime_object2("name", 4);
                self.file_object(2);
                self.simple_file_attrs();
            }
            K::FileStat | K::FileSysStat | K::FileUmnt | K::FileDel | K::FileTime => {
                let (a, k) = match objtype {
                    K::FileStat => ("checked-metadata-of", ObjectKind::File),
                    K::FileSysStat => ("checked-filesystem-metadata-of", ObjectKind::FileSystem),
                    K::FileUmnt => ("unmounted", ObjectKind::FileSystem),
                    K::FileDel => ("deleted", ObjectKind::File),
                    _ => ("changed-timestamp-of", ObjectKind::File),
                };
                act = Some(a);
                self.d.object_kind = k;
                self.file_object(0);
                self.simple_file_attrs();
            }
            K::FileLnk => {
                act = Some("symlinked");
                self.d.object_kind = ObjectKind::File;
                self.prime_object2("name", 0);
                self.file_object(2);
                self.simple_file_attrs();
            }
            K::Exec => {
                act = Some("executed");
                self.d.object_kind = ObjectKind::File;
                self.file_object(1);
                self.simple_file_attrs();
            }
            K::SocketAccept | K::SocketBind | K::SocketConn | K::SocketRecv | K::SocketSend => {
                act = Some(match objtype {
                    K::SocketAccept => "accepted-connection-from",
                    K::SocketBind => "bound-socket",
                    K::SocketConn => "connected-to",
                    K::SocketRecv => "received-from",
                    _ => "sent-to",
                });
                self.d.object_kind = ObjectKind::Socket;
                self.socket_object();
            }
            K::Pid => {
                act = Some(if self.c.num_records() > 2 {
                    "killed-list-of-pids"
                } else {
                    "killed-pid"
                });
                self.c.goto_record(1);
                self.c.first_field();
                if let Some(p) = self.find_pos("saddr") {
                    self.d.object_primary = Some(p);
                }
                self.d.object_kind = ObjectKind::Process;
            }
            K::MacLoad => {
                act = record_action(ttype);
                self.d.object_kind = ObjectKind::MacConfig;
            }
            K::MacConfig | K::MacEnforce => {
                act = record_action(ttype);
                let name = if objtype == K::MacConfig {
                    "bool"
                } else {
                    "enforcing"
                };
                if let Some(p) = self.find_pos(name) {
                    self.d.object_primary = Some(p);
                }
                self.d.object_kind = ObjectKind::MacConfig;
            }
            K::MacErr => {
                act = Some("caused-mac-policy-error");
                self.d.object_kind = ObjectKind::System;
            }
            K::Iptables => {
                act = Some("loaded-firewall-rule-to");
                self.c.first_record();
                if let Some(p) = self.find_pos("table") {
                    self.d.object_primary = Some(p);
                }
                self.d.object_kind = ObjectKind::Firewall;
            }
            K::Promiscuous => {
                self.c.first_record();
                if let Some(p) = self.find_pos("dev") {
                    self.d.object_primary = Some(p);
                }
                if self.c.find_field("prom").is_some() {
                    act = Some(if self.c.field_int() == Some(0) {
                        "left-promiscuous-mode-on-device"
                    } else {
                        "entered-promiscuous-mode-on-device"
                    });
                }
                self.d.object_kind = ObjectKind::Socket;
            }
            K::Uid | K::Gid => {
                act = Some("changed-identity-of");
                self.d.object_kind = ObjectKind::Process;
                self.program_object();
                if self.d.how.is_some() {
                    self.d.how = syscall.map(<[u8]>::to_vec);
                }
                self.id_object2(sc);
            }
            K::SystemTime => {
                act = Some("changed-system-time");
                self.d.object_kind = ObjectKind::System;
            }
            K::MakeDev => {
                self.file_object(0);
                self.simple_file_attrs();
                act = Some(match self.d.object_kind {
                    ObjectKind::CharDev => "made-character-device",
                    ObjectKind::BlockDev => "made-block-device",
                    _ => "make-device",
                });
            }
            K::SystemName => {
                act = Some("changed-system-name");
                self.d.object_kind = ObjectKind::System;
            }
            K::SystemMemory => {
                act = Some("allocated-memory");
                if self.success == 1 {
                    act = Some("allocated-memory-in");
                    self.c.first_record();
                    if let Some(p) = self.find_pos("comm") {
                        self.d.object_primary = Some(p);
                    }
                }
                self.d.object_kind = ObjectKind::Memory;
            }
            K::Scheduler => {
                act = Some("adjusted-scheduling-policy-of");
                self.d.object_kind = ObjectKind::Process;
                self.program_object();
                if self.d.how.is_some() {
                    self.d.how = syscall.map(<[u8]>::to_vec);
                }
            }
            K::Bpf => {
                act = Some(self.op_action(
                    b"LOAD",
                    "loaded-bpf-program",
                    "unloaded-bpf-program",
                    "bpf-program",
                ));
                self.d.object_kind = ObjectKind::Process;
                self.program_object();
            }
            K::EvListen => {
                act = Some(self.op_action(
                    b"connect",
                    "connected-to",
                    "disconnected-from",
                    "connected",
                ));
                self.d.object_kind = ObjectKind::Socket;
                self.program_object();
            }
            K::Unknown | K::Mac | K::Av => {
                self.c.first_record();
                let k = self.c.find_field("key");
                if k.and_then(|k| k.value_opt())
                    .is_some_and(|v| v != b"(null)")
                {
                    act = Some("triggered-audit-rule");
                    self.d.object_primary = self.found_here();
                } else {
                    act = Some("triggered-unknown-audit-rule");
                }
                self.d.object_kind = ObjectKind::AuditRule;
            }
        }
        if tmp == SysKind::Mac {
            act = Some("accessed-mac-policy-controlled-object");
        } else if tmp == SysKind::Av {
            act = Some("accessed-policy-controlled-file");
        }
        if let Some(a) = act {
            self.d.action = Some(a.as_bytes().to_vec());
        }
    }

    /// The action of BPF and event listener records from their `op`.
    fn op_action(
        &mut self,
        yes: &[u8],
        on_yes: &'static str,
        on_no: &'static str,
        none: &'static str,
    ) -> &'static str {
        self.c.first_record();
        if self.c.find_field("op").is_some() {
            if self.c.field_str() == Some(yes) {
                on_yes
            } else {
                on_no
            }
        } else {
            none
        }
    }

    fn config_change_object(&mut self) -> bool {
        self.c.first_record();
        if self.c.find_field("key").is_some() && self.c.field_str().is_some_and(|s| s != b"(null)")
        {
            return true;
        }
        for name in [
            "audit_enabled",
            "audit_pid",
            "audit_backlog_limit",
            "audit_failure",
            "actions",
        ] {
            self.c.first_record();
            if self.c.find_field(name).is_some() {
                return true;
            }
        }
        false
    }

    fn compound(&mut self) -> i32 {
        let otype = self.c.record_type_or_zero();
        // libauparse's type number, 0 at the end: records of unknown names
        // (-1) are passed over on the way to the SYSCALL record, one numbered
        // 0 ends the search as the end does.
        let number = |c: &EventCursor<'_>| c.record().map_or(0, |r| r.type_number());
        if otype != RecordType::SYSCALL {
            loop {
                self.c.next_record();
                let t = number(self.c);
                if !(t != 0 && t != i64::from(RecordType::SYSCALL.0)) {
                    break;
                }
            }
        }
        if number(self.c) == 0 {
            return 1;
        }
        self.d.event_kind = Some(event_kind(otype));
        let recno = self.c.record_index();
        let mut syscall = None;
        if self.c.find_field("syscall").is_some() {
            syscall = self.interpret();
        }
        if self.c.find_field("success").is_some() {
            self.success = if self.c.field_str() == Some(b"no") {
                0
            } else {
                1
            };
            self.d.results = self.here(recno);
        } else {
            if !self.c.goto_record(recno) {
                return 1;
            }
            self.c.first_field();
        }
        if self.prime_subject("auid", recno) != 0 {
            if !self.c.goto_record(recno) {
                return 1;
            }
            self.c.first_field();
        }
        if self.secondary_subject("uid", recno) != 0 {
            if !self.c.goto_record(recno) {
                return 1;
            }
            self.c.first_field();
        }
        self.syscall_subject_attrs();
        self.c.first_field();
        if self.c.find_field("exe").is_some() {
            let exe = self.interpret();
            self.d.how = exe.clone();
            if is_script_host(exe.as_deref()) {
                let fnum = self.c.field_index();
                if !(fnum > 0 && self.c.goto_field(fnum - 1)) {
                    self.c.first_record();
                }
                if self.c.find_field("comm").is_some() {
                    self.d.how = self.interpret();
                }
            }
        } else {
            if !self.c.goto_record(recno) {
                return 1;
            }
            self.c.first_field();
        }
        if self.c.find_field("key").is_some() && self.c.field_str().is_some_and(|k| k != b"(null)")
        {
            self.d.key = self.here(recno);
        }
        if otype == RecordType::ANOM_LINK {
            self.d.action = record_action(otype).map(|a| a.as_bytes().to_vec());
        } else if otype == RecordType::CONFIG_CHANGE {
            self.c.first_record();
            if self.c.find_field("op").is_some() {
                self.d.action = self.interpret();
                self.d.object_primary = self.simple_object(RecordType::CONFIG_CHANGE);
            }
        } else {
            self.syscall_event(syscall.as_deref());
        }
        0
    }

    fn simple_object(&mut self, t: RecordType) -> Option<FieldPos> {
        use ObjectKind as O;
        self.c.first_field();
        let mut kind = None;
        let found = match t {
            RecordType::SERVICE_START | RecordType::SERVICE_STOP => {
                kind = Some(O::Service);
                self.c.find_field("unit").is_some()
            }
            RecordType::SYSTEM_RUNLEVEL => {
                kind = Some(O::System);
                self.c.find_field("new-level").is_some()
            }
            RecordType::USER_ROLE_CHANGE => {
                kind = Some(O::UserSession);
                self.c.find_field("selected-context").is_some()
            }
            RecordType::ROLE_ASSIGN
            | RecordType::ROLE_REMOVE
            | RecordType::USER_MGMT
            | RecordType::ACCT_LOCK
            | RecordType::ACCT_UNLOCK
            | RecordType::ADD_USER
            | RecordType::DEL_USER
            | RecordType::ADD_GROUP
            | RecordType::DEL_GROUP
            | RecordType::GRP_MGMT => {
                kind = Some(O::Account);
                self.c.find_field("id").is_some() || {
                    self.c.first_record();
                    self.c.find_field("acct").is_some()
                }
            }
            RecordType::USER_START
            | RecordType::USER_END
            | RecordType::USER_ERR
            | RecordType::USER_LOGIN
            | RecordType::USER_LOGOUT => {
                kind = Some(O::UserSession);
                self.c.find_field("terminal").is_some()
            }
            RecordType::USER_AUTH
            | RecordType::USER_ACCT
            | RecordType::CRED_ACQ
            | RecordType::CRED_REFR
            | RecordType::CRED_DISP
            | RecordType::USER_CHAUTHTOK
            | RecordType::GRP_CHAUTHTOK
            | RecordType::ANOM_LOGIN_FAILURES
            | RecordType::ANOM_LOGIN_TIME
            | RecordType::ANOM_LOGIN_SESSIONS
            | RecordType::ANOM_LOGIN_LOCATION => {
                kind = Some(O::UserSession);
                self.c.find_field("acct").is_some()
            }
            RecordType::ANOM_EXEC | RecordType::USER_CMD => {
                kind = Some(O::Process);
                self.c.find_field("cmd").is_some()
            }
            RecordType::USER_TTY | RecordType::TTY => {
                self.c.first_record();
                kind = Some(O::Keystrokes);
                self.c.find_field("data").is_some()
            }
            RecordType::USER_DEVICE => {
                self.c.first_record();
                kind = Some(O::Keystrokes);
                self.c.find_field("device").is_some()
            }
            RecordType::SOFTWARE_UPDATE => {
                self.c.first_record();
                kind = Some(O::Software);
                self.c.find_field("sw").is_some()
            }
            RecordType::VIRT_MACHINE_ID => {
                kind = Some(O::VirtualMachine);
                self.c.find_field("vm").is_some()
            }
            RecordType::VIRT_RESOURCE => {
                kind = Some(O::VirtualMachine);
                self.c.find_field("resrc").is_some()
            }
            RecordType::VIRT_CONTROL => {
                kind = Some(O::VirtualMachine);
                self.c.find_field("op").is_some()
            }
            RecordType::LABEL_LEVEL_CHANGE => {
                kind = Some(O::Printer);
                self.c.find_field("printer").is_some()
            }
            RecordType::CONFIG_CHANGE => {
                kind = Some(O::AuditConfig);
                self.config_change_object()
            }
            RecordType::MAC_CONFIG_CHANGE => {
                kind = Some(O::MacConfig);
                self.c.find_field("bool").is_some()
            }
            RecordType::MAC_STATUS => {
                kind = Some(O::MacConfig);
                self.c.find_field("enforcing").is_some()
            }
            RecordType::MAC_POLICY_LOAD | RecordType::LABEL_OVERRIDE => {
                kind = Some(O::MacConfig);
                false
            }
            t if (RecordType::DEV_ALLOC..=RecordType::USER_MAC_CONFIG_CHANGE).contains(&t) => {
                kind = Some(O::MacConfig);
                false
            }
            RecordType::USER => self.c.find_field("addr").is_some(),
            RecordType::USYS_CONFIG => {
                if self.c.find_field("op").is_some() {
                    self.d.action = self.interpret();
                }
                kind = Some(O::System);
                false
            }
            RecordType::CRYPTO_KEY_USER => {
                kind = Some(O::UserSession);
                self.c.find_field("fp").is_some()
            }
            RecordType::CRYPTO_SESSION => {
                kind = Some(O::UserSession);
                self.c.find_field("addr").is_some()
            }
            RecordType::ANOM_RBAC_INTEGRITY_FAIL => {
                kind = Some(O::FileSystem);
                self.c.find_field("hostname").is_some()
            }
            _ => false,
        };
        if let Some(k) = kind {
            self.d.object_kind = k;
        }
        if found {
            self.here(0)
        } else {
            None
        }
    }

    fn simple_object_secondary(&mut self, t: RecordType) -> Option<FieldPos> {
        self.c.first_field();
        let name = match t {
            RecordType::CRYPTO_SESSION => "rport",
            RecordType::SOFTWARE_UPDATE => "sw_type",
            _ => return None,
        };
        self.c.find_field(name).and_then(|_| self.here(0))
    }

    fn simple_object_primary2(&mut self, t: RecordType) -> Option<FieldPos> {
        self.c.first_field();
        let name = match t {
            RecordType::VIRT_CONTROL | RecordType::VIRT_RESOURCE => "vm",
            RecordType::SOFTWARE_UPDATE => "root_dir",
            _ => return None,
        };
        self.c.find_field(name).and_then(|_| self.here(0))
    }

    fn simple_subject_attrs(&mut self) {
        if self.opt == NormalizeOptions::NoAttributes {
            return;
        }
        self.c.first_record();
        self.subject_attr("pid", 0);
        self.subject_attr("subj", 0);
    }

    fn userspace_subject_attrs(&mut self, t: RecordType) {
        if self.opt == NormalizeOptions::NoAttributes {
            return;
        }
        self.subject_attr("hostname", 0);
        self.subject_attr("addr", 0);
        if t != RecordType::USER_START && t != RecordType::USER_END && t != RecordType::USER_ERR {
            self.subject_attr("terminal", 0);
        }
    }

    fn set_action(&mut self, a: Option<&'static str>) {
        if let Some(a) = a {
            self.d.action = Some(a.as_bytes().to_vec());
        }
    }

    fn how_from(&mut self, name: &str) {
        if self.c.find_field(name).is_some() {
            self.d.how = self.interpret();
        }
    }

    fn simple(&mut self) -> i32 {
        let t = self.c.record_type_or_zero();
        if t == RecordType::SYSCALL {
            return self.compound();
        }
        self.d.event_kind = Some(event_kind(t));

        if matches!(
            t,
            RecordType::CONFIG_CHANGE
                | RecordType::FEATURE_CHANGE
                | RecordType::SECCOMP
                | RecordType::ANOM_ABEND
                | RecordType::ANOM_PROMISCUOUS
        ) {
            self.prime_subject("auid", 0);
            self.session(0);
            self.simple_subject_attrs();
            let mut mapped = true;
            if t == RecordType::CONFIG_CHANGE {
                self.c.first_field();
                if self.c.find_field("op").is_some() {
                    let op = self.interpret().unwrap_or_default();
                    let op = op.strip_prefix(b"\"").unwrap_or(&op);
                    if op.starts_with(b"add_rule") {
                        self.set_action(Some("added-audit-rule"));
                        self.d.object_primary = self.simple_object(t);
                        mapped = false;
                    } else if op.starts_with(b"remove_rule") {
                        self.set_action(Some("deleted-audit-rule"));
                        self.d.object_primary = self.simple_object(t);
                        mapped = false;
                    }
                }
            }
            if mapped {
                self.set_action(record_action(t));
                if t == RecordType::CONFIG_CHANGE {
                    self.d.object_primary = self.simple_object(t);
                }
                self.c.first_record();
            }
            if t == RecordType::FEATURE_CHANGE {
                self.c.first_field();
                if self.secondary_subject("uid", 0) != 0 {
                    self.c.first_record();
                }
                self.how_from("exe");
                self.prime_object("feature", 0);
                self.d.object_kind = ObjectKind::System;
            }
            if t == RecordType::SECCOMP {
                self.c.first_field();
                if self.secondary_subject("uid", 0) != 0 {
                    self.c.first_record();
                }
                self.how_from("exe");
                if self.prime_object("syscall", 0) != 0 {
                    self.c.first_record();
                }
                self.d.object_kind = ObjectKind::Process;
                if self.c.find_field("code").is_some() {
                    self.d.results = self.here(0);
                }
                return 0;
            }
            if t == RecordType::ANOM_ABEND {
                self.c.first_field();
                if self.secondary_subject("uid", 0) != 0 {
                    self.c.first_record();
                }
                if self.prime_object("exe", 0) != 0 {
                    self.c.first_record();
                }
                self.d.object_kind = ObjectKind::Process;
                self.how_from("sig");
            }
            if t == RecordType::ANOM_PROMISCUOUS {
                self.c.first_field();
                self.prime_object("dev", 0);
                self.secondary_subject("uid", 0);
                self.d.object_kind = ObjectKind::Socket;
            }
            self.results(0);
            return 0;
        }

        if t == RecordType::LOGIN {
            if self.secondary_subject("uid", 0) != 0 {
                self.c.first_record();
            }
            self.simple_subject_attrs();
            if self.prime_subject("old-auid", 0) != 0 {
                self.c.first_record();
            }
            if self.prime_object("auid", 0) != 0 {
                self.c.first_record();
            }
            self.d.object_kind = ObjectKind::UserSession;
            self.session(0);
            self.results(0);
            self.set_action(record_action(t));
            return 0;
        }

        if t == RecordType::NETFILTER_CFG {
            self.simple_subject_attrs();
            self.how_from("comm");
            self.set_action(Some("loaded-firewall-rule-to"));
            self.c.first_record();
            if let Some(p) = self.find_pos("table") {
                self.d.object_primary = Some(p);
            }
            self.d.subject_kind = Some("system");
            self.d.object_kind = ObjectKind::Firewall;
            return 0;
        }

        if t == RecordType::AVC {
            if self.c.find_field("comm").is_some() {
                self.d.how = self.interpret();
            } else {
                self.c.first_record();
            }
            self.prime_subject("scontext", 0);
            self.d.subject_kind = Some("unknown-acct");
            self.c.first_record();
            if self.opt == NormalizeOptions::All {
                self.prime_object("tcontext", 0);
                self.c.first_record();
            }
            self.d.object_kind = ObjectKind::Unknown;
            self.set_action(record_action(t));
            self.c.first_record();
            if self.c.find_field("seresult").is_some() {
                self.d.results = self.here(0);
            }
            return 0;
        }

        if (FIRST_DAEMON..LAST_DAEMON).contains(&t.0) {
            self.prime_subject("auid", 0);
            if self.secondary_subject("uid", 0) != 0 {
                self.c.first_record();
            }
            if self.session(0) != 0 {
                self.c.first_record();
            }
            self.simple_subject_attrs();
            self.d.subject_kind = Some("auditd");
            self.set_action(record_action(t));
            self.d.object_kind = ObjectKind::Service;
            if t == RecordType::DAEMON_START {
                self.d.how = Some(b"init".to_vec());
            } else if t < RecordType::DAEMON_ACCEPT && t != RecordType::DAEMON_ABORT {
                self.d.how = Some(b"signal".to_vec());
            }
            self.results(0);
            return 0;
        }

        if t == RecordType::BPF {
            self.d.subject_kind = Some("system");
            let a = self.op_action(
                b"LOAD",
                "loaded-bpf-program",
                "unloaded-bpf-program",
                "bpf-program",
            );
            self.set_action(Some(a));
            self.d.object_kind = ObjectKind::Process;
            self.program_object();
            return 0;
        }

        if t == RecordType::EVENT_LISTENER {
            self.prime_subject("auid", 0);
            self.c.first_record();
            self.secondary_subject("uid", 0);
            self.c.first_record();
            self.session(0);
            self.simple_subject_attrs();
            let a = self.op_action(b"connect", "connected-to", "disconnected-from", "connected");
            self.set_action(Some(a));
            self.program_object();
            self.d.object_kind = ObjectKind::Socket;
            self.c.first_record();
            self.how_from("exe");
            self.c.first_record();
            self.results(0);
            return 0;
        }

        if (RecordType::MAC_UNLBL_ALLOW.0..=LAST_SELINUX).contains(&t.0) {
            self.prime_subject("auid", 0);
            self.set_subject_kind();
            self.session(0);
            self.subject_attr("subj", 0);
            let mut act = None;
            if t == RecordType::MAC_UNLBL_ALLOW {
                if self.c.find_field("unlbl_accept").is_some() {
                    act = Some(if self.c.field_int() == Some(1) {
                        "is-allowing-unlabeled-network-traffic"
                    } else {
                        "is-disallowing-unlabeled-network-traffic"
                    });
                } else {
                    self.c.first_record();
                }
            } else {
                act = record_action(t);
            }
            self.set_action(act);
            if (t == RecordType::MAC_MAP_ADD || t == RecordType::MAC_MAP_DEL)
                && self.prime_object("nlbl_domain", 0) != 0
            {
                self.c.first_record();
            }
            self.d.object_kind = ObjectKind::MacConfig;
            self.results(0);
            return 0;
        }

        if t == RecordType::USER_LOGIN {
            if self.prime_subject("id", 0) != 0 {
                self.c.first_record();
                if self.prime_subject("acct", 0) == 0 {
                    self.set_subject_kind();
                }
            } else {
                self.set_subject_kind();
            }
            self.c.first_record();
        } else {
            if self.secondary_subject("uid", 0) != 0 {
                self.c.first_record();
            }
            self.prime_subject("auid", 0);
        }
        self.session(0);
        self.simple_subject_attrs();
        if (1100..1199).contains(&t.0) || (2100..2999).contains(&t.0) {
            self.userspace_subject_attrs(t);
        }
        if t != RecordType::USER_AVC {
            self.results(0);
        } else {
            self.c.first_record();
            if self.c.find_field("seresult").is_some() {
                self.d.results = self.here(0);
            }
            self.c.first_record();
            self.prime_subject("scontext", 0);
            if self.opt == NormalizeOptions::All {
                self.c.first_record();
                self.prime_object("tcontext", 0);
            }
        }

        let mut act: Option<Vec<u8>> = None;
        if t == RecordType::USER_DEVICE {
            self.c.first_record();
            if self.c.find_field("op").is_some() {
                act = self.c.field_str().map(<[u8]>::to_vec);
            }
        }
        match act {
            Some(a) => self.d.action = Some(a),
            None => self.set_action(record_action(t)),
        }

        if t != RecordType::USER_AVC {
            self.c.first_record();
            self.d.object_primary = self.simple_object(t);
            self.d.object_secondary = self.simple_object_secondary(t);
            self.d.object_primary2 = self.simple_object_primary2(t);
            if self.opt == NormalizeOptions::All {
                if t == RecordType::USER_DEVICE {
                    self.object_attr("uuid", 0);
                } else if t == RecordType::SOFTWARE_UPDATE {
                    self.c.first_record();
                    self.object_attr("key_enforce", 0);
                    self.object_attr("gpg_res", 0);
                }
            }
        }

        if t == RecordType::SYSTEM_BOOT || t == RecordType::SYSTEM_SHUTDOWN {
            self.d.object_kind = if t == RecordType::SYSTEM_BOOT {
                ObjectKind::System
            } else {
                ObjectKind::Service
            };
            self.how_from("exe");
            return 0;
        }
        self.c.first_record();
        if t == RecordType::ANOM_EXEC {
            self.how_from("terminal");
            return 0;
        }
        if t == RecordType::TTY {
            self.how_from("comm");
            return 0;
        }
        if self.c.find_field("exe").is_some() {
            let exe = self.interpret();
            self.d.how = exe.clone();
            if is_script_host(exe.as_deref()) {
                let fnum = self.c.field_index();
                if fnum > 0 {
                    self.c.goto_field(fnum - 1);
                } else {
                    self.c.first_record();
                }
                if self.c.find_field("comm").is_some() {
                    self.d.how = self.interpret();
                }
            }
        }
        0
    }
}
