//! The decoders of syscall arguments `a0`..`a3`, chosen by the record's
//! syscall (libauparse's `print_a0`..`print_a3` and the helpers only they use).

use super::{
    capability, conversion_error, flag_list, hex_table, ioctl, join_flags, lookup, mmap, mode,
    mode_short, mode_short_int, open_flags, personality, push_0x, signal, table_or, unknown,
    Decoders, SyscallContext,
};
use crate::cnum::{push_dec, push_hex, strtol, strtoul};
use crate::ids::IdKind;
use crate::machine::Machine;
use crate::tables as t;

impl Decoders {
    pub(super) fn a0(&mut self, ctx: &SyscallContext, val: &[u8], out: &mut Vec<u8>) {
        if let Some(sys) = ctx.syscall_name() {
            let b = sys.as_bytes();
            let f = b[0];
            let rest = &sys[1..];
            let mut handled = true;
            match f {
                b'r' => match sys {
                    "rt_sigaction" => signal(val, 16, out),
                    "readlinkat" => dirfd(val, out),
                    _ if sys.starts_with("renameat") => dirfd(val, out),
                    _ => handled = false,
                },
                b'c' => match sys {
                    "clock_settime" => clock_id(val, out),
                    _ => handled = false,
                },
                b'p' => match sys {
                    "personality" => personality(val, out),
                    "ptrace" => hex_table(val, t::PTRACE, b"unknown-ptrace(0x", b"", out),
                    "prctl" => hex_table(val, t::PRCTL_OPT, b"unknown-prctl-option(0x", b"", out),
                    _ => handled = false,
                },
                b'm' => match sys {
                    "mkdirat" | "mknodat" => dirfd(val, out),
                    _ => handled = false,
                },
                b'f' => match sys {
                    "fchownat" | "futimesat" | "fchmodat" | "futimensat" => dirfd(val, out),
                    _ if sys.starts_with("faccessat") => dirfd(val, out),
                    _ => handled = false,
                },
                b'u' => match sys {
                    "unshare" => clone_flags(val, out),
                    "unlinkat" | "utimensat" => dirfd(val, out),
                    _ => handled = false,
                },
                _ if rest == "etrlimit" => rlimit(val, out),
                b's' => match sys {
                    "setuid" | "setreuid" | "setresuid" | "setfsuid" => {
                        self.id(IdKind::User, val, 16, out)
                    }
                    "setgid" | "setregid" | "setresgid" | "setfsgid" => {
                        self.id(IdKind::Group, val, 16, out)
                    }
                    "socket" => match strtoul(val, 16) {
                        None => conversion_error(out, val),
                        Some(v) => table_or(out, t::FAM, v as i32, b"unknown-family(0x", val),
                    },
                    "socketcall" => ipc_or_socketcall(val, t::SOCK, b"unknown-socketcall(", out),
                    _ => handled = false,
                },
                _ => match sys {
                    "linkat" | "newfstatat" | "name_to_handle_at" => dirfd(val, out),
                    _ if sys.starts_with("openat") => dirfd(val, out),
                    "ipccall" => ipc_or_socketcall(val, t::IPC, b"unknown-ipccall(", out),
                    _ if sys.starts_with("exit") => out.extend_from_slice(match val {
                        b"0" => b"EXIT_SUCCESS",
                        b"1" => b"EXIT_FAILURE",
                        _ => b"UNKNOWN",
                    }),
                    "bpf" => match strtoul(val, 16) {
                        None => conversion_error(out, val),
                        Some(v) => table_or(out, t::BPF, v as i32, b"unknown-bpf-cmd(", val),
                    },
                    _ => handled = false,
                },
            }
            if handled {
                return;
            }
        }
        push_0x(out, val);
    }

    pub(super) fn a1(&mut self, ctx: &SyscallContext, val: &[u8], out: &mut Vec<u8>) {
        if let Some(sys) = ctx.syscall_name() {
            let f = sys.as_bytes()[0];
            let mut handled = true;
            match f {
                b'f' if sys == "fchmod" => mode_short(val, 16, out),
                b'f' if sys.starts_with("fcntl") => match strtoul(val, 16) {
                    None => conversion_error(out, val),
                    Some(v) => match lookup(t::FCNTL, v as i32) {
                        Some(s) => out.extend_from_slice(s),
                        None => {
                            out.extend_from_slice(b"unknown-fcntl-command(");
                            push_dec(out, i64::from(v as i32));
                            out.push(b')');
                        }
                    },
                },
                b'c' if sys == "chmod" || sys == "creat" => mode_short(val, 16, out),
                b'c' if sys.contains("chown") => self.id(IdKind::User, val, 16, out),
                _ => handled = false,
            }
            if handled {
                return;
            }
            handled = true;
            if &sys[1..] == "etsockopt" {
                self.sock_opt_level(val, out);
            } else if f == b's' {
                match sys {
                    "setreuid" | "setresuid" => self.id(IdKind::User, val, 16, out),
                    "setregid" | "setresgid" => self.id(IdKind::Group, val, 16, out),
                    "socket" => match strtoul(val, 16) {
                        None => conversion_error(out, val),
                        Some(v) => {
                            table_or(out, t::SOCK_TYPE, (v & 0xff) as i32, b"unknown-type(", val)
                        }
                    },
                    "setns" => clone_flags(val, out),
                    "sched_setscheduler" => sched(val, out),
                    _ => handled = false,
                }
            } else if f == b'm' {
                match sys {
                    "mkdir" => mode_short(val, 16, out),
                    "mknod" => mode(val, 16, out),
                    "mq_open" => open_flags(val, out),
                    _ => handled = false,
                }
            } else {
                match sys {
                    "open" => open_flags(val, out),
                    "access" => access(val, out),
                    "epoll_ctl" => match strtoul(val, 16) {
                        None => conversion_error(out, val),
                        Some(v) => match lookup(t::EPOLL_CTL, v as i32) {
                            Some(s) => out.extend_from_slice(s),
                            None => {
                                out.extend_from_slice(b"unknown-epoll_ctl-operation(");
                                push_dec(out, i64::from(v as i32));
                                out.push(b')');
                            }
                        },
                    },
                    "kill" | "tkill" => signal(val, 16, out),
                    "prctl" => {
                        if ctx.a0 == 23 || ctx.a0 == 24 {
                            capability(val, 16, out);
                        } else if ctx.a0 == 1 {
                            signal(val, 16, out);
                        } else {
                            handled = false;
                        }
                    }
                    "umount2" => flag_list(val, t::UMOUNT, out),
                    "ioctl" => ioctl(val, out),
                    _ => handled = false,
                }
            }
            if handled {
                return;
            }
        }
        push_0x(out, val);
    }

    pub(super) fn a2(&mut self, ctx: &SyscallContext, val: &[u8], out: &mut Vec<u8>) {
        if let Some(sys) = ctx.syscall_name() {
            let f = sys.as_bytes()[0];
            let mut handled = true;
            if sys.starts_with("fcntl") {
                let Some(v) = strtoul(val, 16) else {
                    conversion_error(out, val);
                    return;
                };
                match ctx.a1 {
                    8 => self.id(IdKind::User, val, 16, out),
                    2 if v as i32 == 1 => out.extend_from_slice(b"FD_CLOEXEC"),
                    _ => handled = false,
                }
            } else if &sys[1..] == "etsockopt" {
                match ctx.a1 {
                    0 => hex_table(val, t::IPOPTNAME, b"unknown-ipopt-name(0x", b"", out),
                    1 => sock_opt_name(val, ctx.machine, out),
                    6 => hex_table(val, t::TCPOPTNAME, b"unknown-tcpopt-name(0x", b"", out),
                    17 => match strtoul(val, 16) {
                        None => conversion_error(out, val),
                        Some(v) => match v as i32 {
                            1 => out.extend_from_slice(b"UDP_CORK"),
                            100 => out.extend_from_slice(b"UDP_ENCAP"),
                            _ => unknown(out, b"unknown-udpopt-name(0x", val, b")"),
                        },
                    },
                    41 => hex_table(val, t::IP6OPTNAME, b"unknown-ip6opt-name(0x", b"", out),
                    263 => hex_table(val, t::PKTOPTNAME, b"unknown-pktopt-name(0x", b"", out),
                    _ => handled = false,
                }
            } else {
                match f {
                    b'o' => match sys {
                        "openat" | "open_by_handle_at" => open_flags(val, out),
                        "open" if ctx.a1 & 0o100 != 0 => mode_short(val, 16, out),
                        _ => handled = false,
                    },
                    b'f' => match sys {
                        "fchmodat" => mode_short(val, 16, out),
                        _ if sys.starts_with("faccessat") => access(val, out),
                        _ => handled = false,
                    },
                    b's' => match sys {
                        "setresuid" => self.id(IdKind::User, val, 16, out),
                        "setresgid" => self.id(IdKind::Group, val, 16, out),
                        "socket" => match strtoul(val, 16) {
                            None => conversion_error(out, val),
                            Some(v) => match self.protocol(v as i32) {
                                Some(n) => out.extend_from_slice(n),
                                None => unknown(out, b"unknown-proto(", val, b")"),
                            },
                        },
                        "sendmsg" => flag_list(val, t::RECV, out),
                        "shmget" => shmflags(val, out),
                        _ => handled = false,
                    },
                    b'm' => match sys {
                        "mmap" => prot(val, true, out),
                        "mkdirat" | "mknodat" => mode_short(val, 16, out),
                        "mprotect" => prot(val, false, out),
                        "mq_open" if ctx.a1 & 0o100 != 0 => mode_short(val, 16, out),
                        _ => handled = false,
                    },
                    b'r' => match sys {
                        "recvmsg" => flag_list(val, t::RECV, out),
                        "readlinkat" => dirfd(val, out),
                        _ if sys.starts_with("renameat") => dirfd(val, out),
                        _ => handled = false,
                    },
                    b'l' => match sys {
                        "linkat" => dirfd(val, out),
                        "lseek" => match strtoul(val, 16) {
                            None => conversion_error(out, val),
                            Some(v) => {
                                table_or(out, t::SEEK, (v & 0xff) as i32, b"unknown-whence(", val)
                            }
                        },
                        _ => handled = false,
                    },
                    b'c' => match sys {
                        "clone" | "clone2" => clone_flags(val, out),
                        _ => handled = false,
                    },
                    _ if sys.contains("chown") => self.id(IdKind::Group, val, 16, out),
                    _ if sys == "tgkill" => signal(val, 16, out),
                    _ => handled = false,
                }
            }
            if handled {
                return;
            }
        }
        push_0x(out, val);
    }

    fn sock_opt_level(&mut self, val: &[u8], out: &mut Vec<u8>) {
        let Some(v) = strtoul(val, 16) else {
            conversion_error(out, val);
            return;
        };
        let lvl = v as i32;
        if lvl == 1 {
            out.extend_from_slice(b"SOL_SOCKET");
        } else if let Some(p) = self.protocol(lvl) {
            out.extend_from_slice(p);
        } else {
            table_or(out, t::SOCKLEVEL, lvl, b"unknown-sockopt-level(0x", val);
        }
    }
}

fn clone_flags(val: &[u8], out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, 16) else {
        conversion_error(out, val);
        return;
    };
    let flags = v as u32;
    let mut any = join_flags(out, t::CLONE_FLAG, u64::from(flags), b'|', false);
    let sig = flags & 0xff;
    if sig != 0 && sig < 32 {
        if let Some(s) = lookup(t::SIGNAL, sig as i32) {
            if any {
                out.push(b'|');
            }
            out.extend_from_slice(s);
            any = true;
        }
    }
    if !any {
        out.extend_from_slice(b"0x");
        push_hex(out, u64::from(flags));
    }
}

fn ipc_or_socketcall(val: &[u8], table: &[(i32, &'static [u8])], what: &[u8], out: &mut Vec<u8>) {
    match strtol(val, 16) {
        None => conversion_error(out, val),
        Some(v) => table_or(out, table, v as i32, what, val),
    }
}

fn clock_id(val: &[u8], out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, 16) else {
        conversion_error(out, val);
        return;
    };
    let i = v as i32;
    if i < 7 {
        if let Some(s) = lookup(t::CLOCK, i) {
            out.extend_from_slice(s);
            return;
        }
    }
    unknown(out, b"unknown-clk_id(0x", val, b")");
}

fn prot(val: &[u8], is_mmap: bool, out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, 16) else {
        conversion_error(out, val);
        return;
    };
    let p = v as u32;
    if p & 7 == 0 {
        out.extend_from_slice(b"PROT_NONE");
        return;
    }
    let limit = if is_mmap { 4 } else { 3 };
    if !join_flags(
        out,
        &t::PROT[..limit.min(t::PROT.len())],
        u64::from(p),
        b'|',
        false,
    ) {
        push_0x(out, val);
    }
}

fn rlimit(val: &[u8], out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, 16) else {
        conversion_error(out, val);
        return;
    };
    let i = v as i32;
    if i < 17 {
        if let Some(s) = lookup(t::RLIMIT, i) {
            out.extend_from_slice(s);
            return;
        }
    }
    unknown(out, b"unknown-rlimit(0x", val, b")");
}

fn access(val: &[u8], out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, 16) else {
        conversion_error(out, val);
        return;
    };
    if v & 0xf == 0 {
        out.extend_from_slice(b"F_OK");
        return;
    }
    if !join_flags(out, &t::ACCESS[..3.min(t::ACCESS.len())], v, b'|', false) {
        push_0x(out, val);
    }
}

fn dirfd(val: &[u8], out: &mut Vec<u8>) {
    match strtoul(val, 16) {
        None => conversion_error(out, val),
        Some(v) if v as u32 == 0xffff_ff9c => out.extend_from_slice(b"AT_FDCWD"),
        Some(_) => push_0x(out, val),
    }
}

fn sched(val: &[u8], out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, 16) else {
        conversion_error(out, val);
        return;
    };
    let pol = v as u32;
    match lookup(t::SCHED, (pol & 0x0f) as i32) {
        Some(s) => {
            out.extend_from_slice(s);
            if pol & 0x4000_0000 != 0 {
                out.extend_from_slice(b"|SCHED_RESET_ON_FORK");
            }
        }
        None => unknown(out, b"unknown-scheduler-policy(0x", val, b")"),
    }
}

fn sock_opt_name(val: &[u8], machine: Option<Machine>, out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, 16) else {
        conversion_error(out, val);
        return;
    };
    let mut opt = v as i32;
    if matches!(machine, Some(Machine::Ppc64 | Machine::Ppc)) && (16..=21).contains(&opt) {
        opt += 100;
    }
    table_or(out, t::SOCKOPTNAME, opt, b"unknown-sockopt-name(0x", val);
}

fn shmflags(val: &[u8], out: &mut Vec<u8>) {
    let Some(v) = strtoul(val, 16) else {
        conversion_error(out, val);
        return;
    };
    let flags = v as u32;
    let any = join_flags(out, t::IPCCMD, u64::from(flags & 0o3000), b'|', false);
    let any = join_flags(out, t::SHM_MODE, u64::from(flags & 0o14000), b'|', any);
    if any {
        out.push(b'|');
    }
    mode_short_int(out, flags & 0o777);
}

pub(super) fn a3(ctx: &SyscallContext, val: &[u8], out: &mut Vec<u8>) {
    match ctx.syscall_name() {
        Some("mmap") => mmap(val, out),
        Some("mount") => flag_list(val, t::MOUNT, out),
        Some("recv" | "recvfrom" | "recvmmsg" | "send" | "sendto" | "sendmmsg") => {
            flag_list(val, t::RECV, out)
        }
        _ => push_0x(out, val),
    }
}
