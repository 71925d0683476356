seccomp_dsl::seccomp_profile! {
    default errno(EPERM);
    arches x86_64, x86, aarch64;
    flags log, spec_allow;

    allow read, write, exit_group, _llseek, chown32;
    rule socket(arg0 == 1) => allow;
    rule socket(arg0 == 40) => errno(EAFNOSUPPORT);
}
