//! Shared by the integration tests: the test policies, and running code in a
//! forked child, since a seccomp filter can never be removed from a process.

#![allow(dead_code)] // each test binary uses a different part

pub mod libseccomp_errors;
pub mod policies;

use std::sync::atomic::{AtomicI64, Ordering};

/// How a child process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Exited(i32),
    Signaled(i32),
}

/// What a child observed: the values it recorded, and how it ended.
#[derive(Debug)]
pub struct Observed {
    pub pid: i32,
    pub values: Vec<i64>,
    pub ending: Ending,
}

/// Where a child records values: a page of memory shared with the parent,
/// so that recording needs no syscall the policy under test might deny.
pub struct Recorder {
    slots: &'static [AtomicI64],
}

const SLOTS: usize = 1 << 16;

impl Recorder {
    pub fn record(&self, value: i64) {
        let count = self.slots[0].load(Ordering::SeqCst) as usize;
        assert!(count + 1 < SLOTS, "too many recorded values");
        self.slots[count + 1].store(value, Ordering::SeqCst);
        self.slots[0].store(count as i64 + 1, Ordering::SeqCst);
    }
}

/// Runs `body` in a forked child, which then exits with status 0, and
/// returns what it recorded and how it ended. The policy `body` installs
/// must allow `exit_group` for a normal exit.
pub fn in_child(body: impl FnOnce(&Recorder)) -> Observed {
    let bytes = SLOTS * std::mem::size_of::<AtomicI64>();
    // SAFETY: a fresh anonymous shared mapping, unmapped below after the
    // child is gone.
    let memory = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(
        memory,
        libc::MAP_FAILED,
        "mmap: {}",
        std::io::Error::last_os_error()
    );
    // SAFETY: the mapping is zeroed, aligned, and lives until munmap below.
    let slots: &'static [AtomicI64] =
        unsafe { std::slice::from_raw_parts(memory as *const AtomicI64, SLOTS) };
    let recorder = Recorder { slots };

    // SAFETY: the child only runs `body` and exits, never returning into
    // the test harness.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
    if pid == 0 {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(&recorder)));
        // SAFETY: ends the child without running the harness's exit code.
        unsafe { libc::_exit(if outcome.is_ok() { 0 } else { 101 }) };
    }

    let mut status = 0;
    // SAFETY: waits for our own child.
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(waited, pid, "waitpid: {}", std::io::Error::last_os_error());
    let ending = if libc::WIFEXITED(status) {
        Ending::Exited(libc::WEXITSTATUS(status))
    } else {
        Ending::Signaled(libc::WTERMSIG(status))
    };
    let count = slots[0].load(Ordering::SeqCst) as usize;
    let values = slots[1..=count]
        .iter()
        .map(|slot| slot.load(Ordering::SeqCst))
        .collect();
    // SAFETY: unmaps the mapping made above; `slots` is not used after this.
    unsafe { libc::munmap(memory, bytes) };
    Observed {
        pid,
        values,
        ending,
    }
}

/// A raw syscall: its return value, or minus the errno it failed with.
pub fn raw_syscall(number: libc::c_long, args: [u64; 6]) -> i64 {
    // SAFETY: the tests call only syscalls without memory arguments
    // (getpid, getppid, personality) or with invalid descriptors.
    let result =
        unsafe { libc::syscall(number, args[0], args[1], args[2], args[3], args[4], args[5]) };
    if result < 0 {
        -i64::from(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
    } else {
        result
    }
}

/// Installs `profile` in the child, recording 0 on success or 1 on failure.
pub fn install(recorder: &Recorder, profile: &seccomp_dsl::Profile) {
    recorder.record(i64::from(install_with_backend(profile).is_err()));
}

/// `Profile::install`, or with `SECCOMP_DSL_BACKEND=libseccomp` (and the
/// feature) `Profile::install_libseccomp`: the same tests check both.
pub fn install_with_backend(profile: &seccomp_dsl::Profile) -> Result<(), seccomp_dsl::Error> {
    #[cfg(feature = "libseccomp")]
    if std::env::var("SECCOMP_DSL_BACKEND").as_deref() == Ok("libseccomp") {
        return profile.install_libseccomp();
    }
    profile.install()
}
