//! A base policy defined in one crate and extended in others (the
//! `define_policy!` tests in `tests/ui/`).

seccomp_dsl::define_policy! {
    /// What every service starts from: a Rust program's runtime, nothing
    /// that debugs or mounts, ever.
    service_base;
    #[allow(engine_cannot_start)]
    default kill_process;
    allow @rust_std, @rust_threads;
    // Threads without namespaces: glibc falls back from clone3, whose
    // flags no filter sees, to clone.
    errno(ENOSYS) clone3;
    rule clone(arg0 & CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET == 0) => allow;
    forbid ptrace, process_vm_readv, @mount;
    assert denies ptrace;
}

/// The base alone.
pub static SERVICE_BASE: seccomp_dsl::Profile = service_base! {};
