//! A base policy defined in one crate and extended in others (the
//! `define_policy!` tests in `tests/ui/`).

seccomp_dsl::define_policy! {
    /// What every service starts from: a Rust program's runtime, nothing
    /// that debugs or mounts, ever.
    service_base;
    #[allow(engine_cannot_start)]
    default kill_process;
    allow @rust_std, @rust_threads;
    forbid ptrace, process_vm_readv, @mount;
    assert denies ptrace;
}

/// The base alone.
pub static SERVICE_BASE: seccomp_dsl::Profile = service_base! {};
