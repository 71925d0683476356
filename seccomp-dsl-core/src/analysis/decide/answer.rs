//! What the kernel makes of its filters' return values: which one it
//! keeps when several filters answer a call (`seccomp_run_filters`), and
//! what that value does (`__seccomp_filter`), so that two values that do
//! the same thing count as the same answer.

use super::sat::{Bits, Encoder};
use crate::bpf::emulate::{run, SeccompData};
use crate::bpf::{ret, Instruction};

/// The value the kernel keeps from its filters' answers, the oldest
/// filter first in `answers` (as `PTRACE_SECCOMP_GET_FILTER` numbers
/// them): it runs every filter, the newest first, and keeps an answer only
/// over one of strictly lower precedence (the action bits compared as a
/// signed number, the most restrictive lowest), so that among equals the
/// newest filter's answer stands.
///
/// ```
/// use seccomp_dsl_core::decide::answer::kept;
/// // errno(EPERM) installed first, errno(EACCES) second: EACCES.
/// assert_eq!(kept(&[0x0005_0001, 0x0005_000d]), 0x0005_000d);
/// // A kill outranks both, whichever filter says it.
/// assert_eq!(kept(&[0x8000_0000, 0x0005_000d]), 0x8000_0000);
/// ```
pub fn kept(answers: &[u32]) -> u32 {
    let precedence = |value: u32| (value & ret::ACTION_FULL) as i32;
    let mut answer = ret::ALLOW;
    for &value in answers.iter().rev() {
        if precedence(value) < precedence(answer) {
            answer = value;
        }
    }
    answer
}

/// The kernel's answer to `data` under `filters` (the oldest first), each
/// run as the kernel runs it.
///
/// ```
/// use seccomp_dsl_core::bpf::{emulate::SeccompData, Instruction};
/// use seccomp_dsl_core::decide::answer::answer;
/// let errno = |e: u32| vec![Instruction::new(0x06, 0, 0, 0x0005_0000 | e)];
/// assert_eq!(answer(&[errno(1), errno(13)], &SeccompData::default()), 0x0005_000d);
/// ```
pub fn answer(filters: &[Vec<Instruction>], data: &SeccompData) -> u32 {
    let answers: Vec<u32> = filters
        .iter()
        // A program the kernel accepted runs to a return.
        .map(|filter| run(filter, data).unwrap_or(ret::KILL_PROCESS))
        .collect();
    kept(&answers)
}

/// The kernel's `MAX_ERRNO`: a larger errno is returned as this one.
pub const MAX_ERRNO: u32 = 4095;

/// The answer `value` stands for, in one form: the data bits kept only
/// where the action uses them (an errno, capped at [`MAX_ERRNO`]; a trap's
/// or a tracer's message), an action the kernel does not know as the kill
/// of the process it gets.
///
/// ```
/// use seccomp_dsl_core::decide::answer::canonical;
/// assert_eq!(canonical(0x7fff_1234), 0x7fff_0000);
/// assert_eq!(canonical(0x0005_ffff), 0x0005_0fff);
/// assert_eq!(canonical(0x0001_0000), 0x8000_0000);
/// ```
pub fn canonical(value: u32) -> u32 {
    let action = value & ret::ACTION_FULL;
    let data = value & ret::DATA;
    match action {
        ret::ERRNO => ret::ERRNO | data.min(MAX_ERRNO),
        ret::TRAP | ret::TRACE => value,
        ret::KILL_PROCESS | ret::KILL_THREAD | ret::USER_NOTIF | ret::LOG | ret::ALLOW => action,
        _ => ret::KILL_PROCESS,
    }
}

/// The actions the kernel knows.
const ACTIONS: [u32; 8] = [
    ret::KILL_PROCESS,
    ret::KILL_THREAD,
    ret::TRAP,
    ret::ERRNO,
    ret::USER_NOTIF,
    ret::TRACE,
    ret::LOG,
    ret::ALLOW,
];

/// [`kept`] as a circuit.
pub fn kept_bits(encoder: &mut Encoder<'_>, answers: &[Bits]) -> Bits {
    let mut answer = encoder.constant(ret::ALLOW);
    let zero = encoder.bit(false);
    // The action bits, their sign flipped: unsigned order is then the
    // kernel's signed order.
    let key = |bits: &Bits| -> Bits {
        let mut key = *bits;
        key[..16].fill(zero);
        key[31] = !key[31];
        key
    };
    for value in answers.iter().rev() {
        let lower = encoder.ugt(&key(&answer), &key(value));
        answer = encoder.mux_bits(lower, value, &answer);
    }
    answer
}

/// [`canonical`] as a circuit.
pub fn canonical_bits(encoder: &mut Encoder<'_>, value: &Bits) -> Bits {
    let zero = encoder.bit(false);
    let mut action = *value;
    action[..16].fill(zero);
    let mut data = *value;
    data[16..].fill(zero);
    let is = |encoder: &mut Encoder<'_>, wanted: u32| {
        let wanted = encoder.constant(wanted);
        encoder.eq(&action, &wanted)
    };
    let (errno, trap, trace) = (
        is(encoder, ret::ERRNO),
        is(encoder, ret::TRAP),
        is(encoder, ret::TRACE),
    );
    let mut known = encoder.bit(false);
    for wanted in ACTIONS {
        let this = is(encoder, wanted);
        known = encoder.or(known, this);
    }
    // An errno capped.
    let cap = encoder.constant(MAX_ERRNO);
    let over = encoder.ugt(&data, &cap);
    let capped = encoder.mux_bits(over, &cap, &data);
    let mut errno_value = capped;
    errno_value[16..].copy_from_slice(&action[16..]);
    let keeps_data = encoder.or(trap, trace);
    let plain = encoder.mux_bits(keeps_data, value, &action);
    let with_errno = encoder.mux_bits(errno, &errno_value, &plain);
    let kill = encoder.constant(ret::KILL_PROCESS);
    encoder.mux_bits(known, &with_errno, &kill)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::term::Terms;

    /// The circuits give what the functions give, on values near every
    /// action and beside them.
    #[test]
    fn circuits_answer_as_the_kernel() {
        let mut values: Vec<u32> = ACTIONS
            .iter()
            .flat_map(|&action| {
                [
                    action,
                    action | 1,
                    action | 0x0fff,
                    action | 0x1000,
                    action | 0xffff,
                ]
            })
            .collect();
        values.extend([
            0x0001_0000,
            0x4000_0000,
            0x8001_0000,
            0xffff_ffff,
            0x0004_0007,
        ]);
        let terms = Terms::new();
        for (index, &first) in values.iter().enumerate() {
            let second = values[(index * 7 + 3) % values.len()];
            let mut encoder = Encoder::new(&terms, 1_000_000);
            let (a, b) = (encoder.constant(first), encoder.constant(second));
            let kept_circuit = kept_bits(&mut encoder, &[a, b]);
            let canonical_circuit = canonical_bits(&mut encoder, &kept_circuit);
            let want = encoder.constant(canonical(kept(&[first, second])));
            let same = encoder.eq(&canonical_circuit, &want);
            encoder.require(!same);
            assert_eq!(encoder.solve(), Ok(None), "{first:#x} {second:#x}");
        }
    }
}
