//! A battery of syscalls and a runner that makes each one in a forked
//! child, so that a call that kills only ends that child. The same code runs
//! inside a container (the `syscall-probe` binary, linked statically) and
//! in the test harness under an installed policy, so both report outcomes
//! of exactly the same calls.

use std::fmt;

/// The probe's last line: output that lacks it was cut short.
pub const END: &str = "end of the battery";

/// How a syscall is made.
#[derive(Clone, Copy, Debug)]
pub enum Call {
    /// Through the native ABI.
    Native(libc::c_long, [u64; 6]),
    /// Through the x32 ABI: the native number with bit 30 set.
    X32(libc::c_long),
    /// Through the i386 ABI with `int 0x80`, which takes up to three
    /// arguments here.
    Int80(i64, [u32; 3]),
}

/// One call of the battery, with a name for reports.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// Names the call in reports: the syscall and what the arguments are for.
    pub label: &'static str,
    /// The call.
    pub call: Call,
}

/// What a call got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It returned a value (not an error).
    Returned,
    /// It failed with this errno (255 stands for 255 or more).
    Errno(i32),
    /// The child died by this signal.
    Signal(i32),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Returned => f.write_str("ok"),
            Outcome::Errno(errno) => write!(f, "errno {errno}"),
            Outcome::Signal(signal) => write!(f, "signal {signal}"),
        }
    }
}

impl Outcome {
    /// Parses what `Display` wrote.
    pub fn parse(text: &str) -> Option<Outcome> {
        let mut words = text.split_whitespace();
        let outcome = match (words.next()?, words.next()) {
            ("ok", None) => Outcome::Returned,
            ("errno", Some(n)) => Outcome::Errno(n.parse().ok()?),
            ("signal", Some(n)) => Outcome::Signal(n.parse().ok()?),
            _ => return None,
        };
        words.next().is_none().then_some(outcome)
    }
}

/// Makes `call` in a forked child and reports what it got.
pub fn run(call: Call) -> Outcome {
    // SAFETY: the child makes one call and exits without returning.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
    if pid == 0 {
        let result = make(call);
        let code = if result >= 0 {
            0
        } else {
            (-result).min(255) as i32
        };
        // SAFETY: ends the child at once.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waits for our own child.
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(waited, pid, "waitpid: {}", std::io::Error::last_os_error());
    if libc::WIFSIGNALED(status) {
        Outcome::Signal(libc::WTERMSIG(status))
    } else if libc::WEXITSTATUS(status) == 0 {
        Outcome::Returned
    } else {
        Outcome::Errno(libc::WEXITSTATUS(status))
    }
}

/// Makes the call here: its return value, or minus its errno.
fn make(call: Call) -> i64 {
    match call {
        Call::Native(number, args) => raw(number, args),
        Call::X32(number) => raw(X32_SYSCALL_BIT | number, [0; 6]),
        Call::Int80(number, args) => int80(number, args),
    }
}

const X32_SYSCALL_BIT: libc::c_long = 0x4000_0000;

fn raw(number: libc::c_long, a: [u64; 6]) -> i64 {
    // SAFETY: the battery passes only invalid pointers, bad descriptors or
    // values the calls do not dereference.
    let result = unsafe { libc::syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]) };
    if result < 0 {
        -i64::from(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
    } else {
        result
    }
}

#[cfg(target_arch = "x86_64")]
fn int80(number: i64, args: [u32; 3]) -> i64 {
    let result: i64;
    // SAFETY: i386 calls of the battery take no pointers they write through.
    unsafe {
        std::arch::asm!(
            "push rbx",
            "mov ebx, {a0:e}",
            "int 0x80",
            "pop rbx",
            a0 = in(reg) args[0],
            inlateout("rax") number => result,
            in("rcx") u64::from(args[1]),
            in("rdx") u64::from(args[2]),
        );
    }
    // The i386 ABI returns a 32-bit value.
    i64::from(result as i32)
}

#[cfg(not(target_arch = "x86_64"))]
fn int80(_: i64, _: [u32; 3]) -> i64 {
    -i64::from(libc::ENOSYS)
}

macro_rules! case {
    ($label:literal, $name:ident $(, $arg:expr)*) => {{
        let mut args = [0u64; 6];
        let given: &[u64] = &[$($arg as u64),*];
        args[..given.len()].copy_from_slice(given);
        Case { label: $label, call: Call::Native(libc::$name, args) }
    }};
}

const BAD_FD: u64 = u64::MAX; // -1
const BAD_POINTER: u64 = 8; // unmapped page

/// `socket` with every family from 0 to 45 and protocol 0 or 9, of a type
/// no family takes (so that an allowed call fails at once with EINVAL or
/// EAFNOSUPPORT), and netlink's audit socket made for real: what tells
/// overlapping `socket` rules apart (`syscall-probe sockets`).
pub fn socket_battery() -> Vec<Case> {
    let mut cases = Vec::new();
    for family in 0..=45u64 {
        for protocol in [0u64, 9] {
            let label: &'static str =
                Box::leak(format!("socket({family}, 0xff, {protocol})").into_boxed_str());
            let args = [family, 0xff, protocol, 0, 0, 0];
            cases.push(Case {
                label,
                call: Call::Native(libc::SYS_socket, args),
            });
        }
    }
    cases.push(case!(
        "socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)",
        SYS_socket,
        libc::AF_NETLINK,
        libc::SOCK_RAW,
        9
    ));
    cases.push(case!(
        "socket(AF_NETLINK, SOCK_RAW, 0)",
        SYS_socket,
        libc::AF_NETLINK,
        libc::SOCK_RAW,
        0
    ));
    cases
}

/// The battery. Every call is harmless whether it is allowed or not: it
/// returns at once without a lasting effect, or fails on a bad argument
/// (bad descriptor, unmapped pointer), so that its outcome shows what the
/// filter decided and nothing else.
pub fn battery() -> Vec<Case> {
    let mut cases = vec![
        case!("getpid()", SYS_getpid),
        case!("tuxcall(1, 0x1234)", SYS_tuxcall, 1, 0x1234),
        case!("tuxcall(1, 0x12ff)", SYS_tuxcall, 1, 0x12ff),
        case!("tuxcall(1, 0x1300)", SYS_tuxcall, 1, 0x1300),
        case!(
            "tuxcall(2, 0, 0xffffffff)",
            SYS_tuxcall,
            2,
            0,
            0xffff_ffff_u64
        ),
        case!(
            "tuxcall(2, 0, 0x100000000)",
            SYS_tuxcall,
            2,
            0,
            0x1_0000_0000_u64
        ),
        case!("tuxcall(2, 0, 0, 3)", SYS_tuxcall, 2, 0, 0, 3),
        case!(
            "tuxcall(3, .., arg5 = 1<<63)",
            SYS_tuxcall,
            3,
            0,
            0,
            0,
            0,
            1u64 << 63
        ),
        case!("tuxcall(3, .., arg5 = 1)", SYS_tuxcall, 3, 0, 0, 0, 0, 1),
        case!("tuxcall(0x100000000)", SYS_tuxcall, 0x1_0000_0000_u64),
        case!("tuxcall(u64::MAX)", SYS_tuxcall, u64::MAX),
        case!("getppid()", SYS_getppid),
        case!(
            "security(arg4 = O_CLOEXEC)",
            SYS_security,
            0,
            0,
            0,
            0,
            libc::O_CLOEXEC
        ),
        case!(
            "security(arg4 = O_NONBLOCK)",
            SYS_security,
            0,
            0,
            0,
            0,
            libc::O_NONBLOCK
        ),
        case!("getuid()", SYS_getuid),
        case!("getgid()", SYS_getgid),
        case!("geteuid()", SYS_geteuid),
        case!("getegid()", SYS_getegid),
        case!("getpgrp()", SYS_getpgrp),
        case!("getsid(0)", SYS_getsid),
        case!("getpgid(0)", SYS_getpgid),
        case!("getpriority(PRIO_PROCESS, 0)", SYS_getpriority),
        case!("gettid()", SYS_gettid),
        case!("sched_yield()", SYS_sched_yield),
        case!("read(-1)", SYS_read, BAD_FD),
        case!("write(-1)", SYS_write, BAD_FD),
        case!("close(-1)", SYS_close, BAD_FD),
        case!("dup(-1)", SYS_dup, BAD_FD),
        case!("fsync(-1)", SYS_fsync, BAD_FD),
        case!("openat(-1, NULL)", SYS_openat, BAD_FD, BAD_POINTER),
        case!("uname(bad pointer)", SYS_uname, BAD_POINTER),
        case!("personality(0xffffffff)", SYS_personality, 0xffff_ffff_u64),
        case!("personality(0x1234)", SYS_personality, 0x1234),
        case!("socket(AF_UNIX, 0xff)", SYS_socket, libc::AF_UNIX, 0xff),
        case!("socket(AF_INET, 0xff)", SYS_socket, libc::AF_INET, 0xff),
        case!("socket(AF_VSOCK, 0xff)", SYS_socket, libc::AF_VSOCK, 0xff),
        case!("socket(39, 0xff)", SYS_socket, 39, 0xff),
        case!("socket(45, 0xff)", SYS_socket, 45, 0xff),
        // `socket` reads its family as a 32-bit `int`: the same families
        // with an upper half set, which 64-bit comparisons let through.
        case!(
            "socket(AF_VSOCK, SEQPACKET)",
            SYS_socket,
            libc::AF_VSOCK,
            libc::SOCK_SEQPACKET
        ),
        case!(
            "socket(1<<32 | AF_VSOCK, SEQPACKET)",
            SYS_socket,
            0x1_0000_0028_u64,
            libc::SOCK_SEQPACKET
        ),
        case!(
            "socket(AF_ALG, SEQPACKET)",
            SYS_socket,
            libc::AF_ALG,
            libc::SOCK_SEQPACKET
        ),
        case!(
            "socket(1<<32 | AF_ALG, SEQPACKET)",
            SYS_socket,
            0x1_0000_0026_u64,
            libc::SOCK_SEQPACKET
        ),
        case!(
            "socket(AF_NETLINK, RAW)",
            SYS_socket,
            libc::AF_NETLINK,
            libc::SOCK_RAW
        ),
        case!(
            "socket(1<<32 | AF_NETLINK, RAW)",
            SYS_socket,
            0x1_0000_0010_u64,
            libc::SOCK_RAW
        ),
        case!(
            "socket(AF_INET, SEQPACKET)",
            SYS_socket,
            libc::AF_INET,
            libc::SOCK_SEQPACKET
        ),
        case!(
            "socket(AF_INET, 1<<32 | SOCK_DGRAM)",
            SYS_socket,
            libc::AF_INET,
            0x1_0000_0002_u64
        ),
        case!(
            "socket(AF_INET, 1<<32 | SOCK_STREAM)",
            SYS_socket,
            libc::AF_INET,
            0x1_0000_0001_u64
        ),
        case!(
            "socket(-1<<32 | AF_UNIX, SEQPACKET)",
            SYS_socket,
            0xffff_ffff_0000_0001_u64,
            libc::SOCK_SEQPACKET
        ),
        // Arguments narrower than a register, each with its upper half
        // cleared, sign-extended and set to garbage.
        case!("syncfs(-1)", SYS_syncfs, BAD_FD),
        case!("syncfs(-2)", SYS_syncfs, -2i64 as u64),
        case!("syncfs(0xfffffffe)", SYS_syncfs, 0xffff_fffe_u64),
        case!("syncfs(1<<32 | 0xfffffffe)", SYS_syncfs, 0x1_ffff_fffe_u64),
        case!("syncfs(1<<32 | 7)", SYS_syncfs, 0x1_0000_0007_u64),
        case!("fdatasync(999)", SYS_fdatasync, 999),
        case!("fdatasync(1000)", SYS_fdatasync, 1000),
        case!("fdatasync(1<<32 | 1500)", SYS_fdatasync, 0x1_0000_05dc_u64),
        case!("fdatasync(2001)", SYS_fdatasync, 2001),
        case!("fdatasync(3003)", SYS_fdatasync, 3003),
        case!("fdatasync(3004)", SYS_fdatasync, 3004),
        case!(
            "fdatasync(-1<<32 | 3004)",
            SYS_fdatasync,
            0xffff_ffff_0000_0bbc_u64
        ),
        case!("fdatasync(-5)", SYS_fdatasync, -5i64 as u64),
        case!(
            "faccessat(-100, bad)",
            SYS_faccessat,
            -100i64 as u64,
            BAD_POINTER
        ),
        case!(
            "faccessat(0xffffff9c, bad)",
            SYS_faccessat,
            0xffff_ff9c_u64,
            BAD_POINTER
        ),
        case!(
            "faccessat(1<<32 | -100, bad)",
            SYS_faccessat,
            0x1_ffff_ff9c_u64,
            BAD_POINTER
        ),
        case!("faccessat(100, bad)", SYS_faccessat, 100, BAD_POINTER),
        case!("fchmod(-1, 0o4755)", SYS_fchmod, BAD_FD, 0o4755),
        case!("fchmod(-1, 0o6755)", SYS_fchmod, BAD_FD, 0o6755),
        case!("fchmod(-1, 0o755)", SYS_fchmod, BAD_FD, 0o755),
        case!(
            "fchmod(-1, 1<<16 | 0o4755)",
            SYS_fchmod,
            BAD_FD,
            0x1_09ed_u64
        ),
        case!(
            "fchmod(-1, 1<<32 | 0o755)",
            SYS_fchmod,
            BAD_FD,
            0x1_0000_01ed_u64
        ),
        case!("clone3(NULL, 0)", SYS_clone3, 0, 0),
        case!("unshare(0x80000000)", SYS_unshare, 0x8000_0000_u64),
        // Succeeds where a filter lets it through (the forked child gets a
        // user namespace of its own): what Docker allows only with
        // CAP_SYS_ADMIN, and containerd lets through when it drops the
        // condition.
        case!("unshare(CLONE_NEWUSER)", SYS_unshare, 0x1000_0000_u64),
        case!(
            "mount(bad pointers)",
            SYS_mount,
            BAD_POINTER,
            BAD_POINTER,
            BAD_POINTER
        ),
        case!("umount2(bad pointer)", SYS_umount2, BAD_POINTER),
        case!("chroot(bad pointer)", SYS_chroot, BAD_POINTER),
        case!("acct(bad pointer)", SYS_acct, BAD_POINTER),
        case!("kcmp(0, 0, 99)", SYS_kcmp, 0, 0, 99),
        case!("ptrace(-1)", SYS_ptrace, u64::MAX),
        case!(
            "process_vm_readv(0, NULL, 0, NULL, 0, 0)",
            SYS_process_vm_readv
        ),
        case!(
            "add_key(bad pointers)",
            SYS_add_key,
            BAD_POINTER,
            BAD_POINTER
        ),
        case!("keyctl(-1)", SYS_keyctl, u64::MAX),
        case!("bpf(-1)", SYS_bpf, u64::MAX),
        case!(
            "perf_event_open(bad pointer)",
            SYS_perf_event_open,
            BAD_POINTER
        ),
        case!("setns(-1, 0)", SYS_setns, BAD_FD),
        case!("syslog(-1)", SYS_syslog, u64::MAX),
        case!("settimeofday(bad pointer)", SYS_settimeofday, BAD_POINTER),
        case!("iopl(9)", SYS_iopl, 9),
        case!("swapoff(bad pointer)", SYS_swapoff, BAD_POINTER),
        case!("reboot(0)", SYS_reboot),
        case!(
            "kexec_load(bad)",
            SYS_kexec_load,
            0,
            0,
            BAD_POINTER,
            u64::MAX
        ),
        case!("init_module(bad)", SYS_init_module, BAD_POINTER),
        case!("userfaultfd(-1)", SYS_userfaultfd, u64::MAX),
        case!("mbind(bad)", SYS_mbind, 0, 0, u64::MAX),
        case!("lookup_dcookie(0, bad)", SYS_lookup_dcookie, 0, BAD_POINTER),
        case!(
            "name_to_handle_at(-1, bad)",
            SYS_name_to_handle_at,
            BAD_FD,
            BAD_POINTER
        ),
        case!(
            "open_by_handle_at(-1, bad)",
            SYS_open_by_handle_at,
            BAD_FD,
            BAD_POINTER
        ),
        case!("io_setup(0, bad)", SYS_io_setup, 0, BAD_POINTER),
        case!("pidfd_getfd(-1, -1)", SYS_pidfd_getfd, BAD_FD, BAD_FD),
        // Numbers above what the engine's libseccomp knows: runc's ENOSYS
        // stub answers them for profiles that list their ABIs.
        Case {
            label: "mseal(0, 0, 0)",
            call: Call::Native(462, [0; 6]),
        },
        Case {
            label: "syscall 1000",
            call: Call::Native(1000, [0; 6]),
        },
    ];
    if cfg!(target_arch = "x86_64") {
        cases.extend([
            case!("arch_prctl(0x9999)", SYS_arch_prctl, 0x9999),
            case!("modify_ldt(0, NULL, 0)", SYS_modify_ldt),
            Case {
                label: "x32 getpid()",
                call: Call::X32(libc::SYS_getpid),
            },
            Case {
                label: "i386 getpid() by int 0x80",
                call: Call::Int80(20, [0; 3]),
            },
            Case {
                label: "i386 getppid() by int 0x80",
                call: Call::Int80(64, [0; 3]),
            },
            Case {
                label: "i386 close(-1) by int 0x80",
                call: Call::Int80(6, [u32::MAX, 0, 0]),
            },
        ]);
    }
    cases
}
