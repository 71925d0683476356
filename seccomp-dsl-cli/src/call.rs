//! A call given on the command line (`explain`, `emulate`): a syscall by
//! name or number, and arguments as numbers or constants.

use seccomp_dsl_core::bpf;
use seccomp_dsl_core::model::SeccompArch;

/// A call given on the command line: the syscall (its name, where the
/// ABI has one at that number) and its arguments as the registers hold
/// them.
pub(crate) struct GivenCall {
    pub(crate) name: Option<&'static str>,
    pub(crate) number: u32,
    pub(crate) args: [u64; 6],
}

impl std::fmt::Display for GivenCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name {
            Some(name) => write!(f, "{name} (number {})", self.number)?,
            None => write!(f, "syscall {}", self.number)?,
        }
        Ok(())
    }
}

/// The call `syscall` (a name or a number on `abi`) with `args`.
pub(crate) fn given_call(
    abi: SeccompArch,
    syscall: &str,
    args: &[String],
) -> Result<GivenCall, String> {
    let table = abi.syscall_table();
    let (name, number) = match parse_number(syscall) {
        Some(number) => {
            let number = u32::try_from(number)
                .map_err(|_| format!("`{syscall}` is not a syscall number"))?
                & !bpf::number_bias(abi);
            let name = seccomp_dsl_core::syscalls::by_number(table, number).map(|e| e.name());
            (name, number)
        }
        None => {
            let entry =
                seccomp_dsl::explain::syscall_named(syscall).map_err(|error| error.to_string())?;
            let number = entry
                .number(table)
                .ok_or(format!("`{syscall}` does not exist on {}", abi.name()))?;
            (Some(entry.name()), number)
        }
    };
    if args.len() > 6 {
        return Err("a syscall takes at most six arguments".into());
    }
    let mut values = [0u64; 6];
    for (index, (value, text)) in values.iter_mut().zip(args).enumerate() {
        *value = argument(name, index as u8, text)?;
    }
    Ok(GivenCall {
        name,
        number,
        args: values,
    })
}

/// Argument `index` of `syscall` as its register holds it: a number
/// (decimal, `0x` hex, or negative: `-100`), or constants joined with `|`
/// (`AT_FDCWD`, `O_WRONLY|O_CLOEXEC`). A negative value of an argument
/// the kernel reads as 32 bits is its low 32 bits, as a C caller passes it.
fn argument(syscall: Option<&str>, index: u8, text: &str) -> Result<u64, String> {
    use seccomp_dsl_core::{constants, suggest};
    let mut value = 0u64;
    let mut negative = false;
    let terms: Vec<&str> = text.split('|').map(str::trim).collect();
    for term in &terms {
        let (magnitude, minus) = match term.strip_prefix('-') {
            Some(rest) => (rest, true),
            None => (*term, false),
        };
        let term_value = match parse_number(magnitude) {
            Some(number) if minus => number.wrapping_neg(),
            Some(number) => number,
            None if minus => return Err(format!("`{term}` is not a number")),
            None => constants::lookup(magnitude).ok_or_else(|| {
                let closest = suggest::closest_constant(magnitude, constants::names());
                match closest {
                    Some(closest) => format!(
                        "`{magnitude}` is neither a number nor a constant name; did you mean `{closest}`?"
                    ),
                    None => format!("`{magnitude}` is neither a number nor a constant name"),
                }
            })?,
        };
        negative |= (term_value as i64) < 0;
        value |= term_value;
    }
    if negative && terms.len() > 1 {
        return Err(format!(
            "`{text}`: a negative value cannot be joined with `|`"
        ));
    }
    let width = syscall.and_then(|name| seccomp_dsl_core::upper_half::kernel_width(name, index));
    Ok(match width {
        Some(width) if negative => value & width.mask(),
        _ => value,
    })
}

/// An unsigned integer in decimal, or hex with `0x`.
fn parse_number(text: &str) -> Option<u64> {
    let text = text.replace('_', "");
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}
