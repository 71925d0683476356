//! The installed filter in the kernel: every test installs a policy in a
//! forked child and checks what the child observed.

mod common;

use common::policies::{
    ACTIONS, ARGUMENTS, CANONICAL, CONDITIONAL, FOREIGN_NAMES, MULTI_NAME, NEWER_THAN_LIBSECCOMP,
};
use common::{in_child, install, raw_syscall, Ending};
use seccomp_dsl::model::Action;

const SIGSYS: i32 = libc::SIGSYS;

#[test]
fn canonical_example_allows_listed_calls_and_discriminates_personality() {
    let observed = in_child(|recorder| {
        install(recorder, &CANONICAL);
        // read and write run: on a bad descriptor they fail with EBADF.
        recorder.record(raw_syscall(libc::SYS_read, [u64::MAX, 0, 0, 0, 0, 0]));
        recorder.record(raw_syscall(libc::SYS_write, [u64::MAX, 0, 0, 0, 0, 0]));
        recorder.record(raw_syscall(libc::SYS_personality, [0, 0, 0, 0, 0, 0]));
        recorder.record(raw_syscall(libc::SYS_personality, [0x1234, 0, 0, 0, 0, 0]));
        recorder.record(raw_syscall(libc::SYS_getpid, [0; 6]));
    });
    // The canonical policy does not allow exit_group: the child's exit is
    // denied too, and glibc's _exit then falls back to a fault.
    let [installed, read, write, persona_query, persona_set, getpid] = observed.values[..] else {
        panic!(
            "child recorded {:?}, ended {:?}",
            observed.values, observed.ending
        );
    };
    assert_eq!(installed, 0, "install failed");
    assert_eq!(read, -i64::from(libc::EBADF));
    assert_eq!(write, -i64::from(libc::EBADF));
    assert!(
        persona_query >= 0,
        "personality(0) was denied: {persona_query}"
    );
    assert_eq!(persona_set, -i64::from(libc::EPERM));
    assert_eq!(getpid, -i64::from(libc::EPERM));
}

/// Every combination of boundary values for the compared arguments: the
/// kernel's answer must be the model's.
#[test]
fn argument_rules_decide_as_the_model_says() {
    let arg0 = [
        0,
        1,
        2,
        3,
        4,
        0xffff_ffff,
        0x1_0000_0000,
        0x1_0000_0001,
        u64::MAX,
    ];
    let arg1 = [0x1200, 0x12ff, 0x1300, 0xff_1200, 0x1_0000_1200];
    let arg2 = [0, 0xffff_ffff, 0x1_0000_0000];
    let arg3 = [0, 3, 4, 0x1_0000_0003];
    let arg5 = [0, 0x8000_0000_0000_0000];
    let mut tuxcall_cases = Vec::new();
    for a0 in arg0 {
        for a1 in arg1 {
            for a2 in arg2 {
                for a3 in arg3 {
                    for a5 in arg5 {
                        tuxcall_cases.push([a0, a1, a2, a3, 0, a5]);
                    }
                }
            }
        }
    }
    let flags = [
        0,
        0o2000000,
        0o4000,
        0o2004000,
        0o2000001,
        0x1_0000_0000 | 0o4000,
    ];
    let security_cases: Vec<[u64; 6]> = flags.iter().map(|&f| [0, 0, 0, 0, f, 0]).collect();

    let observed = in_child(|recorder| {
        install(recorder, &ARGUMENTS);
        for args in &tuxcall_cases {
            recorder.record(raw_syscall(libc::SYS_tuxcall, *args));
        }
        for args in &security_cases {
            recorder.record(raw_syscall(libc::SYS_security, *args));
        }
    });
    assert_eq!(observed.ending, Ending::Exited(0));
    assert_eq!(observed.values[0], 0, "install failed");
    let results = &observed.values[1..];
    assert_eq!(results.len(), tuxcall_cases.len() + security_cases.len());

    // Run, either fails with ENOSYS.
    let enosys = -i64::from(libc::ENOSYS);
    let cases = tuxcall_cases
        .iter()
        .map(|args| ("tuxcall", args, enosys))
        .chain(security_cases.iter().map(|args| ("security", args, enosys)));
    let resolved = ARGUMENTS.resolve_here().unwrap();
    let mut seen_actions = std::collections::BTreeSet::new();
    let mut mismatches = Vec::new();
    for ((name, args, value_when_run), &result) in cases.zip(results) {
        let action = resolved.decide(name, args);
        seen_actions.insert(format!("{action}"));
        let expected = match action {
            Action::Allow | Action::Log => value_when_run,
            Action::Errno(errno) => -i64::from(errno),
            other => panic!("unexpected action {other} in this policy"),
        };
        if result != expected {
            mismatches.push(format!("{name}{args:x?}: kernel {result}, model {action}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    // Every rule and the default were exercised, so the test can fail.
    let expected_actions = [
        "allow",
        "errno(13)",
        "errno(25)",
        "errno(7)",
        "errno(9)",
        "log",
    ];
    assert_eq!(
        seen_actions.into_iter().collect::<Vec<_>>(),
        expected_actions
    );
}

#[test]
fn one_condition_can_cover_several_syscalls() {
    let cases = [
        [1, 0, 0, 0, 0, 0],
        [0, 0x15, 0, 0, 0, 0],
        [2, 0x25, 0, 0, 0, 0],
    ];
    let observed = in_child(|recorder| {
        install(recorder, &MULTI_NAME);
        for args in cases {
            recorder.record(raw_syscall(libc::SYS_tuxcall, args));
            recorder.record(raw_syscall(libc::SYS_security, args));
        }
    });
    let (eacces, enosys) = (-i64::from(libc::EACCES), -i64::from(libc::ENOSYS));
    assert_eq!(
        observed.values,
        [0, eacces, eacces, eacces, eacces, enosys, enosys]
    );
}

#[test]
fn errno_returns_exactly_the_configured_value() {
    let observed = in_child(|recorder| {
        install(recorder, &ACTIONS);
        recorder.record(raw_syscall(libc::SYS_getppid, [0; 6]));
    });
    assert_eq!(observed.values, [0, -i64::from(libc::EXDEV)]);
    assert_eq!(observed.ending, Ending::Exited(0));
}

#[test]
fn kill_process_dies_by_sigsys() {
    let observed = in_child(|recorder| {
        install(recorder, &ACTIONS);
        recorder.record(raw_syscall(libc::SYS_getpriority, [0; 6]));
    });
    assert_eq!(observed.values, [0], "the call returned instead of killing");
    assert_eq!(observed.ending, Ending::Signaled(SIGSYS));
}

#[test]
fn kill_thread_kills_the_calling_thread_only() {
    let observed = in_child(|recorder| {
        install(recorder, &ACTIONS);
        let done = std::thread::spawn(|| {
            raw_syscall(libc::SYS_setpriority, [0; 6]);
            unreachable!("the thread outlived a killing call");
        });
        // The killed thread never finishes; its sibling goes on.
        std::thread::sleep(std::time::Duration::from_millis(100));
        recorder.record(i64::from(done.is_finished()));
    });
    assert_eq!(observed.values, [0, 0]);
    assert_eq!(observed.ending, Ending::Exited(0));
}

#[test]
fn kill_in_a_single_threaded_process_ends_it_by_sigsys() {
    let observed = in_child(|recorder| {
        install(recorder, &ACTIONS);
        raw_syscall(libc::SYS_setpriority, [0; 6]);
        recorder.record(1);
    });
    assert_eq!(observed.values, [0]);
    assert_eq!(observed.ending, Ending::Signaled(SIGSYS));
}

static TRAPPED: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

extern "C" fn on_sigsys(signal: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo to an SA_SIGINFO handler.
    let code = unsafe { (*info).si_code };
    TRAPPED.store(
        i64::from(signal) * 1000 + i64::from(code),
        std::sync::atomic::Ordering::SeqCst,
    );
}

#[test]
fn trap_delivers_sigsys_to_a_handler() {
    let observed = in_child(|recorder| {
        // SAFETY: installs a handler that only stores to an atomic.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigsys as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO;
            libc::sigaction(libc::SIGSYS, &action, std::ptr::null_mut());
        }
        install(recorder, &ACTIONS);
        raw_syscall(libc::SYS_getpgid, [0; 6]);
        recorder.record(TRAPPED.load(std::sync::atomic::Ordering::SeqCst));
    });
    const SYS_SECCOMP: i64 = 1;
    assert_eq!(observed.values, [0, i64::from(SIGSYS) * 1000 + SYS_SECCOMP]);
    assert_eq!(observed.ending, Ending::Exited(0));
}

#[test]
fn log_allows_and_trace_without_tracer_fails_with_enosys() {
    let observed = in_child(|recorder| {
        install(recorder, &ACTIONS);
        recorder.record(raw_syscall(libc::SYS_getsid, [0; 6]));
        recorder.record(raw_syscall(libc::SYS_getuid, [0; 6]));
    });
    let [installed, sid, uid] = observed.values[..] else {
        panic!("{observed:?}")
    };
    assert_eq!(installed, 0);
    // SAFETY: getsid has no side effect. A forked child shares our session.
    assert_eq!(sid, i64::from(unsafe { libc::getsid(0) }));
    assert_eq!(uid, -i64::from(libc::ENOSYS));
}

#[test]
fn threads_started_before_install_are_filtered() {
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    static RESULT: AtomicI64 = AtomicI64::new(i64::MIN);
    let observed = in_child(|recorder| {
        let thread = std::thread::spawn(|| {
            while !INSTALLED.load(Ordering::SeqCst) {
                std::hint::spin_loop();
            }
            RESULT.store(raw_syscall(libc::SYS_getppid, [0; 6]), Ordering::SeqCst);
        });
        install(recorder, &ACTIONS);
        INSTALLED.store(true, Ordering::SeqCst);
        while RESULT.load(Ordering::SeqCst) == i64::MIN {
            std::hint::spin_loop();
        }
        recorder.record(RESULT.load(Ordering::SeqCst));
        drop(thread);
    });
    assert_eq!(observed.values, [0, -i64::from(libc::EXDEV)]);
}

#[test]
fn names_absent_on_this_architecture_are_skipped_and_reported() {
    #[cfg(target_arch = "x86_64")]
    assert_eq!(FOREIGN_NAMES.skipped_syscalls(), ["_llseek", "chown32"]);
    let observed = in_child(|recorder| {
        install(recorder, &FOREIGN_NAMES);
        recorder.record(raw_syscall(libc::SYS_getpid, [0; 6]));
        recorder.record(raw_syscall(libc::SYS_getppid, [0; 6]));
    });
    assert_eq!(
        observed.values,
        [0, i64::from(observed.pid), -i64::from(libc::EPERM)]
    );
}

/// Drops `capability` from the calling thread's bounding set.
fn drop_capability(capability: &str) {
    let number = seccomp_dsl::constants::CAPABILITIES
        .get(capability)
        .unwrap();
    // SAFETY: only changes this (child) process's bounding set.
    let result = unsafe { libc::prctl(libc::PR_CAPBSET_DROP, number as libc::c_ulong) };
    assert_eq!(
        result,
        0,
        "PR_CAPBSET_DROP {capability}: {}",
        std::io::Error::last_os_error()
    );
}

fn conditional_outcomes(drop: &[&str]) -> Vec<i64> {
    let observed = in_child(|recorder| {
        drop.iter()
            .for_each(|capability| drop_capability(capability));
        install(recorder, &CONDITIONAL);
        for number in [
            libc::SYS_getpid,
            libc::SYS_getppid,
            libc::SYS_getuid,
            libc::SYS_getgid,
            libc::SYS_getegid,
        ] {
            recorder.record(raw_syscall(number, [0; 6]));
        }
    });
    assert_eq!(observed.ending, Ending::Exited(0));
    // Allowed calls return ids; show them as 0 so the expectations are fixed.
    observed.values.iter().map(|&value| value.min(0)).collect()
}

#[test]
fn conditions_are_decided_against_the_installing_process() {
    let has_all = current_capabilities_include(&["CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_BPF"]);
    assert!(has_all, "these tests run as root, with a full bounding set");
    let errno = |e: i32| -i64::from(e);
    let (eperm, exdev, e2big, edom) = (
        errno(libc::EPERM),
        errno(libc::EXDEV),
        errno(libc::E2BIG),
        errno(libc::EDOM),
    );
    let same_arch = if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
        e2big
    } else {
        errno(libc::ENOEXEC)
    };
    // Everything: getpid allowed, getegid's block excluded by CAP_BPF.
    assert_eq!(
        conditional_outcomes(&[]),
        [0, 0, 0, eperm, same_arch, eperm]
    );
    // Without CAP_SYS_ADMIN the other getpid rule applies.
    assert_eq!(
        conditional_outcomes(&["CAP_SYS_ADMIN"]),
        [0, exdev, 0, eperm, same_arch, eperm]
    );
    // Without CAP_BPF the nested block applies.
    assert_eq!(
        conditional_outcomes(&["CAP_BPF"]),
        [0, 0, 0, eperm, same_arch, edom]
    );
    // Without CAP_NET_ADMIN the outer block does not.
    assert_eq!(
        conditional_outcomes(&["CAP_BPF", "CAP_NET_ADMIN"]),
        [0, 0, 0, eperm, same_arch, eperm]
    );
}

fn current_capabilities_include(capabilities: &[&str]) -> bool {
    let context = seccomp_dsl::current_context().unwrap();
    capabilities
        .iter()
        .all(|cap| context.capabilities.iter().any(|held| held == cap))
}

#[test]
fn resolve_shows_which_rules_apply() {
    use seccomp_dsl::model::{Context, KernelVersion};
    let context = Context {
        arch: "s390x".into(),
        capabilities: vec![],
        kernel: KernelVersion { major: 4, minor: 4 },
    };
    let resolved = CONDITIONAL.resolve(&context).unwrap();
    let applied: Vec<String> = resolved
        .rules
        .iter()
        .map(|rule| format!("{} {}", rule.action, rule.syscalls.join(",")))
        .collect();
    assert_eq!(
        applied,
        ["allow exit_group", "errno(18) getpid", "errno(8) getgid"]
    );
}

#[cfg(target_arch = "x86_64")]
#[test]
fn syscalls_unknown_to_libseccomp_are_filtered_by_number() {
    const SYS_MSEAL: libc::c_long = 462;
    const SYS_LISTMOUNT: libc::c_long = 458;
    let observed = in_child(|recorder| {
        install(recorder, &NEWER_THAN_LIBSECCOMP);
        // mseal(0, 0, 0) runs: sealing nothing succeeds, or fails with
        // EINVAL on a kernel without mseal; either way it is not EPERM.
        recorder.record(raw_syscall(SYS_MSEAL, [0; 6]));
        recorder.record(raw_syscall(SYS_LISTMOUNT, [0; 6]));
    });
    let [installed, mseal, listmount] = observed.values[..] else {
        panic!("{observed:?}")
    };
    assert_eq!(installed, 0);
    assert_ne!(mseal, -i64::from(libc::EPERM));
    assert_eq!(listmount, -i64::from(libc::EXDEV));
}

/// x32 numbers (bit 30 set) and i386 calls through `int 0x80` are another
/// ABI: the filter kills them even for a syscall the policy allows.
#[cfg(target_arch = "x86_64")]
mod foreign_abis {
    use super::*;

    const X32_SYSCALL_BIT: libc::c_long = 0x4000_0000;
    const I386_GETPID: i64 = 20;

    fn int80_getpid() -> i64 {
        let result: i64;
        // SAFETY: i386 getpid takes no argument and touches no memory.
        unsafe {
            std::arch::asm!("int 0x80", inlateout("rax") I386_GETPID => result, options(nostack));
        }
        result
    }

    const I386_PERSONALITY: i64 = 136;

    /// i386 personality(`persona`) through `int 0x80`, with all 64 bits of
    /// `persona` in rbx: the syscall uses the low half, the filter sees both.
    fn int80_personality(persona: u64) -> i64 {
        let result: i64;
        // SAFETY: personality only sets this process's persona; rbx, which
        // the compiler reserves, is restored.
        unsafe {
            std::arch::asm!(
                "xchg rbx, {persona}",
                "int 0x80",
                "xchg rbx, {persona}",
                persona = inout(reg) persona => _,
                inlateout("rax") I386_PERSONALITY => result,
                options(nostack),
            );
        }
        result
    }

    static X86_DENIES_A_PERSONA: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
        default allow;
        arch_map x86_64 => x86;
        errno(EDOM) personality if arg0 == 8;
    };

    /// The i386 syscall takes 32-bit arguments, so setting the high half of
    /// the register does not slip past a rule on its value.
    #[test]
    fn int80_arguments_are_compared_on_their_low_half() {
        let observed = in_child(|recorder| {
            install(recorder, &X86_DENIES_A_PERSONA);
            recorder.record(int80_personality(0x1_0000_0008));
            recorder.record(int80_personality(8));
            recorder.record(int80_personality(0xffff_ffff));
        });
        let edom = -i64::from(libc::EDOM);
        assert_eq!(observed.values, [0, edom, edom, 0], "persona unchanged, 0");
        assert_eq!(observed.ending, Ending::Exited(0));
    }

    #[test]
    fn an_added_abi_is_filtered_by_name_instead_of_killed() {
        let observed = in_child(|recorder| {
            install(recorder, &common::policies::WITH_X86);
            recorder.record(int80_getpid());
            recorder.record(raw_syscall(libc::SYS_getppid, [0; 6]));
            // x32 was not added: still killed.
            recorder.record(raw_syscall(X32_SYSCALL_BIT | libc::SYS_getpid, [0; 6]));
        });
        assert_eq!(
            observed.values,
            [0, i64::from(observed.pid), -i64::from(libc::EPERM)]
        );
        assert_eq!(observed.ending, Ending::Signaled(SIGSYS));
    }

    #[test]
    fn x32_numbers_are_killed() {
        let observed = in_child(|recorder| {
            install(recorder, &FOREIGN_NAMES);
            recorder.record(raw_syscall(X32_SYSCALL_BIT | libc::SYS_getpid, [0; 6]));
        });
        assert_eq!(observed.values, [0]);
        assert_eq!(observed.ending, Ending::Signaled(SIGSYS));
    }

    #[test]
    fn int80_calls_are_killed() {
        let unfiltered = in_child(|recorder| recorder.record(int80_getpid()));
        assert_eq!(
            unfiltered.values,
            [i64::from(unfiltered.pid)],
            "this kernel runs no i386 code (IA32 emulation off): the filtered case below proves nothing"
        );
        let observed = in_child(|recorder| {
            install(recorder, &FOREIGN_NAMES);
            recorder.record(int80_getpid());
        });
        assert_eq!(observed.values, [0]);
        assert_eq!(observed.ending, Ending::Signaled(SIGSYS));
    }
}

/// A thread with a filter of its own (loaded without TSYNC) cannot be
/// synchronized: `install()` must fail and leave every thread as it was.
#[test]
fn install_fails_whole_when_a_thread_cannot_be_synchronized() {
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
    static THREAD_FILTERED: AtomicBool = AtomicBool::new(false);
    static THREAD_ID: AtomicI64 = AtomicI64::new(0);
    let observed = in_child(|recorder| {
        std::thread::spawn(|| {
            THREAD_ID.store(raw_syscall(libc::SYS_gettid, [0; 6]), Ordering::SeqCst);
            // SAFETY: an allow-all filter for this thread only.
            unsafe {
                let allow_all = [libc::sock_filter {
                    code: 0x06,
                    jt: 0,
                    jf: 0,
                    k: libc::SECCOMP_RET_ALLOW,
                }];
                let program = libc::sock_fprog {
                    len: 1,
                    filter: allow_all.as_ptr() as *mut _,
                };
                assert_eq!(libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
                let loaded = libc::syscall(
                    libc::SYS_seccomp,
                    libc::SECCOMP_SET_MODE_FILTER,
                    0,
                    &program,
                );
                assert_eq!(loaded, 0);
            }
            THREAD_FILTERED.store(true, Ordering::SeqCst);
            loop {
                std::thread::park();
            }
        });
        while !THREAD_FILTERED.load(Ordering::SeqCst) {
            std::hint::spin_loop();
        }
        let error = common::install_with_backend(&ACTIONS).expect_err("install must fail");
        recorder.record(match error {
            seccomp_dsl::Error::ThreadSync(thread) => i64::from(thread),
            _ => -1,
        });
        recorder.record(THREAD_ID.load(Ordering::SeqCst));
        // ACTIONS would make getppid fail with EXDEV: nothing was loaded.
        recorder.record(raw_syscall(libc::SYS_getppid, [0; 6]));
    });
    let [failed_thread, thread, getppid] = observed.values[..] else {
        panic!("{observed:?}")
    };
    #[cfg(feature = "libseccomp")]
    let libseccomp = std::env::var("SECCOMP_DSL_BACKEND").as_deref() == Ok("libseccomp");
    #[cfg(not(feature = "libseccomp"))]
    let libseccomp = false;
    if !libseccomp {
        assert_eq!(failed_thread, thread, "the error names the thread");
    }
    assert_eq!(
        getppid,
        i64::from(std::process::id()),
        "no filter was loaded"
    );
}

/// `socket` reads its family as a 32-bit `int`. Docker's default (kept
/// exactly, `arg0 as u64`) denies AF_VSOCK (40) and AF_ALG (38) on 64 bits,
/// so the same families with an upper half set reach the kernel, which
/// reads 40 and 38; the hardened variant compares what the kernel reads and
/// denies them, while the families both allow still work, whatever the
/// upper half.
#[test]
fn an_upper_half_walks_around_dockers_socket_rules_and_not_the_hardened_ones() {
    use seccomp_dsl::profiles::{DOCKER_DEFAULT_HARDENED_NATIVE, DOCKER_DEFAULT_NATIVE};
    let seqpacket = libc::SOCK_SEQPACKET as u64;
    let calls: [[u64; 6]; 7] = [
        [40, seqpacket, 0, 0, 0, 0],
        [0x1_0000_0028, seqpacket, 0, 0, 0, 0],
        [0x1_0000_0026, seqpacket, 0, 0, 0, 0],
        [0xffff_ffff_0000_0010, libc::SOCK_RAW as u64, 0, 0, 0, 0],
        [libc::AF_UNIX as u64, libc::SOCK_STREAM as u64, 0, 0, 0, 0],
        [0x1_0000_0001, libc::SOCK_STREAM as u64, 0, 0, 0, 0],
        [libc::AF_INET as u64, libc::SOCK_DGRAM as u64, 0, 0, 0, 0],
    ];
    let run = |profile: &'static seccomp_dsl::Profile| {
        let observed = in_child(|recorder| {
            install(recorder, profile);
            for args in calls {
                recorder.record(raw_syscall(libc::SYS_socket, args));
            }
        });
        assert_eq!(observed.ending, Ending::Exited(0));
        assert_eq!(observed.values[0], 0, "install failed");
        observed.values[1..].to_vec()
    };
    let eperm = -i64::from(libc::EPERM);
    let moby = run(&DOCKER_DEFAULT_NATIVE);
    assert_eq!(moby[0], eperm, "socket(AF_VSOCK) is denied");
    // The filter lets these through: the kernel answers (a socket, or its
    // own error if the family is not built in), never the filter's EPERM.
    for (call, result) in calls[1..4].iter().zip(&moby[1..4]) {
        assert_ne!(*result, eperm, "{call:x?} passes moby's rules");
    }
    let hardened = run(&DOCKER_DEFAULT_HARDENED_NATIVE);
    assert_eq!(
        hardened[..3],
        [eperm; 3],
        "AF_VSOCK and AF_ALG denied, upper half or not"
    );
    // AF_NETLINK (16) is allowed by both, here with a garbage upper half.
    for (name, results) in [("moby", &moby), ("hardened", &hardened)] {
        for (call, result) in calls[3..].iter().zip(&results[3..]) {
            assert!(*result >= 0, "{name}: {call:x?} gave {result}");
        }
    }
}

/// A policy that lists its ABIs and denies by default gets runc's ENOSYS
/// stub in-process too: numbers above the highest one it names answer
/// ENOSYS; the same policy for the native ABI only gets its default.
#[cfg(target_arch = "x86_64")]
#[test]
fn numbers_above_the_highest_named_get_enosys_where_the_policy_lists_its_abis() {
    use seccomp_dsl::{seccomp_profile, Profile};
    static LISTED: Profile = seccomp_profile! {
        #[allow(engine_cannot_start, stops_exit)]
        default errno(EACCES);
        arches x86_64;
        allow exit_group, write, getppid;
    };
    static NATIVE: Profile = seccomp_profile! {
        #[allow(engine_cannot_start, stops_exit)]
        default errno(EACCES);
        allow exit_group, write, getppid;
    };
    let calls = |profile: &'static Profile| {
        let observed = in_child(|recorder| {
            install(recorder, profile);
            for number in [libc::SYS_getpid, libc::SYS_exit_group + 1, 1000] {
                recorder.record(raw_syscall(number, [0; 6]));
            }
        });
        assert_eq!(observed.values[0], 0, "installed");
        observed.values[1..].to_vec()
    };
    let (eacces, enosys) = (-i64::from(libc::EACCES), -i64::from(libc::ENOSYS));
    // exit_group (231) is the highest named: getpid (39) is below, 232 and 1000 above.
    assert_eq!(calls(&LISTED), [eacces, enosys, enosys]);
    assert_eq!(calls(&NATIVE), [eacces, eacces, eacces]);
}

#[test]
fn a_thread_scope_filters_the_calling_thread_and_leaves_the_others() {
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    static OTHER: AtomicI64 = AtomicI64::new(i64::MIN);
    let observed = in_child(|recorder| {
        let other = std::thread::spawn(|| {
            while !INSTALLED.load(Ordering::SeqCst) {
                std::hint::spin_loop();
            }
            OTHER.store(raw_syscall(libc::SYS_getppid, [0; 6]), Ordering::SeqCst);
        });
        recorder.record(i64::from(ACTIONS.install_current_thread().is_err()));
        INSTALLED.store(true, Ordering::SeqCst);
        recorder.record(raw_syscall(libc::SYS_getppid, [0; 6]));
        while OTHER.load(Ordering::SeqCst) == i64::MIN {
            std::hint::spin_loop();
        }
        recorder.record(OTHER.load(Ordering::SeqCst));
        // A thread started after the install inherits the filter.
        let later = std::thread::spawn(|| raw_syscall(libc::SYS_getppid, [0; 6]));
        recorder.record(later.join().unwrap());
        drop(other);
    });
    // SAFETY: getpid has no side effect; the child's parent is this process.
    let parent = i64::from(unsafe { libc::getpid() });
    let denied = -i64::from(libc::EXDEV);
    assert_eq!(observed.values, [0, denied, parent, denied]);
}

#[test]
fn a_command_runs_under_its_policy_and_the_parent_does_not() {
    use seccomp_dsl::CommandExt;
    use seccomp_dsl::{seccomp_profile, Profile};
    static NO_UNAME: Profile = seccomp_profile! {
        #[allow(engine_cannot_start)]
        default allow;
        errno(EACCES) uname;
    };
    // The parent of the child is the test harness: nothing is installed
    // in it, which the last assertion checks.
    let confined = std::process::Command::new("uname")
        .seccomp_policy(&NO_UNAME)
        .unwrap()
        .output()
        .unwrap();
    assert!(!confined.status.success());
    let said = String::from_utf8_lossy(&confined.stderr);
    assert!(said.contains("Permission denied"), "{said}");
    let free = std::process::Command::new("uname").output().unwrap();
    assert!(free.status.success());
    assert_eq!(String::from_utf8_lossy(&free.stdout).trim(), "Linux");
    // A policy that stops the command from starting is refused before
    // anything runs.
    static NO_EXEC: Profile = seccomp_profile! {
        #[allow(engine_cannot_start)]
        default allow;
        errno(EACCES) execve;
    };
    let refused = std::process::Command::new("uname")
        .seccomp_policy(&NO_EXEC)
        .map(|_| ())
        .unwrap_err();
    assert!(
        matches!(refused, seccomp_dsl::Error::ChildCannotStart("execve")),
        "{refused}"
    );
    // So is one under which the child could not report a failed exec: it
    // would spin in `abort`, whose calls are denied too, never reaped.
    static NO_WRITE: Profile = seccomp_profile! {
        #[allow(engine_cannot_start)]
        default errno;
        allow execve, exit_group, restart_syscall, rt_sigreturn;
        rule write(arg0 == 1) => errno(EACCES);
    };
    let refused = std::process::Command::new("/nonexistent/program")
        .seccomp_policy(&NO_WRITE)
        .map(|_| ())
        .unwrap_err();
    assert!(
        matches!(refused, seccomp_dsl::Error::ChildCannotStart("write")),
        "{refused}"
    );
    assert!(
        refused.to_string().contains("`write` to report"),
        "{refused}"
    );
    // Where `write` runs on some descriptor, the policy is taken.
    static WRITES_TO_ONE: Profile = seccomp_profile! {
        #[allow(engine_cannot_start)]
        default allow;
        rule write(arg0 == 2) => errno(EACCES);
    };
    let mut command = std::process::Command::new("true");
    assert!(command.seccomp_policy(&WRITES_TO_ONE).is_ok());
}

/// Runs `body` in a forked child whose standard error goes to a file, and
/// returns how the child ended and what it wrote there.
fn in_child_with_stderr(body: impl FnOnce(&common::Recorder)) -> (common::Observed, String) {
    use std::os::fd::AsRawFd;
    let path = std::env::temp_dir().join(format!(
        "seccomp-dsl-stderr-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let file = std::fs::File::create(&path).unwrap();
    let observed = in_child(|recorder| {
        // SAFETY: the child's own descriptor table.
        unsafe { libc::dup2(file.as_raw_fd(), libc::STDERR_FILENO) };
        body(recorder);
    });
    let written = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    (observed, written)
}

static KILLS: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
    #[allow(engine_cannot_start)]
    default allow;
    errno(EXDEV) getppid;
    kill_process getpriority;
    trap getpgid;
};

/// The source line of the rule `rule` in [`KILLS`].
fn kills_line(rule: &str) -> u32 {
    let source = include_str!("install.rs");
    let start = source.find("static KILLS").unwrap();
    let offset = source[start..].find(rule).unwrap() + start;
    source[..offset].lines().count() as u32
}

#[test]
fn naming_kills_says_which_call_killed_the_process_before_it_dies_by_sigsys() {
    let arch = std::env::consts::ARCH;
    let line = kills_line("kill_process getpriority;");
    let (observed, said) = in_child_with_stderr(|recorder| {
        recorder.record(i64::from(KILLS.install_naming_kills().is_err()));
        recorder.record(raw_syscall(libc::SYS_getppid, [0; 6]));
        // Neither a handler of its own nor SIGSYS blocked keeps it alive.
        // SAFETY: the very calls under test.
        unsafe {
            libc::signal(libc::SIGSYS, libc::SIG_IGN);
            let mut all: libc::sigset_t = std::mem::zeroed();
            libc::sigfillset(&mut all);
            libc::pthread_sigmask(libc::SIG_BLOCK, &all, std::ptr::null_mut());
        }
        raw_syscall(libc::SYS_getpriority, [0, 7, 0, 0, 0, 0]);
        recorder.record(1);
    });
    assert_eq!(observed.values, [0, -i64::from(libc::EXDEV)]);
    assert_eq!(observed.ending, Ending::Signaled(libc::SIGSYS));
    assert_eq!(
        said,
        format!(
            "seccomp-dsl: kill getpriority(0, 7) on {arch} (thread {}): kill_process, by line \
             {line}: kill_process getpriority;\n",
            observed.pid
        )
    );
    // A policy that traps calls itself keeps its own traps.
    let observed = in_child(|recorder| {
        recorder.record(i64::from(KILLS.install_naming_kills().is_err()));
        // SAFETY: the trap is caught: the handler returns.
        unsafe {
            libc::signal(
                libc::SIGSYS,
                returns_from_sigsys as *const () as libc::sighandler_t,
            )
        };
        recorder.record(raw_syscall(libc::SYS_getpgid, [0; 6]));
    });
    assert_eq!(observed.values[0], 0);
    assert_eq!(observed.ending, Ending::Exited(0));
}

extern "C" fn returns_from_sigsys(_: libc::c_int) {}

#[test]
fn naming_kills_in_one_thread_and_in_a_child_names_the_call() {
    use seccomp_dsl::CommandExt;
    let arch = std::env::consts::ARCH;
    let line = kills_line("kill_process getpriority;");
    // A thread of its own: the kill is named, the process dies.
    let (observed, said) = in_child_with_stderr(|recorder| {
        let thread = std::thread::spawn(|| {
            KILLS.install_current_thread_naming_kills().unwrap();
            raw_syscall(libc::SYS_getpriority, [0, 9, 0, 0, 0, 0])
        });
        recorder.record(thread.join().unwrap_or(-1));
    });
    assert_eq!(observed.ending, Ending::Signaled(libc::SIGSYS), "{said}");
    assert!(
        said.starts_with("seccomp-dsl: kill getpriority(0, 9) on ")
            && said.ends_with(&format!(
                "): kill_process, by line {line}: kill_process getpriority;\n"
            )),
        "{said}"
    );
    // A child: named on this process's standard error, the child killed
    // by SIGSYS, this process unfiltered.
    let (observed, said) = in_child_with_stderr(|recorder| {
        let status = std::process::Command::new("nice")
            .args(["-n", "3", "true"])
            .seccomp_policy_naming_kills(&KILLS)
            .unwrap()
            .status()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        recorder.record(i64::from(status.signal().unwrap_or(0)));
        recorder.record(raw_syscall(libc::SYS_getpriority, [0, 0, 0, 0, 0, 0]));
    });
    assert_eq!(observed.ending, Ending::Exited(0), "{said}");
    assert_eq!(observed.values[0], i64::from(libc::SIGSYS), "{said}");
    assert!(observed.values[1] >= 0, "this process is not filtered");
    assert!(
        said.starts_with("seccomp-dsl: kill getpriority(0, ")
            && said.contains(&format!(" on {arch} (thread "))
            && said.ends_with(&format!(
                "): kill_process, by line {line}: kill_process getpriority;\n"
            )),
        "{said}"
    );
}

#[test]
fn complain_mode_denies_nothing_and_reports_each_call_once() {
    let (observed, said) = in_child_with_stderr(|recorder| {
        recorder.record(i64::from(
            ACTIONS
                .install_complain(seccomp_dsl::Report::Stderr)
                .is_err(),
        ));
        recorder.record(raw_syscall(libc::SYS_getppid, [0; 6]));
        recorder.record(raw_syscall(libc::SYS_getppid, [0; 6]));
        recorder.record(raw_syscall(libc::SYS_getpriority, [0, 0, 0, 0, 0, 0]));
        // A thread started later is covered too.
        let thread = std::thread::spawn(|| raw_syscall(libc::SYS_setpriority, [0, 0, 0, 0, 0, 0]));
        recorder.record(thread.join().unwrap());
    });
    assert_eq!(observed.ending, Ending::Exited(0), "{said}");
    // The policy's own errno rule is applied; what it kills runs.
    assert_eq!(
        observed.values[..3],
        [0, -i64::from(libc::EXDEV), -i64::from(libc::EXDEV)]
    );
    assert!(
        observed.values[3] >= 0 && observed.values[4] == 0,
        "{:?}",
        observed.values
    );
    let arch = std::env::consts::ARCH;
    let lines: Vec<String> = said
        .lines()
        .map(|line| {
            // The thread id differs from run to run.
            let (head, tail) = line.split_once(" (thread ").unwrap();
            let (_, tail) = tail.split_once(')').unwrap();
            format!("{head}{tail}")
        })
        .collect();
    let line_of = |rule: &str| {
        let source = include_str!("common/policies.rs");
        let offset = source.find(rule).unwrap();
        source[..offset].lines().count()
    };
    assert_eq!(
        lines,
        [
            format!(
                "seccomp-dsl: deny getppid() on {arch}: errno(18), by line {}: errno(EXDEV) \
                 getppid; (the policy's own denial, applied)",
                line_of("errno(EXDEV) getppid;")
            ),
            format!(
                "seccomp-dsl: would kill getpriority(0, 0) on {arch}: kill_process, by line {}: \
                 kill_process getpriority; (to allow it: `allow getpriority;`)",
                line_of("kill_process getpriority;")
            ),
            format!(
                "seccomp-dsl: would kill setpriority(0, 0, 0) on {arch}: kill_thread, by line \
                 {}: kill_thread setpriority; (to allow it: `allow setpriority;`)",
                line_of("kill setpriority;")
            ),
        ]
    );
}

/// The emulator (and so the decision procedure, which follows the same
/// semantics) against the kernel itself, on the instructions whose meaning
/// a reading of the C could get wrong: shifts by an `X` of 32 or more,
/// division by an `X` of 0 (the converted program returns 0: kill), `NEG`,
/// `LEN`, scratch memory, an errno above 4095; and `MOD`, which classic BPF
/// has and a seccomp filter may not use.
#[test]
fn the_kernel_runs_filters_as_the_emulator_and_refuses_what_the_checker_refuses() {
    use seccomp_dsl::bpf::emulate::{run, SeccompData};
    use seccomp_dsl::bpf::{audit_arch, check, op, ret, Instruction};
    use seccomp_dsl::model::SeccompArch;
    let i = Instruction::new;
    let errno_of_a = [
        i(op::ALU | op::AND | op::K, 0, 0, 0xfff),
        i(op::ALU | op::OR | op::K, 0, 0, ret::ERRNO),
        i(op::RET | op::A, 0, 0, 0),
    ];
    let computed = |code: &[Instruction]| [code, &errno_of_a[..]].concat();
    let cases: Vec<(&str, Vec<Instruction>)> = vec![
        (
            "lsh by 33",
            computed(&[
                i(op::LD | op::IMM, 0, 0, 1),
                i(op::LDX | op::IMM, 0, 0, 33),
                i(op::ALU | op::LSH | op::X, 0, 0, 0),
            ]),
        ),
        (
            "rsh by 63",
            computed(&[
                i(op::LD | op::IMM, 0, 0, 0x8000_0000),
                i(op::LDX | op::IMM, 0, 0, 63),
                i(op::ALU | op::RSH | op::X, 0, 0, 0),
            ]),
        ),
        (
            "div by X = 0",
            computed(&[
                i(op::LD | op::IMM, 0, 0, 7),
                i(op::LDX | op::IMM, 0, 0, 0),
                i(op::ALU | op::DIV | op::X, 0, 0, 0),
            ]),
        ),
        (
            "div by X = 7",
            computed(&[
                i(op::LD | op::IMM, 0, 0, 100),
                i(op::LDX | op::IMM, 0, 0, 7),
                i(op::ALU | op::DIV | op::X, 0, 0, 0),
            ]),
        ),
        (
            "neg",
            computed(&[i(op::LD | op::IMM, 0, 0, 1), i(op::ALU | op::NEG, 0, 0, 0)]),
        ),
        ("len", computed(&[i(op::LD | op::W | op::LEN, 0, 0, 0)])),
        (
            "scratch memory",
            computed(&[
                i(op::LD | op::IMM, 0, 0, 5),
                i(op::ST, 0, 0, 3),
                i(op::LD | op::IMM, 0, 0, 0),
                i(op::LD | op::MEM, 0, 0, 3),
            ]),
        ),
        (
            "errno above 4095",
            vec![
                i(op::LD | op::IMM, 0, 0, ret::ERRNO | 0xffff),
                i(op::RET | op::A, 0, 0, 0),
            ],
        ),
        (
            "mod",
            computed(&[
                i(op::LD | op::IMM, 0, 0, 100),
                i(op::ALU | op::MOD | op::K, 0, 0, 7),
            ]),
        ),
    ];
    let getppid = SeccompData {
        nr: libc::SYS_getppid as i32,
        arch: audit_arch(SeccompArch::native().unwrap()).unwrap(),
        instruction_pointer: 0,
        args: [0; 6],
    };
    for (name, program) in cases {
        let observed = in_child(|recorder| {
            let fprog = libc::sock_fprog {
                len: program.len() as u16,
                filter: program.as_ptr() as *mut libc::sock_filter,
            };
            // SAFETY: a filter of our own, in the forked child.
            let loaded = unsafe {
                libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
                libc::syscall(libc::SYS_seccomp, libc::SECCOMP_SET_MODE_FILTER, 0, &fprog)
            };
            recorder.record(if loaded == 0 {
                0
            } else {
                -i64::from(std::io::Error::last_os_error().raw_os_error().unwrap())
            });
            if loaded == 0 {
                recorder.record(raw_syscall(libc::SYS_getppid, [0; 6]));
            }
        });
        match check::accepted(&program) {
            Err(refusal) => {
                assert_eq!(
                    observed.values,
                    [-i64::from(libc::EINVAL)],
                    "{name}: {refusal}"
                );
            }
            Ok(()) => {
                let answer = run(&program, &getppid).unwrap();
                if answer & ret::ACTION_FULL == ret::KILL_THREAD {
                    assert_eq!(observed.values, [0], "{name}");
                    assert_eq!(observed.ending, Ending::Signaled(SIGSYS), "{name}");
                } else {
                    assert_eq!(answer & ret::ACTION_FULL, ret::ERRNO, "{name}");
                    let errno = i64::from((answer & ret::DATA).min(4095));
                    assert_eq!(observed.values, [0, -errno], "{name}: {answer:#x}");
                }
            }
        }
    }
}

/// A `startup` block: what only the program's start (or a container's
/// runtime) needs. `install()` leaves it out, and a call it alone allows
/// is denied after; the Docker profile and a child started under the
/// policy have it, and the profile's entry says so.
#[test]
fn startup_rules_are_left_out_by_install_and_kept_for_containers_and_children() {
    static WITH_STARTUP: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
        #[allow(engine_cannot_start, stops_exit)]
        default errno;
        allow read, write;
        startup {
            allow getppid;
        }
    };
    let observed = in_child(|recorder| {
        recorder.record(raw_syscall(libc::SYS_getppid, [0; 6]));
        install(recorder, &WITH_STARTUP);
        recorder.record(raw_syscall(libc::SYS_getppid, [0; 6]));
        recorder.record(raw_syscall(libc::SYS_read, [u64::MAX, 0, 0, 0, 0, 0]));
    });
    let [before, installed, after, read] = observed.values[..] else {
        panic!(
            "child recorded {:?}, ended {:?}",
            observed.values, observed.ending
        );
    };
    assert!(before > 0, "getppid before install(): {before}");
    assert_eq!(installed, 0, "install failed");
    assert_eq!(after, -i64::from(libc::EPERM), "getppid after install()");
    assert_eq!(read, -i64::from(libc::EBADF));
    // What a container and a child get: the whole policy.
    let whole = WITH_STARTUP.resolve_here().unwrap();
    assert_eq!(whole.decide("getppid", &[0; 6]), Action::Allow);
    let installed = WITH_STARTUP.resolve_installed_here().unwrap();
    assert_eq!(installed.decide("getppid", &[0; 6]), Action::Errno(1));
    let json: serde_json::Value = serde_json::from_str(WITH_STARTUP.docker_json()).unwrap();
    let entry = (json["syscalls"].as_array().unwrap().iter())
        .find(|entry| entry["names"] == serde_json::json!(["getppid"]))
        .expect("the Docker profile has the startup rule");
    let comment = entry["comment"].as_str().unwrap_or_default();
    assert!(comment.starts_with("startup: "), "{comment}");
}

/// A child started under a policy runs its start under it, `startup`
/// block included: busybox's `true` starts where only the block allows
/// `execve` and what the loader calls, and does not start without it.
#[test]
fn a_child_starts_under_its_policys_startup_block() {
    use seccomp_dsl::CommandExt;
    static STARTS: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
        #[allow(engine_cannot_start)]
        default errno;
        allow exit_group, restart_syscall, rt_sigreturn;
        startup {
            allow execve, brk, arch_prctl, set_tid_address, set_robust_list, rseq, prlimit64;
            allow readlink, getrandom, getuid, mprotect, prctl;
            // For the standard library's child to report a failed exec.
            allow write;
        }
    };
    // Without the block's `execve`, the child cannot start: refused.
    static NO_START: seccomp_dsl::Profile = seccomp_dsl::seccomp_profile! {
        #[allow(engine_cannot_start)]
        default errno;
        allow exit_group, restart_syscall, rt_sigreturn, write;
    };
    let started = std::process::Command::new("/bin/busybox")
        .arg("true")
        .seccomp_policy(&STARTS)
        .unwrap()
        .status()
        .unwrap();
    assert!(started.success(), "{started:?}");
    let refused = std::process::Command::new("/bin/busybox")
        .arg("true")
        .seccomp_policy(&NO_START)
        .map(|_| ());
    assert!(
        matches!(refused, Err(seccomp_dsl::Error::ChildCannotStart("execve"))),
        "{refused:?}"
    );
}
