//! A kernel audit rule (`struct audit_rule_data`) as typed data, and its bytes.

use audit_wire::field::{
    Action, Field, FilterList, Operator, AUDIT_BITMASK_SIZE, AUDIT_FILTER_MASK,
    AUDIT_FILTER_PREPEND, AUDIT_MAX_FIELDS, AUDIT_OPERATORS,
};
use audit_wire::rule::RuleData;
use audit_wire::WireError;

/// Size of `struct audit_rule_data` without its string buffer
/// ([`audit_wire::rule::RULE_FIXED_LEN`]).
pub const RULE_DATA_HEADER_LEN: usize = audit_wire::rule::RULE_FIXED_LEN;

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
    /// Another decoding error of the wire structure.
    #[error(transparent)]
    Wire(WireError),
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
    /// `AUDIT_ADD_RULE`/`AUDIT_DEL_RULE`: [`RuleData::to_bytes`] of
    /// [`Rule::to_rule_data`]. Fields past the 64th are dropped (the parser never
    /// builds more than 64; [`RuleData::try_from`] refuses such a rule instead).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_rule_data().to_bytes()
    }

    /// The rule as the wire's `struct audit_rule_data`: the first 64 fields, string
    /// values concatenated into `buf` in field order, a string field's value being
    /// its length. The one encoder of rules; [`RuleData::try_from`] is the same with
    /// the limits checked.
    pub fn to_rule_data(&self) -> RuleData {
        let fields = &self.fields[..self.fields.len().min(AUDIT_MAX_FIELDS)];
        // The raw flags and action: a rule read from the kernel may carry
        // numbers no `FilterList`/`Action` names, and they go back unchanged.
        let mut data = RuleData {
            flags: self.flags,
            action: self.action,
            mask: self.mask,
            ..RuleData::default()
        };
        data.field_count = fields.len() as u32;
        for (i, f) in fields.iter().enumerate() {
            data.fields[i] = f.field.0;
            data.fieldflags[i] = f.op;
            data.values[i] = f.raw_value();
            if let FieldValue::Str(s) = &f.value {
                data.buf.extend_from_slice(s);
            }
        }
        data
    }

    /// Decode `struct audit_rule_data` bytes (as the kernel sends them for
    /// `AUDIT_LIST_RULES`): [`RuleData::parse`], then [`Rule::try_from`]. Bytes
    /// after the string buffer (netlink padding) are ignored.
    pub fn from_bytes(bytes: &[u8]) -> Result<Rule, DecodeError> {
        let data = RuleData::parse(bytes).map_err(|e| match e {
            WireError::Truncated { got, .. } => DecodeError::TooShort(got),
            WireError::FieldCount(n) => DecodeError::TooManyFields(n),
            WireError::LengthOverrun {
                declared,
                available,
                ..
            } => DecodeError::BufferOverrun {
                needed: usize::try_from(declared).unwrap_or(usize::MAX),
                available,
            },
            other => DecodeError::Wire(other),
        })?;
        Rule::try_from(&data)
    }
}

/// Why a [`Rule`] does not fit in a `struct audit_rule_data`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// More than `AUDIT_MAX_FIELDS` (64) fields.
    #[error("audit_rule_data holds at most 64 fields, the rule has {0}")]
    TooManyFields(usize),
    /// A string, or all strings together, longer than a `u32` can count.
    #[error("audit_rule_data strings total {0} bytes, more than buflen can hold")]
    BufferTooLarge(usize),
}

impl TryFrom<&Rule> for RuleData {
    type Error = EncodeError;

    /// [`Rule::to_rule_data`], refusing a rule with more than 64 fields or strings
    /// too long for `values[i]`/`buflen` rather than cutting it.
    fn try_from(rule: &Rule) -> Result<RuleData, EncodeError> {
        if rule.fields.len() > AUDIT_MAX_FIELDS {
            return Err(EncodeError::TooManyFields(rule.fields.len()));
        }
        let total = rule.fields.iter().fold(0usize, |n, f| match &f.value {
            FieldValue::Str(s) => n.saturating_add(s.len()),
            FieldValue::Num(_) => n,
        });
        if u32::try_from(total).is_err() {
            return Err(EncodeError::BufferTooLarge(total));
        }
        Ok(rule.to_rule_data())
    }
}

impl TryFrom<Rule> for RuleData {
    type Error = EncodeError;

    /// As for `&Rule`.
    fn try_from(rule: Rule) -> Result<RuleData, EncodeError> {
        RuleData::try_from(&rule)
    }
}

impl TryFrom<&RuleData> for Rule {
    type Error = DecodeError;

    /// The typed rule of a wire rule. String fields are those [`Field::is_string`]
    /// names after masking operator bits off `fields[i]`, as auditctl does; their
    /// bytes are cut from `buf` in field order.
    fn try_from(data: &RuleData) -> Result<Rule, DecodeError> {
        let count = data.field_count;
        if count as usize > AUDIT_MAX_FIELDS {
            return Err(DecodeError::TooManyFields(count));
        }
        let buf = data.buf.as_slice();
        let mut offset = 0usize;
        let mut fields = Vec::with_capacity(count as usize);
        for i in 0..count as usize {
            let field = Field(data.fields[i]);
            let value = data.values[i];
            let op = data.fieldflags[i];
            let value = if Field(field.0 & !AUDIT_OPERATORS).is_string() {
                let end = offset.saturating_add(value as usize);
                if end > buf.len() {
                    return Err(DecodeError::BufferOverrun {
                        needed: end,
                        available: buf.len(),
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
            flags: data.flags,
            action: data.action,
            mask: data.mask,
            fields,
        })
    }
}

impl TryFrom<RuleData> for Rule {
    type Error = DecodeError;

    /// As for `&RuleData`.
    fn try_from(data: RuleData) -> Result<Rule, DecodeError> {
        Rule::try_from(&data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use audit_wire::field::AUDIT_BITMASK_SIZE;
    use proptest::prelude::*;

    /// The encoder this crate had before it delegated to `RuleData`, kept as an
    /// independent oracle for the byte layout.
    fn reference_bytes(rule: &Rule) -> Vec<u8> {
        let fields = &rule.fields[..rule.fields.len().min(AUDIT_MAX_FIELDS)];
        let buf: Vec<u8> = fields
            .iter()
            .filter_map(|f| match &f.value {
                FieldValue::Str(s) => Some(s.as_slice()),
                FieldValue::Num(_) => None,
            })
            .flatten()
            .copied()
            .collect();
        let mut out = Vec::new();
        let mut put = |v: u32| out.extend_from_slice(&v.to_ne_bytes());
        put(rule.flags);
        put(rule.action);
        put(fields.len() as u32);
        rule.mask.iter().for_each(|w| put(*w));
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

    /// The same rule built with audit-wire's own push API (a second encoder).
    /// Numbers the typed API cannot name (unknown actions, operator bits)
    /// are written raw afterwards.
    fn pushed(rule: &Rule) -> RuleData {
        let mut d = RuleData::new(rule.list(), Action::Never);
        d.flags = rule.flags;
        d.action = rule.action;
        d.mask = rule.mask;
        for (i, f) in rule.fields.iter().enumerate() {
            let op = f.operator().unwrap_or(Operator::Equal);
            match &f.value {
                FieldValue::Num(n) => d.push_field(f.field, op, *n).unwrap(),
                FieldValue::Str(s) => d.push_str_field(f.field, op, s).unwrap(),
            }
            d.fieldflags[i] = f.op;
        }
        d
    }

    fn sample() -> Rule {
        let mut r = Rule::new(FilterList::Exit, Action::Always);
        r.add_syscall(2);
        r.add_syscall(257);
        r.fields
            .push(RuleField::num(Field::ARCH, Operator::Equal, 0xc000_003e));
        r.fields
            .push(RuleField::string(Field::WATCH, Operator::Equal, "/etc/x"));
        r.fields
            .push(RuleField::string(Field::FILTERKEY, Operator::Equal, "k"));
        r
    }

    #[test]
    fn header_len_is_the_kernel_layout() {
        assert_eq!(
            RULE_DATA_HEADER_LEN,
            4 * (3 + AUDIT_BITMASK_SIZE + 3 * AUDIT_MAX_FIELDS + 1)
        );
    }

    #[test]
    fn bytes_round_trip() {
        let mut r = sample();
        assert!(!r.add_syscall(2048));
        let b = r.to_bytes();
        assert_eq!(b.len(), RULE_DATA_HEADER_LEN + 7);
        assert_eq!(b, reference_bytes(&r));
        assert_eq!(Rule::from_bytes(&b), Ok(r.clone()));
        assert_eq!(r.syscalls().collect::<Vec<_>>(), vec![2, 257]);
        assert_eq!(r.key(), Some(&b"k"[..]));
        assert_eq!(
            Rule::from_bytes(&b[..b.len() - 1]),
            Err(DecodeError::BufferOverrun {
                needed: 7,
                available: 6
            })
        );
        assert_eq!(Rule::from_bytes(&b[..10]), Err(DecodeError::TooShort(10)));
        r.fields.clear();
        r.add_all_syscalls();
        assert_eq!(r.to_bytes(), reference_bytes(&r));
        assert_eq!(Rule::from_bytes(&r.to_bytes()), Ok(r));
    }

    #[test]
    fn conversions_both_ways() {
        let r = sample();
        let d = RuleData::try_from(&r).unwrap();
        assert_eq!(d, pushed(&r));
        assert_eq!(d.key(), Some(&b"k"[..]));
        assert_eq!(d.buf, b"/etc/xk");
        assert_eq!(&d.values[..3], &[0xc000_003e, 6, 1]);
        assert_eq!(Rule::try_from(&d), Ok(r.clone()));
        assert_eq!(Rule::try_from(d.clone()), Ok(r.clone()));
        assert_eq!(RuleData::try_from(r.clone()), Ok(d));
    }

    #[test]
    fn conversion_refusals() {
        let mut r = sample();
        for _ in 0..62 {
            r.fields
                .push(RuleField::num(Field::PID, Operator::Equal, 1));
        }
        assert_eq!(RuleData::try_from(&r), Err(EncodeError::TooManyFields(65)));
        // to_bytes keeps its documented cut at 64 fields.
        assert_eq!(r.to_rule_data().field_count, 64);
        assert_eq!(r.to_bytes(), reference_bytes(&r));

        let mut d = RuleData::try_from(&sample()).unwrap();
        d.field_count = 65;
        assert_eq!(Rule::try_from(&d), Err(DecodeError::TooManyFields(65)));
        let mut bytes = sample().to_bytes();
        bytes[8..12].copy_from_slice(&65u32.to_ne_bytes());
        assert_eq!(
            Rule::from_bytes(&bytes),
            Err(DecodeError::TooManyFields(65))
        );

        let mut d = RuleData::try_from(&sample()).unwrap();
        d.values[1] = 100;
        assert_eq!(
            Rule::try_from(&d),
            Err(DecodeError::BufferOverrun {
                needed: 100,
                available: 7
            })
        );
        let mut bytes = sample().to_bytes();
        let buflen_at = RULE_DATA_HEADER_LEN - 4;
        bytes[buflen_at..buflen_at + 4].copy_from_slice(&1000u32.to_ne_bytes());
        assert_eq!(
            Rule::from_bytes(&bytes),
            Err(DecodeError::BufferOverrun {
                needed: 1000,
                available: 7
            })
        );
    }

    #[test]
    fn operator_bits_in_field_ids_still_name_strings() {
        // auditctl masks operator bits off fields[i] before deciding on a string.
        let mut d = RuleData::new(FilterList::Exit, Action::Always);
        let key_with_op = Field(Field::FILTERKEY.0 | Operator::Equal.bits());
        d.push_str_field(key_with_op, Operator::Equal, b"key")
            .unwrap();
        d.fieldflags[0] = 0;
        let r = Rule::try_from(&d).unwrap();
        assert_eq!(r.fields[0].value, FieldValue::Str(b"key".to_vec()));
        assert_eq!(RuleData::try_from(&r), Ok(d));
    }

    fn any_rule() -> impl Strategy<Value = Rule> {
        (
            0u32..0x20,
            0u32..3,
            prop::collection::vec(any::<u32>(), AUDIT_BITMASK_SIZE),
            prop::collection::vec(
                (
                    prop::sample::select(Field::ALL.to_vec()),
                    any::<u32>(),
                    any::<u32>(),
                    prop::collection::vec(any::<u8>(), 0..40),
                ),
                0..70,
            ),
        )
            .prop_map(|(flags, action, mask, fields)| {
                let mut rule = Rule::new(FilterList::Exit, Action::Always);
                rule.flags = flags;
                rule.action = action;
                rule.mask.copy_from_slice(&mask);
                for (field, op, value, text) in fields {
                    let value = if field.is_string() {
                        FieldValue::Str(text)
                    } else {
                        FieldValue::Num(value)
                    };
                    rule.fields.push(RuleField { field, op, value });
                }
                rule
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn one_encoder_byte_for_byte(rule in any_rule()) {
            let bytes = rule.to_bytes();
            prop_assert_eq!(&bytes, &reference_bytes(&rule));
            prop_assert_eq!(&bytes, &rule.to_rule_data().to_bytes());
            match RuleData::try_from(&rule) {
                Ok(d) => {
                    prop_assert!(rule.fields.len() <= AUDIT_MAX_FIELDS);
                    prop_assert_eq!(&d.to_bytes(), &bytes);
                    prop_assert_eq!(&d, &pushed(&rule));
                    prop_assert_eq!(RuleData::parse(&bytes), Ok(d.clone()));
                    prop_assert_eq!(Rule::try_from(&d), Ok(rule.clone()));
                    prop_assert_eq!(Rule::from_bytes(&bytes), Ok(rule.clone()));
                }
                Err(e) => {
                    prop_assert_eq!(e, EncodeError::TooManyFields(rule.fields.len()));
                    let mut cut = rule.clone();
                    cut.fields.truncate(AUDIT_MAX_FIELDS);
                    prop_assert_eq!(Rule::from_bytes(&bytes), Ok(cut));
                }
            }
        }

        #[test]
        fn decoding_arbitrary_bytes_never_panics(
            head in prop::collection::vec(any::<u8>(), 0..RULE_DATA_HEADER_LEN + 64),
            count in 0u32..80,
        ) {
            let mut bytes = head;
            if bytes.len() >= 12 {
                bytes[8..12].copy_from_slice(&count.to_ne_bytes());
            }
            if let Ok(rule) = Rule::from_bytes(&bytes) {
                let d = RuleData::parse(&bytes).unwrap();
                prop_assert_eq!(RuleData::try_from(&rule), Ok(d));
            }
        }
    }
}
