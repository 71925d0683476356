//! Bad input gets errors, never panics: random and mutated Docker profiles
//! through the importer, random programs through the emulator and the
//! disassembler.

use proptest::prelude::*;
use seccomp_dsl_core::bpf::emulate::{run, SeccompData};
use seccomp_dsl_core::bpf::{disasm, Instruction};
use seccomp_dsl_core::{docker, dsl};

const VALID: &str = r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
  "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
  "syscalls": [
    {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
    {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
     "excludes": {"caps": ["CAP_SYS_ADMIN"]}, "comment": "x"},
    {"names": ["ptrace"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38, "includes": {"minKernel": "4.8", "arches": ["amd64"]}}]}"#;

fn import_without_panicking(json: &str) {
    if let Ok(policy) = dsl::import_docker(json) {
        // What imports also prints and exports.
        let _ = dsl::to_source(&policy);
        let _ = docker::to_json(&policy);
    }
    let _ = docker::from_json(json);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_text(text in ".{0,200}") {
        import_without_panicking(&text);
    }

    #[test]
    fn mutated_profiles(edits in prop::collection::vec((any::<prop::sample::Index>(), 0..3u8, any::<char>()), 1..8)) {
        let mut text: Vec<char> = VALID.chars().collect();
        for (at, edit, character) in edits {
            let index = at.index(text.len());
            match edit {
                0 => { text.remove(index); }
                1 => text.insert(index, character),
                _ => text[index] = character,
            }
        }
        import_without_panicking(&text.into_iter().collect::<String>());
    }

    #[test]
    fn random_programs(
        program in prop::collection::vec((any::<u16>(), any::<u8>(), any::<u8>(), any::<u32>()), 1..40),
        nr in any::<i32>(),
        arch in any::<u32>(),
        args in any::<[u64; 6]>(),
    ) {
        let program: Vec<Instruction> =
            program.into_iter().map(|(code, jt, jf, k)| Instruction::new(code, jt, jf, k)).collect();
        let _ = run(&program, &SeccompData { nr, arch, instruction_pointer: 0, args });
        let _ = disasm::listing(&program);
    }
}
