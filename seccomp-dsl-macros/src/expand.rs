//! Generates the macro's output: a `seccomp_dsl::Profile` constant holding
//! the model and its Docker profile, both computed here at compile time.

use proc_macro2::TokenStream;
use quote::quote;
use seccomp_dsl_core::bpf::{self, CompileError, Instruction};
use seccomp_dsl_core::constants::CAPABILITIES;
use seccomp_dsl_core::docker;
use seccomp_dsl_core::model::{
    Action, Architectures, ArgCondition, ArgWidth, CmpOp, Context, Filter, Flag, KernelVersion,
    Policy, Rule, SeccompArch, DOCKER_CONTAINER_CAPABILITIES,
};
use seccomp_dsl_core::preset::{Answers, Questions};

/// The targets the macro precompiles BPF programs for: a `cfg` predicate,
/// the native ABI and its Docker name.
const TARGETS: [(&str, SeccompArch, &str); 2] = [
    (
        "all(target_arch = \"x86_64\", target_pointer_width = \"64\")",
        SeccompArch::X86_64,
        "amd64",
    ),
    ("target_arch = \"aarch64\"", SeccompArch::Aarch64, "arm64"),
];

/// Capability sets the macro precompiles programs for when a policy has
/// rules that depend on capabilities: none, a Docker container's default
/// set, and every capability (a root process). `install()` uses a preset
/// only where the process answers the policy's questions as the preset's
/// context does, and compiles otherwise.
fn preset_capabilities() -> [Vec<&'static str>; 3] {
    [
        Vec::new(),
        DOCKER_CONTAINER_CAPABILITIES.to_vec(),
        CAPABILITIES
            .constants
            .iter()
            .map(|(name, _)| *name)
            .collect(),
    ]
}

/// What the macro precompiles: the policy's install-time questions, the
/// distinct programs, and per target of [`TARGETS`] its presets as
/// `(answers, index of the program)`.
pub struct Programs {
    pub questions: Questions,
    pub programs: Vec<Vec<Instruction>>,
    pub targets: Vec<Vec<(Answers, usize)>>,
}

/// Compiles the policy for the contexts it can meet on each target: one
/// when no rule waits for install time, else one per distinct answer to its
/// questions among [`preset_capabilities`] on each kernel version it names
/// (so any kernel at least as recent as the oldest of those finds its
/// preset). No presets when answers cannot key one (see
/// [`Questions::of`]): `install()` then compiles.
pub fn programs(policy: &Policy) -> Result<Programs, String> {
    let Some(questions) = Questions::of(policy) else {
        return Ok(Programs {
            questions: Questions::NONE,
            programs: Vec::new(),
            targets: vec![Vec::new(); TARGETS.len()],
        });
    };
    let capability_sets = preset_capabilities();
    let capability_sets = if questions.capabilities == 0 {
        &capability_sets[..1]
    } else {
        &capability_sets[..]
    };
    let kernels: Vec<KernelVersion> = if questions.ask_kernel() {
        questions.kernels().collect()
    } else {
        vec![KernelVersion { major: 0, minor: 0 }]
    };
    let mut programs: Vec<Vec<Instruction>> = Vec::new();
    let mut targets = Vec::new();
    for (_, native, docker_arch) in TARGETS {
        let mut presets: Vec<(Answers, usize)> = Vec::new();
        // Contexts with other answers may still have the same rules apply.
        let mut compiled: Vec<(Vec<bool>, usize)> = Vec::new();
        let contexts = capability_sets.iter().flat_map(|capabilities| {
            kernels.iter().map(|kernel| Context {
                arch: docker_arch.into(),
                capabilities: capabilities.iter().map(|c| (*c).into()).collect(),
                kernel: *kernel,
            })
        });
        for context in contexts {
            let answers = questions.answers(&context);
            if presets.iter().any(|(known, _)| *known == answers) {
                continue;
            }
            let active: Vec<bool> = policy
                .rules
                .iter()
                .map(|rule| rule.applies_in(&context))
                .collect();
            let index = match compiled.iter().find(|(known, _)| *known == active) {
                Some((_, index)) => *index,
                None => {
                    let program = match bpf::compile(&policy.resolve(&context, native)) {
                        Ok(program) => program,
                        Err(CompileError::UnsupportedAbi(_)) => break,
                        Err(error) => return Err(format!("{error} (on {})", native.name())),
                    };
                    let index = programs
                        .iter()
                        .position(|known| *known == program)
                        .unwrap_or_else(|| {
                            programs.push(program);
                            programs.len() - 1
                        });
                    compiled.push((active, index));
                    index
                }
            };
            presets.push((answers, index));
        }
        targets.push(presets);
    }
    Ok(Programs {
        questions,
        programs,
        targets,
    })
}

/// A `const`-evaluable expression of type `seccomp_dsl::Profile`.
pub fn profile(
    policy: &Policy,
    rule_lines: &[u32],
    container: seccomp_dsl_core::container_start::Settings,
    programs: Programs,
    warnings: TokenStream,
) -> TokenStream {
    let no_new_privileges = container.no_new_privileges;
    let default_action = action(policy.default_action);
    let rules = policy.rules.iter().map(rule);
    let architectures = architectures(&policy.architectures);
    let flags = policy.flags.iter().map(|flag| {
        let variant = match flag {
            Flag::Log => quote!(Log),
            Flag::SpecAllow => quote!(SpecAllow),
            Flag::WaitKillableRecv => quote!(WaitKillableRecv),
        };
        quote!(::seccomp_dsl::model::Flag::#variant)
    });
    let json = docker::to_json(policy);
    let program_items = program_items(&programs);
    let questions = questions(&programs.questions);
    quote! {{
        #warnings
        #program_items
        const PROFILE: ::seccomp_dsl::Profile = ::seccomp_dsl::Profile::__from_macro(
            ::seccomp_dsl::model::Policy {
                default_action: #default_action,
                rules: ::std::borrow::Cow::Borrowed(&[#(#rules),*]),
                architectures: #architectures,
                flags: ::std::borrow::Cow::Borrowed(&[#(#flags),*]),
            },
            #json,
            &[#(#rule_lines),*],
            #questions,
            PRESETS,
            COMPILER,
            ::seccomp_dsl::model::ContainerSettings { no_new_privileges: #no_new_privileges },
        );
        PROFILE
    }}
}

/// The programs, and `const PRESETS`, one per target `cfg`.
fn program_items(programs: &Programs) -> TokenStream {
    let program_names: Vec<syn::Ident> = (0..programs.programs.len())
        .map(|index| quote::format_ident!("PROGRAM_{}", index))
        .collect();
    let program_items = programs.programs.iter().zip(&program_names).map(|(program, name)| {
        let instructions = program
            .iter()
            .map(|Instruction { code, jt, jf, k }| quote!(::seccomp_dsl::bpf::Instruction::new(#code, #jt, #jf, #k)));
        quote!(const #name: &[::seccomp_dsl::bpf::Instruction] = &[#(#instructions),*];)
    });
    let ty = quote!(&'static [::seccomp_dsl::preset::Preset]);
    let predicates: Vec<TokenStream> = TARGETS
        .iter()
        .map(|(cfg, _, _)| cfg.parse().expect("valid cfg"))
        .collect();
    let items = predicates.iter().zip(&programs.targets).map(|(predicate, presets)| {
        let presets = presets.iter().map(|(Answers { capabilities, kernels }, index)| {
            let program = &program_names[*index];
            quote! {
                ::seccomp_dsl::preset::Preset {
                    answers: ::seccomp_dsl::preset::Answers { capabilities: #capabilities, kernels: #kernels },
                    program: #program,
                }
            }
        });
        quote!(#[cfg(#predicate)] const PRESETS: #ty = &[#(#presets),*];)
    });
    // The compiler only where some process on the target finds no preset.
    let compiler_ty = quote!(::std::option::Option<::seccomp_dsl::Compiler>);
    let with_compiler = quote!(::std::option::Option::Some(
        ::seccomp_dsl::__compile_at_install as ::seccomp_dsl::Compiler
    ));
    let compilers = predicates
        .iter()
        .zip(&programs.targets)
        .map(|(predicate, presets)| {
            let every_process_fits = programs.questions.is_empty() && !presets.is_empty();
            let compiler = match every_process_fits {
                true => quote!(::std::option::Option::None),
                false => with_compiler.clone(),
            };
            quote!(#[cfg(#predicate)] const COMPILER: #compiler_ty = #compiler;)
        });
    quote! {
        #(#[allow(dead_code)] #program_items)*
        #(#items)*
        #[cfg(not(any(#(#predicates),*)))]
        const PRESETS: #ty = &[];
        #(#compilers)*
        #[cfg(not(any(#(#predicates),*)))]
        const COMPILER: #compiler_ty = #with_compiler;
    }
}

/// The [`Questions`] as a constant expression.
fn questions(
    Questions {
        capabilities,
        kernels,
    }: &Questions,
) -> TokenStream {
    let kernels = kernels.iter().map(|kernel| match kernel {
        Some(version) => {
            let version = kernel_version(*version);
            quote!(::std::option::Option::Some(#version))
        }
        None => quote!(::std::option::Option::None),
    });
    quote!(::seccomp_dsl::preset::Questions { capabilities: #capabilities, kernels: [#(#kernels),*] })
}

/// What the macro expands to when the policy has errors: the errors, and a
/// stand-in of the right type so that they are the only diagnostics.
pub fn placeholder(errors: TokenStream) -> TokenStream {
    quote! {{
        #errors
        ::seccomp_dsl::Profile::__placeholder()
    }}
}

fn rule(rule: &Rule) -> TokenStream {
    let syscalls = rule.syscalls.iter().map(|name| {
        let name = name.as_ref();
        quote!(::std::borrow::Cow::Borrowed(#name))
    });
    let conditions = rule.conditions.iter().map(condition);
    let action = action(rule.action);
    let includes = filter(&rule.includes);
    let excludes = filter(&rule.excludes);
    let startup = rule.startup;
    let comment = match &rule.comment {
        Some(text) => {
            let text = text.as_ref();
            quote!(::std::option::Option::Some(::std::borrow::Cow::Borrowed(#text)))
        }
        None => quote!(::std::option::Option::None),
    };
    quote! {
        ::seccomp_dsl::model::Rule {
            syscalls: ::std::borrow::Cow::Borrowed(&[#(#syscalls),*]),
            conditions: ::std::borrow::Cow::Borrowed(&[#(#conditions),*]),
            action: #action,
            includes: #includes,
            excludes: #excludes,
            comment: #comment,
            startup: #startup,
        }
    }
}

fn strings<'a>(items: impl Iterator<Item = &'a str>) -> TokenStream {
    let items = items.map(|item| quote!(::std::borrow::Cow::Borrowed(#item)));
    quote!(::std::borrow::Cow::Borrowed(&[#(#items),*]))
}

fn filter(filter: &Filter) -> TokenStream {
    let caps = strings(filter.caps.iter().map(|c| c.as_ref()));
    let arches = strings(filter.arches.iter().map(|a| a.as_ref()));
    let min_kernel = match filter.min_kernel {
        Some(version) => {
            let version = kernel_version(version);
            quote!(::std::option::Option::Some(#version))
        }
        None => quote!(::std::option::Option::None),
    };
    quote!(::seccomp_dsl::model::Filter { caps: #caps, arches: #arches, min_kernel: #min_kernel })
}

fn kernel_version(KernelVersion { major, minor }: KernelVersion) -> TokenStream {
    quote!(::seccomp_dsl::model::KernelVersion { major: #major, minor: #minor })
}

fn seccomp_arch(arch: SeccompArch) -> TokenStream {
    let variant = syn::Ident::new(&format!("{arch:?}"), proc_macro2::Span::call_site());
    quote!(::seccomp_dsl::model::SeccompArch::#variant)
}

fn seccomp_arches(arches: &[SeccompArch]) -> TokenStream {
    let arches = arches.iter().copied().map(seccomp_arch);
    quote!(::std::borrow::Cow::Borrowed(&[#(#arches),*]))
}

fn architectures(architectures: &Architectures) -> TokenStream {
    match architectures {
        Architectures::Native => quote!(::seccomp_dsl::model::Architectures::Native),
        Architectures::List(arches) => {
            let arches = seccomp_arches(arches);
            quote!(::seccomp_dsl::model::Architectures::List(#arches))
        }
        Architectures::Map(entries) => {
            let entries = entries.iter().map(|entry| {
                let arch = seccomp_arch(entry.arch);
                let sub_arches = match &entry.sub_arches {
                    Some(subs) => {
                        let subs = seccomp_arches(subs);
                        quote!(::std::option::Option::Some(#subs))
                    }
                    None => quote!(::std::option::Option::None),
                };
                quote!(::seccomp_dsl::model::ArchMapEntry { arch: #arch, sub_arches: #sub_arches })
            });
            quote!(::seccomp_dsl::model::Architectures::Map(::std::borrow::Cow::Borrowed(&[#(#entries),*])))
        }
    }
}

fn condition(condition: &ArgCondition) -> TokenStream {
    let ArgCondition {
        index,
        op,
        value,
        width,
    } = *condition;
    let width = match width {
        ArgWidth::U64 => quote!(U64),
        ArgWidth::U32 => quote!(U32),
        ArgWidth::I32 => quote!(I32),
        ArgWidth::U16 => quote!(U16),
    };
    let op = match op {
        CmpOp::Eq => quote!(Eq),
        CmpOp::Ne => quote!(Ne),
        CmpOp::Lt => quote!(Lt),
        CmpOp::Le => quote!(Le),
        CmpOp::Gt => quote!(Gt),
        CmpOp::Ge => quote!(Ge),
        CmpOp::MaskedEq(mask) => quote!(MaskedEq(#mask)),
    };
    quote! {
        ::seccomp_dsl::model::ArgCondition {
            index: #index,
            op: ::seccomp_dsl::model::CmpOp::#op,
            value: #value,
            width: ::seccomp_dsl::model::ArgWidth::#width,
        }
    }
}

fn action(action: Action) -> TokenStream {
    let variant = match action {
        Action::Allow => quote!(Allow),
        Action::Errno(errno) => quote!(Errno(#errno)),
        Action::KillThread => quote!(KillThread),
        Action::KillProcess => quote!(KillProcess),
        Action::Trap => quote!(Trap),
        Action::Trace(message) => quote!(Trace(#message)),
        Action::Log => quote!(Log),
    };
    quote!(::seccomp_dsl::model::Action::#variant)
}
