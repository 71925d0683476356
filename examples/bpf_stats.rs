use seccomp_dsl::bpf::{
    self,
    emulate::{run_counting, SeccompData},
};
use seccomp_dsl::model::{Context, KernelVersion, SeccompArch};
fn main() {
    let ctx = Context {
        arch: "amd64".into(),
        capabilities: vec![],
        kernel: KernelVersion { major: 6, minor: 1 },
    };
    let mut resolved = seccomp_dsl::profiles::DOCKER_DEFAULT
        .policy()
        .resolve(&ctx, SeccompArch::X86_64);
    if std::env::args().nth(1).as_deref() != Some("all") {
        resolved.architectures.truncate(1);
    }
    let program = bpf::compile(&resolved).unwrap();
    println!("{} instructions", program.len());
    let mut max = 0;
    let mut mismatches = 0;
    for nr in 0..600u32 {
        for args in [
            [0u64; 6],
            [0xffff_ffff, 0, 0, 0, 0, 0],
            [40, 1, 0, 0, 0, 0],
            [0x7e020000, 0, 0, 0, 0, 0],
            [1 << 32, 0, 0, 0, 0, 0],
        ] {
            let data = SeccompData {
                nr: nr as i32,
                arch: 0xc000_003e,
                instruction_pointer: 0,
                args,
            };
            let (value, executed) = run_counting(&program, &data).unwrap();
            max = max.max(executed);
            if value != bpf::reference::decide(&resolved, data.arch, nr, &args) {
                mismatches += 1;
            }
        }
    }
    println!("max executed {max}, mismatches {mismatches}");
    if std::env::args().any(|a| a == "list") {
        print!("{}", bpf::disasm::listing(&program));
    }
}
