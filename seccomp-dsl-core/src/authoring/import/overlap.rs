//! What the target engine answers where two of a syscall's rules with
//! different actions overlap, for the refusal to say.

use crate::engines::libseccomp_db::SyscallRules;
use crate::model::{Action, ArgCondition, Context, KernelVersion, Policy};

/// What the target engine answers where rule `index` of `policy` and an
/// earlier rule for `syscall` with another action overlap: the first call
/// of a grid over their values that both match, and the answer libseccomp
/// 2.5.4's tree gives it ([`SyscallRules`]), in a container where rule
/// `index` applies, on x86_64.
pub(super) fn engine_answer(policy: &Policy, index: usize, syscall: &str) -> Option<String> {
    let this = &policy.rules[index];
    let context = Context {
        arch: this
            .includes
            .arches
            .first()
            .cloned()
            .unwrap_or("amd64".into()),
        capabilities: this.includes.caps.to_vec(),
        kernel: (this.includes.min_kernel).unwrap_or(KernelVersion { major: 6, minor: 1 }),
    };
    let applying: Vec<(usize, &crate::model::Rule)> = (policy.rules.iter().enumerate())
        .filter(|(_, rule)| rule.names(syscall) && rule.applies_in(&context))
        .collect();
    let rules: Vec<(Vec<ArgCondition>, Action)> = (applying.iter())
        .map(|(_, rule)| (rule.conditions.to_vec(), rule.action))
        .collect();
    let tree = SyscallRules::build(&rules, true).ok()?;
    let values: Vec<u64> = (rules.iter())
        .flat_map(|(conditions, _)| conditions.iter().map(|c| c.value))
        .chain([0])
        .collect();
    let (compared, args) = (applying.iter())
        .filter(|(at, rule)| *at < index && rule.action != this.action)
        .find_map(|(_, other)| {
            let mut compared: Vec<u8> = (this.conditions.iter().chain(other.conditions.iter()))
                .map(|c| c.index)
                .collect();
            compared.sort_unstable();
            compared.dedup();
            let both =
                |args: &[u64; 6]| this.matches(syscall, args) && other.matches(syscall, args);
            Some((
                compared.clone(),
                first_call(&compared, &values, [0; 6], &both)?,
            ))
        })?;
    let answer = tree.decide(&args, true).unwrap_or(policy.default_action);
    let shown: Vec<String> = (args.iter().take(usize::from(*compared.last()?) + 1))
        .map(|value| format!("{value:#x}"))
        .collect();
    Some(format!(
        "{} answers `{syscall}({})`, which both match, with {answer}, by the order of \
         libseccomp's argument tree rather than of the entries; write the conditions apart so \
         that each call has one answer",
        crate::engines::TARGET.describe(),
        shown.join(", ")
    ))
}

/// The first arguments, each of `compared` taking each of `values` (the
/// others 0), for which `wanted` holds.
fn first_call(
    compared: &[u8],
    values: &[u64],
    args: [u64; 6],
    wanted: &dyn Fn(&[u64; 6]) -> bool,
) -> Option<[u64; 6]> {
    let Some((&index, rest)) = compared.split_first() else {
        return wanted(&args).then_some(args);
    };
    values.iter().find_map(|&value| {
        let mut args = args;
        args[usize::from(index)] = value;
        first_call(rest, values, args, wanted)
    })
}
