//! `struct audit_rule_data`: an audit rule as the kernel receives and lists it.
//!
//! The layout is a fixed part of 1040 bytes (flags, action, field count, the
//! 2048-bit syscall mask and the 64-entry field/value/fieldflags arrays, `buflen`)
//! followed by `buflen` bytes of string values. A string field's value is the
//! length of its string; strings follow each other in field order, unterminated.

use crate::field::{Action, Field, FilterList, Operator, AUDIT_FILTER_MASK};
use crate::WireError;

/// `AUDIT_MAX_FIELDS`.
pub const MAX_FIELDS: usize = 64;
/// `AUDIT_BITMASK_SIZE`: 32-bit words of the syscall mask.
pub const BITMASK_SIZE: usize = 64;

/// `AUDIT_FILTER_PREPEND`: flag bit of `flags`, insert at the head of the list.
pub const FILTER_PREPEND: u32 = crate::field::AUDIT_FILTER_PREPEND;

/// Rule field ids whose value is a string in the buffer (the kernel's
/// `audit_unpack_string` cases): subject/object security labels (13-17, 19-23),
/// `AUDIT_WATCH` (105), `AUDIT_DIR` (107), `AUDIT_EXE` (112), `AUDIT_FILTERKEY` (210).
pub const fn is_string_field(field: u32) -> bool {
    crate::field::Field(field).is_string()
}

wire_struct! {
    /// The fixed part of `struct audit_rule_data`, owned (see [`RuleData`] for the whole).
    pub struct RuleHeader;
    /// The fixed part of `struct audit_rule_data` as a typed view over bytes.
    pub struct RuleHeaderView;
    what = "audit_rule_data";
    required {
        /// Filter list ([`FilterList`] number), possibly with [`FILTER_PREPEND`].
        flags, set_flags, FLAGS: u32 = 0..4;
        /// [`Action`] number.
        action, set_action, ACTION: u32 = 4..8;
        /// Number of used entries in the field arrays.
        field_count, set_field_count, FIELD_COUNT: u32 = 8..12;
        /// Syscall bitmap: bit `n % 32` of word `n / 32` selects syscall `n`.
        mask, set_mask, MASK: [u32; 64] = 12..268;
        /// Field ids.
        fields, set_fields, FIELDS: [u32; 64] = 268..524;
        /// Values (for string fields: the string's length).
        values, set_values, VALUES: [u32; 64] = 524..780;
        /// Operators (`AUDIT_EQUAL`, ...).
        fieldflags, set_fieldflags, FIELDFLAGS: [u32; 64] = 780..1036;
        /// Length of the string buffer that follows.
        buflen, set_buflen, BUFLEN: u32 = 1036..1040;
    }
    optional {}
}

/// Size of the fixed part of `struct audit_rule_data`.
pub const RULE_FIXED_LEN: usize = 1040;

/// `struct audit_rule_data`, owned: the fixed part and its string buffer.
///
/// `buflen` is not stored: it is always `buf.len()` ([`RuleData::buflen`]).
#[derive(Clone, PartialEq, Eq)]
pub struct RuleData {
    /// Filter list ([`FilterList`] number), possibly with [`FILTER_PREPEND`].
    pub flags: u32,
    /// [`Action`] number (as the kernel lists it, possibly one this crate
    /// does not name).
    pub action: u32,
    /// Number of used entries of `fields`/`values`/`fieldflags`.
    pub field_count: u32,
    /// Syscall bitmap.
    pub mask: [u32; BITMASK_SIZE],
    /// Field ids.
    pub fields: [u32; MAX_FIELDS],
    /// Values (a string field's value is its length in `buf`).
    pub values: [u32; MAX_FIELDS],
    /// Operators.
    pub fieldflags: [u32; MAX_FIELDS],
    /// The string values, concatenated in field order.
    pub buf: Vec<u8>,
}

impl Default for RuleData {
    fn default() -> Self {
        Self {
            flags: 0,
            action: 0,
            field_count: 0,
            mask: [0; BITMASK_SIZE],
            fields: [0; MAX_FIELDS],
            values: [0; MAX_FIELDS],
            fieldflags: [0; MAX_FIELDS],
            buf: Vec::new(),
        }
    }
}

impl std::fmt::Debug for RuleData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = (self.field_count as usize).min(MAX_FIELDS);
        let syscalls: Vec<u32> = (0..(BITMASK_SIZE as u32 * 32))
            .filter(|&s| self.has_syscall(s))
            .collect();
        f.debug_struct("RuleData")
            .field("flags", &self.flags)
            .field("action", &self.action)
            .field("field_count", &self.field_count)
            .field("syscalls", &syscalls)
            .field("fields", &&self.fields[..n])
            .field("values", &&self.values[..n])
            .field("fieldflags", &&self.fieldflags[..n])
            .field("buf", &String::from_utf8_lossy(&self.buf))
            .finish()
    }
}

/// The value of one rule field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleValue<'a> {
    /// A numeric value.
    Num(u32),
    /// A string value (from the rule's buffer).
    Str(&'a [u8]),
}

/// One field of a rule: id, operator and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleField<'a> {
    /// Field id (`AUDIT_PID`, `AUDIT_FILTERKEY`, ...).
    pub field: u32,
    /// Operator (`AUDIT_EQUAL`, ...), the `fieldflags` entry.
    pub op: u32,
    /// The value.
    pub value: RuleValue<'a>,
}

impl RuleData {
    /// An empty rule on filter list `list` with `action` (set
    /// [`FILTER_PREPEND`] in `flags` to insert it at the head of the list).
    pub fn new(list: FilterList, action: Action) -> Self {
        Self {
            flags: list.number(),
            action: action.number(),
            ..Self::default()
        }
    }

    /// Length of the string buffer, as `buflen` is encoded.
    pub fn buflen(&self) -> u32 {
        u32::try_from(self.buf.len()).unwrap_or(u32::MAX)
    }

    /// Decode from the kernel's bytes: the fixed part, then `buflen` bytes of strings
    /// (bytes after them, e.g. netlink padding, are ignored).
    pub fn parse(bytes: &[u8]) -> Result<Self, WireError> {
        let v = RuleHeaderView::new_checked(bytes)?;
        let field_count = v.field_count();
        if field_count as usize > MAX_FIELDS {
            return Err(WireError::FieldCount(field_count));
        }
        let buflen = v.buflen() as usize;
        let rest = &bytes[RULE_FIXED_LEN..];
        if buflen > rest.len() {
            return Err(WireError::LengthOverrun {
                what: "audit_rule_data",
                declared: buflen as u64,
                available: rest.len(),
            });
        }
        Ok(Self {
            flags: v.flags(),
            action: v.action(),
            field_count,
            mask: v.mask(),
            fields: v.fields(),
            values: v.values(),
            fieldflags: v.fieldflags(),
            buf: rest[..buflen].to_vec(),
        })
    }

    /// Encode as the kernel expects: `RULE_FIXED_LEN + buflen` bytes in host order.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = RuleHeader {
            flags: self.flags,
            action: self.action,
            field_count: self.field_count,
            mask: self.mask,
            fields: self.fields,
            values: self.values,
            fieldflags: self.fieldflags,
            buflen: self.buflen(),
        }
        .to_bytes();
        out.extend_from_slice(&self.buf);
        out
    }

    /// The filter list (the list bits of `flags`, without the prepend flag).
    pub fn list(&self) -> FilterList {
        FilterList::from_number(self.flags & AUDIT_FILTER_MASK)
    }

    /// The action, when `action` holds one the kernel defines.
    pub fn action(&self) -> Option<Action> {
        Action::from_number(self.action)
    }

    /// Select syscall `nr` (`AUDIT_WORD`/`AUDIT_BIT`).
    pub fn set_syscall(&mut self, nr: u32) -> Result<(), WireError> {
        let word = (nr / 32) as usize;
        if word >= BITMASK_SIZE {
            return Err(WireError::SyscallOutOfRange(nr));
        }
        self.mask[word] |= 1 << (nr % 32);
        Ok(())
    }

    /// Whether syscall `nr` is selected (false for out-of-range numbers).
    pub fn has_syscall(&self, nr: u32) -> bool {
        let word = (nr / 32) as usize;
        word < BITMASK_SIZE && self.mask[word] & (1 << (nr % 32)) != 0
    }

    /// Whether one of the rule's fields is `field` (`AUDIT_DIR`, `AUDIT_PID`,
    /// ...), whatever its operator and value.
    ///
    /// ```
    /// use audit_wire::field::{Action, Field, FilterList, Operator};
    /// use audit_wire::rule::RuleData;
    /// let mut r = RuleData::new(FilterList::Exit, Action::Always);
    /// r.push_field(Field::PID, Operator::Equal, 42).unwrap();
    /// assert!(r.has_field(Field::PID));
    /// assert!(!r.has_field(Field::DIR));
    /// ```
    pub fn has_field(&self, field: Field) -> bool {
        let n = (self.field_count as usize).min(MAX_FIELDS);
        self.fields[..n].contains(&field.0)
    }

    /// Select every syscall (`-S all`).
    pub fn set_all_syscalls(&mut self) {
        self.mask = [u32::MAX; BITMASK_SIZE];
    }

    fn next_slot(&self, field: Field) -> Result<usize, WireError> {
        let i = self.field_count as usize;
        if i >= MAX_FIELDS {
            return Err(WireError::TooManyFields { field: field.0 });
        }
        Ok(i)
    }

    /// Append a numeric field `field op value`.
    pub fn push_field(&mut self, field: Field, op: Operator, value: u32) -> Result<(), WireError> {
        let i = self.next_slot(field)?;
        self.fields[i] = field.0;
        self.fieldflags[i] = op.bits();
        self.values[i] = value;
        self.field_count += 1;
        Ok(())
    }

    /// Append a string field: its length is the value, its bytes go to the buffer.
    pub fn push_str_field(
        &mut self,
        field: Field,
        op: Operator,
        s: &[u8],
    ) -> Result<(), WireError> {
        let i = self.next_slot(field)?;
        let total = self.buf.len() + s.len();
        let len = u32::try_from(s.len()).map_err(|_| WireError::BufferTooLarge(total))?;
        if u32::try_from(total).is_err() {
            return Err(WireError::BufferTooLarge(total));
        }
        self.fields[i] = field.0;
        self.fieldflags[i] = op.bits();
        self.values[i] = len;
        self.buf.extend_from_slice(s);
        self.field_count += 1;
        Ok(())
    }

    /// The used fields with their values; string values are cut from the buffer in
    /// order. An error when a string's length runs past the buffer.
    pub fn fields_iter(&self) -> impl Iterator<Item = Result<RuleField<'_>, WireError>> + '_ {
        let n = (self.field_count as usize).min(MAX_FIELDS);
        let mut off = 0usize;
        let mut failed = false;
        (0..n).map_while(move |i| {
            if failed {
                return None;
            }
            let field = self.fields[i];
            let op = self.fieldflags[i];
            let value = if is_string_field(field) {
                let len = self.values[i];
                let end = off
                    .checked_add(len as usize)
                    .filter(|&e| e <= self.buf.len());
                match end {
                    Some(end) => {
                        let s = &self.buf[off..end];
                        off = end;
                        RuleValue::Str(s)
                    }
                    None => {
                        failed = true;
                        return Some(Err(WireError::StringOverrun {
                            index: i,
                            field,
                            offset: off,
                            len,
                            buflen: self.buf.len(),
                        }));
                    }
                }
            } else {
                RuleValue::Num(self.values[i])
            };
            Some(Ok(RuleField { field, op, value }))
        })
    }

    /// The first key (`AUDIT_FILTERKEY`) string of the rule, if any. Several keys of
    /// one rule are joined by `\x01` inside it, as auditctl does.
    pub fn key(&self) -> Option<&[u8]> {
        self.fields_iter().find_map(|f| match f {
            Ok(RuleField {
                field,
                value: RuleValue::Str(s),
                ..
            }) if field == Field::FILTERKEY.0 => Some(s),
            _ => None,
        })
    }
}
