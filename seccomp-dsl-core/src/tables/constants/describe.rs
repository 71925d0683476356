//! The inverse of [`super::lookup`] for source a person reads: an argument
//! value written with the names of what the argument means (`socket`'s
//! first argument is an address family, `fcntl`'s second a command), or
//! `None` where no name fits exactly and the number must stay.
//!
//! Every name written here looks up to the value it stands for, so source
//! written with them compiles to the same policy as with numbers.

use super::{
    ConstantGroup, ADDRESS_FAMILIES, AT_FLAGS, CLOCKS, CLONE_FLAGS, EPOLL, EVENTFD_FLAGS,
    FCNTL_COMMANDS, FUTEX_OPS, GETRANDOM_FLAGS, IOCTL_REQUESTS, IP_PROTOCOLS, MEMORY, OPEN_FLAGS,
    PRCTL_OPTIONS, SEEK_WHENCE, SHUTDOWN_HOW, SOCKET_OPTIONS, SOCKET_TYPES, TCP_OPTIONS,
    WAIT_OPTIONS,
};

/// What an argument's value means, for naming it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Meaning {
    Family,
    SocketType,
    SocketLevel,
    /// A socket option, named when the level is known.
    SocketOption,
    /// `clone`'s flags, whose low byte is the exit signal.
    CloneFlags,
    /// `unshare`'s and `setns`'s namespace flags.
    NamespaceFlags,
    PrctlOption,
    FcntlCommand,
    IoctlRequest,
    Protection,
    MapFlags,
    Advice,
    FutexOp,
    OpenFlags,
    DirectoryFd,
    RemapFlags,
    /// `F_SETFD`'s argument.
    DescriptorFlags,
    EpollOperation,
    /// `epoll_create1`'s and `eventfd2`'s flags.
    EventFlags,
    RandomFlags,
    Clock,
    ShutdownHow,
    SeekWhence,
    WaitOptions,
}

/// `*at` syscalls whose first argument is a directory descriptor.
const AT_SYSCALLS: [&str; 17] = [
    "openat",
    "openat2",
    "faccessat",
    "faccessat2",
    "fchmodat",
    "fchownat",
    "newfstatat",
    "fstatat64",
    "mkdirat",
    "mknodat",
    "unlinkat",
    "readlinkat",
    "renameat",
    "renameat2",
    "linkat",
    "utimensat",
    "statx",
];

fn meaning(syscall: &str, index: u8) -> Option<Meaning> {
    use Meaning::*;
    Some(match (syscall, index) {
        ("socket" | "socketpair", 0) => Family,
        ("socket" | "socketpair", 1) => SocketType,
        ("setsockopt" | "getsockopt", 1) => SocketLevel,
        ("setsockopt" | "getsockopt", 2) => SocketOption,
        ("clone", 0) => CloneFlags,
        ("unshare", 0) | ("setns", 1) => NamespaceFlags,
        ("prctl", 0) => PrctlOption,
        ("fcntl" | "fcntl64", 1) => FcntlCommand,
        ("ioctl", 1) => IoctlRequest,
        ("mmap" | "mmap2" | "mprotect" | "pkey_mprotect", 2) => Protection,
        ("mmap" | "mmap2", 3) => MapFlags,
        ("madvise", 2) => Advice,
        ("futex", 1) => FutexOp,
        ("open", 1) | ("openat", 2) => OpenFlags,
        (name, 0) if AT_SYSCALLS.contains(&name) => DirectoryFd,
        ("mremap", 3) => RemapFlags,
        ("fcntl" | "fcntl64", 2) => DescriptorFlags,
        ("epoll_ctl", 1) => EpollOperation,
        ("epoll_create1", 0) | ("eventfd2", 1) => EventFlags,
        ("getrandom", 2) => RandomFlags,
        ("clock_gettime" | "clock_getres" | "clock_nanosleep" | "clock_settime", 0) => Clock,
        ("shutdown", 1) => ShutdownHow,
        ("lseek", 2) => SeekWhence,
        ("wait4", 2) | ("waitid", 3) => WaitOptions,
        _ => return None,
    })
}

/// The prctl(2) options: the header's other `PR_` names are their
/// arguments, which share the options' numbers.
const PRCTL_OPTION_NAMES: [&str; 66] = [
    "PR_SET_PDEATHSIG",
    "PR_GET_PDEATHSIG",
    "PR_GET_DUMPABLE",
    "PR_SET_DUMPABLE",
    "PR_GET_UNALIGN",
    "PR_SET_UNALIGN",
    "PR_GET_KEEPCAPS",
    "PR_SET_KEEPCAPS",
    "PR_GET_FPEMU",
    "PR_SET_FPEMU",
    "PR_GET_FPEXC",
    "PR_SET_FPEXC",
    "PR_GET_TIMING",
    "PR_SET_TIMING",
    "PR_SET_NAME",
    "PR_GET_NAME",
    "PR_GET_ENDIAN",
    "PR_SET_ENDIAN",
    "PR_GET_SECCOMP",
    "PR_SET_SECCOMP",
    "PR_CAPBSET_READ",
    "PR_CAPBSET_DROP",
    "PR_GET_TSC",
    "PR_SET_TSC",
    "PR_GET_SECUREBITS",
    "PR_SET_SECUREBITS",
    "PR_SET_TIMERSLACK",
    "PR_GET_TIMERSLACK",
    "PR_TASK_PERF_EVENTS_DISABLE",
    "PR_TASK_PERF_EVENTS_ENABLE",
    "PR_MCE_KILL",
    "PR_MCE_KILL_GET",
    "PR_SET_MM",
    "PR_SET_PTRACER",
    "PR_SET_CHILD_SUBREAPER",
    "PR_GET_CHILD_SUBREAPER",
    "PR_SET_NO_NEW_PRIVS",
    "PR_GET_NO_NEW_PRIVS",
    "PR_GET_TID_ADDRESS",
    "PR_SET_THP_DISABLE",
    "PR_GET_THP_DISABLE",
    "PR_MPX_ENABLE_MANAGEMENT",
    "PR_MPX_DISABLE_MANAGEMENT",
    "PR_SET_FP_MODE",
    "PR_GET_FP_MODE",
    "PR_CAP_AMBIENT",
    "PR_SVE_SET_VL",
    "PR_SVE_GET_VL",
    "PR_GET_SPECULATION_CTRL",
    "PR_SET_SPECULATION_CTRL",
    "PR_PAC_RESET_KEYS",
    "PR_SET_TAGGED_ADDR_CTRL",
    "PR_GET_TAGGED_ADDR_CTRL",
    "PR_SET_IO_FLUSHER",
    "PR_GET_IO_FLUSHER",
    "PR_SET_SYSCALL_USER_DISPATCH",
    "PR_PAC_SET_ENABLED_KEYS",
    "PR_PAC_GET_ENABLED_KEYS",
    "PR_SCHED_CORE",
    "PR_SME_SET_VL",
    "PR_SME_GET_VL",
    "PR_SET_MDWE",
    "PR_GET_MDWE",
    "PR_SET_VMA",
    "PR_GET_AUXV",
    "PR_SET_MEMORY_MERGE",
];

/// Names of one value: the candidates of `groups` with `prefix` that
/// `keep` keeps, the shortest first (an alias is usually the longer name).
fn one_name(
    groups: &[&ConstantGroup],
    prefix: &str,
    keep: impl Fn(&str) -> bool,
    value: u64,
) -> Option<&'static str> {
    groups
        .iter()
        .flat_map(|group| group.constants.iter())
        .filter(|(name, number)| *number == value && name.starts_with(prefix) && keep(name))
        .map(|(name, _)| *name)
        .min_by_key(|name| (name.len(), *name))
}

/// A value written with names, joined with ` | `, and what no name covers
/// as a number: built and written without allocating, so that a signal
/// handler or a thread other threads wait on can use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Description {
    names: [&'static str; 64],
    count: usize,
    /// Bits no name covers, written in hexadecimal.
    rest: u64,
    /// A number written last in decimal (`clone`'s exit signal).
    signal: u64,
}

impl Description {
    fn new() -> Description {
        Description {
            names: [""; 64],
            count: 0,
            rest: 0,
            signal: 0,
        }
    }

    fn one(name: &'static str) -> Description {
        let mut description = Description::new();
        description.push(name);
        description
    }

    fn push(&mut self, name: &'static str) {
        if self.count < self.names.len() {
            self.names[self.count] = name;
            self.count += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.count == 0 && self.rest == 0 && self.signal == 0
    }

    /// Whether a number stays where no name fits.
    pub fn has_number(&self) -> bool {
        self.rest != 0
    }
}

impl std::fmt::Display for Description {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut separator = "";
        for name in &self.names[..self.count] {
            write!(f, "{separator}{name}")?;
            separator = " | ";
        }
        if self.rest != 0 {
            write!(f, "{separator}{:#x}", self.rest)?;
            separator = " | ";
        }
        if self.signal != 0 {
            write!(f, "{separator}{}", self.signal)?;
        }
        Ok(())
    }
}

/// `value` as single-bit flags of `group` with `prefix` (and what is left
/// as a number), appended to `into`; `None` when no flag is set.
fn flags_into(
    into: Description,
    group: &ConstantGroup,
    prefix: &str,
    skip: &[&str],
    value: u64,
) -> Option<Description> {
    let mut description = into;
    let mut rest = value;
    let mut named = false;
    for bit in (0..64).map(|shift| 1u64 << shift) {
        if rest & bit == 0 {
            continue;
        }
        let name = (group.constants.iter()).find(|(name, number)| {
            *number == bit && name.starts_with(prefix) && !skip.contains(name)
        });
        if let Some((name, _)) = name {
            description.push(name);
            rest &= !bit;
            named = true;
        }
    }
    if !named {
        return None;
    }
    description.rest = rest;
    Some(description)
}

/// `value` as single-bit flags of `group` with `prefix`.
fn flags(group: &ConstantGroup, prefix: &str, skip: &[&str], value: u64) -> Option<Description> {
    flags_into(Description::new(), group, prefix, skip, value)
}

/// A kind's value (the low bits `mask` names one of several) joined with
/// single-bit flags for the rest.
fn kind_and_flags(
    kind: Option<&'static str>,
    mask: u64,
    group: &ConstantGroup,
    prefix: &str,
    skip: &[&str],
    value: u64,
) -> Option<Description> {
    let kind = Description::one(kind?);
    if value & !mask != 0 {
        return flags_into(kind, group, prefix, skip, value & !mask);
    }
    Some(kind)
}

/// The value an argument of `syscall` holds, written with names where
/// they say it exactly: `AF_INET`, `SOCK_STREAM | SOCK_CLOEXEC`,
/// `F_GETFD`. `level`: for a socket option, the level the same rule
/// requires, if any.
///
/// ```
/// use seccomp_dsl_core::constants::describe;
/// assert_eq!(describe("socket", 0, 2, None).as_deref(), Some("AF_INET"));
/// assert_eq!(describe("socket", 1, 0x80001, None).as_deref(), Some("SOCK_STREAM | SOCK_CLOEXEC"));
/// assert_eq!(describe("fcntl", 1, 0x406, None).as_deref(), Some("F_DUPFD_CLOEXEC"));
/// assert_eq!(describe("setsockopt", 2, 2, Some(1)).as_deref(), Some("SO_REUSEADDR"));
/// assert_eq!(describe("mremap", 3, 1, None).as_deref(), Some("MREMAP_MAYMOVE"));
/// assert_eq!(describe("fcntl", 2, 1, Some(2)).as_deref(), Some("FD_CLOEXEC"));
/// assert_eq!(describe("futex", 1, 128, None).as_deref(), Some("FUTEX_WAIT_PRIVATE"));
/// assert_eq!(describe("futex", 1, 0x189, None).as_deref(), Some("FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME"));
/// assert_eq!(describe("read", 0, 2, None), None);
/// ```
pub fn describe(syscall: &str, index: u8, value: u64, level: Option<u64>) -> Option<String> {
    description(syscall, index, value, level).map(|description| description.to_string())
}

/// [`describe`], without allocating.
pub fn description(
    syscall: &str,
    index: u8,
    value: u64,
    level: Option<u64>,
) -> Option<Description> {
    use Meaning::*;
    let name = |name: Option<&'static str>| name.map(Description::one);
    match meaning(syscall, index)? {
        Family => name(one_name(
            &[&ADDRESS_FAMILIES],
            "AF_",
            |name| !["AF_LOCAL", "AF_FILE", "AF_ROUTE"].contains(&name),
            value,
        )),
        SocketType => {
            let kind = one_name(&[&SOCKET_TYPES], "SOCK_", |_| true, value & 0xf);
            kind_and_flags(kind, 0xf, &SOCKET_TYPES, "SOCK_", &[], value)
        }
        SocketLevel => name(socket_level(value)),
        SocketOption => name(match level {
            Some(1) => one_name(&[&SOCKET_OPTIONS], "SO_", |_| true, value),
            Some(6) => one_name(&[&TCP_OPTIONS], "TCP_", |_| true, value),
            _ => None,
        }),
        CloneFlags => clone_flags(value),
        NamespaceFlags => flags(&CLONE_FLAGS, "CLONE_", &[], value),
        PrctlOption => name(one_name(
            &[&PRCTL_OPTIONS],
            "PR_",
            |name| PRCTL_OPTION_NAMES.contains(&name),
            value,
        )),
        FcntlCommand => name(fcntl_command(value)),
        IoctlRequest => name(one_name(
            &[&IOCTL_REQUESTS],
            "",
            |name| name != "TIOCINQ",
            value,
        )),
        Protection if value == 0 => Some(Description::one("PROT_NONE")),
        Protection => flags(&MEMORY, "PROT_", &[], value),
        MapFlags => {
            let kind = one_name(&[&MEMORY], "MAP_", |name| name != "MAP_TYPE", value & 0xf);
            kind_and_flags(kind, 0xf, &MEMORY, "MAP_", &["MAP_ANON"], value)
        }
        Advice => name(one_name(&[&MEMORY], "MADV_", |_| true, value)),
        FutexOp => futex_operation(value),
        OpenFlags => {
            let mode = one_name(&[&OPEN_FLAGS], "O_", |name| name != "O_ACCMODE", value & 3);
            kind_and_flags(mode, 3, &OPEN_FLAGS, "O_", &["O_NDELAY", "O_FSYNC"], value)
        }
        DirectoryFd => name(
            one_name(&[&AT_FLAGS], "AT_FDCWD", |_| true, value)
                .or_else(|| one_name(&[&AT_FLAGS], "AT_FDCWD", |_| true, value | !0xffff_ffff)),
        ),
        RemapFlags => flags(&MEMORY, "MREMAP_", &[], value),
        // Named only beside `F_SETFD`: other commands' arguments differ.
        DescriptorFlags if level == Some(2) => flags(&FCNTL_COMMANDS, "FD_", &[], value),
        DescriptorFlags => None,
        EpollOperation => name(one_name(&[&EPOLL], "EPOLL_CTL_", |_| true, value)),
        EventFlags if syscall == "eventfd2" => flags(&EVENTFD_FLAGS, "EFD_", &[], value),
        EventFlags => flags(&EPOLL, "EPOLL_CLOEXEC", &[], value),
        RandomFlags => flags(&GETRANDOM_FLAGS, "GRND_", &[], value),
        Clock => name(one_name(&[&CLOCKS], "CLOCK_", |_| true, value)),
        ShutdownHow => name(one_name(&[&SHUTDOWN_HOW], "SHUT_", |_| true, value)),
        SeekWhence => name(one_name(&[&SEEK_WHENCE], "SEEK_", |_| true, value)),
        WaitOptions => flags(&WAIT_OPTIONS, "W", &["WUNTRACED"], value),
    }
}

/// A socket option level: `SOL_SOCKET`, a protocol, or another `SOL_`.
fn socket_level(value: u64) -> Option<&'static str> {
    one_name(&[&SOCKET_OPTIONS], "SOL_SOCKET", |_| true, value)
        .or_else(|| {
            one_name(
                &[&IP_PROTOCOLS],
                "IPPROTO_",
                |name| name != "IPPROTO_HOPOPTS",
                value,
            )
        })
        .or_else(|| one_name(&[&SOCKET_OPTIONS], "SOL_", |_| true, value))
}

/// `clone`'s flags: namespaces and options, and the exit signal in the low
/// byte.
fn clone_flags(value: u64) -> Option<Description> {
    // The low byte is the signal sent to the parent on exit.
    let mut description =
        flags(&CLONE_FLAGS, "CLONE_", &[], value & !0xff).unwrap_or_else(|| Description {
            rest: value & !0xff,
            ..Description::new()
        });
    description.signal = value & 0xff;
    (!description.is_empty()).then_some(description)
}

/// An `fcntl` command (not the owner types, seals or lease values that
/// share the `F_` prefix).
fn fcntl_command(value: u64) -> Option<&'static str> {
    one_name(
        &[&FCNTL_COMMANDS],
        "F_",
        |name| {
            !(name.starts_with("F_OWNER_")
                || name.starts_with("F_SEAL_")
                || name.ends_with("LCK")
                || name == "F_LINUX_SPECIFIC_BASE")
        },
        value,
    )
}

/// A futex operation (perhaps `_PRIVATE`), and the clock flag.
fn futex_operation(value: u64) -> Option<Description> {
    // An operation (perhaps `_PRIVATE`), and the clock flag.
    const CLOCK: u64 = 0x100;
    let not_an_operation = [
        "FUTEX_32",
        "FUTEX_BITSET_MATCH_ANY",
        "FUTEX_CLOCK_REALTIME",
        "FUTEX_CMD_MASK",
        "FUTEX_OWNER_DIED",
        "FUTEX_PRIVATE_FLAG",
        "FUTEX_TID_MASK",
        "FUTEX_WAITERS",
    ];
    let kind = one_name(
        &[&FUTEX_OPS],
        "FUTEX_",
        |name| !name.starts_with("FUTEX_OP_") && !not_an_operation.contains(&name),
        value & !CLOCK,
    );
    kind_and_flags(kind, !CLOCK, &FUTEX_OPS, "FUTEX_CLOCK_", &[], value)
}

/// A mask an argument of `syscall` is compared under, written with names:
/// `O_ACCMODE` for the access mode of `openat`'s flags, single-bit flags
/// otherwise; a mask of every bit of a 32-bit argument but a few flags as
/// `!(FLAGS)`.
///
/// ```
/// use seccomp_dsl_core::constants::describe_mask;
/// assert_eq!(describe_mask("openat", 2, 3).as_deref(), Some("O_ACCMODE"));
/// assert_eq!(describe_mask("clone", 0, 0x1000_0000).as_deref(), Some("CLONE_NEWUSER"));
/// assert_eq!(describe_mask("openat", 2, 0xfff7_fffe).as_deref(), Some("!(O_WRONLY | O_CLOEXEC)"));
/// ```
pub fn describe_mask(syscall: &str, index: u8, mask: u64) -> Option<String> {
    mask_description(syscall, index, mask).map(|(description, complement)| {
        if complement {
            format!("!({description})")
        } else {
            description.to_string()
        }
    })
}

/// [`describe_mask`], without allocating: the flags, and whether the mask
/// is every bit of 32 but them (`!(FLAGS)`).
pub fn mask_description(syscall: &str, index: u8, mask: u64) -> Option<(Description, bool)> {
    let left_out = !mask & 0xffff_ffff;
    if mask >> 32 == 0 && left_out != 0 && left_out.count_ones() <= 8 {
        if let Some(flags) = describe_flags(syscall, index, left_out) {
            return Some((flags, true));
        }
    }
    describe_flags(syscall, index, mask).map(|flags| (flags, false))
}

/// The single-bit flags (or `O_ACCMODE`) that make `mask`, all named.
fn describe_flags(syscall: &str, index: u8, mask: u64) -> Option<Description> {
    use Meaning::*;
    let named = |description: Option<Description>| description.filter(|d| !d.has_number());
    match meaning(syscall, index)? {
        OpenFlags if mask == 3 => Some(Description::one("O_ACCMODE")),
        OpenFlags => named(flags(&OPEN_FLAGS, "O_", &["O_NDELAY", "O_FSYNC"], mask)),
        CloneFlags | NamespaceFlags => named(flags(&CLONE_FLAGS, "CLONE_", &[], mask)),
        Protection => named(flags(&MEMORY, "PROT_", &[], mask)),
        SocketType if mask == 0xf => None,
        SocketType => named(flags(&SOCKET_TYPES, "SOCK_", &[], mask)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::lookup;

    /// Evaluates `A | B | 0x10` as the DSL does.
    fn evaluate(text: &str) -> u64 {
        text.split(" | ")
            .map(|term| match term.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).unwrap(),
                None => term
                    .parse()
                    .ok()
                    .or_else(|| lookup(term))
                    .unwrap_or_else(|| panic!("{term}")),
            })
            .fold(0, |all, term| all | term)
    }

    #[test]
    fn every_description_evaluates_to_its_value() {
        let cases: [(&str, u8, u64, Option<u64>); 14] = [
            ("socket", 0, 1, None),
            ("socket", 0, 16, None),
            ("socket", 1, 0x80802, None),
            ("clone", 0, 0x3d0f00, None),
            ("clone", 0, 0x1200011, None),
            ("prctl", 0, 38, None),
            ("prctl", 0, 1, None),
            ("fcntl", 1, 4, None),
            ("ioctl", 1, 0x541b, None),
            ("mmap", 2, 3, None),
            ("mmap", 3, 0x22, None),
            ("openat", 2, 0x80000, None),
            ("setsockopt", 1, 6, None),
            ("setsockopt", 2, 1, Some(6)),
        ];
        for (syscall, index, value, level) in cases {
            let text = describe(syscall, index, value, level)
                .unwrap_or_else(|| panic!("{syscall} arg{index} {value:#x}"));
            assert_eq!(evaluate(&text), value, "{syscall} arg{index}: {text}");
        }
        assert_eq!(describe("socket", 0, 1, None).unwrap(), "AF_UNIX");
        assert_eq!(describe("prctl", 0, 1, None).unwrap(), "PR_SET_PDEATHSIG");
        assert_eq!(describe("fcntl", 1, 4, None).unwrap(), "F_SETFL");
        assert_eq!(describe("ioctl", 1, 0x541b, None).unwrap(), "FIONREAD");
        assert_eq!(
            describe("setsockopt", 2, 1, Some(6)).unwrap(),
            "TCP_NODELAY"
        );
        assert_eq!(
            describe("openat", 2, 0x80000, None).unwrap(),
            "O_RDONLY | O_CLOEXEC"
        );
        assert_eq!(
            describe("openat", 0, 0xffff_ff9c, None).unwrap(),
            "AT_FDCWD"
        );
    }
}
