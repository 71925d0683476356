//! The BPF compiler against the model (proven over every input by the
//! decision procedure, against the model's decision diagram, itself checked
//! on every class of input against the model) and against libseccomp's own
//! programs (over a million sampled inputs, with the libseccomp feature).

mod common;
#[cfg(feature = "libseccomp")]
use common::libseccomp_errors::known_error;
#[path = "engine/policies.rs"]
mod engine_policies;

use std::collections::BTreeSet;

#[cfg(feature = "libseccomp")]
use seccomp_dsl::bpf::emulate::run;
use seccomp_dsl::bpf::emulate::{run_counting, SeccompData};
use seccomp_dsl::bpf::{self, audit_arch, reference, X32_SYSCALL_BIT};
use seccomp_dsl::decide::{self, Side, Verdict};
#[cfg(feature = "libseccomp")]
use seccomp_dsl::model::CmpOp;
use seccomp_dsl::model::{Context, KernelVersion, Resolved, SeccompArch};
use seccomp_dsl::profiles::DOCKER_DEFAULT;
use seccomp_dsl::{seccomp_profile, syscalls, Profile};

static RANGES_AND_MASKS: Profile = seccomp_profile! {
    #[allow(engine_cannot_start, stops_exit)]
    default kill_process;
    allow exit_group;
    #[allow(upper_half_bypass)]
    rule ioctl(arg1 as u64 & 0xffff_ff00 == 0x5400 || arg1 as u64 == 0x4020_940d) => allow;
    #[allow(upper_half_bypass)]
    rule ioctl(arg1 as u64 & 0xffff_0000_0000_ff00 == 0x1234_0000_0000_0100) => errno(ENOTTY);
    rule mmap(arg2 & 0x4 == 0 && arg3 & 0x1_0000_0000 == 0x1_0000_0000) => allow;
    rule mmap(arg2 & 0x4 == 0x4) => errno(EACCES);
    // libseccomp 2.5.4 miscompiles these (the differential test below
    // names the input): kept to check that ours does not.
    #[allow(upper_half_bypass, libseccomp_miscompiles)]
    rule fcntl(arg1 as u64 <= 4 || arg1 as u64 >= 0xffff_ffff_0000_0000) => allow;
    #[allow(upper_half_bypass, libseccomp_miscompiles)]
    rule fcntl(arg1 as u64 & 0xffff_ffff_ffff_ff00 == 0x100) => trace(9);
    #[allow(upper_half_bypass)]
    rule kill(arg1 as u64 != 9 && arg0 as u64 > 0x7fff_ffff) => trap;
    #[allow(upper_half_bypass)]
    rule kill(arg1 as u64 == 9) => errno(EPERM);
};

/// Arguments compared as the kernel reads them: 32-bit ranges, signed
/// comparisons, 16-bit masks, and one argument compared twice.
static NARROW: Profile = seccomp_profile! {
    #[allow(engine_cannot_start, stops_exit)]
    default errno(EPERM);
    allow exit_group;
    rule socket(arg0 < 38 || arg0 == 39 || arg0 > 40) => allow;
    rule fcntl(arg1 >= 1 && arg1 <= 4) => allow;
    rule fcntl(arg1 > 1030 && arg1 != 1033 && arg1 < 1040) => errno(EACCES);
    rule openat(arg0 == -100 && arg2 & 3 == 0) => allow;
    rule kill(arg0 > 0 && arg0 != 1 && arg1 >= -1) => errno(ESRCH);
    rule kill(arg0 <= -2) => log;
    rule fchmodat(arg2 & 0o7000 == 0) => allow;
    rule setsockopt(arg1 == 1 && arg2 > 2 && arg2 < 6) => allow;
    rule setresuid(arg0 == -1 || arg0 == 0) => allow;
};

/// Every policy the compiler is checked on, with the contexts to resolve it in.
fn policies() -> Vec<(&'static str, &'static Profile)> {
    use common::policies::*;
    vec![
        ("CANONICAL", &CANONICAL),
        ("NARROW", &NARROW),
        ("ARGUMENTS", &ARGUMENTS),
        ("ACTIONS", &ACTIONS),
        ("FOREIGN_NAMES", &FOREIGN_NAMES),
        ("NEWER_THAN_LIBSECCOMP", &NEWER_THAN_LIBSECCOMP),
        ("CONDITIONAL", &CONDITIONAL),
        ("WITH_X86", &WITH_X86),
        ("MULTI_NAME", &MULTI_NAME),
        ("RANGES_AND_MASKS", &RANGES_AND_MASKS),
        ("DOCKER_DEFAULT", &DOCKER_DEFAULT),
        ("ENGINE_ARGUMENTS", &engine_policies::ARGUMENTS),
        ("ENGINE_ACTIONS", &engine_policies::ACTIONS),
        ("ENGINE_CONDITIONS", &engine_policies::CONDITIONS),
        ("ENGINE_DENY_LIST", &engine_policies::DENY_LIST),
        ("ENGINE_WITH_X86", &engine_policies::WITH_X86),
        ("ENGINE_NARROW", &engine_policies::NARROW),
        ("ENGINE_STUB_ERRNO", &engine_policies::STUB_ERRNO),
        ("ENGINE_STUB_KILL", &engine_policies::STUB_KILL),
        ("ENGINE_SHARED_TESTS", &engine_policies::SHARED_TESTS),
        ("ENGINE_FUTURE_KERNEL", &engine_policies::FUTURE_KERNEL),
    ]
}

fn contexts() -> Vec<Context> {
    let kernel = |major, minor| KernelVersion { major, minor };
    vec![
        Context {
            arch: "amd64".into(),
            capabilities: vec![],
            kernel: kernel(6, 1),
        },
        Context {
            arch: "amd64".into(),
            capabilities: [
                "CAP_SYS_ADMIN",
                "CAP_SYS_PTRACE",
                "CAP_KILL",
                "CAP_SETUID",
                "CAP_NET_ADMIN",
            ]
            .map(Into::into)
            .to_vec(),
            kernel: kernel(4, 4),
        },
    ]
}

/// Each policy resolved in each context, with only the native ABI as well
/// as with the ABIs the policy adds.
fn resolved_policies() -> Vec<(String, Resolved<'static>)> {
    let mut all = Vec::new();
    for (name, profile) in policies() {
        for (index, context) in contexts().iter().enumerate() {
            let resolved = profile.policy().resolve(context, SeccompArch::X86_64);
            if resolved.architectures.len() > 1 {
                let native_only = resolved.clone().native_only();
                all.push((
                    format!("{name} (context {index}, native only)"),
                    native_only,
                ));
            }
            all.push((format!("{name} (context {index})"), resolved));
        }
    }
    all
}

fn audit(arch: SeccompArch) -> u32 {
    audit_arch(arch).unwrap()
}

/// Every (arch, number) class of a resolved policy: each number a rule
/// names on each covered ABI, its neighbours, and the boundaries of the
/// number space, on every covered ABI and one foreign one.
fn number_classes(resolved: &Resolved<'_>) -> Vec<(u32, u32)> {
    let mut classes = BTreeSet::new();
    let arches: BTreeSet<u32> = resolved
        .architectures
        .iter()
        .map(|&a| audit(a))
        .chain([audit(SeccompArch::Arm), 0x1234])
        .collect();
    let mut numbers: BTreeSet<u32> = [
        0,
        1,
        0x3fff_ffff,
        X32_SYSCALL_BIT,
        X32_SYSCALL_BIT + 1,
        0x7fff_ffff,
        0x8000_0000,
        u32::MAX - 1,
        u32::MAX,
    ]
    .into();
    for &abi in &resolved.architectures {
        let bias = bpf::number_bias(abi);
        for rule in &resolved.rules {
            for name in rule.syscalls.iter() {
                if let Some(number) =
                    syscalls::lookup(name).and_then(|s| s.number(abi.syscall_table()))
                {
                    let number = number + bias;
                    numbers.extend([number.wrapping_sub(1), number, number.wrapping_add(1)]);
                }
            }
        }
    }
    for &arch in &arches {
        for &nr in &numbers {
            classes.insert((arch, nr));
        }
    }
    classes.into_iter().collect()
}

/// The argument vectors that tell apart every outcome of the rules that can
/// apply to `(arch, nr)`: the product of each compared argument's classes.
fn argument_vectors(resolved: &Resolved<'_>) -> Vec<[u64; 6]> {
    let conditions = resolved
        .rules
        .iter()
        .flat_map(|rule| rule.conditions.iter());
    seccomp_dsl::classes::argument_vectors(conditions, &[None; 6])
}

/// Every compiled program is proven to answer every call (every
/// architecture value, number, instruction pointer and 64-bit argument) as
/// the model's decision diagram does: no input is sampled.
#[test]
fn programs_are_proven_to_decide_as_the_model() {
    let mut total_paths = 0u64;
    for (name, resolved) in resolved_policies() {
        let program = bpf::compile(&resolved).unwrap_or_else(|e| panic!("{name}: {e}"));
        let filters = [program];
        match decide::compare(&Side::Filters(&filters), &Side::Policy(&resolved)) {
            Verdict::Same(explored) => {
                println!(
                    "{name}: {} instructions, proven over {} paths",
                    filters[0].len(),
                    explored.paths
                );
                total_paths += explored.paths;
            }
            other => panic!("{name}: {other:x?}"),
        }
    }
    println!("{total_paths} paths proven");
    assert!(total_paths > 5_000);
}

/// The decision diagram the programs are proven against answers as the
/// model's reference does on calls at every boundary the policies draw:
/// each number a rule names (and its neighbours), the boundaries of the
/// number space, on every covered ABI and foreign ones, with argument
/// values at each compared value (a sample: the diagram is built condition
/// by condition from the model, and the random-policy test tries it on
/// further calls).
#[test]
fn the_models_diagram_decides_as_the_model_at_every_boundary() {
    let mut total_classes = 0usize;
    for (name, resolved) in resolved_policies() {
        let diagram = decide::policy::Dag::of(&resolved);
        let numbers = number_classes(&resolved);
        let vectors = argument_vectors(&resolved);
        assert!(
            vectors.len() <= 200_000,
            "{name}: {} argument vectors",
            vectors.len()
        );
        for &(arch, nr) in &numbers {
            for (index, args) in vectors.iter().enumerate() {
                let data = SeccompData {
                    nr: nr as i32,
                    arch,
                    // The instruction pointer never matters to a policy.
                    instruction_pointer: index as u64 * 0x1_0000_1001,
                    args: *args,
                };
                let expected = reference::decide(&resolved, arch, nr, args);
                assert_eq!(diagram.eval(&data), expected, "{name}: {data:x?}");
                total_classes += 1;
            }
        }
    }
    println!("{total_classes} calls checked");
    assert!(total_classes > 10_000);
}

/// The programs the macro embeds are the ones `bpf::compile` makes at
/// install time, and `install()` finds one for a process with no
/// capabilities, with a container's or with all, on a recent kernel.
#[test]
fn presets_are_the_programs_compiled_for_their_context() {
    use seccomp_dsl::model::DOCKER_CONTAINER_CAPABILITIES;
    use std::borrow::Cow;
    let all_capabilities: Vec<Cow<'static, str>> = seccomp_dsl::constants::CAPABILITIES
        .constants
        .iter()
        .map(|(name, _)| Cow::Borrowed(*name))
        .collect();
    let capability_sets = [
        Vec::new(),
        DOCKER_CONTAINER_CAPABILITIES.map(Cow::Borrowed).to_vec(),
        all_capabilities.clone(),
        // Everything but CAP_SYS_ADMIN, and a container's set plus it.
        all_capabilities
            .iter()
            .filter(|name| *name != "CAP_SYS_ADMIN")
            .cloned()
            .collect(),
        DOCKER_CONTAINER_CAPABILITIES
            .iter()
            .chain(&["CAP_SYS_ADMIN"])
            .map(|name| Cow::Borrowed(*name))
            .collect(),
    ];
    let mut from_presets = 0;
    for (name, profile) in policies() {
        for (index, capabilities) in capability_sets.iter().enumerate() {
            for kernel in [(6, 18), (4, 4)] {
                let context = Context {
                    arch: "amd64".into(),
                    capabilities: capabilities.clone(),
                    kernel: KernelVersion {
                        major: kernel.0,
                        minor: kernel.1,
                    },
                };
                let installed = profile.compile_in(&context).unwrap();
                let compiled = bpf::compile(&profile.resolve(&context).unwrap()).unwrap();
                assert_eq!(*installed, compiled, "{name} in {context:?}");
                let preset = matches!(installed, Cow::Borrowed(_));
                // Presets are made for a kernel at least as new as every
                // one the policy names.
                let newest_named = (profile.rules().iter())
                    .flat_map(|rule| [rule.includes.min_kernel, rule.excludes.min_kernel])
                    .flatten()
                    .max();
                let recent = newest_named.is_none_or(|newest| context.kernel >= newest);
                if index < 3 && kernel == (6, 18) && recent {
                    assert!(preset, "{name}: no preset for {context:?}");
                }
                from_presets += usize::from(preset);
            }
        }
        let here = profile.compile_here().unwrap();
        let compiled = bpf::compile(&profile.resolve_here().unwrap()).unwrap();
        assert_eq!(*here, compiled, "{name} in this process");
    }
    println!("{from_presets} programs came from presets");
}

#[test]
fn dockers_default_meets_the_size_and_speed_targets() {
    let context = &contexts()[0];
    let resolved = DOCKER_DEFAULT
        .policy()
        .resolve(context, SeccompArch::X86_64)
        .native_only();
    let program = bpf::compile(&resolved).unwrap();
    assert!(program.len() <= 120, "{} instructions", program.len());
    let worst = (0..1024u32)
        .flat_map(|nr| {
            [
                [0u64; 6],
                [0xffff_ffff, 0, 0, 0, 0, 0],
                [38, 0, 0, 0, 0, 0],
                [0x7e02_0000, 0, 0, 0, 0, 0],
            ]
            .map(|args| (nr, args))
        })
        .map(|(nr, args)| {
            let data = SeccompData {
                nr: nr as i32,
                arch: audit(SeccompArch::X86_64),
                instruction_pointer: 0,
                args,
            };
            run_counting(&program, &data).unwrap().1
        })
        .max()
        .unwrap();
    assert!(worst <= 19, "{worst} instructions executed");
}

/// libseccomp's programs (this machine's libseccomp, through the
/// `libseccomp` backend) decide as ours on over a million inputs, but where
/// libseccomp is wrong and the model decides, for one of three reasons, each
/// checked on the input:
///
/// - `libseccomp_compares_a_stale_accumulator`: libseccomp joins the
///   comparisons of rules (and, with several ABIs, of ABIs) that test the
///   same argument, and some paths into a joined test arrive holding the
///   other half of the argument (or another value) than the test expects:
///   the input's run passes a conditional jump that paths with different
///   loads reach. (The x86_64 + x86 + x32 case of libseccomp 2.5.4 is one.)
/// - `libseccomp_compares_low_words_only_on_x32`: libseccomp counts x32 as
///   a 32-bit ABI and compares only the low halves of arguments and
///   constants, while x32 syscalls take 64-bit registers, which the model
///   compares whole. (On x86 and arm, whose syscalls do take 32-bit
///   arguments, the model compares low halves too, and they agree.)
/// - `libseccomp_does_not_know_the_syscall`: syscalls newer than the
///   installed libseccomp (`mseal` for 2.5.4) cannot be filtered on the ABIs
///   besides the native one, where the backend leaves them to the default.
#[cfg(feature = "libseccomp")]
#[test]
fn libseccomp_programs_decide_as_ours() {
    let mut evaluated = 0usize;
    let mut known_differences = std::collections::BTreeMap::<&str, usize>::new();
    for (name, profile) in policies() {
        for (index, context) in contexts().iter().enumerate() {
            for native_only in [false, true] {
                let mut resolved = profile.policy().resolve(context, SeccompArch::X86_64);
                if native_only {
                    if resolved.architectures.len() == 1 {
                        continue;
                    }
                    resolved = resolved.native_only();
                }
                let ours = bpf::compile(&resolved).unwrap();
                let theirs_program = match seccomp_dsl::libseccomp_program_of(&resolved, false) {
                    Ok(program) => program,
                    Err(error) => panic!("{name}: libseccomp: {error}"),
                };
                let constants: Vec<u64> = resolved
                    .rules
                    .iter()
                    .flat_map(|rule| rule.conditions.iter())
                    .flat_map(|c| {
                        [
                            c.value,
                            if let CmpOp::MaskedEq(mask) = c.op {
                                mask
                            } else {
                                0
                            },
                        ]
                    })
                    .collect();
                let mut inputs = Sampler::new(index as u64 + 1, constants);
                let arches: Vec<SeccompArch> = resolved.architectures.clone();
                let samples = 1_200_000 / (policies().len() * contexts().len());
                for _ in 0..samples {
                    let (arch, nr, args) = inputs.call(&arches);
                    let data = SeccompData {
                        nr: nr as i32,
                        arch,
                        instruction_pointer: 0,
                        args,
                    };
                    let (ours, theirs) = (
                        run(&ours, &data).unwrap(),
                        run(&theirs_program, &data).unwrap(),
                    );
                    evaluated += 1;
                    if ours == theirs {
                        continue;
                    }
                    let model = reference::decide(&resolved, arch, nr, &args);
                    assert_eq!(
                        ours, model,
                        "{name}: ours differs from the model: {data:x?}"
                    );
                    let knows = |name: &str, abi| seccomp_dsl::libseccomp_knows(name, abi);
                    let Some(difference) =
                        known_error(&theirs_program, &resolved, &data, theirs, knows)
                    else {
                        panic!("{name}: libseccomp {theirs:#x}, ours and the model {ours:#x}: {data:x?}")
                    };
                    // Only where the macro asks for an acknowledgement.
                    assert!(
                        difference != "libseccomp_compares_a_stale_accumulator"
                            || !seccomp_dsl::engines::miscompiled_by_libseccomp(profile.policy())
                                .is_empty(),
                        "{name}: libseccomp miscompiles a policy of another shape: {data:x?}"
                    );
                    *known_differences.entry(difference).or_default() += 1;
                }
            }
        }
    }
    println!("{evaluated} inputs; libseccomp's known errors: {known_differences:?}");
    assert!(evaluated >= 1_000_000);
}

/// Calls for the differential test: every syscall number of the table and
/// the boundaries around them, arguments near the policy's constants with
/// each half varied on its own, x32 numbers and foreign ABIs.
#[cfg(feature = "libseccomp")]
struct Sampler {
    state: u64,
    constants: Vec<u64>,
}

#[cfg(feature = "libseccomp")]
impl Sampler {
    fn new(seed: u64, mut constants: Vec<u64>) -> Sampler {
        constants.extend([0, 1, u64::from(u32::MAX), 1 << 32, u64::MAX]);
        Sampler {
            state: seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1,
            constants,
        }
    }

    fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    fn half(&mut self, base: u32) -> u32 {
        match self.next() % 4 {
            0 => self.next() as u32,
            1 => base,
            _ => base.wrapping_add((self.next() % 5) as u32).wrapping_sub(2),
        }
    }

    fn argument(&mut self) -> u64 {
        let (first, second) = (self.next() as usize, self.next() as usize);
        let base = self.constants[first % self.constants.len()];
        let other = self.constants[second % self.constants.len()];
        // Each half near a constant, not necessarily the same one.
        (u64::from(self.half((base >> 32) as u32)) << 32) | u64::from(self.half(other as u32))
    }

    fn call(&mut self, arches: &[SeccompArch]) -> (u32, u32, [u64; 6]) {
        let abi = match self.next() % 10 {
            0 => None,
            _ => Some(arches[self.next() as usize % arches.len()]),
        };
        let arch = abi.map_or(
            if self.next() % 2 == 0 {
                audit(SeccompArch::X86)
            } else {
                0xdead_beef
            },
            audit,
        );
        let nr = match self.next() % 8 {
            0 => self.next() as u32,
            1 => X32_SYSCALL_BIT | (self.next() % 600) as u32,
            2 => [u32::MAX, 0x3fff_ffff, X32_SYSCALL_BIT, 0x7fff_ffff][self.next() as usize % 4],
            _ => (self.next() % 600) as u32,
        };
        let thirty_two_bit = matches!(abi, Some(SeccompArch::X86 | SeccompArch::Arm));
        let args = [0; 6].map(|_| {
            let value = self.argument();
            // The kernel passes 32-bit ABIs' arguments zero-extended.
            if thirty_two_bit {
                value & u64::from(u32::MAX)
            } else {
                value
            }
        });
        (arch, nr, args)
    }
}

/// Over every syscall number of every ABI of every test policy, with every
/// argument vector of the equivalence classes, no call runs more
/// instructions under our program than under libseccomp's binary tree (its
/// optimization level 2, the fastest it makes), with one named exception:
/// on x32, libseccomp compares only low halves (see
/// `libseccomp_programs_decide_as_ours`), so it can skip the high-half test
/// the model needs. Even there, no syscall's longest run is longer than
/// libseccomp's.
#[cfg(feature = "libseccomp")]
#[test]
fn no_call_runs_more_instructions_than_under_libseccomps_binary_tree() {
    let (mut compared, mut x32_exceptions) = (0usize, 0usize);
    let mut fewer_in_total = 0i64;
    for (name, resolved) in resolved_policies() {
        let ours = bpf::compile(&resolved).unwrap();
        let theirs = seccomp_dsl::libseccomp_program_of(&resolved, true).unwrap();
        let vectors = argument_vectors(&resolved);
        let calls = resolved.architectures.iter().flat_map(|&abi| {
            let bias = bpf::number_bias(abi);
            syscalls::all()
                .iter()
                .filter_map(move |s| s.number(abi.syscall_table()))
                .map(move |nr| (abi, audit(abi), nr + bias))
        });
        for (abi, arch, nr) in calls {
            let (mut ours_longest, mut theirs_longest) = (0, 0);
            for args in &vectors {
                let data = SeccompData {
                    nr: nr as i32,
                    arch,
                    instruction_pointer: 0,
                    args: *args,
                };
                let (ours_count, theirs_count) = (
                    run_counting(&ours, &data).unwrap().1,
                    run_counting(&theirs, &data).unwrap().1,
                );
                compared += 1;
                fewer_in_total += theirs_count as i64 - ours_count as i64;
                ours_longest = ours_longest.max(ours_count);
                theirs_longest = theirs_longest.max(theirs_count);
                if ours_count > theirs_count {
                    assert_eq!(
                        abi,
                        SeccompArch::X32,
                        "{name}: {ours_count} instructions run, {theirs_count} under libseccomp: {data:x?}"
                    );
                    x32_exceptions += 1;
                }
            }
            assert!(
                ours_longest <= theirs_longest,
                "{name}: {abi:?} syscall {nr:#x} runs up to {ours_longest} instructions, \
                 up to {theirs_longest} under libseccomp"
            );
        }
    }
    println!(
        "{compared} calls: {x32_exceptions} x32 calls run more instructions than under libseccomp's \
         binary tree, none other; {fewer_in_total} fewer in all"
    );
    assert!(fewer_in_total > 0);
}

/// The model of libseccomp's binary tree (`bpf::libseccomp_tree`), which
/// bounds our search, against libseccomp's own programs: for every syscall
/// number whose answer does not depend on its arguments, on the native ABI,
/// the model counts no more instructions than libseccomp runs (it leaves out
/// the `ja` trampolines of long programs), and exactly as many on most.
#[cfg(feature = "libseccomp")]
#[test]
fn the_model_of_libseccomps_tree_counts_what_it_runs() {
    use seccomp_dsl::bpf::libseccomp_tree::Dispatch;
    let (mut compared, mut exact) = (0usize, 0usize);
    for (name, resolved) in resolved_policies() {
        let resolved = resolved.native_only();
        let native = resolved.architectures[0];
        let theirs = seccomp_dsl::libseccomp_program_of(&resolved, true).unwrap();
        let table = native.syscall_table();
        let rules_for = |syscall: &str| -> Vec<&&seccomp_dsl::model::Rule> {
            resolved
                .rules
                .iter()
                .filter(|rule| rule.names(syscall))
                .collect()
        };
        let numbers: Vec<u32> = syscalls::all()
            .iter()
            .filter(|entry| !rules_for(entry.name()).is_empty())
            .filter_map(|entry| entry.number(table))
            .collect();
        let model = Dispatch::new(&numbers, native == SeccompArch::X86_64);
        for entry in syscalls::all() {
            let Some(nr) = entry.number(table) else {
                continue;
            };
            if rules_for(entry.name())
                .iter()
                .any(|rule| !rule.is_unconditional())
            {
                continue;
            }
            let data = SeccompData {
                nr: nr as i32,
                arch: audit(native),
                instruction_pointer: 0,
                args: [0; 6],
            };
            let ran = run_counting(&theirs, &data).unwrap().1 as u32;
            // ld arch, jeq arch, the dispatch, ret.
            let counted = 2 + model.cost(nr) + 1;
            assert!(
                counted <= ran,
                "{name}: {} counted {counted}, libseccomp runs {ran}",
                entry.name()
            );
            compared += 1;
            exact += usize::from(counted == ran);
        }
    }
    println!("{compared} syscalls: the model counts exactly what libseccomp runs for {exact}");
    assert!(exact * 10 >= compared * 9, "{exact} of {compared}");
}

/// What the importer assumes when it leaves shadowed entries out
/// (`dsl::import_docker_noting`): libseccomp keeps the first rule without
/// conditions for a syscall and ignores a later one, whatever its action.
#[cfg(feature = "libseccomp")]
#[test]
fn libseccomp_keeps_the_first_rule_without_conditions() {
    use seccomp_dsl::model::{Action, Policy, Rule};
    let context = Context {
        arch: "amd64".into(),
        capabilities: vec![],
        kernel: KernelVersion { major: 6, minor: 1 },
    };
    for (first, second) in [
        (Action::Allow, Action::Errno(1)),
        (Action::Errno(1), Action::Allow),
    ] {
        let policy = Policy::new(
            Action::Errno(38),
            vec![
                Rule::new(["setns"], [], first),
                Rule::new(["setns"], [], second),
            ],
        );
        let resolved = policy.resolve(&context, SeccompArch::X86_64);
        let program = seccomp_dsl::libseccomp_program_of(&resolved, false).unwrap();
        let setns = syscalls::lookup("setns")
            .unwrap()
            .number(SeccompArch::X86_64.syscall_table());
        let data = SeccompData {
            nr: setns.unwrap() as i32,
            arch: audit(SeccompArch::X86_64),
            instruction_pointer: 0,
            args: [0; 6],
        };
        assert_eq!(run(&program, &data), Ok(bpf::return_value(first)));
    }
}

/// What the check "conditional rule ... can never apply" says: libseccomp
/// drops the conditional rules of a syscall that also has a rule without
/// conditions, whichever comes first, so the DSL and the importer refuse
/// such a pair.
#[cfg(feature = "libseccomp")]
#[test]
fn libseccomp_drops_conditional_rules_beside_an_unconditional_one() {
    use seccomp_dsl::model::{Action, ArgCondition, ArgWidth, CmpOp, Policy, Rule};
    let context = Context {
        arch: "amd64".into(),
        capabilities: vec![],
        kernel: KernelVersion { major: 6, minor: 1 },
    };
    let zero = ArgCondition {
        index: 0,
        op: CmpOp::Eq,
        value: 0,
        width: ArgWidth::U64,
    };
    let conditional = Rule::new(["personality"], [zero], Action::Errno(13));
    let unconditional = Rule::new(["personality"], [], Action::Allow);
    for rules in [
        vec![conditional.clone(), unconditional.clone()],
        vec![unconditional, conditional],
    ] {
        let policy = Policy::new(Action::Errno(1), rules);
        let resolved = policy.resolve(&context, SeccompArch::X86_64);
        let program = seccomp_dsl::libseccomp_program_of(&resolved, false).unwrap();
        let data = SeccompData {
            nr: syscalls::lookup("personality")
                .and_then(|entry| entry.number(SeccompArch::X86_64.syscall_table()))
                .unwrap() as i32,
            arch: audit(SeccompArch::X86_64),
            instruction_pointer: 0,
            args: [0; 6],
        };
        assert_eq!(run(&program, &data), Ok(bpf::return_value(Action::Allow)));
    }
}

/// The port of libseccomp's rule database (`engines::libseccomp_db`)
/// answers as the C library's programs do: random rules for one syscall,
/// overlapping with different actions, added in order, each call of a
/// grid around their constants (each half varied on its own) run through
/// the program libseccomp generates. A rule libseccomp refuses is refused
/// by the port too.
#[cfg(feature = "libseccomp")]
#[test]
fn the_port_of_libseccomps_rule_database_answers_as_its_programs() {
    use seccomp_dsl::engines::libseccomp_db::{Refused, SyscallRules, Why};
    use seccomp_dsl::model::{Action, ArgCondition, Policy, Rule};
    let context = Context {
        arch: "amd64".into(),
        capabilities: vec![],
        kernel: KernelVersion { major: 6, minor: 1 },
    };
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |below: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % below
    };
    const VALUES: [u64; 8] = [0, 1, 9, 16, 40, 0xffff_ffff, 0x1_0000_0010, 0x2_0000_0000];
    const ACTIONS: [Action; 4] = [
        Action::Allow,
        Action::Errno(1),
        Action::Errno(22),
        Action::Trap,
    ];
    let (mut compared, mut refused, mut stale, mut loops) = (0usize, 0usize, 0usize, 0usize);
    let mut ambiguous = 0usize;
    for case in 0..3000 {
        // x86_64's 64-bit arguments, or x86's 32-bit ones (`personality`:
        // x86 multiplexes `socket` through `socketcall`).
        let (abi, syscall) = match case % 3 {
            0 => (SeccompArch::X86, "personality"),
            _ => (SeccompArch::X86_64, "socket"),
        };
        let wide = abi == SeccompArch::X86_64;
        let number = (syscalls::lookup(syscall).unwrap())
            .number(abi.syscall_table())
            .unwrap();
        let rules: Vec<(Vec<ArgCondition>, Action)> = (0..1 + next(4))
            .map(|_| {
                let indices: &[u8] = match next(3) {
                    0 => &[0],
                    1 => &[1],
                    _ => &[0, 1],
                };
                let conditions = (indices.iter())
                    .map(|&index| {
                        let value = VALUES[next(8) as usize];
                        let op = match next(7) {
                            0 => CmpOp::Eq,
                            1 => CmpOp::Ne,
                            2 => CmpOp::Lt,
                            3 => CmpOp::Le,
                            4 => CmpOp::Gt,
                            5 => CmpOp::Ge,
                            _ => CmpOp::MaskedEq([0xff, 0xffff_0000_00ff, 0x30][next(3) as usize]),
                        };
                        ArgCondition::new(index, op, value)
                    })
                    .collect();
                (conditions, ACTIONS[next(4) as usize])
            })
            .collect();
        let policy = Policy::new(
            Action::Errno(38),
            (rules.iter())
                .map(|(conditions, action)| Rule::new([syscall], conditions.clone(), *action))
                .collect(),
        );
        let mut policy = policy;
        let abis = match wide {
            true => vec![SeccompArch::X86_64],
            false => vec![SeccompArch::X86_64, SeccompArch::X86],
        };
        policy.architectures = seccomp_dsl::model::Architectures::List(abis.into());
        let applicable = policy.applicable(&context, SeccompArch::X86_64);
        let ported = SyscallRules::build(&rules, wide);
        // x86's rules are added to x86_64's filter too, in its own tree.
        let native_refuses = (!wide)
            .then(|| SyscallRules::build(&rules, true).err())
            .flatten();
        let refusal = ported.as_ref().err().copied().or(native_refuses);
        if let Some(Refused {
            why: Why::LoopsForever,
            ..
        }) = refusal
        {
            assert!(
                never_returns(|| drop(seccomp_dsl::libseccomp_program_of(&applicable, false))),
                "case {case}: libseccomp returns where the port says it loops: {rules:?}"
            );
            loops += 1;
            continue;
        }
        let program = match seccomp_dsl::libseccomp_program_of(&applicable, false) {
            Ok(program) => program,
            Err(error) => {
                assert!(
                    refusal.is_some(),
                    "case {case}: libseccomp refuses ({error}), the port does not: {rules:?}"
                );
                refused += 1;
                continue;
            }
        };
        assert!(
            native_refuses.is_none(),
            "case {case}: the port refuses on x86_64, libseccomp does not: {rules:?}"
        );
        let ported =
            ported.unwrap_or_else(|e| panic!("case {case}: the port refuses {e:?}: {rules:?}"));
        let around: Vec<u64> = (rules.iter())
            .flat_map(|(conditions, _)| conditions.iter())
            .flat_map(|c| {
                let v = c.value;
                [
                    v,
                    v.wrapping_sub(1),
                    v.wrapping_add(1),
                    v ^ 0x1_0000_0000,
                    v & 0xffff_ffff,
                    v | 0xf0,
                ]
            })
            .chain([0, u64::MAX])
            .collect();
        for &arg0 in &around {
            for &arg1 in &around {
                let args = [arg0, arg1, 0, 0, 0, 0];
                let data = SeccompData {
                    nr: number as i32,
                    arch: audit(abi),
                    instruction_pointer: 0,
                    args,
                };
                let theirs = run(&program, &data).unwrap();
                let answer = ported.decide(&args, wide).unwrap_or(Action::Errno(38));
                // The program's run, accumulator included, gives it among
                // the answers it can give, whatever the layout.
                let programmed = ported.programmed(&args, wide);
                ambiguous += usize::from(programmed.len() > 1);
                let possible: Vec<u32> = (programmed.iter())
                    .map(|answer| bpf::return_value(answer.unwrap_or(Action::Errno(38))))
                    .collect();
                assert!(
                    possible.contains(&theirs),
                    "case {case}: {syscall}({arg0:#x}, {arg1:#x}) on {abi:?}: libseccomp \
                     {theirs:#x}, the program's runs {possible:x?}: {rules:?}"
                );
                // Where libseccomp's code generation tests an accumulator
                // another path loaded (its known error, which the DSL
                // refuses), the program answers for that error, not for the
                // database the port models.
                if bpf::return_value(answer) != theirs
                    && common::libseccomp_errors::passes_a_stale_accumulator(&program, &data)
                {
                    stale += 1;
                    continue;
                }
                assert_eq!(
                    bpf::return_value(answer),
                    theirs,
                    "case {case}: {syscall}({arg0:#x}, {arg1:#x}) on {abi:?}: {rules:?}"
                );
                compared += 1;
            }
        }
    }
    println!(
        "{compared} calls answered alike; {refused} rule sets refused by both; {loops} on \
         which libseccomp never returns, as the port says; {stale} calls through libseccomp's \
         stale accumulator; {ambiguous} calls the program's runs give more than one answer"
    );
    assert!(compared > 1_000_000 && refused > 0 && loops > 0 && stale > 0);
    // Both ways are followed only where a block is entered stale: rarely.
    assert!(ambiguous < (compared + stale) / 10, "{ambiguous}");
}

/// Whether `work`, run in a forked child, is still running after two
/// seconds (the child is then killed).
#[cfg(feature = "libseccomp")]
fn never_returns(work: impl FnOnce()) -> bool {
    // SAFETY: the child runs `work` and exits without returning into the
    // test harness.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
    if pid == 0 {
        work();
        // SAFETY: ends the child at once.
        unsafe { libc::_exit(0) };
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let mut status = 0;
    loop {
        // SAFETY: waits for our own child without blocking.
        let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if done == pid {
            return false;
        }
        if std::time::Instant::now() > deadline {
            // SAFETY: our own child; reaped right after.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, &mut status, 0);
            }
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
