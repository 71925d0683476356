//! Learning a policy from what a program does: the calls seen while it ran
//! ([`Recording`]), made into the policy that allows exactly those
//! ([`Recording::to_policy`]) and read back from one to add another run
//! ([`Recording::from_policy`]).
//!
//! A program that installs its own policy is recorded in two parts: what
//! it called before `install()` ([`Recording::observe_before_install`]),
//! which only a container or `seccomp-dsl run` needs, and what it called
//! under the installed policy ([`Recording::observe`]). Once an install is
//! noted ([`Recording::note_install`]), the policy puts the calls seen only
//! before it in a `startup { ... }` block; a program that never installs
//! has one part, all it called.
//!
//! Most syscalls are recorded by name. Those whose arguments decide what
//! they do (a socket's family, a clone's namespaces, an fcntl command, an
//! open's flags: see [`decisive_arguments`]) are recorded with the values
//! of those arguments, every bit of them but those proven harmless for
//! the call ([`HARMLESS_OPEN_FLAGS`]), and the policy allows each
//! combination seen and no other. Only `ioctl` is ever widened: past
//! [`MAX_COMBINATIONS`] requests, every request outside the terminal's is
//! allowed ([`TERMINAL_REQUESTS`], where `TIOCSTI` and its kind live),
//! with a comment and a lint the source must acknowledge
//! ([`crate::lints::IOCTL_RANGE`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::groups;
use crate::model::{
    Action, Architectures, ArgCondition, ArgWidth, CmpOp, Policy, Rule, SeccompArch,
};
use crate::upper_half::kernel_width;

mod decisive;

use decisive::what_decides;
pub use decisive::{decisive_arguments, Decisive};

/// More distinct `ioctl` requests than this and the policy allows every
/// request outside [`TERMINAL_REQUESTS`] (and each one seen inside), and
/// says so: a list that long is no longer a review aid. Other syscalls are
/// never widened.
pub const MAX_COMBINATIONS: usize = 16;

/// The terminal's `ioctl` requests (`0x5400` to `0x54ff`): those that push
/// input into a terminal (`TIOCSTI`), reach the console (`TIOCLINUX`,
/// `TIOCCONS`) or change its line discipline (`TIOCSETD`) among them. A
/// widened `ioctl` rule never covers them: each one seen is listed.
pub const TERMINAL_REQUESTS: std::ops::RangeInclusive<u64> = 0x5400..=0x54ff;

/// The flags of `open` and `openat` that do not change what the call may
/// do to the file: closing on `execve`, not blocking, not becoming the
/// controlling terminal. A recording compares every other bit.
pub const HARMLESS_OPEN_FLAGS: u64 = 0x80000 | 0x800 | 0x100;

/// The calls the kernel itself makes a process use, which a recording may
/// not see but every policy must allow for the program to go on:
/// returning from a signal handler, and resuming a call a stop (a
/// debugger's, `podman pause`, `seccomp-dsl verify`) interrupted.
pub const KERNEL_MADE: [&str; 2] = ["rt_sigreturn", "restart_syscall"];

/// What was seen of one syscall.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Seen {
    /// Allowed whatever its arguments: it has no decisive argument.
    any: bool,
    /// `ioctl` past [`MAX_COMBINATIONS`] requests: every request outside
    /// [`TERMINAL_REQUESTS`] is allowed.
    widened: bool,
    /// The combinations of decisive arguments seen, as the kernel reads
    /// them (for a widened `ioctl`, the terminal requests only).
    combinations: BTreeSet<Vec<u64>>,
}

impl Seen {
    /// Adds a combination of decisive values of `syscall`, or the whole
    /// syscall (`None`); past [`MAX_COMBINATIONS`], an `ioctl` is widened.
    fn add(&mut self, syscall: &str, combination: Option<Vec<u64>>) {
        match combination {
            None => self.any = true,
            Some(combination) if !self.any => {
                self.combinations.insert(combination);
                if syscall == "ioctl" && self.combinations.len() > MAX_COMBINATIONS {
                    self.widened = true;
                }
            }
            Some(_) => {}
        }
        if self.any {
            self.widened = false;
            self.combinations.clear();
        }
        if self.widened {
            self.combinations
                .retain(|combination| TERMINAL_REQUESTS.contains(&combination[0]));
        }
    }

    /// The part of this that `other` does not allow: the whole syscall unless
    /// `other` allows it whole, each combination `other` does not allow.
    fn beyond(&self, other: &Seen) -> Seen {
        if other.any {
            return Seen::default();
        }
        let combinations = (self.combinations.iter())
            .filter(|combination| !other.allows(Some(combination)))
            .cloned()
            .collect();
        Seen {
            any: self.any,
            widened: self.widened && !other.widened,
            combinations,
        }
    }

    /// Whether the decisive values `combination` are allowed.
    fn allows(&self, combination: Option<&Vec<u64>>) -> bool {
        self.any
            || combination.is_some_and(|combination| {
                self.combinations.contains(combination)
                    || (self.widened && !TERMINAL_REQUESTS.contains(&combination[0]))
            })
    }
}

/// The calls a program made, by syscall: what a policy must allow for it
/// to run as it did.
///
/// ```
/// use seccomp_dsl_core::model::{Action, SeccompArch};
/// use seccomp_dsl_core::record::Recording;
/// let mut recording = Recording::new(Action::KillProcess);
/// recording.observe(SeccompArch::X86_64, "read", &[0; 6]);
/// recording.observe(SeccompArch::X86_64, "socket", &[2, 0x80001, 0, 0, 0, 0]);
/// let source = seccomp_dsl_core::dsl::to_source(&recording.to_policy());
/// assert!(source.contains("allow read;"));
/// assert!(source.contains("rule socket(arg0 == AF_INET && arg1 == SOCK_STREAM | SOCK_CLOEXEC) => allow;"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recording {
    /// The action the policy takes for every call not seen.
    pub default_action: Action,
    /// The ABIs calls were seen through, besides the native one.
    pub foreign_abis: BTreeSet<SeccompArch>,
    /// The calls made under the installed policy, or all calls of a
    /// program that installs none.
    seen: BTreeMap<String, Seen>,
    /// The calls made before `install()`, or by a process not under it.
    before_install: BTreeMap<String, Seen>,
    /// Whether the program installed its policy while it was recorded (or
    /// the recording read back has a `startup` block).
    installs: bool,
}

impl Recording {
    /// An empty recording whose policy will take `default_action` for
    /// every call not seen.
    pub fn new(default_action: Action) -> Recording {
        Recording {
            default_action,
            foreign_abis: BTreeSet::new(),
            seen: BTreeMap::new(),
            before_install: BTreeMap::new(),
            installs: false,
        }
    }

    /// Whether nothing was seen.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty() && self.before_install.is_empty()
    }

    /// The number of distinct syscalls seen.
    pub fn syscall_count(&self) -> usize {
        let names: BTreeSet<&String> = self.seen.keys().chain(self.before_install.keys()).collect();
        names.len()
    }

    /// Notes one call of `syscall` with `args` through `abi`, the native
    /// ABI (see [`Recording::observe_foreign`] for the others), made under
    /// the installed policy, or by a program that installs none.
    pub fn observe(&mut self, abi: SeccompArch, syscall: &str, args: &[u64; 6]) {
        Self::note(&mut self.seen, abi, syscall, args);
    }

    /// [`Recording::observe`] for a call made before the program installed
    /// its policy, or by a process that is not under it: once an install
    /// is noted, what is seen only so goes in a `startup { ... }` block;
    /// without one, it is part of the policy as every other call.
    pub fn observe_before_install(&mut self, abi: SeccompArch, syscall: &str, args: &[u64; 6]) {
        if abi != SeccompArch::native().unwrap_or(abi) {
            self.foreign_abis.insert(abi);
        }
        Self::note(&mut self.before_install, abi, syscall, args);
    }

    /// Notes that the program installed its policy: what was seen only
    /// before goes in the policy's `startup { ... }` block.
    pub fn note_install(&mut self) {
        self.installs = true;
    }

    /// Whether an install was noted.
    pub fn installs(&self) -> bool {
        self.installs
    }

    fn note(seen: &mut BTreeMap<String, Seen>, abi: SeccompArch, syscall: &str, args: &[u64; 6]) {
        let combination = Self::combination(abi, syscall, args);
        (seen.entry(syscall.to_string()).or_default()).add(syscall, combination);
    }

    /// [`Recording::observe`] for a call through an ABI other than the
    /// native one, which the policy then covers too.
    pub fn observe_foreign(&mut self, abi: SeccompArch, syscall: &str, args: &[u64; 6]) {
        self.foreign_abis.insert(abi);
        self.observe(abi, syscall, args);
    }

    /// Whether a call of `syscall` with `args` through `abi` is one the
    /// recording's policy allows: the same syscall, and the same decisive
    /// values if it has any (a widened `ioctl`: any request outside the
    /// terminal's too).
    pub fn has_seen(&self, abi: SeccompArch, syscall: &str, args: &[u64; 6]) -> bool {
        let combination = Self::combination(abi, syscall, args);
        [&self.seen, &self.before_install]
            .iter()
            .any(|part| (part.get(syscall)).is_some_and(|seen| seen.allows(combination.as_ref())))
    }

    /// The decisive values of a call, as the kernel reads them (the low
    /// half of an `int`), or `None` when the syscall has none.
    fn combination(abi: SeccompArch, syscall: &str, args: &[u64; 6]) -> Option<Vec<u64>> {
        let decisive = decisive_arguments(syscall);
        (!decisive.is_empty()).then(|| {
            (decisive.iter())
                .map(|argument| argument.value_in(abi, syscall, args))
                .collect()
        })
    }

    /// Adds what `other` saw, each call in its part (before `install()` or
    /// under it). The default action stays this recording's.
    pub fn merge(&mut self, other: &Recording) {
        self.foreign_abis.extend(other.foreign_abis.iter().copied());
        merge_seen(&mut self.seen, &other.seen);
        merge_seen(&mut self.before_install, &other.before_install);
        self.installs |= other.installs;
    }

    /// What the policy allows under `install()` (with `also`) and what it
    /// allows before it only: without an install noted, every call is of
    /// the first part.
    fn parts(&self, also: &[&str]) -> (BTreeMap<String, Seen>, BTreeMap<String, Seen>) {
        let mut main = self.seen.clone();
        for name in also {
            main.entry(name.to_string()).or_default().add(name, None);
        }
        if !self.installs {
            merge_seen(&mut main, &self.before_install);
            return (main, BTreeMap::new());
        }
        let mut startup = BTreeMap::new();
        for (name, before) in &self.before_install {
            let under = main.get(name).cloned().unwrap_or_default();
            let only_before = before.beyond(&under);
            if only_before != Seen::default() {
                startup.insert(name.clone(), only_before);
            }
        }
        (main, startup)
    }

    /// The policy that allows exactly what was seen, and what the kernel
    /// makes every process call ([`KERNEL_MADE`]): one `allow` list per
    /// purpose ([`groups::GROUPS`]) with the purpose as its comment, then
    /// for each syscall with decisive arguments one rule per combination
    /// seen. Every other call gets the default action.
    ///
    /// Where the program installed its policy, what it called only before
    /// follows in `startup { ... }` ([`Rule::startup`]), written the same way.
    pub fn to_policy(&self) -> Policy {
        let (main, startup) = self.parts(&KERNEL_MADE);
        let mut rules = rules_of(&main);
        let mut before = rules_of(&startup);
        for rule in &mut before {
            rule.startup = true;
        }
        rules.extend(before);
        self.policy_with(rules)
    }

    /// The statements that allow what was seen and nothing more (not even
    /// [`KERNEL_MADE`]), as a policy: what to add to a policy that denied
    /// those calls.
    pub fn seen_policy(&self) -> Policy {
        let mut seen = self.seen.clone();
        merge_seen(&mut seen, &self.before_install);
        self.policy_with(rules_of(&seen))
    }

    fn policy_with(&self, rules: Vec<Rule>) -> Policy {
        let mut policy = Policy::new(self.default_action, rules);
        if !self.foreign_abis.is_empty() {
            let mut abis: Vec<SeccompArch> = SeccompArch::native().into_iter().collect();
            abis.extend(self.foreign_abis.iter().copied());
            policy.architectures = Architectures::List(Cow::Owned(abis));
        }
        policy
    }

    /// The recording a policy written by [`Recording::to_policy`] stands
    /// for, to add another run to it. A rule of any other form is an error
    /// that names it: such a policy was edited, and merging would lose the
    /// edit.
    pub fn from_policy(policy: &Policy) -> Result<Recording, String> {
        let mut recording = Recording::new(policy.default_action);
        if let Architectures::List(abis) = &policy.architectures {
            let native = SeccompArch::native();
            recording.foreign_abis = abis
                .iter()
                .copied()
                .filter(|&abi| Some(abi) != native)
                .collect();
        }
        for (index, rule) in policy.rules.iter().enumerate() {
            let refuse = |why: &str| {
                Err(format!(
                    "rule {} (`{}`) is not one `record` writes: {why}",
                    index + 1,
                    rule.syscalls.join(", ")
                ))
            };
            if rule.action != Action::Allow {
                return refuse("its action is not `allow`");
            }
            if !rule.applies_everywhere() {
                return refuse("it is in a `when` or `unless` block");
            }
            recording.installs |= rule.startup;
            let part = match rule.startup {
                true => &mut recording.before_install,
                false => &mut recording.seen,
            };
            if rule.conditions.is_empty() {
                // What every recording allows is implied, not seen.
                for name in rule
                    .syscalls
                    .iter()
                    .filter(|name| !KERNEL_MADE.contains(&name.as_ref()))
                {
                    part.entry(name.to_string()).or_default().add(name, None);
                }
                continue;
            }
            let widening = widened_ioctl();
            if rule.syscalls[..] == ["ioctl"]
                && widening
                    .iter()
                    .any(|wide| wide.conditions == rule.conditions)
            {
                part.entry("ioctl".into()).or_default().widened = true;
                continue;
            }
            let [name] = &rule.syscalls[..] else {
                return refuse("it has conditions and names more than one syscall");
            };
            let decisive = decisive_arguments(name);
            let matches = decisive.len() == rule.conditions.len()
                && decisive
                    .iter()
                    .zip(rule.conditions.iter())
                    .all(|(argument, condition)| {
                        condition.index == argument.index
                            && condition.op == argument.mask.map_or(CmpOp::Eq, CmpOp::MaskedEq)
                    });
            if !matches {
                let earlier = matches!(name.as_ref(), "open" | "openat")
                    && (rule.conditions.iter()).any(|c| c.op == CmpOp::MaskedEq(3));
                return refuse(&if earlier {
                    "it compares the access mode alone, as `record` did before it compared every \
                     flag but the harmless ones: it lets `O_TRUNC` and `O_CREAT` through; record \
                     the program again"
                        .to_string()
                } else {
                    format!("it compares other arguments than {}", what_decides(name))
                });
            }
            let values = rule.conditions.iter().map(|condition| condition.value);
            (part.entry(name.to_string()).or_default()).add(name, Some(values.collect()));
        }
        Ok(recording)
    }
}

/// One `allow` list per purpose ([`groups::GROUPS`]) with the purpose as
/// its comment, then for each syscall with decisive arguments one rule per
/// combination in `seen`.
fn rules_of(seen: &BTreeMap<String, Seen>) -> Vec<Rule> {
    let mut rules = Vec::new();
    for group in groups::PURPOSES
        .iter()
        .filter_map(|name| groups::group(name))
    {
        let in_group = |name: &&String| groups::purpose_of(name).name == group.name;
        let plain: Vec<&str> = (seen.iter())
            .filter(|(name, seen)| in_group(name) && seen.any)
            .map(|(name, _)| name.as_str())
            .collect();
        if !plain.is_empty() {
            let mut rule = Rule::new(plain.iter().copied(), [], Action::Allow);
            rule.comment = Some(Cow::Borrowed(group.purpose));
            rules.push(rule);
        }
        for (name, seen) in seen.iter().filter(|(name, _)| in_group(name)) {
            if seen.widened {
                rules.extend(widened_ioctl());
            }
            for (number, combination) in seen.combinations.iter().enumerate() {
                let conditions =
                    decisive_arguments(name)
                        .iter()
                        .zip(combination)
                        .map(|(argument, &value)| {
                            let width = kernel_width(name, argument.index).unwrap_or(ArgWidth::U64);
                            ArgCondition {
                                index: argument.index,
                                op: match argument.mask {
                                    Some(mask) => CmpOp::MaskedEq(mask),
                                    None => CmpOp::Eq,
                                },
                                value,
                                width,
                            }
                        });
                let mut rule = Rule::new([name.as_str()], conditions, Action::Allow);
                if number == 0 && !seen.widened {
                    rule.comment = Some(Cow::Owned(format!(
                        "`{name}`, for each {} seen",
                        what_decides(name)
                    )));
                }
                rules.push(rule);
            }
        }
    }
    rules
}

/// Adds what `theirs` saw of each syscall to `ours`.
fn merge_seen(ours: &mut BTreeMap<String, Seen>, theirs: &BTreeMap<String, Seen>) {
    for (syscall, theirs) in theirs {
        let ours = ours.entry(syscall.clone()).or_default();
        if theirs.any {
            ours.add(syscall, None);
        }
        if theirs.widened {
            ours.widened = true;
        }
        for combination in &theirs.combinations {
            ours.add(syscall, Some(combination.clone()));
        }
    }
}

/// The statement that allows `syscall(args)` through `abi` as a recording
/// would (the decisive values of the call, named: `rule fcntl(arg1 ==
/// F_GETFD) => allow;`), written to `out` without allocating, for a
/// thread other threads wait on. It compiles as written: a syscall the
/// lints flag gets its acknowledgement, and `clone3`, whose flags no
/// filter reads, the answer that makes glibc fall back to `clone`.
///
/// ```
/// use seccomp_dsl_core::model::SeccompArch;
/// use seccomp_dsl_core::record::write_allowing_statement;
/// let mut text = String::new();
/// write_allowing_statement(&mut text, SeccompArch::X86_64, "fcntl", &[3, 1, 0, 0, 0, 0]).unwrap();
/// assert_eq!(text, "rule fcntl(arg1 == F_GETFD) => allow;");
/// ```
pub fn write_allowing_statement(
    out: &mut dyn std::fmt::Write,
    abi: SeccompArch,
    syscall: &str,
    args: &[u64; 6],
) -> std::fmt::Result {
    use crate::constants::{description, mask_description};
    let decisive = decisive_arguments(syscall);
    if syscall == "clone3" {
        return out.write_str("errno(ENOSYS) clone3;");
    }
    if decisive.is_empty() {
        if crate::lints::DANGEROUS.contains(&syscall) {
            write!(out, "#[allow({})] ", crate::lints::DANGEROUS_PERMISSION)?;
        }
        return write!(out, "allow {syscall};");
    }
    let level = decisive
        .iter()
        .find(|argument| argument.index == 1 && argument.mask.is_none())
        .map(|argument| argument.value_in(abi, syscall, args));
    if syscall == "clone" && args[0] & crate::lints::CLONE_NAMESPACES != 0 {
        write!(out, "#[allow({})] ", crate::lints::DANGEROUS_PERMISSION)?;
    }
    write!(out, "rule {syscall}(")?;
    for (position, argument) in decisive.iter().enumerate() {
        if position > 0 {
            out.write_str(" && ")?;
        }
        let value = argument.value_in(abi, syscall, args);
        write!(out, "arg{}", argument.index)?;
        if let Some(mask) = argument.mask {
            match mask_description(syscall, argument.index, mask) {
                Some((flags, true)) => write!(out, " & !({flags})")?,
                Some((flags, false)) => write!(out, " & {flags}")?,
                None => write!(out, " & {mask:#x}")?,
            }
        }
        match description(syscall, argument.index, value, level) {
            Some(named) => write!(out, " == {named}")?,
            None if value < 10_000 => write!(out, " == {value}")?,
            None => write!(out, " == {value:#x}")?,
        }
    }
    out.write_str(") => allow;")
}

/// The rules a widened `ioctl` recording allows every request outside the
/// terminal's with (below it, above it), explained.
fn widened_ioctl() -> [Rule; 2] {
    let request = |op, value| {
        let condition = ArgCondition {
            width: ArgWidth::U32,
            ..ArgCondition::new(1, op, value)
        };
        Rule::new(["ioctl"], [condition], Action::Allow)
    };
    let mut below = request(CmpOp::Lt, *TERMINAL_REQUESTS.start());
    below.comment = Some(Cow::Owned(format!(
        "`ioctl`: more than {MAX_COMBINATIONS} requests were seen, so every request outside the \
         terminal's ({:#x} to {:#x}: TIOCSTI, TIOCLINUX, TIOCCONS, TIOCSETD, ...) is allowed, and \
         each terminal request seen; list the requests instead to allow no more than ran",
        TERMINAL_REQUESTS.start(),
        TERMINAL_REQUESTS.end()
    )));
    [below, request(CmpOp::Gt, *TERMINAL_REQUESTS.end())]
}

#[cfg(test)]
mod tests;
