//! How long the decision procedure takes to prove a filter against a
//! policy, or to find where they differ: Docker's default profile as runc
//! loads it in a container (runc's ENOSYS stub and libseccomp's program for
//! x86_64, x86 and x32, with the `libseccomp` feature; seccomp-dsl's own
//! program for the three without it) against `DOCKER_DEFAULT`, and the same
//! filter with one argument value changed. Target: each in at most 2 s.
//!
//! `cargo bench -p seccomp-dsl --all-features --bench verify`

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use seccomp_dsl::bpf::{offset, op, Instruction};
use seccomp_dsl::decide::{self, Limits, Side};
use seccomp_dsl::model::{Context, KernelVersion, SeccompArch, DOCKER_CONTAINER_CAPABILITIES};
use seccomp_dsl::profiles::DOCKER_DEFAULT;

const TARGET: Duration = Duration::from_secs(2);

fn timed<T>(what: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = what();
    (value, start.elapsed())
}

/// The filter runc loads for `resolved`, and what it was made by.
fn runcs_filter(resolved: &seccomp_dsl::model::Resolved<'_>) -> (Vec<Instruction>, &'static str) {
    #[cfg(feature = "libseccomp")]
    {
        let program = seccomp_dsl::libseccomp_program_of(resolved, false)
            .expect("libseccomp builds Docker's default");
        (program, "runc's stub and libseccomp's program")
    }
    #[cfg(not(feature = "libseccomp"))]
    {
        let program = seccomp_dsl::bpf::compile(resolved).expect("Docker's default compiles");
        (
            program,
            "seccomp-dsl's program (without the libseccomp feature)",
        )
    }
}

/// `program` with the constant of its first comparison of an argument's
/// low word changed by one.
fn one_value_changed(program: &[Instruction]) -> Vec<Instruction> {
    let mut changed = program.to_vec();
    let mut argument_loaded = false;
    for instruction in &mut changed {
        if instruction.code == op::LD | op::W | op::ABS {
            argument_loaded = instruction.k >= offset::arg_low(0)
                && (instruction.k - offset::arg_low(0)) % 8 == 0;
        } else if argument_loaded && instruction.code == op::JMP | op::JEQ | op::K {
            instruction.k += 1;
            return changed;
        }
    }
    panic!("no comparison of an argument to change");
}

fn report(what: &str, took: Duration, said: &str) {
    let verdict = if took <= TARGET { "within" } else { "OVER" };
    println!(
        "{what}: {:.3} s ({verdict} the {} s target): {said}",
        took.as_secs_f64(),
        TARGET.as_secs()
    );
}

fn main() {
    let context = Context {
        arch: "amd64".into(),
        capabilities: DOCKER_CONTAINER_CAPABILITIES.map(Into::into).to_vec(),
        kernel: KernelVersion { major: 6, minor: 1 },
    };
    let resolved = DOCKER_DEFAULT
        .policy()
        .resolve(&context, SeccompArch::X86_64);
    let (filter, made_by) = runcs_filter(&resolved);
    let abis: Vec<&str> = resolved
        .architectures
        .iter()
        .map(|abi| abi.name())
        .collect();
    println!(
        "Docker's default, {} instructions ({made_by}), ABIs {}",
        filter.len(),
        abis.join(", ")
    );
    let policy = Side::Policy(&resolved);
    let filters = [filter.clone()];
    let (result, took) = timed(|| {
        let mut differences = 0u64;
        let explored = decide::differences(
            &Side::Filters(&filters),
            &policy,
            &Limits::default(),
            |_| {
                differences += 1;
                ControlFlow::Continue(())
            },
        );
        (explored, differences)
    });
    let said = match result {
        (Ok(explored), differences) => format!(
            "every path followed: {} paths, {differences} on which they differ (libseccomp's \
             known errors, with the feature)",
            explored.paths
        ),
        (Err(undecided), _) => undecided.to_string(),
    };
    report("against DOCKER_DEFAULT, every difference", took, &said);
    let changed = [one_value_changed(&filter)];
    let (verdict, took) =
        timed(|| decide::compare(&Side::Filters(&changed), &Side::Filters(&filters)));
    let said = match verdict {
        decide::Verdict::Differ(difference) => format!("differs on {:x?}", difference.data),
        other => format!("{other:?}"),
    };
    report(
        "one argument value changed, against the filter",
        took,
        &said,
    );
    let (verdict, took) = timed(|| decide::compare(&Side::Filters(&changed), &policy));
    let said = match verdict {
        decide::Verdict::Differ(difference) => format!("differs on {:x?}", difference.data),
        other => format!("{other:?}"),
    };
    report(
        "one argument value changed, against DOCKER_DEFAULT",
        took,
        &said,
    );
}
#[allow(dead_code)]
fn debug() {}
