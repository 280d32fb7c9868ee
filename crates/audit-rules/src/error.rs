//! Errors of rule parsing, with auditctl's wording.

use std::fmt;

/// What is wrong with a rule line or command line. [`RuleErrorKind::message`]
/// is the text auditctl prints for the same mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleErrorKind {
    /// A libaudit field error (`-F`/`-C`/key): auditctl's `audit_number_to_errmsg`
    /// text; `subject` is the text it quotes (the field name, or the whole pair).
    Field {
        /// Which of libaudit's field errors ([`FieldError::code`] is its
        /// `EAU_*` number).
        error: FieldError,
        /// The quoted text.
        subject: String,
    },
    /// Any other auditctl message, verbatim.
    Message(String),
    /// auditctl stops without a message: the line's first word is not an option.
    Silent,
    /// `-h`: auditctl prints its usage (on stdout) and fails.
    Help,
    /// A rule-file line (or an argument) that is not UTF-8; `offset` is the
    /// byte where the bad sequence starts. auditctl passes such bytes on as
    /// they are; this crate reads rules as text, and decoding them lossily
    /// would watch another path or set another key, so the line is refused.
    NotUtf8 {
        /// Offset of the first byte that is not UTF-8, from the line's start.
        offset: usize,
    },
}

/// libaudit's field errors (`EAU_*` of its `errormsg.h`), the ones
/// `audit_rule_fieldpair_data` and its kin report for `-F`, `-C` and keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldError {
    /// No operator in `field<op>value`.
    OpMissing,
    /// No such field name.
    FieldUnknown,
    /// `arch` after `-S`.
    ArchMisplaced,
    /// The machine type is unknown.
    MachineUnknown,
    /// The `arch` value names no known machine.
    ElfUnknown,
    /// `b32`/`b64` not supported by the machine.
    BitsUnsupported,
    /// The field needs the exit list.
    ExitOnly,
    /// Unknown record type name.
    MsgTypeUnknown,
    /// `msgtype` outside the exclude and user lists.
    MsgTypeExcludeUser,
    /// The rule could not be upgraded.
    UpgradeFailed,
    /// A string value is too long.
    StrTooLong,
    /// A field the exclude list does not take.
    MsgTypeCredExclude,
    /// The field takes only `=` and `!=`.
    OpEqNotEq,
    /// A permission other than `r`, `w`, `x`, `a`.
    PermRwxa,
    /// Unknown errno name.
    ErrUnknown,
    /// Unknown file type.
    FileTypeUnknown,
    /// The field needs the exit or entry list.
    ExitEntryOnly,
    /// A key before any watch, syscall or exe.
    KeyDep,
    /// No value after the operator.
    FieldValMissing,
    /// The value must be a number.
    FieldValNum,
    /// No field name before the operator.
    FieldName,
    /// `-C` without a field name before the operator.
    CompFieldName,
    /// `-C` without a value after the operator.
    CompVal,
    /// `-C` with an unknown field.
    CompFieldUnknown,
    /// `-C` with an unknown right-hand field.
    CompValUnknown,
    /// More fields than a rule holds.
    FieldTooMany,
    /// The field takes only `=`.
    OpEq,
    /// The kernel does not support the field.
    FieldNoSupport,
    /// The field needs the exclude, user or exit list.
    FieldNoFilter,
    /// The rule names no list.
    FilterMissing,
    /// `-C` of two fields the kernel cannot compare.
    CompIncompat,
    /// The field is not valid for the list.
    FieldUnavail,
    /// The kernel does not support the list.
    FilterNoSupport,
    /// Unknown file system type.
    FsTypeUnknown,
    /// The number is too large for the field (`saddr_fam` from `AF_MAX` up).
    FieldValTooBig,
}

/// Where auditctl puts the quoted subject in a field error's message.
enum Subject {
    /// Not at all.
    None,
    /// Before the text.
    Before,
    /// After the text.
    After,
}

impl FieldError {
    /// libaudit's number for the error (`EAU_*`, positive; auditctl's
    /// `audit_number_to_errmsg` takes it negated).
    pub fn code(self) -> u32 {
        self.describe().0
    }

    /// The number, where the subject goes, and auditctl's text.
    fn describe(self) -> (u32, Subject, &'static str) {
        use FieldError as E;
        use Subject::{After, Before, None};
        match self {
            E::OpMissing => (1, After, "-F missing operation for"),
            E::FieldUnknown => (2, After, "-F unknown field:"),
            E::ArchMisplaced => (3, Before, "must be before -S"),
            E::MachineUnknown => (4, Before, "machine type not found"),
            E::ElfUnknown => (5, Before, "elf mapping not found"),
            E::BitsUnsupported => (6, Before, "requested bit level not supported by machine"),
            E::ExitOnly => (7, Before, "can only be used with exit filter list"),
            E::MsgTypeUnknown => (8, After, "-F unknown message type -"),
            E::MsgTypeExcludeUser => (
                9,
                None,
                "msgtype field can only be used with exclude or user filter list",
            ),
            E::UpgradeFailed => (10, None, "Failed upgrading rule"),
            E::StrTooLong => (11, None, "String value too long"),
            E::MsgTypeCredExclude => (
                12,
                None,
                "Only msgtype, *uid, *gid, pid, and subj* fields can be used with exclude filter",
            ),
            E::OpEqNotEq => (13, Before, "only takes = or != operators"),
            E::PermRwxa => (14, None, "Permission can only contain  'rwxa'"),
            E::ErrUnknown => (15, After, "-F unknown errno -"),
            E::FileTypeUnknown => (16, After, "-F unknown file type - "),
            E::ExitEntryOnly => (
                17,
                Before,
                "can only be used with exit and entry filter list",
            ),
            E::KeyDep => (
                19,
                None,
                "Key field needs a watch, syscall or exe path given prior to it",
            ),
            E::FieldValMissing => (20, After, "-F missing value after operation for"),
            E::FieldValNum => (21, After, "-F value should be number for"),
            E::FieldName => (22, After, "-F missing field name before operator for"),
            E::CompFieldName => (24, After, "-C missing field name before operator for"),
            E::CompVal => (25, After, "-C missing value after operation for "),
            E::CompFieldUnknown => (26, After, "-C unknown field:"),
            E::CompValUnknown => (
                27,
                After,
                "-C unknown right hand value for comparison with:",
            ),
            E::FieldTooMany => (28, After, "Too many fields in rule:"),
            E::OpEq => (29, Before, "only takes = operator"),
            E::FieldNoSupport => (30, After, "Field option not supported by kernel:"),
            E::FieldNoFilter => (
                31,
                Before,
                "must be used with exclude, user, or exit filter",
            ),
            E::FilterMissing => (32, None, "filter is missing from rule"),
            E::CompIncompat => (33, After, "-C incompatible comparison"),
            E::FieldUnavail => (34, Before, "field is not valid for the filter"),
            E::FilterNoSupport => (35, Before, "filter is not supported by the kernel"),
            E::FsTypeUnknown => (36, After, "file system type is unknown for field:"),
            E::FieldValTooBig => (37, After, "value is too large for field:"),
        }
    }

    /// auditctl's message for this error about `subject`.
    fn message(self, subject: &str) -> String {
        match self.describe() {
            (_, Subject::None, text) => text.to_string(),
            (_, Subject::Before, text) => format!("{subject} {text}"),
            (_, Subject::After, text) => format!("{text} {subject}"),
        }
    }
}

impl RuleErrorKind {
    /// The message auditctl prints (without a trailing newline).
    pub fn message(&self) -> String {
        match self {
            RuleErrorKind::Field { error, subject } => error.message(subject),
            RuleErrorKind::Message(m) => m.clone(),
            RuleErrorKind::Silent | RuleErrorKind::Help => String::new(),
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
    /// Warnings auditctl printed for the line before it found the error, in
    /// order (printed before the error's message).
    pub warnings: Vec<String>,
    /// Whether the line had named a rule list (`-a`/`-A`/`-d` list, `-w`,
    /// `-W`) before the error: auditctl then still checks that audit takes
    /// rule changes, and exits with 0 when it is immutable or disabled.
    pub names_rule_list: bool,
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
        if self.kind == RuleErrorKind::Help {
            f.write_str("-h asks for auditctl's usage")
        } else if msg.is_empty() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_libaudit_numbers_and_auditctl_wording() {
        let kind = |error, subject: &str| RuleErrorKind::Field {
            error,
            subject: subject.to_string(),
        };
        assert_eq!(FieldError::FieldUnknown.code(), 2);
        assert_eq!(FieldError::FsTypeUnknown.code(), 36);
        assert_eq!(
            kind(FieldError::FieldUnknown, "bogus").message(),
            "-F unknown field: bogus"
        );
        assert_eq!(
            kind(FieldError::ElfUnknown, "arch").message(),
            "arch elf mapping not found"
        );
        assert_eq!(
            kind(FieldError::StrTooLong, "key").message(),
            "String value too long"
        );
    }
}
