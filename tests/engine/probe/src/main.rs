//! Runs the battery and prints, first, the process's capability sets as
//! `/proc/self/status` shows them, then one line per call:
//! `label<TAB>outcome`.

fn main() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    for line in status.lines().filter(|line| line.starts_with("Cap")) {
        println!("{line}");
    }
    for case in seccomp_dsl_probe::battery() {
        println!("{}\t{}", case.label, seccomp_dsl_probe::run(case.call));
    }
}
