//! A readable listing of a BPF program, one instruction a line, with the
//! seccomp meaning of loads and return values spelt out.

use std::fmt::Write as _;

use super::{op, ret, Instruction};

/// The listing: position, operation, operand and jump targets (absolute),
/// then a comment naming the `seccomp_data` field or the action.
///
/// ```
/// use seccomp_dsl_core::bpf::{disasm::listing, Instruction};
/// let program = [
///     Instruction::new(0x20, 0, 0, 0),          // ld [0]
///     Instruction::new(0x15, 0, 1, 39),         // jeq #39
///     Instruction::new(0x06, 0, 0, 0x7fff_0000), // ret ALLOW
///     Instruction::new(0x06, 0, 0, 0x0005_0001), // ret ERRNO(1)
/// ];
/// let text = listing(&program);
/// let lines: Vec<&str> = text.lines().collect();
/// assert!(lines[0].starts_with("   0: ld   [0]") && lines[0].ends_with("; nr"));
/// assert!(lines[1].contains("jeq  #0x27") && lines[1].ends_with("2     3"));
/// assert!(lines[3].ends_with("; errno(1)"));
/// ```
pub fn listing(program: &[Instruction]) -> String {
    let mut out = String::new();
    for (position, instruction) in program.iter().enumerate() {
        let (text, comment) = describe(position, instruction);
        let line = match comment {
            Some(comment) => format!("{position:>4}: {text:<32} ; {comment}"),
            None => format!("{position:>4}: {text}"),
        };
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

fn describe(position: usize, instruction: &Instruction) -> (String, Option<String>) {
    let Instruction { code, jt, jf, k } = *instruction;
    let source = if code & op::X != 0 {
        "x".to_string()
    } else {
        format!("#{k:#x}")
    };
    let target = |skip: u8| position + 1 + usize::from(skip);
    match code & 0x07 {
        op::LD | op::LDX => {
            let register = if code & 0x07 == op::LD { "ld " } else { "ldx" };
            match code & 0xe0 {
                op::ABS => (format!("{register}  [{k}]"), Some(field(k))),
                op::IMM => (format!("{register}  #{k:#x}"), None),
                op::MEM => (format!("{register}  M[{k}]"), None),
                _ => (format!("{register}  len"), None),
            }
        }
        op::ST => (format!("st   M[{k}]"), None),
        op::STX => (format!("stx  M[{k}]"), None),
        op::ALU => {
            let name = match code & 0xf0 {
                op::ADD => "add",
                op::SUB => "sub",
                op::MUL => "mul",
                op::DIV => "div",
                op::MOD => "mod",
                op::OR => "or",
                op::AND => "and",
                op::XOR => "xor",
                op::LSH => "lsh",
                op::RSH => "rsh",
                _ => "neg",
            };
            (format!("{name:<4} {source}"), None)
        }
        op::JMP => match code & 0xf0 {
            op::JA => (format!("ja   {}", position + 1 + k as usize), None),
            jump => {
                let name = match jump {
                    op::JEQ => "jeq",
                    op::JGT => "jgt",
                    op::JGE => "jge",
                    _ => "jset",
                };
                (
                    format!(
                        "{name:<4} {source:<14} {:>4}  {:>4}",
                        target(jt),
                        target(jf)
                    ),
                    None,
                )
            }
        },
        op::RET => match code & 0x18 {
            op::A => ("ret  a".to_string(), None),
            _ => (format!("ret  #{k:#x}"), Some(action(k))),
        },
        _ => (
            if code & 0xf8 == op::TXA { "txa" } else { "tax" }.to_string(),
            None,
        ),
    }
}

fn field(offset: u32) -> String {
    match offset {
        0 => "nr".into(),
        4 => "arch".into(),
        8 => "instruction_pointer (low)".into(),
        12 => "instruction_pointer (high)".into(),
        16..=60 => {
            let half = if offset % 8 == 0 { "low" } else { "high" };
            format!("args[{}] ({half})", (offset - 16) / 8)
        }
        _ => "outside seccomp_data".into(),
    }
}

/// The action a return value stands for, in the DSL's words.
pub fn action(value: u32) -> String {
    let data = value & ret::DATA;
    match value & ret::ACTION_FULL {
        ret::KILL_PROCESS => "kill_process".into(),
        ret::KILL_THREAD => "kill_thread".into(),
        ret::TRAP => "trap".into(),
        ret::ERRNO => format!("errno({data})"),
        ret::USER_NOTIF => "notify".into(),
        ret::TRACE => format!("trace({data})"),
        ret::LOG => "log".into(),
        ret::ALLOW => "allow".into(),
        _ => "unknown action".into(),
    }
}
