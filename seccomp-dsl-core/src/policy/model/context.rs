//! Where a policy is installed: the kernel version, the process's
//! context, the ABIs a filter covers and its flags.

use std::fmt;

use super::*;

/// A Linux kernel version, `major.minor`, as Docker's `minKernel` states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KernelVersion {
    /// The major version (the 4 of 4.8).
    pub major: u32,
    /// The minor version (the 8 of 4.8).
    pub minor: u32,
}

impl KernelVersion {
    /// Parses `4.8`, or a release string such as `6.1.0-13-amd64` (whose
    /// first two numbers count).
    ///
    /// ```
    /// use seccomp_dsl_core::model::KernelVersion;
    /// assert_eq!(KernelVersion::parse("4.8"), Some(KernelVersion { major: 4, minor: 8 }));
    /// assert_eq!(KernelVersion::parse("6.18.44-fc"), Some(KernelVersion { major: 6, minor: 18 }));
    /// assert_eq!(KernelVersion::parse("4"), None);
    /// assert_eq!(KernelVersion::parse("4..8"), None);
    /// assert_eq!(KernelVersion::parse("v4.8"), None);
    /// ```
    pub fn parse(text: &str) -> Option<KernelVersion> {
        KernelVersion::parse_bytes(text.as_bytes())
    }

    /// [`KernelVersion::parse`] on bytes, such as `uname`'s `release`
    /// field (whose NUL ends the minor version as any other non-digit
    /// does). Inlined, with no allocation, library call or table, so that
    /// reading the kernel version costs `install()` little more than the
    /// `uname` call.
    #[inline]
    pub fn parse_bytes(text: &[u8]) -> Option<KernelVersion> {
        #[inline(always)]
        fn leading_number(text: &[u8]) -> Option<(u32, &[u8])> {
            let digits = text.iter().take_while(|byte| byte.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            let number = text[..digits].iter().try_fold(0u32, |number, digit| {
                number.checked_mul(10)?.checked_add(u32::from(digit - b'0'))
            })?;
            Some((number, &text[digits..]))
        }
        let (major, rest) = leading_number(text)?;
        let (minor, _) = leading_number(rest.get(1..)?)?;
        Some(KernelVersion { major, minor })
    }
}

impl fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// What a rule's [`Filter`]s are decided against: the process that installs
/// the policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The native architecture, as Docker spells it (see [`DOCKER_ARCHES`]).
    pub arch: Cow<'static, str>,
    /// The capabilities in the bounding set (`CAP_SYS_ADMIN`, ...).
    pub capabilities: Vec<Cow<'static, str>>,
    /// The running kernel.
    pub kernel: KernelVersion,
}

/// Which ABIs the filter covers. Calls through any other ABI are killed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum Architectures {
    /// The native ABI only.
    #[default]
    Native,
    /// These ABIs (Docker's `architectures`).
    List(Cow<'static, [SeccompArch]>),
    /// For each native ABI, the ABIs to add to it (Docker's `archMap`). A
    /// native ABI not listed gets only itself.
    Map(Cow<'static, [ArchMapEntry]>),
}

/// One entry of [`Architectures::Map`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ArchMapEntry {
    /// A native ABI.
    pub arch: SeccompArch,
    /// The ABIs added to it; `None` is Docker's `null`.
    pub sub_arches: Option<Cow<'static, [SeccompArch]>>,
}

impl Architectures {
    /// Every ABI the list or the map names (none for the native ABI only):
    /// those some host may cover.
    pub fn named(&self) -> Vec<SeccompArch> {
        match self {
            Architectures::Native => Vec::new(),
            Architectures::List(arches) => arches.to_vec(),
            Architectures::Map(entries) => (entries.iter())
                .flat_map(|entry| {
                    let subs = entry
                        .sub_arches
                        .iter()
                        .flat_map(|subs| subs.iter().copied());
                    std::iter::once(entry.arch).chain(subs)
                })
                .collect(),
        }
    }

    /// Whether the Docker profile lists ABIs for a host whose native ABI is
    /// `native`: an `archMap` without an entry for it lists none.
    pub fn lists_for(&self, native: SeccompArch) -> bool {
        match self {
            Architectures::Native => false,
            Architectures::List(_) => true,
            Architectures::Map(entries) => entries.iter().any(|entry| entry.arch == native),
        }
    }

    /// The ABIs the filter covers when `native` is the native one, native first.
    pub fn covered(&self, native: SeccompArch) -> Vec<SeccompArch> {
        let mut covered = vec![native];
        let mut add = |arch: SeccompArch| {
            if !covered.contains(&arch) {
                covered.push(arch);
            }
        };
        match self {
            Architectures::Native => {}
            Architectures::List(arches) => arches.iter().copied().for_each(&mut add),
            Architectures::Map(entries) => {
                if let Some(entry) = entries.iter().find(|entry| entry.arch == native) {
                    entry
                        .sub_arches
                        .iter()
                        .flat_map(|subs| subs.iter().copied())
                        .for_each(&mut add);
                }
            }
        }
        covered
    }
}

/// A seccomp filter flag. None changes which action a call gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flag {
    /// Log every action but `allow` (`SECCOMP_FILTER_FLAG_LOG`).
    Log,
    /// Leave the speculative store bypass mitigation off
    /// (`SECCOMP_FILTER_FLAG_SPEC_ALLOW`).
    SpecAllow,
    /// Let a notifying filter's wait be killable
    /// (`SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV`).
    WaitKillableRecv,
}

impl Flag {
    /// Every flag.
    pub const ALL: [Flag; 3] = [Flag::Log, Flag::SpecAllow, Flag::WaitKillableRecv];

    /// The name in the DSL (`log`, `spec_allow`, `wait_killable_recv`).
    pub const fn name(self) -> &'static str {
        match self {
            Flag::Log => "log",
            Flag::SpecAllow => "spec_allow",
            Flag::WaitKillableRecv => "wait_killable_recv",
        }
    }

    /// The name in a Docker profile (`SECCOMP_FILTER_FLAG_LOG`, ...).
    pub fn docker_name(self) -> String {
        format!("SECCOMP_FILTER_FLAG_{}", self.name().to_ascii_uppercase())
    }

    /// Why the kernel refuses a filter with this flag, where it does
    /// whatever the policy: `wait_killable_recv` needs a user-notification
    /// listener, which a policy never has.
    pub const fn refused_by_the_kernel(self) -> Option<&'static str> {
        match self {
            Flag::WaitKillableRecv => Some(
                "`wait_killable_recv` applies only to a filter with a user-notification listener, \
                 which a policy never has: the kernel refuses the filter (EINVAL)",
            ),
            Flag::Log | Flag::SpecAllow => None,
        }
    }
}
