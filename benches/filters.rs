//! Install latency, per-syscall cost and program figures for Docker's
//! default profile: seccomp-dsl's compiled program against a raw
//! `seccomp(2)` of a prebuilt program and against libseccomp (with the
//! `libseccomp` feature), side by side in one process.
//!
//! `cargo bench -p seccomp-dsl --all-features --bench filters`
//!
//! A filter cannot be removed, so everything that loads one runs in a
//! forked child, which times itself and reports through a pipe.

use std::borrow::Cow;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use seccomp_dsl::bpf::emulate::{run_counting, SeccompData};
use seccomp_dsl::bpf::{self, audit_arch, Instruction};
use seccomp_dsl::model::{Context, Resolved, SeccompArch};
use seccomp_dsl::profiles::{
    DOCKER_DEFAULT, DOCKER_DEFAULT_HARDENED, DOCKER_DEFAULT_HARDENED_NATIVE, DOCKER_DEFAULT_NATIVE,
};

/// Runs `measure` in a forked child and returns the time it reports.
fn in_child(measure: impl FnOnce() -> Duration) -> Duration {
    let mut pipe = [0; 2];
    // SAFETY: pipe fills two descriptors.
    assert_eq!(unsafe { libc::pipe(pipe.as_mut_ptr()) }, 0);
    // SAFETY: the child only measures, writes and exits.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let nanos = measure().as_nanos() as u64;
        // SAFETY: writes 8 bytes from a live buffer, then exits at once.
        unsafe {
            libc::write(pipe[1], (&nanos as *const u64).cast(), 8);
            libc::_exit(0);
        }
    }
    let mut nanos = 0u64;
    // SAFETY: reads 8 bytes into a live buffer; waits for our child.
    unsafe {
        libc::close(pipe[1]);
        assert_eq!(
            libc::read(pipe[0], (&mut nanos as *mut u64).cast(), 8),
            8,
            "the child failed"
        );
        libc::close(pipe[0]);
        libc::waitpid(pid, std::ptr::null_mut(), 0);
    }
    Duration::from_nanos(nanos)
}

/// Something that loads a filter.
type Load<'a> = dyn Fn() + 'a;

/// Each iteration loads a filter in a new child: the time of `load` alone.
fn each_in_child(load: &dyn Fn()) -> impl FnMut(u64) -> Duration + '_ {
    move |iters| (0..iters).map(|_| in_child(|| timed(load))).sum()
}

fn timed(action: impl FnOnce()) -> Duration {
    let start = Instant::now();
    action();
    start.elapsed()
}

struct Subjects {
    native: Resolved<'static>,
    /// The program the macro embedded for this process, where install() finds it.
    native_embedded: &'static [Instruction],
    all_abis: Resolved<'static>,
    native_program: Vec<Instruction>,
    all_abis_program: Vec<Instruction>,
}

fn subjects() -> Subjects {
    let all_abis = DOCKER_DEFAULT
        .resolve_here()
        .expect("this architecture is supported");
    let native = all_abis.clone().native_only();
    let native_embedded = match DOCKER_DEFAULT_NATIVE.compile_here().unwrap() {
        Cow::Borrowed(program) => program,
        Cow::Owned(_) => panic!("no preset for this process"),
    };
    assert_eq!(native_embedded, bpf::compile(&native).unwrap());
    Subjects {
        native_embedded,
        native_program: bpf::compile(&native).unwrap(),
        all_abis_program: bpf::compile(&all_abis).unwrap(),
        native,
        all_abis,
    }
}

/// One way of installing Docker's default; `paired`: also measured in the
/// interleaved figures.
struct Case<'a> {
    name: &'static str,
    paired: bool,
    load: Box<Load<'a>>,
}

fn case<'a>(name: &'static str, paired: bool, load: impl Fn() + 'a) -> Case<'a> {
    Case {
        name,
        paired,
        load: Box::new(load),
    }
}

/// The ways of installing Docker's default, per set of ABIs, the raw
/// floor first.
fn installs(s: &Subjects) -> [(&'static str, Vec<Case<'_>>); 2] {
    [
        (
            "native",
            vec![
                case("raw seccomp(2) of the prebuilt program", true, || {
                    seccomp_dsl::install_program(&s.native_program, &[]).unwrap()
                }),
                case(
                    "raw seccomp(2) of the program embedded in the binary",
                    true,
                    || seccomp_dsl::install_program(s.native_embedded, &[]).unwrap(),
                ),
                case("seccomp-dsl Profile::install", true, || {
                    DOCKER_DEFAULT_NATIVE.install().unwrap()
                }),
                case(
                    "seccomp-dsl Profile::install, hardened variant",
                    true,
                    || DOCKER_DEFAULT_HARDENED_NATIVE.install().unwrap(),
                ),
                case("seccomp-dsl compile at install + load", false, || {
                    seccomp_dsl::install_resolved(&s.native).unwrap()
                }),
                #[cfg(feature = "libseccomp")]
                case("libseccomp build + load", false, || {
                    seccomp_dsl::install_resolved_libseccomp(&s.native).unwrap()
                }),
            ],
        ),
        (
            "x86_64+x86+x32",
            vec![
                case("raw seccomp(2) of the prebuilt program", true, || {
                    seccomp_dsl::install_program(&s.all_abis_program, &[]).unwrap()
                }),
                case("seccomp-dsl Profile::install", true, || {
                    DOCKER_DEFAULT.install().unwrap()
                }),
                case(
                    "seccomp-dsl Profile::install, hardened variant",
                    true,
                    || DOCKER_DEFAULT_HARDENED.install().unwrap(),
                ),
                case("seccomp-dsl compile at install + load", false, || {
                    seccomp_dsl::install_resolved(&s.all_abis).unwrap()
                }),
                #[cfg(feature = "libseccomp")]
                case("libseccomp build + load", false, || {
                    DOCKER_DEFAULT.install_libseccomp().unwrap()
                }),
            ],
        ),
    ]
}

fn install(c: &mut Criterion) {
    let s = subjects();
    let mut group = c.benchmark_group("install Docker's default");
    group.sample_size(30);
    for (abis, cases) in installs(&s) {
        for case in &cases {
            let name = format!("{abis}: {}", case.name);
            group.bench_function(name, |b| b.iter_custom(each_in_child(case.load.as_ref())));
        }
    }
    group.finish();

    let mut group = c.benchmark_group("compile Docker's default (finishing at install time)");
    group.bench_function("native", |b| {
        b.iter(|| bpf::compile(black_box(&s.native)).unwrap())
    });
    group.bench_function("x86_64+x86+x32", |b| {
        b.iter(|| bpf::compile(black_box(&s.all_abis)).unwrap())
    });
    group.finish();
}

/// `personality(0xffffffff)`: allowed by Docker's default after argument
/// checks, and without side effects.
fn personality_calls(iters: u64) -> Duration {
    timed(|| {
        for _ in 0..iters {
            // SAFETY: personality(0xffffffff) only reads the persona.
            black_box(unsafe { libc::syscall(libc::SYS_personality, 0xffff_ffffu64) });
        }
    })
}

fn syscall_cost(c: &mut Criterion) {
    let s = subjects();
    let mut group = c.benchmark_group("personality(0xffffffff) under Docker's default (native)");
    let under = |program: Option<Vec<Instruction>>| {
        move |iters: u64| {
            let program = program.clone();
            in_child(move || {
                if let Some(program) = program {
                    seccomp_dsl::install_program(&program, &[]).unwrap();
                }
                personality_calls(iters)
            })
        }
    };
    group.bench_function("no filter", |b| b.iter_custom(under(None)));
    group.bench_function("seccomp-dsl program", |b| {
        b.iter_custom(under(Some(s.native_program.clone())))
    });
    #[cfg(feature = "libseccomp")]
    for (name, binary_tree) in [
        ("libseccomp default", false),
        ("libseccomp binary tree (level 2)", true),
    ] {
        let program = seccomp_dsl::libseccomp_program_of(&s.native, binary_tree).unwrap();
        group.bench_function(name, |b| b.iter_custom(under(Some(program.clone()))));
    }
    group.finish();
}

/// Length, and instructions executed per syscall (every number the table
/// has on this ABI, with the argument values Docker's default tests), for
/// each program, in this (root) process and in a container with Docker's
/// default capabilities.
fn print_figures() {
    let native = SeccompArch::native().unwrap();
    let arch = audit_arch(native).unwrap();
    let numbers: Vec<u32> = seccomp_dsl::syscalls::all()
        .iter()
        .filter_map(|e| e.number(native.syscall_table()))
        .collect();
    let figures = |program: &[Instruction]| {
        let mut executed: Vec<usize> = Vec::new();
        for &nr in &numbers {
            for arg0 in [
                0u64,
                8,
                38,
                39,
                40,
                0xffff_ffff,
                0x7e02_0000,
                1 << 32,
                1 << 32 | 40,
            ] {
                let data = SeccompData {
                    nr: nr as i32,
                    arch,
                    instruction_pointer: 0,
                    args: [arg0, 0, 0, 0, 0, 0],
                };
                executed.push(run_counting(program, &data).unwrap().1);
            }
        }
        let max = executed.iter().max().unwrap();
        let mean = executed.iter().sum::<usize>() as f64 / executed.len() as f64;
        format!(
            "{:>5} instructions, {:>3} at most and {:>5.1} on average executed per syscall",
            program.len(),
            max,
            mean
        )
    };
    let container = Context {
        arch: seccomp_dsl::model::native_docker_arch().unwrap().into(),
        capabilities: seccomp_dsl::model::DOCKER_CONTAINER_CAPABILITIES
            .map(Into::into)
            .to_vec(),
        kernel: seccomp_dsl::current_context().unwrap().kernel,
    };
    for (variant, profile) in [
        ("Docker's default", &DOCKER_DEFAULT),
        ("Docker's default, hardened", &DOCKER_DEFAULT_HARDENED),
    ] {
        for (who, context) in [
            ("root", seccomp_dsl::current_context().unwrap()),
            ("a container", container.clone()),
        ] {
            let resolved = profile.resolve(&context).unwrap().native_only();
            println!("{variant}, native ABI, in {who}:");
            println!(
                "  seccomp-dsl:                {}",
                figures(&bpf::compile(&resolved).unwrap())
            );
            #[cfg(feature = "libseccomp")]
            for (name, binary_tree) in [
                ("libseccomp default:        ", false),
                ("libseccomp binary tree (2):", true),
            ] {
                let program = seccomp_dsl::libseccomp_program_of(&resolved, binary_tree).unwrap();
                println!("  {name} {}", figures(&program));
            }
        }
    }
    let hardened = DOCKER_DEFAULT_HARDENED.resolve_here().unwrap();
    println!(
        "Docker's default, x86_64 + x86 + x32, in root: seccomp-dsl {} instructions, hardened {}",
        subjects().all_abis_program.len(),
        bpf::compile(&hardened).unwrap().len()
    );
}

/// Install latency against the raw floor, measured interleaved (one child
/// of each kind per round) so that drift of the machine over the run
/// cancels out of the ratios, which the criterion groups, run one after
/// another, cannot promise.
fn print_paired_install_figures() {
    const ROUNDS: usize = 2000;
    let s = subjects();
    for (abis, cases) in installs(&s) {
        let cases: Vec<Case> = cases.into_iter().filter(|case| case.paired).collect();
        let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(ROUNDS); cases.len()];
        for _ in 0..ROUNDS {
            for (index, case) in cases.iter().enumerate() {
                times[index].push(in_child(|| timed(&case.load)));
            }
        }
        let medians: Vec<Duration> = times
            .iter_mut()
            .map(|case| {
                case.sort_unstable();
                case[ROUNDS / 2]
            })
            .collect();
        println!("Install Docker's default, {abis}, medians of {ROUNDS} interleaved children:");
        for (case, median) in cases.iter().zip(&medians) {
            let ratio = median.as_secs_f64() / medians[0].as_secs_f64();
            println!("  {:<54} {median:>9.1?}  {ratio:.2}× the first", case.name);
        }
    }
}

fn figures(_: &mut Criterion) {
    print_figures();
    print_paired_install_figures();
}

criterion_group!(benches, figures, install, syscall_cost);
criterion_main!(benches);
