//! Errors of rule parsing, with auditctl's wording.

use std::fmt;

/// What is wrong with a rule line or command line. [`RuleErrorKind::message`]
/// is the text auditctl prints for the same mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleErrorKind {
    /// A libaudit field error (`-F`/`-C`/key): auditctl's `audit_number_to_errmsg`
    /// text; `subject` is the text it quotes (the field name, or the whole pair).
    Field {
        /// libaudit's error number (`EAU_*`, positive).
        code: u32,
        /// The quoted text.
        subject: String,
    },
    /// Any other auditctl message, verbatim.
    Message(String),
    /// auditctl stops without a message (e.g. a line whose first word is not an option).
    Silent,
    /// A rule-file line (or an argument) that is not UTF-8; `offset` is the
    /// byte where the bad sequence starts. auditctl passes such bytes on as
    /// they are; this crate reads rules as text, and decoding them lossily
    /// would watch another path or set another key, so the line is refused.
    NotUtf8 {
        /// Offset of the first byte that is not UTF-8, from the line's start.
        offset: usize,
    },
}

const FIELD_MESSAGES: &[(u32, u8, &str)] = &[
    (1, 2, "-F missing operation for"),
    (2, 2, "-F unknown field:"),
    (3, 1, "must be before -S"),
    (4, 1, "machine type not found"),
    (5, 1, "elf mapping not found"),
    (6, 1, "requested bit level not supported by machine"),
    (7, 1, "can only be used with exit filter list"),
    (8, 2, "-F unknown message type -"),
    (
        9,
        0,
        "msgtype field can only be used with exclude or user filter list",
    ),
    (10, 0, "Failed upgrading rule"),
    (11, 0, "String value too long"),
    (
        12,
        0,
        "Only msgtype, *uid, *gid, pid, and subj* fields can be used with exclude filter",
    ),
    (13, 1, "only takes = or != operators"),
    (14, 0, "Permission can only contain  'rwxa'"),
    (15, 2, "-F unknown errno -"),
    (16, 2, "-F unknown file type - "),
    (17, 1, "can only be used with exit and entry filter list"),
    (
        19,
        0,
        "Key field needs a watch, syscall or exe path given prior to it",
    ),
    (20, 2, "-F missing value after operation for"),
    (21, 2, "-F value should be number for"),
    (22, 2, "-F missing field name before operator for"),
    (24, 2, "-C missing field name before operator for"),
    (25, 2, "-C missing value after operation for "),
    (26, 2, "-C unknown field:"),
    (27, 2, "-C unknown right hand value for comparison with:"),
    (28, 2, "Too many fields in rule:"),
    (29, 1, "only takes = operator"),
    (30, 2, "Field option not supported by kernel:"),
    (31, 1, "must be used with exclude, user, or exit filter"),
    (32, 0, "filter is missing from rule"),
    (33, 2, "-C incompatible comparison"),
    (34, 1, "field is not valid for the filter"),
    (35, 1, "filter is not supported by the kernel"),
    (36, 2, "file system type is unknown for field:"),
];

/// libaudit error numbers (`EAU_*`) used by the parser.
pub(crate) mod eau {
    pub const OPMISSING: u32 = 1;
    pub const FIELDUNKNOWN: u32 = 2;
    pub const ARCHMISPLACED: u32 = 3;
    pub const ELFUNKNOWN: u32 = 5;
    pub const EXITONLY: u32 = 7;
    pub const MSGTYPEUNKNOWN: u32 = 8;
    pub const MSGTYPEEXCLUDEUSER: u32 = 9;
    pub const STRTOOLONG: u32 = 11;
    pub const MSGTYPECREDEXCLUDE: u32 = 12;
    pub const OPEQNOTEQ: u32 = 13;
    pub const PERMRWXA: u32 = 14;
    pub const ERRUNKNOWN: u32 = 15;
    pub const FILETYPEUNKNOWN: u32 = 16;
    pub const KEYDEP: u32 = 19;
    pub const FIELDVALMISSING: u32 = 20;
    pub const FIELDVALNUM: u32 = 21;
    pub const FIELDNAME: u32 = 22;
    pub const COMPFIELDNAME: u32 = 24;
    pub const COMPVAL: u32 = 25;
    pub const COMPFIELDUNKNOWN: u32 = 26;
    pub const COMPVALUNKNOWN: u32 = 27;
    pub const FIELDTOOMANY: u32 = 28;
    pub const OPEQ: u32 = 29;
    pub const FIELDNOSUPPORT: u32 = 30;
    pub const FIELDNOFILTER: u32 = 31;
    pub const COMPINCOMPAT: u32 = 33;
    pub const FIELDUNAVAIL: u32 = 34;
    pub const FILTERNOSUPPORT: u32 = 35;
    pub const FSTYPEUNKNOWN: u32 = 36;
}

impl RuleErrorKind {
    /// The message auditctl prints (without a trailing newline).
    pub fn message(&self) -> String {
        match self {
            RuleErrorKind::Field { code, subject } => {
                match FIELD_MESSAGES.iter().find(|(c, _, _)| c == code) {
                    Some((_, 0, text)) => (*text).to_string(),
                    Some((_, 1, text)) => format!("{subject} {text}"),
                    Some((_, _, text)) => format!("{text} {subject}"),
                    None => format!("rule field error {code} for {subject}"),
                }
            }
            RuleErrorKind::Message(m) => m.clone(),
            RuleErrorKind::Silent => String::new(),
            RuleErrorKind::NotUtf8 { offset } => format!(
                "not valid UTF-8 at byte {offset}: paths and keys must be UTF-8 here (auditctl would pass the bytes on)"
            ),
        }
    }
}

/// A rule that cannot be built: where (line, token) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// The line number in a rule file (1-based), `None` on a command line.
    pub line: Option<usize>,
    /// The argument being read when the error was found (e.g. `-F` and its value).
    pub token: String,
    /// What is wrong.
    pub kind: RuleErrorKind,
}

impl RuleError {
    /// auditctl's message for this error.
    pub fn message(&self) -> String {
        self.kind.message()
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        let msg = self.message();
        let msg = msg.trim_end();
        if msg.is_empty() {
            write!(f, "`{}` is not an auditctl option", self.token)
        } else if self.token.is_empty() {
            f.write_str(msg)
        } else {
            write!(f, "{msg} (at `{}`)", self.token)
        }
    }
}

impl std::error::Error for RuleError {}

/// Errors of a whole rule file: every bad line, in order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .errors.iter().map(|e| format!("{}: {e}", .file)).collect::<Vec<_>>().join("\n"))]
pub struct RuleFileError {
    /// The file's name as given.
    pub file: String,
    /// One error per bad line.
    pub errors: Vec<RuleError>,
}
