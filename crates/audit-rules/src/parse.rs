//! auditctl's command language: one argument vector (a command line, or one line
//! of a rule file) to the commands it asks for, with auditctl's checks, values and
//! messages.

use audit_wire::field::{
    file_type_from_name, Action, Comparison, Field, FilterList, Operator, AUDIT_FILTER_MASK,
    AUDIT_FILTER_PREPEND, AUDIT_KEY_SEPARATOR, AUDIT_MAX_FIELDS, AUDIT_MAX_KEY_LEN,
    AUDIT_PERM_ATTR, AUDIT_PERM_EXEC, AUDIT_PERM_READ, AUDIT_PERM_WRITE,
};

use audit_syscalls::{compat, Bits, Machine};

use crate::env::{
    Environment, FEATURE_EXCLUDE_EXTEND, FEATURE_EXECUTABLE_PATH, FEATURE_FILTER_FS,
    FEATURE_SESSIONID_FILTER,
};
use crate::error::{FieldError, RuleError, RuleErrorKind};
use crate::num::{strtol, strtoul};
use crate::rule::{FieldValue, Rule, RuleField};
use crate::tables;

const PATH_MAX: usize = 4096;
/// glibc's `AF_MAX` (`PF_MAX`, 46), the bound libaudit 3.0.9 checks
/// `saddr_fam` against: address families are below it.
const AF_MAX: u64 = 46;
const NAME_MAX: usize = 255;

/// One thing a command line or rule-file line asks auditctl to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `-a`/`-A`/`-w`: add the rule (prepended when its flags say so).
    AddRule(Rule),
    /// `-d`/`-W`: delete the rule.
    DeleteRule(Rule),
    /// `-D [-k key]`: delete every rule (whose key contains `key`).
    DeleteAll {
        /// Only rules whose key contains this.
        key: Option<String>,
    },
    /// `-l [-k key] [-i]`: list the rules.
    List {
        /// Only rules whose key contains this.
        key: Option<String>,
        /// `-i`: interpret values.
        interpret: bool,
    },
    /// `-s [-i]`: report the kernel's status.
    Status {
        /// `-i`: interpret values.
        interpret: bool,
    },
    /// `-e`: set `enabled` (0, 1, 2).
    SetEnabled(u32),
    /// `-f`: set `failure` (0 silent, 1 printk, 2 panic).
    SetFailure(u32),
    /// `-r`: set `rate_limit`.
    SetRateLimit(u32),
    /// `-b`: set `backlog_limit`.
    SetBacklogLimit(u32),
    /// `--backlog_wait_time`: set `backlog_wait_time`.
    SetBacklogWaitTime(u32),
    /// `--reset-lost`: reset the lost counter.
    ResetLost,
    /// `--reset_backlog_wait_time_actual`.
    ResetBacklogWaitTimeActual,
    /// `--loginuid-immutable`: make login uids immutable (until reboot).
    LoginuidImmutable,
    /// `-i`: in a rule file, go on after errors.
    IgnoreErrors,
    /// `-c`: in a rule file, go on after errors but fail at the end.
    ContinueOnErrors,
    /// `-m text`: send a user-space message.
    UserMessage(String),
    /// `-t`: trim directory watches.
    TrimSubtrees,
    /// `-q mount,subtree`: make a subtree part of a mount point's watches.
    MakeEquivalent {
        /// The mount point.
        mount: String,
        /// The subtree.
        subtree: String,
    },
    /// `--signal`: send a signal to auditd.
    Signal(String),
    /// `-v`: print the version.
    Version,
    /// `-h`: print the usage (auditctl then exits with an error).
    Help,
    /// `-e`/`-f`/`-b`/`-r`/`--backlog_wait_time`: afterwards, print the status reply.
    ShowStatusReply,
}

/// What one argument vector asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The commands, in order.
    pub commands: Vec<Command>,
    /// Warnings auditctl prints without failing.
    pub warnings: Vec<String>,
}

impl Parsed {
    /// The rule to add or delete, if the line has one.
    pub fn rule(&self) -> Option<&Rule> {
        self.commands.iter().find_map(|c| match c {
            Command::AddRule(r) | Command::DeleteRule(r) => Some(r),
            _ => None,
        })
    }
}

/// Options auditctl takes an argument for.
const WITH_ARG: &str = "CefrbaAdSFmRwWkpq";
const WITHOUT_ARG: &str = "hicslDvt";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum LongOpt {
    LoginuidImmutable,
    BacklogWaitTime,
    ResetLost,
    ResetBacklogWaitTimeActual,
    Signal,
}

const LONG_OPTS: [(&str, bool, LongOpt); 5] = [
    ("loginuid-immutable", false, LongOpt::LoginuidImmutable),
    ("backlog_wait_time", true, LongOpt::BacklogWaitTime),
    ("reset-lost", false, LongOpt::ResetLost),
    (
        "reset_backlog_wait_time_actual",
        false,
        LongOpt::ResetBacklogWaitTimeActual,
    ),
    ("signal", true, LongOpt::Signal),
];

#[derive(Debug)]
enum Opt {
    Short(char, Option<String>),
    Long(LongOpt, Option<String>),
    Invalid(String),
}

/// GNU `getopt_long` over `args` (without the program name), permuting
/// non-options to the end as glibc does.
struct GetOpt<'a> {
    args: &'a [String],
    /// Index of the next argument to look at.
    next: usize,
    /// Position inside a cluster of short options (`-il`).
    cluster: usize,
    /// Non-option arguments seen.
    leftovers: usize,
    /// The first of them.
    first_leftover: Option<&'a str>,
}

impl<'a> GetOpt<'a> {
    fn new(args: &'a [String]) -> GetOpt<'a> {
        GetOpt {
            args,
            next: 0,
            cluster: 0,
            leftovers: 0,
            first_leftover: None,
        }
    }

    /// Arguments left unread after the option just returned.
    fn remaining(&self) -> &'a [String] {
        &self.args[self.next.min(self.args.len())..]
    }

    /// Mark `n` more arguments as consumed (auditctl lowers its count).
    fn consume(&mut self, n: usize) {
        self.next = (self.next + n).min(self.args.len());
    }

    fn next_opt(&mut self) -> Option<Opt> {
        if self.cluster == 0 {
            loop {
                let arg = self.args.get(self.next)?;
                if arg == "--" {
                    if let Some(word) = self.args.get(self.next + 1) {
                        self.first_leftover.get_or_insert(word);
                    }
                    self.leftovers += self.args.len() - self.next - 1;
                    self.next = self.args.len();
                    return None;
                }
                if is_option(arg) {
                    break;
                }
                self.first_leftover.get_or_insert(arg);
                self.leftovers += 1;
                self.next += 1;
            }
            let arg = &self.args[self.next];
            if let Some(long) = arg.strip_prefix("--") {
                self.next += 1;
                let (name, inline) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                let exact = LONG_OPTS.iter().find(|(n, _, _)| *n == name);
                let found = exact.or_else(|| {
                    let mut m = LONG_OPTS.iter().filter(|(n, _, _)| n.starts_with(name));
                    match (m.next(), m.next()) {
                        (Some(one), None) => Some(one),
                        _ => None,
                    }
                });
                let Some((_, takes_arg, which)) = found else {
                    return Some(Opt::Invalid(arg.clone()));
                };
                if *takes_arg {
                    let value = match inline {
                        Some(v) => v,
                        None => match self.args.get(self.next) {
                            Some(v) => {
                                self.next += 1;
                                v.clone()
                            }
                            None => return Some(Opt::Invalid(arg.clone())),
                        },
                    };
                    return Some(Opt::Long(*which, Some(value)));
                } else if inline.is_some() {
                    return Some(Opt::Invalid(arg.clone()));
                }
                return Some(Opt::Long(*which, None));
            }
            self.cluster = 1;
        }
        let arg = &self.args[self.next];
        let c = arg[self.cluster..].chars().next()?;
        self.cluster += c.len_utf8();
        let at_end = self.cluster >= arg.len();
        if WITH_ARG.contains(c) {
            let value = if !at_end {
                let v = arg[self.cluster..].to_string();
                self.next += 1;
                self.cluster = 0;
                v
            } else {
                self.next += 1;
                self.cluster = 0;
                match self.args.get(self.next) {
                    Some(v) => {
                        self.next += 1;
                        v.clone()
                    }
                    None => return Some(Opt::Invalid(arg.clone())),
                }
            };
            Some(Opt::Short(c, Some(value)))
        } else {
            if at_end {
                self.next += 1;
                self.cluster = 0;
            }
            if WITHOUT_ARG.contains(c) {
                Some(Opt::Short(c, None))
            } else {
                Some(Opt::Invalid(arg.clone()))
            }
        }
    }
}

fn is_option(arg: &str) -> bool {
    arg.len() > 1 && arg.starts_with('-')
}

/// auditctl's per-line state (`reset_vars`).
struct State<'e> {
    env: &'e dyn Environment,
    line: Option<usize>,
    syscall_added: bool,
    perm_added: bool,
    exe_added: bool,
    fs_added: bool,
    /// `_audit_elf`: the rule's ABI once `-F arch` or a first `-S` set it (0: none).
    elf: u32,
    add: Option<u32>,
    del: Option<u32>,
    action: Option<Action>,
    exclude: bool,
    /// A list was read for `-a`/`-A`/`-d`, even if the option then failed
    /// (auditctl has set its `add`/`del` by then).
    list_named: bool,
    multiple: u32,
    rule: Rule,
    key: Vec<u8>,
    list_requested: bool,
    out: Parsed,
    /// The argument being processed, for error reports.
    token: String,
}

type Step = Result<(), RuleErrorKind>;

/// Why `audit_rule_setup` refuses the `list,action` of `-a`/`-A`/`-d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetupError {
    /// The action `possible` (deprecated: auditctl warns and does nothing).
    Possible,
    /// Not a list and an action.
    BadKeyword,
    /// A second `-a`/`-A`/`-d` on the line.
    Multiple,
}

/// Why `audit_rule_syscallbyname_data` cannot select a syscall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SyscallError {
    /// No syscall of that name (or number) on the rule's machine.
    Unknown,
    /// The rule's machine is not known.
    NoMachine,
}

fn msg(s: impl Into<String>) -> RuleErrorKind {
    RuleErrorKind::Message(s.into())
}

fn field_err(error: FieldError, subject: &str) -> RuleErrorKind {
    RuleErrorKind::Field {
        error,
        subject: subject.to_string(),
    }
}

fn starts_digit(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

fn starts_minus_digit(s: &str) -> bool {
    s.len() >= 2 && s.as_bytes()[0] == b'-' && s.as_bytes()[1].is_ascii_digit()
}

/// A `-F` number as auditctl reads it (C `strtol`: the longest numeric
/// prefix), refused where auditctl would keep only its low 32 bits (it sends
/// `-F uid=4294967296` as uid 0). Negative values down to `i32::MIN` are
/// kept as their 32-bit two's complement (`-1` is 4294967295), as in C.
fn number32(v: &str, name: &str) -> Result<u32, RuleErrorKind> {
    match strtol(v, 0) {
        (n, false) if (i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(&n) => Ok(n as u32),
        _ => Err(msg(format!("-F value out of 32-bit range for {name}: {v}"))),
    }
}

/// Split `pair` at the first operator, trying operators in auditctl's order.
fn split_op<'p>(pair: &'p str, ops: &[Operator]) -> Option<(&'p str, Operator, &'p str)> {
    ops.iter().find_map(|op| {
        pair.find(op.symbol())
            .map(|at| (&pair[..at], *op, &pair[at + op.symbol().len()..]))
    })
}

fn list_of(flags: u32) -> FilterList {
    FilterList::from_number(flags & AUDIT_FILTER_MASK)
}

impl<'e> State<'e> {
    fn new(env: &'e dyn Environment, line: Option<usize>) -> State<'e> {
        State {
            env,
            line,
            syscall_added: false,
            perm_added: false,
            exe_added: false,
            fs_added: false,
            elf: 0,
            add: None,
            del: None,
            action: None,
            exclude: false,
            list_named: false,
            multiple: 0,
            rule: Rule::new(FilterList::User, Action::Never),
            key: Vec::new(),
            list_requested: false,
            out: Parsed::default(),
            token: String::new(),
        }
    }

    /// Whether auditctl would have a list for a rule (`add`/`del` set), so
    /// that it checks whether audit takes rule changes even after an error.
    fn names_rule_list(&self) -> bool {
        self.list_named || self.add.is_some() || self.del.is_some()
    }

    fn machine_of_elf(&self) -> Option<Machine> {
        if self.elf == 0 {
            self.env.machine()
        } else {
            compat::machine_from_audit_arch(self.elf)
        }
    }

    /// The list the rule is for, as `-F` sees it.
    fn field_list(&self) -> Option<FilterList> {
        self.add.or(self.del).map(list_of)
    }

    fn list_is(&self, list: FilterList) -> bool {
        self.add.is_some_and(|f| list_of(f) == list) || self.del.is_some_and(|f| list_of(f) == list)
    }

    /// `audit_rule_setup`: read `list,action` (either order).
    fn rule_setup(&mut self, opt: &str, is_del: bool) -> Result<(), SetupError> {
        self.multiple += 1;
        if self.multiple != 1 {
            return Err(SetupError::Multiple);
        }
        let Some((first, second)) = opt.split_once(',') else {
            return Err(SetupError::BadKeyword);
        };
        if second.contains(',') {
            return Err(SetupError::BadKeyword);
        }
        let mut filter = if is_del { self.del } else { self.add };
        let mut act = self.action;
        let lookup_action = |s: &str| -> Result<Action, SetupError> {
            match Action::from_name(s) {
                Some(Action::Possible) => Err(SetupError::Possible),
                Some(a) => Ok(a),
                None => Err(SetupError::BadKeyword),
            }
        };
        let mut set_filter = |s: &str, filter: &mut Option<u32>| -> bool {
            match FilterList::from_name(s) {
                Some(l) => {
                    self.list_named = true;
                    if l == FilterList::Exclude {
                        self.exclude = true;
                    }
                    *filter = Some(l.number());
                    true
                }
                None => false,
            }
        };
        match lookup_action(first) {
            Ok(a) => act = Some(a),
            Err(SetupError::Possible) => {}
            Err(_) => {
                if !set_filter(first, &mut filter) {
                    return Err(SetupError::BadKeyword);
                }
            }
        }
        if filter.is_none() {
            if !set_filter(second, &mut filter) {
                return Err(SetupError::BadKeyword);
            }
        } else {
            act = Some(lookup_action(second)?);
        }
        if filter.is_none() || act.is_none() {
            return Err(SetupError::BadKeyword);
        }
        if is_del {
            self.del = filter;
        } else {
            self.add = filter;
        }
        self.action = act;
        Ok(())
    }

    fn opt_add(&mut self, arg: &str, prepend: bool) -> Result<bool, RuleErrorKind> {
        if arg.contains("task") && self.syscall_added {
            return Err(msg(if prepend {
                "Error: syscall auditing requested for task list"
            } else {
                "Syscall auditing requested for task list"
            }));
        }
        match self.rule_setup(arg, false) {
            Ok(_) => {
                if prepend {
                    self.add = self.add.map(|f| f | AUDIT_FILTER_PREPEND);
                }
                Ok(true)
            }
            Err(SetupError::Multiple) => Err(msg(if prepend {
                "Multiple rule insert/delete operations are not allowed"
            } else {
                "Multiple rule insert/delete operations are not allowed\n"
            })),
            Err(SetupError::Possible) => {
                // auditctl says "Append" for -A too.
                self.out
                    .warnings
                    .push("Append rule - possible is deprecated".into());
                Ok(false)
            }
            Err(SetupError::BadKeyword) => Err(msg(format!(
                "{} rule - bad keyword {arg}",
                if prepend { "Add" } else { "Append" }
            ))),
        }
    }

    fn opt_delete(&mut self, arg: &str) -> Result<bool, RuleErrorKind> {
        match self.rule_setup(arg, true) {
            Ok(_) => Ok(true),
            Err(SetupError::Multiple) => Err(msg(
                "Multiple rule insert/delete operations are not allowed",
            )),
            Err(SetupError::Possible) => {
                self.out
                    .warnings
                    .push("Delete rule - possible is deprecated".into());
                Ok(false)
            }
            Err(SetupError::BadKeyword) => Err(msg(format!("Delete rule - bad keyword {arg}"))),
        }
    }

    /// `audit_rule_syscallbyname_data`: select syscall `name` (or `all`).
    fn syscall_by_name(&self, rule: &mut Rule, name: &str) -> Result<(), SyscallError> {
        if name == "all" {
            rule.add_all_syscalls();
            return Ok(());
        }
        let machine = self.machine_of_elf().ok_or(SyscallError::NoMachine)?;
        let nr = match self.env.syscall_number(machine, name) {
            Some(n) => i64::from(n),
            None if starts_digit(name) => strtol(name, 0).0,
            None => -1,
        };
        if nr >= 0 && u32::try_from(nr).is_ok_and(|n| rule.add_syscall(n)) {
            Ok(())
        } else {
            Err(SyscallError::Unknown)
        }
    }

    fn opt_syscall(&mut self, arg: &str) -> Step {
        let unknown_arch = self.elf == 0;
        if self.list_is(FilterList::IoUring) {
            return self.opt_uring(arg);
        }
        if self.list_is(FilterList::Task) {
            return Err(msg("Error: syscall auditing being added to task list"));
        } else if self.list_is(FilterList::User) {
            return Err(msg("Error: syscall auditing being added to user list"));
        } else if self.list_is(FilterList::Filesystem) {
            return Err(msg(
                "Error: syscall auditing being added to filesystem list",
            ));
        } else if self.exclude {
            return Err(msg("Error: syscall auditing cannot be put on exclude list"));
        }
        if unknown_arch {
            let Some(machine) = self.env.machine() else {
                return Err(msg("Error detecting machine type"));
            };
            self.elf = machine.audit_arch();
        }
        let mut rule =
            std::mem::replace(&mut self.rule, Rule::new(FilterList::User, Action::Never));
        let result = if arg.contains(',') {
            let mut result = Ok(());
            for tok in arg.split(',').filter(|t| !t.is_empty()) {
                result = self.syscall_by_name(&mut rule, tok);
                match result {
                    Ok(()) => {}
                    Err(SyscallError::Unknown) => {
                        self.rule = rule;
                        return Err(msg(format!("Syscall name unknown: {tok}")));
                    }
                    Err(SyscallError::NoMachine) => break,
                }
            }
            result
        } else {
            self.syscall_by_name(&mut rule, arg)
        };
        self.rule = rule;
        match result {
            Ok(()) => {
                self.syscall_added = true;
                if unknown_arch && self.add.is_some() {
                    self.check_mismatch(arg);
                }
                Ok(())
            }
            Err(SyscallError::Unknown) => Err(msg(format!("Syscall name unknown: {arg}"))),
            Err(SyscallError::NoMachine) => Err(msg(format!("Elf type unknown: 0x{:x}", self.elf))),
        }
    }

    /// io_uring rules (a list auditctl 3.0.9 does not know): `-S` takes
    /// io_uring operation names (as the listing prints them) or numbers.
    fn opt_uring(&mut self, arg: &str) -> Step {
        for tok in arg.split(',').filter(|t| !t.is_empty()) {
            let number = match audit_syscalls::io_uring_op_number(tok) {
                Some(n) => Some(n),
                None if starts_digit(tok) => u32::try_from(strtol(tok, 0).0).ok(),
                None => None,
            };
            let ok = tok == "all" && {
                self.rule.add_all_syscalls();
                true
            } || number.is_some_and(|n| self.rule.add_syscall(n));
            if !ok {
                return Err(msg(format!("io_uring op unknown: {arg}")));
            }
        }
        self.syscall_added = true;
        Ok(())
    }

    /// `check_rule_mismatch`: warn when the names mean other syscalls for the
    /// machine's 32-bit ABI.
    fn check_mismatch(&mut self, arg: &str) {
        let saved = self.elf;
        self.elf = match compat::machine_from_audit_arch(self.elf) {
            Some(m @ (Machine::X86_64 | Machine::Ppc64 | Machine::S390x)) => {
                compat::resolve_bits(Bits::B32, m).map_or(saved, Machine::audit_arch)
            }
            _ => saved,
        };
        let mut tmp = Rule::new(FilterList::User, Action::Never);
        for tok in arg.split(',').filter(|t| !t.is_empty()) {
            // Names the other ABI lacks are left out: the masks then differ.
            let _ = self.syscall_by_name(&mut tmp, tok);
        }
        self.elf = saved;
        if tmp.mask != self.rule.mask {
            self.out.warnings.push(match self.line {
                Some(l) => format!(
                    "WARNING - 32/64 bit syscall mismatch in line {l}, you should specify an arch"
                ),
                None => {
                    "WARNING - 32/64 bit syscall mismatch, you should specify an arch".to_string()
                }
            });
        }
    }

    /// `audit_determine_machine` + `audit_machine_to_elf` for a non-numeric arch.
    fn determine_elf(&self, arch: &str) -> Option<u32> {
        let machine = match Bits::from_name(arch) {
            Some(bits) => compat::resolve_bits(bits, self.env.machine()?).ok()?,
            None => compat::machine_from_name(arch).or_else(|| {
                let (v, overflow) = strtoul(arch, 16);
                if overflow {
                    None
                } else {
                    compat::machine_from_audit_arch(u32::try_from(v).ok()?)
                }
            })?,
        };
        Some(machine.audit_arch())
    }

    fn push_field(&mut self, f: RuleField) {
        self.rule.fields.push(f);
    }

    /// `audit_rule_fieldpair_data`.
    fn field_pair(&mut self, pair: &str, list: Option<FilterList>) -> Step {
        if self.rule.fields.len() >= AUDIT_MAX_FIELDS - 1 {
            return Err(field_err(FieldError::FieldTooMany, pair));
        }
        let Some((f, op, v)) = split_op(pair, &Operator::PARSE_ORDER) else {
            return Err(field_err(FieldError::OpMissing, pair));
        };
        if f.is_empty() {
            return Err(field_err(FieldError::FieldName, ""));
        }
        if v.is_empty() {
            return Err(field_err(FieldError::FieldValMissing, f));
        }
        let Some(field) = Field::from_name(&f.to_ascii_lowercase()) else {
            return Err(field_err(FieldError::FieldUnknown, f));
        };
        let features = self.env.features();
        if list == Some(FilterList::Exclude) {
            if features & FEATURE_EXCLUDE_EXTEND == 0 {
                if field != Field::MSGTYPE {
                    return Err(field_err(FieldError::FieldNoSupport, f));
                }
            } else if !matches!(
                field,
                Field::PID
                    | Field::UID
                    | Field::GID
                    | Field::LOGINUID
                    | Field::MSGTYPE
                    | Field::SUBJ_USER
                    | Field::SUBJ_ROLE
                    | Field::SUBJ_TYPE
                    | Field::SUBJ_SEN
                    | Field::SUBJ_CLR
                    | Field::EXE
            ) {
                return Err(field_err(FieldError::MsgTypeCredExclude, f));
            }
        }
        if list == Some(FilterList::Filesystem) && features & FEATURE_FILTER_FS == 0 {
            return Err(field_err(FieldError::FilterNoSupport, f));
        }
        let exit = list == Some(FilterList::Exit);
        let eq_ne = matches!(op, Operator::Equal | Operator::NotEqual);
        let num = |value: u32| RuleField::num(field, op, value);
        match field {
            Field::UID
            | Field::EUID
            | Field::SUID
            | Field::FSUID
            | Field::LOGINUID
            | Field::OBJ_UID => {
                let value = if starts_digit(v) || starts_minus_digit(v) {
                    number32(v, f)?
                } else if v == "unset" {
                    u32::MAX
                } else {
                    self.env
                        .user_id(v)
                        .ok_or_else(|| msg(format!("Unknown user: {v}")))?
                };
                self.push_field(num(value));
            }
            Field::GID | Field::EGID | Field::SGID | Field::FSGID | Field::OBJ_GID => {
                let value = if starts_digit(v) {
                    number32(v, f)?
                } else {
                    self.env
                        .group_id(v)
                        .ok_or_else(|| msg(format!("Unknown group: {v}")))?
                };
                self.push_field(num(value));
            }
            Field::EXIT => {
                if !exit {
                    return Err(field_err(FieldError::ExitOnly, f));
                }
                let value = if starts_digit(v) || starts_minus_digit(v) {
                    number32(v, f)?
                } else {
                    let (neg, name) = match v.strip_prefix('-') {
                        Some(rest) => (true, rest),
                        None => (false, v),
                    };
                    let n = tables::errno_from_name(name)
                        .ok_or_else(|| field_err(FieldError::ErrUnknown, f))?;
                    if neg {
                        n.wrapping_neg()
                    } else {
                        n
                    }
                };
                self.push_field(num(value));
            }
            Field::MSGTYPE => {
                if !matches!(list, Some(FilterList::Exclude | FilterList::User)) {
                    return Err(field_err(FieldError::MsgTypeExcludeUser, f));
                }
                let value = if starts_digit(v) {
                    number32(v, f)?
                } else {
                    match tables::msg_type_from_name(v) {
                        Some(t) if t.0 as i32 > 0 => t.0,
                        _ => return Err(field_err(FieldError::MsgTypeUnknown, f)),
                    }
                };
                self.push_field(num(value));
            }
            Field::OBJ_USER
            | Field::OBJ_ROLE
            | Field::OBJ_TYPE
            | Field::OBJ_LEV_LOW
            | Field::OBJ_LEV_HIGH
            | Field::WATCH
            | Field::DIR
            | Field::SUBJ_USER
            | Field::SUBJ_ROLE
            | Field::SUBJ_TYPE
            | Field::SUBJ_SEN
            | Field::SUBJ_CLR
            | Field::FILTERKEY
            | Field::EXE => {
                if matches!(
                    field,
                    Field::OBJ_USER
                        | Field::OBJ_ROLE
                        | Field::OBJ_TYPE
                        | Field::OBJ_LEV_LOW
                        | Field::OBJ_LEV_HIGH
                        | Field::WATCH
                        | Field::DIR
                ) {
                    if !exit {
                        return Err(field_err(FieldError::ExitOnly, f));
                    }
                    if matches!(field, Field::WATCH | Field::DIR) {
                        self.perm_added = true;
                    }
                }
                if field == Field::EXE {
                    if features & FEATURE_EXECUTABLE_PATH == 0 {
                        return Err(field_err(FieldError::FieldNoSupport, f));
                    }
                    if !eq_ne {
                        return Err(field_err(FieldError::OpEqNotEq, f));
                    }
                    self.exe_added = true;
                }
                if field == Field::FILTERKEY
                    && !(self.syscall_added || self.perm_added || self.exe_added || self.fs_added)
                {
                    return Err(field_err(FieldError::KeyDep, f));
                }
                if (field == Field::FILTERKEY && v.len() > AUDIT_MAX_KEY_LEN) || v.len() > PATH_MAX
                {
                    return Err(field_err(FieldError::StrTooLong, f));
                }
                self.push_field(RuleField::string(field, op, v.as_bytes()));
            }
            Field::ARCH => {
                if self.syscall_added {
                    return Err(field_err(FieldError::ArchMisplaced, f));
                }
                if !eq_ne {
                    return Err(field_err(FieldError::OpEqNotEq, f));
                }
                let elf = if starts_digit(v) {
                    // A value past 32 bits is unknown, not its low bits.
                    let (n, overflow) = strtoul(v, 0);
                    match u32::try_from(n)
                        .ok()
                        .and_then(compat::machine_from_audit_arch)
                    {
                        Some(_) if !overflow => n as u32,
                        _ => return Err(field_err(FieldError::ElfUnknown, f)),
                    }
                } else {
                    self.determine_elf(v)
                        .ok_or_else(|| field_err(FieldError::ElfUnknown, f))?
                };
                self.elf = elf;
                self.push_field(num(elf));
            }
            Field::PERM => {
                if !exit {
                    return Err(field_err(FieldError::ExitOnly, f));
                }
                if op != Operator::Equal {
                    return Err(field_err(FieldError::OpEq, f));
                }
                if v.len() > 4 {
                    return Err(field_err(FieldError::StrTooLong, f));
                }
                let bits = perm_bits(v).ok_or_else(|| field_err(FieldError::PermRwxa, f))?;
                self.push_field(num(bits));
            }
            Field::FILETYPE => {
                if !exit {
                    return Err(field_err(FieldError::ExitOnly, f));
                }
                let t = file_type_from_name(&v.to_ascii_lowercase())
                    .ok_or_else(|| field_err(FieldError::FileTypeUnknown, f))?;
                self.push_field(num(t));
            }
            Field::FSTYPE => {
                if list != Some(FilterList::Filesystem) {
                    return Err(field_err(FieldError::FieldUnavail, f));
                }
                if !eq_ne {
                    return Err(field_err(FieldError::OpEqNotEq, f));
                }
                let value = if starts_digit(v) {
                    number32(v, f)?
                } else {
                    tables::fstype_from_name(v).unwrap_or(u32::MAX)
                };
                if value == u32::MAX {
                    return Err(field_err(FieldError::FsTypeUnknown, f));
                }
                self.fs_added = true;
                self.push_field(num(value));
            }
            Field::SADDR_FAM => {
                // strtoul without a digit check, as libaudit: `abc` is 0.
                let (value, overflow) = strtoul(v, 0);
                if overflow || value >= AF_MAX {
                    return Err(field_err(FieldError::FieldValTooBig, f));
                }
                self.push_field(num(value as u32));
            }
            Field::ARG0 | Field::ARG1 | Field::ARG2 | Field::ARG3 => {
                let value = if starts_digit(v) || starts_minus_digit(v) {
                    number32(v, f)?
                } else {
                    return Err(field_err(FieldError::FieldValNum, f));
                };
                self.push_field(num(value));
            }
            Field::SESSIONID => {
                if features & FEATURE_SESSIONID_FILTER == 0 {
                    return Err(field_err(FieldError::FieldNoSupport, f));
                }
                if !matches!(
                    list,
                    Some(FilterList::Exclude | FilterList::User | FilterList::Exit)
                ) {
                    return Err(field_err(FieldError::FieldNoFilter, f));
                }
                // auditctl leaves the value 0 when it is neither a number nor `unset`.
                let value = if starts_digit(v) || starts_minus_digit(v) {
                    number32(v, f)?
                } else if v == "unset" {
                    u32::MAX
                } else {
                    0
                };
                self.push_field(num(value));
            }
            _ => {
                if matches!(
                    field,
                    Field::DEVMAJOR | Field::DEVMINOR | Field::INODE | Field::SUCCESS
                ) && !exit
                {
                    return Err(field_err(FieldError::ExitOnly, f));
                }
                if field == Field::INODE && !eq_ne {
                    return Err(field_err(FieldError::OpEqNotEq, f));
                }
                if field == Field::PPID && !exit {
                    return Err(field_err(FieldError::ExitOnly, f));
                }
                if !starts_digit(v) {
                    return Err(field_err(FieldError::FieldValNum, f));
                }
                let value = number32(v, f)?;
                self.push_field(num(value));
            }
        }
        Ok(())
    }

    /// `audit_rule_interfield_comp_data` (`-C`).
    fn field_compare(&mut self, pair: &str, list: Option<FilterList>) -> Step {
        if self.rule.fields.len() >= AUDIT_MAX_FIELDS - 1 {
            return Err(field_err(FieldError::FieldTooMany, pair));
        }
        let Some((f, op, v)) = split_op(pair, &[Operator::NotEqual, Operator::Equal]) else {
            return Err(field_err(FieldError::OpEqNotEq, pair));
        };
        if f.is_empty() {
            return Err(field_err(FieldError::CompFieldName, ""));
        }
        if v.is_empty() {
            return Err(field_err(FieldError::CompVal, f));
        }
        let left = Field::from_name(&f.to_ascii_lowercase())
            .ok_or_else(|| field_err(FieldError::CompFieldUnknown, f))?;
        let right = Field::from_name(&v.to_ascii_lowercase())
            .ok_or_else(|| field_err(FieldError::CompValUnknown, f))?;
        if list != Some(FilterList::Exit) {
            return Err(field_err(FieldError::ExitOnly, f));
        }
        let cmp = Comparison::from_fields(left, right)
            .ok_or_else(|| field_err(FieldError::CompIncompat, f))?;
        self.push_field(RuleField::num(Field::FIELD_COMPARE, op, cmp.0));
        Ok(())
    }

    fn opt_field(&mut self, arg: &str, rest: &[String]) -> Step {
        let list = self.field_list();
        if list.is_none() && !(arg.contains("arch=") && rest.first().is_some_and(|a| a == "-t")) {
            return Err(msg("List must be given before field"));
        }
        if let Some(k) = arg.strip_prefix("key=") {
            return self.add_key(k);
        }
        self.field_pair(arg, list)?;
        match self.rule.fields.last().map(|f| f.field) {
            Some(Field::PERM) => self.perm_added = true,
            Some(Field::EXE) => self.exe_added = true,
            _ => {}
        }
        Ok(())
    }

    /// `process_keys`: append a key to the rule's key(s).
    fn add_key(&mut self, k: &str) -> Step {
        let extra = usize::from(!self.key.is_empty());
        if k.len() + self.key.len() + extra > AUDIT_MAX_KEY_LEN {
            return Err(msg("key option exceeds size limit"));
        }
        if k.as_bytes().contains(&AUDIT_KEY_SEPARATOR) {
            self.out
                .warnings
                .push(format!("key {k} has illegal character"));
        }
        if !self.key.is_empty() {
            self.key.push(AUDIT_KEY_SEPARATOR);
        }
        self.key.extend_from_slice(k.as_bytes());
        Ok(())
    }

    /// `-w`/`-W`: the watch rule for `path`.
    fn setup_watch(&mut self, path: &str) -> Step {
        if path.len() >= PATH_MAX {
            return Err(msg("The path passed for the watch is too big"));
        }
        if !path.starts_with('/') {
            return Err(msg("The path must start with '/'"));
        }
        let trimmed_base = path.trim_end_matches('/');
        let base = trimmed_base.rsplit('/').next().unwrap_or("");
        if base.len() > NAME_MAX {
            return Err(msg("The base name of the path is too big"));
        }
        if path.contains("..") {
            self.out
                .warnings
                .push("Warning - relative path notation is not supported".into());
        }
        if path.contains('*') || path.contains('?') {
            self.out
                .warnings
                .push("Warning - wildcard notation is not supported".into());
        }
        let mut p = path;
        if p.len() > 2 && p.ends_with('/') {
            while p.len() > 1 && p.ends_with('/') {
                p = &p[..p.len() - 1];
            }
        }
        let kind = if self.env.is_dir(p) {
            Field::DIR
        } else {
            Field::WATCH
        };
        if !self.rule.fields.is_empty() {
            return Err(msg("Rule is not empty\n"));
        }
        let mut rule = Rule::new(FilterList::Exit, Action::Always);
        rule.add_all_syscalls();
        rule.fields
            .push(RuleField::string(kind, Operator::Equal, p.as_bytes()));
        rule.fields.push(RuleField::num(
            Field::PERM,
            Operator::Equal,
            AUDIT_PERM_READ | AUDIT_PERM_WRITE | AUDIT_PERM_EXEC | AUDIT_PERM_ATTR,
        ));
        self.rule = rule;
        self.perm_added = true;
        Ok(())
    }

    fn opt_perm(&mut self, arg: &str) -> Step {
        if self.add.is_none() && self.del.is_none() {
            return Err(msg("permission option needs a watch given prior to it"));
        }
        if arg.len() > 4 {
            return Err(msg(format!("permission {arg} is too long")));
        }
        let mut bits = 0;
        for c in arg.chars() {
            bits |= perm_bits(&c.to_string())
                .ok_or_else(|| msg(format!("Permission {c} isn't supported")))?;
        }
        if self.rule.fields.is_empty() {
            return Err(msg("Permissions should be preceeded by other fields"));
        }
        let mut done = false;
        for f in self.rule.fields.iter_mut() {
            if f.field == Field::PERM {
                f.value = FieldValue::Num(bits);
                done = true;
            }
        }
        if !done {
            if self.rule.fields.len() >= AUDIT_MAX_FIELDS - 1 {
                return Err(msg("Too many fields when adding permissions"));
            }
            self.push_field(RuleField::num(Field::PERM, Operator::Equal, bits));
        }
        self.perm_added = true;
        Ok(())
    }

    fn set_value(arg: &str, what: &str, cmd: fn(u32) -> Command) -> Result<Command, RuleErrorKind> {
        if !starts_digit(arg) {
            return Err(msg(format!("{what} must be a numeric value was {arg}")));
        }
        let (v, overflow) = strtoul(arg, 0);
        if overflow {
            return Err(msg(format!(
                "Error converting {}",
                what.to_ascii_lowercase()
            )));
        }
        // auditctl would set the low 32 bits (`-b 4294967296` sets 0).
        let v = u32::try_from(v).map_err(|_| {
            msg(format!(
                "Error converting {}: {arg} does not fit in 32 bits",
                what.to_ascii_lowercase()
            ))
        })?;
        Ok(cmd(v))
    }

    fn set_flag(arg: &str, what: &str, cmd: fn(u32) -> Command) -> Result<Command, RuleErrorKind> {
        match arg {
            "0" | "1" | "2" => Ok(cmd(strtoul(arg, 0).0 as u32)),
            _ => Err(msg(format!("{what} must be 0, 1, or 2 was {arg}"))),
        }
    }
}

fn perm_bits(s: &str) -> Option<u32> {
    audit_wire::field::perm_from_str(s)
}

/// Parse one auditctl argument vector (`args` without the program name), as
/// auditctl's `setopt` does for a command line (`line` = `None`) or a rule-file
/// line (`line` = its number).
///
/// ```
/// use audit_rules::{parse_args, Command, SystemEnv};
/// let args: Vec<String> = ["-w", "/etc/shadow", "-p", "wa", "-k", "identity"]
///     .iter().map(|s| s.to_string()).collect();
/// let parsed = parse_args(&args, None, &SystemEnv::new()).unwrap();
/// assert!(matches!(parsed.commands[0], Command::AddRule(_)));
/// ```
pub fn parse_args(
    args: &[String],
    line: Option<usize>,
    env: &dyn Environment,
) -> Result<Parsed, RuleError> {
    let mut st = State::new(env, line);
    let count = args.len() + 1;
    let mut opts = GetOpt::new(args);
    let mut rule_pending = false;
    let mut status_reply = false;
    let mut stop = false;
    let mut deprecated = false;
    let mut early_return = false;
    while !stop {
        let Some(opt) = opts.next_opt() else { break };
        let result: Step = (|| {
            match opt {
                Opt::Invalid(bad) => {
                    st.token = bad.clone();
                    return Err(msg(match line {
                        Some(l) => format!("Option {bad} on line {l} is invalid"),
                        None => format!("Option {bad} is invalid"),
                    }));
                }
                Opt::Long(which, value) => {
                    let value = value.unwrap_or_default();
                    st.token = value.clone();
                    match which {
                        LongOpt::LoginuidImmutable => {
                            st.out.commands.push(Command::LoginuidImmutable);
                            early_return = true;
                            stop = true;
                        }
                        LongOpt::BacklogWaitTime => {
                            let c = State::set_value(
                                &value,
                                "Backlog_wait_time",
                                Command::SetBacklogWaitTime,
                            )?;
                            st.out.commands.push(c);
                            status_reply = true;
                        }
                        LongOpt::ResetLost => {
                            st.out.commands.push(Command::ResetLost);
                            early_return = true;
                            stop = true;
                        }
                        LongOpt::ResetBacklogWaitTimeActual => {
                            st.out.commands.push(Command::ResetBacklogWaitTimeActual);
                            early_return = true;
                            stop = true;
                        }
                        LongOpt::Signal => {
                            st.out.commands.push(Command::Signal(value));
                            stop = true;
                        }
                    }
                }
                Opt::Short(c, value) => {
                    let value = value.unwrap_or_default();
                    st.token = if value.is_empty() {
                        format!("-{c}")
                    } else {
                        format!("-{c} {value}")
                    };
                    match c {
                        'h' => {
                            st.out.commands.push(Command::Help);
                            return Err(RuleErrorKind::Help);
                        }
                        'i' => {
                            st.out.commands.push(Command::IgnoreErrors);
                            stop = true;
                        }
                        'c' => {
                            st.out.commands.push(Command::ContinueOnErrors);
                            stop = true;
                        }
                        's' => {
                            if count > 3 {
                                return Err(msg("Too many options for status command"));
                            }
                            let mut interpret = false;
                            if count == 3 {
                                if opts.remaining().first().is_some_and(|a| a == "-i") {
                                    interpret = true;
                                    opts.consume(1);
                                } else {
                                    return Err(msg("Only -i option is allowed"));
                                }
                            }
                            st.out.commands.push(Command::Status { interpret });
                            stop = true;
                        }
                        'e' => {
                            let c = State::set_flag(&value, "Enable", Command::SetEnabled)?;
                            st.out.commands.push(c);
                            status_reply = true;
                        }
                        'f' => {
                            let c = State::set_flag(&value, "Failure", Command::SetFailure)?;
                            st.out.commands.push(c);
                            status_reply = true;
                        }
                        'r' => {
                            let c = State::set_value(&value, "Rate", Command::SetRateLimit)?;
                            st.out.commands.push(c);
                            status_reply = true;
                        }
                        'b' => {
                            let c = State::set_value(&value, "Backlog", Command::SetBacklogLimit)?;
                            st.out.commands.push(c);
                            status_reply = true;
                        }
                        'l' => {
                            if count > 4 {
                                return Err(msg("Wrong number of options for list request"));
                            }
                            let mut key = None;
                            let mut interpret = false;
                            let rest = opts.remaining();
                            if count == 3 {
                                if rest.first().is_some_and(|a| a == "-i") {
                                    interpret = true;
                                    opts.consume(1);
                                } else {
                                    return Err(msg("Only -k or -i options are allowed"));
                                }
                            } else if count == 4 {
                                if rest.first().is_some_and(|a| a == "-k") {
                                    key = args.get(2).cloned();
                                    opts.consume(2);
                                } else {
                                    return Err(msg("Only -k or -i options are allowed"));
                                }
                            }
                            st.list_requested = true;
                            st.out.commands.push(Command::List { key, interpret });
                            stop = true;
                        }
                        'a' | 'A' => {
                            if st.opt_add(&value, c == 'A')? {
                                rule_pending = true;
                            } else {
                                deprecated = true;
                                stop = true;
                                return Ok(());
                            }
                        }
                        'd' => {
                            if st.opt_delete(&value)? {
                                rule_pending = true;
                            } else {
                                deprecated = true;
                                stop = true;
                                return Ok(());
                            }
                        }
                        'S' => st.opt_syscall(&value)?,
                        'F' => st.opt_field(&value, opts.remaining())?,
                        'C' => {
                            let list = st.field_list();
                            st.field_compare(&value, list)?;
                        }
                        'm' => {
                            if count > 3 {
                                return Err(msg("The -m option must be only the only option and takes 1 parameter"));
                            }
                            if value.bytes().any(|b| b < 32) {
                                return Err(msg("Illegal character in audit event"));
                            }
                            st.out.commands.push(Command::UserMessage(value));
                            early_return = true;
                            stop = true;
                        }
                        'R' => return Err(msg("Error - nested rule files not supported")),
                        'D' => {
                            if count > 4 || count == 3 {
                                return Err(msg("Wrong number of options for Delete all request"));
                            }
                            let mut key = None;
                            if count == 4 {
                                if opts.remaining().first().is_some_and(|a| a == "-k") {
                                    key = args.get(2).cloned();
                                    opts.consume(2);
                                } else {
                                    return Err(msg("Only the -k option is allowed"));
                                }
                            }
                            st.list_requested = true;
                            st.out.commands.push(Command::DeleteAll { key });
                            stop = true;
                        }
                        'w' => {
                            if st.add.is_some() || st.del.is_some() {
                                return Err(msg("watch option can't be given with a syscall"));
                            }
                            st.add = Some(FilterList::Exit.number());
                            st.action = Some(Action::Always);
                            st.syscall_added = true;
                            st.setup_watch(&value)?;
                            rule_pending = true;
                        }
                        'W' => {
                            st.del = Some(FilterList::Exit.number());
                            st.action = Some(Action::Always);
                            st.syscall_added = true;
                            st.setup_watch(&value)?;
                            rule_pending = true;
                        }
                        'k' => {
                            if !(st.syscall_added || st.perm_added || st.exe_added || st.fs_added)
                                || (st.add.is_none() && st.del.is_none())
                            {
                                return Err(msg(
                                    "key option needs a watch or syscall given prior to it",
                                ));
                            }
                            st.add_key(&value)?;
                        }
                        'p' => {
                            st.opt_perm(&value)?;
                            rule_pending = true;
                        }
                        'q' => {
                            if st.syscall_added {
                                return Err(msg("Syscall auditing requested for make equivalent"));
                            }
                            let parts: Vec<&str> = value.splitn(2, ',').collect();
                            match parts.as_slice() {
                                [m, s] if !s.is_empty() && !s.contains(',') => {
                                    st.out.commands.push(Command::MakeEquivalent {
                                        mount: (*m).to_string(),
                                        subtree: (*s).to_string(),
                                    });
                                    early_return = true;
                                    stop = true;
                                }
                                _ => return Err(msg("Error parsing equivalent parts")),
                            }
                        }
                        't' => {
                            st.out.commands.push(Command::TrimSubtrees);
                            early_return = true;
                            stop = true;
                        }
                        'v' => {
                            st.out.commands.push(Command::Version);
                            stop = true;
                        }
                        _ => {}
                    }
                }
            }
            Ok(())
        })();
        if let Err(kind) = result {
            return Err(RuleError {
                line,
                token: st.token.clone(),
                kind,
                warnings: std::mem::take(&mut st.out.warnings),
                names_rule_list: st.names_rule_list(),
            });
        }
    }
    if deprecated {
        return Ok(Parsed {
            commands: Vec::new(),
            warnings: st.out.warnings,
        });
    }
    if early_return {
        return Ok(st.out);
    }
    if opts.next == opts.leftovers {
        return Err(RuleError {
            line,
            token: args.first().cloned().unwrap_or_default(),
            kind: RuleErrorKind::Silent,
            warnings: std::mem::take(&mut st.out.warnings),
            names_rule_list: st.names_rule_list(),
        });
    }
    if opts.leftovers > 0 || !opts.remaining().is_empty() {
        return Err(RuleError {
            line,
            token: opts
                .first_leftover
                .or_else(|| opts.remaining().first().map(String::as_str))
                .unwrap_or_default()
                .to_string(),
            kind: msg("parameter passed without an option given"),
            warnings: std::mem::take(&mut st.out.warnings),
            names_rule_list: st.names_rule_list(),
        });
    }
    if !st.key.is_empty() && !st.list_requested {
        let list = st.field_list();
        let mut pair = b"key=".to_vec();
        pair.extend_from_slice(&st.key);
        let pair = String::from_utf8_lossy(&pair).into_owned();
        st.token = pair.clone();
        if let Err(kind) = st.field_pair(&pair, list) {
            return Err(RuleError {
                line,
                token: pair,
                kind,
                warnings: std::mem::take(&mut st.out.warnings),
                names_rule_list: st.names_rule_list(),
            });
        }
    }
    if rule_pending {
        let flags = match (st.add, st.del) {
            (Some(f), _) | (None, Some(f)) => f,
            (None, None) => {
                return Err(RuleError {
                    line,
                    token: String::new(),
                    kind: msg("Error - no list specified"),
                    warnings: std::mem::take(&mut st.out.warnings),
                    names_rule_list: st.names_rule_list(),
                })
            }
        };
        let mut rule = st.rule;
        rule.flags = flags;
        rule.action = st.action.map_or(0, Action::number);
        if list_of(flags) != FilterList::Task && !st.syscall_added {
            rule.add_all_syscalls();
        }
        st.out.commands.push(if st.add.is_some() {
            Command::AddRule(rule)
        } else {
            Command::DeleteRule(rule)
        });
    } else if st.syscall_added {
        return Err(RuleError {
            line,
            token: String::new(),
            kind: msg("Error - no list specified"),
            warnings: std::mem::take(&mut st.out.warnings),
            names_rule_list: st.names_rule_list(),
        });
    } else if status_reply {
        st.out.commands.push(Command::ShowStatusReply);
    }
    Ok(st.out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::SystemEnv;

    fn env() -> SystemEnv {
        SystemEnv::new().with_machine(Machine::X86_64)
    }

    fn parse(line: &str) -> Result<Parsed, RuleError> {
        crate::parse_line(line, &env())
    }

    fn error(line: &str) -> RuleError {
        parse(line).expect_err(line)
    }

    /// auditctl 3.0.9 sends `-a never,exclude -F exe=/usr/bin/ls` as this
    /// `struct audit_rule_data`: exclude list (5), never (0), every syscall, one
    /// `exe` field (112) with `=` and the path in `buf`.
    #[test]
    fn exe_on_the_exclude_list_is_sent_as_auditctl_sends_it() {
        let parsed = parse("-a never,exclude -F exe=/usr/bin/ls").unwrap();
        let rule = parsed.rule().unwrap();
        let path = b"/usr/bin/ls";
        let mut want = Vec::new();
        let le = |v: u32, w: &mut Vec<u8>| w.extend_from_slice(&v.to_le_bytes());
        le(5, &mut want);
        le(0, &mut want);
        le(1, &mut want);
        (0..64).for_each(|_| le(u32::MAX, &mut want));
        (0..64).for_each(|i| le(if i == 0 { 112 } else { 0 }, &mut want));
        (0..64).for_each(|i| le(if i == 0 { path.len() as u32 } else { 0 }, &mut want));
        (0..64).for_each(|i| le(if i == 0 { 0x4000_0000 } else { 0 }, &mut want));
        le(path.len() as u32, &mut want);
        want.extend_from_slice(path);
        assert_eq!(rule.to_bytes(), want);
        // Other fields are still refused there.
        assert_eq!(
            error("-a never,exclude -F ppid=1").kind,
            field_err(FieldError::MsgTypeCredExclude, "ppid")
        );
    }

    /// `saddr_fam` is read with strtoul and no digit check; values from AF_MAX
    /// up are too large.
    #[test]
    fn saddr_fam_follows_libaudit() {
        let value = |line: &str| parse(line).unwrap().rule().unwrap().fields[0].raw_value();
        assert_eq!(value("-a always,exit -S connect -F saddr_fam=10"), 10);
        assert_eq!(value("-a always,exit -S connect -F saddr_fam=0x2"), 2);
        assert_eq!(value("-a always,exit -S connect -F saddr_fam=abc"), 0);
        assert_eq!(value("-a always,exit -S connect -F saddr_fam=45"), 45);
        let e = error("-a always,exit -S connect -F saddr_fam=46");
        assert_eq!(e.kind, field_err(FieldError::FieldValTooBig, "saddr_fam"));
        assert_eq!(e.message(), "value is too large for field: saddr_fam");
        assert_eq!(FieldError::FieldValTooBig.code(), 37);
        assert!(parse("-a always,exit -S connect -F saddr_fam=-1").is_err());
    }

    /// auditctl compares list and action names exactly.
    #[test]
    fn list_names_are_case_sensitive() {
        assert_eq!(
            error("-a always,EXIT").message(),
            "Append rule - bad keyword always,EXIT"
        );
        assert_eq!(
            error("-A Exit,always").message(),
            "Add rule - bad keyword Exit,always"
        );
        assert!(parse("-a exit,always").is_ok());
    }

    /// `-p` on a rule without fields, or one already full, has libaudit's messages.
    #[test]
    fn permissions_without_room_or_fields_say_why() {
        let e = error("-a always,exit -p wa");
        assert_eq!(
            e.message(),
            "Permissions should be preceeded by other fields"
        );
        let many = (0..63)
            .map(|i| format!("-F a0!={i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let e = error(&format!("-a always,exit -S open {many} -p wa"));
        assert_eq!(e.message(), "Too many fields when adding permissions");
        assert!(!e.to_string().contains("is not an auditctl option"));
    }

    /// A warning found before the line fails is kept with the error.
    #[test]
    fn warnings_before_an_error_are_kept() {
        let e = error("-a always,exit -S open -F arch=b64");
        assert_eq!(e.message(), "arch must be before -S");
        assert_eq!(
            e.warnings,
            ["WARNING - 32/64 bit syscall mismatch, you should specify an arch"]
        );
    }

    /// The stray word is the error's token (the message stays auditctl's).
    #[test]
    fn a_stray_parameter_is_named() {
        let e = error("-a always,exit -S open foo bar");
        assert_eq!(e.message(), "parameter passed without an option given");
        assert_eq!(e.token, "foo");
        assert!(e.to_string().contains("`foo`"), "{e}");
        assert_eq!(error("-a always,exit foo -S open").token, "foo");
    }

    /// `-h` is its own error: auditctl prints the usage.
    #[test]
    fn help_is_not_silent() {
        let e = error("-h");
        assert_eq!(e.kind, RuleErrorKind::Help);
        assert!(!e.to_string().contains("not an auditctl option"), "{e}");
    }

    /// Whether a failed line had named a rule list (auditctl then still asks
    /// whether audit takes rule changes).
    #[test]
    fn errors_say_whether_a_rule_list_was_named() {
        assert!(error("-a always,exit -F bogus=1").names_rule_list);
        assert!(error("-a exit,bogus").names_rule_list);
        assert!(error("-w relative").names_rule_list);
        assert!(error("-W relative").names_rule_list);
        assert!(!error("-a always,bogus").names_rule_list);
        assert!(!error("-a bogus,never").names_rule_list);
        assert!(!error("-e 5").names_rule_list);
        assert!(!error("-S open").names_rule_list);
    }
}
