//! The lines of the log: auditd 3.0.9's RAW and ENRICHED formats.

use audit_interpret::{field_type, EscapeMode, FieldType, Interpreter};
use audit_wire::RecordType;

/// The separator auditd puts between a record's raw text and its
/// interpreted fields in the ENRICHED format (ASCII "group separator").
pub const INTERP_SEPARATOR: u8 = 0x1d;

/// Room auditd 3.0.9 has for one formatted line (`MAX_AUDIT_MESSAGE_LENGTH`
/// plus the longest host name): interpreted fields that would not fit are
/// left out, as auditd leaves them out. The raw part is never cut.
pub const FORMAT_BUF_LEN: usize = 8970 + 255;

/// auditd stops adding interpreted fields once fewer bytes than this are left.
const MIN_SPACE_LEFT: usize = 24;

/// How records are written (`log_format` in auditd.conf).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// `type=NAME msg=audit(...): fields`, as the kernel sent them.
    Raw,
    /// RAW, then [`INTERP_SEPARATOR`] and the uid, gid, syscall, arch and
    /// sockaddr fields interpreted (`UID="root" ARCH=x86_64 SYSCALL=openat`):
    /// auditd 3.0.9's default.
    #[default]
    Enriched,
}

/// Turns kernel records into log lines, as auditd 3.0.9 formats them.
///
/// ```
/// use audit_log::{Formatter, LogFormat};
/// use audit_wire::RecordType;
/// let mut f = Formatter::new(LogFormat::Enriched, None);
/// let mut line = Vec::new();
/// f.format_into(RecordType::SYSCALL, b"audit(1700000000.123:42): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=2 auid=0 uid=0", &mut line);
/// assert_eq!(
///     line,
///     b"type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=2 auid=0 uid=0\x1dARCH=x86_64 SYSCALL=execve AUID=\"root\" UID=\"root\"\n"
/// );
/// ```
#[derive(Debug)]
pub struct Formatter {
    format: LogFormat,
    node: Option<String>,
    interpreter: Interpreter,
    value: Vec<u8>,
    /// Names of the types seen lately: a stream's records are of a few
    /// types, each looked up once.
    names: Vec<(RecordType, Option<&'static str>)>,
}

/// Types whose names a [`Formatter`] keeps at most.
const NAMES_KEPT: usize = 32;

/// Record types before which auditd drops its cached user and group names
/// (accounts are being added).
const FLUSH_BEFORE: [RecordType; 2] = [RecordType::ADD_USER, RecordType::ADD_GROUP];
/// Record types after which it drops them (accounts were changed).
const FLUSH_AFTER: [RecordType; 4] = [
    RecordType::USER_MGMT,
    RecordType::DEL_USER,
    RecordType::DEL_GROUP,
    RecordType::GRP_MGMT,
];

impl Formatter {
    /// A formatter for `format`; `node` is the `node=` name written before
    /// each record (`None`: no prefix, auditd's `name_format = none`).
    pub fn new(format: LogFormat, node: Option<String>) -> Self {
        let mut interpreter = Interpreter::new();
        // auditd interprets with libauparse's raw escaping.
        interpreter.set_escape_mode(EscapeMode::Raw);
        Formatter {
            format,
            node,
            interpreter,
            value: Vec::new(),
            names: Vec::new(),
        }
    }

    /// The format this formatter writes.
    pub fn format(&self) -> LogFormat {
        self.format
    }

    /// The node name written before each record, if any.
    pub fn node(&self) -> Option<&str> {
        self.node.as_deref()
    }

    /// Appends the log line of the record of type `record_type` whose
    /// netlink payload is `payload` (`audit(SEC.MSEC:SERIAL): fields`) to
    /// `out`, with its trailing newline.
    ///
    /// As auditd: the payload ends at its first NUL byte, its newlines become
    /// spaces, one trailing space is trimmed, a type without a libaudit 3.0.9
    /// name is written `UNKNOWN[n]`. Unlike auditd, a line longer than
    /// auditd's buffer is written whole rather than cut, and a newline in an
    /// interpretation becomes a space too: the line is always one record.
    pub fn format_into(&mut self, record_type: RecordType, payload: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        self.format_raw(record_type, payload, out);
        if self.format == LogFormat::Enriched {
            self.enrich(record_type, start, out);
        }
        out.push(b'\n');
    }

    /// libaudit 3.0.9's name of `record_type`, from the names kept.
    fn type_name(&mut self, record_type: RecordType) -> Option<&'static str> {
        if let Some((_, name)) = self.names.iter().find(|(t, _)| *t == record_type) {
            return *name;
        }
        let name = record_type.libaudit_name();
        if self.names.len() >= NAMES_KEPT {
            self.names.clear();
        }
        self.names.push((record_type, name));
        name
    }

    fn format_raw(&mut self, record_type: RecordType, payload: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        if let Some(node) = &self.node {
            out.extend_from_slice(b"node=");
            out.extend_from_slice(node.as_bytes());
            out.push(b' ');
        }
        let node_end = out.len();
        out.extend_from_slice(b"type=");
        match self.type_name(record_type) {
            Some(name) => out.extend_from_slice(name.as_bytes()),
            None => out.extend_from_slice(format!("UNKNOWN[{}]", record_type.0).as_bytes()),
        }
        out.extend_from_slice(b" msg=");
        let text_start = out.len();
        let end = memchr::memchr(0, payload).unwrap_or(payload.len());
        out.extend_from_slice(&payload[..end]);
        // The node name may hold newlines too; the type prefix never does.
        for b in &mut out[start..node_end] {
            if *b == b'\n' {
                *b = b' ';
            }
        }
        let mut at = text_start;
        while let Some(i) = memchr::memchr(b'\n', &out[at..]) {
            out[at + i] = b' ';
            at += i + 1;
        }
        // auditd formats the node variant with a newline of its own, which
        // became the space it trims; without a node it trims the text's own.
        if self.node.is_none() && out.len() > start && out.last() == Some(&b' ') {
            out.pop();
        }
    }

    fn enrich(&mut self, record_type: RecordType, start: usize, out: &mut Vec<u8>) {
        let raw_len = out.len() - start;
        let mut left = FORMAT_BUF_LEN.saturating_sub(raw_len);
        if left <= MIN_SPACE_LEFT {
            return;
        }
        let Ok(record) = audit_parse::Record::parse(&out[start..]) else {
            return;
        };
        if FLUSH_BEFORE.contains(&record_type) {
            self.interpreter.id_cache().clear();
        }
        let type_no = record.record_type().unwrap_or(RecordType(0));
        let in_record = audit_interpret::RecordContext::new(&record);
        let mut separators = 0u32;
        // Only these types are written, so only they are interpreted.
        for field in record.fields() {
            if left <= MIN_SPACE_LEFT {
                break;
            }
            let quoted = match field_type(type_no, field.name(), field.value()) {
                FieldType::Uid | FieldType::Gid => true,
                FieldType::Syscall | FieldType::Arch | FieldType::Sockaddr => false,
                _ => continue,
            };
            self.value.clear();
            if self
                .interpreter
                .interpret_field_in(&in_record, &field, &mut self.value)
                .is_none()
            {
                self.value.clear();
                self.value.push(b'?');
            }
            if separators == 0 {
                out.push(INTERP_SEPARATOR);
                left -= 1;
            }
            separators += 1;
            let item_start = out.len();
            if separators > 1 {
                out.push(b' ');
            }
            out.extend(field.name().iter().take(63).map(u8::to_ascii_uppercase));
            out.push(b'=');
            if quoted {
                encode_value(&self.value, out);
            } else {
                // A newline in an interpretation (a socket path, decoded raw as
                // auditd decodes it) becomes a space, as in the raw part: the
                // line stays one record (auditd would write it across two, one
                // not a record or another's).
                out.extend(
                    self.value
                        .iter()
                        .map(|&b| if b == b'\n' { b' ' } else { b }),
                );
            }
            // Whole fields or none, as auditd: a field that does not fit is
            // left out.
            let item_len = out.len() - item_start;
            let text_len = item_len - usize::from(separators > 1);
            if text_len + 2 >= left {
                out.truncate(item_start);
                continue;
            }
            left -= item_len;
        }
        if FLUSH_AFTER.contains(&record_type) {
            self.interpreter.id_cache().clear();
        }
    }
}

/// A user or group name as libaudit's `audit_encode_nv_string` writes it:
/// quoted, or upper-case hex when it holds a quote, a space, a control
/// character or a byte above 0x7e.
fn encode_value(v: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    if v.iter().any(|&b| b == b'"' || !(0x21..0x7f).contains(&b)) {
        for &b in v {
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 15)]);
        }
    } else {
        out.push(b'"');
        out.extend_from_slice(v);
        out.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(f: &mut Formatter, t: u32, p: &[u8]) -> String {
        let mut out = Vec::new();
        f.format_into(RecordType(t), p, &mut out);
        String::from_utf8(out).unwrap()
    }

    /// An interpretation that holds a newline (a unix socket's path decoded raw)
    /// cannot split the log line: the line is still one record.
    #[test]
    fn an_interpretation_with_a_newline_stays_on_its_line() {
        let mut f = Formatter::new(LogFormat::Enriched, None);
        // AF_UNIX, path "/a\nb".
        let got = line(&mut f, 1306, b"audit(1.000:2): saddr=01002F610A6200");
        assert_eq!(got.matches('\n').count(), 1, "{got:?}");
        assert!(got.ends_with('\n') && got.contains("SADDR="), "{got:?}");
    }

    #[test]
    fn raw_with_and_without_node() {
        let mut f = Formatter::new(LogFormat::Raw, None);
        assert_eq!(
            line(
                &mut f,
                1305,
                b"audit(1.000:2): op=set audit_enabled=1 res=1 \0junk"
            ),
            "type=CONFIG_CHANGE msg=audit(1.000:2): op=set audit_enabled=1 res=1\n"
        );
        assert_eq!(
            line(&mut f, 1999, b"audit(1.000:3): a=1\nb=2"),
            "type=UNKNOWN[1999] msg=audit(1.000:3): a=1 b=2\n"
        );
        let mut f = Formatter::new(LogFormat::Raw, Some("h1".into()));
        assert_eq!(
            line(&mut f, 1305, b"audit(1.000:2): x=1 "),
            "node=h1 type=CONFIG_CHANGE msg=audit(1.000:2): x=1 \n"
        );
    }

    #[test]
    fn enriched_encodes_names_and_skips_others() {
        let mut f = Formatter::new(LogFormat::Enriched, None);
        assert_eq!(
            line(&mut f, 1302, b"audit(1.000:2): item=0 name=\"/x\" inode=1 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL"),
            "type=PATH msg=audit(1.000:2): item=0 name=\"/x\" inode=1 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\x1dOUID=\"root\" OGID=\"root\"\n"
        );
        // No interpreted field: no separator.
        assert_eq!(
            line(&mut f, 1307, b"audit(1.000:2): cwd=\"/\""),
            "type=CWD msg=audit(1.000:2): cwd=\"/\"\n"
        );
        let mut v = Vec::new();
        encode_value(b"a b", &mut v);
        assert_eq!(v, b"612062");
    }
}
