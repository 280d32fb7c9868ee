//! A kernel audit rule (`struct audit_rule_data`) as typed data, and its bytes.

use audit_wire::field::{
    Action, Field, FilterList, Operator, AUDIT_BITMASK_SIZE, AUDIT_FILTER_MASK,
    AUDIT_FILTER_PREPEND, AUDIT_MAX_FIELDS, AUDIT_OPERATORS,
};

/// Size of `struct audit_rule_data` without its string buffer.
pub const RULE_DATA_HEADER_LEN: usize = 4 * (3 + AUDIT_BITMASK_SIZE + 3 * AUDIT_MAX_FIELDS + 1);

/// A field value: a number, or a string carried in the rule's buffer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FieldValue {
    /// `values[i]` itself.
    Num(u32),
    /// The `values[i]` bytes of `buf` that belong to this field.
    Str(Vec<u8>),
}

/// One `fields[i]`, `fieldflags[i]`, `values[i]` triple of a rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RuleField {
    /// The field id (`fields[i]`).
    pub field: Field,
    /// The operator bits (`fieldflags[i]`).
    pub op: u32,
    /// The value.
    pub value: FieldValue,
}

impl RuleField {
    /// A field with a numeric value.
    pub fn num(field: Field, op: Operator, value: u32) -> RuleField {
        RuleField {
            field,
            op: op.bits(),
            value: FieldValue::Num(value),
        }
    }

    /// A field with a string value.
    pub fn string(field: Field, op: Operator, value: impl Into<Vec<u8>>) -> RuleField {
        RuleField {
            field,
            op: op.bits(),
            value: FieldValue::Str(value.into()),
        }
    }

    /// The operator, when `op` holds a known one.
    pub fn operator(&self) -> Option<Operator> {
        Operator::from_bits(self.op)
    }

    /// `values[i]` as the kernel sees it (a string's length for strings).
    pub fn raw_value(&self) -> u32 {
        match &self.value {
            FieldValue::Num(n) => *n,
            FieldValue::Str(s) => s.len() as u32,
        }
    }
}

/// A kernel audit rule: list and prepend flag, action, syscall mask and fields.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// `flags`: the filter list number, with [`AUDIT_FILTER_PREPEND`] for `-A`.
    pub flags: u32,
    /// `action`: [`Action`] number.
    pub action: u32,
    /// `mask`: one bit per syscall number.
    pub mask: [u32; AUDIT_BITMASK_SIZE],
    /// The fields, in order.
    pub fields: Vec<RuleField>,
}

/// Why bytes are not an `audit_rule_data`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Fewer bytes than the fixed part of the structure.
    #[error("audit_rule_data needs {RULE_DATA_HEADER_LEN} bytes, got {0}")]
    TooShort(usize),
    /// `field_count` above 64.
    #[error("audit_rule_data field_count {0} exceeds 64")]
    TooManyFields(u32),
    /// `buflen` or a string length runs past the bytes.
    #[error("audit_rule_data strings need {needed} bytes of buffer, {available} present")]
    BufferOverrun {
        /// Bytes the strings need.
        needed: usize,
        /// Bytes present after the fixed part.
        available: usize,
    },
}

impl Rule {
    /// An empty rule for `list` with `action`.
    pub fn new(list: FilterList, action: Action) -> Rule {
        Rule {
            flags: list.number(),
            action: action.number(),
            mask: [0; AUDIT_BITMASK_SIZE],
            fields: Vec::new(),
        }
    }

    /// The rule's filter list.
    pub fn list(&self) -> FilterList {
        FilterList::from_number(self.flags & AUDIT_FILTER_MASK)
    }

    /// Whether the rule goes to the head of its list (`-A`).
    pub fn is_prepend(&self) -> bool {
        self.flags & AUDIT_FILTER_PREPEND != 0
    }

    /// Set the bit of syscall `number`; `false` when it is beyond the mask (2047).
    pub fn add_syscall(&mut self, number: u32) -> bool {
        let word = (number / 32) as usize;
        if word >= AUDIT_BITMASK_SIZE {
            return false;
        }
        self.mask[word] |= 1 << (number % 32);
        true
    }

    /// Select every syscall (`-S all`).
    pub fn add_all_syscalls(&mut self) {
        self.mask = [u32::MAX; AUDIT_BITMASK_SIZE];
    }

    /// Whether syscall `number` is selected.
    pub fn has_syscall(&self, number: u32) -> bool {
        let word = (number / 32) as usize;
        word < AUDIT_BITMASK_SIZE && self.mask[word] & (1 << (number % 32)) != 0
    }

    /// Whether every syscall is selected, judged as auditctl does (the first 63
    /// words all ones; the kernel rewrites the last word's syscall-class bits).
    pub fn all_syscalls(&self) -> bool {
        self.mask[..AUDIT_BITMASK_SIZE - 1]
            .iter()
            .all(|w| *w == u32::MAX)
    }

    /// The selected syscall numbers, ascending.
    pub fn syscalls(&self) -> impl Iterator<Item = u32> + '_ {
        (0..(AUDIT_BITMASK_SIZE as u32 * 32)).filter(|n| self.has_syscall(*n))
    }

    /// The rule's key(s): the `key` field's bytes, keys separated by `\x01`.
    pub fn key(&self) -> Option<&[u8]> {
        self.fields.iter().find_map(|f| match (&f.value, f.field) {
            (FieldValue::Str(s), Field::FILTERKEY) => Some(s.as_slice()),
            _ => None,
        })
    }

    /// The `struct audit_rule_data` bytes (native endianness), as sent with
    /// `AUDIT_ADD_RULE`/`AUDIT_DEL_RULE`. Fields past the 64th are dropped (the
    /// parser never builds more than 64).
    pub fn to_bytes(&self) -> Vec<u8> {
        let fields = &self.fields[..self.fields.len().min(AUDIT_MAX_FIELDS)];
        let buf: Vec<u8> = fields
            .iter()
            .filter_map(|f| match &f.value {
                FieldValue::Str(s) => Some(s.as_slice()),
                FieldValue::Num(_) => None,
            })
            .flatten()
            .copied()
            .collect();
        let mut out = Vec::with_capacity(RULE_DATA_HEADER_LEN + buf.len());
        let mut put = |v: u32| out.extend_from_slice(&v.to_ne_bytes());
        put(self.flags);
        put(self.action);
        put(fields.len() as u32);
        self.mask.iter().for_each(|w| put(*w));
        for i in 0..AUDIT_MAX_FIELDS {
            put(fields.get(i).map_or(0, |f| f.field.0));
        }
        for i in 0..AUDIT_MAX_FIELDS {
            put(fields.get(i).map_or(0, RuleField::raw_value));
        }
        for i in 0..AUDIT_MAX_FIELDS {
            put(fields.get(i).map_or(0, |f| f.op));
        }
        put(buf.len() as u32);
        out.extend_from_slice(&buf);
        out
    }

    /// Decode `struct audit_rule_data` bytes (as the kernel sends them for
    /// `AUDIT_LIST_RULES`). String fields are those [`Field::is_string`] names,
    /// after masking operator bits off `fields[i]` as auditctl does.
    pub fn from_bytes(bytes: &[u8]) -> Result<Rule, DecodeError> {
        if bytes.len() < RULE_DATA_HEADER_LEN {
            return Err(DecodeError::TooShort(bytes.len()));
        }
        let word = |i: usize| {
            let mut b = [0u8; 4];
            b.copy_from_slice(&bytes[i * 4..i * 4 + 4]);
            u32::from_ne_bytes(b)
        };
        let count = word(2);
        if count as usize > AUDIT_MAX_FIELDS {
            return Err(DecodeError::TooManyFields(count));
        }
        let mut mask = [0u32; AUDIT_BITMASK_SIZE];
        for (i, m) in mask.iter_mut().enumerate() {
            *m = word(3 + i);
        }
        let fields_at = 3 + AUDIT_BITMASK_SIZE;
        let values_at = fields_at + AUDIT_MAX_FIELDS;
        let flags_at = values_at + AUDIT_MAX_FIELDS;
        let buflen = word(flags_at + AUDIT_MAX_FIELDS) as usize;
        let buf = &bytes[RULE_DATA_HEADER_LEN..];
        if buflen > buf.len() {
            return Err(DecodeError::BufferOverrun {
                needed: buflen,
                available: buf.len(),
            });
        }
        let mut offset = 0usize;
        let mut fields = Vec::with_capacity(count as usize);
        for i in 0..count as usize {
            let field = Field(word(fields_at + i));
            let value = word(values_at + i);
            let op = word(flags_at + i);
            let value = if Field(field.0 & !AUDIT_OPERATORS).is_string() {
                let end = offset.saturating_add(value as usize);
                if end > buflen {
                    return Err(DecodeError::BufferOverrun {
                        needed: end,
                        available: buflen,
                    });
                }
                let s = buf[offset..end].to_vec();
                offset = end;
                FieldValue::Str(s)
            } else {
                FieldValue::Num(value)
            };
            fields.push(RuleField { field, op, value });
        }
        Ok(Rule {
            flags: word(0),
            action: word(1),
            mask,
            fields,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip() {
        let mut r = Rule::new(FilterList::Exit, Action::Always);
        r.add_syscall(2);
        r.add_syscall(257);
        assert!(!r.add_syscall(2048));
        r.fields
            .push(RuleField::num(Field::ARCH, Operator::Equal, 0xc000_003e));
        r.fields
            .push(RuleField::string(Field::WATCH, Operator::Equal, "/etc/x"));
        r.fields
            .push(RuleField::string(Field::FILTERKEY, Operator::Equal, "k"));
        let b = r.to_bytes();
        assert_eq!(b.len(), RULE_DATA_HEADER_LEN + 7);
        assert_eq!(Rule::from_bytes(&b), Ok(r.clone()));
        assert_eq!(r.syscalls().collect::<Vec<_>>(), vec![2, 257]);
        assert_eq!(r.key(), Some(&b"k"[..]));
        assert!(Rule::from_bytes(&b[..b.len() - 1]).is_err());
        assert!(Rule::from_bytes(&b[..10]).is_err());
    }
}
