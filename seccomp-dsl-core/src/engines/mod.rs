//! The container engine the Docker export is made for, and what it does to
//! a profile that `install()` does not.
//!
//! A Docker profile is read by an engine (podman, Docker, containerd), which
//! hands it to a runtime (runc), which builds the filter with the libseccomp
//! it links against. Each of them can read a profile differently from the
//! model. [`TARGET`] states the versions the export is checked against,
//! measured in the real-engine suite; the checks of this module say where a
//! policy would be decided differently there.

use crate::model::{Architectures, Rule, SeccompArch};
use crate::syscalls;

mod libseccomp_2_5_4;

/// A container engine stack a Docker profile is made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Engine {
    /// The engine, as users name it.
    pub name: &'static str,
    /// The OCI runtime that loads the filter.
    pub runtime: &'static str,
    /// The libseccomp the runtime builds the filter with.
    pub libseccomp: &'static str,
    /// Whether the engine honours `minKernel` in `includes` and `excludes`.
    pub honours_min_kernel: bool,
}

/// podman 4.3 with runc 1.1.5 and libseccomp 2.5.4, as Debian 12 ships
/// them: the stack of the real-engine suite.
pub const TARGET: Engine = Engine {
    name: "podman 4.3",
    runtime: "runc 1.1.5",
    libseccomp: "2.5.4",
    honours_min_kernel: false,
};

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
        let table = abi.syscall_table().name();
        self.supports(abi)
            && !libseccomp_2_5_4::UNKNOWN
                .iter()
                .find(|(name, _)| *name == table)
                .is_some_and(|(_, unknown)| unknown.contains(&syscall))
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
            Architectures::List(list) => list.to_vec(),
            Architectures::Map(entries) => {
                let mut abis = Vec::new();
                for entry in entries.iter() {
                    abis.push(entry.arch);
                    abis.extend(entry.sub_arches.iter().flat_map(|subs| subs.iter()));
                }
                abis
            }
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

    /// The stack, as messages name it: `podman 4.3 (runc 1.1.5, libseccomp 2.5.4)`.
    pub fn describe(&self) -> String {
        format!(
            "{} ({}, libseccomp {})",
            self.name, self.runtime, self.libseccomp
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn every_name_the_table_lists_is_one_the_syscall_table_has() {
        for (_, names) in libseccomp_2_5_4::UNKNOWN {
            for name in *names {
                assert!(syscalls::lookup(name).is_some(), "{name}");
            }
        }
    }
}
