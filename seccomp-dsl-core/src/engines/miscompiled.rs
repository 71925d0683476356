//! Where libseccomp 2.5.4 may build a program that answers otherwise than
//! a policy's rules: [`miscompiled_by_libseccomp`].

use super::libseccomp_db::answers::misanswered;
use crate::model::{
    Action, ArgCondition, CmpOp, Context, KernelVersion, Policy, Rule, DOCKER_ARCHES,
};

/// The most capabilities whose sets are visited for one syscall; past
/// them its rules stay flagged.
const MOST_CAPABILITIES: usize = 4;

/// The conditions of `policy` that libseccomp 2.5.4 may miscompile, as
/// `(rule, condition)` indices of the later of two: two rules of one
/// syscall that both compare one argument on all 64 bits, one of them by
/// order (`<`, `<=`, `>`, `>=`), where the program it builds from the
/// syscall's entries (as the Docker export writes them) can answer a call
/// otherwise than they say in some container ([`misanswered`], over every
/// call). It can, for `arg2 < 8` and `arg2 <= 0x1_0000_0000`, both
/// `errno`: a block of its program then tests a word another path loaded,
/// and lets `arg2 == 8` through. Random policies outside this shape showed
/// no such program (the differential test of `tests/bpf.rs`).
///
/// ```
/// use seccomp_dsl_core::engines::miscompiled_by_libseccomp;
/// use seccomp_dsl_core::model::{Action, ArgCondition, CmpOp, Policy, Rule};
/// let rule = |op, value| Rule::new(["pread64"], [ArgCondition::new(3, op, value)], Action::Errno(1));
/// let policy = Policy::new(Action::Allow, vec![rule(CmpOp::Lt, 8), rule(CmpOp::Le, 0x1_0000_0000)]);
/// assert_eq!(miscompiled_by_libseccomp(&policy), [(1, 0)]);
/// // Apart, on one side of 40 each, libseccomp's program answers every call as they say.
/// let policy = Policy::new(Action::Allow, vec![rule(CmpOp::Le, 39), rule(CmpOp::Ge, 41)]);
/// assert!(miscompiled_by_libseccomp(&policy).is_empty());
/// ```
pub fn miscompiled_by_libseccomp(policy: &Policy) -> Vec<(usize, usize)> {
    let ordered = |c: &ArgCondition| matches!(c.op, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge);
    let mut found = Vec::new();
    let mut answered_as_said: Vec<(&str, bool)> = Vec::new();
    for (later, rule) in policy.rules.iter().enumerate() {
        for (index, condition) in rule.conditions.iter().enumerate() {
            if !condition.compares_64_bits() {
                continue;
            }
            let paired = |earlier: &Rule| {
                earlier.conditions.iter().any(|other| {
                    other.index == condition.index
                        && other.compares_64_bits()
                        && (ordered(other) || ordered(condition))
                })
            };
            let syscalls: Vec<&str> = (rule.syscalls.iter())
                .map(|name| name.as_ref())
                .filter(|name| {
                    (policy.rules[..later].iter())
                        .any(|earlier| earlier.names(name) && paired(earlier))
                })
                .collect();
            let flagged = syscalls.iter().any(|&syscall| {
                let known = answered_as_said.iter().find(|(name, _)| *name == syscall);
                let as_said = match known {
                    Some(&(_, as_said)) => as_said,
                    None => {
                        let as_said = answered_as_said_everywhere(policy, syscall);
                        answered_as_said.push((syscall, as_said));
                        as_said
                    }
                };
                !as_said
            });
            if flagged {
                found.push((later, index));
            }
        }
    }
    found
}

/// Whether libseccomp 2.5.4's program for `syscall` answers every call as
/// the policy's rules say, in every container its rules tell apart (the
/// capabilities, architectures and kernels they name), on 64-bit
/// arguments and, where the policy covers an ABI libseccomp compares on
/// low halves, on 32-bit ones; `false` where that cannot be decided.
fn answered_as_said_everywhere(policy: &Policy, syscall: &str) -> bool {
    let rules: Vec<&Rule> = (policy.rules.iter())
        .filter(|rule| rule.names(syscall))
        .collect();
    let Some(contexts) = contexts_told_apart(&rules) else {
        return false;
    };
    let narrow = (policy.architectures.named().iter())
        .any(|abi| abi.has_32_bit_arguments() || *abi == crate::model::SeccompArch::X32);
    let mut decided: Vec<Vec<(Vec<ArgCondition>, Action)>> = Vec::new();
    contexts.iter().all(|context| {
        // The entries libseccomp is given, in order: each rule in its
        // exact form, as the Docker export writes it.
        let given: Vec<(Vec<ArgCondition>, Action)> = (rules.iter())
            .filter(|rule| rule.applies_in(context))
            .flat_map(|rule| crate::exact::rules(rule).into_owned())
            .map(|rule| (rule.conditions.to_vec(), rule.action))
            .collect();
        if decided.contains(&given) {
            return true;
        }
        let alike = [true, false]
            .into_iter()
            .filter(|&wide| wide || narrow)
            .all(|wide| misanswered(&given, wide) == Ok(None));
        decided.push(given);
        alike
    })
}

/// Every container the rules' filters tell apart: each set of the
/// capabilities they name, each architecture they name (and amd64), each
/// kernel they name (and one older than all); `None` past
/// [`MOST_CAPABILITIES`].
fn contexts_told_apart(rules: &[&Rule]) -> Option<Vec<Context>> {
    let filters = || {
        rules
            .iter()
            .flat_map(|rule| [&rule.includes, &rule.excludes])
    };
    let mut caps: Vec<String> = filters()
        .flat_map(|filter| filter.caps.iter().map(|cap| cap.to_string()))
        .collect();
    caps.sort();
    caps.dedup();
    if caps.len() > MOST_CAPABILITIES {
        return None;
    }
    let mut arches: Vec<String> = filters()
        .flat_map(|filter| filter.arches.iter().map(|arch| arch.to_string()))
        .filter(|arch| DOCKER_ARCHES.contains(&arch.as_str()))
        .chain(["amd64".to_string()])
        .collect();
    arches.sort();
    arches.dedup();
    let mut kernels: Vec<KernelVersion> = filters()
        .filter_map(|filter| filter.min_kernel)
        .chain([KernelVersion { major: 0, minor: 0 }])
        .collect();
    kernels.sort();
    kernels.dedup();
    let mut contexts = Vec::new();
    for held in 0..1usize << caps.len() {
        for arch in &arches {
            for &kernel in &kernels {
                contexts.push(Context {
                    arch: arch.clone().into(),
                    capabilities: (caps.iter().enumerate())
                        .filter(|(i, _)| held & 1 << i != 0)
                        .map(|(_, cap)| cap.clone().into())
                        .collect(),
                    kernel,
                });
            }
        }
    }
    Some(contexts)
}
