//! Checks the lowered policy: the shared semantic checks of
//! `crate::validate`, reported at the tokens they concern, and
//! the `forbid` guards, which only exist at compile time.

use crate::lints;
use crate::model::{Action, Architectures, Permit, Policy};
use crate::validate::{validate, Part, ProblemKind};
use crate::{engines, signatures, syscalls, upper_half};

use super::errors::{Errors, SpanRange};
use super::lower::{
    Lowered, ENGINE_CANNOT_START, LIBSECCOMP_MISCOMPILES, MULTIPLEXED_WITHOUT_CONDITIONS,
    UNKNOWN_TO_ENGINE, UPPER_HALF_BYPASS, X32_LOW_HALVES,
};

pub fn check(lowered: &Lowered, errors: &mut Errors) {
    check_model(lowered, errors);
    check_upper_halves(lowered, errors);
    check_engine_drops(lowered, errors);
    check_x32_low_halves(lowered, errors);
    check_runtime_calls(lowered, errors);
    check_multiplexed(lowered, errors);
    check_default_errno(lowered, errors);
    check_miscompiled(lowered, errors);
    check_forbidden(lowered, errors);
    check_lints(lowered, errors);
}

/// The lints of [`lints`]: an error at the syscall, unless the rule
/// acknowledges it; at `default`, `kill` (thread) an error and the exits
/// it stops a warning, unless acknowledged there.
fn check_lints(lowered: &Lowered, errors: &mut Errors) {
    // Said once the policy is otherwise right: an unknown capability or a
    // forbidden syscall is the error to fix first.
    if !errors.is_empty() {
        return;
    }
    for (index, rule) in lowered.policy.rules.iter().enumerate() {
        let source = &lowered.sources[index];
        for finding in &lowered.findings[index] {
            if source.acknowledges(finding.lint) {
                continue;
            }
            let at = (rule.syscalls.iter())
                .position(|name| *name == finding.syscall)
                .and_then(|position| source.syscalls.get(position))
                .map_or(source.action, |&span| SpanRange::single(span));
            errors.push(
                at,
                finding.why.clone(),
                Some(&format!(
                    "{}, or say it is meant with `#[allow({})]` above the statement",
                    lint_remedy(finding.lint, &finding.syscall),
                    finding.lint
                )),
            );
        }
    }
    let Some(default) = lowered.default else {
        return;
    };
    let acknowledged = |lint: &str| {
        lowered
            .default_acknowledged
            .iter()
            .any(|check| check == lint)
    };
    if let Some(why) = lints::default_finding(lowered.policy.default_action) {
        if !acknowledged(lints::KILL_THREAD_DEFAULT) {
            errors.push(
                default,
                why,
                Some("write `default kill_process;`, or say a thread is meant with `#[allow(kill_thread_default)]` above `default`"),
            );
        }
    }
    let stopped = lints::exits_stopped_by_default(&lowered.policy);
    if !stopped.is_empty() && !acknowledged(lints::STOPS_EXIT) {
        let listed: Vec<String> = stopped.iter().map(|name| format!("`{name}`")).collect();
        errors.warn(
            default.start,
            lints::STOPS_EXIT,
            format!(
                "the default action stops {}, which every program needs to end or to return from \
                 a signal handler: allow them, or say it is meant with `#[allow(stops_exit)]` above \
                 `default`",
                listed.join(", ")
            ),
        );
    }
}

/// The usual fix for what `lint` flags at `syscall`.
fn lint_remedy(lint: &str, syscall: &str) -> &'static str {
    match (lint, syscall) {
        (lints::DANGEROUS_PERMISSION, "clone" | "clone3") => {
            "allow `clone` by a rule on its flags \
             (`arg0 & CLONE_NEWNS | CLONE_NEWCGROUP | ... == 0`) and answer `clone3` with \
             `errno(ENOSYS)`, which makes glibc fall back to `clone`"
        }
        (lints::DANGEROUS_PERMISSION, "personality" | "socket") => {
            "allow only the values the program needs with an argument rule"
        }
        (lints::DANGEROUS_PERMISSION, _) => {
            "deny it, allow it only for some arguments, or move it into a `when cap(...)` block"
        }
        (lints::STOPS_EXIT, _) => "allow it",
        _ => "remove it",
    }
}

/// Rules that libseccomp 2.5.4 may miscompile: an error at the later
/// comparison, once per comparison, unless its rule acknowledges it.
fn check_miscompiled(lowered: &Lowered, errors: &mut Errors) {
    let engine = lowered.engine;
    for (rule, condition) in engines::miscompiled_by_libseccomp(&lowered.policy) {
        let source = &lowered.sources[rule];
        if source.acknowledges(LIBSECCOMP_MISCOMPILES) {
            continue;
        }
        // Alternatives of one `||` share their source: `push` reports the
        // same message at the same place once.
        let at = source.conditions[condition].whole;
        let index = lowered.policy.rules[rule].conditions[condition].index;
        errors.push(
            at,
            format!(
                "libseccomp {} may miscompile two rules that compare `arg{index}` on all 64 bits, \
                 one of them by order: {} may decide some calls unlike `install()`, or never \
                 finish building the filter",
                engine.libseccomp,
                engine.describe()
            ),
            Some(
                "compare the argument as the kernel reads it if it is narrower, or keep the rules \
                 with `#[allow(libseccomp_miscompiles)]` above the statement",
            ),
        );
    }
}

/// An engine that ignores `defaultErrnoRet` denies by default with EPERM,
/// whatever errno the policy names: an error at `default`.
fn check_default_errno(lowered: &Lowered, errors: &mut Errors) {
    let engine = lowered.engine;
    let (Some(default), Action::Errno(errno)) = (lowered.default, lowered.policy.default_action)
    else {
        return;
    };
    if !engine.honours_default_errno && errno != 1 {
        errors.push(
            default,
            format!(
                "{} ignores `defaultErrnoRet`: its default denies with EPERM, while `install()` \
                 returns errno {errno}",
                engine.describe()
            ),
            Some("use `default errno(EPERM);` (or `default errno;`), or target podman"),
        );
    }
}

/// On ABIs where libseccomp multiplexes a syscall (x86's `socketcall` and
/// `ipc`), it also applies the syscall's rules to the multiplexer, without
/// their conditions, while `install()` leaves the multiplexer to its own
/// rules: an error at the name, unless the multiplexer has an unconditional
/// rule of its own, which libseccomp then keeps alone.
fn check_multiplexed(lowered: &Lowered, errors: &mut Errors) {
    let (policy, engine) = (&lowered.policy, lowered.engine);
    for (rule, source) in policy.rules.iter().zip(&lowered.sources) {
        if source.acknowledges(MULTIPLEXED_WITHOUT_CONDITIONS) {
            continue;
        }
        for (position, abi, multiplexer) in engine.multiplexed(policy, rule) {
            let syscall = &rule.syscalls[position];
            errors.push(
                SpanRange::single(source.syscalls[position]),
                format!(
                    "on {}, libseccomp applies rules on `{syscall}` to `{multiplexer}` too, without \
                     their conditions, while `install()` leaves `{multiplexer}` to the default",
                    abi.name()
                ),
                Some(&format!(
                    "give `{multiplexer}` an unconditional rule of its own (e.g. `errno(EPERM) \
                     {multiplexer};`), which both then apply, leave {} out of the policy, or keep \
                     the difference with `#[allow(multiplexed_without_conditions)]`",
                    abi.name()
                )),
            );
        }
    }
}

/// A policy that kills a call the container runtime makes after loading
/// the filter (with the argument values it makes it with) leaves the
/// container hung (runc's init killed, a zombie with live threads): an
/// error at `default` or at the rule; one that denies such a call keeps the
/// container from starting: a warning. Neither where `default`
/// acknowledges that the policy is for `install()` alone.
fn check_runtime_calls(lowered: &Lowered, errors: &mut Errors) {
    use crate::container_start::{listed, stopped, Written};
    let (policy, engine) = (&lowered.policy, lowered.engine);
    let Some(default) = lowered.default else {
        return; // no usable default: reported already
    };
    if lowered
        .default_acknowledged
        .iter()
        .any(|check| check == ENGINE_CANNOT_START)
    {
        return;
    }
    let found = stopped(&engine, policy, lowered.container);
    for stopped in found.iter().filter(|stopped| stopped.kills()) {
        let Some(index) = stopped.rule else { continue };
        errors.push(
            lowered.sources[index].action,
            format!(
                "{} calls `{}` itself after loading the filter: a profile that kills it leaves \
                 the container hung instead of started",
                engine.describe(),
                Written(&stopped.call)
            ),
            Some(
                "deny it with `errno`, or keep the policy for `install()` alone with \
                 `#[allow(engine_cannot_start)]` above `default`",
            ),
        );
    }
    let denied: Vec<_> = found.iter().filter(|s| !s.kills()).cloned().collect();
    if !denied.is_empty() {
        // The engine says so when it fails; the policy may be meant for
        // `install()` alone (the canonical example is): a warning.
        errors.warn(
            default.start,
            ENGINE_CANNOT_START,
            format!(
                "{} calls {} itself after loading the filter: this policy denies them, so a \
                 container does not start under its profile; `#[allow(engine_cannot_start)]` \
                 above `default` says the policy is for `install()` alone",
                engine.describe(),
                listed(&denied)
            ),
        );
    }
    let by_default: Vec<_> = (found.iter())
        .filter(|stopped| stopped.kills() && stopped.rule.is_none())
        .cloned()
        .collect();
    if !by_default.is_empty() {
        errors.push(
            default,
            format!(
                "{} calls {} itself after loading the filter: this default kills them, which \
                 leaves a container hung instead of started",
                engine.describe(),
                listed(&by_default)
            ),
            Some(
                "allow them, or keep the policy for `install()` alone with \
                 `#[allow(engine_cannot_start)]` above `default`",
            ),
        );
    }
}

/// On x32, libseccomp (so every engine) compares only the low half of each
/// argument, while `install()` compares what the rule says: a comparison of
/// all 64 bits is an error in a policy that covers x32, unless the rule
/// acknowledges it.
fn check_x32_low_halves(lowered: &Lowered, errors: &mut Errors) {
    let policy = &lowered.policy;
    if !engines::covers_x32(&policy.architectures) {
        return;
    }
    for (rule, source) in policy.rules.iter().zip(&lowered.sources) {
        if source.acknowledges(X32_LOW_HALVES) {
            continue;
        }
        for (condition, condition_source) in rule.conditions.iter().zip(&source.conditions) {
            if !condition.compares_64_bits() {
                continue;
            }
            let index = condition.index;
            errors.push(
                condition_source.whole,
                format!(
                    "on x32, libseccomp compares only the low half of `arg{index}`: {} decides \
                     a call by it alone, while `install()` compares all 64 bits",
                    lowered.engine.describe()
                ),
                Some(
                    "leave x32 out of `arches`/`arch_map`, compare a low-half mask, or keep the \
                     comparison with `#[allow(x32_low_halves)]` above the statement",
                ),
            );
        }
    }
}

/// A syscall the target engine's libseccomp does not know is left out of
/// its rules by the engine, silently, while `install()` applies them: an
/// error at the name, unless the rule acknowledges it is for `install()`
/// alone.
fn check_engine_drops(lowered: &Lowered, errors: &mut Errors) {
    let policy = &lowered.policy;
    let engine = lowered.engine;
    for (rule, source) in policy.rules.iter().zip(&lowered.sources) {
        if source.acknowledges(UNKNOWN_TO_ENGINE) {
            continue;
        }
        for (position, syscall) in rule.syscalls.iter().enumerate() {
            let abis = engine.drops(syscall, &policy.architectures);
            if abis.is_empty() {
                continue;
            }
            let everywhere = engine.drops(syscall, &Architectures::Native);
            let on = if abis == everywhere {
                "any ABI".to_string()
            } else {
                abis.iter()
                    .map(|abi| abi.syscall_table().name())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            errors.push(
                SpanRange::single(source.syscalls[position]),
                format!(
                    "{} does not know `{syscall}` (on {on}): it leaves it out of this rule \
                     silently, while `install()` applies the rule to it",
                    engine.describe(),
                ),
                Some(&format!(
                    "in a container `{syscall}` gets the default action instead; remove it from the \
                     rule, or keep it for `install()` alone with `#[allow(unknown_to_engine)]` above \
                     the statement (the Docker profile then says so in the rule's comment)"
                )),
            );
        }
    }
}

/// A comparison of all 64 bits (`argN as u64`) of an argument the kernel
/// reads narrower decides some calls unlike the call the kernel runs: an
/// error, naming such a call, unless the rule acknowledges it.
fn check_upper_halves(lowered: &Lowered, errors: &mut Errors) {
    let policy = &lowered.policy;
    for (rule_index, rule) in policy.rules.iter().enumerate() {
        let source = &lowered.sources[rule_index];
        if source.acknowledges(UPPER_HALF_BYPASS) {
            continue;
        }
        for (condition_index, condition) in rule.conditions.iter().enumerate() {
            for syscall in rule.syscalls.iter() {
                let Some(width) = upper_half::reads_narrower(syscall, condition) else {
                    continue;
                };
                let index = condition.index;
                let described = signatures::lookup(syscall)
                    .and_then(|s| s.arguments().get(usize::from(index)))
                    .map(signatures::Argument::described)
                    .unwrap_or_default();
                let consequence =
                    match upper_half::witness(policy, rule_index, condition_index, syscall) {
                        Some(witness) => witness.to_string(),
                        None => {
                            let (register, reads) = upper_half::local_witness(condition, width)
                                .expect("reads_narrower found one");
                            format!(
                                "`arg{index}` = {} is compared as such, while the kernel reads {}",
                                upper_half::grouped_hex(register),
                                width.render(reads)
                            )
                        }
                    };
                let rewrite = match upper_half::as_kernel_reads(condition, width) {
                    Some(read) => format!("compare what the kernel reads: `{read}`"),
                    None => format!(
                        "the kernel never reads {} in `arg{index}`: compare a value it can read",
                        upper_half::grouped_hex(condition.value)
                    ),
                };
                errors.push(
                    source.conditions[condition_index].whole,
                    format!(
                        "`arg{index} as u64` compares all 64 bits, but `{syscall}` reads `arg{index}` \
                         as {described}: {consequence}"
                    ),
                    Some(&format!(
                        "{rewrite}; or keep the 64-bit comparison with \
                         `#[allow(upper_half_bypass)]` above the statement"
                    )),
                );
            }
        }
    }
}

fn check_model(lowered: &Lowered, errors: &mut Errors) {
    for problem in validate(&lowered.policy) {
        if lowered.default.is_none() && matches!(problem.kind, ProblemKind::ActionIsDefault(_)) {
            continue; // compared with a stand-in default
        }
        let source = &lowered.sources[problem.rule];
        let range = match problem.part {
            Part::Rule | Part::Action => source.action,
            Part::Syscall(i) => SpanRange::single(source.syscalls[i]),
            Part::Condition(i) => source.conditions[i].whole,
            Part::Mask(i) => source.conditions[i].mask,
            Part::Value(i) => source.conditions[i].value,
            Part::Filter => source.filter,
        };
        // A rule written with `||`, or in a block, becomes several model
        // rules: `Errors` reports a problem with the source they share once.
        errors.push(
            range,
            problem.kind.to_string(),
            problem.kind.help().as_deref(),
        );
    }
}

fn check_forbidden(lowered: &Lowered, errors: &mut Errors) {
    let policy: &Policy = &lowered.policy;
    for name in &lowered.forbidden {
        let text = name.to_string();
        if syscalls::lookup(&text).is_none() {
            errors.push_unknown(
                name.span(),
                "syscall",
                &text,
                syscalls::all().iter().map(|s| s.name()),
                None,
            );
            continue;
        }
        if syscalls::UNFILTERABLE.contains(&text.as_str()) {
            errors.push(
                SpanRange::single(name.span()),
                format!(
                    "`{text}` cannot be forbidden: every kernel that has it runs it without \
                     consulting any filter"
                ),
                Some("remove it from `forbid`"),
            );
            continue;
        }
        let engine = lowered.engine;
        if !engine.drops(&text, &policy.architectures).is_empty()
            && policy.default_action.may_run_call()
        {
            errors.push(
                SpanRange::single(name.span()),
                format!(
                    "`{text}` is forbidden, but {} does not know it, leaves it out of every \
                     rule, and the default action lets it run",
                    engine.describe(),
                ),
                Some("deny by default (e.g. `default errno;`): the container then denies it too"),
            );
            continue;
        }
        match policy.first_permit(&text) {
            None => {}
            Some(Permit::Rule(rule)) => {
                let source = &lowered.sources[rule];
                let position = policy.rules[rule]
                    .syscalls
                    .iter()
                    .position(|s| *s == text)
                    .unwrap_or(0);
                errors.push(
                    SpanRange::single(source.syscalls[position]),
                    format!("`{text}` is forbidden, but this rule lets it run"),
                    Some(&format!(
                        "remove `{text}` from this rule or from `forbid`; `allow`, `log` and `trace` \
                         all let a call run"
                    )),
                );
            }
            Some(Permit::Default) => {
                if let Some(default) = lowered.default {
                    errors.push(
                        default,
                        format!("`{text}` is forbidden, but the default action lets it run"),
                        Some(&format!(
                            "deny it with an unconditional rule, e.g. `kill_process {text};`"
                        )),
                    );
                }
            }
        }
    }
}
