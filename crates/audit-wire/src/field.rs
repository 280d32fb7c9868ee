//! Rule vocabulary of `<linux/audit.h>`: field ids (`AUDIT_PID` ..), operators
//! (`AUDIT_EQUAL` ..), field comparisons (`AUDIT_COMPARE_*`), filter lists
//! (`AUDIT_FILTER_*`), rule actions (`AUDIT_NEVER` ..), watch permission bits
//! (`AUDIT_PERM_*`) and file types for the `filetype` field.
//!
//! Every type is a thin wrapper over the kernel's number with the name auditctl
//! uses for it, in both directions:
//!
//! ```
//! use audit_wire::field::{Field, Operator, FilterList, Action, Comparison};
//!
//! assert_eq!(Field::from_name("auid"), Some(Field::LOGINUID));
//! assert_eq!(Field::from_name("loginuid"), Some(Field::LOGINUID));
//! assert_eq!(Field::LOGINUID.name(), Some("auid"));
//! assert_eq!(Field(210).name(), Some("key"));
//! assert_eq!(Operator::from_symbol(">="), Some(Operator::GreaterThanOrEqual));
//! assert_eq!(Operator::BitTest.bits(), 0x4800_0000);
//! assert_eq!(FilterList::from_name("exit"), Some(FilterList::Exit));
//! assert_eq!(Action::Always.name(), "always");
//! assert_eq!(Comparison::from_fields(Field::UID, Field::EUID), Some(Comparison::UID_TO_EUID));
//! ```

use std::fmt;

/// A rule field id: the `fields[]` entry of `struct audit_rule_data` without operator
/// bits (`AUDIT_PID`, `AUDIT_UID`, ... `AUDIT_FILTERKEY`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Field(pub u32);

macro_rules! fields {
    ($( $(#[$doc:meta])* $konst:ident = $num:expr, $name:expr; )*) => {
        impl Field {
            $( $(#[$doc])* pub const $konst: Field = Field($num); )*

            /// Every field the kernel defines, in number order.
            pub const ALL: &'static [Field] = &[$(Field::$konst),*];

            /// The name auditctl uses for this field (`auid` for `AUDIT_LOGINUID`), if any.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $num => $name, )*
                    _ => None,
                }
            }
        }
    };
}

fields! {
    /// `AUDIT_PID`: process id.
    PID = 0, Some("pid");
    /// `AUDIT_UID`: real user id.
    UID = 1, Some("uid");
    /// `AUDIT_EUID`: effective user id.
    EUID = 2, Some("euid");
    /// `AUDIT_SUID`: saved user id.
    SUID = 3, Some("suid");
    /// `AUDIT_FSUID`: file-system user id.
    FSUID = 4, Some("fsuid");
    /// `AUDIT_GID`: real group id.
    GID = 5, Some("gid");
    /// `AUDIT_EGID`: effective group id.
    EGID = 6, Some("egid");
    /// `AUDIT_SGID`: saved group id.
    SGID = 7, Some("sgid");
    /// `AUDIT_FSGID`: file-system group id.
    FSGID = 8, Some("fsgid");
    /// `AUDIT_LOGINUID`: login user id, `auid` (alias `loginuid`).
    LOGINUID = 9, Some("auid");
    /// `AUDIT_PERS`: personality.
    PERS = 10, Some("pers");
    /// `AUDIT_ARCH`: syscall ABI (`AUDIT_ARCH_*` value).
    ARCH = 11, Some("arch");
    /// `AUDIT_MSGTYPE`: record type (exclude and user lists).
    MSGTYPE = 12, Some("msgtype");
    /// `AUDIT_SUBJ_USER`: subject security label user.
    SUBJ_USER = 13, Some("subj_user");
    /// `AUDIT_SUBJ_ROLE`: subject security label role.
    SUBJ_ROLE = 14, Some("subj_role");
    /// `AUDIT_SUBJ_TYPE`: subject security label type.
    SUBJ_TYPE = 15, Some("subj_type");
    /// `AUDIT_SUBJ_SEN`: subject security label sensitivity.
    SUBJ_SEN = 16, Some("subj_sen");
    /// `AUDIT_SUBJ_CLR`: subject security label clearance.
    SUBJ_CLR = 17, Some("subj_clr");
    /// `AUDIT_PPID`: parent process id.
    PPID = 18, Some("ppid");
    /// `AUDIT_OBJ_USER`: object security label user.
    OBJ_USER = 19, Some("obj_user");
    /// `AUDIT_OBJ_ROLE`: object security label role.
    OBJ_ROLE = 20, Some("obj_role");
    /// `AUDIT_OBJ_TYPE`: object security label type.
    OBJ_TYPE = 21, Some("obj_type");
    /// `AUDIT_OBJ_LEV_LOW`: object security label low level.
    OBJ_LEV_LOW = 22, Some("obj_lev_low");
    /// `AUDIT_OBJ_LEV_HIGH`: object security label high level.
    OBJ_LEV_HIGH = 23, Some("obj_lev_high");
    /// `AUDIT_LOGINUID_SET`: whether the login uid is set (no auditctl name).
    LOGINUID_SET = 24, None;
    /// `AUDIT_SESSIONID`: login session id.
    SESSIONID = 25, Some("sessionid");
    /// `AUDIT_FSTYPE`: file system magic (filesystem list).
    FSTYPE = 26, Some("fstype");
    /// `AUDIT_DEVMAJOR`: device major number.
    DEVMAJOR = 100, Some("devmajor");
    /// `AUDIT_DEVMINOR`: device minor number.
    DEVMINOR = 101, Some("devminor");
    /// `AUDIT_INODE`: inode number.
    INODE = 102, Some("inode");
    /// `AUDIT_EXIT`: syscall return value.
    EXIT = 103, Some("exit");
    /// `AUDIT_SUCCESS`: syscall succeeded (exit >= 0).
    SUCCESS = 104, Some("success");
    /// `AUDIT_WATCH`: watched path, `path`.
    WATCH = 105, Some("path");
    /// `AUDIT_PERM`: watch permission bits.
    PERM = 106, Some("perm");
    /// `AUDIT_DIR`: watched directory tree.
    DIR = 107, Some("dir");
    /// `AUDIT_FILETYPE`: file type (`S_IFMT` bits).
    FILETYPE = 108, Some("filetype");
    /// `AUDIT_OBJ_UID`: object owner uid.
    OBJ_UID = 109, Some("obj_uid");
    /// `AUDIT_OBJ_GID`: object owner gid.
    OBJ_GID = 110, Some("obj_gid");
    /// `AUDIT_FIELD_COMPARE`: inter-field comparison (value is an `AUDIT_COMPARE_*`).
    FIELD_COMPARE = 111, Some("field_compare");
    /// `AUDIT_EXE`: executable path.
    EXE = 112, Some("exe");
    /// `AUDIT_SADDR_FAM`: socket address family.
    SADDR_FAM = 113, Some("saddr_fam");
    /// `AUDIT_ARG0`: first syscall argument.
    ARG0 = 200, Some("a0");
    /// `AUDIT_ARG1`: second syscall argument.
    ARG1 = 201, Some("a1");
    /// `AUDIT_ARG2`: third syscall argument.
    ARG2 = 202, Some("a2");
    /// `AUDIT_ARG3`: fourth syscall argument.
    ARG3 = 203, Some("a3");
    /// `AUDIT_FILTERKEY`: the rule's key, `key`.
    FILTERKEY = 210, Some("key");
}

impl Field {
    /// The field auditctl means by `name` (`auid` and `loginuid` both name
    /// `AUDIT_LOGINUID`).
    pub fn from_name(name: &str) -> Option<Field> {
        if name == "loginuid" {
            return Some(Field::LOGINUID);
        }
        Field::ALL.iter().copied().find(|f| f.name() == Some(name))
    }

    /// Whether the kernel carries this field's value as a string in the rule's
    /// `buf` (`values[i]` is then the string's length): the security-label fields,
    /// `path`, `dir`, `key` and `exe`.
    pub const fn is_string(self) -> bool {
        matches!(self.0, 13..=17 | 19..=23 | 105 | 107 | 210 | 112)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "f{}", self.0),
        }
    }
}

/// `AUDIT_NEGATE`: legacy negation bit of a `fields[]` entry.
pub const AUDIT_NEGATE: u32 = 0x8000_0000;
/// `AUDIT_OPERATORS`: every operator bit of a `fields[]`/`fieldflags[]` entry.
pub const AUDIT_OPERATORS: u32 = 0x7800_0000;
/// `AUDIT_MAX_FIELDS`: fields in one rule.
pub const AUDIT_MAX_FIELDS: usize = 64;
/// `AUDIT_MAX_KEY_LEN`: bytes in a rule's key (all keys joined).
pub const AUDIT_MAX_KEY_LEN: usize = 256;
/// `AUDIT_BITMASK_SIZE`: 32-bit words of the syscall mask.
pub const AUDIT_BITMASK_SIZE: usize = 64;
/// `AUDIT_KEY_SEPARATOR`: byte between keys when a rule has several.
pub const AUDIT_KEY_SEPARATOR: u8 = 0x01;

/// A rule field operator (the `fieldflags[]` entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `AUDIT_BIT_MASK` (`&`).
    BitMask,
    /// `AUDIT_LESS_THAN` (`<`).
    LessThan,
    /// `AUDIT_GREATER_THAN` (`>`).
    GreaterThan,
    /// `AUDIT_NOT_EQUAL` (`!=`).
    NotEqual,
    /// `AUDIT_EQUAL` (`=`).
    Equal,
    /// `AUDIT_BIT_TEST` (`&=`).
    BitTest,
    /// `AUDIT_LESS_THAN_OR_EQUAL` (`<=`).
    LessThanOrEqual,
    /// `AUDIT_GREATER_THAN_OR_EQUAL` (`>=`).
    GreaterThanOrEqual,
}

impl Operator {
    /// Every operator, in the order auditctl tries their symbols when splitting
    /// `field<op>value` (two-character symbols first).
    pub const PARSE_ORDER: [Operator; 8] = [
        Operator::NotEqual,
        Operator::GreaterThanOrEqual,
        Operator::LessThanOrEqual,
        Operator::BitTest,
        Operator::Equal,
        Operator::GreaterThan,
        Operator::LessThan,
        Operator::BitMask,
    ];

    /// The kernel's bits for this operator.
    pub const fn bits(self) -> u32 {
        match self {
            Operator::BitMask => 0x0800_0000,
            Operator::LessThan => 0x1000_0000,
            Operator::GreaterThan => 0x2000_0000,
            Operator::NotEqual => 0x3000_0000,
            Operator::Equal => 0x4000_0000,
            Operator::BitTest => 0x4800_0000,
            Operator::LessThanOrEqual => 0x5000_0000,
            Operator::GreaterThanOrEqual => 0x6000_0000,
        }
    }

    /// The operator whose bits are `bits & AUDIT_OPERATORS`, if those bits name one.
    pub const fn from_bits(bits: u32) -> Option<Operator> {
        Some(match bits & AUDIT_OPERATORS {
            0x0800_0000 => Operator::BitMask,
            0x1000_0000 => Operator::LessThan,
            0x2000_0000 => Operator::GreaterThan,
            0x3000_0000 => Operator::NotEqual,
            0x4000_0000 => Operator::Equal,
            0x4800_0000 => Operator::BitTest,
            0x5000_0000 => Operator::LessThanOrEqual,
            0x6000_0000 => Operator::GreaterThanOrEqual,
            _ => return None,
        })
    }

    /// auditctl's symbol (`=`, `!=`, `<`, `>`, `<=`, `>=`, `&`, `&=`).
    pub const fn symbol(self) -> &'static str {
        match self {
            Operator::BitMask => "&",
            Operator::LessThan => "<",
            Operator::GreaterThan => ">",
            Operator::NotEqual => "!=",
            Operator::Equal => "=",
            Operator::BitTest => "&=",
            Operator::LessThanOrEqual => "<=",
            Operator::GreaterThanOrEqual => ">=",
        }
    }

    /// The operator written as `symbol`.
    pub fn from_symbol(symbol: &str) -> Option<Operator> {
        Operator::PARSE_ORDER
            .iter()
            .copied()
            .find(|o| o.symbol() == symbol)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// An inter-field comparison (`AUDIT_COMPARE_*`), the value of an
/// `AUDIT_FIELD_COMPARE` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Comparison(pub u32);

macro_rules! comparisons {
    ($( $konst:ident = $num:expr, $left:ident, $right:ident; )*) => {
        impl Comparison {
            $(
                #[doc = concat!("`AUDIT_COMPARE_", stringify!($konst), "`.")]
                pub const $konst: Comparison = Comparison($num);
            )*

            /// Every comparison the kernel defines, in number order.
            pub const ALL: &'static [Comparison] = &[$(Comparison::$konst),*];

            /// The two fields compared, in the order auditctl prints them
            /// (`-C uid!=euid`), or `None` for an unknown number.
            pub const fn fields(self) -> Option<(Field, Field)> {
                match self.0 {
                    $( $num => Some((Field::$left, Field::$right)), )*
                    _ => None,
                }
            }
        }
    };
}

comparisons! {
    UID_TO_OBJ_UID = 1, UID, OBJ_UID;
    GID_TO_OBJ_GID = 2, GID, OBJ_GID;
    EUID_TO_OBJ_UID = 3, EUID, OBJ_UID;
    EGID_TO_OBJ_GID = 4, EGID, OBJ_GID;
    AUID_TO_OBJ_UID = 5, LOGINUID, OBJ_UID;
    SUID_TO_OBJ_UID = 6, SUID, OBJ_UID;
    SGID_TO_OBJ_GID = 7, SGID, OBJ_GID;
    FSUID_TO_OBJ_UID = 8, FSUID, OBJ_UID;
    FSGID_TO_OBJ_GID = 9, FSGID, OBJ_GID;
    UID_TO_AUID = 10, UID, LOGINUID;
    UID_TO_EUID = 11, UID, EUID;
    UID_TO_FSUID = 12, UID, FSUID;
    UID_TO_SUID = 13, UID, SUID;
    AUID_TO_FSUID = 14, LOGINUID, FSUID;
    AUID_TO_SUID = 15, LOGINUID, SUID;
    AUID_TO_EUID = 16, LOGINUID, EUID;
    EUID_TO_SUID = 17, EUID, SUID;
    EUID_TO_FSUID = 18, EUID, FSUID;
    SUID_TO_FSUID = 19, SUID, FSUID;
    GID_TO_EGID = 20, GID, EGID;
    GID_TO_FSGID = 21, GID, FSGID;
    GID_TO_SGID = 22, GID, SGID;
    EGID_TO_FSGID = 23, EGID, FSGID;
    EGID_TO_SGID = 24, EGID, SGID;
    SGID_TO_FSGID = 25, SGID, FSGID;
}

impl Comparison {
    /// The comparison of `left` with `right`, whichever order they come in
    /// (`euid` vs `uid` is `AUDIT_COMPARE_UID_TO_EUID`), or `None` when the kernel
    /// cannot compare them.
    pub fn from_fields(left: Field, right: Field) -> Option<Comparison> {
        Comparison::ALL.iter().copied().find(|c| match c.fields() {
            Some((a, b)) => (a == left && b == right) || (a == right && b == left),
            None => false,
        })
    }
}

/// A rule filter list (`AUDIT_FILTER_*`, the low bits of a rule's `flags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FilterList {
    /// `AUDIT_FILTER_USER`: user-space messages.
    User,
    /// `AUDIT_FILTER_TASK`: task creation.
    Task,
    /// `AUDIT_FILTER_ENTRY`: syscall entry (obsolete).
    Entry,
    /// `AUDIT_FILTER_WATCH`: file system watches (internal to the kernel).
    Watch,
    /// `AUDIT_FILTER_EXIT`: syscall exit.
    Exit,
    /// `AUDIT_FILTER_EXCLUDE`: record exclusion.
    Exclude,
    /// `AUDIT_FILTER_FS`: `__audit_inode_child` (file system types).
    Filesystem,
    /// `AUDIT_FILTER_URING_EXIT`: io_uring operation exit.
    IoUring,
}

/// `AUDIT_FILTER_MASK`: the list bits of a rule's `flags`.
pub const AUDIT_FILTER_MASK: u32 = 0x07;
/// `AUDIT_FILTER_PREPEND`: insert the rule at the head of its list.
pub const AUDIT_FILTER_PREPEND: u32 = 0x10;

impl FilterList {
    /// The kernel's number.
    pub const fn number(self) -> u32 {
        match self {
            FilterList::User => 0,
            FilterList::Task => 1,
            FilterList::Entry => 2,
            FilterList::Watch => 3,
            FilterList::Exit => 4,
            FilterList::Exclude => 5,
            FilterList::Filesystem => 6,
            FilterList::IoUring => 7,
        }
    }

    /// The list numbered `n & AUDIT_FILTER_MASK`.
    pub const fn from_number(n: u32) -> FilterList {
        match n & AUDIT_FILTER_MASK {
            0 => FilterList::User,
            1 => FilterList::Task,
            2 => FilterList::Entry,
            3 => FilterList::Watch,
            4 => FilterList::Exit,
            5 => FilterList::Exclude,
            6 => FilterList::Filesystem,
            _ => FilterList::IoUring,
        }
    }

    /// auditctl's name for the list, for the lists auditctl can name.
    pub const fn name(self) -> Option<&'static str> {
        match self {
            FilterList::User => Some("user"),
            FilterList::Task => Some("task"),
            FilterList::Exit => Some("exit"),
            FilterList::Exclude => Some("exclude"),
            FilterList::Filesystem => Some("filesystem"),
            FilterList::IoUring => Some("io_uring"),
            FilterList::Entry | FilterList::Watch => None,
        }
    }

    /// The list auditctl means by `name`.
    pub fn from_name(name: &str) -> Option<FilterList> {
        Some(match name {
            "user" => FilterList::User,
            "task" => FilterList::Task,
            "exit" => FilterList::Exit,
            "exclude" => FilterList::Exclude,
            "filesystem" => FilterList::Filesystem,
            "io_uring" => FilterList::IoUring,
            _ => return None,
        })
    }
}

/// A rule action (`AUDIT_NEVER`, `AUDIT_POSSIBLE`, `AUDIT_ALWAYS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// `AUDIT_NEVER`: do not audit.
    Never,
    /// `AUDIT_POSSIBLE`: build a context (deprecated; auditctl refuses it).
    Possible,
    /// `AUDIT_ALWAYS`: audit.
    Always,
}

impl Action {
    /// The kernel's number.
    pub const fn number(self) -> u32 {
        match self {
            Action::Never => 0,
            Action::Possible => 1,
            Action::Always => 2,
        }
    }

    /// The action numbered `n`.
    pub const fn from_number(n: u32) -> Option<Action> {
        match n {
            0 => Some(Action::Never),
            1 => Some(Action::Possible),
            2 => Some(Action::Always),
            _ => None,
        }
    }

    /// auditctl's name.
    pub const fn name(self) -> &'static str {
        match self {
            Action::Never => "never",
            Action::Possible => "possible",
            Action::Always => "always",
        }
    }

    /// The action named `name`.
    pub fn from_name(name: &str) -> Option<Action> {
        match name {
            "never" => Some(Action::Never),
            "possible" => Some(Action::Possible),
            "always" => Some(Action::Always),
            _ => None,
        }
    }
}

/// `AUDIT_PERM_EXEC`.
pub const AUDIT_PERM_EXEC: u32 = 1;
/// `AUDIT_PERM_WRITE`.
pub const AUDIT_PERM_WRITE: u32 = 2;
/// `AUDIT_PERM_READ`.
pub const AUDIT_PERM_READ: u32 = 4;
/// `AUDIT_PERM_ATTR`.
pub const AUDIT_PERM_ATTR: u32 = 8;

/// Watch permission bits as auditctl writes them: `r`, `w`, `x`, `a` in that order.
///
/// ```
/// assert_eq!(audit_wire::field::perm_to_string(0xf), "rwxa");
/// assert_eq!(audit_wire::field::perm_from_str("WA"), Some(10));
/// ```
pub fn perm_to_string(bits: u32) -> String {
    let mut s = String::with_capacity(4);
    for (bit, c) in [
        (AUDIT_PERM_READ, 'r'),
        (AUDIT_PERM_WRITE, 'w'),
        (AUDIT_PERM_EXEC, 'x'),
        (AUDIT_PERM_ATTR, 'a'),
    ] {
        if bits & bit != 0 {
            s.push(c);
        }
    }
    s
}

/// Permission letters (`r`, `w`, `x`, `a`, any case, any order) to bits; `None` when a
/// letter is not one of those.
pub fn perm_from_str(s: &str) -> Option<u32> {
    s.chars().try_fold(0u32, |acc, c| {
        Some(
            acc | match c.to_ascii_lowercase() {
                'r' => AUDIT_PERM_READ,
                'w' => AUDIT_PERM_WRITE,
                'x' => AUDIT_PERM_EXEC,
                'a' => AUDIT_PERM_ATTR,
                _ => return None,
            },
        )
    })
}

/// File types of the `filetype` field (`S_IFMT` values) with auditctl's names.
pub const FILE_TYPES: [(u32, &str); 7] = [
    (0o010000, "fifo"),
    (0o020000, "character"),
    (0o040000, "dir"),
    (0o060000, "block"),
    (0o100000, "file"),
    (0o120000, "link"),
    (0o140000, "socket"),
];

/// The `S_IFMT` value auditctl means by a file type name.
pub fn file_type_from_name(name: &str) -> Option<u32> {
    FILE_TYPES.iter().find(|(_, n)| *n == name).map(|(v, _)| *v)
}

/// auditctl's name of an `S_IFMT` file type value.
pub fn file_type_name(value: u32) -> Option<&'static str> {
    FILE_TYPES
        .iter()
        .find(|(v, _)| *v == value)
        .map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_round_trip() {
        for f in Field::ALL {
            if let Some(n) = f.name() {
                assert_eq!(Field::from_name(n), Some(*f), "{n}");
            }
        }
        assert_eq!(Field::from_name("nonsense"), None);
        assert_eq!(Field(999).to_string(), "f999");
        assert!(Field::FILTERKEY.is_string() && Field::EXE.is_string());
        assert!(!Field::PPID.is_string() && !Field::LOGINUID_SET.is_string());
    }

    #[test]
    fn operators_round_trip() {
        for op in Operator::PARSE_ORDER {
            assert_eq!(Operator::from_bits(op.bits()), Some(op));
            assert_eq!(Operator::from_symbol(op.symbol()), Some(op));
        }
        assert_eq!(Operator::from_bits(0), None);
    }

    #[test]
    fn comparisons_cover_both_orders() {
        for c in Comparison::ALL {
            let (a, b) = c.fields().expect("known");
            assert_eq!(Comparison::from_fields(a, b), Some(*c));
            assert_eq!(Comparison::from_fields(b, a), Some(*c));
        }
        assert_eq!(Comparison::from_fields(Field::UID, Field::GID), None);
    }

    #[test]
    fn lists_actions_perms_filetypes() {
        for n in 0..8 {
            let l = FilterList::from_number(n);
            assert_eq!(l.number(), n);
            if let Some(name) = l.name() {
                assert_eq!(FilterList::from_name(name), Some(l));
            }
        }
        for n in 0..3 {
            let a = Action::from_number(n).expect("action");
            assert_eq!(Action::from_name(a.name()), Some(a));
        }
        assert_eq!(perm_to_string(perm_from_str("axwr").expect("perm")), "rwxa");
        assert_eq!(perm_from_str("rq"), None);
        assert_eq!(file_type_from_name("dir"), Some(16384));
        assert_eq!(file_type_name(0o140000), Some("socket"));
    }
}
