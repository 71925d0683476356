//! Named sets of syscalls, usable wherever the DSL takes a list of names
//! (`allow @basic_io, @file_system, read;`, `forbid @privileged;`): the
//! sets of systemd's `SystemCallFilter=` (with `_` for `-`), sets made for
//! Rust programs on glibc, and the purposes under which a recorded policy
//! ([`crate::record`]) lists what a program called ([`purpose_of`]).
//!
//! A group's content is part of the policy's meaning: any change to one is
//! a behaviour change, recorded in `CHANGELOG.md` with a new [`VERSION`].
//! Groups hold only syscalls that libseccomp 2.5.4 knows, so that a group
//! means the same to `install()` and to a container engine; a newer
//! syscall is named on its own. A name that does not exist on an ABI (the
//! 32-bit `_llseek` on x86_64) is skipped there, as any name is.

/// The version of the groups' contents, raised with every change.
pub const VERSION: u32 = 1;

mod purposes;
mod sets;

/// A set of syscalls with one purpose.
#[derive(Clone, Copy, Debug)]
pub struct Group {
    /// The group's name, as `@name` in the DSL.
    pub name: &'static str,
    /// What the syscalls are for, as a comment above them.
    pub purpose: &'static str,
    /// The syscalls, by name, besides those of `includes`.
    pub syscalls: &'static [&'static str],
    /// Groups whose syscalls this one has too.
    pub includes: &'static [&'static str],
}

/// The groups a recorded policy lists syscalls under, in its order: the
/// first that has a syscall is its purpose.
pub const PURPOSES: [&str; 16] = [
    "basic_io",
    "file_system",
    "memory",
    "threads",
    "process",
    "signal",
    "io_event",
    "time",
    "network_io",
    "ipc",
    "system_info",
    "device_control",
    "setuid",
    "mount",
    "privileged",
    "other",
];

/// Every group.
pub static GROUPS: [Group; 34] = concat(purposes::PURPOSE_GROUPS, sets::SET_GROUPS);

/// `a` then `b`, in a constant.
const fn concat<const A: usize, const B: usize, const N: usize>(
    a: [Group; A],
    b: [Group; B],
) -> [Group; N] {
    assert!(A + B == N, "the groups are counted right");
    let mut all = [a[0]; N];
    let mut index = 0;
    while index < N {
        all[index] = if index < A { a[index] } else { b[index - A] };
        index += 1;
    }
    all
}

/// The group whose purpose `syscall` serves: the first of [`PURPOSES`]
/// that has it, or `other`.
///
/// ```
/// use seccomp_dsl_core::groups::purpose_of;
/// assert_eq!(purpose_of("openat").name, "file_system");
/// assert_eq!(purpose_of("no_such_call").name, "other");
/// ```
pub fn purpose_of(syscall: &str) -> &'static Group {
    PURPOSES
        .iter()
        .filter_map(|name| group(name))
        .find(|group| group.contains(syscall))
        .or_else(|| group("other"))
        .expect("`other` is a group")
}

/// The group named `name` (without `@`).
pub fn group(name: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|group| group.name == name)
}

impl Group {
    /// Every syscall of the group, its included groups' too, sorted, once
    /// each.
    ///
    /// ```
    /// use seccomp_dsl_core::groups::group;
    /// let service = group("system_service").unwrap().members();
    /// assert!(service.contains(&"openat") && !service.contains(&"mount"));
    /// ```
    pub fn members(&self) -> Vec<&'static str> {
        let mut members: Vec<&'static str> = self.syscalls.to_vec();
        for included in self.includes {
            members.extend(group(included).map(Group::members).unwrap_or_default());
        }
        members.sort_unstable();
        members.dedup();
        members
    }

    /// Whether `syscall` is a member, directly or by an included group.
    ///
    /// ```
    /// use seccomp_dsl_core::groups::group;
    /// let service = group("system_service").unwrap();
    /// assert!(service.contains("openat") && !service.contains("mount"));
    /// ```
    pub fn contains(&self, syscall: &str) -> bool {
        self.syscalls.contains(&syscall)
            || (self.includes.iter())
                .filter_map(|included| group(included))
                .any(|included| included.contains(syscall))
    }

    /// The members that exist on `abi`.
    pub fn members_on(&self, abi: crate::tables::abi::SeccompArch) -> Vec<&'static str> {
        let table = abi.syscall_table();
        (self.members().into_iter())
            .filter(|name| {
                crate::syscalls::lookup(name).is_some_and(|entry| entry.exists_on(table))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grouped_name_is_a_syscall_every_engine_knows() {
        use crate::model::Architectures;
        for group in &GROUPS {
            for name in group.syscalls {
                assert!(crate::syscalls::lookup(name).is_some(), "{name}");
                let dropped = crate::engines::TARGET.drops(name, &Architectures::Native);
                assert!(dropped.is_empty(), "@{}: {name}", group.name);
            }
            for included in group.includes {
                assert!(self::group(included).is_some(), "{included}");
            }
        }
    }

    #[test]
    fn purposes_are_groups_that_share_no_syscall() {
        let mut seen = std::collections::BTreeSet::new();
        for name in PURPOSES {
            let group = group(name).unwrap_or_else(|| panic!("{name}"));
            for syscall in group.members() {
                assert!(seen.insert(syscall), "{syscall} has two purposes");
            }
        }
    }
}
