//! The container engine the Docker export is made for, and what it does to
//! a profile that `install()` does not.
//!
//! A Docker profile is read by an engine (podman, Docker, containerd), which
//! hands it to a runtime (runc), which builds the filter with the libseccomp
//! it links against. Each of them can read a profile differently from the
//! model. [`TARGET`] states the versions the export is checked against,
//! measured in the real-engine suite; the checks of this module say where a
//! policy would be decided differently there.

use crate::bpf::assemble::{assemble, Ir, Target};
use crate::bpf::{audit_arch, number_bias, offset, op, return_value, Instruction, X32_SYSCALL_BIT};
use crate::model::{Action, Architectures, Context, Policy, Resolved, Rule, SeccompArch};

pub use crate::model::{EnosysStub, STUB_ACTION};
use crate::syscalls;

mod libseccomp_2_5_4;
#[cfg(feature = "checks")]
pub mod libseccomp_db;
#[cfg(feature = "checks")]
mod miscompiled;
mod runc_calls;
mod stub;

#[cfg(feature = "checks")]
pub use miscompiled::miscompiled_by_libseccomp;
pub use runc_calls::{Denied, RuntimeCall, RUNC_1_1_5_CALLS};

/// A container engine stack a Docker profile is made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Engine {
    /// The word that selects it in a policy (`engine docker;`).
    pub keyword: &'static str,
    /// The engine, as users name it.
    pub name: &'static str,
    /// The OCI runtime that loads the filter.
    pub runtime: &'static str,
    /// The libseccomp the runtime builds the filter with.
    pub libseccomp: &'static str,
    /// Whether the engine honours `minKernel` in `includes` and `excludes`.
    pub honours_min_kernel: bool,
    /// Whether the engine honours `defaultErrnoRet` (else the default
    /// denies with EPERM).
    pub honours_default_errno: bool,
    /// The native ABIs of the hosts the engine is targeted on: what a
    /// profile without `architectures` or `archMap` is checked for.
    pub hosts: &'static [SeccompArch],
    /// Whether the runtime refuses to start a container whose profile has
    /// `flags` (runc before 1.2 does, whatever they are).
    pub refuses_flags: bool,
    /// The calls the runtime makes itself after it has loaded the filter,
    /// with the argument values it passes where they are always the same:
    /// what a profile must let run for a container to start.
    pub runtime_calls: &'static [RuntimeCall],
}

/// podman 4.3 with runc 1.1.5 and libseccomp 2.5.4, as Debian 12 ships
/// them, on x86_64 and aarch64 hosts: the stack of the real-engine suite,
/// and the one a policy targets unless it says `engine docker;`.
pub const PODMAN: Engine = Engine {
    keyword: "podman",
    name: "podman 4.3",
    runtime: "runc 1.1.5",
    libseccomp: "2.5.4",
    honours_min_kernel: false,
    honours_default_errno: true,
    hosts: &[SeccompArch::X86_64, SeccompArch::Aarch64],
    refuses_flags: true,
    runtime_calls: &RUNC_1_1_5_CALLS,
};

/// Docker 20.10 (Debian 12's `docker.io`) with the same runc and
/// libseccomp: it honours `minKernel`, and ignores `defaultErrnoRet`.
pub const DOCKER: Engine = Engine {
    keyword: "docker",
    name: "Docker 20.10",
    honours_min_kernel: true,
    honours_default_errno: false,
    ..PODMAN
};

/// The engine a policy targets unless it names another.
pub const TARGET: Engine = PODMAN;

/// Every engine a policy can target.
pub const ALL: [Engine; 2] = [PODMAN, DOCKER];

impl Default for Engine {
    /// The engine a policy targets unless it names another.
    fn default() -> Engine {
        TARGET
    }
}

impl Engine {
    /// The engine `engine KEYWORD;` selects.
    ///
    /// ```
    /// use seccomp_dsl_core::engines::{Engine, DOCKER};
    /// assert_eq!(Engine::by_keyword("docker"), Some(DOCKER));
    /// ```
    pub fn by_keyword(keyword: &str) -> Option<Engine> {
        ALL.into_iter().find(|engine| engine.keyword == keyword)
    }
}

impl Engine {
    /// Whether the engine's libseccomp knows `syscall` on `abi`. runc drops
    /// every rule on a name its libseccomp cannot resolve, silently.
    ///
    /// ```
    /// use seccomp_dsl_core::engines::TARGET;
    /// use seccomp_dsl_core::model::SeccompArch;
    /// assert!(TARGET.knows("futex_requeue", SeccompArch::X86_64));
    /// assert!(!TARGET.knows("mseal", SeccompArch::X86_64));
    /// ```
    pub fn knows(&self, syscall: &str, abi: SeccompArch) -> bool {
        self.supports(abi) && !listed_on(libseccomp_2_5_4::UNKNOWN, syscall, abi)
    }

    /// Whether the engine's libseccomp supports `abi` at all.
    pub fn supports(&self, abi: SeccompArch) -> bool {
        !libseccomp_2_5_4::UNSUPPORTED_ABIS.contains(&abi.syscall_table().name())
    }

    /// The ABIs a profile with `architectures` may be run on where `syscall`
    /// exists but the engine's libseccomp does not know it: there the
    /// engine drops rules on it. A profile for the native ABI only may run
    /// on any host, so every ABI counts; but not the ABIs that libseccomp
    /// has no support for at all, where the engine builds no filter.
    ///
    /// ```
    /// use seccomp_dsl_core::engines::TARGET;
    /// use seccomp_dsl_core::model::{Architectures, SeccompArch};
    /// let dropped = TARGET.drops(
    ///     "uretprobe",
    ///     &Architectures::List(vec![SeccompArch::X86_64, SeccompArch::X86].into()),
    /// );
    /// assert_eq!(dropped, [SeccompArch::X86_64]); // i386 has no uretprobe
    /// ```
    pub fn drops(&self, syscall: &str, architectures: &Architectures) -> Vec<SeccompArch> {
        let Some(entry) = syscalls::lookup(syscall) else {
            return Vec::new();
        };
        let abis = match architectures {
            Architectures::Native => SeccompArch::ALL.to_vec(),
            listed => listed.named(),
        };
        let mut dropped: Vec<SeccompArch> = abis
            .into_iter()
            .filter(|&abi| {
                self.supports(abi)
                    && entry.exists_on(abi.syscall_table())
                    && !self.knows(syscall, abi)
            })
            .collect();
        dropped.sort_unstable_by_key(|abi| abi.docker_name());
        dropped.dedup();
        dropped
    }

    /// The syscalls of `rule` the engine drops the rule for somewhere (see
    /// [`Engine::drops`]).
    pub fn dropped_names<'r>(&self, rule: &'r Rule, architectures: &Architectures) -> Vec<&'r str> {
        (rule.syscalls.iter())
            .filter(|name| !self.drops(name, architectures).is_empty())
            .map(|name| name.as_ref())
            .collect()
    }

    /// What the Docker profile says, in the rule's comment, of the syscalls
    /// `left_out` of a rule by the engine, acknowledged in the source.
    ///
    /// ```
    /// use seccomp_dsl_core::engines::TARGET;
    /// assert_eq!(
    ///     TARGET.left_out_note(&["mseal"]),
    ///     "Left out of this rule by podman 4.3 (runc 1.1.5, libseccomp 2.5.4), \
    ///      which does not know: mseal."
    /// );
    /// ```
    pub fn left_out_note(&self, left_out: &[&str]) -> String {
        format!(
            "Left out of this rule by {}, which does not know: {}.",
            self.describe(),
            left_out.join(", ")
        )
    }

    /// The multiplexer (`socketcall` or `ipc`) through which the engine's
    /// libseccomp also applies rules on `syscall` on `abi`, without their
    /// conditions, where it does.
    ///
    /// ```
    /// use seccomp_dsl_core::engines::TARGET;
    /// use seccomp_dsl_core::model::SeccompArch;
    /// assert_eq!(TARGET.multiplexer("socket", SeccompArch::X86), Some("socketcall"));
    /// assert_eq!(TARGET.multiplexer("socket", SeccompArch::X86_64), None);
    /// ```
    pub fn multiplexer(&self, syscall: &str, abi: SeccompArch) -> Option<&'static str> {
        const IPC: [&str; 12] = [
            "msgctl",
            "msgget",
            "msgrcv",
            "msgsnd",
            "semctl",
            "semget",
            "semop",
            "semtimedop",
            "shmat",
            "shmctl",
            "shmdt",
            "shmget",
        ];
        self.multiplexes(syscall, abi).then(|| {
            if IPC.contains(&syscall) {
                "ipc"
            } else {
                "socketcall"
            }
        })
    }

    /// The syscalls of `rule` (their positions) that the engine's
    /// libseccomp also applies to a multiplexer without their conditions on
    /// an ABI `policy` lists (or, without a list, on the engine's
    /// [`hosts`](Engine::hosts)), with that ABI and the multiplexer, where
    /// the multiplexer has no unconditional rule of its own (which
    /// libseccomp would keep alone, as `install()` does).
    pub fn multiplexed(
        &self,
        policy: &Policy,
        rule: &Rule,
    ) -> Vec<(usize, SeccompArch, &'static str)> {
        let listed = match &policy.architectures {
            Architectures::Native => self.hosts.to_vec(),
            listed => listed.named(),
        };
        let has_own_rule = |multiplexer: &str| {
            (policy.rules.iter()).any(|rule| {
                rule.names(multiplexer) && rule.is_unconditional() && rule.applies_everywhere()
            })
        };
        (rule.syscalls.iter().enumerate())
            .filter_map(|(position, syscall)| {
                let (abi, multiplexer) = (listed.iter())
                    .find_map(|&abi| Some((abi, self.multiplexer(syscall, abi)?)))?;
                (!has_own_rule(multiplexer)).then_some((position, abi, multiplexer))
            })
            .collect()
    }

    /// The stack, as messages name it: `podman 4.3 (runc 1.1.5, libseccomp 2.5.4)`.
    pub fn describe(&self) -> String {
        format!(
            "{} ({}, libseccomp {})",
            self.name, self.runtime, self.libseccomp
        )
    }
}

/// Whether a policy with these ABIs covers x32 on some host, where
/// libseccomp compares only the low half of every argument, 64-bit ones
/// included (see [`crate::model::ArgCondition::compares_64_bits`]).
pub fn covers_x32(architectures: &Architectures) -> bool {
    architectures.named().contains(&SeccompArch::X32)
}

impl Policy {
    /// The policy as installed in `context` on the `native` ABI: the rules
    /// that apply there ([`Policy::applicable`]), and the ENOSYS stub the
    /// target engine puts before the filter, which `install()` applies too.
    ///
    /// ```
    /// use seccomp_dsl_core::model::*;
    /// let policy = Policy::new(Action::Errno(1), vec![Rule::new(["read"], [], Action::Allow)]);
    /// let context = Context { arch: "amd64".into(), capabilities: vec![], kernel: KernelVersion { major: 6, minor: 1 } };
    /// let resolved = policy.resolve(&context, SeccompArch::X86_64);
    /// assert_eq!(resolved.rules.len(), 1);
    /// // No ABI list, so no stub: engines read such a profile as the native ABI alone.
    /// assert!(resolved.enosys_stub.is_empty());
    /// ```
    pub fn resolve(&self, context: &Context, native: SeccompArch) -> Resolved<'_> {
        self.resolve_where(context, native, |_| true)
    }

    /// [`Policy::resolve`] for what `install()` applies: the rules of
    /// `startup` blocks left out ([`Policy::installed`]). The stub stays the
    /// whole policy's, so that `install()` and a container answer alike
    /// every call no `startup` rule matches.
    pub fn resolve_installed(&self, context: &Context, native: SeccompArch) -> Resolved<'_> {
        self.resolve_where(context, native, |rule| !rule.startup)
    }

    /// [`Policy::resolve`], then only the rules `kept` keeps.
    fn resolve_where(
        &self,
        context: &Context,
        native: SeccompArch,
        kept: impl Fn(&Rule) -> bool,
    ) -> Resolved<'_> {
        let mut resolved = self.applicable(context, native);
        resolved.enosys_stub = TARGET.enosys_stub(
            self.default_action,
            resolved.listed,
            &resolved.rules,
            &resolved.architectures,
        );
        resolved.rules.retain(|rule| kept(rule));
        resolved
    }
}

impl Engine {
    /// Whether the engine's libseccomp names `syscall` on `abi` by a
    /// pseudo-number (it multiplexes it through socketcall or ipc).
    fn multiplexes(&self, syscall: &str, abi: SeccompArch) -> bool {
        listed_on(libseccomp_2_5_4::MULTIPLEXED, syscall, abi)
    }
}

/// Whether `table` (per ABI, by the syscall table's name for it) lists
/// `syscall` for `abi`.
fn listed_on(table: &[(&str, &[&str])], syscall: &str, abi: SeccompArch) -> bool {
    let name = abi.syscall_table().name();
    (table.iter())
        .find(|(abi, _)| *abi == name)
        .is_some_and(|(_, syscalls)| syscalls.contains(&syscall))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ArgCondition, CmpOp};

    #[test]
    fn libseccomp_2_5_4_lacks_the_newest_syscalls_and_the_probes() {
        for name in [
            "statmount",
            "listmount",
            "mseal",
            "open_tree_attr",
            "uretprobe",
        ] {
            assert!(!TARGET.knows(name, SeccompArch::X86_64), "{name}");
        }
        for name in [
            "read",
            "futex_waitv",
            "futex_requeue",
            "cachestat",
            "map_shadow_stack",
        ] {
            assert!(TARGET.knows(name, SeccompArch::X86_64), "{name}");
        }
        assert!(!TARGET.knows("read", SeccompArch::Loongarch64));
    }

    #[test]
    fn socket_rules_reach_socketcall_only_where_an_abi_multiplexes_them() {
        let rule = Rule::new(
            ["socket"],
            [ArgCondition::new(0, CmpOp::Eq, 1)],
            Action::Allow,
        );
        let mut policy = Policy::new(Action::Errno(1), vec![rule.clone()]);
        // The target's hosts, x86_64 and aarch64, call socket directly.
        assert!(TARGET.multiplexed(&policy, &rule).is_empty());
        policy.architectures =
            Architectures::List(vec![SeccompArch::X86_64, SeccompArch::X86].into());
        assert_eq!(
            TARGET.multiplexed(&policy, &rule),
            [(0, SeccompArch::X86, "socketcall")]
        );
        // A rule of socketcall's own is what libseccomp keeps.
        let own = Rule::new(["socketcall"], [], Action::Errno(13));
        policy.rules.to_mut().push(own);
        assert!(TARGET.multiplexed(&policy, &rule).is_empty());
    }

    #[test]
    fn every_name_the_table_lists_is_one_the_syscall_table_has() {
        for (_, names) in libseccomp_2_5_4::UNKNOWN {
            for name in *names {
                assert!(syscalls::lookup(name).is_some(), "{name}");
            }
        }
    }
}
