seccomp_dsl::seccomp_profile! {
    default allow;
}
