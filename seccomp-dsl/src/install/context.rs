//! The installing process's context, which decides the rules in
//! `when`/`unless` blocks: native architecture, capability bounding set and
//! kernel version, read with as few system calls as the rules need.

use std::borrow::Cow;
use std::io;

use seccomp_dsl_core::constants::CAPABILITIES;
use seccomp_dsl_core::model::{native_docker_arch, Context, KernelVersion};
use seccomp_dsl_core::preset::{Answers, Questions};

use super::Error;

/// The running process's context: native architecture, capability
/// bounding set and kernel version, as Docker reads them for a container.
pub fn current_context() -> Result<Context, Error> {
    let arch = native_docker_arch().ok_or(Error::UnsupportedArchitecture)?;
    let capabilities = CAPABILITIES
        .constants
        .iter()
        .filter(|(_, number)| u8::try_from(*number).is_ok_and(in_bounding_set))
        .map(|(name, _)| Cow::Borrowed(*name))
        .collect();
    Ok(Context {
        arch: Cow::Borrowed(arch),
        capabilities,
        kernel: running_kernel()?,
    })
}

/// The context of process `pid` as Docker reads it for a container: this
/// machine's architecture and kernel, and the process's capability bounding
/// set (`CapBnd` in `/proc/PID/status`). What [`crate::inspect::verify`]
/// decides a running process's policy in.
///
/// ```
/// let here = seccomp_dsl::context_of(std::process::id() as i32).unwrap();
/// assert_eq!(here, seccomp_dsl::current_context().unwrap());
/// ```
pub fn context_of(pid: i32) -> Result<Context, Error> {
    let arch = native_docker_arch().ok_or(Error::UnsupportedArchitecture)?;
    let bounding = status_field(pid, "CapBnd")
        .map_err(Error::Context)?
        .and_then(|mask| u64::from_str_radix(&mask, 16).ok())
        .ok_or_else(|| {
            Error::Context(io::Error::other(format!(
                "no capability bounding set in /proc/{pid}/status"
            )))
        })?;
    Ok(Context {
        arch: Cow::Borrowed(arch),
        capabilities: capabilities_in(bounding),
        kernel: running_kernel()?,
    })
}

/// The names of the capabilities whose bits are set in `mask` (a set as
/// `/proc/PID/status` shows it), in name order.
///
/// ```
/// let names = seccomp_dsl::capabilities_in(1 << 21 | 1);
/// assert_eq!(names, ["CAP_CHOWN", "CAP_SYS_ADMIN"]);
/// ```
pub fn capabilities_in(mask: u64) -> Vec<Cow<'static, str>> {
    (CAPABILITIES.constants.iter())
        .filter(|(_, number)| *number < 64 && mask & (1 << number) != 0)
        .map(|(name, _)| Cow::Borrowed(*name))
        .collect()
}

/// The running kernel's version: from the `Linux` note of the vDSO the
/// kernel maps into every process (no system call, and the real version
/// even under the `UNAME26` personality), else from `uname`.
fn running_kernel() -> Result<KernelVersion, Error> {
    match vdso_kernel_version() {
        Some(version) => Ok(version),
        None => uname_kernel_version(),
    }
}

/// `LINUX_VERSION_CODE` from the vDSO's ELF note (name `Linux`, type 0).
#[cfg(target_pointer_width = "64")]
fn vdso_kernel_version() -> Option<KernelVersion> {
    use std::mem::size_of;
    use std::ptr::read_unaligned;
    // SAFETY: getauxval only reads the auxiliary vector.
    let base = unsafe { libc::getauxval(libc::AT_SYSINFO_EHDR) } as usize;
    if base == 0 {
        return None;
    }
    // SAFETY: AT_SYSINFO_EHDR is the address of the vDSO's ELF image,
    // mapped readable for the life of the process; the program headers and
    // notes read below lie where that header says, within the image.
    unsafe {
        let header: libc::Elf64_Ehdr = read_unaligned(base as *const _);
        if header.e_ident[..4] != *b"\x7fELF"
            || usize::from(header.e_phentsize) != size_of::<libc::Elf64_Phdr>()
        {
            return None;
        }
        for index in 0..usize::from(header.e_phnum) {
            let address = base + header.e_phoff as usize + index * size_of::<libc::Elf64_Phdr>();
            let segment: libc::Elf64_Phdr = read_unaligned(address as *const _);
            if segment.p_type != libc::PT_NOTE {
                continue;
            }
            let (mut note, end) = (
                segment.p_offset as usize,
                segment.p_offset.saturating_add(segment.p_filesz) as usize,
            );
            // Each note: name size, description size, type, then the name
            // and the description, each padded to 4 bytes. The sizes are
            // 32-bit, so no sum below overflows.
            while note + 12 <= end {
                let word = |at: usize| read_unaligned((base + at) as *const u32) as usize;
                let (name_size, description_size, kind) =
                    (word(note), word(note + 4), word(note + 8));
                let description = note + 12 + name_size.next_multiple_of(4);
                let name = std::slice::from_raw_parts(
                    (base + note + 12) as *const u8,
                    name_size.min(end - note - 12),
                );
                if kind == 0
                    && name == b"Linux\0"
                    && description_size == 4
                    && description + 4 <= end
                {
                    let code = word(description) as u32;
                    return Some(KernelVersion {
                        major: code >> 16,
                        minor: (code >> 8) & 0xff,
                    });
                }
                note = description + description_size.next_multiple_of(4);
            }
        }
    }
    None
}

#[cfg(not(target_pointer_width = "64"))]
fn vdso_kernel_version() -> Option<KernelVersion> {
    None
}

/// The running kernel's version, from `uname`.
fn uname_kernel_version() -> Result<KernelVersion, Error> {
    let mut names = std::mem::MaybeUninit::<libc::utsname>::uninit();
    // SAFETY: uname fills the struct it is given, or fails.
    if unsafe { libc::uname(names.as_mut_ptr()) } != 0 {
        return Err(Error::Context(io::Error::last_os_error()));
    }
    // SAFETY: uname succeeded, so every field is set.
    let release = unsafe { &(*names.as_ptr()).release };
    // SAFETY: c_char and u8 have the same layout.
    let release: &[u8] =
        unsafe { std::slice::from_raw_parts(release.as_ptr().cast(), release.len()) };
    KernelVersion::parse_bytes(release).ok_or_else(|| {
        let length = release
            .iter()
            .position(|&c| c == 0)
            .unwrap_or(release.len());
        Error::Context(io::Error::other(format!(
            "unrecognised kernel release `{}`",
            String::from_utf8_lossy(&release[..length])
        )))
    })
}

/// How this process answers `questions` (see [`seccomp_dsl_core::preset`]):
/// one `prctl(PR_CAPBSET_READ)` per capability asked, and the kernel
/// version only if a question is about it.
pub(crate) fn answers_here(questions: &Questions) -> Result<Answers, Error> {
    let kernel = if questions.ask_kernel() {
        running_kernel()?
    } else {
        KernelVersion { major: 0, minor: 0 }
    };
    Ok(questions.answers_with(kernel, in_bounding_set))
}

/// Whether the capability numbered `number` is in the calling thread's
/// bounding set; false for one the kernel does not know.
fn in_bounding_set(number: u8) -> bool {
    // SAFETY: PR_CAPBSET_READ only reads the calling thread's bounding set.
    unsafe { libc::prctl(libc::PR_CAPBSET_READ, libc::c_ulong::from(number)) == 1 }
}

/// The value of field `name` in `/proc/PID/status` (`CapBnd`, `Tgid`,
/// `Seccomp`, ...), trimmed; `None` where the kernel does not show it.
///
/// ```
/// let pid = std::process::id() as i32;
/// let tgid = seccomp_dsl::inspect::status_field(pid, "Tgid").unwrap();
/// assert_eq!(tgid, Some(pid.to_string()));
/// ```
pub fn status_field(pid: i32, name: &str) -> io::Result<Option<String>> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    Ok(status
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .map(|value| value.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vdso_and_uname_agree_on_the_kernel_version() {
        let from_uname = uname_kernel_version().unwrap();
        if cfg!(all(target_os = "linux", target_pointer_width = "64")) {
            assert_eq!(vdso_kernel_version(), Some(from_uname));
        }
        assert_eq!(running_kernel().unwrap(), from_uname);
    }
}
