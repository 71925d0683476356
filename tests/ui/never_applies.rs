use seccomp_dsl::{seccomp_profile, Profile};

static POLICY: Profile = seccomp_profile! {
    default errno;
    when cap(CAP_BPF) {
        unless cap(CAP_BPF) { allow bpf; }
    }
};

fn main() {
    let _ = &POLICY;
}
