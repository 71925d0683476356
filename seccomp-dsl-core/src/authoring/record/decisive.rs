//! Which arguments decide what a call does, so that a recording keeps
//! their values: a socket's family and type, a clone's flags, an open's
//! flags but for those proven harmless, ...

use crate::model::{ArgWidth, SeccompArch};
use crate::upper_half::kernel_width;

use super::HARMLESS_OPEN_FLAGS;

/// One argument a rule on a recorded syscall compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decisive {
    /// Which argument.
    pub index: u8,
    /// The bits that decide; all of the argument when `None`.
    pub mask: Option<u64>,
}

impl Decisive {
    /// What decides in a call of `syscall` with `args` through `abi`: the
    /// argument as the kernel reads it (the low half of an `int`, every
    /// argument on a 32-bit ABI), under the mask.
    pub fn value_in(&self, abi: SeccompArch, syscall: &str, args: &[u64; 6]) -> u64 {
        let width = width(abi, syscall, self.index);
        args[usize::from(self.index)] & width.mask() & self.mask.unwrap_or(!0)
    }
}

const fn whole(index: u8) -> Decisive {
    Decisive { index, mask: None }
}

/// The bits of `open`'s and `openat`'s flags a recording compares.
const OPEN_FLAGS_COMPARED: u64 = !HARMLESS_OPEN_FLAGS & 0xffff_ffff;

/// The arguments whose values a recording keeps for `syscall`, because
/// they decide what the call does: an empty list for the others.
///
/// ```
/// use seccomp_dsl_core::record::decisive_arguments;
/// assert_eq!(decisive_arguments("socket").len(), 2); // family and type
/// assert!(decisive_arguments("read").is_empty());
/// ```
pub fn decisive_arguments(syscall: &str) -> &'static [Decisive] {
    const SOCKET: [Decisive; 2] = [whole(0), whole(1)];
    const FIRST: [Decisive; 1] = [whole(0)];
    const SECOND: [Decisive; 1] = [whole(1)];
    const THIRD: [Decisive; 1] = [whole(2)];
    const LEVEL_AND_NAME: [Decisive; 2] = [whole(1), whole(2)];
    const OPEN: [Decisive; 1] = [Decisive {
        index: 1,
        mask: Some(OPEN_FLAGS_COMPARED),
    }];
    const OPENAT: [Decisive; 1] = [Decisive {
        index: 2,
        mask: Some(OPEN_FLAGS_COMPARED),
    }];
    match syscall {
        "socket" | "socketpair" => &SOCKET,
        "clone" | "unshare" | "prctl" | "personality" => &FIRST,
        "setns" | "fcntl" | "fcntl64" | "ioctl" => &SECOND,
        "mmap" | "mmap2" | "mprotect" | "pkey_mprotect" => &THIRD,
        "setsockopt" | "getsockopt" => &LEVEL_AND_NAME,
        "open" => &OPEN,
        "openat" => &OPENAT,
        _ => &[],
    }
}

/// The width of argument `index` of `syscall` through `abi`.
pub(super) fn width(abi: SeccompArch, syscall: &str, index: u8) -> ArgWidth {
    if abi.has_32_bit_arguments() {
        return ArgWidth::U32;
    }
    kernel_width(syscall, index).unwrap_or(ArgWidth::U64)
}

/// Names the decisive arguments of `syscall`, for comments.
pub(super) fn what_decides(syscall: &str) -> &'static str {
    match syscall {
        "socket" | "socketpair" => "family and type",
        "clone" => "flags",
        "unshare" | "setns" => "namespaces",
        "prctl" => "option",
        "personality" => "persona",
        "fcntl" | "fcntl64" => "command",
        "ioctl" => "request",
        "mmap" | "mmap2" | "mprotect" | "pkey_mprotect" => "protection",
        "setsockopt" | "getsockopt" => "level and option",
        "open" | "openat" => "set of flags",
        _ => "arguments",
    }
}
