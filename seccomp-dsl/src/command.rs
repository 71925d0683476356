//! A policy for a child process only: loaded between `fork` and `exec` by
//! [`std::process::Command`], the parent unfiltered.

use std::os::unix::process::CommandExt as _;
use std::process::Command;

use seccomp_dsl_core::bpf::emulate::{run, SeccompData};
use seccomp_dsl_core::bpf::{audit_arch, ret, Instruction};
use seccomp_dsl_core::model::SeccompArch;
use seccomp_dsl_core::syscalls;

use crate::install::kernel::{fits, load, Scope};
use crate::{Error, Profile};

/// Refuses a child's `program` under which the child could not start, or
/// could not say why not: `execve` (its arguments, pointers, aside) or
/// `write` on every descriptor up to 1023 gets something other than
/// running.
fn starts(program: &[Instruction]) -> Result<(), Error> {
    let Some(native) = SeccompArch::native() else {
        return Ok(());
    };
    let runs = |name: &str, first: u64| {
        let number = syscalls::lookup(name).and_then(|entry| entry.number(native.syscall_table()));
        let (Some(number), Some(arch)) = (number, audit_arch(native)) else {
            return true;
        };
        let data = SeccompData {
            nr: number as i32,
            arch,
            instruction_pointer: 0,
            args: [first, 0, 0, 0, 0, 0],
        };
        run(program, &data).map_or(true, |answer| {
            matches!(answer & ret::ACTION_FULL, ret::ALLOW | ret::LOG)
        })
    };
    if !runs("execve", 0) {
        return Err(Error::ChildCannotStart("execve"));
    }
    if !(0..1024).any(|descriptor| runs("write", descriptor)) {
        return Err(Error::ChildCannotStart("write"));
    }
    Ok(())
}

/// Runs a child process under a policy: `Command::new("tool")
/// .seccomp_policy(&POLICY)?.spawn()`.
pub trait CommandExt {
    /// Loads `profile` in the child between `fork` and `exec`, so that the
    /// program it executes, and everything that program starts, runs under
    /// it, while this process stays unfiltered.
    ///
    /// The program is compiled (or taken from the macro's presets) here,
    /// for this process's context; the child then only sets no_new_privs
    /// and calls `seccomp(2)`: no allocation and no lock between `fork`
    /// and `exec`, as a multi-threaded parent requires. The policy must
    /// allow `execve` (and what the program needs to start), and `write`
    /// on some descriptor, with which the standard library's child reports
    /// an `execve` that failed (without it, and with what `abort` needs
    /// denied, the child would spin): a policy that lets either run for no
    /// call is refused here ([`Error::ChildCannotStart`]). If the kernel
    /// refuses the filter, `spawn` fails with that error and nothing runs.
    ///
    /// Fits a tool the program runs on untrusted input (a converter, a
    /// decompressor) whose needs differ from the program's own, or a
    /// program that must keep calls its children must not make.
    ///
    /// ```no_run
    /// use seccomp_dsl::CommandExt;
    /// static NO_NETWORK: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    ///     default allow;
    ///     errno(EACCES) socket, socketpair;
    /// };
    /// let status = std::process::Command::new("gzip")
    ///     .arg("-d")
    ///     .arg("input.gz")
    ///     .seccomp_policy(&NO_NETWORK)?
    ///     .status()?;
    /// println!("gzip: {status}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn seccomp_policy(&mut self, profile: &'static Profile) -> Result<&mut Self, Error>;

    /// [`CommandExt::seccomp_policy`], except that a call of the child the
    /// policy kills for is named on this process's standard error, as
    /// [`Profile::install_naming_kills`] names it, before the child dies by
    /// SIGSYS (by SIGKILL where it blocks SIGSYS). A thread of
    /// seccomp-dsl's in this process takes each child's listener and names
    /// its kills; it ends when the command is dropped. For development: the
    /// parent sees which call its child died of, not only signal 31.
    /// Feature `tools`.
    #[cfg(feature = "tools")]
    fn seccomp_policy_naming_kills(
        &mut self,
        profile: &'static Profile,
    ) -> Result<&mut Self, Error>;
}

impl CommandExt for Command {
    fn seccomp_policy(&mut self, profile: &'static Profile) -> Result<&mut Self, Error> {
        let program = profile.compile_for_a_child()?.into_owned();
        fits(&program)?;
        starts(&program)?;
        let flags = profile.policy().flags.clone().into_owned();
        // SAFETY: the closure makes two system calls on memory allocated
        // before the fork (`program`, `flags`); see `load`.
        unsafe {
            self.pre_exec(move || load(&program, &flags, Scope::Thread).map_err(Error::into_io));
        }
        Ok(self)
    }

    #[cfg(feature = "tools")]
    fn seccomp_policy_naming_kills(
        &mut self,
        profile: &'static Profile,
    ) -> Result<&mut Self, Error> {
        crate::diagnose::naming_command(self, profile)?;
        Ok(self)
    }
}
