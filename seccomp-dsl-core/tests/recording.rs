//! What `record` writes allows every call recorded and no call that
//! differs from all of them in a bit that changes what the call does
//! (`O_CREAT`, `O_TRUNC`, write access, `PROT_EXEC`, namespace flags, a
//! terminal `ioctl`), for random recordings, past the value limit too.

use proptest::prelude::*;
use seccomp_dsl_core::model::{Action, Context, KernelVersion, SeccompArch};
use seccomp_dsl_core::record::{Recording, HARMLESS_OPEN_FLAGS};

const X86_64: SeccompArch = SeccompArch::X86_64;

/// A syscall, the argument that decides, the values a program passes
/// there, and the bits (or values) that change what the call does.
struct Decides {
    syscall: &'static str,
    index: usize,
    values: &'static [u64],
    dangerous: &'static [u64],
    /// `dangerous` are whole values (ioctl requests), not bits.
    whole: bool,
}

const O_CREAT: u64 = 0x40;
const O_TRUNC: u64 = 0x200;
const O_APPEND: u64 = 0x400;
const O_PATH: u64 = 0x20_0000;
const O_TMPFILE: u64 = 0x41_0000;

const DECIDES: [Decides; 4] = [
    Decides {
        syscall: "openat",
        index: 2,
        // Read-only, with and without harmless flags; O_DIRECTORY.
        values: &[0, 0x80000, 0x80800, 0x100, 0x90800, 0x10000],
        dangerous: &[1, 2, O_CREAT, O_TRUNC, O_APPEND, O_PATH, O_TMPFILE],
        whole: false,
    },
    Decides {
        syscall: "mmap",
        index: 2,
        values: &[0, 1, 3],
        dangerous: &[4],
        whole: false,
    },
    Decides {
        syscall: "clone",
        index: 0,
        values: &[0x3d0f00, 0x1200011, 0x4111],
        dangerous: &[0x1000_0000, 0x2_0000, 0x4000_0000, 0x2000_0000],
        whole: false,
    },
    Decides {
        syscall: "ioctl",
        index: 1,
        // Terminal requests and others: TCGETS, TIOCGWINSZ, FIONREAD, ...
        values: &[
            0x5401,
            0x5413,
            0x541b,
            0x5421,
            0x5450,
            0x5451,
            0x1,
            0x2,
            0x3,
            0x4,
            0x5,
            0x6,
            0x7,
            0x8,
            0x9,
            0xa,
            0xb,
            0xc,
            0xd,
            0xe,
            0xf,
            0x10,
            0x11,
            0x8004_5430,
            0x4004_5431,
        ],
        dangerous: &[0x5412, 0x541c, 0x5423, 0x541d],
        whole: true,
    },
];

fn context() -> Context {
    Context {
        arch: "amd64".into(),
        capabilities: vec![],
        kernel: KernelVersion { major: 6, minor: 1 },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn a_recording_allows_what_ran_and_nothing_dangerous_besides(
        calls in prop::collection::vec((0..DECIDES.len(), any::<prop::sample::Index>()), 1..60),
        mutations in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..20),
    ) {
        let mut recording = Recording::new(Action::Errno(1));
        let mut recorded: Vec<(usize, u64)> = Vec::new();
        for (which, value) in calls {
            let decides = &DECIDES[which];
            let value = *value.get(decides.values);
            let mut args = [0u64; 6];
            args[decides.index] = value;
            recording.observe(X86_64, decides.syscall, &args);
            recorded.push((which, value));
        }
        let policy = recording.to_policy();
        let resolved = policy.resolve(&context(), X86_64);
        for &(which, value) in &recorded {
            let decides = &DECIDES[which];
            let mut args = [0u64; 6];
            args[decides.index] = value;
            prop_assert_eq!(resolved.decide(decides.syscall, &args), Action::Allow, "{} {:#x}", decides.syscall, value);
        }
        for (call, danger) in mutations {
            let &(which, value) = call.get(&recorded);
            let decides = &DECIDES[which];
            let danger = *danger.get(decides.dangerous);
            let mutated = if decides.whole { danger } else { value ^ danger };
            // Unless a call recorded differs from it in harmless bits alone.
            let harmless = if decides.syscall == "openat" { HARMLESS_OPEN_FLAGS } else { 0 };
            let like_one_recorded = recorded.iter().any(|&(other, seen)| {
                other == which && (seen ^ mutated) & !harmless == 0
            });
            if like_one_recorded {
                continue;
            }
            let mut args = [0u64; 6];
            args[decides.index] = mutated;
            prop_assert_eq!(
                resolved.decide(decides.syscall, &args),
                Action::Errno(1),
                "{} {:#x} (from {:#x})", decides.syscall, mutated, value
            );
        }
    }
}
